#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /dev/nvme-fabrics and its option strings: the list libnvme reads back,
# clean -EINVAL (and a log line naming the option) for every malformed
# request, no controller left behind, no splat, and the modules unload.
#
# VM: mem=1G smp=2 timeout=300 modules=nvme-core,nvme-fabrics,nvmet,nvme-loop

. "$(dirname "$0")/lib.sh"

tap_plan 17

DEV=/dev/nvme-fabrics
NQN=nqn.2026-12.io.selftest:opts

# fab_write STRING: write STRING in one write(2); prints the error text
fab_write() {
	printf '%s' "$1" | dd of="$DEV" bs="${#1}" count=1 iflag=fullblock status=none
}

# refused DESC STRING [DMESG_WORD]: the write fails with EINVAL and the
# kernel log names DMESG_WORD
refused() {
	local desc=$1 str=$2 word=${3:-} err
	sleep 0.6	# the log lines are rate limited (10 per 5 s)
	dmesg -C
	if err=$(fab_write "$str" 2>&1); then
		not_ok "$desc" "write of '${str:0:80}' succeeded"
		return
	fi
	case "$err" in
	*"Invalid argument"*) ;;
	*) not_ok "$desc" "unexpected error: $err"; return ;;
	esac
	if [ -n "$word" ] && ! dmesg | grep -q -- "$word"; then
		not_ok "$desc" "no log line naming '$word'" "$(dmesg | tail -n 5)"
		return
	fi
	ok "$desc"
}

if [ ! -c "$DEV" ] && ! wait_for_path "$DEV" 10; then
	not_ok "/dev/nvme-fabrics exists"
	fail_rest "no device"
	ktap_finish
fi
ok "/dev/nvme-fabrics exists"

check "nvme-fabrics is ours" our_module_loaded nvme-fabrics

list=$(cat "$DEV")
case "$list" in
instance=-1,cntlid=-1,transport=%s,traddr=%s,trsvcid=%s,nqn=%s,*hostnqn=%s*hostid=%s*duplicate_connect*nr_poll_queues=%d*fast_io_fail_tmo=%d,discovery*)
	ok "reading an idle device lists the supported options" ;;
*)
	not_ok "reading an idle device lists the supported options" "$list" ;;
esac

check "/sys/class/nvme-fabrics/ctl exists" test -d /sys/class/nvme-fabrics/ctl

modprobe nvme-loop
refused "unknown option is refused and named" \
	"transport=loop,nqn=$NQN,frobnicate=3" frobnicate
refused "missing nqn is refused" "transport=loop,queue_size=32" nqn
refused "missing transport is refused" "nqn=$NQN" transport
refused "nr_io_queues=-1 is refused" "transport=loop,nqn=$NQN,nr_io_queues=-1" nr_io_queues
refused "queue_size=8 is refused" "transport=loop,nqn=$NQN,queue_size=8" queue_size
refused "non-numeric value is refused" "transport=loop,nqn=$NQN,keep_alive_tmo=soon" keep_alive_tmo
refused "an option the transport does not take is refused" \
	"transport=loop,nqn=$NQN,hdr_digest" hdr_digest
refused "unknown transport is refused" "transport=carrierpigeon,nqn=$NQN" carrierpigeon

junk=$(head -c 65536 /dev/zero | tr '\0' 'x')
refused "64 KiB of junk is refused" "$junk" "too long"
refused "4000 bytes of junk is refused" "${junk:0:4000}" "unknown option"

# a well formed request with nothing to connect to fails, and fast
t0=$(date +%s)
if fab_write "transport=loop,nqn=$NQN" 2>/dev/null; then
	not_ok "connect without a target port fails"
else
	t=$(( $(date +%s) - t0 ))
	if [ "$t" -le 5 ]; then ok "connect without a target port fails"
	else not_ok "connect without a target port fails" "took ${t}s"; fi
fi

# many random strings: none may succeed or leave anything behind
for i in $(seq 1 200); do
	s=$(head -c $((RANDOM % 300 + 1)) /dev/urandom | tr -c 'a-z_=,0-9\n' ',')
	fab_write "$s" 2>/dev/null
done
n=$(cat /sys/class/nvme/*/transport 2>/dev/null | grep -vc pcie)
check_eq "200 random option strings leave no fabrics controller" 0 "$n"

modprobe -r nvme-loop nvme-fabrics
check "nvme-loop and nvme-fabrics unload" test ! -d /sys/module/nvme_fabrics

ktap_finish
