// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-tcp's copy of the shared NVMe/TCP wire code.  Kbuild cannot link
 * one object into two modules, so the host (host-wire.c) and the target
 * each compile wire.c through a wrapper like this one; nothing is
 * exported, the two copies never meet.
 */
#include "wire.c"
