#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe/RDMA target over soft-RoCE: Debian's nvme-rdma host against our
# nvmet + nvmet-rdma (or, with NVME_VM_MODULES=debian, against Debian's
# target, which is how this test itself was validated).
#
# One rxe device on one end of a veth pair; host and target both use its
# address, so rxe loops the RoCE packets back inside the device.  Covers:
# discover, connect with 2 I/O queues, a disallowed host refused, fio with
# crc32c verification (4k-256k, QD32) on a null_blk and a tmpfs-file
# namespace, mkfs + remount checksums, namespace add/remove seen by the host,
# the port unlinked for 6 s during fio (host reconnects, fio sees no error),
# disconnect and module unload.  The VM boots with nvmet_rdma.use_srq=1,
# so our target's queues take their receives from shared receive queues
# (the module's default is off, as in Linux; rdma-ours.sh covers both).
#
# A script that sources this one may set RDMA_EXTRA_TESTS (the number of
# TAP results it adds) and define rdma_extra(), which runs after the
# disconnect, before the teardown (rdma-ours.sh does).
#
# VM: mem=2G smp=2 timeout=420 modules=nvmet,nvmet-rdma
# VM: append nvmet_rdma.use_srq=1

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

ADDR=10.77.0.1
NQN=nqn.2014-08.org.nvmexpress:rdma-selftest
NQN_DENY=nqn.2014-08.org.nvmexpress:rdma-selftest-deny
HOSTNQN=$(host_nqn)
MNT=/tmp/rdma-mnt
NS_MB=128

tap_plan $((21 + ${RDMA_EXTRA_TESTS:-0}))

cleanup() {
	umount "$MNT" 2>/dev/null
	nvme disconnect -n "$NQN" >/dev/null 2>&1
	nvme disconnect -n "$NQN_DENY" >/dev/null 2>&1
	nvmet_clear
	rmdir /sys/kernel/config/nullb/nullb0 2>/dev/null
}

# the controller (nvmeX) connected to $NQN
rdma_ctrl() {
	local c n
	for c in /sys/class/nvme/nvme*; do
		n=
		read -r n < "$c/subsysnqn" 2>/dev/null || continue
		if [ "$n" = "$NQN" ]; then
			echo "${c##*/}"
			return 0
		fi
	done
	return 1
}

# blkdev_of CTRL NSID: the block device of a namespace.  With native
# multipath the controller only shows a hidden path (nvmeXcYnZ); the disk
# is the head of the subsystem, found by NQN and NSID.
blkdev_of() {
	local nqn b id n
	read -r nqn < "/sys/class/nvme/$1/subsysnqn" || return 1
	for b in /sys/block/nvme*n*; do
		[ -e "$b" ] || continue
		case "${b##*/}" in nvme*c*n*) continue ;; esac
		id= n=
		read -r id < "$b/nsid" 2>/dev/null
		read -r n < "$b/device/subsysnqn" 2>/dev/null
		if [ "$id" = "$2" ] && [ "$n" = "$nqn" ]; then
			echo "${b##*/}"
			return 0
		fi
	done
	return 1
}

ctrl_nscount_is() {	# ctrl_nscount_is CTRL N
	[ "$(ctrl_namespaces "$1" | wc -l)" -eq "$2" ]
}

# run_fio NAME DEV EXTRA...: 4k-256k random writes at QD32, crc32c verified
run_fio() {
	local name=$1 dev=$2
	shift 2
	fio --name="$name" --filename="/dev/$dev" --ioengine=libaio --direct=1 \
		--rw=randwrite --bsrange=4k-256k --iodepth=32 --verify=crc32c \
		--verify_fatal=1 --do_verify=1 --output=/tmp/fio-"$name".log "$@"
}

fio_check() {	# fio_check NAME RC
	if [ "$2" -eq 0 ] && fio_ok /tmp/fio-"$1".log; then
		return 0
	fi
	diag "fio exit status $2"
	diag "$(grep -E 'err=|verify|error' /tmp/fio-"$1".log | head -n 20)"
	return 1
}

