/* registry_mlflow.c: the MLflow REST backend (MLFLOW.md §1–5 and §11):
 * registered models, versions, experiments, runs and metric histories from a
 * tracking server, page by page, over core/http.c; environments, deployments,
 * promotion requests, votes and hook outcomes kept in MLflow's own aliases and
 * tags, with the policy enforced here and a local audit journal. */
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
#include "registry.h"
#include "sanitize.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Rows per page: registered-models/search's maximum and runs/search's
 * default (a 1000-run page of runs/search costs 0.6-1 s, MLFLOW.md §12). */
#define PAGE 1000
#define MAX_PAGES 100000 /* of one listing: far past any registry (10 million models) */

struct mlflow {
	struct http *http;
	int stages; /* mirror staging/production as legacy stages (MLFLOW.md §11) */
	int auth;   /* an enum registry_auth once asked, -1 before */
};

#define HTTPH(r) (((struct mlflow *)(r)->impl)->http)

/* ---- JSON fields ----------------------------------------------------------- */

/* The string at key of o, or NULL. */
static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Copy the value at key into a: a string as is, an integer in decimal, ""
 * when absent (the server omits unset fields). */
static const char *jdup(struct mlc_arena *a, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return arena_strdup(a, json_string_value(v));
	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	return arena_strdup(a, "");
}

/* jdup, with def when the field is absent or empty. */
static const char *jdup_or(struct mlc_arena *a, const json_t *o, const char *key, const char *def)
{
	const char *s = jdup(a, o, key);
	return *s ? s : arena_strdup(a, def);
}

/* The int64 at key (a number, or a numeric string as proto3 allows); 0 when
 * absent. A number past int64's range (a timestamp of 1e300) is clamped to
 * it, as strtoll clamps a string; converting it would be undefined. */
static int64_t jint(const json_t *o, const char *key)
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
static double jdouble(const json_t *v)
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
static int add_literal(struct strbuf *sb, const char *s, struct mlc_error *err)
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

/* Called for each item of a listing; returns 1 to stop early. */
typedef int (*item_fn)(const json_t *item, void *ctx);

/* One listing request, repeated page by page. */
struct pager {
	const char *path;
	const char *items; /* the array's key in the answer */
	json_t *body;	   /* POST: the request (paging fields set here); NULL: GET */
	const struct http_param *params;
	size_t n_params;
	int64_t page_size; /* max_results of each page (0: not sent) */
	int64_t limit;	   /* stop after this many items (0: all) */
	item_fn fn;
	void *ctx;
};

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
static int each_item(struct registry *r, struct pager *pg, struct mlc_error *err)
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

/* Registered models matching filter (MLflow syntax, evaluated by the
 * server), by name, with their version counts: one registered-models/search
 * listing, then one model-versions/search listing of every version (the
 * search results carry no count). */
static int mlflow_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
			      struct mlc_error *err)
{
	struct http_param p[] = {{"order_by", "name ASC"}, {"filter", filter}};
	struct pager pg = {.path = "registered-models/search",
			   .items = "registered_models",
			   .params = p,
			   .n_params = filter && *filter ? 2 : 1,
			   .page_size = PAGE,
			   .fn = add_model,
			   .ctx = out};

	if (each_item(r, &pg, err) < 0)
		return -1;
	if (out->n == 0)
		return 0;
	qsort(out->items, out->n, sizeof *out->items, cmp_model_name);
	pg = (struct pager){.path = "model-versions/search",
			    .items = "model_versions",
			    .page_size = PAGE,
			    .fn = count_version,
			    .ctx = out};
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

static int cmp_str_ptr(const void *a, const void *b)
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
static int get_model(struct registry *r, const char *name, json_t **out, struct mlc_error *err)
{
	struct http_param p = {"name", name};

	if (http_get_json(HTTPH(r), "registered-models/get", &p, 1, out, err) == 0)
		return 0;
	if (http_last_status(HTTPH(r)) == 404)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': not found in %s", name,
			      r->display);
	return -1;
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
	if (out->n - first > 1)
		qsort(out->items + first, out->n - first, sizeof *out->items, cmp_version_desc);
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
 * always gets max_results: it has no default (MLFLOW.md §5). */
static int mlflow_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
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
	if (rc == 0 && out->n - first > 1)
		qsort(out->items + first, out->n - first, sizeof *out->items, mlc_experiment_cmp_name);
	return rc;
}

