// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for pci/hmb.c: Host Memory Buffer sizing (HMPRE, HMMIN,
 * HMMINDS, HMMAXD against the host's limit), the chunk sizes tried, the
 * descriptor entries and the Set Features dwords.
 */
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

extern "C" {
#include "pci/hmb.h"
}

namespace {

constexpr u32 kPage = 4096;
constexpr u64 kMiB = 1024 * 1024;

TEST(HmbLimits, NoHmpreMeansNoBuffer)
{
	struct nvme_hmb_limits l;

	EXPECT_EQ(nvme_hmb_limits(&l, 0, 0, 0, 0, 128 * kMiB, kPage), -EINVAL);
}

TEST(HmbLimits, PreferredCappedByHost)
{
	struct nvme_hmb_limits l;

	/* wants 256 MiB, host gives 128 MiB */
	ASSERT_EQ(nvme_hmb_limits(&l, 65536, 1024, 0, 0, 128 * kMiB, kPage), 0);
	EXPECT_EQ(l.preferred, 128 * kMiB);
	EXPECT_EQ(l.min, 4 * kMiB);
	EXPECT_EQ(l.min_chunk, kPage);
	EXPECT_EQ(l.max_desc, NVME_HMB_MAX_DESC);
}

TEST(HmbLimits, SmallPreferredKept)
{
	struct nvme_hmb_limits l;

	ASSERT_EQ(nvme_hmb_limits(&l, 256, 256, 4, 8, 128 * kMiB, kPage), 0);
	EXPECT_EQ(l.preferred, 1 * kMiB);
	EXPECT_EQ(l.min, 1 * kMiB);
	EXPECT_EQ(l.min_chunk, 16384u);
	EXPECT_EQ(l.max_desc, 8u);
}

TEST(HmbLimits, MinimumBeyondHostLimit)
{
	struct nvme_hmb_limits l;

	/* needs at least 64 MiB, host allows 32 MiB */
	EXPECT_EQ(nvme_hmb_limits(&l, 32768, 16384, 0, 0, 32 * kMiB, kPage),
		  -EINVAL);
	/* host limit 0 (max_host_mem_size_mb=0): no buffer */
	EXPECT_EQ(nvme_hmb_limits(&l, 256, 0, 0, 0, 0, kPage), -EINVAL);
}

TEST(HmbLimits, HostLimitRoundedToPages)
{
	struct nvme_hmb_limits l;

	ASSERT_EQ(nvme_hmb_limits(&l, 1024, 0, 0, 0, 3 * kPage + 100, kPage), 0);
	EXPECT_EQ(l.preferred, 3u * kPage);
}

TEST(HmbLimits, HmmaxdAboveOurCap)
{
	struct nvme_hmb_limits l;

	ASSERT_EQ(nvme_hmb_limits(&l, 1024, 0, 0, 60000, kMiB * 128, kPage), 0);
	EXPECT_EQ(l.max_desc, NVME_HMB_MAX_DESC);
	EXPECT_EQ(NVME_HMB_MAX_DESC, 256u);
}

TEST(HmbChunk, FirstChunkCoversSmallTargetInOne)
{
	struct nvme_hmb_limits l;

	ASSERT_EQ(nvme_hmb_limits(&l, 256, 0, 0, 0, 128 * kMiB, kPage), 0);
	EXPECT_EQ(nvme_hmb_first_chunk(&l, 1 * kMiB, 4 * kMiB), 1 * kMiB);
	/* not a power of two: the next one up */
	EXPECT_EQ(nvme_hmb_first_chunk(&l, 3 * kMiB, 4 * kMiB), 4 * kMiB);
	EXPECT_EQ(nvme_hmb_nr_chunks(&l, 3 * kMiB, 4 * kMiB), 1u);
}

TEST(HmbChunk, FirstChunkCappedByAllocator)
{
	struct nvme_hmb_limits l;

	ASSERT_EQ(nvme_hmb_limits(&l, 32768, 0, 0, 0, 128 * kMiB, kPage), 0);
	EXPECT_EQ(nvme_hmb_first_chunk(&l, 128 * kMiB, 4 * kMiB), 4 * kMiB);
	EXPECT_EQ(nvme_hmb_nr_chunks(&l, 128 * kMiB, 4 * kMiB), 32u);
	/* an allocator limit that is not a power of two */
	EXPECT_EQ(nvme_hmb_first_chunk(&l, 128 * kMiB, 6 * kMiB), 4 * kMiB);
}

TEST(HmbChunk, HalvingStopsAtMinimumDescriptorSize)
{
	struct nvme_hmb_limits l;
	u64 c;
	int steps = 0;

	/* HMMINDS 64 KiB */
	ASSERT_EQ(nvme_hmb_limits(&l, 4096, 0, 16, 0, 128 * kMiB, kPage), 0);
	c = nvme_hmb_first_chunk(&l, l.preferred, 2 * kMiB);
	EXPECT_EQ(c, 2 * kMiB);
	while ((c = nvme_hmb_next_chunk(&l, c)))
		steps++;
	/* 1M 512K 256K 128K 64K */
	EXPECT_EQ(steps, 5);
}

TEST(HmbChunk, MinimumDescriptorBeyondAllocator)
{
	struct nvme_hmb_limits l;

	/* HMMINDS 8 MiB, allocator gives 4 MiB blocks */
	ASSERT_EQ(nvme_hmb_limits(&l, 8192, 0, 2048, 0, 128 * kMiB, kPage), 0);
	EXPECT_EQ(nvme_hmb_first_chunk(&l, l.preferred, 4 * kMiB), 0u);
	EXPECT_EQ(nvme_hmb_first_chunk(&l, 0, 4 * kMiB), 0u);
}

TEST(HmbChunk, DescriptorLimitCapsChunks)
{
	struct nvme_hmb_limits l;

	/* HMMAXD 4: 64 MiB in 1 MiB chunks is only 4 of them */
	ASSERT_EQ(nvme_hmb_limits(&l, 16384, 0, 0, 4, 128 * kMiB, kPage), 0);
	EXPECT_EQ(nvme_hmb_nr_chunks(&l, 64 * kMiB, 1 * kMiB), 4u);
	EXPECT_EQ(nvme_hmb_nr_chunks(&l, 64 * kMiB, 0), 0u);
}

TEST(HmbChunk, LastChunkShorterOrDropped)
{
	struct nvme_hmb_limits l;

	/* HMMINDS 64 KiB; 1 MiB + 128 KiB in 1 MiB chunks */
	ASSERT_EQ(nvme_hmb_limits(&l, 1024, 0, 16, 0, 128 * kMiB, kPage), 0);
	EXPECT_EQ(nvme_hmb_chunk_len(&l, kMiB + 131072, 0, kMiB), kMiB);
	EXPECT_EQ(nvme_hmb_chunk_len(&l, kMiB + 131072, kMiB, kMiB), 131072u);
	/* a 32 KiB rest is below HMMINDS: stop short */
	EXPECT_EQ(nvme_hmb_chunk_len(&l, kMiB + 32768, kMiB, kMiB), 0u);
	EXPECT_EQ(nvme_hmb_chunk_len(&l, kMiB, 2 * kMiB, kMiB), 0u);
}

TEST(HmbDesc, EntryLayout)
{
	struct nvme_host_mem_desc d;
	uint8_t raw[16];

	memset(&d, 0xff, sizeof(d));
	nvme_hmb_set_desc(&d, 0x123456789000ull, 2 * kMiB, kPage);
	memcpy(raw, &d, sizeof(raw));
	const uint8_t want[16] = { 0x00, 0x90, 0x78, 0x56, 0x34, 0x12, 0, 0,
				   0x00, 0x02, 0x00, 0x00, 0, 0, 0, 0 };
	EXPECT_EQ(memcmp(raw, want, sizeof(want)), 0);
	EXPECT_EQ(sizeof(struct nvme_host_mem_desc), 16u);
}

TEST(HmbCmd, EnableDwords)
{
	struct nvme_hmb_cmd c;

	nvme_hmb_build_cmd(&c, 0xabcd00001000ull, 7, 28 * kMiB, kPage,
			   NVME_HOST_MEM_ENABLE);
	EXPECT_EQ(c.dw[0], 1u);
	EXPECT_EQ(c.dw[1], 7168u);
	EXPECT_EQ(c.dw[2], 0x00001000u);
	EXPECT_EQ(c.dw[3], 0xabcdu);
	EXPECT_EQ(c.dw[4], 7u);
}

TEST(HmbCmd, ReturnAndDisable)
{
	struct nvme_hmb_cmd c;

	nvme_hmb_build_cmd(&c, 0x1000, 1, kMiB, kPage,
			   NVME_HOST_MEM_ENABLE | NVME_HOST_MEM_RETURN);
	EXPECT_EQ(c.dw[0], 3u);
	nvme_hmb_build_cmd(&c, 0x1000, 1, kMiB, kPage, 0);
	for (u32 dw : c.dw)
		EXPECT_EQ(dw, 0u);
}

TEST(HmbWire, IdentifyOffsets)
{
	EXPECT_EQ(offsetof(struct nvme_id_ctrl, hmpre), 272u);
	EXPECT_EQ(offsetof(struct nvme_id_ctrl, hmmin), 276u);
	EXPECT_EQ(offsetof(struct nvme_id_ctrl, hmminds), 332u);
	EXPECT_EQ(offsetof(struct nvme_id_ctrl, hmmaxd), 336u);
	EXPECT_EQ(NVME_FEAT_HOST_MEM_BUF, 0x0d);
}

} // namespace
