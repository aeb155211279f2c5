// SPDX-License-Identifier: GPL-2.0
/*
 * The fabrics controller: Connect, Property Get/Set, keep-alive and the
 * one reconnect / error-recovery machine every transport shares.
 *
 * The transport brings single queues up and down (struct nvmf_queue_ops);
 * everything above a queue lives here: the tag sets, the order of bring
 * up (admin queue, Connect, enable, Identify, I/O queues, Connect each,
 * LIVE), teardown, timers.  What to do on an event is decided by the
 * plain-C table in recovery.c; this file carries the decisions out.
 *
 * Works of one controller and where they run:
 *   ctrl.reset_work  nvme_reset_wq  reset_controller: teardown, connect
 *   err_work         nvme_reset_wq  error recovery: teardown, reconnect later
 *   connect_work     nvme_wq        one reconnect attempt
 *   failfast_work    nvme_wq        fast_io_fail_tmo expired
 *   ka_work          nvme_wq        sends a Keep Alive
 * reset_work and err_work only run after they moved the controller out
 * of LIVE, so at most one of them tears down at a time, and
 * connect_work is only queued by them or by itself.
 */
#include <linux/blkdev.h>
#include <linux/slab.h>

#include "fabrics.h"
#include "internal.h"

static DEFINE_MUTEX(nvmf_ctrl_mutex);
static LIST_HEAD(nvmf_ctrl_list);

/* ------------------------------------------------------------------ */
/* fabrics commands                                                   */
/* ------------------------------------------------------------------ */

union nvmf_cmd {
	struct nvme_sqe sqe;
	struct nvmf_common_cmd common;
	struct nvmf_connect_cmd connect;
	struct nvmf_prop_get_cmd prop_get;
	struct nvmf_prop_set_cmd prop_set;
};

bool nvmf_is_connect_cmd(const struct nvme_sqe *cmd)
{
	const union nvmf_cmd *c = (const union nvmf_cmd *)cmd;

	return c->common.opc == NVME_ADM_FABRICS &&
	       c->common.fctype == NVMF_FCTYPE_CONNECT;
}
EXPORT_SYMBOL_GPL(nvmf_is_connect_cmd);

/*
 * Run one command on queue @qid and wait.  I/O queue commands (only
 * Connect) use the reserved tag of that queue's hardware context.
 * Return: 0, a positive NVMe status or a negative errno.
 */
static int nvmf_exec(struct nvmf_ctrl *fctrl, int qid, union nvmf_cmd *cmd,
		     void *buf, unsigned int len, u64 *result)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	blk_opf_t op = buf ? REQ_OP_DRV_OUT : REQ_OP_DRV_IN;
	struct request *rq;

	if (qid)
		rq = blk_mq_alloc_request_hctx(fctrl->connect_q, op,
					       BLK_MQ_REQ_NOWAIT |
					       BLK_MQ_REQ_RESERVED, qid - 1);
	else
		rq = blk_mq_alloc_request(ctrl->admin_q, op, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	return nvme_run_sync_rq(rq, &cmd->sqe, result, buf, len);
}

static void nvmf_log_connect_error(struct nvmf_ctrl *fctrl, int qid,
				   int status, u32 dw0)
{
	struct device *dev = &fctrl->ctrl.cdev_device;
	const char *what;

	switch (NVME_STATUS_CODE(status)) {
	case NVME_SC_CONNECT_INVALID_HOST:
		dev_err(dev, "Connect queue %d: host %s not allowed by %s\n",
			qid, fctrl->opts->hostnqn, fctrl->opts->subsysnqn);
		return;
	case NVME_SC_CONNECT_INVALID_PARAM:
		what = (dw0 >> 16) & 0xff ? "connect data" : "command";
		dev_err(dev, "Connect queue %d: invalid parameter in %s at byte %u\n",
			qid, what, dw0 & 0xffff);
		return;
	case NVME_SC_CONNECT_CTRL_BUSY:
		dev_err(dev, "Connect queue %d: controller busy\n", qid);
		return;
	case NVME_SC_CONNECT_FORMAT:
		dev_err(dev, "Connect queue %d: format not supported\n", qid);
		return;
	default:
		dev_err(dev, "Connect queue %d failed: status 0x%x\n", qid,
			status);
	}
}

