/* test_drift.c: the drift statistics reproduce SciPy 1.10 / NumPy 1.24 and
 * Evidently on the samples in tests/fixtures/drift (oracle_*.json), plus the
 * edge cases: tiny samples, ties, constant columns, NaN/inf, categories. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "drift.h"

#define FIXTURES MLC_SRCDIR "/tests/fixtures/drift/"
#define N(a) (sizeof(a) / sizeof *(a))

/* ---- helpers -------------------------------------------------------------- */

/* Assert got agrees with want to 1e-9 relative or 1e-12 absolute. */
#define assert_close(got, want) assert_close_at((got), (want), __FILE__, __LINE__)

/* The check behind assert_close, reporting the caller's line. */
static void assert_close_at(double got, double want, const char *file, int line)
{
	double diff = fabs(got - want);

	if (isnan(got) || isnan(want) || (diff > 1e-12 && diff > 1e-9 * fabs(want)))
		fail_msg("%s:%d: got %.17g, want %.17g (rel %.3g)", file, line, got, want,
			 diff / fabs(want));
}

/* The lines of a fixture file, NUL-terminated, in a malloc'd array of
 * malloc'd strings; *n gets the count. */
static char **read_lines(const char *name, size_t *n)
{
	char path[512], buf[256], **lines = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof path, FIXTURES "%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	*n = 0;
	while (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		if (*n == cap)
			lines = realloc(lines, (cap = cap ? 2 * cap : 1024) * sizeof *lines);
		lines[(*n)++] = strdup(buf);
	}
	fclose(f);
	return lines;
}

/* Free what read_lines returned. */
static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* A fixture column of numbers (malloc'd). */
static double *read_numbers(const char *name, size_t *n)
{
	char **lines = read_lines(name, n);
	double *v = malloc((*n + 1) * sizeof *v);

	for (size_t i = 0; i < *n; i++)
		v[i] = strtod(lines[i], NULL);
	free_lines(lines, *n);
	return v;
}

/* An oracle file's JSON document. */
static json_t *oracle(const char *name)
{
	char path[512];
	json_t *j;

	snprintf(path, sizeof path, FIXTURES "%s", name);
	j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	return j;
}

/* The number at a dotted path ("ks.statistic_D") in an oracle document. */
static double onum(json_t *root, const char *path)
{
	char key[128];
	const char *dot;
	json_t *j = root;

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
		j = json_object_get(j, key);
		path = dot + 1;
	}
	j = json_object_get(j, path);
	assert_true(json_is_number(j));
	return json_number_value(j);
}

/* The boolean at a dotted path. */
static int obool(json_t *root, const char *section, const char *key)
{
	json_t *j = json_object_get(json_object_get(root, section), key);

	assert_true(json_is_boolean(j));
	return json_is_true(j);
}

/* The two numeric samples of a data set ("num" or "small") and its oracle. */
struct sample {
	double *ref, *cur;
	size_t n1, n2;
	json_t *o;
};

/* Load a data set. */
static struct sample load(const char *set)
{
	struct sample s;
	char name[64];

	snprintf(name, sizeof name, "%s_ref.csv", set);
	s.ref = read_numbers(name, &s.n1);
	snprintf(name, sizeof name, "%s_cur.csv", set);
	s.cur = read_numbers(name, &s.n2);
	snprintf(name, sizeof name, "oracle_%s.json", set);
	s.o = oracle(name);
	return s;
}

/* Release a data set. */
static void unload(struct sample *s)
{
	free(s->ref);
	free(s->cur);
	json_decref(s->o);
}

/* drift_compute with method m (and binning b), asserting success. */
static struct drift_result run(const struct sample *s, enum drift_method m, enum drift_binning b)
{
	struct drift_options opt = {.method = m, .binning = b};
	struct drift_result r;
	struct mlc_error err = {0};

	if (drift_compute(s->ref, s->n1, s->cur, s->n2, &opt, &r, &err) < 0)
		fail_msg("drift_compute: %s", err.msg);
	return r;
}

/* drift_compute on plain arrays, asserting success. */
static struct drift_result run_values(const double *ref, size_t n1, const double *cur, size_t n2,
				      enum drift_method m)
{
	struct sample s = {(double *)ref, (double *)cur, n1, n2, NULL};

	return run(&s, m, DRIFT_BINNING_EVIDENTLY);
}

/* drift_compute_labels with method m, asserting success. */
static struct drift_result run_labels(const char *const *ref, size_t n1, const char *const *cur,
				      size_t n2, enum drift_method m)
{
	struct drift_options opt = {.method = m};
	struct drift_result r;
	struct mlc_error err = {0};

	if (drift_compute_labels(ref, n1, cur, n2, &opt, &r, &err) < 0)
		fail_msg("drift_compute_labels: %s", err.msg);
	return r;
}

/* The categorical fixture's results for method m. */
static struct drift_result run_cat(enum drift_method m)
{
	size_t n1, n2;
	char **r = read_lines("cat_ref.csv", &n1), **c = read_lines("cat_cur.csv", &n2);
	struct drift_result res =
	    run_labels((const char *const *)r, n1, (const char *const *)c, n2, m);

	free_lines(r, n1);
	free_lines(c, n2);
	return res;
}

/* Assert a result's shares equal the oracle's percent arrays exactly. */
static void assert_shares(const struct drift_result *r, json_t *o, const char *section)
{
	json_t *ref = json_object_get(json_object_get(o, section), "ref_percents");
	json_t *cur = json_object_get(json_object_get(o, section), "cur_percents");

	assert_int_equal(r->n_bins, json_array_size(ref));
	assert_int_equal(r->n_bins, json_array_size(cur));
	for (size_t i = 0; i < r->n_bins; i++) {
		assert_true(r->ref_shares[i] == json_number_value(json_array_get(ref, i)));
		assert_true(r->cur_shares[i] == json_number_value(json_array_get(cur, i)));
	}
}

/* ---- KS ----------------------------------------------------------------- */

static void test_auto_is_ks_with_exact_p_and_d_matching_scipy_on_1000_vs_1200(void **state)
{
	struct sample s = load("num");
	struct drift_result r = run(&s, DRIFT_AUTO, DRIFT_BINNING_EVIDENTLY);

	assert_int_equal(r.method, DRIFT_KS);
	assert_true(r.statistic == onum(s.o, "ks.statistic_D"));
	assert_close(r.p_value, onum(s.o, "ks.pvalue_exact"));
	assert_true(r.score == r.p_value);
	assert_int_equal(r.ks_exact, 1);
	assert_true(r.threshold == onum(s.o, "evidently_auto.default_threshold"));
	assert_int_equal(r.drift, obool(s.o, "ks", "evidently_ks_drift_at_0.05"));
	assert_int_equal(r.n_reference, 1000);
	assert_int_equal(r.n_current, 1200);
	drift_result_free(&r);
	unload(&s);
}

