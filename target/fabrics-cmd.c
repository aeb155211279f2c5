// SPDX-License-Identifier: GPL-2.0
/*
 * Fabrics commands: Connect (creates a controller or binds an I/O queue to
 * one) and Property Get/Set (the fabrics stand-in for register access).
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/slab.h>
#include "nvmet.h"

static u16 nvmet_prop_value(struct nvmet_ctrl *ctrl, u32 off, bool eight,
			    u64 *val)
{
	switch (off) {
	case NVME_REG_CAP:
		if (!eight)
			return NVMET_ERR(NVME_SC_INVALID_FIELD);
		*val = ctrl->cap;
		return 0;
	case NVME_REG_VS:
		*val = ctrl->subsys->ver;
		break;
	case NVME_REG_CC:
		*val = READ_ONCE(ctrl->cc);
		break;
	case NVME_REG_CSTS:
		*val = READ_ONCE(ctrl->csts);
		break;
	default:
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	}
	/* the 4 byte properties cannot be read as 8 bytes */
	return eight ? NVMET_ERR(NVME_SC_INVALID_FIELD) : 0;
}

static void nvmet_execute_prop_get(struct nvmet_req *req)
{
	struct nvmf_prop_get_cmd *c = (struct nvmf_prop_get_cmd *)req->cmd;
	bool eight = (c->attrib & NVMF_PROP_SIZE_MASK) == NVMF_PROP_SIZE_8;
	u64 val = 0;
	u16 status;

	status = nvmet_prop_value(req->sq->ctrl, le32_to_cpu(c->offset), eight,
				  &val);
	if (status)
		req->error_loc = offsetof(struct nvmf_prop_get_cmd, offset);
	req->cqe->dw0 = cpu_to_le32(lower_32_bits(val));
	req->cqe->dw1 = cpu_to_le32(upper_32_bits(val));
	nvmet_req_complete(req, status);
}

static void nvmet_execute_prop_set(struct nvmet_req *req)
{
	struct nvmf_prop_set_cmd *c = (struct nvmf_prop_set_cmd *)req->cmd;
	u16 status = 0;

	if ((c->attrib & NVMF_PROP_SIZE_MASK) != NVMF_PROP_SIZE_4) {
		req->error_loc = offsetof(struct nvmf_prop_set_cmd, attrib);
		status = NVMET_ERR(NVME_SC_INVALID_FIELD);
	} else if (le32_to_cpu(c->offset) == NVME_REG_CC) {
		nvmet_update_cc(req->sq->ctrl,
				lower_32_bits(le64_to_cpu(c->value)));
	} else {
		req->error_loc = offsetof(struct nvmf_prop_set_cmd, offset);
		status = NVMET_ERR(NVME_SC_INVALID_FIELD);
	}
	nvmet_req_complete(req, status);
}

u16 nvmet_parse_fabrics_admin_cmd(struct nvmet_req *req)
{
	struct nvmf_common_cmd *c = (struct nvmf_common_cmd *)req->cmd;

	switch (c->fctype) {
	case NVMF_FCTYPE_PROP_GET:
		req->execute = nvmet_execute_prop_get;
		return 0;
	case NVMF_FCTYPE_PROP_SET:
		req->execute = nvmet_execute_prop_set;
		return 0;
	case NVMF_FCTYPE_CONNECT:
		/* a second Connect on a live queue */
		return NVMET_ERR(NVME_SC_CMD_SEQ_ERROR);
	default:
		pr_debug("unsupported fabrics command %#x\n", c->fctype);
		req->error_loc = offsetof(struct nvmf_common_cmd, fctype);
		return NVMET_ERR(NVME_SC_INVALID_OPCODE);
	}
}

/* Read and sanitise the Connect data; NULL on allocation failure. */
static struct nvmf_connect_data *nvmet_connect_data(struct nvmet_req *req,
						    u16 *status)
{
	struct nvmf_connect_data *d = kmalloc(sizeof(*d), GFP_KERNEL);

	if (!d) {
		*status = NVMET_ERR(NVME_SC_INTERNAL);
		return NULL;
	}
	*status = nvmet_copy_from_sgl(req, 0, d, sizeof(*d));
	if (*status) {
		kfree(d);
		return NULL;
	}
	/* the host must NUL terminate; make sure whatever it sent is */
	if (!memchr(d->subnqn, 0, sizeof(d->subnqn)) ||
	    !memchr(d->hostnqn, 0, sizeof(d->hostnqn)) ||
	    strnlen(d->subnqn, sizeof(d->subnqn)) > NVMF_NQN_MAX_LEN ||
	    strnlen(d->hostnqn, sizeof(d->hostnqn)) > NVMF_NQN_MAX_LEN ||
	    !d->hostnqn[0] || !d->subnqn[0]) {
		bool sub_ok = d->subnqn[0] &&
			memchr(d->subnqn, 0, sizeof(d->subnqn));

		nvmet_connect_ipo(req, NVMF_IATTR_DATA, sub_ok ?
				  NVMET_CD_OFF(hostnqn) : NVMET_CD_OFF(subnqn));
		*status = NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
		kfree(d);
		return NULL;
	}
	return d;
}

