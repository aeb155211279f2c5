// SPDX-License-Identifier: GPL-2.0
/*
 * FC-NVMe link service and IU encoding and validation (see wire.h).
 */
#include "wire.h"

static void fc_set_err(struct nvme_fc_wire_err *err, const char *reason,
		       u8 rjt_reason, u8 rjt_exp)
{
	if (err) {
		err->reason = reason;
		err->rjt_reason = rjt_reason;
		err->rjt_exp = rjt_exp;
	}
}

static void fc_desc_init(struct nvme_fc_desc_hdr *hdr, u32 tag, u32 len)
{
	hdr->tag = cpu_to_be32(tag);
	hdr->len = cpu_to_be32(len);
}

static void fc_ls_hdr_init(struct nvme_fc_ls_hdr *hdr, u8 cmd, u32 total)
{
	hdr->cmd = cmd;
	hdr->desc_list_len = cpu_to_be32(total - sizeof(*hdr));
}

static void fc_id_init(struct nvme_fc_desc_id *d, u32 tag, u64 id)
{
	fc_desc_init(&d->hdr, tag, NVME_FC_DESC_LEN(struct nvme_fc_desc_id));
	d->id = cpu_to_be64(id);
}

static void fc_rqst_init(struct nvme_fc_desc_rqst *d, u8 cmd)
{
	fc_desc_init(&d->hdr, NVME_FC_DESC_RQST,
		     NVME_FC_DESC_LEN(struct nvme_fc_desc_rqst));
	d->cmd = cmd;
}

/* copy a string into a fixed NUL padded field, truncating */
static void fc_copy_str(u8 *dst, u32 size, const char *src)
{
	u32 i;

	for (i = 0; i + 1 < size && src && src[i]; i++)
		dst[i] = (u8)src[i];
	for (; i < size; i++)
		dst[i] = 0;
}

/**
 * nvme_fc_build_create_assoc() - encode a Create Association request
 * @rq: buffer of sizeof(*rq) bytes
 * @ersp_ratio: ERSP ratio asked for
 * @sqsize: admin queue size, 0's based
 * @cntlid: controller id (0xffff: dynamic)
 * @hostid: 16 bytes
 * @hostnqn: host NQN
 * @subnqn: subsystem NQN
 *
 * Return: bytes to send.
 */
u32 nvme_fc_build_create_assoc(struct nvme_fc_ls_create_assoc *rq,
			       u16 ersp_ratio, u16 sqsize, u16 cntlid,
			       const u8 *hostid, const char *hostnqn,
			       const char *subnqn)
{
	memset(rq, 0, sizeof(*rq));
	fc_ls_hdr_init(&rq->hdr, NVME_FC_LS_CREATE_ASSOC, sizeof(*rq));
	fc_desc_init(&rq->cmd.hdr, NVME_FC_DESC_ASSOC_CMD,
		     NVME_FC_DESC_LEN(struct nvme_fc_desc_assoc_cmd));
	rq->cmd.ersp_ratio = cpu_to_be16(ersp_ratio);
	rq->cmd.cntlid = cpu_to_be16(cntlid);
	rq->cmd.sqsize = cpu_to_be16(sqsize);
	memcpy(rq->cmd.hostid, hostid, sizeof(rq->cmd.hostid));
	fc_copy_str(rq->cmd.hostnqn, sizeof(rq->cmd.hostnqn), hostnqn);
	fc_copy_str(rq->cmd.subnqn, sizeof(rq->cmd.subnqn), subnqn);
	return sizeof(*rq);
}

/**
 * nvme_fc_build_create_conn() - encode a Create I/O Connection request
 * @rq: buffer
 * @assoc_id: the association
 * @ersp_ratio: ERSP ratio asked for
 * @qid: I/O queue id
 * @sqsize: queue size, 0's based
 *
 * Return: bytes to send.
 */
