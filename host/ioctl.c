// SPDX-License-Identifier: GPL-2.0
/*
 * Character devices and ioctls of nvme-core.
 *
 * /dev/nvmeN is the controller, /dev/ngNnM a namespace that works even
 * when no block device could be set up for it (unknown format, zoned,
 * ...).  The block device /dev/nvmeNnM answers the same ioctls as its
 * ng twin.  Every command a user sends goes through nvme_ucmd_run():
 * one place that checks the request, maps the buffers and reports the
 * outcome, so the rules are the same whichever node it came in by.
 */
#include <linux/blkdev.h>
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/module.h>
#include <linux/nvme_ioctl.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nvme.h"

#define NVME_MINORS		BIT(MINORBITS)

static dev_t nvme_ctrl_devt;
static dev_t nvme_ns_devt;
static DEFINE_IDA(nvme_ns_minor_ida);
static struct class *nvme_ns_class;

struct class *nvme_class;
EXPORT_SYMBOL_GPL(nvme_class);

/**
 * nvme_admin_changes_ns() - may the namespace list or formats differ after
 * this admin command?
 * @opc: the admin opcode
 *
 * Return: true for namespace management and attachment, format, sanitize.
 */
bool nvme_admin_changes_ns(u8 opc)
{
	switch (opc) {
	case NVME_ADM_NS_MGMT:
	case NVME_ADM_NS_ATTACH:
	case NVME_ADM_FORMAT_NVM:
	case NVME_ADM_SANITIZE:
		return true;
	default:
		return false;
	}
}

/**
 * nvme_ucmd_check() - judge a user command before allocating anything
 * @ctrl: the controller
 * @q: the queue it goes to
 * @uc: the command; a metadata length without data is dropped
 *
 * Return: 0 or a negative errno.
 */
int nvme_ucmd_check(struct nvme_ctrl *ctrl, struct request_queue *q,
		    struct nvme_ucmd *uc)
{
	u8 opc = uc->sqe.opc;

	if (!uc->len) {
		/* metadata only travels with data */
		uc->meta_len = 0;
		return 0;
	}
	if (uc->len > (u64)queue_max_hw_sectors(q) << SECTOR_SHIFT)
		return -EINVAL;
	if (nvme_opc_host_to_ctrl(opc) && nvme_opc_ctrl_to_host(opc))
		return -EINVAL;
	if (!uc->ubuf)
		return -EFAULT;
	if (!uc->meta_len)
		return 0;
	if (uc->meta_len > NVME_UCMD_MAX_META)
		return -EINVAL;
	if (!(ctrl->ops->flags & NVME_F_METADATA))
		return -EINVAL;
	if (!uc->umeta)
		return -EFAULT;
	return 0;
}

/**
 * nvme_ucmd_status() - the outcome of a finished user command
 * @rq: the request
 * @sts: its block status
 *
 * Return: a negative errno when the command got no verdict from the
 * controller, else the NVMe status field (0 on success).
 */
int nvme_ucmd_status(struct request *rq, blk_status_t sts)
{
	struct nvme_request *nr = nvme_req(rq);

	if (nr->flags & NVME_REQ_CANCELLED)
		return -EINTR;
	if (nr->status)
		return nr->status & 0x7fff;
	if (sts)
		return blk_status_to_errno(sts);
	return 0;
}

/**
 * nvme_ucmd_alloc() - the request of a checked user command, data unmapped
 * @q: the queue it goes to
 * @uc: the command
 * @opf: flags added to its operation (REQ_POLLED)
 * @flags: blk_mq_alloc_request() flags
 *
 * Separate metadata is bounced through a kernel buffer hung off the
 * request (copied in for a write).  The caller maps the data, then ends
 * with nvme_ucmd_finish(), also on failure.
 * Return: the request or an ERR_PTR.
 */
