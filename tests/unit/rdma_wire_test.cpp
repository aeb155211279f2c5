// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fabrics/rdma/wire.c: RDMA CM private data (connect
 * request, accept, reject) and the keyed / in-capsule SGL descriptors of
 * NVMe/RDMA command capsules, including every rejection path of the
 * validators.  Byte layouts are checked against hand-written images of the
 * wire format (NVMe over Fabrics, RDMA transport binding).
 */
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

extern "C" {
#include "fabrics/rdma/wire.h"
}

namespace {

std::vector<u8> Bytes(const void *p, size_t n)
{
	const u8 *b = static_cast<const u8 *>(p);
	return std::vector<u8>(b, b + n);
}

nvme_sqe WriteCmd()
{
	nvme_sqe c;
	memset(&c, 0, sizeof(c));
	c.opc = 0x01;
	c.flags = NVME_CMD_PSDT_SGL_MPTR;
	return c;
}

const nvme_rdma_limits kLim = {128 * 1024, 8192};

TEST(RdmaCmReq, EncodeLayout)
{
	nvme_rdma_cm_request req;
	memset(&req, 0xff, sizeof(req));
	nvme_rdma_cm_req_encode(&req, 3, 128, 127, 0x1234);
	std::vector<u8> want(32, 0);
	want[2] = 3;
	want[4] = 128;
	want[6] = 127;
	want[8] = 0x34;
	want[9] = 0x12;
	EXPECT_EQ(Bytes(&req, sizeof(req)), want);
}

TEST(RdmaCmReq, ParseRoundTrip)
{
	nvme_rdma_cm_request req;
	nvme_rdma_conn_params p;
	nvme_rdma_cm_req_encode(&req, 2, 128, 127, 7);
	ASSERT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p), 0);
	EXPECT_EQ(p.qid, 2);
	EXPECT_EQ(p.cntlid, 7);
	EXPECT_EQ(p.sq_size, 128);
	EXPECT_EQ(p.rq_size, 128);
}

TEST(RdmaCmReq, PaddedPrivateDataAccepted)
{
	// IB and RoCE CM pad the private data of a REQ to 56 bytes.
	u8 buf[56];
	memset(buf, 0, sizeof(buf));
	nvme_rdma_cm_req_encode(reinterpret_cast<nvme_rdma_cm_request *>(buf), 0,
				32, 31, 0);
	nvme_rdma_conn_params p;
	EXPECT_EQ(nvme_rdma_cm_req_parse(buf, sizeof(buf), 32, 128, &p), 0);
	EXPECT_EQ(p.qid, 0);
	EXPECT_EQ(p.sq_size, 32);
}

TEST(RdmaCmReq, Rejections)
{
	nvme_rdma_cm_request req;
	nvme_rdma_conn_params p;

	EXPECT_EQ(nvme_rdma_cm_req_parse(nullptr, 0, 32, 128, &p),
		  NVME_RDMA_REJ_PDATA_LEN);
	nvme_rdma_cm_req_encode(&req, 1, 64, 63, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, 31, 32, 128, &p),
		  NVME_RDMA_REJ_PDATA_LEN);

	req.recfmt = cpu_to_le16(1);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p),
		  NVME_RDMA_REJ_RECFMT);

	// admin queue larger than the admin limit
	nvme_rdma_cm_req_encode(&req, 0, 64, 63, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p),
		  NVME_RDMA_REJ_HSQSIZE);
	// same size is fine for an I/O queue
	nvme_rdma_cm_req_encode(&req, 1, 64, 63, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p), 0);
	// I/O queue one above the limit
	nvme_rdma_cm_req_encode(&req, 1, 128, 128, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p),
		  NVME_RDMA_REJ_HSQSIZE);
	// 0's based 0xffff must not wrap to a small queue
	nvme_rdma_cm_req_encode(&req, 1, 128, 0xffff, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 0xffff, &p),
		  NVME_RDMA_REJ_HSQSIZE);
	// a one-entry queue is not allowed
	nvme_rdma_cm_req_encode(&req, 1, 128, 0, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p),
		  NVME_RDMA_REJ_HSQSIZE);
	nvme_rdma_cm_req_encode(&req, 1, 0, 63, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p),
		  NVME_RDMA_REJ_HRQSIZE);
	nvme_rdma_cm_req_encode(&req, 1, 129, 63, 0);
	EXPECT_EQ(nvme_rdma_cm_req_parse(&req, sizeof(req), 32, 128, &p),
		  NVME_RDMA_REJ_HRQSIZE);
}

