/* sqlite_window.c: windows of an experiment's runs for the console's tables
 * (registry.h, mlc_run_query.window) on the local registry — the rows a screen
 * shows plus a margin, in the table's order, by index walks from the last row
 * the table holds (keyset pagination, never OFFSET) — and the count of the runs
 * a filter and a "/" text match. The cost follows the window, not the
 * experiment: a page of 1,000,000 runs reads about as many rows as it returns.
 *
 * The order is one key (or none: newest first), ties newest first (start time
 * descending, then run id), as the full listing orders them. A metric, param or
 * tag key splits the runs in two stages: those with a value, walked by the
 * key's index in its direction, then those without one (a NaN metric counts as
 * none), newest first. Backward windows walk both the other way round. */
#include "config.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "sqlite_impl.h"
#include "strbuf.h"
#include "xmalloc.h"

/* The order's key, as SQL sees it. */
struct wkey {
	char kind;	 /* 0: none (newest first); 'a' attribute; 'm', 'p', 't' */
	const char *col; /* an attribute's column */
	const char *key; /* a metric's, param's or tag's key */
	int desc;
};

/* Where the anchor run sits in the order. */
struct anchor {
	int found;
	int has; /* it has a value of the key (the first stage) */
	int is_text;
	double num;
	char *text;
	int64_t start;
	char *uuid;
};

static const struct {
	const char *name, *col;
} attr_cols[] = {
    {"run_id", "r.run_uuid"},	  {"run_name", "r.run_name"},	{"run name", "r.run_name"},
    {"status", "r.status"},	  {"start_time", "r.start_time"}, {"created", "r.start_time"},
    {"Created", "r.start_time"}, {"user_id", "r.user_id"},
};

/* Tables of the value stage (v is the value's row), its key condition. */
static const char *const stage_from[] = {
    "latest_metrics v CROSS JOIN runs r ON r.id = v.run_id",
    "params v CROSS JOIN runs r ON r.id = v.run_id",
    "run_tags v CROSS JOIN runs r ON r.id = v.run_id",
};
static const char *const has_value[] = {
    "v.key_id = (SELECT id FROM metric_keys WHERE key = ?) AND v.is_nan = 0",
    "v.key = ?",
    "v.key = ?",
};
static const char *const no_value[] = {
    "NOT EXISTS (SELECT 1 FROM latest_metrics v WHERE v.run_id = r.id"
    " AND v.key_id = (SELECT id FROM metric_keys WHERE key = ?) AND v.is_nan = 0)",
    "NOT EXISTS (SELECT 1 FROM params v WHERE v.run_id = r.id AND v.key = ?)",
    "NOT EXISTS (SELECT 1 FROM run_tags v WHERE v.run_id = r.id AND v.key = ?)",
};
/* The value of run r, for the anchor. */
static const char *const value_of[] = {
    "(SELECT v.value FROM latest_metrics v WHERE v.run_id = r.id"
    " AND v.key_id = (SELECT id FROM metric_keys WHERE key = ?) AND v.is_nan = 0)",
    "(SELECT v.value FROM params v WHERE v.run_id = r.id AND v.key = ?)",
    "(SELECT v.value FROM run_tags v WHERE v.run_id = r.id AND v.key = ?)",
};

static int kind_index(char kind)
{
	return kind == 'm' ? 0 : kind == 'p' ? 1 : 2;
}

/* The order's one key from q->order_by. */
static int parse_key(const struct mlc_run_query *q, struct order_list *o, struct wkey *k,
		     struct mlc_error *err)
{
	memset(k, 0, sizeof *k);
	if (order_parse(q->order_by, FILTER_RUNS, o, err) < 0)
		return -1;
	if (o->n == 0)
		return 0;
	if (o->n > 1)
		return mlc_error_set(err, MLC_ERR_USAGE, "a window is ordered by one key, not %zu",
				     o->n);
	k->desc = o->keys[0].desc;
	k->key = o->keys[0].key;
	switch (o->keys[0].kind) {
	case FK_METRIC: k->kind = 'm'; return 0;
	case FK_PARAM: k->kind = 'p'; return 0;
	case FK_TAG: k->kind = 't'; return 0;
	default: break;
	}
	for (size_t i = 0; i < sizeof attr_cols / sizeof attr_cols[0]; i++)
		if (strcmp(attr_cols[i].name, k->key) == 0) {
			k->kind = 'a';
			k->col = attr_cols[i].col;
			return 0;
		}
	return mlc_error_set(err, MLC_ERR_USAGE, "cannot order a window by '%s'", k->key);
}

