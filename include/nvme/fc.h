/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe over Fibre Channel (FC-NVMe) wire definitions: the NVMe link
 * service (LS) requests and responses, their descriptors, the FCP command
 * IU that carries an SQE and the extended response IU that carries a CQE.
 *
 * Written from the FC-NVMe(-2) specification.  Fibre Channel payloads are
 * big endian, so unlike the NVMe structures (little endian) every
 * multi-byte FC field here is __be16/__be32/__be64; the embedded SQE and
 * CQE keep their own little-endian layout.
 *
 * Sizes: a descriptor is an 8-byte header (tag, length of what follows)
 * and a body; an LS payload is a 4-byte command word, a 4-byte length of
 * the descriptor list that follows, then the descriptors.
 */
#ifndef NVME_OOT_FC_H
#define NVME_OOT_FC_H

#include "compat.h"
#include "spec.h"
#include "fabrics.h"

/* FC-4 type of NVMe and the R_CTL values used on the wire */
#define NVME_FC_FC4_TYPE	0x28
#define NVME_FC_RCTL_LS_REQ	0x32	/* unsolicited control: LS request */
#define NVME_FC_RCTL_LS_RSP	0x33	/* solicited control: LS response */

/* ---- Link services ---- */

/**
 * enum nvme_fc_ls_cmd - LS command codes (first byte of every LS payload)
 * @NVME_FC_LS_RJT: reject (response)
 * @NVME_FC_LS_ACC: accept (response)
 * @NVME_FC_LS_CREATE_ASSOC: Create Association (admin queue)
 * @NVME_FC_LS_CREATE_CONN: Create I/O Connection
 * @NVME_FC_LS_DISCONNECT: Disconnect Association
 */
enum nvme_fc_ls_cmd {
	NVME_FC_LS_RJT		= 0x01,
	NVME_FC_LS_ACC		= 0x02,
	NVME_FC_LS_CREATE_ASSOC	= 0x03,
	NVME_FC_LS_CREATE_CONN	= 0x04,
	NVME_FC_LS_DISCONNECT	= 0x05,
};

/**
 * enum nvme_fc_desc_tag - LS descriptor tags
 * @NVME_FC_DESC_RQST: echo of the request's command word (in LS_ACC/RJT)
 * @NVME_FC_DESC_RJT: reject reason
 * @NVME_FC_DESC_ASSOC_CMD: Create Association parameters
 * @NVME_FC_DESC_CONN_CMD: Create I/O Connection parameters
 * @NVME_FC_DESC_DISC_CMD: Disconnect parameters
 * @NVME_FC_DESC_CONN_ID: connection identifier
 * @NVME_FC_DESC_ASSOC_ID: association identifier
 */
enum nvme_fc_desc_tag {
	NVME_FC_DESC_RQST	= 0x01,
	NVME_FC_DESC_RJT	= 0x02,
	NVME_FC_DESC_ASSOC_CMD	= 0x03,
	NVME_FC_DESC_CONN_CMD	= 0x04,
	NVME_FC_DESC_DISC_CMD	= 0x05,
	NVME_FC_DESC_CONN_ID	= 0x06,
	NVME_FC_DESC_ASSOC_ID	= 0x07,
};

/* LS_RJT reason codes */
enum nvme_fc_rjt_reason {
	NVME_FC_RJT_RC_NONE		= 0x00,
	NVME_FC_RJT_RC_INVAL_CMD	= 0x01,	/* invalid LS command code */
	NVME_FC_RJT_RC_LOGICAL		= 0x03,	/* logical error */
	NVME_FC_RJT_RC_UNABLE		= 0x09,	/* unable to perform */
	NVME_FC_RJT_RC_UNSUPPORTED	= 0x0b,	/* command not supported */
	NVME_FC_RJT_RC_IN_PROGRESS	= 0x0e,	/* command already in progress */
	NVME_FC_RJT_RC_INV_ASSOC	= 0x40,	/* invalid association id */
	NVME_FC_RJT_RC_INV_CONN		= 0x41,	/* invalid connection id */
	NVME_FC_RJT_RC_INV_PARAM	= 0x42,	/* invalid parameters */
	NVME_FC_RJT_RC_NO_RESOURCES	= 0x43,	/* insufficient resources */
	NVME_FC_RJT_RC_INV_HOST		= 0x44,	/* invalid or rejected host */
	NVME_FC_RJT_RC_VENDOR		= 0xff,
};

