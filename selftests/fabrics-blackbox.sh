#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Black-box checks of our NVMe/TCP host, our target and nvme-loop, through
# nvme-cli, configfs and sysfs only, with the values Linux 6.1's own
# drivers give (taken from Debian's 6.1 source):
# - discovery log: the "current discovery subsystem" entry, subsystem
#   entries (portid, trsvcid, treq with "sq flow control disable
#   supported"), subsystems hidden from hosts they do not allow, a port
#   referral (listed, followed by connect-all, gone when disabled), a
#   second port listing only its own subsystem;
# - connect options seen in sysfs: -i 1 -Q 16 (queue_count, sqsize),
#   -k 1 (kato, the KATO feature, 6 s idle without a reconnect), -c 2 -l 7
#   (ctrl_loss_tmo rounded up to a multiple of reconnect_delay: 8);
# - the address attribute (traddr=...,trsvcid=...,src_addr=...), model,
#   serial and firmware_rev (space padded like Linux's), cntlid inside
#   attr_cntlid_min/max, id-ctrl fields from attr_model/serial/version,
#   CAP (less CQR and bit 43, see below)/VS/CC/CSTS properties and Invalid
#   Field for others (get-property),
#   namespace uuid/nguid/wwid from configfs, nvme list / list-subsys JSON;
# - fio verify at QD32 over 16-entry queues, a namespace grown on the
#   target (revalidate_size) seen by the host, ns-rescan, nvme reset;
# - configfs: serial/model/version frozen once a host identified the
#   subsystem, addr_trsvcid frozen while the port is enabled;
# - a second identical TCP connect refused (EALREADY) and accepted with
#   duplicate_connect, an allowed host NQN/host ID, an unknown NQN;
# - nvme-loop with one I/O queue: sysfs, mixed read/write fio verify.
#
# VM: mem=2G smp=2 timeout=600 modules=nvme-core,nvme-fabrics,nvme-tcp,nvme-loop,nvmet,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

tap_plan 34

DISC=nqn.2014-08.org.nvmexpress.discovery
NQN_A=nqn.2026-12.io.nvme-oot:bb-alpha
NQN_B=nqn.2026-12.io.nvme-oot:bb-locked
NQN_C=nqn.2026-12.io.nvme-oot:bb-port2
NQN_L=nqn.2026-12.io.nvme-oot:bb-loop
HOSTX=nqn.2026-12.io.nvme-oot:bb-hostx
HOSTX_ID=0b1ac0b0-1234-4abc-8def-0123456789ab
UUID_A=5f3c2a10-7b6e-4d21-9c0a-1e2f3a4b5c6d
NGUID_A=00112233-4455-6677-8899-aabbccddeeff
MODEL_A="BlackBox Model A"
SERIAL_A=bbserial0001
ADDR=127.0.0.1
F_A=/dev/shm/bb-a.img F_B=/dev/shm/bb-b.img F_C=/dev/shm/bb-c.img F_L=/dev/shm/bb-l.img
CFS_A=$NVMET_CFS/subsystems/$NQN_A
REF=$NVMET_CFS/ports/1/referrals/bb-ref
PY=/tmp/bb-json.py

# ---- helpers ------------------------------------------------------------------

# ctrls_of NQN [TRSVCID]: controllers (nvmeX) of NQN, optionally through TRSVCID
ctrls_of() {
	local c s a
	for c in /sys/class/nvme/nvme*; do
		s= a=
		read -r s < "$c/subsysnqn" 2>/dev/null || continue
		[ "$s" = "$1" ] || continue
		if [ -n "${2:-}" ]; then
			read -r a < "$c/address" 2>/dev/null
			[[ ",$a," == *",trsvcid=$2,"* ]] || continue
		fi
		echo "${c##*/}"
	done
}
ctrl_of() { ctrls_of "$@" | head -n 1 | grep .; }
n_ctrls_of() { ctrls_of "$@" | grep -c .; }
no_ctrl_of() { [ -z "$(ctrls_of "$@")" ]; }
no_ctrls() { [ -z "$(ls /sys/class/nvme 2>/dev/null)" ]; }
# n_ctrls_is NQN N: NQN has N controllers (polled)
n_ctrls_is() { [ "$(n_ctrls_of "$1")" = "$2" ]; }
# size_is DEV BYTES (polled)
size_is() { [ "$(blockdev_bytes "$1" 2>/dev/null)" = "$2" ]; }

