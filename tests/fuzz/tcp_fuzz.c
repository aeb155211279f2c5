// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the NVMe/TCP PDU validators in fabrics/tcp/wire.c.
 *
 * The input is a negotiated state plus the bytes of one received PDU
 * header.  The harness runs the receive steps a host or target runs
 * (nvme_tcp_check_ch(), nvme_tcp_check_hdr(), then for a command capsule
 * nvme_tcp_check_cmd_sgl() and for H2CData nvme_tcp_check_h2c_data())
 * and aborts when
 *  - a validator returns anything but success or its documented errors,
 *    or fails without a reason / with an unknown FES;
 *  - an accepted header would make the caller read past its 256 byte
 *    header buffer, or its header, pad, data and digest lengths do not
 *    add up to the PDU length;
 *  - accepted data exceeds the negotiated in-capsule or MAXH2CDATA limit,
 *    in-capsule data disagrees with the SGL, or accepted H2CData lies
 *    outside its R2T.
 *
 * Input layout (short inputs are padded with zeros):
 *   byte 0   bit 0 host side, bit 1 connected, bit 2 header digest,
 *            bit 3 data digest, bit 4 fix the header digest, bit 5 fix
 *            DATAL to the PDU length, bit 6 fix the type to one valid
 *            for the direction (from bits 7 and byte 1 bits 7:6)
 *   byte 1   bits 4:0 receive PDA
 *   byte 2-3 in-capsule limit / 16; byte 4-5 MAXH2CDATA / 16
 *   byte 6-7 R2T ttag; byte 8-11 R2T offset; byte 12-15 R2T length
 *   byte 16- the PDU header (up to 256 bytes)
 */
#include <stdio.h>
#include <stdlib.h>

#include "fabrics/tcp/wire.h"
#include "tcp_fuzz.h"

#define HDR_BUF 256

struct nvme_tcp_fuzz_stats nvme_tcp_fuzz_stats;

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

static void check_err(const struct nvme_tcp_wire_err *e, int ret)
{
	CHECK(ret == -EPROTO, "ret %d", ret);
	CHECK(e->reason && e->reason[0], "no reason");
	CHECK(e->fes >= NVME_TCP_FES_INVALID_HDR_FIELD &&
	      e->fes <= NVME_TCP_FES_UNSUPPORTED_PARAM, "fes %u", e->fes);
	CHECK(e->fei < HDR_BUF, "fei %u", e->fei);
}

static const uint8_t h2c_types[] = { NVME_TCP_ICREQ, NVME_TCP_H2C_TERMREQ,
				     NVME_TCP_CMD, NVME_TCP_H2C_DATA };
