// SPDX-License-Identifier: GPL-2.0
/*
 * nvme: the NVMe over PCIe transport.
 *
 * One struct nvmp_dev per PCI function.  Queue 0 is the admin queue;
 * queues 1..n are I/O queue pairs, the first nr_default + nr_read with an
 * interrupt each (vector = queue id, spread over CPUs by the PCI core),
 * the rest polled.  The blk-mq hardware context i drives queue i + 1.
 *
 * Bring-up and reset share one path, nvmp_reset_work(): disable, program
 * the admin queue, enable, identify, create I/O queues, go live.  Every
 * teardown goes through nvmp_disable(), which stops the controller,
 * releases interrupts and ends whatever was still outstanding.
 */
#include <linux/blk-mq-pci.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>

#include "nvme-pci.h"

static unsigned int io_queue_depth = 1024;
module_param(io_queue_depth, uint, 0444);
MODULE_PARM_DESC(io_queue_depth, "I/O queue depth (2 - 4096)");

static unsigned int max_io_queues;
module_param(max_io_queues, uint, 0444);
MODULE_PARM_DESC(max_io_queues, "maximum interrupt driven I/O queues (0: one per CPU)");

static unsigned int poll_queues;
module_param(poll_queues, uint, 0444);
MODULE_PARM_DESC(poll_queues, "number of polled I/O queues (io_uring --hipri)");

/*
 * Doorbell Buffer Config is offered by emulated controllers (QEMU): with
 * it, a doorbell register write (a trap to the hypervisor) is needed only
 * when the controller has caught up with the queue, see
 * nvmp_shadow_needs_mmio().
 */
static bool use_shadow_doorbells = true;
module_param(use_shadow_doorbells, bool, 0444);
MODULE_PARM_DESC(use_shadow_doorbells,
		 "use Doorbell Buffer Config when the controller offers it (default Y)");

static bool use_msix = true;
module_param(use_msix, bool, 0444);
MODULE_PARM_DESC(use_msix, "allow MSI-X (false: MSI or INTx only)");

/* like Linux's: at most one queue per CPU; read again at every reset */
static int nvmp_set_write_queues(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 10, &n) || n > num_possible_cpus())
		return -EINVAL;
	return param_set_uint(val, kp);
}

static const struct kernel_param_ops nvmp_write_queues_ops = {
	.set = nvmp_set_write_queues,
	.get = param_get_uint,
};

static unsigned int write_queues;
module_param_cb(write_queues, &nvmp_write_queues_ops, &write_queues, 0644);
MODULE_PARM_DESC(write_queues,
		 "interrupt driven queues for writes, the others serve reads (0: one set for both)");

static int use_threaded_interrupts;
module_param(use_threaded_interrupts, int, 0444);
MODULE_PARM_DESC(use_threaded_interrupts,
		 "reap completions in an irq thread (irq/N-nvmeXqY), not in hard interrupt context");

/* accepted for modprobe.d: our suspend makes no ACPI D3 decision */
static bool noacpi;
module_param(noacpi, bool, 0444);
MODULE_PARM_DESC(noacpi,
		 "disable acpi bios quirks (no effect here: suspend always shuts the controller down)");

/* ------------------------------------------------------------------ */
/* register access (struct nvme_ctrl_ops)                             */
/* ------------------------------------------------------------------ */

/* the BAR is unmapped on removal while char devices may still be open */
static int nvmp_reg_read32(struct nvme_ctrl *ctrl, u32 off, u32 *val)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	if (!dev->bar)
		return -ENODEV;
	*val = readl(dev->bar + off);
	return 0;
}

static int nvmp_reg_write32(struct nvme_ctrl *ctrl, u32 off, u32 val)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	if (!dev->bar)
		return -ENODEV;
	writel(val, dev->bar + off);
	return 0;
}

static int nvmp_reg_read64(struct nvme_ctrl *ctrl, u32 off, u64 *val)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	if (!dev->bar)
		return -ENODEV;
	*val = lo_hi_readq(dev->bar + off);
	return 0;
}

static int nvmp_get_address(struct nvme_ctrl *ctrl, char *buf, int size)
{
	return snprintf(buf, size, "%s\n", dev_name(&to_nvmp(ctrl)->pdev->dev));
}

static bool nvmp_gone(struct nvmp_dev *dev)
{
	return !pci_device_is_present(dev->pdev) ||
	       readl(dev->bar + NVME_REG_CSTS) == ~0u;
}

/* ------------------------------------------------------------------ */
/* timeouts                                                           */
/* ------------------------------------------------------------------ */

static void nvmp_disable(struct nvmp_dev *dev, bool shutdown);

static enum rq_end_io_ret nvmp_abort_done(struct request *rq, blk_status_t err)
{
	struct nvme_ctrl *ctrl = rq->end_io_data;

	dev_warn(ctrl->dev, "abort completed, status 0x%x result 0x%llx\n",
		 nvme_req(rq)->status, le64_to_cpu(nvme_req(rq)->result));
	return RQ_END_IO_FREE;
}

