/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-rdma internals shared by target.c (queues, data path, CM, ports)
 * and target-buf.c (devices, receive buffers, response contexts).
 */
#ifndef NVME_OOT_RDMA_TARGET_H
#define NVME_OOT_RDMA_TARGET_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_cm.h>
#include <rdma/rw.h>

#include "../../target/nvmet.h"
#include "wire.h"

#define NVMET_RDMA_MDTS			8	/* 2^8 pages of 4 KiB: 1 MiB */
#define NVMET_RDMA_MAX_XFER		(4096u << NVMET_RDMA_MDTS)
#define NVMET_RDMA_MAX_QUEUE		NVMET_QUEUE_SIZE
#define NVMET_RDMA_MAX_INLINE_PAGES	16
#define NVMET_RDMA_BACKLOG		128
#define NVMET_RDMA_REPAIR_DELAY		(5 * HZ)
#define NVMET_RDMA_SRQ_SIZE		1024	/* receive buffers of one SRQ */

/*
 * A CM ID's context is either a port (listener) or a queue; both start
 * with this tag so the event handler can tell them apart.
 */
struct nvmet_rdma_cm_ctx {
	bool listener;
};

struct nvmet_rdma_cmd;

/**
 * struct nvmet_rdma_srq - a shared receive queue and the buffers it owns
 * @srq: the verbs SRQ
 * @ibdev: its device
 * @cmds: @size receive buffers, posted to @srq whenever no command holds
 *	them; they live as long as the SRQ, not as a queue
 * @size: entries of @cmds
 * @inline_pages: in-capsule data pages of every buffer
 */
struct nvmet_rdma_srq {
	struct ib_srq *srq;
	struct ib_device *ibdev;
	struct nvmet_rdma_cmd *cmds;
	u32 size;
	u16 inline_pages;
};

/**
 * struct nvmet_rdma_dev - per RDMA device state shared by its queues
 * @ibdev: the device
 * @pd: protection domain of every queue on the device
 * @ref: one per queue
 * @entry: in nvmet_rdma_devs (nvmet_rdma_dev_mutex)
 * @removing: the device is going away: no new queues (set under both
 *	mutexes)
 * @srqs: with use_srq and a device that has SRQs, one per completion
 *	vector (up to the device's max_srq), else NULL.  Created with the
 *	device state, destroyed with it: after the last queue (and so the
 *	last QP attached to one) is gone.
 * @nr_srqs: entries of @srqs
 * @srq_inline: in-capsule data bytes the SRQ buffers take (the inline
 *	data size of the port whose connection created the device state); a
 *	queue allowed more keeps per-queue receive buffers
 */
struct nvmet_rdma_dev {
	struct ib_device *ibdev;
	struct ib_pd *pd;
	struct kref ref;
	struct list_head entry;
	bool removing;
	struct nvmet_rdma_srq *srqs;
	int nr_srqs;
	u32 srq_inline;
};

/**
 * struct nvmet_rdma_port - an enabled configfs port
 * @ctx: CM context tag (listener)
 * @nport: the core's port
 * @addr: address listened on
 * @cm_id: the listening CM ID, NULL while the device is gone
 * @cm_lock: guards @cm_id and the queueing of @repair_work
 * @repair_work: re-creates the listener after a device removal
 * @removing: remove_port has started
 * @ref: held by remove_port's caller and by every queue of the port
 *
 * remove_port runs under the core's nvmet_config_sem, which a Connect in
 * flight on one of the port's queues may be waiting for, so it only starts
 * the queues' teardown; they keep the port alive with @ref.
 */
struct nvmet_rdma_port {
	struct nvmet_rdma_cm_ctx ctx;
	struct kref ref;
	struct nvmet_port *nport;
	struct sockaddr_storage addr;
	struct rdma_cm_id *cm_id;
	struct mutex cm_lock;	/* @cm_id, and queueing @repair_work */
	struct delayed_work repair_work;
	atomic_t removing;
};

