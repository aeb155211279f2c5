// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-fc: the NVMe over Fibre Channel host transport.
 *
 * An FC LLDD registers local ports and the remote ports it can reach
 * (lldd.h).  A controller binds to one (local port, remote port) pair,
 * named by host_traddr= and traddr=.  Every queue is an FC-NVMe
 * connection: the admin queue's Create Association LS makes the
 * association, each I/O queue's Create I/O Connection LS adds one; the
 * Disconnect LS ends the association when the admin queue is freed.
 * The shared fabrics machine (fabrics/fabrics.h) does everything above
 * single queues: Connect, enable, keep-alive, error recovery, reconnect.
 *
 * Path of a read (or a write):
 *   ->queue_rq (nvme_fc_queue_rq): build the SQE (SGL: one transport
 *     data block of the request's length), map the request's pages into
 *     iod->sgt, wrap it in a command IU with the queue's next command
 *     sequence number and hand the exchange to the LLDD (->fcp_send)
 *   the LLDD moves the data and receives the response, then calls
 *     nvme_fc_fcp_done() (any context): the response is either short
 *     (all good, no result: the target sends an ERSP only every
 *     ersp_ratio responses or when it has something to say) or an ERSP
 *     carrying the CQE; it is validated and ends the request.
 *
 * Remote port loss (nvme_fc_unregister_rport): every controller on the
 * port starts error recovery; queue teardown aborts the exchanges still
 * with the LLDD and waits for them.  The machine reconnects when the
 * port comes back; if it stays away for dev_loss_tmo the controllers are
 * deleted (pending I/O then fails).
 *
 * Locking: nvme_fc_lock (mutex) protects the port lists and the
 * controller list.  Calls into the LLDD happen inside an SRCU read
 * section after checking the port is online, so unregistering a port
 * (online = false, synchronize_srcu) guarantees no new call follows.
 */
#define pr_fmt(fmt) "nvme_fc: " fmt

#include <linux/blk-mq.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/wait.h>

#include "../fabrics.h"
#include "lldd.h"
#include "wire.h"

#define NVME_FC_INLINE_SG	2
#define NVME_FC_MAX_SEGMENTS	256
#define NVME_FC_MAX_SECTORS	2048	/* 1 MiB per command */
#define NVME_FC_LS_TIMEOUT	10	/* seconds */
#define NVME_FC_DISC_TIMEOUT	2	/* seconds, Disconnect LS */
/* SGL descriptor type 5h (transport data block), subtype Ah (FC) */
#define NVME_FC_SGL_TYPE	(0x5 << 4 | 0xa)

/* struct nvme_fc_queue.flags */
#define NVME_FC_Q_ALLOCATED	0	/* connection created */
#define NVME_FC_Q_LIVE		1	/* Connect done */

/* struct nvme_fc_iod.state */
enum {
	NVME_FC_IOD_IDLE,
	NVME_FC_IOD_SENT,	/* with the LLDD */
	NVME_FC_IOD_ABORTED,	/* with the LLDD, teardown gave up on it */
};

/**
 * struct nvme_fc_lport_priv - nvme-fc's state of a local port
 * @pub: what the LLDD sees
 * @ops: the LLDD's operations
 * @entry: on nvme_fc_lports
 * @rports: remote ports found through this port
 * @ref: list membership + one per remote port
 */
struct nvme_fc_lport_priv {
	struct nvme_fc_lport pub;
	const struct nvme_fc_host_ops *ops;
	struct list_head entry;
	struct list_head rports;
	struct kref ref;
};

/**
 * struct nvme_fc_rport_priv - nvme-fc's state of a remote port
 * @pub: what the LLDD sees
 * @lport: the local port
 * @entry: on @lport->rports while known (online, or lost < dev_loss_tmo)
 * @listed: on @lport->rports
 * @online: registered; LLDD calls allowed (read under SRCU)
 * @ref: list membership + one per controller
 * @devloss_work: dev_loss_tmo after the loss: delete the controllers
 */
struct nvme_fc_rport_priv {
	struct nvme_fc_rport pub;
	struct nvme_fc_lport_priv *lport;
	struct list_head entry;
	bool listed;
	bool online;
	struct kref ref;
	struct delayed_work devloss_work;
};

struct nvme_fc_ctrl;

/**
 * struct nvme_fc_queue - one queue, one FC-NVMe connection
 * @ctrl: the controller
 * @qid: queue id
 * @flags: NVME_FC_Q_*
 * @conn_id: connection id the target gave
 * @csn: last command sequence number used
 * @inflight: exchanges with the LLDD
 * @wq: stop_queue waits here for @inflight to reach 0 (its lock also
 *	orders the last decrement against the waiter)
 */
struct nvme_fc_queue {
	struct nvme_fc_ctrl *ctrl;
	int qid;
	unsigned long flags;
	u64 conn_id;
	atomic_t csn;
	atomic_t inflight;
	wait_queue_head_t wq;
};

/**
 * struct nvme_fc_ctrl - an NVMe/FC host controller
 * @fctrl: the fabrics controller
 * @entry: on nvme_fc_ctrls
 * @rport: the remote port (referenced)
 * @assoc_id: the association while the admin queue is allocated
 * @queues: admin queue and I/O queues
 * @nr_queues: entries in @queues
 */
struct nvme_fc_ctrl {
	struct nvmf_ctrl fctrl;
	struct list_head entry;
	struct nvme_fc_rport_priv *rport;
	u64 assoc_id;
	struct nvme_fc_queue *queues;
	unsigned int nr_queues;
};

/**
 * struct nvme_fc_iod - per request data
 * @nreq: core part, must be first
 * @queue: the queue
 * @state: NVME_FC_IOD_*
 * @op: the exchange handed to the LLDD
 * @cmd_iu: the command IU
 * @rsp_iu: room for the response IU
 * @sgt: the request's pages
 * @first_sgl: inline scatterlist
 */
struct nvme_fc_iod {
	struct nvme_request nreq;
	struct nvme_fc_queue *queue;
	atomic_t state;
	struct nvme_fc_fcp_op op;
	struct nvme_fc_cmd_iu cmd_iu;
	struct nvme_fc_ersp_iu rsp_iu;
	struct sg_table sgt;
	struct scatterlist first_sgl[NVME_FC_INLINE_SG];
};

/**
 * struct nvme_fc_ls_ctx - one synchronous LS exchange
 * @op: what the LLDD sees
 * @done: completed by the LLDD's ->done
 * @status: its status
 * @rq: the request
 * @rq.assoc: Create Association
 * @rq.conn: Create I/O Connection
 * @rq.disc: Disconnect
 * @rsp: the response
 */
struct nvme_fc_ls_ctx {
	struct nvme_fc_ls_op op;
	struct completion done;
	int status;
	union {
		struct nvme_fc_ls_create_assoc assoc;
		struct nvme_fc_ls_create_conn conn;
		struct nvme_fc_ls_disconnect disc;
	} rq;
	union {
		struct nvme_fc_ls_create_assoc_acc assoc;
		struct nvme_fc_ls_rjt rjt;
		u8 raw[NVME_FC_LS_RSP_MAX];
	} rsp;
};

static DEFINE_MUTEX(nvme_fc_lock);
static LIST_HEAD(nvme_fc_lports);
static LIST_HEAD(nvme_fc_ctrls);
DEFINE_STATIC_SRCU(nvme_fc_srcu);
static struct workqueue_struct *nvme_fc_wq;

static struct nvme_fc_ctrl *to_fc_ctrl(struct nvmf_ctrl *fctrl)
{
	return container_of(fctrl, struct nvme_fc_ctrl, fctrl);
}

static struct nvme_fc_lport_priv *to_lport(struct nvme_fc_lport *pub)
{
	return container_of(pub, struct nvme_fc_lport_priv, pub);
}

static struct nvme_fc_rport_priv *to_rport(struct nvme_fc_rport *pub)
{
	return container_of(pub, struct nvme_fc_rport_priv, pub);
}

/* ------------------------------------------------------------------ */
/* ports                                                              */
/* ------------------------------------------------------------------ */

static void nvme_fc_lport_release(struct kref *ref)
{
	kfree(container_of(ref, struct nvme_fc_lport_priv, ref));
}

static void nvme_fc_rport_release(struct kref *ref)
{
	struct nvme_fc_rport_priv *rp =
		container_of(ref, struct nvme_fc_rport_priv, ref);

	kref_put(&rp->lport->ref, nvme_fc_lport_release);
	kfree(rp);
}

static void nvme_fc_rport_put(struct nvme_fc_rport_priv *rp)
{
	kref_put(&rp->ref, nvme_fc_rport_release);
}

static struct nvme_fc_lport_priv *nvme_fc_find_lport(u64 wwnn, u64 wwpn)
{
	struct nvme_fc_lport_priv *lp;

	lockdep_assert_held(&nvme_fc_lock);
	list_for_each_entry(lp, &nvme_fc_lports, entry)
		if (lp->pub.id.wwnn == wwnn && lp->pub.id.wwpn == wwpn)
			return lp;
	return NULL;
}

static struct nvme_fc_rport_priv *
nvme_fc_find_rport(struct nvme_fc_lport_priv *lp, u64 wwnn, u64 wwpn)
{
	struct nvme_fc_rport_priv *rp;

	lockdep_assert_held(&nvme_fc_lock);
	list_for_each_entry(rp, &lp->rports, entry)
		if (rp->pub.id.wwnn == wwnn && rp->pub.id.wwpn == wwpn)
			return rp;
	return NULL;
}

/**
 * nvme_fc_register_lport() - an LLDD's local port appears
 * @id: its names
 * @ops: the LLDD's operations (must stay valid until unregistered)
 * @lldd_priv: stored in (*@lportp)->lldd_priv
 * @lportp: the registered port
 *
 * Return: 0, -EINVAL, -EEXIST or -ENOMEM.
 */
int nvme_fc_register_lport(const struct nvme_fc_port_id *id,
			   const struct nvme_fc_host_ops *ops, void *lldd_priv,
			   struct nvme_fc_lport **lportp)
{
	struct nvme_fc_lport_priv *lp;

	if (!id->wwnn || !id->wwpn || !ops->ls_send || !ops->fcp_send ||
	    !ops->max_hw_queues)
		return -EINVAL;
	lp = kzalloc(sizeof(*lp), GFP_KERNEL);
	if (!lp)
		return -ENOMEM;
	lp->pub.id = *id;
	lp->pub.lldd_priv = lldd_priv;
	lp->ops = ops;
	INIT_LIST_HEAD(&lp->rports);
	kref_init(&lp->ref);

	mutex_lock(&nvme_fc_lock);
	if (nvme_fc_find_lport(id->wwnn, id->wwpn)) {
		mutex_unlock(&nvme_fc_lock);
		kfree(lp);
		return -EEXIST;
	}
	list_add_tail(&lp->entry, &nvme_fc_lports);
	mutex_unlock(&nvme_fc_lock);
	*lportp = &lp->pub;
	pr_info("local port wwnn 0x%llx wwpn 0x%llx registered\n",
		id->wwnn, id->wwpn);
	return 0;
}
EXPORT_SYMBOL_GPL(nvme_fc_register_lport);

/* the port stayed away (or its local port went): delete its ctrls */
static void nvme_fc_rport_gone(struct nvme_fc_rport_priv *rp)
{
	struct nvme_fc_ctrl *ctrl;
	bool put = false;

	mutex_lock(&nvme_fc_lock);
	if (!rp->online) {
		list_for_each_entry(ctrl, &nvme_fc_ctrls, entry) {
			if (ctrl->rport != rp)
				continue;
			/* a first connect in progress fails on its own */
			if (!test_bit(NVME_CTRL_FLAG_STARTED_ONCE,
				      &ctrl->fctrl.ctrl.flags))
				continue;
			dev_warn(ctrl->fctrl.ctrl.dev,
				 "remote port 0x%llx lost for good, deleting controller\n",
				 rp->pub.id.wwpn);
			nvme_delete_ctrl(&ctrl->fctrl.ctrl);
		}
		if (rp->listed) {
			list_del(&rp->entry);
			rp->listed = false;
			put = true;
		}
	}
	mutex_unlock(&nvme_fc_lock);
	if (put)
		nvme_fc_rport_put(rp);
}

static void nvme_fc_devloss_work(struct work_struct *work)
{
	struct nvme_fc_rport_priv *rp = container_of(to_delayed_work(work),
						     struct nvme_fc_rport_priv,
						     devloss_work);

	nvme_fc_rport_gone(rp);
}

/**
 * nvme_fc_unregister_lport() - an LLDD's local port goes
 * @pub: the port
 *
 * Its remote ports go at once (no dev_loss_tmo grace): their
 * controllers are deleted.
 */
void nvme_fc_unregister_lport(struct nvme_fc_lport *pub)
{
	struct nvme_fc_lport_priv *lp = to_lport(pub);
	struct nvme_fc_rport_priv *rp;

	mutex_lock(&nvme_fc_lock);
	list_del(&lp->entry);
	mutex_unlock(&nvme_fc_lock);

	for (;;) {
		mutex_lock(&nvme_fc_lock);
		rp = list_first_entry_or_null(&lp->rports,
					      struct nvme_fc_rport_priv, entry);
		if (rp)
			kref_get(&rp->ref);
		mutex_unlock(&nvme_fc_lock);
		if (!rp)
			break;
		nvme_fc_unregister_rport(&rp->pub);
		cancel_delayed_work_sync(&rp->devloss_work);
		nvme_fc_rport_gone(rp);
		nvme_fc_rport_put(rp);
	}
	pr_info("local port wwnn 0x%llx wwpn 0x%llx unregistered\n",
		pub->id.wwnn, pub->id.wwpn);
	kref_put(&lp->ref, nvme_fc_lport_release);
}
EXPORT_SYMBOL_GPL(nvme_fc_unregister_lport);

/**
 * nvme_fc_register_rport() - a target port is reachable
 * @pub: the local port it is reachable through
 * @id: its names
 * @dev_loss_tmo: seconds a loss is tolerated
 * @lldd_priv: stored in (*@rportp)->lldd_priv
 * @rportp: the remote port
 *
 * Return: 0, -EINVAL, -EEXIST (already online) or -ENOMEM.
 */
int nvme_fc_register_rport(struct nvme_fc_lport *pub,
			   const struct nvme_fc_port_id *id, u32 dev_loss_tmo,
			   void *lldd_priv, struct nvme_fc_rport **rportp)
{
	struct nvme_fc_lport_priv *lp = to_lport(pub);
	struct nvme_fc_rport_priv *rp, *new;

	if (!id->wwnn || !id->wwpn)
		return -EINVAL;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&nvme_fc_lock);
	rp = nvme_fc_find_rport(lp, id->wwnn, id->wwpn);
	if (rp) {
		kfree(new);
		if (rp->online) {
			mutex_unlock(&nvme_fc_lock);
			return -EEXIST;
		}
		/* back within dev_loss_tmo: the controllers reconnect */
		cancel_delayed_work(&rp->devloss_work);
		pr_info("remote port 0x%llx is back\n", id->wwpn);
	} else {
		rp = new;
		rp->pub.id = *id;
		rp->pub.lport = pub;
		rp->lport = lp;
		kref_init(&rp->ref);
		kref_get(&lp->ref);
		INIT_DELAYED_WORK(&rp->devloss_work, nvme_fc_devloss_work);
		list_add_tail(&rp->entry, &lp->rports);
		rp->listed = true;
	}
	rp->pub.dev_loss_tmo = dev_loss_tmo;
	rp->pub.lldd_priv = lldd_priv;
	WRITE_ONCE(rp->online, true);
	mutex_unlock(&nvme_fc_lock);
	*rportp = &rp->pub;
	return 0;
}
EXPORT_SYMBOL_GPL(nvme_fc_register_rport);

