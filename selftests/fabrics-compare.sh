#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our NVMe/TCP host shows users exactly what Linux's own shows.  In one VM,
# Debian's nvmet + nvmet-tcp (by path) export one subsystem with two
# namespaces (null_blk with 512-byte blocks, a tmpfs file with 4096-byte
# blocks) on 127.0.0.1:4420.  Then Debian's nvme-core + nvme-fabrics +
# nvme-tcp (by path), and after a full unload ours, each: discover, two
# connects with options (dumped: sysfs of the controller, subsystem, fabrics
# ctl and block devices, nvme-cli list/id/features/logs/registers), error
# cases through nvme-cli and /dev/nvme-fabrics, kernel messages.  One TAP
# result per group, the diff as diagnostics.  "--show" also prints
# Debian's dump.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme-fabrics,nvme-tcp

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nvmet.sh"
. "$(dirname "$0")/lib-tcphost.sh"

GROUPS_=(discover discover-json connect ctrl-files ctrl-attrs subsys-attrs
	fabrics-ctl block-files block-attrs queue-attrs list list-v list-subsys
	id-ctrl id-ns ns-descs features smart-log error-log show-regs errors fabrics-dev
	kmsg-host kmsg-target)
tap_plan $((4 + ${#GROUPS_[@]}))
KD=/lib/modules/$(uname -r)/kernel/drivers/nvme
A=$TCP_ADDR
NQNX=nqn.2026-12.io.nvme-oot:no-such-subsys
CONN1=(-i 2 -k 5 -c 2 -l 7 -Q 64)
CONN2=(-i 1 -W 1 -P 1 -g -d)
# raw connects need the host NQN/ID: the kernel's default is random per load
HOST="hostnqn=$(host_nqn),hostid=$(cat /etc/nvme/hostid 2>/dev/null)"
SHOW=0
[ "${1:-}" != --show ] || SHOW=1

if debian_mode; then
	skip_rest "compares our host with Debian's: NVME_VM_MODULES=debian"
	ktap_finish
fi
for m in host/nvme-core host/nvme-fabrics host/nvme-tcp target/nvmet target/nvmet-tcp; do
	[ -e "$KD/$m.ko" ] && continue
	skip_rest "no $KD/$m.ko"
	ktap_finish
done

# kmod_debian DIR/NAME: Debian's module by path, its other dependencies by name
kmod_debian() {
	local dep
	for dep in $(modinfo -F depends "$KD/$1.ko" | tr , ' '); do
		case "$dep" in nvme-core|nvme-fabrics|nvmet) ;; *) modprobe "$dep" || return 1 ;; esac
	done
	insmod "$KD/$1.ko"
}
# ours: out-of-tree ("O" taint); Debian's: untainted
is_ours() { grep -q O "/sys/module/$1/taint" 2>/dev/null; }
host_unload() {
	rmmod nvme_tcp nvme_fabrics nvme_core 2>/dev/null
	[ ! -d /sys/module/nvme_core ]
}
host_load() {	# ours|debian
	if [ "$1" = ours ]; then
		modprobe nvme-tcp && is_ours nvme_core && is_ours nvme_fabrics && is_ours nvme_tcp
	else
		kmod_debian host/nvme-core && kmod_debian host/nvme-fabrics &&
			kmod_debian host/nvme-tcp && ! is_ours nvme_core && ! is_ours nvme_tcp
	fi
}

# json [KEY...]: JSON on stdin pretty-printed with sorted keys, minus KEYs
json() {
	python3 -c '
import json, sys
drop = set(sys.argv[1:])
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in drop}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
text = sys.stdin.read()
try:
    print(json.dumps(strip(json.loads(text)), indent=1, sort_keys=True))
except ValueError:
    print("not JSON:", text.strip())
' "$@"
}
# vals FILE...: "path = value" of every regular file (a read error as value)
vals() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		echo "${f#/sys/} = $(cat "$f" 2>&1 | tr '\n' '|')"
	done
}
# files DIR DEPTH [find tests]: type, mode, name and link target of entries
files() {
	local d=$1 n=$2
	shift 2
	(cd "$d" && find . -mindepth 1 -maxdepth "$n" "$@" -printf '%y %m %p %l\n' | sort)
}
# run CMD...: "$ CMD", its output (stdout and stderr) and exit status
run() {
	echo "\$ $*"
	timeout 60 "$@" 2>&1
	echo "(exit $?)"
}
# fab OPTIONS: open /dev/nvme-fabrics, write OPTIONS (if any), read back
fab() {
	python3 - "$1" <<'EOF'
import errno, os, sys
step = "open"
try:
    fd = os.open("/dev/nvme-fabrics", os.O_RDWR)
    if sys.argv[1]:
        step = "write"
        os.write(fd, sys.argv[1].encode())
    step = "read"
    print("read:", os.read(fd, 4096).decode().strip())
except OSError as e:
    print(step, "error:", errno.errorcode.get(e.errno, e.errno), e.strerror)
EOF
}
no_ctrls() { [ -z "$(ls /sys/class/nvme 2>/dev/null)" ]; }