static int nvmf_connect(struct nvmf_ctrl *fctrl, int qid)
{
	struct nvmf_ctrl_options *opts = fctrl->opts;
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	struct nvmf_connect_data *data;
	union nvmf_cmd c = { };
	u64 res = 0;
	int ret;

	c.connect.opc = NVME_ADM_FABRICS;
	c.connect.fctype = NVMF_FCTYPE_CONNECT;
	c.connect.recfmt = cpu_to_le16(NVMF_CONNECT_RECFMT);
	c.connect.qid = cpu_to_le16(qid);
	c.connect.sqsize = cpu_to_le16(qid ? ctrl->sqsize : NVMF_AQ_DEPTH - 1);
	if (opts->disable_sqflow)
		c.connect.cattr |= NVMF_CATTR_DISABLE_SQFLOW;
	if (!qid)
		c.connect.kato = cpu_to_le32(ctrl->kato * 1000);

	data = kzalloc(sizeof(*data), GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	memcpy(data->hostid, opts->hostid, sizeof(data->hostid));
	data->cntlid = cpu_to_le16(qid ? ctrl->cntlid : NVMF_CNTLID_DYNAMIC);
	strscpy(data->subnqn, opts->subsysnqn, sizeof(data->subnqn));
	strscpy(data->hostnqn, opts->hostnqn, sizeof(data->hostnqn));

	ret = nvmf_exec(fctrl, qid, &c, data, sizeof(*data), &res);
	kfree(data);
	if (ret > 0) {
		nvmf_log_connect_error(fctrl, qid, ret, lower_32_bits(res));
		return -EIO;
	}
	if (ret < 0) {
		dev_err(&ctrl->cdev_device, "Connect queue %d failed: %d\n", qid, ret);
		return ret;
	}
	if (!qid)
		ctrl->cntlid = NVMF_CONNECT_RSP_CNTLID(lower_32_bits(res));
	if (!qid && (lower_32_bits(res) >> 16)) {
		/* authentication requirements: not implemented here */
		dev_err(&ctrl->cdev_device, "Connect queue %d: controller requires in-band authentication\n",
			qid);
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * nvmf_connect_admin_queue() - Connect on the admin queue
 * @fctrl: the controller; the admin queue was allocated
 *
 * Learns the controller id.  Return: 0 or a negative errno.
 */
int nvmf_connect_admin_queue(struct nvmf_ctrl *fctrl)
{
	return nvmf_connect(fctrl, 0);
}
EXPORT_SYMBOL_GPL(nvmf_connect_admin_queue);

/**
 * nvmf_connect_io_queue() - Connect on I/O queue @qid
 * @fctrl: the controller; the admin queue is connected
 * @qid: 1..queue_count - 1
 *
 * Return: 0 or a negative errno.
 */
int nvmf_connect_io_queue(struct nvmf_ctrl *fctrl, int qid)
{
	return nvmf_connect(fctrl, qid);
}
EXPORT_SYMBOL_GPL(nvmf_connect_io_queue);

/**
 * nvmf_prop_get() - Property Get
 * @ctrl: the controller
 * @off: property offset (NVME_REG_*)
 * @is64: 8 byte property
 * @val: the value
 *
 * Return: 0, a positive NVMe status or a negative errno.
 */
int nvmf_prop_get(struct nvme_ctrl *ctrl, u32 off, bool is64, u64 *val)
{
	union nvmf_cmd c = { };

	c.prop_get.opc = NVME_ADM_FABRICS;
	c.prop_get.fctype = NVMF_FCTYPE_PROP_GET;
	c.prop_get.attrib = is64 ? NVMF_PROP_SIZE_8 : NVMF_PROP_SIZE_4;
	c.prop_get.offset = cpu_to_le32(off);
	return nvmf_exec(to_nvmf_ctrl(ctrl), 0, &c, NULL, 0, val);
}
EXPORT_SYMBOL_GPL(nvmf_prop_get);

/**
 * nvmf_prop_set() - Property Set
 * @ctrl: the controller
 * @off: property offset (NVME_REG_*)
 * @is64: 8 byte property
 * @val: the value
 *
 * Return: 0, a positive NVMe status or a negative errno.
 */
int nvmf_prop_set(struct nvme_ctrl *ctrl, u32 off, bool is64, u64 val)
{
	union nvmf_cmd c = { };

	c.prop_set.opc = NVME_ADM_FABRICS;
	c.prop_set.fctype = NVMF_FCTYPE_PROP_SET;
	c.prop_set.attrib = is64 ? NVMF_PROP_SIZE_8 : NVMF_PROP_SIZE_4;
	c.prop_set.offset = cpu_to_le32(off);
	c.prop_set.value = cpu_to_le64(val);
	return nvmf_exec(to_nvmf_ctrl(ctrl), 0, &c, NULL, 0, NULL);
}
EXPORT_SYMBOL_GPL(nvmf_prop_set);

static int nvmf_prop_errno(struct nvme_ctrl *ctrl, int ret, u32 off)
{
	if (ret > 0) {
		dev_err_ratelimited(&ctrl->cdev_device, "property 0x%x: status 0x%x\n",
				    off, ret);
		return -EIO;
	}
	return ret;
}

int nvmf_reg_read32(struct nvme_ctrl *ctrl, u32 off, u32 *val)
{
	u64 v = 0;
	int ret = nvmf_prop_get(ctrl, off, false, &v);

	*val = lower_32_bits(v);
	return nvmf_prop_errno(ctrl, ret, off);
}
EXPORT_SYMBOL_GPL(nvmf_reg_read32);

int nvmf_reg_read64(struct nvme_ctrl *ctrl, u32 off, u64 *val)
{
	return nvmf_prop_errno(ctrl, nvmf_prop_get(ctrl, off, true, val), off);
}
EXPORT_SYMBOL_GPL(nvmf_reg_read64);

int nvmf_reg_write32(struct nvme_ctrl *ctrl, u32 off, u32 val)
{
	return nvmf_prop_errno(ctrl, nvmf_prop_set(ctrl, off, false, val),
			       off);
}
EXPORT_SYMBOL_GPL(nvmf_reg_write32);

/* ------------------------------------------------------------------ */
/* request gating, timeouts, queue maps (for transports)              */
/* ------------------------------------------------------------------ */

bool nvmf_check_ready(struct nvmf_ctrl *fctrl, struct request *rq,
		      bool queue_live)
{
	enum nvme_ctrl_state state = nvme_ctrl_state(&fctrl->ctrl);

	if (likely(queue_live))
		return nvme_ctrl_may_queue(&fctrl->ctrl, rq, true);
	/* a queue being connected carries its Connect and nothing else */
	return blk_rq_is_passthrough(rq) &&
	       !(nvme_req(rq)->flags & NVME_REQ_USERCMD) &&
	       nvmf_is_connect_cmd(&nvme_req(rq)->cmd) &&
	       (state == NVME_CTRL_NEW || state == NVME_CTRL_CONNECTING);
}
EXPORT_SYMBOL_GPL(nvmf_check_ready);

/* see @queue_lock: the transports' stops need not guard themselves */
static void nvmf_stop_queue(struct nvmf_ctrl *fctrl, int qid)
{
	mutex_lock(&fctrl->queue_lock);
	fctrl->ops->stop_queue(fctrl, qid);
	mutex_unlock(&fctrl->queue_lock);
}

static void nvmf_free_queue(struct nvmf_ctrl *fctrl, int qid)
{
	mutex_lock(&fctrl->queue_lock);
	fctrl->ops->free_queue(fctrl, qid);
	mutex_unlock(&fctrl->queue_lock);
}

enum blk_eh_timer_return nvmf_timeout(struct nvmf_ctrl *fctrl,
				      struct request *rq, int qid)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	struct nvme_request *nr = nvme_req(rq);

	if (nvme_ctrl_state(ctrl) == NVME_CTRL_LIVE) {
		/* the AER stays outstanding until an event happens */
		if (nr->flags & NVME_REQ_NO_TIMEOUT)
			return BLK_EH_RESET_TIMER;
		dev_warn_ratelimited(&ctrl->cdev_device,
				     "queue %d: command 0x%x (tag %d) timed out, recovering\n",
				     qid, nr->cmd.opc, rq->tag);
		nvmf_error_recovery(fctrl);
		return BLK_EH_RESET_TIMER;
	}
	/*
	 * Connecting (a hung Connect or Property Get), resetting or
	 * deleting: stop the queue so nothing can complete the request
	 * behind our back, then end it here.
	 */
	dev_warn_ratelimited(&ctrl->cdev_device,
			     "queue %d: command 0x%x (tag %d) timed out in state %s\n",
			     qid, nr->cmd.opc, rq->tag,
			     nvme_ctrl_state_name(nvme_ctrl_state(ctrl)));
	nvmf_stop_queue(fctrl, qid);
	/* a response or a cancel may have ended it meanwhile */
	if (blk_mq_request_started(rq) && !blk_mq_request_completed(rq)) {
		nr->status = NVME_SC_HOST_ABORTED_CMD;
		nr->flags |= NVME_REQ_CANCELLED;
		blk_mq_complete_request(rq);
	}
	return BLK_EH_DONE;
}
EXPORT_SYMBOL_GPL(nvmf_timeout);

void nvmf_map_queues(struct blk_mq_tag_set *set)
{
	struct nvmf_ctrl *fctrl = to_nvmf_ctrl(set->driver_data);
	unsigned int type, offset = 0;

	for (type = 0; type < set->nr_maps; type++) {
		struct blk_mq_queue_map *map = &set->map[type];
		unsigned int nr = fctrl->io_queues[type];

		if (type == HCTX_TYPE_READ && !nr) {
			/* no separate write queues: reads share them */
			map->nr_queues = fctrl->io_queues[HCTX_TYPE_DEFAULT];
			map->queue_offset = 0;
		} else {
			map->nr_queues = nr;
			map->queue_offset = offset;
			offset += nr;
		}
		if (map->nr_queues)
			blk_mq_map_queues(map);
	}
}
EXPORT_SYMBOL_GPL(nvmf_map_queues);

unsigned int nvmf_queue_type(struct nvmf_ctrl *fctrl, int qid,
			     unsigned int *first)
{
	unsigned int idx = qid - 1, type, n = 0;

	for (type = 0; type < HCTX_MAX_TYPES; type++) {
		if (idx < n + fctrl->io_queues[type])
			break;
		n += fctrl->io_queues[type];
	}
	*first = n;
	return type;
}
EXPORT_SYMBOL_GPL(nvmf_queue_type);

/* ------------------------------------------------------------------ */
/* keep-alive                                                         */
/* ------------------------------------------------------------------ */

static unsigned long nvmf_ka_interval(struct nvmf_ctrl *fctrl)
{
	/* twice per timeout, so one lost command is not yet fatal */
	return max_t(unsigned long, fctrl->ctrl.kato * HZ / 2, HZ / 2);
}

static enum rq_end_io_ret nvmf_ka_end_io(struct request *rq, blk_status_t err)
{
	struct nvmf_ctrl *fctrl = rq->end_io_data;
	u16 status = nvme_req(rq)->status;
	bool cancelled = nvme_req(rq)->flags & NVME_REQ_CANCELLED;

	WRITE_ONCE(fctrl->ka_rq, NULL);
	if (err || status) {
		if (!cancelled) {
			dev_err(&fctrl->ctrl.cdev_device, "keep-alive failed (status 0x%x, %d)\n",
				status, blk_status_to_errno(err));
			nvmf_error_recovery(fctrl);
		}
		return RQ_END_IO_FREE;
	}
	fctrl->ka_last = jiffies;
	if (nvme_ctrl_state(&fctrl->ctrl) == NVME_CTRL_LIVE)
		queue_delayed_work(nvme_wq, &fctrl->ka_work,
				   nvmf_ka_interval(fctrl));
	return RQ_END_IO_FREE;
}

static void nvmf_ka_work(struct work_struct *work)
{
	struct nvmf_ctrl *fctrl = container_of(to_delayed_work(work),
					       struct nvmf_ctrl, ka_work);
	struct nvme_sqe c = { .opc = NVME_ADM_KEEP_ALIVE };
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	struct request *rq;

	if (nvme_ctrl_state(ctrl) != NVME_CTRL_LIVE || READ_ONCE(fctrl->ka_rq))
		return;
	rq = blk_mq_alloc_request(ctrl->admin_q, REQ_OP_DRV_IN,
				  BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(rq)) {
		/* admin queue full: it is busy, which is alive enough */
		queue_delayed_work(nvme_wq, &fctrl->ka_work,
				   nvmf_ka_interval(fctrl));
		return;
	}
	nvme_init_request(rq, &c);
	rq->timeout = ctrl->kato * HZ;
	rq->end_io = nvmf_ka_end_io;
	rq->end_io_data = fctrl;
	WRITE_ONCE(fctrl->ka_rq, rq);
	blk_execute_rq_nowait(rq, false);
}

static void nvmf_start_keep_alive(struct nvmf_ctrl *fctrl)
{
	if (!fctrl->ctrl.kato)
		return;
	fctrl->ka_last = jiffies;
	queue_delayed_work(nvme_wq, &fctrl->ka_work, nvmf_ka_interval(fctrl));
}

static void nvmf_stop_keep_alive(struct nvmf_ctrl *fctrl)
{
	cancel_delayed_work_sync(&fctrl->ka_work);
}

/* ------------------------------------------------------------------ */
/* bring up and teardown                                              */
/* ------------------------------------------------------------------ */

static void nvmf_stop_free_queues(struct nvmf_ctrl *fctrl, int first,
				  bool cancel)
{
	int qid;

	for (qid = first; qid < (int)fctrl->nr_queues_alloced; qid++)
		nvmf_stop_queue(fctrl, qid);
	if (cancel) {
		if (first)
			nvme_cancel_tagset(&fctrl->ctrl);
		else
			nvme_cancel_admin_tagset(&fctrl->ctrl);
	}
	for (qid = (int)fctrl->nr_queues_alloced - 1; qid >= first; qid--)
		nvmf_free_queue(fctrl, qid);
	fctrl->nr_queues_alloced = first;
}

static void nvmf_teardown_io(struct nvmf_ctrl *fctrl, bool remove)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;

	if (!test_bit(NVMF_CTRL_IO_TAGSET, &fctrl->flags)) {
		nvmf_stop_free_queues(fctrl, 1, false);
		return;
	}
	nvme_quiesce_io_queues(ctrl);
	nvme_sync_io_queues(ctrl);
	blk_sync_queue(fctrl->connect_q);
	nvmf_stop_free_queues(fctrl, 1, true);
	if (remove) {
		blk_mq_destroy_queue(fctrl->connect_q);
		blk_put_queue(fctrl->connect_q);
		fctrl->connect_q = NULL;
		nvme_remove_io_tag_set(ctrl);
		clear_bit(NVMF_CTRL_IO_TAGSET, &fctrl->flags);
		return;
	}
	/* let waiting I/O reach ->queue_rq: it waits or fails fast there */
	nvme_unquiesce_io_queues(ctrl);
}

static void nvmf_teardown_admin(struct nvmf_ctrl *fctrl, bool remove)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;

	if (!test_bit(NVMF_CTRL_ADMIN_TAGSET, &fctrl->flags)) {
		nvmf_stop_free_queues(fctrl, 0, false);
		return;
	}
	nvme_quiesce_admin_queue(ctrl);
	blk_sync_queue(ctrl->admin_q);
	nvmf_stop_free_queues(fctrl, 0, true);
	if (remove) {
		nvme_unquiesce_admin_queue(ctrl);
		nvme_remove_admin_tag_set(ctrl);
		clear_bit(NVMF_CTRL_ADMIN_TAGSET, &fctrl->flags);
		return;
	}
	/* admin commands from user space fail instead of hanging */
	nvme_unquiesce_admin_queue(ctrl);
}

