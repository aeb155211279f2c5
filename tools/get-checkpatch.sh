#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract checkpatch.pl and its data files from Debian's linux-source-6.1
# tarball into tools/checkpatch/ (git-ignored). Used by "make checkpatch".

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest="$here/checkpatch"
tarball=${LINUX_SOURCE_TARBALL:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)}
files=(checkpatch.pl spelling.txt const_structs.checkpatch)

if [ -z "$tarball" ] || [ ! -r "$tarball" ]; then
	echo "get-checkpatch: no /usr/src/linux-source-*.tar.xz (run 'make deps')" >&2
	exit 1
fi

uptodate=1
for f in "${files[@]}"; do
	[ "$dest/$f" -nt "$tarball" ] || uptodate=0
done
if [ $uptodate = 1 ]; then
	echo "get-checkpatch: $dest is up to date"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
members=()
for f in "${files[@]}"; do members+=("*/scripts/$f"); done
tar -xJf "$tarball" -C "$tmp" --wildcards --no-wildcards-match-slash "${members[@]}"
mkdir -p "$dest"
for f in "${files[@]}"; do
	src=$(find "$tmp" -path "*/scripts/$f" -type f | head -n 1)
	[ -n "$src" ] || { echo "get-checkpatch: scripts/$f not in $tarball" >&2; exit 1; }
	install -m 0644 "$src" "$dest/$f"
done
chmod 0755 "$dest/checkpatch.pl"
echo "get-checkpatch: installed ${files[*]} from $(basename "$tarball") into $dest"
