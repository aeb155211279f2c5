// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for pci/dptr.c: PRP list construction and SGL descriptor
 * encoding, plus the sizes of the wire structures.
 *
 * PRP rules (NVMe base spec, "Physical Region Page Entry and List"), with
 * a memory page size of 4096 unless a test says otherwise:
 *  - PRP1 may carry an offset, which must be dword aligned;
 *  - every other entry names a whole page (offset 0);
 *  - if the transfer fits in the page of PRP1, PRP2 is unused (0);
 *  - if it ends in the next page, PRP2 is that page's address;
 *  - otherwise PRP2 points at a PRP list of the remaining pages.
 * Consequently every segment but the first must start on a page boundary
 * and every segment but the last must end on one.
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

extern "C" {
#include "pci/dptr.h"
}

namespace {

constexpr u32 kPage = 4096;
constexpr u64 kCanary = 0xa5a5a5a5deadbeefull;
constexpr u64 kListDma = 0x7f0000000ull; // bus address of the PRP list

struct Seg {
	u64 addr;
	u32 len;
};

// A builder with a list of @max entries followed by guard entries, so a
// write past list_max is caught.
class Builder {
    public:
	explicit Builder(u32 max, u32 page = kPage)
		: store_(max + kGuard, kCanary), max_(max)
	{
		nvme_prp_init(&b_, page, store_.data(), max);
	}

	int Add(u64 addr, u32 len) { return nvme_prp_add(&b_, addr, len); }

	int AddAll(const std::vector<Seg> &segs, size_t *failed_at = nullptr)
	{
		for (size_t i = 0; i < segs.size(); i++) {
			int ret = Add(segs[i].addr, segs[i].len);
			if (ret) {
				if (failed_at)
					*failed_at = i;
				return ret;
			}
		}
		return 0;
	}

	// nvme_prp_finish() into a fresh SQE; returns its result.
	u32 Finish(nvme_sqe *c, u64 list_dma = kListDma)
	{
		std::memset(c, 0xee, sizeof(*c));
		return nvme_prp_finish(&b_, c, list_dma);
	}

	bool GuardIntact() const
	{
		for (u32 i = max_; i < max_ + kGuard; i++)
			if (store_[i] != kCanary)
				return false;
		return true;
	}

	u64 Entry(u32 i) const { return le64toh(store_[i]); }
	std::vector<u64> Entries() const
	{
		std::vector<u64> v;
		for (u32 i = 0; i < b_.nr; i++)
			v.push_back(Entry(i));
		return v;
	}

	nvme_prp_builder &b() { return b_; }

