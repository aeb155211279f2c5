// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fabrics/fc/wire.c: LS encoders round-trip through the
 * validators, every rejection path of the LS request / response, command
 * IU and response IU validators, the ERSP decision, and the address and
 * fcloop option parsers.
 */
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "fabrics/fc/wire.h"
}

namespace {

const uint8_t kHostId[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			      15, 16 };
const char kHostNqn[] = "nqn.2014-08.org.nvmexpress:uuid:host";
const char kSubNqn[] = "nqn.test:sub";

struct AssocRq {
	alignas(8) nvme_fc_ls_create_assoc rq;
	uint32_t len;
	AssocRq(uint16_t ratio = 8, uint16_t sqsize = 31)
	{
		len = nvme_fc_build_create_assoc(&rq, ratio, sqsize, 0xffff,
						 kHostId, kHostNqn, kSubNqn);
	}
};

int check_rqst(const void *buf, uint32_t len, nvme_fc_ls_rqst_info *info,
	       nvme_fc_wire_err *err)
{
	return nvme_fc_check_ls_rqst(buf, len, info, err);
}

TEST(FcWire, CreateAssocRoundTrip)
{
	AssocRq a;
	nvme_fc_ls_rqst_info info;
	nvme_fc_wire_err err{};

	EXPECT_EQ(a.len, sizeof(a.rq));
	ASSERT_EQ(check_rqst(&a.rq, a.len, &info, &err), 0);
	EXPECT_EQ(info.cmd, NVME_FC_LS_CREATE_ASSOC);
	EXPECT_EQ(info.ersp_ratio, 8);
	EXPECT_EQ(info.sqsize, 31);
	EXPECT_EQ(info.cntlid, 0xffff);
	EXPECT_STREQ(info.hostnqn, kHostNqn);
	EXPECT_STREQ(info.subnqn, kSubNqn);
	EXPECT_EQ(memcmp(info.hostid, kHostId, 16), 0);
	/* big endian on the wire */
	const uint8_t *b = reinterpret_cast<const uint8_t *>(&a.rq);
	EXPECT_EQ(b[0], NVME_FC_LS_CREATE_ASSOC);
	EXPECT_EQ(b[7], (976 - 8) & 0xff);
	EXPECT_EQ(b[6], (976 - 8) >> 8);
	EXPECT_EQ(b[11], NVME_FC_DESC_ASSOC_CMD);
}

TEST(FcWire, CreateAssocShortFormAccepted)
{
	AssocRq a;
	nvme_fc_ls_rqst_info info;
	uint32_t len = 8 + 8 + NVME_FC_ASSOC_CMD_MIN_LEN;

	a.rq.hdr.desc_list_len = cpu_to_be32(len - 8);
	a.rq.cmd.hdr.len = cpu_to_be32(NVME_FC_ASSOC_CMD_MIN_LEN);
	EXPECT_EQ(check_rqst(&a.rq, len, &info, nullptr), 0);
}

TEST(FcWire, CreateAssocRejects)
{
	nvme_fc_ls_rqst_info info;
	nvme_fc_wire_err err{};

	{
		AssocRq a;	/* too short for the descriptor */
		uint32_t len = 8 + 8 + NVME_FC_ASSOC_CMD_MIN_LEN - 4;

		a.rq.hdr.desc_list_len = cpu_to_be32(len - 8);
		a.rq.cmd.hdr.len = cpu_to_be32(len - 16);
		EXPECT_EQ(check_rqst(&a.rq, len, &info, &err), -EINVAL);
		EXPECT_EQ(err.rjt_exp, NVME_FC_RJT_EXP_BAD_LEN);
	}
	{
		AssocRq a;	/* list length disagrees with payload */
		EXPECT_EQ(check_rqst(&a.rq, a.len - 4, &info, &err), -EINVAL);
		EXPECT_EQ(err.rjt_reason, NVME_FC_RJT_RC_INVAL_CMD);
	}
	{
		AssocRq a;	/* wrong tag */
		a.rq.cmd.hdr.tag = cpu_to_be32(NVME_FC_DESC_CONN_CMD);
		EXPECT_EQ(check_rqst(&a.rq, a.len, &info, &err), -EINVAL);
	}
	{
		AssocRq a;	/* descriptor length disagrees */
		a.rq.cmd.hdr.len = cpu_to_be32(100);
		EXPECT_EQ(check_rqst(&a.rq, a.len, &info, &err), -EINVAL);
	}
	{
		AssocRq a;	/* hostnqn not terminated */
		memset(a.rq.cmd.hostnqn, 'a', sizeof(a.rq.cmd.hostnqn));
		EXPECT_EQ(check_rqst(&a.rq, a.len, &info, &err), -EINVAL);
		EXPECT_EQ(err.rjt_exp, NVME_FC_RJT_EXP_HOSTNQN);
	}
	{
		AssocRq a;	/* subnqn empty */
		a.rq.cmd.subnqn[0] = 0;
		EXPECT_EQ(check_rqst(&a.rq, a.len, &info, &err), -EINVAL);
		EXPECT_EQ(err.rjt_exp, NVME_FC_RJT_EXP_SUBNQN);
	}
	{
		AssocRq a(0, 31);	/* ersp ratio 0 */
		EXPECT_EQ(check_rqst(&a.rq, a.len, &info, &err), -EINVAL);
		EXPECT_EQ(err.rjt_exp, NVME_FC_RJT_EXP_ERSP_RATIO);
	}
	{
		AssocRq a(32, 31);	/* ratio above queue size */
		EXPECT_EQ(check_rqst(&a.rq, a.len, &info, &err), -EINVAL);
		EXPECT_EQ(err.rjt_exp, NVME_FC_RJT_EXP_ERSP_RATIO);
	}
	{
		AssocRq a(1, 0);	/* sqsize 0 */
		EXPECT_EQ(check_rqst(&a.rq, a.len, &info, &err), -EINVAL);
		EXPECT_EQ(err.rjt_exp, NVME_FC_RJT_EXP_SQSIZE);
	}
	{
		AssocRq a;	/* oversized payload */
		std::vector<uint8_t> big(sizeof(a.rq) + 8);
		memcpy(big.data(), &a.rq, sizeof(a.rq));
		reinterpret_cast<nvme_fc_ls_hdr *>(big.data())->desc_list_len =
			cpu_to_be32(big.size() - 8);
		EXPECT_EQ(check_rqst(big.data(), big.size(), &info, &err),
			  -EINVAL);
	}
}

TEST(FcWire, LsRqstHeaderRejects)
{
	nvme_fc_ls_rqst_info info;
	nvme_fc_wire_err err{};
	alignas(8) uint8_t b[64] = {};

	EXPECT_EQ(check_rqst(b, 4, &info, &err), -EINVAL);
	b[0] = 0x77;
	reinterpret_cast<nvme_fc_ls_hdr *>(b)->desc_list_len = cpu_to_be32(56);
	EXPECT_EQ(check_rqst(b, 64, &info, &err), -EINVAL);
	EXPECT_EQ(err.rjt_reason, NVME_FC_RJT_RC_UNSUPPORTED);
	EXPECT_EQ(info.cmd, 0x77);
}

TEST(FcWire, CreateConn)
{
	alignas(8) nvme_fc_ls_create_conn rq;
	nvme_fc_ls_rqst_info info;
	nvme_fc_wire_err err{};
	uint32_t len = nvme_fc_build_create_conn(&rq, 0x1230000, 4, 3, 127);

	ASSERT_EQ(len, sizeof(rq));
	ASSERT_EQ(check_rqst(&rq, len, &info, &err), 0);
	EXPECT_EQ(info.assoc_id, 0x1230000u);
	EXPECT_EQ(info.qid, 3);
	EXPECT_EQ(info.sqsize, 127);
	EXPECT_EQ(info.ersp_ratio, 4);

	auto bad = [&](auto mutate, uint8_t exp) {
		alignas(8) nvme_fc_ls_create_conn r;
		nvme_fc_build_create_conn(&r, 0x1230000, 4, 3, 127);
		mutate(r);
		nvme_fc_wire_err e{};
		EXPECT_EQ(check_rqst(&r, sizeof(r), &info, &e), -EINVAL);
		EXPECT_EQ(e.rjt_exp, exp);
	};
	bad([](nvme_fc_ls_create_conn &r) { r.assoc_id.id = 0; },
	    NVME_FC_RJT_EXP_NONE);
	bad([](nvme_fc_ls_create_conn &r) {
		r.assoc_id.hdr.tag = cpu_to_be32(NVME_FC_DESC_CONN_ID);
	}, NVME_FC_RJT_EXP_NONE);
	bad([](nvme_fc_ls_create_conn &r) { r.cmd.hdr.len = cpu_to_be32(8); },
	    NVME_FC_RJT_EXP_BAD_LEN);
	bad([](nvme_fc_ls_create_conn &r) { r.cmd.qid = 0; },
	    NVME_FC_RJT_EXP_QID);
	bad([](nvme_fc_ls_create_conn &r) { r.cmd.qid = 0xffff; },
	    NVME_FC_RJT_EXP_QID);
	bad([](nvme_fc_ls_create_conn &r) { r.cmd.sqsize = 0; },
	    NVME_FC_RJT_EXP_SQSIZE);
	/* wrong length */
	EXPECT_EQ(check_rqst(&rq, len + 0, &info, &err), 0);
	rq.hdr.desc_list_len = cpu_to_be32(len - 16);
	EXPECT_EQ(check_rqst(&rq, len - 8, &info, &err), -EINVAL);
}

TEST(FcWire, Disconnect)
{
	alignas(8) nvme_fc_ls_disconnect rq;
	nvme_fc_ls_rqst_info info;
	nvme_fc_wire_err err{};
	uint32_t len = nvme_fc_build_disconnect(&rq, 0xabc0000);

	ASSERT_EQ(check_rqst(&rq, len, &info, &err), 0);
	EXPECT_EQ(info.cmd, NVME_FC_LS_DISCONNECT);
	EXPECT_EQ(info.assoc_id, 0xabc0000u);
	rq.cmd.hdr.tag = cpu_to_be32(NVME_FC_DESC_RJT);
	EXPECT_EQ(check_rqst(&rq, len, &info, &err), -EINVAL);
	nvme_fc_build_disconnect(&rq, 0);
	EXPECT_EQ(check_rqst(&rq, len, &info, &err), -EINVAL);
}

TEST(FcWire, LsResponses)
{
	nvme_fc_ls_rsp_info info;
	nvme_fc_wire_err err{};

	alignas(8) nvme_fc_ls_create_assoc_acc aacc;
	uint32_t len = nvme_fc_build_assoc_acc(&aacc, 0x50000, 0x50000);
	ASSERT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_ASSOC, &aacc, len,
				       &info, &err), 0);
	EXPECT_TRUE(info.accepted);
	EXPECT_EQ(info.assoc_id, 0x50000u);
	EXPECT_EQ(info.conn_id, 0x50000u);
	/* answering a different request */
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_CONN, &aacc, len,
				       &info, &err), -EPROTO);
	/* truncated */
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_ASSOC, &aacc, len - 16,
				       &info, &err), -EPROTO);
	aacc.conn_id.id = 0;
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_ASSOC, &aacc, len,
				       &info, &err), -EPROTO);

	alignas(8) nvme_fc_ls_create_conn_acc cacc;
	len = nvme_fc_build_conn_acc(&cacc, 0x50002);
	ASSERT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_CONN, &cacc, len,
				       &info, &err), 0);
	EXPECT_EQ(info.conn_id, 0x50002u);
	cacc.rqst.hdr.len = cpu_to_be32(4);
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_CONN, &cacc, len,
				       &info, &err), -EPROTO);

	alignas(8) nvme_fc_ls_disconnect_acc dacc;
	len = nvme_fc_build_disc_acc(&dacc);
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_DISCONNECT, &dacc, len,
				       &info, &err), 0);

	alignas(8) nvme_fc_ls_rjt rjt;
	len = nvme_fc_build_rjt(&rjt, NVME_FC_LS_CREATE_ASSOC,
				NVME_FC_RJT_RC_INV_HOST, NVME_FC_RJT_EXP_HOSTNQN);
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_ASSOC, &rjt, len,
				       &info, &err), -ECONNREFUSED);
	EXPECT_FALSE(info.accepted);
	EXPECT_EQ(info.reason, NVME_FC_RJT_RC_INV_HOST);
	EXPECT_EQ(info.explanation, NVME_FC_RJT_EXP_HOSTNQN);
	/* RJT echoing another command: malformed */
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_DISCONNECT, &rjt, len,
				       &info, &err), -EPROTO);
	rjt.rjt.hdr.tag = cpu_to_be32(NVME_FC_DESC_RQST);
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_ASSOC, &rjt, len,
				       &info, &err), -EPROTO);

	alignas(8) uint8_t junk[40] = { 0x09 };
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_ASSOC, junk, 40,
				       &info, &err), -EPROTO);
	EXPECT_EQ(nvme_fc_check_ls_rsp(NVME_FC_LS_CREATE_ASSOC, junk, 3,
				       &info, &err), -EPROTO);
}

