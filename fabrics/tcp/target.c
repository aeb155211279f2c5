// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-tcp: one NVMe/TCP connection (queue) of the target.
 *
 * Each queue has one work item, io_work, on nvmet_tcp_wq.  The socket
 * callbacks only queue it; io_work does all non-blocking receiving and
 * sending, so the receive state machine, the send list and the command
 * lists need no lock.  The only other writer is the core's completion
 * path (nvmet_tcp_queue_response(), any context), which pushes onto the
 * lock-free resp_list and queues io_work.
 *
 * Receive: header (common header, PDU header, header digest and pad up
 * to the data offset) into rx_pdu, validated by wire.c at 8 bytes and
 * when complete; then the data goes straight into the command's
 * scatterlist, one page at a time, and the data digest is checked.
 *
 * Teardown (release_work, on its own workqueue): mark the queue dead,
 * unhook the socket callbacks, stop io_work, give back the commands that
 * never reached the core, wait in nvmet_sq_destroy() for those that did
 * (io_work frees them as they complete), then free the socket and queue.
 */
#define pr_fmt(fmt) "nvmet_tcp: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/highmem.h>
#include <linux/uio.h>
#include <linux/tcp.h>
#include <linux/inet.h>
#include <asm/unaligned.h>
#include <net/tcp.h>

#include "target.h"

static LIST_HEAD(nvmet_tcp_queues);
static DEFINE_MUTEX(nvmet_tcp_queue_mutex);
static atomic_t nvmet_tcp_queue_idx = ATOMIC_INIT(0);
static struct kmem_cache *nvmet_tcp_cmd_cache;

#define NVMET_TCP_IO_BUDGET	64

static void nvmet_tcp_schedule_io(struct nvmet_tcp_queue *queue)
{
	queue_work(nvmet_tcp_wq, &queue->io_work);
}

void nvmet_tcp_queue_kill(struct nvmet_tcp_queue *queue)
{
	if (xchg(&queue->dead, 1))
		return;
	queue_work(nvmet_tcp_release_wq, &queue->release_work);
}

/* one line per fatal protocol error, rate limited */
static void nvmet_tcp_proto_error(struct nvmet_tcp_queue *queue, u8 type,
				  const struct nvme_tcp_wire_err *err)
{
	pr_err_ratelimited("queue %d (%pISpc): bad %s: %s; closing\n",
			   queue->idx, &queue->peer, nvme_tcp_type_name(type),
			   err->reason);
	/* a termination request, unless a PDU is half sent */
	if (err->fes && !queue->ctl_len) {
		struct nvmet_tcp_cmd *c =
			list_first_entry_or_null(&queue->send_list,
						 struct nvmet_tcp_cmd, send_entry);

		if (!c || (!c->tx_off && c->tx_state != NVMET_TCP_TX_DATA &&
			   c->tx_state != NVMET_TCP_TX_DDGST)) {
			struct kvec iov;
			struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
			u32 hl = min_t(u32, queue->rx_off, NVME_TCP_MAX_HDR);

			iov.iov_base = queue->ctl_buf;
			iov.iov_len = nvme_tcp_enc_term((void *)queue->ctl_buf,
							false, err->fes,
							err->fei,
							queue->rx_pdu.raw, hl);
			kernel_sendmsg(queue->sock, &msg, &iov, 1, iov.iov_len);
		}
	}
	nvmet_tcp_queue_kill(queue);
}

static void nvmet_tcp_local_error(struct nvmet_tcp_queue *queue,
				  const char *what)
{
	pr_err_ratelimited("queue %d (%pISpc): %s; closing\n",
			   queue->idx, &queue->peer, what);
	nvmet_tcp_queue_kill(queue);
}

/* ---- scatterlist helpers ---- */

/*
 * The page and in-page offset of byte @off of @cmd's data, and how many
 * bytes from there stay inside that one page: every send, receive and
 * digest works on at most one page at a time, whatever the size of the
 * scatterlist entries (multi-page and compound pages included).  The
 * entry found is remembered, so walking the data front to back costs one
 * step per entry, not a walk from the start per page.
 */
static struct page *nvmet_tcp_sg_page(struct nvmet_tcp_cmd *cmd, u32 off,
				      u32 len, u32 *poff, u32 *plen)
{
	struct scatterlist *sg = cmd->sg_pos;
	u32 start = cmd->sg_pos_off, abs;

	if (!sg || off < start) {
		sg = cmd->req.sg;
		start = 0;
	}
	while (sg && off - start >= sg->length) {
		start += sg->length;
		sg = sg_next(sg);
	}
	if (!sg)
		return NULL;
	cmd->sg_pos = sg;
	cmd->sg_pos_off = start;
	abs = sg->offset + off - start;
	*poff = offset_in_page(abs);
	*plen = min3(len, sg->length - (off - start), (u32)PAGE_SIZE - *poff);
	return nth_page(sg_page(sg), abs >> PAGE_SHIFT);
}

