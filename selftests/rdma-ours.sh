#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our NVMe/RDMA host against our NVMe/RDMA target over soft-RoCE: the
# checks of rdma-target.sh with both sides ours, then (rdma_extra below)
#  - nvmet-rdma reloaded with use_srq=0: no shared receive queue, every
#    queue has its own receive buffers; connect and a verified fio,
#  - reloaded with use_srq=1: shared receive queues again; a connect with
#    2 I/O queues and 1 poll queue (queue_count 4, a poll hardware queue,
#    a CQ of its own poll context), io_uring --hipri fio with crc32c
#    verification whose I/O went through the poll queue, disconnect.
#
# VM: mem=2G smp=2 timeout=600 modules=nvme-core,nvme-fabrics,nvme-rdma,nvmet,nvmet-rdma
# VM: append nvmet_rdma.use_srq=1

export RDMA_TARGET=ours RDMA_HOST=ours
RDMA_EXTRA_TESTS=9

# srq_count: shared receive queues on rxe0
srq_count() {
	rdma resource show srq 2>/dev/null | grep -c 'dev rxe0 '
}

# reload_target USE_SRQ: nvmet-rdma reloaded with use_srq=USE_SRQ, the
# subsystem with the null_blk namespace on port 1 again
reload_target() {
	nvme disconnect -n "$NQN" > /dev/null 2>&1
	nvmet_clear
	modprobe -r nvmet-rdma || return 1
	modprobe nvmet-rdma use_srq="$1" || return 1
	nvmet_subsys "$NQN" 1 && nvmet_ns "$NQN" 1 /dev/nullb0 &&
		nvmet_port 1 rdma "$ADDR" 4420 && nvmet_link 1 "$NQN"
}

# connect_ns ARGS...: connect to $NQN; sets ctrl and ns (namespace 1)
connect_ns() {
	ctrl= ns=
	nvme connect -t rdma -a "$ADDR" -s 4420 -n "$NQN" "$@" \
		> /tmp/connect.log 2>&1 || return 1
	wait_until 30 rdma_ctrl && ctrl=$(rdma_ctrl) &&
		wait_until 30 ctrl_live "$ctrl" &&
		wait_until 20 blkdev_of "$ctrl" 1 && ns=$(blkdev_of "$ctrl" 1) &&
		wait_for_path "/dev/$ns" 10
}

# host_cq_contexts: how many of our host's CQs have each poll context, as
# "COUNT COUNT ..." in ascending order.  With 2 I/O queues and 1 poll queue
# that is "1 3": the admin and I/O queues' CQs (IB_POLL_SOFTIRQ) and the
# poll queue's (IB_POLL_DIRECT).  The names are not compared: iproute2 6.1
# names the kernel's values in an older order (it prints SOFTIRQ as DIRECT
# and DIRECT as UNBOUND_WORKQUEUE).
host_cq_contexts() {
	rdma resource show cq 2>/dev/null |
		sed -n 's/.* poll-ctx \([A-Z_]*\) .*comm \[nvme_rdma\].*/\1/p' |
		sort | uniq -c | awk '{ print $1 }' | sort -n | tr '\n' ' '
}

# poll_hctx NS: the blk-mq debugfs directory of the namespace's poll
# hardware queue
poll_hctx() {
	local h t
	for h in /sys/kernel/debug/block/"$1"/hctx*; do
		t=
		read -r t < "$h/type" 2>/dev/null
		if [ "$t" = poll ]; then
			echo "$h"
			return 0
		fi
	done
	return 1
}

