#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# "make run": with the series applied, show the feature working. Runs the
# hardware-free end-to-end job when it exists and the KUnit suites, then
# prints what the host saw: the remote-resource table and the test totals.

. "$(dirname "$0")/lib.sh"

rm -f "$RESULTS"
rc=0
if [ -x "$TOP/e2e/run.sh" ]; then
	"$TOP/scripts/e2e.sh" selftest || rc=1
fi
"$TOP/scripts/kunit.sh" || rc=1
# What the host saw, last, next to the summary
e2e=$OUTDIR/e2e/results
if [ -f "$e2e/tap.txt" ]; then
	echo
	echo "The remote-resource table, as the host driver read it from the BAR:"
	sed 's/^/  /' "$e2e/rr-table.txt" 2>/dev/null
	echo "The kselftest run on the UML loopback ($e2e/tap.txt):"
	grep -E '^# (Totals|PASSED|FAILED)' "$e2e/tap.txt" | sed 's/^# /  /'
fi
"$TOP/scripts/summary.sh" || rc=1
exit $rc
