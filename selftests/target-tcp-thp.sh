#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# THP-backed writes from Debian's in-kernel NVMe/TCP host into our target.
# With transparent huge pages "always", fio's 2 MiB aligned buffers are
# huge pages; Debian's host sends them as skb fragments in compound pages,
# which Debian 6.1's own target trips over (usercopy: Kernel memory
# exposure attempt) when it copies them out with recvmsg.  Ours copies with
# skb_copy_bits() and must stay up.  Only the writes run with THP on: the
# read-back verify runs with THP off, because Debian's host has the same
# problem receiving.
#
# VM: mem=2G smp=2 timeout=300 modules=nvmet,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

NQN1=nqn.2026-12.io.nvme-oot:tgt-thp
THP=/sys/kernel/mm/transparent_hugepage/enabled

tt_ctrl() {
	local c s
	for c in /sys/class/nvme/nvme*; do
		s=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		[ "$s" = "$1" ] && { echo "${c##*/}"; return 0; }
	done
	return 1
}

tt_dev() {
	local d n
	for d in /sys/class/nvme/"$1"/nvme*n*; do
		[ -e "$d" ] || continue
		n=${d##*/}
		[ -b "/dev/$n" ] || n=$(sed -E 's/^(nvme[0-9]+)c[0-9]+(n[0-9]+)$/\1\2/' <<< "$n")
		[ -b "/dev/$n" ] && { echo "$n"; return 0; }
	done
	return 1
}

tap_plan 4

echo never > $THP
kind=Debian
our_module_loaded nvmet_tcp && kind=ours
setup() {
	modprobe null_blk nr_devices=1 gb=1 memory_backed=1 || return 1
	modprobe nvmet && modprobe nvmet-tcp || return 1
	nvmet_subsys "$NQN1" && nvmet_ns "$NQN1" 1 /dev/nullb0 || return 1
	nvmet_port 1 tcp 127.0.0.1 4420 && nvmet_link 1 "$NQN1" || return 1
	modprobe nvme-tcp || return 1
	nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN1" -i 2 >/dev/null || return 1
	wait_until 10 tt_dev "$(tt_ctrl "$NQN1")"
}
if ! out=$(setup 2>&1); then
	not_ok "target ($kind) set up and connected" "$out" "$(dmesg | tail -n 20)"
	fail_rest "no target"
	ktap_finish
fi
dev=$(tt_dev "$(tt_ctrl "$NQN1")")
ok "target ($kind nvmet-tcp) set up, Debian's host connected: $dev"

job=(--name=thp --filename=/dev/"$dev" --ioengine=libaio --direct=1 --iodepth=16
     --rw=randwrite --bsrange=64k-1m --size=96M --verify=crc32c --randrepeat=0
     --iomem=malloc --iomem_align=2m --verify_fatal=1)
echo always > $THP
fio "${job[@]}" --do_verify=0 --output=/tmp/fio-thp-w.log &
fpid=$!
sleep 2
huge=$(awk '/AnonHugePages/ { print $2 }' /proc/meminfo)
wait $fpid
rc=$?
echo never > $THP
if [ $rc -eq 0 ] && fio_ok /tmp/fio-thp-w.log; then
	ok "96 MiB of 64k-1m writes from THP-backed buffers (THP always)"
else
	not_ok "writes from THP-backed buffers" "fio exit $rc" "$(tail -n 20 /tmp/fio-thp-w.log)"
fi
fio "${job[@]}" --verify_only --output=/tmp/fio-thp-v.log
rc=$?
if [ $rc -eq 0 ] && fio_ok /tmp/fio-thp-v.log; then
	ok "read back and verified (THP off)"
else
	not_ok "read back and verified" "fio exit $rc" "$(tail -n 20 /tmp/fio-thp-v.log)"
fi
diag "AnonHugePages during the write phase: ${huge:-?} kB"

nvme disconnect -n "$NQN1" >/dev/null 2>&1
modprobe -r nvme-tcp 2>/dev/null
nvmet_clear
modprobe -r nvmet-tcp nvmet 2>/dev/null
check "disconnect and unload" test ! -d /sys/module/nvmet_tcp -a ! -d /sys/module/nvmet

ktap_finish