static int nvmf_alloc_queue(struct nvmf_ctrl *fctrl, int qid,
			    unsigned int depth)
{
	int ret = fctrl->ops->alloc_queue(fctrl, qid, depth);

	if (ret) {
		dev_err(&fctrl->ctrl.cdev_device, "queue %d: transport connect failed: %d\n",
			qid, ret);
		return ret;
	}
	fctrl->nr_queues_alloced = qid + 1;
	return 0;
}

static void nvmf_start_queue(struct nvmf_ctrl *fctrl, int qid)
{
	if (fctrl->ops->start_queue)
		fctrl->ops->start_queue(fctrl, qid);
}

/* admin queue up, controller enabled and identified */
static int nvmf_setup_admin(struct nvmf_ctrl *fctrl, bool first)
{
	struct nvmf_ctrl_options *opts = fctrl->opts;
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	int ret;

	ret = nvmf_alloc_queue(fctrl, 0, NVMF_AQ_DEPTH);
	if (ret)
		return ret;
	if (first) {
		ret = nvme_alloc_admin_tag_set(ctrl, &fctrl->admin_set,
					       fctrl->ops->admin_mq_ops,
					       NVMF_AQ_DEPTH,
					       fctrl->ops->cmd_size);
		if (ret)
			goto out_free;
		set_bit(NVMF_CTRL_ADMIN_TAGSET, &fctrl->flags);
	}
	nvme_unquiesce_admin_queue(ctrl);

	ret = nvmf_connect_admin_queue(fctrl);
	if (ret)
		goto out_stop;
	nvmf_start_queue(fctrl, 0);

	ret = nvme_enable_ctrl(ctrl);
	if (ret)
		goto out_stop;
	ctrl->sqsize = min_t(u32, NVME_CAP_MQES(ctrl->cap),
			     opts->queue_size - 1);

	ret = nvme_init_ctrl_finish(ctrl);
	if (ret)
		goto out_stop;
	if (!(ctrl->sgls & 0x3)) {
		dev_err(&ctrl->cdev_device, "controller does not support SGLs\n");
		ret = -EOPNOTSUPP;
		goto out_stop;
	}
	if (ctrl->icdoff) {
		dev_err(&ctrl->cdev_device, "in-capsule data offset %u not supported\n",
			ctrl->icdoff);
		ret = -EOPNOTSUPP;
		goto out_stop;
	}
	if (ctrl->maxcmd && ctrl->sqsize + 1 > ctrl->maxcmd) {
		dev_warn(&ctrl->cdev_device, "queue size %u above MAXCMD %u, using MAXCMD\n",
			 ctrl->sqsize + 1, ctrl->maxcmd);
		ctrl->sqsize = ctrl->maxcmd - 1;
	}
	if (strcmp(ctrl->subnqn, opts->subsysnqn) && !opts->discovery_nqn) {
		dev_err(&ctrl->cdev_device, "subsystem NQN %s is not the one asked for (%s)\n",
			ctrl->subnqn, opts->subsysnqn);
		ret = -EINVAL;
		goto out_stop;
	}
	return 0;

out_stop:
	nvmf_teardown_admin(fctrl, first);
	return ret;
out_free:
	nvmf_stop_free_queues(fctrl, 0, false);
	return ret;
}

