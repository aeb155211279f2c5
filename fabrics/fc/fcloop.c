// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-fcloop: an FC LLDD without hardware.  It registers local ports
 * with nvme-fc and target ports with nvmet-fc and moves LS and FCP
 * exchanges between them in memory, so NVMe/FC can be run and tested on
 * any machine.
 *
 * Control, as root, through /sys/class/fcloop/ctl/:
 *   add_local_port   "wwnn=0x..,wwpn=0x.."          an initiator port
 *   del_local_port   "wwnn=0x..,wwpn=0x.."
 *   add_target_port  "wwnn=0x..,wwpn=0x.."          a target port
 *   del_target_port  "wwnn=0x..,wwpn=0x.."
 *   add_remote_port  "wwnn=..,wwpn=..,lpwwnn=..,lpwwpn=.."
 *                    the target port wwnn/wwpn becomes visible to the
 *                    local port lpwwnn/lpwwpn
 *   del_remote_port  "wwnn=0x..,wwpn=0x.."
 * A remote port reaches whichever target port has its names at the time
 * of each exchange; with none, exchanges fail as on a broken link.
 *
 * Exchanges: an FCP exchange is a struct fcloop_fcp shared by both
 * sides and refcounted by each.  Data is copied between the host's and
 * the target's scatterlists under the exchange's lock, and only while
 * the host side has not completed (an abort completes it at once), so
 * a late target never touches host memory.  Every completion callback
 * runs from fcloop_wq, never from inside a call of the other side.
 */
#define pr_fmt(fmt) "nvme_fcloop: " fmt

#include <linux/device.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "lldd.h"
#include "wire.h"

static unsigned int dev_loss_tmo = 60;
module_param(dev_loss_tmo, uint, 0644);
MODULE_PARM_DESC(dev_loss_tmo, "seconds a deleted remote port may return before its controllers are removed (default 60)");

#define FCLOOP_HW_QUEUES	4
#define FCLOOP_SGL_SEGMENTS	256
#define FCLOOP_MAX_XFER		(1024 * 1024)

/**
 * struct fcloop_lport - a local (initiator) port
 * @entry: on fcloop_lports
 * @wwnn: node name
 * @wwpn: port name
 * @lp: nvme-fc's port
 */
struct fcloop_lport {
	struct list_head entry;
	u64 wwnn;
	u64 wwpn;
	struct nvme_fc_lport *lp;
};

/**
 * struct fcloop_rport - a target port as a local port sees it
 * @entry: on fcloop_rports
 * @wwnn: node name of the target port
 * @wwpn: port name of the target port
 * @lport: the local port
 * @rp: nvme-fc's port
 */
struct fcloop_rport {
	struct list_head entry;
	u64 wwnn;
	u64 wwpn;
	struct fcloop_lport *lport;
	struct nvme_fc_rport *rp;
};

/**
 * struct fcloop_tport - a target port
 * @entry: on fcloop_tports while alive (fcloop_lock)
 * @wwnn: node name
 * @wwpn: port name
 * @tp: nvmet-fc's port
 * @users: exchanges being handed to nvmet-fc right now
 * @wq: deletion waits here for @users
 */
struct fcloop_tport {
	struct list_head entry;
	u64 wwnn;
	u64 wwpn;
	struct nvmet_fc_tport *tp;
	atomic_t users;
	wait_queue_head_t wq;
};

/**
 * struct fcloop_ls - one LS exchange
 * @hop: the host's LS
 * @rsp: the target's side of it
 * @status: for the host's ->done
 * @work: completes the host's LS
 */
struct fcloop_ls {
	struct nvme_fc_ls_op *hop;
	struct nvmet_fc_ls_rsp rsp;
	int status;
	struct work_struct work;
};

/**
 * struct fcloop_fcp - one FCP exchange, both sides
 * @lock: protects @host_done and the use of @hop's buffers
 * @ref: host side + target side
 * @hop: the host's exchange
 * @host_done: the host's completion is queued; @hop is off limits
 * @host_status: its status
 * @txchg: the target's view
 * @host_work: calls @hop->done
 * @tgt_work: calls @txchg.done
 * @entry: on fcloop_xchgs until the host side completed
 * @rport: the remote port it was sent to (compared, never dereferenced)
 *
 * @hop->lldd_priv points here exactly while @entry is listed: both are
 * set and cleared under fcloop_xchg_lock, before the host's reference
 * is dropped.  A host abort, which holds no reference, finds the
 * exchange only that way.
 */
