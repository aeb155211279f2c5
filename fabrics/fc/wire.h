/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FC-NVMe encoding and validation, shared by the host (nvme-fc), the
 * target (nvmet-fc) and the loopback LLDD (nvme-fcloop), and built in
 * userspace for the unit tests.  Plain C: nothing beyond nvme/compat.h.
 *
 * How it is compiled: Kbuild links one object into one module only, so
 * each module has a one-line wrapper (host-wire.c, target-wire.c,
 * fcloop-wire.c) that #includes wire.c; the symbols are not exported and
 * each module carries its own copy.  Userspace builds wire.c directly.
 *
 * Everything received is checked here before the modules look at it:
 *  - an LS request (target): nvme_fc_check_ls_rqst()
 *  - an LS response (host): nvme_fc_check_ls_rsp()
 *  - a command IU (target): nvme_fc_check_cmd_iu()
 *  - a response IU (host): nvme_fc_check_rsp()
 * A refusal fills struct nvme_fc_wire_err: a reason for the one log line
 * and, for LS requests, the LS_RJT reason and explanation to answer with.
 */
#ifndef NVME_OOT_FC_WIRE_H
#define NVME_OOT_FC_WIRE_H

#include "../../include/nvme/fc.h"

/**
 * struct nvme_fc_wire_err - why something received was refused
 * @reason: short text for the log line
 * @rjt_reason: LS_RJT reason code to answer an LS request with
 * @rjt_exp: LS_RJT reason explanation
 */
struct nvme_fc_wire_err {
	const char *reason;
	u8	rjt_reason;
	u8	rjt_exp;
};

/**
 * struct nvme_fc_ls_rqst_info - a validated LS request
 * @cmd: &enum nvme_fc_ls_cmd
 * @assoc_id: Create I/O Connection, Disconnect: the association
 * @ersp_ratio: Create Association / Connection
 * @sqsize: Create Association / Connection, 0's based
 * @qid: Create I/O Connection (1..65534)
 * @cntlid: Create Association
 * @hostid: Create Association: 16 bytes inside the request
 * @hostnqn: Create Association: NUL terminated, inside the request
 * @subnqn: Create Association: NUL terminated, inside the request
 */
struct nvme_fc_ls_rqst_info {
	u8	cmd;
	u64	assoc_id;
	u16	ersp_ratio;
	u16	sqsize;
	u16	qid;
	u16	cntlid;
	const u8 *hostid;
	const char *hostnqn;
	const char *subnqn;
};

/**
 * struct nvme_fc_ls_rsp_info - a validated LS response
 * @accepted: LS_ACC (else LS_RJT, see @reason / @explanation)
 * @assoc_id: LS_ACC of Create Association
 * @conn_id: LS_ACC of Create Association / Connection
 * @reason: LS_RJT reason code
 * @explanation: LS_RJT reason explanation
 */
struct nvme_fc_ls_rsp_info {
	bool	accepted;
	u64	assoc_id;
	u64	conn_id;
	u8	reason;
	u8	explanation;
};

/* ---- link services ---- */

u32 nvme_fc_build_create_assoc(struct nvme_fc_ls_create_assoc *rq,
			       u16 ersp_ratio, u16 sqsize, u16 cntlid,
			       const u8 *hostid, const char *hostnqn,
			       const char *subnqn);
u32 nvme_fc_build_create_conn(struct nvme_fc_ls_create_conn *rq,
			      u64 assoc_id, u16 ersp_ratio, u16 qid,
			      u16 sqsize);
u32 nvme_fc_build_disconnect(struct nvme_fc_ls_disconnect *rq, u64 assoc_id);
u32 nvme_fc_build_assoc_acc(struct nvme_fc_ls_create_assoc_acc *acc,
			    u64 assoc_id, u64 conn_id);
u32 nvme_fc_build_conn_acc(struct nvme_fc_ls_create_conn_acc *acc,
			   u64 conn_id);
u32 nvme_fc_build_disc_acc(struct nvme_fc_ls_disconnect_acc *acc);
u32 nvme_fc_build_rjt(struct nvme_fc_ls_rjt *rjt, u8 cmd, u8 reason,
		      u8 explanation);

