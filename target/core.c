// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet core: transports, ports, queues, requests, namespaces, subsystems
 * and controllers (dynamic controller model).  See nvmet.h for the
 * transport-facing rules and nvmet-core.h for the lock order.
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/rculist.h>
#include <linux/random.h>
#include <linux/kmod.h>
#include <linux/blkdev.h>
#include "nvmet.h"

DECLARE_RWSEM(nvmet_config_sem);
LIST_HEAD(nvmet_ports);
struct nvmet_subsys *nvmet_disc_subsys;
u64 nvmet_genctr;
struct workqueue_struct *nvmet_wq;
static DECLARE_WAIT_QUEUE_HEAD(nvmet_port_wq);

static const struct nvmet_fabrics_ops *nvmet_transports[NVMF_TRTYPE_MAX];

enum {
	NVMET_CTRL_FATAL,	/* deletion scheduled */
};

/* ---- Transports and ports ---- */

static bool nvmet_ops_complete(const struct nvmet_fabrics_ops *ops)
{
	return ops->type < NVMF_TRTYPE_MAX && ops->add_port &&
		ops->remove_port && ops->queue_response && ops->delete_ctrl;
}

/* One transport per trtype; the slot is what port enabling looks up. */
int nvmet_register_transport(const struct nvmet_fabrics_ops *ops)
{
	const struct nvmet_fabrics_ops **slot;
	int ret = -EBUSY;

	if (!nvmet_ops_complete(ops))
		return -EINVAL;
	slot = &nvmet_transports[ops->type];
	down_write(&nvmet_config_sem);
	if (!*slot) {
		*slot = ops;
		ret = 0;
	}
	up_write(&nvmet_config_sem);
	if (!ret)
		pr_debug("transport %u registered\n", ops->type);
	return ret;
}
EXPORT_SYMBOL_GPL(nvmet_register_transport);

/* Ports using @ops pin its module, so none can be enabled here. */
void nvmet_unregister_transport(const struct nvmet_fabrics_ops *ops)
{
	if (ops->type >= NVMF_TRTYPE_MAX)
		return;
	down_write(&nvmet_config_sem);
	if (nvmet_transports[ops->type] == ops)
		nvmet_transports[ops->type] = NULL;
	up_write(&nvmet_config_sem);
}
EXPORT_SYMBOL_GPL(nvmet_unregister_transport);

/* Called with nvmet_config_sem held for writing; may drop it to autoload. */
int nvmet_enable_port(struct nvmet_port *port)
{
	const struct nvmet_fabrics_ops *ops;
	int ret;

	if (port->trtype >= NVMF_TRTYPE_MAX)
		return -EINVAL;
	ops = nvmet_transports[port->trtype];
	if (!ops) {
		up_write(&nvmet_config_sem);
		request_module("nvmet-transport-%d", port->trtype);
		down_write(&nvmet_config_sem);
		ops = nvmet_transports[port->trtype];
		if (!ops) {
			pr_err_ratelimited("transport type %d not available\n",
					   port->trtype);
			return -EINVAL;
		}
	}
	if (port->enabled)
		return 0;
	if (!try_module_get(ops->owner))
		return -EINVAL;
	/*
	 * A transport that takes in-capsule data picks its default size
	 * (param_inline_data_size -1) in add_port, before it listens.
	 */
	if (!(ops->flags & NVMET_OPS_INLINE_DATA))
		port->inline_data_size = 0;
	port->tr_ops = ops;
	ret = ops->add_port(port);
	if (ret) {
		port->tr_ops = NULL;
		module_put(ops->owner);
		return ret;
	}
	if (WARN_ON_ONCE(port->inline_data_size < 0))
		port->inline_data_size = NVMET_DEFAULT_INLINE;
	/* tell hosts (discovery TREQ) they may turn SQ flow control off */
	if (ops->flags & NVMET_OPS_DISABLE_SQFLOW)
		port->treq |= NVMF_TREQ_DISABLE_SQFLOW;
	port->enabled = true;
	return 0;
}

void nvmet_disable_port(struct nvmet_port *port)
{
	const struct nvmet_fabrics_ops *ops = port->tr_ops;

	if (!port->enabled)
		return;
	port->enabled = false;
	ops->remove_port(port);
	nvmet_port_del_ctrls(port, nvmet_disc_subsys);
	port->tr_ops = NULL;
	port->priv = NULL;
	module_put(ops->owner);
}

/* ---- Queues ---- */

static void nvmet_sq_free(struct percpu_ref *ref)
{
	struct nvmet_sq *sq = container_of(ref, struct nvmet_sq, ref);

	complete(&sq->free_done);
}

static void nvmet_sq_confirm(struct percpu_ref *ref)
{
	struct nvmet_sq *sq = container_of(ref, struct nvmet_sq, ref);

	complete(&sq->confirm_done);
}

int nvmet_sq_init(struct nvmet_sq *sq)
{
	int ret;

	memset(sq, 0, sizeof(*sq));
	ret = percpu_ref_init(&sq->ref, nvmet_sq_free, 0, GFP_KERNEL);
	if (ret)
		return ret;
	init_completion(&sq->free_done);
	init_completion(&sq->confirm_done);
	spin_lock_init(&sq->page_lock);
	INIT_LIST_HEAD(&sq->pages);
	INIT_LIST_HEAD(&sq->busy_pages);
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_sq_init);

/* drop the cache; pages given back from now on are put at once */
static void nvmet_sq_close_pages(struct nvmet_sq *sq)
{
	struct page *page, *tmp;
	unsigned long flags;
	LIST_HEAD(pages);

	spin_lock_irqsave(&sq->page_lock, flags);
	list_splice_init(&sq->pages, &pages);
	list_splice_init(&sq->busy_pages, &pages);
	sq->nr_pages = 0;
	sq->nr_busy = 0;
	sq->pages_closed = true;
	spin_unlock_irqrestore(&sq->page_lock, flags);
	list_for_each_entry_safe(page, tmp, &pages, lru)
		put_page(page);	/* a busy page's last holder frees it */
}

