#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/run-unit.sh [BUILDDIR]: configure and build the top-level
# CMakeLists.txt into BUILDDIR/cmake (default build/cmake) and run ctest.
# Prints "unit: N passed, N failed" and exits non-zero if anything failed
# (including the build).

set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${1:-$repo/build}
case "$builddir" in /*) ;; *) builddir="$repo/$builddir" ;; esac
bdir="$builddir/cmake"
mkdir -p "$bdir"
jobs=$(nproc 2>/dev/null || echo 2)

if ! cmake -S "$repo" -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$bdir/configure.log" 2>&1; then
	cat "$bdir/configure.log"
	echo "unit: cmake configure failed"
	echo "unit: 0 passed, 1 failed"
	exit 1
fi
if ! cmake --build "$bdir" -j "$jobs" > "$bdir/build.log" 2>&1; then
	tail -n 60 "$bdir/build.log"
	echo "unit: build failed"
	echo "unit: 0 passed, 1 failed"
	exit 1
fi

(cd "$bdir" && ctest --output-on-failure -j "$jobs" --timeout 300) 2>&1 | tee "$bdir/ctest.log"
rc=${PIPESTATUS[0]}
# "100% tests passed, 0 tests failed out of 12" / "No tests were found!!!"
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$bdir/ctest.log" | tail -n 1)
failed=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$bdir/ctest.log" | tail -n 1)
total=${total:-0} failed=${failed:-0}
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
	failed=1   # ctest itself failed without a summary
fi
passed=$((total - failed))
[ $passed -ge 0 ] || passed=0
echo "unit: $passed passed, $failed failed"
[ "$failed" = 0 ]