/* ---- the "/" text --------------------------------------------------------- */

/* Append the condition for text (NULL or "": none) over the runs' own fields
 * and q's columns: the table's cells as drawn (metrics with %.4g, the start
 * time to the minute) and the full run id. */
static void text_sql(const struct mlc_run_query *q, struct strbuf *sb, struct sql_args *a)
{
	static const char *const own[] = {
	    "instr(lower(r.run_uuid), ?)", "instr(lower(r.run_name), ?)",
	    "instr(lower(r.user_id), ?)", "instr(lower(r.status), ?)",
	    "instr(strftime('%Y-%m-%d %H:%M', r.start_time / 1000, 'unixepoch', 'localtime'), ?)"};
	const char *t = q->text ? q->text : "";
	int invert = t[0] == '!';
	char *low;
	const char *key;

	if (invert)
		t++;
	if (*t == '\0')
		return;
	low = xstrdup(t);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	sb_add(sb, invert ? " AND NOT (" : " AND (");
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
		sb_printf(sb, "%s%s", i ? " OR " : "", own[i]);
		sql_args_text(a, low);
	}
	for (size_t i = 0; i < q->n_columns; i++) {
		char kind = mlc_column_kind(q->columns[i], &key);
		if (kind == 'm')
			sb_add(sb, " OR EXISTS (SELECT 1 FROM latest_metrics x WHERE x.run_id = r.id"
				   " AND x.key_id = (SELECT id FROM metric_keys WHERE key = ?)"
				   " AND instr(lower(CASE WHEN x.is_nan THEN 'NaN'"
				   " ELSE printf('%.4g', x.value) END), ?))");
		else if (kind)
			sb_printf(sb, " OR EXISTS (SELECT 1 FROM %s x WHERE x.run_id = r.id"
				      " AND x.key = ? AND instr(lower(x.value), ?))",
				  kind == 'p' ? "params" : "run_tags");
		if (kind) {
			sql_args_text(a, key);
			sql_args_text(a, low);
		}
	}
	sb_addc(sb, ')');
	free(low);
}

/* ---- statements ----------------------------------------------------------- */

/* Prepare sb with its arguments a bound. */
static sqlite3_stmt *prepare(struct registry *r, struct strbuf *sb, struct sql_args *a,
			     struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, sb_str(sb), err);

	if (st != NULL && sql_args_bind(st, a, 1) != 0) {
		sq_error(r, err);
		sqlite3_finalize(st);
		st = NULL;
	}
	return st;
}

/* Append "FROM ... WHERE" for experiment eid, q's filter f and text. */
static int where_sql(const struct mlc_run_query *q, int64_t eid, const struct filter *f,
		     const char *from, struct strbuf *sb, struct sql_args *a, struct mlc_error *err)
{
	sb_printf(sb, " FROM %s JOIN experiments e ON e.id = r.experiment_id"
		      " WHERE r.experiment_id = %lld%s AND (",
		  from, (long long)eid, q->all ? "" : " AND r.lifecycle_stage = 'active'");
	if (filter_to_sql(f, FILTER_RUNS, sb, a, err) < 0)
		return -1;
	sb_addc(sb, ')');
	text_sql(q, sb, a);
	return 0;
}

/* Append the tree's top level (q->tree): runs whose parent tag names no run
 * the query matches but themselves. The inner query's runs are r too, so the
 * filter and the text apply to the parent as they do to any run; it is one
 * lookup by run id per run walked. */
