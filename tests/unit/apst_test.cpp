// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for host/apst.c: the Autonomous Power State Transition table
 * (Set Features 0Ch) built from Identify Controller's power states.
 *
 * Expected tables are worked out by hand from the rule (Linux 6.1's, as
 * nvme_core's module parameters describe it):
 *  - only non-operational states whose exit latency is within the limit
 *    are targets;
 *  - with the primary timeout and tolerance set: walking from the deepest
 *    state up, the first state whose entry + exit latency is within the
 *    secondary tolerance becomes the secondary target (idle time: the
 *    secondary timeout), the first within the primary tolerance the
 *    primary target (the primary timeout); no second target of a class,
 *    no secondary target above the primary one, nothing beyond the
 *    secondary tolerance;
 *  - else every usable state is a target after 50 x its total latency;
 *  - entry i names the nearest target deeper than state i:
 *    bits 7:3 the state, bits 31:8 the idle time in ms.
 */
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include "host/apst.h"
}

namespace {

struct PS {
	bool nonop;
	uint32_t enlat;
	uint32_t exlat;
};

class Apst : public ::testing::Test {
protected:
	struct nvme_id_power_state psd[32];
	struct nvme_feat_auto_pst table;
	struct nvme_apst_info info;
	struct nvme_apst_params p;

	void SetUp() override
	{
		memset(psd, 0, sizeof(psd));
		memset(&table, 0xa5, sizeof(table));	/* must be overwritten */
		info.max_ps = 99;
		info.max_lat_us = 99;
		/* nvme_core's defaults */
		p.enabled = true;
		p.no_deepest_ps = false;
		p.max_latency_us = 100000;
		p.primary_timeout_ms = 100;
		p.secondary_timeout_ms = 2000;
		p.primary_tol_us = 15000;
		p.secondary_tol_us = 100000;
	}

	void states(const std::vector<PS> &v)
	{
		for (size_t i = 0; i < v.size(); i++) {
			psd[i].flags = v[i].nonop ? 0x2 : 0;
			psd[i].entry_lat = htole32(v[i].enlat);
			psd[i].exit_lat = htole32(v[i].exlat);
		}
	}

	int build(uint8_t npss)
	{
		return nvme_apst_build_table(psd, npss, &p, &table, &info);
	}

	uint64_t entry(int i) const
	{
		return le64toh((uint64_t)table.entries[i]);
	}

