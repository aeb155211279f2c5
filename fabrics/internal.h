/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme-fabrics module internals shared by fabrics.c (the device) and
 * ctrl.c (the controller machine); not for transports.
 */
#ifndef NVME_OOT_FABRICS_INTERNAL_H
#define NVME_OOT_FABRICS_INTERNAL_H

#include "fabrics.h"

bool nvmf_ctrl_exists(const struct nvmf_ctrl_options *opts);

#endif /* NVME_OOT_FABRICS_INTERNAL_H */
