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
# handed to init as environment variables); paths are the guest's (run.sh
# mounts the host's results and test-program directories there):
#   e2e_out=DIR          directory for results (see below)
#   e2e_selftest=PATH    the series' pci_endpoint kselftest
#   e2e_base_selftest=PATH  7.1.8's unmodified kselftest (empty: not run)
#   e2e_xfer=PATH        the transfer helper (e2e/xfer.c; empty: no
#                        throughput, fault injection or DMA checks)
#   e2e_hostile=PATH     the hostile-host module (e2e/hostile/, MODE hostile)
#   e2e_hostile_iterations=N   commands it sends (default 10000)
#   e2e_mode=selftest|lifecycle|hostile|all   (all: selftest, lifecycle)
#   e2e_layout=0|1       the loopback layout the kernel was booted with
#   e2e_rr=0|1           pci-epf-test's remote_resources (default 1)
#   e2e_extra=0|1        selftest: throughput and fault injection after the
#                        kselftests (default 1)
#   e2e_cycles=N         lifecycle cycles (default 100)
#   e2e_leak=PATH        a module that leaks on purpose, loaded before the
#                        final kmemleak scan (the check that kmemleak works)
#   e2e_args="..."       extra arguments for the kselftests (filters);
#                        ',' stands for ' ' (the command line splits on spaces)
#
# Results in e2e_out: series.tap.raw and base.tap.raw (the kselftests' TAP as
# they printed it; run.sh judges it), checks.txt (every other check, one
# "PASS|FAIL<tab>name<tab>detail" line), bench.txt, hostile.txt, init.log,
# dmesg.txt, kmemleak.txt, result.txt (init's exit status).

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
# the host's awk is an /etc/alternatives link, and the guest has no /etc
awk() {
	/busybox awk "$@"
}
# The host's programs are linked dynamically and read through hostfs: each
# run costs about three times what one of the initramfs's static busybox
# does (177 ms against 58 ms for a sleep under the debug kernel). The
# script runs these from busybox, which has every option used here (dmesg
# stays the host's: busybox's cannot follow the log).
for c in sleep ln rm cat sed grep tr sort od dd readlink; do
	eval "$c() { /busybox $c \"\$@\"; }"
done

OUT=${e2e_out:?e2e_out not set}
BIN=${e2e_selftest:?e2e_selftest not set}
BASE_BIN=${e2e_base_selftest:-}
XFER=${e2e_xfer:-}
HOSTILE=${e2e_hostile:-}
ITERATIONS=${e2e_hostile_iterations:-10000}
MODE=${e2e_mode:-selftest}
LAYOUT=${e2e_layout:-0}
RR=${e2e_rr:-1}
EXTRA=${e2e_extra:-1}
CYCLES=${e2e_cycles:-100}
ARGS=$(echo "${e2e_args:-}" | tr ',' ' ')

EPC=uml-pci-epc-loopback
CFS=/sys/kernel/config/pci_ep
FUNC=$CFS/functions/pci_epf_test/func1
CTRL=$CFS/controllers/$EPC
DEV=/dev/pci-endpoint-test.0
KMEMLEAK=/sys/kernel/debug/kmemleak
EPCDBG=/sys/kernel/debug/$EPC
PCIDRV=/sys/bus/pci/drivers
# the largest size the kselftest transfers
BIG=1024001

log() {
	echo "e2e-init: $*"
	echo "$*" >> "$OUT/init.log"
}

# check PASS|FAIL NAME [DETAIL]: one result for run.sh and the harness
check() {
	printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >> "$OUT/checks.txt"
	log "$1 $2${3:+ ($3)}"
}

