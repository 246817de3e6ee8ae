#!/bin/sh
# make demo: osslivefs against the local OSS emulator, no cloud account needed.
#
# Starts contrib/emulator/osslive_emulator.py on a free loopback port, mounts
# it with osslivefs, creates a channel through the mount, simulates a short
# ingest through the emulator's control API, and shows what the files say.
# osslivefs runs in the foreground of its own session with its log in
# $BUILD/demo/osslivefs.log: in the background it would log to syslog, which
# a fresh machine or a container often lacks.  Everything it leaves running is
# recorded under $BUILD/demo/ (*.pid) so that contrib/demo-stop.sh
# (make demo-stop) can end exactly that.
#
#   BUILD=build sh contrib/demo.sh
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/osslivefs
DEMO=$BUILD/demo
MNT=$DEMO/mnt
PYTHON=/usr/bin/python3
BUCKET=demo-bucket
CHANNEL=demo
AK=demo-access-key-id
SK=demo-access-key-secret

say() { printf '%s\n' "$*"; }

# /proc/self/mounts writes a space in a path as \040.
is_mounted() {
	grep -qF " $(printf '%s' "$1" | sed 's/ /\\040/g') fuse" /proc/self/mounts
}

# True while the process exists and is not a zombie.
running() {
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) && [ "$state" != Z ]
}

# POST one JSON body to the emulator's control API (curl may be missing on a
# fresh machine; python3 is not).
control() {
	"$PYTHON" - "$URL/-/$1" "$2" <<'EOF'
import sys
import urllib.request

req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(),
                             headers={"Content-Type": "application/json"},
                             method="POST")
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()
except urllib.error.HTTPError as e:
    sys.exit("emulator: %s answered %d: %s"
             % (sys.argv[1], e.code, e.read().decode(errors="replace")))
EOF
}

# Show a command as the user would type it in $MNT, run it there, show its
# output; a failing command ends the demo.
show() {
	printf '\n  $ %s\n' "$*"
	rc=0
	(cd "$MNT" && sh -c "$*") >"$DEMO/out" 2>&1 || rc=$?
	sed 's/^/    /' "$DEMO/out"
	[ $rc -eq 0 ] || fail "'$*' failed with status $rc"
}

fail() {
	say "demo: $*" >&2
	if [ -s "$DEMO/emulator.log" ]; then
		say "demo: the emulator's log ($DEMO/emulator.log) ends with:" >&2
		tail -n 5 "$DEMO/emulator.log" | sed 's/^/    /' >&2
	fi
	if [ -s "$DEMO/osslivefs.log" ]; then
		say "demo: the log of osslivefs ($DEMO/osslivefs.log) ends with:" >&2
		tail -n 5 "$DEMO/osslivefs.log" | sed 's/^/    /' >&2
	fi
	sh "$ROOT/contrib/demo-stop.sh" >/dev/null 2>&1 || true
	exit 1
}

[ -x "$BIN" ] || { say "demo: $BIN is missing: run make first" >&2; exit 1; }
[ -e /dev/fuse ] || { say "demo: /dev/fuse is missing: this machine cannot mount FUSE filesystems" >&2; exit 1; }

if [ -d "$DEMO" ]; then
	say "demo: stopping the previous demo first"
	sh "$ROOT/contrib/demo-stop.sh" || exit 1
fi
mkdir -p "$DEMO/data" "$MNT"
printf '%s:%s\n' "$AK" "$SK" >"$DEMO/passwd"
chmod 600 "$DEMO/passwd"

# The emulator: its own session, so it outlives make; stdio away from make's.
setsid "$PYTHON" "$ROOT/contrib/emulator/osslive_emulator.py" --host 127.0.0.1 \
	--port 0 --port-file "$DEMO/port" --bucket "$BUCKET" \
	--credentials "$AK:$SK" --data "$DEMO/data" \
	</dev/null >"$DEMO/emulator.out" 2>"$DEMO/emulator.log" &
echo $! >"$DEMO/emulator.pid"

# The port file appears (atomically) once the socket accepts connections.
tries=0
while [ ! -s "$DEMO/port" ]; do
	running "$(cat "$DEMO/emulator.pid")" || fail "the emulator exited"
	tries=$((tries + 1))
	[ $tries -le 300 ] || fail "the emulator did not start within 30 s"
	sleep 0.1
done
PORT=$(cat "$DEMO/port")
URL=http://127.0.0.1:$PORT
say "demo: OSS emulator for bucket $BUCKET listening on $URL (pid $(cat "$DEMO/emulator.pid"))"

