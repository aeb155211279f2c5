// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-loop: an NVMe over Fabrics "transport" inside one kernel.
 *
 * The host half is a fabrics controller (fabrics/fabrics.h) whose queues
 * hand each request straight to the target core (target/nvmet.h); the
 * target half is an nvmet transport for ports with addr_trtype=loop.
 * No bytes are copied: the target reads and writes the pages of the
 * host's request through the scatterlist built here.
 *
 * Path of a read:
 *   blk-mq ->queue_rq (nvme_loop_queue_rq): build the command, map the
 *     request's pages into iod->sgt, queue iod->work
 *   iod->work (nvme_loop_exec_work): nvmet_req_init, nvmet_req_execute;
 *     the backend fills the pages
 *   target completion -> ->queue_response (nvme_loop_queue_response, any
 *     context) -> nvme_req_done() -> ->complete -> nvme_complete_rq()
 *
 * A host queue binds to one target port while it is allocated.  Removing
 * the port (remove_port) starts error recovery on every host controller
 * using it and waits until their queues have let go; the shared fabrics
 * machine then keeps reconnecting (and finds the port again if it comes
 * back) until ctrl_loss_tmo.
 */
#include <linux/blk-mq.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "../fabrics.h"
#include "../../target/nvmet.h"

#define NVME_LOOP_INLINE_SG	2
#define NVME_LOOP_MAX_SEGMENTS	256
#define NVME_LOOP_MAX_SECTORS	2048	/* 1 MiB per command */

/* struct nvme_loop_queue.flags */
#define NVME_LOOP_Q_ALLOCATED	0	/* sq initialised, bound to a port */
#define NVME_LOOP_Q_LIVE	1	/* Connect done */

/**
 * struct nvme_loop_port - target side state of an enabled loop port
 * @entry: on nvme_loop_ports
 * @port: the nvmet port
 * @users: one for the enabled port, one per host queue bound to it; the
 *	last put frees it
 * @dead: removed; no new queue binds, commands fail without reaching
 *	the target
 *
 * remove_port does not wait for the queues: it runs under the target's
 * nvmet_config_sem, which a Connect of one of them may be waiting for
 * (and that queue's teardown waits for the Connect).
 */
struct nvme_loop_port {
	struct list_head entry;
	struct nvmet_port *port;
	atomic_t users;
	bool dead;
};

struct nvme_loop_ctrl;

/**
 * struct nvme_loop_queue - one host queue and its target sq/cq
 * @ctrl: owning controller
 * @qid: queue id
 * @flags: NVME_LOOP_Q_*
 * @lport: the port the queue is bound to while allocated
 * @nvme_sq: target submission queue
 * @nvme_cq: target completion queue
 */
struct nvme_loop_queue {
	struct nvme_loop_ctrl *ctrl;
	int qid;
	unsigned long flags;
	struct nvme_loop_port *lport;
	struct nvmet_sq nvme_sq;
	struct nvmet_cq nvme_cq;
};

/**
 * struct nvme_loop_ctrl - a host controller of the loop transport
 * @fctrl: the fabrics controller (embeds struct nvme_ctrl)
 * @entry: on nvme_loop_ctrls
 * @queues: queue 0 (admin) and the I/O queues
 * @nr_queues: entries in @queues
 */
struct nvme_loop_ctrl {
	struct nvmf_ctrl fctrl;
	struct list_head entry;
	struct nvme_loop_queue *queues;
	unsigned int nr_queues;
};

/**
 * struct nvme_loop_iod - per request data
 * @nreq: core part, must be first
 * @req: the target's view of the command
 * @cqe: the completion the target fills
 * @queue: queue of the request
 * @work: runs the command in process context
 * @sgt: the request's pages
 * @first_sgl: inline scatterlist for small requests
 */
struct nvme_loop_iod {
	struct nvme_request nreq;
	struct nvmet_req req;
	struct nvme_cqe cqe;
	struct nvme_loop_queue *queue;
	struct work_struct work;
	struct sg_table sgt;
	struct scatterlist first_sgl[NVME_LOOP_INLINE_SG];
};

static DEFINE_MUTEX(nvme_loop_lock);	/* protects both lists */
static LIST_HEAD(nvme_loop_ports);
static LIST_HEAD(nvme_loop_ctrls);
static struct workqueue_struct *nvme_loop_wq;

static const struct nvmet_fabrics_ops nvme_loop_tgt_ops;

static struct nvme_loop_ctrl *to_loop_ctrl(struct nvmf_ctrl *fctrl)
{
	return container_of(fctrl, struct nvme_loop_ctrl, fctrl);
}

