// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-fc: the NVMe over Fibre Channel target transport.
 *
 * An FC LLDD registers target ports (lldd.h); a configfs port with
 * addr_trtype=fc and addr_traddr=nn-0x<wwnn>:pn-0x<wwpn> is served by the
 * target port with those names, whichever of the two appears first.
 *
 * Objects:
 *   tport  a registered target port; refcounted by its associations and
 *          by LS requests being processed.  Unregistering kills every
 *          association and waits for the last reference.
 *   assoc  one host association (Create Association LS); holds the
 *          queues by qid.  Refcounted: its tport list entry and every
 *          command exchange in flight.  Killing it (Disconnect LS, the
 *          core's delete_ctrl, port removal, host gone) unlists it at
 *          once, so no new exchange finds it, then destroys its queues'
 *          sqs from a work item.
 *   queue  one FC-NVMe connection: an nvmet sq/cq pair, the negotiated
 *          ersp_ratio and the response counters.
 *   fod    one command exchange: the nvmet_req and its response IU.
 *
 * Path of a write:
 *   nvmet_fc_rcv_fcp() (any context): validate the IU, find the queue by
 *     connection id, queue fod->work
 *   fod work: nvmet_req_init(), nvmet_req_alloc_sgl(), WRITEDATA through
 *     the LLDD; its ->done queues nvmet_req_execute()
 *   ->queue_response (any context): build the response (an ERSP every
 *     ersp_ratio responses or whenever the completion is not plain
 *     success, else the short all-zero one) and hand an RSP (for a read:
 *     READDATA_RSP with the data) to the LLDD; its ->done frees the fod.
 *
 * Locking: nvmet_fc_mutex protects the tport and port lists and the
 * binding between them; tport->lock (spinlock, irq safe) protects the
 * association list, each association's queue table and terminating flag.
 */
#define pr_fmt(fmt) "nvmet_fc: " fmt

#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "../../target/nvmet.h"
#include "lldd.h"
#include "wire.h"

#define NVMET_FC_MAX_QID	NVMET_NR_QUEUES
#define NVMET_FC_MAX_XFER	(1024 * 1024)
#define NVMET_FC_MDTS		8	/* 2^8 4 KiB pages = 1 MiB */

/**
 * struct nvmet_fc_tport_priv - nvmet-fc's state of a target port
 * @pub: what the LLDD sees
 * @ops: the LLDD's operations
 * @entry: on nvmet_fc_tports
 * @lock: protects @assocs, @port, @dead and the associations
 * @assocs: live associations
 * @port: the configfs port served, or NULL
 * @dead: unregistering: no new association
 * @ref: the registration + one per association + one per LS in work
 * @freed: completed when @ref drops to zero
 */
struct nvmet_fc_tport_priv {
	struct nvmet_fc_tport pub;
	const struct nvmet_fc_tgt_ops *ops;
	struct list_head entry;
	spinlock_t lock;	/* see above */
	struct list_head assocs;
	struct nvmet_port *port;
	bool dead;
	struct kref ref;
	struct completion freed;
};

/**
 * struct nvmet_fc_port_entry - an enabled configfs port of type fc
 * @entry: on nvmet_fc_ports
 * @port: the configfs port
 * @wwnn: node name from addr_traddr
 * @wwpn: port name from addr_traddr
 * @tport: the target port serving it, or NULL
 */
struct nvmet_fc_port_entry {
	struct list_head entry;
	struct nvmet_port *port;
	u64 wwnn;
	u64 wwpn;
	struct nvmet_fc_tport_priv *tport;
};

struct nvmet_fc_assoc;

/**
 * struct nvmet_fc_tqueue - one connection
 * @assoc: its association
 * @qid: queue id
 * @sqsize: 0's based size from the LS
 * @ersp_ratio: from the LS
 * @nr_rsp: responses sent
 * @rsn: ERSPs sent (their sequence number)
 * @sq: target submission queue
 * @cq: target completion queue
 */
struct nvmet_fc_tqueue {
	struct nvmet_fc_assoc *assoc;
	u16 qid;
	u16 sqsize;
	u16 ersp_ratio;
	atomic_t nr_rsp;
	atomic_t rsn;
	struct nvmet_sq sq;
	struct nvmet_cq cq;
};

/**
 * struct nvmet_fc_assoc - one association
 * @id: association id (low 16 bits zero)
 * @tport: the target port (referenced)
 * @port: the configfs port it was created through
 * @host_handle: the LLDD's cookie for the initiator
 * @entry: on @tport->assocs while not terminating
 * @terminating: killed; no new queue or command
 * @ref: list membership + one per fod
 * @pending: fods received but not yet through nvmet_req_init()
 * @wq: the deletion waits here for @pending
 * @del_work: destroys the queues
 * @queues: by qid
 */
struct nvmet_fc_assoc {
	u64 id;
	struct nvmet_fc_tport_priv *tport;
	struct nvmet_port *port;
	void *host_handle;
	struct list_head entry;
	bool terminating;
	struct kref ref;
	atomic_t pending;
	wait_queue_head_t wq;
	struct work_struct del_work;
	struct nvmet_fc_tqueue *queues[NVMET_FC_MAX_QID + 1];
};

/**
 * struct nvmet_fc_fod - one command exchange
 * @req: the core's request
 * @cmd: the SQE (copied from the IU)
 * @cqe: the completion the core fills
 * @ersp: the response IU
 * @xchg: the LLDD's exchange
 * @queue: the queue
 * @data_len: data length from the IU
 * @iu_flags: the IU's NVME_FC_CMD_READ/WRITE flags
 * @sgl: nvmet_req_alloc_sgl() was called
 * @work: receive / execute / failure work
 */
struct nvmet_fc_fod {
	struct nvmet_req req;
	struct nvme_sqe cmd;
	struct nvme_cqe cqe;
	struct nvme_fc_ersp_iu ersp;
	struct nvmet_fc_fcp_xchg *xchg;
	struct nvmet_fc_tqueue *queue;
	u32 data_len;
	u8 iu_flags;
	bool sgl;
	struct work_struct work;
};

/**
 * struct nvmet_fc_ls_ctx - one LS request being answered
 * @work: processes it
 * @tport: the port (referenced)
 * @host_handle: the initiator
 * @rsp: the LLDD's response exchange
 * @len: request length (0 when longer than any valid request)
 * @rq: copy of the request
 * @rq.raw: as bytes
 * @rq.hdr: its header
 * @rq.conn: (aligns the buffer for the 64-bit ids)
 * @out: the response
 * @out.assoc: LS_ACC of Create Association
 * @out.conn: LS_ACC of Create I/O Connection
 * @out.disc: LS_ACC of Disconnect
 * @out.rjt: LS_RJT
 */
struct nvmet_fc_ls_ctx {
	struct work_struct work;
	struct nvmet_fc_tport_priv *tport;
	void *host_handle;
	struct nvmet_fc_ls_rsp *rsp;
	u32 len;
	union {
		u8 raw[NVME_FC_LS_RQST_MAX];
		struct nvme_fc_ls_hdr hdr;
		struct nvme_fc_ls_create_conn conn;	/* for alignment */
	} rq;
	union {
		struct nvme_fc_ls_create_assoc_acc assoc;
		struct nvme_fc_ls_create_conn_acc conn;
		struct nvme_fc_ls_disconnect_acc disc;
		struct nvme_fc_ls_rjt rjt;
	} out;
};

static DEFINE_MUTEX(nvmet_fc_mutex);
static LIST_HEAD(nvmet_fc_tports);
static LIST_HEAD(nvmet_fc_ports);
static struct workqueue_struct *nvmet_fc_wq;	/* LS and commands */
static struct workqueue_struct *nvmet_fc_del_wq;	/* queue teardown */

static const struct nvmet_fabrics_ops nvmet_fc_tgt_ops;

static struct nvmet_fc_tport_priv *to_tport(struct nvmet_fc_tport *pub)
{
	return container_of(pub, struct nvmet_fc_tport_priv, pub);
}

static void nvmet_fc_tport_release(struct kref *ref)
{
	complete(&container_of(ref, struct nvmet_fc_tport_priv, ref)->freed);
}

static void nvmet_fc_tport_put(struct nvmet_fc_tport_priv *tp)
{
	kref_put(&tp->ref, nvmet_fc_tport_release);
}

/* ------------------------------------------------------------------ */
/* associations and queues                                            */
/* ------------------------------------------------------------------ */

static void nvmet_fc_assoc_release(struct kref *ref)
{
	struct nvmet_fc_assoc *assoc =
		container_of(ref, struct nvmet_fc_assoc, ref);
	struct nvmet_fc_tport_priv *tp = assoc->tport;
	int qid;

	for (qid = 0; qid <= NVMET_FC_MAX_QID; qid++)
		kfree(assoc->queues[qid]);
	kfree(assoc);
	nvmet_fc_tport_put(tp);
}

static void nvmet_fc_assoc_put(struct nvmet_fc_assoc *assoc)
{
	kref_put(&assoc->ref, nvmet_fc_assoc_release);
}

static void nvmet_fc_assoc_del_work(struct work_struct *work)
{
	struct nvmet_fc_assoc *assoc =
		container_of(work, struct nvmet_fc_assoc, del_work);
	int qid;

	wait_event(assoc->wq, !atomic_read(&assoc->pending));
	for (qid = NVMET_FC_MAX_QID; qid >= 0; qid--)
		if (assoc->queues[qid])
			nvmet_sq_destroy(&assoc->queues[qid]->sq);
	nvmet_fc_assoc_put(assoc);
}

/* tport->lock held: stop finding @assoc, destroy it asynchronously */
static void nvmet_fc_assoc_kill_locked(struct nvmet_fc_assoc *assoc)
{
	if (assoc->terminating)
		return;
	assoc->terminating = true;
	list_del(&assoc->entry);
	queue_work(nvmet_fc_del_wq, &assoc->del_work);
}

static struct nvmet_fc_assoc *
nvmet_fc_find_assoc_locked(struct nvmet_fc_tport_priv *tp, u64 id)
{
	struct nvmet_fc_assoc *assoc;

	list_for_each_entry(assoc, &tp->assocs, entry)
		if (assoc->id == id)
			return assoc;
	return NULL;
}

static struct nvmet_fc_tqueue *nvmet_fc_alloc_tqueue(u16 qid, u16 sqsize,
						     u16 ersp_ratio)
{
	struct nvmet_fc_tqueue *q = kzalloc(sizeof(*q), GFP_KERNEL);

	if (!q)
		return NULL;
	q->qid = qid;
	q->sqsize = sqsize;
	q->ersp_ratio = ersp_ratio;
	nvmet_cq_init(&q->cq);
	if (nvmet_sq_init(&q->sq)) {
		kfree(q);
		return NULL;
	}
	return q;
}

static void nvmet_fc_free_tqueue(struct nvmet_fc_tqueue *q)
{
	nvmet_sq_destroy(&q->sq);
	kfree(q);
}

/* Create Association: returns the LS_RJT reason or 0 */
static u8 nvmet_fc_create_assoc(struct nvmet_fc_tport_priv *tp,
				void *host_handle,
				const struct nvme_fc_ls_rqst_info *info,
				u64 *idp)
{
	struct nvmet_fc_assoc *assoc;
	struct nvmet_fc_tqueue *q;
	unsigned long flags;
	u64 id;

	assoc = kzalloc(sizeof(*assoc), GFP_KERNEL);
	if (!assoc)
		return NVME_FC_RJT_RC_NO_RESOURCES;
	q = nvmet_fc_alloc_tqueue(0, info->sqsize, info->ersp_ratio);
	if (!q) {
		kfree(assoc);
		return NVME_FC_RJT_RC_NO_RESOURCES;
	}
	q->assoc = assoc;
	assoc->queues[0] = q;
	assoc->tport = tp;
	assoc->host_handle = host_handle;
	kref_init(&assoc->ref);
	atomic_set(&assoc->pending, 0);
	init_waitqueue_head(&assoc->wq);
	INIT_WORK(&assoc->del_work, nvmet_fc_assoc_del_work);

	spin_lock_irqsave(&tp->lock, flags);
	if (tp->dead || !tp->port) {
		spin_unlock_irqrestore(&tp->lock, flags);
		nvmet_fc_free_tqueue(q);
		kfree(assoc);
		return NVME_FC_RJT_RC_UNABLE;
	}
	do {
		id = get_random_u64() & ~NVME_FC_CONN_QID_MASK;
	} while (!id || nvmet_fc_find_assoc_locked(tp, id));
	assoc->id = id;
	assoc->port = tp->port;
	kref_get(&tp->ref);
	list_add_tail(&assoc->entry, &tp->assocs);
	spin_unlock_irqrestore(&tp->lock, flags);
	*idp = id;
	return 0;
}

/* Create I/O Connection: returns the LS_RJT reason or 0 */
static u8 nvmet_fc_create_conn(struct nvmet_fc_tport_priv *tp,
			       void *host_handle,
			       const struct nvme_fc_ls_rqst_info *info)
{
	struct nvmet_fc_assoc *assoc;
	struct nvmet_fc_tqueue *q;
	unsigned long flags;
	u8 rc = 0;

	if (info->qid > NVMET_FC_MAX_QID)
		return NVME_FC_RJT_RC_INV_PARAM;
	q = nvmet_fc_alloc_tqueue(info->qid, info->sqsize, info->ersp_ratio);
	if (!q)
		return NVME_FC_RJT_RC_NO_RESOURCES;

	spin_lock_irqsave(&tp->lock, flags);
	assoc = nvmet_fc_find_assoc_locked(tp, info->assoc_id);
	if (!assoc || assoc->host_handle != host_handle)
		rc = NVME_FC_RJT_RC_INV_ASSOC;
	else if (assoc->queues[info->qid])
		rc = NVME_FC_RJT_RC_INV_PARAM;
	else
		assoc->queues[info->qid] = q;
	if (!rc)
		q->assoc = assoc;
	spin_unlock_irqrestore(&tp->lock, flags);
	if (rc)
		nvmet_fc_free_tqueue(q);
	return rc;
}

static u8 nvmet_fc_disconnect(struct nvmet_fc_tport_priv *tp,
			      void *host_handle,
			      const struct nvme_fc_ls_rqst_info *info)
{
	struct nvmet_fc_assoc *assoc;
	unsigned long flags;
	u8 rc = 0;

	spin_lock_irqsave(&tp->lock, flags);
	assoc = nvmet_fc_find_assoc_locked(tp, info->assoc_id);
	if (!assoc || assoc->host_handle != host_handle)
		rc = NVME_FC_RJT_RC_INV_ASSOC;
	else
		nvmet_fc_assoc_kill_locked(assoc);
	spin_unlock_irqrestore(&tp->lock, flags);
	return rc;
}

/* ------------------------------------------------------------------ */
/* link services                                                      */
/* ------------------------------------------------------------------ */

static void nvmet_fc_ls_rsp_done(struct nvmet_fc_ls_rsp *rsp)
{
	struct nvmet_fc_ls_ctx *ctx = rsp->nvmet_priv;

	nvmet_fc_tport_put(ctx->tport);
	kfree(ctx);
}

static void nvmet_fc_ls_work(struct work_struct *work)
{
	struct nvmet_fc_ls_ctx *ctx =
		container_of(work, struct nvmet_fc_ls_ctx, work);
	struct nvmet_fc_tport_priv *tp = ctx->tport;
	struct nvme_fc_wire_err err = {
		.reason = "LS request too long",
		.rjt_reason = NVME_FC_RJT_RC_INVAL_CMD,
		.rjt_exp = NVME_FC_RJT_EXP_BAD_LEN,
	};
	struct nvme_fc_ls_rqst_info info = { .cmd = ctx->rq.hdr.cmd };
	struct nvmet_fc_ls_rsp *rsp = ctx->rsp;
	int ret = -EINVAL;
	u64 id = 0;
	u8 rc;

	if (ctx->len)
		ret = nvme_fc_check_ls_rqst(ctx->rq.raw, ctx->len, &info, &err);
	if (ret) {
		pr_err_ratelimited("LS 0x%x refused: %s\n", info.cmd,
				   err.reason);
		rsp->len = nvme_fc_build_rjt(&ctx->out.rjt, info.cmd,
					     err.rjt_reason, err.rjt_exp);
		goto send;
	}
	switch (info.cmd) {
	case NVME_FC_LS_CREATE_ASSOC:
		rc = nvmet_fc_create_assoc(tp, ctx->host_handle, &info, &id);
		if (!rc)
			rsp->len = nvme_fc_build_assoc_acc(&ctx->out.assoc, id,
							   nvme_fc_conn_id(id, 0));
		break;
	case NVME_FC_LS_CREATE_CONN:
		rc = nvmet_fc_create_conn(tp, ctx->host_handle, &info);
		id = nvme_fc_conn_id(info.assoc_id, info.qid);
		if (!rc)
			rsp->len = nvme_fc_build_conn_acc(&ctx->out.conn, id);
		break;
	default:	/* NVME_FC_LS_DISCONNECT, the validator knows no other */
		rc = nvmet_fc_disconnect(tp, ctx->host_handle, &info);
		if (!rc)
			rsp->len = nvme_fc_build_disc_acc(&ctx->out.disc);
		break;
	}
	if (rc) {
		pr_err_ratelimited("LS 0x%x rejected: reason 0x%x\n", info.cmd,
				   rc);
		rsp->len = nvme_fc_build_rjt(&ctx->out.rjt, info.cmd, rc,
					     NVME_FC_RJT_EXP_NONE);
	}
send:
	rsp->buf = &ctx->out;
	rsp->nvmet_priv = ctx;
	rsp->done = nvmet_fc_ls_rsp_done;
	if (tp->ops->ls_rsp(&tp->pub, rsp))
		nvmet_fc_ls_rsp_done(rsp);
}

/**
 * nvmet_fc_rcv_ls() - an LS request arrived
 * @pub: the target port
 * @host_handle: the LLDD's cookie for the initiator
 * @rsp: the LLDD's response exchange
 * @buf: the request (copied)
 * @len: its length
 *
 * Return: 0 (->ls_rsp follows) or -ENOMEM.
 */
int nvmet_fc_rcv_ls(struct nvmet_fc_tport *pub, void *host_handle,
		    struct nvmet_fc_ls_rsp *rsp, const void *buf, u32 len)
{
	struct nvmet_fc_tport_priv *tp = to_tport(pub);
	struct nvmet_fc_ls_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_ATOMIC);
	if (!ctx)
		return -ENOMEM;
	ctx->tport = tp;
	ctx->host_handle = host_handle;
	ctx->rsp = rsp;
	if (len >= sizeof(ctx->rq.hdr))
		ctx->rq.hdr.cmd = *(const u8 *)buf;
	if (len <= sizeof(ctx->rq.raw)) {
		memcpy(ctx->rq.raw, buf, len);
		ctx->len = len;
	}
	INIT_WORK(&ctx->work, nvmet_fc_ls_work);
	kref_get(&tp->ref);
	queue_work(nvmet_fc_wq, &ctx->work);
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_ls);

