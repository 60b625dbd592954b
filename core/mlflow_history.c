/* mlflow_history.c: metric histories from an MLflow server: get-history per
 * (run, metric) pair, fetched together over the kept-alive connections, and
 * get-history-bulk (MLflow 2.17.2's REST API: a key's points for up to 100 runs in one
 * answer, under /ajax-api/ only), with get-history wherever bulk cannot be
 * trusted to hold every point. An import's histories are fetched ahead in
 * bulk, a hundred runs at a time, as it asks for them in its listing's order. */
#include "config.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "mlflow_impl.h"
#include "registry.h"
#include "xmalloc.h"

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

/* ---- histories in bulk (MLflow 2.17.2's REST API) ------------------------------------ */

#define BULK_PATH "/ajax-api/2.0/mlflow/metrics/get-history-bulk"
#define BULK_RUNS 100	  /* the run ids one get-history-bulk takes */
#define BULK_POINTS 25000 /* its cap on the points of one answer: that many may be cut */

/* An import's listing as (run, metric) pairs in its order; the histories of
 * pairs [lo, hi) fetched ahead (got, have[i - lo]); runs per bulk request
 * (halved when an answer may be cut; 0: the server has no bulk endpoint). */
struct hist_ahead {
	struct mlc_arena arena;
	struct mlc_history_req *plan;
	size_t n, cap, next, lo, hi;
	struct mlc_metric_list *got;
	char *have;
	size_t runs;
};

/* Pairs req[i] into out[i] (first[i]: its length before), have[i] 1 when
 * the bulk endpoint gave pair i's points. */
struct bulk_job {
	const struct mlc_history_req *req;
	struct mlc_metric_list *out;
	char *have;
	size_t *first;
};

/* The backend's state for histories, made on first use. */
static struct hist_ahead *ahead(struct registry *r)
{
	struct mlflow *m = r->impl;

	if (m->ahead == NULL) {
		m->ahead = xcalloc(1, sizeof *m->ahead);
		m->ahead->runs = BULK_RUNS;
	}
	return m->ahead;
}

/* Forget the histories fetched ahead. */
static void drop_window(struct hist_ahead *a)
{
	for (size_t i = a->lo; i < a->hi; i++)
		MLC_LIST_FREE(&a->got[i - a->lo]);
	free(a->got), free(a->have);
	a->got = NULL, a->have = NULL, a->lo = a->hi = 0;
}

/* The points of a bulk answer into the lists of the pairs idx[0..k) (one
 * key, several runs); 0, or -1 when it holds BULK_POINTS points (maybe cut). */
static int take_bulk(struct bulk_job *j, const size_t *idx, size_t k, const json_t *resp)
{
	const json_t *arr = json_object_get(resp, "metrics"), *it;
	size_t i, at = 0;

	if (json_array_size(arr) >= BULK_POINTS)
		return -1;
	json_array_foreach(arr, i, it)
	{
		const char *rid = jstr(it, "run_id");
		struct mlc_metric_list *o;
		for (size_t t = 0; rid && t < k && strcmp(j->req[idx[at]].run_id, rid); t++)
			at = (at + 1) % k;
		if (rid == NULL || strcmp(j->req[idx[at]].run_id, rid))
			continue;
		o = &j->out[idx[at]];
		add_point(it, &(struct points_ctx){
				  o, o->n > j->first[idx[at]]
					 ? o->items[j->first[idx[at]]].key
					 : arena_strdup(&o->arena, j->req[idx[at]].key)});
	}
	for (i = 0; i < k; i++) {
		struct mlc_metric_list *o = &j->out[idx[i]];
		if ((j->have[idx[i]] = o->n > j->first[idx[i]]))
			mlc_history_sort(o->items + j->first[idx[i]], o->n - j->first[idx[i]]);
	}
	return 0;
}

/* Fetch the pairs idx[0..n) (sorted by key) by get-history-bulk, at most
 * per runs of one key a request, the requests together; an answer that
 * may be cut is asked again in halves. Pairs not had are left to
 * get-history; a server without the endpoint (an HTML 404) is not asked
 * again.
 * Each request has its run ids and 2 more params (metric_key,
 * max_results), and there are as many requests as pairs when every pair
 * has a key of its own (a compare of a few runs with many metrics): 3n
 * params at most. */
