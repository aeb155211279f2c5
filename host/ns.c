// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces: discovery by scanning the active namespace list, one
 * gendisk per namespace with limits taken from Identify, revalidation
 * after changes, and removal.
 */
#include <linux/blkdev.h>
#include <linux/hdreg.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "nvme.h"

static void nvme_free_ns(struct kref *ref)
{
	struct nvme_ns *ns = container_of(ref, struct nvme_ns, ref);
	struct nvme_ctrl *ctrl = ns->ctrl;

	put_disk(ns->disk);
	if (ns->head)
		nvme_mpath_put_head(ns->head);
	else
		ida_free(&ctrl->ns_ida, ns->instance);
	kfree(ns);
	nvme_put_ctrl(ctrl);
}

/**
 * nvme_try_get_ns() - take a namespace reference unless it is being freed
 * @ns: the namespace
 */
bool nvme_try_get_ns(struct nvme_ns *ns)
{
	return kref_get_unless_zero(&ns->ref);
}
EXPORT_SYMBOL_GPL(nvme_try_get_ns);

/**
 * nvme_put_ns() - drop a namespace reference
 * @ns: the namespace
 */
void nvme_put_ns(struct nvme_ns *ns)
{
	kref_put(&ns->ref, nvme_free_ns);
}
EXPORT_SYMBOL_GPL(nvme_put_ns);

/**
 * nvme_find_get_ns() - look up an attached namespace by id
 * @ctrl: the controller
 * @nsid: namespace id
 *
 * Return: the namespace with a reference held, or NULL.
 */
struct nvme_ns *nvme_find_get_ns(struct nvme_ctrl *ctrl, u32 nsid)
{
	struct nvme_ns *ns, *found = NULL;

	down_read(&ctrl->ns_lock);
	list_for_each_entry(ns, &ctrl->namespaces, entry) {
		if (ns->nsid == nsid) {
			if (nvme_try_get_ns(ns))
				found = ns;
			break;
		}
		if (ns->nsid > nsid)
			break;
	}
	up_read(&ctrl->ns_lock);
	return found;
}
EXPORT_SYMBOL_GPL(nvme_find_get_ns);

/* ------------------------------------------------------------------ */
/* block device operations                                            */
/* ------------------------------------------------------------------ */

static int nvme_bdev_open(struct block_device *bdev, fmode_t mode)
{
	struct nvme_ns *ns = bdev->bd_disk->private_data;

	if (test_bit(NVME_NS_REMOVING, &ns->flags))
		return -ENXIO;
	if (!try_module_get(ns->ctrl->ops->module))
		return -ENXIO;
	if (!nvme_try_get_ns(ns)) {
		module_put(ns->ctrl->ops->module);
		return -ENXIO;
	}
	return 0;
}

static void nvme_bdev_release(struct gendisk *disk, fmode_t mode)
{
	struct nvme_ns *ns = disk->private_data;
	struct module *owner = ns->ctrl->ops->module;

	nvme_put_ns(ns);
	module_put(owner);
}

/**
 * nvme_bdev_getgeo() - made-up geometry for tools that still ask
 * @bdev: a namespace or multipath head block device
 * @geo: filled in
 */
int nvme_bdev_getgeo(struct block_device *bdev, struct hd_geometry *geo)
{
	geo->heads = 64;
	geo->sectors = 32;
	geo->cylinders = get_capacity(bdev->bd_disk) >> 11;
	return 0;
}

const struct block_device_operations nvme_bdev_ops = {
	.owner		= THIS_MODULE,
	.open		= nvme_bdev_open,
	.release	= nvme_bdev_release,
	.ioctl		= nvme_bdev_ioctl,
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
	.getgeo		= nvme_bdev_getgeo,
};

/* ------------------------------------------------------------------ */
/* identify and limits                                                */
/* ------------------------------------------------------------------ */

/*
 * Read the namespace identification descriptors: the identifiers into
 * @ids (not those of a controller known to fill them with junk) and the
 * command set (NVM when the list names none).  Returns false when the
 * namespace must be left alone: its command set is not NVM, or a
 * controller enabled with all its command sets (nvme_multi_css()) does
 * not say which one it belongs to.
 */
static bool nvme_read_ns_descs(struct nvme_ctrl *ctrl, u32 nsid,
			       struct nvme_ns_ids *ids)
{
	bool bogus = ctrl->quirks & NVME_QUIRK_BOGUS_NID;
	bool multi = nvme_multi_css(ctrl), have_csi = false;
	u8 csi = NVME_CSI_NVM;
	struct nvme_ns_id_desc *d;
	unsigned int pos = 0;
	u8 *buf;