void nvmet_cq_init(struct nvmet_cq *cq)
{
	cq->qid = 0;
	cq->size = 0;
}
EXPORT_SYMBOL_GPL(nvmet_cq_init);

static void nvmet_fail_aers(struct nvmet_ctrl *ctrl)
{
	struct nvmet_req *reqs[NVMET_AERL];
	unsigned int i, n;

	mutex_lock(&ctrl->lock);
	n = ctrl->nr_aer;
	memcpy(reqs, ctrl->aer_reqs, n * sizeof(reqs[0]));
	ctrl->nr_aer = 0;
	mutex_unlock(&ctrl->lock);
	for (i = 0; i < n; i++)
		nvmet_req_complete(reqs[i], NVMET_ERR(NVME_SC_ABORT_SQ_DELETED));
}

void nvmet_sq_destroy(struct nvmet_sq *sq)
{
	struct nvmet_ctrl *ctrl;

	percpu_ref_kill_and_confirm(&sq->ref, nvmet_sq_confirm);
	wait_for_completion(&sq->confirm_done);
	/* no new AER can come in now; those waiting never end by themselves */
	ctrl = sq->ctrl;
	if (ctrl && sq->qid == 0)
		nvmet_fail_aers(ctrl);
	wait_for_completion(&sq->free_done);
	/*
	 * Only now: a Connect that was still executing (RDMA runs commands
	 * from the CQ, not from the thread tearing the queue down) may have
	 * bound the queue to a controller while we waited.
	 */
	ctrl = sq->ctrl;
	percpu_ref_exit(&sq->ref);
	nvmet_sq_close_pages(sq);
	if (ctrl) {
		mutex_lock(&ctrl->lock);
		if (sq->qid < ctrl->nr_sqs && ctrl->sqs[sq->qid] == sq)
			ctrl->sqs[sq->qid] = NULL;
		mutex_unlock(&ctrl->lock);
		/* a host that drops its admin queue is gone */
		if (sq->qid == 0)
			nvmet_ctrl_fatal_error(ctrl);
		sq->ctrl = NULL;
		nvmet_ctrl_put(ctrl);
	}
}
EXPORT_SYMBOL_GPL(nvmet_sq_destroy);

/*
 * Bind @sq (whose Connect succeeded) to @ctrl, taking over a reference.
 * ctrl->lock held.
 */
/*
 * Bind @sq to @ctrl as queue @qid, with ctrl->lock held.  False when the
 * controller's deletion has been scheduled: it may have killed its queues
 * already and would never see this one.
 */
bool nvmet_sq_setup(struct nvmet_ctrl *ctrl, struct nvmet_sq *sq, u16 qid,
		    u16 size)
{
	if (test_bit(NVMET_CTRL_FATAL, &ctrl->flags))
		return false;
	sq->qid = qid;
	sq->size = size;
	sq->sqhd = 0;
	ctrl->sqs[qid] = sq;
	sq->ctrl = ctrl;
	return true;
}

/* ---- Requests ---- */

static void nvmet_fill_cqe(struct nvmet_req *req, u16 status)
{
	struct nvmet_sq *sq = req->sq;
	u32 old, new;

	if (!sq->sqhd_disabled && sq->size) {
		do {
			old = READ_ONCE(sq->sqhd);
			new = (old + 1) % sq->size;
		} while (cmpxchg(&sq->sqhd, old, new) != old);
		req->cqe->sqhd = cpu_to_le16((u16)new);
	} else {
		req->cqe->sqhd = cpu_to_le16(0xffff);
	}
	req->cqe->sqid = cpu_to_le16(sq->qid);
	req->cqe->cid = req->cmd->cid;
	req->cqe->status = cpu_to_le16(status << 1);
}

/*
 * A failed command of a connected controller goes to its Error
 * Information log; the status then says there is more (M bit).
 */
static u16 nvmet_log_error(struct nvmet_req *req, u16 status)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvme_err_log_entry *e;
	unsigned long flags;
	u8 opc = req->cmd->opc;

	if (!ctrl)
		return status;
	status |= NVME_STATUS_MORE;
	spin_lock_irqsave(&ctrl->err_lock, flags);
	e = &ctrl->err_log[ctrl->err_count++ % NVMET_ERR_SLOTS];
	memset(e, 0, sizeof(*e));
	e->error_count = cpu_to_le64(ctrl->err_count);
	e->sqid = cpu_to_le16(req->sq->qid);
	e->cmdid = req->cmd->cid;
	e->status = cpu_to_le16(status << 1);
	e->param_loc = cpu_to_le16(req->error_loc);
	e->nsid = req->cmd->nsid;
	if (req->sq->qid && (opc == NVME_IO_READ || opc == NVME_IO_WRITE ||
			     opc == NVME_IO_WRITE_ZEROES || opc == NVME_IO_COMPARE))
		e->lba = cpu_to_le64(nvmet_req_slba(req));
	spin_unlock_irqrestore(&ctrl->err_lock, flags);
	return status;
}

static void __nvmet_req_complete(struct nvmet_req *req, u16 status)
{
	if (unlikely(status))
		status = nvmet_log_error(req, status);
	if (req->ns) {
		nvmet_put_ns(req->ns);
		req->ns = NULL;
	}
	nvmet_fill_cqe(req, status);
	req->ops->queue_response(req);
}

void nvmet_req_complete(struct nvmet_req *req, u16 status)
{
	struct nvmet_sq *sq = req->sq;

	__nvmet_req_complete(req, status);
	percpu_ref_put(&sq->ref);
}
EXPORT_SYMBOL_GPL(nvmet_req_complete);

void nvmet_set_result(struct nvmet_req *req, u32 dw0)
{
	req->cqe->dw0 = cpu_to_le32(dw0);
}

/* Largest data transfer a command may ask for, in bytes. */
static u32 nvmet_max_xfer(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u8 mdts = NVMET_MDTS_DEFAULT;

	if (ctrl && req->ops->get_mdts)
		mdts = req->ops->get_mdts(ctrl);
	if (!mdts || mdts > 12)
		mdts = 12;	/* 16 MiB: never let a host size our buffers */
	return (u32)NVMET_PAGE_SIZE << mdts;
}

