// SPDX-License-Identifier: GPL-2.0
//
// nvmet_config.cpp: the save / validate / clear / restore logic of
// tools/nvmet-config.
//
// Layout (nvmetcli's): an attribute file "<group>_<name>" of an object is
// stored as obj[group][name] (a string); only writable files are saved.
// "enable", "nsid", "portid", "grpid", "ana_grpid" are integers. We also
// store a namespace's "buffered_io" (nvmetcli ignores unknown keys), so a
// tmpfs-backed namespace comes back usable.
//
// Restore order: hosts; ports with their attributes, ANA groups and
// referrals (a namespace's ana_grpid must name an existing group);
// subsystems with namespaces (device attributes, then enable) and
// allowed_hosts links; last the port -> subsystem links, which enable the
// ports.

#include "nvmet_config.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace nvmetcfg {

namespace {

const char *const discovery_nqn = "nqn.2014-08.org.nvmexpress.discovery";

std::string errstr(const std::string &what, const std::string &path, int err)
{
	return what + " " + path + ": " + strerror(err);
}

} // namespace

// ---- PosixFs -----------------------------------------------------------------

std::string PosixFs::abs(const std::string &rel) const
{
	return rel.empty() ? root_ : root_ + "/" + rel;
}

bool PosixFs::exists(const std::string &rel) const
{
	struct stat st;
	return lstat(abs(rel).c_str(), &st) == 0;
}

