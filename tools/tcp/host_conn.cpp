// SPDX-License-Identifier: GPL-2.0
//
// host_conn.cpp: the well-behaved userspace NVMe/TCP host queue.

#include "host_conn.h"

#include <cstring>
#include <thread>

namespace ntcp {

bool HostConn::open(const std::string &addr, uint16_t port)
{
	s = Sock::connect_to(addr, port, timeout_ms, err);
	w = nvme_tcp_wire{};
	w.host = true;
	return s.valid();
}

bool HostConn::send(const Bytes &b)
{
	Io io = s.send_all(b, timeout_ms);
	if (io != Io::Ok)
		err = std::string("send: ") + io_name(io);
	return io == Io::Ok;
}

bool HostConn::icreq(bool hdgst, bool ddgst, uint8_t hpda)
{
	nvme_tcp_icreq ic;
	nvme_tcp_enc_icreq(&ic, hpda, hdgst, ddgst, 0);
	if (!send(pdu_bytes(&ic, sizeof(ic))))
		return false;
	w.hdgst = hdgst;
	w.ddgst = ddgst;
	w.rx_pda = hpda;
	RecvResult r = recv_pdu(s, w, timeout_ms);
	if (!r.ok() || r.pdu.type() != NVME_TCP_ICRESP) {
		err = "ICResp: " + r.what;
		return false;
	}
	auto *rsp = r.pdu.as<nvme_tcp_icresp>();
	w.hdgst = rsp->digest & NVME_TCP_DGST_HDR;
	w.ddgst = rsp->digest & NVME_TCP_DGST_DATA;
	w.connected = true;
	cpda = rsp->cpda;
	maxh2c = le32_to_cpu(rsp->maxh2cdata);
	return true;
}

Bytes HostConn::cmd_pdu(const nvme_sqe &sqe, const uint8_t *icd, uint32_t icd_len)
{
	uint8_t hbuf[256];
	memset(hbuf, 0, sizeof(hbuf));
	auto *p = reinterpret_cast<nvme_tcp_cmd_pdu *>(hbuf);
	uint32_t hb = nvme_tcp_enc_cmd(p, w.hdgst, w.ddgst, cpda, &sqe, icd_len);
	return pdu_bytes(hbuf, hb, icd, icd_len);
}

bool HostConn::exec(nvme_sqe sqe, const uint8_t *out, uint32_t outlen, uint8_t *in,
		    uint32_t inlen, nvme_cqe *cqe)
{
	sqe.cid = next_cid++;
	if (next_cid == 0xffff)
		next_cid = 1;
	sqe.flags = (sqe.flags & ~0xc0) | 0x40;	/* PSDT: SGL */
	bool inline_data = outlen && outlen <= icd_max;
	memset(&sqe.dptr, 0, sizeof(sqe.dptr));
	sqe.dptr.sgl.length = cpu_to_le32(outlen ? outlen : inlen);
	sqe.dptr.sgl.type = inline_data ? NVME_TCP_SGL_INCAPSULE :
			    (outlen || inlen) ? NVME_TCP_SGL_TRANSPORT : 0;
	if (!send(cmd_pdu(sqe, inline_data ? out : nullptr, inline_data ? outlen : 0)))
		return false;
	uint32_t got = 0;
	for (;;) {
		RecvResult r = recv_pdu(s, w, timeout_ms);
		if (!r.ok()) {
			err = r.what;
			return false;
		}
		switch (r.pdu.type()) {
		case NVME_TCP_RSP: {
			auto *rsp = r.pdu.as<nvme_tcp_rsp_pdu>();
			if (rsp->cqe.cid != sqe.cid) {
				err = "CapsuleResp for unknown command id " + std::to_string(rsp->cqe.cid);
				return false;
			}
			*cqe = rsp->cqe;
			return true;
		}
		case NVME_TCP_C2H_DATA: {
			auto *d = r.pdu.as<nvme_tcp_data_pdu>();
			uint32_t off = le32_to_cpu(d->datao), len = le32_to_cpu(d->datal);
			if (d->cccid != sqe.cid || !in || off != got || uint64_t(off) + len > inlen) {
				err = "C2HData out of range or for another command";
				return false;
			}
			memcpy(in + off, r.pdu.data.data(), len);
			got += len;
			if (r.pdu.flags() & NVME_TCP_F_DATA_SUCCESS) {
				if (got != inlen) {
					err = "C2HData SUCCESS before all data";
					return false;
				}
				memset(cqe, 0, sizeof(*cqe));
				cqe->cid = sqe.cid;
				return true;
			}
			break;
		}
		case NVME_TCP_R2T: {
			auto *t = r.pdu.as<nvme_tcp_r2t_pdu>();
			uint32_t off = le32_to_cpu(t->r2to), len = le32_to_cpu(t->r2tl);
			if (t->cccid != sqe.cid || !out || uint64_t(off) + len > outlen) {
				err = "R2T out of range or for another command";
				return false;
			}
			while (len) {
				uint32_t n = std::min(len, maxh2c);
				uint8_t hbuf[256];
				memset(hbuf, 0, sizeof(hbuf));
				auto *dp = reinterpret_cast<nvme_tcp_data_pdu *>(hbuf);
				uint32_t hb = nvme_tcp_enc_data(dp, NVME_TCP_H2C_DATA, w.hdgst, w.ddgst,
							       cpda, sqe.cid, le16_to_cpu(t->ttag),
							       off, n, n == len ? NVME_TCP_F_DATA_LAST : 0);
				if (!send(pdu_bytes(hbuf, hb, out + off, n)))
					return false;
				off += n;
				len -= n;
			}
			break;
		}
		case NVME_TCP_C2H_TERMREQ: {
			auto *t = r.pdu.as<nvme_tcp_term_pdu>();
			err = std::string("target sent C2HTermReq: ") +
			      nvme_tcp_fes_name(le16_to_cpu(t->fes));
			return false;
		}
		default:
			err = std::string("unexpected ") + nvme_tcp_type_name(r.pdu.type());
			return false;
		}
	}
}

bool HostConn::fabrics_connect(uint16_t qid, const std::string &subnqn,
			       const std::string &hostnqn, uint16_t cntlid,
			       uint16_t *cntlid_out, uint32_t kato_ms, uint16_t sqsize)
{
	nvme_sqe sqe = make_connect_sqe(qid, sqsize, kato_ms);
	nvmf_connect_data d = make_connect_data(subnqn, hostnqn, cntlid);
	nvme_cqe cqe;
	if (!exec(sqe, reinterpret_cast<uint8_t *>(&d), sizeof(d), nullptr, 0, &cqe))
		return false;
	if (cqe_status(cqe)) {
		char b[64];
		snprintf(b, sizeof(b), "Connect failed: status 0x%x", cqe_status(cqe));
		err = b;
		return false;
	}
	if (cntlid_out)
		*cntlid_out = le32_to_cpu(cqe.dw0) & 0xffff;
	return true;
}

bool HostConn::prop_get(uint32_t off, bool eight, uint64_t *val)
{
	nvmf_prop_get_cmd c;
	memset(&c, 0, sizeof(c));
	c.opc = NVME_ADM_FABRICS;
	c.fctype = NVMF_FCTYPE_PROP_GET;
	c.attrib = eight ? NVMF_PROP_SIZE_8 : NVMF_PROP_SIZE_4;
	c.offset = cpu_to_le32(off);
	nvme_sqe sqe;
	memcpy(&sqe, &c, sizeof(sqe));
	nvme_cqe cqe;
	if (!exec(sqe, nullptr, 0, nullptr, 0, &cqe))
		return false;
	if (cqe_status(cqe)) {
		err = "Property Get failed";
		return false;
	}
	*val = le32_to_cpu(cqe.dw0) | uint64_t(le32_to_cpu(cqe.dw1)) << 32;
	return true;
}

bool HostConn::prop_set(uint32_t off, uint32_t val)
{
	nvmf_prop_set_cmd c;
	memset(&c, 0, sizeof(c));
	c.opc = NVME_ADM_FABRICS;
	c.fctype = NVMF_FCTYPE_PROP_SET;
	c.attrib = NVMF_PROP_SIZE_4;
	c.offset = cpu_to_le32(off);
	c.value = cpu_to_le64(val);
	nvme_sqe sqe;
	memcpy(&sqe, &c, sizeof(sqe));
	nvme_cqe cqe;
	if (!exec(sqe, nullptr, 0, nullptr, 0, &cqe))
		return false;
	if (cqe_status(cqe)) {
		err = "Property Set failed";
		return false;
	}
	return true;
}

bool HostConn::enable_ctrl()
{
	/* CC: EN, CSS NVM, MPS 4k, AMS RR, IOSQES 6, IOCQES 4 */
	if (!prop_set(NVME_REG_CC, 1u | (6u << 16) | (4u << 20)))
		return false;
	for (int i = 0; i < 100; i++) {
		uint64_t csts;
		if (!prop_get(NVME_REG_CSTS, false, &csts))
			return false;
		if (csts & 1)
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	err = "CSTS.RDY never set";
	return false;
}

bool HostConn::identify(uint8_t cns, uint32_t nsid, uint8_t *buf4k)
{
	nvme_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADM_IDENTIFY;
	sqe.nsid = cpu_to_le32(nsid);
	sqe.cdw10 = cpu_to_le32(cns);
	nvme_cqe cqe;
	if (!exec(sqe, nullptr, 0, buf4k, 4096, &cqe))
		return false;
	if (cqe_status(cqe)) {
		err = "Identify failed: status " + std::to_string(cqe_status(cqe));
		return false;
	}
	return true;
}

bool HostConn::keep_alive()
{
	nvme_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADM_KEEP_ALIVE;
	nvme_cqe cqe;
	if (!exec(sqe, nullptr, 0, nullptr, 0, &cqe))
		return false;
	if (cqe_status(cqe)) {
		err = "Keep Alive failed";
		return false;
	}
	return true;
}

bool HostConn::rw(bool write, uint32_t nsid, uint64_t slba, uint32_t bs, uint8_t *buf,
		  uint32_t len, nvme_cqe *cqe)
{
	nvme_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = write ? 0x01 : 0x02;
	sqe.nsid = cpu_to_le32(nsid);
	sqe.cdw10 = cpu_to_le32(uint32_t(slba));
	sqe.cdw11 = cpu_to_le32(uint32_t(slba >> 32));
	sqe.cdw12 = cpu_to_le32(len / bs - 1);
	return write ? exec(sqe, buf, len, nullptr, 0, cqe) : exec(sqe, nullptr, 0, buf, len, cqe);
}

bool Controller::setup(const std::string &addr, uint16_t port, const std::string &subnqn,
		       const std::string &hostnqn, bool hdgst, bool ddgst, bool with_io,
		       uint32_t kato_ms)
{
	auto fail = [&](const char *what, const std::string &e) {
		err = std::string(what) + ": " + e;
		return false;
	};
	if (!admin.open(addr, port))
		return fail("admin connect", admin.err);
	if (!admin.icreq(hdgst, ddgst))
		return fail("admin ICReq", admin.err);
	if (!admin.fabrics_connect(0, subnqn, hostnqn, NVMF_CNTLID_DYNAMIC, &cntlid, kato_ms))
		return fail("admin Connect", admin.err);
	if (!admin.enable_ctrl())
		return fail("enable", admin.err);
	uint8_t id[4096];
	if (!admin.identify(1, 0, id))
		return fail("Identify controller", admin.err);
	uint32_t ioccsz = id[1792] | id[1793] << 8 | id[1794] << 16 | uint32_t(id[1795]) << 24;
	uint32_t icd = ioccsz >= 4 ? ioccsz * 16 - 64 : 0;
	if (!admin.identify(0, nsid, id))
		return fail("Identify namespace", admin.err);
	memcpy(&nsze, id, 8);
	uint8_t flbas = id[26] & 0xf;
	uint8_t lbads = id[128 + flbas * 4 + 2];
	if (lbads < 9 || lbads > 16)
		return fail("Identify namespace", "LBA data size 2^" + std::to_string(lbads) +
					      " not supported by this tool");
	lba = 1u << lbads;
	if (!with_io)
		return true;
	if (!io.open(addr, port))
		return fail("I/O connect", io.err);
	if (!io.icreq(hdgst, ddgst))
		return fail("I/O ICReq", io.err);
	io.icd_max = icd;
	if (!io.fabrics_connect(1, subnqn, hostnqn, cntlid, nullptr, 0))
		return fail("I/O Connect", io.err);
	return true;
}

} // namespace ntcp
