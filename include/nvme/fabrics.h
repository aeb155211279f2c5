/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe over Fabrics wire definitions shared by the host and the target.
 *
 * Written from the NVM Express over Fabrics specification 1.1 and the
 * fabrics chapters of the NVM Express Base Specification 2.0.  Fabrics
 * commands travel in an ordinary 64 byte submission entry with opcode
 * 7Fh; byte 4 (the low byte of the namespace id field of a normal
 * command) selects the fabrics command type.  Every multi-byte field is
 * little endian.
 *
 * Owner: target core.  Additive changes only.
 */
#ifndef NVME_OOT_FABRICS_H
#define NVME_OOT_FABRICS_H

#include "spec.h"

/* ---- Names and limits ---- */

/* Well known NQN of a discovery controller. */
#define NVMF_DISC_NQN		"nqn.2014-08.org.nvmexpress.discovery"
/* Longest NQN in bytes, without the terminating NUL. */
#define NVMF_NQN_MAX_LEN	223
/* Size of an NQN field in Connect data, Identify and discovery entries. */
#define NVMF_NQN_FIELD_LEN	256
#define NVMF_TRSVCID_LEN	32	/* discovery entry transport service id */
#define NVMF_TRADDR_LEN		256	/* discovery entry transport address */
#define NVMF_TSAS_LEN		256	/* transport specific address subtype */

/* Only record format 0 is defined for Connect. */
#define NVMF_CONNECT_RECFMT	0
/* Admin queue size a fabrics host may ask for at most (0 based + 1). */
#define NVMF_AQ_DEPTH_MAX	32
/* Keep-alive is always in milliseconds on the wire. */

/* Fabrics command types (SQE byte 4 when the opcode is 7Fh) */
enum nvmf_fctype {
	NVMF_FCTYPE_PROP_SET	= 0x00,
	NVMF_FCTYPE_CONNECT	= 0x01,
	NVMF_FCTYPE_PROP_GET	= 0x04,
	NVMF_FCTYPE_AUTH_SEND	= 0x05,
	NVMF_FCTYPE_AUTH_RECV	= 0x06,
	NVMF_FCTYPE_DISCONNECT	= 0x08,
};

/* Transport types (discovery entry TRTYPE, configfs addr_trtype) */
enum nvmf_trtype {
	NVMF_TRTYPE_RDMA	= 0x01,
	NVMF_TRTYPE_FC		= 0x02,
	NVMF_TRTYPE_TCP		= 0x03,
	NVMF_TRTYPE_LOOP	= 0xfe,	/* intra-host transport */
	NVMF_TRTYPE_MAX,
};

/* Address families (discovery entry ADRFAM, configfs addr_adrfam) */
enum nvmf_adrfam {
	NVMF_ADRFAM_IPV4	= 0x01,
	NVMF_ADRFAM_IPV6	= 0x02,
	NVMF_ADRFAM_IB		= 0x03,
	NVMF_ADRFAM_FC		= 0x04,
	NVMF_ADRFAM_LOOP	= 0xfe,	/* intra-host */
	NVMF_ADRFAM_MAX,
};

/* Subsystem types (discovery entry SUBTYPE) */
enum nvmf_subtype {
	NVMF_SUBTYPE_DISCOVERY	= 0x01,	/* referral to a discovery service */
	NVMF_SUBTYPE_NVME	= 0x02,	/* an NVM subsystem */
	NVMF_SUBTYPE_CUR_DISC	= 0x03,	/* the discovery subsystem answering */
};

/* Transport requirements (discovery entry TREQ, configfs addr_treq) */
#define NVMF_TREQ_SECURE_MASK		0x3
#define NVMF_TREQ_NOT_SPECIFIED		0x0
#define NVMF_TREQ_REQUIRED		0x1
#define NVMF_TREQ_NOT_REQUIRED		0x2
#define NVMF_TREQ_DISABLE_SQFLOW	BIT(2)	/* SQ flow control may be off */

/* Connect command CATTR bits */
#define NVMF_CATTR_DISABLE_SQFLOW	BIT(2)

/* Property Get/Set ATTRIB: bits 2:0 give the size */
#define NVMF_PROP_SIZE_4		0x0
#define NVMF_PROP_SIZE_8		0x1
#define NVMF_PROP_SIZE_MASK		0x7