static void test_ks_exact_p_matches_scipy_on_40_vs_50(void **state)
{
	struct sample s = load("small");
	struct drift_result r = run(&s, DRIFT_KS, DRIFT_BINNING_EVIDENTLY);

	assert_true(r.statistic == onum(s.o, "ks.statistic_D"));
	assert_close(r.p_value, onum(s.o, "ks.pvalue_auto"));
	assert_int_equal(r.drift, obool(s.o, "ks", "evidently_ks_drift_at_0.05"));
	drift_result_free(&r);
	unload(&s);
}

static void test_ks_exact_p_for_given_d_matches_scipy(void **state)
{
	assert_close(drift_ks_exact_p(1000, 1200, 0.1405), 7.568940325993483e-10);
	assert_close(drift_ks_exact_p(40, 50, 0.195), 0.32557951131988605);
	assert_close(drift_ks_exact_p(10, 10, 0.0), 1.0);
}

static void test_kstwo_sf_matches_scipy_asymptotic_p_of_the_oracles(void **state)
{
	/* method='asymp' keeps D unsnapped: i/n1 - j/n2 as NumPy rounds it */
	const char *sets[] = {"num", "small"};
	const double unsnapped[] = {0.14049999999999996, 0.19500000000000006};

	for (size_t i = 0; i < N(sets); i++) {
		struct sample s = load(sets[i]);
		long n = (long)onum(s.o, "ks.en_rounded");
		double want = onum(s.o, "ks.pvalue_asymp");

		assert_close(drift_kstwo_sf(unsnapped[i], n), want);
		assert_true(fabs(drift_kstwo_sf(unsnapped[i], n) - want) <= 1e-15 * want);
		assert_close(drift_kstwo_sf(onum(s.o, "ks.statistic_D"), n), want);
		unload(&s);
	}
}

static void test_kstwo_sf_matches_scipy_in_every_regime(void **state)
{
	/* scipy.stats.kstwo.sf(x, n), SciPy 1.10.1; the comment names the branch */
	static const struct {
		long n;
		double x, sf;
	} v[] = {
	    {10, 0.1, 0.99963712},		       /* Ruben-Gambino, n x = 1 */
	    {40, 0.02, 1.0},			       /* Ruben-Gambino, n x < 1 */
	    {3, 0.9, 0.0019999999999999987},	       /* n x >= n - 1 */
	    {50, 0.6, 9.634070456142374e-18},	       /* x >= 0.5: 2 smirnov */
	    {1000, 0.5, 1.064517291557782e-231},       /* x >= 0.5, tiny */
	    {100, 0.05, 0.9532159710635725},	       /* Durbin matrix */
	    {22, 0.195, 0.32896705741057974},	       /* Pomeranz */
	    {100, 0.3, 1.7719869892662917e-08},	       /* n <= 140: 2 smirnov */
	    {140, 0.25, 3.391572437071032e-08},	       /* n <= 140: 2 smirnov */
	    {200, 0.05, 0.6802625495871704},	       /* Pelz-Good */
	    {5000, 0.003, 0.9999999999740126},	       /* Durbin matrix, large n */
	    {5000, 0.005, 0.9995858441477996},	       /* Pelz-Good */
	    {5000, 0.03, 0.00024159234422666817},      /* 2 smirnov, lower sum */
	    {200000, 0.0015, 0.758498392324318},       /* Pelz-Good, n > 1e5 */
	    {2000000, 0.001, 0.03660662431970485},     /* Pelz-Good, n > 1e6 */
	    {2000000, 0.0015, 0.00024657290508461606}, /* smirnov's approximation */
	};

	for (size_t i = 0; i < N(v); i++)
		assert_close(drift_kstwo_sf(v[i].x, v[i].n), v[i].sf);
	assert_true(drift_kstwo_sf(0.5, 1000000) == 0.0); /* n x^2 >= 370 */
	assert_true(drift_kstwo_sf(1.0, 5) == 0.0);
	assert_true(drift_kstwo_sf(0.0, 5) == 1.0);
}

/* Deterministic samples beyond the exact limit: fractional parts of i*phi. */
static void big_samples(double **ref, double **cur, double stretch)
{
	*ref = malloc(12000 * sizeof **ref);
	*cur = malloc(15000 * sizeof **cur);
	for (int i = 0; i < 12000; i++)
		(*ref)[i] = fmod(i * 0.6180339887498949, 1.0);
	for (int j = 0; j < 15000; j++)
		(*cur)[j] = stretch ? fmod(j * 0.7548776662466927, 1.0) * stretch - 0.02
				    : fmod(j * 0.7548776662466927, 1.0);
}

static void test_ks_is_asymptotic_above_10000_and_matches_scipy(void **state)
{
	double *ref, *cur;
	struct drift_result r;

	big_samples(&ref, &cur, 1.05);
	r = run_values(ref, 12000, cur, 15000, DRIFT_KS);
	assert_int_equal(r.ks_exact, 0);
	assert_true(r.statistic == 0.028650000000000064); /* ks_2samp, unsnapped D */
	assert_close(r.p_value, 3.457301747379908e-05);
	assert_true(r.drift);
	drift_result_free(&r);
	free(ref);
	free(cur);
}

static void test_ks_asymptotic_without_drift_gives_p_one(void **state)
{
	double *ref, *cur;
	struct drift_result r;

	big_samples(&ref, &cur, 0);
	r = run_values(ref, 12000, cur, 15000, DRIFT_KS);
	assert_true(r.statistic == 0.0003833333333333466);
	assert_close(r.p_value, 1.0);
	assert_false(r.drift);
	drift_result_free(&r);
	free(ref);
	free(cur);
}

static void test_ks_one_value_each_is_d_one_p_one(void **state)
{
	double a[] = {1.0}, b[] = {2.0};
	struct drift_result r = run_values(a, 1, b, 1, DRIFT_KS);

	assert_true(r.statistic == 1.0);
	assert_close(r.p_value, 1.0); /* SciPy: 1.0 */
	drift_result_free(&r);
}