static u16 nvmet_parse(struct nvmet_req *req)
{
	struct nvmet_sq *sq = req->sq;
	struct nvme_sqe *cmd = req->cmd;

	if (!sq->ctrl)
		return nvmet_parse_connect_cmd(req);
	if (cmd->opc == NVME_ADM_FABRICS) {
		if (sq->qid)
			return NVMET_ERR(NVME_SC_INVALID_OPCODE);
		return nvmet_parse_fabrics_admin_cmd(req);
	}
	if (sq->qid == 0) {
		if (nvmet_is_disc(sq->ctrl))
			return nvmet_parse_disc_cmd(req);
		return nvmet_parse_admin_cmd(req);
	}
	return nvmet_parse_io_cmd(req);
}

bool nvmet_req_init(struct nvmet_req *req, struct nvmet_cq *cq,
		    struct nvmet_sq *sq, const struct nvmet_fabrics_ops *ops)
{
	u8 flags = req->cmd->flags;
	u16 status;

	req->cq = cq;
	req->sq = sq;
	req->ops = ops;
	req->ns = NULL;
	req->sg = NULL;
	req->sg_cnt = 0;
	req->data_len = 0;
	req->transfer_len = le32_to_cpu(req->cmd->dptr.sgl.length);
	/* a keyed SGL (RDMA) has a 24-bit length; byte 11 starts the key */
	if ((req->cmd->dptr.sgl.type >> 4) == (NVME_SGL_TYPE_KEYED_DATA >> 4))
		req->transfer_len &= 0xffffff;
	req->execute = NULL;
	req->error_loc = 0xffff;
	req->cqe->dw0 = 0;
	req->cqe->dw1 = 0;

	if (!percpu_ref_tryget_live(&sq->ref)) {
		/*
		 * The queue is going away.  The answer is unlikely to be
		 * read; if it is, the host may retry on another connection.
		 */
		__nvmet_req_complete(req, NVME_SC_ABORT_SQ_DELETED);
		return false;
	}
	if (flags & 0x3) {			/* fused operations */
		req->error_loc = offsetof(struct nvme_sqe, flags);
		status = NVMET_ERR(NVME_SC_INVALID_FIELD);
		goto fail;
	}
	if ((flags & 0xc0) != NVME_CMD_PSDT_SGL_MPTR) {	/* fabrics: SGLs */
		req->error_loc = offsetof(struct nvme_sqe, flags);
		status = NVMET_ERR(NVME_SC_INVALID_FIELD);
		goto fail;
	}
	status = nvmet_parse(req);
	if (status)
		goto fail;
	if (req->data_len > nvmet_max_xfer(req)) {
		status = NVMET_ERR(NVME_SC_INVALID_FIELD);
		goto fail;
	}
	if (req->transfer_len != req->data_len) {
		req->error_loc = offsetof(struct nvme_sqe, dptr);
		status = NVMET_ERR(NVME_SC_SGL_INVALID_DATA);
		goto fail;
	}
	return true;
fail:
	nvmet_req_complete(req, status);
	return false;
}
EXPORT_SYMBOL_GPL(nvmet_req_init);

void nvmet_req_uninit(struct nvmet_req *req)
{
	struct nvmet_sq *sq = req->sq;

	if (req->ns) {
		nvmet_put_ns(req->ns);
		req->ns = NULL;
	}
	percpu_ref_put(&sq->ref);
}
EXPORT_SYMBOL_GPL(nvmet_req_uninit);

void nvmet_req_execute(struct nvmet_req *req)
{
	if (unlikely(req->transfer_len != req->data_len)) {
		req->error_loc = offsetof(struct nvme_sqe, dptr);
		nvmet_req_complete(req, NVMET_ERR(NVME_SC_SGL_INVALID_DATA));
		return;
	}
	if (unlikely(req->data_len && (!req->sg || !req->sg_cnt))) {
		nvmet_req_complete(req, NVMET_ERR(NVME_SC_INTERNAL));
		return;
	}
	req->execute(req);
}
EXPORT_SYMBOL_GPL(nvmet_req_execute);

/*
 * Data buffers come from the queue's page cache first: the pages of a
 * finished command of the same queue (same host, same connection), which
 * the next command's data overwrites before anything is sent.
 */
static unsigned int nvmet_sq_get_pages(struct nvmet_sq *sq,
				       struct scatterlist *sg, unsigned int n)
{
	unsigned long flags;
	unsigned int i = 0;
	struct page *page;

	spin_lock_irqsave(&sq->page_lock, flags);
	/* busy pages go back in order; those their other holder let go of */
	while (sq->nr_busy) {
		page = list_first_entry(&sq->busy_pages, struct page, lru);
		if (page_count(page) != 1)
			break;
		list_move(&page->lru, &sq->pages);
		sq->nr_busy--;
		sq->nr_pages++;
	}
	while (i < n && sq->nr_pages) {
		page = list_first_entry(&sq->pages, struct page, lru);
		list_del(&page->lru);
		sq->nr_pages--;
		sg_set_page(&sg[i++], page, PAGE_SIZE, 0);
	}
	spin_unlock_irqrestore(&sq->page_lock, flags);
	return i;
}

static void nvmet_sq_put_pages(struct nvmet_sq *sq, struct scatterlist *sgl,
			       unsigned int n)
{
	struct scatterlist *sg;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&sq->page_lock, flags);
	for_each_sg(sgl, sg, n, i) {
		struct page *page = sg_page(sg);

		if (sq->pages_closed ||
		    sq->nr_pages + sq->nr_busy >= NVMET_SQ_CACHE_PAGES) {
			put_page(page);
			continue;
		}
		/*
		 * A page that went out through sendpage may sit in a socket's
		 * queues until it is acked or read: it waits on @busy_pages
		 * (our reference kept) until we are its only holder again.
		 */
		if (page_count(page) != 1) {
			list_add_tail(&page->lru, &sq->busy_pages);
			sq->nr_busy++;
			continue;
		}
		list_add(&page->lru, &sq->pages);
		sq->nr_pages++;
	}
	spin_unlock_irqrestore(&sq->page_lock, flags);
}

