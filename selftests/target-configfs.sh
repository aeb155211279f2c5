#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nvmet configfs ABI: the tree has exactly the shape of Linux's (the list
# below was taken from Debian's nvmet), defaults match, bad writes are
# rejected with a clean error, attributes of enabled namespaces are locked,
# and create/teardown/unload cycles leave nothing behind.
# Runs against Debian's nvmet too: NVME_VM_MODULES=debian.
#
# VM: mem=1G smp=2 timeout=400 modules=nvmet

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

tap_plan 29

C=$NVMET_CFS
S=nqn.2014-08.org.nvmexpress:selftest-cfs
if debian_mode; then modprobe nvmet; fi
modprobe null_blk nr_devices=1 gb=1 >/dev/null 2>&1

check "nvmet is loaded and configfs has nvmet/" test -d "$C/subsystems"

# ---- shape ----
build_tree() {
	nvmet_subsys "$S" 1 &&
	nvmet_ns "$S" 1 /dev/nullb0 &&
	mkdir -p "$C/hosts/nqn.h1" &&
	mkdir -p "$C/ports/1/referrals/r1" &&
	nvmet_port 1 tcp 127.0.0.1 4420
}
check "build subsystem, namespace, host, port, referral" build_tree

expected_shape() {
	cat <<-EOF
	.
	./hosts
	./hosts/nqn.h1
	./ports
	./ports/1
	./ports/1/addr_adrfam
	./ports/1/addr_traddr
	./ports/1/addr_treq
	./ports/1/addr_trsvcid
	./ports/1/addr_trtype
	./ports/1/ana_groups
	./ports/1/ana_groups/1
	./ports/1/ana_groups/1/ana_state
	./ports/1/param_inline_data_size
	./ports/1/param_pi_enable
	./ports/1/referrals
	./ports/1/referrals/r1
	./ports/1/referrals/r1/addr_adrfam
	./ports/1/referrals/r1/addr_portid
	./ports/1/referrals/r1/addr_traddr
	./ports/1/referrals/r1/addr_treq
	./ports/1/referrals/r1/addr_trsvcid
	./ports/1/referrals/r1/addr_trtype
	./ports/1/referrals/r1/enable
	./ports/1/subsystems
	./subsystems
	./subsystems/$S
	./subsystems/$S/allowed_hosts
	./subsystems/$S/attr_allow_any_host
	./subsystems/$S/attr_cntlid_max
	./subsystems/$S/attr_cntlid_min
	./subsystems/$S/attr_model
	./subsystems/$S/attr_pi_enable
	./subsystems/$S/attr_qid_max
	./subsystems/$S/attr_serial
	./subsystems/$S/attr_version
	./subsystems/$S/namespaces
	./subsystems/$S/namespaces/1
	./subsystems/$S/namespaces/1/ana_grpid
	./subsystems/$S/namespaces/1/buffered_io
	./subsystems/$S/namespaces/1/device_nguid
	./subsystems/$S/namespaces/1/device_path
	./subsystems/$S/namespaces/1/device_uuid
	./subsystems/$S/namespaces/1/enable
	./subsystems/$S/namespaces/1/revalidate_size
	EOF
}
shape=$(cd "$C" && find . | sort)
if [ "$shape" = "$(expected_shape)" ]; then
	ok "tree shape identical to Linux's nvmet"
else
	not_ok "tree shape identical to Linux's nvmet" \
		"$(diff <(expected_shape) <(echo "$shape"))"
fi

values() {
	local f
	for f in ports/1/addr_adrfam ports/1/addr_treq ports/1/addr_trtype \
		ports/1/param_inline_data_size ports/1/referrals/r1/addr_portid \
		ports/1/referrals/r1/addr_treq ports/1/referrals/r1/enable \
		ports/1/referrals/r1/addr_trtype ports/1/ana_groups/1/ana_state \
		"subsystems/$S/attr_cntlid_min" "subsystems/$S/attr_cntlid_max" \
		"subsystems/$S/attr_model" "subsystems/$S/attr_qid_max" \
		"subsystems/$S/attr_version" "subsystems/$S/attr_pi_enable" \
		"subsystems/$S/namespaces/1/buffered_io" \
		"subsystems/$S/namespaces/1/device_nguid" \
		"subsystems/$S/namespaces/1/enable" \
		"subsystems/$S/namespaces/1/ana_grpid"; do
		printf '%s=%s\n' "$f" "$(cat "$C/$f")"
	done
}
expected_values() {
	cat <<-EOF
	ports/1/addr_adrfam=ipv4
	ports/1/addr_treq=not specified
	ports/1/addr_trtype=tcp
	ports/1/param_inline_data_size=-1
	ports/1/referrals/r1/addr_portid=0
	ports/1/referrals/r1/addr_treq=not specified
	ports/1/referrals/r1/enable=0
	ports/1/referrals/r1/addr_trtype=
	ports/1/ana_groups/1/ana_state=optimized
	subsystems/$S/attr_cntlid_min=1
	subsystems/$S/attr_cntlid_max=65519
	subsystems/$S/attr_model=Linux
	subsystems/$S/attr_qid_max=128
	subsystems/$S/attr_version=1.3
	subsystems/$S/attr_pi_enable=0
	subsystems/$S/namespaces/1/buffered_io=0
	subsystems/$S/namespaces/1/device_nguid=00000000-0000-0000-0000-000000000000
	subsystems/$S/namespaces/1/enable=1
	subsystems/$S/namespaces/1/ana_grpid=1
	EOF
}
v=$(values)
if [ "$v" = "$(expected_values)" ]; then
	ok "default values match Linux's"
