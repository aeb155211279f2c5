// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs tree under /sys/kernel/config/nvmet/, attribute for
 * attribute the one Linux's target has:
 *
 *   subsystems/<nqn>/attr_*, allowed_hosts/ (links), namespaces/<nsid>/
 *   ports/<id>/addr_*, param_*, subsystems/ (links), referrals/<name>/,
 *        ana_groups/<grpid>/ana_state (target/ana.c)
 *   hosts/<nqn>/
 *
 * Every write is validated (-EINVAL plus a rate limited line); attributes
 * of an enabled namespace are -EBUSY, of an enabled port -EACCES.
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/ctype.h>
#include <linux/kstrtox.h>
#include <linux/blkdev.h>
#include "nvmet.h"

static const struct config_item_type subsys_ct;
static const struct config_item_type host_ct;
static const struct config_item_type port_ct;
static const struct config_item_type referral_cfs_type;

/* configfs strips nothing: drop one trailing newline from a value */
static size_t nvmet_vlen(const char *page, size_t count)
{
	if (count && page[count - 1] == '\n')
		count--;
	return count;
}

static struct nvmet_subsys *to_subsys(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_subsys, group);
}

static struct nvmet_ns *to_ns(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_ns, group);
}

static struct nvmet_port *to_port(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_port, group);
}

static struct nvmet_host *to_host(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_host, group);
}

/* ---- Namespaces ---- */

static ssize_t ns_cfs_device_path_show(struct config_item *item, char *page)
{
	struct nvmet_ns *ns = to_ns(item);
	ssize_t ret;

	mutex_lock(&ns->subsys->lock);
	ret = sysfs_emit(page, "%s\n", ns->device_path ?: "");
	mutex_unlock(&ns->subsys->lock);
	return ret;
}

static ssize_t ns_cfs_device_path_store(struct config_item *item,
					const char *page, size_t count)
{
	struct nvmet_ns *ns = to_ns(item);
	size_t len = nvmet_vlen(page, count);
	char *path;

	if (!len || len >= PATH_MAX)
		return -EINVAL;
	path = kstrndup(page, len, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		mutex_unlock(&ns->subsys->lock);
		kfree(path);
		return -EBUSY;
	}
	kfree(ns->device_path);
	ns->device_path = path;
	mutex_unlock(&ns->subsys->lock);
	return count;
}
CONFIGFS_ATTR(ns_cfs_, device_path);

static ssize_t ns_cfs_device_uuid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%pUb\n", &to_ns(item)->uuid);
}

static ssize_t ns_cfs_device_uuid_store(struct config_item *item,
					const char *page, size_t count)
{
	struct nvmet_ns *ns = to_ns(item);
	char buf[UUID_STRING_LEN + 1];
	size_t len = nvmet_vlen(page, count);
	uuid_t uuid;

	if (len != UUID_STRING_LEN)
		return -EINVAL;
	memcpy(buf, page, len);
	buf[len] = '\0';
	if (uuid_parse(buf, &uuid))
		return -EINVAL;
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		mutex_unlock(&ns->subsys->lock);
		return -EBUSY;
	}
	uuid_copy(&ns->uuid, &uuid);
	mutex_unlock(&ns->subsys->lock);
	return count;
}
CONFIGFS_ATTR(ns_cfs_, device_uuid);

static ssize_t ns_cfs_device_nguid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%pUb\n", to_ns(item)->nguid);
}

static ssize_t ns_cfs_device_nguid_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct nvmet_ns *ns = to_ns(item);
	char buf[64];
	u8 nguid[16];

	if (count >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, page, count);
	buf[count] = '\0';
	if (nvmet_parse_hex_id(buf, nguid, sizeof(nguid)))
		return -EINVAL;
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		mutex_unlock(&ns->subsys->lock);
		return -EBUSY;
	}
	memcpy(ns->nguid, nguid, sizeof(nguid));
	mutex_unlock(&ns->subsys->lock);
	return count;
}
CONFIGFS_ATTR(ns_cfs_, device_nguid);

static ssize_t ns_cfs_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ns(item)->enabled));
}

static ssize_t ns_cfs_enable_store(struct config_item *item,
				   const char *page, size_t count)
{
	struct nvmet_ns *ns = to_ns(item);
	bool enable;
	int ret;

	if (kstrtobool(page, &enable))
		return -EINVAL;
	if (enable) {
		ret = nvmet_ns_enable(ns);
		if (ret)
			return ret;
	} else {
		nvmet_ns_disable(ns);
	}
	return count;
}
CONFIGFS_ATTR(ns_cfs_, enable);

