/* drift_sqlite.c: the local registry's drift series — recording one window's
 * point per feature and reading series back, worst feature first. */
#include "config.h"
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "sqlite_impl.h"
#include "xmalloc.h"

/* Bind shares v[0..n) as a compact JSON array to parameter i (NULL if n is 0). */
static void bind_shares(sqlite3_stmt *st, int i, const double *v, size_t n)
{
	json_t *a;
	char *s;

	if (v == NULL || n == 0)
		return;
	a = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(a, json_real(v[k]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	free(s);
}

/* The stored JSON array of column i as n numbers in the arena (what is not
 * a number reads 0; past the array's end, 0); NULL if it is not an array. */
static double *column_shares(struct mlc_arena *ar, sqlite3_stmt *st, int i, size_t *n)
{
	const char *text = (const char *)sqlite3_column_text(st, i);
	json_t *a = text ? json_loads(text, 0, NULL) : NULL;
	double *v = NULL;

	if (json_is_array(a)) {
		if (*n == 0)
			*n = json_array_size(a);
		v = arena_alloc(ar, (*n + 1) * sizeof *v);
		for (size_t k = 0; k < *n; k++)
			v[k] = json_number_value(json_array_get(a, k));
	}
	json_decref(a);
	return v;
}

/* Read the point's shares from columns i (reference) and i + 1 (current):
 * as many as the reference holds, or none unless both are arrays. */
static void read_shares(struct mlc_arena *ar, sqlite3_stmt *st, int i, struct mlc_drift_point *p)
{
	size_t n = 0;
	double *r = column_shares(ar, st, i, &n), *c = r ? column_shares(ar, st, i + 1, &n) : NULL;

	if (r && c) {
		p->ref_shares = r;
		p->cur_shares = c;
		p->n_shares = n;
	}
}

int sq_drift_record(struct registry *r, const char *model, const char *feature, const char *method,
		    const struct mlc_drift_point *p, struct mlc_error *err)
{
	int64_t mid = sq_model_id(r, model, err);
	sqlite3_stmt *st;

	if (mid <= 0)
		return -1;
	if (feature == NULL || *feature == '\0')
		return mlc_error_set(err, MLC_ERR_USAGE, "drift record: --feature is empty");
	st = sq_prep(
	    r,
	    "INSERT INTO drift_points (model_id, feature, window_end, method, score, statistic,"
	    " p_value, threshold, drift, n_reference, n_current, reference_shares, current_shares)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
	    " ON CONFLICT (model_id, feature, method, window_end) DO UPDATE SET"
	    " score = excluded.score, statistic = excluded.statistic, p_value = excluded.p_value,"
	    " threshold = excluded.threshold, drift = excluded.drift, n_reference = "
	    "excluded.n_reference,"
	    " n_current = excluded.n_current, reference_shares = excluded.reference_shares,"
	    " current_shares = excluded.current_shares",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_text(st, 2, feature, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, p->window_end);
	sqlite3_bind_text(st, 4, method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, p->score);
	sqlite3_bind_double(st, 6, p->statistic);
	if (!isnan(p->p_value))
		sqlite3_bind_double(st, 7, p->p_value);
	sqlite3_bind_double(st, 8, p->threshold);
	sqlite3_bind_int(st, 9, p->drift ? 1 : 0);
	sqlite3_bind_int64(st, 10, p->n_reference);
	sqlite3_bind_int64(st, 11, p->n_current);
	bind_shares(st, 12, p->ref_shares, p->n_shares);
	bind_shares(st, 13, p->cur_shares, p->n_shares);
	return sq_step_done(r, st, sqlite3_step(st), err);
}

int sq_drift_series(struct registry *r, const char *model, const char *feature, int64_t last,
		    struct mlc_drift_list *out, struct mlc_error *err)
{
	sqlite3_stmt *st;
	struct mlc_drift_feature *f = NULL;
	size_t cap = 0;
	int rc;

	if (model && sq_model_id(r, model, err) <= 0)
		return -1;
	st = sq_prep(
	    r,
	    "SELECT m.name, d.feature, d.method, d.window_end, d.score, d.statistic, d.p_value,"
	    " d.threshold, d.drift, d.n_reference, d.n_current, d.reference_shares, "
	    "d.current_shares"
	    " FROM drift_points d JOIN registered_models m ON m.id = d.model_id"
	    " WHERE (?1 IS NULL AND EXISTS (SELECT 1 FROM model_aliases a JOIN environments e"
	    "   ON e.name = a.alias WHERE a.model_id = m.id) OR m.name = ?1)"
	    " AND (?2 IS NULL OR d.feature = ?2)"
	    " AND (?3 <= 0 OR d.window_end >= coalesce((SELECT min(w) FROM (SELECT x.window_end AS "
	    "w"
	    "   FROM drift_points x WHERE x.model_id = d.model_id AND x.feature = d.feature"
	    "   AND x.method = d.method ORDER BY x.window_end DESC LIMIT ?3)), 0))"
	    " ORDER BY m.name, d.feature, d.method, d.window_end",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, feature, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, last);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *mn = (const char *)sqlite3_column_text(st, 0);
		const char *fn = (const char *)sqlite3_column_text(st, 1);
		const char *me = (const char *)sqlite3_column_text(st, 2);
		if (f == NULL || strcmp(f->model, mn) || strcmp(f->feature, fn) ||
		    strcmp(f->method, me)) {
			if (f)
				drift_feature_summarise(f);
			f = MLC_LIST_PUSH(out);
			f->model = arena_strdup(&out->arena, mn);
			f->feature = arena_strdup(&out->arena, fn);
			f->method = arena_strdup(&out->arena, me);
			cap = 0;
		}
		struct mlc_drift_point *p =
		    arena_grow(&out->arena, (void **)&f->points, &cap, f->n_points++, sizeof *p);
		p->window_end = sqlite3_column_int64(st, 3);
		p->score =
		    sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
		p->statistic =
		    sqlite3_column_type(st, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 5);
		p->p_value =
		    sqlite3_column_type(st, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 6);
		p->threshold = sqlite3_column_double(st, 7);
		p->drift = sqlite3_column_int(st, 8);
		p->n_reference = sqlite3_column_int64(st, 9);
		p->n_current = sqlite3_column_int64(st, 10);
		read_shares(&out->arena, st, 11, p);
	}
	if (f)
		drift_feature_summarise(f);
	if (sq_step_done(r, st, rc, err) < 0)
		return -1;
	drift_features_sort(out->items, out->n);
	return 0;
}
