// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-rdma: the NVMe over RDMA host transport.
 *
 * One RDMA CM connection (RC queue pair) per NVMe queue.  A queue comes up
 * in alloc_queue(): address and route resolution, then a protection domain,
 * a CQ, the QP, a pool of fast-registration MRs and one receive buffer per
 * queue entry for responses, then the CM connect carrying the queue size in
 * its private data.  Everything about the controller's life (Connect,
 * keep-alive, error recovery and reconnect) is the fabrics core's shared
 * machine (fabrics/fabrics.h); this file only brings queues up and down.
 *
 * A command goes out as one SEND of the 64-byte SQE.  Its data is either
 * carried in the capsule (writes on I/O queues that fit the controller's
 * in-capsule size, sent from the request's pages as extra SGEs) or
 * registered with a fast-reg MR chained in front of the SEND and described
 * by a keyed SGL asking for remote invalidation.  A request completes when
 * both its SEND completion and its response arrived (and, if the target did
 * not invalidate the MR, a local invalidation finished): @ref counts that.
 *
 * Every response is checked: its length, its command identifier (tag plus
 * a generation count) and the key the target invalidated.  A bad one ends
 * the queue through nvmf_error_recovery() with one rate-limited line.
 *
 * Poll queues (nr_poll_queues, the HCTX_TYPE_POLL map) have a CQ that
 * raises no interrupt (IB_POLL_DIRECT): it is only reaped by the blk-mq
 * ->poll op, by blk_execute_rq() polling for their Connect, and by
 * ib_drain_qp() when the queue stops.  @poll_lock keeps those apart.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/inet.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <rdma/ib_verbs.h>
#include <rdma/mr_pool.h>
#include <rdma/rdma_cm.h>

#include "../fabrics.h"
#include "wire.h"

#define NRDMA_CM_TIMEOUT_MS	3000
#define NRDMA_MAX_PAGES		128	/* pages one request's MR maps */
#define NRDMA_INLINE_SGE	4	/* data segments sent in a capsule */
#define NRDMA_FIRST_SG		2	/* scatterlist entries in the request */
#define NRDMA_TAG_BITS		12
#define NRDMA_TAG_MASK		((1u << NRDMA_TAG_BITS) - 1)
#define NRDMA_GEN_MASK		0xfu
#define NRDMA_POLL_BUDGET	64	/* CQEs one ->poll call reaps at most */

/* struct nrdma_queue.flags */
#define NRDMA_Q_ALLOCATED	0	/* connected */
#define NRDMA_Q_LIVE		1	/* Connect done: every command may go */
#define NRDMA_Q_STOPPED		2	/* stop_queue() ran */
#define NRDMA_Q_ERR		3	/* the one error line was printed */
#define NRDMA_Q_MR_POOL		4	/* the QP's MR pool exists */
#define NRDMA_Q_POLLED		5	/* poll queue: the CQ is IB_POLL_DIRECT */

/**
 * struct nrdma_rbuf - a receive buffer for one response
 * @cqe: completion handler
 * @sge: the buffer
 * @buf: the response
 */
struct nrdma_rbuf {
	struct ib_cqe cqe;
	struct ib_sge sge;
	struct nvme_cqe *buf;
};

struct nrdma_ctrl;

/**
 * struct nrdma_queue - one NVMe queue
 * @ctrl: owning controller
 * @qid: queue id (0 = admin)
 * @flags: NRDMA_Q_*
 * @depth: entries
 * @cm_id: the connection
 * @ibdev: device the route resolved to
 * @pd: protection domain
 * @cq: completion queue (softirq polled, or by ->poll on poll queues)
 * @qp: queue pair
 * @rbufs: @depth receive buffers
 * @inline_size: in-capsule data bytes a write may carry (I/O queues)
 * @cm_done: a CM step finished
 * @cm_error: its result
 * @poll_lock: one reaper at a time of a poll queue's CQ
 *
 * The fabrics core never runs two stops (or a stop and a free) of one
 * controller at once (its queue_lock): a second stop finds the queue
 * stopped and completing nothing more.
 */
struct nrdma_queue {
	struct nrdma_ctrl *ctrl;
	int qid;
	unsigned long flags;
	unsigned int depth;
	struct rdma_cm_id *cm_id;
	struct ib_device *ibdev;
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp;
	struct nrdma_rbuf *rbufs;
	u32 inline_size;
	struct completion cm_done;
	int cm_error;
	spinlock_t poll_lock;	/* ->poll against ->poll and stop_queue */
};

/**
 * struct nrdma_ctrl - an NVMe/RDMA controller
 * @fctrl: fabrics part, must be first
 * @addr: the target's address
 * @src_addr: host_traddr
 * @has_src: @src_addr is set
 * @queues: admin queue and I/O queues
 * @nr_queues: entries in @queues
 * @entry: on nrdma_ctrls, for device removal
 */
struct nrdma_ctrl {
	struct nvmf_ctrl fctrl;
	struct sockaddr_storage addr;
	struct sockaddr_storage src_addr;
	bool has_src;
	struct nrdma_queue *queues;
	unsigned int nr_queues;
	struct list_head entry;
};

/**
 * struct nrdma_req - per-request driver data
 * @req: core part, must be first
 * @queue: the request's queue
 * @send_cqe: completion of the SEND
 * @reg_cqe: completion of the MR registration (only seen on errors)
 * @inv_cqe: completion of a local invalidation
 * @send_wr: the SEND of the capsule
 * @reg_wr: MR registration chained in front of it
 * @inv_wr: local invalidation of the MR
 * @sge: the SQE, then in-capsule data segments
 * @num_sge: entries of @sge used
 * @mr: the MR holding the data, or NULL
 * @sgt: the data's scatterlist
 * @first_sg: inline entries of @sgt
 * @nents: mapped entries of @sgt, 0 if nothing is mapped
 * @sqe_dma: bus address of the SQE, 0 if not mapped
 * @ref: SEND completion + response (+ local invalidation)
 * @status: status from the response
 * @result: result from the response
 * @cid: command identifier on the wire
 * @gen: generation count of the tag
 * @got_rsp: the response arrived (a second one is a protocol error)
 */
struct nrdma_req {
	struct nvme_request req;
	struct nrdma_queue *queue;
	struct ib_cqe send_cqe;
	struct ib_cqe reg_cqe;
	struct ib_cqe inv_cqe;
	struct ib_send_wr send_wr;
	struct ib_reg_wr reg_wr;
	struct ib_send_wr inv_wr;
	struct ib_sge sge[1 + NRDMA_INLINE_SGE];
	int num_sge;
	struct ib_mr *mr;
	struct sg_table sgt;
	struct scatterlist first_sg[NRDMA_FIRST_SG];
	int nents;
	u64 sqe_dma;
	refcount_t ref;
	__le16 status;
	__le64 result;
	u16 cid;
	u8 gen;
	bool got_rsp;
};

static LIST_HEAD(nrdma_ctrls);
static DEFINE_MUTEX(nrdma_ctrl_mutex);	/* nrdma_ctrls */

static inline struct nrdma_ctrl *to_nrdma(struct nvme_ctrl *ctrl)
{
	return container_of(to_nvmf_ctrl(ctrl), struct nrdma_ctrl, fctrl);
}

static struct device *nrdma_dev(struct nrdma_queue *q)
{
	return q->ctrl->fctrl.ctrl.dev;
}

/* The queue broke: one line, then the shared error recovery. */
static __printf(2, 3) void nrdma_queue_error(struct nrdma_queue *q,
					     const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!test_and_set_bit(NRDMA_Q_ERR, &q->flags)) {
		va_start(args, fmt);
		vaf.fmt = fmt;
		vaf.va = &args;
		dev_err_ratelimited(nrdma_dev(q), "rdma queue %d: %pV\n",
				    q->qid, &vaf);
		va_end(args);
	}
	nvmf_error_recovery(&q->ctrl->fctrl);
}

