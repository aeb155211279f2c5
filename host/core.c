// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-core: controller life cycle, register level enable/disable,
 * admin command helpers, async events and the completion policy shared
 * by every transport.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/pm_qos.h>
#include <linux/slab.h>

#include "nvme.h"
#include "apst.h"

static unsigned int admin_timeout = 60;
module_param(admin_timeout, uint, 0644);
MODULE_PARM_DESC(admin_timeout, "timeout of admin commands in seconds");

static unsigned int io_timeout = 30;
module_param(io_timeout, uint, 0644);
MODULE_PARM_DESC(io_timeout, "timeout of I/O commands in seconds");

static unsigned int shutdown_timeout = 5;
module_param(shutdown_timeout, uint, 0644);
MODULE_PARM_DESC(shutdown_timeout, "seconds to wait for a controller shutdown");

static u8 max_retries = 5;
module_param(max_retries, byte, 0644);
MODULE_PARM_DESC(max_retries, "times a failed I/O is retried");

/* autonomous power state transitions, see apst.c for the rule */
static unsigned long default_ps_max_latency_us = 100000;
module_param(default_ps_max_latency_us, ulong, 0644);
MODULE_PARM_DESC(default_ps_max_latency_us,
		 "largest exit latency of a power state APST may use, in us, for new controllers (per controller: power/pm_qos_latency_tolerance_us)");

static bool force_apst;
module_param(force_apst, bool, 0644);
MODULE_PARM_DESC(force_apst,
		 "use APST and every power state even where a quirk forbids it");

static unsigned long apst_primary_timeout_ms = 100;
module_param(apst_primary_timeout_ms, ulong, 0644);
MODULE_PARM_DESC(apst_primary_timeout_ms,
		 "idle time in ms before APST enters the primary state");

static unsigned long apst_secondary_timeout_ms = 2000;
module_param(apst_secondary_timeout_ms, ulong, 0644);
MODULE_PARM_DESC(apst_secondary_timeout_ms,
		 "idle time in ms before APST enters the secondary state");

static unsigned long apst_primary_latency_tol_us = 15000;
module_param(apst_primary_latency_tol_us, ulong, 0644);
MODULE_PARM_DESC(apst_primary_latency_tol_us,
		 "largest entry + exit latency in us of the primary APST state");

static unsigned long apst_secondary_latency_tol_us = 100000;
module_param(apst_secondary_latency_tol_us, ulong, 0644);
MODULE_PARM_DESC(apst_secondary_latency_tol_us,
		 "largest entry + exit latency in us of the secondary APST state");

/*
 * nvme-core's workqueues: scan and events; resets; controller deletion.
 * nvme-fabrics queues its reconnect, error and keep-alive work on them.
 */
struct workqueue_struct *nvme_delete_wq;
EXPORT_SYMBOL_GPL(nvme_delete_wq);
struct workqueue_struct *nvme_reset_wq;
EXPORT_SYMBOL_GPL(nvme_reset_wq);
struct workqueue_struct *nvme_wq;
EXPORT_SYMBOL_GPL(nvme_wq);

static DEFINE_IDA(nvme_instance_ida);

/* ------------------------------------------------------------------ */
/* state                                                              */
/* ------------------------------------------------------------------ */

/**
 * nvme_change_ctrl_state() - move a controller to @new_state
 * @ctrl: the controller
 * @new_state: where to go
 *
 * Return: true when the transition table allowed the change.
 */
bool nvme_change_ctrl_state(struct nvme_ctrl *ctrl,
			    enum nvme_ctrl_state new_state)
{
	enum nvme_ctrl_state old;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ctrl->lock, flags);
	old = ctrl->state;
	ok = nvme_ctrl_state_may_change(old, new_state);
	if (ok)
		WRITE_ONCE(ctrl->state, new_state);
	spin_unlock_irqrestore(&ctrl->lock, flags);

	if (ok) {
		dev_dbg(ctrl->dev, "state %s -> %s\n", nvme_ctrl_state_name(old),
			nvme_ctrl_state_name(new_state));
		if (new_state == NVME_CTRL_LIVE)
			set_bit(NVME_CTRL_FLAG_STARTED_ONCE, &ctrl->flags);
		wake_up_all(&ctrl->state_wq);
		/*
		 * Bios waiting on a multipath head may use this path now, or
		 * must stop waiting for it: it is not coming back.
		 */
		if (new_state == NVME_CTRL_LIVE ||
		    new_state == NVME_CTRL_DELETING ||
		    new_state == NVME_CTRL_DELETING_NOIO ||
		    new_state == NVME_CTRL_DEAD)
			nvme_mpath_kick(ctrl);
	}
	return ok;
}
EXPORT_SYMBOL_GPL(nvme_change_ctrl_state);

/**
 * nvme_reset_ctrl() - schedule the transport's reset work
 * @ctrl: the controller
 *
 * Return: 0, or -EBUSY when the controller cannot be reset now.
 */
int nvme_reset_ctrl(struct nvme_ctrl *ctrl)
{
	bool queued = false;

	if (nvme_change_ctrl_state(ctrl, NVME_CTRL_RESETTING))
		queued = queue_work(nvme_reset_wq, &ctrl->reset_work);
	return queued ? 0 : -EBUSY;
}
EXPORT_SYMBOL_GPL(nvme_reset_ctrl);

/**
 * nvme_reset_ctrl_sync() - reset and wait until the reset work ran
 * @ctrl: the controller
 *
 * Return: 0 when the controller came back live, else a negative errno.
 */
int nvme_reset_ctrl_sync(struct nvme_ctrl *ctrl)
{
	int ret = nvme_reset_ctrl(ctrl);

	if (!ret) {
		flush_work(&ctrl->reset_work);
		if (nvme_ctrl_state(ctrl) != NVME_CTRL_LIVE)
			ret = -ENETRESET;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(nvme_reset_ctrl_sync);

static void nvme_delete_work(struct work_struct *work)
{
	struct nvme_ctrl *ctrl = container_of(work, struct nvme_ctrl,
					      delete_work);

	ctrl->ops->delete_ctrl(ctrl);
	nvme_uninit_ctrl(ctrl);
	nvme_put_ctrl(ctrl);
}

/**
 * nvme_delete_ctrl() - start deleting a controller in the background
 * @ctrl: the controller
 *
 * Only for transports that set ops->delete_ctrl.
 * Return: 0 or -EBUSY when the controller is already going away.
 */
int nvme_delete_ctrl(struct nvme_ctrl *ctrl)
{
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING))
		return -EBUSY;
	/* the work drops the creator's reference when it is done */
	queue_work(nvme_delete_wq, &ctrl->delete_work);
	return 0;
}
EXPORT_SYMBOL_GPL(nvme_delete_ctrl);

/**
 * nvme_delete_ctrl_sync() - delete a controller and wait for it
 * @ctrl: the controller
 *
 * Runs the transport's callbacks in the caller's context: the caller
 * holds a reference on @ctrl->ops->module across this call and its
 * own last nvme_put_ctrl().
 */
void nvme_delete_ctrl_sync(struct nvme_ctrl *ctrl)
{
	nvme_get_ctrl(ctrl);
	if (nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING))
		nvme_delete_work(&ctrl->delete_work);
	nvme_put_ctrl(ctrl);
}
EXPORT_SYMBOL_GPL(nvme_delete_ctrl_sync);

/* ------------------------------------------------------------------ */
/* registers                                                          */
/* ------------------------------------------------------------------ */

static int nvme_wait_csts(struct nvme_ctrl *ctrl, u32 mask, u32 want,
			  unsigned int timeout_ms, const char *what)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u32 csts;
	int ret;

	for (;;) {
		ret = ctrl->ops->reg_read32(ctrl, NVME_REG_CSTS, &csts);
		if (ret)
			return ret;
		if (csts == ~0u)
			return -ENODEV;	/* device gone */
		if ((csts & mask) == want)
			return 0;
		if (time_after(jiffies, deadline)) {
			dev_err(ctrl->dev, "%s timed out, CSTS=0x%x\n", what,
				csts);
			return -ENODEV;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		usleep_range(1000, 2000);
	}
}

/**
 * nvme_enable_ctrl() - program CC and wait for CSTS.RDY
 * @ctrl: the controller; admin queue registers are already set up
 *
 * Return: 0 or a negative errno.
 */
