/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme-tcp: the NVMe/TCP host transport, internal interface between
 * host.c (controller, sockets, connection setup, queue ops of the shared
 * fabrics machine) and host-io.c (the per-queue send and receive engines).
 *
 * One struct ntcp_queue per NVMe queue: one TCP socket, one work item on
 * the nvme_tcp_wq workqueue (bound to the queue's CPU) that receives and
 * sends, and one mutex that serialises both directions.  Requests reach
 * the queue through a lock-free list from ->queue_rq; the sender moves
 * them to its own list and walks each through a small state machine
 * (command header, data, data digest; H2CData header, data, digest per
 * R2T).  The receiver reads PDUs with ->read_sock() straight from the
 * socket's queue: header into a fixed buffer, data into the request's
 * pages, digests folded in as it goes.
 */
#ifndef NVME_OOT_TCP_HOST_H
#define NVME_OOT_TCP_HOST_H

#include <linux/blk-mq.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/workqueue.h>

#include "../fabrics.h"
#include "wire.h"

/* in-capsule data on the admin queue: fixed by the TCP transport binding */
#define NTCP_ADMIN_ICD		8192
/* header bytes before the data: a capsule header, digest and pad */
#define NTCP_TX_HDR_MAX		128
/* receive buffer: the largest header (ICResp) and its digest */
#define NTCP_RX_HDR_MAX		(NVME_TCP_MAX_HDR + NVME_TCP_DIGEST_LEN)

/*
 * Command identifiers: the blk-mq tag in the low bits, a 4 bit generation
 * count in the high bits, so that a response for an earlier use of the
 * same tag is recognised as stale.
 */
#define NTCP_TAG_BITS		12
#define NTCP_TAG_MASK		((1u << NTCP_TAG_BITS) - 1)
#define NTCP_GEN_MASK		0xfu

struct ntcp_ctrl;

/* struct ntcp_queue.flags */
#define NTCP_Q_ALLOCATED	0	/* socket connected, ICResp accepted */
#define NTCP_Q_LIVE		1	/* Connect done: every command may go */
#define NTCP_Q_STOPPED		2	/* stop_queue() ran: no send, no recv */
#define NTCP_Q_ERR		3	/* protocol or socket error seen */
#define NTCP_Q_ERR_HANDLED	4	/* the error went to the recovery */
#define NTCP_Q_POLLING		5	/* ->poll is receiving */
#define NTCP_Q_PEER_CLOSED	6	/* the socket is going down */

/* the sender's progress with one request (struct ntcp_req.tx) */
enum ntcp_tx_state {
	NTCP_TX_IDLE,		/* nothing to send: waiting for the peer */
	NTCP_TX_QUEUED,		/* on the queue's lists, nothing sent yet */
	NTCP_TX_HDR,		/* sending the capsule or H2CData header */
	NTCP_TX_DATA,		/* sending data of the current PDU */
	NTCP_TX_DDGST,		/* sending the data digest */
	NTCP_TX_WAIT_R2T,	/* capsule sent, its data waits for an R2T */
};

/* the receiver's position in the byte stream (struct ntcp_queue.rx) */
enum ntcp_rx_state {
	NTCP_RX_HDR,		/* reading a PDU header (and its digest) */
	NTCP_RX_PAD,		/* skipping pad before C2HData data */
	NTCP_RX_DATA,		/* copying C2HData data into the request */
	NTCP_RX_DDGST,		/* reading the data digest */
};

/**
 * struct ntcp_cursor - position in a request's data, one page at a time
 * @bio: current bio, NULL for a special payload (DSM ranges)
 * @bvec: the bvec array @iter walks
 * @iter: position in @bvec
 */
struct ntcp_cursor {
	struct bio *bio;
	struct bio_vec *bvec;
	struct bvec_iter iter;
};

/**
 * struct ntcp_req - per-request driver data
 * @req: core part, must be first
 * @queue: the queue the request's hardware context drives
 * @lentry: on @queue->req_list (from ->queue_rq)
 * @entry: on @queue->send_list (sender)
 * @hdr: the PDU header being sent: capsule or H2CData, digest and pad
 * @hdr_len: bytes of @hdr to send (header, digest, pad)
 * @hdr_off: bytes of @hdr already sent
 * @data_len: the command's data length
 * @icd_len: bytes of data sent in the capsule
 * @xfer_off: offset of the next data byte to send or receive
 * @pdu_left: data bytes of the current PDU still to send
 * @r2t_end: offset one past the last byte the current R2T asked for
 * @ttag: transfer tag of the current R2T
 * @cid: command identifier on the wire
 * @gen: generation count of the tag
 * @tx: &enum ntcp_tx_state
 * @crc: data digest being computed over the data sent
 * @ddgst: data digest to send, little endian
 * @ddgst_off: bytes of @ddgst already sent
 * @cur: data position
 */
struct ntcp_req {
	struct nvme_request req;
	struct ntcp_queue *queue;
	struct llist_node lentry;
	struct list_head entry;
	union {
		struct nvme_tcp_cmd_pdu cmd;
		struct nvme_tcp_data_pdu data;
		u8 raw[NTCP_TX_HDR_MAX];
	} hdr;
	u32 hdr_len;
	u32 hdr_off;
	u32 data_len;
	u32 icd_len;
	u32 xfer_off;
	u32 pdu_left;
	u32 r2t_end;
	u16 ttag;
	u16 cid;
	u8 gen;
	u8 tx;
	u8 ddgst_off;
	u32 crc;
	__le32 ddgst;
	struct ntcp_cursor cur;
};

/**
 * struct ntcp_queue - one NVMe queue: its socket and I/O context
 * @ctrl: owning controller
 * @sock: the TCP socket, NULL when not allocated
 * @io_work: receives and sends; runs on nvme_tcp_wq at @io_cpu
 * @io_cpu: CPU the work runs on (WORK_CPU_UNBOUND for the admin queue)
 * @spread: @io_cpu is not the queue's home CPU (spread_io_work): a
 *	submitter that does not run on @io_cpu sends directly only into an
 *	idle queue, and @nr_active is counted
 * @nr_active: requests between ->queue_rq and their completion on a
 *	@spread queue (a hint: requests cancelled by recovery are not
 *	counted down; reset per connection)
 * @inline_run: direct sends from ->queue_rq since the last probe
 * @probe_shift: the probe interval is NTCP_INLINE_PROBE << @probe_shift
 * @idle_run: submissions in a row that found nothing else in flight
 * @qid: queue id, 0 for admin
 * @polled: a queue of the HCTX_TYPE_POLL map
 * @flags: NTCP_Q_*
 * @lock: serialises the sender, io_work and ->poll of this queue
 * @req_list: requests from ->queue_rq not yet seen by the sender
 * @send_list: requests the sender will walk, in order
 * @send_req: the request being sent, or NULL
 * @wire: what the receiver accepts (digests, alignment)
 * @hdgst: header digests on
 * @ddgst: data digests on
 * @tx_pda: data alignment the controller wants (CPDA, 0's based dwords)
 * @maxh2cdata: largest H2CData data length the controller accepts
 * @icd_max: largest in-capsule data length the controller accepts
 * @rx: &enum ntcp_rx_state
 * @rx_have: header bytes in @rx_hdr
 * @rx_need: header bytes to read (8 until the common header is known)
 * @rx_left: pad, data or digest bytes left in the current state
 * @rx_data: data bytes of the current C2HData PDU
 * @rx_flags: common header flags of the current C2HData PDU
 * @rx_req: request the current C2HData PDU belongs to
 * @rx_crc: data digest being computed over the data received
 * @rx_ddgst: data digest read from the wire
 * @rx_softirq: the receiver runs in the socket callback (softirq)
 * @rx_deferred: the header in @rx_hdr waits for io_work to handle it
 * @nr_done: completions delivered by the current receive pass
 * @term_fes: FES of the H2CTermReq to send on error, 0 for none
 * @term_fei: its FEI
 * @term_len: header bytes of the offending PDU in @rx_hdr
 * @rx_hdr: the PDU header being read
 * @sk_data_ready: socket callback replaced while the queue is up
 * @sk_write_space: socket callback replaced while the queue is up
 * @sk_state_change: socket callback replaced while the queue is up
 */
struct ntcp_queue {
	struct ntcp_ctrl *ctrl;
	struct socket *sock;
	struct work_struct io_work;
	int io_cpu;
	bool spread;
	atomic_t nr_active;
	u16 inline_run;
	u8 probe_shift;
	u16 idle_run;
	u16 qid;
	bool polled;
	unsigned long flags;
	struct mutex lock;	/* sender, io_work, poll */
	struct llist_head req_list;
	struct list_head send_list;
	struct ntcp_req *send_req;

	struct nvme_tcp_wire wire;
	bool hdgst;
	bool ddgst;
	u8 tx_pda;
	u32 maxh2cdata;
	u32 icd_max;

	u8 rx;
	u32 rx_have;
	u32 rx_need;
	u32 rx_left;
	u32 rx_data;
	u8 rx_flags;
	struct ntcp_req *rx_req;
	u32 rx_crc;
	__le32 rx_ddgst;
	bool rx_softirq;
	bool rx_deferred;
	int nr_done;
	u16 term_fes;
	u32 term_fei;
	u32 term_len;
	u8 rx_hdr[NTCP_RX_HDR_MAX] __aligned(8);

	void (*sk_data_ready)(struct sock *sk);
	void (*sk_write_space)(struct sock *sk);
	void (*sk_state_change)(struct sock *sk);
};

/**
 * struct ntcp_ctrl - an NVMe/TCP controller
 * @fctrl: fabrics part (embeds struct nvme_ctrl), first
 * @queues: admin queue and every I/O queue the options allow
 * @nr_queues: entries in @queues
 * @addr: the target's address
 * @src_addr: local address to bind to (host_traddr), if @has_src
 * @has_src: host_traddr given
 * @ifindex: interface to bind to (host_iface), 0 for any
 */
struct ntcp_ctrl {
	struct nvmf_ctrl fctrl;
	struct ntcp_queue *queues;
	unsigned int nr_queues;
	struct sockaddr_storage addr;
	struct sockaddr_storage src_addr;
	bool has_src;
	int ifindex;
};

static inline struct ntcp_ctrl *to_ntcp(struct nvme_ctrl *ctrl)
{
	return container_of(to_nvmf_ctrl(ctrl), struct ntcp_ctrl, fctrl);
}

static inline struct device *ntcp_dev(struct ntcp_queue *q)
{
	return q->ctrl->fctrl.ctrl.dev;
}

extern struct workqueue_struct *ntcp_wq;
extern const struct blk_mq_ops ntcp_admin_mq_ops;
extern const struct blk_mq_ops ntcp_mq_ops;

/* host-io.c */
void ntcp_io_work(struct work_struct *work);
void ntcp_sk_data_ready(struct sock *sk);
void ntcp_sk_write_space(struct sock *sk);
void ntcp_sk_state_change(struct sock *sk);
__printf(2, 3) void ntcp_queue_error(struct ntcp_queue *q, const char *fmt, ...);
void ntcp_reset_queue_state(struct ntcp_queue *q);
void ntcp_drop_requests(struct ntcp_queue *q);

#endif /* NVME_OOT_TCP_HOST_H */