u32 nvme_fc_build_create_conn(struct nvme_fc_ls_create_conn *rq,
			      u64 assoc_id, u16 ersp_ratio, u16 qid,
			      u16 sqsize)
{
	memset(rq, 0, sizeof(*rq));
	fc_ls_hdr_init(&rq->hdr, NVME_FC_LS_CREATE_CONN, sizeof(*rq));
	fc_id_init(&rq->assoc_id, NVME_FC_DESC_ASSOC_ID, assoc_id);
	fc_desc_init(&rq->cmd.hdr, NVME_FC_DESC_CONN_CMD,
		     NVME_FC_DESC_LEN(struct nvme_fc_desc_conn_cmd));
	rq->cmd.ersp_ratio = cpu_to_be16(ersp_ratio);
	rq->cmd.qid = cpu_to_be16(qid);
	rq->cmd.sqsize = cpu_to_be16(sqsize);
	return sizeof(*rq);
}

/**
 * nvme_fc_build_disconnect() - encode a Disconnect Association request
 * @rq: buffer
 * @assoc_id: the association to end
 *
 * Return: bytes to send.
 */
u32 nvme_fc_build_disconnect(struct nvme_fc_ls_disconnect *rq, u64 assoc_id)
{
	memset(rq, 0, sizeof(*rq));
	fc_ls_hdr_init(&rq->hdr, NVME_FC_LS_DISCONNECT, sizeof(*rq));
	fc_id_init(&rq->assoc_id, NVME_FC_DESC_ASSOC_ID, assoc_id);
	fc_desc_init(&rq->cmd.hdr, NVME_FC_DESC_DISC_CMD,
		     NVME_FC_DESC_LEN(struct nvme_fc_desc_disc_cmd));
	return sizeof(*rq);
}

/**
 * nvme_fc_build_assoc_acc() - encode the LS_ACC of Create Association
 * @acc: buffer
 * @assoc_id: the new association
 * @conn_id: its admin connection
 *
 * Return: bytes to send.
 */
u32 nvme_fc_build_assoc_acc(struct nvme_fc_ls_create_assoc_acc *acc,
			    u64 assoc_id, u64 conn_id)
{
	memset(acc, 0, sizeof(*acc));
	fc_ls_hdr_init(&acc->hdr, NVME_FC_LS_ACC, sizeof(*acc));
	fc_rqst_init(&acc->rqst, NVME_FC_LS_CREATE_ASSOC);
	fc_id_init(&acc->assoc_id, NVME_FC_DESC_ASSOC_ID, assoc_id);
	fc_id_init(&acc->conn_id, NVME_FC_DESC_CONN_ID, conn_id);
	return sizeof(*acc);
}

/**
 * nvme_fc_build_conn_acc() - encode the LS_ACC of Create I/O Connection
 * @acc: buffer
 * @conn_id: the new connection
 *
 * Return: bytes to send.
 */
u32 nvme_fc_build_conn_acc(struct nvme_fc_ls_create_conn_acc *acc,
			   u64 conn_id)
{
	memset(acc, 0, sizeof(*acc));
	fc_ls_hdr_init(&acc->hdr, NVME_FC_LS_ACC, sizeof(*acc));
	fc_rqst_init(&acc->rqst, NVME_FC_LS_CREATE_CONN);
	fc_id_init(&acc->conn_id, NVME_FC_DESC_CONN_ID, conn_id);
	return sizeof(*acc);
}

/**
 * nvme_fc_build_disc_acc() - encode the LS_ACC of Disconnect
 * @acc: buffer
 *
 * Return: bytes to send.
 */
u32 nvme_fc_build_disc_acc(struct nvme_fc_ls_disconnect_acc *acc)
{
	memset(acc, 0, sizeof(*acc));
	fc_ls_hdr_init(&acc->hdr, NVME_FC_LS_ACC, sizeof(*acc));
	fc_rqst_init(&acc->rqst, NVME_FC_LS_DISCONNECT);
	return sizeof(*acc);
}

/**
 * nvme_fc_build_rjt() - encode an LS_RJT
 * @rjt: buffer
 * @cmd: command code of the refused request
 * @reason: &enum nvme_fc_rjt_reason
 * @explanation: &enum nvme_fc_rjt_explanation
 *
 * Return: bytes to send.
 */
