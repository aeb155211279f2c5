// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-rdma: the NVMe over RDMA transport of the target.
 *
 * One RDMA CM listener per enabled port; one RC queue pair per NVMe queue,
 * created when the host's connect request arrives and sized from the
 * queue size in its private data.  Receive buffers (a 64-byte SQE plus, on
 * I/O queues, pages for in-capsule data) come from the device's shared
 * receive queue of the queue's completion vector (use_srq, where the
 * device has SRQs, see target-buf.c) or else are the queue's own, one per
 * submission queue entry.  Every queue has a pool of response contexts.
 *
 * Data movement uses the rdma_rw API: for a write with a keyed SGL the
 * host's buffer is fetched with RDMA READ before the command executes; for
 * a read the data goes out with RDMA WRITE work requests chained in front
 * of the response SEND, so one doorbell covers both.  Send queue slots are
 * accounted in @sq_wr_avail; a request that does not fit waits on
 * @wait_list until completions return slots.
 *
 * Completions are processed in the CQ's workqueue (IB_POLL_WORKQUEUE), the
 * process context nvmet_req_init()/nvmet_req_execute() want.  The response
 * path (nvmet_rdma_queue_response) runs in any context and never sleeps.
 *
 * Teardown of a queue always goes through nvmet_rdma_queue_disconnect(),
 * which moves it to DISCONNECTING once and queues release_work:
 * rdma_disconnect (flushes the QP), nvmet_sq_destroy (waits for executing
 * commands), ib_drain_qp, then the QP, CM ID, CQ and buffers go.  Device
 * removal is handled by the ib_client remove callback, which runs before
 * the RDMA CM's own, so every queue on the device is gone before the CM
 * reports the removal to the listener (which then re-listens from a
 * delayed work until the address is usable again).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/inet.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <rdma/ib_cm.h>
#include <net/ipv6.h>

#include "target.h"

static struct workqueue_struct *nvmet_rdma_wq;

static LIST_HEAD(nvmet_rdma_queues);
static DEFINE_MUTEX(nvmet_rdma_queue_mutex);
static DEFINE_IDA(nvmet_rdma_queue_ida);

static const struct nvmet_fabrics_ops nvmet_rdma_ops;

static void nvmet_rdma_queue_disconnect(struct nvmet_rdma_queue *queue);
static void nvmet_rdma_process_wait_list(struct nvmet_rdma_queue *queue);

static bool nvmet_rdma_queue_dying(struct nvmet_rdma_queue *queue)
{
	return READ_ONCE(queue->state) == NVMET_RDMA_Q_DISCONNECTING;
}

/* The one error line of a queue, rate limited across queues. */
static void nvmet_rdma_queue_vlog(struct nvmet_rdma_queue *queue,
				  const char *fmt, va_list *args)
{
	struct va_format vaf = { .fmt = fmt, .va = args };

	if (!test_and_set_bit(NVMET_RDMA_Q_LOGGED, &queue->flags))
		pr_err_ratelimited("queue %d (qid %u, %pISpc): %pV; disconnecting\n",
				   queue->idx, queue->qid,
				   &queue->cm_id->route.addr.dst_addr, &vaf);
}

/*
 * The peer broke the protocol (or the link failed): print one line for the
 * queue and end it.
 */
static __printf(2, 3) void nvmet_rdma_queue_fail(struct nvmet_rdma_queue *queue,
						  const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	nvmet_rdma_queue_vlog(queue, fmt, &args);
	va_end(args);
	nvmet_rdma_queue_disconnect(queue);
}

/*
 * Like nvmet_rdma_queue_fail() for a bad command that still gets its
 * response: the queue ends once that response has been sent.
 */
static __printf(3, 4) void nvmet_rdma_fail_after_rsp(struct nvmet_rdma_rsp *rsp,
						      u16 status,
						      const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	nvmet_rdma_queue_vlog(rsp->queue, fmt, &args);
	va_end(args);
	rsp->end_queue = true;
	nvmet_req_complete(&rsp->req, status);
}

static void nvmet_rdma_port_free(struct kref *ref)
{
	kfree(container_of(ref, struct nvmet_rdma_port, ref));
}

static void nvmet_rdma_port_put(struct nvmet_rdma_port *port)
{
	kref_put(&port->ref, nvmet_rdma_port_free);
}

static int nvmet_rdma_post_recv(struct nvmet_rdma_queue *queue,
				struct nvmet_rdma_cmd *cmd)
{
	int ret;

	if (cmd->srq)
		return nvmet_rdma_srq_post(cmd);
	nvmet_rdma_sync_cmd(queue->dev->ibdev, cmd);
	ret = ib_post_recv(queue->qp, &cmd->wr, NULL);
	if (ret && !nvmet_rdma_queue_dying(queue))
		nvmet_rdma_queue_fail(queue, "posting a receive failed (%d)",
				      ret);
	return ret;
}

/* ---- send queue slots ---- */

/*
 * Take @need send queue slots, or queue @rsp to wait for them.  Requests
 * are served in order: nothing overtakes a waiter.
 */
static bool nvmet_rdma_get_credits(struct nvmet_rdma_rsp *rsp, int need,
				   u8 wait)
{
	struct nvmet_rdma_queue *queue = rsp->queue;
	unsigned long flags;
	bool ok = false;

	spin_lock_irqsave(&queue->wait_lock, flags);
	if (list_empty(&queue->wait_list)) {
		if (atomic_sub_return(need, &queue->sq_wr_avail) >= 0)
			ok = true;
		else
			atomic_add(need, &queue->sq_wr_avail);
	}
	if (!ok) {
		rsp->wait = wait;
		list_add_tail(&rsp->entry, &queue->wait_list);
	}
	spin_unlock_irqrestore(&queue->wait_lock, flags);
	return ok;
}

static void nvmet_rdma_put_credits(struct nvmet_rdma_queue *queue, int n)
{
	atomic_add(n, &queue->sq_wr_avail);
}

