#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcp-host-options.sh with our target: the VM installs our nvmet and nvmet-tcp too, so
# the suite's `modprobe nvmet-tcp` loads ours (ours-vs-ours over TCP).
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp,nvmet,nvmet-tcp

exec bash "$(dirname "$0")/tcp-host-options.sh" "$@"
