// SPDX-License-Identifier: GPL-2.0
//
// badtarget.cpp: the scripted misbehaving NVMe/TCP controller.
//
// It answers what a Linux host sends while connecting (ICReq, Connect,
// Property Get/Set, Identify, Get Log Page, Set/Get Features, Keep Alive;
// Async Event Requests are held) and Read/Write/Flush/Write Zeroes/DSM on
// a RAM namespace. At its scenario's trigger -- the ICReq, the admin
// Connect, the first Identify, or the first Read on an I/O queue (once per
// process, so the host can recover) -- it misbehaves instead.

#include "badtarget.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <thread>

namespace badtgt {

using ntcp::Bytes;
using ntcp::Io;
using ntcp::RecvResult;
using ntcp::Sock;

namespace {

const std::vector<ScenarioInfo> kScenarios = {
	{"good", "behave: a working controller with one 16 MiB namespace", "-"},
	{"icreq-close", "close the socket on ICReq", "icreq"},
	{"icresp-silent", "never answer the ICReq", "icreq"},
	{"icresp-bad-pfv", "ICResp with PFV 1", "icreq"},
	{"icresp-bad-maxh2cdata", "ICResp with MAXH2CDATA 100 (< 4096)", "icreq"},
	{"icresp-bad-hlen", "ICResp with HLEN 64", "icreq"},
	{"icresp-unasked-digest", "ICResp enabling digests the host did not ask for", "icreq"},
	{"icresp-wrong-type", "a CapsuleResp instead of the ICResp", "icreq"},
	{"connect-silent", "never answer the admin Connect", "connect"},
	{"connect-close", "close the socket on the admin Connect", "connect"},
	{"connect-termreq", "C2HTermReq in answer to the admin Connect", "connect"},
	{"connect-unknown-cid", "CapsuleResp with a command id the host never used", "connect"},
	{"connect-unknown-type", "a PDU of unknown type 0x0c", "connect"},
	{"connect-bad-plen", "CapsuleResp with PLEN 20 < HLEN", "connect"},
	{"connect-r2t", "R2T for a command whose data came in the capsule", "connect"},
	{"identify-c2h-beyond", "C2HData of 8 KiB for the 4 KiB Identify", "identify"},
	{"identify-c2h-offset", "C2HData at offset 2048 first (out of order)", "identify"},
	{"identify-c2h-unknown-cid", "C2HData for a command id never used", "identify"},
	{"identify-r2t", "R2T for the Identify (a read)", "identify"},
	{"identify-rsp-unknown-cid", "data, then a CapsuleResp with an unknown command id", "identify"},
	{"identify-close", "close the socket on the Identify", "identify"},
	{"io-c2h-beyond", "C2HData past the end of the first read's buffer", "io"},
	{"io-r2t", "R2T for the first read", "io"},
	{"io-rsp-unknown-cid", "CapsuleResp with an unknown command id for the first read", "io"},
	{"io-termreq", "C2HTermReq in answer to the first read", "io"},
	{"io-close", "close the I/O queue's socket on the first read", "io"},
	// correct, but unusual: the host must cope (data verified by the selftest)
	{"legal-c2h-success", "reads: 16 KiB C2HData PDUs, the last with SUCCESS, no CapsuleResp", "legal"},
	{"legal-cpda", "ICResp CPDA 31 (host data at 128-byte offsets); C2HData padded to 32 bytes", "legal"},
	{"legal-maxh2cdata-4k", "ICResp MAXH2CDATA 4096: several H2CData PDUs per R2T", "legal"},
	{"legal-multi-r2t", "writes: one R2T per 12 KiB, each after the previous data arrived", "legal"},
	{"legal-all", "all legal-* variations at once", "legal"},
};

constexpr uint32_t kMaxH2C = 131072;
constexpr uint32_t kInline = 8192;
constexpr uint32_t kMdtsBytes = 131072;	// MDTS 5 with 4 KiB pages

struct Conn {
	Target &t;
	Sock s;
	nvme_tcp_wire w{};
	uint8_t tx_pda = 0;
	uint16_t qid = 0, sqhd = 0, qsize = 32, cntlid = 0;
	bool discovery = false;
	uint16_t ttag = 1;
	const std::string &sc;
	bool done = false;
	// legal variations (set from the scenario in icreq())
	uint8_t cpda = 0;		// alignment asked of the host's data
	uint8_t c2h_pda = 0;		// alignment of our C2HData beyond the host's HPDA
	uint32_t maxh2c = kMaxH2C;	// MAXH2CDATA granted
	uint32_t c2h_chunk = kMaxH2C;	// largest C2HData PDU we send
	uint32_t r2t_chunk = 0;		// largest R2T, 0 for the whole command
	bool c2h_success = false;	// end reads with SUCCESS instead of a CapsuleResp
	bool strict_h2c = false;	// check LAST_PDU on every H2CData
	// capsules that arrived while a write waited for its H2CData
	std::deque<RecvResult> pending;

