// SPDX-License-Identifier: GPL-2.0
/*
 * Native multipath.
 *
 * A subsystem whose controllers say (CMIC bit 1) that they may share
 * namespaces gets one "head" per namespace id.  The head owns the block
 * device users see, /dev/nvmeKnM (K the subsystem, M the head instance),
 * and its ng node; every controller that attaches the namespace adds a
 * hidden path disk nvmeKcCnM under its own tag set.  The head disk is
 * bio based: each bio goes to a usable path, and a bio whose path failed
 * comes back to the head's requeue list and is sent again once a path is
 * usable, or failed when no controller that could carry it is left.
 *
 * Locking: head->lock serialises changes of head->paths and the head
 * disk's registration; submitters read head->paths and
 * head->current_path under head->srcu.  subsys->lock protects the list
 * of heads and is taken before head->lock: a head is on the list exactly
 * while it has paths.
 */
#include <linux/blkdev.h>
#include <linux/io_uring.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "nvme.h"

static bool multipath = true;
module_param(multipath, bool, 0444);
MODULE_PARM_DESC(multipath,
		 "one block device per namespace of a multi-controller subsystem");

int nvme_default_iopolicy = NVME_IOPOLICY_NUMA;

static int nvme_iopolicy_param_set(const char *val,
				   const struct kernel_param *kp)
{
	if (sysfs_streq(val, "numa"))
		nvme_default_iopolicy = NVME_IOPOLICY_NUMA;
	else if (sysfs_streq(val, "round-robin"))
		nvme_default_iopolicy = NVME_IOPOLICY_RR;
	else
		return -EINVAL;
	return 0;
}

static int nvme_iopolicy_param_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%s\n", nvme_default_iopolicy == NVME_IOPOLICY_RR ?
		       "round-robin" : "numa");
}

static const struct kernel_param_ops nvme_iopolicy_param_ops = {
	.set = nvme_iopolicy_param_set,
	.get = nvme_iopolicy_param_get,
};
module_param_cb(iopolicy, &nvme_iopolicy_param_ops, NULL, 0644);
MODULE_PARM_DESC(iopolicy,
		 "path selection of new subsystems: numa (default) or round-robin");

static const struct block_device_operations nvme_head_bdev_ops;

/**
 * nvme_subsys_wants_mpath() - should a new subsystem of @ctrl use heads?
 * @ctrl: the subsystem's first controller
 */
bool nvme_subsys_wants_mpath(struct nvme_ctrl *ctrl)
{
	return multipath && (ctrl->cmic & NVME_CTRL_CMIC_MULTI_CTRL) &&
	       !nvme_ctrl_is_discovery(ctrl);
}

/**
 * nvme_is_head_disk() - is @disk a multipath head?
 * @disk: a disk of nvme-core
 */
bool nvme_is_head_disk(struct gendisk *disk)
{
	return disk->fops == &nvme_head_bdev_ops;
}

/* ------------------------------------------------------------------ */
/* path selection                                                     */
/* ------------------------------------------------------------------ */

static bool nvme_ana_usable(u8 state)
{
	return state == NVME_ANA_OPTIMIZED || state == NVME_ANA_NONOPTIMIZED;
}

static bool nvme_path_usable(struct nvme_ns *ns)
{
	return nvme_ctrl_state(ns->ctrl) == NVME_CTRL_LIVE &&
	       test_bit(NVME_NS_READY, &ns->flags) &&
	       !test_bit(NVME_NS_REMOVING, &ns->flags) &&
	       nvme_ana_usable(READ_ONCE(ns->ana_state));
}

/* may a path carry I/O later, after a reset or reconnect? */
static bool nvme_path_may_return(struct nvme_ns *ns)
{
	if (test_bit(NVME_CTRL_FLAG_FAILFAST, &ns->ctrl->flags) ||
	    test_bit(NVME_NS_REMOVING, &ns->flags) ||
	    READ_ONCE(ns->ana_state) == NVME_ANA_PERSISTENT_LOSS)
		return false;
	switch (nvme_ctrl_state(ns->ctrl)) {
	case NVME_CTRL_NEW:
	case NVME_CTRL_LIVE:
	case NVME_CTRL_RESETTING:
	case NVME_CTRL_CONNECTING:
		return true;
	default:
		return false;
	}
}