/* LS_RJT reason explanations */
enum nvme_fc_rjt_explanation {
	NVME_FC_RJT_EXP_NONE		= 0x00,
	NVME_FC_RJT_EXP_OXID_RXID	= 0x17,	/* invalid exchange ids */
	NVME_FC_RJT_EXP_NO_DATA		= 0x2a,	/* unable to supply data */
	NVME_FC_RJT_EXP_BAD_LEN		= 0x2d,	/* invalid payload length */
	NVME_FC_RJT_EXP_ERSP_RATIO	= 0x40,
	NVME_FC_RJT_EXP_CNTLID		= 0x41,
	NVME_FC_RJT_EXP_QID		= 0x42,
	NVME_FC_RJT_EXP_SQSIZE		= 0x43,
	NVME_FC_RJT_EXP_HOSTID		= 0x44,
	NVME_FC_RJT_EXP_HOSTNQN		= 0x45,
	NVME_FC_RJT_EXP_SUBNQN		= 0x46,
};

/**
 * struct nvme_fc_desc_hdr - header of every LS descriptor
 * @tag: &enum nvme_fc_desc_tag
 * @len: bytes of the descriptor that follow this header
 */
struct nvme_fc_desc_hdr {
	__be32	tag;
	__be32	len;
};

/* descriptor length field of a descriptor struct */
#define NVME_FC_DESC_LEN(type)	((u32)(sizeof(type) - \
				       sizeof(struct nvme_fc_desc_hdr)))

/**
 * struct nvme_fc_ls_hdr - first 8 bytes of every LS request or response
 * @cmd: &enum nvme_fc_ls_cmd
 * @rsvd1: reserved
 * @desc_list_len: bytes of descriptors that follow
 */
struct nvme_fc_ls_hdr {
	u8	cmd;
	u8	rsvd1[3];
	__be32	desc_list_len;
};

/**
 * struct nvme_fc_desc_rqst - RQST descriptor: which request is answered
 * @hdr: tag %NVME_FC_DESC_RQST, len 8
 * @cmd: the command code of the request
 * @rsvd9: reserved
 * @rsvd12: reserved
 */
struct nvme_fc_desc_rqst {
	struct nvme_fc_desc_hdr hdr;
	u8	cmd;
	u8	rsvd9[3];
	__be32	rsvd12;
};

/**
 * struct nvme_fc_desc_rjt - RJT descriptor
 * @hdr: tag %NVME_FC_DESC_RJT, len 8
 * @rsvd8: reserved
 * @reason: &enum nvme_fc_rjt_reason
 * @explanation: &enum nvme_fc_rjt_explanation
 * @vendor: vendor specific code
 * @rsvd12: reserved
 */
struct nvme_fc_desc_rjt {
	struct nvme_fc_desc_hdr hdr;
	u8	rsvd8;
	u8	reason;
	u8	explanation;
	u8	vendor;
	__be32	rsvd12;
};

/**
 * struct nvme_fc_desc_assoc_cmd - Create Association parameters
 * @hdr: tag %NVME_FC_DESC_ASSOC_CMD
 * @ersp_ratio: send an ERSP at least every this many responses
 * @rsvd10: reserved
 * @cntlid: controller id asked for (0xffff: dynamic)
 * @sqsize: admin queue size, 0's based
 * @rsvd52: reserved
 * @hostid: host identifier (as in the Connect data)
 * @hostnqn: host NQN, NUL padded
 * @subnqn: subsystem NQN, NUL padded
 * @rsvd584: reserved (absent in senders of the first FC-NVMe revision)
 */
struct nvme_fc_desc_assoc_cmd {
	struct nvme_fc_desc_hdr hdr;
	__be16	ersp_ratio;
	u8	rsvd10[38];
	__be16	cntlid;
	__be16	sqsize;
	u8	rsvd52[4];
	u8	hostid[16];
	u8	hostnqn[NVMF_NQN_FIELD_LEN];
	u8	subnqn[NVMF_NQN_FIELD_LEN];
	u8	rsvd584[384];
};

/* smallest descriptor length a sender may use: through @subnqn */
#define NVME_FC_ASSOC_CMD_MIN_LEN \
	((u32)(offsetof(struct nvme_fc_desc_assoc_cmd, rsvd584) - \
	       sizeof(struct nvme_fc_desc_hdr)))

/**
 * struct nvme_fc_desc_conn_cmd - Create I/O Connection parameters
 * @hdr: tag %NVME_FC_DESC_CONN_CMD
 * @ersp_ratio: as in Create Association
 * @rsvd10: reserved
 * @qid: the I/O queue id
 * @sqsize: queue size, 0's based
 * @rsvd52: reserved
 */
struct nvme_fc_desc_conn_cmd {
	struct nvme_fc_desc_hdr hdr;
	__be16	ersp_ratio;
	u8	rsvd10[38];
	__be16	qid;
	__be16	sqsize;
	u8	rsvd52[4];
};

/**
 * struct nvme_fc_desc_disc_cmd - Disconnect parameters
 * @hdr: tag %NVME_FC_DESC_DISC_CMD, len 8
 * @rsvd8: reserved
 * @rsvd12: reserved
 */