TEST(RdmaCmRep, EncodeParse)
{
	nvme_rdma_cm_accept rep;
	memset(&rep, 0xff, sizeof(rep));
	nvme_rdma_cm_rep_encode(&rep, 0x0180);
	std::vector<u8> want(32, 0);
	want[2] = 0x80;
	want[3] = 0x01;
	EXPECT_EQ(Bytes(&rep, sizeof(rep)), want);

	u16 crq = 0;
	EXPECT_EQ(nvme_rdma_cm_rep_parse(&rep, sizeof(rep), &crq), 0);
	EXPECT_EQ(crq, 0x180);
	// a short but complete record is accepted
	EXPECT_EQ(nvme_rdma_cm_rep_parse(&rep, 4, &crq), 0);
	EXPECT_EQ(nvme_rdma_cm_rep_parse(&rep, 3, &crq), -EINVAL);
	EXPECT_EQ(nvme_rdma_cm_rep_parse(nullptr, 32, &crq), -EINVAL);
	nvme_rdma_cm_rep_encode(&rep, 0);
	EXPECT_EQ(nvme_rdma_cm_rep_parse(&rep, sizeof(rep), &crq), -EINVAL);
	nvme_rdma_cm_rep_encode(&rep, 8);
	rep.recfmt = cpu_to_le16(2);
	EXPECT_EQ(nvme_rdma_cm_rep_parse(&rep, sizeof(rep), &crq), -EINVAL);
}

TEST(RdmaCmRej, EncodeParse)
{
	nvme_rdma_cm_reject rej;
	nvme_rdma_cm_rej_encode(&rej, NVME_RDMA_REJ_HSQSIZE);
	std::vector<u8> want = {0, 0, 4, 0};
	EXPECT_EQ(Bytes(&rej, sizeof(rej)), want);
	u16 sts = 0;
	EXPECT_EQ(nvme_rdma_cm_rej_parse(&rej, sizeof(rej), &sts), 0);
	EXPECT_EQ(sts, NVME_RDMA_REJ_HSQSIZE);
	EXPECT_EQ(nvme_rdma_cm_rej_parse(&rej, 2, &sts), -EINVAL);
	EXPECT_EQ(nvme_rdma_cm_rej_parse(nullptr, 0, &sts), -EINVAL);
	rej.recfmt = cpu_to_le16(9);
	EXPECT_EQ(nvme_rdma_cm_rej_parse(&rej, sizeof(rej), &sts), -EINVAL);
}

TEST(RdmaCmRej, StatusNames)
{
	for (u16 s = NVME_RDMA_REJ_PDATA_LEN; s <= NVME_RDMA_REJ_CNTLID;
	     s++)
		EXPECT_STRNE(nvme_rdma_cm_status_str(s), "unknown") << s;
	EXPECT_STREQ(nvme_rdma_cm_status_str(0), "unknown");
	EXPECT_STREQ(nvme_rdma_cm_status_str(0x42), "unknown");
}

TEST(RdmaKeyedSgl, EncodeLayout)
{
	nvme_sgl_desc d;
	ASSERT_EQ(nvme_rdma_keyed_sgl_encode(&d, 0x1122334455667788ull,
					     0xabcdef, 0xdeadbeef, false),
		  0);
	std::vector<u8> want = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
				0xef, 0xcd, 0xab, 0xef, 0xbe, 0xad, 0xde, 0x40};
	EXPECT_EQ(Bytes(&d, sizeof(d)), want);

	ASSERT_EQ(nvme_rdma_keyed_sgl_encode(&d, 0, 4096, 1, true), 0);
	EXPECT_EQ(reinterpret_cast<u8 *>(&d)[15], 0x4f);
}

TEST(RdmaKeyedSgl, LengthTooLongForField)
{
	nvme_sgl_desc d;
	memset(&d, 0x5a, sizeof(d));
	EXPECT_EQ(nvme_rdma_keyed_sgl_encode(&d, 0, 1u << 24, 1, false),
		  -EINVAL);
	// untouched on failure
	for (size_t i = 0; i < sizeof(d); i++)
		EXPECT_EQ(reinterpret_cast<u8 *>(&d)[i], 0x5a);
	EXPECT_EQ(nvme_rdma_keyed_sgl_encode(&d, 0, NVME_KEYED_SGL_MAX_LEN, 1,
					     false),
		  0);
}

