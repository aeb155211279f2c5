/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme-fabrics: the host side of NVMe over Fabrics shared by every
 * transport (tcp, loop, rdma, fc).
 *
 * The fabrics core owns
 *  - /dev/nvme-fabrics and the option strings (options.h),
 *  - the transport registry (struct nvmf_transport_ops),
 *  - Connect, Property Get/Set (the register ops of nvme-core), keep-alive,
 *  - the controller's tag sets and its one reconnect / error-recovery
 *    machine (recovery.h): the transport only brings single queues up
 *    and down through struct nvmf_queue_ops.
 *
 * A transport's controller embeds struct nvmf_ctrl, which embeds struct
 * nvme_ctrl.  Life of a controller:
 *
 *   create_ctrl(dev, opts)                       transport callback
 *     kzalloc(transport ctrl); nvmf_init_ctrl()  registers /dev/nvmeN
 *     nvmf_setup_ctrl()                          first connect, sync
 *   ...                                          I/O; errors go through
 *                                                nvmf_error_recovery()
 *   nvme_delete_ctrl()                           sysfs, ioctl, unload
 *     -> teardown, ops->free_queue(), tag sets freed
 *     -> last reference: ops->free_ctrl()
 */
#ifndef NVME_OOT_FABRICS_FABRICS_H
#define NVME_OOT_FABRICS_FABRICS_H

#include <linux/blk-mq.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#include "../host/nvme.h"
#include "../include/nvme/fabrics.h"
#include "options.h"
#include "recovery.h"

struct nvmf_ctrl;

/* admin queue depth of every fabrics controller */
#define NVMF_AQ_DEPTH		32
/* Connect uses a reserved tag on each queue; the AER another on admin */
#define NVMF_IO_RESERVED_TAGS	1

/**
 * struct nvmf_transport_ops - one transport, as /dev/nvme-fabrics sees it
 * @entry: on the transport list (fabrics core)
 * @name: the value of "transport=" ("tcp", "loop", ...)
 * @module: owner; pinned while a controller is being created
 * @required_opts: NVMF_OPT_* needed beyond transport and nqn
 * @allowed_opts: NVMF_OPT_* accepted beyond NVMF_ALLOWED_OPTS
 * @create_ctrl: create and connect a controller.  It always consumes
 *	@opts: nvmf_init_ctrl() takes it over (and frees it if it fails);
 *	a failure before that call must kfree() it.  Returns the live
 *	controller or an ERR_PTR.  It has one reference for its deletion and
 *	one more, taken by nvmf_setup_ctrl() before it went live, that the
 *	caller drops once it has read the controller's numbers (a deletion
 *	may start the moment it is live).
 */
struct nvmf_transport_ops {
	struct list_head entry;
	const char *name;
	struct module *module;
	unsigned int required_opts;
	unsigned int allowed_opts;
	struct nvme_ctrl *(*create_ctrl)(struct device *dev,
					 struct nvmf_ctrl_options *opts);
};

int nvmf_register_transport(struct nvmf_transport_ops *ops);
void nvmf_unregister_transport(struct nvmf_transport_ops *ops);

