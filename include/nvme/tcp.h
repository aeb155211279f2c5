/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe/TCP transport binding: PDU wire definitions.
 *
 * Written from the NVM Express TCP Transport Specification 1.0.  A PDU is
 * a common header (8 bytes), the rest of a fixed-size PDU specific header,
 * an optional header digest (CRC32C of the header, 4 bytes), optional pad
 * up to the data offset, optional data and an optional data digest
 * (CRC32C of the data, 4 bytes).  Every multi-byte field is little endian;
 * command identifiers (cccid) are the opaque SQE command identifier and
 * are copied, never interpreted, so they stay u16 like nvme_sqe.cid.
 */
#ifndef NVME_OOT_TCP_H
#define NVME_OOT_TCP_H

#include "compat.h"
#include "spec.h"

/* the only PDU format version defined so far */
#define NVME_TCP_PFV_1_0		0x0

/* well known port of the discovery service and default I/O port */
#define NVME_TCP_DISC_PORT		8009
#define NVME_TCP_IO_PORT		4420

#define NVME_TCP_DIGEST_LEN		4
/* PDU data alignment: (pda + 1) dwords, pda at most 31 */
#define NVME_TCP_PDA_MAX		31
/* smallest MAXH2CDATA a controller may offer */
#define NVME_TCP_MIN_MAXH2CDATA		4096

/**
 * enum nvme_tcp_pdu_type - PDU type (common header byte 0)
 * @NVME_TCP_ICREQ: initialize connection request (host to controller)
 * @NVME_TCP_ICRESP: initialize connection response (controller to host)
 * @NVME_TCP_H2C_TERMREQ: host to controller terminate connection request
 * @NVME_TCP_C2H_TERMREQ: controller to host terminate connection request
 * @NVME_TCP_CMD: command capsule (host to controller)
 * @NVME_TCP_RSP: response capsule (controller to host)
 * @NVME_TCP_H2C_DATA: host to controller data
 * @NVME_TCP_C2H_DATA: controller to host data
 * @NVME_TCP_R2T: ready to transfer (controller to host)
 */
enum nvme_tcp_pdu_type {
	NVME_TCP_ICREQ		= 0x00,
	NVME_TCP_ICRESP		= 0x01,
	NVME_TCP_H2C_TERMREQ	= 0x02,
	NVME_TCP_C2H_TERMREQ	= 0x03,
	NVME_TCP_CMD		= 0x04,
	NVME_TCP_RSP		= 0x05,
	NVME_TCP_H2C_DATA	= 0x06,
	NVME_TCP_C2H_DATA	= 0x07,
	NVME_TCP_R2T		= 0x09,
};

/* common header flags (byte 1); which bits are valid depends on the type */
enum {
	NVME_TCP_F_HDGST	= BIT(0),	/* header digest present */
	NVME_TCP_F_DDGST	= BIT(1),	/* data digest present */
	NVME_TCP_F_DATA_LAST	= BIT(2),	/* last data PDU of a transfer */
	NVME_TCP_F_DATA_SUCCESS	= BIT(3),	/* C2HData: command succeeded */
};

/* ICReq/ICResp digest byte */
enum {
	NVME_TCP_DGST_HDR	= BIT(0),
	NVME_TCP_DGST_DATA	= BIT(1),
};

/**
 * struct nvme_tcp_hdr - common header of every PDU (8 bytes)
 * @type: PDU type, &enum nvme_tcp_pdu_type
 * @flags: NVME_TCP_F_* flags
 * @hlen: length of the PDU header in bytes, without the header digest
 * @pdo: PDU data offset: where the data starts, 0 if there is none
 * @plen: length of the whole PDU, header, digests, pad and data included
 */
struct nvme_tcp_hdr {
	u8	type;
	u8	flags;
	u8	hlen;
	u8	pdo;
	__le32	plen;
};

/**
 * struct nvme_tcp_icreq - initialize connection request (128 bytes)
 * @hdr: common header, hlen = plen = 128, pdo = 0, flags = 0
 * @pfv: PDU format version, NVME_TCP_PFV_1_0
 * @hpda: host PDU data alignment: data in controller to host PDUs starts
 *	on a (@hpda + 1) dword boundary; 0 to 31
 * @digest: NVME_TCP_DGST_* digests the host asks for
 * @maxr2t: outstanding R2Ts per command the host accepts, 0's based
 * @rsvd16: reserved
 */