/* ------------------------------------------------------------------ */
/* command exchanges                                                  */
/* ------------------------------------------------------------------ */

static void nvmet_fc_fod_free(struct nvmet_fc_fod *fod)
{
	struct nvmet_fc_assoc *assoc = fod->queue->assoc;
	struct nvmet_fc_tport_priv *tp = assoc->tport;

	if (fod->sgl)
		nvmet_req_free_sgl(&fod->req);
	tp->ops->fcp_release(&tp->pub, fod->xchg);
	kfree(fod);
	nvmet_fc_assoc_put(assoc);
}

/* end the exchange with no response: the host sees it fail */
static void nvmet_fc_fod_abort(struct nvmet_fc_fod *fod)
{
	struct nvmet_fc_tport_priv *tp = fod->queue->assoc->tport;

	if (tp->ops->fcp_abort)
		tp->ops->fcp_abort(&tp->pub, fod->xchg);
	nvmet_fc_fod_free(fod);
}

static void nvmet_fc_unpend(struct nvmet_fc_assoc *assoc)
{
	if (atomic_dec_and_test(&assoc->pending))
		wake_up(&assoc->wq);
}

static void nvmet_fc_xchg_done(struct nvmet_fc_fcp_xchg *xchg);

static void nvmet_fc_exec_work(struct work_struct *work)
{
	struct nvmet_fc_fod *fod = container_of(work, struct nvmet_fc_fod,
						work);

	nvmet_req_execute(&fod->req);
}

