/* drift_sqlite.c: the local registry's drift series — recording one window's
 * point per feature and reading series back, worst feature first. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "sqlite_impl.h"
#include "xmalloc.h"

int sq_drift_record(struct registry *r, const char *model, const char *feature, const char *method,
		    const struct mlc_drift_point *p, struct mlc_error *err)
{
	int64_t mid = sq_model_id(r, model, err);
	sqlite3_stmt *st;

	if (mid <= 0)
		return -1;
	if (feature == NULL || *feature == '\0')
		return mlc_error_set(err, MLC_ERR_USAGE, "drift record: --feature is empty");
	st = sq_prep(r, "INSERT INTO drift_points (model_id, feature, window_end, method, score, statistic,"
			" p_value, threshold, drift, n_reference, n_current, reference_shares, current_shares)"
			" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
			" ON CONFLICT (model_id, feature, method, window_end) DO UPDATE SET"
			" score = excluded.score, statistic = excluded.statistic, p_value = excluded.p_value,"
			" threshold = excluded.threshold, drift = excluded.drift, n_reference = excluded.n_reference,"
			" n_current = excluded.n_current, reference_shares = excluded.reference_shares,"
			" current_shares = excluded.current_shares", err);
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
	if (p->reference_shares)
		sqlite3_bind_text(st, 12, p->reference_shares, -1, SQLITE_TRANSIENT);
	if (p->current_shares)
		sqlite3_bind_text(st, 13, p->current_shares, -1, SQLITE_TRANSIENT);
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
	st = sq_prep(r, "SELECT m.name, d.feature, d.method, d.window_end, d.score, d.statistic, d.p_value,"
			" d.threshold, d.drift, d.n_reference, d.n_current, d.reference_shares, d.current_shares"
			" FROM drift_points d JOIN registered_models m ON m.id = d.model_id"
			" WHERE (?1 IS NULL AND EXISTS (SELECT 1 FROM model_aliases a JOIN environments e"
			"   ON e.name = a.alias WHERE a.model_id = m.id) OR m.name = ?1)"
			" AND (?2 IS NULL OR d.feature = ?2)"
			" AND (?3 <= 0 OR d.window_end >= coalesce((SELECT min(w) FROM (SELECT x.window_end AS w"
			"   FROM drift_points x WHERE x.model_id = d.model_id AND x.feature = d.feature"
			"   AND x.method = d.method ORDER BY x.window_end DESC LIMIT ?3)), 0))"
			" ORDER BY m.name, d.feature, d.method, d.window_end", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, feature, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, last);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *mn = (const char *)sqlite3_column_text(st, 0);
		const char *fn = (const char *)sqlite3_column_text(st, 1);
		const char *me = (const char *)sqlite3_column_text(st, 2);
		if (f == NULL || strcmp(f->model, mn) || strcmp(f->feature, fn) || strcmp(f->method, me)) {
			if (f)
				drift_feature_summarise(f);
			f = MLC_LIST_PUSH(out);
			f->model = arena_strdup(&out->arena, mn);
			f->feature = arena_strdup(&out->arena, fn);
			f->method = arena_strdup(&out->arena, me);
			cap = 0;
		}
		struct mlc_drift_point *p = arena_grow(&out->arena, (void **)&f->points, &cap, f->n_points++,
						       sizeof *p);
		p->window_end = sqlite3_column_int64(st, 3);
		p->score = sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
		p->statistic = sqlite3_column_type(st, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 5);
		p->p_value = sqlite3_column_type(st, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 6);
		p->threshold = sqlite3_column_double(st, 7);
		p->drift = sqlite3_column_int(st, 8);
		p->n_reference = sqlite3_column_int64(st, 9);
		p->n_current = sqlite3_column_int64(st, 10);
		p->reference_shares = sqlite3_column_type(st, 11) == SQLITE_NULL ? NULL : sq_col_str(&out->arena, st, 11);
		p->current_shares = sqlite3_column_type(st, 12) == SQLITE_NULL ? NULL : sq_col_str(&out->arena, st, 12);
	}
	if (f)
		drift_feature_summarise(f);
	if (sq_step_done(r, st, rc, err) < 0)
		return -1;
	drift_features_sort(out->items, out->n);
	return 0;
}
