// SPDX-License-Identifier: GPL-2.0
//
// host_conn.h: a minimal NVMe/TCP host queue in userspace (tools/tcp-peer,
// and the unit tests that run tcp-peer against tcp-badtarget). It speaks
// the protocol correctly; the scenarios build their malformed PDUs beside
// it and use it for the setup around them.

#ifndef NVME_TOOLS_HOST_CONN_H
#define NVME_TOOLS_HOST_CONN_H

#include "tcp_io.h"

namespace ntcp {

class HostConn {
public:
	Sock s;
	nvme_tcp_wire w{};		// our receive side (host)
	uint8_t cpda = 0;		// target's alignment for our data
	uint32_t maxh2c = 0;
	uint32_t icd_max = 8192;	// in-capsule data we may send
	uint16_t next_cid = 1;
	int timeout_ms = 5000;
	std::string err;		// why the last call failed

	bool open(const std::string &addr, uint16_t port);
	bool icreq(bool hdgst, bool ddgst, uint8_t hpda = 0);
	bool send(const Bytes &b);

	// A CapsuleCmd; ICD in-capsule data (SGL set by the caller)
	Bytes cmd_pdu(const nvme_sqe &sqe, const uint8_t *icd = nullptr, uint32_t icd_len = 0);

	// Run one command: OUT goes in-capsule when it fits, else by R2T;
	// IN is filled from C2HData. False on any protocol or I/O problem
	// (err says what); a failed NVMe status is returned in *cqe.
	bool exec(nvme_sqe sqe, const uint8_t *out, uint32_t outlen, uint8_t *in,
		  uint32_t inlen, nvme_cqe *cqe);

	bool fabrics_connect(uint16_t qid, const std::string &subnqn, const std::string &hostnqn,
			     uint16_t cntlid, uint16_t *cntlid_out, uint32_t kato_ms = 0,
			     uint16_t sqsize = 31);
	bool prop_get(uint32_t off, bool eight, uint64_t *val);
	bool prop_set(uint32_t off, uint32_t val);
	bool enable_ctrl();				// CC.EN=1, wait CSTS.RDY
	bool identify(uint8_t cns, uint32_t nsid, uint8_t *buf4k);
	bool keep_alive();
	// NLB+1 blocks of LBA size BS at SLBA
	bool rw(bool write, uint32_t nsid, uint64_t slba, uint32_t bs, uint8_t *buf,
		uint32_t len, nvme_cqe *cqe);
};

// A whole controller: admin queue (enabled) + one I/O queue.
struct Controller {
	HostConn admin, io;
	uint16_t cntlid = 0;
	uint32_t lba = 512;
	uint64_t nsze = 0;
	uint32_t nsid = 1;
	std::string err;
	bool setup(const std::string &addr, uint16_t port, const std::string &subnqn,
		   const std::string &hostnqn, bool hdgst, bool ddgst, bool with_io,
		   uint32_t kato_ms);
};

} // namespace ntcp

#endif
