/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-tcp private definitions: target.c runs one connection (queue),
 * target-port.c owns the listening sockets, the transport ops and the
 * module.
 */
#ifndef NVMET_TCP_TARGET_H
#define NVMET_TCP_TARGET_H

#include <linux/net.h>
#include <linux/socket.h>
#include <linux/llist.h>
#include <net/sock.h>

#include "../../target/nvmet.h"
#include "wire.h"

/* largest H2CData PDU we accept; R2Ts ask for the whole transfer */
#define NVMET_TCP_MAXH2CDATA	0x40000
/* in-capsule data default when param_inline_data_size is not set */
#define NVMET_TCP_DEF_INLINE	(16 * 1024)
/* the admin queue takes Connect and admin data in the capsule */
#define NVMET_TCP_ADMIN_INLINE	8192
/* received header buffer: pdo is a u8, so pad and header end below 256 */
#define NVMET_TCP_RX_HDR_BUF	256
/* sent header buffer: C2HData with the largest HPDA starts data at 128 */
#define NVMET_TCP_TX_HDR	128

/**
 * struct nvmet_tcp_port - a listening socket (nvmet_port.priv)
 * @sock: the listening socket
 * @nport: the core's port
 * @accept_work: accepts new connections
 * @addr: address bound
 * @data_ready: the socket's original callback
 * @ref: held by remove_port's caller until it returns and by every queue
 *	accepted here (queues end asynchronously, after remove_port)
 */
struct nvmet_tcp_port {
	struct kref ref;
	struct socket *sock;
	struct nvmet_port *nport;
	struct work_struct accept_work;
	struct sockaddr_storage addr;
	void (*data_ready)(struct sock *sk);
};

enum nvmet_tcp_cmd_state {
	NVMET_TCP_CMD_AWAIT_DATA,	/* accepted, host data still coming */
	NVMET_TCP_CMD_EXEC,		/* in the core */
	NVMET_TCP_CMD_SEND,		/* completed, response being sent */
};

enum nvmet_tcp_tx_state {
	NVMET_TCP_TX_R2T,
	NVMET_TCP_TX_DATA_HDR,
	NVMET_TCP_TX_DATA,
	NVMET_TCP_TX_DDGST,
	NVMET_TCP_TX_RSP,
};

/**
 * struct nvmet_tcp_cmd - one command of a queue
 * @queue: its queue
 * @req: the core request
 * @sqe: the command
 * @cqe: its completion
 * @state: &enum nvmet_tcp_cmd_state
 * @await_entry: in queue->await_list while AWAIT_DATA
 * @send_entry: in queue->send_list while something is to be sent
 * @resp_node: in queue->resp_list between queue_response and io_work
 * @sgl: nvmet_req_alloc_sgl() succeeded
 * @r2t: outstanding R2T (ttag, next offset, end)
 * @r2t_sent: the R2T has left
 * @ttag_valid: @r2t.ttag is allocated in queue->ttags
 * @tx_state: &enum nvmet_tcp_tx_state
 * @tx_off: progress in the current tx step
 * @tx_len: length of the header in @tx_hdr
 * @data_len: bytes of C2H data
 * @ddgst: data digest of the C2H data (little endian on the wire)
 * @sg_pos: the entry of req.sg the last data access was in (a command's
 *	buffer is allocated once, see nvmet_tcp_cmd_alloc())
 * @sg_pos_off: byte offset of @sg_pos in the data
 * @tx_hdr: the header being sent
 */
struct nvmet_tcp_cmd {
	struct nvmet_tcp_queue *queue;
	struct nvmet_req req;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	enum nvmet_tcp_cmd_state state;
	struct list_head await_entry;
	struct list_head send_entry;
	struct llist_node resp_node;
	bool sgl;
	struct nvme_tcp_r2t_state r2t;
	bool r2t_sent;
	bool ttag_valid;
	enum nvmet_tcp_tx_state tx_state;
	u32 tx_off;
	u32 tx_len;
	u32 data_len;
	__le32 ddgst;
	struct scatterlist *sg_pos;
	u32 sg_pos_off;
	u8 tx_hdr[NVMET_TCP_TX_HDR] __aligned(8);
};

