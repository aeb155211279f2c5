#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# io_uring passthrough on the generic char devices (NVME_URING_CMD_IO on
# /dev/ngXnY), driven by fio's io_uring_cmd engine: verified writes on
# 512-byte and 4096-byte LBA namespaces, registered (fixed) buffers, and a
# transfer beyond the controller's MDTS, which must fail cleanly (passthrough
# is never split); tools/nvme-uring-probe for admin commands, results and
# malformed commands.
#
# VM: mem=2G smp=2 timeout=600 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

tap_plan 11

require_ctrls 60 one:1 three:2 tiny:1
ng1=/dev/$(ng_of "${NS[one:1]}")
ng4k=/dev/$(ng_of "${NS[three:2]}")
ngtiny=/dev/$(ng_of "${NS[tiny:1]}")

# ucmd_fio NAME DEV [fio options]: verified random writes through uring_cmd
ucmd_fio() {
	local name=$1 dev=$2
	shift 2
	fio --name="$name" --filename="$dev" --ioengine=io_uring_cmd \
		--cmd_type=nvme --rw=randwrite --size=16M --iodepth=16 \
		--verify=crc32c --do_verify=1 --output="/tmp/$name.log" "$@"
}

if ! fio --enghelp 2>/dev/null | grep -qx '[[:space:]]*io_uring_cmd'; then
	skip_rest "fio without the io_uring_cmd engine"
	ktap_finish
fi

subtest "uring probe: Identify, results and malformed commands on /dev/${CTRL[one]} and $ng1" \
	"$URING_PROBE" "/dev/${CTRL[one]}" "$ng1"
check "io_uring_cmd: verified 4k-64k writes, QD16, 512-byte LBAs ($ng1)" \
	ucmd_fio u512 "$ng1" --bsrange=4k-64k
check "io_uring_cmd: verified 16k writes, 4096-byte LBAs ($ng4k)" \
	ucmd_fio u4k "$ng4k" --bs=16k
check "io_uring_cmd with registered buffers (--fixedbufs)" \
	ucmd_fio ufixed "$ng1" --bs=8k --fixedbufs
check "io_uring_cmd: 4k verified writes on the tiny-MDTS controller" \
	ucmd_fio utiny "$ngtiny" --bs=4k
check_fails "io_uring_cmd: a 64k transfer beyond MDTS (8k) fails" \
	fio --name=big --filename="$ngtiny" --ioengine=io_uring_cmd \
		--cmd_type=nvme --rw=read --bs=64k --size=1M --iodepth=4 \
		--output=/tmp/big.log
check "the namespace still reads after that ($ngtiny)" \
	fio --name=after --filename="$ngtiny" --ioengine=io_uring_cmd \
		--cmd_type=nvme --rw=read --bs=4k --size=1M --iodepth=4 \
		--output=/tmp/after.log

# ---- a polled ring (IORING_SETUP_IOPOLL) on polled queues ------------------
modprobe -r nvme 2>/dev/null
if modprobe nvme poll_queues=1 && nvme_wait_ctrls 60 one:1 three:2 tiny:1; then
	ok "modprobe nvme poll_queues=1: controllers come up"
else
	not_ok "modprobe nvme poll_queues=1: controllers come up"
fi
ng1=/dev/$(ng_of "${NS[one:1]}")
check "io_uring_cmd --hipri: verified 4k-64k writes on a polled queue ($ng1)" \
	ucmd_fio upoll "$ng1" --bsrange=4k-64k --hipri
check "io_uring_cmd --hipri --fixedbufs on a polled queue" \
	ucmd_fio upollfix "$ng1" --bs=4k --hipri --fixedbufs

ktap_finish