trap cleanup EXIT

# ---- soft-RoCE -------------------------------------------------------------
ip link add v0 type veth peer name v1 &&
	ip addr add "$ADDR/24" dev v0 &&
	ip link set v1 up && ip link set v0 up &&
	modprobe rdma_rxe && rdma link add rxe0 type rxe netdev v0
if wait_for_path /sys/class/infiniband/rxe0 20; then
	ok "soft-RoCE device rxe0 on veth v0"
else
	not_ok "soft-RoCE device rxe0 on veth v0" "$(rdma link 2>&1)"
	fail_rest "no RDMA device"
	ktap_finish
fi
diag "$(rdma link show 2>&1)"

# ---- target ----------------------------------------------------------------
modprobe nvmet && modprobe nvmet-rdma
modprobe null_blk nr_devices=0
mkdir -p /sys/kernel/config/nullb/nullb0 &&
	echo $NS_MB > /sys/kernel/config/nullb/nullb0/size &&
	echo 1 > /sys/kernel/config/nullb/nullb0/memory_backed &&
	echo 1 > /sys/kernel/config/nullb/nullb0/power
truncate -s ${NS_MB}M /dev/shm/ns2.img
truncate -s 32M /dev/shm/ns3.img
if wait_for_path /dev/nullb0 10 &&
	nvmet_subsys "$NQN" 1 &&
	nvmet_ns "$NQN" 1 /dev/nullb0 &&
	nvmet_ns "$NQN" 2 /dev/shm/ns2.img 1 &&
	nvmet_subsys "$NQN_DENY" 0 &&
	nvmet_ns "$NQN_DENY" 1 /dev/shm/ns3.img 1 &&
	nvmet_allow_host "$NQN_DENY" nqn.2014-08.org.nvmexpress:uuid:not-this-host &&
	nvmet_port 1 rdma "$ADDR" 4420 &&
	nvmet_link 1 "$NQN" && nvmet_link 1 "$NQN_DENY"; then
	ok "RDMA port with a null_blk and a file namespace"
else
	not_ok "RDMA port with a null_blk and a file namespace" "$(dmesg | tail -n 20)"
	fail_rest "no target"
	ktap_finish
fi
# ---- host ------------------------------------------------------------------
modprobe nvme-rdma
# which side is ours: rdma-host.sh and rdma-ours.sh set what they expect
kind() { if our_module_loaded "$1"; then echo ours; else echo debian; fi; }
want_target=${RDMA_TARGET:-ours} want_host=${RDMA_HOST:-debian}
if debian_mode; then
	want_target=debian want_host=debian
fi
check_eq "target nvmet-rdma is $want_target's, host nvme-rdma is $want_host's" \
	"$want_target/$want_host" "$(kind nvmet-rdma)/$(kind nvme-rdma)"
out=$(nvme discover -t rdma -a "$ADDR" -s 4420 2>&1)
if grep -q "subnqn: *$NQN\$" <<< "$out" && grep -q "trtype: *rdma" <<< "$out"; then
	ok "discover lists the subsystem on the RDMA port"
else
	not_ok "discover lists the subsystem on the RDMA port" "$out"
fi

check_fails "a host not in allowed_hosts is refused" \
	nvme connect -t rdma -a "$ADDR" -s 4420 -n "$NQN_DENY"
# from now on $NQN is the port's only subsystem: unlinking it disables the
# port (the transport's remove_port), linking it enables it again
nvmet_unlink 1 "$NQN_DENY"

nvme connect -t rdma -a "$ADDR" -s 4420 -n "$NQN" -i 2 \
	--reconnect-delay=1 --ctrl-loss-tmo=60 > /tmp/connect.log 2>&1
ctrl=
if wait_until 30 rdma_ctrl && ctrl=$(rdma_ctrl) &&
	wait_until 30 ctrl_live "$ctrl" && wait_until 30 ctrl_nscount_is "$ctrl" 2; then
	ok "connect: $ctrl live with 2 namespaces"
