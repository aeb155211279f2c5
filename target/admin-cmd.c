// SPDX-License-Identifier: GPL-2.0
/*
 * Admin commands of NVM and discovery controllers: Identify, Get Log Page,
 * Set/Get Features, Keep Alive, Asynchronous Event Request and Abort.
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/slab.h>
#include <linux/blkdev.h>
#include <generated/utsrelease.h>
#include <linux/part_stat.h>
#include <asm/unaligned.h>
#include "nvmet.h"

#define NVMET_SMART_LOG_SIZE	512
#define NVMET_FW_LOG_SIZE	512
#define NVMET_EFFECTS_LOG_SIZE	4096

/* Commands Supported and Effects log bits */
#define NVMET_CSE_CSUPP		BIT(0)
#define NVMET_CSE_LBCC		BIT(1)	/* logical block content change */

static u8 nvmet_ctrl_mdts(struct nvmet_ctrl *ctrl)
{
	if (ctrl->ops->get_mdts)
		return ctrl->ops->get_mdts(ctrl);
	return NVMET_MDTS_DEFAULT;
}

static void nvmet_fill_fr(u8 *fr, size_t len, struct nvmet_subsys *subsys)
{
	nvmet_copy_padded(fr, len, UTS_RELEASE, ' ');
}

/* ---- Identify ---- */

static void nvmet_id_ctrl_common(struct nvmet_ctrl *ctrl,
				 struct nvme_id_ctrl *id)
{
	struct nvmet_subsys *subsys = ctrl->subsys;
	u32 sgls = NVME_SGLS_NO_ALIGN;

	nvmet_copy_padded(id->sn, sizeof(id->sn), subsys->serial, ' ');
	nvmet_copy_padded(id->mn, sizeof(id->mn), subsys->model, ' ');
	nvmet_fill_fr(id->fr, sizeof(id->fr), subsys);
	id->rab = 6;
	id->mdts = nvmet_ctrl_mdts(ctrl);
	id->cntlid = cpu_to_le16(ctrl->cntlid);
	id->ver = cpu_to_le32(subsys->ver);
	id->ctratt = cpu_to_le32(BIT(0));	/* 128 bit host identifier */
	id->acl = 3;
	id->aerl = NVMET_AERL - 1;
	id->frmw = 0x3;				/* one slot, read only */
	id->lpa = NVME_LPA_CMD_EFFECTS | NVME_LPA_EXTENDED_DATA;
	id->elpe = NVMET_ERR_SLOTS - 1;
	id->npss = 0;
	id->kas = cpu_to_le16(NVMET_KAS);
	id->sqes = (NVME_SQE_SHIFT << 4) | NVME_SQE_SHIFT;
	id->cqes = (NVME_CQE_SHIFT << 4) | NVME_CQE_SHIFT;
	id->maxcmd = cpu_to_le16(NVMET_MAX_CMD);
	if (ctrl->ops->flags & NVMET_OPS_KEYED_SGLS)
		sgls |= NVME_SGLS_KEYED;
	if (ctrl->inline_data_size)
		sgls |= NVME_SGLS_OFFSET;
	id->sgls = cpu_to_le32(sgls);
	nvmet_copy_padded(id->subnqn, sizeof(id->subnqn), subsys->subsysnqn, 0);
	/* capsule sizes in 16 byte units; no in-capsule data offset */
	id->ioccsz = cpu_to_le32((sizeof(struct nvme_sqe) +
				  ctrl->inline_data_size) / 16);
	id->iorcsz = cpu_to_le32(sizeof(struct nvme_cqe) / 16);
	id->icdoff = 0;
	id->fcatt = 0;				/* dynamic controller model */
	id->msdbd = (u8)ctrl->ops->msdbd;
	/* one operational power state: no power figures */
	id->psd[0].entry_lat = 0;
	id->psd[0].exit_lat = 0;
}

