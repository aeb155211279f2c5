/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-independent pieces of the target: name checks, configfs value
 * parsing, range checks, log page windows, discovery entries, the changed
 * namespace list, ANA states and log page, and the command parser's length
 * rules.  Plain C: built
 * into nvmet.ko and into the userspace unit tests (tests/unit/nvmet_*).
 */
#ifndef NVMET_OOT_PLAIN_H
#define NVMET_OOT_PLAIN_H

#include "../include/nvme/compat.h"
#include "../include/nvme/spec.h"
#include "../include/nvme/fabrics.h"

/* Status word as the core passes it around: SCT/SC plus DNR. */
#define NVMET_ERR(sc)	((u16)((sc) | NVME_STATUS_DNR))

bool nvmet_name_valid(const char *name, size_t len);

int nvmet_parse_bool(const char *s, bool *val);
int nvmet_parse_u16(const char *s, u16 *val);
int nvmet_parse_version(const char *s, u32 *ver);
int nvmet_format_version(char *buf, size_t len, u32 ver);
int nvmet_parse_hex_id(const char *s, u8 *out, size_t n);
int nvmet_serial_valid(const char *s, size_t len);
int nvmet_model_valid(const char *s, size_t len);

/* String <-> value tables for the configfs port attributes. */
int nvmet_trtype_parse(const char *s, u8 *val);
const char *nvmet_trtype_name(u8 val);
int nvmet_adrfam_parse(const char *s, u8 *val);
const char *nvmet_adrfam_name(u8 val);
int nvmet_treq_parse(const char *s, u8 *val);
const char *nvmet_treq_name(u8 val);

void nvmet_copy_padded(u8 *dst, size_t dlen, const char *src, u8 pad);

u16 nvmet_lba_check(u64 slba, u64 nlb, u64 nsze);

/**
 * struct nvmet_log_window - the byte range of a log page a command asks for
 * @offset: byte offset into the log page
 * @len: bytes to return
 */
struct nvmet_log_window {
	u64 offset;
	u32 len;
};

u16 nvmet_log_window(u32 cdw10, u32 cdw11, u32 cdw12, u32 cdw13,
		     struct nvmet_log_window *w);
size_t nvmet_log_copy(void *dst, const struct nvmet_log_window *w,
		      const void *log, size_t log_len);

/**
 * struct nvmet_disc_src - what one discovery log entry describes
 * @trtype: transport type
 * @adrfam: address family
 * @treq: transport requirements
 * @subtype: %NVMF_SUBTYPE_*
 * @portid: port id
 * @traddr: transport address (NUL terminated)
 * @trsvcid: transport service id (NUL terminated)
 * @subnqn: subsystem NQN (NUL terminated)
 * @tsas: transport specific subtype bytes, or NULL
 */
struct nvmet_disc_src {
	u8 trtype;
	u8 adrfam;
	u8 treq;
	u8 subtype;
	u16 portid;
	const char *traddr;
	const char *trsvcid;
	const char *subnqn;
	const u8 *tsas;
};

void nvmet_disc_fill_entry(struct nvmf_disc_log_entry *e,
			   const struct nvmet_disc_src *src);
void nvmet_disc_fill_hdr(struct nvmf_disc_log_hdr *h, u64 genctr, u64 numrec);

void nvmet_changed_ns_add(__le32 *list, unsigned int *nr, unsigned int max,
			  u32 nsid);

/* ANA: configfs state names, the I/O status of a state, the log page */
int nvmet_ana_state_parse(const char *s, u8 *state);
const char *nvmet_ana_state_name(u8 state);
u16 nvmet_ana_state_status(u8 state);
void nvmet_ana_log_init(void *buf, u64 chgcnt);
size_t nvmet_ana_log_add(void *buf, size_t len, size_t cap, u32 grpid,
			 u8 state, u64 chgcnt, const u32 *nsids, u32 nnsids);

u16 nvmet_cc_check(u32 cc);

u16 nvmet_io_cmd_check(const struct nvme_sqe *cmd, u64 nsze, u8 lba_shift,
		       u32 transfer_len, u32 *data_len, u16 *error_loc);
u32 nvmet_dsm_accept_len(u32 data_len, u32 transfer_len);

u16 nvmet_connect_check(u16 recfmt, u16 qid, u16 sqsize, u16 max_qid,
			u16 max_qsize, u32 kato, u16 *ipo);
u16 nvmet_cntlid_range_check(u16 min, u16 max);

#endif /* NVMET_OOT_PLAIN_H */
