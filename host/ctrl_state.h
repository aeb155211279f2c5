/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Controller life cycle states and the one table of legal transitions.
 * Plain C: compiled into nvme-core and into the userspace unit tests.
 */
#ifndef NVME_OOT_CTRL_STATE_H
#define NVME_OOT_CTRL_STATE_H

#include "../include/nvme/compat.h"

enum nvme_ctrl_state {
	NVME_CTRL_NEW,		/* allocated, never been live */
	NVME_CTRL_CONNECTING,	/* (re)establishing queues */
	NVME_CTRL_LIVE,		/* I/O flows */
	NVME_CTRL_RESETTING,	/* tearing queues down for a reset */
	NVME_CTRL_DELETING,	/* being removed; may still flush I/O */
	NVME_CTRL_DELETING_NOIO, /* being removed; queues are gone */
	NVME_CTRL_DEAD,		/* gave up; every I/O fails */
	NVME_CTRL_NR_STATES,
};

/* true when a controller in @from may move to @to */
bool nvme_ctrl_state_may_change(enum nvme_ctrl_state from,
				enum nvme_ctrl_state to);

/* the name sysfs shows, as nvme-cli expects it */
const char *nvme_ctrl_state_name(enum nvme_ctrl_state state);

#endif /* NVME_OOT_CTRL_STATE_H */