static void nvmet_fc_fail_work(struct work_struct *work)
{
	struct nvmet_fc_fod *fod = container_of(work, struct nvmet_fc_fod,
						work);

	nvmet_req_uninit(&fod->req);
	nvmet_fc_fod_abort(fod);
}

static void nvmet_fc_recv_work(struct work_struct *work)
{
	struct nvmet_fc_fod *fod = container_of(work, struct nvmet_fc_fod,
						work);
	struct nvmet_fc_tqueue *q = fod->queue;
	struct nvmet_fc_assoc *assoc = q->assoc;
	struct nvmet_fc_tport_priv *tp = assoc->tport;
	struct nvmet_fc_fcp_xchg *xchg = fod->xchg;
	struct nvmet_req *req = &fod->req;
	bool ok;

	req->cmd = &fod->cmd;
	req->cqe = &fod->cqe;
	req->port = assoc->port;
	/* a failed init may free the fod (and its reference) at once */
	kref_get(&assoc->ref);
	ok = nvmet_req_init(req, &q->cq, &q->sq, &nvmet_fc_tgt_ops);
	nvmet_fc_unpend(assoc);
	nvmet_fc_assoc_put(assoc);
	if (!ok)
		return;		/* answered through ->queue_response */

	if (req->transfer_len != fod->data_len) {
		pr_err_ratelimited("qid %u: IU data length %u, SGL %u\n",
				   q->qid, fod->data_len, req->transfer_len);
		goto fail;
	}
	if (!fod->data_len) {
		nvmet_req_execute(req);
		return;
	}
	/* the exchange was set up for the direction the IU named */
	if (!!(fod->iu_flags & NVME_FC_CMD_WRITE) != nvmet_req_is_write(req)) {
		pr_err_ratelimited("qid %u: IU direction %#x does not match opcode %#x\n",
				   q->qid, fod->iu_flags, fod->cmd.opc);
		goto fail;
	}
	if (nvmet_req_alloc_sgl(req))
		goto fail;
	fod->sgl = true;
	if (!nvmet_req_is_write(req)) {
		nvmet_req_execute(req);
		return;
	}
	xchg->op = NVMET_FC_OP_WRITEDATA;
	xchg->sg = req->sg;
	xchg->sg_cnt = req->sg_cnt;
	xchg->offset = 0;
	xchg->len = fod->data_len;
	xchg->rsp = NULL;
	xchg->rsp_len = 0;
	xchg->status = 0;
	xchg->xfrd_len = 0;
	xchg->done = nvmet_fc_xchg_done;
	if (!tp->ops->fcp_op(&tp->pub, xchg))
		return;
fail:
	nvmet_req_uninit(req);
	nvmet_fc_fod_abort(fod);
}

