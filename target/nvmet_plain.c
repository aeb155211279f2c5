// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-independent helpers of the NVMe target (see nvmet_plain.h).
 * Everything here works on plain values so the unit tests can drive it.
 */
#include "nvmet_plain.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * NQNs and other configfs directory names: 1..223 printable ASCII bytes,
 * no spaces.  Linux's target accepts free-form names (test suites use
 * "testnqn"), so the "nqn." prefix is not enforced.
 */
bool nvmet_name_valid(const char *name, size_t len)
{
	size_t i;

	if (!len || len > NVMF_NQN_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	}
	return true;
}

/* Trailing newline (from echo) is allowed on every configfs value. */
static size_t value_len(const char *s)
{
	size_t n = strlen(s);

	if (n && s[n - 1] == '\n')
		n--;
	return n;
}

int nvmet_parse_bool(const char *s, bool *val)
{
	size_t n = value_len(s);

	if (n == 1 && (s[0] == '1' || s[0] == 'y' || s[0] == 'Y')) {
		*val = true;
		return 0;
	}
	if (n == 1 && (s[0] == '0' || s[0] == 'n' || s[0] == 'N')) {
		*val = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_ulong(const char *s, size_t n, unsigned long max,
		       unsigned long *val)
{
	unsigned long v = 0;
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -EINVAL;
	}
	*val = v;
	return 0;
}

int nvmet_parse_u16(const char *s, u16 *val)
{
	unsigned long v;
	int ret = parse_ulong(s, value_len(s), 0xffff, &v);

	if (!ret)
		*val = (u16)v;
	return ret;
}

/* "MAJOR.MINOR" or "MAJOR.MINOR.TERTIARY" -> VS encoding */
int nvmet_parse_version(const char *s, u32 *ver)
{
	unsigned long part[3] = { 0, 0, 0 };
	size_t n = value_len(s), start = 0, i;
	unsigned int np = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (np == 3 || parse_ulong(s + start, i - start,
					   np ? 0xff : 0xffff, &part[np]))
			return -EINVAL;
		np++;
		start = i + 1;
	}
	if (np < 2 || !part[0])
		return -EINVAL;
	*ver = (u32)(part[0] << 16 | part[1] << 8 | part[2]);
	return 0;
}

static int put_dec(char *buf, size_t len, size_t *pos, unsigned long v)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n) {
		if (*pos + 1 >= len)
			return -EINVAL;
		buf[(*pos)++] = tmp[--n];
	}
	buf[*pos] = '\0';
	return 0;
}

/* VS encoding -> "1.3" (or "1.2.1" when the tertiary number is set) */
int nvmet_format_version(char *buf, size_t len, u32 ver)
{
	size_t pos = 0;

	if (!len)
		return -EINVAL;
	if (put_dec(buf, len, &pos, ver >> 16))
		return -EINVAL;
	if (pos + 1 >= len)
		return -EINVAL;
	buf[pos++] = '.';
	if (put_dec(buf, len, &pos, (ver >> 8) & 0xff))
		return -EINVAL;
	if (ver & 0xff) {
		if (pos + 1 >= len)
			return -EINVAL;
		buf[pos++] = '.';
		if (put_dec(buf, len, &pos, ver & 0xff))
			return -EINVAL;
	}
	return (int)pos;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Exactly 2 * @n hex digits into @out; '-' separators anywhere between
 * byte pairs are skipped (UUID style).
 */
int nvmet_parse_hex_id(const char *s, u8 *out, size_t n)
{
	size_t len = value_len(s), i = 0, o = 0;

	while (i < len) {
		int hi, lo;

		if (s[i] == '-') {
			i++;
			continue;
		}
		if (o == n || i + 1 >= len)
			return -EINVAL;
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[o++] = (u8)(hi << 4 | lo);
		i += 2;
	}
	return o == n ? 0 : -EINVAL;
}

/* Serial: 1..20 printable ASCII characters (spaces allowed). */
int nvmet_serial_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 20)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (s[i] < ' ' || s[i] > '~')
			return -EINVAL;
	return 0;
}

/* Model: 1..40 printable ASCII characters. */
int nvmet_model_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 40)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (s[i] < ' ' || s[i] > '~')
			return -EINVAL;
	return 0;
}

struct name_val {
	const char *name;
	u8 val;
};

static const struct name_val trtypes[] = {
	{ "rdma", NVMF_TRTYPE_RDMA },
	{ "fc", NVMF_TRTYPE_FC },
	{ "tcp", NVMF_TRTYPE_TCP },
	{ "loop", NVMF_TRTYPE_LOOP },
};