/* 1 if s is a non-empty run of ASCII digits. */
static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The experiment ref names, as JSON (caller json_decref's): an existing id
 * wins (experiments/get), then the name (get-by-name). NULL with err. */
static json_t *find_experiment(struct registry *r, const char *ref, struct mlc_error *err)
{
	struct http_param by_id = {"experiment_id", ref}, by_name = {"experiment_name", ref};
	json_t *resp = NULL;
	long st;

	ref = ref ? ref : "";
	if (all_digits(ref)) {
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

/* Compare runs a and b by order key k: <0, 0, >0, missing values last. */
static int cmp_by_key(const struct mlc_run *a, const struct mlc_run *b, const struct order_key *k)
{
	const char *sa = NULL, *sb = NULL;
	double na = 0, nb = 0;
	int pa, pb, c, is_num = 1;

	if (k->kind == FK_METRIC) {
		const struct mlc_metric *x = mlc_run_metric(a, k->key),
					*y = mlc_run_metric(b, k->key);
		pa = x && !isnan(x->value), pb = y && !isnan(y->value);
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

/* MLflow's order_by list for o; NULL when o sorts by a metric, which this
 * backend does itself: the server redoes a metric sort for every page, ~4 s
 * each on 10,000 runs, against ~1 s a page in the default order (§12). */
static json_t *order_json(const struct order_list *o)
{
	static const char *const prefix[] = {[FK_METRIC] = "metrics",
					     [FK_PARAM] = "params",
					     [FK_TAG] = "tags",
					     [FK_ATTR] = "attributes"};
	json_t *arr = json_array();

	for (size_t i = 0; i < o->n; i++) {
		const struct order_key *k = &o->keys[i];
		const char *q = needs_quotes(k->key) ? "`" : "";
		if (k->kind == FK_METRIC) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, json_sprintf("%s.%s%s%s %s", prefix[k->kind], q, k->key,
							q, k->desc ? "DESC" : "ASC"));
	}
	return arr;
}

/* The runs/search request for experiment id: all (deleted too) or active. */
static json_t *search_body(const char *id, const char *filter, int all)
{
	json_t *body = json_pack("{s:[s],s:s}", "experiment_ids", id, "run_view_type",
				 all ? "ALL" : "ACTIVE_ONLY");

	if (filter && *filter)
		json_object_set_new(body, "filter", json_string(filter));
	return body;
}

/* Runs of an experiment matching q's filter (sent to the server as is), in
 * q's order (default newest first). Orders by metrics are sorted here. */
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
	ob = order_json(&order);
	if (ob && json_array_size(ob))
		json_object_set(pg.body, "order_by", ob);
	pg.limit = ob ? q->limit : 0;
	ret = each_item(r, &pg, err);
	if (ret == 0 && ob == NULL)
		sort_runs(out, first, &order, q->limit);
	json_decref(ob);
	json_decref(pg.body);
out:
	order_free(&order);
	return ret;
}

/* The error for a run the server does not know: a prefix cannot be looked
 * up remotely (runs/get takes the whole id), so say that for short ids. */
static int run_not_found(struct registry *r, const char *run_id, struct mlc_error *err)
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

/* n GETs of path run together, request i with params[i*per .. i*per+per),
 * each answer handed to done as it arrives: their outcomes, freed with
 * free_each. */
static struct http_response *get_each(struct registry *r, const char *path,
				      const struct http_param *params, size_t per, size_t n,
				      http_done_fn done, void *ctx)
{
	struct http_request *hr = xcalloc(n ? n : 1, sizeof *hr);
	struct http_response *res = xcalloc(n ? n : 1, sizeof *res);

	for (size_t i = 0; i < n; i++)
		hr[i] = (struct http_request){path, params + i * per, per};
	http_get_many(HTTPH(r), hr, n, res, done, ctx);
	free(hr);
	return res;
}

static void free_each(struct http_response *res, size_t n)
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

/* Where a metric history goes. */
struct points_ctx {
	struct mlc_metric_list *out;
	const char *key;
};

static int add_point(const json_t *j, void *ctx)
{
	struct points_ctx *c = ctx;
	struct mlc_metric *m = MLC_LIST_PUSH(c->out);

	m->key = c->key;
	m->value = jdouble(json_object_get(j, "value"));
	m->timestamp = jint(j, "timestamp");
	m->step = jint(j, "step");
	return 0;
}

/* A metric's whole history, by step then timestamp. get-history ignores
 * paging on 2.x servers; a next_page_token is followed all the same. */
static int mlflow_metric_history(struct registry *r, const char *run_id, const char *key,
				 struct mlc_metric_list *out, struct mlc_error *err)
{
	struct points_ctx ctx = {out, arena_strdup(&out->arena, key)};
	struct http_param p[] = {{"run_id", run_id}, {"metric_key", key}};
	struct pager pg = {.path = "metrics/get-history",
			   .items = "metrics",
			   .params = p,
			   .n_params = 2,
			   .fn = add_point,
			   .ctx = &ctx};
	size_t first = out->n;
	long st;

	if (each_item(r, &pg, err) < 0) {
		st = http_last_status(HTTPH(r));
		return st == 404 ? run_not_found(r, run_id, err) : -1;
	}
	if (out->n == first)
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "metric '%s': not logged by run %s",
				     key, run_id);
	mlc_history_sort(out->items + first, out->n - first);
	return 0;
}

/* The histories being fetched together, and what each answer held. */
struct histories_ctx {
	const struct mlc_history_req *req;
	struct mlc_metric_list *out;
	size_t *first; /* out[i].n before */
	char *paged;   /* 1: the server pages histories; fetch it again page by page */
};

/* The points of one answer of get-history, into its list at once. */
static void took_history(size_t i, struct http_response *res, void *ctx)
{
	struct histories_ctx *c = ctx;
	struct points_ctx pc = {&c->out[i], NULL};
	const json_t *it;
	const char *next = jstr(res->json, "next_page_token");
	size_t k;

	if (res->rc < 0)
		return;
	if (next && *next) {
		c->paged[i] = 1;
	} else {
		pc.key = arena_strdup(&c->out[i].arena, c->req[i].key);
		json_array_foreach(json_object_get(res->json, "metrics"), k, it)
			add_point(it, &pc);
		if (c->out[i].n - c->first[i] > 1) /* items is NULL for an empty history */
			mlc_history_sort(c->out[i].items + c->first[i], c->out[i].n - c->first[i]);
	}
	json_decref(res->json);
	res->json = NULL;
}

/* The histories of n (run, metric) pairs, fetched together (get-history
 * answers one pair per request) and converted as they arrive; out[i] gets
 * pair i. An answer with a next_page_token (a server that pages histories)
 * is fetched again whole, page by page. The first failure, in pair order, is
 * the error. */
static int mlflow_metric_histories(struct registry *r, const struct mlc_history_req *req, size_t n,
				   struct mlc_metric_list *out, struct mlc_error *err)
{
	struct http_param *p = xcalloc(2 * n + 1, sizeof *p);
	struct histories_ctx c = {req, out, xcalloc(n + 1, sizeof *c.first), xcalloc(n + 1, 1)};
	struct http_response *res;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		p[2 * i] = (struct http_param){"run_id", req[i].run_id};
		p[2 * i + 1] = (struct http_param){"metric_key", req[i].key};
		c.first[i] = out[i].n;
	}
	res = get_each(r, "metrics/get-history", p, 2, n, took_history, &c);
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (res[i].rc < 0)
			ret = res[i].status == 404
				  ? run_not_found(r, req[i].run_id, err)
				  : mlc_error_set(err, res[i].err.code, "%s", res[i].err.msg);
		else if (c.paged[i])
			ret = mlflow_metric_history(r, req[i].run_id, req[i].key, &out[i], err);
		else if (out[i].n == c.first[i])
			ret = mlc_error_set(err, MLC_ERR_NOTFOUND, "metric '%s': not logged by run %s",
					    req[i].key, req[i].run_id);
	}
	free_each(res, n);
	free(c.first);
	free(c.paged);
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
	if (out->n - first > 1)
		qsort(out->items + first, out->n - first, sizeof *out->items, cmp_version_desc);
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

/* ---- deployments on a stock server (MLFLOW.md §11) ----------------------------
 * Environment E of model M is the alias E; its history the model tag
 * mlconsole.history.E; policies are tags on the experiment "mlconsole"; a
 * promotion request is the model-version tag mlconsole.request.E; a hook's
 * outcome the model tag mlconsole.hook.E; the audit trail a local journal.
 * MLflow has no transactions and no compare-and-swap, so every change re-reads
 * what it decides on, writes, re-reads and confirms, and the policy is
 * enforced by this console, not by the server.
 *
 * Request ids: the "M:V:E" of a request hashed (FNV-1a, 64 bits) to a number
 * from 1 to 2^31-1. Every console sharing the server shows the same number
 * for the same request without any local table; the number names the request
 * tag of that version and environment (a new request there replaces a closed
 * one, and keeps its number). */

#define POLICY_EXPERIMENT "mlconsole"
#define MAX_TAG_VALUE 5000 /* MLflow's limit on a tag's value */
#define MAX_DETAIL 1000	   /* bytes of a comment or hook detail kept in a tag */
#define CONFIRM_TRIES 5	   /* read-modify-write attempts before giving up */
#define FINISH_GRACE_MS 120000 /* how long the console whose vote satisfied the policy
				* may take to deploy; after it, another may finish */
#define NOT_BY_SERVER                                                                              \
	"on a plain MLflow server the policy is enforced by the console, not the server"

/* POST body (or, with del, DELETE it) to path; the answer is dropped. Takes body. */
static int send_change(struct registry *r, const char *path, json_t *body, int del,
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
static const char *tag_of(const json_t *o, const char *key)
{
	return pair_of(o, "tags", "key", key, "value");
}

/* The version registered model m's alias points at, or NULL. */
static const char *alias_of(const json_t *m, const char *alias)
{
	return pair_of(m, "aliases", "alias", alias, "version");
}

/* s cut to at most max bytes on a UTF-8 boundary, as a JSON string. */
static json_t *jcut(const char *s, size_t max)
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
static void settle(void)
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
static void journal(struct registry *r, const char *actor, const char *action,
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

/* ---- environments and their policies ------------------------------------------ */

/* The environment called name[0..len) in l, added with no policy if absent. */
static struct mlc_env *env_slot(struct mlc_env_list *l, const char *name, size_t len)
{
	struct mlc_env *e;

	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->items[i].name) == len && strncmp(l->items[i].name, name, len) == 0)
			return &l->items[i];
	e = MLC_LIST_PUSH(l);
	e->name = arena_strndup(&l->arena, name, len);
	return e;
}

/* Set e's approvers from the comma list s (mlc_approver_next), sorted. */
static void parse_approvers(struct mlc_arena *a, struct mlc_env *e, const char *s)
{
	const char *p = s, *name;
	size_t n = 1, len;

	for (const char *q = s; *q; q++)
		n += *q == ',';
	e->approvers = arena_alloc(a, n * sizeof *e->approvers);
	e->n_approvers = 0;
	while (mlc_approver_next(&p, &name, &len))
		e->approvers[e->n_approvers++] = arena_strndup(a, name, len);
	if (e->n_approvers > 1)
		qsort(e->approvers, e->n_approvers, sizeof *e->approvers, cmp_str_ptr);
}

/* A policy flag: 1 yes, 0 no, -1 not understood. Other MLflow clients may
 * write "True" (Python's str(True)), "1" or "on". */
static int policy_flag(const char *v)
{
	static const char *const yes[] = {"yes", "true", "1", "on"};
	static const char *const no[] = {"no", "false", "0", "off"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* A policy number into *n: 0, or -1 when v is not a whole number (at least
 * min). */
static int policy_number(const char *v, int64_t min, int64_t *n)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || x < min)
		return -1;
	*n = x;
	return 0;
}

/* *field = the flag v: 0, or -1 when v is not understood. */
static int policy_set_flag(int *field, const char *v)
{
	int f = policy_flag(v);

	if (f < 0)
		return -1;
	*field = f;
	return 0;
}

/* Apply policy tag key (policy.E.FIELD) = value to the list. A value not
 * understood is noted in the environment: changes there are refused, since a
 * policy that cannot be read must not read as "no approval needed". */
static void policy_tag(struct mlc_env_list *l, const char *key, const char *value)
{
	const char *name = key + 7, *dot = strrchr(key, '.'), *f;
	struct mlc_env *e;
	int bad = 0;

	if (strncmp(key, "policy.", 7) != 0 || dot <= name)
		return;
	e = env_slot(l, name, (size_t)(dot - name));
	f = dot + 1;
	if (strcmp(f, "order") == 0)
		bad = policy_number(value, INT64_MIN, &e->order);
	else if (strcmp(f, "required_approvals") == 0)
		bad = policy_number(value, 0, &e->required_approvals);
	else if (strcmp(f, "approvers") == 0)
		parse_approvers(&l->arena, e, value);
	else if (strcmp(f, "self_approval") == 0)
		bad = policy_set_flag(&e->self_approval, value);
	else if (strcmp(f, "rollback_approval") == 0)
		bad = policy_set_flag(&e->rollback_approval, value);
	else if (strcmp(f, "require_previous") == 0)
		bad = policy_set_flag(&e->require_previous, value);
	if (bad && e->policy_error == NULL) {
		char what[400];
		snprintf(what, sizeof what, "%.120s = '%.200s'", key, value);
		e->policy_error = arena_strdup(&l->arena, what);
	}
}

/* By order, then name. */
static int cmp_env(const void *a, const void *b)
{
	const struct mlc_env *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The policy experiment's JSON into *out (caller decrefs); NULL when it does
 * not exist yet. */
static int policy_experiment(struct registry *r, json_t **out, struct mlc_error *err)
{
	struct http_param p = {"experiment_name", POLICY_EXPERIMENT};
	json_t *resp;

	*out = NULL;
	if (http_get_json(HTTPH(r), "experiments/get-by-name", &p, 1, &resp, err) == 0) {
		*out = json_incref(json_object_get(resp, "experiment"));
		json_decref(resp);
		return 0;
	}
	return http_last_status(HTTPH(r)) == 404 ? 0 : -1;
}

/* Every environment's policy, by order, into out; the policy experiment's id
 * into exp[len] ("" when it does not exist yet) unless exp is NULL. */
static int load_envs(struct registry *r, struct mlc_env_list *out, char *exp, size_t len,
		     struct mlc_error *err)
{
	const json_t *it;
	json_t *e;
	size_t i, first = out->n;

	if (policy_experiment(r, &e, err) < 0)
		return -1;
	if (exp)
		snprintf(exp, len, "%s", jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
	json_array_foreach(json_object_get(e, "tags"), i, it)
	{
		if (jstr(it, "key") && jstr(it, "value"))
			policy_tag(out, jstr(it, "key"), jstr(it, "value"));
	}
	json_decref(e);
	if (out->n - first > 1)
		qsort(out->items + first, out->n - first, sizeof *out->items, cmp_env);
	return 0;
}

/* Environments and their policies, by order. */
static int mlflow_env_list(struct registry *r, struct mlc_env_list *out, struct mlc_error *err)
{
	return load_envs(r, out, NULL, 0, err);
}

/* Environment name in l; NULL with a NOT FOUND naming it, or (err set) with
 * the policy setting it could not read. */
static const struct mlc_env *find_env(const struct mlc_env_list *l, const char *name,
				      struct mlc_error *err)
{
	for (size_t i = 0; name && i < l->n; i++) {
		const struct mlc_env *e = &l->items[i];
		if (strcmp(e->name, name) != 0)
			continue;
		if (e->policy_error && err) {
			mlc_error_set(err, MLC_ERR_FAILED,
				      "environment '%s': its policy setting %s (a tag of the "
				      "experiment '" POLICY_EXPERIMENT "') is not understood (yes/no, "
				      "or a whole number): changes there are refused until 'mlconsole "
				      "env set %s ...' rewrites it",
				      e->name, e->policy_error, e->name);
			return NULL;
		}
		return e;
	}
	mlc_error_set(err, MLC_ERR_NOTFOUND, "environment '%s': not found (see 'mlconsole env list')",
		      name ? name : "?");
	return NULL;
}

/* The environment just before e in the order, or NULL. */
static const struct mlc_env *previous_env(const struct mlc_env_list *l, const struct mlc_env *e)
{
	const struct mlc_env *prev = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].order < e->order && (prev == NULL || l->items[i].order > prev->order))
			prev = &l->items[i];
	return prev;
}

/* Create the policy experiment (on the first env set), its id into exp[len].
 * Another console creating it at the same moment is fine: it is looked up. */
static int create_policy_experiment(struct registry *r, char *exp, size_t len,
				    struct mlc_error *err)
{
	json_t *body = json_pack("{s:s,s:[{s:s,s:s}]}", "name", POLICY_EXPERIMENT, "tags", "key",
				 "mlconsole.note", "value",
				 "environment policies of mlconsole (policy.ENV.*); " NOT_BY_SERVER);
	json_t *resp = NULL, *e;
	int rc = http_post_json(HTTPH(r), "experiments/create", body, &resp, err);

	json_decref(body);
	if (rc == 0 && jstr(resp, "experiment_id"))
		snprintf(exp, len, "%s", jstr(resp, "experiment_id"));
	json_decref(resp);
	if (rc == 0 || http_last_status(HTTPH(r)) != 400)
		return rc;
	if (policy_experiment(r, &e, err) < 0 || e == NULL)
		return e ? -1 : mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot create experiment '%s'",
					     http_host(HTTPH(r)), POLICY_EXPERIMENT);
	snprintf(exp, len, "%s", jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
	json_decref(e);
	return 0;
}

/* Set the policy tag policy.ENV.FIELD = value on experiment exp. */
static int set_policy(struct registry *r, const char *exp, const char *env, const char *field,
		      const char *value, struct mlc_error *err)
{
	char key[128];

	snprintf(key, sizeof key, "policy.%s.%s", env, field);
	return send_change(r, "experiments/set-experiment-tag",
			   json_pack("{s:s,s:s,s:s}", "experiment_id", exp, "key", key, "value",
				     value),
			   0, err);
}

/* The audit detail of a policy change (as the local store writes it). */
static void policy_detail(struct strbuf *sb, const struct mlc_env_change *c, int created)
{
	if (created)
		sb_add(sb, "created;");
	if (c->have_order)
		sb_printf(sb, " order=%lld", (long long)c->order);
	if (c->have_required)
		sb_printf(sb, " required_approvals=%lld", (long long)c->required_approvals);
	if (c->have_approvers)
		sb_printf(sb, " approvers=%s", c->approvers);
	if (c->have_self)
		sb_printf(sb, " self_approval=%s", c->self_approval ? "yes" : "no");
	if (c->have_rollback)
		sb_printf(sb, " rollback_approval=%s", c->rollback_approval ? "yes" : "no");
	if (c->have_previous)
		sb_printf(sb, " require_previous=%s", c->require_previous ? "yes" : "no");
	sb_add(sb, " (" NOT_BY_SERVER ")");
}

static int open_policy_request(struct registry *r, const char *exp, const struct mlc_env_change *c,
			       const struct mlc_env *e, const char *why, const char *actor,
			       struct mlc_outcome *out, struct mlc_error *err);

/* Write change c as policy tags on experiment exp (l: the environments as
 * read), and journal it; how, when not NULL, says by what right. */
static int write_policy(struct registry *r, const char *exp, const struct mlc_env_list *l,
			const struct mlc_env_change *c, const char *actor, const char *how,
			struct mlc_error *err)
{
	struct strbuf detail = {0};
	char order[24], req[24];
	int64_t next = 1;
	int created = find_env(l, c->name, NULL) == NULL;

	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].order >= next)
			next = l->items[i].order + 1;
	snprintf(order, sizeof order, "%lld", (long long)(c->have_order ? c->order : next));
	snprintf(req, sizeof req, "%lld", (long long)(c->have_required ? c->required_approvals : 0));
	const struct {
		int set;
		const char *field, *value;
	} f[] = {
	    {c->have_order || created, "order", order},
	    {c->have_required || created, "required_approvals", req},
	    {c->have_approvers || created, "approvers", c->have_approvers ? c->approvers : ""},
	    {c->have_self || created, "self_approval", c->self_approval ? "yes" : "no"},
	    {c->have_rollback || created, "rollback_approval", c->rollback_approval ? "yes" : "no"},
	    {c->have_previous || created, "require_previous", c->require_previous ? "yes" : "no"},
	};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		if (f[i].set && set_policy(r, exp, c->name, f[i].field, f[i].value, err) < 0)
			return -1;
	policy_detail(&detail, c, created);
	if (how)
		sb_printf(&detail, "; %s", how);
	journal(r, actor, "policy", c->name, sb_str(&detail));
	sb_free(&detail);
	return 0;
}

/* Store a policy as tags of the experiment "mlconsole" (created when
 * missing); a new environment gets every field, an old one those given. */
static int mlflow_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
			  struct mlc_outcome *out, struct mlc_error *err)
{
	struct mlc_env_list l = {0};
	struct strbuf why = {0};
	char exp[64];
	int kind, rc = -1;

	if (!mlc_env_name_valid(c->name))
		return mlc_error_set(
		    err, MLC_ERR_USAGE,
		    "environment '%s': names are lower case letters, digits, '-' and '_'", c->name);
	if (load_envs(r, &l, exp, sizeof exp, err) < 0 ||
	    (kind = mlc_policy_check(&l, c, actor, &why, err)) < 0)
		goto out;
	if (kind == MLC_POLICY_REQUEST) {
		rc = open_policy_request(r, exp, c, find_env(&l, c->name, NULL), sb_str(&why),
					 actor, out, err);
		goto out;
	}
	if ((!*exp && create_policy_experiment(r, exp, sizeof exp, err) < 0) ||
	    write_policy(r, exp, &l, c, actor, c->root_direct ? "as root, directly" : NULL, err) <
		0)
		goto out;
	mlc_outcome(out, 0, 0, "environment %s: policy saved (%s)%s", c->name, sb_str(&why),
		    c->root_direct ? ", as root, directly" : "");
	rc = 0;
out:
	sb_free(&why);
	MLC_LIST_FREE(&l);
	return rc;
}

/* ---- deployments: aliases and history tags ---------------------------------- */

/* A model in an environment, as read for a change. */
struct place {
	struct mlc_env_list envs;
	const struct mlc_env *env;
	json_t *resp;	 /* registered-models/get's answer */
	const json_t *m; /* its registered_model */
};

/* Read model again (the alias and tags as they are now). */
static int place_reread(struct registry *r, const char *model, struct place *p,
			struct mlc_error *err)
{
	json_decref(p->resp);
	p->resp = NULL;
	p->m = NULL;
	if (get_model(r, model, &p->resp, err) < 0)
		return -1;
	p->m = json_object_get(p->resp, "registered_model");
	return 0;
}

/* The policies, environment env and model, as they are now. */
static int place_open(struct registry *r, const char *model, const char *env, struct place *p,
		      struct mlc_error *err)
{
	memset(p, 0, sizeof *p);
	if (load_envs(r, &p->envs, NULL, 0, err) < 0 ||
	    (p->env = find_env(&p->envs, env, err)) == NULL)
		return -1;
	return place_reread(r, model, p, err);
}

/* Free what place_open read. */
static void place_close(struct place *p)
{
	json_decref(p->resp);
	MLC_LIST_FREE(&p->envs);
}

/* The deployment history of model m in env, newest first: a new array. A tag
 * that is not a JSON array (an edit by hand) reads as empty. */
static json_t *history_of(const json_t *m, const char *env)
{
	char key[128];
	const char *s;
	json_t *h;

	snprintf(key, sizeof key, "mlconsole.history.%s", env);
	s = tag_of(m, key);
	h = s ? json_loads(s, 0, NULL) : NULL;
	if (!json_is_array(h)) {
		json_decref(h);
		h = json_array();
	}
	return h;
}

/* The version live in env (alias env of m), 0 when none. */
static int64_t live_of(const json_t *m, const char *env)
{
	const char *v = alias_of(m, env);
	return v ? strtoll(v, NULL, 10) : 0;
}