u32 nvme_fc_build_rjt(struct nvme_fc_ls_rjt *rjt, u8 cmd, u8 reason,
		      u8 explanation)
{
	memset(rjt, 0, sizeof(*rjt));
	fc_ls_hdr_init(&rjt->hdr, NVME_FC_LS_RJT, sizeof(*rjt));
	fc_rqst_init(&rjt->rqst, cmd);
	fc_desc_init(&rjt->rjt.hdr, NVME_FC_DESC_RJT,
		     NVME_FC_DESC_LEN(struct nvme_fc_desc_rjt));
	rjt->rjt.reason = reason;
	rjt->rjt.explanation = explanation;
	return sizeof(*rjt);
}

/* a descriptor header: tag and length as expected */
static bool fc_desc_ok(const struct nvme_fc_desc_hdr *hdr, u32 tag, u32 len)
{
	return be32_to_cpu(hdr->tag) == tag && be32_to_cpu(hdr->len) == len;
}

static bool fc_id_ok(const struct nvme_fc_desc_id *d, u32 tag)
{
	return fc_desc_ok(&d->hdr, tag,
			  NVME_FC_DESC_LEN(struct nvme_fc_desc_id)) &&
	       d->id != 0;
}

/* NUL terminated within @size and not empty */
static bool fc_str_ok(const u8 *s, u32 size)
{
	return s[0] && memchr(s, 0, size);
}

static int fc_check_queue_params(u16 ersp_ratio, u16 sqsize,
				 struct nvme_fc_wire_err *err)
{
	if (!sqsize) {
		fc_set_err(err, "sqsize 0", NVME_FC_RJT_RC_INV_PARAM,
			   NVME_FC_RJT_EXP_SQSIZE);
		return -EINVAL;
	}
	/* at least one ERSP per queue's worth of responses */
	if (!ersp_ratio || ersp_ratio > sqsize) {
		fc_set_err(err, "bad ersp_ratio", NVME_FC_RJT_RC_INV_PARAM,
			   NVME_FC_RJT_EXP_ERSP_RATIO);
		return -EINVAL;
	}
	return 0;
}

