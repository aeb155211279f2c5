// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe/RDMA wire helpers: RDMA CM private data and capsule data pointers.
 * Plain C, see wire.h.  Nothing here trusts its input: lengths given with
 * private data are the lengths the RDMA CM delivered, and every field of a
 * descriptor is range checked before it is returned.
 */
#include "wire.h"

static void put_le24(u8 *b, u32 v)
{
	b[0] = v & 0xff;
	b[1] = (v >> 8) & 0xff;
	b[2] = (v >> 16) & 0xff;
}

static u32 get_le24(const u8 *b)
{
	return b[0] | ((u32)b[1] << 8) | ((u32)b[2] << 16);
}

static void put_le32b(u8 *b, u32 v)
{
	put_le24(b, v);
	b[3] = (v >> 24) & 0xff;
}

static u32 get_le32b(const u8 *b)
{
	return get_le24(b) | ((u32)b[3] << 24);
}

/**
 * nvme_rdma_cm_req_encode() - fill the private data of a connect request
 * @req: buffer to fill (all reserved bytes are zeroed)
 * @qid: queue ID (0 = admin queue)
 * @hrqsize: responses the host can receive (1's based)
 * @hsqsize: submission queue size (0's based, as in the Connect command)
 * @cntlid: controller ID, or 0
 */
void nvme_rdma_cm_req_encode(struct nvme_rdma_cm_request *req, u16 qid,
			     u16 hrqsize, u16 hsqsize, u16 cntlid)
{
	memset(req, 0, sizeof(*req));
	req->recfmt = cpu_to_le16(NVME_RDMA_CM_FMT_1_0);
	req->qid = cpu_to_le16(qid);
	req->hrqsize = cpu_to_le16(hrqsize);
	req->hsqsize = cpu_to_le16(hsqsize);
	req->cntlid = cpu_to_le16(cntlid);
}

/**
 * nvme_rdma_cm_req_parse() - validate the private data of a connect request
 * @pdata: private data as delivered by the RDMA CM (may be NULL)
 * @len: its length; the CM may pad it, so more than 32 bytes is fine
 * @max_admin: largest queue the controller accepts for the admin queue
 * @max_io: largest queue the controller accepts for an I/O queue
 * @p: filled with the decoded parameters on success
 *
 * Return: 0, or the &enum nvme_rdma_reject_status to reject the request with.
 */
int nvme_rdma_cm_req_parse(const void *pdata, size_t len, u16 max_admin,
			   u16 max_io, struct nvme_rdma_conn_params *p)
{
	struct nvme_rdma_cm_request req;
	u32 sq_size, rq_size, max;

	if (!pdata || len < sizeof(req))
		return NVME_RDMA_REJ_PDATA_LEN;
	memcpy(&req, pdata, sizeof(req));
	if (le16_to_cpu(req.recfmt) != NVME_RDMA_CM_FMT_1_0)
		return NVME_RDMA_REJ_RECFMT;

	p->qid = le16_to_cpu(req.qid);
	p->cntlid = le16_to_cpu(req.cntlid);
	max = p->qid ? max_io : max_admin;
	/*
	 * HSQSIZE is 0's based: 0 would be a one-entry queue, which NVMe
	 * does not allow.  HRQSIZE is 1's based.
	 */
	sq_size = (u32)le16_to_cpu(req.hsqsize) + 1;
	rq_size = le16_to_cpu(req.hrqsize);
	if (sq_size < 2 || sq_size > max)
		return NVME_RDMA_REJ_HSQSIZE;
	if (rq_size < 1 || rq_size > max)
		return NVME_RDMA_REJ_HRQSIZE;
	p->sq_size = sq_size;
	p->rq_size = rq_size;
	return 0;
}

/**
 * nvme_rdma_cm_rep_encode() - fill the private data of an accept
 * @rep: buffer to fill (reserved bytes zeroed)
 * @crqsize: receive buffers the controller posted for the queue
 */
void nvme_rdma_cm_rep_encode(struct nvme_rdma_cm_accept *rep, u16 crqsize)
{
	memset(rep, 0, sizeof(*rep));
	rep->recfmt = cpu_to_le16(NVME_RDMA_CM_FMT_1_0);
	rep->crqsize = cpu_to_le16(crqsize);
}

/**
 * nvme_rdma_cm_rep_parse() - validate the private data of an accept
 * @pdata: private data as delivered by the RDMA CM (may be NULL)
 * @len: its length
 * @crqsize: set to the controller's receive queue size
 *
 * The host must not have more commands outstanding than @crqsize; it is
 * up to the caller to compare it with the queue size it asked for.
 *
 * Return: 0, or -EINVAL if the data is short, of an unknown record format
 * or announces no receive buffers at all.
 */