static ssize_t ns_cfs_buffered_io_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_ns(item)->buffered_io);
}

static ssize_t ns_cfs_buffered_io_store(struct config_item *item,
					const char *page, size_t count)
{
	struct nvmet_ns *ns = to_ns(item);
	bool val;

	if (kstrtobool(page, &val))
		return -EINVAL;
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		mutex_unlock(&ns->subsys->lock);
		pr_err_ratelimited("disable namespace %u before changing buffered_io\n",
				   ns->nsid);
		return -EINVAL;
	}
	ns->buffered_io = val;
	mutex_unlock(&ns->subsys->lock);
	return count;
}
CONFIGFS_ATTR(ns_cfs_, buffered_io);

static ssize_t ns_cfs_ana_grpid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_ns(item)->anagrpid));
}

static ssize_t ns_cfs_ana_grpid_store(struct config_item *item,
				      const char *page, size_t count)
{
	u32 grpid;
	int ret;

	if (kstrtou32(page, 0, &grpid)) {
		pr_err_ratelimited("ana_grpid: not a number\n");
		return -EINVAL;
	}
	ret = nvmet_ns_set_ana_grpid(to_ns(item), grpid);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ns_cfs_, ana_grpid);

static ssize_t ns_cfs_revalidate_size_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct nvmet_ns *ns = to_ns(item);
	struct kstat st;
	bool val;

	if (kstrtobool(page, &val) || !val)
		return -EINVAL;
	mutex_lock(&ns->subsys->lock);
	if (!ns->enabled) {
		mutex_unlock(&ns->subsys->lock);
		return -EINVAL;
	}
	if (ns->bdev) {
		ns->size = bdev_nr_bytes(ns->bdev);
	} else if (!vfs_getattr(&ns->file->f_path, &st, STATX_SIZE,
				AT_STATX_FORCE_SYNC)) {
		ns->size = st.size & ~(((loff_t)1 << ns->blksize_shift) - 1);
	}
	nvmet_ns_changed(ns->subsys, ns->nsid);
	mutex_unlock(&ns->subsys->lock);
	return count;
}
CONFIGFS_ATTR_WO(ns_cfs_, revalidate_size);

static struct configfs_attribute *cfs_ns_attrs[] = {
	&ns_cfs_attr_enable,
	&ns_cfs_attr_device_path,
	&ns_cfs_attr_buffered_io,
	&ns_cfs_attr_device_uuid,
	&ns_cfs_attr_device_nguid,
	&ns_cfs_attr_revalidate_size,
	&ns_cfs_attr_ana_grpid,
	NULL,
};

static void nvmet_ns_release(struct config_item *item)
{
	nvmet_ns_free(to_ns(item));
}

static struct configfs_item_operations ns_iops = {
	.release = nvmet_ns_release,
};

static const struct config_item_type ns_ct = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &ns_iops,
	.ct_attrs = cfs_ns_attrs,
};

static struct config_group *nvmet_ns_make(struct config_group *group,
					  const char *name)
{
	struct nvmet_subsys *subsys = container_of(group, struct nvmet_subsys,
						   namespaces_group);
	struct nvmet_ns *ns;
	u32 nsid;

	if (kstrtou32(name, 0, &nsid) || !nsid || nsid > NVMET_MAX_NAMESPACES) {
		pr_err_ratelimited("invalid namespace id '%s'\n", name);
		return ERR_PTR(-EINVAL);
	}
	ns = nvmet_ns_alloc(subsys, nsid);
	if (!ns)
		return ERR_PTR(-ENOMEM);
	config_group_init_type_name(&ns->group, name, &ns_ct);
	return &ns->group;
}

static void nvmet_ns_drop(struct config_group *group, struct config_item *item)
{
	nvmet_ns_disable(to_ns(item));
	config_item_put(item);
}

static struct configfs_group_operations namespaces_gops = {
	.make_group = nvmet_ns_make,
	.drop_item = nvmet_ns_drop,
};

static const struct config_item_type namespaces_ct = {
	.ct_owner = THIS_MODULE,
	.ct_group_ops = &namespaces_gops,
};

/* ---- allowed_hosts/ ---- */

static int nvmet_allowed_hosts_allow_link(struct config_item *parent,
					  struct config_item *target)
{
	struct nvmet_subsys *subsys = to_subsys(parent->ci_parent);
	struct nvmet_host *host;
	struct nvmet_host_link *l, *p;
	int ret = 0;