struct request *nvme_ucmd_alloc(struct request_queue *q,
				const struct nvme_ucmd *uc, blk_opf_t opf,
				blk_mq_req_flags_t flags)
{
	bool to_ctrl = nvme_opc_host_to_ctrl(uc->sqe.opc);
	struct request *rq;
	void *meta = NULL;

	if (uc->meta_len) {
		/* the transport points MPTR at it: must be contiguous */
		meta = kzalloc(uc->meta_len, GFP_KERNEL | __GFP_NOWARN);
		if (!meta)
			return ERR_PTR(-ENOMEM);
		if (to_ctrl && copy_from_user(meta, u64_to_user_ptr(uc->umeta),
					      uc->meta_len)) {
			kfree(meta);
			return ERR_PTR(-EFAULT);
		}
	}
	rq = blk_mq_alloc_request(q, (to_ctrl ? REQ_OP_DRV_OUT :
				      REQ_OP_DRV_IN) | opf, flags);
	if (IS_ERR(rq)) {
		kfree(meta);
		return rq;
	}
	nvme_init_request(rq, &uc->sqe);
	nvme_req(rq)->flags |= NVME_REQ_USERCMD;
	if (uc->timeout_ms)
		rq->timeout = msecs_to_jiffies(uc->timeout_ms);
	nvme_req(rq)->meta = meta;
	nvme_req(rq)->meta_len = uc->meta_len;
	return rq;
}

/**
 * nvme_ucmd_finish() - end a user command's request
 * @rq: from nvme_ucmd_alloc()
 * @bio: the head of its mapped data (NULL if none): completion advances
 *	rq->bio
 * @umeta: user address of separate metadata
 * @ret: the outcome so far (nvme_ucmd_status(), or an errno if the
 *	command never ran)
 * @result: completion dwords 0 and 1, set when @ret >= 0; may be NULL
 *
 * Copies metadata out after a successful read, unmaps, frees.
 * Return: @ret, or -EFAULT if a copy to user space failed.
 */
int nvme_ucmd_finish(struct request *rq, struct bio *bio, u64 umeta, int ret,
		     u64 *result)
{
	struct nvme_request *nr = nvme_req(rq);
	void *meta = nr->meta;

	if (ret >= 0) {
		if (result)
			*result = le64_to_cpu(nr->result);
		if (meta && req_op(rq) == REQ_OP_DRV_IN &&
		    copy_to_user(u64_to_user_ptr(umeta), meta, nr->meta_len))
			ret = -EFAULT;
	}
	nr->meta = NULL;
	nr->meta_len = 0;
	if (bio && blk_rq_unmap_user(bio) && !ret)
		ret = -EFAULT;
	blk_mq_free_request(rq);
	kfree(meta);
	return ret;
}

/*
 * Run @uc on @q and wait for it.  Returns a negative errno when the
 * command did not reach a verdict from the controller, else the NVMe
 * status field (0 on success), with @uc->result filled in.
 */
static int nvme_ucmd_run(struct nvme_ctrl *ctrl, struct request_queue *q,
			 struct nvme_ucmd *uc)
{
	struct request *rq;
	struct bio *bio;
	int ret;

