/* test_alert.c: drift alert rules on plain data (core/alert.c) — the rule's
 * words and their refusals, the stored form, and when a rule holds over a
 * series of windows: K consecutive, a window without drift breaking the
 * run, a share of the features, only windows after the last check. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "alert.h"
#include "drift_series.h"

#define DAY 86400000LL

/* Feature f's points: drift[i] at window (i + 1) days, score 0.5 or 0.01. */
static void feature(struct mlc_drift_list *l, const char *f, const int *drift, size_t n)
{
	struct mlc_drift_feature *x = MLC_LIST_PUSH(l);

	memset(x, 0, sizeof *x);
	x->model = "m";
	x->feature = f;
	x->method = "psi";
	x->points = arena_alloc(&l->arena, n * sizeof *x->points);
	x->n_points = n;
	for (size_t i = 0; i < n; i++) {
		memset(&x->points[i], 0, sizeof x->points[i]);
		x->points[i].window_end = (int64_t)(i + 1) * DAY;
		x->points[i].drift = drift[i];
		x->points[i].score = drift[i] ? 0.5 : 0.01;
	}
}

/* The window rule fires at after `after`, 0 when none; *newest set. */
static int64_t fires(const struct mlc_alert_rule *rule, const struct mlc_drift_list *l,
		     int64_t after, const char **features)
{
	struct mlc_arena a = {0};
	const char *scores;
	double share;
	int64_t newest, at = alert_evaluate(rule, l, after, &newest, features, &scores, &share, &a);
	static char keep[256];

	snprintf(keep, sizeof keep, "%s", *features);
	*features = keep;
	arena_free(&a);
	return at;
}

static void test_words_and_refusals(void **state)
{
	struct mlc_alert_rule r;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(alert_rule_parse(&r, "m", "prod", "r1", "amount", NULL, "3", "6h",
					  "rollback,hook", &err),
			 0);
	assert_string_equal(r.feature, "amount");
	assert_int_equal(r.windows, 3);
	assert_int_equal(r.cooldown, 6 * 3600);
	assert_int_equal(r.actions, ALERT_NOTIFY | ALERT_ROLLBACK | ALERT_HOOK);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", NULL, "50%", NULL, NULL, NULL, &err), 0);
	assert_true(r.share == 0.5 && r.windows == 1 && r.cooldown == 3600 &&
		    r.actions == ALERT_NOTIFY);
	/* refusals: usage errors naming what is wrong */
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", NULL, NULL, NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", "a b", NULL, NULL, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "'a b'"));
	/* an empty feature is no feature, not a share rule of share 0 (fuzz_alert found it) */
	assert_int_equal(alert_rule_parse(&r, "m", "prod", "r1", "", NULL, NULL, NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_int_equal(alert_rule_parse(&r, "m", "prod", "r1", NULL, "0", NULL, NULL, NULL, &err),
			 -1);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", NULL, "0.5", "0", NULL, NULL, &err), -1);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", NULL, "0.5", NULL, "5w", NULL, &err), -1);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", NULL, "0.5", NULL, "367d", NULL, &err), -1);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", NULL, "0.5", NULL, NULL, "page", &err), -1);
	assert_non_null(strstr(err.msg, "'page'"));
	assert_int_equal(
	    alert_rule_parse(&r, "m", "Prod", "r1", NULL, "0.5", NULL, NULL, NULL, &err), -1);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r/1", NULL, "0.5", NULL, NULL, NULL, &err), -1);
}

static void test_stored_form_round_trip(void **state)
{
	struct mlc_alert_rule r, back = {.model = "m", .env = "prod", .name = "r1"};
	struct mlc_arena a = {0};
	struct mlc_error err = {0};
	char *json;

	(void)state;
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r1", "amount", NULL, "2", "90s", "hook", &err), 0);
	json = alert_rule_json(&r);
	assert_string_equal(
	    json,
	    "{\"actions\":\"notify,hook\",\"cooldown\":90,\"feature\":\"amount\",\"windows\":2}");
	assert_int_equal(alert_rule_from_json(&back, json, &a, &err), 0);
	assert_string_equal(back.feature, "amount");
	assert_true(back.windows == 2 && back.cooldown == 90 && back.actions == r.actions);
	free(json);
	/* a stored form that is not a rule is corrupt, not a usage error */
	assert_int_equal(
	    alert_rule_from_json(&back, "{\"actions\":\"notify\",\"cooldown\":1,\"windows\":1}", &a,
				 &err),
	    -1);
	assert_int_equal(err.code, MLC_ERR_CORRUPT);
	assert_int_equal(
	    alert_rule_from_json(
		&back, "{\"actions\":\"notify\",\"cooldown\":1,\"windows\":1,\"feature\":\"$(x)\"}",
		&a, &err),
	    -1);
	assert_int_equal(err.code, MLC_ERR_CORRUPT);
	/* an empty stored feature is no share rule either (fuzz_alert found it) */
	assert_int_equal(alert_rule_from_json(&back,
					      "{\"actions\":\"notify\",\"cooldown\":0,"
					      "\"feature\":\"\",\"windows\":2}",
					      &a, &err),
			 -1);
	assert_int_equal(err.code, MLC_ERR_CORRUPT);
	arena_free(&a);
}

