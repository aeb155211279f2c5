// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the host-side data checks of fabrics/tcp/wire.c
 * (nvme_tcp_check_c2h_data, nvme_tcp_check_r2t): what nvme-tcp accepts
 * from a target for a command it has in flight.
 */
#include <gtest/gtest.h>

#include <cstring>

extern "C" {
#include "fabrics/tcp/wire.h"
}

namespace {

nvme_tcp_data_pdu c2h(uint32_t off, uint32_t len, uint8_t flags = 0)
{
	nvme_tcp_data_pdu d;
	memset(&d, 0, sizeof(d));
	nvme_tcp_enc_data(&d, NVME_TCP_C2H_DATA, false, false, 0, 7, 0, off,
			  len, flags);
	return d;
}

nvme_tcp_r2t_pdu r2t(uint32_t off, uint32_t len)
{
	nvme_tcp_r2t_pdu r;
	memset(&r, 0, sizeof(r));
	nvme_tcp_enc_r2t(&r, false, 7, 1, off, len);
	return r;
}

nvme_tcp_host_xfer rd(uint32_t len, uint32_t done)
{
	return nvme_tcp_host_xfer{len, done, true, false};
}

nvme_tcp_host_xfer wr(uint32_t len, uint32_t done, bool wait)
{
	return nvme_tcp_host_xfer{len, done, false, wait};
}

} // namespace

TEST(TcpHostC2H, InOrderDataInsideTheBufferIsAccepted)
{
	nvme_tcp_wire_err err{};
	auto x = rd(8192, 0);
	auto d = c2h(0, 4096);

	EXPECT_EQ(0, nvme_tcp_check_c2h_data(&d, &x, &err));
	x.done = 4096;
	d = c2h(4096, 4096, NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS);
	EXPECT_EQ(0, nvme_tcp_check_c2h_data(&d, &x, &err));
}

TEST(TcpHostC2H, DataBeyondTheBufferIsRefused)
{
	nvme_tcp_wire_err err{};
	auto x = rd(4096, 0);
	auto d = c2h(0, 8192);

	EXPECT_EQ(-EPROTO, nvme_tcp_check_c2h_data(&d, &x, &err));
	EXPECT_EQ(NVME_TCP_FES_DATA_OUT_OF_RANGE, err.fes);
	EXPECT_EQ(offsetof(nvme_tcp_data_pdu, datal), err.fei);
	/* offset + length wrapping 32 bits must not pass */
	x = rd(4096, 4096);
	d = c2h(4096, 0xfffff000u);
	EXPECT_EQ(-EPROTO, nvme_tcp_check_c2h_data(&d, &x, &err));
}

TEST(TcpHostC2H, OutOfOrderOffsetIsRefused)
{
	nvme_tcp_wire_err err{};
	auto x = rd(4096, 0);
	auto d = c2h(2048, 2048);

	EXPECT_EQ(-EPROTO, nvme_tcp_check_c2h_data(&d, &x, &err));
	EXPECT_EQ(offsetof(nvme_tcp_data_pdu, datao), err.fei);
}

TEST(TcpHostC2H, DataForAWriteOrNoDataIsRefused)
{
	nvme_tcp_wire_err err{};
	auto x = wr(4096, 0, true);
	auto d = c2h(0, 512);

	EXPECT_EQ(-EPROTO, nvme_tcp_check_c2h_data(&d, &x, &err));
	EXPECT_EQ(NVME_TCP_FES_PDU_SEQ_ERR, err.fes);
	x = rd(0, 0);
	EXPECT_EQ(-EPROTO, nvme_tcp_check_c2h_data(&d, &x, &err));
}

TEST(TcpHostC2H, SuccessBeforeTheLastByteIsRefused)
{
	nvme_tcp_wire_err err{};
	auto x = rd(8192, 0);
	auto d = c2h(0, 4096, NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS);

	EXPECT_EQ(-EPROTO, nvme_tcp_check_c2h_data(&d, &x, &err));
	EXPECT_NE(nullptr, err.reason);
}

TEST(TcpHostR2T, NextBytesOfAWaitingWriteAreAccepted)
{
	nvme_tcp_wire_err err{};
	auto x = wr(65536, 0, true);
	auto r = r2t(0, 65536);

	EXPECT_EQ(0, nvme_tcp_check_r2t(&r, &x, &err));
	x = wr(65536, 32768, true);
	r = r2t(32768, 32768);
	EXPECT_EQ(0, nvme_tcp_check_r2t(&r, &x, &err));
}

TEST(TcpHostR2T, R2TForAReadIsRefused)
{
	nvme_tcp_wire_err err{};
	auto x = rd(4096, 0);
	auto r = r2t(0, 4096);

	EXPECT_EQ(-EPROTO, nvme_tcp_check_r2t(&r, &x, &err));
	EXPECT_EQ(NVME_TCP_FES_PDU_SEQ_ERR, err.fes);
}

TEST(TcpHostR2T, R2TWhileNotWaitingIsRefused)
{
	nvme_tcp_wire_err err{};
	/* in-capsule write, or data of the previous R2T still going out */
	auto x = wr(4096, 0, false);
	auto r = r2t(0, 4096);

	EXPECT_EQ(-EPROTO, nvme_tcp_check_r2t(&r, &x, &err));
	EXPECT_EQ(NVME_TCP_FES_PDU_SEQ_ERR, err.fes);
}

TEST(TcpHostR2T, RangeOutsideTheBufferIsRefused)
{
	nvme_tcp_wire_err err{};
	auto x = wr(8192, 0, true);
	auto r = r2t(0, 16384);

	EXPECT_EQ(-EPROTO, nvme_tcp_check_r2t(&r, &x, &err));
	EXPECT_EQ(NVME_TCP_FES_DATA_OUT_OF_RANGE, err.fes);
	r = r2t(4096, 4096);	/* skips bytes never sent */
	EXPECT_EQ(-EPROTO, nvme_tcp_check_r2t(&r, &x, &err));
	EXPECT_EQ(offsetof(nvme_tcp_r2t_pdu, r2to), err.fei);
	x = wr(8192, 4096, true);
	r = r2t(4096, 0xfffff000u);	/* wraps 32 bits */
	EXPECT_EQ(-EPROTO, nvme_tcp_check_r2t(&r, &x, &err));
	r = r2t(4096, 0);
	EXPECT_EQ(-EPROTO, nvme_tcp_check_r2t(&r, &x, &err));
}
