// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-rdma: per-device state (one protection domain per RDMA device,
 * shared by its queues), and each queue's receive buffers and response
 * contexts with their DMA mappings.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "target.h"

/* every device with queues on it, and the mutex protecting the list */
LIST_HEAD(nvmet_rdma_devs);
DEFINE_MUTEX(nvmet_rdma_dev_mutex);	/* nvmet_rdma_devs, dev->removing */

/* ---- devices ---- */

/* kref_put_mutex() calls this with nvmet_rdma_dev_mutex held */
static void nvmet_rdma_dev_free(struct kref *ref)
{
	struct nvmet_rdma_dev *dev = container_of(ref, struct nvmet_rdma_dev, ref);

	list_del(&dev->entry);
	mutex_unlock(&nvmet_rdma_dev_mutex);
	ib_dealloc_pd(dev->pd);
	kfree(dev);
}

void nvmet_rdma_dev_put(struct nvmet_rdma_dev *dev)
{
	kref_put_mutex(&dev->ref, nvmet_rdma_dev_free, &nvmet_rdma_dev_mutex);
}

struct nvmet_rdma_dev *nvmet_rdma_dev_get(struct ib_device *ibdev)
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
	kref_init(&dev->ref);
	list_add(&dev->entry, &nvmet_rdma_devs);
out:
	mutex_unlock(&nvmet_rdma_dev_mutex);
	return dev;
}

/* ---- receive buffers and response contexts ---- */

static void nvmet_rdma_free_cmd(struct nvmet_rdma_queue *queue,
				struct nvmet_rdma_cmd *cmd)
{
	struct ib_device *ibdev = queue->dev->ibdev;
	int i;

	for (i = 0; i < queue->inline_pages; i++) {
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

static int nvmet_rdma_init_cmd(struct nvmet_rdma_queue *queue,
			       struct nvmet_rdma_cmd *cmd)
{
	struct ib_device *ibdev = queue->dev->ibdev;
	u32 lkey = queue->dev->pd->local_dma_lkey;
	u32 left = queue->lim.inline_size;
	u64 addr;
	int i;

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

	for (i = 0; i < queue->inline_pages; i++) {
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
	cmd->wr.num_sge = 1 + queue->inline_pages;
	return 0;
}

void nvmet_rdma_free_cmds(struct nvmet_rdma_queue *queue)
{
	int i;

	if (!queue->cmds)
		return;
	for (i = 0; i < queue->sq_size; i++)
		nvmet_rdma_free_cmd(queue, &queue->cmds[i]);
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
		ret = nvmet_rdma_init_cmd(queue, &queue->cmds[i]);
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
		rsp = kzalloc(sizeof(*rsp), GFP_KERNEL);
		if (!rsp)
			return NULL;
		if (nvmet_rdma_init_rsp(queue, rsp, GFP_KERNEL)) {
			nvmet_rdma_free_rsp(queue, rsp);
			kfree(rsp);
			return NULL;
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

	if (rsp->dynamic) {
		nvmet_rdma_free_rsp(queue, rsp);
		kfree(rsp);
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
