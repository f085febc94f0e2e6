#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end test of the PCI endpoint series under User Mode Linux, without
# hardware: builds a UML kernel (loopback endpoint controller, pci-epf-test,
# pci_endpoint_test), builds the pci_endpoint kselftest against the tree's
# UAPI headers, boots UML with a hostfs root and e2e/init.sh as init, and
# reports the kselftest TAP output.
#
# Usage: run.sh [KSRC [OUT]]
#   KSRC   kernel tree with the series applied (env KSRC)
#   OUT    build/output directory (env OUT, default build/out/e2e next to
#          this directory)
# Environment:
#   MODE=selftest|lifecycle|all   what init.sh runs (default selftest)
#   CYCLES=N          lifecycle cycles (default 100)
#   JOBS=N            make -j (default: nproc)
#   BOOT_TIMEOUT=S    hard limit for the UML run (default 600)
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
# (OUT/initramfs.cpio, static busybox and a generated /init) that mounts,
# through hostfs, the host's /usr (and /bin, /lib... where they are not
# symlinks into /usr) and this directory read-only at /usr and /e2e, the
# selftest's directory read-only at /selftest, and OUT/results read-write
# at /results, then runs /e2e/init.sh. Nothing is mounted over a host path.
# Exit status: 0 only if the kernel and selftest were built, the UML run
# completed, no selftest failed and the kernel logged no KASAN, lockdep,
# UBSAN, WARN or BUG report, kmemleak found nothing, and a passing
# REMOTE_RESOURCE_TEST left the whole table it read in the kernel log.

set -u -o pipefail

E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KSRC=$(realpath "${1:-${KSRC:?set KSRC or pass the kernel tree}}")
OUT=$(realpath -m "${2:-${OUT:-$E2E/../build/out/e2e}}")
MODE=${MODE:-selftest}
CYCLES=${CYCLES:-100}
JOBS=${JOBS:-$(nproc)}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-3600}

KOUT=${KOUT:-$OUT/kernel}
REPORTS=${REPORTS:-$E2E/../config/kernel-reports}
LEAK_MODULE=${LEAK_MODULE:-}
HOUT=$OUT/headers
TOUT=$OUT/kselftest
ROUT=$OUT/results
TEST_BIN=$TOUT/kselftest/pci_endpoint/pci_endpoint_test

# Excluded upstream tests, each as "FILTER|reason" (the reason is printed
# with the summary). None at the moment: what the loopback cannot do (DMA
# transfers, an MSI-controller doorbell) the tests skip with their reason.
EXCLUDES=()

die() {
	echo "e2e: $*" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
}