	if (!q)
		return -ENODEV;
	ret = nvme_ucmd_check(ctrl, q, uc);
	if (ret)
		return ret;
	rq = nvme_ucmd_alloc(q, uc, 0, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	if (uc->len) {
		ret = blk_rq_map_user(q, rq, NULL, u64_to_user_ptr(uc->ubuf),
				      uc->len, GFP_KERNEL);
		if (ret)
			return nvme_ucmd_finish(rq, NULL, 0, ret, NULL);
	}
	bio = rq->bio;
	ret = nvme_ucmd_status(rq, blk_execute_rq(rq, false));
	return nvme_ucmd_finish(rq, bio, uc->umeta, ret, &uc->result);
}

/*
 * NVME_IOCTL_{ADMIN,IO}{,64}_CMD.  @ns is the namespace an I/O command
 * goes to; NULL for admin commands, and for I/O commands sent to the
 * controller node, which pick the namespace by the command's nsid.
 */
static int nvme_user_passthru(struct nvme_ctrl *ctrl, struct nvme_ns *ns,
			      void __user *argp, bool admin, bool wide)
{
	struct nvme_passthru_cmd64 c;
	struct nvme_ucmd uc = { };
	struct nvme_ns *found = NULL;
	struct request_queue *q;
	int ret;

	BUILD_BUG_ON(offsetof(struct nvme_passthru_cmd, timeout_ms) !=
		     offsetof(struct nvme_passthru_cmd64, timeout_ms));

	if (!capable(CAP_SYS_ADMIN))
		return -EACCES;
	/* the narrow layout is the wide one up to and including timeout_ms */
	if (copy_from_user(&c, argp, wide ? sizeof(struct nvme_passthru_cmd64) :
					    sizeof(struct nvme_passthru_cmd)))
		return -EFAULT;
	/* PSDT belongs to the transport */
	if (c.flags & (NVME_CMD_PSDT_SGL_MPTR | NVME_CMD_PSDT_SGL_SGL))
		return -EINVAL;

	uc.sqe.opc = c.opcode;
	uc.sqe.flags = c.flags;
	uc.sqe.nsid = cpu_to_le32(c.nsid);
	uc.sqe.cdw2 = cpu_to_le32(c.cdw2);
	uc.sqe.cdw3 = cpu_to_le32(c.cdw3);
	uc.sqe.cdw10 = cpu_to_le32(c.cdw10);
	uc.sqe.cdw11 = cpu_to_le32(c.cdw11);
	uc.sqe.cdw12 = cpu_to_le32(c.cdw12);
	uc.sqe.cdw13 = cpu_to_le32(c.cdw13);
	uc.sqe.cdw14 = cpu_to_le32(c.cdw14);
	uc.sqe.cdw15 = cpu_to_le32(c.cdw15);
	uc.ubuf = c.addr;
	uc.len = c.data_len;
	uc.umeta = c.metadata;
	uc.meta_len = c.metadata_len;
	uc.timeout_ms = c.timeout_ms;

	if (admin) {
		q = READ_ONCE(ctrl->admin_q);
	} else {
		if (!ns) {
			found = nvme_find_get_ns(ctrl, c.nsid);
			if (!found)
				return -EINVAL;
			ns = found;
		}
		q = ns->queue;
	}

	ret = nvme_ucmd_run(ctrl, q, &uc);
	if (found)
		nvme_put_ns(found);
	if (ret < 0)
		return ret;

	if (admin && !ret && nvme_admin_changes_ns(c.opcode))
		nvme_scan_sync(ctrl);

	if (wide) {
		struct nvme_passthru_cmd64 __user *u = argp;

		if (put_user(uc.result, &u->result))
			return -EFAULT;
	} else {
		struct nvme_passthru_cmd __user *u = argp;

		if (put_user(lower_32_bits(uc.result), &u->result))
			return -EFAULT;
	}
	return ret;
}

/* NVME_IOCTL_SUBMIT_IO: the old read/write/compare interface */
static int nvme_user_submit_io(struct nvme_ns *ns, void __user *argp)
{
	struct nvme_user_io io;
	struct nvme_ucmd uc = { };
	u64 nlb;

	if (!capable(CAP_SYS_ADMIN))
		return -EACCES;
	if (copy_from_user(&io, argp, sizeof(io)))
		return -EFAULT;
	if (io.flags)
		return -EINVAL;
	switch (io.opcode) {
	case NVME_IO_READ:
	case NVME_IO_WRITE:
	case NVME_IO_COMPARE:
		break;
	default:
		return -EINVAL;
	}

	/* the buffer is sized from the LBA size: it must be the real one */
	if (ns->lbaf_bad)
		return -EINVAL;
	nlb = (u64)io.nblocks + 1;
	uc.len = nlb << ns->lba_shift;
	if (ns->ms && ns->ext) {
		/* metadata is interleaved with the data in the one buffer */
		uc.len += nlb * ns->ms;
	} else if (ns->ms) {
		uc.meta_len = nlb * ns->ms;
		uc.umeta = io.metadata;
	}
	uc.ubuf = io.addr;

	uc.sqe.opc = io.opcode;
	uc.sqe.nsid = cpu_to_le32(ns->nsid);
	uc.sqe.cdw10 = cpu_to_le32(lower_32_bits(io.slba));
	uc.sqe.cdw11 = cpu_to_le32(upper_32_bits(io.slba));
	uc.sqe.cdw12 = cpu_to_le32(io.nblocks | ((u32)io.control << 16));
	uc.sqe.cdw13 = cpu_to_le32(io.dsmgmt);
	uc.sqe.cdw14 = cpu_to_le32(io.reftag);
	uc.sqe.cdw15 = cpu_to_le32(io.apptag | ((u32)io.appmask << 16));

	return nvme_ucmd_run(ns->ctrl, ns->queue, &uc);
}

/* ioctls that act on the controller, whichever node they came in by */
static long nvme_ctrl_common_ioctl(struct nvme_ctrl *ctrl, unsigned int cmd,
				   void __user *argp)
{
	bool admin = capable(CAP_SYS_ADMIN);

	switch (cmd) {
	case NVME_IOCTL_ADMIN_CMD:
	case NVME_IOCTL_ADMIN64_CMD:
		return nvme_user_passthru(ctrl, NULL, argp, true,
					  cmd == NVME_IOCTL_ADMIN64_CMD);
	case NVME_IOCTL_RESET:
		return admin ? nvme_reset_ctrl_sync(ctrl) : -EACCES;
	case NVME_IOCTL_RESCAN:
		if (admin)
			nvme_queue_scan(ctrl);
		return admin ? 0 : -EACCES;
	case NVME_IOCTL_SUBSYS_RESET:
		if (!admin)
			return -EACCES;
		/* only when CAP says the NSSR register is implemented */
		if (!ctrl->ops->reg_write32 || !NVME_CAP_NSSRS(ctrl->cap))
			return -ENOTTY;
		return ctrl->ops->reg_write32(ctrl, NVME_REG_NSSR,
					      NVME_NSSR_MAGIC);
	default:
		return -ENOTTY;
	}
}

/**
 * nvme_ns_ioctl() - ioctls of a namespace node, block or generic
 * @ns: the namespace (for a multipath head, the path it picked)
 * @cmd: ioctl number
 * @argp: user argument
 */
long nvme_ns_ioctl(struct nvme_ns *ns, unsigned int cmd, void __user *argp)
{
	switch (cmd) {
	case NVME_IOCTL_ID:
		return ns->nsid;
	case NVME_IOCTL_IO_CMD:
		return nvme_user_passthru(ns->ctrl, ns, argp, false, false);
	case NVME_IOCTL_IO64_CMD:
		return nvme_user_passthru(ns->ctrl, ns, argp, false, true);
	case NVME_IOCTL_SUBMIT_IO:
		return nvme_user_submit_io(ns, argp);
	default:
		return nvme_ctrl_common_ioctl(ns->ctrl, cmd, argp);
	}
}

/* ------------------------------------------------------------------ */
/* /dev/nvmeN                                                         */
/* ------------------------------------------------------------------ */

static int nvme_ctrl_chr_open(struct inode *inode, struct file *file)
{
	struct nvme_ctrl *ctrl = container_of(inode->i_cdev, struct nvme_ctrl,
					      cdev);

	switch (nvme_ctrl_state(ctrl)) {
	case NVME_CTRL_DELETING:
	case NVME_CTRL_DELETING_NOIO:
		return -EWOULDBLOCK;
	default:
		break;
	}
	if (!try_module_get(ctrl->ops->module))
		return -ENODEV;
	nvme_get_ctrl(ctrl);
	file->private_data = ctrl;
	return 0;
}

static int nvme_ctrl_chr_release(struct inode *inode, struct file *file)
{
	struct nvme_ctrl *ctrl = file->private_data;
	struct module *owner = ctrl->ops->module;

	nvme_put_ctrl(ctrl);
	module_put(owner);
	return 0;
}

static long nvme_ctrl_chr_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct nvme_ctrl *ctrl = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case NVME_IOCTL_IO_CMD:
		return nvme_user_passthru(ctrl, NULL, argp, false, false);
	case NVME_IOCTL_IO64_CMD:
		return nvme_user_passthru(ctrl, NULL, argp, false, true);
	case NVME_IOCTL_ID:
		return -ENOTTY;
	default:
		return nvme_ctrl_common_ioctl(ctrl, cmd, argp);
	}
}

