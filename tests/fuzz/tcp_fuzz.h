/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the NVMe/TCP PDU fuzz harness and its replay driver. */
#ifndef NVME_TEST_TCP_FUZZ_H
#define NVME_TEST_TCP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* outcomes seen, so the replay driver can tell the corpus is meaningful */
struct nvme_tcp_fuzz_stats {
	unsigned long ch_ok, ch_bad, hdr_ok, hdr_bad, data_pdus, h2c_ok, sgl_ok;
};
extern struct nvme_tcp_fuzz_stats nvme_tcp_fuzz_stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
