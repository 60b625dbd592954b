/* registry_mlflow.c: the MLflow REST backend (MLflow 2.17.2's REST API;
 * README's server section):
 * registered models, versions, experiments, runs and metric histories from a
 * tracking server, page by page, over core/http.c; the helpers the writes
 * share (mlflow_impl.h), and opening and closing. Environments, deployments
 * and hook outcomes are in mlflow_deploy.c, requests and votes in
 * mlflow_requests.c, drift series in mlflow_drift.c. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "drift.h"
#include "filter.h"
#include "http.h"
#include "journal.h"
#include "mlflow_impl.h"
#include "registry.h"
#include "sanitize.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

#define MAX_PAGES 100000 /* of one listing: far past any registry (10 million models) */

/* ---- JSON fields ----------------------------------------------------------- */

/* The string at key of o, or NULL. */
const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Copy the value at key into a: a string as is, an integer in decimal, ""
 * when absent (the server omits unset fields). */
const char *jdup(struct mlc_arena *a, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return arena_strdup(a, json_string_value(v));
	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	return arena_strdup(a, "");
}

/* jdup, with def when the field is absent or empty. */
const char *jdup_or(struct mlc_arena *a, const json_t *o, const char *key, const char *def)
{
	const char *s = jdup(a, o, key);
	return *s ? s : arena_strdup(a, def);
}

/* The int64 at key (a number, or a numeric string as proto3 allows); 0 when
 * absent. A number past int64's range (a timestamp of 1e300) is clamped to
 * it, as strtoll clamps a string; converting it would be undefined. */
int64_t jint(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= 0x1p63)
			return INT64_MAX;
		return d > -0x1p63 ? (int64_t)d : isnan(d) ? 0 : INT64_MIN;
	}
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

/* A metric value: a number, or one of the strings "NaN", "Infinity" and
 * "-Infinity" MLflow sends for non-finite doubles. */
double jdouble(const json_t *v)
{
	const char *s = json_string_value(v);
	char *end;
	double d;

	if (json_is_number(v))
		return json_number_value(v);
	if (s == NULL)
		return NAN;
	d = strtod(s, &end);
	return end == s ? NAN : d;
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct mlc_kv *)a)->key, ((const struct mlc_kv *)b)->key);
}

/* Which values of runs to keep: everything, or (lean loading) those the
 * query's columns and order name. */
struct keep {
	const struct mlc_run_query *q;
	const struct order_list *order;
};

/* 1 if k keeps the value of kind ('m', 'p', 't') named key. */
static int keeps(const struct keep *k, char kind, const char *key)
{
	static const char kinds[] = {[FK_METRIC] = 'm', [FK_PARAM] = 'p', [FK_TAG] = 't'};
	const char *ck;

	if (k == NULL || k->q == NULL || !k->q->lean)
		return 1;
	for (size_t i = 0; i < k->q->n_columns; i++)
		if (mlc_column_kind(k->q->columns[i], &ck) == kind && strcmp(ck, key) == 0)
			return 1;
	for (size_t i = 0; k->order && i < k->order->n; i++)
		if (k->order->keys[i].kind != FK_ATTR && kinds[k->order->keys[i].kind] == kind &&
		    strcmp(k->order->keys[i].key, key) == 0)
			return 1;
	return 0;
}

/* The [{key, value}] array at name of o as a kv array sorted by key. */
static struct mlc_kv *jkv(struct mlc_arena *a, const json_t *o, const char *name, size_t *n,
			  const struct keep *k, char kind)
{
	const json_t *arr = json_object_get(o, name), *it;
	struct mlc_kv *kv = arena_alloc(a, (json_array_size(arr) + 1) * sizeof *kv);
	size_t i;

	*n = 0;
	json_array_foreach(arr, i, it)
	{
		const char *key = jstr(it, "key");
		if (key == NULL || !keeps(k, kind, key))
			continue;
		kv[*n].key = arena_strdup(a, key);
		kv[(*n)++].value = jdup(a, it, "value");
	}
	if (*n > 1)
		qsort(kv, *n, sizeof *kv, cmp_kv);
	return kv;
}

/* Append s to sb as a filter string literal ('s', or "s" when s has a
 * quote); -1 with err when s has both kinds of quotes. */
int add_literal(struct strbuf *sb, const char *s, struct mlc_error *err)
{
	if (strchr(s, '\'') == NULL)
		sb_printf(sb, "'%s'", s);
	else if (strchr(s, '"') == NULL)
		sb_printf(sb, "\"%s\"", s);
	else
		return mlc_error_set(
		    err, MLC_ERR_USAGE,
		    "'%s': a name with both kinds of quotes cannot be searched for "
		    "on an MLflow server",
		    s);
	return 0;
}

/* ---- paging ----------------------------------------------------------------- */

/* Ask for one page of pg: want items (0: the server's default) after token. */
static int fetch_page(struct registry *r, const struct pager *pg, const char *token, int64_t want,
		      json_t **out, struct mlc_error *err)
{
	struct http_param *p;
	char num[24];
	size_t n = pg->n_params;
	int rc;

	if (pg->body) {
		if (want > 0)
			json_object_set_new(pg->body, "max_results", json_integer(want));
		if (token)
			json_object_set_new(pg->body, "page_token", json_string(token));
		else
			json_object_del(pg->body, "page_token");
		return http_post_json(HTTPH(r), pg->path, pg->body, out, err);
	}
	p = xmalloc((n + 2) * sizeof *p);
	if (n)
		memcpy(p, pg->params, n * sizeof *p);
	snprintf(num, sizeof num, "%lld", (long long)want);
	if (want > 0)
		p[n++] = (struct http_param){"max_results", num};
	if (token)
		p[n++] = (struct http_param){"page_token", token};
	rc = http_get_json(HTTPH(r), pg->path, p, n, out, err);
	free(p);
	return rc;
}