need_cmds() {
	local c
	for c in make gcc timeout realpath; do
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

build_kernel() {
	local cc=gcc sym

	command -v ccache >/dev/null && cc="ccache gcc"
	mkdir -p "$KOUT"
	if ! has_fragment; then
		if ! { make -C "$KSRC" ARCH=um O="$KOUT" CC="$cc" defconfig >/dev/null &&
		       "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" \
			"$KOUT/.config" "$E2E/uml.config" >/dev/null &&
		       make -C "$KSRC" ARCH=um O="$KOUT" CC="$cc" olddefconfig >/dev/null; }; then
			die "kernel configuration failed"
		fi
	fi
	for sym in UML_PCI PCI_ENDPOINT PCI_ENDPOINT_CONFIGFS PCI_EPF_TEST \
		   PCI_ENDPOINT_TEST UML_PCI_EPC_LOOPBACK HOSTFS; do
		grep -q "^CONFIG_$sym=y" "$KOUT/.config" ||
			die "CONFIG_$sym is not enabled (is the series applied?)"
	done

	echo "e2e: building UML kernel in $KOUT"
	timeout "$BUILD_TIMEOUT" make -C "$KSRC" ARCH=um O="$KOUT" CC="$cc" \
		-j"$JOBS" linux > "$OUT/build.log" 2>&1 ||
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
	[ -x "$TEST_BIN" ] || die "no $TEST_BIN"
}

# The guest's root: an initramfs with a static busybox and an /init that
# mounts what the run needs from the host (see the header), built with the
# kernel's own usr/gen_init_cpio.
make_initramfs() {
	local list=$OUT/initramfs.list d

	[ -x "$KOUT/usr/gen_init_cpio" ] ||
		make -C "$KSRC" ARCH=um O="$KOUT" usr/gen_init_cpio >/dev/null ||
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
		echo "m ro,$(dirname "$TEST_BIN") /selftest"
		echo "m rw,$ROUT /results"
		[ -z "$LEAK_MODULE" ] || echo "m ro,$(dirname "$LEAK_MODULE") /leak"
		echo 'exec /bin/sh /e2e/init.sh'
	} > "$OUT/init"
	{
		echo "file /init $OUT/init 0755 0 0"
		echo "file /busybox $BUSYBOX 0755 0 0"
		for d in dev proc sys tmp usr e2e selftest results leak; do
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
	"$KOUT/usr/gen_init_cpio" "$list" > "$OUT/initramfs.cpio" ||
		die "cannot write the initramfs"
}

boot() {
	local args="" ex t0 t1

	if [ -n "${SELFTEST_ARGS+x}" ]; then
		args=$SELFTEST_ARGS
	else
		for ex in "${EXCLUDES[@]}"; do
			args="$args ${ex%%|*}"
		done
	fi
	args=$(echo "$args" | sed 's/^ *//' | tr ' ' ',')

	rm -rf "$ROUT"
	mkdir -p "$ROUT"
	make_initramfs
	echo "e2e: booting UML (mode $MODE, timeout ${BOOT_TIMEOUT}s)"
	t0=$EPOCHREALTIME
	# UML must never hang CI: hard timeout, then SIGKILL
	timeout --kill-after=10 "$BOOT_TIMEOUT" "$KOUT/linux" \
		mem=1G initrd="$OUT/initramfs.cpio" \
		con=null con0=null,fd:1 loglevel=4 panic=-1 \
		e2e_out=/results e2e_selftest="/selftest/${TEST_BIN##*/}" \
		e2e_mode="$MODE" \
		e2e_cycles="$CYCLES" e2e_args="$args" \
		${LEAK_MODULE:+e2e_leak="/leak/${LEAK_MODULE##*/}"} \
		< /dev/null > "$OUT/console.log" 2>&1
	BOOT_RC=$?
	t1=$EPOCHREALTIME
	BOOT_TIME=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# UML leaves its terminal in raw mode when killed; nothing to restore
	# here because its console was a file.
}

# The remote-resource table as the host driver read it (its dev_dbg() lines
# from the first REMOTE_RESOURCE_TEST run), also kept in rr-table.txt. When
# that test passed, the log must hold the table with all its entries.
rr_table() {
	local want got

	RR_OK=1
	[ "$MODE" != lifecycle ] && [ -f "$ROUT/dmesg.txt" ] || return 0
	sed -nE 's/^.*pci-endpoint-test [^ ]+ (Resource (table|[0-9]+): .*)$/\1/p' \
		"$ROUT/dmesg.txt" |
		awk '/^Resource table:/ { if (n++) exit } n' > "$ROUT/rr-table.txt"
	if [ -s "$ROUT/rr-table.txt" ]; then
		echo "# e2e: remote-resource table as the host read it:"
		sed 's/^/#   /' "$ROUT/rr-table.txt"
	else
		echo "# e2e: the host logged no remote-resource table"
	fi
	if grep -q '^ok [0-9]* pci_ep_remote_resources.REMOTE_RESOURCE_TEST$' \
	   "$ROUT/tap.txt" 2>/dev/null; then
		want=$(sed -nE 's/^Resource table: .*, ([0-9]+) entries$/\1/p' \
			"$ROUT/rr-table.txt")
		got=$(grep -c '^Resource [0-9]' "$ROUT/rr-table.txt")
		if [ -z "$want" ] || [ "$want" -eq 0 ] || [ "$got" -ne "$want" ]; then
			echo "# e2e: REMOTE_RESOURCE_TEST passed but the host logged ${got} of '${want}' entries"
			RR_OK=0
		fi
	fi
}

report() {
	local pass fail skip rc=0 kreports=0 leaks=0 ex

	grep -Ev '^(#|$)' "$REPORTS" > "$ROUT/reports"

	if [ -f "$ROUT/tap.txt" ]; then
		cat "$ROUT/tap.txt"
	else
		echo "e2e: no TAP output from the selftest"
	fi
	if [ -z "${SELFTEST_ARGS+x}" ]; then
		for ex in "${EXCLUDES[@]}"; do
			echo "# e2e: excluded ${ex#*|}"
		done
	fi
	[ -f "$ROUT/init.log" ] && sed 's/^/# init: /' "$ROUT/init.log"
	rr_table

	pass=$(grep -c '^ok [0-9]* [^#]*$' "$ROUT/tap.txt" 2>/dev/null)
	skip=$(grep -c '^ok [0-9]* .*# SKIP' "$ROUT/tap.txt" 2>/dev/null)
	fail=$(grep -c '^not ok' "$ROUT/tap.txt" 2>/dev/null)
	pass=${pass:-0} skip=${skip:-0} fail=${fail:-0}

	if [ -f "$ROUT/dmesg.txt" ]; then
		kreports=$(grep -E -c -f "$ROUT/reports" "$ROUT/dmesg.txt")
		if [ "$kreports" -gt 0 ]; then
			echo "# e2e: kernel reports in dmesg:"
			grep -E -A20 -f "$ROUT/reports" "$ROUT/dmesg.txt" | head -80 | sed 's/^/# /'
		fi
	fi
	if [ -s "$ROUT/kmemleak.txt" ]; then
		leaks=$(grep -c 'unreferenced object' "$ROUT/kmemleak.txt")
		echo "# e2e: kmemleak:"
		head -60 "$ROUT/kmemleak.txt" | sed 's/^/# /'
	fi

	echo "# e2e: boot to power-off ${BOOT_TIME}s (UML exit $BOOT_RC)"
	if [ ! -f "$ROUT/result.txt" ]; then
		echo "# e2e: the UML run did not complete (timeout or crash), console tail:"
		tail -40 "$OUT/console.log" | sed 's/^/# /'
		rc=1
	elif [ "$(cat "$ROUT/result.txt")" != 0 ]; then
		echo "# e2e: init reported failure ($(cat "$ROUT/result.txt"))"
		rc=1
	fi
	[ "$fail" -eq 0 ] || rc=1
	[ "$kreports" -eq 0 ] || rc=1
	[ "$leaks" -eq 0 ] || rc=1
	[ "$RR_OK" -eq 1 ] || rc=1
	if [ "$MODE" != lifecycle ] && [ $((pass + skip + fail)) -eq 0 ]; then
		rc=1
	fi

	echo "# e2e: kernel reports: $kreports, kmemleak objects: $leaks"
	# a failed run with no failing test still has to count as a failure
	[ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
	echo "e2e: $pass passed, $fail failed, $skip skipped"
	return $rc
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
mkdir -p "$OUT"
if [ -z "${NO_BUILD:-}" ]; then
	build_kernel
	build_selftest
fi
[ -x "$KOUT/linux" ] || die "no UML kernel in $KOUT"
[ -x "$TEST_BIN" ] || die "no selftest binary $TEST_BIN"
boot
report