/* A request as a history entry names it: "M:V:E", and when it was opened (a
 * new request for the same M:V:E replaces a closed one, with the same id). */
struct reqref {
	const char *ref;
	int64_t opened;
};

/* The entry of history h for the deployment that completed request q (made
 * since q was opened), or NULL. */
static const json_t *history_req(const json_t *h, const struct reqref *q)
{
	const json_t *e;
	size_t i;

	json_array_foreach(h, i, e)
	{
		if (jstr(e, "req") && strcmp(jstr(e, "req"), q->ref) == 0 &&
		    jint(e, "at") >= q->opened)
			return e;
	}
	return NULL;
}

/* 1 if version v of m was ever live in env. */
static int was_live(const json_t *m, const char *env, int64_t v)
{
	json_t *h = history_of(m, env);
	const json_t *e;
	size_t i;
	int found = live_of(m, env) == v;

	json_array_foreach(h, i, e)
	{
		found |= jint(e, "v") == v;
	}
	json_decref(h);
	return found;
}

/* The rollback rule on history h (newest first): the most recent earlier live
 * version, not cur, that was not itself rolled back from; 0 when none. */
static int64_t rule_target(const json_t *h, int64_t cur)
{
	const json_t *e, *x;
	size_t i, k;

	json_array_foreach(h, i, e)
	{
		int64_t v = jint(e, "v");
		int rolled = 0;
		if (v <= 0 || v == cur)
			continue;
		json_array_foreach(h, k, x)
		{
			const char *act = jstr(x, "act");
			rolled |= act && strcmp(act, "rollback") == 0 && jint(x, "prev") == v;
		}
		if (!rolled)
			return v;
	}
	return 0;
}

/* Can version v of p's model go live? 0 yes; 1 no, with the reason in why
 * (no such version, archived); -1 with err when the server could not say.
 * stage (len bytes), when not NULL, gets the version's MLflow stage. With the
 * stage mirror on, a version the mirror archived (one the history records as
 * live in staging or production) can go live again; one archived by other
 * means (MLflow's UI, another client) while never live there stays retired.
 * (A version archived by hand after being live there, or whose entries were
 * trimmed from the history, is not told apart.) */
static int version_state(struct registry *r, const struct place *p, const char *model, int64_t v,
			 char *stage, size_t len, struct mlc_error *why, struct mlc_error *err)
{
	char num[24];
	struct http_param q[] = {{"name", model}, {"version", num}};
	int mirrored = ((struct mlflow *)r->impl)->stages;
	json_t *resp;
	const char *st;
	int archived;

	snprintf(num, sizeof num, "%lld", (long long)v);
	if (http_get_json(HTTPH(r), "model-versions/get", q, 2, &resp, err) < 0) {
		if (http_last_status(HTTPH(r)) != 404)
			return -1;
		mlc_error_set(why, MLC_ERR_NOTFOUND, "model '%s': no version %lld", model,
			      (long long)v);
		return 1;
	}
	st = jstr(json_object_get(resp, "model_version"), "current_stage");
	if (stage)
		snprintf(stage, len, "%s", st ? st : "");
	archived = st && strcmp(st, "Archived") == 0 &&
		   !(mirrored && (was_live(p->m, "staging", v) || was_live(p->m, "production", v)));
	json_decref(resp);
	if (archived)
		mlc_error_set(why, MLC_ERR_FAILED, "%s version %lld is archived%s", model,
			      (long long)v,
			      mirrored ? " (its history has no record of it live in staging or "
					 "production, where the legacy stage mirror would have archived it)"
				       : "");
	return archived;
}

/* Version v of p's model exists and is not retired; -1 with err otherwise. */
static int check_version(struct registry *r, const struct place *p, const char *model, int64_t v,
			 struct mlc_error *err)
{
	return version_state(r, p, model, v, NULL, 0, err, err) == 0 ? 0 : -1;
}

/* The require-previous rule: v must have been live in the environment before. */
static int check_previous(const struct place *p, const char *model, int64_t v,
			  struct mlc_error *err)
{
	const struct mlc_env *e = p->env, *prev = previous_env(&p->envs, e);

	if (!e->require_previous || prev == NULL || was_live(p->m, prev->name, v))
		return 0;
	return mlc_error_set(err, MLC_ERR_FAILED,
			     "%s %lld to %s: refused by the policy of environment '%s': the version "
			     "must have been live in '%s' first",
			     model, (long long)v, e->name, e->name, prev->name);
}

/* Write history h of model in env as its tag, dropping the oldest entries
 * until it fits MLflow's 5000 characters. */
static int write_history(struct registry *r, const char *model, const char *env, json_t *h,
			 struct mlc_error *err)
{
	char key[128], *s = json_dumps(h, JSON_COMPACT);
	int rc;

	while (s && strlen(s) > MAX_TAG_VALUE && json_array_size(h) > 1) {
		free(s);
		json_array_remove(h, json_array_size(h) - 1);
		s = json_dumps(h, JSON_COMPACT);
	}
	snprintf(key, sizeof key, "mlconsole.history.%s", env);
	rc = send_change(r, "registered-models/set-tag",
			 json_pack("{s:s,s:s,s:s}", "name", model, "key", key, "value", s ? s : "[]"),
			 0, err);
	free(s);
	return rc;
}

/* Add the entry for v (action by actor, completing request req or NULL) at
 * the head of the history tag, read again first; nothing when req is there. */
static int add_history(struct registry *r, const char *model, struct place *p, int64_t v,
		       int64_t prev, const char *action, const char *actor, const struct reqref *req,
		       struct mlc_error *err)
{
	json_t *h, *e;
	int rc = 0;

	if (place_reread(r, model, p, err) < 0)
		return -1;
	h = history_of(p->m, p->env->name);
	if (req == NULL || history_req(h, req) == NULL) {
		e = json_object();
		json_object_set_new(e, "v", json_sprintf("%lld", (long long)v));
		if (prev > 0)
			json_object_set_new(e, "prev", json_sprintf("%lld", (long long)prev));
		json_object_set_new(e, "at", json_integer(timefmt_now_ms()));
		json_object_set_new(e, "by", json_string(actor));
		json_object_set_new(e, "act", json_string(action));
		if (req)
			json_object_set_new(e, "req", json_string(req->ref));
		json_array_insert_new(h, 0, e);
		rc = write_history(r, model, p->env->name, h, err);
	}
	json_decref(h);
	return rc;
}

/* The MLflow stage mirroring environment env ("Staging", "Production"), or
 * NULL when env has none or this context does not mirror stages. */
static const char *legacy_stage(struct registry *r, const char *env)
{
	if (!((struct mlflow *)r->impl)->stages)
		return NULL;
	if (strcmp(env, "staging") == 0)
		return "Staging";
	if (strcmp(env, "production") == 0)
		return "Production";
	return NULL;
}

/* With the legacy stage mirror on, put v, just made live in env, in env's
 * stage, archiving the versions that held it (transition-stage), for tools
 * that still read stages; journal it under subject. 0 done (or nothing to
 * do); -1 with err saying that the deployment stands but the mirror failed. */
static int mirror_stage(struct registry *r, const json_t *m, const char *model, int64_t v,
			const char *env, const char *actor, const char *subject,
			struct mlc_error *err)
{
	const char *stage = legacy_stage(r, env);
	struct mlc_error e = {0};
	char num[24], detail[1200];

	if (stage == NULL)
		return 0;
	/* A version holds one stage: one still live in production keeps it. */
	if (strcmp(env, "production") != 0 && legacy_stage(r, "production") &&
	    live_of(m, "production") == v) {
		journal(r, actor, "stage", subject,
			"legacy stage Production kept: the version is live in production");
		return 0;
	}
	snprintf(num, sizeof num, "%lld", (long long)v);
	if (send_change(r, "model-versions/transition-stage",
			json_pack("{s:s,s:s,s:s,s:b}", "name", model, "version", num, "stage",
				  stage, "archive_existing_versions", 1),
			0, &e) < 0) {
		snprintf(detail, sizeof detail,
			 "incomplete: the alias and history tag were written, the legacy stage %s "
			 "was not: %s",
			 stage, e.msg);
		journal(r, actor, "stage", subject, detail);
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "deployed %s %lld to %s, but the legacy stage mirror failed: %s", model,
		    (long long)v, env, e.msg);
	}
	snprintf(detail, sizeof detail, "legacy stage %s (the other %s versions archived)", stage,
		 stage);
	journal(r, actor, "stage", subject, detail);
	return 0;
}

/* err, which says why a later step failed, now says first that v went live. */
static int live_but(struct mlc_error *err, const char *model, int64_t v, const char *env,
		    const char *what)
{
	struct mlc_error e = *err;

	mlc_error_set(err, e.code, "deployed %s %lld to %s (the alias is set), but %s: %s", model,
		      (long long)v, env, what, e.msg);
	return 1;
}

/* Make v live in p's environment in §11's order — the alias, then the history
 * tag — then re-read and confirm both; journal it; then the legacy stage when
 * mirrored. *prev: the version before. 0 live; 1 live, but a step after the
 * alias failed (the history tag, its confirmation, the stage mirror: err says
 * which); -1 with err, not live. */
static int make_live(struct registry *r, const char *model, struct place *p, int64_t v,
		     const char *action, const char *actor, const struct reqref *req, int64_t *prev,
		     struct mlc_outcome *out, struct mlc_error *err)
{
	const char *env = p->env->name;
	char num[24], subject[600], detail[200];
	json_t *h;
	int ok;

	snprintf(num, sizeof num, "%lld", (long long)v);
	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, env);
	if (place_reread(r, model, p, err) < 0)
		return -1;
	*prev = live_of(p->m, env);
	if (send_change(r, "registered-models/alias",
			json_pack("{s:s,s:s,s:s}", "name", model, "alias", env, "version", num), 0,
			err) < 0)
		return -1;
	mlc_outcome_where(out, model, env, action, v, *prev);
	if (add_history(r, model, p, v, *prev, action, actor, req, err) < 0) {
		journal(r, actor, action, subject,
			"incomplete: the alias was set, the history tag was not written");
		return live_but(err, model, v, env,
				legacy_stage(r, env)
				    ? "its history tag was not written (a rollback will not know of "
				      "this deployment) nor its legacy stage set; deploying it again "
				      "writes them"
				    : "its history tag was not written (a rollback will not know of "
				      "this deployment); deploying it again writes it");
	}
	if (place_reread(r, model, p, err) < 0) {
		journal(r, actor, action, subject,
			"unconfirmed: the alias and history tag were written, not read back");
		return live_but(err, model, v, env,
				"the alias and history tag could not be read back to confirm them");
	}
	h = history_of(p->m, env);
	ok = live_of(p->m, env) == v && jint(json_array_get(h, 0), "v") == v;
	json_decref(h);
	if (!ok) {
		journal(r, actor, action, subject, "not confirmed: another console changed it");
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s %lld to %s: another console changed %s at the same time; "
				     "see 'mlconsole deployments %s'",
				     model, (long long)v, env, env, model);
	}
	if (*prev > 0)
		snprintf(detail, sizeof detail, "from version %lld", (long long)*prev);
	else
		snprintf(detail, sizeof detail, "first deployment");
	journal(r, actor, action, subject, detail);
	return mirror_stage(r, p->m, model, v, env, actor, subject, err) < 0 ? 1 : 0;
}

/* v is live in p's environment (its alias), but the deployment that set the
 * alias may have stopped short: write what it left out — the history entry
 * when the history's head is not v (prev: the head's version), then the
 * legacy stage (stage: v's stage now) when mirrored — journalled under
 * subject. fixed (len bytes) says what was written, "" when nothing was
 * missing. 0, or -1 with err. */
static int finish_live(struct registry *r, const char *model, struct place *p, int64_t v,
		       const char *stage, const char *action, const char *actor, const struct reqref *req,
		       const char *subject, char *fixed, size_t len, struct mlc_error *err)
{
	const char *env = p->env->name, *want = legacy_stage(r, env);
	json_t *h = history_of(p->m, env);
	int64_t head = jint(json_array_get(h, 0), "v");
	size_t n;

	json_decref(h);
	*fixed = '\0';
	if (head != v) {
		if (add_history(r, model, p, v, head, action, actor, req, err) < 0)
			return -1;
		journal(r, actor, "reconcile", subject, "wrote the missing history entry");
		snprintf(fixed, len, "its history entry");
	}
	/* (a version live in production keeps Production when deployed elsewhere) */
	if (want == NULL || strcmp(stage, want) == 0 ||
	    (strcmp(env, "production") != 0 && live_of(p->m, "production") == v))
		return 0;
	if (mirror_stage(r, p->m, model, v, env, actor, subject, err) < 0)
		return -1;
	n = strlen(fixed);
	snprintf(fixed + n, len - n, "%sits legacy stage %s", n ? " and " : "", want);
	return 0;
}

/* Deploying v, live in p's environment already: an error, unless a deployment
 * stopped short of the history entry or the legacy stage (stage: v's stage
 * now): then only what is missing is written (no new deployment, so no
 * approval and no hook). */
static int redeploy(struct registry *r, struct place *p, const char *model, int64_t v,
		    const char *stage, const char *actor, struct mlc_outcome *out,
		    struct mlc_error *err)
{
	const char *env = p->env->name;
	char subject[600], fixed[200];

	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, env);
	if (finish_live(r, model, p, v, stage, "deploy", actor, NULL, subject, fixed, sizeof fixed,
			err) < 0)
		return -1;
	if (*fixed == '\0')
		return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is already live in %s", model,
				     (long long)v, env);
	mlc_outcome(out, 0, 0, "%s %lld is already live in %s; what its deployment left out is now "
			       "written: %s",
		    model, (long long)v, env, fixed);
	return 0;
}

/* Deploy when the policy needs no approval: alias, history, journal. */
static int mlflow_deploy(struct registry *r, const char *model, const char *version,
			 const char *env, const char *actor, struct mlc_outcome *out,
			 struct mlc_error *err)
{
	struct place p = {0};
	const struct mlc_env *e;
	char stage[32];
	int64_t v, prev;
	int rc = -1, live;

