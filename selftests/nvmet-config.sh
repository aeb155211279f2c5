#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/nvmet-config: save the running nvmet configfs tree to JSON, clear it,
# restore it and compare; an nvmetcli-style file loads; bad input fails
# cleanly and leaves the tree as it was; the host connects to the restored
# target (Debian's nvme-tcp host, so THP is off).
#
# Passes with Debian's target too: tools/vm/run --modules debian:nvmet,nvmet-tcp --script ...
#
# VM: mem=1G smp=2 timeout=300 modules=nvmet,nvmet-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"

CFG="$REPO/build/cmake/tools/nvmet-config"
T=/tmp/nvmet-config
SUB=nqn.2014-08.org.example:cfg-a
SUB2=nqn.2014-08.org.example:cfg-b
HOST=$(host_nqn)

tap_plan 20

mkdir -p $T
[ -x "$CFG" ] || { not_ok "nvmet-config is built" "$CFG missing: make unit"; fail_rest "no tool"; ktap_finish; }
ok "nvmet-config is built"

modprobe -q nvmet 2>/dev/null
modprobe -q nvmet-tcp 2>/dev/null
modprobe -q null_blk nr_devices=1 gb=1 2>/dev/null
[ -d "$NVMET_CFS" ] || { not_ok "nvmet configfs tree present"; fail_rest "no nvmet"; ktap_finish; }
ok "nvmet configfs tree present"

# ---- build a tree by hand ------------------------------------------------------
truncate -s 64M $T/file.img
built=0
{
	nvmet_subsys $SUB 0 &&
	nvmet_ns $SUB 1 /dev/nullb0 &&
	nvmet_ns $SUB 7 $T/file.img 1 &&
	echo 0123456789abcdef > "$NVMET_CFS/subsystems/$SUB/attr_serial" &&
	mkdir "$NVMET_CFS/subsystems/$SUB/namespaces/3" &&
	echo $T/off.img > "$NVMET_CFS/subsystems/$SUB/namespaces/3/device_path" &&
	nvmet_allow_host $SUB "$HOST" &&
	nvmet_subsys $SUB2 1 &&
	nvmet_port 1 tcp 127.0.0.1 4420 &&
	echo 8192 > "$NVMET_CFS/ports/1/param_inline_data_size" &&
	mkdir "$NVMET_CFS/ports/1/referrals/r1" &&
	echo tcp > "$NVMET_CFS/ports/1/referrals/r1/addr_trtype" &&
	echo ipv4 > "$NVMET_CFS/ports/1/referrals/r1/addr_adrfam" &&
	echo 10.9.9.9 > "$NVMET_CFS/ports/1/referrals/r1/addr_traddr" &&
	echo 4420 > "$NVMET_CFS/ports/1/referrals/r1/addr_trsvcid" &&
	echo 1 > "$NVMET_CFS/ports/1/referrals/r1/enable" &&
	nvmet_port 2 tcp ::1 4421 &&
	nvmet_link 1 $SUB && nvmet_link 1 $SUB2 && nvmet_link 2 $SUB2 &&
	built=1
} > $T/build.log 2>&1
[ $built = 1 ] || diag "$(cat $T/build.log)"
check_eq "test tree built through configfs" 1 $built

# ---- save / clear / restore ----------------------------------------------------
check "save writes JSON" "$CFG" save $T/a.json
check "saved file has the namespaces, hosts and ports" \
	python3 -c "