int nvme_enable_ctrl(struct nvme_ctrl *ctrl)
{
	unsigned int mps_min;
	u32 cc;
	int ret;

	ret = ctrl->ops->reg_read64(ctrl, NVME_REG_CAP, &ctrl->cap);
	if (ret)
		return ret;
	mps_min = NVME_CAP_MPSMIN(ctrl->cap) + 12;
	if (mps_min > PAGE_SHIFT) {
		dev_err(ctrl->dev, "minimum page size %u larger than host's\n",
			1u << mps_min);
		return -ENODEV;
	}
	ctrl->page_size = 1u << 12;

	/*
	 * A controller with I/O command sets enables them all; namespaces
	 * of sets the host does not drive are then skipped by the scan
	 * (nvme_alloc_ns()).
	 */
	cc = nvme_multi_css(ctrl) ? NVME_CC_CSS_CSI : NVME_CC_CSS_NVM;
	cc |= NVME_CC_MPS(12) | NVME_CC_AMS_RR |
	     NVME_CC_IOSQES(NVME_SQE_SHIFT) | NVME_CC_IOCQES(NVME_CQE_SHIFT) |
	     NVME_CC_EN;
	ret = ctrl->ops->reg_write32(ctrl, NVME_REG_CC, cc);
	if (ret)
		return ret;
	return nvme_wait_csts(ctrl, NVME_CSTS_RDY, NVME_CSTS_RDY,
			      (NVME_CAP_TO(ctrl->cap) + 1) * 500, "enable");
}
EXPORT_SYMBOL_GPL(nvme_enable_ctrl);

/**
 * nvme_disable_ctrl() - clear CC.EN, or request an orderly shutdown
 * @ctrl: the controller
 * @shutdown: set CC.SHN and wait for the shutdown to complete
 *
 * Return: 0 or a negative errno.
 */
