#!/bin/sh
# make demo-stop: unmount the demo, stop its osslivefs, its emulator (and the
# emulator's nginx) and an ffmpeg it left publishing,
# remove $BUILD/demo.
#
#   BUILD=build sh contrib/demo-stop.sh
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DEMO=$BUILD/demo
MNT=$DEMO/mnt

say() { printf '%s\n' "$*"; }

. "$ROOT/contrib/demo-lib.sh"      # is_mounted, running, wait_until

# stop NAME PATTERN GRACE: end the process whose pid demo.sh recorded in
# NAME.pid, and only while its command line still contains PATTERN (pids are
# reused).  Give it GRACE tenths of a second to end by itself, then SIGTERM,
# then SIGKILL.
stop() {
	[ -s "$DEMO/$1.pid" ] || return 0
	pid=$(cat "$DEMO/$1.pid")
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || cmd=
	case $cmd in
	*"$2"*) ;;
	*)
		running "$pid" || say "demo-stop: $1 (pid $pid) has exited"
		return 0 ;;
	esac
	if ! wait_until "! running $pid" "$3"; then
		kill "$pid" 2>/dev/null || true
		wait_until "! running $pid" 100 || kill -9 "$pid" 2>/dev/null || true
	fi
	say "demo-stop: stopped $1 (pid $pid)"
}

if [ ! -d "$DEMO" ]; then
	say "demo-stop: no demo is running ($DEMO does not exist)"
	exit 0
fi

if is_mounted "$MNT"; then
	if ! fusermount3 -u "$MNT"; then
		say "demo-stop: $MNT is busy: leave it (cd) and close what uses it, then run make demo-stop again" >&2
		exit 1
	fi
	say "demo-stop: unmounted $MNT"
fi

# Unmounted, osslivefs ends by itself; the emulator stops its nginx.
stop ffmpeg ffmpeg 0
stop osslivefs "osslivefs demo-bucket $MNT " 50
stop emulator osslive_emulator.py 0

# Never remove anything through a live mount.
if is_mounted "$MNT"; then
	say "demo-stop: $MNT is still mounted; not removing $DEMO" >&2
	exit 1
fi
rm -rf "$DEMO"
say "demo-stop: removed $DEMO"
