/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option strings written to /dev/nvme-fabrics: "transport=tcp,traddr=...".
 *
 * Plain C: compiled into nvme-fabrics and into the userspace unit tests
 * and fuzzer.  The parser allocates nothing; every string lands in a
 * fixed buffer of struct nvmf_ctrl_options, so a parse can fail at any
 * point without cleanup.
 */
#ifndef NVME_OOT_FABRICS_OPTIONS_H
#define NVME_OOT_FABRICS_OPTIONS_H

#include "../include/nvme/compat.h"
#include "../include/nvme/fabrics.h"

/* option bits: struct nvmf_ctrl_options.mask, transport allowed/required */
enum {
	NVMF_OPT_TRANSPORT	= 1u << 0,
	NVMF_OPT_NQN		= 1u << 1,
	NVMF_OPT_TRADDR		= 1u << 2,
	NVMF_OPT_TRSVCID	= 1u << 3,
	NVMF_OPT_QUEUE_SIZE	= 1u << 4,
	NVMF_OPT_NR_IO_QUEUES	= 1u << 5,
	NVMF_OPT_TL_RETRY_COUNT	= 1u << 6,
	NVMF_OPT_KATO		= 1u << 7,
	NVMF_OPT_HOSTNQN	= 1u << 8,
	NVMF_OPT_RECONNECT_DELAY = 1u << 9,
	NVMF_OPT_HOST_TRADDR	= 1u << 10,
	NVMF_OPT_CTRL_LOSS_TMO	= 1u << 11,
	NVMF_OPT_HOST_ID	= 1u << 12,
	NVMF_OPT_DUP_CONNECT	= 1u << 13,
	NVMF_OPT_DISABLE_SQFLOW	= 1u << 14,
	NVMF_OPT_HDR_DIGEST	= 1u << 15,
	NVMF_OPT_DATA_DIGEST	= 1u << 16,
	NVMF_OPT_NR_WRITE_QUEUES = 1u << 17,
	NVMF_OPT_NR_POLL_QUEUES	= 1u << 18,
	NVMF_OPT_TOS		= 1u << 19,
	NVMF_OPT_FAIL_FAST_TMO	= 1u << 20,
	NVMF_OPT_HOST_IFACE	= 1u << 21,
	NVMF_OPT_DISCOVERY	= 1u << 22,
	NVMF_OPT_DHCHAP_SECRET	= 1u << 23,
	NVMF_OPT_DHCHAP_CTRL_SECRET = 1u << 24,
};

/* every transport needs these */
#define NVMF_REQUIRED_OPTS	(NVMF_OPT_TRANSPORT | NVMF_OPT_NQN)
/* every transport accepts these (handled by the fabrics core) */
#define NVMF_ALLOWED_OPTS	(NVMF_OPT_QUEUE_SIZE | NVMF_OPT_NR_IO_QUEUES | \
				 NVMF_OPT_KATO | NVMF_OPT_HOSTNQN | \
				 NVMF_OPT_HOST_ID | NVMF_OPT_DUP_CONNECT | \
				 NVMF_OPT_DISCOVERY | NVMF_OPT_DHCHAP_SECRET | \
				 NVMF_OPT_DHCHAP_CTRL_SECRET)

/* limits and defaults (the values Linux uses, so scripts behave alike) */
#define NVMF_TRANSPORT_SIZE	16
#define NVMF_TRADDR_SIZE	256
#define NVMF_TRSVCID_SIZE	32
#define NVMF_IFACE_SIZE		16	/* IFNAMSIZ */
#define NVMF_MIN_QUEUE_SIZE	16
#define NVMF_MAX_QUEUE_SIZE	1024
#define NVMF_DEF_QUEUE_SIZE	128
/* largest timeout in seconds: * 1000 (ms, jiffies at HZ 1000) fits an int */
#define NVMF_MAX_TMO_S		2147483
#define NVMF_MAX_TMO_STR	"2147483"
#define NVMF_DEF_RECONNECT_DELAY 10
#define NVMF_DEF_CTRL_LOSS_TMO	600
#define NVMF_DEF_FAIL_FAST_TMO	(-1)	/* off */
#define NVMF_DEF_KATO		5
#define NVMF_MAX_OPTS_LEN	4096	/* longer writes are refused */

