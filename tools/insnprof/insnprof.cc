// SPDX-License-Identifier: GPL-2.0
//
// insnprof: a QEMU TCG plugin that counts the guest instructions (and
// translation blocks) executed per translation block start address, for
// comparing two drivers by the work they do per I/O rather than by
// emulated time, which TCG makes noisy.
//
// Arguments (-plugin insnprof.so,out=PREFIX,mark=ADDR):
//   out   dumps go to PREFIX.0, PREFIX.1, ...: "vaddr insns tbs" lines
//   mark  guest virtual address (hex) of code only the marker program
//         (insnprof-mark, linked at a fixed address) runs: each time a
//         vCPU gets there, the counts so far are dumped and reset.  A
//         guest script brackets each phase with a run of the marker.
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

extern "C" {
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu, void *udata);
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
};

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
};
state *st;

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
		if (f)
			std::fprintf(f, "%llx %llu %llu\n",
				     (unsigned long long)kv.first,
				     (unsigned long long)c.insns,
				     (unsigned long long)c.tbs);
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
	}
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &ctr->insns,
						 qemu_plugin_tb_n_insns(tb));
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &ctr->tbs, 1);
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
		else {
			std::fprintf(stderr, "insnprof: unknown argument %s\n",
				     a.c_str());
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
	qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
	return 0;
}