int nvmet_req_alloc_sgl(struct nvmet_req *req)
{
	unsigned int n, i;
	struct scatterlist *sg;

	if (!req->data_len)
		return 0;
	n = DIV_ROUND_UP(req->data_len, PAGE_SIZE);
	sg = kmalloc_array(n, sizeof(*sg), GFP_KERNEL);
	if (!sg)
		return -ENOMEM;
	sg_init_table(sg, n);
	i = nvmet_sq_get_pages(req->sq, sg, n);
	for (; i < n; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page) {
			nvmet_sq_put_pages(req->sq, sg, i);
			kfree(sg);
			return -ENOMEM;
		}
		sg_set_page(&sg[i], page, PAGE_SIZE, 0);
	}
	/* the last entry covers only what is left */
	sg[n - 1].length = req->data_len - (n - 1) * PAGE_SIZE;
	req->sg = sg;
	req->sg_cnt = n;
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_req_alloc_sgl);

void nvmet_req_free_sgl(struct nvmet_req *req)
{
	if (req->sg) {
		nvmet_sq_put_pages(req->sq, req->sg, req->sg_cnt);
		kfree(req->sg);
	}
	req->sg = NULL;
	req->sg_cnt = 0;
}
EXPORT_SYMBOL_GPL(nvmet_req_free_sgl);

u16 nvmet_copy_to_sgl(struct nvmet_req *req, u32 off, const void *buf,
		      size_t len)
{
	if (sg_pcopy_from_buffer(req->sg, req->sg_cnt, buf, len, off) != len)
		return NVMET_ERR(NVME_SC_SGL_INVALID_DATA);
	return 0;
}

u16 nvmet_copy_from_sgl(struct nvmet_req *req, u32 off, void *buf, size_t len)
{
	if (sg_pcopy_to_buffer(req->sg, req->sg_cnt, buf, len, off) != len)
		return NVMET_ERR(NVME_SC_SGL_INVALID_DATA);
	return 0;
}

u16 nvmet_zero_sgl(struct nvmet_req *req, u32 off, size_t len)
{
	if (sg_zero_buffer(req->sg, req->sg_cnt, len, off) != len)
		return NVMET_ERR(NVME_SC_SGL_INVALID_DATA);
	return 0;
}

/* ---- Namespaces ---- */

static void nvmet_ns_ref_free(struct percpu_ref *ref)
{
	struct nvmet_ns *ns = container_of(ref, struct nvmet_ns, ref);

	complete(&ns->disable_done);
}

struct nvmet_ns *nvmet_ns_alloc(struct nvmet_subsys *subsys, u32 nsid)
{
	struct nvmet_ns *ns = kzalloc(sizeof(*ns), GFP_KERNEL);

	if (!ns)
		return NULL;
	ns->subsys = subsys;
	ns->nsid = nsid;
	ns->anagrpid = NVMET_DEFAULT_ANAGRP;
	uuid_gen(&ns->uuid);
	init_completion(&ns->disable_done);
	mutex_init(&ns->state_lock);
	return ns;
}

void nvmet_ns_free(struct nvmet_ns *ns)
{
	nvmet_ns_disable(ns);
	kfree(ns->device_path);
	kfree(ns);
}

struct nvmet_ns *nvmet_find_ns(struct nvmet_ctrl *ctrl, __le32 nsid)
{
	struct nvmet_ns *ns;

	rcu_read_lock();
	ns = xa_load(&ctrl->subsys->namespaces, le32_to_cpu(nsid));
	if (ns && !percpu_ref_tryget_live(&ns->ref))
		ns = NULL;
	rcu_read_unlock();
	return ns;
}

void nvmet_put_ns(struct nvmet_ns *ns)
{
	percpu_ref_put(&ns->ref);
}

static void nvmet_recompute_max_nsid(struct nvmet_subsys *subsys)
{
	unsigned long idx;
	struct nvmet_ns *ns;

	subsys->max_nsid = 0;
	xa_for_each(&subsys->namespaces, idx, ns)
		subsys->max_nsid = (u32)idx;
}

/* Tell every controller of @subsys that @nsid changed (subsys->lock held). */
void nvmet_ns_changed(struct nvmet_subsys *subsys, u32 nsid)
{
	struct nvmet_ctrl *ctrl;

	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
		mutex_lock(&ctrl->lock);
		nvmet_changed_ns_add(ctrl->changed_ns, &ctrl->nr_changed_ns,
				     NVMET_MAX_CHANGED_NS, nsid);
		mutex_unlock(&ctrl->lock);
		nvmet_send_notice(ctrl, NVME_AEC_NS_ATTR,
				  NVME_AER_NOTICE_NS_CHANGED,
				  NVME_LOG_CHANGED_NS);
	}
}

int nvmet_ns_enable(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;
	int ret;

	mutex_lock(&ns->state_lock);
	mutex_lock(&subsys->lock);
	if (ns->enabled) {
		ret = 0;
		goto out;
	}
	if (!ns->device_path) {
		ret = -EINVAL;
		goto out;
	}
	ret = nvmet_bdev_ns_enable(ns);
	if (ret == -ENOTBLK)
		ret = nvmet_file_ns_enable(ns);
	if (ret)
		goto out;
	ret = percpu_ref_init(&ns->ref, nvmet_ns_ref_free, 0, GFP_KERNEL);
	if (ret)
		goto out_close;
	reinit_completion(&ns->disable_done);
	ret = xa_insert(&subsys->namespaces, ns->nsid, ns, GFP_KERNEL);
	if (ret)
		goto out_ref;
	ns->enabled = true;
	subsys->nr_namespaces++;
	if (ns->nsid > subsys->max_nsid)
		subsys->max_nsid = ns->nsid;
	nvmet_ns_changed(subsys, ns->nsid);
	mutex_unlock(&subsys->lock);
	mutex_unlock(&ns->state_lock);
	return 0;
out_ref:
	percpu_ref_exit(&ns->ref);
out_close:
	nvmet_bdev_ns_disable(ns);
	nvmet_file_ns_disable(ns);
out:
	mutex_unlock(&subsys->lock);
	mutex_unlock(&ns->state_lock);
	return ret;
}