enum nvmet_tcp_rx_state {
	NVMET_TCP_RX_HDR,	/* common header, header, digest, pad */
	NVMET_TCP_RX_DATA,	/* data into a command's buffer */
	NVMET_TCP_RX_DDGST,	/* data digest */
	NVMET_TCP_RX_DISCARD,	/* data of a refused command */
};

/**
 * struct nvmet_tcp_queue - one connection: an NVMe queue
 * @sock: the connected socket
 * @port: the listener that accepted it
 * @entry: in the global queue list (nvmet_tcp_queue_mutex)
 * @idx: number for log lines
 * @peer: remote address, for log lines
 * @dead: teardown started (0/1, set once by xchg)
 * @io_work: receives and sends (nvmet_tcp_wq)
 * @release_work: teardown (nvmet_tcp_release_wq)
 * @nvme_sq: core submission queue
 * @nvme_cq: core completion queue
 * @wire: negotiated PDU rules for received PDUs
 * @hpda: data alignment the host asked for in C2H PDUs
 * @nr_cmds: commands allocated
 * @ttags: commands with an R2T outstanding, by transfer tag
 * @await_list: commands receiving data (io_work only)
 * @send_list: commands with something to send, head first (io_work only)
 * @resp_list: completed commands, from any context
 * @rx_state: &enum nvmet_tcp_rx_state
 * @rx_off: bytes of the current step received
 * @rx_need: bytes the current step needs
 * @rx_cmd: command the data belongs to
 * @rx_data_off: offset in that command's data of the PDU data
 * @rx_h2c: the data is H2CData (not in-capsule)
 * @rx_pdu: received header
 * @rx_pdu.ch: common header
 * @rx_pdu.raw: the bytes
 * @rx_ddgst: received data digest
 * @scratch: discarded bytes land here
 * @ctl_buf: ICResp or C2HTermReq being sent
 * @ctl_len: its length
 * @ctl_off: bytes of it sent
 * @old_data_ready: original socket callback
 * @old_write_space: original socket callback
 * @old_state_change: original socket callback
 */
struct nvmet_tcp_queue {
	struct socket *sock;
	struct nvmet_tcp_port *port;
	struct list_head entry;
	int idx;
	struct sockaddr_storage peer;
	int dead;
	struct work_struct io_work;
	struct work_struct release_work;
	struct nvmet_sq nvme_sq;
	struct nvmet_cq nvme_cq;
	struct nvme_tcp_wire wire;
	u8 hpda;
	atomic_t nr_cmds;
	struct xarray ttags;
	struct list_head await_list;
	struct list_head send_list;
	struct llist_head resp_list;

	enum nvmet_tcp_rx_state rx_state;
	u32 rx_off;
	u32 rx_need;
	struct nvmet_tcp_cmd *rx_cmd;
	u32 rx_data_off;
	bool rx_h2c;
	union {
		struct nvme_tcp_hdr ch;
		u8 raw[NVMET_TCP_RX_HDR_BUF];
	} rx_pdu __aligned(8);
	u8 rx_ddgst[NVME_TCP_DIGEST_LEN];
	u8 scratch[256];

	u8 ctl_buf[NVME_TCP_TERM_MAX_PLEN] __aligned(8);
	u32 ctl_len;
	u32 ctl_off;

	void (*old_data_ready)(struct sock *sk);
	void (*old_write_space)(struct sock *sk);
	void (*old_state_change)(struct sock *sk);
};

extern const struct nvmet_fabrics_ops nvmet_tcp_ops;
extern struct workqueue_struct *nvmet_tcp_wq;
extern struct workqueue_struct *nvmet_tcp_release_wq;

void nvmet_tcp_port_put(struct nvmet_tcp_port *port);
int nvmet_tcp_queue_create(struct nvmet_tcp_port *port, struct socket *sock);
void nvmet_tcp_queue_kill(struct nvmet_tcp_queue *queue);
void nvmet_tcp_kill_queues(struct nvmet_tcp_port *port,
			   struct nvmet_ctrl *ctrl);
void nvmet_tcp_queue_response(struct nvmet_req *req);
int nvmet_tcp_queues_init(void);
void nvmet_tcp_queues_exit(void);
void nvmet_tcp_disc_traddr(struct nvmet_req *req, struct nvmet_port *nport,
			   char *traddr);

#endif /* NVMET_TCP_TARGET_H */
