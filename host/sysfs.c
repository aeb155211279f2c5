// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs view of controllers, namespaces and NVM subsystems.
 *
 * The names and formats are the ones nvme-cli (through libnvme) and
 * udev rules read, so they follow the kernel's own NVMe driver:
 *   /sys/class/nvme/nvmeN/...            controller attributes
 *   /sys/block/nvmeNnM/{nsid,wwid,...}   namespace identifiers
 *   /sys/class/nvme-subsystem/nvme-subsysK/...
 *                                        subsystem attributes and one
 *                                        link per controller (nvmeN)
 *
 * Identify strings (serial, model, firmware) are shown as the
 * controller reports them, space padding included.
 */
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "nvme.h"

static struct class *nvme_subsys_class;
static DEFINE_IDA(nvme_subsys_ida);
static LIST_HEAD(nvme_subsystems);
static DEFINE_MUTEX(nvme_subsys_lock);	/* the list and ctrl->subsys links */

#define NVME_ATTR_RO(_pfx, _name)					\
	static struct device_attribute _pfx##_attr_##_name =		\
		__ATTR(_name, 0444, _pfx##_##_name##_show, NULL)
#define NVME_ATTR_WO(_pfx, _name)					\
	static struct device_attribute _pfx##_attr_##_name =		\
		__ATTR(_name, 0200, NULL, _pfx##_##_name##_store)
#define NVME_ATTR_RW(_pfx, _name)					\
	static struct device_attribute _pfx##_attr_##_name =		\
		__ATTR(_name, 0644, _pfx##_##_name##_show,		\
		       _pfx##_##_name##_store)

/* a fixed-size Identify string, up to its first NUL */
static ssize_t nvme_emit_field(char *buf, const char *s, size_t size)
{
	return sysfs_emit(buf, "%.*s\n", (int)size, s);
}

/* length of a padded Identify string without trailing spaces and NULs */
static int nvme_trimmed_len(const char *s, int size)
{
	while (size > 0 && (s[size - 1] == ' ' || s[size - 1] == '\0'))
		size--;
	return size;
}

static bool nvme_id_nonzero(const u8 *id, size_t size)
{
	return memchr_inv(id, 0, size);
}

/* ------------------------------------------------------------------ */
/* controller: /sys/class/nvme/nvmeN                                  */
/* ------------------------------------------------------------------ */

static struct nvme_ctrl *nvme_dev_to_ctrl(struct device *dev)
{
	return container_of(dev, struct nvme_ctrl, cdev_device);
}

static ssize_t nvme_ctrl_model_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);

	return nvme_emit_field(buf, ctrl->model, sizeof(ctrl->model));
}
NVME_ATTR_RO(nvme_ctrl, model);

static ssize_t nvme_ctrl_serial_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);

	return nvme_emit_field(buf, ctrl->serial, sizeof(ctrl->serial));
}
NVME_ATTR_RO(nvme_ctrl, serial);

static ssize_t nvme_ctrl_firmware_rev_show(struct device *dev,
					   struct device_attribute *attr,
					   char *buf)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);

	return nvme_emit_field(buf, ctrl->firmware_rev,
			       sizeof(ctrl->firmware_rev));
}
NVME_ATTR_RO(nvme_ctrl, firmware_rev);

static ssize_t nvme_ctrl_cntlid_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", nvme_dev_to_ctrl(dev)->cntlid);
}
NVME_ATTR_RO(nvme_ctrl, cntlid);

static ssize_t nvme_ctrl_transport_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	return sysfs_emit(buf, "%s\n", nvme_dev_to_ctrl(dev)->ops->name);
}
NVME_ATTR_RO(nvme_ctrl, transport);

static ssize_t nvme_ctrl_address_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);

	if (!ctrl->ops->get_address)
		return sysfs_emit(buf, "\n");
	return ctrl->ops->get_address(ctrl, buf, PAGE_SIZE);
}
NVME_ATTR_RO(nvme_ctrl, address);

