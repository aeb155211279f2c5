#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe/TCP host error recovery against an in-kernel target: the port
# unlinked for 6 s under verified fio and relinked (reconnect, no fio
# error), 20 s idle with kato 5 (stays live, no reconnect), the port
# removed for good with ctrl_loss_tmo=5 (controller deleted after ~5 s,
# pending I/O fails, nothing hangs), fast_io_fail_tmo (I/O fails early
# while the controller keeps reconnecting, works again once it is back).
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"
. "$(dirname "$0")/lib-tcphost.sh"

tap_plan 13

if ! tcp_target_up; then
	not_ok "target set up"
	fail_rest "no target"
	ktap_finish
fi
ok "target set up ($(tcp_target_kind))"

port_down() {	# unlink the subsystem (and remove the port with "gone")
	nvmet_unlink 1 "$NQN1"
	[ "${1:-}" = gone ] && rmdir "$NVMET_CFS/ports/1"
	return 0
}
port_up() {
	[ -d "$NVMET_CFS/ports/1" ] || nvmet_port 1 tcp "$TCP_ADDR" "$TCP_PORT"
	nvmet_link 1 "$NQN1"
}
gone() { [ -z "$(tcp_ctrl_of "$NQN1")" ]; }

# ---- port unlinked 6 s under fio, then relinked ----
ctrl=$(tcp_connect "$NQN1" -i 2 -c 1 -l 60 -k 5)
if [ -z "$ctrl" ] || ! tcp_wait_ns "$ctrl" 2 10; then
	not_ok "connect (reconnect_delay 1, ctrl_loss_tmo 60)"
	fail_rest "not connected"
	ktap_finish
fi
ok "connect (reconnect_delay 1, ctrl_loss_tmo 60): $ctrl"
ns1=$(ns_by_nsid "$ctrl" 1)

fio_verify_start outage "/dev/$ns1" 64M 16
sleep 3
port_down
saw_down=0
for _ in $(seq 30); do
	[ "$(ctrl_state "$ctrl")" != live ] && { saw_down=1; break; }
	sleep 0.2
done
sleep 6
port_up
check_eq "controller left live when the port went away" 1 "$saw_down"
if wait_until 20 ctrl_live "$ctrl"; then
	ok "controller reconnected after the port came back"
else
	not_ok "controller reconnected after the port came back" "state $(ctrl_state "$ctrl")" \
		"$(dmesg | tail -n 15)"
fi
fio_verify_end "fio across the outage: no error, data verified"

# ---- idle with keep-alive ----
changes=0
for _ in $(seq 20); do
	ctrl_live "$ctrl" || changes=$((changes + 1))
	sleep 1
done
check_eq "20 s idle with kato 5: stayed live" 0 "$changes"
check "I/O still works after the idle period" \
	dd if="/dev/$ns1" of=/dev/null bs=64k count=16 iflag=direct status=none
check "disconnect" nvme disconnect -n "$NQN1"
wait_until 10 gone

# ---- ctrl_loss_tmo=5 with the port gone for good ----
ctrl=$(tcp_connect "$NQN1" -i 2 -c 1 -l 5)
tcp_wait_ns "$ctrl" 2 10
ns1=$(ns_by_nsid "$ctrl" 1)
port_down gone
t0=$(date +%s)
# I/O issued after the loss: waits for the reconnect, then fails
timeout 60 dd if="/dev/$ns1" of=/dev/null bs=4k count=1 iflag=direct status=none &
dd_pid=$!
wait_until 30 gone
t=$(( $(date +%s) - t0 ))
if gone && [ $t -ge 3 ] && [ $t -le 15 ]; then
	ok "ctrl_loss_tmo=5: controller deleted after ${t}s"
else
	not_ok "ctrl_loss_tmo=5: controller deleted after ~5 s" "took ${t}s, state $(ctrl_state "$ctrl")"
fi
wait "$dd_pid"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then
	ok "pending I/O failed (dd status $rc), no hang"
else
	not_ok "pending I/O failed, no hang" "dd status $rc"
fi

# ---- fast_io_fail_tmo: fail I/O early, keep reconnecting ----
port_up
# nvme-cli 2.4 has no fast_io_fail_tmo switch: write the option string
printf 'transport=tcp,traddr=%s,trsvcid=%s,nqn=%s,hostnqn=%s,nr_io_queues=2,reconnect_delay=1,ctrl_loss_tmo=60,fast_io_fail_tmo=2' \
	"$TCP_ADDR" "$TCP_PORT" "$NQN1" "$(host_nqn)" > /dev/nvme-fabrics
wait_until 10 tcp_ctrl_of "$NQN1"
ctrl=$(tcp_ctrl_of "$NQN1")
tcp_wait_ns "$ctrl" 2 10
ns1=$(ns_by_nsid "$ctrl" 1)
port_down
wait_until 5 test "$(ctrl_state "$ctrl")" != live
t0=$(date +%s)
timeout 30 dd if="/dev/$ns1" of=/dev/null bs=4k count=1 iflag=direct status=none
rc=$?
t=$(( $(date +%s) - t0 ))
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $t -le 8 ] && ! gone; then
	ok "fast_io_fail_tmo=2: I/O failed after ${t}s, controller still there"
else
	not_ok "fast_io_fail_tmo=2: I/O fails early, controller still there" \
		"dd status $rc after ${t}s, state $(ctrl_state "$ctrl")"
fi
port_up
if wait_until 20 ctrl_live "$ctrl" &&
   dd if="/dev/$ns1" of=/dev/null bs=4k count=1 iflag=direct status=none; then
	ok "after the port is back the controller is live and I/O works"
else
	not_ok "after the port is back the controller is live and I/O works" "state $(ctrl_state "$ctrl")"
fi

nvme disconnect-all > /dev/null 2>&1
check "nothing left behind" wait_until 10 tcp_no_leftovers
tcp_target_down
ktap_finish
