// SPDX-License-Identifier: GPL-2.0
/*
 * Temperatures for hwmon (lm-sensors): the composite temperature and up
 * to eight sensors from the SMART / Health log, their over and under
 * thresholds (Temperature Threshold feature, writable) and the critical
 * composite temperature from Identify Controller.  The device hangs off
 * /dev/nvmeN's class device, as with Linux's driver, so "sensors" finds
 * it under the same name ("nvme").
 *
 * Each read asks the controller; values are not cached.  A controller
 * that cannot return the log when it comes up gets no hwmon device.
 */
#include <linux/hwmon.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "nvme.h"

#define NVME_HWMON_SENSORS	8

/* Temperature Threshold (feature 04h) dword 11 */
#define NVME_TMPTH_MASK		0xffff
#define NVME_TMPTH_SEL(ch)	((u32)(ch) << 16)	/* 0 composite, 1-8 */
#define NVME_TMPTH_UNDER	BIT(20)			/* else over */

/**
 * struct nvme_hwmon - the hwmon device of one controller
 * @ctrl: the controller
 * @dev: the registered hwmon device
 * @lock: serialises use of @log
 * @log: DMA-able buffer for the SMART log
 * @sensors: bit n set when sensor n+1 reported a temperature at start
 */
struct nvme_hwmon {
	struct nvme_ctrl *ctrl;
	struct device *dev;
	struct mutex lock;	/* @log */
	struct nvme_smart_log *log;
	unsigned long sensors;
};

static long nvme_kelvin_to_mc(u32 k)
{
	return (long)k * 1000 - 273150;
}

static u16 nvme_mc_to_kelvin(long mc)
{
	mc = clamp_val(mc, -273150, (long)NVME_TMPTH_MASK * 1000 - 273150);
	return DIV_ROUND_CLOSEST(mc + 273150, 1000);
}

/* the log's temperature of @channel, or its critical warning byte */
static int nvme_hwmon_log(struct nvme_hwmon *h, int channel, bool warning,
			  u32 *val)
{
	int ret;

	mutex_lock(&h->lock);
	ret = nvme_get_log(h->ctrl, NVME_NSID_ALL, NVME_LOG_SMART, 0, h->log,
			   sizeof(*h->log), 0);
	if (ret)
		ret = ret > 0 ? -EIO : ret;
	else if (warning)
		*val = h->log->critical_warning;
	else if (channel)
		*val = le16_to_cpu(h->log->temp_sensor[channel - 1]);
	else
		*val = get_unaligned_le16(h->log->composite_temp);
	mutex_unlock(&h->lock);
	return ret;
}

