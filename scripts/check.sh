#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# "make check": every check and test of the series, in stages. Each stage
# records its results (lib.sh record) and its start, end and duration
# ($STAGES); a failing stage does not stop the ones after it, except that
# nothing runs on a series that does not apply. summary.sh writes
# build/results.tap and build/results.xml; the last line printed is
# "N passed, N failed, N skipped" and the exit status is the verdict.
#
# CHECK_STEPS chooses stages (default: all of them, in this order).

. "$(dirname "$0")/lib.sh"
lock

S=$TOP/scripts
ALL_STEPS="lint export readme patches kunit qemu extra e2e"
rm -f "$RESULTS" "$STAGES"
rm -rf "$BUILD/logs/cases"
start=$SECONDS

steps=${CHECK_STEPS:-$ALL_STEPS}
bad=""
for s in $steps; do
	[[ " $ALL_STEPS " == *" $s "* ]] || bad="$bad $s"
done
if [ -n "$bad" ]; then
	STAGE=harness record FAIL "CHECK_STEPS names unknown steps:$bad" "the steps are: $ALL_STEPS"
	exec "$S/summary.sh"
fi
# step NAME CMD...: the stage NAME, if CHECK_STEPS has it
step() {
	[[ " $steps " == *" $1 "* ]] || return 0
	stage "$@" || true
}

