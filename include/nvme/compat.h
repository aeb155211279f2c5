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
#include <asm/byteorder.h>
#else /* userspace */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <endian.h>
#include <assert.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#ifndef __force
#define __force
#endif

#define cpu_to_le16(x) ((__force __le16)htole16(x))
#define cpu_to_le32(x) ((__force __le32)htole32(x))
#define cpu_to_le64(x) ((__force __le64)htole64(x))
#define le16_to_cpu(x) le16toh((__force uint16_t)(x))
#define le32_to_cpu(x) le32toh((__force uint32_t)(x))
#define le64_to_cpu(x) le64toh((__force uint64_t)(x))
#define lower_32_bits(x) ((u32)((x) & 0xffffffffu))
#define upper_32_bits(x) ((u32)((u64)(x) >> 32))

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))
#endif /* __KERNEL__ */

#endif /* NVME_OOT_COMPAT_H */