	if ((v = mlc_version_parse(version, err)) < 0 || place_open(r, model, env, &p, err) < 0 ||
	    version_state(r, &p, model, v, stage, sizeof stage, err, err) != 0)
		goto out;
	e = p.env;
	/* The live version again: no new deployment. A missing legacy stage is
	 * set whatever the policy (the deployment is recorded); a missing history
	 * entry would record one, so the policy applies to it. */
	if (live_of(p.m, e->name) == v) {
		json_t *h = history_of(p.m, e->name);
		int recorded = jint(json_array_get(h, 0), "v") == v;
		json_decref(h);
		if (!recorded && e->required_approvals > 0)
			mlc_error_set(err, MLC_ERR_FAILED,
				      "%s %lld is live in %s, but its history has no entry for it; "
				      "with approvals required there, only its request records it "
				      "('mlconsole approve ID')",
				      model, (long long)v, e->name);
		else if (recorded || check_previous(&p, model, v, err) == 0)
			rc = redeploy(r, &p, model, v, stage, actor, out, err);
		goto out;
	}
	if (e->required_approvals > 0) {
		mlc_error_set(err, MLC_ERR_FAILED,
			      "deploy %s %lld to %s: refused by the policy of environment '%s': "
			      "%lld approval%s required (use 'mlconsole request %s %lld --env %s')",
			      model, (long long)v, e->name, e->name, (long long)e->required_approvals,
			      e->required_approvals == 1 ? "" : "s", model, (long long)v, e->name);
		goto out;
	}
	if (check_previous(&p, model, v, err) < 0)
		goto out;
	if ((live = make_live(r, model, &p, v, "deploy", actor, NULL, &prev, out, err)) < 0)
		goto out;
	mlc_outcome(out, 0, 1, "deployed %s %lld to %s (was %s%lld)", model, (long long)v, e->name,
		prev > 0 ? "" : "none, ", (long long)prev);
	rc = live == 0 ? 0 : -1; /* 1: live, but err says which later step failed */
out:
	place_close(&p);
	return rc;
}

/* Where a rollback of model in p's environment goes: to (checked) or the rule's choice. */
static int64_t pick_rollback(const struct place *p, const char *model, const char *to,
			     int64_t cur, struct mlc_error *err)
{
	const char *env = p->env->name;
	json_t *h;
	int64_t target;

	if (cur <= 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "%s is not live in %s: nothing to roll back",
				     model, env);
	if (to != NULL) {
		if ((target = mlc_version_parse(to, err)) < 0)
			return -1;
		if (target == cur)
			return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is the live version in %s",
					     model, (long long)target, env);
		if (!was_live(p->m, env, target))
			return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld was never live in %s",
					     model, (long long)target, env);
		return target;
	}
	h = history_of(p->m, env);
	/* Another client moved the alias off the history's head: that move backed
	 * the head out, so the rule must not go back onto it. */
	if (json_array_size(h) > 0 && jint(json_array_get(h, 0), "v") != cur)
		json_array_insert_new(h, 0,
				      json_pack("{s:I,s:O,s:s}", "v", (json_int_t)cur, "prev",
						json_object_get(json_array_get(h, 0), "v"), "act",
						"rollback"));
	target = rule_target(h, cur);
	json_decref(h);
	if (target == 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s in %s: no earlier version to roll back to (none that was not "
				     "itself rolled back from)",
				     model, env);
	return target;
}

/* Roll back by the rule (or to a version live before) when the policy allows. */
static int mlflow_rollback(struct registry *r, const char *model, const char *env, const char *to,
			   const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct place p = {0};
	struct mlc_error why = {0};
	int64_t cur, target, prev;
	int rc = -1, live, st;

	if (place_open(r, model, env, &p, err) < 0)
		goto out;
	if (p.env->rollback_approval) {
		mlc_error_set(err, MLC_ERR_FAILED,
			      "rollback of %s in %s: refused by the policy of environment '%s': "
			      "rollback needs approval (use 'mlconsole request %s --rollback --env %s')",
			      model, p.env->name, p.env->name, model, p.env->name);
		goto out;
	}
	cur = live_of(p.m, p.env->name);
	if ((target = pick_rollback(&p, model, to, cur, err)) < 0 ||
	    (st = version_state(r, &p, model, target, NULL, 0, &why, err)) < 0)
		goto out;
	if (st > 0 && why.code == MLC_ERR_NOTFOUND) { /* deleted since it was live (an archived
							 * version stays a rollback target) */
		mlc_error_set(err, why.code, "rollback of %s in %s to %lld: %s%s", model, p.env->name,
			      (long long)target, why.msg,
			      to ? "" : "; choose another with --to VERSION (see 'mlconsole deployments')");
		goto out;
	}
	if ((live = make_live(r, model, &p, target, "rollback", actor, NULL, &prev, out, err)) < 0)
		goto out;
	mlc_outcome(out, 0, 1, "rolled %s in %s back from %lld to %lld", model, p.env->name,
		(long long)prev, (long long)target);
	rc = live == 0 ? 0 : -1; /* 1: live, but err says which later step failed */
out:
	place_close(&p);
	return rc;
}

/* Where a rollback would go, without changing anything. */
static int mlflow_rollback_target(struct registry *r, const char *model, const char *env,
				  char *version, size_t len, struct mlc_error *err)
{
	struct place p = {0};
	int64_t target = -1;

	if (place_open(r, model, env, &p, err) == 0)
		target = pick_rollback(&p, model, NULL, live_of(p.m, p.env->name), err);
	if (target > 0)
		snprintf(version, len, "%lld", (long long)target);
	place_close(&p);
	return target > 0 ? 0 : -1;
}

/* ---- reading deployments -------------------------------------------------------- */

/* Where the deployments of each model go. */
struct deps_ctx {
	const struct mlc_env_list *envs;
	const char *env; /* only this one, or NULL */
	struct mlc_live_list *live;
	struct mlc_event_list *history;
};

/* "ok", "failed" or "none": the hook outcome of m in env for version v live since. */
static const char *hook_status(const json_t *m, const char *env, int64_t v, int64_t since)
{
	char key[128];
	const char *s;
	json_t *j;
	const char *st = "none";

	snprintf(key, sizeof key, "mlconsole.hook.%s", env);
	if ((s = tag_of(m, key)) == NULL || (j = json_loads(s, 0, NULL)) == NULL)
		return st;
	if (jint(j, "v") == v && jint(j, "at") >= since)
		st = json_is_true(json_object_get(j, "ok")) ? "ok" : "failed";
	json_decref(j);
	return st;
}

/* The live version of registered model m in e, with when and by whom. */
static void add_live(struct deps_ctx *c, const json_t *m, const struct mlc_env *e,
		     const json_t *h)
{
	struct mlc_arena *a = &c->live->arena;
	struct mlc_live *l = MLC_LIST_PUSH(c->live);
	int64_t v = live_of(m, e->name);
	const json_t *it;
	size_t i;

	l->model = jdup(a, m, "name");
	l->environment = arena_strdup(a, e->name);
	l->version = arena_strdup(a, alias_of(m, e->name));
	l->by = "";
	json_array_foreach(h, i, it)
	{
		if (jint(it, "v") == v) {
			l->since = jint(it, "at");
			l->by = jdup(a, it, "by");
			break;
		}
	}
	l->hook_status = hook_status(m, e->name, v, l->since);
}

/* The live versions and history of registered model m in every environment. */
static int add_deployments(const json_t *m, void *ctx)
{
	struct deps_ctx *c = ctx;
	struct mlc_arena *a = &c->history->arena;
	const json_t *it;
	size_t i;

	for (size_t k = 0; k < c->envs->n; k++) {
		const struct mlc_env *e = &c->envs->items[k];
		json_t *h;
		if (c->env && strcmp(c->env, e->name) != 0)
			continue;
		h = history_of(m, e->name);
		if (alias_of(m, e->name))
			add_live(c, m, e, h);
		json_array_foreach(h, i, it)
		{
			struct mlc_deploy_event *d = MLC_LIST_PUSH(c->history);
			d->model = jdup(a, m, "name");
			d->environment = arena_strdup(a, e->name);
			d->version = jdup(a, it, "v");
			d->previous_version = jdup(a, it, "prev");
			d->action = jdup_or(a, it, "act", "deploy");
			d->at = jint(it, "at");
			d->by = jdup(a, it, "by");
		}
		json_decref(h);
	}
	return 0;
}

/* Newest first. */
static int cmp_event(const void *a, const void *b)
{
	const struct mlc_deploy_event *x = a, *y = b;
	return (x->at < y->at) - (x->at > y->at);
}

/* Live versions per environment (by model, then environment order) and the
 * history, newest first; every model when model is NULL. */
static int mlflow_deployments(struct registry *r, const char *model, const char *env,
			      struct mlc_live_list *live, struct mlc_event_list *history,
			      struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	struct deps_ctx c = {&envs, env, live, history};
	struct http_param p = {"order_by", "name ASC"};
	struct pager pg = {.path = "registered-models/search",
			   .items = "registered_models",
			   .params = &p,
			   .n_params = 1,
			   .page_size = PAGE,
			   .fn = add_deployments,
			   .ctx = &c};
	size_t first = history->n;
	json_t *m = NULL;
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0)
		goto out;
	if (model) {
		if (get_model(r, model, &m, err) < 0)
			goto out;
		add_deployments(json_object_get(m, "registered_model"), &c);
	} else if (envs.n && each_item(r, &pg, err) < 0) {
		goto out;
	}
	if (history->n - first > 1)
		qsort(history->items + first, history->n - first, sizeof *history->items, cmp_event);
	rc = 0;
out:
	json_decref(m);
	MLC_LIST_FREE(&envs);
	return rc;
}

/* ---- promotion requests: model-version tags ------------------------------------ */

/* Where a request's tag lives, and its number. */
struct found {
	char model[512], version[24], env[72];
	char ref[620]; /* "M:V:E", the id users of other MLflow clients see */
	int64_t id;
	int policy; /* a policy request: the tag mlconsole.policyrequest.E of
		     * experiment exp ("policy:E"); model and version "" */
	char exp[64];
};

/* The number shown for request "M:V:E" (see the top of this section). */
static int64_t request_number(const char *ref)
{
	uint64_t h = 14695981039346656037ULL;

	for (const char *p = ref; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	return (int64_t)(h % 2147483647ULL) + 1;
}

/* Fill f for the request of model version in env. */
static void found_set(struct found *f, const char *model, const char *version, const char *env)
{
	memset(f, 0, sizeof *f);
	snprintf(f->model, sizeof f->model, "%s", model);
	snprintf(f->version, sizeof f->version, "%s", version);
	snprintf(f->env, sizeof f->env, "%s", env);
	snprintf(f->ref, sizeof f->ref, "%s:%s:%s", model, version, env);
	f->id = request_number(f->ref);
}

/* Fill f for the policy request of env, a tag of experiment exp. */
static void found_set_policy(struct found *f, const char *env, const char *exp)
{
	memset(f, 0, sizeof *f);
	snprintf(f->env, sizeof f->env, "%s", env);
	snprintf(f->exp, sizeof f->exp, "%s", exp);
	snprintf(f->ref, sizeof f->ref, "policy:%s", env);
	f->id = request_number(f->ref);
	f->policy = 1;
}

/* The state of request tag j ("" when j holds no request). */
static const char *state_of(const json_t *j)
{
	return jstr(j, "state") ? jstr(j, "state") : jstr(j, "id") ? "pending" : "";
}

/* The request tag of f, parsed, into *out: a new object, empty when the
 * version has no such tag (or an unreadable one); -1 with err. */
static int read_request(struct registry *r, const struct found *f, json_t **out,
			struct mlc_error *err)
{
	struct http_param p[] = {{"name", f->model}, {"version", f->version}};
	char key[128];
	const char *s;
	json_t *resp;

	*out = NULL;
	if (f->policy) {
		if (policy_experiment(r, &resp, err) < 0)
			return -1;
		snprintf(key, sizeof key, "mlconsole.policyrequest.%s", f->env);
		s = tag_of(resp, key);
		*out = s ? json_loads(s, 0, NULL) : NULL;
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = json_object();
		}
		json_decref(resp);
		return 0;
	}
	if (http_get_json(HTTPH(r), "model-versions/get", p, 2, &resp, err) < 0) {
		if (http_last_status(HTTPH(r)) == 404)
			mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': no version %s", f->model,
				      f->version);
		return -1;
	}
	snprintf(key, sizeof key, "mlconsole.request.%s", f->env);
	s = tag_of(json_object_get(resp, "model_version"), key);
	*out = s ? json_loads(s, 0, NULL) : NULL;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = json_object();
	}
	json_decref(resp);
	return 0;
}

/* Write request tag j of f. */
static int write_request(struct registry *r, const struct found *f, const json_t *j,
			 struct mlc_error *err)
{
	char key[128], *s = json_dumps(j, JSON_COMPACT);
	int rc;

	if (s && strlen(s) > MAX_TAG_VALUE) {
		free(s);
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: too many votes and comments for one MLflow tag "
				     "(%d characters)",
				     (long long)f->id, MAX_TAG_VALUE);
	}
	if (f->policy) {
		snprintf(key, sizeof key, "mlconsole.policyrequest.%s", f->env);
		rc = send_change(r, "experiments/set-experiment-tag",
				 json_pack("{s:s,s:s,s:s}", "experiment_id", f->exp, "key", key,
					   "value", s ? s : "{}"),
				 0, err);
		free(s);
		return rc;
	}
	snprintf(key, sizeof key, "mlconsole.request.%s", f->env);
	rc = send_change(r, "model-versions/set-tag",
			 json_pack("{s:s,s:s,s:s,s:s}", "name", f->model, "version", f->version,
				   "key", key, "value", s ? s : "{}"),
			 0, err);
	free(s);
	return rc;
}

/* One change to a request tag: edit the freshly read j (0: write it; 1:
 * nothing to write; -1 with err: refused), and check the re-read tag holds it. */
struct req_change {
	int (*edit)(json_t *j, struct req_change *c, struct mlc_error *err);
	int (*check)(const json_t *j, const struct req_change *c);
	const struct found *f;
	const struct mlc_env *env;
	const char *actor, *decision, *comment, *state, *reason;
	int64_t at;
	int wrote;
	const json_t *change; /* edit_open of a policy request: the change ... */
	const char *summary;  /* ... and what it loosens, for people */
};

