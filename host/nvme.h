/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme-core internal interface, shared by the core files and by every
 * transport (pci, tcp, rdma, fc, loop).
 *
 * The split of work:
 *  - the core owns the controller object (char device, sysfs, state),
 *    namespaces (gendisk, ng char device), admin command helpers,
 *    identify/scan, async events, the command translation of block
 *    requests and the completion policy (retry, requeue, fail);
 *  - a transport owns its queues and the tag sets' blk_mq_ops; it moves
 *    struct nvme_sqe to the controller and hands back the completion
 *    through nvme_req_done().  It tells the core about itself through
 *    struct nvme_ctrl_ops.
 */
#ifndef NVME_OOT_HOST_NVME_H
#define NVME_OOT_HOST_NVME_H

#include <linux/blk-mq.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/srcu.h>
#include <linux/workqueue.h>

#include "../include/nvme/spec.h"
#include "ctrl_state.h"

struct nvme_ctrl;
struct nvme_ns;

/* struct nvme_ctrl_ops.flags */
#define NVME_F_FABRICS		BIT(0)	/* registers are properties */
#define NVME_F_METADATA		BIT(1)	/* separate metadata buffers */

/* struct nvme_ctrl.quirks */
#define NVME_QUIRK_BOGUS_NID	BIT(0)	/* namespace ids not unique */
#define NVME_QUIRK_NO_APST	BIT(1)	/* APST breaks it (force_apst overrides) */
#define NVME_QUIRK_NO_DEEPEST_PS BIT(2)	/* never send it to its deepest state */

/**
 * struct nvme_ctrl_ops - what a transport provides to the core
 * @name: transport name as sysfs "transport" shows it ("pcie", "tcp", ...)
 * @module: owner, pinned while a char device or disk is open
 * @flags: NVME_F_*
 * @reg_read32: read a 32 bit register / property
 * @reg_write32: write a 32 bit register / property
 * @reg_read64: read a 64 bit register / property
 * @free_ctrl: free the transport's controller once the last reference is gone
 * @delete_ctrl: stop and free queues for good; called once from the delete work
 * @get_address: print the sysfs "address" line into @buf, return its length
 * @attr_group: extra controller attributes of the transport (fabrics:
 *	hostnqn, hostid, ctrl_loss_tmo, ...), or NULL
 * @disc_changed: a discovery controller reported a discovery log change
 *	(@result is the AEN dword 0); the transport sends the uevent
 */
struct nvme_ctrl_ops {
	const char *name;
	struct module *module;
	unsigned int flags;
	int (*reg_read32)(struct nvme_ctrl *ctrl, u32 off, u32 *val);
	int (*reg_write32)(struct nvme_ctrl *ctrl, u32 off, u32 val);
	int (*reg_read64)(struct nvme_ctrl *ctrl, u32 off, u64 *val);
	void (*free_ctrl)(struct nvme_ctrl *ctrl);
	void (*delete_ctrl)(struct nvme_ctrl *ctrl);
	int (*get_address)(struct nvme_ctrl *ctrl, char *buf, int size);
	const struct attribute_group *attr_group;
	void (*disc_changed)(struct nvme_ctrl *ctrl, u32 result);
	int (*uevent)(struct nvme_ctrl *ctrl, struct kobj_uevent_env *env);
};

/**
 * struct nvme_subsystem - an NVM subsystem, shared by its controllers
 * @dev: the nvme-subsystem class device (nvme-subsysN)
 * @instance: N in nvme-subsysN
 * @ref: one per attached controller; the last put unregisters
 * @entry: on the global subsystem list
 * @ctrls: controllers of this subsystem
 * @subnqn: subsystem NQN
 * @serial: serial number of the first controller, space padded
 * @model: model number of the first controller, space padded
 * @firmware_rev: firmware revision of the first controller
 * @cntrltype: controller type of the first controller
 * @vid: PCI vendor id of the first controller
 * @registered: device_add() succeeded
 * @mpath: namespaces get a multipath head (see multipath.c); fixed at
 *	creation from the first controller's CMIC and the module parameter
 * @iopolicy: NVME_IOPOLICY_*, how a head picks a path
 * @lock: protects @nsheads
 * @nsheads: namespace heads of this subsystem (struct nvme_ns_head.entry)
 * @ns_ida: head instances, the M in nvmeKnM of a head
 */
