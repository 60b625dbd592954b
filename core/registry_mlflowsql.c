/* registry_mlflowsql.c: a read-only backend over MLflow's own SQL store, the
 * SQLite file MLFLOW_TRACKING_URI=sqlite:///mlflow.db names (MLflow 2.x's SQLAlchemy schema).
 * Opened read-only and never written or migrated; what older schemas lack is
 * looked up once at open, and filters are compiled to SQL with bound values. */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "filter.h"
#include "registry.h"
#include "sqlutil.h"
#include "strbuf.h"
#include "xmalloc.h"

/* The connection, and SQL fragments for what MLflow's migrations added over
 * time. Fragments are constants or built from constants, never user text. */
struct msql {
	sqlite3 *db;
	char *path;
	const char *exp_ctime, *exp_utime; /* experiments' times, or "0" */
	char *run_name;			   /* runs.name, else the mlflow.runName tag */
	const char *step, *is_nan;	   /* metrics.step / is_nan, or "0" */
	char *latest;			   /* latest values: the table, or computed */
	const char *keys_src;		   /* where metric keys are cheapest to list */
	int has_exp_tags, has_model_tags, has_version_tags, has_aliases;
	int has_inputs; /* datasets, inputs and input_tags (MLflow 2.4 on) */
};

#define IMPL(r) ((struct msql *)(r)->impl)
#define DB(r) (IMPL(r)->db)

/* Versions MLflow keeps after a delete; never shown. */
#define LIVE_VERSION "coalesce(v.current_stage, '') <> 'Deleted_Internal'"

/* ---- small helpers ------------------------------------------------------ */

/* sqlutil.c's helpers on r's connection, naming the store as it was opened. */
static int db_error(struct registry *r, struct mlc_error *err)
{
	return sql_error(DB(r), r->display, err);
}

static sqlite3_stmt *prep(struct registry *r, const char *sql, struct mlc_error *err)
{
	return sql_prep(DB(r), r->display, sql, err);
}

static int step_done(struct registry *r, sqlite3_stmt *st, int rc, struct mlc_error *err)
{
	return sql_step_done(DB(r), r->display, st, rc, err);
}

/* A stored metric value: NaN when is_nan; MLflow stores +-Inf as +-DBL_MAX. */
static double metric_value(sqlite3_stmt *st, int value_col, int nan_col)
{
	double v = sqlite3_column_double(st, value_col);

	if (sqlite3_column_int(st, nan_col))
		return NAN;
	if (v >= DBL_MAX)
		return INFINITY;
	return v <= -DBL_MAX ? -INFINITY : v;
}

/* Read key/value rows of st (bound by the caller) into an arena array; resets st. */
static struct mlc_kv *load_kv(struct mlc_arena *a, sqlite3_stmt *st, size_t *n)
{
	struct mlc_kv *kv = NULL;
	size_t cap = 0;

	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct mlc_kv *e = arena_grow(a, (void **)&kv, &cap, (*n)++, sizeof *kv);
		e->key = sql_col_str(a, st, 0);
		e->value = sql_col_str(a, st, 1);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return kv;
}

/* ---- the schema --------------------------------------------------------- */

/* 1 if db has a table named name. */
static int has_table(sqlite3 *db, const char *name)
{
	int64_t one;

	return sql_int(db, "", &one, NULL,
		       "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", "s",
		       name) == 1;
}

/* 1 if table has a column named column (PRAGMA table_info, read only). */
static int has_column(sqlite3 *db, const char *table, const char *column)
{
	int64_t one;

	return sql_int(db, "", &one, NULL, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
		       "ss", table, column) == 1;
}

/* The run name: the runs.name column (MLflow 2.x), else the mlflow.runName tag. */
static char *run_name_expr(sqlite3 *db)
{
	const char *tag = "(SELECT t.value FROM tags t WHERE t.run_uuid = r.run_uuid"
			  " AND t.key = 'mlflow.runName')";

	if (has_column(db, "runs", "name"))
		return xasprintf("coalesce(nullif(r.name, ''), %s, '')", tag);
	if (has_column(db, "runs", "run_name"))
		return xasprintf("coalesce(nullif(r.run_name, ''), %s, '')", tag);
	return xasprintf("coalesce(%s, '')", tag);
}

/* Latest values: the latest_metrics table (MLflow 1.9+), else computed from
 * every point by MLflow's rule, the maximum by (step, timestamp, value). */
static char *latest_expr(const struct msql *m, int has_latest)
{
	if (has_latest)
		return xstrdup("latest_metrics");
	return xasprintf("(SELECT run_uuid, key, value, is_nan, timestamp, step FROM"
			 " (SELECT run_uuid, key, value, %s AS is_nan, timestamp, %s AS step,"
			 " row_number() OVER (PARTITION BY run_uuid, key ORDER BY %s DESC,"
			 " timestamp DESC, %s ASC, value DESC) AS rn FROM metrics) WHERE rn = 1)",
			 m->is_nan, m->step, m->step, m->is_nan);
}

