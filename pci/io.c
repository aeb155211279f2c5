// SPDX-License-Identifier: GPL-2.0
/*
 * nvme (PCIe): the data path.  A request becomes a submission entry
 * (nvmp_prep_rq(): the command, a PRP list or SGL, the metadata pointer),
 * is copied into its queue's ring under sq_lock and announced with one
 * doorbell per batch (through the shadow page when the controller offers
 * Doorbell Buffer Config).  Completions are reaped by the interrupt
 * handler, by ->poll, or by the timeout handler looking for a lost
 * interrupt, and ended in batches.
 */
#include <linux/dma-mapping.h>

#include "nvme-pci.h"
#include "dptr.h"

static unsigned int sgl_threshold = SZ_32K;
module_param(sgl_threshold, uint, 0644);
MODULE_PARM_DESC(sgl_threshold,
		 "use SGLs when the average segment is at least this many bytes (0: never)");

/* ------------------------------------------------------------------ */
/* submission and completion                                          */
/* ------------------------------------------------------------------ */

/*
 * Doorbell Buffer Config (emulated controllers): the new value goes to
 * the shadow page first; the register write, which costs an exit to the
 * hypervisor, is needed only when the value passes the event index the
 * controller left there.
 */
static bool nvmp_shadow_needs_mmio(__le32 *shadow, __le32 *event, u16 val)
{
	u16 old, ev;

	if (!shadow)
		return true;
	old = le32_to_cpu(READ_ONCE(*shadow));
	wmb(); /* queue entries visible before the shadow value */
	WRITE_ONCE(*shadow, cpu_to_le32(val));
	mb(); /* shadow value visible before the event index is read */
	ev = le32_to_cpu(READ_ONCE(*event));
	return (u16)(val - ev - 1) < (u16)(val - old);
}

static void nvmp_ring_sq(struct nvmp_queue *q)
{
	if (q->sq_tail == q->last_db_tail)
		return;
	if (nvmp_shadow_needs_mmio(q->shadow_sq, q->event_sq, q->sq_tail))
		writel(q->sq_tail, q->sq_db);
	q->last_db_tail = q->sq_tail;
}

/* Copy one entry into the ring; the caller holds sq_lock. */
static void nvmp_put_sqe(struct nvmp_queue *q, const struct nvme_sqe *c)
{
	memcpy(&q->sqes[q->sq_tail], c, sizeof(*c));
	if (++q->sq_tail == q->depth)
		q->sq_tail = 0;
}

static void nvmp_post(struct nvmp_queue *q, const struct nvme_sqe *c,
		      bool ring)
{
	spin_lock(&q->sq_lock);
	nvmp_put_sqe(q, c);
	if (ring)
		nvmp_ring_sq(q);
	spin_unlock(&q->sq_lock);
}

void nvmp_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct nvmp_queue *q = hctx->driver_data;

	spin_lock(&q->sq_lock);
	nvmp_ring_sq(q);
	spin_unlock(&q->sq_lock);
}

static struct blk_mq_tags *nvmp_tags(struct nvmp_queue *q)
{
	if (!q->qid)
		return q->dev->admin_set.tags[0];
	return q->dev->io_set.tags[q->qid - 1];
}

static void nvmp_end_batch(struct io_comp_batch *iob);

static void nvmp_handle_cqe(struct nvmp_queue *q, struct nvme_cqe *cqe,
			    struct io_comp_batch *iob)
{
	struct request *rq = NULL;
	__le64 result;

	if (cqe->cid < q->depth)
		rq = blk_mq_tag_to_rq(nvmp_tags(q), cqe->cid);
	if (unlikely(!rq || blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT)) {
		dev_warn_ratelimited(q->dev->ctrl.dev,
				     "queue %u: completion for unknown command id %u\n",
				     q->qid, cqe->cid);
		return;
	}
	result = cpu_to_le64(le32_to_cpu(cqe->dw0) |
			     (u64)le32_to_cpu(cqe->dw1) << 32);
	nvme_req_done_batch(rq, cqe->status, result, iob, nvmp_end_batch);
}