static int fc_check_create_assoc(const void *buf, u32 len,
				 struct nvme_fc_ls_rqst_info *info,
				 struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_ls_create_assoc *rq = buf;
	const u32 hdrs = sizeof(rq->hdr) + sizeof(rq->cmd.hdr);
	u32 dlen;

	if (len < hdrs + NVME_FC_ASSOC_CMD_MIN_LEN || len > sizeof(*rq)) {
		fc_set_err(err, "create association: bad length",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	dlen = be32_to_cpu(rq->cmd.hdr.len);
	if (be32_to_cpu(rq->cmd.hdr.tag) != NVME_FC_DESC_ASSOC_CMD ||
	    dlen != len - hdrs) {
		fc_set_err(err, "create association: bad descriptor",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	if (!fc_str_ok(rq->cmd.hostnqn, sizeof(rq->cmd.hostnqn))) {
		fc_set_err(err, "create association: bad hostnqn",
			   NVME_FC_RJT_RC_INV_PARAM, NVME_FC_RJT_EXP_HOSTNQN);
		return -EINVAL;
	}
	if (!fc_str_ok(rq->cmd.subnqn, sizeof(rq->cmd.subnqn))) {
		fc_set_err(err, "create association: bad subnqn",
			   NVME_FC_RJT_RC_INV_PARAM, NVME_FC_RJT_EXP_SUBNQN);
		return -EINVAL;
	}
	info->ersp_ratio = be16_to_cpu(rq->cmd.ersp_ratio);
	info->sqsize = be16_to_cpu(rq->cmd.sqsize);
	info->cntlid = be16_to_cpu(rq->cmd.cntlid);
	info->hostid = rq->cmd.hostid;
	info->hostnqn = (const char *)rq->cmd.hostnqn;
	info->subnqn = (const char *)rq->cmd.subnqn;
	return fc_check_queue_params(info->ersp_ratio, info->sqsize, err);
}

static int fc_check_create_conn(const void *buf, u32 len,
				struct nvme_fc_ls_rqst_info *info,
				struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_ls_create_conn *rq = buf;

	if (len != sizeof(*rq)) {
		fc_set_err(err, "create connection: bad length",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	if (!fc_id_ok(&rq->assoc_id, NVME_FC_DESC_ASSOC_ID)) {
		fc_set_err(err, "create connection: bad association descriptor",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_NONE);
		return -EINVAL;
	}
	if (!fc_desc_ok(&rq->cmd.hdr, NVME_FC_DESC_CONN_CMD,
			NVME_FC_DESC_LEN(struct nvme_fc_desc_conn_cmd))) {
		fc_set_err(err, "create connection: bad command descriptor",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	info->assoc_id = be64_to_cpu(rq->assoc_id.id);
	info->ersp_ratio = be16_to_cpu(rq->cmd.ersp_ratio);
	info->sqsize = be16_to_cpu(rq->cmd.sqsize);
	info->qid = be16_to_cpu(rq->cmd.qid);
	if (!info->qid || info->qid == 0xffff) {
		fc_set_err(err, "create connection: bad qid",
			   NVME_FC_RJT_RC_INV_PARAM, NVME_FC_RJT_EXP_QID);
		return -EINVAL;
	}
	return fc_check_queue_params(info->ersp_ratio, info->sqsize, err);
}

static int fc_check_disconnect(const void *buf, u32 len,
			       struct nvme_fc_ls_rqst_info *info,
			       struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_ls_disconnect *rq = buf;

	if (len != sizeof(*rq)) {
		fc_set_err(err, "disconnect: bad length",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	if (!fc_id_ok(&rq->assoc_id, NVME_FC_DESC_ASSOC_ID)) {
		fc_set_err(err, "disconnect: bad association descriptor",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_NONE);
		return -EINVAL;
	}
	if (!fc_desc_ok(&rq->cmd.hdr, NVME_FC_DESC_DISC_CMD,
			NVME_FC_DESC_LEN(struct nvme_fc_desc_disc_cmd))) {
		fc_set_err(err, "disconnect: bad command descriptor",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	info->assoc_id = be64_to_cpu(rq->assoc_id.id);
	return 0;
}

/**
 * nvme_fc_check_ls_rqst() - validate a received LS request (target)
 * @buf: the payload
 * @len: its length
 * @info: filled on success
 * @err: filled on failure: log text, LS_RJT reason and explanation
 *
 * Checks the command code, the payload length against the request's
 * layout, the descriptor list length, every descriptor's tag and length,
 * non-zero identifiers, NUL terminated NQNs, qid, sqsize and ersp_ratio.
 * It does not look up the association: the caller does.
 *
 * Return: 0, or -EINVAL (answer with an LS_RJT built from @err).
 */
int nvme_fc_check_ls_rqst(const void *buf, u32 len,
			  struct nvme_fc_ls_rqst_info *info,
			  struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_ls_hdr *hdr = buf;

	memset(info, 0, sizeof(*info));
	if (len < sizeof(*hdr)) {
		fc_set_err(err, "LS request too short",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	info->cmd = hdr->cmd;
	if (be32_to_cpu(hdr->desc_list_len) != len - sizeof(*hdr)) {
		fc_set_err(err, "LS request: descriptor list length mismatch",
			   NVME_FC_RJT_RC_INVAL_CMD, NVME_FC_RJT_EXP_BAD_LEN);
		return -EINVAL;
	}
	switch (hdr->cmd) {
	case NVME_FC_LS_CREATE_ASSOC:
		return fc_check_create_assoc(buf, len, info, err);
	case NVME_FC_LS_CREATE_CONN:
		return fc_check_create_conn(buf, len, info, err);
	case NVME_FC_LS_DISCONNECT:
		return fc_check_disconnect(buf, len, info, err);
	default:
		fc_set_err(err, "unknown LS command",
			   NVME_FC_RJT_RC_UNSUPPORTED, NVME_FC_RJT_EXP_NONE);
		return -EINVAL;
	}
}

static int fc_check_rjt(u8 rqst_cmd, const void *buf, u32 len,
			struct nvme_fc_ls_rsp_info *info,
			struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_ls_rjt *rjt = buf;

	if (len != sizeof(*rjt) ||
	    be32_to_cpu(rjt->hdr.desc_list_len) != len - sizeof(rjt->hdr) ||
	    !fc_desc_ok(&rjt->rqst.hdr, NVME_FC_DESC_RQST,
			NVME_FC_DESC_LEN(struct nvme_fc_desc_rqst)) ||
	    rjt->rqst.cmd != rqst_cmd ||
	    !fc_desc_ok(&rjt->rjt.hdr, NVME_FC_DESC_RJT,
			NVME_FC_DESC_LEN(struct nvme_fc_desc_rjt))) {
		fc_set_err(err, "malformed LS_RJT", 0, 0);
		return -EPROTO;
	}
	info->accepted = false;
	info->reason = rjt->rjt.reason;
	info->explanation = rjt->rjt.explanation;
	return -ECONNREFUSED;
}

/* the common part of an LS_ACC: header, length, RQST echo */
static bool fc_acc_ok(u8 rqst_cmd, const void *buf, u32 len, u32 expect)
{
	const struct nvme_fc_ls_hdr *hdr = buf;
	const struct nvme_fc_desc_rqst *rqst = (const void *)(hdr + 1);

	return len == expect &&
	       be32_to_cpu(hdr->desc_list_len) == len - sizeof(*hdr) &&
	       fc_desc_ok(&rqst->hdr, NVME_FC_DESC_RQST,
			  NVME_FC_DESC_LEN(struct nvme_fc_desc_rqst)) &&
	       rqst->cmd == rqst_cmd;
}

/**
 * nvme_fc_check_ls_rsp() - validate a received LS response (host)
 * @rqst_cmd: command code of the request it answers
 * @buf: the payload
 * @len: its length
 * @info: filled on success and on a well-formed LS_RJT
 * @err: filled on failure
 *
 * Return: 0 for a valid LS_ACC, -ECONNREFUSED for a valid LS_RJT (reason
 * in @info), -EPROTO for anything malformed.
 */
int nvme_fc_check_ls_rsp(u8 rqst_cmd, const void *buf, u32 len,
			 struct nvme_fc_ls_rsp_info *info,
			 struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_ls_hdr *hdr = buf;

	memset(info, 0, sizeof(*info));
	if (len < sizeof(*hdr)) {
		fc_set_err(err, "LS response too short", 0, 0);
		return -EPROTO;
	}
	if (hdr->cmd == NVME_FC_LS_RJT)
		return fc_check_rjt(rqst_cmd, buf, len, info, err);
	if (hdr->cmd != NVME_FC_LS_ACC) {
		fc_set_err(err, "LS response neither ACC nor RJT", 0, 0);
		return -EPROTO;
	}
	switch (rqst_cmd) {
	case NVME_FC_LS_CREATE_ASSOC: {
		const struct nvme_fc_ls_create_assoc_acc *acc = buf;

		if (!fc_acc_ok(rqst_cmd, buf, len, sizeof(*acc)) ||
		    !fc_id_ok(&acc->assoc_id, NVME_FC_DESC_ASSOC_ID) ||
		    !fc_id_ok(&acc->conn_id, NVME_FC_DESC_CONN_ID))
			break;
		info->assoc_id = be64_to_cpu(acc->assoc_id.id);
		info->conn_id = be64_to_cpu(acc->conn_id.id);
		info->accepted = true;
		return 0;
	}
	case NVME_FC_LS_CREATE_CONN: {
		const struct nvme_fc_ls_create_conn_acc *acc = buf;

		if (!fc_acc_ok(rqst_cmd, buf, len, sizeof(*acc)) ||
		    !fc_id_ok(&acc->conn_id, NVME_FC_DESC_CONN_ID))
			break;
		info->conn_id = be64_to_cpu(acc->conn_id.id);
		info->accepted = true;
		return 0;
	}
	case NVME_FC_LS_DISCONNECT:
		if (!fc_acc_ok(rqst_cmd, buf, len,
			       sizeof(struct nvme_fc_ls_disconnect_acc)))
			break;
		info->accepted = true;
		return 0;
	default:
		break;
	}
	fc_set_err(err, "malformed LS_ACC", 0, 0);
	return -EPROTO;
}

/**
 * nvme_fc_build_cmd_iu() - encode an FCP command IU
 * @iu: buffer
 * @conn_id: the queue's connection id
 * @csn: command sequence number
 * @data_len: bytes of data
 * @flags: %NVME_FC_CMD_READ, %NVME_FC_CMD_WRITE or 0
 * @sqe: the command
 */
void nvme_fc_build_cmd_iu(struct nvme_fc_cmd_iu *iu, u64 conn_id, u32 csn,
			  u32 data_len, u8 flags, const struct nvme_sqe *sqe)
{
	memset(iu, 0, sizeof(*iu));
	iu->format_id = NVME_FC_CMD_FORMAT_ID;
	iu->fc_id = NVME_FC_CMD_FC_ID;
	iu->iu_len = cpu_to_be16(NVME_FC_CMD_IU_WORDS);
	iu->category = nvme_fc_conn_qid(conn_id) ? NVME_FC_CAT_IO :
						    NVME_FC_CAT_ADMIN;
	iu->flags = flags;
	iu->conn_id = cpu_to_be64(conn_id);
	iu->csn = cpu_to_be32(csn);
	iu->data_len = cpu_to_be32(data_len);
	iu->sqe = *sqe;
}

/**
 * nvme_fc_check_cmd_iu() - validate a received command IU (target)
 * @buf: the IU
 * @len: its length
 * @max_data_len: largest data length the target accepts
 * @err: filled on failure
 *
 * The caller then looks up iu->conn_id.
 *
 * Return: 0 or -EINVAL.
 */
int nvme_fc_check_cmd_iu(const void *buf, u32 len, u32 max_data_len,
			 struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_cmd_iu *iu = buf;
	u32 dlen;
	u8 dir;

	if (len != sizeof(*iu)) {
		fc_set_err(err, "command IU: bad length", 0, 0);
		return -EINVAL;
	}
	if (iu->format_id != NVME_FC_CMD_FORMAT_ID ||
	    iu->fc_id != NVME_FC_CMD_FC_ID ||
	    be16_to_cpu(iu->iu_len) != NVME_FC_CMD_IU_WORDS) {
		fc_set_err(err, "command IU: bad header", 0, 0);
		return -EINVAL;
	}
	dlen = be32_to_cpu(iu->data_len);
	dir = iu->flags & (NVME_FC_CMD_READ | NVME_FC_CMD_WRITE);
	if (iu->flags & ~(NVME_FC_CMD_READ | NVME_FC_CMD_WRITE) ||
	    dir == (NVME_FC_CMD_READ | NVME_FC_CMD_WRITE) ||
	    (dlen && !dir) || (!dlen && dir)) {
		fc_set_err(err, "command IU: bad data direction", 0, 0);
		return -EINVAL;
	}
	if (dlen > max_data_len) {
		fc_set_err(err, "command IU: data length too large", 0, 0);
		return -EINVAL;
	}
	if (!iu->conn_id) {
		fc_set_err(err, "command IU: connection id 0", 0, 0);
		return -EINVAL;
	}
	return 0;
}

/**
 * nvme_fc_build_ersp() - encode an extended response IU
 * @iu: buffer
 * @rsn: response sequence number
 * @xfrd_len: bytes transferred
 * @cqe: the completion
 */
void nvme_fc_build_ersp(struct nvme_fc_ersp_iu *iu, u32 rsn, u32 xfrd_len,
			const struct nvme_cqe *cqe)
{
	memset(iu, 0, sizeof(*iu));
	iu->iu_len = cpu_to_be16(NVME_FC_ERSP_IU_WORDS);
	iu->rsn = cpu_to_be32(rsn);
	iu->xfrd_len = cpu_to_be32(xfrd_len);
	iu->cqe = *cqe;
}

/**
 * nvme_fc_ersp_needed() - must this completion go out as an ERSP?
 * @cqe: the completion
 * @xfrd_len: bytes transferred
 * @data_len: bytes the command asked for
 * @nr_rsp: responses sent on the connection so far, this one included
 * @ersp_ratio: the negotiated ratio (>= 1)
 *
 * A short response means "success, all data, result 0"; anything else
 * needs an ERSP, and so does every @ersp_ratio-th response.
 *
 * Return: true for an ERSP.
 */
bool nvme_fc_ersp_needed(const struct nvme_cqe *cqe, u32 xfrd_len,
			 u32 data_len, u32 nr_rsp, u16 ersp_ratio)
{
	if (!ersp_ratio || nr_rsp % ersp_ratio == 0)
		return true;
	if (le16_to_cpu(cqe->status) >> 1)
		return true;
	if (cqe->dw0 || cqe->dw1)
		return true;
	return xfrd_len != data_len;
}

/**
 * nvme_fc_check_rsp() - validate a received response (host)
 * @buf: the response bytes (may be NULL when @len is 0)
 * @len: its length: 0 or %NVME_FC_SHORT_RSP_LEN (short), or an ERSP
 * @data_len: bytes the command transferred
 * @cid: the command identifier sent
 * @info: filled on success
 * @err: filled on failure
 *
 * Return: 0 or -EPROTO.
 */
int nvme_fc_check_rsp(const void *buf, u32 len, u32 data_len, u16 cid,
		      struct nvme_fc_rsp_info *info,
		      struct nvme_fc_wire_err *err)
{
	const struct nvme_fc_ersp_iu *iu = buf;
	static const u8 zero[NVME_FC_SHORT_RSP_LEN];

	memset(info, 0, sizeof(*info));
	if (len == 0 || (len == NVME_FC_SHORT_RSP_LEN &&
			 !memcmp(buf, zero, sizeof(zero)))) {
		info->xfrd_len = data_len;
		return 0;
	}
	if (len != sizeof(*iu)) {
		fc_set_err(err, "response IU: bad length", 0, 0);
		return -EPROTO;
	}
	if (iu->status || be16_to_cpu(iu->iu_len) != NVME_FC_ERSP_IU_WORDS) {
		fc_set_err(err, "ERSP: bad header", 0, 0);
		return -EPROTO;
	}
	if (be32_to_cpu(iu->xfrd_len) > data_len) {
		fc_set_err(err, "ERSP: more data transferred than asked", 0, 0);
		return -EPROTO;
	}
	if (iu->cqe.cid != cid) {
		fc_set_err(err, "ERSP: command id mismatch", 0, 0);
		return -EPROTO;
	}
	info->ersp = true;
	info->rsn = be32_to_cpu(iu->rsn);
	info->xfrd_len = be32_to_cpu(iu->xfrd_len);
	info->cqe = &iu->cqe;
	return 0;
}

/* parse up to 16 hex digits (optional 0x) from *s, stop at @end chars */
static int fc_parse_hex(const char **s, const char *stop, u64 *val)
{
	const char *p = *s;
	u64 v = 0;
	int n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; *p && !strchr(stop, *p); p++, n++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if (n == 16)
			return -EINVAL;
		v = v << 4 | (u64)d;
	}
	if (!n)
		return -EINVAL;
	*val = v;
	*s = p;
	return 0;
}

/**
 * nvme_fc_parse_traddr() - parse "nn-0x...:pn-0x..."
 * @s: NUL terminated string (a trailing newline is accepted)
 * @wwnn: node name
 * @wwpn: port name
 *
 * Return: 0 or -EINVAL.
 */
int nvme_fc_parse_traddr(const char *s, u64 *wwnn, u64 *wwpn)
{
	if (strncmp(s, "nn-", 3))
		return -EINVAL;
	s += 3;
	if (fc_parse_hex(&s, ":", wwnn) || *s != ':')
		return -EINVAL;
	s++;
	if (strncmp(s, "pn-", 3))
		return -EINVAL;
	s += 3;
	if (fc_parse_hex(&s, "\n", wwpn))
		return -EINVAL;
	if (*s == '\n')
		s++;
	return *s ? -EINVAL : 0;
}

static char fc_hex_digit(unsigned int v)
{
	return (char)(v < 10 ? '0' + v : 'a' + v - 10);
}

static void fc_put_wwn(char *p, u64 v)
{
	int i;

	*p++ = '0';
	*p++ = 'x';
	for (i = 15; i >= 0; i--)
		*p++ = fc_hex_digit((unsigned int)(v >> (i * 4)) & 0xf);
}

/**
 * nvme_fc_format_traddr() - print "nn-0x%016llx:pn-0x%016llx"
 * @buf: output
 * @size: its size, at least %NVME_FC_TRADDR_LEN
 * @wwnn: node name
 * @wwpn: port name
 *
 * Return: characters written (without the NUL), or -EINVAL.
 */
int nvme_fc_format_traddr(char *buf, u32 size, u64 wwnn, u64 wwpn)
{
	if (size < NVME_FC_TRADDR_LEN)
		return -EINVAL;
	memcpy(buf, "nn-", 3);
	fc_put_wwn(buf + 3, wwnn);
	memcpy(buf + 21, ":pn-", 4);
	fc_put_wwn(buf + 25, wwpn);
	buf[43] = 0;
	return NVME_FC_TRADDR_LEN - 1;
}

static const struct {
	const char *name;
	u32 bit;
} fc_port_opt_names[] = {
	{ "wwnn", NVME_FC_OPT_WWNN },
	{ "wwpn", NVME_FC_OPT_WWPN },
	{ "lpwwnn", NVME_FC_OPT_LPWWNN },
	{ "lpwwpn", NVME_FC_OPT_LPWWPN },
	{ "roles", NVME_FC_OPT_ROLES },
	{ "fcaddr", NVME_FC_OPT_FCADDR },
};

static u64 *fc_port_opt_slot(struct nvme_fc_port_opts *o, u32 bit)
{
	switch (bit) {
	case NVME_FC_OPT_WWNN:
		return &o->wwnn;
	case NVME_FC_OPT_WWPN:
		return &o->wwpn;
	case NVME_FC_OPT_LPWWNN:
		return &o->lpwwnn;
	case NVME_FC_OPT_LPWWPN:
		return &o->lpwwpn;
	case NVME_FC_OPT_ROLES:
		return &o->roles;
	default:
		return &o->fcaddr;
	}
}

/**
 * nvme_fc_parse_port_opts() - parse an fcloop control file write
 * @buf: "name=value[,name=value...]" with hex values (0x optional)
 * @len: bytes in @buf (need not be NUL terminated); one trailing
 *	newline is accepted
 * @opts: result
 *
 * Unknown names, repeated names, empty or over-long values are refused.
 *
 * Return: 0 or -EINVAL.
 */
int nvme_fc_parse_port_opts(const char *buf, u32 len,
			    struct nvme_fc_port_opts *opts)
{
	char tmp[256];
	const char *p = tmp;
	unsigned int i;

	memset(opts, 0, sizeof(*opts));
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(tmp) || memchr(buf, 0, len))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = 0;

	while (*p) {
		const char *eq = strchr(p, '=');
		u32 bit = 0;
		u64 v;

		if (!eq)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(fc_port_opt_names); i++) {
			const char *n = fc_port_opt_names[i].name;

			if (strlen(n) == (size_t)(eq - p) &&
			    !strncmp(p, n, eq - p)) {
				bit = fc_port_opt_names[i].bit;
				break;
			}
		}
		if (!bit || (opts->mask & bit))
			return -EINVAL;
		p = eq + 1;
		if (fc_parse_hex(&p, ",", &v))
			return -EINVAL;
		*fc_port_opt_slot(opts, bit) = v;
		opts->mask |= bit;
		if (*p == ',') {
			p++;
			if (!*p)
				return -EINVAL;
		}
	}
	return 0;
}