TEST(RdmaKeyedSgl, ParseRoundTrip)
{
	nvme_sqe c = WriteCmd();
	nvme_rdma_data out;
	ASSERT_EQ(nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, 0x7f0012340000ull,
					     65536, 0x00c0ffee, true),
		  0);
	ASSERT_EQ(nvme_rdma_dptr_parse(&c, false, 0, &kLim, &out),
		  NVME_SC_SUCCESS);
	EXPECT_EQ(out.kind, NVME_RDMA_DATA_KEYED);
	EXPECT_TRUE(out.invalidate);
	EXPECT_EQ(out.addr, 0x7f0012340000ull);
	EXPECT_EQ(out.len, 65536u);
	EXPECT_EQ(out.key, 0x00c0ffeeu);

	ASSERT_EQ(nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, 1, 512, 9, false), 0);
	ASSERT_EQ(nvme_rdma_dptr_parse(&c, true, 0, &kLim, &out),
		  NVME_SC_SUCCESS);
	EXPECT_FALSE(out.invalidate);
	EXPECT_EQ(out.kind, NVME_RDMA_DATA_KEYED);
}

TEST(RdmaKeyedSgl, NullDescriptorMeansNoData)
{
	nvme_sqe c = WriteCmd();
	nvme_rdma_data out;
	nvme_rdma_null_sgl_encode(&c.dptr.sgl);
	ASSERT_EQ(nvme_rdma_dptr_parse(&c, true, 0, &kLim, &out),
		  NVME_SC_SUCCESS);
	EXPECT_EQ(out.kind, NVME_RDMA_DATA_NONE);
	EXPECT_EQ(out.len, 0u);
}

TEST(RdmaKeyedSgl, Rejections)
{
	nvme_sqe c = WriteCmd();
	nvme_rdma_data out;

	// one byte above the negotiated maximum transfer
	nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, 0, kLim.max_xfer + 1, 1, false);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, false, 0, &kLim, &out),
		  NVME_RDMA_SC_SGL_DATA_LEN);
	nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, 0, kLim.max_xfer, 1, false);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, false, 0, &kLim, &out),
		  NVME_SC_SUCCESS);

	// remote range wrapping around the address space
	nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, ~0ull - 10, 4096, 1, false);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, false, 0, &kLim, &out),
		  NVME_RDMA_SC_SGL_DATA_LEN);

	// unknown keyed sub types
	for (u8 sub = 1; sub < 0xf; sub++) {
		nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, 0, 4096, 1, false);
		reinterpret_cast<u8 *>(&c.dptr.sgl)[15] =
			NVME_SGL_TYPE_KEYED_DATA | sub;
		EXPECT_EQ(nvme_rdma_dptr_parse(&c, false, 0, &kLim, &out),
			  NVME_SC_SGL_INVALID_TYPE)
			<< int(sub);
	}
	// segment descriptors and other types are not for NVMe/RDMA
	for (u8 t : {0x1, 0x2, 0x3, 0x5, 0x8, 0xf}) {
		nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, 0, 4096, 1, false);
		reinterpret_cast<u8 *>(&c.dptr.sgl)[15] = u8(t << 4);
		EXPECT_EQ(nvme_rdma_dptr_parse(&c, false, 0, &kLim, &out),
			  NVME_SC_SGL_INVALID_TYPE)
			<< int(t);
	}
	// PRPs or an SGL for metadata are refused
	nvme_rdma_keyed_sgl_encode(&c.dptr.sgl, 0, 4096, 1, false);
	for (u8 psdt : {0x00, 0x80, 0xc0}) {
		c.flags = psdt;
		EXPECT_EQ(nvme_rdma_dptr_parse(&c, false, 0, &kLim, &out),
			  NVME_SC_INVALID_FIELD);
	}
}

TEST(RdmaInlineSgl, EncodeLayout)
{
	nvme_sgl_desc d;
	memset(&d, 0xff, sizeof(d));
	nvme_rdma_inline_sgl_encode(&d, 0, 4096);
	std::vector<u8> want = {0, 0, 0, 0, 0, 0, 0, 0,
				0, 0x10, 0, 0, 0, 0, 0, 0x01};
	EXPECT_EQ(Bytes(&d, sizeof(d)), want);
}

