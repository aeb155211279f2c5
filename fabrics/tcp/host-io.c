// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-tcp: the send and receive engines of one queue, and the blk-mq
 * operations that feed them.
 *
 * The sender runs under queue->lock, normally in the queue's io_work;
 * ->queue_rq may send directly when the lock is free and it runs on the
 * queue's CPU or the queue has nothing else in flight.  The receiver's
 * state is owned by whoever holds the socket lock: io_work and ->poll
 * (queue->lock and lock_sock), or the socket's data_ready callback in
 * softirq context when no task owns the socket.  The softirq receiver
 * takes only responses and C2HData for requests the sender has finished
 * with (ntcp_tx_finish() publishes that with a release store); for
 * anything else it stops after the header and io_work handles the PDU
 * under queue->lock, where it sees the sender's exact progress: a
 * response, R2T or data PDU for a command that has not been handed to the
 * socket completely is a protocol error, never a race.
 *
 * Nothing a target sends is trusted: every PDU goes through the shared
 * wire validator first, then the checks here tie it to a request that is
 * in flight on this queue and to the bytes that request still expects.
 * The first violation stops the queue (no further byte is parsed), logs
 * one line and hands the controller to the fabrics error recovery.
 */
#include <linux/blk-mq.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "host.h"

/* how long one io_work run may keep the CPU before it requeues itself */
#define NTCP_IO_BUDGET_US	1000

/* the largest C2HData PDU the softirq receiver copies itself */
#define NTCP_SOFTIRQ_DATA	SZ_16K

static bool rx_softirq = true;
module_param(rx_softirq, bool, 0644);
MODULE_PARM_DESC(rx_softirq,
		 "complete responses in the socket callback when the socket is free (default Y)");

/* ------------------------------------------------------------------ */
/* data cursor: the request's pages, one real page at a time          */
/* ------------------------------------------------------------------ */

static void ntcp_cursor_init(struct ntcp_cursor *cur, struct request *rq)
{
	if (rq->rq_flags & RQF_SPECIAL_PAYLOAD) {
		cur->bio = NULL;
		cur->bvec = &rq->special_vec;
		cur->iter = (struct bvec_iter) {
			.bi_size = rq->special_vec.bv_len,
		};
	} else if (rq->bio) {
		cur->bio = rq->bio;
		cur->bvec = rq->bio->bi_io_vec;
		cur->iter = rq->bio->bi_iter;
	} else {
		cur->bio = NULL;
		cur->bvec = NULL;
		cur->iter = (struct bvec_iter) { };
	}
}

/*
 * The segment at the cursor, cut at the end of its page: a multi-page
 * (THP) bvec is handed out as the real page that holds the bytes, so that
 * sendpage and kmap never see an offset beyond their page.  bv_len 0 means
 * the data ended.
 */
static struct bio_vec ntcp_cursor_seg(struct ntcp_cursor *cur)
{
	while (!cur->iter.bi_size && cur->bio && cur->bio->bi_next) {
		cur->bio = cur->bio->bi_next;
		cur->bvec = cur->bio->bi_io_vec;
		cur->iter = cur->bio->bi_iter;
	}
	if (!cur->iter.bi_size)
		return (struct bio_vec) { };
	return bvec_iter_bvec(cur->bvec, cur->iter);
}

static void ntcp_cursor_advance(struct ntcp_cursor *cur, unsigned int bytes)
{
	bvec_iter_advance(cur->bvec, &cur->iter, bytes);
}

/* ------------------------------------------------------------------ */
/* errors                                                             */
/* ------------------------------------------------------------------ */

/**
 * ntcp_queue_error() - the queue broke: stop parsing, log once, recover
 * @q: the queue
 * @fmt: what was wrong, for the one log line
 *
 * Safe from any context (socket callbacks included).  The rest of the
 * work (socket shutdown, recovery or failing the outstanding commands)
 * happens in io_work, outside the socket lock.
 */
void ntcp_queue_error(struct ntcp_queue *q, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (test_and_set_bit(NTCP_Q_ERR, &q->flags))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	dev_err_ratelimited(ntcp_dev(q), "nvme-tcp queue %u: %pV, failing the queue\n",
			    q->qid, &vaf);
	va_end(args);
	queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
}

static bool ntcp_cancel_one(struct request *rq, void *data)
{
	struct ntcp_req *req = blk_mq_rq_to_pdu(rq);

	if (req->queue == data)
		nvme_cancel_request(rq, NULL);
	return true;
}

/**
 * ntcp_drop_requests() - forget every request the engines know about
 * @q: the queue, stopped
 *
 * The requests themselves stay in flight for blk-mq; whoever stopped
 * the queue cancels them.
 */
void ntcp_drop_requests(struct ntcp_queue *q)
{
	mutex_lock(&q->lock);
	llist_del_all(&q->req_list);
	INIT_LIST_HEAD(&q->send_list);
	q->send_req = NULL;
	q->rx_req = NULL;
	mutex_unlock(&q->lock);
}

/* a validator refused a PDU: remember what the H2CTermReq will say */
static void ntcp_set_term(struct ntcp_queue *q, const struct nvme_tcp_wire_err *err)
{
	if (test_bit(NTCP_Q_ERR, &q->flags) || !err->fes)
		return;
	q->term_fes = err->fes;
	q->term_fei = err->fei;
	/* after the dispatch reset rx_have is 0; the header is still there */
	q->term_len = q->rx_have ?: ((struct nvme_tcp_hdr *)q->rx_hdr)->hlen;
}

/*
 * Tell the target why the host gives up on the connection (best effort,
 * never blocks): an H2CTermReq carrying the start of the offending header.
 */
static void ntcp_send_term(struct ntcp_queue *q)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov;
	u8 *buf;

	buf = kzalloc(NVME_TCP_TERM_MAX_PLEN, GFP_KERNEL);
	if (!buf)
		return;
	iov.iov_base = buf;
	iov.iov_len = nvme_tcp_enc_term((void *)buf, true, q->term_fes,
					q->term_fei, q->rx_hdr,
					min_t(u32, q->term_len, sizeof(q->rx_hdr)));
	mutex_lock(&q->lock);
	/* only between PDUs: never inside a half-sent one */
	if (!q->send_req || q->send_req->tx == NTCP_TX_QUEUED)
		kernel_sendmsg(q->sock, &msg, &iov, 1, iov.iov_len);
	mutex_unlock(&q->lock);
	kfree(buf);
}

