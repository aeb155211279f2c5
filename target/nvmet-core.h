/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet internals shared by the files of target/ (not by transports).
 *
 * Locking, outermost first:
 *  nvmet_config_sem (rw)   ports, their subsystem links and referrals, the
 *                          hosts allowed into each subsystem, port enable.
 *                          Connect's access check and discovery log
 *                          building take it for reading.
 *  subsys->lock (mutex)    namespaces of one subsystem, its controllers,
 *                          its attributes.
 *  ctrl->lock (mutex)      CC/CSTS, AER state, changed namespace list.
 *
 * nvmet_ana_sem (target/ana.c) nests outside nvmet_config_sem.
 */
#ifndef NVMET_OOT_CORE_H
#define NVMET_OOT_CORE_H

#include <linux/rwsem.h>
#include <linux/idr.h>
#include "nvmet_plain.h"

#define NVMET_PAGE_SIZE		4096u	/* CAP.MPSMIN: MDTS unit */
#define NVMET_MDTS_DEFAULT	8	/* 1 MiB unless the transport says */
#define NVMET_NR_QUEUES_MAX	NVMET_NR_QUEUES	/* attr_qid_max limit */
#define NVMET_DEFAULT_VS	0x10300	/* NVMe 1.3 */
#define NVMET_DEFAULT_ANAGRP	1	/* every port has it, every ns starts in it */

/**
 * struct nvmet_ns - one namespace
 * @subsys: owner
 * @nsid: namespace id
 * @ref: one per request using the namespace while enabled
 * @disable_done: @ref reached zero after being killed
 * @state_lock: serialises enabling and disabling (held across the drain)
 * @device_path: backing block device or file
 * @uuid: device_uuid
 * @nguid: device_nguid
 * @eui64: derived from @nguid (shown when @nguid is set)
 * @buffered_io: file backend through the page cache
 * @enabled: serving I/O, or draining it with the backend still open
 * @bdev: block device backend
 * @file: file backend
 * @size: bytes
 * @blksize_shift: logical block size as a power of two
 * @anagrpid: ANA group (target/ana.c)
 * @group: configfs namespaces/<nsid>/
 */
struct nvmet_ns {
	struct nvmet_subsys *subsys;
	u32 nsid;
	struct percpu_ref ref;
	struct completion disable_done;
	struct mutex state_lock;	/* enable/disable, across the drain */
	char *device_path;
	uuid_t uuid;
	u8 nguid[16];
	bool buffered_io;
	bool enabled;
	struct block_device *bdev;
	struct file *file;
	loff_t size;
	u8 blksize_shift;
	u32 anagrpid;
	struct config_group group;
};

/**
 * struct nvmet_subsys - one NVM subsystem or the discovery subsystem
 * @subsysnqn: NQN
 * @type: %NVMF_SUBTYPE_NVME or %NVMF_SUBTYPE_DISCOVERY
 * @ref: configfs and every controller hold one
 * @lock: see the top of this file
 * @namespaces: nsid -> &struct nvmet_ns (enabled or not)
 * @nr_namespaces: enabled namespaces
 * @max_nsid: highest enabled nsid
 * @ctrls: controllers, &struct nvmet_ctrl.subsys_entry
 * @hosts: &struct nvmet_host_link (nvmet_config_sem)
 * @allow_any_host: attr_allow_any_host
 * @serial: attr_serial, NUL terminated
 * @model: attr_model, NUL terminated
 * @ver: attr_version (NVMe version encoding)
 * @cntlid_min: attr_cntlid_min
 * @cntlid_max: attr_cntlid_max
 * @max_qid: attr_qid_max
 * @cntlids: controller ids in use
 * @nr_ports: ports this subsystem is linked into
 * @discovered: a host has seen the identity (serial, model, version lock)
 * @group: configfs subsystems/<nqn>/
 * @namespaces_group: namespaces/
 * @allowed_hosts_group: allowed_hosts/
 */
struct nvmet_subsys {
	char *subsysnqn;
	u8 type;
	struct kref ref;
	struct mutex lock;	/* see the top of this file */
	struct xarray namespaces;
	unsigned int nr_namespaces;
	u32 max_nsid;
	struct list_head ctrls;
	struct list_head hosts;
	bool allow_any_host;
	char serial[NVMET_SN_LEN + 1];
	char model[NVMET_MN_MAX_LEN + 1];
	u32 ver;
	u16 cntlid_min;
	u16 cntlid_max;
	u16 max_qid;
	struct ida cntlids;
	unsigned int nr_ports;
	bool discovered;
	struct config_group group;
	struct config_group namespaces_group;
	struct config_group allowed_hosts_group;
};