static int nvmet_tcp_sg_crc(struct nvmet_tcp_cmd *cmd, u32 off, u32 len,
			    u32 *crc)
{
	u32 c = nvme_tcp_crc_init();

	while (len) {
		u32 poff, n;
		struct page *page = nvmet_tcp_sg_page(cmd, off, len, &poff, &n);
		void *va;

		if (!page)
			return -EFAULT;
		va = kmap_local_page(page);
		c = nvme_tcp_crc_update(c, va + poff, n);
		kunmap_local(va);
		off += n;
		len -= n;
	}
	*crc = nvme_tcp_crc_final(c);
	return 0;
}

/* ---- commands ---- */

static struct nvmet_tcp_cmd *nvmet_tcp_cmd_alloc(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_cmd *cmd;

	cmd = kmem_cache_zalloc(nvmet_tcp_cmd_cache, GFP_KERNEL);
	if (!cmd)
		return NULL;
	cmd->queue = queue;
	cmd->req.cmd = &cmd->sqe;
	cmd->req.cqe = &cmd->cqe;
	cmd->req.priv = cmd;
	INIT_LIST_HEAD(&cmd->await_entry);
	INIT_LIST_HEAD(&cmd->send_entry);
	atomic_inc(&queue->nr_cmds);
	return cmd;
}

static void nvmet_tcp_cmd_free(struct nvmet_tcp_cmd *cmd)
{
	if (cmd->sgl)
		nvmet_req_free_sgl(&cmd->req);
	atomic_dec(&cmd->queue->nr_cmds);
	kmem_cache_free(nvmet_tcp_cmd_cache, cmd);
}

/* a command that nvmet_req_init() accepted but that will never run */
static void nvmet_tcp_cmd_abandon(struct nvmet_tcp_cmd *cmd)
{
	list_del_init(&cmd->await_entry);
	list_del_init(&cmd->send_entry);
	if (cmd->ttag_valid)
		xa_erase(&cmd->queue->ttags, cmd->r2t.ttag);
	nvmet_req_uninit(&cmd->req);
	nvmet_tcp_cmd_free(cmd);
}

static void nvmet_tcp_execute(struct nvmet_tcp_cmd *cmd)
{
	list_del_init(&cmd->await_entry);
	cmd->state = NVMET_TCP_CMD_EXEC;
	nvmet_req_execute(&cmd->req);
}

/* called by the core from any context once a request is complete */
void nvmet_tcp_queue_response(struct nvmet_req *req)
{
	struct nvmet_tcp_cmd *cmd = req->priv;
	struct nvmet_tcp_queue *queue = cmd->queue;

	llist_add(&cmd->resp_node, &queue->resp_list);
	nvmet_tcp_schedule_io(queue);
}

/* io_work: completed commands go to the end of the send list */
static void nvmet_tcp_take_responses(struct nvmet_tcp_queue *queue)
{
	struct llist_node *node = llist_del_all(&queue->resp_list);
	struct nvmet_tcp_cmd *cmd, *tmp;
	u16 status;

	node = llist_reverse_order(node);
	llist_for_each_entry_safe(cmd, tmp, node, resp_node) {
		/* a refused command's in-capsule data may still be arriving */
		list_del_init(&cmd->await_entry);
		if (queue->rx_cmd == cmd)
			queue->rx_cmd = NULL;
		cmd->state = NVMET_TCP_CMD_SEND;
		cmd->tx_off = 0;
		status = le16_to_cpu(cmd->cqe.status) >> 1;
		cmd->data_len = nvmet_req_data_len(&cmd->req);
		if (!status && cmd->data_len && cmd->req.sg &&
		    !nvmet_req_is_write(&cmd->req))
			cmd->tx_state = NVMET_TCP_TX_DATA_HDR;
		else
			cmd->tx_state = NVMET_TCP_TX_RSP;
		list_add_tail(&cmd->send_entry, &queue->send_list);
	}
}

/* ---- sending ---- */

static int nvmet_tcp_send_buf(struct nvmet_tcp_queue *queue, void *buf,
			      u32 len, bool more)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	if (more)
		msg.msg_flags |= MSG_MORE;
	ret = kernel_sendmsg(queue->sock, &msg, &iov, 1, len);
	if (ret == -EAGAIN)
		return 0;
	return ret ? ret : -EPIPE;
}

static int nvmet_tcp_send_data(struct nvmet_tcp_queue *queue,
			       struct nvmet_tcp_cmd *cmd, bool more)
{
	while (cmd->tx_off < cmd->data_len) {
		u32 left = cmd->data_len - cmd->tx_off, poff, n;
		struct page *page;
		int flags = MSG_DONTWAIT, ret;

		page = nvmet_tcp_sg_page(cmd, cmd->tx_off, left, &poff, &n);
		if (!page)
			return -EFAULT;
		if (n < left || more)
			flags |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
		/* slab or unreferenced pages must be copied, not spliced */
		if (sendpage_ok(page))
			ret = kernel_sendpage(queue->sock, page, poff, n, flags);
		else
			ret = sock_no_sendpage(queue->sock, page, poff, n, flags);
		if (ret == -EAGAIN)
			return 0;
		if (ret <= 0)
			return ret ? ret : -EPIPE;
		cmd->tx_off += ret;
		if (ret < n)
			return 0;
	}
	return 1;
}