/* Fabrics command specific status codes (SCT 1) */
enum {
	NVME_SC_CONNECT_FORMAT		= 0x0180,	/* incompatible format */
	/* 0181h controller busy, 0182h invalid parameters: spec.h */
	NVME_SC_CONNECT_RESTART_DISC	= 0x0183,
	/* 0184h invalid host: spec.h */
	NVME_SC_CONNECT_INVALID_QTYPE	= 0x0185,
	NVME_SC_DISCOVERY_RESTART	= 0x0190,
	NVME_SC_AUTH_REQUIRED		= 0x0191,
};

/* ---- Fabrics submission entries (64 bytes, overlay struct nvme_sqe) ---- */

/**
 * struct nvmf_common_cmd - the part every fabrics command shares
 * @opc: always %NVME_ADM_FABRICS (7Fh)
 * @flags: PSDT in bits 7:6; fabrics commands use SGLs
 * @cid: command identifier
 * @fctype: fabrics command type, &enum nvmf_fctype
 * @rsvd5: reserved
 * @dptr: data pointer (SGL descriptor)
 * @specific: command type specific bytes 40..63
 */
struct nvmf_common_cmd {
	u8	opc;
	u8	flags;
	u16	cid;
	u8	fctype;
	u8	rsvd5[19];
	struct nvme_sgl_desc dptr;
	u8	specific[24];
};

/**
 * struct nvmf_connect_cmd - Connect command (FCTYPE 01h)
 * @opc: %NVME_ADM_FABRICS
 * @flags: PSDT
 * @cid: command identifier
 * @fctype: %NVMF_FCTYPE_CONNECT
 * @rsvd5: reserved
 * @dptr: SGL describing the 1024 byte &struct nvmf_connect_data
 * @recfmt: record format, %NVMF_CONNECT_RECFMT
 * @qid: queue to create: 0 admin, 1.. I/O
 * @sqsize: submission queue size, 0 based
 * @cattr: connect attributes (%NVMF_CATTR_DISABLE_SQFLOW, priority)
 * @rsvd47: reserved
 * @kato: keep alive timeout in ms (admin queue only; 0 disables)
 * @rsvd52: reserved
 */
struct nvmf_connect_cmd {
	u8	opc;
	u8	flags;
	u16	cid;
	u8	fctype;
	u8	rsvd5[19];
	struct nvme_sgl_desc dptr;
	__le16	recfmt;
	__le16	qid;
	__le16	sqsize;
	u8	cattr;
	u8	rsvd47;
	__le32	kato;
	u8	rsvd52[12];
};

/**
 * struct nvmf_connect_data - data of a Connect command (1024 bytes)
 * @hostid: host identifier (UUID)
 * @cntlid: controller id wanted; FFFFh = any (dynamic model), FFFEh =
 *          any static controller; must be the admin queue's cntlid on I/O
 *          queues
 * @rsvd18: reserved
 * @subnqn: NQN of the subsystem to connect to, NUL terminated
 * @hostnqn: NQN of the host, NUL terminated
 * @rsvd768: reserved
 */
struct nvmf_connect_data {
	u8	hostid[16];
	__le16	cntlid;
	u8	rsvd18[238];
	char	subnqn[NVMF_NQN_FIELD_LEN];
	char	hostnqn[NVMF_NQN_FIELD_LEN];
	u8	rsvd768[256];
};

#define NVMF_CNTLID_DYNAMIC	0xffff
#define NVMF_CNTLID_STATIC_ANY	0xfffe
#define NVMF_CNTLID_MIN		0x0001
#define NVMF_CNTLID_MAX		0xffef	/* highest valid controller id */

/*
 * Connect response, completion dword 0.
 * Success: bits 15:0 the controller id, bits 31:16 authentication
 * requirements (0: none).
 * Connect Invalid Parameters (0182h): bits 15:0 the byte offset of the
 * offending field (IPO), bits 23:16 which structure holds it (IATTR):
 * 0 the command, 1 the Connect data.  Linux hosts decode it this way.
 */
#define NVMF_CONNECT_RSP_CNTLID(dw0)	((u16)((dw0) & 0xffff))
#define NVMF_IATTR_CMD			0
#define NVMF_IATTR_DATA			1
#define NVMF_CONNECT_IPO(iattr, off)	(((u32)(iattr) << 16) | ((u32)(off) & 0xffff))

