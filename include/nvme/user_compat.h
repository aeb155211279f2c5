/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel types and helpers the plain-C
 * protocol files use.  Only the unit tests and fuzzers include this; it
 * is userspace code and therefore not held to checkpatch.
 */
#ifndef NVME_OOT_USER_COMPAT_H
#define NVME_OOT_USER_COMPAT_H

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
#define cpu_to_be16(x) ((__force __be16)htobe16(x))
#define cpu_to_be32(x) ((__force __be32)htobe32(x))
#define cpu_to_be64(x) ((__force __be64)htobe64(x))
#define be16_to_cpu(x) be16toh((__force uint16_t)(x))
#define be32_to_cpu(x) be32toh((__force uint32_t)(x))
#define be64_to_cpu(x) be64toh((__force uint64_t)(x))
#define BIT(n) (1UL << (n))
#define lower_32_bits(x) ((u32)((x) & 0xffffffffu))
#define upper_32_bits(x) ((u32)((u64)(x) >> 32))

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef sizeof_field
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#endif
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))

#endif /* NVME_OOT_USER_COMPAT_H */