/*
 * Off the lookups first, then drain the I/O, then close the backend.
 * @ns stays "enabled" until the backend is closed, so configfs refuses to
 * change what it is backed by meanwhile; ns->state_lock makes a second
 * disable, or an enable, wait for this one to finish.
 */
void nvmet_ns_disable(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;

	mutex_lock(&ns->state_lock);
	mutex_lock(&subsys->lock);
	if (!ns->enabled) {
		mutex_unlock(&subsys->lock);
		mutex_unlock(&ns->state_lock);
		return;
	}
	xa_erase(&subsys->namespaces, ns->nsid);
	subsys->nr_namespaces--;
	nvmet_recompute_max_nsid(subsys);
	mutex_unlock(&subsys->lock);

	/* no new lookups can find @ns after this; then drain its I/O */
	synchronize_rcu();
	percpu_ref_kill(&ns->ref);
	wait_for_completion(&ns->disable_done);
	percpu_ref_exit(&ns->ref);

	mutex_lock(&subsys->lock);
	nvmet_bdev_ns_disable(ns);
	nvmet_file_ns_disable(ns);
	ns->enabled = false;
	nvmet_ns_changed(subsys, ns->nsid);
	mutex_unlock(&subsys->lock);
	mutex_unlock(&ns->state_lock);
}

/* ---- Subsystems ---- */

struct nvmet_subsys *nvmet_subsys_alloc(const char *nqn, u8 type)
{
	struct nvmet_subsys *subsys = kzalloc(sizeof(*subsys), GFP_KERNEL);

	if (!subsys)
		return NULL;
	subsys->subsysnqn = kstrdup(nqn, GFP_KERNEL);
	if (!subsys->subsysnqn) {
		kfree(subsys);
		return NULL;
	}
	subsys->type = type;
	kref_init(&subsys->ref);
	mutex_init(&subsys->lock);
	xa_init(&subsys->namespaces);
	INIT_LIST_HEAD(&subsys->ctrls);
	INIT_LIST_HEAD(&subsys->hosts);
	ida_init(&subsys->cntlids);
	/* 20 random hex digits fill the Identify SN field */
	snprintf(subsys->serial, sizeof(subsys->serial), "%016llx%04x",
		 get_random_u64(), get_random_u32() & 0xffff);
	strscpy(subsys->model, NVMET_DEFAULT_MODEL, sizeof(subsys->model));
	subsys->ver = NVMET_DEFAULT_VS;
	subsys->cntlid_min = NVMF_CNTLID_MIN;
	subsys->cntlid_max = NVMF_CNTLID_MAX;
	subsys->max_qid = NVMET_NR_QUEUES;
	return subsys;
}

static void nvmet_subsys_free(struct kref *ref)
{
	struct nvmet_subsys *subsys = container_of(ref, struct nvmet_subsys, ref);

	WARN_ON_ONCE(!list_empty(&subsys->ctrls));
	xa_destroy(&subsys->namespaces);
	ida_destroy(&subsys->cntlids);
	kfree(subsys->subsysnqn);
	kfree(subsys);
}

void nvmet_subsys_put(struct nvmet_subsys *subsys)
{
	kref_put(&subsys->ref, nvmet_subsys_free);
}

void nvmet_subsys_del_ctrls(struct nvmet_subsys *subsys)
{
	struct nvmet_ctrl *ctrl;

	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry)
		nvmet_ctrl_fatal_error(ctrl);
	mutex_unlock(&subsys->lock);
}

void nvmet_port_del_ctrls(struct nvmet_port *port, struct nvmet_subsys *subsys)
{
	struct nvmet_ctrl *ctrl;

	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry)
		if (ctrl->port == port)
			nvmet_ctrl_fatal_error(ctrl);
	mutex_unlock(&subsys->lock);
}

/* nvmet_config_sem held (read or write) */
bool nvmet_host_allowed(struct nvmet_subsys *subsys, const char *hostnqn)
{
	struct nvmet_host_link *l;

	if (subsys->type == NVMF_SUBTYPE_DISCOVERY || subsys->allow_any_host)
		return true;
	list_for_each_entry(l, &subsys->hosts, entry)
		if (!strcmp(l->nqn, hostnqn))
			return true;
	return false;
}

/*
 * nvmet_config_sem held: is @port (from a request, possibly stale) an
 * enabled port?  Compares pointers only, so a freed port is never read.
 */
static bool nvmet_port_live(struct nvmet_port *port)
{
	struct nvmet_port *p;

	if (!port)
		return false;
	list_for_each_entry(p, &nvmet_ports, entry)
		if (p == port)
			return port->enabled;
	return false;
}

/* Wait until every controller created through @port is gone. */
void nvmet_port_wait_ctrls(struct nvmet_port *port)
{
	while (!wait_event_timeout(nvmet_port_wq,
				   !atomic_read(&port->nr_ctrls), 10 * HZ))
		pr_warn("port %u: waiting for %d controllers to go\n",
			port->portid, atomic_read(&port->nr_ctrls));
}

/* nvmet_config_sem held: the subsystem @nqn as seen through @port */
static struct nvmet_subsys *nvmet_port_find_subsys(struct nvmet_port *port,
						   const char *nqn)
{
	struct nvmet_subsys_link *l;

	if (!nvmet_port_live(port))
		return NULL;
	if (!strcmp(nqn, NVMF_DISC_NQN)) {
		kref_get(&nvmet_disc_subsys->ref);
		return nvmet_disc_subsys;
	}
	list_for_each_entry(l, &port->subsystems, entry) {
		if (!strcmp(l->subsys->subsysnqn, nqn)) {
			kref_get(&l->subsys->ref);
			return l->subsys;
		}
	}
	return NULL;
}

/*
 * A new controller is on @subsys's list: does @port still lead to it by
 * @nqn?
 * An unlink (or the port's disable) kills the port's controllers under
 * nvmet_config_sem held for writing.  One that ran between the Connect's
 * lookup and the list_add missed the new controller, and this look,
 * taken after it, sees the link gone; one that runs later finds the
 * controller on the list.
 */