/* Read-modify-write of a request tag, as §11 has it: re-read, edit, write,
 * let concurrent writers land, re-read and confirm; again a few times when
 * another console's write replaced this one. *final: the confirmed tag. */
static int update_request(struct registry *r, struct req_change *c, json_t **final,
			  struct mlc_error *err)
{
	json_t *j;
	int e;

	for (int i = 0; i < CONFIRM_TRIES; i++) {
		if (read_request(r, c->f, &j, err) < 0)
			return -1;
		if ((e = c->edit(j, c, err)) < 0 || (e == 0 && write_request(r, c->f, j, err) < 0)) {
			json_decref(j);
			return -1;
		}
		json_decref(j);
		if (e == 0) {
			c->wrote = 1;
			settle();
		}
		if (read_request(r, c->f, &j, err) < 0)
			return -1;
		if (c->check(j, c)) {
			*final = j;
			return 0;
		}
		json_decref(j);
	}
	return mlc_error_set(err, MLC_ERR_FAILED,
			     "request %lld: the change could not be confirmed: other consoles kept "
			     "replacing the request tag; try again",
			     (long long)c->f->id);
}

/* Close j (state, reason, time); the caller writes it. */
static void close_in(json_t *j, const char *state, const char *reason)
{
	json_object_set_new(j, "state", json_string(state));
	json_object_set_new(j, "reason", json_string(reason));
	json_object_set_new(j, "closed_at", json_integer(timefmt_now_ms()));
}

/* "request N is STATE, not pending" unless j is pending. */
static int check_pending(const json_t *j, const struct found *f, struct mlc_error *err)
{
	if (!*state_of(j))
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)f->id);
	if (strcmp(state_of(j), "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld is %s, not pending",
				     (long long)f->id, state_of(j));
	return 0;
}

/* The vote of actor in j, or NULL. */
static const json_t *vote_of(const json_t *j, const char *actor)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(j, "votes"), i, v)
	{
		if (jstr(v, "by") && strcmp(jstr(v, "by"), actor) == 0)
			return v;
	}
	return NULL;
}

/* How many approving votes j holds. */
static int64_t approvals(const json_t *j)
{
	const json_t *v;
	size_t i;
	int64_t n = 0;

	json_array_foreach(json_object_get(j, "votes"), i, v)
	{
		n += jstr(v, "d") && strcmp(jstr(v, "d"), "approve") == 0;
	}
	return n;
}

/* Is actor one who may vote on request j (number id) under e's policy: an
 * approver, and not its requester unless self-approval is allowed? */
static int may_vote(const json_t *j, const struct mlc_env *e, const char *actor, int64_t id,
		    struct mlc_error *err)
{
	int listed = e->n_approvers == 0;

	if (jstr(j, "by") && strcmp(jstr(j, "by"), actor) == 0 && !e->self_approval)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s requested it, and the policy of environment "
				     "'%s' does not allow self-approval",
				     (long long)id, actor, e->name);
	for (size_t i = 0; i < e->n_approvers; i++)
		listed |= strcmp(e->approvers[i], actor) == 0;
	if (!listed)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s is not an approver of environment '%s' (see "
				     "'mlconsole env list')",
				     (long long)id, actor, e->name);
	return 0;
}

/* Who cast the need-th approving vote in j (the one that satisfied the
 * policy), or NULL; *newest: the time of the newest approving vote. */
static const char *satisfier(const json_t *j, int64_t need, int64_t *newest)
{
	const json_t *v;
	const char *who = NULL;
	size_t i;
	int64_t n = 0;

	*newest = 0;
	json_array_foreach(json_object_get(j, "votes"), i, v)
	{
		if (!jstr(v, "d") || strcmp(jstr(v, "d"), "approve") != 0)
			continue;
		if (jint(v, "at") > *newest)
			*newest = jint(v, "at");
		if (++n == need)
			who = jstr(v, "by");
	}
	return who;
}

/* May c->actor vote on j under the environment's policy? */
static int check_voter(const json_t *j, const struct req_change *c, struct mlc_error *err)
{
	long long id = (long long)c->f->id;

	if (check_pending(j, c->f, err) < 0 || may_vote(j, c->env, c->actor, c->f->id, err) < 0)
		return -1;
	if (vote_of(j, c->actor))
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld: %s has already voted", id,
				     c->actor);
	return 0;
}

/* Edit: add c's vote (a rejection also closes the request). */
static int edit_vote(json_t *j, struct req_change *c, struct mlc_error *err)
{
	json_t *votes = json_object_get(j, "votes");

	if (c->wrote && vote_of(j, c->actor))
		return 1; /* another console's rewrite kept it */
	if (check_voter(j, c, err) < 0)
		return -1;
	if (!json_is_array(votes))
		json_object_set_new(j, "votes", votes = json_array());
	json_array_append_new(votes, json_pack("{s:s,s:s,s:I,s:o}", "by", c->actor, "d",
					       c->decision, "at", (json_int_t)c->at, "comment",
					       jcut(c->comment, MAX_DETAIL)));
	if (strcmp(c->decision, "reject") == 0)
		close_in(j, "rejected", "rejected");
	return 0;
}

/* Check: c->actor's vote is in j. */
static int has_vote(const json_t *j, const struct req_change *c)
{
	const json_t *v = vote_of(j, c->actor);
	return v && jint(v, "at") == c->at;
}

/* Edit: close a pending request (state c->state, reason c->reason); nothing
 * to do when it is no longer pending. */
static int edit_close(json_t *j, struct req_change *c, struct mlc_error *err)
{
	(void)err;
	if (strcmp(state_of(j), "pending") != 0)
		return 1;
	close_in(j, c->state, c->reason);
	return 0;
}

/* Check: the request is no longer pending. */
static int is_closed(const json_t *j, const struct req_change *c)
{
	(void)c;
	return strcmp(state_of(j), "pending") != 0;
}

/* Edit: the request is approved (its deployment is done). */
static int edit_approved(json_t *j, struct req_change *c, struct mlc_error *err)
{
	if (!*state_of(j))
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found",
				     (long long)c->f->id);
	if (strcmp(state_of(j), "approved") == 0)
		return 1;
	if (strcmp(state_of(j), "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "another console %s it meanwhile",
				     strcmp(state_of(j), "closed") == 0 ? "closed" : state_of(j));
	close_in(j, "approved", "approved");
	return 0;
}

/* Check: the request is approved. */
static int is_approved(const json_t *j, const struct req_change *c)
{
	(void)c;
	return strcmp(state_of(j), "approved") == 0;
}

/* Edit: the requester withdraws a pending request. */
static int edit_cancel(json_t *j, struct req_change *c, struct mlc_error *err)
{
	const char *by = jstr(j, "by");

	if (check_pending(j, c->f, err) < 0)
		return -1;
	if (by == NULL || strcmp(by, c->actor) != 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: only %s, who requested it, can cancel it",
				     (long long)c->f->id, by ? by : "?");
	close_in(j, "cancelled", "cancelled by the requester");
	return 0;
}

/* Edit: open the request (a new pending one replaces a closed one). */
static int edit_open(json_t *j, struct req_change *c, struct mlc_error *err)
{
	if (strcmp(state_of(j), "pending") == 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "already pending as request %lld",
				     (long long)c->f->id);
	json_object_clear(j);
	json_object_set_new(j, "id", json_string(c->f->ref));
	json_object_set_new(j, "kind", json_string(c->decision));
	json_object_set_new(j, "by", json_string(c->actor));
	json_object_set_new(j, "at", json_integer(c->at));
	json_object_set_new(j, "comment", jcut(c->comment, MAX_DETAIL));
	json_object_set_new(j, "state", json_string("pending"));
	json_object_set_new(j, "votes", json_array());
	if (c->change) {
		json_object_set_new(j, "change", json_deep_copy(c->change));
		json_object_set_new(j, "summary", jcut(c->summary, MAX_DETAIL));
	}
	return 0;
}

/* Check: j is the request this console opened. */
static int is_opened(const json_t *j, const struct req_change *c)
{
	return jstr(j, "by") && strcmp(jstr(j, "by"), c->actor) == 0 && jint(j, "at") == c->at &&
	       strcmp(state_of(j), "pending") == 0;
}

/* ---- finding requests ----------------------------------------------------------- */

/* Called for each request tag found; returns 1 to stop. */
typedef int (*req_fn)(const struct found *f, const json_t *tag, void *ctx);

/* A scan of one environment's request tags. */
struct scan {
	const char *env;
	char key[128];
	req_fn fn;
	void *ctx;
};

/* The request tag of model version mv, to the scan's function. */
static int scan_one(const json_t *mv, void *ctx)
{
	struct scan *s = ctx;
	const char *v = tag_of(mv, s->key), *name = jstr(mv, "name"), *ver = jstr(mv, "version");
	struct found f;
	json_t *j;
	int stop = 0;

	if (v == NULL || name == NULL || ver == NULL)
		return 0;
	found_set(&f, name, ver, s->env);
	j = json_loads(v, 0, NULL);
	if (json_is_object(j) && *state_of(j))
		stop = s->fn(&f, j, s->ctx);
	json_decref(j);
	return stop;
}

/* Call fn for every request tag of env (of model only, unless NULL): one
 * model-versions/search on the tag. */
static int scan_requests(struct registry *r, const char *env, const char *model, req_fn fn,
			 void *ctx, struct mlc_error *err)
{
	struct scan s = {env, "", fn, ctx};
	struct strbuf f = {0};
	struct http_param p = {"filter", NULL};
	struct pager pg = {.path = "model-versions/search",
			   .items = "model_versions",
			   .params = &p,
			   .n_params = 1,
			   .page_size = PAGE,
			   .fn = scan_one,
			   .ctx = &s};
	int rc = -1;

	snprintf(s.key, sizeof s.key, "mlconsole.request.%s", env);
	if (model) {
		sb_add(&f, "name = ");
		if (add_literal(&f, model, err) < 0)
			goto out;
		sb_add(&f, " AND ");
	}
	sb_printf(&f, "tags.`%s` LIKE '%%'", s.key);
	p.value = sb_str(&f);
	rc = each_item(r, &pg, err);
out:
	sb_free(&f);
	return rc;
}

/* Call fn for every policy request: the tags mlconsole.policyrequest.E of
 * the policy experiment (none when it does not exist). */
static int scan_policy_requests(struct registry *r, req_fn fn, void *ctx, struct mlc_error *err)
{
	static const char prefix[] = "mlconsole.policyrequest.";
	const json_t *it;
	json_t *e;
	size_t i;

	if (policy_experiment(r, &e, err) < 0)
		return -1;
	json_array_foreach(json_object_get(e, "tags"), i, it)
	{
		const char *k = jstr(it, "key"), *v = jstr(it, "value");
		struct found f;
		json_t *j;
		int stop = 0;
		if (!k || !v || strncmp(k, prefix, sizeof prefix - 1) != 0 ||
		    !mlc_env_name_valid(k + sizeof prefix - 1))
			continue;
		found_set_policy(&f, k + sizeof prefix - 1,
				 jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
		j = json_loads(v, 0, NULL);
		if (json_is_object(j) && *state_of(j))
			stop = fn(&f, j, ctx);
		json_decref(j);
		if (stop)
			break;
	}
	json_decref(e);
	return 0;
}

/* Where the listing of requests goes. */
struct reqs_ctx {
	struct mlc_request_list *out;
	int which;
	int64_t id;
};

/* Copy the votes of request tag j into q. */
static void request_votes(struct mlc_arena *a, struct mlc_request *q, const json_t *j)
{
	const json_t *arr = json_object_get(j, "votes"), *v;
	size_t i;

	q->votes = arena_alloc(a, (json_array_size(arr) + 1) * sizeof *q->votes);
	json_array_foreach(arr, i, v)
	{
		struct mlc_vote *x = &q->votes[q->n_votes++];
		x->by = jdup(a, v, "by");
		x->decision = jdup(a, v, "d");
		x->at = jint(v, "at");
		x->comment = jdup(a, v, "comment");
	}
}

/* Add request tag j (of f) to the listing when it is asked for. */
static int add_request(const struct found *f, const json_t *j, void *ctx)
{
	struct reqs_ctx *c = ctx;
	struct mlc_arena *a = &c->out->arena;
	const char *state = state_of(j);
	struct mlc_request *q;

	if (c->id > 0 ? f->id != c->id : c->which == REQ_PENDING && strcmp(state, "pending") != 0)
		return 0;
	q = MLC_LIST_PUSH(c->out);
	q->id = f->id;
	q->model = arena_strdup(a, f->model);
	q->version = arena_strdup(a, f->version);
	q->environment = arena_strdup(a, f->env);
	q->kind = jdup_or(a, j, "kind", "promote");
	q->state = arena_strdup(a, state);
	q->requested_by = jdup(a, j, "by");
	q->comment = jdup(a, j, "comment");
	q->close_reason = jdup(a, j, "reason");
	q->requested_at = jint(j, "at");
	q->closed_at = jint(j, "closed_at");
	q->change = jdup_or(a, j, "summary", "");
	request_votes(a, q, j);
	return c->id > 0;
}

/* Oldest first, then by number. */
static int cmp_request_oldest(const void *a, const void *b)
{
	const struct mlc_request *x = a, *y = b;

	if (x->requested_at != y->requested_at)
		return x->requested_at < y->requested_at ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Newest first. */
static int cmp_request_newest(const void *a, const void *b)
{
	return cmp_request_oldest(b, a);
}

/* Requests from every environment's tags: pending (oldest first) or all
 * (newest first); id > 0: just that one. */
static int mlflow_requests(struct registry *r, int which, int64_t id,
			   struct mlc_request_list *out, struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	struct reqs_ctx c = {out, which, id};
	size_t first = out->n;
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0)
		goto out;
	for (size_t i = 0; i < envs.n && !(id > 0 && out->n > first); i++)
		if (scan_requests(r, envs.items[i].name, NULL, add_request, &c, err) < 0)
			goto out;
	if (!(id > 0 && out->n > first) && scan_policy_requests(r, add_request, &c, err) < 0)
		goto out;
	if (out->n - first > 1)
		qsort(out->items + first, out->n - first, sizeof *out->items,
		      which == REQ_ALL ? cmp_request_newest : cmp_request_oldest);
	rc = 0;
	if (id > 0 && out->n == first)
		rc = mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)id);
