// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe/TCP PDU validation and encoding (see wire.h for the receive steps
 * and for how this file is built into both modules).
 *
 * Every check names the field it refused so that the connection's single
 * log line says exactly what the peer got wrong, and carries the FES/FEI
 * pair of the termination request the spec asks for.
 */
#include "wire.h"

#ifdef __KERNEL__
#include <linux/crc32c.h>

u32 nvme_tcp_crc_update(u32 crc, const void *buf, size_t len)
{
	return crc32c(crc, buf, len);
}
#else
/* reflected CRC32C (Castagnoli), polynomial 0x1edc6f41 */
static u32 crc32c_table[256];

static void crc32c_init_table(void)
{
	u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (c & 1 ? 0x82f63b78u : 0);
		crc32c_table[i] = c;
	}
}

u32 nvme_tcp_crc_update(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;

	if (!crc32c_table[1])
		crc32c_init_table();
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}
#endif /* __KERNEL__ */

u32 nvme_tcp_crc32c(const void *buf, size_t len)
{
	return nvme_tcp_crc_final(nvme_tcp_crc_update(nvme_tcp_crc_init(),
						      buf, len));
}

static u32 get_le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void put_le32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

u8 nvme_tcp_hlen(u8 type)
{
	switch (type) {
	case NVME_TCP_ICREQ:
	case NVME_TCP_ICRESP:
		return sizeof(struct nvme_tcp_icreq);
	case NVME_TCP_H2C_TERMREQ:
	case NVME_TCP_C2H_TERMREQ:
		return sizeof(struct nvme_tcp_term_pdu);
	case NVME_TCP_CMD:
		return sizeof(struct nvme_tcp_cmd_pdu);
	case NVME_TCP_RSP:
		return sizeof(struct nvme_tcp_rsp_pdu);
	case NVME_TCP_H2C_DATA:
	case NVME_TCP_C2H_DATA:
		return sizeof(struct nvme_tcp_data_pdu);
	case NVME_TCP_R2T:
		return sizeof(struct nvme_tcp_r2t_pdu);
	default:
		return 0;
	}
}

bool nvme_tcp_type_h2c(u8 type)
{
	return type == NVME_TCP_ICREQ || type == NVME_TCP_H2C_TERMREQ ||
	       type == NVME_TCP_CMD || type == NVME_TCP_H2C_DATA;
}

const char *nvme_tcp_type_name(u8 type)
{
	switch (type) {
	case NVME_TCP_ICREQ:		return "ICReq";
	case NVME_TCP_ICRESP:		return "ICResp";
	case NVME_TCP_H2C_TERMREQ:	return "H2CTermReq";
	case NVME_TCP_C2H_TERMREQ:	return "C2HTermReq";
	case NVME_TCP_CMD:		return "CapsuleCmd";
	case NVME_TCP_RSP:		return "CapsuleResp";
	case NVME_TCP_H2C_DATA:		return "H2CData";
	case NVME_TCP_C2H_DATA:		return "C2HData";
	case NVME_TCP_R2T:		return "R2T";
	default:			return "unknown PDU";
	}
}

const char *nvme_tcp_fes_name(u16 fes)
{
	switch (fes) {
	case NVME_TCP_FES_INVALID_HDR_FIELD:	return "invalid PDU header field";
	case NVME_TCP_FES_PDU_SEQ_ERR:		return "PDU sequence error";
	case NVME_TCP_FES_HDR_DIGEST_ERR:	return "header digest error";
	case NVME_TCP_FES_DATA_OUT_OF_RANGE:	return "data transfer out of range";
	case NVME_TCP_FES_R2T_LIMIT_EXCEEDED:	return "data transfer limit exceeded";
	case NVME_TCP_FES_UNSUPPORTED_PARAM:	return "unsupported parameter";
	default:				return "unknown error";
	}
}

