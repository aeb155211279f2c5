#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Discard (Dataset Management / Deallocate) and write-zeroes through the block
# layer: blkdiscard and blkdiscard -z on ranges; zeroed ranges read back as
# zeroes and data outside the ranges is untouched.  The NVM command set's
# limits (Identify CNS 06h) are honoured: QEMU skips, without an error, a
# Deallocate range longer than its DMRSL (2 GiB of 512-byte blocks), so a
# discard of a whole 5 GiB namespace only zeroes its end when the driver
# splits it.  Also the queue limits Linux sets from Identify (optimal I/O
# size from NOWS, dword DMA alignment) and O_DIRECT from such buffers.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M
# VM: nvme serial=big ns=5G

. "$(dirname "$0")/lib.sh"

targets=(one:1 three:2 tiny:1)
tap_plan $(( ${#targets[@]} * 9 + 1 + 8 ))

require_ctrls 60 one:1 three:3 tiny:1 big:1

M=$((1024 * 1024))
# hashes of the 1 MiB chunks 0..7
chunk_hashes() {
	local dev=$1 i
	for i in 0 1 2 3 4 5 6 7; do
		printf '%s ' "$(sha256_range "$dev" $((i * M)) $M)"
	done
}
# same_except DEV "REFHASHES" CHUNKS...: chunks not listed are unchanged
same_except() {
	local dev=$1 i
	local -a ref now
	read -r -a ref <<< "$2"
	shift 2
	read -r -a now <<< "$(chunk_hashes "$dev")"
	for i in 0 1 2 3 4 5 6 7; do
		[[ " $* " == *" $i "* ]] && continue
		[ "${ref[$i]}" = "${now[$i]}" ] || { echo "chunk $i changed"; return 1; }
	done
}

for t in "${targets[@]}"; do
	dev=/dev/${NS[$t]}
	tag="$t ($dev, $(lba_size "$dev") B LBA)"
	q=/sys/block/${NS[$t]}/queue
	check "$tag: discard is advertised (discard_max_bytes > 0)" test "$(cat $q/discard_max_bytes)" -gt 0

	head -c $((8 * M)) /dev/urandom > /tmp/pattern
	check "$tag: write an 8 MiB random pattern" \
		dd if=/tmp/pattern of="$dev" bs=1M oflag=direct status=none
	ref=$(chunk_hashes "$dev")
	check "$tag: pattern reads back" \
		bash -c "dd if=$dev bs=1M count=8 iflag=direct status=none | cmp - /tmp/pattern"

	check "$tag: blkdiscard 2 MiB at 1 MiB" blkdiscard -o $((1 * M)) -l $((2 * M)) "$dev"
	check "$tag: data outside the discarded range is untouched" same_except "$dev" "$ref" 1 2

	check "$tag: blkdiscard -z 1 MiB at 4 MiB" blkdiscard -z -o $((4 * M)) -l $M "$dev"
	check "$tag: the zeroed range reads back as zeroes" is_zero "$dev" $((4 * M)) $M
	check "$tag: data outside the zeroed ranges is untouched" same_except "$dev" "$ref" 1 2 4

	# unaligned small zeroing inside a chunk: 8 KiB at 6 MiB + 12 KiB
	check "$tag: blkdiscard -z of 8 KiB at 6 MiB + 12 KiB zeroes exactly that" \
		bash -c "blkdiscard -z -o $((6 * M + 12288)) -l 8192 $dev &&
			cmp -s -n 8192 <(dd if=$dev bs=4096 skip=$(((6 * M + 12288) / 4096)) count=2 iflag=direct status=none) /dev/zero &&
			dd if=$dev bs=4096 skip=$((6 * M / 4096)) count=3 iflag=direct status=none | cmp - <(dd if=/tmp/pattern bs=4096 skip=$((6 * M / 4096)) count=3 status=none) &&
			dd if=$dev bs=4096 skip=$(((6 * M + 20480) / 4096)) count=10 iflag=direct status=none | cmp - <(dd if=/tmp/pattern bs=4096 skip=$(((6 * M + 20480) / 4096)) count=10 status=none)"
done

# ---- limits from Identify -----------------------------------------------------
q=/sys/block/${NS[one:1]}/queue
check_eq "DMRSL bounds a discard request (4194303 blocks of 512 B)" 2147483136 \
	"$(cat $q/discard_max_hw_bytes)"
check_eq "optimal_io_size is NOWS+1 blocks" 512 "$(cat $q/optimal_io_size)"
check_eq "dma_alignment is a dword" 3 "$(cat $q/dma_alignment)"
check "O_DIRECT from buffers 4 and 8 bytes into a page (${NS[one:1]})" \
	"$DIO_UNALIGNED" "/dev/${NS[one:1]}"
check "O_DIRECT from such buffers on a 4096 B LBA namespace (${NS[three:2]})" \
	"$DIO_UNALIGNED" "/dev/${NS[three:2]}" 1048576 12288

dev=/dev/${NS[big:1]}
G=$((1024 * M))
head -c $M /dev/urandom > /tmp/pattern
# (the block layer cuts a discard bio at 4 GiB: the first one is the long one)
check "big: 1 MiB pattern at 1.5 GiB and at 4.5 GiB of $dev" \
	bash -c "for at in $((3 * G / 2 / M)) $((9 * G / 2 / M)); do
		dd if=/tmp/pattern of=$dev bs=1M seek=\$at oflag=direct status=none &&
		dd if=$dev bs=1M skip=\$at count=1 iflag=direct status=none | cmp - /tmp/pattern || exit 1; done"
check "big: blkdiscard of the whole 5 GiB namespace" blkdiscard "$dev"
check "big: both patterns read back as zeroes" \
	bash -c "$(declare -f is_zero); is_zero $dev $((3 * G / 2)) $M && is_zero $dev $((9 * G / 2)) $M"

ktap_finish
