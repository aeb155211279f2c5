#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The NVMe/TCP target against tools/tcp-peer's malformed-PDU scenarios:
# every bad PDU must end the connection (C2HTermReq or close) or fail the
# command within 5 s, a bystander controller must keep working, a fresh
# session must work afterwards, and dmesg must stay clean (the harness
# checks). Against ours tcp-peer runs with --strict. Passes against
# Debian's nvmet-tcp too (lenient reactions tolerated), which proves the test:
#   tools/vm/run --modules debian:nvmet,nvmet-tcp --script selftests/target-tcp-malformed.sh
#
# VM: mem=1G smp=2 timeout=300 modules=nvmet,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

PEER="$REPO/build/cmake/tools/tcp-peer"
SUB=nqn.2014-08.org.example:malformed
T=/dev/shm/tcp-malformed	# tmpfs: a file on the overlay root reports 1-byte blocks

tap_plan 5
mkdir -p $T
[ -x "$PEER" ] || { not_ok "tcp-peer is built" "$PEER missing: make unit"; fail_rest "no tool"; ktap_finish; }
ok "tcp-peer is built"

modprobe -q nvmet 2>/dev/null
modprobe -q nvmet-tcp 2>/dev/null
strict=--strict
if debian_mode || [[ "${NVME_VM_MODULES:-}" == debian:* ]] || ! our_module_loaded nvmet-tcp; then
	strict=	# Debian's target answers a few bad capsules instead of ending the queue
	ok "target modules loaded (Debian's: lenient reactions tolerated)"
else
	check "target modules loaded (ours)" our_module_loaded nvmet-tcp
fi

truncate -s 64M $T/ns.img
if nvmet_subsys $SUB 1 && nvmet_ns $SUB 1 $T/ns.img 1 &&
   nvmet_port 1 tcp 127.0.0.1 4420 && echo 8192 > "$NVMET_CFS/ports/1/param_inline_data_size" &&
   nvmet_link 1 $SUB; then
	ok "target configured (file namespace, inline_data_size 8192)"
else
	not_ok "target configured"
	fail_rest "no target"
	ktap_finish
fi

dmesg -c > /dev/null
t0=$(date +%s)
subtest "tcp-peer scenarios" "$PEER" --addr 127.0.0.1 --port 4420 --nqn $SUB --react-ms 5000 $strict
diag "tcp-peer took $(( $(date +%s) - t0 )) s"
diag "target log lines during the run:" "$(dmesg | grep -i nvmet | sort | uniq -c | sort -rn | head -n 40)"

nvmet_clear
check "target torn down (configfs empty)" test -z "$(ls "$NVMET_CFS/subsystems" "$NVMET_CFS/ports" | grep -v '^/\|^$')"
ktap_finish
