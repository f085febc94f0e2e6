# SPDX-License-Identifier: GPL-2.0
#
# Harness for the PCI endpoint remote-resource series. Every target is a thin
# wrapper over a script in scripts/, which in turn drives the kernel's own
# tools (git am/format-patch, checkpatch, kernel-doc, sparse, kunit.py,
# kselftest). See README.md.

S := scripts

.PHONY: run check deps base apply export check-export check-patches kunit \
	e2e summary clean distclean

# The main job: fetch the base, apply the series, build and show it working.
run: deps apply
	@$(S)/run.sh

# Every check and test; the last line is "N passed, N failed".
check:
	@$(S)/check.sh

deps:
	@$(S)/deps.sh all

base:
	@$(S)/fetch-base.sh

apply:
	@$(S)/apply.sh

export:
	@$(S)/export.sh

check-export:
	@$(S)/export.sh --check

check-patches:
	@$(S)/check-patches.sh

kunit:
	@$(S)/kunit.sh

# The hardware-free end-to-end run alone: UML loopback endpoint, real
# pci-epf-test, pci_endpoint_test and kselftest, then 100 lifecycle cycles.
e2e: deps apply
	@rm -f build/results.txt
	@$(S)/e2e.sh selftest; $(S)/e2e.sh lifecycle; $(S)/summary.sh

summary:
	@$(S)/summary.sh

# Remove build output but keep the base tree and the download cache.
clean:
	rm -rf build/out build/logs build/results.txt

distclean:
	rm -rf build
