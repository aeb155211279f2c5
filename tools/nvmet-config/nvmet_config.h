// SPDX-License-Identifier: GPL-2.0
//
// nvmet_config.h: save, restore and clear the NVMe target configfs tree
// (/sys/kernel/config/nvmet) as JSON in nvmetcli's layout.
//
// Every configfs access goes through the small Fs interface so the unit
// tests can run the same code against a fake tree in a temporary directory
// (PosixFs with another root, or a subclass that mimics configfs).

#ifndef NVME_TOOLS_NVMET_CONFIG_H
#define NVME_TOOLS_NVMET_CONFIG_H

#include "json.h"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace nvmetcfg {

// A failed filesystem operation or invalid input; what() is the message
// printed to the user.
class Error : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// Filesystem access relative to the nvmet root. Paths are relative
// ("subsystems/nqn.x/attr_serial"); errors throw Error naming the path.
class Fs {
public:
	virtual ~Fs() = default;
	virtual bool exists(const std::string &rel) const = 0;
	virtual bool is_dir(const std::string &rel) const = 0;
	virtual bool is_file(const std::string &rel) const = 0;
	virtual bool is_writable(const std::string &rel) const = 0;
	// Entries of a directory (no "." / ".."), sorted; empty if absent.
	virtual std::vector<std::string> list(const std::string &rel) const = 0;
	// File contents with trailing whitespace/newlines removed.
	virtual std::string read(const std::string &rel) const = 0;
	virtual void write(const std::string &rel, const std::string &value) = 0;
	virtual void mkdir(const std::string &rel) = 0;
	virtual void rmdir(const std::string &rel) = 0;
	// Create link REL pointing at the object TARGET (both relative).
	virtual void symlink(const std::string &target, const std::string &rel) = 0;
	virtual void unlink(const std::string &rel) = 0;
};

class PosixFs : public Fs {
public:
	explicit PosixFs(std::string root) : root_(std::move(root)) {}
	const std::string &root() const { return root_; }
	std::string abs(const std::string &rel) const;

	bool exists(const std::string &rel) const override;
	bool is_dir(const std::string &rel) const override;
	bool is_file(const std::string &rel) const override;
	bool is_writable(const std::string &rel) const override;
	std::vector<std::string> list(const std::string &rel) const override;
	std::string read(const std::string &rel) const override;
	void write(const std::string &rel, const std::string &value) override;
	void mkdir(const std::string &rel) override;
	void rmdir(const std::string &rel) override;
	void symlink(const std::string &target, const std::string &rel) override;
	void unlink(const std::string &rel) override;

private:
	std::string root_;
};

using Warnings = std::vector<std::string>;

// The running tree as JSON (nvmetcli's dump layout). Unreadable attributes
// are skipped with a warning.
json::Value save(const Fs &fs, Warnings &warn);

// Checks the shape and values of a configuration before anything is
// touched. Throws Error("subsystems[0].namespaces[1].nsid: ...") on the
// first problem; unknown keys only warn.
void validate(const json::Value &cfg, Warnings &warn);

// Removes every port, subsystem and host. Throws on the first failure.
void clear(Fs &fs);

// Replaces the running tree with CFG: validate, remember the current tree,
// clear, apply. Attributes the kernel lacks are skipped with a warning. If
// applying fails, the partial tree is removed and the previous one put
// back (best effort), then Error is thrown.
void restore(Fs &fs, const json::Value &cfg, Warnings &warn);

// Command line entry point (argv without the program name); returns the
// exit status. Output/diagnostics go to the given streams.
// MAKE_FS builds the Fs for the chosen root (default: PosixFs); the unit
// tests pass one that mimics configfs.
using FsFactory = std::function<std::unique_ptr<Fs>(const std::string &root)>;
int run(const std::vector<std::string> &args, std::string default_root,
	FsFactory make_fs = nullptr);

} // namespace nvmetcfg

#endif
