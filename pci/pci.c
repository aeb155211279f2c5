// SPDX-License-Identifier: GPL-2.0
/*
 * nvme: the NVMe over PCIe transport.
 *
 * One struct nvmp_dev per PCI function.  Queue 0 is the admin queue;
 * queues 1..n are I/O queue pairs, the first nr_default with an interrupt
 * each (spread over CPUs by the PCI core), the rest polled.  The blk-mq
 * hardware context i drives queue i + 1.
 *
 * Bring-up and reset share one path, nvmp_reset_work(): disable, program
 * the admin queue, enable, identify, create I/O queues, go live.  Every
 * teardown goes through nvmp_disable(), which stops the controller,
 * releases interrupts and ends whatever was still outstanding.
 */
#include <linux/blk-mq-pci.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>

#include "../host/nvme.h"
#include "dptr.h"

#define NVMP_ADMIN_DEPTH	64
#define NVMP_CTRL_PAGE		4096u
#define NVMP_MAX_SECTORS	2048	/* 1 MiB: a PRP list stays in one page */
#define NVMP_MAX_SEGS		(NVMP_MAX_SECTORS * 512 / NVMP_CTRL_PAGE + 1)
#define NVMP_INLINE_SG		2
/*
 * Lists up to this size (32 PRP entries, 16 SGL descriptors: 128 KiB of
 * pages) come from a pool of small blocks, not a page each, which is
 * less memory to hand out and, on init_on_alloc kernels, to zero per I/O.
 */
#define NVMP_SMALL_LIST		256
#define NVMP_RESET_TRIES	3

static unsigned int io_queue_depth = 1024;
module_param(io_queue_depth, uint, 0444);
MODULE_PARM_DESC(io_queue_depth, "I/O queue depth (2 - 4096)");

static unsigned int max_io_queues;
module_param(max_io_queues, uint, 0444);
MODULE_PARM_DESC(max_io_queues, "maximum interrupt driven I/O queues (0: one per CPU)");

static unsigned int poll_queues;
module_param(poll_queues, uint, 0444);
MODULE_PARM_DESC(poll_queues, "number of polled I/O queues (io_uring --hipri)");

static unsigned int sgl_threshold = SZ_32K;
module_param(sgl_threshold, uint, 0644);
MODULE_PARM_DESC(sgl_threshold,
		 "use SGLs when the average segment is at least this many bytes (0: never)");

/*
 * Doorbell Buffer Config is offered by emulated controllers (QEMU): with
 * it, a doorbell register write (a trap to the hypervisor) is needed only
 * when the controller has caught up with the queue, see
 * nvmp_shadow_needs_mmio().
 */
static bool use_shadow_doorbells = true;
module_param(use_shadow_doorbells, bool, 0444);
MODULE_PARM_DESC(use_shadow_doorbells,
		 "use Doorbell Buffer Config when the controller offers it (default Y)");

static bool use_msix = true;
module_param(use_msix, bool, 0444);
MODULE_PARM_DESC(use_msix, "allow MSI-X (false: MSI or INTx only)");

struct nvmp_dev;

/* struct nvmp_queue.flags */
#define NVMP_Q_LIVE	0	/* created on the controller, accepts commands */
#define NVMP_Q_IRQ	1	/* interrupt handler installed */

/**
 * struct nvmp_queue - one submission/completion queue pair
 * @dev: owning device
 * @sq_lock: serialises SQ tail updates and doorbell writes
 * @cq_lock: serialises CQ processing (interrupt, poll, timeout paths)
 * @sqes: submission ring
 * @cqes: completion ring
 * @sq_dma: bus address of @sqes
 * @cq_dma: bus address of @cqes
 * @sq_db: submission tail doorbell
 * @cq_db: completion head doorbell
 * @qid: queue id, 0 for admin
 * @depth: entries in each ring
 * @sq_tail: next free SQ slot
 * @last_db_tail: tail last written to the doorbell
 * @cq_head: next CQ entry to look at
 * @cq_phase: phase value that marks a new entry
 * @vector: interrupt vector index, or -1 when polled
 * @shadow_sq: shadow SQ tail doorbell, or NULL (Doorbell Buffer Config)
 * @shadow_cq: shadow CQ head doorbell, or NULL
 * @event_sq: controller's event index for the SQ tail
 * @event_cq: controller's event index for the CQ head
 * @flags: NVMP_Q_*
 * @name: interrupt name
 */
struct nvmp_queue {
	struct nvmp_dev *dev;
	spinlock_t sq_lock;	/* SQ tail and doorbell */
	spinlock_t cq_lock;	/* CQ head and phase */
	struct nvme_sqe *sqes;
	struct nvme_cqe *cqes;
	dma_addr_t sq_dma;
	dma_addr_t cq_dma;
	u32 __iomem *sq_db;
	u32 __iomem *cq_db;
	u16 qid;
	u16 depth;
	u16 sq_tail;
	u16 last_db_tail;
	u16 cq_head;
	u8 cq_phase;
	s16 vector;
	__le32 *shadow_sq;
	__le32 *shadow_cq;
	__le32 *event_sq;
	__le32 *event_cq;
	unsigned long flags;
	char name[24];
};