static bool nvmet_port_still_exports(struct nvmet_port *port, const char *nqn,
				     struct nvmet_subsys *subsys)
{
	struct nvmet_subsys *found;

	down_read(&nvmet_config_sem);
	found = nvmet_port_find_subsys(port, nqn);
	up_read(&nvmet_config_sem);
	if (found)
		nvmet_subsys_put(found);
	return found == subsys;
}

/* ---- Async events ---- */

static void nvmet_async_event_work(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl =
		container_of(work, struct nvmet_ctrl, async_event_work);
	struct nvmet_req *req;
	u32 dw0;

	mutex_lock(&ctrl->lock);
	while (ctrl->nr_events && ctrl->nr_aer) {
		dw0 = ctrl->events[0];
		memmove(ctrl->events, ctrl->events + 1,
			--ctrl->nr_events * sizeof(ctrl->events[0]));
		req = ctrl->aer_reqs[--ctrl->nr_aer];
		mutex_unlock(&ctrl->lock);
		nvmet_set_result(req, dw0);
		nvmet_req_complete(req, 0);
		mutex_lock(&ctrl->lock);
	}
	mutex_unlock(&ctrl->lock);
}

void nvmet_add_async_event(struct nvmet_ctrl *ctrl, u8 type, u8 info, u8 lid)
{
	u32 dw0 = type | (u32)info << 8 | (u32)lid << 16;
	unsigned int i;

	mutex_lock(&ctrl->lock);
	for (i = 0; i < ctrl->nr_events; i++)
		if (ctrl->events[i] == dw0)
			break;
	if (i == ctrl->nr_events && i < ARRAY_SIZE(ctrl->events))
		ctrl->events[ctrl->nr_events++] = dw0;
	mutex_unlock(&ctrl->lock);
	queue_work(nvmet_wq, &ctrl->async_event_work);
}

/*
 * Queue a notice of class @aec_bit (NVME_AEC_*) unless the host disabled
 * the class or has not read the log page of the last one yet: one notice
 * per class until nvmet_clear_aen() re-arms it.
 */
void nvmet_send_notice(struct nvmet_ctrl *ctrl, u32 aec_bit, u8 info, u8 lid)
{
	bool send;

	mutex_lock(&ctrl->lock);
	send = (ctrl->aen_enabled & aec_bit) && !(ctrl->aen_masked & aec_bit);
	if (send)
		ctrl->aen_masked |= aec_bit;
	mutex_unlock(&ctrl->lock);
	if (send)
		nvmet_add_async_event(ctrl, NVME_AER_TYPE_NOTICE, info, lid);
}

/* Reading a log page re-arms its notice unless the host set RAE. */
void nvmet_clear_aen(struct nvmet_req *req, u32 aen_bit)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;

	if (NVME_GLP_RAE(nvmet_cdw(req, 10)))
		return;
	mutex_lock(&ctrl->lock);
	ctrl->aen_masked &= ~aen_bit;
	mutex_unlock(&ctrl->lock);
}

/* Discovery information changed: bump the generation, notify hosts. */
void nvmet_disc_changed(struct nvmet_port *port, struct nvmet_subsys *subsys)
{
	struct nvmet_ctrl *ctrl;

	nvmet_genctr++;
	mutex_lock(&nvmet_disc_subsys->lock);
	list_for_each_entry(ctrl, &nvmet_disc_subsys->ctrls, subsys_entry) {
		if (port && ctrl->port != port)
			continue;
		if (subsys && !nvmet_host_allowed(subsys, ctrl->hostnqn))
			continue;
		nvmet_send_notice(ctrl, NVME_AEC_DISC_CHANGE,
				  NVME_AER_NOTICE_DISC_CHANGED,
				  NVME_LOG_DISCOVERY);
	}
	mutex_unlock(&nvmet_disc_subsys->lock);
}

/* ---- Controllers ---- */

static unsigned long nvmet_kato_jiffies(struct nvmet_ctrl *ctrl)
{
	/* the host sends every kato/2; allow the same again for slow links */
	return msecs_to_jiffies(ctrl->kato + ctrl->kato / 2);
}

static void nvmet_keep_alive_timer(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl = container_of(to_delayed_work(work),
					       struct nvmet_ctrl, ka_work);

	pr_err_ratelimited("ctrl %u: keep-alive timer (%u ms) expired, host %s gone\n",
			   ctrl->cntlid, ctrl->kato, ctrl->hostnqn);
	nvmet_ctrl_fatal_error(ctrl);
}

void nvmet_start_keep_alive(struct nvmet_ctrl *ctrl)
{
	if (ctrl->kato)
		mod_delayed_work(nvmet_wq, &ctrl->ka_work,
				 nvmet_kato_jiffies(ctrl));
	else
		cancel_delayed_work(&ctrl->ka_work);
}

void nvmet_keep_alive_reset(struct nvmet_ctrl *ctrl)
{
	if (ctrl->kato && !test_bit(NVMET_CTRL_FATAL, &ctrl->flags))
		mod_delayed_work(nvmet_wq, &ctrl->ka_work,
				 nvmet_kato_jiffies(ctrl));
}

static void nvmet_fatal_work(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl = container_of(work, struct nvmet_ctrl,
					       fatal_work);

	mutex_lock(&ctrl->lock);
	ctrl->csts |= NVME_CSTS_CFS;
	mutex_unlock(&ctrl->lock);
	ctrl->ops->delete_ctrl(ctrl);
	nvmet_ctrl_put(ctrl);
}

void nvmet_ctrl_fatal_error(struct nvmet_ctrl *ctrl)
{
	/* a controller found on a list may already be on its way out */
	if (!kref_get_unless_zero(&ctrl->ref))
		return;
	if (test_and_set_bit(NVMET_CTRL_FATAL, &ctrl->flags)) {
		nvmet_ctrl_put(ctrl);
		return;
	}
	queue_work(nvmet_wq, &ctrl->fatal_work);
}
EXPORT_SYMBOL_GPL(nvmet_ctrl_fatal_error);