static bool nvme_head_may_get_path(struct nvme_ns_head *head)
{
	struct nvme_ns *ns;

	list_for_each_entry_srcu(ns, &head->paths, siblings,
				 srcu_read_lock_held(&head->srcu)) {
		if (nvme_path_may_return(ns))
			return true;
	}
	return false;
}

static bool nvme_path_optimized(struct nvme_ns *ns)
{
	return READ_ONCE(ns->ana_state) == NVME_ANA_OPTIMIZED;
}

/* numa: the nearest usable path, an ANA optimized one if there is one */
static struct nvme_ns *nvme_pick_nearest(struct nvme_ns_head *head)
{
	struct nvme_ns *ns, *best = NULL;
	int node = numa_node_id(), best_dist = INT_MAX, dist;

	list_for_each_entry_srcu(ns, &head->paths, siblings,
				 srcu_read_lock_held(&head->srcu)) {
		if (!nvme_path_usable(ns))
			continue;
		dist = ns->ctrl->numa_node == NUMA_NO_NODE ? LOCAL_DISTANCE :
			node_distance(node, ns->ctrl->numa_node);
		/* non-optimized paths only when no optimized one is usable */
		if (!nvme_path_optimized(ns))
			dist += 1 << 16;
		if (dist < best_dist) {
			best = ns;
			best_dist = dist;
		}
	}
	return best;
}

/*
 * round-robin: the next usable optimized path after @old; a non-optimized
 * one only when no optimized path is usable
 */
static struct nvme_ns *nvme_pick_next(struct nvme_ns_head *head,
				      struct nvme_ns *old)
{
	struct nvme_ns *ns, *first = NULL, *other = NULL;
	bool after = false;

	list_for_each_entry_srcu(ns, &head->paths, siblings,
				 srcu_read_lock_held(&head->srcu)) {
		if (ns == old) {
			after = true;
			continue;
		}
		if (!nvme_path_usable(ns))
			continue;
		if (!nvme_path_optimized(ns)) {
			if (!other)
				other = ns;
			continue;
		}
		if (after)
			return ns;
		if (!first)
			first = ns;
	}
	if (first)
		return first;
	if (old && nvme_path_usable(old) &&
	    (nvme_path_optimized(old) || !other))
		return old;
	return other;
}

/* called under head->srcu */
static struct nvme_ns *nvme_find_path(struct nvme_ns_head *head)
{
	struct nvme_ns *old = srcu_dereference(head->current_path,
					       &head->srcu);
	struct nvme_ns *ns;

	if (READ_ONCE(head->subsys->iopolicy) == NVME_IOPOLICY_RR) {
		ns = nvme_pick_next(head, old);
	} else {
		/* a non-optimized path is kept only until a better one shows */
		if (old && nvme_path_usable(old) && nvme_path_optimized(old))
			return old;
		ns = nvme_pick_nearest(head);
	}
	if (ns != old)
		rcu_assign_pointer(head->current_path, ns);
	return ns;
}

/* ------------------------------------------------------------------ */
/* bio submission, failover, requeue                                  */
/* ------------------------------------------------------------------ */

static void nvme_head_submit_bio(struct bio *bio)
{
	struct nvme_ns_head *head = bio->bi_bdev->bd_disk->private_data;
	struct nvme_ns *ns;
	int idx;

	/*
	 * No split here: the head's limits are the paths' stacked, and the
	 * path's blk-mq queue splits to its own limits anyway.
	 */
	idx = srcu_read_lock(&head->srcu);
	ns = nvme_find_path(head);
	if (likely(ns)) {
		bio_set_dev(bio, ns->disk->part0);
		bio->bi_opf |= REQ_NVME_MPATH;
		submit_bio_noacct(bio);
	} else if (nvme_head_may_get_path(head)) {
		spin_lock_irq(&head->requeue_lock);
		bio_list_add(&head->requeue_list, bio);
		spin_unlock_irq(&head->requeue_lock);
		/* a path that came back just now kicked before the bio was listed */
		if (nvme_find_path(head))
			kblockd_schedule_work(&head->requeue_work);
	} else {
		bio_io_error(bio);
	}
	srcu_read_unlock(&head->srcu, idx);
}

/* send every waiting bio through the head again */
static void nvme_requeue_work(struct work_struct *work)
{
	struct nvme_ns_head *head = container_of(work, struct nvme_ns_head,
						 requeue_work);
	struct bio_list waiting;
	struct bio *bio;

	spin_lock_irq(&head->requeue_lock);
	waiting = head->requeue_list;
	bio_list_init(&head->requeue_list);
	spin_unlock_irq(&head->requeue_lock);

	while ((bio = bio_list_pop(&waiting)))
		submit_bio_noacct(bio);
}

