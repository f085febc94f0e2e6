#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end test of the PCI endpoint series under User Mode Linux, without
# hardware: builds a UML kernel (loopback endpoint controller with its
# emulated DesignWare eDMA driven by dw-edma, pci-epf-test,
# pci_endpoint_test), the series' pci_endpoint kselftest and 7.1.8's
# unmodified one, a transfer helper (xfer.c) and a hostile-host module
# (hostile/); boots UML once per loopback layout with e2e/init.sh as init
# and judges what it reports.
#
# Usage: run.sh [KSRC [OUT]]
#   KSRC   kernel tree with the series applied (env KSRC)
#   OUT    build/output directory (env OUT, default build/out/e2e next to
#          this directory)
# Environment:
#   MODE=selftest|lifecycle|hostile|all   what init.sh runs (default
#                     selftest: both kselftests, then the throughput
#                     figures and the eDMA fault injection; lifecycle:
#                     CYCLES cycles of orderly and surprise link down;
#                     hostile: a hostile host, then both kselftests; all:
#                     selftest then lifecycle)
#   LAYOUTS="0 1"     loopback layouts, one boot each (default both): 0 =
#                     eDMA registers reachable only through a BAR a function
#                     maps them into (R-Car-like), 1 = also behind the
#                     controller's reserved BAR4 (RK3588-like)
#   RUN_NAME=NAME     results go to OUT/results/NAME-L<layout> (default MODE)
#   REMOTE_RESOURCES=0|1  pci-epf-test's remote_resources (default 1)
#   EXTRA=0           selftest: no throughput figures or fault injection
#   BASE_SELFTEST=0   do not run 7.1.8's unmodified kselftest
#   BASE_REF=REF      where that kselftest comes from (default: branch base,
#                     else tag v7.1.8, of KSRC)
#   CYCLES=N          lifecycle cycles (default 100)
#   HOSTILE_ITERATIONS=N   commands the hostile host sends (default 10000)
#   TIME_TRAVEL=0|1   boot UML with "time-travel" (default 1 in lifecycle
#                     and hostile mode, 0 otherwise): its clock skips
#                     ahead whenever nothing runs, so sleeps, polling
#                     intervals and timeouts cost no wall-clock time (the
#                     hostile host sleeps between its polls for that);
#                     the clock is then virtual, so the throughput figures
#                     of selftest mode need it off
#   PARALLEL=0|1      boot the layouts at once, one UML process each
#                     (default 1 on a machine with 2 CPUs or more)
#   JOBS=N            make -j (default: nproc)
#   BOOT_TIMEOUT=S    hard limit for each UML run (default 600, hostile 1800)
#   BUILD_TIMEOUT=S   hard limit for the kernel build (default 3600)
#   SELFTEST_ARGS     kselftest filter options; default excludes the tests
#                     listed in EXCLUDES below
#   NO_BUILD=1        reuse OUT as built
#   KOUT=DIR          kernel build directory (default OUT/kernel)
#   BUSYBOX=PATH      static busybox for the initramfs (default: busybox
#                     in PATH, Debian's busybox-static)
#   LEAK_MODULE=FILE  a module that leaks memory on purpose (the kernel's
#                     samples/kmemleak/kmemleak-test.ko): init.sh loads it
#                     before the final kmemleak scan, which must report it
#   REPORTS=FILE      the kernel log reports that fail the run, one grep -E
#                     pattern a line (default: config/kernel-reports of the
#                     harness, the list every kernel log scan uses)
#
# The UML guest does not see the host's root: it boots a small initramfs
# (OUT/boot-RUN_NAME/initramfs.cpio, static busybox and a generated /init:
# one per run, so that runs of different names can boot at once) that mounts,
# through hostfs, the host's /usr (and /bin, /lib... where they are not
# symlinks into /usr) and this directory read-only at /usr and /e2e, the
# test programs (OUT/bin) read-only at /tests, and the layout's results
# directory read-write at /results, then runs /e2e/init.sh. Nothing is
# mounted over a host path.
#
# What is judged, per layout: every kselftest case (a skip or failure not
# listed in EXPECTED below fails, a listed one is reported with its reason),
# every check init.sh wrote (checks.txt: throughput, faults, lifecycle,
# hostile host), the remote-resource table the host logged, the kernel log
# (no report of REPORTS), kmemleak (nothing, or the deliberate leak), and
# that the run completed. OUT/results/NAME-L<layout>/ keeps the judged TAP
# (series.tap, base.tap, with the raw *.tap.raw), checks.txt with run.sh's
# own checks added, rr-table.txt, bench.txt, hostile.txt, dmesg.txt.
# Exit status: 0 only if nothing failed in any layout.

