/* compare.c: the comparison of runs shared by the CLI and the TUI: the union
 * of params (which differ), the union of metrics (best run by direction,
 * deltas against the first run). Every result lives in the comparison's arena. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "xmalloc.h"

/* Words that make a metric lower-is-better. Only whole words count:
 * "errors_fixed" has the word "errors", not "error", so it is higher-better. */
static const char *const lower_words[] = {"loss", "error", "err",	 "rmse",    "mae",
					  "mse",  "mape",  "perplexity", "latency", "logloss",
					  "nll",  "wer",   "cer"};

/* 1 for an ASCII letter or digit (bytes of other scripts split words). */
static int is_word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* 1 if the n bytes at s equal the lowercase word w, ignoring ASCII case. */
static int word_eq(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != w[i])
			return 0;
	}
	return 1;
}

/* 1 if the word s[0..n) marks a lower-is-better metric. */
static int word_lower(const char *s, size_t n)
{
	if (n >= 4 && word_eq(s + n - 4, 4, "loss"))
		return 1;
	for (size_t i = 0; i < sizeof lower_words / sizeof *lower_words; i++)
		if (word_eq(s, n, lower_words[i]))
			return 1;
	return 0;
}

int compare_lower_is_better(const char *key)
{
	const char *p = key;

	if (key == NULL)
		return 0;
	while (*p != '\0') {
		size_t n = 0;

		while (*p != '\0' && !is_word_char(*p))
			p++;
		while (is_word_char(p[n]))
			n++;
		if (n > 0 && word_lower(p, n))
			return 1;
		p += n;
	}
	return 0;
}

/* qsort comparison of two key pointers. */
static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort keys[0..n) and drop duplicates; returns how many remain. */
static size_t sort_unique(const char **keys, size_t n)
{
	size_t m = 0;

	if (n == 0)
		return 0;
	qsort(keys, n, sizeof *keys, cmp_key);
	for (size_t i = 1; i < n; i++)
		if (strcmp(keys[i], keys[m]) != 0)
			keys[++m] = keys[i];
	return m + 1;
}

/* The sorted, distinct param keys (metric keys when metrics) of runs[0..n)
 * into a malloc'd array (caller frees); their count in *count. */
static const char **union_keys(const struct mlc_run *runs, size_t n, int metrics, size_t *count)
{
	size_t total = 0, k = 0;
	const char **keys;

	for (size_t i = 0; i < n; i++)
		total += metrics ? runs[i].n_metrics : runs[i].n_params;
	keys = xmalloc((total ? total : 1) * sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		size_t m = metrics ? runs[i].n_metrics : runs[i].n_params;

		for (size_t j = 0; j < m; j++)
			keys[k++] = metrics ? runs[i].metrics[j].key : runs[i].params[j].key;
	}
	*count = sort_unique(keys, total);
	return keys;
}

/* 1 if a and b (either may be NULL) are the same value. */
static int same_value(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Fill param p for key from runs[0..n); returns whether it differs. */
static int build_param(struct mlc_compare *c, struct compare_param *p, const char *key,
		       const struct mlc_run *runs, size_t n)
{
	p->key = arena_strdup(&c->arena, key);
	p->values = arena_alloc(&c->arena, n * sizeof *p->values);
	for (size_t i = 0; i < n; i++) {
		const char *v = mlc_kv_get(runs[i].params, runs[i].n_params, key);

		p->values[i] = v ? arena_strdup(&c->arena, v) : NULL;
		if (!same_value(p->values[i], p->values[0]))
			p->differs = 1;
	}
	return p->differs;
}

/* The latest metric named key in run r (by MLflow's latest-value rule, should
 * a key appear twice); NULL when absent. */
static const struct mlc_metric *latest_metric(const struct mlc_run *r, const char *key)
{
	const struct mlc_metric *best = NULL;

	for (size_t i = 0; i < r->n_metrics; i++) {
		const struct mlc_metric *m = &r->metrics[i];

		if (strcmp(m->key, key) == 0 &&
		    (best == NULL || mlc_metric_cmp_latest(m, best) > 0))
			best = m;
	}
	return best;
}

/* 1 if key is among flipped[0..n). */
static int is_flipped(const char *key, const char *const *flipped, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (flipped[i] != NULL && strcmp(flipped[i], key) == 0)
			return 1;
	return 0;
}

/* The index of the best finite value of m over n runs; -1 when none. */
static int best_run(const struct compare_metric *m, size_t n)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		double v = m->values[i];

		if (!isfinite(v))
			continue;
		if (best < 0 || (m->lower_better ? v < m->values[best] : v > m->values[best]))
			best = (int)i;
	}
	return best;
}