static int roots_sql(const struct mlc_run_query *q, int64_t eid, const struct filter *f,
		     struct strbuf *sb, struct sql_args *a, struct mlc_error *err)
{
	sb_add(sb, " AND NOT EXISTS (SELECT 1 FROM run_tags pt WHERE pt.run_id = r.id"
		   " AND pt.key = '" MLC_TAG_PARENT "' AND pt.value <> r.run_uuid"
		   " AND EXISTS (SELECT 1");
	if (where_sql(q, eid, f, "runs r", sb, a, err) < 0)
		return -1;
	sb_add(sb, " AND r.run_uuid = pt.value))");
	return 0;
}

/* Append "(t0, t1, ...) after the anchor's (v0, v1, ...)" in the terms'
 * directions: t0 beyond v0, or equal and t1 beyond v1, and so on; the last
 * term may equal its value when inclusive. */
static void after_sql(struct strbuf *sb, const char *const *terms, const int *desc, size_t n,
		      int inclusive)
{
	/* the first term's bound alone too: the index walk starts there */
	sb_printf(sb, " AND %s %s= ?", terms[0], desc[0] ? "<" : ">");
	sb_add(sb, " AND (");
	for (size_t i = 0; i < n; i++) {
		const char *op = desc[i] ? "<" : ">";
		if (i + 1 == n)
			sb_printf(sb, "%s %s%s ?", terms[i], op, inclusive ? "=" : "");
		else
			sb_printf(sb, "%s %s ? OR (%s = ? AND (", terms[i], op, terms[i]);
	}
	for (size_t i = 0; i + 1 < n; i++)
		sb_add(sb, "))");
	sb_addc(sb, ')');
}

/* Bind the anchor's values for after_sql's terms: the first term's bound,
 * then the key's value (when with_value), twice but for the last term, start
 * time likewise, and run id. */
static void anchor_args(struct sql_args *a, const struct anchor *an, int with_value, size_t n)
{
	size_t i = 0;

	if (with_value && an->is_text) /* the first term's bound (after_sql) */
		sql_args_text(a, an->text);
	else if (with_value)
		sql_args_real(a, an->num);
	else
		sql_args_int(a, an->start);
	if (with_value) {
		for (int k = 0; k < (i + 1 == n ? 1 : 2); k++) {
			if (an->is_text)
				sql_args_text(a, an->text);
			else
				sql_args_real(a, an->num);
		}
		i++;
	}
	for (int k = 0; k < (i + 1 == n ? 1 : 2); k++)
		sql_args_int(a, an->start);
	sql_args_text(a, an->uuid);
}

/* One stage of a window: the runs of from (with cond, which binds the key),
 * in the order term (NULL: only the ties), newest first. */
struct stage {
	const char *from, *cond, *term;
	int term_desc;
};

/* Append to out (and ids) at most limit runs of stage s after the anchor
 * (NULL: from the stage's start), or backward before it, nearest first. */
static int run_stage(struct registry *r, const struct mlc_run_query *q, int64_t eid,
		     const struct filter *f, const struct wkey *k, const struct stage *s,
		     const struct anchor *an, int backward, int64_t limit, struct mlc_run_list *out,
		     int64_t **ids, size_t *idcap, struct mlc_error *err)
{
	struct strbuf sb = {0};
	struct sql_args a = {0};
	const char *terms[3];
	int desc[3];
	size_t n = 0;
	sqlite3_stmt *st;
	int rc = -1;

	if (s->term) {
		terms[n] = s->term;
		desc[n++] = s->term_desc != backward;
	}
	terms[n] = "r.start_time";
	desc[n++] = !backward;
	terms[n] = "r.run_uuid";
	desc[n++] = backward;
	sb_add(&sb, "SELECT " RUN_COLUMNS);
	if (where_sql(q, eid, f, s->from, &sb, &a, err) < 0 ||
	    (q->tree && roots_sql(q, eid, f, &sb, &a, err) < 0))
		goto out;
	if (s->cond) {
		sb_printf(&sb, " AND %s", s->cond);
		sql_args_text(&a, k->key);
	}
	if (an) {
		after_sql(&sb, terms, desc, n, q->inclusive && !backward);
		anchor_args(&a, an, s->term != NULL, n);
	}
	sb_add(&sb, " ORDER BY ");
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s%s%s", i ? ", " : "", terms[i], desc[i] ? " DESC" : "");
	sb_printf(&sb, " LIMIT %lld", (long long)limit);
	if ((st = prepare(r, &sb, &a, err)) != NULL)
		rc = sq_collect_runs(r, st, out, ids, idcap, err);
out:
	sb_free(&sb);
	sql_args_free(&a);
	return rc;
}