static ssize_t nvme_ctrl_state_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);

	return sysfs_emit(buf, "%s\n",
			  nvme_ctrl_state_name(nvme_ctrl_state(ctrl)));
}
NVME_ATTR_RO(nvme_ctrl, state);

static ssize_t nvme_ctrl_subsysnqn_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);

	return nvme_emit_field(buf, ctrl->subnqn, sizeof(ctrl->subnqn));
}
NVME_ATTR_RO(nvme_ctrl, subsysnqn);

static ssize_t nvme_ctrl_queue_count_show(struct device *dev,
					  struct device_attribute *attr,
					  char *buf)
{
	return sysfs_emit(buf, "%u\n", nvme_dev_to_ctrl(dev)->queue_count);
}
NVME_ATTR_RO(nvme_ctrl, queue_count);

static ssize_t nvme_ctrl_sqsize_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", nvme_dev_to_ctrl(dev)->sqsize);
}
NVME_ATTR_RO(nvme_ctrl, sqsize);

static ssize_t nvme_ctrl_numa_node_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	return sysfs_emit(buf, "%d\n", nvme_dev_to_ctrl(dev)->numa_node);
}
NVME_ATTR_RO(nvme_ctrl, numa_node);

static const char *nvme_cntrltype_name(u8 type)
{
	switch (type) {
	case NVME_CTRL_TYPE_IO:
		return "io";
	case NVME_CTRL_TYPE_DISC:
		return "discovery";
	case NVME_CTRL_TYPE_ADMIN:
		return "admin";
	default:
		return "reserved";
	}
}

static ssize_t nvme_ctrl_cntrltype_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);

	return sysfs_emit(buf, "%s\n", nvme_cntrltype_name(ctrl->cntrltype));
}
NVME_ATTR_RO(nvme_ctrl, cntrltype);

static ssize_t nvme_ctrl_dctype_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	/* discovery controller type: no DDC/CDC support yet */
	return sysfs_emit(buf, "none\n");
}
NVME_ATTR_RO(nvme_ctrl, dctype);

static ssize_t nvme_ctrl_kato_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", nvme_dev_to_ctrl(dev)->kato);
}
NVME_ATTR_RO(nvme_ctrl, kato);

static ssize_t nvme_ctrl_reset_controller_store(struct device *dev,
						struct device_attribute *attr,
						const char *buf, size_t count)
{
	int ret = nvme_reset_ctrl_sync(nvme_dev_to_ctrl(dev));

	return ret < 0 ? ret : count;
}
NVME_ATTR_WO(nvme_ctrl, reset_controller);

static ssize_t nvme_ctrl_rescan_controller_store(struct device *dev,
						 struct device_attribute *attr,
						 const char *buf, size_t count)
{
	nvme_queue_scan(nvme_dev_to_ctrl(dev));
	return count;
}
NVME_ATTR_WO(nvme_ctrl, rescan_controller);

static ssize_t nvme_ctrl_delete_controller_store(struct device *dev,
						 struct device_attribute *attr,
						 const char *buf, size_t count)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(dev);
	struct module *owner = ctrl->ops->module;

	/*
	 * The first connect (or probe) is still running in its creator's
	 * context, which tears down itself if it fails: not ours to delete.
	 */
	if (!test_bit(NVME_CTRL_FLAG_STARTED_ONCE, &ctrl->flags))
		return -EBUSY;
	/*
	 * The deletion runs here, not on nvme_delete_wq, so the transport's
	 * module_exit (it flushes only that workqueue) would not wait for
	 * it: pin the transport until its last callback, ->free_ctrl() from
	 * our final put, has returned.  If it is being unloaded already, the
	 * unload deletes the controller (the write returns before that is
	 * done).  Until the file is removed our active reference keeps that
	 * unload (its delete work) from finishing, so @owner is still there.
	 */
	if (!try_module_get(owner))
		return count;
	/*
	 * Deleting the controller removes this very file, and removal
	 * waits for the writers of its files.  Take the file away first
	 * (only one writer wins) and keep the controller pinned, as
	 * nothing else does once the file is gone.
	 */
	nvme_get_ctrl(ctrl);
	if (device_remove_file_self(dev, attr))
		nvme_delete_ctrl_sync(ctrl);
	nvme_put_ctrl(ctrl);
	module_put(owner);
	return count;
}
NVME_ATTR_WO(nvme_ctrl, delete_controller);