	if (bogus)
		dev_info(&ctrl->cdev_device,
			 "Ignoring bogus Namespace Identifiers\n");
	/* the descriptor list came with 1.3 */
	if (!multi && (bogus || ctrl->vs < 0x10300))
		return true;
	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return !multi;
	if (nvme_identify(ctrl, NVME_CNS_NS_DESC_LIST, nsid, buf))
		goto out;

	while (pos + sizeof(*d) <= NVME_IDENTIFY_DATA_SIZE) {
		d = (struct nvme_ns_id_desc *)(buf + pos);
		if (!d->nidl)
			break;
		pos += sizeof(*d);
		if (pos + d->nidl > NVME_IDENTIFY_DATA_SIZE)
			break;
		if (d->nidt == NVME_NIDT_CSI) {
			if (d->nidl == 1) {
				csi = buf[pos];
				have_csi = true;
			}
		} else if (!bogus) {
			u8 *to = NULL;

			if (d->nidt == NVME_NIDT_EUI64 &&
			    d->nidl == sizeof(ids->eui64))
				to = ids->eui64;
			else if (d->nidt == NVME_NIDT_NGUID &&
				 d->nidl == sizeof(ids->nguid))
				to = ids->nguid;
			else if (d->nidt == NVME_NIDT_UUID &&
				 d->nidl == sizeof(ids->uuid))
				to = ids->uuid;
			if (to)
				memcpy(to, buf + pos, d->nidl);
		}
		pos += d->nidl;
	}
out:
	kfree(buf);
	if (multi && !have_csi) {
		dev_warn(&ctrl->cdev_device,
			 "nsid %u: no command set reported, namespace skipped\n",
			 nsid);
		return false;
	}
	if (csi != NVME_CSI_NVM) {
		dev_warn(&ctrl->cdev_device,
			 "nsid %u: I/O command set %u not supported, namespace skipped\n",
			 nsid, csi);
		return false;
	}
	return true;
}

/*
 * Apply Identify Namespace to the gendisk.  The queue is frozen by the
 * caller when the disk is already live.
 */
static int nvme_apply_id_ns(struct nvme_ns *ns, struct nvme_id_ns *id)
{
	struct nvme_ctrl *ctrl = ns->ctrl;
	struct request_queue *q = ns->queue;
	struct nvme_lbaf *f = &id->lbaf[nvme_id_ns_lbaf_index(id)];
	unsigned int bs, phys, wz_max;
	bool usable = true;

	if (nvme_id_ns_lbaf_index(id) > id->nlbaf || f->ds < 9 ||
	    f->ds > PAGE_SHIFT) {
		dev_warn_ratelimited(ctrl->dev, "nsid %u: unsupported LBA format (ds %u)\n",
				     ns->nsid, f->ds);
		usable = false;
	}
	ns->lba_shift = usable ? f->ds : 9;
	ns->lbaf_bad = !usable;
	ns->ms = le16_to_cpu(f->ms);
	ns->ext = id->flbas & NVME_NS_FLBAS_EXTENDED;
	ns->nsze = le64_to_cpu(id->nsze);
	ns->dlfeat = id->dlfeat;
	ns->ana_grpid = le32_to_cpu(id->anagrpid);
	if (!(ctrl->quirks & NVME_QUIRK_BOGUS_NID)) {
		memcpy(ns->ids.eui64, id->eui64, sizeof(ns->ids.eui64));
		memcpy(ns->ids.nguid, id->nguid, sizeof(ns->ids.nguid));
	}

	/* the block layer path carries no metadata: such formats are ng-only */
	if (ns->ms)
		usable = false;

	bs = 1u << ns->lba_shift;
	phys = bs;
	if ((id->nsfeat & NVME_NSFEAT_IO_OPT) && id->npwg)
		phys = bs * (le16_to_cpu(id->npwg) + 1);
	if (phys > PAGE_SIZE || !is_power_of_2(phys))
		phys = bs;

	blk_queue_logical_block_size(q, bs);
	blk_queue_physical_block_size(q, phys);
	blk_queue_io_min(q, phys);
	/* NOWS (0's based): the write size that performs best */
	if (id->nsfeat & NVME_NSFEAT_IO_OPT)
		blk_queue_io_opt(q, bs * (le16_to_cpu(id->nows) + 1));
	else
		blk_queue_io_opt(q, 0);
	blk_queue_max_hw_sectors(q, ctrl->max_hw_sectors);
	blk_queue_max_segments(q, ctrl->max_segments);
	/*
	 * No transport limits one segment's size (PCIe's virtual boundary
	 * implies the same).  The block layer's 64 KiB default only makes
	 * bios split and merge checks loop more.
	 */
	if (!ctrl->virt_boundary_mask)
		blk_queue_max_segment_size(q, UINT_MAX);
	/* data pointers need dword alignment only (PRP1, SGL data blocks) */
	blk_queue_dma_alignment(q, ctrl->dma_alignment ?: 3);
	if (ctrl->virt_boundary_mask)
		blk_queue_virt_boundary(q, ctrl->virt_boundary_mask);
	blk_queue_write_cache(q, ctrl->vwc & NVME_VWC_PRESENT,
			      ctrl->vwc & NVME_VWC_PRESENT);

	if (ctrl->oncs & NVME_ONCS_DSM) {
		/*
		 * A discard request becomes one range per bio, none longer
		 * than the request: DMRSL and DMSL both bound the request.
		 */
		unsigned int shift = ns->lba_shift - SECTOR_SHIFT;
		u64 dm_max = UINT_MAX;

		if (ctrl->dmrsl)
			dm_max = min_t(u64, dm_max, (u64)ctrl->dmrsl << shift);
		if (ctrl->dmsl && ctrl->dmsl < U32_MAX)
			dm_max = min_t(u64, dm_max, ctrl->dmsl << shift);
		blk_queue_max_discard_sectors(q, dm_max);
		blk_queue_max_discard_segments(q, ctrl->dmrl ?:
					       NVME_DSM_MAX_RANGES);
		q->limits.discard_granularity = max(bs, phys);
	} else {
		blk_queue_max_discard_sectors(q, 0);
	}
	/* Write Zeroes carries a 16 bit block count and no data */
	wz_max = 0;
	if (ctrl->oncs & NVME_ONCS_WRITE_ZEROES)
		wz_max = min_t(u32, ctrl->max_hw_sectors,
			       65536u << (ns->lba_shift - SECTOR_SHIFT));
	if (ctrl->max_zeroes_sectors)
		wz_max = min(wz_max, ctrl->max_zeroes_sectors);
	blk_queue_max_write_zeroes_sectors(q, wz_max);

	set_capacity_and_notify(ns->disk, usable ?
				ns->nsze << (ns->lba_shift - SECTOR_SHIFT) : 0);
	return 0;
}

