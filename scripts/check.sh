#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# "make check": every check and test of the series, each step recording its
# results in $RESULTS; a failing step does not stop the ones after it. The
# last line printed is "N passed, N failed".

. "$(dirname "$0")/lib.sh"

rm -f "$RESULTS"
start=$SECONDS

# step NAME CMD...: run a step; if it records no result of its own, record
# one for the whole step.
step() {
	local name=$1 t0=$SECONDS before after rc=0
	shift
	msg "step: $name"
	before=$(wc -l <"$RESULTS" 2>/dev/null || echo 0)
	"$@" || rc=$?
	after=$(wc -l <"$RESULTS" 2>/dev/null || echo 0)
	msg "step $name: exit $rc after $((SECONDS - t0)) s"
	if [ "$before" = "$after" ]; then
		if [ $rc -eq 0 ]; then record PASS "$name"; else record FAIL "$name"; fi
	elif [ $rc -ne 0 ] && ! tail -n $((after - before)) "$RESULTS" | grep -q '^FAIL '; then
		record FAIL "$name" "exit $rc"
	fi
}

S=$TOP/scripts
if "$S/deps.sh" all && "$S/apply.sh"; then
	record PASS "series applies with git am"
	step "patches/ matches a fresh git format-patch export" "$S/export.sh" --check
	for s in ${CHECK_STEPS:-patches kunit extra e2e}; do
		case $s in
		patches) step "per-patch checks" "$S/check-patches.sh" ;;
		kunit) step "kunit" "$S/kunit.sh" ;;
		extra) if [ -x "$S/check-extra.sh" ]; then step "selftest build and docs" "$S/check-extra.sh"; fi ;;
		e2e) if [ -x "$TOP/e2e/run.sh" ]; then
			step "e2e selftest" "$S/e2e.sh" selftest
			step "e2e lifecycle" "$S/e2e.sh" lifecycle
		     fi ;;
		esac
	done
else
	record FAIL "series applies with git am"
fi

msg "make check took $((SECONDS - start)) s"
exec "$S/summary.sh"
