#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our host and our target in one kernel over nvme-loop: connect with two
# I/O queues, a disallowed host refused, two namespaces, fio verify,
# ext4 across a remount, namespaces added and removed on the target seen
# within 5 s, reset_controller under a verify pass, ctrl_loss_tmo when the
# port goes away for good, then disconnect and unload with nothing left.
#
# VM: mem=2G smp=2 timeout=420 modules=nvme-core,nvme-fabrics,nvmet,nvme-loop

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

tap_plan 26

NQN1=nqn.2026-12.io.nvme-oot:loop-one
NQN2=nqn.2026-12.io.nvme-oot:loop-locked
NQN3=nqn.2026-12.io.nvme-oot:loop-lossy
F2=/dev/shm/loop-ns2.img
F3=/dev/shm/loop-ns3.img
F4=/dev/shm/loop-lossy.img
MNT=/tmp/loop-mnt

# ctrl_of NQN: the nvmeX whose subsysnqn is NQN
ctrl_of() {
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

modprobe nvme-loop
modprobe null_blk nr_devices=1 gb=1 memory_backed=1
truncate -s 128M "$F2" "$F3" "$F4"
if ! { nvmet_subsys "$NQN1" && nvmet_ns "$NQN1" 1 /dev/nullb0 &&
       nvmet_ns "$NQN1" 2 "$F2" 1 && nvmet_port 1 loop "" "" &&
       nvmet_link 1 "$NQN1"; }; then
	not_ok "loop target configured"
	fail_rest "no target"
	ktap_finish
fi
ok "loop target configured"

disc=$(nvme discover -t loop 2>&1)
case "$disc" in
*"$NQN1"*) ok "nvme discover over loop lists the subsystem" ;;
*) not_ok "nvme discover over loop lists the subsystem" "$disc" ;;
esac

check "connect with 2 I/O queues" nvme connect -t loop -n "$NQN1" -i 2
c=$(ctrl_of "$NQN1")
check "controller $c is live" wait_until 10 ctrl_live "$c"
check_eq "transport is loop" loop "$(cat /sys/class/nvme/$c/transport)"
check_eq "queue_count is 3" 3 "$(cat /sys/class/nvme/$c/queue_count)"
check_eq "hostnqn is ours" "$(host_nqn)" "$(cat /sys/class/nvme/$c/hostnqn)"
check "two namespaces appear" wait_until 10 ns_count "$c" 2

hn=$(cat /sys/class/nvme/$c/hostnqn)
check_fails "a second connect to the same path is refused" \
	bash -c "printf 'transport=loop,nqn=$NQN1,hostnqn=$hn' > /dev/nvme-fabrics"
if out=$(bash -c "exec 3<>/dev/nvme-fabrics && printf 'transport=loop,nqn=$NQN1,hostnqn=$hn,duplicate_connect,nr_io_queues=1' >&3 && head -n1 <&3"); then
	case "$out" in
	instance=*,cntlid=*)
		dupc=nvme${out#instance=}; dupc=${dupc%%,*}
		echo 1 > /sys/class/nvme/$dupc/delete_controller
		if wait_for_gone /sys/class/nvme/$dupc 10; then ok "duplicate_connect: second controller, read back '$out', deleted"
		else not_ok "duplicate_connect: second controller, read back '$out', deleted" "not deleted"; fi ;;
	*) not_ok "duplicate_connect: second controller, read back '$out', deleted" "bad read back" ;;
	esac
else
	not_ok "duplicate_connect: second controller, read back, deleted" "$out"
fi

nvmet_subsys "$NQN2" 0 && nvmet_ns "$NQN2" 1 "$F3" 1 && nvmet_link 1 "$NQN2"
nvmet_allow_host "$NQN2" nqn.2026-12.io.nvme-oot:somebody-else
check_fails "a host not allowed by the subsystem is refused" \
	nvme connect -t loop -n "$NQN2"
check_fails "no controller left for the refused connect" ctrl_of "$NQN2"

n1=/dev/$(ns_by_nsid "$c" 1)
n2=/dev/$(ns_by_nsid "$c" 2)
fio_verify ns1 "$n1" 48M & p1=$!
fio_verify ns2 "$n2" 48M & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
	ok "fio crc32c verify 4k-256k QD32 on both namespaces"
else
	not_ok "fio crc32c verify 4k-256k QD32 on both namespaces" \
		"$(tail -n 20 /tmp/fio-ns1.log /tmp/fio-ns2.log)"
fi

