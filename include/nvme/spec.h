/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe base specification wire definitions used by the host and target.
 *
 * Written from the NVM Express Base Specification 2.0 and the NVM Command
 * Set Specification 1.0.  Everything that travels between host and
 * controller is little endian and typed __le16/__le32/__le64 so that
 * sparse catches a missing conversion.  Only the fields this project
 * uses are named; the rest are reserved byte ranges, named after the
 * offset at which they start.
 */
#ifndef NVME_OOT_SPEC_H
#define NVME_OOT_SPEC_H

#include "compat.h"

/* ---- Controller registers (offsets into BAR0 / fabrics properties) ---- */
enum {
	NVME_REG_CAP	= 0x00,	/* 64 bit: controller capabilities */
	NVME_REG_VS	= 0x08,	/* version */
	NVME_REG_INTMS	= 0x0c,
	NVME_REG_INTMC	= 0x10,
	NVME_REG_CC	= 0x14,	/* controller configuration */
	NVME_REG_CSTS	= 0x1c,	/* controller status */
	NVME_REG_NSSR	= 0x20,	/* NVM subsystem reset */
	NVME_REG_AQA	= 0x24,	/* admin queue attributes */
	NVME_REG_ASQ	= 0x28,	/* 64 bit: admin SQ base */
	NVME_REG_ACQ	= 0x30,	/* 64 bit: admin CQ base */
	NVME_REG_CMBLOC	= 0x38,	/* controller memory buffer location */
	NVME_REG_CMBSZ	= 0x3c,	/* controller memory buffer size */
	NVME_REG_CMBMSC	= 0x50,	/* 64 bit: CMB memory space control (1.4) */
	NVME_REG_DBS	= 0x1000, /* first doorbell */
};

/* CAP fields */
#define NVME_CAP_MQES(cap)	((u32)((cap) & 0xffff))
#define NVME_CAP_TO(cap)	((u32)(((cap) >> 24) & 0xff))	/* 500 ms units */
#define NVME_CAP_DSTRD(cap)	((u32)(((cap) >> 32) & 0xf))
#define NVME_CAP_NSSRS(cap)	((u32)(((cap) >> 36) & 0x1))
#define NVME_CAP_CSS(cap)	((u32)(((cap) >> 37) & 0xff))
#define NVME_CAP_CSS_NVM	BIT(0)	/* in NVME_CAP_CSS(): NVM command set */
#define NVME_CAP_CSS_CSI	BIT(6)	/* ... I/O command sets (Identify CSI) */
#define NVME_CAP_MPSMIN(cap)	((u32)(((cap) >> 48) & 0xf))
#define NVME_CAP_MPSMAX(cap)	((u32)(((cap) >> 52) & 0xf))
#define NVME_CAP_CMBS(cap)	((u32)(((cap) >> 57) & 0x1))

/* Controller Memory Buffer: CMBLOC, CMBSZ, CMBMSC */
#define NVME_CMBLOC_BIR(loc)	((loc) & 0x7)		/* BAR index */
#define NVME_CMBLOC_OFST(loc)	((loc) >> 12)		/* in NVME_CMBSZ_SZU units */
#define NVME_CMBSZ_SQS		BIT(0)	/* submission queues may live there */
#define NVME_CMBSZ_CQS		BIT(1)
#define NVME_CMBSZ_LISTS	BIT(2)
#define NVME_CMBSZ_RDS		BIT(3)
#define NVME_CMBSZ_WDS		BIT(4)
#define NVME_CMBSZ_SZU(sz)	(((sz) >> 8) & 0xf)	/* unit: 4 KiB << 4 * SZU */
#define NVME_CMBSZ_SZ(sz)	((sz) >> 12)		/* size in units */
#define NVME_CMBMSC_CRE		BIT(0)	/* CMBLOC/CMBSZ read non-zero */
#define NVME_CMBMSC_CMSE	BIT(1)	/* the CMB answers at CBA */
#define NVME_CMBMSC_CBA_MASK	(~0xfffull)	/* controller base address */

/* CC fields */
#define NVME_CC_EN		BIT(0)
#define NVME_CC_CSS_NVM		(0u << 4)
#define NVME_CC_CSS_CSI		(6u << 4)	/* all supported I/O command sets */
#define NVME_CC_MPS(shift)	((u32)((shift) - 12) << 7)
#define NVME_CC_AMS_RR		(0u << 11)
#define NVME_CC_SHN_MASK	(3u << 14)
#define NVME_CC_SHN_NORMAL	BIT(14)
#define NVME_CC_SHN_ABRUPT	(2u << 14)
#define NVME_CC_IOSQES(shift)	((u32)(shift) << 16)
#define NVME_CC_IOCQES(shift)	((u32)(shift) << 20)

/* CSTS fields */
#define NVME_CSTS_RDY		BIT(0)
#define NVME_CSTS_CFS		BIT(1)
#define NVME_CSTS_SHST_MASK	(3u << 2)
#define NVME_CSTS_SHST_DONE	(2u << 2)
#define NVME_CSTS_NSSRO		BIT(4)

#define NVME_NSSR_MAGIC		0x4e564d65u	/* "NVMe" */

#define NVME_SQE_SHIFT		6	/* 64 byte submission entries */
#define NVME_CQE_SHIFT		4	/* 16 byte completion entries */