/* ---- data path ---- */

static void nvmet_rdma_post_response(struct nvmet_rdma_rsp *rsp)
{
	struct nvmet_rdma_queue *queue = rsp->queue;
	struct ib_send_wr *first = &rsp->send_wr;
	int ret;

	if (rsp->n_rdma && !rsp->write)
		first = rdma_rw_ctx_wrs(&rsp->rw, queue->qp, queue->port_num,
					NULL, &rsp->send_wr);
	ib_dma_sync_single_for_device(queue->dev->ibdev, rsp->cqe_dma,
				      sizeof(*rsp->cqe), DMA_TO_DEVICE);
	ret = ib_post_send(queue->qp, first, NULL);
	if (unlikely(ret)) {
		if (!nvmet_rdma_queue_dying(queue))
			nvmet_rdma_queue_fail(queue,
					      "posting a response failed (%d)",
					      ret);
		nvmet_rdma_put_credits(queue, rsp->credits);
		if (rsp->end_queue)
			nvmet_rdma_queue_disconnect(queue);
		nvmet_rdma_release_rsp(rsp);
	}
}

static void nvmet_rdma_queue_response(struct nvmet_req *req)
{
	struct nvmet_rdma_rsp *rsp = req->priv;
	struct nvmet_rdma_queue *queue = rsp->queue;
	bool failed = le16_to_cpu(rsp->cqe->status) >> 1;

	/* a failed read sends no data */
	if (rsp->n_rdma && !rsp->write && failed)
		rsp->n_rdma = 0;

	if (rsp->data.invalidate && queue->send_inv) {
		rsp->send_wr.opcode = IB_WR_SEND_WITH_INV;
		rsp->send_wr.ex.invalidate_rkey = rsp->data.key;
	} else {
		rsp->send_wr.opcode = IB_WR_SEND;
	}

	/*
	 * The receive buffer is free now: repost it before the host can see
	 * the response and send the next command.
	 */
	if (rsp->cmd) {
		nvmet_rdma_post_recv(queue, rsp->cmd);
		rsp->cmd = NULL;
	}

	rsp->credits = 1 + (rsp->write ? 0 : rsp->n_rdma);
	if (nvmet_rdma_get_credits(rsp, rsp->credits, NVMET_RDMA_WAIT_SEND))
		nvmet_rdma_post_response(rsp);
}

static void nvmet_rdma_post_read(struct nvmet_rdma_rsp *rsp)
{
	struct nvmet_rdma_queue *queue = rsp->queue;
	int ret;

	ret = rdma_rw_ctx_post(&rsp->rw, queue->qp, queue->port_num,
			       &rsp->read_cqe, NULL);
	if (unlikely(ret)) {
		nvmet_rdma_put_credits(queue, rsp->n_rdma);
		rsp->n_rdma = 0;
		if (!nvmet_rdma_queue_dying(queue))
			nvmet_rdma_queue_fail(queue,
					      "posting an RDMA READ failed (%d)",
					      ret);
		nvmet_req_complete(&rsp->req, NVME_SC_DATA_XFER_ERROR);
	}
}

/* A request the queue gives up on before it was executed. */
static void nvmet_rdma_drop_unexecuted(struct nvmet_rdma_rsp *rsp)
{
	nvmet_rdma_unmap_rsp(rsp);
	nvmet_req_uninit(&rsp->req);
	nvmet_rdma_put_rsp(rsp);
}

static void nvmet_rdma_process_wait_list(struct nvmet_rdma_queue *queue)
{
	struct nvmet_rdma_rsp *rsp;
	unsigned long flags;
	int need;

	spin_lock_irqsave(&queue->wait_lock, flags);
	while ((rsp = list_first_entry_or_null(&queue->wait_list,
					       struct nvmet_rdma_rsp, entry))) {
		bool dying = nvmet_rdma_queue_dying(queue);

		need = rsp->wait == NVMET_RDMA_WAIT_READ ? rsp->n_rdma :
			rsp->credits;
		if (!dying) {
			if (atomic_sub_return(need, &queue->sq_wr_avail) < 0) {
				atomic_add(need, &queue->sq_wr_avail);
				break;
			}
		}
		list_del(&rsp->entry);
		spin_unlock_irqrestore(&queue->wait_lock, flags);

		if (dying) {
			if (rsp->wait == NVMET_RDMA_WAIT_READ)
				nvmet_rdma_drop_unexecuted(rsp);
			else
				nvmet_rdma_release_rsp(rsp);
		} else if (rsp->wait == NVMET_RDMA_WAIT_READ) {
			nvmet_rdma_post_read(rsp);
		} else {
			nvmet_rdma_post_response(rsp);
		}
		spin_lock_irqsave(&queue->wait_lock, flags);
	}
	spin_unlock_irqrestore(&queue->wait_lock, flags);
}

void nvmet_rdma_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nvmet_rdma_rsp *rsp =
		container_of(wc->wr_cqe, struct nvmet_rdma_rsp, send_cqe);
	struct nvmet_rdma_queue *queue = cq->cq_context;
	bool end = rsp->end_queue;

	nvmet_rdma_put_credits(queue, rsp->credits);
	nvmet_rdma_release_rsp(rsp);
	if (unlikely(wc->status != IB_WC_SUCCESS &&
		     wc->status != IB_WC_WR_FLUSH_ERR))
		nvmet_rdma_queue_fail(queue, "sending a response failed: %s",
				      ib_wc_status_msg(wc->status));
	else if (unlikely(end))
		nvmet_rdma_queue_disconnect(queue);
	nvmet_rdma_process_wait_list(queue);
}

