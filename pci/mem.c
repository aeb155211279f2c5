// SPDX-License-Identifier: GPL-2.0
/*
 * nvme (PCIe): memory shared between host and controller beyond the
 * queues' rings.
 *
 * Controller Memory Buffer (CMB): a window of controller memory behind a
 * BAR.  When it may hold submission queues (CMBSZ.SQS) and use_cmb_sqes
 * is set, the I/O submission queues live there: the host writes commands
 * straight into the controller, which then fetches nothing over the bus.
 * NVMe 1.4 controllers (CAP.CMBS) show CMBLOC/CMBSZ only after the host
 * sets CMBMSC.CRE, and decode the window only at the controller base
 * address written to CMBMSC with CMSE.
 *
 * Host Memory Buffer (HMB): host memory lent to a controller that asks
 * for it (Identify HMPRE), typically a DRAM-less SSD keeping its mapping
 * tables there.  The sizing arithmetic is in hmb.c.
 */
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>

#include "nvme-pci.h"
#include "hmb.h"

static bool use_cmb_sqes = true;
module_param(use_cmb_sqes, bool, 0444);
MODULE_PARM_DESC(use_cmb_sqes,
		 "place I/O submission queues in the Controller Memory Buffer when it allows (default Y)");

static unsigned int max_host_mem_size_mb = 128;
module_param(max_host_mem_size_mb, uint, 0444);
MODULE_PARM_DESC(max_host_mem_size_mb,
		 "most MiB of host memory lent per controller as Host Memory Buffer (default 128)");

/* ------------------------------------------------------------------ */
/* controller memory buffer                                           */
/* ------------------------------------------------------------------ */

static u64 nvmp_cmb_unit(u32 cmbsz)
{
	return 4096ull << (4 * NVME_CMBSZ_SZU(cmbsz));
}

/*
 * CMBMSC as QEMU and the spec want it: the upper half first, since the
 * lower half's write is what takes effect.
 */
static void nvmp_cmb_write_msc(struct nvmp_dev *dev, u64 val)
{
	writel(upper_32_bits(val), dev->bar + NVME_REG_CMBMSC + 4);
	writel(lower_32_bits(val), dev->bar + NVME_REG_CMBMSC);
}

/**
 * nvmp_cmb_map() - find the CMB and map it when submission queues go there
 * @dev: the device, BAR0 mapped
 *
 * Records CMBLOC/CMBSZ for sysfs whether or not the CMB is used.
 */
void nvmp_cmb_map(struct nvmp_dev *dev)
{
	struct pci_dev *pdev = dev->pdev;
	resource_size_t bar_len, offset;
	u64 size, unit;
	int bir;

	if (NVME_CAP_CMBS(dev->ctrl.cap))
		nvmp_cmb_write_msc(dev, NVME_CMBMSC_CRE);
	dev->cmbsz = readl(dev->bar + NVME_REG_CMBSZ);
	if (!dev->cmbsz)
		return;
	dev->cmbloc = readl(dev->bar + NVME_REG_CMBLOC);
	if (!use_cmb_sqes || !(dev->cmbsz & NVME_CMBSZ_SQS))
		return;

	unit = nvmp_cmb_unit(dev->cmbsz);
	size = unit * NVME_CMBSZ_SZ(dev->cmbsz);
	offset = unit * NVME_CMBLOC_OFST(dev->cmbloc);
	bir = NVME_CMBLOC_BIR(dev->cmbloc);
	bar_len = pci_resource_len(pdev, bir);
	/* BAR0 is the registers' (and mapped as such); 1 is its upper half */
	if (bir < 2 || bir > 5 ||
	    !(pci_resource_flags(pdev, bir) & IORESOURCE_MEM) ||
	    offset >= bar_len) {
		dev_warn(&pdev->dev, "CMB in BAR %d at %pa not usable\n", bir,
			 &offset);
		return;
	}
	size = min_t(u64, size, bar_len - offset);
	/* write-combining: commands are written whole, then the doorbell */
	dev->cmb = memremap(pci_resource_start(pdev, bir) + offset, size,
			    MEMREMAP_WC);
	if (!dev->cmb) {
		dev_warn(&pdev->dev, "CMB mapping failed\n");
		return;
	}
	dev->cmb_size = size;
	dev->cmb_bus = pci_bus_address(pdev, bir) + offset;
	dev_info(&pdev->dev, "CMB of %llu KiB for submission queues\n",
		 size >> 10);
}

