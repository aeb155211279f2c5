// SPDX-License-Identifier: GPL-2.0
/*
 * Asymmetric Namespace Access (ANA) on the target.
 *
 * Each namespace sits in one ANA group (namespaces/<nsid>/ana_grpid, 1 by
 * default).  Each port states how each group is reached through it: group
 * 1 always exists and starts optimized; `mkdir ports/<id>/ana_groups/<n>`
 * adds group n, inaccessible until its ana_state is written (as on
 * Linux's target); a group a port has no directory for is inaccessible
 * through that port.  The state decides:
 *  - what an I/O command to a namespace of the group gets on a controller
 *    created through that port (success, or a path status without DNR so
 *    that the host retries on another path);
 *  - the group's descriptor in the ANA log page (LID 0Ch) of that
 *    controller;
 * and every change sends the ANA change notice to the controllers it
 * concerns.
 *
 * nvmet_ana_sem guards the ports' @ana_state and @ana_present, the
 * per-group count of ports that have it, the change count and
 * ns->anagrpid; it nests outside
 * nvmet_config_sem and subsys->lock.  The I/O path reads a state byte
 * without it: a command racing with a change sees the old or the new
 * state, either of which the host must be ready for.
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/slab.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include "nvmet.h"

static DECLARE_RWSEM(nvmet_ana_sem);
/* ports with a directory for each group id (group 1 always exists) */
static unsigned int nvmet_ana_users[NVMET_MAX_ANAGRPS + 1];
/* bumped on every change a host can see in the log page */
static u64 nvmet_ana_chgcnt;

static bool nvmet_ana_grp_on_a_port(u32 grpid)
{
	return grpid == NVMET_DEFAULT_ANAGRP || nvmet_ana_users[grpid];
}

/* the ANA change notice to @subsys's controllers (of @port, if given) */
static void nvmet_ana_notify_subsys(struct nvmet_subsys *subsys,
				    struct nvmet_port *port)
{
	struct nvmet_ctrl *ctrl;

	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry)
		if (!port || ctrl->port == port)
			nvmet_send_notice(ctrl, NVME_AEC_ANA_CHANGE,
					  NVME_AER_NOTICE_ANA, NVME_LOG_ANA);
	mutex_unlock(&subsys->lock);
}

static void nvmet_ana_notify_port(struct nvmet_port *port)
{
	struct nvmet_subsys_link *l;

	down_read(&nvmet_config_sem);
	list_for_each_entry(l, &port->subsystems, entry)
		nvmet_ana_notify_subsys(l->subsys, port);
	up_read(&nvmet_config_sem);
}

/* ---- configfs: ports/<id>/ana_groups/<grpid>/ana_state ---- */

static struct nvmet_ana_group *to_ana_group(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_ana_group,
			    group);
}

static ssize_t ana_group_ana_state_show(struct config_item *item, char *page)
{
	struct nvmet_ana_group *grp = to_ana_group(item);
	const char *name;

	down_read(&nvmet_ana_sem);
	name = nvmet_ana_state_name(grp->port->ana_state[grp->grpid]);
	up_read(&nvmet_ana_sem);
	return sysfs_emit(page, "%s\n", name ? name : "unknown");
}

static ssize_t ana_group_ana_state_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct nvmet_ana_group *grp = to_ana_group(item);
	u8 state;

	if (nvmet_ana_state_parse(page, &state)) {
		pr_err_ratelimited("ana_state: one of optimized, non-optimized, inaccessible, persistent-loss, change\n");
		return -EINVAL;
	}
	down_write(&nvmet_ana_sem);
	WRITE_ONCE(grp->port->ana_state[grp->grpid], state);
	nvmet_ana_chgcnt++;
	up_write(&nvmet_ana_sem);
	nvmet_ana_notify_port(grp->port);
	return count;
}
CONFIGFS_ATTR(ana_group_, ana_state);

static struct configfs_attribute *ana_group_attrs[] = {
	&ana_group_attr_ana_state,
	NULL,
};