/*
 * Consume new completions; caller holds cq_lock.  Successful ones are
 * collected on @iob (if given) and ended by the caller after the lock is
 * dropped.  Returns how many entries were consumed.
 */
static int nvmp_reap_cq(struct nvmp_queue *q, struct io_comp_batch *iob)
{
	int found = 0;

	while ((le16_to_cpu(READ_ONCE(q->cqes[q->cq_head].status)) & 1) ==
	       q->cq_phase) {
		/* read the rest of the entry only after its phase bit */
		dma_rmb();
		nvmp_handle_cqe(q, &q->cqes[q->cq_head], iob);
		if (++q->cq_head == q->depth) {
			q->cq_head = 0;
			q->cq_phase ^= 1;
		}
		found++;
	}
	if (found &&
	    nvmp_shadow_needs_mmio(q->shadow_cq, q->event_cq, q->cq_head))
		writel(q->cq_head, q->cq_db);
	return found;
}

irqreturn_t nvmp_irq(int irq, void *data)
{
	struct nvmp_queue *q = data;
	DEFINE_IO_COMP_BATCH(iob);
	int found;

	spin_lock(&q->cq_lock);
	found = nvmp_reap_cq(q, &iob);
	spin_unlock(&q->cq_lock);
	if (!rq_list_empty(iob.req_list))
		iob.complete(&iob);
	return found ? IRQ_HANDLED : IRQ_NONE;
}

/* @iob may be NULL: then every completion is ended on its own */
int nvmp_poll_cq(struct nvmp_queue *q, struct io_comp_batch *iob)
{
	unsigned long flags;
	int found;

	spin_lock_irqsave(&q->cq_lock, flags);
	found = nvmp_reap_cq(q, iob);
	spin_unlock_irqrestore(&q->cq_lock, flags);
	return found;
}

int nvmp_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct nvmp_queue *q = hctx->driver_data;

	if (!test_bit(NVMP_Q_LIVE, &q->flags))
		return 0;
	return nvmp_poll_cq(q, iob);
}

/* ------------------------------------------------------------------ */
/* data mapping                                                       */
/* ------------------------------------------------------------------ */

static struct bio_vec nvmp_first_bvec(struct request *rq)
{
	if (rq->rq_flags & RQF_SPECIAL_PAYLOAD)
		return rq->special_vec;
	return req_bvec(rq);
}

/* map the request's one segment as it is, undone by nvmp_unmap_data() */
static blk_status_t nvmp_map_bvec(struct nvmp_dev *dev, struct request *rq,
				  struct bio_vec *bv)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

	iod->bv_dma = dma_map_bvec(&dev->pdev->dev, bv, rq_dma_dir(rq), 0);
	if (dma_mapping_error(&dev->pdev->dev, iod->bv_dma)) {
		iod->bv_dma = 0;
		return BLK_STS_RESOURCE;
	}
	iod->bv_len = bv->bv_len;
	return BLK_STS_OK;
}

/* one segment inside two controller pages: PRP1 and PRP2, no list */
static blk_status_t nvmp_map_single(struct nvmp_dev *dev, struct request *rq,
				    struct nvme_sqe *c, struct bio_vec *bv)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	u32 first;

	if (nvmp_map_bvec(dev, rq, bv))
		return BLK_STS_RESOURCE;
	first = NVMP_CTRL_PAGE - (iod->bv_dma & (NVMP_CTRL_PAGE - 1));
	c->dptr.prp1 = cpu_to_le64(iod->bv_dma);
	c->dptr.prp2 = bv->bv_len > first ?
		       cpu_to_le64(iod->bv_dma + first) : 0;
	return BLK_STS_OK;
}

/*
 * One segment longer than two controller pages (a huge-page buffer) on a
 * controller with SGLs: one data block descriptor in the command, no
 * scatter table and no list.
 */
static blk_status_t nvmp_map_single_sgl(struct nvmp_dev *dev,
					struct request *rq, struct nvme_sqe *c,
					struct bio_vec *bv)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

	if (nvmp_map_bvec(dev, rq, bv))
		return BLK_STS_RESOURCE;
	c->flags |= NVME_CMD_PSDT_SGL_MPTR;
	nvme_sgl_set_data(&c->dptr.sgl, iod->bv_dma, bv->bv_len);
	return BLK_STS_OK;
}