/**
 * nvme_fc_unregister_rport() - a target port became unreachable
 * @pub: the port
 *
 * No LLDD call for it follows.  Its controllers recover; dev_loss_tmo
 * later they are deleted unless it came back.
 */
void nvme_fc_unregister_rport(struct nvme_fc_rport *pub)
{
	struct nvme_fc_rport_priv *rp = to_rport(pub);
	struct nvme_fc_ctrl *ctrl;

	mutex_lock(&nvme_fc_lock);
	if (!rp->online) {
		mutex_unlock(&nvme_fc_lock);
		return;
	}
	WRITE_ONCE(rp->online, false);
	mutex_unlock(&nvme_fc_lock);
	synchronize_srcu(&nvme_fc_srcu);

	mutex_lock(&nvme_fc_lock);
	list_for_each_entry(ctrl, &nvme_fc_ctrls, entry)
		if (ctrl->rport == rp)
			nvmf_error_recovery(&ctrl->fctrl);
	if (rp->listed)
		queue_delayed_work(nvme_fc_wq, &rp->devloss_work,
				   (unsigned long)pub->dev_loss_tmo * HZ);
	mutex_unlock(&nvme_fc_lock);
	pr_info("remote port 0x%llx lost, dev_loss_tmo %us\n", pub->id.wwpn,
		pub->dev_loss_tmo);
}
EXPORT_SYMBOL_GPL(nvme_fc_unregister_rport);