else
	not_ok "connect: controller live with 2 namespaces" "$(cat /tmp/connect.log)"
	nvme_diag
	fail_rest "not connected"
	ktap_finish
fi
check_eq "2 I/O queues (queue_count 3)" 3 "$(cat /sys/class/nvme/"$ctrl"/queue_count)"
nsrq=$(rdma resource show srq 2>/dev/null | grep -c 'dev rxe0 ')
diag "shared receive queues on rxe0: $nsrq"
if [ "$want_target" = ours ]; then
	if [ "$nsrq" -ge 1 ] && grep -qx Y /sys/module/nvmet_rdma/parameters/use_srq; then
		ok "use_srq=Y: the target's queues share $nsrq receive queue(s) on rxe0"
	else
		not_ok "use_srq=Y: the target's queues share receive queues on rxe0" \
			"use_srq $(cat /sys/module/nvmet_rdma/parameters/use_srq 2>&1)" \
			"$(rdma resource show srq 2>&1)" "$(dmesg | grep nvmet_rdma | tail -n 5)"
	fi
else
	skip "the target's queues share receive queues" "Debian's target"
fi
wait_until 20 blkdev_of "$ctrl" 1 && wait_until 20 blkdev_of "$ctrl" 2
ns1=$(blkdev_of "$ctrl" 1)
ns2=$(blkdev_of "$ctrl" 2)
if ! wait_for_path "/dev/$ns1" 10 || ! wait_for_path "/dev/$ns2" 10 ||
	[ ! -b "/dev/$ns1" ] || [ ! -b "/dev/$ns2" ]; then
	diag "no block devices for the namespaces: '$ns1' '$ns2'"
	nvme_diag
fi

# ---- data ------------------------------------------------------------------
run_fio blk "$ns1" --size=48M
rc=$?
fio_check blk $rc
result $? "fio crc32c verify 4k-256k QD32 on the null_blk namespace"
run_fio file "$ns2" --size=48M
rc=$?
fio_check file $rc
result $? "fio crc32c verify 4k-256k QD32 on the file namespace"
check "O_DIRECT from dword-aligned buffers on the null_blk namespace" \
	"$DIO_UNALIGNED" "/dev/$ns1"

mkdir -p "$MNT"
fs_ok=1
if mkfs.ext4 -q -F "/dev/$ns1" && mount "/dev/$ns1" "$MNT"; then
	random_file "$MNT/a" $((3 * 1024 * 1024))
	random_file "$MNT/b" $((256 * 1024))
	sum1=$(cd "$MNT" && sha256sum a b)
	umount "$MNT" && echo 3 > /proc/sys/vm/drop_caches &&
		mount "/dev/$ns1" "$MNT" &&
		sum2=$(cd "$MNT" && sha256sum a b) && [ "$sum1" = "$sum2" ] && fs_ok=0
	umount "$MNT"
fi
result $fs_ok "mkfs.ext4, files survive a remount with the same checksums"

# ---- namespace add / remove --------------------------------------------------
nvmet_ns "$NQN" 3 /dev/shm/ns3.img 1
if wait_until 30 ctrl_nscount_is "$ctrl" 3 && ns_by_nsid "$ctrl" 3 >/dev/null; then
	ok "namespace added on the target appears on the host"
else
	not_ok "namespace added on the target appears on the host" "$(ctrl_namespaces "$ctrl")"
fi
nvmet_ns_enable "$NQN" 3 0
if wait_until 30 ctrl_nscount_is "$ctrl" 2; then
	ok "namespace disabled on the target disappears from the host"
else
	not_ok "namespace disabled on the target disappears from the host" "$(ctrl_namespaces "$ctrl")"
fi