static struct nvme_id_ns *nvme_identify_ns(struct nvme_ctrl *ctrl, u32 nsid,
					   int *err)
{
	struct nvme_id_ns *id = kzalloc(sizeof(*id), GFP_KERNEL);
	int ret;

	if (!id) {
		*err = -ENOMEM;
		return NULL;
	}
	ret = nvme_identify(ctrl, NVME_CNS_NS, nsid, id);
	if (!ret && !id->nsze)
		ret = -ENODEV;	/* inactive namespace */
	if (ret) {
		kfree(id);
		*err = ret;
		return NULL;
	}
	*err = 0;
	return id;
}

/* ------------------------------------------------------------------ */
/* add / revalidate / remove                                          */
/* ------------------------------------------------------------------ */

static void nvme_ns_remove(struct nvme_ns *ns)
{
	struct nvme_ctrl *ctrl = ns->ctrl;

	if (test_and_set_bit(NVME_NS_REMOVING, &ns->flags))
		return;
	clear_bit(NVME_NS_READY, &ns->flags);
	if (ns->head)
		nvme_mpath_detach(ns);
	else
		nvme_ns_cdev_del(ns);
	del_gendisk(ns->disk);	/* waits for outstanding I/O */

	down_write(&ctrl->ns_lock);
	list_del_init(&ns->entry);
	up_write(&ctrl->ns_lock);
	nvme_put_ns(ns);
}