set -u -o pipefail

E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KSRC=$(realpath "${1:-${KSRC:?set KSRC or pass the kernel tree}}")
OUT=$(realpath -m "${2:-${OUT:-$E2E/../build/out/e2e}}")
MODE=${MODE:-selftest}
LAYOUTS=${LAYOUTS:-0 1}
RUN_NAME=${RUN_NAME:-$MODE}
REMOTE_RESOURCES=${REMOTE_RESOURCES:-1}
EXTRA=${EXTRA:-1}
BASE_SELFTEST=${BASE_SELFTEST:-1}
CYCLES=${CYCLES:-100}
HOSTILE_ITERATIONS=${HOSTILE_ITERATIONS:-10000}
JOBS=${JOBS:-$(nproc)}
PARALLEL=${PARALLEL:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
case $MODE in
lifecycle|hostile) TIME_TRAVEL=${TIME_TRAVEL:-1} ;;
*) TIME_TRAVEL=${TIME_TRAVEL:-0} ;;
esac
TT=()
[ "$TIME_TRAVEL" = 1 ] && TT=(time-travel)
BOOT_TIMEOUT=${BOOT_TIMEOUT:-$([ "$MODE" = hostile ] && echo 1800 || echo 600)}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-3600}

KOUT=${KOUT:-$OUT/kernel}
REPORTS=${REPORTS:-$E2E/../config/kernel-reports}
LEAK_MODULE=${LEAK_MODULE:-}
HOUT=$OUT/headers
TOUT=$OUT/kselftest
# the test programs, mounted at /tests in the guest
TBIN=$OUT/bin
# the initramfs of this run (make_initramfs)
IRD=$OUT/boot-$RUN_NAME
SELFTEST=pci_endpoint_test
BASE_SELFTEST_BIN=pci_endpoint_test-7.1.8
HOSTILE_KO=pci_epf_test_hostile.ko

# Excluded upstream tests, each as "FILTER|reason" (the reason is printed
# with the summary). None at the moment: what the loopback cannot do is
# listed in EXPECTED instead, so that it still runs.
EXCLUDES=()

# What the loopback cannot do, as each kselftest reports it: a skip or a
# failure listed here is expected (and reported with the reason), any other
# one fails the run, and so does a listed skip that fails. Each entry is
# "KSELFTEST LAYOUT TEST|skip or fail|reason", KSELFTEST being series, base
# (7.1.8's unmodified kselftest) or *, LAYOUT 0, 1 or *.
EXPECTED=(
	"* * pci_ep_basic.MSI_TEST|skip|MSI2 and up: UML's MSI domain gives a device one MSI vector"
	"* * pci_ep_basic.MSIX_TEST|skip|MSI-X9 and up: the function has 8 MSI-X vectors"
	"* * pci_ep_bar.BAR0.BAR_SUBRANGE_TEST|skip|BAR0 holds pci-epf-test's registers"
	"* 1 pci_ep_bar.BAR4.BAR_TEST|skip|layout 1: BAR4 is the controller's reserved BAR (the eDMA registers)"
	"* 1 pci_ep_bar.BAR4.BAR_SUBRANGE_TEST|skip|layout 1: BAR4 is the controller's reserved BAR (the eDMA registers)"
	"base * pci_ep_data_transfer.dma.COPY_TEST|fail|dw-edma has no memcpy channel (as on every DesignWare eDMA): pci-epf-test answers not supported, which 7.1.8's kselftest counts as a failure"
	"series * pci_ep_data_transfer.dma.COPY_TEST|skip|dw-edma has no memcpy channel (as on every DesignWare eDMA): pci-epf-test answers not supported"
)