static bool nvmp_send_abort(struct nvmp_dev *dev, struct request *rq)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvme_sqe c = {
		.opc = NVME_ADM_ABORT,
		.cdw10 = cpu_to_le32(iod->q->qid | (u32)rq->tag << 16),
	};
	struct request *arq;

	arq = blk_mq_alloc_request(dev->ctrl.admin_q, REQ_OP_DRV_OUT,
				   BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(arq))
		return false;
	nvme_init_request(arq, &c);
	arq->end_io = nvmp_abort_done;
	arq->end_io_data = &dev->ctrl;
	blk_execute_rq_nowait(arq, false);
	return true;
}

static enum blk_eh_timer_return nvmp_timeout(struct request *rq)
{
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvmp_queue *q = iod->q;
	struct nvmp_dev *dev = q->dev;
	struct nvme_ctrl *ctrl = &dev->ctrl;
	u32 csts = readl(dev->bar + NVME_REG_CSTS);

	if (iod->req.flags & NVME_REQ_NO_TIMEOUT)
		return BLK_EH_RESET_TIMER;

	/* a lost interrupt looks like a timeout: look before acting */
	if (test_bit(NVMP_Q_LIVE, &q->flags) && nvmp_poll_cq(q, NULL) &&
	    blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT) {
		dev_warn(ctrl->dev, "queue %u tag %d: completion found by polling\n",
			 q->qid, rq->tag);
		return BLK_EH_DONE;
	}

	switch (nvme_ctrl_state(ctrl)) {
	case NVME_CTRL_RESETTING:
		/* the reset in progress ends this request */
		return BLK_EH_RESET_TIMER;
	case NVME_CTRL_NEW:
	case NVME_CTRL_CONNECTING:
	case NVME_CTRL_DELETING:
	case NVME_CTRL_DELETING_NOIO:
	case NVME_CTRL_DEAD:
		dev_warn(ctrl->dev, "queue %u tag %d timed out while %s, disabling controller\n",
			 q->qid, rq->tag,
			 nvme_ctrl_state_name(nvme_ctrl_state(ctrl)));
		nvmp_disable(dev, false);
		/*
		 * Nothing will bring these queues back: let what was ended
		 * and requeued reach ->queue_rq and fail there, or removal
		 * waits for it for ever.
		 */
		if (nvme_ctrl_state(ctrl) != NVME_CTRL_CONNECTING &&
		    nvme_ctrl_state(ctrl) != NVME_CTRL_NEW) {
			nvme_unquiesce_admin_queue(ctrl);
			nvme_unquiesce_io_queues(ctrl);
		}
		return BLK_EH_DONE;
	default:
		break;
	}

	if (!(csts & NVME_CSTS_CFS) && csts != ~0u && q->qid && !iod->aborted) {
		iod->aborted = true;
		if (nvmp_send_abort(dev, rq)) {
			dev_warn(ctrl->dev, "queue %u tag %d timed out, aborting\n",
				 q->qid, rq->tag);
			return BLK_EH_RESET_TIMER;
		}
	}

	dev_warn(ctrl->dev, "queue %u tag %d timed out (CSTS 0x%x), resetting controller\n",
		 q->qid, rq->tag, csts);
	if (nvme_reset_ctrl(ctrl))
		return BLK_EH_RESET_TIMER;
	return BLK_EH_DONE;
}

/* ------------------------------------------------------------------ */
/* queues                                                             */
/* ------------------------------------------------------------------ */

static void nvmp_free_ring(struct nvmp_dev *dev, struct nvmp_queue *q)
{
	struct device *d = &dev->pdev->dev;

	if (!q->sq_cmb)
		dma_free_coherent(d, (size_t)q->depth << NVME_SQE_SHIFT,
				  q->sqes, q->sq_dma);
	dma_free_coherent(d, (size_t)q->depth << NVME_CQE_SHIFT, q->cqes,
			  q->cq_dma);
	q->sqes = NULL;
	q->cqes = NULL;
	q->sq_cmb = false;
}

static int nvmp_alloc_ring(struct nvmp_dev *dev, unsigned int qid,
			   unsigned int depth)
{
	struct nvmp_queue *q = &dev->queues[qid];
	struct device *d = &dev->pdev->dev;

	if (q->sqes && q->depth == depth)
		return 0;
	if (q->sqes)
		nvmp_free_ring(dev, q);
	q->cqes = dma_alloc_coherent(d, (size_t)depth << NVME_CQE_SHIFT,
				     &q->cq_dma, GFP_KERNEL);
	if (!q->cqes)
		return -ENOMEM;
	q->qid = qid;
	if (!nvmp_cmb_place_sq(dev, q, (size_t)depth << NVME_SQE_SHIFT))
		q->sqes = dma_alloc_coherent(d, (size_t)depth << NVME_SQE_SHIFT,
					     &q->sq_dma, GFP_KERNEL);
	if (!q->sqes) {
		dma_free_coherent(d, (size_t)depth << NVME_CQE_SHIFT, q->cqes,
				  q->cq_dma);
		q->cqes = NULL;
		return -ENOMEM;
	}
	q->dev = dev;
	q->qid = qid;
	q->depth = depth;
	spin_lock_init(&q->sq_lock);
	spin_lock_init(&q->cq_lock);
	q->sq_db = dev->dbs + 2 * qid * dev->db_stride;
	q->cq_db = q->sq_db + dev->db_stride;
	return 0;
}

static void nvmp_free_rings(struct nvmp_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->max_queues; i++)
		if (dev->queues[i].sqes)
			nvmp_free_ring(dev, &dev->queues[i]);
}

