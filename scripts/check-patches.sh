#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check every patch of the series on its own (bisectability): walk from the
# base to the tip of branch "series" one commit at a time and run
#   - the commit-message rules (prefix, body, author, Signed-off-by),
#   - scripts/checkpatch.pl --strict on the exported patch (0/0/0),
#   - builds of the directories the series touches for x86_64 (gcc, W=1,
#     sparse), arm64 (Debian's cross gcc, W=1) and x86_64 clang-19 (W=1),
#     and of arch/um/drivers/ and drivers/pci/endpoint/ for User Mode Linux
#     (gcc, W=1, sparse),
#     failing on any warning that the base does not have,
#   - scripts/kernel-doc -Wall on the sources and headers the patch touches,
#     failing on any warning that the base does not have.
# Results go to $RESULTS, one line per check; exits non-zero if any failed.
#
# Set BUILDS="x86_64 arm64 clang um" (default) to choose the builds.

. "$(dirname "$0")/lib.sh"

BUILDS=${BUILDS:-x86_64 arm64 clang um}
LOGS=$BUILD/logs
mkdir -p "$LOGS"
base=$(tree_base)
failed=0

mapfile -t commits < <(ktree_git rev-list --reverse "$base..series")
mapfile -t files < <(series_patches)
[ ${#commits[@]} -eq ${#files[@]} ] ||
	die "branch series has ${#commits[@]} commits but patches/series lists ${#files[@]}: run 'make apply'"

# Directories to compile for x86_64, arm64 and clang: those holding the C
# sources the series touches outside arch/, tools/ and include/, without
# subdirectories of one already listed (kbuild descends into them). The UML
# build compiles arch/um/drivers/, where the loopback controller lives, and
# the endpoint core and functions it runs; tools/ is built by the kselftest
# job.
mapfile -t dirs < <({ ktree_git diff --name-only "$base" series -- '*.c' '*.h' |
		      grep -v -e '^arch/' -e '^tools/' -e '^include/' |
		      xargs -r -n1 dirname; echo drivers/pci/endpoint; } |
		     sort -u | awk '{ for (d in seen) if (index($0 "/", d "/") == 1) next;
				      seen[$0] = 1; print $0 "/" }')
um_dirs=(arch/um/drivers/ drivers/pci/endpoint/)

# What a build compiles, and which changed files concern it.
build_dirs() {
	case $1 in
	um)	echo "${um_dirs[@]}" ;;
	*)	echo "${dirs[@]}" ;;
	esac
}

build_scope() {
	case $1 in
	um)	echo '^(arch/um|include/linux|drivers/pci/endpoint)/' ;;
	*)	echo '^(drivers|include|lib|kernel)/' ;;
	esac
}

kmake() {
	local b=$1 args=()
	shift
	case $b in
	x86_64)	args=(ARCH=x86_64 "CC=ccache gcc" C=1 "CF=$SPARSE_CF") ;;
	arm64)	args=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "CC=ccache aarch64-linux-gnu-gcc") ;;
	clang)	args=(ARCH=x86_64 LLVM=-19 "CC=ccache clang-19") ;;
	um)	args=(ARCH=um "CC=ccache gcc" C=1 "CF=$SPARSE_CF") ;;
	*)	die "unknown build $b" ;;
	esac
	make -C "$KTREE" O="$OUTDIR/check-$b" -j"$JOBS" -s W=1 "${args[@]}" "$@"
}

# "file: message" for every compiler/sparse warning or error in a log, with
# line numbers and the source-tree prefix removed, so that the same warning
# compares equal before and after a patch moves it. Debian's sparse 0.6.4
# reports "bad constant expression" on every MODULE_*() line; those are
# dropped by looking at the source line itself.
warnings() {
	local f l rest src
	sed -nE 's#^([^ :]+):([0-9]+)(:[0-9]+)?: ((warning|error): .*)$#\1 \2 \4#p' "$@" |
	while read -r f l rest; do
		src=$(echo "$f" | sed -E "s#^(\.\./)*([^ ]*/)?$(basename "$KTREE")/##")
		if [ "$rest" = "error: bad constant expression" ] &&
		   sed -n "${l}p" "$KTREE/$src" 2>/dev/null | grep -q '^MODULE_'; then
			continue
		fi
		echo "$src: $rest"
	done | sort -u
}

# The fragment is merged again at every commit, so that an option a later
# patch introduces is switched on as soon as it exists.
configure() {
	local b=$1 o=$OUTDIR/check-$1
	[ -f "$o/.config" ] || kmake "$b" defconfig >/dev/null || return 1
	KCONFIG_CONFIG=$o/.config "$KTREE/scripts/kconfig/merge_config.sh" -m \
		-O "$o" "$o/.config" "$TOP/config/check$([ "$b" = um ] && echo -um).config" \
		>/dev/null || return 1
	kmake "$b" olddefconfig >/dev/null
}

