// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-tcp: listening sockets, the transport ops the target core calls,
 * and the module.
 *
 * A port listens from add_port until remove_port; its listening socket's
 * data_ready callback queues accept_work, which accepts every pending
 * connection and hands it to nvmet_tcp_queue_create() (target.c).
 * remove_port stops the listener first, so no new queue can appear, then
 * starts the teardown of the port's queues.  It does not wait for them:
 * the core calls it with nvmet_config_sem held, and a queue's teardown
 * waits for its in-flight commands, a Connect among them may be waiting
 * for that semaphore.  Queues hold a reference on the port instead, and
 * a dead queue hands no new command to the core.
 */
#define pr_fmt(fmt) "nvmet_tcp: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/inet.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "target.h"

struct workqueue_struct *nvmet_tcp_wq;
struct workqueue_struct *nvmet_tcp_release_wq;

#define NVMET_TCP_BACKLOG	128

static void nvmet_tcp_accept_work(struct work_struct *work)
{
	struct nvmet_tcp_port *port =
		container_of(work, struct nvmet_tcp_port, accept_work);
	struct socket *sock;
	int ret;

	for (;;) {
		ret = kernel_accept(port->sock, &sock, O_NONBLOCK);
		if (ret < 0) {
			if (ret != -EAGAIN)
				pr_warn_ratelimited("port %d: accept failed: %d\n",
						    port->nport->portid, ret);
			return;
		}
		ret = nvmet_tcp_queue_create(port, sock);
		if (ret) {
			pr_warn_ratelimited("port %d: cannot set up a connection: %d\n",
					    port->nport->portid, ret);
			sock_release(sock);
		}
	}
}

static void nvmet_tcp_port_free(struct kref *ref)
{
	kfree(container_of(ref, struct nvmet_tcp_port, ref));
}

void nvmet_tcp_port_put(struct nvmet_tcp_port *port)
{
	kref_put(&port->ref, nvmet_tcp_port_free);
}