/* types whose header may carry a header digest */
static bool type_has_hdgst(u8 type)
{
	return type == NVME_TCP_CMD || type == NVME_TCP_RSP ||
	       type == NVME_TCP_H2C_DATA || type == NVME_TCP_C2H_DATA ||
	       type == NVME_TCP_R2T;
}

/* types that may carry data (and so a data digest) */
static bool type_has_data(u8 type)
{
	return type == NVME_TCP_CMD || type == NVME_TCP_H2C_DATA ||
	       type == NVME_TCP_C2H_DATA;
}

static bool type_is_term(u8 type)
{
	return type == NVME_TCP_H2C_TERMREQ || type == NVME_TCP_C2H_TERMREQ;
}

static int wire_fail(struct nvme_tcp_wire_err *err, const char *reason,
		     u16 fes, u32 fei)
{
	err->reason = reason;
	err->fes = fes;
	err->fei = fei;
	return -EPROTO;
}

#define FEI_TYPE	offsetof(struct nvme_tcp_hdr, type)
#define FEI_FLAGS	offsetof(struct nvme_tcp_hdr, flags)
#define FEI_HLEN	offsetof(struct nvme_tcp_hdr, hlen)
#define FEI_PDO		offsetof(struct nvme_tcp_hdr, pdo)
#define FEI_PLEN	offsetof(struct nvme_tcp_hdr, plen)

static int check_data_layout(const struct nvme_tcp_wire *w,
			     const struct nvme_tcp_hdr *ch, u32 hl, u32 plen,
			     struct nvme_tcp_wire_err *err)
{
	u32 align = (w->rx_pda + 1u) * 4u, dgst, dlen;
	bool ddgst = ch->flags & NVME_TCP_F_DDGST;

	if (!ch->pdo) {
		/* only a command capsule may come without data */
		if (ch->type != NVME_TCP_CMD)
			return wire_fail(err, "data PDU without data offset",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PDO);
		if (ddgst)
			return wire_fail(err, "data digest flag without data",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_FLAGS);
		if (plen != hl)
			return wire_fail(err, "PDU length does not match the header length",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PLEN);
		return 0;
	}
	if (ch->pdo < hl)
		return wire_fail(err, "data offset inside the header",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PDO);
	if (ch->pdo % align)
		return wire_fail(err, "data offset not aligned to the negotiated PDA",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PDO);
	if (ddgst != w->ddgst)
		return wire_fail(err, w->ddgst ? "data digest missing" :
				 "data digest not negotiated",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_FLAGS);
	dgst = ddgst ? NVME_TCP_DIGEST_LEN : 0;
	if (plen <= ch->pdo + dgst)
		return wire_fail(err, "PDU length leaves no data",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PLEN);
	dlen = plen - ch->pdo - dgst;
	if (ch->type == NVME_TCP_CMD && dlen > w->inline_max)
		return wire_fail(err, "in-capsule data larger than offered",
				 NVME_TCP_FES_R2T_LIMIT_EXCEEDED, FEI_PLEN);
	if (ch->type == NVME_TCP_H2C_DATA && dlen > w->maxh2cdata)
		return wire_fail(err, "H2CData larger than MAXH2CDATA",
				 NVME_TCP_FES_R2T_LIMIT_EXCEEDED, FEI_PLEN);
	return 0;
}

/**
 * nvme_tcp_check_ch() - validate a received common header
 * @w: what this end negotiated
 * @ch: the first 8 bytes of the PDU
 * @err: filled in on failure
 *
 * Return: the number of header bytes (common header included, pad and
 * data excluded) to read before nvme_tcp_check_hdr(), or -EPROTO.
 */
int nvme_tcp_check_ch(const struct nvme_tcp_wire *w,
		      const struct nvme_tcp_hdr *ch,
		      struct nvme_tcp_wire_err *err)
{
	u8 hlen = nvme_tcp_hlen(ch->type);
	u32 plen = le32_to_cpu(ch->plen), hl;
	bool hdgst = ch->flags & NVME_TCP_F_HDGST;