/* the ANA state an ANA status reports, 0 for any other status */
static u8 nvme_ana_state_of_status(u16 status)
{
	switch (NVME_STATUS_CODE(status)) {
	case NVME_SC_ANA_PERSISTENT_LOSS:
		return NVME_ANA_PERSISTENT_LOSS;
	case NVME_SC_ANA_INACCESSIBLE:
		return NVME_ANA_INACCESSIBLE;
	case NVME_SC_ANA_TRANSITION:
		return NVME_ANA_CHANGE;
	default:
		return 0;
	}
}

/**
 * nvme_mpath_failover() - send a failed path request's bios back to the head
 * @rq: a request with REQ_NVME_MPATH that ended with a path error
 *
 * Return: true when the request was ended and its bios wait on the head.
 */
bool nvme_mpath_failover(struct request *rq)
{
	struct nvme_ns *ns = rq->q->queuedata;
	struct nvme_ns_head *head = ns->head;
	unsigned long flags;
	struct bio *bio;
	u8 ana;

	if (!head || !head->disk)
		return false;
	/* an ANA status: stop using the path until the log says otherwise */
	ana = nvme_ana_state_of_status(nvme_req(rq)->status);
	if (ana) {
		WRITE_ONCE(ns->ana_state, ana);
		queue_work(nvme_wq, &ns->ctrl->ana_work);
	}
	spin_lock_irqsave(&head->requeue_lock, flags);
	for (bio = rq->bio; bio; bio = bio->bi_next) {
		bio_set_dev(bio, head->disk->part0);
		if (bio->bi_opf & REQ_POLLED) {
			bio->bi_opf &= ~REQ_POLLED;
			bio->bi_cookie = BLK_QC_T_NONE;
		}
	}
	blk_steal_bios(&head->requeue_list, rq);
	spin_unlock_irqrestore(&head->requeue_lock, flags);

	blk_mq_end_request(rq, BLK_STS_OK);
	kblockd_schedule_work(&head->requeue_work);
	return true;
}

/**
 * nvme_mpath_kick() - retry the waiting bios of every head @ctrl serves
 * @ctrl: a controller whose paths became usable, or will not come back
 */
void nvme_mpath_kick(struct nvme_ctrl *ctrl)
{
	struct nvme_ns *ns;

	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry) {
		if (ns->head)
			kblockd_schedule_work(&ns->head->requeue_work);
	}
	up_read(&ctrl->ns_lock);
}
EXPORT_SYMBOL_GPL(nvme_mpath_kick);

/* ------------------------------------------------------------------ */
/* block and ng nodes of a head                                       */
/* ------------------------------------------------------------------ */

static bool nvme_head_tryget(struct nvme_ns_head *head)
{
	return kref_get_unless_zero(&head->ref);
}

static int nvme_head_open(struct block_device *bdev, fmode_t mode)
{
	return nvme_head_tryget(bdev->bd_disk->private_data) ? 0 : -ENXIO;
}

static void nvme_head_release(struct gendisk *disk, fmode_t mode)
{
	nvme_mpath_put_head(disk->private_data);
}

/* a usable path with a namespace and module reference, or NULL */
static struct nvme_ns *nvme_head_get_path(struct nvme_ns_head *head)
{
	struct nvme_ns *ns;
	int idx;

	idx = srcu_read_lock(&head->srcu);
	ns = nvme_find_path(head);
	if (ns && !try_module_get(ns->ctrl->ops->module))
		ns = NULL;
	if (ns && !nvme_try_get_ns(ns)) {
		module_put(ns->ctrl->ops->module);
		ns = NULL;
	}
	srcu_read_unlock(&head->srcu, idx);
	return ns;
}

/* drop what nvme_head_get_path() took */
static void nvme_head_put_path(struct nvme_ns *ns)
{
	struct module *owner = ns->ctrl->ops->module;

	nvme_put_ns(ns);
	module_put(owner);
}

static long nvme_head_ioctl(struct nvme_ns_head *head, unsigned int cmd,
			    void __user *argp)
{
	struct nvme_ns *ns = nvme_head_get_path(head);
	long ret;

	if (!ns)
		return -EWOULDBLOCK;
	ret = nvme_ns_ioctl(ns, cmd, argp);
	nvme_head_put_path(ns);
	return ret;
}