/*
 * Called from io_work once per error.  While the controller is live the
 * shared recovery takes over (it stops every queue and cancels what was
 * outstanding).  While it is being connected (or deleted) nobody would
 * end the commands on this queue before their timeout, so they end here,
 * at once: a Connect or Property Get on a broken queue fails right away.
 */
static void ntcp_handle_error(struct ntcp_queue *q)
{
	struct nvmf_ctrl *fctrl = &q->ctrl->fctrl;
	struct blk_mq_tag_set *set;

	if (test_and_set_bit(NTCP_Q_ERR_HANDLED, &q->flags))
		return;
	if (q->term_fes)
		ntcp_send_term(q);
	kernel_sock_shutdown(q->sock, SHUT_RDWR);
	if (nvme_ctrl_state(&fctrl->ctrl) == NVME_CTRL_LIVE) {
		nvmf_error_recovery(fctrl);
		return;
	}
	set_bit(NTCP_Q_STOPPED, &q->flags);
	ntcp_drop_requests(q);
	set = q->qid ? &fctrl->io_set : &fctrl->admin_set;
	if (test_bit(q->qid ? NVMF_CTRL_IO_TAGSET : NVMF_CTRL_ADMIN_TAGSET,
		     &fctrl->flags))
		blk_mq_tagset_busy_iter(set, ntcp_cancel_one, q);
	/* a live controller may have appeared meanwhile: let it recover */
	nvmf_error_recovery(fctrl);
}

/* ------------------------------------------------------------------ */
/* sending                                                            */
/* ------------------------------------------------------------------ */

static int ntcp_send_buf(struct ntcp_queue *q, void *buf, size_t len,
			 int flags)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | flags };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	return kernel_sendmsg(q->sock, &msg, &iov, 1, len);
}

/*
 * Zero copy only for pages the network stack may hold a reference to;
 * slab memory (Identify buffers, DSM ranges) and the like are copied.
 */
static int ntcp_send_page(struct ntcp_queue *q, struct page *page,
			  unsigned int off, size_t len, int flags)
{
	flags |= MSG_DONTWAIT;
	if (sendpage_ok(page))
		return kernel_sendpage(q->sock, page, off, len, flags);
	return sock_no_sendpage(q->sock, page, off, len, flags);
}

static void ntcp_crc_page(u32 *crc, struct page *page, unsigned int off,
			  unsigned int len)
{
	void *p = kmap_local_page(page);

	*crc = nvme_tcp_crc_update(*crc, p + off, len);
	kunmap_local(p);
}

/* the next H2CData PDU of the current R2T */
static void ntcp_build_h2c(struct ntcp_queue *q, struct ntcp_req *req)
{
	u32 len = min(q->maxh2cdata, req->r2t_end - req->xfer_off);
	u8 flags = 0;

	if (req->xfer_off + len == req->r2t_end)
		flags |= NVME_TCP_F_DATA_LAST;
	memset(req->hdr.raw, 0, sizeof(req->hdr.raw));
	req->hdr_len = nvme_tcp_enc_data(&req->hdr.data, NVME_TCP_H2C_DATA,
					 q->hdgst, q->ddgst, q->tx_pda, req->cid,
					 req->ttag, req->xfer_off, len, flags);
	if (q->hdgst)
		nvme_tcp_set_hdgst(req->hdr.raw);
	req->hdr_off = 0;
	req->pdu_left = len;
	req->crc = nvme_tcp_crc_init();
	req->tx = NTCP_TX_HDR;
}

/*
 * The sender is done with @req until the peer answers.  This store is its
 * last access to the request: a receiver in softirq context that reads
 * the new state (acquire) may complete the request at once.
 */
static void ntcp_tx_finish(struct ntcp_req *req, enum ntcp_tx_state state)
{
	/* pairs with the acquire in ntcp_sent() */
	smp_store_release(&req->tx, state);
}

/*
 * The data of the current PDU is out (digest included).  Returns true when
 * another H2CData PDU of the same R2T follows, false when the sender is
 * done with @req (which it must not touch again).
 */
static bool ntcp_pdu_sent(struct ntcp_queue *q, struct ntcp_req *req)
{
	if (req->icd_len || !req->r2t_end) {
		/* capsule (with in-capsule data) done */
		ntcp_tx_finish(req, NTCP_TX_IDLE);
		return false;
	}
	if (req->xfer_off < req->r2t_end) {
		ntcp_build_h2c(q, req);
		return true;
	}
	req->r2t_end = 0;
	ntcp_tx_finish(req, req->xfer_off < req->data_len ?
			    NTCP_TX_WAIT_R2T : NTCP_TX_IDLE);
	return false;
}

static bool ntcp_more_to_send(struct ntcp_queue *q)
{
	return !list_empty(&q->send_list) || !llist_empty(&q->req_list);
}

/*
 * Push @req as far as the socket takes it.  Returns 1 when the request
 * has nothing more to send, 0 when the socket is full, or a negative
 * errno (the queue is then broken).
 */