static void nvme_alloc_ns(struct nvme_ctrl *ctrl, u32 nsid)
{
	struct nvme_ns *ns, *pos;
	struct nvme_id_ns *id;
	struct gendisk *disk;
	struct list_head *where;
	struct nvme_ns_ids ids = {};
	int ret;

	if (!nvme_read_ns_descs(ctrl, nsid, &ids))
		return;
	id = nvme_identify_ns(ctrl, nsid, &ret);
	if (!id)
		return;

	ns = kzalloc_node(sizeof(*ns), GFP_KERNEL, ctrl->numa_node);
	if (!ns)
		goto out_id;
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	ns->ana_state = NVME_ANA_OPTIMIZED;
	kref_init(&ns->ref);
	INIT_LIST_HEAD(&ns->entry);
	INIT_LIST_HEAD(&ns->siblings);

	disk = blk_mq_alloc_disk(ctrl->tagset, ns);
	if (IS_ERR(disk))
		goto out_ns;
	ns->disk = disk;
	ns->queue = disk->queue;
	disk->fops = &nvme_bdev_ops;
	disk->private_data = ns;
	blk_queue_flag_set(QUEUE_FLAG_NONROT, ns->queue);
	blk_queue_flag_clear(QUEUE_FLAG_ADD_RANDOM, ns->queue);

	nvme_apply_id_ns(ns, id);
	ns->ids = ids;

	if (ctrl->subsys && ctrl->subsys->mpath) {
		/* a hidden path under the head nvmeKnM of the subsystem */
		if (nvme_mpath_attach(ns, id->nmic & NVME_NMIC_SHARED))
			goto out_disk;
		snprintf(disk->disk_name, DISK_NAME_LEN, "nvme%dc%dn%d",
			 ctrl->subsys->instance, ctrl->instance, ns->instance);
		disk->flags |= GENHD_FL_HIDDEN;
		nvme_mpath_ana_ns(ns);
	} else {
		ret = ida_alloc_min(&ctrl->ns_ida, 1, GFP_KERNEL);
		if (ret < 0)
			goto out_disk;
		ns->instance = ret;
		snprintf(disk->disk_name, DISK_NAME_LEN, "nvme%dn%d",
			 ctrl->instance, ns->instance);
	}

	nvme_get_ctrl(ctrl);
	/* keep the list sorted by nsid */
	down_write(&ctrl->ns_lock);
	where = &ctrl->namespaces;
	list_for_each_entry(pos, &ctrl->namespaces, entry) {
		if (pos->nsid > nsid) {
			where = &pos->entry;
			break;
		}
	}
	list_add_tail(&ns->entry, where);
	if (test_bit(NVME_CTRL_FLAG_IO_Q_STOPPED, &ctrl->flags))
		blk_mq_quiesce_queue(ns->queue);
	up_write(&ctrl->ns_lock);

	ret = device_add_disk(&ctrl->cdev_device, disk, nvme_ns_attr_groups);
	if (ret) {
		dev_err(ctrl->dev, "nsid %u: adding disk failed (%d)\n", nsid, ret);
		set_bit(NVME_NS_REMOVING, &ns->flags);
		if (ns->head)
			nvme_mpath_detach(ns);
		down_write(&ctrl->ns_lock);
		list_del_init(&ns->entry);
		up_write(&ctrl->ns_lock);
		nvme_put_ns(ns);	/* puts disk, instance and ctrl */
		goto out_id;
	}
	set_bit(NVME_NS_READY, &ns->flags);
	if (ns->head)
		nvme_mpath_path_ready(ns);
	else if (nvme_ns_cdev_add(ns))
		dev_warn(ctrl->dev, "nsid %u: no generic char device\n", nsid);
	kfree(id);
	return;

out_disk:
	put_disk(disk);
out_ns:
	kfree(ns);
out_id:
	kfree(id);
}

static void nvme_revalidate_ns(struct nvme_ns *ns)
{
	struct nvme_id_ns *id;
	int ret;

	id = nvme_identify_ns(ns->ctrl, ns->nsid, &ret);
	if (!id) {
		/*
		 * Gone for good (Do Not Retry, or no such namespace): drop it.
		 * A transient status (Namespace Not Ready, ...) keeps it.
		 */
		if ((ret > 0 && (ret & NVME_STATUS_DNR)) || ret == -ENODEV)
			nvme_ns_remove(ns);
		return;
	}
	blk_mq_freeze_queue(ns->queue);
	nvme_apply_id_ns(ns, id);
	blk_mq_unfreeze_queue(ns->queue);
	if (ns->head) {
		nvme_mpath_ana_ns(ns);
		nvme_mpath_path_ready(ns);
	}
	kfree(id);
}

static void nvme_scan_one(struct nvme_ctrl *ctrl, u32 nsid)
{
	struct nvme_ns *ns = nvme_find_get_ns(ctrl, nsid);

	if (ns) {
		nvme_revalidate_ns(ns);
		nvme_put_ns(ns);
	} else {
		nvme_alloc_ns(ctrl, nsid);
	}
}

/* remove namespaces with @lo < nsid < @hi */
static void nvme_remove_ns_between(struct nvme_ctrl *ctrl, u32 lo, u64 hi)
{
	struct nvme_ns *ns;

	for (;;) {
		struct nvme_ns *victim = NULL;

		down_read(&ctrl->ns_lock);
		list_for_each_entry(ns, &ctrl->namespaces, entry) {
			if (ns->nsid > lo && ns->nsid < hi &&
			    !test_bit(NVME_NS_REMOVING, &ns->flags) &&
			    nvme_try_get_ns(ns)) {
				victim = ns;
				break;
			}
		}
		up_read(&ctrl->ns_lock);
		if (!victim)
			return;
		nvme_ns_remove(victim);
		nvme_put_ns(victim);
	}
}

