/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the libFuzzer harness and its replay driver. */
#ifndef NVME_TEST_DPTR_FUZZ_H
#define NVME_TEST_DPTR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* outcomes seen, so the replay driver can tell the corpus is meaningful */
struct nvme_fuzz_stats {
	unsigned long ok, einval, e2big, finished;
};
extern struct nvme_fuzz_stats nvme_fuzz_stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