static int ntcp_send_req(struct ntcp_queue *q, struct ntcp_req *req)
{
	int more, ret;

	for (;;) {
		more = ntcp_more_to_send(q) ? MSG_MORE : 0;
		switch (req->tx) {
		case NTCP_TX_QUEUED:
			req->tx = NTCP_TX_HDR;
			fallthrough;
		case NTCP_TX_HDR: {
			bool data = req->pdu_left;

			ret = ntcp_send_buf(q, req->hdr.raw + req->hdr_off,
					    req->hdr_len - req->hdr_off,
					    data ? MSG_MORE : more);
			if (ret <= 0)
				goto out;
			req->hdr_off += ret;
			if (req->hdr_off < req->hdr_len)
				break;
			if (data) {
				req->tx = NTCP_TX_DATA;
				break;
			}
			if (req->data_len && rq_data_dir(blk_mq_rq_from_pdu(req)) == WRITE &&
			    !req->icd_len)
				ntcp_tx_finish(req, NTCP_TX_WAIT_R2T);
			else
				ntcp_tx_finish(req, NTCP_TX_IDLE);
			return 1;
		}
		case NTCP_TX_DATA: {
			struct bio_vec bv = ntcp_cursor_seg(&req->cur);
			size_t len = min_t(size_t, bv.bv_len, req->pdu_left);
			int flags = MSG_SENDPAGE_NOTLAST | MSG_MORE;

			if (WARN_ON_ONCE(!len))
				return -EIO;
			if (len == req->pdu_left && !q->ddgst && !more)
				flags = 0;
			ret = ntcp_send_page(q, bv.bv_page, bv.bv_offset, len,
					     flags);
			if (ret <= 0)
				goto out;
			if (q->ddgst)
				ntcp_crc_page(&req->crc, bv.bv_page,
					      bv.bv_offset, ret);
			ntcp_cursor_advance(&req->cur, ret);
			req->xfer_off += ret;
			req->pdu_left -= ret;
			if (req->pdu_left)
				break;
			if (q->ddgst) {
				req->ddgst = cpu_to_le32(nvme_tcp_crc_final(req->crc));
				req->ddgst_off = 0;
				req->tx = NTCP_TX_DDGST;
				break;
			}
			if (!ntcp_pdu_sent(q, req))
				return 1;
			break;
		}
		case NTCP_TX_DDGST:
			ret = ntcp_send_buf(q, (u8 *)&req->ddgst + req->ddgst_off,
					    sizeof(req->ddgst) - req->ddgst_off,
					    more);
			if (ret <= 0)
				goto out;
			req->ddgst_off += ret;
			if (req->ddgst_off < sizeof(req->ddgst))
				break;
			if (!ntcp_pdu_sent(q, req))
				return 1;
			break;
		default:
			return 1;
		}
	}
out:
	if (ret == -EAGAIN || ret == 0)
		return 0;
	return ret;
}

static struct ntcp_req *ntcp_next_req(struct ntcp_queue *q)
{
	struct llist_node *node;
	struct ntcp_req *req, *tmp;

	node = llist_del_all(&q->req_list);
	if (node) {
		node = llist_reverse_order(node);
		llist_for_each_entry_safe(req, tmp, node, lentry)
			list_add_tail(&req->entry, &q->send_list);
	}
	req = list_first_entry_or_null(&q->send_list, struct ntcp_req, entry);
	if (req)
		list_del(&req->entry);
	return req;
}

/*
 * Send until the socket is full or nothing is left.  Returns the number
 * of requests finished, or a negative errno.  Caller holds q->lock.
 */
static int ntcp_send_some(struct ntcp_queue *q)
{
	int done = 0, ret;

	for (;;) {
		if (!q->send_req)
			q->send_req = ntcp_next_req(q);
		if (!q->send_req)
			return done;
		ret = ntcp_send_req(q, q->send_req);
		if (ret < 0) {
			ntcp_queue_error(q, "send failed (%d)", ret);
			return ret;
		}
		if (!ret)
			return done;
		q->send_req = NULL;
		done++;
	}
}

/* ------------------------------------------------------------------ */
/* receiving                                                          */
/* ------------------------------------------------------------------ */

/*
 * The tags of the queue's hardware context, or NULL: on the first connect
 * a queue is up (and a target may talk) before its tag set exists.
 */
static struct blk_mq_tags *ntcp_tags(struct ntcp_queue *q)
{
	struct nvmf_ctrl *fctrl = &q->ctrl->fctrl;

	if (!q->qid)
		return test_bit(NVMF_CTRL_ADMIN_TAGSET, &fctrl->flags) ?
		       fctrl->admin_set.tags[0] : NULL;
	if (!test_bit(NVMF_CTRL_IO_TAGSET, &fctrl->flags) ||
	    q->qid > fctrl->io_set.nr_hw_queues)
		return NULL;
	return fctrl->io_set.tags[q->qid - 1];
}

/* the request in flight on this queue that @cid names, or NULL (logged) */
static struct ntcp_req *ntcp_find_req(struct ntcp_queue *q, u16 cid,
				      const char *what)
{
	struct blk_mq_tags *tags = ntcp_tags(q);
	struct request *rq = NULL;
	struct ntcp_req *req;

	if (tags)
		rq = blk_mq_tag_to_rq(tags, cid & NTCP_TAG_MASK);
	if (!rq || blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT)
		goto bad;
	req = blk_mq_rq_to_pdu(rq);
	if (req->queue != q || req->cid != cid)
		goto bad;
	return req;
bad:
	ntcp_queue_error(q, "%s for unknown command id %#x", what, cid);
	return NULL;
}

/*
 * Is the sender done with @req (state @tx, read with acquire: pairs with
 * ntcp_tx_finish())?  If not, a response or C2HData for it came before
 * the command was handed to the socket completely.  Under the queue lock
 * that is a protocol error; the softirq receiver cannot tell it from the
 * sender not having published its last step yet, so it leaves the PDU to
 * io_work (-EAGAIN), which decides under the lock.
 */
static int ntcp_sent(struct ntcp_queue *q, struct ntcp_req *req, bool rsp,
		     const char *what)
{
	u8 tx;

	/* pairs with the release in ntcp_tx_finish() */
	tx = smp_load_acquire(&req->tx);
	if (tx == NTCP_TX_IDLE || (rsp && tx == NTCP_TX_WAIT_R2T))
		return 0;
	if (q->rx_softirq)
		return -EAGAIN;
	ntcp_queue_error(q, "%s for command id %#x before it was sent", what,
			 req->cid);
	return -EPROTO;
}

static void ntcp_done(struct ntcp_queue *q, struct ntcp_req *req,
		      __le16 status, __le64 result)
{
	req->tx = NTCP_TX_IDLE;
	q->nr_done++;
	if (q->spread)
		atomic_dec(&q->nr_active);
	nvme_req_done(blk_mq_rq_from_pdu(req), status, result);
}

