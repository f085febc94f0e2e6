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
#
# Speed, without changing what is checked:
#   - a build runs for a patch only when the patch changes a file that build
#     compiles: a source or header in the dependency lists kbuild wrote for
#     the last build (its .cmd files), a Kconfig file (not another
#     architecture's), or a Makefile/Kbuild of a directory it compiles;
#     otherwise the build is the same as for the patch before, which passed;
#   - builds are incremental, in one build directory per build reused across
#     patches and runs, so sparse (C=1) only sees what is recompiled, and the
#     configuration is merged again only when a patch changes a Kconfig file;
#     a build directory whose last build was not found clean is marked, and
#     its next build recompiles everything the series touches;
#   - a patch whose every check passed is cached (build/cache/patches), keyed
#     by its tree, its parent's tree, the patch file, the builds chosen, the
#     harness's checking scripts and configuration and the tool versions;
#     the base's warnings likewise: a run checks only what changed.

. "$(dirname "$0")/lib.sh"

lock
# the walk checks out the base and each patch: back to the series however
# it ends, for the stages after it
trap 'ktree_git checkout -q series 2>/dev/null || true' EXIT
BUILDS=${BUILDS-x86_64 arm64 clang um}
"$TOP/scripts/deps.sh" patches || exit 1
LOGS=$BUILD/logs
CACHE=$BUILD/cache/patches
mkdir -p "$LOGS" "$CACHE"
base=$(tree_base)
failed=0

# What the verdicts depend on besides the trees: the harness's checking
# code and configuration, and the tools.
tools() {
	local b
	version make --version
	for b in $BUILDS; do
		case $b in
		x86_64|um) version gcc --version; version sparse --version ;;
		arm64) version aarch64-linux-gnu-gcc --version ;;
		clang) version clang-19 --version ;;
		esac
	done
	perl -e 'print "perl $]\n"'
}
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
harness_key=$( { echo "$BUILDS ${dirs[*]} ${um_dirs[*]}"; tools; cat "$TOP/scripts/check-patches.sh" \
	"$TOP/scripts/lib.sh" "$TOP"/config/check*.config; } | sha256sum | cut -c1-32)

# What a build compiles.
build_dirs() {
	case $1 in
	um)	echo "${um_dirs[@]}" ;;
	*)	echo "${dirs[@]}" ;;
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

# The fragment is merged again when a patch changes a Kconfig file (or the
# fragment changed), so that an option a patch introduces is switched on
# as soon as it exists.
configure() {
	local b=$1 o=$OUTDIR/check-$1 frag
	frag=$TOP/config/check$([ "$b" = um ] && echo -um).config
	if [ -f "$o/.config" ] && [ "${2:-}" != kconfig ] && [ "$o/.config" -nt "$frag" ] &&
	   [ -f "$o/.harness-configured" ]; then
		return 0
	fi
	[ -f "$o/.config" ] || kmake "$b" defconfig >/dev/null || return 1
	rm -f "$o/.harness-configured"
	KCONFIG_CONFIG=$o/.config "$KTREE/scripts/kconfig/merge_config.sh" -m \
		-O "$o" "$o/.config" "$TOP/config/check$([ "$b" = um ] && echo -um).config" \
		>/dev/null || return 1
	kmake "$b" olddefconfig >/dev/null || return 1
	: >"$o/.harness-configured"
}

# build B LOG [kconfig]: an incremental build of what B compiles. The build
# directory is marked unverified until verified() says its warnings were
# looked at; an unverified one recompiles everything the series touches.
build() {
	local b=$1 log=$2 o=$OUTDIR/check-$1
	mkdir -p "$o"
	if [ -e "$o/.harness-unverified" ]; then
		(cd "$KTREE" && git diff --name-only "$base" HEAD | while read -r f; do
			[ -f "$f" ] && touch "$f"; done)
	fi
	: >"$o/.harness-unverified"
	configure "$b" "${3:-}" >"$log" 2>&1 || return 1
	# shellcheck disable=SC2046
	kmake "$b" $(build_dirs "$b") >>"$log" 2>&1 || return 1
	save_deps "$b"
}

verified() { rm -f "$OUTDIR/check-$1/.harness-unverified"; }

# The source files the last build of B compiled or included, from the .cmd
# files kbuild writes (paths relative to the kernel tree).
save_deps() {
	local o=$OUTDIR/check-$1 rel
	rel=$(realpath --relative-to="$o" "$KTREE")
	find "$o" -name '.*.cmd' -print0 |
		xargs -0 sed -nE "s#^(source_[^ ]* := )?[[:space:]]*($rel|$KTREE)/([^ ]+)( \\\\)?\$#\\3#p" |
		sort -u >"$o/.harness-deps"
}

