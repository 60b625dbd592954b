/* test_arena.c: the arena, growable strings and the metric "latest" rule that
 * every backend shares. */
#include "config.h"
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "arena.h"
#include "model.h"
#include "strbuf.h"

static void test_arena_strings_survive_until_free(void **state)
{
	struct mlc_arena a = {0};
	char *s[1000];

	for (int i = 0; i < 1000; i++)
		s[i] = arena_printf(&a, "item-%d", i);
	for (int i = 0; i < 1000; i++) {
		char want[32];
		snprintf(want, sizeof want, "item-%d", i);
		assert_string_equal(s[i], want);
	}
	assert_string_equal(arena_strdup(&a, NULL), "");
	arena_free(&a);
	assert_null(a.head);
}

static void test_arena_large_allocation_is_zeroed(void **state)
{
	struct mlc_arena a = {0};
	unsigned char *p = arena_alloc(&a, 100000);

	for (int i = 0; i < 100000; i++)
		assert_int_equal(p[i], 0);
	arena_free(&a);
}

static void test_list_push_grows_and_keeps_items(void **state)
{
	struct mlc_metric_list l = {0};

	for (int i = 0; i < 5000; i++)
		MLC_LIST_PUSH(&l)->step = i;
	assert_int_equal(l.n, 5000);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(l.items[i].step, i);
	MLC_LIST_FREE(&l);
	assert_int_equal(l.n, 0);
}

static void test_strbuf_appends_and_detaches(void **state)
{
	struct strbuf sb = {0};
	char *s;

	assert_string_equal(sb_str(&sb), "");
	sb_add(&sb, "a");
	sb_printf(&sb, "%d", 42);
	sb_addc(&sb, '!');
	assert_string_equal(sb_str(&sb), "a42!");
	s = sb_detach(&sb);
	assert_string_equal(s, "a42!");
	assert_null(sb.buf);
	free(s);
}

static void test_latest_rule_orders_step_then_timestamp_then_value(void **state)
{
	struct mlc_metric a = {.step = 1, .timestamp = 5, .value = 1};
	struct mlc_metric b = {.step = 2, .timestamp = 1, .value = 0};
	struct mlc_metric c = {.step = 2, .timestamp = 1, .value = NAN};
	struct mlc_metric d = {.step = 2, .timestamp = 2, .value = -1};

	assert_true(mlc_metric_cmp_latest(&a, &b) < 0);
	assert_true(mlc_metric_cmp_latest(&c, &b) < 0); /* NaN below a number */
	assert_true(mlc_metric_cmp_latest(&d, &b) > 0);
	assert_int_equal(mlc_metric_cmp_latest(&c, &c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_strings_survive_until_free),
		cmocka_unit_test(test_arena_large_allocation_is_zeroed),
		cmocka_unit_test(test_list_push_grows_and_keeps_items),
		cmocka_unit_test(test_strbuf_appends_and_detaches),
		cmocka_unit_test(test_latest_rule_orders_step_then_timestamp_then_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
