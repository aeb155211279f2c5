/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the NVMe/FC transports and Fibre Channel low
 * level drivers (LLDDs: HBA drivers, or nvme-fcloop in memory).
 *
 * Host side, exported by nvme-fc:
 *   The LLDD registers a local port (an initiator N_Port it owns) and,
 *   as its fabric discovery finds NVMe targets, remote ports on it.
 *   nvme-fc sends link services (LS) and FCP exchanges through the
 *   struct nvme_fc_host_ops of the local port.
 *
 * Target side, exported by nvmet-fc:
 *   The LLDD registers a target port and hands every received NVMe LS
 *   request and FCP command IU to nvmet-fc, which answers through the
 *   struct nvmet_fc_tgt_ops of the port (LS responses, data transfers,
 *   responses).
 *
 * Data is always described by kernel virtual scatterlists; an LLDD that
 * does DMA maps them with its own device.  Names are 64-bit WWNs; an
 * FC address (traddr) is "nn-0x<wwnn>:pn-0x<wwpn>".
 *
 * Rules common to both sides
 *  - Every operation handed to the LLDD gets exactly one ->done call,
 *    from any context (also when it failed or was aborted).
 *  - After an unregister function returned, the transport makes no new
 *    call to the LLDD for that port.  Exchanges already handed over still
 *    complete through their ->done callbacks.
 *  - The receive functions may be called from any context (no sleeping).
 */
#ifndef NVME_OOT_FC_LLDD_H
#define NVME_OOT_FC_LLDD_H

#include <linux/scatterlist.h>
#include <linux/types.h>

/**
 * struct nvme_fc_port_id - names of an FC port
 * @wwnn: world wide node name
 * @wwpn: world wide port name
 * @port_id: N_Port id (24 bits), informational
 */
struct nvme_fc_port_id {
	u64	wwnn;
	u64	wwpn;
	u32	port_id;
};

/* ------------------------------------------------------------------ */
/* host side: nvme-fc                                                 */
/* ------------------------------------------------------------------ */

struct nvme_fc_lport;
struct nvme_fc_rport;

/**
 * struct nvme_fc_ls_op - one LS exchange sent by the host
 * @rqst: request payload (valid until ->done)
 * @rqst_len: its length
 * @rsp: buffer for the response
 * @rsp_len: its size
 * @rsp_rcvd: set by the LLDD: bytes of response received
 * @timeout: seconds the LLDD should allow for the response
 * @lldd_priv: for the LLDD
 * @done: the LLDD calls it once: 0, or a negative errno when no
 *	response arrived (the exchange failed, timed out or was aborted)
 */
struct nvme_fc_ls_op {
	void	*rqst;
	u32	rqst_len;
	void	*rsp;
	u32	rsp_len;
	u32	rsp_rcvd;
	u32	timeout;
	void	*lldd_priv;
	void	(*done)(struct nvme_fc_ls_op *op, int status);
};

/* struct nvme_fc_fcp_op.dir */
enum nvme_fc_data_dir {
	NVME_FC_DIR_NONE,
	NVME_FC_DIR_WRITE,	/* host to controller */
	NVME_FC_DIR_READ,	/* controller to host */
};

/**
 * struct nvme_fc_fcp_op - one FCP exchange (an NVMe command) sent by the host
 * @cmd_iu: the command IU
 * @cmd_len: its length
 * @rsp: buffer for the response IU
 * @rsp_len: its size
 * @rsp_rcvd: set by the LLDD: response bytes received, 0 when the
 *	target completed the exchange with no response payload
 * @sg: data buffer (@data_len bytes), NULL without data
 * @sg_cnt: entries in @sg
 * @data_len: bytes of data
 * @dir: direction of the data
 * @xfrd_len: set by the LLDD: data bytes moved
 * @status: set by the LLDD before ->done: 0, or a negative errno when
 *	the exchange failed (link down, aborted, target refused it)
 * @lldd_priv: for the LLDD
 * @done: the LLDD calls it once the exchange is over
 */
struct nvme_fc_fcp_op {
	void	*cmd_iu;
	u32	cmd_len;
	void	*rsp;
	u32	rsp_len;
	u32	rsp_rcvd;
	struct scatterlist *sg;
	int	sg_cnt;
	u32	data_len;
	enum nvme_fc_data_dir dir;
	u32	xfrd_len;
	int	status;
	void	*lldd_priv;
	void	(*done)(struct nvme_fc_fcp_op *op);
};