static void nvmp_reset_ring(struct nvmp_queue *q)
{
	q->sq_tail = 0;
	q->last_db_tail = 0;
	q->cq_head = 0;
	q->cq_phase = 1;
	memset(q->cqes, 0, (size_t)q->depth << NVME_CQE_SHIFT);
	wmb(); /* ring cleared before the controller may write it */
}

/*
 * use_threaded_interrupts: the hard half only looks whether the entry at
 * the CQ head is new; the thread reaps (nvmp_irq() under cq_lock).
 */
static irqreturn_t nvmp_irq_check(int irq, void *data)
{
	struct nvmp_queue *q = data;
	u16 status = le16_to_cpu(READ_ONCE(q->cqes[q->cq_head].status));

	return (status & 1) == q->cq_phase ? IRQ_WAKE_THREAD : IRQ_NONE;
}

static int nvmp_request_irq(struct nvmp_dev *dev, struct nvmp_queue *q)
{
	int irq = pci_irq_vector(dev->pdev, q->vector);
	int ret;

	snprintf(q->name, sizeof(q->name), "nvme%dq%u", dev->ctrl.instance,
		 q->qid);
	if (use_threaded_interrupts)
		ret = request_threaded_irq(irq, nvmp_irq_check, nvmp_irq,
					   IRQF_SHARED, q->name, q);
	else
		ret = request_irq(irq, nvmp_irq, IRQF_SHARED, q->name, q);
	if (!ret)
		set_bit(NVMP_Q_IRQ, &q->flags);
	return ret;
}

static void nvmp_free_irq(struct nvmp_dev *dev, struct nvmp_queue *q)
{
	if (test_and_clear_bit(NVMP_Q_IRQ, &q->flags))
		free_irq(pci_irq_vector(dev->pdev, q->vector), q);
}

static int nvmp_create_queue(struct nvmp_dev *dev, struct nvmp_queue *q)
{
	bool polled = q->vector < 0;
	struct nvme_sqe c = {};
	int ret;

	nvmp_reset_ring(q);
	if (dev->shadow && q->qid) {
		unsigned int sq = 2 * q->qid * dev->db_stride;
		unsigned int cq = sq + dev->db_stride;

		q->shadow_sq = &dev->shadow[sq];
		q->shadow_cq = &dev->shadow[cq];
		q->event_sq = &dev->events[sq];
		q->event_cq = &dev->events[cq];
		*q->shadow_sq = 0;
		*q->shadow_cq = 0;
		*q->event_sq = 0;
		*q->event_cq = 0;
	} else {
		q->shadow_sq = NULL;
		q->shadow_cq = NULL;
	}
	c.opc = NVME_ADM_CREATE_CQ;
	c.dptr.prp1 = cpu_to_le64(q->cq_dma);
	c.cdw10 = cpu_to_le32((u32)(q->depth - 1) << 16 | q->qid);
	c.cdw11 = cpu_to_le32(NVME_QUEUE_PHYS_CONTIG |
			      (polled ? 0 : NVME_CQ_IRQ_ENABLED |
					   (u32)q->vector << 16));
	ret = nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0);
	if (ret)
		return ret;

	memset(&c, 0, sizeof(c));
	c.opc = NVME_ADM_CREATE_SQ;
	c.dptr.prp1 = cpu_to_le64(q->sq_dma);
	c.cdw10 = cpu_to_le32((u32)(q->depth - 1) << 16 | q->qid);
	c.cdw11 = cpu_to_le32(NVME_QUEUE_PHYS_CONTIG | (u32)q->qid << 16);
	ret = nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0);
	if (ret) {
		memset(&c, 0, sizeof(c));
		c.opc = NVME_ADM_DELETE_CQ;
		c.cdw10 = cpu_to_le32(q->qid);
		nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0);
		return ret;
	}
	if (!polled) {
		ret = nvmp_request_irq(dev, q);
		if (ret)
			return ret;
	}
	set_bit(NVMP_Q_LIVE, &q->flags);
	return 0;
}

static int nvmp_setup_admin(struct nvmp_dev *dev)
{
	struct nvmp_queue *q = &dev->queues[0];
	u32 aqa, csts;
	int ret;

	csts = readl(dev->bar + NVME_REG_CSTS);
	if (csts == ~0u)
		return -ENODEV;
	if (csts & NVME_CSTS_NSSRO)	/* clear the subsystem reset flag */
		writel(NVME_CSTS_NSSRO, dev->bar + NVME_REG_CSTS);
	ret = nvme_disable_ctrl(&dev->ctrl, false);
	if (ret)
		return ret;

	/*
	 * One vector for now; nvmp_setup_io_queues() asks for more.  It must
	 * exist before the enable: some controllers (QEMU's among them) bind
	 * the admin completion queue to MSI-X only if it is on by then.
	 */
	ret = pci_alloc_irq_vectors(dev->pdev, 1, 1, use_msix ?
				    PCI_IRQ_ALL_TYPES : PCI_IRQ_MSI | PCI_IRQ_LEGACY);
	if (ret < 0)
		return ret;
	dev->nr_vecs = ret;

	nvmp_cmb_program(dev);
	nvmp_reset_ring(q);
	aqa = (u32)(q->depth - 1) << 16 | (q->depth - 1);
	writel(aqa, dev->bar + NVME_REG_AQA);
	lo_hi_writeq(q->sq_dma, dev->bar + NVME_REG_ASQ);
	lo_hi_writeq(q->cq_dma, dev->bar + NVME_REG_ACQ);
	ret = nvme_enable_ctrl(&dev->ctrl);
	if (ret)
		return ret;
	dev->enabled = true;

	q->vector = 0;
	ret = nvmp_request_irq(dev, q);
	if (ret)
		return ret;
	set_bit(NVMP_Q_LIVE, &q->flags);
	dev->online = 1;
	nvme_unquiesce_admin_queue(&dev->ctrl);
	return 0;
}

