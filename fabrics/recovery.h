/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decisions of the fabrics reconnect / error-recovery machine.
 *
 * Plain C, no kernel: given the controller state and an event, say which
 * state comes next and what must be done.  fabrics/fabrics.c executes the
 * actions (work items, timers, queue teardown); the unit tests check the
 * decisions.  Every transport shares this one table.
 *
 *   LIVE --error/kato--> RESETTING --teardown--> CONNECTING
 *   CONNECTING --attempt ok--> LIVE
 *   CONNECTING --attempt failed--> CONNECTING (retry after reconnect_delay)
 *                              `-> DELETING  (ctrl_loss_tmo reached)
 *   LIVE --reset_controller--> RESETTING --teardown--> CONNECTING (at once)
 *   any --delete_controller--> DELETING
 */
#ifndef NVME_OOT_FABRICS_RECOVERY_H
#define NVME_OOT_FABRICS_RECOVERY_H

#include "../include/nvme/compat.h"
#include "../host/ctrl_state.h"

/**
 * enum nvmf_event - what happened to a fabrics controller
 * @NVMF_EV_ERROR: transport error or keep-alive timeout
 * @NVMF_EV_RESET: reset requested (sysfs reset_controller, ioctl)
 * @NVMF_EV_CONNECTED: a (re)connect attempt succeeded
 * @NVMF_EV_CONNECT_FAILED: a (re)connect attempt failed
 * @NVMF_EV_FAILFAST: fast_io_fail_tmo expired since the loss
 * @NVMF_EV_DELETE: delete_controller, disconnect or module unload
 * @NVMF_EV_NR: number of events
 */
enum nvmf_event {
	NVMF_EV_ERROR,
	NVMF_EV_RESET,
	NVMF_EV_CONNECTED,
	NVMF_EV_CONNECT_FAILED,
	NVMF_EV_FAILFAST,
	NVMF_EV_DELETE,
	NVMF_EV_NR,
};

/* actions, in the order they are carried out */
#define NVMF_ACT_TEARDOWN	BIT(0)	/* quiesce, stop + cancel, free queues */
#define NVMF_ACT_ARM_FAILFAST	BIT(1)	/* start the fast_io_fail_tmo timer */
#define NVMF_ACT_CONNECT_NOW	BIT(2)	/* CONNECTING, try at once */
#define NVMF_ACT_RECONNECT	BIT(3)	/* CONNECTING, try after reconnect_delay */
#define NVMF_ACT_FAIL_IO	BIT(4)	/* fail queued and new I/O from now on */
#define NVMF_ACT_START		BIT(5)	/* unquiesce, scan, AER, keep-alive */
#define NVMF_ACT_DELETE		BIT(6)	/* remove the controller */

/**
 * struct nvmf_recovery_params - the timeouts of one controller
 * @reconnect_delay: seconds between attempts, > 0
 * @max_reconnects: attempts before giving up, -1 = forever
 * @fast_io_fail_tmo: seconds, -1 = never fail I/O early
 */
struct nvmf_recovery_params {
	int reconnect_delay;
	int max_reconnects;
	int fast_io_fail_tmo;
};

/**
 * struct nvmf_decision - what to do about an event
 * @next: the state to move to (== current state: no change)
 * @actions: NVMF_ACT_* bits, 0 = ignore the event
 */
struct nvmf_decision {
	enum nvme_ctrl_state next;
	unsigned int actions;
};

/**
 * nvmf_recovery_decide() - the transition of the shared machine
 * @state: current controller state
 * @ev: the event
 * @p: the controller's timeouts
 * @nr_reconnects: attempts that failed since the loss, counting the one
 *	being reported by %NVMF_EV_CONNECT_FAILED
 *
 * Return: the next state and the actions.
 */
struct nvmf_decision nvmf_recovery_decide(enum nvme_ctrl_state state,
					  enum nvmf_event ev,
					  const struct nvmf_recovery_params *p,
					  int nr_reconnects);

/**
 * nvmf_event_name() - event name for log lines
 * @ev: the event
 *
 * Return: a static string.
 */
const char *nvmf_event_name(enum nvmf_event ev);

#endif /* NVME_OOT_FABRICS_RECOVERY_H */