/* ------------------------------------------------------------------ */
/* completions                                                        */
/* ------------------------------------------------------------------ */

static void nrdma_req_put(struct nrdma_req *req)
{
	if (refcount_dec_and_test(&req->ref))
		nvme_req_done(blk_mq_rq_from_pdu(req), req->status,
			      req->result);
}

static bool nrdma_wc_ok(struct nrdma_queue *q, struct ib_wc *wc,
			const char *what)
{
	if (likely(wc->status == IB_WC_SUCCESS))
		return true;
	if (wc->status != IB_WC_WR_FLUSH_ERR)
		nrdma_queue_error(q, "%s failed: %s", what,
				  ib_wc_status_msg(wc->status));
	return false;
}

static void nrdma_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nrdma_req *req =
		container_of(wc->wr_cqe, struct nrdma_req, send_cqe);

	nrdma_wc_ok(req->queue, wc, "sending a command");
	nrdma_req_put(req);
}

static void nrdma_reg_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nrdma_req *req =
		container_of(wc->wr_cqe, struct nrdma_req, reg_cqe);

	nrdma_wc_ok(req->queue, wc, "memory registration");
}

static void nrdma_inv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nrdma_req *req =
		container_of(wc->wr_cqe, struct nrdma_req, inv_cqe);

	nrdma_wc_ok(req->queue, wc, "local invalidation");
	nrdma_req_put(req);
}

static struct blk_mq_tags *nrdma_tags(struct nrdma_queue *q)
{
	struct nvmf_ctrl *fctrl = &q->ctrl->fctrl;

	if (!q->qid)
		return fctrl->admin_set.tags[0];
	return fctrl->io_set.tags[q->qid - 1];
}

static int nrdma_post_rbuf(struct nrdma_queue *q, struct nrdma_rbuf *rb)
{
	struct ib_recv_wr wr = {
		.wr_cqe = &rb->cqe,
		.sg_list = &rb->sge,
		.num_sge = 1,
	};

	ib_dma_sync_single_for_device(q->ibdev, rb->sge.addr, rb->sge.length,
				      DMA_FROM_DEVICE);
	return ib_post_recv(q->qp, &wr, NULL);
}

static void nrdma_handle_rsp(struct nrdma_queue *q, const struct nvme_cqe *cqe,
			     struct ib_wc *wc)
{
	struct nrdma_req *req;
	struct request *rq;
	int ret;

	rq = blk_mq_tag_to_rq(nrdma_tags(q), cqe->cid & NRDMA_TAG_MASK);
	if (!rq || blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT)
		goto bad_cid;
	req = blk_mq_rq_to_pdu(rq);
	if (req->queue != q || req->cid != cqe->cid || req->got_rsp)
		goto bad_cid;
	req->got_rsp = true;

	req->status = cqe->status;
	req->result = cpu_to_le64(le32_to_cpu(cqe->dw0) |
				  (u64)le32_to_cpu(cqe->dw1) << 32);