else
	not_ok "default values match Linux's" "$(diff <(expected_values) <(echo "$v"))"
fi
check "serial is 1..20 printable characters" \
	bash -c "s=\$(cat '$C/subsystems/$S/attr_serial'); [ \${#s} -ge 1 ] && [ \${#s} -le 20 ]"
check "device_uuid is a UUID" \
	grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' \
	"$C/subsystems/$S/namespaces/1/device_uuid"

# ---- bad writes ----
w() { printf '%s\n' "$1" > "$2"; }
SA=$C/subsystems/$S
N1=$SA/namespaces/1
bad() {	# bad DESC VALUE FILE
	check_fails "$1" w "$2" "$3"
}
bad "attr_cntlid_min 0 rejected" 0 "$SA/attr_cntlid_min"
# stricter than Linux (which takes both): FFF0h.. are reserved ids, and
# a negative in-capsule size other than -1 means nothing
strict() {	# strict DESC VALUE FILE: ours rejects, Debian's accepts
	if debian_mode; then skip "$1" "Linux's nvmet accepts it"; else bad "$@"; fi
}
strict "attr_cntlid_max 65520 rejected" 65520 "$SA/attr_cntlid_max"
check "cntlid range 10..20 accepted" bash -c \
	"echo 20 > '$SA/attr_cntlid_max' && echo 10 > '$SA/attr_cntlid_min'"
bad "attr_cntlid_min above max rejected" 30 "$SA/attr_cntlid_min"
bad "attr_qid_max 0 and junk rejected" 0 "$SA/attr_qid_max"
bad "attr_version 'abc' rejected" abc "$SA/attr_version"
bad "attr_serial of 21 characters rejected" 123456789012345678901 "$SA/attr_serial"
bad "attr_model of 41 characters rejected" \
	12345678901234567890123456789012345678901 "$SA/attr_model"
bad "attr_allow_any_host '2' rejected" 2 "$SA/attr_allow_any_host"
check_fails "namespace id 0 rejected" mkdir "$SA/namespaces/0"
check_fails "namespace id 'abc' rejected" mkdir "$SA/namespaces/abc"
check_fails "subsystem named like the discovery NQN rejected" \
	mkdir "$C/subsystems/nqn.2014-08.org.nvmexpress.discovery"
check_fails "port id 'abc' rejected" mkdir "$C/ports/abc"
bad "device_path of an enabled namespace is busy" /dev/null "$N1/device_path"
bad "device_uuid of an enabled namespace is busy" \
	11111111-2222-3333-4444-555555555555 "$N1/device_uuid"
bad "addr_trtype 'foo' rejected" foo "$C/ports/1/addr_trtype"
bad "addr_adrfam 'ipv5' rejected" ipv5 "$C/ports/1/addr_adrfam"
strict "param_inline_data_size -2 rejected" -2 "$C/ports/1/param_inline_data_size"

# namespace 2: a tmpfs file needs buffered I/O
mkdir -p /tmp/nvmet-cfs && truncate -s 64M /tmp/nvmet-cfs/f
mkdir "$SA/namespaces/2"
w /tmp/nvmet-cfs/f "$SA/namespaces/2/device_path"
check_fails "tmpfs file without buffered_io cannot be enabled" w 1 "$SA/namespaces/2/enable"
check "tmpfs file with buffered_io=1 is enabled" bash -c \
	"echo 1 > '$SA/namespaces/2/buffered_io' && echo 1 > '$SA/namespaces/2/enable' && grep -qx 1 '$SA/namespaces/2/enable'"
check "uuid and nguid accepted on a disabled namespace" bash -c \
	"echo 0 > '$N1/enable' && echo 11111111-2222-3333-4444-555555555555 > '$N1/device_uuid' && echo 00112233-4455-6677-8899-aabbccddeeff > '$N1/device_nguid' && grep -qx 00112233-4455-6677-8899-aabbccddeeff '$N1/device_nguid' && echo 1 > '$N1/enable'"
bad "device_nguid with 31 digits rejected" 0011223344556677 "$N1/device_nguid"

# ---- teardown and unload cycles ----
cycle() {
	local i
	for i in 1 2 3 4 5; do
		nvmet_clear || return 1
		[ -z "$(find "$C/subsystems" "$C/ports" "$C/hosts" -mindepth 1)" ] || { echo "leftovers"; return 1; }
		modprobe -r nvmet || { echo "modprobe -r nvmet failed"; return 1; }
		[ ! -d /sys/module/nvmet ] || { echo "nvmet still loaded"; return 1; }
		modprobe nvmet || return 1
		build_tree || return 1
	done
	nvmet_clear && modprobe -r nvmet && [ ! -d /sys/module/nvmet ]
}
check "5 x (build tree, tear down, modprobe -r nvmet, modprobe nvmet)" cycle

ktap_finish
