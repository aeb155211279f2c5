// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fabrics/tcp/wire.c: every rejection path of the PDU
 * validators (with the FES/FEI each one reports), the encoders, and the
 * CRC32C digest.
 */
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include "fabrics/tcp/wire.h"
}

namespace {

struct Buf {
	alignas(8) uint8_t b[256];
	Buf() { memset(b, 0, sizeof(b)); }
	nvme_tcp_hdr *ch() { return reinterpret_cast<nvme_tcp_hdr *>(b); }
	template <class T> T *as() { return reinterpret_cast<T *>(b); }
};

nvme_tcp_wire target_wire(bool hdgst = false, bool ddgst = false)
{
	nvme_tcp_wire w{};
	w.host = false;
	w.connected = true;
	w.hdgst = hdgst;
	w.ddgst = ddgst;
	w.rx_pda = 0;
	w.maxh2cdata = 0x10000;
	w.inline_max = 8192;
	return w;
}

nvme_tcp_wire host_wire(bool hdgst = false, bool ddgst = false)
{
	nvme_tcp_wire w = target_wire(hdgst, ddgst);
	w.host = true;
	return w;
}

void set_ch(Buf &p, uint8_t type, uint8_t flags, uint8_t hlen, uint8_t pdo,
	    uint32_t plen)
{
	p.ch()->type = type;
	p.ch()->flags = flags;
	p.ch()->hlen = hlen;
	p.ch()->pdo = pdo;
	p.ch()->plen = cpu_to_le32(plen);
}

/* expect nvme_tcp_check_ch() to refuse with @fes/@fei */
void expect_ch_fail(const nvme_tcp_wire &w, Buf &p, uint16_t fes, uint32_t fei)
{
	nvme_tcp_wire_err e{};
	EXPECT_EQ(nvme_tcp_check_ch(&w, p.ch(), &e), -EPROTO);
	EXPECT_EQ(e.fes, fes);
	EXPECT_EQ(e.fei, fei);
	ASSERT_NE(e.reason, nullptr);
	EXPECT_GT(strlen(e.reason), 5u);
}

void expect_hdr_fail(const nvme_tcp_wire &w, Buf &p, uint16_t fes, uint32_t fei)
{
	nvme_tcp_wire_err e{};
	ASSERT_GT(nvme_tcp_check_ch(&w, p.ch(), &e), 0) << e.reason;
	EXPECT_EQ(nvme_tcp_check_hdr(&w, p.b, &e), -EPROTO);
	EXPECT_EQ(e.fes, fes);
	EXPECT_EQ(e.fei, fei);
	ASSERT_NE(e.reason, nullptr);
}

int check_both(const nvme_tcp_wire &w, Buf &p)
{
	nvme_tcp_wire_err e{};
	int hl = nvme_tcp_check_ch(&w, p.ch(), &e);
	if (hl < 0)
		return hl;
	int r = nvme_tcp_check_hdr(&w, p.b, &e);
	return r ? r : hl;
}

} // namespace

TEST(TcpCrc, KnownAnswer)
{
	const char *s = "123456789";
	EXPECT_EQ(nvme_tcp_crc32c(s, 9), 0xe3069283u);
	EXPECT_EQ(nvme_tcp_crc32c(s, 0), 0u);
	/* incremental == one shot */
	uint32_t c = nvme_tcp_crc_init();
	c = nvme_tcp_crc_update(c, s, 4);
	c = nvme_tcp_crc_update(c, s + 4, 5);
	EXPECT_EQ(nvme_tcp_crc_final(c), 0xe3069283u);
}

