/* A LiveChannel's configuration as users and OSS write it
 * (LiveChannelConfiguration), and the rules for channel names. */
#ifndef OSSLIVEFS_OSS_LIVE_CONFIG_H
#define OSSLIVEFS_OSS_LIVE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define LIVE_NAME_MAX      63      /* bytes; OSS wants < 64 */
#define LIVE_DESC_MAX      128
#define LIVE_PLAYLIST_MAX  128
#define LIVE_DEFAULT_PLAYLIST "playlist.m3u8"   /* when PlaylistName is not given */

struct live_snapshot {
	bool present;
	char role_name[256];
	char dest_bucket[64];
	char notify_topic[256];
	int interval;
};

struct live_config {
	char description[LIVE_DESC_MAX + 1];
	bool enabled;                  /* <Status>enabled|disabled */
	char type[8];                  /* "HLS" */
	int frag_duration;             /* 0: not given */
	int frag_count;                /* 0: not given */
	char playlist_name[LIVE_PLAYLIST_MAX + 1];   /* "": not given */
	struct live_snapshot snapshot;
};

/* Default config of design §2 (Type HLS, given durations and name). */
void live_config_default(struct live_config *c, int frag_duration,
			 int frag_count, const char *playlist_name);

/*
 * Parse and validate a LiveChannelConfiguration document as a user wrote
 * it.  Returns 0 (valid, complete), -EAGAIN (a well-formed prefix of a
 * document: wait for more bytes), or -EINVAL with one sentence in why
 * (what is wrong: not well-formed, wrong root, FragDuration out of range...).
 */
int live_config_parse(const char *xml, size_t len, struct live_config *out,
		      char *why, size_t whylen);
/* The indented document, ending in a newline.  Returns length or -errno. */
int live_config_format(const struct live_config *c, char **xml);
/* Same values (not the same bytes): what makes a write a no-op. */
bool live_config_equal(const struct live_config *a,
		       const struct live_config *b);
/* The PutLiveChannel body: only what was given (Description when not
 * empty, Status when disabled, Type, FragDuration/FragCount and
 * PlaylistName when set, Snapshot when present).  Length or -errno. */
int live_config_put_body(const struct live_config *c, char **xml);
/* Name rules of the spec §2: -EINVAL, -ENAMETOOLONG or 0; and the rule a
 * name breaks, as a sentence (NULL when it is valid). */
int live_name_check(const char *name);
const char *live_name_why(const char *name);

/* PlaylistName rules (6..128 bytes, ends in .m3u8, no '/'): 0, or -EINVAL
 * with the rule broken in why. */
int live_playlist_check(const char *name, char *why, size_t whylen);

#endif