int nvme_disable_ctrl(struct nvme_ctrl *ctrl, bool shutdown)
{
	u32 cc;
	int ret;

	ret = ctrl->ops->reg_read32(ctrl, NVME_REG_CC, &cc);
	if (ret)
		return ret;
	if (cc == ~0u)
		return -ENODEV;
	if (shutdown) {
		cc = (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL;
		ret = ctrl->ops->reg_write32(ctrl, NVME_REG_CC, cc);
		if (ret)
			return ret;
		return nvme_wait_csts(ctrl, NVME_CSTS_SHST_MASK,
				      NVME_CSTS_SHST_DONE,
				      shutdown_timeout * 1000, "shutdown");
	}
	cc &= ~(NVME_CC_EN | NVME_CC_SHN_MASK);
	ret = ctrl->ops->reg_write32(ctrl, NVME_REG_CC, cc);
	if (ret)
		return ret;
	return nvme_wait_csts(ctrl, NVME_CSTS_RDY, 0,
			      (NVME_CAP_TO(ctrl->cap) + 1) * 500, "disable");
}
EXPORT_SYMBOL_GPL(nvme_disable_ctrl);

/* ------------------------------------------------------------------ */
/* requests and completions                                           */
/* ------------------------------------------------------------------ */

/**
 * nvme_init_request() - prepare a passthrough request with @cmd
 * @rq: a REQ_OP_DRV_IN/OUT request
 * @cmd: the command; cid and data pointers are filled by the transport
 */
void nvme_init_request(struct request *rq, const struct nvme_sqe *cmd)
{
	struct nvme_request *nr = nvme_req(rq);

	nr->cmd = *cmd;
	nr->status = 0;
	nr->retries = 0;
	nr->flags = 0;
	nr->meta = NULL;
	nr->meta_len = 0;
	nr->result = 0;
	if (rq->q == nr->ctrl->admin_q)
		rq->timeout = admin_timeout * HZ;
	else
		rq->timeout = io_timeout * HZ;
}
EXPORT_SYMBOL_GPL(nvme_init_request);

static blk_status_t nvme_setup_dsm(struct nvme_ns *ns, struct request *rq,
				   struct nvme_sqe *c)
{
	unsigned short segs = blk_rq_nr_discard_segments(rq);
	unsigned int shift = ns->lba_shift - SECTOR_SHIFT;
	struct nvme_dsm_range *r;
	unsigned int n = 0;
	struct bio *bio;

	if (WARN_ON_ONCE(segs > NVME_DSM_MAX_RANGES))
		return BLK_STS_IOERR;
	if (segs <= 1) {
		r = &nvme_req(rq)->dsm;
	} else {
		r = kmalloc_array(segs, sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
		if (!r)
			return BLK_STS_RESOURCE;
	}

	/*
	 * One range: the block layer may have merged adjacent discards into
	 * it (one segment, several bios), so it spans the whole request.
	 */
	if (segs > 1) {
		__rq_for_each_bio(bio, rq) {
			if (n == segs)
				break;
			r[n].cattr = 0;
			r[n].nlb = cpu_to_le32(bio->bi_iter.bi_size >>
					       ns->lba_shift);
			r[n].slba = cpu_to_le64(bio->bi_iter.bi_sector >> shift);
			n++;
		}
	}
	if (!n) {
		r[0].cattr = 0;
		r[0].nlb = cpu_to_le32(blk_rq_bytes(rq) >> ns->lba_shift);
		r[0].slba = cpu_to_le64(blk_rq_pos(rq) >> shift);
		n = 1;
	}

	c->opc = NVME_IO_DSM;
	c->cdw10 = cpu_to_le32(n - 1);
	c->cdw11 = cpu_to_le32(NVME_DSM_ATTR_DEALLOCATE);

	rq->special_vec.bv_page = virt_to_page(r);
	rq->special_vec.bv_offset = offset_in_page(r);
	rq->special_vec.bv_len = n * sizeof(*r);
	rq->rq_flags |= RQF_SPECIAL_PAYLOAD;
	return BLK_STS_OK;
}

/**
 * nvme_setup_cmd() - translate a block request into its NVMe command
 * @ns: the namespace (NULL for admin queue requests)
 * @rq: the request
 *
 * Passthrough requests already carry their command.  Transports call
 * this from ->queue_rq and nvme_cleanup_cmd() when the request ends.
 */
blk_status_t nvme_setup_cmd(struct nvme_ns *ns, struct request *rq)
{
	struct nvme_request *nr = nvme_req(rq);
	struct nvme_sqe *c = &nr->cmd;
	u64 slba;
	u32 dw12;

	/*
	 * First dispatch.  Passthrough requests were set up by
	 * nvme_init_request(): their flags (NO_TIMEOUT for the AER, USERCMD)
	 * must survive.
	 */
	if (!(rq->rq_flags & RQF_DONTPREP)) {
		if (!blk_rq_is_passthrough(rq)) {
			nr->retries = 0;
			nr->flags = 0;
		}
		rq->rq_flags |= RQF_DONTPREP;
	}
	nr->status = 0;
	nr->result = 0;

	if (blk_rq_is_passthrough(rq))
		return BLK_STS_OK;
	if (WARN_ON_ONCE(!ns))
		return BLK_STS_IOERR;

	nr->meta = NULL;
	nr->meta_len = 0;
	memset(c, 0, sizeof(*c));
	c->nsid = cpu_to_le32(ns->nsid);
	slba = blk_rq_pos(rq) >> (ns->lba_shift - SECTOR_SHIFT);

	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		c->opc = req_op(rq) == REQ_OP_READ ? NVME_IO_READ :
						     NVME_IO_WRITE;
		c->cdw10 = cpu_to_le32(lower_32_bits(slba));
		c->cdw11 = cpu_to_le32(upper_32_bits(slba));
		dw12 = (blk_rq_bytes(rq) >> ns->lba_shift) - 1;
		if (rq->cmd_flags & REQ_FUA)
			dw12 |= NVME_RW_FUA;
		if (rq->cmd_flags & REQ_FAILFAST_DEV)
			dw12 |= NVME_RW_LR;
		c->cdw12 = cpu_to_le32(dw12);
		return BLK_STS_OK;
	case REQ_OP_FLUSH:
		c->opc = NVME_IO_FLUSH;
		return BLK_STS_OK;
	case REQ_OP_WRITE_ZEROES:
		c->opc = NVME_IO_WRITE_ZEROES;
		c->cdw10 = cpu_to_le32(lower_32_bits(slba));
		c->cdw11 = cpu_to_le32(upper_32_bits(slba));
		c->cdw12 = cpu_to_le32((blk_rq_bytes(rq) >> ns->lba_shift) - 1);
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
		return nvme_setup_dsm(ns, rq, c);
	default:
		return BLK_STS_NOTSUPP;
	}
}
EXPORT_SYMBOL_GPL(nvme_setup_cmd);

/**
 * nvme_cleanup_cmd() - free what nvme_setup_cmd() allocated
 * @rq: the request, after the transport unmapped its data
 */
void nvme_cleanup_cmd(struct request *rq)
{
	if (rq->rq_flags & RQF_SPECIAL_PAYLOAD) {
		void *r = bvec_virt(&rq->special_vec);

		if (r != &nvme_req(rq)->dsm)
			kfree(r);
		rq->rq_flags &= ~RQF_SPECIAL_PAYLOAD;
	}
}
EXPORT_SYMBOL_GPL(nvme_cleanup_cmd);

/**
 * nvme_status_to_blk() - block layer status for an NVMe status field
 * @status: status field (without the phase bit)
 */
blk_status_t nvme_status_to_blk(u16 status)
{
	switch (NVME_STATUS_CODE(status)) {
	case NVME_SC_SUCCESS:
		return BLK_STS_OK;
	case NVME_SC_INVALID_OPCODE:
	case NVME_SC_INVALID_FIELD:
	case NVME_SC_INVALID_NS:
		return BLK_STS_NOTSUPP;
	case NVME_SC_LBA_RANGE:
	case NVME_SC_CMD_SEQ_ERROR:
		return BLK_STS_TARGET;
	case NVME_SC_CAP_EXCEEDED:
		return BLK_STS_NOSPC;
	case NVME_SC_WRITE_FAULT:
	case NVME_SC_READ_ERROR:
	case NVME_SC_UNWRITTEN_BLOCK:
	case NVME_SC_ACCESS_DENIED:
	case NVME_SC_COMPARE_FAILED:
		return BLK_STS_MEDIUM;
	case NVME_SC_GUARD_CHECK:
	case NVME_SC_APPTAG_CHECK:
	case NVME_SC_REFTAG_CHECK:
		return BLK_STS_PROTECTION;
	case NVME_SC_HOST_PATH_ERROR:
	case NVME_SC_HOST_ABORTED_CMD:
		return BLK_STS_TRANSPORT;
	default:
		return BLK_STS_IOERR;
	}
}
EXPORT_SYMBOL_GPL(nvme_status_to_blk);

static bool nvme_should_retry(struct request *rq)
{
	struct nvme_request *nr = nvme_req(rq);
	enum nvme_ctrl_state state = nvme_ctrl_state(nr->ctrl);

	if (likely(!nr->status) || (nr->status & NVME_STATUS_DNR))
		return false;
	if (blk_rq_is_passthrough(rq) || blk_noretry_request(rq))
		return false;
	if (nr->retries >= max_retries)
		return false;
	if (test_bit(NVME_CTRL_FLAG_FAILFAST, &nr->ctrl->flags))
		return false;
	return state != NVME_CTRL_DEAD && state != NVME_CTRL_DELETING_NOIO;
}

/**
 * nvme_complete_rq() - end or requeue a request after its completion
 * @rq: the request; the transport has released its data mappings
 */
void nvme_complete_rq(struct request *rq)
{
	struct nvme_request *nr = nvme_req(rq);

	nvme_cleanup_cmd(rq);
	/* a path error sends a multipath head's bios to another path */
	if (unlikely(nr->status) && (rq->cmd_flags & REQ_NVME_MPATH) &&
	    !(nr->status & NVME_STATUS_DNR) && !blk_noretry_request(rq) &&
	    (NVME_STATUS_SCT(nr->status) == NVME_SCT_PATH ||
	     blk_queue_dying(rq->q)) &&
	    nvme_mpath_failover(rq))
		return;
	if (unlikely(nvme_should_retry(rq))) {
		nr->retries++;
		blk_mq_requeue_request(rq, true);
		return;
	}
	if (unlikely(nr->status) && !blk_rq_is_passthrough(rq) &&
	    !(nr->flags & NVME_REQ_CANCELLED))
		pr_err_ratelimited("%s: I/O op %u at sector %llu failed, status 0x%x\n",
				   rq->q->disk ? rq->q->disk->disk_name : "nvme",
				   req_op(rq), (u64)blk_rq_pos(rq), nr->status);
	blk_mq_end_request(rq, nvme_status_to_blk(nr->status));
}
EXPORT_SYMBOL_GPL(nvme_complete_rq);

/**
 * nvme_end_batch() - end every request of a completion batch
 * @iob: successful completions collected by nvme_req_done_batch()
 * @release: the transport's per-request unmap, or NULL
 *
 * Requests in a batch completed without error, so none is retried: each
 * is released and the block layer ends them in one go.
 */
void nvme_end_batch(struct io_comp_batch *iob,
		    void (*release)(struct request *rq))
{
	struct request *rq = rq_list_peek(&iob->req_list);

	for (; rq; rq = rq_list_next(rq)) {
		if (release)
			release(rq);
		nvme_cleanup_cmd(rq);
	}
	blk_mq_end_request_batch(iob);
}
EXPORT_SYMBOL_GPL(nvme_end_batch);

/**
 * nvme_ctrl_may_queue() - may @rq go to the controller now?
 * @ctrl: the controller
 * @rq: the request
 * @queue_live: the transport's queue is set up
 *
 * Internal admin commands may flow while the controller is still being
 * set up; everything else needs a live (or draining) controller, except
 * that a PCIe controller finishing a reset takes I/O on the queues it has
 * created again (its reset waits for requeued I/O to drain when the
 * number of queues changed).
 */
bool nvme_ctrl_may_queue(struct nvme_ctrl *ctrl, struct request *rq,
			 bool queue_live)
{
	enum nvme_ctrl_state state = nvme_ctrl_state(ctrl);

	if (unlikely(!queue_live))
		return false;
	if (likely(state == NVME_CTRL_LIVE || state == NVME_CTRL_DELETING))
		return true;
	if (state == NVME_CTRL_CONNECTING && rq->q != ctrl->admin_q &&
	    !(ctrl->ops->flags & NVME_F_FABRICS))
		return true;
	return blk_rq_is_passthrough(rq) &&
	       !(nvme_req(rq)->flags & NVME_REQ_USERCMD) &&
	       (state == NVME_CTRL_NEW || state == NVME_CTRL_CONNECTING);
}
EXPORT_SYMBOL_GPL(nvme_ctrl_may_queue);

/**
 * nvme_fail_nonready() - what ->queue_rq returns when it may not queue
 * @ctrl: the controller
 * @rq: the request
 */
blk_status_t nvme_fail_nonready(struct nvme_ctrl *ctrl, struct request *rq)
{
	enum nvme_ctrl_state state = nvme_ctrl_state(ctrl);

	/* a multipath head's request may go elsewhere instead of waiting */
	if ((rq->cmd_flags & REQ_NVME_MPATH) && !blk_noretry_request(rq)) {
		nvme_req(rq)->status = NVME_SC_HOST_PATH_ERROR;
		nvme_req(rq)->flags |= NVME_REQ_CANCELLED;
		blk_mq_set_request_complete(rq);
		nvme_complete_rq(rq);
		return BLK_STS_OK;
	}
	if (state != NVME_CTRL_DEAD && state != NVME_CTRL_DELETING_NOIO &&
	    state != NVME_CTRL_DELETING && !blk_noretry_request(rq) &&
	    !blk_rq_is_passthrough(rq) &&
	    !test_bit(NVME_CTRL_FLAG_FAILFAST, &ctrl->flags))
		return BLK_STS_RESOURCE;
	nvme_req(rq)->status = NVME_SC_HOST_PATH_ERROR | NVME_STATUS_DNR;
	nvme_req(rq)->flags |= NVME_REQ_CANCELLED;
	return BLK_STS_IOERR;
}
EXPORT_SYMBOL_GPL(nvme_fail_nonready);

/**
 * nvme_cancel_request() - end an outstanding request from the host side
 * @rq: the request
 * @data: unused
 *
 * For blk_mq_tagset_busy_iter().  The request ends with a retryable
 * host status; nvme_complete_rq() decides whether it is retried.
 */
bool nvme_cancel_request(struct request *rq, void *data)
{
	if (blk_mq_request_completed(rq))
		return true;
	nvme_req(rq)->status = NVME_SC_HOST_ABORTED_CMD;
	nvme_req(rq)->flags |= NVME_REQ_CANCELLED;
	blk_mq_complete_request(rq);
	return true;
}
EXPORT_SYMBOL_GPL(nvme_cancel_request);

/**
 * nvme_cancel_tagset() - cancel every outstanding I/O request
 * @ctrl: the controller, its I/O queues stopped
 */
void nvme_cancel_tagset(struct nvme_ctrl *ctrl)
{
	if (!ctrl->tagset)
		return;
	blk_mq_tagset_busy_iter(ctrl->tagset, nvme_cancel_request, ctrl);
	blk_mq_tagset_wait_completed_request(ctrl->tagset);
}
EXPORT_SYMBOL_GPL(nvme_cancel_tagset);

/**
 * nvme_cancel_admin_tagset() - cancel every outstanding admin request
 * @ctrl: the controller, its admin queue stopped
 */
void nvme_cancel_admin_tagset(struct nvme_ctrl *ctrl)
{
	if (!ctrl->admin_tagset)
		return;
	blk_mq_tagset_busy_iter(ctrl->admin_tagset, nvme_cancel_request, ctrl);
	blk_mq_tagset_wait_completed_request(ctrl->admin_tagset);
}
EXPORT_SYMBOL_GPL(nvme_cancel_admin_tagset);

/* ------------------------------------------------------------------ */
/* tag sets and queue control                                         */
/* ------------------------------------------------------------------ */

/**
 * nvme_alloc_admin_tag_set() - tag set and request queue for admin commands
 * @ctrl: the controller
 * @set: storage for the tag set (owned by the transport)
 * @ops: the transport's blk-mq operations
 * @depth: admin queue depth
 * @cmd_size: the transport's per-request size, starting with nvme_request
 *
 * One tag is reserved for the asynchronous event request.
 */
int nvme_alloc_admin_tag_set(struct nvme_ctrl *ctrl,
			     struct blk_mq_tag_set *set,
			     const struct blk_mq_ops *ops,
			     unsigned int depth, unsigned int cmd_size)
{
	int ret;

	*set = (struct blk_mq_tag_set) {
		.ops = ops, .driver_data = ctrl, .cmd_size = cmd_size,
		.numa_node = ctrl->numa_node, .nr_hw_queues = 1,
		.queue_depth = depth, .timeout = admin_timeout * HZ,
		/* the async event request lives on the reserved tag */
		.reserved_tags = 1, .flags = BLK_MQ_F_NO_SCHED,
	};
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;

	ctrl->admin_q = blk_mq_init_queue(set);
	if (IS_ERR(ctrl->admin_q)) {
		ret = PTR_ERR(ctrl->admin_q);
		ctrl->admin_q = NULL;
		blk_mq_free_tag_set(set);
		return ret;
	}
	ctrl->admin_tagset = set;
	return 0;
}
EXPORT_SYMBOL_GPL(nvme_alloc_admin_tag_set);

/**
 * nvme_remove_admin_tag_set() - undo nvme_alloc_admin_tag_set()
 * @ctrl: the controller; no admin request may be outstanding
 *
 * The queue itself stays allocated (and dying) until the controller is
 * released, so that a char device still open sees -ENODEV, not freed
 * memory.
 */
void nvme_remove_admin_tag_set(struct nvme_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = ctrl->admin_tagset;

	if (set) {
		ctrl->admin_tagset = NULL;
		blk_mq_destroy_queue(ctrl->admin_q);
		blk_mq_free_tag_set(set);
	}
}
EXPORT_SYMBOL_GPL(nvme_remove_admin_tag_set);

/**
 * nvme_alloc_io_tag_set() - tag set shared by all namespaces' queues
 * @ctrl: the controller; queue_count and sqsize are set
 * @set: storage for the tag set (owned by the transport)
 * @ops: the transport's blk-mq operations
 * @nr_maps: number of queue maps (default, read, poll)
 * @cmd_size: the transport's per-request size
 */
int nvme_alloc_io_tag_set(struct nvme_ctrl *ctrl, struct blk_mq_tag_set *set,
			  const struct blk_mq_ops *ops, unsigned int nr_maps,
			  unsigned int cmd_size)
{
	/*
	 * A ring in host memory (PCIe) holds one command less than its
	 * entries: a full ring would read as empty, and a full CQ would wait
	 * for a head doorbell the shadow doorbell may never ring.  Fabrics
	 * queues count their commands by capsules; sqsize + 1 of them.
	 */
	u32 depth = nvme_ctrl_is_fabrics(ctrl) ? ctrl->sqsize + 1 : ctrl->sqsize;
	int ret;

	*set = (struct blk_mq_tag_set) {
		.ops = ops, .driver_data = ctrl, .cmd_size = cmd_size,
		.numa_node = ctrl->numa_node,
		.nr_hw_queues = ctrl->queue_count - 1, .nr_maps = nr_maps,
		.queue_depth = min_t(u32, depth, BLK_MQ_MAX_DEPTH),
		.timeout = io_timeout * HZ, .flags = BLK_MQ_F_SHOULD_MERGE,
		/* fabrics: a Connect must get a tag while I/O waits */
		.reserved_tags = nvme_ctrl_is_fabrics(ctrl) ? 1 : 0,
	};
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;
	ctrl->tagset = set;
	return 0;
}
EXPORT_SYMBOL_GPL(nvme_alloc_io_tag_set);

/**
 * nvme_remove_io_tag_set() - free the I/O tag set
 * @ctrl: the controller; all namespaces are removed
 */
void nvme_remove_io_tag_set(struct nvme_ctrl *ctrl)
{
	if (!ctrl->tagset)
		return;
	blk_mq_free_tag_set(ctrl->tagset);
	ctrl->tagset = NULL;
}
EXPORT_SYMBOL_GPL(nvme_remove_io_tag_set);

/**
 * nvme_quiesce_admin_queue() - stop dispatching admin commands
 * @ctrl: the controller
 */
void nvme_quiesce_admin_queue(struct nvme_ctrl *ctrl)
{
	if (ctrl->admin_q &&
	    !test_and_set_bit(NVME_CTRL_FLAG_ADMIN_Q_STOPPED, &ctrl->flags))
		blk_mq_quiesce_queue(ctrl->admin_q);
}
EXPORT_SYMBOL_GPL(nvme_quiesce_admin_queue);

/**
 * nvme_unquiesce_admin_queue() - resume dispatching admin commands
 * @ctrl: the controller
 */
void nvme_unquiesce_admin_queue(struct nvme_ctrl *ctrl)
{
	if (ctrl->admin_q &&
	    test_and_clear_bit(NVME_CTRL_FLAG_ADMIN_Q_STOPPED, &ctrl->flags))
		blk_mq_unquiesce_queue(ctrl->admin_q);
}
EXPORT_SYMBOL_GPL(nvme_unquiesce_admin_queue);

/**
 * nvme_quiesce_io_queues() - stop dispatching on every namespace
 * @ctrl: the controller
 */
void nvme_quiesce_io_queues(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	/* flag and list under ns_lock: nvme_alloc_ns() reads the flag there */
	down_read(&ctrl->ns_lock);
	if (!test_and_set_bit(NVME_CTRL_FLAG_IO_Q_STOPPED, &ctrl->flags))
		list_for_each_entry(ns, &ctrl->namespaces, entry)
			blk_mq_quiesce_queue(ns->queue);
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_quiesce_io_queues);

/**
 * nvme_unquiesce_io_queues() - resume dispatching on every namespace
 * @ctrl: the controller
 */
void nvme_unquiesce_io_queues(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	down_read(&ctrl->ns_lock);
	if (test_and_clear_bit(NVME_CTRL_FLAG_IO_Q_STOPPED, &ctrl->flags))
		list_for_each_entry(ns, &ctrl->namespaces, entry)
			blk_mq_unquiesce_queue(ns->queue);
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_unquiesce_io_queues);

/**
 * nvme_sync_io_queues() - wait for running timeout handlers to return
 * @ctrl: the controller
 *
 * A transport calls this before it cancels what is outstanding, so a
 * timeout handler cannot end a request the cancel has ended already.
 */
void nvme_sync_io_queues(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry)
		blk_sync_queue(ns->queue);
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_sync_io_queues);

