// SPDX-License-Identifier: GPL-2.0
/*
 * I/O command parsing and the block device backend: every command becomes
 * one bio chain submitted from the transport's context; the last bio's
 * completion completes the request (any context).
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/blkdev.h>
#include <linux/slab.h>
#include "nvmet.h"

static u32 nvmet_rw_nlb(struct nvmet_req *req)
{
	return (nvmet_cdw(req, 12) & NVME_RW_NLB_MASK) + 1;
}

static sector_t nvmet_lba_to_sect(struct nvmet_ns *ns, u64 lba)
{
	return lba << (ns->blksize_shift - SECTOR_SHIFT);
}

/* Block layer status to NVMe status, for reads and writes alike. */
static u16 nvmet_blk_status(struct nvmet_req *req, blk_status_t sts)
{
	bool write = nvmet_req_is_write(req);

	switch (sts) {
	case BLK_STS_OK:
		return 0;
	case BLK_STS_NOSPC:
		return NVMET_ERR(NVME_SC_CAP_EXCEEDED);
	case BLK_STS_TARGET:
		return NVMET_ERR(NVME_SC_LBA_RANGE);
	case BLK_STS_NOTSUPP:
		return NVMET_ERR(NVME_SC_INVALID_OPCODE);
	case BLK_STS_MEDIUM:
		return write ? NVME_SC_WRITE_FAULT : NVME_SC_READ_ERROR;
	case BLK_STS_PROTECTION:
		return NVMET_ERR(NVME_SC_GUARD_CHECK);
	case BLK_STS_TRANSPORT:
		return NVME_SC_INTERNAL_PATH_ERROR;
	default:
		return NVME_SC_INTERNAL;
	}
}

static void nvmet_bio_done(struct bio *bio)
{
	struct nvmet_req *req = bio->bi_private;
	u16 status = nvmet_blk_status(req, bio->bi_status);

	if (bio != &req->b.bio)
		bio_put(bio);
	else
		bio_uninit(bio);
	nvmet_req_complete(req, status);
}

static void nvmet_bdev_execute_rw(struct nvmet_req *req)
{
	struct nvmet_ns *ns = req->ns;
	sector_t sector = nvmet_lba_to_sect(ns, nvmet_req_slba(req));
	unsigned int nvec = req->sg_cnt, i;
	struct scatterlist *sg;
	struct bio *bio;
	blk_opf_t opf;

	if (nvmet_req_is_write(req)) {
		opf = REQ_OP_WRITE | REQ_SYNC | REQ_IDLE;
		if (nvmet_cdw(req, 12) & NVME_RW_FUA)
			opf |= REQ_FUA;
	} else {
		opf = REQ_OP_READ;
	}

	if (nvec <= NVMET_INLINE_BVECS) {
		bio = &req->b.bio;
		bio_init(bio, ns->bdev, req->b.inline_bvec,
			 ARRAY_SIZE(req->b.inline_bvec), opf);
	} else {
		bio = bio_alloc(ns->bdev, bio_max_segs(nvec), opf, GFP_KERNEL);
	}
	bio->bi_iter.bi_sector = sector;

	for_each_sg(req->sg, sg, req->sg_cnt, i) {
		while (bio_add_page(bio, sg_page(sg), sg->length, sg->offset)
		       != sg->length) {
			struct bio *prev = bio;

			/* only allocated bios reach here: inline always fits */
			bio = bio_alloc(ns->bdev, bio_max_segs(nvec - i), opf,
					GFP_KERNEL);
			bio->bi_iter.bi_sector = bio_end_sector(prev);
			bio_chain(prev, bio);
			submit_bio(prev);
		}
	}
	bio->bi_private = req;
	bio->bi_end_io = nvmet_bio_done;
	submit_bio(bio);
}

static void nvmet_bdev_execute_flush(struct nvmet_req *req)
{
	struct bio *bio = &req->b.bio;

	if (!bdev_write_cache(req->ns->bdev)) {
		nvmet_req_complete(req, 0);
		return;
	}
	bio_init(bio, req->ns->bdev, req->b.inline_bvec,
		 ARRAY_SIZE(req->b.inline_bvec), REQ_OP_WRITE | REQ_PREFLUSH);
	bio->bi_private = req;
	bio->bi_end_io = nvmet_bio_done;
	submit_bio(bio);
}

static void nvmet_bdev_submit_or_complete(struct nvmet_req *req,
					  struct bio *bio, int ret)
{
	if (bio) {
		/* an error after some bios were built: let those finish */
		if (ret)
			bio->bi_status = errno_to_blk_status(ret);
		bio->bi_private = req;
		bio->bi_end_io = nvmet_bio_done;
		if (ret)
			bio_endio(bio);
		else
			submit_bio(bio);
		return;
	}
	nvmet_req_complete(req, ret ? nvmet_blk_status(req,
						       errno_to_blk_status(ret)) : 0);
}

static void nvmet_bdev_execute_write_zeroes(struct nvmet_req *req)
{
	struct nvmet_ns *ns = req->ns;
	sector_t sector = nvmet_lba_to_sect(ns, nvmet_req_slba(req));
	sector_t nr = (sector_t)nvmet_rw_nlb(req) <<
		(ns->blksize_shift - SECTOR_SHIFT);
	struct bio *bio = NULL;
	int ret;

	ret = __blkdev_issue_zeroout(ns->bdev, sector, nr, GFP_KERNEL, &bio, 0);
	nvmet_bdev_submit_or_complete(req, bio, ret);
}