static void nvmet_tcp_prep_rsp(struct nvmet_tcp_queue *queue,
			       struct nvmet_tcp_cmd *cmd)
{
	cmd->tx_state = NVMET_TCP_TX_RSP;
	cmd->tx_off = 0;
	cmd->tx_len = nvme_tcp_enc_rsp((void *)cmd->tx_hdr, queue->wire.hdgst,
				       &cmd->cqe);
}

/*
 * Send what @cmd has to send.  1: done with it (for an R2T: the R2T is
 * out; otherwise the command is finished), 0: the socket is full, <0:
 * the connection is broken.
 */
static int nvmet_tcp_send_cmd(struct nvmet_tcp_queue *queue,
			      struct nvmet_tcp_cmd *cmd)
{
	bool ddgst = queue->wire.ddgst;
	int ret;

	for (;;) {
		switch (cmd->tx_state) {
		case NVMET_TCP_TX_R2T:
		case NVMET_TCP_TX_RSP:
			ret = nvmet_tcp_send_buf(queue, cmd->tx_hdr + cmd->tx_off,
						 cmd->tx_len - cmd->tx_off, false);
			if (ret <= 0)
				return ret;
			cmd->tx_off += ret;
			return cmd->tx_off == cmd->tx_len;
		case NVMET_TCP_TX_DATA_HDR:
			if (!cmd->tx_off) {
				u8 flags = NVME_TCP_F_DATA_LAST;
				u32 crc;

				if (queue->nvme_sq.sqhd_disabled)
					flags |= NVME_TCP_F_DATA_SUCCESS;
				cmd->tx_len = nvme_tcp_enc_data((void *)cmd->tx_hdr,
								NVME_TCP_C2H_DATA,
								queue->wire.hdgst,
								ddgst, queue->hpda,
								cmd->sqe.cid, 0, 0,
								cmd->data_len, flags);
				if (ddgst) {
					if (nvmet_tcp_sg_crc(cmd, 0,
							     cmd->data_len, &crc))
						return -EFAULT;
					cmd->ddgst = cpu_to_le32(crc);
				}
			}
			ret = nvmet_tcp_send_buf(queue, cmd->tx_hdr + cmd->tx_off,
						 cmd->tx_len - cmd->tx_off, true);
			if (ret <= 0)
				return ret;
			cmd->tx_off += ret;
			if (cmd->tx_off < cmd->tx_len)
				return 0;
			cmd->tx_state = NVMET_TCP_TX_DATA;
			cmd->tx_off = 0;
			break;
		case NVMET_TCP_TX_DATA: {
			bool rsp = !queue->nvme_sq.sqhd_disabled;

			ret = nvmet_tcp_send_data(queue, cmd, ddgst || rsp);
			if (ret <= 0)
				return ret;
			cmd->tx_off = 0;
			if (ddgst)
				cmd->tx_state = NVMET_TCP_TX_DDGST;
			else if (rsp)
				nvmet_tcp_prep_rsp(queue, cmd);
			else
				return 1;
			break;
		}
		case NVMET_TCP_TX_DDGST: {
			bool rsp = !queue->nvme_sq.sqhd_disabled;

			ret = nvmet_tcp_send_buf(queue, (u8 *)&cmd->ddgst + cmd->tx_off,
						 NVME_TCP_DIGEST_LEN - cmd->tx_off,
						 rsp);
			if (ret <= 0)
				return ret;
			cmd->tx_off += ret;
			if (cmd->tx_off < NVME_TCP_DIGEST_LEN)
				return 0;
			if (!rsp)
				return 1;
			nvmet_tcp_prep_rsp(queue, cmd);
			break;
		}
		}
	}
}

/* 1: something was sent, 0: nothing to do or the socket is full */
static int nvmet_tcp_try_send(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_cmd *cmd;
	int ret, sent = 0;

	if (queue->ctl_len) {
		ret = nvmet_tcp_send_buf(queue, queue->ctl_buf + queue->ctl_off,
					 queue->ctl_len - queue->ctl_off, false);
		if (ret <= 0)
			return ret;
		queue->ctl_off += ret;
		if (queue->ctl_off < queue->ctl_len)
			return 1;
		queue->ctl_len = 0;
		sent = 1;
	}

	nvmet_tcp_take_responses(queue);
	while ((cmd = list_first_entry_or_null(&queue->send_list,
					       struct nvmet_tcp_cmd,
					       send_entry))) {
		if (cmd->tx_state == NVMET_TCP_TX_RSP && !cmd->tx_off)
			nvmet_tcp_prep_rsp(queue, cmd);
		ret = nvmet_tcp_send_cmd(queue, cmd);
		if (ret < 0)
			return ret;
		if (!ret)
			return sent;
		list_del_init(&cmd->send_entry);
		if (cmd->state == NVMET_TCP_CMD_AWAIT_DATA)
			cmd->r2t_sent = true;
		else
			nvmet_tcp_cmd_free(cmd);
		if (++sent >= NVMET_TCP_IO_BUDGET)
			break;
	}
	return sent ? 1 : 0;
}

/* ---- receiving ---- */

