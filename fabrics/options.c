// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of the option strings written to /dev/nvme-fabrics.
 *
 * The string is a comma (or newline) separated list of "key=value" and
 * bare "flag" words.  The keys, their meaning, the limits and the
 * defaults are those of Linux, because nvme-cli and libnvme generate
 * these strings and read the list of supported keys back.
 *
 * Plain C (kernel and userspace): no allocation, no kernel helpers.
 */
#include "options.h"

#ifndef __KERNEL__
#include <stdio.h>
#define EXPORT_SYMBOL_GPL(sym)
#else
#include <linux/export.h>
#endif

enum nvmf_opt_type {
	NVMF_T_STR,	/* copied into a fixed buffer */
	NVMF_T_INT,	/* decimal or 0x hex, range checked */
	NVMF_T_FLAG,	/* bare word, no value */
	NVMF_T_UUID,	/* 8-4-4-4-12 hex digits */
};

/**
 * struct nvmf_opt_desc - one key of the option language
 * @name: the key
 * @bit: its NVMF_OPT_* bit
 * @type: how its value is written
 * @fmt: "%s", "%d" or "" as shown in the list of supported options
 * @str_off: for NVMF_T_STR, offset of the buffer in the options
 * @str_size: for NVMF_T_STR, size of that buffer (NUL included)
 */
struct nvmf_opt_desc {
	const char *name;
	unsigned int bit;
	enum nvmf_opt_type type;
	const char *fmt;
	size_t str_off;
	size_t str_size;
};

#define OPT_OFF(_field)	offsetof(struct nvmf_ctrl_options, _field)
#define OPT_SZ(_field)	sizeof_field(struct nvmf_ctrl_options, _field)
#define STR_OPT(_name, _bit, _off, _size)				\
	{ _name, _bit, NVMF_T_STR, "%s", _off, _size }
#define INT_OPT(_name, _bit)	{ _name, _bit, NVMF_T_INT, "%d", 0, 0 }
#define FLAG_OPT(_name, _bit)	{ _name, _bit, NVMF_T_FLAG, "", 0, 0 }

/* in the order Linux lists them when /dev/nvme-fabrics is read */
static const struct nvmf_opt_desc nvmf_opts[] = {
	STR_OPT("transport", NVMF_OPT_TRANSPORT, OPT_OFF(transport), OPT_SZ(transport)),
	STR_OPT("traddr", NVMF_OPT_TRADDR, OPT_OFF(traddr), OPT_SZ(traddr)),
	STR_OPT("trsvcid", NVMF_OPT_TRSVCID, OPT_OFF(trsvcid), OPT_SZ(trsvcid)),
	STR_OPT("nqn", NVMF_OPT_NQN, OPT_OFF(subsysnqn), OPT_SZ(subsysnqn)),
	INT_OPT("queue_size", NVMF_OPT_QUEUE_SIZE),
	INT_OPT("nr_io_queues", NVMF_OPT_NR_IO_QUEUES),
	INT_OPT("reconnect_delay", NVMF_OPT_RECONNECT_DELAY),
	INT_OPT("ctrl_loss_tmo", NVMF_OPT_CTRL_LOSS_TMO),
	INT_OPT("keep_alive_tmo", NVMF_OPT_KATO),
	STR_OPT("hostnqn", NVMF_OPT_HOSTNQN, OPT_OFF(hostnqn), OPT_SZ(hostnqn)),
	STR_OPT("host_traddr", NVMF_OPT_HOST_TRADDR, OPT_OFF(host_traddr), OPT_SZ(host_traddr)),
	STR_OPT("host_iface", NVMF_OPT_HOST_IFACE, OPT_OFF(host_iface), OPT_SZ(host_iface)),
	{ "hostid", NVMF_OPT_HOST_ID, NVMF_T_UUID, "%s", 0, 0 },
	FLAG_OPT("duplicate_connect", NVMF_OPT_DUP_CONNECT),
	FLAG_OPT("disable_sqflow", NVMF_OPT_DISABLE_SQFLOW),
	FLAG_OPT("hdr_digest", NVMF_OPT_HDR_DIGEST),
	FLAG_OPT("data_digest", NVMF_OPT_DATA_DIGEST),
	INT_OPT("nr_write_queues", NVMF_OPT_NR_WRITE_QUEUES),
	INT_OPT("nr_poll_queues", NVMF_OPT_NR_POLL_QUEUES),
	INT_OPT("tos", NVMF_OPT_TOS),
	INT_OPT("fast_io_fail_tmo", NVMF_OPT_FAIL_FAST_TMO),
	FLAG_OPT("discovery", NVMF_OPT_DISCOVERY),
	/* accepted and ignored: this host has no in-band authentication */
	{ "dhchap_secret", NVMF_OPT_DHCHAP_SECRET, NVMF_T_STR, "%s", 0, 0 },
	{ "dhchap_ctrl_secret", NVMF_OPT_DHCHAP_CTRL_SECRET, NVMF_T_STR,
	  "%s", 0, 0 },
};