void nvmet_rdma_read_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nvmet_rdma_rsp *rsp =
		container_of(wc->wr_cqe, struct nvmet_rdma_rsp, read_cqe);
	struct nvmet_rdma_queue *queue = cq->cq_context;

	nvmet_rdma_put_credits(queue, rsp->n_rdma);
	rsp->n_rdma = 0;
	rdma_rw_ctx_destroy(&rsp->rw, queue->qp, queue->port_num,
			    rsp->req.sg, rsp->req.sg_cnt, DMA_FROM_DEVICE);
	rsp->rw_inited = false;

	if (unlikely(wc->status != IB_WC_SUCCESS)) {
		/* a bad key or address from the host ends up here */
		if (wc->status != IB_WC_WR_FLUSH_ERR)
			nvmet_rdma_queue_fail(queue,
					      "RDMA READ of %u bytes at %#llx key %#x failed: %s",
					      rsp->data.len, rsp->data.addr,
					      rsp->data.key,
					      ib_wc_status_msg(wc->status));
		nvmet_rdma_drop_unexecuted(rsp);
	} else {
		nvmet_req_execute(&rsp->req);
	}
	nvmet_rdma_process_wait_list(queue);
}

static u16 nvmet_rdma_map_inline(struct nvmet_rdma_rsp *rsp)
{
	struct nvmet_rdma_queue *queue = rsp->queue;
	struct nvmet_rdma_cmd *cmd = rsp->cmd;
	u32 off = rsp->data.offset, left = rsp->data.len;
	u32 pg = off / PAGE_SIZE, poff = off % PAGE_SIZE;
	u32 n = DIV_ROUND_UP(poff + left, PAGE_SIZE), i;

	/* nvme_rdma_dptr_parse() bounded offset + length by inline_size */
	if (WARN_ON_ONCE(pg + n > queue->inline_pages))
		return NVME_SC_INTERNAL;
	sg_init_table(cmd->sg, n);
	for (i = 0; i < n; i++) {
		u32 len = min_t(u32, left, PAGE_SIZE - poff);

		ib_dma_sync_single_for_cpu(queue->dev->ibdev,
					   cmd->sge[pg + i + 1].addr,
					   cmd->sge[pg + i + 1].length,
					   DMA_FROM_DEVICE);
		sg_set_page(&cmd->sg[i], cmd->pages[pg + i], len, poff);
		left -= len;
		poff = 0;
	}
	rsp->req.sg = cmd->sg;
	rsp->req.sg_cnt = n;
	return NVME_SC_SUCCESS;
}

static u16 nvmet_rdma_map_keyed(struct nvmet_rdma_rsp *rsp)
{
	struct nvmet_rdma_queue *queue = rsp->queue;
	struct nvmet_req *req = &rsp->req;
	int ret;

	ret = nvmet_req_alloc_sgl(req);
	if (ret)
		return NVME_SC_INTERNAL;
	rsp->own_sgl = true;
	ret = rdma_rw_ctx_init(&rsp->rw, queue->qp, queue->port_num,
			       req->sg, req->sg_cnt, 0, rsp->data.addr,
			       rsp->data.key,
			       rsp->write ? DMA_FROM_DEVICE : DMA_TO_DEVICE);
	if (ret < 0) {
		pr_err_ratelimited("queue %d: cannot map %u bytes for RDMA (%d)\n",
				   queue->idx, rsp->data.len, ret);
		return NVME_SC_INTERNAL;
	}
	rsp->n_rdma = ret;
	rsp->rw_inited = true;
	/* more WRs than the send queue holds would wait for ever */
	if (unlikely(1 + rsp->n_rdma > queue->sq_wr_total)) {
		pr_err_ratelimited("queue %d: %u bytes need %u send queue slots, the queue has %u\n",
				   queue->idx, rsp->data.len, 1 + rsp->n_rdma,
				   queue->sq_wr_total);
		rsp->n_rdma = 0;
		return NVME_SC_DATA_XFER_ERROR | NVME_STATUS_DNR;
	}
	return NVME_SC_SUCCESS;
}

static void nvmet_rdma_handle_command(struct nvmet_rdma_rsp *rsp)
{
	struct nvmet_rdma_queue *queue = rsp->queue;
	struct nvmet_rdma_cmd *cmd = rsp->cmd;
	struct nvmet_req *req = &rsp->req;
	u32 icd_len = cmd->byte_len - sizeof(struct nvme_sqe);
	u16 status;

	ib_dma_sync_single_for_cpu(queue->dev->ibdev, cmd->sge[0].addr,
				   sizeof(*cmd->sqe), DMA_FROM_DEVICE);
	req->cmd = cmd->sqe;
	req->cqe = rsp->cqe;
	req->port = queue->port->nport;
	if (!nvmet_req_init(req, &queue->ncq, &queue->nsq, &nvmet_rdma_ops))
		return;	/* the core has queued an error response */

	rsp->write = nvmet_req_is_write(req);
	status = nvme_rdma_dptr_parse(cmd->sqe, rsp->write, icd_len,
				      &queue->lim, &rsp->data);
	if (status) {
		nvmet_rdma_fail_after_rsp(rsp, status,
					  "bad data pointer (type %#x len %u, %u bytes in capsule): status %#x",
					  cmd->sqe->dptr.sgl.type,
					  le32_to_cpu(cmd->sqe->dptr.sgl.length),
					  icd_len, status);
		return;
	}
	if (rsp->data.kind != NVME_RDMA_DATA_NONE)
		req->transfer_len = rsp->data.len;

	switch (rsp->data.kind) {
	case NVME_RDMA_DATA_INLINE:
		status = nvmet_rdma_map_inline(rsp);
		break;
	case NVME_RDMA_DATA_KEYED:
		status = nvmet_rdma_map_keyed(rsp);
		break;
	default:
		status = NVME_SC_SUCCESS;
		break;
	}
	if (status) {
		nvmet_req_complete(req, status);
		return;
	}

	if (rsp->n_rdma && rsp->write) {
		if (nvmet_rdma_get_credits(rsp, rsp->n_rdma,
					   NVMET_RDMA_WAIT_READ))
			nvmet_rdma_post_read(rsp);
		return;
	}
	nvmet_req_execute(req);
}

