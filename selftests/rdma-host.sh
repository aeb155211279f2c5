#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our NVMe/RDMA host (nvme-core, nvme-fabrics, nvme-rdma) against Debian's
# nvmet-rdma over soft-RoCE: the checks of rdma-target.sh with the roles
# swapped (discover, 2 I/O queues, refused host, fio verify on a block and
# a file namespace, mkfs + remount, namespace add/remove, port outage with
# reconnect, RDMA device removal, disconnect and unload).
#
# VM: mem=2G smp=2 timeout=420 modules=nvme-core,nvme-fabrics,nvme-rdma

RDMA_TARGET=debian RDMA_HOST=ours exec bash "$(dirname "$0")/rdma-target.sh"
