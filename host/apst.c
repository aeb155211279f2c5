// SPDX-License-Identifier: GPL-2.0
/*
 * Autonomous Power State Transition table.
 *
 * The controller walks the table on its own: while it sits idle in power
 * state i for ITPT milliseconds it drops to state ITPS.  The host decides
 * which non-operational states are worth going to and how long to wait,
 * with Linux's rule (module parameters of nvme_core):
 *
 *  - a target is a non-operational state whose exit latency is within
 *    the controller's latency limit (ps_max_latency_us);
 *  - with the primary timeout and tolerance set, at most two targets are
 *    used: the deepest state whose entry + exit latency is within the
 *    secondary tolerance (entered after the secondary timeout) and the
 *    deepest one within the primary tolerance (after the primary
 *    timeout); a state beyond both tolerances is never a target;
 *  - with either of them 0, every usable state is a target, entered after
 *    50 times its total latency;
 *  - every state shallower than a target points to the nearest target
 *    below it, so the controller steps down target by target.
 */
#include "apst.h"

/* which tolerance class the last chosen target fell in */
enum { APST_TOL_NONE, APST_TOL_PRIMARY, APST_TOL_SECONDARY };

/*
 * Whether a state of total latency @lat_us is to be a target, and after
 * how long an idle time (@idle_ms).  @last is the class of the previous
 * (deeper) target: each class gives one target only, and once the
 * primary one is chosen no secondary one may come above it.
 */
static bool nvme_apst_idle_ms(const struct nvme_apst_params *p, u64 lat_us,
			      int *last, u64 *idle_ms)
{
	if (!p->primary_timeout_ms || !p->primary_tol_us) {
		/* 50 x latency: spend at most 2% of idle time switching */
		*idle_ms = (lat_us + 19) / 20;
		return true;
	}
	if (lat_us <= p->primary_tol_us) {
		if (*last == APST_TOL_PRIMARY)
			return false;
		*last = APST_TOL_PRIMARY;
		*idle_ms = p->primary_timeout_ms;
		return true;
	}
	if (p->secondary_timeout_ms && lat_us <= p->secondary_tol_us) {
		if (*last != APST_TOL_NONE)
			return false;
		*last = APST_TOL_SECONDARY;
		*idle_ms = p->secondary_timeout_ms;
		return true;
	}
	return false;
}

/**
 * nvme_apst_build_table() - fill the APST data structure
 * @psd: the 32 power state descriptors of Identify Controller
 * @npss: Identify NPSS, the deepest valid state
 * @p: limits and timeouts
 * @table: filled in full (zeroes where the controller must not move)
 * @info: what was chosen, for the log; may be NULL
 *
 * Return: the Set Features dword 11 to send with @table (APSTE: 1 when
 * @p enables APST with a non-zero latency limit, even if no state
 * qualified and @table is all zeroes; else 0), or -EINVAL when @npss
 * is out of range, in which case nothing is to be sent.
 */
int nvme_apst_build_table(const struct nvme_id_power_state *psd, u8 npss,
			  const struct nvme_apst_params *p,
			  struct nvme_feat_auto_pst *table,
			  struct nvme_apst_info *info)
{
	__le64 target = cpu_to_le64(0);
	int last = APST_TOL_NONE;
	int max_ps = -1;
	u64 max_lat = 0;
	int state;

	memset(table, 0, sizeof(*table));
	if (info) {
		info->max_ps = -1;
		info->max_lat_us = 0;
	}
	if (npss >= NVME_APST_ENTRIES)
		return -EINVAL;
	if (!p->enabled || !p->max_latency_us)
		return 0;

	/* from the deepest (lowest power) state up to state 0 */
	for (state = npss; state >= 0; state--) {
		const struct nvme_id_power_state *ps = &psd[state];
		u64 exit_us, lat_us, idle_ms;

		table->entries[state] = target;

		if (state == npss && p->no_deepest_ps)
			continue;
		if (!(ps->flags & NVME_PS_FLAGS_NON_OP))
			continue;
		exit_us = le32_to_cpu(ps->exit_lat);
		if (exit_us > p->max_latency_us)
			continue;
		lat_us = exit_us + le32_to_cpu(ps->entry_lat);
		if (!nvme_apst_idle_ms(p, lat_us, &last, &idle_ms))
			continue;
		if (idle_ms > NVME_APST_ITPT_MAX)
			idle_ms = NVME_APST_ITPT_MAX;

		target = cpu_to_le64((u64)state << NVME_APST_ITPS_SHIFT |
				     idle_ms << NVME_APST_ITPT_SHIFT);
		if (max_ps < 0)
			max_ps = state;
		if (lat_us > max_lat)
			max_lat = lat_us;
	}
	if (info) {
		info->max_ps = max_ps;
		info->max_lat_us = max_lat;
	}
	return NVME_APST_ENABLE;
}