TEST(FcWire, CmdIu)
{
	alignas(8) nvme_fc_cmd_iu iu;
	nvme_sqe sqe{};
	nvme_fc_wire_err err{};

	sqe.opc = 0x02;
	sqe.cid = 7;
	nvme_fc_build_cmd_iu(&iu, 0x70003, 42, 4096, NVME_FC_CMD_READ, &sqe);
	ASSERT_EQ(nvme_fc_check_cmd_iu(&iu, sizeof(iu), 1 << 20, &err), 0);
	EXPECT_EQ(be64_to_cpu(iu.conn_id), 0x70003u);
	EXPECT_EQ(be32_to_cpu(iu.csn), 42u);
	EXPECT_EQ(iu.category, NVME_FC_CAT_IO);
	EXPECT_EQ(iu.sqe.cid, 7);
	const uint8_t *b = reinterpret_cast<const uint8_t *>(&iu);
	EXPECT_EQ(b[0], 0xfd);
	EXPECT_EQ(b[1], 0x28);
	EXPECT_EQ(b[3], 24);

	EXPECT_EQ(nvme_fc_check_cmd_iu(&iu, sizeof(iu) - 4, 1 << 20, &err),
		  -EINVAL);
	EXPECT_EQ(nvme_fc_check_cmd_iu(&iu, sizeof(iu), 2048, &err), -EINVAL);

	auto bad = [&](auto mutate) {
		alignas(8) nvme_fc_cmd_iu c = iu;
		mutate(c);
		EXPECT_EQ(nvme_fc_check_cmd_iu(&c, sizeof(c), 1 << 20, &err),
			  -EINVAL);
	};
	bad([](nvme_fc_cmd_iu &c) { c.format_id = 0; });
	bad([](nvme_fc_cmd_iu &c) { c.fc_id = 0x08; });
	bad([](nvme_fc_cmd_iu &c) { c.iu_len = cpu_to_be16(23); });
	bad([](nvme_fc_cmd_iu &c) { c.flags = 3; });
	bad([](nvme_fc_cmd_iu &c) { c.flags = 4; });
	bad([](nvme_fc_cmd_iu &c) { c.flags = 0; });
	bad([](nvme_fc_cmd_iu &c) { c.data_len = 0; });
	bad([](nvme_fc_cmd_iu &c) { c.conn_id = 0; });

	nvme_fc_build_cmd_iu(&iu, 0x70000, 1, 0, 0, &sqe);
	EXPECT_EQ(nvme_fc_check_cmd_iu(&iu, sizeof(iu), 0, &err), 0);
	EXPECT_EQ(iu.category, NVME_FC_CAT_ADMIN);
}

