/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme (PCIe): what the driver's two halves share.  pci.c owns the
 * device (bring-up, reset, teardown, timeouts, probe); io.c owns the
 * data path (command posting, doorbells, completions, data mapping).
 */
#ifndef _NVME_PCI_H
#define _NVME_PCI_H

#include <linux/blk-mq.h>
#include <linux/dmapool.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>

#include "../host/nvme.h"

#define NVMP_ADMIN_DEPTH	32
#define NVMP_CTRL_PAGE		4096u
#define NVMP_MAX_SECTORS	2048	/* 1 MiB: a PRP list stays in one page */
#define NVMP_MAX_SEGS		127	/* what Linux's driver offers: same limits */
#define NVMP_INLINE_SG		2
/*
 * Lists up to this size (32 PRP entries, 16 SGL descriptors: 128 KiB of
 * pages) come from a pool of small blocks, not a page each, which is
 * less memory to hand out and, on init_on_alloc kernels, to zero per I/O.
 */
#define NVMP_SMALL_LIST		256
#define NVMP_RESET_TRIES	3

struct nvmp_dev;

/* struct nvmp_queue.flags */
#define NVMP_Q_LIVE	0	/* created on the controller, accepts commands */
#define NVMP_Q_IRQ	1	/* interrupt handler installed */

/**
 * struct nvmp_queue - one submission/completion queue pair
 * @dev: owning device
 * @sq_lock: serialises SQ tail updates and doorbell writes
 * @cq_lock: serialises CQ processing (interrupt, poll, timeout paths)
 * @sqes: submission ring
 * @cqes: completion ring
 * @sq_dma: bus address of @sqes
 * @cq_dma: bus address of @cqes
 * @sq_db: submission tail doorbell
 * @cq_db: completion head doorbell
 * @qid: queue id, 0 for admin
 * @depth: entries in each ring
 * @sq_tail: next free SQ slot
 * @last_db_tail: tail last written to the doorbell
 * @cq_head: next CQ entry to look at
 * @cq_phase: phase value that marks a new entry
 * @vector: interrupt vector index, or -1 when polled
 * @shadow_sq: shadow SQ tail doorbell, or NULL (Doorbell Buffer Config)
 * @shadow_cq: shadow CQ head doorbell, or NULL
 * @event_sq: controller's event index for the SQ tail
 * @event_cq: controller's event index for the CQ head
 * @flags: NVMP_Q_*
 * @sq_cmb: @sqes is in the controller memory buffer, not host memory
 * @name: interrupt name
 */
struct nvmp_queue {
	struct nvmp_dev *dev;
	spinlock_t sq_lock;	/* SQ tail and doorbell */
	spinlock_t cq_lock;	/* CQ head and phase */
	struct nvme_sqe *sqes;
	struct nvme_cqe *cqes;
	dma_addr_t sq_dma;
	dma_addr_t cq_dma;
	u32 __iomem *sq_db;
	u32 __iomem *cq_db;
	u16 qid;
	u16 depth;
	u16 sq_tail;
	u16 last_db_tail;
	u16 cq_head;
	u8 cq_phase;
	s16 vector;
	__le32 *shadow_sq;
	__le32 *shadow_cq;
	__le32 *event_sq;
	__le32 *event_cq;
	unsigned long flags;
	bool sq_cmb;
	char name[24];
};

/**
 * struct nvmp_dev - one NVMe PCIe function
 * @ctrl: core controller, first so container_of is cheap
 * @pdev: the PCI function
 * @bar: mapped BAR0
 * @bar_len: mapped length
 * @dbs: first doorbell
 * @db_stride: doorbell stride in 32 bit words
 * @queues: queue array, @max_queues long
 * @max_queues: admin + the most I/O queues ever wanted
 * @online: queues created on the controller (admin included)
 * @nr_default: interrupt driven I/O queues for writes and others (all of
 *	them unless write_queues splits reads off)
 * @nr_read: interrupt driven I/O queues for reads, after the default ones
 * @nr_poll: polled I/O queues
 * @nr_vecs: interrupt vectors allocated
 * @admin_set: admin tag set
 * @io_set: I/O tag set
 * @prp_pool: page sized PRP / SGL lists
 * @small_pool: %NVMP_SMALL_LIST byte lists, for short transfers
 * @shadow: shadow doorbell page, or NULL when not in use
 * @events: event index page
 * @shadow_dma: bus address of @shadow
 * @events_dma: bus address of @events
 * @disable_lock: serialises nvmp_disable() and queue setup
 * @enabled: controller enabled by us and not yet disabled
 * @cmb: the controller memory buffer, mapped write-combining, or NULL
 * @cmb_size: usable bytes at @cmb
 * @cmb_bus: bus address of @cmb (what the controller is given)
 * @cmbloc: CMBLOC register as read at probe (0: no CMB)
 * @cmbsz: CMBSZ register as read at probe (0: no CMB)
 * @hmb_lock: serialises Host Memory Buffer setup and teardown
 * @hmb_wanted: the last Identify asked for a HMB (ctrl.hmpre non-zero);
 *	the hmb sysfs file is shown while it is set
 * @hmb_descs: HMB descriptor list, or NULL when no buffer is allocated
 * @hmb_descs_dma: bus address of @hmb_descs
 * @hmb_bufs: the chunks' cookies from dma_alloc_attrs()
 * @hmb_nr: chunks in the buffer
 * @hmb_size: bytes in the buffer
 * @hmb: the controller has been told to use the buffer
 */