/* ------------------------------------------------------------------ */
/* link services                                                      */
/* ------------------------------------------------------------------ */

static void nvme_fc_ls_done(struct nvme_fc_ls_op *op, int status)
{
	struct nvme_fc_ls_ctx *ctx = container_of(op, struct nvme_fc_ls_ctx,
						  op);

	ctx->status = status;
	complete(&ctx->done);
}

/*
 * Send the LS in @ctx (request @len bytes, command @cmd) and wait.
 * Return: 0 (LS_ACC, @info filled), -ECONNREFUSED (LS_RJT), -EPROTO
 * (malformed answer) or the exchange's errno.
 */
static int nvme_fc_ls_exec(struct nvme_fc_ctrl *ctrl,
			   struct nvme_fc_ls_ctx *ctx, u32 len, u32 timeout,
			   struct nvme_fc_ls_rsp_info *info)
{
	struct nvme_fc_rport_priv *rp = ctrl->rport;
	const struct nvme_fc_host_ops *ops = rp->lport->ops;
	u8 cmd = ((struct nvme_fc_ls_hdr *)&ctx->rq)->cmd;
	struct nvme_fc_wire_err err = { };
	int idx, ret = -ENODEV;

	ctx->op.rqst = &ctx->rq;
	ctx->op.rqst_len = len;
	ctx->op.rsp = &ctx->rsp;
	ctx->op.rsp_len = sizeof(ctx->rsp);
	ctx->op.timeout = timeout;
	ctx->op.done = nvme_fc_ls_done;
	init_completion(&ctx->done);

