/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the nvmet plain-C fuzz harness and its replay driver. */
#ifndef NVME_TEST_NVMET_FUZZ_H
#define NVME_TEST_NVMET_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
