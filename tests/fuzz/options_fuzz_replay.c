// SPDX-License-Identifier: GPL-2.0
/*
 * Drives options_fuzz.c without libFuzzer so CTest runs it with any
 * compiler.
 *
 *   options_fuzz_replay              generated corpus (default 2000)
 *   options_fuzz_replay -n N -s SEED N generated inputs from SEED
 *   options_fuzz_replay FILE...      replay files (crash-*, corpus)
 *
 * Inputs are built from the real keys with mutated values, separators,
 * junk and NULs, so both accepted and refused strings are reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options_fuzz.h"

static uint64_t rng_state;

static uint64_t next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static const char *const keys[] = {
	"transport", "traddr", "trsvcid", "nqn", "queue_size", "nr_io_queues",
	"reconnect_delay", "ctrl_loss_tmo", "keep_alive_tmo", "hostnqn",
	"host_traddr", "host_iface", "hostid", "duplicate_connect",
	"disable_sqflow", "hdr_digest", "data_digest", "nr_write_queues",
	"nr_poll_queues", "tos", "fast_io_fail_tmo", "discovery",
	"dhchap_secret", "dhchap_ctrl_secret", "bogus", "",
};

static const char *const vals[] = {
	"tcp", "loop", "127.0.0.1", "4420", "nqn.2014-08.org.nvmexpress.discovery",
	"0", "1", "-1", "16", "1024", "1025", "0x20", "2147483647", "2147483648",
	"-2147483648", "abc", "", "00112233-4455-6677-8899-aabbccddeeff",
	"0011-22", "eth0", "verylonginterfacename",
};

static size_t append(char *buf, size_t len, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (len + n > cap)
		n = cap - len;
	memcpy(buf + len, s, n);
	return len + n;
}

static size_t generate(char *buf, size_t cap)
{
	size_t len = 0, words = next() % 12, i;

	if (next() % 4)	/* usually a valid core */
		len = append(buf, len, cap, "transport=tcp,nqn=testnqn");
	for (i = 0; i < words && len < cap; i++) {
		len = append(buf, len, cap, next() % 8 ? "," : "\n");
		len = append(buf, len, cap,
			     keys[next() % (sizeof(keys) / sizeof(keys[0]))]);
		if (next() % 5) {
			len = append(buf, len, cap, "=");
			len = append(buf, len, cap,
				     vals[next() % (sizeof(vals) / sizeof(vals[0]))]);
		}
	}
	/* sometimes raw junk, a long NQN or a NUL in the middle */
	switch (next() % 10) {
	case 0:
		while (len < cap && next() % 64)
			buf[len++] = (char)next();
		break;
	case 1:
		len = append(buf, len, cap, ",hostnqn=");
		while (len < cap && next() % 300)
			buf[len++] = 'a';
		break;
	case 2:
		if (len)
			buf[next() % len] = '\0';
		break;
	}
	return len;
}

int main(int argc, char **argv)
{
	static char buf[8192];
	unsigned long count = 2000, i;
	uint64_t seed = 1;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-n") && a + 1 < argc) {
			count = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "-s") && a + 1 < argc) {
			seed = strtoull(argv[++a], NULL, 0);
		} else {
			FILE *f = fopen(argv[a], "rb");
			size_t n;

			if (!f) {
				perror(argv[a]);
				return 1;
			}
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
			printf("%s: %zu bytes ok\n", argv[a], n);
			count = 0;
		}
	}
	rng_state = seed ? seed : 1;
	for (i = 0; i < count; i++) {
		size_t n = generate(buf, next() % 16 ? 600 : sizeof(buf));

		LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
	}
	/* a 64 KiB write of junk, as the selftest does */
	if (count) {
		static uint8_t big[65536];

		memset(big, 'x', sizeof(big));
		LLVMFuzzerTestOneInput(big, sizeof(big));
	}
	printf("options fuzz: %lu accepted, %lu refused\n",
	       options_fuzz_stats.ok, options_fuzz_stats.einval);
	if (count && (!options_fuzz_stats.ok || !options_fuzz_stats.einval)) {
		fprintf(stderr, "corpus did not reach both outcomes\n");
		return 1;
	}
	return 0;
}