/* Find run id q->after in the order: its value of the key, start time, id. */
static int find_anchor(struct registry *r, const struct mlc_run_query *q, const struct wkey *k,
		       struct anchor *an, struct mlc_error *err)
{
	struct strbuf sb = {0};
	sqlite3_stmt *st;
	int rc;

	memset(an, 0, sizeof *an);
	sb_printf(&sb, "SELECT r.start_time, r.run_uuid, %s FROM runs r WHERE r.run_uuid = ?",
		  k->kind == 'a' ? k->col : k->kind ? value_of[kind_index(k->kind)] : "NULL");
	st = sq_prep(r, sb_str(&sb), err);
	sb_free(&sb);
	if (st == NULL)
		return -1;
	if (k->kind && k->kind != 'a')
		sqlite3_bind_text(st, 1, k->key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k->kind && k->kind != 'a' ? 2 : 1, q->after, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		an->found = 1;
		an->start = sqlite3_column_int64(st, 0);
		an->uuid = xstrdup((const char *)sqlite3_column_text(st, 1));
		an->has = sqlite3_column_type(st, 2) != SQLITE_NULL;
		an->is_text = sqlite3_column_type(st, 2) == SQLITE_TEXT;
		if (an->is_text)
			an->text = xstrdup((const char *)sqlite3_column_text(st, 2));
		else
			an->num = sqlite3_column_double(st, 2);
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return sq_error(r, err);
	}
	sqlite3_finalize(st);
	if (!an->found)
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "run '%s': not found in %s", q->after,
				     PATH(r));
	return 0;
}

/* 1 when no run of the registry lacks a value of k's key, so that the no-value
 * stage is empty whatever the filter: every run has a row for the key and none
 * is a NaN. Two index counts, where looking for such runs reads them all. */