static int ntcp_handle_rsp(struct ntcp_queue *q, struct nvme_tcp_rsp_pdu *p)
{
	struct nvme_cqe *cqe = &p->cqe;
	struct ntcp_req *req;
	struct request *rq;
	u16 status;
	int ret;

	req = ntcp_find_req(q, cqe->cid, "response");
	if (!req)
		return -EPROTO;
	ret = ntcp_sent(q, req, true, "response");
	if (ret)
		return ret;
	rq = blk_mq_rq_from_pdu(req);
	status = le16_to_cpu(cqe->status) >> 1;
	/*
	 * A successful read on an I/O queue must have delivered all of its
	 * data: else the caller would get stale buffer contents as data.
	 */
	if (!status && q->qid && req->data_len && rq_data_dir(rq) == READ &&
	    req->xfer_off != req->data_len) {
		ntcp_queue_error(q,
				 "successful response for command id %#x after %u of %u data bytes",
				 cqe->cid, req->xfer_off, req->data_len);
		return -EPROTO;
	}
	/* nor a write whose data the target never asked for */
	if (!status && req->data_len && rq_data_dir(rq) == WRITE &&
	    req->xfer_off != req->data_len) {
		ntcp_queue_error(q,
				 "successful response for command id %#x after %u of %u data bytes were sent",
				 cqe->cid, req->xfer_off, req->data_len);
		return -EPROTO;
	}
	ntcp_done(q, req, cqe->status,
		  cpu_to_le64(le32_to_cpu(cqe->dw0) |
			      (u64)le32_to_cpu(cqe->dw1) << 32));
	return 0;
}

/* the host's view of @req's data, for the shared checks in wire.c */
static void ntcp_xfer_state(struct ntcp_req *req, struct nvme_tcp_host_xfer *x)
{
	x->len = req->data_len;
	x->done = req->xfer_off;
	x->read = rq_data_dir(blk_mq_rq_from_pdu(req)) == READ;
	x->wait_r2t = req->tx == NTCP_TX_WAIT_R2T;
}

static int ntcp_handle_c2h(struct ntcp_queue *q, struct nvme_tcp_data_pdu *p)
{
	struct nvme_tcp_wire_err err = { };
	struct nvme_tcp_host_xfer x;
	struct ntcp_req *req;
	int ret;

	req = ntcp_find_req(q, p->cccid, "C2HData");
	if (!req)
		return -EPROTO;
	ret = ntcp_sent(q, req, false, "C2HData");
	if (ret)
		return ret;
	ntcp_xfer_state(req, &x);
	if (nvme_tcp_check_c2h_data(p, &x, &err)) {
		ntcp_set_term(q, &err);
		ntcp_queue_error(q, "%s (command id %#x, offset %u length %u, buffer %u)",
				 err.reason, p->cccid, le32_to_cpu(p->datao),
				 le32_to_cpu(p->datal), req->data_len);
		return -EPROTO;
	}
	q->rx_req = req;
	q->rx_flags = p->hdr.flags;
	q->rx_data = le32_to_cpu(p->datal);
	q->rx_crc = nvme_tcp_crc_init();
	q->rx_left = nvme_tcp_pad_len(&p->hdr);
	q->rx = q->rx_left ? NTCP_RX_PAD : NTCP_RX_DATA;
	if (!q->rx_left)
		q->rx_left = q->rx_data;
	return 0;
}

static int ntcp_handle_r2t(struct ntcp_queue *q, struct nvme_tcp_r2t_pdu *p)
{
	struct nvme_tcp_wire_err err = { };
	struct nvme_tcp_host_xfer x;
	struct ntcp_req *req;

	req = ntcp_find_req(q, p->cccid, "R2T");
	if (!req)
		return -EPROTO;
	ntcp_xfer_state(req, &x);
	if (nvme_tcp_check_r2t(p, &x, &err)) {
		ntcp_set_term(q, &err);
		ntcp_queue_error(q, "%s (command id %#x, offset %u length %u, sent %u of %u)",
				 err.reason, p->cccid, le32_to_cpu(p->r2to),
				 le32_to_cpu(p->r2tl), req->xfer_off, req->data_len);
		return -EPROTO;
	}
	req->ttag = le16_to_cpu(p->ttag);
	req->r2t_end = le32_to_cpu(p->r2to) + le32_to_cpu(p->r2tl);
	ntcp_build_h2c(q, req);
	list_add_tail(&req->entry, &q->send_list);
	return 0;
}

static void ntcp_rx_next_pdu(struct ntcp_queue *q)
{
	q->rx = NTCP_RX_HDR;
	q->rx_have = 0;
	q->rx_need = sizeof(struct nvme_tcp_hdr);
	q->rx_req = NULL;
	q->rx_deferred = false;
}

/*
 * Which PDUs the softirq receiver handles itself: a response, or C2HData
 * of at most NTCP_SOFTIRQ_DATA bytes.  The rest waits for io_work, which
 * holds the queue lock: R2T (it feeds the sender), termination requests,
 * anything unknown, and bulk data, whose copy then stays on the queue's
 * CPU instead of the CPU that took the segment (over loopback, the
 * target's).  Unvalidated fields only choose who handles the PDU.
 */
static bool ntcp_softirq_pdu(const struct nvme_tcp_hdr *ch)
{
	const struct nvme_tcp_data_pdu *d = (const void *)ch;

	return ch->type == NVME_TCP_RSP ||
	       (ch->type == NVME_TCP_C2H_DATA &&
		le32_to_cpu(d->datal) <= NTCP_SOFTIRQ_DATA);
}

/*
 * Handle the PDU whose header is in q->rx_hdr.  In the softirq receiver a
 * PDU that io_work must handle is left where it is (q->rx_deferred, the
 * header kept) and 0 returned: ntcp_recv_some() calls this again.
 */
