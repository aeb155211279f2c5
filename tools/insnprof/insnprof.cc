// SPDX-License-Identifier: GPL-2.0
//
// insnprof: a QEMU TCG plugin that counts the guest instructions (and
// translation blocks) executed per translation block start address, for
// comparing two drivers by the work they do per I/O rather than by
// emulated time, which TCG makes noisy.
//
// Arguments (-plugin insnprof.so,out=PREFIX,mark=ADDR[,tlb=BITS]):
//   out   dumps go to PREFIX.0, PREFIX.1, ...: "vaddr insns tbs" lines,
//         with tlb= "vaddr insns tbs mems xpage misses"
//   mark  guest virtual address (hex) of code only the marker program
//         (insnprof-mark, linked at a fixed address) runs: each time a
//         vCPU gets there, the counts so far are dumped and reset.  A
//         guest script brackets each phase with a run of the marker.
//   tlb   also count, per block, its memory accesses, how often it was
//         entered from a block on another page (TCG chains blocks only
//         within a page: every other entry is a lookup) and the misses
//         of a model of the softmmu TLB: per vCPU and privilege level,
//         2^BITS direct-mapped 4 KiB entries and 8 victims.  Much slower.
//
// Written against the QEMU 7.2 plugin ABI (version 1); the declarations
// below are the few entry points used, since Debian ships no header.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W,
			  QEMU_PLUGIN_MEM_RW };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu, void *udata);
typedef void (*vcpu_mem_cb)(unsigned int vcpu, uint32_t info, uint64_t vaddr,
			    void *udata);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *udata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					   vcpu_udata_cb cb,
					   enum qemu_plugin_cb_flags flags,
					   void *udata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					       enum qemu_plugin_op op,
					       void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb cb,
				    void *udata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
				      vcpu_mem_cb cb,
				      enum qemu_plugin_cb_flags flags,
				      enum qemu_plugin_mem_rw rw, void *udata);
void qemu_plugin_register_vcpu_mem_inline(struct qemu_plugin_insn *insn,
					  enum qemu_plugin_mem_rw rw,
					  enum qemu_plugin_op op, void *ptr,
					  uint64_t imm);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;
__attribute__((visibility("default"))) int
qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
		    int argc, char **argv);
}

