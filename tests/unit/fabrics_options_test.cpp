// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fabrics/options.c: the /dev/nvme-fabrics option string
 * parser, the transport option masks and the list read back by libnvme.
 * Expected values come from the option ABI (the strings nvme-cli writes
 * and the limits documented for Linux), not from the parser.
 */
#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include "fabrics/options.h"
}

namespace {

struct Log {
	std::vector<std::string> lines;
};

void collect(void *ctx, const char *msg)
{
	static_cast<Log *>(ctx)->lines.emplace_back(msg);
}

struct Parsed {
	int ret;
	nvmf_ctrl_options o;
	Log log;
};

Parsed parse(const std::string &s, unsigned int cpus = 4)
{
	Parsed p{};
	p.ret = nvmf_parse_options(&p.o, s.data(), s.size(), cpus, collect,
				   &p.log);
	return p;
}

const std::string kBase = "transport=tcp,traddr=127.0.0.1,trsvcid=4420,"
			  "nqn=nqn.2024-01.io.example:sub1";

TEST(FabricsOptions, TypicalNvmeCliString)
{
	Parsed p = parse(kBase +
			 ",hostnqn=nqn.2014-08.org.nvmexpress:uuid:"
			 "0f0e0d0c-0b0a-0908-0706-050403020100,"
			 "hostid=00112233-4455-6677-8899-aabbccddeeff,"
			 "nr_io_queues=2,queue_size=64,keep_alive_tmo=7,"
			 "reconnect_delay=2,ctrl_loss_tmo=30,fast_io_fail_tmo=5,"
			 "hdr_digest,data_digest,tos=8\n");
	ASSERT_EQ(p.ret, 0) << (p.log.lines.empty() ? "" : p.log.lines[0]);
	EXPECT_TRUE(p.log.lines.empty());
	EXPECT_STREQ(p.o.transport, "tcp");
	EXPECT_STREQ(p.o.traddr, "127.0.0.1");
	EXPECT_STREQ(p.o.trsvcid, "4420");
	EXPECT_STREQ(p.o.subsysnqn, "nqn.2024-01.io.example:sub1");
	EXPECT_EQ(p.o.nr_io_queues, 2u);
	EXPECT_EQ(p.o.queue_size, 64u);
	EXPECT_EQ(p.o.kato, 7);
	EXPECT_EQ(p.o.reconnect_delay, 2);
	EXPECT_EQ(p.o.ctrl_loss_tmo, 30);
	EXPECT_EQ(p.o.fast_io_fail_tmo, 5);
	EXPECT_EQ(p.o.tos, 8);
	EXPECT_TRUE(p.o.hdr_digest);
	EXPECT_TRUE(p.o.data_digest);
	EXPECT_FALSE(p.o.discovery_nqn);
	const unsigned char want_id[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
					    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
					    0xcc, 0xdd, 0xee, 0xff };
	EXPECT_EQ(0, memcmp(p.o.hostid, want_id, 16));
	EXPECT_TRUE(p.o.mask & NVMF_OPT_HOST_ID);
	EXPECT_TRUE(p.o.mask & NVMF_OPT_HOSTNQN);
}

TEST(FabricsOptions, Defaults)
{
	Parsed p = parse("transport=loop,nqn=testnqn", 3);
	ASSERT_EQ(p.ret, 0);
	EXPECT_EQ(p.o.queue_size, 128u);
	EXPECT_EQ(p.o.nr_io_queues, 3u);	/* online CPUs */
	EXPECT_EQ(p.o.nr_write_queues, 0u);
	EXPECT_EQ(p.o.nr_poll_queues, 0u);
	EXPECT_EQ(p.o.kato, 5);
	EXPECT_EQ(p.o.reconnect_delay, 10);
	EXPECT_EQ(p.o.ctrl_loss_tmo, 600);
	EXPECT_EQ(p.o.fast_io_fail_tmo, -1);
	EXPECT_EQ(p.o.tos, -1);
	EXPECT_EQ(p.o.hostnqn[0], '\0');
	EXPECT_EQ(p.o.mask, unsigned(NVMF_OPT_TRANSPORT | NVMF_OPT_NQN));
}

TEST(FabricsOptions, RequiredOptions)
{
	Parsed p = parse("transport=tcp,traddr=1.2.3.4");
	EXPECT_EQ(p.ret, -EINVAL);
	ASSERT_EQ(p.log.lines.size(), 1u);
	EXPECT_NE(p.log.lines[0].find("nqn"), std::string::npos);

	p = parse("nqn=x");
	EXPECT_EQ(p.ret, -EINVAL);
	ASSERT_EQ(p.log.lines.size(), 1u);
	EXPECT_NE(p.log.lines[0].find("transport"), std::string::npos);

	p = parse("");
	EXPECT_EQ(p.ret, -EINVAL);
}

TEST(FabricsOptions, UnknownOptionNamed)
{
	Parsed p = parse(kBase + ",bogus_opt=1");
	EXPECT_EQ(p.ret, -EINVAL);
	ASSERT_EQ(p.log.lines.size(), 1u);
	EXPECT_NE(p.log.lines[0].find("bogus_opt"), std::string::npos);
}

TEST(FabricsOptions, IntegerLimits)
{
	struct {
		const char *opt;
		bool ok;
	} cases[] = {
		{ "nr_io_queues=-1", false }, { "nr_io_queues=0", false },
		{ "nr_io_queues=1", true },   { "queue_size=15", false },
		{ "queue_size=16", true },    { "queue_size=1024", true },
		{ "queue_size=1025", false }, { "keep_alive_tmo=-1", false },
		{ "keep_alive_tmo=0", true }, { "reconnect_delay=0", false },
		{ "reconnect_delay=1", true }, { "ctrl_loss_tmo=-5", true },
		{ "fast_io_fail_tmo=-2", true }, { "tos=-1", false },
		{ "tos=300", true },	      { "nr_write_queues=-1", false },
		{ "nr_poll_queues=-3", false }, { "nr_poll_queues=0", true },
		{ "queue_size=0x40", true },  { "queue_size=abc", false },
		{ "queue_size=12x", false },  { "queue_size=", false },
		{ "queue_size", false },      { "queue_size=99999999999", false },
		{ "nr_io_queues=-", false },  { "nr_io_queues=0x", false },
	};
	for (const auto &c : cases) {
		Parsed p = parse(kBase + "," + c.opt);
		EXPECT_EQ(p.ret == 0, c.ok) << c.opt;
		if (!c.ok) {
			ASSERT_EQ(p.log.lines.size(), 1u) << c.opt;
			std::string key(c.opt, strcspn(c.opt, "="));
			EXPECT_NE(p.log.lines[0].find(key), std::string::npos)
				<< p.log.lines[0];
		}
	}
}

TEST(FabricsOptions, ClampsAndSpecialValues)
{
	Parsed p = parse(kBase + ",nr_io_queues=64,tos=999,ctrl_loss_tmo=-7,"
				 "fast_io_fail_tmo=-9", 2);
	ASSERT_EQ(p.ret, 0);
	EXPECT_EQ(p.o.nr_io_queues, 2u);
	EXPECT_EQ(p.o.tos, 255);
	EXPECT_EQ(p.o.ctrl_loss_tmo, -1);
	EXPECT_EQ(p.o.fast_io_fail_tmo, -1);
}

TEST(FabricsOptions, FlagsTakeNoValue)
{
	EXPECT_EQ(parse(kBase + ",duplicate_connect").ret, 0);
	EXPECT_EQ(parse(kBase + ",duplicate_connect=1").ret, -EINVAL);
	Parsed p = parse(kBase + ",disable_sqflow,duplicate_connect");
	ASSERT_EQ(p.ret, 0);
	EXPECT_TRUE(p.o.disable_sqflow);
	EXPECT_TRUE(p.o.duplicate_connect);
}

TEST(FabricsOptions, StringLimits)
{
	std::string nqn223(223, 'a');
	std::string nqn224(224, 'a');
	EXPECT_EQ(parse("transport=tcp,nqn=" + nqn223).ret, 0);
	EXPECT_EQ(parse("transport=tcp,nqn=" + nqn224).ret, -EINVAL);
	EXPECT_EQ(parse("transport=tcp,nqn=x,hostnqn=" + nqn224).ret, -EINVAL);
	EXPECT_EQ(parse("transport=averyveryverylongname,nqn=x").ret, -EINVAL);
	EXPECT_EQ(parse(kBase + ",host_iface=" + std::string(16, 'e')).ret,
		  -EINVAL);
	EXPECT_EQ(parse(kBase + ",host_iface=eth0").ret, 0);
	EXPECT_EQ(parse(kBase + ",traddr=").ret, -EINVAL);
	EXPECT_EQ(parse(kBase + ",traddr=a\tb").ret, -EINVAL);
}

TEST(FabricsOptions, HostId)
{
	EXPECT_EQ(parse(kBase + ",hostid=00112233-4455-6677-8899-aabbccddeeff").ret, 0);
	EXPECT_EQ(parse(kBase + ",hostid=00112233-4455-6677-8899-aabbccddeef").ret,
		  -EINVAL);
	EXPECT_EQ(parse(kBase + ",hostid=00112233x4455-6677-8899-aabbccddeeff").ret,
		  -EINVAL);
	EXPECT_EQ(parse(kBase + ",hostid=0011223g-4455-6677-8899-aabbccddeeff").ret,
		  -EINVAL);
}

TEST(FabricsOptions, Discovery)
{
	Parsed p = parse("transport=tcp,traddr=1.1.1.1,trsvcid=8009,"
			 "nqn=nqn.2014-08.org.nvmexpress.discovery");
	ASSERT_EQ(p.ret, 0);
	EXPECT_TRUE(p.o.discovery_nqn);
	EXPECT_EQ(p.o.nr_io_queues, 0u);
	EXPECT_EQ(p.o.kato, 0);
	EXPECT_FALSE(p.o.persistent_discovery);
	EXPECT_TRUE(p.o.duplicate_connect);

	p = parse("transport=tcp,nqn=nqn.2014-08.org.nvmexpress.discovery,"
		  "keep_alive_tmo=30");
	ASSERT_EQ(p.ret, 0);
	EXPECT_EQ(p.o.kato, 30);
	EXPECT_TRUE(p.o.persistent_discovery);

	/* a unique discovery NQN, flagged by "discovery" */
	p = parse("transport=tcp,nqn=nqn.2024-01.io.example:disc,discovery");
	ASSERT_EQ(p.ret, 0);
	EXPECT_TRUE(p.o.discovery_nqn);
	EXPECT_EQ(p.o.nr_io_queues, 0u);
}

TEST(FabricsOptions, SeparatorsAndNul)
{
	EXPECT_EQ(parse("transport=tcp,,nqn=x,\n").ret, 0);
	EXPECT_EQ(parse("transport=tcp\nnqn=x").ret, 0);
	std::string s = "transport=tcp,nqn=x";
	s.push_back('\0');
	s += ",garbage";
	EXPECT_EQ(parse(s).ret, 0);	/* nothing after a NUL is read */
	EXPECT_EQ(parse("transport=tcp,nqn=x,=5").ret, -EINVAL);
}

TEST(FabricsOptions, LaterValueWins)
{
	Parsed p = parse(kBase + ",queue_size=32,queue_size=48");
	ASSERT_EQ(p.ret, 0);
	EXPECT_EQ(p.o.queue_size, 48u);
}

TEST(FabricsOptions, TooLong)
{
	std::string junk(64 * 1024, 'x');
	Parsed p = parse(junk);
	EXPECT_EQ(p.ret, -EINVAL);
	EXPECT_EQ(p.log.lines.size(), 1u);
}

TEST(FabricsOptions, DhchapAcceptedAndIgnored)
{
	Parsed p = parse(kBase + ",dhchap_secret=DHHC-1:00:abc:");
	ASSERT_EQ(p.ret, 0);
	EXPECT_TRUE(p.o.mask & NVMF_OPT_DHCHAP_SECRET);
}

TEST(FabricsOptions, TransportMasks)
{
	Parsed p = parse(kBase + ",hdr_digest");
	ASSERT_EQ(p.ret, 0);
	unsigned int bad = 0;
	unsigned int tcp_allowed = NVMF_OPT_TRADDR | NVMF_OPT_TRSVCID |
				   NVMF_OPT_HDR_DIGEST;
	EXPECT_EQ(nvmf_check_opts_mask(&p.o, NVMF_OPT_TRADDR, tcp_allowed, &bad), 0);
	/* loop: no addresses, no digests */
	EXPECT_EQ(nvmf_check_opts_mask(&p.o, 0, 0, &bad), -EINVAL);
	EXPECT_STREQ(nvmf_opt_name(bad), "traddr");
	/* a required option missing is reported */
	Parsed q = parse("transport=tcp,nqn=x");
	EXPECT_EQ(nvmf_check_opts_mask(&q.o, NVMF_OPT_TRADDR, tcp_allowed, &bad),
		  -EINVAL);
	EXPECT_EQ(bad, unsigned(NVMF_OPT_TRADDR));
}

TEST(FabricsOptions, OptionListAsLinuxPrintsIt)
{
	char buf[1024];
	int n = nvmf_format_opt_list(buf, sizeof(buf));
	std::string s(buf, n);
	EXPECT_EQ(s,
		  "instance=-1,cntlid=-1,transport=%s,traddr=%s,trsvcid=%s,"
		  "nqn=%s,queue_size=%d,nr_io_queues=%d,reconnect_delay=%d,"
		  "ctrl_loss_tmo=%d,keep_alive_tmo=%d,hostnqn=%s,"
		  "host_traddr=%s,host_iface=%s,hostid=%s,duplicate_connect,"
		  "disable_sqflow,hdr_digest,data_digest,nr_write_queues=%d,"
		  "nr_poll_queues=%d,tos=%d,fast_io_fail_tmo=%d,discovery,"
		  "dhchap_secret=%s,dhchap_ctrl_secret=%s\n");
	char small[10];
	n = nvmf_format_opt_list(small, sizeof(small));
	EXPECT_EQ(n, 9);
	EXPECT_EQ(strlen(small), 9u);
}

TEST(FabricsOptions, MaxReconnects)
{
	EXPECT_EQ(nvmf_max_reconnects(-1, 10), -1);
	EXPECT_EQ(nvmf_max_reconnects(600, 10), 60);
	EXPECT_EQ(nvmf_max_reconnects(5, 2), 3);
	EXPECT_EQ(nvmf_max_reconnects(0, 10), 0);
	EXPECT_EQ(nvmf_max_reconnects(1, 10), 1);
	EXPECT_EQ(nvmf_max_reconnects(2147483647, 10), 214748365);
}

} // namespace
