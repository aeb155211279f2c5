// SPDX-License-Identifier: GPL-2.0
//
// tools/tcp-peer against tools/tcp-badtarget, all in userspace over
// loopback: the healthy session works against the "good" target, every
// malformed-PDU scenario of tcp-peer is refused by the badtarget (which
// validates with the same wire code as the kernel modules), and the
// userspace host notices each badtarget misbehaviour at once.

#include "badtarget.h"
#include "scenarios.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <map>
#include <thread>

namespace {

const char *kNqn = "nqn.2014-08.org.example:unit-badtarget";

// Targets live for the whole test program: their connection threads are
// detached and may outlive a test.
uint16_t start_target(const std::string &scenario)
{
	static std::map<std::string, uint16_t> ports;
	auto it = ports.find(scenario);
	if (it != ports.end())
		return it->second;
	signal(SIGPIPE, SIG_IGN);
	badtgt::Config c;
	c.addr = "127.0.0.1";
	c.port = 0;
	c.subnqn = kNqn;
	c.scenario = scenario;
	auto *t = new badtgt::Target(c);
	std::string err;
	if (!t->listen(err)) {
		ADD_FAILURE() << err;
		return 0;
	}
	std::thread([t] { t->serve(); }).detach();
	return ports[scenario] = t->port();
}

peer::Target target_for(const std::string &scenario)
{
	peer::Target t;
	t.port = start_target(scenario);
	t.subnqn = kNqn;
	t.react_ms = 2000;
	return t;
}

} // namespace

TEST(TcpTools, HealthySessionAgainstGoodTarget)
{
	std::string why;
	EXPECT_TRUE(peer::healthy_session(target_for("good"), why)) << why;
}

TEST(TcpTools, HealthySessionWithDigests)
{
	std::string why;
	EXPECT_TRUE(peer::healthy_session(target_for("good"), why, true)) << why;
}

TEST(TcpTools, BadTargetRefusesEveryPeerScenario)
{
	peer::Target t = target_for("good");
	for (const auto &s : peer::scenarios()) {
		// needs a target that reads the next command while one waits for
		// its R2T data; tcp-badtarget serves one command at a time
		if (!strcmp(s.name, "connect-twice"))
			continue;
		peer::Outcome o = s.run(t);
		bool ok = false;
		for (auto r : s.allowed)
			ok |= r == o.r;
		EXPECT_TRUE(ok) << s.name << ": " << peer::reaction_name(o.r) << " " << o.detail;
	}
	std::string why;
	EXPECT_TRUE(peer::healthy_session(t, why)) << why;
}

TEST(TcpTools, DiscoveryLogFromGoodTarget)
{
	peer::Target t = target_for("good");
	ntcp::HostConn c;
	ASSERT_TRUE(c.open(t.addr, t.port)) << c.err;
	ASSERT_TRUE(c.icreq(false, false)) << c.err;
	uint16_t cntlid = 0;
	ASSERT_TRUE(c.fabrics_connect(0, NVMF_DISC_NQN, t.hostnqn, NVMF_CNTLID_DYNAMIC, &cntlid))
		<< c.err;
	ASSERT_TRUE(c.enable_ctrl()) << c.err;
	nvme_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = 0x02;
	sqe.cdw10 = cpu_to_le32(0x70 | ((2048 / 4 - 1) << 16));
	uint8_t buf[2048];
	nvme_cqe cqe;
	ASSERT_TRUE(c.exec(sqe, nullptr, 0, buf, sizeof(buf), &cqe)) << c.err;
	EXPECT_EQ(ntcp::cqe_status(cqe), 0);
	auto *h = reinterpret_cast<nvmf_disc_log_hdr *>(buf);
	EXPECT_EQ(le64_to_cpu(h->numrec), 1u);
	auto *e = reinterpret_cast<nvmf_disc_log_entry *>(buf + 1024);
	EXPECT_EQ(e->trtype, NVMF_TRTYPE_TCP);
	EXPECT_STREQ(e->subnqn, kNqn);
}

// Every misbehaviour must make the userspace host fail at once (within
// the 2 s bound), never hand it bad data; every legal variation must work.
TEST(TcpTools, HostNoticesEachMisbehaviour)
{
	for (const auto &s : badtgt::scenario_list()) {
		std::string name = s.name;
		if (name == "good")
			continue;
		peer::Target t = target_for(name);
		ntcp::Controller ctl;
		ctl.admin.timeout_ms = ctl.io.timeout_ms = 2000;
		uint64_t t0 = ntcp::now_ms();
		bool up = ctl.setup(t.addr, t.port, t.subnqn, t.hostnqn, false, false, true, 0);
		if (std::string(s.when) == "legal") {
			// correct but unusual: a 64 KiB write and read must round trip
			ASSERT_TRUE(up) << name << ": " << ctl.err;
			std::vector<uint8_t> out(65536), in(65536, 0);
			for (size_t i = 0; i < out.size(); i++)
				out[i] = uint8_t(i * 7 + 3);
			nvme_cqe cqe;
			EXPECT_TRUE(ctl.io.rw(true, 1, 8, 512, out.data(), uint32_t(out.size()), &cqe))
				<< name << ": " << ctl.io.err;
			EXPECT_TRUE(ctl.io.rw(false, 1, 8, 512, in.data(), uint32_t(in.size()), &cqe))
				<< name << ": " << ctl.io.err;
			EXPECT_EQ(ntcp::cqe_status(cqe), 0) << name;
			EXPECT_TRUE(in == out) << name << ": data differs";
			continue;
		}
		if (std::string(s.when) == "io") {
			ASSERT_TRUE(up) << name << ": " << ctl.err;
			uint8_t buf[4096];
			nvme_cqe cqe;
			bool ok = ctl.io.rw(false, 1, 0, 512, buf, sizeof(buf), &cqe);
			EXPECT_FALSE(ok) << name << ": first read succeeded";
			if (!ok) {
				EXPECT_FALSE(ctl.io.err.empty()) << name;
			}
		} else {
			EXPECT_FALSE(up) << name << ": setup succeeded";
			EXPECT_FALSE(ctl.err.empty()) << name;
		}
		EXPECT_LT(ntcp::now_ms() - t0, 4500u) << name << ": " << ctl.err << ctl.io.err;
	}
}