static int ntcp_handle_pdu(struct ntcp_queue *q)
{
	struct nvme_tcp_hdr *ch = (struct nvme_tcp_hdr *)q->rx_hdr;
	struct nvme_tcp_wire_err err = { };
	struct nvme_tcp_term_pdu *t;
	int ret;

	if (q->rx_softirq && !ntcp_softirq_pdu(ch))
		goto defer;
	if (nvme_tcp_check_hdr(&q->wire, q->rx_hdr, &err)) {
		ntcp_set_term(q, &err);
		ntcp_queue_error(q, "bad %s PDU: %s", nvme_tcp_type_name(ch->type),
				 err.reason);
		return -EPROTO;
	}
	ntcp_rx_next_pdu(q);
	switch (ch->type) {
	case NVME_TCP_RSP:
		ret = ntcp_handle_rsp(q, (void *)ch);
		break;
	case NVME_TCP_C2H_DATA:
		ret = ntcp_handle_c2h(q, (void *)ch);
		break;
	case NVME_TCP_R2T:
		return ntcp_handle_r2t(q, (void *)ch);
	case NVME_TCP_C2H_TERMREQ:
		t = (void *)ch;
		ntcp_queue_error(q, "target terminated the connection: %s (fei %#x)",
				 nvme_tcp_fes_name(le16_to_cpu(t->fes)),
				 nvme_tcp_term_fei(t));
		return -ECONNRESET;
	default:
		ntcp_queue_error(q, "unexpected %s PDU", nvme_tcp_type_name(ch->type));
		return -EPROTO;
	}
	if (ret != -EAGAIN)
		return ret;
defer:
	q->rx_deferred = true;
	return 0;
}

/*
 * Header bytes: until the common header gives the length, read as much as
 * the longest header a host receives (24 bytes and the digest), so that
 * most PDUs take one copy; bytes beyond the header are read again as the
 * PDU's data.
 */
static int ntcp_rx_hdr(struct ntcp_queue *q, struct sk_buff *skb,
		       unsigned int off, size_t len)
{
	struct nvme_tcp_wire_err err = { };
	u32 have = q->rx_have, want = q->rx_need, n;
	int hlen;

	if (want == sizeof(struct nvme_tcp_hdr))
		want = sizeof(struct nvme_tcp_rsp_pdu) +
		       (q->hdgst ? NVME_TCP_DIGEST_LEN : 0);
	n = min_t(size_t, len, want - have);
	if (skb_copy_bits(skb, off, q->rx_hdr + have, n))
		return -EFAULT;
	q->rx_have = have + n;
	if (q->rx_have < sizeof(struct nvme_tcp_hdr))
		return n;
	if (q->rx_need == sizeof(struct nvme_tcp_hdr)) {
		hlen = nvme_tcp_check_ch(&q->wire, (void *)q->rx_hdr, &err);
		if (hlen < 0) {
			ntcp_set_term(q, &err);
			ntcp_queue_error(q, "bad PDU header (type %#x): %s",
					 q->rx_hdr[0], err.reason);
			return -EPROTO;
		}
		if (hlen > sizeof(q->rx_hdr) || hlen < sizeof(struct nvme_tcp_hdr)) {
			ntcp_queue_error(q, "PDU header of %d bytes", hlen);
			return -EPROTO;
		}
		q->rx_need = hlen;
	}
	if (q->rx_have < q->rx_need)
		return n;
	/* only the header's bytes are used up */
	n = q->rx_need - have;
	q->rx_have = q->rx_need;
	return ntcp_handle_pdu(q) ?: n;
}

/* one C2HData PDU is complete (digest checked) */
static void ntcp_c2h_done(struct ntcp_queue *q)
{
	struct ntcp_req *req = q->rx_req;

	if (q->rx_flags & NVME_TCP_F_DATA_SUCCESS)
		ntcp_done(q, req, 0, 0);
	ntcp_rx_next_pdu(q);
}

/*
 * Digest of @len bytes starting at @cur (a copy of the cursor taken before
 * the bytes were received), one real page at a time.
 */
static u32 ntcp_crc_cursor(u32 crc, struct ntcp_cursor cur, u32 len)
{
	while (len) {
		struct bio_vec bv = ntcp_cursor_seg(&cur);
		u32 n = min(len, bv.bv_len);
		void *p;

		if (WARN_ON_ONCE(!n))
			break;
		p = kmap_local_page(bv.bv_page);
		crc = nvme_tcp_crc_update(crc, p + bv.bv_offset, n);
		kunmap_local(p);
		ntcp_cursor_advance(&cur, n);
		len -= n;
	}
	return crc;
}

/*
 * Copy the next @n data bytes at @off of @skb into the request's pages:
 * one skb_copy_datagram_iter() per bio (an iov_iter over the bio's
 * remaining bvecs), so the skb's fragments are walked once per copy, not
 * once per page.  @n never exceeds what the cursor still has.
 */
static int ntcp_copy_to_cursor(struct ntcp_cursor *cur, struct sk_buff *skb,
			       unsigned int off, u32 n)
{
	while (n) {
		struct bio_vec *bv;
		struct iov_iter it;
		u32 span, want, nr = 0;
		int ret;

		if (!ntcp_cursor_seg(cur).bv_len)
			return -EFAULT;
		span = min(n, cur->iter.bi_size);
		/* the bvecs from the cursor on that hold @span bytes */
		want = cur->iter.bi_bvec_done + span;
		for (bv = cur->bvec + cur->iter.bi_idx; want; bv++, nr++)
			want -= min(want, bv->bv_len);
		iov_iter_bvec(&it, ITER_DEST, cur->bvec + cur->iter.bi_idx, nr,
			      cur->iter.bi_bvec_done + span);
		iov_iter_advance(&it, cur->iter.bi_bvec_done);
		ret = skb_copy_datagram_iter(skb, off, &it, span);
		if (ret)
			return ret;
		ntcp_cursor_advance(cur, span);
		off += span;
		n -= span;
	}
	return 0;
}