/**
 * struct nvmp_dev - one NVMe PCIe function
 * @ctrl: core controller, first so container_of is cheap
 * @pdev: the PCI function
 * @bar: mapped BAR0
 * @bar_len: mapped length
 * @dbs: first doorbell
 * @db_stride: doorbell stride in 32 bit words
 * @queues: queue array, @max_queues long
 * @max_queues: admin + the most I/O queues ever wanted
 * @online: queues created on the controller (admin included)
 * @nr_default: interrupt driven I/O queues
 * @nr_poll: polled I/O queues
 * @nr_vecs: interrupt vectors allocated
 * @admin_set: admin tag set
 * @io_set: I/O tag set
 * @prp_pool: page sized PRP / SGL lists
 * @small_pool: %NVMP_SMALL_LIST byte lists, for short transfers
 * @shadow: shadow doorbell page, or NULL when not in use
 * @events: event index page
 * @shadow_dma: bus address of @shadow
 * @events_dma: bus address of @events
 * @disable_lock: serialises nvmp_disable() and queue setup
 * @enabled: controller enabled by us and not yet disabled
 */
struct nvmp_dev {
	struct nvme_ctrl ctrl;
	struct pci_dev *pdev;
	void __iomem *bar;
	resource_size_t bar_len;
	u32 __iomem *dbs;
	u32 db_stride;
	struct nvmp_queue *queues;
	unsigned int max_queues;
	unsigned int online;
	unsigned int nr_default;
	unsigned int nr_poll;
	unsigned int nr_vecs;
	struct blk_mq_tag_set admin_set;
	struct blk_mq_tag_set io_set;
	struct dma_pool *prp_pool;
	struct dma_pool *small_pool;
	__le32 *shadow;
	__le32 *events;
	dma_addr_t shadow_dma;
	dma_addr_t events_dma;
	struct mutex disable_lock;	/* one nvmp_disable() at a time */
	bool enabled;
};

/**
 * struct nvmp_iod - per-request data
 * @req: core part, must be first
 * @q: queue the request is on
 * @sgt: scatter table of the data (chained beyond @inline_sg); orig_nents
 *	is what was allocated, nents what the DMA mapping produced
 * @inline_sg: first scatterlist entries
 * @nr_sg: entries blk_rq_map_sg() filled (what was DMA-mapped)
 * @list: PRP list or SGL segment from @prp_pool or @small_pool, or NULL
 * @list_dma: bus address of @list
 * @list_small: @list is from @small_pool
 * @bv_dma: bus address of a single mapped bvec (fast path), else 0
 * @bv_len: length mapped at @bv_dma
 * @meta_dma: bus address of the metadata buffer, or 0
 * @aborted: an Abort was already sent for this request
 */
struct nvmp_iod {
	struct nvme_request req;
	struct nvmp_queue *q;
	struct sg_table sgt;
	struct scatterlist inline_sg[NVMP_INLINE_SG];
	unsigned int nr_sg;
	void *list;
	dma_addr_t list_dma;
	bool list_small;
	dma_addr_t bv_dma;
	u32 bv_len;
	dma_addr_t meta_dma;
	bool aborted;
};

static inline struct nvmp_dev *to_nvmp(struct nvme_ctrl *ctrl)
{
	return container_of(ctrl, struct nvmp_dev, ctrl);
}

/* ------------------------------------------------------------------ */
/* register access (struct nvme_ctrl_ops)                             */
/* ------------------------------------------------------------------ */

/* the BAR is unmapped on removal while char devices may still be open */
static int nvmp_reg_read32(struct nvme_ctrl *ctrl, u32 off, u32 *val)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	if (!dev->bar)
		return -ENODEV;
	*val = readl(dev->bar + off);
	return 0;
}

static int nvmp_reg_write32(struct nvme_ctrl *ctrl, u32 off, u32 val)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	if (!dev->bar)
		return -ENODEV;
	writel(val, dev->bar + off);
	return 0;
}

static int nvmp_reg_read64(struct nvme_ctrl *ctrl, u32 off, u64 *val)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	if (!dev->bar)
		return -ENODEV;
	*val = lo_hi_readq(dev->bar + off);
	return 0;
}

static int nvmp_get_address(struct nvme_ctrl *ctrl, char *buf, int size)
{
	return snprintf(buf, size, "%s\n", dev_name(&to_nvmp(ctrl)->pdev->dev));
}

static bool nvmp_gone(struct nvmp_dev *dev)
{
	return !pci_device_is_present(dev->pdev) ||
	       readl(dev->bar + NVME_REG_CSTS) == ~0u;
}

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

static void nvmp_commit_rqs(struct blk_mq_hw_ctx *hctx)
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

static irqreturn_t nvmp_irq(int irq, void *data)
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
static int nvmp_poll_cq(struct nvmp_queue *q, struct io_comp_batch *iob)
{
	unsigned long flags;
	int found;

	spin_lock_irqsave(&q->cq_lock, flags);
	found = nvmp_reap_cq(q, iob);
	spin_unlock_irqrestore(&q->cq_lock, flags);
	return found;
}

static int nvmp_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
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

