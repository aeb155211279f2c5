// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for fabrics/options.c: any byte string written to
 * /dev/nvme-fabrics.  Invariants checked on every input:
 *  - the parser returns 0 or -EINVAL and logs exactly once on failure;
 *  - on success every string field is NUL terminated inside its buffer,
 *    transport and nqn are present and every number is inside its limits;
 *  - the supported-option list always fits and ends in a newline.
 */
#include <stdlib.h>
#include <string.h>

#include "fabrics/options.h"
#include "options_fuzz.h"

struct options_fuzz_stats options_fuzz_stats;

static void count_log(void *ctx, const char *msg)
{
	unsigned int *n = ctx;

	if (!msg || strlen(msg) >= 96)
		abort();
	(*n)++;
}

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvmf_ctrl_options o;
	unsigned int logs = 0;
	char list[1024];
	int ret;

	ret = nvmf_parse_options(&o, (const char *)data, size,
				 1 + (size ? data[0] % 8 : 0), count_log, &logs);
	if (ret) {
		if (ret != -EINVAL || logs != 1)
			abort();
		options_fuzz_stats.einval++;
		return 0;
	}
	if (logs)
		abort();
	options_fuzz_stats.ok++;
	check_str(o.transport, sizeof(o.transport));
	check_str(o.subsysnqn, sizeof(o.subsysnqn));
	check_str(o.traddr, sizeof(o.traddr));
	check_str(o.trsvcid, sizeof(o.trsvcid));
	check_str(o.host_traddr, sizeof(o.host_traddr));
	check_str(o.host_iface, sizeof(o.host_iface));
	check_str(o.hostnqn, sizeof(o.hostnqn));
	if (!(o.mask & NVMF_OPT_TRANSPORT) || !(o.mask & NVMF_OPT_NQN))
		abort();
	if (o.queue_size < NVMF_MIN_QUEUE_SIZE ||
	    o.queue_size > NVMF_MAX_QUEUE_SIZE)
		abort();
	if (!o.discovery_nqn && (o.nr_io_queues < 1 || o.nr_io_queues > 8))
		abort();
	if (o.discovery_nqn && (o.nr_io_queues || o.nr_write_queues ||
				o.nr_poll_queues))
		abort();
	if (o.kato < 0 || o.reconnect_delay <= 0 || o.ctrl_loss_tmo < -1 ||
	    o.fast_io_fail_tmo < -1 || o.tos < -1 || o.tos > 255)
		abort();
	if (nvmf_max_reconnects(o.ctrl_loss_tmo, o.reconnect_delay) < -1)
		abort();
	ret = nvmf_format_opt_list(list, sizeof(list));
	if (ret <= 0 || list[ret - 1] != '\n')
		abort();
	return 0;
}