# dump TAG CTRL: the connected state into $D/<group>, under "== TAG"
dump() {
	local t=$1 c=$2 g b n h dev=/dev/$2
	for g in ctrl-files ctrl-attrs subsys-attrs block-files block-attrs queue-attrs \
		list list-v list-subsys id-ctrl id-ns ns-descs features smart-log error-log \
		show-regs; do
		echo "== $t" >> "$D/$g"
	done
	files "/sys/class/nvme/$c" 2 ! -path './nvme*/*' ! -path './ng*/*' >> "$D/ctrl-files"
	vals /sys/class/nvme/"$c"/* /sys/class/nvme/"$c"/{power,hwmon*}/* >> "$D/ctrl-attrs"
	for b in /sys/class/nvme-subsystem/*; do
		files "$b" 1
		vals "$b"/* "$b"/power/*
	done >> "$D/subsys-attrs"
	for b in /sys/block/nvme*; do
		n=${b##*/}
		files "$b" 1 | sed "s|^|$n |"
		files "$b/queue" 1 | sed "s|^|$n queue |"
		for h in "$b"/mq/*; do
			echo "$n mq/${h##*/}: $(cd "$h" && ls | tr '\n' ' ')"
		done
	done >> "$D/block-files"
	for b in /sys/block/nvme*; do
		# stat, inflight: I/O counters; diskseq: grows with every disk
		# allocated since boot (ours come after Debian's)
		vals "$b"/* "$b"/mq/*/* | grep -Ev '/(stat|inflight|diskseq) = ' |
			sed 's/DISKSEQ=[0-9]*/DISKSEQ=N/'
		# two deliberate differences (Documentation/performance.md):
		# TCP needs no virtual boundary (Linux 6.1 sets one on every
		# transport), and a Write Zeroes carries at most 65536 blocks
		# (Linux 6.1 shows UINT_MAX sectors here)
		vals "$b"/queue/* "$b"/queue/iosched/* |
			sed -E 's/(virt_boundary_mask|write_zeroes_max_bytes) = .*/\1 = (differs on purpose)/' \
			>> "$D/queue-attrs"
	done >> "$D/block-attrs"
	{ run nvme list; nvme list -o json 2>&1 | json; } >> "$D/list"
	{ run nvme list -v; nvme list -v -o json 2>&1 | json; } >> "$D/list-v"
	{ run nvme list-subsys; nvme list-subsys -o json 2>&1 | json; } >> "$D/list-subsys"
	nvme id-ctrl -o json "$dev" 2>&1 | json >> "$D/id-ctrl"
	for g in 7 0xf; do run nvme get-feature "$dev" -f "$g" -H; done >> "$D/features"
	# the counters move with the I/O the target has seen since it started
	# (both hosts add to them): keys only for those
	nvme smart-log -o json "$dev" 2>&1 | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in sorted(d):
    moving = k.startswith(("data_units", "host_", "controller_busy", "power_on", "power_cycles"))
    print(k, "" if moving else d[k])' >> "$D/smart-log" 2>&1
	# the entries the target logged for this controller (cmdid: the host's
	# internal command tag, left out)
	nvme error-log -e 8 -o json "$dev" 2>&1 | python3 -c '