static void nvmet_execute_identify_ctrl(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvme_id_ctrl *id;
	u16 status;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}
	nvmet_id_ctrl_common(ctrl, id);
	WRITE_ONCE(ctrl->subsys->discovered, true);
	if (nvmet_is_disc(ctrl)) {
		id->cntrltype = NVME_CTRL_TYPE_DISC;
		id->oaes = cpu_to_le32(NVME_OAES_DISC_CHANGE);
		id->nn = 0;
	} else {
		id->cntrltype = NVME_CTRL_TYPE_IO;
		/* a subsystem may have several ports, controllers, paths */
		id->cmic = NVME_CTRL_CMIC_MULTI_PORT |
			NVME_CTRL_CMIC_MULTI_CTRL | NVME_CTRL_CMIC_ANA;
		id->oaes = cpu_to_le32(NVME_OAES_NS_ATTR |
				       NVME_OAES_ANA_CHANGE);
		/* reports all five states; groups change at runtime */
		id->anacap = 0x1f;
		id->anatt = NVMET_ANATT;
		id->anagrpmax = cpu_to_le32(NVMET_MAX_ANAGRPS);
		id->nanagrpid = cpu_to_le32(NVMET_MAX_ANAGRPS);
		id->nn = cpu_to_le32(NVMET_MAX_NAMESPACES);
		id->mnan = cpu_to_le32(NVMET_MAX_NAMESPACES);
		id->oncs = cpu_to_le16(NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES);
		id->vwc = NVME_VWC_PRESENT;
	}
	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
	nvmet_req_complete(req, status);
}

/* EUI-64 derived from the NGUID, so both stay stable and consistent. */
static bool nvmet_ns_eui64(const struct nvmet_ns *ns, u8 *eui)
{
	static const u8 zero[16];
	int i;

	if (!memcmp(ns->nguid, zero, sizeof(zero)))
		return false;
	for (i = 0; i < 8; i++)
		eui[i] = ns->nguid[i] ^ ns->nguid[i + 8];
	return true;
}

static u16 nvmet_check_nsid(struct nvmet_req *req, u32 nsid)
{
	if (!nsid || nsid > NVMET_MAX_NAMESPACES) {
		req->error_loc = offsetof(struct nvme_sqe, nsid);
		return NVMET_ERR(NVME_SC_INVALID_NS);
	}
	return 0;
}

static void nvmet_execute_identify_ns(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 nsid = le32_to_cpu(req->cmd->nsid);
	struct nvme_id_ns *id;
	struct nvmet_ns *ns;
	u16 status;
	u64 nsze;

	status = nvmet_check_nsid(req, nsid);
	if (status)
		goto out;
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id) {
		status = NVME_SC_INTERNAL;
		goto out;
	}
	/* an inactive namespace reads as all zeroes */
	ns = nvmet_find_ns(ctrl, req->cmd->nsid);
	if (ns) {
		nsze = (u64)ns->size >> ns->blksize_shift;
		id->nsze = cpu_to_le64(nsze);
		id->ncap = id->nsze;
		/* no use to report through a port that cannot reach the data */
		if (!nvmet_ana_unreachable(ctrl, ns))
			id->nuse = id->nsze;
		id->nsfeat = NVME_NSFEAT_THIN;	/* deallocate is supported */
		id->nlbaf = 0;
		id->flbas = 0;
		id->nmic = NVME_NMIC_SHARED;
		id->anagrpid = cpu_to_le32(READ_ONCE(ns->anagrpid));
		id->lbaf[0].ds = ns->blksize_shift;
		memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
		nvmet_ns_eui64(ns, id->eui64);
		if (ns->bdev)
			nvmet_bdev_set_id_ns(ns, id);
		nvmet_put_ns(ns);
	}
	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
out:
	nvmet_req_complete(req, status);
}

