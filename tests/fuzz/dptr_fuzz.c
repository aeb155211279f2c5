// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the PRP builder in pci/dptr.c.
 *
 * The input is decoded into a page size, a PRP list capacity and up to
 * NVME_FUZZ_MAX_SEGS DMA segments, which are fed to nvme_prp_add() one by
 * one.  An independent model of the PRP rules predicts every return value;
 * the harness aborts when
 *  - nvme_prp_add() returns anything but 0, -EINVAL or -E2BIG, or not what
 *    the model predicts;
 *  - the builder ever counts more than list_max entries or writes past
 *    list_max (guard entries after the list; ASan also sees it in the
 *    libFuzzer build, where the list is heap allocated to its exact size);
 *  - a rejected (-EINVAL) segment changes the builder;
 *  - the finished PRP1/PRP2/list does not describe exactly the bytes of the
 *    accepted segments, in order, or nvme_prp_list_entries() disagrees.
 *
 * Input layout (short inputs are padded with zeros):
 *   byte 0      page size: 4096 unless bits 2:0 >= 5, then 8K/16K/32K
 *   byte 1      list_max: byte % 67, or 512 when byte >= 200
 *   then 8 bytes per segment:
 *     ctl       bit 0: start page aligned; bit 1: dword-aligned offset;
 *               bit 2: end on a page boundary; bit 3: huge length;
 *               bit 7: address above 2^44
 *     pfn       16 bits, little endian
 *     off       16 bits, offset in the page (masked)
 *     len       24 bits
 *
 * Built by tests/fuzz/CMakeLists.txt as the libFuzzer binary dptr_fuzz
 * (clang, -DNVME_FUZZ=ON) and, with any compiler, as dptr_fuzz_replay,
 * which drives this same function with a fixed pseudo-random corpus.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pci/dptr.h"
#include "dptr_fuzz.h"

#define NVME_FUZZ_MAX_SEGS	64
#define NVME_FUZZ_GUARD		4
#define NVME_FUZZ_CANARY	0x5a5a5a5a5a5a5a5aull

struct nvme_fuzz_stats nvme_fuzz_stats;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s: ",       \
				__FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

struct seg {
	u64 addr;
	u32 len;
};

