# SPDX-License-Identifier: GPL-2.0
#
# selftests/lib-nvmet.sh: set up an NVMe target through configfs, the same
# way for our nvmet and for Debian's (the ABI is the same).  Source it after
# lib.sh.  Every function returns non-zero on failure and prints why.
#
#   nvmet_subsys NQN [ALLOW_ANY]          subsystem (ALLOW_ANY 1 by default)
#   nvmet_ns NQN NSID PATH [BUFFERED]     namespace backed by PATH, enabled
#   nvmet_ns_enable NQN NSID 0|1
#   nvmet_port ID TRTYPE TRADDR TRSVCID [ADRFAM]   e.g. 1 tcp 127.0.0.1 4420
#   nvmet_link PORT NQN / nvmet_unlink PORT NQN
#   nvmet_allow_host NQN HOSTNQN          restrict NQN to HOSTNQN
#   nvmet_clear                           remove everything under nvmet/
#   host_nqn                              this machine's host NQN

NVMET_CFS=${NVMET_CFS:-/sys/kernel/config/nvmet}

# configfs must be mounted (the harness does it; be safe when run by hand)
if ! grep -qs ' /sys/kernel/config configfs' /proc/mounts; then
	modprobe -q configfs 2>/dev/null
	mount -t configfs configfs /sys/kernel/config 2>/dev/null
fi

_nvmet_w() {	# _nvmet_w VALUE FILE
	if ! printf '%s\n' "$1" > "$2" 2>/dev/null; then
		echo "nvmet: cannot write '$1' to $2" >&2
		return 1
	fi
}

nvmet_subsys() {
	local d="$NVMET_CFS/subsystems/$1"
	mkdir -p "$d" || return 1
	_nvmet_w "${2:-1}" "$d/attr_allow_any_host"
}

nvmet_ns() {
	local d="$NVMET_CFS/subsystems/$1/namespaces/$2"
	mkdir -p "$d" || return 1
	_nvmet_w "$3" "$d/device_path" || return 1
	if [ -n "${4:-}" ]; then
		_nvmet_w "$4" "$d/buffered_io" || return 1
	fi
	_nvmet_w 1 "$d/enable"
}

nvmet_ns_enable() {
	_nvmet_w "$3" "$NVMET_CFS/subsystems/$1/namespaces/$2/enable"
}

nvmet_port() {
	local d="$NVMET_CFS/ports/$1"
	local adrfam=${5:-}
	if [ -z "$adrfam" ]; then
		case "$2:$3" in
		fc:*) adrfam=fc ;;
		loop:*) adrfam= ;;
		*:*:*) adrfam=ipv6 ;;
		*) adrfam=ipv4 ;;
		esac
	fi
	mkdir -p "$d" || return 1
	_nvmet_w "$2" "$d/addr_trtype" || return 1
	[ -z "$adrfam" ] || _nvmet_w "$adrfam" "$d/addr_adrfam" || return 1
	[ -z "$3" ] || _nvmet_w "$3" "$d/addr_traddr" || return 1
	[ -z "$4" ] || _nvmet_w "$4" "$d/addr_trsvcid" || return 1
}

nvmet_link() {
	ln -s "$NVMET_CFS/subsystems/$2" "$NVMET_CFS/ports/$1/subsystems/$2"
}

nvmet_unlink() {
	rm -f "$NVMET_CFS/ports/$1/subsystems/$2"
}

nvmet_allow_host() {
	mkdir -p "$NVMET_CFS/hosts/$2" || return 1
	ln -s "$NVMET_CFS/hosts/$2" "$NVMET_CFS/subsystems/$1/allowed_hosts/$2" || return 1
	_nvmet_w 0 "$NVMET_CFS/subsystems/$1/attr_allow_any_host"
}

nvmet_clear() {
	local p s n h
	[ -d "$NVMET_CFS" ] || return 0
	for p in "$NVMET_CFS"/ports/*; do
		[ -d "$p" ] || continue
		rm -f "$p"/subsystems/* 2>/dev/null
		for r in "$p"/referrals/*; do
			[ -d "$r" ] && rmdir "$r"
		done
		for r in "$p"/ana_groups/*; do
			[ -d "$r" ] && [ "${r##*/}" != 1 ] && rmdir "$r"
		done
		rmdir "$p"
	done
	for s in "$NVMET_CFS"/subsystems/*; do
		[ -d "$s" ] || continue
		rm -f "$s"/allowed_hosts/* 2>/dev/null
		for n in "$s"/namespaces/*; do
			[ -d "$n" ] || continue
			echo 0 > "$n/enable" 2>/dev/null
			rmdir "$n"
		done
		rmdir "$s"
	done
	for h in "$NVMET_CFS"/hosts/*; do
		[ -d "$h" ] && rmdir "$h"
	done
	return 0
}

host_nqn() {
	cat /etc/nvme/hostnqn 2>/dev/null || echo "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-000000000000"
}