	if (wc->wc_flags & IB_WC_WITH_INVALIDATE) {
		if (!req->mr || wc->ex.invalidate_rkey != req->mr->rkey) {
			nrdma_queue_error(q, "target invalidated key %#x, not the key of cid %#x",
					  wc->ex.invalidate_rkey, cqe->cid);
			return;
		}
	} else if (req->mr) {
		req->inv_wr = (struct ib_send_wr) {
			.opcode = IB_WR_LOCAL_INV,
			.send_flags = IB_SEND_SIGNALED,
			.wr_cqe = &req->inv_cqe,
			.ex.invalidate_rkey = req->mr->rkey,
		};
		ret = ib_post_send(q->qp, &req->inv_wr, NULL);
		if (!ret)
			return;	/* nrdma_inv_done() drops the reference */
		nrdma_queue_error(q, "posting a local invalidation failed (%d)",
				  ret);
	}
	nrdma_req_put(req);
	return;

bad_cid:
	nrdma_queue_error(q, "response for unknown command id %#x", cqe->cid);
}

static void nrdma_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nrdma_rbuf *rb = container_of(wc->wr_cqe, struct nrdma_rbuf, cqe);
	struct nrdma_queue *q = cq->cq_context;
	struct nvme_cqe cqe;
	int ret;

	if (!nrdma_wc_ok(q, wc, "receive"))
		return;
	if (unlikely(wc->byte_len < sizeof(cqe))) {
		nrdma_queue_error(q, "response of %u bytes", wc->byte_len);
		return;
	}
	ib_dma_sync_single_for_cpu(q->ibdev, rb->sge.addr, rb->sge.length,
				   DMA_FROM_DEVICE);
	memcpy(&cqe, rb->buf, sizeof(cqe));
	ret = nrdma_post_rbuf(q, rb);
	if (unlikely(ret)) {
		nrdma_queue_error(q, "reposting a receive failed (%d)", ret);
		return;
	}
	nrdma_handle_rsp(q, &cqe, wc);
}

/* ------------------------------------------------------------------ */
/* submission                                                         */
/* ------------------------------------------------------------------ */

static void nrdma_unmap_req(struct nrdma_queue *q, struct nrdma_req *req)
{
	struct request *rq = blk_mq_rq_from_pdu(req);

	if (req->mr) {
		ib_mr_pool_put(q->qp, &q->qp->rdma_mrs, req->mr);
		req->mr = NULL;
	}
	if (req->nents) {
		ib_dma_unmap_sg(q->ibdev, req->sgt.sgl, req->sgt.nents,
				rq_dma_dir(rq));
		req->nents = 0;
	}
	if (req->sgt.sgl) {
		sg_free_table_chained(&req->sgt, NRDMA_FIRST_SG);
		req->sgt.sgl = NULL;
	}
	if (req->sqe_dma) {
		ib_dma_unmap_single(q->ibdev, req->sqe_dma,
				    sizeof(struct nvme_sqe), DMA_TO_DEVICE);
		req->sqe_dma = 0;
	}
}

static blk_status_t nrdma_map_inline(struct nrdma_queue *q,
				     struct nrdma_req *req, u32 len)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(req->sgt.sgl, sg, req->nents, i) {
		req->sge[1 + i].addr = sg_dma_address(sg);
		req->sge[1 + i].length = sg_dma_len(sg);
		req->sge[1 + i].lkey = q->pd->local_dma_lkey;
	}
	req->num_sge = 1 + req->nents;
	nvme_rdma_inline_sgl_encode(&req->req.cmd.dptr.sgl, 0, len);
	return BLK_STS_OK;
}

static blk_status_t nrdma_map_mr(struct nrdma_queue *q, struct nrdma_req *req)
{
	struct ib_mr *mr;
	int n;

	mr = ib_mr_pool_get(q->qp, &q->qp->rdma_mrs);
	if (!mr)
		return BLK_STS_RESOURCE;
	req->mr = mr;
	n = ib_map_mr_sg(mr, req->sgt.sgl, req->nents, NULL, SZ_4K);
	if (unlikely(n != req->nents)) {
		dev_err_ratelimited(nrdma_dev(q), "rdma queue %d: cannot register %d segments (%d)\n",
				    q->qid, req->nents, n);
		return BLK_STS_IOERR;
	}
	ib_update_fast_reg_key(mr, ib_inc_rkey(mr->rkey));
	req->reg_wr = (struct ib_reg_wr) {
		.wr.opcode = IB_WR_REG_MR,
		.wr.wr_cqe = &req->reg_cqe,
		.mr = mr,
		.key = mr->rkey,
		.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_READ |
			  IB_ACCESS_REMOTE_WRITE,
	};
	if (nvme_rdma_keyed_sgl_encode(&req->req.cmd.dptr.sgl, mr->iova,
				       mr->length, mr->rkey, true))
		return BLK_STS_IOERR;
	return BLK_STS_OK;
}

static blk_status_t nrdma_map_data(struct nrdma_queue *q, struct request *rq)
{
	struct nrdma_req *req = blk_mq_rq_to_pdu(rq);
	struct nvme_sqe *c = &req->req.cmd;
	u32 len;
	int n;

	c->flags &= ~(NVME_CMD_PSDT_SGL_MPTR | NVME_CMD_PSDT_SGL_SGL);
	c->flags |= NVME_CMD_PSDT_SGL_MPTR;
	req->num_sge = 1;
	if (!blk_rq_nr_phys_segments(rq)) {
		nvme_rdma_null_sgl_encode(&c->dptr.sgl);
		return BLK_STS_OK;
	}

	req->sgt.sgl = req->first_sg;
	if (sg_alloc_table_chained(&req->sgt, blk_rq_nr_phys_segments(rq),
				   req->sgt.sgl, NRDMA_FIRST_SG)) {
		req->sgt.sgl = NULL;
		return BLK_STS_RESOURCE;
	}
	req->sgt.nents = blk_rq_map_sg(rq->q, rq, req->sgt.sgl);
	n = ib_dma_map_sg(q->ibdev, req->sgt.sgl, req->sgt.nents,
			  rq_dma_dir(rq));
	if (!n)
		return BLK_STS_RESOURCE;
	req->nents = n;
	len = blk_rq_payload_bytes(rq);

	if (rq_data_dir(rq) == WRITE && q->inline_size && n <= NRDMA_INLINE_SGE &&
	    len <= q->inline_size)
		return nrdma_map_inline(q, req, len);
	return nrdma_map_mr(q, req);
}