/* Look up once what this schema version has. */
static void detect_schema(struct msql *m)
{
	sqlite3 *db = m->db;
	int has_latest = has_table(db, "latest_metrics");

	m->exp_ctime = has_column(db, "experiments", "creation_time") ? "e.creation_time" : "0";
	m->exp_utime =
	    has_column(db, "experiments", "last_update_time") ? "e.last_update_time" : "0";
	m->step = has_column(db, "metrics", "step") ? "step" : "0";
	m->is_nan = has_column(db, "metrics", "is_nan") ? "is_nan" : "0";
	m->run_name = run_name_expr(db);
	m->latest = latest_expr(m, has_latest);
	m->keys_src = has_latest ? "latest_metrics" : "metrics";
	m->has_exp_tags = has_table(db, "experiment_tags");
	m->has_model_tags = has_table(db, "registered_model_tags");
	m->has_version_tags = has_table(db, "model_version_tags");
	m->has_aliases = has_table(db, "registered_model_aliases");
	m->has_inputs =
	    has_table(db, "datasets") && has_table(db, "inputs") && has_table(db, "input_tags");
}

/* ---- filters and order, compiled to SQL --------------------------------- */

/* A run or model attribute the filter language names, as a column here. */
struct msql_attr {
	enum filter_target target;
	const char *canon;
	const char *column; /* NULL: the run name expression */
	int nullable;
};

static const struct msql_attr attrs[] = {
    {FILTER_RUNS, "run_id", "r.run_uuid", 0},
    {FILTER_RUNS, "run_name", NULL, 0},
    {FILTER_RUNS, "user_id", "r.user_id", 0},
    {FILTER_RUNS, "status", "r.status", 0},
    {FILTER_RUNS, "artifact_uri", "r.artifact_uri", 0},
    {FILTER_RUNS, "lifecycle_stage", "r.lifecycle_stage", 0},
    {FILTER_RUNS, "start_time", "r.start_time", 0},
    {FILTER_RUNS, "end_time", "r.end_time", 1},
    {FILTER_MODELS, "name", "m.name", 0},
    {FILTER_MODELS, "last_updated_timestamp", "m.last_updated_time", 0},
    {FILTER_MODELS, "creation_timestamp", "m.creation_time", 0},
};

/* The column for attribute canon, or NULL. */
static const struct msql_attr *attr_find(enum filter_target t, const char *canon)
{
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
		if (attrs[i].target == t && strcmp(attrs[i].canon, canon) == 0)
			return &attrs[i];
	return NULL;
}

/* Where a metric, param or tag value lives: FROM, the join condition, the
 * value in filters and in ORDER BY, and a further filter condition. */
struct kv_where {
	const char *from, *link, *value, *sort, *extra;
};

/* Fill w for values of kind; -1 when target has no such values here. */
static int kv_find(const struct msql *m, enum filter_target t, enum filter_kind kind,
		   struct kv_where *w)
{
	static const char *const nan_null = "CASE WHEN x.is_nan THEN NULL ELSE x.value END";

	*w = (struct kv_where){NULL, "x.run_uuid = r.run_uuid", "x.value", "x.value", ""};
	if (t == FILTER_MODELS) {
		if (kind != FK_TAG)
			return -1;
		w->from = m->has_model_tags ? "registered_model_tags" : NULL;
		w->link = "x.name = m.name";
		return 0;
	}
	if (kind == FK_METRIC) {
		w->from = m->latest;
		w->sort = nan_null;
		w->extra = " AND x.is_nan = 0";
	} else {
		w->from = kind == FK_PARAM ? "params" : "tags";
	}
	return 0;
}

/* Append the SQL for one clause of a filter on target. */
static int clause_sql(const struct msql *m, const struct filter_clause *c, enum filter_target t,
		      struct strbuf *sb, struct sql_args *a, struct mlc_error *err)
{
	const struct msql_attr *at;
	struct kv_where w;

	if (c->kind == FK_ATTR) {
		if ((at = attr_find(t, c->key)) == NULL)
			return mlc_error_set(err, MLC_ERR_USAGE, "cannot search by attribute '%s'",
					     c->key);
		filter_compare_sql(sb, a, at->column ? at->column : m->run_name, c, 1);
		return 0;
	}
	if (kv_find(m, t, c->kind, &w) < 0)
		return mlc_error_set(err, MLC_ERR_USAGE, "cannot search these by '%s'", c->key);
	if (w.from == NULL) { /* an old schema without the table: nothing matches */
		sb_add(sb, "0");
		return 0;
	}
	sb_printf(sb, "EXISTS (SELECT 1 FROM %s x WHERE %s AND x.key = ?%s AND ", w.from, w.link,
		  w.extra);
	sql_args_text(a, c->key);
	filter_compare_sql(sb, a, w.value, c, 0);
	sb_addc(sb, ')');
	return 0;
}

/* Append f's clauses joined by AND ("1" when empty). */
static int filter_sql(const struct msql *m, const struct filter *f, enum filter_target t,
		      struct strbuf *sb, struct sql_args *a, struct mlc_error *err)
{
	if (f->n == 0)
		sb_add(sb, "1");
	for (size_t i = 0; i < f->n; i++) {
		sb_add(sb, i ? " AND (" : "(");
		if (clause_sql(m, &f->clauses[i], t, sb, a, err) < 0)
			return -1;
		sb_addc(sb, ')');
	}
	return 0;
}