static struct dma_pool *nvmp_list_pool(struct nvmp_dev *dev,
				       struct nvmp_iod *iod)
{
	return iod->list_small ? dev->small_pool : dev->prp_pool;
}

/* a PRP list or SGL segment of @bytes (at most a controller page) */
static void *nvmp_alloc_list(struct nvmp_dev *dev, struct nvmp_iod *iod,
			     size_t bytes)
{
	iod->list_small = bytes <= NVMP_SMALL_LIST;
	iod->list = dma_pool_alloc(nvmp_list_pool(dev, iod), GFP_ATOMIC,
				   &iod->list_dma);
	return iod->list;
}

static blk_status_t nvmp_build_sgl(struct nvmp_dev *dev, struct nvmp_iod *iod,
				   struct nvme_sqe *c, unsigned int nents)
{
	struct nvme_sgl_desc *list;
	struct scatterlist *sg;
	unsigned int i;

	c->flags |= NVME_CMD_PSDT_SGL_MPTR;
	if (nents == 1) {
		nvme_sgl_set_data(&c->dptr.sgl, sg_dma_address(iod->sgt.sgl),
				  sg_dma_len(iod->sgt.sgl));
		return BLK_STS_OK;
	}
	list = nvmp_alloc_list(dev, iod, nents * sizeof(*list));
	if (!list)
		return BLK_STS_RESOURCE;
	for_each_sgtable_dma_sg(&iod->sgt, sg, i)
		nvme_sgl_set_data(&list[i], sg_dma_address(sg), sg_dma_len(sg));
	nvme_sgl_set_segment(&c->dptr.sgl, iod->list_dma, nents);
	return BLK_STS_OK;
}

static blk_status_t nvmp_build_prp(struct nvmp_dev *dev, struct request *rq,
				   struct nvmp_iod *iod, struct nvme_sqe *c)
{
	struct nvme_prp_builder b;
	struct scatterlist *sg;
	__le64 one, *list = &one;
	u32 need, max = 1;
	unsigned int i;

	need = nvme_prp_list_entries(sg_dma_address(iod->sgt.sgl),
				     blk_rq_payload_bytes(rq), NVMP_CTRL_PAGE);
	if (need > 1) {
		list = nvmp_alloc_list(dev, iod, need * sizeof(*list));
		if (!list)
			return BLK_STS_RESOURCE;
		max = (iod->list_small ? NVMP_SMALL_LIST : NVMP_CTRL_PAGE) /
		      sizeof(*list);
	}
	nvme_prp_init(&b, NVMP_CTRL_PAGE, list, max);
	for_each_sgtable_dma_sg(&iod->sgt, sg, i) {
		if (nvme_prp_add(&b, sg_dma_address(sg), sg_dma_len(sg))) {
			dev_err_ratelimited(dev->ctrl.dev,
					    "segment %u (len %u) breaks PRP rules\n",
					    i, sg_dma_len(sg));
			return BLK_STS_IOERR;
		}
	}
	nvme_prp_finish(&b, c, iod->list_dma);
	return BLK_STS_OK;
}

static void nvmp_unmap_data(struct nvmp_dev *dev, struct request *rq)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

	if (iod->bv_dma) {
		dma_unmap_page(&dev->pdev->dev, iod->bv_dma, iod->bv_len,
			       rq_dma_dir(rq));
		iod->bv_dma = 0;
	}
	if (iod->sgt.nents) {
		dma_unmap_sg(&dev->pdev->dev, iod->sgt.sgl, iod->nr_sg,
			     rq_dma_dir(rq));
		iod->sgt.nents = 0;
	}
	if (iod->sgt.orig_nents) {
		sg_free_table_chained(&iod->sgt, NVMP_INLINE_SG);
		iod->sgt.orig_nents = 0;
	}
	if (iod->list) {
		dma_pool_free(nvmp_list_pool(dev, iod), iod->list,
			      iod->list_dma);
		iod->list = NULL;
	}
	if (iod->meta_dma) {
		dma_unmap_single(&dev->pdev->dev, iod->meta_dma,
				 iod->req.meta_len, rq_dma_dir(rq));
		iod->meta_dma = 0;
	}
}

