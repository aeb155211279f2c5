#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ANA on our target (nvmet + nvmet-tcp), seen by Debian's NVMe/TCP host:
# one subsystem on two ports, each port with its ANA group states in
# configfs (ports/<id>/ana_groups/<grpid>/ana_state, namespaces/<nsid>/
# ana_grpid).  Identify and the ANA log page report them, a change
# reaches the host through the ANA change notice, I/O follows the
# accessible path, a path in ANA change holds I/O until the group is
# usable again, a path left in ANA change past twice ANATT has its
# controller reset, and bad configfs values are refused.
# target-ana-ours.sh runs it with our host; NVME_VM_MODULES=debian runs
# it against Linux's own target, which proves the test.
#
# VM: mem=2G smp=2 timeout=400 modules=nvmet,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"
. "$(dirname "$0")/lib-tcphost.sh"

tap_plan 24

PORT2=$((TCP_PORT + 1))
SUBDIR=$NVMET_CFS/subsystems/$NQN1
modprobe nvme-tcp
if ! tcp_target_up || ! nvmet_port 2 tcp "$TCP_ADDR" "$PORT2" ||
   ! nvmet_link 2 "$NQN1"; then
	not_ok "target with two ports set up"
	fail_rest "no target"
	ktap_finish
fi
ok "target with two ports set up ($(tcp_target_kind) target, host $(our_module_loaded nvme_tcp && echo ours || echo Debian\'s))"