struct nvme_subsystem {
	struct device dev;
	int instance;
	struct kref ref;
	struct list_head entry;
	struct list_head ctrls;
	char subnqn[256];
	char serial[20];
	char model[40];
	char firmware_rev[8];
	u8 cntrltype;
	u16 vid;
	bool registered;
	bool mpath;
	int iopolicy;
	struct mutex lock;		/* protects @nsheads */
	struct list_head nsheads;
	struct ida ns_ida;
};

#define NVME_IOPOLICY_NUMA	0
#define NVME_IOPOLICY_RR	1

/**
 * struct nvme_ctrl - a controller as the core sees it
 *
 * Locking: @lock protects @state.  @ns_lock protects @namespaces.
 * @scan_lock serialises namespace scans.  The transport owns @reset_work
 * (it initialises it); the core queues it on nvme_reset_wq.
 */
struct nvme_ctrl {
	const struct nvme_ctrl_ops *ops;
	struct device *dev;		/* parent: PCI function or fabrics device */
	struct device cdev_device;	/* /sys/class/nvme/nvmeN, /dev/nvmeN */
	const struct attribute_group *attr_groups[3];	/* core + transport */
	struct cdev cdev;
	int instance;
	int numa_node;
	unsigned long quirks;

	spinlock_t lock;		/* protects @state */
	enum nvme_ctrl_state state;
	wait_queue_head_t state_wq;
	unsigned long flags;
#define NVME_CTRL_FLAG_ADMIN_Q_STOPPED	1	/* admin queue quiesced */
#define NVME_CTRL_FLAG_IO_Q_STOPPED	2	/* I/O queues quiesced */
#define NVME_CTRL_FLAG_FAILFAST		3	/* fabrics: fail I/O, do not wait */
#define NVME_CTRL_FLAG_STARTED_ONCE	4	/* reached LIVE at least once */

	struct blk_mq_tag_set *admin_tagset;
	struct blk_mq_tag_set *tagset;
	struct request_queue *admin_q;

	struct nvme_subsystem *subsys;
	struct list_head subsys_entry;

	struct rw_semaphore ns_lock;
	struct list_head namespaces;
	struct mutex scan_lock;		/* one namespace scan at a time */
	struct ida ns_ida;

	struct work_struct reset_work;
	struct work_struct delete_work;
	struct work_struct scan_work;
	struct work_struct aen_work;

	/* from registers and Identify Controller */
	u64 cap;
	u32 vs;
	u32 page_size;		/* memory page size in CC.MPS */
	u32 max_hw_sectors;	/* 512 byte sectors, from MDTS and transport */
	u16 max_segments;
	u16 cntlid;
	u16 vid;
	u16 ssvid;
	u32 oaes;
	u16 oncs;
	u16 oacs;
	u8 vwc;
	u8 cntrltype;
	u8 cmic;
	u16 cctemp;		/* critical composite temperature, kelvins */
	u16 wctemp;		/* warning composite temperature, kelvins */
	/* Host Memory Buffer wishes (HMPRE/HMMIN/HMMINDS 4 KiB units) */
	u32 hmpre;
	u32 hmmin;
	u32 hmminds;
	u16 hmmaxd;
	u32 sgls;
	u32 nn;
	u32 ctratt;
	u16 kas;
	char serial[20];
	char model[40];
	char firmware_rev[8];
	char subnqn[256];

