# SPDX-License-Identifier: GPL-2.0
#
# Harness for the PCI endpoint remote-resource series. Every target is a thin
# wrapper over a script in scripts/, which in turn drives the kernel's own
# tools (git am/format-patch, checkpatch, kernel-doc, sparse, kunit.py,
# kselftest). Each script checks for the tools it needs (scripts/deps.sh)
# and takes the build directory's lock. See README.md.

S := scripts

# The scripts share one build directory and a lock: never run them in
# parallel, whatever -j says.
.NOTPARALLEL:

.PHONY: run check lint deps base apply export check-export check-patches \
	check-readme kunit qemu qemu-x86_64 extra e2e summary clean distclean

# The main job: fetch the base, apply the series, build and show it working.
run:
	@$(S)/run.sh

# Every check and test; the last line is "N passed, N failed, N skipped".
check:
	@$(S)/check.sh

lint:
	@$(S)/lint.sh

# Install (as root) or list every package any target needs.
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

check-readme:
	@$(S)/check-readme.sh

kunit:
	@$(S)/kunit.sh um

# The suites that are not UML-specific, booted under QEMU (TCG).
qemu:
	@$(S)/kunit.sh arm64

qemu-x86_64:
	@$(S)/kunit.sh x86_64

extra:
	@$(S)/check-extra.sh

# The hardware-free end-to-end run alone: UML loopback endpoint, real
# pci-epf-test, pci_endpoint_test and kselftest, then 100 lifecycle cycles.
e2e:
	@CHECK_STEPS=e2e $(S)/check.sh

summary:
	@$(S)/summary.sh

# Remove build output but keep the base tree, the download cache and the
# verdict caches (per patch and per stage).
clean:
	rm -rf build/out build/logs build/results.* build/stages.tsv

distclean:
	rm -rf build