/* The items of one page, to pg->fn; 1 when the listing is done. */
static int take_page(struct pager *pg, const json_t *page, int64_t *got)
{
	const json_t *arr = json_object_get(page, pg->items), *it;
	size_t i;

	json_array_foreach(arr, i, it)
	{
		(*got)++;
		if (pg->fn(it, pg->ctx) || (pg->limit > 0 && *got >= pg->limit))
			return 1;
	}
	return json_array_size(arr) == 0;
}

/* Note next, the token that asks for page number pages of the listing at
 * path, in seen (a hash set: a JSON object's keys); -1 with err when it was
 * handed out before in this listing or the listing is past MAX_PAGES. */
static int note_token(json_t *seen, const char *next, const char *path, int64_t pages,
		      struct mlc_error *err)
{
	char *shown;

	if (json_object_get(seen, next) == NULL) {
		if (pages > MAX_PAGES)
			return mlc_error_set(err, MLC_ERR_FAILED,
					     "%s: the server handed out more than %d pages; stopping",
					     path, MAX_PAGES);
		json_object_set_new(seen, next, json_true());
		return 0;
	}
	shown = sanitize_dup(next);
	mlc_error_set(err, MLC_ERR_FAILED,
		      "%s: the server returned page token '%.64s%s' twice; stopping", path, shown,
		      strlen(shown) > 64 ? "…" : "");
	free(shown);
	return -1;
}

/* Call pg->fn for every item of every page while the server hands out a
 * next_page_token (an empty page also ends it). A token handed out twice in
 * one listing (A, B, A... would page for ever) or more than MAX_PAGES pages
 * is an error. */
int each_item(struct registry *r, struct pager *pg, struct mlc_error *err)
{
	json_t *seen = json_object();
	char *token = NULL;
	int64_t got = 0, pages = 1;
	int done = 0, ret = 0;

	while (!done) {
		int64_t want = pg->page_size;
		const char *next;
		json_t *page;

		if (pg->limit > 0 && want > pg->limit - got)
			want = pg->limit - got;
		if (fetch_page(r, pg, token, want, &page, err) < 0) {
			ret = -1;
			break;
		}
		done = take_page(pg, page, &got);
		next = jstr(page, "next_page_token");
		if (next == NULL || *next == '\0')
			done = 1;
		else if (!done && note_token(seen, next, pg->path, ++pages, err) < 0)
			done = 1, ret = -1;
		free(token);
		token = done ? NULL : xstrdup(next);
		json_decref(page);
	}
	free(token);
	json_decref(seen);
	return ret;
}

/* ---- models and versions ---------------------------------------------------- */

static int cmp_model_name(const void *a, const void *b)
{
	return strcmp(((const struct mlc_model *)a)->name, ((const struct mlc_model *)b)->name);
}

static int cmp_alias(const void *a, const void *b)
{
	return strcmp(((const struct mlc_alias *)a)->alias, ((const struct mlc_alias *)b)->alias);
}

/* The aliases [{alias, version}] of a registered model, sorted by alias. */
static struct mlc_alias *model_aliases(struct mlc_arena *a, const json_t *m, size_t *n)
{
	const json_t *arr = json_object_get(m, "aliases"), *it;
	struct mlc_alias *al = arena_alloc(a, (json_array_size(arr) + 1) * sizeof *al);
	size_t i;

	*n = 0;
	json_array_foreach(arr, i, it)
	{
		if (jstr(it, "alias") == NULL)
			continue;
		al[*n].alias = jdup(a, it, "alias");
		al[(*n)++].version = jdup(a, it, "version");
	}
	if (*n > 1)
		qsort(al, *n, sizeof *al, cmp_alias);
	return al;
}

/* Append registered model j to the list. */
static int add_model(const json_t *j, void *ctx)
{
	struct mlc_model_list *out = ctx;
	struct mlc_arena *a = &out->arena;
	struct mlc_model *m = MLC_LIST_PUSH(out);
	const json_t *lv = json_object_get(j, "latest_versions"), *it;
	size_t i;

	m->name = jdup(a, j, "name");
	m->description = jdup(a, j, "description");
	m->creation_time = jint(j, "creation_timestamp");
	m->last_updated_time = jint(j, "last_updated_timestamp");
	m->tags = jkv(a, j, "tags", &m->n_tags, NULL, 0);
	m->aliases = model_aliases(a, j, &m->n_aliases);
	m->latest_version = "";
	json_array_foreach(lv, i, it)
	{
		const char *v = jstr(it, "version");
		if (v && mlc_cmp_numeric_str(v, m->latest_version) > 0)
			m->latest_version = arena_strdup(a, v);
	}
	return 0;
}

/* Count version j against its model (models sorted by name). */
static int count_version(const json_t *j, void *ctx)
{
	struct mlc_model_list *out = ctx;
	struct mlc_model key = {.name = jstr(j, "name")}, *m;
	const char *v = jstr(j, "version");

	if (key.name == NULL || v == NULL ||
	    (m = bsearch(&key, out->items, out->n, sizeof *out->items, cmp_model_name)) == NULL)
		return 0;
	m->n_versions++;
	if (mlc_cmp_numeric_str(v, m->latest_version) > 0)
		m->latest_version = arena_strdup(&out->arena, v);
	return 0;
}

/* Call fn for every registered model (the registered-models/search item)
 * matching filter (MLflow syntax; NULL or "": all), by name. */
static int search_models(struct registry *r, const char *filter, item_fn fn, void *ctx,
			 struct mlc_error *err)
{
	struct http_param p[] = {{"order_by", "name ASC"}, {"filter", filter}};
	struct pager pg = {.path = "registered-models/search",
			   .items = "registered_models",
			   .params = p,
			   .n_params = filter && *filter ? 2 : 1,
			   .page_size = PAGE,
			   .fn = fn,
			   .ctx = ctx};

	return each_item(r, &pg, err);
}

