/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Glue so that the protocol files under include/ and the plain-C helpers
 * (state tables, PRP/SGL builders, parsers) compile unchanged both inside
 * the kernel and in the userspace unit tests and fuzzers.
 */
#ifndef NVME_OOT_COMPAT_H
#define NVME_OOT_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/build_bug.h>
#include <linux/bits.h>
#include <asm/byteorder.h>
#else
#include "user_compat.h"
#endif /* __KERNEL__ */

#endif /* NVME_OOT_COMPAT_H */