/**
 * nvme_start_freeze() - start freezing every namespace queue
 * @ctrl: the controller
 */
void nvme_start_freeze(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry)
		blk_freeze_queue_start(ns->queue);
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_start_freeze);

/**
 * nvme_wait_freeze() - wait until every namespace queue is frozen
 * @ctrl: the controller
 */
void nvme_wait_freeze(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry)
		blk_mq_freeze_queue_wait(ns->queue);
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_wait_freeze);

/**
 * nvme_unfreeze() - undo nvme_start_freeze()
 * @ctrl: the controller
 */
void nvme_unfreeze(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry)
		blk_mq_unfreeze_queue(ns->queue);
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_unfreeze);

/**
 * nvme_mark_namespaces_dead() - fail all new I/O on every namespace
 * @ctrl: the controller, which will not come back
 */
void nvme_mark_namespaces_dead(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry)
		blk_mark_disk_dead(ns->disk);
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_mark_namespaces_dead);

/* ------------------------------------------------------------------ */
/* admin command helpers                                              */
/* ------------------------------------------------------------------ */

/**
 * nvme_run_sync_rq() - run an allocated request and wait for it
 * @rq: a passthrough request, freed here
 * @cmd: its command
 * @result: completion dwords 0 and 1, or NULL
 * @buf: kernel buffer for its data, or NULL
 * @len: data length
 *
 * Return: 0, a positive NVMe status or a negative errno.
 */
