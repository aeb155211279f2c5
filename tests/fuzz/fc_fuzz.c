// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the FC-NVMe validators (fabrics/fc/wire.c).
 * Byte 0 picks the validator, the rest is the message: an LS request
 * (target), an LS response to each request type (host), a command IU, a
 * response IU, an FC address, an fcloop option string.  Whatever the
 * input, the validators must not read out of bounds, and what they
 * accept must be self-consistent.
 */
#include <stdlib.h>
#include <string.h>

#include "fabrics/fc/wire.h"
#include "fc_fuzz.h"

struct nvme_fc_fuzz_stats nvme_fc_fuzz_stats;

static void check_rqst(const uint8_t *d, size_t n)
{
	struct nvme_fc_ls_rqst_info info;
	struct nvme_fc_wire_err err = { 0 };

	if (!nvme_fc_check_ls_rqst(d, (u32)n, &info, &err)) {
		nvme_fc_fuzz_stats.rqst_ok++;
		if (info.cmd == NVME_FC_LS_CREATE_ASSOC &&
		    (strlen(info.hostnqn) >= 256 || strlen(info.subnqn) >= 256))
			abort();
		if (info.cmd == NVME_FC_LS_CREATE_CONN && !info.qid)
			abort();
		if (info.cmd != NVME_FC_LS_CREATE_ASSOC && !info.assoc_id)
			abort();
	} else {
		nvme_fc_fuzz_stats.rqst_bad++;
		if (!err.reason || !err.rjt_reason)
			abort();
	}
}

static void check_rsp(uint8_t cmd, const uint8_t *d, size_t n)
{
	struct nvme_fc_ls_rsp_info info;
	struct nvme_fc_wire_err err = { 0 };
	int ret = nvme_fc_check_ls_rsp(cmd, d, (u32)n, &info, &err);

	if (!ret) {
		nvme_fc_fuzz_stats.rsp_acc++;
		if (!info.accepted)
			abort();
	} else if (ret == -ECONNREFUSED) {
		nvme_fc_fuzz_stats.rsp_rjt++;
	} else {
		nvme_fc_fuzz_stats.rsp_bad++;
		if (ret != -EPROTO || !err.reason)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvme_fc_rsp_info rinfo;
	struct nvme_fc_port_opts opts;
	uint8_t *buf;
	char *str;
	u64 a, b;

	if (size < 1)
		return 0;
	/* a private, exactly sized copy so ASan sees any overread */
	buf = malloc(size - 1 + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	size--;
	switch (data[0] % 8) {
	case 0:
		check_rqst(buf, size);
		break;
	case 1:
		check_rsp(NVME_FC_LS_CREATE_ASSOC, buf, size);
		break;
	case 2:
		check_rsp(NVME_FC_LS_CREATE_CONN, buf, size);
		break;
	case 3:
		check_rsp(NVME_FC_LS_DISCONNECT, buf, size);
		break;
	case 4:
		if (!nvme_fc_check_cmd_iu(buf, (u32)size, 1 << 20, NULL))
			nvme_fc_fuzz_stats.iu_ok++;
		else
			nvme_fc_fuzz_stats.iu_bad++;
		break;
	case 5:	/* two bytes of expected cid, then the response */
		if (size < 2)
			break;
		str = malloc(size - 2 + 1);
		if (!str)
			break;
		memcpy(str, buf + 2, size - 2);
		if (!nvme_fc_check_rsp(str, (u32)(size - 2), 4096,
				       (u16)(buf[0] | buf[1] << 8), &rinfo,
				       NULL)) {
			nvme_fc_fuzz_stats.ersp_ok++;
			if (rinfo.xfrd_len > 4096)
				abort();
		} else {
			nvme_fc_fuzz_stats.ersp_bad++;
		}
		free(str);
		break;
	case 6:
		str = malloc(size + 1);
		if (str) {
			memcpy(str, buf, size);
			str[size] = 0;
			if (!nvme_fc_parse_traddr(str, &a, &b))
				nvme_fc_fuzz_stats.addr_ok++;
			free(str);
		}
		break;
	default:
		if (!nvme_fc_parse_port_opts((const char *)buf, (u32)size,
					     &opts))
			nvme_fc_fuzz_stats.opts_ok++;
		break;
	}
	free(buf);
	return 0;
}
