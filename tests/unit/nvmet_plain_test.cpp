// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for target/nvmet_plain.c: configfs value parsing, NQN and
 * name checks, LBA range checks, Get Log Page windows, discovery log
 * entries, the Changed Namespace List, ANA states and log page, CC and
 * Connect checks, and the fabrics wire layout.
 */
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "target/nvmet_plain.h"
}

namespace {

TEST(NvmetName, Limits)
{
	std::string n(NVMF_NQN_MAX_LEN, 'a');
	EXPECT_TRUE(nvmet_name_valid(n.c_str(), n.size()));
	n.push_back('a');
	EXPECT_FALSE(nvmet_name_valid(n.c_str(), n.size()));
	EXPECT_FALSE(nvmet_name_valid("", 0));
	EXPECT_TRUE(nvmet_name_valid("testnqn", 7));
	EXPECT_FALSE(nvmet_name_valid("a b", 3));
	EXPECT_FALSE(nvmet_name_valid("a\x01", 2));
	EXPECT_FALSE(nvmet_name_valid("a\x80", 2));
}

TEST(NvmetParse, Bool)
{
	bool v = false;
	EXPECT_EQ(0, nvmet_parse_bool("1\n", &v));
	EXPECT_TRUE(v);
	EXPECT_EQ(0, nvmet_parse_bool("0", &v));
	EXPECT_FALSE(v);
	EXPECT_EQ(-EINVAL, nvmet_parse_bool("2", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_bool("", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_bool("10", &v));
}

TEST(NvmetParse, U16)
{
	u16 v = 0;
	EXPECT_EQ(0, nvmet_parse_u16("65535\n", &v));
	EXPECT_EQ(65535, v);
	EXPECT_EQ(-EINVAL, nvmet_parse_u16("65536", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_u16("-1", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_u16("", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_u16("1x", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_u16("99999999999999999999999", &v));
}

TEST(NvmetParse, Version)
{
	u32 v = 0;
	char buf[24];

	EXPECT_EQ(0, nvmet_parse_version("1.3\n", &v));
	EXPECT_EQ(0x10300u, v);
	EXPECT_GT(nvmet_format_version(buf, sizeof(buf), v), 0);
	EXPECT_STREQ("1.3", buf);
	EXPECT_EQ(0, nvmet_parse_version("2.0.1", &v));
	EXPECT_EQ(0x20001u, v);
	EXPECT_GT(nvmet_format_version(buf, sizeof(buf), v), 0);
	EXPECT_STREQ("2.0.1", buf);
	EXPECT_EQ(-EINVAL, nvmet_parse_version("abc", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_version("1", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_version("1.", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_version("0.9", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_version("1.256", &v));
	EXPECT_EQ(-EINVAL, nvmet_parse_version("1.2.3.4", &v));
	EXPECT_EQ(-EINVAL, nvmet_format_version(buf, 3, 0x10300));
}

TEST(NvmetParse, HexId)
{
	u8 id[16];
	EXPECT_EQ(0, nvmet_parse_hex_id("00112233-4455-6677-8899-aabbccddeeff\n", id, 16));
	EXPECT_EQ(0x00, id[0]);
	EXPECT_EQ(0xff, id[15]);
	EXPECT_EQ(0, nvmet_parse_hex_id("00112233445566778899AABBCCDDEEFF", id, 16));
	EXPECT_EQ(0xaa, id[10]);
	EXPECT_EQ(-EINVAL, nvmet_parse_hex_id("0011223344556677", id, 16));
	EXPECT_EQ(-EINVAL, nvmet_parse_hex_id("00112233445566778899AABBCCDDEEFF00", id, 16));
	EXPECT_EQ(-EINVAL, nvmet_parse_hex_id("0g112233445566778899AABBCCDDEEFF", id, 16));
	EXPECT_EQ(-EINVAL, nvmet_parse_hex_id("0011223344556677889-9AABBCCDDEEFF", id, 16));
}

TEST(NvmetParse, SerialModel)
{
	EXPECT_EQ(0, nvmet_serial_valid("12345678901234567890", 20));
	EXPECT_EQ(-EINVAL, nvmet_serial_valid("123456789012345678901", 21));
	EXPECT_EQ(-EINVAL, nvmet_serial_valid("", 0));
	EXPECT_EQ(0, nvmet_model_valid("Linux", 5));
	EXPECT_EQ(-EINVAL, nvmet_model_valid("a\tb", 3));
}

TEST(NvmetParse, Tables)
{
	u8 v = 0;
	EXPECT_EQ(0, nvmet_trtype_parse("tcp\n", &v));
	EXPECT_EQ(NVMF_TRTYPE_TCP, v);
	EXPECT_STREQ("loop", nvmet_trtype_name(NVMF_TRTYPE_LOOP));
	EXPECT_EQ(nullptr, nvmet_trtype_name(0));
	EXPECT_EQ(-EINVAL, nvmet_trtype_parse("tcpx", &v));
	EXPECT_EQ(-EINVAL, nvmet_trtype_parse("tc", &v));
	EXPECT_EQ(0, nvmet_adrfam_parse("ipv6", &v));
	EXPECT_EQ(NVMF_ADRFAM_IPV6, v);
	EXPECT_EQ(0, nvmet_treq_parse("not required\n", &v));
	EXPECT_EQ(NVMF_TREQ_NOT_REQUIRED, v);
	EXPECT_STREQ("not specified", nvmet_treq_name(NVMF_TREQ_DISABLE_SQFLOW));
}

TEST(NvmetLba, Range)
{
	EXPECT_EQ(0, nvmet_lba_check(0, 1, 1));
	EXPECT_EQ(0, nvmet_lba_check(0, 100, 100));
	EXPECT_EQ(NVMET_ERR(NVME_SC_LBA_RANGE), nvmet_lba_check(0, 101, 100));
	EXPECT_EQ(NVMET_ERR(NVME_SC_LBA_RANGE), nvmet_lba_check(100, 1, 100));
	EXPECT_EQ(NVMET_ERR(NVME_SC_LBA_RANGE), nvmet_lba_check(~0ull, 2, 100));
	EXPECT_EQ(NVMET_ERR(NVME_SC_LBA_RANGE), nvmet_lba_check(50, ~0ull, 100));
}

TEST(NvmetIo, DsmAcceptsTheLargestRangeBuffer)
{
	// one range (16 bytes) in Linux's 4 KiB buffer: take the buffer
	EXPECT_EQ(nvmet_dsm_accept_len(16, 4096), 4096u);
	EXPECT_EQ(nvmet_dsm_accept_len(16, 16), 16u);
	// shorter than the ranges or longer than 256 ranges: the caller's
	// length check refuses it
	EXPECT_EQ(nvmet_dsm_accept_len(32, 16), 32u);
	EXPECT_EQ(nvmet_dsm_accept_len(16, 4112), 16u);
}

TEST(NvmetLog, Window)
{
	struct nvmet_log_window w;

	/* NUMDL 0x3ff -> 1024 dwords = 4096 bytes, offset 0 */
	EXPECT_EQ(0, nvmet_log_window(0x03ff0070u, 0, 0, 0, &w));
	EXPECT_EQ(4096u, w.len);
	EXPECT_EQ(0u, w.offset);
	/* NUMDU adds the upper 16 bits of the dword count */
	EXPECT_EQ(0, nvmet_log_window(0xffff0070u, 0x1, 0x400, 0x1, &w));
	EXPECT_EQ(0x20000u * 4, w.len);
	EXPECT_EQ((1ull << 32) | 0x400, w.offset);
	EXPECT_EQ(NVMET_ERR(NVME_SC_INVALID_FIELD),
		  nvmet_log_window(0x00000070u, 0, 2, 0, &w));
	/* the largest NUMD still fits in 32 bits of bytes... just */
	EXPECT_EQ(NVMET_ERR(NVME_SC_INVALID_FIELD),
		  nvmet_log_window(0xffff0070u, 0xffff, 0, 0, &w));
}

TEST(NvmetLog, Copy)
{
	std::vector<u8> log(100);
	for (size_t i = 0; i < log.size(); i++)
		log[i] = (u8)(i + 1);
	std::vector<u8> out(64, 0xee);
	struct nvmet_log_window w = { 80, 64 };

	EXPECT_EQ(20u, nvmet_log_copy(out.data(), &w, log.data(), log.size()));
	EXPECT_EQ(81, out[0]);
	EXPECT_EQ(100, out[19]);
	EXPECT_EQ(0, out[20]);
	EXPECT_EQ(0, out[63]);
	w.offset = 1000;
	EXPECT_EQ(0u, nvmet_log_copy(out.data(), &w, log.data(), log.size()));
	EXPECT_EQ(0, out[0]);
}

TEST(NvmetDisc, Entry)
{
	struct nvmf_disc_log_entry e;
	struct nvmet_disc_src src = {};

	src.trtype = NVMF_TRTYPE_TCP;
	src.adrfam = NVMF_ADRFAM_IPV4;
	src.subtype = NVMF_SUBTYPE_NVME;
	src.portid = 7;
	src.traddr = "127.0.0.1";
	src.trsvcid = "4420";
	src.subnqn = "nqn.test";
	memset(&e, 0xaa, sizeof(e));
	nvmet_disc_fill_entry(&e, &src);
	EXPECT_EQ(NVMF_TRTYPE_TCP, e.trtype);
	EXPECT_EQ(7, le16_to_cpu(e.portid));
	EXPECT_EQ(NVMF_CNTLID_DYNAMIC, le16_to_cpu(e.cntlid));
	EXPECT_EQ(NVMF_AQ_DEPTH_MAX, le16_to_cpu(e.asqsz));
	EXPECT_EQ(0, memcmp(e.trsvcid, "4420 ", 5));
	EXPECT_EQ(' ', e.trsvcid[31]);
	EXPECT_EQ(' ', e.traddr[255]);
	EXPECT_STREQ("nqn.test", e.subnqn);
	EXPECT_EQ(0, e.subnqn[255]);
	EXPECT_EQ(0, e.tsas.common[0]);

	struct nvmf_disc_log_hdr h;
	nvmet_disc_fill_hdr(&h, 5, 3);
	EXPECT_EQ(5u, le64_to_cpu(h.genctr));
	EXPECT_EQ(3u, le64_to_cpu(h.numrec));
	EXPECT_EQ(0, le16_to_cpu(h.recfmt));
}

TEST(NvmetChangedNs, DedupAndOverflow)
{
	__le32 list[4];
	unsigned int nr = 0;

	nvmet_changed_ns_add(list, &nr, 4, 3);
	nvmet_changed_ns_add(list, &nr, 4, 3);
	nvmet_changed_ns_add(list, &nr, 4, 1);
	EXPECT_EQ(2u, nr);
	EXPECT_EQ(3u, le32_to_cpu(list[0]));
	nvmet_changed_ns_add(list, &nr, 4, 5);
	nvmet_changed_ns_add(list, &nr, 4, 6);
	EXPECT_EQ(4u, nr);
	nvmet_changed_ns_add(list, &nr, 4, 7);
	EXPECT_EQ(1u, nr);
	EXPECT_EQ(NVME_NSID_ALL, le32_to_cpu(list[0]));
	nvmet_changed_ns_add(list, &nr, 4, 8);
	EXPECT_EQ(1u, nr);
}

TEST(NvmetAna, StateNames)
{
	uint8_t v = 0;

	EXPECT_EQ(0, nvmet_ana_state_parse("optimized\n", &v));
	EXPECT_EQ(NVME_ANA_OPTIMIZED, v);
	EXPECT_EQ(0, nvmet_ana_state_parse("non-optimized", &v));
	EXPECT_EQ(NVME_ANA_NONOPTIMIZED, v);
	EXPECT_EQ(0, nvmet_ana_state_parse("persistent-loss\n", &v));
	EXPECT_EQ(NVME_ANA_PERSISTENT_LOSS, v);
	EXPECT_EQ(0, nvmet_ana_state_parse("change", &v));
	EXPECT_EQ(NVME_ANA_CHANGE, v);
	EXPECT_NE(0, nvmet_ana_state_parse("optimised", &v));
	EXPECT_NE(0, nvmet_ana_state_parse("", &v));
	EXPECT_NE(0, nvmet_ana_state_parse("inaccessible ", &v));
	EXPECT_STREQ("inaccessible", nvmet_ana_state_name(NVME_ANA_INACCESSIBLE));
	EXPECT_EQ(nullptr, nvmet_ana_state_name(0));
}

TEST(NvmetAna, IoStatusIsAPathErrorWithoutDnr)
{
	EXPECT_EQ(0, nvmet_ana_state_status(NVME_ANA_OPTIMIZED));
	EXPECT_EQ(0, nvmet_ana_state_status(NVME_ANA_NONOPTIMIZED));
	EXPECT_EQ(NVME_SC_ANA_INACCESSIBLE,
		  nvmet_ana_state_status(NVME_ANA_INACCESSIBLE));
	EXPECT_EQ(NVME_SC_ANA_PERSISTENT_LOSS,
		  nvmet_ana_state_status(NVME_ANA_PERSISTENT_LOSS));
	EXPECT_EQ(NVME_SC_ANA_TRANSITION, nvmet_ana_state_status(NVME_ANA_CHANGE));
	for (unsigned int s = 0; s < 256; s++)
		EXPECT_EQ(0, nvmet_ana_state_status(s) & NVME_STATUS_DNR);
}

TEST(NvmetAna, LogPage)
{
	std::vector<uint8_t> buf(16 + 2 * 32 + 3 * 4 + 7, 0xee);
	const uint32_t nsids[] = { 1, 7, 1024 };
	size_t len;

	nvmet_ana_log_init(buf.data(), 0x1122334455ull);
	len = nvmet_ana_log_add(buf.data(), 16, buf.size(), 1,
				NVME_ANA_OPTIMIZED, 9, nsids, 3);
	ASSERT_EQ(16u + 32 + 12, len);
	len = nvmet_ana_log_add(buf.data(), len, buf.size(), 5,
				NVME_ANA_INACCESSIBLE, 9, nullptr, 0);
	ASSERT_EQ(16u + 64 + 12, len);
	/* no room for one more descriptor: refused, page unchanged */
	EXPECT_EQ(0u, nvmet_ana_log_add(buf.data(), len, buf.size(), 6,
					NVME_ANA_OPTIMIZED, 9, nullptr, 0));
	EXPECT_EQ(0u, nvmet_ana_log_add(buf.data(), buf.size() + 1, buf.size(),
					6, NVME_ANA_OPTIMIZED, 9, nullptr, 0));

	const auto *h = reinterpret_cast<const nvme_ana_log_hdr *>(buf.data());
	EXPECT_EQ(0x1122334455ull, h->chgcnt);
	EXPECT_EQ(2, h->ngrps);
	const auto *d = reinterpret_cast<const nvme_ana_group_desc *>(h + 1);
	EXPECT_EQ(1u, d->grpid);
	EXPECT_EQ(3u, d->nnsids);
	EXPECT_EQ(9u, d->chgcnt);
	EXPECT_EQ(NVME_ANA_OPTIMIZED, d->state);
	const auto *l = reinterpret_cast<const uint32_t *>(d + 1);
	EXPECT_EQ(1u, l[0]);
	EXPECT_EQ(7u, l[1]);
	EXPECT_EQ(1024u, l[2]);
	const auto *d2 = reinterpret_cast<const nvme_ana_group_desc *>(l + 3);
	EXPECT_EQ(5u, d2->grpid);
	EXPECT_EQ(0u, d2->nnsids);
	EXPECT_EQ(NVME_ANA_INACCESSIBLE, d2->state);
	EXPECT_EQ(0xee, buf[len]);
}

TEST(NvmetCc, Check)
{
	u32 good = NVME_CC_EN | NVME_CC_IOSQES(6) | NVME_CC_IOCQES(4);

	EXPECT_EQ(0, nvmet_cc_check(good));
	EXPECT_NE(0, nvmet_cc_check(good | NVME_CC_MPS(13)));
	EXPECT_NE(0, nvmet_cc_check(NVME_CC_EN | NVME_CC_IOSQES(7) | NVME_CC_IOCQES(4)));
	EXPECT_NE(0, nvmet_cc_check(NVME_CC_EN | NVME_CC_IOSQES(6)));
	EXPECT_NE(0, nvmet_cc_check(good | (1u << 4)));
	EXPECT_NE(0, nvmet_cc_check(good | (1u << 11)));
}

TEST(NvmetConnect, Check)
{
	u16 ipo = 0;

	EXPECT_EQ(0, nvmet_connect_check(0, 0, 31, 128, 1024, 5000, &ipo));
	EXPECT_EQ(NVMET_ERR(NVME_SC_CONNECT_FORMAT),
		  nvmet_connect_check(1, 0, 31, 128, 1024, 0, &ipo));
	EXPECT_EQ(NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM),
		  nvmet_connect_check(0, 0, 32, 128, 1024, 0, &ipo));
	EXPECT_EQ(offsetof(struct nvmf_connect_cmd, sqsize), ipo);
	EXPECT_EQ(NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM),
		  nvmet_connect_check(0, 1, 0, 128, 1024, 0, &ipo));
	EXPECT_EQ(0, nvmet_connect_check(0, 1, 1023, 128, 1024, 0, &ipo));
	EXPECT_NE(0, nvmet_connect_check(0, 1, 1024, 128, 1024, 0, &ipo));
	EXPECT_EQ(NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM),
		  nvmet_connect_check(0, 129, 127, 128, 1024, 0, &ipo));
	EXPECT_EQ(offsetof(struct nvmf_connect_cmd, qid), ipo);
	EXPECT_EQ(0x10020u, NVMF_CONNECT_IPO(NVMF_IATTR_DATA, 0x20));
}

TEST(NvmetCntlid, Range)
{
	EXPECT_EQ(0, nvmet_cntlid_range_check(1, 0xffef));
	EXPECT_NE(0, nvmet_cntlid_range_check(0, 10));
	EXPECT_NE(0, nvmet_cntlid_range_check(1, 0xfff0));
	EXPECT_NE(0, nvmet_cntlid_range_check(20, 10));
	EXPECT_EQ(0, nvmet_cntlid_range_check(7, 7));
}

TEST(NvmetWire, FabricsLayout)
{
	EXPECT_EQ(64u, sizeof(struct nvmf_connect_cmd));
	EXPECT_EQ(1024u, sizeof(struct nvmf_connect_data));
	EXPECT_EQ(1024u, sizeof(struct nvmf_disc_log_entry));
	EXPECT_EQ(1024u, sizeof(struct nvmf_disc_log_hdr));
	EXPECT_EQ(44u, offsetof(struct nvmf_prop_get_cmd, offset));
	EXPECT_EQ(48u, offsetof(struct nvmf_prop_set_cmd, value));
	EXPECT_EQ(std::string("nqn.2014-08.org.nvmexpress.discovery"), NVMF_DISC_NQN);
}

} // namespace