int nvme_run_sync_rq(struct request *rq, const struct nvme_sqe *cmd,
		     u64 *result, void *buf, unsigned int len)
{
	blk_status_t sts;
	int ret;

	nvme_init_request(rq, cmd);
	if (buf && len) {
		ret = blk_rq_map_kern(rq->q, rq, buf, len, GFP_KERNEL);
		if (ret)
			goto out;
	}
	sts = blk_execute_rq(rq, false);
	if (nvme_req(rq)->flags & NVME_REQ_CANCELLED)
		ret = -EINTR;
	else if (nvme_req(rq)->status)
		ret = nvme_req(rq)->status;
	else
		ret = blk_status_to_errno(sts);
	if (result)
		*result = le64_to_cpu(nvme_req(rq)->result);
out:
	blk_mq_free_request(rq);
	return ret;
}
EXPORT_SYMBOL_GPL(nvme_run_sync_rq);

static int nvme_execute_sync(struct request_queue *q, struct nvme_sqe *cmd,
			     u64 *result, void *buf, unsigned int len)
{
	struct request *rq;

	rq = blk_mq_alloc_request(q, nvme_opc_host_to_ctrl(cmd->opc) ?
				  REQ_OP_DRV_OUT : REQ_OP_DRV_IN, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	return nvme_run_sync_rq(rq, cmd, result, buf, len);
}

/**
 * nvme_submit_sync_cmd() - run one command and wait for it
 * @q: admin queue or a namespace queue
 * @cmd: the command
 * @buf: kernel buffer for its data, or NULL
 * @len: data length
 *
 * Return: 0, a positive NVMe status or a negative errno.
 */
int nvme_submit_sync_cmd(struct request_queue *q, struct nvme_sqe *cmd,
			 void *buf, unsigned int len)
{
	return nvme_execute_sync(q, cmd, NULL, buf, len);
}
EXPORT_SYMBOL_GPL(nvme_submit_sync_cmd);

/* Identify; @csi matters for CNS values of one I/O command set */
static int nvme_identify_csi(struct nvme_ctrl *ctrl, u8 cns, u32 nsid, u8 csi,
			     void *buf)
{
	struct nvme_sqe c = {
		.opc = NVME_ADM_IDENTIFY,
		.nsid = cpu_to_le32(nsid),
		.cdw10 = cpu_to_le32(cns),
		.cdw11 = cpu_to_le32((u32)csi << 24),
	};

	return nvme_submit_sync_cmd(ctrl->admin_q, &c, buf,
				    NVME_IDENTIFY_DATA_SIZE);
}

/**
 * nvme_identify() - Identify with one CNS value into a 4 KiB buffer
 * @ctrl: the controller
 * @cns: what to identify
 * @nsid: namespace id for namespace specific CNS values
 * @buf: NVME_IDENTIFY_DATA_SIZE bytes
 */
int nvme_identify(struct nvme_ctrl *ctrl, u8 cns, u32 nsid, void *buf)
{
	return nvme_identify_csi(ctrl, cns, nsid, NVME_CSI_NVM, buf);
}
EXPORT_SYMBOL_GPL(nvme_identify);

/*
 * The NVM command set's own limits on Dataset Management and Write Zeroes
 * (Identify CNS 06h).  Asked of I/O controllers only (a controller that
 * reports its type knows CNS values of NVMe 1.4 and later); a controller
 * that does not answer it has no such limits.
 */
static void nvme_init_nvm_limits(struct nvme_ctrl *ctrl)
{
	struct nvme_id_ctrl_nvm *id;
	unsigned int shift;

	ctrl->dmrl = 0;
	ctrl->dmrsl = 0;
	ctrl->dmsl = 0;
	ctrl->max_zeroes_sectors = 0;
	if (ctrl->cntrltype != NVME_CTRL_TYPE_IO)
		return;
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return;
	if (nvme_identify_csi(ctrl, NVME_CNS_CS_CTRL, 0, NVME_CSI_NVM, id))
		goto out;
	ctrl->dmrl = id->dmrl;
	ctrl->dmrsl = le32_to_cpu(id->dmrsl);
	ctrl->dmsl = le64_to_cpu(id->dmsl);
	/* like MDTS: 2^wzsl pages of the minimum page size */
	shift = id->wzsl + NVME_CAP_MPSMIN(ctrl->cap) + 12;
	if (id->wzsl && shift < 32 + SECTOR_SHIFT)
		ctrl->max_zeroes_sectors = 1u << (shift - SECTOR_SHIFT);
out:
	kfree(id);
}

/**
 * nvme_get_log() - Get Log Page
 * @ctrl: the controller
 * @nsid: namespace id or NVME_NSID_ALL
 * @lid: log page id
 * @lsp: log specific field
 * @buf: destination
 * @len: bytes to read, a multiple of 4
 * @offset: byte offset into the log
 */
int nvme_get_log(struct nvme_ctrl *ctrl, u32 nsid, u8 lid, u8 lsp,
		 void *buf, u32 len, u64 offset)
{
	u32 numd = len / 4 - 1;
	struct nvme_sqe c = {
		.opc = NVME_ADM_GET_LOG_PAGE,
		.nsid = cpu_to_le32(nsid),
		.cdw10 = cpu_to_le32(lid | (u32)(lsp & 0x7f) << 8 |
				     (numd & 0xffff) << 16),
		.cdw11 = cpu_to_le32(numd >> 16),
		.cdw12 = cpu_to_le32(lower_32_bits(offset)),
		.cdw13 = cpu_to_le32(upper_32_bits(offset)),
	};

	if (!len || len % 4)
		return -EINVAL;
	return nvme_submit_sync_cmd(ctrl->admin_q, &c, buf, len);
}
EXPORT_SYMBOL_GPL(nvme_get_log);

static int nvme_features(struct nvme_ctrl *ctrl, u8 opc, u8 fid, u32 dw11,
			 u32 *result)
{
	struct nvme_sqe c = {
		.opc = opc,
		.cdw10 = cpu_to_le32(fid),
		.cdw11 = cpu_to_le32(dw11),
	};
	u64 res = 0;
	int ret;

	ret = nvme_execute_sync(ctrl->admin_q, &c, &res, NULL, 0);
	if (ret >= 0 && result)
		*result = lower_32_bits(res);
	return ret;
}

/**
 * nvme_set_features() - Set Features without a data buffer
 * @ctrl: the controller
 * @fid: feature id
 * @dw11: feature value
 * @result: completion dword 0, may be NULL
 */
int nvme_set_features(struct nvme_ctrl *ctrl, u8 fid, u32 dw11, u32 *result)
{
	return nvme_features(ctrl, NVME_ADM_SET_FEATURES, fid, dw11, result);
}
EXPORT_SYMBOL_GPL(nvme_set_features);

/**
 * nvme_get_features() - Get Features without a data buffer
 * @ctrl: the controller
 * @fid: feature id
 * @dw11: feature specific dword 11
 * @result: completion dword 0, may be NULL
 */
int nvme_get_features(struct nvme_ctrl *ctrl, u8 fid, u32 dw11, u32 *result)
{
	return nvme_features(ctrl, NVME_ADM_GET_FEATURES, fid, dw11, result);
}
EXPORT_SYMBOL_GPL(nvme_get_features);

/**
 * nvme_set_queue_count() - ask for I/O queues with Set Features
 * @ctrl: the controller
 * @count: in: I/O queues wanted; out: I/O queues granted (may be 0)
 *
 * A controller that refuses is left with its admin queue only, so that
 * it can still be managed; only transport errors are returned.
 */
int nvme_set_queue_count(struct nvme_ctrl *ctrl, u32 *count)
{
	u32 want = *count - 1, res = 0, sq, cq;
	int ret;

	ret = nvme_set_features(ctrl, NVME_FEAT_NUM_QUEUES,
				want | want << 16, &res);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		dev_err(ctrl->dev, "no I/O queues granted, status 0x%x\n", ret);
		*count = 0;
		return 0;
	}
	sq = (res & 0xffff) + 1;
	cq = (res >> 16) + 1;
	*count = min3(*count, sq, cq);
	return 0;
}
EXPORT_SYMBOL_GPL(nvme_set_queue_count);