	Conn(Target &tt, Sock ss) : t(tt), s(std::move(ss)), sc(tt.cfg().scenario) {}

	bool is(const char *name) const { return sc == name; }
	bool starts(const char *p) const { return sc.compare(0, strlen(p), p) == 0; }

	void log(const std::string &m)
	{
		if (t.cfg().verbose)
			fprintf(stderr, "badtarget[q%u]: %s\n", qid, m.c_str());
	}

	void fire(const char *what)
	{
		t.fired_++;
		fprintf(stderr, "badtarget: scenario %s: %s\n", sc.c_str(), what);
	}

	bool send(const Bytes &b)
	{
		if (s.send_all(b, 10000) != Io::Ok) {
			done = true;
			return false;
		}
		return true;
	}

	// hold the connection open, ignoring input, until the host gives up
	void hang()
	{
		s.wait_closed(10 * 60 * 1000);
		done = true;
	}

	void term(uint16_t fes, uint32_t fei, const uint8_t *hdr, uint32_t len)
	{
		nvme_tcp_term_pdu tb[8];
		memset(tb, 0, sizeof(tb));
		uint32_t n = nvme_tcp_enc_term(tb, false, fes, fei, hdr, len);
		const uint8_t *p = reinterpret_cast<const uint8_t *>(tb);
		send(Bytes(p, p + n));
		s.shutdown_wr();	/* then FIN: the spec has the sender close */
		s.wait_closed(2000);
		done = true;
	}

	Bytes rsp_bytes(uint16_t cid, uint16_t status, uint32_t dw0 = 0, uint32_t dw1 = 0)
	{
		nvme_cqe cqe;
		memset(&cqe, 0, sizeof(cqe));
		cqe.dw0 = cpu_to_le32(dw0);
		cqe.dw1 = cpu_to_le32(dw1);
		sqhd = uint16_t((sqhd + 1) % qsize);
		cqe.sqhd = cpu_to_le16(sqhd);
		cqe.sqid = cpu_to_le16(qid);
		cqe.cid = cid;
		cqe.status = cpu_to_le16(uint16_t(status << 1));
		uint8_t hbuf[256];
		memset(hbuf, 0, sizeof(hbuf));
		uint32_t hb = nvme_tcp_enc_rsp(reinterpret_cast<nvme_tcp_rsp_pdu *>(hbuf), w.hdgst, &cqe);
		return ntcp::pdu_bytes(hbuf, hb);
	}

	bool rsp(uint16_t cid, uint16_t status, uint32_t dw0 = 0, uint32_t dw1 = 0)
	{
		return send(rsp_bytes(cid, status, dw0, dw1));
	}

	Bytes c2h_bytes(uint16_t cid, uint32_t off, const uint8_t *data, uint32_t len, bool last,
			bool success = false)
	{
		uint8_t hbuf[256];
		memset(hbuf, 0, sizeof(hbuf));
		auto *d = reinterpret_cast<nvme_tcp_data_pdu *>(hbuf);
		uint8_t flags = last ? NVME_TCP_F_DATA_LAST : 0;
		if (last && success)
			flags |= NVME_TCP_F_DATA_SUCCESS;
		/* padding beyond what the host asked for is legal: PDO tells */
		uint32_t hb = nvme_tcp_enc_data(d, NVME_TCP_C2H_DATA, w.hdgst, w.ddgst,
					       std::max(tx_pda, c2h_pda), cid, 0, off, len, flags);
		return ntcp::pdu_bytes(hbuf, hb, data, len);
	}

	// Send a read's data; with c2h_success the last PDU also completes
	// the command (true: no CapsuleResp may follow).
	bool c2h(uint16_t cid, const uint8_t *data, uint32_t len, bool *completed = nullptr)
	{
		bool success = c2h_success && completed;
		for (uint32_t off = 0; off < len;) {
			uint32_t n = std::min(len - off, c2h_chunk);
			if (!send(c2h_bytes(cid, off, data + off, n, off + n == len, success)))
				return false;
			off += n;
		}
		if (completed) {
			*completed = success && len;
			if (*completed)
				sqhd = uint16_t((sqhd + 1) % qsize);
		}
		return true;
	}