/* Registered models matching filter (MLflow syntax, evaluated by the
 * server), by name, with their version counts: one registered-models/search
 * listing, then one model-versions/search listing of every version (the
 * search results carry no count). */
static int mlflow_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
			      struct mlc_error *err)
{
	struct pager pg = {.path = "model-versions/search",
			   .items = "model_versions",
			   .page_size = PAGE,
			   .fn = count_version,
			   .ctx = out};

	if (search_models(r, filter, add_model, out, err) < 0)
		return -1;
	if (out->n == 0)
		return 0;
	qsort(out->items, out->n, sizeof *out->items, cmp_model_name);
	return each_item(r, &pg, err);
}

/* Append model version j to the list. */
static int add_version(const json_t *j, void *ctx)
{
	struct mlc_version_list *out = ctx;
	struct mlc_arena *a = &out->arena;
	struct mlc_version *v = MLC_LIST_PUSH(out);
	const json_t *al = json_object_get(j, "aliases"), *it;
	size_t i;

	v->model = jdup(a, j, "name");
	v->version = jdup(a, j, "version");
	v->source = jdup(a, j, "source");
	v->run_id = jdup(a, j, "run_id");
	v->status = jdup(a, j, "status");
	v->stage = jdup_or(a, j, "current_stage", "None");
	v->description = jdup(a, j, "description");
	v->user_id = jdup(a, j, "user_id");
	v->creation_time = jint(j, "creation_timestamp");
	v->last_updated_time = jint(j, "last_updated_timestamp");
	v->tags = jkv(a, j, "tags", &v->n_tags, NULL, 0);
	v->aliases = arena_alloc(a, (json_array_size(al) + 1) * sizeof *v->aliases);
	json_array_foreach(al, i, it)
	{
		if (json_is_string(it))
			v->aliases[v->n_aliases++] = arena_strdup(a, json_string_value(it));
	}
	return 0;
}

/* Strings through pointers, by strcmp (qsort). */
int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Give the versions of model m in out[first..] the aliases that point at
 * them (model-versions/search leaves them out, MLflow quirk 8). */
static void attach_aliases(struct mlc_version_list *out, size_t first, const json_t *m)
{
	struct mlc_arena *a = &out->arena;
	size_t n;
	struct mlc_alias *al = model_aliases(a, m, &n);
	const char *name = jstr(m, "name");

	for (size_t i = first; i < out->n; i++) {
		struct mlc_version *v = &out->items[i];
		if (v->n_aliases || name == NULL || strcmp(v->model, name) != 0)
			continue;
		v->aliases = arena_alloc(a, (n + 1) * sizeof *v->aliases);
		for (size_t k = 0; k < n; k++)
			if (strcmp(al[k].version, v->version) == 0)
				v->aliases[v->n_aliases++] = al[k].alias;
	}
	for (size_t i = first; i < out->n; i++)
		if (out->items[i].n_aliases > 1)
			qsort(out->items[i].aliases, out->items[i].n_aliases, sizeof(char *),
			      cmp_str_ptr);
}

/* The registered model name (registered-models/get) into *out; -1 with
 * err, "not found" in the words of the other backends. */
int get_model(struct registry *r, const char *name, json_t **out, struct mlc_error *err)
{
	struct http_param p = {"name", name};

	if (http_get_json(HTTPH(r), "registered-models/get", &p, 1, out, err) == 0)
		return 0;
	if (http_last_status(HTTPH(r)) == 404)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': not found in %s", name,
			      r->display);
	return -1;
}

/* Call fn for registered model model (registered-models/get: -1 with err
 * when the server does not know it), or for every registered model by name
 * when model is NULL; fn's 1 stops the listing early. */
int mlflow_each_model(struct registry *r, const char *model, item_fn fn, void *ctx,
		      struct mlc_error *err)
{
	json_t *m;

	if (model == NULL)
		return search_models(r, NULL, fn, ctx, err);
	if (get_model(r, model, &m, err) < 0)
		return -1;
	fn(json_object_get(m, "registered_model"), ctx);
	json_decref(m);
	return 0;
}

/* Every version the model-versions/search filter selects, into out. */
static int search_versions(struct registry *r, const char *filter, struct mlc_version_list *out,
			   struct mlc_error *err)
{
	struct http_param p[] = {{"filter", filter}, {"order_by", "version_number DESC"}};
	struct pager pg = {.path = "model-versions/search",
			   .items = "model_versions",
			   .params = p,
			   .n_params = 2,
			   .page_size = PAGE,
			   .fn = add_version,
			   .ctx = out};

	return each_item(r, &pg, err);
}

static int cmp_version_desc(const void *a, const void *b)
{
	const struct mlc_version *x = a, *y = b;
	int c = strcmp(x->model, y->model);

	return c ? c : -mlc_cmp_numeric_str(x->version, y->version);
}

/* Versions of a model, highest first, with their aliases and tags. */
static int mlflow_list_versions(struct registry *r, const char *model, struct mlc_version_list *out,
				struct mlc_error *err)
{
	struct strbuf f = {0};
	json_t *m = NULL;
	size_t first = out->n;
	int ret = -1;

	sb_add(&f, "name = ");
	if (add_literal(&f, model, err) < 0 || get_model(r, model, &m, err) < 0 ||
	    search_versions(r, sb_str(&f), out, err) < 0)
		goto out;
	attach_aliases(out, first, json_object_get(m, "registered_model"));
	MLC_LIST_SORT_FROM(out, first, cmp_version_desc);
	ret = 0;
out:
	json_decref(m);
	sb_free(&f);
	return ret;
}

/* ---- experiments ------------------------------------------------------------ */

/* Append experiment j to the list. The run count is unknown (-1): MLflow
 * has no count, and listing every run of every experiment is too dear. */
