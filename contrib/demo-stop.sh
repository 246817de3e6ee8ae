#!/bin/sh
# make demo-stop: unmount the demo, stop its emulator, remove $BUILD/demo.
#
#   BUILD=build sh contrib/demo-stop.sh
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DEMO=$BUILD/demo
MNT=$DEMO/mnt

say() { printf '%s\n' "$*"; }

if [ ! -d "$DEMO" ]; then
	say "demo-stop: no demo is running ($DEMO does not exist)"
	exit 0
fi

if grep -q " $MNT fuse" /proc/self/mounts; then
	if ! fusermount3 -u "$MNT"; then
		say "demo-stop: $MNT is busy: leave it (cd) and close what uses it, then run make demo-stop again" >&2
		exit 1
	fi
	say "demo-stop: unmounted $MNT"
fi

# Only the pid recorded by demo.sh, and only while it is still our emulator.
if [ -s "$DEMO/emulator.pid" ]; then
	pid=$(cat "$DEMO/emulator.pid")
	if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q osslive_emulator.py; then
		kill "$pid"
		tries=0
		while kill -0 "$pid" 2>/dev/null; do
			tries=$((tries + 1))
			if [ $tries -gt 100 ]; then
				kill -9 "$pid" 2>/dev/null || true
				break
			fi
			sleep 0.1
		done
		say "demo-stop: stopped the emulator (pid $pid)"
	fi
fi

# Never remove anything through a live mount.
if grep -q " $MNT fuse" /proc/self/mounts; then
	say "demo-stop: $MNT is still mounted; not removing $DEMO" >&2
	exit 1
fi
rm -rf "$DEMO"
say "demo-stop: removed $DEMO"