static void nvmet_port_unref(struct nvmet_port *port)
{
	if (atomic_dec_and_test(&port->nr_ctrls))
		wake_up_all(&nvmet_port_wq);
}

static void nvmet_ctrl_free_work(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl = container_of(work, struct nvmet_ctrl,
					       free_work);
	const struct nvmet_fabrics_ops *ops = ctrl->ops;
	struct nvmet_subsys *subsys = ctrl->subsys;
	struct nvmet_port *port = ctrl->port;

	/* off the list first: nobody can queue events or find it after */
	mutex_lock(&subsys->lock);
	list_del(&ctrl->subsys_entry);
	mutex_unlock(&subsys->lock);
	cancel_delayed_work_sync(&ctrl->ka_work);
	cancel_work_sync(&ctrl->async_event_work);
	flush_work(&ctrl->fatal_work);
	ida_free(&subsys->cntlids, ctrl->cntlid);
	pr_info("deleted ctrl %u of %s\n", ctrl->cntlid, subsys->subsysnqn);
	kfree(ctrl->changed_ns);
	kfree(ctrl->sqs);
	nvmet_subsys_put(subsys);
	/* the transport may go once its last controller is gone ... */
	module_put(ops->owner);
	kfree(ctrl);
	/* ... and so may the port (nvmet_port_wait_ctrls()) */
	if (port)
		nvmet_port_unref(port);
}

static void nvmet_ctrl_release(struct kref *ref)
{
	struct nvmet_ctrl *ctrl = container_of(ref, struct nvmet_ctrl, ref);

	/* the last put may come from one of the controller's own works */
	queue_work(nvmet_wq, &ctrl->free_work);
}

bool nvmet_ctrl_get(struct nvmet_ctrl *ctrl)
{
	return kref_get_unless_zero(&ctrl->ref);
}
EXPORT_SYMBOL_GPL(nvmet_ctrl_get);

void nvmet_ctrl_put(struct nvmet_ctrl *ctrl)
{
	kref_put(&ctrl->ref, nvmet_ctrl_release);
}
EXPORT_SYMBOL_GPL(nvmet_ctrl_put);

static u64 nvmet_init_cap(void)
{
	u64 cap = NVMET_QUEUE_SIZE - 1;		/* MQES, 0 based */

	cap |= 1ull << 16;			/* CQR: contiguous queues */
	cap |= 15ull << 24;			/* TO: 7.5 s */
	cap |= 1ull << 37;			/* CSS: NVM command set */
	/* MPSMIN = MPSMAX = 0: 4 KiB pages */
	return cap;
}

/*
 * Admin Connect: find the subsystem through the port, check the host and
 * create a controller.  On success *@ctrlp holds one reference (for the
 * admin sq).
 */
u16 nvmet_alloc_ctrl(const char *subsysnqn, const char *hostnqn,
		     struct nvmet_req *req, u32 kato, struct nvmet_ctrl **ctrlp)
{
	struct nvmet_subsys *subsys;
	struct nvmet_ctrl *ctrl;
	int id;

	down_read(&nvmet_config_sem);
	subsys = nvmet_port_find_subsys(req->port, subsysnqn);
	if (!subsys) {
		up_read(&nvmet_config_sem);
		pr_warn_ratelimited("connect to unknown subsystem %s\n",
				    subsysnqn);
		req->error_loc = offsetof(struct nvmf_connect_data, subnqn);
		nvmet_connect_ipo(req, NVMF_IATTR_DATA, NVMET_CD_OFF(subnqn));
		return NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
	}
	if (!nvmet_host_allowed(subsys, hostnqn)) {
		up_read(&nvmet_config_sem);
		pr_info_ratelimited("host %s not allowed into %s\n", hostnqn,
				    subsysnqn);
		nvmet_connect_ipo(req, NVMF_IATTR_DATA, NVMET_CD_OFF(hostnqn));
		nvmet_subsys_put(subsys);
		return NVMET_ERR(NVME_SC_CONNECT_INVALID_HOST);
	}
	/* counted while the port is known to be live (config sem held) */
	atomic_inc(&req->port->nr_ctrls);
	up_read(&nvmet_config_sem);

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		goto out_put;
	ctrl->subsys = subsys;
	ctrl->port = req->port;
	ctrl->ops = req->ops;
	kref_init(&ctrl->ref);
	mutex_init(&ctrl->lock);
	spin_lock_init(&ctrl->err_lock);
	INIT_DELAYED_WORK(&ctrl->ka_work, nvmet_keep_alive_timer);
	INIT_WORK(&ctrl->fatal_work, nvmet_fatal_work);
	INIT_WORK(&ctrl->async_event_work, nvmet_async_event_work);
	INIT_WORK(&ctrl->free_work, nvmet_ctrl_free_work);
	strscpy(ctrl->hostnqn, hostnqn, sizeof(ctrl->hostnqn));
	ctrl->kato = kato;
	/* as Linux's target: namespace and ANA notices on until Set Features */
	ctrl->aen_enabled = NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE;
	ctrl->cap = nvmet_init_cap();
	ctrl->inline_data_size = req->port ? req->port->inline_data_size : 0;
	ctrl->changed_ns = kcalloc(NVMET_MAX_CHANGED_NS, sizeof(__le32),
				   GFP_KERNEL);
	if (!ctrl->changed_ns)
		goto out_free;

	mutex_lock(&subsys->lock);
	ctrl->nr_sqs = subsys->max_qid + 1;
	id = ida_alloc_range(&subsys->cntlids, subsys->cntlid_min,
			     subsys->cntlid_max, GFP_KERNEL);
	if (id < 0) {
		mutex_unlock(&subsys->lock);
		pr_warn_ratelimited("no controller id left in %s\n", subsysnqn);
		kfree(ctrl->changed_ns);
		kfree(ctrl);
		nvmet_port_unref(req->port);
		nvmet_subsys_put(subsys);
		return NVMET_ERR(NVME_SC_CONNECT_CTRL_BUSY);
	}
	ctrl->cntlid = (u16)id;
	ctrl->sqs = kcalloc(ctrl->nr_sqs, sizeof(*ctrl->sqs), GFP_KERNEL);
	if (!ctrl->sqs) {
		mutex_unlock(&subsys->lock);
		ida_free(&subsys->cntlids, id);
		goto out_free;
	}
	/* ctrl->ops runs from our works: pin the transport */
	if (!try_module_get(ctrl->ops->owner)) {
		mutex_unlock(&subsys->lock);
		ida_free(&subsys->cntlids, id);
		kfree(ctrl->sqs);
		goto out_free;
	}
	list_add_tail(&ctrl->subsys_entry, &subsys->ctrls);
	mutex_unlock(&subsys->lock);

