// SPDX-License-Identifier: GPL-2.0
//
// scenarios.h: tcp-peer's malformed-PDU scenarios against an NVMe/TCP
// target, and the healthy session run before and after them.

#ifndef NVME_TOOLS_TCP_PEER_SCENARIOS_H
#define NVME_TOOLS_TCP_PEER_SCENARIOS_H

#include "host_conn.h"

#include <functional>
#include <string>
#include <vector>

namespace peer {

struct Target {
	std::string addr = "127.0.0.1";
	uint16_t port = 4420;
	std::string subnqn;
	std::string hostnqn = "nqn.2014-08.org.nvmexpress:uuid:7463702d-7065-6572-0000-000000000001";
	int react_ms = 5000;	// how long the target has to react
};

// What the target did after the bad PDU.
enum class Reaction { None, Success, ErrorStatus, TermReq, Closed, SetupFailed };
const char *reaction_name(Reaction r);

struct Outcome {
	Reaction r = Reaction::None;
	std::string detail;	// e.g. "C2HTermReq fes=1 (invalid PDU header field)"
	uint64_t ms = 0;
};

struct Scenario {
	const char *name;
	const char *what;
	// reactions that count as correct
	std::vector<Reaction> allowed;
	// reactions a lenient target gives (Debian 6.1's nvmet-tcp) that
	// leave it working: accepted unless --strict, and reported
	std::vector<Reaction> tolerated;
	std::function<Outcome(const Target &)> run;
};

const std::vector<Scenario> &scenarios();

// Connect + Identify + 4 KiB in-capsule write + 64 KiB R2T write + reads
// back (with header and data digests when DIGESTS); false (with why) if
// anything is off.
bool healthy_session(const Target &t, std::string &why, bool digests = false);

} // namespace peer

#endif