/**
 * struct nvme_fc_host_ops - what an initiator LLDD does for nvme-fc
 * @ls_send: start an LS exchange with @rport; 0 or a negative errno
 *	(then ->done is not called)
 * @ls_abort: give up on an LS exchange; its ->done still follows
 * @fcp_send: start an FCP exchange on hardware queue @hwq; 0, -EBUSY
 *	(try again later) or another negative errno (then ->done is not
 *	called)
 * @fcp_abort: abort an exchange; its ->done follows soon, with a
 *	non-zero status unless the exchange had already finished
 * @max_hw_queues: hardware queues (@hwq is 0..max_hw_queues - 1)
 * @max_sgl_segments: largest @sg_cnt
 * @max_xfer_len: largest @data_len
 */
struct nvme_fc_host_ops {
	int	(*ls_send)(struct nvme_fc_lport *lport,
			   struct nvme_fc_rport *rport,
			   struct nvme_fc_ls_op *op);
	void	(*ls_abort)(struct nvme_fc_lport *lport,
			    struct nvme_fc_rport *rport,
			    struct nvme_fc_ls_op *op);
	int	(*fcp_send)(struct nvme_fc_lport *lport,
			    struct nvme_fc_rport *rport, unsigned int hwq,
			    struct nvme_fc_fcp_op *op);
	void	(*fcp_abort)(struct nvme_fc_lport *lport,
			     struct nvme_fc_rport *rport, unsigned int hwq,
			     struct nvme_fc_fcp_op *op);
	unsigned int max_hw_queues;
	unsigned int max_sgl_segments;
	u32	max_xfer_len;
};

/**
 * struct nvme_fc_lport - a registered local (initiator) port
 * @id: its names
 * @lldd_priv: the LLDD's pointer, given at registration
 */
struct nvme_fc_lport {
	struct nvme_fc_port_id id;
	void	*lldd_priv;
};

/**
 * struct nvme_fc_rport - a remote (target) port seen from a local port
 * @id: its names
 * @lport: the local port it was found through
 * @dev_loss_tmo: seconds to wait for a lost port to return before its
 *	controllers are deleted
 * @lldd_priv: the LLDD's pointer, given at (re-)registration
 */
struct nvme_fc_rport {
	struct nvme_fc_port_id id;
	struct nvme_fc_lport *lport;
	u32	dev_loss_tmo;
	void	*lldd_priv;
};

/*
 * nvme_fc_register_lport(): a local port appears.  -EEXIST if one with
 * the same names is registered.
 * nvme_fc_unregister_lport(): it goes; every remote port on it is
 * unregistered and their controllers are deleted (synchronously).
 */
int nvme_fc_register_lport(const struct nvme_fc_port_id *id,
			   const struct nvme_fc_host_ops *ops, void *lldd_priv,
			   struct nvme_fc_lport **lportp);
void nvme_fc_unregister_lport(struct nvme_fc_lport *lport);

/*
 * nvme_fc_register_rport(): a target port became reachable through
 * @lport.  If the same port was lost less than dev_loss_tmo ago, the
 * same object comes back and its controllers reconnect.
 * nvme_fc_unregister_rport(): the port became unreachable: its
 * controllers start error recovery (reconnecting, I/O held) and are
 * deleted if it does not return within dev_loss_tmo.
 */
int nvme_fc_register_rport(struct nvme_fc_lport *lport,
			   const struct nvme_fc_port_id *id, u32 dev_loss_tmo,
			   void *lldd_priv, struct nvme_fc_rport **rportp);
void nvme_fc_unregister_rport(struct nvme_fc_rport *rport);

/* ------------------------------------------------------------------ */
/* target side: nvmet-fc                                              */
/* ------------------------------------------------------------------ */

struct nvmet_fc_tport;

/**
 * struct nvmet_fc_ls_rsp - the answer to one received LS request
 * @buf: response payload, set by nvmet-fc
 * @len: its length
 * @lldd_priv: for the LLDD (its exchange)
 * @nvmet_priv: for nvmet-fc
 * @done: set by nvmet-fc; the LLDD calls it once the response went out
 *	(or could not be sent)
 *
 * The LLDD owns the memory of this struct; nvmet-fc fills it and calls
 * ->ls_rsp once for every nvmet_fc_rcv_ls() that returned 0.
 */
struct nvmet_fc_ls_rsp {
	void	*buf;
	u32	len;
	void	*lldd_priv;
	void	*nvmet_priv;
	void	(*done)(struct nvmet_fc_ls_rsp *rsp);
};

/* struct nvmet_fc_fcp_xchg.op */
enum nvmet_fc_fcp_opcode {
	NVMET_FC_OP_WRITEDATA,		/* fetch @len bytes from the host */
	NVMET_FC_OP_READDATA,		/* send @len bytes to the host */
	NVMET_FC_OP_READDATA_RSP,	/* send data, then the response */
	NVMET_FC_OP_RSP,		/* send the response */
};

