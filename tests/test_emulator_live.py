"""HTTP-level tests of the emulator's LiveChannel operations, error table, pagination,
authentication and persistence (spec oss-livechannel-api.md sections 2-6, 9)."""

from __future__ import annotations

import base64
import hashlib
import re
import time

import pytest

from harness import Emulator, OssClient

MINIMAL = b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target></LiveChannelConfiguration>"
LIVE = {"live": None}


def config(description=None, status=None, target=True, type_="HLS", dur=None, cnt=None,
           playlist=None, extra="") -> bytes:
    parts = []
    if description is not None:
        parts.append("<Description>%s</Description>" % description)
    if status is not None:
        parts.append("<Status>%s</Status>" % status)
    if target:
        t = "<Type>%s</Type>" % type_ if type_ is not None else ""
        if dur is not None:
            t += "<FragDuration>%s</FragDuration>" % dur
        if cnt is not None:
            t += "<FragCount>%s</FragCount>" % cnt
        if playlist is not None:
            t += "<PlaylistName>%s</PlaylistName>" % playlist
        parts.append("<Target>%s</Target>" % t)
    return ("<LiveChannelConfiguration>%s%s</LiveChannelConfiguration>"
            % ("".join(parts), extra)).encode()


def put(c: OssClient, name: str, body: bytes = MINIMAL):
    return c.request("PUT", name, LIVE, body)


def tags(el) -> list[str]:
    return [child.tag for child in el]


def assert_error(r, status: int, code: str, ec: str | None = None) -> None:
    assert r.status == status, r.body
    doc = r.xml()
    assert doc.tag == "Error"
    assert doc.findtext("Code") == code, r.body
    assert doc.findtext("Message")
    rid = doc.findtext("RequestId")
    assert re.fullmatch(r"[0-9A-F]{24}", rid)
    assert r.header("x-oss-request-id") == rid
    assert doc.findtext("HostId")
    assert r.header("Content-Type") == "application/xml"
    if ec is not None:
        assert doc.findtext("EC") == ec


# -- the nine operations --------------------------------------------------------------------


def test_put_minimal_then_info_has_defaults(emulator):
    c = emulator.client()
    r = put(c, "ch1")
    assert r.status == 200
    doc = r.xml()
    assert doc.tag == "CreateLiveChannelResult"
    assert tags(doc) == ["PublishUrls", "PlayUrls"]
    host = "127.0.0.1:%d" % emulator.port
    assert [u.text for u in doc.iter("Url")] == [
        "rtmp://%s/live/ch1" % host, "http://%s/testbucket/ch1/playlist.m3u8" % host]
    r = c.request("GET", "ch1", LIVE)
    assert r.status == 200
    assert r.body == (b'<?xml version="1.0" encoding="UTF-8"?>\n<LiveChannelConfiguration>'
                      b"<Description></Description><Status>enabled</Status><Target>"
                      b"<Type>HLS</Type><FragDuration>5</FragDuration><FragCount>3</FragCount>"
                      b"<PlaylistName>playlist.m3u8</PlaylistName></Target>"
                      b"</LiveChannelConfiguration>\n")
    assert r.header("Content-Length") == str(len(r.body))
    assert len(r.header("x-oss-request-id")) == 24


def test_virtual_hosted_urls_and_full_config(emulator):
    c = emulator.client(virtual_host=True, version=1)
    body = config("my &lt;desc&gt; &amp; more", "disabled", dur=2, cnt=7, playlist="idx.m3u8")
    r = put(c, "v ch", body)
    assert r.status == 200, r.body
    host = "testbucket.localhost:%d" % emulator.port
    assert [u.text for u in r.xml().iter("Url")] == [
        "rtmp://%s/live/v%%20ch" % host, "http://%s/v%%20ch/idx.m3u8" % host]
    doc = c.request("GET", "v ch", LIVE).xml()
    assert tags(doc) == ["Description", "Status", "Target"]
    assert tags(doc.find("Target")) == ["Type", "FragDuration", "FragCount", "PlaylistName"]
    assert [doc.findtext("Description"), doc.findtext("Status")] == ["my <desc> & more",
                                                                     "disabled"]
    assert [e.text for e in doc.find("Target")] == ["HLS", "2", "7", "idx.m3u8"]