/* split @nr granted I/O queues between the maps */
static void nvmf_split_io_queues(struct nvmf_ctrl *fctrl, unsigned int nr)
{
	struct nvmf_ctrl_options *opts = fctrl->opts;
	unsigned int *q = fctrl->io_queues;

	memset(fctrl->io_queues, 0, sizeof(fctrl->io_queues));
	if (opts->nr_write_queues && fctrl->ops->nr_maps > HCTX_TYPE_READ) {
		q[HCTX_TYPE_DEFAULT] = min(nr, opts->nr_write_queues);
		nr -= q[HCTX_TYPE_DEFAULT];
		q[HCTX_TYPE_READ] = min(nr, opts->nr_io_queues);
		nr -= q[HCTX_TYPE_READ];
	} else {
		q[HCTX_TYPE_DEFAULT] = min(nr, opts->nr_io_queues);
		nr -= q[HCTX_TYPE_DEFAULT];
	}
	if (fctrl->ops->nr_maps > HCTX_TYPE_POLL)
		q[HCTX_TYPE_POLL] = min(nr, opts->nr_poll_queues);
	fctrl->nr_io_queues = q[HCTX_TYPE_DEFAULT] + q[HCTX_TYPE_READ] +
			      q[HCTX_TYPE_POLL];
}

static int nvmf_setup_io(struct nvmf_ctrl *fctrl, bool first)
{
	struct nvmf_ctrl_options *opts = fctrl->opts;
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	unsigned int nr, old = fctrl->nr_io_queues;
	int qid, ret;

	nr = opts->nr_io_queues + opts->nr_write_queues + opts->nr_poll_queues;
	if (!nr) {
		ctrl->queue_count = 1;
		return 0;
	}
	ret = nvme_set_queue_count(ctrl, &nr);
	if (ret)
		return ret;
	if (!nr) {
		dev_err(&ctrl->cdev_device, "controller granted no I/O queues\n");
		return -EIO;
	}
	nvmf_split_io_queues(fctrl, nr);
	if (!first && fctrl->nr_io_queues != old) {
		/* the tag set's hardware queues map 1:1 onto I/O queues */
		dev_err(&ctrl->cdev_device, "I/O queue count changed from %u to %u on reconnect\n",
			old, fctrl->nr_io_queues);
		fctrl->nr_io_queues = old;
		return -EIO;
	}
	ctrl->queue_count = fctrl->nr_io_queues + 1;
	dev_info(&ctrl->cdev_device, "creating %u I/O queues.\n",
		 fctrl->nr_io_queues);

	for (qid = 1; qid < ctrl->queue_count; qid++) {
		ret = nvmf_alloc_queue(fctrl, qid, ctrl->sqsize + 1);
		if (ret)
			goto out_free;
	}
	if (first) {
		ret = nvme_alloc_io_tag_set(ctrl, &fctrl->io_set,
					    fctrl->ops->mq_ops,
					    fctrl->ops->nr_maps,
					    fctrl->ops->cmd_size);
		if (ret)
			goto out_free;
		/* before any request queue exists on the set */
		fctrl->io_set.flags |= fctrl->ops->io_set_flags;
		fctrl->connect_q = blk_mq_init_queue(&fctrl->io_set);
		if (IS_ERR(fctrl->connect_q)) {
			ret = PTR_ERR(fctrl->connect_q);
			fctrl->connect_q = NULL;
			nvme_remove_io_tag_set(ctrl);
			goto out_free;
		}
		set_bit(NVMF_CTRL_IO_TAGSET, &fctrl->flags);
		dev_info(&ctrl->cdev_device,
			 "mapped %u/%u/%u default/read/poll queues.\n",
			 fctrl->io_queues[HCTX_TYPE_DEFAULT],
			 fctrl->io_queues[HCTX_TYPE_READ],
			 fctrl->io_queues[HCTX_TYPE_POLL]);
	}
	for (qid = 1; qid < ctrl->queue_count; qid++) {
		ret = nvmf_connect_io_queue(fctrl, qid);
		if (ret)
			goto out_teardown;
		nvmf_start_queue(fctrl, qid);
	}
	return 0;

out_teardown:
	nvmf_teardown_io(fctrl, first);
	return ret;
out_free:
	nvmf_stop_free_queues(fctrl, 1, false);
	return ret;
}