static struct attribute *nvme_ctrl_attrs[] = {
	&nvme_ctrl_attr_model.attr,
	&nvme_ctrl_attr_serial.attr,
	&nvme_ctrl_attr_firmware_rev.attr,
	&nvme_ctrl_attr_cntlid.attr,
	&nvme_ctrl_attr_transport.attr,
	&nvme_ctrl_attr_address.attr,
	&nvme_ctrl_attr_state.attr,
	&nvme_ctrl_attr_subsysnqn.attr,
	&nvme_ctrl_attr_queue_count.attr,
	&nvme_ctrl_attr_sqsize.attr,
	&nvme_ctrl_attr_numa_node.attr,
	&nvme_ctrl_attr_cntrltype.attr,
	&nvme_ctrl_attr_dctype.attr,
	&nvme_ctrl_attr_kato.attr,
	&nvme_ctrl_attr_reset_controller.attr,
	&nvme_ctrl_attr_rescan_controller.attr,
	&nvme_ctrl_attr_delete_controller.attr,
	NULL
};

static umode_t nvme_ctrl_attr_visible(struct kobject *kobj,
				      struct attribute *a, int n)
{
	struct nvme_ctrl *ctrl = nvme_dev_to_ctrl(kobj_to_dev(kobj));

	if (a == &nvme_ctrl_attr_delete_controller.attr)
		return nvme_ctrl_is_fabrics(ctrl) && ctrl->ops->delete_ctrl ?
			a->mode : 0;
	return a->mode;
}

static const struct attribute_group nvme_ctrl_attr_group = {
	.attrs		= nvme_ctrl_attrs,
	.is_visible	= nvme_ctrl_attr_visible,
};

const struct attribute_group *nvme_ctrl_attr_groups[] = {
	&nvme_ctrl_attr_group,
	NULL
};

/* ------------------------------------------------------------------ */
/* namespace: /sys/block/nvmeNnM                                      */
/* ------------------------------------------------------------------ */

/*
 * The attributes are the same on a namespace's disk and on a multipath
 * head's; a head answers with its subsystem's data.
 */
struct nvme_disk_info {
	u32 nsid;
	const struct nvme_ns_ids *ids;
	u16 vid;
	const char *serial;
	const char *model;
};

static void nvme_dev_disk_info(struct device *dev, struct nvme_disk_info *di)
{
	struct gendisk *disk = dev_to_disk(dev);

	if (nvme_is_head_disk(disk)) {
		struct nvme_ns_head *head = disk->private_data;

		di->nsid = head->nsid;
		di->ids = &head->ids;
		di->vid = head->subsys->vid;
		di->serial = head->subsys->serial;
		di->model = head->subsys->model;
	} else {
		struct nvme_ns *ns = disk->private_data;

		di->nsid = ns->nsid;
		di->ids = &ns->ids;
		di->vid = ns->ctrl->vid;
		di->serial = ns->ctrl->serial;
		di->model = ns->ctrl->model;
	}
}

static const struct nvme_ns_ids *nvme_dev_to_ids(struct device *dev)
{
	struct nvme_disk_info di;

	nvme_dev_disk_info(dev, &di);
	return di.ids;
}

static ssize_t nvme_ns_nsid_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct nvme_disk_info di;

	nvme_dev_disk_info(dev, &di);
	return sysfs_emit(buf, "%u\n", di.nsid);
}
NVME_ATTR_RO(nvme_ns, nsid);

/*
 * A name that stays the same across boots and hosts: the best of the
 * namespace's own identifiers, else one made of the controller's PCI
 * vendor id, serial and model numbers (trimmed, in hex) and the nsid.
 */
