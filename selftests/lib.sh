# SPDX-License-Identifier: GPL-2.0
#
# selftests/lib.sh: small TAP (kselftest-style) helpers for the VM selftests.
# Source it from a test script that runs inside the VM (tools/vm/run):
#
#   . "$(dirname "$0")/lib.sh"
#   tap_plan 3
#   check "controller is live" test "$(cat /sys/class/nvme/nvme0/state)" = live
#   ok "something that was checked by hand"
#   skip "needs feature X" "QEMU does not emulate it"
#   ktap_finish            # exits 1 if anything failed or the plan was not met
#
# Only lines "ok N - ..." / "not ok N - ..." at column 0 are results; diag
# lines start with "# ", nested output (subtests) is indented four spaces.

REPO=${NVME_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PROBE="$REPO/build/cmake/tools/nvme-ioctl-probe"
URING_PROBE="$REPO/build/cmake/tools/nvme-uring-probe"
DIO_UNALIGNED="$REPO/build/cmake/tools/dio-unaligned"

_tap_n=0
_tap_plan=0
_tap_failed=0
_tap_skipped=0
_tap_t0=$(date +%s)

# ---- TAP --------------------------------------------------------------------

tap_plan() {
	_tap_plan=$1
	echo "TAP version 13"
	echo "1..$1"
}

diag() {
	local l
	printf '%s\n' "$@" | while IFS= read -r l; do echo "# $l"; done
}

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

# not_ok DESC [DIAG...]
not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	shift
	[ $# -eq 0 ] || diag "$@"
}

# skip DESC REASON
skip() {
	_tap_n=$((_tap_n + 1))
	_tap_skipped=$((_tap_skipped + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

# skip_rest REASON: mark every remaining planned test as skipped
skip_rest() {
	while [ "$_tap_n" -lt "$_tap_plan" ]; do
		skip "not run" "$1"
	done
}

# bail_rest REASON: mark every remaining planned test as failed
fail_rest() {
	while [ "$_tap_n" -lt "$_tap_plan" ]; do
		not_ok "not run: $1"
	done
}

# result STATUS DESC: ok if STATUS is 0
result() {
	if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2" "exit status $1"; fi
}

# check DESC CMD [ARGS...]: run CMD, ok if it exits 0; on failure its output
# (stdout+stderr, last 30 lines) is printed as diagnostics.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "exit status: $rc"
		[ -z "$out" ] || diag "$(printf '%s\n' "$out" | tail -n 30)"
	fi
	return $rc
}

# check_fails DESC CMD [ARGS...]: ok if CMD exits non-zero (but was not
# killed by a signal, i.e. status < 128)
check_fails() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -lt 128 ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc" "command: $*" "exit status: $rc (expected a clean failure)"
	[ -z "$out" ] || diag "$(printf '%s\n' "$out" | tail -n 30)"
	return 1
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected: '$2'" "actual:   '$3'"
		return 1
	fi
}

# subtest DESC CMD...: run a command that prints TAP itself; its output is
# indented as a TAP13 subtest and one result line is added for it.
subtest() {
	local desc=$1 rc
	shift
	echo "# Subtest: $desc"
	"$@" 2>&1 | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ]; then ok "$desc"; else not_ok "$desc" "exit status $rc"; fi
	return "$rc"
}

# ktap_finish: print totals, exit 0 only if nothing failed and the plan
# was met.
ktap_finish() {
	local t=$(( $(date +%s) - _tap_t0 ))
	if [ "$_tap_n" -ne "$_tap_plan" ]; then
		echo "# planned $_tap_plan tests but ran $_tap_n"
		_tap_failed=$((_tap_failed + 1))
	fi
	echo "# Totals: pass:$((_tap_n - _tap_failed - _tap_skipped)) fail:$_tap_failed skip:$_tap_skipped (${t}s)"
	[ "$_tap_failed" -eq 0 ] && exit 0
	exit 1
}

# ---- waiting ------------------------------------------------------------------

# wait_until TIMEOUT_SEC CMD...: poll CMD every 0.2 s until it succeeds.
wait_until() {
	local deadline=$(( $(date +%s) + $1 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# wait_for_path PATH TIMEOUT_SEC
wait_for_path() {
	wait_until "${2:-30}" test -e "$1"
}

# wait_for_gone PATH TIMEOUT_SEC
wait_for_gone() {
	wait_until "${2:-30}" test ! -e "$1"
}

# ---- modules ------------------------------------------------------------------

# True when the VM runs Debian's in-kernel modules instead of ours.
debian_mode() {
	[ "${NVME_VM_MODULES:-}" = debian ]
}

# our_module_loaded NAME: NAME is loaded and its file is the one installed
# into updates/ (i.e. ours, not Debian's).
our_module_loaded() {
	local m=${1//-/_} path
	[ -d "/sys/module/$m" ] || return 1
	path=$(modinfo -n "$1" 2>/dev/null) || return 1
	case "$path" in */updates/*) return 0 ;; esac
	return 1
}

# ---- data ---------------------------------------------------------------------

# sha256_of FILE [BYTES]: hash of a file or the first BYTES of a device
sha256_of() {
	if [ -n "${2:-}" ]; then
		head -c "$2" "$1" | sha256sum | cut -d' ' -f1
	else
		sha256sum < "$1" | cut -d' ' -f1
	fi
}

# sha256_range DEV OFFSET_BYTES LEN_BYTES (both multiples of 4096)
sha256_range() {
	dd if="$1" bs=4096 skip=$(( $2 / 4096 )) count=$(( $3 / 4096 )) \
		iflag=direct status=none | sha256sum | cut -d' ' -f1
}

# random_file PATH SIZE_BYTES
random_file() {
	head -c "$2" /dev/urandom > "$1"
}

# is_zero DEV OFFSET_BYTES LEN_BYTES: the range reads back as zeroes
is_zero() {
	cmp -s -n "$3" <(dd if="$1" bs=4096 skip=$(( $2 / 4096 )) count=$(( $3 / 4096 )) \
		iflag=direct status=none) /dev/zero
}

# ---- NVMe topology ---------------------------------------------------------------

# These helpers avoid forking (read builtins instead of cat/tr): they are
# polled in loops, and fork+exec is slow under TCG.

# ctrl_by_serial SERIAL: print the controller name (nvmeX) with that serial
ctrl_by_serial() {
	local c s
	for c in /sys/class/nvme/nvme*; do
		s=
		read -r s < "$c/serial" 2>/dev/null || [ -n "$s" ] || continue
		if [ "$s" = "$1" ]; then
			echo "${c##*/}"
			return 0
		fi
	done
	return 1
}

# ns_node NAME: sets NS_NODE to the block device of a namespace entry
# under /sys/class/nvme/nvmeX.  With native multipath the entry is a
# hidden path nvmeScCnN and the device is its head nvmeSnN.  (No fork:
# it is polled.)
ns_node() {
	NS_NODE=$1
	if [[ $1 =~ ^(nvme[0-9]+)c[0-9]+(n[0-9]+)$ ]]; then
		NS_NODE=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
	fi
}

# ctrl_disks CTRL: sets NS_DISKS to how many namespaces of CTRL have
# their block device.  (No fork: it is polled.)
ctrl_disks() {
	local d
	NS_DISKS=0
	for d in /sys/class/nvme/"$1"/nvme*n*; do
		[ -e "$d" ] || continue
		ns_node "${d##*/}"
		[ -b "/dev/$NS_NODE" ] && NS_DISKS=$((NS_DISKS + 1))
	done
	return 0
}

# ctrl_state CTRL
ctrl_state() {
	local s=
	read -r s < "/sys/class/nvme/$1/state" 2>/dev/null
	echo "$s"
}

# ctrl_live CTRL
ctrl_live() {
	local s=
	read -r s < "/sys/class/nvme/$1/state" 2>/dev/null
	[ "$s" = live ]
}

# ctrl_namespaces CTRL: block devices (nvmeXnY) of a controller, by NSID
ctrl_namespaces() {
	local d id
	local -a byid=()
	for d in /sys/class/nvme/"$1"/nvme*n*; do
		id=
		read -r id < "$d/nsid" 2>/dev/null || [ -n "$id" ] || continue
		ns_node "${d##*/}"
		[[ "$id" =~ ^[0-9]+$ ]] && byid[$id]=$NS_NODE
	done
	[ ${#byid[@]} -eq 0 ] || printf '%s\n' "${byid[@]}"
}

# ns_disk_of CTRL NSID: the blk-mq disk of namespace NSID on CTRL: the
# namespace's own disk, or with native multipath CTRL's hidden path disk
# (whose mq/ and debugfs show CTRL's hardware queues)
ns_disk_of() {
	local d id
	for d in /sys/class/nvme/"$1"/nvme*n*; do
		id=
		read -r id < "$d/nsid" 2>/dev/null || [ -n "$id" ] || continue
		if [ "$id" = "$2" ]; then
			echo "${d##*/}"
			return 0
		fi
	done
	return 1
}

# ns_by_nsid CTRL NSID: block device name of namespace NSID (the
# multipath head of a path)
ns_by_nsid() {
	local d
	d=$(ns_disk_of "$1" "$2") || return 1
	ns_node "$d"
	echo "$NS_NODE"
}

# subsys_of CTRL: the nvme-subsysK that CTRL belongs to
subsys_of() {
	local s
	for s in /sys/class/nvme-subsystem/*; do
		[ -e "$s/$1" ] && { echo "${s##*/}"; return 0; }
	done
	return 1
}

# ng_of NSDEV: generic char device name of a namespace (nvme0n1 -> ng0n1)
ng_of() {
	echo "ng${1#nvme}"
}

# ctrl_ready SERIAL NSCOUNT: controller is live and shows NSCOUNT namespaces
# with their /dev nodes
ctrl_ready() {
	local c n d s id
	c=$(ctrl_by_serial "$1") || return 1
	ctrl_live "$c" || return 1
	n=0
	for d in /sys/class/nvme/"$c"/nvme*n*; do
		id=
		read -r id < "$d/nsid" 2>/dev/null || [ -n "$id" ] || continue
		ns_node "${d##*/}"
		d=$NS_NODE
		[ -b "/dev/$d" ] && [ -c "/dev/ng${d#nvme}" ] || return 1
		n=$((n + 1))
	done
	[ "$n" -eq "$2" ]
}

# nvme_wait_ctrls TIMEOUT SERIAL:NSCOUNT...: wait until every controller is
# live with its namespaces. Fills the associative arrays CTRL[serial]=nvmeX
# and NS[serial:nsid]=nvmeXnY. Returns 1 (after printing diagnostics) on
# timeout.
declare -gA CTRL=() NS=()
nvme_wait_ctrls() {
	local timeout=$1 spec serial count deadline c i
	shift
	deadline=$(( $(date +%s) + timeout ))
	for spec in "$@"; do
		serial=${spec%%:*} count=${spec#*:}
		until ctrl_ready "$serial" "$count"; do
			if [ "$(date +%s)" -ge "$deadline" ]; then
				diag "timeout waiting for controller '$serial' with $count namespaces"
				nvme_diag
				return 1
			fi
			sleep 0.2
		done
		c=$(ctrl_by_serial "$serial")
		CTRL[$serial]=$c
		for ((i = 1; i <= count; i++)); do
			NS[$serial:$i]=$(ns_by_nsid "$c" "$i") || {
				diag "controller $c ($serial) has no namespace with NSID $i"
				return 1
			}
		done
	done
}

# require_ctrls TIMEOUT SERIAL:COUNT...: one TAP result for "the controllers
# came up"; if they did not, fail every remaining planned test and exit.
require_ctrls() {
	local timeout=$1 desc n=0 spec list=""
	shift
	for spec in "$@"; do
		list="${list:+$list+}${spec#*:}"
		n=$((n + 1))
	done
	desc="$n controllers with $list namespaces come up live"
	if ! nvme_wait_ctrls "$timeout" "$@"; then
		not_ok "$desc"
		fail_rest "controllers did not come up"
		ktap_finish
	fi
	ok "$desc"
}

# nvme_diag: print the NVMe state for debugging a failure
nvme_diag() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[ -e "$c" ] || continue
		diag "$(basename "$c"): serial='$(tr -d ' ' < "$c/serial" 2>/dev/null)' state=$(cat "$c/state" 2>/dev/null) ns=$(ctrl_namespaces "$(basename "$c")" | tr '\n' ' ')"
	done
	diag "$(ls /dev/nvme* /dev/ng* 2>&1 | tr '\n' ' ')"
	diag "$(dmesg | tail -n 20)"
}

# blockdev_bytes DEV: size of a block device in bytes
blockdev_bytes() {
	blockdev --getsize64 "/dev/${1#/dev/}"
}

# lba_size DEV: logical block size
lba_size() {
	cat "/sys/block/${1#/dev/}/queue/logical_block_size"
}

# fio_ok LOGFILE: fio log shows no errors (err= must be 0 everywhere)
fio_ok() {
	! grep -E 'err= *[1-9]|verify: bad|fio: (pid|io_u error)|io_u error' "$1" >/dev/null
}

# ---- background I/O -----------------------------------------------------------

# fio_verify_loop TAG DEV [SIZE]: verified randwrite passes on DEV (SIZE,
# default 16M) until /tmp/stop-TAG exists, at least 2 passes; run it in the
# background.  The result goes to /tmp/fio-TAG.rc ("status passes").
fio_verify_loop() {
	local tag=$1 dev=$2 size=${3:-16M} pass=0 rc=0 log
	while :; do
		pass=$((pass + 1))
		log=/tmp/fio-$tag-$pass.log
		fio --name="$tag-$pass" --filename="$dev" --ioengine=libaio --direct=1 \
			--iodepth=16 --rw=randwrite --bsrange=4k-64k --size="$size" \
			--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
			--output="$log" 2>> "$log"
		rc=$?
		if [ $rc -ne 0 ] || ! fio_ok "$log"; then
			[ $rc -ne 0 ] || rc=1
			break
		fi
		[ -e "/tmp/stop-$tag" ] && [ $pass -ge 2 ] && break
	done
	echo "$rc $pass" > "/tmp/fio-$tag.rc"
}

# fio_loop_failed TAG: prints why fio_verify_loop TAG failed; false if it passed
fio_loop_failed() {
	local rc pass
	read -r rc pass < "/tmp/fio-$1.rc" 2>/dev/null || { rc=255 pass=0; }
	[ "$rc" = 0 ] && return 1
	echo "$1: fio status $rc in pass $pass"
	grep -hE 'err=|verify|error|fio:' "/tmp/fio-$1-$pass.log" 2>/dev/null | head -n 10
	return 0
}

# fio_verify_start NAME DEV SIZE RUNTIME: verified random writes on DEV
# in the background for RUNTIME seconds (log /tmp/fio-NAME.log, pid in
# FIO_PID); fio_verify_end DESC waits and prints the result.
fio_verify_start() {
	FIO_LOG=/tmp/fio-$1.log
	fio --name="$1" --filename="$2" --ioengine=libaio --direct=1 \
		--rw=randwrite --bsrange=4k-64k --iodepth=16 --size="$3" \
		--verify=crc32c --verify_backlog=32 --verify_fatal=1 --time_based \
		--runtime="$4" --output="$FIO_LOG" > /dev/null 2>&1 &
	FIO_PID=$!
}
fio_verify_end() {
	wait "$FIO_PID"
	fio_result "$1" $? "$FIO_LOG"
}

# fio_result DESC STATUS LOG: ok when fio exited 0 and its log shows no
# error, else not ok with the log's error lines (and returns 1)
fio_result() {
	if [ "$2" -eq 0 ] && fio_ok "$3"; then
		ok "$1"
		return 0
	fi
	not_ok "$1" "fio exit status $2"
	diag "$(grep -E 'err=|verify|error|fio:' "$3" | head -n 20)"
	return 1
}

# wait_pid PID TIMEOUT_SEC: wait until PID (not a child of ours) is gone
wait_pid() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.2
	done
	return 1
}

# ---- comparing with Debian's modules ----------------------------------------

# compare_all GROUP...: for the *-compare scripts, which dump what a user
# sees into /tmp/cmp/debian/GROUP and /tmp/cmp/ours/GROUP.  With SHOW=1
# Debian's dumps are printed first; then one TAP result per GROUP from the
# script's own compare GROUP.
compare_all() {
	local g
	if [ "${SHOW:-0}" = 1 ]; then
		for g in "$@"; do diag "==== $g" "$(cat "/tmp/cmp/debian/$g")"; done
	fi
	for g in "$@"; do compare "$g"; done
}