/* Append the ORDER BY terms of the run order o (missing values last), then
 * the default: newest first, then by id. */
static int order_sql(const struct msql *m, const struct order_list *o, struct strbuf *sb,
		     struct sql_args *a, struct mlc_error *err)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct order_key *k = &o->keys[i];
		const char *dir = k->desc ? " DESC" : " ASC";
		const struct msql_attr *at;
		struct kv_where w;

		if (k->kind == FK_ATTR) {
			if ((at = attr_find(FILTER_RUNS, k->key)) == NULL)
				return mlc_error_set(err, MLC_ERR_USAGE,
						     "cannot order by attribute '%s'", k->key);
			const char *col = at->column ? at->column : m->run_name;
			if (at->nullable)
				sb_printf(sb, "%s IS NULL, ", col);
			sb_printf(sb, "%s%s, ", col, dir);
			continue;
		}
		kv_find(m, FILTER_RUNS, k->kind, &w);
		for (int j = 0; j < 2; j++) {
			sb_printf(sb, "(SELECT %s FROM %s x WHERE %s AND x.key = ?)%s, ", w.sort,
				  w.from, w.link, j == 0 ? " IS NULL" : dir);
			sql_args_text(a, k->key);
		}
	}
	sb_add(sb, "r.start_time DESC, r.run_uuid");
	return 0;
}

/* ---- experiments -------------------------------------------------------- */

/* Experiment id of ref (an existing id wins, then the name, the active one
 * first) into *id; 0, or -1 with err filled. */
static int experiment_ref(struct registry *r, const char *ref, int64_t *id, struct mlc_error *err)
{
	int rc = sql_int(DB(r), r->display, id, err,
			 "SELECT experiment_id FROM experiments"
			 " WHERE CAST(experiment_id AS TEXT) = ?1 UNION ALL"
			 " SELECT experiment_id FROM (SELECT experiment_id FROM experiments"
			 " WHERE name = ?1 ORDER BY lifecycle_stage = 'active' DESC) LIMIT 1",
			 "s", ref);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return mlc_error_set(err, MLC_ERR_NOTFOUND, "experiment '%s': not found in %s",
			     ref ? ref : "", r->display);
}

/* Experiments by name (all, or only the one with id *only), with their run
 * counts (active runs unless all) and last activity. */
static int query_experiments(struct registry *r, int all, const int64_t *only,
			     struct mlc_experiment_list *out, struct mlc_error *err)
{
	struct msql *m = IMPL(r);
	char *sql = xasprintf(
	    "SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage,"
	    " coalesce(%s, 0), max(coalesce(%s, 0), coalesce((SELECT max(start_time) FROM runs r"
	    " WHERE r.experiment_id = e.experiment_id), 0)), (SELECT count(*) FROM runs r"
	    " WHERE r.experiment_id = e.experiment_id AND (?1 OR r.lifecycle_stage = 'active'))"
	    " FROM experiments e WHERE (?1 OR e.lifecycle_stage = 'active')"
	    " AND (?2 IS NULL OR e.experiment_id = ?2)"
	    " ORDER BY e.name, e.lifecycle_stage, e.experiment_id",
	    m->exp_ctime, m->exp_utime);
	sqlite3_stmt *st = prep(r, sql, err), *tg = NULL;
	int rc;

	free(sql);
	if (st == NULL)
		return -1;
	if (m->has_exp_tags && (tg = prep(r,
					  "SELECT key, value FROM experiment_tags"
					  " WHERE experiment_id = ? ORDER BY key",
					  err)) == NULL) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_int(st, 1, all ? 1 : 0);
	if (only)
		sqlite3_bind_int64(st, 2, *only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_experiment *e = MLC_LIST_PUSH(out);
		e->experiment_id = sql_col_str(&out->arena, st, 0);
		e->name = sql_col_str(&out->arena, st, 1);
		e->artifact_location = sql_col_str(&out->arena, st, 2);
		e->lifecycle_stage = sql_col_str(&out->arena, st, 3);
		e->creation_time = sqlite3_column_int64(st, 4);
		e->last_update_time = sqlite3_column_int64(st, 5);
		e->run_count = sqlite3_column_int64(st, 6);
		if (tg) {
			sqlite3_bind_int64(tg, 1, sqlite3_column_int64(st, 0));
			e->tags = load_kv(&out->arena, tg, &e->n_tags);
		}
	}
	sqlite3_finalize(tg);
	return step_done(r, st, rc, err);
}

/* Experiments by name; deleted ones only when all is set. */
static int msql_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
				 struct mlc_error *err)
{
	return query_experiments(r, all, NULL, out, err);
}

/* One experiment by id or name, deleted or not. */
static int msql_get_experiment(struct registry *r, const char *ref, struct mlc_experiment_list *out,
			       struct mlc_error *err)
{
	int64_t id;

	if (experiment_ref(r, ref, &id, err) < 0)
		return -1;
	return query_experiments(r, 1, &id, out, err);
}

/* ---- runs: rows --------------------------------------------------------- */

