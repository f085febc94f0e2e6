#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hardware-free end-to-end run (e2e/run.sh): a UML kernel with the series and
# its loopback endpoint controller (emulated DesignWare eDMA, driven by the
# real dw-edma) runs pci-epf-test, pci_endpoint_test and the pci_endpoint
# kselftests in one kernel, once per loopback layout (E2E_LAYOUTS, default
# "0 1"). The kernel is the one scripts/kunit.sh builds (build/out/uml),
# configured for both.
#
# Usage: scripts/e2e.sh [selftest|lifecycle|hostile|kmemleak]
#   selftest   the series' kselftest and 7.1.8's unmodified one, one result
#              per case (an expected skip or failure is a skip with its
#              reason, see EXPECTED in e2e/run.sh); the throughput of dma and
#              memcpy at the largest size; eDMA fault injection, each fault a
#              result (pci-epf-test must report the failed transfer); the
#              remote-resource table the host read
#   lifecycle  E2E_CYCLES (default 100) cycles of orderly and surprise link
#              down, unbind and rebind
#   hostile    a hostile host sends E2E_HOSTILE_ITERATIONS (default 10000)
#              random commands, then both kselftests run in the same boot;
#              nothing may be left mapped (layouts: E2E_HOSTILE_LAYOUTS,
#              default "0 1")
#   kmemleak   shows the kmemleak check can fail: the kernel's leaking sample
#              module (samples/kmemleak, built with the kernel, loaded only
#              here) is loaded before the final scan, which must report it
# lifecycle and hostile boot UML with its time-travel clock, which skips
# ahead whenever nothing runs (e2e/run.sh TIME_TRAVEL), kmemleak once with
# each clock; selftest keeps the real clock for its throughput figures.
# Every run adds, per layout: the kernel log is free of the reports in
# config/kernel-reports, kmemleak found nothing, the run completed.

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
# only brings it up to date, with the test programs, once per series and
# harness (the key below).
# kunit.sh records the configuration fragments it built with; when they
# changed (or nothing was built), it configures and builds first.
if [ ! -f "$kout/last_used_kunitconfig" ] ||
   [ "$(cat "$kout/.harness-fragments" 2>/dev/null)" != "$(uml_fragments_key)" ]; then
	"$TOP/scripts/kunit.sh" --build um || exit 1