# ns_ready CTRL N: CTRL shows N namespaces with their block devices
ns_ready() {
	ctrl_disks "$1"
	[ "$NS_DISKS" -eq "$2" ]
}

# sf CTRL ATTR: a controller sysfs attribute, trailing spaces kept
sf() { cat "/sys/class/nvme/$1/$2" 2>/dev/null; }

# disc ARGS...: `nvme discover -o json` through ARGS, one line per record:
# trtype|adrfam|subtype|subnqn|traddr|trsvcid|portid (sorted); the raw
# output lands in /tmp/bb-disc.json
disc() {
	timeout 30 nvme discover -t tcp -a "$ADDR" -o json "$@" > /tmp/bb-disc.json 2>/tmp/bb-disc.err
	python3 "$PY" disc < /tmp/bb-disc.json
}
disc_diag() {
	diag "nvme discover output:" "$(head -c 3000 /tmp/bb-disc.json)" "$(cat /tmp/bb-disc.err)"
}

# fio_run LOG FIO-ARGS...: fio, then its log must show no error; on failure
# the log's error lines are printed
fio_run() {
	local log=$1 rc
	shift
	timeout 180 fio --output="$log" "$@" 2>> "$log"
	rc=$?
	if [ $rc -eq 0 ] && fio_ok "$log"; then
		return 0
	fi
	echo "fio status $rc"
	grep -E 'err=|verify|error|fio:' "$log" | head -n 20
	return 1
}

cat > "$PY" <<'EOF'
import json, sys

def walk(o):
    if isinstance(o, dict):
        yield o
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)

def s(v):
    return str(v).strip() if v is not None else "None"

cmd = sys.argv[1]
data = json.load(sys.stdin)
if cmd == "disc":
    out = []
    for r in data.get("records", []):
        out.append("|".join(s(r.get(k)) for k in
                   ("trtype", "adrfam", "subtype", "subnqn", "traddr", "trsvcid", "portid")))
    print("\n".join(sorted(out)))
elif cmd == "treq":
    for r in data.get("records", []):
        if s(r.get("subnqn")) == sys.argv[2]:
            print(s(r.get("treq")))
elif cmd == "idctrl":
    print("|".join(s(data.get(k)) for k in
                   ("mn", "sn", "ver", "cntlid", "subnqn", "cntrltype", "msdbd")))
elif cmd == "list":
    for d in walk(data):
        if d.get("DevicePath") == sys.argv[2]:
            print("|".join(s(d.get(k)) for k in ("ModelNumber", "SerialNumber", "PhysicalSize")))
            break
elif cmd == "subsys":
    for d in walk(data):
        if d.get("Name") == sys.argv[2] and "Transport" in d:
            print("|".join(s(d.get(k)) for k in ("Transport", "Address", "State")))
            break
EOF

# ---- target -------------------------------------------------------------------

