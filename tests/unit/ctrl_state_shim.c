// SPDX-License-Identifier: GPL-2.0
/*
 * Entry points taking plain ints, so the C++ tests can feed values that
 * are outside enum nvme_ctrl_state (which would be undefined behaviour to
 * form in C++17, but is an ordinary conversion in C).
 */
#include "ctrl_state_shim.h"
#include "host/ctrl_state.h"

bool nvme_test_may_change_raw(int from, int to)
{
	return nvme_ctrl_state_may_change((enum nvme_ctrl_state)from,
					  (enum nvme_ctrl_state)to);
}

const char *nvme_test_state_name_raw(int state)
{
	return nvme_ctrl_state_name((enum nvme_ctrl_state)state);
}
