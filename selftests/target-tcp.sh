#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our NVMe/TCP target (nvmet + nvmet-tcp) against Debian's in-kernel
# NVMe/TCP host over loopback: discovery over IPv4, IPv6 and a wildcard
# port, connect with 2 I/O queues, a refused host NQN, two namespaces
# (null_blk and a tmpfs file with buffered I/O), fio verify on both, ext4
# across a remount, header and data digests with fio verify again.
# target-tcp-recovery.sh does namespace changes, port removal, keep-alive
# and teardown.
#
# Debian's host copies THP-backed buffers in a way that trips usercopy
# hardening, so THP is off here.  NVME_VM_MODULES=debian runs the same
# checks against Debian's nvmet-tcp, which proves the test.
#
# VM: mem=2G smp=2 timeout=400 modules=nvmet,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

NQN1=nqn.2026-12.io.nvme-oot:tgt-one
NQN2=nqn.2026-12.io.nvme-oot:tgt-two
FILE=/dev/shm/tgt-ns2.img	# tmpfs (the overlay root reports 1-byte blocks)
MNT=/tmp/tgt-mnt

# tt_ctrl NQN: the nvmeX connected to NQN
tt_ctrl() {
	local c s
	for c in /sys/class/nvme/nvme*; do
		s=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		[ "$s" = "$1" ] && { echo "${c##*/}"; return 0; }
	done
	return 1
}

# tt_connect NQN ARGS...: connect to 127.0.0.1:4420, print nvmeX
tt_connect() {
	local nqn=$1
	shift
	nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$nqn" "$@" >/dev/null || return 1
	wait_until 10 tt_ctrl "$nqn" || return 1
	tt_ctrl "$nqn"
}