static void test_ks_ties_use_right_continuous_cdfs(void **state)
{
	double a[] = {1, 1, 2, 2}, b[] = {1, 2, 2, 2};
	double c[] = {0, 0, 0, 1, 1, 2, 2, 2, 3, 0, 0, 0, 1, 1,
		      2, 2, 2, 3, 0, 0, 0, 1, 1, 2, 2, 2, 3};
	double d[] = {0, 1, 1, 1, 2, 2, 3, 3, 3, 3};
	struct drift_result r = run_values(a, N(a), b, N(b), DRIFT_KS);

	assert_true(r.statistic == 0.25);
	assert_close(r.p_value, 1.0);
	drift_result_free(&r);
	r = run_values(c, N(c), d, N(d), DRIFT_KS);
	assert_true(r.statistic == 0.28888888888888886);
	assert_close(r.p_value, 0.48676509574239074);
	drift_result_free(&r);
}

/* ---- Wasserstein ---------------------------------------------------------- */

/* qsort order for doubles. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_wasserstein_is_normed_by_the_reference_std_as_evidently(void **state)
{
	const char *sets[] = {"num", "small"};

	for (size_t i = 0; i < N(sets); i++) {
		struct sample s = load(sets[i]);
		struct drift_result r = run(&s, DRIFT_WASSERSTEIN, DRIFT_BINNING_EVIDENTLY);

		assert_close(r.score, onum(s.o, "wasserstein.normed_evidently"));
		assert_true(r.statistic == r.score);
		assert_true(isnan(r.p_value));
		assert_int_equal(r.drift, obool(s.o, "wasserstein", "drift_at_0.1"));
		assert_close(drift_std0(s.ref, s.n1), onum(s.o, "ref_std_ddof0"));
		assert_close(drift_std0(s.cur, s.n2), onum(s.o, "cur_std_ddof0"));
		qsort(s.ref, s.n1, sizeof *s.ref, cmp_double);
		qsort(s.cur, s.n2, sizeof *s.cur, cmp_double);
		assert_close(drift_wasserstein_raw(s.ref, s.n1, s.cur, s.n2),
			     onum(s.o, "wasserstein.distance"));
		drift_result_free(&r);
		unload(&s);
	}
}

static void test_wasserstein_raw_is_the_area_between_the_cdfs(void **state)
{
	double u[] = {0, 1, 3}, v[] = {5, 6, 8};

	assert_close(drift_wasserstein_raw(u, 3, v, 3), 5.0); /* a shift by 5 */
	assert_close(drift_wasserstein_raw(u, 3, u, 3), 0.0);
}

static void test_constant_reference_norms_wasserstein_by_one_thousandth(void **state)
{
	double a[] = {2, 2, 2, 2}, b[] = {3, 3, 3};
	struct drift_result r = run_values(a, N(a), b, N(b), DRIFT_WASSERSTEIN);

	assert_close(r.score, 1000.0);
	assert_true(r.drift);
	drift_result_free(&r);
}

/* ---- binned distances --------------------------------------------------------- */

static void test_evidently_bins_are_sturges_over_both_samples(void **state)
{
	const char *sets[] = {"num", "small"};

	for (size_t i = 0; i < N(sets); i++) {
		struct sample s = load(sets[i]);
		struct drift_result r = run(&s, DRIFT_PSI, DRIFT_BINNING_EVIDENTLY);

		assert_int_equal(r.n_bins, (size_t)onum(s.o, "evidently_binned.n_bins"));
		assert_null(r.labels);
		assert_true(r.edges[0] == onum(s.o, "evidently_binned.first_edge"));
		assert_true(r.edges[r.n_bins] == onum(s.o, "evidently_binned.last_edge"));
		assert_int_equal(r.shares_scored, 1);
		assert_shares(&r, s.o, "evidently_binned");
		drift_result_free(&r);
		unload(&s);
	}
}

static void test_shares_are_stored_before_zero_fill(void **state)
{
	struct sample s = load("num");
	struct drift_result r = run(&s, DRIFT_PSI, DRIFT_BINNING_EVIDENTLY);

	assert_true(r.ref_shares[12] == 0.0); /* the empty last reference bin */
	drift_result_free(&r);
	unload(&s);
}

static void test_psi_kl_and_js_match_evidently_on_both_numeric_sets(void **state)
{
	const char *sets[] = {"num", "small"};

	for (size_t i = 0; i < N(sets); i++) {
		struct sample s = load(sets[i]);
		struct drift_result psi = run(&s, DRIFT_PSI, DRIFT_BINNING_EVIDENTLY);
		struct drift_result kl = run(&s, DRIFT_KL_DIV, DRIFT_BINNING_EVIDENTLY);
		struct drift_result js = run(&s, DRIFT_JENSENSHANNON, DRIFT_BINNING_EVIDENTLY);

		assert_close(psi.score, onum(s.o, "evidently_binned.psi"));
		assert_close(kl.score, onum(s.o, "evidently_binned.kl_div"));
		assert_close(js.score, onum(s.o, "evidently_binned.jensenshannon_distance_ln"));
		assert_int_equal(psi.drift, obool(s.o, "evidently_binned", "psi_drift_at_0.1"));
		assert_int_equal(kl.drift, obool(s.o, "evidently_binned", "kl_drift_at_0.1"));
		assert_int_equal(js.drift,
				 obool(s.o, "evidently_binned", "jensenshannon_drift_at_0.1"));
		assert_true(psi.statistic == psi.score);
		assert_true(isnan(psi.p_value));
		drift_result_free(&psi);
		drift_result_free(&kl);
		drift_result_free(&js);
		unload(&s);
	}
}

static void test_hellinger_matches_evidently_on_both_numeric_sets(void **state)
{
	const char *sets[] = {"num", "small"};

	for (size_t i = 0; i < N(sets); i++) {
		struct sample s = load(sets[i]);
		struct drift_result r = run(&s, DRIFT_HELLINGER, DRIFT_BINNING_EVIDENTLY);

		assert_close(r.score, onum(s.o, "evidently_hellinger.hellinger"));
		assert_int_equal(r.n_bins, (size_t)onum(s.o, "evidently_hellinger.n_bins"));
		drift_result_free(&r);
		unload(&s);
	}
}

static void test_deciles_give_the_industry_psi(void **state)
{
	const char *sets[] = {"num", "small"};

	for (size_t i = 0; i < N(sets); i++) {
		struct sample s = load(sets[i]);
		struct drift_result r = run(&s, DRIFT_PSI, DRIFT_BINNING_DECILES);
		json_t *inner =
		    json_object_get(json_object_get(s.o, "psi_industry_decile10"), "inner_edges");

		assert_int_equal(r.binning, DRIFT_BINNING_DECILES);
		assert_int_equal(r.n_bins, 10);
		assert_true(isinf(r.edges[0]) && r.edges[0] < 0);
		assert_true(isinf(r.edges[10]) && r.edges[10] > 0);
		for (size_t k = 0; k < 9; k++)
			assert_close(r.edges[k + 1], json_number_value(json_array_get(inner, k)));
		assert_shares(&r, s.o, "psi_industry_decile10");
		assert_close(r.score, onum(s.o, "psi_industry_decile10.psi"));
		drift_result_free(&r);
		unload(&s);
	}
}