/**
 * struct nvmf_prop_set_cmd - Property Set command (FCTYPE 00h)
 * @opc: %NVME_ADM_FABRICS
 * @flags: PSDT
 * @cid: command identifier
 * @fctype: %NVMF_FCTYPE_PROP_SET
 * @rsvd5: reserved
 * @attrib: size of the property, %NVMF_PROP_SIZE_4 or %NVMF_PROP_SIZE_8
 * @rsvd41: reserved
 * @offset: property offset (the PCIe register offset, e.g. %NVME_REG_CC)
 * @value: new value (low 4 bytes used for a 4 byte property)
 * @rsvd56: reserved
 */
struct nvmf_prop_set_cmd {
	u8	opc;
	u8	flags;
	u16	cid;
	u8	fctype;
	u8	rsvd5[35];
	u8	attrib;
	u8	rsvd41[3];
	__le32	offset;
	__le64	value;
	u8	rsvd56[8];
};

/**
 * struct nvmf_prop_get_cmd - Property Get command (FCTYPE 04h)
 * @opc: %NVME_ADM_FABRICS
 * @flags: PSDT
 * @cid: command identifier
 * @fctype: %NVMF_FCTYPE_PROP_GET
 * @rsvd5: reserved
 * @attrib: size of the property, %NVMF_PROP_SIZE_4 or %NVMF_PROP_SIZE_8
 * @rsvd41: reserved
 * @offset: property offset
 * @rsvd48: reserved
 *
 * The value comes back in completion dwords 0 (low) and 1 (high).
 */
struct nvmf_prop_get_cmd {
	u8	opc;
	u8	flags;
	u16	cid;
	u8	fctype;
	u8	rsvd5[35];
	u8	attrib;
	u8	rsvd41[3];
	__le32	offset;
	u8	rsvd48[16];
};

/* ---- Discovery log page (log identifier 70h) ---- */

/**
 * struct nvmf_disc_log_hdr - discovery log page header (1024 bytes)
 * @genctr: generation counter, changes whenever the log changes
 * @numrec: number of records in the full log
 * @recfmt: record format, 0
 * @rsvd18: reserved
 *
 * Followed by @numrec &struct nvmf_disc_log_entry.
 */
struct nvmf_disc_log_hdr {
	__le64	genctr;
	__le64	numrec;
	__le16	recfmt;
	u8	rsvd18[1006];
};

/**
 * struct nvmf_tsas_rdma - RDMA transport specific address subtype
 * @qptype: queue pair service type (1 reliable connected)
 * @prtype: provider type (8 RDMA CM ...)
 * @cms: connection management service (1 RDMA CM)
 * @rsvd3: reserved
 * @pkey: partition key
 * @rsvd10: reserved
 */
struct nvmf_tsas_rdma {
	u8	qptype;
	u8	prtype;
	u8	cms;
	u8	rsvd3[5];
	__le16	pkey;
	u8	rsvd10[246];
};

/* TCP TSAS byte 0: security type (0 none, 1 TLS 1.2, 2 TLS 1.3) */
#define NVMF_TCP_SECTYPE_NONE	0

/* Discovery entry EFLAGS bits (base spec 2.0) */
#define NVMF_DISC_EFLAGS_DUPRETINFO	BIT(0)	/* duplicate returned info */
#define NVMF_DISC_EFLAGS_EPCSD		BIT(1)	/* explicit persistent conn */

/**
 * struct nvmf_disc_log_entry - one discovery log page entry (1024 bytes)
 * @trtype: transport type, &enum nvmf_trtype
 * @adrfam: address family, &enum nvmf_adrfam
 * @subtype: &enum nvmf_subtype
 * @treq: transport requirements, %NVMF_TREQ_*
 * @portid: NVM subsystem port id
 * @cntlid: controller id to use, %NVMF_CNTLID_DYNAMIC for dynamic
 * @asqsz: maximum admin queue size (not 0 based)
 * @eflags: entry flags (%NVMF_DISC_EFLAGS_*)
 * @rsvd12: reserved
 * @trsvcid: transport service id (port number), ASCII, space padded
 * @rsvd64: reserved
 * @subnqn: subsystem NQN, NUL terminated
 * @traddr: transport address, ASCII, space padded
 * @tsas: transport specific address subtype
 * @tsas.common: raw bytes
 * @tsas.rdma: RDMA subtype
 * @tsas.tcp_sectype: TCP security type (%NVMF_TCP_SECTYPE_NONE)
 */