def test_put_silently_overwrites_idle_channel(emulator):
    c = emulator.client()
    assert put(c, "ch").status == 200
    assert put(c, "ch", config("second", dur=9, cnt=9)).status == 200
    doc = c.request("GET", "ch", LIVE).xml()
    assert doc.findtext("Description") == "second"
    assert doc.findtext("Target/FragDuration") == "9"
    listing = c.request("GET", "", LIVE).xml()
    assert [e.text for e in listing.iter("Name")] == ["ch"]


def test_unknown_elements_ignored_and_case_sensitive(emulator):
    c = emulator.client()
    body = config(playlist=None, extra="<Foo>bar</Foo>").replace(
        b"</Type>", b"</Type><PlayListName>hello.m3u8</PlayListName>")
    assert put(c, "php", body).status == 200
    assert c.request("GET", "php", LIVE).xml().findtext("Target/PlaylistName") == "playlist.m3u8"
    assert put(c, "decl", b'<?xml version="1.0" encoding="UTF-8"?>\n' + config("")).status == 200


def test_status_stat_and_live_rules(emulator):
    c = emulator.client()
    assert put(c, "ch").status == 200
    stat = c.request("GET", "ch", {"live": None, "comp": "stat"})
    assert stat.status == 200
    assert stat.body.endswith(b"<LiveChannelStat><Status>Idle</Status></LiveChannelStat>\n")

    r = c.request("PUT", "ch", {"live": None, "status": "disabled"})
    assert (r.status, r.body, r.header("Content-Length")) == (200, b"", "0")
    assert c.request("GET", "ch", LIVE).xml().findtext("Status") == "disabled"
    assert tags(c.request("GET", "ch", {"live": None, "comp": "stat"}).xml()) == ["Status"]
    assert c.request("GET", "ch", {"live": None, "comp": "stat"}).xml().findtext(
        "Status") == "Disabled"
    st, body = emulator.control("/-/ingest/start", {"channel": "ch"})
    assert st == 409, body
    assert c.request("PUT", "ch", {"live": None, "status": "enabled"}).status == 200
    assert c.request("PUT", "ch", {"live": None, "status": "enabled"}).status == 200

    st, body = emulator.control("/-/ingest/start", {
        "channel": "ch", "remote_addr": "10.1.2.3:47745",
        "video": {"width": 1280, "height": 536, "frame_rate": 24, "bandwidth": 0,
                  "codec": "H264"},
        "audio": {"bandwidth": 0, "sample_rate": 44100, "codec": "AAC"}})
    assert st == 200, body
    assert emulator.control("/-/ingest/start", {"channel": "ch"})[0] == 409
    doc = c.request("GET", "ch", {"live": None, "comp": "stat"}).xml()
    assert tags(doc) == ["Status", "ConnectedTime", "RemoteAddr", "Video", "Audio"]
    assert doc.findtext("Status") == "Live"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", doc.findtext("ConnectedTime"))
    assert doc.findtext("RemoteAddr") == "10.1.2.3:47745"
    assert [e.text for e in doc.find("Video")] == ["1280", "536", "24", "0", "H264"]
    assert tags(doc.find("Video")) == ["Width", "Height", "FrameRate", "Bandwidth", "Codec"]
    assert [e.tag + "=" + e.text for e in doc.find("Audio")] == [
        "Bandwidth=0", "SampleRate=44100", "Codec=AAC"]

    assert_error(put(c, "ch"), 409, "ChannelStillLive", "0044-00000201")
    assert_error(c.request("DELETE", "ch", LIVE), 409, "ChannelStillLive")
    assert_error(c.request("PUT", "ch", {"live": None, "status": "enabled"}), 409,
                 "ChannelStillLive")
    # disabling a live channel ends the session
    assert c.request("PUT", "ch", {"live": None, "status": "disabled"}).status == 200
    assert c.request("GET", "ch", {"live": None, "comp": "stat"}).xml().findtext(
        "Status") == "Disabled"
    hist = c.request("GET", "ch", {"live": None, "comp": "history"}).xml()
    assert [e.findtext("RemoteAddr") for e in hist] == ["10.1.2.3:47745"]