/* one segment inside two controller pages: PRP1 and PRP2, no list */
static blk_status_t nvmp_map_single(struct nvmp_dev *dev, struct request *rq,
				    struct nvme_sqe *c, struct bio_vec *bv)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	u32 first;

	iod->bv_dma = dma_map_bvec(&dev->pdev->dev, bv, rq_dma_dir(rq), 0);
	if (dma_mapping_error(&dev->pdev->dev, iod->bv_dma)) {
		iod->bv_dma = 0;
		return BLK_STS_RESOURCE;
	}
	iod->bv_len = bv->bv_len;
	first = NVMP_CTRL_PAGE - (iod->bv_dma & (NVMP_CTRL_PAGE - 1));
	c->dptr.prp1 = cpu_to_le64(iod->bv_dma);
	c->dptr.prp2 = bv->bv_len > first ?
		       cpu_to_le64(iod->bv_dma + first) : 0;
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

	if (NVME_SGLS_SUPPORTED(dev->ctrl.sgls) && iod->q->qid && sgl_threshold &&
	    blk_rq_payload_bytes(rq) / nents >= sgl_threshold &&
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

static blk_status_t nvmp_queue_rq(struct blk_mq_hw_ctx *hctx,
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
static void nvmp_queue_rqs(struct request **rqlist)
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

static void nvmp_complete_rq(struct request *rq)
{
	nvmp_release_rq(rq);
	nvme_complete_rq(rq);
}

static void nvmp_end_batch(struct io_comp_batch *iob)
{
	nvme_end_batch(iob, nvmp_release_rq);
}

/* ------------------------------------------------------------------ */
/* timeouts                                                           */
/* ------------------------------------------------------------------ */

static void nvmp_disable(struct nvmp_dev *dev, bool shutdown);

static enum rq_end_io_ret nvmp_abort_done(struct request *rq, blk_status_t err)
{
	struct nvme_ctrl *ctrl = rq->end_io_data;

	dev_warn(ctrl->dev, "abort completed, status 0x%x result 0x%llx\n",
		 nvme_req(rq)->status, le64_to_cpu(nvme_req(rq)->result));
	return RQ_END_IO_FREE;
}

static bool nvmp_send_abort(struct nvmp_dev *dev, struct request *rq)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvme_sqe c = {
		.opc = NVME_ADM_ABORT,
		.cdw10 = cpu_to_le32(iod->q->qid | (u32)rq->tag << 16),
	};
	struct request *arq;

	arq = blk_mq_alloc_request(dev->ctrl.admin_q, REQ_OP_DRV_OUT,
				   BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(arq))
		return false;
	nvme_init_request(arq, &c);
	arq->end_io = nvmp_abort_done;
	arq->end_io_data = &dev->ctrl;
	blk_execute_rq_nowait(arq, false);
	return true;
}

static enum blk_eh_timer_return nvmp_timeout(struct request *rq)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvmp_queue *q = iod->q;
	struct nvmp_dev *dev = q->dev;
	struct nvme_ctrl *ctrl = &dev->ctrl;
	u32 csts = readl(dev->bar + NVME_REG_CSTS);

	if (iod->req.flags & NVME_REQ_NO_TIMEOUT)
		return BLK_EH_RESET_TIMER;

	/* a lost interrupt looks like a timeout: look before acting */
	if (test_bit(NVMP_Q_LIVE, &q->flags) && nvmp_poll_cq(q, NULL) &&
	    blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT) {
		dev_warn(ctrl->dev, "queue %u tag %d: completion found by polling\n",
			 q->qid, rq->tag);
		return BLK_EH_DONE;
	}

	switch (nvme_ctrl_state(ctrl)) {
	case NVME_CTRL_RESETTING:
		/* the reset in progress ends this request */
		return BLK_EH_RESET_TIMER;
	case NVME_CTRL_NEW:
	case NVME_CTRL_CONNECTING:
	case NVME_CTRL_DELETING:
	case NVME_CTRL_DELETING_NOIO:
	case NVME_CTRL_DEAD:
		dev_warn(ctrl->dev, "queue %u tag %d timed out while %s, disabling controller\n",
			 q->qid, rq->tag,
			 nvme_ctrl_state_name(nvme_ctrl_state(ctrl)));
		nvmp_disable(dev, false);
		/*
		 * Nothing will bring these queues back: let what was ended
		 * and requeued reach ->queue_rq and fail there, or removal
		 * waits for it for ever.
		 */
		if (nvme_ctrl_state(ctrl) != NVME_CTRL_CONNECTING &&
		    nvme_ctrl_state(ctrl) != NVME_CTRL_NEW) {
			nvme_unquiesce_admin_queue(ctrl);
			nvme_unquiesce_io_queues(ctrl);
		}
		return BLK_EH_DONE;
	default:
		break;
	}

	if (!(csts & NVME_CSTS_CFS) && csts != ~0u && q->qid && !iod->aborted) {
		iod->aborted = true;
		if (nvmp_send_abort(dev, rq)) {
			dev_warn(ctrl->dev, "queue %u tag %d timed out, aborting\n",
				 q->qid, rq->tag);
			return BLK_EH_RESET_TIMER;
		}
	}

	dev_warn(ctrl->dev, "queue %u tag %d timed out (CSTS 0x%x), resetting controller\n",
		 q->qid, rq->tag, csts);
	if (nvme_reset_ctrl(ctrl))
		return BLK_EH_RESET_TIMER;
	return BLK_EH_DONE;
}

/* ------------------------------------------------------------------ */
/* queues                                                             */
/* ------------------------------------------------------------------ */

static int nvmp_alloc_ring(struct nvmp_dev *dev, unsigned int qid,
			   unsigned int depth)
{
	struct nvmp_queue *q = &dev->queues[qid];
	struct device *d = &dev->pdev->dev;

	if (q->sqes && q->depth == depth)
		return 0;
	if (q->sqes) {
		dma_free_coherent(d, (size_t)q->depth << NVME_SQE_SHIFT,
				  q->sqes, q->sq_dma);
		dma_free_coherent(d, (size_t)q->depth << NVME_CQE_SHIFT,
				  q->cqes, q->cq_dma);
		q->sqes = NULL;
	}
	q->cqes = dma_alloc_coherent(d, (size_t)depth << NVME_CQE_SHIFT,
				     &q->cq_dma, GFP_KERNEL);
	if (!q->cqes)
		return -ENOMEM;
	q->sqes = dma_alloc_coherent(d, (size_t)depth << NVME_SQE_SHIFT,
				     &q->sq_dma, GFP_KERNEL);
	if (!q->sqes) {
		dma_free_coherent(d, (size_t)depth << NVME_CQE_SHIFT, q->cqes,
				  q->cq_dma);
		q->cqes = NULL;
		return -ENOMEM;
	}
	q->dev = dev;
	q->qid = qid;
	q->depth = depth;
	spin_lock_init(&q->sq_lock);
	spin_lock_init(&q->cq_lock);
	q->sq_db = dev->dbs + 2 * qid * dev->db_stride;
	q->cq_db = q->sq_db + dev->db_stride;
	return 0;
}