/**
 * struct nvmf_ctrl_options - a parsed controller creation request
 * @mask: NVMF_OPT_* of the options present in the string
 * @transport: "tcp", "rdma", "fc", "loop"
 * @subsysnqn: subsystem NQN (nqn=)
 * @traddr: transport address
 * @trsvcid: transport service id (port)
 * @host_traddr: local address to connect from
 * @host_iface: local interface to connect through
 * @hostnqn: host NQN; empty = the module's default host NQN
 * @hostid: host identifier (16 bytes, as sent in the Connect data)
 * @queue_size: I/O queue depth (entries)
 * @nr_io_queues: I/O queues for reads and writes (or reads only when
 *	@nr_write_queues is set)
 * @nr_write_queues: extra queues for writes
 * @nr_poll_queues: extra polled queues
 * @kato: keep alive timeout in seconds, 0 = no keep alive
 * @reconnect_delay: seconds between reconnect attempts
 * @ctrl_loss_tmo: seconds to keep reconnecting, -1 = forever
 * @fast_io_fail_tmo: seconds after which queued I/O fails, -1 = never
 * @tos: type of service for the transport's sockets, -1 = default
 * @duplicate_connect: allow a second controller to the same address
 * @disable_sqflow: ask for SQ flow control to be disabled
 * @hdr_digest: TCP header digest
 * @data_digest: TCP data digest
 * @discovery_nqn: @subsysnqn is the well known discovery NQN
 * @persistent_discovery: "discovery" given: keep-alive on a discovery ctrl
 */
struct nvmf_ctrl_options {
	unsigned int mask;
	char transport[NVMF_TRANSPORT_SIZE];
	char subsysnqn[NVMF_NQN_MAX_LEN + 1];
	char traddr[NVMF_TRADDR_SIZE];
	char trsvcid[NVMF_TRSVCID_SIZE];
	char host_traddr[NVMF_TRADDR_SIZE];
	char host_iface[NVMF_IFACE_SIZE];
	char hostnqn[NVMF_NQN_MAX_LEN + 1];
	u8 hostid[16];
	unsigned int queue_size;
	unsigned int nr_io_queues;
	unsigned int nr_write_queues;
	unsigned int nr_poll_queues;
	int kato;
	int reconnect_delay;
	int ctrl_loss_tmo;
	int fast_io_fail_tmo;
	int tos;
	bool duplicate_connect;
	bool disable_sqflow;
	bool hdr_digest;
	bool data_digest;
	bool discovery_nqn;
	bool persistent_discovery;
};

/**
 * typedef nvmf_opt_log_fn - where the parser reports what it refused
 * @ctx: caller's context
 * @msg: one line, no newline, naming the option
 */
typedef void (*nvmf_opt_log_fn)(void *ctx, const char *msg);

/**
 * nvmf_parse_options() - parse an option string into @opts
 * @opts: output; fully initialised (defaults) by the call
 * @buf: the string, not necessarily NUL terminated
 * @len: its length
 * @nr_cpus: upper bound for nr_io_queues and friends (online CPUs)
 * @log: called once with a message when the parse fails (may be NULL)
 * @ctx: passed to @log
 *
 * Return: 0, or -EINVAL (malformed, unknown, out of range, required
 * option missing), -ENOMEM never.
 */
int nvmf_parse_options(struct nvmf_ctrl_options *opts, const char *buf,
		       size_t len, unsigned int nr_cpus,
		       nvmf_opt_log_fn log, void *ctx);

/**
 * nvmf_check_opts_mask() - are the options present allowed for a transport?
 * @opts: parsed options
 * @required: options the transport needs beyond NVMF_REQUIRED_OPTS
 * @allowed: options the transport accepts beyond NVMF_ALLOWED_OPTS
 * @bad: set to the first offending option bit (may be NULL)
 *
 * Return: 0, -EINVAL when a required option is missing or an option
 * present is not allowed.
 */
int nvmf_check_opts_mask(const struct nvmf_ctrl_options *opts,
			 unsigned int required, unsigned int allowed,
			 unsigned int *bad);

/**
 * nvmf_opt_name() - option name of a single NVMF_OPT_* bit
 * @bit: one option bit
 *
 * Return: "traddr" etc., or "?" for an unknown bit.
 */
const char *nvmf_opt_name(unsigned int bit);

/**
 * nvmf_format_opt_list() - the list a read of an idle /dev/nvme-fabrics shows
 * @buf: output buffer
 * @size: its size
 *
 * "instance=-1,cntlid=-1,transport=%s,traddr=%s,...\n": libnvme reads it
 * to learn which options this kernel understands.
 * Return: characters written (without the NUL), truncated to @size - 1.
 */
int nvmf_format_opt_list(char *buf, size_t size);

/**
 * nvmf_max_reconnects() - reconnect attempts before a controller is lost
 * @ctrl_loss_tmo: seconds, negative = forever
 * @reconnect_delay: seconds between attempts, > 0
 *
 * Return: attempts, or -1 for no limit.
 */
int nvmf_max_reconnects(int ctrl_loss_tmo, int reconnect_delay);

#endif /* NVME_OOT_FABRICS_OPTIONS_H */