	// a read's data and its successful completion
	bool read_reply(uint16_t cid, const uint8_t *data, uint32_t len)
	{
		bool completed = false;
		if (!c2h(cid, data, len, &completed))
			return false;
		return completed || rsp(cid, 0);
	}

	Bytes r2t_bytes(uint16_t cid, uint16_t tag, uint32_t off, uint32_t len)
	{
		uint8_t hbuf[256];
		memset(hbuf, 0, sizeof(hbuf));
		uint32_t hb = nvme_tcp_enc_r2t(reinterpret_cast<nvme_tcp_r2t_pdu *>(hbuf), w.hdgst,
					      cid, tag, off, len);
		return ntcp::pdu_bytes(hbuf, hb);
	}

	// Fetch a command's host-to-controller data: in-capsule, or R2T +
	// H2CData. False when the connection was ended.
	bool fetch(const nvme_tcp_cmd_pdu *cmd, const Bytes &icd, uint32_t len, Bytes &out)
	{
		if (!icd.empty()) {
			out = icd;
			return true;
		}
		out.assign(len, 0);
		uint32_t chunk = r2t_chunk ? r2t_chunk : len;
		for (uint32_t r2o = 0; r2o < len; r2o += chunk) {
			if (!fetch_r2t(cmd, r2o, std::min(chunk, len - r2o), out))
				return false;
		}
		return true;
	}

	// one R2T and the H2CData PDUs that answer it
	bool fetch_r2t(const nvme_tcp_cmd_pdu *cmd, uint32_t r2o, uint32_t r2tl, Bytes &out)
	{
		uint16_t tag = ttag++;
		if (!send(r2t_bytes(cmd->cmd.cid, tag, r2o, r2tl)))
			return false;
		nvme_tcp_r2t_state st{tag, r2o, r2o + r2tl};
		while (st.off < st.end) {
			RecvResult r = ntcp::recv_pdu(s, w, 30000, std::max(kInline, maxh2c));
			if (!r.ok()) {
				bad_pdu(r);
				return false;
			}
			if (r.pdu.type() == NVME_TCP_CMD) {
				/* a host may pipeline commands: serve them afterwards */
				pending.push_back(std::move(r));
				continue;
			}
			if (r.pdu.type() != NVME_TCP_H2C_DATA) {
				term(NVME_TCP_FES_PDU_SEQ_ERR, 0, r.pdu.hdr.data(), uint32_t(r.pdu.hdr.size()));
				return false;
			}
			auto *d = r.pdu.as<nvme_tcp_data_pdu>();
			nvme_tcp_wire_err e{};
			if (d->cccid != cmd->cmd.cid || nvme_tcp_check_h2c_data(d, &st, &e)) {
				log(std::string("bad H2CData: ") + (e.reason ? e.reason : "wrong cccid"));
				term(e.fes ? e.fes : uint16_t(NVME_TCP_FES_INVALID_HDR_FIELD), e.fei,
				     r.pdu.hdr.data(), uint32_t(r.pdu.hdr.size()));
				return false;
			}
			uint32_t n = uint32_t(r.pdu.data.size());
			bool last = d->hdr.flags & NVME_TCP_F_DATA_LAST;
			if (strict_h2c && last != (st.off + n == st.end)) {
				log(last ? "H2CData: LAST_PDU before the end of the R2T" :
					   "H2CData: no LAST_PDU at the end of the R2T");
				term(NVME_TCP_FES_INVALID_HDR_FIELD,
				     uint32_t(offsetof(nvme_tcp_hdr, flags)), r.pdu.hdr.data(),
				     uint32_t(r.pdu.hdr.size()));
				return false;
			}
			memcpy(out.data() + st.off, r.pdu.data.data(), n);
			st.off += n;
		}
		return true;
	}

	void bad_pdu(const RecvResult &r)
	{
		if (r.io != Io::Ok) {
			done = true;
			return;
		}
		log("refused PDU: " + r.what);
		term(r.err.fes ? r.err.fes : uint16_t(NVME_TCP_FES_INVALID_HDR_FIELD), r.err.fei,
		     r.pdu.hdr.data(), uint32_t(r.pdu.hdr.size()));
	}