static void nvmp_free_rings(struct nvmp_dev *dev)
{
	struct device *d = &dev->pdev->dev;
	unsigned int i;

	for (i = 0; i < dev->max_queues; i++) {
		struct nvmp_queue *q = &dev->queues[i];

		if (!q->sqes)
			continue;
		dma_free_coherent(d, (size_t)q->depth << NVME_SQE_SHIFT,
				  q->sqes, q->sq_dma);
		dma_free_coherent(d, (size_t)q->depth << NVME_CQE_SHIFT,
				  q->cqes, q->cq_dma);
		q->sqes = NULL;
		q->cqes = NULL;
	}
}

static void nvmp_reset_ring(struct nvmp_queue *q)
{
	q->sq_tail = 0;
	q->last_db_tail = 0;
	q->cq_head = 0;
	q->cq_phase = 1;
	memset(q->cqes, 0, (size_t)q->depth << NVME_CQE_SHIFT);
	wmb(); /* ring cleared before the controller may write it */
}

static int nvmp_request_irq(struct nvmp_dev *dev, struct nvmp_queue *q)
{
	int ret;

	snprintf(q->name, sizeof(q->name), "nvme%dq%u", dev->ctrl.instance,
		 q->qid);
	ret = request_irq(pci_irq_vector(dev->pdev, q->vector), nvmp_irq,
			  IRQF_SHARED, q->name, q);
	if (!ret)
		set_bit(NVMP_Q_IRQ, &q->flags);
	return ret;
}

static void nvmp_free_irq(struct nvmp_dev *dev, struct nvmp_queue *q)
{
	if (test_and_clear_bit(NVMP_Q_IRQ, &q->flags))
		free_irq(pci_irq_vector(dev->pdev, q->vector), q);
}

static int nvmp_create_queue(struct nvmp_dev *dev, struct nvmp_queue *q)
{
	bool polled = q->vector < 0;
	struct nvme_sqe c = {};
	int ret;

	nvmp_reset_ring(q);
	if (dev->shadow && q->qid) {
		unsigned int sq = 2 * q->qid * dev->db_stride;
		unsigned int cq = sq + dev->db_stride;

		q->shadow_sq = &dev->shadow[sq];
		q->shadow_cq = &dev->shadow[cq];
		q->event_sq = &dev->events[sq];
		q->event_cq = &dev->events[cq];
		*q->shadow_sq = 0;
		*q->shadow_cq = 0;
		*q->event_sq = 0;
		*q->event_cq = 0;
	} else {
		q->shadow_sq = NULL;
		q->shadow_cq = NULL;
	}
	c.opc = NVME_ADM_CREATE_CQ;
	c.dptr.prp1 = cpu_to_le64(q->cq_dma);
	c.cdw10 = cpu_to_le32((u32)(q->depth - 1) << 16 | q->qid);
	c.cdw11 = cpu_to_le32(NVME_QUEUE_PHYS_CONTIG |
			      (polled ? 0 : NVME_CQ_IRQ_ENABLED |
					   (u32)q->vector << 16));
	ret = nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0);
	if (ret)
		return ret;

	memset(&c, 0, sizeof(c));
	c.opc = NVME_ADM_CREATE_SQ;
	c.dptr.prp1 = cpu_to_le64(q->sq_dma);
	c.cdw10 = cpu_to_le32((u32)(q->depth - 1) << 16 | q->qid);
	c.cdw11 = cpu_to_le32(NVME_QUEUE_PHYS_CONTIG | (u32)q->qid << 16);
	ret = nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0);
	if (ret) {
		memset(&c, 0, sizeof(c));
		c.opc = NVME_ADM_DELETE_CQ;
		c.cdw10 = cpu_to_le32(q->qid);
		nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0);
		return ret;
	}
	if (!polled) {
		ret = nvmp_request_irq(dev, q);
		if (ret)
			return ret;
	}
	set_bit(NVMP_Q_LIVE, &q->flags);
	return 0;
}

static int nvmp_setup_admin(struct nvmp_dev *dev)
{
	struct nvmp_queue *q = &dev->queues[0];
	u32 aqa, csts;
	int ret;

	csts = readl(dev->bar + NVME_REG_CSTS);
	if (csts == ~0u)
		return -ENODEV;
	if (csts & NVME_CSTS_NSSRO)	/* clear the subsystem reset flag */
		writel(NVME_CSTS_NSSRO, dev->bar + NVME_REG_CSTS);
	ret = nvme_disable_ctrl(&dev->ctrl, false);
	if (ret)
		return ret;

	/*
	 * One vector for now; nvmp_setup_io_queues() asks for more.  It must
	 * exist before the enable: some controllers (QEMU's among them) bind
	 * the admin completion queue to MSI-X only if it is on by then.
	 */
	ret = pci_alloc_irq_vectors(dev->pdev, 1, 1, use_msix ?
				    PCI_IRQ_ALL_TYPES : PCI_IRQ_MSI | PCI_IRQ_LEGACY);
	if (ret < 0)
		return ret;
	dev->nr_vecs = ret;

	nvmp_reset_ring(q);
	aqa = (u32)(q->depth - 1) << 16 | (q->depth - 1);
	writel(aqa, dev->bar + NVME_REG_AQA);
	lo_hi_writeq(q->sq_dma, dev->bar + NVME_REG_ASQ);
	lo_hi_writeq(q->cq_dma, dev->bar + NVME_REG_ACQ);
	ret = nvme_enable_ctrl(&dev->ctrl);
	if (ret)
		return ret;
	dev->enabled = true;

	q->vector = 0;
	ret = nvmp_request_irq(dev, q);
	if (ret)
		return ret;
	set_bit(NVMP_Q_LIVE, &q->flags);
	dev->online = 1;
	nvme_unquiesce_admin_queue(&dev->ctrl);
	return 0;
}

