// SPDX-License-Identifier: GPL-2.0
//
// nvmet-config: save / restore / clear the NVMe target configfs tree.

#include "nvmet_config.h"

int main(int argc, char **argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	return nvmetcfg::run(args, "/sys/kernel/config/nvmet");
}
