// SPDX-License-Identifier: GPL-2.0
//
// tcp_io.h: userspace NVMe/TCP plumbing shared by tools/tcp-peer (a host)
// and tools/tcp-badtarget (a controller): sockets with timeouts, reading
// one PDU and validating it with the shared wire code (fabrics/tcp/wire.c,
// the same checks the kernel modules run), and building PDUs with the
// shared encoders so that a test can then corrupt any field.

#ifndef NVME_TOOLS_TCP_IO_H
#define NVME_TOOLS_TCP_IO_H

extern "C" {
#include "fabrics/tcp/wire.h"
#include "include/nvme/fabrics.h"
}

#include <cstdint>
#include <string>
#include <vector>

namespace ntcp {

using Bytes = std::vector<uint8_t>;

enum class Io { Ok, Closed, Timeout, Error };
const char *io_name(Io io);

class Sock {
public:
	Sock() = default;
	explicit Sock(int fd) : fd_(fd) {}
	~Sock() { close(); }
	Sock(Sock &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
	Sock &operator=(Sock &&o) noexcept;
	Sock(const Sock &) = delete;
	Sock &operator=(const Sock &) = delete;

	// addr is numeric IPv4 or IPv6; err says why on failure
	static Sock connect_to(const std::string &addr, uint16_t port, int timeout_ms,
			       std::string &err);
	static Sock listen_on(const std::string &addr, uint16_t port, std::string &err);
	Sock accept(int timeout_ms) const;

	bool valid() const { return fd_ >= 0; }
	int fd() const { return fd_; }
	uint16_t local_port() const;
	Io send_all(const void *buf, size_t len, int timeout_ms = 5000);
	Io send_all(const Bytes &b, int timeout_ms = 5000) { return send_all(b.data(), b.size(), timeout_ms); }
	// Io::Closed on EOF or reset before LEN bytes arrived
	Io recv_exact(void *buf, size_t len, int timeout_ms);
	// the peer closed (EOF/reset) within timeout_ms, discarding what it sends
	bool wait_closed(int timeout_ms);
	void shutdown_wr();
	void close();

private:
	int fd_ = -1;
};

struct Pdu {
	Bytes hdr;	// header incl. header digest
	Bytes data;	// data (termination requests: the error data)
	uint8_t type() const { return hdr.empty() ? 0xff : hdr[0]; }
	uint8_t flags() const { return hdr.size() > 1 ? hdr[1] : 0; }
	template <typename T> const T *as() const
	{
		return hdr.size() >= sizeof(T) ? reinterpret_cast<const T *>(hdr.data()) : nullptr;
	}
};

struct RecvResult {
	Io io = Io::Error;
	bool bad = false;		// the PDU broke the protocol (io == Ok)
	nvme_tcp_wire_err err{};	// why, with FES/FEI
	std::string what;		// readable summary
	Pdu pdu;
	bool ok() const { return io == Io::Ok && !bad; }
};

// Read one PDU and validate it against W (the receiver's view). Data of
// more than max_data bytes is refused as bad (a test tool, not a server).
RecvResult recv_pdu(Sock &s, const nvme_tcp_wire &w, int timeout_ms,
		    uint32_t max_data = 1u << 24);

// Build a PDU: HDR is a header buffer of at least 256 bytes already
// filled by one of the nvme_tcp_enc_*() helpers, which returned HDR_BYTES
// (header + digest + pad). Sets the header digest, appends DATA and its
// digest when the header's DDGST flag is set.
Bytes pdu_bytes(void *hdr, uint32_t hdr_bytes, const uint8_t *data = nullptr,
		uint32_t len = 0);

// Header digest over a raw header (after corrupting fields by hand).
void refresh_hdgst(Bytes &pdu);

std::string hex(const uint8_t *p, size_t n);
uint64_t now_ms();

// Small helpers for SQEs.
nvme_sqe make_connect_sqe(uint16_t qid, uint16_t sqsize, uint32_t kato_ms);
nvmf_connect_data make_connect_data(const std::string &subnqn, const std::string &hostnqn,
				    uint16_t cntlid);
inline uint16_t cqe_status(const nvme_cqe &c) { return le16_to_cpu(c.status) >> 1; }

} // namespace ntcp

#endif
