/* model.c: small helpers over the data model. */
#include "config.h"
#include <math.h>
#include <string.h>
#include "model.h"

static int cmp_double_nan_low(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b) == 0 ? 0 : (isnan(a) ? -1 : 1);
	return (a > b) - (a < b);
}

int mlc_metric_cmp_latest(const struct mlc_metric *a, const struct mlc_metric *b)
{
	if (a->step != b->step)
		return a->step < b->step ? -1 : 1;
	if (a->timestamp != b->timestamp)
		return a->timestamp < b->timestamp ? -1 : 1;
	return cmp_double_nan_low(a->value, b->value);
}

const char *mlc_kv_get(const struct mlc_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

const struct mlc_metric *mlc_run_metric(const struct mlc_run *r, const char *key)
{
	for (size_t i = 0; i < r->n_metrics; i++)
		if (strcmp(r->metrics[i].key, key) == 0)
			return &r->metrics[i];
	return NULL;
}

char mlc_column_kind(const char *col, const char **key)
{
	static const struct {
		const char *prefix;
		char kind;
	} prefixes[] = {{"metrics.", 'm'}, {"metric.", 'm'}, {"params.", 'p'},
			{"param.", 'p'},   {"tags.", 't'},   {"tag.", 't'}};

	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (strncmp(col, prefixes[i].prefix, n) == 0) {
			*key = col + n;
			return prefixes[i].kind;
		}
	}
	return 0;
}
