/* test_compare.c: what "compare runs" computes — the direction of a metric from
 * its name, which params differ, the best run per metric (ties, NaN, flipped
 * rows) and the deltas against the first run. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "compare.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* ---- helpers ------------------------------------------------------------ */

/* A run holding params p[0..np) and metrics m[0..nm) (borrowed). */
static struct mlc_run run_of(struct mlc_kv *p, size_t np, struct mlc_metric *m, size_t nm)
{
	struct mlc_run r = {
	    .run_id = "r", .params = p, .n_params = np, .metrics = m, .n_metrics = nm};

	return r;
}

/* A run with the single metric key = v. */
static struct mlc_run run_metric(struct mlc_metric *slot, const char *key, double v)
{
	slot->key = key;
	slot->value = v;
	slot->step = 0;
	slot->timestamp = 0;
	return run_of(NULL, 0, slot, 1);
}

/* Assert a and b are equal doubles, or both NaN. */
static void assert_same_double(double a, double b)
{
	if (isnan(a) || isnan(b)) {
		if (!(isnan(a) && isnan(b)))
			fail_msg("%g != %g", a, b);
		return;
	}
	if (a != b)
		fail_msg("%g != %g", a, b);
}

/* Build c from runs[0..n) with flipped[0..nf), asserting success. */
static void build(struct mlc_compare *c, const struct mlc_run *runs, size_t n,
		  const char *const *flipped, size_t nf)
{
	assert_int_equal(compare_build(c, runs, n, flipped, nf), 0);
	assert_int_equal(c->nruns, n);
}

/* ---- direction --------------------------------------------------------------- */

static void test_losses_errors_and_latencies_are_lower_better(void **state)
{
	const char *lower[] = {"loss",	     "val_loss",    "valloss",
			       "train/loss", "test_rmse",   "mean_absolute_error",
			       "latency_ms", "p95-latency", "perplexity",
			       "log_loss",   "WER",	    "Val_LOSS",
			       "mae",	     "mse",	    "mape",
			       "nll",	     "cer",	    "err",
			       "logloss",    "eval.error",  "trainLoss"};

	for (size_t i = 0; i < N(lower); i++)
		if (compare_lower_is_better(lower[i]) != 1)
			fail_msg("%s should be lower-better", lower[i]);
}

static void test_scores_are_higher_better(void **state)
{
	const char *higher[] = {
	    "accuracy", "val_accuracy", "f1",	      "auc",	      "precision",
	    "recall",	"r2",		"throughput", "errors_fixed", "lossy",
	    "glossary", "msec",		"",	      "___",	      "latencyms"};

	for (size_t i = 0; i < N(higher); i++)
		if (compare_lower_is_better(higher[i]) != 0)
			fail_msg("%s should be higher-better", higher[i]);
}

static void test_only_whole_words_count(void **state)
{
	/* "rmse" inside "prmse" is not the word rmse, but "val-rmse" is */
	assert_int_equal(compare_lower_is_better("prmse"), 0);
	assert_int_equal(compare_lower_is_better("val-rmse"), 1);
	assert_int_equal(compare_lower_is_better("error_rate"), 1);
	assert_int_equal(compare_lower_is_better("errorrate"), 0);
}

/* ---- params ---------------------------------------------------------------- */

static void test_params_are_the_sorted_union_of_keys(void **state)
{
	struct mlc_kv a[] = {{"lr", "0.1"}, {"depth", "3"}};
	struct mlc_kv b[] = {{"seed", "1"}, {"depth", "3"}};
	struct mlc_run runs[] = {run_of(a, N(a), NULL, 0), run_of(b, N(b), NULL, 0)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.nparams, 3);
	assert_string_equal(c.params[0].key, "depth");
	assert_string_equal(c.params[1].key, "lr");
	assert_string_equal(c.params[2].key, "seed");
	compare_free(&c);
}

