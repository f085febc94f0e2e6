#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's commands for users of the series, run as written:
#   apply-am, apply-series   applying patches/ to your own 7.1.8 tree
#   send                     re-signing with your identity, get_maintainer.pl,
#                            a versioned export
# Each is the ```sh block after a "<!-- check-readme: NAME -->" line. It
# runs in a directory holding "linux", a clone of the base tagged v7.1.8,
# with /path/to/pci-ep-rr standing for this repository. The clone's v7.1.8
# is the base cut down to the directories the series touches (whole) and
# what get_maintainer.pl reads (scripts/, the top-level files, those of the
# top-level directories it looks for): git am rewrites the whole index at
# each patch, about 20 times slower on the 90,000 files of the full tree
# (git 2.39's am expands a sparse index). The files the series changes
# are all there, so applying is the same. What each must leave is checked
# below, against the series cut down the same way. (The cut trees and their
# commit are written into $KTREE's object store, unreferenced.)

. "$(dirname "$0")/lib.sh"
lock

"$TOP/scripts/deps.sh" base perl || exit 1
base=$(tree_base)
logs=$BUILD/logs
mkdir -p "$logs"
rc=0

# Results that all passed are kept, keyed by what they depend on.
key=$( { cat "$TOP/README.md" "$0" "$PATCHES"/*; ktree_git rev-parse "series^{tree}" "$base"; } |
	sha256sum | cut -c1-32)
cache=$BUILD/cache/readme-$key
if [ -f "$cache" ]; then
	while IFS=$'\t' read -r st name; do
		record "$st" "$name" cached
	done <"$cache"
	exit 0
fi
tmp=$(mktemp -d "$BUILD/readme.XXXXXX")
: >"$tmp.results"
trap 'rm -rf "$tmp" "$tmp.results" "$tmp.paths" "$tmp.index"' EXIT
# rec [-l LOG] STATUS NAME [DETAIL]: record, and keep for the cache
rec() {
	local log=""
	if [ "$1" = -l ]; then log=$2; shift 2; fi
	record ${log:+-l "$log"} "$@"
	printf '%s\t%s\n' "$1" "$2" >>"$tmp.results"
}

block() {
	awk -v name="$1" '
		$0 == "<!-- check-readme: " name " -->" { want = 1; next }
		want && /^```sh$/ { inblock = 1; next }
		inblock && /^```$/ { exit }
		inblock { print }' "$TOP/README.md"
}

# The paths of the cut-down trees: the directories the series touches,
# scripts/, and the files at the top and in the top-level directories
# get_maintainer.pl wants to see.
{ ktree_git diff --no-renames --name-only "$base" series | xargs -r -n1 dirname | grep -vx '[.]' | sort -u
  echo scripts
  for d in "" fs/ init/ ipc/ kernel/ lib/; do
	ktree_git ls-tree "$base" -- ${d:+"$d"} | awk '$2 == "blob" { print $4 }'
  done; } >"$tmp.paths"
# cut COMMIT: the tree of COMMIT cut down to those paths (in $KTREE's
# object store; a throw-away index)
cut_tree() {
	local idx=$tmp.index
	rm -f "$idx"
	xargs -a "$tmp.paths" -d '\n' git -C "$KTREE" ls-tree -r --full-tree "$1" -- |
		GIT_INDEX_FILE=$idx git -C "$KTREE" update-index --index-info &&
	GIT_INDEX_FILE=$idx git -C "$KTREE" write-tree
	rm -f "$idx"
}
base_cut=$(cut_tree "$base")
base_cut=$(git -C "$KTREE" commit-tree -m "Linux $BASE_VERSION (cut down)" "$base_cut")

# fresh NAME: a new "linux" for block NAME, at the cut-down base
fresh() {
	local dir=$tmp/$1
	mkdir -p "$dir"
	git clone -q --shared --no-checkout "$KTREE" "$dir/linux"
	git -C "$dir/linux" tag v7.1.8 "$base_cut"
	git -C "$dir/linux" checkout -q -b mine v7.1.8
	git -C "$dir/linux" config user.name "A Sender"
	git -C "$dir/linux" config user.email sender@example.net
}

# run NAME: run block NAME in its directory; its output goes to a log
run() {
	local cmds log=$logs/readme-$1.log
	cmds=$(block "$1")
	if [ -z "$cmds" ]; then
		rec FAIL "README: '$1' commands" "no <!-- check-readme: $1 --> sh block in README.md"
		return 1
	fi
	printf '$ %s\n' "$cmds" >"$log"
	# as a user would: their identity, not the harness's committer
	(cd "$tmp/$1" && env -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL \
		bash -euo pipefail -c "${cmds//\/path\/to\/pci-ep-rr/$TOP}") >>"$log" 2>&1
}

series_tree=$(cut_tree series)
n=$(series_patches | wc -l)

for how in apply-am apply-series; do
	fresh "$how"
	log=$logs/readme-$how.log
	if run "$how" && [ "$(git -C "$tmp/$how/linux" rev-parse "HEAD^{tree}")" = "$series_tree" ] &&
	   [ "$(git -C "$tmp/$how/linux" rev-list --count v7.1.8..HEAD)" = "$n" ]; then
		rec -l "$log" PASS "README: '$how' applies the $n patches to a 7.1.8 tree"
	else
		rec -l "$log" FAIL "README: '$how' applies the $n patches to a 7.1.8 tree" "see $log"
		rc=1
	fi
done

# send: starts from the applied series
if [ -d "$tmp/apply-am/linux" ]; then
	mv "$tmp/apply-am" "$tmp/send"
	log=$logs/readme-send.log
	l=$tmp/send/linux
	why=""
	if ! run send; then
		why="the commands fail"
	elif [ "$(git -C "$l" log --format='%an <%ae>' v7.1.8..HEAD | sort -u)" != "A Sender <sender@example.net>" ]; then
		why="the author is not the sender on every patch"
	elif git -C "$l" log --format=%B v7.1.8..HEAD | grep -qF "Signed-off-by: $PROJECT_IDENT"; then
		why="the project's placeholder Signed-off-by is still there"
	elif [ "$(git -C "$l" log --format=%B v7.1.8..HEAD | grep -cx 'Signed-off-by: A Sender <sender@example.net>')" != "$n" ]; then
		why="not every patch is signed off by the sender"
	elif [ "$(git -C "$l" rev-parse "HEAD^{tree}")" != "$series_tree" ]; then
		why="re-signing changed the code"
	elif ! grep -q "^Subject: \[PATCH v2 00/$n\]" "$tmp/send/outgoing/"*0000-cover-letter.patch 2>/dev/null; then
		why="no [PATCH v2 00/$n] cover letter in outgoing/"
	elif ! grep -q "^base-commit: $base_cut" "$tmp/send/outgoing/"*0000-cover-letter.patch; then
		why="the cover letter has no base-commit: line"
	elif ! grep -q '@' "$tmp/send/maintainers.txt" 2>/dev/null; then
		why="get_maintainer.pl named nobody (maintainers.txt)"
	fi
	if [ -z "$why" ]; then
		rec -l "$log" PASS "README: 'send' re-signs as the sender, names the maintainers, exports v2"
	else
		rec -l "$log" FAIL "README: 'send' re-signs as the sender, names the maintainers, exports v2" "$why; see $log"
		rc=1
	fi
fi
if [ $rc -eq 0 ]; then
	mkdir -p "$BUILD/cache"
	cp "$tmp.results" "$cache"
fi
exit $rc