int nvme_rdma_cm_rep_parse(const void *pdata, size_t len, u16 *crqsize)
{
	struct nvme_rdma_cm_accept rep;

	/* only the first two fields carry anything */
	if (!pdata || len < 4)
		return -EINVAL;
	memset(&rep, 0, sizeof(rep));
	memcpy(&rep, pdata, len < sizeof(rep) ? len : sizeof(rep));
	if (le16_to_cpu(rep.recfmt) != NVME_RDMA_CM_FMT_1_0)
		return -EINVAL;
	*crqsize = le16_to_cpu(rep.crqsize);
	return *crqsize ? 0 : -EINVAL;
}

/**
 * nvme_rdma_cm_rej_encode() - fill the private data of a reject
 * @rej: buffer to fill
 * @sts: an &enum nvme_rdma_reject_status
 */
void nvme_rdma_cm_rej_encode(struct nvme_rdma_cm_reject *rej, u16 sts)
{
	rej->recfmt = cpu_to_le16(NVME_RDMA_CM_FMT_1_0);
	rej->sts = cpu_to_le16(sts);
}

/**
 * nvme_rdma_cm_rej_parse() - decode the private data of a reject
 * @pdata: private data as delivered by the RDMA CM (may be NULL: a reject
 *	from the CM itself, or from a peer that sent none)
 * @len: its length
 * @sts: set to the reject status
 *
 * Return: 0, or -EINVAL if there is no NVMe/RDMA reject record.
 */
int nvme_rdma_cm_rej_parse(const void *pdata, size_t len, u16 *sts)
{
	struct nvme_rdma_cm_reject rej;

	if (!pdata || len < sizeof(rej))
		return -EINVAL;
	memcpy(&rej, pdata, sizeof(rej));
	if (le16_to_cpu(rej.recfmt) != NVME_RDMA_CM_FMT_1_0)
		return -EINVAL;
	*sts = le16_to_cpu(rej.sts);
	return 0;
}

/**
 * nvme_rdma_cm_status_str() - name of an RDMA CM reject status, for logs
 * @sts: the status
 *
 * Return: a constant string ("unknown" for values the binding does not
 * define).
 */
const char *nvme_rdma_cm_status_str(u16 sts)
{
	switch (sts) {
	case NVME_RDMA_REJ_PDATA_LEN:
		return "invalid private data length";
	case NVME_RDMA_REJ_RECFMT:
		return "invalid record format";
	case NVME_RDMA_REJ_QID:
		return "invalid queue ID";
	case NVME_RDMA_REJ_HSQSIZE:
		return "invalid host SQ size";
	case NVME_RDMA_REJ_HRQSIZE:
		return "invalid host RQ size";
	case NVME_RDMA_REJ_NO_RESOURCES:
		return "no resources";
	case NVME_RDMA_REJ_IRD:
		return "invalid IRD";
	case NVME_RDMA_REJ_ORD:
		return "invalid ORD";
	case NVME_RDMA_REJ_CNTLID:
		return "invalid controller ID";
	default:
		return "unknown";
	}
}

/**
 * nvme_rdma_keyed_sgl_encode() - write a keyed SGL data block descriptor
 * @d: the data pointer of the SQE
 * @addr: host address of the data
 * @len: length in bytes, at most NVME_KEYED_SGL_MAX_LEN
 * @key: remote key of the registered memory
 * @invalidate: ask the controller to invalidate @key with the response
 *
 * Return: 0, or -EINVAL (descriptor untouched) if @len does not fit.
 */
int nvme_rdma_keyed_sgl_encode(struct nvme_sgl_desc *d, u64 addr, u32 len,
			       u32 key, bool invalidate)
{
	struct nvme_keyed_sgl_desc k;

	if (len > NVME_KEYED_SGL_MAX_LEN)
		return -EINVAL;
	k.addr = cpu_to_le64(addr);
	put_le24(k.length, len);
	put_le32b(k.key, key);
	k.type = NVME_SGL_TYPE_KEYED_DATA |
		 (invalidate ? NVME_SGL_SUBTYPE_INVALIDATE :
			       NVME_SGL_SUBTYPE_ADDRESS);
	memcpy(d, &k, sizeof(k));
	return 0;
}

/**
 * nvme_rdma_null_sgl_encode() - data pointer of a command without data
 * @d: the data pointer of the SQE
 *
 * A keyed descriptor of length 0 (address and key 0).
 */
