// SPDX-License-Identifier: GPL-2.0
//
// nvme-uring-probe: io_uring passthrough (NVME_URING_CMD_*) on a controller
// char device and a namespace ng device, valid and malformed: Identify
// through the ring must match Identify through the ioctl, and bad commands
// must fail with the errno Linux's driver gives.  Raw io_uring syscalls (no
// liburing needed).
//
// Usage: nvme-uring-probe /dev/nvmeX /dev/ngXnY    (needs CAP_SYS_ADMIN)
// Output is TAP; the exit status is 0 only if every expectation held.

#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

// One ring with 128-byte SQEs (and, unless told otherwise, 32-byte CQEs).
class Ring {
public:
	explicit Ring(unsigned int flags)
	{
		io_uring_params p{};

		p.flags = flags;
		fd_ = static_cast<int>(syscall(__NR_io_uring_setup, 4, &p));
		if (fd_ < 0)
			return;
		cqe32_ = flags & IORING_SETUP_CQE32;
		sq_len_ = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
		cq_len_ = p.cq_off.cqes + p.cq_entries *
			  (cqe32_ ? 2 : 1) * sizeof(io_uring_cqe);
		sqe_len_ = p.sq_entries * 2 * sizeof(io_uring_sqe);
		sq_ = map(sq_len_, IORING_OFF_SQ_RING);
		cq_ = map(cq_len_, IORING_OFF_CQ_RING);
		sqes_ = map(sqe_len_, IORING_OFF_SQES);
		if (!sq_ || !cq_ || !sqes_) {
			close(fd_);
			fd_ = -1;
			return;
		}
		p_ = p;
	}
	~Ring()
	{
		if (sq_)
			munmap(sq_, sq_len_);
		if (cq_)
			munmap(cq_, cq_len_);
		if (sqes_)
			munmap(sqes_, sqe_len_);
		if (fd_ >= 0)
			close(fd_);
	}
	bool ok() const { return fd_ >= 0; }

	// Submit one URING_CMD and wait for it: res, and res2 in *res2.
	int run(int fd, unsigned int op, const nvme_uring_cmd &cmd,
		uint64_t *res2)
	{
		auto *tail = at<std::atomic<unsigned int>>(sq_, p_.sq_off.tail);
		auto *array = at<unsigned int>(sq_, p_.sq_off.array);
		unsigned int mask = *at<unsigned int>(sq_, p_.sq_off.ring_mask);
		unsigned int t = tail->load(std::memory_order_relaxed);
		unsigned int slot = t & mask;
		auto *sqe = reinterpret_cast<io_uring_sqe *>(
			static_cast<char *>(sqes_) + slot * 2 * sizeof(io_uring_sqe));

		std::memset(sqe, 0, 2 * sizeof(io_uring_sqe));
		sqe->opcode = IORING_OP_URING_CMD;
		sqe->fd = fd;
		sqe->cmd_op = op;
		std::memcpy(sqe->cmd, &cmd, sizeof(cmd));
		array[slot] = slot;
		tail->store(t + 1, std::memory_order_release);
		if (syscall(__NR_io_uring_enter, fd_, 1, 1,
			    IORING_ENTER_GETEVENTS, nullptr, 0) < 0)
			return -errno;

		auto *head = at<std::atomic<unsigned int>>(cq_, p_.cq_off.head);
		unsigned int cmask = *at<unsigned int>(cq_, p_.cq_off.ring_mask);
		unsigned int h = head->load(std::memory_order_acquire);
		auto *cqe = reinterpret_cast<io_uring_cqe *>(
			static_cast<char *>(cq_) + p_.cq_off.cqes +
			(h & cmask) * (cqe32_ ? 2 : 1) * sizeof(io_uring_cqe));
		int res = cqe->res;

		if (res2)
			*res2 = cqe32_ ? cqe->big_cqe[0] : 0;
		head->store(h + 1, std::memory_order_release);
		return res;
	}

private:
	void *map(size_t len, off_t off)
	{
		void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_POPULATE, fd_, off);
		return p == MAP_FAILED ? nullptr : p;
	}
	template <typename T> static T *at(void *base, unsigned int off)
	{
		return reinterpret_cast<T *>(static_cast<char *>(base) + off);
	}

	int fd_ = -1;
	bool cqe32_ = false;
	io_uring_params p_{};
	void *sq_ = nullptr, *cq_ = nullptr, *sqes_ = nullptr;
	size_t sq_len_ = 0, cq_len_ = 0, sqe_len_ = 0;
};

int failures, tests;