static void nvme_config_aen(struct nvme_ctrl *ctrl)
{
	u32 want = ctrl->oaes & (NVME_OAES_NS_ATTR | NVME_OAES_FW_ACTIVATION |
				 NVME_OAES_DISC_CHANGE);
	int ret;

	if (ctrl->ana_log)
		want |= ctrl->oaes & NVME_OAES_ANA_CHANGE;
	if (!want)
		return;
	ret = nvme_set_features(ctrl, NVME_FEAT_ASYNC_EVENT, want, NULL);
	if (ret)
		dev_warn(ctrl->dev, "async event configuration failed: %d\n",
			 ret);
}

/* ------------------------------------------------------------------ */
/* autonomous power state transitions                                 */
/* ------------------------------------------------------------------ */

/*
 * Program the APST table from the saved power states and the current
 * latency limit.  A controller without APSTA is left alone; one whose
 * APST is quirked off gets APSTE 0, in case its firmware turned it on.
 * Failure only costs power: it is logged and the controller goes on.
 */
static void nvme_configure_apst(struct nvme_ctrl *ctrl)
{
	struct nvme_apst_params p = {
		.enabled = ctrl->apst_enabled,
		.no_deepest_ps = ctrl->quirks & NVME_QUIRK_NO_DEEPEST_PS,
		.primary_timeout_ms = READ_ONCE(apst_primary_timeout_ms),
		.secondary_timeout_ms = READ_ONCE(apst_secondary_timeout_ms),
		.primary_tol_us = READ_ONCE(apst_primary_latency_tol_us),
		.secondary_tol_us = READ_ONCE(apst_secondary_latency_tol_us),
	};
	struct nvme_sqe c = {
		.opc = NVME_ADM_SET_FEATURES,
		.cdw10 = cpu_to_le32(NVME_FEAT_AUTO_PST),
	};
	struct nvme_feat_auto_pst *table;
	struct nvme_apst_info info;
	int dw11, ret;

	if (!(ctrl->apsta & NVME_APSTA_SUPPORTED))
		return;
	table = kzalloc(sizeof(*table), GFP_KERNEL);
	if (!table)
		return;

	mutex_lock(&ctrl->apst_lock);
	p.max_latency_us = READ_ONCE(ctrl->ps_max_latency_us);
	dw11 = nvme_apst_build_table(ctrl->psd, ctrl->npss, &p, table, &info);
	if (dw11 < 0) {
		dev_warn(ctrl->dev, "NPSS %u is out of range, APST not used\n",
			 ctrl->npss);
		goto out_unlock;
	}
	if (!dw11)
		dev_dbg(ctrl->dev, "APST off\n");
	else if (info.max_ps < 0)
		dev_dbg(ctrl->dev, "APST on, no power state within %llu us\n",
			p.max_latency_us);
	else
		dev_dbg(ctrl->dev, "APST on: down to PS%d, latency %llu us, table %*phN\n",
			info.max_ps, info.max_lat_us, (int)sizeof(*table),
			table);

	c.cdw11 = cpu_to_le32(dw11);
	ret = nvme_execute_sync(ctrl->admin_q, &c, NULL, table, sizeof(*table));
	if (ret > 0)
		dev_warn(ctrl->dev, "setting APST (feature 0x0c) failed, status 0x%x\n",
			 ret);
	else if (ret)
		dev_warn(ctrl->dev, "setting APST (feature 0x0c) failed: %d\n",
			 ret);
out_unlock:
	mutex_unlock(&ctrl->apst_lock);
	kfree(table);
}

/*
 * dev->power.set_latency_tolerance of the controller device: PM QoS
 * tells the new latency tolerance, i.e. user space wrote
 * power/pm_qos_latency_tolerance_us (0 turns APST off; "auto" and "any"
 * mean no limit).
 */
static void nvme_set_latency_tolerance(struct device *dev, s32 val)
{
	struct nvme_ctrl *ctrl = dev_get_drvdata(dev);
	u64 latency;

	if (val == PM_QOS_LATENCY_TOLERANCE_NO_CONSTRAINT ||
	    val == PM_QOS_LATENCY_ANY)
		latency = U64_MAX;
	else
		latency = val;

	if (READ_ONCE(ctrl->ps_max_latency_us) == latency)
		return;
	WRITE_ONCE(ctrl->ps_max_latency_us, latency);
	/* otherwise the next nvme_init_ctrl_finish() programs it */
	if (nvme_ctrl_state(ctrl) == NVME_CTRL_LIVE)
		nvme_configure_apst(ctrl);
}

/* APST and power state data of Identify Controller */
static void nvme_init_apst(struct nvme_ctrl *ctrl, struct nvme_id_ctrl *id)
{
	bool force = READ_ONCE(force_apst);

	if (force && (ctrl->quirks & NVME_QUIRK_NO_DEEPEST_PS)) {
		dev_warn(ctrl->dev, "nvme_core.force_apst: deepest power state allowed despite the quirk\n");
		ctrl->quirks &= ~NVME_QUIRK_NO_DEEPEST_PS;
	}
	ctrl->npss = id->npss;
	ctrl->apsta = id->apsta;
	memcpy(ctrl->psd, id->psd, sizeof(ctrl->psd));
	if (!(id->apsta & NVME_APSTA_SUPPORTED)) {
		ctrl->apst_enabled = false;
	} else if (ctrl->quirks & NVME_QUIRK_NO_APST) {
		if (force)
			dev_warn(ctrl->dev, "nvme_core.force_apst: APST used despite the quirk\n");
		ctrl->apst_enabled = force;
	} else {
		ctrl->apst_enabled = true;
	}
}

/**
 * nvme_init_ctrl_finish() - learn the controller after each (re)enable
 * @ctrl: the controller, its admin queue working
 *
 * Reads VS and Identify Controller, derives transfer limits, joins the
 * subsystem and configures async events.
 */