die() {
	echo "e2e: $*" >&2
	echo "e2e: 0 passed, 1 failed, 0 skipped"
	exit 1
}

need_cmds() {
	local c
	for c in make gcc git tar timeout realpath; do
		command -v "$c" >/dev/null || die "missing $c"
	done
	BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
	[ -n "$BUSYBOX" ] || die "missing busybox (Debian: busybox-static)"
	case $(LC_ALL=C ldd "$BUSYBOX" 2>&1) in
	*"not a dynamic executable"*) ;;
	*) die "$BUSYBOX is not statically linked (Debian: busybox-static)" ;;
	esac
}

# Does KOUT/.config have every option of uml.config? (A kernel configured
# by someone else, e.g. the harness's KUnit build, is used as it is.)
has_fragment() {
	local line name val
	[ -f "$KOUT/.config" ] || return 1
	while read -r line; do
		case $line in CONFIG_*=*) ;; *) continue ;; esac
		name=${line%%=*} val=${line#*=}
		if [ "$val" = n ]; then
			grep -q "^$name=" "$KOUT/.config" && return 1
		else
			grep -qxF "$line" "$KOUT/.config" || return 1
		fi
	done < "$E2E/uml.config"
	return 0
}

# make in the UML kernel's build directory
KMAKE=(make -C "$KSRC" ARCH=um O="$KOUT" CC="$(command -v ccache >/dev/null && echo "ccache ")gcc")
kmake() {
	"${KMAKE[@]}" "$@"
}

build_kernel() {
	local sym targets=linux

	mkdir -p "$KOUT"
	if ! has_fragment; then
		if ! { kmake defconfig >/dev/null &&
		       "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" \
			"$KOUT/.config" "$E2E/uml.config" >/dev/null &&
		       kmake olddefconfig >/dev/null; }; then
			die "kernel configuration failed"
		fi
	fi
	for sym in UML_PCI PCI_ENDPOINT PCI_ENDPOINT_CONFIGFS PCI_EPF_TEST \
		   PCI_ENDPOINT_TEST UML_PCI_EPC_LOOPBACK DW_EDMA \
		   PCI_ENDPOINT_MSI_DOORBELL HOSTFS; do
		grep -q "^CONFIG_$sym=y" "$KOUT/.config" ||
			die "CONFIG_$sym is not enabled (is the series applied?)"
	done
	# the hostile host and the kmemleak check load modules
	grep -q '^CONFIG_MODULES=y' "$KOUT/.config" && targets="linux modules"

	echo "e2e: building UML kernel in $KOUT"
	# shellcheck disable=SC2086 # the targets
	timeout "$BUILD_TIMEOUT" "${KMAKE[@]}" -j"$JOBS" $targets > "$OUT/build.log" 2>&1 ||
		{ tail -30 "$OUT/build.log"; die "kernel build failed"; }
}

build_selftest() {
	echo "e2e: building pci_endpoint kselftest in $TOUT"
	# UAPI headers of the tree under test (UML userspace is the host's)
	# ("headers" leaves the installed tree in $HOUT/usr/include without
	# needing rsync, unlike headers_install)
	make -C "$KSRC" ARCH="$(uname -m | sed 's/x86_64/x86/')" O="$HOUT" \
		headers > "$OUT/headers.log" 2>&1 ||
		{ tail -20 "$OUT/headers.log"; die "installing the UAPI headers failed"; }
	make -C "$KSRC/tools/testing/selftests" TARGETS=pci_endpoint \
		O="$TOUT" KHDR_INCLUDES="-isystem $HOUT/usr/include" \
		> "$OUT/kselftest.log" 2>&1 ||
		{ tail -20 "$OUT/kselftest.log"; die "kselftest build failed"; }
	cp "$TOUT/kselftest/pci_endpoint/pci_endpoint_test" "$TBIN/$SELFTEST" ||
		die "no kselftest binary"
	gcc -O2 -Wall -isystem "$HOUT/usr/include" -o "$TBIN/xfer" "$E2E/xfer.c" \
		> "$OUT/xfer.log" 2>&1 ||
		{ cat "$OUT/xfer.log"; die "building e2e/xfer.c failed"; }
}