struct fcloop_fcp {
	spinlock_t lock;	/* see above */
	struct kref ref;
	struct nvme_fc_fcp_op *hop;
	bool host_done;
	int host_status;
	struct list_head entry;
	struct fcloop_rport *rport;
	struct nvmet_fc_fcp_xchg txchg;
	struct work_struct host_work;
	struct work_struct tgt_work;
};

static DEFINE_MUTEX(fcloop_mutex);	/* control operations */
static DEFINE_SPINLOCK(fcloop_lock);	/* fcloop_tports */
static LIST_HEAD(fcloop_lports);
static LIST_HEAD(fcloop_rports);
static LIST_HEAD(fcloop_tports);
static struct workqueue_struct *fcloop_wq;
/* host exchanges not yet completed: a lost remote port fails them */
static DEFINE_SPINLOCK(fcloop_xchg_lock);
static LIST_HEAD(fcloop_xchgs);

/* the live target port with these names, with a user reference */
static struct fcloop_tport *fcloop_get_tport(u64 wwnn, u64 wwpn)
{
	struct fcloop_tport *t, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	list_for_each_entry(t, &fcloop_tports, entry) {
		if (t->wwnn == wwnn && t->wwpn == wwpn) {
			atomic_inc(&t->users);
			found = t;
			break;
		}
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	return found;
}

static void fcloop_put_tport(struct fcloop_tport *t)
{
	unsigned long flags;

	/* under the lock: deletion must not free @t before the wake up */
	spin_lock_irqsave(&fcloop_lock, flags);
	if (atomic_dec_and_test(&t->users))
		wake_up(&t->wq);
	spin_unlock_irqrestore(&fcloop_lock, flags);
}

/* ------------------------------------------------------------------ */
/* link services                                                      */
/* ------------------------------------------------------------------ */

static void fcloop_ls_work(struct work_struct *work)
{
	struct fcloop_ls *ls = container_of(work, struct fcloop_ls, work);

	ls->hop->done(ls->hop, ls->status);
	kfree(ls);
}

static int fcloop_ls_send(struct nvme_fc_lport *lport,
			  struct nvme_fc_rport *rport,
			  struct nvme_fc_ls_op *op)
{
	struct fcloop_rport *r = rport->lldd_priv;
	struct fcloop_tport *t;
	struct fcloop_ls *ls;
	int ret;

	ls = kzalloc(sizeof(*ls), GFP_KERNEL);
	if (!ls)
		return -ENOMEM;
	ls->hop = op;
	ls->rsp.lldd_priv = ls;
	INIT_WORK(&ls->work, fcloop_ls_work);
	op->rsp_rcvd = 0;
	t = fcloop_get_tport(r->wwnn, r->wwpn);
	if (!t) {
		ls->status = -ECONNREFUSED;
		queue_work(fcloop_wq, &ls->work);
		return 0;
	}
	/* the host handle names the initiator: its local port */
	ret = nvmet_fc_rcv_ls(t->tp, r->lport, &ls->rsp, op->rqst,
			      op->rqst_len);
	fcloop_put_tport(t);
	if (ret) {
		ls->status = ret;
		queue_work(fcloop_wq, &ls->work);
	}
	return 0;
}

static int fcloop_ls_rsp(struct nvmet_fc_tport *tport,
			 struct nvmet_fc_ls_rsp *rsp)
{
	struct fcloop_ls *ls = rsp->lldd_priv;
	struct nvme_fc_ls_op *hop = ls->hop;
	u32 len = min(rsp->len, hop->rsp_len);