out:
	MLC_LIST_FREE(&envs);
	return rc;
}

/* Keep the request whose number is *ctx's id. */
static int match_request(const struct found *f, const json_t *j, void *ctx)
{
	struct found *want = ctx;

	(void)j;
	if (f->id != want->id)
		return 0;
	*want = *f;
	return 1;
}

/* The request numbered id into f, and its environment's policy from envs. */
static int find_request(struct registry *r, int64_t id, const struct mlc_env_list *envs,
			struct found *f, const struct mlc_env **env, struct mlc_error *err)
{
	memset(f, 0, sizeof *f);
	f->id = id;
	for (size_t i = 0; i < envs->n && !f->ref[0]; i++)
		if (scan_requests(r, envs->items[i].name, NULL, match_request, f, err) < 0)
			return -1;
	if (!f->ref[0] && scan_policy_requests(r, match_request, f, err) < 0)
		return -1;
	if (!f->ref[0])
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)id);
	*env = find_env(envs, f->env, err);
	return *env ? 0 : -1;
}

/* ---- opening requests, votes, completion ---------------------------------------- */

/* The other pending requests of a model in an environment (their versions). */
struct others {
	const struct found *mine;
	json_t *versions;
};

/* Note request tag j of f when it is another pending one. */
static int other_pending(const struct found *f, const json_t *j, void *ctx)
{
	struct others *o = ctx;

	if (strcmp(f->version, o->mine->version) != 0 && strcmp(state_of(j), "pending") == 0)
		json_array_append_new(o->versions, json_string(f->version));
	return 0;
}

/* Close the other pending requests of f's model in its environment:
 * superseded by f. */
static int supersede(struct registry *r, const struct found *f, const struct mlc_env *env,
		     const char *actor, struct mlc_error *err)
{
	struct others o = {f, json_array()};
	json_t *v, *fin;
	char reason[64], subject[64];
	size_t i;
	int rc = scan_requests(r, f->env, f->model, other_pending, &o, err);

	snprintf(reason, sizeof reason, "superseded by request %lld", (long long)f->id);
	json_array_foreach(o.versions, i, v)
	{
		struct found g;
		struct req_change c = {edit_close, is_closed, &g, env, actor, NULL, NULL,
				       "closed",   reason,    0,  0,   NULL,  NULL};
		if (rc < 0)
			break;
		found_set(&g, f->model, json_string_value(v), f->env);
		if ((rc = update_request(r, &c, &fin, err)) == 0) {
			json_decref(fin);
			snprintf(subject, sizeof subject, "request %lld", (long long)g.id);
			journal(r, actor, "close", subject, reason);
		}
	}
	json_decref(o.versions);
	return rc;
}

/* Open a promotion (or rollback) request as the tag of the version. */
static int mlflow_request(struct registry *r, const char *model, const char *version,
			  const char *env, const char *kind, const char *comment, const char *actor,
			  struct mlc_outcome *out, struct mlc_error *err)
{
	int rollback = strcmp(kind, "rollback") == 0;
	struct place p = {0};
	struct found f;
	struct req_change c = {edit_open, is_opened,	    &f, NULL, actor, kind, comment, NULL,
			       NULL,	  timefmt_now_ms(), 0,	NULL, NULL};
	char num[24], subject[600];
	json_t *fin;
	int64_t v, cur;
	int rc = -1;

	if (place_open(r, model, env, &p, err) < 0)
		goto out;
	c.env = p.env;
	cur = live_of(p.m, p.env->name);
	if (rollback)
		v = pick_rollback(&p, model, version, cur, err);
	else if ((v = mlc_version_parse(version, err)) > 0 &&
		 (check_version(r, &p, model, v, err) < 0 || check_previous(&p, model, v, err) < 0))
		v = -1;
	else if (v > 0 && v == cur)
		v = mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is already live in %s", model,
				  (long long)v, p.env->name);
	if (v < 0)
		goto out;
	snprintf(num, sizeof num, "%lld", (long long)v);
	found_set(&f, model, num, p.env->name);
	if (update_request(r, &c, &fin, err) < 0)
		goto out;
	json_decref(fin);
	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, p.env->name);
	journal(r, actor, rollback ? "request rollback" : "request", subject, comment);
	if (supersede(r, &f, p.env, actor, err) < 0)
		goto out;
	mlc_outcome(out, f.id, 0, "request %lld: %s %s %lld in %s (%s; %s)", (long long)f.id,
		rollback ? "roll back to" : "deploy", model, (long long)v, p.env->name, f.ref,
		NOT_BY_SERVER);
	rc = 0;
out:
	place_close(&p);
	return rc;
}

/* Close request f (not eligible any more) with reason; the outcome says so,
 * or that it was approved after all when another console got there first. */
static int close_ineligible(struct registry *r, const struct found *f, const struct mlc_env *e,
			    const char *actor, const char *reason, struct mlc_outcome *out,
			    struct mlc_error *err)
{
	struct req_change c = {edit_close, is_closed, f, e, actor, NULL, NULL,
			       "closed",   reason,    0, 0, NULL,  NULL};
	json_t *fin;
	char subject[64];
	int approved;

	if (update_request(r, &c, &fin, err) < 0)
		return -1;
	approved = strcmp(state_of(fin), "approved") == 0;
	json_decref(fin);
	if (approved) {
		mlc_outcome(out, f->id, 0, "request %lld approved: %s %s is live in %s", (long long)f->id,
			f->model, f->version, f->env);
		return 0;
	}
	snprintf(subject, sizeof subject, "request %lld", (long long)f->id);
	journal(r, actor, "close", subject, reason);
	mlc_outcome(out, f->id, 0, "request %lld closed: %s", (long long)f->id, reason);
	return 0;
}

/* The approval that satisfies request req (its JSON): alias, history, the
 * legacy stage when mirrored, then the state approved (§11's order); a
 * deployment already in the history is not done twice. reconciled: finishing
 * what another console left half done — the state, or the history entry and
 * stage after the alias — running the hook only if it has not run for the
 * deployment. A step that fails after the alias is set (the history tag, the
 * stage mirror) still approves (the deployment stands), then fails with its
 * error; the history's missing request reference lets a later vote reconcile
 * it. */
static int complete(struct registry *r, const struct found *f, const struct mlc_env *e,
		    const json_t *req, const char *actor, int reconciled, struct mlc_outcome *out,
		    struct mlc_error *err)
{
	struct req_change c = {edit_approved, is_approved, f, e, actor, NULL, NULL,
			       NULL,	      NULL,	   0, 0, NULL,	NULL};
	struct mlc_error why = {0}, partial = {0};
	struct reqref q = {f->ref, jint(req, "at")};
	struct place p = {0};
	int64_t v = strtoll(f->version, NULL, 10), prev, live;
	const char *kind = jstr(req, "kind");
	int rollback = kind && strcmp(kind, "rollback") == 0, rc = -1, st, made = 1;
	const char *action = rollback ? "rollback" : "deploy";
	const json_t *done;
	char stage[32], fixed[200];
	json_t *h = NULL, *fin;

	if (place_open(r, f->model, f->env, &p, err) < 0)
		goto out;
	h = history_of(p.m, e->name);
	live = live_of(p.m, e->name);
	if ((done = history_req(h, &q)) != NULL) {
		/* deployed for this request; only its state is missing. The hook runs
		 * unless it ran for this deployment (a console that died did not). */
		mlc_outcome_where(out, f->model, e->name, action, v, jint(done, "prev"));
		made = live == v && strcmp(hook_status(p.m, e->name, v, jint(done, "at")), "none") == 0;
		if (live != v) {
			char since[64] = "taken down since";
			if (live > 0)
				snprintf(since, sizeof since, "replaced since by %lld", (long long)live);
			mlc_outcome(out, f->id, 0, "request %lld approved: %s %s went live in %s for it, "
						   "and has been %s",
				    (long long)f->id, f->model, f->version, e->name, since);
			goto approve;
		}
	} else if (reconciled && live == v && jint(json_array_get(h, 0), "v") != v) {
		/* the alias was set, the history tag not (the head is what was live
		 * before): write what is missing; the hook runs unless it ran since */
		int64_t before = jint(json_array_get(h, 0), "at");
		if (version_state(r, &p, f->model, v, stage, sizeof stage, &why, &why) < 0 ||
		    finish_live(r, f->model, &p, v, stage, action, actor, &q, f->ref, fixed,
				sizeof fixed, &why) < 0) {
			mlc_error_set(err, why.code ? why.code : MLC_ERR_FAILED,
				      "request %lld: %s %s is live in %s, but what its deployment left "
				      "out could not be written: %.600s",
				      (long long)f->id, f->model, f->version, e->name, why.msg);
			goto out;
		}
		mlc_outcome_where(out, f->model, e->name, action, v, jint(json_array_get(h, 0), "v"));
		made = strcmp(hook_status(p.m, e->name, v, before), "none") == 0;
	} else {
		json_t *now;
		/* still pending, just before going live (a reject, a cancel or a newer
		 * request may have landed while the votes were confirmed) */
		if (read_request(r, f, &now, err) < 0)
			goto out;
		st = strcmp(state_of(now), "pending") != 0;
		if (st)
			mlc_error_set(err, MLC_ERR_FAILED,
				      "request %lld: another console %s it meanwhile; nothing was "
				      "deployed",
				      (long long)f->id, state_of(now));
		json_decref(now);
		if (st)
			goto out;
		if ((st = version_state(r, &p, f->model, v, NULL, 0, &why, err)) < 0)
			goto out;
		if (st == 0 && !rollback)
			st = check_previous(&p, f->model, v, &why) < 0;
		if (st || live_of(p.m, e->name) == v) {
			rc = close_ineligible(r, f, e, actor,
					      st ? why.msg : "the version is already live", out, err);
			goto out;
		}
		if ((st = make_live(r, f->model, &p, v, action, actor, &q, &prev, out, err)) < 0)
			goto out;
		if (st > 0)
			partial = *err;
	}
	/* live from here on, whatever fails next: the outcome stands, for the hooks */
	mlc_outcome(out, f->id, made, "request %lld %s: %s %s is live in %s", (long long)f->id,
		reconciled ? "reconciled (another console had not finished it; this one did)"
			   : "approved",
		f->model, f->version, e->name);
approve:
	if (update_request(r, &c, &fin, &why) < 0) {
		mlc_error_set(err, why.code,
			      "request %lld: %s %s %s %s, but the request could not be "
			      "marked approved: %.400s%s%.300s",
			      (long long)f->id, f->model, f->version,
			      live_of(p.m, e->name) == v ? "is live in" : "went live in", e->name,
			      why.msg,
			      partial.code ? "; and " : "", partial.code ? partial.msg : "");
		goto out;
	}
	json_decref(fin);
	if (reconciled)
		journal(r, actor, "reconcile", f->ref, "finished an approved request");
	if (partial.code) {
		mlc_error_set(err, partial.code, "request %lld approved: %s", (long long)f->id,
			      partial.msg);
		goto out;
	}
	rc = 0;
out:
	json_decref(h);
	place_close(&p);
	return rc;
}

/* A request some console left unfinished, which an approving vote by actor
 * (one who may vote on it) finishes:
 * - approved, its version live (the alias) but its deployment not in the
 *   history, with nothing else in the history since: the history entry (and
 *   the legacy stage) are written;
 * - pending with enough approvals, the newest of them older than
 *   FINISH_GRACE_MS (the console whose vote satisfied the policy died, or the
 *   policy was lowered since): it is deployed.
 * An approved request whose version is not live is never made live again (it
 * may have been taken down on purpose). 1 when this finished it, 0 when there
 * was nothing to finish, -1 with err. */
static int reconcile(struct registry *r, const struct found *f, const struct mlc_env *e,
		     const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int64_t need = e->required_approvals > 0 ? e->required_approvals : 1, newest, v;
	json_t *j, *resp = NULL, *h = NULL;
	const json_t *m;
	const char *state;
	int todo = 0, rc, approved, pending;

	if (read_request(r, f, &j, err) < 0)
		return -1;
	state = state_of(j);
	approved = strcmp(state, "approved") == 0;
	pending = strcmp(state, "pending") == 0 && satisfier(j, need, &newest) != NULL &&
		  timefmt_now_ms() - newest >= FINISH_GRACE_MS;
	if ((approved || pending) && may_vote(j, e, actor, f->id, NULL) == 0) {
		if (get_model(r, f->model, &resp, err) < 0) {
			json_decref(j);
			return -1;
		}
		m = json_object_get(resp, "registered_model");
		h = history_of(m, e->name);
		v = strtoll(f->version, NULL, 10);
		todo = history_req(h, &(struct reqref){f->ref, jint(j, "at")}) == NULL &&
		       (pending || (live_of(m, e->name) == v &&
				    jint(json_array_get(h, 0), "v") != v &&
				    jint(j, "closed_at") >= jint(json_array_get(h, 0), "at")));
	}
	rc = todo ? complete(r, f, e, j, actor, 1, out, err) : 0;
	json_decref(h);
	json_decref(resp);
	json_decref(j);
	return rc < 0 ? -1 : todo;
}

/* Vote on request id: read-modify-write-confirm of its tag; the approving
 * vote that satisfies the policy then completes it. */
/* Change c as JSON (the fields it sets), for a policy request tag. */
static json_t *change_json(const struct mlc_env_change *c)
{
	json_t *j = json_object();

	if (c->have_order)
		json_object_set_new(j, "order", json_integer(c->order));
	if (c->have_required)
		json_object_set_new(j, "required_approvals", json_integer(c->required_approvals));
	if (c->have_approvers)
		json_object_set_new(j, "approvers", json_string(c->approvers));
	if (c->have_self)
		json_object_set_new(j, "self_approval", json_boolean(c->self_approval));
	if (c->have_rollback)
		json_object_set_new(j, "rollback_approval", json_boolean(c->rollback_approval));
	if (c->have_previous)
		json_object_set_new(j, "require_previous", json_boolean(c->require_previous));
	return j;
}