static int nvmp_setup_irqs(struct nvmp_dev *dev, unsigned int nr_default)
{
	struct irq_affinity affd = { .pre_vectors = 1 };
	unsigned int types = PCI_IRQ_MSI | PCI_IRQ_LEGACY;
	int ret;

	if (use_msix)
		types |= PCI_IRQ_MSIX;
	nvmp_free_irq(dev, &dev->queues[0]);
	pci_free_irq_vectors(dev->pdev);
	ret = pci_alloc_irq_vectors_affinity(dev->pdev, 1, nr_default + 1,
					     types | PCI_IRQ_AFFINITY, &affd);
	if (ret < 0)
		return ret;
	dev->nr_vecs = ret;
	return nvmp_request_irq(dev, &dev->queues[0]);
}

static int nvmp_setup_io_queues(struct nvmp_dev *dev)
{
	unsigned int want_default, i;
	u32 nr;
	int ret;

	want_default = max_io_queues ? min(max_io_queues, num_possible_cpus()) :
				       num_possible_cpus();
	nr = want_default + poll_queues;
	nr = min_t(u32, nr, dev->max_queues - 1);
	ret = nvme_set_queue_count(&dev->ctrl, &nr);
	if (ret)
		return ret;
	if (!nr) {
		dev->nr_default = 0;
		dev->nr_poll = 0;
		return 0;
	}
	dev->nr_poll = min_t(u32, poll_queues, nr - 1);
	want_default = min_t(u32, want_default, nr - dev->nr_poll);

	ret = nvmp_setup_irqs(dev, want_default);
	if (ret)
		return ret;
	/* with one vector every queue shares it; else one vector per queue */
	dev->nr_default = dev->nr_vecs == 1 ? want_default :
		min_t(unsigned int, want_default, dev->nr_vecs - 1);

	for (i = 1; i <= dev->nr_default + dev->nr_poll; i++) {
		struct nvmp_queue *q = &dev->queues[i];

		ret = nvmp_alloc_ring(dev, i, dev->ctrl.sqsize + 1);
		if (ret)
			return ret;
		if (i > dev->nr_default)
			q->vector = -1;
		else
			q->vector = dev->nr_vecs == 1 ? 0 : i;
		ret = nvmp_create_queue(dev, q);
		if (ret) {
			dev_err(dev->ctrl.dev, "creating queue %u failed (%d)\n",
				i, ret);
			return ret > 0 ? -EIO : ret;
		}
		dev->online = i + 1;
	}
	return 0;
}

/*
 * Stop the controller and end everything outstanding.  Queues stay
 * quiesced: a reset brings them back, removal unquiesces them itself.
 */
static void nvmp_disable(struct nvmp_dev *dev, bool shutdown)
{
	struct nvme_ctrl *ctrl = &dev->ctrl;
	unsigned int i;

	mutex_lock(&dev->disable_lock);
	nvme_quiesce_io_queues(ctrl);
	nvme_quiesce_admin_queue(ctrl);

	if (dev->enabled && !nvmp_gone(dev))
		nvme_disable_ctrl(ctrl, shutdown);
	dev->enabled = false;

	for (i = 0; i < dev->online; i++) {
		struct nvmp_queue *q = &dev->queues[i];

		clear_bit(NVMP_Q_LIVE, &q->flags);
		nvmp_free_irq(dev, q);
		if (q->cqes)
			nvmp_poll_cq(q, NULL);	/* whatever did complete */
	}
	dev->online = 0;
	if (dev->nr_vecs) {
		pci_free_irq_vectors(dev->pdev);
		dev->nr_vecs = 0;
	}

	nvme_cancel_tagset(ctrl);
	nvme_cancel_admin_tagset(ctrl);
	mutex_unlock(&dev->disable_lock);
}

/* the controller will not come back: fail everything from now on */
static void nvmp_give_up(struct nvmp_dev *dev, int err)
{
	struct nvme_ctrl *ctrl = &dev->ctrl;

	if (nvme_change_ctrl_state(ctrl, NVME_CTRL_DEAD))
		dev_err(ctrl->dev, "controller failed (%d), marking it dead\n",
			err);
	nvmp_disable(dev, false);
	nvme_mark_namespaces_dead(ctrl);
	nvme_unquiesce_io_queues(ctrl);
	nvme_unquiesce_admin_queue(ctrl);
}

static void nvmp_free_shadow_doorbells(struct nvmp_dev *dev)
{
	if (dev->shadow)
		dma_free_coherent(&dev->pdev->dev, PAGE_SIZE, dev->shadow,
				  dev->shadow_dma);
	if (dev->events)
		dma_free_coherent(&dev->pdev->dev, PAGE_SIZE, dev->events,
				  dev->events_dma);
	dev->shadow = NULL;
	dev->events = NULL;
}