/* one complete (re)connect; on failure nothing is left allocated but
 * the tag sets of a controller that was live before
 */
static int nvmf_connect_ctrl(struct nvmf_ctrl *fctrl, bool first)
{
	int ret;

	/* errors of the queues of an earlier attempt are gone with them */
	clear_bit(NVMF_CTRL_QUEUE_ERR, &fctrl->flags);
	ret = nvmf_setup_admin(fctrl, first);
	if (ret)
		return ret;
	ret = nvmf_setup_io(fctrl, first);
	if (ret) {
		nvmf_teardown_admin(fctrl, first);
		return ret;
	}
	return 0;
}

/* NVMF_ACT_START: the controller just went LIVE */
static void nvmf_start_ctrl(struct nvmf_ctrl *fctrl)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;

	fctrl->nr_reconnects = 0;
	cancel_delayed_work(&fctrl->failfast_work);
	clear_bit(NVME_CTRL_FLAG_FAILFAST, &ctrl->flags);
	/*
	 * A persistent discovery controller back after an outage: the log
	 * may have changed meanwhile with no event for it; nvme-cli's udev
	 * rule re-reads it (connect-all) on this one.
	 */
	if (test_and_set_bit(NVMF_CTRL_WAS_LIVE, &fctrl->flags) &&
	    nvme_ctrl_is_discovery(ctrl)) {
		char ev[] = "NVME_EVENT=rediscover", *envp[] = { ev, NULL };

		kobject_uevent_env(&ctrl->cdev_device.kobj, KOBJ_CHANGE, envp);
	}
	nvme_unquiesce_admin_queue(ctrl);
	if (ctrl->queue_count > 1)
		nvme_unquiesce_io_queues(ctrl);
	nvmf_start_keep_alive(fctrl);
	nvme_start_ctrl(ctrl);
}

/*
 * Connected: move to @next (LIVE) and start, under start_lock so that a
 * teardown waits for the start.  False if the state could not change
 * (deleted meanwhile).
 */
static bool nvmf_go_live(struct nvmf_ctrl *fctrl,
			 const struct nvmf_decision *d)
{
	bool ok;

	mutex_lock(&fctrl->start_lock);
	ok = nvme_change_ctrl_state(&fctrl->ctrl, d->next);
	if (ok && (d->actions & NVMF_ACT_START))
		nvmf_start_ctrl(fctrl);
	mutex_unlock(&fctrl->start_lock);
	return ok;
}

/* everything down, tag sets kept; the controller is RESETTING */
static void nvmf_teardown_for_reconnect(struct nvmf_ctrl *fctrl)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;

	/* a start still running (the move to LIVE just happened) ends first */
	mutex_lock(&fctrl->start_lock);
	nvmf_stop_keep_alive(fctrl);
	/*
	 * Queues first: that ends admin commands in flight (an event
	 * handler may wait for one), then the event handling can stop.
	 */
	nvmf_teardown_io(fctrl, false);
	nvmf_teardown_admin(fctrl, false);
	nvme_stop_ctrl(ctrl);
	mutex_unlock(&fctrl->start_lock);
}

static void nvmf_fail_io(struct nvmf_ctrl *fctrl)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;

	set_bit(NVME_CTRL_FLAG_FAILFAST, &ctrl->flags);
	if (ctrl->tagset)
		nvme_unquiesce_io_queues(ctrl);
	/* bios a multipath head holds for this path fail (or go elsewhere) */
	nvme_mpath_kick(ctrl);
}

static void nvmf_schedule_reconnect(struct nvmf_ctrl *fctrl)
{
	dev_info(&fctrl->ctrl.cdev_device, "reconnecting in %d seconds\n",
		 fctrl->recovery.reconnect_delay);
	queue_delayed_work(nvme_wq, &fctrl->connect_work,
			   fctrl->recovery.reconnect_delay * HZ);
}

/*
 * Just live: a queue that broke while the attempt was still connecting
 * other queues reported it when recovery had nothing to do.  Recover now,
 * or its I/O would wait on a dead queue with no timer running.
 */
static void nvmf_recheck_queues(struct nvmf_ctrl *fctrl)
{
	if (test_and_clear_bit(NVMF_CTRL_QUEUE_ERR, &fctrl->flags))
		nvmf_error_recovery(fctrl);
}

/* one attempt from CONNECTING; the decision table says what follows */
static void nvmf_reconnect_attempt(struct nvmf_ctrl *fctrl)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	struct nvmf_decision d;
	int ret;

	if (nvme_ctrl_state(ctrl) != NVME_CTRL_CONNECTING)
		return;
	ret = nvmf_connect_ctrl(fctrl, false);
	if (!ret) {
		d = nvmf_recovery_decide(NVME_CTRL_CONNECTING,
					 NVMF_EV_CONNECTED, &fctrl->recovery,
					 fctrl->nr_reconnects);
		if (!nvmf_go_live(fctrl, &d))
			return;	/* deleted meanwhile: deletion tears down */
		dev_info(&ctrl->cdev_device, "reconnected after %d failed attempts\n",
			 fctrl->nr_reconnects);
		nvmf_recheck_queues(fctrl);
		return;
	}

	fctrl->nr_reconnects++;
	d = nvmf_recovery_decide(NVME_CTRL_CONNECTING, NVMF_EV_CONNECT_FAILED,
				 &fctrl->recovery, fctrl->nr_reconnects);
	dev_info(&ctrl->cdev_device, "reconnect attempt %d failed: %d\n",
		 fctrl->nr_reconnects, ret);
	if (d.actions & NVMF_ACT_FAIL_IO)
		nvmf_fail_io(fctrl);
	if (d.actions & NVMF_ACT_DELETE) {
		dev_warn(&ctrl->cdev_device, "ctrl_loss_tmo (%ds) reached, removing controller\n",
			 fctrl->opts->ctrl_loss_tmo);
		nvme_delete_ctrl(ctrl);
		return;
	}
	if (d.actions & NVMF_ACT_RECONNECT)
		nvmf_schedule_reconnect(fctrl);
}