static int nvme_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			   u32 attr, int channel, long *val)
{
	struct nvme_hwmon *h = dev_get_drvdata(dev);
	u32 v, dw11 = NVME_TMPTH_SEL(channel);
	int ret;

	switch (attr) {
	case hwmon_temp_input:
		/* a composite of 0 K reads as such, as on Linux's driver */
		ret = nvme_hwmon_log(h, channel, false, &v);
		if (!ret)
			*val = nvme_kelvin_to_mc(v);
		return ret;
	case hwmon_temp_alarm:
		ret = nvme_hwmon_log(h, 0, true, &v);
		if (!ret)
			*val = !!(v & NVME_SMART_CRIT_TEMPERATURE);
		return ret;
	case hwmon_temp_crit:
		*val = nvme_kelvin_to_mc(h->ctrl->cctemp);
		return 0;
	case hwmon_temp_min:
		dw11 |= NVME_TMPTH_UNDER;
		fallthrough;
	case hwmon_temp_max:
		ret = nvme_get_features(h->ctrl, NVME_FEAT_TEMP_THRESH, dw11, &v);
		if (ret)
			return ret > 0 ? -EIO : ret;
		*val = nvme_kelvin_to_mc(v & NVME_TMPTH_MASK);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int nvme_hwmon_write(struct device *dev, enum hwmon_sensor_types type,
			    u32 attr, int channel, long val)
{
	struct nvme_hwmon *h = dev_get_drvdata(dev);
	u32 dw11 = NVME_TMPTH_SEL(channel) | nvme_mc_to_kelvin(val);
	int ret;

	if (attr == hwmon_temp_min)
		dw11 |= NVME_TMPTH_UNDER;
	else if (attr != hwmon_temp_max)
		return -EOPNOTSUPP;
	ret = nvme_set_features(h->ctrl, NVME_FEAT_TEMP_THRESH, dw11, NULL);
	return ret > 0 ? -EIO : ret;
}

static const char * const nvme_hwmon_labels[] = {
	"Composite", "Sensor 1", "Sensor 2", "Sensor 3", "Sensor 4",
	"Sensor 5", "Sensor 6", "Sensor 7", "Sensor 8",
};

static int nvme_hwmon_read_string(struct device *dev,
				  enum hwmon_sensor_types type, u32 attr,
				  int channel, const char **str)
{
	*str = nvme_hwmon_labels[channel];
	return 0;
}

static umode_t nvme_hwmon_visible(const void *data,
				  enum hwmon_sensor_types type, u32 attr,
				  int channel)
{
	const struct nvme_hwmon *h = data;

	if (channel && !test_bit(channel - 1, &h->sensors))
		return 0;
	switch (attr) {
	case hwmon_temp_input:
	case hwmon_temp_label:
		return 0444;
	case hwmon_temp_min:
	case hwmon_temp_max:
		/*
		 * A controller without a warning threshold (fabrics targets
		 * report WCTEMP 0) has no composite threshold to show; its
		 * Get Features would only fail and fill its error log.
		 */
		return !channel && !h->ctrl->wctemp ? 0 : 0644;
	case hwmon_temp_alarm:
		return channel ? 0 : 0444;
	case hwmon_temp_crit:
		return !channel && h->ctrl->cctemp ? 0444 : 0;
	default:
		return 0;
	}
}

#define NVME_HWMON_SENSOR	(HWMON_T_INPUT | HWMON_T_LABEL | \
				 HWMON_T_MIN | HWMON_T_MAX)

static const struct hwmon_channel_info *nvme_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp,
			   NVME_HWMON_SENSOR | HWMON_T_CRIT | HWMON_T_ALARM,
			   NVME_HWMON_SENSOR, NVME_HWMON_SENSOR,
			   NVME_HWMON_SENSOR, NVME_HWMON_SENSOR,
			   NVME_HWMON_SENSOR, NVME_HWMON_SENSOR,
			   NVME_HWMON_SENSOR, NVME_HWMON_SENSOR),
	NULL
};

static const struct hwmon_ops nvme_hwmon_ops = {
	.is_visible = nvme_hwmon_visible,
	.read = nvme_hwmon_read,
	.read_string = nvme_hwmon_read_string,
	.write = nvme_hwmon_write,
};

static const struct hwmon_chip_info nvme_hwmon_chip = {
	.ops = &nvme_hwmon_ops,
	.info = nvme_hwmon_info,
};

/**
 * nvme_hwmon_init() - register the controller's hwmon device
 * @ctrl: an I/O controller that has just been identified
 *
 * Failures are not the controller's: it works on without temperatures.
 */
void nvme_hwmon_init(struct nvme_ctrl *ctrl)
{
	struct device *dev;
	struct nvme_hwmon *h;
	int i;

	if (nvme_ctrl_is_discovery(ctrl))
		return;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return;
	h->log = kzalloc(sizeof(*h->log), GFP_KERNEL);
	if (!h->log)
		goto out_free;
	h->ctrl = ctrl;
	mutex_init(&h->lock);
	if (nvme_get_log(ctrl, NVME_NSID_ALL, NVME_LOG_SMART, 0, h->log,
			 sizeof(*h->log), 0))
		goto out_free;
	for (i = 0; i < NVME_HWMON_SENSORS; i++)
		if (h->log->temp_sensor[i])
			__set_bit(i, &h->sensors);

	dev = hwmon_device_register_with_info(&ctrl->cdev_device, "nvme", h,
					      &nvme_hwmon_chip, NULL);
	if (IS_ERR(dev)) {
		dev_warn(ctrl->dev, "no hwmon device (%ld)\n", PTR_ERR(dev));
		goto out_free;
	}
	h->dev = dev;
	ctrl->hwmon = h;
	return;
out_free:
	kfree(h->log);
	kfree(h);
}

/**
 * nvme_hwmon_exit() - unregister it; no callback runs after this returns
 * @ctrl: the controller, its admin queue still working
 */
void nvme_hwmon_exit(struct nvme_ctrl *ctrl)
{
	struct nvme_hwmon *h = ctrl->hwmon;

	if (!h)
		return;
	ctrl->hwmon = NULL;
	hwmon_device_unregister(h->dev);
	mutex_destroy(&h->lock);
	kfree(h->log);
	kfree(h);
}