/**
 * struct nvmf_queue_ops - what a transport does for the shared machine
 * @admin_mq_ops: blk-mq ops of the admin tag set.  Its ->init_request
 *	runs inside the tag set allocation, before ctrl->admin_tagset is
 *	set: tell the sets apart by &fctrl->admin_set / &fctrl->io_set.
 * @mq_ops: blk-mq ops of the I/O tag set; its ->map_queues should call
 *	nvmf_map_queues()
 * @cmd_size: per-request driver data, starting with struct nvme_request
 * @nr_maps: queue maps the I/O tag set uses: 1 (default), 2 (+ read,
 *	for nr_write_queues) or 3 (+ poll)
 * @io_set_flags: BLK_MQ_F_* added to the I/O tag set, e.g.
 *	BLK_MQ_F_BLOCKING when ->queue_rq may sleep (sends on a socket)
 * @alloc_queue: establish the transport connection of queue @qid (0 is
 *	admin) with @depth entries.  The queue must then carry a Connect
 *	command (nvmf_check_ready() lets only that through) and deliver
 *	its completion.  May sleep.
 * @start_queue: the Connect on @qid succeeded: let every command through
 *	from now on (set the transport's "live" flag).  Optional.
 * @stop_queue: stop @qid: no new command is sent and no completion is
 *	delivered once this returns (shut the socket down, drain the
 *	worker); idempotent, may be called on a queue that failed to
 *	connect, may be called from a blk-mq timeout handler.
 * @free_queue: release what alloc_queue() set up; the queue is stopped
 *	and no request on it is outstanding any more.  Idempotent.
 * @free_ctrl: free the transport's controller structure (last reference)
 * @get_address: append transport specific fields to the sysfs
 *	"address" line (optional; traddr, trsvcid, host_traddr and
 *	host_iface are printed by the fabrics core)
 *
 * The machine calls alloc_queue / start_queue / stop_queue / free_queue
 * for one queue at a time from process context with no fabrics lock
 * held; concurrent calls for different queues do not happen.
 */
struct nvmf_queue_ops {
	const struct blk_mq_ops *admin_mq_ops;
	const struct blk_mq_ops *mq_ops;
	unsigned int cmd_size;
	unsigned int nr_maps;
	unsigned int io_set_flags;
	int (*alloc_queue)(struct nvmf_ctrl *fctrl, int qid,
			   unsigned int depth);
	void (*start_queue)(struct nvmf_ctrl *fctrl, int qid);
	void (*stop_queue)(struct nvmf_ctrl *fctrl, int qid);
	void (*free_queue)(struct nvmf_ctrl *fctrl, int qid);
	void (*free_ctrl)(struct nvmf_ctrl *fctrl);
	int (*get_address)(struct nvmf_ctrl *fctrl, char *buf, int size);
};

/* fctrl->flags */
#define NVMF_CTRL_ADMIN_TAGSET	0	/* admin tag set allocated */
#define NVMF_CTRL_IO_TAGSET	1	/* I/O tag set allocated */
#define NVMF_CTRL_WAS_LIVE	2	/* reached LIVE at least once */
#define NVMF_CTRL_QUEUE_ERR	3	/* error reported while not live */

/**
 * struct nvmf_ctrl - the fabrics part of a transport's controller
 * @ctrl: the core controller; its ops must be NVMF_CTRL_OPS()
 * @opts: parsed options, owned (kfree'd on release)
 * @ops: the transport's queue operations
 * @entry: on the fabrics controller list (duplicate_connect check)
 * @admin_set: admin tag set
 * @io_set: I/O tag set
 * @connect_q: request queue on @io_set used only for I/O queue Connects
 * @nr_io_queues: I/O queues granted by the controller (queue_count - 1)
 * @io_queues: I/O queues per map: HCTX_TYPE_DEFAULT, _READ, _POLL
 * @nr_queues_alloced: queues 0.. that went through alloc_queue() and
 *	not yet free_queue()
 * @recovery: timeouts derived from @opts
 * @nr_reconnects: failed attempts since the connection was lost
 * @flags: NVMF_CTRL_*
 * @pending_actions: NVMF_ACT_* err_work carries out
 * @err_work: error recovery: teardown then reconnect (nvme_reset_wq)
 * @connect_work: one reconnect attempt (nvme_wq, delayed)
 * @failfast_work: fast_io_fail_tmo timer
 * @ka_work: keep-alive timer: sends Keep Alive every kato / 2
 * @ka_rq: the outstanding Keep Alive, or NULL
 * @ka_last: jiffies of the last keep-alive completion
 * @start_lock: held over the move to LIVE and nvmf_start_ctrl()
 * @queue_lock: held over every ops->stop_queue, ->free_queue and
 *	->get_address call: a second stop of a queue (a timeout's, then the
 *	teardown's) waits until the first is done, and no address is read
 *	from a transport connection being freed
 *
 * Locking: state changes go through nvme_change_ctrl_state().  Whatever
 * tears a live controller down (err_work, reset_work, deletion) takes
 * @start_lock first: the controller is LIVE, and may fail, before its
 * start (unquiesce, keep-alive, scan) is done, and a teardown must not
 * overlap it.  The works
 * never run concurrently with each other for one controller: err_work
 * and reset_work run on nvme_reset_wq and only after they moved the
 * controller out of LIVE; connect_work is only queued from them and from
 * itself.  Deletion cancels all of them synchronously first.
 */
