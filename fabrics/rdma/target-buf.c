// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-rdma: per-device state (one protection domain per RDMA device,
 * shared by its queues, and with use_srq the device's shared receive
 * queues), and the receive buffers and response contexts with their DMA
 * mappings.
 *
 * A receive buffer belongs either to one queue (freed with it) or to an
 * SRQ (freed with the SRQ, when the device state goes after its last
 * queue).  A buffer of an SRQ that a queue received a command in goes back
 * to the SRQ when the command's response is sent or, if the queue gives
 * the command up, when its response context returns to the pool.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "target.h"

static bool use_srq;
module_param(use_srq, bool, 0444);
MODULE_PARM_DESC(use_srq, "Share receive buffers between the queues of a completion vector (SRQ) where the device supports it (default: false)");

/* every device with queues on it, and the mutex protecting the list */
LIST_HEAD(nvmet_rdma_devs);
DEFINE_MUTEX(nvmet_rdma_dev_mutex);	/* nvmet_rdma_devs, dev->removing */

static void nvmet_rdma_free_cmd(struct ib_device *ibdev,
				struct nvmet_rdma_cmd *cmd, int inline_pages);
static int nvmet_rdma_init_cmd(struct ib_device *ibdev, u32 lkey,
			       struct nvmet_rdma_cmd *cmd, u32 inline_size);

/* ---- shared receive queues ---- */

void nvmet_rdma_sync_cmd(struct ib_device *ibdev, struct nvmet_rdma_cmd *cmd)
{
	int i;

	for (i = 0; i < cmd->wr.num_sge; i++)
		ib_dma_sync_single_for_device(ibdev, cmd->sge[i].addr,
					      cmd->sge[i].length,
					      DMA_FROM_DEVICE);
}

/* Give @cmd (no command uses it any more) back to its SRQ. */
int nvmet_rdma_srq_post(struct nvmet_rdma_cmd *cmd)
{
	struct nvmet_rdma_srq *srq = cmd->srq;
	int ret;

	nvmet_rdma_sync_cmd(srq->ibdev, cmd);
	ret = ib_post_srq_recv(srq->srq, &cmd->wr, NULL);
	if (ret)
		pr_err_ratelimited("%s: posting a shared receive failed (%d)\n",
				   dev_name(&srq->ibdev->dev), ret);
	return ret;
}

/* Destroy the SRQ (dropping what is posted), then free its buffers. */
static void nvmet_rdma_srq_free(struct nvmet_rdma_srq *srq)
{
	u32 i;

	if (srq->srq)
		ib_destroy_srq(srq->srq);
	srq->srq = NULL;
	if (!srq->cmds)
		return;
	for (i = 0; i < srq->size; i++)
		nvmet_rdma_free_cmd(srq->ibdev, &srq->cmds[i],
				    srq->inline_pages);
	kfree(srq->cmds);
	srq->cmds = NULL;
}

static int nvmet_rdma_srq_init(struct nvmet_rdma_dev *dev,
			       struct nvmet_rdma_srq *srq, u32 size)
{
	struct ib_srq_init_attr sa = { };
	u32 i;
	int ret;

