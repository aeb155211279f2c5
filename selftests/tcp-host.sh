#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe/TCP host against an in-kernel target over loopback: discovery,
# connect with 2 I/O queues, a refused host NQN, two namespaces (null_blk
# and a tmpfs file with buffered I/O), fio verify on both, a filesystem
# that survives a remount, digests, namespace hot add/remove seen within
# 5 s, disconnect and unload leaving nothing behind.
#
# The target is Debian's nvmet/nvmet-tcp (tcp-host-ours.sh runs the same
# file against ours).
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"
. "$(dirname "$0")/lib-tcphost.sh"

tap_plan 21

if ! tcp_target_up; then
	not_ok "target set up ($(tcp_target_kind))"
	fail_rest "no target"
	ktap_finish
fi
ok "target set up ($(tcp_target_kind)): $NQN1 with 2 namespaces on $TCP_ADDR:$TCP_PORT"
diag "host modules: nvme_tcp $(modinfo -n nvme-tcp)"

out=$(timeout 20 nvme discover -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" 2>&1)
if grep -q "subnqn: *$NQN1" <<< "$out"; then
	ok "discover lists $NQN1"
else
	not_ok "discover lists $NQN1" "$out"
fi

ctrl=$(tcp_connect "$NQN1" -i 2)
if [ -n "$ctrl" ] && wait_until 10 ctrl_live "$ctrl"; then
	ok "connect with 2 I/O queues: $ctrl live"
else
	not_ok "connect with 2 I/O queues" "$(dmesg | tail -n 20)"
	fail_rest "not connected"
	ktap_finish
fi
check_eq "$ctrl: transport tcp" tcp "$(cat /sys/class/nvme/"$ctrl"/transport)"
check_eq "$ctrl: queue_count 3 (admin + 2 I/O)" 3 "$(cat /sys/class/nvme/"$ctrl"/queue_count)"

if tcp_wait_ns "$ctrl" 2 10; then
	ok "two namespaces visible"
else
	not_ok "two namespaces visible" "$(ls /sys/class/nvme/"$ctrl")"
fi
ns1=$(ns_by_nsid "$ctrl" 1)
ns2=$(ns_by_nsid "$ctrl" 2)

# a subsystem that only admits another host
nvmet_subsys "$NQN2" 0
nvmet_ns "$NQN2" 1 /dev/nullb0 >/dev/null 2>&1 || true
nvmet_allow_host "$NQN2" nqn.2026-12.io.nvme-oot:someone-else
nvmet_link 1 "$NQN2"
t0=$(date +%s)
check_fails "connect to $NQN2 with a host NQN it does not allow is refused" \
	timeout 20 nvme connect -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" -n "$NQN2"
check "refusal took under 5 s and left no controller" \
	test $(( $(date +%s) - t0 )) -le 5 -a -z "$(tcp_ctrl_of "$NQN2")"

tcp_fio_verify plain "$ns1" "$ns2"
check "O_DIRECT from dword-aligned buffers on $ns1" "$DIO_UNALIGNED" "/dev/$ns1"

# the same with our receiver switching between softirq (the default) and
# io_work every 0.2 s, mid-stream
rxp=/sys/module/nvme_tcp/parameters/rx_softirq
if [ -w "$rxp" ]; then
	touch /tmp/rx-flip
	( while [ -e /tmp/rx-flip ]; do
		echo N > "$rxp"; sleep 0.2; echo Y > "$rxp"; sleep 0.2
	done ) &
	flipper=$!
	tcp_fio_verify rx-switching "$ns1" "$ns2"
	rm -f /tmp/rx-flip
	wait "$flipper"
	check "rx_softirq is back to Y" grep -qx Y "$rxp"
else
	skip "fio rx-switching" "no rx_softirq parameter (not our nvme-tcp)"
	skip "rx_softirq is back to Y" "no rx_softirq parameter"
fi

# filesystem on the file backed namespace, across a remount
mnt=/tmp/tcp-mnt
mkdir -p "$mnt"
fs_ok=1
mkfs.ext4 -q -F "/dev/$ns2" >/dev/null 2>&1 && mount "/dev/$ns2" "$mnt" || fs_ok=0
if [ $fs_ok = 1 ]; then
	for i in 1 2 3; do random_file "$mnt/f$i" $((i * 1024 * 1024)); done
	sums=$(cd "$mnt" && sha256sum f1 f2 f3)
	umount "$mnt" && mount "/dev/$ns2" "$mnt" || fs_ok=0
fi
if [ $fs_ok = 1 ] && [ "$(cd "$mnt" && sha256sum f1 f2 f3)" = "$sums" ]; then
	ok "ext4 on $ns2: files survive a remount"
else
	not_ok "ext4 on $ns2: files survive a remount"
fi
umount "$mnt" 2>/dev/null

# namespace hot add and remove on the target, seen through the AEN
truncate -s 64M /dev/shm/tcp-ns3.img
nvmet_ns "$NQN1" 3 /dev/shm/tcp-ns3.img 1
if tcp_wait_ns "$ctrl" 3 5; then
	ok "namespace added on the target appears within 5 s"
else
	not_ok "namespace added on the target appears within 5 s" "$(tcp_ns_count "$ctrl") namespaces"
fi
nvmet_ns_enable "$NQN1" 3 0
if tcp_wait_ns "$ctrl" 2 5; then
	ok "namespace disabled on the target disappears within 5 s"
else
	not_ok "namespace disabled on the target disappears within 5 s" "$(tcp_ns_count "$ctrl") namespaces"
fi

check "nvme disconnect" nvme disconnect -n "$NQN1"
wait_until 10 test -z "$(tcp_ctrl_of "$NQN1")"

# digests: header and data
ctrl=$(tcp_connect "$NQN1" -i 2 -g -G)
if [ -n "$ctrl" ] && tcp_wait_ns "$ctrl" 2 10; then
	ok "connect with header and data digests: $ctrl"
	tcp_fio_verify digests "$(ns_by_nsid "$ctrl" 1)" "$(ns_by_nsid "$ctrl" 2)"
else
	not_ok "connect with header and data digests" "$(dmesg | tail -n 20)"
	not_ok "fio with digests" "not connected"
fi

check "disconnect-all" nvme disconnect-all
check "nothing left behind" wait_until 10 tcp_no_leftovers
modprobe -r nvme-tcp nvme-fabrics 2>/dev/null
check "nvme-tcp and nvme-fabrics unload" test ! -d /sys/module/nvme_tcp -a ! -d /sys/module/nvme_fabrics
tcp_target_down

ktap_finish
