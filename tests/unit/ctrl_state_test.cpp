// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for host/ctrl_state.c: the controller state transition table
 * and the state names sysfs shows.
 *
 * The expected matrix below is written from the intended life cycle, not
 * copied from the table under test:
 *
 *   NEW           -> CONNECTING | LIVE | RESETTING | DELETING | DEAD
 *   CONNECTING    -> LIVE | DELETING | DEAD
 *   LIVE          -> RESETTING | DELETING | DEAD
 *   RESETTING     -> CONNECTING | LIVE | DELETING | DEAD
 *   DELETING      -> DELETING_NOIO
 *   DELETING_NOIO -> (nothing)
 *   DEAD          -> DELETING | DELETING_NOIO
 */
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <initializer_list>
#include <queue>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "host/ctrl_state.h"
#include "ctrl_state_shim.h"
}

namespace {

constexpr int kNrStates = NVME_CTRL_NR_STATES;

using S = nvme_ctrl_state;

const S kAllStates[] = {
	NVME_CTRL_NEW,	    NVME_CTRL_CONNECTING, NVME_CTRL_LIVE,
	NVME_CTRL_RESETTING, NVME_CTRL_DELETING,   NVME_CTRL_DELETING_NOIO,
	NVME_CTRL_DEAD,
};
static_assert(sizeof(kAllStates) / sizeof(kAllStates[0]) == NVME_CTRL_NR_STATES,
	      "a state was added: extend the tests");

// Identifier-safe names for test names and messages.
const char *Ident(int s)
{
	static const char *const names[] = {
		"NEW",	    "CONNECTING",    "LIVE", "RESETTING",
		"DELETING", "DELETING_NOIO", "DEAD",
	};
	return s >= 0 && s < kNrStates ? names[s] : "OUT_OF_RANGE";
}

// kExpected[from][to]: true when the life cycle allows from -> to.
constexpr bool Y = true, n = false;
const bool kExpected[kNrStates][kNrStates] = {
	/* to:          NEW CONN LIVE RST DEL NOIO DEAD */
	/* NEW */	{ n,  Y,   Y,   Y,  Y,  n,   Y },
	/* CONNECTING */{ n,  n,   Y,   n,  Y,  n,   Y },
	/* LIVE */	{ n,  n,   n,   Y,  Y,  n,   Y },
	/* RESETTING */	{ n,  Y,   Y,   n,  Y,  n,   Y },
	/* DELETING */	{ n,  n,   n,   n,  n,  Y,   n },
	/* NOIO */	{ n,  n,   n,   n,  n,  n,   n },
	/* DEAD */	{ n,  n,   n,   n,  Y,  Y,   n },
};

bool MayChange(S from, S to)
{
	return nvme_ctrl_state_may_change(from, to);
}

// ---------------------------------------------------------------------
// The whole matrix, one CTest entry per (from, to) pair.
// ---------------------------------------------------------------------
struct Pair {
	int from, to;
};

class TransitionTable : public ::testing::TestWithParam<Pair> {};

TEST_P(TransitionTable, MatchesLifeCycle)
{
	const Pair p = GetParam();

	EXPECT_EQ(MayChange(S(p.from), S(p.to)), kExpected[p.from][p.to])
		<< Ident(p.from) << " -> " << Ident(p.to);
}

std::vector<Pair> AllPairs()
{
	std::vector<Pair> v;
	for (int f = 0; f < kNrStates; f++)
		for (int t = 0; t < kNrStates; t++)
			v.push_back({ f, t });
	return v;
}

INSTANTIATE_TEST_SUITE_P(
	AllPairs, TransitionTable, ::testing::ValuesIn(AllPairs()),
	[](const ::testing::TestParamInfo<Pair> &info) {
		return std::string(Ident(info.param.from)) + "_to_" +
		       Ident(info.param.to);
	});

// ---------------------------------------------------------------------
// Structural properties of the table
// ---------------------------------------------------------------------
TEST(CtrlState, WholeMatrixInOnePass)
{
	// Same as the parameterized suite, but reports the whole row at once
	// so a regression shows up as one readable diff.
	for (int f = 0; f < kNrStates; f++) {
		std::string got, want;
		for (int t = 0; t < kNrStates; t++) {
			got += MayChange(S(f), S(t)) ? 'Y' : '.';
			want += kExpected[f][t] ? 'Y' : '.';
		}
		EXPECT_EQ(got, want) << "row " << Ident(f);
	}
}

TEST(CtrlState, NoSelfTransitions)
{
	for (S s : kAllStates)
		EXPECT_FALSE(MayChange(s, s)) << Ident(s);
}

TEST(CtrlState, NothingReturnsToNew)
{
	for (S s : kAllStates)
		EXPECT_FALSE(MayChange(s, NVME_CTRL_NEW)) << Ident(s);
}

TEST(CtrlState, DeletingNoIoIsTerminal)
{
	for (S s : kAllStates)
		EXPECT_FALSE(MayChange(NVME_CTRL_DELETING_NOIO, s)) << Ident(s);
}

TEST(CtrlState, NoWayBackFromRemovalOrDeath)
{
	// Once deleting or dead, a controller never carries I/O again.
	const S gone[] = { NVME_CTRL_DELETING, NVME_CTRL_DELETING_NOIO,
			   NVME_CTRL_DEAD };
	const S active[] = { NVME_CTRL_NEW, NVME_CTRL_CONNECTING,
			     NVME_CTRL_LIVE, NVME_CTRL_RESETTING };
	for (S g : gone)
		for (S a : active)
			EXPECT_FALSE(MayChange(g, a))
				<< Ident(g) << " -> " << Ident(a);
}

TEST(CtrlState, LiveMustResetBeforeReconnecting)
{
	EXPECT_FALSE(MayChange(NVME_CTRL_LIVE, NVME_CTRL_CONNECTING));
	EXPECT_FALSE(MayChange(NVME_CTRL_CONNECTING, NVME_CTRL_RESETTING));
}

std::set<int> Reachable(S start)
{
	std::set<int> seen{ start };
	std::queue<int> q;
	q.push(start);
	while (!q.empty()) {
		int s = q.front();
		q.pop();
		for (int t = 0; t < kNrStates; t++)
			if (MayChange(S(s), S(t)) && seen.insert(t).second)
				q.push(t);
	}
	return seen;
}

TEST(CtrlState, EveryStateReachableFromNew)
{
	EXPECT_EQ(Reachable(NVME_CTRL_NEW).size(), size_t(kNrStates));
}

TEST(CtrlState, RemovalCompletesFromEveryState)
{
	// Whatever state a controller is in, it can be torn down.
	for (S s : kAllStates)
		EXPECT_TRUE(Reachable(s).count(NVME_CTRL_DELETING_NOIO))
			<< Ident(s);
}

TEST(CtrlState, EveryStateButTerminalHasAnExit)
{
	for (S s : kAllStates) {
		int exits = 0;
		for (S t : kAllStates)
			exits += MayChange(s, t);
		if (s == NVME_CTRL_DELETING_NOIO) {
			EXPECT_EQ(exits, 0);
		} else {
			EXPECT_GT(exits, 0) << Ident(s);
		}
	}
}

// ---------------------------------------------------------------------
// Out of range values
// ---------------------------------------------------------------------
const int kBadValues[] = {
	NVME_CTRL_NR_STATES, NVME_CTRL_NR_STATES + 1, 31, 32, 33, 64, 1000,
	INT_MAX, -1, -2, INT_MIN,
};

TEST(CtrlState, OutOfRangeFromRejected)
{
	for (int bad : kBadValues)
		for (int t = 0; t < kNrStates; t++)
			EXPECT_FALSE(nvme_test_may_change_raw(bad, t))
				<< bad << " -> " << Ident(t);
}

TEST(CtrlState, OutOfRangeToRejected)
{
	// 31/32/33 matter: "1u << to" with to >= 32 is undefined and on x86
	// wraps to "1u << (to & 31)", which would alias a real state.
	for (int f = 0; f < kNrStates; f++)
		for (int bad : kBadValues)
			EXPECT_FALSE(nvme_test_may_change_raw(f, bad))
				<< Ident(f) << " -> " << bad;
}

TEST(CtrlState, OutOfRangeBothRejected)
{
	for (int a : kBadValues)
		for (int b : kBadValues)
			EXPECT_FALSE(nvme_test_may_change_raw(a, b));
}

// ---------------------------------------------------------------------
// Names (what /sys/class/nvme/nvmeX/state shows; nvme-cli parses them)
// ---------------------------------------------------------------------
TEST(CtrlStateName, MatchesLinuxSysfs)
{
	EXPECT_STREQ(nvme_ctrl_state_name(NVME_CTRL_NEW), "new");
	EXPECT_STREQ(nvme_ctrl_state_name(NVME_CTRL_CONNECTING), "connecting");
	EXPECT_STREQ(nvme_ctrl_state_name(NVME_CTRL_LIVE), "live");
	EXPECT_STREQ(nvme_ctrl_state_name(NVME_CTRL_RESETTING), "resetting");
	EXPECT_STREQ(nvme_ctrl_state_name(NVME_CTRL_DELETING), "deleting");
	EXPECT_STREQ(nvme_ctrl_state_name(NVME_CTRL_DELETING_NOIO),
		     "deleting (no IO)");
	EXPECT_STREQ(nvme_ctrl_state_name(NVME_CTRL_DEAD), "dead");
}

TEST(CtrlStateName, UniqueAndNonEmpty)
{
	std::set<std::string> names;
	for (S s : kAllStates) {
		const char *name = nvme_ctrl_state_name(s);
		ASSERT_NE(name, nullptr) << Ident(s);
		EXPECT_GT(std::strlen(name), 0u) << Ident(s);
		EXPECT_STRNE(name, "unknown") << Ident(s);
		names.insert(name);
	}
	EXPECT_EQ(names.size(), size_t(kNrStates));
}

TEST(CtrlStateName, UnknownForOutOfRange)
{
	for (int bad : kBadValues) {
		const char *name = nvme_test_state_name_raw(bad);
		ASSERT_NE(name, nullptr) << bad;
		EXPECT_STREQ(name, "unknown") << bad;
	}
}

// ---------------------------------------------------------------------
// Typical life cycles, as nvme_change_ctrl_state() would walk them
// ---------------------------------------------------------------------

// Walks @path from its first state, failing at the first refused step.
::testing::AssertionResult Walk(std::initializer_list<S> path)
{
	const S *prev = nullptr;
	for (const S &s : path) {
		if (prev && !MayChange(*prev, s))
			return ::testing::AssertionFailure()
			       << "refused " << nvme_ctrl_state_name(*prev)
			       << " -> " << nvme_ctrl_state_name(s);
		prev = &s;
	}
	return ::testing::AssertionSuccess();
}

TEST(CtrlStatePath, Probe)
{
	EXPECT_TRUE(Walk({ NVME_CTRL_NEW, NVME_CTRL_RESETTING,
			   NVME_CTRL_CONNECTING, NVME_CTRL_LIVE }));
}

TEST(CtrlStatePath, ResetOfLiveController)
{
	EXPECT_TRUE(Walk({ NVME_CTRL_LIVE, NVME_CTRL_RESETTING,
			   NVME_CTRL_CONNECTING, NVME_CTRL_LIVE }));
	// a reset that needs no reconnect
	EXPECT_TRUE(Walk({ NVME_CTRL_LIVE, NVME_CTRL_RESETTING,
			   NVME_CTRL_LIVE }));
	// repeated resets
	EXPECT_TRUE(Walk({ NVME_CTRL_NEW, NVME_CTRL_RESETTING,
			   NVME_CTRL_CONNECTING, NVME_CTRL_LIVE,
			   NVME_CTRL_RESETTING, NVME_CTRL_CONNECTING,
			   NVME_CTRL_LIVE, NVME_CTRL_RESETTING,
			   NVME_CTRL_LIVE }));
}

TEST(CtrlStatePath, ResetOnlyFromLiveOrNew)
{
	// A second reset request while one is running, connecting, or
	// tearing down is refused.
	EXPECT_FALSE(MayChange(NVME_CTRL_RESETTING, NVME_CTRL_RESETTING));
	EXPECT_FALSE(MayChange(NVME_CTRL_CONNECTING, NVME_CTRL_RESETTING));
	EXPECT_FALSE(MayChange(NVME_CTRL_DELETING, NVME_CTRL_RESETTING));
	EXPECT_FALSE(MayChange(NVME_CTRL_DEAD, NVME_CTRL_RESETTING));
}

TEST(CtrlStatePath, OrderlyRemoval)
{
	EXPECT_TRUE(Walk({ NVME_CTRL_LIVE, NVME_CTRL_DELETING,
			   NVME_CTRL_DELETING_NOIO }));
}

TEST(CtrlStatePath, RemovalDuringReset)
{
	EXPECT_TRUE(Walk({ NVME_CTRL_LIVE, NVME_CTRL_RESETTING,
			   NVME_CTRL_DELETING, NVME_CTRL_DELETING_NOIO }));
	EXPECT_TRUE(Walk({ NVME_CTRL_LIVE, NVME_CTRL_RESETTING,
			   NVME_CTRL_CONNECTING, NVME_CTRL_DELETING,
			   NVME_CTRL_DELETING_NOIO }));
	// the reset work must then fail to move on
	EXPECT_FALSE(MayChange(NVME_CTRL_DELETING, NVME_CTRL_CONNECTING));
	EXPECT_FALSE(MayChange(NVME_CTRL_DELETING, NVME_CTRL_LIVE));
}

TEST(CtrlStatePath, DeadControllerRemoval)
{
	EXPECT_TRUE(Walk({ NVME_CTRL_LIVE, NVME_CTRL_RESETTING,
			   NVME_CTRL_DEAD, NVME_CTRL_DELETING,
			   NVME_CTRL_DELETING_NOIO }));
	// removal of a dead controller may skip the I/O flushing phase
	EXPECT_TRUE(Walk({ NVME_CTRL_DEAD, NVME_CTRL_DELETING_NOIO }));
	// a dead controller never comes back
	EXPECT_FALSE(MayChange(NVME_CTRL_DEAD, NVME_CTRL_LIVE));
	EXPECT_FALSE(MayChange(NVME_CTRL_DEAD, NVME_CTRL_CONNECTING));
}

TEST(CtrlStatePath, ProbeFailure)
{
	EXPECT_TRUE(Walk({ NVME_CTRL_NEW, NVME_CTRL_RESETTING,
			   NVME_CTRL_CONNECTING, NVME_CTRL_DEAD,
			   NVME_CTRL_DELETING_NOIO }));
	EXPECT_TRUE(Walk({ NVME_CTRL_NEW, NVME_CTRL_DEAD, NVME_CTRL_DELETING,
			   NVME_CTRL_DELETING_NOIO }));
	// removed before it was ever started
	EXPECT_TRUE(Walk({ NVME_CTRL_NEW, NVME_CTRL_DELETING,
			   NVME_CTRL_DELETING_NOIO }));
}

TEST(CtrlStatePath, WalkHelperCatchesBadPath)
{
	// Sanity check of the helper itself.
	EXPECT_FALSE(Walk({ NVME_CTRL_LIVE, NVME_CTRL_CONNECTING }));
	EXPECT_FALSE(Walk({ NVME_CTRL_NEW, NVME_CTRL_LIVE, NVME_CTRL_LIVE }));
}

} // namespace
