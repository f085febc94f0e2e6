# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # the settings are used by the scripts sourcing this
# Shared settings and helpers of the harness; sourced by the other scripts.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
KTREE=${KTREE:-$BUILD/linux}
OUTDIR=${OUTDIR:-$BUILD/out}
# One line per result (record below), rendered by summary.sh into
# results.tap (TAP 13 / KTAP) and results.xml (JUnit); stage times.
RESULTS=${RESULTS:-$BUILD/results.tsv}
STAGES=${STAGES:-$BUILD/stages.tsv}
PATCHES=$TOP/patches
JOBS=${JOBS:-$(nproc)}
export JOBS

BASE_VERSION=7.1.8
BASE_TARBALL=linux_$BASE_VERSION.orig.tar.xz
BASE_SHA256=47f9ce629bc14dd96c16a6a6a8cae4f7f3c3ff6138e2f64befc7bdad426e9728
BASE_DEB_VERSION=7.1.8-2
# The base tree is committed with fixed metadata, so that every machine that
# unpacks the same tarball gets the same base commit (the cover letter's
# base-commit).
BASE_COMMIT=39d9727f921d70bc917c400dbb93fdf53131d75b
BASE_DATE=2026-01-01T00:00:00Z
# Its tree: a KERNEL_SRC tree with exactly this content is the same base.
BASE_TREE=ba9f1a84ac620110eca89fa326a9d23f485703bb

PROJECT_IDENT="PCI EP Remote Resources <pci-ep-rr@example.org>"
export GIT_COMMITTER_NAME="PCI EP Remote Resources"
export GIT_COMMITTER_EMAIL=pci-ep-rr@example.org

# Hermetic git: the harness's own git calls read neither the user's global
# nor the system configuration (format.*, diff.*, commit.gpgSign, am.*...),
# and nothing inherited from a calling git (a hook, "git -c") leaks in, so
# that apply and export give the same result on every machine. The kernel
# tree's own .git/config is the harness's (see fetch-base.sh).
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CONFIG GIT_CONFIG_PARAMETERS \
	GIT_NAMESPACE GIT_CEILING_DIRECTORIES
# No automatic gc: a repack of the 1.8 GB kernel tree in the middle of a
# run costs minutes, and the detached gc would hold the run's lock.
export GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=gc.auto GIT_CONFIG_VALUE_0=0 \
	GIT_CONFIG_KEY_1=maintenance.auto GIT_CONFIG_VALUE_1=false

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
# Debian's sparse 0.6.4 predates __typeof_unqual__, and the kernel silently
# disables it unless told the keyword exists.
SPARSE_CF="-D__typeof_unqual__=__typeof__"

msg() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# kbuild cannot build in or from a path with a space, a colon (make's rule
# separator) or a comma ($(call) argument separator), and the e2e run hands
# paths to hostfs and the UML command line: refuse them before anything
# is written.
check_path() {
	case $2 in
	*[!A-Za-z0-9._/+@-]*)
		die "$1 '$2' contains a character kbuild cannot use (space, colon, comma, ...); use a path of letters, digits and ._+@-/ only: clone the project there, or set BUILD=/such/path for the build output" ;;
	esac
}
check_path "the project directory" "$TOP"
check_path BUILD "$BUILD"
check_path KTREE "$KTREE"
check_path OUTDIR "$OUTDIR"

# lock: one harness run per build directory. The first script of a run
# takes the lock; the scripts it starts inherit it (HARNESS_LOCKED).
lock() {
	[ "${HARNESS_LOCKED:-}" = "$BUILD" ] && return 0
	mkdir -p "$BUILD" 2>/dev/null ||
		die "cannot create BUILD=$BUILD (a read-only checkout needs BUILD=/a/writable/dir)"
	exec 9>>"$BUILD/.lock"
	if ! flock -n 9; then
		die "another harness run uses $BUILD ($(cat "$BUILD/.lock.pid" 2>/dev/null || echo "pid unknown")); wait for it, or use another BUILD="
	fi
	echo "pid $$: $0" >"$BUILD/.lock.pid"
	export HARNESS_LOCKED=$BUILD
	recover_patches
}

