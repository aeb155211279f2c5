/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the NVMe/RDMA wire fuzz harness and its replay driver. */
#ifndef NVME_TEST_RDMA_FUZZ_H
#define NVME_TEST_RDMA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* outcomes seen, so the replay driver can tell the corpus is meaningful */
struct nvme_rdma_fuzz_stats {
	unsigned long req_ok, req_bad, keyed_ok, inline_ok, dptr_bad,
		      rep_ok, rej_ok;
};
extern struct nvme_rdma_fuzz_stats nvme_rdma_fuzz_stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
