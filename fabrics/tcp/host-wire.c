// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-tcp's copy of the shared NVMe/TCP wire code (see wire.h: one
 * wrapper per module, nothing exported).
 */
#include "wire.c"
