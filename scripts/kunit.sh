#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the series' KUnit suites with tools/testing/kunit/kunit.py, built
# with KASAN, UBSAN and lockdep (config/kunit-debug.config). Every
# .kunitconfig the series adds is passed to kunit.py; its --json output
# gives one result per test case, the kernel's KTAP is nested under the
# "kunit.py run" result, and the kernel log is scanned for the reports in
# config/kernel-reports (one more result).
#
# Usage: scripts/kunit.sh [--build] [um|arm64|x86_64]     (default um)
#   --build: configure and build the kernel only (kunit.py build)
#
# um: User Mode Linux, every suite. The kernel is also the end-to-end
# kernel (scripts/e2e.sh): e2e/uml.config and config/kunit-e2e.config are
# added to its configuration, with KUnit off unless kunit.py asks for it
# (kunit.enable=1), so one UML kernel is built for both.
# arm64, x86_64: the suites that are not UML-specific (no .kunitconfig
# under arch/), booted by kunit.py under QEMU with TCG (qemu-system-aarch64
# -machine virt, kunit.py's qemu_configs), arm64 with Debian's cross gcc.

. "$(dirname "$0")/lib.sh"
lock

build_only=0
if [ "${1:-}" = --build ]; then
	build_only=1
	shift
fi
arch=${1:-um}
base=$(tree_base)
logs=$BUILD/logs
case $arch in
um)	"$TOP/scripts/deps.sh" kunit || exit 1
	kdir=$OUTDIR/uml tag=kunit
	keep='^arch/um/'
	make_opts="CC=ccache gcc"
	args=() ;;
arm64)	"$TOP/scripts/deps.sh" qemu || exit 1
	kdir=$OUTDIR/kunit-arm64 tag=kunit-arm64
	keep='^$'
	make_opts="CC=ccache aarch64-linux-gnu-gcc"
	# pointer authentication with QEMU's own cipher: much faster under TCG
	args=(--arch=arm64 --cross_compile=aarch64-linux-gnu-
	      --qemu_args="-cpu max,pauth-impdef=on") ;;
x86_64)	"$TOP/scripts/deps.sh" qemu-system-x86_64 || exit 1
	kdir=$OUTDIR/kunit-x86_64 tag=kunit-x86_64
	keep='^$'
	make_opts="CC=ccache gcc"
	args=(--arch=x86_64) ;;
*)	die "kunit.sh: unknown architecture $arch" ;;
esac
log=$logs/$tag.log
json=$logs/$tag.json
mkdir -p "$logs" "$OUTDIR"

n=0
while read -r f; do
	case $f in
	arch/*) echo "$f" | grep -qE "$keep" || continue ;;
	esac
	args+=("--kunitconfig=$(dirname "$f")")
	n=$((n + 1))
done < <(ktree_git diff --name-only "$base" series -- '*.kunitconfig')
if [ "$n" -eq 0 ]; then
	record FAIL "$tag: the series adds no .kunitconfig for $arch"
	exit 1
fi
while read -r opt; do
	args+=(--kconfig_add "$opt")
done < <(if [ "$arch" = um ]; then uml_kconfig_add; else
	 grep -Ev '^(#|[[:space:]]*$)' "$TOP/config/kunit-debug.config"; fi)

rc=0
t0=$SECONDS
if [ $build_only = 1 ]; then
	if (cd "$KTREE" && python3 tools/testing/kunit/kunit.py build "${args[@]}" \
		--build_dir="$kdir" --jobs="$JOBS" --make_options "$make_opts") \
		>"$logs/$tag-build.log" 2>&1; then
		[ "$arch" != um ] || uml_fragments_key >"$kdir/.harness-fragments"
		exit 0
	fi
	record -l "$logs/$tag-build.log" FAIL "$tag: kernel build ($arch)" "see $logs/$tag-build.log"
	exit 1
fi
rm -f "$json"
(cd "$KTREE" && python3 tools/testing/kunit/kunit.py run "${args[@]}" \
	--build_dir="$kdir" --jobs="$JOBS" --make_options "$make_opts" \
	--timeout=900 --json="$json") >"$log" 2>&1 || rc=$?
# the configuration it built with (scripts/e2e.sh reuses the UML kernel)
if [ "$arch" = um ] && [ -s "$json" ]; then
	uml_fragments_key >"$kdir/.harness-fragments"
fi
grep -E '^\[[0-9:]+\] (Testing complete|Elapsed time)' "$log" >&2 || true

ktap=$logs/$tag.ktap
what="$tag: kunit.py run ($arch)"
if [ -s "$json" ] && results_of kunit "$json" "$kdir/test.log" "$ktap" "$logs/cases" "$tag: "; then
	if [ $rc -eq 0 ]; then
		record -l "$log" -n "$ktap" -t $((SECONDS - t0)) PASS "$what"
	else
		record -l "$log" -n "$ktap" -t $((SECONDS - t0)) FAIL "$what" "exit $rc; see $log"
	fi
else
	record -l "$log" FAIL "$what" "no test case ran (kunit.py exit $rc); see $log"
	exit 1
fi

# A sanitizer or lockdep report does not always fail a case: look for them.
if scan_reports "$kdir/test.log" >"$logs/$tag-reports.txt"; then
	record -l "$logs/$tag-reports.txt" FAIL "$tag: kernel log free of KASAN/UBSAN/lockdep/WARN reports" \
		"$(head -1 "$logs/$tag-reports.txt")"
	rc=1
else
	record -l "$kdir/test.log" PASS "$tag: kernel log free of KASAN/UBSAN/lockdep/WARN reports"
fi
exit $rc