# ---- port unlinked during fio ------------------------------------------------
run_fio flap "$ns2" --size=32M --time_based --runtime=24 --verify_backlog=128 &
fpid=$!
sleep 4
nvmet_unlink 1 "$NQN"
went_down=1
wait_until 10 sh -c "! grep -qx live /sys/class/nvme/$ctrl/state" && went_down=0
sleep 6
nvmet_link 1 "$NQN"
wait $fpid
rc=$?
if [ $went_down -eq 0 ]; then
	ok "unlinking the port takes the controller down"
else
	not_ok "unlinking the port takes the controller down" "state $(ctrl_state "$ctrl")"
fi
if wait_until 40 ctrl_live "$ctrl"; then
	ok "host reconnects after the port is linked again"
else
	not_ok "host reconnects after the port is linked again" "state $(ctrl_state "$ctrl")"
fi
fio_check flap $rc
result $? "fio across the 6 s outage: no error, data verified"

# ---- RDMA device removal -------------------------------------------------------
# Host and target share rxe0.  The target releases its queues and listens
# again once the device is back.  Linux's host deletes its controller; ours
# keeps it and reconnects (the shared recovery machine) once it can.
ctrl_gone_or_down() {
	[ ! -e "/sys/class/nvme/$1" ] || ! ctrl_live "$1"
}
rdma link delete rxe0
if wait_until 30 ctrl_gone_or_down "$ctrl" && [ ! -e /sys/class/infiniband/rxe0 ]; then
	ok "rdma link delete while connected: device gone, host controller $([ -e "/sys/class/nvme/$ctrl" ] && echo reconnecting || echo deleted)"
else
	not_ok "rdma link delete while connected: device gone, controller not live" \
		"$(ls /sys/class/nvme/ /sys/class/infiniband/ 2>&1)" "state $(ctrl_state "$ctrl")"
fi
rdma link add rxe0 type rxe netdev v0
if [ "$want_target" = debian ]; then
	# Linux's target does not listen again by itself after a device
	# removal: enable the port anew
	nvmet_unlink 1 "$NQN"
	sleep 1
	nvmet_link 1 "$NQN"
fi
if [ -e "/sys/class/nvme/$ctrl" ]; then
	wait_until 60 ctrl_live "$ctrl"
else
	for _ in $(seq 1 20); do
		nvme connect -t rdma -a "$ADDR" -s 4420 -n "$NQN" -i 2 \
			--reconnect-delay=1 --ctrl-loss-tmo=60 > /tmp/connect.log 2>&1 && break
		sleep 1
	done
	ctrl=
	wait_until 30 rdma_ctrl && ctrl=$(rdma_ctrl) && wait_until 30 ctrl_live "$ctrl"
fi
rc=1
if [ -n "$ctrl" ] && ctrl_live "$ctrl" && wait_until 20 blkdev_of "$ctrl" 2; then
	ns2=$(blkdev_of "$ctrl" 2)
	wait_for_path "/dev/$ns2" 10
	run_fio readd "$ns2" --size=8M
	rc=$?
	fio_check readd $rc
	rc=$?
else
	diag "controller '$ctrl' state $(ctrl_state "$ctrl")" "$(cat /tmp/connect.log 2>/dev/null)"
fi
result $rc "rxe0 added again: the target listens again, the host is connected, verified I/O works"

# ---- teardown ------------------------------------------------------------------
nvme disconnect -n "$NQN" > /tmp/disc.log 2>&1
if wait_for_gone "/sys/class/nvme/$ctrl" 20; then
	ok "disconnect removes the controller"
else
	not_ok "disconnect removes the controller" "$(cat /tmp/disc.log)"
fi
if declare -F rdma_extra > /dev/null; then
	rdma_extra
fi
cleanup
trap - EXIT
unload_ok=1
modprobe -r nvme-rdma && modprobe -r nvmet-rdma && modprobe -r nvmet &&
	rdma link delete rxe0 && modprobe -r rdma_rxe && unload_ok=0
[ -d /sys/module/nvmet_rdma ] && unload_ok=1
result $unload_ok "modules unload cleanly"
diag "$(dmesg | grep -iE 'nvmet|rdma' | tail -n 25)"

ktap_finish