	/* set by the transport before nvme_init_ctrl_finish() */
	u32 queue_count;	/* admin + I/O queues */
	u32 sqsize;		/* I/O queue depth minus one */
	u32 transport_max_sectors;	/* 0: no transport limit */
	u16 transport_max_segments;	/* 0: no transport limit */
	u32 virt_boundary_mask;	/* PRP transports: page size - 1 */
	u32 dma_alignment;	/* buffer address mask, 0: a dword (3) */
	u32 kato;		/* keep alive timeout, seconds (fabrics) */
	/* fabrics, from Identify Controller */
	u32 ioccsz;		/* I/O command capsule size, 16 byte units */
	u32 iorcsz;		/* I/O response capsule size, 16 byte units */
	u16 icdoff;		/* in-capsule data offset, 16 byte units */
	u16 maxcmd;		/* outstanding commands per queue, 0 = any */
	u8 msdbd;		/* SGL data block descriptors per command */
	/* NVM command set limits (Identify CNS 06h), 0 = none */
	u8 dmrl;		/* Dataset Management ranges per command */
	u32 dmrsl;		/* blocks per Dataset Management range */
	u64 dmsl;		/* blocks per Dataset Management command */
	u32 max_zeroes_sectors;	/* Write Zeroes, from WZSL */

	/* async events */
	struct request *aer_rq;
	u32 aen_result;
	unsigned long aen_pending;	/* bit 0: a result waits in aen_result */

	struct nvme_hwmon *hwmon;	/* temperatures, see hwmon.c */

	/* autonomous power state transitions (core.c) */
	u8 npss;			/* deepest power state (Identify NPSS) */
	u8 apsta;			/* Identify APSTA as reported */
	bool apst_enabled;		/* APSTA set and not quirked off */
	u64 ps_max_latency_us;		/* from PM QoS latency tolerance */
	struct mutex apst_lock;		/* one APST configuration at a time */
	struct nvme_id_power_state psd[NVME_APST_ENTRIES];

	/* asymmetric namespace access (multipath.c) */
	u8 anacap;
	u8 anatt;			/* ANA transition time, seconds */
	u32 anagrpmax;
	u32 nanagrpid;
	struct mutex ana_lock;		/* protects @ana_log */
	void *ana_log;			/* last ANA log read, NULL: no ANA */
	size_t ana_log_size;
	u8 ana_lsp;			/* Get Log Page LSP: NVME_ANA_LOG_RGO or 0 */
	struct work_struct ana_work;	/* re-reads the ANA log */
	struct timer_list anatt_timer;	/* a path in ANA change too long */
};

/**
 * struct nvme_ns_ids - namespace identifiers
 * @eui64: IEEE EUI-64
 * @nguid: namespace GUID
 * @uuid: namespace UUID
 */
struct nvme_ns_ids {
	u8 eui64[8];
	u8 nguid[16];
	u8 uuid[16];
};

/**
 * struct nvme_ns_head - a namespace of a subsystem, over all its paths
 * @entry: on subsys->nsheads while it has paths
 * @subsys: the subsystem (a device reference is held)
 * @ref: one per path, one per opener of the head's nodes
 * @nsid: namespace id
 * @instance: M in /dev/nvmeKnM and /dev/ngKnM, from subsys->ns_ida
 * @shared: NMIC says other controllers may attach the namespace
 * @ids: identifiers of the first path; later paths must match
 * @lock: serialises path changes and the head disk's registration
 * @paths: struct nvme_ns.siblings; readers hold @srcu
 * @srcu: read side of @paths and @current_path
 * @current_path: the path the last submission used
 * @disk: the bio-based head disk /dev/nvmeKnM
 * @disk_live: @disk (and its ng node) are registered
 * @requeue_list: bios waiting for a usable path
 * @requeue_lock: protects @requeue_list
 * @requeue_work: resubmits @requeue_list
 * @cdev: /dev/ngKnM of the head
 * @cdev_device: its device
 */