/*
 * Receiving goes through tcp_read_sock() and skb_copy_bits() rather than
 * recvmsg(): the bytes are copied from the skb straight into a header
 * buffer or one mapped page, with our own bounds, and the usercopy
 * hardening checks of copy_to_iter() (which trip over skb fragments in
 * compound pages, as a THP-backed sender produces) never run.
 */
struct nvmet_tcp_rd {
	u8 *dst;
	u32 left;
	u32 done;
	int err;
};

static int nvmet_tcp_rd_actor(read_descriptor_t *desc, struct sk_buff *skb,
			      unsigned int off, size_t len)
{
	struct nvmet_tcp_rd *rd = desc->arg.data;
	u32 n = min_t(size_t, len, rd->left);

	if (skb_copy_bits(skb, off, rd->dst + rd->done, n)) {
		rd->err = -EFAULT;
		return 0;
	}
	rd->done += n;
	rd->left -= n;
	desc->count = rd->left;
	return n;
}

/* >0: bytes received, 0: nothing there yet, <0: the connection is gone */
static int nvmet_tcp_recv_buf(struct nvmet_tcp_queue *queue, void *buf,
			      u32 len)
{
	struct sock *sk = queue->sock->sk;
	struct nvmet_tcp_rd rd = { .dst = buf, .left = len };
	read_descriptor_t desc = { .arg.data = &rd, .count = len };
	int ret;

	lock_sock(sk);
	ret = tcp_read_sock(sk, &desc, nvmet_tcp_rd_actor);
	release_sock(sk);
	if (rd.err)
		return rd.err;
	if (rd.done)
		return rd.done;
	if (ret < 0)
		return ret;
	if (sk->sk_err)
		return -sk->sk_err;
	if ((sk->sk_shutdown & RCV_SHUTDOWN) || sk->sk_state != TCP_ESTABLISHED)
		return -ECONNRESET;
	return 0;
}

static int nvmet_tcp_recv_page(struct nvmet_tcp_queue *queue,
			       struct page *page, u32 off, u32 len)
{
	void *va = kmap_local_page(page);
	int ret = nvmet_tcp_recv_buf(queue, va + off, len);

	kunmap_local(va);
	return ret;
}

static void nvmet_tcp_rx_next_pdu(struct nvmet_tcp_queue *queue)
{
	queue->rx_state = NVMET_TCP_RX_HDR;
	queue->rx_off = 0;
	queue->rx_need = sizeof(struct nvme_tcp_hdr);
	queue->rx_cmd = NULL;
}

static void nvmet_tcp_rx_discard(struct nvmet_tcp_queue *queue, u32 len)
{
	if (!len) {
		nvmet_tcp_rx_next_pdu(queue);
		return;
	}
	queue->rx_state = NVMET_TCP_RX_DISCARD;
	queue->rx_off = 0;
	queue->rx_need = len;
	queue->rx_cmd = NULL;
}

static void nvmet_tcp_rx_data(struct nvmet_tcp_queue *queue,
			      struct nvmet_tcp_cmd *cmd, u32 off, u32 len,
			      bool h2c)
{
	queue->rx_state = NVMET_TCP_RX_DATA;
	queue->rx_cmd = cmd;
	queue->rx_data_off = off;
	queue->rx_off = 0;
	queue->rx_need = len;
	queue->rx_h2c = h2c;
}

static int nvmet_tcp_handle_icreq(struct nvmet_tcp_queue *queue)
{
	struct nvme_tcp_icreq *ic = (void *)queue->rx_pdu.raw;

	queue->hpda = ic->hpda;
	queue->wire.hdgst = ic->digest & NVME_TCP_DGST_HDR;
	queue->wire.ddgst = ic->digest & NVME_TCP_DGST_DATA;
	queue->wire.connected = true;
	nvme_tcp_enc_icresp((void *)queue->ctl_buf, queue->wire.rx_pda,
			    queue->wire.hdgst, queue->wire.ddgst,
			    queue->wire.maxh2cdata);
	queue->ctl_len = sizeof(struct nvme_tcp_icresp);
	queue->ctl_off = 0;
	nvmet_tcp_rx_next_pdu(queue);
	return 0;
}

/* fail an accepted command before it ran; its data is still discarded */
static void nvmet_tcp_cmd_fail(struct nvmet_tcp_cmd *cmd, u16 status)
{
	list_del_init(&cmd->await_entry);
	cmd->state = NVMET_TCP_CMD_EXEC;
	nvmet_req_complete(&cmd->req, status);
}

