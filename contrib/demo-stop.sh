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

# /proc/self/mounts writes a space in a path as \040.
is_mounted() {
	grep -qF " $(printf '%s' "$1" | sed 's/ /\\040/g') fuse" /proc/self/mounts
}

# True while the process exists and is not a zombie.
running() {
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) && [ "$state" != Z ]
}

# Wait up to $2 tenths of a second for pid $1 to end.
wait_end() {
	tries=0
	while running "$1"; do
		tries=$((tries + 1))
		[ $tries -le "$2" ] || return 1
		sleep 0.1
	done
}

# stop NAME PATTERN GRACE: end the process whose pid demo.sh recorded in
# NAME.pid, and only while its command line still contains PATTERN (pids are
# reused).  Give it GRACE tenths of a second to end by itself, then SIGTERM,
# then SIGKILL.
stop() {
	[ -s "$DEMO/$1.pid" ] || return 0
	pid=$(cat "$DEMO/$1.pid")
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || cmd=
	case $cmd in
	*"$2"*) ;;
	*)
		running "$pid" || say "demo-stop: $1 (pid $pid) had ended"
		return 0 ;;
	esac
	if ! wait_end "$pid" "$3"; then
		kill "$pid" 2>/dev/null || true
		wait_end "$pid" 100 || kill -9 "$pid" 2>/dev/null || true
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
