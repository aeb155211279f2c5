/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NVME_TEST_CTRL_STATE_SHIM_H
#define NVME_TEST_CTRL_STATE_SHIM_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

bool nvme_test_may_change_raw(int from, int to);
const char *nvme_test_state_name_raw(int state);

#ifdef __cplusplus
}
#endif

#endif