static void bulk_fetch(struct registry *r, struct bulk_job *j, const size_t *idx, size_t n,
		       size_t per)
{
	struct http_param *p = xcalloc(3 * n + 1, sizeof *p);
	struct http_request *hr = xcalloc(n + 1, sizeof *hr);
	size_t *start = xcalloc(n + 1, sizeof *start), nc = 0, np = 0;
	struct http_response *res;

	for (size_t i = 0; i < n; nc++) {
		size_t k = 0;
		start[nc] = i, hr[nc] = (struct http_request){BULK_PATH, p + np, 0};
		for (; i < n && k < per &&
		       strcmp(j->req[idx[i]].key, j->req[idx[start[nc]]].key) == 0;
		     i++, k++)
			p[np++] = (struct http_param){"run_id", j->req[idx[i]].run_id};
		p[np++] = (struct http_param){"metric_key", j->req[idx[start[nc]]].key};
		p[np++] = (struct http_param){"max_results", "25000"};
		hr[nc].n_params = k + 2;
	}
	start[nc] = n;
	res = xcalloc(nc + 1, sizeof *res);
	http_get_many(HTTPH(r), hr, nc, res, NULL, NULL);
	for (size_t c = 0; c < nc; c++) {
		size_t k = start[c + 1] - start[c];
		/* a server without the endpoint answers 404 with a page of its own; a
		 * 404 of MLflow's (RESOURCE_DOES_NOT_EXIST: a file store's run that
		 * is gone) is about one run of this request, left to get-history */
		if (res[c].rc < 0 && res[c].status == 404 && res[c].err.code != MLC_ERR_NOTFOUND)
			ahead(r)->runs = 0;
		else if (res[c].rc == 0 && take_bulk(j, idx + start[c], k, res[c].json) < 0 &&
			 k > 1) {
			ahead(r)->runs = (k + 1) / 2;
			bulk_fetch(r, j, idx + start[c], k, (k + 1) / 2);
		}
	}
	free_each(res, nc);
	free(start), free(hr), free(p);
}

/* A pair's key and index, to order pairs by key (then index) without a
 * global: histories are fetched on each registry's worker thread, and
 * several registries may fetch at once. */
struct keyed {
	const char *key;
	size_t i;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The histories of j's n pairs that the bulk endpoint gives (have[i] 1),
 * when the server has one. */
static void bulk_histories(struct registry *r, struct bulk_job *j, size_t n)
{
	struct keyed *kx;
	size_t *idx;

	if (ahead(r)->runs == 0 || n == 0)
		return;
	kx = xcalloc(n, sizeof *kx);
	idx = xcalloc(n, sizeof *idx);
	for (size_t i = 0; i < n; i++)
		kx[i] = (struct keyed){j->req[i].key, i};
	qsort(kx, n, sizeof *kx, cmp_keyed);
	for (size_t i = 0; i < n; i++)
		idx[i] = kx[i].i;
	free(kx);
	bulk_fetch(r, j, idx, n, ahead(r)->runs);
	free(idx);
}

/* Note the runs of an import's listing, out->items[first..], as the pairs
 * whose histories metric_history will be asked for, in this order. */
void mlflow_plan_ahead(struct registry *r, const struct mlc_run_list *out, size_t first)
{
	struct hist_ahead *a = ahead(r);

	drop_window(a);
	arena_free(&a->arena);
	a->plan = NULL, a->n = a->cap = a->next = 0;
	for (size_t i = first; i < out->n; i++) {
		const struct mlc_run *run = &out->items[i];
		const char *id = arena_strdup(&a->arena, run->run_id);
		for (size_t k = 0; k < run->n_metrics; k++)
			*(struct mlc_history_req *)arena_grow(&a->arena, (void **)&a->plan, &a->cap,
							      a->n++, sizeof *a->plan) =
			    (struct mlc_history_req){id,
						     arena_strdup(&a->arena, run->metrics[k].key)};
	}
}

/* The history of (run_id, key) into out from those fetched ahead, when an
 * import asks for the pairs of its listing in turn (a few skipped); the next
 * BULK_RUNS runs' histories are fetched in bulk when it reaches past them.
 * 1 if served, 0 if it is to be fetched alone. */
static int from_ahead(struct registry *r, const char *run_id, const char *key,
		      struct mlc_metric_list *out)
{
	struct hist_ahead *a = ahead(r);
	size_t i = a->next, end, runs = 0, *first;
	struct mlc_metric_list *g;
	const char *name;

