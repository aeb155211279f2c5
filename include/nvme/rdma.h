/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe over RDMA transport binding: wire definitions.
 *
 * Written from the NVM Express over Fabrics specification, RDMA transport
 * binding chapter.  Two things travel on the wire that are specific to
 * RDMA: the private data of the RDMA CM connection exchange (connect
 * request, accept, reject) and the data pointer of a command capsule, which
 * is either a keyed SGL data block descriptor (the controller moves the data
 * with RDMA READ/WRITE using the host's remote key) or an SGL data block
 * descriptor with the "offset" sub type naming data carried in the capsule
 * itself after the 64-byte SQE.
 *
 * All multi-byte fields are little endian.  The keyed descriptor packs a
 * 24-bit length and a 32-bit key at byte offsets 8 and 11, which are not
 * naturally aligned; those are byte arrays and are only accessed through
 * the helpers in fabrics/rdma/wire.h.
 */
#ifndef NVME_OOT_RDMA_H
#define NVME_OOT_RDMA_H

#include "spec.h"

/* Record format of all private data defined by the binding. */
#define NVME_RDMA_CM_FMT_1_0		0x0000

/* Well-known RDMA port of NVMe/RDMA (and of the discovery service). */
#define NVME_RDMA_IP_PORT		4420

/* The admin queue of an NVMe/RDMA controller holds 32 entries at most. */
#define NVME_RDMA_AQ_DEPTH		32

/**
 * struct nvme_rdma_cm_request - private data of the RDMA CM connect request
 * @recfmt: record format, NVME_RDMA_CM_FMT_1_0
 * @qid: queue identifier the host will send in its Connect command
 *	(0 = admin queue)
 * @hrqsize: host receive queue size: how many responses the host can have
 *	outstanding (1's based)
 * @hsqsize: host send queue size: the submission queue size of the
 *	queue (0's based, as SQSIZE in the Connect command)
 * @cntlid: controller ID for I/O queues, or 0
 * @rsvd10: reserved
 */
struct nvme_rdma_cm_request {
	__le16	recfmt;
	__le16	qid;
	__le16	hrqsize;
	__le16	hsqsize;
	__le16	cntlid;
	u8	rsvd10[22];
};

/**
 * struct nvme_rdma_cm_accept - private data of the RDMA CM accept
 * @recfmt: record format, NVME_RDMA_CM_FMT_1_0
 * @crqsize: controller receive queue size: how many command capsules the
 *	controller has receive buffers for (1's based)
 * @rsvd4: reserved
 */
struct nvme_rdma_cm_accept {
	__le16	recfmt;
	__le16	crqsize;
	u8	rsvd4[28];
};

/**
 * struct nvme_rdma_cm_reject - private data of the RDMA CM reject
 * @recfmt: record format, NVME_RDMA_CM_FMT_1_0
 * @sts: why the connection was refused, an &enum nvme_rdma_reject_status
 */
struct nvme_rdma_cm_reject {
	__le16	recfmt;
	__le16	sts;
};

/**
 * enum nvme_rdma_reject_status - RDMA CM reject status values
 * @NVME_RDMA_REJ_PDATA_LEN: private data length invalid
 * @NVME_RDMA_REJ_RECFMT: record format not supported
 * @NVME_RDMA_REJ_QID: queue ID invalid
 * @NVME_RDMA_REJ_HSQSIZE: host send queue size invalid
 * @NVME_RDMA_REJ_HRQSIZE: host receive queue size invalid
 * @NVME_RDMA_REJ_NO_RESOURCES: out of resources
 * @NVME_RDMA_REJ_IRD: inbound RDMA read depth invalid
 * @NVME_RDMA_REJ_ORD: outbound RDMA read depth invalid
 * @NVME_RDMA_REJ_CNTLID: controller ID invalid
 */
enum nvme_rdma_reject_status {
	NVME_RDMA_REJ_PDATA_LEN		= 0x01,
	NVME_RDMA_REJ_RECFMT		= 0x02,
	NVME_RDMA_REJ_QID		= 0x03,
	NVME_RDMA_REJ_HSQSIZE		= 0x04,
	NVME_RDMA_REJ_HRQSIZE		= 0x05,
	NVME_RDMA_REJ_NO_RESOURCES	= 0x06,
	NVME_RDMA_REJ_IRD		= 0x07,
	NVME_RDMA_REJ_ORD		= 0x08,
	NVME_RDMA_REJ_CNTLID		= 0x09,
};

/**
 * struct nvme_keyed_sgl_desc - keyed SGL data block descriptor (16 bytes)
 * @addr: remote (host) virtual address of the data
 * @length: length in bytes, 24-bit little endian
 * @key: remote key of the host's memory region, 32-bit little endian
 * @type: NVME_SGL_TYPE_KEYED_DATA in bits 7:4, sub type in bits 3:0
 *	(NVME_SGL_SUBTYPE_ADDRESS, or NVME_SGL_SUBTYPE_INVALIDATE to ask the
 *	controller to invalidate @key with the response)
 *
 * Occupies the same 16 bytes as &struct nvme_sgl_desc in the SQE.
 */
struct nvme_keyed_sgl_desc {
	__le64	addr;
	u8	length[3];
	u8	key[4];
	u8	type;
};

/* The longest transfer one keyed descriptor can describe. */
#define NVME_KEYED_SGL_MAX_LEN		0xffffffu

/*
 * Status "Data SGL Length Invalid" (generic command status 0Fh); kept
 * here under a transport name so it does not clash with spec.h.
 */
#define NVME_RDMA_SC_SGL_DATA_LEN	0x000f

static_assert(sizeof(struct nvme_rdma_cm_request) == 32, "CM request size");
static_assert(offsetof(struct nvme_rdma_cm_request, qid) == 2, "CM req qid");
static_assert(offsetof(struct nvme_rdma_cm_request, hrqsize) == 4, "hrqsize");
static_assert(offsetof(struct nvme_rdma_cm_request, hsqsize) == 6, "hsqsize");
static_assert(offsetof(struct nvme_rdma_cm_request, cntlid) == 8, "cntlid");
static_assert(sizeof(struct nvme_rdma_cm_accept) == 32, "CM accept size");
static_assert(offsetof(struct nvme_rdma_cm_accept, crqsize) == 2, "crqsize");
static_assert(sizeof(struct nvme_rdma_cm_reject) == 4, "CM reject size");
static_assert(offsetof(struct nvme_rdma_cm_reject, sts) == 2, "CM rej sts");
static_assert(sizeof(struct nvme_keyed_sgl_desc) == 16, "keyed SGL size");
static_assert(offsetof(struct nvme_keyed_sgl_desc, length) == 8, "len");
static_assert(offsetof(struct nvme_keyed_sgl_desc, key) == 11, "key");
static_assert(offsetof(struct nvme_keyed_sgl_desc, type) == 15, "type");

#endif /* NVME_OOT_RDMA_H */