/* The run columns, in the order collect_runs reads them (after run_name). */
#define RUN_TAIL                                                                                   \
	" CAST(r.experiment_id AS TEXT), r.user_id, r.status, r.artifact_uri,"                     \
	" coalesce(r.lifecycle_stage, 'active'), coalesce(r.start_time, 0),"                       \
	" coalesce(r.end_time, 0) FROM runs r "

/* Start a run query: SELECT of every run column, up to the WHERE. */
static void run_select(const struct msql *m, struct strbuf *sb)
{
	sb_printf(sb, "SELECT r.run_uuid, %s," RUN_TAIL, m->run_name);
}

/* Read the run rows of st into out (attributes only); finalizes st. */
static int collect_runs(struct registry *r, sqlite3_stmt *st, struct mlc_run_list *out,
			struct mlc_error *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_run *run = MLC_LIST_PUSH(out);
		run->run_id = sql_col_str(&out->arena, st, 0);
		run->run_name = sql_col_str(&out->arena, st, 1);
		run->experiment_id = sql_col_str(&out->arena, st, 2);
		run->user_id = sql_col_str(&out->arena, st, 3);
		run->status = sql_col_str(&out->arena, st, 4);
		run->artifact_uri = sql_col_str(&out->arena, st, 5);
		run->lifecycle_stage = sql_col_str(&out->arena, st, 6);
		run->start_time = sqlite3_column_int64(st, 7);
		run->end_time = sqlite3_column_int64(st, 8);
	}
	return step_done(r, st, rc, err);
}

/* The end of the range of ids starting with prefix p: p with its last byte + 1. */
static char *prefix_end(const char *p)
{
	char *e = xstrdup(p);
	size_t n = strlen(e);

	if (n > 0)
		e[n - 1]++;
	return e;
}

/* The run run_id names (id, or unique prefix of 8+ characters) into out,
 * attributes only. */
static int find_run(struct registry *r, const char *run_id, struct mlc_run_list *out,
		    struct mlc_error *err)
{
	struct strbuf sql = {0};
	sqlite3_stmt *st;
	char *end = prefix_end(run_id);

	run_select(IMPL(r), &sql);
	sb_add(&sql, "WHERE r.run_uuid = ?1 OR (length(?1) >= 8 AND r.run_uuid >= ?1"
		     " AND r.run_uuid < ?2) ORDER BY r.run_uuid = ?1 DESC LIMIT 2");
	st = prep(r, sb_str(&sql), err);
	sb_free(&sql);
	if (st) {
		sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, end, -1, SQLITE_TRANSIENT);
	}
	free(end);
	if (st == NULL || collect_runs(r, st, out, err) < 0)
		return -1;
	if (out->n == 0)
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "run '%s': not found in %s", run_id,
				     r->display);
	if (out->n > 1 && strcmp(out->items[0].run_id, run_id) != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "run '%s': ambiguous prefix", run_id);
	out->n = 1;
	return 0;
}

/* ---- runs: values ------------------------------------------------------- */

/* A run's position in a list, by id, for attaching values. */
struct run_slot {
	const char *id;
	size_t index;
};

static int cmp_slot(const void *a, const void *b)
{
	return strcmp(((const struct run_slot *)a)->id, ((const struct run_slot *)b)->id);
}

/* Which values to attach, and to which runs. */
struct attach {
	struct mlc_run_list *out;
	struct run_slot *slots; /* sorted by id */
	int64_t eid;		/* the runs' experiment, or */
	const char *run_id;	/* one run */
	const char **keys;	/* only these keys (lean), or every key when n_keys is 0 */
	size_t n_keys;
};

/* The run with id, or NULL (not selected by the query). */
static struct mlc_run *slot_run(const struct attach *at, const char *id)
{
	struct run_slot key = {id, 0};
	const struct run_slot *hit =
	    bsearch(&key, at->slots, at->out->n, sizeof *at->slots, cmp_slot);
	return hit ? &at->out->items[hit->index] : NULL;
}

/* Prepare the values query of kind ('m', 'p', 't') for at, bound. */
static sqlite3_stmt *values_stmt(struct registry *r, const struct attach *at, char kind,
				 struct mlc_error *err)
{
	struct msql *m = IMPL(r);
	struct strbuf sql = {0};
	sqlite3_stmt *st;

	sb_printf(&sql, "SELECT x.run_uuid, x.key, x.value%s FROM %s x WHERE ",
		  kind == 'm' ? ", x.is_nan, x.timestamp, x.step" : "",
		  kind == 'm'	? m->latest
		  : kind == 'p' ? "params"
				: "tags");
	sb_add(&sql, at->run_id
			 ? "x.run_uuid = ?1"
			 : "x.run_uuid IN (SELECT run_uuid FROM runs WHERE experiment_id = ?1)");
	for (size_t i = 0; i < at->n_keys; i++)
		sb_add(&sql, i ? ", ?" : " AND x.key IN (?");
	sb_add(&sql, at->n_keys ? ") ORDER BY x.run_uuid, x.key" : " ORDER BY x.run_uuid, x.key");
	st = prep(r, sb_str(&sql), err);
	sb_free(&sql);
	if (st == NULL)
		return NULL;
	if (at->run_id)
		sqlite3_bind_text(st, 1, at->run_id, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, at->eid);
	for (size_t i = 0; i < at->n_keys; i++)
		sqlite3_bind_text(st, (int)i + 2, at->keys[i], -1, SQLITE_TRANSIENT);
	return st;
}

