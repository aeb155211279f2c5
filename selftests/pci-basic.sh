#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PCIe driver basics: enumeration, nvme-cli admin commands, sysfs, format,
# rescan, reset, read/write and passthrough round-trips.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

tap_plan 54

# ---- modules and enumeration ----------------------------------------------------
if debian_mode; then
	skip "nvme_core is our module from updates/" "NVME_VM_MODULES=debian"
	skip "nvme is our module from updates/" "NVME_VM_MODULES=debian"
else
	check "nvme_core is our module from updates/" our_module_loaded nvme-core
	check "nvme is our module from updates/" our_module_loaded nvme
fi

require_ctrls 60 one:1 three:3 tiny:1
A=${CTRL[one]} B=${CTRL[three]} C=${CTRL[tiny]}
diag "controllers: one=$A three=$B tiny=$C"

# expected: device -> "bytes lbasize"
declare -A expect=(
	[${NS[one:1]}]="67108864 512"
	[${NS[three:1]}]="67108864 512"
	[${NS[three:2]}]="33554432 4096"
	[${NS[three:3]}]="50331648 512"
	[${NS[tiny:1]}]="67108864 512"
)

list_json=$(nvme list -o json 2>&1)
check "nvme list -o json lists the 5 namespaces with the right sizes and LBA sizes" \
	python3 -c '
import json, sys
want = {}
for a in sys.argv[1:]:
    d, v = a.split("=")
    want[d] = tuple(map(int, v.split(":")))
got = {}
for d in json.loads(sys.stdin.read())["Devices"]:
    got[d["DevicePath"].replace("/dev/", "")] = (d["PhysicalSize"], d["SectorSize"])
if got != want:
    sys.exit("want %s\ngot  %s" % (want, got))
' $(for d in "${!expect[@]}"; do echo "$d=${expect[$d]/ /:}"; done) <<< "$list_json"

bad=""
for d in "${!expect[@]}"; do
	read -r bytes lbs <<< "${expect[$d]}"
	[ "$(blockdev_bytes "$d")" = "$bytes" ] && [ "$(lba_size "$d")" = "$lbs" ] ||
		bad="$bad $d($(blockdev_bytes "$d")/$(lba_size "$d"))"
done
check_eq "block devices have the right sizes and logical block sizes" "" "$bad"

check "/dev/$A, /dev/${NS[one:1]} and /dev/$(ng_of "${NS[one:1]}") exist" \
	test -c "/dev/$A" -a -b "/dev/${NS[one:1]}" -a -c "/dev/$(ng_of "${NS[one:1]}")"

out=$(nvme list -v 2>&1)
check "nvme list -v shows all controllers" \
	bash -c 'for c in "${@:2}"; do grep -qE "^$c +" <<< "$1" || exit 1; done' _ "$out" "$A" "$B" "$C"

check "nvme list-subsys -o json: 3 subsystems, each with a live pcie path" \
	python3 -c '
import json, sys
doc = json.loads(sys.stdin.read())
subs = [s for h in doc for s in h["Subsystems"]] if isinstance(doc, list) else doc["Subsystems"]
paths = [p for s in subs for p in s["Paths"]]
assert len(subs) == 3, subs
assert len(paths) == 3, paths
for p in paths:
    assert p["Transport"] == "pcie" and p["State"] == "live", p
' <<< "$(nvme list-subsys -o json 2>&1)"

# ---- identify -------------------------------------------------------------------
for s in one three tiny; do
	check "nvme id-ctrl /dev/${CTRL[$s]}: serial '$s', sane model and version" \
		python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["sn"].strip() == sys.argv[1], d["sn"]
assert d["mn"].strip(), d["mn"]
assert d["ver"] >= 0x10000, d["ver"]
if sys.argv[1] == "tiny":
    assert d["mdts"] == 1, d["mdts"]
' "$s" <<< "$(nvme id-ctrl -o json "/dev/${CTRL[$s]}" 2>&1)"
done

for d in "${!expect[@]}"; do
	read -r bytes lbs <<< "${expect[$d]}"
	echo "$d $bytes $lbs"
done | sort > /tmp/expect.txt
bad=""
while read -r d bytes lbs; do
	python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
