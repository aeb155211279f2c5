#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe/FC, our host (nvme-fc) against our target (nvmet-fc) over our
# in-memory LLDD (nvme-fcloop): discovery, connect with two I/O queues,
# a disallowed host refused, fio verify on a null_blk and a file
# namespace, ext4 across a remount, namespaces added and removed, the
# target port deleted and re-added under fio (reconnect, no fio error),
# the remote port gone longer than dev_loss_tmo (controller removed,
# pending I/O fails), 20 connect/disconnect and 5 fcloop port cycles,
# then disconnect and unload with nothing left.
#
# VM: mem=2G smp=2 timeout=420 modules=nvme-core,nvme-fabrics,nvme-fc,nvmet,nvmet-fc,nvme-fcloop

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

tap_plan 26

CTL=/sys/class/fcloop/ctl
LNN=0x10000000000000a1
LPN=0x20000000000000a1
TNN=0x10000000000000b1
TPN=0x20000000000000b1
TRADDR=nn-$TNN:pn-$TPN
HTRADDR=nn-$LNN:pn-$LPN
NQN1=nqn.2026-12.io.nvme-oot:fc-one
NQN2=nqn.2026-12.io.nvme-oot:fc-locked
F2=/dev/shm/fc-ns2.img
F3=/dev/shm/fc-ns3.img
MNT=/tmp/fc-mnt

ctrl_of() {	# ctrl_of NQN: the nvmeX whose subsysnqn is NQN
	local c s
	for c in /sys/class/nvme/nvme*; do
		s=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		[ "$s" = "$1" ] && { echo "${c##*/}"; return 0; }
	done
	return 1
}

ns_count() {
	ctrl_disks "$1"
	[ "$NS_DISKS" -eq "$2" ]
}

fio_verify() {	# fio_verify NAME DEV SIZE
	fio --name="$1" --filename="$2" --ioengine=libaio --direct=1 \
		--iodepth=32 --rw=randwrite --bsrange=4k-256k --size="$3" \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
		--output="/tmp/fio-$1.log" 2>> "/tmp/fio-$1.log" && fio_ok "/tmp/fio-$1.log"
}

tport() { echo "wwnn=$TNN,wwpn=$TPN" > "$CTL/$1_target_port"; }
lport() { echo "wwnn=$LNN,wwpn=$LPN" > "$CTL/$1_local_port"; }
rport_add() { echo "wwnn=$TNN,wwpn=$TPN,lpwwnn=$LNN,lpwwpn=$LPN" > "$CTL/add_remote_port"; }
rport_del() { echo "wwnn=$TNN,wwpn=$TPN" > "$CTL/del_remote_port"; }
fc_connect() {	# fc_connect NQN [nvme connect options]
	local n=$1
	shift
	nvme connect -t fc -a "$TRADDR" -w "$HTRADDR" -n "$n" "$@"
}
no_ctrls() { ! ls /sys/class/nvme/ 2>/dev/null | grep -q nvme; }

modprobe null_blk nr_devices=1 gb=1 memory_backed=1
truncate -s 128M "$F2" "$F3"
echo 4 > /sys/module/nvme_fcloop/parameters/dev_loss_tmo
check_fails "a malformed fcloop port string is refused" \
	bash -c "echo 'wwnn=0x1,wwpn=zz' > $CTL/add_local_port"
if ! { tport add && lport add && rport_add &&
       nvmet_subsys "$NQN1" && nvmet_ns "$NQN1" 1 /dev/nullb0 &&
       nvmet_ns "$NQN1" 2 "$F2" 1 && nvmet_port 1 fc "$TRADDR" "" &&
       nvmet_link 1 "$NQN1"; }; then
	not_ok "fcloop ports and fc target configured"
	fail_rest "no target"
	ktap_finish
fi
ok "fcloop ports and fc target configured"

disc=$(nvme discover -t fc -a "$TRADDR" -w "$HTRADDR" 2>&1)
case "$disc" in
*"$NQN1"*"$TRADDR"*|*"$TRADDR"*"$NQN1"*) ok "nvme discover -t fc lists the subsystem at its FC address" ;;
*) not_ok "nvme discover -t fc lists the subsystem at its FC address" "$disc" ;;
esac

check "connect with 2 I/O queues" fc_connect "$NQN1" -i 2 --reconnect-delay=1
c=$(ctrl_of "$NQN1")
check "controller $c is live" wait_until 10 ctrl_live "$c"
check_eq "transport is fc" fc "$(cat /sys/class/nvme/$c/transport)"
check_eq "queue_count is 3" 3 "$(cat /sys/class/nvme/$c/queue_count)"
check "two namespaces appear" wait_until 10 ns_count "$c" 2

nvmet_subsys "$NQN2" 0 && nvmet_ns "$NQN2" 1 "$F3" 1 && nvmet_link 1 "$NQN2"
nvmet_allow_host "$NQN2" nqn.2026-12.io.nvme-oot:somebody-else
check_fails "a host not allowed by the subsystem is refused" fc_connect "$NQN2"
check_fails "no controller left for the refused connect" ctrl_of "$NQN2"

n1=/dev/$(ns_by_nsid "$c" 1)
n2=/dev/$(ns_by_nsid "$c" 2)
fio_verify ns1 "$n1" 32M & p1=$!
fio_verify ns2 "$n2" 32M & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
	ok "fio crc32c verify 4k-256k QD32 on null_blk and file namespaces"