TEST(FcWire, Responses)
{
	nvme_fc_rsp_info info;
	nvme_fc_wire_err err{};
	alignas(8) uint8_t zero[12] = {};

	ASSERT_EQ(nvme_fc_check_rsp(nullptr, 0, 4096, 1, &info, &err), 0);
	EXPECT_FALSE(info.ersp);
	EXPECT_EQ(info.xfrd_len, 4096u);
	ASSERT_EQ(nvme_fc_check_rsp(zero, 12, 512, 1, &info, &err), 0);
	EXPECT_FALSE(info.ersp);
	zero[3] = 1;
	EXPECT_EQ(nvme_fc_check_rsp(zero, 12, 512, 1, &info, &err), -EPROTO);

	nvme_cqe cqe{};
	cqe.cid = 9;
	cqe.dw0 = cpu_to_le32(5);
	alignas(8) nvme_fc_ersp_iu iu;
	nvme_fc_build_ersp(&iu, 3, 2048, &cqe);
	ASSERT_EQ(nvme_fc_check_rsp(&iu, sizeof(iu), 4096, 9, &info, &err), 0);
	EXPECT_TRUE(info.ersp);
	EXPECT_EQ(info.rsn, 3u);
	EXPECT_EQ(info.xfrd_len, 2048u);
	EXPECT_EQ(le32_to_cpu(info.cqe->dw0), 5u);

	EXPECT_EQ(nvme_fc_check_rsp(&iu, sizeof(iu), 1024, 9, &info, &err),
		  -EPROTO);	/* more than asked */
	EXPECT_EQ(nvme_fc_check_rsp(&iu, sizeof(iu), 4096, 8, &info, &err),
		  -EPROTO);	/* other command */
	EXPECT_EQ(nvme_fc_check_rsp(&iu, 16, 4096, 9, &info, &err), -EPROTO);
	iu.iu_len = cpu_to_be16(7);
	EXPECT_EQ(nvme_fc_check_rsp(&iu, sizeof(iu), 4096, 9, &info, &err),
		  -EPROTO);
	nvme_fc_build_ersp(&iu, 3, 2048, &cqe);
	iu.status = 1;
	EXPECT_EQ(nvme_fc_check_rsp(&iu, sizeof(iu), 4096, 9, &info, &err),
		  -EPROTO);
}