# 7.1.8's kselftest exactly as it is (byte-identical to mainline 7.3-rc7's),
# built against 7.1.8's pcitest.h: what a CI running the upstream test sees.
build_base_selftest() {
	local ref=${BASE_REF:-} src=$OUT/base-kselftest

	if [ -z "$ref" ]; then
		for ref in base v7.1.8 ""; do
			[ -n "$ref" ] && git -C "$KSRC" rev-parse -q --verify "$ref^{commit}" >/dev/null && break
		done
		[ -n "$ref" ] || die "no branch base or tag v7.1.8 in $KSRC for 7.1.8's kselftest (set BASE_REF, or BASE_SELFTEST=0)"
	fi
	echo "e2e: building 7.1.8's unmodified pci_endpoint kselftest (from $ref)"
	rm -rf "$src"
	mkdir -p "$src"
	git -C "$KSRC" archive "$ref" include/uapi/linux/pcitest.h \
		tools/testing/selftests/kselftest.h \
		tools/testing/selftests/kselftest_harness.h \
		tools/testing/selftests/pci_endpoint/pci_endpoint_test.c |
		tar -x -C "$src" || die "cannot take 7.1.8's kselftest from $ref of $KSRC"
	gcc -O2 -Wall -D_GNU_SOURCE -I"$src/tools/testing/selftests" \
		-o "$TBIN/$BASE_SELFTEST_BIN" \
		"$src/tools/testing/selftests/pci_endpoint/pci_endpoint_test.c" \
		> "$OUT/base-kselftest.log" 2>&1 ||
		{ tail -20 "$OUT/base-kselftest.log"; die "building 7.1.8's kselftest failed"; }
}

# The hostile host, an out-of-tree module built against the e2e kernel
build_hostile() {
	local src=$OUT/hostile

	grep -q '^CONFIG_MODULES=y' "$KOUT/.config" || return 0
	echo "e2e: building the hostile-host module"
	rm -rf "$src"
	mkdir -p "$src"
	if ! { cp "$E2E/hostile/Makefile" "$E2E/hostile/"*.c "$src/" &&
	       kmake M="$src" modules > "$OUT/hostile.log" 2>&1 &&
	       cp "$src/$HOSTILE_KO" "$TBIN/"; }; then
		tail -20 "$OUT/hostile.log"
		die "building the hostile-host module failed"
	fi
}

# The guest's root: an initramfs with a static busybox and an /init that
# mounts what the run needs from the host (see the header), built with the
# kernel's own usr/gen_init_cpio.
make_initramfs() {
	local list=$IRD/initramfs.list d

	mkdir -p "$IRD"
	[ -x "$KOUT/usr/gen_init_cpio" ] || kmake usr/gen_init_cpio >/dev/null ||
		die "cannot build usr/gen_init_cpio"
	# shellcheck disable=SC2016 # $1 and $2 are the guest's
	{
		echo '#!/busybox sh'
		echo 'm() { /busybox mount -t hostfs -o "$1" hostfs "$2" ||'
		echo '	{ echo "e2e-boot: cannot mount host $1 at $2"; /busybox poweroff -f; }; }'
		echo 'm ro,/usr /usr'
		for d in bin sbin lib lib64; do
			[ -d "/$d" ] && [ ! -L "/$d" ] && echo "m ro,/$d /$d"
		done
		echo "m ro,$E2E /e2e"
		echo "m ro,$TBIN /tests"
		echo 'm rw,"$E2E_RESULTS" /results'
		[ -z "$LEAK_MODULE" ] || echo "m ro,$(dirname "$LEAK_MODULE") /leak"
		echo 'exec /bin/sh /e2e/init.sh'
	} > "$IRD/init"
	{
		echo "file /init $IRD/init 0755 0 0"
		echo "file /busybox $BUSYBOX 0755 0 0"
		for d in dev proc sys tmp usr e2e tests results leak; do
			echo "dir /$d 0755 0 0"
		done
		echo "nod /dev/console 0600 0 0 c 5 1"
		for d in bin sbin lib lib64; do
			if [ -L "/$d" ]; then
				echo "slink /$d $(readlink "/$d") 0777 0 0"
			elif [ -d "/$d" ]; then
				echo "dir /$d 0755 0 0"
			fi
		done
	} > "$list"
	"$KOUT/usr/gen_init_cpio" "$list" > "$IRD/initramfs.cpio" ||
		die "cannot write the initramfs"
}

