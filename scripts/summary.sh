#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the failures and the "N passed, N failed" line of $RESULTS; exit
# non-zero when anything failed or nothing ran.

. "$(dirname "$0")/lib.sh"

[ -s "$RESULTS" ] || { echo "0 passed, 1 failed"; exit 1; }
pass=$(grep -c '^PASS ' "$RESULTS" || true)
fail=$(grep -c '^FAIL ' "$RESULTS" || true)
skip=$(grep -c '^SKIP ' "$RESULTS" || true)
if [ "$fail" -gt 0 ]; then
	echo "Failures:"
	grep '^FAIL ' "$RESULTS" | sed 's/^/  /'
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
