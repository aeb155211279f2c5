#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Power management: the PCIe driver's sleep callbacks run for real while
# fio writes and verifies on every namespace of every controller.
#
#   1. suspend with /sys/power/pm_test=devices: every device is suspended,
#      the kernel waits, then resumes them (our suspend + resume)
#   2. suspend-to-idle ("freeze") with pm_test=platform: also the late and
#      noirq phases, where the PCI core saves config space and puts the
#      function into D3hot, and back.  Real s2idle woken by the RTC alarm
#      (rtcwake -m freeze) never wakes up in our QEMU 7.2 TCG guest (tried:
#      stuck after the noirq phase), so it cannot be tested here.
#   3. hibernation with pm_test=devices: freeze + thaw callbacks; no image
#      is written, so no swap device is needed (skipped if the kernel
#      refuses hibernation)
#
# /sys/power/pm_print_times makes the PM core log each device callback
# and its return value: that shows ours ran and returned 0.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M
# VM: append log_buf_len=4M

# Why this test runs chrooted in a tmpfs root: the VM's root is the host's /
# over virtio-9p.  Every system sleep with device callbacks runs virtio-pci's
# freeze/restore, which resets the 9p device, and the 9p transport of the
# Debian 6.1 guest kernel has no restore callback: after the first resume
# every access to the 9p root hangs for good.  So before any sleep the test
# copies itself, lib.sh and the programs it runs (with their libraries) into
# a tmpfs, and runs there.  tools/vm/guest-init (on 9p) cannot run anything
# after that either, so the chrooted part also ends the VM run the way
# guest-init does: end marker, dmesg splat check, exit marker on ttyS1,
# power off.
PM_ROOT=/dev/shm/pmroot
PM_TOOLS="bash fio dmesg grep sed tail head wc cat date sleep rm touch
	mkdir dd cmp readlink basename dirname tr tee env ls cut"

# pm_copy_prog ROOT NAME: copy program NAME and its shared libraries
pm_copy_prog() {
	local f lib
	f=$(command -v "$2") || { echo "pci-pm: no $2"; return 1; }
	f=$(readlink -f "$f")
	cp "$f" "$1/usr/bin/$2" || return 1
	for lib in $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$1$lib" ] && continue
		mkdir -p "$1$(dirname "$lib")" && cp -L "$lib" "$1$lib" || return 1
	done
}

# pm_build_root ROOT: a tmpfs with PM_TOOLS, this test and lib.sh in /t,
# /proc /sys /dev bind-mounted
pm_build_root() {
	local r=$1 here t
	here=$(cd "$(dirname "$0")" && pwd)
	mkdir -p "$r" && mount -t tmpfs -o mode=0755 pmroot "$r" || return 1
	mkdir -p "$r/usr/bin" "$r/proc" "$r/sys" "$r/dev" "$r/t" "$r/tmp" &&
		chmod 1777 "$r/tmp" &&
		ln -s usr/bin "$r/bin" && ln -s bin "$r/usr/sbin" && ln -s usr/bin "$r/sbin" || return 1
	for t in $PM_TOOLS; do
		pm_copy_prog "$r" "$t" || return 1
	done
	cp /bin/busybox "$r/usr/bin/busybox" &&
		cp "$here/pci-pm.sh" "$here/lib.sh" "$r/t/" || return 1
	# the same splat pattern as guest-init's
	sed -n "s/^pat='\(.*\)'$/\1/p" "$here/../tools/vm/guest-init" > "$r/t/splat-pattern"
	[ -s "$r/t/splat-pattern" ] || { echo "pci-pm: no splat pattern in guest-init"; return 1; }
	mount --bind /proc "$r/proc" && mount --bind /sys "$r/sys" && mount --bind /dev "$r/dev"
}

if [ -n "${NVME_VM:-}" ] && [ "${1:-}" != --in-tmpfs ] && [ "${1:-}" != --vm-tail ]; then
	if ! out=$(pm_build_root "$PM_ROOT" 2>&1); then
		. "$(dirname "$0")/lib.sh"
		tap_plan 14
		diag "cannot build the tmpfs root $PM_ROOT:" "$out"
		fail_rest "no tmpfs root"
		ktap_finish
	fi
	exec chroot "$PM_ROOT" /usr/bin/env PATH=/usr/bin /usr/bin/bash /t/pci-pm.sh --vm-tail
fi

# In the tmpfs root: run the test, then end the VM run like guest-init.
if [ "${1:-}" = --vm-tail ]; then
	say() {
		echo "$*" > /dev/ttyS1
		echo "$*" > /dev/console
	}
	bash /t/pci-pm.sh --in-tmpfs 2>&1 | tee /dev/ttyS1 > /dev/console
	rc=${PIPESTATUS[0]}
	say "@@VM-END@@ $rc"
	sleep 1
	pat=$(cat /t/splat-pattern)
	if dmesg | grep -E "$pat" > /tmp/splat.txt; then
		say "@@VM-DMESG-SPLAT@@ begin"
		first=$(dmesg | grep -nE "$pat" | head -n 1 | cut -d: -f1)
		dmesg | tail -n +"$(( first > 5 ? first - 5 : 1 ))" | head -n 200 > /dev/ttyS1
		say "@@VM-DMESG-SPLAT@@ end"
		[ "$rc" -ne 0 ] || rc=126
	fi
	say "@@VM-EXIT@@ $rc"
	busybox poweroff -f 2>/dev/null
	echo o > /proc/sysrq-trigger
	sleep 10
	exit "$rc"