static void test_missing_param_is_null_and_differs(void **state)
{
	struct mlc_kv a[] = {{"depth", "3"}, {"lr", "0.1"}};
	struct mlc_kv b[] = {{"depth", "3"}};
	struct mlc_run runs[] = {run_of(a, N(a), NULL, 0), run_of(b, N(b), NULL, 0)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_string_equal(c.params[1].key, "lr");
	assert_string_equal(c.params[1].values[0], "0.1");
	assert_null(c.params[1].values[1]);
	assert_int_equal(c.params[1].differs, 1);
	assert_int_equal(c.params[0].differs, 0);
	assert_int_equal(c.nparams_differ, 1);
	compare_free(&c);
}

static void test_param_missing_in_the_first_run_differs(void **state)
{
	struct mlc_kv b[] = {{"lr", "0.1"}};
	struct mlc_kv d[] = {{"lr", "0.1"}};
	struct mlc_run runs[] = {run_of(NULL, 0, NULL, 0), run_of(b, N(b), NULL, 0),
				 run_of(d, N(d), NULL, 0)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.nparams, 1);
	assert_null(c.params[0].values[0]);
	assert_int_equal(c.params[0].differs, 1);
	assert_int_equal(c.nparams_differ, 1);
	compare_free(&c);
}

static void test_params_with_different_values_differ(void **state)
{
	struct mlc_kv a[] = {{"lr", "0.1"}, {"opt", "adam"}};
	struct mlc_kv b[] = {{"lr", "0.1"}, {"opt", "sgd"}};
	struct mlc_kv d[] = {{"lr", "0.1"}, {"opt", "adam"}};
	struct mlc_run runs[] = {run_of(a, N(a), NULL, 0), run_of(b, N(b), NULL, 0),
				 run_of(d, N(d), NULL, 0)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.params[0].differs, 0);
	assert_int_equal(c.params[1].differs, 1);
	assert_string_equal(c.params[1].values[1], "sgd");
	assert_int_equal(c.nparams_differ, 1);
	compare_free(&c);
}

static void test_a_single_run_differs_in_nothing(void **state)
{
	struct mlc_kv a[] = {{"lr", "0.1"}, {"opt", "adam"}};
	struct mlc_run runs[] = {run_of(a, N(a), NULL, 0)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.nparams, 2);
	assert_int_equal(c.nparams_differ, 0);
	compare_free(&c);
}

static void test_keys_and_values_are_copied(void **state)
{
	char key[] = "lr", val[] = "0.1", mkey[] = "loss";
	struct mlc_kv a[] = {{key, val}};
	struct mlc_metric m[] = {{.key = mkey, .value = 1}};
	struct mlc_run runs[] = {run_of(a, N(a), m, N(m))};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	memset(key, 'x', 2);
	memset(val, 'x', 3);
	memset(mkey, 'x', 4);
	assert_string_equal(c.params[0].key, "lr");
	assert_string_equal(c.params[0].values[0], "0.1");
	assert_string_equal(c.metrics[0].key, "loss");
	compare_free(&c);
}

/* ---- metrics ------------------------------------------------------------------ */

static void test_metrics_are_the_sorted_union_with_presence(void **state)
{
	struct mlc_metric a[] = {{.key = "loss", .value = 0.5}, {.key = "acc", .value = 0.9}};
	struct mlc_metric b[] = {{.key = "auc", .value = 0.7}};
	struct mlc_run runs[] = {run_of(NULL, 0, a, N(a)), run_of(NULL, 0, b, N(b))};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.nmetrics, 3);
	assert_string_equal(c.metrics[0].key, "acc");
	assert_string_equal(c.metrics[1].key, "auc");
	assert_string_equal(c.metrics[2].key, "loss");
	assert_int_equal(c.metrics[0].present[0], 1);
	assert_int_equal(c.metrics[0].present[1], 0);
	assert_same_double(c.metrics[0].values[1], NAN);
	assert_int_equal(c.metrics[1].present[0], 0);
	assert_same_double(c.metrics[1].values[1], 0.7);
	compare_free(&c);
}

static void test_logged_nan_is_present_but_nan(void **state)
{
	struct mlc_metric m[2];
	struct mlc_run runs[] = {run_metric(&m[0], "loss", NAN), run_metric(&m[1], "loss", 1)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.metrics[0].present[0], 1);
	assert_same_double(c.metrics[0].values[0], NAN);
	assert_int_equal(c.metrics[0].best, 1);
	compare_free(&c);
}