static void nvmf_connect_work(struct work_struct *work)
{
	struct nvmf_ctrl *fctrl = container_of(to_delayed_work(work),
					       struct nvmf_ctrl, connect_work);

	nvmf_reconnect_attempt(fctrl);
}

static void nvmf_arm_failfast(struct nvmf_ctrl *fctrl, unsigned int actions)
{
	if (actions & NVMF_ACT_ARM_FAILFAST)
		queue_delayed_work(nvme_wq, &fctrl->failfast_work,
				   fctrl->recovery.fast_io_fail_tmo * HZ);
}

static void nvmf_err_work(struct work_struct *work)
{
	struct nvmf_ctrl *fctrl = container_of(work, struct nvmf_ctrl,
					       err_work);
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	unsigned int actions = READ_ONCE(fctrl->pending_actions);

	nvmf_teardown_for_reconnect(fctrl);
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_CONNECTING))
		return;		/* being deleted */
	nvmf_arm_failfast(fctrl, actions);
	if (actions & NVMF_ACT_CONNECT_NOW)
		nvmf_reconnect_attempt(fctrl);
	else if (actions & NVMF_ACT_RECONNECT)
		nvmf_schedule_reconnect(fctrl);
}

/* ctrl.reset_work: the core moved the controller to RESETTING */
static void nvmf_reset_work(struct work_struct *work)
{
	struct nvmf_ctrl *fctrl = container_of(work, struct nvmf_ctrl,
					       ctrl.reset_work);
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	/* the core moved it out of LIVE: what a reset from LIVE asks for */
	struct nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_LIVE,
						      NVMF_EV_RESET,
						      &fctrl->recovery, 0);

	dev_info(&ctrl->cdev_device, "resetting controller\n");
	nvmf_teardown_for_reconnect(fctrl);
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_CONNECTING))
		return;
	nvmf_arm_failfast(fctrl, d.actions);
	nvmf_reconnect_attempt(fctrl);
}

static void nvmf_failfast_work(struct work_struct *work)
{
	struct nvmf_ctrl *fctrl = container_of(to_delayed_work(work),
					       struct nvmf_ctrl, failfast_work);
	struct nvmf_decision d;

	d = nvmf_recovery_decide(nvme_ctrl_state(&fctrl->ctrl),
				 NVMF_EV_FAILFAST, &fctrl->recovery,
				 fctrl->nr_reconnects);
	if (!(d.actions & NVMF_ACT_FAIL_IO))
		return;
	dev_info(&fctrl->ctrl.cdev_device, "fast_io_fail_tmo expired: failing I/O\n");
	nvmf_fail_io(fctrl);
}

void nvmf_error_recovery(struct nvmf_ctrl *fctrl)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	struct nvmf_decision d;

	/* seen by nvmf_recheck_queues() if the state is not live yet */
	set_bit(NVMF_CTRL_QUEUE_ERR, &fctrl->flags);
	/* bit before state; the connect side sets the state, then tests */
	smp_mb__after_atomic();
	d = nvmf_recovery_decide(nvme_ctrl_state(ctrl), NVMF_EV_ERROR,
				 &fctrl->recovery, fctrl->nr_reconnects);
	if (!d.actions)
		return;
	if (!nvme_change_ctrl_state(ctrl, d.next))
		return;		/* somebody else got there first */
	WRITE_ONCE(fctrl->pending_actions, d.actions);
	dev_warn(&ctrl->cdev_device, "starting error recovery\n");
	queue_work(nvme_reset_wq, &fctrl->err_work);
}
EXPORT_SYMBOL_GPL(nvmf_error_recovery);

/* ------------------------------------------------------------------ */
/* controller life cycle                                              */
/* ------------------------------------------------------------------ */

int nvmf_init_ctrl(struct nvmf_ctrl *fctrl, struct device *dev,
		   const struct nvme_ctrl_ops *ctrl_ops,
		   const struct nvmf_queue_ops *ops,
		   struct nvmf_ctrl_options *opts)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	int ret;

	fctrl->opts = opts;
	fctrl->ops = ops;
	INIT_LIST_HEAD(&fctrl->entry);
	INIT_WORK(&fctrl->err_work, nvmf_err_work);
	mutex_init(&fctrl->start_lock);
	mutex_init(&fctrl->queue_lock);
	INIT_DELAYED_WORK(&fctrl->connect_work, nvmf_connect_work);
	INIT_DELAYED_WORK(&fctrl->failfast_work, nvmf_failfast_work);
	INIT_DELAYED_WORK(&fctrl->ka_work, nvmf_ka_work);
	INIT_WORK(&ctrl->reset_work, nvmf_reset_work);
	fctrl->recovery.reconnect_delay = opts->reconnect_delay;
	fctrl->recovery.max_reconnects =
		nvmf_max_reconnects(opts->ctrl_loss_tmo, opts->reconnect_delay);
	fctrl->recovery.fast_io_fail_tmo = opts->fast_io_fail_tmo;
	ctrl->kato = opts->kato;
	ctrl->sqsize = opts->queue_size - 1;
	ctrl->queue_count = 1;

	ret = nvme_init_ctrl(ctrl, dev, ctrl_ops, 0);
	if (ret) {
		fctrl->opts = NULL;
		kfree(opts);
		return ret;
	}
	mutex_lock(&nvmf_ctrl_mutex);
	list_add_tail(&fctrl->entry, &nvmf_ctrl_list);
	mutex_unlock(&nvmf_ctrl_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(nvmf_init_ctrl);

/* one line naming the controller's subsystem and address, as Linux's hosts log */
static void nvmf_log_ctrl(struct nvmf_ctrl *fctrl, const char *what)
{
	struct nvmf_ctrl_options *o = fctrl->opts;
	struct device *d = &fctrl->ctrl.cdev_device;

	if (o->traddr[0] && o->trsvcid[0])
		dev_info(d, "%s: NQN \"%s\", addr %s:%s\n", what, o->subsysnqn,
			 o->traddr, o->trsvcid);
	else if (o->traddr[0])
		dev_info(d, "%s: NQN \"%s\", addr %s\n", what, o->subsysnqn,
			 o->traddr);
	else
		dev_info(d, "%s: NQN \"%s\"\n", what, o->subsysnqn);
}

int nvmf_setup_ctrl(struct nvmf_ctrl *fctrl)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;
	struct nvmf_decision d;
	int ret;

	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_CONNECTING))
		return -EBUSY;
	ret = nvmf_connect_ctrl(fctrl, true);
	if (ret)
		return ret > 0 ? -EIO : ret;
	d = nvmf_recovery_decide(NVME_CTRL_CONNECTING, NVMF_EV_CONNECTED,
				 &fctrl->recovery, 0);
	/* the creator's caller's: see nvmf_transport_ops.create_ctrl */
	nvme_get_ctrl(ctrl);
	if (!nvmf_go_live(fctrl, &d)) {
		nvme_put_ctrl(ctrl);
		nvmf_teardown_io(fctrl, true);
		nvmf_teardown_admin(fctrl, true);
		return -EBUSY;
	}
	nvmf_recheck_queues(fctrl);
	nvmf_log_ctrl(fctrl, "new ctrl");
	return 0;
}
EXPORT_SYMBOL_GPL(nvmf_setup_ctrl);

