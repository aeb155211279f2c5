#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PCIe driver module parameters Linux 6.1's nvme has: write_queues (a read
# queue set), use_threaded_interrupts, noacpi, use_cmb_sqes (submission
# queues in QEMU's Controller Memory Buffer), max_host_mem_size_mb (QEMU has
# no HMB: only the parameter and the hidden attribute are checked here, the
# arithmetic is in tests/unit/hmb_test.cpp).  Every reload must leave no
# warning or error in dmesg.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=plain ns=64M
# VM: nvme serial=cmb cmb_size_mb=64 ns=64M

. "$(dirname "$0")/lib.sh"

tap_plan 36

topology=(plain:1 cmb:1)
require_ctrls 60 "${topology[@]}"

# ---- the parameters themselves ----------------------------------------------
params="write_queues use_threaded_interrupts noacpi use_cmb_sqes max_host_mem_size_mb"
missing=""
for p in $params; do
	modinfo -F parm nvme | grep -q "^$p:" || missing="$missing $p"
done
check_eq "modinfo nvme lists the five parameters" "" "$missing"

got=""
for p in $params; do
	got="$got $p=$(cat /sys/module/nvme/parameters/$p 2>&1)"
done
check_eq "/sys/module/nvme/parameters has Linux's defaults" \
	" write_queues=0 use_threaded_interrupts=0 noacpi=N use_cmb_sqes=Y max_host_mem_size_mb=128" "$got"
check_eq "use_threaded_interrupts, noacpi, use_cmb_sqes are read-only (0444)" "444 444 444" \
	"$(cd /sys/module/nvme/parameters && stat -c %a use_threaded_interrupts noacpi use_cmb_sqes | tr '\n' ' ' | sed 's/ $//')"
check_eq "write_queues and max_host_mem_size_mb permissions as Linux's" "644 444" \
	"$(stat -c %a /sys/module/nvme/parameters/write_queues) $(stat -c %a /sys/module/nvme/parameters/max_host_mem_size_mb)"

# ---- helpers ------------------------------------------------------------------
# dmesg lines at warning level or worse, counted so a reload can be checked
kmsg_bad() { dmesg -l emerg,alert,crit,err,warn; }

# reload ARGS...: modprobe -r nvme, modprobe nvme ARGS, wait for the
# controllers (run in this shell: it sets CTRL, NS and the dmesg marks)
reload() {
	KMSG_FROM=$(dmesg | wc -l)
	BAD_FROM=$(kmsg_bad | wc -l)
	modprobe -r nvme || return 1
	modprobe nvme "$@" || return 1
	nvme_wait_ctrls 60 "${topology[@]}"
}

# reload_check ARGS...: one result for the reload, one for a clean dmesg
reload_check() {
	local new rc
	reload "$@" > /tmp/reload.out 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "reload with '$*': controllers come back"
	else
		not_ok "reload with '$*': controllers come back" "$(tail -n 30 /tmp/reload.out)"
	fi
	new=$(kmsg_bad | tail -n +$((BAD_FROM + 1)))
	check_eq "reload with '$*': no warning or error in dmesg" "" "$new"
}

new_kmsg() { dmesg | tail -n +$((KMSG_FROM + 1)); }

# fio_rw DESC DEV: verified random read/write mix, 4k-64k, QD16
fio_rw() {
	local log=/tmp/fio-params-$RANDOM.log
	fio --name=params --filename="/dev/$2" --ioengine=libaio --direct=1 \
		--rw=randrw --bsrange=4k-64k --iodepth=16 --size=32M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
		--output="$log" > /dev/null 2>&1
	fio_result "$1" $? "$log"
}

nr_hctx() { find "/sys/block/$1/mq" -mindepth 1 -maxdepth 1 -type d | wc -l; }

# hctx types from debugfs, when it is there: "default read" etc.
hctx_types() {
	local d=/sys/kernel/debug/block/$1
	[ -d "$d" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	cat "$d"/hctx*/type 2>/dev/null | sort -u | tr '\n' ' '
}

# ---- write_queues=1 -----------------------------------------------------------
reload_check write_queues=1
P=${CTRL[plain]}
# as on Linux: one queue per CPU for reads plus write_queues for the rest
check "dmesg: $P 1/2/0 default/read/poll queues" \
	grep -q "$P: 1/2/0 default/read/poll queues" <(new_kmsg)
check_eq "/sys/block/${NS[plain:1]}/mq has 3 hardware queues" 3 "$(nr_hctx "${NS[plain:1]}")"
types=$(hctx_types "${NS[plain:1]}")
if [ -n "$types" ]; then
	check_eq "hctx types are default and read" "default read " "$types"
else
	skip "hctx types are default and read" "no debugfs"
fi
check_eq "write_queues reads back 1" 1 "$(cat /sys/module/nvme/parameters/write_queues)"
fio_rw "fio randrw verify with write_queues=1" "${NS[plain:1]}"

reload_check write_queues=2
check "dmesg: write_queues=2 on 2 CPUs gives 2/2/0 default/read/poll queues" \
	grep -q "${CTRL[plain]}: 2/2/0 default/read/poll queues" <(new_kmsg)

# ---- use_threaded_interrupts=1 ----------------------------------------------------
reload_check use_threaded_interrupts=1
P=${CTRL[plain]}
check_eq "use_threaded_interrupts reads back 1" 1 "$(cat /sys/module/nvme/parameters/use_threaded_interrupts)"
check "/proc/interrupts lists ${P}q1" grep -q "${P}q1\$" /proc/interrupts
check "irq threads run: irq/NN-${P}q1" \
	bash -c "ps -eo comm | grep -Eq '^irq/[0-9]+-${P}q1\$'"
fio_rw "fio randrw verify with threaded interrupts" "${NS[plain:1]}"

# ---- CMB (default use_cmb_sqes=Y) and HMB ------------------------------------
reload_check
C=${CTRL[cmb]} P=${CTRL[plain]}
check "$C has cmbloc and cmbsz" test -r /sys/class/nvme/$C/cmbloc -a -r /sys/class/nvme/$C/cmbsz
diag "cmbloc=$(cat /sys/class/nvme/$C/cmbloc) cmbsz=$(cat /sys/class/nvme/$C/cmbsz)"
check "cmbsz says SQS (bit 0) and SZ 64" \
	test $(( $(cat /sys/class/nvme/$C/cmbsz) & 0xfffff001 )) -eq $(( (64 << 12) | 1 ))
check "$P (no CMB) has no cmbloc" test ! -e /sys/class/nvme/$P/cmbloc
check "no hmb attribute (QEMU's HMPRE is 0)" test ! -e /sys/class/nvme/$C/hmb
check "dmesg: the CMB holds the submission queues" \
	grep -q "CMB of 65536 KiB for submission queues" <(new_kmsg)
fio_rw "fio randrw verify with use_cmb_sqes=1" "${NS[cmb:1]}"

reload_check use_cmb_sqes=0
C=${CTRL[cmb]}
check "use_cmb_sqes=0: cmbloc still shown" test -r /sys/class/nvme/$C/cmbloc
check "use_cmb_sqes=0: the CMB is not mapped" \
	bash -c "! dmesg | tail -n +$((KMSG_FROM + 1)) | grep -q 'CMB of'"
fio_rw "fio randrw verify with use_cmb_sqes=0" "${NS[cmb:1]}"

# back to the defaults for whatever runs next
reload_check

ktap_finish