fi
# (the commit, not only its tree: the kernel's release string names the
# commit, and modules built for another one do not load)
key=$( { ktree_git rev-parse series "series^{tree}"; cat "$TOP"/e2e/*.sh "$TOP"/e2e/*.c \
	"$TOP"/e2e/hostile/* "$kout/.config"; uml_fragments_key; } | sha256sum | cut -c1-32)
env=(JOBS="$JOBS" KOUT="$kout" REPORTS="$TOP/config/kernel-reports"
     BASE_REF="$(tree_base)" LAYOUTS="${E2E_LAYOUTS:-0 1}")
[ "$(cat "$out/.harness-built" 2>/dev/null)" = "$key" ] && env+=(NO_BUILD=1)
runs=("RUN_NAME=$mode")
case $mode in
selftest) env+=(MODE=selftest) ;;
lifecycle) env+=(MODE=lifecycle CYCLES="${E2E_CYCLES:-100}") ;;
hostile)
	env+=(MODE=hostile HOSTILE_ITERATIONS="${E2E_HOSTILE_ITERATIONS:-10000}"
	      LAYOUTS="${E2E_HOSTILE_LAYOUTS:-0 1}") ;;
kmemleak)
	leak=$kout/samples/kmemleak/kmemleak-test.ko
	if [ ! -f "$leak" ]; then
		record -l "$log" FAIL "e2e kmemleak: no $leak (run make kunit first: it builds the kernel)"
		exit 1
	fi
	env+=(MODE=selftest LAYOUTS=0 EXTRA=0 BASE_SELFTEST=0 LEAK_MODULE="$leak"
	      SELFTEST_ARGS="-r pci_ep_bar.BAR0.BAR_TEST")
	# with the real clock (selftest's) and the time-travel one (the others')
	runs=("RUN_NAME=kmemleak-realclock TIME_TRAVEL=0"
	      "RUN_NAME=kmemleak-timetravel TIME_TRAVEL=1 NO_BUILD=1") ;;
*) die "e2e.sh: unknown mode $mode" ;;
esac

rm -rf "$out/results/$mode"*-L*
t0=$SECONDS
rc=0
: >"$log"
# run_one ASSIGNMENTS: one e2e/run.sh run
run_one() {
	# shellcheck disable=SC2086 # $1 is a list of assignments
	# what e2e.sh decides is not taken from the caller's environment
	env -u NO_BUILD -u MODE -u RUN_NAME -u TIME_TRAVEL -u EXTRA -u BASE_SELFTEST \
		-u LEAK_MODULE -u SELFTEST_ARGS -u CYCLES -u HOSTILE_ITERATIONS \
		"${env[@]}" $1 "$TOP/e2e/run.sh" "$KTREE" "$out"
}
# Runs of one layout each (kmemleak's) boot at once, one per core, as
# run.sh's layouts do (PARALLEL): after the first when it has to build.
par=${PARALLEL:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
seq=${#runs[@]}
if [ "$par" = 1 ]; then
	seq=0
	[[ " ${env[*]} " == *" NO_BUILD=1 "* ]] || seq=1
fi
pids=()
# on an interrupt: run.sh (the child of each) stops its boots on TERM
trap '[ ${#pids[@]} -eq 0 ] || { (IFS=,; pkill -TERM -P "${pids[*]}") 2>/dev/null;
      kill "${pids[@]}" 2>/dev/null; }' EXIT
for i in "${!runs[@]}"; do
	if [ "$i" -lt "$seq" ]; then
		run_one "${runs[$i]}" >>"$log" 2>&1 || rc=$?
	else
		run_one "${runs[$i]}" >"$log.$i" 2>&1 &
		pids[i]=$!
	fi
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || rc=$?
	cat "$log.$i" >>"$log"
	rm -f "$log.$i"
done
pids=()
secs=$((SECONDS - t0))
grep -E '^e2e: |^# e2e: layout [0-9]+: boot' "$log" >&2 || true
# built (whatever the verdict): the next stages boot what is there
grep -q '^e2e: booting' "$log" && echo "$key" >"$out/.harness-built"

# one result per kselftest case and per check, per layout
n=0
for d in "$out/results/$mode"*-L*; do
	[ -d "$d" ] || continue
	l=${d##*-L}
	run=${d##*/}
	run=${run%-L*}
	for who in series base; do
		[ -f "$d/$who.tap" ] || continue
		label=$([ $who = base ] && echo "7.1.8 kselftest" || echo "series kselftest")
		cp "$d/$who.tap" "$logs/e2e-$run-L$l-$who.tap"
		results_of tap "$d/$who.tap" "$logs/cases" "e2e $run L$l $label: " || true
		totals=$(sed -n 's/^# e2e judged: //p' "$d/$who.tap")
		st=PASS
		grep -q '^not ok' "$d/$who.tap" && st=FAIL
		record -l "$log" -n "$d/$who.tap.raw" "$st" \
			"e2e $run L$l: $label run on the loopback, as judged: ${totals:-no TAP}"
	done
	[ "$mode" = selftest ] && [ -f "$d/rr-table.txt" ] &&
		cp "$d/rr-table.txt" "$logs/e2e-rr-table-L$l.txt"
	while IFS=$'\t' read -r st name detail; do
		record -l "$log" -t "$secs" "$st" "e2e $run L$l: $name" "$detail"
		n=$((n + 1))
	done <"$d/checks.txt"
done
if [ "$n" -eq 0 ]; then
	record -l "$log" -t "$secs" FAIL "e2e $mode: the run recorded nothing" \
		"$(grep -m1 '^e2e: ' "$log" || echo "see $log")"
	rc=1
fi
exit $rc