struct nvme_fc_desc_disc_cmd {
	struct nvme_fc_desc_hdr hdr;
	__be32	rsvd8;
	__be32	rsvd12;
};

/**
 * struct nvme_fc_desc_id - ASSOC_ID or CONN_ID descriptor
 * @hdr: tag %NVME_FC_DESC_ASSOC_ID or %NVME_FC_DESC_CONN_ID, len 8
 * @id: the identifier (0 is never valid)
 */
struct nvme_fc_desc_id {
	struct nvme_fc_desc_hdr hdr;
	__be64	id;
};

/**
 * struct nvme_fc_ls_create_assoc - Create Association request
 * @hdr: cmd %NVME_FC_LS_CREATE_ASSOC
 * @cmd: the parameters
 */
struct nvme_fc_ls_create_assoc {
	struct nvme_fc_ls_hdr hdr;
	struct nvme_fc_desc_assoc_cmd cmd;
};

/**
 * struct nvme_fc_ls_create_assoc_acc - its LS_ACC
 * @hdr: cmd %NVME_FC_LS_ACC
 * @rqst: echo, cmd %NVME_FC_LS_CREATE_ASSOC
 * @assoc_id: the new association
 * @conn_id: the admin connection
 */
struct nvme_fc_ls_create_assoc_acc {
	struct nvme_fc_ls_hdr hdr;
	struct nvme_fc_desc_rqst rqst;
	struct nvme_fc_desc_id assoc_id;
	struct nvme_fc_desc_id conn_id;
};

/**
 * struct nvme_fc_ls_create_conn - Create I/O Connection request
 * @hdr: cmd %NVME_FC_LS_CREATE_CONN
 * @assoc_id: the association the queue joins
 * @cmd: the parameters
 */
struct nvme_fc_ls_create_conn {
	struct nvme_fc_ls_hdr hdr;
	struct nvme_fc_desc_id assoc_id;
	struct nvme_fc_desc_conn_cmd cmd;
};

/**
 * struct nvme_fc_ls_create_conn_acc - its LS_ACC
 * @hdr: cmd %NVME_FC_LS_ACC
 * @rqst: echo, cmd %NVME_FC_LS_CREATE_CONN
 * @conn_id: the new connection
 */
struct nvme_fc_ls_create_conn_acc {
	struct nvme_fc_ls_hdr hdr;
	struct nvme_fc_desc_rqst rqst;
	struct nvme_fc_desc_id conn_id;
};

/**
 * struct nvme_fc_ls_disconnect - Disconnect Association request
 * @hdr: cmd %NVME_FC_LS_DISCONNECT
 * @assoc_id: the association to end
 * @cmd: the parameters
 */
struct nvme_fc_ls_disconnect {
	struct nvme_fc_ls_hdr hdr;
	struct nvme_fc_desc_id assoc_id;
	struct nvme_fc_desc_disc_cmd cmd;
};

/**
 * struct nvme_fc_ls_disconnect_acc - its LS_ACC
 * @hdr: cmd %NVME_FC_LS_ACC
 * @rqst: echo, cmd %NVME_FC_LS_DISCONNECT
 */
struct nvme_fc_ls_disconnect_acc {
	struct nvme_fc_ls_hdr hdr;
	struct nvme_fc_desc_rqst rqst;
};

/**
 * struct nvme_fc_ls_rjt - LS_RJT, the answer to any refused request
 * @hdr: cmd %NVME_FC_LS_RJT
 * @rqst: echo of the refused request's command
 * @rjt: why
 */
struct nvme_fc_ls_rjt {
	struct nvme_fc_ls_hdr hdr;
	struct nvme_fc_desc_rqst rqst;
	struct nvme_fc_desc_rjt rjt;
};

/* largest LS request and response payloads */
#define NVME_FC_LS_RQST_MAX	sizeof(struct nvme_fc_ls_create_assoc)
#define NVME_FC_LS_RSP_MAX	sizeof(struct nvme_fc_ls_create_assoc_acc)

/* ---- FCP information units ---- */

#define NVME_FC_CMD_FORMAT_ID	0xfd	/* first byte of a command IU */
#define NVME_FC_CMD_FC_ID	0x28	/* second byte: NVMe FC-4 */

/* nvme_fc_cmd_iu.flags */
#define NVME_FC_CMD_WRITE	0x01	/* data from host to controller */
#define NVME_FC_CMD_READ	0x02	/* data from controller to host */

/* nvme_fc_cmd_iu.category (FC-NVMe-2), informational */
#define NVME_FC_CAT_ADMIN	0x00
#define NVME_FC_CAT_IO		0x01

