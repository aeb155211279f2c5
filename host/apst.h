/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Autonomous Power State Transition: the table the host programs with
 * Set Features 0Ch.  Plain C: compiled into nvme-core and into the
 * userspace unit tests.
 */
#ifndef NVME_OOT_APST_H
#define NVME_OOT_APST_H

#include "../include/nvme/compat.h"
#include "../include/nvme/spec.h"

/**
 * struct nvme_apst_params - what the table is built from, besides Identify
 * @enabled: APST is wanted (APSTA set, not quirked off); false: APSTE 0
 * @no_deepest_ps: never go to power state NPSS (quirk)
 * @max_latency_us: the largest exit latency tolerated, microseconds
 *	(the controller's ps_max_latency_us); 0 turns APST off
 * @primary_timeout_ms: idle time before going to a state within
 *	@primary_tol_us (0: use the 50 x total latency rule)
 * @secondary_timeout_ms: idle time before going to a state within
 *	@secondary_tol_us (0: no secondary target)
 * @primary_tol_us: total latency limit of the primary target
 *	(0: use the 50 x total latency rule)
 * @secondary_tol_us: total latency limit of the secondary target
 */
struct nvme_apst_params {
	bool enabled;
	bool no_deepest_ps;
	u64 max_latency_us;
	u64 primary_timeout_ms;
	u64 secondary_timeout_ms;
	u64 primary_tol_us;
	u64 secondary_tol_us;
};

/**
 * struct nvme_apst_info - what nvme_apst_build_table() chose
 * @max_ps: the deepest target state, -1 when there is none
 * @max_lat_us: the largest total latency (entry + exit) of the targets
 */
struct nvme_apst_info {
	int max_ps;
	u64 max_lat_us;
};

int nvme_apst_build_table(const struct nvme_id_power_state *psd, u8 npss,
			  const struct nvme_apst_params *p,
			  struct nvme_feat_auto_pst *table,
			  struct nvme_apst_info *info);

#endif /* NVME_OOT_APST_H */