/* ------------------------------------------------------------------ */
/* requests                                                           */
/* ------------------------------------------------------------------ */

static void nvme_loop_queue_response(struct nvmet_req *req)
{
	struct nvme_loop_iod *iod = container_of(req, struct nvme_loop_iod,
						 req);
	struct request *rq = blk_mq_rq_from_pdu(iod);
	struct nvme_cqe *cqe = req->cqe;
	u64 res = le32_to_cpu(cqe->dw0) | (u64)le32_to_cpu(cqe->dw1) << 32;

	nvme_req_done(rq, cqe->status, cpu_to_le64(res));
}

static void nvme_loop_exec_work(struct work_struct *work)
{
	struct nvme_loop_iod *iod = container_of(work, struct nvme_loop_iod,
						 work);
	struct nvme_loop_queue *queue = iod->queue;
	struct nvmet_req *req = &iod->req;

	/*
	 * The port is gone: a path error the host may retry elsewhere, and
	 * recovery (which a controller still connecting gets once live).
	 */
	if (READ_ONCE(queue->lport->dead)) {
		nvme_req_done(blk_mq_rq_from_pdu(iod),
			      cpu_to_le16(NVME_SC_HOST_PATH_ERROR << 1), 0);
		nvmf_error_recovery(&queue->ctrl->fctrl);
		return;
	}
	req->port = queue->lport->port;
	if (!nvmet_req_init(req, &queue->nvme_cq, &queue->nvme_sq,
			    &nvme_loop_tgt_ops))
		return;		/* already answered */
	if (iod->sgt.nents) {
		req->sg = iod->sgt.sgl;
		req->sg_cnt = iod->sgt.nents;
	}
	nvmet_req_execute(req);
}

static blk_status_t nvme_loop_queue_rq(struct blk_mq_hw_ctx *hctx,
				       const struct blk_mq_queue_data *bd)
{
	struct nvme_loop_queue *queue = hctx->driver_data;
	struct nvme_loop_ctrl *ctrl = queue->ctrl;
	struct request *rq = bd->rq;
	struct nvme_loop_iod *iod = blk_mq_rq_to_pdu(rq);
	bool live = test_bit(NVME_LOOP_Q_LIVE, &queue->flags);
	struct nvme_sqe *c = &iod->nreq.cmd;
	blk_status_t ret;

	if (!nvmf_check_ready(&ctrl->fctrl, rq, live))
		return nvme_fail_nonready(&ctrl->fctrl.ctrl, rq);
	if (unlikely(!test_bit(NVME_LOOP_Q_ALLOCATED, &queue->flags)))
		return nvme_fail_nonready(&ctrl->fctrl.ctrl, rq);

	ret = nvme_setup_cmd(hctx->queue->queuedata, rq);
	if (ret)
		return ret;
	blk_mq_start_request(rq);

	c->cid = rq->tag;
	c->flags = (c->flags & ~0xc0) | NVME_CMD_PSDT_SGL_MPTR;
	memset(&c->dptr, 0, sizeof(c->dptr));
	c->dptr.sgl.type = NVME_SGL_TYPE_DATA_BLOCK | NVME_SGL_SUBTYPE_OFFSET;
	iod->sgt.nents = 0;
	if (blk_rq_nr_phys_segments(rq)) {
		iod->sgt.sgl = iod->first_sgl;
		if (sg_alloc_table_chained(&iod->sgt,
					   blk_rq_nr_phys_segments(rq),
					   iod->sgt.sgl, NVME_LOOP_INLINE_SG)) {
			nvme_cleanup_cmd(rq);
			return BLK_STS_RESOURCE;
		}
		iod->sgt.nents = blk_rq_map_sg(rq->q, rq, iod->sgt.sgl);
		c->dptr.sgl.length = cpu_to_le32(blk_rq_payload_bytes(rq));
	}
	queue_work(nvme_loop_wq, &iod->work);
	return BLK_STS_OK;
}

static void nvme_loop_complete_rq(struct request *rq)
{
	struct nvme_loop_iod *iod = blk_mq_rq_to_pdu(rq);

	if (iod->sgt.nents) {
		sg_free_table_chained(&iod->sgt, NVME_LOOP_INLINE_SG);
		iod->sgt.nents = 0;
	}
	nvme_complete_rq(rq);
}

static enum blk_eh_timer_return nvme_loop_timeout(struct request *rq)
{
	struct nvme_loop_iod *iod = blk_mq_rq_to_pdu(rq);

	return nvmf_timeout(&iod->queue->ctrl->fctrl, rq, iod->queue->qid);
}

