// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for target/nvmet_plain.c, the parts of the target
 * that judge what a host or an administrator sends: I/O command checks
 * (opcode, LBA range, data length), Get Log Page windows and copies,
 * Connect and CC checks, and the configfs value parsers.  Every accepted
 * input is checked against the invariants the kernel code relies on.
 *
 * Input: 1 selector byte, then 64 bytes of command / values, then a
 * NUL-free tail used as a configfs string.
 */
#include <stdlib.h>
#include <string.h>

#include "target/nvmet_plain.h"
#include "nvmet_fuzz.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void fuzz_io(const struct nvme_sqe *cmd, u64 nsze, u8 shift)
{
	u32 len = 0xdeadbeef;
	u16 loc = 0xffff;
	u16 st = nvmet_io_cmd_check(cmd, nsze, shift,
				    le32_to_cpu(cmd->dptr.sgl.length), &len, &loc);
	u64 slba = (u64)le32_to_cpu(cmd->cdw11) << 32 | le32_to_cpu(cmd->cdw10);
	u32 nlb = (le32_to_cpu(cmd->cdw12) & 0xffff) + 1;

	if (st) {
		CHECK(st & NVME_STATUS_DNR);
		CHECK(loc < 64);
		return;
	}
	switch (cmd->opc) {
	case NVME_IO_READ:
	case NVME_IO_WRITE:
		CHECK(slba < nsze && nlb <= nsze - slba);
		CHECK(len == nlb << shift);
		CHECK(len <= (65536u << 12));
		break;
	case NVME_IO_WRITE_ZEROES:
		CHECK(slba < nsze && nlb <= nsze - slba);
		CHECK(len == 0);
		break;
	case NVME_IO_DSM:
		CHECK(len >= 16 && len <= 4096 && len % 16 == 0);
		break;
	case NVME_IO_FLUSH:
		CHECK(len == 0);
		break;
	default:
		CHECK(0);
	}
}

static void fuzz_log(const u8 *b, size_t n)
{
	static u8 log[8192], out[1 << 16];
	struct nvmet_log_window w;
	u32 d[4] = { 0, 0, 0, 0 };
	size_t log_len;

	memcpy(d, b, n < 16 ? n : 16);
	if (nvmet_log_window(d[0], d[1], d[2], d[3], &w))
		return;
	CHECK(w.len >= 4 && w.len % 4 == 0 && !(w.offset & 3));
	if (w.len > sizeof(out))
		return;
	log_len = n > 16 ? b[16] * 32u : 1024;
	memset(out, 0xa5, sizeof(out));
	CHECK(nvmet_log_copy(out, &w, log, log_len) <= w.len);
	CHECK(out[w.len - 1] != 0xa5 || w.offset < log_len);
}

static void fuzz_strings(const char *s)
{
	bool b;
	u16 v16;
	u32 ver;
	u8 id[16], v8;
	char buf[24];

	if (!nvmet_parse_bool(s, &b))
		CHECK(b == true || b == false);
	nvmet_parse_u16(s, &v16);
	if (!nvmet_parse_version(s, &ver)) {
		u32 again;

		CHECK(nvmet_format_version(buf, sizeof(buf), ver) > 0);
		CHECK(!nvmet_parse_version(buf, &again) && again == ver);
	}
	nvmet_parse_hex_id(s, id, sizeof(id));
	if (!nvmet_trtype_parse(s, &v8))
		CHECK(nvmet_trtype_name(v8));
	if (!nvmet_adrfam_parse(s, &v8))
		CHECK(nvmet_adrfam_name(v8));
	if (!nvmet_treq_parse(s, &v8))
		CHECK(nvmet_treq_name(v8));
	if (nvmet_name_valid(s, strlen(s)))
		CHECK(strlen(s) <= NVMF_NQN_MAX_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvme_sqe cmd;
	char str[300];
	size_t n, i;
	u64 nsze;
	u16 ipo = 0;

	if (size < 1 + sizeof(cmd))
		return 0;
	memcpy(&cmd, data + 1, sizeof(cmd));
	nsze = le64_to_cpu(cmd.mptr);
	switch (data[0] % 4) {
	case 0:
		fuzz_io(&cmd, nsze, (u8)(9 + data[0] / 4 % 4));
		break;
	case 1:
		fuzz_log(data + 1, size - 1);
		break;
	case 2:
		if (!nvmet_connect_check(le16_to_cpu(cmd.cid), cmd.flags,
					 (u16)le32_to_cpu(cmd.dptr.sgl.length),
					 128, 1024, 0, &ipo))
			CHECK(cmd.flags <= 128);
		nvmet_cc_check(le32_to_cpu(cmd.cdw10));
		break;
	default:
		break;
	}
	/* the tail as a configfs value (NUL terminated, like a page) */
	n = size - 1 - sizeof(cmd);
	if (n >= sizeof(str))
		n = sizeof(str) - 1;
	for (i = 0; i < n; i++)
		str[i] = (char)data[1 + sizeof(cmd) + i];
	str[n] = '\0';
	fuzz_strings(str);
	return 0;
}
