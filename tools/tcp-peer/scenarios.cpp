// SPDX-License-Identifier: GPL-2.0
//
// scenarios.cpp: each scenario opens its own connection (and, for the
// I/O ones, its own controller), does the correct setup, sends one
// malformed PDU and records how the target reacts: a C2HTermReq, closing
// the socket or (where the spec allows it) failing the command are all
// correct; answering as if nothing happened, or not reacting within the
// time bound, is not.

#include "scenarios.h"

#include <cstring>
#include <thread>

namespace peer {

using ntcp::Bytes;
using ntcp::HostConn;
using ntcp::Io;
using ntcp::RecvResult;

const char *reaction_name(Reaction r)
{
	switch (r) {
	case Reaction::None: return "no reaction";
	case Reaction::Success: return "command succeeded";
	case Reaction::ErrorStatus: return "error status";
	case Reaction::TermReq: return "C2HTermReq";
	case Reaction::Closed: return "connection closed";
	case Reaction::SetupFailed: return "setup failed";
	}
	return "?";
}

namespace {

const std::vector<Reaction> kEnd = {Reaction::TermReq, Reaction::Closed};
const std::vector<Reaction> kEndOrError = {Reaction::TermReq, Reaction::Closed,
					   Reaction::ErrorStatus};
const std::vector<Reaction> kClosed = {Reaction::Closed, Reaction::TermReq};

void put16(Bytes &b, size_t off, uint16_t v)
{
	b[off] = uint8_t(v);
	b[off + 1] = uint8_t(v >> 8);
}

void put32(Bytes &b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[off + i] = uint8_t(v >> (8 * i));
}

Outcome setup_failed(const std::string &why)
{
	Outcome o;
	o.r = Reaction::SetupFailed;
	o.detail = why;
	return o;
}

// What the target does within MS milliseconds.
Outcome react(HostConn &c, int ms)
{
	Outcome o;
	uint64_t t0 = ntcp::now_ms(), deadline = t0 + ms;
	bool success = false;
	for (;;) {
		int64_t left = int64_t(deadline) - int64_t(ntcp::now_ms());
		if (left <= 0)
			break;
		RecvResult r = ntcp::recv_pdu(c.s, c.w, int(left));
		o.ms = ntcp::now_ms() - t0;
		if (r.io == Io::Closed || r.io == Io::Error) {
			o.r = Reaction::Closed;
			o.detail = r.io == Io::Closed ? "EOF/reset" : "socket error";
			return o;
		}
		if (r.io == Io::Timeout)
			break;
		if (r.pdu.type() == NVME_TCP_C2H_TERMREQ && r.pdu.hdr.size() >= 24) {
			auto *t = r.pdu.as<nvme_tcp_term_pdu>();
			uint16_t fes = le16_to_cpu(t->fes);
			o.r = Reaction::TermReq;
			o.detail = "fes " + std::to_string(fes) + " (" + nvme_tcp_fes_name(fes) +
				   ") fei " + std::to_string(nvme_tcp_term_fei(t));
			if (r.bad)
				o.detail += std::string(" [malformed: ") + r.err.reason + "]";
			else
				o.detail += c.s.wait_closed(2000) ? ", then closed" :
					    ", socket left open";
			return o;
		}
		if (r.bad) {
			o.r = Reaction::None;
			o.detail = "target answered with a malformed PDU: " + r.what;
			return o;
		}
		if (r.pdu.type() == NVME_TCP_RSP) {
			auto *rsp = r.pdu.as<nvme_tcp_rsp_pdu>();
			uint16_t st = ntcp::cqe_status(rsp->cqe);
			if (st) {
				char b[64];
				snprintf(b, sizeof(b), "status 0x%x for cid %u", st, rsp->cqe.cid);
				o.r = Reaction::ErrorStatus;
				o.detail = b;
				return o;
			}
			success = true;
			o.detail = "CapsuleResp success for cid " + std::to_string(rsp->cqe.cid);
		} else {
			o.detail = std::string("got ") + nvme_tcp_type_name(r.pdu.type());
		}
	}
	o.ms = ntcp::now_ms() - t0;
	o.r = success ? Reaction::Success : Reaction::None;
	return o;
}

// Send BAD and watch. A reset while sending already counts as closed.
Outcome send_and_react(HostConn &c, const Bytes &bad, const Target &t, bool shut_wr = false)
{
	uint64_t t0 = ntcp::now_ms();
	Io io = c.s.send_all(bad, t.react_ms);
	if (io == Io::Closed) {
		Outcome o;
		o.r = Reaction::Closed;
		o.detail = "reset while sending";
		o.ms = ntcp::now_ms() - t0;
		return o;
	}
	if (shut_wr)
		c.s.shutdown_wr();
	return react(c, t.react_ms);
}

nvme_sqe identify_sqe(uint16_t cid)
{
	nvme_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADM_IDENTIFY;
	sqe.cid = cid;
	sqe.flags = 0x40;
	sqe.cdw10 = cpu_to_le32(1);
	sqe.dptr.sgl.length = cpu_to_le32(4096);
	sqe.dptr.sgl.type = NVME_TCP_SGL_TRANSPORT;
	return sqe;
}

// a write SQE of LEN bytes with the SGL for in-capsule (ICD) or R2T data
nvme_sqe write_sqe(uint16_t cid, uint32_t nsid, uint32_t nlb, uint32_t sgl_len, bool icd)
{
	nvme_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = 0x01;
	sqe.cid = cid;
	sqe.flags = 0x40;
	sqe.nsid = cpu_to_le32(nsid);
	sqe.cdw12 = cpu_to_le32(nlb - 1);
	sqe.dptr.sgl.length = cpu_to_le32(sgl_len);
	sqe.dptr.sgl.type = icd ? NVME_TCP_SGL_INCAPSULE : NVME_TCP_SGL_TRANSPORT;
	return sqe;
}

bool open_conn(const Target &t, HostConn &c, bool ic, bool hd = false, bool dd = false)
{
	c.timeout_ms = t.react_ms;
	if (!c.open(t.addr, t.port))
		return false;
	return !ic || c.icreq(hd, dd);
}

// a connection with an admin queue Connect done (a controller behind it)
bool open_admin(const Target &t, HostConn &c, bool hd = false, bool dd = false)
{
	uint16_t cntlid;
	return open_conn(t, c, true, hd, dd) &&
	       c.fabrics_connect(0, t.subnqn, t.hostnqn, NVMF_CNTLID_DYNAMIC, &cntlid, 0);
}

using Build = std::function<Bytes(HostConn &)>;

// scenario on a fresh connection before any ICReq
Scenario pre_ic(const char *name, const char *what, Build b,
		std::vector<Reaction> ok = kEnd, bool shut = false)
{
	return {name, what, ok, {}, [b, shut](const Target &t) {
			HostConn c;
			if (!open_conn(t, c, false))
				return setup_failed(c.err);
			return send_and_react(c, b(c), t, shut);
		}};
}

// scenario after ICReq/ICResp (+ admin Connect when ADMIN)
Scenario post_ic(const char *name, const char *what, Build b, bool admin = false,
		 bool hd = false, bool dd = false, std::vector<Reaction> ok = kEnd,
		 bool shut = false)
{
	return {name, what, ok, {}, [=](const Target &t) {
			HostConn c;
			bool up = admin ? open_admin(t, c, hd, dd) : open_conn(t, c, true, hd, dd);
			if (!up)
				return setup_failed(c.err);
			return send_and_react(c, b(c), t, shut);
		}};
}

Bytes icreq_bytes()
{
	nvme_tcp_icreq ic;
	nvme_tcp_enc_icreq(&ic, 0, false, false, 0);
	return ntcp::pdu_bytes(&ic, sizeof(ic));
}

// A write that needs an R2T on its own controller's I/O queue: sends the
// command, waits for the R2T, then lets BAD build the H2CData to send.
using BadData = std::function<Bytes(HostConn &, uint16_t cid, uint16_t ttag,
				    uint32_t r2to, uint32_t r2tl, uint32_t len)>;

Scenario r2t_scenario(const char *name, const char *what, BadData bad,
		      std::vector<Reaction> ok = kEnd)
{
	return {name, what, ok, {}, [bad](const Target &t) {
			ntcp::Controller ctl;
			ctl.admin.timeout_ms = ctl.io.timeout_ms = t.react_ms;
			if (!ctl.setup(t.addr, t.port, t.subnqn, t.hostnqn, false, false, true, 0))
				return setup_failed(ctl.err);
			HostConn &c = ctl.io;
			uint32_t len = std::max<uint32_t>(65536, (c.icd_max + 4096) & ~4095u);
			len = std::min<uint32_t>(len, c.maxh2c ? std::max(c.maxh2c, 65536u) : 65536u);
			if (len <= c.icd_max)
				return setup_failed("in-capsule limit too large for an R2T test");
			uint16_t cid = 0x321;
			nvme_sqe sqe = write_sqe(cid, ctl.nsid, len / ctl.lba, len, false);
			if (!c.send(c.cmd_pdu(sqe)))
				return setup_failed(c.err);
			RecvResult r = ntcp::recv_pdu(c.s, c.w, t.react_ms);
			if (!r.ok() || r.pdu.type() != NVME_TCP_R2T)
				return setup_failed("no R2T for a " + std::to_string(len) +
						    " byte write: " + r.what);
			auto *r2t = r.pdu.as<nvme_tcp_r2t_pdu>();
			return send_and_react(c, bad(c, cid, le16_to_cpu(r2t->ttag),
						     le32_to_cpu(r2t->r2to), le32_to_cpu(r2t->r2tl), len),
					      t);
		}};
}

Bytes h2c_data(HostConn &c, uint16_t cid, uint16_t ttag, uint32_t off, uint32_t len,
	       uint8_t flags = NVME_TCP_F_DATA_LAST)
{
	uint8_t hbuf[256];
	memset(hbuf, 0, sizeof(hbuf));
	auto *d = reinterpret_cast<nvme_tcp_data_pdu *>(hbuf);
	uint32_t hb = nvme_tcp_enc_data(d, NVME_TCP_H2C_DATA, c.w.hdgst, c.w.ddgst, c.cpda, cid,
				       ttag, off, len, flags);
	Bytes data(len, 0x5a);
	return ntcp::pdu_bytes(hbuf, hb, data.data(), len);
}

// I/O-queue scenario: a capsule with in-capsule data built by BAD
Scenario io_capsule(const char *name, const char *what,
		    std::function<Bytes(HostConn &, const ntcp::Controller &)> bad,
		    std::vector<Reaction> ok = kEndOrError)
{
	return {name, what, ok, {}, [bad](const Target &t) {
			ntcp::Controller ctl;
			ctl.admin.timeout_ms = ctl.io.timeout_ms = t.react_ms;
			if (!ctl.setup(t.addr, t.port, t.subnqn, t.hostnqn, false, false, true, 0))
				return setup_failed(ctl.err);
			return send_and_react(ctl.io, bad(ctl.io, ctl), t);
		}};
}

std::vector<Scenario> build()
{
	std::vector<Scenario> v;

	// ---- before / during connection initialization ----
	v.push_back(pre_ic("cmd-before-icreq", "CapsuleCmd before any ICReq", [](HostConn &c) {
		return c.cmd_pdu(identify_sqe(1));
	}));
	v.push_back(pre_ic("h2cdata-before-icreq", "H2CData before any ICReq", [](HostConn &c) {
		return h2c_data(c, 1, 1, 0, 512);
	}));
	v.push_back(pre_ic("unknown-type-before-icreq", "PDU type 0x0f as the first PDU",
			   [](HostConn &) {
		Bytes b = icreq_bytes();
		b[0] = 0x0f;
		return b;
	}));
	v.push_back(pre_ic("icreq-bad-pfv", "ICReq with PFV 1", [](HostConn &) {
		Bytes b = icreq_bytes();
		put16(b, offsetof(nvme_tcp_icreq, pfv), 1);
		return b;
	}));
	v.push_back(pre_ic("icreq-bad-hlen", "ICReq with HLEN 64", [](HostConn &) {
		Bytes b = icreq_bytes();
		b[2] = 64;
		return b;
	}));
	v.push_back(pre_ic("icreq-bad-plen", "ICReq with PLEN 256 (and 256 bytes sent)",
			   [](HostConn &) {
		Bytes b = icreq_bytes();
		put32(b, 4, 256);
		b.resize(256, 0);
		return b;
	}));
	v.push_back(pre_ic("icreq-bad-hpda", "ICReq with HPDA 32 (max 31)", [](HostConn &) {
		Bytes b = icreq_bytes();
		b[offsetof(nvme_tcp_icreq, hpda)] = 32;
		return b;
	}));
	v.push_back(pre_ic("icreq-truncated", "100 of 128 ICReq bytes, then EOF", [](HostConn &) {
		Bytes b = icreq_bytes();
		b.resize(100);
		return b;
	}, kClosed, true));
	v.push_back(pre_ic("header-truncated", "4 bytes of a common header, then EOF",
			   [](HostConn &) {
		Bytes b = icreq_bytes();
		b.resize(4);
		return b;
	}, kClosed, true));

	// ---- after ICReq/ICResp ----
	v.push_back(post_ic("second-icreq", "a second ICReq on a connected queue",
			    [](HostConn &) { return icreq_bytes(); }));
	v.push_back(post_ic("unknown-type", "PDU type 0x0a (hlen 24, plen 24)", [](HostConn &) {
		Bytes b(24, 0);
		b[0] = 0x0a;
		b[2] = 24;
		put32(b, 4, 24);
		return b;
	}));
	v.push_back(post_ic("wrong-direction", "a CapsuleResp sent by the host", [](HostConn &) {
		Bytes b(24, 0);
		b[0] = NVME_TCP_RSP;
		b[2] = 24;
		put32(b, 4, 24);
		return b;
	}));
	v.push_back(post_ic("c2hdata-from-host", "a C2HData sent by the host", [](HostConn &) {
		Bytes b(24 + 512, 0);
		b[0] = NVME_TCP_C2H_DATA;
		b[2] = 24;
		b[3] = 24;
		put32(b, 4, 24 + 512);
		put32(b, 16, 512);
		return b;
	}));
	v.push_back(post_ic("cmd-bad-hlen", "CapsuleCmd with HLEN 70", [](HostConn &c) {
		Bytes b = c.cmd_pdu(identify_sqe(1));
		b[2] = 70;
		return b;
	}));
	v.push_back(post_ic("cmd-plen-below-hlen", "CapsuleCmd with PLEN 40 < HLEN 72",
			    [](HostConn &c) {
		Bytes b = c.cmd_pdu(identify_sqe(1));
		put32(b, 4, 40);
		return b;
	}));
	v.push_back(post_ic("cmd-plen-above-hlen", "CapsuleCmd without data, PLEN 80, PDO 0",
			    [](HostConn &c) {
		Bytes b = c.cmd_pdu(identify_sqe(1));
		put32(b, 4, 80);
		b.resize(80, 0);
		return b;
	}));
	v.push_back(post_ic("cmd-pdo-in-header", "in-capsule data with PDO 16 (inside the header)",
			    [](HostConn &c) {
		nvmf_connect_data d = ntcp::make_connect_data("x", "y", 0xffff);
		nvme_sqe sqe = ntcp::make_connect_sqe(0, 31, 0);
		sqe.flags = 0x40;
		sqe.dptr.sgl.length = cpu_to_le32(sizeof(d));
		sqe.dptr.sgl.type = NVME_TCP_SGL_INCAPSULE;
		Bytes b = c.cmd_pdu(sqe, reinterpret_cast<uint8_t *>(&d), sizeof(d));
		b[3] = 16;
		return b;
	}));
	v.push_back(post_ic("cmd-pdo-beyond-plen", "in-capsule data with PDO 200 > PLEN 100",
			    [](HostConn &c) {
		Bytes b = c.cmd_pdu(identify_sqe(1));
		b[3] = 200;
		put32(b, 4, 100);
		b.resize(100, 0);
		return b;
	}));
	v.push_back(post_ic("hdgst-not-negotiated", "CapsuleCmd with a header digest nobody asked for",
			    [](HostConn &c) {
		Bytes b = c.cmd_pdu(identify_sqe(1));
		b[1] |= NVME_TCP_F_HDGST;
		put32(b, 4, 76);
		uint32_t crc = nvme_tcp_crc32c(b.data(), 72);
		b.resize(76);
		put32(b, 72, crc);
		return b;
	}));
	v.push_back(post_ic("plen-huge", "CapsuleCmd claiming 2 GiB of in-capsule data",
			    [](HostConn &c) {
		nvme_sqe sqe = ntcp::make_connect_sqe(0, 31, 0);
		sqe.flags = 0x40;
		sqe.dptr.sgl.length = cpu_to_le32(0x7fffff00u);
		sqe.dptr.sgl.type = NVME_TCP_SGL_INCAPSULE;
		Bytes b = c.cmd_pdu(sqe);
		b[3] = 72;
		put32(b, 4, 0x7fffff48u);
		b.resize(72 + 4096, 0);
		return b;
	}));
	v.push_back(post_ic("connect-oversized-icd", "admin Connect with 16 KiB of in-capsule data",
			    [](HostConn &c) {
		Bytes data(16384, 0);
		nvmf_connect_data d = ntcp::make_connect_data("nqn.x", "nqn.y", 0xffff);
		memcpy(data.data(), &d, sizeof(d));
		nvme_sqe sqe = ntcp::make_connect_sqe(0, 31, 0);
		sqe.flags = 0x40;
		sqe.dptr.sgl.length = cpu_to_le32(uint32_t(data.size()));
		sqe.dptr.sgl.type = NVME_TCP_SGL_INCAPSULE;
		return c.cmd_pdu(sqe, data.data(), uint32_t(data.size()));
	}, false, false, false, kEndOrError));
	v.push_back(post_ic("cmd-truncated", "40 of 72 CapsuleCmd header bytes, then EOF",
			    [](HostConn &c) {
		Bytes b = c.cmd_pdu(identify_sqe(1));
		b.resize(40);
		return b;
	}, true, false, false, kClosed, true));
	v.push_back(post_ic("h2c-termreq", "the host terminates with H2CTermReq", [](HostConn &) {
		nvme_tcp_term_pdu tb[8];
		memset(tb, 0, sizeof(tb));
		uint8_t junk[8] = {4, 0, 72, 0, 72, 0, 0, 0};
		uint32_t n = nvme_tcp_enc_term(tb, true, NVME_TCP_FES_INVALID_HDR_FIELD, 2, junk,
					       sizeof(junk));
		const uint8_t *p = reinterpret_cast<const uint8_t *>(tb);
		return Bytes(p, p + n);
	}, true, false, false, kClosed));
	v.push_back(post_ic("identify-admin-sgl-mismatch",
			    "Identify whose SGL says in-capsule data but the capsule has none",
			    [](HostConn &c) {
		nvme_sqe sqe = identify_sqe(9);
		sqe.dptr.sgl.type = NVME_TCP_SGL_INCAPSULE;
		return c.cmd_pdu(sqe);
	}, true, false, false, kEndOrError));

	// ---- digests ----
	v.push_back(post_ic("bad-header-digest", "CapsuleCmd with a wrong header digest",
			    [](HostConn &c) {
		Bytes b = c.cmd_pdu(identify_sqe(1));
		b[72] ^= 0xff;
		return b;
	}, false, true, true));
	v.push_back(post_ic("missing-header-digest", "CapsuleCmd without the negotiated header digest",
			    [](HostConn &c) {
		c.w.hdgst = false;
		Bytes b = c.cmd_pdu(identify_sqe(1));
		c.w.hdgst = true;
		return b;
	}, false, true, true));
	v.push_back(post_ic("bad-data-digest", "admin Connect whose data digest is wrong",
			    [](HostConn &c) {
		nvmf_connect_data d = ntcp::make_connect_data("nqn.x", "nqn.y", 0xffff);
		nvme_sqe sqe = ntcp::make_connect_sqe(0, 31, 0);
		sqe.flags = 0x40;
		sqe.dptr.sgl.length = cpu_to_le32(sizeof(d));
		sqe.dptr.sgl.type = NVME_TCP_SGL_INCAPSULE;
		Bytes b = c.cmd_pdu(sqe, reinterpret_cast<uint8_t *>(&d), sizeof(d));
		b.back() ^= 0xff;
		return b;
	}, false, true, true, kEndOrError));

	// ---- I/O queue: in-capsule data ----
	v.push_back(io_capsule("icd-too-large", "a write with more in-capsule data than IOCCSZ allows",
			       [](HostConn &c, const ntcp::Controller &ctl) {
		uint32_t len = (c.icd_max + 8192) & ~4095u;
		Bytes data(len, 0xa5);
		nvme_sqe sqe = write_sqe(0x55, ctl.nsid, len / ctl.lba, len, true);
		uint32_t save = c.icd_max;
		Bytes b = c.cmd_pdu(sqe, data.data(), len);
		c.icd_max = save;
		return b;
	}));
	v.push_back(io_capsule("icd-beyond-command", "1-block write carrying 2 blocks in the capsule",
			       [](HostConn &c, const ntcp::Controller &ctl) {
		uint32_t len = 2 * ctl.lba;
		Bytes data(len, 0x3c);
		nvme_sqe sqe = write_sqe(0x56, ctl.nsid, 1, len, true);
		return c.cmd_pdu(sqe, data.data(), len);
	}));

	// ---- I/O queue: R2T / H2CData ----
	v.push_back(r2t_scenario("h2cdata-wrong-ttag", "H2CData with a transfer tag no R2T gave",
				 [](HostConn &c, uint16_t cid, uint16_t ttag, uint32_t off,
				    uint32_t len, uint32_t) {
		return h2c_data(c, cid, uint16_t(ttag ^ 0x5a5a), off, std::min(len, 4096u));
	}));
	v.push_back(r2t_scenario("h2cdata-wrong-offset", "H2CData starting 512 bytes past the R2T",
				 [](HostConn &c, uint16_t cid, uint16_t ttag, uint32_t off,
				    uint32_t len, uint32_t) {
		return h2c_data(c, cid, ttag, off + 512, std::min(len - 512, 4096u));
	}));
	v.push_back(r2t_scenario("h2cdata-beyond-r2t", "H2CData 512 bytes longer than the R2T",
				 [](HostConn &c, uint16_t cid, uint16_t ttag, uint32_t off,
				    uint32_t len, uint32_t) {
		return h2c_data(c, cid, ttag, off, len + 512);
	}));
	v.push_back(r2t_scenario("h2cdata-beyond-command", "H2CData past the end of the command's data",
				 [](HostConn &c, uint16_t cid, uint16_t ttag, uint32_t,
				    uint32_t, uint32_t cmdlen) {
		return h2c_data(c, cid, ttag, cmdlen, 4096);
	}));
	v.push_back(r2t_scenario("h2cdata-unknown-cccid", "H2CData for a command id never sent",
				 [](HostConn &c, uint16_t cid, uint16_t ttag, uint32_t off,
				    uint32_t len, uint32_t) {
		return h2c_data(c, uint16_t(cid + 0x100), ttag, off, std::min(len, 4096u));
	}));
	v.push_back(r2t_scenario("h2cdata-datal-mismatch", "H2CData whose DATAL disagrees with PLEN",
				 [](HostConn &c, uint16_t cid, uint16_t ttag, uint32_t off,
				    uint32_t len, uint32_t) {
		Bytes b = h2c_data(c, cid, ttag, off, std::min(len, 4096u));
		put32(b, offsetof(nvme_tcp_data_pdu, datal), 1024);
		return b;
	}));

	// ---- Connect ----
	v.push_back({"connect-twice",
		     "a Connect whose data comes after a second Connect bound the queue",
		     kEndOrError, {}, [](const Target &t) {
			HostConn c;
			if (!open_conn(t, c, true))
				return setup_failed(c.err);
			// first Connect: its data waits for an R2T
			nvme_sqe a = ntcp::make_connect_sqe(0, 31, 0);
			a.cid = 0x7a;
			a.flags = 0x40;
			a.dptr.sgl.length = cpu_to_le32(sizeof(nvmf_connect_data));
			a.dptr.sgl.type = NVME_TCP_SGL_TRANSPORT;
			if (!c.send(c.cmd_pdu(a)))
				return setup_failed(c.err);
			RecvResult r = ntcp::recv_pdu(c.s, c.w, t.react_ms);
			if (!r.ok() || r.pdu.type() != NVME_TCP_R2T)
				return setup_failed("no R2T for the first Connect: " + r.what);
			auto *r2t = r.pdu.as<nvme_tcp_r2t_pdu>();
			uint16_t ttag = le16_to_cpu(r2t->ttag);
			// second Connect, complete: the queue is now connected
			uint16_t cntlid;
			if (!c.fabrics_connect(0, t.subnqn, t.hostnqn, NVMF_CNTLID_DYNAMIC,
					       &cntlid, 0))
				return setup_failed("second Connect: " + c.err);
			// then the first one's data
			nvmf_connect_data d = ntcp::make_connect_data(t.subnqn, t.hostnqn,
								      NVMF_CNTLID_DYNAMIC);
			uint8_t hbuf[256];
			memset(hbuf, 0, sizeof(hbuf));
			auto *h = reinterpret_cast<nvme_tcp_data_pdu *>(hbuf);
			uint32_t hb = nvme_tcp_enc_data(h, NVME_TCP_H2C_DATA, c.w.hdgst, c.w.ddgst,
							c.cpda, a.cid, ttag, 0, sizeof(d),
							NVME_TCP_F_DATA_LAST);
			return send_and_react(c, ntcp::pdu_bytes(hbuf, hb,
						reinterpret_cast<const uint8_t *>(&d), sizeof(d)), t);
		}});

	// What Debian 6.1's target does with these (see the architecture
	// document): it does not check PLEN/PDO/HDGST of a command capsule
	// without data against the header and answers the command, and it
	// finds H2CData by transfer tag only.
	const std::pair<const char *, std::vector<Reaction>> lenient[] = {
		{"cmd-plen-below-hlen", {Reaction::ErrorStatus}},
		{"cmd-pdo-in-header", {Reaction::ErrorStatus}},
		{"hdgst-not-negotiated", {Reaction::ErrorStatus}},
		{"plen-huge", {Reaction::ErrorStatus}},
		{"missing-header-digest", {Reaction::None}},
		{"h2cdata-unknown-cccid", {Reaction::None}},
		// Debian's target sends no R2T for a write that would fit the
		// port's in-capsule size (it waits for in-capsule data), so the
		// first Connect never gets one there.
		{"connect-twice", {Reaction::Success, Reaction::SetupFailed}},
	};
	for (auto &l : lenient)
		for (auto &sc : v)
			if (!strcmp(sc.name, l.first))
				sc.tolerated = l.second;
	return v;
}

} // namespace

const std::vector<Scenario> &scenarios()
{
	static const std::vector<Scenario> v = build();
	return v;
}

bool healthy_session(const Target &t, std::string &why, bool digests)
{
	ntcp::Controller ctl;
	ctl.admin.timeout_ms = ctl.io.timeout_ms = t.react_ms;
	if (!ctl.setup(t.addr, t.port, t.subnqn, t.hostnqn, digests, digests, true, 0)) {
		why = ctl.err;
		return false;
	}
	HostConn &io = ctl.io;
	for (uint32_t len : {4096u, 65536u}) {
		std::string geo = " (lba " + std::to_string(ctl.lba) + ", nsze " +
				  std::to_string(ctl.nsze) + ", icd " + std::to_string(io.icd_max) + ")";
		if (uint64_t(len / ctl.lba) * 2 > ctl.nsze) {
			why = "namespace too small";
			return false;
		}
		Bytes out(len), in(len);
		for (uint32_t i = 0; i < len; i++)
			out[i] = uint8_t(i * 7 + len);
		nvme_cqe cqe;
		uint64_t slba = len == 4096 ? 0 : 4096 / ctl.lba;
		if (!io.rw(true, ctl.nsid, slba, ctl.lba, out.data(), len, &cqe)) {
			why = "write " + std::to_string(len) + ": " + io.err;
			return false;
		}
		if (ntcp::cqe_status(cqe)) {
			char b[32];
			snprintf(b, sizeof(b), "0x%x", ntcp::cqe_status(cqe));
			why = "write " + std::to_string(len) + ": status " + b + geo;
			return false;
		}
		if (!io.rw(false, ctl.nsid, slba, ctl.lba, in.data(), len, &cqe) ||
		    ntcp::cqe_status(cqe)) {
			why = "read " + std::to_string(len) + ": " + io.err + geo;
			return false;
		}
		if (in != out) {
			why = "read back differs from what was written (" + std::to_string(len) + " bytes)";
			return false;
		}
	}
	return true;
}

} // namespace peer