void nvmet_rdma_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nvmet_rdma_cmd *cmd =
		container_of(wc->wr_cqe, struct nvmet_rdma_cmd, cqe);
	struct nvmet_rdma_queue *queue = cq->cq_context;
	struct nvmet_rdma_rsp *rsp;
	unsigned long flags;

	if (unlikely(wc->status != IB_WC_SUCCESS)) {
		if (wc->status != IB_WC_WR_FLUSH_ERR)
			nvmet_rdma_queue_fail(queue, "receive failed: %s",
					      ib_wc_status_msg(wc->status));
		goto recycle;
	}
	if (unlikely(wc->byte_len < sizeof(struct nvme_sqe))) {
		nvmet_rdma_queue_fail(queue,
				      "command capsule of %u bytes is shorter than an SQE",
				      wc->byte_len);
		goto recycle;
	}
	/*
	 * A queue's own buffer takes no more than this; a buffer of an SRQ
	 * may take more than the queue allows its host
	 */
	if (unlikely(wc->byte_len > sizeof(struct nvme_sqe) +
		     queue->lim.inline_size)) {
		nvmet_rdma_queue_fail(queue,
				      "command capsule of %u bytes is larger than the receive buffer",
				      wc->byte_len);
		goto recycle;
	}
	cmd->byte_len = wc->byte_len;

	rsp = nvmet_rdma_get_rsp(queue);
	if (IS_ERR(rsp)) {
		nvmet_rdma_queue_fail(queue, PTR_ERR(rsp) == -EBUSY ?
				      "the host sends commands but takes no responses" :
				      "out of memory for a command");
		goto recycle;
	}
	rsp->cmd = cmd;

	spin_lock_irqsave(&queue->state_lock, flags);
	switch (queue->state) {
	case NVMET_RDMA_Q_CONNECTING:
		/* the host was faster than the CM's ESTABLISHED event */
		list_add_tail(&rsp->entry, &queue->pending);
		spin_unlock_irqrestore(&queue->state_lock, flags);
		return;
	case NVMET_RDMA_Q_DISCONNECTING:
		spin_unlock_irqrestore(&queue->state_lock, flags);
		nvmet_rdma_put_rsp(rsp);
		return;
	}
	spin_unlock_irqrestore(&queue->state_lock, flags);
	nvmet_rdma_handle_command(rsp);
	return;

recycle:
	/* a queue's own buffers are freed with it; an SRQ's go back */
	if (cmd->srq)
		nvmet_rdma_srq_post(cmd);
}

/* ---- queue setup and teardown ---- */

static void nvmet_rdma_qp_event(struct ib_event *event, void *ctx)
{
	struct nvmet_rdma_queue *queue = ctx;

	switch (event->event) {
	case IB_EVENT_COMM_EST:
		/* data before the RTU: let the CM move to ESTABLISHED */
		rdma_notify(queue->cm_id, event->event);
		break;
	case IB_EVENT_QP_LAST_WQE_REACHED:
		break;
	default:
		pr_err_ratelimited("queue %d: QP event %s (%d)\n", queue->idx,
				   ib_event_msg(event->event), event->event);
		break;
	}
}

