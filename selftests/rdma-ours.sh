#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our NVMe/RDMA host against our NVMe/RDMA target over soft-RoCE: the
# checks of rdma-target.sh with both sides ours.
#
# VM: mem=2G smp=2 timeout=420 modules=nvme-core,nvme-fabrics,nvme-rdma,nvmet,nvmet-rdma

RDMA_TARGET=ours RDMA_HOST=ours exec bash "$(dirname "$0")/rdma-target.sh"