static u64 get_le(const u8 *p, int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* entries after PRP1 for [addr, addr + len), len > 0: pages touched - 1 */
static u64 ref_entries(u64 addr, u64 len, u32 ps)
{
	return (addr + len - 1) / ps - addr / ps;
}

/*
 * Walks the bytes of @segs and the bytes the finished command describes
 * side by side; they must be the same addresses in the same order.
 */
static void check_cover(const struct nvme_prp_builder *b,
			const struct nvme_sqe *c, u64 list_dma,
			const struct seg *segs, int nsegs, u64 total)
{
	u32 ps = b->page_size;
	u64 prp1 = le64_to_cpu(c->dptr.prp1), prp2 = le64_to_cpu(c->dptr.prp2);
	/* current PRP chunk */
	u64 p_addr = prp1, p_left = ps - (prp1 & (ps - 1));
	u32 next_entry = 0;
	/* current segment */
	int si = 0;
	u64 s_addr = segs[0].addr, s_left = segs[0].len;
	u64 done = 0;

	CHECK((prp1 & 3) == 0, "prp1 %#llx", (unsigned long long)prp1);
	if (p_left > total)
		p_left = total;
	if (b->nr == 0)
		CHECK(prp2 == 0, "unused PRP2 is %#llx", (unsigned long long)prp2);
	else if (b->nr > 1)
		CHECK(prp2 == list_dma, "PRP2 %#llx is not the list",
		      (unsigned long long)prp2);

	while (done < total) {
		u64 n;

		if (p_left == 0) {
			u64 e;

			CHECK(next_entry < b->nr, "PRP entries run out at byte %llu of %llu",
			      (unsigned long long)done, (unsigned long long)total);
			e = b->nr == 1 ? prp2 : le64_to_cpu(b->list[next_entry]);
			next_entry++;
			CHECK((e & (ps - 1)) == 0, "entry %u has an offset: %#llx",
			      next_entry, (unsigned long long)e);
			p_addr = e;
			p_left = total - done < ps ? total - done : ps;
		}
		if (s_left == 0) {
			si++;
			CHECK(si < nsegs, "segments run out");
			s_addr = segs[si].addr;
			s_left = segs[si].len;
		}
		CHECK(p_addr == s_addr, "byte %llu: PRP says %#llx, segment %d says %#llx",
		      (unsigned long long)done, (unsigned long long)p_addr, si,
		      (unsigned long long)s_addr);
		n = p_left < s_left ? p_left : s_left;
		p_addr += n;
		s_addr += n;
		p_left -= n;
		s_left -= n;
		done += n;
	}
	CHECK(next_entry == b->nr, "%u PRP entries unused", b->nr - next_entry);
	CHECK(si == nsegs - 1 && s_left == 0, "segment bytes left over");
}

static void check_sgl(const u8 *data)
{
	struct nvme_sgl_desc d;
	u64 addr = get_le(data, 8);
	u32 len = (u32)get_le(data + 8, 4);
	const u8 *raw = (const u8 *)&d;
	int i;

	memset(&d, 0xff, sizeof(d));
	nvme_sgl_set_data(&d, addr, len);
	for (i = 0; i < 8; i++)
		CHECK(raw[i] == (u8)(addr >> (8 * i)), "sgl addr byte %d", i);
	for (i = 0; i < 4; i++)
		CHECK(raw[8 + i] == (u8)(len >> (8 * i)), "sgl len byte %d", i);
	CHECK(raw[12] == 0 && raw[13] == 0 && raw[14] == 0 && raw[15] == 0x00,
	      "sgl data block tail");

	nvme_sgl_set_segment(&d, addr, len & 0xff);
	CHECK(le64_to_cpu(d.addr) == addr, "segment addr");
	CHECK(le32_to_cpu(d.length) == (len & 0xff) * 16u, "segment length");
	CHECK(raw[12] == 0 && raw[13] == 0 && raw[14] == 0 && raw[15] == 0x30,
	      "sgl last segment tail");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 hdr[2] = { 0, 0 };
	u32 ps, list_max, model_nr = 0, i;
	__le64 *list;
	struct nvme_prp_builder b;
	struct seg segs[NVME_FUZZ_MAX_SEGS], ok[NVME_FUZZ_MAX_SEGS];
	int nsegs = 0, nok = 0, j, stopped = 0;
	u64 model_end = 0, total = 0;

	if (size)
		memcpy(hdr, data, size < 2 ? size : 2);
	ps = (hdr[0] & 7) < 5 ? 4096u : 4096u << ((hdr[0] & 7) - 4);
	list_max = hdr[1] >= 200 ? 512 : hdr[1] % 67u;

	/* decode segments */
	for (size_t pos = 2; pos < size && nsegs < NVME_FUZZ_MAX_SEGS; pos += 8) {
		u8 rec[8] = { 0 };
		u8 ctl;
		u64 addr, off;
		u32 len;

		memcpy(rec, data + pos, size - pos < 8 ? size - pos : 8);
		ctl = rec[0];
		off = get_le(rec + 3, 2) & (ps - 1);
		if (ctl & 1)
			off = 0;
		else if (ctl & 2)
			off &= ~3ull;
		addr = (ctl & 0x80 ? 1ull << 44 : 0) + get_le(rec + 1, 2) * ps + off;
		len = (u32)get_le(rec + 5, 3);
		if (ctl & 4)
			len = (u32)(ps - off) + (len % 8) * ps;
		else if (ctl & 8)
			len <<= 8;
		segs[nsegs].addr = addr;
		segs[nsegs].len = len;
		nsegs++;
	}

	if (size >= 14)
		check_sgl(data + 2);

	list = malloc((list_max + NVME_FUZZ_GUARD) * sizeof(*list));
	CHECK(list, "out of memory");
	for (i = 0; i < list_max + NVME_FUZZ_GUARD; i++)
		list[i] = NVME_FUZZ_CANARY;
	nvme_prp_init(&b, ps, list, list_max);

	for (j = 0; j < nsegs && !stopped; j++) {
		const struct seg *s = &segs[j];
		u64 mask = ps - 1;
		int want, ret;
		u64 need = 0;
		struct nvme_prp_builder before = b;

		/* the model */
		if (!s->len || (s->addr & 3) ||
		    (nok && ((s->addr & mask) || (model_end & mask)))) {
			want = -EINVAL;
		} else {
			need = model_nr + (nok ? (s->len + mask) / ps :
					   ref_entries(s->addr, s->len, ps));
			want = need > list_max ? -E2BIG : 0;
		}

		ret = nvme_prp_add(&b, s->addr, s->len);

		CHECK(ret == 0 || ret == -EINVAL || ret == -E2BIG,
		      "nvme_prp_add returned %d", ret);
		CHECK(ret == want, "segment %d (%#llx+%u): got %d, model says %d",
		      j, (unsigned long long)s->addr, s->len, ret, want);
		CHECK(b.nr <= list_max, "nr %u > list_max %u", b.nr, list_max);
		for (i = list_max; i < list_max + NVME_FUZZ_GUARD; i++)
			CHECK(list[i] == NVME_FUZZ_CANARY, "wrote list[%u], list_max %u",
			      i, list_max);

		switch (ret) {
		case 0:
			nvme_fuzz_stats.ok++;
			model_nr = (u32)need;
			model_end = s->addr + s->len;
			ok[nok++] = *s;
			total += s->len;
			CHECK(b.nr == model_nr, "nr %u, model %u", b.nr, model_nr);
			break;
		case -EINVAL:
			nvme_fuzz_stats.einval++;
			CHECK(b.nr == before.nr && b.nsegs == before.nsegs &&
			      b.end == before.end && b.prp1 == before.prp1,
			      "rejected segment changed the builder");
			break;
		case -E2BIG:
			nvme_fuzz_stats.e2big++;
			CHECK(b.nr == list_max, "E2BIG with nr %u < list_max %u",
			      b.nr, list_max);
			stopped = 1;	/* the builder is spent, as in the driver */
			break;
		}
	}

	if (!stopped && nok) {
		struct nvme_sqe c;
		u64 list_dma = 0xdead0000ull;
		u32 listed;

		nvme_fuzz_stats.finished++;
		CHECK(b.prp1 == ok[0].addr, "prp1");
		CHECK(b.nr == ref_entries(ok[0].addr, total, ps), "nr %u for %llu bytes",
		      b.nr, (unsigned long long)total);
		CHECK(b.nr == nvme_prp_list_entries(ok[0].addr, total, ps),
		      "nvme_prp_list_entries %u, builder %u",
		      nvme_prp_list_entries(ok[0].addr, total, ps), b.nr);
		memset(&c, 0xee, sizeof(c));
		listed = nvme_prp_finish(&b, &c, list_dma);
		CHECK(listed == (b.nr > 1 ? b.nr : 0), "finish returned %u", listed);
		check_cover(&b, &c, list_dma, ok, nok, total);
	}

	/* nvme_prp_list_entries on its own, against the closed form */
	if (nsegs && segs[0].len) {
		u64 len = segs[0].len;

		if (size > 2 && (data[size - 1] & 1))
			len *= 4099;	/* lengths past 4 GiB */
		CHECK(nvme_prp_list_entries(segs[0].addr, len, ps) ==
		      (u32)ref_entries(segs[0].addr, len, ps),
		      "list entries for %#llx+%llu", (unsigned long long)segs[0].addr,
		      (unsigned long long)len);
	}

	free(list);
	return 0;
}