static int nvme_loop_init_request(struct blk_mq_tag_set *set,
				  struct request *rq, unsigned int hctx_idx,
				  unsigned int numa_node)
{
	struct nvme_ctrl *nctrl = set->driver_data;
	struct nvme_loop_ctrl *ctrl = to_loop_ctrl(to_nvmf_ctrl(nctrl));
	struct nvme_loop_iod *iod = blk_mq_rq_to_pdu(rq);
	/* runs while the tag set is being allocated: compare the set itself */
	unsigned int qid = set == &ctrl->fctrl.admin_set ? 0 : hctx_idx + 1;

	iod->nreq.ctrl = nctrl;
	iod->queue = &ctrl->queues[qid];
	iod->req.cmd = &iod->nreq.cmd;
	iod->req.cqe = &iod->cqe;
	INIT_WORK(&iod->work, nvme_loop_exec_work);
	return 0;
}

static int nvme_loop_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			       unsigned int hctx_idx)
{
	struct nvme_ctrl *nctrl = data;
	struct nvme_loop_ctrl *ctrl = to_loop_ctrl(to_nvmf_ctrl(nctrl));

	hctx->driver_data = &ctrl->queues[hctx_idx + 1];
	return 0;
}

static int nvme_loop_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				     unsigned int hctx_idx)
{
	struct nvme_ctrl *nctrl = data;

	hctx->driver_data = &to_loop_ctrl(to_nvmf_ctrl(nctrl))->queues[0];
	return 0;
}

static const struct blk_mq_ops nvme_loop_admin_mq_ops = {
	.queue_rq	= nvme_loop_queue_rq,
	.complete	= nvme_loop_complete_rq,
	.init_request	= nvme_loop_init_request,
	.init_hctx	= nvme_loop_init_admin_hctx,
	.timeout	= nvme_loop_timeout,
};

static const struct blk_mq_ops nvme_loop_mq_ops = {
	.queue_rq	= nvme_loop_queue_rq,
	.complete	= nvme_loop_complete_rq,
	.init_request	= nvme_loop_init_request,
	.init_hctx	= nvme_loop_init_hctx,
	.timeout	= nvme_loop_timeout,
	.map_queues	= nvmf_map_queues,
};

/* ------------------------------------------------------------------ */
/* queue ops for the fabrics machine                                  */
/* ------------------------------------------------------------------ */

/* the port named by traddr=, or the first loop port; with a user ref */
static struct nvme_loop_port *nvme_loop_get_port(struct nvme_loop_ctrl *ctrl)
{
	struct nvmf_ctrl_options *opts = ctrl->fctrl.opts;
	struct nvme_loop_port *lp, *found = NULL;

	mutex_lock(&nvme_loop_lock);
	/* I/O queues follow the admin queue's port */
	if (ctrl->queues[0].lport && !ctrl->queues[0].lport->dead) {
		found = ctrl->queues[0].lport;
	} else {
		list_for_each_entry(lp, &nvme_loop_ports, entry) {
			if (lp->dead)
				continue;
			if ((opts->mask & NVMF_OPT_TRADDR) &&
			    strcmp(lp->port->traddr, opts->traddr))
				continue;
			found = lp;
			break;
		}
	}
	if (found)
		atomic_inc(&found->users);
	mutex_unlock(&nvme_loop_lock);
	return found;
}

static void nvme_loop_put_port(struct nvme_loop_port *lp)
{
	if (atomic_dec_and_test(&lp->users))
		kfree(lp);
}

static int nvme_loop_alloc_queue(struct nvmf_ctrl *fctrl, int qid,
				 unsigned int depth)
{
	struct nvme_loop_ctrl *ctrl = to_loop_ctrl(fctrl);
	struct nvme_loop_queue *queue = &ctrl->queues[qid];
	struct nvme_loop_port *lp;
	int ret;

	if (qid >= ctrl->nr_queues)
		return -EINVAL;
	lp = nvme_loop_get_port(ctrl);
	if (!lp)
		return -ENODEV;
	queue->ctrl = ctrl;
	queue->qid = qid;
	nvmet_cq_init(&queue->nvme_cq);
	ret = nvmet_sq_init(&queue->nvme_sq);
	if (ret) {
		nvme_loop_put_port(lp);
		return ret;
	}
	queue->lport = lp;
	smp_mb__before_atomic();	/* ->queue_rq reads lport after the bit */
	set_bit(NVME_LOOP_Q_ALLOCATED, &queue->flags);
	return 0;
}