# An interrupted export (export.sh) leaves .patches.new (being written, or
# complete with .complete in it) and/or .patches.old (the previous
# patches/): finish or undo it, so that patches/ is always one whole export.
recover_patches() {
	local old=$TOP/.patches.old new=$TOP/.patches.new
	[ -e "$old" ] || [ -e "$new" ] || return 0
	if [ ! -d "$PATCHES" ]; then
		if [ -e "$new/.complete" ]; then
			mv "$new" "$PATCHES"
			msg "finished an interrupted export: patches/ is the new export"
		else
			mv "$old" "$PATCHES"
			msg "undid an interrupted export: patches/ is the previous one"
		fi
	fi
	rm -f "$PATCHES/.complete"
	rm -rf "$old" "$new"
}

# record [-l LOG] [-n TAP] [-t SECONDS] STATUS NAME [DETAIL]: one result,
# STATUS is PASS, FAIL or SKIP; LOG is the file whose text goes with it into
# results.xml, TAP a TAP/KTAP file of the tool that results.tap nests under
# it. The stage is $STAGE (check.sh). Fields are tab-separated.
record() {
	local log="" nested="" secs="" o OPTIND=1
	while getopts l:n:t: o; do
		case $o in
		l) log=$OPTARG ;;
		n) nested=$OPTARG ;;
		t) secs=$OPTARG ;;
		*) return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	local name=${2//$'\t'/ } detail=${3:-}
	name=${name//$'\n'/ }
	detail=${detail//$'\t'/ }
	detail=${detail//$'\n'/; }
	mkdir -p "$(dirname "$RESULTS")"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "${STAGE:-}" "$name" "$detail" \
		"$log" "$nested" "$secs" >>"$RESULTS"
	printf '%s %s%s\n' "$1" "$name" "${detail:+ ($detail)}" >&2
}

# results_of KIND ARGS...: add the per-case results scripts/results.py
# reads from a tool's own output (kunit.py --json, kselftest TAP).
# Returns non-zero when the output held no result.
results_of() {
	local status name detail log n=0
	# split on \037: tab is whitespace to read, empty fields would merge
	while IFS=$'\037' read -r status name detail log; do
		record ${log:+-l "$log"} "$status" "$name" "$detail"
		n=$((n + 1))
	done < <(KUNIT_DIR=$KTREE/tools/testing/kunit python3 "$TOP/scripts/results.py" "$@" | tr '\t' '\037')
	[ "$n" -gt 0 ]
}

# scan_reports FILE...: print the lines matching config/kernel-reports
# (with the file name and line number); true if there are any.
scan_reports() {
	grep -H -n -E -f <(grep -Ev '^(#|$)' "$TOP/config/kernel-reports") "$@" 2>/dev/null
}

# The configuration options of the UML kernel shared by KUnit and the
# end-to-end run, one a line: the debug options, e2e/uml.config and what
# the e2e run needs beyond kunit.py's minimal configuration.
uml_kconfig_add() {
	cat "$TOP/config/kunit-debug.config" "$TOP/e2e/uml.config" \
		"$TOP/config/kunit-e2e.config" | grep -Ev '^(#|[[:space:]]*$)'
}

# What the UML kernel's configuration is made of: the fragments above and
# the .kunitconfig files of the series (scripts/kunit.sh records it).
uml_fragments_key() {
	{ uml_kconfig_add; ktree_git ls-files -s -- '*.kunitconfig'; } | sha256sum | cut -c1-32
}

# stage NAME CMD...: run one stage of a run (check.sh, run.sh): print and
# record ($STAGES) its start, end and duration; if it records no result of
# its own, record one for the whole stage (its exit status).
stage() {
	local name=$1 t0 t1 before after rc=0
	shift
	export STAGE=$name
	t0=$(date +%s)
	msg "stage $name: start $(date -d "@$t0" +%T)"
	mkdir -p "$(dirname "$RESULTS")"
	touch "$RESULTS"
	before=$(wc -l <"$RESULTS")
	"$@" || rc=$?
	after=$(wc -l <"$RESULTS")
	if [ "$before" = "$after" ]; then
		if [ $rc -eq 0 ]; then record PASS "$name"; else record FAIL "$name" "exit $rc"; fi
	elif [ $rc -ne 0 ] && ! tail -n $((after - before)) "$RESULTS" | grep -q '^FAIL'; then
		record FAIL "$name" "exit $rc"
	fi
	t1=$(date +%s)
	mkdir -p "$(dirname "$STAGES")"
	printf '%s\t%s\t%s\t%s\n' "$name" "$t0" "$t1" "$rc" >>"$STAGES"
	msg "stage $name: end $(date -d "@$t1" +%T), $((t1 - t0)) s, exit $rc"
	unset STAGE
	return $rc
}

# version CMD...: the first line CMD prints, or "no CMD" (the whole output
# is read: "CMD | head -1" kills CMD with SIGPIPE when it writes on, which
# under pipefail fails at random)
version() {
	local out
	if out=$("$@" 2>/dev/null); then
		printf '%s\n' "${out%%$'\n'*}"
	else
		echo "no $1"
	fi
}

# tree_inputs DIR: what of the series' tree the last kernel build in DIR
# read, for a stage key: every file of the tree with its blob id, but the
# C and assembler sources and headers (*.c, *.h, *.S) its .cmd files do not
# name. Fails when DIR holds no build or no dependency could be read (the
# stage is then not cached). (As for the per-patch builds: a source a
# build did not read matters only through a change of a file it did read,
# a Makefile or a Kconfig file; a new header that would shadow another on
# the include path is the exception not covered.)
tree_inputs() {
	local o=$1 src
	[ -f "$o/.config" ] && [ -n "$(find "$o" -maxdepth 2 -name '.*.cmd' -print -quit)" ] ||
		return 1
	# kbuild writes the source tree's real path (or one relative to the
	# build directory) anywhere in a .cmd file: every such path, made
	# again only when a .cmd file changed
	if [ ! -s "$o/.harness-inputs" ] ||
	   [ -n "$(find "$o" -name '.*.cmd' -newer "$o/.harness-inputs" -print -quit)" ]; then
		src=$(realpath "$KTREE")
		find "$o" -name '.*.cmd' -print0 | xargs -0 cat |
			LC_ALL=C awk -v abs="$src/" -v rel="$(realpath --relative-to="$o" "$src")/" '
			# a/b/../c -> a/c, ./ dropped
			function norm(p,	n, s, i, k, out) {
				n = split(p, s, "/"); k = 0
				for (i = 1; i <= n; i++) {
					if (s[i] == "" || s[i] == ".") continue
					if (s[i] == ".." && k > 0) { k--; continue }
					out[++k] = s[i]
				}
				p = ""
				for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
				return p
			}
			{
				n = split($0, w, /[ \t=:,;()"'\'']+/)
				for (i = 1; i <= n; i++) {
					p = w[i]; sub(/^-[A-Za-z]+/, "", p)
					if (index(p, abs) == 1) print norm(substr(p, length(abs) + 1))
					else if (index(p, rel) == 1) print norm(substr(p, length(rel) + 1))
				}
			}' | LC_ALL=C sort -u >"$o/.harness-inputs.new" || return 1
		mv "$o/.harness-inputs.new" "$o/.harness-inputs"
	fi
	[ -s "$o/.harness-inputs" ] || return 1
	ktree_git ls-tree -r series | LC_ALL=C awk -F'\t' -v deps="$o/.harness-inputs" '
		BEGIN { while ((getline l < deps) > 0) want[l] = 1 }
		($2 in want) || $2 !~ /\.[chS]$/'
}

# cached_stage NAME KEYFN CMD...: stage NAME, unless one run whose inputs
# hashed to the same key passed completely before (no FAIL, exit 0): then
# that run's results are recorded again, marked cached, with copies of
# their logs kept in build/cache/stages/. "KEYFN NAME" prints the key; it
# must cover everything the verdict depends on (check.sh: what of the
# series' tree the stage reads, the harness, the tools, the settings). It
# is asked again after the stage ran, and the results are kept under that
# key: a key that names what a build read changes with the build.
# NO_CACHE=1 runs every stage.
cached_stage() {
	local name=$1 keyfn=$2 key dir before
	shift 2
	key=$("$keyfn" "$name") || key=""
	dir=$BUILD/cache/stages/$name-$key
	if [ -n "$key" ] && [ "${NO_CACHE:-0}" != 1 ] && [ -f "$dir/results.tsv" ]; then
		stage "$name" replay_stage "$dir"
		return
	fi
	touch "$RESULTS"
	before=$(wc -l <"$RESULTS")
	stage "$name" "$@" || return
	# (awk reads all: grep -q would leave tail a SIGPIPE under pipefail)
	awk -v n="$before" 'NR > n && /^FAIL/ { f = 1 } END { exit !f }' "$RESULTS" && return 0
	key=$("$keyfn" "$name") && [ -n "$key" ] || return 0
	dir=$BUILD/cache/stages/$name-$key
	keep_stage "$dir" "$before" || { rm -rf "$dir" "$dir.new"; msg "stage $name: could not keep its results"; }
	# the three newest of a stage are kept
	find "$BUILD/cache/stages" -mindepth 1 -maxdepth 1 -name "$name-*" ! -name '*.new' -printf '%T@ %p\n' |
		sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
}

# keep_stage DIR BEFORE: the results after line BEFORE of $RESULTS, and
# their logs (each file once), into DIR; fails if anything is not kept
keep_stage() {
	local dir=$1 st stg name detail log nested secs f want
	local -A kept=()
	rm -rf "$dir.new"
	mkdir -p "$dir.new/files" || return 1
	want=$(tail -n +$(($2 + 1)) "$RESULTS" | wc -l)
	# tab is whitespace to read: empty fields would merge, so split on \037
	while IFS=$'\037' read -r st stg name detail log nested secs; do
		for f in log nested; do
			if [ -z "${!f}" ] || [ ! -f "${!f}" ]; then
				printf -v "$f" ''
				continue
			fi
			if [ -z "${kept[${!f}]:-}" ]; then
				kept[${!f}]=$dir/files/${#kept[@]}-${!f##*/}
				cp "${!f}" "$dir.new/files/${kept[${!f}]##*/}" || return 1
			fi
			printf -v "$f" '%s' "${kept[${!f}]}"
		done
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$st" "$stg" "$name" "$detail" \
			"$log" "$nested" "$secs" >>"$dir.new/results.tsv" || return 1
	done < <(tail -n +$(($2 + 1)) "$RESULTS" | tr '\t' '\037')
	[ "$(wc -l <"$dir.new/results.tsv")" = "$want" ] || return 1
	rm -rf "$dir"
	mv "$dir.new" "$dir"
}

# replay_stage DIR: record the results kept in DIR again
replay_stage() {
	local st stg name detail log nested secs
	msg "stage $STAGE: inputs unchanged since a run that passed; its results:"
	while IFS=$'\037' read -r st stg name detail log nested secs; do
		record ${log:+-l "$log"} ${nested:+-n "$nested"} ${secs:+-t "$secs"} \
			"$st" "$name" "${detail:+$detail; }cached"
	done < <(tr '\t' '\037' <"$1/results.tsv")
}

# Patches of the series, in order, from the series file.
series_patches() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$PATCHES/series"
}

ktree_git() { git -C "$KTREE" "$@"; }

# The base commit of the tree at hand: the pinned one, or the user's HEAD
# recorded by fetch-base.sh when KERNEL_SRC names a tree of their own.
tree_base() {
	cat "$KTREE/.git/pci-ep-rr-base" 2>/dev/null || echo "$BASE_COMMIT"
}