/* ---- Opcodes ---- */
enum nvme_admin_opcode {
	NVME_ADM_DELETE_SQ	= 0x00,
	NVME_ADM_CREATE_SQ	= 0x01,
	NVME_ADM_GET_LOG_PAGE	= 0x02,
	NVME_ADM_DELETE_CQ	= 0x04,
	NVME_ADM_CREATE_CQ	= 0x05,
	NVME_ADM_IDENTIFY	= 0x06,
	NVME_ADM_ABORT		= 0x08,
	NVME_ADM_SET_FEATURES	= 0x09,
	NVME_ADM_GET_FEATURES	= 0x0a,
	NVME_ADM_ASYNC_EVENT	= 0x0c,
	NVME_ADM_NS_MGMT	= 0x0d,
	NVME_ADM_FW_COMMIT	= 0x10,
	NVME_ADM_FW_DOWNLOAD	= 0x11,
	NVME_ADM_NS_ATTACH	= 0x15,
	NVME_ADM_KEEP_ALIVE	= 0x18,
	NVME_ADM_FORMAT_NVM	= 0x80,
	NVME_ADM_SANITIZE	= 0x84,
	NVME_ADM_DBBUF_CONFIG	= 0x7c,	/* doorbell buffer config */
	NVME_ADM_FABRICS	= 0x7f,
};

enum nvme_io_opcode {
	NVME_IO_FLUSH		= 0x00,
	NVME_IO_WRITE		= 0x01,
	NVME_IO_READ		= 0x02,
	NVME_IO_WRITE_UNCOR	= 0x04,
	NVME_IO_COMPARE		= 0x05,
	NVME_IO_WRITE_ZEROES	= 0x08,
	NVME_IO_DSM		= 0x09,
};

/* Bits 1:0 of every opcode give the direction of its data transfer. */
static inline bool nvme_opc_host_to_ctrl(u8 opc)
{
	return opc & 1;
}

static inline bool nvme_opc_ctrl_to_host(u8 opc)
{
	return opc & 2;
}

/* ---- Data pointer: PRP pair or one SGL descriptor ---- */

/**
 * struct nvme_sgl_desc - SGL descriptor (16 bytes)
 * @addr: address of the data or of the next SGL segment
 * @length: length in bytes
 * @rsvd12: reserved
 * @type: descriptor type in bits 7:4, sub type in bits 3:0
 */
struct nvme_sgl_desc {
	__le64	addr;
	__le32	length;
	u8	rsvd12[3];
	u8	type;
};

enum {
	NVME_SGL_TYPE_DATA_BLOCK	= 0x0 << 4,
	NVME_SGL_TYPE_SEGMENT		= 0x2 << 4,
	NVME_SGL_TYPE_LAST_SEGMENT	= 0x3 << 4,
	NVME_SGL_TYPE_KEYED_DATA	= 0x4 << 4,
	NVME_SGL_SUBTYPE_ADDRESS	= 0x0,
	NVME_SGL_SUBTYPE_OFFSET		= 0x1,
	NVME_SGL_SUBTYPE_INVALIDATE	= 0xf,
};

/* PSDT values for command dword 0 bits 15:14 (in @flags bits 7:6) */
#define NVME_CMD_PSDT_PRP	(0u << 6)
#define NVME_CMD_PSDT_SGL_MPTR	BIT(6)	/* metadata is a single buffer */
#define NVME_CMD_PSDT_SGL_SGL	(2u << 6)	/* metadata is an SGL too */

/**
 * struct nvme_sqe - a submission queue entry (64 bytes)
 * @opc: opcode
 * @flags: fused operation (bits 1:0) and PSDT (bits 7:6)
 * @cid: command identifier, opaque to the controller and echoed back
 * @nsid: namespace identifier
 * @cdw2: command specific
 * @cdw3: command specific
 * @mptr: metadata pointer
 * @dptr: data pointer, either two PRP entries or one SGL descriptor
 * @dptr.prp1: first PRP entry
 * @dptr.prp2: second PRP entry or PRP list pointer
 * @dptr.sgl: SGL descriptor when PSDT selects SGLs
 * @cdw10: command specific dword 10
 * @cdw11: command specific dword 11
 * @cdw12: command specific dword 12
 * @cdw13: command specific dword 13
 * @cdw14: command specific dword 14
 * @cdw15: command specific dword 15
 */