	if (target->ci_type != &host_ct) {
		pr_err_ratelimited("allowed_hosts links must point to hosts/\n");
		return -EINVAL;
	}
	host = to_host(target);
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	l->host = host;
	strscpy(l->nqn, nvmet_host_name(host), sizeof(l->nqn));
	down_write(&nvmet_config_sem);
	if (subsys->allow_any_host) {
		pr_err_ratelimited("cannot add hosts to %s while attr_allow_any_host is set\n",
				   subsys->subsysnqn);
		ret = -EINVAL;
		goto out;
	}
	list_for_each_entry(p, &subsys->hosts, entry) {
		if (!strcmp(p->nqn, l->nqn)) {
			ret = -EEXIST;
			goto out;
		}
	}
	list_add_tail(&l->entry, &subsys->hosts);
	nvmet_disc_changed(NULL, subsys);
	l = NULL;
out:
	up_write(&nvmet_config_sem);
	kfree(l);
	return ret;
}

static void nvmet_allowed_hosts_drop_link(struct config_item *parent,
					  struct config_item *target)
{
	struct nvmet_subsys *subsys = to_subsys(parent->ci_parent);
	struct nvmet_host *host = to_host(target);
	struct nvmet_host_link *l;

	down_write(&nvmet_config_sem);
	list_for_each_entry(l, &subsys->hosts, entry) {
		if (l->host == host) {
			list_del(&l->entry);
			kfree(l);
			break;
		}
	}
	nvmet_disc_changed(NULL, NULL);
	up_write(&nvmet_config_sem);
}

static struct configfs_item_operations allowed_hosts_iops = {
	.allow_link = nvmet_allowed_hosts_allow_link,
	.drop_link = nvmet_allowed_hosts_drop_link,
};

static const struct config_item_type allowed_hosts_ct = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &allowed_hosts_iops,
};

/* ---- Subsystems ---- */

static ssize_t subsys_cfs_attr_allow_any_host_show(struct config_item *item,
						   char *page)
{
	return sysfs_emit(page, "%d\n", to_subsys(item)->allow_any_host);
}

static ssize_t subsys_cfs_attr_allow_any_host_store(struct config_item *item,
						    const char *page,
						      size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	bool val;
	int ret = count;

	if (kstrtobool(page, &val))
		return -EINVAL;
	down_write(&nvmet_config_sem);
	if (val && !list_empty(&subsys->hosts)) {
		pr_err_ratelimited("%s has allowed_hosts: cannot allow any host\n",
				   subsys->subsysnqn);
		ret = -EINVAL;
	} else if (subsys->allow_any_host != val) {
		subsys->allow_any_host = val;
		nvmet_disc_changed(NULL, NULL);
	}
	up_write(&nvmet_config_sem);
	return ret;
}
CONFIGFS_ATTR(subsys_cfs_, attr_allow_any_host);

static ssize_t subsys_cfs_attr_version_show(struct config_item *item,
					    char *page)
{
	char buf[24];

	if (nvmet_format_version(buf, sizeof(buf), to_subsys(item)->ver) < 0)
		return -EINVAL;
	return sysfs_emit(page, "%s\n", buf);
}

static ssize_t subsys_cfs_attr_version_store(struct config_item *item,
					     const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	char buf[24];
	u32 ver;

	if (count >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, page, count);
	buf[count] = '\0';
	if (nvmet_parse_version(buf, &ver))
		return -EINVAL;
	mutex_lock(&subsys->lock);
	if (subsys->discovered && subsys->ver != ver) {
		mutex_unlock(&subsys->lock);
		return -EBUSY;
	}
	subsys->ver = ver;
	mutex_unlock(&subsys->lock);
	return count;
}
CONFIGFS_ATTR(subsys_cfs_, attr_version);

/*
 * Serial and model number: fixed once a host has seen them (Identify),
 * checked by @valid against the length and characters Identify allows.
 */
static ssize_t subsys_store_id_string(struct config_item *item, char *dst,
				      int (*valid)(const char *s, size_t len),
				      const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	size_t len = nvmet_vlen(page, count);

	if (valid(page, len))
		return -EINVAL;
	mutex_lock(&subsys->lock);
	if (subsys->discovered) {
		mutex_unlock(&subsys->lock);
		return -EBUSY;
	}
	memcpy(dst, page, len);
	dst[len] = '\0';
	mutex_unlock(&subsys->lock);
	return count;
}

static ssize_t subsys_cfs_attr_serial_show(struct config_item *item,
					   char *page)
{
	return sysfs_emit(page, "%s\n", to_subsys(item)->serial);
}

