#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks of the whole series that are not per patch:
#   - the pci_endpoint kselftest builds against the series' uapi headers,
#   - the endpoint documentation builds with Sphinx without a warning in
#     the files the series touches.

. "$(dirname "$0")/lib.sh"
lock

"$TOP/scripts/deps.sh" extra || exit 1
base=$(tree_base)
logs=$BUILD/logs
mkdir -p "$logs"
rc=0

log=$logs/kselftest-build.log
if make -C "$KTREE" O="$OUTDIR/headers" -s headers_install >"$log" 2>&1 &&
   make -C "$KTREE/tools/testing/selftests" TARGETS=pci_endpoint \
	O="$OUTDIR/kselftest" \
	KHDR_INCLUDES="-isystem $OUTDIR/headers/usr/include" >>"$log" 2>&1 &&
   [ -x "$OUTDIR/kselftest/kselftest/pci_endpoint/pci_endpoint_test" ]; then
	if grep -qE '(warning|error):' "$log"; then
		record -l "$log" FAIL "kselftest pci_endpoint builds without warnings" "see $log"
		rc=1
	else
		record -l "$log" PASS "kselftest pci_endpoint builds without warnings"
	fi
else
	record -l "$log" FAIL "kselftest pci_endpoint builds without warnings" "see $log"
	rc=1
fi

mapfile -t rst < <(ktree_git diff --name-only "$base" series -- 'Documentation/*.rst')
if [ ${#rst[@]} -gt 0 ]; then
	# the top-level Documentation/ books the touched files are in
	books=$(printf '%s\n' "${rst[@]}" | cut -d/ -f2 | sort -u | tr '\n' ' ')
	books=${books% }
	name="htmldocs of Documentation/{${books// /,}}"
	log=$logs/htmldocs.log
	if make -C "$KTREE" O="$OUTDIR/docs" SPHINXDIRS="$books" htmldocs >"$log" 2>&1; then
		bad=$(grep -F "${rst[@]/#/-e}" "$log" | grep -iE 'warning|error' || true)
		if [ -n "$bad" ]; then
			record -l "$log" FAIL "$name" "$(echo "$bad" | head -3 | tr '\n' ';')"
			rc=1
		else
			record -l "$log" PASS "$name: no warning in ${#rst[@]} touched files"
		fi
	else
		record -l "$log" FAIL "$name" "see $log"
		rc=1
	fi
fi
exit $rc
