#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check that the tools a target needs are there; as root install the Debian
# packages of the missing ones, otherwise print the apt-get line. Each tool
# still missing is reported by name (and recorded as a failed result when a
# run is recording, i.e. $STAGE is set). Exits non-zero if any is missing.
#
# Usage: scripts/deps.sh TARGET...
#   TARGET: base lint patches kunit qemu extra e2e run all, or a tool name
#   from the table below.

. "$(dirname "$0")/lib.sh"

# tool -> "test package": the test is a command name, an absolute path, or
# py:MODULE for a Python module.
declare -A TOOL=(
	[git]="git git"
	[make]="make make"
	[gcc]="gcc gcc"
	[libc-dev]="/usr/include/stdio.h libc6-dev"
	[bc]="bc bc"
	[bison]="bison bison"
	[flex]="flex flex"
	[libelf-dev]="/usr/include/gelf.h libelf-dev"
	[libssl-dev]="/usr/include/openssl/ssl.h libssl-dev"
	[perl]="perl perl"
	[python3]="python3 python3"
	[ccache]="ccache ccache"
	[tar]="tar tar"
	[xz]="xz xz-utils"
	[flock]="flock util-linux"
	[apt-helper]="/usr/lib/apt/apt-helper apt"
	[sparse]="sparse sparse"
	[aarch64-linux-gnu-gcc]="aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu"
	[clang-19]="clang-19 clang-19"
	[ld.lld-19]="ld.lld-19 lld-19"
	[llvm-ar-19]="llvm-ar-19 llvm-19"
	[sphinx-build]="sphinx-build python3-sphinx"
	[python3-yaml]="py:yaml python3-yaml"
	[busybox-static]="/bin/busybox busybox-static"
	[qemu-system-aarch64]="qemu-system-aarch64 qemu-system-arm"
	[qemu-system-x86_64]="qemu-system-x86_64 qemu-system-x86"
	[shellcheck]="shellcheck shellcheck"
)

BUILD_TOOLS="git make gcc libc-dev bc bison flex libelf-dev libssl-dev perl python3 ccache"
# what each target needs
declare -A TARGET=(
	[base]="git tar xz flock"
	[lint]="shellcheck"
	[patches]="$BUILD_TOOLS"
	[kunit]="$BUILD_TOOLS"
	[qemu]="$BUILD_TOOLS aarch64-linux-gnu-gcc qemu-system-aarch64"
	[extra]="$BUILD_TOOLS sphinx-build python3-yaml"
	[e2e]="$BUILD_TOOLS busybox-static"
)
# the per-patch builds chosen with BUILDS
for b in ${BUILDS-x86_64 arm64 clang um}; do
	case $b in
	x86_64|um) TARGET[patches]+=" sparse" ;;
	arm64) TARGET[patches]+=" aarch64-linux-gnu-gcc" ;;
	clang) TARGET[patches]+=" clang-19 ld.lld-19 llvm-ar-19" ;;
	esac
done
TARGET[run]="${TARGET[base]} ${TARGET[kunit]} ${TARGET[e2e]}"
TARGET[all]="${TARGET[base]} ${TARGET[lint]} ${TARGET[patches]} ${TARGET[qemu]} ${TARGET[extra]} ${TARGET[e2e]}"

have() {
	local t=${1%% *}
	case $t in
	py:*) python3 -c "import ${t#py:}" 2>/dev/null ;;
	/*) [ -e "$t" ] ;;
	*) command -v "$t" >/dev/null ;;
	esac
}

want=()
for a in "${@:-all}"; do
	if [ -n "${TARGET[$a]+x}" ]; then
		# shellcheck disable=SC2206 # word lists
		want+=(${TARGET[$a]})
	elif [ -n "${TOOL[$a]+x}" ]; then
		want+=("$a")
	else
		die "deps.sh: unknown target or tool '$a'"
	fi
done

missing=()
for t in $(printf '%s\n' "${want[@]}" | sort -u); do
	have "${TOOL[$t]}" || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] && exit 0

pkgs=$(for t in "${missing[@]}"; do echo "${TOOL[$t]#* }"; done | sort -u | tr '\n' ' ')
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	msg "installing the Debian packages of ${missing[*]}: $pkgs"
	apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 ||
		msg "apt-get update failed; trying the lists at hand"
	# shellcheck disable=SC2086 # a package list
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install \
		-y -qq --no-install-recommends $pkgs >/dev/null ||
		msg "apt-get install failed"
else
	printf 'Missing tools: %s; as root run:\n  apt-get install %s\n' \
		"${missing[*]}" "$pkgs" >&2
fi

rc=0
for t in "${missing[@]}"; do
	have "${TOOL[$t]}" && continue
	rc=1
	if [ -n "${STAGE:-}" ]; then
		record FAIL "${STAGE}: needs $t" "Debian package ${TOOL[$t]#* }; as root: apt-get install ${TOOL[$t]#* }"
	else
		msg "missing $t (Debian package ${TOOL[$t]#* })"
	fi
done
exit $rc