# (Debian's kernel has no nvme-loop: the loop checks are skipped there)
HAVE_LOOP=0
modprobe nvme-loop 2>/dev/null && HAVE_LOOP=1
setup() {
	local w=_nvmet_w
	modprobe nvmet && modprobe nvmet-tcp && modprobe nvme-tcp || return 1
	truncate -s 64M "$F_A" "$F_L" && truncate -s 32M "$F_B" "$F_C" || return 1
	# subsystem A: identity attributes set before any host sees it
	nvmet_subsys "$NQN_A" 1 || return 1
	$w "$MODEL_A" "$CFS_A/attr_model" && $w "$SERIAL_A" "$CFS_A/attr_serial" &&
		$w 1.4 "$CFS_A/attr_version" && $w 10 "$CFS_A/attr_cntlid_min" &&
		$w 20 "$CFS_A/attr_cntlid_max" || return 1
	mkdir -p "$CFS_A/namespaces/1" || return 1
	$w "$F_A" "$CFS_A/namespaces/1/device_path" && $w 1 "$CFS_A/namespaces/1/buffered_io" &&
		$w "$UUID_A" "$CFS_A/namespaces/1/device_uuid" &&
		$w "$NGUID_A" "$CFS_A/namespaces/1/device_nguid" &&
		$w 1 "$CFS_A/namespaces/1/enable" || return 1
	# B: only HOSTX; C: on port 2 only; L: on the loop port
	nvmet_subsys "$NQN_B" 0 && nvmet_ns "$NQN_B" 1 "$F_B" 1 &&
		nvmet_allow_host "$NQN_B" "$HOSTX" || return 1
	nvmet_subsys "$NQN_C" 1 && nvmet_ns "$NQN_C" 1 "$F_C" 1 || return 1
	nvmet_subsys "$NQN_L" 1 && nvmet_ns "$NQN_L" 1 "$F_L" 1 || return 1
	nvmet_port 1 tcp "$ADDR" 4420 && nvmet_link 1 "$NQN_A" && nvmet_link 1 "$NQN_B" || return 1
	nvmet_port 2 tcp "$ADDR" 4421 && nvmet_link 2 "$NQN_C" || return 1
	[ $HAVE_LOOP = 0 ] || { nvmet_port 3 loop "" "" && nvmet_link 3 "$NQN_L"; }
}
if ! out=$(setup 2>&1); then
	not_ok "target set up" "$out" "$(dmesg | tail -n 20)"
	fail_rest "no target"
	ktap_finish