/*
 * Interrupt driven queues, as Linux 6.1 splits them: @wq of them for
 * writes (and everything but reads), the rest for reads.  No split with
 * one queue or no write_queues; write_queues not below the queues there
 * are still leaves one for reads.
 */
static void nvmp_split_queues(unsigned int nr, unsigned int wq,
			      unsigned int *nr_default, unsigned int *nr_read)
{
	if (nr < 2 || !wq) {
		*nr_default = nr;
		*nr_read = 0;
	} else if (wq >= nr) {
		*nr_default = nr - 1;
		*nr_read = 1;
	} else {
		*nr_default = wq;
		*nr_read = nr - wq;
	}
}

/* spread the default and the read vectors over all CPUs each */
static void nvmp_calc_irq_sets(struct irq_affinity *affd, unsigned int nvecs)
{
	const unsigned int *wq = affd->priv;
	unsigned int nr_default, nr_read;

	nvmp_split_queues(nvecs, *wq, &nr_default, &nr_read);
	affd->set_size[0] = nr_default;
	affd->set_size[1] = nr_read;
	affd->nr_sets = nr_read ? 2 : 1;
}

static int nvmp_setup_irqs(struct nvmp_dev *dev, unsigned int nr_default,
			   unsigned int *wq)
{
	struct irq_affinity affd = {
		.pre_vectors	= 1,
		.calc_sets	= nvmp_calc_irq_sets,
		.priv		= wq,
	};
	unsigned int types = PCI_IRQ_MSI | PCI_IRQ_LEGACY;
	int ret;

	if (use_msix)
		types |= PCI_IRQ_MSIX;
	nvmp_free_irq(dev, &dev->queues[0]);
	pci_free_irq_vectors(dev->pdev);
	ret = pci_alloc_irq_vectors_affinity(dev->pdev, 1, nr_default + 1,
					     types | PCI_IRQ_AFFINITY, &affd);
	if (ret < 0)
		return ret;
	dev->nr_vecs = ret;
	return nvmp_request_irq(dev, &dev->queues[0]);
}

static int nvmp_setup_io_queues(struct nvmp_dev *dev)
{
	unsigned int want_default, nr_irq, i;
	unsigned int wq = READ_ONCE(write_queues);
	u32 nr;
	int ret;

	want_default = max_io_queues ? min(max_io_queues, num_possible_cpus()) :
				       num_possible_cpus();
	/* with write_queues, one queue per CPU for reads and @wq more */
	want_default += wq;
	nr = want_default + poll_queues;
	nr = min_t(u32, nr, dev->max_queues - 1);
	ret = nvme_set_queue_count(&dev->ctrl, &nr);
	if (ret)
		return ret;
	if (!nr) {
		dev->nr_default = 0;
		dev->nr_read = 0;
		dev->nr_poll = 0;
		return 0;
	}
	dev->nr_poll = min_t(u32, poll_queues, nr - 1);
	want_default = min_t(u32, want_default, nr - dev->nr_poll);

	ret = nvmp_setup_irqs(dev, want_default, &wq);
	if (ret)
		return ret;
	/* one vector: all queues share it, no read split; else one each */
	if (dev->nr_vecs == 1) {
		dev->nr_default = want_default;
		dev->nr_read = 0;
	} else {
		nr_irq = min_t(unsigned int, want_default, dev->nr_vecs - 1);
		nvmp_split_queues(nr_irq, wq, &dev->nr_default, &dev->nr_read);
	}
	nr_irq = dev->nr_default + dev->nr_read;

	for (i = 1; i <= nr_irq + dev->nr_poll; i++) {
		struct nvmp_queue *q = &dev->queues[i];

		ret = nvmp_alloc_ring(dev, i, dev->ctrl.sqsize + 1);
		if (ret)
			return ret;
		if (i > nr_irq)
			q->vector = -1;
		else
			q->vector = dev->nr_vecs == 1 ? 0 : i;
		ret = nvmp_create_queue(dev, q);
		if (ret) {
			dev_err(dev->ctrl.dev, "creating queue %u failed (%d)\n",
				i, ret);
			return ret > 0 ? -EIO : ret;
		}
		dev->online = i + 1;
	}
	dev_info(&dev->ctrl.cdev_device, "%u/%u/%u default/read/poll queues\n",
		 dev->nr_default, dev->nr_read, dev->nr_poll);
	return 0;
}

/*
 * Stop the controller and end everything outstanding.  Queues stay
 * quiesced: a reset brings them back, removal unquiesces them itself.
 */