#define NVMF_NR_OPTS	ARRAY_SIZE(nvmf_opts)

/* report one refusal; @opt is the offending word (not NUL terminated) */
static int nvmf_opt_fail(nvmf_opt_log_fn log, void *ctx, const char *why,
			 const char *opt, size_t opt_len)
{
	char msg[96];

	if (!log)
		return -EINVAL;
	if (opt_len > 40)
		opt_len = 40;	/* enough to name it, not a flood */
	if (opt)
		snprintf(msg, sizeof(msg), "%s: '%.*s'", why, (int)opt_len,
			 opt);
	else
		snprintf(msg, sizeof(msg), "%s", why);
	log(ctx, msg);
	return -EINVAL;
}

static const struct nvmf_opt_desc *nvmf_find_opt(const char *key,
						 size_t key_len)
{
	size_t i;

	for (i = 0; i < NVMF_NR_OPTS; i++) {
		if (strlen(nvmf_opts[i].name) == key_len &&
		    !memcmp(nvmf_opts[i].name, key, key_len))
			return &nvmf_opts[i];
	}
	return NULL;
}

/* decimal with optional sign, or 0x hex; the whole of @s must be used */
static int nvmf_parse_int(const char *s, size_t n, int *out)
{
	const long long limit = 0x7fffffffLL;
	unsigned int base = 10;
	bool neg = false;
	long long v = 0;
	size_t i = 0;

	if (n && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i >= n)
		return -EINVAL;
	for (; i < n; i++) {
		unsigned int d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v * base + d;
		if (v > limit + 1)
			return -EINVAL;
	}
	if (neg)
		v = -v;
	if (v > limit || v < -limit - 1)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int nvmf_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into 16 bytes, in string order */
static int nvmf_parse_uuid(const char *s, size_t n, u8 out[16])
{
	size_t i, b = 0;

	if (n != 36)
		return -EINVAL;
	for (i = 0; i < n; ) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = nvmf_hex_digit(s[i]);
		lo = nvmf_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[b++] = (u8)(hi << 4 | lo);
		i += 2;
	}
	return b == 16 ? 0 : -EINVAL;
}

static unsigned int nvmf_clamp_cpus(int v, unsigned int nr_cpus)
{
	return (unsigned int)v < nr_cpus ? (unsigned int)v : nr_cpus;
}

static int nvmf_store_int(struct nvmf_ctrl_options *o, unsigned int bit,
			  int v, unsigned int nr_cpus, const char **why)
{
	switch (bit) {
	case NVMF_OPT_QUEUE_SIZE:
		if (v < NVMF_MIN_QUEUE_SIZE || v > NVMF_MAX_QUEUE_SIZE) {
			*why = "queue_size must be 16..1024";
			return -EINVAL;
		}
		o->queue_size = v;
		break;
	case NVMF_OPT_NR_IO_QUEUES:
		if (v <= 0) {
			*why = "nr_io_queues must be > 0";
			return -EINVAL;
		}
		o->nr_io_queues = nvmf_clamp_cpus(v, nr_cpus);
		break;
	case NVMF_OPT_NR_WRITE_QUEUES:
	case NVMF_OPT_NR_POLL_QUEUES:
		if (v < 0) {
			*why = "number of queues must be >= 0";
			return -EINVAL;
		}
		if (bit == NVMF_OPT_NR_WRITE_QUEUES)
			o->nr_write_queues = nvmf_clamp_cpus(v, nr_cpus);
		else
			o->nr_poll_queues = nvmf_clamp_cpus(v, nr_cpus);
		break;
	/*
	 * Seconds are turned into milliseconds (the Connect's KATO) and
	 * jiffies: NVMF_MAX_TMO_S keeps both in range.
	 */
	case NVMF_OPT_KATO:
		if (v < 0 || v > NVMF_MAX_TMO_S) {
			*why = "keep_alive_tmo must be 0.." NVMF_MAX_TMO_STR;
			return -EINVAL;
		}
		o->kato = v;
		break;
	case NVMF_OPT_RECONNECT_DELAY:
		if (v <= 0 || v > NVMF_MAX_TMO_S) {
			*why = "reconnect_delay must be 1.." NVMF_MAX_TMO_STR;
			return -EINVAL;
		}
		o->reconnect_delay = v;
		break;
	case NVMF_OPT_CTRL_LOSS_TMO:
		o->ctrl_loss_tmo = v < 0 ? -1 : v;	/* < 0: forever */
		break;
	case NVMF_OPT_FAIL_FAST_TMO:
		if (v > NVMF_MAX_TMO_S) {
			*why = "fast_io_fail_tmo must be at most " NVMF_MAX_TMO_STR;
			return -EINVAL;
		}
		o->fast_io_fail_tmo = v < 0 ? -1 : v;	/* < 0: off */
		break;
	case NVMF_OPT_TOS:
		if (v < 0) {
			*why = "tos must be >= 0";
			return -EINVAL;
		}
		o->tos = v > 255 ? 255 : v;
		break;
	default:
		*why = "internal: no such integer option";
		return -EINVAL;
	}
	return 0;
}