static ssize_t subsys_cfs_attr_serial_store(struct config_item *item,
					    const char *page, size_t count)
{
	return subsys_store_id_string(item, to_subsys(item)->serial,
				      nvmet_serial_valid, page, count);
}
CONFIGFS_ATTR(subsys_cfs_, attr_serial);

static ssize_t subsys_cfs_attr_model_show(struct config_item *item,
					  char *page)
{
	return sysfs_emit(page, "%s\n", to_subsys(item)->model);
}

static ssize_t subsys_cfs_attr_model_store(struct config_item *item,
					   const char *page, size_t count)
{
	return subsys_store_id_string(item, to_subsys(item)->model,
				      nvmet_model_valid, page, count);
}
CONFIGFS_ATTR(subsys_cfs_, attr_model);

/* one end of the controller ID range; the range must stay valid */
static ssize_t subsys_store_cntlid(struct config_item *item, bool max,
				   const char *page, size_t cnt)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	u16 val, lo, hi;

	if (kstrtou16(page, 0, &val))
		return -EINVAL;
	mutex_lock(&subsys->lock);
	lo = max ? subsys->cntlid_min : val;
	hi = max ? val : subsys->cntlid_max;
	if (nvmet_cntlid_range_check(lo, hi)) {
		mutex_unlock(&subsys->lock);
		return -EINVAL;
	}
	subsys->cntlid_min = lo;
	subsys->cntlid_max = hi;
	mutex_unlock(&subsys->lock);
	return cnt;
}

static ssize_t subsys_cfs_attr_cntlid_min_show(struct config_item *item,
					       char *page)
{
	return sysfs_emit(page, "%u\n", to_subsys(item)->cntlid_min);
}

static ssize_t subsys_cfs_attr_cntlid_min_store(struct config_item *item,
						const char *page, size_t cnt)
{
	return subsys_store_cntlid(item, false, page, cnt);
}
CONFIGFS_ATTR(subsys_cfs_, attr_cntlid_min);

static ssize_t subsys_cfs_attr_cntlid_max_show(struct config_item *item,
					       char *page)
{
	return sysfs_emit(page, "%u\n", to_subsys(item)->cntlid_max);
}

static ssize_t subsys_cfs_attr_cntlid_max_store(struct config_item *item,
						const char *page, size_t cnt)
{
	return subsys_store_cntlid(item, true, page, cnt);
}
CONFIGFS_ATTR(subsys_cfs_, attr_cntlid_max);

static ssize_t subsys_cfs_attr_qid_max_show(struct config_item *item,
					    char *page)
{
	return sysfs_emit(page, "%u\n", to_subsys(item)->max_qid);
}

static ssize_t subsys_cfs_attr_qid_max_store(struct config_item *item,
					     const char *page, size_t cnt)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	u16 val;

	if (kstrtou16(page, 0, &val) || !val || val > NVMET_NR_QUEUES_MAX)
		return -EINVAL;
	mutex_lock(&subsys->lock);
	subsys->max_qid = val;
	mutex_unlock(&subsys->lock);
	return cnt;
}
CONFIGFS_ATTR(subsys_cfs_, attr_qid_max);

static ssize_t subsys_cfs_attr_pi_enable_show(struct config_item *item,
					      char *page)
{
	return sysfs_emit(page, "0\n");
}

static ssize_t subsys_cfs_attr_pi_enable_store(struct config_item *item,
					       const char *page, size_t cnt)
{
	bool val;

	/* protection information is not supported */
	if (kstrtobool(page, &val) || val)
		return -EINVAL;
	return cnt;
}
CONFIGFS_ATTR(subsys_cfs_, attr_pi_enable);

static struct configfs_attribute *cfs_subsys_attrs[] = {
	&subsys_cfs_attr_attr_serial,
	&subsys_cfs_attr_attr_model,
	&subsys_cfs_attr_attr_version,
	&subsys_cfs_attr_attr_allow_any_host,
	&subsys_cfs_attr_attr_qid_max,
	&subsys_cfs_attr_attr_pi_enable,
	&subsys_cfs_attr_attr_cntlid_max,
	&subsys_cfs_attr_attr_cntlid_min,
	NULL,
};

static void nvmet_subsys_release(struct config_item *item)
{
	struct nvmet_subsys *subsys = to_subsys(item);

	nvmet_subsys_del_ctrls(subsys);
	nvmet_subsys_put(subsys);
}

static struct configfs_item_operations subsys_iops = {
	.release = nvmet_subsys_release,
};

static const struct config_item_type subsys_ct = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &subsys_iops,
	.ct_attrs = cfs_subsys_attrs,
};

