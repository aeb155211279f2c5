/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host Memory Buffer arithmetic: how much to give the controller, in
 * which chunk sizes, and the descriptor list and Set Features dwords that
 * describe it.  Plain C: compiled into the PCIe driver and into the
 * userspace unit tests (QEMU's controller has no HMB to try it on).
 */
#ifndef NVME_OOT_HMB_H
#define NVME_OOT_HMB_H

#include "../include/nvme/spec.h"

#define NVME_HMB_UNIT		4096u	/* HMPRE, HMMIN, HMMINDS unit */
/* our own cap on the descriptor list: one 4 KiB page of entries */
#define NVME_HMB_MAX_DESC	(4096u / sizeof(struct nvme_host_mem_desc))

/**
 * struct nvme_hmb_limits - what the controller asks for, within our cap
 * @preferred: bytes to try first: HMPRE, at most the host's limit
 * @min: bytes below which the controller cannot use a buffer (HMMIN)
 * @min_chunk: smallest chunk a descriptor may name (HMMINDS, at least a
 *	controller page)
 * @max_desc: most descriptors the list may hold (HMMAXD, our cap)
 */
struct nvme_hmb_limits {
	u64 preferred;
	u64 min;
	u64 min_chunk;
	u32 max_desc;
};

/**
 * struct nvme_hmb_cmd - Set Features (Host Memory Buffer) dwords 11-15
 * @dw: cdw11 (EHM, MR), cdw12 (HSIZE), cdw13/14 (list address), cdw15
 *	(entry count), CPU order
 */
struct nvme_hmb_cmd {
	u32 dw[5];
};

int nvme_hmb_limits(struct nvme_hmb_limits *l, u32 hmpre, u32 hmmin,
		    u32 hmminds, u16 hmmaxd, u64 host_max, u32 page_size);
u64 nvme_hmb_first_chunk(const struct nvme_hmb_limits *l, u64 target,
			 u64 max_chunk);
u64 nvme_hmb_next_chunk(const struct nvme_hmb_limits *l, u64 chunk);
u32 nvme_hmb_nr_chunks(const struct nvme_hmb_limits *l, u64 target,
		       u64 chunk);
u64 nvme_hmb_chunk_len(const struct nvme_hmb_limits *l, u64 target,
		       u64 done, u64 chunk);
void nvme_hmb_set_desc(struct nvme_host_mem_desc *d, u64 addr, u64 bytes,
		       u32 page_size);
void nvme_hmb_build_cmd(struct nvme_hmb_cmd *c, u64 list_addr, u32 nr_desc,
			u64 bytes, u32 page_size, u32 flags);

#endif /* NVME_OOT_HMB_H */
