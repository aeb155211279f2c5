/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe/TCP PDU validation and encoding, shared by the host (nvme-tcp) and
 * the target (nvmet-tcp) and built in userspace for the unit tests and
 * the fuzzer.  Plain C: no kernel API besides what nvme/compat.h maps.
 *
 * How it is compiled: Kbuild cannot link one object into two modules, so
 * each module has a one-line wrapper (fabrics/tcp/host-wire.c,
 * fabrics/tcp/target-wire.c) that #includes wire.c.  The symbols are not
 * exported; each module carries its own copy.  Userspace builds wire.c
 * directly (tests/unit/CMakeLists.txt, nvme-plain).
 *
 * Receiving a PDU is three steps:
 *  1. nvme_tcp_check_ch() on the 8-byte common header: type allowed in
 *     this direction and state, fixed header length, digest flags, data
 *     offset and PDU length.  It returns the header bytes to read (hlen
 *     plus the header digest).
 *  2. nvme_tcp_check_hdr() on the complete header: header digest, then
 *     the type specific fields (ICReq parameters, data lengths...).
 *  3. the caller skips nvme_tcp_pad_len() bytes, reads
 *     nvme_tcp_data_len() bytes of data and, with data digests on, checks
 *     the data digest with the nvme_tcp_crc_*() helpers.
 * A failure fills struct nvme_tcp_wire_err: a reason for the log line and
 * the FES/FEI of the termination request to send (fes 0: send none).
 */
#ifndef NVME_OOT_TCP_WIRE_H
#define NVME_OOT_TCP_WIRE_H

#include "../../include/nvme/tcp.h"

/**
 * struct nvme_tcp_wire - what one end of a connection accepts
 * @host: true on the host side (receives controller to host PDUs)
 * @connected: the ICReq/ICResp exchange is done
 * @hdgst: header digests negotiated (host, before the ICResp: requested)
 * @ddgst: data digests negotiated (host, before the ICResp: requested)
 * @rx_pda: data alignment of received PDUs, 0's based dwords (the target
 *	passes the CPDA it offered, the host the HPDA it asked for)
 * @maxh2cdata: target: largest H2CData data length accepted
 * @inline_max: target: largest in-capsule data length accepted
 */
struct nvme_tcp_wire {
	bool	host;
	bool	connected;
	bool	hdgst;
	bool	ddgst;
	u8	rx_pda;
	u32	maxh2cdata;
	u32	inline_max;
};

/**
 * struct nvme_tcp_wire_err - why a PDU was refused
 * @reason: short text for the log line
 * @fes: fatal error status for the termination request, 0 for none
 * @fei: fatal error information (offset of the bad field)
 */
struct nvme_tcp_wire_err {
	const char *reason;
	u16	fes;
	u32	fei;
};

/* CRC32C (Castagnoli) digest: init, update over bytes, final value */
static inline u32 nvme_tcp_crc_init(void)
{
	return ~0u;
}

u32 nvme_tcp_crc_update(u32 crc, const void *buf, size_t len);

static inline u32 nvme_tcp_crc_final(u32 crc)
{
	return ~crc;
}

u32 nvme_tcp_crc32c(const void *buf, size_t len);

/* fixed header length of a PDU type, 0 for an unknown type */
u8 nvme_tcp_hlen(u8 type);
/* the PDU type is sent host to controller */
bool nvme_tcp_type_h2c(u8 type);
const char *nvme_tcp_type_name(u8 type);
const char *nvme_tcp_fes_name(u16 fes);

int nvme_tcp_check_ch(const struct nvme_tcp_wire *w,
		      const struct nvme_tcp_hdr *ch,
		      struct nvme_tcp_wire_err *err);
int nvme_tcp_check_hdr(const struct nvme_tcp_wire *w, const void *hdr,
		       struct nvme_tcp_wire_err *err);

/* header length including the header digest, of a checked header */
u32 nvme_tcp_hdr_len(const struct nvme_tcp_hdr *ch);
/* pad bytes between the header (+ digest) and the data */
u32 nvme_tcp_pad_len(const struct nvme_tcp_hdr *ch);
/* data bytes, data digest excluded */
u32 nvme_tcp_data_len(const struct nvme_tcp_hdr *ch);

