/* test_sanitize.c: hostile strings never reach the terminal raw. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include "sanitize.h"

/* Assert that sanitising in gives want. */
static void check(const char *in, const char *want)
{
	char *got = sanitize_dup(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_plain_text_is_unchanged(void **state)
{
	check("fraud-detector v2", "fraud-detector v2");
	assert_true(sanitize_is_clean("fraud-detector v2"));
}

static void test_utf8_text_is_kept(void **state)
{
	check("modèle-日本語 ▁▂▃", "modèle-日本語 ▁▂▃");
	assert_true(sanitize_is_clean("modèle-日本語"));
}

static void test_escape_sequences_are_escaped(void **state)
{
	check("\x1b[2J\x1b]0;pwned\x07", "\\x1b[2J\\x1b]0;pwned\\x07");
	assert_false(sanitize_is_clean("\x1b[31m"));
}

static void test_newlines_tabs_and_del_are_escaped(void **state)
{
	check("a\nb\tc\x7f", "a\\x0ab\\x09c\\x7f");
}

static void test_c1_controls_are_escaped(void **state)
{
	/* U+009B is CSI in 8-bit terminals. */
	check("x\xc2\x9b" "2J", "x\\x9b2J");
}

static void test_bidi_overrides_are_escaped(void **state)
{
	check("abc\xe2\x80\xae" "fed", "abc\\u202efed");
	check("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069");
}

static void test_invalid_utf8_is_escaped_bytewise(void **state)
{
	check("ok\xff\xfe", "ok\\xff\\xfe");
	check("\xc3", "\\xc3");                 /* truncated sequence */
	check("\xc0\xaf", "\\xc0\\xaf");         /* overlong '/' */
	check("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* surrogate */
}

static void test_null_is_empty(void **state)
{
	check(NULL, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_is_unchanged),
		cmocka_unit_test(test_utf8_text_is_kept),
		cmocka_unit_test(test_escape_sequences_are_escaped),
		cmocka_unit_test(test_newlines_tabs_and_del_are_escaped),
		cmocka_unit_test(test_c1_controls_are_escaped),
		cmocka_unit_test(test_bidi_overrides_are_escaped),
		cmocka_unit_test(test_invalid_utf8_is_escaped_bytewise),
		cmocka_unit_test(test_null_is_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