fi

. "$(dirname "$0")/lib.sh"

tap_plan 14

require_ctrls 60 one:1 three:3 tiny:1

targets=(one:1 three:1 three:2 tiny:1)
bdfs=()
for s in one three tiny; do
	bdfs+=("$(basename "$(readlink -f "/sys/class/nvme/${CTRL[$s]}/device")")")
done
echo 1 > /sys/power/pm_print_times 2>/dev/null
echo 2 > /sys/module/suspend/parameters/pm_test_delay 2>/dev/null
diag "mem_sleep: $(cat /sys/power/mem_sleep 2>/dev/null)" \
	"disk: $(cat /sys/power/disk 2>/dev/null)" "pm_test: $(cat /sys/power/pm_test 2>/dev/null)"

all_live() {
	local s
	for s in one three tiny; do ctrl_live "${CTRL[$s]}" || return 1; done
}

# callbacks_ok MARK: each controller's PM callbacks logged after the dmesg
# line "pci-pm: mark MARK" returned 0, and there was at least one per
# controller.  pm_print_times logs "<drv> <bdf>: PM: <callback> returned
# <status> after <n> usecs".
callbacks_ok() {
	local log b cbs
	log=$(dmesg | sed -n "/pci-pm: mark $1\$/,\$p")
	[ -n "$log" ] || { echo "mark $1 not found in dmesg"; return 1; }
	for b in "${bdfs[@]}"; do
		cbs=$(grep -F " $b: PM: " <<< "$log" | grep " returned ")
		if ! grep -q " returned 0 after " <<< "$cbs"; then
			echo "no successful PM callback logged for $b"
			grep -F "$b" <<< "$log" | tail -n 5
			return 1
		fi
		if grep -v " returned 0 after " <<< "$cbs" | grep -q .; then
			echo "a PM callback of $b failed:"
			grep -v " returned 0 after " <<< "$cbs"
			return 1
		fi
	done
}

# cycle NAME CMD...: fio on every target, then CMD (which sleeps and wakes
# the system); reports 4 results
cycle() {
	local name=$1 t tag rc pids=() bad=""
	shift
	rm -f /tmp/stop-* /tmp/fio-*.rc
	for t in "${targets[@]}"; do
		tag=${t/:/-}
		fio_verify_loop "$tag" "/dev/${NS[$t]}" &
		pids+=($!)
	done
	sleep 4
	marks=$((marks + 1))
	echo "pci-pm: mark $marks" > /dev/kmsg
	"$@" > /tmp/pm-cmd.log 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$name: the system went to sleep and came back"
	else
		not_ok "$name: the system went to sleep and came back" "exit status $rc"
		diag "$(tail -n 5 /tmp/pm-cmd.log)" "$(dmesg | tail -n 15)"
	fi
	check "$name: every NVMe device's PM callbacks ran and returned 0" callbacks_ok "$marks"
	check "$name: every controller is live again" wait_until 60 all_live
	for t in "${targets[@]}"; do touch "/tmp/stop-${t/:/-}"; done
	for t in "${pids[@]}"; do wait_pid "$t" 300; done
	wait
	for t in "${targets[@]}"; do
		bad+=$(fio_loop_failed "${t/:/-}")
	done
	if [ -z "$bad" ]; then
		ok "$name: fio verify across it on ${#targets[@]} namespaces"
	else
		not_ok "$name: fio verify across it on ${#targets[@]} namespaces" "$bad"
	fi
}

marks=0

pm_state() {	# TEST STATE
	echo "$1" > /sys/power/pm_test && echo "$2" > /sys/power/state
}

# ---- 1. suspend, devices test level -------------------------------------------
if [ -w /sys/power/pm_test ] && grep -qw mem /sys/power/state; then
	cycle "suspend (pm_test=devices)" pm_state devices mem
else
	for _ in 1 2 3 4; do skip "suspend (pm_test=devices)" "no pm_test or mem state"; done
fi
echo none > /sys/power/pm_test 2>/dev/null

# ---- 2. suspend-to-idle, platform test level (late + noirq phases) ------------
if [ -w /sys/power/pm_test ] && grep -qw freeze /sys/power/state; then
	cycle "suspend-to-idle (pm_test=platform)" pm_state platform freeze
else
	for _ in 1 2 3 4; do skip "suspend-to-idle (pm_test=platform)" "no pm_test or freeze state"; done
fi
echo none > /sys/power/pm_test 2>/dev/null

# ---- 3. hibernation, devices test level ---------------------------------------
# the kernel must allow it at all (no lockdown, not nohibernate)
if [ -w /sys/power/pm_test ] && grep -qw disk /sys/power/state; then
	grep -qw shutdown /sys/power/disk && echo shutdown > /sys/power/disk
	cycle "hibernation freeze/thaw (pm_test=devices)" pm_state devices disk
	echo none > /sys/power/pm_test
else
	for _ in 1 2 3 4; do skip "hibernation" "the kernel offers no disk state"; done
fi

check "I/O works afterwards on ${NS[one:1]}" \
	bash -c 'head -c 1048576 /dev/urandom > /tmp/x && dd if=/tmp/x of=/dev/$1 bs=64k oflag=direct status=none &&
		dd if=/dev/$1 bs=64k count=16 iflag=direct status=none | cmp - /tmp/x' _ "${NS[one:1]}"

ktap_finish