static void nvmet_execute_identify_nslist(struct nvmet_req *req)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	u32 min = le32_to_cpu(req->cmd->nsid);
	unsigned long idx;
	struct nvmet_ns *ns;
	unsigned int n = 0;
	__le32 *list;
	u16 status;

	if (min >= 0xfffffffeu) {
		req->error_loc = offsetof(struct nvme_sqe, nsid);
		nvmet_req_complete(req, NVMET_ERR(NVME_SC_INVALID_NS));
		return;
	}
	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!list) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}
	rcu_read_lock();
	xa_for_each_start(&subsys->namespaces, idx, ns, (unsigned long)min + 1) {
		list[n++] = cpu_to_le32((u32)idx);
		if (n == NVME_NSLIST_ENTRIES)
			break;
	}
	rcu_read_unlock();
	status = nvmet_copy_to_sgl(req, 0, list, NVME_IDENTIFY_DATA_SIZE);
	kfree(list);
	nvmet_req_complete(req, status);
}

static size_t nvmet_put_desc(u8 *buf, size_t off, u8 type, const void *v,
			     u8 len)
{
	struct nvme_ns_id_desc *d = (struct nvme_ns_id_desc *)(buf + off);

	d->nidt = type;
	d->nidl = len;
	memcpy(d + 1, v, len);
	return off + sizeof(*d) + len;
}

static void nvmet_execute_identify_desclist(struct nvmet_req *req)
{
	u32 nsid = le32_to_cpu(req->cmd->nsid);
	static const u8 zero[16];
	struct nvmet_ns *ns;
	size_t off = 0;
	u8 eui[8], csi = NVME_CSI_NVM;
	u16 status;
	u8 *buf;

	status = nvmet_check_nsid(req, nsid);
	if (status)
		goto out;
	ns = nvmet_find_ns(req->sq->ctrl, req->cmd->nsid);
	if (!ns) {
		req->error_loc = offsetof(struct nvme_sqe, nsid);
		status = NVMET_ERR(NVME_SC_INVALID_NS);
		goto out;
	}
	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf) {
		nvmet_put_ns(ns);
		status = NVME_SC_INTERNAL;
		goto out;
	}
	if (nvmet_ns_eui64(ns, eui))
		off = nvmet_put_desc(buf, off, NVME_NIDT_EUI64, eui, 8);
	if (memcmp(ns->nguid, zero, sizeof(zero)))
		off = nvmet_put_desc(buf, off, NVME_NIDT_NGUID, ns->nguid, 16);
	if (!uuid_is_null(&ns->uuid))
		off = nvmet_put_desc(buf, off, NVME_NIDT_UUID, &ns->uuid, 16);
	nvmet_put_desc(buf, off, NVME_NIDT_CSI, &csi, 1);
	nvmet_put_ns(ns);
	status = nvmet_copy_to_sgl(req, 0, buf, NVME_IDENTIFY_DATA_SIZE);
	kfree(buf);
out:
	nvmet_req_complete(req, status);
}

/* Command set specific structures of the NVM set: no limits, all zero. */
static void nvmet_execute_identify_zero(struct nvmet_req *req)
{
	nvmet_req_complete(req, nvmet_zero_sgl(req, 0, NVME_IDENTIFY_DATA_SIZE));
}

static u16 nvmet_parse_identify(struct nvmet_req *req, bool disc)
{
	u32 cdw10 = nvmet_cdw(req, 10), cdw11 = nvmet_cdw(req, 11);

	req->data_len = NVME_IDENTIFY_DATA_SIZE;
	switch (NVME_IDENTIFY_CNS(cdw10)) {
	case NVME_CNS_CTRL:
		req->execute = nvmet_execute_identify_ctrl;
		return 0;
	case NVME_CNS_NS:
		if (disc)
			break;
		req->execute = nvmet_execute_identify_ns;
		return 0;
	case NVME_CNS_ACTIVE_NS_LIST:
		if (disc)
			break;
		req->execute = nvmet_execute_identify_nslist;
		return 0;
	case NVME_CNS_NS_DESC_LIST:
		if (disc)
			break;
		req->execute = nvmet_execute_identify_desclist;
		return 0;
	case NVME_CNS_CS_CTRL:
		if (disc || NVME_IDENTIFY_CSI(cdw11) != NVME_CSI_NVM)
			break;
		req->execute = nvmet_execute_identify_zero;
		return 0;
	default:
		break;
	}
	req->error_loc = offsetof(struct nvme_sqe, cdw10);
	return NVMET_ERR(NVME_SC_INVALID_FIELD);
}