	if (!hlen || nvme_tcp_type_h2c(ch->type) == w->host)
		return wire_fail(err, hlen ? "PDU type not valid in this direction" :
				 "unknown PDU type",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_TYPE);
	if (!w->connected && !type_is_term(ch->type) &&
	    ch->type != NVME_TCP_ICREQ && ch->type != NVME_TCP_ICRESP)
		return wire_fail(err, "PDU before connection initialization",
				 NVME_TCP_FES_PDU_SEQ_ERR, 0);
	if (w->connected &&
	    (ch->type == NVME_TCP_ICREQ || ch->type == NVME_TCP_ICRESP))
		return wire_fail(err, "second connection initialization PDU",
				 NVME_TCP_FES_PDU_SEQ_ERR, 0);
	if (ch->hlen != hlen)
		return wire_fail(err, "wrong header length for the PDU type",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_HLEN);

	if (type_has_hdgst(ch->type)) {
		if (hdgst != w->hdgst)
			return wire_fail(err, w->hdgst ? "header digest missing" :
					 "header digest not negotiated",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_FLAGS);
	} else if (ch->flags & (NVME_TCP_F_HDGST | NVME_TCP_F_DDGST)) {
		return wire_fail(err, "digest flag on a PDU that has none",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_FLAGS);
	}
	hl = hlen + (hdgst ? NVME_TCP_DIGEST_LEN : 0);

	if (type_has_data(ch->type))
		return check_data_layout(w, ch, hl, plen, err) ?: (int)hl;

	if (ch->flags & NVME_TCP_F_DDGST)
		return wire_fail(err, "data digest flag on a PDU without data",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_FLAGS);
	if (ch->pdo)
		return wire_fail(err, "data offset on a PDU without data",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PDO);
	if (type_is_term(ch->type)) {
		if (plen < hlen || plen > NVME_TCP_TERM_MAX_PLEN)
			return wire_fail(err, "termination request length out of range",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PLEN);
	} else if (plen != hl) {
		return wire_fail(err, "PDU length does not match the header length",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_PLEN);
	}
	return hl;
}

/**
 * nvme_tcp_check_hdr() - validate a complete, received PDU header
 * @w: what this end negotiated
 * @hdr: nvme_tcp_hdr_len() bytes, already passed by nvme_tcp_check_ch()
 * @err: filled in on failure
 *
 * Checks the header digest and the PDU specific fields.
 *
 * Return: 0 or -EPROTO.
 */
int nvme_tcp_check_hdr(const struct nvme_tcp_wire *w, const void *hdr,
		       struct nvme_tcp_wire_err *err)
{
	const struct nvme_tcp_hdr *ch = hdr;
	const u8 *p = hdr;

	if (ch->flags & NVME_TCP_F_HDGST &&
	    get_le32(p + ch->hlen) != nvme_tcp_crc32c(hdr, ch->hlen))
		return wire_fail(err, "header digest mismatch",
				 NVME_TCP_FES_HDR_DIGEST_ERR, 0);