static int ntcp_rx_data(struct ntcp_queue *q, struct sk_buff *skb,
			unsigned int off, size_t len)
{
	struct ntcp_req *req = q->rx_req;
	u32 n = min_t(size_t, len, q->rx_left);
	struct ntcp_cursor start = req->cur;
	int ret;

	/* the checks against data_len make this unreachable */
	if (n > req->data_len - req->xfer_off) {
		ntcp_queue_error(q, "C2HData beyond the request's pages");
		return -EPROTO;
	}
	ret = ntcp_copy_to_cursor(&req->cur, skb, off, n);
	if (ret)
		return ret;
	if (q->ddgst)
		q->rx_crc = ntcp_crc_cursor(q->rx_crc, start, n);
	req->xfer_off += n;
	q->rx_left -= n;
	if (!q->rx_left) {
		if (q->ddgst) {
			q->rx = NTCP_RX_DDGST;
			q->rx_left = NVME_TCP_DIGEST_LEN;
		} else {
			ntcp_c2h_done(q);
		}
	}
	return n;
}

static int ntcp_rx_ddgst(struct ntcp_queue *q, struct sk_buff *skb,
			 unsigned int off, size_t len)
{
	u32 n = min_t(size_t, len, q->rx_left);
	u32 have = NVME_TCP_DIGEST_LEN - q->rx_left;

	if (skb_copy_bits(skb, off, (u8 *)&q->rx_ddgst + have, n))
		return -EFAULT;
	q->rx_left -= n;
	if (q->rx_left)
		return n;
	if (le32_to_cpu(q->rx_ddgst) != nvme_tcp_crc_final(q->rx_crc)) {
		ntcp_queue_error(q, "data digest mismatch for command id %#x",
				 q->rx_req->cid);
		return -EPROTO;
	}
	ntcp_c2h_done(q);
	return n;
}

static int ntcp_recv_actor(read_descriptor_t *desc, struct sk_buff *skb,
			   unsigned int off, size_t len)
{
	struct ntcp_queue *q = desc->arg.data;
	size_t left = len;
	int used;

	while (left) {
		if (test_bit(NTCP_Q_ERR, &q->flags) || q->rx_deferred) {
			desc->count = 0;
			break;
		}
		switch (q->rx) {
		case NTCP_RX_HDR:
			used = ntcp_rx_hdr(q, skb, off, left);
			break;
		case NTCP_RX_PAD:
			used = min_t(size_t, left, q->rx_left);
			q->rx_left -= used;
			if (!q->rx_left) {
				q->rx = NTCP_RX_DATA;
				q->rx_left = q->rx_data;
			}
			break;
		case NTCP_RX_DATA:
			used = ntcp_rx_data(q, skb, off, left);
			break;
		case NTCP_RX_DDGST:
			used = ntcp_rx_ddgst(q, skb, off, left);
			break;
		default:
			used = -EINVAL;
			break;
		}
		if (used <= 0) {
			if (used < 0)
				ntcp_queue_error(q, "receive failed (%d)", used);
			desc->count = 0;
			break;
		}
		off += used;
		left -= used;
	}
	return len - left;
}

/*
 * Receive what the socket has, starting with a PDU the softirq receiver
 * left to us.  Caller holds q->lock.  Returns > 0 when something was done.
 */
static int ntcp_recv_some(struct ntcp_queue *q)
{
	struct sock *sk = q->sock->sk;
	read_descriptor_t desc = { .arg.data = q, .count = 1 };
	bool handled = false;
	int ret;

	lock_sock(sk);
	if (q->rx_deferred) {
		q->rx_deferred = false;
		handled = true;
		ret = ntcp_handle_pdu(q);
		if (ret) {
			ntcp_queue_error(q, "receive failed (%d)", ret);
			goto out;
		}
	}
	ret = q->sock->ops->read_sock(sk, &desc, ntcp_recv_actor);
out:
	release_sock(sk);
	return handled ? max(ret, 1) : ret;
}

/*
 * Receive in the socket's data_ready callback: softirq context, the
 * socket spinlock held by the caller.  Only when no task owns the socket
 * (else io_work or ->poll is receiving and the bytes wait for it), and
 * only on a live I/O queue that is not polled (a polled request must not
 * complete in interrupt context).  A response completes its request here,
 * which saves waking io_work (a context switch, often an IPI) per
 * completion.  Returns false when io_work must run.
 */
static bool ntcp_recv_softirq(struct ntcp_queue *q, struct sock *sk)
{
	read_descriptor_t desc = { .arg.data = q, .count = 1 };

	if (!rx_softirq || !q->qid || q->polled ||
	    !test_bit(NTCP_Q_LIVE, &q->flags) ||
	    test_bit(NTCP_Q_STOPPED, &q->flags) ||
	    test_bit(NTCP_Q_ERR, &q->flags) || sock_owned_by_user_nocheck(sk) ||
	    q->rx_deferred)
		return false;
	q->rx_softirq = true;
	q->sock->ops->read_sock(sk, &desc, ntcp_recv_actor);
	q->rx_softirq = false;
	return !q->rx_deferred;
}

/* ------------------------------------------------------------------ */
/* the I/O context                                                    */
/* ------------------------------------------------------------------ */

void ntcp_io_work(struct work_struct *work)
{
	struct ntcp_queue *q = container_of(work, struct ntcp_queue, io_work);
	unsigned long deadline = jiffies + usecs_to_jiffies(NTCP_IO_BUDGET_US);
	bool again = false;
	int tx, rx;

	if (test_bit(NTCP_Q_STOPPED, &q->flags))
		return;
	if (test_bit(NTCP_Q_ERR, &q->flags))
		goto error;

	mutex_lock(&q->lock);
	do {
		tx = ntcp_send_some(q);
		rx = ntcp_recv_some(q);
		if (test_bit(NTCP_Q_ERR, &q->flags))
			break;
		again = tx > 0 || rx > 0;
	} while (again && time_before(jiffies, deadline));
	mutex_unlock(&q->lock);

	if (test_bit(NTCP_Q_PEER_CLOSED, &q->flags) && !again)
		ntcp_queue_error(q, "connection closed by the target");

	if (test_bit(NTCP_Q_ERR, &q->flags))
		goto error;
	if (again)
		queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
	return;
error:
	ntcp_handle_error(q);
}

/**
 * ntcp_reset_queue_state() - fresh engine state for a new connection
 * @q: the queue, not yet receiving
 */