/* Append the current row of st to run's values of kind; cap is the array's. */
static void add_value(struct mlc_arena *a, struct mlc_run *run, char kind, sqlite3_stmt *st,
		      size_t *cap)
{
	if (kind == 'm') {
		struct mlc_metric *mt =
		    arena_grow(a, (void **)&run->metrics, cap, run->n_metrics++, sizeof *mt);
		mt->key = sql_col_str(a, st, 1);
		mt->value = metric_value(st, 2, 3);
		mt->timestamp = sqlite3_column_int64(st, 4);
		mt->step = sqlite3_column_int64(st, 5);
		return;
	}
	struct mlc_kv **arr = kind == 'p' ? &run->params : &run->tags;
	size_t *n = kind == 'p' ? &run->n_params : &run->n_tags;
	struct mlc_kv *kv = arena_grow(a, (void **)arr, cap, (*n)++, sizeof *kv);
	kv->key = sql_col_str(a, st, 1);
	kv->value = sql_col_str(a, st, 2);
}

/* Attach the values of kind to the runs of at (rows come grouped by run,
 * sorted by key). */
static int attach_kind(struct registry *r, const struct attach *at, char kind,
		       struct mlc_error *err)
{
	sqlite3_stmt *st = values_stmt(r, at, kind, err);
	struct mlc_run *run = NULL;
	size_t cap = 0;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (id == NULL)
			continue;
		if (run == NULL || strcmp(run->run_id, id) != 0) {
			run = slot_run(at, id);
			cap = 0;
		}
		if (run != NULL)
			add_value(&at->out->arena, run, kind, st, &cap);
	}
	return step_done(r, st, rc, err);
}

/* Attach params, tags and latest metrics to every run of out: all of them,
 * or (lean) only those q->columns names. */
static int attach_values(struct registry *r, struct mlc_run_list *out, int64_t eid,
			 const char *run_id, const struct mlc_run_query *q, struct mlc_error *err)
{
	static const char kinds[] = {'p', 't', 'm'};
	struct attach at = {out, NULL, eid, run_id, NULL, 0};
	int ret = 0;

	if (out->n == 0)
		return 0;
	at.slots = xmalloc(out->n * sizeof *at.slots);
	at.keys = xmalloc(((q && q->lean ? q->n_columns : 0) + 1) * sizeof *at.keys);
	for (size_t i = 0; i < out->n; i++)
		at.slots[i] = (struct run_slot){out->items[i].run_id, i};
	qsort(at.slots, out->n, sizeof *at.slots, cmp_slot);
	for (size_t k = 0; k < sizeof kinds && ret == 0; k++) {
		const char *key;
		at.n_keys = 0;
		for (size_t c = 0; q && q->lean && c < q->n_columns; c++)
			if (mlc_column_kind(q->columns[c], &key) == kinds[k])
				at.keys[at.n_keys++] = key;
		if (q && q->lean && at.n_keys == 0)
			continue;
		ret = attach_kind(r, &at, kinds[k], err);
	}
	free(at.keys);
	free(at.slots);
	return ret;
}

/* ---- runs: operations --------------------------------------------------- */

/* Build the SQL of a run search of experiment ?1 (?2: include deleted). */
static int runs_sql(const struct msql *m, const struct mlc_run_query *q, const struct filter *f,
		    const struct order_list *o, struct strbuf *sql, struct sql_args *args,
		    struct mlc_error *err)
{
	run_select(m, sql);
	sb_add(sql, "WHERE r.experiment_id = ?1 AND (?2 OR r.lifecycle_stage = 'active') AND (");
	if (filter_sql(m, f, FILTER_RUNS, sql, args, err) < 0)
		return -1;
	sb_add(sql, ") ORDER BY ");
	if (order_sql(m, o, sql, args, err) < 0)
		return -1;
	if (q->limit > 0)
		sb_printf(sql, " LIMIT %lld", (long long)q->limit);
	return 0;
}

/* Runs of an experiment matching q's filter, in q's order (default newest first). */
static int msql_list_runs(struct registry *r, const struct mlc_run_query *q,
			  struct mlc_run_list *out, struct mlc_error *err)
{
	struct strbuf sql = {0};
	struct sql_args args = {0};
	struct order_list order = {0};
	struct filter *f = NULL;
	sqlite3_stmt *st = NULL;
	int64_t eid;
	int ret = -1;