rdma_extra() {
	local rc maps io_poll hctx seen fpid

	# ---- use_srq=0: receive buffers per queue ----
	if reload_target 0 && connect_ns -i 2 &&
		grep -qx N /sys/module/nvmet_rdma/parameters/use_srq &&
		[ "$(srq_count)" -eq 0 ]; then
		ok "use_srq=0: nvmet-rdma reloaded, $ctrl connected, no shared receive queue"
	else
		not_ok "use_srq=0: nvmet-rdma reloaded, connected, no shared receive queue" \
			"$(cat /tmp/connect.log 2>/dev/null)" "$(rdma resource show srq 2>&1)" \
			"$(dmesg | grep -E 'nvmet|rdma' | tail -n 10)"
	fi
	rc=1
	if [ -n "$ns" ]; then
		run_fio nosrq "$ns" --size=16M
		rc=$?
		fio_check nosrq $rc
		rc=$?
	fi
	result $rc "use_srq=0: fio crc32c verify 4k-256k QD32"

	# ---- use_srq=1, and a poll queue on the host ----
	if reload_target 1 && connect_ns -i 2 --nr-poll-queues=1; then
		ok "use_srq=1: nvmet-rdma reloaded, $ctrl connected with 2 I/O queues and 1 poll queue"
	else
		not_ok "use_srq=1: connect with 2 I/O queues and 1 poll queue" \
			"$(cat /tmp/connect.log 2>/dev/null)" "$(dmesg | tail -n 20)"
	fi
	check_eq "queue_count 4 (admin + 2 I/O + 1 poll)" 4 \
		"$(cat /sys/class/nvme/"$ctrl"/queue_count 2>&1)"
	pdisk=$(ns_disk_of "$ctrl" 1)	# the path's blk-mq disk under a multipath head
	maps=$(ls -d /sys/block/"$pdisk"/mq/* 2>/dev/null | wc -l)
	io_poll=$(cat /sys/block/"$ns"/queue/io_poll 2>&1)
	hctx=$(poll_hctx "$pdisk")
	if [ "$maps" -eq 3 ] && [ "$io_poll" = 1 ] && [ -n "$hctx" ]; then
		ok "$ns: 3 hardware queues, ${hctx##*/} a poll queue (io_poll $io_poll)"
	else
		not_ok "$ns: 3 hardware queues, one of them a poll queue" \
			"hardware queues $maps, io_poll '$io_poll', poll hctx '$hctx'"
	fi
	if [ "$(srq_count)" -ge 1 ] &&
		grep -qx Y /sys/module/nvmet_rdma/parameters/use_srq; then
		ok "use_srq=1: $(srq_count) shared receive queue(s) on rxe0"
	else
		not_ok "use_srq=1: shared receive queues on rxe0" "$(rdma resource show srq 2>&1)" \
			"$(dmesg | grep nvmet_rdma | tail -n 5)"
	fi
	# while fio runs, look for requests in flight on the poll hctx
	rc=1 seen=0
	if [ -n "$ns" ]; then
		fio --name=hipri --filename="/dev/$ns" --ioengine=io_uring --hipri \
			--direct=1 --rw=randwrite --bsrange=4k-128k --iodepth=16 \
			--size=16M --verify=crc32c --verify_fatal=1 --do_verify=1 \
			--output=/tmp/fio-hipri.log &
		fpid=$!
		while kill -0 $fpid 2>/dev/null; do
			[ -n "$hctx" ] && grep -q . "$hctx/busy" 2>/dev/null &&
				seen=$((seen + 1))
			sleep 0.1
		done
		wait $fpid
		rc=$?
		fio_check hipri $rc
		rc=$?
	fi
	result $rc "fio io_uring --hipri crc32c verify on the poll queue"
	diag "$(rdma resource show cq 2>&1 | grep -E 'poll-ctx' | sed 's/  */ /g')"
	if [ "$seen" -gt 0 ] && [ "$(host_cq_contexts)" = "1 3 " ]; then
		ok "I/O in flight on the poll queue ($seen samples); 1 of the host's 4 CQs has its own poll context"
	else
		not_ok "I/O in flight on the poll queue; 1 of the host's 4 CQs has its own poll context" \
			"samples with requests on ${hctx##*/}: $seen" \
			"CQs per poll context: '$(host_cq_contexts)'" "$(rdma resource show cq 2>&1)"
	fi
	nvme disconnect -n "$NQN" > /tmp/disc.log 2>&1
	if [ -n "$ctrl" ] && wait_for_gone "/sys/class/nvme/$ctrl" 20; then
		ok "disconnect removes the poll queue controller"
	else
		not_ok "disconnect removes the poll queue controller" "$(cat /tmp/disc.log)"
	fi
}

. "$(dirname "$0")/rdma-target.sh"