# lint first: it needs no kernel tree. Its verdict depends only on the
# scripts and shellcheck: kept like the stages after "patches" (below).
if [[ " $steps " == *" lint "* ]]; then
	"$S/deps.sh" lint >/dev/null 2>&1 || true
	mkdir -p "$BUILD/logs"
	lint_key() {
		{ shellcheck --version 2>/dev/null || echo "no shellcheck"
		  (cd "$TOP" && sha256sum scripts/*.sh e2e/*.sh .ci/run .shellcheckrc 2>&1); } |
			sha256sum | cut -c1-32
	}
	cached_stage lint lint_key "$S/lint.sh" || true
fi

# apply.sh exits 3 when a tool is missing (deps.sh named it already)
applied() {
	local rc=0
	"$S/apply.sh" || rc=$?
	case $rc in
	0) record PASS "series applies with git am" ;;
	3) ;;
	*) record FAIL "series applies with git am" "see the messages above" ;;
	esac
	return $rc
}
# What the verdicts of the stages after "patches" depend on: what of the
# series' tree each stage reads (stage_key), the base, the harness
# (scripts/, config/, e2e/), the tools and the host's packages (the UML
# guest runs the host's /usr), the host kernel (UML runs on it), and every
# setting the stages read from the environment. A stage that passed with
# the same inputs is not run again (lib.sh cached_stage): after a change of
# commit messages only, or of how the changes are split into patches, they
# are all cached, and so are the stages whose builds read nothing a change
# touched.
common_inputs() {
	tree_base
	(cd "$TOP" && find scripts config e2e Makefile -type f ! -path '*/__pycache__/*' |
		LC_ALL=C sort | xargs sha256sum)
	for t in make gcc ld aarch64-linux-gnu-gcc qemu-system-aarch64 python3 \
		 sphinx-build perl; do
		version "$t" --version
	done
	sha256sum "$(command -v busybox || echo /bin/busybox)" 2>/dev/null || echo "no busybox"
	version ldd --version
	dpkg-query -W -f='${Package}=${Version}\n' 2>/dev/null | sha256sum || true
	uname -r
	# the settings: the harness's and e2e/run.sh's knobs, the compiler
	# and kbuild variables, make's flags but those of its jobs and output
	# (.ci/run's --no-print-directory, -s, -w)
	env | grep -E '^(E2E_[A-Z_]*|TIME_TRAVEL|PARALLEL|BOOT_TIMEOUT|BUILD_TIMEOUT|SELFTEST_ARGS|REMOTE_RESOURCES|EXTRA|BASE_SELFTEST|NO_BUILD|BUSYBOX|LEAK_MODULE|MODE|LAYOUTS|CYCLES|HOSTILE_ITERATIONS|REPORTS|KOUT|KCFLAGS|KCPPFLAGS|KAFLAGS|KBUILD_[A-Z_]*|LLVM|CC|CROSS_COMPILE|ARCH|O|W|C|CF)=' |
		LC_ALL=C sort || true
	echo "${MAKEFLAGS:-}" | tr ' ' '\n' | awk '
		/^(--)?$/ || /^-j[0-9]*$/ || /^--jobs(=.*)?$/ || /^--jobserver-/ { next }
		/^--(no-)?print-directory$/ || /^--(silent|quiet)$/ || /^-[sw]+$/ { next }
		# the first word: single-letter flags without a dash
		NR == 1 && !/^-/ && !/=/ { gsub(/[swj0-9]/, ""); if ($0 == "") next }
		{ print }' 
}
# stage_key NAME: the key of stage NAME. What of the tree it reads:
#   kunit, qemu  what the last build of its kernel read (lib.sh tree_inputs:
#                the tree but the C sources and headers the build did not
#                read)
#   extra        Documentation/, include/, tools/, scripts/, usr/, the
#                Makefiles and arch/x86/ headers headers_install reads, the
#                sources the documentation's kernel-doc directives name
#   e2e-*        what the last build of the UML kernel read, and include/,
#                tools/, scripts/, usr/, arch/x86/, arch/um/include/ (the
#                test programs and the hostile module are built against
#                them)
#   others       the whole tree
# No key (the stage is not cached) when what it reads cannot be told.
stage_key() {
	local t
	case $1 in
	kunit)	t=$(tree_inputs "$OUTDIR/uml") || return 1 ;;
	qemu)	t=$(tree_inputs "$OUTDIR/kunit-arm64") || return 1 ;;
	extra)	t=$(ktree_git rev-parse series:Documentation series:include series:tools \
			series:scripts series:usr series:Makefile series:arch/x86/Makefile \
			series:arch/x86/include series:arch/x86/entry/syscalls &&
		    { ktree_git grep -h -o -E 'kernel-doc:: *[^ ]+' series -- 'Documentation/*.rst' || true; } |
			awk '{ print $2 }' | LC_ALL=C sort -u |
			xargs -r git -C "$KTREE" ls-tree series --) || return 1 ;;
	e2e-*)	t=$(tree_inputs "$OUTDIR/uml" &&
		    ktree_git rev-parse series:include series:tools series:scripts series:usr \
			series:arch/x86 series:arch/um/include series:Makefile) || return 1 ;;
	*)	t=$(ktree_git rev-parse "series^{tree}") || return 1 ;;
	esac
	{ echo "$common"; echo "stage $1"; echo "$t"; } |
		tee "$BUILD/logs/stage-inputs-$1.txt" | sha256sum | cut -c1-32
}
# cstep NAME CMD...: a cached stage NAME, if CHECK_STEPS has it
cstep() {
	[[ " $steps " == *" $1 "* ]] || return 0
	if [ -n "$key" ]; then
		cached_stage "$1" stage_key "${@:2}" || true
	else
		stage "$@" || true
	fi
}

if stage apply applied; then
	step export "$S/export.sh" --check
	# readme reads only the tree's objects (its clones share them; it adds
	# unreferenced ones, the cut-down trees), never
	# its checkout: it runs while the walk checks out and builds, and its
	# output and results follow the walk's
	rpid=""
	if [[ " $steps " == *" readme "* ]] && [[ " $steps " == *" patches "* ]]; then
		rdir=$BUILD/logs/readme-stage
		rm -rf "$rdir"
		mkdir -p "$rdir"
		# the packages both need, before: two apt-get at once would clash
		"$S/deps.sh" base perl >/dev/null 2>&1 || true
		"$S/deps.sh" patches >/dev/null 2>&1 || true
		trap '[ -z "$rpid" ] || { pkill -TERM -P "$rpid"; kill "$rpid"; } 2>/dev/null' EXIT
		# shellcheck disable=SC2030 # its own results files, on purpose
		(export RESULTS=$rdir/results.tsv STAGES=$rdir/stages.tsv
		 step readme "$S/check-readme.sh") >"$rdir/out" 2>&1 &
		rpid=$!
	else
		step readme "$S/check-readme.sh"
	fi
	step patches "$S/check-patches.sh"
	if [ -n "$rpid" ]; then
		rrc=0
		wait "$rpid" || rrc=$?
		rpid=""
		cat "$rdir/out"
		# shellcheck disable=SC2031 # the main run's files, not the subshell's
		cat "$rdir/results.tsv" >>"$RESULTS" 2>/dev/null || true
		# shellcheck disable=SC2031
		cat "$rdir/stages.tsv" >>"$STAGES" 2>/dev/null || true
		if [ ! -s "$rdir/stages.tsv" ]; then
			STAGE=readme record FAIL "stage readme completes" "it ended (status $rrc) before recording its end; see $rdir/out"
		fi
	fi
	# the stages below build what is checked out: the series, unchanged
	# (the keys name what of its tree they read); and the tools are there (the key names
	# their versions)
	key=""
	if ktree_git checkout -q series &&
	   [ "$(ktree_git rev-parse "HEAD^{tree}")" = "$(ktree_git rev-parse "series^{tree}")" ] &&
	   [ -z "$(ktree_git status --porcelain --untracked-files=no)" ]; then
		for d in kunit qemu extra e2e; do
			[[ " $steps " != *" $d "* ]] || "$S/deps.sh" "$d" >/dev/null 2>&1 || true
		done
		mkdir -p "$BUILD/logs"
		common=$(common_inputs | tee "$BUILD/logs/stage-inputs.txt" | sha256sum | cut -c1-32)
		key=$common
	else
		STAGE=harness record FAIL "the kernel tree is on branch series, unchanged" \
			"$(ktree_git status --short | head -3 | tr '\n' ' ')"
	fi
	cstep kunit "$S/kunit.sh" um
	cstep qemu "$S/kunit.sh" arm64
	cstep extra "$S/check-extra.sh"
	if [[ " $steps " == *" e2e "* ]]; then
		steps="$steps e2e-selftest e2e-lifecycle e2e-hostile e2e-kmemleak"
		for m in selftest lifecycle hostile kmemleak; do
			cstep "e2e-$m" "$S/e2e.sh" "$m"
		done
	fi
fi

msg "make check took $((SECONDS - start)) s"
exec "$S/summary.sh"
