/* compare.c: the comparison of runs shared by the CLI and the TUI: the union
 * of params (which differ), the union of metrics (best run by direction,
 * deltas against the first run). Every result lives in the comparison's arena. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "registry.h"
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

/* ---- version diff ------------------------------------------------------- */

#define GIT_COMMIT "mlflow.source.git.commit"

/* Append a row of section and key with values a and b (copied; NULL kept). */
static void diff_add(struct mlc_version_diff *d, size_t *cap, const char *section, const char *key,
		     const char *a, const char *b)
{
	struct diff_row *r = arena_grow(&d->arena, (void **)&d->rows, cap, d->n++, sizeof *d->rows);

	r->section = section;
	r->key = arena_strdup(&d->arena, key);
	r->values[0] = a ? arena_strdup(&d->arena, a) : NULL;
	r->values[1] = b ? arena_strdup(&d->arena, b) : NULL;
	r->differs = !same_value(r->values[0], r->values[1]);
	d->ndiffer += (size_t)r->differs;
}

/* The text of a final metric: %.6g, NaN, or NULL when absent. */
static const char *metric_text(struct mlc_arena *a, const struct compare_metric *m, size_t i)
{
	if (!m->present[i])
		return NULL;
	return isnan(m->values[i]) ? "NaN" : arena_printf(a, "%.6g", m->values[i]);
}

/* Rows for the union of the keys of kv arrays x and y (skipping skip). */
static void diff_kvs(struct mlc_version_diff *d, size_t *cap, const char *section,
		     const struct mlc_kv *x, size_t nx, const struct mlc_kv *y, size_t ny,
		     const char *skip)
{
	const char **keys = xmalloc((nx + ny + 1) * sizeof *keys);
	size_t n = 0;

	for (size_t i = 0; i < nx; i++)
		keys[n++] = x[i].key;
	for (size_t i = 0; i < ny; i++)
		keys[n++] = y[i].key;
	n = sort_unique(keys, n);
	for (size_t i = 0; i < n; i++)
		if (skip == NULL || strcmp(keys[i], skip) != 0)
			diff_add(d, cap, section, keys[i], mlc_kv_get(x, nx, keys[i]),
				 mlc_kv_get(y, ny, keys[i]));
	free(keys);
}

/* Stable order: differing rows first, each group as built. */
static void diff_order(struct mlc_version_diff *d)
{
	struct diff_row *tmp = xmalloc((d->n ? d->n : 1) * sizeof *tmp);
	size_t k = 0;

	for (int pass = 1; pass >= 0; pass--)
		for (size_t i = 0; i < d->n; i++)
			if (d->rows[i].differs == pass)
				tmp[k++] = d->rows[i];
	if (d->n)
		memcpy(d->rows, tmp, d->n * sizeof *tmp);
	free(tmp);
}

void version_diff_build(struct mlc_version_diff *d, const struct mlc_version *const v[2],
			const struct mlc_run *const run[2])
{
	static const struct mlc_run none;
	struct mlc_run runs[2] = {run[0] ? *run[0] : none, run[1] ? *run[1] : none};
	struct mlc_compare c;
	size_t cap = 0;

	memset(d, 0, sizeof *d);
	compare_build(&c, runs, 2, NULL, 0);
	for (size_t i = 0; i < c.nparams; i++)
		diff_add(d, &cap, "param", c.params[i].key, c.params[i].values[0],
			 c.params[i].values[1]);
	for (size_t i = 0; i < c.nmetrics; i++)
		diff_add(d, &cap, "metric", c.metrics[i].key,
			 metric_text(&d->arena, &c.metrics[i], 0),
			 metric_text(&d->arena, &c.metrics[i], 1));
	for (size_t i = 0; i < c.ndatasets; i++) {
		struct mlc_dataset_input in = {.name = c.datasets[i].name,
					       .context = c.datasets[i].context};
		diff_add(d, &cap, "dataset", mlc_input_label(&d->arena, &in),
			 c.datasets[i].digests[0], c.datasets[i].digests[1]);
	}
	diff_add(d, &cap, "source", "git commit",
		 mlc_kv_get(runs[0].tags, runs[0].n_tags, GIT_COMMIT),
		 mlc_kv_get(runs[1].tags, runs[1].n_tags, GIT_COMMIT));
	diff_kvs(d, &cap, "tag", runs[0].tags, runs[0].n_tags, runs[1].tags, runs[1].n_tags,
		 GIT_COMMIT);
	diff_kvs(d, &cap, "version tag", v[0]->tags, v[0]->n_tags, v[1]->tags, v[1]->n_tags, NULL);
	compare_free(&c);
	diff_order(d);
}

void version_diff_free(struct mlc_version_diff *d)
{
	arena_free(&d->arena);
	memset(d, 0, sizeof *d);
}

/* Version num of model in l, or NULL. */
static const struct mlc_version *find_version(const struct mlc_version_list *l, const char *num)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].version, num) == 0)
			return &l->items[i];
	return NULL;
}

int version_diff_fetch(struct registry *r, const char *model, const char *v1, const char *v2,
		       struct mlc_version_diff *d, struct mlc_error *err)
{
	const char *num[2] = {v1, v2};
	const struct mlc_version *v[2];
	const struct mlc_run *run[2] = {NULL, NULL};
	struct mlc_version_list vl = {0};
	struct mlc_run_list rl[2];
	int rc = -1;

	memset(rl, 0, sizeof rl);
	memset(d, 0, sizeof *d);
	if (registry_list_versions(r, model, &vl, err) < 0)
		goto out;
	for (int i = 0; i < 2; i++) {
		if ((v[i] = find_version(&vl, num[i])) == NULL) {
			mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': no version %s", model,
				      num[i]);
			goto out;
		}
		if (*v[i]->run_id) {
			struct mlc_error gone = {0};
			/* a run deleted for good leaves the version without values ("-") */
			if (registry_get_run(r, v[i]->run_id, &rl[i], &gone) == 0)
				run[i] = &rl[i].items[0];
			else if (gone.code != MLC_ERR_NOTFOUND) {
				*err = gone;
				goto out;
			}
		}
	}
	version_diff_build(d, v, run);
	rc = 0;
out:
	MLC_LIST_FREE(&rl[0]);
	MLC_LIST_FREE(&rl[1]);
	MLC_LIST_FREE(&vl);
	return rc;
}