static int nvmet_tcp_handle_cmd(struct nvmet_tcp_queue *queue)
{
	struct nvme_tcp_cmd_pdu *pdu = (void *)queue->rx_pdu.raw;
	u32 icd = nvme_tcp_data_len(&pdu->hdr), len, skip, id;
	struct nvme_tcp_wire_err err;
	enum nvme_tcp_cmd_data kind;
	struct nvmet_tcp_cmd *cmd;
	int ret;

	/* a queue being torn down hands nothing new to the core */
	if (READ_ONCE(queue->dead))
		return -ECONNRESET;
	skip = icd + (icd && queue->wire.ddgst ? NVME_TCP_DIGEST_LEN : 0);
	ret = nvme_tcp_check_cmd_sgl(pdu, icd, &kind, &len, &err);
	if (ret == -EPROTO) {
		nvmet_tcp_proto_error(queue, NVME_TCP_CMD, &err);
		return ret;
	}
	if (atomic_read(&queue->nr_cmds) >= NVMET_MAX_CMD) {
		nvmet_tcp_local_error(queue, "more commands outstanding than the queue holds");
		return -EPROTO;
	}
	cmd = nvmet_tcp_cmd_alloc(queue);
	if (!cmd) {
		nvmet_tcp_local_error(queue, "out of memory for a command");
		return -ENOMEM;
	}
	cmd->sqe = pdu->cmd;
	cmd->req.port = queue->port->nport;
	cmd->state = NVMET_TCP_CMD_AWAIT_DATA;

	if (!nvmet_req_init(&cmd->req, &queue->nvme_cq, &queue->nvme_sq,
			    &nvmet_tcp_ops)) {
		/* completed with an error; queue_response has it */
		cmd->state = NVMET_TCP_CMD_EXEC;
		nvmet_tcp_rx_discard(queue, skip);
		return 0;
	}
	if (ret == -EINVAL) {
		nvmet_tcp_cmd_fail(cmd, NVME_SC_SGL_INVALID_TYPE | NVME_STATUS_DNR);
		nvmet_tcp_rx_discard(queue, skip);
		return 0;
	}

	len = cmd->req.transfer_len;
	if (!nvmet_req_data_len(&cmd->req) || kind == NVME_TCP_DATA_NONE) {
		nvmet_tcp_rx_discard(queue, skip);
		nvmet_tcp_execute(cmd);
		return 0;
	}
	if (kind == NVME_TCP_DATA_INLINE && !nvmet_req_is_write(&cmd->req)) {
		nvmet_tcp_cmd_fail(cmd, NVME_SC_INVALID_FIELD | NVME_STATUS_DNR);
		nvmet_tcp_rx_discard(queue, skip);
		return 0;
	}
	if (nvmet_req_alloc_sgl(&cmd->req)) {
		nvmet_tcp_cmd_fail(cmd, NVME_SC_INTERNAL);
		nvmet_tcp_rx_discard(queue, skip);
		return 0;
	}
	cmd->sgl = true;

	if (!nvmet_req_is_write(&cmd->req)) {
		nvmet_tcp_rx_next_pdu(queue);
		nvmet_tcp_execute(cmd);
		return 0;
	}
	list_add_tail(&cmd->await_entry, &queue->await_list);
	if (kind == NVME_TCP_DATA_INLINE) {
		nvmet_tcp_rx_data(queue, cmd, 0, icd, false);
		return 0;
	}

	/* one R2T for the whole transfer; the host splits by MAXH2CDATA */
	ret = xa_alloc(&queue->ttags, &id, cmd, XA_LIMIT(0, 0xfffe),
		       GFP_KERNEL);
	if (ret) {
		nvmet_tcp_cmd_fail(cmd, NVME_SC_INTERNAL);
		nvmet_tcp_rx_next_pdu(queue);
		return 0;
	}
	cmd->ttag_valid = true;
	cmd->r2t.ttag = id;
	cmd->r2t.off = 0;
	cmd->r2t.end = len;
	cmd->tx_state = NVMET_TCP_TX_R2T;
	cmd->tx_off = 0;
	cmd->tx_len = nvme_tcp_enc_r2t((void *)cmd->tx_hdr, queue->wire.hdgst,
				       cmd->sqe.cid, cmd->r2t.ttag, 0, len);
	list_add_tail(&cmd->send_entry, &queue->send_list);
	nvmet_tcp_rx_next_pdu(queue);
	return 0;
}

static int nvmet_tcp_handle_h2c(struct nvmet_tcp_queue *queue)
{
	struct nvme_tcp_data_pdu *d = (void *)queue->rx_pdu.raw;
	struct nvme_tcp_wire_err err = {
		.fes = NVME_TCP_FES_INVALID_HDR_FIELD,
		.fei = offsetof(struct nvme_tcp_data_pdu, ttag),
	};
	struct nvmet_tcp_cmd *cmd;

	cmd = xa_load(&queue->ttags, le16_to_cpu(d->ttag));
	if (!cmd) {
		err.reason = "H2CData with an unknown transfer tag";
	} else if (cmd->sqe.cid != d->cccid) {
		err.reason = "H2CData for another command than its transfer tag";
		err.fei = offsetof(struct nvme_tcp_data_pdu, cccid);
	} else if (!cmd->r2t_sent) {
		err.reason = "H2CData before its R2T";
		err.fes = NVME_TCP_FES_PDU_SEQ_ERR;
		err.fei = 0;
	} else if (!nvme_tcp_check_h2c_data(d, &cmd->r2t, &err)) {
		nvmet_tcp_rx_data(queue, cmd, le32_to_cpu(d->datao),
				  le32_to_cpu(d->datal), true);
		return 0;
	}
	nvmet_tcp_proto_error(queue, NVME_TCP_H2C_DATA, &err);
	return -EPROTO;
}