static void nvmet_fc_xchg_done(struct nvmet_fc_fcp_xchg *xchg)
{
	struct nvmet_fc_fod *fod = xchg->nvmet_priv;

	if (xchg->op != NVMET_FC_OP_WRITEDATA) {
		/* the response went out (or failed: the host recovers) */
		nvmet_fc_fod_free(fod);
		return;
	}
	if (xchg->status || xchg->xfrd_len != fod->data_len) {
		pr_err_ratelimited("qid %u: write data failed: %d\n",
				   fod->queue->qid, xchg->status);
		INIT_WORK(&fod->work, nvmet_fc_fail_work);
	} else {
		INIT_WORK(&fod->work, nvmet_fc_exec_work);
	}
	queue_work(nvmet_fc_wq, &fod->work);
}

/**
 * nvmet_fc_rcv_fcp() - a command IU arrived
 * @pub: the target port
 * @xchg: the LLDD's exchange
 * @cmd_iu: the IU (copied)
 * @len: its length
 *
 * Return: 0, -EINVAL (malformed IU), -ENOTCONN (no such connection) or
 * -ENOMEM.
 */
int nvmet_fc_rcv_fcp(struct nvmet_fc_tport *pub,
		     struct nvmet_fc_fcp_xchg *xchg, const void *cmd_iu,
		     u32 len)
{
	struct nvmet_fc_tport_priv *tp = to_tport(pub);
	const struct nvme_fc_cmd_iu *iu = cmd_iu;
	struct nvme_fc_wire_err err = { };
	struct nvmet_fc_tqueue *q = NULL;
	struct nvmet_fc_assoc *assoc;
	struct nvmet_fc_fod *fod;
	unsigned long flags;
	u64 conn_id;
	u16 qid;

	if (nvme_fc_check_cmd_iu(cmd_iu, len, NVMET_FC_MAX_XFER, &err)) {
		pr_err_ratelimited("command IU refused: %s\n", err.reason);
		return -EINVAL;
	}
	conn_id = be64_to_cpu(iu->conn_id);
	qid = nvme_fc_conn_qid(conn_id);
	fod = kzalloc(sizeof(*fod), GFP_ATOMIC);
	if (!fod)
		return -ENOMEM;

	spin_lock_irqsave(&tp->lock, flags);
	assoc = nvmet_fc_find_assoc_locked(tp, nvme_fc_conn_assoc(conn_id));
	if (assoc && qid <= NVMET_FC_MAX_QID)
		q = assoc->queues[qid];
	if (q) {
		kref_get(&assoc->ref);
		atomic_inc(&assoc->pending);
	}
	spin_unlock_irqrestore(&tp->lock, flags);
	if (!q) {
		kfree(fod);
		pr_err_ratelimited("command for unknown connection 0x%llx\n",
				   conn_id);
		return -ENOTCONN;
	}
	fod->cmd = iu->sqe;
	fod->data_len = be32_to_cpu(iu->data_len);
	fod->iu_flags = iu->flags;
	fod->xchg = xchg;
	fod->queue = q;
	xchg->nvmet_priv = fod;
	INIT_WORK(&fod->work, nvmet_fc_recv_work);
	queue_work(nvmet_fc_wq, &fod->work);
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_fcp);