/* a controller forgets the buffers on every reset: configure each time */
static void nvmp_setup_shadow_doorbells(struct nvmp_dev *dev)
{
	struct nvme_sqe c = { .opc = NVME_ADM_DBBUF_CONFIG };
	struct device *d = &dev->pdev->dev;

	if (!(dev->ctrl.oacs & NVME_OACS_DBBUF) || !use_shadow_doorbells ||
	    2 * dev->max_queues * dev->db_stride * 4 > PAGE_SIZE) {
		nvmp_free_shadow_doorbells(dev);
		return;
	}
	if (!dev->shadow) {
		dev->shadow = dma_alloc_coherent(d, PAGE_SIZE, &dev->shadow_dma,
						 GFP_KERNEL);
		dev->events = dma_alloc_coherent(d, PAGE_SIZE, &dev->events_dma,
						 GFP_KERNEL);
		if (!dev->shadow || !dev->events)
			goto fail;
	}
	memset(dev->shadow, 0, PAGE_SIZE);
	memset(dev->events, 0, PAGE_SIZE);
	c.dptr.prp1 = cpu_to_le64(dev->shadow_dma);
	c.dptr.prp2 = cpu_to_le64(dev->events_dma);
	if (!nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0))
		return;
	dev_info(d, "doorbell buffer config failed, using registers only\n");
fail:
	nvmp_free_shadow_doorbells(dev);
}

static int nvmp_bring_up(struct nvmp_dev *dev)
{
	struct nvme_ctrl *ctrl = &dev->ctrl;
	unsigned int nr_hw;
	int ret;

	ret = nvmp_setup_admin(dev);
	if (ret)
		return ret;
	ret = nvme_init_ctrl_finish(ctrl);
	if (ret)
		return ret;
	nvmp_setup_shadow_doorbells(dev);
	ret = nvmp_setup_io_queues(dev);
	if (ret)
		return ret;

	nr_hw = dev->nr_default + dev->nr_poll;
	ctrl->queue_count = nr_hw + 1;
	if (!nr_hw)
		return 0;
	if (!ctrl->tagset)
		return nvme_alloc_io_tag_set(ctrl, &dev->io_set, dev->io_set.ops,
					     HCTX_MAX_TYPES,
					     sizeof(struct nvmp_iod));
	if (dev->io_set.nr_hw_queues != nr_hw) {
		/* requeued I/O must drain before the queue map changes */
		nvme_start_freeze(ctrl);
		nvme_unquiesce_io_queues(ctrl);
		nvme_wait_freeze(ctrl);
		blk_mq_update_nr_hw_queues(&dev->io_set, nr_hw);
		nvme_unfreeze(ctrl);
	}
	return 0;
}

static void nvmp_reset_work(struct work_struct *work)
{
	struct nvmp_dev *dev = container_of(work, struct nvmp_dev,
					    ctrl.reset_work);
	struct nvme_ctrl *ctrl = &dev->ctrl;
	int ret = -ENODEV, tries;

	if (nvme_ctrl_state(ctrl) != NVME_CTRL_RESETTING) {
		dev_warn(ctrl->dev, "reset work in state %s, ignored\n",
			 nvme_ctrl_state_name(nvme_ctrl_state(ctrl)));
		return;
	}
	if (dev->enabled || dev->online)
		nvmp_disable(dev, false);
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_CONNECTING))
		goto fail;

	for (tries = 0; tries < NVMP_RESET_TRIES; tries++) {
		if (tries) {
			nvmp_disable(dev, false);
			msleep(500 * tries);
		}
		if (nvme_ctrl_state(ctrl) != NVME_CTRL_CONNECTING ||
		    nvmp_gone(dev)) {
			ret = -ENODEV;
			break;
		}
		ret = nvmp_bring_up(dev);
		if (!ret)
			break;
		dev_warn(ctrl->dev, "controller bring-up failed (%d), try %d of %d\n",
			 ret, tries + 1, NVMP_RESET_TRIES);
	}
	if (ret)
		goto fail;
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_LIVE))
		goto fail;
	nvme_unquiesce_io_queues(ctrl);
	if (ctrl->tagset && ctrl->queue_count < 2) {
		/*
		 * The admin queue alone stays usable (firmware update,
		 * logs); the namespaces have nothing to do I/O on.  Their
		 * requests fail (nvmp_not_ready()) and they go; the scan
		 * brings them back after a reset that has I/O queues again.
		 */
		dev_warn(ctrl->dev, "no I/O queue after the reset, removing the namespaces\n");
		nvme_mark_namespaces_dead(ctrl);
		nvme_remove_namespaces(ctrl);
	}
	nvme_start_ctrl(ctrl);
	return;
fail:
	nvmp_give_up(dev, ret);
}

/* ------------------------------------------------------------------ */
/* blk-mq glue                                                        */
/* ------------------------------------------------------------------ */

static int nvmp_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			  unsigned int idx)
{
	struct nvmp_dev *dev = data;

	hctx->driver_data = &dev->queues[idx + 1];
	return 0;
}

static int nvmp_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				unsigned int idx)
{
	struct nvmp_dev *dev = data;

	hctx->driver_data = &dev->queues[0];
	return 0;
}

static int nvmp_init_request(struct blk_mq_tag_set *set, struct request *rq,
			     unsigned int hctx_idx, unsigned int numa_node)
{
	struct nvmp_dev *dev = to_nvmp(set->driver_data);
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

	iod->req.ctrl = &dev->ctrl;
	iod->q = set == &dev->admin_set ? &dev->queues[0] :
					  &dev->queues[hctx_idx + 1];
	return 0;
}

static void nvmp_map_queues(struct blk_mq_tag_set *set)
{
	struct nvmp_dev *dev = to_nvmp(set->driver_data);
	struct blk_mq_queue_map *map = &set->map[HCTX_TYPE_DEFAULT];

	map->nr_queues = dev->nr_default;
	map->queue_offset = 0;
	if (dev->nr_vecs > 1)
		blk_mq_pci_map_queues(map, dev->pdev, 1);
	else
		blk_mq_map_queues(map);

	set->map[HCTX_TYPE_READ].nr_queues = 0;
	map = &set->map[HCTX_TYPE_POLL];
	map->nr_queues = dev->nr_poll;
	map->queue_offset = dev->nr_default;
	if (dev->nr_poll)
		blk_mq_map_queues(map);
}