ds = d["lbafs"][d["flbas"] & 0xf]["ds"]
assert 1 << ds == int(sys.argv[2]), ds
assert d["nsze"] * (1 << ds) == int(sys.argv[1]), d["nsze"]
assert d["ncap"] <= d["nsze"]
' "$bytes" "$lbs" <<< "$(nvme id-ns -o json "/dev/$d" 2>&1)" 2>/dev/null || bad="$bad $d"
done < /tmp/expect.txt
check_eq "nvme id-ns: nsze and LBA format match every namespace" "" "$bad"

check "nvme smart-log /dev/$A (json, has critical_warning and temperature)" \
	python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert "critical_warning" in d and "temperature" in d, d
' <<< "$(nvme smart-log -o json "/dev/$A" 2>&1)"

check "nvme error-log /dev/$A" nvme error-log -e 4 "/dev/$A"

# ---- features ---------------------------------------------------------------------
# getf FID CTRL: current value as 0x%08x (nvme-cli prints 0 without "0x")
getf() {
	local v
	v=$(nvme get-feature -f "$1" "/dev/$2" 2>&1 | sed -n 's/.*Current value:\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/\2/p')
	[ -n "$v" ] && printf '0x%08x' "$((16#$v))"
}
check "nvme get-feature -f 7 (number of queues) on /dev/$A" test -n "$(getf 7 "$A")"
check_eq "number of queues on the max_ioqpairs=1 controller is 1 SQ + 1 CQ" \
	"0x00000000" "$(getf 7 "$C")"
nvme set-feature -f 0x4 -v 0x150 "/dev/$A" >/dev/null 2>&1
check_eq "set-feature/get-feature round trip: temperature threshold 0x150" "0x00000150" "$(getf 4 "$A")"
nvme set-feature -f 0x4 -v 0x157 "/dev/$A" >/dev/null 2>&1
nvme set-feature -f 0x6 -v 0 "/dev/$A" >/dev/null 2>&1
v0=$(getf 6 "$A")
nvme set-feature -f 0x6 -v 1 "/dev/$A" >/dev/null 2>&1
v1=$(getf 6 "$A")
check_eq "set-feature/get-feature round trip: volatile write cache off then on" \
	"0x00000000 0x00000001" "$v0 $v1"

# ---- read/write round trips ----------------------------------------------------------
NSA=${NS[one:1]}
random_file /tmp/pat 8192
check "nvme write: 16 blocks at LBA 100 of /dev/$NSA" \
	nvme write "/dev/$NSA" -s 100 -c 15 -z 8192 -d /tmp/pat
check "nvme read returns the data written" \
	bash -c 'nvme read "/dev/$1" -s 100 -c 15 -z 8192 -d /tmp/pat.rd && cmp /tmp/pat /tmp/pat.rd' _ "$NSA"
check "the block device (O_DIRECT) sees the same data" \
	bash -c 'dd if="/dev/$1" bs=512 skip=100 count=16 iflag=direct status=none | cmp - /tmp/pat' _ "$NSA"
check "nvme io-passthru Read (opcode 2) of LBA 100..107 matches" \
	bash -c 'nvme io-passthru "/dev/$1" --opcode=2 --namespace-id=1 --data-len=4096 --read \
		--cdw10=100 --cdw12=7 -b > /tmp/io.bin && cmp -n 4096 /tmp/io.bin /tmp/pat' _ "$NSA"
check "writes through the block device read back through nvme read" \
	bash -c 'random_file() { head -c "$2" /dev/urandom > "$1"; }; random_file /tmp/pat2 65536 &&
		dd if=/tmp/pat2 of="/dev/$1" bs=65536 seek=16 oflag=direct status=none &&
		nvme read "/dev/$1" -s 2048 -c 127 -z 65536 -d /tmp/pat2.rd && cmp /tmp/pat2 /tmp/pat2.rd' _ "$NSA"
NSB2=${NS[three:2]}
check "4096-byte LBA namespace: nvme write/read round trip (2 blocks)" \
	bash -c 'head -c 8192 /dev/urandom > /tmp/p4k && nvme write "/dev/$1" -s 5 -c 1 -z 8192 -d /tmp/p4k &&
		nvme read "/dev/$1" -s 5 -c 1 -z 8192 -d /tmp/p4k.rd && cmp /tmp/p4k /tmp/p4k.rd &&
		dd if="/dev/$1" bs=4096 skip=5 count=2 iflag=direct status=none | cmp - /tmp/p4k' _ "$NSB2"