static void nvme_loop_start_queue(struct nvmf_ctrl *fctrl, int qid)
{
	set_bit(NVME_LOOP_Q_LIVE, &to_loop_ctrl(fctrl)->queues[qid].flags);
}

static void nvme_loop_stop_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct nvme_loop_queue *queue = &to_loop_ctrl(fctrl)->queues[qid];

	clear_bit(NVME_LOOP_Q_LIVE, &queue->flags);
	/* waits until every command the target accepted has completed */
	if (test_and_clear_bit(NVME_LOOP_Q_ALLOCATED, &queue->flags)) {
		flush_workqueue(nvme_loop_wq);
		nvmet_sq_destroy(&queue->nvme_sq);
	}
}

static void nvme_loop_free_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct nvme_loop_queue *queue = &to_loop_ctrl(fctrl)->queues[qid];
	struct nvme_loop_port *lp;

	nvme_loop_stop_queue(fctrl, qid);
	/* I/O queues are freed before the admin queue they follow */
	mutex_lock(&nvme_loop_lock);
	lp = queue->lport;
	queue->lport = NULL;
	mutex_unlock(&nvme_loop_lock);
	if (lp)
		nvme_loop_put_port(lp);
}

static void nvme_loop_free_ctrl(struct nvmf_ctrl *fctrl)
{
	struct nvme_loop_ctrl *ctrl = to_loop_ctrl(fctrl);

	/* the target side looks controllers up until here */
	mutex_lock(&nvme_loop_lock);
	list_del_init(&ctrl->entry);
	mutex_unlock(&nvme_loop_lock);
	kfree(ctrl->queues);
	kfree(ctrl);
}

static const struct nvmf_queue_ops nvme_loop_queue_ops = {
	.admin_mq_ops	= &nvme_loop_admin_mq_ops,
	.mq_ops		= &nvme_loop_mq_ops,
	.cmd_size	= sizeof(struct nvme_loop_iod),
	.nr_maps	= 1,
	.alloc_queue	= nvme_loop_alloc_queue,
	.start_queue	= nvme_loop_start_queue,
	.stop_queue	= nvme_loop_stop_queue,
	.free_queue	= nvme_loop_free_queue,
	.free_ctrl	= nvme_loop_free_ctrl,
};

static const struct nvme_ctrl_ops nvme_loop_ctrl_ops = {
	NVMF_CTRL_OPS("loop", 0),
};

/* ------------------------------------------------------------------ */
/* host controller creation                                           */
/* ------------------------------------------------------------------ */

static struct nvme_ctrl *nvme_loop_create_ctrl(struct device *dev,
					       struct nvmf_ctrl_options *opts)
{
	struct nvme_loop_ctrl *ctrl;
	int ret;

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl) {
		kfree(opts);
		return ERR_PTR(-ENOMEM);
	}
	ctrl->nr_queues = 1 + opts->nr_io_queues + opts->nr_write_queues +
			  opts->nr_poll_queues;
	ctrl->queues = kcalloc(ctrl->nr_queues, sizeof(*ctrl->queues),
			       GFP_KERNEL);
	if (!ctrl->queues) {
		kfree(ctrl);
		kfree(opts);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&ctrl->entry);
	ctrl->fctrl.ctrl.transport_max_sectors = NVME_LOOP_MAX_SECTORS;
	ctrl->fctrl.ctrl.transport_max_segments = NVME_LOOP_MAX_SEGMENTS;
	/*
	 * The host's own pages go to the target's backend as they are: keep
	 * them sector aligned, which any backing device or file takes.
	 */
	ctrl->fctrl.ctrl.dma_alignment = SECTOR_SIZE - 1;

	ret = nvmf_init_ctrl(&ctrl->fctrl, dev, &nvme_loop_ctrl_ops,
			     &nvme_loop_queue_ops, opts);
	if (ret) {
		kfree(ctrl->queues);
		kfree(ctrl);
		return ERR_PTR(ret);
	}
	mutex_lock(&nvme_loop_lock);
	list_add_tail(&ctrl->entry, &nvme_loop_ctrls);
	mutex_unlock(&nvme_loop_lock);

	ret = nvmf_setup_ctrl(&ctrl->fctrl);
	if (ret) {
		nvmf_abort_ctrl(&ctrl->fctrl);	/* unlists it, frees it */
		return ERR_PTR(ret);
	}
	dev_info(&ctrl->fctrl.ctrl.cdev_device, "new loop controller nvme%d to %s, %u I/O queues\n",
		 ctrl->fctrl.ctrl.instance, opts->subsysnqn,
		 ctrl->fctrl.ctrl.queue_count - 1);
	return &ctrl->fctrl.ctrl;
}