static ssize_t nvme_ns_wwid_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct nvme_disk_info di;
	const struct nvme_ns_ids *ids;

	nvme_dev_disk_info(dev, &di);
	ids = di.ids;
	if (nvme_id_nonzero(ids->uuid, sizeof(ids->uuid)))
		return sysfs_emit(buf, "uuid.%pU\n", ids->uuid);
	if (nvme_id_nonzero(ids->nguid, sizeof(ids->nguid)))
		return sysfs_emit(buf, "eui.%16phN\n", ids->nguid);
	if (nvme_id_nonzero(ids->eui64, sizeof(ids->eui64)))
		return sysfs_emit(buf, "eui.%8phN\n", ids->eui64);
	return sysfs_emit(buf, "nvme.%04x-%*phN-%*phN-%08x\n", di.vid,
			  nvme_trimmed_len(di.serial, sizeof_field(struct nvme_ctrl, serial)),
			  di.serial,
			  nvme_trimmed_len(di.model, sizeof_field(struct nvme_ctrl, model)),
			  di.model, di.nsid);
}
NVME_ATTR_RO(nvme_ns, wwid);

static ssize_t nvme_ns_uuid_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pU\n", nvme_dev_to_ids(dev)->uuid);
}
NVME_ATTR_RO(nvme_ns, uuid);

static ssize_t nvme_ns_nguid_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pU\n", nvme_dev_to_ids(dev)->nguid);
}
NVME_ATTR_RO(nvme_ns, nguid);

static ssize_t nvme_ns_eui_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%8ph\n", nvme_dev_to_ids(dev)->eui64);
}
NVME_ATTR_RO(nvme_ns, eui);

/* ANA group and state of a path of a controller with ANA */
static ssize_t nvme_ns_ana_grpid_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct nvme_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%u\n", ns->ana_grpid);
}
NVME_ATTR_RO(nvme_ns, ana_grpid);

static ssize_t nvme_ns_ana_state_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct nvme_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%s\n",
			  nvme_ana_state_name(READ_ONCE(ns->ana_state)));
}
NVME_ATTR_RO(nvme_ns, ana_state);

static struct attribute *nvme_ns_attrs[] = {
	&nvme_ns_attr_nsid.attr,
	&nvme_ns_attr_ana_grpid.attr,
	&nvme_ns_attr_ana_state.attr,
	&nvme_ns_attr_wwid.attr,
	&nvme_ns_attr_uuid.attr,
	&nvme_ns_attr_nguid.attr,
	&nvme_ns_attr_eui.attr,
	NULL
};

static umode_t nvme_ns_attr_visible(struct kobject *kobj,
				    struct attribute *a, int n)
{
	struct device *dev = kobj_to_dev(kobj);
	const struct nvme_ns_ids *ids = nvme_dev_to_ids(dev);

	if (a == &nvme_ns_attr_ana_grpid.attr || a == &nvme_ns_attr_ana_state.attr) {
		struct gendisk *disk = dev_to_disk(dev);
		struct nvme_ns *ns = disk->private_data;

		return !nvme_is_head_disk(disk) && ns->head && ns->ctrl->ana_log ?
			a->mode : 0;
	}

	if (a == &nvme_ns_attr_uuid.attr)
		return nvme_id_nonzero(ids->uuid, sizeof(ids->uuid)) ?
			a->mode : 0;
	if (a == &nvme_ns_attr_nguid.attr)
		return nvme_id_nonzero(ids->nguid, sizeof(ids->nguid)) ?
			a->mode : 0;
	if (a == &nvme_ns_attr_eui.attr)
		return nvme_id_nonzero(ids->eui64, sizeof(ids->eui64)) ?
			a->mode : 0;
	return a->mode;
}

static const struct attribute_group nvme_ns_attr_group = {
	.attrs		= nvme_ns_attrs,
	.is_visible	= nvme_ns_attr_visible,
};

const struct attribute_group *nvme_ns_attr_groups[] = {
	&nvme_ns_attr_group,
	NULL
};

/* ------------------------------------------------------------------ */
/* subsystem: /sys/class/nvme-subsystem/nvme-subsysK                  */
/* ------------------------------------------------------------------ */