static const struct blk_mq_ops nvmp_admin_mq_ops = {
	.queue_rq	= nvmp_queue_rq,
	.complete	= nvmp_complete_rq,
	.init_hctx	= nvmp_init_admin_hctx,
	.init_request	= nvmp_init_request,
	.timeout	= nvmp_timeout,
};

static const struct blk_mq_ops nvmp_mq_ops = {
	.queue_rq	= nvmp_queue_rq,
	.queue_rqs	= nvmp_queue_rqs,
	.commit_rqs	= nvmp_commit_rqs,
	.complete	= nvmp_complete_rq,
	.init_hctx	= nvmp_init_hctx,
	.init_request	= nvmp_init_request,
	.map_queues	= nvmp_map_queues,
	.timeout	= nvmp_timeout,
	.poll		= nvmp_poll,
};

/* ------------------------------------------------------------------ */
/* PCI driver                                                         */
/* ------------------------------------------------------------------ */

static void nvmp_free_ctrl(struct nvme_ctrl *ctrl)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	put_device(&dev->pdev->dev);
	kfree(dev->queues);
	kfree(dev);
}

static const struct nvme_ctrl_ops nvmp_ctrl_ops = {
	.name		= "pcie",
	.module		= THIS_MODULE,
	.flags		= NVME_F_METADATA,
	.reg_read32	= nvmp_reg_read32,
	.reg_write32	= nvmp_reg_write32,
	.reg_read64	= nvmp_reg_read64,
	.free_ctrl	= nvmp_free_ctrl,
	.get_address	= nvmp_get_address,
};

static int nvmp_map_bar(struct nvmp_dev *dev)
{
	struct pci_dev *pdev = dev->pdev;
	u64 cap;

	if (pci_request_mem_regions(pdev, "nvme"))
		return -EBUSY;
	dev->bar_len = pci_resource_len(pdev, 0);
	if (dev->bar_len < NVME_REG_DBS + 8) {
		dev_err(&pdev->dev, "BAR0 too small (%pa)\n", &dev->bar_len);
		goto release;
	}
	dev->bar = ioremap(pci_resource_start(pdev, 0), dev->bar_len);
	if (!dev->bar)
		goto release;
	cap = lo_hi_readq(dev->bar + NVME_REG_CAP);
	if (cap == ~0ull) {
		dev_err(&pdev->dev, "controller not responding\n");
		goto unmap;
	}
	dev->ctrl.cap = cap;
	dev->db_stride = 1u << NVME_CAP_DSTRD(cap);
	dev->dbs = dev->bar + NVME_REG_DBS;
	return 0;
unmap:
	iounmap(dev->bar);
	dev->bar = NULL;
release:
	pci_release_mem_regions(pdev);
	return -ENODEV;
}

static void nvmp_unmap_bar(struct nvmp_dev *dev)
{
	if (!dev->bar)
		return;
	iounmap(dev->bar);
	dev->bar = NULL;
	pci_release_mem_regions(dev->pdev);
}

static int nvmp_create_pools(struct nvmp_dev *dev)
{
	dev->prp_pool = dma_pool_create("nvme prp list", &dev->pdev->dev,
					NVMP_CTRL_PAGE, NVMP_CTRL_PAGE, 0);
	dev->small_pool = dma_pool_create("nvme prp list 256", &dev->pdev->dev,
					  NVMP_SMALL_LIST, NVMP_SMALL_LIST, 0);
	if (dev->prp_pool && dev->small_pool)
		return 0;
	dma_pool_destroy(dev->prp_pool);	/* takes NULL */
	dma_pool_destroy(dev->small_pool);
	return -ENOMEM;
}

static void nvmp_destroy_pools(struct nvmp_dev *dev)
{
	dma_pool_destroy(dev->small_pool);
	dma_pool_destroy(dev->prp_pool);
}

static int nvmp_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct nvmp_dev *dev;
	unsigned int depth, max_q;
	resource_size_t db_room;
	int ret;

	dev = kzalloc_node(sizeof(*dev), GFP_KERNEL, dev_to_node(&pdev->dev));
	if (!dev)
		return -ENOMEM;
	dev->pdev = pdev;
	mutex_init(&dev->disable_lock);
	INIT_WORK(&dev->ctrl.reset_work, nvmp_reset_work);
	dev->io_set.ops = &nvmp_mq_ops;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto out_free;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto out_disable;
	/* swiotlb bounces keep the in-page offset PRPs depend on */
	dma_set_min_align_mask(&pdev->dev, NVMP_CTRL_PAGE - 1);
	ret = nvmp_map_bar(dev);
	if (ret)
		goto out_disable;

	/* admin queue plus every queue we might ask for, limited by the BAR */
	max_q = num_possible_cpus() + poll_queues + 1;
	db_room = (dev->bar_len - NVME_REG_DBS) / (8 * dev->db_stride);
	max_q = min_t(resource_size_t, max_q, db_room);
	max_q = min_t(unsigned int, max_q, 65535);
	dev->max_queues = max_q;
	dev->queues = kcalloc(max_q, sizeof(*dev->queues), GFP_KERNEL);
	if (!dev->queues) {
		ret = -ENOMEM;
		goto out_unmap;
	}

	depth = clamp_t(unsigned int, io_queue_depth, 2, 4096);
	depth = min_t(unsigned int, depth, NVME_CAP_MQES(dev->ctrl.cap) + 1);
	dev->ctrl.sqsize = depth - 1;
	dev->ctrl.transport_max_sectors = NVMP_MAX_SECTORS;
	dev->ctrl.transport_max_segments = NVMP_MAX_SEGS;
	dev->ctrl.virt_boundary_mask = NVMP_CTRL_PAGE - 1;
	dev->ctrl.queue_count = 1;

	ret = nvmp_create_pools(dev);
	if (ret)
		goto out_queues;
	ret = nvmp_alloc_ring(dev, 0, NVMP_ADMIN_DEPTH);
	if (ret)
		goto out_pool;

	get_device(&pdev->dev);
	ret = nvme_init_ctrl(&dev->ctrl, &pdev->dev, &nvmp_ctrl_ops,
			     id->driver_data);
	if (ret) {
		put_device(&pdev->dev);
		goto out_rings;
	}
	pci_set_drvdata(pdev, dev);

	ret = nvme_alloc_admin_tag_set(&dev->ctrl, &dev->admin_set,
				       &nvmp_admin_mq_ops, NVMP_ADMIN_DEPTH - 1,
				       sizeof(struct nvmp_iod));
	if (ret)
		goto out_uninit;
	/* the admin queue opens when the controller is enabled */
	nvme_quiesce_admin_queue(&dev->ctrl);

	dev_info(&pdev->dev, "NVMe controller, CAP 0x%llx, %u queue slots\n",
		 dev->ctrl.cap, max_q);
	ret = nvme_reset_ctrl(&dev->ctrl);
	if (ret)
		goto out_uninit;
	flush_work(&dev->ctrl.reset_work);
	flush_work(&dev->ctrl.scan_work);
	return 0;