struct nvme_ns_head {
	struct list_head entry;
	struct nvme_subsystem *subsys;
	struct kref ref;
	u32 nsid;
	int instance;
	bool shared;
	struct nvme_ns_ids ids;
	struct mutex lock;		/* path changes, disk registration */
	struct list_head paths;
	struct srcu_struct srcu;
	struct nvme_ns __rcu *current_path;
	struct gendisk *disk;
	bool disk_live;
	struct bio_list requeue_list;
	spinlock_t requeue_lock;	/* protects @requeue_list */
	struct work_struct requeue_work;
	struct cdev cdev;
	struct device cdev_device;
};

/**
 * struct nvme_ns - one attached namespace
 *
 * Lifetime: @ref starts at one for the controller's list; every open of
 * the block or ng device takes one more.  The last put releases the
 * gendisk and the controller reference.
 */
struct nvme_ns {
	struct list_head entry;
	struct nvme_ctrl *ctrl;
	struct gendisk *disk;
	struct request_queue *queue;
	struct kref ref;
	u32 nsid;
	int instance;
	u8 lba_shift;
	bool lbaf_bad;		/* LBA size unsupported: @lba_shift is a stand-in */
	u16 ms;			/* metadata bytes per block */
	bool ext;		/* metadata interleaved with data */
	u64 nsze;		/* blocks */
	u8 dlfeat;
	struct nvme_ns_ids ids;
	unsigned long flags;
#define NVME_NS_REMOVING	0
#define NVME_NS_READY		1
	struct cdev cdev;
	struct device cdev_device;	/* /dev/ngXnY */
	struct nvme_ns_head *head;	/* multipath head, or NULL */
	struct list_head siblings;	/* on head->paths */
	u32 ana_grpid;			/* from Identify Namespace */
	u8 ana_state;			/* NVME_ANA_*; optimized without ANA */
};

/* bios and requests a multipath head sent to one of its paths */
#define REQ_NVME_MPATH		REQ_DRV

/* per-request flags, struct nvme_request.flags */
#define NVME_REQ_CANCELLED	BIT(0)	/* ended by the host, not the controller */
#define NVME_REQ_USERCMD	BIT(1)	/* passthrough from user space */
#define NVME_REQ_NO_TIMEOUT	BIT(2)	/* AER: may stay outstanding forever */

/**
 * struct nvme_request - core part of every request's driver data
 *
 * A transport's per-request structure must start with this.
 * @cmd: the submission entry the core built
 * @result: completion dwords 0 and 1
 * @status: status field (completion status >> 1) or a host status
 * @retries: times this request has been requeued
 * @flags: NVME_REQ_*
 * @ctrl: owning controller
 * @meta: kernel bounce buffer for separate metadata, or NULL
 * @meta_len: length of @meta
 * @dsm: the range list of a single-range Dataset Management command, so
 *	the common discard needs no allocation
 */
struct nvme_request {
	struct nvme_sqe cmd;
	__le64 result;
	u16 status;
	u8 retries;
	u8 flags;
	struct nvme_ctrl *ctrl;
	void *meta;
	u32 meta_len;
	struct nvme_dsm_range dsm;
};

/* the controller was enabled with all its I/O command sets (CC.CSS 110b) */
static inline bool nvme_multi_css(struct nvme_ctrl *ctrl)
{
	return NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_CSI;
}

static inline struct nvme_request *nvme_req(struct request *rq)
{
	return blk_mq_rq_to_pdu(rq);
}

static inline bool nvme_ctrl_is_fabrics(struct nvme_ctrl *ctrl)
{
	return ctrl->ops->flags & NVME_F_FABRICS;
}

#define NVME_DISC_NQN	"nqn.2014-08.org.nvmexpress.discovery"

/* a discovery controller, by its type or (before NVMe 1.4) its NQN */
static inline bool nvme_ctrl_is_discovery(struct nvme_ctrl *ctrl)
{
	return ctrl->cntrltype == NVME_CTRL_TYPE_DISC ||
	       !strcmp(ctrl->subnqn, NVME_DISC_NQN);
}

