// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-fabrics: /dev/nvme-fabrics, the transport registry and the
 * creation of fabrics controllers.
 *
 * User space (nvme-cli, libnvme) writes one option string per open file,
 * e.g. "transport=tcp,traddr=127.0.0.1,trsvcid=4420,nqn=...", and reads
 * back "instance=N,cntlid=M".  Reading before any write lists the
 * options this module understands.
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "fabrics.h"
#include "internal.h"

static DECLARE_RWSEM(nvmf_transports_lock);
static LIST_HEAD(nvmf_transports);

static struct class *nvmf_class;
static struct device *nvmf_device;

/* the host identity used when the option string names none */
static char nvmf_default_hostnqn[NVMF_NQN_MAX_LEN + 1];
static uuid_t nvmf_default_hostid;

/* ------------------------------------------------------------------ */
/* transports                                                         */
/* ------------------------------------------------------------------ */

/**
 * nvmf_register_transport() - make "transport=@ops->name" available
 * @ops: the transport; must stay valid until unregistered
 *
 * Return: 0, -EINVAL for an incomplete @ops, -EEXIST for a name in use.
 */
int nvmf_register_transport(struct nvmf_transport_ops *ops)
{
	struct nvmf_transport_ops *t;
	int ret = 0;

	if (!ops->name || !ops->create_ctrl)
		return -EINVAL;
	down_write(&nvmf_transports_lock);
	list_for_each_entry(t, &nvmf_transports, entry) {
		if (!strcmp(t->name, ops->name)) {
			ret = -EEXIST;
			goto out;
		}
	}
	list_add_tail(&ops->entry, &nvmf_transports);
out:
	up_write(&nvmf_transports_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(nvmf_register_transport);

/**
 * nvmf_unregister_transport() - no new controllers for this transport
 * @ops: a registered transport
 *
 * Existing controllers stay; the transport deletes them with
 * nvmf_delete_all_ctrls() before its module goes.
 */
void nvmf_unregister_transport(struct nvmf_transport_ops *ops)
{
	down_write(&nvmf_transports_lock);
	list_del_init(&ops->entry);
	up_write(&nvmf_transports_lock);
}
EXPORT_SYMBOL_GPL(nvmf_unregister_transport);

/* find a transport and pin its module */
static struct nvmf_transport_ops *nvmf_get_transport(const char *name)
{
	struct nvmf_transport_ops *t, *found = NULL;

	down_read(&nvmf_transports_lock);
	list_for_each_entry(t, &nvmf_transports, entry) {
		if (!strcmp(t->name, name)) {
			if (try_module_get(t->module))
				found = t;
			break;
		}
	}
	up_read(&nvmf_transports_lock);
	return found;
}

/* ------------------------------------------------------------------ */
/* controller creation                                                */
/* ------------------------------------------------------------------ */

static void nvmf_log_opt(void *ctx, const char *msg)
{
	pr_err_ratelimited("nvme_fabrics: %s\n", msg);
}

/* a host NQN of the form ...:uuid:<uuid> gives the default host id */
static bool nvmf_hostid_from_nqn(const char *nqn, u8 *hostid)
{
	const char *p = strstr(nqn, ":uuid:");
	uuid_t u;

	if (!p || uuid_parse(p + 6, &u))
		return false;
	memcpy(hostid, &u, sizeof(u));
	return true;
}

static void nvmf_fill_host(struct nvmf_ctrl_options *opts)
{
	if (!opts->hostnqn[0])
		strscpy(opts->hostnqn, nvmf_default_hostnqn,
			sizeof(opts->hostnqn));
	if (!(opts->mask & NVMF_OPT_HOST_ID) &&
	    !nvmf_hostid_from_nqn(opts->hostnqn, opts->hostid))
		memcpy(opts->hostid, &nvmf_default_hostid,
		       sizeof(opts->hostid));
}

/* Create a controller; on success its numbers go to @instance, @cntlid. */
static int nvmf_create_ctrl(const char *buf, size_t len, int *instance,
			    u16 *cntlid)
{
	struct nvmf_transport_ops *ops;
	struct nvmf_ctrl_options *opts;
	struct nvme_ctrl *ctrl;
	unsigned int bad = 0;
	int ret;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	ret = nvmf_parse_options(opts, buf, len, num_online_cpus(),
				 nvmf_log_opt, NULL);
	if (ret)
		goto out_free;
	if (opts->mask & (NVMF_OPT_DHCHAP_SECRET | NVMF_OPT_DHCHAP_CTRL_SECRET))
		pr_info_once("nvme_fabrics: no in-band authentication support, dhchap secrets ignored\n");
	nvmf_fill_host(opts);

	ops = nvmf_get_transport(opts->transport);
	if (!ops) {
		request_module("nvme-%s", opts->transport);
		ops = nvmf_get_transport(opts->transport);
	}
	if (!ops) {
		pr_err_ratelimited("nvme_fabrics: no transport '%s'\n",
				   opts->transport);
		ret = -EINVAL;
		goto out_free;
	}
	ret = nvmf_check_opts_mask(opts, ops->required_opts, ops->allowed_opts,
				   &bad);
	if (ret) {
		pr_err_ratelimited("nvme_fabrics: transport %s: option '%s' %s\n",
				   ops->name, nvmf_opt_name(bad),
				   (opts->mask & bad) ? "not supported" :
				   "missing");
		goto out_put;
	}
	if (!opts->duplicate_connect && nvmf_ctrl_exists(opts)) {
		pr_err_ratelimited("nvme_fabrics: already connected to %s at %s:%s (use duplicate_connect)\n",
				   opts->subsysnqn, opts->traddr,
				   opts->trsvcid);
		ret = -EALREADY;
		goto out_put;
	}

	/* from here on @opts belongs to the transport's controller */
	ctrl = ops->create_ctrl(nvmf_device, opts);
	if (IS_ERR(ctrl)) {
		ret = PTR_ERR(ctrl);
	} else {
		/* our reference: it may be being deleted already */
		*instance = ctrl->instance;
		*cntlid = ctrl->cntlid;
		nvme_put_ctrl(ctrl);	/* may free it: the module is pinned */
		ret = 0;
	}
	module_put(ops->module);
	return ret;

out_put:
	module_put(ops->module);
out_free:
	kfree(opts);
	return ret;
}

/* ------------------------------------------------------------------ */
/* /dev/nvme-fabrics                                                  */
/* ------------------------------------------------------------------ */

/**
 * struct nvmf_file - one open /dev/nvme-fabrics
 * @lock: serialises write and read
 * @created: a controller was created through this file
 * @instance: its N in nvmeN
 * @cntlid: its controller id
 *
 * Only the numbers are kept, not a reference: an open file must not keep
 * a deleted controller (and its transport's code) around.
 */
struct nvmf_file {
	struct mutex lock;	/* serialises write and read */
	bool created;
	int instance;
	u16 cntlid;
};

static int nvmf_dev_open(struct inode *inode, struct file *file)
{
	struct nvmf_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int nvmf_dev_release(struct inode *inode, struct file *file)
{
	struct nvmf_file *f = file->private_data;

	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static ssize_t nvmf_dev_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *pos)
{
	struct nvmf_file *f = file->private_data;
	char *buf;
	int ret;

	if (count > NVMF_MAX_OPTS_LEN) {
		pr_err_ratelimited("nvme_fabrics: option string of %zu bytes too long\n",
				   count);
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	mutex_lock(&f->lock);
	if (f->created) {
		ret = -EINVAL;	/* one controller per open */
		goto out;
	}
	ret = nvmf_create_ctrl(buf, count, &f->instance, &f->cntlid);
	if (ret)
		goto out;
	f->created = true;
	ret = count;
out:
	mutex_unlock(&f->lock);
	kfree(buf);
	return ret;
}

static ssize_t nvmf_dev_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *pos)
{
	struct nvmf_file *f = file->private_data;
	ssize_t ret;
	char *buf;
	int len;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&f->lock);
	if (f->created)
		len = scnprintf(buf, PAGE_SIZE, "instance=%d,cntlid=%d\n",
				f->instance, f->cntlid);
	else
		len = nvmf_format_opt_list(buf, PAGE_SIZE);
	mutex_unlock(&f->lock);
	ret = simple_read_from_buffer(ubuf, count, pos, buf, len);
	kfree(buf);
	return ret;
}

static const struct file_operations nvmf_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= nvmf_dev_open,
	.release	= nvmf_dev_release,
	.write		= nvmf_dev_write,
	.read		= nvmf_dev_read,
	.llseek		= noop_llseek,
};

static struct miscdevice nvmf_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "nvme-fabrics",
	.fops		= &nvmf_dev_fops,
	.mode		= 0600,
};

