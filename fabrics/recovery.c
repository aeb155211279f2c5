// SPDX-License-Identifier: GPL-2.0
/*
 * The decision table of the shared fabrics reconnect machine; see
 * recovery.h for the picture.  Plain C: no locks, no time, no memory.
 */
#include "recovery.h"

#ifdef __KERNEL__
#include <linux/export.h>
#else
#define EXPORT_SYMBOL_GPL(sym)
#endif

static const char * const nvmf_event_names[NVMF_EV_NR] = {
	[NVMF_EV_ERROR]		 = "transport error",
	[NVMF_EV_RESET]		 = "reset",
	[NVMF_EV_CONNECTED]	 = "connected",
	[NVMF_EV_CONNECT_FAILED] = "connect failed",
	[NVMF_EV_FAILFAST]	 = "fast_io_fail_tmo expired",
	[NVMF_EV_DELETE]	 = "delete",
};

const char *nvmf_event_name(enum nvmf_event ev)
{
	if ((unsigned int)ev >= NVMF_EV_NR)
		return "unknown";
	return nvmf_event_names[ev];
}
EXPORT_SYMBOL_GPL(nvmf_event_name);

static bool nvmf_state_deleting(enum nvme_ctrl_state s)
{
	return s == NVME_CTRL_DELETING || s == NVME_CTRL_DELETING_NOIO;
}

struct nvmf_decision nvmf_recovery_decide(enum nvme_ctrl_state state,
					  enum nvmf_event ev,
					  const struct nvmf_recovery_params *p,
					  int nr_reconnects)
{
	struct nvmf_decision d = { .next = state, .actions = 0 };

	if ((unsigned int)state >= NVME_CTRL_NR_STATES)
		return d;

	switch (ev) {
	case NVMF_EV_ERROR:
		/* only a live controller starts recovering; otherwise the
		 * attempt or teardown in progress sees the error itself
		 */
		if (state != NVME_CTRL_LIVE)
			break;
		d.next = NVME_CTRL_RESETTING;
		d.actions = NVMF_ACT_TEARDOWN | NVMF_ACT_RECONNECT;
		if (p->fast_io_fail_tmo >= 0)
			d.actions |= NVMF_ACT_ARM_FAILFAST;
		break;
	case NVMF_EV_RESET:
		if (state != NVME_CTRL_LIVE)
			break;
		d.next = NVME_CTRL_RESETTING;
		d.actions = NVMF_ACT_TEARDOWN | NVMF_ACT_CONNECT_NOW;
		/* if that attempt fails, I/O waits no longer than after an error */
		if (p->fast_io_fail_tmo >= 0)
			d.actions |= NVMF_ACT_ARM_FAILFAST;
		break;
	case NVMF_EV_CONNECTED:
		if (state != NVME_CTRL_CONNECTING)
			break;
		d.next = NVME_CTRL_LIVE;
		d.actions = NVMF_ACT_START;
		break;
	case NVMF_EV_CONNECT_FAILED:
		if (state != NVME_CTRL_CONNECTING)
			break;
		if (p->max_reconnects >= 0 && nr_reconnects >= p->max_reconnects) {
			d.next = NVME_CTRL_DELETING;
			d.actions = NVMF_ACT_FAIL_IO | NVMF_ACT_DELETE;
		} else {
			d.actions = NVMF_ACT_RECONNECT;
		}
		break;
	case NVMF_EV_FAILFAST:
		/* stale timer after a successful reconnect: nothing to do */
		if (state == NVME_CTRL_CONNECTING ||
		    state == NVME_CTRL_RESETTING)
			d.actions = NVMF_ACT_FAIL_IO;
		break;
	case NVMF_EV_DELETE:
		if (nvmf_state_deleting(state))
			break;
		d.next = NVME_CTRL_DELETING;
		d.actions = NVMF_ACT_DELETE;
		break;
	default:
		break;
	}
	return d;
}
EXPORT_SYMBOL_GPL(nvmf_recovery_decide);