int nvme_init_ctrl_finish(struct nvme_ctrl *ctrl)
{
	bool apst_was_enabled = ctrl->apst_enabled;
	struct nvme_id_ctrl *id;
	u32 max_sectors;
	int ret;

	ret = ctrl->ops->reg_read32(ctrl, NVME_REG_VS, &ctrl->vs);
	if (ret)
		return ret;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	ret = nvme_identify(ctrl, NVME_CNS_CTRL, 0, id);
	if (ret) {
		dev_err(ctrl->dev, "Identify Controller failed (%d)\n", ret);
		ret = ret > 0 ? -EIO : ret;
		goto out;
	}

	memcpy(ctrl->serial, id->sn, sizeof(ctrl->serial));
	memcpy(ctrl->model, id->mn, sizeof(ctrl->model));
	memcpy(ctrl->firmware_rev, id->fr, sizeof(ctrl->firmware_rev));
	memcpy(ctrl->subnqn, id->subnqn, sizeof(ctrl->subnqn) - 1);
	ctrl->subnqn[sizeof(ctrl->subnqn) - 1] = '\0';
	ctrl->vid = le16_to_cpu(id->vid);
	ctrl->ssvid = le16_to_cpu(id->ssvid);
	ctrl->cntlid = le16_to_cpu(id->cntlid);
	ctrl->oaes = le32_to_cpu(id->oaes);
	ctrl->ctratt = le32_to_cpu(id->ctratt);
	ctrl->oacs = le16_to_cpu(id->oacs);
	ctrl->oncs = le16_to_cpu(id->oncs);
	ctrl->vwc = id->vwc;
	ctrl->sgls = le32_to_cpu(id->sgls);
	ctrl->nn = le32_to_cpu(id->nn);
	ctrl->kas = le16_to_cpu(id->kas);
	ctrl->cmic = id->cmic;
	ctrl->cntrltype = id->cntrltype;
	ctrl->ioccsz = le32_to_cpu(id->ioccsz);
	ctrl->iorcsz = le32_to_cpu(id->iorcsz);
	ctrl->icdoff = le16_to_cpu(id->icdoff);
	ctrl->maxcmd = le16_to_cpu(id->maxcmd);
	ctrl->msdbd = id->msdbd;
	ctrl->cctemp = le16_to_cpu(id->cctemp);
	ctrl->wctemp = le16_to_cpu(id->wctemp);
	ctrl->anacap = id->anacap;
	ctrl->anatt = id->anatt;
	ctrl->anagrpmax = le32_to_cpu(id->anagrpmax);
	ctrl->nanagrpid = le32_to_cpu(id->nanagrpid);
	ctrl->hmpre = le32_to_cpu(id->hmpre);
	ctrl->hmmin = le32_to_cpu(id->hmmin);
	ctrl->hmminds = le32_to_cpu(id->hmminds);
	ctrl->hmmaxd = le16_to_cpu(id->hmmaxd);
	nvme_init_apst(ctrl, id);

	/* MDTS is a power of two in units of the minimum page size */
	max_sectors = UINT_MAX;
	if (id->mdts) {
		unsigned int shift = id->mdts + NVME_CAP_MPSMIN(ctrl->cap) + 12;

		if (shift < 32 + SECTOR_SHIFT)
			max_sectors = 1u << (shift - SECTOR_SHIFT);
	}
	if (ctrl->transport_max_sectors)
		max_sectors = min(max_sectors, ctrl->transport_max_sectors);
	ctrl->max_hw_sectors = max_sectors;
	ctrl->max_segments = ctrl->transport_max_segments ?: USHRT_MAX;
	/*
	 * With a page-sized virtual boundary every segment but the first and
	 * the last is a whole page: a transfer of max_hw_sectors never needs
	 * more segments than its pages plus one.
	 */
	if (ctrl->virt_boundary_mask)
		ctrl->max_segments = min_t(u32, ctrl->max_segments,
					   ctrl->max_hw_sectors /
					   ((ctrl->virt_boundary_mask + 1) >>
					    SECTOR_SHIFT) + 1);
	blk_queue_max_hw_sectors(ctrl->admin_q, ctrl->max_hw_sectors);
	blk_queue_max_segments(ctrl->admin_q, ctrl->max_segments);
	if (ctrl->virt_boundary_mask)
		blk_queue_virt_boundary(ctrl->admin_q, ctrl->virt_boundary_mask);

	nvme_init_nvm_limits(ctrl);

	ret = nvme_subsys_attach(ctrl);
	if (ret)
		goto out;
	nvme_mpath_init_ana(ctrl);
	nvme_config_aen(ctrl);
	nvme_configure_apst(ctrl);
	/* the PM QoS knob is there while APST is in use (Linux's sysfs) */
	if (ctrl->apst_enabled && !apst_was_enabled)
		dev_pm_qos_expose_latency_tolerance(&ctrl->cdev_device);
	else if (!ctrl->apst_enabled && apst_was_enabled)
		dev_pm_qos_hide_latency_tolerance(&ctrl->cdev_device);
	if (!ctrl->hwmon)
		nvme_hwmon_init(ctrl);
out:
	kfree(id);
	return ret;
}
EXPORT_SYMBOL_GPL(nvme_init_ctrl_finish);

/* ------------------------------------------------------------------ */
/* asynchronous events                                                */
/* ------------------------------------------------------------------ */

static enum rq_end_io_ret nvme_aer_end_io(struct request *rq, blk_status_t err)
{
	struct nvme_ctrl *ctrl = rq->end_io_data;
	struct nvme_request *nr = nvme_req(rq);

	WRITE_ONCE(ctrl->aer_rq, NULL);
	if (err == BLK_STS_OK && !nr->status) {
		WRITE_ONCE(ctrl->aen_result, lower_32_bits(le64_to_cpu(nr->result)));
		set_bit(0, &ctrl->aen_pending);
		queue_work(nvme_wq, &ctrl->aen_work);
	} else if (!(nr->flags & NVME_REQ_CANCELLED) &&
		   NVME_STATUS_CODE(nr->status) != NVME_SC_AER_LIMIT &&
		   NVME_STATUS_CODE(nr->status) != NVME_SC_ABORT_SQ_DELETED) {
		/* (a fabrics target fails its AERs when the queue goes) */
		dev_warn_ratelimited(ctrl->dev, "async event request failed, status 0x%x\n",
				     nr->status);
	}
	return RQ_END_IO_FREE;
}

static void nvme_submit_aer(struct nvme_ctrl *ctrl)
{
	struct nvme_sqe c = { .opc = NVME_ADM_ASYNC_EVENT };
	struct request *rq;

	if (nvme_ctrl_state(ctrl) != NVME_CTRL_LIVE || READ_ONCE(ctrl->aer_rq))
		return;
	rq = blk_mq_alloc_request(ctrl->admin_q, REQ_OP_DRV_IN,
				  BLK_MQ_REQ_RESERVED | BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(rq))
		return;
	nvme_init_request(rq, &c);
	nvme_req(rq)->flags |= NVME_REQ_NO_TIMEOUT;
	rq->end_io = nvme_aer_end_io;
	rq->end_io_data = ctrl;
	WRITE_ONCE(ctrl->aer_rq, rq);
	blk_execute_rq_nowait(rq, false);
}

static void nvme_handle_notice(struct nvme_ctrl *ctrl, u32 result)
{
	void *log;

	switch (NVME_AER_INFO(result)) {
	case NVME_AER_NOTICE_NS_CHANGED:
		/* reading the log (RAE clear) re-arms the event */
		log = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
		if (log) {
			nvme_get_log(ctrl, NVME_NSID_ALL, NVME_LOG_CHANGED_NS, 0,
				     log, NVME_IDENTIFY_DATA_SIZE, 0);
			kfree(log);
		}
		dev_info(ctrl->dev, "namespace attributes changed, rescanning\n");
		nvme_queue_scan(ctrl);
		break;
	case NVME_AER_NOTICE_FW_ACTIVATE:
		dev_info(ctrl->dev, "firmware activation notice\n");
		break;
	case NVME_AER_NOTICE_ANA:
		/* reading the log re-arms the event */
		nvme_mpath_update_ana(ctrl);
		break;
	case NVME_AER_NOTICE_DISC_CHANGED:
		/* the reader of the log (nvme-cli via udev) re-arms it */
		if (ctrl->ops->disc_changed)
			ctrl->ops->disc_changed(ctrl, result);
		break;
	default:
		dev_info(ctrl->dev, "notice event 0x%x\n", result);
		break;
	}
}

