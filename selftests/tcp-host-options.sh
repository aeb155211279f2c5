#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe/TCP host: connect-all against a discovery controller with two
# subsystems, IPv6, separate write and poll queues (polled I/O verified),
# tos, host_traddr and host_iface binding, fio verify with the queues'
# work on the submitting CPUs (spread_io_work=N), and with THP "always"
# and 2 MiB aligned buffers (multi-page bio segments).
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"
. "$(dirname "$0")/lib-tcphost.sh"

tap_plan 13

if ! tcp_target_up; then
	not_ok "target set up"
	fail_rest "no target"
	ktap_finish
fi
nvmet_subsys "$NQN2" &&
	truncate -s 128M /dev/shm/tcp-two.img &&
	nvmet_ns "$NQN2" 1 /dev/shm/tcp-two.img 1 &&
	nvmet_link 1 "$NQN2" &&
	nvmet_port 2 tcp ::1 4420 ipv6 &&
	nvmet_link 2 "$NQN1"
result $? "target set up ($(tcp_target_kind)): 2 subsystems, ports on 127.0.0.1 and ::1"

# ---- connect-all ----
out=$(timeout 60 nvme connect-all -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" 2>&1)
if wait_until 10 tcp_ctrl_of "$NQN1" && wait_until 10 tcp_ctrl_of "$NQN2"; then
	ok "connect-all connects both subsystems"
else
	not_ok "connect-all connects both subsystems" "$out" "$(nvme list 2>&1)"
fi
c2=$(tcp_ctrl_of "$NQN2")
if [ -n "$c2" ] && tcp_wait_ns "$c2" 1 10 &&
   dd if="/dev/$(ns_by_nsid "$c2" 1)" of=/dev/null bs=64k count=16 iflag=direct status=none; then
	ok "I/O on the second subsystem"
else
	not_ok "I/O on the second subsystem"
fi
nvme disconnect-all > /dev/null 2>&1
wait_until 10 tcp_no_leftovers

# ---- IPv6 ----
if out=$(nvme connect -t tcp -a ::1 -s 4420 -n "$NQN1" -i 1 2>&1) &&
   wait_until 10 tcp_ctrl_of "$NQN1"; then
	c=$(tcp_ctrl_of "$NQN1")
	addr=$(cat /sys/class/nvme/"$c"/address)
	check "IPv6: connected to ::1 ($addr)" grep -q 'traddr=::1' <<< "$addr"
	nvme disconnect -n "$NQN1" > /dev/null
	wait_until 10 tcp_no_leftovers
else
	not_ok "IPv6: connected to ::1" "$out"
fi

# ---- write and poll queues, tos, host_traddr, host_iface ----
c=$(tcp_connect "$NQN1" -i 1 -W 1 -P 1 -T 16 -w 127.0.0.1 -f lo)
if [ -n "$c" ] && tcp_wait_ns "$c" 2 10; then
	ok "connect with 1 read, 1 write, 1 poll queue, tos 16, host_traddr, host_iface: $c"
else
	not_ok "connect with write/poll queues, tos, host_traddr, host_iface" "$(dmesg | tail -n 10)"
	fail_rest "not connected"
	ktap_finish
fi
check_eq "queue_count 4 (admin + read + write + poll)" 4 "$(cat /sys/class/nvme/"$c"/queue_count)"
ns1=$(ns_by_nsid "$c" 1)
maps=$(ls /sys/block/"$(ns_disk_of "$c" 1)"/mq | wc -l)
check_eq "$ns1 has 3 hardware queues" 3 "$maps"
# writes above the in-capsule size wait for an R2T that the poller reads
check "polled I/O (pvsync2 hipri, 4k-128k) verified" timeout 120 fio --name=poll \
	--filename="/dev/$ns1" --ioengine=pvsync2 --hipri --direct=1 \
	--rw=randwrite --bsrange=4k-128k --size=8M --verify=crc32c \
	--verify_fatal=1 --do_verify=1 --output=/tmp/fio-poll.log
check "polled I/O (io_uring hipri, QD8, 4k-128k) verified" timeout 120 fio \
	--name=upoll --filename="/dev/$ns1" --ioengine=io_uring --hipri \
	--iodepth=8 --direct=1 --rw=randwrite --bsrange=4k-128k --size=8M \
	--verify=crc32c --verify_fatal=1 --do_verify=1 --output=/tmp/fio-upoll.log
tcp_fio_verify rw-queues "$ns1" "$(ns_by_nsid "$c" 2)" -- size=24M
nvme disconnect-all > /dev/null 2>&1
wait_until 10 tcp_no_leftovers

# ---- spread_io_work=N: every queue's work on its submitting CPU ----
sp=/sys/module/nvme_tcp/parameters/spread_io_work
if [ -w "$sp" ]; then
	echo N > "$sp"
	c=$(tcp_connect "$NQN1" -i 2)
	tcp_wait_ns "$c" 2 10
	tcp_fio_verify local-cpu "$(ns_by_nsid "$c" 1)" "$(ns_by_nsid "$c" 2)" -- size=24M
	echo Y > "$sp"
	nvme disconnect-all > /dev/null 2>&1
	wait_until 10 tcp_no_leftovers
else
	skip "fio local-cpu: spread_io_work=N" "the host has no spread_io_work"
fi

# ---- THP always, 2 MiB aligned buffers ----
thp=/sys/kernel/mm/transparent_hugepage/enabled
old=$(sed 's/.*\[\(.*\)\].*/\1/' "$thp")
echo always > "$thp"
c=$(tcp_connect "$NQN1" -i 2)
tcp_wait_ns "$c" 2 10
thp0=$(awk '/^thp_fault_alloc/ { print $2 }' /proc/vmstat)
tcp_fio_verify thp "$(ns_by_nsid "$c" 1)" "$(ns_by_nsid "$c" 2)" -- \
	iomem=mmap iomem_align=2M bsrange=64k-1M size=64M iodepth=16
diag "huge pages faulted in during fio: $(( $(awk '/^thp_fault_alloc/ { print $2 }' /proc/vmstat) - thp0 ))"
echo "$old" > "$thp"
nvme disconnect-all > /dev/null 2>&1
check "nothing left behind" wait_until 10 tcp_no_leftovers
tcp_target_down
ktap_finish
