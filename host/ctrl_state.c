// SPDX-License-Identifier: GPL-2.0
/*
 * Controller state transition table.
 *
 * Every state change in the host goes through nvme_ctrl_state_may_change(),
 * so this table is the whole life cycle: read down a row to see where a
 * controller can go next.
 */
#include "ctrl_state.h"

#ifdef __KERNEL__
#include <linux/export.h>
#else
#define EXPORT_SYMBOL_GPL(sym)
#endif

#define TO(s) (1u << NVME_CTRL_##s)

static const unsigned int nvme_next_states[NVME_CTRL_NR_STATES] = {
	[NVME_CTRL_NEW]		  = TO(CONNECTING) | TO(LIVE) | TO(RESETTING) |
				    TO(DELETING) | TO(DEAD),
	[NVME_CTRL_CONNECTING]	  = TO(LIVE) | TO(DELETING) | TO(DEAD),
	[NVME_CTRL_LIVE]	  = TO(RESETTING) | TO(DELETING) | TO(DEAD),
	[NVME_CTRL_RESETTING]	  = TO(CONNECTING) | TO(LIVE) | TO(DELETING) |
				    TO(DEAD),
	[NVME_CTRL_DELETING]	  = TO(DELETING_NOIO),
	[NVME_CTRL_DELETING_NOIO] = 0,
	[NVME_CTRL_DEAD]	  = TO(DELETING) | TO(DELETING_NOIO),
};

static const char * const nvme_state_names[NVME_CTRL_NR_STATES] = {
	[NVME_CTRL_NEW]		  = "new",
	[NVME_CTRL_CONNECTING]	  = "connecting",
	[NVME_CTRL_LIVE]	  = "live",
	[NVME_CTRL_RESETTING]	  = "resetting",
	[NVME_CTRL_DELETING]	  = "deleting",
	[NVME_CTRL_DELETING_NOIO] = "deleting (no IO)",
	[NVME_CTRL_DEAD]	  = "dead",
};

bool nvme_ctrl_state_may_change(enum nvme_ctrl_state from,
				enum nvme_ctrl_state to)
{
	if ((unsigned int)from >= NVME_CTRL_NR_STATES ||
	    (unsigned int)to >= NVME_CTRL_NR_STATES)
		return false;
	return nvme_next_states[from] & (1u << to);
}
EXPORT_SYMBOL_GPL(nvme_ctrl_state_may_change);

const char *nvme_ctrl_state_name(enum nvme_ctrl_state state)
{
	if ((unsigned int)state >= NVME_CTRL_NR_STATES)
		return "unknown";
	return nvme_state_names[state];
}
EXPORT_SYMBOL_GPL(nvme_ctrl_state_name);
