# SPDX-License-Identifier: GPL-2.0
#
# selftests/lib-tcphost.sh: helpers for the NVMe/TCP host selftests
# (tcp-host*.sh).  Source after lib.sh and lib-nvmet.sh.
#
# The target is whatever `modprobe nvmet-tcp` loads: Debian's in-kernel
# target when the VM installs only our host modules, ours when the VM
# header also lists nvmet,nvmet-tcp (the *-ours.sh variants).
#
#   tcp_target_up                   two namespaces (null_blk, tmpfs file)
#                                   on $NQN1, port 1 on 127.0.0.1:4420
#   tcp_connect NQN [nvme-cli args] connect, print the controller name
#   tcp_ctrl_of NQN                 controller name of a connected NQN
#   tcp_wait_ns CTRL COUNT [SEC]    wait for COUNT namespaces with /dev nodes
#   tcp_fio_verify NAME DEV... [-- fio options]   random write + verify

NQN1=${NQN1:-nqn.2026-12.io.nvme-oot:tcp-one}
NQN2=${NQN2:-nqn.2026-12.io.nvme-oot:tcp-two}
TCP_ADDR=${TCP_ADDR:-127.0.0.1}
TCP_PORT=${TCP_PORT:-4420}
# tmpfs: /tmp is an overlay in the VM and nvmet sees no block size there
TCP_FILE=/dev/shm/tcp-ns2.img

tcp_target_kind() {
	if our_module_loaded nvmet_tcp; then echo ours; else echo debian; fi
}

tcp_target_up() {
	modprobe null_blk nr_devices=1 gb=1 memory_backed=1 || return 1
	modprobe nvmet || return 1
	modprobe nvmet-tcp || return 1
	truncate -s 256M "$TCP_FILE" || return 1
	nvmet_subsys "$NQN1" || return 1
	nvmet_ns "$NQN1" 1 /dev/nullb0 || return 1
	nvmet_ns "$NQN1" 2 "$TCP_FILE" 1 || return 1
	nvmet_port 1 tcp "$TCP_ADDR" "$TCP_PORT" || return 1
	nvmet_link 1 "$NQN1"
}

tcp_target_down() {
	nvmet_clear
	rm -f "$TCP_FILE"
}

# tcp_ctrl_of NQN: the nvmeX whose subsysnqn is NQN (first one)
tcp_ctrl_of() {
	local c s
	for c in /sys/class/nvme/nvme*; do
		[ -e "$c/subsysnqn" ] || continue
		s=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		if [ "$s" = "$1" ]; then
			echo "${c##*/}"
			return 0
		fi
	done
	return 1
}

# ctrl_on_port TRSVCID [NQN]: the controller of NQN (default $NQN1)
# connected through the port with that service id
ctrl_on_port() {
	local c s a nqn=${2:-$NQN1}
	for c in /sys/class/nvme/nvme*; do
		s= a=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		read -r a < "$c/address" 2>/dev/null || continue
		[ "$s" = "$nqn" ] && [[ $a == *trsvcid=$1* ]] && { echo "${c##*/}"; return 0; }
	done
	return 1
}

# tcp_connect_both PORT2 [ARGS...]: connect NQN1 through $TCP_PORT and
# PORT2 (nvme connect ARGS) and set C1 and C2 to the two controllers;
# fails unless both are there with NQN1's two namespaces
tcp_connect_both() {
	local p2=$1
	shift
	nvme connect -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" -n "$NQN1" "$@" > /dev/null 2>&1
	nvme connect -t tcp -a "$TCP_ADDR" -s "$p2" -n "$NQN1" "$@" > /dev/null 2>&1
	wait_until 10 ctrl_on_port "$p2"
	C1=$(ctrl_on_port "$TCP_PORT") C2=$(ctrl_on_port "$p2")
	[ -n "$C1" ] && [ -n "$C2" ] && tcp_wait_ns "$C2" 2 10
}

# disk_ios DISK [reads|all]: I/Os completed on a (path) disk: reads, or
# reads and writes
disk_ios() {
	local r _ w
	read -r r _ _ _ w _ < "/sys/block/$1/stat"
	if [ "${2:-all}" = reads ]; then echo "$r"; else echo $((r + w)); fi
}

# tcp_connect NQN [ARGS...]: nvme connect over TCP; prints nvmeX
tcp_connect() {
	local nqn=$1 out
	shift
	out=$(nvme connect -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" -n "$nqn" "$@" 2>&1) || {
		echo "nvme connect failed: $out" >&2
		return 1
	}
	wait_until 10 tcp_ctrl_of "$nqn" || { echo "no controller for $nqn" >&2; return 1; }
	tcp_ctrl_of "$nqn"
}

# tcp_ns_count CTRL: namespaces of CTRL that have their block device
tcp_ns_count() {
	ctrl_disks "$1"
	echo "$NS_DISKS"
}

tcp_wait_ns() {
	wait_until "${3:-10}" test "$(tcp_ns_count "$1")" = "$2" ||
		[ "$(tcp_ns_count "$1")" = "$2" ]
}

# tcp_fio_verify NAME DEV... [-- EXTRA fio lines]: one verified random
# write job per device, all at once; ok/not_ok line printed.
tcp_fio_verify() {
	local name=$1 log=/tmp/fio-$1.log job=/tmp/fio-$1.fio d rc
	local -a devs=() extra=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do devs+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	extra=("$@")
	{
		echo "[global]"
		printf '%s\n' ioengine=libaio direct=1 iodepth=32 rw=randwrite \
			bsrange=4k-256k verify=crc32c verify_fatal=1 do_verify=1 \
			size=48M randrepeat=0 "${extra[@]}"
		for d in "${devs[@]}"; do
			echo "[$d]"
			echo "filename=/dev/$d"
		done
	} > "$job"
	timeout 300 fio --output="$log" "$job" 2>> "$log"
	rc=$?
	fio_result "fio $name: verified random writes on ${devs[*]}" $rc "$log" ||
		diag "$(dmesg | tail -n 20)"
	return $rc
}

# tcp_no_leftovers: no controller, no nvme-tcp module, no socket to 4420
tcp_no_leftovers() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[ -e "$c" ] && { echo "controller ${c##*/} left"; return 1; }
	done
	c=$(ss -Htn state established "( sport = :$TCP_PORT or dport = :$TCP_PORT )" 2>/dev/null)
	if [ -n "$c" ]; then
		echo "TCP connections on port $TCP_PORT left: $c"
		return 1
	fi
	return 0
}