static int nvmet_tcp_handle_pdu(struct nvmet_tcp_queue *queue)
{
	struct nvme_tcp_hdr *ch = &queue->rx_pdu.ch;

	switch (ch->type) {
	case NVME_TCP_ICREQ:
		return nvmet_tcp_handle_icreq(queue);
	case NVME_TCP_CMD:
		return nvmet_tcp_handle_cmd(queue);
	case NVME_TCP_H2C_DATA:
		return nvmet_tcp_handle_h2c(queue);
	case NVME_TCP_H2C_TERMREQ: {
		struct nvme_tcp_term_pdu *t = (void *)queue->rx_pdu.raw;
		u16 fes = le16_to_cpu(t->fes);

		pr_err_ratelimited("queue %d (%pISpc): host terminated the connection: %s (fes %#x, fei %#x)\n",
				   queue->idx, &queue->peer,
				   nvme_tcp_fes_name(fes), fes,
				   nvme_tcp_term_fei(t));
		nvmet_tcp_queue_kill(queue);
		return -ECONNRESET;
	}
	default:
		/* nvme_tcp_check_ch() let nothing else through */
		nvmet_tcp_local_error(queue, "unexpected PDU type");
		return -EPROTO;
	}
}

static int nvmet_tcp_rx_hdr_done(struct nvmet_tcp_queue *queue)
{
	struct nvme_tcp_wire_err err;
	int hl;

	if (queue->rx_need == sizeof(struct nvme_tcp_hdr)) {
		hl = nvme_tcp_check_ch(&queue->wire, &queue->rx_pdu.ch, &err);
		if (hl < 0)
			goto bad;
		/* read the header, its digest and the pad in one go */
		queue->rx_need = max_t(u32, hl, queue->rx_pdu.ch.pdo);
		if (queue->rx_need > queue->rx_off)
			return 0;
	}
	if (nvme_tcp_check_hdr(&queue->wire, queue->rx_pdu.raw, &err))
		goto bad;
	return nvmet_tcp_handle_pdu(queue);
bad:
	nvmet_tcp_proto_error(queue, queue->rx_pdu.ch.type, &err);
	return -EPROTO;
}

static int nvmet_tcp_rx_data_done(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_cmd *cmd = queue->rx_cmd;

	if (queue->rx_h2c) {
		cmd->r2t.off += queue->rx_need;
		if (cmd->r2t.off < cmd->r2t.end) {
			nvmet_tcp_rx_next_pdu(queue);
			return 0;
		}
		xa_erase(&queue->ttags, cmd->r2t.ttag);
		cmd->ttag_valid = false;
	}
	nvmet_tcp_rx_next_pdu(queue);
	nvmet_tcp_execute(cmd);
	return 0;
}

static int nvmet_tcp_rx_ddgst_done(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_cmd *cmd = queue->rx_cmd;
	u32 crc;

	if (nvmet_tcp_sg_crc(cmd, queue->rx_data_off, queue->rx_need,
			     &crc) ||
	    get_unaligned_le32(queue->rx_ddgst) != crc) {
		nvmet_tcp_local_error(queue, queue->rx_h2c ?
				      "H2CData data digest mismatch" :
				      "in-capsule data digest mismatch");
		return -EPROTO;
	}
	return nvmet_tcp_rx_data_done(queue);
}

/* one receive step; >0 progress, 0 nothing available, <0 fatal */
static int nvmet_tcp_recv_step(struct nvmet_tcp_queue *queue)
{
	u32 left = queue->rx_need - queue->rx_off;
	struct nvmet_tcp_cmd *cmd;
	int ret;

	switch (queue->rx_state) {
	case NVMET_TCP_RX_HDR:
		ret = nvmet_tcp_recv_buf(queue, queue->rx_pdu.raw + queue->rx_off,
					 left);
		if (ret <= 0)
			return ret;
		queue->rx_off += ret;
		if (queue->rx_off == queue->rx_need)
			return nvmet_tcp_rx_hdr_done(queue) ?: 1;
		return 1;
	case NVMET_TCP_RX_DATA: {
		u32 poff, n;
		struct page *page;

		cmd = queue->rx_cmd;
		if (!cmd) {
			/* refused while its data was arriving */
			nvmet_tcp_rx_discard(queue, left + (queue->wire.ddgst ?
						     NVME_TCP_DIGEST_LEN : 0));
			return 1;
		}
		page = nvmet_tcp_sg_page(cmd, queue->rx_data_off +
					 queue->rx_off, left, &poff, &n);
		if (!page) {
			nvmet_tcp_local_error(queue, "data beyond the command buffer");
			return -EFAULT;
		}
		ret = nvmet_tcp_recv_page(queue, page, poff, n);
		if (ret <= 0)
			return ret;
		queue->rx_off += ret;
		if (queue->rx_off < queue->rx_need)
			return 1;
		if (queue->wire.ddgst) {
			queue->rx_state = NVMET_TCP_RX_DDGST;
			queue->rx_off = 0;
			return 1;
		}
		return nvmet_tcp_rx_data_done(queue) ?: 1;
	}
	case NVMET_TCP_RX_DDGST:
		ret = nvmet_tcp_recv_buf(queue, queue->rx_ddgst + queue->rx_off,
					 NVME_TCP_DIGEST_LEN - queue->rx_off);
		if (ret <= 0)
			return ret;
		queue->rx_off += ret;
		if (queue->rx_off < NVME_TCP_DIGEST_LEN)
			return 1;
		if (!queue->rx_cmd) {
			nvmet_tcp_rx_next_pdu(queue);
			return 1;
		}
		return nvmet_tcp_rx_ddgst_done(queue) ?: 1;
	case NVMET_TCP_RX_DISCARD:
		ret = nvmet_tcp_recv_buf(queue, queue->scratch,
					 min_t(u32, left, sizeof(queue->scratch)));
		if (ret <= 0)
			return ret;
		queue->rx_off += ret;
		if (queue->rx_off == queue->rx_need)
			nvmet_tcp_rx_next_pdu(queue);
		return 1;
	}
	return -EINVAL;
}