static int nvme_head_bdev_ioctl(struct block_device *bdev, fmode_t mode,
				unsigned int cmd, unsigned long arg)
{
	return nvme_head_ioctl(bdev->bd_disk->private_data, cmd,
			       (void __user *)arg);
}

static const struct block_device_operations nvme_head_bdev_ops = {
	.owner		= THIS_MODULE,
	.submit_bio	= nvme_head_submit_bio,
	.open		= nvme_head_open,
	.release	= nvme_head_release,
	.ioctl		= nvme_head_bdev_ioctl,
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
	.getgeo		= nvme_bdev_getgeo,
};

static int nvme_head_chr_open(struct inode *inode, struct file *file)
{
	struct nvme_ns_head *head = container_of(inode->i_cdev,
						 struct nvme_ns_head, cdev);

	if (!nvme_head_tryget(head))
		return -ENXIO;
	file->private_data = head;
	return 0;
}

static int nvme_head_chr_release(struct inode *inode, struct file *file)
{
	nvme_mpath_put_head(file->private_data);
	return 0;
}

static long nvme_head_chr_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	return nvme_head_ioctl(file->private_data, cmd, (void __user *)arg);
}

/*
 * The path is chosen when the command starts; the request then pins its
 * queue until it is freed, so the path's reference can go at once.
 */
static int nvme_head_chr_uring_cmd(struct io_uring_cmd *ioucmd,
				   unsigned int issue_flags)
{
	struct nvme_ns *ns = nvme_head_get_path(ioucmd->file->private_data);
	int ret;

	if (!ns)
		return -EWOULDBLOCK;
	ret = nvme_ns_uring_cmd(ns, ioucmd, issue_flags);
	nvme_head_put_path(ns);
	return ret;
}

static const struct file_operations nvme_head_chr_fops = {
	.owner		= THIS_MODULE,
	.open		= nvme_head_chr_open,
	.release	= nvme_head_chr_release,
	.unlocked_ioctl	= nvme_head_chr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.uring_cmd	= nvme_head_chr_uring_cmd,
	.uring_cmd_iopoll = nvme_uring_iopoll,
};

static void nvme_head_cdev_release(struct device *dev)
{
	struct nvme_ns_head *head = container_of(dev, struct nvme_ns_head,
						 cdev_device);

	nvme_generic_cdev_free_minor(dev);
	nvme_mpath_put_head(head);
}

/* ------------------------------------------------------------------ */
/* head life cycle                                                    */
/* ------------------------------------------------------------------ */

static void nvme_head_free(struct kref *ref)
{
	struct nvme_ns_head *head = container_of(ref, struct nvme_ns_head, ref);
	struct nvme_subsystem *subsys = head->subsys;

	/* no path is left, so the work fails whatever still waits */
	flush_work(&head->requeue_work);
	put_disk(head->disk);
	ida_free(&subsys->ns_ida, head->instance);
	cleanup_srcu_struct(&head->srcu);
	kfree(head);
	put_device(&subsys->dev);
}

/**
 * nvme_mpath_put_head() - drop a head reference
 * @head: the head
 */
void nvme_mpath_put_head(struct nvme_ns_head *head)
{
	kref_put(&head->ref, nvme_head_free);
}

