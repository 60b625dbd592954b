/* model.c: small helpers over the data model. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "xmalloc.h"
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

/* A history point and its place, for a stable sort. */
struct placed_metric {
	struct mlc_metric m;
	size_t at;
};

static int cmp_placed(const void *pa, const void *pb)
{
	const struct placed_metric *a = pa, *b = pb;

	if (a->m.step != b->m.step)
		return a->m.step < b->m.step ? -1 : 1;
	if (a->m.timestamp != b->m.timestamp)
		return a->m.timestamp < b->m.timestamp ? -1 : 1;
	return (a->at > b->at) - (a->at < b->at);
}

void mlc_history_sort(struct mlc_metric *m, size_t n)
{
	struct placed_metric *p;

	if (n < 2)
		return;
	p = xmalloc(n * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct placed_metric){m[i], i};
	qsort(p, n, sizeof *p, cmp_placed);
	for (size_t i = 0; i < n; i++)
		m[i] = p[i].m;
	free(p);
}

void mlc_keys_add(struct mlc_arena *a, const char ***arr, size_t *n, size_t *cap, const char *key)
{
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp((*arr)[mid], key);
		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	arena_grow(a, (void **)arr, cap, *n, sizeof **arr);
	memmove(*arr + lo + 1, *arr + lo, (*n - lo) * sizeof **arr);
	(*arr)[lo] = arena_strdup(a, key);
	(*n)++;
}

int mlc_all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int mlc_cmp_numeric_str(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

int mlc_experiment_cmp_name(const void *a, const void *b)
{
	const struct mlc_experiment *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = strcmp(x->lifecycle_stage, y->lifecycle_stage); /* active first */
	return c ? c : mlc_cmp_numeric_str(x->experiment_id, y->experiment_id);
}

/* ---- copies ---------------------------------------------------------------- */

struct mlc_kv *mlc_kvs_copy(struct mlc_arena *a, const struct mlc_kv *src, size_t n)
{
	struct mlc_kv *kv = arena_alloc(a, (n ? n : 1) * sizeof *kv);

	for (size_t i = 0; i < n; i++) {
		kv[i].key = arena_strdup(a, src[i].key);
		kv[i].value = arena_strdup(a, src[i].value);
	}
	return kv;
}

/* Copy run's attributes (not its values) into a. */
void mlc_run_copy_attrs(struct mlc_arena *a, struct mlc_run *dst, const struct mlc_run *src)
{
	memset(dst, 0, sizeof *dst);
	dst->run_id = arena_strdup(a, src->run_id);
	dst->run_name = arena_strdup(a, src->run_name);
	dst->experiment_id = arena_strdup(a, src->experiment_id);
	dst->user_id = arena_strdup(a, src->user_id);
	dst->status = arena_strdup(a, src->status);
	dst->artifact_uri = arena_strdup(a, src->artifact_uri);
	dst->lifecycle_stage = arena_strdup(a, src->lifecycle_stage);
	dst->start_time = src->start_time;
	dst->end_time = src->end_time;
}

/* Deep-copy run into a with all its values. */
void mlc_run_copy(struct mlc_arena *a, struct mlc_run *dst, const struct mlc_run *src)
{
	mlc_run_copy_attrs(a, dst, src);
	dst->params = mlc_kvs_copy(a, src->params, src->n_params);
	dst->n_params = src->n_params;
	dst->tags = mlc_kvs_copy(a, src->tags, src->n_tags);
	dst->n_tags = src->n_tags;
	dst->metrics = arena_alloc(a, (src->n_metrics ? src->n_metrics : 1) * sizeof *dst->metrics);
	for (size_t i = 0; i < src->n_metrics; i++) {
		dst->metrics[i] = src->metrics[i];
		dst->metrics[i].key = arena_strdup(a, src->metrics[i].key);
	}
	dst->n_metrics = src->n_metrics;
	dst->inputs = mlc_inputs_copy(a, src->inputs, src->n_inputs);
	dst->n_inputs = src->n_inputs;
	dst->inputs_read = src->inputs_read;
}

/* Deep-copy n dataset inputs into a. */
struct mlc_dataset_input *mlc_inputs_copy(struct mlc_arena *a, const struct mlc_dataset_input *src,
					  size_t n)
{
	struct mlc_dataset_input *d = arena_alloc(a, (n ? n : 1) * sizeof *d);

	for (size_t i = 0; i < n; i++) {
		d[i].name = arena_strdup(a, src[i].name);
		d[i].digest = arena_strdup(a, src[i].digest);
		d[i].source_type = arena_strdup(a, src[i].source_type);
		d[i].source = arena_strdup(a, src[i].source);
		d[i].schema = arena_strdup(a, src[i].schema);
		d[i].profile = arena_strdup(a, src[i].profile);
		d[i].context = arena_strdup(a, src[i].context);
	}
	return d;
}

/* Rank of a context in the shown order: training, evaluation, the rest. */
static int context_rank(const char *c)
{
	if (strcmp(c, "training") == 0)
		return 0;
	return strcmp(c, "evaluation") == 0 ? 1 : 2;
}

/* qsort order of struct mlc_dataset_input (mlc_inputs_sort). */
static int cmp_input(const void *pa, const void *pb)
{
	const struct mlc_dataset_input *a = pa, *b = pb;
	int c = context_rank(a->context) - context_rank(b->context);

	if (c == 0)
		c = strcmp(a->context, b->context);
	if (c == 0)
		c = strcmp(a->name, b->name);
	return c ? c : strcmp(a->digest, b->digest);
}

void mlc_inputs_sort(struct mlc_dataset_input *in, size_t n)
{
	if (n > 1)
		qsort(in, n, sizeof *in, cmp_input);
}

const char *mlc_input_location(struct mlc_arena *a, const struct mlc_dataset_input *in)
{
	static const char *const keys[] = {"uri", "path", "url"};
	json_t *j = json_loads(in->source, JSON_DECODE_ANY, NULL);
	const char *found = NULL;

	for (size_t i = 0; i < 3 && json_is_object(j) && found == NULL; i++)
		found = json_string_value(json_object_get(j, keys[i]));
	found = arena_strdup(a, found ? found : in->source);
	json_decref(j);
	return found;
}

const char *mlc_input_label(struct mlc_arena *a, const struct mlc_dataset_input *in)
{
	if (*in->context == '\0')
		return arena_strdup(a, in->name);
	return arena_printf(a, "%s (%s)", in->name, in->context);
}

const char *mlc_input_summary(struct mlc_arena *a, const struct mlc_dataset_input *in)
{
	return arena_printf(a, "%s  %s", in->digest, mlc_input_location(a, in));
}

const struct mlc_dataset_input *mlc_run_input_like(const struct mlc_run *r,
						   const struct mlc_dataset_input *in)
{
	for (size_t i = 0; i < r->n_inputs; i++)
		if (strcmp(r->inputs[i].context, in->context) == 0 &&
		    strcmp(r->inputs[i].name, in->name) == 0)
			return &r->inputs[i];
	return NULL;
}