static void nvmp_disable(struct nvmp_dev *dev, bool shutdown)
{
	struct nvme_ctrl *ctrl = &dev->ctrl;
	unsigned int i;

	mutex_lock(&dev->disable_lock);
	nvme_quiesce_io_queues(ctrl);
	nvme_quiesce_admin_queue(ctrl);

	if (dev->enabled && !nvmp_gone(dev))
		nvme_disable_ctrl(ctrl, shutdown);
	dev->enabled = false;

	for (i = 0; i < dev->online; i++) {
		struct nvmp_queue *q = &dev->queues[i];

		clear_bit(NVMP_Q_LIVE, &q->flags);
		nvmp_free_irq(dev, q);
		if (q->cqes)
			nvmp_poll_cq(q, NULL);	/* whatever did complete */
	}
	dev->online = 0;
	if (dev->nr_vecs) {
		pci_free_irq_vectors(dev->pdev);
		dev->nr_vecs = 0;
	}

	nvme_cancel_tagset(ctrl);
	nvme_cancel_admin_tagset(ctrl);
	mutex_unlock(&dev->disable_lock);
}

/* the controller will not come back: fail everything from now on */
static void nvmp_give_up(struct nvmp_dev *dev, int err)
{
	struct nvme_ctrl *ctrl = &dev->ctrl;

	if (nvme_change_ctrl_state(ctrl, NVME_CTRL_DEAD))
		dev_err(ctrl->dev, "controller failed (%d), marking it dead\n",
			err);
	nvmp_disable(dev, false);
	nvme_mark_namespaces_dead(ctrl);
	nvme_unquiesce_io_queues(ctrl);
	nvme_unquiesce_admin_queue(ctrl);
}

static void nvmp_free_shadow_doorbells(struct nvmp_dev *dev)
{
	if (dev->shadow)
		dma_free_coherent(&dev->pdev->dev, PAGE_SIZE, dev->shadow,
				  dev->shadow_dma);
	if (dev->events)
		dma_free_coherent(&dev->pdev->dev, PAGE_SIZE, dev->events,
				  dev->events_dma);
	dev->shadow = NULL;
	dev->events = NULL;
}

/* a controller forgets the buffers on every reset: configure each time */
static void nvmp_setup_shadow_doorbells(struct nvmp_dev *dev)
{
	struct nvme_sqe c = { .opc = NVME_ADM_DBBUF_CONFIG };
	struct device *d = &dev->pdev->dev;

	if (!(dev->ctrl.oacs & NVME_OACS_DBBUF) || !use_shadow_doorbells ||
	    2 * dev->max_queues * dev->db_stride * 4 > PAGE_SIZE) {
		nvmp_free_shadow_doorbells(dev);
		return;
	}
	if (!dev->shadow) {
		dev->shadow = dma_alloc_coherent(d, PAGE_SIZE, &dev->shadow_dma,
						 GFP_KERNEL);
		dev->events = dma_alloc_coherent(d, PAGE_SIZE, &dev->events_dma,
						 GFP_KERNEL);
		if (!dev->shadow || !dev->events)
			goto fail;
	}
	memset(dev->shadow, 0, PAGE_SIZE);
	memset(dev->events, 0, PAGE_SIZE);
	c.dptr.prp1 = cpu_to_le64(dev->shadow_dma);
	c.dptr.prp2 = cpu_to_le64(dev->events_dma);
	if (!nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0))
		return;
	dev_info(d, "doorbell buffer config failed, using registers only\n");
fail:
	nvmp_free_shadow_doorbells(dev);
}

static int nvmp_bring_up(struct nvmp_dev *dev)
{
	struct nvme_ctrl *ctrl = &dev->ctrl;
	unsigned int nr_hw;
	int ret;

	ret = nvmp_setup_admin(dev);
	if (ret)
		return ret;
	ret = nvme_init_ctrl_finish(ctrl);
	if (ret)
		return ret;
	nvmp_setup_shadow_doorbells(dev);
	nvmp_hmb_setup(dev);
	ret = nvmp_setup_io_queues(dev);
	if (ret)
		return ret;

	nr_hw = dev->nr_default + dev->nr_read + dev->nr_poll;
	ctrl->queue_count = nr_hw + 1;
	if (!nr_hw)
		return 0;
	if (!ctrl->tagset)
		return nvme_alloc_io_tag_set(ctrl, &dev->io_set, dev->io_set.ops,
					     HCTX_MAX_TYPES,
					     sizeof(struct nvmp_iod));
	if (dev->io_set.nr_hw_queues != nr_hw ||
	    dev->io_set.map[HCTX_TYPE_READ].nr_queues != dev->nr_read) {
		/* requeued I/O must drain before the queue map changes */
		nvme_start_freeze(ctrl);
		nvme_unquiesce_io_queues(ctrl);
		nvme_wait_freeze(ctrl);
		blk_mq_update_nr_hw_queues(&dev->io_set, nr_hw);
		nvme_unfreeze(ctrl);
	}
	return 0;
}