struct nvme_tcp_icreq {
	struct nvme_tcp_hdr hdr;
	__le16	pfv;
	u8	hpda;
	u8	digest;
	__le32	maxr2t;
	u8	rsvd16[112];
};

/**
 * struct nvme_tcp_icresp - initialize connection response (128 bytes)
 * @hdr: common header, hlen = plen = 128, pdo = 0, flags = 0
 * @pfv: PDU format version, NVME_TCP_PFV_1_0
 * @cpda: controller PDU data alignment: data in host to controller PDUs
 *	must start on a (@cpda + 1) dword boundary; 0 to 31
 * @digest: NVME_TCP_DGST_* digests enabled on this connection
 * @maxh2cdata: largest data length of one H2CData PDU, in bytes, a dword
 *	multiple and at least 4096
 * @rsvd16: reserved
 */
struct nvme_tcp_icresp {
	struct nvme_tcp_hdr hdr;
	__le16	pfv;
	u8	cpda;
	u8	digest;
	__le32	maxh2cdata;
	u8	rsvd16[112];
};

/**
 * enum nvme_tcp_fes - fatal error status of a termination request
 * @NVME_TCP_FES_INVALID_HDR_FIELD: a header field is invalid, FEI is the
 *	byte offset of that field in the PDU header
 * @NVME_TCP_FES_PDU_SEQ_ERR: a PDU arrived that is not valid in the state
 *	the connection is in
 * @NVME_TCP_FES_HDR_DIGEST_ERR: header digest mismatch
 * @NVME_TCP_FES_DATA_OUT_OF_RANGE: data offset or length outside the
 *	command's data or the R2T's range
 * @NVME_TCP_FES_R2T_LIMIT_EXCEEDED: more data or R2Ts than negotiated
 *	(data transfer limit exceeded)
 * @NVME_TCP_FES_UNSUPPORTED_PARAM: an ICReq/ICResp value is not
 *	supported, FEI is its byte offset
 */
enum nvme_tcp_fes {
	NVME_TCP_FES_INVALID_HDR_FIELD	= 0x01,
	NVME_TCP_FES_PDU_SEQ_ERR	= 0x02,
	NVME_TCP_FES_HDR_DIGEST_ERR	= 0x03,
	NVME_TCP_FES_DATA_OUT_OF_RANGE	= 0x04,
	NVME_TCP_FES_R2T_LIMIT_EXCEEDED	= 0x05,
	NVME_TCP_FES_UNSUPPORTED_PARAM	= 0x06,
};

/* a termination request carries the offending header, up to this size */
#define NVME_TCP_TERM_MAX_PLEN		152

/**
 * struct nvme_tcp_term_pdu - H2CTermReq / C2HTermReq header (24 bytes)
 * @hdr: common header, hlen = 24, pdo = 0, plen = 24 + error data length
 * @fes: fatal error status, &enum nvme_tcp_fes
 * @fei: fatal error information (an offset, or 0)
 * @rsvd14: reserved
 *
 * The header is followed by error data: the start of the PDU header in
 * which the error was found, at most %NVME_TCP_TERM_MAX_PLEN - 24 bytes.
 * Termination requests never carry digests.
 */
struct nvme_tcp_term_pdu {
	struct nvme_tcp_hdr hdr;
	__le16	fes;
	__le16	fei_lo;
	__le16	fei_hi;
	u8	rsvd14[10];
};

/**
 * struct nvme_tcp_cmd_pdu - command capsule header (72 bytes)
 * @hdr: common header, hlen = 72; pdo and data only with in-capsule data
 * @cmd: the submission queue entry
 */
struct nvme_tcp_cmd_pdu {
	struct nvme_tcp_hdr hdr;
	struct nvme_sqe cmd;
};

/**
 * struct nvme_tcp_rsp_pdu - response capsule (24 bytes)
 * @hdr: common header, hlen = plen (+ digest) = 24, pdo = 0
 * @cqe: the completion queue entry
 */
struct nvme_tcp_rsp_pdu {
	struct nvme_tcp_hdr hdr;
	struct nvme_cqe cqe;
};

/**
 * struct nvme_tcp_data_pdu - H2CData / C2HData header (24 bytes)
 * @hdr: common header, hlen = 24, pdo = where the data starts
 * @cccid: command identifier of the command the data belongs to
 * @ttag: H2CData: the transfer tag of the R2T it answers; C2HData: reserved
 * @datao: offset of this PDU's data in the command's data buffer
 * @datal: length of this PDU's data
 * @rsvd20: reserved
 */