static blk_status_t nrdma_queue_rq(struct blk_mq_hw_ctx *hctx,
				   const struct blk_mq_queue_data *bd)
{
	struct nrdma_queue *q = hctx->driver_data;
	struct nvmf_ctrl *fctrl = &q->ctrl->fctrl;
	struct request *rq = bd->rq;
	struct nrdma_req *req = blk_mq_rq_to_pdu(rq);
	struct ib_send_wr *first;
	bool up = test_bit(NRDMA_Q_ALLOCATED, &q->flags) &&
		  !test_bit(NRDMA_Q_STOPPED, &q->flags) &&
		  !test_bit(NRDMA_Q_ERR, &q->flags);
	blk_status_t ret;
	int err;

	if (!up || !nvmf_check_ready(fctrl, rq,
				     test_bit(NRDMA_Q_LIVE, &q->flags)))
		return nvme_fail_nonready(&fctrl->ctrl, rq);

	ret = nvme_setup_cmd(hctx->queue->queuedata, rq);
	if (ret)
		return ret;
	req->gen = (req->gen + 1) & NRDMA_GEN_MASK;
	req->cid = rq->tag | (u16)req->gen << NRDMA_TAG_BITS;
	req->req.cmd.cid = req->cid;
	req->status = 0;
	req->result = 0;
	req->got_rsp = false;

	ret = nrdma_map_data(q, rq);
	if (ret)
		goto unmap;
	req->sqe_dma = ib_dma_map_single(q->ibdev, &req->req.cmd,
					 sizeof(struct nvme_sqe),
					 DMA_TO_DEVICE);
	if (ib_dma_mapping_error(q->ibdev, req->sqe_dma)) {
		req->sqe_dma = 0;
		ret = BLK_STS_RESOURCE;
		goto unmap;
	}
	req->sge[0].addr = req->sqe_dma;
	req->sge[0].length = sizeof(struct nvme_sqe);
	req->sge[0].lkey = q->pd->local_dma_lkey;
	req->send_wr = (struct ib_send_wr) {
		.wr_cqe = &req->send_cqe,
		.sg_list = req->sge,
		.num_sge = req->num_sge,
		.opcode = IB_WR_SEND,
		.send_flags = IB_SEND_SIGNALED,
	};
	first = &req->send_wr;
	if (req->mr) {
		req->reg_wr.wr.next = &req->send_wr;
		first = &req->reg_wr.wr;
	}
	refcount_set(&req->ref, 2);

	blk_mq_start_request(rq);
	err = ib_post_send(q->qp, first, NULL);
	if (unlikely(err)) {
		nrdma_queue_error(q, "posting a command failed (%d)", err);
		ret = err == -ENOMEM ? BLK_STS_RESOURCE : BLK_STS_IOERR;
		goto unmap;
	}
	return BLK_STS_OK;

unmap:
	nrdma_unmap_req(q, req);
	nvme_cleanup_cmd(rq);
	return ret;
}

static void nrdma_complete_rq(struct request *rq)
{
	struct nrdma_req *req = blk_mq_rq_to_pdu(rq);

	nrdma_unmap_req(req->queue, req);
	nvme_complete_rq(rq);
}

static enum blk_eh_timer_return nrdma_timeout(struct request *rq)
{
	struct nrdma_req *req = blk_mq_rq_to_pdu(rq);
	struct nrdma_queue *q = req->queue;

	dev_warn_ratelimited(nrdma_dev(q), "rdma queue %d: command id %#x (opcode %#x) timed out\n",
			     q->qid, req->cid, req->req.cmd.opc);
	return nvmf_timeout(&q->ctrl->fctrl, rq, q->qid);
}

/*
 * blk-mq ->poll of the poll queues: reap what the CQ holds.  Runs in the
 * task that waits for the I/O (io_uring IOPOLL, RWF_HIPRI, a Connect in
 * blk_execute_rq()); a stopped queue is left to ib_drain_qp().
 */
static int nrdma_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct nrdma_queue *q = hctx->driver_data;
	int n = 0;

	if (!spin_trylock(&q->poll_lock))
		return 0;
	if (test_bit(NRDMA_Q_ALLOCATED, &q->flags) &&
	    !test_bit(NRDMA_Q_STOPPED, &q->flags))
		n = ib_process_cq_direct(q->cq, NRDMA_POLL_BUDGET);
	spin_unlock(&q->poll_lock);
	return n;
}

static int nrdma_init_request(struct blk_mq_tag_set *set, struct request *rq,
			      unsigned int hctx_idx, unsigned int numa_node)
{
	struct nrdma_ctrl *ctrl = to_nrdma(set->driver_data);
	struct nrdma_req *req = blk_mq_rq_to_pdu(rq);

	req->req.ctrl = &ctrl->fctrl.ctrl;
	req->queue = set == &ctrl->fctrl.admin_set ? &ctrl->queues[0] :
						    &ctrl->queues[hctx_idx + 1];
	req->sgt.sgl = NULL;
	req->nents = 0;
	req->mr = NULL;
	req->sqe_dma = 0;
	req->send_cqe.done = nrdma_send_done;
	req->reg_cqe.done = nrdma_reg_done;
	req->inv_cqe.done = nrdma_inv_done;
	return 0;
}

static int nrdma_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			   unsigned int idx)
{
	hctx->driver_data = &to_nrdma(data)->queues[idx + 1];
	return 0;
}

