#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our PCIe driver shows users exactly what Linux's shows: in one VM, load
# Debian's in-kernel nvme-core + nvme (by path), dump every observable
# (sysfs, nvme-cli, lsblk, blockdev ioctls, udev properties and links,
# module parameters, kernel messages), unload, load ours, dump again and
# diff, one TAP result per group.  "--show" also prints Debian's dump.
# iomem=relaxed: nvme show-regs maps BAR0 of a bound controller (Debian has
# CONFIG_IO_STRICT_DEVMEM=y).
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M
# VM: append iomem=relaxed

. "$(dirname "$0")/lib.sh"

GROUPS_=(numbering block-files block-attrs queue-attrs ctrl-attrs subsys-attrs
	devnodes list list-v list-subsys id-ctrl id-ns ns-descs features
	smart-log error-log show-regs lsblk ioctls udev-props disk-links
	module-params kmsg)
tap_plan $((3 + ${#GROUPS_[@]}))
topology=(one:1 three:3 tiny:1)
KDIR=/lib/modules/$(uname -r)/kernel/drivers/nvme/host
SHOW=0
[ "${1:-}" != --show ] || SHOW=1

if debian_mode; then
	skip_rest "compares our driver with Debian's: NVME_VM_MODULES=debian"
	ktap_finish
fi
if [ ! -e "$KDIR/nvme-core.ko" ] || [ ! -e "$KDIR/nvme.ko" ]; then
	skip_rest "no $KDIR/nvme-core.ko or nvme.ko"
	ktap_finish
fi

unload() {
	modprobe -r nvme nvme-core 2>/dev/null || rmmod nvme nvme_core 2>/dev/null
	wait_until 10 test ! -e /sys/module/nvme_core
}
load_debian() {
	local dep
	for dep in $(modinfo -F depends "$KDIR/nvme-core.ko" | tr , ' '); do
		modprobe "$dep" || return 1
	done
	insmod "$KDIR/nvme-core.ko" && insmod "$KDIR/nvme.ko"
}

# json: pretty-print JSON on stdin with sorted keys (one value a line);
# lists of objects with a "name" (lsblk) are sorted by it; "maj:min" keeps
# the major only (minors: see devnodes)
json() {
	python3 -c '
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: (v.split(":")[0] + ":*" if k == "maj:min" else strip(v))
                for k, v in o.items()}
    if isinstance(o, list):
        o = [strip(v) for v in o]
        if all(isinstance(v, dict) and "name" in v for v in o):
            o.sort(key=lambda v: v["name"])
    return o
text = sys.stdin.read()
try:
    d = json.loads(text)
except ValueError:
    print("not JSON:", text)
    sys.exit(0)
print(json.dumps(strip(d), indent=1, sort_keys=True))
'
}

# vals FILE...: "path = value" of each readable regular FILE (cat: a
# failing read shows its error)
vals() {
	local f v
	for f in "$@"; do
		if [ ! -f "$f" ] || [ ! -r "$f" ]; then continue; fi
		# shellcheck disable=SC2002
		v=$(cat "$f" 2>&1 | tr '\n' ' ' | sed 's/ $//')
		echo "${f#/sys/} = $v"
	done
}

# run CMD...: "$ CMD" then its output and exit status
run() {
	echo "\$ $*"
	"$@" 2>&1
	echo "(exit $?)"
}

# dump DIR: every observable group into DIR/<group>
dump() {
	local d=$1 c n b s h dev f
	mkdir -p "$d"
	for c in /sys/class/nvme/nvme*; do
		echo "${c##*/} serial=$(tr -d ' ' < "$c/serial") ns:"
		for n in "$c"/nvme*n*; do echo "  ${n##*/} nsid=$(cat "$n/nsid")"; done
	done > "$d/numbering"
	for b in /sys/block/nvme*; do
		n=${b##*/}
		(cd "$b" && find . -mindepth 1 -maxdepth 1 -printf '%y %p\n' | sort |
			sed "s|^|$n |")
		(cd "$b" && find queue integrity trace -maxdepth 2 -printf '%y %p\n' 2>/dev/null |
			sort | sed "s|^|$n |")
		echo "$n mq: $(find "$b/mq" -mindepth 1 -maxdepth 1 | wc -l) hw queues"
		for h in "$b"/mq/*; do
			echo "$n ${h##*/}: $(cd "$h" && find . -mindepth 1 -maxdepth 1 -printf '%p ' | tr ' ' '\n' | sort | tr '\n' ' ')"
		done
		echo "$n device -> $(basename "$(readlink -f "$b/device")")"
		echo "$n bdi -> $(basename "$(readlink -f "$b/bdi")")"
	done | sed -E 's/ -> ([0-9]+):[0-9]+$/ -> \1:*/' > "$d/block-files"
	for b in /sys/block/nvme*; do
		# stat/inflight: I/O counters; diskseq: increments with every disk
		# allocated since boot (ours are allocated after Debian's)
		vals "$b"/* "$b"/integrity/* "$b"/trace/* "$b"/mq/*/* |
			grep -Ev '/(stat|inflight|diskseq) = |/mq/[0-9]+/(dispatched|merged|run|queued|active|io_poll|dispatch_busy|tags|sched_tags)' |
			sed -E 's/ DISKSEQ=[0-9]+//; s/(\/dev = [0-9]+):[0-9]+$/\1:*/; s/MINOR=[0-9]+/MINOR=*/'
	done > "$d/block-attrs"
	for b in /sys/block/nvme*; do
		vals "$b"/queue/* "$b"/queue/iosched/*
	done > "$d/queue-attrs"
	# hwmon indexes are global and taken in probe order (asynchronous in
	# Debian's driver): not compared
	for c in /sys/class/nvme/nvme*; do
		(cd "$c" && find . -mindepth 1 -maxdepth 2 ! -path './nvme*n*/*' \
			! -path './ng*/*' -printf '%y %p\n' | sort | sed "s|^|${c##*/} |")
		vals "$c"/* "$c"/hwmon*/* "$c"/power/*
	done | sed -E 's/hwmon[0-9]+/hwmonN/' > "$d/ctrl-attrs"
	for s in /sys/class/nvme-subsystem/*; do
		(cd "$s" && find . -mindepth 1 -maxdepth 1 -printf '%y %p\n' | sort |
			sed "s|^|${s##*/} |")
		vals "$s"/*
	done > "$d/subsys-attrs"
	{
		# block and ng minors are allocated dynamically in probe order, and
		# Debian probes the controllers asynchronously: majors only
		ls -l /dev/nvme* /dev/ng* | awk '{ print $1, $3, $4, $5, $NF }'
		ls /sys/class/nvme /sys/class/nvme-generic /sys/class/nvme-subsystem
	} > "$d/devnodes" 2>&1
	nvme list -o json 2>&1 | json > "$d/list"
	nvme list -v -o json 2>&1 | json > "$d/list-v"
	nvme list-subsys -o json 2>&1 | json > "$d/list-subsys"
	: > "$d/id-ctrl"; : > "$d/features"; : > "$d/smart-log"
	: > "$d/error-log"; : > "$d/show-regs"
	for c in /sys/class/nvme/nvme*; do
		dev=/dev/${c##*/}
		echo "$dev: $(nvme id-ctrl -o json "$dev" 2>&1 | json)" >> "$d/id-ctrl"
		# QEMU keeps feature values across loads, so this shows what each
		# driver sets (AEN config) and what QEMU reports for the rest
		for f in 1 2 4 5 6 7 8 9 0xa 0xb; do
			run nvme get-feature "$dev" -f "$f" -n $((f == 5)) -H
		done >> "$d/features"
		# the counters (data units, commands, busy time, power on hours)
		# move with every I/O: keys only, values of the others
		nvme smart-log -o json "$dev" 2>&1 | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in sorted(d):
    moving = k.startswith(("data_units", "host_", "controller_busy", "power_on", "power_cycles"))
    print(sys.argv[1], k, "" if moving else d[k])' "$dev" >> "$d/smart-log"
		run nvme error-log -e 8 -o json "$dev" >> "$d/error-log"
		# asq/acq: DMA addresses of the admin queues, allocated per load
		nvme show-regs "$dev" 2>&1 | grep -aEiv '^(asq|acq)[ :]' |
			sed "s|^|$dev |" >> "$d/show-regs"
	done
	: > "$d/id-ns"; : > "$d/ns-descs"; : > "$d/ioctls"
	for b in /sys/block/nvme*; do
		dev=/dev/${b##*/}
		echo "$dev: $(nvme id-ns -o json "$dev" 2>&1 | json)" >> "$d/id-ns"
		run nvme ns-descs -o json "$dev" >> "$d/ns-descs"
		{
			run blockdev --getss --getpbsz --getiomin --getioopt --getra --getfra \
				--getsize64 --getro --getmaxsect --getalignoff --getdiscardzeroes "$dev"
			run nvme get-ns-id "$dev"
			run nvme get-ns-id "/dev/$(ng_of "${b##*/}")"
			echo "id-ns via ng: $(nvme id-ns -o json "/dev/$(ng_of "${b##*/}")" 2>&1 | md5sum)"
		} >> "$d/ioctls"
	done
	for m in nvme_core nvme; do
		for f in /sys/module/"$m"/parameters/*; do
			echo "$m.${f##*/} = $(cat "$f" 2>&1)"
		done
	done | sort > "$d/module-params"
	udev_dump "$d"
	# kernel messages since the load, without time stamps; the taint line
	# appears once per boot for the first unsigned module
	# (sorted: the controllers probe in parallel)
	dmesg | tail -n +"$((KMSG_MARK + 1))" | sed 's/^\[ *[0-9.]*\] //' |
		grep -v 'module verification failed' | sort > "$d/kmsg"
}

