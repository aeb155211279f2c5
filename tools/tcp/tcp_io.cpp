// SPDX-License-Identifier: GPL-2.0
//
// tcp_io.cpp: sockets, PDU receive + validation, PDU building.

#include "tcp_io.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ntcp {

const char *io_name(Io io)
{
	switch (io) {
	case Io::Ok: return "ok";
	case Io::Closed: return "closed";
	case Io::Timeout: return "timeout";
	case Io::Error: return "error";
	}
	return "?";
}

uint64_t now_ms()
{
	using namespace std::chrono;
	return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Sock &Sock::operator=(Sock &&o) noexcept
{
	if (this != &o) {
		close();
		fd_ = o.fd_;
		o.fd_ = -1;
	}
	return *this;
}

void Sock::close()
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = -1;
}

void Sock::shutdown_wr()
{
	if (fd_ >= 0)
		::shutdown(fd_, SHUT_WR);
}

namespace {

bool make_addr(const std::string &addr, uint16_t port, sockaddr_storage &ss, socklen_t &len)
{
	memset(&ss, 0, sizeof(ss));
	auto *s4 = reinterpret_cast<sockaddr_in *>(&ss);
	auto *s6 = reinterpret_cast<sockaddr_in6 *>(&ss);
	if (inet_pton(AF_INET, addr.c_str(), &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
		return true;
	}
	if (inet_pton(AF_INET6, addr.c_str(), &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
		return true;
	}
	return false;
}

int wait_fd(int fd, short ev, int timeout_ms)
{
	pollfd p{fd, ev, 0};
	for (;;) {
		int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

} // namespace

Sock Sock::connect_to(const std::string &addr, uint16_t port, int timeout_ms, std::string &err)
{
	sockaddr_storage ss;
	socklen_t len;
	if (!make_addr(addr, port, ss, len)) {
		err = "bad address " + addr;
		return Sock();
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = std::string("socket: ") + strerror(errno);
		return Sock();
	}
	Sock s(fd);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (::connect(fd, reinterpret_cast<sockaddr *>(&ss), len) < 0) {
		if (errno != EINPROGRESS) {
			err = std::string("connect: ") + strerror(errno);
			return Sock();
		}
		if (wait_fd(fd, POLLOUT, timeout_ms) <= 0) {
			err = "connect: timed out";
			return Sock();
		}
		int e = 0;
		socklen_t el = sizeof(e);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			err = std::string("connect: ") + strerror(e);
			return Sock();
		}
	}
	return s;
}

Sock Sock::listen_on(const std::string &addr, uint16_t port, std::string &err)
{
	sockaddr_storage ss;
	socklen_t len;
	if (!make_addr(addr, port, ss, len)) {
		err = "bad address " + addr;
		return Sock();
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = std::string("socket: ") + strerror(errno);
		return Sock();
	}
	Sock s(fd);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, reinterpret_cast<sockaddr *>(&ss), len) < 0 || listen(fd, 16) < 0) {
		err = std::string("bind/listen: ") + strerror(errno);
		return Sock();
	}
	return s;
}

Sock Sock::accept(int timeout_ms) const
{
	if (wait_fd(fd_, POLLIN, timeout_ms) <= 0)
		return Sock();
	int fd = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return Sock();
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return Sock(fd);
}

uint16_t Sock::local_port() const
{
	sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd_, reinterpret_cast<sockaddr *>(&ss), &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
	return ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
}

Io Sock::send_all(const void *buf, size_t len, int timeout_ms)
{
	const uint8_t *p = static_cast<const uint8_t *>(buf);
	uint64_t deadline = now_ms() + timeout_ms;
	while (len) {
		ssize_t n = ::send(fd_, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= size_t(n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int64_t left = int64_t(deadline) - int64_t(now_ms());
			if (left <= 0 || wait_fd(fd_, POLLOUT, int(left)) <= 0)
				return Io::Timeout;
			continue;
		}
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return Io::Closed;
		return Io::Error;
	}
	return Io::Ok;
}

Io Sock::recv_exact(void *buf, size_t len, int timeout_ms)
{
	uint8_t *p = static_cast<uint8_t *>(buf);
	uint64_t deadline = now_ms() + timeout_ms;
	while (len) {
		ssize_t n = ::recv(fd_, p, len, 0);
		if (n > 0) {
			p += n;
			len -= size_t(n);
			continue;
		}
		if (n == 0)
			return Io::Closed;
		if (errno == EAGAIN || errno == EINTR) {
			int64_t left = int64_t(deadline) - int64_t(now_ms());
			if (left <= 0 || wait_fd(fd_, POLLIN, int(left)) <= 0)
				return Io::Timeout;
			continue;
		}
		if (errno == ECONNRESET || errno == EPIPE)
			return Io::Closed;
		return Io::Error;
	}
	return Io::Ok;
}

bool Sock::wait_closed(int timeout_ms)
{
	uint8_t buf[4096];
	uint64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
			return true;
		if (n > 0)
			continue;
		if (errno != EAGAIN && errno != EINTR)
			return true;
		int64_t left = int64_t(deadline) - int64_t(now_ms());
		if (left <= 0 || wait_fd(fd_, POLLIN, int(left)) <= 0)
			return false;
	}
}

RecvResult recv_pdu(Sock &s, const nvme_tcp_wire &w, int timeout_ms, uint32_t max_data)
{
	RecvResult r;
	uint64_t deadline = now_ms() + timeout_ms;
	auto left = [&] {
		int64_t l = int64_t(deadline) - int64_t(now_ms());
		return int(l < 0 ? 0 : l);
	};
	uint8_t hbuf[256];
	r.io = s.recv_exact(hbuf, sizeof(nvme_tcp_hdr), timeout_ms);
	if (r.io != Io::Ok) {
		r.what = std::string("receive: ") + io_name(r.io);
		return r;
	}
	auto *ch = reinterpret_cast<nvme_tcp_hdr *>(hbuf);
	r.pdu.hdr.assign(hbuf, hbuf + sizeof(*ch));
	int hl = nvme_tcp_check_ch(&w, ch, &r.err);
	if (hl < 0) {
		// termination requests may have odd lengths; read what we can
		r.bad = true;
		r.what = std::string(nvme_tcp_type_name(ch->type)) + ": " + r.err.reason;
		return r;
	}
	r.io = s.recv_exact(hbuf + sizeof(*ch), size_t(hl) - sizeof(*ch), left());
	if (r.io != Io::Ok) {
		r.what = std::string("receive header: ") + io_name(r.io);
		return r;
	}
	r.pdu.hdr.assign(hbuf, hbuf + hl);
	if (nvme_tcp_check_hdr(&w, hbuf, &r.err) < 0) {
		r.bad = true;
		r.what = std::string(nvme_tcp_type_name(ch->type)) + ": " + r.err.reason;
		return r;
	}
	uint32_t pad = nvme_tcp_pad_len(ch);
	uint32_t dlen = nvme_tcp_data_len(ch);
	if (dlen > max_data) {
		r.bad = true;
		r.err.reason = "PDU data larger than this tool accepts";
		r.what = std::string(nvme_tcp_type_name(ch->type)) + ": " + r.err.reason;
		return r;
	}
	if (pad) {
		uint8_t tmp[256];
		r.io = s.recv_exact(tmp, pad, left());
		if (r.io != Io::Ok) {
			r.what = std::string("receive pad: ") + io_name(r.io);
			return r;
		}
	}
	r.pdu.data.resize(dlen);
	if (dlen) {
		r.io = s.recv_exact(r.pdu.data.data(), dlen, left());
		if (r.io != Io::Ok) {
			r.what = std::string("receive data: ") + io_name(r.io);
			return r;
		}
	}
	if (ch->flags & NVME_TCP_F_DDGST) {
		uint8_t d[4];
		r.io = s.recv_exact(d, 4, left());
		if (r.io != Io::Ok) {
			r.what = std::string("receive data digest: ") + io_name(r.io);
			return r;
		}
		uint32_t want = nvme_tcp_crc32c(r.pdu.data.data(), dlen);
		uint32_t got = d[0] | d[1] << 8 | d[2] << 16 | uint32_t(d[3]) << 24;
		if (want != got) {
			r.bad = true;
			r.err.reason = "data digest mismatch";
			r.err.fes = 0;
			r.what = std::string(nvme_tcp_type_name(ch->type)) + ": data digest mismatch";
			return r;
		}
	}
	r.what = nvme_tcp_type_name(ch->type);
	return r;
}

Bytes pdu_bytes(void *hdr, uint32_t hdr_bytes, const uint8_t *data, uint32_t len)
{
	nvme_tcp_set_hdgst(hdr);
	auto *ch = static_cast<nvme_tcp_hdr *>(hdr);
	Bytes b(static_cast<uint8_t *>(hdr), static_cast<uint8_t *>(hdr) + hdr_bytes);
	if (len) {
		b.insert(b.end(), data, data + len);
		if (ch->flags & NVME_TCP_F_DDGST) {
			uint32_t c = nvme_tcp_crc32c(data, len);
			for (int i = 0; i < 4; i++)
				b.push_back(uint8_t(c >> (8 * i)));
		}
	}
	return b;
}

void refresh_hdgst(Bytes &pdu)
{
	if (pdu.size() >= 8 && (pdu[1] & NVME_TCP_F_HDGST) && pdu.size() >= size_t(pdu[2]) + 4u)
		nvme_tcp_set_hdgst(pdu.data());
}

std::string hex(const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	std::string s;
	for (size_t i = 0; i < n; i++) {
		s += d[p[i] >> 4];
		s += d[p[i] & 15];
	}
	return s;
}

nvme_sqe make_connect_sqe(uint16_t qid, uint16_t sqsize, uint32_t kato_ms)
{
	nvmf_connect_cmd c;
	memset(&c, 0, sizeof(c));
	c.opc = NVME_ADM_FABRICS;
	c.fctype = NVMF_FCTYPE_CONNECT;
	c.recfmt = cpu_to_le16(NVMF_CONNECT_RECFMT);
	c.qid = cpu_to_le16(qid);
	c.sqsize = cpu_to_le16(sqsize);
	c.kato = cpu_to_le32(kato_ms);
	nvme_sqe s;
	static_assert(sizeof(s) == sizeof(c), "SQE size");
	memcpy(&s, &c, sizeof(s));
	return s;
}

nvmf_connect_data make_connect_data(const std::string &subnqn, const std::string &hostnqn,
				    uint16_t cntlid)
{
	nvmf_connect_data d;
	memset(&d, 0, sizeof(d));
	static const uint8_t id[16] = {0x6e, 0x76, 0x6d, 0x65, 0x2d, 0x74, 0x63, 0x70,
				       0x2d, 0x70, 0x65, 0x65, 0x72, 0x00, 0x00, 0x01};
	memcpy(d.hostid, id, sizeof(id));
	d.cntlid = cpu_to_le16(cntlid);
	strncpy(d.subnqn, subnqn.c_str(), sizeof(d.subnqn) - 1);
	strncpy(d.hostnqn, hostnqn.c_str(), sizeof(d.hostnqn) - 1);
	return d;
}

} // namespace ntcp