static void ana_group_release(struct config_item *item)
{
	struct nvmet_ana_group *grp = to_ana_group(item);

	if (grp != &grp->port->ana_default)
		kfree(grp);
}

static struct configfs_item_operations ana_group_iops = {
	.release = ana_group_release,
};

static const struct config_item_type ana_group_ct = {
	.ct_owner = THIS_MODULE,
	.ct_item_ops = &ana_group_iops,
	.ct_attrs = ana_group_attrs,
};

static struct config_group *ana_groups_make(struct config_group *group,
					    const char *name)
{
	struct nvmet_port *port = container_of(group, struct nvmet_port,
					       ana_group);
	struct nvmet_ana_group *grp;
	u32 grpid;

	if (kstrtou32(name, 0, &grpid) || grpid < 1 ||
	    grpid > NVMET_MAX_ANAGRPS) {
		pr_err_ratelimited("ANA group '%s': not a number from 1 to %u\n",
				   name, NVMET_MAX_ANAGRPS);
		return ERR_PTR(-EINVAL);
	}
	grp = kzalloc(sizeof(*grp), GFP_KERNEL);
	if (!grp)
		return ERR_PTR(-ENOMEM);
	grp->port = port;
	grp->grpid = grpid;

	down_write(&nvmet_ana_sem);
	if (test_bit(grpid, port->ana_present)) {	/* "2" and "02" */
		up_write(&nvmet_ana_sem);
		kfree(grp);
		return ERR_PTR(-EEXIST);
	}
	__set_bit(grpid, port->ana_present);
	nvmet_ana_users[grpid]++;
	/* the state stays what drop (or init) left: inaccessible */
	nvmet_ana_chgcnt++;
	up_write(&nvmet_ana_sem);

	config_group_init_type_name(&grp->group, name, &ana_group_ct);
	nvmet_ana_notify_port(port);
	return &grp->group;
}

static void ana_groups_drop(struct config_group *group,
			    struct config_item *item)
{
	struct nvmet_ana_group *grp = to_ana_group(item);
	struct nvmet_port *port = grp->port;

	down_write(&nvmet_ana_sem);
	__clear_bit(grp->grpid, port->ana_present);
	nvmet_ana_users[grp->grpid]--;
	WRITE_ONCE(port->ana_state[grp->grpid], NVME_ANA_INACCESSIBLE);
	nvmet_ana_chgcnt++;
	up_write(&nvmet_ana_sem);
	nvmet_ana_notify_port(port);
	config_item_put(item);
}

static struct configfs_group_operations ana_groups_gops = {
	.make_group = ana_groups_make,
	.drop_item = ana_groups_drop,
};

static const struct config_item_type ana_groups_ct = {
	.ct_owner = THIS_MODULE,
	.ct_group_ops = &ana_groups_gops,
};

/* A new port: group 1 optimized, every other inaccessible; configfs dirs. */
void nvmet_port_ana_init(struct nvmet_port *port)
{
	u32 i;

	for (i = 1; i <= NVMET_MAX_ANAGRPS; i++)
		port->ana_state[i] = NVME_ANA_INACCESSIBLE;
	port->ana_state[NVMET_DEFAULT_ANAGRP] = NVME_ANA_OPTIMIZED;
	__set_bit(NVMET_DEFAULT_ANAGRP, port->ana_present);
	port->ana_default.port = port;
	port->ana_default.grpid = NVMET_DEFAULT_ANAGRP;

	config_group_init_type_name(&port->ana_group, "ana_groups",
				    &ana_groups_ct);
	configfs_add_default_group(&port->ana_group, &port->group);
	config_group_init_type_name(&port->ana_default.group, "1",
				    &ana_group_ct);
	configfs_add_default_group(&port->ana_default.group, &port->ana_group);
}

/*
 * namespaces/<nsid>/ana_grpid: any group id, as on Linux's target, so that
 * a script may place namespaces before it makes the ports' groups; until
 * some port has the group the namespace is inaccessible everywhere.
 */
