#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# init (PID 1) of the UML end-to-end run, started by the /init of the
# initramfs run.sh builds (host directories mounted through hostfs). Binds
# pci-epf-test to the UML loopback endpoint controller through configfs,
# starts the link, waits for the host side (pci_endpoint_test) to probe,
# then runs the requested mode and powers off.
#
# Parameters come from the kernel command line (unknown key=value pairs are
# handed to init as environment variables):
#   e2e_out=DIR          directory for results (tap.txt, dmesg.txt, ...)
#   e2e_selftest=PATH    the pci_endpoint_test kselftest binary
#                        (both guest paths: run.sh mounts the host's
#                        results and selftest directories there)
#   e2e_mode=selftest|lifecycle|all
#   e2e_cycles=N         lifecycle cycles (default 100)
#   e2e_leak=PATH        a module that leaks on purpose, loaded before the
#                        final kmemleak scan (the check that kmemleak works)
#   e2e_args="..."       extra arguments for the selftest binary (filters);
#                        ',' stands for ' ' (the command line splits on spaces)

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

OUT=${e2e_out:?e2e_out not set}
BIN=${e2e_selftest:?e2e_selftest not set}
MODE=${e2e_mode:-selftest}
CYCLES=${e2e_cycles:-100}
ARGS=$(echo "${e2e_args:-}" | tr ',' ' ')

EPC=uml-pci-epc-loopback
CFS=/sys/kernel/config/pci_ep
FUNC=$CFS/functions/pci_epf_test/func1
CTRL=$CFS/controllers/$EPC
DEV=/dev/pci-endpoint-test.0
KMEMLEAK=/sys/kernel/debug/kmemleak

log() {
	echo "e2e-init: $*"
	echo "$*" >> "$OUT/init.log"
}

finish() {
	rc=$1
	sleep 0.2
	[ -n "${DMESG_PID:-}" ] && kill "$DMESG_PID"
	# the follower saw everything; a plain dump only has what the ring kept
	[ -s "$OUT/dmesg.txt" ] || dmesg > "$OUT/dmesg.txt" 2>&1
	echo "$rc" > "$OUT/result.txt"
	sync
	log "done rc=$rc"
	echo o > /proc/sysrq-trigger
	sleep 10
	# sysrq did not work: make the kernel panic so that UML exits
	exit "$rc"
}

# wait_for PRESENT|ABSENT PATH SECONDS
wait_for() {
	n=$(($3 * 20))
	while [ "$n" -gt 0 ]; do
		if [ "$1" = PRESENT ] && [ -e "$2" ]; then
			return 0
		fi
		if [ "$1" = ABSENT ] && [ ! -e "$2" ]; then
			return 0
		fi
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t configfs configfs /sys/kernel/config
mount -t debugfs debugfs /sys/kernel/debug
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev

: > "$OUT/init.log"

# Follow the kernel log from the start: a report early in a long run must
# not be lost when the ring buffer wraps.
dmesg -w > "$OUT/dmesg.txt" 2>&1 &
DMESG_PID=$!
log "booted after $(cut -d' ' -f1 /proc/uptime)s, mode=$MODE"

# forget what kmemleak found during boot: only what the run leaks counts
if [ -w $KMEMLEAK ]; then
	echo scan > $KMEMLEAK
	echo clear > $KMEMLEAK
fi

# The host driver logs the remote-resource table it reads with dev_dbg()
DDC=/sys/kernel/debug/dynamic_debug/control
[ -w $DDC ] && echo 'module pci_endpoint_test +p' > $DDC

setup_function() {
	mkdir "$FUNC" || return 1
	# TI DRA74x IDs: pci_endpoint_test binds with default_data
	echo 0x104c > "$FUNC/vendorid"
	echo 0xb500 > "$FUNC/deviceid"
	echo 1 > "$FUNC/msi_interrupts"
	echo 8 > "$FUNC/msix_interrupts"
}

bind() {
	ln -s "$FUNC" "$CTRL/" || return 1
}

unbind() {
	rm "$CTRL/func1" || return 1
}

start() {
	echo 1 > "$CTRL/start" || return 1
	wait_for PRESENT $DEV 10 || { log "host device did not appear"; return 1; }
}

stop() {
	echo 0 > "$CTRL/start" || return 1
	wait_for ABSENT $DEV 10 || { log "host device did not go away"; return 1; }
}

if [ ! -d "$CTRL" ]; then
	log "no $EPC endpoint controller in configfs"
	finish 2
fi

setup_function || finish 2
bind || finish 2
start || finish 2
log "host device up after $(cut -d' ' -f1 /proc/uptime)s"

rc=0

run_selftest() {
	log "selftest start at $(cut -d' ' -f1 /proc/uptime)s"
	# shellcheck disable=SC2086
	"$BIN" $ARGS > "$OUT/tap.txt" 2>&1
	src=$?
	log "selftest rc=$src at $(cut -d' ' -f1 /proc/uptime)s"
	[ "$src" -eq 0 ] || rc=1
}

# One quick functional check through the host driver: BAR0 and an MSI
quick_check() {
	"$BIN" -r pci_ep_bar.BAR0.BAR_TEST -r pci_ep_basic.MSI_TEST \
		> "$OUT/quick.txt" 2>&1
	grep -q '^not ok' "$OUT/quick.txt" && return 1
	grep -q '^ok ' "$OUT/quick.txt"
}

run_lifecycle() {
	log "lifecycle: $CYCLES cycles"
	i=1
	while [ "$i" -le "$CYCLES" ]; do
		# start/stop with the function bound
		stop || { log "cycle $i: stop failed"; rc=1; return; }
		start || { log "cycle $i: start failed"; rc=1; return; }
		# unbind/rebind with the link down
		stop || { log "cycle $i: stop failed"; rc=1; return; }
		unbind || { log "cycle $i: unbind failed"; rc=1; return; }
		bind || { log "cycle $i: bind failed"; rc=1; return; }
		start || { log "cycle $i: restart failed"; rc=1; return; }
		if [ $((i % 10)) -eq 0 ] || [ "$i" -eq 1 ]; then
			quick_check || { log "cycle $i: host check failed"; cat "$OUT/quick.txt"; rc=1; return; }
		fi
		i=$((i + 1))
	done
	log "lifecycle: $CYCLES cycles done"

	# A host access outside every mapping (cleared BAR, unmapped subrange,
	# past the end) is covered by the loopback's KUnit suite: unbinding the
	# function while the link is up, which would exercise it from here,
	# is a configfs usage error (WARN in pci_epc_epf_unlink()).
}

case "$MODE" in
selftest)
	run_selftest
	;;
lifecycle)
	run_lifecycle
	;;
all)
	run_selftest
	run_lifecycle
	;;
*)
	log "unknown mode $MODE"
	rc=2
	;;
esac

stop || rc=1
unbind || rc=1

if [ -n "${e2e_leak:-}" ]; then
	insmod "$e2e_leak" || { log "insmod $e2e_leak failed"; rc=1; }
fi
if [ -w $KMEMLEAK ]; then
	# kmemleak never reports an object younger than 5 s (MSECS_MIN_AGE):
	# let what the run allocated last age past that before scanning
	sleep 6
	echo scan > $KMEMLEAK
	echo scan > $KMEMLEAK
	cat $KMEMLEAK > "$OUT/kmemleak.txt"
fi

finish $rc
