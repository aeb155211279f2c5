// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-rdma's copy of the shared NVMe/RDMA wire code (see wire-target.c
 * for why each module compiles its own).
 */
#include "wire.c"