static void nvmp_reset_work(struct work_struct *work)
{
	struct nvmp_dev *dev = container_of(work, struct nvmp_dev,
					    ctrl.reset_work);
	struct nvme_ctrl *ctrl = &dev->ctrl;
	int ret = -ENODEV, tries;

	if (nvme_ctrl_state(ctrl) != NVME_CTRL_RESETTING) {
		dev_warn(ctrl->dev, "reset work in state %s, ignored\n",
			 nvme_ctrl_state_name(nvme_ctrl_state(ctrl)));
		return;
	}
	if (dev->enabled || dev->online)
		nvmp_disable(dev, false);
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_CONNECTING))
		goto fail;

	for (tries = 0; tries < NVMP_RESET_TRIES; tries++) {
		if (tries) {
			nvmp_disable(dev, false);
			msleep(500 * tries);
		}
		if (nvme_ctrl_state(ctrl) != NVME_CTRL_CONNECTING ||
		    nvmp_gone(dev)) {
			ret = -ENODEV;
			break;
		}
		ret = nvmp_bring_up(dev);
		if (!ret)
			break;
		dev_warn(ctrl->dev, "controller bring-up failed (%d), try %d of %d\n",
			 ret, tries + 1, NVMP_RESET_TRIES);
	}
	if (ret)
		goto fail;
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_LIVE))
		goto fail;
	nvme_unquiesce_io_queues(ctrl);
	if (ctrl->tagset && ctrl->queue_count < 2) {
		/*
		 * The admin queue alone stays usable (firmware update,
		 * logs); the namespaces have nothing to do I/O on.  Their
		 * requests fail (nvmp_not_ready()) and they go; the scan
		 * brings them back after a reset that has I/O queues again.
		 */
		dev_warn(ctrl->dev, "no I/O queue after the reset, removing the namespaces\n");
		nvme_mark_namespaces_dead(ctrl);
		nvme_remove_namespaces(ctrl);
	}
	nvme_start_ctrl(ctrl);
	return;
fail:
	nvmp_give_up(dev, ret);
}

/* ------------------------------------------------------------------ */
/* blk-mq glue                                                        */
/* ------------------------------------------------------------------ */

static int nvmp_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			  unsigned int idx)
{
	struct nvmp_dev *dev = data;

	hctx->driver_data = &dev->queues[idx + 1];
	return 0;
}

static int nvmp_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				unsigned int idx)
{
	struct nvmp_dev *dev = data;

	hctx->driver_data = &dev->queues[0];
	return 0;
}

static int nvmp_init_request(struct blk_mq_tag_set *set, struct request *rq,
			     unsigned int hctx_idx, unsigned int numa_node)
{
	struct nvmp_dev *dev = to_nvmp(set->driver_data);
	struct nvmp_iod *iod = blk_mq_rq_to_pdu(rq);

	iod->req.ctrl = &dev->ctrl;
	iod->q = set == &dev->admin_set ? &dev->queues[0] :
					  &dev->queues[hctx_idx + 1];
	return 0;
}

static void nvmp_map_queues(struct blk_mq_tag_set *set)
{
	struct nvmp_dev *dev = to_nvmp(set->driver_data);
	struct blk_mq_queue_map *map = &set->map[HCTX_TYPE_DEFAULT];

	map->nr_queues = dev->nr_default;
	map->queue_offset = 0;
	if (dev->nr_vecs > 1)
		blk_mq_pci_map_queues(map, dev->pdev, 1);
	else
		blk_mq_map_queues(map);

	/* read queues follow the default ones, vector = queue id */
	map = &set->map[HCTX_TYPE_READ];
	map->nr_queues = dev->nr_read;
	map->queue_offset = dev->nr_default;
	if (dev->nr_read)
		blk_mq_pci_map_queues(map, dev->pdev, 1 + dev->nr_default);

	map = &set->map[HCTX_TYPE_POLL];
	map->nr_queues = dev->nr_poll;
	map->queue_offset = dev->nr_default + dev->nr_read;
	if (dev->nr_poll)
		blk_mq_map_queues(map);
}

static const struct blk_mq_ops nvmp_admin_mq_ops = {
	.queue_rq	= nvmp_queue_rq,
	.complete	= nvmp_complete_rq,
	.init_hctx	= nvmp_init_admin_hctx,
	.init_request	= nvmp_init_request,
	.timeout	= nvmp_timeout,
};

static const struct blk_mq_ops nvmp_mq_ops = {
	.queue_rq	= nvmp_queue_rq,
	.queue_rqs	= nvmp_queue_rqs,
	.commit_rqs	= nvmp_commit_rqs,
	.complete	= nvmp_complete_rq,
	.init_hctx	= nvmp_init_hctx,
	.init_request	= nvmp_init_request,
	.map_queues	= nvmp_map_queues,
	.timeout	= nvmp_timeout,
	.poll		= nvmp_poll,
};

/* ------------------------------------------------------------------ */
/* PCI driver                                                         */
/* ------------------------------------------------------------------ */

static void nvmp_free_ctrl(struct nvme_ctrl *ctrl)
{
	struct nvmp_dev *dev = to_nvmp(ctrl);

	put_device(&dev->pdev->dev);
	kfree(dev->queues);
	kfree(dev);
}

static const struct nvme_ctrl_ops nvmp_ctrl_ops = {
	.name		= "pcie",
	.module		= THIS_MODULE,
	.flags		= NVME_F_METADATA,
	.reg_read32	= nvmp_reg_read32,
	.reg_write32	= nvmp_reg_write32,
	.reg_read64	= nvmp_reg_read64,
	.free_ctrl	= nvmp_free_ctrl,
	.get_address	= nvmp_get_address,
	.attr_group	= &nvmp_attr_group,
};