TEST(TcpWire, HeaderLengths)
{
	EXPECT_EQ(nvme_tcp_hlen(NVME_TCP_ICREQ), 128);
	EXPECT_EQ(nvme_tcp_hlen(NVME_TCP_ICRESP), 128);
	EXPECT_EQ(nvme_tcp_hlen(NVME_TCP_H2C_TERMREQ), 24);
	EXPECT_EQ(nvme_tcp_hlen(NVME_TCP_CMD), 72);
	EXPECT_EQ(nvme_tcp_hlen(NVME_TCP_RSP), 24);
	EXPECT_EQ(nvme_tcp_hlen(NVME_TCP_H2C_DATA), 24);
	EXPECT_EQ(nvme_tcp_hlen(NVME_TCP_R2T), 24);
	EXPECT_EQ(nvme_tcp_hlen(8), 0);
	EXPECT_EQ(nvme_tcp_hlen(0xff), 0);
	EXPECT_STREQ(nvme_tcp_type_name(NVME_TCP_R2T), "R2T");
	EXPECT_STREQ(nvme_tcp_type_name(0x42), "unknown PDU");
	EXPECT_STREQ(nvme_tcp_fes_name(NVME_TCP_FES_HDR_DIGEST_ERR), "header digest error");
}

TEST(TcpWire, UnknownTypeAndDirection)
{
	nvme_tcp_wire t = target_wire(), h = host_wire();
	Buf p;

	set_ch(p, 8, 0, 24, 0, 24);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 0);
	set_ch(p, 0x0a, 0, 24, 0, 24);
	expect_ch_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 0);
	/* controller-to-host types at the target, and the reverse */
	for (uint8_t type : { NVME_TCP_ICRESP, NVME_TCP_C2H_TERMREQ, NVME_TCP_RSP,
			      NVME_TCP_C2H_DATA, NVME_TCP_R2T }) {
		set_ch(p, type, 0, nvme_tcp_hlen(type), 0, nvme_tcp_hlen(type));
		expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 0);
	}
	for (uint8_t type : { NVME_TCP_ICREQ, NVME_TCP_H2C_TERMREQ, NVME_TCP_CMD,
			      NVME_TCP_H2C_DATA }) {
		set_ch(p, type, 0, nvme_tcp_hlen(type), 0, nvme_tcp_hlen(type));
		expect_ch_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 0);
	}
}

TEST(TcpWire, Sequence)
{
	nvme_tcp_wire t = target_wire();
	Buf p;

	/* a command before the ICReq */
	t.connected = false;
	set_ch(p, NVME_TCP_CMD, 0, 72, 0, 72);
	expect_ch_fail(t, p, NVME_TCP_FES_PDU_SEQ_ERR, 0);
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 24, 28);
	expect_ch_fail(t, p, NVME_TCP_FES_PDU_SEQ_ERR, 0);
	/* a termination request is fine at any time */
	set_ch(p, NVME_TCP_H2C_TERMREQ, 0, 24, 0, 24);
	EXPECT_EQ(check_both(t, p), 24);
	/* a second ICReq */
	t.connected = true;
	set_ch(p, NVME_TCP_ICREQ, 0, 128, 0, 128);
	expect_ch_fail(t, p, NVME_TCP_FES_PDU_SEQ_ERR, 0);
	nvme_tcp_wire h = host_wire();
	set_ch(p, NVME_TCP_ICRESP, 0, 128, 0, 128);
	expect_ch_fail(h, p, NVME_TCP_FES_PDU_SEQ_ERR, 0);
}

TEST(TcpWire, HeaderLength)
{
	nvme_tcp_wire t = target_wire();
	Buf p;

	set_ch(p, NVME_TCP_CMD, 0, 64, 0, 64);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 2);
	set_ch(p, NVME_TCP_H2C_DATA, 0, 28, 28, 40);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 2);
	t.connected = false;
	set_ch(p, NVME_TCP_ICREQ, 0, 0, 0, 128);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 2);
}