/* ->queue_response: any context */
static void nvmet_fc_queue_response(struct nvmet_req *req)
{
	struct nvmet_fc_fod *fod = container_of(req, struct nvmet_fc_fod, req);
	struct nvmet_fc_tqueue *q = fod->queue;
	struct nvmet_fc_tport_priv *tp = q->assoc->tport;
	struct nvmet_fc_fcp_xchg *xchg = fod->xchg;
	bool ok = !(le16_to_cpu(req->cqe->status) >> 1);
	bool read = fod->data_len && fod->sgl && !nvmet_req_is_write(req);
	u32 xfrd = 0;

	/* a write executed only after all its data arrived */
	if (fod->sgl && (ok || !read))
		xfrd = fod->data_len;
	if (nvme_fc_ersp_needed(req->cqe, xfrd, fod->data_len,
				(u32)atomic_inc_return(&q->nr_rsp),
				q->ersp_ratio)) {
		nvme_fc_build_ersp(&fod->ersp, (u32)atomic_inc_return(&q->rsn),
				   xfrd, req->cqe);
		xchg->rsp = &fod->ersp;
		xchg->rsp_len = sizeof(fod->ersp);
	} else {
		xchg->rsp = NULL;
		xchg->rsp_len = 0;
	}
	if (read && ok) {
		xchg->op = NVMET_FC_OP_READDATA_RSP;
		xchg->sg = req->sg;
		xchg->sg_cnt = req->sg_cnt;
		xchg->len = fod->data_len;
	} else {
		xchg->op = NVMET_FC_OP_RSP;
		xchg->sg = NULL;
		xchg->sg_cnt = 0;
		xchg->len = 0;
	}
	xchg->offset = 0;
	xchg->status = 0;
	xchg->xfrd_len = 0;
	xchg->done = nvmet_fc_xchg_done;
	if (tp->ops->fcp_op(&tp->pub, xchg))
		nvmet_fc_fod_abort(fod);
}