/* ---- Get Log Page ---- */

static u16 nvmet_log_to_sgl(struct nvmet_req *req, const void *log,
			    size_t log_len)
{
	struct nvmet_log_window w;
	u16 status;
	void *buf;

	status = nvmet_log_window(nvmet_cdw(req, 10), nvmet_cdw(req, 11),
				  nvmet_cdw(req, 12), nvmet_cdw(req, 13), &w);
	if (status)
		return status;
	buf = kvmalloc(w.len, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;
	nvmet_log_copy(buf, &w, log, log_len);
	status = nvmet_copy_to_sgl(req, 0, buf, w.len);
	kvfree(buf);
	return status;
}

/* Error Information: the newest entry first, then zeroes */
static void nvmet_fill_err_log(struct nvmet_ctrl *ctrl,
			       struct nvme_err_log_entry *out)
{
	unsigned long flags;
	u64 i, n;

	BUILD_BUG_ON(NVMET_ERR_SLOTS * sizeof(*out) > NVMET_EFFECTS_LOG_SIZE);
	spin_lock_irqsave(&ctrl->err_lock, flags);
	n = min_t(u64, ctrl->err_count, NVMET_ERR_SLOTS);
	for (i = 0; i < n; i++)
		out[i] = ctrl->err_log[(ctrl->err_count - 1 - i) %
				       NVMET_ERR_SLOTS];
	spin_unlock_irqrestore(&ctrl->err_lock, flags);
}

/*
 * SMART data units and commands: the block namespaces' disk statistics
 * (file namespaces count nothing).  A data unit is a thousand 512-byte
 * units, rounded up.
 */
static void nvmet_smart_counters(struct nvmet_subsys *subsys,
				 struct nvme_smart_log *log)
{
	u64 sect[2] = {}, cmds[2] = {};
	struct nvmet_ns *ns;
	unsigned long idx;
	int d;

	rcu_read_lock();
	xa_for_each(&subsys->namespaces, idx, ns) {
		if (!ns->bdev || !percpu_ref_tryget_live(&ns->ref))
			continue;
		for (d = STAT_READ; d <= STAT_WRITE; d++) {
			sect[d] += part_stat_read(ns->bdev, sectors[d]);
			cmds[d] += part_stat_read(ns->bdev, ios[d]);
		}
		percpu_ref_put(&ns->ref);
	}
	rcu_read_unlock();
	for (d = STAT_READ; d <= STAT_WRITE; d++) {
		put_unaligned_le64(DIV_ROUND_UP_ULL(sect[d], 1000),
				   log->counters[d]);
		put_unaligned_le64(cmds[d], log->counters[2 + d]);
	}
}

static void nvmet_execute_get_log(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u8 lid = NVME_GLP_LID(nvmet_cdw(req, 10));
	u32 nsid = le32_to_cpu(req->cmd->nsid);
	u16 status;
	u8 *log;

	log = kzalloc(NVMET_EFFECTS_LOG_SIZE, GFP_KERNEL);
	if (!log) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}
	switch (lid) {
	case NVME_LOG_ERROR:
		nvmet_fill_err_log(ctrl, (struct nvme_err_log_entry *)log);
		status = nvmet_log_to_sgl(req, log, NVMET_ERR_SLOTS *
					  sizeof(struct nvme_err_log_entry));
		break;
	case NVME_LOG_SMART:
		if (nsid && nsid != NVME_NSID_ALL) {
			req->error_loc = offsetof(struct nvme_sqe, nsid);
			status = NVMET_ERR(NVME_SC_INVALID_FIELD);
			break;
		}
		log[3] = 100;	/* available spare */
		log[4] = 10;	/* available spare threshold */
		nvmet_smart_counters(ctrl->subsys, (struct nvme_smart_log *)log);
		status = nvmet_log_to_sgl(req, log, NVMET_SMART_LOG_SIZE);
		break;
	case NVME_LOG_FW_SLOT:
		log[0] = 1;	/* slot 1 active */
		nvmet_fill_fr(log + 8, 8, ctrl->subsys);
		status = nvmet_log_to_sgl(req, log, NVMET_FW_LOG_SIZE);
		break;
	/*
	 * The notices are re-armed before the snapshot is taken: a change
	 * that lands after the snapshot must raise a new one.
	 */
	case NVME_LOG_CHANGED_NS:
		nvmet_clear_aen(req, NVME_AEC_NS_ATTR);
		mutex_lock(&ctrl->lock);
		memcpy(log, ctrl->changed_ns, ctrl->nr_changed_ns * 4);
		ctrl->nr_changed_ns = 0;
		mutex_unlock(&ctrl->lock);
		status = nvmet_log_to_sgl(req, log, NVMET_MAX_CHANGED_NS * 4);
		break;
	case NVME_LOG_ANA: {
		bool rgo = (nvmet_cdw(req, 10) >> 8) & NVME_ANA_LOG_RGO;
		size_t len;
		void *ana;

		nvmet_clear_aen(req, NVME_AEC_ANA_CHANGE);
		ana = nvmet_ana_log_build(req, rgo, &len);
		status = ana ? nvmet_log_to_sgl(req, ana, len) :
			NVME_SC_INTERNAL;
		kvfree(ana);
		break;
	}
	case NVME_LOG_CMD_EFFECTS: {
		__le32 *acs = (__le32 *)log, *iocs = acs + 256;
		static const u8 admin[] = {
			NVME_ADM_GET_LOG_PAGE, NVME_ADM_IDENTIFY, NVME_ADM_ABORT,
			NVME_ADM_SET_FEATURES, NVME_ADM_GET_FEATURES,
			NVME_ADM_ASYNC_EVENT, NVME_ADM_KEEP_ALIVE,
		};
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(admin); i++)
			acs[admin[i]] = cpu_to_le32(NVMET_CSE_CSUPP);
		iocs[NVME_IO_READ] = cpu_to_le32(NVMET_CSE_CSUPP);
		iocs[NVME_IO_FLUSH] = cpu_to_le32(NVMET_CSE_CSUPP);
		iocs[NVME_IO_WRITE] = cpu_to_le32(NVMET_CSE_CSUPP | NVMET_CSE_LBCC);
		iocs[NVME_IO_WRITE_ZEROES] =
			cpu_to_le32(NVMET_CSE_CSUPP | NVMET_CSE_LBCC);
		iocs[NVME_IO_DSM] = cpu_to_le32(NVMET_CSE_CSUPP | NVMET_CSE_LBCC);
		status = nvmet_log_to_sgl(req, log, NVMET_EFFECTS_LOG_SIZE);
		break;
	}
	default:
		req->error_loc = offsetof(struct nvme_sqe, cdw10);
		status = NVMET_ERR(NVME_SC_INVALID_LOG_PAGE);
		break;
	}
	kfree(log);
	nvmet_req_complete(req, status);
}

