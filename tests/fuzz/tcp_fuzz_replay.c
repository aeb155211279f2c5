// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the NVMe/TCP PDU harness (tcp_fuzz.c) without libFuzzer, so CTest
 * exercises it with any compiler.
 *
 *   tcp_fuzz_replay                 fixed pseudo-random corpus (default)
 *   tcp_fuzz_replay -n N -s SEED    N generated inputs from SEED
 *   tcp_fuzz_replay FILE...         replay inputs (crash-* files)
 *
 * The generator builds mostly well-formed headers and then breaks one
 * thing, so that every stage (common header, full header, SGL, R2T
 * checks) is reached; the run fails if one is never reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabrics/tcp/wire.h"
#include "tcp_fuzz.h"
#include "replay.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void generated(unsigned long count, uint64_t seed)
{
	uint8_t buf[16 + 256];
	unsigned long i;

	rng_state = seed ? seed : 1;
	for (i = 0; i < count; i++) {
		uint8_t *h = buf + 16;
		size_t size = sizeof(buf), j;
		uint32_t r = next(), dlen, hl, align, pdo;
		bool hd, dd;

		for (j = 0; j < sizeof(buf); j++)
			buf[j] = next();
		/* mostly: connected, type valid, digests right, datal right */
		buf[0] = (buf[0] & 0x8d) | 0x02 | 0x10 | 0x20 | 0x40;
		if (r % 16 == 0)
			buf[0] &= ~0x02;
		if (r % 16 == 1)
			buf[0] &= ~0x40;
		if (r % 8 == 2)
			buf[0] &= ~0x10;
		buf[1] &= r % 4 ? 0xc0 : 0xff;	/* PDA mostly 0 */
		buf[2] = 0; buf[3] = 2;		/* 8 KiB in-capsule */
		buf[4] = 0; buf[5] = 0x10;	/* 64 KiB MAXH2CDATA */
		if (r % 32 == 3)
			size = next() % sizeof(buf);
		LLVMFuzzerTestOneInput(buf, size);

		/* the same, with a consistent layout for the chosen type */
		{
			unsigned int sel = (buf[0] >> 7) | ((buf[1] >> 5) & 6);
			static const uint8_t th[] = { 0, 2, 4, 6 };
			static const uint8_t tc[] = { 1, 3, 5, 7, 9 };
			uint8_t type = buf[0] & 1 ? tc[sel % 5] : th[sel % 4];

			hd = buf[0] & 4;
			dd = buf[0] & 8;
			h[0] = type;
			h[1] = (hd && type >= 4 ? 1 : 0) | (r & 0x80 ? 4 : 0);
			h[2] = nvme_tcp_hlen(type);
			hl = h[2] + (h[1] & 1 ? 4 : 0);
			align = ((buf[1] & 31) + 1) * 4;
			pdo = (hl + align - 1) / align * align;
			dlen = 1 + next() % (r & 0x100 ? 0x20000 : 4096);
			if (type == 4 || type == 6 || type == 7) {
				if (pdo > 255)
					pdo = 0;
				h[3] = pdo;
				if (dd && pdo)
					h[1] |= 2;
				put_le32(h + 4, pdo ? pdo + dlen + (dd ? 4 : 0) : hl);
			} else {
				h[3] = 0;
				put_le32(h + 4, type == 2 || type == 3 ?
					 24 + next() % 129 : hl);
			}
			if (type == 0 || type == 1) {
				h[8] = h[9] = 0;
				h[10] &= 31;
				h[11] &= 3;
				put_le32(h + 12, 4096 * (1 + next() % 64));
				buf[0] &= ~0x02;
			}
			if (type == 9)
				put_le32(h + 16, 1 + next() % 65536);
			if (type == 4 && next() % 2) {
				h[8 + 24 + 15] = pdo ? 0x01 : 0x5a;
				put_le32(h + 8 + 32, pdo ? dlen : next() % 65536);
				memset(h + 8 + 24, 0, 8);
			}
			if (type == 6 && next() % 2) {
				memcpy(buf + 6, h + 10, 2);	/* ttag */
				memcpy(buf + 8, h + 12, 4);	/* datao */
				put_le32(buf + 12, dlen + next() % 3);
			}
			/* break one thing now and then */
			if (r % 8 == 7)
				h[next() % 24] ^= 1 << (next() % 8);
			LLVMFuzzerTestOneInput(buf, sizeof(buf));
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 20000;
	uint64_t seed = 0x6e766d65746370ull;
	int rc;
	const struct nvme_tcp_fuzz_stats *s = &nvme_tcp_fuzz_stats;

	rc = replay_args(argc, argv, &count, &seed);
	if (rc >= 0)
		return rc;

	generated(count, seed);
	printf("%lu inputs: common header %lu ok / %lu refused, header %lu ok / "
	       "%lu refused, %lu with data, %lu SGLs ok, %lu H2CData in range\n",
	       count * 2, s->ch_ok, s->ch_bad, s->hdr_ok, s->hdr_bad,
	       s->data_pdus, s->sgl_ok, s->h2c_ok);
	if (count >= 1000 && (!s->ch_ok || !s->ch_bad || !s->hdr_ok ||
			      !s->hdr_bad || !s->data_pdus || !s->sgl_ok ||
			      !s->h2c_ok)) {
		fprintf(stderr, "corpus no longer reaches every stage\n");
		return 1;
	}
	return 0;
}
