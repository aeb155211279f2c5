#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package the project needs (build, unit tests, VM
# selftests). Idempotent: returns at once when everything is installed and
# only runs "apt-get update" when something is missing. Needs root (or sudo)
# to install; Debian 12 (bookworm) amd64.

set -euo pipefail

pkgs=(
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 dkms
	qemu-system-x86 busybox-static kmod cpio xz-utils
	nvme-cli fio iproute2 rdma-core ibverbs-utils e2fsprogs util-linux
	librdmacm-dev libibverbs-dev
	sparse cmake g++ make googletest libgtest-dev
	python3 gzip coreutils
)

declare -A state=()
while read -r pkg status; do
	state[$pkg]=$status
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	[ "${state[$p]:-}" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages installed"
	exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root to install ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
${SUDO:+$SUDO -E} apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
