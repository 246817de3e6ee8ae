/* The mount's counters (util/metrics.h) and the operation name of each
 * request (req_op_name), as .osslivefs/metrics.prom shows them. */
#include <errno.h>
#include <string.h>

#include "http/req.h"
#include "util/metrics.h"
#include "check.h"

static int has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	fprintf(stderr, "  missing line: %s\n", line);
	return 0;
}

static void test_format(void)
{
	struct sbuf out = { 0 };

	metrics_request("GetLiveChannelStat", 503, 0.002);
	metrics_request("GetLiveChannelStat", 503, 0.004);
	metrics_retry("GetLiveChannelStat");
	metrics_retry("GetLiveChannelStat");
	metrics_request("GetLiveChannelStat", 200, 0.0004);
	metrics_request("ListLiveChannel", 0, 20.0);
	metrics_failure(-EIO);
	metrics_failure(-ENOENT);
	metrics_failure(-EIO);
	metrics_cache("channels", true);
	metrics_cache("channels", false);
	metrics_cache("channels", true);
	metrics_vod_bytes(188);
	metrics_open_files(1);
	metrics_open_files(1);
	metrics_open_files(-1);
	metrics_scratch_bytes(4096);
	CHECK_INT(0, metrics_format(&out));
	CHECK(has_line(out.data, "osslivefs_requests_total{operation=\"GetLiveChannelStat\",status=\"503\"} 2"), "503");
	CHECK(has_line(out.data, "osslivefs_requests_total{operation=\"GetLiveChannelStat\",status=\"200\"} 1"), "200");
	CHECK(has_line(out.data, "osslivefs_requests_total{operation=\"ListLiveChannel\",status=\"none\"} 1"), "none");
	CHECK(has_line(out.data, "osslivefs_retries_total{operation=\"GetLiveChannelStat\"} 2"), "retries");
	CHECK(has_line(out.data, "osslivefs_retries_total{operation=\"ListLiveChannel\"} 0"), "no retry");
	CHECK(has_line(out.data, "osslivefs_failures_total{errno=\"EIO\"} 2"), "EIO");
	CHECK(has_line(out.data, "osslivefs_failures_total{errno=\"ENOENT\"} 1"), "ENOENT");
	/* Cumulative buckets: 0.4 ms, 2 ms, 4 ms, and 20 s above them all. */
	CHECK(has_line(out.data, "osslivefs_request_duration_seconds_bucket{le=\"0.001\"} 1"), "le 1ms");
	CHECK(has_line(out.data, "osslivefs_request_duration_seconds_bucket{le=\"0.0025\"} 2"), "le 2.5ms");
	CHECK(has_line(out.data, "osslivefs_request_duration_seconds_bucket{le=\"0.005\"} 3"), "le 5ms");
	CHECK(has_line(out.data, "osslivefs_request_duration_seconds_bucket{le=\"10\"} 3"), "le 10s");
	CHECK(has_line(out.data, "osslivefs_request_duration_seconds_bucket{le=\"+Inf\"} 4"), "+Inf");
	CHECK(has_line(out.data, "osslivefs_request_duration_seconds_count 4"), "count");
	CHECK(has_line(out.data, "osslivefs_request_duration_seconds_sum 20.006400"), "sum");
	CHECK(has_line(out.data, "osslivefs_cache_hits_total{cache=\"channels\"} 2"), "hits");
	CHECK(has_line(out.data, "osslivefs_cache_misses_total{cache=\"channels\"} 1"), "misses");
	CHECK(has_line(out.data, "osslivefs_vod_read_bytes_total 188"), "vod bytes");
	CHECK(has_line(out.data, "osslivefs_open_files 1"), "open files");
	CHECK(has_line(out.data, "osslivefs_scratch_bytes 4096"), "scratch");
	CHECK(has_line(out.data, "# TYPE osslivefs_request_duration_seconds histogram"), "type");
	sbuf_free(&out);
}

static const char *op(const char *method, const char *key,
		      const struct http_kv *q, size_t nq)
{
	return req_op_name(&(struct req){ .method = method, .key = key,
					  .query = q, .nquery = nq });
}

static void test_op_names(void)
{
	const struct http_kv live[] = { { "live", NULL }, { "max-keys", "1000" } };
	const struct http_kv status[] = { { "live", NULL }, { "status", "enabled" } };
	const struct http_kv stat[] = { { "live", NULL }, { "comp", "stat" } };
	const struct http_kv hist[] = { { "live", NULL }, { "comp", "history" } };
	const struct http_kv vod[] = { { "vod", NULL }, { "startTime", "1" } };
	const struct http_kv list[] = { { "prefix", "ch/" }, { "delimiter", "/" } };

	CHECK_STR("ListLiveChannel", op("GET", NULL, live, 2));
	CHECK_STR("PutLiveChannel", op("PUT", "ch", live, 1));
	CHECK_STR("PutLiveChannelStatus", op("PUT", "ch", status, 2));
	CHECK_STR("GetLiveChannelInfo", op("GET", "ch", live, 1));
	CHECK_STR("GetLiveChannelStat", op("GET", "ch", stat, 2));
	CHECK_STR("GetLiveChannelHistory", op("GET", "ch", hist, 2));
	CHECK_STR("DeleteLiveChannel", op("DELETE", "ch", live, 1));
	CHECK_STR("PostVodPlaylist", op("POST", "ch/x.m3u8", vod, 2));
	CHECK_STR("GetVodPlaylist", op("GET", "ch", vod, 2));
	CHECK_STR("ListObjects", op("GET", NULL, list, 2));
	CHECK_STR("GetObject", op("GET", "ch/1.ts", NULL, 0));
	CHECK_STR("HeadObject", op("HEAD", "ch/1.ts", NULL, 0));
	CHECK_STR("PutObject", op("PUT", "ch/1.ts", NULL, 0));
	CHECK_STR("DeleteObject", op("DELETE", "ch/1.ts", NULL, 0));
	CHECK_STR("Other", op("PATCH", "ch", NULL, 0));
}

int main(void)
{
	test_format();
	test_op_names();
	return check_summary("test_metrics");
}
