#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcp-host-multipath.sh with our target: the VM installs our nvmet and
# nvmet-tcp too, so multipath and its ANA checks run ours-vs-ours.
#
# VM: mem=2G smp=2 timeout=400 modules=nvme-core,nvme-fabrics,nvme-tcp,nvmet,nvmet-tcp

exec bash "$(dirname "$0")/tcp-host-multipath.sh" "$@"