static int nvme_scan_list(struct nvme_ctrl *ctrl)
{
	__le32 *list;
	u32 prev = 0;
	int ret, i;

	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	for (;;) {
		ret = nvme_identify(ctrl, NVME_CNS_ACTIVE_NS_LIST, prev, list);
		if (ret)
			goto out;
		for (i = 0; i < NVME_NSLIST_ENTRIES; i++) {
			u32 nsid = le32_to_cpu(list[i]);

			if (!nsid)
				goto done;
			if (nsid <= prev || nsid == NVME_NSID_ALL) {
				dev_warn_ratelimited(ctrl->dev, "bad active namespace list\n");
				goto done;
			}
			nvme_remove_ns_between(ctrl, prev, nsid);
			nvme_scan_one(ctrl, nsid);
			prev = nsid;
		}
		if (nvme_ctrl_state(ctrl) != NVME_CTRL_LIVE)
			goto out;
	}
done:
	nvme_remove_ns_between(ctrl, prev, (u64)NVME_NSID_ALL + 1);
out:
	kfree(list);
	return ret;
}

/*
 * Without an active namespace list: ask for every NSID up to NN.  64-bit
 * counter (NN may be 0xffffffff) and a stop when the controller goes
 * away, so a bogus NN cannot keep the scan (and removal) busy for ever.
 */
static void nvme_scan_sequential(struct nvme_ctrl *ctrl)
{
	u64 nsid;

	for (nsid = 1; nsid <= ctrl->nn; nsid++) {
		if (nvme_ctrl_state(ctrl) != NVME_CTRL_LIVE)
			return;
		nvme_scan_one(ctrl, nsid);
		cond_resched();
	}
	nvme_remove_ns_between(ctrl, ctrl->nn, (u64)NVME_NSID_ALL + 1);
}

/* live, and with an I/O queue to serve namespaces */
static bool nvme_ctrl_may_scan(struct nvme_ctrl *ctrl)
{
	return nvme_ctrl_state(ctrl) == NVME_CTRL_LIVE && ctrl->tagset &&
	       ctrl->queue_count > 1;
}

/**
 * nvme_scan_work() - bring the namespace list up to date
 * @work: ctrl->scan_work
 */
void nvme_scan_work(struct work_struct *work)
{
	struct nvme_ctrl *ctrl = container_of(work, struct nvme_ctrl,
					      scan_work);

	if (!nvme_ctrl_may_scan(ctrl))
		return;
	mutex_lock(&ctrl->scan_lock);
	if (ctrl->vs < 0x10100 || nvme_scan_list(ctrl) > 0)
		nvme_scan_sequential(ctrl);
	mutex_unlock(&ctrl->scan_lock);
}

/**
 * nvme_queue_scan() - schedule a namespace scan
 * @ctrl: the controller
 */
void nvme_queue_scan(struct nvme_ctrl *ctrl)
{
	if (nvme_ctrl_may_scan(ctrl))
		queue_work(nvme_wq, &ctrl->scan_work);
}
EXPORT_SYMBOL_GPL(nvme_queue_scan);

/**
 * nvme_scan_sync() - scan namespaces now and wait for the result
 * @ctrl: the controller
 *
 * Used after commands that change formats or the namespace list, so
 * that the caller sees the new block size when the command returns.
 */
void nvme_scan_sync(struct nvme_ctrl *ctrl)
{
	nvme_queue_scan(ctrl);
	flush_work(&ctrl->scan_work);
}
EXPORT_SYMBOL_GPL(nvme_scan_sync);

/**
 * nvme_remove_namespaces() - remove every namespace of a controller
 * @ctrl: the controller, in a deleting or dead state
 *
 * I/O queues must be able to make progress (live, or failing requests)
 * because removing a disk waits for its outstanding I/O.
 */
void nvme_remove_namespaces(struct nvme_ctrl *ctrl)
{
	flush_work(&ctrl->scan_work);
	if (nvme_ctrl_state(ctrl) == NVME_CTRL_DEAD)
		nvme_mark_namespaces_dead(ctrl);
	nvme_remove_ns_between(ctrl, 0, (u64)NVME_NSID_ALL + 1);
}
EXPORT_SYMBOL_GPL(nvme_remove_namespaces);