/* The change a policy request tag j holds, for environment env, into c. */
static void change_of(const json_t *j, const char *env, struct mlc_env_change *c)
{
	const json_t *ch = json_object_get(j, "change");

	memset(c, 0, sizeof *c);
	c->name = env;
	c->have_order = json_is_integer(json_object_get(ch, "order"));
	c->order = json_integer_value(json_object_get(ch, "order"));
	c->have_required = json_is_integer(json_object_get(ch, "required_approvals"));
	c->required_approvals = json_integer_value(json_object_get(ch, "required_approvals"));
	if (c->required_approvals < 0)
		c->required_approvals = 0;
	c->have_approvers = json_is_string(json_object_get(ch, "approvers"));
	c->approvers = c->have_approvers ? json_string_value(json_object_get(ch, "approvers")) : "";
	c->have_self = json_is_boolean(json_object_get(ch, "self_approval"));
	c->self_approval = json_is_true(json_object_get(ch, "self_approval"));
	c->have_rollback = json_is_boolean(json_object_get(ch, "rollback_approval"));
	c->rollback_approval = json_is_true(json_object_get(ch, "rollback_approval"));
	c->have_previous = json_is_boolean(json_object_get(ch, "require_previous"));
	c->require_previous = json_is_true(json_object_get(ch, "require_previous"));
}

/* Open the request that policy change c of e (it loosens it: why) is: the
 * tag mlconsole.policyrequest.E of the policy experiment exp. */
static int open_policy_request(struct registry *r, const char *exp, const struct mlc_env_change *c,
			       const struct mlc_env *e, const char *why, const char *actor,
			       struct mlc_outcome *out, struct mlc_error *err)
{
	struct found f;
	json_t *change = change_json(c), *fin;
	struct req_change rc = {edit_open, is_opened,  &f,   e,	   actor,
				"policy",  c->comment, NULL, NULL, timefmt_now_ms(),
				0,	   change,     why};
	int64_t need = e->required_approvals > 0 ? e->required_approvals : 1;
	char detail[800];

	found_set_policy(&f, e->name, exp);
	if (update_request(r, &rc, &fin, err) < 0) {
		json_decref(change);
		return -1;
	}
	json_decref(fin);
	json_decref(change);
	snprintf(detail, sizeof detail, "request %lld: %s%s%s", (long long)f.id, why,
		 c->comment && *c->comment ? "; " : "", c->comment ? c->comment : "");
	journal(r, actor, "request policy", e->name, detail);
	mlc_outcome(out, f.id, 0,
		    "request %lld: change the policy of %s (%s): it loosens it, so it needs %lld "
		    "approval%s under the current policy (%s; %s)",
		    (long long)f.id, e->name, why, (long long)need, need == 1 ? "" : "s", f.ref,
		    NOT_BY_SERVER);
	return 0;
}

/* The approval that satisfied the policy of policy request f (tag fin):
 * write the change (unless already in force), then mark it approved; closed
 * instead when it no longer means what was voted on (the whole check again,
 * against the environments as they are now). */
static int complete_policy(struct registry *r, const struct found *f,
			   const struct mlc_env_list *envs, const struct mlc_env *e,
			   const json_t *fin, const char *actor, struct mlc_outcome *out,
			   struct mlc_error *err)
{
	struct req_change done = {edit_approved, is_approved, f, e, actor, NULL, NULL,
				  NULL,		 NULL,	      0, 0, NULL,  NULL};
	struct mlc_env_change c;
	struct mlc_error why = {0};
	char how[64];
	json_t *last;
	int now;

	change_of(fin, e->name, &c);
	now = mlc_policy_recheck(envs, &c, jstr(fin, "by") ? jstr(fin, "by") : "",
				 jstr(fin, "summary") ? jstr(fin, "summary") : "", &why);
	if (now < 0) {
		struct req_change cl = {edit_close, is_closed, f, e, actor, NULL, NULL,
					"closed",   why.msg,   0, 0, NULL,  NULL};
		if (update_request(r, &cl, &last, err) < 0)
			return -1;
		json_decref(last);
		journal(r, actor, "close", e->name, why.msg);
		mlc_outcome(out, f->id, 0, "request %lld closed: %s", (long long)f->id, why.msg);
		return 0;
	}
	snprintf(how, sizeof how, "request %lld approved", (long long)f->id);
	if ((now == 0 && write_policy(r, f->exp, envs, &c, actor, how, err) < 0) ||
	    update_request(r, &done, &last, err) < 0)
		return -1;
	json_decref(last);
	mlc_outcome(out, f->id, 0, "request %lld approved: the policy of %s changed (%s; %s)",
		    (long long)f->id, e->name, jstr(fin, "summary") ? jstr(fin, "summary") : "",
		    NOT_BY_SERVER);
	return 0;
}

static int mlflow_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		       const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int approve = strcmp(decision, "approve") == 0;
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	struct found f;
	struct req_change c = {edit_vote, has_vote,
			       &f,	  NULL,
			       actor,	  approve ? "approve" : "reject",
			       comment,	  NULL,
			       NULL,	  timefmt_now_ms(),
			       0,	  NULL,
			       NULL};
	json_t *fin = NULL;
	char subject[64];
	const char *who;
	int64_t n, need, newest;
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0 || find_request(r, id, &envs, &f, &e, err) < 0)
		goto out;
	c.env = e;
	if (approve && !f.policy && (rc = reconcile(r, &f, e, actor, out, err)) != 0) {
		rc = rc < 0 ? -1 : 0;
		goto out;
	}
	rc = -1;
	if (update_request(r, &c, &fin, err) < 0)
		goto out;
	snprintf(subject, sizeof subject, "request %lld", (long long)id);
	journal(r, actor, c.decision, subject, comment);
	need = e->required_approvals > 0 ? e->required_approvals : 1;
	n = approvals(fin);
	/* Only the vote that satisfied the policy deploys, and only while the
	 * request is pending: another console may have rejected, cancelled or
	 * superseded it while this vote was being confirmed. */
	if (approve && strcmp(state_of(fin), "approved") == 0) {
		mlc_outcome(out, id, 0,
			    "request %lld: %lld of %lld approvals; approved (another voter's console "
			    "deployed it)",
			    (long long)id, (long long)n, (long long)need);
		rc = 0;
		goto out;
	}
	if (approve && n >= need && strcmp(state_of(fin), "pending") != 0) {
		mlc_error_set(err, MLC_ERR_FAILED,
			      "request %lld: your approval is recorded, but another console %s it "
			      "meanwhile; nothing was deployed",
			      (long long)id, state_of(fin));
		goto out;
	}
	/* Writing a policy twice is harmless, unlike a deployment: any approval
	 * that finds the policy met finishes it (so no console waits on another). */
	if (approve && n >= need && f.policy) {
		rc = complete_policy(r, &f, &envs, e, fin, actor, out, err);
		goto out;
	}
	who = approve && n >= need ? satisfier(fin, need, &newest) : NULL;
	if (approve && n >= need && (who == NULL || strcmp(who, actor) != 0)) {
		mlc_outcome(out, id, 0,
			    "request %lld: %lld of %lld approvals; %s's vote satisfied the policy, "
			    "and that console deploys it (if it does not, approve again in %d "
			    "minutes to finish it)",
			    (long long)id, (long long)n, (long long)need, who ? who : "another",
			    FINISH_GRACE_MS / 60000);
		rc = 0;
		goto out;
	}
	if (approve && n >= need) {
		rc = complete(r, &f, e, fin, actor, 0, out, err);
		goto out;
	}
	if (approve)
		mlc_outcome(out, id, 0, "request %lld: %lld of %lld approvals (%s)", (long long)id,
			(long long)n, (long long)need, NOT_BY_SERVER);
	else
		mlc_outcome(out, id, 0, "request %lld rejected by %s", (long long)id, actor);
	rc = 0;
out:
	json_decref(fin);
	MLC_LIST_FREE(&envs);
	return rc;
}

/* The requester withdraws a pending request. */
static int mlflow_cancel(struct registry *r, int64_t id, const char *actor,
			 struct mlc_outcome *out, struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	struct found f;
	struct req_change c = {edit_cancel, is_closed, &f, NULL, actor, NULL, NULL,
			       NULL,	    NULL,      0,  0,	 NULL,	NULL};
	json_t *fin;
	char subject[64];
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0 || find_request(r, id, &envs, &f, &e, err) < 0)
		goto out;
	c.env = e;
	if (update_request(r, &c, &fin, err) < 0)
		goto out;
	json_decref(fin);
	snprintf(subject, sizeof subject, "request %lld", (long long)id);
	journal(r, actor, "cancel", subject, "");
	mlc_outcome(out, id, 0, "request %lld cancelled", (long long)id);
	rc = 0;
out:
	MLC_LIST_FREE(&envs);
	return rc;
}

/* ---- hook outcomes -------------------------------------------------------------- */

/* Store the outcome of a hook that ran for version as the model tag
 * mlconsole.hook.ENV, which holds the outcome for the live version: when
 * another version has gone live since, only the journal gets it. */
static int mlflow_record_hook(struct registry *r, const char *model, const char *env,
			      const char *version, int ok, int status, const char *detail,
			      const char *actor, struct mlc_error *err)
{
	struct place p = {0};
	char key[128], subject[600], *s = NULL;
	const char *live;
	json_t *j;
	int rc = -1;

	if (place_open(r, model, env, &p, err) < 0)
		goto out;
	snprintf(subject, sizeof subject, "%s@%s", model, p.env->name);
	if ((live = alias_of(p.m, p.env->name)) == NULL || strcmp(live, version) != 0) {
		char note[1400];
		snprintf(note, sizeof note, "for version %.20s, no longer live: %.1000s", version,
			 detail ? detail : "");
		journal(r, actor, ok ? "hook ok" : "hook failed", subject, note);
		rc = 0;
		goto out;
	}
	j = json_pack("{s:s,s:I,s:b,s:i,s:o}", "v", version, "at",
		      (json_int_t)timefmt_now_ms(), "ok", ok, "status", status, "detail",
		      jcut(detail, MAX_DETAIL));
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	snprintf(key, sizeof key, "mlconsole.hook.%s", p.env->name);
	if (send_change(r, "registered-models/set-tag",
			s ? json_pack("{s:s,s:s,s:s}", "name", model, "key", key, "value", s) : NULL,
			0, err) < 0)
		goto out;
	journal(r, actor, ok ? "hook ok" : "hook failed", subject, detail);
	rc = 0;
out:
	free(s);
	place_close(&p);
	return rc;
}

/* ---- drift series: runs tagged mlconsole.model (MLFLOW.md §11) -----------------
 * The series of model M is every active run, in any experiment, tagged
 * mlconsole.model = M: its metrics drift.METHOD.FEATURE hold one point per
 * window (timestamp = the window's end, ms) and its run tags
 * mlconsole.threshold.METHOD.FEATURE the threshold (else the method's
 * default). Pipelines may log these with any MLflow client; this console logs
 * to the oldest such run in the experiment "mlconsole" (run name drift-M),
 * creating it on first use.
 *
 * Step: MLflow keeps every logged point, even for the same timestamp, and
 * says nothing of the order they were logged in, so the step of a point this
 * console logs is one more than the highest step of the metric so far (the
 * window index: the count of points when this console is the only writer). A
 * second record for a window therefore has a higher step, and a reader keeps,
 * per timestamp, the point of the newest run with the highest step. Only the
 * score is stored: statistic = score, p_value NaN, no sample sizes or shares,
 * and one threshold per run and metric (the latest). */

#define MODEL_TAG "mlconsole.model"
#define THRESHOLD_TAG "mlconsole.threshold."
#define DRIFT_PREFIX "drift."
#define IDS_PER_SEARCH 100 /* experiment ids per runs/search */

/* A metric value as JSON: a number, or MLflow's string for a non-finite one. */
static json_t *jmetric(double v)
{
	if (isnan(v))
		return json_string("NaN");
	if (isinf(v))
		return json_string(v > 0 ? "Infinity" : "-Infinity");
	return json_real(v);
}

/* The runs/search filter for runs tagged with model (NULL: with any model) into sb. */
static int model_tag_filter(struct strbuf *sb, const char *model, struct mlc_error *err)
{
	sb_add(sb, "tags.`" MODEL_TAG "` ");
	if (model == NULL) {
		sb_add(sb, "LIKE '%'");
		return 0;
	}
	sb_add(sb, "= ");
	return add_literal(sb, model, err);
}

/* Keep the first run of a listing (a reference) in *ctx and stop. */
static int first_run(const json_t *j, void *ctx)
{
	json_t **out = ctx;

	if (*out == NULL)
		*out = json_incref((json_t *)j);
	return 1;
}

/* Create model's drift run in experiment exp; its id into id[len]. */
static int create_drift_run(struct registry *r, const char *exp, const char *model, char *id,
			    size_t len, struct mlc_error *err)
{
	char name[600];
	json_t *body, *resp = NULL;
	const char *rid;
	int rc;

	snprintf(name, sizeof name, "drift-%s", model);
	body = json_pack("{s:s,s:s,s:I,s:[{s:s,s:s}]}", "experiment_id", exp, "run_name", name,
			 "start_time", (json_int_t)time(NULL) * 1000, "tags", "key", MODEL_TAG,
			 "value", model);
	if (body == NULL)
		return mlc_error_set(err, MLC_ERR_USAGE, "runs/create: a name is not valid UTF-8");
	rc = http_post_json(HTTPH(r), "runs/create", body, &resp, err);
	json_decref(body);
	rid = jstr(json_object_get(json_object_get(resp, "run"), "info"), "run_id");
	if (rc == 0 && rid == NULL)
		rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: runs/create: no run in the answer",
				   http_host(HTTPH(r)));
	if (rc == 0)
		snprintf(id, len, "%s", rid);
	json_decref(resp);
	/* A container of points, not a job: FINISHED, so MLflow's UI does not show
	 * it running forever (MLflow still takes metrics logged to it). Only
	 * cosmetic: the run is made, so a failure here fails nothing. */
	if (rc == 0) {
		struct mlc_error ignore = {0};
		send_change(r, "runs/update",
			    json_pack("{s:s,s:s,s:I}", "run_id", id, "status", "FINISHED", "end_time",
				      (json_int_t)time(NULL) * 1000),
			    0, &ignore);
	}
	return rc;
}