	idx = srcu_read_lock(&nvme_fc_srcu);
	if (READ_ONCE(rp->online))
		ret = ops->ls_send(&rp->lport->pub, &rp->pub, &ctx->op);
	srcu_read_unlock(&nvme_fc_srcu, idx);
	if (ret)
		return ret;
	if (!wait_for_completion_timeout(&ctx->done, timeout * HZ)) {
		idx = srcu_read_lock(&nvme_fc_srcu);
		if (READ_ONCE(rp->online) && ops->ls_abort)
			ops->ls_abort(&rp->lport->pub, &rp->pub, &ctx->op);
		srcu_read_unlock(&nvme_fc_srcu, idx);
		/* every exchange handed over completes, aborted or not */
		wait_for_completion(&ctx->done);
	}
	if (ctx->status)
		return ctx->status;
	if (ctx->op.rsp_rcvd > sizeof(ctx->rsp))
		ret = -EPROTO;
	else
		ret = nvme_fc_check_ls_rsp(cmd, &ctx->rsp, ctx->op.rsp_rcvd,
					   info, &err);
	if (ret == -EPROTO)
		dev_err_ratelimited(ctrl->fctrl.ctrl.dev,
				    "LS 0x%x: bad response: %s\n", cmd,
				    err.reason ? err.reason : "too long");
	else if (ret == -ECONNREFUSED)
		dev_err_ratelimited(ctrl->fctrl.ctrl.dev,
				    "LS 0x%x rejected: reason 0x%x explanation 0x%x\n",
				    cmd, info->reason, info->explanation);
	return ret;
}

static u16 nvme_fc_ersp_ratio(unsigned int depth)
{
	return (u16)max(1u, depth / 8);
}

static int nvme_fc_create_assoc(struct nvme_fc_ctrl *ctrl,
				struct nvme_fc_queue *q, unsigned int depth)
{
	struct nvmf_ctrl_options *opts = ctrl->fctrl.opts;
	struct nvme_fc_ls_rsp_info info;
	struct nvme_fc_ls_ctx *ctx;
	u32 len;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	len = nvme_fc_build_create_assoc(&ctx->rq.assoc,
					 nvme_fc_ersp_ratio(depth), depth - 1,
					 NVMF_CNTLID_DYNAMIC, opts->hostid,
					 opts->hostnqn,
					 opts->subsysnqn);
	ret = nvme_fc_ls_exec(ctrl, ctx, len, NVME_FC_LS_TIMEOUT, &info);
	kfree(ctx);
	if (ret)
		return ret;
	ctrl->assoc_id = info.assoc_id;
	q->conn_id = info.conn_id;
	return 0;
}

static int nvme_fc_create_conn(struct nvme_fc_ctrl *ctrl,
			       struct nvme_fc_queue *q, unsigned int depth)
{
	struct nvme_fc_ls_rsp_info info;
	struct nvme_fc_ls_ctx *ctx;
	u32 len;
	int ret;

