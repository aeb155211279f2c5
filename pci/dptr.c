// SPDX-License-Identifier: GPL-2.0
/*
 * PRP and SGL construction.
 *
 * PRP rules (NVMe base spec, "Physical Region Page Entry and List"):
 * PRP1 may start anywhere dword aligned; every later entry names a whole
 * memory page, so every segment but the first must start on a page
 * boundary and every segment but the last must end on one.  The block
 * layer's virt_boundary keeps normal I/O within these rules; a segment
 * list that breaks them is refused here rather than sent.
 */
#include "dptr.h"

/**
 * nvme_prp_init() - start collecting PRP entries
 * @b: the builder
 * @page_size: controller page size
 * @list: storage for entries after PRP1
 * @list_max: capacity of @list
 */
void nvme_prp_init(struct nvme_prp_builder *b, u32 page_size, __le64 *list,
		   u32 list_max)
{
	b->page_size = page_size;
	b->list = list;
	b->list_max = list_max;
	b->nr = 0;
	b->prp1 = 0;
	b->nsegs = 0;
	b->end = 0;
}

/**
 * nvme_prp_add() - append one DMA segment
 * @b: the builder
 * @addr: bus address
 * @len: length in bytes, not zero
 *
 * Return: 0, -EINVAL when the segment cannot be described by PRPs, or
 * -E2BIG when the list is full.
 */
int nvme_prp_add(struct nvme_prp_builder *b, u64 addr, u32 len)
{
	u64 mask = b->page_size - 1;
	u32 step;

	if (!len || (addr & 3))
		return -EINVAL;
	if (b->nsegs) {
		/* joins must fall on page boundaries on both sides */
		if ((addr & mask) || (b->end & mask))
			return -EINVAL;
	} else {
		b->prp1 = addr;
		step = b->page_size - (u32)(addr & mask);
		if (step >= len)
			goto done;
		addr += step;
		len -= step;
	}
	while (len) {
		if (b->nr >= b->list_max)
			return -E2BIG;
		b->list[b->nr++] = cpu_to_le64(addr);
		step = len < b->page_size ? len : b->page_size;
		addr += step;
		len -= step;
	}
	b->end = addr;
	b->nsegs++;
	return 0;
done:
	b->end = addr + len;
	b->nsegs++;
	return 0;
}

/**
 * nvme_prp_list_entries() - entries after PRP1 a transfer needs
 * @first_addr: bus address of the first byte
 * @total_len: transfer length
 * @page_size: controller page size
 */
u32 nvme_prp_list_entries(u64 first_addr, u64 total_len, u32 page_size)
{
	u64 span = (first_addr & (page_size - 1)) + total_len;

	if (!total_len)
		return 0;
	return (u32)((span + page_size - 1) / page_size - 1);
}

/**
 * nvme_sgl_set_data() - fill a data block descriptor
 * @d: descriptor
 * @addr: bus address
 * @len: length in bytes
 */
void nvme_sgl_set_data(struct nvme_sgl_desc *d, u64 addr, u32 len)
{
	d->addr = cpu_to_le64(addr);
	d->length = cpu_to_le32(len);
	memset(d->rsvd12, 0, sizeof(d->rsvd12));
	d->type = NVME_SGL_TYPE_DATA_BLOCK | NVME_SGL_SUBTYPE_ADDRESS;
}

/**
 * nvme_sgl_set_segment() - point a descriptor at a list of descriptors
 * @d: descriptor (usually the one in the command)
 * @list_dma: bus address of the list
 * @nr: number of descriptors in the list, all data blocks
 */
void nvme_sgl_set_segment(struct nvme_sgl_desc *d, u64 list_dma, u32 nr)
{
	d->addr = cpu_to_le64(list_dma);
	d->length = cpu_to_le32(nr * (u32)sizeof(*d));
	memset(d->rsvd12, 0, sizeof(d->rsvd12));
	d->type = NVME_SGL_TYPE_LAST_SEGMENT | NVME_SGL_SUBTYPE_ADDRESS;
}