import json, sys
for e in json.load(sys.stdin).get("errors", []):
    if e.get("error_count"):
        print({k: v for k, v in e.items() if k != "cmdid"})' >> "$D/error-log" 2>&1
	# nvme-cli 2.3's show-regs fails on a fabrics controller and then prints
	# uninitialised memory, with either host: only its first output line
	# and exit status; get-property gives the properties one by one
	run nvme show-regs "$dev" | sed -n '1,2p;$p' >> "$D/show-regs"
	for g in 0 8 0xc 0x14 0x1c 0x20; do
		run nvme get-property "$dev" -o "$g" -H
	done >> "$D/show-regs"
	for n in $(ctrl_namespaces "$c"); do
		echo "/dev/$n: $(nvme id-ns -o json "/dev/$n" 2>&1 | json)" >> "$D/id-ns"
		{ run nvme ns-descs "/dev/$n"; run nvme ns-descs -o json "/dev/$n"; } >> "$D/ns-descs"
	done
}

# connect TAG ARGS...: nvme connect to $NQN1 with ARGS, wait for both
# namespaces, dump; sets C
connect() {
	local t=$1
	shift
	run nvme connect -t tcp -a "$A" -s "$TCP_PORT" -n "$NQN1" "$@" >> "$D/connect"
	C=$(tcp_ctrl_of "$NQN1") && wait_until 10 ctrl_live "$C" && tcp_wait_ns "$C" 2 20 ||
		{ echo "$SIDE: $t: no live controller with 2 namespaces"; return 1; }
	dump "$t" "$C"
}
disconnect() {
	run nvme disconnect -n "$NQN1" >> "$D/connect"
	wait_until 20 no_ctrls || { echo "$SIDE: controllers left: $(ls /sys/class/nvme)"; return 1; }
}

# side ours|debian: everything one host side shows, into /tmp/cmp/SIDE
side() {
	local raw=transport=tcp,traddr=$A,$HOST p=trsvcid=$TCP_PORT i
	SIDE=$1
	run nvme discover -t tcp -a "$A" -s "$TCP_PORT" > "$D/discover"
	nvme discover -t tcp -a "$A" -s "$TCP_PORT" -o json 2>&1 | json > "$D/discover-json"
	{
		files /sys/class/nvme-fabrics/ctl 2
		vals /sys/class/nvme-fabrics/ctl/* /sys/class/nvme-fabrics/ctl/power/*
		ls -l /dev/nvme-fabrics | awk '{ print $1, $3, $4, $5, $6, $NF }'
	} > "$D/fabrics-ctl" 2>&1
	{ run cat /dev/nvme-fabrics; echo "open, read: $(fab '')"; } > "$D/fabrics-dev"

	connect conn1 "${CONN1[@]}" && disconnect || return 1
	connect conn2 "${CONN2[@]}" || return 1
	{
		run nvme connect -t tcp -a "$A" -s "$TCP_PORT" -n "$NQNX"
		run nvme connect -t tcp -a "$A" -s 4430 -n "$NQN1"
		echo "# duplicate, no -D"
		run nvme connect -t tcp -a "$A" -s "$TCP_PORT" -n "$NQN1" "${CONN2[@]}"
		run nvme disconnect -n "$NQNX"
		run nvme disconnect -d nvme9
		echo "controllers: $(ls /sys/class/nvme | tr '\n' ' ')"
	} > "$D/errors"
	{
		for o in "$p,nqn=$NQNX" "trsvcid=4430,nqn=$NQN1" "$p,nqn=$NQN1" \
			"$p,nqn=$NQN1,bogus=1" "$p,nqn=$NQN1,nr_io_queues=x" \
			"$p,nqn=$NQN1,queue_size=8" "$p,nqn=$NQN1,hdr_digest=1"; do
			echo "$o: $(fab "$raw,$o")"
		done
		echo "no traddr: $(fab "transport=tcp,nqn=$NQN1,$HOST")"
		echo "transport=xyz: $(fab "transport=xyz,traddr=$A,nqn=$NQN1,$HOST")"
		o="$raw,$p,nqn=$NQN1,duplicate_connect,nr_io_queues=1,fast_io_fail_tmo=3,reconnect_delay=4,ctrl_loss_tmo=-1"
		echo "duplicate_connect: $(fab "$o" | tee /tmp/cmp/raw)"
		i=$(sed -n 's/.*instance=\([0-9]*\),.*/\1/p' /tmp/cmp/raw)
		if [ -n "$i" ] && wait_until 10 ctrl_live "nvme$i"; then
			vals /sys/class/nvme/nvme"$i"/{queue_count,fast_io_fail_tmo,reconnect_delay,ctrl_loss_tmo,kato,sqsize}
			echo 1 > "/sys/class/nvme/nvme$i/delete_controller"
			wait_for_gone "/sys/class/nvme/nvme$i" 10
		fi
	} >> "$D/fabrics-dev"
	disconnect
}