TEST(TcpWire, DigestFlags)
{
	nvme_tcp_wire t = target_wire(), td = target_wire(true, true);
	Buf p;

	/* header digest negotiated but missing, and the reverse */
	set_ch(p, NVME_TCP_CMD, 0, 72, 0, 72);
	expect_ch_fail(td, p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	set_ch(p, NVME_TCP_CMD, NVME_TCP_F_HDGST, 72, 0, 76);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	/* digests never on ICReq or TermReq */
	t.connected = false;
	set_ch(p, NVME_TCP_ICREQ, NVME_TCP_F_HDGST, 128, 0, 132);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	set_ch(p, NVME_TCP_H2C_TERMREQ, NVME_TCP_F_DDGST, 24, 0, 24);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	/* data digest flag on PDUs without data */
	nvme_tcp_wire h = host_wire(false, true);
	set_ch(p, NVME_TCP_RSP, NVME_TCP_F_DDGST, 24, 0, 24);
	expect_ch_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	set_ch(p, NVME_TCP_R2T, NVME_TCP_F_DDGST, 24, 0, 24);
	expect_ch_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	set_ch(p, NVME_TCP_CMD, NVME_TCP_F_DDGST, 72, 0, 72);
	expect_ch_fail(target_wire(false, true), p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	/* data digest negotiated but missing on data / present when not */
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 24, 24 + 512);
	expect_ch_fail(target_wire(false, true), p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	set_ch(p, NVME_TCP_H2C_DATA, NVME_TCP_F_DDGST, 24, 24, 24 + 512 + 4);
	expect_ch_fail(target_wire(), p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
}

TEST(TcpWire, DataOffsetAndLength)
{
	nvme_tcp_wire t = target_wire();
	nvme_tcp_wire h = host_wire();
	Buf p;

	/* pdo on a PDU without data */
	set_ch(p, NVME_TCP_RSP, 0, 24, 24, 24);
	expect_ch_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 3);
	/* data PDU without pdo */
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 0, 24 + 512);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 3);
	/* pdo inside the header (and inside the header digest) */
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 20, 24 + 512);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 3);
	set_ch(p, NVME_TCP_H2C_DATA, NVME_TCP_F_HDGST, 24, 24, 24 + 512);
	expect_ch_fail(target_wire(true), p, NVME_TCP_FES_INVALID_HDR_FIELD, 3);
	/* pdo not aligned to the negotiated CPDA (8 bytes) */
	t.rx_pda = 1;
	set_ch(p, NVME_TCP_CMD, 0, 72, 76, 76 + 512);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 3);
	set_ch(p, NVME_TCP_CMD, 0, 72, 80, 80 + 512);
	EXPECT_EQ(check_both(t, p), 72);
	EXPECT_EQ(nvme_tcp_pad_len(p.ch()), 8u);
	EXPECT_EQ(nvme_tcp_data_len(p.ch()), 512u);
	t.rx_pda = 0;
	/* plen leaves no data */
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 24, 24);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	set_ch(p, NVME_TCP_H2C_DATA, NVME_TCP_F_DDGST, 24, 24, 27);
	expect_ch_fail(target_wire(false, true), p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 24, 10);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	/* no-data capsule with a wrong plen */
	set_ch(p, NVME_TCP_CMD, 0, 72, 0, 80);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	/* fixed-size PDUs with a wrong plen */
	set_ch(p, NVME_TCP_RSP, 0, 24, 0, 28);
	expect_ch_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	set_ch(p, NVME_TCP_R2T, NVME_TCP_F_HDGST, 24, 0, 24);
	expect_ch_fail(host_wire(true), p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	t.connected = false;
	set_ch(p, NVME_TCP_ICREQ, 0, 128, 0, 129);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	/* termination requests: 24..152 bytes */
	set_ch(p, NVME_TCP_H2C_TERMREQ, 0, 24, 0, 23);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	set_ch(p, NVME_TCP_H2C_TERMREQ, 0, 24, 0, 153);
	expect_ch_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 4);
	set_ch(p, NVME_TCP_H2C_TERMREQ, 0, 24, 0, 152);
	EXPECT_EQ(check_both(t, p), 24);
	EXPECT_EQ(nvme_tcp_data_len(p.ch()), 128u);
}