struct nvmp_dev {
	struct nvme_ctrl ctrl;
	struct pci_dev *pdev;
	void __iomem *bar;
	resource_size_t bar_len;
	u32 __iomem *dbs;
	u32 db_stride;
	struct nvmp_queue *queues;
	unsigned int max_queues;
	unsigned int online;
	unsigned int nr_default;
	unsigned int nr_read;
	unsigned int nr_poll;
	unsigned int nr_vecs;
	struct blk_mq_tag_set admin_set;
	struct blk_mq_tag_set io_set;
	struct dma_pool *prp_pool;
	struct dma_pool *small_pool;
	__le32 *shadow;
	__le32 *events;
	dma_addr_t shadow_dma;
	dma_addr_t events_dma;
	struct mutex disable_lock;	/* one nvmp_disable() at a time */
	bool enabled;
	void *cmb;
	resource_size_t cmb_size;
	dma_addr_t cmb_bus;
	u32 cmbloc;
	u32 cmbsz;
	struct mutex hmb_lock;		/* HMB buffer and its feature */
	bool hmb_wanted;
	struct nvme_host_mem_desc *hmb_descs;
	dma_addr_t hmb_descs_dma;
	void **hmb_bufs;
	u32 hmb_nr;
	u64 hmb_size;
	bool hmb;
};

/**
 * struct nvmp_iod - per-request data
 * @req: core part, must be first
 * @q: queue the request is on
 * @sgt: scatter table of the data (chained beyond @inline_sg); orig_nents
 *	is what was allocated, nents what the DMA mapping produced
 * @inline_sg: first scatterlist entries
 * @nr_sg: entries blk_rq_map_sg() filled (what was DMA-mapped)
 * @list: PRP list or SGL segment from @prp_pool or @small_pool, or NULL
 * @list_dma: bus address of @list
 * @list_small: @list is from @small_pool
 * @bv_dma: bus address of a single mapped bvec (fast path), else 0
 * @bv_len: length mapped at @bv_dma
 * @meta_dma: bus address of the metadata buffer, or 0
 * @aborted: an Abort was already sent for this request
 */
struct nvmp_iod {
	struct nvme_request req;
	struct nvmp_queue *q;
	struct sg_table sgt;
	struct scatterlist inline_sg[NVMP_INLINE_SG];
	unsigned int nr_sg;
	void *list;
	dma_addr_t list_dma;
	bool list_small;
	dma_addr_t bv_dma;
	u32 bv_len;
	dma_addr_t meta_dma;
	bool aborted;
};

static inline struct nvmp_dev *to_nvmp(struct nvme_ctrl *ctrl)
{
	return container_of(ctrl, struct nvmp_dev, ctrl);
}

/* io.c */
blk_status_t nvmp_queue_rq(struct blk_mq_hw_ctx *hctx,
			   const struct blk_mq_queue_data *bd);
void nvmp_queue_rqs(struct request **rqlist);
void nvmp_commit_rqs(struct blk_mq_hw_ctx *hctx);
void nvmp_complete_rq(struct request *rq);
int nvmp_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob);
int nvmp_poll_cq(struct nvmp_queue *q, struct io_comp_batch *iob);
irqreturn_t nvmp_irq(int irq, void *data);

/* mem.c: controller memory buffer, host memory buffer */
extern const struct attribute_group nvmp_attr_group;
void nvmp_cmb_map(struct nvmp_dev *dev);
void nvmp_cmb_program(struct nvmp_dev *dev);
bool nvmp_cmb_place_sq(struct nvmp_dev *dev, struct nvmp_queue *q,
		       size_t bytes);
void nvmp_cmb_unmap(struct nvmp_dev *dev);
void nvmp_hmb_setup(struct nvmp_dev *dev);
void nvmp_hmb_disable(struct nvmp_dev *dev);
void nvmp_hmb_free(struct nvmp_dev *dev);

#endif /* _NVME_PCI_H */