/**
 * nvmp_cmb_program() - let the controller decode its CMB (every bring-up)
 * @dev: the device, controller disabled
 *
 * A function reset may clear CMBMSC; writing it again is harmless.
 */
void nvmp_cmb_program(struct nvmp_dev *dev)
{
	if (!NVME_CAP_CMBS(dev->ctrl.cap) || !dev->cmbsz)
		return;
	if (dev->cmb)
		nvmp_cmb_write_msc(dev, NVME_CMBMSC_CRE | NVME_CMBMSC_CMSE |
				   (dev->cmb_bus & NVME_CMBMSC_CBA_MASK));
	else
		nvmp_cmb_write_msc(dev, NVME_CMBMSC_CRE);
}

/**
 * nvmp_cmb_place_sq() - put an I/O submission queue into the CMB
 * @dev: the device
 * @q: the queue, qid set
 * @bytes: ring size
 *
 * Every queue has a fixed page-aligned slot, (qid - 1) rings from the
 * start, so a queue keeps its place across resets.
 *
 * Return: true when @q->sqes and @q->sq_dma now point into the CMB.
 */
bool nvmp_cmb_place_sq(struct nvmp_dev *dev, struct nvmp_queue *q,
		       size_t bytes)
{
	size_t slot = ALIGN(bytes, NVMP_CTRL_PAGE);
	u64 off = (u64)(q->qid - 1) * slot;

	if (!dev->cmb || !q->qid || off + bytes > dev->cmb_size)
		return false;
	q->sqes = dev->cmb + off;
	q->sq_dma = dev->cmb_bus + off;
	q->sq_cmb = true;
	return true;
}

/**
 * nvmp_cmb_unmap() - release the CMB mapping
 * @dev: the device, no queue in the CMB is live
 */
void nvmp_cmb_unmap(struct nvmp_dev *dev)
{
	if (!dev->cmb)
		return;
	memunmap(dev->cmb);
	dev->cmb = NULL;
	dev->cmb_size = 0;
}

/* ------------------------------------------------------------------ */
/* host memory buffer                                                 */
/* ------------------------------------------------------------------ */

static int nvmp_hmb_feature(struct nvmp_dev *dev, u32 flags)
{
	struct nvme_sqe c = {
		.opc = NVME_ADM_SET_FEATURES,
		.cdw10 = cpu_to_le32(NVME_FEAT_HOST_MEM_BUF),
	};
	struct nvme_hmb_cmd hc;

	nvme_hmb_build_cmd(&hc, dev->hmb_descs_dma, dev->hmb_nr,
			   dev->hmb_size, NVMP_CTRL_PAGE, flags);
	c.cdw11 = cpu_to_le32(hc.dw[0]);
	c.cdw12 = cpu_to_le32(hc.dw[1]);
	c.cdw13 = cpu_to_le32(hc.dw[2]);
	c.cdw14 = cpu_to_le32(hc.dw[3]);
	c.cdw15 = cpu_to_le32(hc.dw[4]);
	return nvme_submit_sync_cmd(dev->ctrl.admin_q, &c, NULL, 0);
}

static void nvmp_hmb_release(struct nvmp_dev *dev)
{
	struct device *d = &dev->pdev->dev;
	u32 i;

	for (i = 0; i < dev->hmb_nr; i++)
		dma_free_attrs(d, (size_t)le32_to_cpu(dev->hmb_descs[i].size) *
			       NVMP_CTRL_PAGE, dev->hmb_bufs[i],
			       le64_to_cpu(dev->hmb_descs[i].addr),
			       DMA_ATTR_NO_KERNEL_MAPPING);
	if (dev->hmb_descs)
		dma_free_coherent(d, NVME_HMB_MAX_DESC * sizeof(*dev->hmb_descs),
				  dev->hmb_descs, dev->hmb_descs_dma);
	kfree(dev->hmb_bufs);
	dev->hmb_descs = NULL;
	dev->hmb_bufs = NULL;
	dev->hmb_nr = 0;
	dev->hmb_size = 0;
}