static bool nvme_ids_equal(const struct nvme_ns_ids *a,
			   const struct nvme_ns_ids *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static struct nvme_ns_head *nvme_head_create(struct nvme_ns *ns, bool shared)
{
	struct nvme_subsystem *subsys = ns->ctrl->subsys;
	struct nvme_ns_head *head;
	struct gendisk *disk;
	int ret;

	head = kzalloc(sizeof(*head), GFP_KERNEL);
	if (!head)
		return ERR_PTR(-ENOMEM);
	ret = ida_alloc_min(&subsys->ns_ida, 1, GFP_KERNEL);
	if (ret < 0)
		goto out_free;
	head->instance = ret;
	ret = init_srcu_struct(&head->srcu);
	if (ret)
		goto out_ida;
	disk = blk_alloc_disk(ns->ctrl->numa_node);
	if (!disk) {
		ret = -ENOMEM;
		goto out_srcu;
	}
	head->disk = disk;
	disk->fops = &nvme_head_bdev_ops;
	disk->private_data = head;
	snprintf(disk->disk_name, DISK_NAME_LEN, "nvme%dn%d", subsys->instance,
		 head->instance);
	blk_queue_flag_set(QUEUE_FLAG_NONROT, disk->queue);
	blk_queue_flag_set(QUEUE_FLAG_NOWAIT, disk->queue);

	kref_init(&head->ref);
	head->subsys = subsys;
	get_device(&subsys->dev);
	head->nsid = ns->nsid;
	head->shared = shared;
	head->ids = ns->ids;
	mutex_init(&head->lock);
	INIT_LIST_HEAD(&head->paths);
	bio_list_init(&head->requeue_list);
	spin_lock_init(&head->requeue_lock);
	INIT_WORK(&head->requeue_work, nvme_requeue_work);
	list_add_tail(&head->entry, &subsys->nsheads);
	return head;

out_srcu:
	cleanup_srcu_struct(&head->srcu);
out_ida:
	ida_free(&subsys->ns_ida, head->instance);
out_free:
	kfree(head);
	return ERR_PTR(ret);
}

/**
 * nvme_mpath_attach() - join @ns to the head of its namespace id
 * @ns: a new namespace of a multipath subsystem, identified
 * @shared: NMIC says the namespace may be shared
 *
 * Creates the head for the first path.  A second path must be shared
 * and carry the same identifiers.  On success ns->head holds a head
 * reference and ns->instance is the head's.
 * Return: 0 or a negative errno.
 */
int nvme_mpath_attach(struct nvme_ns *ns, bool shared)
{
	struct nvme_subsystem *subsys = ns->ctrl->subsys;
	struct nvme_ns_head *head, *found = NULL;
	int ret = 0;

	mutex_lock(&subsys->lock);
	list_for_each_entry(head, &subsys->nsheads, entry) {
		if (head->nsid == ns->nsid && nvme_head_tryget(head)) {
			found = head;
			break;
		}
	}
	if (found) {
		if (!shared || !found->shared) {
			dev_err(&ns->ctrl->cdev_device,
				"nsid %u: already attached elsewhere in the subsystem and not shared\n",
				ns->nsid);
			ret = -EINVAL;
		} else if (!nvme_ids_equal(&found->ids, &ns->ids)) {
			dev_err(&ns->ctrl->cdev_device,
				"nsid %u: identifiers differ from the other paths'\n",
				ns->nsid);
			ret = -EINVAL;
		}
		if (ret) {
			mutex_unlock(&subsys->lock);
			nvme_mpath_put_head(found);
			return ret;
		}
		head = found;
	} else {
		head = nvme_head_create(ns, shared);
		if (IS_ERR(head)) {
			mutex_unlock(&subsys->lock);
			return PTR_ERR(head);
		}
	}
	ns->head = head;
	ns->instance = head->instance;
	mutex_lock(&head->lock);
	list_add_tail_rcu(&ns->siblings, &head->paths);
	mutex_unlock(&head->lock);
	mutex_unlock(&subsys->lock);
	return 0;
}

/* the head's limits: what every path can take */
static void nvme_head_update_limits(struct nvme_ns_head *head,
				    struct nvme_ns *from)
{
	struct request_queue *q = head->disk->queue;
	struct queue_limits lim;
	unsigned int align = 0;
	struct nvme_ns *ns;
	bool poll = false;

	lockdep_assert_held(&head->lock);
	blk_set_stacking_limits(&lim);
	list_for_each_entry(ns, &head->paths, siblings) {
		if (test_bit(NVME_NS_REMOVING, &ns->flags))
			continue;
		blk_stack_limits(&lim, &ns->queue->limits, 0);
		align |= queue_dma_alignment(ns->queue);
		poll |= test_bit(QUEUE_FLAG_POLL, &ns->queue->queue_flags);
	}
	blk_mq_freeze_queue(q);
	q->limits = lim;
	blk_queue_dma_alignment(q, align);
	/*
	 * Polled bios keep REQ_POLLED only on a queue that polls.  They are
	 * polled on the path they were sent to (bio->bi_bdev is the path's
	 * by then); one that fails over loses the flag.
	 */
	if (poll)
		blk_queue_flag_set(QUEUE_FLAG_POLL, q);
	else
		blk_queue_flag_clear(QUEUE_FLAG_POLL, q);
	blk_queue_write_cache(q, test_bit(QUEUE_FLAG_WC, &from->queue->queue_flags),
			      test_bit(QUEUE_FLAG_FUA, &from->queue->queue_flags));
	blk_mq_unfreeze_queue(q);
	set_capacity_and_notify(head->disk, get_capacity(from->disk));
}

/**
 * nvme_mpath_path_ready() - a path's disk is registered (or revalidated)
 * @ns: the path
 *
 * Brings the head's limits and capacity up to date, registers the head
 * disk and its ng node with the first path, and retries waiting bios.
 */
void nvme_mpath_path_ready(struct nvme_ns *ns)
{
	struct nvme_ns_head *head = ns->head;
	struct nvme_subsystem *subsys = head->subsys;
	char name[32];
	int ret;

	mutex_lock(&head->lock);
	nvme_head_update_limits(head, ns);
	/*
	 * The head's disk is registered through a path that can carry I/O:
	 * registering reads the partition table, and through an inaccessible
	 * path that read would wait (with head->lock held) until the group
	 * changes.  nvme_mpath_update_ana() queues a scan when it does.
	 */
	if (!head->disk_live && nvme_ana_usable(READ_ONCE(ns->ana_state))) {
		ret = device_add_disk(&subsys->dev, head->disk,
				      nvme_ns_attr_groups);
		if (ret) {
			dev_err(&ns->ctrl->cdev_device,
				"nsid %u: adding the multipath disk failed (%d)\n",
				ns->nsid, ret);
			goto out;
		}
		head->disk_live = true;
		kref_get(&head->ref);	/* dropped by the ng release */
		snprintf(name, sizeof(name), "ng%dn%d", subsys->instance,
			 head->instance);
		if (nvme_generic_cdev_add(&head->cdev, &head->cdev_device,
					  &subsys->dev, &nvme_head_chr_fops,
					  THIS_MODULE, nvme_head_cdev_release,
					  name))
			dev_warn(&ns->ctrl->cdev_device,
				 "nsid %u: no generic char device\n", ns->nsid);
	}
out:
	mutex_unlock(&head->lock);
	kblockd_schedule_work(&head->requeue_work);
}

/**
 * nvme_mpath_detach() - take a path out of its head
 * @ns: the path, marked removing; its disk is still registered
 *
 * With the last path gone the head's nodes are unregistered and its
 * waiting bios fail.  The path keeps its head reference until it is
 * freed, so a request failing over later still finds the head.
 */
void nvme_mpath_detach(struct nvme_ns *ns)
{
	struct nvme_ns_head *head = ns->head;
	struct nvme_subsystem *subsys = head->subsys;
	bool last;

	mutex_lock(&subsys->lock);
	mutex_lock(&head->lock);
	if (list_empty(&ns->siblings)) {
		mutex_unlock(&head->lock);
		mutex_unlock(&subsys->lock);
		return;
	}
	list_del_rcu(&ns->siblings);
	last = list_empty(&head->paths);
	/* a head without paths is not joined again: a new one is made */
	if (last)
		list_del_init(&head->entry);
	mutex_unlock(&head->lock);
	mutex_unlock(&subsys->lock);

	/*
	 * Once no reader can find @ns on the list, none can make it the
	 * current path again: clear that, and wait out who still uses it.
	 */
	synchronize_srcu(&head->srcu);
	mutex_lock(&head->lock);
	INIT_LIST_HEAD(&ns->siblings);
	if (rcu_access_pointer(head->current_path) == ns)
		RCU_INIT_POINTER(head->current_path, NULL);
	mutex_unlock(&head->lock);
	synchronize_srcu(&head->srcu);

	if (last) {
		/*
		 * Bios parked for a path that might return fail now (no path
		 * is left): del_gendisk() below waits for them otherwise.
		 */
		kblockd_schedule_work(&head->requeue_work);
		flush_work(&head->requeue_work);
		mutex_lock(&head->lock);
		if (head->disk_live) {
			if (device_is_registered(&head->cdev_device)) {
				cdev_device_del(&head->cdev,
						&head->cdev_device);
				put_device(&head->cdev_device);
			}
			del_gendisk(head->disk);
			head->disk_live = false;
		}
		mutex_unlock(&head->lock);
	}
	kblockd_schedule_work(&head->requeue_work);
}

/* ------------------------------------------------------------------ */
/* asymmetric namespace access                                        */
/* ------------------------------------------------------------------ */

/**
 * nvme_ana_state_name() - sysfs name of an ANA state
 * @state: NVME_ANA_*
 */
const char *nvme_ana_state_name(u8 state)
{
	switch (state) {
	case NVME_ANA_OPTIMIZED:
		return "optimized";
	case NVME_ANA_NONOPTIMIZED:
		return "non-optimized";
	case NVME_ANA_INACCESSIBLE:
		return "inaccessible";
	case NVME_ANA_PERSISTENT_LOSS:
		return "persistent-loss";
	case NVME_ANA_CHANGE:
		return "change";
	default:
		return "invalid";
	}
}

/*
 * Where the last log read puts namespace @nsid: the group whose NSID list
 * names it (when the log was read with lists), else group *@grpid (from
 * Identify Namespace).  Returns that group's state and sets *@grpid to
 * it; 0 when the log has neither.  Every length comes from the device:
 * each descriptor and its NSID list must fit in what was read.
 */
static u8 nvme_ana_find(struct nvme_ctrl *ctrl, u32 nsid, u32 *grpid)
{
	const struct nvme_ana_log_hdr *hdr = ctrl->ana_log;
	size_t pos = sizeof(*hdr);
	unsigned int i, ngrps = le16_to_cpu(hdr->ngrps);
	bool lists = !(ctrl->ana_lsp & NVME_ANA_LOG_RGO);
	u8 by_id = 0;

	lockdep_assert_held(&ctrl->ana_lock);
	for (i = 0; i < ngrps; i++) {
		const struct nvme_ana_group_desc *d;
		const __le32 *ids;
		u32 nnsids, j;

		if (pos + sizeof(*d) > ctrl->ana_log_size)
			break;
		d = ctrl->ana_log + pos;
		nnsids = le32_to_cpu(d->nnsids);
		if (nnsids > (ctrl->ana_log_size - pos - sizeof(*d)) / 4)
			break;
		if (le32_to_cpu(d->grpid) == *grpid)
			by_id = d->state & 0xf;
		ids = (const __le32 *)(d + 1);
		for (j = 0; lists && j < nnsids; j++) {
			if (le32_to_cpu(ids[j]) == nsid) {
				*grpid = le32_to_cpu(d->grpid);
				return d->state & 0xf;
			}
		}
		pos += sizeof(*d) + (size_t)nnsids * 4;
	}
	return by_id;
}

/* apply the last log to one path (a namespace may move between groups) */
static void nvme_ana_apply(struct nvme_ns *ns)
{
	u32 grpid = READ_ONCE(ns->ana_grpid);
	u8 old = READ_ONCE(ns->ana_state);
	u8 state = nvme_ana_find(ns->ctrl, ns->nsid, &grpid);

	if (!state || (state == old && grpid == ns->ana_grpid))
		return;
	WRITE_ONCE(ns->ana_grpid, grpid);
	WRITE_ONCE(ns->ana_state, state);
	dev_info(&ns->ctrl->cdev_device, "nsid %u: ANA group %u %s\n",
		 ns->nsid, grpid, nvme_ana_state_name(state));
}

/**
 * nvme_mpath_ana_ns() - set a new path's ANA state from the last log
 * @ns: the path, with its ANA group id from Identify Namespace
 */
void nvme_mpath_ana_ns(struct nvme_ns *ns)
{
	struct nvme_ctrl *ctrl = ns->ctrl;

	mutex_lock(&ctrl->ana_lock);
	if (ctrl->ana_log)
		nvme_ana_apply(ns);
	mutex_unlock(&ctrl->ana_lock);
}

/**
 * nvme_mpath_update_ana() - read the ANA log and apply it to every path
 * @ctrl: a controller with ANA
 */
void nvme_mpath_update_ana(struct nvme_ctrl *ctrl)
{
	bool changing = false, rescan = false;
	struct nvme_ns *ns;
	int ret;

	mutex_lock(&ctrl->ana_lock);
	if (!ctrl->ana_log) {
		mutex_unlock(&ctrl->ana_lock);
		return;
	}
	memset(ctrl->ana_log, 0, ctrl->ana_log_size);
	ret = nvme_get_log(ctrl, NVME_NSID_ALL, NVME_LOG_ANA, ctrl->ana_lsp,
			   ctrl->ana_log, ctrl->ana_log_size, 0);
	if (ret) {
		dev_warn_ratelimited(&ctrl->cdev_device,
				     "reading the ANA log failed (%d)\n", ret);
		mutex_unlock(&ctrl->ana_lock);
		return;
	}
	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry) {
		nvme_ana_apply(ns);
		changing |= READ_ONCE(ns->ana_state) == NVME_ANA_CHANGE;
		/* a head not registered yet may be now: the scan does it */
		rescan |= ns->head && !READ_ONCE(ns->head->disk_live) &&
			  test_bit(NVME_NS_READY, &ns->flags) &&
			  nvme_ana_usable(READ_ONCE(ns->ana_state));
	}
	up_read(&ctrl->ns_lock);
	if (rescan)
		nvme_queue_scan(ctrl);
	mutex_unlock(&ctrl->ana_lock);
	/* a transition gets twice ANATT (10 s if unset), then a reset */
	if (!changing)
		del_timer(&ctrl->anatt_timer);
	else if (!timer_pending(&ctrl->anatt_timer))
		mod_timer(&ctrl->anatt_timer,
			  jiffies + 2 * (ctrl->anatt ?: 10) * HZ);
	nvme_mpath_kick(ctrl);
}