static void test_k_consecutive_windows(void **state)
{
	static const int x[] = {1, 0, 1, 1, 0, 1};
	struct mlc_drift_list l = {0};
	struct mlc_alert_rule r;
	struct mlc_error err = {0};
	const char *f;

	(void)state;
	feature(&l, "x", x, 6);
	assert_int_equal(alert_rule_parse(&r, "m", "prod", "r", "x", NULL, "2", NULL, NULL, &err),
			 0);
	/* windows 3 and 4 in a row: fires at 4; the break at 5 and the lone 6 do not */
	assert_int_equal(fires(&r, &l, 0, &f), 4 * DAY);
	assert_string_equal(f, "x");
	/* checked up to 4 already: nothing new holds */
	assert_int_equal(fires(&r, &l, 4 * DAY, &f), 0);
	r.windows = 3;
	assert_int_equal(fires(&r, &l, 0, &f), 0);
	r.windows = 1;
	assert_int_equal(fires(&r, &l, 0, &f), 6 * DAY);
	/* a feature with no points never fires */
	r.feature = "y";
	assert_int_equal(fires(&r, &l, 0, &f), 0);
	MLC_LIST_FREE(&l);
}

static void test_share_of_features(void **state)
{
	static const int a[] = {1, 1, 1}, b[] = {0, 1, 1}, c[] = {0, 0, 1}, d[] = {0, 0, 0};
	struct mlc_drift_list l = {0};
	struct mlc_alert_rule r;
	struct mlc_error err = {0};
	const char *f;

	(void)state;
	feature(&l, "a", a, 3);
	feature(&l, "b", b, 3);
	feature(&l, "c", c, 3);
	feature(&l, "d", d, 3);
	assert_int_equal(
	    alert_rule_parse(&r, "m", "prod", "r", NULL, "0.5", NULL, NULL, NULL, &err), 0);
	/* window 2: a and b of four drift, half: fires at the newest, 3 */
	assert_int_equal(fires(&r, &l, 0, &f), 3 * DAY);
	assert_string_equal(f, "a,b,c");
	/* a comma in a name keeps the list's bounds (the review: "a,b" reached a
	 * hook as the feature "a") */
	l.items[1].feature = "b,x%";
	assert_int_equal(fires(&r, &l, 0, &f), 3 * DAY);
	assert_string_equal(f, "a,b%2Cx%25,c");
	l.items[1].feature = "b";
	assert_int_equal(fires(&r, &l, 2 * DAY, &f), 3 * DAY);
	r.share = 0.75;
	assert_int_equal(fires(&r, &l, 0, &f), 3 * DAY);
	r.windows = 2;
	assert_int_equal(fires(&r, &l, 0, &f), 0);
	r.share = 0.5;
	assert_int_equal(fires(&r, &l, 0, &f), 3 * DAY);
	MLC_LIST_FREE(&l);
}

static void test_names_that_reach_a_hook(void **state)
{
	(void)state;
	assert_true(alert_name_valid("amount_7d.v-2"));
	assert_false(alert_name_valid(""));
	assert_false(alert_name_valid("a;b"));
	assert_false(alert_name_valid("$(rm -rf /)"));
	assert_false(alert_name_valid("a b"));
	assert_false(alert_name_valid("é"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_and_refusals),
	    cmocka_unit_test(test_stored_form_round_trip),
	    cmocka_unit_test(test_k_consecutive_windows),
	    cmocka_unit_test(test_share_of_features),
	    cmocka_unit_test(test_names_that_reach_a_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
