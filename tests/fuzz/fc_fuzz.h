/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the FC-NVMe fuzz harness and its replay driver. */
#ifndef NVME_TEST_FC_FUZZ_H
#define NVME_TEST_FC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* outcomes seen, so the replay driver can tell the corpus is meaningful */
struct nvme_fc_fuzz_stats {
	unsigned long rqst_ok, rqst_bad, rsp_acc, rsp_rjt, rsp_bad;
	unsigned long iu_ok, iu_bad, ersp_ok, ersp_bad, addr_ok, opts_ok;
};
extern struct nvme_fc_fuzz_stats nvme_fc_fuzz_stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