static int every_run_has(struct registry *r, const struct wkey *k)
{
	static const char *const sql[] = {
	    "SELECT (SELECT count(*) FROM runs) = (SELECT count(*) FROM latest_metrics"
	    " WHERE key_id = (SELECT id FROM metric_keys WHERE key = ?1))"
	    " AND NOT EXISTS (SELECT 1 FROM latest_metrics WHERE is_nan = 1"
	    " AND key_id = (SELECT id FROM metric_keys WHERE key = ?1))",
	    "SELECT (SELECT count(*) FROM runs) = (SELECT count(*) FROM params WHERE key = ?1)",
	    "SELECT (SELECT count(*) FROM runs) = (SELECT count(*) FROM run_tags WHERE key = ?1)",
	};
	struct mlc_error err = {0};
	sqlite3_stmt *st = sq_prep(r, sql[kind_index(k->kind)], &err);
	int all = 0;

	if (st == NULL)
		return 0; /* then the stage is walked: slower, never wrong */
	sqlite3_bind_text(st, 1, k->key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		all = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return all;
}

/* The stages of k's order: one, or a value stage and a no-value stage. */
static size_t stages(const struct wkey *k, struct stage *s)
{
	if (k->kind == 0) {
		s[0] = (struct stage){"runs r", NULL, NULL, 0};
		return 1;
	}
	if (k->kind == 'a') {
		s[0] = (struct stage){"runs r", NULL, k->col, k->desc};
		return 1;
	}
	s[0] = (struct stage){stage_from[kind_index(k->kind)], has_value[kind_index(k->kind)],
			      "v.value", k->desc};
	s[1] = (struct stage){"runs r", no_value[kind_index(k->kind)], NULL, 0};
	return 2;
}

/* ---- the tree (q->tree) ---------------------------------------------------- */

/* Append the order of the window's key for one sort of a few runs: the runs
 * with a value first, in the key's direction, then newest first, as the
 * stages walk them (binds the key twice). */
static void order_sql(const struct wkey *k, struct strbuf *sb, struct sql_args *a)
{
	sb_add(sb, " ORDER BY ");
	if (k->kind == 'a')
		sb_printf(sb, "%s%s, ", k->col, k->desc ? " DESC" : "");
	else if (k->kind) {
		const char *v = value_of[kind_index(k->kind)];
		sb_printf(sb, "%s IS NULL, %s%s, ", v, v, k->desc ? " DESC" : "");
		sql_args_text(a, k->key);
		sql_args_text(a, k->key);
	}
	sb_add(sb, "r.start_time DESC, r.run_uuid");
}

/* Append to out (and ids) the runs the query matches whose parent is run
 * parent, in the window's order: by the parent tags' index (ix_run_tags_key),
 * then one sort of those few. */
static int children(struct registry *r, const struct mlc_run_query *q, int64_t eid,
		    const struct filter *f, const struct wkey *k, const char *parent,
		    struct mlc_run_list *out, int64_t **ids, size_t *idcap, struct mlc_error *err)
{
	struct strbuf sb = {0};
	struct sql_args a = {0};
	sqlite3_stmt *st;
	int rc = -1;

	sb_add(&sb, "SELECT " RUN_COLUMNS);
	if (where_sql(q, eid, f, "run_tags pt CROSS JOIN runs r ON r.id = pt.run_id", &sb, &a,
		      err) < 0)
		goto out;
	sb_add(&sb, " AND pt.key = '" MLC_TAG_PARENT "' AND pt.value = ? AND r.run_uuid <> ?");
	sql_args_text(&a, parent);
	sql_args_text(&a, parent);
	order_sql(k, &sb, &a);
	if ((st = prepare(r, &sb, &a, err)) != NULL)
		rc = sq_collect_runs(r, st, out, ids, idcap, err);
out:
	sb_free(&sb);
	sql_args_free(&a);
	return rc;
}

/* Put out's runs from start (the top level, then the children each query
 * appended, parent[i] the index of run i's parent) in the tree's order:
 * each run followed by its children's families, depth first. */
static void depth_first(struct mlc_run_list *out, int64_t *ids, size_t start, const size_t *parent)
{
	size_t n = out->n - start, k = 0, *order = xmalloc((n ? n : 1) * sizeof *order);
	size_t *first = xmalloc((n ? n : 1) * sizeof *first),
	       *end = xmalloc((n ? n : 1) * sizeof *end);
	struct mlc_run *runs = xmalloc((n ? n : 1) * sizeof *runs);
	int64_t *rid = xmalloc((n ? n : 1) * sizeof *rid);
	size_t *stack = xmalloc((n ? n : 1) * sizeof *stack), top = 0;

	/* each run's children are appended together: [first, end) */
	for (size_t i = 0; i < n; i++)
		first[i] = end[i] = 0;
	for (size_t i = n; i-- > 0;)
		if (parent[i] != (size_t)-1) {
			if (end[parent[i]] == 0)
				end[parent[i]] = i + 1;
			first[parent[i]] = i;
		}
	for (size_t i = n; i-- > 0;)
		if (parent[i] == (size_t)-1)
			stack[top++] = i;
	while (top > 0) {
		size_t x = stack[--top];
		order[k++] = x;
		for (size_t c = end[x]; c-- > first[x];)
			stack[top++] = c;
	}
	for (size_t i = 0; i < n; i++) {
		runs[i] = out->items[start + order[i]];
		if (ids)
			rid[i] = ids[start + order[i]];
	}
	memcpy(out->items + start, runs, n * sizeof *runs);
	if (ids)
		memcpy(ids + start, rid, n * sizeof *rid);
	free(order);
	free(first);
	free(end);
	free(runs);
	free(rid);
	free(stack);
}

/* Set the parent of runs [from, to) of a list from start to p. */
static void set_parents(size_t **parent, size_t *cap, size_t start, size_t from, size_t to,
			size_t p)
{
	if (*cap < to - start) {
		*cap = (to - start) * 2;
		*parent = xrealloc(*parent, *cap * sizeof **parent);
	}
	for (size_t c = from; c < to; c++)
		(*parent)[c - start] = p;
}

/* The families of the top-level runs out holds from start: every run's
 * children, a query each, then the whole put in the tree's order. A family
 * comes whole: the window counts its top-level runs. */
static int add_families(struct registry *r, const struct mlc_run_query *q, int64_t eid,
			const struct filter *f, const struct wkey *k, size_t start,
			struct mlc_run_list *out, int64_t **ids, size_t *idcap,
			struct mlc_error *err)
{
	size_t *parent = NULL, cap = 0;
	int rc = 0;

	set_parents(&parent, &cap, start, start, out->n, (size_t)-1);
	for (size_t i = start; rc == 0 && i < out->n; i++) {
		size_t had = out->n;
		rc = children(r, q, eid, f, k, out->items[i].run_id, out, ids, idcap, err);
		set_parents(&parent, &cap, start, had, out->n, i - start);
	}
	if (rc == 0 && out->n > start)
		depth_first(out, ids ? *ids : NULL, start, parent);
	free(parent);
	return rc;
}

int sq_list_window(struct registry *r, int64_t eid, const struct mlc_run_query *q,
		   const struct filter *f, struct mlc_run_list *out, int64_t **ids, size_t *idcap,
		   struct mlc_error *err)
{
	struct order_list o = {0};
	struct wkey k;
	struct anchor an = {0};
	struct stage s[2];
	size_t ns, first, i;
	int64_t start = (int64_t)out->n;
	int rc = -1, dir = q->backward ? -1 : 1;

	if (parse_key(q, &o, &k, err) < 0 || (q->after && find_anchor(r, q, &k, &an, err) < 0))
		goto out;
	ns = stages(&k, s);
	/* The anchor's stage; forward, the later stages; backward, the earlier. */
	first = q->after && ns == 2 && !an.has ? 1 : 0;
	if (q->backward)
		first = q->after ? first : ns - 1;
	/* Backward, the stages come nearest first and the whole is turned round. */
	for (i = first, rc = 0; rc == 0 && i < ns && (int64_t)out->n - start < q->limit;
	     i += (size_t)dir) {
		const struct anchor *from = q->after && i == first ? &an : NULL;
		/* the no-value stage, when the walk needs it and it may hold runs */
		if (i == 1 && from == NULL && every_run_has(r, &k))
			continue;
		rc = run_stage(r, q, eid, f, &k, &s[i], from, q->backward,
			       q->limit - ((int64_t)out->n - start), out, ids, idcap, err);
	}
	for (size_t x = (size_t)start, y = out->n; q->backward && rc == 0 && x + 1 < y; x++, y--) {
		struct mlc_run t = out->items[x];
		out->items[x] = out->items[y - 1];
		out->items[y - 1] = t;
		if (ids) {
			int64_t id = (*ids)[x];
			(*ids)[x] = (*ids)[y - 1];
			(*ids)[y - 1] = id;
		}
	}
	if (rc == 0 && q->tree)
		rc = add_families(r, q, eid, f, &k, (size_t)start, out, ids, idcap, err);
out:
	free(an.text);
	free(an.uuid);
	order_free(&o);
	return rc;
}

int sq_count_runs(struct registry *r, const struct mlc_run_query *q, int64_t *n,
		  struct mlc_error *err)
{
	struct strbuf sb = {0};
	struct sql_args a = {0};
	struct filter *f;
	sqlite3_stmt *st = NULL;
	int64_t eid = sq_experiment_ref(r, q->experiment, err);
	int rc = -1;

	if (eid <= 0)
		return -1;
	if ((f = filter_parse(q->filter, FILTER_RUNS, err)) == NULL)
		return -1;
	sb_add(&sb, "SELECT count(*)");
	if (where_sql(q, eid, f, "runs r", &sb, &a, err) == 0 &&
	    (st = prepare(r, &sb, &a, err)) != NULL) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			*n = sqlite3_column_int64(st, 0);
			rc = 0;
			sqlite3_finalize(st);
		} else {
			rc = sq_step_done(r, st, rc, err);
			if (rc == 0)
				rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: no count", PATH(r));
		}
	}
	sb_free(&sb);
	sql_args_free(&a);
	filter_free(f);
	return rc;
}