static void nvmf_set_flag(struct nvmf_ctrl_options *o, unsigned int bit)
{
	switch (bit) {
	case NVMF_OPT_DUP_CONNECT:
		o->duplicate_connect = true;
		break;
	case NVMF_OPT_DISABLE_SQFLOW:
		o->disable_sqflow = true;
		break;
	case NVMF_OPT_HDR_DIGEST:
		o->hdr_digest = true;
		break;
	case NVMF_OPT_DATA_DIGEST:
		o->data_digest = true;
		break;
	case NVMF_OPT_DISCOVERY:
		o->discovery_nqn = true;
		break;
	}
}

static void nvmf_set_defaults(struct nvmf_ctrl_options *o,
			      unsigned int nr_cpus)
{
	memset(o, 0, sizeof(*o));
	o->queue_size = NVMF_DEF_QUEUE_SIZE;
	o->nr_io_queues = nr_cpus;
	o->kato = NVMF_DEF_KATO;
	o->reconnect_delay = NVMF_DEF_RECONNECT_DELAY;
	o->ctrl_loss_tmo = NVMF_DEF_CTRL_LOSS_TMO;
	o->fast_io_fail_tmo = NVMF_DEF_FAIL_FAST_TMO;
	o->tos = -1;
}

/* one "key=value" or "flag" word */
static int nvmf_parse_word(struct nvmf_ctrl_options *o, const char *w,
			   size_t n, unsigned int nr_cpus,
			   nvmf_opt_log_fn log, void *ctx)
{
	const struct nvmf_opt_desc *d;
	const char *eq = memchr(w, '=', n);
	const char *val = NULL, *why = NULL;
	size_t key_len = eq ? (size_t)(eq - w) : n, val_len = 0, i;
	int v;

	d = nvmf_find_opt(w, key_len);
	if (!d)
		return nvmf_opt_fail(log, ctx, "unknown option", w, n);
	if (eq) {
		val = eq + 1;
		val_len = n - key_len - 1;
	}
	if (d->type == NVMF_T_FLAG) {
		if (eq)
			return nvmf_opt_fail(log, ctx, "option takes no value",
					     w, n);
		nvmf_set_flag(o, d->bit);
		o->mask |= d->bit;
		return 0;
	}
	if (!val || !val_len)
		return nvmf_opt_fail(log, ctx, "option needs a value", w, n);
	for (i = 0; i < val_len; i++) {
		unsigned char c = (unsigned char)val[i];

		if (c < 0x20 || c == 0x7f)
			return nvmf_opt_fail(log, ctx,
					     "control character in value", w,
					     key_len);
	}

	switch (d->type) {
	case NVMF_T_STR:
		if (!d->str_size)	/* accepted, not kept */
			break;
		if (val_len >= d->str_size)
			return nvmf_opt_fail(log, ctx, "value too long", w,
					     key_len);
		memcpy((char *)o + d->str_off, val, val_len);
		((char *)o + d->str_off)[val_len] = '\0';
		break;
	case NVMF_T_INT:
		if (nvmf_parse_int(val, val_len, &v))
			return nvmf_opt_fail(log, ctx, "not an integer", w, n);
		if (nvmf_store_int(o, d->bit, v, nr_cpus, &why))
			return nvmf_opt_fail(log, ctx, why, w, n);
		break;
	case NVMF_T_UUID:
		if (nvmf_parse_uuid(val, val_len, o->hostid))
			return nvmf_opt_fail(log, ctx, "not a UUID", w, n);
		break;
	default:
		return -EINVAL;
	}
	o->mask |= d->bit;
	return 0;
}