static struct nvme_subsystem *nvme_dev_to_subsys(struct device *dev)
{
	return container_of(dev, struct nvme_subsystem, dev);
}

static ssize_t nvme_subsys_subsysnqn_show(struct device *dev,
					  struct device_attribute *attr,
					  char *buf)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	return nvme_emit_field(buf, subsys->subnqn, sizeof(subsys->subnqn));
}
NVME_ATTR_RO(nvme_subsys, subsysnqn);

static ssize_t nvme_subsys_model_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	return nvme_emit_field(buf, subsys->model, sizeof(subsys->model));
}
NVME_ATTR_RO(nvme_subsys, model);

static ssize_t nvme_subsys_serial_show(struct device *dev,
				       struct device_attribute *attr,
				       char *buf)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	return nvme_emit_field(buf, subsys->serial, sizeof(subsys->serial));
}
NVME_ATTR_RO(nvme_subsys, serial);

static ssize_t nvme_subsys_firmware_rev_show(struct device *dev,
					     struct device_attribute *attr,
					     char *buf)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	return nvme_emit_field(buf, subsys->firmware_rev,
			       sizeof(subsys->firmware_rev));
}
NVME_ATTR_RO(nvme_subsys, firmware_rev);

static ssize_t nvme_subsys_subsystype_show(struct device *dev,
					   struct device_attribute *attr,
					   char *buf)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	return sysfs_emit(buf, "%s\n",
			  subsys->cntrltype == NVME_CTRL_TYPE_DISC ?
			  "discovery" : "nvm");
}
NVME_ATTR_RO(nvme_subsys, subsystype);

/* how multipath heads pick a path: numa (nearest) or round-robin */
static ssize_t nvme_subsys_iopolicy_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	return sysfs_emit(buf, "%s\n",
			  READ_ONCE(subsys->iopolicy) == NVME_IOPOLICY_RR ?
			  "round-robin" : "numa");
}

static ssize_t nvme_subsys_iopolicy_store(struct device *dev,
					  struct device_attribute *attr,
					  const char *buf, size_t count)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	if (sysfs_streq(buf, "numa"))
		WRITE_ONCE(subsys->iopolicy, NVME_IOPOLICY_NUMA);
	else if (sysfs_streq(buf, "round-robin"))
		WRITE_ONCE(subsys->iopolicy, NVME_IOPOLICY_RR);
	else
		return -EINVAL;
	return count;
}
NVME_ATTR_RW(nvme_subsys, iopolicy);

static struct attribute *nvme_subsys_attrs[] = {
	&nvme_subsys_attr_subsysnqn.attr,
	&nvme_subsys_attr_model.attr,
	&nvme_subsys_attr_serial.attr,
	&nvme_subsys_attr_firmware_rev.attr,
	&nvme_subsys_attr_subsystype.attr,
	&nvme_subsys_attr_iopolicy.attr,
	NULL
};
ATTRIBUTE_GROUPS(nvme_subsys);

static void nvme_subsys_release(struct device *dev)
{
	struct nvme_subsystem *subsys = nvme_dev_to_subsys(dev);

	ida_free(&nvme_subsys_ida, subsys->instance);
	ida_destroy(&subsys->ns_ida);
	kfree(subsys);
}

/* kref release; called with nvme_subsys_lock held */
static void nvme_subsys_unregister(struct kref *ref)
{
	struct nvme_subsystem *subsys = container_of(ref, struct nvme_subsystem,
						     ref);

	list_del(&subsys->entry);
	if (subsys->registered)
		device_del(&subsys->dev);
	put_device(&subsys->dev);
}

/*
 * Controllers that report no NQN (before NVMe 1.2.1) get the one the
 * specification defines for them from their Identify data.
 */
static void nvme_subsys_fill_nqn(struct nvme_ctrl *ctrl)
{
	if (ctrl->subnqn[0])
		return;
	snprintf(ctrl->subnqn, sizeof(ctrl->subnqn),
		 "nqn.2014.08.org.nvmexpress:%04x%04x%.*s%.*s",
		 ctrl->vid, ctrl->ssvid,
		 (int)sizeof(ctrl->serial), ctrl->serial,
		 (int)sizeof(ctrl->model), ctrl->model);
}