TEST(RdmaInlineSgl, ParseWithinReceivedData)
{
	nvme_sqe c = WriteCmd();
	nvme_rdma_data out;
	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 0, 4096);
	ASSERT_EQ(nvme_rdma_dptr_parse(&c, true, 4096, &kLim, &out),
		  NVME_SC_SUCCESS);
	EXPECT_EQ(out.kind, NVME_RDMA_DATA_INLINE);
	EXPECT_EQ(out.offset, 0u);
	EXPECT_EQ(out.len, 4096u);

	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 512, 7680);
	ASSERT_EQ(nvme_rdma_dptr_parse(&c, true, 8192, &kLim, &out),
		  NVME_SC_SUCCESS);
	EXPECT_EQ(out.offset, 512u);
	EXPECT_EQ(out.len, 7680u);

	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 100, 0);
	ASSERT_EQ(nvme_rdma_dptr_parse(&c, true, 8192, &kLim, &out),
		  NVME_SC_SUCCESS);
	EXPECT_EQ(out.kind, NVME_RDMA_DATA_NONE);
}

TEST(RdmaInlineSgl, Rejections)
{
	nvme_sqe c = WriteCmd();
	nvme_rdma_data out;

	// more than was received
	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 0, 4097);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, true, 4096, &kLim, &out),
		  NVME_RDMA_SC_SGL_DATA_LEN);
	// received more than negotiated: the negotiated size still bounds it
	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 0, kLim.inline_size + 1);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, true, 65536, &kLim, &out),
		  NVME_RDMA_SC_SGL_DATA_LEN);
	// offset beyond the data
	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 4097, 1);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, true, 4096, &kLim, &out),
		  NVME_SC_SGL_INVALID_OFFSET);
	// offset + length overflowing 32 and 64 bits
	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 4000, 0xffffff00u);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, true, 4096, &kLim, &out),
		  NVME_RDMA_SC_SGL_DATA_LEN);
	c.dptr.sgl.addr = cpu_to_le64(~0ull);
	c.dptr.sgl.length = cpu_to_le32(2);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, true, 4096, &kLim, &out),
		  NVME_SC_SGL_INVALID_OFFSET);
	// data block with the address sub type (not an offset)
	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 0, 512);
	c.dptr.sgl.type = NVME_SGL_TYPE_DATA_BLOCK | NVME_SGL_SUBTYPE_ADDRESS;
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, true, 4096, &kLim, &out),
		  NVME_SC_SGL_INVALID_TYPE);
	// in-capsule data for a read
	nvme_rdma_inline_sgl_encode(&c.dptr.sgl, 0, 512);
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, false, 4096, &kLim, &out),
		  NVME_SC_SGL_INVALID_TYPE);
	// no in-capsule data negotiated (admin queue)
	const nvme_rdma_limits admin = {kLim.max_xfer, 0};
	EXPECT_EQ(nvme_rdma_dptr_parse(&c, true, 4096, &admin, &out),
		  NVME_SC_SGL_INVALID_TYPE);
}

// Random descriptors never yield a result outside the limits.
TEST(RdmaDptr, RandomInputStaysInBounds)
{
	std::mt19937_64 rng(42);
	for (int i = 0; i < 200000; i++) {
		nvme_sqe c;
		u64 words[8];
		for (auto &w : words)
			w = rng();
		memcpy(&c, words, sizeof(c));
		if (i & 1)
			c.flags = NVME_CMD_PSDT_SGL_MPTR;
		u32 icd = rng() % 16384;
		bool wr = rng() & 1;
		nvme_rdma_data out;
		u16 st = nvme_rdma_dptr_parse(&c, wr, icd, &kLim, &out);
		if (st != NVME_SC_SUCCESS)
			continue;
		ASSERT_LE(out.len, kLim.max_xfer);
		if (out.kind == NVME_RDMA_DATA_INLINE) {
			ASSERT_TRUE(wr);
			ASSERT_LE(u64(out.offset) + out.len,
				  std::min<u64>(icd, kLim.inline_size));
		}
	}
}

TEST(RdmaCapsule, IoccszRoundTrip)
{
	EXPECT_EQ(nvme_rdma_ioccsz(0), 4u);
	EXPECT_EQ(nvme_rdma_ioccsz(8192), 516u);
	EXPECT_EQ(nvme_rdma_inline_size(516), 8192u);
	EXPECT_EQ(nvme_rdma_inline_size(4), 0u);
	EXPECT_EQ(nvme_rdma_inline_size(0), 0u);
}

} // namespace