static int nvme_ctrl_chr_uring_cmd(struct io_uring_cmd *ioucmd,
				   unsigned int issue_flags)
{
	struct nvme_ctrl *ctrl = ioucmd->file->private_data;

	switch (ioucmd->cmd_op) {
	case NVME_URING_CMD_ADMIN:
	case NVME_URING_CMD_ADMIN_VEC:
		return nvme_uring_cmd(ctrl, NULL, ioucmd, issue_flags);
	default:
		return -ENOTTY;
	}
}

const struct file_operations nvme_ctrl_fops = {
	.owner		= THIS_MODULE,
	.open		= nvme_ctrl_chr_open,
	.release	= nvme_ctrl_chr_release,
	.unlocked_ioctl	= nvme_ctrl_chr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.uring_cmd	= nvme_ctrl_chr_uring_cmd,
	.uring_cmd_iopoll = nvme_uring_iopoll,
};

/**
 * nvme_ctrl_cdev_add() - register /dev/nvmeN
 * @ctrl: controller whose cdev_device is initialised and named
 *
 * Return: 0 or a negative errno.  The core undoes a success with
 * cdev_device_del().
 */
int nvme_ctrl_cdev_add(struct nvme_ctrl *ctrl)
{
	if (ctrl->instance < 0 || ctrl->instance >= NVME_MINORS)
		return -ENOSPC;
	ctrl->cdev_device.devt = MKDEV(MAJOR(nvme_ctrl_devt), ctrl->instance);
	cdev_init(&ctrl->cdev, &nvme_ctrl_fops);
	ctrl->cdev.owner = ctrl->ops->module;
	return cdev_device_add(&ctrl->cdev, &ctrl->cdev_device);
}