	memcpy(hop->rsp, rsp->buf, len);
	hop->rsp_rcvd = len;
	rsp->done(rsp);
	queue_work(fcloop_wq, &ls->work);
	return 0;
}

/* ------------------------------------------------------------------ */
/* FCP exchanges                                                      */
/* ------------------------------------------------------------------ */

static void fcloop_fcp_release(struct kref *ref)
{
	kfree(container_of(ref, struct fcloop_fcp, ref));
}

static void fcloop_host_work(struct work_struct *work)
{
	struct fcloop_fcp *f = container_of(work, struct fcloop_fcp,
					    host_work);
	struct nvme_fc_fcp_op *hop = f->hop;
	unsigned long flags;

	/* from here on a host abort no longer finds @f */
	spin_lock_irqsave(&fcloop_xchg_lock, flags);
	list_del(&f->entry);
	hop->lldd_priv = NULL;
	spin_unlock_irqrestore(&fcloop_xchg_lock, flags);
	/* and whoever queued this work has left f->lock */
	spin_lock_irqsave(&f->lock, flags);
	hop->status = f->host_status;
	spin_unlock_irqrestore(&f->lock, flags);
	hop->done(hop);
	kref_put(&f->ref, fcloop_fcp_release);
}

static void fcloop_tgt_work(struct work_struct *work)
{
	struct fcloop_fcp *f = container_of(work, struct fcloop_fcp,
					    tgt_work);

	f->txchg.done(&f->txchg);
}

/* f->lock held: complete the host side (once) */
static void fcloop_host_finish_locked(struct fcloop_fcp *f, int status)
{
	if (f->host_done)
		return;
	f->host_done = true;
	f->host_status = status;
	queue_work(fcloop_wq, &f->host_work);
}

static void fcloop_host_finish(struct fcloop_fcp *f, int status)
{
	unsigned long flags;

	spin_lock_irqsave(&f->lock, flags);
	fcloop_host_finish_locked(f, status);
	spin_unlock_irqrestore(&f->lock, flags);
}

/*
 * Copy @len bytes from @src (starting @soff bytes in) to @dst (starting
 * @doff bytes in).  Each list is walked once: @src through a mapping
 * iterator, @dst by hand, one destination page mapped at a time inside the
 * source mapping (so the local mappings nest).  Return: bytes copied.
 */
static u32 fcloop_sg_copy(struct scatterlist *dst, unsigned int dnents,
			  u32 doff, struct scatterlist *src,
			  unsigned int snents, u32 soff, u32 len)
{
	struct sg_mapping_iter miter;
	struct scatterlist *d = dst;
	u32 done = 0;

	if (!len || !dst || !src || !dnents)
		return 0;
	/* the destination entry @doff falls in */
	while (doff >= d->length) {
		doff -= d->length;
		if (!--dnents)
			return 0;
		d = sg_next(d);
	}
	sg_miter_start(&miter, src, snents, SG_MITER_ATOMIC | SG_MITER_FROM_SG);
	if (!sg_miter_skip(&miter, soff)) {
		sg_miter_stop(&miter);
		return 0;
	}
	while (done < len && d && sg_miter_next(&miter)) {
		size_t n = min_t(size_t, miter.length, len - done);
		size_t in = 0;

		while (in < n && d) {
			u32 at = d->offset + doff;
			u32 c = min3((u32)(n - in), d->length - doff,
				     (u32)(PAGE_SIZE - offset_in_page(at)));
			void *p = kmap_local_page(sg_page(d) + (at >> PAGE_SHIFT));

			memcpy(p + offset_in_page(at), miter.addr + in, c);
			kunmap_local(p);
			flush_dcache_page(sg_page(d) + (at >> PAGE_SHIFT));
			in += c;
			doff += c;
			if (doff == d->length) {
				doff = 0;
				d = --dnents ? sg_next(d) : NULL;
			}
		}
		miter.consumed = in;
		done += in;
		if (in < n)
			break;
	}
	sg_miter_stop(&miter);
	return done;
}

static int fcloop_fcp_send(struct nvme_fc_lport *lport,
			   struct nvme_fc_rport *rport, unsigned int hwq,
			   struct nvme_fc_fcp_op *op)
{
	struct fcloop_rport *r = rport->lldd_priv;
	struct fcloop_tport *t;
	struct fcloop_fcp *f;
	unsigned long flags;
	int ret;

	f = kzalloc(sizeof(*f), GFP_ATOMIC);
	if (!f)
		return -EBUSY;
	spin_lock_init(&f->lock);
	kref_init(&f->ref);		/* the host side */
	f->hop = op;
	f->txchg.lldd_priv = f;
	INIT_WORK(&f->host_work, fcloop_host_work);
	INIT_WORK(&f->tgt_work, fcloop_tgt_work);
	op->rsp_rcvd = 0;
	op->xfrd_len = 0;
	f->rport = r;
	spin_lock_irqsave(&fcloop_xchg_lock, flags);
	list_add_tail(&f->entry, &fcloop_xchgs);
	op->lldd_priv = f;		/* an abort may find it from now on */
	spin_unlock_irqrestore(&fcloop_xchg_lock, flags);