	if (!ctrl->assoc_id)
		return -ENOTCONN;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	len = nvme_fc_build_create_conn(&ctx->rq.conn, ctrl->assoc_id,
					nvme_fc_ersp_ratio(depth), q->qid,
					depth - 1);
	ret = nvme_fc_ls_exec(ctrl, ctx, len, NVME_FC_LS_TIMEOUT, &info);
	kfree(ctx);
	if (ret)
		return ret;
	q->conn_id = info.conn_id;
	return 0;
}

static void nvme_fc_disconnect(struct nvme_fc_ctrl *ctrl)
{
	struct nvme_fc_ls_rsp_info info;
	struct nvme_fc_ls_ctx *ctx;
	u32 len;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return;		/* the target's keep-alive ends it */
	len = nvme_fc_build_disconnect(&ctx->rq.disc, ctrl->assoc_id);
	nvme_fc_ls_exec(ctrl, ctx, len, NVME_FC_DISC_TIMEOUT, &info);
	kfree(ctx);
}

/* ------------------------------------------------------------------ */
/* FCP exchanges                                                      */
/* ------------------------------------------------------------------ */

/* the last exchange of a stopping queue wakes it; see stop_queue */
static void nvme_fc_put_inflight(struct nvme_fc_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->wq.lock, flags);
	if (atomic_dec_and_test(&q->inflight))
		wake_up_locked(&q->wq);
	spin_unlock_irqrestore(&q->wq.lock, flags);
}

static void nvme_fc_complete(struct nvme_fc_iod *iod)
{
	struct nvme_fc_ctrl *ctrl = iod->queue->ctrl;
	struct request *rq = blk_mq_rq_from_pdu(iod);
	struct nvme_fc_fcp_op *op = &iod->op;
	struct nvme_fc_wire_err err = { };
	struct nvme_fc_rsp_info info;
	__le16 status = 0;
	u64 res = 0;

	if (op->status) {
		dev_err_ratelimited(ctrl->fctrl.ctrl.dev,
				    "queue %d: exchange failed: %d\n",
				    iod->queue->qid, op->status);
		goto fail;
	}
	if (op->rsp_rcvd > sizeof(iod->rsp_iu) ||
	    nvme_fc_check_rsp(&iod->rsp_iu, op->rsp_rcvd, op->data_len,
			      iod->nreq.cmd.cid, &info, &err)) {
		dev_err_ratelimited(ctrl->fctrl.ctrl.dev,
				    "queue %d: bad response: %s\n",
				    iod->queue->qid,
				    err.reason ? err.reason : "too long");
		goto fail;
	}
	if (info.ersp && info.xfrd_len != op->xfrd_len) {
		/* the target's count must be what the LLDD really moved */
		dev_err_ratelimited(ctrl->fctrl.ctrl.dev,
				    "queue %d: ERSP says %u bytes, %u moved\n",
				    iod->queue->qid, info.xfrd_len,
				    op->xfrd_len);
		goto fail;
	}
	if (info.ersp) {
		status = info.cqe->status;
		res = le32_to_cpu(info.cqe->dw0) |
		      (u64)le32_to_cpu(info.cqe->dw1) << 32;
	} else if (op->xfrd_len != op->data_len) {
		/* "all good" yet data missing */
		dev_err_ratelimited(ctrl->fctrl.ctrl.dev,
				    "queue %d: short response but %u of %u bytes moved\n",
				    iod->queue->qid, op->xfrd_len,
				    op->data_len);
		goto fail;
	}
	if (!(le16_to_cpu(status) >> 1) && info.xfrd_len != op->data_len) {
		dev_err_ratelimited(ctrl->fctrl.ctrl.dev,
				    "queue %d: success with %u of %u bytes\n",
				    iod->queue->qid, info.xfrd_len,
				    op->data_len);
		goto fail;
	}
	nvme_req_done(rq, status, cpu_to_le64(res));
	return;
fail:
	/* the request stays started; the teardown cancels it */
	nvmf_error_recovery(&ctrl->fctrl);
}

static void nvme_fc_fcp_done(struct nvme_fc_fcp_op *op)
{
	struct nvme_fc_iod *iod = container_of(op, struct nvme_fc_iod, op);
	struct nvme_fc_queue *q = iod->queue;

	if (atomic_xchg(&iod->state, NVME_FC_IOD_IDLE) == NVME_FC_IOD_SENT)
		nvme_fc_complete(iod);
	nvme_fc_put_inflight(q);
}

/* give back the request's scatterlist, if it has one */
static void nvme_fc_free_sgt(struct nvme_fc_iod *iod)
{
	if (iod->sgt.nents) {
		sg_free_table_chained(&iod->sgt, NVME_FC_INLINE_SG);
		iod->sgt.nents = 0;
	}
}