	if (experiment_ref(r, q->experiment, &eid, err) < 0 ||
	    (f = filter_parse(q->filter, FILTER_RUNS, err)) == NULL)
		return -1;
	if (order_parse(q->order_by, FILTER_RUNS, &order, err) < 0 ||
	    runs_sql(IMPL(r), q, f, &order, &sql, &args, err) < 0 ||
	    (st = prep(r, sb_str(&sql), err)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, eid);
	sqlite3_bind_int(st, 2, q->all ? 1 : 0);
	if (sql_args_bind(st, &args, 3) != 0) {
		db_error(r, err);
		sqlite3_finalize(st);
		goto out;
	}
	if (collect_runs(r, st, out, err) == 0)
		ret = attach_values(r, out, eid, NULL, q, err);
out:
	sb_free(&sql);
	sql_args_free(&args);
	order_free(&order);
	filter_free(f);
	return ret;
}

/* One run by id or by a unique prefix of at least 8 characters. */
static int msql_get_run(struct registry *r, const char *run_id, struct mlc_run_list *out,
			struct mlc_error *err)
{
	if (find_run(r, run_id, out, err) < 0)
		return -1;
	return attach_values(r, out, 0, out->items[0].run_id, NULL, err);
}

/* The datasets run run_id used: its inputs from datasets, with their
 * mlflow.data.context tag; none in a store older than datasets. */
static int msql_run_inputs(struct registry *r, const char *run_id, struct mlc_input_list *out,
			   struct mlc_error *err)
{
	sqlite3_stmt *st;

	if (!IMPL(r)->has_inputs)
		return 0;
	st = prep(r,
		  "SELECT d.name, d.digest, coalesce(t.value, ''), d.dataset_source_type,"
		  " d.dataset_source, coalesce(d.dataset_schema, ''),"
		  " coalesce(d.dataset_profile, '') FROM inputs i"
		  " JOIN datasets d ON d.dataset_uuid = i.source_id"
		  " LEFT JOIN input_tags t ON t.input_uuid = i.input_uuid"
		  " AND t.name = 'mlflow.data.context'"
		  " WHERE i.destination_type = 'RUN' AND i.destination_id = ?1"
		  " AND i.source_type = 'DATASET'",
		  err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	return sql_collect_inputs(DB(r), r->display, st, out, err);
}

/* Read the points of st (step, timestamp, value, is_nan) into out. */
static int collect_points(struct registry *r, sqlite3_stmt *st, const char *key,
			  struct mlc_metric_list *out, struct mlc_error *err)
{
	const char *k = arena_strdup(&out->arena, key);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_metric *pt = MLC_LIST_PUSH(out);
		pt->key = k;
		pt->step = sqlite3_column_int64(st, 0);
		pt->timestamp = sqlite3_column_int64(st, 1);
		pt->value = metric_value(st, 2, 3);
	}
	return step_done(r, st, rc, err);
}

/* A metric's whole history, by step then timestamp (duplicates included). */
static int msql_metric_history(struct registry *r, const char *run_id, const char *key,
			       struct mlc_metric_list *out, struct mlc_error *err)
{
	struct msql *m = IMPL(r);
	struct mlc_run_list run = {0};
	sqlite3_stmt *st;
	char *sql;
	size_t first = out->n;
	int ret = -1;

	if (find_run(r, run_id, &run, err) < 0)
		goto out;
	sql = xasprintf("SELECT %s, timestamp, value, %s FROM metrics WHERE run_uuid = ?"
			" AND key = ? ORDER BY 1, 2, 4 DESC, 3",
			m->step, m->is_nan);
	st = prep(r, sql, err);
	free(sql);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, run.items[0].run_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	if ((ret = collect_points(r, st, key, out, err)) == 0 && out->n == first)
		ret = mlc_error_set(err, MLC_ERR_NOTFOUND, "metric '%s': not logged by run %s", key,
				    run.items[0].run_id);
out:
	MLC_LIST_FREE(&run);
	return ret;
}

/* Read the single-column rows of st into a sorted arena array. */
static int collect_keys(struct registry *r, sqlite3_stmt *st, struct mlc_arena *a,
			const char ***arr, size_t *n, struct mlc_error *err)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*(const char **)arena_grow(a, (void **)arr, &cap, (*n)++, sizeof(char *)) =
		    sql_col_str(a, st, 0);
	return step_done(r, st, rc, err);
}

/* Every metric, param and tag key of an experiment's runs (or, with newest,
 * of its newest active runs only). */
static int msql_experiment_keys(struct registry *r, const char *experiment, int64_t newest,
				struct mlc_keys *out, struct mlc_error *err)
{
	const char *const from[] = {IMPL(r)->keys_src, "params", "tags"};
	const char ***lists[] = {&out->metrics, &out->params, &out->tags};
	size_t *counts[] = {&out->n_metrics, &out->n_params, &out->n_tags};
	int64_t eid;