TEST(TcpWire, NegotiatedLimits)
{
	nvme_tcp_wire t = target_wire();
	Buf p;

	set_ch(p, NVME_TCP_CMD, 0, 72, 72, 72 + 8192);
	EXPECT_EQ(check_both(t, p), 72);
	set_ch(p, NVME_TCP_CMD, 0, 72, 72, 72 + 8193);
	expect_ch_fail(t, p, NVME_TCP_FES_R2T_LIMIT_EXCEEDED, 4);
	/* a huge plen must not wrap */
	set_ch(p, NVME_TCP_CMD, 0, 72, 72, 0xffffffffu);
	expect_ch_fail(t, p, NVME_TCP_FES_R2T_LIMIT_EXCEEDED, 4);

	p.as<nvme_tcp_data_pdu>()->datal = cpu_to_le32(0x10000);
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 24, 24 + 0x10000);
	EXPECT_EQ(check_both(t, p), 24);
	set_ch(p, NVME_TCP_H2C_DATA, 0, 24, 24, 24 + 0x10004);
	expect_ch_fail(t, p, NVME_TCP_FES_R2T_LIMIT_EXCEEDED, 4);
	/* the host has no MAXH2CDATA on C2HData */
	nvme_tcp_wire h = host_wire();
	p.as<nvme_tcp_data_pdu>()->datal = cpu_to_le32(0x100000);
	set_ch(p, NVME_TCP_C2H_DATA, 0, 24, 24, 24 + 0x100000);
	EXPECT_EQ(check_both(h, p), 24);
}

TEST(TcpWire, HeaderDigest)
{
	nvme_tcp_wire t = target_wire(true);
	Buf p;

	set_ch(p, NVME_TCP_CMD, NVME_TCP_F_HDGST, 72, 0, 76);
	p.b[10] = 0x42;
	nvme_tcp_set_hdgst(p.b);
	EXPECT_EQ(check_both(t, p), 76);
	p.b[72] ^= 1;
	expect_hdr_fail(t, p, NVME_TCP_FES_HDR_DIGEST_ERR, 0);
	p.b[72] ^= 1;
	p.b[10] ^= 0x80;	/* header bit flip */
	expect_hdr_fail(t, p, NVME_TCP_FES_HDR_DIGEST_ERR, 0);
}

TEST(TcpWire, ICReq)
{
	nvme_tcp_wire t = target_wire();
	Buf p;

	t.connected = false;
	nvme_tcp_enc_icreq(p.as<nvme_tcp_icreq>(), 3, true, false, 0);
	EXPECT_EQ(check_both(t, p), 128);
	EXPECT_EQ(p.as<nvme_tcp_icreq>()->digest, NVME_TCP_DGST_HDR);
	EXPECT_EQ(p.as<nvme_tcp_icreq>()->hpda, 3);
	p.as<nvme_tcp_icreq>()->pfv = cpu_to_le16(1);
	expect_hdr_fail(t, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 8);
	nvme_tcp_enc_icreq(p.as<nvme_tcp_icreq>(), 32, false, false, 0);
	expect_hdr_fail(t, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 10);
	nvme_tcp_enc_icreq(p.as<nvme_tcp_icreq>(), 31, false, false, 0);
	EXPECT_EQ(check_both(t, p), 128);
}