struct nvmf_disc_log_entry {
	u8	trtype;
	u8	adrfam;
	u8	subtype;
	u8	treq;
	__le16	portid;
	__le16	cntlid;
	__le16	asqsz;
	__le16	eflags;
	u8	rsvd12[20];
	char	trsvcid[NVMF_TRSVCID_LEN];
	u8	rsvd64[192];
	char	subnqn[NVMF_NQN_FIELD_LEN];
	char	traddr[NVMF_TRADDR_LEN];
	union {
		u8	common[NVMF_TSAS_LEN];
		struct nvmf_tsas_rdma rdma;
		u8	tcp_sectype;
	} tsas;
};

/* Get Log Page: cdw10 bits 7:0 LID, 11:8 LSP, 15 RAE, 31:16 NUMDL (0 based) */
#define NVME_GLP_LID(cdw10)		((cdw10) & 0xff)
#define NVME_GLP_LSP(cdw10)		(((cdw10) >> 8) & 0xf)
#define NVME_GLP_RAE(cdw10)		(((cdw10) >> 15) & 0x1)
#define NVME_GLP_NUMDL(cdw10)		(((cdw10) >> 16) & 0xffff)
/* cdw11 bits 15:0 NUMDU; cdw12/cdw13 the 64 bit byte offset */
#define NVME_GLP_NUMDU(cdw11)		((cdw11) & 0xffff)

/* ---- Size and offset checks ---- */
static_assert(sizeof(struct nvmf_common_cmd) == 64, "fabrics cmd size");
static_assert(offsetof(struct nvmf_common_cmd, fctype) == 4, "fctype");
static_assert(offsetof(struct nvmf_common_cmd, dptr) == 24, "fabrics dptr");
static_assert(sizeof(struct nvmf_connect_cmd) == 64, "connect cmd size");
static_assert(offsetof(struct nvmf_connect_cmd, recfmt) == 40, "recfmt");
static_assert(offsetof(struct nvmf_connect_cmd, qid) == 42, "qid");
static_assert(offsetof(struct nvmf_connect_cmd, sqsize) == 44, "sqsize");
static_assert(offsetof(struct nvmf_connect_cmd, cattr) == 46, "cattr");
static_assert(offsetof(struct nvmf_connect_cmd, kato) == 48, "kato");
static_assert(sizeof(struct nvmf_connect_data) == 1024, "connect data size");
static_assert(offsetof(struct nvmf_connect_data, cntlid) == 16, "cd cntlid");
static_assert(offsetof(struct nvmf_connect_data, subnqn) == 256, "cd subnqn");
static_assert(offsetof(struct nvmf_connect_data, hostnqn) == 512, "cd hostnqn");
static_assert(sizeof(struct nvmf_prop_set_cmd) == 64, "prop set size");
static_assert(offsetof(struct nvmf_prop_set_cmd, attrib) == 40, "ps attrib");
static_assert(offsetof(struct nvmf_prop_set_cmd, offset) == 44, "ps offset");
static_assert(offsetof(struct nvmf_prop_set_cmd, value) == 48, "ps value");
static_assert(sizeof(struct nvmf_prop_get_cmd) == 64, "prop get size");
static_assert(offsetof(struct nvmf_prop_get_cmd, offset) == 44, "pg offset");
static_assert(sizeof(struct nvmf_disc_log_hdr) == 1024, "disc hdr size");
static_assert(offsetof(struct nvmf_disc_log_hdr, recfmt) == 16, "disc recfmt");
static_assert(sizeof(struct nvmf_tsas_rdma) == 256, "rdma tsas size");
static_assert(sizeof(struct nvmf_disc_log_entry) == 1024, "disc entry size");
static_assert(offsetof(struct nvmf_disc_log_entry, portid) == 4, "de portid");
static_assert(offsetof(struct nvmf_disc_log_entry, asqsz) == 8, "de asqsz");
static_assert(offsetof(struct nvmf_disc_log_entry, trsvcid) == 32, "de trsvcid");
static_assert(offsetof(struct nvmf_disc_log_entry, subnqn) == 256, "de subnqn");
static_assert(offsetof(struct nvmf_disc_log_entry, traddr) == 512, "de traddr");
static_assert(offsetof(struct nvmf_disc_log_entry, tsas) == 768, "de tsas");

#endif /* NVME_OOT_FABRICS_H */