/**
 * struct nvmet_rdma_cmd - one receive buffer (a command capsule)
 * @srq: the SRQ that owns the buffer, NULL for a queue's own buffer
 * @cqe: completion handler
 * @wr: the receive work request
 * @sge: SQE followed by the in-capsule data pages
 * @sqe: the received command
 * @pages: in-capsule data pages (I/O queues)
 * @sg: scatterlist handed to the core for in-capsule data
 * @byte_len: bytes received into the buffer
 */
struct nvmet_rdma_cmd {
	struct nvmet_rdma_srq *srq;
	struct ib_cqe cqe;
	struct ib_recv_wr wr;
	struct ib_sge sge[1 + NVMET_RDMA_MAX_INLINE_PAGES];
	struct nvme_sqe *sqe;
	struct page *pages[NVMET_RDMA_MAX_INLINE_PAGES];
	struct scatterlist sg[NVMET_RDMA_MAX_INLINE_PAGES];
	u32 byte_len;
};

enum nvmet_rdma_wait {
	NVMET_RDMA_WAIT_READ,	/* RDMA READ of the host's data to post */
	NVMET_RDMA_WAIT_SEND,	/* response (and RDMA WRITEs) to post */
};

/**
 * struct nvmet_rdma_rsp - a command in flight and its response
 * @req: the core's request
 * @cqe: response buffer (DMA mapped to the device)
 * @cqe_dma: its bus address
 * @send_cqe: completion of the response SEND
 * @read_cqe: completion of the RDMA READ of write data
 * @send_wr: the response SEND
 * @send_sge: its one SGE
 * @rw: RDMA READ/WRITE context for keyed data
 * @cmd: the receive buffer the command arrived in
 * @queue: owning queue
 * @data: decoded data pointer of the command
 * @entry: free list, pending list or wait list
 * @n_rdma: send queue slots of the RDMA READ/WRITE work requests
 * @credits: send queue slots taken by the posted response
 * @wait: what the rsp waits for on the wait list
 * @write: the command moves data from the host to the controller (kept
 *	here: the SQE buffer is reused once the receive is reposted)
 * @end_queue: the command was bad: end the queue once the response is out
 * @rw_inited: @rw holds a mapping to destroy
 * @own_sgl: req.sg came from nvmet_req_alloc_sgl()
 * @dynamic: allocated beyond the queue's pool
 */
struct nvmet_rdma_rsp {
	struct nvmet_req req;
	struct nvme_cqe *cqe;
	u64 cqe_dma;
	struct ib_cqe send_cqe;
	struct ib_cqe read_cqe;
	struct ib_send_wr send_wr;
	struct ib_sge send_sge;
	struct rdma_rw_ctx rw;
	struct nvmet_rdma_cmd *cmd;
	struct nvmet_rdma_queue *queue;
	struct nvme_rdma_data data;
	struct list_head entry;
	int n_rdma;
	int credits;
	u8 wait;
	bool write;
	bool end_queue;
	bool rw_inited;
	bool own_sgl;
	bool dynamic;
};

enum nvmet_rdma_queue_state {
	NVMET_RDMA_Q_CONNECTING,
	NVMET_RDMA_Q_LIVE,
	NVMET_RDMA_Q_DISCONNECTING,
};

/* queue->flags */
#define NVMET_RDMA_Q_LOGGED	0	/* the one error line has been printed */

