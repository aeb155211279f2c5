#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The NVMe/TCP host against tools/tcp-badtarget, a scripted misbehaving
# target: for each protocol violation at connect time, "nvme discover" and
# "nvme connect" must fail within 5 s; for the I/O-time ones the connect
# works, the first read meets the violation, and within 20 s the
# controller has either recovered (a read works) or been torn down. No
# splat (the harness checks dmesg), nothing left behind, and the host
# still works against a well-behaved target afterwards.
#
# Then the "legal-*" scenarios: a target that is correct but unusual
# (C2HData with SUCCESS and no CapsuleResp, CPDA 31, MAXH2CDATA 4096,
# several R2Ts per write, all at once, with and without digests): fio
# verifies random writes of 4-128 KiB through each, and 1 MiB written with
# dd reads back identical.
#
#   Debian: tools/vm/run --modules debian:nvme-tcp --script selftests/tcp-host-badtarget.sh
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp

. "$(dirname "$0")/lib.sh"

BAD="$REPO/build/cmake/tools/tcp-badtarget"
SUB=nqn.2014-08.org.example:badtarget
PORT=4430
T=/tmp/tcp-badtarget
LIMIT=5		# seconds a failing discover/connect may take
SILENT_LIMIT=12	# ... when the target just never answers (a timeout must fire)
mkdir -p $T

