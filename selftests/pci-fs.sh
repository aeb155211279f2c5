#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ext4 on NVMe namespaces: mkfs, write random files, checksum, unmount, drop
# caches, remount, verify, fsck. Runs on a 512-byte-LBA namespace, the
# 4096-byte-LBA namespace and the namespace behind the tiny-MDTS controller.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

targets=(one:1 three:2 tiny:1)
tap_plan $(( ${#targets[@]} * 7 + 1 ))

require_ctrls 60 one:1 three:3 tiny:1

mnt=/mnt/nvme-fs
mkdir -p "$mnt"

write_files() { # DIR: random files of assorted sizes + one larger file
	local dir=$1 i
	mkdir -p "$dir/sub"
	for i in $(seq 1 24); do
		head -c $(( (RANDOM % 256 + 1) * 1024 + RANDOM % 4096 )) /dev/urandom > "$dir/f$i"
	done
	for i in $(seq 1 8); do
		head -c $(( RANDOM % 8192 + 1 )) /dev/urandom > "$dir/sub/s$i"
	done
	head -c $(( 6 * 1024 * 1024 )) /dev/urandom > "$dir/big"
	(cd "$dir" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > /tmp/SHA256SUMS)
	cp /tmp/SHA256SUMS "$dir/SHA256SUMS"
}

for t in "${targets[@]}"; do
	dev=/dev/${NS[$t]}
	lbs=$(lba_size "$dev")
	tag="$t ($dev, ${lbs} B LBA)"
	check "$tag: mkfs.ext4" mkfs.ext4 -q -F -E nodiscard "$dev"
	if ! check "$tag: mount" mount -t ext4 "$dev" "$mnt"; then
		fail_rest "mount failed"
		break
	fi
	check "$tag: write random files (~12 MiB) and sync" bash -c "$(declare -f write_files); write_files $mnt && sync"
	check "$tag: checksums match before unmount" bash -c "cd $mnt && sha256sum --quiet -c SHA256SUMS"
	check "$tag: umount, drop caches, fsck clean" \
		bash -c "umount $mnt && echo 3 > /proc/sys/vm/drop_caches && e2fsck -fn $dev"
	check "$tag: remount" mount -t ext4 "$dev" "$mnt"
	check "$tag: checksums match after remount" \
		bash -c "cd $mnt && sha256sum --quiet -c SHA256SUMS && cmp SHA256SUMS /tmp/SHA256SUMS"
	umount "$mnt" 2>/dev/null
done

ktap_finish
