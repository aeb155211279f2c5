#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ioctl robustness: tools/nvme-ioctl-probe (built by "make unit" into
# build/cmake/tools/) throws valid and malformed NVMe ioctls at the
# controller, namespace char and block devices; nvme-cli passthrough with a
# bogus opcode and an absurd data length must fail cleanly. The VM harness
# fails the run if any of it leaves a kernel splat in dmesg.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

tap_plan 13

require_ctrls 60 one:1 three:3 tiny:1
A=${CTRL[one]} B=${CTRL[three]} C=${CTRL[tiny]}

if [ ! -x "$PROBE" ]; then
	not_ok "nvme-ioctl-probe is built" "$PROBE missing: run 'make unit' (tools/run-unit.sh) first"
	fail_rest "no probe binary"
	ktap_finish
fi
ok "nvme-ioctl-probe is built"

subtest "ioctl probe: controller /dev/$A" "$PROBE" "/dev/$A"
subtest "ioctl probe: namespace char device /dev/$(ng_of "${NS[one:1]}")" "$PROBE" "/dev/$(ng_of "${NS[one:1]}")"
subtest "ioctl probe: namespace block device /dev/${NS[one:1]}" "$PROBE" "/dev/${NS[one:1]}"
subtest "ioctl probe: 4 KiB-LBA namespace /dev/${NS[three:2]} and /dev/$(ng_of "${NS[three:2]}")" \
	"$PROBE" "/dev/${NS[three:2]}" "/dev/$(ng_of "${NS[three:2]}")"
subtest "ioctl probe: tiny-MDTS controller /dev/$C and /dev/${NS[tiny:1]}" \
	"$PROBE" "/dev/$C" "/dev/${NS[tiny:1]}"

check_fails "nvme admin-passthru --opcode=0xff fails with an NVMe status" \
	nvme admin-passthru "/dev/$A" --opcode=0xff
out=$(nvme admin-passthru "/dev/$A" --opcode=0xff 2>&1)
check "... and nvme-cli reports a status, not a transport error" \
	grep -qiE 'status|invalid' <<< "$out"
check_fails "nvme admin-passthru Identify with --data-len=2147483648 fails cleanly" \
	nvme admin-passthru "/dev/$A" --opcode=6 --cdw10=1 --data-len=2147483648 --read
check_fails "nvme io-passthru Read with --data-len=2147483648 fails cleanly" \
	nvme io-passthru "/dev/${NS[one:1]}" --opcode=2 --namespace-id=1 --data-len=2147483648 --read --cdw12=0xffff

check "all controllers still live and answer Identify" \
	bash -c 'for c in "$@"; do [ "$(cat /sys/class/nvme/$c/state)" = live ] && nvme id-ctrl /dev/$c >/dev/null || exit 1; done' \
	_ "$A" "$B" "$C"

# A failed ioctl must not leak a request / queue reference: removing the
# namespaces freezes their queues, which would then wait forever.
if debian_mode; then
	skip "after the ioctl storm, modprobe -r nvme completes within 30 s" \
		"Debian 6.1.192 leaks a queue reference when NVME_IOCTL_IO_CMD fails on an oversized metadata_len (EINVAL); del_gendisk then hangs forever"
else
	modprobe -r nvme > /dev/null 2>&1 < /dev/null &
	if wait_until 30 test ! -e /sys/module/nvme; then
		ok "after the ioctl storm, modprobe -r nvme completes within 30 s"
		modprobe nvme
		nvme_wait_ctrls 60 one:1 three:3 tiny:1 >/dev/null
	else
		not_ok "after the ioctl storm, modprobe -r nvme completes within 30 s" \
			"probably a leaked request or queue reference (blk_mq_freeze_queue_wait in del_gendisk)"
		diag "$(ps -eo pid,stat,wchan:32,args | grep -E '[m]odprobe')"
	fi
fi

ktap_finish