# osslivefs in the foreground of its own session, so that it outlives make
# and its log goes to a file, not to a syslog that may not exist (appending:
# a user who empties the file gets no hole).  It checks options, credentials
# and one signed request, then mounts; if any of that fails it exits with the
# reason in its log.
setsid "$BIN" "$BUCKET" "$MNT" -f \
	-o "url=$URL,region=cn-hangzhou,passwd_file=$DEMO/passwd" \
	</dev/null >/dev/null 2>>"$DEMO/osslivefs.log" &
echo $! >"$DEMO/osslivefs.pid"

tries=0
until is_mounted "$MNT"; do
	running "$(cat "$DEMO/osslivefs.pid")" ||
		fail "osslivefs exited without mounting"
	tries=$((tries + 1))
	[ $tries -le 300 ] || fail "osslivefs did not mount within 30 s"
	sleep 0.1
done
say "demo: mounted $BUCKET on $MNT (osslivefs pid $(cat "$DEMO/osslivefs.pid"), log $DEMO/osslivefs.log)"

mkdir "$MNT/$CHANNEL" || fail "mkdir $MNT/$CHANNEL failed"
say "demo: created the channel $CHANNEL (mkdir, i.e. PutLiveChannel)"

# A short ingest: what an encoder pushing RTMP to publish_url would cause.
control ingest/start "{\"channel\": \"$CHANNEL\", \"remote_addr\": \"192.0.2.10:51234\",
	\"video\": {\"width\": 1280, \"height\": 720, \"frame_rate\": 25,
	\"bandwidth\": 1500000, \"codec\": \"H264\"},
	\"audio\": {\"bandwidth\": 64000, \"sample_rate\": 44100, \"codec\": \"AAC\"}}" ||
	fail "ingest/start failed"
# Segments are stored once complete: the last one started 5 s ago.
now=$(date +%s)
for ago in 15 10 5; do
	control ingest/segment "{\"channel\": \"$CHANNEL\", \"duration\": 5,
		\"time\": $((now - ago))}" || fail "ingest/segment failed"
done
say "demo: simulated an ingest into $CHANNEL: 3 segments of 5 s"

say ""
say "Tour (run in $MNT):"
show "ls"
show "ls $CHANNEL"
show "cat $CHANNEL/status"
control ingest/stop "{\"channel\": \"$CHANNEL\"}" || fail "ingest/stop failed"
printf '\n  (the encoder stops)\n'
show "cat $CHANNEL/status"
show "cat $CHANNEL/history"
show "cat $CHANNEL/enabled"
show "cat $CHANNEL/play_url"
show "ls $CHANNEL/vod"
show "echo 'now-1h now' > $CHANNEL/vod/lasthour.m3u8"
show "cat $CHANNEL/vod/lasthour.m3u8"

# A suggestion: the command, then its comment in one column.
try() {
	printf '    %-34s # %s\n' "$1" "$2"
}

say ""
say "Try more yourself:"
say "    cd $MNT"
try "cat $CHANNEL/config.xml" "the channel's configuration"
try "echo 0 > $CHANNEL/enabled" "disable the channel (PutLiveChannelStatus)"
try "echo maybe > $CHANNEL/enabled" "Invalid argument: the log says why"
try "mkdir news; rmdir news" "create and delete a channel"
try "ffprobe $CHANNEL/vod/lasthour.m3u8" "the VOD playlist plays through the mount"
try "cat $CHANNEL/publish_url" "the signed RTMP URL for an encoder"
try "cat .osslivefs/channels" "every channel at a glance"
try "cat .osslivefs/metrics.prom" "the same, and the mount's counters"
say ""
say "The emulator has no RTMP server: no encoder can publish to publish_url here."
say "Its control API checks the URL (/-/rtmp/verify) and plays the encoder"
say "(/-/ingest/start, /-/ingest/segment, /-/ingest/stop), as this demo did:"
say '    curl -d "{\"url\": \"$(cat '"$CHANNEL"'/publish_url)\"}" '"$URL/-/rtmp/verify"
say "    curl -d '{\"channel\": \"$CHANNEL\"}' $URL/-/ingest/start"
say "(curl: apt-get install curl; the control API in full: $PYTHON"
say " $ROOT/contrib/emulator/osslive_emulator.py --help)"
say ""
say "The log of osslivefs (one line per failed operation, with why):"
say "    tail -f $DEMO/osslivefs.log"
say ""
say "Stop the demo (unmount, stop osslivefs and the emulator, remove $DEMO):"
say "    make demo-stop"
