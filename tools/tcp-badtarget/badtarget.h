// SPDX-License-Identifier: GPL-2.0
//
// badtarget.h: a small userspace NVMe/TCP controller (one subsystem, one
// RAM namespace, and the discovery subsystem) that serves a Linux host
// well enough to connect, then misbehaves the way its scenario says.

#ifndef NVME_TOOLS_BADTARGET_H
#define NVME_TOOLS_BADTARGET_H

#include "tcp_io.h"

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace badtgt {

struct ScenarioInfo {
	const char *name;
	const char *what;
	const char *when;	// "icreq", "connect", "identify", "io" or "-"
};

const std::vector<ScenarioInfo> &scenario_list();
bool known_scenario(const std::string &name);

struct Config {
	std::string addr = "127.0.0.1";
	uint16_t port = 4420;
	std::string subnqn = "nqn.2014-08.org.example:badtarget";
	std::string scenario = "good";
	uint64_t ns_bytes = 16u << 20;
	bool verbose = false;
};

class Target {
public:
	explicit Target(Config c);
	~Target();
	bool listen(std::string &err);
	uint16_t port() const { return listener_.local_port(); }
	// Serve until stop() (one thread per connection).
	void serve();
	void stop() { stop_ = true; }
	// how many times the scenario's misbehaviour happened
	int fired() const { return fired_; }

	// used by the connection handlers
	const Config &cfg() const { return cfg_; }
	std::mutex mu;
	std::vector<uint8_t> ram;
	uint16_t next_cntlid = 1;
	struct Ctrl {
		uint16_t cntlid;
		bool discovery;
		uint32_t cc = 0;
	};
	std::vector<Ctrl> ctrls;
	std::atomic<int> fired_{0};
	std::atomic<bool> io_fired{false};

private:
	Config cfg_;
	ntcp::Sock listener_;
	std::atomic<bool> stop_{false};
};

// Handle one connection to the end (exposed for the unit tests).
void serve_connection(Target &t, ntcp::Sock s);

} // namespace badtgt

#endif