	switch (ch->type) {
	case NVME_TCP_ICREQ: {
		const struct nvme_tcp_icreq *ic = hdr;

		if (le16_to_cpu(ic->pfv) != NVME_TCP_PFV_1_0)
			return wire_fail(err, "unsupported PDU format version",
					 NVME_TCP_FES_UNSUPPORTED_PARAM,
					 offsetof(struct nvme_tcp_icreq, pfv));
		if (ic->hpda > NVME_TCP_PDA_MAX)
			return wire_fail(err, "HPDA out of range",
					 NVME_TCP_FES_UNSUPPORTED_PARAM,
					 offsetof(struct nvme_tcp_icreq, hpda));
		return 0;
	}
	case NVME_TCP_ICRESP: {
		const struct nvme_tcp_icresp *ic = hdr;
		u32 maxh2c = le32_to_cpu(ic->maxh2cdata);

		if (le16_to_cpu(ic->pfv) != NVME_TCP_PFV_1_0)
			return wire_fail(err, "unsupported PDU format version",
					 NVME_TCP_FES_UNSUPPORTED_PARAM,
					 offsetof(struct nvme_tcp_icresp, pfv));
		if (ic->cpda > NVME_TCP_PDA_MAX)
			return wire_fail(err, "CPDA out of range",
					 NVME_TCP_FES_UNSUPPORTED_PARAM,
					 offsetof(struct nvme_tcp_icresp, cpda));
		/* before the exchange w->hdgst/ddgst are what the host asked */
		if ((ic->digest & NVME_TCP_DGST_HDR && !w->hdgst) ||
		    (ic->digest & NVME_TCP_DGST_DATA && !w->ddgst))
			return wire_fail(err, "digest enabled that the host did not ask for",
					 NVME_TCP_FES_UNSUPPORTED_PARAM,
					 offsetof(struct nvme_tcp_icresp, digest));
		if (maxh2c < NVME_TCP_MIN_MAXH2CDATA || maxh2c % 4)
			return wire_fail(err, "MAXH2CDATA invalid",
					 NVME_TCP_FES_UNSUPPORTED_PARAM,
					 offsetof(struct nvme_tcp_icresp, maxh2cdata));
		return 0;
	}
	case NVME_TCP_H2C_DATA:
	case NVME_TCP_C2H_DATA: {
		const struct nvme_tcp_data_pdu *d = hdr;

		if (le32_to_cpu(d->datal) != nvme_tcp_data_len(ch))
			return wire_fail(err, "DATAL does not match the PDU length",
					 NVME_TCP_FES_INVALID_HDR_FIELD,
					 offsetof(struct nvme_tcp_data_pdu, datal));
		if (ch->type == NVME_TCP_C2H_DATA &&
		    (ch->flags & NVME_TCP_F_DATA_SUCCESS) &&
		    !(ch->flags & NVME_TCP_F_DATA_LAST))
			return wire_fail(err, "SUCCESS flag without LAST_PDU",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_FLAGS);
		return 0;
	}
	case NVME_TCP_R2T: {
		const struct nvme_tcp_r2t_pdu *r = hdr;

		if (!le32_to_cpu(r->r2tl))
			return wire_fail(err, "R2T for zero bytes",
					 NVME_TCP_FES_INVALID_HDR_FIELD,
					 offsetof(struct nvme_tcp_r2t_pdu, r2tl));
		return 0;
	}
	default:
		return 0;
	}
}

u32 nvme_tcp_hdr_len(const struct nvme_tcp_hdr *ch)
{
	return ch->hlen + (ch->flags & NVME_TCP_F_HDGST ? NVME_TCP_DIGEST_LEN : 0);
}

u32 nvme_tcp_pad_len(const struct nvme_tcp_hdr *ch)
{
	return ch->pdo ? ch->pdo - nvme_tcp_hdr_len(ch) : 0;
}

/* termination requests: the error data counts as data (no digest) */
u32 nvme_tcp_data_len(const struct nvme_tcp_hdr *ch)
{
	u32 plen = le32_to_cpu(ch->plen);

	if (type_is_term(ch->type))
		return plen - ch->hlen;
	if (!ch->pdo)
		return 0;
	return plen - ch->pdo -
		(ch->flags & NVME_TCP_F_DDGST ? NVME_TCP_DIGEST_LEN : 0);
}

/**
 * nvme_tcp_check_h2c_data() - check an H2CData header against its R2T
 * @d: header passed by nvme_tcp_check_hdr()
 * @r2t: the R2T outstanding for the command @d->cccid names
 * @err: filled in on failure
 *
 * The data of one R2T must come in order, without gaps, and stay inside
 * the range the R2T asked for.
 *
 * Return: 0 or -EPROTO.
 */