void expect(bool good, const std::string &what, const std::string &got)
{
	++tests;
	if (!good)
		++failures;
	std::printf("%s %d - %s%s%s\n", good ? "ok" : "not ok", tests,
		    what.c_str(), good ? "" : " # got ", good ? "" : got.c_str());
}

void expect_res(int res, int want, const std::string &what)
{
	expect(res == want, what, std::to_string(res));
}

nvme_uring_cmd identify(void *buf, uint32_t cns, uint32_t nsid)
{
	nvme_uring_cmd c{};

	c.opcode = 0x06;
	c.nsid = nsid;
	c.addr = reinterpret_cast<uintptr_t>(buf);
	c.data_len = 4096;
	c.cdw10 = cns;
	return c;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s /dev/nvmeX /dev/ngXnY\n", argv[0]);
		return 2;
	}
	int cfd = open(argv[1], O_RDWR);
	int nfd = open(argv[2], O_RDWR);

	if (cfd < 0 || nfd < 0) {
		std::perror("open");
		return 2;
	}
	int nsid = ioctl(nfd, NVME_IOCTL_ID);
	Ring ring(IORING_SETUP_SQE128 | IORING_SETUP_CQE32);

	if (!ring.ok()) {
		std::perror("io_uring_setup");
		return 2;
	}
	std::vector<unsigned char> a(4096), b(4096);
	uint64_t res2 = ~0ull;

	std::printf("TAP version 13\n1..10\n");

	nvme_uring_cmd c = identify(a.data(), 1, 0);
	expect_res(ring.run(cfd, NVME_URING_CMD_ADMIN, c, &res2), 0,
		   "Identify Controller through the ring");
	nvme_admin_cmd ic{};
	ic.opcode = 0x06;
	ic.addr = reinterpret_cast<uintptr_t>(b.data());
	ic.data_len = 4096;
	ic.cdw10 = 1;
	expect(ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &ic) == 0 &&
	       !std::memcmp(a.data() + 4, b.data() + 4, 60),
	       "... serial and model match the ioctl's", "a difference");

	// Get Features, Number of Queues: the result comes back in res2
	nvme_uring_cmd gf{};
	gf.opcode = 0x0a;
	gf.cdw10 = 0x07;
	res2 = 0;
	expect(ring.run(cfd, NVME_URING_CMD_ADMIN, gf, &res2) == 0 && res2,
	       "Get Features (number of queues): result in the big CQE",
	       std::to_string(res2));

	c = identify(a.data(), 0, nsid);
	expect_res(ring.run(cfd, NVME_URING_CMD_IO, c, nullptr), -ENOTTY,
		   "an I/O command op on the controller: -ENOTTY");
	expect_res(ring.run(nfd, NVME_URING_CMD_ADMIN, c, nullptr), -ENOTTY,
		   "an admin command op on the ng device: -ENOTTY");

	// a read of one block into a buffer that is not there (Linux 6.1's
	// driver sends it without a data pointer and returns 0)
	nvme_uring_cmd rd{};
	rd.opcode = 0x02;
	rd.nsid = nsid;
	rd.addr = 0;
	rd.data_len = 4096;
	rd.cdw12 = 0;
	expect_res(ring.run(nfd, NVME_URING_CMD_IO, rd, nullptr), -EFAULT,
		   "a read to a NULL buffer: -EFAULT");
	rd.addr = reinterpret_cast<uintptr_t>(a.data());
	rd.data_len = 1u << 31;
	int r = ring.run(nfd, NVME_URING_CMD_IO, rd, nullptr);
	expect(r < 0, "a 2 GiB data length fails with an errno",
	       std::to_string(r));
	rd.data_len = 4096;
	rd.nsid = nsid + 1;
	expect_res(ring.run(nfd, NVME_URING_CMD_IO, rd, nullptr), -EINVAL,
		   "an nsid other than the device's: -EINVAL");
	rd.nsid = nsid;
	rd.flags = 0x40;	// PSDT: the transport's
	expect_res(ring.run(nfd, NVME_URING_CMD_IO, rd, nullptr), -EINVAL,
		   "PSDT bits set by the user: -EINVAL");

	Ring small(IORING_SETUP_SQE128);	// no 32-byte CQEs
	expect(small.ok() &&
	       small.run(cfd, NVME_URING_CMD_ADMIN,
			 identify(a.data(), 1, 0), nullptr) == -EOPNOTSUPP,
	       "a ring without 32-byte CQEs: -EOPNOTSUPP", "another answer");
	return failures ? 1 : 0;
}
