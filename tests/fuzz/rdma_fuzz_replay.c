// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the NVMe/RDMA wire harness (rdma_fuzz.c) without libFuzzer, so
 * CTest exercises it with any compiler.
 *
 *   rdma_fuzz_replay                 fixed pseudo-random corpus (default)
 *   rdma_fuzz_replay -n N -s SEED    N generated inputs from SEED
 *   rdma_fuzz_replay FILE...         replay inputs (crash-* files)
 *
 * The generator builds mostly plausible descriptors and private data
 * (right types, lengths near the limits) and then breaks one thing, so
 * that every outcome is reached; the run fails if one never is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabrics/rdma/wire.h"
#include "rdma_fuzz.h"
#include "replay.h"

static void put_le(uint8_t *p, uint32_t v, int n)
{
	while (n--) {
		*p++ = v;
		v >>= 8;
	}
}

static void generated(unsigned long count, uint64_t seed)
{
	uint8_t buf[144];
	unsigned long i;
	size_t j;

	rng_state = seed ? seed : 1;
	for (i = 0; i < count; i++) {
		uint32_t r = next(), len = next() % 0x28000;
		uint8_t *sqe = buf + 16, *pd = buf + 80;

		for (j = 0; j < sizeof(buf); j++)
			buf[j] = next();
		put_le(buf + 1, 0x20000 / 16, 3);	/* 128 KiB MDTS */
		put_le(buf + 4, 8192 / 16, 2);	/* 8 KiB in-capsule */
		put_le(buf + 6, (r & 1 ? 8192 : next() % 12000) / 4, 2);
		put_le(buf + 8, 32, 2);
		put_le(buf + 10, 128, 2);
		sqe[1] = r % 16 ? 0x40 : sqe[1];	/* PSDT mostly right */
		if (r & 2) {	/* keyed */
			put_le(sqe + 24 + 8, len, 3);
			sqe[24 + 15] = 0x40 | (r & 4 ? 0xf : 0);
		} else {	/* in-capsule */
			put_le(sqe + 24, next() % 9000, 8);
			put_le(sqe + 24 + 8, next() % 9000, 4);
			sqe[24 + 15] = 0x01;
		}
		if (r % 8 == 7)
			sqe[24 + next() % 16] ^= 1 << (next() % 8);

		buf[12] = r & 8 ? 32 + next() % 25 : next() % 64;
		pd[0] = 0;
		pd[1] = 0;
		put_le(pd + 4, 1 + next() % 160, 2);
		put_le(pd + 6, next() % 160, 2);
		if (r % 16 == 5)
			pd[next() % 10] ^= 1 << (next() % 8);
		LLVMFuzzerTestOneInput(buf, r % 32 == 9 ? next() % sizeof(buf) :
					    sizeof(buf));
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 50000;
	uint64_t seed = 0x6e766d6572646d61ull;
	int rc;
	const struct nvme_rdma_fuzz_stats *s = &nvme_rdma_fuzz_stats;

	rc = replay_args(argc, argv, &count, &seed);
	if (rc >= 0)
		return rc;

	generated(count, seed);
	printf("%lu inputs: connect %lu ok / %lu refused, data pointer %lu keyed / "
	       "%lu in-capsule ok / %lu refused, accept %lu, reject %lu\n",
	       count, s->req_ok, s->req_bad, s->keyed_ok, s->inline_ok,
	       s->dptr_bad, s->rep_ok, s->rej_ok);
	if (count >= 1000 && (!s->req_ok || !s->req_bad || !s->keyed_ok ||
			      !s->inline_ok || !s->dptr_bad || !s->rep_ok ||
			      !s->rej_ok)) {
		fprintf(stderr, "corpus no longer reaches every outcome\n");
		return 1;
	}
	return 0;
}