namespace {

struct counter {
	uint64_t insns;
	uint64_t tbs;
	uint64_t mems;
	uint64_t xpage;
	uint64_t misses;
	uint64_t cls[8];	// executions per instruction class (tlb mode)
	uint64_t lookups;	// entries through the jump cache (tlb mode)
	uint64_t jc_misses;	// of those, misses in its model
	uint64_t trans;		// translations of this block (tlb mode)
	uint64_t pc;		// the block's start (tlb mode)
	uint64_t page;		// the block's page number (tlb mode)
	bool ends_indirect;	// last instruction: no direct chaining
};

// instructions TCG runs out of line or that end a block (tlb mode)
const char *const class_names[8] = {
	"atomic", "sti", "cli", "popf", "pushf", "tsc", "fence", "priv",
};

int insn_class(const char *d)
{
	std::string s(d);
	auto starts = [&](const char *p) { return s.rfind(p, 0) == 0; };
	bool mem = s.find('(') != std::string::npos ||
		   s.find('[') != std::string::npos;

	if (starts("lock") || (starts("xchg") && mem) || starts("cmpxchg"))
		return 0;
	if (starts("sti"))
		return 1;
	if (starts("cli"))
		return 2;
	if (starts("popf"))
		return 3;
	if (starts("pushf"))
		return 4;
	if (starts("rdtsc") || starts("rdpid"))
		return 5;
	if (starts("mfence") || starts("lfence") || starts("sfence"))
		return 6;
	for (const char *p : { "wrmsr", "rdmsr", "cpuid", "swapgs", "iret",
			       "sysret", "invlpg", "hlt", "in ", "out ",
			       "pause" })
		if (starts(p))
			return 7;
	if (starts("mov") && s.find("%cr") != std::string::npos)
		return 7;
	return -1;
}

// the softmmu TLB model of one vCPU: [0] user, [1] kernel
struct vcpu_tlb {
	std::vector<uint64_t> ways[2];
	uint64_t victims[2][8] = {};
	unsigned int next_victim[2] = {};
	uint64_t last_page = 0;
	const counter *last = nullptr;
	uint64_t jc[4096] = {};	// QEMU 7.2's tb_jmp_cache: pc per slot
};

/* the slot of pc in QEMU 7.2's softmmu tb_jmp_cache (12 bits) */
unsigned int jc_slot(uint64_t pc)
{
	uint64_t tmp = pc ^ (pc >> 6);

	return ((tmp >> 6) & 0xfc0) | (tmp & 0x3f);
}

bool is_indirect_end(const char *d)
{
	std::string s(d);
	auto starts = [&](const char *p) { return s.rfind(p, 0) == 0; };

	for (const char *p : { "ret", "iret", "sysret", "syscall", "sti",
			       "popf", "int", "hlt", "ud2", "wrmsr" })
		if (starts(p))
			return true;
	return (starts("jmp") || starts("call")) &&
	       s.find('*') != std::string::npos;
}

/*
 * The plugin's state lives on the heap and is never freed: the last dump
 * runs from QEMU's exit path, after this library's static destructors.
 */
struct state {
	std::mutex lock;	// the map (translation runs on every vCPU thread)
	std::unordered_map<uint64_t, std::unique_ptr<counter>> counts;
	std::string prefix = "insnprof";
	uint64_t mark = 0;
	int phase = 0;
	unsigned int tlb_bits = 0;
	vcpu_tlb vcpus[64];
};
state *st;

void on_tb_entry(unsigned int vcpu, void *udata)
{
	counter *c = static_cast<counter *>(udata);
	vcpu_tlb &t = st->vcpus[vcpu % 64];

	if (t.last_page != c->page)
		c->xpage++;
	if (!t.last || t.last->ends_indirect || t.last_page != c->page) {
		uint64_t &slot = t.jc[jc_slot(c->pc)];

		c->lookups++;
		if (slot != c->pc) {
			c->jc_misses++;
			slot = c->pc;
		}
	}
	t.last_page = c->page;
	t.last = c;
}

void on_mem(unsigned int vcpu, uint32_t, uint64_t vaddr, void *udata)
{
	counter *c = static_cast<counter *>(udata);
	vcpu_tlb &t = st->vcpus[vcpu % 64];
	int k = vaddr >= 0xffff800000000000ull;
	uint64_t page = (vaddr >> 12) + 1;	// 0: empty
	std::vector<uint64_t> &w = t.ways[k];
	uint64_t &slot = w[page & (w.size() - 1)];

	if (slot == page)
		return;
	for (uint64_t &v : t.victims[k]) {
		if (v == page) {	// swap with the direct-mapped entry
			v = slot;
			slot = page;
			return;
		}
	}
	c->misses++;
	t.victims[k][t.next_victim[k]++ % 8] = slot;
	slot = page;
}

void dump()
{
	std::lock_guard<std::mutex> g(st->lock);
	std::string name = st->prefix + "." + std::to_string(st->phase++);
	FILE *f = std::fopen(name.c_str(), "w");

	for (auto &kv : st->counts) {
		// racy against the other vCPU's inline adds: a profile, not a ledger
		counter c = *kv.second;

		if (!c.tbs)
			continue;
		*kv.second = counter{};
		kv.second->page = c.page;
		kv.second->pc = c.pc;
		kv.second->ends_indirect = c.ends_indirect;
		if (!f)
			continue;
		std::fprintf(f, "%llx %llu %llu", (unsigned long long)kv.first,
			     (unsigned long long)c.insns,
			     (unsigned long long)c.tbs);
		if (st->tlb_bits) {
			std::fprintf(f, " %llu %llu %llu",
				     (unsigned long long)c.mems,
				     (unsigned long long)c.xpage,
				     (unsigned long long)c.misses);
			for (uint64_t n : c.cls)
				std::fprintf(f, " %llu", (unsigned long long)n);
			std::fprintf(f, " %llu %llu %llu",
				     (unsigned long long)c.lookups,
				     (unsigned long long)c.jc_misses,
				     (unsigned long long)c.trans);
		}
		std::fputc('\n', f);
	}
	if (f)
		std::fclose(f);
}

void on_mark(unsigned int, void *)
{
	dump();
}

void on_trans(qemu_plugin_id_t, struct qemu_plugin_tb *tb)
{
	uint64_t va = qemu_plugin_tb_vaddr(tb);
	counter *ctr;

	{
		std::lock_guard<std::mutex> g(st->lock);
		auto &slot = st->counts[va];

		if (!slot)
			slot = std::make_unique<counter>();
		ctr = slot.get();
		ctr->page = va >> 12;
		ctr->pc = va;
		ctr->trans++;
	}
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &ctr->insns,
						 qemu_plugin_tb_n_insns(tb));
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &ctr->tbs, 1);
	if (st->tlb_bits) {
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_entry,
						     QEMU_PLUGIN_CB_NO_REGS,
						     ctr);
		for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
			struct qemu_plugin_insn *insn =
				qemu_plugin_tb_get_insn(tb, i);

			qemu_plugin_register_vcpu_mem_inline(
				insn, QEMU_PLUGIN_MEM_RW,
				QEMU_PLUGIN_INLINE_ADD_U64, &ctr->mems, 1);
			qemu_plugin_register_vcpu_mem_cb(
				insn, on_mem, QEMU_PLUGIN_CB_NO_REGS,
				QEMU_PLUGIN_MEM_RW, ctr);
			char *d = qemu_plugin_insn_disas(insn);
			int k = d ? insn_class(d) : -1;

			if (d && i + 1 == qemu_plugin_tb_n_insns(tb))
				ctr->ends_indirect = is_indirect_end(d);
			std::free(d);	// g_free is free since glib 2.46
			if (k >= 0)
				qemu_plugin_register_vcpu_tb_exec_inline(
					tb, QEMU_PLUGIN_INLINE_ADD_U64,
					&ctr->cls[k], 1);
		}
	}
	if (st->mark && va == st->mark)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark,
						     QEMU_PLUGIN_CB_NO_REGS,
						     nullptr);
}

void on_exit(qemu_plugin_id_t, void *)
{
	dump();
}

} // namespace

int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *,
			int argc, char **argv)
{
	st = new state;
	for (int i = 0; i < argc; i++) {
		std::string a = argv[i];

		if (a.rfind("out=", 0) == 0)
			st->prefix = a.substr(4);
		else if (a.rfind("mark=", 0) == 0)
			st->mark = std::strtoull(a.c_str() + 5, nullptr, 16);
		else if (a.rfind("tlb=", 0) == 0)
			st->tlb_bits = std::strtoul(a.c_str() + 4, nullptr, 10);
		else {
			std::fprintf(stderr, "insnprof: unknown argument %s\n",
				     a.c_str());
			return -1;
		}
	}
	if (st->tlb_bits > 24) {
		std::fprintf(stderr, "insnprof: tlb=%u is too large\n",
			     st->tlb_bits);
		return -1;
	}
	for (vcpu_tlb &t : st->vcpus)
		for (auto &w : t.ways)
			w.assign(size_t{1} << st->tlb_bits, 0);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
	qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
	return 0;
}
