#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the series' KUnit suites with tools/testing/kunit/kunit.py on UML,
# built with KASAN, UBSAN and lockdep (config/kunit-debug.config). Every
# .kunitconfig the series adds is passed to kunit.py; each test case becomes
# one result line, plus one for a kernel log free of sanitizer and lockdep
# reports.

. "$(dirname "$0")/lib.sh"

base=$(tree_base)
kdir=$OUTDIR/kunit
log=$BUILD/logs/kunit.log
mkdir -p "$BUILD/logs"

args=()
while read -r f; do
	args+=("--kunitconfig=$(dirname "$f")")
done < <(ktree_git diff --name-only "$base" series -- '*.kunitconfig')
[ ${#args[@]} -gt 0 ] || die "the series adds no .kunitconfig"
while read -r opt; do
	args+=(--kconfig_add "$opt")
done < <(grep -v -e '^#' -e '^$' "$TOP/config/kunit-debug.config")

rc=0
(cd "$KTREE" && python3 tools/testing/kunit/kunit.py run "${args[@]}" \
	--build_dir="$kdir" --jobs="$JOBS" --make_options "CC=ccache gcc" \
	--timeout=600) >"$log" 2>&1 || rc=$?

# kunit.py prints "[PASSED] case" / "[FAILED] case" / "[SKIPPED] case" for
# each case; suite lines carry "=====".
n=0
while read -r status name; do
	case $status in
	PASSED) record PASS "kunit: $name" ;;
	SKIPPED) record SKIP "kunit: $name" ;;
	*) record FAIL "kunit: $name" "see $log" ;;
	esac
	n=$((n + 1))
done < <(grep -v '=====' "$log" | sed -nE 's/^\[[0-9:]+\] \[(PASSED|FAILED|SKIPPED|CRASHED)\] (.*)$/\1 \2/p')

if [ "$n" -eq 0 ]; then
	record FAIL "kunit: run" "no test case ran (kunit.py exit $rc); see $log"
	exit 1
fi
grep -E '^\[[0-9:]+\] Testing complete' "$log" >&2 || true

# A sanitizer or lockdep report does not always fail a case: look for them.
if grep -qE 'BUG: KASAN|UBSAN:|WARNING: (possible|inconsistent|suspicious)|BUG: sleeping function|------------\[ cut here \]' \
	"$kdir/test.log" "$log" 2>/dev/null; then
	record FAIL "kunit: kernel log free of KASAN/UBSAN/lockdep/WARN reports" "see $kdir/test.log"
	rc=1
else
	record PASS "kunit: kernel log free of KASAN/UBSAN/lockdep/WARN reports"
fi
exit $rc