/* one try at @target bytes in @chunk sized pieces; at least l->min */
static int nvmp_hmb_alloc(struct nvmp_dev *dev,
			  const struct nvme_hmb_limits *l, u64 target,
			  u64 chunk)
{
	struct device *d = &dev->pdev->dev;
	u32 n = nvme_hmb_nr_chunks(l, target, chunk);
	u64 len;

	dev->hmb_descs = dma_alloc_coherent(d, NVME_HMB_MAX_DESC *
					    sizeof(*dev->hmb_descs),
					    &dev->hmb_descs_dma, GFP_KERNEL);
	dev->hmb_bufs = kcalloc(n, sizeof(*dev->hmb_bufs), GFP_KERNEL);
	if (!dev->hmb_descs || !dev->hmb_bufs)
		goto fail;
	while (dev->hmb_nr < n) {
		dma_addr_t dma;
		void *buf;

		len = nvme_hmb_chunk_len(l, target, dev->hmb_size, chunk);
		if (!len)
			break;
		buf = dma_alloc_attrs(d, len, &dma, GFP_KERNEL,
				      DMA_ATTR_NO_KERNEL_MAPPING |
				      DMA_ATTR_NO_WARN);
		if (!buf)
			break;
		dev->hmb_bufs[dev->hmb_nr] = buf;
		nvme_hmb_set_desc(&dev->hmb_descs[dev->hmb_nr], dma, len,
				  NVMP_CTRL_PAGE);
		dev->hmb_nr++;
		dev->hmb_size += len;
	}
	if (dev->hmb_nr && dev->hmb_size >= l->min)
		return 0;
fail:
	nvmp_hmb_release(dev);
	return -ENOMEM;
}

static int nvmp_hmb_build(struct nvmp_dev *dev,
			  const struct nvme_hmb_limits *l)
{
	u64 max_chunk = PAGE_SIZE << (MAX_ORDER - 1);
	u64 target = l->preferred;
	u64 chunk;

	for (;;) {
		for (chunk = nvme_hmb_first_chunk(l, target, max_chunk); chunk;
		     chunk = nvme_hmb_next_chunk(l, chunk))
			if (!nvmp_hmb_alloc(dev, l, target, chunk))
				return 0;
		/* the minimum may fit where the preferred size did not */
		if (!l->min || target == l->min)
			return -ENOMEM;
		target = l->min;
	}
}

/* the caller holds hmb_lock */
static int nvmp_hmb_enable(struct nvmp_dev *dev)
{
	struct nvme_hmb_limits l;
	u32 flags = NVME_HOST_MEM_ENABLE;
	int ret;

	ret = nvme_hmb_limits(&l, dev->ctrl.hmpre, dev->ctrl.hmmin,
			      dev->ctrl.hmminds, dev->ctrl.hmmaxd,
			      (u64)max_host_mem_size_mb << 20,
			      NVMP_CTRL_PAGE);
	if (ret) {
		nvmp_hmb_release(dev);
		return 0;	/* none wanted, or not within our limit */
	}
	/* a buffer from before a reset still fits: hand the same one back */
	if (dev->hmb_descs && dev->hmb_size >= l.min &&
	    dev->hmb_nr <= l.max_desc)
		flags |= NVME_HOST_MEM_RETURN;
	else
		nvmp_hmb_release(dev);

	if (!dev->hmb_descs) {
		ret = nvmp_hmb_build(dev, &l);
		if (ret) {
			dev_warn(dev->ctrl.dev, "no memory for a host memory buffer\n");
			return ret;
		}
	}
	ret = nvmp_hmb_feature(dev, flags);
	if (ret) {
		dev_warn(dev->ctrl.dev, "enabling the host memory buffer failed (%d)\n",
			 ret);
		nvmp_hmb_release(dev);
		return ret > 0 ? -EIO : ret;
	}
	dev->hmb = true;
	if (!(flags & NVME_HOST_MEM_RETURN))
		dev_info(dev->ctrl.dev, "host memory buffer of %llu KiB in %u chunks\n",
			 dev->hmb_size >> 10, dev->hmb_nr);
	return 0;
}

/**
 * nvmp_hmb_setup() - read the controller's wishes, give it its buffer
 * @dev: the device, admin queue live, I/O queues not yet created
 *
 * Called on every bring-up: a controller reset drops the buffer, so it is
 * handed back (with Memory Return set when it is the same one).  Failure
 * only costs performance: the controller must work without it.
 */