static int add_experiment(const json_t *j, void *ctx)
{
	struct mlc_experiment_list *out = ctx;
	struct mlc_arena *a = &out->arena;
	struct mlc_experiment *e = MLC_LIST_PUSH(out);

	e->experiment_id = jdup(a, j, "experiment_id");
	e->name = jdup(a, j, "name");
	e->artifact_location = jdup(a, j, "artifact_location");
	e->lifecycle_stage = jdup_or(a, j, "lifecycle_stage", "active");
	e->creation_time = jint(j, "creation_time");
	e->last_update_time = jint(j, "last_update_time");
	e->run_count = -1;
	e->tags = jkv(a, j, "tags", &e->n_tags, NULL, 0);
	return 0;
}

/* Experiments by name; deleted ones only when all is set. experiments/search
 * always gets max_results: it has no default (MLflow 2.17.2's REST API). */
int mlflow_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
			    struct mlc_error *err)
{
	json_t *body = json_pack("{s:s}", "view_type", all ? "ALL" : "ACTIVE_ONLY");
	struct pager pg = {.path = "experiments/search",
			   .items = "experiments",
			   .body = body,
			   .page_size = PAGE,
			   .fn = add_experiment,
			   .ctx = out};
	size_t first = out->n;
	int rc = each_item(r, &pg, err);

	json_decref(body);
	if (rc == 0)
		MLC_LIST_SORT_FROM(out, first, mlc_experiment_cmp_name);
	return rc;
}

/* The experiment ref names, as JSON (caller json_decref's): an existing id
 * wins (experiments/get), then the name (get-by-name). NULL with err. */
static json_t *find_experiment(struct registry *r, const char *ref, struct mlc_error *err)
{
	struct http_param by_id = {"experiment_id", ref}, by_name = {"experiment_name", ref};
	json_t *resp = NULL;
	long st;

	ref = ref ? ref : "";
	if (mlc_all_digits(ref)) {
		if (http_get_json(HTTPH(r), "experiments/get", &by_id, 1, &resp, err) == 0)
			return resp;
		st = http_last_status(HTTPH(r));
		if (st != 404 && st != 400)
			return NULL;
	}
	if (http_get_json(HTTPH(r), "experiments/get-by-name", &by_name, 1, &resp, err) == 0)
		return resp;
	if (http_last_status(HTTPH(r)) == 404)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "experiment '%s': not found in %s", ref,
			      r->display);
	return NULL;
}

/* The id of the experiment ref names into id[len]. */
static int experiment_id(struct registry *r, const char *ref, char *id, size_t len,
			 struct mlc_error *err)
{
	json_t *resp = find_experiment(r, ref, err);
	const char *s = jstr(json_object_get(resp, "experiment"), "experiment_id");

	if (resp && s == NULL)
		mlc_error_set(err, MLC_ERR_FAILED,
			      "%s: experiments/get: no experiment in the answer",
			      http_host(HTTPH(r)));
	if (s)
		snprintf(id, len, "%s", s);
	json_decref(resp);
	return s ? 0 : -1;
}

/* One experiment by id or name, deleted or not (run count unknown: -1). */
static int mlflow_get_experiment(struct registry *r, const char *ref,
				 struct mlc_experiment_list *out, struct mlc_error *err)
{
	json_t *resp = find_experiment(r, ref, err);
	const json_t *e = json_object_get(resp, "experiment");

	if (resp && e == NULL)
		mlc_error_set(err, MLC_ERR_FAILED,
			      "%s: experiments/get: no experiment in the answer",
			      http_host(HTTPH(r)));
	if (e)
		add_experiment(e, out);
	json_decref(resp);
	return e ? 0 : -1;
}

/* ---- runs ------------------------------------------------------------------- */

static int cmp_metric_key(const void *a, const void *b)
{
	return strcmp(((const struct mlc_metric *)a)->key, ((const struct mlc_metric *)b)->key);
}

/* The latest metrics of run data d (one per key), sorted by key. */
static struct mlc_metric *run_metrics(struct mlc_arena *a, const json_t *d, size_t *n,
				      const struct keep *k)
{
	const json_t *arr = json_object_get(d, "metrics"), *it;
	struct mlc_metric *m = arena_alloc(a, (json_array_size(arr) + 1) * sizeof *m);
	size_t i;

	*n = 0;
	json_array_foreach(arr, i, it)
	{
		const char *key = jstr(it, "key");
		if (key == NULL || !keeps(k, 'm', key))
			continue;
		m[*n].key = arena_strdup(a, key);
		m[*n].value = jdouble(json_object_get(it, "value"));
		m[*n].timestamp = jint(it, "timestamp");
		m[(*n)++].step = jint(it, "step");
	}
	if (*n > 1)
		qsort(m, *n, sizeof *m, cmp_metric_key);
	return m;
}

/* The datasets of a Run's "inputs" ({dataset_inputs: [{tags, dataset}]},
 * MLflow 2.17.2's REST API) into an arena array of *n; none from an older server. */
static struct mlc_dataset_input *run_inputs_json(struct mlc_arena *a, const json_t *inputs,
						 size_t *n)
{
	const json_t *arr = json_object_get(inputs, "dataset_inputs"), *it, *tag;
	struct mlc_dataset_input *in = arena_alloc(a, (json_array_size(arr) + 1) * sizeof *in);
	size_t i, k;

	*n = 0;
	json_array_foreach(arr, i, it)
	{
		const json_t *d = json_object_get(it, "dataset");
		struct mlc_dataset_input *x = &in[*n];
		if (!json_is_object(d))
			continue;
		x->name = jdup(a, d, "name");
		x->digest = jdup(a, d, "digest");
		x->source_type = jdup(a, d, "source_type");
		x->source = jdup(a, d, "source");
		x->schema = jdup(a, d, "schema");
		x->profile = jdup(a, d, "profile");
		x->context = "";
		json_array_foreach(json_object_get(it, "tags"), k, tag)
		{
			const char *key = jstr(tag, "key");
			if (key && strcmp(key, "mlflow.data.context") == 0)
				x->context = jdup(a, tag, "value");
		}
		(*n)++;
	}
	return in;
}