def test_history_empty_then_capped_at_last_ten(emulator):
    c = emulator.client()
    assert put(c, "h").status == 200
    r = c.request("GET", "h", {"live": None, "comp": "history"})
    assert r.status == 200
    assert r.body.endswith(b"<LiveChannelHistory></LiveChannelHistory>\n")
    for i in range(12):
        assert emulator.control("/-/ingest/start", {"channel": "h",
                                                    "remote_addr": "10.0.0.%d:1000" % i})[0] == 200
        assert emulator.control("/-/ingest/stop", {"channel": "h"})[0] == 200
    assert emulator.control("/-/ingest/stop", {"channel": "h"})[0] == 409
    doc = c.request("GET", "h", {"live": None, "comp": "history"}).xml()
    assert [e.tag for e in doc] == ["LiveRecord"] * 10
    assert [e.findtext("RemoteAddr") for e in doc] == ["10.0.0.%d:1000" % i for i in range(2, 12)]
    rec = doc[0]
    assert tags(rec) == ["StartTime", "EndTime", "RemoteAddr"]
    assert rec.findtext("StartTime") <= rec.findtext("EndTime")
    assert c.request("GET", "h", {"live": None, "comp": "stat"}).xml().findtext("Status") == "Idle"


def test_delete_is_204_and_keeps_objects(emulator):
    c = emulator.client()
    assert put(c, "d").status == 200
    assert emulator.control("/-/ingest/segment", {"channel": "d", "duration": 2})[0] == 200
    r = c.request("DELETE", "d", LIVE)
    assert (r.status, r.body, r.header("Content-Length")) == (204, b"", None)
    assert_error(c.request("DELETE", "d", LIVE), 404, "NoSuchLiveChannel", "0026-00000021")
    keys = [e.text for e in c.request("GET", "", {"prefix": "d/"}).xml().iter("Key")]
    assert len(keys) == 2 and "d/playlist.m3u8" in keys


def test_list_semantics(emulator):
    c = emulator.client()
    for i in range(10):
        assert put(c, "channel-list-%d" % i).status == 200
    assert put(c, "other").status == 200
    doc = c.request("GET", "", {"live": None, "prefix": "channel-list-",
                                "marker": "channel-list-4", "max-keys": "3"}).xml()
    assert tags(doc)[:5] == ["Prefix", "Marker", "MaxKeys", "IsTruncated", "NextMarker"]
    assert [doc.findtext(t) for t in ("Prefix", "Marker", "MaxKeys", "IsTruncated",
                                      "NextMarker")] == [
        "channel-list-", "channel-list-4", "3", "true", "channel-list-7"]
    chans = doc.findall("LiveChannel")
    assert [e.findtext("Name") for e in chans] == ["channel-list-5", "channel-list-6",
                                                   "channel-list-7"]
    assert tags(chans[0]) == ["Name", "Description", "Status", "LastModified", "PublishUrls",
                              "PlayUrls"]
    doc = c.request("GET", "", LIVE).xml()
    assert [doc.findtext(t) for t in ("Prefix", "Marker", "MaxKeys", "IsTruncated")] == [
        "", "", "100", "false"]
    assert doc.find("NextMarker") is None
    assert len(doc.findall("LiveChannel")) == 11


def test_list_is_in_byte_order(emulator):
    c = emulator.client(version=1)
    names = ["b", "B", "a b", "a+b", "a~", "é", "频道1", "Z", "a*", "_x", "0"]
    for n in names:
        assert put(c, n).status == 200, n
    got = [e.text for e in c.request("GET", "", LIVE).xml().iter("Name")]
    assert got == sorted(names, key=lambda s: s.encode("utf-8"))
    for n in names:
        assert c.request("GET", n, LIVE).status == 200, n