static int nrdma_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				 unsigned int idx)
{
	hctx->driver_data = &to_nrdma(data)->queues[0];
	return 0;
}

static const struct blk_mq_ops nrdma_admin_mq_ops = {
	.queue_rq	= nrdma_queue_rq,
	.complete	= nrdma_complete_rq,
	.init_request	= nrdma_init_request,
	.init_hctx	= nrdma_init_admin_hctx,
	.timeout	= nrdma_timeout,
};

static const struct blk_mq_ops nrdma_mq_ops = {
	.queue_rq	= nrdma_queue_rq,
	.complete	= nrdma_complete_rq,
	.init_request	= nrdma_init_request,
	.init_hctx	= nrdma_init_hctx,
	.timeout	= nrdma_timeout,
	.map_queues	= nvmf_map_queues,
	.poll		= nrdma_poll,
};

/* ------------------------------------------------------------------ */
/* connection setup                                                   */
/* ------------------------------------------------------------------ */

static int nrdma_check_accept(struct nrdma_queue *q, struct rdma_cm_event *ev)
{
	u16 crqsize;

	if (nvme_rdma_cm_rep_parse(ev->param.conn.private_data,
				   ev->param.conn.private_data_len, &crqsize)) {
		dev_err(nrdma_dev(q), "rdma queue %d: malformed accept private data (%u bytes)\n",
			q->qid, ev->param.conn.private_data_len);
		return -EPROTO;
	}
	if (crqsize < q->depth) {
		dev_err(nrdma_dev(q), "rdma queue %d: target takes %u commands, asked for %u\n",
			q->qid, crqsize, q->depth);
		return -EPROTO;
	}
	return 0;
}

static int nrdma_rejected(struct nrdma_queue *q, struct rdma_cm_id *cm_id,
			  struct rdma_cm_event *ev)
{
	const void *pdata;
	u8 len = 0;
	u16 sts;

	pdata = rdma_consumer_reject_data(cm_id, ev, &len);
	if (pdata && !nvme_rdma_cm_rej_parse(pdata, len, &sts))
		dev_err(nrdma_dev(q), "rdma queue %d: target refused the connection: %s (%u)\n",
			q->qid, nvme_rdma_cm_status_str(sts), sts);
	else
		dev_err(nrdma_dev(q), "rdma queue %d: connection rejected: %s\n",
			q->qid, rdma_reject_msg(cm_id, ev->status));
	return -ECONNREFUSED;
}

static int nrdma_cm_handler(struct rdma_cm_id *cm_id, struct rdma_cm_event *ev)
{
	struct nrdma_queue *q = cm_id->context;
	int err = 0;

	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		err = nrdma_check_accept(q, ev);
		break;
	case RDMA_CM_EVENT_REJECTED:
		err = nrdma_rejected(q, cm_id, ev);
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
		dev_err(nrdma_dev(q), "rdma queue %d: %s (%d)\n", q->qid,
			rdma_event_msg(ev->event), ev->status);
		err = ev->status < 0 ? ev->status : -ECONNRESET;
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_ADDR_CHANGE:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
		if (test_bit(NRDMA_Q_ALLOCATED, &q->flags)) {
			if (!test_bit(NRDMA_Q_STOPPED, &q->flags))
				nrdma_queue_error(q, "%s",
						  rdma_event_msg(ev->event));
			return 0;
		}
		err = -ECONNRESET;
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		/*
		 * The RDMA CM waits until this ID is destroyed before the
		 * device goes: a live queue goes through error recovery
		 * (which frees it and reconnects once an address resolves
		 * to a device again), a connecting one fails its attempt.
		 */
		if (test_bit(NRDMA_Q_ALLOCATED, &q->flags)) {
			nrdma_queue_error(q, "RDMA device %s removed",
					  dev_name(&cm_id->device->dev));
			return 0;
		}
		err = -ENODEV;
		break;
	default:
		return 0;
	}
	q->cm_error = err;
	complete(&q->cm_done);
	return 0;
}

static int nrdma_wait_cm(struct nrdma_queue *q)
{
	unsigned long tmo = msecs_to_jiffies(NRDMA_CM_TIMEOUT_MS) + HZ;
	unsigned long left;

	left = wait_for_completion_timeout(&q->cm_done, tmo);
	if (!left)
		return -ETIMEDOUT;
	reinit_completion(&q->cm_done);
	return q->cm_error;
}

static void nrdma_free_rbufs(struct nrdma_queue *q)
{
	unsigned int i;

	if (!q->rbufs)
		return;
	for (i = 0; i < q->depth; i++) {
		struct nrdma_rbuf *rb = &q->rbufs[i];

		if (rb->sge.addr)
			ib_dma_unmap_single(q->ibdev, rb->sge.addr,
					    sizeof(*rb->buf), DMA_FROM_DEVICE);
		kfree(rb->buf);
	}
	kfree(q->rbufs);
	q->rbufs = NULL;
}

static int nrdma_alloc_rbufs(struct nrdma_queue *q)
{
	unsigned int i;
	u64 addr;

	q->rbufs = kcalloc(q->depth, sizeof(*q->rbufs), GFP_KERNEL);
	if (!q->rbufs)
		return -ENOMEM;
	for (i = 0; i < q->depth; i++) {
		struct nrdma_rbuf *rb = &q->rbufs[i];

		rb->buf = kmalloc(sizeof(*rb->buf), GFP_KERNEL);
		if (!rb->buf)
			return -ENOMEM;
		addr = ib_dma_map_single(q->ibdev, rb->buf, sizeof(*rb->buf),
					 DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(q->ibdev, addr))
			return -EIO;
		rb->sge.addr = addr;
		rb->sge.length = sizeof(*rb->buf);
		rb->sge.lkey = q->pd->local_dma_lkey;
		rb->cqe.done = nrdma_recv_done;
	}
	return 0;
}

