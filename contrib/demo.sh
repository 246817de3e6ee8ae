#!/bin/sh
# make demo: osslivefs against the local OSS emulator, no cloud account needed.
#
# Starts contrib/emulator/osslive_emulator.py --rtmp (with its private nginx)
# on free loopback ports, mounts it with osslivefs, creates a channel through
# the mount, publishes a real 15 s test stream to it with ffmpeg (the URL from
# `cat publish_url`), and shows what the files say.  Without nginx's RTMP
# module or ffmpeg it simulates the encoder through the emulator's control
# API instead.
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
SECONDS_PUSHED=15
FPS=25
FRAG=5                  # FragDuration of the channel mkdir makes (the default)
AK=demo-access-key-id
SK=demo-access-key-secret

say() { printf '%s\n' "$*"; }

. "$ROOT/contrib/demo-lib.sh"      # is_mounted, running, wait_until

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

# Real ingest needs nginx with the RTMP module and ffmpeg (make deps installs
# them as root).
RTMP=
if [ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ] && command -v ffmpeg >/dev/null &&
	{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
	RTMP=--rtmp
fi

# The emulator: its own session, so it outlives make; stdio away from make's.
# With --rtmp it runs a private nginx (stopped with it).
setsid "$PYTHON" "$ROOT/contrib/emulator/osslive_emulator.py" --host 127.0.0.1 \
	--port 0 --port-file "$DEMO/port" --bucket "$BUCKET" \
	--credentials "$AK:$SK" --data "$DEMO/data" $RTMP \
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
[ -z "$RTMP" ] || say "demo: its nginx takes RTMP on $(sed -n 's/^rtmp on //p' "$DEMO/emulator.out")"

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

# status of the channel, one key: "status" "video_bandwidth" ...
status_of() {
	sed -n "s/^$1 //p" "$MNT/$CHANNEL/status" 2>/dev/null
}

# An encoder: ffmpeg's test pattern and a 440 Hz tone, published in real
# time to the signed URL of publish_url, with a key frame every FragDuration
# seconds (-g), so that every segment lasts FragDuration.
publish() {
	ffmpeg -nostdin -hide_banner -loglevel error -re \
		-f lavfi -i "testsrc=size=640x480:rate=$FPS" \
		-f lavfi -i "sine=frequency=440:sample_rate=44100" -t "$SECONDS_PUSHED" \
		-c:v libx264 -preset veryfast -tune zerolatency -g $((FPS * FRAG)) \
		-c:a aac -f flv "$(cat "$MNT/$CHANNEL/publish_url")" \
		</dev/null >/dev/null 2>"$DEMO/ffmpeg.log" &
	echo $! >"$DEMO/ffmpeg.pid"
}

# What an encoder would cause, through the control API (no nginx or ffmpeg).
simulate() {
	control ingest/start "{\"channel\": \"$CHANNEL\", \"remote_addr\": \"192.0.2.10:51234\",
		\"video\": {\"width\": 640, \"height\": 480, \"frame_rate\": $FPS,
		\"bandwidth\": 1500000, \"codec\": \"H264\"},
		\"audio\": {\"bandwidth\": 64000, \"sample_rate\": 44100, \"codec\": \"AAC\"}}" ||
		fail "ingest/start failed"
	# Segments are stored once complete: the last one started 5 s ago.
	now=$(date +%s)
	for ago in 15 10 5; do
		control ingest/segment "{\"channel\": \"$CHANNEL\", \"duration\": $FRAG,
			\"time\": $((now - ago))}" || fail "ingest/segment failed"
	done
}

say ""
say "Tour (run in $MNT):"
show "ls"
show "ls $CHANNEL"
if [ -n "$RTMP" ]; then
	publish
	printf '\n  (an encoder publishes %s s to the URL in %s/publish_url:\n' \
		"$SECONDS_PUSHED" "$CHANNEL"
	printf '   ffmpeg -re -f lavfi -i testsrc ... -f flv "$(cat %s/publish_url)")\n' \
		"$CHANNEL"
	wait_until '[ "$(status_of status)" = live ]' 100 ||
		fail "the channel did not go live within 10 s: $(cat "$DEMO/ffmpeg.log")"
	# nginx measures bandwidth over 10 s: wait for its first figure.
	wait_until '[ "$(status_of video_bandwidth)" != "" ] && [ "$(status_of video_bandwidth)" != 0 ]' 130 || true
	show "cat $CHANNEL/status"
	show "ls $CHANNEL/vod"
	ffpid=$(cat "$DEMO/ffmpeg.pid")
	wait_until '! running $ffpid' 200 || fail "ffmpeg did not end"
	wait "$ffpid" || fail "ffmpeg failed: $(cat "$DEMO/ffmpeg.log")"
	rm -f "$DEMO/ffmpeg.pid"
	printf '\n  (the encoder stops; the last segment is stored a second later)\n'
	wait_until '[ "$(status_of status)" = idle ]' 50 || fail "the channel is still live"
	sleep 2         # the last segment, and a fresh listing of vod/ (cache_ttl)
else
	simulate
	printf '\n  (no nginx with the RTMP module or no ffmpeg here: the control API\n'
	printf '   plays an encoder that publishes three 5 s segments)\n'
	show "cat $CHANNEL/status"
	control ingest/stop "{\"channel\": \"$CHANNEL\"}" || fail "ingest/stop failed"
	printf '\n  (the encoder stops)\n'
fi
show "cat $CHANNEL/status"
show "cat $CHANNEL/history"
show "cat $CHANNEL/enabled"
show "cat $CHANNEL/play_url"
show "ls -l $CHANNEL/vod"
show "echo 'now-1h now' > $CHANNEL/vod/lasthour.m3u8"
show "cat $CHANNEL/vod/lasthour.m3u8"
[ -z "$RTMP" ] ||
	show "ffprobe -v error -show_entries format=duration -of default=nw=1 $CHANNEL/vod/lasthour.m3u8"

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
if [ -n "$RTMP" ]; then
	say "Publish yourself (OBS, or ffmpeg from a file or a camera; a key frame every"
	say "FragDuration seconds gives segments of FragDuration):"
	say "    ffmpeg -re -i INPUT -c:v libx264 -g 125 -c:a aac -f flv \"\$(cat $CHANNEL/publish_url)\""
else
	say "This emulator runs without nginx's RTMP module or ffmpeg: no encoder can"
	say "publish here (as root, make deps installs nginx-light libnginx-mod-rtmp ffmpeg)."
fi
say "The emulator's control API also checks a URL (/-/rtmp/verify) and plays an"
say "encoder (/-/ingest/start, /-/ingest/segment, /-/ingest/stop):"
say '    curl -d "{\"url\": \"$(cat '"$CHANNEL"'/publish_url)\"}" '"$URL/-/rtmp/verify"
command -v curl >/dev/null || say "(curl: apt-get install curl)"
say "(the emulator in full: $PYTHON $ROOT/contrib/emulator/osslive_emulator.py --help)"
say ""
say "The log of osslivefs (one line per failed operation, with why):"
say "    tail -f $DEMO/osslivefs.log"
say ""
say "Stop the demo (unmount, stop osslivefs and the emulator, remove $DEMO):"
say "    make demo-stop"
