// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-tcp: the NVMe/TCP host transport.
 *
 * This file is the controller side: option handling, addresses, one
 * kernel TCP socket per queue, the ICReq/ICResp exchange and the queue
 * operations the shared fabrics machine (fabrics/fabrics.h) calls to
 * bring single queues up and down.  Everything about controller life
 * (connect, reconnect, keep-alive, deletion) is the fabrics core's; the
 * per-queue send and receive engines are in host-io.c.
 */
#include <linux/inet.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "host.h"

/* how long the target gets to answer the ICReq */
#define NTCP_ICRESP_TIMEOUT	(3 * HZ)

struct workqueue_struct *ntcp_wq;

static bool spread_io_work = true;
module_param(spread_io_work, bool, 0644);
MODULE_PARM_DESC(spread_io_work,
		 "run a busy queue's socket work beside the submitting CPU, not on it (default Y; read at connect)");

static int so_priority;
module_param(so_priority, int, 0644);
MODULE_PARM_DESC(so_priority, "socket priority (SO_PRIORITY) of every queue's socket");

/* ------------------------------------------------------------------ */
/* connection setup                                                   */
/* ------------------------------------------------------------------ */

static int ntcp_set_tos(struct ntcp_queue *q, int tos)
{
	struct socket *sock = q->sock;

	if (sock->sk->sk_family == AF_INET) {
		ip_sock_set_tos(sock->sk, tos);
		return 0;
	}
	return sock->ops->setsockopt(sock, SOL_IPV6, IPV6_TCLASS,
				     KERNEL_SOCKPTR(&tos), sizeof(tos));
}

static int ntcp_create_socket(struct ntcp_ctrl *ctrl, struct ntcp_queue *q)
{
	struct nvmf_ctrl_options *opts = ctrl->fctrl.opts;
	struct sock *sk;
	int ret;

	ret = sock_create_kern(current->nsproxy->net_ns, ctrl->addr.ss_family,
			       SOCK_STREAM, IPPROTO_TCP, &q->sock);
	if (ret)
		return ret;
	sk = q->sock->sk;
	/* give up on an unreachable target after one SYN retransmission */
	tcp_sock_set_syncnt(sk, 1);
	tcp_sock_set_nodelay(sk);
	/* a closed queue is gone for good: reset, do not linger */
	sock_no_linger(sk);
	if (so_priority > 0)
		sock_set_priority(sk, so_priority);
	/* sends happen on the writeback path: never recurse into reclaim */
	sk->sk_allocation = GFP_ATOMIC;
	if (opts->tos >= 0) {
		ret = ntcp_set_tos(q, opts->tos);
		if (ret) {
			dev_err(ctrl->fctrl.ctrl.dev, "cannot set tos %d (%d)\n",
				opts->tos, ret);
			return ret;
		}
	}
	if (ctrl->ifindex) {
		ret = sock_bindtoindex(sk, ctrl->ifindex, true);
		if (ret) {
			dev_err(ctrl->fctrl.ctrl.dev, "cannot bind to interface %s (%d)\n",
				opts->host_iface, ret);
			return ret;
		}
	}
	if (ctrl->has_src) {
		ret = kernel_bind(q->sock, (struct sockaddr *)&ctrl->src_addr,
				  sizeof(ctrl->src_addr));
		if (ret) {
			dev_err(ctrl->fctrl.ctrl.dev, "cannot bind to host_traddr %s (%d)\n",
				opts->host_traddr, ret);
			return ret;
		}
	}
	return 0;
}

static int ntcp_recv_exact(struct ntcp_queue *q, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_WAITALL };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	ret = kernel_recvmsg(q->sock, &msg, &iov, 1, len, MSG_WAITALL);
	if (ret == len)
		return 0;
	return ret < 0 ? ret : -ECONNRESET;
}

