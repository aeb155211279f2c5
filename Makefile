# SPDX-License-Identifier: GPL-2.0
#
# Top-level build for the out-of-tree NVMe host and target modules.
#
#   make            build every module against KDIR
#   make install    install into /lib/modules/$(KVER)/updates and run depmod
#   make check      sparse (C=2, endian checks) + checkpatch --strict
#   make deps       install the Debian packages the project needs
#   make unit       build and run the userspace unit tests (CTest)
#   make test       unit tests + VM selftests; ends with "N passed, N failed"
#   make demo       boot a VM where our driver serves a QEMU NVMe disk

# Kernel headers: the running kernel's, else the newest Debian amd64 headers.
KDIR ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then \
		echo /lib/modules/$$(uname -r)/build; \
	else \
		ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; \
	fi)
KVER ?= $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
PWD := $(shell pwd)
MODDIR := /lib/modules/$(KVER)/updates
BUILDDIR ?= $(PWD)/build
CHECKPATCH ?= $(PWD)/tools/checkpatch/checkpatch.pl
JOBS ?= $(shell nproc)

# user_compat.h is the userspace half of compat.h: not kernel code
KSRC := $(shell find host pci fabrics target include -name '*.[ch]' \
		-not -name '*.mod.c' -not -name user_compat.h 2>/dev/null)

.PHONY: all modules install uninstall clean check sparse checkpatch deps unit test demo bench

all: modules

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "no kernel headers: run 'make deps'"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) W=1 -j$(JOBS) modules

install: modules
	install -d $(DESTDIR)$(MODDIR)
	for m in $$(find $(PWD) -name '*.ko' -not -path '$(BUILDDIR)/*'); do \
		install -m 0644 $$m $(DESTDIR)$(MODDIR)/; done
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

uninstall:
	for m in $$(find $(PWD) -name '*.ko' -not -path '$(BUILDDIR)/*' -printf '%f\n'); do \
		rm -f $(DESTDIR)$(MODDIR)/$$m; done
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

clean:
	[ -z "$(KDIR)" ] || $(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -rf $(BUILDDIR)

sparse:
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 CF="-D__CHECK_ENDIAN__" W=1 modules 2>&1 | \
		tee $(BUILDDIR)/sparse.log; ! grep -E 'warning:|error:' $(BUILDDIR)/sparse.log

checkpatch:
	@test -x $(CHECKPATCH) || tools/get-checkpatch.sh
	$(CHECKPATCH) --no-tree --strict --terse --show-types --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $(KSRC)

check: BUILDDIR_EXISTS sparse checkpatch

BUILDDIR_EXISTS:
	@mkdir -p $(BUILDDIR)

deps:
	tools/deps.sh

unit:
	tools/run-unit.sh $(BUILDDIR)

test: deps
	tools/run-tests.sh

demo: deps modules
	tools/demo.sh

bench: deps modules
	tools/bench