	while (i < a->n && i < a->next + 64 &&
	       (strcmp(a->plan[i].run_id, run_id) || strcmp(a->plan[i].key, key)))
		i++;
	if (a->runs == 0 || i >= a->n || i >= a->next + 64)
		return 0;
	a->next = i + 1;
	if (i >= a->hi) {
		drop_window(a);
		for (end = i;
		     end < a->n && (runs += end == i || a->plan[end].run_id !=
							    a->plan[end - 1].run_id) <= BULK_RUNS;
		     end++)
			;
		a->got = xcalloc(end - i, sizeof *a->got), a->have = xcalloc(end - i, 1);
		a->lo = i, a->hi = end;
		first = xcalloc(end - i, sizeof *first);
		bulk_histories(r, &(struct bulk_job){a->plan + i, a->got, a->have, first}, end - i);
		free(first);
	}
	if (i < a->lo || !a->have[i - a->lo])
		return 0;
	g = &a->got[i - a->lo];
	name = arena_strdup(&out->arena, key);
	for (size_t k = 0; k < g->n; k++) {
		struct mlc_metric *m = MLC_LIST_PUSH(out);
		*m = g->items[k];
		m->key = name;
	}
	MLC_LIST_FREE(g);
	a->have[i - a->lo] = 0;
	return 1;
}

/* A metric's whole history, by step then timestamp. get-history ignores
 * paging on 2.x servers; a next_page_token is followed all the same. */
int mlflow_metric_history(struct registry *r, const char *run_id, const char *key,
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

	if (from_ahead(r, run_id, key, out))
		return 0;
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

/* The histories being fetched together, and what each answer held; answer
 * i is pair map[i]'s. */
struct histories_ctx {
	const struct mlc_history_req *req;
	struct mlc_metric_list *out;
	size_t *first; /* out[i].n before */
	char *paged;   /* 1: the server pages histories; fetch it again page by page */
	size_t *map;
};

/* The points of one answer of get-history, into its list at once. */
static void took_history(size_t a, struct http_response *res, void *ctx)
{
	struct histories_ctx *c = ctx;
	size_t i = c->map[a], k;
	struct points_ctx pc = {&c->out[i], NULL};
	const json_t *it;
	const char *next = jstr(res->json, "next_page_token");

	if (res->rc < 0)
		return;
	if (next && *next) {
		c->paged[i] = 1;
	} else {
		pc.key = arena_strdup(&c->out[i].arena, c->req[i].key);
		json_array_foreach(json_object_get(res->json, "metrics"), k, it) add_point(it, &pc);
		if (c->out[i].n - c->first[i] > 1) /* items is NULL for an empty history */
			mlc_history_sort(c->out[i].items + c->first[i], c->out[i].n - c->first[i]);
	}
	json_decref(res->json);
	res->json = NULL;
}

/* The histories of n (run, metric) pairs: those get-history-bulk gives (a
 * key's runs a hundred at a time), then the rest by get-history, one pair
 * per request, fetched together and converted as they arrive; out[i] gets
 * pair i. An answer with a next_page_token (a server that pages histories)
 * is fetched again whole, page by page. The first failure, in pair order, is
 * the error. */
int mlflow_metric_histories(struct registry *r, const struct mlc_history_req *req, size_t n,
			    struct mlc_metric_list *out, struct mlc_error *err)
{
	struct http_param *p = xcalloc(2 * n + 1, sizeof *p);
	struct histories_ctx c = {req, out, xcalloc(n + 1, sizeof *c.first), xcalloc(n + 1, 1),
				  xcalloc(n + 1, sizeof *c.map)};
	struct bulk_job j = {req, out, xcalloc(n + 1, 1), c.first};
	struct http_response *res;
	size_t m = 0;
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		c.first[i] = out[i].n;
	bulk_histories(r, &j, n);
	for (size_t i = 0; i < n; i++) {
		if (j.have[i])
			continue;
		p[2 * m] = (struct http_param){"run_id", req[i].run_id};
		p[2 * m + 1] = (struct http_param){"metric_key", req[i].key};
		c.map[m++] = i;
	}
	res = get_each(r, "metrics/get-history", p, 2, m, took_history, &c);
	for (size_t a = 0; a < m && ret == 0; a++) {
		size_t i = c.map[a];
		if (res[a].rc < 0)
			ret = res[a].status == 404
				  ? run_not_found(r, req[i].run_id, err)
				  : mlc_error_set(err, res[a].err.code, "%s", res[a].err.msg);
		else if (c.paged[i])
			ret = mlflow_metric_history(r, req[i].run_id, req[i].key, &out[i], err);
		else if (out[i].n == c.first[i])
			ret = mlc_error_set(err, MLC_ERR_NOTFOUND,
					    "metric '%s': not logged by run %s", req[i].key,
					    req[i].run_id);
	}
	free_each(res, m);
	free(c.first), free(c.paged), free(c.map), free(j.have);
	free(p);
	return ret;
}

/* Free the backend's history state (NULL: none). */
void mlflow_ahead_free(struct hist_ahead *a)
{
	if (a == NULL)
		return;
	drop_window(a);
	arena_free(&a->arena);
	free(a);
}