static void nvme_aen_work(struct work_struct *work)
{
	struct nvme_ctrl *ctrl = container_of(work, struct nvme_ctrl, aen_work);
	u32 result;

	if (test_and_clear_bit(0, &ctrl->aen_pending)) {
		result = READ_ONCE(ctrl->aen_result);
		switch (NVME_AER_TYPE(result)) {
		case NVME_AER_TYPE_NOTICE:
			nvme_handle_notice(ctrl, result);
			break;
		case NVME_AER_TYPE_ERROR:
		case NVME_AER_TYPE_SMART:
			dev_warn(ctrl->dev, "async event 0x%x (log page 0x%x)\n",
				 result, NVME_AER_LOG(result));
			break;
		default:
			dev_info(ctrl->dev, "async event 0x%x\n", result);
			break;
		}
	}
	nvme_submit_aer(ctrl);
}

/**
 * nvme_start_ctrl() - the controller is live: scan and listen for events
 * @ctrl: the controller
 */
void nvme_start_ctrl(struct nvme_ctrl *ctrl)
{
	if (ctrl->queue_count > 1)
		nvme_queue_scan(ctrl);
	queue_work(nvme_wq, &ctrl->aen_work);
}
EXPORT_SYMBOL_GPL(nvme_start_ctrl);

/**
 * nvme_stop_ctrl() - stop event handling before queues go down
 * @ctrl: the controller
 */
void nvme_stop_ctrl(struct nvme_ctrl *ctrl)
{
	cancel_work_sync(&ctrl->aen_work);
	cancel_work_sync(&ctrl->ana_work);
	del_timer_sync(&ctrl->anatt_timer);
}
EXPORT_SYMBOL_GPL(nvme_stop_ctrl);

/* ------------------------------------------------------------------ */
/* controller object                                                  */
/* ------------------------------------------------------------------ */

static void nvme_ctrl_release(struct device *dev)
{
	struct nvme_ctrl *ctrl = container_of(dev, struct nvme_ctrl,
					      cdev_device);

	if (ctrl->admin_q)
		blk_put_queue(ctrl->admin_q);
	ida_destroy(&ctrl->ns_ida);
	nvme_mpath_uninit_ana(ctrl);
	ida_free(&nvme_instance_ida, ctrl->instance);
	ctrl->ops->free_ctrl(ctrl);
}

static void nvme_ctrl_release_unused(struct device *dev)
{
}

/**
 * nvme_init_ctrl() - set up the core part of a new controller
 * @ctrl: zeroed controller embedded in the transport's structure
 * @dev: parent device
 * @ops: transport operations
 * @quirks: transport specific quirk bits
 *
 * Registers /dev/nvmeN.  After success the controller is freed through
 * nvme_put_ctrl() -> ops->free_ctrl(); after failure the caller frees it.
 */
int nvme_init_ctrl(struct nvme_ctrl *ctrl, struct device *dev,
		   const struct nvme_ctrl_ops *ops, unsigned long quirks)
{
	s32 latency;
	int ret;

	ctrl->state = NVME_CTRL_NEW;
	spin_lock_init(&ctrl->lock);
	init_waitqueue_head(&ctrl->state_wq);
	INIT_LIST_HEAD(&ctrl->namespaces);
	INIT_LIST_HEAD(&ctrl->subsys_entry);
	init_rwsem(&ctrl->ns_lock);
	mutex_init(&ctrl->scan_lock);
	ida_init(&ctrl->ns_ida);
	INIT_WORK(&ctrl->scan_work, nvme_scan_work);
	INIT_WORK(&ctrl->aen_work, nvme_aen_work);
	INIT_WORK(&ctrl->delete_work, nvme_delete_work);
	mutex_init(&ctrl->ana_lock);
	mutex_init(&ctrl->apst_lock);
	INIT_WORK(&ctrl->ana_work, nvme_mpath_ana_work);
	timer_setup(&ctrl->anatt_timer, nvme_mpath_anatt_expired, 0);
	ctrl->dev = dev;
	ctrl->ops = ops;
	ctrl->quirks = quirks;
	ctrl->numa_node = dev_to_node(dev);

	ret = ida_alloc(&nvme_instance_ida, GFP_KERNEL);
	if (ret < 0)
		return ret;
	ctrl->instance = ret;

	device_initialize(&ctrl->cdev_device);
	ctrl->cdev_device.class = nvme_class;
	ctrl->cdev_device.parent = dev;
	ctrl->attr_groups[0] = nvme_ctrl_attr_groups[0];
	ctrl->attr_groups[1] = ops->attr_group;
	ctrl->cdev_device.groups = ctrl->attr_groups;
	ctrl->cdev_device.release = nvme_ctrl_release;
	dev_set_drvdata(&ctrl->cdev_device, ctrl);
	ret = dev_set_name(&ctrl->cdev_device, "nvme%d", ctrl->instance);
	if (ret)
		goto out_put;
	ret = nvme_ctrl_cdev_add(ctrl);
	if (ret)
		goto out_put;

	/*
	 * The latency tolerance, i.e. the APST latency limit, starts at
	 * default_ps_max_latency_us; its sysfs file appears only once
	 * Identify shows APST (nvme_init_ctrl_finish()).
	 */
	ctrl->cdev_device.power.set_latency_tolerance =
		nvme_set_latency_tolerance;
	latency = min_t(unsigned long, READ_ONCE(default_ps_max_latency_us),
			S32_MAX);
	dev_pm_qos_update_user_latency_tolerance(&ctrl->cdev_device, latency);
	return 0;

out_put:
	/* on failure the transport still owns and frees its structure */
	ida_free(&nvme_instance_ida, ctrl->instance);
	ctrl->cdev_device.release = nvme_ctrl_release_unused;
	put_device(&ctrl->cdev_device);
	return ret;
}
EXPORT_SYMBOL_GPL(nvme_init_ctrl);

/**
 * nvme_uninit_ctrl() - unregister the char device and leave the subsystem
 * @ctrl: the controller; namespaces are already removed
 */
void nvme_uninit_ctrl(struct nvme_ctrl *ctrl)
{
	nvme_hwmon_exit(ctrl);
	nvme_stop_ctrl(ctrl);
	flush_work(&ctrl->scan_work);
	nvme_subsys_detach(ctrl);
	/* removes the sysfs file and frees the latency tolerance request */
	dev_pm_qos_hide_latency_tolerance(&ctrl->cdev_device);
	cdev_device_del(&ctrl->cdev, &ctrl->cdev_device);
}
EXPORT_SYMBOL_GPL(nvme_uninit_ctrl);

/**
 * nvme_get_ctrl() - take a controller reference
 * @ctrl: the controller
 */
void nvme_get_ctrl(struct nvme_ctrl *ctrl)
{
	get_device(&ctrl->cdev_device);
}
EXPORT_SYMBOL_GPL(nvme_get_ctrl);

/**
 * nvme_put_ctrl() - drop a controller reference
 * @ctrl: the controller
 */
void nvme_put_ctrl(struct nvme_ctrl *ctrl)
{
	put_device(&ctrl->cdev_device);
}
EXPORT_SYMBOL_GPL(nvme_put_ctrl);

static int __init nvme_core_init(void)
{
	int ret = -ENOMEM;

	nvme_wq = alloc_workqueue("nvme-wq", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvme_wq)
		goto out;
	nvme_reset_wq = alloc_workqueue("nvme-reset-wq",
					WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvme_reset_wq)
		goto out_wq;
	nvme_delete_wq = alloc_workqueue("nvme-delete-wq",
					 WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvme_delete_wq)
		goto out_reset_wq;
	ret = nvme_ioctl_init();
	if (ret)
		goto out_delete_wq;
	ret = nvme_sysfs_init();
	if (ret)
		goto out_ioctl;
	return 0;

out_ioctl:
	nvme_ioctl_exit();
out_delete_wq:
	destroy_workqueue(nvme_delete_wq);
out_reset_wq:
	destroy_workqueue(nvme_reset_wq);
out_wq:
	destroy_workqueue(nvme_wq);
out:
	return ret;
}

static void __exit nvme_core_exit(void)
{
	nvme_sysfs_exit();
	nvme_ioctl_exit();
	destroy_workqueue(nvme_delete_wq);
	destroy_workqueue(nvme_reset_wq);
	destroy_workqueue(nvme_wq);
	ida_destroy(&nvme_instance_ida);
}

module_init(nvme_core_init);
module_exit(nvme_core_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe host core (out-of-tree)");
MODULE_VERSION("0.1");