static void nvmet_tcp_listen_data_ready(struct sock *sk)
{
	struct nvmet_tcp_port *port;

	read_lock_bh(&sk->sk_callback_lock);
	port = sk->sk_user_data;
	if (port && sk->sk_state == TCP_LISTEN)
		queue_work(nvmet_tcp_wq, &port->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static int nvmet_tcp_add_port(struct nvmet_port *nport)
{
	struct nvmet_tcp_port *port;
	unsigned short af;
	struct sock *sk;
	int ret;

	switch (nport->adrfam) {
	case NVMF_ADRFAM_IPV4:
		af = AF_INET;
		break;
	case NVMF_ADRFAM_IPV6:
		af = AF_INET6;
		break;
	default:
		pr_err("port %d: address family %d is not IPv4 or IPv6\n",
		       nport->portid, nport->adrfam);
		return -EINVAL;
	}

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	kref_init(&port->ref);
	port->nport = nport;
	INIT_WORK(&port->accept_work, nvmet_tcp_accept_work);

	ret = inet_pton_with_scope(&init_net, af, nport->traddr, nport->trsvcid,
				   &port->addr);
	if (ret) {
		pr_err("port %d: bad address %s:%s\n", nport->portid,
		       nport->traddr, nport->trsvcid);
		goto out_free;
	}

	if (nport->inline_data_size < 0)
		nport->inline_data_size = NVMET_TCP_DEF_INLINE;
	else if (nport->inline_data_size > NVMET_MAX_INLINE)
		nport->inline_data_size = NVMET_MAX_INLINE;

	ret = sock_create_kern(&init_net, port->addr.ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &port->sock);
	if (ret) {
		pr_err("port %d: cannot create a socket: %d\n", nport->portid, ret);
		goto out_free;
	}
	sk = port->sock->sk;
	sk->sk_user_data = port;
	port->data_ready = sk->sk_data_ready;
	sk->sk_data_ready = nvmet_tcp_listen_data_ready;
	sock_set_reuseaddr(sk);
	tcp_sock_set_nodelay(sk);
	/* "::" and "0.0.0.0" ports may coexist on one service id */
	if (af == AF_INET6)
		ip6_sock_set_v6only(sk);

	ret = kernel_bind(port->sock, (struct sockaddr *)&port->addr,
			  sizeof(port->addr));
	if (ret) {
		pr_err("port %d: cannot bind %pISpc: %d\n", nport->portid,
		       &port->addr, ret);
		goto out_sock;
	}
	ret = kernel_listen(port->sock, NVMET_TCP_BACKLOG);
	if (ret) {
		pr_err("port %d: cannot listen on %pISpc: %d\n", nport->portid,
		       &port->addr, ret);
		goto out_sock;
	}
	nport->priv = port;
	pr_info("port %d: listening on %pISpc\n", nport->portid, &port->addr);
	return 0;

out_sock:
	sock_release(port->sock);
out_free:
	kfree(port);
	return ret;
}

static void nvmet_tcp_remove_port(struct nvmet_port *nport)
{
	struct nvmet_tcp_port *port = nport->priv;
	struct sock *sk = port->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = port->data_ready;
	sk->sk_user_data = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
	cancel_work_sync(&port->accept_work);

	/* no new queue now; end the ones this port accepted */
	nvmet_tcp_kill_queues(port, NULL);

	sock_release(port->sock);
	port->sock = NULL;
	nport->priv = NULL;
	nvmet_tcp_port_put(port);
}

static void nvmet_tcp_delete_ctrl(struct nvmet_ctrl *ctrl)
{
	nvmet_tcp_kill_queues(NULL, ctrl);
}

const struct nvmet_fabrics_ops nvmet_tcp_ops = {
	.owner		= THIS_MODULE,
	.type		= NVMF_TRTYPE_TCP,
	.flags		= NVMET_OPS_INLINE_DATA | NVMET_OPS_DISABLE_SQFLOW,
	.msdbd		= 1,
	.add_port	= nvmet_tcp_add_port,
	.remove_port	= nvmet_tcp_remove_port,
	.queue_response	= nvmet_tcp_queue_response,
	.delete_ctrl	= nvmet_tcp_delete_ctrl,
	.disc_traddr	= nvmet_tcp_disc_traddr,
};

static int __init nvmet_tcp_init(void)
{
	int ret = -ENOMEM;

	nvmet_tcp_wq = alloc_workqueue("nvmet_tcp_wq", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!nvmet_tcp_wq)
		return ret;
	nvmet_tcp_release_wq = alloc_workqueue("nvmet_tcp_release_wq",
					       WQ_MEM_RECLAIM, 0);
	if (!nvmet_tcp_release_wq)
		goto out_wq;
	ret = nvmet_tcp_queues_init();
	if (ret)
		goto out_release_wq;
	ret = nvmet_register_transport(&nvmet_tcp_ops);
	if (ret)
		goto out_queues;
	return 0;

out_queues:
	nvmet_tcp_queues_exit();
out_release_wq:
	destroy_workqueue(nvmet_tcp_release_wq);
out_wq:
	destroy_workqueue(nvmet_tcp_wq);
	return ret;
}

static void __exit nvmet_tcp_exit(void)
{
	nvmet_unregister_transport(&nvmet_tcp_ops);
	/* ports pin the module, so only stray queues can be left */
	nvmet_tcp_queues_exit();
	destroy_workqueue(nvmet_tcp_release_wq);
	destroy_workqueue(nvmet_tcp_wq);
}

module_init(nvmet_tcp_init);
module_exit(nvmet_tcp_exit);

MODULE_DESCRIPTION("NVMe over Fabrics target: TCP transport");
MODULE_LICENSE("GPL");
MODULE_ALIAS("nvmet-transport-3"); /* NVMF_TRTYPE_TCP */
