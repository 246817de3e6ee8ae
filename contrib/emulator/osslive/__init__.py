"""A local emulator of the Alibaba Cloud OSS LiveChannel API (and the object calls around it).

Python 3 standard library only.  Run it with Debian's interpreter:

    /usr/bin/python3 contrib/emulator/osslive_emulator.py --port 0 --bucket NAME \\
        --credentials AK:SK[:TOKEN][,...] --data DIR [--region cn-hangzhou] [--port-file FILE]
        [--rtmp] [--public-read]

The first line on stdout, printed once the socket accepts connections, is
``listening on http://HOST:PORT``; with ``--rtmp`` the second, written with it, is
``rtmp on rtmp://127.0.0.1:PORT/live``.  Nothing else is written to stdout; ``-v`` logs one
line per request on stderr.  SIGTERM and SIGINT stop it cleanly (exit status 0), with its
nginx.

What it implements (see /work/shared/spec/oss-livechannel-api.md for the protocol facts):

* The nine LiveChannel operations: PutLiveChannel, PutLiveChannelStatus, GetLiveChannelInfo,
  GetLiveChannelStat, GetLiveChannelHistory, ListLiveChannel, DeleteLiveChannel,
  PostVodPlaylist, GetVodPlaylist; element names and order as OSS, defaults materialised,
  204 for deletes, the error table of spec section 6 with OSS error bodies.
* The object calls: ListObjects (prefix, delimiter, marker, max-keys, encoding-type=url),
  GetObject (Range; an invalid range is ignored and the whole object returned with 200, unless
  ``x-oss-range-behavior: standard``), HeadObject, PutObject (Content-MD5 checked), DeleteObject
  (204 even when missing).
* Authentication like OSS: V1 (HMAC-SHA1) and V4 (OSS4-HMAC-SHA256) header signatures, V1
  presigned URLs, STS tokens.  Anonymous requests get 403 AccessDenied.  A key given with a
  TOKEN is an STS key: its requests must carry exactly that ``x-oss-security-token`` (403
  InvalidSecurityToken otherwise); a key given without a token refuses requests that carry one
  (403 InvalidSecurityToken).  A bad signature gives 403 SignatureDoesNotMatch with the expected
  StringToSign (and, for V4, the CanonicalRequest) in the body.  The V4 scope must name the
  emulator's region.  Tolerances (all legitimate SDK renderings): ``?live`` and ``?live=``; in V4
  an empty ordinary parameter signed either as ``k`` or as ``k=`` (ali-oss); in V1 the reduced
  sub-resource set of the go-sdk-v2 fork, ``x-oss-*`` query parameters, and ``/bucket`` without
  the trailing slash for bucket-level path-style requests (C SDK).
* Clock skew: by default a request whose date is more than 15 minutes away from the emulator's
  clock gets 403 RequestTimeTooSkewed.  ``--no-clock-check`` turns that off (needed to replay
  captured requests).

Addressing.  ``Host: <bucket>.<anything>`` (for example ``testbucket.localhost:PORT``) is
virtual-hosted style when ``<bucket>`` is a bucket served here; otherwise the first path segment
names the bucket (path style, ``/<bucket>/<key>``).  A host that is neither (a DNS name whose first
label is not served and whose path does not start with a served bucket) is taken as virtual-hosted
for an unknown bucket: 404 NoSuchBucket.  Paths are percent-decoded as UTF-8, so channel names
with spaces, ``+``, ``~``, ``*`` or non-ASCII characters work, and ``%2F`` in a key is a ``/``.

URLs in PutLiveChannel and ListLiveChannel answers are built from the request's Host header, with
the channel and playlist names percent-encoded (RFC 3986 unreserved characters kept):

* virtual-hosted (Host ``b.h``): ``rtmp://b.h/live/<ch>`` and ``http://b.h/<ch>/<PlaylistName>``;
* path style (Host ``h``): ``rtmp://h/live/<ch>`` and ``http://h/<bucket>/<ch>/<PlaylistName>``.

Without ``--rtmp`` the RTMP URL carries the emulator's HTTP host and port and nothing listens
there; with ``--rtmp`` it is ``rtmp://127.0.0.1:PORT/live/<ch>``, the RTMP server below.

Real RTMP ingest (``--rtmp``).  The emulator runs a private nginx with the RTMP module (Debian
``nginx-light`` and ``libnginx-mod-rtmp``; without them ``--rtmp`` fails at once, naming them)
on free ports of 127.0.0.1, prefix ``DATA/.rtmp/``, stopped with the emulator.  An encoder
publishes to the signed ``publish_url``; nginx's on_publish asks the emulator, which refuses the
stream (403) unless OSS would take it: a valid, unexpired RTMP signature (as
``/-/rtmp/verify``; a URL that names no bucket is for the served bucket whose key signed it), an
existing enabled channel, no other publisher.  The channel is then Live: ConnectedTime, the
publisher's ip:port, and every 0.5 s the Video and Audio figures of nginx's ``/stat`` (width,
height, frame rate, codecs, sample rate; Bandwidth is nginx's 10 s average, 0 at first).
on_publish_done ends the session with a history record.  nginx cuts HLS at every key frame;
the emulator joins those pieces into segments ``<ch>/<ms>.ts`` (named for the wall clock when
the first piece began) at the first key frame once a segment holds FragDuration (less 0.25 s
or a tenth of it, for timestamp rounding), with their real durations, and rewrites the live
playlist to the last FragCount of them.  So with a key frame every FragDuration seconds
(``ffmpeg -g`` = fps x FragDuration) segments last FragDuration to within a frame; with other
key frame intervals, FragDuration rounded up to the next key frame, as OSS cuts them.  The last
segment, shorter, is stored about 1 s after the publisher leaves.  Disabling a Live channel
ends the session and drops the publisher (nginx ``rtmp_control``) at once.

Public read (``--public-read``).  The buckets' ACL is public-read: anonymous (unsigned)
GetObject, HeadObject and ListObjects are allowed, so an HLS player opens a PlayUrl; every
other anonymous request is 403 AccessDenied, and signed requests are verified as always.

Channel state.  Stat is ``Disabled`` when the config status is disabled, ``Live`` while an ingest
session runs (control API below, or nginx on_publish), ``Idle`` otherwise.  PutLiveChannel on an
existing idle channel overwrites its configuration and keeps its history and segments; while
Live it gives 409 ChannelStillLive, as does DeleteLiveChannel.  PutLiveChannelStatus ``disabled``
on a Live channel ends the session at once (OSS drops the publisher after about 10 s) and adds a
history record; ``enabled`` while Live gives 409 ChannelStillLive.  History keeps the last 10
sessions.  PostVodPlaylist/GetVodPlaylist on a missing channel answer 400 InvalidArgument "No ts
file found in specified time span." (what the real service answered ali-oss); segment objects
deleted with DeleteObject are left out of VOD playlists.

Persistence.  Under ``--data DIR``: ``DIR/<bucket>/channels/<quoted name>.json`` (config, live
session, history, segment records) and ``DIR/<bucket>/objects/k-<quoted key>`` (the object's
bytes) with ``.meta`` (JSON: key, ETag, mtime, Content-Type) beside it (keys longer than 180
quoted characters are stored under ``h-<sha256>``).  A restart loses nothing.

Control API under ``/-/`` (loopback clients only, unsigned, JSON in and out; ``bucket`` may be
left out when one bucket is served):

* ``POST /-/ingest/start`` ``{"bucket","channel","remote_addr":"ip:port","playlist_name",
  "video":{"width","height","frame_rate","bandwidth","codec"},
  "audio":{"bandwidth","sample_rate","codec"}}``: the channel is Live (404 when missing, 409 when
  disabled or already live).
* ``POST /-/ingest/segment`` ``{"bucket","channel","duration":SECONDS,"time":UNIX_SECONDS}``
  (duration defaults to FragDuration, time to now): writes a real MPEG-TS object
  ``<ch>/<unix-ms>.ts`` (a copy of ``sample.ts`` next to this file, whatever the duration),
  records its start and duration, and rewrites the live playlist ``<ch>/<PlaylistName>`` to the
  last FragCount segments (no ENDLIST).  Works whether or not the channel is Live.
  Answer: ``{"key","etag","time","duration"}``.
* ``POST /-/ingest/stop`` ``{"bucket","channel"}``: Idle again, one history record (409 when not
  Live).
* ``POST /-/faults`` ``{"count":N,"method":"GET","subresource":"live","operation":"GetObject",
  "status":503,"code":"...","message":"...","delay":SECONDS,"reset":false,
  "body":"garbage"|"truncated"}``: the next N OSS requests that match (every given matcher:
  method, a query key present -- ``"subresource": ""`` means none of live/vod/comp/status --
  and operation name) misbehave: ``delay`` sleeps first; ``reset`` drops the connection with a TCP
  RST without doing anything; ``status`` answers that status with an OSS error body without doing
  anything; ``body`` performs the request but sends garbage (same length) or only half of the
  body then closes the connection.  ``GET /-/faults`` lists the pending faults,
  ``POST /-/faults/clear`` removes them.
* ``POST /-/latency`` ``{"ms":N,"window":BYTES}``: N ms added to every OSS request; with a
  window, an object's body is sent one window a round trip (N ms), as TCP does over a link
  with that latency (0, the default: no limit after the first round trip).
* ``GET /-/stats`` -> ``{"ListLiveChannel": 3, "GetObject": 1, ...}``: every OSS request that
  reached the handler, counted by operation name whatever its outcome (bad signatures and
  injected faults included); ``POST /-/stats/reset`` zeroes the counters.
* ``POST /-/rtmp/verify`` ``{"url":"rtmp://..."}`` -> 200 ``{"ok":true,"bucket","channel"}`` or
  403 ``{"ok":false,"reason":...}``: the OSS RTMP publish-URL signature (spec 9.6, with
  playlistName when present; security-token accepted signed or unsigned), a known
  OSSAccessKeyId, Expires not past, and the channel existing and enabled.
* ``POST /-/rtmp/on_publish`` and ``/-/rtmp/on_publish_done`` accept nginx-rtmp's form-encoded
  callbacks (``name`` = channel, the URL query in ``args`` or as extra fields): on_publish checks
  the URL like verify (and that the channel is not already Live) and starts a session,
  on_publish_done stops it.  With ``--rtmp`` these are the private nginx's callbacks (above).

Regenerating sample.ts (about 15 KiB; 1 s, H.264 + AAC):
    ffmpeg -f lavfi -i testsrc=size=160x120:rate=10 -f lavfi -i sine=frequency=440:sample_rate=22050
        -t 1 -c:v libx264 -preset veryfast -g 10 -pix_fmt yuv420p -c:a aac -b:a 32k -ac 1
        -f mpegts sample.ts
"""
