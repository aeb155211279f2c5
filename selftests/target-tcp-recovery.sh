#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our NVMe/TCP target with Debian's in-kernel host, while connected:
# a namespace enabled and disabled on the target appears and disappears
# within 5 s; the port unlinked for 6 s during fio and relinked makes the
# host reconnect and fio finish without an error; an idle connection with
# a 5 s keep-alive stays live for 20 s; disconnect, configfs teardown and
# modprobe -r leave nothing behind.  THP is off (Debian's host, see
# target-tcp.sh); NVME_VM_MODULES=debian runs it against Debian's target.
#
# VM: mem=2G smp=2 timeout=300 modules=nvmet,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

NQN1=nqn.2026-12.io.nvme-oot:tgt-rec
FILE=/dev/shm/tgt-rec2.img	# tmpfs, see target-tcp.sh
FILE3=/dev/shm/tgt-rec3.img

tt_ctrl() {
	local c s
	for c in /sys/class/nvme/nvme*; do
		s=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		[ "$s" = "$1" ] && { echo "${c##*/}"; return 0; }
	done
	return 1
}

# block devices of CTRL's namespaces (multipath heads: nvmeScCnN -> nvmeSnN)
tt_devs() {
	local d n
	for d in /sys/class/nvme/"$1"/nvme*n*; do
		[ -e "$d" ] || continue
		n=${d##*/}
		[ -b "/dev/$n" ] || n=$(sed -E 's/^(nvme[0-9]+)c[0-9]+(n[0-9]+)$/\1\2/' <<< "$n")
		[ -b "/dev/$n" ] && echo "$n"
	done
}

# tt_gone NQN: no controller connected to NQN
tt_gone() {
	! tt_ctrl "$1" >/dev/null
}

# tt_has_ns CTRL N: CTRL shows exactly N namespaces (polled by wait_until)
tt_has_ns() {
	[ "$(tt_ns_count "$1")" = "$2" ]
}

tt_ns_count() {
	tt_devs "$1" | wc -l
}

tap_plan 9

echo never > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
kind=Debian
our_module_loaded nvmet_tcp && kind=ours
setup() {
	modprobe null_blk nr_devices=1 gb=1 memory_backed=1 || return 1
	modprobe nvmet && modprobe nvmet-tcp || return 1
	truncate -s 128M "$FILE" "$FILE3" || return 1
	nvmet_subsys "$NQN1" || return 1
	nvmet_ns "$NQN1" 1 /dev/nullb0 || return 1
	nvmet_ns "$NQN1" 2 "$FILE" 1 || return 1
	nvmet_port 1 tcp 127.0.0.1 4420 && nvmet_link 1 "$NQN1" || return 1
	modprobe nvme-tcp
}
if ! out=$(setup 2>&1); then
	not_ok "target ($kind nvmet-tcp) set up" "$out"
	fail_rest "no target"
	ktap_finish
fi

# reconnect every second, keep-alive 5 s
nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN1" -i 2 -k 5 -c 1 >/dev/null 2>&1
wait_until 10 tt_ctrl "$NQN1"
ctrl=$(tt_ctrl "$NQN1")
if [ -n "$ctrl" ] && wait_until 10 tt_has_ns "$ctrl" 2; then
	ok "target ($kind nvmet-tcp): connected $ctrl with 2 I/O queues, kato 5 s, 2 namespaces"
else
	not_ok "connect" "$(dmesg | tail -n 20)"
	fail_rest "not connected"
	ktap_finish
fi

nvmet_ns "$NQN1" 3 "$FILE3" 1
if wait_until 5 tt_has_ns "$ctrl" 3; then
	ok "namespace enabled on the target appears within 5 s"
else
	not_ok "namespace enabled on the target appears within 5 s" "$(tt_devs "$ctrl")"
fi
nvmet_ns_enable "$NQN1" 3 0
if wait_until 5 tt_has_ns "$ctrl" 2; then
	ok "namespace disabled on the target disappears within 5 s"
else
	not_ok "namespace disabled on the target disappears within 5 s" "$(tt_devs "$ctrl")"
fi

# fio across a 6 s port outage
dev=$(tt_devs "$ctrl" | head -n 1)
log=/tmp/fio-outage.log
fio --name=outage --filename=/dev/"$dev" --ioengine=libaio --direct=1 \
	--iodepth=16 --rw=randwrite --bsrange=4k-64k --size=32M \
	--verify=crc32c --verify_fatal=1 --verify_backlog=64 \
	--time_based --runtime=16 --randrepeat=0 --output="$log" &
fpid=$!
sleep 4
nvmet_unlink 1 "$NQN1"
t0=$(date +%s)
if wait_until 6 eval "! ctrl_live $ctrl"; then
	ok "port unlinked: host sees the connection go ($(ctrl_state "$ctrl"))"
else
	not_ok "port unlinked: host sees the connection go" "state $(ctrl_state "$ctrl")"
fi
sleep $(( 6 - ($(date +%s) - t0) )) 2>/dev/null
nvmet_link 1 "$NQN1"
if wait_until 15 ctrl_live "$ctrl"; then
	ok "port relinked after 6 s: host reconnected"
else
	not_ok "port relinked after 6 s: host reconnected" "state $(ctrl_state "$ctrl")" "$(dmesg | tail -n 20)"
fi
wait $fpid
rc=$?
if [ $rc -eq 0 ] && fio_ok "$log"; then
	ok "fio across the outage ends without an error"
else
	not_ok "fio across the outage ends without an error" "fio exit $rc" \
		"$(tail -n 30 "$log")"
fi

# idle with keep-alive
sleep 20
if ctrl_live "$ctrl" && dd if=/dev/"$dev" of=/dev/null bs=4k count=16 iflag=direct status=none; then
	ok "idle 20 s with kato 5 s: still live and reading"
else
	not_ok "idle 20 s with kato 5 s: still live" "state $(ctrl_state "$ctrl")" "$(dmesg | tail -n 10)"
fi

check "nvme disconnect" nvme disconnect -n "$NQN1"
wait_until 10 tt_gone "$NQN1"
modprobe -r nvme-tcp 2>/dev/null
nvmet_clear
modprobe -r nvmet-tcp nvmet 2>/dev/null
left=$(ss -Htan '( sport = :4420 or dport = :4420 )' 2>/dev/null | grep -v TIME-WAIT)
check "configfs teardown and modprobe -r leave nothing (modules, sockets)" \
	test ! -d /sys/module/nvmet_tcp -a ! -d /sys/module/nvmet -a -z "$left"
rm -f "$FILE" "$FILE3"

ktap_finish
