#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/ from branch "series" of $KTREE with git format-patch.
#
# Usage: scripts/export.sh           rewrite patches/
#        scripts/export.sh --check   fail if patches/ differs from a fresh
#                                    export (hand-edited drift)

. "$(dirname "$0")/lib.sh"

base=$(tree_base)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The cover letter's subject and text come from cover-letter.txt, through
# the branch description that format-patch reads.
ktree_git config branch.series.description "$(cat "$TOP/cover-letter.txt")"
ktree_git -c core.abbrev=12 format-patch -q --zero-commit --no-signature --cover-letter \
	--cover-from-description=subject --base="$base" \
	--subject-prefix=PATCH -o "$out" "$base..series"
# Only the cover letter carries the time of the export; pin it to the
# newest patch's date so that an unchanged series exports identically.
last=$(ls "$out"/*.patch | tail -1)
date=$(grep -m1 '^Date: ' "$last")
sed -i "s/^Date: .*/$date/" "$out"/0000-cover-letter.patch
(cd "$out" && ls *.patch | grep -v '^0000-cover-letter') >"$out/series"

if [ "${1:-}" = --check ]; then
	if ! diff -ru "$PATCHES" "$out" >"$BUILD/export-drift.diff"; then
		msg "patches/ differs from a fresh export (see $BUILD/export-drift.diff)"
		exit 1
	fi
	exit 0
fi

rm -f "$PATCHES"/*.patch "$PATCHES/series"
cp "$out"/*.patch "$out/series" "$PATCHES/"
ktree_git rev-parse series >"$KTREE/.git/pci-ep-rr-tip"
msg "exported $(wc -l <"$PATCHES/series") patches to patches/"
