/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building the data pointer of a command (PRP entries or SGL
 * descriptors) from DMA segments.  Plain C: compiled into the PCIe driver
 * and into the userspace unit tests.
 */
#ifndef NVME_OOT_DPTR_H
#define NVME_OOT_DPTR_H

#include "../include/nvme/spec.h"

/**
 * struct nvme_prp_builder - state while PRP entries are collected
 * @page_size: controller memory page size (power of two)
 * @list: where the entries after PRP1 go; becomes the PRP list
 * @list_max: capacity of @list in entries
 * @nr: entries written to @list
 * @prp1: first PRP entry (may carry an offset)
 * @nsegs: segments added so far
 * @end: bus address just past the previous segment
 */
struct nvme_prp_builder {
	u32 page_size;
	__le64 *list;
	u32 list_max;
	u32 nr;
	u64 prp1;
	u32 nsegs;
	u64 end;
};

void nvme_prp_init(struct nvme_prp_builder *b, u32 page_size, __le64 *list,
		   u32 list_max);
int nvme_prp_add(struct nvme_prp_builder *b, u64 addr, u32 len);
u32 nvme_prp_list_entries(u64 first_addr, u64 total_len, u32 page_size);

/**
 * nvme_prp_finish() - write PRP1/PRP2 into the command
 * @b: builder after the last nvme_prp_add()
 * @c: the command
 * @list_dma: bus address of @b->list (used when more than one entry)
 *
 * Return: the number of entries the PRP list holds (0 when no list is
 * needed because PRP2 points at data or is unused).
 */
static inline u32 nvme_prp_finish(struct nvme_prp_builder *b,
				  struct nvme_sqe *c, u64 list_dma)
{
	c->dptr.prp1 = cpu_to_le64(b->prp1);
	if (b->nr == 0) {
		c->dptr.prp2 = 0;
		return 0;
	}
	if (b->nr == 1) {
		c->dptr.prp2 = b->list[0];
		return 0;
	}
	c->dptr.prp2 = cpu_to_le64(list_dma);
	return b->nr;
}

void nvme_sgl_set_data(struct nvme_sgl_desc *d, u64 addr, u32 len);
void nvme_sgl_set_segment(struct nvme_sgl_desc *d, u64 list_dma, u32 nr);

#endif /* NVME_OOT_DPTR_H */