void ntcp_reset_queue_state(struct ntcp_queue *q)
{
	init_llist_head(&q->req_list);
	INIT_LIST_HEAD(&q->send_list);
	q->send_req = NULL;
	q->term_fes = 0;
	atomic_set(&q->nr_active, 0);
	q->inline_run = 0;
	q->probe_shift = 0;
	q->idle_run = 0;
	ntcp_rx_next_pdu(q);
}

/* ------------------------------------------------------------------ */
/* socket callbacks (softirq, sk_callback_lock held for reading)      */
/* ------------------------------------------------------------------ */

void ntcp_sk_data_ready(struct sock *sk)
{
	struct ntcp_queue *q;

	read_lock_bh(&sk->sk_callback_lock);
	q = sk->sk_user_data;
	if (q && !test_bit(NTCP_Q_POLLING, &q->flags) &&
	    !ntcp_recv_softirq(q, sk))
		queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

void ntcp_sk_write_space(struct sock *sk)
{
	struct ntcp_queue *q;

	read_lock_bh(&sk->sk_callback_lock);
	q = sk->sk_user_data;
	if (q && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

void ntcp_sk_state_change(struct sock *sk)
{
	void (*orig)(struct sock *sk) = NULL;
	struct ntcp_queue *q;

	read_lock_bh(&sk->sk_callback_lock);
	q = sk->sk_user_data;
	if (q) {
		orig = q->sk_state_change;
		/*
		 * Any state on the way down means the peer is gone.  io_work
		 * reads what is still queued first (a termination request
		 * says more than "closed"), then fails the queue.
		 */
		if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_CLOSE_WAIT |
					   TCPF_LAST_ACK | TCPF_FIN_WAIT1 |
					   TCPF_FIN_WAIT2) &&
		    !test_and_set_bit(NTCP_Q_PEER_CLOSED, &q->flags))
			queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	if (orig)
		orig(sk);
}

/* ------------------------------------------------------------------ */
/* blk-mq                                                             */
/* ------------------------------------------------------------------ */

static blk_status_t ntcp_setup_req(struct ntcp_queue *q, struct request *rq)
{
	struct ntcp_req *req = blk_mq_rq_to_pdu(rq);
	struct nvme_sqe *c = &req->req.cmd;
	u32 icd_max = q->icd_max;

	req->data_len = blk_rq_nr_phys_segments(rq) ? blk_rq_payload_bytes(rq) : 0;
	req->xfer_off = 0;
	req->r2t_end = 0;
	req->pdu_left = 0;
	req->icd_len = 0;
	req->gen = (req->gen + 1) & NTCP_GEN_MASK;
	req->cid = rq->tag | (u16)req->gen << NTCP_TAG_BITS;
	ntcp_cursor_init(&req->cur, rq);

	/* the Connect data always travels in the capsule */
	if (nvmf_is_connect_cmd(c))
		icd_max = max_t(u32, icd_max, NTCP_ADMIN_ICD);
	c->cid = req->cid;
	c->flags &= ~(NVME_CMD_PSDT_SGL_MPTR | NVME_CMD_PSDT_SGL_SGL);
	c->flags |= NVME_CMD_PSDT_SGL_MPTR;
	memset(&c->dptr, 0, sizeof(c->dptr));
	c->dptr.sgl.length = cpu_to_le32(req->data_len);
	if (req->data_len && rq_data_dir(rq) == WRITE &&
	    req->data_len <= icd_max) {
		req->icd_len = req->data_len;
		c->dptr.sgl.type = NVME_TCP_SGL_INCAPSULE;
	} else {
		c->dptr.sgl.type = NVME_TCP_SGL_TRANSPORT;
	}

	memset(req->hdr.raw, 0, sizeof(req->hdr.raw));
	req->hdr_len = nvme_tcp_enc_cmd(&req->hdr.cmd, q->hdgst, q->ddgst,
					q->tx_pda, c, req->icd_len);
	if (WARN_ON_ONCE(req->hdr_len > sizeof(req->hdr.raw)))
		return BLK_STS_IOERR;
	if (q->hdgst)
		nvme_tcp_set_hdgst(req->hdr.raw);
	req->hdr_off = 0;
	req->pdu_left = req->icd_len;
	req->crc = nvme_tcp_crc_init();
	req->tx = NTCP_TX_QUEUED;
	return BLK_STS_OK;
}

/*
 * A spread queue's io_work runs beside its submitters (ntcp_place_queue()):
 * ->queue_rq sends a command itself only when the queue has been idle at
 * the last NTCP_IDLE_RUN submissions: a lone command is not worth the
 * hop, but behind others it is (the submitter and the socket work then
 * overlap).  Once a submission finds the queue busy, the next
 * NTCP_IDLE_RUN go through io_work even if the queue drained meanwhile:
 * a deep submitter that reaps a whole batch and resubmits it finds the
 * first slot idle and must not fall back.  Against a target on the same
 * machine a directly sent command is often answered before ->queue_rq
 * returns (the target's worker preempts the submitter), so a deep
 * submitter on the direct path never sees a busy queue; every
 * NTCP_INLINE_PROBE-th direct send goes through io_work anyway to let it.
 * Each probe that leaves the queue idle doubles the interval, up to
 * NTCP_INLINE_PROBE << NTCP_PROBE_SHIFT_MAX; a busy queue resets it.  A
 * queue-depth-1 submitter pays the hop on one command in 4096 once the
 * interval is at its longest.
 */
#define NTCP_IDLE_RUN		16
#define NTCP_INLINE_PROBE	128
#define NTCP_PROBE_SHIFT_MAX	5

/* may ->queue_rq send @q's new command itself? */
static bool ntcp_direct_ok(struct ntcp_queue *q, bool on_io_cpu)
{
	u16 old = READ_ONCE(q->idle_run), run = old;

	if (on_io_cpu || !q->spread)
		return on_io_cpu;
	/* nr_active counts the new command */
	if (atomic_read(&q->nr_active) > 1) {
		run = 0;
		if (READ_ONCE(q->probe_shift))
			WRITE_ONCE(q->probe_shift, 0);
	} else if (run <= NTCP_IDLE_RUN) {
		run++;
	}
	/* a steady queue, idle or busy, leaves the line alone */
	if (run != old)
		WRITE_ONCE(q->idle_run, run);
	return run > NTCP_IDLE_RUN;
}

static void ntcp_queue_req(struct ntcp_queue *q, struct ntcp_req *req,
			   bool last, bool may_sleep)
{
	bool on_io_cpu = q->io_cpu == raw_smp_processor_id();
	bool empty;

	if (q->spread)
		atomic_inc(&q->nr_active);
	empty = llist_add(&req->lentry, &q->req_list) &&
		list_empty(&q->send_list) && !q->send_req;
	/*
	 * Send from here when it cannot reorder anything and either we are
	 * where the queue's work would run anyway (saves a context switch
	 * per command) or the queue's work runs elsewhere and the queue is
	 * idle (above).  Needs a blocking tag set: the socket lock may sleep.
	 */
	if (ntcp_direct_ok(q, on_io_cpu) && may_sleep && last && empty &&
	    mutex_trylock(&q->lock)) {
		u8 shift = READ_ONCE(q->probe_shift);

		if (on_io_cpu || ++q->inline_run < NTCP_INLINE_PROBE << shift) {
			ntcp_send_some(q);
			mutex_unlock(&q->lock);
			if (test_bit(NTCP_Q_ERR, &q->flags))
				queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
			return;
		}
		q->inline_run = 0;
		if (shift < NTCP_PROBE_SHIFT_MAX)
			WRITE_ONCE(q->probe_shift, shift + 1);
		mutex_unlock(&q->lock);
	}
	if (last)
		queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
}

static blk_status_t ntcp_queue_rq(struct blk_mq_hw_ctx *hctx,
				  const struct blk_mq_queue_data *bd)
{
	struct ntcp_queue *q = hctx->driver_data;
	struct nvmf_ctrl *fctrl = &q->ctrl->fctrl;
	struct request *rq = bd->rq;
	bool up = test_bit(NTCP_Q_ALLOCATED, &q->flags) &&
		  !test_bit(NTCP_Q_STOPPED, &q->flags) &&
		  !test_bit(NTCP_Q_ERR, &q->flags);
	blk_status_t ret;

	if (!up || !nvmf_check_ready(fctrl, rq, test_bit(NTCP_Q_LIVE, &q->flags)))
		return nvme_fail_nonready(&fctrl->ctrl, rq);

	ret = nvme_setup_cmd(hctx->queue->queuedata, rq);
	if (ret)
		return ret;
	ret = ntcp_setup_req(q, rq);
	if (ret) {
		nvme_cleanup_cmd(rq);
		return ret;
	}
	blk_mq_start_request(rq);
	ntcp_queue_req(q, blk_mq_rq_to_pdu(rq), bd->last,
		       hctx->flags & BLK_MQ_F_BLOCKING);
	return BLK_STS_OK;
}

static void ntcp_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct ntcp_queue *q = hctx->driver_data;

	if (!llist_empty(&q->req_list))
		queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
}

static void ntcp_complete_rq(struct request *rq)
{
	nvme_complete_rq(rq);
}

static int ntcp_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct ntcp_queue *q = hctx->driver_data;
	int done;

	if (!test_bit(NTCP_Q_LIVE, &q->flags) ||
	    test_bit(NTCP_Q_STOPPED, &q->flags) ||
	    test_bit(NTCP_Q_ERR, &q->flags) || !mutex_trylock(&q->lock))
		return 0;
	set_bit(NTCP_Q_POLLING, &q->flags);
	q->nr_done = 0;
	ntcp_recv_some(q);
	/* R2Ts read here are answered here: nobody else would wake up */
	if (!list_empty(&q->send_list))
		ntcp_send_some(q);
	done = q->nr_done;
	clear_bit(NTCP_Q_POLLING, &q->flags);
	mutex_unlock(&q->lock);
	if (test_bit(NTCP_Q_ERR, &q->flags))
		queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
	return done;
}