static blk_status_t nvme_fc_queue_rq(struct blk_mq_hw_ctx *hctx,
				     const struct blk_mq_queue_data *bd)
{
	struct nvme_fc_queue *q = hctx->driver_data;
	struct nvme_fc_ctrl *ctrl = q->ctrl;
	struct nvme_fc_rport_priv *rp = ctrl->rport;
	const struct nvme_fc_host_ops *ops = rp->lport->ops;
	struct request *rq = bd->rq;
	struct nvme_fc_iod *iod = blk_mq_rq_to_pdu(rq);
	bool live = test_bit(NVME_FC_Q_LIVE, &q->flags);
	struct nvme_sqe *c = &iod->nreq.cmd;
	struct nvme_fc_fcp_op *op = &iod->op;
	u32 len = 0;
	u8 dir = 0;
	blk_status_t sts;
	int idx, ret = -ENODEV;

	/*
	 * An offline remote port: a Connect or Property Get fails now (the
	 * attempt fails), I/O waits for the port or the recovery.  Retrying
	 * it here would restart its timer for ever.
	 */
	if (!READ_ONCE(rp->online) ||
	    !nvmf_check_ready(&ctrl->fctrl, rq, live) ||
	    unlikely(!test_bit(NVME_FC_Q_ALLOCATED, &q->flags)))
		return nvme_fail_nonready(&ctrl->fctrl.ctrl, rq);

	sts = nvme_setup_cmd(hctx->queue->queuedata, rq);
	if (sts)
		return sts;
	iod->queue = q;
	blk_mq_start_request(rq);

	c->cid = rq->tag;
	c->flags = (c->flags & ~0xc0) | NVME_CMD_PSDT_SGL_MPTR;
	memset(&c->dptr, 0, sizeof(c->dptr));
	c->dptr.sgl.type = NVME_FC_SGL_TYPE;
	iod->sgt.nents = 0;
	memset(op, 0, sizeof(*op));
	if (blk_rq_nr_phys_segments(rq)) {
		iod->sgt.sgl = iod->first_sgl;
		if (sg_alloc_table_chained(&iod->sgt,
					   blk_rq_nr_phys_segments(rq),
					   iod->sgt.sgl, NVME_FC_INLINE_SG)) {
			nvme_cleanup_cmd(rq);
			return BLK_STS_RESOURCE;
		}
		iod->sgt.nents = blk_rq_map_sg(rq->q, rq, iod->sgt.sgl);
		len = blk_rq_payload_bytes(rq);
		c->dptr.sgl.length = cpu_to_le32(len);
		if (rq_data_dir(rq) == WRITE) {
			dir = NVME_FC_CMD_WRITE;
			op->dir = NVME_FC_DIR_WRITE;
		} else {
			dir = NVME_FC_CMD_READ;
			op->dir = NVME_FC_DIR_READ;
		}
		op->sg = iod->sgt.sgl;
		op->sg_cnt = iod->sgt.nents;
	}
	nvme_fc_build_cmd_iu(&iod->cmd_iu, q->conn_id,
			     (u32)atomic_inc_return(&q->csn), len, dir, c);
	op->cmd_iu = &iod->cmd_iu;
	op->cmd_len = sizeof(iod->cmd_iu);
	op->rsp = &iod->rsp_iu;
	op->rsp_len = sizeof(iod->rsp_iu);
	op->data_len = len;
	op->done = nvme_fc_fcp_done;

	atomic_set(&iod->state, NVME_FC_IOD_SENT);
	atomic_inc(&q->inflight);
	idx = srcu_read_lock(&nvme_fc_srcu);
	if (READ_ONCE(rp->online))
		ret = ops->fcp_send(&rp->lport->pub, &rp->pub,
				    q->qid ? (q->qid - 1) % ops->max_hw_queues
					   : 0, op);
	srcu_read_unlock(&nvme_fc_srcu, idx);
	if (likely(!ret))
		return BLK_STS_OK;

	atomic_set(&iod->state, NVME_FC_IOD_IDLE);
	nvme_fc_put_inflight(q);
	nvme_fc_free_sgt(iod);
	nvme_cleanup_cmd(rq);
	if (ret != -EBUSY)
		nvmf_error_recovery(&ctrl->fctrl);
	return BLK_STS_RESOURCE;
}

static void nvme_fc_complete_rq(struct request *rq)
{
	struct nvme_fc_iod *iod = blk_mq_rq_to_pdu(rq);

	nvme_fc_free_sgt(iod);
	nvme_complete_rq(rq);
}

static enum blk_eh_timer_return nvme_fc_timeout(struct request *rq)
{
	struct nvme_fc_iod *iod = blk_mq_rq_to_pdu(rq);

	return nvmf_timeout(&iod->queue->ctrl->fctrl, rq, iod->queue->qid);
}

static int nvme_fc_init_request(struct blk_mq_tag_set *set,
				struct request *rq, unsigned int hctx_idx,
				unsigned int numa_node)
{
	struct nvme_ctrl *nctrl = set->driver_data;
	struct nvme_fc_iod *iod = blk_mq_rq_to_pdu(rq);

	/*
	 * ctrl->admin_tagset is not set yet while the admin set's requests
	 * are initialised: ->queue_rq sets iod->queue from the hctx.
	 */
	iod->nreq.ctrl = nctrl;
	iod->queue = NULL;
	iod->sgt.nents = 0;
	atomic_set(&iod->state, NVME_FC_IOD_IDLE);
	return 0;
}

static int nvme_fc_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			     unsigned int hctx_idx)
{
	struct nvme_fc_ctrl *ctrl = to_fc_ctrl(to_nvmf_ctrl(data));

	hctx->driver_data = &ctrl->queues[hctx_idx + 1];
	return 0;
}

static int nvme_fc_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				   unsigned int hctx_idx)
{
	hctx->driver_data = &to_fc_ctrl(to_nvmf_ctrl(data))->queues[0];
	return 0;
}

static const struct blk_mq_ops nvme_fc_admin_mq_ops = {
	.queue_rq	= nvme_fc_queue_rq,
	.complete	= nvme_fc_complete_rq,
	.init_request	= nvme_fc_init_request,
	.init_hctx	= nvme_fc_init_admin_hctx,
	.timeout	= nvme_fc_timeout,
};

