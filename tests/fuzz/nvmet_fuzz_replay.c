// SPDX-License-Identifier: GPL-2.0
/*
 * Drives nvmet_fuzz.c without libFuzzer so CTest runs it with any
 * compiler.
 *
 *   nvmet_fuzz_replay                 generated corpus (default 20000)
 *   nvmet_fuzz_replay -n N -s SEED    N generated inputs from SEED
 *   nvmet_fuzz_replay FILE...         replay files (crash-*, corpus)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmet_fuzz.h"

static uint64_t rng_state;

static uint64_t next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static const char *const words[] = {
	"1", "0", "y", "2", "1.3", "2.0.1", "1.256", "tcp", "rdma", "loop",
	"ipv4", "ipv6", "not specified", "not required", "65535", "65536",
	"00112233-4455-6677-8899-aabbccddeeff", "0011", "nqn.2014-08.x", "",
};

static size_t generate(uint8_t *buf, size_t cap)
{
	size_t len = 1 + 64, i;
	const char *w;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)next();
	/* small namespaces and LBAs near the end are the interesting cases */
	if (next() % 2) {
		uint64_t nsze = next() % 4096;

		memcpy(buf + 1 + 16, &nsze, sizeof(nsze));
		buf[1 + 40] = (uint8_t)(nsze - next() % 8);
		buf[1 + 41] = buf[1 + 42] = buf[1 + 43] = 0;
		buf[1 + 44] = buf[1 + 45] = buf[1 + 46] = buf[1 + 47] = 0;
		buf[1] = (uint8_t)(next() % 10);
	}
	w = words[next() % (sizeof(words) / sizeof(words[0]))];
	i = strlen(w);
	if (i > cap - len)
		i = cap - len;
	memcpy(buf + len, w, i);
	len += i;
	if (next() % 4 == 0 && len < cap)
		buf[len++] = '\n';
	while (next() % 8 == 0 && len < cap)
		buf[len++] = (uint8_t)next();
	return len;
}

int main(int argc, char **argv)
{
	unsigned long n = 20000, i;
	uint8_t buf[512];
	int a = 1;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (; a < argc; a++) {
		if (!strcmp(argv[a], "-n") && a + 1 < argc)
			n = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "-s") && a + 1 < argc)
			rng_state = strtoull(argv[++a], NULL, 0) | 1;
		else
			break;
	}
	if (a < argc) {
		for (; a < argc; a++) {
			FILE *f = fopen(argv[a], "rb");
			size_t len;

			if (!f) {
				perror(argv[a]);
				return 1;
			}
			len = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, len);
		}
		return 0;
	}
	for (i = 0; i < n; i++)
		LLVMFuzzerTestOneInput(buf, generate(buf, sizeof(buf)));
	printf("nvmet_fuzz_replay: %lu inputs\n", n);
	return 0;
}
