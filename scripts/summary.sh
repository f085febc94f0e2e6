#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Render the results of a run ($RESULTS, $STAGES) into $BUILD/results.tap
# (TAP 13 / KTAP: one line per result, the tools' own KUnit and kselftest
# output nested under theirs) and $BUILD/results.xml (JUnit: one testcase
# per result, with its log), print the failures and, as the last line,
# "N passed, N failed, N skipped". Exit status: 0 only when nothing failed
# and something passed.

. "$(dirname "$0")/lib.sh"

[ -s "$RESULTS" ] || record FAIL "harness: the run recorded no result"
read -r pass fail skip < <(python3 "$TOP/scripts/results.py" render "$RESULTS" "$STAGES" \
	"$BUILD/results.tap" "$BUILD/results.xml") || { pass=0 fail=1 skip=0; }
if [ "$fail" -gt 0 ]; then
	echo "Failures:"
	awk -F'\t' '$1 == "FAIL" { printf "  %s%s\n", $3, ($4 == "" ? "" : " (" $4 ")") }' "$RESULTS"
fi
echo "Results: $BUILD/results.tap, $BUILD/results.xml"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