static bool nvme_ctrl_dying(struct nvme_ctrl *ctrl)
{
	switch (nvme_ctrl_state(ctrl)) {
	case NVME_CTRL_DELETING:
	case NVME_CTRL_DELETING_NOIO:
	case NVME_CTRL_DEAD:
		return true;
	default:
		return false;
	}
}

/*
 * The subsystem @ctrl should join: NULL for a new one, or an error
 * when joining would make two controllers indistinguishable.
 */
static struct nvme_subsystem *nvme_subsys_find(struct nvme_ctrl *ctrl)
{
	struct nvme_subsystem *subsys;
	struct nvme_ctrl *other;

	lockdep_assert_held(&nvme_subsys_lock);

	/* every discovery controller stands alone */
	if (nvme_ctrl_is_discovery(ctrl))
		return NULL;

	list_for_each_entry(subsys, &nvme_subsystems, entry) {
		if (strncmp(subsys->subnqn, ctrl->subnqn, sizeof(subsys->subnqn)))
			continue;
		if (!(ctrl->cmic & NVME_CTRL_CMIC_MULTI_CTRL)) {
			dev_warn(&ctrl->cdev_device,
				 "subsystem NQN %s already in use; single-controller device gets its own subsystem\n",
				 ctrl->subnqn);
			return NULL;
		}
		list_for_each_entry(other, &subsys->ctrls, subsys_entry) {
			if (other->cntlid != ctrl->cntlid || nvme_ctrl_dying(other))
				continue;
			dev_err(&ctrl->cdev_device,
				"controller id %u already used by %s in %s\n",
				ctrl->cntlid, dev_name(&other->cdev_device),
				dev_name(&subsys->dev));
			return ERR_PTR(-EINVAL);
		}
		return subsys;
	}
	return NULL;
}

static struct nvme_subsystem *nvme_subsys_create(struct nvme_ctrl *ctrl)
{
	struct nvme_subsystem *subsys;
	int ret;

	subsys = kzalloc(sizeof(*subsys), GFP_KERNEL);
	if (!subsys)
		return ERR_PTR(-ENOMEM);

	/* nvme-subsysK after its first controller nvmeK when K is free */
	ret = ida_alloc_range(&nvme_subsys_ida, ctrl->instance,
			      ctrl->instance, GFP_KERNEL);
	if (ret < 0)
		ret = ida_alloc(&nvme_subsys_ida, GFP_KERNEL);
	if (ret < 0) {
		kfree(subsys);
		return ERR_PTR(ret);
	}
	subsys->instance = ret;
	kref_init(&subsys->ref);
	INIT_LIST_HEAD(&subsys->ctrls);
	memcpy(subsys->subnqn, ctrl->subnqn, sizeof(subsys->subnqn));
	memcpy(subsys->serial, ctrl->serial, sizeof(subsys->serial));
	memcpy(subsys->model, ctrl->model, sizeof(subsys->model));
	memcpy(subsys->firmware_rev, ctrl->firmware_rev,
	       sizeof(subsys->firmware_rev));
	subsys->cntrltype = ctrl->cntrltype;
	subsys->vid = ctrl->vid;
	subsys->mpath = nvme_subsys_wants_mpath(ctrl);
	subsys->iopolicy = nvme_default_iopolicy;
	mutex_init(&subsys->lock);
	INIT_LIST_HEAD(&subsys->nsheads);
	ida_init(&subsys->ns_ida);

	device_initialize(&subsys->dev);
	subsys->dev.class = nvme_subsys_class;
	subsys->dev.groups = nvme_subsys_groups;
	subsys->dev.release = nvme_subsys_release;
	ret = dev_set_name(&subsys->dev, "nvme-subsys%d", subsys->instance);
	if (!ret)
		ret = device_add(&subsys->dev);
	if (ret) {
		put_device(&subsys->dev);
		return ERR_PTR(ret);
	}
	subsys->registered = true;
	list_add_tail(&subsys->entry, &nvme_subsystems);
	return subsys;
}