/**
 * nvme_mpath_anatt_expired() - ctrl->anatt_timer: a path stayed in ANA
 * change past the transition time the controller promised
 * @t: the timer
 *
 * Resetting reconnects the controller and reads its ANA log afresh.
 */
void nvme_mpath_anatt_expired(struct timer_list *t)
{
	struct nvme_ctrl *ctrl = from_timer(ctrl, t, anatt_timer);

	dev_warn(&ctrl->cdev_device,
		 "ANA transition longer than twice ANATT (%u s), resetting\n",
		 ctrl->anatt);
	nvme_reset_ctrl(ctrl);
}

/**
 * nvme_mpath_ana_work() - ctrl->ana_work: re-read the ANA log
 * @work: the work
 */
void nvme_mpath_ana_work(struct work_struct *work)
{
	nvme_mpath_update_ana(container_of(work, struct nvme_ctrl, ana_work));
}

/**
 * nvme_mpath_init_ana() - set up ANA after Identify Controller
 * @ctrl: the controller, in its subsystem
 *
 * Only controllers of a multipath subsystem that report ANA use it.  The
 * whole log (group descriptors and their NSID lists) is read when it
 * fits one transfer, else the groups only.
 */
void nvme_mpath_init_ana(struct nvme_ctrl *ctrl)
{
	size_t groups, full;
	void *buf;

	if (!ctrl->subsys || !ctrl->subsys->mpath ||
	    !(ctrl->cmic & NVME_CTRL_CMIC_ANA))
		return;
	if (!ctrl->nanagrpid || !ctrl->anagrpmax || ctrl->anagrpmax > 4096 ||
	    ctrl->nanagrpid > ctrl->anagrpmax) {
		dev_warn_ratelimited(&ctrl->cdev_device,
				     "bad ANA group counts (%u of %u), ANA not used\n",
				     ctrl->nanagrpid, ctrl->anagrpmax);
		return;
	}
	groups = sizeof(struct nvme_ana_log_hdr) +
		 ctrl->anagrpmax * sizeof(struct nvme_ana_group_desc);
	full = groups + (size_t)ctrl->nn * sizeof(__le32);
	if (full > (size_t)ctrl->max_hw_sectors << SECTOR_SHIFT ||
	    full > SZ_1M)
		full = groups;

	mutex_lock(&ctrl->ana_lock);
	if (ctrl->ana_log && ctrl->ana_log_size != full) {
		kvfree(ctrl->ana_log);
		ctrl->ana_log = NULL;
	}
	if (!ctrl->ana_log) {
		buf = kvzalloc(full, GFP_KERNEL);
		if (buf) {
			ctrl->ana_log = buf;
			ctrl->ana_log_size = full;
		}
	}
	ctrl->ana_lsp = full == groups ? NVME_ANA_LOG_RGO : 0;
	mutex_unlock(&ctrl->ana_lock);
	nvme_mpath_update_ana(ctrl);
}

/**
 * nvme_mpath_uninit_ana() - free the ANA log buffer
 * @ctrl: the controller being freed
 */
void nvme_mpath_uninit_ana(struct nvme_ctrl *ctrl)
{
	/* an ANA status completed after nvme_stop_ctrl() may have re-armed them */
	cancel_work_sync(&ctrl->ana_work);
	del_timer_sync(&ctrl->anatt_timer);
	kvfree(ctrl->ana_log);
	ctrl->ana_log = NULL;
}