TEST(FcWire, ErspNeeded)
{
	nvme_cqe cqe{};

	EXPECT_FALSE(nvme_fc_ersp_needed(&cqe, 4096, 4096, 1, 8));
	EXPECT_TRUE(nvme_fc_ersp_needed(&cqe, 4096, 4096, 8, 8));
	EXPECT_TRUE(nvme_fc_ersp_needed(&cqe, 4096, 4096, 16, 8));
	EXPECT_TRUE(nvme_fc_ersp_needed(&cqe, 2048, 4096, 1, 8));
	EXPECT_TRUE(nvme_fc_ersp_needed(&cqe, 0, 0, 1, 1));
	EXPECT_TRUE(nvme_fc_ersp_needed(&cqe, 0, 0, 1, 0));
	cqe.status = cpu_to_le16(0x2 << 1);
	EXPECT_TRUE(nvme_fc_ersp_needed(&cqe, 0, 0, 1, 8));
	cqe.status = cpu_to_le16(1);	/* phase bit only */
	EXPECT_FALSE(nvme_fc_ersp_needed(&cqe, 0, 0, 1, 8));
	cqe.dw1 = cpu_to_le32(1);
	EXPECT_TRUE(nvme_fc_ersp_needed(&cqe, 0, 0, 1, 8));
}