/* Verbs resources once the route names the device. */
static int nrdma_create_ib(struct nrdma_queue *q)
{
	struct ib_device *ibdev = q->cm_id->device;
	struct ib_qp_init_attr qa = { };
	unsigned int i;
	int ret, nr_cqe;

	if (!(ibdev->attrs.device_cap_flags & IB_DEVICE_MEM_MGT_EXTENSIONS) ||
	    ibdev->attrs.max_fast_reg_page_list_len < NRDMA_MAX_PAGES) {
		dev_err(nrdma_dev(q), "%s cannot register memory for NVMe/RDMA\n",
			dev_name(&ibdev->dev));
		return -EOPNOTSUPP;
	}
	q->ibdev = ibdev;
	q->pd = ib_alloc_pd(ibdev, 0);
	if (IS_ERR(q->pd)) {
		ret = PTR_ERR(q->pd);
		q->pd = NULL;
		return ret;
	}
	/* responses, and per command a SEND, a registration, an invalidation */
	nr_cqe = min_t(int, 4 * q->depth + 2, ibdev->attrs.max_cqe);
	q->cq = ib_alloc_cq(ibdev, q, nr_cqe, q->qid % ibdev->num_comp_vectors,
			    test_bit(NRDMA_Q_POLLED, &q->flags) ?
			    IB_POLL_DIRECT : IB_POLL_SOFTIRQ);
	if (IS_ERR(q->cq)) {
		ret = PTR_ERR(q->cq);
		q->cq = NULL;
		return ret;
	}
	qa.qp_context = q;
	qa.send_cq = q->cq;
	qa.recv_cq = q->cq;
	qa.sq_sig_type = IB_SIGNAL_REQ_WR;
	qa.qp_type = IB_QPT_RC;
	qa.cap.max_send_wr = 3 * q->depth + 1;
	qa.cap.max_recv_wr = q->depth + 1;
	qa.cap.max_send_sge = min_t(u32, 1 + NRDMA_INLINE_SGE,
				    ibdev->attrs.max_send_sge);
	qa.cap.max_recv_sge = 1;
	ret = rdma_create_qp(q->cm_id, q->pd, &qa);
	if (ret)
		return ret;
	q->qp = q->cm_id->qp;
	if (qa.cap.max_send_sge < 1 + NRDMA_INLINE_SGE)
		q->inline_size = 0;

	ret = ib_mr_pool_init(q->qp, &q->qp->rdma_mrs, q->depth,
			      IB_MR_TYPE_MEM_REG, NRDMA_MAX_PAGES, 0);
	if (ret) {
		dev_err(nrdma_dev(q), "rdma queue %d: cannot allocate %u MRs (%d)\n",
			q->qid, q->depth, ret);
		return ret;
	}
	set_bit(NRDMA_Q_MR_POOL, &q->flags);

	ret = nrdma_alloc_rbufs(q);
	if (ret)
		return ret;
	for (i = 0; i < q->depth; i++) {
		ret = nrdma_post_rbuf(q, &q->rbufs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void nrdma_destroy_queue(struct nrdma_queue *q)
{
	if (test_and_clear_bit(NRDMA_Q_MR_POOL, &q->flags))
		ib_mr_pool_destroy(q->qp, &q->qp->rdma_mrs);
	if (q->qp) {
		rdma_destroy_qp(q->cm_id);
		q->qp = NULL;
	}
	if (q->cq) {
		ib_free_cq(q->cq);
		q->cq = NULL;
	}
	nrdma_free_rbufs(q);
	if (q->pd) {
		ib_dealloc_pd(q->pd);
		q->pd = NULL;
	}
	if (q->cm_id) {
		rdma_destroy_id(q->cm_id);
		q->cm_id = NULL;
	}
	q->ibdev = NULL;
}

/* In-capsule data the I/O queues may carry, from IOCCSZ. */
static u32 nrdma_io_inline(struct nvme_ctrl *ctrl)
{
	if (ctrl->icdoff)
		return 0;
	return min_t(u32, nvme_rdma_inline_size(ctrl->ioccsz),
		     NRDMA_INLINE_SGE * PAGE_SIZE);
}

static bool nrdma_is_poll_queue(struct nvmf_ctrl *fctrl, int qid)
{
	unsigned int first;

	return qid && nvmf_queue_type(fctrl, qid, &first) == HCTX_TYPE_POLL;
}

static int nrdma_alloc_queue(struct nvmf_ctrl *fctrl, int qid,
			     unsigned int depth)
{
	struct nrdma_ctrl *ctrl = container_of(fctrl, struct nrdma_ctrl, fctrl);
	struct rdma_conn_param param = { };
	struct nvme_rdma_cm_request pdata;
	struct nrdma_queue *q;
	int ret;

	if (qid < 0 || qid >= ctrl->nr_queues || depth < 2)
		return -EINVAL;
	q = &ctrl->queues[qid];
	q->flags = 0;
	if (nrdma_is_poll_queue(fctrl, qid))
		set_bit(NRDMA_Q_POLLED, &q->flags);
	q->depth = depth;
	q->cm_error = 0;
	q->inline_size = qid ? nrdma_io_inline(&fctrl->ctrl) : 0;
	reinit_completion(&q->cm_done);

	q->cm_id = rdma_create_id(&init_net, nrdma_cm_handler, q, RDMA_PS_TCP,
				  IB_QPT_RC);
	if (IS_ERR(q->cm_id)) {
		ret = PTR_ERR(q->cm_id);
		q->cm_id = NULL;
		return ret;
	}
	if (fctrl->opts->tos >= 0)
		rdma_set_service_type(q->cm_id, fctrl->opts->tos);
	ret = rdma_resolve_addr(q->cm_id,
				ctrl->has_src ? (struct sockaddr *)&ctrl->src_addr : NULL,
				(struct sockaddr *)&ctrl->addr, NRDMA_CM_TIMEOUT_MS);
	if (!ret)
		ret = nrdma_wait_cm(q);
	if (ret) {
		dev_err(fctrl->ctrl.dev, "rdma queue %d: cannot resolve %pISpc (%d)\n",
			qid, &ctrl->addr, ret);
		goto out;
	}
	ret = rdma_resolve_route(q->cm_id, NRDMA_CM_TIMEOUT_MS);
	if (!ret)
		ret = nrdma_wait_cm(q);
	if (ret) {
		dev_err(fctrl->ctrl.dev, "rdma queue %d: no route to %pISpc (%d)\n",
			qid, &ctrl->addr, ret);
		goto out;
	}
	ret = nrdma_create_ib(q);
	if (ret)
		goto out;

	nvme_rdma_cm_req_encode(&pdata, qid, depth, depth - 1, 0);
	param.private_data = &pdata;
	param.private_data_len = sizeof(pdata);
	param.flow_control = 1;
	param.responder_resources = q->ibdev->attrs.max_qp_rd_atom;
	param.retry_count = 7;
	param.rnr_retry_count = 7;
	param.qp_num = q->qp->qp_num;
	ret = rdma_connect(q->cm_id, &param);
	if (!ret)
		ret = nrdma_wait_cm(q);
	if (ret) {
		dev_err(fctrl->ctrl.dev, "rdma queue %d: cannot connect to %pISpc (%d)\n",
			qid, &ctrl->addr, ret);
		goto out;
	}
	/* ->poll may reap the CQ from now on */
	spin_lock(&q->poll_lock);
	set_bit(NRDMA_Q_ALLOCATED, &q->flags);
	spin_unlock(&q->poll_lock);
	return 0;
out:
	/* the CM handler may still run until its ID is destroyed */
	set_bit(NRDMA_Q_STOPPED, &q->flags);
	nrdma_destroy_queue(q);
	return ret;
}

static void nrdma_start_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct nrdma_ctrl *ctrl = container_of(fctrl, struct nrdma_ctrl, fctrl);

	set_bit(NRDMA_Q_LIVE, &ctrl->queues[qid].flags);
}

static void nrdma_stop_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct nrdma_ctrl *ctrl = container_of(fctrl, struct nrdma_ctrl, fctrl);
	struct nrdma_queue *q = &ctrl->queues[qid];

	clear_bit(NRDMA_Q_LIVE, &q->flags);
	if (!q->cm_id || test_and_set_bit(NRDMA_Q_STOPPED, &q->flags))
		return;
	/* a ->poll reaping the CQ finishes; later ones see STOPPED */
	spin_lock(&q->poll_lock);
	spin_unlock(&q->poll_lock);
	rdma_disconnect(q->cm_id);
	/*
	 * every posted WR completes (flushed) before this returns; on a poll
	 * queue ib_drain_qp() reaps the CQ itself
	 */
	if (q->qp)
		ib_drain_qp(q->qp);
}

static void nrdma_free_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct nrdma_ctrl *ctrl = container_of(fctrl, struct nrdma_ctrl, fctrl);
	struct nrdma_queue *q = &ctrl->queues[qid];

	if (q->cm_id) {
		nrdma_stop_queue(fctrl, qid);
		clear_bit(NRDMA_Q_ALLOCATED, &q->flags);
		nrdma_destroy_queue(q);
	}
}