/* SGLs for I/O whose average segment is @avg bytes? (never on admin) */
static bool nvmp_use_sgl(struct nvmp_dev *dev, struct nvmp_iod *iod, u32 avg)
{
	return NVME_SGLS_SUPPORTED(dev->ctrl.sgls) && iod->q->qid &&
	       sgl_threshold && avg >= sgl_threshold;
}

static blk_status_t nvmp_map_data(struct nvmp_dev *dev, struct request *rq,
				  struct nvme_sqe *c)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	unsigned short segs = blk_rq_nr_phys_segments(rq);
	blk_status_t ret;
	int nents;

	if (segs == 1) {
		struct bio_vec bv = nvmp_first_bvec(rq);

		if ((bv.bv_offset & (NVMP_CTRL_PAGE - 1)) + bv.bv_len <=
		    2 * NVMP_CTRL_PAGE)
			return nvmp_map_single(dev, rq, c, &bv);
		if (nvmp_use_sgl(dev, iod, bv.bv_len))
			return nvmp_map_single_sgl(dev, rq, c, &bv);
	}

	iod->sgt.sgl = iod->inline_sg;
	if (sg_alloc_table_chained(&iod->sgt, segs, iod->sgt.sgl,
				   NVMP_INLINE_SG))
		return BLK_STS_RESOURCE;
	/*
	 * The segment count is an upper bound: blk_rq_map_sg() may merge.
	 * orig_nents stays what was allocated, so the chained table is
	 * freed from the pools it came from.
	 */
	iod->nr_sg = blk_rq_map_sg(rq->q, rq, iod->sgt.sgl);
	if (!iod->nr_sg) {
		ret = BLK_STS_IOERR;
		goto out;
	}
	nents = dma_map_sg_attrs(&dev->pdev->dev, iod->sgt.sgl, iod->nr_sg,
				 rq_dma_dir(rq), DMA_ATTR_NO_WARN);
	if (!nents) {
		ret = BLK_STS_RESOURCE;
		goto out;
	}
	iod->sgt.nents = nents;

	if (nvmp_use_sgl(dev, iod, blk_rq_payload_bytes(rq) / nents) &&
	    nents <= NVMP_CTRL_PAGE / sizeof(struct nvme_sgl_desc))
		ret = nvmp_build_sgl(dev, iod, c, nents);
	else
		ret = nvmp_build_prp(dev, rq, iod, c);
	if (ret == BLK_STS_OK)
		return ret;
out:
	nvmp_unmap_data(dev, rq);
	return ret;
}

static blk_status_t nvmp_map_meta(struct nvmp_dev *dev, struct request *rq,
				  struct nvme_sqe *c)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

	iod->meta_dma = dma_map_single(&dev->pdev->dev, iod->req.meta,
				       iod->req.meta_len, rq_dma_dir(rq));
	if (dma_mapping_error(&dev->pdev->dev, iod->meta_dma)) {
		iod->meta_dma = 0;
		return BLK_STS_IOERR;
	}
	c->mptr = cpu_to_le64(iod->meta_dma);
	return BLK_STS_OK;
}

/*
 * Build the command of a request and map its data; on success the request
 * is started and only needs posting.  On failure nothing is left to undo.
 */
static blk_status_t nvmp_prep_rq(struct nvmp_dev *dev, struct request *rq)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvme_sqe *c = &iod->req.cmd;
	blk_status_t ret;

	ret = nvme_setup_cmd(rq->q->queuedata, rq);
	if (ret)
		return ret;

	iod->aborted = false;
	iod->list = NULL;
	iod->bv_dma = 0;
	iod->meta_dma = 0;
	iod->sgt.nents = 0;
	iod->sgt.orig_nents = 0;
	c->flags &= ~(NVME_CMD_PSDT_SGL_MPTR | NVME_CMD_PSDT_SGL_SGL);
	c->cid = rq->tag;

	if (blk_rq_nr_phys_segments(rq)) {
		ret = nvmp_map_data(dev, rq, c);
		if (ret)
			goto out_cleanup;
	}
	if (iod->req.meta_len) {
		ret = nvmp_map_meta(dev, rq, c);
		if (ret)
			goto out_unmap;
	}

	blk_mq_start_request(rq);
	return BLK_STS_OK;