/* ------------------------------------------------------------------ */
/* ports and the core's callbacks                                     */
/* ------------------------------------------------------------------ */

/* nvmet_fc_mutex held: bind @pe and @tp */
static void nvmet_fc_bind(struct nvmet_fc_port_entry *pe,
			  struct nvmet_fc_tport_priv *tp)
{
	unsigned long flags;

	pe->tport = tp;
	spin_lock_irqsave(&tp->lock, flags);
	tp->port = pe->port;
	spin_unlock_irqrestore(&tp->lock, flags);
}

/* nvmet_fc_mutex held: kill @tp's associations (all, or those of @port) */
static void nvmet_fc_kill_assocs(struct nvmet_fc_tport_priv *tp,
				 struct nvmet_port *port, void *host_handle)
{
	struct nvmet_fc_assoc *assoc, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&tp->lock, flags);
	list_for_each_entry_safe(assoc, tmp, &tp->assocs, entry) {
		if (port && assoc->port != port)
			continue;
		if (host_handle && assoc->host_handle != host_handle)
			continue;
		nvmet_fc_assoc_kill_locked(assoc);
	}
	spin_unlock_irqrestore(&tp->lock, flags);
}

/**
 * nvmet_fc_register_tport() - a target port appears
 * @id: its names
 * @ops: the LLDD's operations
 * @lldd_priv: stored in (*@tportp)->lldd_priv
 * @tportp: the registered port
 *
 * Return: 0, -EINVAL, -EEXIST or -ENOMEM.
 */