uptime_s() {
	read -r up _ < /proc/uptime
	echo "$up"
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

# the timer interrupts so far (UML's IRQ 0, the periodic tick)
timer_ticks() {
	awk '$1 == "0:" { print $2; exit }' /proc/interrupts
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
: > "$OUT/checks.txt"

# Follow the kernel log from the start: a report early in a long run must
# not be lost when the ring buffer wraps.
dmesg -w > "$OUT/dmesg.txt" 2>&1 &
DMESG_PID=$!
log "booted after $(uptime_s)s, mode=$MODE, layout=$LAYOUT, remote_resources=$RR"

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
	# the administrator's consent to let the host reach the controller's
	# resources (remote-resource table, a doorbell that needs a BAR mapped
	# onto the eDMA registers); only before the function is bound
	echo "$RR" > "$FUNC/pci_epf_test.0/remote_resources" || return 1
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
log "host device up after $(uptime_s)s"

rc=0

# The kselftests: their TAP is judged by run.sh, which knows what the
# loopback cannot do (a failing case does not fail init).
run_kselftests() {
	log "series kselftest start at $(uptime_s)s"
	# shellcheck disable=SC2086
	"$BIN" $ARGS > "$OUT/series.tap.raw" 2>&1
	log "series kselftest exit $? at $(uptime_s)s"
	[ -n "$BASE_BIN" ] || return 0
	# shellcheck disable=SC2086
	"$BASE_BIN" $ARGS > "$OUT/base.tap.raw" 2>&1
	log "base kselftest exit $? at $(uptime_s)s"
}

# The host's sysfs directory of the test device
host_pdev() {
	readlink -f /sys/class/misc/pci-endpoint-test.0/device
}

# The number of kernel log lines so far; since MARK: the lines after it
# dmesg_mark prints a mark it wrote into the kernel log; dmesg_since MARK
# prints the log after it (all of it if the mark has left the ring buffer).
# A line count would not do: once the ring buffer is full, it stays put.
dmesg_mark() {
	m="e2e-mark-$(cat /proc/sys/kernel/random/uuid)"
	echo "$m" > /dev/kmsg
	echo "$m"
}

dmesg_since() {
	dmesg | awk -v m="$1" '{ l[NR] = $0 } index($0, m) { s = NR }
		END { for (i = s + 1; i <= NR; i++) print l[i] }'
}

# Throughput at the kselftest's largest size, dma next to memcpy: as the
# host sees it (its buffer setup and CRC included) and as pci-epf-test
# measures the transfer alone (its "Rate:" line; the host's READ is the
# endpoint's WRITE).
run_bench() {
	n=5
	for op in read write; do
		OP=$(echo $op | tr '[:lower:]' '[:upper:]')
		line="" st=PASS
		for m in dma memcpy; do
			mark=$(dmesg_mark)
			r=$("$XFER" $DEV $op $m $BIG $n 2>&1) || st=FAIL
			echo "host: $r" >> "$OUT/bench.txt"
			host=$(echo "$r" | sed -n 's/.* ok, \([0-9.]*\) MB\/s.*/\1/p')
			ep=$(dmesg_since "$mark" | awk -v big=$BIG '
				/pci_epf_test/ && $0 ~ "Size: " big " B" {
					r = $0; sub(/.*Rate: /, "", r); sub(/ .*/, "", r)
					sum += r; n++
				}
				END { if (n) printf "%.1f", sum / n / 1000 }')
			echo "endpoint: $op $m $BIG: ${ep:-?} MB/s (pci-epf-test, transfer alone)" >> "$OUT/bench.txt"
			line="$line, $m ${host:-?} MB/s (endpoint ${ep:-?} MB/s)"
		done
		check $st "throughput $OP $BIG B x$n, dma vs memcpy" "${line#, }"
	done
}

# cmd_bits OR|AND VALUE: change the host's PCI command register
cmd_bits() {
	cfg=$(host_pdev)/config
	# shellcheck disable=SC2046 # the two bytes, as two words
	set -- "$1" "$2" $(od -An -tu1 -j4 -N2 "$cfg")
	if [ "$1" = OR ]; then v=$(($3 | $2)); else v=$(($3 & $2)); fi
	printf '%b' "\\0$(printf %03o "$v")\\0$(printf %03o "$4")" |
		dd of="$cfg" bs=1 seek=4 count=2 conv=notrunc 2>/dev/null
}

# fault NAME OP ABORT [IRQ]: one 4 KiB DMA transfer with the fault armed
# (by the caller) must fail, and pci-epf-test must report it failed: the
# host's ioctl ends with EIO (the endpoint answered with a failure status;
# ETIMEDOUT would be the host giving up), pci-epf-test logged the failed or
# timed-out DMA transfer, and with ABORT=1 the eDMA aborted the channel.
fault() {
	a0=$(cat $EPCDBG/edma_aborts)
	mark=$(dmesg_mark)
	r=$("$XFER" $DEV "$2" dma 4096 1 "${4:-auto}" 2>&1)
	a1=$(cat $EPCDBG/edma_aborts)
	host=$(echo "$r" | sed -n 's/.*first error //p')
	ep=$(dmesg_since "$mark" | grep -oE 'pci_epf_test[^:]*: (DMA transfer failed|DMA transfer timed out|Data transfer failed)' |
	     sed 's/.*: //' | sort -u | tr '\n' ',' | sed 's/,$//')
	st=PASS
	[ "$host" = EIO ] || st=FAIL
	[ -n "$ep" ] || st=FAIL
	[ "$3" = 0 ] || [ "$a1" -gt "$a0" ] || st=FAIL
	check $st "fault $1: pci-epf-test reports the failed transfer" \
		"host ioctl: ${host:-$r}; pci-epf-test: ${ep:-nothing logged}; eDMA aborts +$((a1 - a0))"
}

run_faults() {
	[ -d $EPCDBG ] || { check FAIL "fault injection" "no $EPCDBG"; return; }
	# bus mastering off: the engine must not reach host memory (and
	# completion comes by INTx: an MSI is a memory write too)
	cmd_bits AND 0xfb
	fault "bus mastering off (READ)" read 1 intx
	cmd_bits OR 4
	echo 2 > $EPCDBG/edma_fail_next
	fault "bad linked-list pointer (WRITE)" write 1
	echo 1 > $EPCDBG/edma_fail_next
	fault "address outside what was mapped (READ)" read 1
	echo 0 > $EPCDBG/edma_fail_next
	dma_works "after the aborted transfers"
	echo 3 > $EPCDBG/edma_fail_next
	fault "never completes (WRITE)" write 0
	echo 0 > $EPCDBG/edma_fail_next
	dma_refused "after the transfer that never completed" \
		"DMA refused as not supported while the timed-out transfer's buffers are kept, memcpy works"
	# Releasing the channels gives the kept buffers back. The hung channel
	# stays busy: dw-edma cannot stop it, and dw_edma_alloc_chan_resources()
	# refuses it until the eDMA is probed again, so pci-epf-test finds no
	# DMA channel and still answers DMA as not supported.
	if ! { stop && unbind && bind && start; }; then
		check FAIL "fault injection: rebind after the hang" "stop, unbind, bind or start failed"
		return
	fi
	dma_refused "after the function was rebound" \
		"the hung channel stays busy (dw-edma cannot stop it) and its memory is kept for good: DMA still not supported, memcpy works"
}

# dma_refused WHEN WHAT: a DMA transfer is answered as not supported (the
# host sees EOPNOTSUPP) and memcpy transfers work
dma_refused() {
	ok=PASS
	r1=$("$XFER" $DEV read dma 4096 1 2>&1) && ok=FAIL
	case $r1 in *"first error EOPNOTSUPP"*) ;; *) ok=FAIL ;; esac
	r2=$("$XFER" $DEV read memcpy 4096 3 2>&1) || ok=FAIL
	check $ok "$1: $2" "$r1; $r2"
}

# dma_works WHEN: DMA transfers in both directions succeed again
dma_works() {
	ok=PASS
	r1=$("$XFER" $DEV read dma 4096 3 2>&1) || ok=FAIL
	r2=$("$XFER" $DEV write dma 4096 3 2>&1) || ok=FAIL
	check $ok "$1: DMA transfers in both directions work again" "$r1; $r2"
}

# A quick check through the host driver: BAR0, an MSI, and a DMA transfer
quick_check() {
	"$BIN" -r pci_ep_bar.BAR0.BAR_TEST -r pci_ep_basic.MSI_TEST \
		> "$OUT/quick.txt" 2>&1
	grep -q '^not ok' "$OUT/quick.txt" && return 1
	grep -q '^ok ' "$OUT/quick.txt" || return 1
	[ -z "$XFER" ] || "$XFER" $DEV read dma 4096 1 >> "$OUT/quick.txt" 2>&1
}

# surprise 0|1: make the next link downs orderly or surprise ones
surprise() {
	[ -w $EPCDBG/surprise_link_down ] || return 1
	echo "$1" > $EPCDBG/surprise_link_down
}

# Each cycle: an orderly link down and up with the function bound, then a
# surprise link down (the slot goes dark before the host notices) and,
# with the link down, unbind and rebind the function before the link up.
run_lifecycle() {
	log "lifecycle: $CYCLES cycles at $(uptime_s)s"
	t0=$(uptime_s)
	i=1
	while [ "$i" -le "$CYCLES" ]; do
		stop || { why="cycle $i: orderly stop failed"; break; }
		start || { why="cycle $i: start failed"; break; }
		surprise 1 || { why="no surprise_link_down knob"; break; }
		stop || { why="cycle $i: surprise stop failed"; break; }
		surprise 0
		unbind || { why="cycle $i: unbind failed"; break; }
		bind || { why="cycle $i: bind failed"; break; }
		start || { why="cycle $i: restart failed"; break; }
		if [ $((i % 10)) -eq 0 ] || [ "$i" -eq 1 ]; then
			quick_check || { why="cycle $i: host check failed: $(grep -m1 -e '^not ok' -e 'first error' "$OUT/quick.txt")"; break; }
		fi
		i=$((i + 1))
	done
	secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.0f", b - a }')
	if [ "$i" -gt "$CYCLES" ]; then
		check PASS "lifecycle: $CYCLES cycles of orderly and surprise link down, unbind and rebind" \
			"${secs}s; BAR0, MSI and DMA checked every 10 cycles"
	else
		check FAIL "lifecycle: $CYCLES cycles of orderly and surprise link down, unbind and rebind" "$why"
		rc=1
	fi
}

# hostile_bind ITERATIONS: the hostile host in place of pci_endpoint_test;
# its probe does the work. Then pci_endpoint_test again.
hostile_bind() {
	bdf=$(basename "$(host_pdev)")
	echo "$bdf" > $PCIDRV/pci-endpoint-test/unbind || return 1
	echo pci_epf_test_hostile > "/sys/bus/pci/devices/$bdf/driver_override"
	insmod "$HOSTILE" iterations="$1" || { log "insmod $HOSTILE failed"; return 1; }
	hrc=0
	[ -e "$PCIDRV/pci_epf_test_hostile/$bdf" ] || { log "the hostile host did not bind"; hrc=1; }
	[ "$hrc" = 1 ] || echo "$bdf" > $PCIDRV/pci_epf_test_hostile/unbind
	rmmod pci_epf_test_hostile || hrc=1
	echo > "/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	wait_for PRESENT $DEV 10 || { log "pci_endpoint_test did not come back"; return 1; }
	return $hrc
}

# A hostile host, then the normal kselftests in the same boot; after them
# no BAR may still map the controller's resources.
run_hostile() {
	[ -n "$HOSTILE" ] || { check FAIL "hostile host" "no module"; rc=1; return; }
	log "hostile: $ITERATIONS commands at $(uptime_s)s"
	t0=$(uptime_s)
	mark=$(dmesg_mark)
	hostile_bind "$ITERATIONS" || rc=1
	secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.0f", b - a }')
	dmesg_since "$mark" | sed -n 's/.*pci_epf_test_hostile [^ ]*: hostile: //p' > "$OUT/hostile.txt"
	sum=$(grep ' iterations: ' "$OUT/hostile.txt")
	st=FAIL
	echo "$sum" | grep -q ' (\([0-9]*\) answered, 0 unanswered.*, 0 not picked up' && st=PASS
	check $st "hostile host: $ITERATIONS iterations of random and boundary register values, every command taken and answered" \
		"${secs}s; ${sum:-no summary}"
	run_kselftests
	mark=$(dmesg_mark)
	hostile_bind 0 || rc=1
	st=$(dmesg_since "$mark" | sed -n 's/.*hostile: state now: //p')
	dmesg_since "$mark" | sed -n 's/.*pci_epf_test_hostile [^ ]*: hostile: //p' >> "$OUT/hostile.txt"
	case $st in
	*": nothing mapped") check PASS "hostile host: nothing left mapped after the kselftests" "$st" ;;
	*) check FAIL "hostile host: nothing left mapped after the kselftests" "${st:-no state}" ;;
	esac
}