	srq->ibdev = dev->ibdev;
	srq->inline_pages = DIV_ROUND_UP(dev->srq_inline, PAGE_SIZE);
	sa.srq_type = IB_SRQT_BASIC;
	sa.attr.max_wr = size;
	sa.attr.max_sge = 1 + srq->inline_pages;
	srq->srq = ib_create_srq(dev->pd, &sa);
	if (IS_ERR(srq->srq)) {
		ret = PTR_ERR(srq->srq);
		srq->srq = NULL;
		return ret;
	}
	srq->cmds = kcalloc(size, sizeof(*srq->cmds), GFP_KERNEL);
	if (!srq->cmds)
		return -ENOMEM;
	srq->size = size;
	for (i = 0; i < size; i++) {
		ret = nvmet_rdma_init_cmd(dev->ibdev, dev->pd->local_dma_lkey,
					  &srq->cmds[i], dev->srq_inline);
		if (ret)
			return ret;
		srq->cmds[i].srq = srq;
	}
	for (i = 0; i < size; i++) {
		ret = nvmet_rdma_srq_post(&srq->cmds[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void nvmet_rdma_dev_free_srqs(struct nvmet_rdma_dev *dev)
{
	int i;

	if (!dev->srqs)
		return;
	for (i = 0; i < dev->nr_srqs; i++)
		nvmet_rdma_srq_free(&dev->srqs[i]);
	kfree(dev->srqs);
	dev->srqs = NULL;
	dev->nr_srqs = 0;
}

/*
 * One SRQ per completion vector when use_srq is set and the device has
 * SRQs; if they cannot all be created the queues fall back to receive
 * buffers of their own.
 */
static void nvmet_rdma_dev_init_srqs(struct nvmet_rdma_dev *dev,
				     u32 inline_size)
{
	const struct ib_device_attr *a = &dev->ibdev->attrs;
	u32 pages = DIV_ROUND_UP(inline_size, PAGE_SIZE);
	u32 size = min_t(u32, NVMET_RDMA_SRQ_SIZE, a->max_srq_wr);
	int n = min(max(dev->ibdev->num_comp_vectors, 1), a->max_srq);
	int i, ret = -EOPNOTSUPP;

	if (!use_srq || n <= 0 || !size || 1 + pages > a->max_srq_sge)
		goto fallback;
	dev->srq_inline = inline_size;
	dev->srqs = kcalloc(n, sizeof(*dev->srqs), GFP_KERNEL);
	if (!dev->srqs) {
		ret = -ENOMEM;
		goto fallback;
	}
	dev->nr_srqs = n;
	for (i = 0; i < n; i++) {
		ret = nvmet_rdma_srq_init(dev, &dev->srqs[i], size);
		if (ret)
			goto fallback;
	}
	pr_info("%s: %d shared receive queues of %u buffers (%u bytes in capsule)\n",
		dev_name(&dev->ibdev->dev), n, size, inline_size);
	return;
fallback:
	nvmet_rdma_dev_free_srqs(dev);
	if (use_srq)
		pr_info("%s: no shared receive queue (%d): receive buffers per queue\n",
			dev_name(&dev->ibdev->dev), ret);
}

/*
 * The SRQ a new queue on completion vector @comp_vector uses, or NULL when
 * it needs buffers of its own (no SRQs, or they take less in-capsule data
 * than the queue's @inline_size).
 */
struct nvmet_rdma_srq *nvmet_rdma_dev_srq(struct nvmet_rdma_dev *dev,
					  u32 inline_size, int comp_vector)
{
	if (!dev->nr_srqs || inline_size > dev->srq_inline)
		return NULL;
	return &dev->srqs[comp_vector % dev->nr_srqs];
}

/* ---- devices ---- */

/*
 * kref_put_mutex() calls this with nvmet_rdma_dev_mutex held.  The last
 * queue is gone, so no QP uses the SRQs any more.
 */
static void nvmet_rdma_dev_free(struct kref *ref)
{
	struct nvmet_rdma_dev *dev = container_of(ref, struct nvmet_rdma_dev, ref);

	list_del(&dev->entry);
	mutex_unlock(&nvmet_rdma_dev_mutex);
	nvmet_rdma_dev_free_srqs(dev);
	ib_dealloc_pd(dev->pd);
	kfree(dev);
}

void nvmet_rdma_dev_put(struct nvmet_rdma_dev *dev)
{
	kref_put_mutex(&dev->ref, nvmet_rdma_dev_free, &nvmet_rdma_dev_mutex);
}

/*
 * The device state of @ibdev with a reference for a new queue, created (its
 * SRQs taking @inline_size bytes of in-capsule data) if it does not exist.
 */
struct nvmet_rdma_dev *nvmet_rdma_dev_get(struct ib_device *ibdev,
					  u32 inline_size)
{
	struct nvmet_rdma_dev *dev;

	mutex_lock(&nvmet_rdma_dev_mutex);
	list_for_each_entry(dev, &nvmet_rdma_devs, entry) {
		if (dev->ibdev == ibdev) {
			if (dev->removing || !kref_get_unless_zero(&dev->ref))
				dev = NULL;
			goto out;
		}
	}
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		goto out;
	dev->pd = ib_alloc_pd(ibdev, 0);
	if (IS_ERR(dev->pd)) {
		pr_err("%s: cannot allocate a protection domain: %ld\n",
		       dev_name(&ibdev->dev), PTR_ERR(dev->pd));
		kfree(dev);
		dev = NULL;
		goto out;
	}
	dev->ibdev = ibdev;
	nvmet_rdma_dev_init_srqs(dev, inline_size);
	kref_init(&dev->ref);
	list_add(&dev->entry, &nvmet_rdma_devs);
out:
	mutex_unlock(&nvmet_rdma_dev_mutex);
	return dev;
}

/* ---- receive buffers and response contexts ---- */

static void nvmet_rdma_free_cmd(struct ib_device *ibdev,
				struct nvmet_rdma_cmd *cmd, int inline_pages)
{
	int i;

	for (i = 0; i < inline_pages; i++) {
		if (!cmd->pages[i])
			break;
		if (cmd->sge[i + 1].addr)
			ib_dma_unmap_page(ibdev, cmd->sge[i + 1].addr,
					  cmd->sge[i + 1].length,
					  DMA_FROM_DEVICE);
		__free_page(cmd->pages[i]);
	}
	if (cmd->sqe) {
		if (cmd->sge[0].addr)
			ib_dma_unmap_single(ibdev, cmd->sge[0].addr,
					    sizeof(*cmd->sqe), DMA_FROM_DEVICE);
		kfree(cmd->sqe);
	}
}

/* A receive buffer for an SQE and @inline_size bytes of in-capsule data */
static int nvmet_rdma_init_cmd(struct ib_device *ibdev, u32 lkey,
			       struct nvmet_rdma_cmd *cmd, u32 inline_size)
{
	int i, inline_pages = DIV_ROUND_UP(inline_size, PAGE_SIZE);
	u32 left = inline_size;
	u64 addr;

	cmd->sqe = kmalloc(sizeof(*cmd->sqe), GFP_KERNEL);
	if (!cmd->sqe)
		return -ENOMEM;
	addr = ib_dma_map_single(ibdev, cmd->sqe, sizeof(*cmd->sqe),
				 DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ibdev, addr))
		return -EIO;
	cmd->sge[0].addr = addr;
	cmd->sge[0].length = sizeof(*cmd->sqe);
	cmd->sge[0].lkey = lkey;

	for (i = 0; i < inline_pages; i++) {
		u32 len = min_t(u32, left, PAGE_SIZE);

		cmd->pages[i] = alloc_page(GFP_KERNEL);
		if (!cmd->pages[i])
			return -ENOMEM;
		addr = ib_dma_map_page(ibdev, cmd->pages[i], 0, len,
				       DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(ibdev, addr))
			return -EIO;
		cmd->sge[i + 1].addr = addr;
		cmd->sge[i + 1].length = len;
		cmd->sge[i + 1].lkey = lkey;
		left -= len;
	}
	cmd->cqe.done = nvmet_rdma_recv_done;
	cmd->wr.wr_cqe = &cmd->cqe;
	cmd->wr.sg_list = cmd->sge;
	cmd->wr.num_sge = 1 + inline_pages;
	return 0;
}

void nvmet_rdma_free_cmds(struct nvmet_rdma_queue *queue)
{
	int i;

	if (!queue->cmds)
		return;
	for (i = 0; i < queue->sq_size; i++)
		nvmet_rdma_free_cmd(queue->dev->ibdev, &queue->cmds[i],
				    queue->inline_pages);
	kfree(queue->cmds);
	queue->cmds = NULL;
}

int nvmet_rdma_alloc_cmds(struct nvmet_rdma_queue *queue)
{
	int i, ret;

	queue->cmds = kcalloc(queue->sq_size, sizeof(*queue->cmds), GFP_KERNEL);
	if (!queue->cmds)
		return -ENOMEM;
	for (i = 0; i < queue->sq_size; i++) {
		ret = nvmet_rdma_init_cmd(queue->dev->ibdev,
					  queue->dev->pd->local_dma_lkey,
					  &queue->cmds[i], queue->lim.inline_size);
		if (ret)
			return ret;
	}
	return 0;
}

static void nvmet_rdma_free_rsp(struct nvmet_rdma_queue *queue,
				struct nvmet_rdma_rsp *rsp)
{
	if (!rsp->cqe)
		return;
	if (rsp->cqe_dma)
		ib_dma_unmap_single(queue->dev->ibdev, rsp->cqe_dma,
				    sizeof(*rsp->cqe), DMA_TO_DEVICE);
	kfree(rsp->cqe);
	rsp->cqe = NULL;
}

static int nvmet_rdma_init_rsp(struct nvmet_rdma_queue *queue,
			       struct nvmet_rdma_rsp *rsp, gfp_t gfp)
{
	struct ib_device *ibdev = queue->dev->ibdev;

	rsp->queue = queue;
	rsp->cqe = kzalloc(sizeof(*rsp->cqe), gfp);
	if (!rsp->cqe)
		return -ENOMEM;
	rsp->cqe_dma = ib_dma_map_single(ibdev, rsp->cqe, sizeof(*rsp->cqe),
					 DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, rsp->cqe_dma)) {
		rsp->cqe_dma = 0;
		return -EIO;
	}
	rsp->send_sge.addr = rsp->cqe_dma;
	rsp->send_sge.length = sizeof(*rsp->cqe);
	rsp->send_sge.lkey = queue->dev->pd->local_dma_lkey;
	rsp->send_cqe.done = nvmet_rdma_send_done;
	rsp->read_cqe.done = nvmet_rdma_read_done;
	rsp->send_wr.wr_cqe = &rsp->send_cqe;
	rsp->send_wr.sg_list = &rsp->send_sge;
	rsp->send_wr.num_sge = 1;
	rsp->send_wr.send_flags = IB_SEND_SIGNALED;
	rsp->req.priv = rsp;
	return 0;
}

void nvmet_rdma_free_rsps(struct nvmet_rdma_queue *queue)
{
	u32 i;

	if (!queue->rsps)
		return;
	for (i = 0; i < queue->nr_rsps; i++)
		nvmet_rdma_free_rsp(queue, &queue->rsps[i]);
	kfree(queue->rsps);
	queue->rsps = NULL;
}

int nvmet_rdma_alloc_rsps(struct nvmet_rdma_queue *queue)
{
	u32 i;
	int ret;

	/*
	 * A command's receive buffer is reposted before its response goes
	 * out, so the host may send the next command before the previous
	 * response's send completion has returned its context: keep twice
	 * the queue size, and allocate beyond that if ever needed.
	 */
	queue->nr_rsps = 2 * queue->sq_size;
	queue->rsps = kcalloc(queue->nr_rsps, sizeof(*queue->rsps), GFP_KERNEL);
	if (!queue->rsps)
		return -ENOMEM;
	for (i = 0; i < queue->nr_rsps; i++) {
		ret = nvmet_rdma_init_rsp(queue, &queue->rsps[i], GFP_KERNEL);
		if (ret)
			return ret;
		list_add_tail(&queue->rsps[i].entry, &queue->free_rsps);
	}
	return 0;
}

/*
 * A response context from the pool, else a new one.  ERR_PTR(-EBUSY) once
 * the queue holds twice its pool (the host is not taking its responses),
 * ERR_PTR(-ENOMEM) when allocating fails.
 */
struct nvmet_rdma_rsp *nvmet_rdma_get_rsp(struct nvmet_rdma_queue *queue)
{
	struct nvmet_rdma_rsp *rsp;
	unsigned long flags;

	spin_lock_irqsave(&queue->rsp_lock, flags);
	rsp = list_first_entry_or_null(&queue->free_rsps, struct nvmet_rdma_rsp,
				       entry);
	if (rsp)
		list_del(&rsp->entry);
	spin_unlock_irqrestore(&queue->rsp_lock, flags);

	if (!rsp) {
		if (atomic_inc_return(&queue->nr_dynamic) > queue->nr_rsps) {
			atomic_dec(&queue->nr_dynamic);
			return ERR_PTR(-EBUSY);
		}
		rsp = kzalloc(sizeof(*rsp), GFP_KERNEL);
		if (!rsp || nvmet_rdma_init_rsp(queue, rsp, GFP_KERNEL)) {
			if (rsp)
				nvmet_rdma_free_rsp(queue, rsp);
			kfree(rsp);
			atomic_dec(&queue->nr_dynamic);
			return ERR_PTR(-ENOMEM);
		}
		rsp->dynamic = true;
	}
	rsp->cmd = NULL;
	rsp->n_rdma = 0;
	rsp->credits = 0;
	rsp->write = false;
	rsp->end_queue = false;
	rsp->rw_inited = false;
	rsp->own_sgl = false;
	memset(&rsp->data, 0, sizeof(rsp->data));
	return rsp;
}

void nvmet_rdma_put_rsp(struct nvmet_rdma_rsp *rsp)
{
	struct nvmet_rdma_queue *queue = rsp->queue;
	unsigned long flags;

	/*
	 * A command given up before its response was sent still holds its
	 * buffer: one of the SRQ's goes back to it (a queue's own buffers are
	 * freed with the queue).
	 */
	if (rsp->cmd && rsp->cmd->srq)
		nvmet_rdma_srq_post(rsp->cmd);
	rsp->cmd = NULL;

	if (rsp->dynamic) {
		nvmet_rdma_free_rsp(queue, rsp);
		kfree(rsp);
		atomic_dec(&queue->nr_dynamic);
		return;
	}
	spin_lock_irqsave(&queue->rsp_lock, flags);
	list_add(&rsp->entry, &queue->free_rsps);
	spin_unlock_irqrestore(&queue->rsp_lock, flags);
}

/* Undo the data mapping of a request. */
void nvmet_rdma_unmap_rsp(struct nvmet_rdma_rsp *rsp)
{
	struct nvmet_rdma_queue *queue = rsp->queue;

	if (rsp->rw_inited) {
		rdma_rw_ctx_destroy(&rsp->rw, queue->qp, queue->port_num,
				    rsp->req.sg, rsp->req.sg_cnt,
				    rsp->write ? DMA_FROM_DEVICE :
						 DMA_TO_DEVICE);
		rsp->rw_inited = false;
	}
	if (rsp->own_sgl) {
		nvmet_req_free_sgl(&rsp->req);
		rsp->own_sgl = false;
	}
}

/* Undo the data mapping of a request and recycle its context. */
void nvmet_rdma_release_rsp(struct nvmet_rdma_rsp *rsp)
{
	nvmet_rdma_unmap_rsp(rsp);
	nvmet_rdma_put_rsp(rsp);
}