check "io_uring_cmd passthrough, verified, on the head's ng device" \
	fio --name=ucmd --filename="/dev/$(ng_of "${n1#/dev/}")" \
		--ioengine=io_uring_cmd --cmd_type=nvme --rw=randwrite --bs=4k \
		--size=8M --iodepth=8 --verify=crc32c --output=/tmp/ucmd.log

mkdir -p "$MNT"
if mkfs.ext4 -q -F -E nodiscard "$n2" && mount -t ext4 "$n2" "$MNT"; then
	for i in 1 2 3; do head -c 3M /dev/urandom > "$MNT/f$i"; done
	(cd "$MNT" && sha256sum f1 f2 f3 > /tmp/loop-sums)
	umount "$MNT"
	echo 3 > /proc/sys/vm/drop_caches
	check "ext4 files survive a remount" \
		bash -c "e2fsck -fn $n2 >/dev/null && mount -t ext4 $n2 $MNT && cd $MNT && sha256sum --quiet -c /tmp/loop-sums"
	umount "$MNT" 2>/dev/null
else
	not_ok "ext4 files survive a remount" "mkfs or mount failed"
fi

nvmet_ns "$NQN1" 3 "$F3" 1
check "namespace added on the target is seen within 5 s" wait_until 5 ns_count "$c" 3
nvmet_ns_enable "$NQN1" 3 0
check "namespace removed on the target is gone within 5 s" wait_until 5 ns_count "$c" 2

fio_verify reset "$n1" 32M & pf=$!
sleep 2
echo 1 > /sys/class/nvme/"$c"/reset_controller
rr=$?
wait $pf; rf=$?
if [ $rr -eq 0 ] && [ $rf -eq 0 ] && ctrl_live "$c"; then
	ok "reset_controller during fio: live again, data verifies"
else
	not_ok "reset_controller during fio: live again, data verifies" \
		"reset rc $rr, fio rc $rf, state $(ctrl_state "$c")" "$(tail -n 20 /tmp/fio-reset.log)"
fi

# ctrl_loss_tmo / fast_io_fail_tmo: a second port that goes away for good
nvmet_subsys "$NQN3" && nvmet_ns "$NQN3" 1 "$F4" 1 &&
	nvmet_port 2 loop 2 "" && nvmet_link 2 "$NQN3"
# (Debian's nvme-cli 2.3 has no --fast_io_fail_tmo: write the options)
check "connect to port 2 with ctrl_loss_tmo=8 fast_io_fail_tmo=1" \
	bash -c "printf 'transport=loop,traddr=2,nqn=$NQN3,hostnqn=$hn,ctrl_loss_tmo=8,reconnect_delay=1,fast_io_fail_tmo=1' > /dev/nvme-fabrics"
c3=$(ctrl_of "$NQN3")
check_eq "ctrl_loss_tmo shows 8" 8 "$(cat /sys/class/nvme/$c3/ctrl_loss_tmo 2>/dev/null)"
wait_until 10 ns_count "$c3" 1
d3=/dev/$(ns_by_nsid "$c3" 1)
t0=$(date +%s)
nvmet_unlink 2 "$NQN3"
check "controller starts reconnecting" wait_until 5 \
	bash -c "s=\$(cat /sys/class/nvme/$c3/state 2>/dev/null); [ \"\$s\" != live ]"
if dd if="$d3" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null; then
	not_ok "I/O fails after fast_io_fail_tmo, before ctrl_loss_tmo" "read succeeded"
else
	t=$(( $(date +%s) - t0 ))
	if [ "$t" -le 6 ] && [ -e /sys/class/nvme/"$c3" ]; then
		ok "I/O fails after fast_io_fail_tmo, before ctrl_loss_tmo (${t}s)"
	else
		not_ok "I/O fails after fast_io_fail_tmo, before ctrl_loss_tmo" "after ${t}s"
	fi
fi
if wait_for_gone /sys/class/nvme/"$c3" 25; then
	t=$(( $(date +%s) - t0 ))
	if [ "$t" -ge 5 ]; then ok "controller deleted after ctrl_loss_tmo (${t}s)"
	else not_ok "controller deleted after ctrl_loss_tmo" "gone after only ${t}s"; fi
else
	not_ok "controller deleted after ctrl_loss_tmo" "still there: $(ctrl_state "$c3")"
fi
check "first controller still live" ctrl_live "$c"

nvme disconnect -n "$NQN1" >/dev/null
check "disconnect removes the controller" wait_for_gone /sys/class/nvme/"$c" 10
nvmet_clear
modprobe -r nvme-loop nvmet nvme-fabrics 2>/dev/null
check "nvme-loop, nvmet and nvme-fabrics unload" \
	bash -c '! [ -d /sys/module/nvme_loop ] && ! [ -d /sys/module/nvmet ] && ! [ -d /sys/module/nvme_fabrics ]'
rm -f "$F2" "$F3" "$F4"

ktap_finish
