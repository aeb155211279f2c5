#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module load/unload cycles: 20 x (modprobe -r nvme; modprobe nvme), the
# namespaces come back each time and work; nvme_core cannot go while nvme
# uses it; finally both unload cleanly. Slab growth over the cycles is
# reported and must stay small.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

CYCLES=${CYCLES:-20}
tap_plan 12

topology=(one:1 three:3 tiny:1)
require_ctrls 60 "${topology[@]}"

check_fails "rmmod nvme_core fails while nvme uses it" rmmod nvme_core
check "nvme_core still loaded" test -d /sys/module/nvme_core

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
head -c 4096 /dev/urandom > /tmp/blk

# one cycle: unload, check gone, load, wait, write+read one block everywhere
cycle() {
	local i=$1 t dev
	modprobe -r nvme || { echo "cycle $i: modprobe -r nvme failed"; return 1; }
	[ ! -d /sys/module/nvme ] || { echo "cycle $i: /sys/module/nvme still there"; return 1; }
	ls /dev/nvme* >/dev/null 2>&1 && { echo "cycle $i: /dev/nvme* left behind: $(ls /dev/nvme*)"; return 1; }
	modprobe nvme || { echo "cycle $i: modprobe nvme failed"; return 1; }
	nvme_wait_ctrls 60 "${topology[@]}" || { echo "cycle $i: namespaces did not come back"; return 1; }
	for t in one:1 three:2 tiny:1; do
		dev=/dev/${NS[$t]}
		dd if=/tmp/blk of="$dev" bs=4096 seek="$i" oflag=direct status=none &&
			dd if="$dev" bs=4096 skip="$i" count=1 iflag=direct status=none | cmp -s - /tmp/blk ||
			{ echo "cycle $i: I/O on $dev failed"; return 1; }
	done
}

failed_at=""
t0=$(date +%s)
for i in $(seq 1 "$CYCLES"); do
	[ "$i" -ne 3 ] || slab_start=$(slab_kb)
	tc=$(date +%s.%N)
	if ! cycle "$i" > /tmp/cycle.out 2>&1; then
		failed_at="$i"
		break
	fi
	diag "cycle $i/$CYCLES ok ($(awk -v a="$tc" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s)"
done
slab_end=$(slab_kb)
if [ -z "$failed_at" ]; then
	ok "$CYCLES cycles of modprobe -r nvme / modprobe nvme; namespaces come back and do I/O ($(( $(date +%s) - t0 ))s)"
else
	not_ok "$CYCLES cycles of modprobe -r nvme / modprobe nvme; namespaces come back and do I/O" \
		"failed in cycle $failed_at" "$(cat /tmp/cycle.out)"
	nvme_diag
fi

grow=$(( ${slab_end:-0} - ${slab_start:-0} ))
diag "Slab: ${slab_start:-?} kB after cycle 2, ${slab_end:-?} kB after cycle $CYCLES (growth ${grow} kB)"
echo 3 > /proc/sys/vm/drop_caches
check "slab growth over $((CYCLES - 2)) cycles is below 16 MiB (${grow} kB)" test "$grow" -lt 16384

check "controllers are live after the cycles" \
	bash -c 'for c in "$@"; do [ "$(cat /sys/class/nvme/$c/state)" = live ] || exit 1; done' _ \
	"${CTRL[one]}" "${CTRL[three]}" "${CTRL[tiny]}"

check "modprobe -r nvme nvme_core" modprobe -r nvme nvme_core
check "/sys/module/nvme is gone" test ! -e /sys/module/nvme
check "/sys/module/nvme_core is gone" test ! -e /sys/module/nvme_core
check "no NVMe device nodes or sysfs classes left behind" \
	bash -c '! ls /dev/nvme* /dev/ng* >/dev/null 2>&1 && ! ls /sys/class/nvme/nvme* >/dev/null 2>&1'
if modprobe nvme && nvme_wait_ctrls 60 "${topology[@]}"; then
	ok "reload: modprobe nvme brings everything back"
else
	not_ok "reload: modprobe nvme brings everything back"
fi
check "data written in the last cycle survived the unload" \
	bash -c 'dd if=/dev/$1 bs=4096 skip=$2 count=1 iflag=direct status=none | cmp - /tmp/blk' _ "${NS[one:1]}" "$CYCLES"

ktap_finish