static u16 nvmet_parse_get_log(struct nvmet_req *req)
{
	struct nvmet_log_window w;
	u16 status;

	status = nvmet_log_window(nvmet_cdw(req, 10), nvmet_cdw(req, 11),
				  nvmet_cdw(req, 12), nvmet_cdw(req, 13), &w);
	if (status) {
		req->error_loc = offsetof(struct nvme_sqe, cdw12);
		return status;
	}
	req->data_len = w.len;
	return 0;
}

/* ---- Features ---- */

static u32 nvmet_nr_queues_result(struct nvmet_ctrl *ctrl)
{
	u32 n = ctrl->subsys->max_qid ? ctrl->subsys->max_qid - 1u : 0;

	return n << 16 | n;
}

static u32 nvmet_aen_supported(struct nvmet_ctrl *ctrl)
{
	return nvmet_is_disc(ctrl) ? NVME_AEC_DISC_CHANGE :
		NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE;
}

static void nvmet_execute_set_features(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 cdw10 = nvmet_cdw(req, 10), cdw11 = nvmet_cdw(req, 11);
	u16 status = 0;

	if (cdw10 & BIT(31)) {			/* SV: save */
		nvmet_req_complete(req, NVMET_ERR(NVME_SC_FEATURE_NOT_SAVEABLE));
		return;
	}
	switch (cdw10 & 0xff) {
	case NVME_FEAT_NUM_QUEUES:
		if (nvmet_is_disc(ctrl)) {
			status = NVMET_ERR(NVME_SC_INVALID_FIELD);
			break;
		}
		if ((cdw11 & 0xffff) == 0xffff || (cdw11 >> 16) == 0xffff) {
			status = NVMET_ERR(NVME_SC_INVALID_FIELD);
			break;
		}
		nvmet_set_result(req, nvmet_nr_queues_result(ctrl));
		break;
	case NVME_FEAT_ASYNC_EVENT:
		mutex_lock(&ctrl->lock);
		ctrl->aen_enabled = cdw11 & nvmet_aen_supported(ctrl);
		mutex_unlock(&ctrl->lock);
		nvmet_set_result(req, ctrl->aen_enabled);
		break;
	case NVME_FEAT_KATO:
		ctrl->kato = cdw11;
		nvmet_start_keep_alive(ctrl);
		break;
	case NVME_FEAT_VOLATILE_WC:
		if (nvmet_is_disc(ctrl)) {
			status = NVMET_ERR(NVME_SC_INVALID_FIELD);
			break;
		}
		/* the backend's cache cannot be turned off from here */
		if (!(cdw11 & 1))
			status = NVMET_ERR(NVME_SC_FEATURE_NOT_CHANGEABLE);
		break;
	default:
		req->error_loc = offsetof(struct nvme_sqe, cdw10);
		status = NVMET_ERR(NVME_SC_INVALID_FIELD);
		break;
	}
	nvmet_req_complete(req, status);
}