struct nvme_sqe {
	u8	opc;
	u8	flags;
	u16	cid;
	__le32	nsid;
	__le32	cdw2;
	__le32	cdw3;
	__le64	mptr;
	union {
		struct {
			__le64	prp1;
			__le64	prp2;
		};
		struct nvme_sgl_desc sgl;
	} dptr;
	__le32	cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/**
 * struct nvme_cqe - a completion queue entry (16 bytes)
 * @dw0: command specific result
 * @dw1: command specific result
 * @sqhd: submission queue head pointer
 * @sqid: submission queue the command came from
 * @cid: command identifier from the submission
 * @status: phase tag in bit 0, status field in bits 15:1
 */
struct nvme_cqe {
	__le32	dw0;
	__le32	dw1;
	__le16	sqhd;
	__le16	sqid;
	u16	cid;
	__le16	status;
};

/* Read/write cdw12 bits */
#define NVME_RW_NLB_MASK	0xffffu
#define NVME_RW_FUA		BIT(30)
#define NVME_RW_LR		BIT(31)
#define NVME_WZ_DEAC		BIT(25)	/* write zeroes: deallocate */

/* Dataset management */
#define NVME_DSM_ATTR_DEALLOCATE	BIT(2)
#define NVME_DSM_MAX_RANGES		256

/**
 * struct nvme_dsm_range - one range of a Dataset Management command
 * @cattr: context attributes
 * @nlb: number of logical blocks (1 based)
 * @slba: starting LBA
 */
struct nvme_dsm_range {
	__le32	cattr;
	__le32	nlb;
	__le64	slba;
};

/* Create I/O queue flags (cdw11) */
#define NVME_QUEUE_PHYS_CONTIG	BIT(0)
#define NVME_CQ_IRQ_ENABLED	BIT(1)

/* Identify CNS values */
enum {
	NVME_CNS_NS		= 0x00,
	NVME_CNS_CTRL		= 0x01,
	NVME_CNS_ACTIVE_NS_LIST	= 0x02,
	NVME_CNS_NS_DESC_LIST	= 0x03,
	NVME_CNS_CS_NS		= 0x05,	/* I/O command set specific ns */
	NVME_CNS_CS_CTRL	= 0x06,	/* I/O command set specific ctrl */
	NVME_CNS_CS_INDEP_NS	= 0x08,	/* command set independent ns */
};

/* Identify cdw10 bits 7:0 CNS, 31:16 CNTID; cdw11 bits 31:24 CSI */
#define NVME_IDENTIFY_CNS(cdw10)	((cdw10) & 0xff)
#define NVME_IDENTIFY_CSI(cdw11)	(((cdw11) >> 24) & 0xff)
#define NVME_CSI_NVM			0

/* Log page attributes (Identify Controller LPA) */
#define NVME_LPA_SMART_PER_NS	BIT(0)
#define NVME_LPA_CMD_EFFECTS	BIT(1)
#define NVME_LPA_EXTENDED_DATA	BIT(2)	/* NUMDU and log page offset */

/* Controller types (Identify Controller CNTRLTYPE) */
#define NVME_CTRL_TYPE_IO	1
#define NVME_CTRL_TYPE_DISC	2
#define NVME_CTRL_TYPE_ADMIN	3

/* SGL support (Identify Controller SGLS) */
#define NVME_SGLS_NO_ALIGN	BIT(0)	/* supported, no alignment needed */
#define NVME_SGLS_KEYED		BIT(2)	/* keyed SGL data block */
#define NVME_SGLS_OFFSET	BIT(20)	/* address field may be an offset */

/* OAES bit for discovery log change notices */
#define NVME_OAES_DISC_CHANGE	BIT(31)

/* Feature identifiers */
enum {
	NVME_FEAT_ARBITRATION	= 0x01,
	NVME_FEAT_POWER_MGMT	= 0x02,
	NVME_FEAT_TEMP_THRESH	= 0x04,
	NVME_FEAT_ERR_RECOVERY	= 0x05,
	NVME_FEAT_VOLATILE_WC	= 0x06,
	NVME_FEAT_NUM_QUEUES	= 0x07,
	NVME_FEAT_IRQ_COALESCE	= 0x08,
	NVME_FEAT_ASYNC_EVENT	= 0x0b,
	NVME_FEAT_AUTO_PST	= 0x0c,
	NVME_FEAT_HOST_MEM_BUF	= 0x0d,
	NVME_FEAT_KATO		= 0x0f,
};

/* Autonomous Power State Transition (Identify APSTA, feature 0Ch) */
#define NVME_APSTA_SUPPORTED	BIT(0)	/* Identify Controller APSTA */
#define NVME_APST_ENABLE	BIT(0)	/* Set Features dword 11: APSTE */
#define NVME_APST_ENTRIES	32	/* one per power state, 0 to 31 */
#define NVME_APST_ITPS_SHIFT	3	/* entry bits 7:3, target state */
#define NVME_APST_ITPT_SHIFT	8	/* entry bits 31:8, idle time in ms */
#define NVME_APST_ITPT_MAX	0xffffffu

/**
 * struct nvme_feat_auto_pst - APST data structure (feature 0Ch, 256 bytes)
 * @entries: entry i says where power state i goes when idle: bits 7:3
 *	idle transition power state (ITPS), bits 31:8 idle time prior to
 *	transition in milliseconds (ITPT, 0: never), the rest reserved
 */
struct nvme_feat_auto_pst {
	__le64	entries[NVME_APST_ENTRIES];
};

/* Host Memory Buffer (feature 0Dh), Set Features dword 11 */
#define NVME_HOST_MEM_ENABLE	BIT(0)	/* EHM: the controller may use it */
#define NVME_HOST_MEM_RETURN	BIT(1)	/* MR: same buffer as before */

/**
 * struct nvme_host_mem_desc - Host Memory Buffer descriptor list entry
 * @addr: bus address of the chunk, controller page aligned
 * @size: chunk size in controller memory pages
 * @rsvd12: reserved
 */
struct nvme_host_mem_desc {
	__le64	addr;
	__le32	size;
	__le32	rsvd12;
};

/* Log page identifiers */
enum {
	NVME_LOG_ERROR		= 0x01,
	NVME_LOG_SMART		= 0x02,
	NVME_LOG_FW_SLOT	= 0x03,
	NVME_LOG_CHANGED_NS	= 0x04,
	NVME_LOG_CMD_EFFECTS	= 0x05,
	NVME_LOG_ANA		= 0x0c,
	NVME_LOG_DISCOVERY	= 0x70,
};

/* Get Log Page LSP of the ANA log: return groups only, no NSID lists */
#define NVME_ANA_LOG_RGO	BIT(0)

/* Asymmetric namespace access states */
enum {
	NVME_ANA_OPTIMIZED		= 0x01,
	NVME_ANA_NONOPTIMIZED		= 0x02,
	NVME_ANA_INACCESSIBLE		= 0x03,
	NVME_ANA_PERSISTENT_LOSS	= 0x04,
	NVME_ANA_CHANGE			= 0x0f,
};

/**
 * struct nvme_ana_log_hdr - header of the ANA log page (LID 0Ch)
 * @chgcnt: change count
 * @ngrps: number of group descriptors that follow
 * @rsvd10: reserved
 */
struct nvme_ana_log_hdr {
	__le64	chgcnt;
	__le16	ngrps;
	__le16	rsvd10[3];
};

static_assert(sizeof(struct nvme_ana_log_hdr) == 16, "ana log header");

/**
 * struct nvme_ana_group_desc - one ANA group in the ANA log page
 * @grpid: ANA group id
 * @nnsids: number of NSIDs listed after the descriptor (0 with RGO)
 * @chgcnt: change count
 * @state: ANA state in bits 3:0
 * @rsvd17: reserved
 *
 * @nnsids little-endian 32-bit NSIDs follow.
 */
struct nvme_ana_group_desc {
	__le32	grpid;
	__le32	nnsids;
	__le64	chgcnt;
	u8	state;
	u8	rsvd17[15];
};

static_assert(sizeof(struct nvme_ana_group_desc) == 32, "ana group desc");

/* Asynchronous event completion dword 0 */
#define NVME_AER_TYPE(dw0)	((dw0) & 0x7)
#define NVME_AER_INFO(dw0)	(((dw0) >> 8) & 0xff)
#define NVME_AER_LOG(dw0)	(((dw0) >> 16) & 0xff)
enum {
	NVME_AER_TYPE_ERROR	= 0,
	NVME_AER_TYPE_SMART	= 1,
	NVME_AER_TYPE_NOTICE	= 2,
	NVME_AER_TYPE_IO_CMD	= 6,
	NVME_AER_TYPE_VENDOR	= 7,
	NVME_AER_NOTICE_NS_CHANGED	= 0x00,
	NVME_AER_NOTICE_FW_ACTIVATE	= 0x01,
	NVME_AER_NOTICE_ANA		= 0x03,
	NVME_AER_NOTICE_DISC_CHANGED	= 0xf0,
};

/* Async event configuration (feature 0Bh) bits */
#define NVME_AEC_NS_ATTR	BIT(8)
#define NVME_AEC_FW_ACTIVATION	BIT(9)
#define NVME_AEC_ANA_CHANGE	BIT(11)
#define NVME_AEC_DISC_CHANGE	BIT(31)

/* ---- Status field (completion dword 3 bits 31:17, shifted down by one) ---- */
#define NVME_STATUS_SC(s)	((s) & 0xff)
#define NVME_STATUS_SCT(s)	(((s) >> 8) & 0x7)
#define NVME_STATUS_CRD(s)	(((s) >> 11) & 0x3)
#define NVME_STATUS_MORE	BIT(13)
#define NVME_STATUS_DNR		BIT(14)
#define NVME_STATUS_CODE(s)	((s) & 0x7ff)	/* SCT and SC together */
#define NVME_SCT_PATH		0x3	/* path related status */

enum nvme_status_code {
	/* generic command status (SCT 0) */
	NVME_SC_SUCCESS			= 0x0000,
	NVME_SC_INVALID_OPCODE		= 0x0001,
	NVME_SC_INVALID_FIELD		= 0x0002,
	NVME_SC_CMDID_CONFLICT		= 0x0003,
	NVME_SC_DATA_XFER_ERROR		= 0x0004,
	NVME_SC_POWER_LOSS		= 0x0005,
	NVME_SC_INTERNAL		= 0x0006,
	NVME_SC_ABORT_REQ		= 0x0007,
	NVME_SC_ABORT_SQ_DELETED	= 0x0008,
	NVME_SC_INVALID_NS		= 0x000b,
	NVME_SC_CMD_SEQ_ERROR		= 0x000c,
	NVME_SC_SGL_INVALID_COUNT	= 0x000e,
	NVME_SC_SGL_INVALID_DATA	= 0x000f,	/* data SGL length invalid */
	NVME_SC_SGL_INVALID_METADATA	= 0x0010,
	NVME_SC_SGL_INVALID_TYPE	= 0x0011,
	NVME_SC_SGL_INVALID_OFFSET	= 0x0016,
	NVME_SC_KA_TIMEOUT_EXPIRED	= 0x0019,
	NVME_SC_KA_TIMEOUT_INVALID	= 0x001a,
	NVME_SC_NS_NOT_READY		= 0x0082,
	NVME_SC_LBA_RANGE		= 0x0080,
	NVME_SC_CAP_EXCEEDED		= 0x0081,
	/* command specific status (SCT 1) */
	NVME_SC_CQ_INVALID		= 0x0100,
	NVME_SC_QID_INVALID		= 0x0101,
	NVME_SC_QUEUE_SIZE		= 0x0102,
	NVME_SC_ABORT_LIMIT		= 0x0103,
	NVME_SC_AER_LIMIT		= 0x0105,
	NVME_SC_INVALID_LOG_PAGE	= 0x0109,
	NVME_SC_INVALID_FORMAT		= 0x010a,
	NVME_SC_FEATURE_NOT_SAVEABLE	= 0x010d,
	NVME_SC_FEATURE_NOT_CHANGEABLE	= 0x010e,
	NVME_SC_FEATURE_NOT_PER_NS	= 0x010f,
	NVME_SC_CONNECT_INVALID_PARAM	= 0x0182,
	NVME_SC_CONNECT_CTRL_BUSY	= 0x0181,
	NVME_SC_CONNECT_INVALID_HOST	= 0x0184,
	/* media and data integrity errors (SCT 2) */
	NVME_SC_WRITE_FAULT		= 0x0280,
	NVME_SC_READ_ERROR		= 0x0281,
	NVME_SC_GUARD_CHECK		= 0x0282,
	NVME_SC_APPTAG_CHECK		= 0x0283,
	NVME_SC_REFTAG_CHECK		= 0x0284,
	NVME_SC_COMPARE_FAILED		= 0x0285,
	NVME_SC_ACCESS_DENIED		= 0x0286,
	NVME_SC_UNWRITTEN_BLOCK		= 0x0287,
	/* path related status (SCT 3) */
	NVME_SC_INTERNAL_PATH_ERROR	= 0x0300,
	NVME_SC_ANA_PERSISTENT_LOSS	= 0x0301,
	NVME_SC_ANA_INACCESSIBLE	= 0x0302,
	NVME_SC_ANA_TRANSITION		= 0x0303,
	NVME_SC_HOST_PATH_ERROR		= 0x0370,
	NVME_SC_HOST_ABORTED_CMD	= 0x0371,
};

/* ---- Identify data structures (4096 bytes each) ---- */

/**
 * struct nvme_id_power_state - power state descriptor (32 bytes)
 *
 * Identify Controller holds 32 of them from byte 2048 on, of which states
 * 0 to NPSS are valid; a lower number is a higher power state.
 *
 * @max_power: maximum power (MP) in centiwatts (or 0.0001 W with MXPS)
 * @rsvd2: reserved
 * @flags: bit 0 max power scale (MXPS), bit 1 non-operational state
 *	(NOPS, NVME_PS_FLAGS_NON_OP): no I/O is processed in this state
 * @entry_lat: entry latency (ENLAT) in microseconds
 * @exit_lat: exit latency (EXLAT) in microseconds
 * @rest: relative throughput/latency and idle/active power fields
 */
struct nvme_id_power_state {
	__le16	max_power;
	u8	rsvd2;
	u8	flags;
	__le32	entry_lat;
	__le32	exit_lat;
	u8	rest[20];
};

#define NVME_PS_FLAGS_MAX_POWER_SCALE	BIT(0)
#define NVME_PS_FLAGS_NON_OP		BIT(1)

/**
 * struct nvme_id_ctrl - Identify Controller data structure (CNS 01h)
 * @vid: PCI vendor id
 * @ssvid: PCI subsystem vendor id
 * @sn: serial number, ASCII, space padded
 * @mn: model number, ASCII, space padded
 * @fr: firmware revision, ASCII, space padded
 * @rab: recommended arbitration burst
 * @ieee: IEEE OUI
 * @cmic: multi-path I/O and namespace sharing capabilities
 * @mdts: maximum data transfer size, a power of two in CAP.MPSMIN units
 * @cntlid: controller id
 * @ver: version
 * @rtd3r: RTD3 resume latency
 * @rtd3e: RTD3 entry latency
 * @oaes: optional asynchronous events supported
 * @ctratt: controller attributes
 * @rsvd100: reserved
 * @cntrltype: controller type (1 I/O, 2 discovery, 3 admin)
 * @fguid: FRU globally unique identifier
 * @rsvd128: reserved and NVMe-MI area
 * @oacs: optional admin command support
 * @acl: abort command limit (0 based)
 * @aerl: asynchronous event request limit (0 based)
 * @frmw: firmware updates
 * @lpa: log page attributes
 * @elpe: error log page entries (0 based)
 * @npss: number of power states supported (0 based)
 * @avscc: admin vendor specific command configuration
 * @apsta: autonomous power state transition attributes
 * @wctemp: warning composite temperature threshold
 * @cctemp: critical composite temperature threshold
 * @rsvd270: fields this driver does not use
 * @hmpre: host memory buffer preferred size, 4 KiB units (0: no HMB)
 * @hmmin: host memory buffer minimum size, 4 KiB units
 * @rsvd280: fields this driver does not use
 * @kas: keep alive support, 100 ms units
 * @rsvd322: fields this driver does not use
 * @hmminds: host memory buffer minimum descriptor entry size, 4 KiB units
 * @hmmaxd: host memory buffer maximum descriptor entries (0: no limit)
 * @rsvd338: fields this driver does not use
 * @anatt: ANA transition time, seconds
 * @anacap: ANA capabilities
 * @anagrpmax: largest ANA group id
 * @nanagrpid: number of ANA group ids
 * @rsvd352: fields this driver does not use
 * @sqes: submission queue entry size (required and maximum, log2)
 * @cqes: completion queue entry size (required and maximum, log2)
 * @maxcmd: maximum outstanding commands (fabrics)
 * @nn: number of namespaces
 * @oncs: optional NVM command support
 * @fuses: fused operation support
 * @fna: format NVM attributes
 * @vwc: volatile write cache
 * @awun: atomic write unit normal
 * @awupf: atomic write unit power fail
 * @icsvscc: I/O command set vendor specific command configuration
 * @nwpc: namespace write protection capabilities
 * @acwu: atomic compare and write unit
 * @rsvd534: reserved
 * @sgls: SGL support
 * @mnan: maximum number of allowed namespaces
 * @rsvd544: reserved
 * @subnqn: NVM subsystem NQN, NUL padded
 * @rsvd1024: reserved
 * @ioccsz: I/O queue command capsule size, 16 byte units (fabrics)
 * @iorcsz: I/O queue response capsule size, 16 byte units (fabrics)
 * @icdoff: in-capsule data offset, 16 byte units (fabrics)
 * @fcatt: fabrics controller attributes
 * @msdbd: maximum SGL data block descriptors
 * @ofcs: optional fabrics commands supported
 * @rsvd1806: reserved
 * @psd: power state descriptors
 * @vs: vendor specific
 */
struct nvme_id_ctrl {
	__le16	vid;			/* 0 */
	__le16	ssvid;
	u8	sn[20];			/* 4 */
	u8	mn[40];			/* 24 */
	u8	fr[8];			/* 64 */
	u8	rab;			/* 72 */
	u8	ieee[3];
	u8	cmic;			/* 76 */
	u8	mdts;			/* 77 */
	__le16	cntlid;			/* 78 */
	__le32	ver;			/* 80 */
	__le32	rtd3r, rtd3e;		/* 84: RTD3 resume, entry latency */
	__le32	oaes;			/* 92 */
	__le32	ctratt;			/* 96 */
	u8	rsvd100[11];
	u8	cntrltype;		/* 111 */
	u8	fguid[16];		/* 112 */
	u8	rsvd128[128];
	__le16	oacs;			/* 256 */
	u8	acl;			/* 258 */
	u8	aerl;			/* 259 */
	u8	frmw;			/* 260 */
	u8	lpa;			/* 261 */
	u8	elpe;			/* 262 */
	u8	npss;			/* 263 */
	u8	avscc;			/* 264 */
	u8	apsta;			/* 265 */
	__le16	wctemp;			/* 266 */
	__le16	cctemp;			/* 268 */
	u8	rsvd270[2];
	__le32	hmpre;			/* 272 */
	__le32	hmmin;			/* 276 */
	u8	rsvd280[40];
	__le16	kas;			/* 320 */
	u8	rsvd322[10];
	__le32	hmminds;		/* 332 */
	__le16	hmmaxd;			/* 336 */
	u8	rsvd338[4];
	u8	anatt;			/* 342 */
	u8	anacap;			/* 343 */
	__le32	anagrpmax;		/* 344 */
	__le32	nanagrpid;		/* 348 */
	u8	rsvd352[160];
	u8	sqes;			/* 512 */
	u8	cqes;			/* 513 */
	__le16	maxcmd;			/* 514 */
	__le32	nn;			/* 516 */
	__le16	oncs;			/* 520 */
	__le16	fuses;			/* 522 */
	u8	fna;			/* 524 */
	u8	vwc;			/* 525 */
	__le16	awun;			/* 526 */
	__le16	awupf;			/* 528 */
	u8	icsvscc;		/* 530 */
	u8	nwpc;			/* 531 */
	__le16	acwu;			/* 532 */
	u8	rsvd534[2];
	__le32	sgls;			/* 536 */
	__le32	mnan;			/* 540 */
	u8	rsvd544[224];
	u8	subnqn[256];		/* 768 */
	u8	rsvd1024[768];
	__le32	ioccsz;			/* 1792 */
	__le32	iorcsz;			/* 1796 */
	__le16	icdoff;			/* 1800 */
	u8	fcatt;			/* 1802 */
	u8	msdbd;			/* 1803 */
	__le16	ofcs;			/* 1804 */
	u8	rsvd1806[242];
	struct nvme_id_power_state psd[32];	/* 2048 */
	u8	vs[1024];		/* 3072 */
};

/* OACS, ONCS, VWC, SGLS, OAES, CMIC bits used by the host */
#define NVME_OACS_NS_MGMT	BIT(3)
#define NVME_OACS_DBBUF		BIT(8)
#define NVME_ONCS_COMPARE	BIT(0)
#define NVME_ONCS_WRITE_UNCOR	BIT(1)
#define NVME_ONCS_DSM		BIT(2)
#define NVME_ONCS_WRITE_ZEROES	BIT(3)
#define NVME_VWC_PRESENT	BIT(0)
#define NVME_SGLS_SUPPORTED(s)	((s) & 0x3)
#define NVME_OAES_NS_ATTR	BIT(8)
#define NVME_OAES_FW_ACTIVATION	BIT(9)
#define NVME_OAES_ANA_CHANGE	BIT(11)
#define NVME_CTRL_CMIC_MULTI_PORT	BIT(0)
#define NVME_CTRL_CMIC_MULTI_CTRL	BIT(1)
#define NVME_CTRL_CMIC_ANA	BIT(3)

/**
 * struct nvme_lbaf - LBA format descriptor
 * @ms: metadata bytes per LBA
 * @ds: LBA data size as a power of two
 * @rp: relative performance in bits 1:0
 */
struct nvme_lbaf {
	__le16	ms;
	u8	ds;
	u8	rp;
};

/**
 * struct nvme_id_ctrl_nvm - I/O command set specific Identify Controller
 *	data structure for the NVM command set (CNS 06h, CSI 00h)
 * @vsl: Verify size limit, a power of two in CAP.MPSMIN units (0: none)
 * @wzsl: Write Zeroes size limit, a power of two in CAP.MPSMIN units
 *	(0: none)
 * @wusl: Write Uncorrectable size limit, as @wzsl
 * @dmrl: Dataset Management ranges limit: most ranges in one command
 *	(0: none)
 * @dmrsl: Dataset Management range size limit in logical blocks
 *	(0: none)
 * @dmsl: Dataset Management size limit: most logical blocks in one
 *	command (0: none)
 * @rsvd16: reserved
 */
struct nvme_id_ctrl_nvm {
	u8	vsl;			/* 0 */
	u8	wzsl;
	u8	wusl;
	u8	dmrl;
	__le32	dmrsl;			/* 4 */
	__le64	dmsl;			/* 8 */
	u8	rsvd16[4080];
};

/**
 * struct nvme_err_log_entry - one Error Information log page (01h) entry
 * @error_count: unique, increasing number of this error (0: empty entry)
 * @sqid: submission queue of the failed command
 * @cmdid: its command identifier
 * @status: its status field as in the completion (phase tag in bit 0)
 * @param_loc: byte (bits 7:0) and bit (10:8) of the command field in
 *	error, 0xffff when none is
 * @lba: first logical block of the failed I/O command, else 0
 * @nsid: namespace of the failed command, else 0
 * @vs: vendor specific information available (log page id), 0 = none
 * @trtype: transport type, when the error is transport related
 * @rsvd30: reserved
 * @cs: command specific information
 * @trtype_info: transport type specific information
 * @rsvd42: reserved
 */
struct nvme_err_log_entry {
	__le64	error_count;		/* 0 */
	__le16	sqid;			/* 8 */
	u16	cmdid;			/* as in the SQE */
	__le16	status;
	__le16	param_loc;
	__le64	lba;			/* 16 */
	__le32	nsid;			/* 24 */
	u8	vs;
	u8	trtype;
	u8	rsvd30[2];
	__le64	cs;			/* 32 */
	__le16	trtype_info;		/* 40 */
	u8	rsvd42[22];
};

/**
 * struct nvme_smart_log - SMART / Health Information log page (02h)
 * @critical_warning: bit 0 spare below threshold, bit 1 a temperature
 *	past a threshold, bit 2 reliability degraded, bit 3 read only,
 *	bit 4 volatile backup failed
 * @composite_temp: composite temperature in kelvins (little endian,
 *	not 16-bit aligned)
 * @avail_spare: available spare, percent
 * @spare_thresh: available spare threshold, percent
 * @percent_used: estimate of the life used, percent
 * @rsvd6: endurance group summary and reserved
 * @counters: data units read / written, host read / write commands,
 *	busy time, power cycles, power on hours, unsafe shutdowns, media
 *	errors and error log entries: ten 128-bit little endian counters
 * @warn_temp_time: minutes above the warning composite temperature
 * @crit_temp_time: minutes above the critical composite temperature
 * @temp_sensor: temperature sensors 1-8 in kelvins, 0 = not present
 * @thermal: thermal management transition counts and times
 * @rsvd232: reserved
 */
struct nvme_smart_log {
	u8	critical_warning;	/* 0 */
	u8	composite_temp[2];
	u8	avail_spare;
	u8	spare_thresh;
	u8	percent_used;
	u8	rsvd6[26];
	u8	counters[10][16];	/* 32 */
	__le32	warn_temp_time;		/* 192 */
	__le32	crit_temp_time;
	__le16	temp_sensor[8];		/* 200 */
	__le32	thermal[4];		/* 216 */
	u8	rsvd232[280];
};

#define NVME_SMART_CRIT_TEMPERATURE	BIT(1)

/**
 * struct nvme_id_ns - Identify Namespace data structure (CNS 00h, NVM set)
 * @nsze: namespace size in logical blocks
 * @ncap: namespace capacity in logical blocks
 * @nuse: namespace utilization in logical blocks
 * @nsfeat: namespace features
 * @nlbaf: number of LBA formats (0 based)
 * @flbas: formatted LBA size (format index bits 3:0 and 6:5, extended bit 4)
 * @mc: metadata capabilities
 * @dpc: end-to-end data protection capabilities
 * @dps: end-to-end data protection type settings
 * @nmic: multi-path I/O and sharing capabilities
 * @rescap: reservation capabilities
 * @fpi: format progress indicator
 * @dlfeat: deallocate logical block features
 * @nawun: atomic write unit normal
 * @nawupf: atomic write unit power fail
 * @nacwu: atomic compare and write unit
 * @nabsn: atomic boundary size normal
 * @nabo: atomic boundary offset
 * @nabspf: atomic boundary size power fail
 * @noiob: optimal I/O boundary in logical blocks
 * @nvmcap: NVM capacity in bytes (128 bit)
 * @npwg: preferred write granularity (0 based)
 * @npwa: preferred write alignment (0 based)
 * @npdg: preferred deallocate granularity (0 based)
 * @npda: preferred deallocate alignment (0 based)
 * @nows: optimal write size (0 based)
 * @rsvd74: reserved
 * @anagrpid: ANA group id
 * @rsvd96: reserved
 * @nsattr: namespace attributes (write protected)
 * @nvmsetid: NVM set id
 * @endgid: endurance group id
 * @nguid: namespace globally unique identifier
 * @eui64: IEEE extended unique identifier
 * @lbaf: LBA format descriptors
 * @rsvd384: reserved
 * @vs: vendor specific
 */
struct nvme_id_ns {
	__le64	nsze;			/* 0 */
	__le64	ncap;			/* 8 */
	__le64	nuse;			/* 16 */
	u8	nsfeat;			/* 24 */
	u8	nlbaf;
	u8	flbas;
	u8	mc;
	u8	dpc;
	u8	dps;
	u8	nmic;			/* 30 */
	u8	rescap;
	u8	fpi;
	u8	dlfeat;
	__le16	nawun, nawupf, nacwu;	/* 34: atomic write units */
	__le16	nabsn, nabo, nabspf;	/* 40: atomic boundaries */
	__le16	noiob;			/* 46 */
	u8	nvmcap[16];		/* 48 */
	__le16	npwg;			/* 64 */
	__le16	npwa;
	__le16	npdg;
	__le16	npda;
	__le16	nows;			/* 72 */
	u8	rsvd74[18];
	__le32	anagrpid;		/* 92 */
	u8	rsvd96[3];
	u8	nsattr;			/* 99 */
	__le16	nvmsetid;		/* 100 */
	__le16	endgid;
	u8	nguid[16];		/* 104 */
	u8	eui64[8];		/* 120 */
	struct nvme_lbaf lbaf[64];	/* 128 */
	u8	rsvd384[3456];
	u8	vs[256];		/* 3840 */
};

#define NVME_NSFEAT_THIN	BIT(0)
#define NVME_NSFEAT_ATOMICS	BIT(1)	/* NAWUN, NAWUPF, NACWU valid */
#define NVME_NSFEAT_IO_OPT	BIT(4)
#define NVME_NS_FLBAS_EXTENDED	BIT(4)
#define NVME_NMIC_SHARED	BIT(0)

static inline unsigned int nvme_id_ns_lbaf_index(const struct nvme_id_ns *id)
{
	/* index bits 3:0, plus bits 6:5 as the upper two bits when nlbaf > 16 */
	unsigned int idx = id->flbas & 0xf;

	if (id->nlbaf > 16)
		idx |= ((id->flbas >> 5) & 0x3) << 4;
	return idx;
}

/**
 * struct nvme_ns_id_desc - header of one Namespace Identification Descriptor
 * @nidt: descriptor type
 * @nidl: length of the identifier that follows
 * @rsvd2: reserved
 */
struct nvme_ns_id_desc {
	u8	nidt;
	u8	nidl;
	__le16	rsvd2;
};

enum {
	NVME_NIDT_EUI64	= 1,	/* 8 bytes */
	NVME_NIDT_NGUID	= 2,	/* 16 bytes */
	NVME_NIDT_UUID	= 3,	/* 16 bytes */
	NVME_NIDT_CSI	= 4,	/* 1 byte */
};

#define NVME_IDENTIFY_DATA_SIZE	4096
#define NVME_NSID_ALL		0xffffffffu
#define NVME_NSLIST_ENTRIES	1024	/* nsids in one active NS list page */

/* ---- Size checks ---- */
static_assert(sizeof(struct nvme_sgl_desc) == 16, "SGL descriptor size");
static_assert(sizeof(struct nvme_sqe) == 64, "SQE size");
static_assert(sizeof(struct nvme_cqe) == 16, "CQE size");
static_assert(sizeof(struct nvme_host_mem_desc) == 16, "HMB descriptor size");
static_assert(sizeof(struct nvme_dsm_range) == 16, "DSM range size");
static_assert(sizeof(struct nvme_id_power_state) == 32, "PSD size");
static_assert(sizeof(struct nvme_feat_auto_pst) == 256, "APST table size");
static_assert(sizeof(struct nvme_id_ctrl) == 4096, "identify ctrl size");
static_assert(offsetof(struct nvme_id_ctrl, cntrltype) == 111, "cntrltype");
static_assert(offsetof(struct nvme_id_ctrl, oacs) == 256, "oacs");
static_assert(offsetof(struct nvme_id_ctrl, npss) == 263, "npss");
static_assert(offsetof(struct nvme_id_ctrl, apsta) == 265, "apsta");
static_assert(offsetof(struct nvme_id_ctrl, hmpre) == 272, "hmpre");
static_assert(offsetof(struct nvme_id_ctrl, hmmin) == 276, "hmmin");
static_assert(offsetof(struct nvme_id_ctrl, kas) == 320, "kas");
static_assert(offsetof(struct nvme_id_ctrl, hmminds) == 332, "hmminds");
static_assert(offsetof(struct nvme_id_ctrl, hmmaxd) == 336, "hmmaxd");
static_assert(offsetof(struct nvme_id_ctrl, anatt) == 342, "anatt");
static_assert(offsetof(struct nvme_id_ctrl, anagrpmax) == 344, "anagrpmax");
static_assert(offsetof(struct nvme_id_ctrl, nanagrpid) == 348, "nanagrpid");
static_assert(offsetof(struct nvme_id_ctrl, sqes) == 512, "sqes");
static_assert(offsetof(struct nvme_id_ctrl, sgls) == 536, "sgls");
static_assert(offsetof(struct nvme_id_ctrl, subnqn) == 768, "subnqn");
static_assert(offsetof(struct nvme_id_ctrl, ioccsz) == 1792, "ioccsz");
static_assert(offsetof(struct nvme_id_ctrl, psd) == 2048, "psd");
static_assert(sizeof(struct nvme_id_ctrl_nvm) == 4096, "identify ctrl nvm size");
static_assert(sizeof(struct nvme_smart_log) == 512, "SMART log size");
static_assert(sizeof(struct nvme_err_log_entry) == 64, "error log entry size");
static_assert(offsetof(struct nvme_err_log_entry, lba) == 16, "error log lba");
static_assert(offsetof(struct nvme_err_log_entry, cs) == 32, "error log cs");
static_assert(offsetof(struct nvme_smart_log, counters) == 32, "counters");
static_assert(offsetof(struct nvme_smart_log, temp_sensor) == 200, "temp_sensor");
static_assert(offsetof(struct nvme_id_ctrl_nvm, dmrsl) == 4, "dmrsl");
static_assert(offsetof(struct nvme_id_ctrl_nvm, dmsl) == 8, "dmsl");
static_assert(sizeof(struct nvme_lbaf) == 4, "lbaf size");
static_assert(sizeof(struct nvme_id_ns) == 4096, "identify ns size");
static_assert(offsetof(struct nvme_id_ns, npwg) == 64, "npwg");
static_assert(offsetof(struct nvme_id_ns, anagrpid) == 92, "anagrpid");
static_assert(offsetof(struct nvme_id_ns, nguid) == 104, "nguid");
static_assert(offsetof(struct nvme_id_ns, lbaf) == 128, "lbaf");
static_assert(sizeof(struct nvme_ns_id_desc) == 4, "ns id desc size");

#endif /* NVME_OOT_SPEC_H */
