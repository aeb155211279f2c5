/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe/RDMA wire helpers shared by the host (nvme-rdma) and the target
 * (nvmet-rdma): encoding and validation of the RDMA CM private data and of
 * the data pointer of command capsules.  Plain C: compiled into both
 * modules (through the wrappers wire-host.c and wire-target.c, so that each
 * module gets its own module-local copy) and into the userspace unit tests.
 *
 * The validation helpers are what stands between a peer and our memory:
 * every length, key and offset taken from the wire is checked against the
 * limits negotiated for the queue before anything is posted or copied.
 */
#ifndef NVME_OOT_RDMA_WIRE_H
#define NVME_OOT_RDMA_WIRE_H

#include "../../include/nvme/rdma.h"

/**
 * struct nvme_rdma_conn_params - a connect request after validation
 * @qid: queue the host is connecting (0 = admin)
 * @cntlid: controller ID from the request (0 if the host left it unset)
 * @sq_size: commands the host may have outstanding (HSQSIZE + 1); the
 *	controller needs this many receive buffers
 * @rq_size: responses the host can take at once (HRQSIZE)
 */
struct nvme_rdma_conn_params {
	u16 qid;
	u16 cntlid;
	u16 sq_size;
	u16 rq_size;
};

void nvme_rdma_cm_req_encode(struct nvme_rdma_cm_request *req, u16 qid,
			     u16 hrqsize, u16 hsqsize, u16 cntlid);
int nvme_rdma_cm_req_parse(const void *pdata, size_t len, u16 max_admin,
			   u16 max_io, struct nvme_rdma_conn_params *p);
void nvme_rdma_cm_rep_encode(struct nvme_rdma_cm_accept *rep, u16 crqsize);
int nvme_rdma_cm_rep_parse(const void *pdata, size_t len, u16 *crqsize);
void nvme_rdma_cm_rej_encode(struct nvme_rdma_cm_reject *rej, u16 sts);
int nvme_rdma_cm_rej_parse(const void *pdata, size_t len, u16 *sts);
const char *nvme_rdma_cm_status_str(u16 sts);

int nvme_rdma_keyed_sgl_encode(struct nvme_sgl_desc *d, u64 addr, u32 len,
			       u32 key, bool invalidate);
void nvme_rdma_null_sgl_encode(struct nvme_sgl_desc *d);
void nvme_rdma_inline_sgl_encode(struct nvme_sgl_desc *d, u32 offset,
				 u32 len);

/**
 * struct nvme_rdma_limits - what a queue negotiated, for validating capsules
 * @max_xfer: largest data transfer of one command in bytes (MDTS)
 * @inline_size: in-capsule data the controller accepts on this queue, in
 *	bytes after the SQE (0 on the admin queue)
 */
struct nvme_rdma_limits {
	u32 max_xfer;
	u32 inline_size;
};

/**
 * enum nvme_rdma_data_kind - where the data of a command is
 * @NVME_RDMA_DATA_NONE: no data (descriptor of length 0)
 * @NVME_RDMA_DATA_KEYED: in host memory, to be moved with RDMA READ/WRITE
 * @NVME_RDMA_DATA_INLINE: in the command capsule, after the SQE
 */
enum nvme_rdma_data_kind {
	NVME_RDMA_DATA_NONE,
	NVME_RDMA_DATA_KEYED,
	NVME_RDMA_DATA_INLINE,
};

/**
 * struct nvme_rdma_data - a decoded and validated command data pointer
 * @kind: an &enum nvme_rdma_data_kind
 * @invalidate: the host asked for @key to be invalidated with the response
 * @len: transfer length in bytes
 * @addr: host address (keyed)
 * @key: remote key (keyed)
 * @offset: offset into the in-capsule data (inline)
 */
struct nvme_rdma_data {
	u8 kind;
	bool invalidate;
	u32 len;
	u64 addr;
	u32 key;
	u32 offset;
};

u16 nvme_rdma_dptr_parse(const struct nvme_sqe *sqe, bool host_to_ctrl,
			 u32 icd_len, const struct nvme_rdma_limits *lim,
			 struct nvme_rdma_data *out);

/**
 * nvme_rdma_ioccsz() - IOCCSZ to report for an in-capsule data size
 * @inline_size: bytes of in-capsule data accepted after the SQE
 *
 * Return: the I/O queue command capsule size in 16-byte units.
 */
static inline u32 nvme_rdma_ioccsz(u32 inline_size)
{
	return (sizeof(struct nvme_sqe) + inline_size) / 16;
}

/**
 * nvme_rdma_inline_size() - in-capsule data size a controller offers
 * @ioccsz: IOCCSZ from Identify Controller (16-byte units)
 *
 * Return: the bytes of data a capsule may carry after the SQE, 0 if
 * @ioccsz is too small to hold even the SQE.
 */
static inline u32 nvme_rdma_inline_size(u32 ioccsz)
{
	u32 bytes = ioccsz * 16;

	return bytes > sizeof(struct nvme_sqe) ?
		bytes - (u32)sizeof(struct nvme_sqe) : 0;
}

#endif /* NVME_OOT_RDMA_WIRE_H */