/**
 * struct nvme_fc_cmd_iu - FCP command IU: one NVMe command
 * @format_id: %NVME_FC_CMD_FORMAT_ID
 * @fc_id: %NVME_FC_CMD_FC_ID
 * @iu_len: length of the IU in 4-byte words (24)
 * @rsvd4: reserved
 * @category: %NVME_FC_CAT_*
 * @flags: %NVME_FC_CMD_READ / %NVME_FC_CMD_WRITE, neither without data
 * @conn_id: the connection (queue) the command belongs to
 * @csn: command sequence number, per connection, starting at 1
 * @data_len: bytes of data the command transfers
 * @sqe: the submission queue entry
 * @rsvd88: reserved
 */
struct nvme_fc_cmd_iu {
	u8	format_id;
	u8	fc_id;
	__be16	iu_len;
	u8	rsvd4[2];
	u8	category;
	u8	flags;
	__be64	conn_id;
	__be32	csn;
	__be32	data_len;
	struct nvme_sqe sqe;
	__be32	rsvd88[2];
};

#define NVME_FC_CMD_IU_WORDS	(sizeof(struct nvme_fc_cmd_iu) / 4)

/**
 * struct nvme_fc_ersp_iu - extended response IU: one NVMe completion
 * @status: 0 (the FC-NVMe status code of a good response)
 * @rsvd1: reserved
 * @iu_len: length of the IU in 4-byte words (8)
 * @rsn: response sequence number, per connection, starting at 1
 * @xfrd_len: bytes of data actually transferred
 * @rsvd12: reserved
 * @cqe: the completion queue entry
 *
 * A target may instead answer with an all-zero response of
 * %NVME_FC_SHORT_RSP_LEN bytes (or none at all) for a command that
 * succeeded, moved all its data and has a zero result; it must send an
 * ERSP at least every ersp_ratio responses and for anything else.
 */
struct nvme_fc_ersp_iu {
	u8	status;
	u8	rsvd1;
	__be16	iu_len;
	__be32	rsn;
	__be32	xfrd_len;
	__be32	rsvd12;
	struct nvme_cqe cqe;
};

#define NVME_FC_ERSP_IU_WORDS	(sizeof(struct nvme_fc_ersp_iu) / 4)
#define NVME_FC_SHORT_RSP_LEN	12

/* ---- size and offset checks ---- */
static_assert(sizeof(struct nvme_fc_desc_hdr) == 8);
static_assert(sizeof(struct nvme_fc_ls_hdr) == 8);
static_assert(sizeof(struct nvme_fc_desc_rqst) == 16);
static_assert(sizeof(struct nvme_fc_desc_rjt) == 16);
static_assert(sizeof(struct nvme_fc_desc_id) == 16);
static_assert(sizeof(struct nvme_fc_desc_disc_cmd) == 16);
static_assert(sizeof(struct nvme_fc_desc_conn_cmd) == 56);
static_assert(sizeof(struct nvme_fc_desc_assoc_cmd) == 968);
static_assert(offsetof(struct nvme_fc_desc_assoc_cmd, cntlid) == 48);
static_assert(offsetof(struct nvme_fc_desc_assoc_cmd, hostid) == 56);
static_assert(offsetof(struct nvme_fc_desc_assoc_cmd, hostnqn) == 72);
static_assert(offsetof(struct nvme_fc_desc_assoc_cmd, subnqn) == 328);
static_assert(offsetof(struct nvme_fc_desc_assoc_cmd, rsvd584) == 584);
static_assert(offsetof(struct nvme_fc_desc_conn_cmd, qid) == 48);
static_assert(sizeof(struct nvme_fc_ls_create_assoc) == 976);
static_assert(sizeof(struct nvme_fc_ls_create_assoc_acc) == 56);
static_assert(sizeof(struct nvme_fc_ls_create_conn) == 80);
static_assert(sizeof(struct nvme_fc_ls_create_conn_acc) == 40);
static_assert(sizeof(struct nvme_fc_ls_disconnect) == 40);
static_assert(sizeof(struct nvme_fc_ls_disconnect_acc) == 24);
static_assert(sizeof(struct nvme_fc_ls_rjt) == 40);
static_assert(sizeof(struct nvme_fc_cmd_iu) == 96);
static_assert(offsetof(struct nvme_fc_cmd_iu, conn_id) == 8);
static_assert(offsetof(struct nvme_fc_cmd_iu, csn) == 16);
static_assert(offsetof(struct nvme_fc_cmd_iu, data_len) == 20);
static_assert(offsetof(struct nvme_fc_cmd_iu, sqe) == 24);
static_assert(sizeof(struct nvme_fc_ersp_iu) == 32);
static_assert(offsetof(struct nvme_fc_ersp_iu, rsn) == 4);
static_assert(offsetof(struct nvme_fc_ersp_iu, xfrd_len) == 8);
static_assert(offsetof(struct nvme_fc_ersp_iu, cqe) == 16);

#endif /* NVME_OOT_FC_H */
