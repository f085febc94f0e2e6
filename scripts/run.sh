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

# What the host saw, last, next to the summary: the remote-resource table
# the host driver read, per loopback layout, and the kselftest totals.
logs=$BUILD/logs
shown=0
for l in 0 1; do
	[ -s "$logs/e2e-rr-table-L$l.txt" ] || continue
	[ $shown = 1 ] || { echo; echo "The remote-resource table, as the host driver read it from the BAR:"; }
	shown=1
	echo "  layout $l ($([ $l = 1 ] && echo "eDMA also behind the reserved BAR4" || echo "eDMA only through a function BAR")):"
	sed 's/^/    /' "$logs/e2e-rr-table-L$l.txt"
done
shown=0
for t in "$logs"/e2e-selftest-L[01]-series.tap "$logs"/e2e-selftest-L[01]-base.tap; do
	[ -s "$t" ] || continue
	[ $shown = 1 ] || { echo; echo "The kselftest runs on the UML loopback (their totals, then as the harness counts them):"; }
	shown=1
	l=${t##*-L} l=${l%%-*}
	case $t in *-base.tap) what="7.1.8's unmodified kselftest" ;; *) what="the series' kselftest" ;; esac
	echo "  layout $l, $what ($t):"
	grep -E '^# (Totals|e2e judged)' "$t" | sed 's/^# /    /'
done
exec "$S/summary.sh"