	if (experiment_ref(r, experiment, &eid, err) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		char *sql = xasprintf(
		    "SELECT DISTINCT key FROM %s WHERE run_uuid IN (SELECT run_uuid FROM runs"
		    " WHERE experiment_id = ?1 AND (?2 <= 0 OR lifecycle_stage = 'active')"
		    " ORDER BY start_time DESC, run_uuid LIMIT CASE WHEN ?2 > 0 THEN ?2 ELSE -1 "
		    "END)"
		    " ORDER BY key",
		    from[i]);
		sqlite3_stmt *st = prep(r, sql, err);
		free(sql);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, eid);
		sqlite3_bind_int64(st, 2, newest);
		if (collect_keys(r, st, &out->arena, lists[i], counts[i], err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the model registry ------------------------------------------------- */

/* Attach each model's aliases and tags (one prepared statement each). */
static int attach_model_extras(struct registry *r, struct mlc_model_list *out,
			       struct mlc_error *err)
{
	struct msql *m = IMPL(r);
	sqlite3_stmt *al = NULL, *tg = NULL;
	int ret = -1;

	if ((m->has_aliases && (al = prep(r,
					  "SELECT alias, CAST(version AS TEXT) FROM"
					  " registered_model_aliases WHERE name = ? ORDER BY alias",
					  err)) == NULL) ||
	    (m->has_model_tags && (tg = prep(r,
					     "SELECT key, value FROM registered_model_tags"
					     " WHERE name = ? ORDER BY key",
					     err)) == NULL))
		goto out;
	for (size_t i = 0; i < out->n; i++) {
		struct mlc_model *mo = &out->items[i];
		size_t cap = 0;
		if (al) {
			sqlite3_bind_text(al, 1, mo->name, -1, SQLITE_STATIC);
			while (sqlite3_step(al) == SQLITE_ROW) {
				struct mlc_alias *a = arena_grow(&out->arena, (void **)&mo->aliases,
								 &cap, mo->n_aliases++, sizeof *a);
				a->alias = sql_col_str(&out->arena, al, 0);
				a->version = sql_col_str(&out->arena, al, 1);
			}
			sqlite3_reset(al);
		}
		if (tg) {
			sqlite3_bind_text(tg, 1, mo->name, -1, SQLITE_STATIC);
			mo->tags = load_kv(&out->arena, tg, &mo->n_tags);
		}
	}
	ret = 0;
out:
	sqlite3_finalize(al);
	sqlite3_finalize(tg);
	return ret;
}

/* Registered models matching filter (MLflow syntax), by name. */
static int msql_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
			    struct mlc_error *err)
{
	struct strbuf sql = {0};
	struct sql_args args = {0};
	struct filter *f = filter_parse(filter, FILTER_MODELS, err);
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (f == NULL)
		return -1;
	sb_add(&sql, "SELECT m.name, m.description, coalesce(m.creation_time, 0),"
		     " coalesce(m.last_updated_time, 0), (SELECT count(*) FROM model_versions v"
		     " WHERE v.name = m.name AND " LIVE_VERSION "), (SELECT CAST(max(v.version) AS"
		     " TEXT) FROM model_versions v WHERE v.name = m.name AND " LIVE_VERSION ")"
		     " FROM registered_models m WHERE ");
	if (filter_sql(IMPL(r), f, FILTER_MODELS, &sql, &args, err) < 0)
		goto out;
	sb_add(&sql, " ORDER BY m.name");
	if ((st = prep(r, sb_str(&sql), err)) == NULL)
		goto out;
	if (sql_args_bind(st, &args, 1) != 0) {
		db_error(r, err);
		sqlite3_finalize(st);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_model *mo = MLC_LIST_PUSH(out);
		mo->name = sql_col_str(&out->arena, st, 0);
		mo->description = sql_col_str(&out->arena, st, 1);
		mo->creation_time = sqlite3_column_int64(st, 2);
		mo->last_updated_time = sqlite3_column_int64(st, 3);
		mo->n_versions = sqlite3_column_int64(st, 4);
		mo->latest_version = sql_col_str(&out->arena, st, 5);
	}
	if (step_done(r, st, rc, err) == 0)
		ret = attach_model_extras(r, out, err);
out:
	sb_free(&sql);
	sql_args_free(&args);
	filter_free(f);
	return ret;
}

/* The version columns collect_versions reads. */
#define VERSION_SELECT                                                                             \
	"SELECT v.name, CAST(v.version AS TEXT), v.source, v.run_id, v.status,"                    \
	" coalesce(v.current_stage, 'None'), v.description, v.user_id,"                            \
	" coalesce(v.creation_time, 0), coalesce(v.last_updated_time, 0)"                          \
	" FROM model_versions v WHERE " LIVE_VERSION " AND "

/* Give version v its aliases (al) and tags (tg), either statement may be NULL. */
static void version_extras(struct mlc_arena *a, struct mlc_version *v, sqlite3_stmt *al,
			   sqlite3_stmt *tg)
{
	size_t cap = 0;

	if (al) {
		sqlite3_bind_text(al, 1, v->model, -1, SQLITE_STATIC);
		sqlite3_bind_text(al, 2, v->version, -1, SQLITE_STATIC);
		while (sqlite3_step(al) == SQLITE_ROW)
			*(const char **)arena_grow(a, (void **)&v->aliases, &cap, v->n_aliases++,
						   sizeof(char *)) = sql_col_str(a, al, 0);
		sqlite3_reset(al);
	}
	if (tg) {
		sqlite3_bind_text(tg, 1, v->model, -1, SQLITE_STATIC);
		sqlite3_bind_text(tg, 2, v->version, -1, SQLITE_STATIC);
		v->tags = load_kv(a, tg, &v->n_tags);
	}
}

/* Read the rows of st (VERSION_SELECT) into out with aliases and tags; finalizes st. */
static int collect_versions(struct registry *r, sqlite3_stmt *st, struct mlc_version_list *out,
			    struct mlc_error *err)
{
	struct msql *m = IMPL(r);
	sqlite3_stmt *al = NULL, *tg = NULL;
	int rc;

	if (m->has_aliases)
		al = prep(r,
			  "SELECT alias FROM registered_model_aliases WHERE name = ?"
			  " AND CAST(version AS TEXT) = ? ORDER BY alias",
			  err);
	if (m->has_version_tags)
		tg = prep(r,
			  "SELECT key, value FROM model_version_tags WHERE name = ?"
			  " AND CAST(version AS TEXT) = ? ORDER BY key",
			  err);
	if ((m->has_aliases && al == NULL) || (m->has_version_tags && tg == NULL)) {
		sqlite3_finalize(al);
		sqlite3_finalize(tg);
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_version *v = MLC_LIST_PUSH(out);
		v->model = sql_col_str(&out->arena, st, 0);
		v->version = sql_col_str(&out->arena, st, 1);
		v->source = sql_col_str(&out->arena, st, 2);
		v->run_id = sql_col_str(&out->arena, st, 3);
		v->status = sql_col_str(&out->arena, st, 4);
		v->stage = sql_col_str(&out->arena, st, 5);
		v->description = sql_col_str(&out->arena, st, 6);
		v->user_id = sql_col_str(&out->arena, st, 7);
		v->creation_time = sqlite3_column_int64(st, 8);
		v->last_updated_time = sqlite3_column_int64(st, 9);
		version_extras(&out->arena, v, al, tg);
	}
	sqlite3_finalize(al);
	sqlite3_finalize(tg);
	return step_done(r, st, rc, err);
}

/* 1 if model name is registered, 0 (err filled) if not, -1 on error. */
static int model_exists(struct registry *r, const char *name, struct mlc_error *err)
{
	int64_t one;
	int rc = sql_int(DB(r), r->display, &one, err,
			 "SELECT 1 FROM registered_models WHERE name = ?", "s", name);

	if (rc == 0)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': not found in %s", name,
			      r->display);
	return rc;
}

/* Versions of a model, highest first, with their aliases and tags. */
static int msql_list_versions(struct registry *r, const char *model, struct mlc_version_list *out,
			      struct mlc_error *err)
{
	sqlite3_stmt *st;

