// SPDX-License-Identifier: GPL-2.0
//
// dio-unaligned: O_DIRECT I/O from buffers that are only dword aligned.
// An NVMe namespace takes data buffers at any 4-byte boundary (queue
// dma_alignment 3): a write from an address 4 bytes into a page and a
// read into an address 8 bytes into one must both reach the disk, across
// page boundaries, and read back what was written.
//
// Usage: dio-unaligned DEVICE [LBA_OFFSET_BYTES [LENGTH]]
//   defaults: offset 1 MiB, length 3 pages (both multiples of the block
//   size).  Exit status 0 when all of it matched; a line on stderr says
//   what did not.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct mapping {
	void *p = MAP_FAILED;
	size_t len = 0;
	explicit mapping(size_t n) : len(n)
	{
		p = mmap(nullptr, n, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	~mapping()
	{
		if (p != MAP_FAILED)
			munmap(p, len);
	}
	uint8_t *at(size_t off) { return static_cast<uint8_t *>(p) + off; }
};

int fail(const std::string &what)
{
	std::fprintf(stderr, "dio-unaligned: %s: %s\n", what.c_str(),
		     errno ? std::strerror(errno) : "mismatch");
	return 1;
}

bool full_io(bool write, int fd, uint8_t *buf, size_t len, off_t off)
{
	errno = 0;
	ssize_t n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	if (n >= 0 && static_cast<size_t>(n) != len)
		errno = EIO;
	return n >= 0 && static_cast<size_t>(n) == len;
}

}  // namespace

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		std::fprintf(stderr, "usage: dio-unaligned DEVICE [OFFSET [LENGTH]]\n");
		return 2;
	}
	const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
	const off_t off = argc > 2 ? std::strtoll(argv[2], nullptr, 0) : 1 << 20;
	const size_t len = argc > 3 ? std::strtoull(argv[3], nullptr, 0) : 3 * page;

	int fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0)
		return fail(std::string("open ") + argv[1]);
	mapping src(len + 2 * page), dst(len + 2 * page), chk(len + page);
	if (src.p == MAP_FAILED || dst.p == MAP_FAILED || chk.p == MAP_FAILED)
		return fail("mmap");

	uint8_t *w = src.at(4), *r = dst.at(8);
	uint32_t x = static_cast<uint32_t>(getpid()) * 2654435761u;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		w[i] = static_cast<uint8_t>(x >> 16);
	}
	int ret = 0;
	if (!full_io(true, fd, w, len, off))
		ret = fail("write from a buffer 4 bytes into a page");
	else if (!full_io(false, fd, r, len, off))
		ret = fail("read into a buffer 8 bytes into a page");
	else if (std::memcmp(w, r, len))
		ret = fail("unaligned read back");
	else if (!full_io(false, fd, chk.at(0), len, off))
		ret = fail("page aligned read");
	else if (std::memcmp(w, chk.at(0), len))
		ret = fail("page aligned read back");
	close(fd);
	return ret;
}
