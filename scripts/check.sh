#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# "make check": every check and test of the series, in stages. Each stage
# records its results (lib.sh record) and its start, end and duration
# ($STAGES); a failing stage does not stop the ones after it, except that
# nothing runs on a series that does not apply. summary.sh writes
# build/results.tap and build/results.xml; the last line printed is
# "N passed, N failed, N skipped" and the exit status is the verdict.
#
# CHECK_STEPS chooses stages (default: all of them, in this order).

. "$(dirname "$0")/lib.sh"
lock

S=$TOP/scripts
ALL_STEPS="lint export readme patches kunit qemu extra e2e"
rm -f "$RESULTS" "$STAGES"
rm -rf "$BUILD/logs/cases"
start=$SECONDS

steps=${CHECK_STEPS:-$ALL_STEPS}
bad=""
for s in $steps; do
	[[ " $ALL_STEPS " == *" $s "* ]] || bad="$bad $s"
done
if [ -n "$bad" ]; then
	STAGE=harness record FAIL "CHECK_STEPS names unknown steps:$bad" "the steps are: $ALL_STEPS"
	exec "$S/summary.sh"
fi
# step NAME CMD...: the stage NAME, if CHECK_STEPS has it
step() {
	[[ " $steps " == *" $1 "* ]] || return 0
	stage "$@" || true
}

# lint first: it needs no kernel tree
step lint "$S/lint.sh"

# apply.sh exits 3 when a tool is missing (deps.sh named it already)
applied() {
	local rc=0
	"$S/apply.sh" || rc=$?
	case $rc in
	0) record PASS "series applies with git am" ;;
	3) ;;
	*) record FAIL "series applies with git am" "see the messages above" ;;
	esac
	return $rc
}
# What the verdicts of the stages after "patches" depend on: the series'
# tree and base, the harness (scripts/, config/, e2e/), the tools and the
# settings. A stage that passed with the same inputs is not run again
# (lib.sh cached_stage): after a change of commit messages only, or of how
# the changes are split into patches, they are all cached.
inputs_key() {
	{
		ktree_git rev-parse "series^{tree}"
		tree_base
		(cd "$TOP" && find scripts config e2e Makefile -type f ! -path '*/__pycache__/*' |
			LC_ALL=C sort | xargs sha256sum)
		for t in gcc aarch64-linux-gnu-gcc qemu-system-aarch64 python3 sphinx-build busybox; do
			"$t" --version 2>/dev/null | head -1 || echo "no $t"
		done
		ldd --version 2>/dev/null | head -1 || true
		env | grep -E '^E2E_' | LC_ALL=C sort || true
	} | sha256sum | cut -c1-32
}
# cstep NAME CMD...: a cached stage NAME, if CHECK_STEPS has it
cstep() {
	[[ " $steps " == *" $1 "* ]] || return 0
	cached_stage "$1" "$key" "${@:2}" || true
}

if stage apply applied; then
	step export "$S/export.sh" --check
	step readme "$S/check-readme.sh"
	step patches "$S/check-patches.sh"
	key=$(inputs_key)
	cstep kunit "$S/kunit.sh" um
	cstep qemu "$S/kunit.sh" arm64
	cstep extra "$S/check-extra.sh"
	if [[ " $steps " == *" e2e "* ]]; then
		for m in selftest lifecycle hostile kmemleak; do
			cached_stage "e2e-$m" "$key" "$S/e2e.sh" "$m" || true
		done
	fi
fi

msg "make check took $((SECONDS - start)) s"
exec "$S/summary.sh"