static void ntcp_ic_error(struct ntcp_queue *q, int err)
{
	struct device *dev = ntcp_dev(q);

	if (err == -EAGAIN)
		dev_err(dev, "queue %u: no ICResp within %d s\n", q->qid,
			NTCP_ICRESP_TIMEOUT / HZ);
	else
		dev_err(dev, "queue %u: connection lost before the ICResp (%d)\n",
			q->qid, err);
}

/*
 * ICReq out, ICResp in, blocking, before the socket callbacks are
 * installed.  Every field of the answer is checked against what was
 * asked: a target must not enable digests the host did not ask for, nor
 * refuse ones it did.
 */
static int ntcp_init_connection(struct ntcp_queue *q)
{
	struct nvmf_ctrl_options *opts = q->ctrl->fctrl.opts;
	struct nvme_tcp_wire_err err = { };
	struct nvme_tcp_icresp *rsp;
	struct nvme_tcp_icreq *req;
	struct msghdr msg = { };
	struct kvec iov;
	u8 want = 0;
	int hlen, ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	rsp = kzalloc(NTCP_RX_HDR_MAX, GFP_KERNEL);
	if (!req || !rsp) {
		ret = -ENOMEM;
		goto out;
	}
	if (opts->hdr_digest)
		want |= NVME_TCP_DGST_HDR;
	if (opts->data_digest)
		want |= NVME_TCP_DGST_DATA;
	nvme_tcp_enc_icreq(req, 0, opts->hdr_digest, opts->data_digest, 0);

	q->sock->sk->sk_rcvtimeo = NTCP_ICRESP_TIMEOUT;
	q->sock->sk->sk_sndtimeo = NTCP_ICRESP_TIMEOUT;
	iov.iov_base = req;
	iov.iov_len = sizeof(*req);
	ret = kernel_sendmsg(q->sock, &msg, &iov, 1, sizeof(*req));
	if (ret != sizeof(*req)) {
		dev_err(ntcp_dev(q), "queue %u: cannot send the ICReq (%d)\n",
			q->qid, ret);
		ret = ret < 0 ? ret : -EIO;
		goto out;
	}

	/* until the exchange is done the wire digests are what was asked */
	q->wire = (struct nvme_tcp_wire) {
		.host = true,
		.hdgst = opts->hdr_digest,
		.ddgst = opts->data_digest,
	};
	ret = ntcp_recv_exact(q, rsp, sizeof(struct nvme_tcp_hdr));
	if (ret) {
		ntcp_ic_error(q, ret);
		goto out;
	}
	hlen = nvme_tcp_check_ch(&q->wire, &rsp->hdr, &err);
	if (hlen < 0 || hlen > NTCP_RX_HDR_MAX ||
	    hlen < sizeof(struct nvme_tcp_hdr)) {
		dev_err(ntcp_dev(q), "queue %u: bad answer to the ICReq (type %#x): %s\n",
			q->qid, rsp->hdr.type, err.reason ?: "header too long");
		ret = -EPROTO;
		goto out;
	}
	ret = ntcp_recv_exact(q, (u8 *)rsp + sizeof(struct nvme_tcp_hdr),
			      hlen - sizeof(struct nvme_tcp_hdr));
	if (ret) {
		ntcp_ic_error(q, ret);
		goto out;
	}
	if (rsp->hdr.type == NVME_TCP_C2H_TERMREQ) {
		struct nvme_tcp_term_pdu *t = (void *)rsp;

		dev_err(ntcp_dev(q), "queue %u: target refused the connection: %s (fei %#x)\n",
			q->qid, nvme_tcp_fes_name(le16_to_cpu(t->fes)),
			nvme_tcp_term_fei(t));
		ret = -ECONNREFUSED;
		goto out;
	}
	if (nvme_tcp_check_hdr(&q->wire, rsp, &err)) {
		dev_err(ntcp_dev(q), "queue %u: bad ICResp: %s\n", q->qid,
			err.reason);
		ret = -EPROTO;
		goto out;
	}
	if (rsp->hdr.type != NVME_TCP_ICRESP) {
		dev_err(ntcp_dev(q), "queue %u: %s PDU instead of an ICResp\n",
			q->qid, nvme_tcp_type_name(rsp->hdr.type));
		ret = -EPROTO;
		goto out;
	}
	if (rsp->digest != want) {
		dev_err(ntcp_dev(q), "queue %u: ICResp digests %#x, asked for %#x\n",
			q->qid, rsp->digest, want);
		ret = -EPROTO;
		goto out;
	}
	q->maxh2cdata = le32_to_cpu(rsp->maxh2cdata);
	q->tx_pda = rsp->cpda;
	q->hdgst = opts->hdr_digest;
	q->ddgst = opts->data_digest;
	q->wire.connected = true;
	q->wire.hdgst = q->hdgst;
	q->wire.ddgst = q->ddgst;
	q->wire.rx_pda = 0;
	q->sock->sk->sk_rcvtimeo = MAX_SCHEDULE_TIMEOUT;
	q->sock->sk->sk_sndtimeo = MAX_SCHEDULE_TIMEOUT;
	ret = 0;
out:
	kfree(req);
	kfree(rsp);
	return ret;
}

