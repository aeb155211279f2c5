// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fabrics/recovery.c: the decisions of the one reconnect /
 * error-recovery machine all fabrics transports share.
 *
 * Intended behaviour (written from the design, not from the table):
 *  - an error or keep-alive timeout on a LIVE controller tears it down
 *    and reconnects after reconnect_delay (arming fast_io_fail_tmo when
 *    set); in any other state it is ignored;
 *  - a reset of a LIVE controller tears down and reconnects at once;
 *  - a failed attempt retries until ctrl_loss_tmo's number of attempts,
 *    then fails I/O and deletes (-1 = retry forever);
 *  - fast_io_fail_tmo only matters while not LIVE;
 *  - delete works from every state but the deleting ones.
 * A walk through the core's transition table checks every next state the
 * machine asks for is legal from where it is asked.
 */
#include <gtest/gtest.h>

extern "C" {
#include "fabrics/recovery.h"
#include "host/ctrl_state.h"
}

namespace {

const nvmf_recovery_params kDefault = { 10, 60, -1 };
const nvmf_recovery_params kFailFast = { 2, 3, 5 };
const nvmf_recovery_params kForever = { 1, -1, -1 };

const nvme_ctrl_state kAll[] = {
	NVME_CTRL_NEW,	    NVME_CTRL_CONNECTING, NVME_CTRL_LIVE,
	NVME_CTRL_RESETTING, NVME_CTRL_DELETING,   NVME_CTRL_DELETING_NOIO,
	NVME_CTRL_DEAD,
};

TEST(FabricsRecovery, ErrorWhileLive)
{
	nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_LIVE, NVMF_EV_ERROR,
					       &kDefault, 0);
	EXPECT_EQ(d.next, NVME_CTRL_RESETTING);
	EXPECT_EQ(d.actions, unsigned(NVMF_ACT_TEARDOWN | NVMF_ACT_RECONNECT));

	d = nvmf_recovery_decide(NVME_CTRL_LIVE, NVMF_EV_ERROR, &kFailFast, 0);
	EXPECT_EQ(d.actions, unsigned(NVMF_ACT_TEARDOWN | NVMF_ACT_RECONNECT |
				      NVMF_ACT_ARM_FAILFAST));
}

TEST(FabricsRecovery, ErrorElsewhereIgnored)
{
	for (auto s : kAll) {
		if (s == NVME_CTRL_LIVE)
			continue;
		nvmf_decision d = nvmf_recovery_decide(s, NVMF_EV_ERROR,
						       &kFailFast, 0);
		EXPECT_EQ(d.actions, 0u) << nvme_ctrl_state_name(s);
		EXPECT_EQ(d.next, s);
	}
}

TEST(FabricsRecovery, ResetConnectsAtOnce)
{
	nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_LIVE, NVMF_EV_RESET,
					       &kDefault, 0);
	EXPECT_EQ(d.next, NVME_CTRL_RESETTING);
	EXPECT_EQ(d.actions, unsigned(NVMF_ACT_TEARDOWN | NVMF_ACT_CONNECT_NOW));
	d = nvmf_recovery_decide(NVME_CTRL_CONNECTING, NVMF_EV_RESET, &kDefault, 0);
	EXPECT_EQ(d.actions, 0u);
	/* fast_io_fail_tmo counts from a reset too */
	d = nvmf_recovery_decide(NVME_CTRL_LIVE, NVMF_EV_RESET, &kFailFast, 0);
	EXPECT_EQ(d.actions, unsigned(NVMF_ACT_TEARDOWN | NVMF_ACT_CONNECT_NOW |
				      NVMF_ACT_ARM_FAILFAST));
}

TEST(FabricsRecovery, ConnectedGoesLive)
{
	nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_CONNECTING,
					       NVMF_EV_CONNECTED, &kDefault, 7);
	EXPECT_EQ(d.next, NVME_CTRL_LIVE);
	EXPECT_EQ(d.actions, unsigned(NVMF_ACT_START));
	d = nvmf_recovery_decide(NVME_CTRL_DELETING, NVMF_EV_CONNECTED,
				 &kDefault, 0);
	EXPECT_EQ(d.actions, 0u);
	EXPECT_EQ(d.next, NVME_CTRL_DELETING);
}

TEST(FabricsRecovery, RetriesUntilLossTimeout)
{
	/* ctrl_loss_tmo 5, reconnect_delay 2: three attempts */
	for (int n = 1; n < 3; n++) {
		nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_CONNECTING,
						       NVMF_EV_CONNECT_FAILED,
						       &kFailFast, n);
		EXPECT_EQ(d.next, NVME_CTRL_CONNECTING) << n;
		EXPECT_EQ(d.actions, unsigned(NVMF_ACT_RECONNECT)) << n;
	}
	nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_CONNECTING,
					       NVMF_EV_CONNECT_FAILED,
					       &kFailFast, 3);
	EXPECT_EQ(d.next, NVME_CTRL_DELETING);
	EXPECT_EQ(d.actions, unsigned(NVMF_ACT_FAIL_IO | NVMF_ACT_DELETE));
}