static void test_value_is_the_latest_when_a_key_repeats(void **state)
{
	struct mlc_metric m[] = {
	    {.key = "loss", .value = 9, .step = 1},
	    {.key = "loss", .value = 3, .step = 5},
	    {.key = "loss", .value = 7, .step = 2},
	};
	struct mlc_run runs[] = {run_of(NULL, 0, m, N(m))};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.nmetrics, 1);
	assert_same_double(c.metrics[0].values[0], 3);
	compare_free(&c);
}

static void test_best_is_lowest_for_a_loss(void **state)
{
	struct mlc_metric m[3];
	struct mlc_run runs[] = {run_metric(&m[0], "val_loss", 0.5),
				 run_metric(&m[1], "val_loss", 0.2),
				 run_metric(&m[2], "val_loss", 0.9)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.metrics[0].lower_better, 1);
	assert_int_equal(c.metrics[0].best, 1);
	compare_free(&c);
}

static void test_best_is_highest_for_a_score(void **state)
{
	struct mlc_metric m[3];
	struct mlc_run runs[] = {run_metric(&m[0], "accuracy", 0.5),
				 run_metric(&m[1], "accuracy", 0.2),
				 run_metric(&m[2], "accuracy", 0.9)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.metrics[0].lower_better, 0);
	assert_int_equal(c.metrics[0].best, 2);
	compare_free(&c);
}

static void test_best_tie_goes_to_the_first_run(void **state)
{
	struct mlc_metric m[4];
	struct mlc_run runs[] = {run_metric(&m[0], "f1", 0.1), run_metric(&m[1], "f1", 0.8),
				 run_metric(&m[2], "f1", 0.3), run_metric(&m[3], "f1", 0.8)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.metrics[0].best, 1);
	compare_free(&c);
}

static void test_best_skips_nan_inf_and_missing(void **state)
{
	struct mlc_metric m[4];
	struct mlc_run runs[] = {run_metric(&m[0], "loss", NAN),
				 run_metric(&m[1], "loss", -INFINITY), run_of(NULL, 0, NULL, 0),
				 run_metric(&m[3], "loss", 4)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.metrics[0].best, 3);
	compare_free(&c);
}