static struct config_group *nvmet_subsys_make(struct config_group *group,
					      const char *name)
{
	struct nvmet_subsys *subsys;

	if (!nvmet_name_valid(name, strlen(name)) ||
	    !strcmp(name, NVMF_DISC_NQN)) {
		pr_err_ratelimited("invalid subsystem NQN '%s'\n", name);
		return ERR_PTR(-EINVAL);
	}
	subsys = nvmet_subsys_alloc(name, NVMF_SUBTYPE_NVME);
	if (!subsys)
		return ERR_PTR(-ENOMEM);
	config_group_init_type_name(&subsys->group, name, &subsys_ct);
	config_group_init_type_name(&subsys->namespaces_group, "namespaces",
				    &namespaces_ct);
	configfs_add_default_group(&subsys->namespaces_group, &subsys->group);
	config_group_init_type_name(&subsys->allowed_hosts_group,
				    "allowed_hosts", &allowed_hosts_ct);
	configfs_add_default_group(&subsys->allowed_hosts_group,
				   &subsys->group);
	return &subsys->group;
}

static void nvmet_subsys_drop(struct config_group *group,
			      struct config_item *item)
{
	nvmet_subsys_del_ctrls(to_subsys(item));
	config_item_put(item);
}

static struct configfs_group_operations subsystems_gops = {
	.make_group = nvmet_subsys_make,
	.drop_item = nvmet_subsys_drop,
};

static const struct config_item_type subsystems_ct = {
	.ct_owner = THIS_MODULE,
	.ct_group_ops = &subsystems_gops,
};

/* ---- Ports and referrals (same attributes) ---- */

/* Attribute writes need the port (or referral) disabled. */
static int nvmet_port_lock_disabled(struct nvmet_port *port)
{
	down_write(&nvmet_config_sem);
	if (port->enabled) {
		up_write(&nvmet_config_sem);
		pr_err_ratelimited("disable port %u before changing its address\n",
				   port->portid);
		return -EACCES;
	}
	return 0;
}

static ssize_t port_cfs_addr_trtype_show(struct config_item *item, char *page)
{
	const char *n = nvmet_trtype_name(to_port(item)->trtype);

	return sysfs_emit(page, "%s\n", n ?: "");
}

static ssize_t port_cfs_addr_trtype_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct nvmet_port *port = to_port(item);
	int ret;
	u8 val;

	if (nvmet_trtype_parse(page, &val)) {
		pr_err_ratelimited("invalid addr_trtype\n");
		return -EINVAL;
	}
	ret = nvmet_port_lock_disabled(port);
	if (ret)
		return ret;
	port->trtype = val;
	memset(port->tsas, 0, sizeof(port->tsas));
	if (val == NVMF_TRTYPE_RDMA) {
		struct nvmf_tsas_rdma *r = (struct nvmf_tsas_rdma *)port->tsas;

		r->qptype = 1;	/* reliable connected */
		r->prtype = 0;	/* no provider type specified */
		r->cms = 1;	/* RDMA CM */
	}
	up_write(&nvmet_config_sem);
	return count;
}

static ssize_t port_cfs_addr_adrfam_show(struct config_item *item, char *page)
{
	const char *n = nvmet_adrfam_name(to_port(item)->adrfam);

	return sysfs_emit(page, "%s\n", n ?: "");
}

static ssize_t port_cfs_addr_adrfam_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct nvmet_port *port = to_port(item);
	int ret;
	u8 val;

	if (nvmet_adrfam_parse(page, &val)) {
		pr_err_ratelimited("invalid addr_adrfam\n");
		return -EINVAL;
	}
	ret = nvmet_port_lock_disabled(port);
	if (ret)
		return ret;
	port->adrfam = val;
	up_write(&nvmet_config_sem);
	return count;
}

static ssize_t port_cfs_addr_treq_show(struct config_item *item, char *page)
{
	const char *n = nvmet_treq_name(to_port(item)->treq);

	return sysfs_emit(page, "%s\n", n ?: "");
}

static ssize_t port_cfs_addr_treq_store(struct config_item *item,
					const char *page, size_t count)
{
	struct nvmet_port *port = to_port(item);
	int ret;
	u8 val;

	if (nvmet_treq_parse(page, &val)) {
		pr_err_ratelimited("invalid addr_treq\n");
		return -EINVAL;
	}
	ret = nvmet_port_lock_disabled(port);
	if (ret)
		return ret;
	port->treq = (port->treq & ~NVMF_TREQ_SECURE_MASK) | val;
	up_write(&nvmet_config_sem);
	return count;
}

