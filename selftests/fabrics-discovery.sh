#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Persistent discovery controllers over NVMe/TCP: `nvme discover -p` keeps
# the discovery controller connected; a subsystem linked to (or unlinked
# from) the port makes the target send a Discovery Log Changed AEN, which
# our host turns into a KOBJ_CHANGE uevent with NVME_AEN= on the
# controller's char device (what nvme-cli's autoconnect udev rule reacts
# to); the log read again through the same controller shows the change;
# the controller stays live while idle (keep-alive); it leaves cleanly.
#
# The target is Debian's nvmet-tcp (fabrics-discovery-ours.sh: ours).
#
# VM: mem=2G smp=2 timeout=300 modules=nvme-core,nvme-fabrics,nvme-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"
. "$(dirname "$0")/lib-tcphost.sh"

DISC_NQN=nqn.2014-08.org.nvmexpress.discovery

tap_plan 16

if ! tcp_target_up; then
	not_ok "target set up ($(tcp_target_kind))"
	fail_rest "no target"
	ktap_finish
fi
ok "target set up ($(tcp_target_kind)): $NQN1 on $TCP_ADDR:$TCP_PORT"
# a second subsystem, not linked to the port yet
nvmet_subsys "$NQN2"
nvmet_ns "$NQN2" 1 /dev/nullb0 >/dev/null 2>&1 || true

# kernel uevents straight from netlink (no udevd needed)
uev=/tmp/disc-uevents.log
udevadm monitor --kernel --property --subsystem-match=nvme > "$uev" 2>&1 &
mon=$!
sleep 1

out=$(timeout 20 nvme discover -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" -p 2>&1)
rc=$?
dctrl=$(tcp_ctrl_of "$DISC_NQN")
if [ $rc -eq 0 ] && [ -n "$dctrl" ] && grep -q "subnqn: *$NQN1" <<< "$out"; then
	ok "nvme discover -p lists $NQN1 and keeps $dctrl connected"
else
	not_ok "nvme discover -p keeps a discovery controller" "rc=$rc ctrl='$dctrl'" "$out"
	kill $mon 2>/dev/null
	fail_rest "no persistent discovery controller"
	ktap_finish
fi
check "$dctrl is live" wait_until 5 ctrl_live "$dctrl"
diag "$dctrl: kato $(cat /sys/class/nvme/"$dctrl"/kato 2>/dev/null)" \
	"queue_count $(cat /sys/class/nvme/"$dctrl"/queue_count 2>/dev/null)"
check_eq "$dctrl has no I/O queues" 1 "$(cat /sys/class/nvme/"$dctrl"/queue_count)"

# aen_seen N: at least N change uevents with NVME_AEN for $dctrl
aen_seen() {
	local n
	n=$(awk -v d="DEVNAME=/dev/$dctrl" '
		/^KERNEL\[/ { ch = ($0 ~ / change /); dev = 0; next }
		$0 == d { dev = 1 }
		/^NVME_AEN=/ && ch { aen = 1 }
		/^$/ { if (ch && dev && aen) c++; ch = dev = aen = 0 }
		END { if (ch && dev && aen) c++; print c + 0 }' "$uev")
	[ "$n" -ge "$1" ]
}

# listed_via_ctrl NQN: the log read through the persistent controller lists NQN
listed_via_ctrl() {
	timeout 10 nvme discover -d "$dctrl" 2>&1 | grep -q "subnqn: *$1"
}

nvmet_link 1 "$NQN2"
t0=$(date +%s)
if wait_until 5 aen_seen 1; then
	ok "linking $NQN2: discovery change uevent on $dctrl within $(( $(date +%s) - t0 )) s"
	diag "$(grep -E '^(KERNEL|NVME_AEN|NVME_TRTYPE|DEVNAME)' "$uev" | tail -n 4)"
else
	not_ok "linking $NQN2: discovery change uevent on $dctrl within 5 s" \
		"$(cat "$uev")" "$(dmesg | tail -n 10)"
fi
check "the change uevent carries NVME_TRTYPE, NVME_TRADDR, NVME_TRSVCID (autoconnect rule)" \
	bash -c "grep -qx NVME_TRTYPE=tcp $uev && grep -qx NVME_TRADDR=$TCP_ADDR $uev &&
		grep -qx NVME_TRSVCID=$TCP_PORT $uev && grep -q '^NVME_HOST_TRADDR=' $uev"
check "/sys/class/nvme/$dctrl/uevent has the address too" \
	bash -c "grep -qx NVME_TRADDR=$TCP_ADDR /sys/class/nvme/$dctrl/uevent &&
		grep -qx NVME_TRSVCID=$TCP_PORT /sys/class/nvme/$dctrl/uevent"
check "the log read through $dctrl lists $NQN2" listed_via_ctrl "$NQN2"
check "... and still $NQN1" listed_via_ctrl "$NQN1"

nvmet_unlink 1 "$NQN2"
if wait_until 5 aen_seen 2; then
	ok "unlinking $NQN2: a second change uevent"
else
	not_ok "unlinking $NQN2: a second change uevent" "$(cat "$uev")"
fi
check_fails "the log read through $dctrl no longer lists $NQN2" listed_via_ctrl "$NQN2"

# nvme-cli reuses the persistent controller instead of making a new one
before=$(ls -d /sys/class/nvme/nvme* | wc -l)
timeout 20 nvme discover -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" -p >/dev/null 2>&1
check_eq "a second 'nvme discover -p' adds no controller" "$before" \
	"$(ls -d /sys/class/nvme/nvme* | wc -l)"

sleep 12
check "$dctrl still live after 12 s idle" ctrl_live "$dctrl"
timeout 30 nvme connect-all -d "$dctrl" >/dev/null 2>&1
check "connect-all through $dctrl connects $NQN1" wait_until 10 tcp_ctrl_of "$NQN1"

kill $mon 2>/dev/null
wait $mon 2>/dev/null
nvme disconnect-all >/dev/null 2>&1
check "disconnect-all leaves no controller" wait_until 10 tcp_no_leftovers
tcp_target_down
modprobe -r nvme-tcp nvme-fabrics 2>/dev/null
check "host modules unload" bash -c '! lsmod | grep -q "^nvme_tcp "'

ktap_finish