struct nvmf_ctrl {
	struct nvme_ctrl ctrl;
	struct nvmf_ctrl_options *opts;
	const struct nvmf_queue_ops *ops;
	struct list_head entry;
	struct blk_mq_tag_set admin_set;
	struct blk_mq_tag_set io_set;
	struct request_queue *connect_q;
	unsigned int nr_io_queues;
	unsigned int io_queues[HCTX_MAX_TYPES];
	unsigned int nr_queues_alloced;
	struct nvmf_recovery_params recovery;
	int nr_reconnects;
	unsigned long flags;
	unsigned int pending_actions;
	struct work_struct err_work;
	struct delayed_work connect_work;
	struct delayed_work failfast_work;
	struct delayed_work ka_work;
	struct request *ka_rq;
	unsigned long ka_last;
	struct mutex start_lock;	/* LIVE + start vs teardown */
	struct mutex queue_lock;	/* stop_queue, free_queue, get_address */
};

static inline struct nvmf_ctrl *to_nvmf_ctrl(struct nvme_ctrl *ctrl)
{
	return container_of(ctrl, struct nvmf_ctrl, ctrl);
}

/* nvme_ctrl_ops callbacks of every fabrics controller */
int nvmf_reg_read32(struct nvme_ctrl *ctrl, u32 off, u32 *val);
int nvmf_reg_write32(struct nvme_ctrl *ctrl, u32 off, u32 val);
int nvmf_reg_read64(struct nvme_ctrl *ctrl, u32 off, u64 *val);
int nvmf_get_address(struct nvme_ctrl *ctrl, char *buf, int size);
void nvmf_delete_ctrl_op(struct nvme_ctrl *ctrl);
void nvmf_free_ctrl_op(struct nvme_ctrl *ctrl);
void nvmf_disc_changed_op(struct nvme_ctrl *ctrl, u32 result);
int nvmf_uevent_op(struct nvme_ctrl *ctrl, struct kobj_uevent_env *env);
extern const struct attribute_group nvmf_ctrl_attr_group;

/**
 * NVMF_CTRL_OPS() - initialiser of a transport's struct nvme_ctrl_ops
 * @_name: sysfs "transport" value
 * @_flags: NVME_F_* beyond NVME_F_FABRICS
 *
 * Example: static const struct nvme_ctrl_ops tcp_ops = {
 * NVMF_CTRL_OPS("tcp", 0) };
 */
#define NVMF_CTRL_OPS(_name, _flags)				\
	.name = (_name), .module = THIS_MODULE,			\
	.flags = NVME_F_FABRICS | (_flags),			\
	.reg_read32 = nvmf_reg_read32,				\
	.reg_write32 = nvmf_reg_write32,			\
	.reg_read64 = nvmf_reg_read64,				\
	.free_ctrl = nvmf_free_ctrl_op,				\
	.delete_ctrl = nvmf_delete_ctrl_op,			\
	.get_address = nvmf_get_address,			\
	.attr_group = &nvmf_ctrl_attr_group,			\
	.disc_changed = nvmf_disc_changed_op,			\
	.uevent = nvmf_uevent_op

/*
 * Controller life cycle, for transports.
 *
 * nvmf_init_ctrl(): fills the fabrics part, registers /dev/nvmeN (through
 *	nvme_init_ctrl()) and takes ownership of @opts.  On failure the
 *	caller still owns @fctrl (kfree it) but not @opts.
 * nvmf_setup_ctrl(): first connect: admin queue, enable, identify, I/O
 *	queues, LIVE, scan.  On failure everything it set up is torn down;
 *	the caller then calls nvmf_abort_ctrl(), which unregisters and drops
 *	the last reference (-> ops->free_ctrl).
 */