static int nvmet_rdma_create_ib_queue(struct nvmet_rdma_queue *queue)
{
	struct ib_device *ibdev = queue->dev->ibdev;
	struct ib_qp_init_attr qa = { };
	int nr_cqe, i, ret;

	nr_cqe = 2 * queue->sq_size + 2 +
		rdma_rw_max_send_wr(ibdev, queue->port_num, queue->sq_size, 0);
	nr_cqe = min(nr_cqe, ibdev->attrs.max_cqe);
	queue->cq = ib_alloc_cq(ibdev, queue, nr_cqe, queue->comp_vector,
				IB_POLL_WORKQUEUE);
	if (IS_ERR(queue->cq)) {
		ret = PTR_ERR(queue->cq);
		queue->cq = NULL;
		pr_err("queue %d: cannot allocate a CQ of %d entries (%d)\n",
		       queue->idx, nr_cqe, ret);
		return ret;
	}

	qa.qp_context = queue;
	qa.event_handler = nvmet_rdma_qp_event;
	qa.send_cq = queue->cq;
	qa.recv_cq = queue->cq;
	qa.sq_sig_type = IB_SIGNAL_REQ_WR;
	qa.qp_type = IB_QPT_RC;
	qa.port_num = queue->port_num;
	/* one response per command; rdma_rw adds room for its own WRs */
	qa.cap.max_send_wr = queue->sq_size;
	qa.cap.max_rdma_ctxs = queue->sq_size;
	/*
	 * As many SGEs per work request as the device takes: rdma_rw moves
	 * a data buffer of N pages with N / max_send_sge RDMA READs or
	 * WRITEs (one for 128 KiB on soft-RoCE, where 16 took two).
	 */
	qa.cap.max_send_sge = ibdev->attrs.max_send_sge;
	if (queue->srq) {
		qa.srq = queue->srq->srq;
	} else {
		qa.cap.max_recv_wr = queue->sq_size;
		qa.cap.max_recv_sge = 1 + queue->inline_pages;
	}
	ret = rdma_create_qp(queue->cm_id, queue->dev->pd, &qa);
	if (ret) {
		pr_err("queue %d: cannot create a QP (%d)\n", queue->idx, ret);
		return ret;
	}
	queue->qp = queue->cm_id->qp;
	queue->sq_wr_total = qa.cap.max_send_wr;
	atomic_set(&queue->sq_wr_avail, qa.cap.max_send_wr);
	if (queue->srq)
		return 0;

	for (i = 0; i < queue->sq_size; i++) {
		ret = nvmet_rdma_post_recv(queue, &queue->cmds[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Free what nvmet_rdma_alloc_queue() and its callers set up. */
static void nvmet_rdma_free_queue(struct nvmet_rdma_queue *queue,
				  bool destroy_id)
{
	if (destroy_id) {
		/* waits for its CM handler, which may still post to the QP */
		rdma_destroy_id(queue->cm_id);
		if (queue->qp)
			ib_destroy_qp(queue->qp);
	} else if (queue->qp) {
		rdma_destroy_qp(queue->cm_id);
	}
	if (queue->cq)
		ib_free_cq(queue->cq);
	nvmet_rdma_free_rsps(queue);
	nvmet_rdma_free_cmds(queue);
	nvmet_rdma_dev_put(queue->dev);
	nvmet_rdma_port_put(queue->port);
	ida_free(&nvmet_rdma_queue_ida, queue->idx);
	kfree(queue);
}

static void nvmet_rdma_drop_pending(struct nvmet_rdma_queue *queue)
{
	struct nvmet_rdma_rsp *rsp, *tmp;
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&queue->state_lock, flags);
	list_splice_init(&queue->pending, &list);
	spin_unlock_irqrestore(&queue->state_lock, flags);
	list_for_each_entry_safe(rsp, tmp, &list, entry) {
		list_del(&rsp->entry);
		nvmet_rdma_put_rsp(rsp);
	}
}

static void nvmet_rdma_release_queue_work(struct work_struct *w)
{
	struct nvmet_rdma_queue *queue =
		container_of(w, struct nvmet_rdma_queue, release_work);

	mutex_lock(&nvmet_rdma_queue_mutex);
	list_del_init(&queue->entry);
	mutex_unlock(&nvmet_rdma_queue_mutex);

	/* moves the QP to the error state: every posted WR gets flushed */
	rdma_disconnect(queue->cm_id);
	nvmet_rdma_drop_pending(queue);
	nvmet_rdma_process_wait_list(queue);
	if (queue->sq_inited)
		nvmet_sq_destroy(&queue->nsq);
	ib_drain_qp(queue->qp);
	nvmet_rdma_process_wait_list(queue);
	nvmet_rdma_free_queue(queue, true);
}

static void nvmet_rdma_queue_disconnect(struct nvmet_rdma_queue *queue)
{
	unsigned long flags;
	bool release = false;

	spin_lock_irqsave(&queue->state_lock, flags);
	if (queue->state != NVMET_RDMA_Q_DISCONNECTING) {
		WRITE_ONCE(queue->state, NVMET_RDMA_Q_DISCONNECTING);
		release = true;
	}
	spin_unlock_irqrestore(&queue->state_lock, flags);
	if (release)
		queue_work(nvmet_rdma_wq, &queue->release_work);
}

static void nvmet_rdma_queue_established(struct nvmet_rdma_queue *queue)
{
	struct nvmet_rdma_rsp *rsp, *tmp;
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&queue->state_lock, flags);
	if (queue->state != NVMET_RDMA_Q_CONNECTING) {
		spin_unlock_irqrestore(&queue->state_lock, flags);
		return;
	}
	WRITE_ONCE(queue->state, NVMET_RDMA_Q_LIVE);
	list_splice_init(&queue->pending, &list);
	spin_unlock_irqrestore(&queue->state_lock, flags);

	list_for_each_entry_safe(rsp, tmp, &list, entry) {
		list_del(&rsp->entry);
		/* the queue may break while these run: drop the rest */
		if (nvmet_rdma_queue_dying(queue))
			nvmet_rdma_put_rsp(rsp);
		else
			nvmet_rdma_handle_command(rsp);
	}
}

static void nvmet_rdma_reject(struct rdma_cm_id *cm_id, u16 sts)
{
	struct nvme_rdma_cm_reject rej;

	nvme_rdma_cm_rej_encode(&rej, sts);
	rdma_reject(cm_id, &rej, sizeof(rej), IB_CM_REJ_CONSUMER_DEFINED);
}

static struct nvmet_rdma_queue *
nvmet_rdma_alloc_queue(struct rdma_cm_id *cm_id, struct nvmet_rdma_port *port,
		       const struct nvme_rdma_conn_params *p, u16 *sts)
{
	struct nvmet_rdma_queue *queue;
	struct nvmet_rdma_dev *dev;
	int ret;

	*sts = NVME_RDMA_REJ_NO_RESOURCES;
	dev = nvmet_rdma_dev_get(cm_id->device, port->nport->inline_data_size);
	if (!dev)
		return NULL;
	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue) {
		nvmet_rdma_dev_put(dev);
		return NULL;
	}
	queue->idx = ida_alloc(&nvmet_rdma_queue_ida, GFP_KERNEL);
	if (queue->idx < 0) {
		kfree(queue);
		nvmet_rdma_dev_put(dev);
		return NULL;
	}
	queue->dev = dev;
	queue->cm_id = cm_id;
	kref_get(&port->ref);
	queue->port = port;
	queue->port_num = cm_id->port_num;
	queue->qid = p->qid;
	queue->sq_size = p->sq_size;
	queue->state = NVMET_RDMA_Q_CONNECTING;
	queue->send_inv = !!(dev->ibdev->attrs.device_cap_flags &
			     IB_DEVICE_MEM_MGT_EXTENSIONS);
	spin_lock_init(&queue->state_lock);
	spin_lock_init(&queue->rsp_lock);
	spin_lock_init(&queue->wait_lock);
	INIT_LIST_HEAD(&queue->pending);
	INIT_LIST_HEAD(&queue->free_rsps);
	INIT_LIST_HEAD(&queue->wait_list);
	INIT_LIST_HEAD(&queue->entry);
	INIT_WORK(&queue->release_work, nvmet_rdma_release_queue_work);
	queue->ctx.listener = false;

	/* in-capsule data on I/O queues only, as the host expects */
	queue->lim.max_xfer = NVMET_RDMA_MAX_XFER;
	if (queue->qid) {
		queue->lim.inline_size = port->nport->inline_data_size;
		queue->inline_pages = DIV_ROUND_UP(queue->lim.inline_size,
						   PAGE_SIZE);
	}
	queue->comp_vector = queue->qid % dev->ibdev->num_comp_vectors;
	queue->srq = nvmet_rdma_dev_srq(dev, queue->lim.inline_size,
					queue->comp_vector);
	if ((!queue->srq &&
	     1 + queue->inline_pages > dev->ibdev->attrs.max_recv_sge) ||
	    queue->sq_size > dev->ibdev->attrs.max_qp_wr) {
		pr_err_ratelimited("%s cannot take %u receives of %u SGEs\n",
				   dev_name(&dev->ibdev->dev), queue->sq_size,
				   1 + queue->inline_pages);
		goto err;
	}

	if ((!queue->srq && nvmet_rdma_alloc_cmds(queue)) ||
	    nvmet_rdma_alloc_rsps(queue))
		goto err;
	ret = nvmet_rdma_create_ib_queue(queue);
	if (ret)
		goto err;
	nvmet_cq_init(&queue->ncq);
	if (nvmet_sq_init(&queue->nsq))
		goto err;
	queue->sq_inited = true;
	return queue;
err:
	nvmet_rdma_free_queue(queue, false);
	return NULL;
}

/* RDMA_CM_EVENT_CONNECT_REQUEST on a listener; non-zero destroys @cm_id */
static int nvmet_rdma_queue_connect(struct rdma_cm_id *cm_id,
				    struct rdma_cm_event *event)
{
	struct nvmet_rdma_port *port =
		container_of(cm_id->context, struct nvmet_rdma_port, ctx);
	struct rdma_conn_param *req = &event->param.conn;
	struct rdma_conn_param param = { };
	struct nvme_rdma_conn_params p;
	struct nvme_rdma_cm_accept rep;
	struct nvmet_rdma_queue *queue;
	u16 sts;
	int ret;

	sts = nvme_rdma_cm_req_parse(req->private_data, req->private_data_len,
				     NVME_RDMA_AQ_DEPTH, NVMET_RDMA_MAX_QUEUE,
				     &p);
	if (sts) {
		pr_err_ratelimited("connect request from %pISpc refused: %s\n",
				   &cm_id->route.addr.dst_addr,
				   nvme_rdma_cm_status_str(sts));
		goto reject;
	}
	queue = nvmet_rdma_alloc_queue(cm_id, port, &p, &sts);
	if (!queue)
		goto reject;

	if (queue->dev->removing || atomic_read(&port->removing))
		goto free;

	cm_id->context = &queue->ctx;
	nvme_rdma_cm_rep_encode(&rep, queue->sq_size);
	param.private_data = &rep;
	param.private_data_len = sizeof(rep);
	param.rnr_retry_count = 7;
	param.flow_control = 1;
	param.initiator_depth = min_t(u8, req->initiator_depth,
				      queue->dev->ibdev->attrs.max_qp_init_rd_atom);
	param.responder_resources = min_t(u8, req->responder_resources,
					  queue->dev->ibdev->attrs.max_qp_rd_atom);
	ret = rdma_accept(cm_id, &param);
	if (ret) {
		/* nobody else knows the queue yet: it is ours to free */
		pr_err_ratelimited("accepting %pISpc failed (%d)\n",
				   &cm_id->route.addr.dst_addr, ret);
		goto free;
	}

	/*
	 * Listed only now, so that device or port removal never frees a
	 * queue whose accept failed.  One that broke meanwhile is already
	 * being released; one whose device or port started going away
	 * meanwhile goes with it.
	 */
	mutex_lock(&nvmet_rdma_queue_mutex);
	if (!nvmet_rdma_queue_dying(queue))
		list_add_tail(&queue->entry, &nvmet_rdma_queues);
	if (queue->dev->removing || atomic_read(&port->removing))
		nvmet_rdma_queue_disconnect(queue);
	mutex_unlock(&nvmet_rdma_queue_mutex);
	return 0;

free:
	cm_id->context = &port->ctx;
	if (queue->sq_inited)
		nvmet_sq_destroy(&queue->nsq);
	nvmet_rdma_free_queue(queue, false);
	sts = NVME_RDMA_REJ_NO_RESOURCES;
reject:
	nvmet_rdma_reject(cm_id, sts);
	return -ECONNREFUSED;
}

/* ---- listeners ---- */

static int nvmet_rdma_cm_handler(struct rdma_cm_id *cm_id,
				 struct rdma_cm_event *event);

static int nvmet_rdma_enable_port(struct nvmet_rdma_port *port)
{
	struct sockaddr *addr = (struct sockaddr *)&port->addr;
	struct rdma_cm_id *cm_id;
	int ret;

	cm_id = rdma_create_id(&init_net, nvmet_rdma_cm_handler, &port->ctx,
			       RDMA_PS_TCP, IB_QPT_RC);
	if (IS_ERR(cm_id))
		return PTR_ERR(cm_id);
	ret = rdma_set_reuseaddr(cm_id, 1);
	if (!ret && addr->sa_family == AF_INET6)
		ret = rdma_set_afonly(cm_id, 1);
	if (!ret)
		ret = rdma_bind_addr(cm_id, addr);
	if (!ret)
		ret = rdma_listen(cm_id, NVMET_RDMA_BACKLOG);
	if (ret) {
		rdma_destroy_id(cm_id);
		return ret;
	}
	mutex_lock(&port->cm_lock);
	port->cm_id = cm_id;
	mutex_unlock(&port->cm_lock);
	return 0;
}

static void nvmet_rdma_repair_port_work(struct work_struct *w)
{
	struct nvmet_rdma_port *port = container_of(to_delayed_work(w),
			struct nvmet_rdma_port, repair_work);
	int ret;

	if (atomic_read(&port->removing))
		return;
	ret = nvmet_rdma_enable_port(port);
	if (!ret) {
		pr_info("listening again on %pISpc\n", &port->addr);
		return;
	}
	if (!atomic_read(&port->removing))
		queue_delayed_work(nvmet_rdma_wq, &port->repair_work,
				   NVMET_RDMA_REPAIR_DELAY);
}

/*
 * The device under a listener went away; non-zero destroys @cm_id.  All
 * of it under cm_lock: remove_port takes that lock before it cancels the
 * repair work and drops the port, so it waits for this to be done.
 */
static int nvmet_rdma_listener_removed(struct nvmet_rdma_port *port,
				       struct rdma_cm_id *cm_id)
{
	mutex_lock(&port->cm_lock);
	if (port->cm_id != cm_id) {
		mutex_unlock(&port->cm_lock);
		return 0;	/* remove_port is destroying it */
	}
	port->cm_id = NULL;
	pr_info("RDMA device under %pISpc removed; will listen again when it returns\n",
		&port->addr);
	if (!atomic_read(&port->removing))
		queue_delayed_work(nvmet_rdma_wq, &port->repair_work,
				   NVMET_RDMA_REPAIR_DELAY);
	mutex_unlock(&port->cm_lock);
	return 1;
}

static int nvmet_rdma_cm_handler(struct rdma_cm_id *cm_id,
				 struct rdma_cm_event *event)
{
	struct nvmet_rdma_cm_ctx *ctx = cm_id->context;
	struct nvmet_rdma_queue *queue;

	if (event->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return nvmet_rdma_queue_connect(cm_id, event);
	if (ctx->listener) {
		if (event->event == RDMA_CM_EVENT_DEVICE_REMOVAL)
			return nvmet_rdma_listener_removed(container_of(ctx,
					struct nvmet_rdma_port, ctx), cm_id);
		return 0;
	}

	queue = container_of(ctx, struct nvmet_rdma_queue, ctx);
	switch (event->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		nvmet_rdma_queue_established(queue);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
	case RDMA_CM_EVENT_ADDR_CHANGE:
		nvmet_rdma_queue_disconnect(queue);
		break;
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		pr_debug("queue %d: %s (%d)\n", queue->idx,
			 rdma_event_msg(event->event), event->status);
		nvmet_rdma_queue_disconnect(queue);
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		/*
		 * Our ib_client remove callback ran first and has released
		 * every queue on the device; nothing is left to do here.
		 */
		break;
	default:
		pr_debug("queue %d: unexpected CM event %s (%d)\n", queue->idx,
			 rdma_event_msg(event->event), event->event);
		break;
	}
	return 0;
}

/* ---- transport ops ---- */

static int nvmet_rdma_add_port(struct nvmet_port *nport)
{
	struct nvmet_rdma_port *port;
	sa_family_t af;
	int ret;

	switch (nport->adrfam) {
	case NVMF_ADRFAM_IPV4:
		af = AF_INET;
		break;
	case NVMF_ADRFAM_IPV6:
		af = AF_INET6;
		break;
	default:
		pr_err("port %u: address family %u is not IPv4 or IPv6\n",
		       nport->portid, nport->adrfam);
		return -EINVAL;
	}

	if (nport->inline_data_size < 0) {
		nport->inline_data_size = NVMET_DEFAULT_INLINE;
	} else if (nport->inline_data_size >
		   NVMET_RDMA_MAX_INLINE_PAGES * PAGE_SIZE) {
		pr_warn("port %u: inline_data_size %d reduced to %lu\n",
			nport->portid, nport->inline_data_size,
			NVMET_RDMA_MAX_INLINE_PAGES * PAGE_SIZE);
		nport->inline_data_size = NVMET_RDMA_MAX_INLINE_PAGES *
					  PAGE_SIZE;
	}

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	port->ctx.listener = true;
	kref_init(&port->ref);
	port->nport = nport;
	mutex_init(&port->cm_lock);
	INIT_DELAYED_WORK(&port->repair_work, nvmet_rdma_repair_port_work);
	ret = inet_pton_with_scope(&init_net, af, nport->traddr,
				   nport->trsvcid, &port->addr);
	if (ret) {
		pr_err("port %u: malformed address %s:%s\n", nport->portid,
		       nport->traddr, nport->trsvcid);
		goto err;
	}
	ret = nvmet_rdma_enable_port(port);
	if (ret) {
		pr_err("port %u: cannot listen on %pISpc (%d)\n",
		       nport->portid, &port->addr, ret);
		goto err;
	}
	nport->priv = port;
	pr_info("enabling port %u (%pISpc)\n", nport->portid, &port->addr);
	return 0;
err:
	nvmet_rdma_port_put(port);
	return ret;
}

static void nvmet_rdma_destroy_listener(struct nvmet_rdma_port *port)
{
	struct rdma_cm_id *cm_id;

	mutex_lock(&port->cm_lock);
	cm_id = port->cm_id;
	port->cm_id = NULL;
	mutex_unlock(&port->cm_lock);
	/* not under cm_lock: this waits for the ID's handler */
	if (cm_id)
		rdma_destroy_id(cm_id);
}

static void nvmet_rdma_remove_port(struct nvmet_port *nport)
{
	struct nvmet_rdma_port *port = nport->priv;
	struct nvmet_rdma_queue *queue;

	atomic_set(&port->removing, 1);
	/* waits for a connect request handler in progress */
	nvmet_rdma_destroy_listener(port);
	cancel_delayed_work_sync(&port->repair_work);
	nvmet_rdma_destroy_listener(port);

	/* start the teardown of the port's queues; they hold @port */
	mutex_lock(&nvmet_rdma_queue_mutex);
	list_for_each_entry(queue, &nvmet_rdma_queues, entry)
		if (queue->port == port)
			nvmet_rdma_queue_disconnect(queue);
	mutex_unlock(&nvmet_rdma_queue_mutex);

	nport->priv = NULL;
	nvmet_rdma_port_put(port);
}

static void nvmet_rdma_delete_ctrl(struct nvmet_ctrl *ctrl)
{
	struct nvmet_rdma_queue *queue;

	mutex_lock(&nvmet_rdma_queue_mutex);
	list_for_each_entry(queue, &nvmet_rdma_queues, entry)
		if (queue->nsq.ctrl == ctrl)
			nvmet_rdma_queue_disconnect(queue);
	mutex_unlock(&nvmet_rdma_queue_mutex);
}

/* The Connect command must name the queue the CM connection was made for. */
static u16 nvmet_rdma_install_queue(struct nvmet_sq *sq)
{
	struct nvmet_rdma_queue *queue =
		container_of(sq, struct nvmet_rdma_queue, nsq);

	if (sq->qid != queue->qid || sq->size > queue->sq_size) {
		nvmet_rdma_queue_fail(queue,
				      "Connect for qid %u size %u on a connection for qid %u size %u",
				      sq->qid, sq->size, queue->qid,
				      queue->sq_size);
		return NVME_SC_CONNECT_INVALID_PARAM;
	}
	return NVME_SC_SUCCESS;
}

static void nvmet_rdma_disc_traddr(struct nvmet_req *req,
				   struct nvmet_port *nport, char *traddr)
{
	struct nvmet_rdma_rsp *rsp = req->priv;
	struct nvmet_rdma_port *port = nport->priv;
	struct sockaddr *sa;
	bool any = false;

	if (!port) {
		strscpy(traddr, nport->traddr, NVMF_TRADDR_LEN);
		return;
	}
	sa = (struct sockaddr *)&port->addr;
	if (sa->sa_family == AF_INET)
		any = ((struct sockaddr_in *)sa)->sin_addr.s_addr ==
			htonl(INADDR_ANY);
	else if (sa->sa_family == AF_INET6)
		any = ipv6_addr_any(&((struct sockaddr_in6 *)sa)->sin6_addr);

	/* the request may have come through another transport's port */
	if (any && req->ops == &nvmet_rdma_ops)
		snprintf(traddr, NVMF_TRADDR_LEN, "%pISc",
			 &rsp->queue->cm_id->route.addr.src_addr);
	else
		strscpy(traddr, nport->traddr, NVMF_TRADDR_LEN);
}

static u8 nvmet_rdma_get_mdts(const struct nvmet_ctrl *ctrl)
{
	return NVMET_RDMA_MDTS;
}

static const struct nvmet_fabrics_ops nvmet_rdma_ops = {
	.owner		= THIS_MODULE,
	.type		= NVMF_TRTYPE_RDMA,
	.flags		= NVMET_OPS_KEYED_SGLS | NVMET_OPS_INLINE_DATA,
	.msdbd		= 1,
	.add_port	= nvmet_rdma_add_port,
	.remove_port	= nvmet_rdma_remove_port,
	.queue_response	= nvmet_rdma_queue_response,
	.delete_ctrl	= nvmet_rdma_delete_ctrl,
	.install_queue	= nvmet_rdma_install_queue,
	.disc_traddr	= nvmet_rdma_disc_traddr,
	.get_mdts	= nvmet_rdma_get_mdts,
};

/* ---- device removal ---- */

static int nvmet_rdma_add_one(struct ib_device *ibdev)
{
	return 0;
}

static void nvmet_rdma_remove_one(struct ib_device *ibdev, void *client_data)
{
	struct nvmet_rdma_queue *queue;
	struct nvmet_rdma_dev *dev;
	bool found = false;

	mutex_lock(&nvmet_rdma_dev_mutex);
	list_for_each_entry(dev, &nvmet_rdma_devs, entry) {
		if (dev->ibdev == ibdev) {
			found = true;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&nvmet_rdma_dev_mutex);
		return;
	}
	mutex_lock(&nvmet_rdma_queue_mutex);
	dev->removing = true;
	list_for_each_entry(queue, &nvmet_rdma_queues, entry)
		if (queue->dev->ibdev == ibdev)
			nvmet_rdma_queue_disconnect(queue);
	mutex_unlock(&nvmet_rdma_queue_mutex);
	mutex_unlock(&nvmet_rdma_dev_mutex);

	pr_info("%s removed: releasing its queues\n", dev_name(&ibdev->dev));
	flush_workqueue(nvmet_rdma_wq);
}

static struct ib_client nvmet_rdma_ib_client = {
	.name	= "nvmet_rdma",
	.add	= nvmet_rdma_add_one,
	.remove	= nvmet_rdma_remove_one,
};

static int __init nvmet_rdma_init(void)
{
	int ret;

	nvmet_rdma_wq = alloc_workqueue("nvmet-rdma-wq", WQ_MEM_RECLAIM, 0);
	if (!nvmet_rdma_wq)
		return -ENOMEM;
	ret = ib_register_client(&nvmet_rdma_ib_client);
	if (ret)
		goto err_wq;
	ret = nvmet_register_transport(&nvmet_rdma_ops);
	if (ret)
		goto err_client;
	return 0;
err_client:
	ib_unregister_client(&nvmet_rdma_ib_client);
err_wq:
	destroy_workqueue(nvmet_rdma_wq);
	return ret;
}

static void __exit nvmet_rdma_exit(void)
{
	struct nvmet_rdma_queue *queue;

	nvmet_unregister_transport(&nvmet_rdma_ops);
	mutex_lock(&nvmet_rdma_queue_mutex);
	list_for_each_entry(queue, &nvmet_rdma_queues, entry)
		nvmet_rdma_queue_disconnect(queue);
	mutex_unlock(&nvmet_rdma_queue_mutex);
	flush_workqueue(nvmet_rdma_wq);
	ib_unregister_client(&nvmet_rdma_ib_client);
	destroy_workqueue(nvmet_rdma_wq);
	ida_destroy(&nvmet_rdma_queue_ida);
}

module_init(nvmet_rdma_init);
module_exit(nvmet_rdma_exit);

MODULE_DESCRIPTION("NVMe over Fabrics target: RDMA transport");
MODULE_LICENSE("GPL");
MODULE_ALIAS("nvmet-transport-1");	/* NVMF_TRTYPE_RDMA */
