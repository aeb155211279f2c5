#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/demo.sh: what "make demo" runs (after deps + modules). Boots a VM in
# which our nvme-core + nvme modules (or Debian's, with NVME_VM_MODULES=debian)
# drive one QEMU NVMe disk, and shows nvme list, id-ctrl, an ext4 file system
# on it and a short fio run.
#
#   tools/demo.sh            host side: start the VM
#   tools/demo.sh --guest    inside the VM (started by the host side)

set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

banner() {
	echo
	echo "=================================================================="
	echo "== $*"
	echo "=================================================================="
}

guest() {
	local c dev i
	banner "kernel $(uname -r); NVMe modules in use"
	for m in nvme_core nvme; do
		printf '%-10s %s\n' "$m" "$(modinfo -n "$m" 2>/dev/null)"
	done
	for i in $(seq 300); do
		c=$(ls /sys/class/nvme-generic 2>/dev/null | head -n 1)
		[ -n "$c" ] && [ -b "/dev/nvme${c#ng}" ] && break
		sleep 0.1
	done
	dev=/dev/nvme${c#ng}
	ctrl=${dev%n*}
	[ -b "$dev" ] || { echo "no NVMe namespace appeared"; dmesg | tail -n 30; return 1; }

	banner "nvme list"
	nvme list
	banner "nvme id-ctrl $ctrl | head -40"
	nvme id-ctrl "$ctrl" | head -n 40
	banner "mkfs.ext4 $dev, mount, write and read a file, df"
	mkfs.ext4 -q -F "$dev" && mkdir -p /mnt/demo && mount "$dev" /mnt/demo || return 1
	head -c 16M /dev/urandom > /tmp/demo.bin
	cp /tmp/demo.bin /mnt/demo/demo.bin && sync
	echo "wrote /mnt/demo/demo.bin: $(sha256sum < /mnt/demo/demo.bin | cut -c1-16)..."
	umount /mnt/demo && echo 3 > /proc/sys/vm/drop_caches && mount "$dev" /mnt/demo
	echo "read  /mnt/demo/demo.bin: $(sha256sum < /mnt/demo/demo.bin | cut -c1-16)... (after remount)"
	cmp /tmp/demo.bin /mnt/demo/demo.bin && echo "contents match"
	df -h /mnt/demo
	umount /mnt/demo
	banner "fio: 10 s random read/write, 4k, iodepth 16, direct I/O on $dev"
	fio --name=demo --filename="$dev" --ioengine=libaio --direct=1 --rw=randrw \
		--bs=4k --iodepth=16 --size=128M --time_based=1 --runtime=10 --group_reporting
	banner "controller state: $(cat /sys/class/nvme/"${ctrl#/dev/}"/state)"
}

if [ "${1:-}" = --guest ]; then
	guest
	exit $?
fi

modules=nvme-core,nvme
if [ "${NVME_VM_MODULES:-}" = debian ]; then
	modules=debian:nvme-core,nvme
	echo "demo: NVME_VM_MODULES=debian: using Debian's own nvme driver"
fi
exec "$repo/tools/vm/run" --name demo --mem 2G --smp 2 --timeout 600 \
	--modules "$modules" --nvme "serial=demo ns=1G" -- bash "$repo/tools/demo.sh" --guest