int nvmf_parse_options(struct nvmf_ctrl_options *opts, const char *buf,
		       size_t len, unsigned int nr_cpus,
		       nvmf_opt_log_fn log, void *ctx)
{
	size_t pos = 0;
	int ret;

	if (!nr_cpus)
		nr_cpus = 1;
	nvmf_set_defaults(opts, nr_cpus);
	if (len > NVMF_MAX_OPTS_LEN)
		return nvmf_opt_fail(log, ctx, "option string too long", NULL,
				     0);
	/* like a C string: anything after a NUL is not looked at */
	for (pos = 0; pos < len && buf[pos]; pos++)
		;
	len = pos;

	for (pos = 0; pos < len; ) {
		size_t end = pos;

		while (end < len && buf[end] != ',' && buf[end] != '\n')
			end++;
		if (end > pos) {
			ret = nvmf_parse_word(opts, buf + pos, end - pos,
					      nr_cpus, log, ctx);
			if (ret)
				return ret;
		}
		pos = end + 1;
	}

	if (!(opts->mask & NVMF_OPT_TRANSPORT))
		return nvmf_opt_fail(log, ctx, "missing option", "transport",
				     9);
	if (!(opts->mask & NVMF_OPT_NQN))
		return nvmf_opt_fail(log, ctx, "missing option", "nqn", 3);

	if (!strcmp(opts->subsysnqn, NVMF_DISC_NQN))
		opts->discovery_nqn = true;
	if (opts->discovery_nqn) {
		/* admin queue only; keep-alive only when asked for */
		opts->nr_io_queues = 0;
		opts->nr_write_queues = 0;
		opts->nr_poll_queues = 0;
		opts->duplicate_connect = true;
		if (!(opts->mask & NVMF_OPT_KATO))
			opts->kato = 0;
		opts->persistent_discovery = opts->kato > 0;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(nvmf_parse_options);

int nvmf_check_opts_mask(const struct nvmf_ctrl_options *opts,
			 unsigned int required, unsigned int allowed,
			 unsigned int *bad)
{
	unsigned int need = NVMF_REQUIRED_OPTS | required;
	unsigned int ok = need | NVMF_ALLOWED_OPTS | allowed;
	unsigned int missing = need & ~opts->mask;
	unsigned int extra = opts->mask & ~ok;
	unsigned int b = missing ? missing : extra;

	if (!b)
		return 0;
	if (bad)
		*bad = b & -b;	/* lowest offending bit */
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(nvmf_check_opts_mask);

const char *nvmf_opt_name(unsigned int bit)
{
	size_t i;

	for (i = 0; i < NVMF_NR_OPTS; i++)
		if (nvmf_opts[i].bit == bit)
			return nvmf_opts[i].name;
	return "?";
}
EXPORT_SYMBOL_GPL(nvmf_opt_name);

int nvmf_format_opt_list(char *buf, size_t size)
{
	size_t i, len;
	int n;

	if (!size)
		return 0;
	n = snprintf(buf, size, "instance=-1,cntlid=-1");
	len = n < 0 ? 0 : (size_t)n;
	for (i = 0; i < NVMF_NR_OPTS && len < size; i++) {
		const struct nvmf_opt_desc *d = &nvmf_opts[i];

		n = snprintf(buf + len, size - len, ",%s%s%s", d->name,
			     d->type == NVMF_T_FLAG ? "" : "=", d->fmt);
		len += n < 0 ? 0 : (size_t)n;
	}
	if (len < size)
		len += snprintf(buf + len, size - len, "\n");
	return len >= size ? (int)size - 1 : (int)len;
}
EXPORT_SYMBOL_GPL(nvmf_format_opt_list);

int nvmf_max_reconnects(int ctrl_loss_tmo, int reconnect_delay)
{
	if (ctrl_loss_tmo < 0)
		return -1;
	if (reconnect_delay <= 0)
		return 0;
	/* rounded up, without overflowing near INT_MAX */
	return ctrl_loss_tmo / reconnect_delay +
	       !!(ctrl_loss_tmo % reconnect_delay);
}
EXPORT_SYMBOL_GPL(nvmf_max_reconnects);
