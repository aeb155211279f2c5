/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the *_fuzz_replay.c drivers, which run a libFuzzer harness
 * without libFuzzer (any compiler, under CTest):
 *
 *   NAME_fuzz_replay                 generated corpus from the default seed
 *   NAME_fuzz_replay -n N -s SEED    N generated inputs from SEED
 *   NAME_fuzz_replay FILE...         replay inputs (libFuzzer crash-* files)
 *
 * Include it once, from the driver's .c file.
 */
#ifndef NVME_OOT_FUZZ_REPLAY_H
#define NVME_OOT_FUZZ_REPLAY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;

/* xorshift64*: the same sequence for the same seed on every platform */
static uint64_t next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int replay_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	printf("%s: %zu bytes ok\n", path, n);
	return 0;
}

/*
 * replay_args() - parse the command line
 * Sets *count and *seed from -n and -s.  Returns -1 when no input files
 * were named (the caller generates its corpus), else the status of
 * replaying the files (0: all ran).
 */
static int replay_args(int argc, char **argv, unsigned long *count,
		       uint64_t *seed)
{
	int i, files = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			*count = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			*seed = strtoull(argv[++i], NULL, 0);
		} else {
			rc |= replay_file(argv[i]);
			files++;
		}
	}
	return files ? rc : -1;
}

#endif /* NVME_OOT_FUZZ_REPLAY_H */