int nvme_tcp_check_h2c_data(const struct nvme_tcp_data_pdu *d,
			    const struct nvme_tcp_r2t_state *r2t,
			    struct nvme_tcp_wire_err *err)
{
	u64 off = le32_to_cpu(d->datao), len = le32_to_cpu(d->datal);

	if (le16_to_cpu(d->ttag) != r2t->ttag)
		return wire_fail(err, "H2CData transfer tag does not match the R2T",
				 NVME_TCP_FES_INVALID_HDR_FIELD,
				 offsetof(struct nvme_tcp_data_pdu, ttag));
	if (off != r2t->off)
		return wire_fail(err, "H2CData offset out of order",
				 NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_data_pdu, datao));
	if (off + len > r2t->end)
		return wire_fail(err, "H2CData beyond the R2T",
				 NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_data_pdu, datal));
	return 0;
}

int nvme_tcp_check_c2h_data(const struct nvme_tcp_data_pdu *d,
			    const struct nvme_tcp_host_xfer *x,
			    struct nvme_tcp_wire_err *err)
{
	u64 off = le32_to_cpu(d->datao), len = le32_to_cpu(d->datal);

	if (!x->read || !x->len)
		return wire_fail(err, "C2HData for a command that reads no data",
				 NVME_TCP_FES_PDU_SEQ_ERR, 0);
	if (off != x->done)
		return wire_fail(err, "C2HData offset out of order",
				 NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_data_pdu, datao));
	if (off + len > x->len)
		return wire_fail(err, "C2HData beyond the command's buffer",
				 NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_data_pdu, datal));
	if ((d->hdr.flags & NVME_TCP_F_DATA_SUCCESS) && off + len != x->len)
		return wire_fail(err, "C2HData SUCCESS flag before the last byte",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_FLAGS);
	return 0;
}

int nvme_tcp_check_r2t(const struct nvme_tcp_r2t_pdu *r,
		       const struct nvme_tcp_host_xfer *x,
		       struct nvme_tcp_wire_err *err)
{
	u64 off = le32_to_cpu(r->r2to), len = le32_to_cpu(r->r2tl);

	if (x->read || !x->len)
		return wire_fail(err, "R2T for a command that writes no data",
				 NVME_TCP_FES_PDU_SEQ_ERR, 0);
	if (!x->wait_r2t)
		return wire_fail(err, "R2T for a command that is not waiting for one",
				 NVME_TCP_FES_PDU_SEQ_ERR, 0);
	if (off != x->done)
		return wire_fail(err, "R2T offset is not the next unsent byte",
				 NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_r2t_pdu, r2to));
	if (!len || off + len > x->len)
		return wire_fail(err, "R2T beyond the command's buffer",
				 NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_r2t_pdu, r2tl));
	return 0;
}

#define FEI_SGL_LEN	(offsetof(struct nvme_tcp_cmd_pdu, cmd.dptr.sgl.length))
#define FEI_SGL_TYPE	(offsetof(struct nvme_tcp_cmd_pdu, cmd.dptr.sgl.type))

/**
 * nvme_tcp_check_cmd_sgl() - how a command capsule's data is transferred
 * @pdu: the capsule header
 * @icd_len: in-capsule data bytes the capsule carries
 * @kind: set to where the data is
 * @len: set to the command's data length
 * @err: filled in on failure
 *
 * Return: 0; -EPROTO when the SGL contradicts the capsule (fatal to the
 * connection); -EINVAL when the command uses an SGL this transport does
 * not support (fail the command with an SGL status).
 */
int nvme_tcp_check_cmd_sgl(const struct nvme_tcp_cmd_pdu *pdu, u32 icd_len,
			   enum nvme_tcp_cmd_data *kind, u32 *len,
			   struct nvme_tcp_wire_err *err)
{
	const struct nvme_sgl_desc *sgl = &pdu->cmd.dptr.sgl;
	u32 slen = le32_to_cpu(sgl->length);

