#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# target-ana.sh with our host: the VM installs our nvme-core, nvme-fabrics
# and nvme-tcp too, so ANA runs ours-vs-ours over TCP.
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp,nvmet,nvmet-tcp

exec bash "$(dirname "$0")/target-ana.sh" "$@"
