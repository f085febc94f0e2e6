#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hardware-free end-to-end run (e2e/run.sh): a UML kernel with the series and
# its loopback endpoint controller runs pci-epf-test, pci_endpoint_test and
# the real pci_endpoint kselftest in one kernel. The kernel is the one
# scripts/kunit.sh builds (build/out/uml), configured for both.
#
# Usage: scripts/e2e.sh [selftest|lifecycle|kmemleak]
#   selftest   one result per kselftest case (from its TAP, which is nested
#              under the run's result), plus one for the run (kernel log free
#              of the reports in config/kernel-reports, kmemleak clean)
#   lifecycle  100 start/stop and unbind/rebind cycles
#   kmemleak   shows the kmemleak check can fail: the kernel's leaking sample
#              module (samples/kmemleak, built with the kernel, loaded only
#              here) is loaded before the final scan, which must report it

. "$(dirname "$0")/lib.sh"
lock

"$TOP/scripts/deps.sh" e2e || exit 1
mode=${1:-selftest}
out=$OUTDIR/e2e
kout=$OUTDIR/uml
logs=$BUILD/logs
log=$logs/e2e-$mode.log
mkdir -p "$logs"

# The kernel is configured the KUnit way (scripts/kunit.sh); e2e/run.sh
# only brings it up to date.
if [ ! -f "$kout/last_used_kunitconfig" ]; then
	"$TOP/scripts/kunit.sh" --build um || exit 1
fi
env=(JOBS="$JOBS" KOUT="$kout" REPORTS="$TOP/config/kernel-reports")
case $mode in
selftest) env+=(MODE="$mode") ;;
lifecycle)
	env+=(MODE="$mode")
	# built by the selftest run just before
	[ -x "$kout/linux" ] && [ -x "$out/kselftest/kselftest/pci_endpoint/pci_endpoint_test" ] &&
		env+=(NO_BUILD=1) ;;
kmemleak)
	leak=$kout/samples/kmemleak/kmemleak-test.ko
	if [ ! -f "$leak" ]; then
		record -l "$log" FAIL "e2e kmemleak: no $leak (run make kunit first: it builds the kernel)"
		exit 1
	fi
	env+=(MODE=selftest NO_BUILD=1 LEAK_MODULE="$leak"
	      SELFTEST_ARGS="-r pci_ep_bar.BAR0.BAR_TEST") ;;
*) die "e2e.sh: unknown mode $mode" ;;
esac

t0=$SECONDS
rc=0
env "${env[@]}" "$TOP/e2e/run.sh" "$KTREE" "$out" >"$log" 2>&1 || rc=$?
secs=$((SECONDS - t0))
# the run's own counts only mean something for the selftest
grep -E '^(e2e: |# e2e: boot)' "$log" | { [ "$mode" = selftest ] && cat || grep -v ' passed, '; } >&2 || true

case $mode in
selftest)
	cp "$out/results/tap.txt" "$logs/e2e-selftest.tap" 2>/dev/null || : >"$logs/e2e-selftest.tap"
	cp "$out/results/rr-table.txt" "$logs/e2e-rr-table.txt" 2>/dev/null || true
	results_of tap "$logs/e2e-selftest.tap" "$logs/cases" "e2e: " || true
	if [ $rc -eq 0 ]; then
		record -l "$log" -n "$logs/e2e-selftest.tap" -t $secs PASS \
			"e2e selftest: UML run complete, no kernel report, no kmemleak object"
	else
		record -l "$log" -n "$logs/e2e-selftest.tap" -t $secs FAIL \
			"e2e selftest: UML run" "$(grep -m1 -E '^# e2e: (init reported|the UML run|kernel reports)|^e2e: ' "$log")"
	fi ;;
lifecycle)
	if [ $rc -eq 0 ]; then
		record -l "$log" -t $secs PASS \
			"e2e lifecycle: $(grep -m1 -o '[0-9]* cycles done' "$log" || echo 'cycles done'), no kernel report, no kmemleak object"
	else
		record -l "$log" -t $secs FAIL "e2e lifecycle" "$(grep -m1 -E 'cycle [0-9]+:|^# e2e: ' "$log")"
	fi ;;
kmemleak)
	cp "$out/results/kmemleak.txt" "$logs/e2e-kmemleak.txt" 2>/dev/null || : >"$logs/e2e-kmemleak.txt"
	# the objects insmod allocated (UML's backtraces carry no symbols)
	n=$(grep -A1 'unreferenced object' "$logs/e2e-kmemleak.txt" | grep -c 'comm "insmod"' || true)
	if [ "$n" -gt 0 ]; then
		record -l "$logs/e2e-kmemleak.txt" -t $secs PASS \
			"e2e kmemleak: the deliberate leak of kmemleak-test.ko is reported ($n objects)"
		rc=0
	else
		record -l "$log" -t $secs FAIL "e2e kmemleak: the deliberate leak of kmemleak-test.ko was not reported" \
			"$n objects; see $log"
		rc=1
	fi ;;
esac
exit $rc