/**
 * struct nvmet_host - one hosts/<nqn>/ directory
 * @group: configfs group; the NQN is its name
 */
struct nvmet_host {
	struct config_group group;
};

static inline const char *nvmet_host_name(struct nvmet_host *host)
{
	return config_item_name(&host->group.cg_item);
}

/**
 * struct nvmet_host_link - a host in a subsystem's allowed_hosts/
 * @entry: in subsys->hosts
 * @host: the hosts/ item the link points to (identity only)
 * @nqn: its NQN, copied: the hosts/ directory may go first
 */
struct nvmet_host_link {
	struct list_head entry;
	struct nvmet_host *host;
	char nqn[NVMF_NQN_FIELD_LEN];
};

/**
 * struct nvmet_subsys_link - a subsystem linked into a port
 * @entry: in port->subsystems
 * @subsys: the subsystem
 */
struct nvmet_subsys_link {
	struct list_head entry;
	struct nvmet_subsys *subsys;
};

extern struct rw_semaphore nvmet_config_sem;
extern struct list_head nvmet_ports;
extern struct nvmet_subsys *nvmet_disc_subsys;
extern u64 nvmet_genctr;
extern struct workqueue_struct *nvmet_wq;

/* core.c */
struct nvmet_subsys *nvmet_subsys_alloc(const char *nqn, u8 type);
void nvmet_subsys_put(struct nvmet_subsys *subsys);
void nvmet_subsys_del_ctrls(struct nvmet_subsys *subsys);
struct nvmet_ns *nvmet_ns_alloc(struct nvmet_subsys *subsys, u32 nsid);
void nvmet_ns_free(struct nvmet_ns *ns);
int nvmet_ns_enable(struct nvmet_ns *ns);
void nvmet_ns_disable(struct nvmet_ns *ns);
struct nvmet_ns *nvmet_find_ns(struct nvmet_ctrl *ctrl, __le32 nsid);
void nvmet_put_ns(struct nvmet_ns *ns);
int nvmet_enable_port(struct nvmet_port *port);
void nvmet_disable_port(struct nvmet_port *port);
void nvmet_port_wait_ctrls(struct nvmet_port *port);
void nvmet_port_del_ctrls(struct nvmet_port *port, struct nvmet_subsys *subsys);
bool nvmet_host_allowed(struct nvmet_subsys *subsys, const char *hostnqn);
void nvmet_add_async_event(struct nvmet_ctrl *ctrl, u8 type, u8 info, u8 lid);
void nvmet_clear_aen(struct nvmet_req *req, u32 aen_bit);
void nvmet_update_cc(struct nvmet_ctrl *ctrl, u32 new);
u16 nvmet_alloc_ctrl(const char *subsysnqn, const char *hostnqn,
		     struct nvmet_req *req, u32 kato, struct nvmet_ctrl **ctrlp);
u16 nvmet_ctrl_find_get(const char *subsysnqn, const char *hostnqn, u16 cntlid,
			struct nvmet_req *req, struct nvmet_ctrl **ret);
u16 nvmet_check_ctrl_status(struct nvmet_req *req);
bool nvmet_sq_setup(struct nvmet_ctrl *ctrl, struct nvmet_sq *sq, u16 qid,
		    u16 size);
void nvmet_start_keep_alive(struct nvmet_ctrl *ctrl);
void nvmet_keep_alive_reset(struct nvmet_ctrl *ctrl);
bool nvmet_check_data_len(struct nvmet_req *req, u32 len);
u16 nvmet_copy_to_sgl(struct nvmet_req *req, u32 off, const void *buf,
		      size_t len);
u16 nvmet_copy_from_sgl(struct nvmet_req *req, u32 off, void *buf, size_t len);
u16 nvmet_zero_sgl(struct nvmet_req *req, u32 off, size_t len);
void nvmet_set_result(struct nvmet_req *req, u32 dw0);
void nvmet_send_notice(struct nvmet_ctrl *ctrl, u32 aec_bit, u8 info, u8 lid);
void nvmet_disc_changed(struct nvmet_port *port, struct nvmet_subsys *subsys);
void nvmet_ns_changed(struct nvmet_subsys *subsys, u32 nsid);