	void expect_zero_from(int first) const
	{
		for (int i = first; i < 32; i++)
			EXPECT_EQ(entry(i), 0u) << "entry " << i;
	}
};

/* the entry that sends a state to @ps after @ms of idle time */
constexpr uint64_t E(unsigned int ps, uint64_t ms)
{
	return (uint64_t)ps << 3 | ms << 8;
}

/* three operational states, then two non-operational ones */
const std::vector<PS> laptop = {
	{ false, 0, 0 },
	{ false, 0, 0 },
	{ false, 0, 0 },
	{ true, 2000, 2000 },	/* total 4000: primary */
	{ true, 8000, 40000 },	/* total 48000: secondary */
};

TEST_F(Apst, NoApstaLeavesItOff)
{
	states(laptop);
	p.enabled = false;
	EXPECT_EQ(build(4), 0);
	expect_zero_from(0);
	EXPECT_EQ(info.max_ps, -1);
}

TEST_F(Apst, ZeroMaxLatencyTurnsItOff)
{
	states(laptop);
	p.max_latency_us = 0;
	EXPECT_EQ(build(4), 0);
	expect_zero_from(0);
	EXPECT_EQ(info.max_ps, -1);
}

TEST_F(Apst, AllOperationalEnablesWithEmptyTable)
{
	states({ { false, 5, 5 }, { false, 50, 50 }, { false, 500, 500 } });
	EXPECT_EQ(build(2), 1);
	expect_zero_from(0);
	EXPECT_EQ(info.max_ps, -1);
	EXPECT_EQ(info.max_lat_us, 0u);
}

TEST_F(Apst, PrimaryAndSecondaryTargets)
{
	states(laptop);
	EXPECT_EQ(build(4), 1);
	for (int i = 0; i <= 2; i++)
		EXPECT_EQ(entry(i), E(3, 100)) << "entry " << i;
	EXPECT_EQ(entry(3), E(4, 2000));
	expect_zero_from(4);
	EXPECT_EQ(info.max_ps, 4);
	EXPECT_EQ(info.max_lat_us, 48000u);
}

TEST_F(Apst, ExactLittleEndianEncoding)
{
	states(laptop);
	ASSERT_EQ(build(4), 1);
	const uint8_t *b = (const uint8_t *)&table;
	/* PS3 after 100 ms: 0x6418 */
	const uint8_t e0[8] = { 0x18, 0x64, 0, 0, 0, 0, 0, 0 };
	/* PS4 after 2000 ms: 0x07d020 */
	const uint8_t e3[8] = { 0x20, 0xd0, 0x07, 0, 0, 0, 0, 0 };
	EXPECT_EQ(memcmp(b, e0, 8), 0);
	EXPECT_EQ(memcmp(b + 3 * 8, e3, 8), 0);
	EXPECT_EQ(sizeof(table), 256u);
}

TEST_F(Apst, ExitLatencyOverTheLimitIsSkipped)
{
	states(laptop);
	p.max_latency_us = 39999;	/* PS4 exits in 40000 */
	EXPECT_EQ(build(4), 1);
	for (int i = 0; i <= 2; i++)
		EXPECT_EQ(entry(i), E(3, 100)) << "entry " << i;
	expect_zero_from(3);
	EXPECT_EQ(info.max_ps, 3);
	EXPECT_EQ(info.max_lat_us, 4000u);

	p.max_latency_us = 40000;	/* at the limit is fine */
	EXPECT_EQ(build(4), 1);
	EXPECT_EQ(entry(3), E(4, 2000));

	p.max_latency_us = 1999;	/* nothing left */
	EXPECT_EQ(build(4), 1);
	expect_zero_from(0);
	EXPECT_EQ(info.max_ps, -1);
}

TEST_F(Apst, OnlyExitLatencyCountsAgainstTheLimit)
{
	/* entry latency 90 ms, exit 5 ms: within a 10 ms limit */
	states({ { false, 0, 0 }, { true, 90000, 5000 } });
	p.max_latency_us = 10000;
	EXPECT_EQ(build(1), 1);
	EXPECT_EQ(entry(0), E(1, 2000));	/* total 95 ms: secondary */
	expect_zero_from(1);
}

TEST_F(Apst, BeyondSecondaryToleranceIsSkipped)
{
	states({ { false, 0, 0 }, { true, 1000, 1000 },
		 { true, 60000, 50000 } });	/* total 110000 */
	EXPECT_EQ(build(2), 1);
	EXPECT_EQ(entry(0), E(1, 100));
	expect_zero_from(1);
	EXPECT_EQ(info.max_ps, 1);
}

TEST_F(Apst, ToleranceBoundaries)
{
	states({ { false, 0, 0 }, { true, 5000, 10000 },	/* 15000 */
		 { true, 50000, 50000 } });			/* 100000 */
	EXPECT_EQ(build(2), 1);
	EXPECT_EQ(entry(0), E(1, 100));
	EXPECT_EQ(entry(1), E(2, 2000));
	expect_zero_from(2);

	p.primary_tol_us = 14999;	/* PS1 now secondary: taken by PS2 */
	EXPECT_EQ(build(2), 1);
	EXPECT_EQ(entry(0), E(2, 2000));
	EXPECT_EQ(entry(1), E(2, 2000));
	expect_zero_from(2);
}

TEST_F(Apst, OnePrimaryTargetOnly)
{
	states({ { false, 0, 0 }, { true, 100, 100 }, { true, 1000, 1000 },
		 { true, 4000, 6000 } });	/* all within 15 ms */
	EXPECT_EQ(build(3), 1);
	for (int i = 0; i <= 2; i++)
		EXPECT_EQ(entry(i), E(3, 100)) << "entry " << i;
	expect_zero_from(3);
	EXPECT_EQ(info.max_ps, 3);
	EXPECT_EQ(info.max_lat_us, 10000u);
}

TEST_F(Apst, OneSecondaryTargetOnly)
{
	states({ { false, 0, 0 }, { true, 30000, 30000 },
		 { true, 40000, 40000 } });	/* both secondary */
	EXPECT_EQ(build(2), 1);
	EXPECT_EQ(entry(0), E(2, 2000));
	EXPECT_EQ(entry(1), E(2, 2000));
	expect_zero_from(2);
}

TEST_F(Apst, NoSecondaryAbovePrimary)
{
	states({ { false, 0, 0 }, { true, 25000, 25000 },	/* secondary */
		 { true, 2000, 3000 } });			/* primary */
	EXPECT_EQ(build(2), 1);
	EXPECT_EQ(entry(0), E(2, 100));
	EXPECT_EQ(entry(1), E(2, 100));
	expect_zero_from(2);
}

TEST_F(Apst, NoSecondaryTimeoutMeansPrimaryOnly)
{
	states(laptop);
	p.secondary_timeout_ms = 0;
	EXPECT_EQ(build(4), 1);
	for (int i = 0; i <= 2; i++)
		EXPECT_EQ(entry(i), E(3, 100)) << "entry " << i;
	expect_zero_from(3);
}

TEST_F(Apst, FiftyTimesLatencyWithoutPrimaryTimeout)
{
	states(laptop);
	p.primary_timeout_ms = 0;
	EXPECT_EQ(build(4), 1);
	for (int i = 0; i <= 2; i++)
		EXPECT_EQ(entry(i), E(3, 200)) << "entry " << i;
	EXPECT_EQ(entry(3), E(4, 2400));
	expect_zero_from(4);

	/* the same with the primary tolerance 0; 50 x 1001 us rounds up */
	SetUp();
	states({ { false, 0, 0 }, { true, 1, 1000 } });
	p.primary_tol_us = 0;
	EXPECT_EQ(build(1), 1);
	EXPECT_EQ(entry(0), E(1, 51));
}

TEST_F(Apst, IdleTimeIsClampedTo24Bits)
{
	states(laptop);
	p.primary_timeout_ms = 1ull << 30;
	EXPECT_EQ(build(4), 1);
	EXPECT_EQ(entry(0), E(3, 0xffffff));
	EXPECT_EQ(entry(0) >> 32, 0u);	/* reserved bits stay clear */
}

TEST_F(Apst, NoDeepestPsQuirk)
{
	states(laptop);
	p.no_deepest_ps = true;
	EXPECT_EQ(build(4), 1);
	for (int i = 0; i <= 2; i++)
		EXPECT_EQ(entry(i), E(3, 100)) << "entry " << i;
	expect_zero_from(3);
}

TEST_F(Apst, NpssZero)
{
	states({ { false, 0, 0 } });
	EXPECT_EQ(build(0), 1);
	expect_zero_from(0);

	/* a lone non-operational state has nothing deeper to go to */
	states({ { true, 10, 10 } });
	EXPECT_EQ(build(0), 1);
	expect_zero_from(0);
	EXPECT_EQ(info.max_ps, 0);
}

TEST_F(Apst, NpssThirtyOne)
{
	std::vector<PS> v(32, PS{ false, 0, 0 });
	v[30] = { true, 500, 500 };
	v[31] = { true, 20000, 30000 };
	states(v);
	EXPECT_EQ(build(31), 1);
	for (int i = 0; i <= 29; i++)
		EXPECT_EQ(entry(i), E(30, 100)) << "entry " << i;
	EXPECT_EQ(entry(30), E(31, 2000));
	EXPECT_EQ(entry(31), 0u);
	EXPECT_EQ(entry(30), 0x07d0f8u);
	EXPECT_EQ(info.max_ps, 31);
}

TEST_F(Apst, StatesBeyondNpssAreIgnored)
{
	std::vector<PS> v(32, PS{ true, 10, 10 });
	v[0] = { false, 0, 0 };
	v[1] = { false, 0, 0 };
	states(v);
	EXPECT_EQ(build(1), 1);
	expect_zero_from(0);
	EXPECT_EQ(info.max_ps, -1);
}

TEST_F(Apst, NpssOutOfRange)
{
	states(laptop);
	EXPECT_EQ(build(32), -EINVAL);
	expect_zero_from(0);
	EXPECT_EQ(build(255), -EINVAL);
	EXPECT_EQ(info.max_ps, -1);
}

TEST_F(Apst, InfoMayBeNull)
{
	states(laptop);
	EXPECT_EQ(nvme_apst_build_table(psd, 4, &p, &table, nullptr), 1);
	EXPECT_EQ(entry(3), E(4, 2000));
}

} // namespace