	t = fcloop_get_tport(r->wwnn, r->wwpn);
	if (!t) {
		fcloop_host_finish(f, -ECONNREFUSED);
		return 0;
	}
	kref_get(&f->ref);		/* the target side */
	ret = nvmet_fc_rcv_fcp(t->tp, &f->txchg, op->cmd_iu, op->cmd_len);
	fcloop_put_tport(t);
	if (ret) {
		/* an abort may have completed the host side meanwhile */
		fcloop_host_finish(f, ret);
		kref_put(&f->ref, fcloop_fcp_release);
	}
	return 0;
}

static void fcloop_fcp_abort(struct nvme_fc_lport *lport,
			     struct nvme_fc_rport *rport, unsigned int hwq,
			     struct nvme_fc_fcp_op *op)
{
	struct fcloop_fcp *f;
	unsigned long flags;

	/*
	 * No reference is held here: the exchange may be completing on
	 * fcloop_wq right now.  Under fcloop_xchg_lock, @op->lldd_priv is
	 * either an exchange whose host reference cannot be dropped before
	 * we unlock, or NULL: ->done is already under way, or fcloop_fcp_send()
	 * has not listed the exchange yet.  The late abort is then dropped
	 * and the exchange ends normally; the host's teardown waits for it.
	 */
	spin_lock_irqsave(&fcloop_xchg_lock, flags);
	f = op->lldd_priv;
	if (f)
		fcloop_host_finish(f, -ECANCELED);
	spin_unlock_irqrestore(&fcloop_xchg_lock, flags);
}

static void fcloop_ls_abort(struct nvme_fc_lport *lport,
			    struct nvme_fc_rport *rport,
			    struct nvme_fc_ls_op *op)
{
	/* LS exchanges always complete promptly in memory */
}

static int fcloop_fcp_op(struct nvmet_fc_tport *tport,
			 struct nvmet_fc_fcp_xchg *x)
{
	struct fcloop_fcp *f = x->lldd_priv;
	struct nvme_fc_fcp_op *hop = f->hop;
	unsigned long flags;
	u32 n;

	x->status = 0;
	x->xfrd_len = 0;
	spin_lock_irqsave(&f->lock, flags);
	if (f->host_done) {
		x->status = -ECANCELED;
		goto out;
	}
	switch (x->op) {
	case NVMET_FC_OP_WRITEDATA:
		if (hop->dir != NVME_FC_DIR_WRITE ||
		    x->offset + x->len > hop->data_len) {
			x->status = -EINVAL;
			break;
		}
		n = fcloop_sg_copy(x->sg, x->sg_cnt, 0, hop->sg, hop->sg_cnt,
				   x->offset, x->len);
		x->xfrd_len = n;
		hop->xfrd_len += n;
		if (n != x->len)
			x->status = -EIO;
		break;
	case NVMET_FC_OP_READDATA:
	case NVMET_FC_OP_READDATA_RSP:
		if (hop->dir != NVME_FC_DIR_READ ||
		    x->offset + x->len > hop->data_len) {
			x->status = -EINVAL;
			fcloop_host_finish_locked(f, -EIO);
			break;
		}
		n = fcloop_sg_copy(hop->sg, hop->sg_cnt, x->offset, x->sg,
				   x->sg_cnt, 0, x->len);
		x->xfrd_len = n;
		hop->xfrd_len += n;
		if (n != x->len)
			x->status = -EIO;
		if (x->op == NVMET_FC_OP_READDATA)
			break;
		fallthrough;
	case NVMET_FC_OP_RSP:
		n = min(x->rsp_len, hop->rsp_len);
		if (n)
			memcpy(hop->rsp, x->rsp, n);
		hop->rsp_rcvd = n;
		fcloop_host_finish_locked(f, 0);
		break;
	default:
		x->status = -EINVAL;
		break;
	}
out:
	spin_unlock_irqrestore(&f->lock, flags);
	queue_work(fcloop_wq, &f->tgt_work);
	return 0;
}

static void fcloop_tgt_fcp_abort(struct nvmet_fc_tport *tport,
				 struct nvmet_fc_fcp_xchg *x)
{
	fcloop_host_finish(x->lldd_priv, -ECONNABORTED);
}

static void fcloop_tgt_fcp_release(struct nvmet_fc_tport *tport,
				   struct nvmet_fc_fcp_xchg *x)
{
	struct fcloop_fcp *f = x->lldd_priv;

