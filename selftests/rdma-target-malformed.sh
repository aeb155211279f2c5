#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our nvmet-rdma against a host that breaks the protocol on purpose
# (tools/rdma-peer, userspace librdmacm over soft-RoCE): bad connect
# private data is rejected with the binding's status, a short capsule, an
# in-capsule Connect on the admin queue, a capsule larger than the receive
# buffer, an SGL segment descriptor and an unregistered key each end the
# queue (with the right NVMe status where a response can be sent) and
# leave exactly one log line; afterwards the target still serves a normal
# host and unloads cleanly.
#
# VM: mem=1G smp=2 timeout=300 modules=nvmet,nvmet-rdma

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

ADDR=10.77.0.1
NQN=nqn.2014-08.org.nvmexpress:rdma-malformed
PEER="$REPO/build/cmake/tools/rdma-peer"

tap_plan 14

if [ ! -x "$PEER" ]; then
	skip_rest "build/cmake/tools/rdma-peer not built (needs librdmacm-dev)"
	ktap_finish
fi

ip link add v0 type veth peer name v1 && ip addr add "$ADDR/24" dev v0 &&
	ip link set v1 up && ip link set v0 up &&
	modprobe rdma_rxe && modprobe rdma_ucm && modprobe ib_uverbs &&
	rdma link add rxe0 type rxe netdev v0
modprobe null_blk nr_devices=1 gb=1
modprobe nvmet && modprobe nvmet-rdma
if wait_for_path /sys/class/infiniband/rxe0 20 && nvmet_subsys "$NQN" 1 &&
	nvmet_ns "$NQN" 1 /dev/nullb0 && nvmet_port 1 rdma "$ADDR" 4420 &&
	nvmet_link 1 "$NQN" && our_module_loaded nvmet-rdma; then
	ok "our nvmet-rdma listens on $ADDR:4420 (rxe0)"
else
	not_ok "our nvmet-rdma listens on $ADDR:4420 (rxe0)" "$(dmesg | tail -n 20)"
	fail_rest "no target"
	ktap_finish
fi

# peer SCENARIO EXPECTED: one scenario, its one output line must match
peer() {
	local out
	out=$(timeout 30 "$PEER" "$ADDR" 4420 "$1" 2>&1)
	if [[ "$out" =~ ^$1:\ $2$ ]]; then
		ok "$1: $out"
	else
		not_ok "$1" "expected: $1: $2" "actual:   $out"
	fi
}

dmesg -C
peer good "established"
peer bad-recfmt "rejected sts=2"
peer bad-hsqsize "rejected sts=4"
peer big-hsqsize "rejected sts=4"
peer bad-hrqsize "rejected sts=5"
peer short-capsule "established disconnected"
peer inline-admin "established response status=0x11 disconnected"
peer oversize-capsule "established disconnected"
peer bad-sgl-type "established response status=0x11 disconnected"
peer bad-key "established disconnected"
sleep 2

refused=$(dmesg | grep -c 'nvmet_rdma: connect request from .* refused')
ended=$(dmesg | grep -c 'nvmet_rdma: queue .*; disconnecting')
if [ "$refused" -eq 4 ] && [ "$ended" -eq 5 ]; then
	ok "one log line per refused connection (4) and per ended queue (5)"
else
	not_ok "one log line per refused connection (4) and per ended queue (5)" \
		"refused $refused, ended $ended" "$(dmesg | grep nvmet_rdma)"
fi
diag "$(dmesg | grep nvmet_rdma)"

modprobe nvme-rdma
out=$(nvme discover -t rdma -a "$ADDR" -s 4420 2>&1)
if grep -q "subnqn: *$NQN\$" <<< "$out"; then
	ok "the target still serves a normal host (discovery)"
else
	not_ok "the target still serves a normal host (discovery)" "$out"
fi

nvmet_clear
unload_ok=1
modprobe -r nvme-rdma && modprobe -r nvmet-rdma && modprobe -r nvmet &&
	rdma link delete rxe0 && unload_ok=0
result $unload_ok "modules unload cleanly"

ktap_finish