static void ntcp_install_callbacks(struct ntcp_queue *q)
{
	struct sock *sk = q->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = q;
	q->sk_data_ready = sk->sk_data_ready;
	q->sk_write_space = sk->sk_write_space;
	q->sk_state_change = sk->sk_state_change;
	sk->sk_data_ready = ntcp_sk_data_ready;
	sk->sk_write_space = ntcp_sk_write_space;
	sk->sk_state_change = ntcp_sk_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void ntcp_restore_callbacks(struct ntcp_queue *q)
{
	struct sock *sk = q->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_user_data == q) {
		sk->sk_user_data = NULL;
		sk->sk_data_ready = q->sk_data_ready;
		sk->sk_write_space = q->sk_write_space;
		sk->sk_state_change = q->sk_state_change;
	}
	write_unlock_bh(&sk->sk_callback_lock);
}

/* ------------------------------------------------------------------ */
/* queue ops of the shared fabrics machine                            */
/* ------------------------------------------------------------------ */

/*
 * In-capsule data the I/O queues take, from IOCCSZ (16 byte units, the
 * 64 byte SQE included) as Identify Controller reported it; 0 turns
 * in-capsule data off (also when the target wants it at an offset).
 */
static u32 ntcp_io_icd(struct nvme_ctrl *ctrl)
{
	u32 sqe_units = sizeof(struct nvme_sqe) / 16;

	if (ctrl->icdoff || ctrl->ioccsz <= sqe_units)
		return 0;
	return min_t(u32, (ctrl->ioccsz - sqe_units) * 16, SZ_1M);
}

/* the CPU that blk-mq maps first to the queue's hardware context */
static int ntcp_home_cpu(struct ntcp_ctrl *ctrl, int qid,
			 const struct blk_mq_queue_map **mapp)
{
	struct nvmf_ctrl *fctrl = &ctrl->fctrl;
	unsigned int idx = qid - 1, type, n, cpu;

	*mapp = NULL;
	type = nvmf_queue_type(fctrl, qid, &n);
	if (test_bit(NVMF_CTRL_IO_TAGSET, &fctrl->flags) &&
	    type < fctrl->io_set.nr_maps) {
		const struct blk_mq_queue_map *map = &fctrl->io_set.map[type];

		for_each_online_cpu(cpu)
			if (map->mq_map[cpu] == idx) {
				*mapp = map;
				return cpu;
			}
	}
	/* no map yet: spread like blk-mq's default map would */
	return cpumask_local_spread((idx - (type < HCTX_MAX_TYPES ? n : 0)) %
				    num_online_cpus(), fctrl->ctrl.numa_node);
}

/*
 * Where the queue's io_work runs.  With spread_io_work, a queue whose
 * submitters keep it busy sends and receives on the next online CPU of
 * the home CPU's node that blk-mq does not map to the same hardware
 * context, so the submitting task and the socket work run side by side
 * (see ntcp_queue_req()); else, or when every CPU of the node submits
 * to this queue, on the home CPU itself.  Poll queues always stay home:
 * ->poll reaps where the submitter runs.  Sets @q->spread when io_work
 * left the home CPU.
 */