static void nvmet_bdev_execute_dsm(struct nvmet_req *req)
{
	struct nvmet_ns *ns = req->ns;
	u32 nr = (nvmet_cdw(req, 10) & 0xff) + 1, i;
	struct nvme_dsm_range *r;
	struct bio *bio = NULL;
	u64 nsze = (u64)ns->size >> ns->blksize_shift;
	u16 status;
	int ret = 0;

	if (!(nvmet_cdw(req, 11) & NVME_DSM_ATTR_DEALLOCATE)) {
		nvmet_req_complete(req, 0);	/* hints only */
		return;
	}
	r = kmalloc_array(nr, sizeof(*r), GFP_KERNEL);
	if (!r) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}
	status = nvmet_copy_from_sgl(req, 0, r, nr * sizeof(*r));
	for (i = 0; !status && i < nr; i++)
		status = nvmet_lba_check(le64_to_cpu(r[i].slba),
					 le32_to_cpu(r[i].nlb), nsze);
	if (status) {
		kfree(r);
		nvmet_req_complete(req, status);
		return;
	}
	if (!bdev_max_discard_sectors(ns->bdev)) {
		kfree(r);
		nvmet_req_complete(req, 0);	/* deallocate is advisory */
		return;
	}
	for (i = 0; i < nr && !ret; i++) {
		if (!r[i].nlb)
			continue;
		ret = __blkdev_issue_discard(ns->bdev,
					     nvmet_lba_to_sect(ns, le64_to_cpu(r[i].slba)),
			(sector_t)le32_to_cpu(r[i].nlb) <<
			(ns->blksize_shift - SECTOR_SHIFT), GFP_KERNEL, &bio);
	}
	kfree(r);
	if (ret == -EOPNOTSUPP)
		ret = 0;
	nvmet_bdev_submit_or_complete(req, bio, ret);
}

/*
 * The backing device's geometry in Identify Namespace (logical blocks,
 * 0's based): its physical block is the write and deallocate granularity
 * and alignment and the atomic write unit, its optimal I/O size NOWS.  A
 * host turns these into its physical block size and optimal I/O size.
 */
void nvmet_bdev_set_id_ns(struct nvmet_ns *ns, struct nvme_id_ns *id)
{
	u32 lbs = 1u << ns->blksize_shift;
	u32 phys = max(bdev_physical_block_size(ns->bdev) / lbs, 1u);
	u32 opt = max(bdev_io_opt(ns->bdev) / lbs, 1u);
	__le16 unit = cpu_to_le16(min(phys, 65536u) - 1);

	id->nsfeat |= NVME_NSFEAT_ATOMICS | NVME_NSFEAT_IO_OPT;
	id->nawun = unit;
	id->nawupf = unit;
	id->nacwu = unit;
	id->npwg = unit;
	id->npwa = unit;
	id->npdg = unit;
	id->npda = unit;
	id->nows = cpu_to_le16(min(opt, 65536u) - 1);
}

u16 nvmet_bdev_parse_io_cmd(struct nvmet_req *req)
{
	switch (req->cmd->opc) {
	case NVME_IO_READ:
	case NVME_IO_WRITE:
		req->execute = nvmet_bdev_execute_rw;
		return 0;
	case NVME_IO_FLUSH:
		req->execute = nvmet_bdev_execute_flush;
		return 0;
	case NVME_IO_WRITE_ZEROES:
		req->execute = nvmet_bdev_execute_write_zeroes;
		return 0;
	case NVME_IO_DSM:
		req->execute = nvmet_bdev_execute_dsm;
		return 0;
	default:
		return NVMET_ERR(NVME_SC_INVALID_OPCODE);
	}
}

/* Returns -ENOTBLK when the path is not a block device (try a file). */
int nvmet_bdev_ns_enable(struct nvmet_ns *ns)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_path(ns->device_path, FMODE_READ | FMODE_WRITE,
				  NULL);
	if (IS_ERR(bdev)) {
		int ret = PTR_ERR(bdev);

		if (ret != -ENOTBLK)
			pr_err_ratelimited("cannot open block device %s: %d\n",
					   ns->device_path, ret);
		return ret;
	}
	ns->bdev = bdev;
	ns->size = bdev_nr_bytes(bdev);
	ns->blksize_shift = blksize_bits(bdev_logical_block_size(bdev));
	return 0;
}

void nvmet_bdev_ns_disable(struct nvmet_ns *ns)
{
	if (ns->bdev) {
		blkdev_put(ns->bdev, FMODE_READ | FMODE_WRITE);
		ns->bdev = NULL;
	}
}

/* Checks shared by both backends; then the backend picks the handler. */
u16 nvmet_parse_io_cmd(struct nvmet_req *req)
{
	struct nvmet_ns *ns;
	u16 status;
	u64 nsze;

	status = nvmet_check_ctrl_status(req);
	if (status)
		return status;
	ns = nvmet_find_ns(req->sq->ctrl, req->cmd->nsid);
	if (!ns) {
		req->error_loc = offsetof(struct nvme_sqe, nsid);
		return NVMET_ERR(NVME_SC_INVALID_NS);
	}
	req->ns = ns;	/* dropped by nvmet_req_complete() */
	status = nvmet_ana_io_status(req->sq->ctrl, ns);
	if (status)
		return status;
	nsze = (u64)ns->size >> ns->blksize_shift;
	status = nvmet_io_cmd_check(req->cmd, nsze, ns->blksize_shift,
				    req->transfer_len, &req->data_len,
				    &req->error_loc);
	if (status)
		return status;
	if (ns->bdev)
		return nvmet_bdev_parse_io_cmd(req);
	return nvmet_file_parse_io_cmd(req);
}