run_selftest() {
	run_kselftests
	[ "$EXTRA" = 1 ] && [ -n "$XFER" ] || return 0
	run_bench
	r=$("$XFER" $DEV unknown-ioctl 2>&1) && st=PASS || st=FAIL
	check "$st" "host driver: an unknown ioctl ends with ENOTTY" "$r"
	run_faults
}

case "$MODE" in
selftest)
	run_selftest
	;;
lifecycle)
	run_lifecycle
	;;
hostile)
	run_hostile
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
	# kmemleak never reports an object younger than 5 s of jiffies
	# (MSECS_MIN_AGE): let what the run allocated last age past that
	# before scanning. The periodic tick (HZ=100 on UML) advances jiffies
	# and counts as timer interrupts, so wait for 600 of them rather than
	# for 6 s: under the time-travel clock the tick lags the clock (about
	# 60 a second were measured). At most 120 s of the guest's clock.
	ticks0=$(timer_ticks)
	n=120
	while [ "$n" -gt 0 ] && [ $(($(timer_ticks) - ticks0)) -lt 600 ]; do
		sleep 1
		n=$((n - 1))
	done
	[ "$n" -gt 0 ] || log "kmemleak: 600 ticks did not pass in 120 s (ticks: $ticks0 -> $(timer_ticks))"
	echo scan > $KMEMLEAK
	echo scan > $KMEMLEAK
	cat $KMEMLEAK > "$OUT/kmemleak.txt"
fi

finish $rc