/**
 * struct nvmet_rdma_queue - one NVMe queue on one RC queue pair
 * @ctx: CM context tag (not a listener)
 * @cm_id: the connection's CM ID
 * @qp: queue pair
 * @cq: completion queue for sends and receives
 * @comp_vector: completion vector of @cq
 * @srq: the shared receive queue the QP takes its receives from, or NULL
 *	(receives from @cmds)
 * @dev: the RDMA device
 * @port: the port the connection arrived through
 * @nsq: core submission queue
 * @ncq: core completion queue
 * @state_lock: protects @state and @pending
 * @state: &enum nvmet_rdma_queue_state
 * @pending: commands received before the connection was established
 * @flags: %NVMET_RDMA_Q_* bits
 * @release_work: tears the queue down
 * @entry: in nvmet_rdma_queues (nvmet_rdma_queue_mutex)
 * @idx: number for log messages
 * @qid: queue ID from the connect private data
 * @sq_size: receive buffers = commands the host may have outstanding
 * @inline_pages: in-capsule data pages per receive buffer
 * @lim: limits the host's capsules are checked against
 * @port_num: RDMA port of the connection
 * @send_inv: the device can send with remote invalidation
 * @sq_inited: nvmet_sq_init() succeeded
 * @cmds: receive buffers of a queue without @srq
 * @rsps: response pool
 * @nr_rsps: entries in @rsps
 * @rsp_lock: protects @free_rsps
 * @free_rsps: unused entries of @rsps
 * @nr_dynamic: contexts allocated beyond @rsps, at most @nr_rsps: a host
 *	that sends commands but takes no responses ends its queue there
 * @sq_wr_total: send queue slots in all
 * @sq_wr_avail: free send queue slots
 * @wait_lock: protects @wait_list
 * @wait_list: requests waiting for send queue slots, in order
 */
struct nvmet_rdma_queue {
	struct nvmet_rdma_cm_ctx ctx;
	struct rdma_cm_id *cm_id;
	struct ib_qp *qp;
	struct ib_cq *cq;
	int comp_vector;
	struct nvmet_rdma_srq *srq;
	struct nvmet_rdma_dev *dev;
	struct nvmet_rdma_port *port;
	struct nvmet_sq nsq;
	struct nvmet_cq ncq;
	spinlock_t state_lock;	/* @state, @pending */
	int state;
	struct list_head pending;
	unsigned long flags;
	struct work_struct release_work;
	struct list_head entry;
	int idx;
	u16 qid;
	u16 sq_size;
	u16 inline_pages;
	struct nvme_rdma_limits lim;
	u32 port_num;
	bool send_inv;
	bool sq_inited;
	struct nvmet_rdma_cmd *cmds;
	struct nvmet_rdma_rsp *rsps;
	u32 nr_rsps;
	spinlock_t rsp_lock;	/* @free_rsps */
	struct list_head free_rsps;
	atomic_t nr_dynamic;
	u32 sq_wr_total;
	atomic_t sq_wr_avail;
	spinlock_t wait_lock;	/* @wait_list */
	struct list_head wait_list;
};

/* target-buf.c */
extern struct list_head nvmet_rdma_devs;
extern struct mutex nvmet_rdma_dev_mutex;
struct nvmet_rdma_dev *nvmet_rdma_dev_get(struct ib_device *ibdev,
					  u32 inline_size);
void nvmet_rdma_dev_put(struct nvmet_rdma_dev *dev);
struct nvmet_rdma_srq *nvmet_rdma_dev_srq(struct nvmet_rdma_dev *dev,
					  u32 inline_size, int comp_vector);
void nvmet_rdma_sync_cmd(struct ib_device *ibdev, struct nvmet_rdma_cmd *cmd);
int nvmet_rdma_srq_post(struct nvmet_rdma_cmd *cmd);
int nvmet_rdma_alloc_cmds(struct nvmet_rdma_queue *queue);
void nvmet_rdma_free_cmds(struct nvmet_rdma_queue *queue);
int nvmet_rdma_alloc_rsps(struct nvmet_rdma_queue *queue);
void nvmet_rdma_free_rsps(struct nvmet_rdma_queue *queue);
struct nvmet_rdma_rsp *nvmet_rdma_get_rsp(struct nvmet_rdma_queue *queue);
void nvmet_rdma_put_rsp(struct nvmet_rdma_rsp *rsp);
void nvmet_rdma_unmap_rsp(struct nvmet_rdma_rsp *rsp);
void nvmet_rdma_release_rsp(struct nvmet_rdma_rsp *rsp);

/* target.c: completion handlers */
void nvmet_rdma_recv_done(struct ib_cq *cq, struct ib_wc *wc);
void nvmet_rdma_send_done(struct ib_cq *cq, struct ib_wc *wc);
void nvmet_rdma_read_done(struct ib_cq *cq, struct ib_wc *wc);

#endif /* NVME_OOT_RDMA_TARGET_H */