TEST(FabricsRecovery, ForeverNeverGivesUp)
{
	for (int n : { 1, 100, 100000, 0x7fffffff }) {
		nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_CONNECTING,
						       NVMF_EV_CONNECT_FAILED,
						       &kForever, n);
		EXPECT_EQ(d.actions, unsigned(NVMF_ACT_RECONNECT));
	}
}

TEST(FabricsRecovery, ZeroLossTimeoutDeletesAfterFirstFailure)
{
	const nvmf_recovery_params p = { 10, 0, -1 };
	nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_CONNECTING,
					       NVMF_EV_CONNECT_FAILED, &p, 1);
	EXPECT_TRUE(d.actions & NVMF_ACT_DELETE);
}

TEST(FabricsRecovery, FailFastOnlyWhileDisconnected)
{
	EXPECT_EQ(nvmf_recovery_decide(NVME_CTRL_CONNECTING, NVMF_EV_FAILFAST,
				       &kFailFast, 1).actions,
		  unsigned(NVMF_ACT_FAIL_IO));
	EXPECT_EQ(nvmf_recovery_decide(NVME_CTRL_RESETTING, NVMF_EV_FAILFAST,
				       &kFailFast, 0).actions,
		  unsigned(NVMF_ACT_FAIL_IO));
	EXPECT_EQ(nvmf_recovery_decide(NVME_CTRL_LIVE, NVMF_EV_FAILFAST,
				       &kFailFast, 0).actions, 0u);
}

TEST(FabricsRecovery, DeleteFromAnywhereOnce)
{
	for (auto s : kAll) {
		nvmf_decision d = nvmf_recovery_decide(s, NVMF_EV_DELETE,
						       &kDefault, 0);
		bool deleting = s == NVME_CTRL_DELETING ||
				s == NVME_CTRL_DELETING_NOIO;
		EXPECT_EQ(d.actions == 0, deleting) << nvme_ctrl_state_name(s);
		if (!deleting) {
			EXPECT_EQ(d.next, NVME_CTRL_DELETING);
		}
	}
}

TEST(FabricsRecovery, EveryRequestedTransitionIsLegal)
{
	const nvmf_recovery_params ps[] = { kDefault, kFailFast, kForever };
	for (auto s : kAll)
		for (int ev = 0; ev < NVMF_EV_NR; ev++)
			for (const auto &p : ps)
				for (int n : { 0, 1, 3, 60, 61 }) {
					nvmf_decision d = nvmf_recovery_decide(
						s, nvmf_event(ev), &p, n);
					if (d.next != s) {
						EXPECT_TRUE(nvme_ctrl_state_may_change(s, d.next))
							<< nvme_ctrl_state_name(s) << " -> "
							<< nvme_ctrl_state_name(d.next) << " on "
							<< nvmf_event_name(nvmf_event(ev));
					}
				}
	/* the teardown step the executor takes after RESETTING */
	EXPECT_TRUE(nvme_ctrl_state_may_change(NVME_CTRL_RESETTING,
					       NVME_CTRL_CONNECTING));
}

TEST(FabricsRecovery, LossAndRecoveryWalk)
{
	/* LIVE -> error -> RESETTING -> CONNECTING -> 2 failures -> LIVE */
	nvme_ctrl_state s = NVME_CTRL_LIVE;
	nvmf_decision d = nvmf_recovery_decide(s, NVMF_EV_ERROR, &kFailFast, 0);
	s = d.next;
	ASSERT_EQ(s, NVME_CTRL_RESETTING);
	s = NVME_CTRL_CONNECTING;	/* after teardown */
	for (int n = 1; n <= 2; n++) {
		d = nvmf_recovery_decide(s, NVMF_EV_CONNECT_FAILED, &kFailFast, n);
		ASSERT_EQ(d.next, NVME_CTRL_CONNECTING);
	}
	d = nvmf_recovery_decide(s, NVMF_EV_FAILFAST, &kFailFast, 2);
	EXPECT_EQ(d.actions, unsigned(NVMF_ACT_FAIL_IO));
	d = nvmf_recovery_decide(s, NVMF_EV_CONNECTED, &kFailFast, 2);
	EXPECT_EQ(d.next, NVME_CTRL_LIVE);
}

TEST(FabricsRecovery, OutOfRangeInputs)
{
	nvmf_decision d = nvmf_recovery_decide(NVME_CTRL_NR_STATES, NVMF_EV_ERROR,
					       &kDefault, 0);
	EXPECT_EQ(d.actions, 0u);
	d = nvmf_recovery_decide(NVME_CTRL_LIVE, NVMF_EV_NR, &kDefault, 0);
	EXPECT_EQ(d.actions, 0u);
	EXPECT_STREQ(nvmf_event_name(NVMF_EV_NR), "unknown");
}

} // namespace