	kref_put(&f->ref, fcloop_fcp_release);
}

static const struct nvme_fc_host_ops fcloop_host_ops = {
	.ls_send		= fcloop_ls_send,
	.ls_abort		= fcloop_ls_abort,
	.fcp_send		= fcloop_fcp_send,
	.fcp_abort		= fcloop_fcp_abort,
	.max_hw_queues		= FCLOOP_HW_QUEUES,
	.max_sgl_segments	= FCLOOP_SGL_SEGMENTS,
	.max_xfer_len		= FCLOOP_MAX_XFER,
};

static const struct nvmet_fc_tgt_ops fcloop_tgt_ops = {
	.ls_rsp			= fcloop_ls_rsp,
	.fcp_op			= fcloop_fcp_op,
	.fcp_abort		= fcloop_tgt_fcp_abort,
	.fcp_release		= fcloop_tgt_fcp_release,
	.max_hw_queues		= FCLOOP_HW_QUEUES,
	.max_sgl_segments	= FCLOOP_SGL_SEGMENTS,
};

/* ------------------------------------------------------------------ */
/* ports                                                              */
/* ------------------------------------------------------------------ */

static struct fcloop_lport *fcloop_find_lport(u64 wwnn, u64 wwpn)
{
	struct fcloop_lport *l;

	list_for_each_entry(l, &fcloop_lports, entry)
		if (l->wwnn == wwnn && l->wwpn == wwpn)
			return l;
	return NULL;
}

static struct fcloop_rport *fcloop_find_rport(struct fcloop_lport *l,
					      u64 wwnn, u64 wwpn)
{
	struct fcloop_rport *r;

	list_for_each_entry(r, &fcloop_rports, entry)
		if (r->wwnn == wwnn && r->wwpn == wwpn &&
		    (!l || r->lport == l))
			return r;
	return NULL;
}

static struct fcloop_tport *fcloop_find_tport(u64 wwnn, u64 wwpn)
{
	struct fcloop_tport *t;

	list_for_each_entry(t, &fcloop_tports, entry)
		if (t->wwnn == wwnn && t->wwpn == wwpn)
			return t;
	return NULL;
}

/* like a link going down: the host's open exchanges to @r fail now */
static void fcloop_del_rport(struct fcloop_rport *r)
{
	struct fcloop_fcp *f;
	unsigned long flags;

	list_del(&r->entry);
	nvme_fc_unregister_rport(r->rp);	/* no new exchange after this */
	spin_lock_irqsave(&fcloop_xchg_lock, flags);
	list_for_each_entry(f, &fcloop_xchgs, entry)
		if (f->rport == r)
			fcloop_host_finish(f, -ECONNRESET);
	spin_unlock_irqrestore(&fcloop_xchg_lock, flags);
	kfree(r);
}

static void fcloop_del_lport(struct fcloop_lport *l)
{
	struct fcloop_rport *r, *rtmp;
	struct fcloop_tport *t;

	list_for_each_entry_safe(r, rtmp, &fcloop_rports, entry)
		if (r->lport == l)
			fcloop_del_rport(r);
	list_del(&l->entry);
	nvme_fc_unregister_lport(l->lp);
	/* tell the targets the initiator left */
	list_for_each_entry(t, &fcloop_tports, entry)
		nvmet_fc_host_gone(t->tp, l);
	kfree(l);
}

static void fcloop_del_tport(struct fcloop_tport *t)
{
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	list_del(&t->entry);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	wait_event(t->wq, !atomic_read(&t->users));
	/* wait for the last put to leave the lock */
	spin_lock_irqsave(&fcloop_lock, flags);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	nvmet_fc_unregister_tport(t->tp);
	kfree(t);
}

/* parse a control file write; @id (if not NULL) gets the port's names */
static int fcloop_parse(const char *buf, size_t count, u32 need,
			struct nvme_fc_port_opts *o, struct nvme_fc_port_id *id)
{
	if (nvme_fc_parse_port_opts(buf, (u32)min_t(size_t, count, U32_MAX),
				    o) ||
	    (o->mask & need) != need || !o->wwnn || !o->wwpn) {
		pr_err_ratelimited("bad port options (need wwnn=0x..,wwpn=0x..%s)\n",
				   need & NVME_FC_OPT_LPWWNN ?
				   ",lpwwnn=0x..,lpwwpn=0x.." : "");
		return -EINVAL;
	}
	if (id) {
		id->wwnn = o->wwnn;
		id->wwpn = o->wwpn;
		id->port_id = (u32)o->fcaddr;
	}
	return 0;
}

#define FCLOOP_NAMES	(NVME_FC_OPT_WWNN | NVME_FC_OPT_WWPN)

static ssize_t add_local_port_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct nvme_fc_port_id id = { };
	struct nvme_fc_port_opts o;
	struct fcloop_lport *l;
	int ret;