/* Fill run from the JSON of a Run ({info, data}); k picks the values kept. */
static void parse_run(struct mlc_arena *a, const json_t *j, struct mlc_run *run,
		      const struct keep *k)
{
	const json_t *info = json_object_get(j, "info"), *data = json_object_get(j, "data");
	struct mlc_kv *all_tags;
	size_t n_all;

	run->run_id =
	    jdup_or(a, info, "run_id", jstr(info, "run_uuid") ? jstr(info, "run_uuid") : "");
	run->experiment_id = jdup(a, info, "experiment_id");
	run->user_id = jdup(a, info, "user_id");
	run->status = jdup(a, info, "status");
	run->artifact_uri = jdup(a, info, "artifact_uri");
	run->lifecycle_stage = jdup_or(a, info, "lifecycle_stage", "active");
	run->start_time = jint(info, "start_time");
	run->end_time = jint(info, "end_time");
	run->metrics = run_metrics(a, data, &run->n_metrics, k);
	run->params = jkv(a, data, "params", &run->n_params, k, 'p');
	run->tags = jkv(a, data, "tags", &run->n_tags, k, 't');
	run->inputs = run_inputs_json(a, json_object_get(j, "inputs"), &run->n_inputs);
	run->inputs_read = 1;
	run->run_name = jdup(a, info, "run_name");
	if (*run->run_name == '\0') { /* older servers: the tag only */
		all_tags = jkv(a, data, "tags", &n_all, NULL, 't');
		run->run_name = arena_strdup(a, mlc_kv_get(all_tags, n_all, "mlflow.runName"));
	}
}

/* Where a run listing goes. */
struct runs_ctx {
	struct mlc_run_list *out;
	struct keep keep;
};

static int add_run(const json_t *j, void *ctx)
{
	struct runs_ctx *c = ctx;

	parse_run(&c->out->arena, j, MLC_LIST_PUSH(c->out), &c->keep);
	return 0;
}

/* A run attribute by canonical name: 1 and *num for times, 0 and *s for text. */
static int run_attr(const struct mlc_run *r, const char *name, const char **s, double *num,
		    int *present)
{
	*present = 1;
	if (strcmp(name, "start_time") == 0 || strcmp(name, "end_time") == 0) {
		*num = (double)(name[0] == 's' ? r->start_time : r->end_time);
		*present = name[0] == 's' || r->end_time != 0;
		return 1;
	}
	*s = strcmp(name, "run_id") == 0	    ? r->run_id
	     : strcmp(name, "run_name") == 0	    ? r->run_name
	     : strcmp(name, "user_id") == 0	    ? r->user_id
	     : strcmp(name, "status") == 0	    ? r->status
	     : strcmp(name, "artifact_uri") == 0    ? r->artifact_uri
	     : strcmp(name, "lifecycle_stage") == 0 ? r->lifecycle_stage
						    : NULL;
	*present = *s != NULL;
	return 0;
}

/* Compare runs a and b by order key k: <0, 0, >0, as MLflow's SQL store
 * orders in either direction: values first, then NaN, then missing ones. */
static int cmp_by_key(const struct mlc_run *a, const struct mlc_run *b, const struct order_key *k)
{
	const char *sa = NULL, *sb = NULL;
	double na = 0, nb = 0;
	int pa, pb, c, is_num = 1;

	if (k->kind == FK_METRIC) {
		const struct mlc_metric *x = mlc_run_metric(a, k->key),
					*y = mlc_run_metric(b, k->key);
		pa = x && !isnan(x->value), pb = y && !isnan(y->value);
		if (!pa && !pb && (x == NULL) != (y == NULL))
			return x ? -1 : 1; /* NaN before missing */
		na = x ? x->value : 0, nb = y ? y->value : 0;
	} else if (k->kind == FK_ATTR) {
		is_num = run_attr(a, k->key, &sa, &na, &pa);
		run_attr(b, k->key, &sb, &nb, &pb);
	} else {
		is_num = 0;
		sa = k->kind == FK_PARAM ? mlc_kv_get(a->params, a->n_params, k->key)
					 : mlc_kv_get(a->tags, a->n_tags, k->key);
		sb = k->kind == FK_PARAM ? mlc_kv_get(b->params, b->n_params, k->key)
					 : mlc_kv_get(b->tags, b->n_tags, k->key);
		pa = sa != NULL, pb = sb != NULL;
	}
	if (pa != pb)
		return pa ? -1 : 1;
	if (!pa)
		return 0;
	c = is_num ? (na > nb) - (na < nb) : strcmp(sa, sb);
	return k->desc ? -c : c;
}

/* One run to sort, with the order to sort by. */
struct sort_item {
	const struct order_list *order;
	struct mlc_run run;
};

/* By the order keys, then newest first, then by id (MLflow's tie-breaks). */
static int cmp_sort_item(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;

	for (size_t i = 0; i < a->order->n; i++) {
		int c = cmp_by_key(&a->run, &b->run, &a->order->keys[i]);
		if (c)
			return c;
	}
	if (a->run.start_time != b->run.start_time)
		return a->run.start_time > b->run.start_time ? -1 : 1;
	return strcmp(a->run.run_id, b->run.run_id);
}

/* Sort out[first..] by order here, then keep at most limit (0: all). */
static void sort_runs(struct mlc_run_list *out, size_t first, const struct order_list *order,
		      int64_t limit)
{
	size_t n = out->n - first;
	struct sort_item *items = xmalloc((n + 1) * sizeof *items);

	for (size_t i = 0; i < n; i++)
		items[i] = (struct sort_item){order, out->items[first + i]};
	qsort(items, n, sizeof *items, cmp_sort_item);
	for (size_t i = 0; i < n; i++)
		out->items[first + i] = items[i].run;
	free(items);
	if (limit > 0 && (uint64_t)limit < n)
		out->n = first + (size_t)limit;
}