static void nvmf_unlist_ctrl(struct nvmf_ctrl *fctrl)
{
	mutex_lock(&nvmf_ctrl_mutex);
	list_del_init(&fctrl->entry);
	mutex_unlock(&nvmf_ctrl_mutex);
}

void nvmf_abort_ctrl(struct nvmf_ctrl *fctrl)
{
	struct nvme_ctrl *ctrl = &fctrl->ctrl;

	nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING);
	nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING_NOIO);
	nvmf_unlist_ctrl(fctrl);
	nvme_uninit_ctrl(ctrl);
	nvme_put_ctrl(ctrl);
}
EXPORT_SYMBOL_GPL(nvmf_abort_ctrl);

/* ops->delete_ctrl: from the core's delete work, state DELETING */
void nvmf_delete_ctrl_op(struct nvme_ctrl *ctrl)
{
	struct nvmf_ctrl *fctrl = to_nvmf_ctrl(ctrl);

	dev_info(&ctrl->cdev_device, "Removing ctrl: NQN \"%s\"\n",
		 fctrl->opts->subsysnqn);
	/*
	 * A start still running (the creator's, or connect_work's) ends
	 * first; no new one begins once the state is DELETING.
	 */
	mutex_lock(&fctrl->start_lock);
	mutex_unlock(&fctrl->start_lock);
	flush_work(&ctrl->reset_work);
	cancel_work_sync(&fctrl->err_work);
	cancel_delayed_work_sync(&fctrl->connect_work);
	cancel_delayed_work_sync(&fctrl->failfast_work);
	nvmf_stop_keep_alive(fctrl);
	nvme_stop_ctrl(ctrl);
	nvme_remove_namespaces(ctrl);
	/* a polite shutdown if the controller still answers */
	if (fctrl->nr_queues_alloced)
		nvme_disable_ctrl(ctrl, true);
	nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING_NOIO);
	nvmf_teardown_io(fctrl, true);
	nvmf_teardown_admin(fctrl, true);
	nvmf_unlist_ctrl(fctrl);
}
EXPORT_SYMBOL_GPL(nvmf_delete_ctrl_op);

/* ops->free_ctrl: the last reference is gone */
void nvmf_free_ctrl_op(struct nvme_ctrl *ctrl)
{
	struct nvmf_ctrl *fctrl = to_nvmf_ctrl(ctrl);
	struct nvmf_ctrl_options *opts = fctrl->opts;

	fctrl->ops->free_ctrl(fctrl);
	kfree(opts);
}
EXPORT_SYMBOL_GPL(nvmf_free_ctrl_op);

/* ------------------------------------------------------------------ */
/* the controller list                                                */
/* ------------------------------------------------------------------ */

static bool nvmf_same_str(const char *a, const char *b)
{
	return !strcmp(a, b);
}

/**
 * nvmf_ctrl_exists() - is there a controller for the same path already?
 * @opts: the new controller's options
 *
 * Same transport, addresses, subsystem and host, and not going away.
 */
bool nvmf_ctrl_exists(const struct nvmf_ctrl_options *opts)
{
	struct nvmf_ctrl *fctrl;
	bool found = false;

	mutex_lock(&nvmf_ctrl_mutex);
	list_for_each_entry(fctrl, &nvmf_ctrl_list, entry) {
		const struct nvmf_ctrl_options *o = fctrl->opts;
		enum nvme_ctrl_state s = nvme_ctrl_state(&fctrl->ctrl);

		if (s == NVME_CTRL_DELETING || s == NVME_CTRL_DELETING_NOIO ||
		    s == NVME_CTRL_DEAD)
			continue;
		if (nvmf_same_str(o->transport, opts->transport) &&
		    nvmf_same_str(o->traddr, opts->traddr) &&
		    nvmf_same_str(o->trsvcid, opts->trsvcid) &&
		    nvmf_same_str(o->subsysnqn, opts->subsysnqn) &&
		    nvmf_same_str(o->hostnqn, opts->hostnqn) &&
		    nvmf_same_str(o->host_traddr, opts->host_traddr) &&
		    nvmf_same_str(o->host_iface, opts->host_iface)) {
			found = true;
			break;
		}
	}
	mutex_unlock(&nvmf_ctrl_mutex);
	return found;
}

/**
 * nvmf_delete_all_ctrls() - delete every controller of a transport
 * @name: transport name
 *
 * For module unload of a transport; waits for the deletions.
 */
void nvmf_delete_all_ctrls(const char *name)
{
	struct nvmf_ctrl *fctrl;

	mutex_lock(&nvmf_ctrl_mutex);
	list_for_each_entry(fctrl, &nvmf_ctrl_list, entry)
		if (!strcmp(fctrl->opts->transport, name))
			nvme_delete_ctrl(&fctrl->ctrl);
	mutex_unlock(&nvmf_ctrl_mutex);
	flush_workqueue(nvme_delete_wq);
}
EXPORT_SYMBOL_GPL(nvmf_delete_all_ctrls);

/* ------------------------------------------------------------------ */
/* sysfs                                                              */
/* ------------------------------------------------------------------ */

