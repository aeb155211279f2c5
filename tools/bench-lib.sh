# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmark scripts' guest halves (tools/bench*): one fio job
# and its result lines.  Not executable on its own.

# bench_fio "LABEL..." DEV NAME RW BS QD RUNTIME [SIZE]
#
# Runs one fio job (libaio, O_DIRECT, time based) on DEV and prints
#   RESULT LABEL... NAME IOPS
#   CPU LABEL... NAME USEC_PER_IO
# where USEC_PER_IO is the busy time of the whole guest (all CPUs, from
# /proc/stat: everything but idle and iowait) over the job divided by the
# I/Os fio completed.  Under TCG the guest is often half idle, waiting on
# the emulator, so IOPS alone mixes driver cost with host scheduling luck;
# CPU time per I/O is the driver's own cost.
bench_fio() {
	local label=$1 dev=$2 name=$3 rw=$4 bs=$5 qd=$6 runtime=$7 size=${8:-256M}
	local s0 s1 out

	s0=$(head -n 1 /proc/stat)
	out=$(fio --name="$name" --filename="$dev" --direct=1 \
		--ioengine=libaio --rw="$rw" --bs="$bs" --iodepth="$qd" \
		--size="$size" --runtime="$runtime" --time_based \
		--output-format=json 2>/dev/null)
	s1=$(head -n 1 /proc/stat)
	S0=$s0 S1=$s1 python3 -c '
import json, os, sys
label, name = sys.argv[1], sys.argv[2]
try:
    j = json.loads(sys.argv[3])["jobs"][0]
except (ValueError, KeyError, IndexError):
    print(f"RESULT {label} {name} 0")
    sys.exit(0)
iops = j["read"]["iops"] + j["write"]["iops"]
ios = j["read"]["total_ios"] + j["write"]["total_ios"]
a = [int(x) for x in os.environ["S0"].split()[1:]]
b = [int(x) for x in os.environ["S1"].split()[1:]]
d = [y - x for x, y in zip(a, b)]
busy = sum(d) - d[3] - d[4]		# idle, iowait
hz = os.sysconf("SC_CLK_TCK")
print(f"RESULT {label} {name} {int(iops)}")
if ios:
    print(f"CPU {label} {name} {busy * 1e6 / hz / ios:.1f}")
' "$label" "$name" "$out"
}
