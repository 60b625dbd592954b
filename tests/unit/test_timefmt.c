/* test_timefmt.c: how times are shown (TZ pinned to UTC). */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>
#include "timefmt.h"

static int utc(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void test_minutes_format(void **state)
{
	char buf[32];

	timefmt_minutes(1700000000000LL, buf, sizeof buf);
	assert_string_equal(buf, "2023-11-14 22:13");
}

static void test_zero_time_is_a_dash(void **state)
{
	char buf[32];

	timefmt_minutes(0, buf, sizeof buf);
	assert_string_equal(buf, "-");
	timefmt_ago(0, 5000, buf, sizeof buf);
	assert_string_equal(buf, "-");
}

static void test_ago_units(void **state)
{
	char buf[32];
	long long now = 1700000000000LL;

	timefmt_ago(now - 30000, now, buf, sizeof buf);
	assert_string_equal(buf, "now");
	timefmt_ago(now - 12 * 60000, now, buf, sizeof buf);
	assert_string_equal(buf, "12m ago");
	timefmt_ago(now - 5 * 3600000LL, now, buf, sizeof buf);
	assert_string_equal(buf, "5h ago");
	timefmt_ago(now - 3 * 86400000LL, now, buf, sizeof buf);
	assert_string_equal(buf, "3d ago");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minutes_format),
		cmocka_unit_test(test_zero_time_is_a_dash),
		cmocka_unit_test(test_ago_units),
	};
	return cmocka_run_group_tests(tests, utc, NULL);
}
