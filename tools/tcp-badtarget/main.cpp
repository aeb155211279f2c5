// SPDX-License-Identifier: GPL-2.0
//
// tcp-badtarget: a scripted misbehaving NVMe/TCP target for testing hosts.
//
// Usage: tcp-badtarget [--addr 127.0.0.1] [--port 4420] [--nqn NQN]
//                      [--scenario NAME] [--verbose] [--list]
// Serves until killed. "--port 0" picks a free port and prints it.

#include "badtarget.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char **argv)
{
	badtgt::Config cfg;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		auto val = [&]() -> std::string {
			if (i + 1 >= argc) {
				fprintf(stderr, "tcp-badtarget: %s needs a value\n", a.c_str());
				exit(2);
			}
			return argv[++i];
		};
		if (a == "--addr") {
			cfg.addr = val();
		} else if (a == "--port") {
			cfg.port = uint16_t(atoi(val().c_str()));
		} else if (a == "--nqn") {
			cfg.subnqn = val();
		} else if (a == "--scenario") {
			cfg.scenario = val();
		} else if (a == "--verbose") {
			cfg.verbose = true;
		} else if (a == "--list") {
			for (const auto &s : badtgt::scenario_list())
				printf("%-26s %-9s %s\n", s.name, s.when, s.what);
			return 0;
		} else {
			fprintf(stderr, "usage: tcp-badtarget [--addr A] [--port P] [--nqn NQN] "
					"[--scenario NAME] [--verbose] [--list]\n");
			return 2;
		}
	}
	if (!badtgt::known_scenario(cfg.scenario)) {
		fprintf(stderr, "tcp-badtarget: unknown scenario %s (see --list)\n", cfg.scenario.c_str());
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	badtgt::Target t(cfg);
	std::string err;
	if (!t.listen(err)) {
		fprintf(stderr, "tcp-badtarget: %s\n", err.c_str());
		return 1;
	}
	printf("tcp-badtarget: listening on %s port %u, scenario %s\n", cfg.addr.c_str(), t.port(),
	       cfg.scenario.c_str());
	fflush(stdout);
	t.serve();
	return 0;
}