/* ana.c */
void nvmet_port_ana_init(struct nvmet_port *port);
int nvmet_ns_set_ana_grpid(struct nvmet_ns *ns, u32 grpid);
void *nvmet_ana_log_build(struct nvmet_req *req, bool rgo, size_t *len);

/* the state of @ns's ANA group through @ctrl's port (optimized if none) */
static inline u8 nvmet_ana_state(const struct nvmet_ctrl *ctrl,
				 const struct nvmet_ns *ns)
{
	if (!ctrl->port)
		return NVME_ANA_OPTIMIZED;
	return READ_ONCE(ctrl->port->ana_state[READ_ONCE(ns->anagrpid)]);
}

/*
 * The status of I/O to @ns on @ctrl: 0, or the path status of its group.
 * Per command: the usable states are answered here, the rest out of line.
 */
static inline u16 nvmet_ana_io_status(const struct nvmet_ctrl *ctrl,
				      const struct nvmet_ns *ns)
{
	u8 state = nvmet_ana_state(ctrl, ns);

	if (likely(state == NVME_ANA_OPTIMIZED ||
		   state == NVME_ANA_NONOPTIMIZED))
		return 0;
	return nvmet_ana_state_status(state);
}

/* the namespace's group is inaccessible or lost through ctrl's port */
static inline bool nvmet_ana_unreachable(const struct nvmet_ctrl *ctrl,
					 const struct nvmet_ns *ns)
{
	u8 state = nvmet_ana_state(ctrl, ns);

	return state == NVME_ANA_INACCESSIBLE ||
	       state == NVME_ANA_PERSISTENT_LOSS;
}

/* fabrics-cmd.c */
u16 nvmet_parse_connect_cmd(struct nvmet_req *req);
u16 nvmet_parse_fabrics_admin_cmd(struct nvmet_req *req);

/* admin-cmd.c */
u16 nvmet_parse_admin_cmd(struct nvmet_req *req);
u16 nvmet_parse_disc_cmd(struct nvmet_req *req);

/* io-cmd.c */
u16 nvmet_parse_io_cmd(struct nvmet_req *req);
int nvmet_bdev_ns_enable(struct nvmet_ns *ns);
void nvmet_bdev_ns_disable(struct nvmet_ns *ns);
int nvmet_file_ns_enable(struct nvmet_ns *ns);
void nvmet_file_ns_disable(struct nvmet_ns *ns);
u16 nvmet_bdev_parse_io_cmd(struct nvmet_req *req);
void nvmet_bdev_set_id_ns(struct nvmet_ns *ns, struct nvme_id_ns *id);
u16 nvmet_file_parse_io_cmd(struct nvmet_req *req);
bool nvmet_ns_has_vwc(struct nvmet_ns *ns);

/* discovery.c */
u16 nvmet_disc_log_execute_len(struct nvmet_req *req);

/* configfs.c */
int nvmet_init_configfs(void);
void nvmet_exit_configfs(void);

static inline u32 nvmet_cdw(const struct nvmet_req *req, unsigned int n)
{
	const __le32 *dw = (const __le32 *)req->cmd;

	return le32_to_cpu(dw[n]);
}

/* starting LBA of an NVM I/O command (dwords 10-11) */
static inline u64 nvmet_req_slba(const struct nvmet_req *req)
{
	return (u64)nvmet_cdw(req, 11) << 32 | nvmet_cdw(req, 10);
}

/* Connect Invalid Parameters: which field (dword 0 of the response) */
#define NVMET_CD_OFF(f)	offsetof(struct nvmf_connect_data, f)
#define NVMET_CC_OFF(f)	offsetof(struct nvmf_connect_cmd, f)

static inline void nvmet_connect_ipo(struct nvmet_req *req, u8 iattr, u16 off)
{
	req->cqe->dw0 = cpu_to_le32(NVMF_CONNECT_IPO(iattr, off));
}

static inline bool nvmet_is_disc(const struct nvmet_ctrl *ctrl)
{
	return ctrl->subsys->type == NVMF_SUBTYPE_DISCOVERY;
}

#endif /* NVMET_OOT_CORE_H */