static void nrdma_free_ctrl(struct nvmf_ctrl *fctrl)
{
	struct nrdma_ctrl *ctrl = container_of(fctrl, struct nrdma_ctrl, fctrl);

	mutex_lock(&nrdma_ctrl_mutex);
	list_del(&ctrl->entry);
	mutex_unlock(&nrdma_ctrl_mutex);
	kfree(ctrl->queues);
	kfree(ctrl);
}

static const struct nvmf_queue_ops nrdma_queue_ops = {
	.admin_mq_ops	= &nrdma_admin_mq_ops,
	.mq_ops		= &nrdma_mq_ops,
	.cmd_size	= sizeof(struct nrdma_req),
	.nr_maps	= HCTX_MAX_TYPES,
	.alloc_queue	= nrdma_alloc_queue,
	.start_queue	= nrdma_start_queue,
	.stop_queue	= nrdma_stop_queue,
	.free_queue	= nrdma_free_queue,
	.free_ctrl	= nrdma_free_ctrl,
};

static const struct nvme_ctrl_ops nrdma_ctrl_ops = {
	NVMF_CTRL_OPS("rdma", 0),
};

/* ------------------------------------------------------------------ */
/* controller creation, device removal, module                        */
/* ------------------------------------------------------------------ */

static int nrdma_parse_addrs(struct nrdma_ctrl *ctrl, struct device *dev,
			     struct nvmf_ctrl_options *opts)
{
	int ret;

	if (!(opts->mask & NVMF_OPT_TRSVCID)) {
		snprintf(opts->trsvcid, sizeof(opts->trsvcid), "%u",
			 NVME_RDMA_IP_PORT);
		opts->mask |= NVMF_OPT_TRSVCID;
	}
	ret = inet_pton_with_scope(&init_net, AF_UNSPEC, opts->traddr,
				   opts->trsvcid, &ctrl->addr);
	if (ret) {
		dev_err(dev, "nvme-rdma: invalid traddr %s / trsvcid %s\n",
			opts->traddr, opts->trsvcid);
		return -EINVAL;
	}
	if (opts->mask & NVMF_OPT_HOST_TRADDR) {
		ret = inet_pton_with_scope(&init_net, ctrl->addr.ss_family,
					   opts->host_traddr, NULL,
					   &ctrl->src_addr);
		if (ret) {
			dev_err(dev, "nvme-rdma: invalid host_traddr %s\n",
				opts->host_traddr);
			return -EINVAL;
		}
		ctrl->has_src = true;
	}
	return 0;
}