/* 1 if s needs backticks as a key in an order-by string. */
static int needs_quotes(const char *s)
{
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] !=
	       '\0';
}

/* MLflow's order_by list for o; NULL when o sorts by a metric and
 * metrics is 0: the server redoes a metric sort for every page, ~4 s each on
 * 10,000 runs, so a whole listing is sorted here (§12). With a limit the
 * server sorts (metrics 1): one ~4 s request beats paging every run. */
static json_t *order_json(const struct order_list *o, int metrics)
{
	static const char *const prefix[] = {[FK_METRIC] = "metrics",
					     [FK_PARAM] = "params",
					     [FK_TAG] = "tags",
					     [FK_ATTR] = "attributes"};
	json_t *arr = json_array();

	for (size_t i = 0; i < o->n; i++) {
		const struct order_key *k = &o->keys[i];
		const char *q = needs_quotes(k->key) ? "`" : "";
		if (k->kind == FK_METRIC && !metrics) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, json_sprintf("%s.%s%s%s %s", prefix[k->kind], q, k->key,
							q, k->desc ? "DESC" : "ASC"));
	}
	return arr;
}

/* The runs/search request for experiment id: all (deleted too) or active. */
json_t *search_body(const char *id, const char *filter, int all)
{
	json_t *body = json_pack("{s:[s],s:s}", "experiment_ids", id, "run_view_type",
				 all ? "ALL" : "ACTIVE_ONLY");

	if (filter && *filter)
		json_object_set_new(body, "filter", json_string(filter));
	return body;
}

/* Runs of an experiment matching q's filter (sent to the server as is), in
 * q's order (default newest first). Orders by metrics are sorted here, but
 * for a limit (the CLI's --limit, §12's exception): then the server gets
 * order_by and max_results and answers the first rows in one request. */
static int mlflow_list_runs(struct registry *r, const struct mlc_run_query *q,
			    struct mlc_run_list *out, struct mlc_error *err)
{
	struct order_list order = {0};
	struct runs_ctx ctx = {out, {q, &order}};
	struct pager pg = {
	    .path = "runs/search", .items = "runs", .page_size = PAGE, .fn = add_run, .ctx = &ctx};
	json_t *ob;
	char id[64];
	size_t first = out->n;
	int ret = -1;

	if (order_parse(q->order_by, FILTER_RUNS, &order, err) < 0)
		return -1;
	if (experiment_id(r, q->experiment, id, sizeof id, err) < 0)
		goto out;
	pg.body = search_body(id, q->filter, q->all);
	ob = order_json(&order, q->limit > 0);
	if (ob && json_array_size(ob))
		json_object_set(pg.body, "order_by", ob);
	pg.limit = ob ? q->limit : 0;
	ret = each_item(r, &pg, err);
	if (ret == 0 && ob == NULL)
		sort_runs(out, first, &order, q->limit);
	if (ret == 0 && q->all && !q->lean && !q->limit && !(q->filter && *q->filter) && !order.n)
		mlflow_plan_ahead(r, out, first); /* an import's: its histories come next */
	json_decref(ob);
	json_decref(pg.body);
out:
	order_free(&order);
	return ret;
}

/* The error for a run the server does not know: a prefix cannot be looked
 * up remotely (runs/get takes the whole id), so say that for short ids. */
int run_not_found(struct registry *r, const char *run_id, struct mlc_error *err)
{
	if (strlen(run_id) < 32)
		return mlc_error_set(err, MLC_ERR_NOTFOUND,
				     "run '%s': not found in %s (an MLflow server looks runs up by "
				     "their whole id; a prefix cannot be resolved remotely)",
				     run_id, r->display);
	return mlc_error_set(err, MLC_ERR_NOTFOUND, "run '%s': not found in %s", run_id,
			     r->display);
}

/* runs/get of run_id into *out (the answer's "run"); -1 with err. */
static int fetch_run(struct registry *r, const char *run_id, json_t **out, struct mlc_error *err)
{
	struct http_param p = {"run_id", run_id};
	long st;

	if (http_get_json(HTTPH(r), "runs/get", &p, 1, out, err) == 0) {
		if (json_object_get(*out, "run"))
			return 0;
		json_decref(*out);
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: runs/get: no run in the answer",
				     http_host(HTTPH(r)));
	}
	st = http_last_status(HTTPH(r));
	return st == 404 || st == 400 ? run_not_found(r, run_id, err) : -1;
}

/* One run by its whole id with all its values. */
static int mlflow_get_run(struct registry *r, const char *run_id, struct mlc_run_list *out,
			  struct mlc_error *err)
{
	json_t *resp;

	if (fetch_run(r, run_id, &resp, err) < 0)
		return -1;
	parse_run(&out->arena, json_object_get(resp, "run"), MLC_LIST_PUSH(out), NULL);
	json_decref(resp);
	return 0;
}

/* The datasets run run_id used: its runs/get's inputs. */
static int mlflow_run_inputs(struct registry *r, const char *run_id, struct mlc_input_list *out,
			     struct mlc_error *err)
{
	struct mlc_run_list l = {0};
	int rc = mlflow_get_run(r, run_id, &l, err);

	for (size_t i = 0; rc == 0 && i < l.items[0].n_inputs; i++)
		*MLC_LIST_PUSH(out) = *mlc_inputs_copy(&out->arena, &l.items[0].inputs[i], 1);
	MLC_LIST_FREE(&l);
	return rc;
}

/* n GETs of path run together, request i with params[i*per .. i*per+per),
 * each answer handed to done as it arrives: their outcomes, freed with
 * free_each. */
struct http_response *get_each(struct registry *r, const char *path,
			       const struct http_param *params, size_t per, size_t n, http_done_fn done,
			       void *ctx)
{
	struct http_request *hr = xcalloc(n ? n : 1, sizeof *hr);
	struct http_response *res = xcalloc(n ? n : 1, sizeof *res);

	for (size_t i = 0; i < n; i++)
		hr[i] = (struct http_request){path, params + i * per, per};
	http_get_many(HTTPH(r), hr, n, res, done, ctx);
	free(hr);
	return res;
}