TEST(FcWire, ConnIds)
{
	EXPECT_EQ(nvme_fc_conn_id(0x12340000ull, 5), 0x12340005ull);
	EXPECT_EQ(nvme_fc_conn_qid(0x12340005ull), 5);
	EXPECT_EQ(nvme_fc_conn_assoc(0x12340005ull), 0x12340000ull);
}

TEST(FcWire, Traddr)
{
	uint64_t nn, pn;
	char buf[NVME_FC_TRADDR_LEN];

	ASSERT_EQ(nvme_fc_parse_traddr("nn-0x20000090fa942779:pn-0x10000090fa942779",
				       &nn, &pn), 0);
	EXPECT_EQ(nn, 0x20000090fa942779ull);
	EXPECT_EQ(pn, 0x10000090fa942779ull);
	EXPECT_EQ(nvme_fc_parse_traddr("nn-1:pn-0x2\n", &nn, &pn), 0);
	EXPECT_EQ(nn, 1u);
	EXPECT_EQ(pn, 2u);
	for (const char *s : { "", "nn-", "nn-0x:pn-1", "nn-1pn-2", "nn-1:pn-",
			       "nn-1:pn-2x", "pn-1:nn-2", "nn-1:pn-2\n\n",
			       "nn-11111111111111111:pn-1", "nn-g:pn-1",
			       "nn-1:pn-2 " })
		EXPECT_EQ(nvme_fc_parse_traddr(s, &nn, &pn), -EINVAL) << s;

	ASSERT_EQ(nvme_fc_format_traddr(buf, sizeof(buf), 0x20000090fa942779ull,
					0x1ull), 43);
	EXPECT_STREQ(buf, "nn-0x20000090fa942779:pn-0x0000000000000001");
	ASSERT_EQ(nvme_fc_parse_traddr(buf, &nn, &pn), 0);
	EXPECT_EQ(pn, 1u);
	EXPECT_EQ(nvme_fc_format_traddr(buf, 20, 1, 1), -EINVAL);
}

