#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# "make lint": shellcheck over every shell script of the harness (settings
# in .shellcheckrc), one result per script.

. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" lint || exit 1
log=$BUILD/logs/lint
mkdir -p "$log"
rc=0
mapfile -t files < <(cd "$TOP" && { ls scripts/*.sh e2e/*.sh .ci/run 2>/dev/null; } | sort -u)
for f in "${files[@]}"; do
	l=$log/$(echo "$f" | tr / _).log
	if (cd "$TOP" && shellcheck "$f") >"$l" 2>&1; then
		record -l "$l" PASS "shellcheck $f"
	else
		record -l "$l" FAIL "shellcheck $f" "$(grep -c '^In ' "$l") findings; see $l"
		rc=1
	fi
done
exit $rc