/* Free the outcomes of get_each. */
void free_each(struct http_response *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(res[i].json);
	free(res);
}

/* The run in an answer of runs/get, parsed into the list it belongs to; a
 * 200 without a run is failed here. */
static void took_run(size_t i, struct http_response *res, void *ctx)
{
	struct mlc_run_list *out = ctx;
	const json_t *run = json_object_get(res->json, "run");

	if (res->rc < 0)
		return;
	if (run == NULL) {
		res->rc = -1;
		mlc_error_set(&res->err, MLC_ERR_FAILED, "runs/get: no run in the answer");
	} else {
		parse_run(&out[i].arena, run, MLC_LIST_PUSH(&out[i]), NULL);
	}
	json_decref(res->json);
	res->json = NULL;
}

/* Runs ids[0..n) into out[i] each, fetched together; the first failure, in
 * the order asked, is the error. */
static int mlflow_get_runs(struct registry *r, const char *const *ids, size_t n,
			   struct mlc_run_list *out, struct mlc_error *err)
{
	struct http_param *p = xcalloc(n ? n : 1, sizeof *p);
	struct http_response *res;
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		p[i] = (struct http_param){"run_id", ids[i]};
	res = get_each(r, "runs/get", p, 1, n, took_run, out);
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (res[i].rc == 0)
			continue;
		if (res[i].status == 404 || res[i].status == 400)
			ret = run_not_found(r, ids[i], err);
		else if (res[i].status == 200) /* answered without a run */
			ret = mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", http_host(HTTPH(r)),
					    res[i].err.msg);
		else
			ret = mlc_error_set(err, res[i].err.code, "%s", res[i].err.msg);
	}
	free_each(res, n);
	free(p);
	return ret;
}

/* ---- keys of an experiment ---------------------------------------------------- */

/* Where the keys go, with the arrays' capacities. */
struct keys_ctx {
	struct mlc_keys *out;
	size_t cap[3];
};

/* Add the metric, param and tag keys of run j. */
static int add_run_keys(const json_t *j, void *ctx)
{
	static const char *const names[] = {"metrics", "params", "tags"};
	struct keys_ctx *c = ctx;
	struct mlc_keys *k = c->out;
	const char ***arr[] = {&k->metrics, &k->params, &k->tags};
	size_t *n[] = {&k->n_metrics, &k->n_params, &k->n_tags};
	const json_t *data = json_object_get(j, "data"), *it;
	size_t i;

	for (int kind = 0; kind < 3; kind++) {
		json_array_foreach(json_object_get(data, names[kind]), i, it)
		{
			if (jstr(it, "key"))
				mlc_keys_add(&k->arena, arr[kind], n[kind], &c->cap[kind],
					jstr(it, "key"));
		}
	}
	return 0;
}

/* Every metric, param and tag key of an experiment's runs (or, with newest,
 * of its newest active runs only). */
static int mlflow_experiment_keys(struct registry *r, const char *experiment, int64_t newest,
				  struct mlc_keys *out, struct mlc_error *err)
{
	struct keys_ctx ctx = {out, {0, 0, 0}};
	struct pager pg = {.path = "runs/search",
			   .items = "runs",
			   .page_size = PAGE,
			   .fn = add_run_keys,
			   .ctx = &ctx};
	char id[64];
	int rc;

	if (experiment_id(r, experiment, id, sizeof id, err) < 0)
		return -1;
	pg.body = search_body(id, NULL, newest <= 0);
	pg.limit = newest > 0 ? newest : 0;
	rc = each_item(r, &pg, err);
	json_decref(pg.body);
	return rc;
}

/* ---- versions of a run -------------------------------------------------------- */

/* Model versions registered from run run_id (its whole id), by model, then
 * highest version first, with their aliases. */
static int mlflow_versions_for_run(struct registry *r, const char *run_id,
				   struct mlc_version_list *out, struct mlc_error *err)
{
	struct strbuf f = {0};
	json_t *run, *m;
	size_t first = out->n;
	int ret = -1;

	if (fetch_run(r, run_id, &run, err) < 0)
		return -1;
	json_decref(run);
	sb_add(&f, "run_id = ");
	if (add_literal(&f, run_id, err) < 0 || search_versions(r, sb_str(&f), out, err) < 0)
		goto out;
	MLC_LIST_SORT_FROM(out, first, cmp_version_desc);
	for (size_t i = first; i < out->n; i++) {
		if (i > first && strcmp(out->items[i].model, out->items[i - 1].model) == 0)
			continue;
		if (get_model(r, out->items[i].model, &m, err) < 0)
			goto out;
		attach_aliases(out, i, json_object_get(m, "registered_model"));
		json_decref(m);
	}
	ret = 0;
out:
	sb_free(&f);
	return ret;
}

/* ---- writing to the server (README's server section) ----------------------------------- */

/* POST body (or, with del, DELETE it) to path; the answer is dropped. Takes body. */
int send_change(struct registry *r, const char *path, json_t *body, int del,
		struct mlc_error *err)
{
	json_t *resp = NULL;
	int rc;

	if (body == NULL)
		return mlc_error_set(err, MLC_ERR_USAGE, "%s: a name or text is not valid UTF-8",
				     path);
	rc = del ? http_delete_json(HTTPH(r), path, body, &resp, err)
		 : http_post_json(HTTPH(r), path, body, &resp, err);
	json_decref(body);
	json_decref(resp);
	return rc;
}

/* In o's array field, the vf of the item whose kf is key, or NULL: MLflow's
 * [{key, value}] tags and [{alias, version}] aliases alike. */
static const char *pair_of(const json_t *o, const char *field, const char *kf, const char *key,
			   const char *vf)
{
	const json_t *it;
	size_t i;

	json_array_foreach(json_object_get(o, field), i, it)
	{
		const char *k = jstr(it, kf);
		if (k && strcmp(k, key) == 0)
			return jstr(it, vf);
	}
	return NULL;
}