build() {
	local b=$1 log=$2
	configure "$b" >"$log" 2>&1 || return 1
	# shellcheck disable=SC2046
	kmake "$b" $(build_dirs "$b") >>"$log" 2>&1
}

kdoc_files() {
	ktree_git diff --name-only "$@" -- '*.c' '*.h' | grep -v '^tools/' || true
}

kdoc() {
	(cd "$KTREE" && for f in "$@"; do
		if [ -f "$f" ]; then scripts/kernel-doc -Wall -none "$f" 2>&1 || true; fi
	done) | sed -E 's#^[Ww]arning: ([^ :]+):[0-9]+:? #\1: #;
			s#^([^ :]+):[0-9]+: (warning|error): #\1: #' | sort -u
}

# --- the base -------------------------------------------------------------
ktree_git checkout -q --detach "$base"
msg "building the base ($base) for: ${dirs[*]} (UML: ${um_dirs[*]})"
for b in $BUILDS; do
	if ! build "$b" "$LOGS/base-$b.log"; then
		record FAIL "base: build $b" "see $LOGS/base-$b.log"
		die "the base does not build for $b"
	fi
	warnings "$LOGS/base-$b.log" >"$LOGS/base-$b.warnings"
done
mapfile -t allsrc < <(kdoc_files "$base" series)
kdoc "${allsrc[@]}" >"$LOGS/base-kdoc.warnings"

# --- each patch -----------------------------------------------------------
lint_commit() {
	local c=$1 subj body
	subj=$(ktree_git log -1 --format=%s "$c")
	body=$(ktree_git log -1 --format=%b "$c" | grep -v -e '^Signed-off-by:' -e '^$' || true)
	echo "$subj" | grep -qE '^(PCI: (endpoint|dwc)(: [a-z0-9_-]+)?|misc: pci_endpoint_test|selftests: pci_endpoint|Documentation: PCI|um(: [a-z0-9_-]+)?): [A-Z]' ||
		{ echo "subject without a known subsystem prefix: $subj"; return 1; }
	[ "$(echo "$body" | wc -w)" -ge 25 ] ||
		{ echo "commit message body too short to say why"; return 1; }
	[ "$(ktree_git log -1 --format='%an <%ae>' "$c")" = "$PROJECT_IDENT" ] ||
		{ echo "author is not $PROJECT_IDENT"; return 1; }
	ktree_git log -1 --format=%b "$c" | grep -qx "Signed-off-by: $PROJECT_IDENT" ||
		{ echo "no Signed-off-by: $PROJECT_IDENT"; return 1; }
	ktree_git show "$c" | grep -qiE '^\+.*\b(TODO|FIXME|XXX)\b' &&
		{ echo "adds a TODO/FIXME/XXX"; return 1; }
	return 0
}

# verdict NAME NEW: NEW lists the warnings the base does not have
verdict() {
	if [ -n "$2" ]; then
		record FAIL "$1" "new warnings: $(echo "$2" | head -3 | tr '\n' ';')"
		failed=1
	else
		record PASS "$1"
	fi
}

i=0
for c in "${commits[@]}"; do
	p=${files[$i]}
	i=$((i + 1))
	tag=$(printf '%02d' "$i")
	ktree_git checkout -q --detach "$c"

	if why=$(lint_commit "$c"); then
		record PASS "patch $tag: commit message"
	else
		record FAIL "patch $tag: commit message" "$why"; failed=1
	fi

	out=$(cd "$KTREE" && scripts/checkpatch.pl --strict --color=never "$PATCHES/$p" 2>&1 || true)
	echo "$out" >"$LOGS/patch-$tag-checkpatch.log"
	total=$(echo "$out" | grep -m1 '^total:' || echo "total: ? errors")
	if echo "$total" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
		record PASS "patch $tag: checkpatch --strict"
	else
		record FAIL "patch $tag: checkpatch --strict" "$total; see $LOGS/patch-$tag-checkpatch.log"; failed=1
	fi

	# A build runs only for a patch that changes something it compiles.
	changed=$(ktree_git diff --name-only "$c~1" "$c" |
		  grep -E '\.[ch]$|Kconfig|Makefile' || true)
	for b in $BUILDS; do
		echo "$changed" | grep -qE "$(build_scope "$b")" || continue
		log=$LOGS/patch-$tag-$b.log
		if ! build "$b" "$log"; then
			record FAIL "patch $tag: build $b W=1" "see $log"; failed=1
			continue
		fi
		verdict "patch $tag: build $b W=1$(case $b in x86_64|um) echo ' + sparse' ;; esac)" \
			"$(warnings "$log" | comm -23 - "$LOGS/base-$b.warnings")"
	done

	mapfile -t src < <(kdoc_files "$c~1" "$c")
	if [ ${#src[@]} -gt 0 ]; then
		verdict "patch $tag: kernel-doc -Wall" \
			"$(kdoc "${src[@]}" | comm -23 - "$LOGS/base-kdoc.warnings")"
	fi
done

ktree_git checkout -q series
exit $failed