/* ------------------------------------------------------------------ */
/* /dev/ngNnM                                                         */
/* ------------------------------------------------------------------ */

static int nvme_ns_chr_open(struct inode *inode, struct file *file)
{
	struct nvme_ns *ns = container_of(inode->i_cdev, struct nvme_ns, cdev);

	if (test_bit(NVME_NS_REMOVING, &ns->flags))
		return -ENXIO;
	if (!try_module_get(ns->ctrl->ops->module))
		return -ENXIO;
	if (!nvme_try_get_ns(ns)) {
		module_put(ns->ctrl->ops->module);
		return -ENXIO;
	}
	file->private_data = ns;
	return 0;
}

static int nvme_ns_chr_release(struct inode *inode, struct file *file)
{
	struct nvme_ns *ns = file->private_data;
	struct module *owner = ns->ctrl->ops->module;

	nvme_put_ns(ns);
	module_put(owner);
	return 0;
}

static long nvme_ns_chr_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return nvme_ns_ioctl(file->private_data, cmd, (void __user *)arg);
}

/**
 * nvme_ns_uring_cmd() - io_uring passthrough on a namespace's ng device
 * @ns: the namespace
 * @ioucmd: the command
 * @issue_flags: io_uring's issue flags
 *
 * Return: -EIOCBQUEUED once started, else a negative errno.
 */
int nvme_ns_uring_cmd(struct nvme_ns *ns, struct io_uring_cmd *ioucmd,
		      unsigned int issue_flags)
{
	switch (ioucmd->cmd_op) {
	case NVME_URING_CMD_IO:
	case NVME_URING_CMD_IO_VEC:
		return nvme_uring_cmd(ns->ctrl, ns, ioucmd, issue_flags);
	default:
		return -ENOTTY;
	}
}

static int nvme_ns_chr_uring_cmd(struct io_uring_cmd *ioucmd,
				 unsigned int issue_flags)
{
	return nvme_ns_uring_cmd(ioucmd->file->private_data, ioucmd,
				 issue_flags);
}

static const struct file_operations nvme_ns_chr_fops = {
	.uring_cmd	= nvme_ns_chr_uring_cmd,
	.uring_cmd_iopoll = nvme_uring_iopoll,
	.unlocked_ioctl	= nvme_ns_chr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.open		= nvme_ns_chr_open,
	.release	= nvme_ns_chr_release,
	.owner		= THIS_MODULE,
};

static void nvme_ns_cdev_release(struct device *dev)
{
	struct nvme_ns *ns = container_of(dev, struct nvme_ns, cdev_device);

	nvme_generic_cdev_free_minor(dev);
	nvme_put_ns(ns);
}

/**
 * nvme_generic_cdev_free_minor() - give back the minor of an ng device
 * @dev: the device, from its release method
 */
void nvme_generic_cdev_free_minor(struct device *dev)
{
	if (dev->devt)
		ida_free(&nvme_ns_minor_ida, MINOR(dev->devt));
}

/**
 * nvme_generic_cdev_add() - register an ng character device
 * @cdev: the cdev to register
 * @dev: its device, not yet initialised
 * @parent: parent device (a controller or a subsystem)
 * @fops: file operations
 * @owner: module the open files pin
 * @release: @dev's release; it must call nvme_generic_cdev_free_minor()
 * @name: device name
 *
 * On failure @release has run once (through the device's last put, or
 * directly when no minor was left), as after a later unregistration.
 * Return: 0 or a negative errno.
 */
int nvme_generic_cdev_add(struct cdev *cdev, struct device *dev,
			  struct device *parent,
			  const struct file_operations *fops,
			  struct module *owner, void (*release)(struct device *),
			  const char *name)
{
	int minor, ret;

	minor = ida_alloc_max(&nvme_ns_minor_ida, NVME_MINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		dev->devt = 0;
		release(dev);
		return minor;
	}
	device_initialize(dev);
	dev->class = nvme_ns_class;
	dev->parent = parent;
	dev->release = release;
	dev->devt = MKDEV(MAJOR(nvme_ns_devt), minor);
	ret = dev_set_name(dev, "%s", name);
	if (!ret) {
		cdev_init(cdev, fops);
		cdev->owner = owner;
		ret = cdev_device_add(cdev, dev);
	}
	if (ret)
		put_device(dev);
	return ret;
}