static const struct blk_mq_ops nvme_fc_mq_ops = {
	.queue_rq	= nvme_fc_queue_rq,
	.complete	= nvme_fc_complete_rq,
	.init_request	= nvme_fc_init_request,
	.init_hctx	= nvme_fc_init_hctx,
	.timeout	= nvme_fc_timeout,
	.map_queues	= nvmf_map_queues,
};

/* ------------------------------------------------------------------ */
/* queue ops for the fabrics machine                                  */
/* ------------------------------------------------------------------ */

static int nvme_fc_alloc_queue(struct nvmf_ctrl *fctrl, int qid,
			       unsigned int depth)
{
	struct nvme_fc_ctrl *ctrl = to_fc_ctrl(fctrl);
	struct nvme_fc_queue *q;
	int ret;

	if (qid >= (int)ctrl->nr_queues || depth < 2)
		return -EINVAL;
	q = &ctrl->queues[qid];
	q->ctrl = ctrl;
	q->qid = qid;
	atomic_set(&q->csn, 0);
	atomic_set(&q->inflight, 0);
	if (!READ_ONCE(ctrl->rport->online))
		return -ENODEV;
	if (qid)
		ret = nvme_fc_create_conn(ctrl, q, depth);
	else
		ret = nvme_fc_create_assoc(ctrl, q, depth);
	if (ret)
		return ret;
	set_bit(NVME_FC_Q_ALLOCATED, &q->flags);
	return 0;
}

static void nvme_fc_start_queue(struct nvmf_ctrl *fctrl, int qid)
{
	set_bit(NVME_FC_Q_LIVE, &to_fc_ctrl(fctrl)->queues[qid].flags);
}

static bool nvme_fc_abort_one(struct request *rq, void *data)
{
	struct nvme_fc_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvme_fc_queue *q = data;
	struct nvme_fc_rport_priv *rp = q->ctrl->rport;
	const struct nvme_fc_host_ops *ops = rp->lport->ops;
	int idx;

	if (iod->queue != q ||
	    atomic_cmpxchg(&iod->state, NVME_FC_IOD_SENT,
			   NVME_FC_IOD_ABORTED) != NVME_FC_IOD_SENT)
		return true;
	idx = srcu_read_lock(&nvme_fc_srcu);
	if (READ_ONCE(rp->online) && ops->fcp_abort)
		ops->fcp_abort(&rp->lport->pub, &rp->pub,
			       q->qid ? (q->qid - 1) % ops->max_hw_queues : 0,
			       &iod->op);
	srcu_read_unlock(&nvme_fc_srcu, idx);
	return true;
}

static void nvme_fc_stop_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct nvme_fc_ctrl *ctrl = to_fc_ctrl(fctrl);
	struct nvme_fc_queue *q = &ctrl->queues[qid];
	struct blk_mq_tag_set *set;

	clear_bit(NVME_FC_Q_LIVE, &q->flags);
	if (!test_bit(NVME_FC_Q_ALLOCATED, &q->flags))
		return;
	if (qid)
		set = test_bit(NVMF_CTRL_IO_TAGSET, &fctrl->flags) ?
			&fctrl->io_set : NULL;
	else
		set = test_bit(NVMF_CTRL_ADMIN_TAGSET, &fctrl->flags) ?
			&fctrl->admin_set : NULL;
	if (set)
		blk_mq_tagset_busy_iter(set, nvme_fc_abort_one, q);
	/* the LLDD completes every exchange it was given, aborted or not */
	while (!wait_event_timeout(q->wq, !atomic_read(&q->inflight),
				   10 * HZ))
		dev_warn(fctrl->ctrl.dev, "queue %d: waiting for %d exchanges\n",
			 qid, atomic_read(&q->inflight));
	/* the last put may still hold the lock */
	spin_lock_irq(&q->wq.lock);
	spin_unlock_irq(&q->wq.lock);
}

static void nvme_fc_free_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct nvme_fc_ctrl *ctrl = to_fc_ctrl(fctrl);
	struct nvme_fc_queue *q = &ctrl->queues[qid];

	nvme_fc_stop_queue(fctrl, qid);
	if (!test_and_clear_bit(NVME_FC_Q_ALLOCATED, &q->flags))
		return;
	q->conn_id = 0;
	/* I/O queues go first; the association ends with the admin queue */
	if (!qid && ctrl->assoc_id) {
		nvme_fc_disconnect(ctrl);
		ctrl->assoc_id = 0;
	}
}

static void nvme_fc_free_ctrl(struct nvmf_ctrl *fctrl)
{
	struct nvme_fc_ctrl *ctrl = to_fc_ctrl(fctrl);

	mutex_lock(&nvme_fc_lock);
	list_del(&ctrl->entry);
	mutex_unlock(&nvme_fc_lock);
	nvme_fc_rport_put(ctrl->rport);
	kfree(ctrl->queues);
	kfree(ctrl);
}

static const struct nvmf_queue_ops nvme_fc_queue_ops = {
	.admin_mq_ops	= &nvme_fc_admin_mq_ops,
	.mq_ops		= &nvme_fc_mq_ops,
	.cmd_size	= sizeof(struct nvme_fc_iod),
	.nr_maps	= 1,
	.alloc_queue	= nvme_fc_alloc_queue,
	.start_queue	= nvme_fc_start_queue,
	.stop_queue	= nvme_fc_stop_queue,
	.free_queue	= nvme_fc_free_queue,
	.free_ctrl	= nvme_fc_free_ctrl,
};