# json FIELD < nvme-cli JSON: one top-level number
json() {
	python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
# ana_groups CTRL: "grpid:state:nsid,nsid" per group of the ANA log page
ana_groups() {
	nvme ana-log "/dev/$1" -o json | python3 -c '
import json, sys
for g in json.load(sys.stdin)["ANA DESC LIST "]:
    ids = ",".join(str(n["nsid"]) for n in g.get("NSIDS", []))
    print("%s:%s:%s" % (g["grpid"], g["state"], ids))'
}
ana_groups_are() {	# CTRL EXPECTED
	[ "$(ana_groups "$1")" = "$2" ]
}
torn_down() {
	local left

	tcp_no_leftovers || return 1
	left=$(ls -A "$NVMET_CFS/ports" "$NVMET_CFS/subsystems" 2>&1 | grep -v '^/\|^$')
	[ -z "$left" ] || { echo "configfs left: $left"; return 1; }
}
# path_is PATH STATE: the host's view of a path's ANA state
path_is() {
	local s=
	read -r s < "/sys/block/$1/ana_state" 2>/dev/null
	[ "$s" = "$2" ]
}

if ! tcp_connect_both "$PORT2" -l 60; then
	not_ok "connect through both ports" "C1='$C1' C2='$C2'"
	fail_rest "not connected"
	ktap_finish
fi
ns1=$(ns_by_nsid "$C1" 1) ns2=$(ns_by_nsid "$C1" 2)
check_eq "connect through both ports: one head per namespace" \
	"$(ns_by_nsid "$C2" 1) $(ns_by_nsid "$C2" 2)" "$ns1 $ns2"

idc=$(nvme id-ctrl "/dev/$C1" -o json)
check_eq "id-ctrl: CMIC has ANA, ANACAP all five states, 128 groups" \
	"$(( $(json cmic <<< "$idc") & 8 )) $(json anacap <<< "$idc") $(json anagrpmax <<< "$idc") $(json nanagrpid <<< "$idc")" \
	"8 31 128 128"
check_eq "id-ctrl: ANA change notices (OAES bit 11), ANATT set" \
	"$(( $(json oaes <<< "$idc") >> 11 & 1 ))$( [ "$(json anatt <<< "$idc")" -gt 0 ] && echo +)" "1+"
check_eq "id-ns: ANA group 1" "$(nvme id-ns "/dev/$C1" -n 2 -o json | json anagrpid)" 1
check_eq "ANA log: group 1 optimized with both namespaces" "$(ana_groups "$C1")" "1:optimized:1,2"

S=$(subsys_of "$C1")
S=${S#nvme-subsys}
p1n1=nvme${S}c${C1#nvme}n${ns1##*n} p2n1=nvme${S}c${C2#nvme}n${ns1##*n}
p1n2=nvme${S}c${C1#nvme}n${ns2##*n} p2n2=nvme${S}c${C2#nvme}n${ns2##*n}
check "host paths show group 1 optimized" \
	bash -c "grep -qx 1 /sys/block/$p1n1/ana_grpid && grep -qx optimized /sys/block/$p1n1/ana_state"

# namespace 2 placed in group 2 before any port has it (allowed, as on
# Linux's target), then group 2 made on port 2 only: it starts
# inaccessible until its state is written
_nvmet_w 2 "$SUBDIR/namespaces/2/ana_grpid"
mkdir "$NVMET_CFS/ports/2/ana_groups/2"
check_eq "a new ANA group starts inaccessible" \
	"$(cat "$NVMET_CFS/ports/2/ana_groups/2/ana_state")" inaccessible
_nvmet_w optimized "$NVMET_CFS/ports/2/ana_groups/2/ana_state"
check "namespace 2 in group 2 (port 2 only): the host sees it after the notice" \
	wait_until 10 bash -c "grep -qx 2 /sys/block/$p2n2/ana_grpid && grep -qx inaccessible /sys/block/$p1n2/ana_state && grep -qx optimized /sys/block/$p2n2/ana_state"
check_eq "ANA log through port 1: group 2 inaccessible" "$(ana_groups "$C1")" \
	"1:optimized:1
2:inaccessible:2"
check_eq "id-ns through the inaccessible port: NUSE 0, NSZE kept" \
	"$(nvme id-ns "/dev/$C1" -n 2 -o json | json nuse):$(nvme id-ns "/dev/$C1" -n 2 -o json | json nsze)" \
	"0:$(nvme id-ns "/dev/$C2" -n 2 -o json | json nuse)"
ra=$(disk_ios "$p1n2") rb=$(disk_ios "$p2n2")
dd if="/dev/$ns2" of=/dev/null bs=4k count=40 iflag=direct status=none
ra=$(( $(disk_ios "$p1n2") - ra )) rb=$(( $(disk_ios "$p2n2") - rb ))
check "I/O to namespace 2 goes through port 2 only ($ra, $rb)" test "$ra" -eq 0 -a "$rb" -ge 40

G1=$NVMET_CFS/ports/1/ana_groups/1
check_fails "ana_state 'bogus' is refused" _nvmet_w bogus "$G1/ana_state"
check "ana_grpid 0 and 129 are refused" \
	bash -c "! echo 0 > $SUBDIR/namespaces/1/ana_grpid && ! echo 129 > $SUBDIR/namespaces/1/ana_grpid && grep -qx 1 $SUBDIR/namespaces/1/ana_grpid"
check "ana_groups/0, /129 and /x cannot be made" \
	bash -c "! mkdir $NVMET_CFS/ports/1/ana_groups/0 && ! mkdir $NVMET_CFS/ports/1/ana_groups/129 && ! mkdir $NVMET_CFS/ports/1/ana_groups/x"

# port 1's group 1 inaccessible, then optimized, under verified fio
fio_verify_start ana "/dev/$ns1" 48M 10
sleep 2
_nvmet_w inaccessible "$G1/ana_state"
check "port 1 inaccessible: the host's path follows" wait_until 10 path_is "$p1n1" inaccessible
ra=$(disk_ios "$p1n1")
sleep 2
check_eq "no I/O on the inaccessible path" "$(( $(disk_ios "$p1n1") - ra ))" 0
_nvmet_w optimized "$G1/ana_state"
fio_verify_end "fio across the state changes: no error, data verified"

# both paths in ANA change: I/O waits, then completes
_nvmet_w change "$G1/ana_state"
_nvmet_w change "$NVMET_CFS/ports/2/ana_groups/1/ana_state"
wait_until 10 path_is "$p2n1" change
dd if="/dev/$ns1" of=/dev/null bs=4k count=4 iflag=direct status=none &
dd_pid=$!
sleep 2
check "a read waits while every path is in ANA change" kill -0 "$dd_pid"
_nvmet_w optimized "$G1/ana_state"
_nvmet_w optimized "$NVMET_CFS/ports/2/ana_groups/1/ana_state"
wait_pid "$dd_pid" 15 && wait "$dd_pid"
result $? "and completes once a group is optimized again"

# a path left in ANA change past twice ANATT (10 s): the host resets that
# controller (Linux's host does too), which comes back live
_nvmet_w change "$G1/ana_state"
check "a path in ANA change past 2 x ANATT gets its controller reset" \
	wait_until 40 bash -c "dmesg | grep -qE 'ANATT.*resetting'"
_nvmet_w optimized "$G1/ana_state"
check "which comes back live with the path optimized" \
	wait_until 20 bash -c "grep -qx live /sys/class/nvme/$C1/state && grep -qx optimized /sys/block/$p1n1/ana_state"

_nvmet_w 1 "$SUBDIR/namespaces/2/ana_grpid"
rmdir "$NVMET_CFS/ports/2/ana_groups/2"
wait_until 10 ana_groups_are "$C2" "1:optimized:1,2"
check_eq "group 2 removed: the log shows group 1 only again" \
	"$(ana_groups "$C2")" "1:optimized:1,2"

nvme disconnect -n "$NQN1" > /dev/null 2>&1
modprobe -r nvme-tcp nvme-fabrics
tcp_target_down
check "torn down: no controller, connection or configfs entry left" torn_down

ktap_finish
