// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the libFuzzer harness in dptr_fuzz.c without libFuzzer, so any
 * compiler (gcc included) can build it and CTest exercises the harness on
 * every run.
 *
 *   dptr_fuzz_replay                 fixed pseudo-random corpus (default)
 *   dptr_fuzz_replay -n N -s SEED    N generated inputs from SEED
 *   dptr_fuzz_replay FILE...         replay inputs, e.g. a crash-* file
 *                                    or corpus entries from libFuzzer
 *
 * The harness aborts on a broken invariant; the generated corpus must also
 * reach every outcome (accepted, -EINVAL, -E2BIG, finished command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dptr_fuzz.h"
#include "replay.h"

static void generated(unsigned long count, uint64_t seed)
{
	uint8_t buf[2 + 8 * 70];
	unsigned long i;

	rng_state = seed ? seed : 1;
	for (i = 0; i < count; i++) {
		size_t size, j;

		/* mostly a handful of segments, sometimes ragged or empty */
		switch (next() % 8) {
		case 0:
			size = next() % 16;
			break;
		case 1:
			size = next() % sizeof(buf);
			break;
		default:
			size = 2 + 8 * (1 + next() % 6);
			break;
		}
		for (j = 0; j < size; j++)
			buf[j] = (uint8_t)next();
		/* mostly 4 KiB pages and a roomy list */
		if (size > 0 && next() % 4)
			buf[0] &= ~7;
		if (size > 1 && next() % 2)
			buf[1] = 200 + next() % 56;
		/* bias segments towards the rules so many get accepted */
		for (j = 2; j < size; j += 8) {
			uint64_t r = next() % 8;

			if (j == 2)
				buf[j] = (buf[j] & ~0x0f) | (r < 6 ? 0x06 : buf[j] & 0x0f);
			else
				buf[j] = (buf[j] & ~0x0f) | (r < 6 ? (j + 8 < size ? 0x05 : 0x01) :
								 buf[j] & 0x0f);
		}
		LLVMFuzzerTestOneInput(buf, size);
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 500;
	uint64_t seed = 0x6e766d65;	/* "nvme" */
	int rc;

	rc = replay_args(argc, argv, &count, &seed);
	if (rc >= 0)
		return rc;

	generated(count, seed);
	printf("%lu inputs: %lu segments accepted, %lu -EINVAL, %lu -E2BIG, "
	       "%lu commands finished\n", count, nvme_fuzz_stats.ok,
	       nvme_fuzz_stats.einval, nvme_fuzz_stats.e2big,
	       nvme_fuzz_stats.finished);
	if (count >= 100 && (!nvme_fuzz_stats.ok || !nvme_fuzz_stats.einval ||
			     !nvme_fuzz_stats.e2big || !nvme_fuzz_stats.finished)) {
		fprintf(stderr, "corpus no longer reaches every outcome\n");
		return 1;
	}
	return 0;
}