	if (model_exists(r, model, err) <= 0)
		return -1;
	st = prep(r, VERSION_SELECT "v.name = ? ORDER BY v.version DESC", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	return collect_versions(r, st, out, err);
}

/* Model versions registered from a run (id or unique prefix). */
static int msql_versions_for_run(struct registry *r, const char *run_id,
				 struct mlc_version_list *out, struct mlc_error *err)
{
	struct mlc_run_list run = {0};
	sqlite3_stmt *st = NULL;

	if (find_run(r, run_id, &run, err) == 0 &&
	    (st = prep(r, VERSION_SELECT "v.run_id = ? ORDER BY v.name, v.version DESC", err)))
		sqlite3_bind_text(st, 1, run.items[0].run_id, -1, SQLITE_TRANSIENT);
	MLC_LIST_FREE(&run);
	return st ? collect_versions(r, st, out, err) : -1;
}

/* ---- opening and closing ------------------------------------------------ */

/* Close the database and free the backend state. */
static void msql_close(struct registry *r)
{
	struct msql *m = r->impl;

	sqlite3_close(m->db);
	free(m->run_name);
	free(m->latest);
	free(m->path);
	free(m);
}

static const struct registry_ops mlflowsql_ops = {
    .kind = "mlflow-sql",
    .close = msql_close,
    .list_models = msql_list_models,
    .list_versions = msql_list_versions,
    .list_experiments = msql_list_experiments,
    .list_runs = msql_list_runs,
    .get_run = msql_get_run,
    .metric_history = msql_metric_history,
    .experiment_keys = msql_experiment_keys,
    .versions_for_run = msql_versions_for_run,
    .run_inputs = msql_run_inputs,
    .get_experiment = msql_get_experiment,
};

/* Open path read-only and check it holds MLflow's tables; NULL with err filled. */
static sqlite3 *open_store(const char *path, struct mlc_error *err)
{
	static const char *const needed[] = {"experiments", "runs", "registered_models",
					     "model_versions"};
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path,
			      db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000); /* MLflow may be writing it right now */
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		if (!has_table(db, needed[i])) {
			mlc_error_set(
			    err, MLC_ERR_FAILED,
			    "%s: MLflow's own SQL store without a %s table (unfinished?); "
			    "it is never migrated or written, and cannot be read",
			    path, needed[i]);
			sqlite3_close(db);
			return NULL;
		}
	}
	if (filter_register_sql(db) < 0) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

struct registry *registry_mlflowsql_open(const char *path, const struct registry_open_opts *opts,
					 struct mlc_error *err)
{
	sqlite3 *db = open_store(path, err);
	char *abs;
	struct msql *m;
	struct registry *r;

	(void)opts; /* read-only whatever is asked; never created or migrated */
	if (db == NULL)
		return NULL;
	abs = realpath(path, NULL);
	m = xcalloc(1, sizeof *m);
	m->db = db;
	m->path = abs ? abs : xstrdup(path);
	detect_schema(m);
	r = xcalloc(1, sizeof *r);
	r->ops = &mlflowsql_ops;
	r->uri = xasprintf("sqlite:///%s", m->path);
	r->display = xstrdup(m->path);
	r->caps = 0;
	r->read_only = 1;
	r->impl = m;
	return r;
}
