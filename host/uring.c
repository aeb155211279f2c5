// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring passthrough: NVME_URING_CMD_{IO,IO_VEC} on /dev/ngNnM and
 * NVME_URING_CMD_{ADMIN,ADMIN_VEC} on /dev/nvmeN (fio's io_uring_cmd
 * engine, ...).
 *
 * The command is checked as an ioctl's is (nvme_ucmd_check()), mapped and
 * started without waiting.  Its end_io may run in interrupt context, so it
 * only records the outcome and hands the rest (metadata copy-out,
 * unmapping, the io_uring completion) to the submitting task.  The ring
 * must use 128-byte SQEs (the command) and 32-byte CQEs (res2 carries the
 * completion's dwords 0 and 1).  On a polled ring (IORING_SETUP_IOPOLL) a
 * command with data goes to a polled queue when the namespace has them,
 * and the poller finishes every command itself (nvme_uring_iopoll()).
 */
#include <linux/bio.h>
#include <linux/blk-mq.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>

#include "nvme.h"

/**
 * struct nvme_uring_pdu - what a command in flight keeps in io_uring_cmd
 * @rq: the request, freed in task context
 * @bio: the head of the mapped user data, for unmapping
 * @umeta: user address of separate metadata (the bounce buffer hangs off
 *	the request as nvme_req(rq)->meta)
 * @status: the outcome, as nvme_ucmd_status() gives it
 * @iopoll: the ring polls for completions (IORING_SETUP_IOPOLL): end_io
 *	only sets @done and the poller finishes the command
 * @done: end_io has run (release; the poller acquires)
 */
struct nvme_uring_pdu {
	struct request *rq;
	struct bio *bio;
	u64 umeta;
	int status;
	u8 iopoll;
	u8 done;
};

static struct nvme_uring_pdu *nvme_uring_pdu(struct io_uring_cmd *ioucmd)
{
	BUILD_BUG_ON(sizeof(struct nvme_uring_pdu) >
		     sizeof(((struct io_uring_cmd *)NULL)->pdu));
	return (struct nvme_uring_pdu *)ioucmd->pdu;
}

static void nvme_uring_task_done(struct io_uring_cmd *ioucmd,
				 unsigned int issue_flags)
{
	struct nvme_uring_pdu *pdu = nvme_uring_pdu(ioucmd);
	struct request *rq = pdu->rq;
	struct nvme_ctrl *ctrl = nvme_req(rq)->ctrl;
	bool rescan = rq->q == ctrl->admin_q &&
		      nvme_admin_changes_ns(nvme_req(rq)->cmd.opc);
	u64 result = 0;
	int ret;

	ret = nvme_ucmd_finish(rq, pdu->bio, pdu->umeta, pdu->status, &result);
	if (!ret && rescan)
		nvme_queue_scan(ctrl);
	io_uring_cmd_done(ioucmd, ret, result, issue_flags);
}

static enum rq_end_io_ret nvme_uring_end_io(struct request *rq,
					    blk_status_t sts)
{
	struct io_uring_cmd *ioucmd = rq->end_io_data;
	struct nvme_uring_pdu *pdu = nvme_uring_pdu(ioucmd);

	pdu->status = nvme_ucmd_status(rq, sts);
	/*
	 * This may run in interrupt context or under a queue's completion
	 * lock: the rest happens in the submitting task, through task work
	 * or, on a polled ring, in nvme_uring_iopoll().
	 */
	if (pdu->iopoll)
		smp_store_release(&pdu->done, 1); /* status before done */
	else
		io_uring_cmd_complete_in_task(ioucmd, nvme_uring_task_done);
	return RQ_END_IO_NONE;	/* freed by nvme_uring_task_done() */
}

/**
 * nvme_uring_iopoll() - ->uring_cmd_iopoll of the ng and controller devices
 * @ioucmd: a command started on a polled ring
 * @iob: completion batch of the poller
 * @poll_flags: BLK_POLL_*
 *
 * Polls the command's queue when it went to a polled queue, then finishes
 * the command if its end_io has run.
 * Return: 1 when the command was finished, else 0.
 */
int nvme_uring_iopoll(struct io_uring_cmd *ioucmd, struct io_comp_batch *iob,
		      unsigned int poll_flags)
{
	struct nvme_uring_pdu *pdu = nvme_uring_pdu(ioucmd);
	struct bio *bio = READ_ONCE(ioucmd->cookie);

	/* done pairs with end_io's release: the status is read after it */
	if (!smp_load_acquire(&pdu->done) && bio)
		bio_poll(bio, iob, poll_flags);
	if (!smp_load_acquire(&pdu->done)) /* as above */
		return 0;
	nvme_uring_task_done(ioucmd, IO_URING_F_UNLOCKED);
	return 1;
}

/* map the user data: a plain buffer, a vector of them, or a fixed buffer */
static int nvme_uring_map(struct request *rq, struct io_uring_cmd *ioucmd,
			  const struct nvme_ucmd *uc, bool vec)
{
	void __user *ubuf = u64_to_user_ptr(uc->ubuf);
	struct iov_iter iter;
	int ret;

	if (ioucmd->flags & IORING_URING_CMD_FIXED) {
		if (vec)
			return -EINVAL;
		ret = io_uring_cmd_import_fixed(uc->ubuf, uc->len,
						rq_data_dir(rq), &iter, ioucmd);
		if (ret < 0)
			return ret;
		return blk_rq_map_user_iov(rq->q, rq, NULL, &iter, GFP_KERNEL);
	}
	if (vec) {
		/* len counts iovecs here */
		if (uc->len > UIO_MAXIOV)
			return -EINVAL;
		return blk_rq_map_user_io(rq, NULL, ubuf, uc->len, GFP_KERNEL,
					  true, uc->len, false,
					  rq_data_dir(rq));
	}
	return blk_rq_map_user(rq->q, rq, NULL, ubuf, uc->len, GFP_KERNEL);
}

/**
 * nvme_uring_cmd() - start one io_uring passthrough command
 * @ctrl: the controller
 * @ns: the namespace for I/O commands, NULL for admin commands
 * @ioucmd: the io_uring command (its SQE holds a struct nvme_uring_cmd)
 * @issue_flags: io_uring's issue flags
 *
 * Return: -EIOCBQUEUED once started, else a negative errno (-EAGAIN when
 * a non-blocking issue found no free tag: io_uring retries from a worker).
 */
int nvme_uring_cmd(struct nvme_ctrl *ctrl, struct nvme_ns *ns,
		   struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const struct nvme_uring_cmd *cmd = ioucmd->cmd;
	struct nvme_uring_pdu *pdu = nvme_uring_pdu(ioucmd);
	struct request_queue *q = ns ? ns->queue : READ_ONCE(ctrl->admin_q);
	bool vec = ioucmd->cmd_op == NVME_URING_CMD_IO_VEC ||
		   ioucmd->cmd_op == NVME_URING_CMD_ADMIN_VEC;
	struct nvme_ucmd uc = { };
	struct request *rq;
	bool polled;
	u32 nsid;
	u8 flags;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EACCES;
	if (!(issue_flags & IO_URING_F_SQE128) ||
	    !(issue_flags & IO_URING_F_CQE32))
		return -EOPNOTSUPP;
	if (!q)
		return -ENODEV;

	/* the SQE is shared with user space: read each field once */
	flags = READ_ONCE(cmd->flags);
	if (flags & (NVME_CMD_PSDT_SGL_MPTR | NVME_CMD_PSDT_SGL_SGL))
		return -EINVAL;	/* PSDT belongs to the transport */
	nsid = READ_ONCE(cmd->nsid);
	if (ns && nsid != ns->nsid)
		return -EINVAL;
	uc.sqe.opc = READ_ONCE(cmd->opcode);
	uc.sqe.flags = flags;
	uc.sqe.nsid = cpu_to_le32(nsid);
	uc.sqe.cdw2 = cpu_to_le32(READ_ONCE(cmd->cdw2));
	uc.sqe.cdw3 = cpu_to_le32(READ_ONCE(cmd->cdw3));
	uc.sqe.cdw10 = cpu_to_le32(READ_ONCE(cmd->cdw10));
	uc.sqe.cdw11 = cpu_to_le32(READ_ONCE(cmd->cdw11));
	uc.sqe.cdw12 = cpu_to_le32(READ_ONCE(cmd->cdw12));
	uc.sqe.cdw13 = cpu_to_le32(READ_ONCE(cmd->cdw13));
	uc.sqe.cdw14 = cpu_to_le32(READ_ONCE(cmd->cdw14));
	uc.sqe.cdw15 = cpu_to_le32(READ_ONCE(cmd->cdw15));
	uc.ubuf = READ_ONCE(cmd->addr);
	uc.len = READ_ONCE(cmd->data_len);
	uc.umeta = READ_ONCE(cmd->metadata);
	uc.meta_len = READ_ONCE(cmd->metadata_len);
	uc.timeout_ms = READ_ONCE(cmd->timeout_ms);

	/* a vector's length is its entry count, checked when mapping */
	if (vec) {
		u64 nr = uc.len;

		uc.len = nr ? 1 : 0;
		ret = nvme_ucmd_check(ctrl, q, &uc);
		uc.len = nr;
	} else {
		ret = nvme_ucmd_check(ctrl, q, &uc);
	}
	if (ret)
		return ret;

	/* polled queues need a bio to find the request by */
	polled = (issue_flags & IO_URING_F_IOPOLL) && ns && ns->disk &&
		 uc.len && test_bit(QUEUE_FLAG_POLL, &q->queue_flags);
	rq = nvme_ucmd_alloc(q, &uc, polled ? REQ_POLLED : 0,
			     (issue_flags & IO_URING_F_NONBLOCK) ?
			     BLK_MQ_REQ_NOWAIT : 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	if (uc.len) {
		ret = nvme_uring_map(rq, ioucmd, &uc, vec);
		if (ret)
			return nvme_ucmd_finish(rq, NULL, 0, ret, NULL);
		/* with a vector the byte count is known only now */
		if (vec && blk_rq_bytes(rq) >
		    (u64)queue_max_hw_sectors(q) << SECTOR_SHIFT)
			return nvme_ucmd_finish(rq, rq->bio, 0, -EINVAL, NULL);
	}

	pdu->rq = rq;
	pdu->bio = rq->bio;
	pdu->umeta = uc.umeta;
	pdu->status = 0;
	pdu->iopoll = !!(issue_flags & IO_URING_F_IOPOLL);
	pdu->done = 0;
	if (polled) {
		/* blk_mq_start_request() sets the cookie bio_poll() needs */
		bio_set_dev(rq->bio, ns->disk->part0);
		rq->bio->bi_opf |= REQ_POLLED;
	}
	if (pdu->iopoll)
		WRITE_ONCE(ioucmd->cookie, polled ? rq->bio : NULL);
	rq->end_io = nvme_uring_end_io;
	rq->end_io_data = ioucmd;
	blk_execute_rq_nowait(rq, false);
	return -EIOCBQUEUED;
}