# kmsg SINCE: kernel messages after line SINCE into kmsg-host and
# kmsg-target, without time stamps
kmsg() {
	dmesg | tail -n +"$(($1 + 1))" | sed 's/^\[ *[0-9.]*\] //' > /tmp/cmp/kmsg
	grep -E '^nvmet' /tmp/cmp/kmsg > "$D/kmsg-target"
	# the informational lines only: ours words its errors differently on
	# purpose (naming the option and the reason; fabrics-options.sh
	# checks them)
	grep -Ev '^nvmet' /tmp/cmp/kmsg |
		grep -E 'new ctrl|Removing ctrl|I/O queues|default/read/poll' \
		> "$D/kmsg-host"
}

# compare GROUP: one TAP result; the diff as diagnostics on failure
compare() {
	local out
	if out=$(diff -U0 "/tmp/cmp/debian/$1" "/tmp/cmp/ours/$1" 2>&1); then
		ok "$1: same as Debian's host"
	else
		not_ok "$1: differs from Debian's host (- Debian, + ours)" \
			"$(grep -v '^\(---\|+++\)' <<< "$out" | head -n 80)"
	fi
}

rm -rf /tmp/cmp
mkdir -p /tmp/cmp
if host_unload; then ok "our host modules (loaded by the harness) unload"
else not_ok "our host modules (loaded by the harness) unload" "$(lsmod | grep nvme)"; fi

if out=$({ kmod_debian target/nvmet && kmod_debian target/nvmet-tcp &&
	tcp_target_up && [ "$(tcp_target_kind)" = debian ]; } 2>&1); then
	ok "Debian's target: $NQN1 (null_blk 1 GiB, 256 MiB file with 4 KiB blocks) on $A:$TCP_PORT"
else
	not_ok "Debian's target set up" "$out" "$(dmesg | tail -n 10)"
	fail_rest "no target"
	ktap_finish
fi

for s in debian ours; do
	D=/tmp/cmp/$s
	mkdir -p "$D"
	mark=$(dmesg | wc -l)
	if ! out=$(host_load "$s" 2>&1); then
		not_ok "$s host modules load" "$out" "$(lsmod | grep nvme)"
		[ "$s" = ours ] && break
		fail_rest "Debian's host does not load"
		ktap_finish
	fi
	if out=$(side "$s" 2>&1); then
		ok "$s host: discover, connect ${CONN1[*]}, connect ${CONN2[*]}, error cases"
	else
		not_ok "$s host: discover, connects, error cases" "$out" "$(dmesg | tail -n 15)"
	fi
	nvme disconnect-all > /dev/null 2>&1
	wait_until 20 no_ctrls
	kmsg "$mark"
	host_unload || diag "$s host modules do not unload: $(lsmod | grep nvme)"
done

compare_all "${GROUPS_[@]}"

tcp_target_down
ktap_finish