/**
 * struct nvmet_fc_fcp_xchg - one received FCP command exchange
 * @op: &enum nvmet_fc_fcp_opcode of the operation asked for
 * @sg: data buffer of the operation
 * @sg_cnt: entries in @sg
 * @offset: byte offset in the command's data of the operation
 * @len: data bytes of the operation
 * @rsp: response IU to send (RSP operations); a length of 0 means the
 *	all-zero short response
 * @rsp_len: its length
 * @status: set by the LLDD before ->done: 0 or a negative errno
 * @xfrd_len: set by the LLDD: bytes moved by the operation
 * @lldd_priv: for the LLDD
 * @nvmet_priv: for nvmet-fc
 * @done: set by nvmet-fc; the LLDD calls it when an operation finished
 *
 * Memory owned by the LLDD.  nvmet-fc issues one operation at a time
 * through ->fcp_op and calls ->fcp_release exactly once, after the last
 * ->done, when it no longer uses the exchange.
 */
struct nvmet_fc_fcp_xchg {
	u8	op;
	struct scatterlist *sg;
	unsigned int sg_cnt;
	u32	offset;
	u32	len;
	void	*rsp;
	u32	rsp_len;
	int	status;
	u32	xfrd_len;
	void	*lldd_priv;
	void	*nvmet_priv;
	void	(*done)(struct nvmet_fc_fcp_xchg *xchg);
};

/**
 * struct nvmet_fc_tgt_ops - what a target LLDD does for nvmet-fc
 * @ls_rsp: send an LS response; 0 or a negative errno (->done then is
 *	not called)
 * @fcp_op: start the operation described by @xchg; 0 or a negative
 *	errno (->done then is not called)
 * @fcp_abort: terminate the exchange without a response (the host sees
 *	it fail); called instead of a response
 * @fcp_release: nvmet-fc is done with @xchg
 * @max_hw_queues: informational
 * @max_sgl_segments: largest @sg_cnt of an operation
 */
struct nvmet_fc_tgt_ops {
	int	(*ls_rsp)(struct nvmet_fc_tport *tport,
			  struct nvmet_fc_ls_rsp *rsp);
	int	(*fcp_op)(struct nvmet_fc_tport *tport,
			  struct nvmet_fc_fcp_xchg *xchg);
	void	(*fcp_abort)(struct nvmet_fc_tport *tport,
			     struct nvmet_fc_fcp_xchg *xchg);
	void	(*fcp_release)(struct nvmet_fc_tport *tport,
			       struct nvmet_fc_fcp_xchg *xchg);
	unsigned int max_hw_queues;
	unsigned int max_sgl_segments;
};

/**
 * struct nvmet_fc_tport - a registered target port
 * @id: its names
 * @lldd_priv: the LLDD's pointer, given at registration
 */
struct nvmet_fc_tport {
	struct nvme_fc_port_id id;
	void	*lldd_priv;
};

/*
 * nvmet_fc_register_tport(): a target port appears; it serves the
 * configfs port whose addr_traddr names it (now or when that port is
 * enabled later).  -EEXIST for a duplicate.
 * nvmet_fc_unregister_tport(): it goes; ends all its associations and
 * waits until their queues are gone.  Process context.
 */
int nvmet_fc_register_tport(const struct nvme_fc_port_id *id,
			    const struct nvmet_fc_tgt_ops *ops,
			    void *lldd_priv, struct nvmet_fc_tport **tportp);
void nvmet_fc_unregister_tport(struct nvmet_fc_tport *tport);

/*
 * nvmet_fc_rcv_ls(): an LS request arrived from the initiator
 * @host_handle (an LLDD cookie for the remote host port); @buf is copied.
 * Returns 0 (->ls_rsp follows) or a negative errno (the LLDD fails the
 * exchange itself).
 * nvmet_fc_rcv_fcp(): a command IU arrived; @cmd_iu is copied.  Returns 0
 * (operations and ->fcp_release follow) or a negative errno.
 * nvmet_fc_host_gone(): the initiator @host_handle logged out: end its
 * associations.
 */
int nvmet_fc_rcv_ls(struct nvmet_fc_tport *tport, void *host_handle,
		    struct nvmet_fc_ls_rsp *rsp, const void *buf, u32 len);
int nvmet_fc_rcv_fcp(struct nvmet_fc_tport *tport,
		     struct nvmet_fc_fcp_xchg *xchg, const void *cmd_iu,
		     u32 len);
void nvmet_fc_host_gone(struct nvmet_fc_tport *tport, void *host_handle);

#endif /* NVME_OOT_FC_LLDD_H */