static int nvmp_map_bar(struct nvmp_dev *dev)
{
	struct pci_dev *pdev = dev->pdev;
	u64 cap;

	if (pci_request_mem_regions(pdev, "nvme"))
		return -EBUSY;
	dev->bar_len = pci_resource_len(pdev, 0);
	if (dev->bar_len < NVME_REG_DBS + 8) {
		dev_err(&pdev->dev, "BAR0 too small (%pa)\n", &dev->bar_len);
		goto release;
	}
	dev->bar = ioremap(pci_resource_start(pdev, 0), dev->bar_len);
	if (!dev->bar)
		goto release;
	cap = lo_hi_readq(dev->bar + NVME_REG_CAP);
	if (cap == ~0ull) {
		dev_err(&pdev->dev, "controller not responding\n");
		goto unmap;
	}
	dev->ctrl.cap = cap;
	dev->db_stride = 1u << NVME_CAP_DSTRD(cap);
	dev->dbs = dev->bar + NVME_REG_DBS;
	return 0;
unmap:
	iounmap(dev->bar);
	dev->bar = NULL;
release:
	pci_release_mem_regions(pdev);
	return -ENODEV;
}

static void nvmp_unmap_bar(struct nvmp_dev *dev)
{
	if (!dev->bar)
		return;
	iounmap(dev->bar);
	dev->bar = NULL;
	pci_release_mem_regions(dev->pdev);
}

static int nvmp_create_pools(struct nvmp_dev *dev)
{
	dev->prp_pool = dma_pool_create("nvme prp list", &dev->pdev->dev,
					NVMP_CTRL_PAGE, NVMP_CTRL_PAGE, 0);
	dev->small_pool = dma_pool_create("nvme prp list 256", &dev->pdev->dev,
					  NVMP_SMALL_LIST, NVMP_SMALL_LIST, 0);
	if (dev->prp_pool && dev->small_pool)
		return 0;
	dma_pool_destroy(dev->prp_pool);	/* takes NULL */
	dma_pool_destroy(dev->small_pool);
	return -ENOMEM;
}

static void nvmp_destroy_pools(struct nvmp_dev *dev)
{
	dma_pool_destroy(dev->small_pool);
	dma_pool_destroy(dev->prp_pool);
}

static int nvmp_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct nvmp_dev *dev;
	unsigned int depth, max_q;
	resource_size_t db_room;
	int ret;

	dev = kzalloc_node(sizeof(*dev), GFP_KERNEL, dev_to_node(&pdev->dev));
	if (!dev)
		return -ENOMEM;
	dev->pdev = pdev;
	mutex_init(&dev->disable_lock);
	mutex_init(&dev->hmb_lock);
	INIT_WORK(&dev->ctrl.reset_work, nvmp_reset_work);
	dev->io_set.ops = &nvmp_mq_ops;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto out_free;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto out_disable;
	/* swiotlb bounces keep the in-page offset PRPs depend on */
	dma_set_min_align_mask(&pdev->dev, NVMP_CTRL_PAGE - 1);
	ret = nvmp_map_bar(dev);
	if (ret)
		goto out_disable;
	nvmp_cmb_map(dev);

	/*
	 * Admin queue plus every queue we might ask for, limited by the BAR:
	 * write_queues (at most one per CPU) may change before a reset.
	 */
	max_q = 2 * num_possible_cpus() + poll_queues + 1;
	db_room = (dev->bar_len - NVME_REG_DBS) / (8 * dev->db_stride);
	max_q = min_t(resource_size_t, max_q, db_room);
	max_q = min_t(unsigned int, max_q, 65535);
	dev->max_queues = max_q;
	dev->queues = kcalloc(max_q, sizeof(*dev->queues), GFP_KERNEL);
	if (!dev->queues) {
		ret = -ENOMEM;
		goto out_unmap;
	}

	depth = clamp_t(unsigned int, io_queue_depth, 2, 4096);
	depth = min_t(unsigned int, depth, NVME_CAP_MQES(dev->ctrl.cap) + 1);
	dev->ctrl.sqsize = depth - 1;
	dev->ctrl.transport_max_sectors = NVMP_MAX_SECTORS;
	dev->ctrl.transport_max_segments = NVMP_MAX_SEGS;
	dev->ctrl.virt_boundary_mask = NVMP_CTRL_PAGE - 1;
	dev->ctrl.queue_count = 1;

	ret = nvmp_create_pools(dev);
	if (ret)
		goto out_queues;
	ret = nvmp_alloc_ring(dev, 0, NVMP_ADMIN_DEPTH);
	if (ret)
		goto out_pool;

	get_device(&pdev->dev);
	ret = nvme_init_ctrl(&dev->ctrl, &pdev->dev, &nvmp_ctrl_ops,
			     id->driver_data);
	if (ret) {
		put_device(&pdev->dev);
		goto out_rings;
	}
	pci_set_drvdata(pdev, dev);

	ret = nvme_alloc_admin_tag_set(&dev->ctrl, &dev->admin_set,
				       &nvmp_admin_mq_ops, NVMP_ADMIN_DEPTH - 1,
				       sizeof(struct nvmp_iod));
	if (ret)
		goto out_uninit;
	/* the admin queue opens when the controller is enabled */
	nvme_quiesce_admin_queue(&dev->ctrl);

	dev_info(&dev->ctrl.cdev_device, "pci function %s\n",
		 dev_name(&pdev->dev));
	ret = nvme_reset_ctrl(&dev->ctrl);
	if (ret)
		goto out_uninit;
	flush_work(&dev->ctrl.reset_work);
	flush_work(&dev->ctrl.scan_work);
	return 0;