static inline enum nvme_ctrl_state nvme_ctrl_state(struct nvme_ctrl *ctrl)
{
	return READ_ONCE(ctrl->state);
}

/**
 * nvme_req_done() - hand a completion to blk-mq
 * @rq: the request
 * @status: completion status field as on the wire (phase bit included)
 * @result: completion dwords 0 and 1
 *
 * Called by transports from their completion path, once per request.
 */
static inline void nvme_req_done(struct request *rq, __le16 status,
				 __le64 result)
{
	struct nvme_request *nr = nvme_req(rq);

	nr->status = le16_to_cpu(status) >> 1;
	nr->result = result;
	if (likely(!blk_mq_complete_request_remote(rq)))
		rq->q->mq_ops->complete(rq);
}

/**
 * nvme_req_done_batch() - hand a completion to blk-mq, batched if possible
 * @rq: the request
 * @status: completion status field as on the wire (phase bit included)
 * @result: completion dwords 0 and 1
 * @iob: the interrupt's or poll's completion batch, or NULL
 * @end_batch: what ends the batch (calls nvme_end_batch())
 *
 * A successful completion joins @iob and is ended together with the rest
 * of the batch; anything else goes through nvme_req_done().
 */
static inline void nvme_req_done_batch(struct request *rq, __le16 status,
				       __le64 result, struct io_comp_batch *iob,
				       void (*end_batch)(struct io_comp_batch *))
{
	struct nvme_request *nr = nvme_req(rq);
	u16 st = le16_to_cpu(status) >> 1;

	if (iob && !st && blk_mq_add_to_batch(rq, iob, 0, end_batch)) {
		nr->status = 0;
		nr->result = result;
		return;
	}
	nvme_req_done(rq, status, result);
}

/* core.c: controller life cycle; the workqueues are for fabrics too */
extern struct workqueue_struct *nvme_wq;
extern struct workqueue_struct *nvme_reset_wq;
extern struct workqueue_struct *nvme_delete_wq;

int nvme_init_ctrl(struct nvme_ctrl *ctrl, struct device *dev,
		   const struct nvme_ctrl_ops *ops, unsigned long quirks);
void nvme_uninit_ctrl(struct nvme_ctrl *ctrl);
void nvme_get_ctrl(struct nvme_ctrl *ctrl);
void nvme_put_ctrl(struct nvme_ctrl *ctrl);
bool nvme_change_ctrl_state(struct nvme_ctrl *ctrl,
			    enum nvme_ctrl_state new_state);
int nvme_reset_ctrl(struct nvme_ctrl *ctrl);
int nvme_reset_ctrl_sync(struct nvme_ctrl *ctrl);
int nvme_delete_ctrl(struct nvme_ctrl *ctrl);
void nvme_delete_ctrl_sync(struct nvme_ctrl *ctrl);

int nvme_enable_ctrl(struct nvme_ctrl *ctrl);
int nvme_disable_ctrl(struct nvme_ctrl *ctrl, bool shutdown);
int nvme_init_ctrl_finish(struct nvme_ctrl *ctrl);
void nvme_start_ctrl(struct nvme_ctrl *ctrl);
void nvme_stop_ctrl(struct nvme_ctrl *ctrl);
int nvme_set_queue_count(struct nvme_ctrl *ctrl, u32 *count);

/* core.c: tag sets and queue control */
int nvme_alloc_admin_tag_set(struct nvme_ctrl *ctrl,
			     struct blk_mq_tag_set *set,
			     const struct blk_mq_ops *ops,
			     unsigned int depth, unsigned int cmd_size);
void nvme_remove_admin_tag_set(struct nvme_ctrl *ctrl);
int nvme_alloc_io_tag_set(struct nvme_ctrl *ctrl, struct blk_mq_tag_set *set,
			  const struct blk_mq_ops *ops, unsigned int nr_maps,
			  unsigned int cmd_size);