# boot LAYOUT: one UML run, results in $ROUT
boot() {
	local args="" ex t0 t1 base="" hostile=""

	if [ -n "${SELFTEST_ARGS+x}" ]; then
		args=$SELFTEST_ARGS
	else
		for ex in "${EXCLUDES[@]}"; do
			args="$args ${ex%%|*}"
		done
	fi
	args=$(echo "$args" | sed 's/^ *//' | tr ' ' ',')
	[ "$BASE_SELFTEST" = 1 ] && base=/tests/$BASE_SELFTEST_BIN
	[ -f "$TBIN/$HOSTILE_KO" ] && hostile=/tests/$HOSTILE_KO

	rm -rf "$ROUT"
	mkdir -p "$ROUT"
	echo "e2e: booting UML (mode $MODE, layout $1, timeout ${BOOT_TIMEOUT}s${TT:+, time-travel clock})"
	t0=$EPOCHREALTIME
	# UML must never hang CI: hard timeout, then SIGKILL. E2E_RESULTS is
	# for the initramfs' /init (UML hands unknown key=value to init's
	# environment).
	timeout --kill-after=10 "$BOOT_TIMEOUT" "$KOUT/linux" \
		"${TT[@]}" mem=1G initrd="$IRD/initramfs.cpio" \
		con=null con0=null,fd:1 loglevel=4 log_buf_len=8M panic=-1 \
		uml_pci_epc_loopback.layout="$1" \
		E2E_RESULTS="$ROUT" e2e_out=/results e2e_layout="$1" \
		e2e_selftest=/tests/$SELFTEST e2e_base_selftest="$base" \
		e2e_xfer=/tests/xfer e2e_hostile="$hostile" \
		e2e_hostile_iterations="$HOSTILE_ITERATIONS" \
		e2e_mode="$MODE" e2e_rr="$REMOTE_RESOURCES" e2e_extra="$EXTRA" \
		e2e_cycles="$CYCLES" e2e_args="$args" \
		${LEAK_MODULE:+e2e_leak="/leak/${LEAK_MODULE##*/}"} \
		< /dev/null > "$ROUT/console.log" 2>&1
	BOOT_RC=$?
	t1=$EPOCHREALTIME
	BOOT_TIME=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

# check PASS|FAIL NAME [DETAIL]: one of run.sh's own checks, with init.sh's
check() {
	printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >> "$ROUT/checks.txt"
}

# expected WHO LAYOUT TEST: "skip|reason" or "fail|reason" from EXPECTED
expected() {
	local e who lay test
	for e in "${EXPECTED[@]}"; do
		read -r who lay test <<<"${e%%|*}"
		# shellcheck disable=SC2053 # the fields are patterns
		[[ $1 == $who && $2 == $lay && $3 == $test ]] || continue
		echo "${e#*|}"
		return 0
	done
	return 1
}

# judge WHO LAYOUT: the kselftest's TAP (WHO.tap.raw) as the harness counts
# it (WHO.tap): an expected skip stays a skip with its reason, an expected
# failure becomes a skip with its reason, any other skip or failure is
# "not ok". Prints the judged TAP and sets JPASS, JFAIL, JSKIP.
judge() {
	local who=$1 raw=$ROUT/$1.tap.raw line num name dir msg exp out reason
	JPASS=0 JFAIL=0 JSKIP=0
	if [ ! -s "$raw" ]; then
		echo "not ok 1 $who kselftest # no TAP output" > "$ROUT/$who.tap"
		JFAIL=1
		cat "$ROUT/$who.tap"
		return
	fi
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ ([0-9]+)\ ([^#]*[^#\ ])\ *(#\ *([A-Za-z]+)\ *(.*))?$ ]]; then
			num=${BASH_REMATCH[2]} name=${BASH_REMATCH[3]}
			dir=${BASH_REMATCH[5]^^} msg=${BASH_REMATCH[6]}
			exp=$(expected "$who" "$2" "$name") || exp=""
			out=${exp%%|*} reason=${exp#*|}
			if [ -n "${BASH_REMATCH[1]}" ]; then
				if [ "$out" = fail ]; then
					line="ok $num $name # SKIP expected failure: $reason"
					JSKIP=$((JSKIP + 1))
				else
					line="not ok $num $name"
					JFAIL=$((JFAIL + 1))
				fi
			elif [ "$dir" = SKIP ]; then
				if [ "$out" = skip ]; then
					line="ok $num $name # SKIP $reason (kselftest: $msg)"
					JSKIP=$((JSKIP + 1))
				else
					line="not ok $num $name # unexpected skip: $msg"
					JFAIL=$((JFAIL + 1))
				fi
			else
				[ -z "$out" ] || line="$line # expected to $out, passed: update EXPECTED"
				JPASS=$((JPASS + 1))
			fi
		fi
		echo "$line"
	done < "$raw" > "$ROUT/$who.tap"
	echo "# e2e judged: pass:$JPASS fail:$JFAIL skip:$JSKIP" >> "$ROUT/$who.tap"
	cat "$ROUT/$who.tap"
}

# The remote-resource table as the host driver read it (its dev_dbg()
# lines from the first REMOTE_RESOURCE_TEST), kept in rr-table.txt. When
# that test passed, the log must hold the table with all its entries.
rr_table() {
	local want got

	[ -f "$ROUT/dmesg.txt" ] || return 0
	sed -nE 's/^.*pci-endpoint-test [^ ]+ (Resource (table|[0-9]+): .*)$/\1/p' \
		"$ROUT/dmesg.txt" |
		awk '/^Resource table:/ { if (n++) exit } n' > "$ROUT/rr-table.txt"
	if [ -s "$ROUT/rr-table.txt" ]; then
		echo "# e2e: remote-resource table as the host read it:"
		sed 's/^/#   /' "$ROUT/rr-table.txt"
	fi
	grep -q '^ok [0-9]* pci_ep_remote_resources.REMOTE_RESOURCE_TEST$' \
		"$ROUT/series.tap" 2>/dev/null || return 0
	want=$(sed -nE 's/^Resource table: .*, ([0-9]+) entries$/\1/p' "$ROUT/rr-table.txt")
	got=$(grep -c '^Resource [0-9]' "$ROUT/rr-table.txt")
	if [ -n "$want" ] && [ "$want" -gt 0 ] && [ "$got" -eq "$want" ]; then
		check PASS "remote-resource table: the host read and logged all $want entries" \
			"$(head -1 "$ROUT/rr-table.txt")"
	else
		check FAIL "remote-resource table: the host read and logged all entries" \
			"REMOTE_RESOURCE_TEST passed but the host logged $got of '$want' entries"
	fi
}

# report LAYOUT: print and judge one layout's run; sets LPASS, LFAIL, LSKIP
report() {
	local who kreports leaks ins st name detail

	grep -Ev '^(#|$)' "$REPORTS" > "$ROUT/reports"
	touch "$ROUT/checks.txt"
	LPASS=0 LFAIL=0 LSKIP=0
	for who in series base; do
		[ "$who" = base ] && [ "$BASE_SELFTEST" != 1 ] && continue
		[ "$MODE" = lifecycle ] && continue
		echo "# e2e: layout $1, the $([ $who = base ] && echo "7.1.8 (unmodified)" || echo "series'") kselftest:"
		judge "$who" "$1"
		LPASS=$((LPASS + JPASS)) LFAIL=$((LFAIL + JFAIL)) LSKIP=$((LSKIP + JSKIP))
	done
	if [ -z "${SELFTEST_ARGS+x}" ]; then
		for ex in "${EXCLUDES[@]}"; do
			echo "# e2e: excluded ${ex#*|}"
		done
	fi
	[ -f "$ROUT/init.log" ] && sed 's/^/# init: /' "$ROUT/init.log"
	[ -s "$ROUT/bench.txt" ] && sed 's/^/# throughput: /' "$ROUT/bench.txt"
	[ -s "$ROUT/hostile.txt" ] && sed 's/^/# hostile: /' "$ROUT/hostile.txt"
	[ "$MODE" = lifecycle ] || rr_table

	kreports=0
	# a log without the boot banner was not captured: its scan proves nothing
	if ! grep -q '^\[ *[0-9.]*\] Linux version ' "$ROUT/dmesg.txt" 2>/dev/null; then
		check FAIL "kernel log free of the reports in config/kernel-reports" \
			"the kernel log was not captured (no boot banner in dmesg.txt)"
	elif [ -f "$ROUT/dmesg.txt" ]; then
		kreports=$(grep -E -c -f "$ROUT/reports" "$ROUT/dmesg.txt")
		if [ "$kreports" -gt 0 ]; then
			echo "# e2e: kernel reports in dmesg:"
			grep -E -A20 -f "$ROUT/reports" "$ROUT/dmesg.txt" | head -80 | sed 's/^/# /'
			check FAIL "kernel log free of the reports in config/kernel-reports" \
				"$kreports: $(grep -E -m1 -f "$ROUT/reports" "$ROUT/dmesg.txt")"
		else
			check PASS "kernel log free of the reports in config/kernel-reports"
		fi
	fi
	leaks=$(grep -c 'unreferenced object' "$ROUT/kmemleak.txt" 2>/dev/null)
	leaks=${leaks:-0}
	[ "$leaks" -eq 0 ] || { echo "# e2e: kmemleak:"; head -60 "$ROUT/kmemleak.txt" | sed 's/^/# /'; }
	if [ -n "$LEAK_MODULE" ]; then
		# the objects insmod allocated (UML's backtraces carry no symbols)
		ins=$(grep -A1 'unreferenced object' "$ROUT/kmemleak.txt" 2>/dev/null | grep -c 'comm "insmod"')
		if [ "${ins:-0}" -gt 0 ]; then
			check PASS "kmemleak reports the deliberate leak of ${LEAK_MODULE##*/}" "$ins objects"
		else
			check FAIL "kmemleak reports the deliberate leak of ${LEAK_MODULE##*/}" "$leaks objects, none from insmod"
		fi
	elif [ -f "$ROUT/kmemleak.txt" ]; then
		if [ "$leaks" -eq 0 ]; then
			check PASS "kmemleak: no unreferenced object"
		else
			check FAIL "kmemleak: no unreferenced object" "$leaks objects"
		fi
	else
		check FAIL "kmemleak: no unreferenced object" "no scan (the run did not get there)"
	fi

	if [ ! -f "$ROUT/result.txt" ]; then
		echo "# e2e: the UML run did not complete (timeout or crash), console tail:"
		tail -40 "$ROUT/console.log" | sed 's/^/# /'
		check FAIL "UML run completes" "no result after ${BOOT_TIME}s (UML exit $BOOT_RC)"
	elif [ "$(cat "$ROUT/result.txt")" != 0 ]; then
		check FAIL "UML run completes" "init reported failure ($(cat "$ROUT/result.txt")): $(tail -3 "$ROUT/init.log" | tr '\n' ';')"
	else
		check PASS "UML run completes" "boot to power-off ${BOOT_TIME}s"
	fi

	while IFS=$'\t' read -r st name detail; do
		echo "# e2e: $st $name${detail:+ ($detail)}"
		case $st in
		PASS) LPASS=$((LPASS + 1)) ;;
		*) LFAIL=$((LFAIL + 1)) ;;
		esac
	done < "$ROUT/checks.txt"
	echo "# e2e: layout $1: boot to power-off ${BOOT_TIME}s (UML exit $BOOT_RC), kernel reports: $kreports, kmemleak objects: $leaks"
	echo "e2e: layout $1: $LPASS passed, $LFAIL failed, $LSKIP skipped"
}

# Paths go into make command lines, the guest's mount options and its
# command line: refuse what any of them would split or misread.
safe_paths() {
	local p
	for p in "$@"; do
		case $p in
		*[!A-Za-z0-9._/+@-]*)
			die "path '$p' has a character kbuild, hostfs or the UML command line cannot take (space, colon, comma, ...): use a path of letters, digits and ._+@-/ only" ;;
		esac
	done
}

need_cmds
safe_paths "$KSRC" "$OUT" "$KOUT" "$E2E" ${LEAK_MODULE:+"$LEAK_MODULE"}
[ -f "$REPORTS" ] || die "no report pattern list $REPORTS"
[ -d "$KSRC/arch/um" ] || die "$KSRC is not a kernel tree"
for l in $LAYOUTS; do
	case $l in 0|1) ;; *) die "unknown layout $l (0 or 1)" ;; esac
