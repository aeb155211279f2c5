// SPDX-License-Identifier: GPL-2.0
/*
 * Host Memory Buffer sizing and description.
 *
 * The controller says how much host memory it would like (HMPRE) and the
 * least it can work with (HMMIN); the host gives at most its own limit.
 * The buffer need not be contiguous: it is a list of chunks, each at
 * least HMMINDS and a whole number of controller pages, at most HMMAXD of
 * them.  The driver tries big chunks first and halves the size whenever
 * the allocator cannot deliver, so these helpers only do the arithmetic.
 */
#include "hmb.h"

static u64 nvme_hmb_pow2_floor(u64 v)
{
	u64 p = 1;

	while (p <= v / 2)
		p <<= 1;
	return p;
}

/**
 * nvme_hmb_limits() - turn Identify Controller fields into limits
 * @l: filled in
 * @hmpre: Identify HMPRE, 4 KiB units
 * @hmmin: Identify HMMIN, 4 KiB units
 * @hmminds: Identify HMMINDS, 4 KiB units (0: no minimum)
 * @hmmaxd: Identify HMMAXD (0: no limit)
 * @host_max: the host's limit in bytes
 * @page_size: controller memory page size (CC.MPS)
 *
 * Return: 0, or -EINVAL when there is no buffer to give: the controller
 * wants none, or its minimum is beyond the host's limit.
 */
int nvme_hmb_limits(struct nvme_hmb_limits *l, u32 hmpre, u32 hmmin,
		    u32 hmminds, u16 hmmaxd, u64 host_max, u32 page_size)
{
	u64 want = (u64)hmpre * NVME_HMB_UNIT;

	memset(l, 0, sizeof(*l));
	if (!hmpre || !page_size)
		return -EINVAL;
	l->min = (u64)hmmin * NVME_HMB_UNIT;
	l->preferred = want < host_max ? want : host_max;
	/* whole controller pages only */
	l->preferred -= l->preferred % page_size;
	if (!l->preferred || l->min > l->preferred)
		return -EINVAL;
	l->min_chunk = (u64)hmminds * NVME_HMB_UNIT;
	if (l->min_chunk < page_size)
		l->min_chunk = page_size;
	l->max_desc = NVME_HMB_MAX_DESC;
	if (hmmaxd && hmmaxd < l->max_desc)
		l->max_desc = hmmaxd;
	return 0;
}

/**
 * nvme_hmb_first_chunk() - the chunk size to try first
 * @l: limits
 * @target: bytes wanted
 * @max_chunk: the largest block the allocator can return (a power of two)
 *
 * A power of two large enough that @target fits in as few descriptors as
 * possible, at most @max_chunk, at least the minimum descriptor size.
 *
 * Return: chunk size in bytes, or 0 when even one chunk of the minimum
 * size is beyond @max_chunk.
 */
u64 nvme_hmb_first_chunk(const struct nvme_hmb_limits *l, u64 target,
			 u64 max_chunk)
{
	u64 chunk;

	if (l->min_chunk > max_chunk || !target)
		return 0;
	chunk = nvme_hmb_pow2_floor(target);
	if (chunk < target && chunk <= max_chunk / 2)
		chunk <<= 1;
	if (chunk > max_chunk)
		chunk = nvme_hmb_pow2_floor(max_chunk);
	if (chunk < l->min_chunk)
		chunk = l->min_chunk;
	return chunk;
}

/**
 * nvme_hmb_next_chunk() - the size to try after @chunk did not work out
 * @l: limits
 * @chunk: the size that failed
 *
 * Return: half of @chunk, or 0 when that is below the minimum descriptor
 * size (or not whole pages).
 */
u64 nvme_hmb_next_chunk(const struct nvme_hmb_limits *l, u64 chunk)
{
	chunk /= 2;
	if (chunk < l->min_chunk)
		return 0;
	return chunk;
}

/**
 * nvme_hmb_nr_chunks() - how many chunks of @chunk bytes to allocate
 * @l: limits
 * @target: bytes wanted
 * @chunk: chunk size
 *
 * Return: enough chunks to cover @target, at most the descriptor limit.
 */
u32 nvme_hmb_nr_chunks(const struct nvme_hmb_limits *l, u64 target,
		       u64 chunk)
{
	u64 n;

	if (!chunk)
		return 0;
	n = (target + chunk - 1) / chunk;
	return n > l->max_desc ? l->max_desc : (u32)n;
}

/**
 * nvme_hmb_chunk_len() - the size of the next chunk
 * @l: limits
 * @target: bytes wanted in all
 * @done: bytes already allocated
 * @chunk: chunk size being tried
 *
 * Return: @chunk, or less for the last one; 0 when the rest would be a
 * chunk below the minimum descriptor size (the buffer stops short rather
 * than growing past @target).
 */
u64 nvme_hmb_chunk_len(const struct nvme_hmb_limits *l, u64 target,
		       u64 done, u64 chunk)
{
	u64 rest = done < target ? target - done : 0;

	if (rest < chunk)
		chunk = rest;
	return chunk < l->min_chunk ? 0 : chunk;
}

/**
 * nvme_hmb_set_desc() - fill one descriptor list entry
 * @d: the entry
 * @addr: bus address of the chunk
 * @bytes: chunk size in bytes (whole controller pages)
 * @page_size: controller memory page size
 */
void nvme_hmb_set_desc(struct nvme_host_mem_desc *d, u64 addr, u64 bytes,
		       u32 page_size)
{
	d->addr = cpu_to_le64(addr);
	d->size = cpu_to_le32((u32)(bytes / page_size));
	d->rsvd12 = 0;
}

/**
 * nvme_hmb_build_cmd() - Set Features (Host Memory Buffer) dwords
 * @c: filled in
 * @list_addr: bus address of the descriptor list
 * @nr_desc: entries in the list
 * @bytes: the whole buffer in bytes
 * @page_size: controller memory page size
 * @flags: %NVME_HOST_MEM_ENABLE, %NVME_HOST_MEM_RETURN, or 0 to disable
 */
void nvme_hmb_build_cmd(struct nvme_hmb_cmd *c, u64 list_addr, u32 nr_desc,
			u64 bytes, u32 page_size, u32 flags)
{
	memset(c, 0, sizeof(*c));
	c->dw[0] = flags;
	if (!(flags & NVME_HOST_MEM_ENABLE))
		return;
	c->dw[1] = (u32)(bytes / page_size);
	c->dw[2] = lower_32_bits(list_addr);
	c->dw[3] = upper_32_bits(list_addr);
	c->dw[4] = nr_desc;
}