/* The value of tag key among the tags of entity o, or NULL. */
const char *tag_of(const json_t *o, const char *key)
{
	return pair_of(o, "tags", "key", key, "value");
}

/* The version registered model m's alias points at, or NULL. */
const char *alias_of(const json_t *m, const char *alias)
{
	return pair_of(m, "aliases", "alias", alias, "version");
}

/* s cut to at most max bytes on a UTF-8 boundary, as a JSON string. */
json_t *jcut(const char *s, size_t max)
{
	size_t n = strlen(s ? s : "");

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return json_stringn(s ? s : "", n);
}

/* Wait a moment (100-200 ms, jittered) so that a concurrent writer's change
 * lands before the confirming re-read. */
void settle(void)
{
	static _Thread_local unsigned seed;
	struct timespec ts = {0, 100 * 1000 * 1000};

	if (seed == 0)
		seed = (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&ts;
	ts.tv_nsec += (long)(rand_r(&seed) % 100) * 1000 * 1000;
	nanosleep(&ts, NULL);
}

/* ---- the local audit journal (journal.h) ------------------------------------------ */

/* Journal what this console did on server r (the detail cut as tags are). */
void journal(struct registry *r, const char *actor, const char *action,
	     const char *subject, const char *detail)
{
	json_t *d = jcut(detail, MAX_DETAIL);

	journal_append(r->display, actor, action, subject, json_string_value(d));
	json_decref(d);
}

/* The journal's lines about this server, newest first, then a note. */
static int mlflow_audit(struct registry *r, int64_t limit, struct mlc_audit_list *out,
			struct mlc_error *err)
{
	return journal_list(r->display, limit, out, err);
}

/* The journal's hash chain (it holds every server's lines: one chain). */
static int mlflow_audit_verify(struct registry *r, struct mlc_audit_check *out,
			       struct mlc_error *err)
{
	(void)r;
	return journal_verify(out, err);
}

/* ---- opening, closing, cancelling ------------------------------------------- */

static void mlflow_close(struct registry *r)
{
	struct mlflow *m = r->impl;

	mlflow_ahead_free(m->ahead);
	http_close(m->http);
	free(m);
}

/* Another thread asks the request in progress (and later ones) to stop. */
static void mlflow_interrupt(struct registry *r)
{
	http_interrupt(HTTPH(r));
}

static void mlflow_resume(struct registry *r)
{
	http_clear_interrupt(HTTPH(r));
}

/* Does the server require credentials? One cheap search sent without any,
 * its answer kept for the handle's life (README "The acting user"). */
static int mlflow_auth(struct registry *r, char *user, size_t len, struct mlc_error *err)
{
	struct mlflow *m = r->impl;
	const struct http_param one[] = {{"max_results", "1"}};
	const char *u = http_basic_user(m->http);
	int rc;

	if (m->auth < 0) {
		if ((rc = http_auth_required(m->http, "registered-models/search", one, 1, err)) < 0)
			return -1;
		m->auth = rc == 0 ? REG_AUTH_NONE : u ? REG_AUTH_USER : REG_AUTH_OTHER;
	}
	if (m->auth == REG_AUTH_USER)
		snprintf(user, len, "%s", u);
	return m->auth;
}

static const struct registry_ops mlflow_ops = {
    .kind = "mlflow",
    .close = mlflow_close,
    .list_models = mlflow_list_models,
    .list_versions = mlflow_list_versions,
    .list_experiments = mlflow_list_experiments,
    .list_runs = mlflow_list_runs,
    .get_run = mlflow_get_run,
    .metric_history = mlflow_metric_history,
    .metric_histories = mlflow_metric_histories,
    .get_runs = mlflow_get_runs,
    .experiment_keys = mlflow_experiment_keys,
    .versions_for_run = mlflow_versions_for_run,
    .run_inputs = mlflow_run_inputs,
    .get_experiment = mlflow_get_experiment,
    .env_list = mlflow_env_list,
    .env_set = mlflow_env_set,
    .deployments = mlflow_deployments,
    .deploy = mlflow_deploy,
    .rollback = mlflow_rollback,
    .rollback_target = mlflow_rollback_target,
    .request = mlflow_request,
    .vote = mlflow_vote,
    .cancel = mlflow_cancel,
    .requests = mlflow_requests,
    .audit = mlflow_audit,
    .audit_verify = mlflow_audit_verify,
    .drift_record = mlflow_drift_record,
    .drift_series = mlflow_drift_series,
    .record_hook = mlflow_record_hook,
    .alert_rules = mlflow_alert_rules,
    .alert_rule_put = mlflow_alert_rule_put,
    .alert_fire = mlflow_alert_fire,
    .alert_checked = mlflow_alert_checked,
    .alert_firings = mlflow_alert_firings,
    .auth = mlflow_auth,
    .interrupt = mlflow_interrupt,
    .resume = mlflow_resume,
};

struct registry *registry_mlflow_open(const char *uri, const struct registry_open_opts *opts,
				      struct mlc_error *err)
{
	struct http *h = http_open(uri, err);
	struct mlflow *m;
	struct registry *r;

	if (h == NULL)
		return NULL;
	m = xcalloc(1, sizeof *m);
	m->http = h;
	m->stages = opts && opts->stages;
	m->auth = -1;
	r = xcalloc(1, sizeof *r);
	r->ops = &mlflow_ops;
	r->uri = http_display_url(uri);
	r->display = xstrdup(r->uri);
	/* writes as §11 maps them; the audit trail is this machine's journal */
	r->caps = REG_CAP_WRITE | REG_CAP_DEPLOY | REG_CAP_DRIFT | REG_CAP_AUDIT;
	r->read_only = opts && opts->read_only;
	r->impl = m;
	return r;
}