/**
 * nvme_ns_cdev_add() - register the generic char device /dev/ngNnM
 * @ns: namespace with ctrl, instance and nsid set
 *
 * The device holds a namespace reference until its release.
 * Return: 0 or a negative errno.
 */
int nvme_ns_cdev_add(struct nvme_ns *ns)
{
	struct nvme_ctrl *ctrl = ns->ctrl;
	char name[32];

	if (!nvme_try_get_ns(ns))
		return -ENODEV;
	snprintf(name, sizeof(name), "ng%dn%d", ctrl->instance, ns->instance);
	/* on failure the release drops the namespace reference */
	return nvme_generic_cdev_add(&ns->cdev, &ns->cdev_device,
				     &ctrl->cdev_device, &nvme_ns_chr_fops,
				     ctrl->ops->module, nvme_ns_cdev_release,
				     name);
}

/**
 * nvme_ns_cdev_del() - unregister /dev/ngNnM
 * @ns: the namespace
 *
 * Open files keep working on the namespace until they are closed.  Safe
 * to call when nvme_ns_cdev_add() failed or was never called, and twice.
 */
void nvme_ns_cdev_del(struct nvme_ns *ns)
{
	if (!device_is_registered(&ns->cdev_device))
		return;
	cdev_device_del(&ns->cdev, &ns->cdev_device);
	put_device(&ns->cdev_device);
}

/**
 * nvme_bdev_ioctl() - ioctl method of the namespace block devices
 * @bdev: the block device (whole disk or partition)
 * @mode: open mode, unused
 * @cmd: ioctl number
 * @arg: ioctl argument
 *
 * Return: as for the ng device of the same namespace.
 */
int nvme_bdev_ioctl(struct block_device *bdev, fmode_t mode,
		    unsigned int cmd, unsigned long arg)
{
	struct nvme_ns *ns = bdev->bd_disk->private_data;

	return nvme_ns_ioctl(ns, cmd, (void __user *)arg);
}

/* ------------------------------------------------------------------ */
/* module setup                                                       */
/* ------------------------------------------------------------------ */

static int nvme_class_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct nvme_ctrl *ctrl = container_of(dev, struct nvme_ctrl,
					      cdev_device);
	int ret;

	ret = add_uevent_var(env, "NVME_TRTYPE=%s", ctrl->ops->name);
	if (!ret && ctrl->ops->uevent)
		ret = ctrl->ops->uevent(ctrl, env);
	return ret;
}

/**
 * nvme_ioctl_init() - reserve the char device numbers and create the classes
 *
 * Return: 0 or a negative errno, with nothing left behind.
 */
int nvme_ioctl_init(void)
{
	struct class *cls;
	int ret;

	ret = alloc_chrdev_region(&nvme_ctrl_devt, 0, NVME_MINORS, "nvme");
	if (ret)
		return ret;
	ret = alloc_chrdev_region(&nvme_ns_devt, 0, NVME_MINORS,
				  "nvme-generic");
	if (ret)
		goto out_ctrl_region;

	cls = class_create(THIS_MODULE, "nvme");
	if (IS_ERR(cls)) {
		ret = PTR_ERR(cls);
		goto out_ns_region;
	}
	cls->dev_uevent = nvme_class_uevent;
	nvme_class = cls;

	cls = class_create(THIS_MODULE, "nvme-generic");
	if (IS_ERR(cls)) {
		ret = PTR_ERR(cls);
		goto out_class;
	}
	nvme_ns_class = cls;
	return 0;

out_class:
	class_destroy(nvme_class);
	nvme_class = NULL;
out_ns_region:
	unregister_chrdev_region(nvme_ns_devt, NVME_MINORS);
out_ctrl_region:
	unregister_chrdev_region(nvme_ctrl_devt, NVME_MINORS);
	return ret;
}

/**
 * nvme_ioctl_exit() - undo nvme_ioctl_init()
 */
void nvme_ioctl_exit(void)
{
	class_destroy(nvme_ns_class);
	nvme_ns_class = NULL;
	class_destroy(nvme_class);
	nvme_class = NULL;
	unregister_chrdev_region(nvme_ns_devt, NVME_MINORS);
	unregister_chrdev_region(nvme_ctrl_devt, NVME_MINORS);
	ida_destroy(&nvme_ns_minor_ida);
}