static int nvmet_tcp_try_recv(struct nvmet_tcp_queue *queue)
{
	int i, ret = 0;

	for (i = 0; i < NVMET_TCP_IO_BUDGET; i++) {
		ret = nvmet_tcp_recv_step(queue);
		if (ret < 0)
			return ret;
		if (!ret || READ_ONCE(queue->dead))
			break;
	}
	return i ? 1 : 0;
}

/* a dead queue only frees commands the core hands back */
static void nvmet_tcp_reap(struct nvmet_tcp_queue *queue)
{
	struct llist_node *node = llist_del_all(&queue->resp_list);
	struct nvmet_tcp_cmd *cmd, *tmp;

	llist_for_each_entry_safe(cmd, tmp, node, resp_node)
		nvmet_tcp_cmd_free(cmd);
}

static void nvmet_tcp_io_work(struct work_struct *work)
{
	struct nvmet_tcp_queue *queue =
		container_of(work, struct nvmet_tcp_queue, io_work);
	int loops = 0, rx, tx;

	do {
		if (READ_ONCE(queue->dead)) {
			nvmet_tcp_reap(queue);
			return;
		}
		rx = nvmet_tcp_try_recv(queue);
		if (rx < 0)
			goto error;
		tx = nvmet_tcp_try_send(queue);
		if (tx < 0)
			goto error;
	} while ((rx > 0 || tx > 0) && ++loops < NVMET_TCP_IO_BUDGET);

	if (rx > 0 || tx > 0)
		nvmet_tcp_schedule_io(queue);
	return;
error:
	if (!READ_ONCE(queue->dead))
		pr_debug("queue %d (%pISpc): connection closed (%d)\n",
			 queue->idx, &queue->peer, rx < 0 ? rx : tx);
	nvmet_tcp_queue_kill(queue);
	nvmet_tcp_reap(queue);
}

/* ---- socket callbacks ---- */