	*len = slen;
	if (icd_len) {
		if (sgl->type != NVME_TCP_SGL_INCAPSULE)
			return wire_fail(err, "in-capsule data with a non-offset SGL",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_SGL_TYPE);
		if (slen != icd_len || le64_to_cpu(sgl->addr))
			return wire_fail(err, "in-capsule data does not match the SGL",
					 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_SGL_LEN);
		*kind = NVME_TCP_DATA_INLINE;
		return 0;
	}
	if (!slen) {
		*kind = NVME_TCP_DATA_NONE;
		return 0;
	}
	if (sgl->type == NVME_TCP_SGL_INCAPSULE)
		return wire_fail(err, "SGL names in-capsule data the capsule lacks",
				 NVME_TCP_FES_INVALID_HDR_FIELD, FEI_SGL_LEN);
	if (sgl->type != NVME_TCP_SGL_TRANSPORT) {
		err->reason = "unsupported SGL descriptor type";
		err->fes = 0;
		err->fei = 0;
		return -EINVAL;
	}
	*kind = NVME_TCP_DATA_XFER;
	return 0;
}

u32 nvme_tcp_fill_hdr(struct nvme_tcp_hdr *ch, u8 type, bool hdgst,
		      bool ddgst, u8 tx_pda, u32 data_len)
{
	u32 hlen = nvme_tcp_hlen(type), hl, align = (tx_pda + 1u) * 4u, pdo;

	ch->type = type;
	ch->flags = 0;
	ch->hlen = hlen;
	if (hdgst && type_has_hdgst(type))
		ch->flags |= NVME_TCP_F_HDGST;
	hl = nvme_tcp_hdr_len(ch);
	if (!data_len || !type_has_data(type)) {
		ch->pdo = 0;
		ch->plen = cpu_to_le32(hl);
		return hl;
	}
	pdo = (hl + align - 1) / align * align;
	if (pdo > hl)
		memset((u8 *)ch + hl, 0, pdo - hl);
	if (ddgst)
		ch->flags |= NVME_TCP_F_DDGST;
	ch->pdo = pdo;
	ch->plen = cpu_to_le32(pdo + data_len + (ddgst ? NVME_TCP_DIGEST_LEN : 0));
	return pdo;
}

void nvme_tcp_set_hdgst(void *hdr)
{
	struct nvme_tcp_hdr *ch = hdr;

	if (ch->flags & NVME_TCP_F_HDGST)
		put_le32((u8 *)hdr + ch->hlen, nvme_tcp_crc32c(hdr, ch->hlen));
}

void nvme_tcp_enc_icreq(struct nvme_tcp_icreq *p, u8 hpda, bool hdgst,
			bool ddgst, u32 maxr2t)
{
	memset(p, 0, sizeof(*p));
	nvme_tcp_fill_hdr(&p->hdr, NVME_TCP_ICREQ, false, false, 0, 0);
	p->pfv = cpu_to_le16(NVME_TCP_PFV_1_0);
	p->hpda = hpda;
	p->digest = (hdgst ? NVME_TCP_DGST_HDR : 0) |
		    (ddgst ? NVME_TCP_DGST_DATA : 0);
	p->maxr2t = cpu_to_le32(maxr2t);
}

void nvme_tcp_enc_icresp(struct nvme_tcp_icresp *p, u8 cpda, bool hdgst,
			 bool ddgst, u32 maxh2cdata)
{
	memset(p, 0, sizeof(*p));
	nvme_tcp_fill_hdr(&p->hdr, NVME_TCP_ICRESP, false, false, 0, 0);
	p->pfv = cpu_to_le16(NVME_TCP_PFV_1_0);
	p->cpda = cpda;
	p->digest = (hdgst ? NVME_TCP_DGST_HDR : 0) |
		    (ddgst ? NVME_TCP_DGST_DATA : 0);
	p->maxh2cdata = cpu_to_le32(maxh2cdata);
}