	if (!nvmet_port_still_exports(req->port, subsysnqn, subsys)) {
		pr_info_ratelimited("%s left the port during a connect\n",
				    subsysnqn);
		nvmet_connect_ipo(req, NVMF_IATTR_DATA, NVMET_CD_OFF(subnqn));
		nvmet_ctrl_put(ctrl);
		return NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
	}
	nvmet_start_keep_alive(ctrl);
	*ctrlp = ctrl;
	return 0;
out_free:
	kfree(ctrl->changed_ns);
	kfree(ctrl);
out_put:
	nvmet_port_unref(req->port);
	nvmet_subsys_put(subsys);
	return NVMET_ERR(NVME_SC_INTERNAL);
}

/* I/O Connect: the controller @cntlid of @subsysnqn that @hostnqn owns. */
u16 nvmet_ctrl_find_get(const char *subsysnqn, const char *hostnqn, u16 cntlid,
			struct nvmet_req *req, struct nvmet_ctrl **ret)
{
	struct nvmet_subsys *subsys;
	struct nvmet_ctrl *ctrl;
	u16 status = NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);

	down_read(&nvmet_config_sem);
	subsys = nvmet_port_find_subsys(req->port, subsysnqn);
	up_read(&nvmet_config_sem);
	if (!subsys) {
		nvmet_connect_ipo(req, NVMF_IATTR_DATA, NVMET_CD_OFF(subnqn));
		return status;
	}
	nvmet_connect_ipo(req, NVMF_IATTR_DATA, NVMET_CD_OFF(cntlid));
	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
		if (ctrl->cntlid != cntlid)
			continue;
		if (strncmp(ctrl->hostnqn, hostnqn, NVMF_NQN_FIELD_LEN)) {
			pr_warn_ratelimited("host %s tried ctrl %u of host %s\n",
					    hostnqn, cntlid, ctrl->hostnqn);
			break;
		}
		if (test_bit(NVMET_CTRL_FATAL, &ctrl->flags) ||
		    !nvmet_ctrl_get(ctrl))
			break;
		*ret = ctrl;
		status = 0;
		break;
	}
	mutex_unlock(&subsys->lock);
	nvmet_subsys_put(subsys);
	if (!status)
		nvmet_set_result(req, 0);
	return status;
}

/*
 * Admin and I/O commands need an enabled, ready controller.  CSTS.CFS is
 * not a reason to refuse: it is set when the controller is being torn
 * down, and until the transport has closed its queues a command that
 * still arrives is executed as usual.  Its answer may be lost, and the
 * host retries it on its next connection; a "do not retry" error here
 * would reach the host first and fail its I/O.
 */
u16 nvmet_check_ctrl_status(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 cc = READ_ONCE(ctrl->cc), csts = READ_ONCE(ctrl->csts);

	if (!(cc & NVME_CC_EN) || !(csts & NVME_CSTS_RDY))
		return NVMET_ERR(NVME_SC_CMD_SEQ_ERROR);
	return 0;
}

/* Property Set of CC (ctrl->lock not held) */
void nvmet_update_cc(struct nvmet_ctrl *ctrl, u32 new)
{
	u32 old;

	mutex_lock(&ctrl->lock);
	old = ctrl->cc;
	ctrl->cc = new;
	if ((new & NVME_CC_EN) && !(old & NVME_CC_EN)) {
		if (nvmet_cc_check(new)) {
			pr_warn_ratelimited("ctrl %u: unsupported CC %#x\n",
					    ctrl->cntlid, new);
			ctrl->csts = NVME_CSTS_CFS;
		} else {
			ctrl->csts = NVME_CSTS_RDY;
		}
	}
	if (!(new & NVME_CC_EN) && (old & NVME_CC_EN))
		ctrl->csts &= ~(NVME_CSTS_RDY | NVME_CSTS_CFS);
	if ((new & NVME_CC_SHN_MASK) && !(old & NVME_CC_SHN_MASK)) {
		ctrl->csts &= ~NVME_CSTS_SHST_MASK;
		ctrl->csts |= NVME_CSTS_SHST_DONE;
	}
	if (!(new & NVME_CC_SHN_MASK) && (old & NVME_CC_SHN_MASK))
		ctrl->csts &= ~NVME_CSTS_SHST_MASK;
	mutex_unlock(&ctrl->lock);
}

/* ---- Module ---- */

static int __init nvmet_init(void)
{
	int ret;

	nvmet_wq = alloc_workqueue("nvmet-wq", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvmet_wq)
		return -ENOMEM;
	nvmet_disc_subsys = nvmet_subsys_alloc(NVMF_DISC_NQN,
					       NVMF_SUBTYPE_DISCOVERY);
	if (!nvmet_disc_subsys) {
		ret = -ENOMEM;
		goto out_wq;
	}
	nvmet_disc_subsys->max_qid = 0;
	ret = nvmet_init_configfs();
	if (ret)
		goto out_disc;
	return 0;
out_disc:
	nvmet_subsys_put(nvmet_disc_subsys);
out_wq:
	destroy_workqueue(nvmet_wq);
	return ret;
}

static void __exit nvmet_exit(void)
{
	nvmet_exit_configfs();
	flush_workqueue(nvmet_wq);
	nvmet_subsys_put(nvmet_disc_subsys);
	destroy_workqueue(nvmet_wq);
}

module_init(nvmet_init);
module_exit(nvmet_exit);
MODULE_DESCRIPTION("NVMe over Fabrics target core");
MODULE_LICENSE("GPL");