static const uint8_t c2h_types[] = { NVME_TCP_ICRESP, NVME_TCP_C2H_TERMREQ,
				     NVME_TCP_RSP, NVME_TCP_C2H_DATA,
				     NVME_TCP_R2T };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t cfg[16] = { 0 };
	_Alignas(8) uint8_t hdr[HDR_BUF] = { 0 };
	struct nvme_tcp_hdr *ch = (struct nvme_tcp_hdr *)hdr;
	struct nvme_tcp_wire w = { 0 };
	struct nvme_tcp_wire_err e = { 0 };
	struct nvme_tcp_r2t_state r2t;
	int hl, ret;
	uint32_t need, plen, dlen;

	memcpy(cfg, data, size < sizeof(cfg) ? size : sizeof(cfg));
	if (size > sizeof(cfg))
		memcpy(hdr, data + sizeof(cfg),
		       size - sizeof(cfg) < HDR_BUF ? size - sizeof(cfg) : HDR_BUF);

	w.host = cfg[0] & 1;
	w.connected = cfg[0] & 2;
	w.hdgst = cfg[0] & 4;
	w.ddgst = cfg[0] & 8;
	w.rx_pda = cfg[1] & 31;
	w.inline_max = get_le(cfg + 2, 2) * 16;
	w.maxh2cdata = get_le(cfg + 4, 2) * 16;
	r2t.ttag = get_le(cfg + 6, 2);
	r2t.off = get_le(cfg + 8, 4);
	r2t.end = r2t.off + get_le(cfg + 12, 4);
	if (r2t.end < r2t.off)
		r2t.end = 0xffffffffu;

	if (cfg[0] & 0x40) {
		unsigned int sel = (cfg[0] >> 7) | ((cfg[1] >> 5) & 6);

		ch->type = w.host ? c2h_types[sel % 5] : h2c_types[sel % 4];
		ch->hlen = nvme_tcp_hlen(ch->type);
	}
	if (cfg[0] & 0x20 && (ch->type == NVME_TCP_H2C_DATA ||
			      ch->type == NVME_TCP_C2H_DATA)) {
		struct nvme_tcp_data_pdu *d = (void *)hdr;

		d->datal = cpu_to_le32(nvme_tcp_data_len(ch));
	}
	if (cfg[0] & 0x10 && ch->flags & NVME_TCP_F_HDGST &&
	    nvme_tcp_hlen(ch->type) == ch->hlen && ch->hlen)
		nvme_tcp_set_hdgst(hdr);

	hl = nvme_tcp_check_ch(&w, ch, &e);
	if (hl < 0) {
		check_err(&e, hl);
		nvme_tcp_fuzz_stats.ch_bad++;
		return 0;
	}
	nvme_tcp_fuzz_stats.ch_ok++;
	CHECK((uint32_t)hl == nvme_tcp_hdr_len(ch), "hl %d", hl);
	CHECK(hl >= ch->hlen && ch->hlen == nvme_tcp_hlen(ch->type), "hlen");
	CHECK(nvme_tcp_type_h2c(ch->type) != w.host, "direction");
	need = (uint32_t)hl > ch->pdo ? (uint32_t)hl : ch->pdo;
	CHECK(need < HDR_BUF, "header read %u", need);
	plen = le32_to_cpu(ch->plen);
	dlen = nvme_tcp_data_len(ch);
	if (ch->type == NVME_TCP_H2C_TERMREQ || ch->type == NVME_TCP_C2H_TERMREQ) {
		CHECK(dlen <= NVME_TCP_TERM_MAX_PLEN - 24, "term data %u", dlen);
	} else if (ch->pdo) {
		nvme_tcp_fuzz_stats.data_pdus++;
		CHECK(dlen > 0, "empty data accepted");
		CHECK((uint64_t)need + dlen +
		      (ch->flags & NVME_TCP_F_DDGST ? 4 : 0) == plen,
		      "lengths do not add up: %u + %u != %u", need, dlen, plen);
		CHECK(nvme_tcp_pad_len(ch) == need - (uint32_t)hl, "pad");
		CHECK(ch->pdo % ((w.rx_pda + 1u) * 4) == 0, "alignment");
		if (ch->type == NVME_TCP_CMD)
			CHECK(dlen <= w.inline_max, "in-capsule %u > %u", dlen,
			      w.inline_max);
		if (ch->type == NVME_TCP_H2C_DATA)
			CHECK(dlen <= w.maxh2cdata, "h2c %u > %u", dlen, w.maxh2cdata);
	} else {
		CHECK(dlen == 0 && plen == (uint32_t)hl, "no-data PDU");
	}

	ret = nvme_tcp_check_hdr(&w, hdr, &e);
	if (ret) {
		check_err(&e, ret);
		nvme_tcp_fuzz_stats.hdr_bad++;
		return 0;
	}
	nvme_tcp_fuzz_stats.hdr_ok++;

	if (ch->type == NVME_TCP_CMD) {
		enum nvme_tcp_cmd_data kind;
		uint32_t len;

		ret = nvme_tcp_check_cmd_sgl((void *)hdr, dlen, &kind, &len, &e);
		if (ret == -EINVAL) {
			CHECK(e.reason && !e.fes, "EINVAL shape");
		} else if (ret) {
			check_err(&e, ret);
		} else {
			nvme_tcp_fuzz_stats.sgl_ok++;
			CHECK(kind != NVME_TCP_DATA_INLINE || len == dlen,
			      "inline %u vs %u", len, dlen);
			CHECK(kind == NVME_TCP_DATA_INLINE || dlen == 0, "data ignored");
			CHECK(kind != NVME_TCP_DATA_NONE || len == 0, "none with length");
		}
	}
	if (ch->type == NVME_TCP_H2C_DATA) {
		const struct nvme_tcp_data_pdu *d = (void *)hdr;

		ret = nvme_tcp_check_h2c_data(d, &r2t, &e);
		if (ret) {
			check_err(&e, ret);
		} else {
			uint64_t off = le32_to_cpu(d->datao);

			nvme_tcp_fuzz_stats.h2c_ok++;
			CHECK(off == r2t.off && off + dlen <= r2t.end,
			      "h2c %llu+%u outside r2t", (unsigned long long)off, dlen);
		}
	}
	return 0;
}