/**
 * struct nvme_tcp_r2t_state - the R2T a target has outstanding
 * @ttag: transfer tag sent in the R2T
 * @off: offset of the next byte expected (in command data)
 * @end: offset one past the last byte the R2T asked for
 */
struct nvme_tcp_r2t_state {
	u16	ttag;
	u32	off;
	u32	end;
};

int nvme_tcp_check_h2c_data(const struct nvme_tcp_data_pdu *d,
			    const struct nvme_tcp_r2t_state *r2t,
			    struct nvme_tcp_wire_err *err);

/**
 * struct nvme_tcp_host_xfer - the host's view of one command's data
 * @len: data length of the command
 * @done: bytes received (read) or handed to the socket (write) so far
 * @read: the command transfers data controller to host
 * @wait_r2t: a write whose capsule is sent and that waits for an R2T
 *	(false while its data is still being sent or came in the capsule)
 */
struct nvme_tcp_host_xfer {
	u32	len;
	u32	done;
	bool	read;
	bool	wait_r2t;
};

/*
 * Host side: does a checked C2HData / R2T header fit the command it names?
 * The data of a command comes in order, without gaps, inside its buffer;
 * SUCCESS only on the PDU that ends it; an R2T only for a write waiting
 * for one, for the next unsent bytes.
 */
int nvme_tcp_check_c2h_data(const struct nvme_tcp_data_pdu *d,
			    const struct nvme_tcp_host_xfer *x,
			    struct nvme_tcp_wire_err *err);
int nvme_tcp_check_r2t(const struct nvme_tcp_r2t_pdu *r,
		       const struct nvme_tcp_host_xfer *x,
		       struct nvme_tcp_wire_err *err);

/* what a command capsule's data pointer asks for */
enum nvme_tcp_cmd_data {
	NVME_TCP_DATA_NONE,	/* no data */
	NVME_TCP_DATA_INLINE,	/* data in the capsule */
	NVME_TCP_DATA_XFER,	/* data by R2T/H2CData or C2HData */
};

int nvme_tcp_check_cmd_sgl(const struct nvme_tcp_cmd_pdu *pdu, u32 icd_len,
			   enum nvme_tcp_cmd_data *kind, u32 *len,
			   struct nvme_tcp_wire_err *err);

/*
 * Encoding.  nvme_tcp_fill_hdr() writes the common header of a PDU with
 * @data_len bytes of data for a peer that wants data aligned to @tx_pda
 * (0's based dwords) and returns the header bytes to send before the data
 * (header, header digest, pad).  The other helpers fill the PDU specific
 * fields and call it; nvme_tcp_set_hdgst() then writes the header digest
 * when the connection has them (do it after every field is final).
 */
u32 nvme_tcp_fill_hdr(struct nvme_tcp_hdr *ch, u8 type, bool hdgst,
		      bool ddgst, u8 tx_pda, u32 data_len);
void nvme_tcp_set_hdgst(void *hdr);

void nvme_tcp_enc_icreq(struct nvme_tcp_icreq *p, u8 hpda, bool hdgst,
			bool ddgst, u32 maxr2t);
void nvme_tcp_enc_icresp(struct nvme_tcp_icresp *p, u8 cpda, bool hdgst,
			 bool ddgst, u32 maxh2cdata);
/* returns the PDU length: header plus @hdr_len bytes of @bad_hdr */
u32 nvme_tcp_enc_term(struct nvme_tcp_term_pdu *p, bool host, u16 fes,
		      u32 fei, const void *bad_hdr, u32 bad_len);
u32 nvme_tcp_enc_rsp(struct nvme_tcp_rsp_pdu *p, bool hdgst,
		     const struct nvme_cqe *cqe);
u32 nvme_tcp_enc_r2t(struct nvme_tcp_r2t_pdu *p, bool hdgst, u16 cccid,
		     u16 ttag, u32 off, u32 len);
u32 nvme_tcp_enc_data(struct nvme_tcp_data_pdu *p, u8 type, bool hdgst,
		      bool ddgst, u8 tx_pda, u16 cccid, u16 ttag, u32 off,
		      u32 len, u8 flags);
u32 nvme_tcp_enc_cmd(struct nvme_tcp_cmd_pdu *p, bool hdgst, bool ddgst,
		     u8 tx_pda, const struct nvme_sqe *cmd, u32 icd_len);

#endif /* NVME_OOT_TCP_WIRE_H */