static struct nvme_ctrl *nrdma_create_ctrl(struct device *dev,
					   struct nvmf_ctrl_options *opts)
{
	struct nrdma_ctrl *ctrl;
	unsigned int i;
	int ret;

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl) {
		kfree(opts);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&ctrl->entry);
	ret = nrdma_parse_addrs(ctrl, dev, opts);
	if (ret)
		goto out_free;
	ctrl->nr_queues = 1 + opts->nr_io_queues + opts->nr_write_queues +
			  opts->nr_poll_queues;
	ctrl->queues = kcalloc(ctrl->nr_queues, sizeof(*ctrl->queues),
			       GFP_KERNEL);
	if (!ctrl->queues) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < ctrl->nr_queues; i++) {
		ctrl->queues[i].ctrl = ctrl;
		ctrl->queues[i].qid = i;
		init_completion(&ctrl->queues[i].cm_done);
		spin_lock_init(&ctrl->queues[i].poll_lock);
	}
	/* one MR per request: its page list bounds the transfer */
	ctrl->fctrl.ctrl.transport_max_segments = NRDMA_MAX_PAGES;
	ctrl->fctrl.ctrl.transport_max_sectors =
		(NRDMA_MAX_PAGES - 1) * (SZ_4K >> SECTOR_SHIFT);
	ctrl->fctrl.ctrl.virt_boundary_mask = SZ_4K - 1;

	ret = nvmf_init_ctrl(&ctrl->fctrl, dev, &nrdma_ctrl_ops,
			     &nrdma_queue_ops, opts);
	if (ret) {
		kfree(ctrl->queues);
		kfree(ctrl);
		return ERR_PTR(ret);
	}
	mutex_lock(&nrdma_ctrl_mutex);
	list_add_tail(&ctrl->entry, &nrdma_ctrls);
	mutex_unlock(&nrdma_ctrl_mutex);

	ret = nvmf_setup_ctrl(&ctrl->fctrl);
	if (ret) {
		nvmf_abort_ctrl(&ctrl->fctrl);
		return ERR_PTR(ret);
	}
	return &ctrl->fctrl.ctrl;

out_free:
	kfree(opts);
	kfree(ctrl->queues);
	kfree(ctrl);
	return ERR_PTR(ret);
}

static bool nrdma_ctrl_uses(struct nrdma_ctrl *ctrl, struct ib_device *ibdev)
{
	unsigned int i;

	for (i = 0; i < ctrl->nr_queues; i++)
		if (READ_ONCE(ctrl->queues[i].ibdev) == ibdev)
			return true;
	return false;
}

static int nrdma_add_one(struct ib_device *ibdev)
{
	return 0;
}

/*
 * A device going away is a transport error for the controllers on it:
 * start their recovery now (the RDMA CM's own removal, which runs after
 * this callback, waits until their CM IDs are gone).  The controller stays
 * and reconnects when the address has a device again, within
 * ctrl_loss_tmo.
 */
static void nrdma_remove_one(struct ib_device *ibdev, void *client_data)
{
	struct nrdma_ctrl *ctrl;

	mutex_lock(&nrdma_ctrl_mutex);
	list_for_each_entry(ctrl, &nrdma_ctrls, entry) {
		if (nrdma_ctrl_uses(ctrl, ibdev)) {
			dev_info(ctrl->fctrl.ctrl.dev, "RDMA device %s removed: reconnecting\n",
				 dev_name(&ibdev->dev));
			nvmf_error_recovery(&ctrl->fctrl);
		}
	}
	mutex_unlock(&nrdma_ctrl_mutex);
}

static struct ib_client nrdma_ib_client = {
	.name	= "nvme_rdma",
	.add	= nrdma_add_one,
	.remove	= nrdma_remove_one,
};

#define NRDMA_OPTS	(NVMF_OPT_TRSVCID | NVMF_OPT_HOST_TRADDR | \
			 NVMF_OPT_NR_WRITE_QUEUES | NVMF_OPT_NR_POLL_QUEUES | \
			 NVMF_OPT_TOS | NVMF_OPT_RECONNECT_DELAY | \
			 NVMF_OPT_CTRL_LOSS_TMO | NVMF_OPT_FAIL_FAST_TMO)

static struct nvmf_transport_ops nrdma_transport = {
	.name		= "rdma",
	.module		= THIS_MODULE,
	.required_opts	= NVMF_OPT_TRADDR,
	.allowed_opts	= NRDMA_OPTS,
	.create_ctrl	= nrdma_create_ctrl,
};

static int __init nrdma_init(void)
{
	int ret;

	BUILD_BUG_ON(offsetof(struct nrdma_req, req) != 0);
	ret = ib_register_client(&nrdma_ib_client);
	if (ret)
		return ret;
	ret = nvmf_register_transport(&nrdma_transport);
	if (ret)
		ib_unregister_client(&nrdma_ib_client);
	return ret;
}

static void __exit nrdma_exit(void)
{
	nvmf_unregister_transport(&nrdma_transport);
	nvmf_delete_all_ctrls(nrdma_transport.name);
	ib_unregister_client(&nrdma_ib_client);
}

module_init(nrdma_init);
module_exit(nrdma_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over RDMA host transport (out-of-tree)");
