#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Dump the NVMe sysfs layout and nvme-cli views (run inside the VM).
# Used to produce build/vm/debian-sysfs.txt: see tools/vm/README.
for i in $(seq 100); do [ "$(ls /sys/class/nvme-generic 2>/dev/null | wc -l)" -ge "${DUMP_NS:-5}" ] && break; sleep 0.2; done
sleep 1
echo "### uname -r"; uname -r
echo "### QEMU: -device nvme,serial=one + 1 ns (64M, 512B LBA); -device nvme,serial=three + 3 ns (64M/512, 32M/4096, 48M/512); -device nvme,serial=tiny,mdts=1,max_ioqpairs=1 + 1 ns (64M)"
echo "### controllers by serial"
for c in /sys/class/nvme/nvme*; do echo "$(basename $c) serial=$(cat $c/serial) queue_count=$(cat $c/queue_count) sqsize=$(cat $c/sqsize)"; done
echo "### ls -l /sys/class/nvme/"; ls -l /sys/class/nvme/
echo "### ls -l /sys/class/nvme/nvme0/"; ls -l /sys/class/nvme/nvme0/
echo "### attribute values of /sys/class/nvme/nvme0/"
for f in /sys/class/nvme/nvme0/*; do [ -f "$f" ] && [ -r "$f" ] && printf '%s = %s\n' "$(basename $f)" "$(cat $f 2>&1 | tr '\n' ' ')"; done
echo "### ls -l /sys/class/nvme/nvme0/power /sys/class/nvme/nvme0/hwmon* 2>&1"; ls -l /sys/class/nvme/nvme0/power /sys/class/nvme/nvme0/hwmon* 2>&1
echo "### readlink -f /sys/class/nvme/nvme0/device"; readlink -f /sys/class/nvme/nvme0/device
echo "### ls -l /sys/class/nvme-subsystem/"; ls -l /sys/class/nvme-subsystem/
echo "### ls -l /sys/class/nvme-subsystem/nvme-subsys0/"; ls -l /sys/class/nvme-subsystem/nvme-subsys0/
echo "### attribute values of /sys/class/nvme-subsystem/nvme-subsys0/"
for f in /sys/class/nvme-subsystem/nvme-subsys0/*; do [ -f "$f" ] && [ -r "$f" ] && printf '%s = %s\n' "$(basename $f)" "$(cat $f 2>&1 | tr '\n' ' ')"; done
echo "### ls -l /sys/class/nvme/nvme0/nvme0n1/ (namespace block device under controller)"; ls -l /sys/class/nvme/nvme0/nvme0n1/ 2>&1
echo "### ls -l /sys/block/nvme0n1/"; ls -l /sys/block/nvme0n1/
echo "### attribute values of /sys/block/nvme0n1/"
for f in /sys/block/nvme0n1/*; do [ -f "$f" ] && [ -r "$f" ] && printf '%s = %s\n' "$(basename $f)" "$(cat $f 2>&1 | tr '\n' ' ')"; done
echo "### ls /sys/block/nvme0n1/queue/ with values"
for f in /sys/block/nvme0n1/queue/*; do [ -f "$f" ] && [ -r "$f" ] && printf '%s = %s\n' "$(basename $f)" "$(cat $f 2>&1 | tr '\n' ' ')"; done
echo "### ls -l /sys/class/nvme-generic/ and ng0n1"; ls -l /sys/class/nvme-generic/; ls -l /sys/class/nvme-generic/ng0n1/
echo "### ls -l /dev/nvme* /dev/ng*"; ls -l /dev/nvme* /dev/ng*
echo "### /sys/class/nvme/*/ queue/mdts related: max_hw_sectors_kb per namespace"
for b in /sys/block/nvme*; do echo "$(basename $b): lbs=$(cat $b/queue/logical_block_size) max_hw_sectors_kb=$(cat $b/queue/max_hw_sectors_kb) max_segments=$(cat $b/queue/max_segments) nr_hw_queues=$(ls $b/mq | wc -l) size=$(cat $b/size)"; done
echo "### nvme version"; nvme version
echo "### nvme list"; nvme list
echo "### nvme list -v -o json"; nvme list -v -o json
echo "### nvme list -o json"; nvme list -o json
echo "### nvme list-subsys -o json"; nvme list-subsys -o json
echo "### nvme list -v"; nvme list -v
echo "### lsmod | grep nvme"; lsmod | grep nvme
echo "### ls /sys/module/nvme_core/parameters /sys/module/nvme/parameters"
for f in /sys/module/nvme_core/parameters/* /sys/module/nvme/parameters/*; do printf '%s = %s\n' "$f" "$(cat $f)"; done
echo "### dmesg | grep -i nvme"; dmesg | grep -i nvme
echo "### nvme id-ctrl -o json (each controller)"
for c in /dev/nvme[0-9]; do echo "## $c"; nvme id-ctrl -o json $c; done
echo "### nvme id-ns -o json /dev/nvme0n1"; nvme id-ns -o json /dev/nvme0n1
echo "### nvme get-feature -f 7 / -f 6 / -f 4 on nvme0"
nvme get-feature -f 7 /dev/nvme0; nvme get-feature -f 6 /dev/nvme0; nvme get-feature -f 4 /dev/nvme0
