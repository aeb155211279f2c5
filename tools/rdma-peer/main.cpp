// SPDX-License-Identifier: GPL-2.0
/*
 * rdma-peer: an NVMe/RDMA host that breaks the protocol on purpose, to
 * check that a target refuses it cleanly.  Each scenario opens one RDMA CM
 * connection (librdmacm / libibverbs, userspace) and prints one line:
 *
 *   <scenario>: rejected sts=<n> | established [response status=0x<sc>]
 *               [disconnected] | error <what>
 *
 * Scenarios:
 *   good          valid admin queue request, no command: established
 *   bad-recfmt    connect private data with record format 1
 *   bad-hsqsize   HSQSIZE 0 (a one-entry queue)
 *   big-hsqsize   HSQSIZE beyond the admin queue limit (32 entries)
 *   bad-hrqsize   HRQSIZE 0
 *   short-capsule a 32-byte command capsule
 *   inline-admin  a Connect whose data is "in the capsule" on the admin
 *                 queue, which takes no in-capsule data
 *   oversize-capsule  the same with the 1024 bytes really sent: more than
 *                 the admin queue's 64-byte receive buffers
 *   bad-sgl-type  a Connect with an SGL segment descriptor
 *   bad-key       a Connect whose keyed SGL names a key the host never
 *                 registered
 *
 * Usage: rdma-peer ADDR PORT SCENARIO...
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <netdb.h>
#include <poll.h>
#include <rdma/rdma_cma.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "fabrics/rdma/wire.h"
#include "include/nvme/fabrics.h"
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kBuf = 8192;

struct Peer {
	rdma_event_channel *ec = nullptr;
	rdma_cm_id *id = nullptr;
	ibv_pd *pd = nullptr;
	ibv_cq *cq = nullptr;
	ibv_mr *mr = nullptr;
	std::vector<uint8_t> buf = std::vector<uint8_t>(kBuf);
	bool disconnected = false;

	~Peer()
	{
		if (id && id->qp)
			rdma_destroy_qp(id);
		if (mr)
			ibv_dereg_mr(mr);
		if (cq)
			ibv_destroy_cq(cq);
		if (pd)
			ibv_dealloc_pd(pd);
		if (id)
			rdma_destroy_id(id);
		if (ec)
			rdma_destroy_event_channel(ec);
	}
};

// Wait up to @ms for the next CM event; copies what the caller needs.
bool next_event(Peer &p, int ms, rdma_cm_event_type *type, int *status,
		std::vector<uint8_t> *pdata)
{
	pollfd pfd = {p.ec->fd, POLLIN, 0};
	rdma_cm_event *ev;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	if (rdma_get_cm_event(p.ec, &ev))
		return false;
	*type = ev->event;
	*status = ev->status;
	if (pdata) {
		const uint8_t *d = static_cast<const uint8_t *>(ev->param.conn.private_data);
		pdata->assign(d, d + (d ? ev->param.conn.private_data_len : 0));
	}
	rdma_ack_cm_event(ev);
	return true;
}

bool expect_event(Peer &p, rdma_cm_event_type want, const char *what)
{
	rdma_cm_event_type t;
	int st;

	if (!next_event(p, 3000, &t, &st, nullptr) || t != want) {
		printf("error %s\n", what);
		return false;
	}
	return true;
}

bool setup(Peer &p, const char *addr, const char *port)
{
	addrinfo *ai = nullptr;
	ibv_qp_init_attr qa = {};

	p.ec = rdma_create_event_channel();
	if (!p.ec || rdma_create_id(p.ec, &p.id, nullptr, RDMA_PS_TCP)) {
		printf("error cm id\n");
		return false;
	}
	fcntl(p.ec->fd, F_SETFL, fcntl(p.ec->fd, F_GETFL) | O_NONBLOCK);
	if (getaddrinfo(addr, port, nullptr, &ai) ||
	    rdma_resolve_addr(p.id, nullptr, ai->ai_addr, 2000)) {
		printf("error resolving %s\n", addr);
		if (ai)
			freeaddrinfo(ai);
		return false;
	}
	freeaddrinfo(ai);
	if (!expect_event(p, RDMA_CM_EVENT_ADDR_RESOLVED, "address") ||
	    rdma_resolve_route(p.id, 2000) ||
	    !expect_event(p, RDMA_CM_EVENT_ROUTE_RESOLVED, "route"))
		return false;
	p.pd = ibv_alloc_pd(p.id->verbs);
	p.cq = p.pd ? ibv_create_cq(p.id->verbs, 64, nullptr, nullptr, 0) : nullptr;
	if (!p.cq) {
		printf("error pd/cq\n");
		return false;
	}
	p.mr = ibv_reg_mr(p.pd, p.buf.data(), p.buf.size(),
			  IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
			  IBV_ACCESS_REMOTE_WRITE);
	qa.send_cq = p.cq;
	qa.recv_cq = p.cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = 8;
	qa.cap.max_recv_wr = 8;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (!p.mr || rdma_create_qp(p.id, p.pd, &qa)) {
		printf("error mr/qp\n");
		return false;
	}
	// response buffers at 4096 + 64 * i
	for (int i = 0; i < 4; i++) {
		ibv_sge sge = {(uintptr_t)p.buf.data() + 4096 + 64 * i, 64,
			       p.mr->lkey};
		ibv_recv_wr wr = {}, *bad;

		wr.wr_id = 100 + i;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		if (ibv_post_recv(p.id->qp, &wr, &bad)) {
			printf("error post recv\n");
			return false;
		}
	}
	return true;
}

// Connect with @pd; prints "rejected sts=N" and returns false if refused.
bool cm_connect(Peer &p, const nvme_rdma_cm_request &req)
{
	rdma_conn_param param = {};
	rdma_cm_event_type t;
	std::vector<uint8_t> rej;
	int st;

	param.private_data = &req;
	param.private_data_len = sizeof(req);
	param.responder_resources = 4;
	param.initiator_depth = 4;
	param.retry_count = 7;
	param.rnr_retry_count = 7;
	if (rdma_connect(p.id, &param)) {
		printf("error rdma_connect\n");
		return false;
	}
	if (!next_event(p, 5000, &t, &st, &rej)) {
		printf("error no answer to the connect request\n");
		return false;
	}
	if (t == RDMA_CM_EVENT_REJECTED) {
		u16 sts;

		if (!nvme_rdma_cm_rej_parse(rej.data(), rej.size(), &sts))
			printf("rejected sts=%u\n", sts);
		else
			printf("rejected (no NVMe/RDMA status, reason %d)\n", st);
		return false;
	}
	if (t != RDMA_CM_EVENT_ESTABLISHED) {
		printf("error %s\n", rdma_event_str(t));
		return false;
	}
	printf("established");
	return true;
}

// Send @len bytes from the start of the buffer, then report what happens
// within 5 s: a response and/or the target disconnecting.
void send_and_watch(Peer &p, uint32_t len)
{
	ibv_sge sge = {(uintptr_t)p.buf.data(), len, p.mr->lkey};
	ibv_send_wr wr = {}, *bad;
	auto end = Clock::now() + std::chrono::seconds(5), grace = end;
	bool got_rsp = false;

	wr.wr_id = 1;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_SEND;
	wr.send_flags = IBV_SEND_SIGNALED;
	if (ibv_post_send(p.id->qp, &wr, &bad)) {
		printf(" error post send\n");
		return;
	}
	// the CM's disconnect may overtake the response's completion: keep
	// looking at the CQ for a moment after the disconnect
	while (Clock::now() < end) {
		ibv_wc wc[4];
		int n = ibv_poll_cq(p.cq, 4, wc);
		rdma_cm_event_type t;
		int st;

		if (p.disconnected && (got_rsp || Clock::now() > grace))
			break;

		for (int i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS || wc[i].wr_id < 100 ||
			    got_rsp)
				continue;
			nvme_cqe cqe;

			memcpy(&cqe, p.buf.data() + 4096 + 64 * (wc[i].wr_id - 100),
			       sizeof(cqe));
			printf(" response status=0x%x",
			       le16_to_cpu(cqe.status) >> 1 & 0x7ff);
			got_rsp = true;
		}
		if (!p.disconnected &&
		    next_event(p, n ? 0 : 10, &t, &st, nullptr) &&
		    (t == RDMA_CM_EVENT_DISCONNECTED ||
		     t == RDMA_CM_EVENT_TIMEWAIT_EXIT)) {
			p.disconnected = true;
			grace = Clock::now() + std::chrono::milliseconds(300);
		}
	}
	printf("%s\n", p.disconnected ? " disconnected" : "");
}

// An admin-queue Connect capsule with its 1024 bytes of data described by
// @type / @key (the data itself sits at offset 2048 of the buffer).
void connect_capsule(Peer &p, uint8_t type, bool keyed, uint32_t key)
{
	nvmf_connect_cmd c = {};
	uint8_t *data = p.buf.data() + 2048;

	memset(data, 0, 1024);
	memcpy(p.buf.data() + 64, data, 1024);	/* "in-capsule" copy */
	c.opc = NVME_ADM_FABRICS;
	c.flags = NVME_CMD_PSDT_SGL_MPTR;
	c.cid = 1;
	c.fctype = NVMF_FCTYPE_CONNECT;
	c.sqsize = cpu_to_le16(NVME_RDMA_AQ_DEPTH - 1);
	c.kato = cpu_to_le32(5000);
	if (keyed)
		nvme_rdma_keyed_sgl_encode(&c.dptr, (uintptr_t)data, 1024, key,
					   false);
	else
		nvme_rdma_inline_sgl_encode(&c.dptr, 0, 1024);
	c.dptr.type = type;
	memcpy(p.buf.data(), &c, sizeof(c));
}