check "nvme admin-passthru Identify Controller (opcode 6, cdw10=1, 4096 bytes)" \
	bash -c 'nvme admin-passthru "/dev/$1" --opcode=6 --cdw10=1 --data-len=4096 --read -b > /tmp/idc.bin &&
		[ "$(stat -c %s /tmp/idc.bin)" = 4096 ] &&
		[ "$(dd if=/tmp/idc.bin bs=1 skip=4 count=20 status=none | tr -d " ")" = one ]' _ "$A"

# ---- sysfs --------------------------------------------------------------------------
sysfs_sane() {
	local c=/sys/class/nvme/$1 a v
	for a in model serial firmware_rev cntlid transport address state subsysnqn \
		queue_count sqsize numa_node; do
		[ -r "$c/$a" ] || { echo "missing $c/$a"; return 1; }
	done
	[ -n "$(tr -d ' \n' < "$c/model")" ] || { echo "empty model"; return 1; }
	[ "$(tr -d ' \n' < "$c/serial")" = "$2" ] || { echo "serial $(cat "$c/serial")"; return 1; }
	[ -n "$(tr -d ' \n' < "$c/firmware_rev")" ] || { echo "empty firmware_rev"; return 1; }
	grep -qxE '[0-9]+' "$c/cntlid" || { echo "cntlid $(cat "$c/cntlid")"; return 1; }
	[ "$(cat "$c/transport")" = pcie ] || { echo "transport $(cat "$c/transport")"; return 1; }
	v=$(cat "$c/address")
	[[ "$v" =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]] || { echo "address $v"; return 1; }
	[ "$v" = "$(basename "$(readlink -f "$c/device")")" ] || { echo "address $v != device link"; return 1; }
	[ "$(cat "$c/state")" = live ] || { echo "state $(cat "$c/state")"; return 1; }
	grep -q '^nqn\.' "$c/subsysnqn" || { echo "subsysnqn $(cat "$c/subsysnqn")"; return 1; }
	v=$(cat "$c/queue_count")
	[[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 2 ] || { echo "queue_count $v"; return 1; }
	v=$(cat "$c/sqsize")
	[[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ] || { echo "sqsize $v"; return 1; }
	grep -qxE -- '-?[0-9]+' "$c/numa_node" || { echo "numa_node $(cat "$c/numa_node")"; return 1; }
}
for s in one three tiny; do
	check "sysfs attributes of ${CTRL[$s]} exist and are sane" sysfs_sane "${CTRL[$s]}" "$s"
done
check_eq "max_ioqpairs=1 controller: queue_count is 2 (admin + 1 I/O queue)" 2 "$(cat "/sys/class/nvme/$C/queue_count")"
check "/sys/class/nvme-subsystem has a subsystem linking each controller" \
	bash -c 'for c in "$@"; do ls -d /sys/class/nvme-subsystem/*/"$c" >/dev/null 2>&1 || exit 1; done' _ "$A" "$B" "$C"
check "block devices link to their controller (/sys/block/X/device)" \
	bash -c '[ "$(basename "$(readlink -f /sys/block/$1/device)")" = "$2" ]' _ "$NSA" "$A"

# ---- hwmon (lm-sensors) ------------------------------------------------------------------
# QEMU: composite 323 K, over threshold 343 K, critical 373 K
hw=$(ls -d /sys/class/nvme/"$A"/hwmon* 2>/dev/null | head -n 1)
check_eq "$A has a hwmon device named nvme" nvme "$(cat "$hw/name" 2>/dev/null)"
check_eq "temp1_label is Composite" Composite "$(cat "$hw/temp1_label" 2>/dev/null)"
check_eq "temp1_input is QEMU's 323 K in millidegrees C" 49850 "$(cat "$hw/temp1_input" 2>/dev/null)"
check_eq "temp1_max / temp1_crit / temp1_alarm" "69850 99850 0" \
	"$(cat "$hw/temp1_max" "$hw/temp1_crit" "$hw/temp1_alarm" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
check "writing temp1_max 40 C sets the over threshold feature to 313 K" \
	bash -c "echo 40000 > $hw/temp1_max && [ \"\$(cat $hw/temp1_max)\" = 39850 ] &&
		nvme get-feature /dev/$A -f 4 | grep -Eq 'value: *0x0*139$'"
check_eq "temp1_alarm is set while the composite is above it" 1 "$(cat "$hw/temp1_alarm" 2>/dev/null)"
check "temp1_max back to 70 C clears the alarm" \
	bash -c "echo 70000 > $hw/temp1_max && [ \"\$(cat $hw/temp1_alarm)\" = 0 ]"

# ---- the tiny-MDTS controller ----------------------------------------------------------
NSC=${NS[tiny:1]}
mhs=$(cat "/sys/block/$NSC/queue/max_hw_sectors_kb")
check "mdts=1 controller: max_hw_sectors_kb ($mhs) <= 8 (MDTS 2^1 * 4 KiB)" test "$mhs" -le 8
check "mdts=1 controller: 1 MiB O_DIRECT write+read is split and round-trips" \
	bash -c 'head -c 1048576 /dev/urandom > /tmp/big && dd if=/tmp/big of="/dev/$1" bs=1M seek=3 oflag=direct status=none &&
		dd if="/dev/$1" bs=1M skip=3 count=1 iflag=direct status=none | cmp - /tmp/big' _ "$NSC"
check_fails "mdts=1 controller: 64 KiB passthrough read (> MDTS) is refused" \
	nvme io-passthru "/dev/$NSC" --opcode=2 --namespace-id=1 --data-len=65536 --read --cdw12=127 -b

# ---- format ----------------------------------------------------------------------------
NSB3=${NS[three:3]}
lbaf_of() { # DEV DS -> index of the LBA format with that data size and no metadata
	nvme id-ns -o json "/dev/$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for i, f in enumerate(d["lbafs"]):
    if f["ds"] == int(sys.argv[1]) and f["ms"] == 0:
        print(i); break
' "$2"
}
f4k=$(lbaf_of "$NSB3" 12)
f512=$(lbaf_of "$NSB3" 9)
diag "LBA formats of $NSB3: 512 B = $f512, 4 KiB = $f4k"
if [ -n "$f4k" ] && [ -n "$f512" ]; then
	check "nvme format $NSB3 to 4 KiB LBAs" nvme format "/dev/$NSB3" --lbaf="$f4k" --force
	wait_until 20 test "$(lba_size "$NSB3" 2>/dev/null)" = 4096
	check_eq "after format: logical block size 4096, size unchanged" \
		"4096 50331648" "$(lba_size "$NSB3") $(blockdev_bytes "$NSB3")"
	check "nvme format $NSB3 back to 512 B LBAs" nvme format "/dev/$NSB3" --lbaf="$f512" --force
	wait_until 20 test "$(lba_size "$NSB3" 2>/dev/null)" = 512
	check_eq "after format: logical block size 512, size unchanged" \
		"512 50331648" "$(lba_size "$NSB3") $(blockdev_bytes "$NSB3")"
	check "formatted namespace reads back zeroes" is_zero "/dev/$NSB3" 0 1048576
else
	for i in 1 2 3 4 5; do skip "format" "no 512/4096 LBA formats without metadata"; done
fi

# ---- rescan and reset -----------------------------------------------------------------------
check "nvme ns-rescan /dev/$B" nvme ns-rescan "/dev/$B"
sleep 1
check "namespaces of $B still present after ns-rescan" wait_until 20 ctrl_ready three 3

check "nvme reset /dev/$A" nvme reset "/dev/$A"
check "$A is live again within 30 s" wait_until 30 ctrl_live "$A"
check "$NSA still present after reset" wait_until 20 ctrl_ready one 1
check "data written before the reset reads back" \
	bash -c 'nvme read "/dev/$1" -s 100 -c 15 -z 8192 -d /tmp/pat.rd2 && cmp /tmp/pat /tmp/pat.rd2' _ "$NSA"
check "reset through sysfs (reset_controller) of $C" \
	bash -c 'echo 1 > /sys/class/nvme/$1/reset_controller' _ "$C"
check "$C is live again and I/O works" \
	bash -c 'for i in $(seq 150); do [ "$(cat /sys/class/nvme/$1/state)" = live ] && break; sleep 0.2; done;
		[ "$(cat /sys/class/nvme/$1/state)" = live ] &&
		dd if="/dev/$2" bs=1M skip=3 count=1 iflag=direct status=none | cmp - /tmp/big' _ "$C" "$NSC"

ktap_finish