int nvmf_init_ctrl(struct nvmf_ctrl *fctrl, struct device *dev,
		   const struct nvme_ctrl_ops *ctrl_ops,
		   const struct nvmf_queue_ops *ops,
		   struct nvmf_ctrl_options *opts);
int nvmf_setup_ctrl(struct nvmf_ctrl *fctrl);
void nvmf_abort_ctrl(struct nvmf_ctrl *fctrl);

/*
 * nvmf_delete_all_ctrls(): a transport's module_exit, after
 * nvmf_unregister_transport(): deletes its controllers and waits.
 */
void nvmf_delete_all_ctrls(const char *transport);

/*
 * Errors, for transports: call nvmf_error_recovery() when a queue broke
 * (socket closed, malformed PDU, ...).  Safe from any context, any number
 * of times; only the first call while LIVE does anything.
 */
void nvmf_error_recovery(struct nvmf_ctrl *fctrl);

/**
 * nvmf_timeout() - blk-mq ->timeout for every fabrics transport
 * @fctrl: the controller
 * @rq: the request that timed out
 * @qid: its queue
 *
 * While LIVE a timeout starts error recovery (which cancels the request)
 * and the timer is re-armed; while connecting or deleting the queue is
 * stopped and the request ends at once, so a hung Connect or Property Get
 * fails the attempt instead of blocking it.
 */
enum blk_eh_timer_return nvmf_timeout(struct nvmf_ctrl *fctrl,
				      struct request *rq, int qid);

/**
 * nvmf_check_ready() - may @rq be sent on a queue now?
 * @fctrl: the controller
 * @rq: the request
 * @queue_live: the transport's queue passed start_queue()
 *
 * A queue that is allocated but not live passes only its Connect.
 * When this returns false, ->queue_rq returns
 * nvme_fail_nonready(&fctrl->ctrl, rq).
 */
bool nvmf_check_ready(struct nvmf_ctrl *fctrl, struct request *rq,
		      bool queue_live);

/**
 * nvmf_map_queues() - ->map_queues of a fabrics I/O tag set
 * @set: the tag set (driver_data is the struct nvme_ctrl)
 *
 * Hardware queue i is I/O queue i + 1: first the default (write)
 * queues, then read queues, then poll queues.
 */
void nvmf_map_queues(struct blk_mq_tag_set *set);

/**
 * nvmf_queue_type() - which map an I/O queue belongs to
 * @fctrl: the controller, its io_queues[] set
 * @qid: I/O queue id (1 and up)
 * @first: set to the index (qid - 1) of that map's first queue
 *
 * Returns HCTX_TYPE_DEFAULT, _READ or _POLL, in nvmf_map_queues()'s
 * order, or HCTX_MAX_TYPES for a qid beyond every map.
 */
unsigned int nvmf_queue_type(struct nvmf_ctrl *fctrl, int qid,
			     unsigned int *first);

/**
 * nvmf_hctx_qid() - I/O queue id of a hardware context
 * @hctx: hardware context of the I/O tag set
 */
static inline int nvmf_hctx_qid(struct blk_mq_hw_ctx *hctx)
{
	return hctx->queue_num + 1;
}

/* Fabrics commands, also for transports that need them directly */
int nvmf_connect_admin_queue(struct nvmf_ctrl *fctrl);
int nvmf_connect_io_queue(struct nvmf_ctrl *fctrl, int qid);
int nvmf_prop_get(struct nvme_ctrl *ctrl, u32 off, bool is64, u64 *val);
int nvmf_prop_set(struct nvme_ctrl *ctrl, u32 off, bool is64, u64 val);
bool nvmf_is_connect_cmd(const struct nvme_sqe *cmd);

/* the host NQN / ID a controller sends in its Connect data */
const char *nvmf_ctrl_hostnqn(struct nvmf_ctrl *fctrl);

/* the discovery controller? */
static inline bool nvmf_is_discovery(struct nvmf_ctrl *fctrl)
{
	return fctrl->opts->discovery_nqn;
}

#endif /* NVME_OOT_FABRICS_FABRICS_H */