    private:
	static constexpr u32 kGuard = 8;
	std::vector<__le64> store_;
	u32 max_;
	nvme_prp_builder b_;
};

u64 Le(__le64 v)
{
	return le64toh(v);
}

// Brute force: pages touched by [addr, addr + len), minus the one PRP1
// names.
u32 RefListEntries(u64 addr, u64 len, u32 page)
{
	if (len == 0)
		return 0;
	u32 pages = 0;
	for (u64 p = addr & ~u64(page - 1); p < addr + len; p += page)
		pages++;
	return pages - 1;
}

using Chunks = std::vector<std::pair<u64, u64>>; // (addr, len)

// Splits byte ranges at page boundaries and merges neighbours that are
// contiguous within one page, so two descriptions of the same bytes in
// the same order compare equal.
Chunks Normalize(const Chunks &in, u32 page)
{
	Chunks out;
	for (auto [addr, len] : in) {
		while (len) {
			u64 room = page - (addr & (page - 1));
			u64 n = std::min<u64>(room, len);
			if (!out.empty() && out.back().first + out.back().second == addr &&
			    (out.back().first & ~u64(page - 1)) == (addr & ~u64(page - 1)))
				out.back().second += n;
			else
				out.push_back({ addr, n });
			addr += n;
			len -= n;
		}
	}
	return out;
}

// Decodes a command's PRP1/PRP2 (and the list, when PRP2 points at one)
// the way a controller would for a transfer of @total bytes.  Fails the
// test if the entries break the PRP rules.
Chunks DecodePrps(const nvme_sqe &c, const std::vector<u64> &list, u64 list_dma,
		  u64 total, u32 page)
{
	Chunks out;
	u64 prp1 = Le(c.dptr.prp1), prp2 = Le(c.dptr.prp2);
	EXPECT_EQ(prp1 & 3, 0u) << "PRP1 not dword aligned";
	u64 first = std::min<u64>(total, page - (prp1 & (page - 1)));
	out.push_back({ prp1, first });
	u64 left = total - first;
	if (left == 0) {
		EXPECT_EQ(prp2, 0u) << "PRP2 set although unused";
		return out;
	}
	if (left <= page) {
		EXPECT_EQ(prp2 & (page - 1), 0u) << "PRP2 has an offset";
		out.push_back({ prp2, left });
		return out;
	}
	EXPECT_EQ(prp2, list_dma) << "PRP2 is not the list";
	for (u64 e : list) {
		EXPECT_EQ(e & (page - 1), 0u) << "list entry has an offset";
		if (left == 0) {
			ADD_FAILURE() << "PRP list has more entries than needed";
			break;
		}
		u64 n = std::min<u64>(left, page);
		out.push_back({ e, n });
		left -= n;
	}
	EXPECT_EQ(left, 0u) << "PRP list too short";
	return out;
}

u64 Total(const std::vector<Seg> &segs)
{
	u64 t = 0;
	for (const Seg &s : segs)
		t += s.len;
	return t;
}

Chunks SegChunks(const std::vector<Seg> &segs)
{
	Chunks c;
	for (const Seg &s : segs)
		c.push_back({ s.addr, s.len });
	return c;
}

// Builds @segs with room for @max entries and checks the result describes
// exactly the bytes of @segs, in order.
void ExpectExactCover(const std::vector<Seg> &segs, u32 max = 512, u32 page = kPage)
{
	Builder b(max, page);
	ASSERT_EQ(b.AddAll(segs), 0);
	ASSERT_TRUE(b.GuardIntact());
	u64 total = Total(segs);
	EXPECT_EQ(b.b().nr, nvme_prp_list_entries(segs[0].addr, total, page));
	EXPECT_EQ(b.b().nr, RefListEntries(segs[0].addr, total, page));

	nvme_sqe c;
	u32 listed = b.Finish(&c);
	EXPECT_EQ(listed, b.b().nr > 1 ? b.b().nr : 0u);
	Chunks got = Normalize(DecodePrps(c, b.Entries(), kListDma, total, page), page);
	Chunks want = Normalize(SegChunks(segs), page);
	EXPECT_EQ(got, want);
}

// ---------------------------------------------------------------------
// Shapes of small transfers
// ---------------------------------------------------------------------
TEST(Prp, SingleSegmentWithinOnePage)
{
	for (auto [addr, len] : std::vector<std::pair<u64, u32>>{
		     { 0x10000, 4096 }, { 0x10000, 512 }, { 0x10000, 1 },
		     { 0x10200, 0xe00 }, { 0x10ffc, 4 }, { 0x10004, 100 } }) {
		SCOPED_TRACE(testing::Message() << std::hex << addr << "+" << len);
		Builder b(4);
		ASSERT_EQ(b.Add(addr, len), 0);
		nvme_sqe c;
		EXPECT_EQ(b.Finish(&c), 0u);
		EXPECT_EQ(Le(c.dptr.prp1), addr);
		EXPECT_EQ(Le(c.dptr.prp2), 0u);
		EXPECT_EQ(b.b().nr, 0u);
		EXPECT_TRUE(b.GuardIntact());
	}
}

TEST(Prp, CrossingIntoSecondPage)
{
	// offset start, spills into the next page
	{
		Builder b(4);
		ASSERT_EQ(b.Add(0x10200, 4096), 0);
		nvme_sqe c;
		EXPECT_EQ(b.Finish(&c), 0u);
		EXPECT_EQ(Le(c.dptr.prp1), 0x10200u);
		EXPECT_EQ(Le(c.dptr.prp2), 0x11000u); // a data page, not a list
		EXPECT_EQ(b.b().nr, 1u);
	}
	// exactly two aligned pages
	{
		Builder b(4);
		ASSERT_EQ(b.Add(0x40000, 8192), 0);
		nvme_sqe c;
		EXPECT_EQ(b.Finish(&c), 0u);
		EXPECT_EQ(Le(c.dptr.prp1), 0x40000u);
		EXPECT_EQ(Le(c.dptr.prp2), 0x41000u);
	}
	// one byte into the second page
	{
		Builder b(4);
		ASSERT_EQ(b.Add(0x40ffc, 5), 0);
		nvme_sqe c;
		EXPECT_EQ(b.Finish(&c), 0u);
		EXPECT_EQ(Le(c.dptr.prp2), 0x41000u);
	}
}

TEST(Prp, TwoEntriesNeedNoListStorage)
{
	// The driver passes a one-entry on-stack "list" when at most one
	// entry follows PRP1; that must be enough.
	Builder b(1);
	ASSERT_EQ(b.Add(0x12340, 4096), 0);
	EXPECT_TRUE(b.GuardIntact());
	nvme_sqe c;
	EXPECT_EQ(b.Finish(&c, 0), 0u);
	EXPECT_EQ(Le(c.dptr.prp2), 0x13000u);
}

TEST(Prp, ThreeOrMorePagesUseList)
{
	{
		Builder b(8);
		ASSERT_EQ(b.Add(0x100000, 3 * kPage), 0);
		nvme_sqe c;
		EXPECT_EQ(b.Finish(&c), 2u);
		EXPECT_EQ(Le(c.dptr.prp1), 0x100000u);
		EXPECT_EQ(Le(c.dptr.prp2), kListDma);
		EXPECT_EQ(b.Entries(), (std::vector<u64>{ 0x101000, 0x102000 }));
		EXPECT_TRUE(b.GuardIntact());
	}
	{
		// offset start over three pages touches four
		Builder b(8);
		ASSERT_EQ(b.Add(0x100100, 3 * kPage), 0);
		nvme_sqe c;
		EXPECT_EQ(b.Finish(&c), 3u);
		EXPECT_EQ(Le(c.dptr.prp1), 0x100100u);
		EXPECT_EQ(Le(c.dptr.prp2), kListDma);
		EXPECT_EQ(b.Entries(),
			  (std::vector<u64>{ 0x101000, 0x102000, 0x103000 }));
	}
	{
		// 1 MiB aligned: 255 list entries (the driver's maximum I/O)
		Builder b(512);
		ASSERT_EQ(b.Add(0x200000000ull, 1u << 20), 0);
		nvme_sqe c;
		EXPECT_EQ(b.Finish(&c), 255u);
		for (u32 i = 0; i < 255; i++)
			ASSERT_EQ(b.Entry(i), 0x200000000ull + (i + 1) * u64(kPage));
	}
}

TEST(Prp, ListEntriesAreLittleEndian)
{
	Builder b(4);
	ASSERT_EQ(b.Add(0x0102030405060000ull, 3 * kPage), 0);
	nvme_sqe c;
	b.Finish(&c);
	const u8 *raw = reinterpret_cast<const u8 *>(&b.b().list[0]);
	const u8 want[8] = { 0x00, 0x10, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
	EXPECT_EQ(0, std::memcmp(raw, want, 8));
	const u8 *sqe = reinterpret_cast<const u8 *>(&c);
	const u8 prp1[8] = { 0x00, 0x00, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
	EXPECT_EQ(0, std::memcmp(sqe + 24, prp1, 8)); // PRP1: SQE bytes 31:24
}

TEST(Prp, UnalignedFirstSegmentOffset)
{
	Builder b(8);
	ASSERT_EQ(b.Add(0x20004, 10000), 0); // 4092 + 4096 + 1812
	nvme_sqe c;
	EXPECT_EQ(b.Finish(&c), 2u); // three pages: a list of two
	EXPECT_EQ(Le(c.dptr.prp1), 0x20004u);
	EXPECT_EQ(Le(c.dptr.prp2), kListDma);
	EXPECT_EQ(b.Entries(), (std::vector<u64>{ 0x21000, 0x22000 }));

	ExpectExactCover({ { 0x20004, 10000 } });
	ExpectExactCover({ { 0x20ffc, 4 + 2 * kPage + 1 } });
}

TEST(Prp, MultiplePageAlignedSegments)
{
	Builder b(8);
	ASSERT_EQ(b.Add(0x1000, 0x2000), 0);
	ASSERT_EQ(b.Add(0x9000, 0x1000), 0);
	ASSERT_EQ(b.Add(0x5000, 0x800), 0); // the last one may end anywhere
	nvme_sqe c;
	EXPECT_EQ(b.Finish(&c), 3u);
	EXPECT_EQ(Le(c.dptr.prp1), 0x1000u);
	EXPECT_EQ(b.Entries(), (std::vector<u64>{ 0x2000, 0x9000, 0x5000 }));

	ExpectExactCover({ { 0x1000, 0x2000 }, { 0x9000, 0x1000 }, { 0x5000, 0x800 } });
}

TEST(Prp, OffsetFirstSegmentEndingOnBoundaryThenAnother)
{
	Builder b(4);
	ASSERT_EQ(b.Add(0x1800, 0x800), 0);
	ASSERT_EQ(b.Add(0x7000, 0x1000), 0);
	nvme_sqe c;
	EXPECT_EQ(b.Finish(&c), 0u);
	EXPECT_EQ(Le(c.dptr.prp1), 0x1800u);
	EXPECT_EQ(Le(c.dptr.prp2), 0x7000u); // second page directly
}

TEST(Prp, ManySinglePageSegments)
{
	std::vector<Seg> segs;
	for (u64 i = 0; i < 64; i++)
		segs.push_back({ 0x1000000 + ((i * 37) % 64) * kPage, kPage });
	ExpectExactCover(segs);
}

TEST(Prp, OtherPageSizes)
{
	for (u32 page : { 8192u, 16384u, 65536u }) {
		SCOPED_TRACE(page);
		ExpectExactCover({ { 0x40000004, 3 * page } }, 16, page);
		ExpectExactCover({ { page + page / 2, page / 2 },
				   { 9 * page, 2 * page },
				   { 3 * page, 100 } },
				 16, page);
		Builder b(4, page);
		ASSERT_EQ(b.Add(page, 4096), 0); // 4 KiB alignment is not enough
		EXPECT_EQ(b.Add(page * 5 + 4096, 4096), -EINVAL);
	}
}

// ---------------------------------------------------------------------
// Rejected segment lists
// ---------------------------------------------------------------------
void ExpectUnchangedAfter(Builder &b, u64 addr, u32 len, int want)
{
	const nvme_prp_builder before = b.b();
	EXPECT_EQ(b.Add(addr, len), want);
	const nvme_prp_builder &after = b.b();
	EXPECT_EQ(after.nr, before.nr) << "rejected segment changed the builder";
	EXPECT_EQ(after.prp1, before.prp1);
	EXPECT_EQ(after.nsegs, before.nsegs);
	EXPECT_EQ(after.end, before.end);
	EXPECT_EQ(after.list, before.list);
	EXPECT_EQ(after.list_max, before.list_max);
	EXPECT_EQ(after.page_size, before.page_size);
	EXPECT_TRUE(b.GuardIntact());
}

TEST(PrpReject, MiddleSegmentNotPageAlignedAtStart)
{
	for (u64 off : { 4ull, 0x200ull, 0xffcull, 0x800ull }) {
		Builder b(8);
		ASSERT_EQ(b.Add(0x1000, 0x1000), 0);
		ExpectUnchangedAfter(b, 0x3000 + off, 0x1000, -EINVAL);
	}
	// third segment, after two good ones
	Builder b(8);
	ASSERT_EQ(b.Add(0x1000, 0x1000), 0);
	ASSERT_EQ(b.Add(0x8000, 0x2000), 0);
	ExpectUnchangedAfter(b, 0x20010, 0x100, -EINVAL);
}

TEST(PrpReject, PreviousSegmentNotEndingOnPageBoundary)
{
	{
		Builder b(8);
		ASSERT_EQ(b.Add(0x1000, 0x800), 0); // ends mid page
		ExpectUnchangedAfter(b, 0x3000, 0x1000, -EINVAL);
	}
	{
		Builder b(8);
		ASSERT_EQ(b.Add(0x1000, 0x1000), 0);
		ASSERT_EQ(b.Add(0x5000, 0x1004), 0); // ends 4 bytes into a page
		ExpectUnchangedAfter(b, 0x9000, 0x1000, -EINVAL);
	}
	{
		// offset first segment that does not reach the page end
		Builder b(8);
		ASSERT_EQ(b.Add(0x1100, 0x100), 0);
		ExpectUnchangedAfter(b, 0x2000, 0x1000, -EINVAL);
	}
}

TEST(PrpReject, NonDwordAlignedAddress)
{
	for (u64 addr : { 0x1001ull, 0x1002ull, 0x1003ull, 0x1ffeull }) {
		Builder b(8);
		ExpectUnchangedAfter(b, addr, 512, -EINVAL);
	}
	Builder b(8);
	ASSERT_EQ(b.Add(0x1000, 0x1000), 0);
	ExpectUnchangedAfter(b, 0x4002, 0x1000, -EINVAL);
}

TEST(PrpReject, ZeroLength)
{
	{
		Builder b(8);
		ExpectUnchangedAfter(b, 0x1000, 0, -EINVAL);
		EXPECT_EQ(b.b().nsegs, 0u);
	}
	{
		Builder b(8);
		ASSERT_EQ(b.Add(0x1000, 0x1000), 0);
		ExpectUnchangedAfter(b, 0x4000, 0, -EINVAL);
	}
}

TEST(PrpReject, ListCapacityOverflow)
{
	{
		Builder b(2);
		EXPECT_EQ(b.Add(0x1000, 4 * kPage), -E2BIG); // needs 3
		EXPECT_EQ(b.b().nr, 2u);
		EXPECT_TRUE(b.GuardIntact());
	}
	{
		Builder b(0);
		EXPECT_EQ(b.Add(0x1000, 2 * kPage), -E2BIG);
		EXPECT_EQ(b.b().nr, 0u);
		EXPECT_TRUE(b.GuardIntact());
		// but a one-page transfer needs no list at all
		Builder b2(0);
		EXPECT_EQ(b2.Add(0x1000, kPage), 0);
	}
	{
		// exactly full is fine
		Builder b(3);
		EXPECT_EQ(b.Add(0x1000, 4 * kPage), 0);
		EXPECT_EQ(b.b().nr, 3u);
		EXPECT_TRUE(b.GuardIntact());
	}
	{
		// overflow on a later segment
		Builder b(3);
		ASSERT_EQ(b.Add(0x1000, 2 * kPage), 0);
		ASSERT_EQ(b.Add(0x9000, 2 * kPage), 0);
		EXPECT_EQ(b.Add(0x20000, kPage), -E2BIG);
		EXPECT_EQ(b.b().nr, 3u);
		EXPECT_TRUE(b.GuardIntact());
	}
	{
		// 2 MiB from an offset touches 513 pages: exactly a full list
		Builder full(512);
		EXPECT_EQ(full.Add(0x100004, 2u << 20), 0);
		EXPECT_EQ(full.b().nr, 512u);
		EXPECT_TRUE(full.GuardIntact());
		// one more page does not fit
		Builder b(512);
		EXPECT_EQ(b.Add(0x100004, (2u << 20) + kPage), -E2BIG);
		EXPECT_EQ(b.b().nr, 512u);
		EXPECT_TRUE(b.GuardIntact());
	}
	{
		// a huge segment stops at the list end instead of walking 4 GiB
		Builder b(16);
		EXPECT_EQ(b.Add(0x1000, 0xfffff000u), -E2BIG);
		EXPECT_TRUE(b.GuardIntact());
	}
}

// ---------------------------------------------------------------------
// nvme_prp_list_entries()
// ---------------------------------------------------------------------
TEST(PrpListEntries, KnownValues)
{
	EXPECT_EQ(nvme_prp_list_entries(0x1000, 1, kPage), 0u);
	EXPECT_EQ(nvme_prp_list_entries(0x1000, kPage, kPage), 0u);
	EXPECT_EQ(nvme_prp_list_entries(0x1000, kPage + 1, kPage), 1u);
	EXPECT_EQ(nvme_prp_list_entries(0x1ffc, 4, kPage), 0u);
	EXPECT_EQ(nvme_prp_list_entries(0x1ffc, 5, kPage), 1u);
	EXPECT_EQ(nvme_prp_list_entries(0x1200, kPage, kPage), 1u);
	EXPECT_EQ(nvme_prp_list_entries(0x1000, 3 * kPage, kPage), 2u);
	EXPECT_EQ(nvme_prp_list_entries(0x1100, 3 * kPage, kPage), 3u);
	EXPECT_EQ(nvme_prp_list_entries(0x1000, 1u << 20, kPage), 255u);
	EXPECT_EQ(nvme_prp_list_entries(0x1004, 1u << 20, kPage), 256u);
	// 64-bit lengths and addresses
	EXPECT_EQ(nvme_prp_list_entries(0xfff0000000001000ull, 1ull << 32, kPage),
		  (1u << 20) - 1);
	EXPECT_EQ(nvme_prp_list_entries(0x1000, 1ull << 40, kPage), (1u << 28) - 1);
}

TEST(PrpListEntries, MatchesBruteForce)
{
	std::vector<u64> offsets = { 0, 4, 8, 0x100, 0x7fc, 0x800, 0xff8, 0xffc };
	for (u64 o = 0; o < kPage; o += 0x124)
		offsets.push_back(o & ~3ull);
	std::vector<u64> lens;
	for (u64 l = 1; l <= 64; l++)
		lens.push_back(l);
	for (u64 l = 65; l <= 5 * kPage; l += 61)
		lens.push_back(l);
	for (u64 k = 1; k <= 5; k++) // around page multiples
		for (u64 d = 0; d <= 16; d++) {
			lens.push_back(k * kPage - 8 + d);
		}
	lens.push_back(1ull << 20);
	lens.push_back((1ull << 20) + 1);
	for (u64 base : { 0x0ull, 0x7000ull, 0x123456000ull, 0xffff800000000000ull })
		for (u64 off : offsets)
			for (u64 len : lens)
				ASSERT_EQ(nvme_prp_list_entries(base + off, len, kPage),
					  RefListEntries(base + off, len, kPage))
					<< std::hex << base + off << "+" << len;
}

TEST(PrpListEntries, AgreesWithBuilderForOneSegment)
{
	std::mt19937 rng(4096);
	for (int i = 0; i < 2000; i++) {
		u64 addr = (u64(rng()) << 12 | (rng() & 0xfff)) & ~3ull;
		u32 len = 1 + rng() % (40 * kPage);
		Builder b(64);
		ASSERT_EQ(b.Add(addr, len), 0);
		ASSERT_EQ(b.b().nr, nvme_prp_list_entries(addr, len, kPage))
			<< std::hex << addr << "+" << len;
	}
}

// ---------------------------------------------------------------------
// Randomized property tests
// ---------------------------------------------------------------------

// A random segment list that obeys the PRP rules: offset (dword aligned)
// start, page-aligned joins, anything-goes end.
std::vector<Seg> RandomValidSegs(std::mt19937 &rng, u32 page)
{
	std::uniform_int_distribution<int> nseg_d(1, 8);
	std::uniform_int_distribution<u32> pages_d(0, 4);
	auto page_addr = [&]() {
		// anywhere below 2^52, including above 4 GiB
		u64 pfn = (u64(rng()) << 20 ^ rng()) & ((1ull << 40) - 1);
		return pfn * page;
	};
	int nseg = nseg_d(rng);
	std::vector<Seg> segs;
	for (int i = 0; i < nseg; i++) {
		bool first = i == 0, last = i == nseg - 1;
		u64 addr = page_addr();
		if (first && rng() % 2)
			addr += (rng() % page) & ~3u;
		u32 to_boundary = page - u32(addr & (page - 1));
		u32 len;
		if (!last) {
			len = to_boundary + pages_d(rng) * page; // ends on a boundary
		} else {
			len = 1 + rng() % (to_boundary + 4 * page);
		}
		segs.push_back({ addr, len });
	}
	return segs;
}

TEST(PrpProperty, RandomValidListsCoverExactlyTheSegments)
{
	std::mt19937 rng(20240501);
	for (int i = 0; i < 3000; i++) {
		u32 page = i % 4 ? kPage : (kPage << (rng() % 5));
		auto segs = RandomValidSegs(rng, page);
		SCOPED_TRACE(testing::Message() << "case " << i);
		ExpectExactCover(segs, 512, page);
		if (HasFailure())
			break;
	}
}

TEST(PrpProperty, CapacityDecidesE2big)
{
	std::mt19937 rng(7);
	for (int i = 0; i < 3000; i++) {
		auto segs = RandomValidSegs(rng, kPage);
		u32 need = RefListEntries(segs[0].addr, Total(segs), kPage);
		u32 max = rng() % (need + 3);
		Builder b(max);
		int ret = b.AddAll(segs);
		ASSERT_TRUE(b.GuardIntact()) << "case " << i;
		ASSERT_LE(b.b().nr, max);
		if (need <= max) {
			ASSERT_EQ(ret, 0) << "case " << i;
			ASSERT_EQ(b.b().nr, need);
		} else {
			ASSERT_EQ(ret, -E2BIG) << "case " << i << " need " << need
					       << " max " << max;
			ASSERT_EQ(b.b().nr, max);
		}
	}
}

TEST(PrpProperty, FirstBrokenRuleIsRejected)
{
	std::mt19937 rng(99);
	int mutated = 0;
	for (int i = 0; i < 3000; i++) {
		auto segs = RandomValidSegs(rng, kPage);
		size_t k = rng() % segs.size();
		Seg &s = segs[k];
		switch (rng() % 4) {
		case 0: // not dword aligned
			s.addr |= 1 + rng() % 3;
			break;
		case 1: // empty
			s.len = 0;
			break;
		case 2: // a later segment starting mid page
			if (k == 0)
				continue;
			s.addr += 4 * (1 + rng() % (kPage / 4 - 1));
			break;
		case 3: { // a segment before the last ending mid page
			if (k + 1 == segs.size() || s.len < 8)
				continue;
			u32 m = 1 + rng() % std::min<u32>(s.len / 4 - 1, kPage / 4 - 1);
			s.len -= 4 * m;
			k++; // detected when the next segment joins
			break;
		}
		}
		mutated++;
		Builder b(512);
		size_t failed_at = ~size_t(0);
		ASSERT_EQ(b.AddAll(segs, &failed_at), -EINVAL) << "case " << i;
		ASSERT_EQ(failed_at, k) << "case " << i;
		ASSERT_TRUE(b.GuardIntact());
	}
	EXPECT_GT(mutated, 1500);
}

// ---------------------------------------------------------------------
// SGL descriptors
// ---------------------------------------------------------------------
TEST(Sgl, DataBlockEncoding)
{
	nvme_sgl_desc d;
	std::memset(&d, 0xff, sizeof(d));
	nvme_sgl_set_data(&d, 0x1122334455667788ull, 0x9abcdef0u);
	const u8 want[16] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
			      0xf0, 0xde, 0xbc, 0x9a, 0x00, 0x00, 0x00, 0x00 };
	EXPECT_EQ(0, std::memcmp(&d, want, 16));
	EXPECT_EQ(d.type, 0x00); // data block, address sub type
	EXPECT_EQ(le64toh(d.addr), 0x1122334455667788ull);
	EXPECT_EQ(le32toh(d.length), 0x9abcdef0u);
}

TEST(Sgl, LastSegmentEncoding)
{
	nvme_sgl_desc d;
	std::memset(&d, 0xff, sizeof(d));
	nvme_sgl_set_segment(&d, 0x00000012345678c0ull, 3);
	const u8 want[16] = { 0xc0, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00,
			      0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30 };
	EXPECT_EQ(0, std::memcmp(&d, want, 16));
	EXPECT_EQ(d.type, 0x30); // last segment, address sub type

	nvme_sgl_set_segment(&d, 0x1000, 256); // a full 4 KiB list
	EXPECT_EQ(le32toh(d.length), 4096u);
	EXPECT_EQ(d.type, 0x30);
	nvme_sgl_set_segment(&d, 0x1000, 1);
	EXPECT_EQ(le32toh(d.length), 16u);
}

TEST(Sgl, DescriptorSitsInSqeDptr)
{
	nvme_sqe c;
	std::memset(&c, 0, sizeof(c));
	nvme_sgl_set_data(&c.dptr.sgl, 0xabcdef00, 0x200);
	const u8 *raw = reinterpret_cast<const u8 *>(&c);
	// DPTR is SQE bytes 39:24; the SGL identifier is byte 39
	EXPECT_EQ(raw[24], 0x00);
	EXPECT_EQ(raw[25], 0xef);
	EXPECT_EQ(raw[27], 0xab);
	EXPECT_EQ(raw[28], 0x00);
	EXPECT_EQ(raw[33], 0x02); // length 0x200
	EXPECT_EQ(raw[39], 0x00);
	nvme_sgl_set_segment(&c.dptr.sgl, 0x4000, 2);
	EXPECT_EQ(raw[39], 0x30);
	EXPECT_EQ(raw[32], 32);
	// nothing outside DPTR was touched
	for (int i = 0; i < 64; i++) {
		if (i < 24 || i >= 40) {
			EXPECT_EQ(raw[i], 0) << "byte " << i;
		}
	}
}

TEST(Sgl, TypeConstants)
{
	EXPECT_EQ(NVME_SGL_TYPE_DATA_BLOCK | NVME_SGL_SUBTYPE_ADDRESS, 0x00);
	EXPECT_EQ(NVME_SGL_TYPE_SEGMENT, 0x20);
	EXPECT_EQ(NVME_SGL_TYPE_LAST_SEGMENT | NVME_SGL_SUBTYPE_ADDRESS, 0x30);
	EXPECT_EQ(NVME_SGL_TYPE_KEYED_DATA, 0x40);
	EXPECT_EQ(NVME_CMD_PSDT_SGL_MPTR, 0x40u);
	EXPECT_EQ(NVME_CMD_PSDT_SGL_SGL, 0x80u);
}

// ---------------------------------------------------------------------
// Wire structure sizes (also static_asserts in spec.h)
// ---------------------------------------------------------------------
TEST(WireFormat, SpecSizes)
{
	EXPECT_EQ(sizeof(nvme_sqe), 64u);
	EXPECT_EQ(sizeof(nvme_cqe), 16u);
	EXPECT_EQ(sizeof(nvme_id_ctrl), 4096u);
	EXPECT_EQ(sizeof(nvme_id_ns), 4096u);
	EXPECT_EQ(sizeof(nvme_sgl_desc), 16u);
	EXPECT_EQ(sizeof(nvme_dsm_range), 16u);
	EXPECT_EQ(sizeof(nvme_id_power_state), 32u);
	EXPECT_EQ(sizeof(nvme_lbaf), 4u);
	EXPECT_EQ(1u << NVME_SQE_SHIFT, sizeof(nvme_sqe));
	EXPECT_EQ(1u << NVME_CQE_SHIFT, sizeof(nvme_cqe));
	EXPECT_EQ(NVME_IDENTIFY_DATA_SIZE, 4096);
}

TEST(WireFormat, SqeAndCqeOffsets)
{
	EXPECT_EQ(offsetof(nvme_sqe, opc), 0u);
	EXPECT_EQ(offsetof(nvme_sqe, flags), 1u);
	EXPECT_EQ(offsetof(nvme_sqe, cid), 2u);
	EXPECT_EQ(offsetof(nvme_sqe, nsid), 4u);
	EXPECT_EQ(offsetof(nvme_sqe, cdw2), 8u);
	EXPECT_EQ(offsetof(nvme_sqe, mptr), 16u);
	EXPECT_EQ(offsetof(nvme_sqe, dptr), 24u);
	EXPECT_EQ(offsetof(nvme_sqe, cdw10), 40u);
	EXPECT_EQ(offsetof(nvme_sqe, cdw15), 60u);
	EXPECT_EQ(offsetof(nvme_cqe, dw0), 0u);
	EXPECT_EQ(offsetof(nvme_cqe, sqhd), 8u);
	EXPECT_EQ(offsetof(nvme_cqe, sqid), 10u);
	EXPECT_EQ(offsetof(nvme_cqe, cid), 12u);
	EXPECT_EQ(offsetof(nvme_cqe, status), 14u);
}

TEST(WireFormat, IdentifyOffsets)
{
	EXPECT_EQ(offsetof(nvme_id_ctrl, mdts), 77u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, cntlid), 78u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, ver), 80u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, oacs), 256u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, sqes), 512u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, nn), 516u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, sgls), 536u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, subnqn), 768u);
	EXPECT_EQ(offsetof(nvme_id_ctrl, psd), 2048u);
	EXPECT_EQ(offsetof(nvme_id_ns, flbas), 26u);
	EXPECT_EQ(offsetof(nvme_id_ns, nmic), 30u);
	EXPECT_EQ(offsetof(nvme_id_ns, nvmcap), 48u);
	EXPECT_EQ(offsetof(nvme_id_ns, eui64), 120u);
	EXPECT_EQ(offsetof(nvme_id_ns, lbaf), 128u);
}

} // namespace