TEST(TcpWire, ICResp)
{
	nvme_tcp_wire h = host_wire(true, false);
	Buf p;

	h.connected = false;
	nvme_tcp_enc_icresp(p.as<nvme_tcp_icresp>(), 0, true, false, 0x40000);
	EXPECT_EQ(check_both(h, p), 128);
	p.as<nvme_tcp_icresp>()->pfv = cpu_to_le16(2);
	expect_hdr_fail(h, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 8);
	nvme_tcp_enc_icresp(p.as<nvme_tcp_icresp>(), 40, true, false, 0x40000);
	expect_hdr_fail(h, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 10);
	nvme_tcp_enc_icresp(p.as<nvme_tcp_icresp>(), 0, true, false, 4092);
	expect_hdr_fail(h, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 12);
	nvme_tcp_enc_icresp(p.as<nvme_tcp_icresp>(), 0, true, false, 4098);
	expect_hdr_fail(h, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 12);
	/* a data digest the host did not ask for */
	nvme_tcp_enc_icresp(p.as<nvme_tcp_icresp>(), 0, true, true, 0x40000);
	expect_hdr_fail(h, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 11);
	nvme_tcp_wire h2 = host_wire(false, true);
	h2.connected = false;
	nvme_tcp_enc_icresp(p.as<nvme_tcp_icresp>(), 0, true, true, 0x40000);
	expect_hdr_fail(h2, p, NVME_TCP_FES_UNSUPPORTED_PARAM, 11);
}

TEST(TcpWire, DataFields)
{
	nvme_tcp_wire t = target_wire();
	nvme_tcp_wire h = host_wire();
	Buf p;

	/* DATAL must match the PDU length */
	nvme_tcp_enc_data(p.as<nvme_tcp_data_pdu>(), NVME_TCP_H2C_DATA, false,
			  false, 0, 7, 3, 0, 4096, NVME_TCP_F_DATA_LAST);
	EXPECT_EQ(check_both(t, p), 24);
	p.as<nvme_tcp_data_pdu>()->datal = cpu_to_le32(4095);
	expect_hdr_fail(t, p, NVME_TCP_FES_INVALID_HDR_FIELD, 16);
	/* SUCCESS needs LAST_PDU */
	nvme_tcp_enc_data(p.as<nvme_tcp_data_pdu>(), NVME_TCP_C2H_DATA, false,
			  false, 0, 7, 0, 0, 4096, NVME_TCP_F_DATA_SUCCESS);
	expect_hdr_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 1);
	nvme_tcp_enc_data(p.as<nvme_tcp_data_pdu>(), NVME_TCP_C2H_DATA, false,
			  false, 0, 7, 0, 0, 4096,
			  NVME_TCP_F_DATA_SUCCESS | NVME_TCP_F_DATA_LAST);
	EXPECT_EQ(check_both(h, p), 24);
	/* an R2T for nothing */
	nvme_tcp_enc_r2t(p.as<nvme_tcp_r2t_pdu>(), false, 7, 1, 0, 0);
	expect_hdr_fail(h, p, NVME_TCP_FES_INVALID_HDR_FIELD, 16);
	nvme_tcp_enc_r2t(p.as<nvme_tcp_r2t_pdu>(), false, 7, 1, 0, 8192);
	EXPECT_EQ(check_both(h, p), 24);
}