static ssize_t port_cfs_addr_str_store(struct nvmet_port *port, char *dst,
				       size_t dlen, const char *page, size_t count)
{
	size_t len = nvmet_vlen(page, count);
	size_t i;
	int ret;

	if (!len || len >= dlen)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isgraph(page[i]))
			return -EINVAL;
	ret = nvmet_port_lock_disabled(port);
	if (ret)
		return ret;
	memset(dst, 0, dlen);
	memcpy(dst, page, len);
	up_write(&nvmet_config_sem);
	return count;
}

static ssize_t port_cfs_addr_traddr_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", to_port(item)->traddr);
}

static ssize_t port_cfs_addr_traddr_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct nvmet_port *port = to_port(item);

	return port_cfs_addr_str_store(port, port->traddr, sizeof(port->traddr),
				    page, count);
}

static ssize_t port_cfs_addr_trsvcid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", to_port(item)->trsvcid);
}

static ssize_t port_cfs_addr_trsvcid_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct nvmet_port *port = to_port(item);

	return port_cfs_addr_str_store(port, port->trsvcid, sizeof(port->trsvcid),
				    page, count);
}

CONFIGFS_ATTR(port_cfs_, addr_trtype);
CONFIGFS_ATTR(port_cfs_, addr_adrfam);
CONFIGFS_ATTR(port_cfs_, addr_treq);
CONFIGFS_ATTR(port_cfs_, addr_traddr);
CONFIGFS_ATTR(port_cfs_, addr_trsvcid);

static ssize_t port_cfs_param_inline_data_size_show(struct config_item *item,
						    char *page)
{
	return sysfs_emit(page, "%d\n", to_port(item)->inline_data_size);
}

static ssize_t port_cfs_param_inline_data_size_store(struct config_item *item,
						     const char *page, size_t cnt)
{
	struct nvmet_port *port = to_port(item);
	int val, ret;

	if (kstrtoint(page, 0, &val) || val < -1 || val > NVMET_MAX_INLINE)
		return -EINVAL;
	ret = nvmet_port_lock_disabled(port);
	if (ret)
		return ret;
	port->inline_data_size = val;
	up_write(&nvmet_config_sem);
	return cnt;
}
CONFIGFS_ATTR(port_cfs_, param_inline_data_size);

static ssize_t port_cfs_param_pi_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "0\n");
}

static ssize_t port_cfs_param_pi_enable_store(struct config_item *item,
					      const char *page, size_t cnt)
{
	bool val;

	if (kstrtobool(page, &val) || val)
		return -EINVAL;
	return cnt;
}
CONFIGFS_ATTR(port_cfs_, param_pi_enable);

static struct configfs_attribute *cfs_port_attrs[] = {
	&port_cfs_attr_addr_trtype,
	&port_cfs_attr_addr_adrfam,
	&port_cfs_attr_addr_traddr,
	&port_cfs_attr_addr_trsvcid,
	&port_cfs_attr_addr_treq,
	&port_cfs_attr_param_pi_enable,
	&port_cfs_attr_param_inline_data_size,
	NULL,
};

/* ports/<id>/subsystems/ links */
static int nvmet_port_subsys_allow_link(struct config_item *parent,
					struct config_item *target)
{
	struct nvmet_port *port = to_port(parent->ci_parent);
	struct nvmet_subsys_link *l, *p;
	struct nvmet_subsys *subsys;
	int ret = 0;

	if (target->ci_type != &subsys_ct) {
		pr_err_ratelimited("port links must point to subsystems/\n");
		return -EINVAL;
	}
	subsys = to_subsys(target);
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	down_write(&nvmet_config_sem);
	list_for_each_entry(p, &port->subsystems, entry) {
		if (p->subsys == subsys) {
			ret = -EEXIST;
			goto out_free;
		}
	}
	if (list_empty(&port->subsystems)) {
		ret = nvmet_enable_port(port);
		if (ret)
			goto out_free;
	}
	kref_get(&subsys->ref);
	l->subsys = subsys;
	list_add_tail(&l->entry, &port->subsystems);
	subsys->nr_ports++;
	nvmet_disc_changed(port, subsys);
	up_write(&nvmet_config_sem);
	return 0;
out_free:
	up_write(&nvmet_config_sem);
	kfree(l);
	return ret;
}

static void nvmet_port_subsys_drop_link(struct config_item *parent,
					struct config_item *target)
{
	struct nvmet_port *port = to_port(parent->ci_parent);
	struct nvmet_subsys *subsys = to_subsys(target);
	struct nvmet_subsys_link *l, *found = NULL;