static const struct name_val adrfams[] = {
	{ "ipv4", NVMF_ADRFAM_IPV4 },
	{ "ipv6", NVMF_ADRFAM_IPV6 },
	{ "ib", NVMF_ADRFAM_IB },
	{ "fc", NVMF_ADRFAM_FC },
	{ "loop", NVMF_ADRFAM_LOOP },
};

static const struct name_val treqs[] = {
	{ "not specified", NVMF_TREQ_NOT_SPECIFIED },
	{ "required", NVMF_TREQ_REQUIRED },
	{ "not required", NVMF_TREQ_NOT_REQUIRED },
};

static int table_parse(const struct name_val *t, size_t nt, const char *s,
		       u8 *val)
{
	size_t n = value_len(s), i;

	for (i = 0; i < nt; i++) {
		if (strlen(t[i].name) == n && !memcmp(t[i].name, s, n)) {
			*val = t[i].val;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *table_name(const struct name_val *t, size_t nt, u8 val)
{
	size_t i;

	for (i = 0; i < nt; i++)
		if (t[i].val == val)
			return t[i].name;
	return NULL;
}

int nvmet_trtype_parse(const char *s, u8 *val)
{
	return table_parse(trtypes, ARRAY_SIZE(trtypes), s, val);
}

const char *nvmet_trtype_name(u8 val)
{
	return table_name(trtypes, ARRAY_SIZE(trtypes), val);
}

int nvmet_adrfam_parse(const char *s, u8 *val)
{
	return table_parse(adrfams, ARRAY_SIZE(adrfams), s, val);
}

const char *nvmet_adrfam_name(u8 val)
{
	return table_name(adrfams, ARRAY_SIZE(adrfams), val);
}

int nvmet_treq_parse(const char *s, u8 *val)
{
	return table_parse(treqs, ARRAY_SIZE(treqs), s, val);
}

const char *nvmet_treq_name(u8 val)
{
	return table_name(treqs, ARRAY_SIZE(treqs), val & NVMF_TREQ_SECURE_MASK);
}

/* ANA group states as ports/<id>/ana_groups/<grpid>/ana_state spells them */
static const struct name_val ana_states[] = {
	{ "optimized", NVME_ANA_OPTIMIZED },
	{ "non-optimized", NVME_ANA_NONOPTIMIZED },
	{ "inaccessible", NVME_ANA_INACCESSIBLE },
	{ "persistent-loss", NVME_ANA_PERSISTENT_LOSS },
	{ "change", NVME_ANA_CHANGE },
};

int nvmet_ana_state_parse(const char *s, u8 *state)
{
	return table_parse(ana_states, ARRAY_SIZE(ana_states), s, state);
}

const char *nvmet_ana_state_name(u8 state)
{
	return table_name(ana_states, ARRAY_SIZE(ana_states), state);
}

/*
 * What a command to a namespace of a group in @state gets: success for
 * the two usable states, else the path status that tells the host to try
 * another controller (no DNR).
 */
u16 nvmet_ana_state_status(u8 state)
{
	switch (state) {
	case NVME_ANA_OPTIMIZED:
	case NVME_ANA_NONOPTIMIZED:
		return NVME_SC_SUCCESS;
	case NVME_ANA_PERSISTENT_LOSS:
		return NVME_SC_ANA_PERSISTENT_LOSS;
	case NVME_ANA_CHANGE:
		return NVME_SC_ANA_TRANSITION;
	default:
		return NVME_SC_ANA_INACCESSIBLE;
	}
}

/* An ANA log page with no groups yet: @buf holds at least the header. */
void nvmet_ana_log_init(void *buf, u64 chgcnt)
{
	struct nvme_ana_log_hdr *h = buf;

	memset(h, 0, sizeof(*h));
	h->chgcnt = cpu_to_le64(chgcnt);
}

/*
 * Append one group descriptor and its @nnsids NSIDs to the log page of
 * @len bytes in @buf (@cap bytes big).  Returns the new length, or 0 when
 * it would not fit (the page is then unchanged).
 */
size_t nvmet_ana_log_add(void *buf, size_t len, size_t cap, u32 grpid,
			 u8 state, u64 chgcnt, const u32 *nsids, u32 nnsids)
{
	struct nvme_ana_log_hdr *h = buf;
	struct nvme_ana_group_desc *d;
	size_t need = sizeof(*d) + (size_t)nnsids * sizeof(__le32);
	__le32 *list;
	u32 i;

	if (len < sizeof(*h) || len > cap || cap - len < need)
		return 0;
	d = (struct nvme_ana_group_desc *)((u8 *)buf + len);
	memset(d, 0, sizeof(*d));
	d->grpid = cpu_to_le32(grpid);
	d->nnsids = cpu_to_le32(nnsids);
	d->chgcnt = cpu_to_le64(chgcnt);
	d->state = state & 0xf;
	list = (__le32 *)(d + 1);
	for (i = 0; i < nnsids; i++)
		list[i] = cpu_to_le32(nsids[i]);
	h->ngrps = cpu_to_le16(le16_to_cpu(h->ngrps) + 1);
	return len + need;
}

/* Copy a C string into a fixed ASCII field, padding with @pad. */
void nvmet_copy_padded(u8 *dst, size_t dlen, const char *src, u8 pad)
{
	size_t n = strnlen(src, dlen);

	memcpy(dst, src, n);
	memset(dst + n, pad, dlen - n);
}

/* @nlb is the number of blocks (1 based); all 64 bit, no overflow. */
u16 nvmet_lba_check(u64 slba, u64 nlb, u64 nsze)
{
	if (slba >= nsze || nlb > nsze - slba)
		return NVMET_ERR(NVME_SC_LBA_RANGE);
	return NVME_SC_SUCCESS;
}

/*
 * Get Log Page: NUMD (0 based dwords, NUMDU:NUMDL) and the byte offset
 * LPOU:LPOL, which must be dword aligned.
 */
u16 nvmet_log_window(u32 cdw10, u32 cdw11, u32 cdw12, u32 cdw13,
		     struct nvmet_log_window *w)
{
	u64 numd = ((u64)NVME_GLP_NUMDU(cdw11) << 16 | NVME_GLP_NUMDL(cdw10)) + 1;

	w->offset = (u64)cdw13 << 32 | cdw12;
	if (w->offset & 3)
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	if (numd * 4 > 0xffffffffull)
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	w->len = (u32)(numd * 4);
	return NVME_SC_SUCCESS;
}

/*
 * Copy the window of @log into @dst (w->len bytes): bytes past the end of
 * the log read as zero.  Returns the log bytes copied.
 */
size_t nvmet_log_copy(void *dst, const struct nvmet_log_window *w,
		      const void *log, size_t log_len)
{
	size_t n = 0;

	if (w->offset < log_len) {
		n = log_len - (size_t)w->offset;
		if (n > w->len)
			n = w->len;
		memcpy(dst, (const u8 *)log + w->offset, n);
	}
	memset((u8 *)dst + n, 0, w->len - n);
	return n;
}

/* TRSVCID and TRADDR are space padded ASCII; SUBNQN is NUL padded. */
void nvmet_disc_fill_entry(struct nvmf_disc_log_entry *e,
			   const struct nvmet_disc_src *src)
{
	memset(e, 0, sizeof(*e));
	e->trtype = src->trtype;
	e->adrfam = src->adrfam;
	e->treq = src->treq;
	e->subtype = src->subtype;
	e->portid = cpu_to_le16(src->portid);
	e->cntlid = cpu_to_le16(NVMF_CNTLID_DYNAMIC);
	e->asqsz = cpu_to_le16(NVMF_AQ_DEPTH_MAX);
	nvmet_copy_padded((u8 *)e->trsvcid, sizeof(e->trsvcid), src->trsvcid, ' ');
	nvmet_copy_padded((u8 *)e->traddr, sizeof(e->traddr), src->traddr, ' ');
	nvmet_copy_padded((u8 *)e->subnqn, sizeof(e->subnqn), src->subnqn, '\0');
	if (src->tsas)
		memcpy(e->tsas.common, src->tsas, sizeof(e->tsas.common));
}

void nvmet_disc_fill_hdr(struct nvmf_disc_log_hdr *h, u64 genctr, u64 numrec)
{
	memset(h, 0, sizeof(*h));
	h->genctr = cpu_to_le64(genctr);
	h->numrec = cpu_to_le64(numrec);
	h->recfmt = cpu_to_le16(0);
}

/*
 * Record @nsid in a Changed Namespace List of @max entries.  Duplicates are
 * dropped; on overflow the list becomes the single entry FFFFFFFFh and
 * stays so until the host reads (and so clears) it.
 */
void nvmet_changed_ns_add(__le32 *list, unsigned int *nr, unsigned int max,
			  u32 nsid)
{
	unsigned int i;

	if (*nr == 1 && le32_to_cpu(list[0]) == NVME_NSID_ALL)
		return;
	for (i = 0; i < *nr; i++)
		if (le32_to_cpu(list[i]) == nsid)
			return;
	if (*nr == max) {
		list[0] = cpu_to_le32(NVME_NSID_ALL);
		*nr = 1;
		return;
	}
	list[(*nr)++] = cpu_to_le32(nsid);
}

/* CC values the target supports when the host sets EN. */
u16 nvmet_cc_check(u32 cc)
{
	if (((cc >> 4) & 0x7) != 0)		/* CSS: NVM command set */
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	if (((cc >> 7) & 0xf) != 0)		/* MPS: 4 KiB */
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	if (((cc >> 11) & 0x7) != 0)		/* AMS: round robin */
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	if (((cc >> 16) & 0xf) != NVME_SQE_SHIFT)
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	if (((cc >> 20) & 0xf) != NVME_CQE_SHIFT)
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	return NVME_SC_SUCCESS;
}

/*
 * Command fields of a Connect: @sqsize is 0 based.  On failure *@ipo is the
 * offset of the offending field in the command.
 */
u16 nvmet_connect_check(u16 recfmt, u16 qid, u16 sqsize, u16 max_qid,
			u16 max_qsize, u32 kato, u16 *ipo)
{
	if (recfmt != NVMF_CONNECT_RECFMT)
		return NVMET_ERR(NVME_SC_CONNECT_FORMAT);
	if (qid > max_qid) {
		*ipo = offsetof(struct nvmf_connect_cmd, qid);
		return NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
	}
	/* SQ size 0 (one entry) is not a queue; admin queues are small */
	if (!sqsize || sqsize >= (qid ? max_qsize : NVMF_AQ_DEPTH_MAX)) {
		*ipo = offsetof(struct nvmf_connect_cmd, sqsize);
		return NVMET_ERR(NVME_SC_CONNECT_INVALID_PARAM);
	}
	/* KATO only means something on the admin queue; ignored elsewhere */
	(void)kato;
	return NVME_SC_SUCCESS;
}

u16 nvmet_cntlid_range_check(u16 min, u16 max)
{
	if (min < NVMF_CNTLID_MIN || max > NVMF_CNTLID_MAX || min > max)
		return NVMET_ERR(NVME_SC_INVALID_FIELD);
	return NVME_SC_SUCCESS;
}

/*
 * The bytes a Dataset Management command takes from the host: its ranges
 * (@data_len), or the host's whole buffer when that is longer, whole
 * ranges and no more than the largest range list (Linux's host sends a
 * buffer for NVME_DSM_MAX_RANGES ranges whatever the count).  The command
 * reads only its ranges either way.
 */
u32 nvmet_dsm_accept_len(u32 data_len, u32 transfer_len)
{
	if (transfer_len > data_len &&
	    transfer_len <= NVME_DSM_MAX_RANGES * sizeof(struct nvme_dsm_range) &&
	    !(transfer_len % sizeof(struct nvme_dsm_range)))
		return transfer_len;
	return data_len;
}

/*
 * The command-independent checks of an I/O command against a namespace of
 * @nsze blocks of 1 << @lba_shift bytes: opcode, LBA range, and the number
 * of data bytes it moves (*@data_len; the host's SGL says @transfer_len).
 * On failure *@error_loc is the byte offset of the offending field in the
 * command.
 */
u16 nvmet_io_cmd_check(const struct nvme_sqe *cmd, u64 nsze, u8 lba_shift,
		       u32 transfer_len, u32 *data_len, u16 *error_loc)
{
	u64 slba = (u64)le32_to_cpu(cmd->cdw11) << 32 | le32_to_cpu(cmd->cdw10);
	u32 nlb = (le32_to_cpu(cmd->cdw12) & NVME_RW_NLB_MASK) + 1;
	u16 status;

	*data_len = 0;
	switch (cmd->opc) {
	case NVME_IO_READ:
	case NVME_IO_WRITE:
	case NVME_IO_WRITE_ZEROES:
		status = nvmet_lba_check(slba, nlb, nsze);
		if (status) {
			*error_loc = offsetof(struct nvme_sqe, cdw10);
			return status;
		}
		if (cmd->opc != NVME_IO_WRITE_ZEROES)
			*data_len = nlb << lba_shift;
		return 0;
	case NVME_IO_DSM:
		*data_len = nvmet_dsm_accept_len(((le32_to_cpu(cmd->cdw10) &
						   0xff) + 1) *
						 (u32)sizeof(struct nvme_dsm_range),
						 transfer_len);
		return 0;
	case NVME_IO_FLUSH:
		return 0;
	default:
		*error_loc = offsetof(struct nvme_sqe, opc);
		return NVMET_ERR(NVME_SC_INVALID_OPCODE);
	}
}