# tt_ns CTRL: "NSID BLOCKDEV" per namespace of CTRL.  With native
# multipath (Debian's default) the controller shows path nodes nvmeScCnN
# and the block device is the head, nvmeSnN.
tt_ns() {
	local d n id
	for d in /sys/class/nvme/"$1"/nvme*n*; do
		[ -e "$d" ] || continue
		n=${d##*/}
		[ -b "/dev/$n" ] || n=$(sed -E 's/^(nvme[0-9]+)c[0-9]+(n[0-9]+)$/\1\2/' <<< "$n")
		[ -b "/dev/$n" ] || continue
		id=
		read -r id < "$d/nsid" 2>/dev/null || read -r id < "/sys/block/$n/nsid" 2>/dev/null
		echo "$id $n"
	done
}

# tt_gone NQN: no controller connected to NQN
tt_gone() {
	! tt_ctrl "$1" >/dev/null
}

# tt_has_ns CTRL N: CTRL shows exactly N namespaces (polled by wait_until)
tt_has_ns() {
	[ "$(tt_ns_count "$1")" = "$2" ]
}

tt_ns_count() {
	tt_ns "$1" | wc -l
}

# tt_dev CTRL NSID: block device of namespace NSID
tt_dev() {
	tt_ns "$1" | awk -v id="$2" '$1 == id { print $2; exit }'
}

# tt_fio NAME DEV...: verified random writes 4k-256k QD32, all devices at once
tt_fio() {
	local name=$1 log=/tmp/fio-$1.log job=/tmp/fio-$1.fio d rc
	shift
	{
		echo "[global]"
		printf '%s\n' ioengine=libaio direct=1 iodepth=32 rw=randwrite \
			bsrange=4k-256k verify=crc32c verify_fatal=1 do_verify=1 \
			size=24M randrepeat=0
		for d in "$@"; do echo "[$d]"; echo "filename=/dev/$d"; done
	} > "$job"
	timeout 200 fio --output="$log" "$job" 2>> "$log"
	rc=$?
	if [ $rc -eq 0 ] && fio_ok "$log"; then
		ok "fio $name: verified random writes 4k-256k QD32 on $*"
	else
		not_ok "fio $name: verified random writes on $*" "fio exit status $rc"
		diag "$(grep -E 'err=|verify|error|fio:' "$log" | head -n 20)"
		diag "$(tail -n 15 "$log")"
		diag "$(dmesg | tail -n 20)"
	fi
}

tap_plan 20

echo never > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
kind=Debian
our_module_loaded nvmet_tcp && kind=ours
setup() {
	modprobe null_blk nr_devices=1 gb=1 memory_backed=1 || return 1
	modprobe nvmet && modprobe nvmet-tcp || return 1
	truncate -s 256M "$FILE" || return 1
	nvmet_subsys "$NQN1" || return 1
	nvmet_ns "$NQN1" 1 /dev/nullb0 || return 1
	nvmet_ns "$NQN1" 2 "$FILE" 1 || return 1
	nvmet_port 1 tcp 127.0.0.1 4420 && nvmet_link 1 "$NQN1" || return 1
	nvmet_port 2 tcp ::1 4421 && nvmet_link 2 "$NQN1" || return 1
	nvmet_port 3 tcp 0.0.0.0 4422 && nvmet_link 3 "$NQN1" || return 1
	modprobe nvme-tcp
}
if ! out=$(setup 2>&1); then
	not_ok "target ($kind nvmet-tcp) set up" "$out" "$(dmesg | tail -n 20)"
	fail_rest "no target"
	ktap_finish
fi
ok "target ($kind nvmet-tcp) set up: ports 127.0.0.1:4420, [::1]:4421, 0.0.0.0:4422"
diag "nvmet_tcp: $(modinfo -n nvmet-tcp); host nvme_tcp: $(modinfo -n nvme-tcp)"

out=$(timeout 20 nvme discover -t tcp -a 127.0.0.1 -s 4420 2>&1)
if grep -q "subnqn: *$NQN1" <<< "$out"; then
	ok "discover over IPv4 lists $NQN1"
else
	not_ok "discover over IPv4 lists $NQN1" "$out"
fi
out=$(timeout 20 nvme discover -t tcp -a ::1 -s 4421 2>&1)
if grep -q "subnqn: *$NQN1" <<< "$out"; then
	ok "discover over IPv6 lists $NQN1"
else
	not_ok "discover over IPv6 lists $NQN1" "$out"
fi
out=$(timeout 20 nvme discover -t tcp -a 127.0.0.1 -s 4422 -o json 2>&1)
addr=$(python3 -c 'import json,sys
for r in json.load(sys.stdin).get("records", []):
    if r.get("trsvcid", "").strip() == "4422":
        print(r.get("traddr", "").strip())' <<< "$out" 2>/dev/null | sort -u)
if [ "$addr" = 127.0.0.1 ]; then
	ok "discover through the wildcard port shows the address the host used"
else
	not_ok "discover through the wildcard port shows the address the host used" "$out"
fi

ctrl=$(tt_connect "$NQN1" -i 2)
if [ -n "$ctrl" ] && wait_until 10 ctrl_live "$ctrl"; then
	ok "connect with 2 I/O queues: $ctrl live"
else
	not_ok "connect with 2 I/O queues" "$(dmesg | tail -n 20)"
	fail_rest "not connected"
	ktap_finish
fi
check_eq "$ctrl: queue_count 3 (admin + 2 I/O)" 3 "$(cat /sys/class/nvme/"$ctrl"/queue_count)"
check_eq "16 KiB in-capsule data by default: ioccsz 1028, param_inline_data_size 16384" \
	"1028 16384" "$(nvme id-ctrl /dev/"$ctrl" | awk '$1 == "ioccsz" { print $3 }') $(cat "$NVMET_CFS"/ports/1/param_inline_data_size)"
if wait_until 10 tt_has_ns "$ctrl" 2; then
	ok "two namespaces (null_blk, tmpfs file) visible"
else
	not_ok "two namespaces visible" "$(ls /sys/class/nvme/"$ctrl")"
fi
ns1=$(tt_dev "$ctrl" 1)
ns2=$(tt_dev "$ctrl" 2)
check_eq "block namespace reports the backing device's geometry (nsfeat, nows)" \
	"0x13 0 512" "$(nvme id-ns /dev/"$ns1" | awk '$1 == "nsfeat" || $1 == "nows" { printf "%s ", $3 }')$(cat /sys/block/"$ns1"/queue/optimal_io_size)"

nvmet_subsys "$NQN2" 0
nvmet_ns "$NQN2" 1 "$FILE" 1 >/dev/null 2>&1
nvmet_allow_host "$NQN2" nqn.2026-12.io.nvme-oot:someone-else
nvmet_link 1 "$NQN2"
t0=$(date +%s)
check_fails "a host NQN not in allowed_hosts is refused" \
	timeout 20 nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN2"
check "refusal is quick (< 5 s) and leaves no controller" \
	test $(( $(date +%s) - t0 )) -le 5 -a -z "$(tt_ctrl "$NQN2")"

tt_fio plain "$ns1" "$ns2"
check "a failed command is in the error log, newest first (M bit in its status)" \
	bash -c "! nvme get-feature /dev/$ctrl -f 2 2>/tmp/gf2.err; grep -q '(0x6002)' /tmp/gf2.err &&
		nvme error-log /dev/$ctrl -e 1 | awk -F: '/^error_count/ { c = \$2 + 0 }
			/^status_field/ { s = \$2 } END { exit !(c >= 1 && s !~ /^[ \t]*0\(/) }'"
check "blkdiscard on $ns1 (Linux's host sends a 4 KiB range buffer for one range)" \
	blkdiscard -o 0 -l 1048576 "/dev/$ns1"
check "smart-log counts the block namespace's reads and writes" \
	bash -c "nvme smart-log /dev/$ctrl | awk -F: '/^host_(read|write)_commands/ {
		gsub(/[ \t,]/, \"\", \$2); n++; if (\$2 + 0 > 0) good++ }
		END { exit !(n == 2 && good == 2) }'"

mkdir -p "$MNT"
fs_ok=1
{ mkfs.ext4 -q -F "/dev/$ns2" && mount "/dev/$ns2" "$MNT"; } >/dev/null 2>&1 || fs_ok=0
if [ $fs_ok = 1 ]; then
	for i in 1 2 3; do random_file "$MNT/f$i" $((i * 1024 * 1024 + 512)); done
	sums=$(cd "$MNT" && sha256sum f1 f2 f3)
	umount "$MNT" && mount "/dev/$ns2" "$MNT" || fs_ok=0
fi
if [ $fs_ok = 1 ] && [ "$(cd "$MNT" && sha256sum f1 f2 f3)" = "$sums" ]; then
	ok "ext4 on $ns2: files survive a remount"
else
	not_ok "ext4 on $ns2: files survive a remount" "$(dmesg | tail -n 10)"
fi
umount "$MNT" 2>/dev/null

check "nvme disconnect" nvme disconnect -n "$NQN1"
wait_until 10 tt_gone "$NQN1"

ctrl=$(tt_connect "$NQN1" -i 2 -g -G)
if [ -n "$ctrl" ] && wait_until 10 tt_has_ns "$ctrl" 2; then
	ok "connect with header and data digests (-g -G): $ctrl"
	tt_fio digests "$(tt_dev "$ctrl" 1)" "$(tt_dev "$ctrl" 2)"
else
	not_ok "connect with header and data digests" "$(dmesg | tail -n 20)"
	not_ok "fio with digests" "not connected"
fi

nvme disconnect-all >/dev/null 2>&1
wait_until 10 tt_gone "$NQN1"
modprobe -r nvme-tcp 2>/dev/null
nvmet_clear
modprobe -r nvmet-tcp nvmet 2>/dev/null
check "disconnect, configfs teardown and unload leave nothing" \
	test ! -d /sys/module/nvmet_tcp -a ! -d /sys/module/nvmet -a \
	-z "$(ss -Htan '( sport = :4420 or sport = :4421 or sport = :4422 )' 2>/dev/null | grep -v TIME-WAIT)"
rm -f "$FILE"

ktap_finish
