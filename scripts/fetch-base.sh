#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Provide the base tree (Linux 7.1.8) as a git repository in $KTREE.
#
# First match wins:
#   KERNEL_SRC=<git tree>     a kernel tree of your own whose "make
#                             kernelversion" is 7.1.8, used as is (its HEAD
#                             is the base; no hash to check)
#   LINUX_TARBALL=<file>      Debian's linux_7.1.8.orig.tar.xz
#   $DL_DIR/<tarball>         the harness's download cache
#   apt                       Debian's source package, from the mirror this
#                             machine's apt is configured with
# Every tarball is checked against the pinned sha256 before it is unpacked.
# Where the base came from is recorded in the tree (.git/pci-ep-rr-source);
# once the tree exists, a KERNEL_SRC or LINUX_TARBALL that names another
# source is refused instead of silently ignored.

. "$(dirname "$0")/lib.sh"

DL_DIR=${DL_DIR:-$BUILD/dl}

verify() {
	local sum
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$sum" = "$BASE_SHA256" ] ||
		die "$1: sha256 $sum does not match the pinned $BASE_SHA256; refusing to use it"
}

# The first Debian archive URI apt is configured with (deb822 or one-line
# format), so that no mirror name is written into this repository.
apt_mirror() {
	local uri
	uri=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	      awk '{print $2}' | grep -v -- '-security' | head -1 || true)
	[ -n "$uri" ] || uri=$(grep -h '^deb ' /etc/apt/sources.list \
				/etc/apt/sources.list.d/*.list 2>/dev/null |
			      awk '{for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' |
			      grep -v -- '-security' | head -1 || true)
	[ -n "$uri" ] || die "cannot find a Debian mirror in apt's sources"
	echo "${uri%/}"
}

fetch_apt() {
	local mirror tmp
	mirror=$(apt_mirror)
	tmp=$(mktemp -d)
	mkdir -p "$tmp/lists/partial" "$DL_DIR"
	echo "deb-src $mirror sid main" >"$tmp/sources.list"
	local opts=(-o "Dir::Etc::SourceList=$tmp/sources.list"
		    -o "Dir::Etc::SourceParts=/dev/null"
		    -o "Dir::State::Lists=$tmp/lists"
		    -o "APT::Sandbox::User=root")
	msg "fetching linux=$BASE_DEB_VERSION source from Debian sid ($mirror)"
	if apt-get "${opts[@]}" -qq update >/dev/null 2>&1 &&
	   (cd "$DL_DIR" && apt-get "${opts[@]}" -qq source --download-only \
		"linux=$BASE_DEB_VERSION" >/dev/null 2>&1) &&
	   [ -f "$DL_DIR/$BASE_TARBALL" ]; then
		rm -rf "$tmp"
		return 0
	fi
	rm -rf "$tmp"
	# The source package's .dsc is not always served while its tarball is:
	# let apt's own downloader fetch the pool file and check its hash.
	msg "apt-get source failed; fetching the pool file with apt-helper"
	/usr/lib/apt/apt-helper download-file \
		"$mirror/pool/main/l/linux/$BASE_TARBALL" \
		"$DL_DIR/$BASE_TARBALL" "SHA256:$BASE_SHA256" ||
		die "cannot download $BASE_TARBALL; set LINUX_TARBALL or KERNEL_SRC"
}

from_tarball() {
	local tarball=$1 tmp=$KTREE.tmp
	verify "$tarball"
	msg "unpacking $tarball"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xf "$tarball" -C "$tmp" --strip-components=1
	git -C "$tmp" init -q -b base
	# Straight into a pack rather than 93,000 loose objects (every file is
	# "big", so git add streams it into one pack, compressed as fast as
	# loose objects are): reading loose objects costs an open() each, and
	# everything that checks out from this tree (the readme stage's clones,
	# a rebuilt series) reads them. The same blobs and trees either way.
	git -C "$tmp" -c core.bigFileThreshold=1 -c pack.compression=1 add -A -f
	GIT_AUTHOR_NAME=$GIT_COMMITTER_NAME GIT_AUTHOR_EMAIL=$GIT_COMMITTER_EMAIL \
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		git -C "$tmp" commit -q -m "Linux $BASE_VERSION"
	# and the trees the commit wrote
	git -C "$tmp" repack -d -q
	local head
	head=$(git -C "$tmp" rev-parse HEAD)
	if [ "$head" != "$BASE_COMMIT" ]; then
		msg "note: base commit is $head, not the pinned $BASE_COMMIT"
		echo "$head" >"$tmp/.git/pci-ep-rr-base"
	fi
	mv "$tmp" "$KTREE"
}

# The source the user asks for, as recorded: "git DIR HEAD" or "tarball".
wanted_source() {
	local src
	if [ -n "${KERNEL_SRC:-}" ]; then
		src=$(cd "$KERNEL_SRC" 2>/dev/null && pwd) ||
			die "KERNEL_SRC=$KERNEL_SRC does not exist"
		echo "git $src $(git -C "$src" rev-parse --verify -q HEAD || echo none)"
	elif [ -n "${LINUX_TARBALL:-}" ]; then
		[ -f "$LINUX_TARBALL" ] || die "LINUX_TARBALL=$LINUX_TARBALL does not exist"
		verify "$LINUX_TARBALL"
		echo tarball
	fi
}

from_git() {
	local src=$1 head ver
	git -C "$src" rev-parse --verify -q HEAD >/dev/null ||
		die "KERNEL_SRC=$src is not a git tree"
	head=$(git -C "$src" rev-parse HEAD)
	ver=$(make -s -C "$src" kernelversion 2>/dev/null) ||
		die "KERNEL_SRC=$src: 'make kernelversion' fails; is it a kernel tree?"
	[ "$ver" = "$BASE_VERSION" ] ||
		die "KERNEL_SRC=$src is Linux $ver, the series is for $BASE_VERSION"
	[ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ] ||
		msg "note: KERNEL_SRC has uncommitted changes; only its HEAD ($head) is used"
	msg "cloning $src ($head) into $KTREE"
	git clone -q --shared --no-checkout "$src" "$KTREE"
	git -C "$KTREE" checkout -q -b base "$head"
	echo "$head" >"$KTREE/.git/pci-ep-rr-base"
}

if [ -d "$KTREE/.git" ] && git -C "$KTREE" cat-file -e "$(tree_base)^{commit}" 2>/dev/null; then
	have=$(cat "$KTREE/.git/pci-ep-rr-source" 2>/dev/null || echo tarball)
	want=$(wanted_source)
	if [ -n "$want" ] && [ "$want" != "$have" ]; then
		if [ -n "${KERNEL_SRC:-}" ]; then asked="KERNEL_SRC=$KERNEL_SRC"; else asked="LINUX_TARBALL=$LINUX_TARBALL"; fi
		die "$KTREE was made from ${have} but $asked asks for ${want}; to switch, export your work (make export), then remove the tree (rm -rf $KTREE) and run again"
	fi
	exit 0
fi
[ -e "$KTREE" ] && die "$KTREE exists but holds no base commit; remove it (rm -rf $KTREE) and run again"
mkdir -p "$BUILD"
want=$(wanted_source)

if [ -n "${KERNEL_SRC:-}" ]; then
	from_git "$KERNEL_SRC"
elif [ -n "${LINUX_TARBALL:-}" ]; then
	[ -f "$LINUX_TARBALL" ] || die "LINUX_TARBALL=$LINUX_TARBALL does not exist"
	from_tarball "$LINUX_TARBALL"
else
	[ -f "$DL_DIR/$BASE_TARBALL" ] || fetch_apt
	from_tarball "$DL_DIR/$BASE_TARBALL"
fi
echo "${want:-tarball}" >"$KTREE/.git/pci-ep-rr-source"
git -C "$KTREE" config user.name "$GIT_COMMITTER_NAME"
git -C "$KTREE" config user.email "$GIT_COMMITTER_EMAIL"
msg "base tree ready: $KTREE at $(tree_base)"