	ret = fcloop_parse(buf, count, FCLOOP_NAMES, &o, &id);
	if (ret)
		return ret;
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	l->wwnn = o.wwnn;
	l->wwpn = o.wwpn;
	mutex_lock(&fcloop_mutex);
	ret = nvme_fc_register_lport(&id, &fcloop_host_ops, l, &l->lp);
	if (!ret)
		list_add_tail(&l->entry, &fcloop_lports);
	mutex_unlock(&fcloop_mutex);
	if (ret) {
		kfree(l);
		return ret;
	}
	return count;
}

static ssize_t del_local_port_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct nvme_fc_port_opts o;
	struct fcloop_lport *l;
	int ret;

	ret = fcloop_parse(buf, count, FCLOOP_NAMES, &o, NULL);
	if (ret)
		return ret;
	mutex_lock(&fcloop_mutex);
	l = fcloop_find_lport(o.wwnn, o.wwpn);
	if (l)
		fcloop_del_lport(l);
	mutex_unlock(&fcloop_mutex);
	return l ? (ssize_t)count : -ENOENT;
}

static ssize_t add_remote_port_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct nvme_fc_port_id id = { };
	struct nvme_fc_port_opts o;
	struct fcloop_lport *l;
	struct fcloop_rport *r;
	int ret;

	ret = fcloop_parse(buf, count, FCLOOP_NAMES | NVME_FC_OPT_LPWWNN |
			   NVME_FC_OPT_LPWWPN, &o, &id);
	if (ret)
		return ret;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->wwnn = o.wwnn;
	r->wwpn = o.wwpn;
	mutex_lock(&fcloop_mutex);
	l = fcloop_find_lport(o.lpwwnn, o.lpwwpn);
	if (!l)
		ret = -ENOENT;
	else if (fcloop_find_rport(l, o.wwnn, o.wwpn))
		ret = -EEXIST;
	else
		ret = nvme_fc_register_rport(l->lp, &id, dev_loss_tmo, r,
					     &r->rp);
	if (!ret) {
		r->lport = l;
		list_add_tail(&r->entry, &fcloop_rports);
	}
	mutex_unlock(&fcloop_mutex);
	if (ret) {
		kfree(r);
		return ret;
	}
	return count;
}

static ssize_t del_remote_port_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct nvme_fc_port_opts o;
	struct fcloop_lport *l = NULL;
	struct fcloop_rport *r;
	int ret;

	ret = fcloop_parse(buf, count, FCLOOP_NAMES, &o, NULL);
	if (ret)
		return ret;
	/* a local port named must be named whole and exist */
	if (!!(o.mask & NVME_FC_OPT_LPWWPN) != !!(o.mask & NVME_FC_OPT_LPWWNN))
		return -EINVAL;
	mutex_lock(&fcloop_mutex);
	r = NULL;
	if (o.mask & NVME_FC_OPT_LPWWPN) {
		l = fcloop_find_lport(o.lpwwnn, o.lpwwpn);
		if (l)
			r = fcloop_find_rport(l, o.wwnn, o.wwpn);
	} else {
		r = fcloop_find_rport(NULL, o.wwnn, o.wwpn);
	}
	if (r)
		fcloop_del_rport(r);
	mutex_unlock(&fcloop_mutex);
	return r ? (ssize_t)count : -ENOENT;
}