bool PosixFs::is_dir(const std::string &rel) const
{
	struct stat st;
	return lstat(abs(rel).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool PosixFs::is_file(const std::string &rel) const
{
	struct stat st;
	return lstat(abs(rel).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool PosixFs::is_writable(const std::string &rel) const
{
	struct stat st;
	return lstat(abs(rel).c_str(), &st) == 0 && (st.st_mode & S_IWUSR);
}

std::vector<std::string> PosixFs::list(const std::string &rel) const
{
	std::vector<std::string> out;
	DIR *d = opendir(abs(rel).c_str());
	if (!d)
		return out;
	while (struct dirent *e = readdir(d)) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			out.emplace_back(e->d_name);
	}
	closedir(d);
	std::sort(out.begin(), out.end());
	return out;
}

std::string PosixFs::read(const std::string &rel) const
{
	int fd = open(abs(rel).c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		throw Error(errstr("cannot open", abs(rel), errno));
	std::string s;
	char buf[4096];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0) {
			int e = errno;
			close(fd);
			throw Error(errstr("cannot read", abs(rel), e));
		}
		if (n == 0)
			break;
		s.append(buf, size_t(n));
		if (s.size() > (1u << 20))
			break;
	}
	close(fd);
	while (!s.empty() && (s.back() == '\n' || s.back() == ' ' ||
			      s.back() == '\t' || s.back() == '\r' || s.back() == '\0'))
		s.pop_back();
	return s;
}

void PosixFs::write(const std::string &rel, const std::string &value)
{
	// configfs takes one write() per store call: write it in one go.
	int fd = open(abs(rel).c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		throw Error(errstr("cannot open", abs(rel), errno));
	ssize_t n = ::write(fd, value.data(), value.size());
	int e = errno;
	close(fd);
	if (n < 0)
		throw Error("cannot write \"" + value + "\" to " + abs(rel) + ": " + strerror(e));
	if (size_t(n) != value.size())
		throw Error("short write of \"" + value + "\" to " + abs(rel));
}

void PosixFs::mkdir(const std::string &rel)
{
	if (::mkdir(abs(rel).c_str(), 0755) < 0)
		throw Error(errstr("cannot create", abs(rel), errno));
}

void PosixFs::rmdir(const std::string &rel)
{
	if (::rmdir(abs(rel).c_str()) < 0)
		throw Error(errstr("cannot remove", abs(rel), errno));
}

void PosixFs::symlink(const std::string &target, const std::string &rel)
{
	if (::symlink(abs(target).c_str(), abs(rel).c_str()) < 0)
		throw Error(errstr("cannot link", abs(rel) + " -> " + abs(target), errno));
}

void PosixFs::unlink(const std::string &rel)
{
	if (::unlink(abs(rel).c_str()) < 0)
		throw Error(errstr("cannot remove link", abs(rel), errno));
}

// ---- save --------------------------------------------------------------------

namespace {

// obj[group][name] for every writable file "<dir>/<group>_<name>"
void save_groups(const Fs &fs, const std::string &dir,
		 const std::vector<const char *> &groups, json::Value &obj,
		 Warnings &warn)
{
	std::vector<std::string> files = fs.list(dir);
	for (const char *g : groups) {
		json::Value attrs = json::Value::object();
		std::string prefix = std::string(g) + "_";
		for (const auto &f : files) {
			if (f.compare(0, prefix.size(), prefix) != 0 || f.size() == prefix.size())
				continue;
			std::string p = dir + "/" + f;
			if (!fs.is_file(p) || !fs.is_writable(p))
				continue;
			try {
				attrs[f.substr(prefix.size())] = fs.read(p);
			} catch (const Error &e) {
				warn.push_back(std::string(e.what()) + ", not saved");
			}
		}
		obj[g] = std::move(attrs);
	}
}

bool read_int(const Fs &fs, const std::string &path, int64_t &out, Warnings &warn)
{
	if (!fs.is_file(path))
		return false;
	try {
		std::string s = fs.read(path);
		char *end = nullptr;
		errno = 0;
		long long v = strtoll(s.c_str(), &end, 0);
		if (s.empty() || *end || errno) {
			warn.push_back(path + ": not a number (\"" + s + "\"), not saved");
			return false;
		}
		out = v;
		return true;
	} catch (const Error &e) {
		warn.push_back(std::string(e.what()) + ", not saved");
		return false;
	}
}

void save_enable(const Fs &fs, const std::string &dir, json::Value &obj, Warnings &warn)
{
	int64_t v;
	if (read_int(fs, dir + "/enable", v, warn))
		obj["enable"] = v;
}

// directory entries sorted numerically when they are numbers
std::vector<std::string> numeric_sorted(std::vector<std::string> v)
{
	std::stable_sort(v.begin(), v.end(), [](const std::string &a, const std::string &b) {
		unsigned long long x = strtoull(a.c_str(), nullptr, 10);
		unsigned long long y = strtoull(b.c_str(), nullptr, 10);
		return x != y ? x < y : a < b;
	});
	return v;
}

json::Value save_subsystem(const Fs &fs, const std::string &nqn, Warnings &warn)
{
	std::string dir = "subsystems/" + nqn;
	json::Value s = json::Value::object();
	save_groups(fs, dir, {"attr"}, s, warn);
	s["nqn"] = nqn;
	json::Value hosts = json::Value::array();
	for (const auto &h : fs.list(dir + "/allowed_hosts"))
		hosts.push_back(h);
	s["allowed_hosts"] = std::move(hosts);
	json::Value nss = json::Value::array();
	for (const auto &id : numeric_sorted(fs.list(dir + "/namespaces"))) {
		std::string nd = dir + "/namespaces/" + id;
		if (!fs.is_dir(nd))
			continue;
		json::Value ns = json::Value::object();
		save_groups(fs, nd, {"device", "ana", "resv"}, ns, warn);
		save_enable(fs, nd, ns, warn);
		ns["nsid"] = int64_t(strtoull(id.c_str(), nullptr, 10));
		int64_t v;
		if (read_int(fs, nd + "/ana_grpid", v, warn))
			ns["ana_grpid"] = v;
		if (fs.is_file(nd + "/buffered_io")) {
			try {
				ns["buffered_io"] = fs.read(nd + "/buffered_io");
			} catch (const Error &e) {
				warn.push_back(std::string(e.what()) + ", not saved");
			}
		}
		nss.push_back(std::move(ns));
	}
	s["namespaces"] = std::move(nss);
	// Passthru: only when configured (the group exists on every subsystem
	// of a kernel with passthru support).
	std::string pt = dir + "/passthru";
	if (fs.is_file(pt + "/device_path")) {
		std::string path;
		try {
			path = fs.read(pt + "/device_path");
		} catch (const Error &) {
		}
		if (!path.empty()) {
			json::Value p = json::Value::object();
			save_groups(fs, pt, {"device"}, p, warn);
			save_enable(fs, pt, p, warn);
			int64_t v;
			for (const char *k : {"clear_ids", "admin_timeout", "io_timeout"})
				if (read_int(fs, pt + "/" + k, v, warn))
					p[k] = v;
			json::Value arr = json::Value::array();
			arr.push_back(std::move(p));
			s["passthru"] = std::move(arr);
		}
	}
	return s;
}

json::Value save_port(const Fs &fs, const std::string &id, Warnings &warn)
{
	std::string dir = "ports/" + id;
	json::Value p = json::Value::object();
	save_groups(fs, dir, {"addr", "param"}, p, warn);
	p["portid"] = int64_t(strtoull(id.c_str(), nullptr, 10));
	json::Value subs = json::Value::array();
	for (const auto &s : fs.list(dir + "/subsystems"))
		subs.push_back(s);
	p["subsystems"] = std::move(subs);
	json::Value anas = json::Value::array();
	for (const auto &g : numeric_sorted(fs.list(dir + "/ana_groups"))) {
		std::string gd = dir + "/ana_groups/" + g;
		if (!fs.is_dir(gd))
			continue;
		json::Value a = json::Value::object();
		save_groups(fs, gd, {"ana"}, a, warn);
		a["grpid"] = int64_t(strtoull(g.c_str(), nullptr, 10));
		anas.push_back(std::move(a));
	}
	p["ana_groups"] = std::move(anas);
	json::Value refs = json::Value::array();
	for (const auto &r : fs.list(dir + "/referrals")) {
		std::string rd = dir + "/referrals/" + r;
		if (!fs.is_dir(rd))
			continue;
		json::Value ref = json::Value::object();
		save_groups(fs, rd, {"addr"}, ref, warn);
		save_enable(fs, rd, ref, warn);
		ref["name"] = r;
		refs.push_back(std::move(ref));
	}
	p["referrals"] = std::move(refs);
	return p;
}

} // namespace

json::Value save(const Fs &fs, Warnings &warn)
{
	if (!fs.is_dir("subsystems") || !fs.is_dir("ports") || !fs.is_dir("hosts"))
		throw Error("not an nvmet configfs tree (no subsystems/, ports/, hosts/): is nvmet loaded?");
	json::Value root = json::Value::object();
	json::Value hosts = json::Value::array();
	for (const auto &h : fs.list("hosts")) {
		if (!fs.is_dir("hosts/" + h))
			continue;
		json::Value o = json::Value::object();
		// nvmetcli saves only the NQN; keep the DH-HMAC-CHAP settings too
		// when the kernel has them and they are set.
		json::Value tmp = json::Value::object();
		save_groups(fs, "hosts/" + h, {"dhchap"}, tmp, warn);
		json::Value set = json::Value::object();
		for (const auto &kv : tmp["dhchap"].as_object())
			if (!kv.second.as_string().empty())
				set[kv.first] = kv.second;
		if (!set.as_object().empty())
			o["dhchap"] = std::move(set);
		o["nqn"] = h;
		hosts.push_back(std::move(o));
	}
	json::Value ports = json::Value::array();
	for (const auto &p : numeric_sorted(fs.list("ports")))
		if (fs.is_dir("ports/" + p))
			ports.push_back(save_port(fs, p, warn));
	json::Value subs = json::Value::array();
	for (const auto &s : fs.list("subsystems"))
		if (fs.is_dir("subsystems/" + s))
			subs.push_back(save_subsystem(fs, s, warn));
	root["hosts"] = std::move(hosts);
	root["ports"] = std::move(ports);
	root["subsystems"] = std::move(subs);
	return root;
}

// ---- validate ----------------------------------------------------------------

namespace {

[[noreturn]] void bad(const std::string &where, const std::string &msg)
{
	throw Error(where + ": " + msg);
}

void check_keys(const json::Value &o, const std::string &where,
		const std::set<std::string> &known, Warnings &warn)
{
	for (const auto &kv : o.as_object())
		if (!known.count(kv.first))
			warn.push_back(where + ": unknown key \"" + kv.first + "\", ignored");
}

const json::Value &need_object(const json::Value &v, const std::string &where)
{
	if (!v.is_object())
		bad(where, std::string("must be an object, not ") + json::Value::type_name(v.type()));
	return v;
}

const json::Value::Array &opt_array(const json::Value &o, const char *key,
				    const std::string &where)
{
	static const json::Value::Array empty;
	const json::Value *v = o.find(key);
	if (!v || v->is_null())
		return empty;
	if (!v->is_array())
		bad(where + "." + key, std::string("must be an array, not ") +
				       json::Value::type_name(v->type()));
	return v->as_array();
}

int64_t need_int(const json::Value &o, const char *key, const std::string &where,
		 int64_t lo, int64_t hi, bool required = true, int64_t dflt = 0)
{
	const json::Value *v = o.find(key);
	if (!v) {
		if (required)
			bad(where, std::string("\"") + key + "\" is missing");
		return dflt;
	}
	int64_t n;
	if (v->is_int()) {
		n = v->as_int();
	} else if (v->is_string()) {	// be lenient: "1"
		const std::string &s = v->as_string();
		char *end = nullptr;
		errno = 0;
		long long x = strtoll(s.c_str(), &end, 10);
		if (s.empty() || *end || errno)
			bad(where + "." + key, "\"" + s + "\" is not an integer");
		n = x;
	} else {
		bad(where + "." + key, std::string("must be an integer, not ") +
				       json::Value::type_name(v->type()));
	}
	if (n < lo || n > hi)
		bad(where + "." + key, std::to_string(n) + " is out of range " +
				       std::to_string(lo) + ".." + std::to_string(hi));
	return n;
}

void check_nqn(const json::Value &o, const std::string &where, std::string &out)
{
	const json::Value *v = o.find("nqn");
	if (!v)
		bad(where, "\"nqn\" is missing");
	if (!v->is_string())
		bad(where + ".nqn", "must be a string");
	const std::string &s = v->as_string();
	if (s.empty())
		bad(where + ".nqn", "is empty");
	if (s.size() > 223)
		bad(where + ".nqn", "longer than 223 bytes");
	for (unsigned char c : s)
		if (c <= 0x20 || c == '/' || c == 0x7f)
			bad(where + ".nqn", "\"" + s + "\" contains a space, '/' or a control character");
	out = s;
}

// an attribute group: object of scalar values
void check_group(const json::Value &o, const char *group, const std::string &where)
{
	const json::Value *g = o.find(group);
	if (!g)
		return;
	std::string w = where + "." + group;
	need_object(*g, w);
	for (const auto &kv : g->as_object()) {
		if (kv.first.empty() || kv.first.find('/') != std::string::npos ||
		    kv.first.find("..") != std::string::npos)
			bad(w, "bad attribute name \"" + kv.first + "\"");
		const json::Value &v = kv.second;
		if (!(v.is_string() || v.is_int() || v.is_bool()))
			bad(w + "." + kv.first, std::string("must be a string or integer, not ") +
						json::Value::type_name(v.type()));
		if (v.is_string() && v.as_string().find('\n') != std::string::npos)
			bad(w + "." + kv.first, "contains a newline");
	}
}

void check_enable(const json::Value &o, const std::string &where)
{
	const json::Value *v = o.find("enable");
	if (v && !v->is_bool())
		need_int(o, "enable", where, 0, 1);
}

bool simple_name(const std::string &s)
{
	return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos &&
	       s.size() < 256;
}

} // namespace

void validate(const json::Value &cfg, Warnings &warn)
{
	need_object(cfg, "configuration");
	check_keys(cfg, "configuration", {"hosts", "ports", "subsystems"}, warn);

	std::set<std::string> hosts, subsys;
	const auto &ha = opt_array(cfg, "hosts", "configuration");
	for (size_t i = 0; i < ha.size(); i++) {
		std::string w = "hosts[" + std::to_string(i) + "]";
		need_object(ha[i], w);
		check_keys(ha[i], w, {"nqn", "dhchap"}, warn);
		std::string nqn;
		check_nqn(ha[i], w, nqn);
		check_group(ha[i], "dhchap", w);
		if (!hosts.insert(nqn).second)
			bad(w, "host \"" + nqn + "\" listed twice");
	}

	const auto &sa = opt_array(cfg, "subsystems", "configuration");
	for (size_t i = 0; i < sa.size(); i++) {
		std::string w = "subsystems[" + std::to_string(i) + "]";
		const json::Value &s = need_object(sa[i], w);
		check_keys(s, w, {"nqn", "attr", "namespaces", "allowed_hosts", "passthru"}, warn);
		std::string nqn;
		check_nqn(s, w, nqn);
		if (nqn == discovery_nqn)
			bad(w + ".nqn", "the discovery subsystem cannot be configured");
		if (!subsys.insert(nqn).second)
			bad(w, "subsystem \"" + nqn + "\" listed twice");
		check_group(s, "attr", w);
		std::set<int64_t> nsids;
		const auto &na = opt_array(s, "namespaces", w);
		for (size_t j = 0; j < na.size(); j++) {
			std::string nw = w + ".namespaces[" + std::to_string(j) + "]";
			const json::Value &ns = need_object(na[j], nw);
			check_keys(ns, nw, {"nsid", "device", "ana", "resv", "enable",
					    "ana_grpid", "buffered_io"}, warn);
			int64_t nsid = need_int(ns, "nsid", nw, 1, 0xfffffffeLL);
			if (!nsids.insert(nsid).second)
				bad(nw, "nsid " + std::to_string(nsid) + " listed twice");
			for (const char *g : {"device", "ana", "resv"})
				check_group(ns, g, nw);
			check_enable(ns, nw);
			need_int(ns, "ana_grpid", nw, 1, 0xffffffffLL, false);
			const json::Value *b = ns.find("buffered_io");
			if (b && !b->is_bool())
				need_int(ns, "buffered_io", nw, 0, 1);
			const json::Value *dev = ns.find("device");
			const json::Value *path = dev ? dev->find("path") : nullptr;
			const json::Value *en = ns.find("enable");
			bool enabled = en && (en->is_bool() ? en->as_bool() :
					      need_int(ns, "enable", nw, 0, 1) == 1);
			if (enabled && (!path || !path->is_string() || path->as_string().empty()))
				bad(nw, "enabled namespace without device.path");
		}
		const auto &ah = opt_array(s, "allowed_hosts", w);
		for (size_t j = 0; j < ah.size(); j++) {
			std::string hw = w + ".allowed_hosts[" + std::to_string(j) + "]";
			if (!ah[j].is_string())
				bad(hw, "must be a host NQN string");
			if (!hosts.count(ah[j].as_string()))
				bad(hw, "host \"" + ah[j].as_string() + "\" is not in \"hosts\"");
		}
		const auto &pa = opt_array(s, "passthru", w);
		if (pa.size() > 1)
			bad(w + ".passthru", "at most one passthru entry");
		for (size_t j = 0; j < pa.size(); j++) {
			std::string pw = w + ".passthru[" + std::to_string(j) + "]";
			need_object(pa[j], pw);
			check_group(pa[j], "device", pw);
			check_enable(pa[j], pw);
			for (const char *k : {"clear_ids", "admin_timeout", "io_timeout"})
				need_int(pa[j], k, pw, 0, 0xffffffffLL, false);
		}
	}

	std::set<int64_t> portids;
	const auto &pa = opt_array(cfg, "ports", "configuration");
	for (size_t i = 0; i < pa.size(); i++) {
		std::string w = "ports[" + std::to_string(i) + "]";
		const json::Value &p = need_object(pa[i], w);
		check_keys(p, w, {"portid", "addr", "param", "subsystems", "referrals",
				  "ana_groups"}, warn);
		int64_t id = need_int(p, "portid", w, 0, 0xffff);
		if (!portids.insert(id).second)
			bad(w, "portid " + std::to_string(id) + " listed twice");
		check_group(p, "addr", w);
		check_group(p, "param", w);
		const auto &ls = opt_array(p, "subsystems", w);
		for (size_t j = 0; j < ls.size(); j++) {
			std::string lw = w + ".subsystems[" + std::to_string(j) + "]";
			if (!ls[j].is_string())
				bad(lw, "must be a subsystem NQN string");
			if (!subsys.count(ls[j].as_string()))
				bad(lw, "subsystem \"" + ls[j].as_string() + "\" is not in \"subsystems\"");
		}
		std::set<std::string> names;
		const auto &ra = opt_array(p, "referrals", w);
		for (size_t j = 0; j < ra.size(); j++) {
			std::string rw = w + ".referrals[" + std::to_string(j) + "]";
			const json::Value &r = need_object(ra[j], rw);
			check_keys(r, rw, {"name", "addr", "enable", "portid"}, warn);
			const json::Value *n = r.find("name");
			if (!n || !n->is_string() || !simple_name(n->as_string()))
				bad(rw, "\"name\" missing or not a plain name");
			if (!names.insert(n->as_string()).second)
				bad(rw, "referral \"" + n->as_string() + "\" listed twice");
			check_group(r, "addr", rw);
			check_enable(r, rw);
		}
		std::set<int64_t> grps;
		const auto &ga = opt_array(p, "ana_groups", w);
		for (size_t j = 0; j < ga.size(); j++) {
			std::string gw = w + ".ana_groups[" + std::to_string(j) + "]";
			const json::Value &g = need_object(ga[j], gw);
			check_keys(g, gw, {"grpid", "ana"}, warn);
			int64_t gid = need_int(g, "grpid", gw, 1, 0xffffffffLL);
			if (!grps.insert(gid).second)
				bad(gw, "grpid " + std::to_string(gid) + " listed twice");
			check_group(g, "ana", gw);
		}
	}
}

// ---- clear -------------------------------------------------------------------

void clear(Fs &fs)
{
	for (const auto &p : fs.list("ports")) {
		std::string d = "ports/" + p;
		if (!fs.is_dir(d))
			continue;
		for (const auto &s : fs.list(d + "/subsystems"))
			fs.unlink(d + "/subsystems/" + s);
		for (const auto &r : fs.list(d + "/referrals"))
			fs.rmdir(d + "/referrals/" + r);
		for (const auto &g : fs.list(d + "/ana_groups"))
			if (g != "1")
				fs.rmdir(d + "/ana_groups/" + g);
		fs.rmdir(d);
	}
	for (const auto &s : fs.list("subsystems")) {
		std::string d = "subsystems/" + s;
		if (!fs.is_dir(d))
			continue;
		for (const auto &n : fs.list(d + "/namespaces")) {
			std::string nd = d + "/namespaces/" + n;
			if (fs.is_file(nd + "/enable") && fs.read(nd + "/enable") != "0")
				fs.write(nd + "/enable", "0");
			fs.rmdir(nd);
		}
		for (const auto &h : fs.list(d + "/allowed_hosts"))
			fs.unlink(d + "/allowed_hosts/" + h);
		std::string pt = d + "/passthru/enable";
		if (fs.is_file(pt) && fs.read(pt) != "0")
			fs.write(pt, "0");
		fs.rmdir(d);
	}
	for (const auto &h : fs.list("hosts"))
		if (fs.is_dir("hosts/" + h))
			fs.rmdir("hosts/" + h);
}

// ---- restore -----------------------------------------------------------------

namespace {

std::string scalar(const json::Value &v)
{
	if (v.is_string())
		return v.as_string();
	if (v.is_bool())
		return v.as_bool() ? "1" : "0";
	return std::to_string(v.as_int());
}

class Applier {
public:
	Applier(Fs &fs, Warnings &warn) : fs_(fs), warn_(warn) {}

	void apply(const json::Value &cfg)
	{
		for (const auto &h : opt_array(cfg, "hosts", ""))
			host(h);
		for (const auto &p : opt_array(cfg, "ports", ""))
			port(p);
		for (const auto &s : opt_array(cfg, "subsystems", ""))
			subsystem(s);
		for (const auto &p : opt_array(cfg, "ports", "")) {
			std::string d = "ports/" + std::to_string(need_int(p, "portid", "", 0, 0xffff));
			for (const auto &s : opt_array(p, "subsystems", ""))
				fs_.symlink("subsystems/" + s.as_string(), d + "/subsystems/" + s.as_string());
		}
	}

private:
	Fs &fs_;
	Warnings &warn_;

	void ensure_dir(const std::string &d)
	{
		if (!fs_.is_dir(d))
			fs_.mkdir(d);
	}

	// Write one attribute file: absent -> warning; unchanged -> no write.
	void set(const std::string &path, const std::string &value)
	{
		if (!fs_.is_file(path)) {
			warn_.push_back("the running kernel has no attribute " + path +
					", skipped");
			return;
		}
		try {
			if (fs_.read(path) == value)
				return;
		} catch (const Error &) {
			/* write-only or unreadable: just write it */
		}
		fs_.write(path, value);
	}

	void groups(const json::Value &o, const std::string &dir,
		    std::initializer_list<const char *> names)
	{
		for (const char *g : names) {
			const json::Value *grp = o.find(g);
			if (!grp)
				continue;
			for (const auto &kv : grp->as_object())
				set(dir + "/" + g + "_" + kv.first, scalar(kv.second));
		}
	}

	void enable(const json::Value &o, const std::string &dir)
	{
		const json::Value *e = o.find("enable");
		if (e)
			set(dir + "/enable", scalar(*e));
	}

	void host(const json::Value &h)
	{
		std::string d = "hosts/" + h.find("nqn")->as_string();
		ensure_dir(d);
		groups(h, d, {"dhchap"});
	}

	void port(const json::Value &p)
	{
		std::string d = "ports/" + std::to_string(need_int(p, "portid", "", 0, 0xffff));
		ensure_dir(d);
		groups(p, d, {"addr", "param"});
		const auto &ga = opt_array(p, "ana_groups", "");
		if (!ga.empty() && !fs_.is_dir(d + "/ana_groups")) {
			warn_.push_back("the running kernel has no " + d +
					"/ana_groups, ANA groups skipped");
		} else {
			for (const auto &g : ga) {
				std::string gd = d + "/ana_groups/" +
						 std::to_string(need_int(g, "grpid", "", 1, 0xffffffffLL));
				ensure_dir(gd);
				groups(g, gd, {"ana"});
			}
		}
		for (const auto &r : opt_array(p, "referrals", "")) {
			std::string rd = d + "/referrals/" + r.find("name")->as_string();
			ensure_dir(rd);
			groups(r, rd, {"addr"});
			enable(r, rd);
		}
	}

	void subsystem(const json::Value &s)
	{
		std::string nqn = s.find("nqn")->as_string();
		std::string d = "subsystems/" + nqn;
		ensure_dir(d);
		for (const auto &ns : opt_array(s, "namespaces", "")) {
			std::string nd = d + "/namespaces/" +
					 std::to_string(need_int(ns, "nsid", "", 1, 0xfffffffeLL));
			ensure_dir(nd);
			groups(ns, nd, {"device", "resv"});
			const json::Value *b = ns.find("buffered_io");
			if (b)
				set(nd + "/buffered_io", scalar(*b));
			// "ana_grpid" (nvmetcli writes it twice: group and key)
			const json::Value *g = ns.find("ana_grpid");
			if (g)
				set(nd + "/ana_grpid", scalar(*g));
			else
				groups(ns, nd, {"ana"});
			enable(ns, nd);
		}
		for (const auto &h : opt_array(s, "allowed_hosts", ""))
			fs_.symlink("hosts/" + h.as_string(), d + "/allowed_hosts/" + h.as_string());
		for (const auto &pt : opt_array(s, "passthru", "")) {
			std::string pd = d + "/passthru";
			if (!fs_.is_dir(pd)) {
				warn_.push_back("the running kernel has no " + pd + ", passthru skipped");
				continue;
			}
			groups(pt, pd, {"device"});
			for (const char *k : {"clear_ids", "admin_timeout", "io_timeout"}) {
				const json::Value *v = pt.find(k);
				if (v)
					set(pd + "/" + k, scalar(*v));
			}
			enable(pt, pd);
		}
		// subsystem attributes last, as nvmetcli does (allow_any_host=0
		// after the allowed hosts are linked)
		groups(s, d, {"attr"});
	}
};

bool tree_empty(const Fs &fs)
{
	return fs.list("ports").empty() && fs.list("subsystems").empty() &&
	       fs.list("hosts").empty();
}

} // namespace

void restore(Fs &fs, const json::Value &cfg, Warnings &warn)
{
	validate(cfg, warn);
	Warnings ignored;
	json::Value old = save(fs, ignored);
	bool had_old = !tree_empty(fs);
	clear(fs);
	try {
		Applier(fs, warn).apply(cfg);
	} catch (const Error &e) {
		std::string msg = e.what();
		try {
			clear(fs);
		} catch (const Error &e2) {
			throw Error(msg + "; removing the partial configuration failed too: " +
				    e2.what());
		}
		if (had_old) {
			try {
				Warnings w2;
				Applier(fs, w2).apply(old);
				msg += "; the previous configuration was put back";
			} catch (const Error &e3) {
				msg += std::string("; putting the previous configuration back failed: ") +
				       e3.what();
			}
		} else {
			msg += "; nothing was left configured";
		}
		throw Error(msg);
	}
}

// ---- command line ------------------------------------------------------------

namespace {

void usage(std::ostream &o)
{
	o << "usage: nvmet-config [--root DIR] COMMAND [ARGS]\n"
	     "  save [FILE|-]      write the running nvmet configfs tree as JSON\n"
	     "                     (nvmetcli's layout; default: standard output)\n"
	     "  restore [FILE|-]   replace the running tree with the JSON in FILE\n"
	     "  clear              remove every port, subsystem and host\n"
	     "  check [FILE|-]     validate a JSON configuration only\n"
	     "  --root DIR         the nvmet configfs directory\n"
	     "                     (default /sys/kernel/config/nvmet)\n";
}

std::string read_input(const std::string &file)
{
	std::ostringstream ss;
	if (file == "-") {
		ss << std::cin.rdbuf();
		return ss.str();
	}
	std::ifstream in(file, std::ios::binary);
	if (!in)
		throw Error("cannot open " + file + ": " + strerror(errno));
	ss << in.rdbuf();
	return ss.str();
}

void write_output(const std::string &file, const std::string &text)
{
	if (file == "-") {
		std::cout << text;
		std::cout.flush();
		return;
	}
	std::string tmp = file + ".tmp";
	int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		throw Error("cannot create " + tmp + ": " + strerror(errno));
	ssize_t n = ::write(fd, text.data(), text.size());
	int e = errno;
	if (n != ssize_t(text.size()) || fsync(fd) < 0) {
		close(fd);
		::unlink(tmp.c_str());
		throw Error("cannot write " + tmp + ": " + strerror(n < 0 ? e : EIO));
	}
	close(fd);
	if (rename(tmp.c_str(), file.c_str()) < 0) {
		e = errno;
		::unlink(tmp.c_str());
		throw Error("cannot rename " + tmp + " to " + file + ": " + strerror(e));
	}
}

json::Value load(const std::string &file)
{
	std::string text = read_input(file);
	try {
		return json::parse(text);
	} catch (const json::ParseError &e) {
		throw Error((file == "-" ? std::string("<stdin>") : file) +
			    ": invalid JSON: " + e.what());
	}
}

} // namespace

int run(const std::vector<std::string> &args, std::string root, FsFactory make_fs)
{
	size_t i = 0;
	while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
		if (args[i] == "--root" && i + 1 < args.size()) {
			root = args[i + 1];
			i += 2;
		} else if (args[i].compare(0, 7, "--root=") == 0) {
			root = args[i].substr(7);
			i++;
		} else if (args[i] == "-h" || args[i] == "--help") {
			usage(std::cout);
			return 0;
		} else {
			std::cerr << "nvmet-config: unknown option " << args[i] << "\n";
			usage(std::cerr);
			return 2;
		}
	}
	if (i >= args.size()) {
		usage(std::cerr);
		return 2;
	}
	std::string cmd = args[i++];
	bool have_file = i < args.size();
	std::string file = have_file ? args[i++] : "-";
	if (i < args.size() || (cmd == "clear" && have_file)) {
		std::cerr << "nvmet-config: too many arguments\n";
		usage(std::cerr);
		return 2;
	}
	Warnings warn;
	int rc = 0;
	try {
		std::unique_ptr<Fs> fsp = make_fs ? make_fs(root) :
				std::unique_ptr<Fs>(new PosixFs(root));
		Fs &fs = *fsp;
		if (cmd == "save") {
			json::Value v = save(fs, warn);
			write_output(file, json::dump(v, 2) + "\n");
		} else if (cmd == "restore") {
			if (!fs.is_dir("subsystems"))
				throw Error(root + " is not an nvmet configfs tree: is nvmet loaded?");
			json::Value v = load(file);
			restore(fs, v, warn);
		} else if (cmd == "clear") {
			if (!fs.is_dir("subsystems"))
				throw Error(root + " is not an nvmet configfs tree: is nvmet loaded?");
			clear(fs);
		} else if (cmd == "check") {
			validate(load(file), warn);
		} else {
			std::cerr << "nvmet-config: unknown command " << cmd << "\n";
			usage(std::cerr);
			return 2;
		}
	} catch (const Error &e) {
		std::cerr << "nvmet-config: error: " << e.what() << "\n";
		rc = 1;
	} catch (const std::logic_error &e) {
		std::cerr << "nvmet-config: error: " << e.what() << "\n";
		rc = 1;
	}
	for (const auto &w : warn)
		std::cerr << "nvmet-config: warning: " << w << "\n";
	return rc;
}

} // namespace nvmetcfg
