#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fio with data verification (crc32c) on every namespace of every controller,
# all at once: random writes of 4k-128k at iodepth 32 (libaio, O_DIRECT),
# then sequential 1 MiB writes (larger than the tiny controller's MDTS).
#
# VM: mem=2G smp=2 timeout=900 modules=nvme-core,nvme
# VM: nvme serial=one ns=64M
# VM: nvme serial=three ns=64M ns=32M:4096 ns=48M
# VM: nvme serial=tiny mdts=1 max_ioqpairs=1 ns=64M

. "$(dirname "$0")/lib.sh"

nsall=(one:1 three:1 three:2 three:3 tiny:1)
tap_plan 7

require_ctrls 60 one:1 three:3 tiny:1

# run_fio NAME GLOBAL_OPTS...: one job per namespace, all in parallel
run_fio() {
	local name=$1 t log=/tmp/fio-$1.log jobfile=/tmp/fio-$1.fio rc
	shift
	{
		echo "[global]"
		printf '%s\n' "$@"
		for t in "${nsall[@]}"; do
			echo "[${t/:/-n}]"
			echo "filename=/dev/${NS[$t]}"
		done
	} > "$jobfile"
	timeout 600 fio --output="$log" "$jobfile" 2>> "$log"
	rc=$?
	if [ $rc -eq 0 ] && fio_ok "$log"; then
		ok "fio $name: no errors on ${#nsall[@]} namespaces"
	else
		not_ok "fio $name: no errors on ${#nsall[@]} namespaces" "fio exit status $rc"
		diag "$(grep -E 'err=|verify|error|fio:' "$log" | head -n 40)"
	fi
	diag "$(grep -E '^ +(READ|WRITE):' "$log")"
	return $rc
}

common=(ioengine=libaio direct=1 iodepth=32 verify=crc32c verify_fatal=1
	do_verify=1 size=32M randrepeat=0)

run_fio randwrite-verify "${common[@]}" rw=randwrite bsrange=4k-128k

# Huge-page buffers (THP): one 2 MiB page makes a whole request a single
# physical segment, which goes out as one SGL data block where the
# controller offers SGLs (nvmp_map_single_sgl())
THP=/sys/kernel/mm/transparent_hugepage/enabled
thp_was=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$THP")
echo always > "$THP"
run_fio thp-randwrite-verify "${common[@]}" rw=randwrite bsrange=16k-512k \
	iomem_align=2M
echo "${thp_was:-madvise}" > "$THP"

run_fio seqwrite-1M-verify "${common[@]}" rw=write bs=1M iodepth=8

run_fio randread-4k ioengine=libaio direct=1 iodepth=32 rw=randread bs=4k \
	size=64M time_based=1 runtime=8

# Synchronous I/O from several threads per namespace, verified.
run_fio randwrite-psync-verify ioengine=psync direct=1 rw=randwrite bsrange=4k-64k \
	verify=crc32c verify_fatal=1 do_verify=1 size=8M randrepeat=0 numjobs=2 offset_increment=16M

for t in "${nsall[@]}"; do
	c=${t%%:*}
	ctrl_live "${CTRL[$c]}" || bad="$bad ${CTRL[$c]}"
done
check_eq "all controllers still live" "" "${bad:-}"

ktap_finish
