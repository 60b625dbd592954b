/* alert_sqlite.c: the local registry's alert rules and firings (schema v9's
 * alert_rules and alert_firings), each change audited in its transaction. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alert.h"
#include "policy.h"
#include "sqlite_impl.h"
#include "xmalloc.h"

/* 1 if the file has the alert tables (a file older than v9 opened read-only
 * has none: no rules, no firings). */
static int has_alerts(struct registry *r)
{
	sqlite3_stmt *st = NULL;
	int yes;

	if (sqlite3_prepare_v2(DB(r),
			       "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
			       "'alert_firings'",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* Reads one row of a query into out; -1 with err stops the query. */
typedef int (*alert_row_fn)(sqlite3_stmt *st, void *out, struct mlc_error *err);

/* Call row for each row of sql, whose ?1 is model (NULL: every model);
 * -1 with err when model is not found; no rows from a file without the
 * alert tables. */
static int read_alerts(struct registry *r, const char *model, const char *sql, alert_row_fn row,
		       void *out, struct mlc_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (model && sq_model_id(r, model, err) <= 0)
		return -1;
	if (!has_alerts(r))
		return 0;
	if ((st = sq_prep(r, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row(st, out, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	return sq_step_done(r, st, rc, err);
}

/* A row of alert_rules (the columns sq_alert_rules selects) into the list. */
static int rule_row(sqlite3_stmt *st, void *list, struct mlc_error *err)
{
	struct mlc_alert_rule_list *out = list;
	struct mlc_alert_rule *a = MLC_LIST_PUSH(out);

	memset(a, 0, sizeof *a);
	a->model = sq_col_str(&out->arena, st, 0);
	a->env = sq_col_str(&out->arena, st, 1);
	a->name = sq_col_str(&out->arena, st, 2);
	a->checked = sqlite3_column_int64(st, 4);
	return alert_rule_from_json(a, (const char *)sqlite3_column_text(st, 3), &out->arena, err);
}

int sq_alert_rules(struct registry *r, const char *model, struct mlc_alert_rule_list *out,
		   struct mlc_error *err)
{
	return read_alerts(r, model,
			   "SELECT m.name, e.name, a.name, a.settings, a.checked FROM alert_rules a"
			   " JOIN registered_models m ON m.id = a.model_id"
			   " JOIN environments e ON e.id = a.env_id"
			   " WHERE ?1 IS NULL OR m.name = ?1 ORDER BY m.name, e.name, a.name",
			   rule_row, out, err);
}

/* The audit subject of a firing of model mid (name model) in environment
 * eid (name env), in the one form every row has: "MODEL:VERSION@ENV" for
 * the version live there, the environment's name when none is. */
static int firing_subject(struct registry *r, int64_t mid, int64_t eid, const char *model,
			  const char *env, char *buf, size_t len, struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r,
				   "SELECT a.version FROM model_aliases a JOIN environments e"
				   " ON e.name = a.alias WHERE a.model_id = ? AND e.id = ?",
				   err);
	char v[24];

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, eid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(v, sizeof v, "%lld", (long long)sqlite3_column_int64(st, 0));
		mlc_audit_subject(buf, len, model, v, env);
	} else {
		mlc_audit_subject(buf, len, NULL, NULL, env);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Set or remove rule inside the write's transaction. */
static int do_rule_put(struct registry *r, const struct mlc_alert_rule *rule, int remove,
		       const char *actor, struct mlc_error *err)
{
	int64_t mid = sq_model_id(r, rule->model, err), eid;
	char *json = NULL, when[160], acts[64], *detail;
	sqlite3_stmt *st;
	int rc;

	if (mid <= 0 || (eid = sq_env_id(r, rule->env, err)) < 0)
		return -1;
	st = sq_prep(
	    r,
	    remove ? "DELETE FROM alert_rules WHERE model_id = ?1 AND env_id = ?2 AND name = ?3"
		   : "INSERT INTO alert_rules (model_id, env_id, name, settings) VALUES "
		     "(?1, ?2, ?3, ?4) ON CONFLICT (model_id, env_id, name) DO UPDATE SET "
		     "settings = excluded.settings",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, eid);
	sqlite3_bind_text(st, 3, rule->name, -1, SQLITE_TRANSIENT);
	if (!remove) {
		json = alert_rule_json(rule);
		sqlite3_bind_text(st, 4, json, -1, free);
	}
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	if (remove && sqlite3_changes(DB(r)) == 0)
		return mlc_error_set(
		    err, MLC_ERR_NOTFOUND,
		    "alert rule '%s' of %s in %s: not found (see 'mlconsole alerts "
		    "rule list')",
		    rule->name, rule->model, rule->env);
	/* an environment's rules are part of its policy: its name is the subject */
	detail = remove ? xasprintf("rule %s of %s", rule->name, rule->model)
			: xasprintf("rule %s of %s: %s, cooldown %llds, actions %s", rule->name,
				    rule->model, alert_rule_when(rule, when, sizeof when),
				    (long long)rule->cooldown,
				    alert_actions_str(rule->actions, acts, sizeof acts));
	rc = sq_audit_add(r, actor, remove ? "alert rule removed" : "alert rule set", rule->env,
			  detail, err);
	free(detail);
	return rc;
}

int sq_alert_rule_put(struct registry *r, const struct mlc_alert_rule *rule, int remove,
		      const char *actor, struct mlc_error *err)
{
	if (sq_write_begin(r, err) < 0)
		return -1;
	return sq_write_finish(r, do_rule_put(r, rule, remove, actor, err), err);
}

/* Set the rule's checked (inside a transaction). */
static int set_checked(struct registry *r, int64_t mid, int64_t eid, const char *name,
		       int64_t checked, struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r,
				   "UPDATE alert_rules SET checked = max(checked, ?4)"
				   " WHERE model_id = ?1 AND env_id = ?2 AND name = ?3",
				   err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, eid);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, checked);
	return sq_step_done(r, st, sqlite3_step(st), err);
}

/* Insert firing f; its id into f->id. */
static int insert_firing(struct registry *r, int64_t mid, int64_t eid, struct mlc_alert_firing *f,
			 struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(
	    r,
	    "INSERT INTO alert_firings (model_id, env_id, rule, at, window_end, until_at, features,"
	    " scores, share, request_id, outcome, by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	    err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, eid);
	sqlite3_bind_text(st, 3, f->rule, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, f->at);
	sqlite3_bind_int64(st, 5, f->window_end);
	sqlite3_bind_int64(st, 6, f->until);
	sqlite3_bind_text(st, 7, f->features, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, f->scores, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 9, f->share);
	if (f->request_id > 0)
		sqlite3_bind_int64(st, 10, f->request_id);
	sqlite3_bind_text(st, 11, f->outcome, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, f->by, -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	f->id = sqlite3_last_insert_rowid(DB(r));
	return 0;
}

/* Record firing f and its rule's checked, audited (inside a transaction). */
static int do_fire(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
		   const char *actor, struct mlc_error *err)
{
	int64_t mid = sq_model_id(r, f->model, err), eid;
	char subj[600], *detail;
	int rc;

	if (mid <= 0 || (eid = sq_env_id(r, f->env, err)) < 0 ||
	    insert_firing(r, mid, eid, f, err) < 0 ||
	    set_checked(r, mid, eid, f->rule, checked, err) < 0 ||
	    firing_subject(r, mid, eid, f->model, f->env, subj, sizeof subj, err) < 0)
		return -1;
	detail =
	    xasprintf("alert %lld, rule %s: features %s, scores %s, share %.4g, window %lld; %s",
		      (long long)f->id, f->rule, *f->features ? f->features : "-",
		      *f->scores ? f->scores : "-", f->share, (long long)f->window_end, f->outcome);
	rc = sq_audit_add(r, actor, "alert fired", subj, detail, err);
	free(detail);
	return rc;
}

int sq_alert_fire(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
		  const char *actor, struct mlc_error *err)
{
	if (sq_write_begin(r, err) < 0)
		return -1;
	return sq_write_finish(r, do_fire(r, f, checked, actor, err), err);
}

/* Set the rule's checked in a transaction of its own. */
static int do_checked(struct registry *r, const char *model, const char *env, const char *name,
		      int64_t checked, struct mlc_error *err)
{
	int64_t mid = sq_model_id(r, model, err), eid;

	if (mid <= 0 || (eid = sq_env_id(r, env, err)) < 0)
		return -1;
	return set_checked(r, mid, eid, name, checked, err);
}

int sq_alert_checked(struct registry *r, const char *model, const char *env, const char *name,
		     int64_t checked, struct mlc_error *err)
{
	if (sq_write_begin(r, err) < 0)
		return -1;
	return sq_write_finish(r, do_checked(r, model, env, name, checked, err), err);
}

/* A row of alert_firings (the columns sq_alert_firings selects) into the list. */
static int firing_row(sqlite3_stmt *st, void *list, struct mlc_error *err)
{
	struct mlc_alert_firing_list *out = list;
	struct mlc_alert_firing *f = MLC_LIST_PUSH(out);

	(void)err;
	f->id = sqlite3_column_int64(st, 0);
	f->model = sq_col_str(&out->arena, st, 1);
	f->env = sq_col_str(&out->arena, st, 2);
	f->rule = sq_col_str(&out->arena, st, 3);
	f->at = sqlite3_column_int64(st, 4);
	f->window_end = sqlite3_column_int64(st, 5);
	f->until = sqlite3_column_int64(st, 6);
	f->features = sq_col_str(&out->arena, st, 7);
	f->scores = sq_col_str(&out->arena, st, 8);
	f->share = sqlite3_column_double(st, 9);
	f->request_id = sqlite3_column_int64(st, 10);
	f->outcome = sq_col_str(&out->arena, st, 11);
	f->by = sq_col_str(&out->arena, st, 12);
	return 0;
}

int sq_alert_firings(struct registry *r, const char *model, struct mlc_alert_firing_list *out,
		     struct mlc_error *err)
{
	return read_alerts(
	    r, model,
	    "SELECT f.id, m.name, e.name, f.rule, f.at, f.window_end, f.until_at, f.features,"
	    " f.scores, f.share, coalesce(f.request_id, 0), f.outcome, f.by"
	    " FROM alert_firings f JOIN registered_models m ON m.id = f.model_id"
	    " JOIN environments e ON e.id = f.env_id"
	    " WHERE ?1 IS NULL OR m.name = ?1 ORDER BY f.at DESC, f.id DESC",
	    firing_row, out, err);
}
