/*
 * Tiny helpers for the C unit tests (tests/unit/test_*.c), one test
 * program per translation unit.
 *
 *   CHECK(cond, "what %d", x)    one check; prints FAIL with file:line
 *                                (every argument is evaluated once)
 *   CHECK_STR(expected, got)     exact string compare (NULL-safe); on
 *                                failure prints both, escaped
 *   CHECK_INT(expected, got)     integer compare
 *   (each returns 1 when the check passed, 0 when it failed)
 *   check_str_eq(what, exp, got) compare and print, without counting
 *                                (to group several compares into one CHECK)
 *   return check_summary("test_x");
 *                                prints "test_x: N passed, M failed" and
 *                                gives the exit status (1 on any failure)
 */
#ifndef OSSLIVEFS_TESTS_CHECK_H
#define OSSLIVEFS_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int check_passed;
static int check_failed;

/* Print s as a C string literal so that "\n" and trailing blanks show. */
static inline void check_print_escaped(FILE *f, const char *s)
{
	if (!s) {
		fputs("(null)", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static inline int check_str_eq(const char *what, const char *expected,
			       const char *got)
{
	if (expected && got && strcmp(expected, got) == 0)
		return 1;
	if (!expected && !got)
		return 1;
	fprintf(stderr, "  %s:\n    expected ", what);
	check_print_escaped(stderr, expected);
	fputs("\n    got      ", stderr);
	check_print_escaped(stderr, got);
	fputc('\n', stderr);
	return 0;
}

static inline int check_report(int ok, const char *file, int line,
			       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline int check_report(int ok, const char *file, int line,
			       const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		check_passed++;
		return 1;
	}
	check_failed++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 0;
}

#define CHECK(cond, ...) check_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline int check_str(const char *file, int line, const char *what,
			    const char *expected, const char *got)
{
	int ok = (!expected && !got) ||
		 (expected && got && strcmp(expected, got) == 0);

	if (!check_report(ok, file, line, "%s", what))
		check_str_eq(what, expected, got);
	return ok;
}

#define CHECK_STR(expected, got) \
	check_str(__FILE__, __LINE__, #got, (expected), (got))

/* A function, so that each argument is evaluated exactly once. */
static inline int check_int(const char *file, int line, const char *what,
			    long long expected, long long got)
{
	return check_report(expected == got, file, line,
			    "%s: expected %lld, got %lld", what, expected, got);
}

#define CHECK_INT(expected, got) \
	check_int(__FILE__, __LINE__, #got, (expected), (got))

static inline int check_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	fflush(stdout);
	return check_failed ? 1 : 0;
}

#endif