mapfile -t SCEN < <("$BAD" --list 2>/dev/null | awk '$1 != "good" && $2 != "legal" { print $1 ":" $2 }')
mapfile -t LEGAL < <("$BAD" --list 2>/dev/null | awk '$2 == "legal" { print $1 }')
# legal-all once more with both digests
[ ${#LEGAL[@]} -gt 0 ] && LEGAL+=("legal-all:--hdr-digest --data-digest")
n_conn=0 n_io=0
for s in "${SCEN[@]}"; do
	case ${s#*:} in io) n_io=$((n_io + 1)) ;; *) n_conn=$((n_conn + 1)) ;; esac
done
tap_plan $((2 + 2 * n_conn + 2 * n_io + 3 + 3 * ${#LEGAL[@]}))

[ -x "$BAD" ] && [ ${#SCEN[@]} -gt 0 ] || { not_ok "tcp-badtarget is built" "$BAD missing: make unit"; fail_rest "no tool"; ktap_finish; }
ok "tcp-badtarget is built (${#SCEN[@]} scenarios)"

# Debian's host: THP-backed buffers trip its receive path (see DEVELOPERS.md)
echo never > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
modprobe -q nvme-tcp 2>/dev/null
ours=0
our_module_loaded nvme-tcp && ours=1
# Short command timeouts: a violation must be caught by the host's checks
# (well inside LIMIT), never by a timeout; these only bound how long the
# "never answers" scenarios and the hosts that rely on timeouts take.
P=/sys/module/nvme_core/parameters
old_admin=$(cat $P/admin_timeout 2>/dev/null) old_io=$(cat $P/io_timeout 2>/dev/null)
echo 5 > $P/admin_timeout 2>/dev/null
echo 5 > $P/io_timeout 2>/dev/null
diag "nvme_core admin_timeout=$(cat $P/admin_timeout 2>/dev/null) io_timeout=$(cat $P/io_timeout 2>/dev/null) (were $old_admin/$old_io)"
if [ $ours = 1 ]; then
	ok "host modules loaded (ours)"
else
	ok "host modules loaded (Debian's: slow failures are reported, not counted)"
fi

BPID=
start_bad() {	# start_bad SCENARIO
	"$BAD" --addr 127.0.0.1 --port $PORT --nqn $SUB --scenario "$1" > $T/bad.log 2>&1 &
	BPID=$!
	wait_until 10 grep -q listening $T/bad.log
}
stop_bad() {
	[ -n "$BPID" ] && kill "$BPID" 2>/dev/null && wait "$BPID" 2>/dev/null
	BPID=
}
cleanup_ctrls() {
	nvme disconnect-all >/dev/null 2>&1
	wait_until 20 sh -c '! ls /sys/class/nvme/nvme* >/dev/null 2>&1'
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# time_fail LIMIT DESC CMD...: CMD must fail within LIMIT seconds
time_fail() {
	local lim=$1 desc=$2 t0 t1 rc ms
	shift 2
	t0=$(now_ms)
	timeout 15 "$@" > $T/cmd.log 2>&1
	rc=$?
	t1=$(now_ms)
	ms=$((t1 - t0))
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $ms -le $((lim * 1000)) ]; then
		ok "$desc: fails in ${ms} ms"
	elif [ $ours = 0 ]; then
		skip "$desc" "Debian host: rc $rc after ${ms} ms$([ $rc = 124 ] && echo ' (killed at 15 s)')"
	else
		not_ok "$desc: rc $rc after ${ms} ms (must fail within ${lim} s)" "$(tail -n 3 $T/cmd.log)"
	fi
	diag "host log: $(dmesg -c | grep -E 'nvme' | tail -n 3 | sed 's/^\[[ 0-9.]*\] //' | tr '\n' '|')"
}

dmesg -c > /dev/null
for s in "${SCEN[@]}"; do
	name=${s%%:*} when=${s#*:}
	if ! start_bad "$name"; then
		not_ok "$name: badtarget starts" "$(cat $T/bad.log)"
		continue
	fi
	if [ "$when" != io ]; then
		lim=$LIMIT
		# a target that never sends the ICResp is caught by the host's
		# own 3 s ICResp timeout (LIMIT), not by the admin timeout
		case $name in icresp-silent) ;; *-silent) lim=$SILENT_LIMIT ;; esac
		time_fail $lim "$name: nvme discover" nvme discover -t tcp -a 127.0.0.1 -s $PORT
		cleanup_ctrls
		time_fail $lim "$name: nvme connect" nvme connect -t tcp -a 127.0.0.1 -s $PORT -n $SUB
		cleanup_ctrls
		stop_bad
		continue
	fi
	# I/O time: connect works, the first read (the partition scan) meets
	# the violation once; then the target behaves again
	if ! timeout 15 nvme connect -t tcp -a 127.0.0.1 -s $PORT -n $SUB \
		--ctrl-loss-tmo=5 --reconnect-delay=1 > $T/cmd.log 2>&1; then
		not_ok "$name: nvme connect" "$(tail -n 3 $T/cmd.log)"
		skip "$name: controller recovers or goes away" "no connect"
		cleanup_ctrls
		stop_bad
		continue
	fi
	ok "$name: nvme connect"
	t0=$(now_ms)
	recovered=
	dev=
	while [ $(( $(now_ms) - t0 )) -lt 20000 ]; do
		if grep -q misbehaving $T/bad.log; then
			c=$(ls -d /sys/class/nvme/nvme* 2>/dev/null | head -n 1)
			if [ -z "$c" ]; then
				recovered="torn down"
				break
			fi
			dev=$(ls -d "$c"/nvme*n1 2>/dev/null | head -n 1)
			ns_node "${dev##*/}"
			dev=$NS_NODE
			if ctrl_live "${c##*/}" && [ -n "$dev" ] && [ -b /dev/$dev ] &&
			   timeout 10 dd if=/dev/$dev of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null; then
				recovered="recovered, read works"
				break
			fi
		fi
		sleep 0.3
	done
	ms=$(( $(now_ms) - t0 ))
	if [ -n "$recovered" ]; then
		ok "$name: controller $recovered (${ms} ms)"
	elif [ $ours = 0 ]; then
		skip "$name: controller recovers or goes away" "Debian host: neither after ${ms} ms"
	else
		not_ok "$name: controller recovers or goes away within 20 s" "$(nvme_diag)"
	fi
	diag "host log: $(dmesg -c | grep -E 'nvme' | tail -n 4 | sed 's/^\[[ 0-9.]*\] //' | tr '\n' '|')"
	cleanup_ctrls
	stop_bad
done

# ---- the host still works against a good target ---------------------------------
start_bad good
if timeout 20 nvme connect -t tcp -a 127.0.0.1 -s $PORT -n $SUB > $T/cmd.log 2>&1 &&
   wait_until 20 sh -c 'ls /dev/nvme*n1' ; then
	ok "good target: nvme connect"
	dev=$(ls /dev/nvme*n1 | head -n 1)
	random_file $T/data 1048576
	if dd if=$T/data of=$dev bs=64k oflag=direct status=none &&
	   [ "$(sha256_of $dev 1048576)" = "$(sha256_of $T/data)" ]; then
		ok "good target: 1 MiB written and read back"
	else
		not_ok "good target: 1 MiB written and read back"
	fi
else
	not_ok "good target: nvme connect" "$(tail -n 3 $T/cmd.log)"
	skip "good target: 1 MiB written and read back" "no connect"
fi
cleanup_ctrls
stop_bad

# ---- legal but unusual targets: data must survive ---------------------------------
# legal_ok DESC / legal_bad DESC WHY: Debian's host only reports
legal_ok() { ok "$1"; }
legal_bad() {
	if [ $ours = 0 ]; then skip "$1" "Debian host: $2"; else not_ok "$1" "$2"; fi
}
random_file $T/data 1048576
dmesg -c > /dev/null
for l in "${LEGAL[@]}"; do
	name=${l%%:*} args=
	[ "$l" != "$name" ] && args=${l#*:}
	desc="$name${args:+ ($args)}"
	if ! start_bad "$name"; then
		legal_bad "$desc: badtarget starts" "$(cat $T/bad.log)"
		skip "$desc: fio verify" "no target"
		skip "$desc: 1 MiB dd round trip, no queue error" "no target"
		continue
	fi
	# shellcheck disable=SC2086
	if ! timeout 20 nvme connect -t tcp -a 127.0.0.1 -s $PORT -n $SUB $args > $T/cmd.log 2>&1 ||
	   ! wait_until 20 sh -c 'ls /dev/nvme*n1 >/dev/null 2>&1'; then
		legal_bad "$desc: nvme connect" "$(tail -n 3 $T/cmd.log)"
		skip "$desc: fio verify" "no connect"
		skip "$desc: 1 MiB dd round trip, no queue error" "no connect"
		diag "host log: $(dmesg -c | grep -E 'nvme' | tail -n 4 | sed 's/^\[[ 0-9.]*\] //' | tr '\n' '|')"
		cleanup_ctrls
		stop_bad
		continue
	fi
	legal_ok "$desc: nvme connect"
	dev=$(ls /dev/nvme*n1 | head -n 1)
	timeout 120 fio --name=legal --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=randwrite --bsrange=4k-128k --iodepth=16 --size=8M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
		--output=$T/fio.log > /dev/null 2>&1
	rc=$?
	if [ $rc -eq 0 ] && fio_ok $T/fio.log; then
		legal_ok "$desc: fio verify (4-128 KiB random writes, QD16)"
	else
		legal_bad "$desc: fio verify (4-128 KiB random writes, QD16)" \
			"fio rc $rc: $(grep -E 'err=|verify|error' $T/fio.log | head -n 3)"
	fi
	if ! dd if=$T/data of="$dev" bs=128k oflag=direct status=none ||
	   [ "$(sha256_of "$dev" 1048576)" != "$(sha256_of $T/data)" ]; then
		legal_bad "$desc: 1 MiB dd round trip, no queue error" "data differs or I/O error"
	elif dmesg | grep -q 'failing the queue\|error recovery'; then
		legal_bad "$desc: 1 MiB dd round trip, no queue error" \
			"$(dmesg | grep 'nvme' | tail -n 3 | tr '\n' '|')"
	else
		legal_ok "$desc: 1 MiB dd round trip, no queue error"
	fi
	diag "badtarget: $(grep -v listening $T/bad.log | tail -n 2 | tr '\n' '|')"
	dmesg -c > /dev/null
	cleanup_ctrls
	stop_bad
done
check "no controller left behind" sh -c '! ls /sys/class/nvme/nvme* >/dev/null 2>&1'
[ -z "$old_admin" ] || echo "$old_admin" > $P/admin_timeout
[ -z "$old_io" ] || echo "$old_io" > $P/io_timeout
ktap_finish
