// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the NVMe/RDMA wire validators in
 * fabrics/rdma/wire.c.
 *
 * The input is a queue's negotiated limits, one received SQE and one RDMA
 * CM private data blob.  The harness runs what the target does with them
 * (nvme_rdma_dptr_parse(), nvme_rdma_cm_req_parse()) and what the host does
 * with an accept or reject (nvme_rdma_cm_rep_parse(),
 * nvme_rdma_cm_rej_parse()), and aborts when
 *  - a validator returns something it does not document;
 *  - an accepted data pointer exceeds the maximum transfer, wraps the
 *    address space, or (in-capsule) lies outside the bytes received or the
 *    negotiated in-capsule size, or is in-capsule data for a read;
 *  - an accepted connect request has queue sizes outside the limits;
 *  - re-encoding an accepted descriptor or request does not reproduce it.
 *
 * Input layout (short inputs are padded with zeros):
 *   byte 0      bit 0 the command writes (host to controller)
 *   byte 1-3    maximum transfer / 16 (24 bit)
 *   byte 4-5    in-capsule size / 16; byte 6-7 bytes received / 4
 *   byte 8-9    largest admin queue; byte 10-11 largest I/O queue
 *   byte 12     private data length (0-63)
 *   byte 16-79  the SQE
 *   byte 80-143 the private data
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabrics/rdma/wire.h"
#include "rdma_fuzz.h"

#define IN_LEN 144

struct nvme_rdma_fuzz_stats nvme_rdma_fuzz_stats;

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

static uint32_t get_le(const uint8_t *p, int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void fuzz_dptr(const uint8_t *in)
{
	struct nvme_rdma_fuzz_stats *s = &nvme_rdma_fuzz_stats;
	struct nvme_rdma_limits lim = {
		.max_xfer = get_le(in + 1, 3) * 16,
		.inline_size = get_le(in + 4, 2) * 16,
	};
	uint32_t icd = get_le(in + 6, 2) * 4;
	bool wr = in[0] & 1;
	struct nvme_rdma_data d;
	struct nvme_sgl_desc again;
	struct nvme_sqe sqe;
	uint16_t st;

	memcpy(&sqe, in + 16, sizeof(sqe));
	st = nvme_rdma_dptr_parse(&sqe, wr, icd, &lim, &d);
	if (st) {
		CHECK(st == NVME_SC_INVALID_FIELD ||
		      st == NVME_SC_SGL_INVALID_TYPE ||
		      st == NVME_SC_SGL_INVALID_OFFSET ||
		      st == NVME_RDMA_SC_SGL_DATA_LEN, "status %#x", st);
		s->dptr_bad++;
		return;
	}
	CHECK(d.len <= lim.max_xfer || d.kind == NVME_RDMA_DATA_INLINE,
	      "len %u > max %u", d.len, lim.max_xfer);
	switch (d.kind) {
	case NVME_RDMA_DATA_NONE:
		CHECK(d.len == 0, "no data but len %u", d.len);
		break;
	case NVME_RDMA_DATA_KEYED:
		CHECK(d.len && d.addr + d.len - 1 >= d.addr, "wraps");
		CHECK(!nvme_rdma_keyed_sgl_encode(&again, d.addr, d.len, d.key,
						  d.invalidate), "re-encode");
		CHECK(!memcmp(&again, &sqe.dptr.sgl, sizeof(again)),
		      "keyed descriptor does not round-trip");
		s->keyed_ok++;
		break;
	case NVME_RDMA_DATA_INLINE:
		CHECK(wr, "in-capsule data for a read");
		CHECK((uint64_t)d.offset + d.len <= icd &&
		      (uint64_t)d.offset + d.len <= lim.inline_size,
		      "off %u len %u icd %u inline %u", d.offset, d.len, icd,
		      lim.inline_size);
		s->inline_ok++;
		break;
	default:
		CHECK(0, "kind %u", d.kind);
	}
}

static void fuzz_cm(const uint8_t *in)
{
	struct nvme_rdma_fuzz_stats *s = &nvme_rdma_fuzz_stats;
	uint16_t max_admin = get_le(in + 8, 2), max_io = get_le(in + 10, 2);
	size_t len = in[12] & 63;
	const uint8_t *pd = in + 80;
	struct nvme_rdma_conn_params p;
	struct nvme_rdma_cm_request req;
	uint16_t v;
	int ret;

	ret = nvme_rdma_cm_req_parse(len ? pd : NULL, len, max_admin, max_io,
				     &p);
	if (ret) {
		CHECK(ret >= NVME_RDMA_REJ_PDATA_LEN &&
		      ret <= NVME_RDMA_REJ_HRQSIZE, "reject %d", ret);
		CHECK(strcmp(nvme_rdma_cm_status_str(ret), "unknown"),
		      "no name for %d", ret);
		s->req_bad++;
	} else {
		uint16_t max = p.qid ? max_io : max_admin;

		CHECK(len >= 32, "accepted %zu bytes", len);
		CHECK(p.sq_size >= 2 && p.sq_size <= max, "sq %u", p.sq_size);
		CHECK(p.rq_size >= 1 && p.rq_size <= max, "rq %u", p.rq_size);
		nvme_rdma_cm_req_encode(&req, p.qid, p.rq_size, p.sq_size - 1,
					p.cntlid);
		CHECK(!memcmp(&req, pd, 10), "request does not round-trip");
		s->req_ok++;
	}
	if (!nvme_rdma_cm_rep_parse(len ? pd : NULL, len, &v)) {
		CHECK(len >= 4 && v, "accept %zu bytes crqsize %u", len, v);
		s->rep_ok++;
	}
	if (!nvme_rdma_cm_rej_parse(len ? pd : NULL, len, &v)) {
		CHECK(len >= 4, "reject of %zu bytes", len);
		s->rej_ok++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t in[IN_LEN] = { 0 };

	memcpy(in, data, size < IN_LEN ? size : IN_LEN);
	fuzz_dptr(in);
	fuzz_cm(in);
	return 0;
}