import json, sys
c = json.load(open('$T/a.json'))
s = {x['nqn']: x for x in c['subsystems']}
ns = {n['nsid']: n for n in s['$SUB']['namespaces']}
assert sorted(ns) == [1, 3, 7], ns
assert ns[1]['device']['path'] == '/dev/nullb0' and ns[1]['enable'] == 1
assert ns[3]['enable'] == 0
assert ns[7]['buffered_io'] == '1'
assert s['$SUB']['attr']['serial'] == '0123456789abcdef'
assert s['$SUB']['attr']['allow_any_host'] == '0'
assert s['$SUB']['allowed_hosts'] == ['$HOST']
p = {x['portid']: x for x in c['ports']}
assert p[1]['addr']['traddr'] == '127.0.0.1' and p[1]['addr']['trtype'] == 'tcp'
assert p[1]['param']['inline_data_size'] == '8192'
assert sorted(p[1]['subsystems']) == sorted(['$SUB', '$SUB2'])
assert p[1]['referrals'][0]['addr']['traddr'] == '10.9.9.9'
assert p[2]['subsystems'] == ['$SUB2']
assert [h['nqn'] for h in c['hosts']] == ['$HOST']
"
check "clear" "$CFG" clear
check_eq "tree is empty after clear" "" "$(ls "$NVMET_CFS/ports" "$NVMET_CFS/subsystems" "$NVMET_CFS/hosts" | grep -v '^/\|^$')"
check "restore" "$CFG" restore $T/a.json
"$CFG" save $T/b.json
check "save after restore is identical" cmp $T/a.json $T/b.json
check_eq "restored namespace 1 enabled" 1 "$(cat "$NVMET_CFS/subsystems/$SUB/namespaces/1/enable")"
check_eq "restore over a live tree replaces it" 0 "$("$CFG" restore $T/a.json >/dev/null 2>&1; "$CFG" save | cmp -s - $T/a.json; echo $?)"

# ---- bad input -----------------------------------------------------------------
echo '{"subsystems": [{"nqn": "x", "namespaces": [{"nsid": 0}]}]}' > $T/bad1.json
out=$("$CFG" restore $T/bad1.json 2>&1); rc=$?
check_eq "invalid nsid: exit 1" 1 $rc
check "invalid nsid: error names the field" grep -q 'namespaces\[0\].nsid' <<< "$out"
"$CFG" save | cmp -s - $T/a.json
check_eq "invalid input left the tree untouched" 0 $?
python3 -c "
import json
c = json.load(open('$T/a.json'))
c['ports'][0]['addr']['trtype'] = 'bogus'
json.dump(c, open('$T/bad2.json', 'w'))
"
out=$("$CFG" restore $T/bad2.json 2>&1); rc=$?
diag "$out"
check_eq "value the kernel refuses: exit 1" 1 $rc
"$CFG" save | cmp -s - $T/a.json
check_eq "refused restore put the previous tree back" 0 $?

# an nvmetcli-style file with an attribute this kernel lacks
python3 -c "
import json
c = json.load(open('$T/a.json'))
c['subsystems'][0]['attr']['no_such_attr'] = '1'
json.dump(c, open('$T/extra.json', 'w'), sort_keys=True, indent=2)
"
out=$("$CFG" restore $T/extra.json 2>&1); rc=$?
check_eq "unknown attribute: restore still succeeds" 0 $rc
check "unknown attribute: warning printed" grep -q 'warning: .*attr_no_such_attr' <<< "$out"

# ---- the host connects to the restored target ----------------------------------
echo never > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
modprobe -q nvme-tcp 2>/dev/null
if nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $SUB --hostnqn="$HOST" >/dev/null 2>&1 &&
   wait_until 20 test -b /dev/nvme0n1 -a -b /dev/nvme0n2; then
	ok "host connects to the restored subsystem and sees its namespaces"
else
	not_ok "host connects to the restored subsystem and sees its namespaces" "$(dmesg | tail -n 15)"
fi
nvme disconnect -n $SUB >/dev/null 2>&1
wait_for_gone /dev/nvme0n1 20
"$CFG" clear
check_eq "final clear leaves nothing" "" "$(ls "$NVMET_CFS/ports" "$NVMET_CFS/subsystems" "$NVMET_CFS/hosts" | grep -v '^/\|^$')"
ktap_finish