/*
 * @p must have room for NVME_TCP_TERM_MAX_PLEN bytes; the offending
 * header is copied after the 24 byte termination header, truncated.
 */
u32 nvme_tcp_enc_term(struct nvme_tcp_term_pdu *p, bool host, u16 fes,
		      u32 fei, const void *bad_hdr, u32 bad_len)
{
	u32 max = NVME_TCP_TERM_MAX_PLEN - sizeof(*p);

	if (bad_len > max)
		bad_len = max;
	memset(p, 0, sizeof(*p));
	nvme_tcp_fill_hdr(&p->hdr, host ? NVME_TCP_H2C_TERMREQ :
			  NVME_TCP_C2H_TERMREQ, false, false, 0, 0);
	p->fes = cpu_to_le16(fes);
	nvme_tcp_term_set_fei(p, fei);
	if (bad_len)
		memcpy(p + 1, bad_hdr, bad_len);
	p->hdr.plen = cpu_to_le32(sizeof(*p) + bad_len);
	return sizeof(*p) + bad_len;
}

/* @p needs 4 bytes after the structure for the header digest */
u32 nvme_tcp_enc_rsp(struct nvme_tcp_rsp_pdu *p, bool hdgst,
		     const struct nvme_cqe *cqe)
{
	u32 n = nvme_tcp_fill_hdr(&p->hdr, NVME_TCP_RSP, hdgst, false, 0, 0);

	p->cqe = *cqe;
	nvme_tcp_set_hdgst(p);
	return n;
}

u32 nvme_tcp_enc_r2t(struct nvme_tcp_r2t_pdu *p, bool hdgst, u16 cccid,
		     u16 ttag, u32 off, u32 len)
{
	u32 n = nvme_tcp_fill_hdr(&p->hdr, NVME_TCP_R2T, hdgst, false, 0, 0);

	p->cccid = cccid;
	p->ttag = cpu_to_le16(ttag);
	p->r2to = cpu_to_le32(off);
	p->r2tl = cpu_to_le32(len);
	memset(p->rsvd20, 0, sizeof(p->rsvd20));
	nvme_tcp_set_hdgst(p);
	return n;
}

/*
 * H2CData or C2HData header for @len bytes at @off; @flags adds
 * NVME_TCP_F_DATA_LAST / _SUCCESS.  @p needs room for the pad up to the
 * data offset: 128 bytes at the largest PDA.
 */
u32 nvme_tcp_enc_data(struct nvme_tcp_data_pdu *p, u8 type, bool hdgst,
		      bool ddgst, u8 tx_pda, u16 cccid, u16 ttag, u32 off,
		      u32 len, u8 flags)
{
	u32 n = nvme_tcp_fill_hdr(&p->hdr, type, hdgst, ddgst, tx_pda, len);

	p->hdr.flags |= flags & (NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS);
	p->cccid = cccid;
	p->ttag = type == NVME_TCP_H2C_DATA ? cpu_to_le16(ttag) : 0;
	p->datao = cpu_to_le32(off);
	p->datal = cpu_to_le32(len);
	memset(p->rsvd20, 0, sizeof(p->rsvd20));
	nvme_tcp_set_hdgst(p);
	return n;
}

u32 nvme_tcp_enc_cmd(struct nvme_tcp_cmd_pdu *p, bool hdgst, bool ddgst,
		     u8 tx_pda, const struct nvme_sqe *cmd, u32 icd_len)
{
	u32 n = nvme_tcp_fill_hdr(&p->hdr, NVME_TCP_CMD, hdgst, ddgst, tx_pda,
				  icd_len);

	p->cmd = *cmd;
	nvme_tcp_set_hdgst(p);
	return n;
}
