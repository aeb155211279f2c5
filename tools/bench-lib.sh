# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmark scripts' guest halves (tools/bench*): one fio job
# and its result lines, and for the fabrics benchmarks (bench-tcp,
# bench-rdma) loading either side's modules, ours or Debian's, and a
# null_blk subsystem on one port.  Not executable on its own.

# bench_fio "LABEL..." DEV NAME RW BS QD RUNTIME [SIZE]
#
# Runs one fio job (libaio, O_DIRECT, time based, pinned to CPU 0 so that
# both sides submit through the same queue and interrupt vector: an
# unpinned fio that the scheduler moves mid-job made QD1 results swing by
# 30%) on DEV and prints
#   RESULT LABEL... NAME IOPS
#   CPU LABEL... NAME USEC_PER_IO
# where USEC_PER_IO is the busy time of the whole guest (all CPUs, from
# /proc/stat: everything but idle and iowait) over the job divided by the
# I/Os fio completed (fio and, on fabrics, the other side included: the
# same for both drivers of a comparison).  Under TCG the guest is often
# half idle, waiting on the emulator, so IOPS alone mixes driver cost with
# how fast halted vCPUs are woken; CPU time per I/O leaves the latter out.
#
# Insn mode (the VM started with the insnprof plugin and its share, see
# tools/insnprof/vmargs): the job is bracketed by two runs of the marker,
# so the plugin's dump 2N+1 holds the Nth job, and
#   INSN LABEL... NAME IOS N
# is printed too; the module symbols of the moment go to ksyms.N.
bench_fio() {
	local label=$1 dev=$2 name=$3 rw=$4 bs=$5 qd=$6 runtime=$7 size=${8:-256M}
	local s0 s1 out insn=""

	[ -n "$bench_insn" ] && [ "${bench_warm:-0}" != 1 ] &&
		insn=${bench_insn_n:-0} && bench_insn_mark "$insn"
	s0=$(bench_snap)
	out=$(fio --name="$name" --filename="$dev" --direct=1 \
		--ioengine=libaio --rw="$rw" --bs="$bs" --iodepth="$qd" \
		--cpus_allowed=0 \
		--size="$size" --runtime="$runtime" --time_based \
		--output-format=json 2>/dev/null)
	s1=$(bench_snap)
	[ -n "$insn" ] && "$bench_insn" && bench_insn_n=$((insn + 1))
	[ "${bench_warm:-0}" = 1 ] && return 0	# bench_warmup: no result
	INSN=$insn S0=$s0 S1=$s1 python3 -c '
import json, os, sys
label, name = sys.argv[1], sys.argv[2]
try:
    j = json.loads(sys.argv[3])["jobs"][0]
except (ValueError, KeyError, IndexError):
    print(f"RESULT {label} {name} 0")
    sys.exit(0)
iops = j["read"]["iops"] + j["write"]["iops"]
ios = j["read"]["total_ios"] + j["write"]["total_ios"]
def snap(text):
    """cpu times, and per counter the sum over CPUs (intr, softirq: the total)"""
    r = {}
    for ln in text.splitlines():
        f = ln.split()
        if f and f[0].startswith("cpu") and f[0] != "cpu":
            c = [int(x) for x in f[1:]]
            r[f[0]] = sum(c) - c[3] - c[4]
            continue
        if not f or f[0].rstrip(":") not in ("cpu", "ctxt", "intr", "softirq", "RES", "CAL", "LOC"):
            continue
        nums = [int(x) for x in f[1:] if x.isdigit()]
        r[f[0].rstrip(":")] = nums if f[0] == "cpu" else nums[0] if f[0] in ("intr", "softirq") else sum(nums)
    return r
s0, s1 = snap(os.environ["S0"]), snap(os.environ["S1"])
d = [y - x for x, y in zip(s0["cpu"], s1["cpu"])]
busy = sum(d) - d[3] - d[4]		# idle, iowait
hz = os.sysconf("SC_CLK_TCK")
print(f"RESULT {label} {name} {int(iops)}")
if ios:
    print(f"CPU {label} {name} {busy * 1e6 / hz / ios:.1f}")
    ev = []
    for k in ("ctxt", "intr", "softirq", "RES", "CAL", "LOC"):
        ev.append(f"{k}={(s1.get(k, 0) - s0.get(k, 0)) / ios:.3f}")
    for k in sorted(x for x in s1 if x.startswith("cpu") and x != "cpu"):
        ev.append(f"{k}={(s1[k] - s0.get(k, 0)) * 1e6 / hz / ios:.1f}us")
    print(f"EVENTS {label} {name} " + " ".join(ev))
n = os.environ["INSN"]
if n:
    print(f"INSN {label} {name} {ios} {n}")
' "$label" "$name" "$out"
}