void nvme_rdma_null_sgl_encode(struct nvme_sgl_desc *d)
{
	nvme_rdma_keyed_sgl_encode(d, 0, 0, 0, false);
}

/**
 * nvme_rdma_inline_sgl_encode() - describe data carried in the capsule
 * @d: the data pointer of the SQE
 * @offset: offset of the data from the start of the in-capsule data
 * @len: length in bytes
 */
void nvme_rdma_inline_sgl_encode(struct nvme_sgl_desc *d, u32 offset,
				 u32 len)
{
	memset(d, 0, sizeof(*d));
	d->addr = cpu_to_le64(offset);
	d->length = cpu_to_le32(len);
	d->type = NVME_SGL_TYPE_DATA_BLOCK | NVME_SGL_SUBTYPE_OFFSET;
}

static u16 parse_keyed(const struct nvme_sgl_desc *d,
		       const struct nvme_rdma_limits *lim,
		       struct nvme_rdma_data *out)
{
	struct nvme_keyed_sgl_desc k;

	memcpy(&k, d, sizeof(k));
	switch (k.type & 0xf) {
	case NVME_SGL_SUBTYPE_ADDRESS:
		break;
	case NVME_SGL_SUBTYPE_INVALIDATE:
		out->invalidate = true;
		break;
	default:
		return NVME_SC_SGL_INVALID_TYPE;
	}
	out->len = get_le24(k.length);
	out->key = get_le32b(k.key);
	out->addr = le64_to_cpu(k.addr);
	if (out->len > lim->max_xfer)
		return NVME_RDMA_SC_SGL_DATA_LEN;
	/* the remote address range must not wrap */
	if (out->len && out->addr + out->len - 1 < out->addr)
		return NVME_RDMA_SC_SGL_DATA_LEN;
	out->kind = out->len ? NVME_RDMA_DATA_KEYED : NVME_RDMA_DATA_NONE;
	return NVME_SC_SUCCESS;
}

static u16 parse_inline(const struct nvme_sgl_desc *d, bool host_to_ctrl,
			u32 icd_len, const struct nvme_rdma_limits *lim,
			struct nvme_rdma_data *out)
{
	u64 off = le64_to_cpu(d->addr);
	u32 len = le32_to_cpu(d->length);
	u32 avail = icd_len < lim->inline_size ? icd_len : lim->inline_size;

	if ((d->type & 0xf) != NVME_SGL_SUBTYPE_OFFSET)
		return NVME_SC_SGL_INVALID_TYPE;
	/* in-capsule data only ever goes from the host to the controller */
	if (!host_to_ctrl || !lim->inline_size)
		return NVME_SC_SGL_INVALID_TYPE;
	if (off > avail)
		return NVME_SC_SGL_INVALID_OFFSET;
	if (len > avail - off)
		return NVME_RDMA_SC_SGL_DATA_LEN;
	out->offset = off;
	out->len = len;
	out->kind = len ? NVME_RDMA_DATA_INLINE : NVME_RDMA_DATA_NONE;
	return NVME_SC_SUCCESS;
}

/**
 * nvme_rdma_dptr_parse() - decode and validate a command's data pointer
 * @sqe: the command, as received
 * @host_to_ctrl: the command moves data from the host to the controller
 * @icd_len: bytes of in-capsule data actually received after the SQE
 * @lim: what was negotiated for the queue
 * @out: the decoded data pointer on success
 *
 * NVMe/RDMA commands must use SGLs (PSDT 01b: single SGL descriptor, and
 * a contiguous metadata buffer if any) with either a keyed data block
 * descriptor or, for writes, an offset data block descriptor inside the
 * received in-capsule data.
 *
 * Return: NVME_SC_SUCCESS, or the NVMe status the command fails with.
 */
u16 nvme_rdma_dptr_parse(const struct nvme_sqe *sqe, bool host_to_ctrl,
			 u32 icd_len, const struct nvme_rdma_limits *lim,
			 struct nvme_rdma_data *out)
{
	const struct nvme_sgl_desc *d = &sqe->dptr.sgl;

	memset(out, 0, sizeof(*out));
	if ((sqe->flags & (3u << 6)) != NVME_CMD_PSDT_SGL_MPTR)
		return NVME_SC_INVALID_FIELD;
	switch (d->type >> 4) {
	case NVME_SGL_TYPE_KEYED_DATA >> 4:
		return parse_keyed(d, lim, out);
	case NVME_SGL_TYPE_DATA_BLOCK >> 4:
		return parse_inline(d, host_to_ctrl, icd_len, lim, out);
	default:
		return NVME_SC_SGL_INVALID_TYPE;
	}
}
