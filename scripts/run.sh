#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# "make run": with the series applied, show the feature working. Runs the
# hardware-free end-to-end job when it exists, and the KUnit suites.

. "$(dirname "$0")/lib.sh"

rm -f "$RESULTS"
rc=0
if [ -x "$TOP/e2e/run.sh" ]; then
	"$TOP/scripts/e2e.sh" selftest || rc=1
fi
"$TOP/scripts/kunit.sh" || rc=1
"$TOP/scripts/summary.sh" || rc=1
exit $rc