/* Fill metric m for key from runs[0..n). */
static void build_metric(struct mlc_compare *c, struct compare_metric *m, const char *key,
			 const struct mlc_run *runs, size_t n, int flip)
{
	m->key = arena_strdup(&c->arena, key);
	m->values = arena_alloc(&c->arena, n * sizeof *m->values);
	m->present = arena_alloc(&c->arena, n * sizeof *m->present);
	m->delta = arena_alloc(&c->arena, n * sizeof *m->delta);
	for (size_t i = 0; i < n; i++) {
		const struct mlc_metric *r = latest_metric(&runs[i], key);

		m->present[i] = r != NULL;
		m->values[i] = r ? r->value : NAN;
	}
	for (size_t i = 0; i < n; i++) {
		int both = isfinite(m->values[i]) && isfinite(m->values[0]);

		m->delta[i] = both ? m->values[i] - m->values[0] : NAN;
	}
	m->lower_better = compare_lower_is_better(key) != flip;
	m->best = best_run(m, n);
}

/* Build the param rows of c from runs[0..n). */
static void build_params(struct mlc_compare *c, const struct mlc_run *runs, size_t n)
{
	const char **keys = union_keys(runs, n, 0, &c->nparams);

	if (c->nparams > 0)
		c->params = arena_alloc(&c->arena, c->nparams * sizeof *c->params);
	for (size_t i = 0; i < c->nparams; i++)
		c->nparams_differ += (size_t)build_param(c, &c->params[i], keys[i], runs, n);
	free(keys);
}

/* Build the metric rows of c from runs[0..n). */
static void build_metrics(struct mlc_compare *c, const struct mlc_run *runs, size_t n,
			  const char *const *flipped, size_t nflipped)
{
	const char **keys = union_keys(runs, n, 1, &c->nmetrics);

	if (c->nmetrics > 0)
		c->metrics = arena_alloc(&c->arena, c->nmetrics * sizeof *c->metrics);
	for (size_t i = 0; i < c->nmetrics; i++)
		build_metric(c, &c->metrics[i], keys[i], runs, n,
			     is_flipped(keys[i], flipped, nflipped));
	free(keys);
}

/* Fill dataset row d for the role of in from runs[0..n); returns whether
 * its digests differ. */
static int build_dataset(struct mlc_compare *c, struct compare_dataset *d,
			 const struct mlc_dataset_input *in, const struct mlc_run *runs, size_t n)
{
	d->context = arena_strdup(&c->arena, in->context);
	d->name = arena_strdup(&c->arena, in->name);
	d->digests = arena_alloc(&c->arena, n * sizeof *d->digests);
	for (size_t i = 0; i < n; i++) {
		const struct mlc_dataset_input *x = mlc_run_input_like(&runs[i], in);

		d->digests[i] = x ? arena_strdup(&c->arena, x->digest) : NULL;
		if (!same_value(d->digests[i], d->digests[0]))
			d->differs = 1;
	}
	return d->differs;
}

/* Build the dataset rows of c: one per role (context, name) any run has. */
static void build_datasets(struct mlc_compare *c, const struct mlc_run *runs, size_t n)
{
	size_t total = 0, k = 0;
	struct mlc_dataset_input *all;

	for (size_t i = 0; i < n; i++)
		total += runs[i].n_inputs;
	if (total == 0)
		return;
	all = xmalloc(total * sizeof *all);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < runs[i].n_inputs; j++)
			all[k++] = runs[i].inputs[j];
	mlc_inputs_sort(all, total);
	c->datasets = arena_alloc(&c->arena, total * sizeof *c->datasets);
	for (size_t i = 0; i < total; i++) {
		if (i > 0 && strcmp(all[i].context, all[i - 1].context) == 0 &&
		    strcmp(all[i].name, all[i - 1].name) == 0)
			continue;
		c->ndatasets_differ +=
		    (size_t)build_dataset(c, &c->datasets[c->ndatasets++], &all[i], runs, n);
	}
	free(all);
}

/* Keys and values are copied into c->arena, so c outlives runs. */
int compare_build(struct mlc_compare *c, const struct mlc_run *runs, size_t n,
		  const char *const *flipped, size_t nflipped)
{
	memset(c, 0, sizeof *c);
	c->nruns = n;
	build_params(c, runs, n);
	build_metrics(c, runs, n, flipped, nflipped);
	build_datasets(c, runs, n);
	return 0;
}

/* Free everything of c and zero it. */
void compare_free(struct mlc_compare *c)
{
	arena_free(&c->arena);
	memset(c, 0, sizeof *c);
}