void run(const char *addr, const char *port, const std::string &s)
{
	Peer p;
	nvme_rdma_cm_request req;

	printf("%s: ", s.c_str());
	fflush(stdout);
	if (!setup(p, addr, port))
		return;
	nvme_rdma_cm_req_encode(&req, 0, NVME_RDMA_AQ_DEPTH,
				NVME_RDMA_AQ_DEPTH - 1, 0);
	if (s == "bad-recfmt")
		req.recfmt = cpu_to_le16(1);
	else if (s == "bad-hsqsize")
		req.hsqsize = 0;
	else if (s == "big-hsqsize")
		req.hsqsize = cpu_to_le16(NVME_RDMA_AQ_DEPTH);
	else if (s == "bad-hrqsize")
		req.hrqsize = 0;
	if (!cm_connect(p, req))
		return;

	if (s == "short-capsule") {
		memset(p.buf.data(), 0, 32);
		send_and_watch(p, 32);
	} else if (s == "inline-admin" || s == "oversize-capsule") {
		connect_capsule(p, NVME_SGL_TYPE_DATA_BLOCK |
				NVME_SGL_SUBTYPE_OFFSET, false, 0);
		send_and_watch(p, s == "inline-admin" ? 64 : 64 + 1024);
	} else if (s == "bad-sgl-type") {
		connect_capsule(p, NVME_SGL_TYPE_SEGMENT, false, 0);
		send_and_watch(p, 64);
	} else if (s == "bad-key") {
		connect_capsule(p, NVME_SGL_TYPE_KEYED_DATA |
				NVME_SGL_SUBTYPE_ADDRESS, true,
				p.mr->rkey ^ 0x5a5a00);
		send_and_watch(p, 64);
	} else {
		printf("\n");
	}
	if (!p.disconnected)
		rdma_disconnect(p.id);
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s ADDR PORT SCENARIO...\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, nullptr, _IOLBF, 0);
	for (int i = 3; i < argc; i++)
		run(argv[1], argv[2], argv[i]);
	return 0;
}