static void nvmet_execute_get_features(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 cdw10 = nvmet_cdw(req, 10);
	u8 sel = (cdw10 >> 8) & 0x7;
	u16 status = 0;
	u32 val = 0;

	if (sel > 3) {
		req->error_loc = offsetof(struct nvme_sqe, cdw10);
		nvmet_req_complete(req, NVMET_ERR(NVME_SC_INVALID_FIELD));
		return;
	}
	switch (cdw10 & 0xff) {
	case NVME_FEAT_NUM_QUEUES:
		if (nvmet_is_disc(ctrl))
			goto invalid;
		val = nvmet_nr_queues_result(ctrl);
		break;
	case NVME_FEAT_ASYNC_EVENT:
		val = READ_ONCE(ctrl->aen_enabled);
		break;
	case NVME_FEAT_KATO:
		val = READ_ONCE(ctrl->kato);
		break;
	case NVME_FEAT_VOLATILE_WC:
		if (nvmet_is_disc(ctrl))
			goto invalid;
		val = 1;
		break;
	default:
		goto invalid;
	}
	/* SEL 3 (supported capabilities): changeable, not saveable */
	if (sel == 3)
		val = BIT(1);
	nvmet_set_result(req, val);
	nvmet_req_complete(req, status);
	return;
invalid:
	req->error_loc = offsetof(struct nvme_sqe, cdw10);
	nvmet_req_complete(req, NVMET_ERR(NVME_SC_INVALID_FIELD));
}

