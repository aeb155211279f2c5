/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet: the NVMe over Fabrics target core, and its interface to the
 * fabrics transports (nvmet-tcp, nvme-loop, nvmet-rdma, nvmet-fc).
 *
 * Owner: target core.  Transports include this header and nothing else
 * from target/.
 *
 * Objects and lifetimes
 * ---------------------
 *  port    one configfs ports/<id>/ directory.  The core "enables" a port
 *          (calls ops->add_port) when the first subsystem is linked into
 *          it, and disables it (ops->remove_port) when the last one is
 *          unlinked or the port directory goes.  port->priv belongs to the
 *          transport between add_port and remove_port.
 *  subsys  a subsystems/<nqn>/ directory, or the built-in discovery
 *          subsystem.  Refcounted; a controller holds a reference.
 *  ns      a namespace; I/O takes a reference on it for the duration of
 *          one request, so disabling it waits for in-flight I/O.
 *  ctrl    created by an admin-queue Connect (dynamic controller model),
 *          refcounted by every queue (sq) bound to it.  When the core wants
 *          it gone (keep-alive expiry, fatal error, subsystem unlinked from
 *          the port, shutdown) it calls ops->delete_ctrl(ctrl); the
 *          transport then tears down every queue whose sq->ctrl is @ctrl,
 *          and the controller is freed when the last queue lets go.
 *  sq/cq   one per transport queue, embedded in the transport's queue.
 *          nvmet_sq_init() before the first command, nvmet_sq_destroy()
 *          when the queue goes: it waits until every request that
 *          nvmet_req_init() accepted on this sq has completed.
 *
 * Life of a request (transport side)
 * ----------------------------------
 *  1. The transport has received a 64 byte command into req->cmd and has
 *     a response buffer at req->cqe; it sets req->port and calls
 *     nvmet_req_init(req, cq, sq, ops).  On false the command was already
 *     completed with an error (ops->queue_response was called; the
 *     transport must still receive and discard any in-capsule data).
 *  2. On true, req->transfer_len is the host buffer length the command
 *     describes (SGL1 length; a transport whose host describes its buffer
 *     otherwise, like loop, overwrites it) and the core has checked that it
 *     matches what the command needs (req->data_len).  If the command has
 *     data the transport calls nvmet_req_alloc_sgl() (or brings its own
 *     req->sg/sg_cnt), and for host-to-controller data fills it.
 *  3. nvmet_req_execute(req).  The core eventually calls
 *     nvmet_req_complete(), which fills req->cqe and calls
 *     ops->queue_response(req); for controller-to-host data req->sg then
 *     holds the data to send.  After sending, the transport calls
 *     nvmet_req_free_sgl() if it used nvmet_req_alloc_sgl().
 *  A transport that gives up on an accepted request before step 3 (socket
 *  died mid-data) calls nvmet_req_uninit(req) instead of executing it.
 *
 * Contexts
 * --------
 *  nvmet_req_init(), nvmet_req_execute(), nvmet_sq_init(): process context
 *  (the transport's work items), may sleep for memory.
 *  nvmet_req_complete() and therefore ops->queue_response(): ANY context,
 *  including hard and soft irq (bio completion); queue_response must not
 *  sleep (transports typically queue the response and kick a work item).
 *  nvmet_sq_destroy(): process context, sleeps until in-flight requests
 *  are done; do not call it from the queue's own I/O work.
 *  ops->add_port/remove_port/delete_ctrl: process context, may sleep;
 *  delete_ctrl should start teardown and return without waiting for it.
 *  nvmet_ctrl_fatal_error(): any context.
 */
#ifndef NVMET_OOT_NVMET_H
#define NVMET_OOT_NVMET_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include <linux/scatterlist.h>
#include <linux/configfs.h>
#include <linux/xarray.h>
#include <linux/bitmap.h>
#include <linux/uuid.h>
#include <linux/bio.h>
#include <linux/fs.h>
#include <linux/module.h>

#include "nvme/spec.h"
#include "nvme/fabrics.h"

#define NVMET_QUEUE_SIZE	1024	/* largest I/O queue (CAP.MQES + 1) */
#define NVMET_NR_QUEUES		128	/* default attr_qid_max */
#define NVMET_MAX_CMD		NVMET_QUEUE_SIZE
#define NVMET_AERL		4	/* outstanding AERs per controller */
#define NVMET_KAS		10	/* keep-alive granularity, 100 ms units */
#define NVMET_MAX_NAMESPACES	1024
#define NVMET_MAX_ANAGRPS	128	/* ANA group ids 1..128 */
#define NVMET_ANATT		10	/* ANA transition time, seconds */
#define NVMET_DEFAULT_INLINE	PAGE_SIZE	/* param_inline_data_size */
#define NVMET_MAX_INLINE	(128 * 1024)
#define NVMET_ERR_SLOTS		64	/* Error Information log entries kept */
#define NVMET_SN_LEN		20
#define NVMET_MN_MAX_LEN	40
#define NVMET_DEFAULT_MODEL	"Linux"
#define NVMET_MAX_CHANGED_NS	1024	/* entries in the Changed NS List log */

struct nvmet_ctrl;
struct nvmet_req;
struct nvmet_port;
struct nvmet_sq;
struct nvmet_ns;
struct nvmet_subsys;

/* ---- Transport ops ---- */

/* nvmet_fabrics_ops.flags */
#define NVMET_OPS_KEYED_SGLS		BIT(0)	/* RDMA keyed SGL data blocks */
#define NVMET_OPS_INLINE_DATA		BIT(1)	/* in-capsule data (offset SGLs) */
#define NVMET_OPS_DISABLE_SQFLOW	BIT(2)	/* may run without SQ flow ctrl */

/**
 * struct nvmet_fabrics_ops - what a transport provides to the core
 * @owner: the transport module; pinned while a port uses it
 * @type: transport type, &enum nvmf_trtype (the value of addr_trtype)
 * @flags: %NVMET_OPS_*
 * @msdbd: maximum SGL data block descriptors per command (Identify MSDBD)
 * @add_port: start listening on @port (its addr_* fields are set and
 *	locked while enabled).  Return 0 or a negative errno; configfs passes
 *	the errno to the writer of the symlink.
 * @remove_port: stop listening and start tearing down every queue
 *	accepted on @port.  Must not return before no new Connect can arrive
 *	through it; queue teardown may finish later (the core waits for the
 *	port's controllers to go before freeing the port, and a Connect that
 *	names a port no longer enabled fails).  Called with the core's config
 *	lock held: do not wait for queues here.
 * @queue_response: send req->cqe (and for a read the data in req->sg).
 *	Called from any context, must not sleep.
 * @delete_ctrl: tear down all queues of @ctrl (asynchronously is fine).
 * @install_queue: optional, called after a Connect for @sq succeeded and
 *	before its response is sent (sq->size and sq->qid are valid).
 *	Returns an NVMe status (0 on success).
 * @disc_traddr: optional, fill in the transport address a discovery log
 *	entry for @port should show to the host that sent @req (used when a
 *	port listens on a wildcard address).  @traddr has NVMF_TRADDR_LEN
 *	bytes.
 * @get_mdts: optional, Identify MDTS in units of 4 KiB pages as a power
 *	of two; 0 means no limit.  The core uses 0 when absent.
 */
struct nvmet_fabrics_ops {
	struct module *owner;
	unsigned int type;
	unsigned int flags;
	unsigned int msdbd;
	int (*add_port)(struct nvmet_port *port);
	void (*remove_port)(struct nvmet_port *port);
	void (*queue_response)(struct nvmet_req *req);
	void (*delete_ctrl)(struct nvmet_ctrl *ctrl);
	u16 (*install_queue)(struct nvmet_sq *sq);
	void (*disc_traddr)(struct nvmet_req *req, struct nvmet_port *port,
			    char *traddr);
	u8 (*get_mdts)(const struct nvmet_ctrl *ctrl);
};

/*
 * Register a transport; transports call this from module_init and must
 * declare MODULE_ALIAS("nvmet-transport-<trtype>"), e.g. "nvmet-transport-3"
 * for TCP, so that writing addr_trtype and linking a subsystem loads them.
 */
int nvmet_register_transport(const struct nvmet_fabrics_ops *ops);
void nvmet_unregister_transport(const struct nvmet_fabrics_ops *ops);

/* ---- Ports ---- */

/**
 * struct nvmet_ana_group - one ANA group of a port: ports/<id>/ana_groups/<grpid>
 * @group: its configfs directory (attribute ana_state)
 * @port: the port
 * @grpid: ANA group id, 1 to %NVMET_MAX_ANAGRPS
 */
struct nvmet_ana_group {
	struct config_group group;
	struct nvmet_port *port;
	u32 grpid;
};

/**
 * struct nvmet_port - one configfs port
 * @entry: in the global port list (nvmet_config_sem)
 * @portid: the port id (configfs directory name), shown in discovery
 * @trtype: &enum nvmf_trtype
 * @adrfam: &enum nvmf_adrfam
 * @treq: %NVMF_TREQ_* bits
 * @traddr: transport address, NUL terminated (e.g. "127.0.0.1")
 * @trsvcid: transport service id, NUL terminated (e.g. "4420")
 * @tsas: transport specific address subtype (discovery entry bytes)
 * @inline_data_size: param_inline_data_size, bytes of in-capsule data the
 *	transport accepts; -1 means "transport default" until enabled
 * @enabled: add_port succeeded and remove_port not yet called
 * @subsystems: &struct nvmet_subsys_link list of linked subsystems
 * @referrals: &struct nvmet_port of referrals (their @entry is used)
 * @tr_ops: the transport while enabled
 * @priv: transport private data while enabled
 * @group: configfs group of the port
 * @subsys_group: ports/<id>/subsystems/
 * @referrals_group: ports/<id>/referrals/
 * @ana_group: ports/<id>/ana_groups/
 * @ana_default: ana_groups/1, always there
 * @ana_state: the state of each ANA group id through this port (index 0
 *	unused); a group the port has no directory for is inaccessible
 * @ana_present: the group ids with a directory under @ana_group
 * @is_referral: this object is a referral entry, not a real port
 * @parent: for a referral, its port
 * @nr_ctrls: controllers created through this port (core internal)
 */
struct nvmet_port {
	struct list_head entry;
	u16 portid;
	u8 trtype;
	u8 adrfam;
	u8 treq;
	char traddr[NVMF_TRADDR_LEN];
	char trsvcid[NVMF_TRSVCID_LEN];
	u8 tsas[NVMF_TSAS_LEN];
	int inline_data_size;
	bool enabled;
	struct list_head subsystems;
	struct list_head referrals;
	const struct nvmet_fabrics_ops *tr_ops;
	void *priv;
	struct config_group group;
	struct config_group subsys_group;
	struct config_group referrals_group;
	struct config_group ana_group;
	struct nvmet_ana_group ana_default;
	u8 ana_state[NVMET_MAX_ANAGRPS + 1];
	DECLARE_BITMAP(ana_present, NVMET_MAX_ANAGRPS + 1);
	bool is_referral;
	struct nvmet_port *parent;
	atomic_t nr_ctrls;
};

/* ---- Queues ---- */

/**
 * struct nvmet_cq - completion side of a queue (fabrics pair it 1:1 with
 * the submission side)
 * @size: entries (not 0 based)
 * @qid: queue id
 */
struct nvmet_cq {
	u16 size;
	u16 qid;
};

/**
 * struct nvmet_sq - submission side of a queue
 * @qid: queue id (valid after Connect)
 * @size: entries (not 0 based, valid after Connect)
 * @sqhd_disabled: SQ flow control disabled at Connect
 * @sqhd: submission queue head reported in completions
 * @ctrl: controller once Connect succeeded, else NULL
 * @ref: one reference per accepted, not yet completed request
 * @confirm_done: the kill of @ref is visible on every CPU
 * @free_done: @ref dropped to zero after the kill
 * @page_lock: protects the page cache fields below
 * @pages: data pages of finished commands, kept for the next ones
 *	(linked by page->lru; see nvmet_req_alloc_sgl())
 * @busy_pages: pages given back while someone else (a socket) still held
 *	them, oldest first; they move to @pages once that holder let go
 * @nr_pages: pages in @pages
 * @nr_busy: pages in @busy_pages (with @nr_pages at most
 *	%NVMET_SQ_CACHE_PAGES)
 * @pages_closed: nvmet_sq_destroy() emptied the lists: put, do not keep
 */
struct nvmet_sq {
	u16 qid;
	u16 size;
	bool sqhd_disabled;
	u32 sqhd;
	struct nvmet_ctrl *ctrl;
	struct percpu_ref ref;
	struct completion confirm_done;
	struct completion free_done;
	spinlock_t page_lock;	/* the page cache fields below */
	struct list_head pages;
	struct list_head busy_pages;
	unsigned int nr_pages;
	unsigned int nr_busy;
	bool pages_closed;
};

/*
 * Data pages one queue keeps between commands (1 MiB): what was in flight
 * at once on the queue, up to this, is reused without a trip through the
 * page allocator (which also zeroes each page on init_on_alloc kernels).
 */
#define NVMET_SQ_CACHE_PAGES	256

int nvmet_sq_init(struct nvmet_sq *sq);
void nvmet_sq_destroy(struct nvmet_sq *sq);
void nvmet_cq_init(struct nvmet_cq *cq);

/* ---- Requests ---- */

/* in-line bio vectors for small block-device I/O */
#define NVMET_INLINE_BVECS	8

/**
 * struct nvmet_req - one command in flight
 * @cmd: the submission entry (transport owned memory)
 * @cqe: the completion entry to fill (transport owned memory)
 * @sq: queue the command arrived on
 * @cq: completion queue of that queue
 * @ns: namespace of an I/O command (referenced), else NULL
 * @sg: data buffer scatterlist
 * @sg_cnt: entries in @sg
 * @transfer_len: bytes of data the host's data pointer describes
 * @data_len: bytes the command needs (computed by the core)
 * @port: port the command arrived through (set by the transport)
 * @ops: transport ops
 * @execute: handler chosen by nvmet_req_init()
 * @error_loc: byte offset in the command of a bad field, for the error log
 * @work: used by handlers that finish in process context (file backend,
 *	async admin commands)
 * @b: block device backend state
 * @b.bio: first bio (inline)
 * @b.inline_bvec: its vectors
 * @f: file backend state
 * @f.iocb: kiocb of the file I/O
 * @f.bvec: bio_vec array built from @sg
 * @f.inline_bvec: @f.bvec for small I/O
 * @priv: transport private pointer, untouched by the core
 */
struct nvmet_req {
	struct nvme_sqe *cmd;
	struct nvme_cqe *cqe;
	struct nvmet_sq *sq;
	struct nvmet_cq *cq;
	struct nvmet_ns *ns;
	struct scatterlist *sg;
	unsigned int sg_cnt;
	u32 transfer_len;
	u32 data_len;
	struct nvmet_port *port;
	const struct nvmet_fabrics_ops *ops;
	void (*execute)(struct nvmet_req *req);
	u16 error_loc;
	struct work_struct work;
	union {
		struct {
			struct bio bio;
			struct bio_vec inline_bvec[NVMET_INLINE_BVECS];
		} b;
		struct {
			struct kiocb iocb;
			struct bio_vec *bvec;
			struct bio_vec inline_bvec[NVMET_INLINE_BVECS];
		} f;
	};
	void *priv;
};

bool nvmet_req_init(struct nvmet_req *req, struct nvmet_cq *cq,
		    struct nvmet_sq *sq, const struct nvmet_fabrics_ops *ops);
void nvmet_req_uninit(struct nvmet_req *req);
void nvmet_req_execute(struct nvmet_req *req);
void nvmet_req_complete(struct nvmet_req *req, u16 status);
int nvmet_req_alloc_sgl(struct nvmet_req *req);
void nvmet_req_free_sgl(struct nvmet_req *req);

/*
 * Bytes of the command's data a transport should expect for a command
 * that nvmet_req_init() accepted: 0 if it transfers none.
 */
static inline u32 nvmet_req_data_len(const struct nvmet_req *req)
{
	return req->data_len;
}

/*
 * True if the command's data (if any) moves from the host to the
 * controller: the transport must receive req->data_len bytes into req->sg
 * before nvmet_req_execute().  Fabrics commands do not follow the opcode
 * direction bits: only Connect carries (host to controller) data.
 */
static inline bool nvmet_req_is_write(const struct nvmet_req *req)
{
	if (req->cmd->opc == NVME_ADM_FABRICS)
		return ((const struct nvmf_common_cmd *)req->cmd)->fctype ==
			NVMF_FCTYPE_CONNECT;
	return nvme_opc_host_to_ctrl(req->cmd->opc);
}

/*
 * Tell the core a controller is broken (transport level error): sets
 * CSTS.CFS and schedules its deletion.  Any context.
 */
void nvmet_ctrl_fatal_error(struct nvmet_ctrl *ctrl);

/* ---- Core objects (transports need only the fields they read) ---- */

/**
 * struct nvmet_ctrl - a controller (one host association)
 * @subsys: its subsystem (referenced)
 * @port: the port the admin Connect arrived through
 * @ops: the transport
 * @ref: references: one per bound sq plus temporary lookups
 * @lock: protects @cc/@csts, the AER state and the changed-ns list
 * @cntlid: controller id
 * @cc: controller configuration property
 * @csts: controller status property
 * @cap: controller capabilities property
 * @sqs: submission queues by qid (NULL: not connected)
 * @nr_sqs: entries in @sqs (attr_qid_max + 1)
 * @subsys_entry: in subsys->ctrls
 * @hostnqn: host NQN from Connect
 * @hostid: host id from Connect
 * @kato: keep-alive timeout in ms, 0 = off
 * @ka_work: keep-alive timer
 * @fatal_work: deletes the controller after a fatal error
 * @async_event_work: matches queued events with outstanding AERs
 * @aer_reqs: outstanding Asynchronous Event Requests
 * @nr_aer: number of them
 * @aen_enabled: Async Event Configuration (feature 0Bh)
 * @aen_masked: notice types already reported and not yet cleared by
 *	reading the corresponding log page
 * @events: pending events (dw0 values), FIFO
 * @nr_events: entries in @events
 * @changed_ns: Changed Namespace List log entries
 * @nr_changed_ns: entries used; NVMET_MAX_CHANGED_NS + 1 means overflow
 * @err_lock: protects @err_count and @err_log (any context)
 * @err_count: failed commands logged so far
 * @err_log: the last %NVMET_ERR_SLOTS of them; the next goes to slot
 *	@err_count % %NVMET_ERR_SLOTS
 * @inline_data_size: in-capsule data bytes the port accepted at Connect
 * @flags: NVMET_CTRL_* state bits (core internal)
 * @free_work: frees the controller after the last reference
 */
struct nvmet_ctrl {
	struct nvmet_subsys *subsys;
	struct nvmet_port *port;
	const struct nvmet_fabrics_ops *ops;
	struct kref ref;
	struct mutex lock;	/* CC/CSTS, AER state, changed ns */
	u16 cntlid;
	u32 cc;
	u32 csts;
	u64 cap;
	struct nvmet_sq **sqs;
	u16 nr_sqs;
	struct list_head subsys_entry;
	char hostnqn[NVMF_NQN_FIELD_LEN];
	uuid_t hostid;
	u32 kato;
	struct delayed_work ka_work;
	struct work_struct fatal_work;
	struct work_struct async_event_work;
	struct nvmet_req *aer_reqs[NVMET_AERL];
	unsigned int nr_aer;
	u32 aen_enabled;
	u32 aen_masked;
	u32 events[8];
	unsigned int nr_events;
	__le32 *changed_ns;
	unsigned int nr_changed_ns;
	spinlock_t err_lock;	/* @err_count, @err_log */
	u64 err_count;
	struct nvme_err_log_entry err_log[NVMET_ERR_SLOTS];
	int inline_data_size;
	unsigned long flags;
	struct work_struct free_work;
};

/* Keep a controller alive while a transport looks at it outside an sq. */
bool nvmet_ctrl_get(struct nvmet_ctrl *ctrl);
void nvmet_ctrl_put(struct nvmet_ctrl *ctrl);

/* ---- Core internals (target/ only) ---- */
#ifdef NVMET_CORE_INTERNAL
#include "nvmet-core.h"
#endif

#endif /* NVMET_OOT_NVMET_H */
