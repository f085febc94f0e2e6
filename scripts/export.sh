#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/ from branch "series" of $KTREE with git format-patch.
#
# Usage: scripts/export.sh           rewrite patches/
#        scripts/export.sh --check   fail if patches/ differs from a fresh
#                                    export (hand-edited drift)
#
# The export is written next to patches/ and put in place with renames, so
# an interrupted export leaves the old patches/ (or the complete new one):
# every harness script puts back whichever is complete (lib.sh). An export
# of a half-applied branch (an interrupted make apply) is refused.

. "$(dirname "$0")/lib.sh"
lock

base=$(tree_base)
[ -e "$KTREE/.git/pci-ep-rr-applying" ] &&
	die "the last make apply did not finish, so branch series is incomplete: run make apply again (nothing to export)"
ktree_git rev-parse -q --verify refs/heads/series >/dev/null ||
	die "no branch series in $KTREE: run make apply"

new=$TOP/.patches.new
if [ "${1:-}" = --check ]; then
	out=$(mktemp -d "$BUILD/export.XXXXXX")
	trap 'rm -rf "$out"' EXIT
else
	[ -w "$TOP" ] || die "$TOP is read-only: cannot rewrite patches/"
	rm -rf "$new"
	mkdir "$new"
	out=$new
	trap 'rm -rf "$new"' EXIT
fi

# The base-commit: line names the pinned base when the tree's base has
# the pinned base's content (a KERNEL_SRC tree that is exactly 7.1.8),
# so that such a tree exports the same patches.
base_id=$base
if [ "$base" != "$BASE_COMMIT" ] &&
   [ "$(ktree_git rev-parse "$base^{tree}")" = "$BASE_TREE" ]; then
	base_id=$BASE_COMMIT
fi

# The cover letter's subject and text come from cover-letter.txt, through
# the branch description that format-patch reads. Every option that changes
# the output is pinned here (the global and system configuration are off,
# lib.sh), including those the tree's own configuration could set.
ktree_git config branch.series.description "$(cat "$TOP/cover-letter.txt")"
ktree_git -c core.abbrev=12 -c diff.algorithm=myers -c diff.noprefix=false \
	-c diff.mnemonicPrefix=false -c diff.relative=false -c diff.renames=true \
	-c diff.context=3 -c diff.interHunkContext=0 \
	-c format.signOff=false -c format.numbered=auto -c format.encodeEmailHeaders=true \
	format-patch -q --zero-commit --no-signature --cover-letter --no-thread \
	--cover-from-description=subject --base="$base" \
	--subject-prefix=PATCH -o "$out" "$base..series"
if [ "$base_id" != "$base" ]; then
	sed -i "s/^base-commit: $base$/base-commit: $base_id/" "$out"/0000-cover-letter.patch
fi
# Only the cover letter carries the time of the export; pin it to the
# newest patch's date so that an unchanged series exports identically.
patches=("$out"/[0-9][0-9][0-9][0-9]-*.patch)
date=$(grep -m1 '^Date: ' "${patches[-1]}")
sed -i "s/^Date: .*/$date/" "$out"/0000-cover-letter.patch
for p in "${patches[@]}"; do
	case ${p##*/} in 0000-cover-letter.patch) ;; *) echo "${p##*/}" ;; esac
done >"$out/series"

if [ "${1:-}" = --check ]; then
	name="patches/ matches a fresh git format-patch export"
	if ! diff -ru "$PATCHES" "$out" >"$BUILD/export-drift.diff"; then
		record -l "$BUILD/export-drift.diff" FAIL "$name" \
			"hand-edited drift, see $BUILD/export-drift.diff; make export rewrites patches/"
		exit 1
	fi
	record PASS "$name"
	exit 0
fi

# Anything else kept in patches/ stays; then put the new patches/ in place
# with two renames (see lib.sh recover_patches).
for f in "$PATCHES"/* "$PATCHES"/.[!.]*; do
	[ -e "$f" ] || continue
	case ${f##*/} in *.patch|series) ;; *) cp -a "$f" "$new/" ;; esac
done
: >"$new/.complete"
rm -rf "$TOP/.patches.old"
mv "$PATCHES" "$TOP/.patches.old"
mv "$new" "$PATCHES"
rm -f "$PATCHES/.complete"
rm -rf "$TOP/.patches.old"
trap - EXIT
ktree_git rev-parse series >"$KTREE/.git/pci-ep-rr-tip"
msg "exported $(wc -l <"$PATCHES/series") patches to patches/"