int nvme_fc_check_ls_rqst(const void *buf, u32 len,
			  struct nvme_fc_ls_rqst_info *info,
			  struct nvme_fc_wire_err *err);
int nvme_fc_check_ls_rsp(u8 rqst_cmd, const void *buf, u32 len,
			 struct nvme_fc_ls_rsp_info *info,
			 struct nvme_fc_wire_err *err);

/* ---- FCP IUs ---- */

void nvme_fc_build_cmd_iu(struct nvme_fc_cmd_iu *iu, u64 conn_id, u32 csn,
			  u32 data_len, u8 flags, const struct nvme_sqe *sqe);
int nvme_fc_check_cmd_iu(const void *buf, u32 len, u32 max_data_len,
			 struct nvme_fc_wire_err *err);

void nvme_fc_build_ersp(struct nvme_fc_ersp_iu *iu, u32 rsn, u32 xfrd_len,
			const struct nvme_cqe *cqe);
bool nvme_fc_ersp_needed(const struct nvme_cqe *cqe, u32 xfrd_len,
			 u32 data_len, u32 nr_rsp, u16 ersp_ratio);

/**
 * struct nvme_fc_rsp_info - a validated response IU
 * @ersp: an ERSP (else a short "all good" response)
 * @rsn: ERSP: response sequence number
 * @xfrd_len: bytes transferred (a short response: all of them)
 * @cqe: ERSP: the completion (pointer into the buffer)
 */
struct nvme_fc_rsp_info {
	bool	ersp;
	u32	rsn;
	u32	xfrd_len;
	const struct nvme_cqe *cqe;
};

int nvme_fc_check_rsp(const void *buf, u32 len, u32 data_len, u16 cid,
		      struct nvme_fc_rsp_info *info,
		      struct nvme_fc_wire_err *err);

/* ---- identifiers and addresses ---- */

/*
 * Connection ids handed out by our target: the association id has its
 * low 16 bits clear, a connection id is the association id plus the qid.
 * The host treats both as opaque.
 */
#define NVME_FC_CONN_QID_MASK	0xffffull

static inline u64 nvme_fc_conn_id(u64 assoc_id, u16 qid)
{
	return assoc_id | qid;
}

static inline u16 nvme_fc_conn_qid(u64 conn_id)
{
	return (u16)(conn_id & NVME_FC_CONN_QID_MASK);
}

static inline u64 nvme_fc_conn_assoc(u64 conn_id)
{
	return conn_id & ~NVME_FC_CONN_QID_MASK;
}

/* "nn-0x<16 hex>:pn-0x<16 hex>" (0x optional, 1..16 digits accepted) */
#define NVME_FC_TRADDR_LEN	44	/* incl. the NUL */
int nvme_fc_parse_traddr(const char *s, u64 *wwnn, u64 *wwpn);
int nvme_fc_format_traddr(char *buf, u32 size, u64 wwnn, u64 wwpn);

/* option words of the fcloop control files */
#define NVME_FC_OPT_WWNN	BIT(0)
#define NVME_FC_OPT_WWPN	BIT(1)
#define NVME_FC_OPT_LPWWNN	BIT(2)
#define NVME_FC_OPT_LPWWPN	BIT(3)
#define NVME_FC_OPT_ROLES	BIT(4)
#define NVME_FC_OPT_FCADDR	BIT(5)

/**
 * struct nvme_fc_port_opts - "wwnn=0x..,wwpn=0x..[,lpwwnn=..,lpwwpn=..]"
 * @mask: %NVME_FC_OPT_* present
 * @wwnn: node name
 * @wwpn: port name
 * @lpwwnn: remote port: node name of the local port it hangs off
 * @lpwwpn: remote port: port name of that local port
 * @roles: FC roles (accepted, not interpreted)
 * @fcaddr: FC address (N_Port id, 24 bits)
 */
struct nvme_fc_port_opts {
	u32	mask;
	u64	wwnn;
	u64	wwpn;
	u64	lpwwnn;
	u64	lpwwpn;
	u64	roles;
	u64	fcaddr;
};

int nvme_fc_parse_port_opts(const char *buf, u32 len,
			    struct nvme_fc_port_opts *opts);

#endif /* NVME_OOT_FC_WIRE_H */