done
# shellcheck disable=SC2086 # LAYOUTS is a list
[ "$(printf '%s\n' $LAYOUTS | sort | uniq -d)" = "" ] || die "a layout is listed twice in LAYOUTS=$LAYOUTS"
mkdir -p "$OUT" "$TBIN"
if [ -z "${NO_BUILD:-}" ]; then
	build_kernel
	build_selftest
	[ "$BASE_SELFTEST" = 1 ] && build_base_selftest
	build_hostile
fi
[ -x "$KOUT/linux" ] || die "no UML kernel in $KOUT"
[ "$TIME_TRAVEL" != 1 ] || grep -qx 'CONFIG_UML_TIME_TRAVEL_SUPPORT=y' "$KOUT/.config" ||
	die "TIME_TRAVEL=1 needs CONFIG_UML_TIME_TRAVEL_SUPPORT=y in $KOUT/.config (e2e/uml.config has it)"
[ -x "$TBIN/$SELFTEST" ] || die "no kselftest binary $TBIN/$SELFTEST"
[ "$BASE_SELFTEST" != 1 ] || [ -x "$TBIN/$BASE_SELFTEST_BIN" ] ||
	die "no 7.1.8 kselftest binary $TBIN/$BASE_SELFTEST_BIN"
[ "$MODE" != hostile ] || [ -f "$TBIN/$HOSTILE_KO" ] ||
	die "no hostile-host module $TBIN/$HOSTILE_KO (CONFIG_MODULES=y needed)"