TEST(TcpWire, H2CDataAgainstR2T)
{
	Buf p;
	nvme_tcp_wire_err e{};
	nvme_tcp_r2t_state r2t{ 5, 4096, 65536 };
	auto *d = p.as<nvme_tcp_data_pdu>();

	nvme_tcp_enc_data(d, NVME_TCP_H2C_DATA, false, false, 0, 1, 5, 4096, 8192, 0);
	EXPECT_EQ(nvme_tcp_check_h2c_data(d, &r2t, &e), 0);
	d->ttag = cpu_to_le16(6);
	EXPECT_EQ(nvme_tcp_check_h2c_data(d, &r2t, &e), -EPROTO);
	EXPECT_EQ(e.fes, NVME_TCP_FES_INVALID_HDR_FIELD);
	EXPECT_EQ(e.fei, 10u);
	d->ttag = cpu_to_le16(5);
	d->datao = cpu_to_le32(0);	/* out of order (a gap or a repeat) */
	EXPECT_EQ(nvme_tcp_check_h2c_data(d, &r2t, &e), -EPROTO);
	EXPECT_EQ(e.fes, NVME_TCP_FES_DATA_OUT_OF_RANGE);
	EXPECT_EQ(e.fei, 12u);
	d->datao = cpu_to_le32(4096);
	d->datal = cpu_to_le32(65536);	/* beyond the R2T */
	EXPECT_EQ(nvme_tcp_check_h2c_data(d, &r2t, &e), -EPROTO);
	EXPECT_EQ(e.fes, NVME_TCP_FES_DATA_OUT_OF_RANGE);
	EXPECT_EQ(e.fei, 16u);
	d->datal = cpu_to_le32(0xffffffffu);	/* must not wrap */
	EXPECT_EQ(nvme_tcp_check_h2c_data(d, &r2t, &e), -EPROTO);
	d->datal = cpu_to_le32(65536 - 4096);	/* exactly to the end */
	EXPECT_EQ(nvme_tcp_check_h2c_data(d, &r2t, &e), 0);
}

TEST(TcpWire, CommandSgl)
{
	Buf p;
	nvme_tcp_wire_err e{};
	nvme_tcp_cmd_data kind;
	uint32_t len;
	auto *c = p.as<nvme_tcp_cmd_pdu>();
	auto &sgl = c->cmd.dptr.sgl;

	/* in-capsule data */
	sgl.type = NVME_TCP_SGL_INCAPSULE;
	sgl.length = cpu_to_le32(1024);
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 1024, &kind, &len, &e), 0);
	EXPECT_EQ(kind, NVME_TCP_DATA_INLINE);
	EXPECT_EQ(len, 1024u);
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 512, &kind, &len, &e), -EPROTO);
	EXPECT_EQ(e.fei, 40u);
	sgl.addr = cpu_to_le64(16);	/* in-capsule offset: we offer none */
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 1024, &kind, &len, &e), -EPROTO);
	sgl.addr = 0;
	/* the SGL names in-capsule data but there is none */
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 0, &kind, &len, &e), -EPROTO);
	/* data with a transport SGL */
	sgl.type = NVME_TCP_SGL_TRANSPORT;
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 1024, &kind, &len, &e), -EPROTO);
	EXPECT_EQ(e.fei, 47u);
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 0, &kind, &len, &e), 0);
	EXPECT_EQ(kind, NVME_TCP_DATA_XFER);
	/* no data */
	sgl.length = 0;
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 0, &kind, &len, &e), 0);
	EXPECT_EQ(kind, NVME_TCP_DATA_NONE);
	/* keyed SGLs are RDMA's: a command error, not a protocol error */
	sgl.type = NVME_SGL_TYPE_KEYED_DATA;
	sgl.length = cpu_to_le32(4096);
	EXPECT_EQ(nvme_tcp_check_cmd_sgl(c, 0, &kind, &len, &e), -EINVAL);
	EXPECT_EQ(e.fes, 0);
}

