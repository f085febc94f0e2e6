#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Apply patches/ with git am onto the base, as branch "series" of $KTREE.
# Refuses to throw away commits made in the tree since the last apply or
# export, unless FORCE=1.

. "$(dirname "$0")/lib.sh"

"$TOP/scripts/fetch-base.sh"
base=$(tree_base)
tipfile=$KTREE/.git/pci-ep-rr-tip

if tip=$(ktree_git rev-parse -q --verify refs/heads/series) &&
   [ "$tip" != "$(cat "$tipfile" 2>/dev/null)" ] && [ "${FORCE:-0}" != 1 ]; then
	die "branch series in $KTREE has commits that are not in patches/ (run 'make export' to keep them, or FORCE=1 to drop them)"
fi

ktree_git am --abort >/dev/null 2>&1 || true
ktree_git checkout -q -f -B series "$base"
ktree_git clean -fdq
n=0
while read -r p; do
	if ! ktree_git am -q --committer-date-is-author-date "$PATCHES/$p"; then
		ktree_git am --abort >/dev/null 2>&1 || true
		die "$p does not apply"
	fi
	n=$((n + 1))
done < <(series_patches)
ktree_git rev-parse HEAD >"$tipfile"
msg "applied $n patches onto $base"