	down_write(&nvmet_config_sem);
	list_for_each_entry(l, &port->subsystems, entry) {
		if (l->subsys == subsys) {
			found = l;
			break;
		}
	}
	if (!found) {
		up_write(&nvmet_config_sem);
		return;
	}
	list_del(&found->entry);
	subsys->nr_ports--;
	nvmet_port_del_ctrls(port, subsys);
	nvmet_disc_changed(port, subsys);
	if (list_empty(&port->subsystems))
		nvmet_disable_port(port);
	up_write(&nvmet_config_sem);
	nvmet_subsys_put(subsys);
	kfree(found);
}

static struct configfs_item_operations port_subsys_iops = {
	.allow_link = nvmet_port_subsys_allow_link,
	.drop_link = nvmet_port_subsys_drop_link,
};

static const struct config_item_type port_subsys_ct = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &port_subsys_iops,
};

/* referrals */
static ssize_t referral_cfs_addr_portid_show(struct config_item *item,
					     char *page)
{
	return sysfs_emit(page, "%u\n", to_port(item)->portid);
}

static ssize_t referral_cfs_addr_portid_store(struct config_item *item,
					      const char *page, size_t count)
{
	struct nvmet_port *port = to_port(item);
	u16 val;
	int ret;

	if (kstrtou16(page, 0, &val))
		return -EINVAL;
	ret = nvmet_port_lock_disabled(port);
	if (ret)
		return ret;
	port->portid = val;
	up_write(&nvmet_config_sem);
	return count;
}
CONFIGFS_ATTR(referral_cfs_, addr_portid);

static ssize_t referral_cfs_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_port(item)->enabled);
}

static void referral_cfs_disable(struct nvmet_port *r)
{
	if (!r->enabled)
		return;
	r->enabled = false;
	list_del_init(&r->entry);
	nvmet_disc_changed(r->parent, NULL);
}

static ssize_t referral_cfs_enable_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct nvmet_port *r = to_port(item);
	bool enable;

	if (kstrtobool(page, &enable))
		return -EINVAL;
	down_write(&nvmet_config_sem);
	if (enable && !r->enabled) {
		if (!r->trtype || !r->adrfam) {
			up_write(&nvmet_config_sem);
			pr_err_ratelimited("referral needs addr_trtype and addr_adrfam\n");
			return -EINVAL;
		}
		r->enabled = true;
		list_add_tail(&r->entry, &r->parent->referrals);
		nvmet_disc_changed(r->parent, NULL);
	} else if (!enable) {
		referral_cfs_disable(r);
	}
	up_write(&nvmet_config_sem);
	return count;
}
CONFIGFS_ATTR(referral_cfs_, enable);

static struct configfs_attribute *referral_cfs_attrs[] = {
	&referral_cfs_attr_enable,
	&port_cfs_attr_addr_trtype,
	&port_cfs_attr_addr_adrfam,
	&port_cfs_attr_addr_traddr,
	&port_cfs_attr_addr_trsvcid,
	&port_cfs_attr_addr_treq,
	&referral_cfs_attr_addr_portid,
	NULL,
};

static void nvmet_port_release(struct config_item *item)
{
	kfree(to_port(item));
}

static struct configfs_item_operations referral_cfs_item_ops = {
	.release = nvmet_port_release,
};

static const struct config_item_type referral_cfs_type = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &referral_cfs_item_ops,
	.ct_attrs = referral_cfs_attrs,
};

static struct nvmet_port *nvmet_port_alloc(void)
{
	struct nvmet_port *port = kzalloc(sizeof(*port), GFP_KERNEL);

	if (!port)
		return NULL;
	INIT_LIST_HEAD(&port->entry);
	INIT_LIST_HEAD(&port->subsystems);
	INIT_LIST_HEAD(&port->referrals);
	port->inline_data_size = -1;
	return port;
}

static struct config_group *referral_cfs_make(struct config_group *group,
					      const char *name)
{
	struct nvmet_port *parent = container_of(group, struct nvmet_port,
						 referrals_group);
	struct nvmet_port *r = nvmet_port_alloc();

	if (!r)
		return ERR_PTR(-ENOMEM);
	r->is_referral = true;
	r->parent = parent;
	config_group_init_type_name(&r->group, name, &referral_cfs_type);
	return &r->group;
}

static void referral_cfs_drop(struct config_group *group,
			      struct config_item *item)
{
	down_write(&nvmet_config_sem);
	referral_cfs_disable(to_port(item));
	up_write(&nvmet_config_sem);
	config_item_put(item);
}