void nvmp_hmb_setup(struct nvmp_dev *dev)
{
	bool had = dev->hmb_wanted;

	/* nvme_init_ctrl_finish() has just read Identify Controller */
	dev->hmb_wanted = dev->ctrl.hmpre;
	if (had != dev->hmb_wanted)
		sysfs_update_group(&dev->ctrl.cdev_device.kobj,
				   &nvmp_attr_group);

	mutex_lock(&dev->hmb_lock);
	dev->hmb = false;	/* the reset took it away */
	if (dev->hmb_wanted)
		nvmp_hmb_enable(dev);
	mutex_unlock(&dev->hmb_lock);
}

/**
 * nvmp_hmb_disable() - take the buffer away from the controller
 * @dev: the device, admin queue working
 *
 * Before an orderly shutdown (removal, suspend, power off).  The buffer
 * stays allocated: a later bring-up returns it.
 */
void nvmp_hmb_disable(struct nvmp_dev *dev)
{
	mutex_lock(&dev->hmb_lock);
	if (dev->hmb && !nvmp_hmb_feature(dev, 0))
		dev->hmb = false;
	mutex_unlock(&dev->hmb_lock);
}

/**
 * nvmp_hmb_free() - free the buffer
 * @dev: the device, controller disabled
 */
void nvmp_hmb_free(struct nvmp_dev *dev)
{
	mutex_lock(&dev->hmb_lock);
	dev->hmb = false;
	nvmp_hmb_release(dev);
	mutex_unlock(&dev->hmb_lock);
}

/* ------------------------------------------------------------------ */
/* sysfs: /sys/class/nvme/nvmeN/{cmb,cmbloc,cmbsz,hmb}                 */
/* ------------------------------------------------------------------ */

static struct nvmp_dev *nvmp_from_cdev(struct device *d)
{
	return to_nvmp(container_of(d, struct nvme_ctrl, cdev_device));
}

static ssize_t cmb_show(struct device *d, struct device_attribute *attr,
			char *buf)
{
	struct nvmp_dev *dev = nvmp_from_cdev(d);

	return sysfs_emit(buf, "cmbloc : x%08x\ncmbsz  : x%08x\n",
			  dev->cmbloc, dev->cmbsz);
}
static DEVICE_ATTR_RO(cmb);

static ssize_t cmbloc_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", nvmp_from_cdev(d)->cmbloc);
}
static DEVICE_ATTR_RO(cmbloc);

static ssize_t cmbsz_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", nvmp_from_cdev(d)->cmbsz);
}
static DEVICE_ATTR_RO(cmbsz);

static ssize_t hmb_show(struct device *d, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", nvmp_from_cdev(d)->hmb);
}

static ssize_t hmb_store(struct device *d, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct nvmp_dev *dev = nvmp_from_cdev(d);
	bool on;
	int ret = 0;

	if (kstrtobool(buf, &on))
		return -EINVAL;
	if (nvme_ctrl_state(&dev->ctrl) != NVME_CTRL_LIVE)
		return -EBUSY;
	mutex_lock(&dev->hmb_lock);
	if (on && !dev->hmb) {
		ret = nvmp_hmb_enable(dev);
	} else if (!on && dev->hmb) {
		ret = nvmp_hmb_feature(dev, 0);
		if (ret > 0)
			ret = -EIO;
		if (!ret) {
			dev->hmb = false;
			nvmp_hmb_release(dev);
		}
	}
	mutex_unlock(&dev->hmb_lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(hmb);

static struct attribute *nvmp_attrs[] = {
	&dev_attr_cmb.attr,
	&dev_attr_cmbloc.attr,
	&dev_attr_cmbsz.attr,
	&dev_attr_hmb.attr,
	NULL,
};

static umode_t nvmp_attr_visible(struct kobject *kobj, struct attribute *a,
				 int n)
{
	struct nvmp_dev *dev = nvmp_from_cdev(kobj_to_dev(kobj));

	if (a == &dev_attr_hmb.attr)
		return dev->hmb_wanted ? a->mode : 0;
	return dev->cmbsz ? a->mode : 0;
}

const struct attribute_group nvmp_attr_group = {
	.attrs		= nvmp_attrs,
	.is_visible	= nvmp_attr_visible,
};