static const struct nvme_ctrl_ops nvme_fc_ctrl_ops = {
	NVMF_CTRL_OPS("fc", 0),
};

/* ------------------------------------------------------------------ */
/* controller creation                                                */
/* ------------------------------------------------------------------ */

/* the online remote port named by @opts, referenced */
static struct nvme_fc_rport_priv *
nvme_fc_lookup(struct nvmf_ctrl_options *opts)
{
	struct nvme_fc_lport_priv *lp;
	struct nvme_fc_rport_priv *rp = NULL;
	u64 lnn, lpn, rnn, rpn;

	if (nvme_fc_parse_traddr(opts->traddr, &rnn, &rpn) ||
	    nvme_fc_parse_traddr(opts->host_traddr, &lnn, &lpn)) {
		pr_err_ratelimited("bad traddr or host_traddr (want nn-0x...:pn-0x...)\n");
		return ERR_PTR(-EINVAL);
	}
	mutex_lock(&nvme_fc_lock);
	lp = nvme_fc_find_lport(lnn, lpn);
	if (lp)
		rp = nvme_fc_find_rport(lp, rnn, rpn);
	if (rp && rp->online)
		kref_get(&rp->ref);
	else
		rp = NULL;
	mutex_unlock(&nvme_fc_lock);
	return rp ? rp : ERR_PTR(-ENXIO);
}

static struct nvme_ctrl *nvme_fc_create_ctrl(struct device *dev,
					     struct nvmf_ctrl_options *opts)
{
	struct nvme_fc_rport_priv *rp;
	struct nvme_fc_ctrl *ctrl;
	const struct nvme_fc_host_ops *ops;
	int ret;

	rp = nvme_fc_lookup(opts);
	if (IS_ERR(rp)) {
		kfree(opts);
		return ERR_CAST(rp);
	}
	ops = rp->lport->ops;
	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		goto out_nomem;
	ctrl->nr_queues = 1 + opts->nr_io_queues + opts->nr_write_queues +
			  opts->nr_poll_queues;
	ctrl->queues = kcalloc(ctrl->nr_queues, sizeof(*ctrl->queues),
			       GFP_KERNEL);
	if (!ctrl->queues) {
		kfree(ctrl);
		goto out_nomem;
	}
	for (ret = 0; ret < (int)ctrl->nr_queues; ret++)
		init_waitqueue_head(&ctrl->queues[ret].wq);
	ctrl->rport = rp;
	INIT_LIST_HEAD(&ctrl->entry);
	ctrl->fctrl.ctrl.transport_max_sectors =
		min_t(u32, NVME_FC_MAX_SECTORS,
		      ops->max_xfer_len ? ops->max_xfer_len >> 9 : ~0u);
	ctrl->fctrl.ctrl.transport_max_segments =
		min_t(u32, NVME_FC_MAX_SEGMENTS,
		      ops->max_sgl_segments ? ops->max_sgl_segments : ~0u);

	ret = nvmf_init_ctrl(&ctrl->fctrl, dev, &nvme_fc_ctrl_ops,
			     &nvme_fc_queue_ops, opts);
	if (ret) {
		kfree(ctrl->queues);
		kfree(ctrl);
		nvme_fc_rport_put(rp);
		return ERR_PTR(ret);
	}
	mutex_lock(&nvme_fc_lock);
	list_add_tail(&ctrl->entry, &nvme_fc_ctrls);
	mutex_unlock(&nvme_fc_lock);

	ret = nvmf_setup_ctrl(&ctrl->fctrl);
	if (ret) {
		/* free_ctrl unlists it and drops the port */
		nvmf_abort_ctrl(&ctrl->fctrl);
		return ERR_PTR(ret);
	}
	dev_info(ctrl->fctrl.ctrl.dev, "new fc controller nvme%d to %s via %s, %u I/O queues\n",
		 ctrl->fctrl.ctrl.instance, opts->subsysnqn, opts->traddr,
		 ctrl->fctrl.ctrl.queue_count - 1);
	return &ctrl->fctrl.ctrl;

out_nomem:
	nvme_fc_rport_put(rp);
	kfree(opts);
	return ERR_PTR(-ENOMEM);
}

static struct nvmf_transport_ops nvme_fc_transport = {
	.name		= "fc",
	.module		= THIS_MODULE,
	.required_opts	= NVMF_OPT_TRADDR | NVMF_OPT_HOST_TRADDR,
	.allowed_opts	= NVMF_OPT_RECONNECT_DELAY | NVMF_OPT_CTRL_LOSS_TMO |
			  NVMF_OPT_FAIL_FAST_TMO,
	.create_ctrl	= nvme_fc_create_ctrl,
};

static int __init nvme_fc_init(void)
{
	int ret;

	nvme_fc_wq = alloc_workqueue("nvme-fc", WQ_MEM_RECLAIM, 0);
	if (!nvme_fc_wq)
		return -ENOMEM;
	ret = nvmf_register_transport(&nvme_fc_transport);
	if (ret)
		destroy_workqueue(nvme_fc_wq);
	return ret;
}

static void __exit nvme_fc_exit(void)
{
	nvmf_unregister_transport(&nvme_fc_transport);
	nvmf_delete_all_ctrls("fc");
	/* LLDDs depend on this module: their ports are gone by now */
	WARN_ON(!list_empty(&nvme_fc_lports));
	destroy_workqueue(nvme_fc_wq);
}

module_init(nvme_fc_init);
module_exit(nvme_fc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over Fabrics FC host transport (out-of-tree)");
MODULE_VERSION("0.1");
