// SPDX-License-Identifier: GPL-2.0
/*
 * Regular file backend.  Direct I/O (the default) is submitted from the
 * transport's context and completes through ki_complete; buffered I/O
 * (buffered_io=1, needed on tmpfs) and flush / zeroing / deallocate run
 * synchronously in a work item on nvmet_wq.
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include "nvmet.h"

static u32 nvmet_f_nlb(struct nvmet_req *req)
{
	return (nvmet_cdw(req, 12) & NVME_RW_NLB_MASK) + 1;
}

static u16 nvmet_errno_status(struct nvmet_req *req, long err)
{
	switch (err) {
	case -ENOSPC:
		return NVMET_ERR(NVME_SC_CAP_EXCEEDED);
	case -EOPNOTSUPP:
		return NVMET_ERR(NVME_SC_INVALID_OPCODE);
	case -EFBIG:
		return NVMET_ERR(NVME_SC_LBA_RANGE);
	case -EIO:
		return nvmet_req_is_write(req) ? NVME_SC_WRITE_FAULT :
			NVME_SC_READ_ERROR;
	default:
		return NVME_SC_INTERNAL;
	}
}

static void nvmet_file_free_bvec(struct nvmet_req *req)
{
	if (req->f.bvec != req->f.inline_bvec)
		kfree(req->f.bvec);
	req->f.bvec = NULL;
}

static void nvmet_file_rw_done(struct nvmet_req *req, long ret)
{
	u16 status = 0;

	nvmet_file_free_bvec(req);
	if (ret < 0)
		status = nvmet_errno_status(req, ret);
	else if ((u32)ret != req->data_len)
		status = nvmet_req_is_write(req) ? NVME_SC_WRITE_FAULT :
			NVME_SC_READ_ERROR;
	nvmet_req_complete(req, status);
}

static void nvmet_file_io_done(struct kiocb *iocb, long ret)
{
	struct nvmet_req *req = container_of(iocb, struct nvmet_req, f.iocb);

	nvmet_file_rw_done(req, ret);
}

/* Build the bio_vec array and start the I/O; false on allocation failure. */
static bool nvmet_file_submit(struct nvmet_req *req, bool direct)
{
	struct nvmet_ns *ns = req->ns;
	bool write = nvmet_req_is_write(req);
	struct kiocb *iocb = &req->f.iocb;
	struct scatterlist *sg;
	struct iov_iter iter;
	unsigned int i;
	ssize_t ret;

	if (req->sg_cnt <= NVMET_INLINE_BVECS) {
		req->f.bvec = req->f.inline_bvec;
	} else {
		req->f.bvec = kmalloc_array(req->sg_cnt, sizeof(struct bio_vec),
					    GFP_KERNEL);
		if (!req->f.bvec)
			return false;
	}
	for_each_sg(req->sg, sg, req->sg_cnt, i) {
		req->f.bvec[i].bv_page = sg_page(sg);
		req->f.bvec[i].bv_len = sg->length;
		req->f.bvec[i].bv_offset = sg->offset;
	}
	iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, req->f.bvec,
		      req->sg_cnt, req->data_len);

	memset(iocb, 0, sizeof(*iocb));
	iocb->ki_filp = ns->file;
	iocb->ki_pos = (loff_t)nvmet_req_slba(req) << ns->blksize_shift;
	iocb->ki_flags = iocb_flags(ns->file);
	if (write && (nvmet_cdw(req, 12) & NVME_RW_FUA))
		iocb->ki_flags |= IOCB_DSYNC;
	if (direct) {
		iocb->ki_flags |= IOCB_DIRECT;
		iocb->ki_complete = nvmet_file_io_done;
	}
	ret = write ? call_write_iter(ns->file, iocb, &iter) :
		call_read_iter(ns->file, iocb, &iter);
	if (ret != -EIOCBQUEUED)
		nvmet_file_rw_done(req, ret);
	return true;
}

static void nvmet_file_buffered_work(struct work_struct *w)
{
	struct nvmet_req *req = container_of(w, struct nvmet_req, work);

	if (!nvmet_file_submit(req, false))
		nvmet_req_complete(req, NVME_SC_INTERNAL);
}

static void nvmet_file_execute_rw(struct nvmet_req *req)
{
	if (req->ns->buffered_io) {
		INIT_WORK(&req->work, nvmet_file_buffered_work);
		queue_work(nvmet_wq, &req->work);
		return;
	}
	if (!nvmet_file_submit(req, true))
		nvmet_req_complete(req, NVME_SC_INTERNAL);
}

static void nvmet_file_flush_work(struct work_struct *w)
{
	struct nvmet_req *req = container_of(w, struct nvmet_req, work);
	int ret = vfs_fsync(req->ns->file, 1);

	nvmet_req_complete(req, ret ? NVME_SC_WRITE_FAULT : 0);
}

/* Zero a byte range: fast paths first, writing zero pages last. */
static int nvmet_file_zero(struct file *file, loff_t off, loff_t len)
{
	loff_t end = off + len;
	int ret;

	ret = vfs_fallocate(file, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			    off, len);
	if (ret != -EOPNOTSUPP)
		return ret;
	ret = vfs_fallocate(file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    off, len);
	if (ret != -EOPNOTSUPP)
		return ret;
	while (off < end) {
		size_t n = min_t(loff_t, PAGE_SIZE, end - off);
		ssize_t w = kernel_write(file, page_address(ZERO_PAGE(0)), n,
					 &off);

		if (w < 0)
			return (int)w;
		if (!w)
			return -EIO;
	}
	return 0;
}