out_uninit:
	nvme_uninit_ctrl(&dev->ctrl);
	nvme_remove_admin_tag_set(&dev->ctrl);
	nvmp_hmb_free(dev);
	nvmp_free_rings(dev);
	nvmp_cmb_unmap(dev);
	nvmp_free_shadow_doorbells(dev);
	nvmp_destroy_pools(dev);
	nvmp_unmap_bar(dev);
	pci_disable_device(pdev);
	nvme_put_ctrl(&dev->ctrl);	/* frees dev */
	return ret;
out_rings:
	nvmp_free_rings(dev);
out_pool:
	nvmp_destroy_pools(dev);
out_queues:
	kfree(dev->queues);
out_unmap:
	nvmp_cmb_unmap(dev);
	nvmp_unmap_bar(dev);
out_disable:
	pci_disable_device(pdev);
out_free:
	kfree(dev);
	return ret;
}

static void nvmp_remove(struct pci_dev *pdev)
{
	struct nvmp_dev *dev = pci_get_drvdata(pdev);
	struct nvme_ctrl *ctrl = &dev->ctrl;

	nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING);
	if (!pci_device_is_present(pdev)) {
		/* surprise removal: nothing will answer, fail it all now */
		nvmp_disable(dev, false);
		nvme_mark_namespaces_dead(ctrl);
		nvme_unquiesce_io_queues(ctrl);
		nvme_unquiesce_admin_queue(ctrl);
	}
	flush_work(&ctrl->reset_work);
	nvme_stop_ctrl(ctrl);
	nvme_remove_namespaces(ctrl);
	if (pci_device_is_present(pdev))
		nvmp_hmb_disable(dev);
	nvme_change_ctrl_state(ctrl, NVME_CTRL_DELETING_NOIO);
	nvmp_disable(dev, true);
	nvme_unquiesce_admin_queue(ctrl);
	nvme_remove_io_tag_set(ctrl);
	nvme_remove_admin_tag_set(ctrl);
	nvme_uninit_ctrl(ctrl);
	nvmp_hmb_free(dev);
	nvmp_free_rings(dev);
	nvmp_cmb_unmap(dev);
	nvmp_free_shadow_doorbells(dev);
	nvmp_destroy_pools(dev);
	nvmp_unmap_bar(dev);
	pci_disable_device(pdev);
	nvme_put_ctrl(ctrl);
}

static void nvmp_shutdown(struct pci_dev *pdev)
{
	struct nvmp_dev *dev = pci_get_drvdata(pdev);

	if (nvme_ctrl_state(&dev->ctrl) == NVME_CTRL_LIVE)
		nvmp_hmb_disable(dev);
	nvmp_disable(dev, true);
}

static int __maybe_unused nvmp_suspend(struct device *d)
{
	struct nvmp_dev *dev = pci_get_drvdata(to_pci_dev(d));

	/*
	 * A reset queued by an earlier resume (hibernation: thaw, then
	 * poweroff) must not bring the queues up behind our back.
	 */
	flush_work(&dev->ctrl.reset_work);
	nvme_stop_ctrl(&dev->ctrl);
	if (nvme_ctrl_state(&dev->ctrl) == NVME_CTRL_LIVE)
		nvmp_hmb_disable(dev);
	nvmp_disable(dev, true);
	return 0;
}

static int __maybe_unused nvmp_resume(struct device *d)
{
	struct nvmp_dev *dev = pci_get_drvdata(to_pci_dev(d));

	/* the controller kept its state machine LIVE: reset brings it back */
	return nvme_reset_ctrl(&dev->ctrl);
}

static SIMPLE_DEV_PM_OPS(nvmp_pm_ops, nvmp_suspend, nvmp_resume);

static const struct pci_device_id nvmp_ids[] = {
	/* QEMU's emulated controller reuses namespace identifiers */
	{ PCI_DEVICE(0x1b36, 0x0010), .driver_data = NVME_QUIRK_BOGUS_NID },
	{ PCI_DEVICE_CLASS(PCI_CLASS_STORAGE_EXPRESS, 0xffffff) },
	{ }
};
MODULE_DEVICE_TABLE(pci, nvmp_ids);

static struct pci_driver nvmp_driver = {
	.name		= "nvme",
	.id_table	= nvmp_ids,
	.probe		= nvmp_probe,
	.remove		= nvmp_remove,
	.shutdown	= nvmp_shutdown,
	.driver		= {
		.pm	= &nvmp_pm_ops,
	},
};

static int __init nvmp_init(void)
{
	BUILD_BUG_ON(offsetof(struct nvmp_iod, req) != 0);
	return pci_register_driver(&nvmp_driver);
}

static void __exit nvmp_exit(void)
{
	pci_unregister_driver(&nvmp_driver);
}

module_init(nvmp_init);
module_exit(nvmp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over PCIe host driver (out-of-tree)");
MODULE_VERSION("0.1");