static u16 nvmet_finish_connect(struct nvmet_req *req, struct nvmet_ctrl *ctrl,
				u16 qid, u16 size, bool sqflow_off)
{
	struct nvmet_sq *sq = req->sq;
	u16 status;

	mutex_lock(&ctrl->lock);
	if (qid >= ctrl->nr_sqs || ctrl->sqs[qid] ||
	    !nvmet_sq_setup(ctrl, sq, qid, size)) {
		mutex_unlock(&ctrl->lock);
		nvmet_connect_ipo(req, NVMF_IATTR_CMD, NVMET_CC_OFF(qid));
		return NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
	}
	mutex_unlock(&ctrl->lock);
	req->cq->qid = qid;
	req->cq->size = size;
	sq->sqhd_disabled = sqflow_off;
	if (req->ops->install_queue) {
		status = req->ops->install_queue(sq);
		if (status) {
			/* nvmet_sq_destroy() will drop the controller */
			return status;
		}
	}
	nvmet_set_result(req, ctrl->cntlid);
	return 0;
}

static void nvmet_execute_connect(struct nvmet_req *req)
{
	struct nvmf_connect_cmd *c = (struct nvmf_connect_cmd *)req->cmd;
	u16 qid = le16_to_cpu(c->qid), sqsize = le16_to_cpu(c->sqsize);
	/*
	 * From the transport, not req->port: nothing pins the port yet, an
	 * unlink and rmdir of it may have freed it since the command came.
	 */
	bool sqflow_off = (c->cattr & NVMF_CATTR_DISABLE_SQFLOW) &&
		(req->ops->flags & NVMET_OPS_DISABLE_SQFLOW);
	struct nvmf_connect_data *d;
	struct nvmet_ctrl *ctrl = NULL;
	u16 status, ipo = 0;

	/*
	 * A second Connect on this queue whose data arrived after the first
	 * one had connected it: the queue belongs to that controller.
	 */
	if (req->sq->ctrl) {
		pr_warn_ratelimited("connect on a queue already connected\n");
		status = NVMET_ERR(NVME_SC_CMD_SEQ_ERROR);
		goto out;
	}
	status = nvmet_connect_check(le16_to_cpu(c->recfmt), qid, sqsize,
				     NVMET_NR_QUEUES_MAX, NVMET_QUEUE_SIZE,
				     le32_to_cpu(c->kato), &ipo);
	if (status) {
		if (ipo)
			nvmet_connect_ipo(req, NVMF_IATTR_CMD, ipo);
		goto out;
	}
	d = nvmet_connect_data(req, &status);
	if (!d)
		goto out;

	if (qid == 0) {
		if (le16_to_cpu(d->cntlid) != NVMF_CNTLID_DYNAMIC) {
			pr_warn_ratelimited("admin connect asks for static cntlid %u\n",
					    le16_to_cpu(d->cntlid));
			nvmet_connect_ipo(req, NVMF_IATTR_DATA, NVMET_CD_OFF(cntlid));
			status = NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
			goto out_free;
		}
		status = nvmet_alloc_ctrl(d->subnqn, d->hostnqn, req,
					  le32_to_cpu(c->kato), &ctrl);
		if (status)
			goto out_free;
		uuid_copy(&ctrl->hostid, (uuid_t *)d->hostid);
		status = nvmet_finish_connect(req, ctrl, 0, sqsize + 1,
					      sqflow_off);
		if (status && !req->sq->ctrl)
			nvmet_ctrl_put(ctrl);
		if (!status)
			pr_info("created %s ctrl %u for %s (%s)\n",
				nvmet_is_disc(ctrl) ? "discovery" : "nvm",
				ctrl->cntlid, d->subnqn, d->hostnqn);
	} else {
		status = nvmet_ctrl_find_get(d->subnqn, d->hostnqn,
					     le16_to_cpu(d->cntlid), req, &ctrl);
		if (status)
			goto out_free;
		if (nvmet_is_disc(ctrl) || qid > ctrl->subsys->max_qid ||
		    !(READ_ONCE(ctrl->cc) & NVME_CC_EN)) {
			nvmet_connect_ipo(req, NVMF_IATTR_CMD, NVMET_CC_OFF(qid));
			status = NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
			nvmet_ctrl_put(ctrl);
			goto out_free;
		}
		status = nvmet_finish_connect(req, ctrl, qid, sqsize + 1,
					      sqflow_off);
		if (status && !req->sq->ctrl)
			nvmet_ctrl_put(ctrl);
	}
out_free:
	kfree(d);
out:
	nvmet_req_complete(req, status);
}

/* The only command a queue accepts before it is connected. */
u16 nvmet_parse_connect_cmd(struct nvmet_req *req)
{
	struct nvmf_common_cmd *c = (struct nvmf_common_cmd *)req->cmd;

	if (c->opc != NVME_ADM_FABRICS || c->fctype != NVMF_FCTYPE_CONNECT) {
		pr_debug("command %#x before Connect\n", c->opc);
		return NVMET_ERR(NVME_SC_CMD_SEQ_ERROR);
	}
	req->data_len = sizeof(struct nvmf_connect_data);
	req->execute = nvmet_execute_connect;
	return 0;
}
