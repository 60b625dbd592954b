/* drift_series.c: what every backend's drift series share — a feature's
 * latest status and severity from its points, and the worst-first order. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "drift_series.h"

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
	f->status = drift_method_parse(f->method, &m) == 0 ? (int)drift_status(m, last->score, last->threshold)
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
