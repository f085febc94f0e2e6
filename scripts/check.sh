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
if stage apply applied; then
	step export "$S/export.sh" --check
	step readme "$S/check-readme.sh"
	step patches "$S/check-patches.sh"
	step kunit "$S/kunit.sh" um
	step qemu "$S/kunit.sh" arm64
	step extra "$S/check-extra.sh"
	if [[ " $steps " == *" e2e "* ]]; then
		stage e2e-selftest "$S/e2e.sh" selftest || true
		stage e2e-lifecycle "$S/e2e.sh" lifecycle || true
		stage e2e-hostile "$S/e2e.sh" hostile || true
		stage e2e-kmemleak "$S/e2e.sh" kmemleak || true
	fi
fi

msg "make check took $((SECONDS - start)) s"
exec "$S/summary.sh"
