// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-rdma's copy of the shared NVMe/RDMA wire code.  Kbuild links an
 * object into one module only, so each RDMA module compiles wire.c through
 * its own wrapper; nothing is exported and the copies never meet.
 */
#include "wire.c"
