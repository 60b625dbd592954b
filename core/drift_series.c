/* drift_series.c: what every backend's drift series share — a feature's
 * latest status and severity from its points, the worst-first order, and the
 * sparkline of its last windows. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "drift_series.h"
#include "spark.h"
#include "xmalloc.h"

/* How far past its threshold a score is: > 1 drifted. Tests compare log p. */
static double severity(const char *method, double score, double threshold)
{
	enum drift_method m;

	if (isnan(score) || threshold <= 0)
		return 0;
	if (drift_method_parse(method, &m) == 0 && drift_method_is_test(m))
		return score <= 0 ? 1e9 : log(score) / log(threshold);
	return score / threshold;
}

void drift_feature_summarise(struct mlc_drift_feature *f)
{
	const struct mlc_drift_point *last = &f->points[f->n_points - 1];
	enum drift_method m;

	f->score = last->score;
	f->threshold = last->threshold;
	f->status = drift_method_parse(f->method, &m) == 0
			? (int)drift_status(m, last->score, last->threshold)
			: (last->drift ? DRIFT_STATUS_DRIFT : DRIFT_STATUS_OK);
	f->severity = severity(f->method, last->score, last->threshold);
}

/* Worst first: status, then severity, then model and feature names. */
static int cmp_worst(const void *pa, const void *pb)
{
	const struct mlc_drift_feature *a = pa, *b = pb;
	int c;

	if (a->status != b->status)
		return b->status - a->status;
	if (a->severity != b->severity)
		return a->severity < b->severity ? 1 : -1;
	if ((c = strcmp(a->model, b->model)) != 0)
		return c;
	return strcmp(a->feature, b->feature);
}

void drift_features_sort(struct mlc_drift_feature *f, size_t n)
{
	if (n > 1) /* f is NULL for no features, which qsort must not get */
		qsort(f, n, sizeof *f, cmp_worst);
}

/* The sparkline of f's scores on a fixed scale 0..max(2*threshold, max) so rows
 * compare; for tests, -log10(p) so that higher means more drift. Caller frees. */
char *drift_feature_spark(const struct mlc_drift_feature *f, size_t windows, int ascii)
{
	enum drift_method m;
	int test = drift_method_parse(f->method, &m) == 0 && drift_method_is_test(m);
	size_t first = f->n_points > windows ? f->n_points - windows : 0, n = f->n_points - first;
	double *v = xcalloc(n + 1, sizeof *v), hi;
	struct spark_opts so = {.ascii = ascii, .fixed = 1, .lo = 0};
	char *s;

	hi = test ? -log10(f->threshold) * 2 : f->threshold * 2;
	for (size_t i = 0; i < n; i++) {
		double x = f->points[first + i].score;
		v[i] = test ? (x > 0 ? -log10(x) : NAN) : x;
		if (isfinite(v[i]) && v[i] > hi)
			hi = v[i];
	}
	so.hi = hi;
	s = spark_render(v, n, &so);
	free(v);
	return s;
}