static struct configfs_group_operations referrals_gops = {
	.make_group = referral_cfs_make,
	.drop_item = referral_cfs_drop,
};

static const struct config_item_type referrals_ct = {
	.ct_owner = THIS_MODULE,
	.ct_group_ops = &referrals_gops,
};

static void nvmet_real_port_release(struct config_item *item)
{
	struct nvmet_port *port = to_port(item);

	kfree(port);
}

static struct configfs_item_operations port_iops = {
	.release = nvmet_real_port_release,
};

static const struct config_item_type port_ct = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &port_iops,
	.ct_attrs = cfs_port_attrs,
};

static struct config_group *nvmet_port_make(struct config_group *group,
					    const char *name)
{
	struct nvmet_port *port;
	u16 portid;

	if (kstrtou16(name, 0, &portid)) {
		pr_err_ratelimited("port id '%s' is not a 16 bit number\n", name);
		return ERR_PTR(-EINVAL);
	}
	port = nvmet_port_alloc();
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->portid = portid;
	down_write(&nvmet_config_sem);
	list_add_tail(&port->entry, &nvmet_ports);
	up_write(&nvmet_config_sem);

	config_group_init_type_name(&port->group, name, &port_ct);
	config_group_init_type_name(&port->subsys_group, "subsystems",
				    &port_subsys_ct);
	configfs_add_default_group(&port->subsys_group, &port->group);
	config_group_init_type_name(&port->referrals_group, "referrals",
				    &referrals_ct);
	configfs_add_default_group(&port->referrals_group, &port->group);
	nvmet_port_ana_init(port);
	return &port->group;
}

static void nvmet_port_drop(struct config_group *group,
			    struct config_item *item)
{
	struct nvmet_port *port = to_port(item);

	down_write(&nvmet_config_sem);
	nvmet_disable_port(port);
	list_del_init(&port->entry);
	up_write(&nvmet_config_sem);
	/* controllers (and their discovery log reads) still point at it */
	nvmet_port_wait_ctrls(port);
	config_item_put(item);
}

static struct configfs_group_operations ports_gops = {
	.make_group = nvmet_port_make,
	.drop_item = nvmet_port_drop,
};

static const struct config_item_type ports_ct = {
	.ct_owner = THIS_MODULE,
	.ct_group_ops = &ports_gops,
};

/* ---- Hosts ---- */

static void nvmet_host_release(struct config_item *item)
{
	kfree(to_host(item));
}

static struct configfs_item_operations host_iops = {
	.release = nvmet_host_release,
};

static const struct config_item_type host_ct = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &host_iops,
};

static struct config_group *nvmet_host_make(struct config_group *group,
					    const char *name)
{
	struct nvmet_host *host;

	if (!nvmet_name_valid(name, strlen(name))) {
		pr_err_ratelimited("invalid host NQN '%s'\n", name);
		return ERR_PTR(-EINVAL);
	}
	host = kzalloc(sizeof(*host), GFP_KERNEL);
	if (!host)
		return ERR_PTR(-ENOMEM);
	config_group_init_type_name(&host->group, name, &host_ct);
	return &host->group;
}

static struct configfs_group_operations hosts_gops = {
	.make_group = nvmet_host_make,
};

static const struct config_item_type hosts_ct = {
	.ct_owner = THIS_MODULE,
	.ct_group_ops = &hosts_gops,
};

/* ---- Root ---- */

/*
 * /sys/kernel/config/nvmet itself: three fixed directories, filled in at
 * module load (the subsystem object must be static for configfs).
 */
static const struct config_item_type root_ct = {
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem nvmet_cfs_root;
static struct config_group cfs_top[3];

int __init nvmet_init_configfs(void)
{
	static const char * const names[] = { "subsystems", "ports", "hosts" };
	static const struct config_item_type * const types[] = {
		&subsystems_ct, &ports_ct, &hosts_ct,
	};
	struct config_group *root = &nvmet_cfs_root.su_group;
	unsigned int i;
	int ret;

	config_group_init_type_name(root, "nvmet", &root_ct);
	mutex_init(&nvmet_cfs_root.su_mutex);
	for (i = 0; i < ARRAY_SIZE(cfs_top); i++) {
		config_group_init_type_name(&cfs_top[i], names[i], types[i]);
		configfs_add_default_group(&cfs_top[i], root);
	}
	ret = configfs_register_subsystem(&nvmet_cfs_root);
	if (ret)
		pr_err("cannot register the configfs tree: %d\n", ret);
	return ret;
}

void __exit nvmet_exit_configfs(void)
{
	configfs_unregister_subsystem(&nvmet_cfs_root);
}