int nvmet_fc_register_tport(const struct nvme_fc_port_id *id,
			    const struct nvmet_fc_tgt_ops *ops,
			    void *lldd_priv, struct nvmet_fc_tport **tportp)
{
	struct nvmet_fc_tport_priv *tp, *other;
	struct nvmet_fc_port_entry *pe;

	if (!id->wwnn || !id->wwpn || !ops->ls_rsp || !ops->fcp_op ||
	    !ops->fcp_release)
		return -EINVAL;
	tp = kzalloc(sizeof(*tp), GFP_KERNEL);
	if (!tp)
		return -ENOMEM;
	tp->pub.id = *id;
	tp->pub.lldd_priv = lldd_priv;
	tp->ops = ops;
	spin_lock_init(&tp->lock);
	INIT_LIST_HEAD(&tp->assocs);
	kref_init(&tp->ref);
	init_completion(&tp->freed);

	mutex_lock(&nvmet_fc_mutex);
	list_for_each_entry(other, &nvmet_fc_tports, entry) {
		if (other->pub.id.wwnn == id->wwnn &&
		    other->pub.id.wwpn == id->wwpn) {
			mutex_unlock(&nvmet_fc_mutex);
			kfree(tp);
			return -EEXIST;
		}
	}
	list_add_tail(&tp->entry, &nvmet_fc_tports);
	list_for_each_entry(pe, &nvmet_fc_ports, entry) {
		if (!pe->tport && pe->wwnn == id->wwnn && pe->wwpn == id->wwpn) {
			nvmet_fc_bind(pe, tp);
			break;
		}
	}
	mutex_unlock(&nvmet_fc_mutex);
	*tportp = &tp->pub;
	pr_info("target port wwnn 0x%llx wwpn 0x%llx registered\n", id->wwnn,
		id->wwpn);
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_fc_register_tport);

/**
 * nvmet_fc_unregister_tport() - a target port goes
 * @pub: the port
 *
 * Ends every association and waits until all their exchanges were
 * released by the LLDD.
 */
void nvmet_fc_unregister_tport(struct nvmet_fc_tport *pub)
{
	struct nvmet_fc_tport_priv *tp = to_tport(pub);
	struct nvmet_fc_port_entry *pe;
	unsigned long flags;

	mutex_lock(&nvmet_fc_mutex);
	list_del(&tp->entry);
	list_for_each_entry(pe, &nvmet_fc_ports, entry)
		if (pe->tport == tp)
			pe->tport = NULL;
	spin_lock_irqsave(&tp->lock, flags);
	tp->dead = true;
	tp->port = NULL;
	spin_unlock_irqrestore(&tp->lock, flags);
	nvmet_fc_kill_assocs(tp, NULL, NULL);
	mutex_unlock(&nvmet_fc_mutex);

	nvmet_fc_tport_put(tp);
	wait_for_completion(&tp->freed);
	pr_info("target port wwnn 0x%llx wwpn 0x%llx unregistered\n",
		pub->id.wwnn, pub->id.wwpn);
	kfree(tp);
}
EXPORT_SYMBOL_GPL(nvmet_fc_unregister_tport);

/**
 * nvmet_fc_host_gone() - an initiator left the fabric
 * @pub: the target port
 * @host_handle: the LLDD's cookie for it
 */
void nvmet_fc_host_gone(struct nvmet_fc_tport *pub, void *host_handle)
{
	nvmet_fc_kill_assocs(to_tport(pub), NULL, host_handle);
}
EXPORT_SYMBOL_GPL(nvmet_fc_host_gone);

static int nvmet_fc_add_port(struct nvmet_port *port)
{
	struct nvmet_fc_port_entry *pe, *other;
	struct nvmet_fc_tport_priv *tp;
	u64 wwnn, wwpn;

	if (nvme_fc_parse_traddr(port->traddr, &wwnn, &wwpn)) {
		pr_err_ratelimited("port %u: bad addr_traddr (want nn-0x...:pn-0x...)\n",
				   port->portid);
		return -EINVAL;
	}
	pe = kzalloc(sizeof(*pe), GFP_KERNEL);
	if (!pe)
		return -ENOMEM;
	pe->port = port;
	pe->wwnn = wwnn;
	pe->wwpn = wwpn;

	mutex_lock(&nvmet_fc_mutex);
	list_for_each_entry(other, &nvmet_fc_ports, entry) {
		if (other->wwnn == wwnn && other->wwpn == wwpn) {
			mutex_unlock(&nvmet_fc_mutex);
			kfree(pe);
			return -EADDRINUSE;
		}
	}
	list_add_tail(&pe->entry, &nvmet_fc_ports);
	list_for_each_entry(tp, &nvmet_fc_tports, entry) {
		if (tp->pub.id.wwnn == wwnn && tp->pub.id.wwpn == wwpn) {
			nvmet_fc_bind(pe, tp);
			break;
		}
	}
	port->priv = pe;
	mutex_unlock(&nvmet_fc_mutex);
	return 0;
}