static void nvmet_file_write_zeroes_work(struct work_struct *w)
{
	struct nvmet_req *req = container_of(w, struct nvmet_req, work);
	struct nvmet_ns *ns = req->ns;
	loff_t off = (loff_t)nvmet_req_slba(req) << ns->blksize_shift;
	loff_t len = (loff_t)nvmet_f_nlb(req) << ns->blksize_shift;
	int ret = nvmet_file_zero(ns->file, off, len);

	nvmet_req_complete(req, ret ? nvmet_errno_status(req, ret) : 0);
}

static void nvmet_file_dsm_work(struct work_struct *w)
{
	struct nvmet_req *req = container_of(w, struct nvmet_req, work);
	struct nvmet_ns *ns = req->ns;
	u32 nr = (nvmet_cdw(req, 10) & 0xff) + 1, i;
	u64 nsze = (u64)ns->size >> ns->blksize_shift;
	struct nvme_dsm_range r;
	u16 status = 0;

	if (!(nvmet_cdw(req, 11) & NVME_DSM_ATTR_DEALLOCATE))
		goto out;
	for (i = 0; i < nr && !status; i++) {
		status = nvmet_copy_from_sgl(req, i * sizeof(r), &r, sizeof(r));
		if (status)
			break;
		status = nvmet_lba_check(le64_to_cpu(r.slba),
					 le32_to_cpu(r.nlb), nsze);
		if (status || !r.nlb)
			continue;
		/* advisory: a file system without hole punching is fine */
		vfs_fallocate(ns->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (loff_t)le64_to_cpu(r.slba) << ns->blksize_shift,
			      (loff_t)le32_to_cpu(r.nlb) << ns->blksize_shift);
	}
out:
	nvmet_req_complete(req, status);
}

static void nvmet_file_queue(struct nvmet_req *req, work_func_t fn)
{
	INIT_WORK(&req->work, fn);
	queue_work(nvmet_wq, &req->work);
}

static void nvmet_file_execute_flush(struct nvmet_req *req)
{
	nvmet_file_queue(req, nvmet_file_flush_work);
}

static void nvmet_file_execute_write_zeroes(struct nvmet_req *req)
{
	nvmet_file_queue(req, nvmet_file_write_zeroes_work);
}

static void nvmet_file_execute_dsm(struct nvmet_req *req)
{
	nvmet_file_queue(req, nvmet_file_dsm_work);
}

u16 nvmet_file_parse_io_cmd(struct nvmet_req *req)
{
	switch (req->cmd->opc) {
	case NVME_IO_READ:
	case NVME_IO_WRITE:
		req->execute = nvmet_file_execute_rw;
		return 0;
	case NVME_IO_FLUSH:
		req->execute = nvmet_file_execute_flush;
		return 0;
	case NVME_IO_WRITE_ZEROES:
		req->execute = nvmet_file_execute_write_zeroes;
		return 0;
	case NVME_IO_DSM:
		req->execute = nvmet_file_execute_dsm;
		return 0;
	default:
		return NVMET_ERR(NVME_SC_INVALID_OPCODE);
	}
}

int nvmet_file_ns_enable(struct nvmet_ns *ns)
{
	int flags = O_RDWR | O_LARGEFILE;
	struct kstat st;
	int ret;

	if (!ns->buffered_io)
		flags |= O_DIRECT;
	ns->file = filp_open(ns->device_path, flags, 0);
	if (IS_ERR(ns->file)) {
		ret = PTR_ERR(ns->file);
		ns->file = NULL;
		pr_err_ratelimited("cannot open %s%s: %d\n", ns->device_path,
				   ns->buffered_io ? "" : " for direct I/O",
				   ret);
		return ret;
	}
	if (!S_ISREG(file_inode(ns->file)->i_mode)) {
		pr_err_ratelimited("%s is neither a block device nor a file\n",
				   ns->device_path);
		ret = -EINVAL;
		goto err;
	}
	ret = vfs_getattr(&ns->file->f_path, &st, STATX_SIZE,
			  AT_STATX_FORCE_SYNC);
	if (ret)
		goto err;
	/* 512 byte blocks suit O_DIRECT on every common file system */
	ns->blksize_shift = ns->buffered_io ?
		min_t(u8, file_inode(ns->file)->i_blkbits, 12) : SECTOR_SHIFT;
	if (ns->blksize_shift < SECTOR_SHIFT)
		ns->blksize_shift = SECTOR_SHIFT;
	ns->size = st.size & ~(((loff_t)1 << ns->blksize_shift) - 1);
	if (!ns->size) {
		pr_err_ratelimited("%s is empty\n", ns->device_path);
		ret = -EINVAL;
		goto err;
	}
	return 0;
err:
	fput(ns->file);
	ns->file = NULL;
	return ret;
}

void nvmet_file_ns_disable(struct nvmet_ns *ns)
{
	if (ns->file) {
		/* buffered requests still queued hold the ns reference */
		fput(ns->file);
		ns->file = NULL;
	}
}