/* ---- Keep Alive, AER, Abort ---- */

static void nvmet_execute_keep_alive(struct nvmet_req *req)
{
	nvmet_keep_alive_reset(req->sq->ctrl);
	nvmet_req_complete(req, 0);
}

static void nvmet_execute_aer(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;

	mutex_lock(&ctrl->lock);
	if (ctrl->nr_aer == NVMET_AERL) {
		mutex_unlock(&ctrl->lock);
		nvmet_req_complete(req, NVMET_ERR(NVME_SC_AER_LIMIT));
		return;
	}
	ctrl->aer_reqs[ctrl->nr_aer++] = req;
	mutex_unlock(&ctrl->lock);
	/* completed later by nvmet_async_event_work() or at queue teardown */
	queue_work(nvmet_wq, &ctrl->async_event_work);
}

static void nvmet_execute_abort(struct nvmet_req *req)
{
	nvmet_set_result(req, 1);	/* command not aborted */
	nvmet_req_complete(req, 0);
}

static u16 nvmet_parse_common_admin(struct nvmet_req *req)
{
	switch (req->cmd->opc) {
	case NVME_ADM_SET_FEATURES:
		req->execute = nvmet_execute_set_features;
		return 0;
	case NVME_ADM_GET_FEATURES:
		req->execute = nvmet_execute_get_features;
		return 0;
	case NVME_ADM_KEEP_ALIVE:
		req->execute = nvmet_execute_keep_alive;
		return 0;
	case NVME_ADM_ASYNC_EVENT:
		req->execute = nvmet_execute_aer;
		return 0;
	default:
		req->error_loc = offsetof(struct nvme_sqe, opc);
		return NVMET_ERR(NVME_SC_INVALID_OPCODE);
	}
}

u16 nvmet_parse_admin_cmd(struct nvmet_req *req)
{
	u16 status = nvmet_check_ctrl_status(req);

	if (status)
		return status;
	switch (req->cmd->opc) {
	case NVME_ADM_IDENTIFY:
		return nvmet_parse_identify(req, false);
	case NVME_ADM_GET_LOG_PAGE:
		req->execute = nvmet_execute_get_log;
		return nvmet_parse_get_log(req);
	case NVME_ADM_ABORT:
		req->execute = nvmet_execute_abort;
		return 0;
	default:
		return nvmet_parse_common_admin(req);
	}
}

static void nvmet_execute_disc_get_log(struct nvmet_req *req)
{
	u8 lid = NVME_GLP_LID(nvmet_cdw(req, 10));
	u16 status;

	if (lid != NVME_LOG_DISCOVERY) {
		req->error_loc = offsetof(struct nvme_sqe, cdw10);
		status = NVMET_ERR(NVME_SC_INVALID_LOG_PAGE);
	} else {
		/* re-armed first: a change after the snapshot notifies again */
		nvmet_clear_aen(req, NVME_AEC_DISC_CHANGE);
		status = nvmet_disc_log_execute_len(req);
	}
	nvmet_req_complete(req, status);
}

u16 nvmet_parse_disc_cmd(struct nvmet_req *req)
{
	u16 status = nvmet_check_ctrl_status(req);

	if (status)
		return status;
	switch (req->cmd->opc) {
	case NVME_ADM_IDENTIFY:
		return nvmet_parse_identify(req, true);
	case NVME_ADM_GET_LOG_PAGE:
		req->execute = nvmet_execute_disc_get_log;
		return nvmet_parse_get_log(req);
	default:
		return nvmet_parse_common_admin(req);
	}
}
