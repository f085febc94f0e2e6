#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# "make run": fetch the base, apply the series and show it working: the
# KUnit suites on UML and the hardware-free end-to-end run, then what the
# host saw (the remote-resource table and the kselftest totals) and the
# summary of every result (results.tap, results.xml, last line
# "N passed, N failed, N skipped").

. "$(dirname "$0")/lib.sh"
lock

S=$TOP/scripts
rm -f "$RESULTS" "$STAGES"
rm -rf "$BUILD/logs/cases"

applied() {
	local rc=0
	"$S/deps.sh" run || return 3
	"$S/apply.sh" || rc=$?
	case $rc in
	0) record PASS "series applies with git am" ;;
	3) ;;
	*) record FAIL "series applies with git am" "see the messages above" ;;
	esac
	return $rc
}
if stage apply applied; then
	stage kunit "$S/kunit.sh" || true
	if [ -x "$TOP/e2e/run.sh" ]; then
		stage e2e-selftest "$S/e2e.sh" selftest || true
	fi
fi

# What the host saw, last, next to the summary
logs=$BUILD/logs
if [ -s "$logs/e2e-selftest.tap" ]; then
	echo
	echo "The remote-resource table, as the host driver read it from the BAR:"
	sed 's/^/  /' "$logs/e2e-rr-table.txt" 2>/dev/null
	echo "The kselftest run on the UML loopback ($logs/e2e-selftest.tap):"
	grep -E '^# (Totals|PASSED|FAILED)' "$logs/e2e-selftest.tap" | sed 's/^# /  /'
fi
exec "$S/summary.sh"