	bool icreq();
	void run();
	void command(const RecvResult &r);
	void admin(const nvme_tcp_cmd_pdu *p, const Bytes &icd, uint32_t len);
	void fabrics(const nvme_tcp_cmd_pdu *p, const Bytes &icd, uint32_t len);
	void io(const nvme_tcp_cmd_pdu *p, const Bytes &icd, uint32_t len);
	bool misbehave_read(uint16_t cid, const uint8_t *data, uint32_t len);
	void identify(const nvme_sqe &c, uint32_t len);
	void get_log(const nvme_sqe &c, uint32_t len);
	bool reply_data(uint16_t cid, const Bytes &data, uint32_t len);
};

bool Conn::icreq()
{
	w.host = false;
	RecvResult r = ntcp::recv_pdu(s, w, 30000);
	if (!r.ok() || r.pdu.type() != NVME_TCP_ICREQ) {
		bad_pdu(r);
		return false;
	}
	auto *ic = r.pdu.as<nvme_tcp_icreq>();
	bool hd = ic->digest & NVME_TCP_DGST_HDR, dd = ic->digest & NVME_TCP_DGST_DATA;
	tx_pda = ic->hpda;
	if (is("icreq-close")) {
		fire("closing on ICReq");
		return false;
	}
	if (is("icresp-silent")) {
		fire("not answering the ICReq");
		hang();
		return false;
	}
	bool all = is("legal-all");
	if (all || is("legal-c2h-success")) {
		c2h_success = true;
		c2h_chunk = 16384;
	}
	if (all || is("legal-cpda")) {
		cpda = NVME_TCP_PDA_MAX;
		c2h_pda = 7;
	}
	if (all || is("legal-maxh2cdata-4k"))
		maxh2c = NVME_TCP_MIN_MAXH2CDATA;
	if (all || is("legal-multi-r2t"))
		r2t_chunk = 12288;
	strict_h2c = starts("legal-");
	nvme_tcp_icresp rsp;
	nvme_tcp_enc_icresp(&rsp, cpda, hd, dd, maxh2c);
	Bytes b = ntcp::pdu_bytes(&rsp, sizeof(rsp));
	bool bad = true;
	if (is("icresp-bad-pfv")) {
		b[offsetof(nvme_tcp_icresp, pfv)] = 1;
	} else if (is("icresp-bad-maxh2cdata")) {
		b[offsetof(nvme_tcp_icresp, maxh2cdata)] = 100;
		b[offsetof(nvme_tcp_icresp, maxh2cdata) + 1] = 0;
		b[offsetof(nvme_tcp_icresp, maxh2cdata) + 2] = 0;
	} else if (is("icresp-bad-hlen")) {
		b[2] = 64;
	} else if (is("icresp-unasked-digest")) {
		b[offsetof(nvme_tcp_icresp, digest)] = uint8_t(~ic->digest & 3);
		if (!b[offsetof(nvme_tcp_icresp, digest)])
			bad = false;	/* the host asked for both: nothing to add */
	} else if (is("icresp-wrong-type")) {
		b = rsp_bytes(0, 0);
	} else {
		bad = false;
	}
	if (bad) {
		fire("malformed ICResp");
		send(b);
		hang();
		return false;
	}
	if (!send(b))
		return false;
	w.connected = true;
	w.hdgst = hd;
	w.ddgst = dd;
	w.rx_pda = cpda;
	w.maxh2cdata = maxh2c;
	w.inline_max = kInline;
	return true;
}

void Conn::run()
{
	if (!icreq())
		return;
	while (!done) {
		if (!pending.empty()) {
			RecvResult r = std::move(pending.front());
			pending.pop_front();
			command(r);
			continue;
		}
		RecvResult r = ntcp::recv_pdu(s, w, 24 * 3600 * 1000, std::max(kInline, maxh2c));
		if (!r.ok()) {
			bad_pdu(r);
			return;
		}
		switch (r.pdu.type()) {
		case NVME_TCP_CMD:
			command(r);
			break;
		case NVME_TCP_H2C_TERMREQ:
			log("host sent H2CTermReq");
			return;
		default:
			term(NVME_TCP_FES_PDU_SEQ_ERR, 0, r.pdu.hdr.data(), uint32_t(r.pdu.hdr.size()));
			return;
		}
	}
}

void Conn::command(const RecvResult &r)
{
	auto *p = r.pdu.as<nvme_tcp_cmd_pdu>();
	nvme_tcp_cmd_data kind;
	uint32_t len;
	nvme_tcp_wire_err e{};
	int rc = nvme_tcp_check_cmd_sgl(p, uint32_t(r.pdu.data.size()), &kind, &len, &e);
	if (rc == -EPROTO) {
		log(std::string("bad capsule: ") + e.reason);
		term(e.fes, e.fei, r.pdu.hdr.data(), uint32_t(r.pdu.hdr.size()));
		return;
	}
	if (rc) {
		rsp(p->cmd.cid, 0x11 | 0x4000);	/* SGL descriptor type invalid, DNR */
		return;
	}
	if (p->cmd.opc == NVME_ADM_FABRICS)
		fabrics(p, r.pdu.data, len);
	else if (qid == 0)
		admin(p, r.pdu.data, len);
	else
		io(p, r.pdu.data, len);
}

void Conn::fabrics(const nvme_tcp_cmd_pdu *p, const Bytes &icd, uint32_t len)
{
	const auto *fc = reinterpret_cast<const nvmf_connect_cmd *>(&p->cmd);
	uint16_t cid = p->cmd.cid;
	switch (fc->fctype) {
	case NVMF_FCTYPE_CONNECT: {
		if (len != sizeof(nvmf_connect_data)) {
			rsp(cid, 0x0f | 0x4000);
			return;
		}
		uint16_t q = le16_to_cpu(fc->qid);
		if (q == 0 && starts("connect-")) {
			fire("misbehaving on the admin Connect");
			if (is("connect-silent")) {
				hang();
			} else if (is("connect-close")) {
				done = true;
			} else if (is("connect-termreq")) {
				term(NVME_TCP_FES_PDU_SEQ_ERR, 0, reinterpret_cast<const uint8_t *>(p), 72);
			} else if (is("connect-unknown-cid")) {
				rsp(uint16_t(cid + 0x1234), 0, 1);
				hang();
			} else if (is("connect-unknown-type")) {
				Bytes b(24, 0);
				b[0] = 0x0c;
				b[2] = 24;
				b[4] = 24;
				send(b);
				hang();
			} else if (is("connect-bad-plen")) {
				Bytes b = rsp_bytes(cid, 0, 1);
				b[4] = 20;
				send(b);
				hang();
			} else if (is("connect-r2t")) {
				send(r2t_bytes(cid, 1, 0, 1024));
				hang();
			}
			done = true;
			return;
		}
		Bytes data;
		if (!fetch(p, icd, len, data))
			return;
		nvmf_connect_data d;
		memcpy(&d, data.data(), sizeof(d));
		d.subnqn[sizeof(d.subnqn) - 1] = 0;
		std::string sub = d.subnqn;
		bool disc = sub == NVMF_DISC_NQN;
		if (!disc && sub != t.cfg().subnqn) {
			rsp(cid, 0x184 | 0x4000, (1u << 16) | 256);	/* invalid parameters: subnqn */
			return;
		}
		qsize = uint16_t(le16_to_cpu(fc->sqsize) + 1);
		qid = q;
		discovery = disc;
		std::lock_guard<std::mutex> g(t.mu);
		if (q == 0) {
			cntlid = t.next_cntlid++;
			t.ctrls.push_back({cntlid, disc, 0});
		} else {
			cntlid = le16_to_cpu(d.cntlid);
		}
		log("Connect qid " + std::to_string(q) + " cntlid " + std::to_string(cntlid));
		rsp(cid, 0, cntlid);
		return;
	}
	case NVMF_FCTYPE_PROP_GET: {
		const auto *g = reinterpret_cast<const nvmf_prop_get_cmd *>(&p->cmd);
		uint32_t off = le32_to_cpu(g->offset);
		uint64_t v = 0;
		std::lock_guard<std::mutex> lk(t.mu);
		uint32_t cc = 0;
		for (auto &c : t.ctrls)
			if (c.cntlid == cntlid)
				cc = c.cc;
		if (off == NVME_REG_CAP)
			v = 127 | (1ull << 16) | (10ull << 24) | (1ull << 37);
		else if (off == 0x08)
			v = 0x10300;
		else if (off == NVME_REG_CC)
			v = cc;
		else if (off == NVME_REG_CSTS)
			v = (cc & 1) | (((cc >> 14) & 3) ? (2u << 2) : 0);
		rsp(cid, 0, uint32_t(v), uint32_t(v >> 32));
		return;
	}
	case NVMF_FCTYPE_PROP_SET: {
		const auto *ps = reinterpret_cast<const nvmf_prop_set_cmd *>(&p->cmd);
		if (le32_to_cpu(ps->offset) == NVME_REG_CC) {
			std::lock_guard<std::mutex> lk(t.mu);
			for (auto &c : t.ctrls)
				if (c.cntlid == cntlid)
					c.cc = uint32_t(le64_to_cpu(ps->value));
		}
		rsp(cid, 0);
		return;
	}
	default:
		rsp(cid, 0x01 | 0x4000);	/* invalid opcode */
	}
}

bool Conn::reply_data(uint16_t cid, const Bytes &data, uint32_t len)
{
	Bytes b = data;
	b.resize(len, 0);
	return read_reply(cid, b.data(), len);
}

void Conn::identify(const nvme_sqe &c, uint32_t len)
{
	uint8_t cns = le32_to_cpu(c.cdw10) & 0xff;
	uint32_t nsid = le32_to_cpu(c.nsid);
	Bytes id(4096, 0);
	auto put16 = [&](size_t o, uint16_t v) { id[o] = uint8_t(v); id[o + 1] = uint8_t(v >> 8); };
	auto put32 = [&](size_t o, uint32_t v) { for (int i = 0; i < 4; i++) id[o + i] = uint8_t(v >> (8 * i)); };
	auto put64 = [&](size_t o, uint64_t v) { for (int i = 0; i < 8; i++) id[o + i] = uint8_t(v >> (8 * i)); };
	auto str = [&](size_t o, size_t n, const std::string &s) {
		memset(&id[o], ' ', n);
		memcpy(&id[o], s.data(), std::min(n, s.size()));
	};
	if (cns == 1) {
		if (starts("identify-")) {
			fire("misbehaving on Identify");
			uint16_t cid = c.cid;
			Bytes d(8192, 0x11);
			if (is("identify-c2h-beyond")) {
				send(c2h_bytes(cid, 0, d.data(), 8192, true));
			} else if (is("identify-c2h-offset")) {
				send(c2h_bytes(cid, 2048, d.data(), 2048, true));
			} else if (is("identify-c2h-unknown-cid")) {
				send(c2h_bytes(uint16_t(cid + 0x777), 0, d.data(), 4096, true));
			} else if (is("identify-r2t")) {
				send(r2t_bytes(cid, 1, 0, 4096));
			} else if (is("identify-rsp-unknown-cid")) {
				send(c2h_bytes(cid, 0, d.data(), 4096, true));
				send(rsp_bytes(uint16_t(cid + 0x777), 0));
			} else if (is("identify-close")) {
				done = true;
				return;
			}
			hang();
			return;
		}
		put16(0, 0x1b36);
		put16(2, 0x1b36);
		str(4, 20, "badtarget-1");
		str(24, 40, "tcp-badtarget");
		str(64, 8, "1.0");
		id[72] = 6;			/* RAB */
		id[77] = 5;			/* MDTS: 128 KiB */
		put16(78, cntlid);
		put32(80, 0x10300);		/* VER 1.3 */
		id[111] = discovery ? 2 : 1;	/* CNTRLTYPE */
		id[258] = 3;			/* AERL */
		id[259] = 3;			/* ACL */
		id[260] = 3;			/* AERL */
		id[261] = 1;			/* FRMW */
		id[262] = 0x04;			/* LPA: extended data for Get Log Page */
		id[512] = 0x66;			/* SQES */
		id[513] = 0x44;			/* CQES */
		put16(514, 128);		/* MAXCMD */
		put32(516, discovery ? 0 : 1);	/* NN */
		put32(536, 0x00100001);		/* SGLS: SGLs, offsets */
		memcpy(&id[768], discovery ? NVMF_DISC_NQN : t.cfg().subnqn.c_str(),
		       discovery ? strlen(NVMF_DISC_NQN) : t.cfg().subnqn.size());
		put32(1792, (64 + kInline) / 16);	/* IOCCSZ */
		put32(1796, 1);			/* IORCSZ */
		id[1803] = 1;			/* MSDBD */
	} else if (cns == 0) {
		if (nsid != 1 || discovery) {
			rsp(c.cid, 0x0b | 0x4000);	/* invalid namespace */
			return;
		}
		uint64_t blocks = t.ram.size() / 512;
		put64(0, blocks);
		put64(8, blocks);
		put64(16, blocks);
		id[130] = 9;			/* LBAF0: 512 bytes */
		for (int i = 0; i < 16; i++)
			id[104 + i] = uint8_t(0xb0 + i);	/* NGUID */
	} else if (cns == 2) {
		if (!discovery && nsid < 1)
			put32(0, 1);
	} else if (cns == 3) {
		if (nsid != 1 || discovery) {
			rsp(c.cid, 0x0b | 0x4000);
			return;
		}
		id[0] = 3;	/* UUID */
		id[1] = 16;
		for (int i = 0; i < 16; i++)
			id[4 + i] = uint8_t(0xc0 + i);
	} else {
		rsp(c.cid, 0x02 | 0x4000);	/* invalid field */
		return;
	}
	reply_data(c.cid, id, std::min<uint32_t>(len, 4096));
}

void Conn::get_log(const nvme_sqe &c, uint32_t len)
{
	uint32_t cdw10 = le32_to_cpu(c.cdw10), cdw11 = le32_to_cpu(c.cdw11);
	uint8_t lid = NVME_GLP_LID(cdw10);
	uint64_t numd = (NVME_GLP_NUMDL(cdw10) | uint64_t(NVME_GLP_NUMDU(cdw11)) << 16) + 1;
	uint64_t off = le32_to_cpu(c.cdw12) | uint64_t(le32_to_cpu(c.cdw13)) << 32;
	uint64_t want = numd * 4;
	if (want > len)
		want = len;
	Bytes page;
	if (lid == 0x70) {
		if (!discovery) {
			rsp(c.cid, 0x09 | 0x4000);	/* invalid log page */
			return;
		}
		page.assign(sizeof(nvmf_disc_log_hdr) + sizeof(nvmf_disc_log_entry), 0);
		auto *h = reinterpret_cast<nvmf_disc_log_hdr *>(page.data());
		h->genctr = cpu_to_le64(1);
		h->numrec = cpu_to_le64(1);
		auto *e = reinterpret_cast<nvmf_disc_log_entry *>(page.data() + sizeof(*h));
		e->trtype = NVMF_TRTYPE_TCP;
		e->adrfam = t.cfg().addr.find(':') == std::string::npos ? NVMF_ADRFAM_IPV4 :
			    NVMF_ADRFAM_IPV6;
		e->subtype = 2;
		e->portid = cpu_to_le16(1);
		e->cntlid = cpu_to_le16(NVMF_CNTLID_DYNAMIC);
		e->asqsz = cpu_to_le16(32);
		std::string svc = std::to_string(t.cfg().port);
		memset(e->trsvcid, ' ', sizeof(e->trsvcid));
		memcpy(e->trsvcid, svc.data(), svc.size());
		memset(e->traddr, ' ', sizeof(e->traddr));
		memcpy(e->traddr, t.cfg().addr.data(), std::min(t.cfg().addr.size(), sizeof(e->traddr)));
		strncpy(e->subnqn, t.cfg().subnqn.c_str(), sizeof(e->subnqn) - 1);
	}
	Bytes out(size_t(want), 0);
	for (uint64_t i = 0; i < want && off + i < page.size(); i++)
		out[size_t(i)] = page[size_t(off + i)];
	reply_data(c.cid, out, uint32_t(want));
}

void Conn::admin(const nvme_tcp_cmd_pdu *p, const Bytes &icd, uint32_t len)
{
	const nvme_sqe &c = p->cmd;
	switch (c.opc) {
	case NVME_ADM_IDENTIFY:
		identify(c, len);
		return;
	case 0x02:	/* Get Log Page */
		get_log(c, len);
		return;
	case 0x09: {	/* Set Features */
		uint8_t fid = le32_to_cpu(c.cdw10) & 0xff;
		if (fid == 0x07) {
			uint32_t v = le32_to_cpu(c.cdw11);
			uint32_t nsq = std::min<uint32_t>(v & 0xffff, 3), ncq = std::min<uint32_t>(v >> 16, 3);
			rsp(c.cid, 0, nsq | ncq << 16);
			return;
		}
		if (len) {
			Bytes data;
			if (!fetch(p, icd, len, data))
				return;
		}
		rsp(c.cid, 0);
		return;
	}
	case 0x0a:	/* Get Features */
		if (len)
			reply_data(c.cid, Bytes(), len);
		else
			rsp(c.cid, 0);
		return;
	case 0x0c:	/* Async Event Request: held */
		return;
	case NVME_ADM_KEEP_ALIVE:
		rsp(c.cid, 0);
		return;
	case 0x08:	/* Abort: not aborted */
		rsp(c.cid, 0, 1);
		return;
	default:
		rsp(c.cid, 0x01 | 0x4000);
	}
}

bool Conn::misbehave_read(uint16_t cid, const uint8_t *data, uint32_t len)
{
	if (!starts("io-") || t.io_fired.exchange(true))
		return false;
	fire("misbehaving on the first read");
	if (is("io-c2h-beyond")) {
		Bytes d(data, data + len);
		d.resize(len + 4096, 0xee);
		send(c2h_bytes(cid, 0, d.data(), len + 4096, true));
	} else if (is("io-r2t")) {
		send(r2t_bytes(cid, 7, 0, len));
	} else if (is("io-rsp-unknown-cid")) {
		send(c2h_bytes(cid, 0, data, len, true));
		send(rsp_bytes(uint16_t(cid ^ 0x4000), 0));
	} else if (is("io-termreq")) {
		nvme_tcp_cmd_pdu fake;
		memset(&fake, 0, sizeof(fake));
		term(NVME_TCP_FES_PDU_SEQ_ERR, 0, reinterpret_cast<uint8_t *>(&fake), 24);
		return true;
	} else if (is("io-close")) {
		done = true;
		return true;
	}
	hang();
	return true;
}

void Conn::io(const nvme_tcp_cmd_pdu *p, const Bytes &icd, uint32_t len)
{
	const nvme_sqe &c = p->cmd;
	uint64_t slba = le32_to_cpu(c.cdw10) | uint64_t(le32_to_cpu(c.cdw11)) << 32;
	uint32_t nlb = (le32_to_cpu(c.cdw12) & 0xffff) + 1;
	uint64_t bytes = uint64_t(nlb) * 512, off = slba * 512;
	bool rw = c.opc == 0x01 || c.opc == 0x02;
	if (rw || c.opc == 0x08) {
		if (le32_to_cpu(c.nsid) != 1) {
			rsp(c.cid, 0x0b | 0x4000);
			return;
		}
		if (off + bytes > t.ram.size() || slba > t.ram.size()) {
			rsp(c.cid, 0x80 | 0x4000);	/* LBA out of range */
			return;
		}
		if (rw && (len != bytes || len > kMdtsBytes)) {
			rsp(c.cid, 0x0f | 0x4000);	/* data SGL length invalid */
			return;
		}
	}
	switch (c.opc) {
	case 0x01: {
		Bytes data;
		if (!fetch(p, icd, len, data))
			return;
		{
			std::lock_guard<std::mutex> g(t.mu);
			memcpy(&t.ram[off], data.data(), len);
		}
		rsp(c.cid, 0);
		return;
	}
	case 0x02: {
		Bytes data(len);
		{
			std::lock_guard<std::mutex> g(t.mu);
			memcpy(data.data(), &t.ram[off], len);
		}
		if (misbehave_read(c.cid, data.data(), len))
			return;
		read_reply(c.cid, data.data(), len);
		return;
	}
	case 0x08: {
		std::lock_guard<std::mutex> g(t.mu);
		memset(&t.ram[off], 0, bytes);
		rsp(c.cid, 0);
		return;
	}
	case 0x00:	/* Flush */
		rsp(c.cid, 0);
		return;
	case 0x09:	/* DSM: accept and ignore */
		if (len) {
			Bytes data;
			if (!fetch(p, icd, len, data))
				return;
		}
		rsp(c.cid, 0);
		return;
	default:
		rsp(c.cid, 0x01 | 0x4000);
	}
}

} // namespace

const std::vector<ScenarioInfo> &scenario_list()
{
	return kScenarios;
}

bool known_scenario(const std::string &name)
{
	for (const auto &s : kScenarios)
		if (name == s.name)
			return true;
	return false;
}

Target::Target(Config c) : ram(c.ns_bytes, 0), cfg_(std::move(c)) {}

Target::~Target() = default;

bool Target::listen(std::string &err)
{
	listener_ = Sock::listen_on(cfg_.addr, cfg_.port, err);
	return listener_.valid();
}

void serve_connection(Target &t, Sock s)
{
	Conn c(t, std::move(s));
	c.run();
}

void Target::serve()
{
	while (!stop_) {
		Sock s = listener_.accept(200);
		if (!s.valid())
			continue;
		std::thread([this](Sock so) { serve_connection(*this, std::move(so)); },
			    std::move(s)).detach();
	}
}

} // namespace badtgt
