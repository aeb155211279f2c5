#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe/TCP host, native multipath: one subsystem reached through two
# ports is one subsystem with two controllers, and each namespace one
# block device.  With one port unlinked under verified fio, I/O moves to
# the other path at once (a read completes while the first controller is
# still reconnecting), and nothing fails; round-robin spreads reads over
# both paths; the head stays while one path is left and goes with it.
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"
. "$(dirname "$0")/lib-tcphost.sh"

tap_plan 17

PORT2=$((TCP_PORT + 1))
if ! tcp_target_up || ! nvmet_port 2 tcp "$TCP_ADDR" "$PORT2" ||
   ! nvmet_link 2 "$NQN1"; then
	not_ok "target with two ports set up"
	fail_rest "no target"
	ktap_finish
fi
ok "target with two ports set up ($(tcp_target_kind))"

if ! tcp_connect_both "$PORT2" -c 1 -l 60; then
	not_ok "connect through both ports" "C1='$C1' C2='$C2'"
	fail_rest "not connected"
	ktap_finish
fi
ok "connect through both ports: $C1, $C2"
SUB=$(subsys_of "$C1")
check "one subsystem holds both controllers ($SUB)" \
	test -n "$SUB" -a -e "/sys/class/nvme-subsystem/$SUB/$C1" -a -e "/sys/class/nvme-subsystem/$SUB/$C2"
ns1=$(ns_by_nsid "$C1" 1)
check_eq "both controllers reach namespace 1 through one head" \
	"$(ns_by_nsid "$C2" 1)" "$ns1"
check_eq "nvme list shows each namespace once" \
	"$(nvme list -o json | grep -c '"DevicePath"')" 2

fio_verify_start mp "/dev/$ns1" 64M 14
sleep 3
nvmet_unlink 1 "$NQN1"
wait_until 10 bash -c "[ \"\$(cat /sys/class/nvme/$C1/state)\" != live ]"
check_eq "the path through the unlinked port leaves live" "$(ctrl_state "$C1")" connecting
check "a read completes through the other path meanwhile" \
	timeout 5 dd if="/dev/$ns1" of=/dev/null bs=4k count=8 iflag=direct status=none
sleep 4
nvmet_link 1 "$NQN1"
check "the first path reconnects" wait_until 20 ctrl_live "$C1"
fio_verify_end "fio across the outage of one path: no error, data verified"

echo round-robin > "/sys/class/nvme-subsystem/$SUB/iopolicy"
S=${SUB#nvme-subsys} N=${ns1##*n}
pa=nvme${S}c${C1#nvme}n$N pb=nvme${S}c${C2#nvme}n$N
ra=$(disk_ios "$pa" reads) rb=$(disk_ios "$pb" reads)
dd if="/dev/$ns1" of=/dev/null bs=4k count=100 iflag=direct status=none
ra=$(( $(disk_ios "$pa" reads) - ra )) rb=$(( $(disk_ios "$pb" reads) - rb ))
check "round-robin reads use both paths ($ra, $rb)" test "$ra" -ge 25 -a "$rb" -ge 25

# ANA: an inaccessible port's path
# is left alone until the target says it is optimized again
echo numa > "/sys/class/nvme-subsystem/$SUB/iopolicy"
ANA=$NVMET_CFS/ports/1/ana_groups/1/ana_state
if [ -e "$ANA" ] && [ -e "/sys/block/$pa/ana_state" ]; then
	check_eq "path through port 1 is ANA optimized" "$(cat "/sys/block/$pa/ana_state")" optimized
	echo inaccessible > "$ANA"
	check "after an ANA change event it is inaccessible" \
		wait_until 10 grep -qx inaccessible "/sys/block/$pa/ana_state"
	ra=$(disk_ios "$pa" reads) rb=$(disk_ios "$pb" reads)
	dd if="/dev/$ns1" of=/dev/null bs=4k count=50 iflag=direct status=none
	ra=$(( $(disk_ios "$pa" reads) - ra )) rb=$(( $(disk_ios "$pb" reads) - rb ))
	check "reads avoid the inaccessible path ($ra, $rb)" test "$ra" -eq 0 -a "$rb" -ge 50
	echo optimized > "$ANA"
	check "and it comes back optimized" \
		wait_until 10 grep -qx optimized "/sys/block/$pa/ana_state"
else
	for i in 1 2 3 4; do skip "ANA check $i" "the target has no ANA groups"; done
fi

nvme disconnect -d "$C2" > /dev/null 2>&1
check "the head stays with one path left" \
	timeout 5 dd if="/dev/$ns1" of=/dev/null bs=4k count=8 iflag=direct status=none
nvme disconnect -d "$C1" > /dev/null 2>&1
check "with the last path gone the head goes" wait_until 10 test ! -e "/dev/$ns1"
modprobe -r nvme-tcp nvme-fabrics
check "no controller or connection left" tcp_no_leftovers
tcp_target_down

ktap_finish