static void test_deciles_of_tied_reference_leave_empty_bins_zero_filled(void **state)
{
	double ref[40], cur[30], sum = 0;
	struct sample s = {ref, cur, 40, 30, NULL};
	struct drift_result r;

	for (int i = 0; i < 40; i++)
		ref[i] = i < 30 ? 1.0 : 2.0; /* deciles 1, ..., 1, 2: empty bins */
	for (int i = 0; i < 30; i++)
		cur[i] = i % 3;
	r = run(&s, DRIFT_PSI, DRIFT_BINNING_DECILES);
	assert_true(r.ref_shares[1] == 0.0);
	assert_true(isfinite(r.score));
	assert_true(r.score > 0.1);
	for (size_t k = 0; k < r.n_bins; k++)
		sum += r.ref_shares[k];
	assert_close(sum, 1.0);
	drift_result_free(&r);
}

static void test_few_distinct_values_get_one_bin_each(void **state)
{
	double ref[] = {1, 2, 2, 3, 3, 3, 1, 2, 3, 3}, cur[] = {1, 1, 1, 2, 4, 4};
	struct drift_result r = run_values(ref, N(ref), cur, N(cur), DRIFT_PSI);

	assert_int_equal(r.n_bins, 4);
	assert_null(r.edges);
	assert_string_equal(r.labels[0], "1");
	assert_string_equal(r.labels[3], "4");
	assert_true(r.ref_shares[3] == 0.0);
	assert_true(r.cur_shares[0] == 0.5);
	drift_result_free(&r);
}

static void test_zero_fill_is_a_millionth_of_a_tiny_smallest_share(void **state)
{
	double a[] = {0.5, 0, 0.5}, b[] = {0.99995, 0.00005, 0};

	drift_zero_fill(a, 3);
	drift_zero_fill(b, 3);
	assert_true(a[1] == 0.0001);
	assert_true(b[2] == 0.00005 / 1e6);
}

/* ---- categories --------------------------------------------------------------- */

static void test_auto_is_chisquare_matching_evidently_on_categories(void **state)
{
	json_t *o = oracle("oracle_cat.json");
	struct drift_result r = run_cat(DRIFT_AUTO);

	assert_int_equal(r.method, DRIFT_CHISQUARE);
	assert_int_equal(r.categorical, 1);
	assert_close(r.statistic, onum(o, "evidently_chisquare.statistic"));
	assert_close(r.p_value, onum(o, "evidently_chisquare.pvalue"));
	assert_int_equal(r.drift, obool(o, "evidently_chisquare", "drift_at_0.05"));
	assert_shares(&r, o, "evidently_binned");
	assert_string_equal(r.labels[0], "a");
	json_decref(o);
	drift_result_free(&r);
}

static void test_category_distances_match_evidently(void **state)
{
	json_t *o = oracle("oracle_cat.json");
	struct drift_result psi = run_cat(DRIFT_PSI), kl = run_cat(DRIFT_KL_DIV);
	struct drift_result js = run_cat(DRIFT_JENSENSHANNON), h = run_cat(DRIFT_HELLINGER);

	assert_close(psi.score, onum(o, "evidently_binned.psi"));
	assert_close(kl.score, onum(o, "evidently_binned.kl_div"));
	assert_close(js.score, onum(o, "evidently_binned.jensenshannon_distance_ln"));
	assert_close(h.score, onum(o, "hellinger_categorical"));
	assert_int_equal(psi.drift, obool(o, "evidently_binned", "psi_drift_at_0.1"));
	assert_int_equal(kl.drift, obool(o, "evidently_binned", "kl_drift_at_0.1"));
	assert_int_equal(js.drift, obool(o, "evidently_binned", "jensenshannon_drift_at_0.1"));
	json_decref(o);
	drift_result_free(&psi);
	drift_result_free(&kl);
	drift_result_free(&js);
	drift_result_free(&h);
}

static void test_z_test_compares_the_smallest_category_with_the_rest(void **state)
{
	struct drift_result r = run_cat(DRIFT_Z);

	/* SciPy: p1 = 599/1000, p2 = 766/1200, 2 (1 - norm.cdf(|z|)) */
	assert_close(r.statistic, -1.893011065385127);
	assert_close(r.p_value, 0.05835639794736114);
	assert_false(r.drift);
	assert_int_equal(r.status, DRIFT_STATUS_WARN);
	drift_result_free(&r);
}

static void test_one_shared_category_is_no_drift(void **state)
{
	const char *a[] = {"x", "x", "x"}, *b[] = {"x", "x"};
	struct drift_result z = run_labels(a, 3, b, 2, DRIFT_AUTO);
	struct drift_result chi = run_labels(a, 3, b, 2, DRIFT_CHISQUARE);

	assert_int_equal(z.method, DRIFT_Z);
	assert_true(z.p_value == 1.0);
	assert_false(z.drift);
	assert_true(chi.p_value == 1.0); /* SciPy: NaN (dof 0); same verdict */
	assert_false(chi.drift);
	drift_result_free(&z);
	drift_result_free(&chi);
}

static void test_unseen_category_in_current_makes_chisquare_drift(void **state)
{
	const char *a[] = {"a", "b", "a", "b"}, *b[] = {"a", "b", "c"};
	struct drift_result r = run_labels(a, 4, b, 3, DRIFT_CHISQUARE);

	assert_true(isinf(r.statistic));
	assert_true(r.p_value == 0.0);
	assert_true(r.drift);
	assert_int_equal(r.n_bins, 3);
	assert_string_equal(r.labels[2], "c");
	assert_true(r.ref_shares[2] == 0.0);
	drift_result_free(&r);
}

static void test_unseen_category_is_zero_filled_for_psi(void **state)
{
	const char *a[] = {"a", "b", "a", "b"}, *b[] = {"a", "b", "c", "c"};
	struct drift_result r = run_labels(a, 4, b, 4, DRIFT_PSI);
	/* ref (.5, .5, 1e-4), cur (.25, .25, .5) */
	double want = 2 * (0.25 * log(2.0)) + (0.0001 - 0.5) * log(0.0001 / 0.5);

	assert_close(r.score, want);
	drift_result_free(&r);
}

