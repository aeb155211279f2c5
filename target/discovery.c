// SPDX-License-Identifier: GPL-2.0
/*
 * Discovery log page of the discovery subsystem: one entry for the
 * discovery subsystem itself on the port the host came in through, one
 * per subsystem linked into that port that the host may access, and one
 * per referral of that port.
 */
#define pr_fmt(fmt) "nvmet: " fmt

#define NVMET_CORE_INTERNAL
#include <linux/slab.h>
#include <linux/mm.h>
#include "nvmet.h"

static void nvmet_disc_entry(struct nvmet_req *req, struct nvmet_port *port,
			     struct nvmf_disc_log_entry *e, const char *subnqn,
			     u8 subtype)
{
	char traddr[NVMF_TRADDR_LEN];
	struct nvmet_disc_src src = {
		.trtype = port->trtype,
		.adrfam = port->adrfam,
		.treq = port->treq,
		.subtype = subtype,
		.portid = port->portid,
		.traddr = port->traddr,
		.trsvcid = port->trsvcid,
		.subnqn = subnqn,
		.tsas = port->tsas,
	};

	/* a wildcard listener shows the address the host actually used */
	if (!port->is_referral && port->tr_ops && port->tr_ops->disc_traddr) {
		memset(traddr, 0, sizeof(traddr));
		port->tr_ops->disc_traddr(req, port, traddr);
		traddr[sizeof(traddr) - 1] = '\0';
		src.traddr = traddr;
	}
	nvmet_disc_fill_entry(e, &src);
}

u16 nvmet_disc_log_execute_len(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvmet_port *port = ctrl->port;
	struct nvmf_disc_log_entry *e;
	struct nvmet_subsys_link *l;
	struct nvmet_port *r;
	size_t numrec = 0, n = 0, len;
	u16 status;
	void *log;

	down_read(&nvmet_config_sem);
	if (port) {
		numrec = 1;
		list_for_each_entry(l, &port->subsystems, entry)
			if (nvmet_host_allowed(l->subsys, ctrl->hostnqn))
				numrec++;
		list_for_each_entry(r, &port->referrals, entry)
			numrec++;
	}
	len = sizeof(struct nvmf_disc_log_hdr) + numrec * sizeof(*e);
	log = kvzalloc(len, GFP_KERNEL);
	if (!log) {
		up_read(&nvmet_config_sem);
		return NVME_SC_INTERNAL;
	}
	e = (struct nvmf_disc_log_entry *)((u8 *)log +
					   sizeof(struct nvmf_disc_log_hdr));
	if (port) {
		nvmet_disc_entry(req, port, &e[n++], NVMF_DISC_NQN,
				 NVMF_SUBTYPE_CUR_DISC);
		list_for_each_entry(l, &port->subsystems, entry)
			if (nvmet_host_allowed(l->subsys, ctrl->hostnqn))
				nvmet_disc_entry(req, port, &e[n++],
						 l->subsys->subsysnqn,
						 NVMF_SUBTYPE_NVME);
		list_for_each_entry(r, &port->referrals, entry)
			nvmet_disc_entry(req, r, &e[n++], NVMF_DISC_NQN,
					 NVMF_SUBTYPE_DISCOVERY);
	}
	nvmet_disc_fill_hdr(log, nvmet_genctr, n);
	up_read(&nvmet_config_sem);

	{
		struct nvmet_log_window w;
		void *buf;

		status = nvmet_log_window(nvmet_cdw(req, 10),
					  nvmet_cdw(req, 11),
					  nvmet_cdw(req, 12),
					  nvmet_cdw(req, 13), &w);
		if (!status) {
			buf = kvmalloc(w.len, GFP_KERNEL);
			if (buf) {
				nvmet_log_copy(buf, &w, log, len);
				status = nvmet_copy_to_sgl(req, 0, buf, w.len);
				kvfree(buf);
			} else {
				status = NVME_SC_INTERNAL;
			}
		}
	}
	kvfree(log);
	return status;
}
