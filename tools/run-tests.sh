#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/run-tests.sh: what "make test" runs (after "make deps").
#   1. build the kernel modules ("make modules"),
#   2. the userspace unit tests (tools/run-unit.sh: cmake + ctest),
#   3. every selftests/*.sh in its own VM, one after the other
#      (tools/vm/run --script), counting its TAP "ok"/"not ok" lines.
# A VM-level failure (timeout, kernel splat, incomplete plan, boot failure)
# counts as one more failure. The last line is "N passed, N failed" (skips
# are counted on the line before);
# the exit status is 0 only if nothing failed.
#
# Environment:
#   SELFTESTS="pci-basic pci-fs"   run only these selftests (names or paths)
#   NVME_VM_MODULES=debian         test Debian's in-kernel driver instead of
#                                  ours (the module build is then skipped)
#   NO_UNIT=1 / NO_SELFTESTS=1     skip a stage

set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
logdir="$repo/build/test-logs"
mkdir -p "$logdir"

passed=0 failed=0 skipped=0
summary=()
t_start=$(date +%s)

note() { summary+=("$(printf '%-28s %s' "$1" "$2")"); }

# ---- 1. modules -------------------------------------------------------------------
if [ "${NVME_VM_MODULES:-}" = debian ]; then
	echo "=== modules: skipped (NVME_VM_MODULES=debian: testing Debian's driver)"
	note modules "skipped (debian)"
else
	echo "=== make modules"
	if make -C "$repo" modules > "$logdir/modules.log" 2>&1; then
		passed=$((passed + 1))
		note modules "ok"
		grep -E 'warning:' "$logdir/modules.log" | head -n 20
	else
		tail -n 40 "$logdir/modules.log"
		failed=$((failed + 1))
		note modules "FAILED (log: build/test-logs/modules.log)"
	fi
fi

# ---- 2. unit tests --------------------------------------------------------------------
if [ -z "${NO_UNIT:-}" ]; then
	echo "=== unit tests"
	"$repo/tools/run-unit.sh" "$repo/build" 2>&1 | tee "$logdir/unit.log"
	urc=${PIPESTATUS[0]}
	line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' "$logdir/unit.log" | tail -n 1)
	up=$(sed -n 's/^unit: \([0-9]*\) passed.*/\1/p' <<< "$line")
	uf=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<< "$line")
	up=${up:-0} uf=${uf:-0}
	[ "$urc" = 0 ] || [ "$uf" -gt 0 ] || uf=1
	passed=$((passed + up)) failed=$((failed + uf))
	note unit "$up passed, $uf failed"
fi

# ---- 3. selftests in VMs ------------------------------------------------------------------
if [ -z "${NO_SELFTESTS:-}" ]; then
	tests=()
	if [ -n "${SELFTESTS:-}" ]; then
		for t in $SELFTESTS; do
			t=${t##*/}
			t=${t%.sh}
			tests+=("selftests/$t.sh")
		done
	else
		for t in selftests/*.sh; do
			grep -q '^# VM:' "$t" && tests+=("$t")
		done
	fi
	for t in "${tests[@]}"; do
		name=$(basename "$t" .sh)
		echo "=== selftest $name"
		if [ ! -f "$t" ]; then
			echo "no such selftest: $t"
			failed=$((failed + 1))
			note "$name" "FAILED (missing)"
			continue
		fi
		out="$logdir/$name.tap"
		t0=$(date +%s)
		"$repo/tools/vm/run" --script "$t" 2>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
		dt=$(( $(date +%s) - t0 ))
		p=$(grep -cE '^ok [0-9]+' "$out" | head -n 1)
		s=$(grep -cE '^ok [0-9]+.*# *(SKIP|skip)' "$out" | head -n 1)
		f=$(grep -cE '^not ok [0-9]+' "$out" | head -n 1)
		p=$((p - s))
		plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | head -n 1)
		ran=$((p + s + f))
		extra=0 why=""
		if [ "$rc" != 0 ] && { [ "$f" = 0 ] || [ "$rc" -ge 124 ]; }; then
			extra=1
			case "$rc" in
			124) why="VM timeout" ;;
			125) why="VM/harness failure" ;;
			126) why="kernel splat in dmesg" ;;
			*) why="exit status $rc" ;;
			esac
		elif [ -z "$plan" ] || [ "$plan" != "$ran" ]; then
			extra=1
			why="plan ${plan:-missing}, ran $ran"
		fi
		passed=$((passed + p)) failed=$((failed + f + extra)) skipped=$((skipped + s))
		msg="$p passed, $((f + extra)) failed, $s skipped (${dt}s)"
		[ -z "$why" ] || msg="$msg: $why"
		note "$name" "$msg"
	done
fi

echo
echo "=== summary ($(( $(date +%s) - t_start ))s)"
printf '%s\n' "${summary[@]}"
echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