void nvme_remove_io_tag_set(struct nvme_ctrl *ctrl);
void nvme_quiesce_admin_queue(struct nvme_ctrl *ctrl);
void nvme_unquiesce_admin_queue(struct nvme_ctrl *ctrl);
void nvme_quiesce_io_queues(struct nvme_ctrl *ctrl);
void nvme_unquiesce_io_queues(struct nvme_ctrl *ctrl);
void nvme_sync_io_queues(struct nvme_ctrl *ctrl);
void nvme_start_freeze(struct nvme_ctrl *ctrl);
void nvme_wait_freeze(struct nvme_ctrl *ctrl);
void nvme_unfreeze(struct nvme_ctrl *ctrl);
void nvme_cancel_tagset(struct nvme_ctrl *ctrl);
void nvme_cancel_admin_tagset(struct nvme_ctrl *ctrl);
bool nvme_cancel_request(struct request *rq, void *data);
void nvme_mark_namespaces_dead(struct nvme_ctrl *ctrl);

/* core.c: commands and completions */
void nvme_init_request(struct request *rq, const struct nvme_sqe *cmd);
blk_status_t nvme_setup_cmd(struct nvme_ns *ns, struct request *rq);
void nvme_cleanup_cmd(struct request *rq);
void nvme_complete_rq(struct request *rq);
void nvme_end_batch(struct io_comp_batch *iob,
		    void (*release)(struct request *rq));
blk_status_t nvme_fail_nonready(struct nvme_ctrl *ctrl, struct request *rq);
bool nvme_ctrl_may_queue(struct nvme_ctrl *ctrl, struct request *rq,
			 bool queue_live);
blk_status_t nvme_status_to_blk(u16 status);
int nvme_submit_sync_cmd(struct request_queue *q, struct nvme_sqe *cmd,
			 void *buf, unsigned int len);
int nvme_run_sync_rq(struct request *rq, const struct nvme_sqe *cmd,
		     u64 *result, void *buf, unsigned int len);
int nvme_identify(struct nvme_ctrl *ctrl, u8 cns, u32 nsid, void *buf);
int nvme_get_log(struct nvme_ctrl *ctrl, u32 nsid, u8 lid, u8 lsp,
		 void *buf, u32 len, u64 offset);
int nvme_set_features(struct nvme_ctrl *ctrl, u8 fid, u32 dw11, u32 *result);
int nvme_get_features(struct nvme_ctrl *ctrl, u8 fid, u32 dw11, u32 *result);

/* multipath.c: one block device per shared namespace */
int nvme_mpath_attach(struct nvme_ns *ns, bool shared);
void nvme_mpath_path_ready(struct nvme_ns *ns);
void nvme_mpath_detach(struct nvme_ns *ns);
void nvme_mpath_put_head(struct nvme_ns_head *head);
void nvme_mpath_kick(struct nvme_ctrl *ctrl);
void nvme_mpath_init_ana(struct nvme_ctrl *ctrl);
void nvme_mpath_ana_work(struct work_struct *work);
void nvme_mpath_anatt_expired(struct timer_list *t);
void nvme_mpath_update_ana(struct nvme_ctrl *ctrl);
void nvme_mpath_ana_ns(struct nvme_ns *ns);
void nvme_mpath_uninit_ana(struct nvme_ctrl *ctrl);
const char *nvme_ana_state_name(u8 state);
bool nvme_mpath_failover(struct request *rq);
bool nvme_is_head_disk(struct gendisk *disk);
bool nvme_subsys_wants_mpath(struct nvme_ctrl *ctrl);
extern int nvme_default_iopolicy;

/* hwmon.c: temperatures */
void nvme_hwmon_init(struct nvme_ctrl *ctrl);
void nvme_hwmon_exit(struct nvme_ctrl *ctrl);