static void nvmet_tcp_data_ready(struct sock *sk)
{
	struct nvmet_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (queue)
		nvmet_tcp_schedule_io(queue);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void nvmet_tcp_write_space(struct sock *sk)
{
	struct nvmet_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (queue && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		nvmet_tcp_schedule_io(queue);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void nvmet_tcp_state_change(struct sock *sk)
{
	struct nvmet_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (queue) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
		case TCP_CLOSE_WAIT:
		case TCP_CLOSE:
			nvmet_tcp_queue_kill(queue);
			break;
		default:
			break;
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void nvmet_tcp_restore_callbacks(struct nvmet_tcp_queue *queue)
{
	struct sock *sk = queue->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_user_data == queue) {
		sk->sk_user_data = NULL;
		sk->sk_data_ready = queue->old_data_ready;
		sk->sk_write_space = queue->old_write_space;
		sk->sk_state_change = queue->old_state_change;
	}
	write_unlock_bh(&sk->sk_callback_lock);
}

/* ---- queue life ---- */

static void nvmet_tcp_release_queue(struct work_struct *work)
{
	struct nvmet_tcp_queue *queue =
		container_of(work, struct nvmet_tcp_queue, release_work);
	struct nvmet_tcp_cmd *cmd, *tmp;

	mutex_lock(&nvmet_tcp_queue_mutex);
	list_del_init(&queue->entry);
	mutex_unlock(&nvmet_tcp_queue_mutex);

	nvmet_tcp_restore_callbacks(queue);
	kernel_sock_shutdown(queue->sock, SHUT_RDWR);
	cancel_work_sync(&queue->io_work);

	/*
	 * io_work now only reaps; the lists are ours.  Completed commands
	 * waiting to be sent are freed, those still waiting for host data
	 * never reached the core and are handed back to it.
	 */
	list_for_each_entry_safe(cmd, tmp, &queue->send_list, send_entry) {
		list_del_init(&cmd->send_entry);
		if (cmd->state != NVMET_TCP_CMD_AWAIT_DATA)
			nvmet_tcp_cmd_free(cmd);
	}
	list_for_each_entry_safe(cmd, tmp, &queue->await_list, await_entry)
		nvmet_tcp_cmd_abandon(cmd);

	/* waits for the commands in the core; io_work frees them */
	nvmet_sq_destroy(&queue->nvme_sq);
	cancel_work_sync(&queue->io_work);
	nvmet_tcp_reap(queue);
	WARN_ON_ONCE(atomic_read(&queue->nr_cmds));

	sock_release(queue->sock);
	xa_destroy(&queue->ttags);
	pr_debug("queue %d released\n", queue->idx);
	nvmet_tcp_port_put(queue->port);
	kfree(queue);
}

int nvmet_tcp_queue_create(struct nvmet_tcp_port *port, struct socket *sock)
{
	struct nvmet_tcp_queue *queue;
	struct sock *sk = sock->sk;
	int inline_max, ret;

	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue)
		return -ENOMEM;
	queue->sock = sock;
	queue->port = port;
	kref_get(&port->ref);
	queue->idx = atomic_inc_return(&nvmet_tcp_queue_idx);
	INIT_WORK(&queue->io_work, nvmet_tcp_io_work);
	INIT_WORK(&queue->release_work, nvmet_tcp_release_queue);
	INIT_LIST_HEAD(&queue->entry);
	INIT_LIST_HEAD(&queue->await_list);
	INIT_LIST_HEAD(&queue->send_list);
	init_llist_head(&queue->resp_list);
	xa_init_flags(&queue->ttags, XA_FLAGS_ALLOC);
	nvmet_tcp_rx_next_pdu(queue);

	inline_max = port->nport->inline_data_size;
	queue->wire.host = false;
	queue->wire.rx_pda = 0;
	queue->wire.maxh2cdata = NVMET_TCP_MAXH2CDATA;
	/* the queue id is unknown before Connect: allow the admin size */
	queue->wire.inline_max = max_t(int, inline_max, NVMET_TCP_ADMIN_INLINE);

	if (kernel_getpeername(sock, (struct sockaddr *)&queue->peer) < 0)
		memset(&queue->peer, 0, sizeof(queue->peer));

	ret = nvmet_sq_init(&queue->nvme_sq);
	if (ret)
		goto out_free;
	nvmet_cq_init(&queue->nvme_cq);

	tcp_sock_set_nodelay(sk);
	sock_no_linger(sk);

	mutex_lock(&nvmet_tcp_queue_mutex);
	list_add_tail(&queue->entry, &nvmet_tcp_queues);
	mutex_unlock(&nvmet_tcp_queue_mutex);

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = queue;
	queue->old_data_ready = sk->sk_data_ready;
	queue->old_write_space = sk->sk_write_space;
	queue->old_state_change = sk->sk_state_change;
	sk->sk_data_ready = nvmet_tcp_data_ready;
	sk->sk_write_space = nvmet_tcp_write_space;
	sk->sk_state_change = nvmet_tcp_state_change;
	write_unlock_bh(&sk->sk_callback_lock);

	/* the ICReq may be in already, or the peer gone */
	if (sk->sk_state != TCP_ESTABLISHED)
		nvmet_tcp_queue_kill(queue);
	else
		nvmet_tcp_schedule_io(queue);
	pr_debug("queue %d: connection from %pISpc\n", queue->idx, &queue->peer);
	return 0;

out_free:
	nvmet_tcp_port_put(port);
	kfree(queue);
	return ret;
}

/* tear down every queue of @port, or of @ctrl (either may be NULL) */
void nvmet_tcp_kill_queues(struct nvmet_tcp_port *port,
			   struct nvmet_ctrl *ctrl)
{
	struct nvmet_tcp_queue *queue;

	mutex_lock(&nvmet_tcp_queue_mutex);
	list_for_each_entry(queue, &nvmet_tcp_queues, entry) {
		if ((port && queue->port != port) ||
		    (ctrl && queue->nvme_sq.ctrl != ctrl))
			continue;
		nvmet_tcp_queue_kill(queue);
	}
	mutex_unlock(&nvmet_tcp_queue_mutex);
}

void nvmet_tcp_disc_traddr(struct nvmet_req *req, struct nvmet_port *nport,
			   char *traddr)
{
	struct nvmet_tcp_cmd *cmd = req->priv;
	struct sockaddr_storage local;
	struct nvmet_tcp_queue *queue = cmd->queue;

	if (strcmp(nport->traddr, "0.0.0.0") && strcmp(nport->traddr, "::")) {
		strscpy(traddr, nport->traddr, NVMF_TRADDR_LEN);
		return;
	}
	if (kernel_getsockname(queue->sock, (struct sockaddr *)&local) < 0) {
		strscpy(traddr, nport->traddr, NVMF_TRADDR_LEN);
		return;
	}
	if (local.ss_family == AF_INET6)
		snprintf(traddr, NVMF_TRADDR_LEN, "%pI6c",
			 &((struct sockaddr_in6 *)&local)->sin6_addr);
	else
		snprintf(traddr, NVMF_TRADDR_LEN, "%pI4",
			 &((struct sockaddr_in *)&local)->sin_addr);
}

int nvmet_tcp_queues_init(void)
{
	nvmet_tcp_cmd_cache = KMEM_CACHE(nvmet_tcp_cmd, 0);
	return nvmet_tcp_cmd_cache ? 0 : -ENOMEM;
}

void nvmet_tcp_queues_exit(void)
{
	nvmet_tcp_kill_queues(NULL, NULL);
	flush_workqueue(nvmet_tcp_release_wq);
	kmem_cache_destroy(nvmet_tcp_cmd_cache);
}