static void test_best_is_minus_one_without_finite_values(void **state)
{
	struct mlc_metric m[2];
	struct mlc_run runs[] = {run_metric(&m[0], "auc", NAN), run_of(NULL, 0, NULL, 0),
				 run_metric(&m[1], "auc", INFINITY)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_int_equal(c.metrics[0].best, -1);
	compare_free(&c);
}

static void test_flipped_row_inverts_direction_and_best(void **state)
{
	struct mlc_metric a[] = {{.key = "accuracy", .value = 0.9}, {.key = "loss", .value = 0.1}};
	struct mlc_metric b[] = {{.key = "accuracy", .value = 0.7}, {.key = "loss", .value = 0.3}};
	struct mlc_run runs[] = {run_of(NULL, 0, a, N(a)), run_of(NULL, 0, b, N(b))};
	const char *flipped[] = {"loss", "not_logged"};
	struct mlc_compare c;

	build(&c, runs, N(runs), flipped, N(flipped));
	assert_int_equal(c.nmetrics, 2);
	assert_int_equal(c.metrics[0].lower_better, 0);
	assert_int_equal(c.metrics[0].best, 0);
	assert_int_equal(c.metrics[1].lower_better, 0);
	assert_int_equal(c.metrics[1].best, 1);
	compare_free(&c);
}

static void test_flipping_a_score_makes_it_lower_better(void **state)
{
	struct mlc_metric m[2];
	struct mlc_run runs[] = {run_metric(&m[0], "auc", 0.9), run_metric(&m[1], "auc", 0.6)};
	const char *flipped[] = {"auc"};
	struct mlc_compare c;

	build(&c, runs, N(runs), flipped, N(flipped));
	assert_int_equal(c.metrics[0].lower_better, 1);
	assert_int_equal(c.metrics[0].best, 1);
	compare_free(&c);
}

static void test_deltas_are_against_the_first_run(void **state)
{
	struct mlc_metric m[3];
	struct mlc_run runs[] = {run_metric(&m[0], "loss", 0.5), run_metric(&m[1], "loss", 0.25),
				 run_metric(&m[2], "loss", 2)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_same_double(c.metrics[0].delta[0], 0);
	assert_same_double(c.metrics[0].delta[1], -0.25);
	assert_same_double(c.metrics[0].delta[2], 1.5);
	compare_free(&c);
}

static void test_delta_is_nan_where_either_value_is_not_finite(void **state)
{
	struct mlc_metric m[3];
	struct mlc_run runs[] = {run_metric(&m[0], "loss", 1), run_metric(&m[1], "loss", NAN),
				 run_of(NULL, 0, NULL, 0)};
	struct mlc_run nofirst[] = {run_of(NULL, 0, NULL, 0), run_metric(&m[2], "loss", 2)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_same_double(c.metrics[0].delta[0], 0);
	assert_same_double(c.metrics[0].delta[1], NAN);
	assert_same_double(c.metrics[0].delta[2], NAN);
	compare_free(&c);
	build(&c, nofirst, N(nofirst), NULL, 0);
	assert_same_double(c.metrics[0].delta[0], NAN);
	assert_same_double(c.metrics[0].delta[1], NAN);
	compare_free(&c);
}

static void test_delta_is_nan_against_an_infinite_first_value(void **state)
{
	struct mlc_metric m[2];
	struct mlc_run runs[] = {run_metric(&m[0], "loss", INFINITY), run_metric(&m[1], "loss", 1)};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	assert_same_double(c.metrics[0].values[0], INFINITY);
	assert_same_double(c.metrics[0].delta[1], NAN);
	compare_free(&c);
}

static void test_no_runs_is_an_empty_comparison(void **state)
{
	struct mlc_compare c;

	build(&c, NULL, 0, NULL, 0);
	assert_int_equal(c.nparams, 0);
	assert_int_equal(c.nmetrics, 0);
	assert_null(c.params);
	assert_null(c.metrics);
	compare_free(&c);
}

static void test_free_zeroes_the_comparison(void **state)
{
	struct mlc_kv a[] = {{"lr", "0.1"}};
	struct mlc_metric m[] = {{.key = "loss", .value = 1}};
	struct mlc_run runs[] = {run_of(a, N(a), m, N(m))};
	struct mlc_compare c;

	build(&c, runs, N(runs), NULL, 0);
	compare_free(&c);
	assert_null(c.arena.head);
	assert_null(c.params);
	assert_null(c.metrics);
	assert_int_equal(c.nruns, 0);
	assert_int_equal(c.nparams, 0);
	assert_int_equal(c.nmetrics, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_losses_errors_and_latencies_are_lower_better),
	    cmocka_unit_test(test_scores_are_higher_better),
	    cmocka_unit_test(test_only_whole_words_count),
	    cmocka_unit_test(test_params_are_the_sorted_union_of_keys),
	    cmocka_unit_test(test_missing_param_is_null_and_differs),
	    cmocka_unit_test(test_param_missing_in_the_first_run_differs),
	    cmocka_unit_test(test_params_with_different_values_differ),
	    cmocka_unit_test(test_a_single_run_differs_in_nothing),
	    cmocka_unit_test(test_keys_and_values_are_copied),
	    cmocka_unit_test(test_metrics_are_the_sorted_union_with_presence),
	    cmocka_unit_test(test_logged_nan_is_present_but_nan),
	    cmocka_unit_test(test_value_is_the_latest_when_a_key_repeats),
	    cmocka_unit_test(test_best_is_lowest_for_a_loss),
	    cmocka_unit_test(test_best_is_highest_for_a_score),
	    cmocka_unit_test(test_best_tie_goes_to_the_first_run),
	    cmocka_unit_test(test_best_skips_nan_inf_and_missing),
	    cmocka_unit_test(test_best_is_minus_one_without_finite_values),
	    cmocka_unit_test(test_flipped_row_inverts_direction_and_best),
	    cmocka_unit_test(test_flipping_a_score_makes_it_lower_better),
	    cmocka_unit_test(test_deltas_are_against_the_first_run),
	    cmocka_unit_test(test_delta_is_nan_where_either_value_is_not_finite),
	    cmocka_unit_test(test_delta_is_nan_against_an_infinite_first_value),
	    cmocka_unit_test(test_no_runs_is_an_empty_comparison),
	    cmocka_unit_test(test_free_zeroes_the_comparison),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