# udev_dump DIR: run udevd on a clean /run/udev and /dev/disk, replay the
# add events, keep the properties, links and lsblk's view; stop it again
udev_dump() {
	local d=$1 x p l t n
	rm -rf /run/udev /dev/disk
	if /lib/systemd/systemd-udevd --daemon > /dev/null 2>&1; then
		udevadm trigger --action=add --subsystem-match=block --subsystem-match=nvme \
			--subsystem-match=nvme-generic --subsystem-match=nvme-subsystem > /dev/null 2>&1
		udevadm settle -t 60
	else
		echo "udevd does not start"
	fi > "$d/udev-props"
	for x in /sys/block/nvme* /sys/class/nvme/nvme* /sys/class/nvme-generic/*; do
		echo "== ${x##*/}"
		# time stamp of the event; disk sequence numbers (see block-attrs);
		# minors (see devnodes); DEVLINKS one a line, they come unordered
		p=$(udevadm info -q property "$x" 2>&1)
		grep -Ev '^(USEC_INITIALIZED|DISKSEQ|DEVLINKS)=' <<< "$p" | sed 's/^MINOR=.*/MINOR=*/'
		sed -n 's/^DEVLINKS=//p' <<< "$p" | tr ' ' '\n' | grep -v by-diskseq | sort |
			sed 's/^/DEVLINK=/'
	done >> "$d/udev-props"
	# a link several devices claim (by-id/nvme-MODEL_SERIAL of each
	# namespace) goes to whichever udev processed last
	(cd /dev/disk 2>/dev/null && find . -type l ! -path './by-diskseq/*' -printf '%p %l\n' |
		sort) | while read -r l t; do
		n=$(grep -cx "DEVLINK=/dev/disk/${l#./}" "$d/udev-props")
		[ "$n" -le 1 ] || t="(one of $n devices)"
		echo "$l -> $t"
	done > "$d/disk-links"
	lsblk -J -O 2>&1 | json > "$d/lsblk"
	udevadm control --exit 2>/dev/null
	wait_until 10 bash -c '! udevadm control --ping -t 1'
	rm -rf /run/udev /dev/disk
}