def test_pagination_over_2500_channels(emulator):
    c = emulator.client()
    names = ["p-%04d" % i for i in range(2500)]
    for n in names:
        assert put(c, n).status == 200
    emulator.reset_stats()
    seen: list[str] = []
    marker = None
    pages = 0
    while True:
        q = {"live": None, "max-keys": "1000"}
        if marker:
            q["marker"] = marker
        doc = c.request("GET", "", q).xml()
        pages += 1
        page = [e.text for e in doc.iter("Name")]
        seen += page
        if doc.findtext("IsTruncated") == "false":
            assert doc.find("NextMarker") is None
            break
        assert doc.findtext("NextMarker") == page[-1]
        marker = page[-1]
    assert pages == 3
    assert seen == names
    assert emulator.stats() == {"ListLiveChannel": 3}
    # default page size 100, and prefix + marker as in the SDK tests
    doc = c.request("GET", "", LIVE).xml()
    assert len(doc.findall("LiveChannel")) == 100
    assert doc.findtext("NextMarker") == "p-0099"
    doc = c.request("GET", "", {"live": None, "prefix": "p-00", "marker": "p-0000"}).xml()
    assert len(doc.findall("LiveChannel")) == 99
    assert doc.findtext("IsTruncated") == "false"


# -- VOD ----------------------------------------------------------------------------------


def test_vod_playlists(emulator):
    c = emulator.client()
    ch = "vod ch+1"
    assert put(c, ch, config(dur=3, cnt=2)).status == 200
    t0 = 1700000000
    for i, d in enumerate([3.0, 2.5, 7.12]):
        st, body = emulator.control("/-/ingest/segment",
                                    {"channel": ch, "duration": d, "time": t0 + 10 * i})
        assert st == 200, body
        assert body["key"] == "%s/%d.ts" % (ch, (t0 + 10 * i) * 1000)
    live = c.request("GET", ch + "/playlist.m3u8").body.decode()
    assert live == ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:1\n"
                    "#EXT-X-TARGETDURATION:8\n#EXTINF:2.500,\n1700000010000.ts\n"
                    "#EXTINF:7.120,\n1700000020000.ts\n")
    r = c.request("GET", ch, {"vod": None, "startTime": str(t0), "endTime": str(t0 + 10)})
    assert r.status == 200
    assert r.header("Content-Type") == "application/x-mpegURL"
    expected = ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:3\n"
                "#EXTINF:3.000,\n1700000000000.ts\n#EXTINF:2.500,\n1700000010000.ts\n"
                "#EXT-X-ENDLIST\n").encode()
    assert r.body == expected
    assert r.header("ETag") == '"%s"' % hashlib.md5(expected).hexdigest().upper()
    # PostVodPlaylist: python encodes the "/" of the key as %2F
    r = c.raw("POST", "/testbucket/%s%%2Fout.m3u8?vod&startTime=%d&endTime=%d"
              % ("vod%20ch%2B1", t0, t0 + 10),
              c.signed_headers("POST", ch + "/out.m3u8",
                               {"vod": None, "startTime": str(t0), "endTime": str(t0 + 10)}))
    assert (r.status, r.body, r.header("Content-Length")) == (200, b"", "0")
    got = c.request("GET", ch + "/out.m3u8")
    assert got.body == expected
    assert got.header("ETag") == r.header("ETag")
    # no segment in range
    r = c.request("POST", ch + "/none.m3u8", {"vod": None, "startTime": str(t0 + 21),
                                              "endTime": str(t0 + 100)})
    assert_error(r, 400, "InvalidArgument", "0044-00000308")
    assert r.xml().findtext("Message") == "No ts file found in specified time span."


# -- the error table (spec section 6) -----------------------------------------------------


def _vod(c, start="1700000000", end="1700000100", name="ch/v.m3u8"):
    q = {"vod": None}
    if start is not None:
        q["startTime"] = start
    if end is not None:
        q["endTime"] = end
    return c.request("POST", name, q)