int nvmf_get_address(struct nvme_ctrl *ctrl, char *buf, int size)
{
	struct nvmf_ctrl *fctrl = to_nvmf_ctrl(ctrl);
	struct nvmf_ctrl_options *o = fctrl->opts;
	int len = 0;

	if (o->mask & NVMF_OPT_TRADDR)
		len += scnprintf(buf + len, size - len, "traddr=%s", o->traddr);
	if (o->mask & NVMF_OPT_TRSVCID)
		len += scnprintf(buf + len, size - len, "%strsvcid=%s",
				 len ? "," : "", o->trsvcid);
	if (o->mask & NVMF_OPT_HOST_TRADDR)
		len += scnprintf(buf + len, size - len, "%shost_traddr=%s",
				 len ? "," : "", o->host_traddr);
	if (o->mask & NVMF_OPT_HOST_IFACE)
		len += scnprintf(buf + len, size - len, "%shost_iface=%s",
				 len ? "," : "", o->host_iface);
	if (fctrl->ops->get_address) {
		mutex_lock(&fctrl->queue_lock);
		len += fctrl->ops->get_address(fctrl, buf + len, size - len);
		mutex_unlock(&fctrl->queue_lock);
	}
	len += scnprintf(buf + len, size - len, "\n");
	return len;
}
EXPORT_SYMBOL_GPL(nvmf_get_address);

static struct nvmf_ctrl *nvmf_dev_to_fctrl(struct device *dev)
{
	return to_nvmf_ctrl(dev_get_drvdata(dev));
}

static ssize_t hostnqn_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", nvmf_dev_to_fctrl(dev)->opts->hostnqn);
}
static DEVICE_ATTR_RO(hostnqn);

static ssize_t hostid_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%pUb\n", nvmf_dev_to_fctrl(dev)->opts->hostid);
}
static DEVICE_ATTR_RO(hostid);

/* ctrl_loss_tmo, fast_io_fail_tmo: seconds, or "off" (any negative) */
static ssize_t nvmf_tmo_show(char *buf, int tmo)
{
	if (tmo < 0)
		return sysfs_emit(buf, "off\n");
	return sysfs_emit(buf, "%d\n", tmo);
}

static int nvmf_tmo_parse(const char *buf, int *tmo)
{
	int v;

	if (kstrtoint(buf, 10, &v) || v > NVMF_MAX_TMO_S)
		return -EINVAL;
	*tmo = v < 0 ? -1 : v;
	return 0;
}

/*
 * What the machine will actually wait: whole reconnect_delay periods,
 * the count rounded up (ctrl_loss_tmo=7, reconnect_delay=2 reads 8), as
 * Linux reports it.
 */
static ssize_t ctrl_loss_tmo_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct nvmf_ctrl *fctrl = nvmf_dev_to_fctrl(dev);
	int n = READ_ONCE(fctrl->recovery.max_reconnects);

	return nvmf_tmo_show(buf, n < 0 ? -1 :
			     n * READ_ONCE(fctrl->recovery.reconnect_delay));
}

static ssize_t ctrl_loss_tmo_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct nvmf_ctrl *fctrl = nvmf_dev_to_fctrl(dev);

	if (nvmf_tmo_parse(buf, &fctrl->opts->ctrl_loss_tmo))
		return -EINVAL;
	WRITE_ONCE(fctrl->recovery.max_reconnects,
		   nvmf_max_reconnects(fctrl->opts->ctrl_loss_tmo,
				       fctrl->opts->reconnect_delay));
	return count;
}
static DEVICE_ATTR_RW(ctrl_loss_tmo);

static ssize_t reconnect_delay_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  nvmf_dev_to_fctrl(dev)->opts->reconnect_delay);
}

static ssize_t reconnect_delay_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct nvmf_ctrl *fctrl = nvmf_dev_to_fctrl(dev);
	int v;

	if (kstrtoint(buf, 10, &v) || v <= 0 || v > NVMF_MAX_TMO_S)
		return -EINVAL;
	fctrl->opts->reconnect_delay = v;
	WRITE_ONCE(fctrl->recovery.reconnect_delay, v);
	WRITE_ONCE(fctrl->recovery.max_reconnects,
		   nvmf_max_reconnects(fctrl->opts->ctrl_loss_tmo, v));
	return count;
}
static DEVICE_ATTR_RW(reconnect_delay);

static ssize_t fast_io_fail_tmo_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return nvmf_tmo_show(buf, nvmf_dev_to_fctrl(dev)->opts->fast_io_fail_tmo);
}

static ssize_t fast_io_fail_tmo_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	struct nvmf_ctrl *fctrl = nvmf_dev_to_fctrl(dev);

	if (nvmf_tmo_parse(buf, &fctrl->opts->fast_io_fail_tmo))
		return -EINVAL;
	WRITE_ONCE(fctrl->recovery.fast_io_fail_tmo,
		   fctrl->opts->fast_io_fail_tmo);
	return count;
}
static DEVICE_ATTR_RW(fast_io_fail_tmo);

static struct attribute *nvmf_ctrl_attrs[] = {
	&dev_attr_hostnqn.attr,
	&dev_attr_hostid.attr,
	&dev_attr_ctrl_loss_tmo.attr,
	&dev_attr_reconnect_delay.attr,
	&dev_attr_fast_io_fail_tmo.attr,
	NULL
};

const struct attribute_group nvmf_ctrl_attr_group = {
	.attrs = nvmf_ctrl_attrs,
};
EXPORT_SYMBOL_GPL(nvmf_ctrl_attr_group);

/*
 * ops->uevent: the address of a fabrics controller goes with every uevent
 * of its /dev/nvmeN (after the class's NVME_TRTYPE); udev rules (nvme-cli's
 * autoconnect) connect from them.
 */
int nvmf_uevent_op(struct nvme_ctrl *ctrl, struct kobj_uevent_env *env)
{
	struct nvmf_ctrl_options *o = to_nvmf_ctrl(ctrl)->opts;

	return add_uevent_var(env, "NVME_TRADDR=%s", o->traddr) ?:
	       add_uevent_var(env, "NVME_TRSVCID=%s", o->trsvcid) ?:
	       add_uevent_var(env, "NVME_HOST_TRADDR=%s",
			      o->host_traddr[0] ? o->host_traddr : "none") ?:
	       add_uevent_var(env, "NVME_HOST_IFACE=%s",
			      o->host_iface[0] ? o->host_iface : "none");
}
EXPORT_SYMBOL_GPL(nvmf_uevent_op);

/* ops->disc_changed: a change uevent; the class adds the address */
void nvmf_disc_changed_op(struct nvme_ctrl *ctrl, u32 result)
{
	char aen[24], *envp[2] = { aen, NULL };

	snprintf(aen, sizeof(aen), "NVME_AEN=%#08x", result);
	dev_info(&ctrl->cdev_device, "discovery log changed\n");
	kobject_uevent_env(&ctrl->cdev_device.kobj, KOBJ_CHANGE, envp);
}
EXPORT_SYMBOL_GPL(nvmf_disc_changed_op);