# needs_build B FILE...: does a change of these files change what B compiles?
needs_build() {
	local b=$1 o=$OUTDIR/check-$1 f d c arch
	shift
	case $b in um) arch="arch/um/ arch/x86/" ;; arm64) arch=arch/arm64/ ;; *) arch=arch/x86/ ;; esac
	[ -s "$o/.harness-deps" ] || return 0
	for f in "$@"; do
		case ${f##*/} in
		Kconfig*)
			case $f in
			tools/*|Documentation/*) ;;
			# another architecture's: never read by this build
			# (arch/Kconfig is every architecture's)
			arch/*/*) for c in $arch; do
					case $f in "$c"*) return 0 ;; esac
				done ;;
			*) return 0 ;;
			esac ;;
		Makefile|Kbuild|*.mk)
			d=$(dirname "$f")/
			[ "$d" = ./ ] && return 0
			for c in $(build_dirs "$b"); do
				case $c in "$d"*) return 0 ;; esac	# an ancestor
				case $d in "$c"*) return 0 ;; esac	# inside
			done
			for c in $arch; do
				case $d in "$c"*) return 0 ;; esac
			done ;;
		esac
		grep -qxF "$f" "$o/.harness-deps" && return 0
	done
	return 1
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
# Its warnings come from a full build in a fresh build directory, cached by
# the base's tree and the harness key.
base_tree=$(ktree_git rev-parse "$base^{tree}")
msg "the base ($base) for: ${dirs[*]} (UML: ${um_dirs[*]})"
for b in $BUILDS; do
	bw=$CACHE/base-$b-$(echo "$base_tree $harness_key ${dirs[*]}" | sha256sum | cut -c1-32).warnings
	if [ -f "$bw" ]; then
		cp "$bw" "$LOGS/base-$b.warnings"
		continue
	fi
	msg "building the base for $b"
	ktree_git checkout -q --detach "$base"
	rm -rf "$OUTDIR/check-$b"
	if ! build "$b" "$LOGS/base-$b.log"; then
		record -l "$LOGS/base-$b.log" FAIL "base: build $b" "see $LOGS/base-$b.log"
		die "the base does not build for $b"
	fi
	verified "$b"
	warnings "$LOGS/base-$b.log" >"$LOGS/base-$b.warnings"
	cp "$LOGS/base-$b.warnings" "$bw"
done
mapfile -t allsrc < <(kdoc_files "$base" series)
bk=$CACHE/base-kdoc-$(echo "$base_tree $harness_key ${allsrc[*]}" | sha256sum | cut -c1-32).warnings
if [ ! -f "$bk" ]; then
	ktree_git checkout -q --detach "$base"
	kdoc "${allsrc[@]}" >"$bk.tmp" && mv "$bk.tmp" "$bk"
fi
cp "$bk" "$LOGS/base-kdoc.warnings"

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

# verdict NAME NEW [LOG]: NEW lists the warnings the base does not have
verdict() {
	if [ -n "$2" ]; then
		prec ${3:+-l "$3"} FAIL "$1" "new warnings: $(echo "$2" | head -3 | tr '\n' ';')"
		return 1
	fi
	prec ${3:+-l "$3"} PASS "$1"
}

# prec [-l LOG] STATUS CHECK [DETAIL]: a result of the patch at hand,
# "patch NN: CHECK", also kept for the patch's cache entry.
prec() {
	local log=""
	if [ "$1" = -l ]; then
		log=$2
		shift 2
	fi
	[ "$1" = PASS ] || ok=0
	record ${log:+-l "$log"} "$1" "patch $tag: $2" "${3:-}"
	printf '%s\t%s\t%s\n' "$1" "$2" "$log" >>"$entry.tmp"
}

i=0
for c in "${commits[@]}"; do
	p=${files[$i]}
	i=$((i + 1))
	tag=$(printf '%02d' "$i")
	t0=$SECONDS
	key=$( { echo "$harness_key"; ktree_git rev-parse "$c^{tree}" "$c~1^{tree}";
		 sha256sum <"$PATCHES/$p"; } | sha256sum | cut -c1-32)
	entry=$CACHE/$key
	if [ -f "$entry" ]; then
		while IFS=$'\t' read -r st name log; do
			[ -f "$log" ] || log=""
			record ${log:+-l "$log"} "$st" "patch $tag: $name" "cached"
		done <"$entry"
		continue
	fi
	rm -f "$entry.tmp"
	ok=1
	ktree_git checkout -q --detach "$c"

	if why=$(lint_commit "$c"); then
		prec PASS "commit message"
	else
		prec FAIL "commit message" "$why"
	fi

	log=$LOGS/patch-$tag-checkpatch.log
	(cd "$KTREE" && scripts/checkpatch.pl --strict --color=never "$PATCHES/$p") >"$log" 2>&1 || true
	total=$(grep -m1 '^total:' "$log" || echo "total: ? errors")
	if echo "$total" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
		prec -l "$log" PASS "checkpatch --strict"
	else
		prec -l "$log" FAIL "checkpatch --strict" "$total; see $log"
	fi

	# A build runs only for a patch that changes something it compiles.
	mapfile -t changed < <(ktree_git diff --name-only "$c~1" "$c")
	kconfig=""
	printf '%s\n' "${changed[@]}" | grep -q '/Kconfig[^/]*$\|^Kconfig' && kconfig=kconfig
	for b in $BUILDS; do
		needs_build "$b" "${changed[@]}" || continue
		log=$LOGS/patch-$tag-$b.log
		what="build $b W=1$(case $b in x86_64|um) echo ' + sparse' ;; esac)"
		if ! build "$b" "$log" "$kconfig"; then
			prec -l "$log" FAIL "$what" "see $log"
			continue
		fi
		verdict "$what" "$(warnings "$log" | comm -23 - "$LOGS/base-$b.warnings")" "$log" &&
			verified "$b"
	done

	mapfile -t src < <(kdoc_files "$c~1" "$c")
	if [ ${#src[@]} -gt 0 ]; then
		verdict "kernel-doc -Wall" \
			"$(kdoc "${src[@]}" | comm -23 - "$LOGS/base-kdoc.warnings")"
	fi

	if [ $ok = 1 ]; then
		# keep the logs with the entry: build/logs is cleaned by make clean
		while IFS=$'\t' read -r st name log; do
			if [ -n "$log" ]; then
				cp "$log" "$CACHE/$key-${log##*/}"
				log=$CACHE/$key-${log##*/}
			fi
			printf '%s\t%s\t%s\n' "$st" "$name" "$log"
		done <"$entry.tmp" >"$entry.new" && mv "$entry.new" "$entry"
	else
		failed=1
	fi
	rm -f "$entry.tmp"
	msg "patch $tag: $((SECONDS - t0)) s"
done

ktree_git checkout -q series
exit $failed