out_unmap:
	nvmp_unmap_data(dev, rq);
out_cleanup:
	nvme_cleanup_cmd(rq);
	return ret;
}

static bool nvmp_may_queue(struct nvmp_queue *q, struct request *rq)
{
	return nvme_ctrl_may_queue(&q->dev->ctrl, rq,
				   test_bit(NVMP_Q_LIVE, &q->flags));
}

/*
 * ->queue_rq may not queue @rq now.  A reset that got no I/O queue back
 * (nvmp_reset_work()) leaves a live controller whose tag set maps onto
 * queues that no longer exist: nothing will serve @rq, so it fails
 * instead of being requeued for ever.
 */
static blk_status_t nvmp_not_ready(struct nvmp_queue *q, struct request *rq)
{
	struct nvme_ctrl *ctrl = &q->dev->ctrl;

	if (q->qid >= ctrl->queue_count &&
	    nvme_ctrl_state(ctrl) == NVME_CTRL_LIVE)
		return BLK_STS_IOERR;
	return nvme_fail_nonready(ctrl, rq);
}

blk_status_t nvmp_queue_rq(struct blk_mq_hw_ctx *hctx,
			   const struct blk_mq_queue_data *bd)
{
	struct nvmp_queue *q = hctx->driver_data;
	struct request *rq = bd->rq;
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	blk_status_t ret;

	if (unlikely(!nvmp_may_queue(q, rq)))
		return nvmp_not_ready(q, rq);

	ret = nvmp_prep_rq(q->dev, rq);
	if (ret)
		return ret;
	nvmp_post(q, &iod->req.cmd, bd->last);
	return BLK_STS_OK;
}

/* Post a run of prepared requests of one queue: one lock, one doorbell. */
static void nvmp_post_list(struct nvmp_queue *q, struct request **list)
{
	struct request *rq;

	spin_lock(&q->sq_lock);
	while ((rq = rq_list_pop(list))) {
		struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

		nvmp_put_sqe(q, &iod->req.cmd);
	}
	nvmp_ring_sq(q);
	spin_unlock(&q->sq_lock);
}

/*
 * ->queue_rqs: a plug's worth of requests of one namespace.  Consecutive
 * requests of the same hardware queue are posted together; a request that
 * cannot be prepared here goes back to the block layer, which sends it
 * through ->queue_rq (and so through the not-ready and resource paths).
 */
void nvmp_queue_rqs(struct request **rqlist)
{
	struct request *run = NULL, **run_tail = &run;
	struct request *back = NULL, **back_tail = &back;
	struct nvmp_queue *run_q = NULL;
	struct request *rq;

	while ((rq = rq_list_pop(rqlist))) {
		struct nvmp_queue *q = rq->mq_hctx->driver_data;

		if (q != run_q && run) {
			nvmp_post_list(run_q, &run);
			run_tail = &run;
		}
		run_q = q;
		if (unlikely(!nvmp_may_queue(q, rq))) {
			rq_list_add_tail(&back_tail, rq);
			continue;
		}
		/*
		 * Only the ->queue_rq paths record the request in the tag
		 * map (blk_mq_get_driver_tag()); a completion looks it up.
		 */
		rq->mq_hctx->tags->rqs[rq->tag] = rq;
		if (nvmp_prep_rq(q->dev, rq) == BLK_STS_OK)
			rq_list_add_tail(&run_tail, rq);
		else
			rq_list_add_tail(&back_tail, rq);
	}
	if (run)
		nvmp_post_list(run_q, &run);
	*rqlist = back;
}

static void nvmp_release_rq(struct request *rq)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

	nvmp_unmap_data(iod->q->dev, rq);
}

void nvmp_complete_rq(struct request *rq)
{
	nvmp_release_rq(rq);
	nvme_complete_rq(rq);
}

static void nvmp_end_batch(struct io_comp_batch *iob)
{
	nvme_end_batch(iob, nvmp_release_rq);
}
