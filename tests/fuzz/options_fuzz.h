/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the option-string fuzz harness and its replay driver. */
#ifndef NVME_TEST_OPTIONS_FUZZ_H
#define NVME_TEST_OPTIONS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct options_fuzz_stats {
	unsigned long ok, einval;
};
extern struct options_fuzz_stats options_fuzz_stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
