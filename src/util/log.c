/*
 * Logging: "osslivefs: <level>: message" on stderr in the foreground,
 * syslog (LOG_DAEMON, with the pid) in the background.
 *
 * Secrets are never passed here by design; scrub() is a second line of
 * defence that masks anything that looks like one.
 *
 * The settings are written at start-up (log_init, and log_set_foreground
 * right after daemonizing), before the FUSE threads exist; log_msg only
 * reads them.  One fprintf per message keeps lines whole across threads
 * (stdio locks the stream for the call).
 */
#define _GNU_SOURCE    /* vasprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "util/log.h"

static char log_ident[64] = "osslivefs";   /* openlog keeps the pointer */
static int log_foreground = 1;
static enum log_level log_level = LOG_LVL_WARN;
static int log_syslog_open;

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "err",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

static const int level_prio[] = {
	[LOG_LVL_ERR] = LOG_ERR,
	[LOG_LVL_WARN] = LOG_WARNING,
	[LOG_LVL_INFO] = LOG_INFO,
	[LOG_LVL_DEBUG] = LOG_DEBUG,
};

void log_set_foreground(int foreground)
{
	log_foreground = foreground;
	if (!foreground && !log_syslog_open) {
		openlog(log_ident, LOG_PID, LOG_DAEMON);
		log_syslog_open = 1;
	}
}

void log_init(const char *ident, int foreground, enum log_level level)
{
	if (ident && *ident)
		snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_level = level;
	log_set_foreground(foreground);
}

int log_parse_level(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; s && i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

int log_enabled(enum log_level level)
{
	return level <= log_level;
}

/* ---- the scrub ------------------------------------------------------------ */

struct secret_pattern {
	const char *name;    /* matched case-insensitively */
	int needs_sep;       /* the value follows ':' or '=' */
	int to_eol;          /* the value runs to the end of the line */
};

static const struct secret_pattern patterns[] = {
	/* "OSS ak:sig" and "OSS4-HMAC-SHA256 Credential=.., Signature=.."
	 * hold spaces: mask the rest of the line. */
	{ "authorization", 1, 1 },
	{ "signature=", 0, 0 },
	/* x-oss-security-token header, security-token= query */
	{ "security-token", 1, 0 },
	/* OSSAccessKeySecret, AccessKeySecret, OSS_ACCESS_KEY_SECRET */
	{ "accesskeysecret", 1, 0 },
	{ "access_key_secret", 1, 0 },
};

static int is_blank_or_quote(char c)
{
	return c == ' ' || c == '\t' || c == '"' || c == '\'';
}

static int ends_value(char c, int to_eol)
{
	if (to_eol)
		return c == '\n' || c == '\r';
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '&' ||
	       c == ',' || c == ';' || c == '"' || c == '\'' || c == '<' ||
	       c == '>';
}

/*
 * If a pattern starts at in, copy it and its separator to *out, write
 * "***" for its value and return how many input bytes were consumed;
 * return 0 when nothing matched.
 */
static size_t scrub_at(const char *in, char **out)
{
	size_t k, n, j;

	for (k = 0; k < sizeof(patterns) / sizeof(patterns[0]); k++) {
		const struct secret_pattern *p = &patterns[k];

		n = strlen(p->name);
		if (strncasecmp(in, p->name, n) != 0)
			continue;
		j = n;
		if (p->needs_sep) {
			while (is_blank_or_quote(in[j]))
				j++;
			if (in[j] != ':' && in[j] != '=')
				return 0;   /* prose: "authorization failed" */
			j++;
		}
		while (is_blank_or_quote(in[j]))
			j++;
		memcpy(*out, in, j);
		*out += j;
		memcpy(*out, "***", 3);
		*out += 3;
		while (in[j] && !ends_value(in[j], p->to_eol))
			j++;
		return j;
	}
	return 0;
}

/* Each match copies a name of 10 or more bytes and adds at most 3, so the
 * output is shorter than twice the input plus a little. */
static char *scrub(const char *in)
{
	char *out = malloc(2 * strlen(in) + 16), *o = out;
	size_t used;

	if (!out)
		return NULL;
	while (*in) {
		used = scrub_at(in, &o);
		if (used) {
			in += used;
			continue;
		}
		*o++ = *in++;
	}
	*o = '\0';
	return out;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char *raw = NULL, *clean;
	int n;

	if (!log_enabled(level))
		return;
	n = vasprintf(&raw, fmt, ap);
	if (n < 0)
		return;
	/* libfuse's messages end in a newline; ours add one. */
	while (n > 0 && raw[n - 1] == '\n')
		raw[--n] = '\0';
	clean = scrub(raw);
	free(raw);
	if (!clean)
		return;
	if (log_foreground)
		fprintf(stderr, "%s: %s: %s\n", log_ident, level_names[level],
			clean);
	else
		syslog(level_prio[level], "%s", clean);
	free(clean);
}
