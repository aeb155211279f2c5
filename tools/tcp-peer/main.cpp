// SPDX-License-Identifier: GPL-2.0
//
// tcp-peer: an NVMe/TCP host in userspace that sends scripted, mostly
// malformed, PDUs to a target and checks how it reacts (C2HTermReq, closed
// connection or an error status within a time bound), that a bystander
// controller connected all along keeps working, and that a fresh
// well-behaved session works afterwards.
//
// Usage: tcp-peer --nqn SUBNQN [--addr A] [--port P] [--hostnqn H]
//                 [--react-ms MS] [--only NAME,...] [--strict] [--list]
// --strict: the lenient reactions some scenarios tolerate by default
// (Debian 6.1's target answers those PDUs instead of ending the queue)
// count as failures.
// Output is TAP; exit 0 only if every scenario reacted correctly.

#include "scenarios.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

namespace {

void usage()
{
	fprintf(stderr, "usage: tcp-peer --nqn SUBNQN [--addr 127.0.0.1] [--port 4420] "
			"[--hostnqn NQN] [--react-ms 5000] [--only a,b] [--strict] [--list]\n");
}

} // namespace

int main(int argc, char **argv)
{
	peer::Target t;
	std::set<std::string> only;
	bool list = false, strict = false;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		auto val = [&]() -> std::string {
			if (i + 1 >= argc) {
				usage();
				exit(2);
			}
			return argv[++i];
		};
		if (a == "--addr")
			t.addr = val();
		else if (a == "--port")
			t.port = uint16_t(atoi(val().c_str()));
		else if (a == "--nqn")
			t.subnqn = val();
		else if (a == "--hostnqn")
			t.hostnqn = val();
		else if (a == "--react-ms")
			t.react_ms = atoi(val().c_str());
		else if (a == "--only") {
			std::stringstream ss(val());
			std::string n;
			while (std::getline(ss, n, ','))
				only.insert(n);
		} else if (a == "--strict")
			strict = true;
		else if (a == "--list")
			list = true;
		else {
			usage();
			return 2;
		}
	}
	const auto &all = peer::scenarios();
	if (list) {
		for (const auto &s : all)
			printf("%-28s %s\n", s.name, s.what);
		return 0;
	}
	if (t.subnqn.empty()) {
		usage();
		return 2;
	}
	std::vector<const peer::Scenario *> run;
	for (const auto &s : all)
		if (only.empty() || only.count(s.name))
			run.push_back(&s);

	int n = 0, failed = 0;
	printf("TAP version 13\n1..%zu\n", run.size() + 4);
	fflush(stdout);
	auto result = [&](bool ok, const std::string &desc, const std::string &diag) {
		n++;
		if (!ok)
			failed++;
		printf("%s %d - %s\n", ok ? "ok" : "not ok", n, desc.c_str());
		if (!diag.empty())
			printf("# %s\n", diag.c_str());
		fflush(stdout);
	};

	std::string why;
	result(peer::healthy_session(t, why), "healthy session before the scenarios", why);

	// The bystander: another controller connected through the whole run.
	ntcp::Controller by;
	by.admin.timeout_ms = by.io.timeout_ms = t.react_ms;
	bool by_up = by.setup(t.addr, t.port, t.subnqn,
			      t.hostnqn.substr(0, 200) + ":bystander", false, false, false,
			      120000);
	if (!by_up)
		printf("# bystander controller: %s\n", by.err.c_str());

	for (const peer::Scenario *s : run) {
		peer::Outcome o = s->run(t);
		bool ok = false, tol = false;
		for (auto r : s->allowed)
			ok |= r == o.r;
		for (auto r : s->tolerated)
			tol |= r == o.r;
		std::string desc = std::string(s->name) + ": " + peer::reaction_name(o.r);
		if (!ok && tol) {
			desc += strict ? " (lenient; --strict)" : " (tolerated: lenient target)";
			ok = !strict;
		}
		char ms[32];
		snprintf(ms, sizeof(ms), " after %llu ms", (unsigned long long)o.ms);
		result(ok, desc + (o.r == peer::Reaction::SetupFailed ? "" : ms),
		       std::string(s->what) + (o.detail.empty() ? "" : " -> " + o.detail));
		if (by_up && !by.admin.keep_alive()) {
			printf("# bystander lost after %s: %s\n", s->name, by.admin.err.c_str());
			by_up = false;
		}
	}
	uint8_t id[4096];
	result(by_up && by.admin.identify(1, 0, id),
	       "bystander controller still served after every scenario",
	       by_up ? by.admin.err : by.err);
	why.clear();
	result(peer::healthy_session(t, why), "healthy session after the scenarios", why);
	why.clear();
	result(peer::healthy_session(t, why, true),
	       "healthy session with header and data digests", why);
	printf("# tcp-peer: %d/%d passed\n", n - failed, n);
	return failed ? 1 : 0;
}