static int __init nvmf_init(void)
{
	int ret;

	uuid_gen(&nvmf_default_hostid);
	snprintf(nvmf_default_hostnqn, sizeof(nvmf_default_hostnqn),
		 "nqn.2014-08.org.nvmexpress:uuid:%pUb", &nvmf_default_hostid);

	nvmf_class = class_create(THIS_MODULE, "nvme-fabrics");
	if (IS_ERR(nvmf_class))
		return PTR_ERR(nvmf_class);
	nvmf_device = device_create(nvmf_class, NULL, MKDEV(0, 0), NULL,
				    "ctl");
	if (IS_ERR(nvmf_device)) {
		ret = PTR_ERR(nvmf_device);
		goto out_class;
	}
	ret = misc_register(&nvmf_misc);
	if (ret)
		goto out_device;
	return 0;

out_device:
	device_destroy(nvmf_class, MKDEV(0, 0));
out_class:
	class_destroy(nvmf_class);
	return ret;
}

static void __exit nvmf_exit(void)
{
	misc_deregister(&nvmf_misc);
	device_destroy(nvmf_class, MKDEV(0, 0));
	class_destroy(nvmf_class);
}

module_init(nvmf_init);
module_exit(nvmf_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over Fabrics host core (out-of-tree)");
MODULE_VERSION("0.1");
