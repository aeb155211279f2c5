#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Controller resets under load: fio with verification keeps writing while
# "nvme reset" hits the controller twice (and once through sysfs); no I/O
# may fail, the data must verify and the controller must come back live.
# The controller with a single I/O queue pair (shadow doorbells on, the
# default) is reset under load too: every command then sits on the one
# queue whose shadow doorbell and event index a reset must start afresh.
# (Debian 6.1's driver loses that queue for good after such a reset on
# QEMU 7.2: commands time out, abort and reset again, forever.)
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

tap_plan 15

require_ctrls 60 one:1 three:3 tiny:1

# fio_loop TAG DEV: run verified fio passes on DEV until /tmp/stop-TAG exists
# (at least 2 passes); the status ends up in /tmp/fio-TAG.rc.
fio_loop() {
	local tag=$1 dev=$2 pass=0 rc=0
	while :; do
		pass=$((pass + 1))
		fio --name="$tag-$pass" --filename="$dev" --ioengine=libaio --direct=1 \
			--iodepth=16 --rw=randwrite --bsrange=4k-64k --size=32M \
			--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
			--output="/tmp/fio-$tag-$pass.log" 2>> "/tmp/fio-$tag-$pass.log"
		rc=$?
		if [ $rc -ne 0 ] || ! fio_ok "/tmp/fio-$tag-$pass.log"; then
			[ $rc -ne 0 ] || rc=1
			break
		fi
		[ -e "/tmp/stop-$tag" ] && [ $pass -ge 2 ] && break
	done
	echo "$rc $pass" > "/tmp/fio-$tag.rc"
}

fio_report() { # TAG DESC
	local rc pass
	read -r rc pass < "/tmp/fio-$1.rc" 2>/dev/null || { rc=255 pass=0; }
	if [ "$rc" = 0 ]; then
		ok "$2 ($pass fio passes)"
	else
		not_ok "$2" "fio status $rc in pass $pass"
		diag "$(grep -hE 'err=|verify|error|fio:' /tmp/fio-"$1"-"$pass".log 2>/dev/null | head -n 30)"
	fi
}

# reset_and_wait CTRL: nvme reset, then wait for live (30 s)
reset_and_wait() {
	nvme reset "/dev/$1" && wait_until 30 ctrl_live "$1"
}

A=${CTRL[one]} C=${CTRL[tiny]}
rm -f /tmp/stop-* /tmp/fio-*.rc

fio_loop a "/dev/${NS[one:1]}" &
pa=$!
# a reader on the second controller, to keep another controller busy
fio --name=reader --filename="/dev/${NS[three:1]}" --ioengine=libaio --direct=1 \
	--iodepth=8 --rw=randread --bs=4k --time_based=1 --runtime=40 \
	--output=/tmp/fio-reader.log 2>> /tmp/fio-reader.log &
pr=$!

sleep 3
check "nvme reset /dev/$A under I/O (1st), back to live" reset_and_wait "$A"
sleep 4
check "nvme reset /dev/$A under I/O (2nd), back to live" reset_and_wait "$A"
sleep 3
check "reset via sysfs reset_controller of /dev/$A under I/O, back to live" \
	bash -c 'echo 1 > /sys/class/nvme/$1/reset_controller && for i in $(seq 150); do
		[ "$(cat /sys/class/nvme/$1/state)" = live ] && exit 0; sleep 0.2; done; exit 1' _ "$A"
touch /tmp/stop-a

wait_pid() { # PID TIMEOUT
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.2
	done
	return 1
}
check "fio on ${NS[one:1]} finishes within 300 s" wait_pid $pa 300
wait $pa
fio_report a "fio randwrite+verify on ${NS[one:1]} survives the resets without errors"
wait_pid $pr 120
wait $pr
frc=$?
if [ $frc -eq 0 ] && fio_ok /tmp/fio-reader.log; then
	ok "fio reader on the other controller ${NS[three:1]} saw no errors"
else
	not_ok "fio reader on the other controller ${NS[three:1]} saw no errors" "status $frc"
	diag "$(grep -E 'err=|error' /tmp/fio-reader.log | head)"
fi

check_eq "controller states afterwards" "live live live" \
	"$(ctrl_state "$A") $(ctrl_state "${CTRL[three]}") $(ctrl_state "$C")"
check "all namespaces still present" ctrl_ready one 1
check "a reset with no I/O running works too" reset_and_wait "$A"
check "idle reset of the single-queue controller /dev/$C (twice), back to live" \
	bash -c "$(declare -f reset_and_wait wait_until ctrl_live); reset_and_wait $C && sleep 1 && reset_and_wait $C"
check "verified fio on ${NS[tiny:1]} after its resets" \
	bash -c "fio --name=tiny --filename=/dev/${NS[tiny:1]} --ioengine=libaio --direct=1 --iodepth=16 \
		--rw=randwrite --bsrange=4k-64k --size=16M --verify=crc32c --verify_fatal=1 \
		--randrepeat=0 --output=/tmp/fio-tiny.log && $(declare -f fio_ok); fio_ok /tmp/fio-tiny.log"
fio_loop c "/dev/${NS[tiny:1]}" &
pc=$!
sleep 2
check "nvme reset of the single-queue controller /dev/$C under I/O (3 times), back to live" \
	bash -c "$(declare -f reset_and_wait wait_until ctrl_live); for i in 1 2 3; do
		reset_and_wait $C || exit 1; sleep 2; done"
touch /tmp/stop-c
wait_pid $pc 300
wait $pc
fio_report c "fio randwrite+verify on ${NS[tiny:1]} survives those resets without errors"
check "I/O works after the last reset" \
	bash -c 'head -c 1048576 /dev/urandom > /tmp/x && dd if=/tmp/x of=/dev/$1 bs=64k oflag=direct status=none &&
		dd if=/dev/$1 bs=64k count=16 iflag=direct status=none | cmp - /tmp/x' _ "${NS[one:1]}"

ktap_finish