out_uninit:
	nvme_uninit_ctrl(&dev->ctrl);
	nvme_remove_admin_tag_set(&dev->ctrl);
	nvmp_free_rings(dev);
	nvmp_free_shadow_doorbells(dev);
	nvmp_destroy_pools(dev);
	nvmp_unmap_bar(dev);
	pci_disable_device(pdev);
	nvme_put_ctrl(&dev->ctrl);	/* frees dev */
	return ret;
out_rings:
	nvmp_free_rings(dev);
out_pool:
	nvmp_destroy_pools(dev);
out_queues:
	kfree(dev->queues);
out_unmap:
	nvmp_unmap_bar(dev);
out_disable:
	pci_disable_device(pdev);
out_free:
	kfree(dev);
	return ret;
}

static void nvmp_remove(struct pci_dev *pdev)
{
	struct nvmp_dev *dev = pci_get_drvdata(pdev);
	struct nvme_ctrl *ctrl = &dev->ctrl;

	nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING);
	if (!pci_device_is_present(pdev)) {
		/* surprise removal: nothing will answer, fail it all now */
		nvmp_disable(dev, false);
		nvme_mark_namespaces_dead(ctrl);
		nvme_unquiesce_io_queues(ctrl);
		nvme_unquiesce_admin_queue(ctrl);
	}
	flush_work(&ctrl->reset_work);
	nvme_stop_ctrl(ctrl);
	nvme_remove_namespaces(ctrl);
	nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING_NOIO);
	nvmp_disable(dev, true);
	nvme_unquiesce_admin_queue(ctrl);
	nvme_remove_io_tag_set(ctrl);
	nvme_remove_admin_tag_set(ctrl);
	nvme_uninit_ctrl(ctrl);
	nvmp_free_rings(dev);
	nvmp_free_shadow_doorbells(dev);
	nvmp_destroy_pools(dev);
	nvmp_unmap_bar(dev);
	pci_disable_device(pdev);
	nvme_put_ctrl(ctrl);
}

static void nvmp_shutdown(struct pci_dev *pdev)
{
	struct nvmp_dev *dev = pci_get_drvdata(pdev);

	nvmp_disable(dev, true);
}

static int __maybe_unused nvmp_suspend(struct device *d)
{
	struct nvmp_dev *dev = pci_get_drvdata(to_pci_dev(d));

	/*
	 * A reset queued by an earlier resume (hibernation: thaw, then
	 * poweroff) must not bring the queues up behind our back.
	 */
	flush_work(&dev->ctrl.reset_work);
	nvme_stop_ctrl(&dev->ctrl);
	nvmp_disable(dev, true);
	return 0;
}

static int __maybe_unused nvmp_resume(struct device *d)
{
	struct nvmp_dev *dev = pci_get_drvdata(to_pci_dev(d));

	/* the controller kept its state machine LIVE: reset brings it back */
	return nvme_reset_ctrl(&dev->ctrl);
}

static SIMPLE_DEV_PM_OPS(nvmp_pm_ops, nvmp_suspend, nvmp_resume);

static const struct pci_device_id nvmp_ids[] = {
	/* QEMU's emulated controller reuses namespace identifiers */
	{ PCI_DEVICE(0x1b36, 0x0010), .driver_data = NVME_QUIRK_BOGUS_NID },
	{ PCI_DEVICE_CLASS(PCI_CLASS_STORAGE_EXPRESS, 0xffffff) },
	{ }
};
MODULE_DEVICE_TABLE(pci, nvmp_ids);

static struct pci_driver nvmp_driver = {
	.name		= "nvme",
	.id_table	= nvmp_ids,
	.probe		= nvmp_probe,
	.remove		= nvmp_remove,
	.shutdown	= nvmp_shutdown,
	.driver		= {
		.pm	= &nvmp_pm_ops,
	},
};

static int __init nvmp_init(void)
{
	BUILD_BUG_ON(offsetof(struct nvmp_iod, req) != 0);
	return pci_register_driver(&nvmp_driver);
}

static void __exit nvmp_exit(void)
{
	pci_unregister_driver(&nvmp_driver);
}

module_init(nvmp_init);
module_exit(nvmp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over PCIe host driver (out-of-tree)");
MODULE_VERSION("0.1");