TEST(FcWire, PortOpts)
{
	nvme_fc_port_opts o;
	std::string s = "wwnn=0x10000090fa945001,wwpn=0x20000090fa945001\n";

	ASSERT_EQ(nvme_fc_parse_port_opts(s.data(), s.size(), &o), 0);
	EXPECT_EQ(o.mask, (uint32_t)(NVME_FC_OPT_WWNN | NVME_FC_OPT_WWPN));
	EXPECT_EQ(o.wwnn, 0x10000090fa945001ull);
	EXPECT_EQ(o.wwpn, 0x20000090fa945001ull);

	s = "wwnn=0x1,wwpn=0x2,lpwwnn=0x3,lpwwpn=4,roles=0x3,fcaddr=0x10001";
	ASSERT_EQ(nvme_fc_parse_port_opts(s.data(), s.size(), &o), 0);
	EXPECT_EQ(o.lpwwnn, 3u);
	EXPECT_EQ(o.lpwwpn, 4u);
	EXPECT_EQ(o.fcaddr, 0x10001u);

	for (std::string b : { "", "\n", "wwnn", "wwnn=", "wwnn=0x",
			       "wwnn=1,wwnn=2", "foo=1", "wwnn=1,", "wwnn=1,,",
			       "wwnn=zz", "=1", "wwnn=1\n\n",
			       "wwnn=11111111111111111" })
		EXPECT_EQ(nvme_fc_parse_port_opts(b.data(), b.size(), &o),
			  -EINVAL) << b;
	std::string nul("wwnn=1\0", 7);
	EXPECT_EQ(nvme_fc_parse_port_opts(nul.data(), nul.size(), &o), -EINVAL);
	std::string longs(300, 'a');
	EXPECT_EQ(nvme_fc_parse_port_opts(longs.data(), longs.size(), &o),
		  -EINVAL);
}

} // namespace