ERROR_CASES = {
    "no-channel-info": (lambda c: c.request("GET", "nope", LIVE), 404, "NoSuchLiveChannel"),
    "no-channel-stat": (lambda c: c.request("GET", "nope", {"live": None, "comp": "stat"}),
                        404, "NoSuchLiveChannel"),
    "no-channel-history": (lambda c: c.request("GET", "nope", {"live": None,
                                                               "comp": "history"}),
                           404, "NoSuchLiveChannel"),
    "no-channel-delete": (lambda c: c.request("DELETE", "nope", LIVE), 404, "NoSuchLiveChannel"),
    "no-channel-status": (lambda c: c.request("PUT", "nope", {"live": None,
                                                              "status": "enabled"}),
                          404, "NoSuchLiveChannel"),
    "description-129": (lambda c: put(c, "x", config("d" * 129)), 400, "InvalidArgument"),
    "bad-config-status": (lambda c: put(c, "x", config(status="on")), 400, "InvalidArgument"),
    "type-rtmp": (lambda c: put(c, "x", config(type_="RTMP")), 400, "InvalidArgument"),
    "no-target": (lambda c: put(c, "x", config(target=False)), 400, "InvalidArgument"),
    "frag-duration-200": (lambda c: put(c, "x", config(dur=200, cnt=3)), 400, "InvalidArgument"),
    "frag-duration-0": (lambda c: put(c, "x", config(dur=0, cnt=3)), 400, "InvalidArgument"),
    "frag-count-0": (lambda c: put(c, "x", config(dur=5, cnt=0)), 400, "InvalidArgument"),
    "frag-count-199": (lambda c: put(c, "x", config(dur=5, cnt=199)), 400, "InvalidArgument"),
    "frag-duration-alone": (lambda c: put(c, "x", config(dur=5)), 400, "InvalidArgument"),
    "playlist-slash": (lambda c: put(c, "x", config(playlist="a/b.m3u8")), 400,
                       "InvalidArgument"),
    "playlist-short": (lambda c: put(c, "x", config(playlist=".m3u8")), 400, "InvalidArgument"),
    "playlist-long": (lambda c: put(c, "x", config(playlist="a" * 124 + ".m3u8")), 400,
                      "InvalidArgument"),
    "playlist-suffix": (lambda c: put(c, "x", config(playlist="list.m3u")), 400,
                        "InvalidArgument"),
    "bad-status-query": (lambda c: c.request("PUT", "ch", {"live": None, "status": "paused"}),
                         400, "InvalidArgument"),
    "empty-channel-name": (lambda c: put(c, ""), 400, "InvalidArgument"),
    "channel-name-64": (lambda c: put(c, "n" * 64), 400, "InvalidArgument"),
    "list-max-keys-0": (lambda c: c.request("GET", "", {"live": None, "max-keys": "0"}), 400,
                        "InvalidArgument"),
    "list-max-keys-1001": (lambda c: c.request("GET", "", {"live": None, "max-keys": "1001"}),
                           400, "InvalidArgument"),
    "list-max-keys-neg": (lambda c: c.request("GET", "", {"live": None, "max-keys": "-1"}),
                          400, "InvalidArgument"),
    "list-max-keys-abc": (lambda c: c.request("GET", "", {"live": None, "max-keys": "abc"}),
                          400, "InvalidArgument"),
    "list-long-prefix": (lambda c: c.request("GET", "", {"live": None, "prefix": "p" * 1025}),
                         400, "InvalidArgument"),
    "list-long-marker": (lambda c: c.request("GET", "", {"live": None, "marker": "m" * 1025}),
                         400, "InvalidArgument"),
    "vod-bad-start": (lambda c: _vod(c, start="abc"), 400, "InvalidArgument"),
    "vod-no-start": (lambda c: _vod(c, start=None), 400, "InvalidArgument"),
    "vod-bad-end": (lambda c: _vod(c, end="x"), 400, "InvalidArgument"),
    "vod-start-ge-end": (lambda c: _vod(c, "1700000100", "1700000100"), 400, "InvalidArgument"),
    "vod-span-over-day": (lambda c: _vod(c, "1700000000", "1700086401"), 400, "InvalidArgument"),
    "vod-no-ts": (lambda c: _vod(c), 400, "InvalidArgument"),
    "vod-get-no-ts": (lambda c: c.request("GET", "ch", {"vod": None, "startTime": "1",
                                                        "endTime": "2"}), 400, "InvalidArgument"),
    "vod-not-m3u8": (lambda c: _vod(c, name="ch/v.txt"), 400, "InvalidArgument"),
    "malformed-xml": (lambda c: put(c, "x", b"<LiveChannelConfiguration><Target>"), 400,
                      "MalformedXML"),
    "wrong-root": (lambda c: put(c, "x", b"<Config><Target><Type>HLS</Type></Target></Config>"),
                   400, "MalformedXML"),
    "content-md5-mismatch": (lambda c: c.request("PUT", "x", LIVE, MINIMAL, headers={
        "Content-MD5": base64.b64encode(hashlib.md5(b"other").digest()).decode()}), 400,
        "InvalidDigest"),
}
EC = {"no-channel-info": "0026-00000021", "description-129": "0044-00000001",
      "bad-config-status": "0044-00000002", "type-rtmp": "0044-00000013",
      "frag-duration-200": "0044-00000014", "frag-count-0": "0044-00000015",
      "playlist-slash": "0044-00000016", "playlist-short": "0044-00000017",
      "playlist-long": "0044-00000017", "playlist-suffix": "0044-00000018",
      "bad-status-query": "0017-00000255", "empty-channel-name": "0017-00000257",
      "channel-name-64": "0017-00000258", "list-long-prefix": "0044-00000102",
      "list-long-marker": "0044-00000103", "vod-bad-start": "0044-00000304",
      "vod-bad-end": "0044-00000305", "vod-start-ge-end": "0044-00000306",
      "vod-span-over-day": "0044-00000307", "vod-no-ts": "0044-00000308",
      "vod-not-m3u8": "0044-00000403"}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_error_table(emulator, case):
    c = emulator.client()
    assert put(c, "ch").status == 200
    make, status, code = ERROR_CASES[case]
    assert_error(make(c), status, code, EC.get(case))
    # nothing was created by a refused PutLiveChannel
    names = [e.text for e in c.request("GET", "", LIVE).xml().iter("Name")]
    assert names == ["ch"]