static enum blk_eh_timer_return ntcp_timeout(struct request *rq)
{
	struct ntcp_req *req = blk_mq_rq_to_pdu(rq);
	struct ntcp_queue *q = req->queue;

	return nvmf_timeout(&q->ctrl->fctrl, rq, q->qid);
}

static int ntcp_init_request(struct blk_mq_tag_set *set, struct request *rq,
			     unsigned int hctx_idx, unsigned int numa_node)
{
	struct ntcp_ctrl *ctrl = to_ntcp(set->driver_data);
	struct ntcp_req *req = blk_mq_rq_to_pdu(rq);

	req->req.ctrl = &ctrl->fctrl.ctrl;
	req->queue = set == &ctrl->fctrl.admin_set ? &ctrl->queues[0] :
						    &ctrl->queues[hctx_idx + 1];
	return 0;
}

static int ntcp_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			  unsigned int idx)
{
	struct ntcp_ctrl *ctrl = to_ntcp(data);

	hctx->driver_data = &ctrl->queues[idx + 1];
	return 0;
}

static int ntcp_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				unsigned int idx)
{
	struct ntcp_ctrl *ctrl = to_ntcp(data);

	hctx->driver_data = &ctrl->queues[0];
	return 0;
}

const struct blk_mq_ops ntcp_admin_mq_ops = {
	.queue_rq	= ntcp_queue_rq,
	.complete	= ntcp_complete_rq,
	.init_request	= ntcp_init_request,
	.init_hctx	= ntcp_init_admin_hctx,
	.timeout	= ntcp_timeout,
};

const struct blk_mq_ops ntcp_mq_ops = {
	.queue_rq	= ntcp_queue_rq,
	.commit_rqs	= ntcp_commit_rqs,
	.complete	= ntcp_complete_rq,
	.init_request	= ntcp_init_request,
	.init_hctx	= ntcp_init_hctx,
	.timeout	= ntcp_timeout,
	.map_queues	= nvmf_map_queues,
	.poll		= ntcp_poll,
};