/* The id of model's drift run (the oldest active one tagged with model in
 * the experiment "mlconsole") into id[len], creating both on first use. */
static int drift_run(struct registry *r, const char *model, char *id, size_t len,
		     struct mlc_error *err)
{
	char exp[64];
	struct strbuf f = {0};
	json_t *e, *run = NULL;
	struct pager pg = {.path = "runs/search",
			   .items = "runs",
			   .page_size = 1,
			   .limit = 1,
			   .fn = first_run,
			   .ctx = &run};
	int rc = -1;

	if (policy_experiment(r, &e, err) < 0)
		return -1;
	snprintf(exp, sizeof exp, "%s", jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
	json_decref(e);
	if (*exp == '\0' && create_policy_experiment(r, exp, sizeof exp, err) < 0)
		return -1;
	if (model_tag_filter(&f, model, err) < 0)
		goto out;
	pg.body = search_body(exp, sb_str(&f), 0);
	json_object_set_new(pg.body, "order_by", json_pack("[s]", "attributes.start_time ASC"));
	rc = each_item(r, &pg, err);
	json_decref(pg.body);
	if (rc == 0 && jstr(json_object_get(run, "info"), "run_id"))
		snprintf(id, len, "%s", jstr(json_object_get(run, "info"), "run_id"));
	else if (rc == 0)
		rc = create_drift_run(r, exp, model, id, len, err);
out:
	json_decref(run);
	sb_free(&f);
	return rc;
}

/* Raise *ctx to one more than the step of history point j. */
static int next_step(const json_t *j, void *ctx)
{
	int64_t *step = ctx;

	if (jint(j, "step") >= *step)
		*step = jint(j, "step") + 1;
	return 0;
}

/* v as a tag value: the shortest of %.15g and %.17g that reads back as v. */
static void format_double(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

/* Log p as model's point for feature by method (see the top of this section). */
static int mlflow_drift_record(struct registry *r, const char *model, const char *feature,
			       const char *method, const struct mlc_drift_point *p,
			       struct mlc_error *err)
{
	char id[128], key[512], tag[600], thr[40];
	int64_t step = 0;
	struct http_param hp[] = {{"run_id", id}, {"metric_key", key}};
	struct pager pg = {.path = "metrics/get-history",
			   .items = "metrics",
			   .params = hp,
			   .n_params = 2,
			   .fn = next_step,
			   .ctx = &step};
	json_t *m;

	if (feature == NULL || *feature == '\0')
		return mlc_error_set(err, MLC_ERR_USAGE, "drift record: --feature is empty");
	if (get_model(r, model, &m, err) < 0)
		return -1;
	json_decref(m);
	if (snprintf(key, sizeof key, DRIFT_PREFIX "%s.%s", method, feature) >= 250)
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "drift record: the metric key '%s' is longer than MLflow's "
				     "250 characters",
				     key);
	snprintf(tag, sizeof tag, THRESHOLD_TAG "%s.%s", method, feature);
	if (drift_run(r, model, id, sizeof id, err) < 0 || each_item(r, &pg, err) < 0)
		return -1;
	format_double(thr, sizeof thr, p->threshold);
	if (send_change(r, "runs/set-tag", json_pack("{s:s,s:s,s:s}", "run_id", id, "key", tag,
						      "value", thr),
			0, err) < 0)
		return -1;
	return send_change(r, "runs/log-metric",
			   json_pack("{s:s,s:s,s:o,s:I,s:I}", "run_id", id, "key", key, "value",
				     jmetric(p->score), "timestamp", (json_int_t)p->window_end,
				     "step", (json_int_t)step),
			   0, err);
}

/* One logged point of a drift metric, before the points of a window are merged. */
struct drift_raw {
	const char *model, *feature, *method; /* in the list's arena */
	int64_t window_end, step;
	size_t run, seq; /* the run's rank (oldest first); arrival order */
	double score, threshold;
};

/* The raw points read so far, and the template of the next ones. */
struct raw_ctx {
	struct drift_raw *items, tmpl;
	size_t n, cap;
};

/* Add history point j of the metric in c->tmpl. */
static int add_raw(const json_t *j, void *ctx)
{
	struct raw_ctx *c = ctx;
	struct drift_raw *d;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->items = xrealloc(c->items, c->cap * sizeof *c->items);
	}
	d = &c->items[c->n];
	*d = c->tmpl;
	d->window_end = jint(j, "timestamp");
	d->step = jint(j, "step");
	d->score = jdouble(json_object_get(j, "value"));
	d->seq = c->n++;
	return 0;
}

/* Same model, feature and method, then window, run, step, arrival: the last
 * of a window is the one kept. */
static int cmp_raw(const void *pa, const void *pb)
{
	const struct drift_raw *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->model, b->model)) || (c = strcmp(a->feature, b->feature)) ||
	    (c = strcmp(a->method, b->method)))
		return c;
	if (a->window_end != b->window_end)
		return a->window_end < b->window_end ? -1 : 1;
	if (a->run != b->run)
		return a->run < b->run ? -1 : 1;
	if (a->step != b->step)
		return a->step < b->step ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Append run j (a reference) to the array ctx. */
static int collect_run(const json_t *j, void *ctx)
{
	json_array_append((json_t *)ctx, (json_t *)j);
	return 0;
}

/* Oldest run first, then by id. */
static int cmp_run_start(const void *pa, const void *pb)
{
	const json_t *a = json_object_get(*(json_t *const *)pa, "info");
	const json_t *b = json_object_get(*(json_t *const *)pb, "info");
	int64_t x = jint(a, "start_time"), y = jint(b, "start_time");

	if (x != y)
		return x < y ? -1 : 1;
	return strcmp(jstr(a, "run_id") ? jstr(a, "run_id") : "", jstr(b, "run_id") ? jstr(b, "run_id") : "");
}

/* Every active run tagged with model (NULL: any model), in any active
 * experiment, into the array runs. */
static int search_drift_runs(struct registry *r, const char *model, json_t *runs,
			     struct mlc_error *err)
{
	struct mlc_experiment_list el = {0};
	struct strbuf f = {0};
	struct pager pg = {.path = "runs/search",
			   .items = "runs",
			   .page_size = PAGE,
			   .fn = collect_run,
			   .ctx = runs};
	int rc = model_tag_filter(&f, model, err);

	if (rc == 0)
		rc = mlflow_list_experiments(r, 0, &el, err);
	for (size_t i = 0; rc == 0 && i < el.n; i += IDS_PER_SEARCH) {
		json_t *ids = json_array();
		for (size_t k = i; k < el.n && k < i + IDS_PER_SEARCH; k++)
			json_array_append_new(ids, json_string(el.items[k].experiment_id));
		pg.body = json_pack("{s:o,s:s,s:s}", "experiment_ids", ids, "run_view_type",
				    "ACTIVE_ONLY", "filter", sb_str(&f));
		rc = each_item(r, &pg, err);
		json_decref(pg.body);
	}
	MLC_LIST_FREE(&el);
	sb_free(&f);
	return rc;
}

/* 1 if registered model name is deployed: has an alias named after one of
 * envs (every model when there are no environments); cached in seen. A
 * model the registry does not know is not deployed. */
static int deployed(struct registry *r, const char *name, const struct mlc_env_list *envs,
		    json_t *seen, struct mlc_error *err)
{
	json_t *m, *known = json_object_get(seen, name);
	struct mlc_error why = {0};
	int dep = 0;

	if (envs->n == 0)
		return 1;
	if (known)
		return json_is_true(known);
	if (get_model(r, name, &m, &why) < 0) {
		if (why.code != MLC_ERR_NOTFOUND) {
			if (err)
				*err = why;
			return -1;
		}
		m = NULL;
	}
	for (size_t i = 0; m && i < envs->n && !dep; i++)
		dep = alias_of(json_object_get(m, "registered_model"), envs->items[i].name) != NULL;
	json_decref(m);
	json_object_set_new(seen, name, json_boolean(dep));
	return dep;
}

/* The threshold of method.feature in run data d: its tag, else the default. */
static double run_threshold(const json_t *d, const char *method, const char *feature)
{
	char tag[600], *end;
	const char *v;
	enum drift_method m;
	double t;

	snprintf(tag, sizeof tag, THRESHOLD_TAG "%s.%s", method, feature);
	if ((v = tag_of(d, tag)) != NULL) {
		t = strtod(v, &end);
		if (end != v && isfinite(t))
			return t;
	}
	return drift_method_parse(method, &m) == 0 ? drift_default_threshold(m) : 0;
}

/* Read the drift metrics of run j (rank run) into c, feature only if set. */
static int read_run_drift(struct registry *r, const json_t *j, size_t run, const char *model,
			  const char *feature, struct mlc_arena *a, struct raw_ctx *c,
			  struct mlc_error *err)
{
	const json_t *d = json_object_get(j, "data"), *it;
	const char *rid = jstr(json_object_get(j, "info"), "run_id");
	size_t i;

	json_array_foreach(json_object_get(d, "metrics"), i, it)
	{
		const char *key = jstr(it, "key"), *dot;
		struct http_param hp[] = {{"run_id", rid}, {"metric_key", key}};
		struct pager pg = {.path = "metrics/get-history",
				   .items = "metrics",
				   .params = hp,
				   .n_params = 2,
				   .fn = add_raw,
				   .ctx = c};

		if (rid == NULL || key == NULL || strncmp(key, DRIFT_PREFIX, strlen(DRIFT_PREFIX)) != 0)
			continue;
		key += strlen(DRIFT_PREFIX);
		if ((dot = strchr(key, '.')) == NULL || dot == key || dot[1] == '\0' ||
		    (feature && strcmp(dot + 1, feature) != 0))
			continue;
		c->tmpl.model = arena_strdup(a, model);
		c->tmpl.method = arena_strndup(a, key, (size_t)(dot - key));
		c->tmpl.feature = arena_strdup(a, dot + 1);
		c->tmpl.run = run;
		c->tmpl.threshold = run_threshold(d, c->tmpl.method, c->tmpl.feature);
		hp[1].value = jstr(it, "key");
		if (each_item(r, &pg, err) < 0)
			return -1;
	}
	return 0;
}

/* The series of raw[0..n) (one model, feature and method, sorted by cmp_raw)
 * as a feature of out: the last point of each window, the newest last. */
static void add_series(struct mlc_drift_list *out, const struct drift_raw *raw, size_t n,
		       int64_t last)
{
	struct mlc_drift_feature *f = MLC_LIST_PUSH(out);
	size_t windows = 0, skip;
	enum drift_method m;
	int known = drift_method_parse(raw->method, &m) == 0;

	for (size_t i = 0; i < n; i++)
		windows += i + 1 == n || raw[i + 1].window_end != raw[i].window_end;
	skip = last > 0 && (uint64_t)last < windows ? windows - (size_t)last : 0;
	f->model = raw->model;
	f->feature = raw->feature;
	f->method = raw->method;
	f->points = arena_alloc(&out->arena, (windows - skip) * sizeof *f->points);
	for (size_t i = 0; i < n; i++) {
		struct mlc_drift_point *p;
		if (i + 1 < n && raw[i + 1].window_end == raw[i].window_end)
			continue; /* replaced by a later point of the window */
		if (skip) {
			skip--;
			continue;
		}
		p = &f->points[f->n_points++];
		memset(p, 0, sizeof *p);
		p->window_end = raw[i].window_end;
		p->score = p->statistic = raw[i].score;
		p->p_value = NAN;
		p->threshold = raw[i].threshold;
		p->drift = known && drift_is_drift(m, raw[i].score, raw[i].threshold);
	}
	drift_feature_summarise(f);
}

/* The drift series of model (NULL: every deployed model), worst first. */
static int mlflow_drift_series(struct registry *r, const char *model, const char *feature,
			       int64_t last, struct mlc_drift_list *out, struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	struct raw_ctx c = {0};
	json_t *runs = json_array(), *seen = json_object(), *m, **sorted = NULL;
	size_t n_runs = 0, first = out->n, i, j;
	int rc = -1;

	if (model) {
		if (get_model(r, model, &m, err) < 0)
			goto out;
		json_decref(m);
	} else if (load_envs(r, &envs, NULL, 0, err) < 0) {
		goto out;
	}
	if (search_drift_runs(r, model, runs, err) < 0)
		goto out;
	n_runs = json_array_size(runs);
	sorted = xcalloc(n_runs + 1, sizeof *sorted);
	for (i = 0; i < n_runs; i++)
		sorted[i] = json_array_get(runs, i);
	qsort(sorted, n_runs, sizeof *sorted, cmp_run_start);
	for (i = 0; i < n_runs; i++) {
		const char *mn = tag_of(json_object_get(sorted[i], "data"), MODEL_TAG);
		int dep = 1;
		if (mn == NULL || (model && strcmp(mn, model) != 0))
			continue;
		if (model == NULL && (dep = deployed(r, mn, &envs, seen, err)) < 0)
			goto out;
		if (dep && read_run_drift(r, sorted[i], i, mn, feature, &out->arena, &c, err) < 0)
			goto out;
	}
	if (c.n > 1)
		qsort(c.items, c.n, sizeof *c.items, cmp_raw);
	for (i = 0; i < c.n; i = j) {
		for (j = i + 1; j < c.n && strcmp(c.items[j].model, c.items[i].model) == 0 &&
				strcmp(c.items[j].feature, c.items[i].feature) == 0 &&
				strcmp(c.items[j].method, c.items[i].method) == 0;
		     j++)
			;
		add_series(out, &c.items[i], j - i, last);
	}
	if (out->n - first > 1)
		drift_features_sort(out->items + first, out->n - first);
	rc = 0;
out:
	free(sorted);
	free(c.items);
	json_decref(runs);
	json_decref(seen);
	MLC_LIST_FREE(&envs);
	return rc;
}

/* ---- opening, closing, cancelling ------------------------------------------- */

static void mlflow_close(struct registry *r)
{
	struct mlflow *m = r->impl;

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
 * its answer kept for the handle's life (DESIGN.md "identity"). */
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
	r->caps = REG_CAP_WRITE | REG_CAP_DRIFT | REG_CAP_AUDIT;
	r->read_only = opts && opts->read_only;
	r->impl = m;
	return r;
}