def test_limits_just_inside_are_accepted(emulator):
    c = emulator.client()
    assert put(c, "n" * 63).status == 200
    assert put(c, "x", config("d" * 128, dur=100, cnt=1, playlist="a" * 123 + ".m3u8")).status \
        == 200
    assert put(c, "y", config("", dur=1, cnt=100, playlist="a.m3u8")).status == 200
    r = c.request("GET", "", {"live": None, "max-keys": "1000", "prefix": "p" * 1024})
    assert r.status == 200


def test_no_such_bucket(emulator):
    for vh in (False, True):
        other = OssClient("127.0.0.1", emulator.port, "otherbucket", "AKID", "SECRET",
                          virtual_host=vh)
        assert_error(other.request("GET", "ch", LIVE), 404, "NoSuchBucket")
        assert_error(other.request("GET", "", LIVE), 404, "NoSuchBucket")


def test_auth_errors(emulator):
    c = emulator.client()
    assert put(c, "ch").status == 200
    anon = c.request("GET", "ch", LIVE, sign=False)
    assert_error(anon, 403, "AccessDenied")
    for version in (1, 4):
        bad = OssClient("127.0.0.1", emulator.port, "testbucket", "AKID", "WRONG",
                        version=version)
        r = bad.request("GET", "ch", LIVE)
        assert_error(r, 403, "SignatureDoesNotMatch")
        assert r.xml().findtext("StringToSign") == bad.last_string_to_sign
        unknown = OssClient("127.0.0.1", emulator.port, "testbucket", "NOBODY", "SECRET",
                            version=version)
        r = unknown.request("GET", "ch", LIVE)
        assert_error(r, 403, "InvalidAccessKeyId")
        assert r.xml().findtext("OSSAccessKeyId") == "NOBODY"
        old = emulator.client(version=version)
        assert_error(old.request("GET", "ch", LIVE, now=time.time() - 3600), 403,
                     "RequestTimeTooSkewed")
        assert old.request("GET", "ch", LIVE, now=time.time() - 600).status == 200
        wrong_region = emulator.client(version=version)
        wrong_region.region = "cn-shanghai"
        if version == 4:
            assert_error(wrong_region.request("GET", "ch", LIVE), 403, "SignatureDoesNotMatch")