# compare GROUP: one TAP result; the diff as diagnostics on failure
compare() {
	local a=/tmp/cmp/debian/$1 b=/tmp/cmp/ours/$1 out extra
	if [ "$1" = module-params ]; then
		# parameters of ours only are extensions: Debian's must all be
		# there, with the same defaults
		extra=$(comm -13 "$a" "$b")
		[ -z "$extra" ] || diag "parameters only ours has:" "$extra"
		b=/tmp/cmp/ours/params-common
		comm -12 "$a" "/tmp/cmp/ours/$1" > "$b"
	fi
	if out=$(diff -U0 "$a" "$b"); then
		ok "$1: same as Debian's driver"
	else
		not_ok "$1: same as Debian's driver (- Debian, + ours)" \
			"$(grep -v '^\(---\|+++\)' <<< "$out" | head -n 60)"
	fi
}

rm -rf /tmp/cmp
if unload; then ok "our modules unload"; else not_ok "our modules unload"; fi

KMSG_MARK=$(dmesg | wc -l)
if load_debian && nvme_wait_ctrls 60 "${topology[@]}"; then
	ok "Debian's nvme-core and nvme load, controllers come up"
else
	not_ok "Debian's nvme-core and nvme load, controllers come up"
	fail_rest "Debian's driver did not come up"
	ktap_finish
fi
sleep 2
dump /tmp/cmp/debian
unload || diag "Debian's modules do not unload"

KMSG_MARK=$(dmesg | wc -l)
if modprobe nvme && our_module_loaded nvme-core && nvme_wait_ctrls 60 "${topology[@]}"; then
	ok "our nvme-core and nvme load again, controllers come up"
else
	not_ok "our nvme-core and nvme load again, controllers come up"
	fail_rest "our driver did not come up"
	ktap_finish
fi
sleep 2
dump /tmp/cmp/ours

compare_all "${GROUPS_[@]}"

ktap_finish
