#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Native multipath on QEMU's NVM subsystem model: two controllers of one
# subsystem (CMIC says they may share namespaces) attach namespace 1,
# namespace 2 is private to the second.  As with Linux's nvme-core
# (multipath=Y), each namespace is one block device nvmeSnN and one ng
# node under the subsystem; each controller's view of it is a hidden
# path disk nvmeScCnN.  I/O keeps going, verified, while one path is
# reset, removed and brought back; round-robin uses both paths; with the
# last path gone the head goes; multipath=N shows one disk per path.
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: qemu -device nvme-subsys,id=mpsub,nqn=mpsub
# VM: qemu -device nvme,serial=mp,subsys=mpsub,id=mpa
# VM: qemu -device nvme,serial=mp,subsys=mpsub,id=mpb
# VM: qemu -drive file=@DISK:64M@,if=none,id=mpd1,format=raw
# VM: qemu -device nvme-ns,drive=mpd1,bus=mpa,nsid=1,shared=on
# VM: qemu -drive file=@DISK:32M@,if=none,id=mpd2,format=raw
# VM: qemu -device nvme-ns,drive=mpd2,bus=mpb,nsid=2,shared=off

. "$(dirname "$0")/lib.sh"

tap_plan 20

# the two controllers with serial "mp", in PCI order
mp_ctrls() {
	local c s
	for c in /sys/class/nvme/nvme*; do
		s=
		read -r s < "$c/serial" 2>/dev/null
		[ "$s" = mp ] && echo "$(basename "$(readlink -f "$c/device")") ${c##*/}"
	done | sort | awk '{print $2}'
}

mp_live() { # COUNT: COUNT controllers "mp" are live
	local c n=0
	for c in $(mp_ctrls); do ctrl_live "$c" && n=$((n + 1)); done
	[ "$n" -eq "$1" ]
}

if ! wait_until 60 mp_live 2; then
	not_ok "two controllers of one subsystem come up live"
	nvme_diag
	fail_rest "no controllers"
	ktap_finish
fi
read -r A B <<< "$(mp_ctrls | tr '\n' ' ')"
SUB=$(subsys_of "$A")
S=${SUB#nvme-subsys}
H1=nvme${S}n1 H2=nvme${S}n2
wait_until 20 test -b "/dev/$H1" -a -b "/dev/$H2"
ok "two controllers of one subsystem come up live ($A, $B in $SUB)"

check "one block and one ng node per namespace: $H1 $H2" \
	test -b "/dev/$H1" -a -b "/dev/$H2" -a -c "/dev/ng${S}n1" -a -c "/dev/ng${S}n2"
paths=$(ls /sys/block | grep -E "^nvme${S}c[0-9]+n[0-9]+$" | sort | tr '\n' ' ')
check_eq "hidden path disks" "$paths" \
	"nvme${S}c${A#nvme}n1 nvme${S}c${B#nvme}n1 nvme${S}c${B#nvme}n2 "
check "path disks are hidden, with no device node" \
	bash -c "for p in $paths; do [ \"\$(cat /sys/block/\$p/hidden)\" = 1 ] && [ ! -e /dev/\$p ] || exit 1; done"
check "the head's device is the subsystem" \
	test "$(basename "$(readlink -f /sys/block/$H1/device)")" = "$SUB"
check_eq "nvme list shows each namespace once" \
	"$(nvme list -o json | grep -c "\"/dev/nvme${S}n")" 2
check_eq "NVME_IOCTL_ID on the head" "$(nvme get-ns-id /dev/$H2 | grep -o 'namespace-id:[0-9]*')" \
	"namespace-id:2"
check "nvme id-ns through the head's ng node" nvme id-ns "/dev/ng${S}n1"
check_eq "head and path share the wwid" "$(cat /sys/block/$H1/wwid)" \
	"$(cat /sys/block/nvme${S}c${A#nvme}n1/wwid)"

# verified I/O while one path is reset, then removed, then back
rm -f /tmp/stop-mp
fio_verify_loop mp "/dev/$H1" 24M &
fpid=$!
sleep 2
check "nvme reset of path $A under I/O" bash -c "nvme reset /dev/$A && sleep 1"
wait_until 30 ctrl_live "$A"
BDF_A=$(basename "$(readlink -f /sys/class/nvme/$A/device)")
echo 1 > "/sys/bus/pci/devices/$BDF_A/remove"
check "path $A removed under I/O" wait_until 30 test ! -e "/sys/block/nvme${S}c${A#nvme}n1"
check "the head stays while $B serves it" test -b "/dev/$H1"
sleep 3
echo 1 > /sys/bus/pci/rescan
check "the path comes back after a PCI rescan" wait_until 60 mp_live 2
touch /tmp/stop-mp
wait $fpid
if fio_loop_failed mp > /tmp/mp-fail.txt; then
	not_ok "fio verify on $H1 across reset, removal and return of a path"
	diag "$(cat /tmp/mp-fail.txt)"
else
	ok "fio verify on $H1 across reset, removal and return of a path"
fi
read -r A B <<< "$(mp_ctrls | tr '\n' ' ')"

# round-robin spreads reads over both paths
echo round-robin > "/sys/class/nvme-subsystem/$SUB/iopolicy"
check_eq "iopolicy round-robin" "$(cat /sys/class/nvme-subsystem/$SUB/iopolicy)" round-robin
pa=nvme${S}c${A#nvme}n1 pb=nvme${S}c${B#nvme}n1
ra=$(awk '{print $1}' /sys/block/$pa/stat) rb=$(awk '{print $1}' /sys/block/$pb/stat)
dd if="/dev/$H1" of=/dev/null bs=4k count=200 iflag=direct status=none
ra2=$(awk '{print $1}' /sys/block/$pa/stat) rb2=$(awk '{print $1}' /sys/block/$pb/stat)
check "reads went down both paths ($((ra2 - ra)) and $((rb2 - rb)))" \
	test $((ra2 - ra)) -ge 50 -a $((rb2 - rb)) -ge 50
check_fails "an unknown iopolicy is refused" \
	bash -c "echo bogus > /sys/class/nvme-subsystem/$SUB/iopolicy"
echo numa > "/sys/class/nvme-subsystem/$SUB/iopolicy"

# both paths gone: the head goes, and comes back with them
for c in $A $B; do
	echo 1 > "/sys/bus/pci/devices/$(basename "$(readlink -f /sys/class/nvme/$c/device)")/remove"
done
check "with the last path gone the head goes" wait_until 30 test ! -e "/dev/$H1"
echo 1 > /sys/bus/pci/rescan
wait_until 60 mp_live 2
read -r A B <<< "$(mp_ctrls | tr '\n' ' ')"
check "controllers and heads come back" \
	wait_until 30 bash -c "ls /dev/nvme*n1 && ls /dev/nvme*n2"

# multipath=N: one disk per path, as without native multipath
modprobe -r nvme nvme-core
modprobe nvme-core multipath=N
modprobe nvme
wait_until 60 mp_live 2
read -r A B <<< "$(mp_ctrls | tr '\n' ' ')"
check "multipath=N: each controller has its own disks" \
	wait_until 30 test -b "/dev/${A}n1" -a -b "/dev/${B}n1" -a -b "/dev/${B}n2"

ktap_finish
