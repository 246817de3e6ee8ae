/* Names a user could never type (issue 12): the strict name check, the
 * percent-decoding of encoding-type=url listings, control characters in a
 * ListLiveChannel page, and the escaping of log fields. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "oss/live.h"
#include "oss/obj.h"
#include "../../src/oss/live_xml.h"
#include "../../src/oss/obj_xml.h"
#include "util/str.h"

static void test_flaws(void)
{
	CHECK_INT(STR_OK, str_name_flaw("caf\xc3\xa9 \xf0\x9f\x8e\xa5"));
	CHECK_INT(STR_NOT_UTF8, str_name_flaw("\xc0\xaf"));          /* overlong */
	CHECK_INT(STR_NOT_UTF8, str_name_flaw("\xe0\x80\xaf"));      /* overlong */
	CHECK_INT(STR_NOT_UTF8, str_name_flaw("\xed\xa0\x80"));      /* surrogate */
	CHECK_INT(STR_NOT_UTF8, str_name_flaw("\xf4\x90\x80\x80"));  /* > U+10FFFF */
	CHECK_INT(STR_NOT_UTF8, str_name_flaw("a\xc3"));             /* cut */
	CHECK_INT(STR_CONTROL, str_name_flaw("a\x01"));
	CHECK_INT(STR_CONTROL, str_name_flaw("a\x7f"));
	CHECK_INT(STR_CONTROL, str_name_flaw("a\xc2\x85"));          /* NEL */
	CHECK_INT(STR_OK, str_name_flaw("a\xc2\xa0"));               /* NBSP */
}

static void test_decode(void)
{
	char s[] = "ch/bad%01%2541.ts", bad[] = "a%0", nul[] = "a%00";

	CHECK_INT(0, str_url_decode(s));
	CHECK_STR("ch/bad\x01%41.ts", s);
	CHECK_INT(-EINVAL, str_url_decode(bad));
	CHECK_INT(-EINVAL, str_url_decode(nul));
}

static void test_escape(void)
{
	char out[64];

	CHECK_STR("a\\x1b[31m\\x0a\\x5c\\xc2\\x85\xc3\xa9",
		  str_escape("a\x1b[31m\n\\\xc2\x85\xc3\xa9", out, sizeof(out)));
}

static void test_encoded_listing(void)
{
	static const char page[] =
		"<ListBucketResult><EncodingType>url</EncodingType>"
		"<IsTruncated>true</IsTruncated><NextMarker>ch%2Fz%2525</NextMarker>"
		"<Contents><Key>ch%2Fbad%01.ts</Key><Size>3</Size></Contents>"
		"<Contents><Key>ch%2Fz%25</Key><Size>1</Size></Contents>"
		"</ListBucketResult>";
	struct obj_list l = { 0 };
	char *next = NULL;

	CHECK_INT(0, obj_parse_list(page, sizeof(page) - 1, "ch/", &l, &next));
	CHECK_INT(2, l.n);
	CHECK_STR("bad\x01.ts", l.n > 0 ? l.items[0].name : NULL);
	CHECK_STR("z%", l.n > 1 ? l.items[1].name : NULL);
	CHECK_STR("ch/z%25", next);
	free(next);
	obj_list_free(&l);
}

static void test_channel_with_control(void)
{
	static const char page[] =
		"<ListLiveChannelResult><IsTruncated>false</IsTruncated>"
		"<LiveChannel><Name>a</Name></LiveChannel>"
		"<LiveChannel><Name>bad\x01</Name></LiveChannel>"
		"<LiveChannel><Name>c\xc2\x85</Name></LiveChannel>"
		"<LiveChannel><Name>z</Name></LiveChannel>"
		"</ListLiveChannelResult>";
	struct live_list l = { 0 };
	char *next = NULL;

	CHECK_INT(0, live_parse_list(page, sizeof(page) - 1, &l, &next));
	CHECK_INT(2, l.n);
	CHECK_STR("a", l.n > 0 ? l.items[0].name : NULL);
	CHECK_STR("z", l.n > 1 ? l.items[1].name : NULL);
	CHECK_INT(2, l.skipped);
	CHECK_STR("bad\x01", l.first_skipped);
	live_list_free(&l);
}

int main(void)
{
	test_flaws();
	test_decode();
	test_escape();
	test_encoded_listing();
	test_channel_with_control();
	return check_summary("test_names");
}