else
	not_ok "fio crc32c verify 4k-256k QD32 on null_blk and file namespaces" \
		"$(tail -n 20 /tmp/fio-ns1.log /tmp/fio-ns2.log)"
fi
check "O_DIRECT from dword-aligned buffers on $n1" "$DIO_UNALIGNED" "$n1"

mkdir -p "$MNT"
if mkfs.ext4 -q -F -E nodiscard "$n2" && mount -t ext4 "$n2" "$MNT"; then
	for i in 1 2 3; do head -c 3M /dev/urandom > "$MNT/f$i"; done
	(cd "$MNT" && sha256sum f1 f2 f3 > /tmp/fc-sums)
	umount "$MNT"
	echo 3 > /proc/sys/vm/drop_caches
	check "ext4 files survive a remount" \
		bash -c "e2fsck -fn $n2 >/dev/null && mount -t ext4 $n2 $MNT && cd $MNT && sha256sum --quiet -c /tmp/fc-sums"
	umount "$MNT" 2>/dev/null
else
	not_ok "ext4 files survive a remount" "mkfs or mount failed"
fi

nvmet_ns "$NQN1" 3 "$F3" 1
check "namespace added on the target is seen within 5 s" wait_until 5 ns_count "$c" 3
nvmet_ns_enable "$NQN1" 3 0
check "namespace removed on the target is gone within 5 s" wait_until 5 ns_count "$c" 2

# the target port goes away and comes back while fio runs
fio_verify tport "$n1" 24M & pf=$!
sleep 2
tport del; rd=$?
sleep 2
tport add; ra=$?
wait $pf; rf=$?
if [ $rd -eq 0 ] && [ $ra -eq 0 ] && [ $rf -eq 0 ] && wait_until 10 ctrl_live "$c"; then
	ok "target port deleted and re-added during fio: reconnected, data verifies"
else
	not_ok "target port deleted and re-added during fio: reconnected, data verifies" \
		"del $rd add $ra fio $rf state $(ctrl_state "$c")" "$(tail -n 20 /tmp/fio-tport.log)"
fi

# the remote port goes away for longer than dev_loss_tmo (4 s)
fio --name=lost --filename="$n1" --ioengine=libaio --direct=1 --iodepth=16 \
	--rw=randread --bs=4k --time_based --runtime=60 --output=/tmp/fio-lost.log \
	2>> /tmp/fio-lost.log & pl=$!
sleep 2
t0=$(date +%s)
rport_del
if wait_for_gone /sys/class/nvme/"$c" 20; then
	t=$(( $(date +%s) - t0 ))
	if [ "$t" -ge 3 ]; then ok "remote port lost beyond dev_loss_tmo: controller removed (${t}s)"
	else not_ok "remote port lost beyond dev_loss_tmo: controller removed" "gone after only ${t}s"; fi
else
	not_ok "remote port lost beyond dev_loss_tmo: controller removed" "still there: $(ctrl_state "$c")"
fi
if wait_until 20 bash -c "! kill -0 $pl 2>/dev/null"; then
	wait $pl; rl=$?
	if [ $rl -ne 0 ]; then ok "pending I/O failed cleanly (fio exit $rl)"
	else not_ok "pending I/O failed cleanly" "fio succeeded?"; fi
else
	kill -9 $pl 2>/dev/null
	not_ok "pending I/O failed cleanly" "fio still running"
fi
rport_add

ok_cycles=0
for i in $(seq 20); do
	fc_connect "$NQN1" -i 2 >/dev/null 2>&1 || break
	cc=$(ctrl_of "$NQN1") || break
	wait_until 10 ctrl_live "$cc" || break
	nvme disconnect -n "$NQN1" >/dev/null 2>&1 || break
	wait_for_gone /sys/class/nvme/"$cc" 10 || break
	ok_cycles=$i
done
check_eq "20 connect/disconnect cycles" 20 "$ok_cycles"
check "no controller left after the cycles" no_ctrls

ok_cycles=0
for i in $(seq 5); do
	rport_del && lport del && tport del || break
	tport add && lport add && rport_add || break
	ok_cycles=$i
done
check_eq "5 fcloop port delete/add cycles" 5 "$ok_cycles"
check "connect after the port cycles" fc_connect "$NQN1" -i 2
c=$(ctrl_of "$NQN1")
check "controller is live" wait_until 10 ctrl_live "$c"
n1=/dev/$(ns_by_nsid "$c" 1)
check "fio verify after the port cycles" fio_verify again "$n1" 8M

nvme disconnect -n "$NQN1" >/dev/null
check "disconnect removes the controller" wait_for_gone /sys/class/nvme/"$c" 10
nvmet_clear
rport_del; lport del; tport del
modprobe -r nvme-fcloop nvmet-fc nvme-fc nvmet nvme-fabrics 2>/dev/null
check "nvme-fcloop, nvmet-fc, nvme-fc, nvmet and nvme-fabrics unload" \
	bash -c '! [ -d /sys/module/nvme_fcloop ] && ! [ -d /sys/module/nvmet_fc ] && ! [ -d /sys/module/nvme_fc ] && ! [ -d /sys/module/nvmet ] && ! [ -d /sys/module/nvme_fabrics ]'
rm -f "$F2" "$F3"

ktap_finish
