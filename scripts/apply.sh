#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Apply patches/ with git am onto the base, as branch "series" of $KTREE.
#
# Never loses work: refuses to touch a tree with uncommitted edits or
# untracked files, or one that was built in-tree (kbuild's O= builds need a
# clean source tree), each time naming the command that fixes it; refuses
# to drop commits made in the tree since the last apply or export unless
# FORCE=1. An apply that was interrupted (the marker .git/pci-ep-rr-applying
# is still there) is detected and redone from the base.
#
# Patches that did not change since the last apply are kept as they are
# (.git/pci-ep-rr-applied lists each patch file's hash and its commit): the
# branch is reset to the last unchanged one and only the rest is applied,
# so files that did not change keep their times and builds stay warm.

. "$(dirname "$0")/lib.sh"
lock

"$TOP/scripts/deps.sh" base || exit 3
"$TOP/scripts/fetch-base.sh"
base=$(tree_base)
tipfile=$KTREE/.git/pci-ep-rr-tip
marker=$KTREE/.git/pci-ep-rr-applying
rel=${KTREE#"$PWD"/}

force=()
reuse=1
if [ -e "$marker" ]; then
	reuse=0
	msg "the previous 'make apply' was interrupted; applying the series again from the base"
	ktree_git am --abort >/dev/null 2>&1 || true
	force=(-f)
elif [ -d "$KTREE/.git/rebase-apply" ] || [ -d "$KTREE/.git/rebase-merge" ]; then
	die "a git am or rebase of your own is in progress in $rel: finish it (git -C $rel am --continue / rebase --continue) or abort it (... --abort), then run make apply again"
else
	dirty=$(ktree_git status --porcelain --untracked-files=normal | head -5 || true)
	if [ -n "$dirty" ]; then
		die "$rel has uncommitted changes or untracked files, which make apply would lose:
$dirty
Keep them: commit them (git -C $rel commit -a) and run make export; or set them aside: git -C $rel stash -u; or discard them: git -C $rel reset --hard && git -C $rel clean -fd"
	fi
	for f in "$KTREE/.config" "$KTREE/include/config" "$KTREE"/arch/*/include/generated; do
		[ -e "$f" ] &&
			die "$rel was built in-tree (${f#"$KTREE"/} exists), which breaks every O= build of the harness; clean it with: make -C $rel mrproper (build with O=DIR instead)"
	done
	if tip=$(ktree_git rev-parse -q --verify refs/heads/series) &&
	   [ "$tip" != "$(cat "$tipfile" 2>/dev/null)" ] && [ "${FORCE:-0}" != 1 ]; then
		die "branch series in $rel has commits that are not in patches/ (run 'make export' to keep them, or FORCE=1 to drop them)"
	fi
	[ "${tip:-}" = "$(cat "$tipfile" 2>/dev/null)" ] || reuse=0
fi

list=$KTREE/.git/pci-ep-rr-applied
mapfile -t patches < <(series_patches)
old=()
[ $reuse = 1 ] && [ -f "$list" ] && mapfile -t old <"$list"
keep=0 start=$base
for p in "${patches[@]}"; do
	[ $keep -lt ${#old[@]} ] || break
	[ "${old[$keep]%% *}" = "$(sha256sum <"$PATCHES/$p" | cut -c1-64)" ] || break
	start=${old[$keep]#* }
	keep=$((keep + 1))
done
if [ $keep -eq ${#patches[@]} ] && [ $keep -eq ${#old[@]} ]; then
	ktree_git checkout -q series
	msg "the $keep patches are applied already (onto $base)"
	exit 0
fi

: >"$marker"
ktree_git checkout -q "${force[@]}" -B series "$start"
printf '%s\n' "${old[@]:0:$keep}" | grep . >"$list" || : >"$list"
n=$keep
for p in "${patches[@]:$keep}"; do
	if ! ktree_git am -q --committer-date-is-author-date "$PATCHES/$p"; then
		ktree_git am --abort >/dev/null 2>&1 || true
		die "$p does not apply (the tree stays at the base plus the $n patches before it; fix patches/ and run make apply again)"
	fi
	echo "$(sha256sum <"$PATCHES/$p" | cut -c1-64) $(ktree_git rev-parse HEAD)" >>"$list"
	n=$((n + 1))
done
ktree_git rev-parse HEAD >"$tipfile"
rm -f "$marker"
msg "applied $((n - keep)) patches onto $start ($keep kept): $n onto $base"