/* ns.c: namespaces */
void nvme_queue_scan(struct nvme_ctrl *ctrl);
void nvme_scan_sync(struct nvme_ctrl *ctrl);
void nvme_scan_work(struct work_struct *work);
void nvme_remove_namespaces(struct nvme_ctrl *ctrl);
struct nvme_ns *nvme_find_get_ns(struct nvme_ctrl *ctrl, u32 nsid);
void nvme_put_ns(struct nvme_ns *ns);
bool nvme_try_get_ns(struct nvme_ns *ns);
extern const struct block_device_operations nvme_bdev_ops;
struct hd_geometry;
int nvme_bdev_getgeo(struct block_device *bdev, struct hd_geometry *geo);

/* ioctl.c: character devices and ioctls */
int nvme_ioctl_init(void);
void nvme_ioctl_exit(void);
int nvme_ctrl_cdev_add(struct nvme_ctrl *ctrl);
int nvme_ns_cdev_add(struct nvme_ns *ns);
void nvme_ns_cdev_del(struct nvme_ns *ns);
int nvme_bdev_ioctl(struct block_device *bdev, fmode_t mode,
		    unsigned int cmd, unsigned long arg);
long nvme_ns_ioctl(struct nvme_ns *ns, unsigned int cmd, void __user *argp);

/* A separate metadata buffer is bounced through a kernel allocation. */
#define NVME_UCMD_MAX_META	SZ_1M

/**
 * struct nvme_ucmd - a user command after copy-in, whatever its ioctl
 * @sqe: the command as it goes to the controller, minus transport fields
 * @ubuf: user data buffer
 * @umeta: user buffer for separate metadata
 * @len: data length in bytes
 * @meta_len: metadata length in bytes
 * @timeout_ms: command timeout, 0 for the queue default
 * @result: completion dwords 0 and 1, filled on return
 */
struct nvme_ucmd {
	struct nvme_sqe sqe;
	u64 ubuf;
	u64 umeta;
	u64 len;
	u64 meta_len;
	u32 timeout_ms;
	u64 result;
};

int nvme_ucmd_check(struct nvme_ctrl *ctrl, struct request_queue *q,
		    struct nvme_ucmd *uc);
int nvme_ucmd_status(struct request *rq, blk_status_t sts);
struct request *nvme_ucmd_alloc(struct request_queue *q,
				const struct nvme_ucmd *uc, blk_opf_t opf,
				blk_mq_req_flags_t flags);
int nvme_ucmd_finish(struct request *rq, struct bio *bio, u64 umeta, int ret,
		     u64 *result);
bool nvme_admin_changes_ns(u8 opc);

/* uring.c: io_uring passthrough (NVME_URING_CMD_*) */
struct io_uring_cmd;
int nvme_uring_cmd(struct nvme_ctrl *ctrl, struct nvme_ns *ns,
		   struct io_uring_cmd *ioucmd, unsigned int issue_flags);
int nvme_ns_uring_cmd(struct nvme_ns *ns, struct io_uring_cmd *ioucmd,
		      unsigned int issue_flags);
struct io_comp_batch;
int nvme_uring_iopoll(struct io_uring_cmd *ioucmd, struct io_comp_batch *iob,
		      unsigned int poll_flags);
int nvme_generic_cdev_add(struct cdev *cdev, struct device *dev,
			  struct device *parent,
			  const struct file_operations *fops,
			  struct module *owner, void (*release)(struct device *),
			  const char *name);
void nvme_generic_cdev_free_minor(struct device *dev);
extern const struct file_operations nvme_ctrl_fops;
extern struct class *nvme_class;

/* sysfs.c: attributes and subsystems */
extern const struct attribute_group *nvme_ctrl_attr_groups[];
extern const struct attribute_group *nvme_ns_attr_groups[];
int nvme_sysfs_init(void);
void nvme_sysfs_exit(void);
int nvme_subsys_attach(struct nvme_ctrl *ctrl);
void nvme_subsys_detach(struct nvme_ctrl *ctrl);

#endif /* NVME_OOT_HOST_NVME_H */