make_initramfs

# run_layout L: boot layout L, keeping how the boot ended for report()
run_layout() {
	ROUT=$OUT/results/$RUN_NAME-L$1
	boot "$1"
	echo "$BOOT_RC $BOOT_TIME" > "$ROUT/boot.txt"
}

# The layouts boot at once (one UML process each) when PARALLEL=1, and
# are judged one after the other.
if [ "$PARALLEL" = 1 ]; then
	pids=()
	for l in $LAYOUTS; do
		run_layout "$l" &
		pids+=($!)
	done
	# interrupted: stop the boots too (their UMLs hold the harness's lock)
	# (pkill -P takes a comma-separated list)
	trap '(IFS=,; pkill -TERM -P "${pids[*]}") 2>/dev/null; kill "${pids[@]}" 2>/dev/null; exit 130' INT TERM
	wait
	trap - INT TERM
else
	for l in $LAYOUTS; do
		run_layout "$l"
	done
fi
TPASS=0 TFAIL=0 TSKIP=0
for l in $LAYOUTS; do
	ROUT=$OUT/results/$RUN_NAME-L$l
	BOOT_RC="?" BOOT_TIME="?"
	[ -f "$ROUT/boot.txt" ] && read -r BOOT_RC BOOT_TIME < "$ROUT/boot.txt"
	echo "# e2e: layout $l ($([ "$l" = 1 ] && echo "eDMA also behind the reserved BAR4, RK3588-like" ||
		echo "eDMA only through a BAR a function maps, R-Car-like"))"
	report "$l"
	TPASS=$((TPASS + LPASS)) TFAIL=$((TFAIL + LFAIL)) TSKIP=$((TSKIP + LSKIP))
done
echo "e2e: $TPASS passed, $TFAIL failed, $TSKIP skipped"
[ "$TFAIL" -eq 0 ]