struct nvme_tcp_data_pdu {
	struct nvme_tcp_hdr hdr;
	u16	cccid;
	__le16	ttag;
	__le32	datao;
	__le32	datal;
	u8	rsvd20[4];
};

/**
 * struct nvme_tcp_r2t_pdu - ready to transfer (24 bytes)
 * @hdr: common header, hlen = plen (+ digest) = 24, pdo = 0
 * @cccid: command identifier of the write the R2T is for
 * @ttag: transfer tag the host echoes in its H2CData PDUs
 * @r2to: offset in the command's data the host shall send from
 * @r2tl: number of bytes the host shall send
 * @rsvd20: reserved
 */
struct nvme_tcp_r2t_pdu {
	struct nvme_tcp_hdr hdr;
	u16	cccid;
	__le16	ttag;
	__le32	r2to;
	__le32	r2tl;
	u8	rsvd20[4];
};

/* SGL descriptor types the binding uses in a command capsule */
#define NVME_TCP_SGL_INCAPSULE	(NVME_SGL_TYPE_DATA_BLOCK | NVME_SGL_SUBTYPE_OFFSET)
#define NVME_TCP_SGL_TRANSPORT	0x5a	/* transport SGL data block */

/* the largest PDU header (ICReq/ICResp; a capsule header + digest is 76) */
#define NVME_TCP_MAX_HDR	(sizeof(struct nvme_tcp_icreq))

static_assert(sizeof(struct nvme_tcp_hdr) == 8, "common header size");
static_assert(offsetof(struct nvme_tcp_hdr, plen) == 4, "plen");
static_assert(sizeof(struct nvme_tcp_icreq) == 128, "ICReq size");
static_assert(offsetof(struct nvme_tcp_icreq, pfv) == 8, "ICReq pfv");
static_assert(offsetof(struct nvme_tcp_icreq, hpda) == 10, "ICReq hpda");
static_assert(offsetof(struct nvme_tcp_icreq, digest) == 11, "ICReq dgst");
static_assert(offsetof(struct nvme_tcp_icreq, maxr2t) == 12, "ICReq maxr2t");
static_assert(sizeof(struct nvme_tcp_icresp) == 128, "ICResp size");
static_assert(offsetof(struct nvme_tcp_icresp, cpda) == 10, "ICResp cpda");
static_assert(offsetof(struct nvme_tcp_icresp, maxh2cdata) == 12, "ICResp maxh2cdata");
static_assert(sizeof(struct nvme_tcp_term_pdu) == 24, "TermReq size");
static_assert(offsetof(struct nvme_tcp_term_pdu, fei_lo) == 10, "TermReq fei");
static_assert(sizeof(struct nvme_tcp_cmd_pdu) == 72, "CapsuleCmd size");
static_assert(sizeof(struct nvme_tcp_rsp_pdu) == 24, "CapsuleResp size");
static_assert(sizeof(struct nvme_tcp_data_pdu) == 24, "data PDU size");
static_assert(offsetof(struct nvme_tcp_data_pdu, ttag) == 10, "data ttag");
static_assert(offsetof(struct nvme_tcp_data_pdu, datao) == 12, "data datao");
static_assert(offsetof(struct nvme_tcp_data_pdu, datal) == 16, "data datal");
static_assert(sizeof(struct nvme_tcp_r2t_pdu) == 24, "R2T size");
static_assert(offsetof(struct nvme_tcp_r2t_pdu, r2to) == 12, "R2T r2to");
static_assert(offsetof(struct nvme_tcp_r2t_pdu, r2tl) == 16, "R2T r2tl");

/* FEI is a 32-bit field at an offset that is not 4-byte aligned */
static inline u32 nvme_tcp_term_fei(const struct nvme_tcp_term_pdu *t)
{
	return le16_to_cpu(t->fei_lo) | (u32)le16_to_cpu(t->fei_hi) << 16;
}

static inline void nvme_tcp_term_set_fei(struct nvme_tcp_term_pdu *t, u32 fei)
{
	t->fei_lo = cpu_to_le16(fei & 0xffff);
	t->fei_hi = cpu_to_le16(fei >> 16);
}

#endif /* NVME_OOT_TCP_H */
