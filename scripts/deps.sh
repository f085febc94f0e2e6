#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs (as root), or list them.
#
# Usage: scripts/deps.sh [core|cross|clang|docs|all]...   (default: all)

. "$(dirname "$0")/lib.sh"

declare -A PKGS=(
	[core]="git make gcc libc6-dev bc bison flex libelf-dev libssl-dev xz-utils perl python3 ccache sparse cpio kmod rsync"
	[cross]="gcc-aarch64-linux-gnu"
	[clang]="clang-19 lld-19 llvm-19"
	[docs]="python3-sphinx python3-yaml"
)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(core cross clang docs)
[[ " ${groups[*]} " == *" all "* ]] && groups=(core cross clang docs)

missing=()
for g in "${groups[@]}"; do
	for p in ${PKGS[$g]}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	printf 'Missing Debian packages; as root run:\n  apt-get install %s\n' \
		"${missing[*]}" >&2
	exit 1
fi

msg "installing: ${missing[*]}"
apt-get update -qq || msg "apt-get update failed; trying the lists at hand"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" >/dev/null