static void ntcp_place_queue(struct ntcp_ctrl *ctrl, struct ntcp_queue *q)
{
	const struct blk_mq_queue_map *map;
	const struct cpumask *node;
	unsigned int cpu;
	int home;

	q->spread = false;
	if (!q->qid) {
		q->io_cpu = WORK_CPU_UNBOUND;	/* the admin queue */
		return;
	}
	home = ntcp_home_cpu(ctrl, q->qid, &map);
	node = cpumask_of_node(cpu_to_node(home));
	cpu = home;
	q->io_cpu = home;
	if (!spread_io_work || !map || q->polled)
		return;
	for (;;) {
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		if (cpu == home || cpu >= nr_cpu_ids)
			return;
		if (cpumask_test_cpu(cpu, node) &&
		    map->mq_map[cpu] != map->mq_map[home])
			break;
	}
	q->io_cpu = cpu;
	q->spread = true;
}

static int ntcp_alloc_queue(struct nvmf_ctrl *fctrl, int qid,
			    unsigned int depth)
{
	struct ntcp_ctrl *ctrl = container_of(fctrl, struct ntcp_ctrl, fctrl);
	struct ntcp_queue *q;
	unsigned int first;
	int ret;

	if (qid < 0 || qid >= ctrl->nr_queues)
		return -EINVAL;
	q = &ctrl->queues[qid];
	q->ctrl = ctrl;
	q->qid = qid;
	q->flags = 0;
	q->polled = qid && nvmf_queue_type(fctrl, qid, &first) == HCTX_TYPE_POLL;
	ntcp_place_queue(ctrl, q);
	q->icd_max = qid ? ntcp_io_icd(&fctrl->ctrl) : NTCP_ADMIN_ICD;
	ntcp_reset_queue_state(q);

	ret = ntcp_create_socket(ctrl, q);
	if (ret)
		goto out_release;
	ret = kernel_connect(q->sock, (struct sockaddr *)&ctrl->addr,
			     sizeof(ctrl->addr), 0);
	if (ret) {
		dev_err(fctrl->ctrl.dev, "queue %d: cannot connect to %pISpc (%d)\n",
			qid, &ctrl->addr, ret);
		goto out_release;
	}
	ret = ntcp_init_connection(q);
	if (ret)
		goto out_shutdown;
	ntcp_install_callbacks(q);
	set_bit(NTCP_Q_ALLOCATED, &q->flags);
	/* anything that arrived before the callbacks were in place */
	queue_work_on(q->io_cpu, ntcp_wq, &q->io_work);
	return 0;

out_shutdown:
	kernel_sock_shutdown(q->sock, SHUT_RDWR);
out_release:
	if (q->sock) {
		sock_release(q->sock);
		q->sock = NULL;
	}
	return ret;
}

static void ntcp_start_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct ntcp_ctrl *ctrl = container_of(fctrl, struct ntcp_ctrl, fctrl);
	struct ntcp_queue *q = &ctrl->queues[qid];

	/*
	 * The tag set's map exists by now.  Only the Connect has run on the
	 * queue, and it has completed: nr_active is back at 0 whatever
	 * @q->spread was.
	 */
	ntcp_place_queue(ctrl, q);
	set_bit(NTCP_Q_LIVE, &q->flags);
}

static void ntcp_stop_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct ntcp_ctrl *ctrl = container_of(fctrl, struct ntcp_ctrl, fctrl);
	struct ntcp_queue *q = &ctrl->queues[qid];

	if (!q->sock)
		return;
	clear_bit(NTCP_Q_LIVE, &q->flags);
	set_bit(NTCP_Q_STOPPED, &q->flags);
	ntcp_restore_callbacks(q);
	kernel_sock_shutdown(q->sock, SHUT_RDWR);
	cancel_work_sync(&q->io_work);
	ntcp_drop_requests(q);
}