static void test_ks_and_wasserstein_refuse_categories(void **state)
{
	const char *a[] = {"a"}, *b[] = {"b"};
	struct drift_options opt = {.method = DRIFT_KS};
	struct drift_result r;
	struct mlc_error err = {0};

	assert_int_equal(drift_compute_labels(a, 1, b, 1, &opt, &r, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, "needs numbers"));
	opt.method = DRIFT_WASSERSTEIN;
	assert_int_equal(drift_compute_labels(a, 1, b, 1, &opt, &r, &err), -1);
}

/* ---- NaN, infinities, empty columns ------------------------------------------- */

static void test_nan_and_infinities_are_dropped(void **state)
{
	double a[] = {1, NAN, 2, INFINITY, 3, -INFINITY, 4, 5, 6}, b[] = {2, 3, 4, NAN, 7, 8};
	double ca[] = {1, 2, 3, 4, 5, 6}, cb[] = {2, 3, 4, 7, 8};
	struct drift_result r = run_values(a, N(a), b, N(b), DRIFT_WASSERSTEIN);
	struct drift_result clean = run_values(ca, N(ca), cb, N(cb), DRIFT_WASSERSTEIN);

	assert_int_equal(r.n_reference, 6);
	assert_int_equal(r.n_current, 5);
	assert_int_equal(r.n_dropped_reference, 3);
	assert_int_equal(r.n_dropped_current, 1);
	assert_true(r.score == clean.score);
	drift_result_free(&r);
	drift_result_free(&clean);
}

static void test_all_nan_column_is_an_error(void **state)
{
	double a[] = {NAN, INFINITY, NAN}, b[] = {1, 2};
	struct drift_result r;
	struct mlc_error err = {0};

	assert_int_equal(drift_compute(a, 3, b, 2, NULL, &r, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, "reference sample is empty"));
	assert_int_equal(drift_compute(b, 2, a, 3, NULL, &r, &err), -1);
	assert_non_null(strstr(err.msg, "current sample is empty"));
	assert_int_equal(drift_compute(b, 2, b, 0, NULL, &r, &err), -1);
}