/* a controller already in a subsystem came back from a reset */
static int nvme_subsys_recheck(struct nvme_ctrl *ctrl)
{
	struct nvme_subsystem *subsys = ctrl->subsys;

	if (strncmp(subsys->subnqn, ctrl->subnqn, sizeof(subsys->subnqn))) {
		dev_err(&ctrl->cdev_device,
			"subsystem NQN changed from %s to %s\n",
			subsys->subnqn, ctrl->subnqn);
		return -EINVAL;
	}
	/* a reset may have activated new firmware */
	memcpy(subsys->firmware_rev, ctrl->firmware_rev,
	       sizeof(subsys->firmware_rev));
	return 0;
}

/**
 * nvme_subsys_attach() - put a controller into its NVM subsystem
 * @ctrl: controller with fresh Identify Controller data and a
 *	registered char device
 *
 * Finds the subsystem with the controller's NQN or creates it, and
 * links the controller into its sysfs directory.  Called again after
 * every reset or reconnect, it only checks that the NQN stayed the same.
 * A controller that reports no NQN gets one synthesized into
 * ctrl->subnqn.
 *
 * Return: 0 or a negative errno.
 */
int nvme_subsys_attach(struct nvme_ctrl *ctrl)
{
	struct nvme_subsystem *subsys;
	int ret = 0;

	nvme_subsys_fill_nqn(ctrl);

	mutex_lock(&nvme_subsys_lock);
	if (ctrl->subsys) {
		ret = nvme_subsys_recheck(ctrl);
		goto out_unlock;
	}

	subsys = nvme_subsys_find(ctrl);
	if (IS_ERR(subsys)) {
		ret = PTR_ERR(subsys);
		goto out_unlock;
	}
	if (subsys)
		kref_get(&subsys->ref);
	else
		subsys = nvme_subsys_create(ctrl);
	if (IS_ERR(subsys)) {
		ret = PTR_ERR(subsys);
		goto out_unlock;
	}

	ret = sysfs_create_link(&subsys->dev.kobj, &ctrl->cdev_device.kobj,
				dev_name(&ctrl->cdev_device));
	if (ret) {
		kref_put(&subsys->ref, nvme_subsys_unregister);
		goto out_unlock;
	}
	list_add_tail(&ctrl->subsys_entry, &subsys->ctrls);
	ctrl->subsys = subsys;
out_unlock:
	mutex_unlock(&nvme_subsys_lock);
	return ret;
}

/**
 * nvme_subsys_detach() - take a controller out of its subsystem
 * @ctrl: the controller; its char device name must still be valid
 *
 * The subsystem goes away with its last controller.  Does nothing for
 * a controller that never joined one.
 */
void nvme_subsys_detach(struct nvme_ctrl *ctrl)
{
	struct nvme_subsystem *subsys;

	mutex_lock(&nvme_subsys_lock);
	subsys = ctrl->subsys;
	if (subsys) {
		sysfs_remove_link(&subsys->dev.kobj,
				  dev_name(&ctrl->cdev_device));
		list_del_init(&ctrl->subsys_entry);
		ctrl->subsys = NULL;
		kref_put(&subsys->ref, nvme_subsys_unregister);
	}
	mutex_unlock(&nvme_subsys_lock);
}

/**
 * nvme_sysfs_init() - create the nvme-subsystem class
 *
 * Return: 0 or a negative errno.
 */
int nvme_sysfs_init(void)
{
	struct class *cls = class_create(THIS_MODULE, "nvme-subsystem");

	if (IS_ERR(cls))
		return PTR_ERR(cls);
	nvme_subsys_class = cls;
	return 0;
}

/**
 * nvme_sysfs_exit() - undo nvme_sysfs_init(); all subsystems are gone
 */
void nvme_sysfs_exit(void)
{
	class_destroy(nvme_subsys_class);
	nvme_subsys_class = NULL;
	ida_destroy(&nvme_subsys_ida);
}
