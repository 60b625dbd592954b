/* mlflow_drift.c: drift series on a stock MLflow server (README's server section;
 * mlflow_impl.h): points logged as run metrics drift.METHOD.FEATURE. */
#include "config.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "drift.h"
#include "mlflow_impl.h"
#include "timefmt.h"
#include "xmalloc.h"

/* ---- drift series: runs tagged mlconsole.model (README's server section) -----------------
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
			    json_pack("{s:s,s:s,s:I}", "run_id", id, "status", "FINISHED",
				      "end_time", (json_int_t)time(NULL) * 1000),
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
int mlflow_drift_record(struct registry *r, const char *model, const char *feature,
			const char *method, const struct mlc_drift_point *p, struct mlc_error *err)
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
	if (send_change(r, "runs/set-tag",
			json_pack("{s:s,s:s,s:s}", "run_id", id, "key", tag, "value", thr), 0,
			err) < 0)
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
	return strcmp(jstr(a, "run_id") ? jstr(a, "run_id") : "",
		      jstr(b, "run_id") ? jstr(b, "run_id") : "");
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

		if (rid == NULL || key == NULL ||
		    strncmp(key, DRIFT_PREFIX, strlen(DRIFT_PREFIX)) != 0)
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
int mlflow_drift_series(struct registry *r, const char *model, const char *feature, int64_t last,
			struct mlc_drift_list *out, struct mlc_error *err)
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