# counters for bench_fio: /proc/stat and the IPI and timer lines of
# /proc/interrupts
bench_snap() {
	cat /proc/stat
	grep -E '^ *(RES|CAL|LOC):' /proc/interrupts
}

# insn mode: the marker program, when the VM has the insnprof share
bench_insn=""
if grep -qsx insnprof /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag; then
	bench_insn=$(dirname "${BASH_SOURCE[0]}")/../build/cmake/tools/insnprof-mark
fi

# bench_insn_mark N: save the symbols for job N (the share is mounted and
# the core kernel's symbols saved on first use), then run the marker
bench_insn_mark() {
	local d=/mnt/insnprof

	if ! mountpoint -q "$d"; then
		mkdir -p "$d" &&
			mount -t 9p -o trans=virtio,version=9p2000.L insnprof "$d" ||
			return 1
		grep -E ' [tT] ' /proc/kallsyms | grep -v '\[' > "$d/ksyms.kernel"
	fi
	grep -E ' [tT] .*\[' /proc/kallsyms > "$d/ksyms.$1"
	"$bench_insn"
}

# bench_warmup CMD...: run CMD (one pass over both sides) with 2 s jobs and
# no result lines.  The first pass of a boot runs code the emulator has not
# translated yet; without this, the side measured first in round 1 (ours)
# pays for it.
bench_warmup() {
	local rt=$runtime

	bench_warm=1 runtime=2
	"$@"
	bench_warm=0 runtime=$rt
}

# ---- fabrics: set trtype (tcp|rdma), addr, nqn and jobs before use ----
bench_kd=/lib/modules/$(uname -r)/kernel/drivers/nvme
bench_cfs=/sys/kernel/config/nvmet

# Debian's module by path, its dependencies by name (never one of ours)
debian_mod() {
	local dep
	for dep in $(modinfo -F depends "$bench_kd/$1.ko" | tr , ' '); do
		case "$dep" in
		nvme-core|nvme-fabrics|nvmet) ;;
		*) modprobe "$dep" || return 1 ;;
		esac
	done
	insmod "$bench_kd/$1.ko"
}
host_load() {	# ours|debian
	if [ "$1" = ours ]; then modprobe "nvme-$trtype"; else
		debian_mod host/nvme-core && debian_mod host/nvme-fabrics &&
			debian_mod "host/nvme-$trtype"
	fi
}
host_unload() { rmmod "nvme_$trtype" nvme_fabrics nvme_core; }
target_load() {	# ours|debian
	local sub=$bench_cfs/subsystems/$nqn port=$bench_cfs/ports/1

	if [ "$1" = ours ]; then modprobe "nvmet-$trtype"; else
		debian_mod target/nvmet && debian_mod "target/nvmet-$trtype"
	fi
	mkdir -p "$sub/namespaces/1" "$port" &&
	echo 1 > "$sub/attr_allow_any_host" &&
	echo /dev/nullb0 > "$sub/namespaces/1/device_path" &&
	echo 1 > "$sub/namespaces/1/enable" &&
	echo "$trtype" > "$port/addr_trtype" && echo ipv4 > "$port/addr_adrfam" &&
	echo "$addr" > "$port/addr_traddr" && echo 4420 > "$port/addr_trsvcid" &&
	ln -s "$sub" "$port/subsystems/$nqn"
}
target_unload() {
	local sub=$bench_cfs/subsystems/$nqn port=$bench_cfs/ports/1

	rm -f "$port/subsystems/$nqn"; rmdir "$port"
	echo 0 > "$sub/namespaces/1/enable"
	rmdir "$sub/namespaces/1" "$sub"
	rmmod "nvmet_$trtype" nvmet
}
run_jobs() {	# TAG SIDE: connect, every job of $jobs, disconnect
	local j name rw bs qd dev
	nvme connect -t "$trtype" -a "$addr" -s 4420 -n "$nqn" -i 2 > /dev/null || return 1
	for _ in $(seq 100); do
		dev=$(ls /sys/block | grep -E '^nvme[0-9]+n1$' | head -n 1)
		[ -n "$dev" ] && [ -b "/dev/$dev" ] && break
		sleep 0.1
	done
	for j in $jobs; do
		IFS=: read -r name rw bs qd <<< "$j"
		bench_fio "$1 $2" /dev/"$dev" "$name" "$rw" "$bs" "$qd" "$runtime"
	done
	nvme disconnect -n "$nqn" > /dev/null
}

# bench_ab host|target "ours debian": each side of that kind in the given
# order, the other side Debian's, every job; exits the guest on a failure
bench_ab() {
	local s
	for s in $2; do
		if [ "$1" = host ]; then
			host_load "$s" && target_load debian
		else
			host_load debian && target_load "$s"
		fi && run_jobs "$1" "$s" || exit 1
		target_unload; host_unload
	done
}
