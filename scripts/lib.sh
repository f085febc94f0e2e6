# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers of the harness; sourced by the other scripts.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KTREE=${KTREE:-$BUILD/linux}
OUTDIR=${OUTDIR:-$BUILD/out}
RESULTS=${RESULTS:-$BUILD/results.txt}
PATCHES=$TOP/patches
JOBS=${JOBS:-$(nproc)}

BASE_VERSION=7.1.8
BASE_TARBALL=linux_$BASE_VERSION.orig.tar.xz
BASE_SHA256=47f9ce629bc14dd96c16a6a6a8cae4f7f3c3ff6138e2f64befc7bdad426e9728
BASE_DEB_VERSION=7.1.8-2
# The base tree is committed with fixed metadata, so that every machine that
# unpacks the same tarball gets the same base commit (the cover letter's
# base-commit).
BASE_COMMIT=39d9727f921d70bc917c400dbb93fdf53131d75b
BASE_DATE=2026-01-01T00:00:00Z

PROJECT_IDENT="PCI EP Remote Resources <pci-ep-rr@example.org>"
export GIT_COMMITTER_NAME="PCI EP Remote Resources"
export GIT_COMMITTER_EMAIL=pci-ep-rr@example.org

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
# Debian's sparse 0.6.4 predates __typeof_unqual__, and the kernel silently
# disables it unless told the keyword exists.
SPARSE_CF="-D__typeof_unqual__=__typeof__"

msg() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# record STATUS NAME [DETAIL]: one line of the results file read by summary.sh
record() {
	mkdir -p "$(dirname "$RESULTS")"
	printf '%s %s%s\n' "$1" "$2" "${3:+ ($3)}" >>"$RESULTS"
	printf '%s %s%s\n' "$1" "$2" "${3:+ ($3)}" >&2
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