static void test_empty_label_sample_is_an_error(void **state)
{
	const char *a[] = {"a"};
	struct drift_result r;
	struct mlc_error err = {0};

	assert_int_equal(drift_compute_labels(a, 1, a, 0, NULL, &r, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
}

/* ---- constant columns and tiny samples ------------------------------------------ */

static void test_equal_constant_columns_show_no_drift(void **state)
{
	double a[] = {4, 4, 4, 4, 4}, b[] = {4, 4, 4};
	enum drift_method m[] = {DRIFT_AUTO,   DRIFT_KS, DRIFT_WASSERSTEIN, DRIFT_PSI,
				 DRIFT_KL_DIV, DRIFT_Z,	 DRIFT_CHISQUARE,   DRIFT_JENSENSHANNON};

	for (size_t i = 0; i < N(m); i++) {
		struct drift_result r = run_values(a, N(a), b, N(b), m[i]);

		if (m[i] == DRIFT_AUTO)
			assert_int_equal(r.method, DRIFT_Z);
		assert_false(r.drift);
		assert_true(drift_method_is_test(r.method) ? r.score == 1.0 : r.score == 0.0);
		drift_result_free(&r);
	}
}

static void test_hellinger_of_one_shared_value_is_one_as_in_evidently(void **state)
{
	double a[] = {4, 4, 4}, b[] = {4, 4};
	struct drift_result r = run_values(a, N(a), b, N(b), DRIFT_HELLINGER);

	assert_true(r.score == 1.0); /* Evidently's bin width (max - min) / bins is 0 */
	drift_result_free(&r);
}

static void test_tiny_samples_compute_every_method(void **state)
{
	double a[] = {0.5}, b[] = {0.25, 0.75};

	for (int m = DRIFT_AUTO; m <= DRIFT_Z; m++) {
		struct drift_result r = run_values(a, 1, b, 2, (enum drift_method)m);

		assert_false(isnan(r.score));
		assert_true(r.n_bins > 0);
		drift_result_free(&r);
	}
}

/* ---- the automatic choice ------------------------------------------------------- */

/* The method auto picks for n1 reference values cycling through u values. */
static enum drift_method auto_for(size_t n1, int u)
{
	double *ref = malloc(n1 * sizeof *ref), cur[] = {0, 1};
	struct drift_result r;
	enum drift_method m;

	for (size_t i = 0; i < n1; i++)
		ref[i] = (double)(i % (size_t)u);
	r = run_values(ref, n1, cur, 2, DRIFT_AUTO);
	m = r.method;
	drift_result_free(&r);
	free(ref);
	return m;
}

static void test_auto_picks_as_evidently_for_numbers(void **state)
{
	assert_int_equal(auto_for(1000, 6), DRIFT_KS);
	assert_int_equal(auto_for(1000, 5), DRIFT_CHISQUARE);
	assert_int_equal(auto_for(1000, 2), DRIFT_Z);
	assert_int_equal(auto_for(1001, 6), DRIFT_WASSERSTEIN);
	assert_int_equal(auto_for(1001, 5), DRIFT_JENSENSHANNON);
}

static void test_auto_picks_as_evidently_for_categories(void **state)
{
	const char *three[] = {"a", "b", "c"}, *two[] = {"a", "b"};
	const char **many = malloc(1001 * sizeof *many);
	struct drift_result r;

	r = run_labels(three, 3, two, 2, DRIFT_AUTO);
	assert_int_equal(r.method, DRIFT_CHISQUARE);
	drift_result_free(&r);
	r = run_labels(two, 2, two, 2, DRIFT_AUTO);
	assert_int_equal(r.method, DRIFT_Z);
	drift_result_free(&r);
	for (int i = 0; i < 1001; i++)
		many[i] = two[i % 2];
	r = run_labels(many, 1001, two, 2, DRIFT_AUTO);
	assert_int_equal(r.method, DRIFT_JENSENSHANNON);
	assert_true(r.threshold == 0.1);
	drift_result_free(&r);
	free(many);
}

/* ---- thresholds, verdicts, dataset drift ------------------------------------------ */

static void test_default_thresholds_are_evidently(void **state)
{
	assert_true(drift_default_threshold(DRIFT_KS) == 0.05);
	assert_true(drift_default_threshold(DRIFT_CHISQUARE) == 0.05);
	assert_true(drift_default_threshold(DRIFT_Z) == 0.05);
	assert_true(drift_default_threshold(DRIFT_WASSERSTEIN) == 0.1);
	assert_true(drift_default_threshold(DRIFT_PSI) == 0.1);
	assert_true(drift_default_threshold(DRIFT_HELLINGER) == 0.1);
}

static void test_ks_drifts_at_p_equal_threshold_other_tests_only_below(void **state)
{
	assert_true(drift_is_drift(DRIFT_KS, 0.05, 0.05));
	assert_false(drift_is_drift(DRIFT_CHISQUARE, 0.05, 0.05));
	assert_false(drift_is_drift(DRIFT_Z, 0.05, 0.05));
	assert_true(drift_is_drift(DRIFT_Z, 0.0499, 0.05));
	assert_true(drift_is_drift(DRIFT_PSI, 0.1, 0.1));
	assert_false(drift_is_drift(DRIFT_PSI, 0.0999, 0.1));
}

static void test_status_warns_at_half_the_distance_or_twice_the_p(void **state)
{
	assert_int_equal(drift_status(DRIFT_PSI, 0.05, 0.1), DRIFT_STATUS_WARN);
	assert_int_equal(drift_status(DRIFT_PSI, 0.049, 0.1), DRIFT_STATUS_OK);
	assert_int_equal(drift_status(DRIFT_PSI, 0.25, 0.1), DRIFT_STATUS_DRIFT);
	assert_int_equal(drift_status(DRIFT_KS, 0.09, 0.05), DRIFT_STATUS_WARN);
	assert_int_equal(drift_status(DRIFT_KS, 0.1, 0.05), DRIFT_STATUS_OK);
	assert_int_equal(drift_status(DRIFT_KS, 0.05, 0.05), DRIFT_STATUS_DRIFT);
	assert_int_equal(drift_status(DRIFT_KS, NAN, 0.05), DRIFT_STATUS_OK);
	assert_string_equal(drift_status_name(DRIFT_STATUS_WARN), "warn");
}

static void test_user_threshold_replaces_the_default(void **state)
{
	struct sample s = load("num");
	struct drift_options opt = {.method = DRIFT_PSI, .have_threshold = 1, .threshold = 0.25};
	struct drift_result r;
	struct mlc_error err = {0};

	assert_int_equal(drift_compute(s.ref, s.n1, s.cur, s.n2, &opt, &r, &err), 0);
	assert_true(r.threshold == 0.25);
	assert_false(r.drift); /* 0.154 < 0.25 */
	assert_int_equal(r.status, DRIFT_STATUS_WARN);
	drift_result_free(&r);
	unload(&s);
}

static void test_threshold_out_of_range_is_an_error(void **state)
{
	double a[] = {1, 2, 3}, b[] = {2, 3, 4};
	struct drift_options opt = {.method = DRIFT_KS, .have_threshold = 1, .threshold = 1.5};
	struct drift_result r;
	struct mlc_error err = {0};

	assert_int_equal(drift_compute(a, 3, b, 3, &opt, &r, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	opt.method = DRIFT_PSI;
	opt.threshold = -0.1;
	assert_int_equal(drift_compute(a, 3, b, 3, &opt, &r, &err), -1);
	opt.threshold = 1.5; /* distances may exceed 1 */
	assert_int_equal(drift_compute(a, 3, b, 3, &opt, &r, &err), 0);
	drift_result_free(&r);
}

static void test_dataset_drifts_when_half_the_features_drift(void **state)
{
	struct drift_result res[4] = {{.drift = 1}, {.drift = 0}, {.drift = 1}, {.drift = 0}};
	int dd = -1;

	assert_true(drift_dataset(res, 4, DRIFT_DATASET_SHARE, &dd) == 0.5);
	assert_int_equal(dd, 1);
	assert_true(drift_dataset(res + 1, 3, DRIFT_DATASET_SHARE, &dd) == 1.0 / 3);
	assert_int_equal(dd, 0);
	assert_true(drift_dataset(res, 0, DRIFT_DATASET_SHARE, &dd) == 0.0);
	assert_int_equal(dd, 0);
}

/* ---- names, pieces, ownership --------------------------------------------------- */

static void test_method_and_binning_names_round_trip(void **state)
{
	enum drift_method m;
	enum drift_binning b;

	for (int i = DRIFT_AUTO; i <= DRIFT_Z; i++) {
		assert_int_equal(drift_method_parse(drift_method_name((enum drift_method)i), &m),
				 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(drift_method_parse("emd", &m), -1);
	assert_int_equal(drift_binning_parse("deciles", &b), 0);
	assert_int_equal(b, DRIFT_BINNING_DECILES);
	assert_string_equal(drift_binning_name(DRIFT_BINNING_EVIDENTLY), "evidently");
	assert_int_equal(drift_binning_parse("sturges", &b), -1);
}

static void test_chi2_sf_matches_scipy(void **state)
{
	assert_close(drift_chi2_sf(29.01431898952296, 3), 2.223967515633104e-06);
	assert_close(drift_chi2_sf(0.5, 1), 0.47950012218695337);
	assert_close(drift_chi2_sf(3.0, 2), 0.22313016014842982);
	assert_close(drift_chi2_sf(150.0, 100), 0.0009039320423540184);
	assert_close(drift_chi2_sf(2103.4, 999) / 8.046753533677301e-81, 1.0);
	assert_true(drift_chi2_sf(0, 3) == 1.0);
	assert_true(drift_chi2_sf(INFINITY, 3) == 0.0);
}

static void test_result_free_zeroes_and_accepts_zeroed(void **state)
{
	struct sample s = load("small");
	struct drift_result r = run(&s, DRIFT_KS, DRIFT_BINNING_EVIDENTLY);

	assert_non_null(r.ref_shares);
	assert_int_equal(r.shares_scored, 0); /* bins for display only */
	drift_result_free(&r);
	assert_null(r.ref_shares);
	assert_int_equal(r.n_bins, 0);
	drift_result_free(&r);
	unload(&s);
}

/* Every behaviour above, one test each. */
/* ---- the number scanner ------------------------------------------------------ */

/* The reader drift compute had before the scanner: strtod on the line. */
static int strtod_reader(const char *s, double *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || strpbrk(s, "xX") != NULL)
		return -1;
	*out = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	return *end == '\0' ? 0 : -1;
}

/* A 64-bit xorshift step (a fixed seed: the same strings every run). */
static uint64_t next_rand(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* Assert one reading of s agrees with strtod's: both refuse, or both give
 * the same bits (any NaN for a NaN). */
static void assert_same_reading(const char *s, const char *how, int rg, double got, int rw,
				double want)
{
	if (rg != rw ||
	    (rw == 0 && !(isnan(got) && isnan(want)) && memcmp(&got, &want, sizeof got) != 0))
		fail_msg("'%s': scanner (%s) %d %.17g, strtod %d %.17g", s, how, rg, got, rw, want);
}

/* Assert the scanner and strtod agree on s, read as a C string and read in
 * place with its length: from a buffer of exactly its bytes (no NUL after
 * it: the sanitizers see any read past it) and followed by a digit. */
static void assert_scans_as_strtod(const char *s)
{
	size_t len = strlen(s);
	char *exact = malloc(len + 1), *more = malloc(len + 2);
	double got = 0, want = 0;
	int rw = strtod_reader(s, &want), rg = drift_scan_number(s, &got);

	assert_same_reading(s, "C string", rg, got, rw, want);
	memcpy(exact, s, len);
	rg = drift_scan_number_n(exact, len, &got);
	assert_same_reading(s, "exact length", rg, got, rw, want);
	memcpy(more, s, len);
	memcpy(more + len, "7", 2);
	rg = drift_scan_number_n(more, len, &got);
	assert_same_reading(s, "digit after", rg, got, rw, want);
	free(exact);
	free(more);
}

/* A random decimal in buf: sign, up to 21 digits with a point somewhere or
 * none, maybe an exponent, blanks around; sometimes a broken tail. */
static void random_decimal(uint64_t *st, char *buf, size_t len)
{
	static const char *const pre[] = {"", "", "", " ", "\t", "  \t"};
	static const char *const post[] = {"",	"",  "",   " ", "\r", "\t \r",
					   "x", "e", "e+", ".", "1-", "abc"};
	static const char *const sign[] = {"", "", "-", "+"};
	char digits[32];
	int nd = 1 + (int)(next_rand(st) % 21), point = (int)(next_rand(st) % (unsigned)(nd + 2));
	size_t k = 0;

	for (int i = 0; i < nd; i++) {
		if (i == point)
			digits[k++] = '.';
		digits[k++] = (char)('0' + next_rand(st) % 10);
	}
	digits[k] = '\0';
	k = (size_t)snprintf(buf, len, "%s%s%s", pre[next_rand(st) % N(pre)],
			     sign[next_rand(st) % N(sign)], digits);
	if (next_rand(st) % 2)
		k += (size_t)snprintf(buf + k, len - k, "%c%s%d", next_rand(st) % 2 ? 'e' : 'E',
				      sign[next_rand(st) % N(sign)], (int)(next_rand(st) % 40));
	snprintf(buf + k, len - k, "%s",
		 next_rand(st) % 8 ? post[next_rand(st) % 6] : post[next_rand(st) % N(post)]);
}

/* Hand-picked strings: spellings of inf and nan, malformed ones, the edges. */
static void test_scanner_matches_strtod_on_the_edge_cases(void **state)
{
	static const char *const cases[] = {"0",
					    "-0",
					    "+0",
					    "0.0",
					    "-0.0",
					    ".5",
					    "5.",
					    "-.5",
					    "1e5",
					    "1E-5",
					    "1e+5",
					    "1.e3",
					    "9007199254740992",
					    "9007199254740993",
					    "18446744073709551615",
					    "18446744073709551616",
					    "1234567890123456789",
					    "12345678901234567890",
					    "0.1",
					    "0.3",
					    "1e22",
					    "1e23",
					    "1e-22",
					    "1e-23",
					    "1e27",
					    "1e28",
					    "1e-27",
					    "1e-28",
					    "1e308",
					    "1e309",
					    "1e-320",
					    "4.9e-324",
					    "2.2250738585072014e-308",
					    "1.7976931348623157e308",
					    "inf",
					    "-inf",
					    "Infinity",
					    "-Infinity",
					    "INF",
					    "nan",
					    "NaN",
					    "-nan",
					    "nan(123)",
					    "infinit",
					    "",
					    " ",
					    ".",
					    "-",
					    "+",
					    "e5",
					    "1e",
					    "1e+",
					    "1.5.5",
					    "1,5",
					    "0x10",
					    "0X1p3",
					    "1 2",
					    " 7 ",
					    "\t7\t\r",
					    "7\r",
					    "\v7",
					    "\f7",
					    "1_000",
					    "--1",
					    "+-1",
					    "1e1000",
					    "1e-1000",
					    "0e99999",
					    "00000000000000000000000001",
					    "0.000000000000000000000000001",
					    "89255.0e-22",
					    "8.9255e-18",
					    "0.06633580893826191",
					    "1.2881847531554629",
					    "2.5",
					    "9007199254740991.5",
					    "123456789012345678.9e-10"};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		assert_scans_as_strtod(cases[i]);
}

/* Generated strings: random decimals of up to 21 digits, every double
 * printed with 17 significant digits, and points next to a midpoint between
 * two doubles printed with 19 (where rounding is hardest). */
static void test_scanner_matches_strtod_on_generated_numbers(void **state)
{
	uint64_t st = 0x9e3779b97f4a7c15u;
	char buf[96];

	(void)state;
	for (int i = 0; i < 300000; i++) {
		random_decimal(&st, buf, sizeof buf);
		assert_scans_as_strtod(buf);
	}
	for (int i = 0; i < 300000; i++) {
		uint64_t bits = next_rand(&st);
		double x, y;
		long double mid;

		memcpy(&x, &bits, sizeof x);
		if (!isfinite(x))
			continue;
		x = ldexp(frexp(x, &(int){0}), (int)(next_rand(&st) % 180) - 90);
		snprintf(buf, sizeof buf, "%.17g", x);
		assert_scans_as_strtod(buf);
		snprintf(buf, sizeof buf, "%.16g", x);
		assert_scans_as_strtod(buf);
		y = nextafter(x, INFINITY);
		mid = ((long double)x + (long double)y) / 2;
		snprintf(buf, sizeof buf, "%.18Le", mid);
		assert_scans_as_strtod(buf);
		snprintf(buf, sizeof buf, "%.17Le", mid);
		assert_scans_as_strtod(buf);
		snprintf(buf, sizeof buf, "%.0f",
			 ldexp((double)(next_rand(&st) >> 11), (int)(next_rand(&st) % 12)));
		assert_scans_as_strtod(buf);
	}
}

/* A NUL inside the bytes read in place ends the text there, as in a C string. */
static void test_scanner_in_place_stops_at_a_nul_as_a_c_string(void **state)
{
	double v = 0;

	(void)state;
	assert_int_equal(drift_scan_number_n("2.5\0x", 5, &v), 0);
	assert_true(v == 2.5);
	assert_int_equal(drift_scan_number_n("\0"
					     "1",
					     2, &v),
			 -1);
	assert_int_equal(drift_scan_number_n("12", 1, &v), 0);
	assert_true(v == 1.0);
}

/* drift_compute_in_place gives drift_compute's result, bit for bit, for
 * every method and binning (it only spares the copies). */
static void test_in_place_compute_equals_the_copying_one(void **state)
{
	struct sample s = load("num");

	(void)state;
	for (int m = DRIFT_AUTO; m <= DRIFT_Z; m++)
		for (int b = 0; b < 2; b++) {
			struct drift_options opt = {.method = (enum drift_method)m,
						    .binning = b ? DRIFT_BINNING_DECILES
								 : DRIFT_BINNING_EVIDENTLY};
			double *r = malloc(s.n1 * sizeof *r), *c = malloc(s.n2 * sizeof *c);
			struct drift_result want, got;
			struct mlc_error err = {0};

			memcpy(r, s.ref, s.n1 * sizeof *r);
			memcpy(c, s.cur, s.n2 * sizeof *c);
			assert_int_equal(drift_compute(s.ref, s.n1, s.cur, s.n2, &opt, &want, &err),
					 0);
			assert_int_equal(drift_compute_in_place(r, s.n1, c, s.n2, &opt, &got, &err),
					 0);
			assert_int_equal(got.method, want.method);
			assert_memory_equal(&got.score, &want.score, sizeof got.score);
			assert_memory_equal(&got.statistic, &want.statistic, sizeof got.statistic);
			assert_int_equal(got.n_bins, want.n_bins);
			drift_result_free(&want);
			drift_result_free(&got);
			free(r);
			free(c);
		}
	unload(&s);
}

/* The radix sort keeps -0.0 and +0.0 equal (as comparisons do): 300 of
 * each against 600 zeros is no drift at all. */
static void test_ks_takes_minus_zero_as_zero(void **state)
{
	double r[600], c[600];
	struct drift_options opt = {.method = DRIFT_KS};
	struct drift_result res;
	struct mlc_error err = {0};

	(void)state;
	for (int i = 0; i < 600; i++) {
		r[i] = i % 2 ? -0.0 : 0.0;
		c[i] = 0.0;
	}
	assert_int_equal(drift_compute(r, 600, c, 600, &opt, &res, &err), 0);
	assert_true(res.statistic == 0.0);
	assert_true(res.p_value == 1.0);
	drift_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scanner_matches_strtod_on_the_edge_cases),
	    cmocka_unit_test(test_scanner_matches_strtod_on_generated_numbers),
	    cmocka_unit_test(test_scanner_in_place_stops_at_a_nul_as_a_c_string),
	    cmocka_unit_test(test_in_place_compute_equals_the_copying_one),
	    cmocka_unit_test(test_ks_takes_minus_zero_as_zero),
	    cmocka_unit_test(test_auto_is_ks_with_exact_p_and_d_matching_scipy_on_1000_vs_1200),
	    cmocka_unit_test(test_ks_exact_p_matches_scipy_on_40_vs_50),
	    cmocka_unit_test(test_ks_exact_p_for_given_d_matches_scipy),
	    cmocka_unit_test(test_kstwo_sf_matches_scipy_asymptotic_p_of_the_oracles),
	    cmocka_unit_test(test_kstwo_sf_matches_scipy_in_every_regime),
	    cmocka_unit_test(test_ks_is_asymptotic_above_10000_and_matches_scipy),
	    cmocka_unit_test(test_ks_asymptotic_without_drift_gives_p_one),
	    cmocka_unit_test(test_ks_one_value_each_is_d_one_p_one),
	    cmocka_unit_test(test_ks_ties_use_right_continuous_cdfs),
	    cmocka_unit_test(test_wasserstein_is_normed_by_the_reference_std_as_evidently),
	    cmocka_unit_test(test_wasserstein_raw_is_the_area_between_the_cdfs),
	    cmocka_unit_test(test_constant_reference_norms_wasserstein_by_one_thousandth),
	    cmocka_unit_test(test_evidently_bins_are_sturges_over_both_samples),
	    cmocka_unit_test(test_shares_are_stored_before_zero_fill),
	    cmocka_unit_test(test_psi_kl_and_js_match_evidently_on_both_numeric_sets),
	    cmocka_unit_test(test_hellinger_matches_evidently_on_both_numeric_sets),
	    cmocka_unit_test(test_deciles_give_the_industry_psi),
	    cmocka_unit_test(test_deciles_of_tied_reference_leave_empty_bins_zero_filled),
	    cmocka_unit_test(test_few_distinct_values_get_one_bin_each),
	    cmocka_unit_test(test_zero_fill_is_a_millionth_of_a_tiny_smallest_share),
	    cmocka_unit_test(test_auto_is_chisquare_matching_evidently_on_categories),
	    cmocka_unit_test(test_category_distances_match_evidently),
	    cmocka_unit_test(test_z_test_compares_the_smallest_category_with_the_rest),
	    cmocka_unit_test(test_one_shared_category_is_no_drift),
	    cmocka_unit_test(test_unseen_category_in_current_makes_chisquare_drift),
	    cmocka_unit_test(test_unseen_category_is_zero_filled_for_psi),
	    cmocka_unit_test(test_ks_and_wasserstein_refuse_categories),
	    cmocka_unit_test(test_nan_and_infinities_are_dropped),
	    cmocka_unit_test(test_all_nan_column_is_an_error),
	    cmocka_unit_test(test_empty_label_sample_is_an_error),
	    cmocka_unit_test(test_equal_constant_columns_show_no_drift),
	    cmocka_unit_test(test_hellinger_of_one_shared_value_is_one_as_in_evidently),
	    cmocka_unit_test(test_tiny_samples_compute_every_method),
	    cmocka_unit_test(test_auto_picks_as_evidently_for_numbers),
	    cmocka_unit_test(test_auto_picks_as_evidently_for_categories),
	    cmocka_unit_test(test_default_thresholds_are_evidently),
	    cmocka_unit_test(test_ks_drifts_at_p_equal_threshold_other_tests_only_below),
	    cmocka_unit_test(test_status_warns_at_half_the_distance_or_twice_the_p),
	    cmocka_unit_test(test_user_threshold_replaces_the_default),
	    cmocka_unit_test(test_threshold_out_of_range_is_an_error),
	    cmocka_unit_test(test_dataset_drifts_when_half_the_features_drift),
	    cmocka_unit_test(test_method_and_binning_names_round_trip),
	    cmocka_unit_test(test_chi2_sf_matches_scipy),
	    cmocka_unit_test(test_result_free_zeroes_and_accepts_zeroed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