static void ntcp_free_queue(struct nvmf_ctrl *fctrl, int qid)
{
	struct ntcp_ctrl *ctrl = container_of(fctrl, struct ntcp_ctrl, fctrl);
	struct ntcp_queue *q = &ctrl->queues[qid];

	if (q->sock) {
		ntcp_stop_queue(fctrl, qid);
		clear_bit(NTCP_Q_ALLOCATED, &q->flags);
		sock_release(q->sock);
		q->sock = NULL;
	}
}

static void ntcp_free_ctrl(struct nvmf_ctrl *fctrl)
{
	struct ntcp_ctrl *ctrl = container_of(fctrl, struct ntcp_ctrl, fctrl);

	kfree(ctrl->queues);
	kfree(ctrl);
}

static int ntcp_get_address(struct nvmf_ctrl *fctrl, char *buf, int size)
{
	struct ntcp_ctrl *ctrl = container_of(fctrl, struct ntcp_ctrl, fctrl);
	struct ntcp_queue *q = &ctrl->queues[0];
	struct sockaddr_storage src;
	int ret = 0;

	/* the core holds queue_lock: @sock is not freed meanwhile */
	if (q->sock && test_bit(NTCP_Q_ALLOCATED, &q->flags))
		ret = kernel_getsockname(q->sock, (struct sockaddr *)&src);
	if (ret <= 0)
		return 0;
	return scnprintf(buf, size, ",src_addr=%pISc", &src);
}

static const struct nvmf_queue_ops ntcp_queue_ops = {
	.admin_mq_ops	= &ntcp_admin_mq_ops,
	.mq_ops		= &ntcp_mq_ops,
	.cmd_size	= sizeof(struct ntcp_req),
	.nr_maps	= HCTX_MAX_TYPES,
	/* ->queue_rq sends on the socket itself when it can (socket lock) */
	.io_set_flags	= BLK_MQ_F_BLOCKING,
	.alloc_queue	= ntcp_alloc_queue,
	.start_queue	= ntcp_start_queue,
	.stop_queue	= ntcp_stop_queue,
	.free_queue	= ntcp_free_queue,
	.free_ctrl	= ntcp_free_ctrl,
	.get_address	= ntcp_get_address,
};

static const struct nvme_ctrl_ops ntcp_ctrl_ops = {
	NVMF_CTRL_OPS("tcp", 0),
};

/* ------------------------------------------------------------------ */
/* controller creation                                                */
/* ------------------------------------------------------------------ */

static int ntcp_parse_addrs(struct ntcp_ctrl *ctrl, struct device *dev,
			    struct nvmf_ctrl_options *opts)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *ndev;
	int ret;

	if (!(opts->mask & NVMF_OPT_TRSVCID)) {
		snprintf(opts->trsvcid, sizeof(opts->trsvcid), "%u",
			 opts->discovery_nqn ? NVME_TCP_DISC_PORT :
					       NVME_TCP_IO_PORT);
		opts->mask |= NVMF_OPT_TRSVCID;
	}
	ret = inet_pton_with_scope(net, AF_UNSPEC, opts->traddr, opts->trsvcid,
				   &ctrl->addr);
	if (ret) {
		dev_err(dev, "nvme-tcp: invalid traddr %s / trsvcid %s\n",
			opts->traddr, opts->trsvcid);
		return -EINVAL;
	}
	if (opts->mask & NVMF_OPT_HOST_TRADDR) {
		ret = inet_pton_with_scope(net, ctrl->addr.ss_family,
					   opts->host_traddr, NULL,
					   &ctrl->src_addr);
		if (ret) {
			dev_err(dev, "nvme-tcp: invalid host_traddr %s\n",
				opts->host_traddr);
			return -EINVAL;
		}
		ctrl->has_src = true;
	}
	if (opts->mask & NVMF_OPT_HOST_IFACE) {
		ndev = dev_get_by_name(net, opts->host_iface);
		if (!ndev) {
			dev_err(dev, "nvme-tcp: no interface %s\n",
				opts->host_iface);
			return -ENODEV;
		}
		ctrl->ifindex = ndev->ifindex;
		dev_put(ndev);
	}
	return 0;
}