TEST(TcpWire, EncodeRoundTrip)
{
	for (int dg = 0; dg < 4; dg++) {
		bool hd = dg & 1, dd = dg & 2;
		nvme_tcp_wire t = target_wire(hd, dd), h = host_wire(hd, dd);

		for (uint8_t pda : { 0, 1, 3, 31 }) {
			Buf p;
			memset(p.b, 0xee, sizeof(p.b));
			h.rx_pda = pda;
			t.rx_pda = pda;
			uint32_t n = nvme_tcp_enc_data(p.as<nvme_tcp_data_pdu>(),
						       NVME_TCP_C2H_DATA, hd, dd, pda,
						       9, 0, 512, 3000,
						       NVME_TCP_F_DATA_LAST);
			EXPECT_EQ(n % ((pda + 1u) * 4), 0u);
			EXPECT_EQ(check_both(h, p), hd ? 28 : 24);
			EXPECT_EQ(nvme_tcp_data_len(p.ch()), 3000u);
			EXPECT_EQ(nvme_tcp_pad_len(p.ch()) + nvme_tcp_hdr_len(p.ch()), n);
			for (uint32_t i = nvme_tcp_hdr_len(p.ch()); i < n; i++)
				EXPECT_EQ(p.b[i], 0) << "pad byte " << i;
			EXPECT_EQ(le32_to_cpu(p.ch()->plen), n + 3000 + (dd ? 4 : 0));

			nvme_sqe sqe{};
			sqe.opc = 1;
			sqe.dptr.sgl.type = NVME_TCP_SGL_INCAPSULE;
			sqe.dptr.sgl.length = cpu_to_le32(100);
			n = nvme_tcp_enc_cmd(p.as<nvme_tcp_cmd_pdu>(), hd, dd, pda, &sqe, 100);
			EXPECT_EQ(check_both(t, p), hd ? 76 : 72);
			EXPECT_EQ(nvme_tcp_data_len(p.ch()), 100u);
			n = nvme_tcp_enc_cmd(p.as<nvme_tcp_cmd_pdu>(), hd, dd, pda, &sqe, 0);
			EXPECT_EQ(n, hd ? 76u : 72u);
			EXPECT_EQ(check_both(t, p), (int)n);

			n = nvme_tcp_enc_data(p.as<nvme_tcp_data_pdu>(),
					      NVME_TCP_H2C_DATA, hd, dd, pda, 9, 4,
					      0, 4096, 0);
			EXPECT_EQ(check_both(t, p), hd ? 28 : 24);
			EXPECT_EQ(le16_to_cpu(p.as<nvme_tcp_data_pdu>()->ttag), 4);
		}
		Buf p;
		nvme_cqe cqe{};
		cqe.cid = 77;
		EXPECT_EQ(nvme_tcp_enc_rsp(p.as<nvme_tcp_rsp_pdu>(), hd, &cqe), hd ? 28u : 24u);
		EXPECT_EQ(check_both(h, p), hd ? 28 : 24);
		EXPECT_EQ(p.as<nvme_tcp_rsp_pdu>()->cqe.cid, 77);
		EXPECT_EQ(nvme_tcp_enc_r2t(p.as<nvme_tcp_r2t_pdu>(), hd, 77, 2, 0, 65536),
			  hd ? 28u : 24u);
		EXPECT_EQ(check_both(h, p), hd ? 28 : 24);
	}
}

TEST(TcpWire, TermReq)
{
	Buf p;
	std::vector<uint8_t> bad(200, 0xab);
	auto *t = p.as<nvme_tcp_term_pdu>();

	uint32_t n = nvme_tcp_enc_term(t, false, NVME_TCP_FES_DATA_OUT_OF_RANGE,
				       0x12345678, bad.data(), bad.size());
	EXPECT_EQ(n, 152u);
	EXPECT_EQ(le32_to_cpu(t->hdr.plen), 152u);
	EXPECT_EQ(t->hdr.type, NVME_TCP_C2H_TERMREQ);
	EXPECT_EQ(nvme_tcp_term_fei(t), 0x12345678u);
	EXPECT_EQ(p.b[24], 0xab);
	EXPECT_EQ(p.b[151], 0xab);
	nvme_tcp_wire h = host_wire();
	h.connected = false;
	EXPECT_EQ(check_both(h, p), 24);
	EXPECT_EQ(nvme_tcp_data_len(p.ch()), 128u);

	n = nvme_tcp_enc_term(t, true, NVME_TCP_FES_PDU_SEQ_ERR, 0, nullptr, 0);
	EXPECT_EQ(n, 24u);
	EXPECT_EQ(t->hdr.type, NVME_TCP_H2C_TERMREQ);
	EXPECT_EQ(check_both(target_wire(), p), 24);
}
