#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# I/O command sets.  QEMU's controller offers them (CAP.CSS bit 6), so the
# driver enables all of them (CC.CSS 110b, as Linux's driver does) and
# reads each namespace's command set from its identification descriptors.
# A namespace of a set the driver does not drive (here a zoned one, CSI 2)
# is skipped with one log line; the NVM namespaces beside it work.
#
# VM: mem=2G smp=2 timeout=600 modules=nvme-core,nvme
# VM: nvme serial=css ns=64M
# VM: qemu -drive file=@DISK:256M@,if=none,id=zns1,format=raw
# VM: qemu -device nvme-ns,drive=zns1,bus=ctrl0,nsid=2,zoned=true
# VM: qemu -drive file=@DISK:32M@,if=none,id=nvm3,format=raw
# VM: qemu -device nvme-ns,drive=nvm3,bus=ctrl0,nsid=3
# VM: append iomem=relaxed

. "$(dirname "$0")/lib.sh"

tap_plan 8

if debian_mode; then
	skip_rest "Linux's driver supports zoned namespaces; this checks ours skips them"
	ktap_finish
fi

fio_verify() {	# DEV LOG
	fio --name=v --filename="$1" --direct=1 --rw=randwrite --bsrange=4k-64k \
		--iodepth=16 --size=16M --verify=crc32c --verify_fatal=1 \
		--output="$2" >/dev/null 2>&1 && fio_ok "$2"
}
nsids() {	# the nsids of CTRL's block devices, in order
	local d
	for d in /sys/class/nvme/"$1"/nvme*n*; do
		cat "$d/nsid" 2>/dev/null
	done | sort -n | tr '\n' ' ' | sed 's/ $//'
}
skipped() {	# how often the log named nsid 2 as skipped
	dmesg | grep -c 'nsid 2: I/O command set 2 not supported'
}

# nsid 2 never comes up: require_ctrls (nsids 1..N) does not fit
wait_until 60 bash -c '[ "$(cat /sys/class/nvme/nvme0/state)" = live ]'
c=$(ctrl_by_serial css)
if [ -z "$c" ]; then
	not_ok "the controller comes up"
	fail_rest "no controller"
	ktap_finish
fi
ok "the controller comes up"

cc=$(nvme show-regs "/dev/$c" 2>/dev/null | sed -n 's/^cc *: *//p')
check_eq "CC selects all supported I/O command sets (CSS 110b)" 6 \
	"$(( (0x${cc:-0} >> 4) & 7 ))"
wait_until 10 test "$(nsids "$c")" = "1 3"
check_eq "namespaces 1 and 3 (NVM) are there, 2 (zoned) is not" "1 3" \
	"$(nsids "$c")"
check_eq "the kernel log names the skipped namespace and its command set" \
	1 "$(skipped)"
check "nvme list-ns still reports nsid 2 as active" \
	bash -c "nvme list-ns /dev/$c | grep -Eq ':0x2\$'"
check "fio verify on namespace 1" fio_verify "/dev/$(ns_by_nsid "$c" 1)" /tmp/n1.log
check "fio verify on namespace 3" fio_verify "/dev/$(ns_by_nsid "$c" 3)" /tmp/n3.log
nvme ns-rescan "/dev/$c" >/dev/null 2>&1
wait_until 10 test "$(skipped)" -ge 2
check_eq "a rescan skips it again and keeps the others" "1 3 2" \
	"$(nsids "$c") $(skipped)"
ktap_finish