static struct nvme_ctrl *ntcp_create_ctrl(struct device *dev,
					  struct nvmf_ctrl_options *opts)
{
	struct ntcp_ctrl *ctrl;
	unsigned int i;
	int ret;

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl) {
		kfree(opts);
		return ERR_PTR(-ENOMEM);
	}
	ret = ntcp_parse_addrs(ctrl, dev, opts);
	if (ret)
		goto out_free;
	ctrl->nr_queues = 1 + opts->nr_io_queues + opts->nr_write_queues +
			  opts->nr_poll_queues;
	ctrl->queues = kcalloc(ctrl->nr_queues, sizeof(*ctrl->queues),
			       GFP_KERNEL);
	if (!ctrl->queues) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < ctrl->nr_queues; i++) {
		struct ntcp_queue *q = &ctrl->queues[i];

		q->ctrl = ctrl;
		q->qid = i;
		mutex_init(&q->lock);
		INIT_WORK(&q->io_work, ntcp_io_work);
		ntcp_reset_queue_state(q);
	}

	ret = nvmf_init_ctrl(&ctrl->fctrl, dev, &ntcp_ctrl_ops,
			     &ntcp_queue_ops, opts);
	if (ret) {
		kfree(ctrl->queues);
		kfree(ctrl);
		return ERR_PTR(ret);
	}
	ret = nvmf_setup_ctrl(&ctrl->fctrl);
	if (ret) {
		nvmf_abort_ctrl(&ctrl->fctrl);
		return ERR_PTR(ret);
	}
	return &ctrl->fctrl.ctrl;

out_free:
	/* before nvmf_init_ctrl() the options are still ours to free */
	kfree(opts);
	kfree(ctrl->queues);
	kfree(ctrl);
	return ERR_PTR(ret);
}

/* what nvme-tcp accepts beyond the options every transport takes */
#define NTCP_OPTS	(NVMF_OPT_TRSVCID | NVMF_OPT_HOST_TRADDR | \
			 NVMF_OPT_HOST_IFACE | NVMF_OPT_TOS | \
			 NVMF_OPT_HDR_DIGEST | NVMF_OPT_DATA_DIGEST | \
			 NVMF_OPT_NR_WRITE_QUEUES | NVMF_OPT_NR_POLL_QUEUES | \
			 NVMF_OPT_RECONNECT_DELAY | NVMF_OPT_CTRL_LOSS_TMO | \
			 NVMF_OPT_FAIL_FAST_TMO | NVMF_OPT_DISABLE_SQFLOW)

static struct nvmf_transport_ops ntcp_transport = {
	.name		= "tcp",
	.module		= THIS_MODULE,
	.required_opts	= NVMF_OPT_TRADDR,
	.allowed_opts	= NTCP_OPTS,
	.create_ctrl	= ntcp_create_ctrl,
};

static int __init ntcp_init(void)
{
	int ret;

	BUILD_BUG_ON(offsetof(struct ntcp_req, req) != 0);
	BUILD_BUG_ON(sizeof(struct nvme_tcp_cmd_pdu) + 2 * NVME_TCP_DIGEST_LEN >
		     NTCP_TX_HDR_MAX);
	ntcp_wq = alloc_workqueue("nvme_tcp_wq", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!ntcp_wq)
		return -ENOMEM;
	ret = nvmf_register_transport(&ntcp_transport);
	if (ret)
		destroy_workqueue(ntcp_wq);
	return ret;
}

static void __exit ntcp_exit(void)
{
	nvmf_unregister_transport(&ntcp_transport);
	nvmf_delete_all_ctrls(ntcp_transport.name);
	destroy_workqueue(ntcp_wq);
}

module_init(ntcp_init);
module_exit(ntcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NVMe over TCP host transport (out-of-tree)");
MODULE_VERSION("0.1");