static struct nvmf_transport_ops nvme_loop_transport = {
	.name		= "loop",
	.module		= THIS_MODULE,
	.allowed_opts	= NVMF_OPT_TRADDR | NVMF_OPT_CTRL_LOSS_TMO |
			  NVMF_OPT_RECONNECT_DELAY | NVMF_OPT_FAIL_FAST_TMO,
	.create_ctrl	= nvme_loop_create_ctrl,
};

/* ------------------------------------------------------------------ */
/* target transport                                                   */
/* ------------------------------------------------------------------ */

static int nvme_loop_add_port(struct nvmet_port *port)
{
	struct nvme_loop_port *lp = kzalloc(sizeof(*lp), GFP_KERNEL);

	if (!lp)
		return -ENOMEM;
	lp->port = port;
	atomic_set(&lp->users, 1);	/* the port's own */
	port->priv = lp;
	mutex_lock(&nvme_loop_lock);
	list_add_tail(&lp->entry, &nvme_loop_ports);
	mutex_unlock(&nvme_loop_lock);
	return 0;
}

/* start recovery on every host controller with a queue on @lp */
static void nvme_loop_kick_users(struct nvme_loop_port *lp)
{
	struct nvme_loop_ctrl *ctrl;
	unsigned int i;

	mutex_lock(&nvme_loop_lock);
	list_for_each_entry(ctrl, &nvme_loop_ctrls, entry) {
		for (i = 0; i < ctrl->nr_queues; i++) {
			if (ctrl->queues[i].lport == lp) {
				nvmf_error_recovery(&ctrl->fctrl);
				break;
			}
		}
	}
	mutex_unlock(&nvme_loop_lock);
}

static void nvme_loop_remove_port(struct nvmet_port *port)
{
	struct nvme_loop_port *lp = port->priv;

	mutex_lock(&nvme_loop_lock);
	WRITE_ONCE(lp->dead, true);
	list_del_init(&lp->entry);
	mutex_unlock(&nvme_loop_lock);

	/*
	 * Every user recovers (one mid-connect sees it once live, or its
	 * commands fail on the dead port); the last one frees @lp.
	 */
	nvme_loop_kick_users(lp);
	port->priv = NULL;
	nvme_loop_put_port(lp);
}

/* the target wants a controller gone: recover (reconnect or give up) */
static void nvme_loop_delete_tgt_ctrl(struct nvmet_ctrl *tctrl)
{
	struct nvme_loop_ctrl *ctrl;
	unsigned int i;

	mutex_lock(&nvme_loop_lock);
	list_for_each_entry(ctrl, &nvme_loop_ctrls, entry) {
		for (i = 0; i < ctrl->nr_queues; i++) {
			if (ctrl->queues[i].nvme_sq.ctrl == tctrl) {
				nvmf_error_recovery(&ctrl->fctrl);
				break;
			}
		}
	}
	mutex_unlock(&nvme_loop_lock);
}

static const struct nvmet_fabrics_ops nvme_loop_tgt_ops = {
	.owner		= THIS_MODULE,
	.type		= NVMF_TRTYPE_LOOP,
	.add_port	= nvme_loop_add_port,
	.remove_port	= nvme_loop_remove_port,
	.queue_response	= nvme_loop_queue_response,
	.delete_ctrl	= nvme_loop_delete_tgt_ctrl,
};

static int __init nvme_loop_init(void)
{
	int ret;

	nvme_loop_wq = alloc_workqueue("nvme-loop", WQ_MEM_RECLAIM, 0);
	if (!nvme_loop_wq)
		return -ENOMEM;
	ret = nvmet_register_transport(&nvme_loop_tgt_ops);
	if (ret)
		goto out_wq;
	ret = nvmf_register_transport(&nvme_loop_transport);
	if (ret)
		goto out_tgt;
	return 0;

out_tgt:
	nvmet_unregister_transport(&nvme_loop_tgt_ops);
out_wq:
	destroy_workqueue(nvme_loop_wq);
	return ret;
}

static void __exit nvme_loop_exit(void)
{
	nvmf_unregister_transport(&nvme_loop_transport);
	nvmf_delete_all_ctrls("loop");
	nvmet_unregister_transport(&nvme_loop_tgt_ops);
	destroy_workqueue(nvme_loop_wq);
}

module_init(nvme_loop_init);
module_exit(nvme_loop_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over Fabrics loop transport (out-of-tree)");
MODULE_VERSION("0.1");
MODULE_ALIAS("nvmet-transport-254");
