#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Autonomous Power State Transitions (APST): nvme_core's parameters carry
# Linux 6.1's names, defaults and permissions, and loading with them set
# leaves the controller working.  QEMU's controller has no APST (APSTA 0,
# one power state), so, as with Linux, no APST table is sent to it and no
# power/pm_qos_latency_tolerance_us file appears; the table itself is
# covered by tests/unit/apst_test.cpp.
#
# VM: mem=2G smp=2 timeout=600 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M

. "$(dirname "$0")/lib.sh"

tap_plan 17

P=/sys/module/nvme_core/parameters
declare -A defaults=(
	[default_ps_max_latency_us]=100000
	[force_apst]=N
	[apst_primary_timeout_ms]=100
	[apst_secondary_timeout_ms]=2000
	[apst_primary_latency_tol_us]=15000
	[apst_secondary_latency_tol_us]=100000
)

# params_are NAME=VALUE...: every parameter reads back as given
params_are() {
	local kv bad=""
	for kv in "$@"; do
		[ "$(cat "$P/${kv%%=*}" 2>&1)" = "${kv#*=}" ] ||
			bad="$bad ${kv%%=*}=$(cat "$P/${kv%%=*}" 2>&1)"
	done
	[ -z "$bad" ] || { echo "differ:$bad"; return 1; }
}

# io_ok DEV: write a block, read it back
io_ok() {
	head -c 4096 /dev/urandom > /tmp/apst-blk
	dd if=/tmp/apst-blk of="/dev/$1" bs=4096 seek=7 oflag=direct status=none &&
		dd if="/dev/$1" bs=4096 skip=7 count=1 iflag=direct status=none |
		cmp - /tmp/apst-blk
}

# apst_kmsg: kernel messages about APST since the mark
apst_kmsg() {
	dmesg | tail -n +"$((KMSG_MARK + 1))" | grep -i 'apst\|feature 0x0c'
}

# reset_live CTRL: nvme reset, then wait for live (30 s)
reset_live() {
	nvme reset "/dev/$1" && wait_until 30 ctrl_live "$1"
}

# apste_off CTRL: Get Features 0Ch is refused (QEMU: Invalid Field) or
# shows APSTE 0
apste_off() {
	local out v
	out=$(nvme get-feature "/dev/$1" -f 0x0c 2>&1) || { echo "refused: $out"; return 0; }
	echo "$out"
	v=$(sed -n 's/.*Current value: *\(0x[0-9a-fA-F]*\).*/\1/p' <<< "$out")
	[ -n "$v" ] && [ $((v & 1)) -eq 0 ]
}

# plain_reload: reload without parameters, the defaults are back
plain_reload() {
	modprobe -r nvme nvme_core && modprobe nvme &&
		nvme_wait_ctrls 60 one:1 && params_are "${kv[@]}"
}

# reload ARGS...: unload nvme and nvme_core, load nvme_core with ARGS, then
# nvme; wait for the controller
reload() {
	modprobe -r nvme nvme_core || return 1
	wait_until 10 test ! -e /sys/module/nvme_core || return 1
	modprobe nvme_core "$@" || return 1
	modprobe nvme || return 1
	nvme_wait_ctrls 60 one:1
}

if debian_mode; then
	skip "nvme_core is our module from updates/" "NVME_VM_MODULES=debian"
else
	check "nvme_core is our module from updates/" our_module_loaded nvme-core
fi
require_ctrls 60 one:1
A=${CTRL[one]}

# ---- parameters -----------------------------------------------------------------
kv=()
for k in "${!defaults[@]}"; do kv+=("$k=${defaults[$k]}"); done
check "the six APST parameters exist with Linux's defaults" params_are "${kv[@]}"
perms=$(for k in "${!defaults[@]}"; do stat -c %a "$P/$k" 2>&1; done | sort -u | tr '\n' ' ')
check_eq "they are all 0644" "644 " "$perms"

# ---- the controller without APST ------------------------------------------------
idc=$(nvme id-ctrl "/dev/$A" 2>&1)
apsta=$(awk '$1 == "apsta" { print $3 }' <<< "$idc")
npss=$(awk '$1 == "npss" { print $3 }' <<< "$idc")
diag "QEMU: apsta=$apsta npss=$npss"
check_eq "QEMU's controller reports no APST (APSTA 0)" 0 "${apsta:-?}"
check "no power/pm_qos_latency_tolerance_us without APST (as Linux)" \
	test ! -e "/sys/class/nvme/$A/power/pm_qos_latency_tolerance_us"
diag "get-feature 0x0c: $(apste_off "$A")"
check "get-feature 0x0c: refused or APSTE 0" apste_off "$A"

# ---- writable at run time ---------------------------------------------------------
check "the parameters can be written at run time (root, 0644)" \
	bash -c "echo 5000 > $P/default_ps_max_latency_us && echo Y > $P/force_apst &&
		 echo 50 > $P/apst_primary_timeout_ms &&
		 grep -qx 5000 $P/default_ps_max_latency_us && grep -qx Y $P/force_apst &&
		 echo 100000 > $P/default_ps_max_latency_us && echo N > $P/force_apst &&
		 echo 100 > $P/apst_primary_timeout_ms"

# ---- loading with APST off / forced -------------------------------------------------
KMSG_MARK=$(dmesg | wc -l)
check "modprobe nvme_core default_ps_max_latency_us=0 force_apst=1 loads; controller live" \
	reload default_ps_max_latency_us=0 force_apst=1
nvme_wait_ctrls 60 one:1	# check ran it in a subshell: learn the names here
A=${CTRL[one]}
check "the values given to modprobe are in effect" \
	params_are default_ps_max_latency_us=0 force_apst=Y apst_primary_timeout_ms=100
check "I/O works on ${NS[one:1]}" io_ok "${NS[one:1]}"
check "nvme reset with force_apst=1: controller comes back live" reset_live "$A"
check "I/O works after the reset" io_ok "${NS[one:1]}"
msgs=$(apst_kmsg)
[ -z "$msgs" ] || diag "$msgs"
check "at most one APST warning, nothing failed" \
	test "$(grep -c . <<< "$msgs")" -le 1

KMSG_MARK=$(dmesg | wc -l)
check "modprobe nvme_core with every APST parameter set loads; controller live" \
	reload force_apst=Y apst_primary_timeout_ms=10 apst_secondary_timeout_ms=0 \
	apst_primary_latency_tol_us=0 apst_secondary_latency_tol_us=1 \
	default_ps_max_latency_us=4294967296
nvme_wait_ctrls 60 one:1
check "I/O works on ${NS[one:1]}" io_ok "${NS[one:1]}"

check "plain reload: the defaults are back" plain_reload

ktap_finish
