#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PCIe driver options and removal: polled queues (io_uring --hipri),
# MSI/INTx without MSI-X, a single-queue controller, 4-entry rings under
# QD32 (a ring holds one command less than its entries), and PCI function
# removal while fio runs followed by a bus rescan.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

tap_plan 17
topology=(one:1 tiny:1)

reload() {
	modprobe -r nvme 2>/dev/null
	modprobe nvme "$@" && nvme_wait_ctrls 60 "${topology[@]}"
}

fio_verify() {	# DEV LOG [extra fio args...]
	local dev=$1 log=$2
	shift 2
	fio --name=v --filename="$dev" --direct=1 --rw=randwrite --bsrange=4k-64k \
		--iodepth=16 --size=16M --verify=crc32c --verify_fatal=1 \
		--output="$log" "$@" >/dev/null 2>&1 && fio_ok "$log"
}

# ---- polled queues ----------------------------------------------------------
# reload fills CTRL[] and NS[]: run it in this shell, not through check
if reload poll_queues=1; then
	ok "modprobe nvme poll_queues=1: controllers come up"
else
	not_ok "modprobe nvme poll_queues=1: controllers come up"
fi
one=/dev/${NS[one:1]}
check "the namespace queue supports polling (io_poll=1)" \
	test "$(cat /sys/block/${NS[one:1]}/queue/io_poll)" = 1
if fio --enghelp 2>/dev/null | grep -q io_uring; then
	check "fio io_uring --hipri verify on a polled queue" \
		fio_verify "$one" /tmp/poll.log --ioengine=io_uring --hipri
	check "fio io_uring --hipri 4k randread runs" \
		fio --name=r --filename="$one" --direct=1 --rw=randread --bs=4k \
		--ioengine=io_uring --hipri --iodepth=8 --runtime=3 --time_based \
		--output=/tmp/pollr.log
else
	skip "fio io_uring --hipri verify on a polled queue" "fio without io_uring"
	skip "fio io_uring --hipri 4k randread runs" "fio without io_uring"
fi
check "the max_ioqpairs=1 controller still works with poll_queues=1" \
	fio_verify "/dev/${NS[tiny:1]}" /tmp/polltiny.log --ioengine=libaio

# ---- no MSI-X ---------------------------------------------------------------
if debian_mode; then
	skip "modprobe nvme use_msix=N" "our parameter"
	skip "fio verify with MSI/INTx only" "our parameter"
	skip "no MSI-X vectors in use" "our parameter"
	reload
else
	if reload use_msix=N; then
		ok "modprobe nvme use_msix=N"
	else
		not_ok "modprobe nvme use_msix=N"
	fi
	check "fio verify with MSI/INTx only" fio_verify "/dev/${NS[one:1]}" /tmp/msi.log --ioengine=libaio
	bdf=$(basename "$(readlink -f "/sys/class/nvme/${CTRL[one]}/device")")
	check "no MSI-X vectors in use on $bdf" \
		bash -c "! grep -qs msix /sys/bus/pci/devices/$bdf/msi_irqs/*"
	reload
fi

# ---- 4-entry rings under QD32 -------------------------------------------------
if reload io_queue_depth=4; then
	ok "modprobe nvme io_queue_depth=4"
else
	not_ok "modprobe nvme io_queue_depth=4"
fi
check_eq "3 requests per queue (a 4-entry ring holds 3 commands)" 3 \
	"$(cat /sys/block/${NS[one:1]}/queue/nr_requests)"
check "fio verify at QD32 on 4-entry rings" \
	fio_verify "/dev/${NS[one:1]}" /tmp/qd4.log --ioengine=libaio --iodepth=32
reload

# ---- orderly PCI removal under I/O, then rescan -----------------------------
one=/dev/${NS[one:1]}
ctrl=${CTRL[one]}
bdf=$(basename "$(readlink -f /sys/class/nvme/$ctrl/device)")
fio --name=rm --filename="$one" --direct=1 --rw=randrw --bs=4k --iodepth=16 \
	--ioengine=libaio --runtime=60 --time_based --output=/tmp/rm.log >/dev/null 2>&1 &
fpid=$!
sleep 3
check "remove PCI function $bdf while fio runs" \
	timeout 60 sh -c "echo 1 > /sys/bus/pci/devices/$bdf/remove"
check "fio ends (with I/O errors) within 60 s of the removal" \
	timeout 60 sh -c "while kill -0 $fpid 2>/dev/null; do sleep 0.5; done"
wait "$fpid" 2>/dev/null
check "the controller and its namespace are gone" \
	bash -c "[ ! -e /sys/class/nvme/$ctrl ] && [ ! -e $one ]"
check "PCI rescan brings the controller back" \
	bash -c 'echo 1 > /sys/bus/pci/rescan'
if nvme_wait_ctrls 60 "${topology[@]}"; then
	ok "namespace is back after the rescan"
else
	not_ok "namespace is back after the rescan"
fi
check "I/O works after the rescan" fio_verify "/dev/${NS[one:1]}" /tmp/after.log --ioengine=libaio

ktap_finish