static ssize_t add_target_port_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct nvme_fc_port_id id = { };
	struct nvme_fc_port_opts o;
	struct fcloop_tport *t;
	unsigned long flags;
	int ret;

	ret = fcloop_parse(buf, count, FCLOOP_NAMES, &o, &id);
	if (ret)
		return ret;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->wwnn = o.wwnn;
	t->wwpn = o.wwpn;
	atomic_set(&t->users, 0);
	init_waitqueue_head(&t->wq);
	mutex_lock(&fcloop_mutex);
	ret = nvmet_fc_register_tport(&id, &fcloop_tgt_ops, t, &t->tp);
	if (!ret) {
		spin_lock_irqsave(&fcloop_lock, flags);
		list_add_tail(&t->entry, &fcloop_tports);
		spin_unlock_irqrestore(&fcloop_lock, flags);
	}
	mutex_unlock(&fcloop_mutex);
	if (ret) {
		kfree(t);
		return ret;
	}
	return count;
}

static ssize_t del_target_port_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct nvme_fc_port_opts o;
	struct fcloop_tport *t;
	int ret;

	ret = fcloop_parse(buf, count, FCLOOP_NAMES, &o, NULL);
	if (ret)
		return ret;
	mutex_lock(&fcloop_mutex);
	t = fcloop_find_tport(o.wwnn, o.wwpn);
	if (t)
		fcloop_del_tport(t);
	mutex_unlock(&fcloop_mutex);
	return t ? (ssize_t)count : -ENOENT;
}

static DEVICE_ATTR_WO(add_target_port);
static DEVICE_ATTR_WO(del_target_port);
static DEVICE_ATTR_WO(add_local_port);
static DEVICE_ATTR_WO(del_local_port);
static DEVICE_ATTR_WO(add_remote_port);
static DEVICE_ATTR_WO(del_remote_port);

/* the control files, in the order a setup script writes them */
static struct attribute *fcloop_ctl_attrs[] = {
	&dev_attr_add_target_port.attr,
	&dev_attr_add_local_port.attr,
	&dev_attr_add_remote_port.attr,
	&dev_attr_del_remote_port.attr,
	&dev_attr_del_local_port.attr,
	&dev_attr_del_target_port.attr,
	NULL,
};
ATTRIBUTE_GROUPS(fcloop_ctl);

static struct class *fcloop_class;
static struct device *fcloop_ctl_dev;

static int __init fcloop_init(void)
{
	int ret;

	fcloop_wq = alloc_workqueue("nvme-fcloop", WQ_MEM_RECLAIM, 0);
	if (!fcloop_wq)
		return -ENOMEM;
	fcloop_class = class_create(THIS_MODULE, "fcloop");
	if (IS_ERR(fcloop_class)) {
		ret = PTR_ERR(fcloop_class);
		goto out_wq;
	}
	fcloop_ctl_dev = device_create_with_groups(fcloop_class, NULL,
						   MKDEV(0, 0), NULL,
						   fcloop_ctl_groups, "ctl");
	if (IS_ERR(fcloop_ctl_dev)) {
		ret = PTR_ERR(fcloop_ctl_dev);
		goto out_class;
	}
	return 0;

out_class:
	class_destroy(fcloop_class);
out_wq:
	destroy_workqueue(fcloop_wq);
	return ret;
}

static void __exit fcloop_exit(void)
{
	struct fcloop_lport *l, *ltmp;
	struct fcloop_tport *t, *ttmp;

	device_unregister(fcloop_ctl_dev);
	mutex_lock(&fcloop_mutex);
	list_for_each_entry_safe(l, ltmp, &fcloop_lports, entry)
		fcloop_del_lport(l);
	list_for_each_entry_safe(t, ttmp, &fcloop_tports, entry)
		fcloop_del_tport(t);
	mutex_unlock(&fcloop_mutex);
	flush_workqueue(fcloop_wq);
	destroy_workqueue(fcloop_wq);
	class_destroy(fcloop_class);
}

module_init(fcloop_init);
module_exit(fcloop_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over FC loopback LLDD (out-of-tree)");
MODULE_VERSION("0.1");
