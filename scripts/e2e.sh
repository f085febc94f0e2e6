#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hardware-free end-to-end run (e2e/run.sh): a UML kernel with the series and
# its loopback endpoint controller runs pci-epf-test, pci_endpoint_test and
# the real pci_endpoint kselftest in one kernel. Each kselftest case becomes
# one result line, plus one for the whole run (kernel log free of KASAN,
# lockdep, UBSAN and kmemleak reports).
#
# Usage: scripts/e2e.sh [selftest|lifecycle]

. "$(dirname "$0")/lib.sh"

mode=${1:-selftest}
out=$OUTDIR/e2e
log=$BUILD/logs/e2e-$mode.log
mkdir -p "$BUILD/logs"

rc=0
MODE=$mode JOBS=$JOBS KOUT=$out/kernel "$TOP/e2e/run.sh" "$KTREE" "$out" 2>&1 | tee "$log" >&2 ||
	rc=$?

if [ "$mode" = selftest ]; then
	# kselftest_harness TAP: "ok N name", "ok N name # SKIP reason",
	# "not ok N name"
	while read -r line; do
		name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ ([^#]*[^# ]).*$/\2/')
		case $line in
		"not ok "*) record FAIL "e2e: $name" ;;
		*"# SKIP"*) reason=${line##*# SKIP}; record SKIP "e2e: $name" "${reason# }" ;;
		*) record PASS "e2e: $name" ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+ ' "$out/results/tap.txt" 2>/dev/null || true)
fi

if [ $rc -eq 0 ]; then
	record PASS "e2e $mode: UML run complete, no KASAN/lockdep/UBSAN/kmemleak report"
else
	record FAIL "e2e $mode: UML run" "see $log"
fi
exit $rc
