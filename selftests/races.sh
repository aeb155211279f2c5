#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Races between the host, the target's configfs and module unload, with
# our host and our target in one kernel:
# - a Connect racing the unlink of its subsystem from the port (loop and
#   tcp, the port keeps another subsystem so it stays enabled): once the
#   link is gone, no controller of that subsystem may stay live;
# - sysfs delete_controller racing modprobe -r nvme-loop, the loop port
#   already gone (the host controller reconnecting): no oops, the module
#   either unloads or refuses, and unloads once the delete is done;
# - the port removed afterwards: rmdir returns.
#
# VM: mem=2G smp=2 timeout=600 modules=nvme-core,nvme-fabrics,nvmet,nvme-loop,nvme-tcp,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

ROUNDS=${RACE_ROUNDS:-12}
tap_plan 9

KEEP=nqn.2026-12.io.nvme-oot:race-keep
RACE=nqn.2026-12.io.nvme-oot:race-link
IMG=/dev/shm/race.img

# ctrls_of NQN: the nvmeX whose subsysnqn is NQN, one per line
ctrls_of() {
	local c s
	for c in /sys/class/nvme/nvme*; do
		s=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		[ "$s" = "$1" ] && echo "${c##*/}"
	done
}

# live_ctrls_of NQN: how many of them are live
live_ctrls_of() {
	local c n=0
	for c in $(ctrls_of "$1"); do
		[ "$(cat "/sys/class/nvme/$c/state" 2>/dev/null)" = live ] &&
			n=$((n + 1))
	done
	echo "$n"
}

connect() {	# connect TRANSPORT NQN [extra nvme connect args...]
	local t=$1 n=$2
	shift 2
	if [ "$t" = loop ]; then
		nvme connect -t loop -n "$n" "$@"
	else
		nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$n" "$@"
	fi
}

modprobe nvme-loop
modprobe nvmet-tcp
modprobe nvme-tcp
truncate -s 64M "$IMG"
if nvmet_subsys "$KEEP" && nvmet_ns "$KEEP" 1 "$IMG" 1 &&
   nvmet_subsys "$RACE" && nvmet_ns "$RACE" 1 "$IMG" 1 &&
   nvmet_port 1 loop "" "" && nvmet_link 1 "$KEEP" &&
   nvmet_port 2 tcp 127.0.0.1 4420 ipv4 && nvmet_link 2 "$KEEP"; then
	ok "target: two subsystems, a loop port and a tcp port"
else
	not_ok "target: two subsystems, a loop port and a tcp port"
fi

# ---- Connect vs unlink ------------------------------------------------------
# Every round links RACE, starts a connect, unlinks RACE a little later
# (0-190 ms: before, during or after the connect) and then checks that
# whatever controller the connect made is not live: the unlink killed it,
# or the connect was refused.
connect_vs_unlink() {	# connect_vs_unlink TRANSPORT PORT
	local t=$1 p=$2 i bad=0 made=0 pid
	for i in $(seq "$ROUNDS"); do
		nvmet_link "$p" "$RACE" || return 1
		connect "$t" "$RACE" --ctrl-loss-tmo=2 --reconnect-delay=1 \
			>/dev/null 2>&1 &
		pid=$!
		sleep "0.$((RANDOM % 20))"
		nvmet_unlink "$p" "$RACE"
		wait "$pid" && made=$((made + 1))
		# a killed controller fails its queues at once; give it 3 s
		if ! wait_until 3 test "$(live_ctrls_of "$RACE")" = 0; then
			bad=$((bad + 1))
			echo "round $i: $(live_ctrls_of "$RACE") live after the unlink"
		fi
		nvme disconnect -n "$RACE" >/dev/null 2>&1
		wait_until 10 test -z "$(ctrls_of "$RACE")"
	done
	echo "$t: $made of $ROUNDS connects succeeded" >> /tmp/races.txt
	[ "$bad" -eq 0 ]
}

check "loop: no live controller survives the unlink of its subsystem" \
	connect_vs_unlink loop 1
check "tcp: no live controller survives the unlink of its subsystem" \
	connect_vs_unlink tcp 2
check "the subsystem still on the ports connects and works (loop)" \
	bash -c "nvme connect -t loop -n $KEEP >/dev/null &&
		 sleep 1 && nvme disconnect -n $KEEP >/dev/null"
check_eq "no controller left" "" "$(ls /sys/class/nvme 2>/dev/null)"

# ---- delete_controller vs modprobe -r nvme-loop -----------------------------
# The loop port goes away first (its enabled port pins nvme-loop), leaving
# a host controller that reconnects forever; then a sysfs delete and the
# unload run at the same time.
delete_vs_rmmod() {
	local i c bad=0 first=0
	nvmet_unlink 1 "$KEEP"
	rmdir "$NVMET_CFS/ports/1" || return 1
	rm -f /tmp/races-first
	for i in $(seq "$ROUNDS"); do
		modprobe nvme-loop || return 1
		nvmet_port 1 loop "" "" && nvmet_link 1 "$KEEP" || return 1
		connect loop "$KEEP" --ctrl-loss-tmo=-1 --reconnect-delay=1 \
			>/dev/null 2>&1 || { echo "round $i: connect failed"; return 1; }
		c=$(ctrls_of "$KEEP")
		nvmet_unlink 1 "$KEEP"
		rmdir "$NVMET_CFS/ports/1"
		wait_until 5 bash -c "! grep -qx live /sys/class/nvme/$c/state"
		# odd rounds start the delete first, even rounds the unload
		if [ $((i % 2)) = 1 ]; then
			(echo 1 > "/sys/class/nvme/$c/delete_controller") \
				2>/dev/null &
			sleep "0.0$((RANDOM % 10))"
			modprobe -r nvme-loop 2>/dev/null && first=$((first + 1))
		else
			(modprobe -r nvme-loop 2>/dev/null &&
			 echo >> /tmp/races-first) &
			sleep "0.0$((RANDOM % 10))"
			echo 1 > "/sys/class/nvme/$c/delete_controller" 2>/dev/null
		fi
		wait
		# refused while the delete held it: it must go now
		if grep -q '^nvme_loop ' /proc/modules &&
		   ! wait_until 10 modprobe -r nvme-loop; then
			echo "round $i: nvme-loop does not unload"
			bad=$((bad + 1))
		fi
		if [ -n "$(ctrls_of "$KEEP")" ]; then
			echo "round $i: controller $c left behind"
			bad=$((bad + 1))
		fi
	done
	first=$((first + $(cat /tmp/races-first 2>/dev/null | wc -l)))
	echo "unload: $first of $ROUNDS at the first try" >> /tmp/races.txt
	[ "$bad" -eq 0 ]
}

check "delete_controller racing modprobe -r nvme-loop" delete_vs_rmmod
check "nvme-loop loads again and connects" \
	bash -c "modprobe nvme-loop && mkdir -p $NVMET_CFS/ports/1 &&
		 echo loop > $NVMET_CFS/ports/1/addr_trtype &&
		 ln -s $NVMET_CFS/subsystems/$KEEP $NVMET_CFS/ports/1/subsystems/$KEEP &&
		 nvme connect -t loop -n $KEEP >/dev/null &&
		 nvme disconnect -n $KEEP >/dev/null"

diag "$(cat /tmp/races.txt)"

# ---- teardown ---------------------------------------------------------------
check "the target tears down (port rmdir returns)" timeout 60 bash -c \
	". $REPO/selftests/lib-nvmet.sh; nvmet_clear"
check "modules unload" bash -c "modprobe -r nvme-loop nvme-tcp nvmet-tcp nvmet"
rm -f "$IMG"
ktap_finish