/*
 * Does not wait for the associations to go: the core holds
 * nvmet_config_sem here and a Connect being executed may wait for it.
 */
static void nvmet_fc_remove_port(struct nvmet_port *port)
{
	struct nvmet_fc_port_entry *pe = port->priv;
	struct nvmet_fc_tport_priv *tp;
	unsigned long flags;

	mutex_lock(&nvmet_fc_mutex);
	list_del(&pe->entry);
	tp = pe->tport;
	if (tp) {
		spin_lock_irqsave(&tp->lock, flags);
		tp->port = NULL;
		spin_unlock_irqrestore(&tp->lock, flags);
		nvmet_fc_kill_assocs(tp, port, NULL);
	}
	port->priv = NULL;
	mutex_unlock(&nvmet_fc_mutex);
	kfree(pe);
}

static void nvmet_fc_delete_ctrl(struct nvmet_ctrl *ctrl)
{
	struct nvmet_fc_tport_priv *tp;
	struct nvmet_fc_assoc *assoc, *tmp;
	unsigned long flags;
	int qid;

	mutex_lock(&nvmet_fc_mutex);
	list_for_each_entry(tp, &nvmet_fc_tports, entry) {
		spin_lock_irqsave(&tp->lock, flags);
		list_for_each_entry_safe(assoc, tmp, &tp->assocs, entry) {
			for (qid = 0; qid <= NVMET_FC_MAX_QID; qid++) {
				if (assoc->queues[qid] &&
				    assoc->queues[qid]->sq.ctrl == ctrl) {
					nvmet_fc_assoc_kill_locked(assoc);
					break;
				}
			}
		}
		spin_unlock_irqrestore(&tp->lock, flags);
	}
	mutex_unlock(&nvmet_fc_mutex);
}

/* the Connect of a queue must name the connection it came on */
static u16 nvmet_fc_install_queue(struct nvmet_sq *sq)
{
	struct nvmet_fc_tqueue *q = container_of(sq, struct nvmet_fc_tqueue,
						 sq);

	if (sq->qid != q->qid || sq->size > q->sqsize + 1U) {
		pr_err_ratelimited("Connect qid %u size %u on connection qid %u sqsize %u\n",
				   sq->qid, sq->size, q->qid, q->sqsize);
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}
	return 0;
}

static u8 nvmet_fc_get_mdts(const struct nvmet_ctrl *ctrl)
{
	return NVMET_FC_MDTS;
}

static const struct nvmet_fabrics_ops nvmet_fc_tgt_ops = {
	.owner		= THIS_MODULE,
	.type		= NVMF_TRTYPE_FC,
	.msdbd		= 1,
	.add_port	= nvmet_fc_add_port,
	.remove_port	= nvmet_fc_remove_port,
	.queue_response	= nvmet_fc_queue_response,
	.delete_ctrl	= nvmet_fc_delete_ctrl,
	.install_queue	= nvmet_fc_install_queue,
	.get_mdts	= nvmet_fc_get_mdts,
};

static int __init nvmet_fc_init(void)
{
	int ret = -ENOMEM;

	nvmet_fc_wq = alloc_workqueue("nvmet-fc", WQ_MEM_RECLAIM, 0);
	if (!nvmet_fc_wq)
		return ret;
	nvmet_fc_del_wq = alloc_workqueue("nvmet-fc-del", WQ_MEM_RECLAIM, 0);
	if (!nvmet_fc_del_wq)
		goto out_wq;
	ret = nvmet_register_transport(&nvmet_fc_tgt_ops);
	if (ret)
		goto out_del_wq;
	return 0;

out_del_wq:
	destroy_workqueue(nvmet_fc_del_wq);
out_wq:
	destroy_workqueue(nvmet_fc_wq);
	return ret;
}

static void __exit nvmet_fc_exit(void)
{
	/* LLDDs depend on this module: their target ports are gone */
	nvmet_unregister_transport(&nvmet_fc_tgt_ops);
	flush_workqueue(nvmet_fc_del_wq);
	destroy_workqueue(nvmet_fc_del_wq);
	destroy_workqueue(nvmet_fc_wq);
}

module_init(nvmet_fc_init);
module_exit(nvmet_fc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over Fabrics FC target transport (out-of-tree)");
MODULE_VERSION("0.1");
MODULE_ALIAS("nvmet-transport-2");