fi
ok "target set up: $NQN_A, $NQN_B (host $HOSTX only) on $ADDR:4420, $NQN_C on :4421, $NQN_L on loop"
for m in nvme_core nvme_fabrics nvme_tcp nvme_loop nvmet nvmet_tcp; do
	our_module_loaded "$m" || diag "note: $m is not ours ($(modinfo -n "${m//_/-}" 2>/dev/null))"
done

# ---- discovery ------------------------------------------------------------------

got=$(disc -s 4420)
exp="tcp|ipv4|current discovery subsystem|$DISC|$ADDR|4420|1
tcp|ipv4|nvme subsystem|$NQN_A|$ADDR|4420|1"
check_eq "discover via port 1 (default host): the current discovery subsystem entry and $NQN_A only (portid 1, trsvcid 4420; $NQN_B hidden)" \
	"$exp" "$got" || disc_diag
check_eq "discovery entries of a tcp port: treq 'not specified, sq flow control disable supported' (Linux nvmet sets NVMF_TREQ_DISABLE_SQFLOW)" \
	"not specified, sq flow control disable supported" \
	"$(python3 "$PY" treq "$NQN_A" < /tmp/bb-disc.json)"

got=$(disc -s 4420 -q "$HOSTX")
if grep -qxF "tcp|ipv4|nvme subsystem|$NQN_B|$ADDR|4420|1" <<< "$got"; then
	ok "discover with --hostnqn $HOSTX also lists $NQN_B (allowed_hosts filters the log)"
else
	not_ok "discover with --hostnqn $HOSTX also lists $NQN_B (allowed_hosts filters the log)" "records:" "$got"
	disc_diag
fi

# a referral on port 1 to the discovery controller on port 2
ref_set() {
	_nvmet_w tcp "$REF/addr_trtype" && _nvmet_w ipv4 "$REF/addr_adrfam" &&
	_nvmet_w "$ADDR" "$REF/addr_traddr" && _nvmet_w 4421 "$REF/addr_trsvcid" &&
	_nvmet_w 2 "$REF/addr_portid" && _nvmet_w 1 "$REF/enable"
}
mkdir -p "$REF" && out=$(ref_set 2>&1) || diag "referral set up failed: $out"
got=$(disc -s 4420)
if grep -qxF "tcp|ipv4|discovery subsystem referral|$DISC|$ADDR|4421|2" <<< "$got"; then
	ok "an enabled port referral is listed: subtype 'discovery subsystem referral', subnqn $DISC, trsvcid 4421, portid 2"
else
	not_ok "an enabled port referral is listed (referral, $DISC, 4421, portid 2)" "records:" "$got"
	disc_diag
fi

got=$(disc -s 4421)
exp="tcp|ipv4|current discovery subsystem|$DISC|$ADDR|4421|2
tcp|ipv4|nvme subsystem|$NQN_C|$ADDR|4421|2"
check_eq "discover via port 2: only its own subsystem $NQN_C (trsvcid 4421, portid 2)" "$exp" "$got" || disc_diag

out=$(timeout 120 nvme connect-all -t tcp -a "$ADDR" -s 4420 2>&1)
rc=$?
if wait_until 15 ctrl_of "$NQN_A" 4420 && wait_until 15 ctrl_of "$NQN_C" 4421 &&
   wait_until 10 no_ctrl_of "$DISC" && no_ctrl_of "$NQN_B"; then
	ok "connect-all via port 1 follows the referral: $NQN_A via 4420, $NQN_C via 4421, no discovery controller left"
else
	not_ok "connect-all via port 1 follows the referral ($NQN_A via 4420, $NQN_C via 4421)" \
		"connect-all status $rc: $out" "$(nvme list-subsys 2>&1)" "$(dmesg | tail -n 15)"
fi
nvme disconnect-all > /dev/null 2>&1
wait_until 15 no_ctrls

_nvmet_w 0 "$REF/enable"
got=$(disc -s 4420)
if grep -q "referral" <<< "$got" || ! grep -q "$NQN_A" <<< "$got"; then
	not_ok "a disabled referral is no longer listed" "records:" "$got"
	disc_diag
else
	ok "a disabled referral is no longer listed"
fi
rmdir "$REF" 2>/dev/null

# ---- connect with options ----------------------------------------------------------

out=$(timeout 60 nvme connect -t tcp -a "$ADDR" -s 4420 -n "$NQN_A" -i 1 -Q 16 -k 1 -c 2 -l 7 2>&1)
rc=$?
C=$(ctrl_of "$NQN_A")
if [ $rc -eq 0 ] && [ -n "$C" ] && wait_until 10 ctrl_live "$C" && wait_until 10 ns_ready "$C" 1; then
	ok "connect -i 1 -Q 16 -k 1 -c 2 -l 7: $C live with 1 namespace"
else
	not_ok "connect -i 1 -Q 16 -k 1 -c 2 -l 7" "status $rc: $out" "ctrl '$C'" "$(dmesg | tail -n 20)"
	fail_rest "not connected"
	nvme disconnect-all >/dev/null 2>&1
	nvmet_clear
	ktap_finish
fi
NS=$(ns_by_nsid "$C" 1)
check_eq "$C: queue_count 2 (admin + 1 I/O), sqsize 15 (queue_size 16, 0's based)" \
	"2 15" "$(sf "$C" queue_count) $(sf "$C" sqsize)"
check_eq "$C: kato 1, reconnect_delay 2, ctrl_loss_tmo 8 (7 rounded up to reconnect_delay multiples, as Linux shows it), fast_io_fail_tmo off" \
	"1 2 8 off" "$(sf "$C" kato) $(sf "$C" reconnect_delay) $(sf "$C" ctrl_loss_tmo) $(sf "$C" fast_io_fail_tmo)"
check_eq "$C: transport tcp, cntrltype io, address 'traddr=$ADDR,trsvcid=4420,src_addr=$ADDR' (Linux 6.1 nvme-tcp format)" \
	"tcp|io|traddr=$ADDR,trsvcid=4420,src_addr=$ADDR" \
	"$(sf "$C" transport)|$(sf "$C" cntrltype)|$(sf "$C" address)"
cntlid=$(sf "$C" cntlid)
exp_fw=$(printf '%-8.8s' "$(uname -r)")
check_eq "$C: model/serial space padded to 40/20 like Linux, firmware_rev = first 8 chars of the target's uname -r, cntlid in attr_cntlid_min..max (10..20)" \
	"[$(printf '%-40s' "$MODEL_A")] [$(printf '%-20s' "$SERIAL_A")] [$exp_fw] in-range" \
	"[$(sf "$C" model)] [$(sf "$C" serial)] [$(sf "$C" firmware_rev)] $( [ "${cntlid:-0}" -ge 10 ] && [ "${cntlid:-0}" -le 20 ] && echo in-range || echo "cntlid=$cntlid")"

got=$(nvme id-ctrl "/dev/$C" -o json 2>&1 | python3 "$PY" idctrl 2>&1)
check_eq "id-ctrl: mn, sn, ver 1.4 (0x10400), cntlid = sysfs, subnqn, cntrltype 1 (I/O), msdbd 1 (tcp)" \
	"$MODEL_A|$SERIAL_A|66560|$cntlid|$NQN_A|1|1" "$got"

# CAP: MQES 1023, TO 15 (7.5 s), CSS NVM (bit 37).  Linux 6.1's nvmet also
# sets bit 43 (I/O command sets, for its ZNS support) and leaves CQR clear;
# ours sets CQR, which the base specification requires of a controller on
# a message-based transport, and has no command set but NVM.
prop() {	# prop OFFSET: the value of `nvme get-property` as a decimal
	local v
	v=$(nvme get-property "/dev/$C" -o "$1" 2>&1 | sed -n 's/.*value: *\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/\2/p' | head -n 1)
	[ -n "$v" ] && echo $((16#$v))
}
cap=$(prop 0)
if [ -n "$cap" ] && [ $((cap & ~(1 << 16) & ~(1 << 43))) = $((0x200f0003ff)) ]; then
	ok "get-property CAP: MQES 1023, TO 15, CSS NVM"
else
	not_ok "get-property CAP: MQES 1023, TO 15, CSS NVM" \
		"$(nvme get-property "/dev/$C" -o 0 2>&1)" \
		"$( [ -n "$cap" ] && printf 'decoded: MQES %d CQR %d TO %d CSS 0x%x' $((cap & 0xffff)) $((cap >> 16 & 1)) $((cap >> 24 & 0xff)) $((cap >> 37 & 0xff)))"
fi
# (nvme-cli 2.3's show-regs fails on fabrics controllers even with Linux's
# own stack, so the properties are read one by one)
vs=$(prop 8) cc=$(prop 0x14) csts=$(prop 0x1c)
intms=$(nvme get-property "/dev/$C" -o 0xc 2>&1)
rc=$?
if [ "$vs" = $((0x10400)) ] && [ $((${cc:-0} & 1)) = 1 ] && [ $((${csts:-0} & 1)) = 1 ] &&
   [ $rc -ne 0 ] && [[ $intms == *"(0x6002)"* ]]; then
	ok "get-property: VS 0x10400 (attr_version 1.4), CC.EN 1, CSTS.RDY 1; INTMS (0xc) answers Invalid Field with DNR and More (0x6002, as Linux: logged in the error log)"
else
	not_ok "get-property: VS 0x10400, CC.EN 1, CSTS.RDY 1; INTMS (0xc) answers Invalid Field with DNR and More (0x6002, as Linux: logged in the error log)" \
		"VS '$vs' CC '$cc' CSTS '$csts'" "INTMS: status $rc: $intms"
fi

kato_feat=$(nvme get-feature "/dev/$C" -f 0x0f 2>&1)
check_eq "get-feature 0x0f (Keep Alive Timer) reports 1000 ms for -k 1" 1000 \
	"$(v=$(sed -n 's/.*value: *0x\([0-9a-fA-F]*\).*/\1/p' <<< "$kato_feat" | head -n 1); [ -n "$v" ] && echo $((16#$v)) || echo "$kato_feat")"

bad=0
for _ in $(seq 24); do
	ctrl_live "$C" || bad=$((bad + 1))
	sleep 0.25
done
check_eq "6 s idle with kato 1: live at every look (of 24), no reconnect (cntlid $cntlid kept)" \
	"0 $cntlid" "$bad $(sf "$C" cntlid)" || diag "$(dmesg | grep -iE 'keep|reconnect|reset' | tail -n 10)"

check_eq "$NS: uuid, nguid and wwid from configfs device_uuid/device_nguid" \
	"$UUID_A $NGUID_A uuid.$UUID_A" \
	"$(cat /sys/block/"$NS"/uuid 2>&1) $(cat /sys/block/"$NS"/nguid 2>&1) $(cat /sys/block/"$NS"/wwid 2>&1)"

check_eq "nvme list -o json: /dev/$NS with ModelNumber, SerialNumber, PhysicalSize (64 MiB)" \
	"$MODEL_A|$SERIAL_A|$((64 << 20))" \
	"$(nvme list -o json 2>&1 | python3 "$PY" list "/dev/$NS" 2>&1)"
check_eq "nvme list-subsys -o json: $C with Transport tcp, the sysfs address, State live" \
	"tcp|$(sf "$C" address)|live" \
	"$(nvme list-subsys -o json 2>&1 | python3 "$PY" subsys "$C" 2>&1)"

check "fio randwrite 4k-64k crc32c verify at iodepth 32 over 16-entry queues" fio_run /tmp/bb-q16.log \
	--name=q16 --filename="/dev/$NS" --ioengine=libaio --direct=1 --iodepth=32 \
	--rw=randwrite --bsrange=4k-64k --size=16M --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --randrepeat=0

# ---- namespace changes, rescan, reset ----------------------------------------------

truncate -s 96M "$F_A"
_nvmet_w 1 "$CFS_A/namespaces/1/revalidate_size"
t0=$(date +%s)
if wait_until 10 size_is "$NS" $((96 << 20)); then
	ok "backing file grown to 96 MiB + revalidate_size: the host sees the new size within $(( $(date +%s) - t0 )) s"
else
	not_ok "backing file grown to 96 MiB + revalidate_size: the host sees the new size within 10 s" \
		"size $(blockdev_bytes "$NS" 2>&1)" "$(dmesg | tail -n 10)"
fi

out=$(timeout 30 nvme ns-rescan "/dev/$C" 2>&1)
rc=$?
sleep 1
check_eq "nvme ns-rescan: exit 0, the namespace stays with 96 MiB" \
	"0 $((96 << 20))" "$rc $(blockdev_bytes "$NS" 2>&1)" || diag "$out"

out=$(timeout 60 nvme reset "/dev/$C" 2>&1)
rc=$?
if [ $rc -eq 0 ] && wait_until 15 ctrl_live "$C" &&
   [ "$(sf "$C" queue_count) $(sf "$C" sqsize) $(sf "$C" kato)" = "2 15 1" ] &&
   dd if="/dev/$NS" of=/dev/null bs=64k count=16 iflag=direct status=none; then
	ok "nvme reset: live again with queue_count 2, sqsize 15, kato 1; I/O works"
else
	not_ok "nvme reset: live again with the same options, I/O works" "reset status $rc: $out" \
		"state $(ctrl_state "$C") queue_count $(sf "$C" queue_count) sqsize $(sf "$C" sqsize) kato $(sf "$C" kato)" \
		"$(dmesg | tail -n 10)"
fi

frozen() {
	local f v err=0
	for f in attr_serial:other-serial attr_model:Other-Model attr_version:1.3; do
		v=${f#*:} f=${f%%:*}
		if printf '%s\n' "$v" > "$CFS_A/$f" 2>/dev/null; then
			echo "writing '$v' to $f succeeded"
			err=1
		fi
	done
	[ "$(cat "$CFS_A/attr_model")" = "$MODEL_A" ] || { echo "attr_model now '$(cat "$CFS_A/attr_model")'"; err=1; }
	[ "$(sed 's/ *$//' "$CFS_A/attr_serial")" = "$SERIAL_A" ] || { echo "attr_serial now '$(cat "$CFS_A/attr_serial")'"; err=1; }
	[ "$(cat "$CFS_A/attr_version")" = 1.4 ] || { echo "attr_version now '$(cat "$CFS_A/attr_version")'"; err=1; }
	return $err
}
check "attr_serial, attr_model, attr_version are refused once a host identified the subsystem (Linux: EINVAL), values kept" frozen

# ---- duplicate connects, allowed host, unknown NQN --------------------------------

HN=$(sf "$C" hostnqn) HID=$(sf "$C" hostid)
OPTS="transport=tcp,traddr=$ADDR,trsvcid=4420,nqn=$NQN_A,hostnqn=$HN,hostid=$HID,nr_io_queues=1"
err=$(printf '%s' "$OPTS" 2>&1 > /dev/nvme-fabrics)
rc=$?
n=$(n_ctrls_of "$NQN_A")
if [ $rc -ne 0 ] && [[ $err == *"already in progress"* ]] && [ "$n" = 1 ]; then
	ok "a second identical tcp connect (no duplicate_connect) is refused with EALREADY, no new controller"
else
	not_ok "a second identical tcp connect (no duplicate_connect) is refused with EALREADY" \
		"write status $rc: '$err'" "$n controllers of $NQN_A"
	for c in $(ctrls_of "$NQN_A"); do
		[ "$c" = "$C" ] || echo 1 > "/sys/class/nvme/$c/delete_controller" 2>/dev/null
	done
fi
dup_connect() {
	local line d cid
	line=$(exec 3<>/dev/nvme-fabrics && printf '%s' "$OPTS,duplicate_connect" >&3 && head -n 1 <&3) ||
		{ echo "connect failed: $line"; return 1; }
	[[ $line =~ ^instance=([0-9]+),cntlid=([0-9]+) ]] || { echo "read back '$line'"; return 1; }
	d=nvme${BASH_REMATCH[1]} cid=${BASH_REMATCH[2]}
	wait_until 10 ctrl_live "$d" || { echo "$d not live: $(ctrl_state "$d")"; return 1; }
	[ "$(sf "$d" subsysnqn)" = "$NQN_A" ] || { echo "$d subsysnqn $(sf "$d" subsysnqn)"; return 1; }
	[ "$(subsys_of "$d")" = "$(subsys_of "$C")" ] || { echo "$d in $(subsys_of "$d"), $C in $(subsys_of "$C")"; return 1; }
	[ "$(sf "$d" cntlid)" = "$cid" ] || { echo "cntlid $(sf "$d" cntlid) vs read back $cid"; return 1; }
	echo "$line"
}
check "with duplicate_connect: a second live controller in the same subsystem, instance/cntlid read back match sysfs" dup_connect
for c in $(ctrls_of "$NQN_A"); do
	[ "$c" = "$C" ] || echo 1 > "/sys/class/nvme/$c/delete_controller" 2>/dev/null
done
wait_until 10 n_ctrls_is "$NQN_A" 1

out=$(timeout 60 nvme connect -t tcp -a "$ADDR" -s 4420 -n "$NQN_B" -q "$HOSTX" -I "$HOSTX_ID" 2>&1)
rc=$?
CB=$(ctrl_of "$NQN_B")
if [ $rc -eq 0 ] && [ -n "$CB" ] && wait_until 10 ctrl_live "$CB" &&
   [ "$(sf "$CB" hostnqn)|$(sf "$CB" hostid)" = "$HOSTX|$HOSTX_ID" ] && wait_until 10 ns_ready "$CB" 1; then
	ok "the host allowed by $NQN_B connects with -q/-I; sysfs hostnqn and hostid show them"
else
	not_ok "the host allowed by $NQN_B connects with -q/-I; sysfs hostnqn and hostid show them" \
		"status $rc: $out" "ctrl '$CB' hostnqn '$(sf "$CB" hostnqn)' hostid '$(sf "$CB" hostid)'"
fi
[ -n "$CB" ] && nvme disconnect -d "$CB" > /dev/null 2>&1

t0=$(date +%s)
out=$(timeout 30 nvme connect -t tcp -a "$ADDR" -s 4420 -n nqn.2026-12.io.nvme-oot:bb-nosuch 2>&1)
rc=$?
t=$(( $(date +%s) - t0 ))
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $t -le 5 ] && no_ctrl_of nqn.2026-12.io.nvme-oot:bb-nosuch; then
	ok "connect to an NQN the target does not have fails within 5 s (${t} s), no controller left"
else
	not_ok "connect to an NQN the target does not have fails within 5 s, no controller left" \
		"status $rc after ${t} s: $out"
fi

# ---- loop ---------------------------------------------------------------------------

if [ $HAVE_LOOP = 0 ]; then
	skip "loop connect -i 1" "no nvme-loop module"
	skip "loop: fio" "no nvme-loop module"
else
	out=$(timeout 60 nvme connect -t loop -n "$NQN_L" -i 1 2>&1)
	rc=$?
	CL=$(ctrl_of "$NQN_L")
	if [ $rc -eq 0 ] && [ -n "$CL" ] && wait_until 10 ctrl_live "$CL" && wait_until 10 ns_ready "$CL" 1; then
		check_eq "loop connect -i 1: $CL transport loop, queue_count 2, empty address (no traddr given)" \
			"loop|2|" "$(sf "$CL" transport)|$(sf "$CL" queue_count)|$(sf "$CL" address)"
		NL=$(ns_by_nsid "$CL" 1)
		# mixed traffic: verified random writes on the first 16 MiB while
		# a second job reads the next 16 MiB (rw=randrw with verify gives
		# false alarms in fio itself)
		check "loop: verified random writes 4k-128k QD16 alongside random reads QD16 on $NL" \
			fio_run /tmp/bb-looprw.log --ioengine=libaio --direct=1 --iodepth=16 \
			--filename="/dev/$NL" --bsrange=4k-128k --randrepeat=0 \
			--name=w --rw=randwrite --offset=0 --size=16M --verify=crc32c \
			--verify_fatal=1 --do_verify=1 \
			--name=r --rw=randread --offset=16M --size=16M
		nvme disconnect -d "$CL" > /dev/null 2>&1
		wait_for_gone "/sys/class/nvme/$CL" 10
	else
		not_ok "loop connect -i 1" "status $rc: $out" "$(dmesg | tail -n 10)"
		not_ok "loop: fio verify" "not connected"
	fi
fi

# ---- configfs port lock, teardown ------------------------------------------------------

port_lock() {
	local p=$NVMET_CFS/ports/2
	if printf '4425\n' > "$p/addr_trsvcid" 2>/dev/null; then
		echo "addr_trsvcid written while $NQN_C is linked"
		return 1
	fi
	[ "$(cat "$p/addr_trsvcid")" = 4421 ] || { echo "addr_trsvcid now $(cat "$p/addr_trsvcid")"; return 1; }
	nvmet_unlink 2 "$NQN_C"
	printf '4425\n' > "$p/addr_trsvcid" || { echo "refused after the last unlink"; return 1; }
	[ "$(cat "$p/addr_trsvcid")" = 4425 ] || { echo "reads back $(cat "$p/addr_trsvcid")"; return 1; }
}
check "addr_trsvcid of an enabled port is refused (Linux: EACCES) and accepted once its last subsystem is unlinked" port_lock

nvme disconnect-all > /dev/null 2>&1
left() {
	local s
	[ -z "$(ls /sys/class/nvme 2>/dev/null)" ] || { echo "controllers: $(ls /sys/class/nvme)"; return 1; }
	s=$(ss -Htn state established '( sport = :4420 or dport = :4420 or sport = :4421 or dport = :4421 )' 2>/dev/null)
	[ -z "$s" ] || { echo "sockets: $s"; return 1; }
}
wait_until 15 left
check "disconnect-all: no controller and no TCP connection left" left

nvmet_clear
rm -f "$F_A" "$F_B" "$F_C" "$F_L" "$PY"
ktap_finish