def test_sts_tokens(emulator):
    sts = emulator.client("STSKEY")
    assert sts.token == "STSTOKEN"
    for version in (1, 4):
        sts.version = version
        assert put(sts, "s").status == 200
        sts.token = None
        assert_error(sts.request("GET", "s", LIVE), 403, "InvalidSecurityToken")
        sts.token = "OTHERTOKEN"
        assert_error(sts.request("GET", "s", LIVE), 403, "InvalidSecurityToken")
        sts.token = "STSTOKEN"
        plain = emulator.client()
        plain.token = "STSTOKEN"
        assert_error(plain.request("GET", "s", LIVE), 403, "InvalidSecurityToken")


def test_v4_empty_ordinary_param_both_renderings(emulator):
    """prefix= signed as bare "prefix" (Go/C/python) here; ali-oss's "prefix=" is vector 26."""
    c = emulator.client()
    r = c.request("GET", "", [("live", None), ("prefix", ""), ("marker", "")])
    assert r.status == 200, r.body


def test_live_and_live_equals_both_accepted(emulator):
    for version in (1, 4):
        c = emulator.client(version=version)
        assert put(c, "q").status == 200
        h = c.signed_headers("GET", "q", LIVE)
        assert c.raw("GET", "/testbucket/q?live=", h).status == 200
        h = c.signed_headers("GET", "q", {"live": None, "comp": "stat"})
        assert c.raw("GET", "/testbucket/q?comp=stat&live", h).status == 200


# -- persistence ---------------------------------------------------------------------------


def test_restart_keeps_channels_history_segments_and_objects(emulator):
    c = emulator.client()
    assert put(c, "keep me", config("kept", "disabled", dur=4, cnt=2)).status == 200
    assert put(c, "live one").status == 200
    assert c.request("PUT", "obj/a.bin", body=b"\x00\x01payload").status == 200
    assert emulator.control("/-/ingest/start", {"channel": "live one",
                                                "remote_addr": "1.2.3.4:5"})[0] == 200
    assert emulator.control("/-/ingest/segment", {"channel": "live one", "duration": 2,
                                                  "time": 1700000000})[0] == 200
    assert emulator.control("/-/ingest/stop", {"channel": "live one"})[0] == 200
    before = {
        "list": c.request("GET", "", LIVE).body,
        "info": c.request("GET", "keep me", LIVE).body,
        "hist": c.request("GET", "live one", {"live": None, "comp": "history"}).body,
        "objs": c.request("GET", "", {"prefix": ""}).body,
        "head": c.request("HEAD", "obj/a.bin").headers.get("ETag"),
    }
    port = emulator.port
    emulator.restart()
    c = emulator.client()
    after_list = c.request("GET", "", LIVE).body
    assert after_list == before["list"].replace(b":%d/" % port, b":%d/" % emulator.port)
    assert c.request("GET", "keep me", LIVE).body == before["info"]
    assert c.request("GET", "live one", {"live": None, "comp": "history"}).body == before["hist"]
    assert c.request("GET", "", {"prefix": ""}).body == before["objs"]
    r = c.request("GET", "obj/a.bin")
    assert (r.body, r.header("ETag")) == (b"\x00\x01payload", before["head"])
    r = c.request("GET", "live one", {"vod": None, "startTime": "1700000000",
                                      "endTime": "1700000001"})
    assert r.status == 200 and b"1700000000000.ts" in r.body


def test_vod_channel_name_rules(emulator):
    c = emulator.client()
    r = c.request("GET", "n" * 64, {"vod": None, "startTime": "1", "endTime": "2"})
    assert_error(r, 400, "InvalidArgument", "0044-00000302")
    r = c.request("POST", "n" * 64 + "/v.m3u8", {"vod": None, "startTime": "1", "endTime": "2"})
    assert_error(r, 400, "InvalidArgument", "0044-00000302")