int nvmet_ns_set_ana_grpid(struct nvmet_ns *ns, u32 grpid)
{
	if (grpid < 1 || grpid > NVMET_MAX_ANAGRPS) {
		pr_err_ratelimited("ana_grpid %u: not from 1 to %u\n", grpid,
				   NVMET_MAX_ANAGRPS);
		return -EINVAL;
	}
	down_write(&nvmet_ana_sem);
	if (ns->anagrpid == grpid) {
		up_write(&nvmet_ana_sem);
		return 0;
	}
	WRITE_ONCE(ns->anagrpid, grpid);
	nvmet_ana_chgcnt++;
	up_write(&nvmet_ana_sem);
	nvmet_ana_notify_subsys(ns->subsys, NULL);
	return 0;
}

/* ---- the ANA log page ---- */

#define NVMET_ANA_LOG_MAX						\
	(sizeof(struct nvme_ana_log_hdr) +				\
	 NVMET_MAX_ANAGRPS * sizeof(struct nvme_ana_group_desc) +	\
	 NVMET_MAX_NAMESPACES * sizeof(__le32))

/*
 * The ANA log page as @req's controller sees it: every group that exists
 * on some port or holds an enabled namespace of the subsystem, in id
 * order, with this controller's port's state and (unless @rgo) the
 * subsystem's enabled namespaces in it.  Returns a
 * kvmalloc'ed page and its length in @len, or NULL.
 */
void *nvmet_ana_log_build(struct nvmet_req *req, bool rgo, size_t *len)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvmet_subsys *subsys = ctrl->subsys;
	size_t cap = NVMET_ANA_LOG_MAX;
	DECLARE_BITMAP(used, NVMET_MAX_ANAGRPS + 1);
	struct nvmet_ns *ns;
	unsigned long idx;
	u32 *nsids, n, grpid;
	void *log;

	BUILD_BUG_ON(NVMET_ANA_LOG_MAX > 64 * 1024);
	log = kvzalloc(cap, GFP_KERNEL);
	nsids = kvmalloc_array(NVMET_MAX_NAMESPACES, sizeof(*nsids),
			       GFP_KERNEL);
	if (!log || !nsids) {
		kvfree(log);
		kvfree(nsids);
		return NULL;
	}

	down_read(&nvmet_ana_sem);
	bitmap_zero(used, NVMET_MAX_ANAGRPS + 1);
	mutex_lock(&subsys->lock);
	xa_for_each(&subsys->namespaces, idx, ns)
		if (ns->enabled)
			__set_bit(ns->anagrpid, used);
	mutex_unlock(&subsys->lock);
	nvmet_ana_log_init(log, nvmet_ana_chgcnt);
	*len = sizeof(struct nvme_ana_log_hdr);
	for (grpid = 1; grpid <= NVMET_MAX_ANAGRPS; grpid++) {
		u8 state = NVME_ANA_OPTIMIZED;	/* no port: not through one */

		if (!nvmet_ana_grp_on_a_port(grpid) && !test_bit(grpid, used))
			continue;
		if (ctrl->port)
			state = ctrl->port->ana_state[grpid];
		n = 0;
		if (!rgo) {
			mutex_lock(&subsys->lock);
			xa_for_each(&subsys->namespaces, idx, ns)
				if (ns->enabled && ns->anagrpid == grpid &&
				    n < NVMET_MAX_NAMESPACES)
					nsids[n++] = ns->nsid;
			mutex_unlock(&subsys->lock);
		}
		/* fits by construction: at most every group and namespace */
		*len = nvmet_ana_log_add(log, *len, cap, grpid, state,
					 nvmet_ana_chgcnt, nsids, n);
		if (WARN_ON_ONCE(!*len))
			break;
	}
	up_read(&nvmet_ana_sem);
	kvfree(nsids);
	if (!*len) {
		kvfree(log);
		return NULL;
	}
	return log;
}
