// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the FC-NVMe harness (fc_fuzz.c) without libFuzzer, so CTest
 * exercises it with any compiler.
 *
 *   fc_fuzz_replay                 fixed pseudo-random corpus (default)
 *   fc_fuzz_replay -n N -s SEED    N generated inputs from SEED
 *   fc_fuzz_replay FILE...         replay inputs (crash-* files)
 *
 * The generator encodes valid messages with the wire.c builders, then
 * truncates, extends or flips bits in them, so that both the accepting
 * and every refusing path are reached; the run fails if one is never
 * reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabrics/fc/wire.h"
#include "fc_fuzz.h"
#include "replay.h"

/* one valid message for selector @sel into @msg; returns its length */
static size_t build(unsigned int sel, uint8_t *msg)
{
	static const uint8_t hostid[16] = { 1 };
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint32_t r = (uint32_t)next();

	switch (sel) {
	case 0:
		switch (r % 3) {
		case 0:
			return nvme_fc_build_create_assoc((void *)msg,
					1 + r % 8, 31 + r % 64, 0xffff, hostid,
					"nqn.2014-08.org.nvmexpress:uuid:h",
					"nqn.fuzz:s");
		case 1:
			return nvme_fc_build_create_conn((void *)msg,
					next() | 0x10000, 1 + r % 4,
					1 + r % 64, 127);
		default:
			return nvme_fc_build_disconnect((void *)msg,
							next() | 0x10000);
		}
	case 1:
		if (r % 4 == 0)
			return nvme_fc_build_rjt((void *)msg,
						 NVME_FC_LS_CREATE_ASSOC, 0x44, 0x45);
		return nvme_fc_build_assoc_acc((void *)msg, next() | 1,
					       next() | 1);
	case 2:
		if (r % 4 == 0)
			return nvme_fc_build_rjt((void *)msg,
						 NVME_FC_LS_CREATE_CONN, 0x40, 0);
		return nvme_fc_build_conn_acc((void *)msg, next() | 1);
	case 3:
		if (r % 4 == 0)
			return nvme_fc_build_rjt((void *)msg,
						 NVME_FC_LS_DISCONNECT, 0x40, 0);
		return nvme_fc_build_disc_acc((void *)msg);
	case 4:
		memset(&sqe, 0, sizeof(sqe));
		sqe.opc = (uint8_t)r;
		nvme_fc_build_cmd_iu((void *)msg, next() | 1, (uint32_t)r,
				     r % 2 ? 4096 : 0,
				     r % 2 ? NVME_FC_CMD_READ : 0, &sqe);
		return sizeof(struct nvme_fc_cmd_iu);
	case 5:
		if (r % 4 == 0) {
			memset(msg, 0, 2 + NVME_FC_SHORT_RSP_LEN);
			return 2 + (r % 8 ? NVME_FC_SHORT_RSP_LEN : 0);
		}
		memset(&cqe, 0, sizeof(cqe));
		cqe.cid = (uint16_t)r;
		msg[0] = (uint8_t)r;
		msg[1] = (uint8_t)(r >> 8);
		{
			struct nvme_fc_ersp_iu iu;

			nvme_fc_build_ersp(&iu, 1, r % 4097, &cqe);
			memcpy(msg + 2, &iu, sizeof(iu));
		}
		return 2 + sizeof(struct nvme_fc_ersp_iu);
	case 6:
		return (size_t)nvme_fc_format_traddr((char *)msg, 64, next(),
						     next());
	default:
		return (size_t)sprintf((char *)msg,
				       "wwnn=0x%llx,wwpn=0x%llx%s",
				       (unsigned long long)(next() | 1),
				       (unsigned long long)(next() | 1),
				       r % 2 ? ",lpwwnn=0x1,lpwwpn=2" : "");
	}
}

static void generated(unsigned long count, uint64_t seed)
{
	static uint8_t in[1 + 2048];
	static uint64_t aligned[256];	/* the builders want aligned structs */
	unsigned long i;

	rng_state = seed ? seed : 1;
	for (i = 0; i < count; i++) {
		unsigned int sel = (unsigned int)(next() % 8);
		uint8_t *msg = in + 1;
		size_t len, j;
		uint32_t r;

		memset(in, 0, sizeof(in));
		in[0] = (uint8_t)sel;
		memset(aligned, 0, sizeof(aligned));
		len = build(sel, (uint8_t *)aligned);
		memcpy(msg, aligned, len);
		r = (uint32_t)next();
		switch (r % 6) {
		case 0:		/* as built */
			break;
		case 1:		/* truncated */
			len = len ? next() % len : 0;
			break;
		case 2:		/* extended with garbage */
			for (j = 0; j < 16; j++)
				msg[len + j] = (uint8_t)next();
			len += 1 + next() % 16;
			break;
		default:	/* a few bits flipped */
			for (j = 0; j < 1 + r % 3 && len; j++)
				msg[next() % len] ^= (uint8_t)(1u << (next() % 8));
			break;
		}
		LLVMFuzzerTestOneInput(in, 1 + len);
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 20000;
	uint64_t seed = 0x66636e766d65ull;
	int rc;
	const struct nvme_fc_fuzz_stats *s = &nvme_fc_fuzz_stats;

	rc = replay_args(argc, argv, &count, &seed);
	if (rc >= 0)
		return rc;

	generated(count, seed);
	printf("%lu inputs: LS requests %lu ok / %lu refused, LS responses "
	       "%lu ACC / %lu RJT / %lu malformed, command IUs %lu ok / %lu "
	       "refused, responses %lu ok / %lu refused, %lu addresses, "
	       "%lu option strings\n", count, s->rqst_ok, s->rqst_bad,
	       s->rsp_acc, s->rsp_rjt, s->rsp_bad, s->iu_ok, s->iu_bad,
	       s->ersp_ok, s->ersp_bad, s->addr_ok, s->opts_ok);
	if (count >= 1000 && (!s->rqst_ok || !s->rqst_bad || !s->rsp_acc ||
			      !s->rsp_rjt || !s->rsp_bad || !s->iu_ok ||
			      !s->iu_bad || !s->ersp_ok || !s->ersp_bad ||
			      !s->addr_ok || !s->opts_ok)) {
		fprintf(stderr, "corpus no longer reaches every stage\n");
		return 1;
	}
	return 0;
}
