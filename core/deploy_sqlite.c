/* deploy_sqlite.c: the policy engine of the local registry. Every change —
 * deploy, rollback, request, vote, cancel, policy — runs in one IMMEDIATE
 * transaction that re-reads what it decides on and writes its audit records,
 * so concurrent consoles get exactly one outcome and a killed process leaves
 * the registry as before or as after. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "deploy.h"
#include "sqlite_impl.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

struct env_row {
	int64_t id, order, required;
	int self_approval, rollback_approval, require_previous;
	char name[256];
};

/* ---- small queries ------------------------------------------------------ */

/* One integer from sql with up to three bound values (text or int64). */
static int64_t query_int(struct registry *r, const char *sql, int64_t dflt, struct mlc_error *err,
			 const char *types, ...)
{
	sqlite3_stmt *st = sq_prep(r, sql, err);
	va_list ap;
	int64_t v = dflt;

	if (st == NULL)
		return -1;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 's')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#define ENV_COLUMNS "id, ord, required_approvals, self_approval, rollback_approval, require_previous, name"

/* Copy the current row of st (ENV_COLUMNS) into e. */
static void env_from_row(sqlite3_stmt *st, struct env_row *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->order = sqlite3_column_int64(st, 1);
	e->required = sqlite3_column_int64(st, 2);
	e->self_approval = sqlite3_column_int(st, 3);
	e->rollback_approval = sqlite3_column_int(st, 4);
	e->require_previous = sqlite3_column_int(st, 5);
	snprintf(e->name, sizeof e->name, "%s", (const char *)sqlite3_column_text(st, 6));
}

/* Step st and read an environment row; 1 if there was one. */
static int read_env(sqlite3_stmt *st, struct env_row *e)
{
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	env_from_row(st, e);
	return 1;
}

/* Environment name (or, with id > 0, by id); -1 with a NOT FOUND naming it. */
static int load_env(struct registry *r, const char *name, int64_t id, struct env_row *e,
		    struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT " ENV_COLUMNS " FROM environments WHERE name = ?1 OR id = ?2",
				   err);
	int found;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	found = read_env(st, e);
	sqlite3_finalize(st);
	if (!found)
		return mlc_error_set(err, MLC_ERR_NOTFOUND,
				     "environment '%s': not found (see 'mlconsole env list')", name ? name : "?");
	return 0;
}

/* The environment just before e in the order; 0 when e is the first. */
static int previous_env(struct registry *r, const struct env_row *e, struct env_row *prev,
			struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT " ENV_COLUMNS " FROM environments WHERE ord < ?"
				      " ORDER BY ord DESC LIMIT 1", err);
	int found;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, e->order);
	found = read_env(st, prev);
	sqlite3_finalize(st);
	return found;
}

/* Check that version v of model (mid) exists and is not archived. */
static int check_version(struct registry *r, int64_t mid, const char *model, int64_t v,
			 struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT stage FROM model_versions WHERE model_id = ? AND version = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, v);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': no version %lld", model, (long long)v);
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0), "Archived") == 0) {
		sqlite3_finalize(st);
		return mlc_error_set(err, MLC_ERR_FAILED, "%s version %lld is archived", model, (long long)v);
	}
	sqlite3_finalize(st);
	return 0;
}

/* The version live in environment env for model mid, 0 when none. */
static int64_t live_version(struct registry *r, int64_t mid, const char *env, struct mlc_error *err)
{
	return query_int(r, "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", 0, err,
			 "is", mid, env);
}

/* 1 if version v of mid was ever live in environment env_id. */
static int was_live(struct registry *r, int64_t mid, int64_t env_id, int64_t v, struct mlc_error *err)
{
	return (int)query_int(r, "SELECT count(*) > 0 FROM deployments WHERE model_id = ? AND env_id = ?"
				 " AND version = ?", 0, err, "iii", mid, env_id, v);
}

/* Append an audit record (inside the caller's transaction). */
static int audit(struct registry *r, const char *actor, const char *action, const char *subject,
		 const char *detail, struct mlc_error *err)
{
	return audit_append(DB(r), timefmt_now_ms(), actor, action, subject, detail, err);
}

/* ---- transactions ------------------------------------------------------- */

/* Start a write: refused on a read-only registry. */
static int begin(struct registry *r, struct mlc_error *err)
{
	if (r->read_only)
		return mlc_error_set(err, MLC_ERR_READONLY, "%s: the registry is open read-only", PATH(r));
	return sq_exec(r, "BEGIN IMMEDIATE", err);
}

/* Commit when rc is 0, else roll back; returns rc (or -1 if COMMIT failed). */
static int finish(struct registry *r, int rc, struct mlc_error *err)
{
	if (rc == 0 && sq_exec(r, "COMMIT", err) == 0)
		return 0;
	sqlite3_exec(DB(r), "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* finish, for a change with an outcome: rolled back, nothing went live. */
static int finish_out(struct registry *r, int rc, struct mlc_outcome *out, struct mlc_error *err)
{
	if (finish(r, rc, err) == 0)
		return 0;
	out->deployed = 0;
	return -1;
}

/* ---- the rules ---------------------------------------------------------- */

/* The rollback rule: the most recent earlier live version of mid in env that
 * was not itself rolled back from (so rolling back twice walks two steps
 * back). 0 when there is none. */
static int64_t rollback_target(struct registry *r, int64_t mid, int64_t env_id, int64_t current,
			       struct mlc_error *err)
{
	return query_int(r,
			 "SELECT d.version FROM deployments d WHERE d.model_id = ?1 AND d.env_id = ?2"
			 " AND d.version != ?3 AND d.version NOT IN (SELECT previous_version FROM deployments"
			 "  WHERE model_id = ?1 AND env_id = ?2 AND action = 'rollback'"
			 "  AND previous_version IS NOT NULL)"
			 " ORDER BY d.at DESC, d.id DESC LIMIT 1",
			 0, err, "iii", mid, env_id, current);
}

/* The require-previous rule: v must have been live in the environment before e. */
static int check_previous(struct registry *r, int64_t mid, const char *model, int64_t v,
			  const struct env_row *e, struct mlc_error *err)
{
	struct env_row prev;
	int found;

	if (!e->require_previous)
		return 0;
	if ((found = previous_env(r, e, &prev, err)) <= 0)
		return found;
	if (!was_live(r, mid, prev.id, v, err))
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s %lld to %s: refused by the policy of environment '%s': the version "
				     "must have been live in '%s' first",
				     model, (long long)v, e->name, e->name, prev.name);
	return 0;
}

/* Make v live in env: alias, history row, model timestamp, audit; note it in
 * out (the transaction may still roll back: finish_out clears deployed). */
static int make_live(struct registry *r, int64_t mid, const char *model, int64_t v,
		     const struct env_row *e, const char *action, const char *actor, int64_t request_id,
		     struct mlc_outcome *out, struct mlc_error *err)
{
	int64_t prev = live_version(r, mid, e->name, err), now = timefmt_now_ms();
	sqlite3_stmt *st;
	char subject[600], detail[128];

	st = sq_prep(r, "INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)"
			" ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_text(st, 2, e->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, v);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	st = sq_prep(r, "INSERT INTO deployments (model_id, env_id, version, previous_version, action, at,"
			" by, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, e->id);
	sqlite3_bind_int64(st, 3, v);
	if (prev > 0)
		sqlite3_bind_int64(st, 4, prev);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_text(st, 7, actor, -1, SQLITE_TRANSIENT);
	if (request_id > 0)
		sqlite3_bind_int64(st, 8, request_id);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	st = sq_prep(r, "UPDATE registered_models SET last_updated_time = ? WHERE id = ?", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, mid);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, e->name);
	if (prev > 0)
		snprintf(detail, sizeof detail, "from version %lld", (long long)prev);
	else
		snprintf(detail, sizeof detail, "first deployment");
	if (audit(r, actor, action, subject, detail, err) < 0)
		return -1;
	mlc_outcome_where(out, model, e->name, action, v, prev);
	return 0;
}

/* ---- deploy and rollback ------------------------------------------------ */

static int do_deploy(struct registry *r, const char *model, const char *version, const char *env,
		     const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct env_row e;
	int64_t mid, v, cur;

	if ((v = mlc_version_parse(version, err)) < 0 || load_env(r, env, 0, &e, err) < 0 ||
	    (mid = sq_model_id(r, model, err)) <= 0 || check_version(r, mid, model, v, err) < 0)
		return -1;
	if (e.required > 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "deploy %s %lld to %s: refused by the policy of environment '%s': "
				     "%lld approval%s required (use 'mlconsole request %s %lld --env %s')",
				     model, (long long)v, e.name, e.name, (long long)e.required,
				     e.required == 1 ? "" : "s", model, (long long)v, e.name);
	if (check_previous(r, mid, model, v, &e, err) < 0)
		return -1;
	if ((cur = live_version(r, mid, e.name, err)) == v)
		return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is already live in %s", model,
				     (long long)v, e.name);
	if (make_live(r, mid, model, v, &e, "deploy", actor, 0, out, err) < 0)
		return -1;
	mlc_outcome(out, 0, 1, "deployed %s %lld to %s (was %s%lld)", model, (long long)v, e.name,
		cur > 0 ? "" : "none, ", (long long)cur);
	return 0;
}

int sq_deploy(struct registry *r, const char *model, const char *version, const char *env,
			 const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_deploy(r, model, version, env, actor, out, err), out, err);
}

/* Where a rollback of model in e goes: to (checked) or the rule's choice. */
static int64_t pick_rollback(struct registry *r, int64_t mid, const char *model, const struct env_row *e,
			     const char *to, int64_t cur, struct mlc_error *err)
{
	int64_t target;

	if (cur <= 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "%s is not live in %s: nothing to roll back",
				     model, e->name);
	if (to != NULL) {
		if ((target = mlc_version_parse(to, err)) < 0)
			return -1;
		if (target == cur)
			return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is the live version in %s", model,
					     (long long)target, e->name);
		if (!was_live(r, mid, e->id, target, err))
			return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld was never live in %s", model,
					     (long long)target, e->name);
		return target;
	}
	target = rollback_target(r, mid, e->id, cur, err);
	if (target == 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s in %s: no earlier version to roll back to (none that was not "
				     "itself rolled back from)",
				     model, e->name);
	return target;
}

static int do_rollback(struct registry *r, const char *model, const char *env, const char *to,
		       const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct env_row e;
	int64_t mid, cur, target;

	if (load_env(r, env, 0, &e, err) < 0 || (mid = sq_model_id(r, model, err)) <= 0)
		return -1;
	if (e.rollback_approval)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "rollback of %s in %s: refused by the policy of environment '%s': "
				     "rollback needs approval (use 'mlconsole request %s --rollback --env %s')",
				     model, e.name, e.name, model, e.name);
	cur = live_version(r, mid, e.name, err);
	if ((target = pick_rollback(r, mid, model, &e, to, cur, err)) < 0)
		return -1;
	if (make_live(r, mid, model, target, &e, "rollback", actor, 0, out, err) < 0)
		return -1;
	mlc_outcome(out, 0, 1, "rolled %s in %s back from %lld to %lld", model, e.name, (long long)cur,
		(long long)target);
	return 0;
}

int sq_rollback_target(struct registry *r, const char *model, const char *env, char *version,
		       size_t len, struct mlc_error *err)
{
	struct env_row e;
	int64_t mid, target;

	if (load_env(r, env, 0, &e, err) < 0 || (mid = sq_model_id(r, model, err)) <= 0)
		return -1;
	target = pick_rollback(r, mid, model, &e, NULL, live_version(r, mid, e.name, err), err);
	if (target < 0)
		return -1;
	snprintf(version, len, "%lld", (long long)target);
	return 0;
}

int sq_rollback(struct registry *r, const char *model, const char *env, const char *to,
			   const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_rollback(r, model, env, to, actor, out, err), out, err);
}

/* ---- requests and votes ------------------------------------------------- */

/* Close the other pending requests for (mid, env): superseded by id. */
static int supersede(struct registry *r, int64_t mid, int64_t env_id, int64_t id, const char *actor,
		     struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "UPDATE promotion_requests SET state = 'closed', closed_at = ?,"
				      " close_reason = ? WHERE model_id = ? AND env_id = ? AND state = 'pending'"
				      " AND id != ? RETURNING id", err);
	char reason[64], subject[32];
	int64_t closed[64];
	int n = 0, rc;

	if (st == NULL)
		return -1;
	snprintf(reason, sizeof reason, "superseded by request %lld", (long long)id);
	sqlite3_bind_int64(st, 1, timefmt_now_ms());
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, mid);
	sqlite3_bind_int64(st, 4, env_id);
	sqlite3_bind_int64(st, 5, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n < 64)
			closed[n++] = sqlite3_column_int64(st, 0);
	if (sq_step_done(r, st, rc, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		snprintf(subject, sizeof subject, "request %lld", (long long)closed[i]);
		if (audit(r, actor, "close", subject, reason, err) < 0)
			return -1;
	}
	return 0;
}

/* The id of a new request of either kind: promotion and policy requests
 * share one numbering, so 'approve ID' needs no kind. */
static int64_t next_request_id(struct registry *r, struct mlc_error *err)
{
	return query_int(r,
			 "SELECT max(coalesce((SELECT max(id) FROM promotion_requests), 0),"
			 " coalesce((SELECT max(id) FROM policy_requests), 0)) + 1",
			 -1, err, "");
}

static int do_request(struct registry *r, const char *model, const char *version, const char *env,
		      const char *kind, const char *comment, const char *actor, struct mlc_outcome *out,
		      struct mlc_error *err)
{
	int rollback = strcmp(kind, "rollback") == 0;
	struct env_row e;
	int64_t mid, v, cur, id;
	sqlite3_stmt *st;
	char subject[600];

	if (load_env(r, env, 0, &e, err) < 0 || (mid = sq_model_id(r, model, err)) <= 0)
		return -1;
	cur = live_version(r, mid, e.name, err);
	if (rollback)
		v = pick_rollback(r, mid, model, &e, version, cur, err);
	else if ((v = mlc_version_parse(version, err)) > 0 &&
		 (check_version(r, mid, model, v, err) < 0 || check_previous(r, mid, model, v, &e, err) < 0))
		v = -1; /* archived, missing, or not yet live one environment before */
	else if (v > 0 && v == cur)
		v = mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is already live in %s", model, (long long)v,
				  e.name);
	if (v < 0)
		return -1;
	if ((id = query_int(r, "SELECT id FROM promotion_requests WHERE model_id = ? AND env_id = ?"
			       " AND version = ? AND kind = ? AND state = 'pending'", 0, err, "iiis", mid,
			    e.id, v, kind)) != 0)
		return id < 0 ? -1 : mlc_error_set(err, MLC_ERR_FAILED, "already pending as request %lld",
						   (long long)id);
	if ((id = next_request_id(r, err)) < 0)
		return -1;
	st =
	    sq_prep(r,
		    "INSERT INTO promotion_requests (model_id, version, env_id, kind, requested_by,"
		    " requested_at, comment, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 8, id);
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, v);
	sqlite3_bind_int64(st, 3, e.id);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, timefmt_now_ms());
	sqlite3_bind_text(st, 7, comment ? comment : "", -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, e.name);
	if (audit(r, actor, rollback ? "request rollback" : "request", subject, comment, err) < 0 ||
	    supersede(r, mid, e.id, id, actor, err) < 0)
		return -1;
	mlc_outcome(out, id, 0, "request %lld: %s %s %lld in %s", (long long)id, rollback ? "roll back to" : "deploy",
		model, (long long)v, e.name);
	return 0;
}

int sq_request(struct registry *r, const char *model, const char *version, const char *env,
			  const char *kind, const char *comment, const char *actor,
			  struct mlc_outcome *out, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_request(r, model, version, env, kind, comment, actor, out, err), out, err);
}

/* A pending request's fields, re-read inside the transaction. */
struct req_row {
	int64_t id, mid, version, env_id;
	char kind[16], state[16], by[256], model[512];
};

/* Request id of either kind into q (a policy request: kind "policy", no model). */
static int load_request(struct registry *r, int64_t id, struct req_row *q, struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r,
		    "SELECT q.model_id, q.version, q.env_id, q.kind, q.state,"
		    " q.requested_by, m.name FROM promotion_requests q"
		    " JOIN registered_models m ON m.id = q.model_id WHERE q.id = ?1"
		    " UNION ALL SELECT 0, 0, env_id, 'policy', state, requested_by, ''"
		    " FROM policy_requests WHERE id = ?1",
		    err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)id);
	}
	q->id = id;
	q->mid = sqlite3_column_int64(st, 0);
	q->version = sqlite3_column_int64(st, 1);
	q->env_id = sqlite3_column_int64(st, 2);
	snprintf(q->kind, sizeof q->kind, "%s", (const char *)sqlite3_column_text(st, 3));
	snprintf(q->state, sizeof q->state, "%s", (const char *)sqlite3_column_text(st, 4));
	snprintf(q->by, sizeof q->by, "%s", (const char *)sqlite3_column_text(st, 5));
	snprintf(q->model, sizeof q->model, "%s", (const char *)sqlite3_column_text(st, 6));
	sqlite3_finalize(st);
	return 0;
}

/* Set the request's final state (with a reason) and audit nothing more. */
static int close_request(struct registry *r, int64_t id, const char *state, const char *reason,
			 struct mlc_error *err)
{
	/* ids are unique across both kinds: the other table has no such row */
	static const char *const sql[] = {
	    "UPDATE policy_requests SET state = ?, closed_at = ?, close_reason = ? WHERE id = ?",
	    "UPDATE promotion_requests SET state = ?, closed_at = ?, close_reason = ? WHERE id = ?",
	};

	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = sq_prep(r, sql[i], err);

		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, timefmt_now_ms());
		sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, id);
		if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
			return -1;
	}
	return 0;
}

/* May actor vote on q under e's policy? */
static int check_voter(struct registry *r, const struct req_row *q, const struct env_row *e,
		       const char *actor, struct mlc_error *err)
{
	int64_t listed = query_int(r, "SELECT count(*) FROM environment_approvers WHERE env_id = ?", 0, err,
				   "i", e->id);

	if (strcmp(q->state, "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld is %s, not pending", (long long)q->id,
				     q->state);
	if (strcmp(actor, q->by) == 0 && !e->self_approval)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s requested it, and the policy of environment '%s' does "
				     "not allow self-approval",
				     (long long)q->id, actor, e->name);
	if (listed > 0 && query_int(r, "SELECT count(*) FROM environment_approvers WHERE env_id = ?"
				       " AND user = ?", 0, err, "is", e->id, actor) == 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s is not an approver of environment '%s' (see 'mlconsole "
				     "env list')",
				     (long long)q->id, actor, e->name);
	if (query_int(r,
		      "SELECT (SELECT count(*) FROM votes WHERE request_id = ?1 AND voter = ?2)"
		      " + (SELECT count(*) FROM policy_votes WHERE request_id = ?1 AND voter = ?2)",
		      0, err, "is", q->id, actor) > 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld: %s has already voted",
				     (long long)q->id, actor);
	return 0;
}

/* The approval that satisfies the policy: perform the change, or close the
 * request when its version is no longer eligible. */
static int complete(struct registry *r, const struct req_row *q, const struct env_row *e,
		    const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int rollback = strcmp(q->kind, "rollback") == 0;
	struct mlc_error why = {0};

	if (check_version(r, q->mid, q->model, q->version, &why) < 0 ||
	    (!rollback && check_previous(r, q->mid, q->model, q->version, e, &why) < 0) ||
	    live_version(r, q->mid, e->name, err) == q->version) {
		const char *reason = why.msg[0] ? why.msg : "the version is already live";
		if (close_request(r, q->id, "closed", reason, err) < 0 ||
		    audit(r, actor, "close", q->model, reason, err) < 0)
			return -1;
		mlc_outcome(out, q->id, 0, "request %lld closed: %s", (long long)q->id, reason);
		return 0;
	}
	if (make_live(r, q->mid, q->model, q->version, e, rollback ? "rollback" : "deploy", actor, q->id, out,
		      err) < 0 ||
	    close_request(r, q->id, "approved", "approved", err) < 0)
		return -1;
	mlc_outcome(out, q->id, 1, "request %lld approved: %s %lld is live in %s", (long long)q->id, q->model,
		(long long)q->version, e->name);
	return 0;
}

static int apply_policy(struct registry *r, const struct mlc_env_change *c, const char *actor,
			const char *how, struct mlc_error *err);

/* The approval that satisfies the policy of a policy request q: apply its
 * change, or close it when it no longer means what was voted on (the whole
 * check again, against the environments as they are now). */
static int complete_policy(struct registry *r, const struct req_row *q, const char *actor,
			   struct mlc_outcome *out, struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r,
		    "SELECT e.name, p.ord, p.required_approvals, p.approvers, p.self_approval,"
		    " p.rollback_approval, p.require_previous, p.change, p.requested_by"
		    " FROM policy_requests p"
		    " JOIN environments e ON e.id = p.env_id WHERE p.id = ?",
		    err);
	struct mlc_env_list l = {0};
	struct mlc_env_change c = {0};
	struct mlc_error why = {0};
	char name[256], by[256], how[64];
	char *approvers, *change;
	int rc = -1, now;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, q->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found",
				     (long long)q->id);
	}
	snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(by, sizeof by, "%s", (const char *)sqlite3_column_text(st, 8));
	approvers =
	    xstrdup(sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
	change = xstrdup((const char *)sqlite3_column_text(st, 7));
	c = (struct mlc_env_change){
	    .name = name,
	    .have_order = sqlite3_column_type(st, 1) != SQLITE_NULL,
	    .order = sqlite3_column_int64(st, 1),
	    .have_required = sqlite3_column_type(st, 2) != SQLITE_NULL,
	    .required_approvals = sqlite3_column_int64(st, 2),
	    .have_approvers = sqlite3_column_type(st, 3) != SQLITE_NULL,
	    .approvers = approvers,
	    .have_self = sqlite3_column_type(st, 4) != SQLITE_NULL,
	    .self_approval = sqlite3_column_int(st, 4),
	    .have_rollback = sqlite3_column_type(st, 5) != SQLITE_NULL,
	    .rollback_approval = sqlite3_column_int(st, 5),
	    .have_previous = sqlite3_column_type(st, 6) != SQLITE_NULL,
	    .require_previous = sqlite3_column_int(st, 6),
	};
	sqlite3_finalize(st);
	if (sq_env_list(r, &l, err) < 0)
		goto out;
	if ((now = mlc_policy_recheck(&l, &c, by, change, &why)) < 0) {
		if (close_request(r, q->id, "closed", why.msg, err) == 0 &&
		    audit(r, actor, "close", name, why.msg, err) == 0) {
			mlc_outcome(out, q->id, 0, "request %lld closed: %s", (long long)q->id,
				    why.msg);
			rc = 0;
		}
		goto out;
	}
	snprintf(how, sizeof how, "request %lld approved", (long long)q->id);
	if ((now == 0 && apply_policy(r, &c, actor, how, err) < 0) ||
	    close_request(r, q->id, "approved", "approved", err) < 0)
		goto out;
	mlc_outcome(out, q->id, 0, "request %lld approved: the policy of %s changed (%s)",
		    (long long)q->id, name, change);
	rc = 0;
out:
	free(approvers);
	free(change);
	MLC_LIST_FREE(&l);
	return rc;
}

static int do_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		   const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int approve = strcmp(decision, "approve") == 0, policy;
	struct req_row q;
	struct env_row e;
	sqlite3_stmt *st;
	char subject[64];
	int64_t approvals;

	if (load_request(r, id, &q, err) < 0 || load_env(r, NULL, q.env_id, &e, err) < 0 ||
	    check_voter(r, &q, &e, actor, err) < 0)
		return -1;
	policy = strcmp(q.kind, "policy") == 0;
	st = sq_prep(r,
		     policy ? "INSERT INTO policy_votes (request_id, voter, decision, at, comment)"
			      " VALUES (?, ?, ?, ?, ?)"
			    : "INSERT INTO votes (request_id, voter, decision, at, comment) VALUES "
			      "(?, ?, ?, ?, ?)",
		     err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, approve ? "approve" : "reject", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, timefmt_now_ms());
	sqlite3_bind_text(st, 5, comment ? comment : "", -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	snprintf(subject, sizeof subject, "request %lld", (long long)id);
	if (audit(r, actor, approve ? "approve" : "reject", subject, comment, err) < 0)
		return -1;
	if (!approve) {
		if (close_request(r, id, "rejected", "rejected", err) < 0)
			return -1;
		mlc_outcome(out, id, 0, "request %lld rejected by %s", (long long)id, actor);
		return 0;
	}
	approvals = query_int(
	    r,
	    "SELECT (SELECT count(*) FROM votes WHERE request_id = ?1 AND decision = 'approve')"
	    " + (SELECT count(*) FROM policy_votes WHERE request_id = ?1 AND decision = 'approve')",
	    0, err, "i", id);
	if (approvals < (e.required > 0 ? e.required : 1)) {
		mlc_outcome(out, id, 0, "request %lld: %lld of %lld approvals", (long long)id, (long long)approvals,
			(long long)e.required);
		return 0;
	}
	return policy ? complete_policy(r, &q, actor, out, err)
		      : complete(r, &q, &e, actor, out, err);
}

int sq_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		       const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_vote(r, id, decision, comment, actor, out, err), out, err);
}

static int do_cancel(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
		     struct mlc_error *err)
{
	struct req_row q;
	char subject[64];

	if (load_request(r, id, &q, err) < 0)
		return -1;
	if (strcmp(q.state, "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld is %s, not pending", (long long)id, q.state);
	if (strcmp(q.by, actor) != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld: only %s, who requested it, can cancel it",
				     (long long)id, q.by);
	snprintf(subject, sizeof subject, "request %lld", (long long)id);
	if (close_request(r, id, "cancelled", "cancelled by the requester", err) < 0 ||
	    audit(r, actor, "cancel", subject, "", err) < 0)
		return -1;
	mlc_outcome(out, id, 0, "request %lld cancelled", (long long)id);
	return 0;
}

int sq_cancel(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
			 struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_cancel(r, id, actor, out, err), out, err);
}

/* ---- environments ------------------------------------------------------- */

/* Replace e's approver list with the comma list s (mlc_approver_next). */
static int set_approvers(struct registry *r, int64_t env_id, const char *s, struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "DELETE FROM environment_approvers WHERE env_id = ?", err);
	const char *name;
	size_t n;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, env_id);
	rc = sq_step_done(r, st, sqlite3_step(st), err);
	while (rc == 0 && mlc_approver_next(&s, &name, &n)) {
		st = sq_prep(r, "INSERT OR IGNORE INTO environment_approvers (env_id, user) VALUES (?, ?)", err);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, env_id);
		sqlite3_bind_text(st, 2, name, (int)n, SQLITE_TRANSIENT);
		rc = sq_step_done(r, st, sqlite3_step(st), err);
	}
	return rc;
}

/* A new environment starts with nothing live, whatever aliases exist (the
 * alias E is the version live in E; an import or a hand may have made one):
 * remove the aliases named like c->name, saying which in detail and *c->notice. */
static int drop_new_env_aliases(struct registry *r, const struct mlc_env_change *c,
				struct strbuf *detail, struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT m.name, a.version FROM model_aliases a JOIN registered_models m"
				      " ON m.id = a.model_id WHERE a.alias = ? ORDER BY m.name", err);
	struct strbuf which = {0};
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sb_printf(&which, "%s%s (version %lld)", which.len ? ", " : "",
			  (const char *)sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1));
	rc = sq_step_done(r, st, rc, err);
	if (rc == 0 && which.len) {
		st = sq_prep(r, "DELETE FROM model_aliases WHERE alias = ?", err);
		if (st == NULL) {
			sb_free(&which);
			return -1;
		}
		sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
		rc = sq_step_done(r, st, sqlite3_step(st), err);
		sb_printf(detail, " removed alias '%s' of %s: a new environment starts with nothing live;",
			  c->name, sb_str(&which));
		if (rc == 0 && c->notice)
			*c->notice = xasprintf("environment %s: removed the alias '%s' of %s: a new environment "
					       "starts with nothing live", c->name, c->name, sb_str(&which));
	}
	sb_free(&which);
	return rc;
}

/* Apply policy change c as actor (creating the environment when missing),
 * audited; how, when not NULL, says by what right ("as root, directly"). */
static int apply_policy(struct registry *r, const struct mlc_env_change *c, const char *actor,
			const char *how, struct mlc_error *err)
{
	struct strbuf detail = {0};
	int64_t id, next;
	sqlite3_stmt *st;
	int rc;

	if (!mlc_env_name_valid(c->name))
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "environment '%s': names are lower case letters, digits, '-' and '_'", c->name);
	id = query_int(r, "SELECT id FROM environments WHERE name = ?", 0, err, "s", c->name);
	if (id == 0) {
		next = query_int(r, "SELECT coalesce(max(ord), 0) + 1 FROM environments", 1, err, "");
		st = sq_prep(r, "INSERT INTO environments (name, ord) VALUES (?, ?)", err);
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, c->have_order ? c->order : next);
		if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
			return -1;
		id = sqlite3_last_insert_rowid(DB(r));
		sb_add(&detail, "created;");
		if (drop_new_env_aliases(r, c, &detail, err) < 0) {
			sb_free(&detail);
			return -1;
		}
	}
	st = sq_prep(r, "UPDATE environments SET"
			" ord = CASE WHEN ?2 THEN ?3 ELSE ord END,"
			" required_approvals = CASE WHEN ?4 THEN ?5 ELSE required_approvals END,"
			" self_approval = CASE WHEN ?6 THEN ?7 ELSE self_approval END,"
			" rollback_approval = CASE WHEN ?8 THEN ?9 ELSE rollback_approval END,"
			" require_previous = CASE WHEN ?10 THEN ?11 ELSE require_previous END"
			" WHERE id = ?1", err);
	if (st == NULL) {
		sb_free(&detail);
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, c->have_order);
	sqlite3_bind_int64(st, 3, c->order);
	sqlite3_bind_int(st, 4, c->have_required);
	sqlite3_bind_int64(st, 5, c->required_approvals);
	sqlite3_bind_int(st, 6, c->have_self);
	sqlite3_bind_int(st, 7, c->self_approval);
	sqlite3_bind_int(st, 8, c->have_rollback);
	sqlite3_bind_int(st, 9, c->rollback_approval);
	sqlite3_bind_int(st, 10, c->have_previous);
	sqlite3_bind_int(st, 11, c->require_previous);
	rc = sq_step_done(r, st, sqlite3_step(st), err);
	if (rc == 0 && c->have_approvers)
		rc = set_approvers(r, id, c->approvers, err);
	if (c->have_order)
		sb_printf(&detail, " order=%lld", (long long)c->order);
	if (c->have_required)
		sb_printf(&detail, " required_approvals=%lld", (long long)c->required_approvals);
	if (c->have_approvers)
		sb_printf(&detail, " approvers=%s", c->approvers);
	if (c->have_self)
		sb_printf(&detail, " self_approval=%s", c->self_approval ? "yes" : "no");
	if (c->have_rollback)
		sb_printf(&detail, " rollback_approval=%s", c->rollback_approval ? "yes" : "no");
	if (c->have_previous)
		sb_printf(&detail, " require_previous=%s", c->require_previous ? "yes" : "no");
	if (how)
		sb_printf(&detail, "; %s", how);
	if (rc == 0) { /* the whole resulting policy, last, for env list and audit verify */
		sb_add(&detail, "; policy: ");
		rc = audit_env_policy(DB(r), id, &detail, err);
	}
	if (rc == 0)
		rc = audit(r, actor, "policy", c->name, sb_str(&detail), err);
	sb_free(&detail);
	return rc;
}

/* Open a request for policy change c of e (it loosens it: why). */
static int open_policy_request(struct registry *r, const struct mlc_env_change *c,
			       const struct mlc_env *e, const char *why, const char *actor,
			       struct mlc_outcome *out, struct mlc_error *err)
{
	int64_t id = next_request_id(r, err),
		need = e->required_approvals > 0 ? e->required_approvals : 1;
	sqlite3_stmt *st;
	char detail[800];

	if (id < 0)
		return -1;
	st = sq_prep(
	    r,
	    "INSERT INTO policy_requests (id, env_id, ord, required_approvals, approvers,"
	    " self_approval, rollback_approval, require_previous, change, requested_by,"
	    " requested_at, comment) SELECT ?1, id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12"
	    " FROM environments WHERE name = ?2",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_TRANSIENT);
	if (c->have_order)
		sqlite3_bind_int64(st, 3, c->order);
	if (c->have_required)
		sqlite3_bind_int64(st, 4, c->required_approvals);
	if (c->have_approvers)
		sqlite3_bind_text(st, 5, c->approvers, -1, SQLITE_TRANSIENT);
	if (c->have_self)
		sqlite3_bind_int(st, 6, c->self_approval);
	if (c->have_rollback)
		sqlite3_bind_int(st, 7, c->rollback_approval);
	if (c->have_previous)
		sqlite3_bind_int(st, 8, c->require_previous);
	sqlite3_bind_text(st, 9, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 11, timefmt_now_ms());
	sqlite3_bind_text(st, 12, c->comment ? c->comment : "", -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	snprintf(detail, sizeof detail, "request %lld: %s%s%s", (long long)id, why,
		 c->comment && *c->comment ? "; " : "", c->comment ? c->comment : "");
	if (audit(r, actor, "request policy", c->name, detail, err) < 0)
		return -1;
	mlc_outcome(out, id, 0,
		    "request %lld: change the policy of %s (%s): it loosens it, so it needs %lld "
		    "approval%s under the current policy",
		    (long long)id, e->name, why, (long long)need, need == 1 ? "" : "s");
	return 0;
}

static int do_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
		      struct mlc_outcome *out, struct mlc_error *err)
{
	struct mlc_env_list l = {0};
	struct strbuf why = {0};
	int kind, rc = -1;

	if (!mlc_env_name_valid(c->name))
		return mlc_error_set(
		    err, MLC_ERR_USAGE,
		    "environment '%s': names are lower case letters, digits, '-' and '_'", c->name);
	if (sq_env_list(r, &l, err) < 0 || (kind = mlc_policy_check(&l, c, actor, &why, err)) < 0)
		goto out;
	if (kind == MLC_POLICY_REQUEST) {
		for (size_t i = 0; i < l.n; i++)
			if (strcmp(l.items[i].name, c->name) == 0)
				rc = open_policy_request(r, c, &l.items[i], sb_str(&why), actor,
							 out, err);
		goto out;
	}
	if ((rc = apply_policy(r, c, actor, c->root_direct ? "as root, directly" : NULL, err)) == 0)
		mlc_outcome(out, 0, 0, "environment %s: policy saved (%s)%s", c->name, sb_str(&why),
			    c->root_direct ? ", as root, directly" : "");
out:
	sb_free(&why);
	MLC_LIST_FREE(&l);
	return rc;
}

int sq_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
	       struct mlc_outcome *out, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_env_set(r, c, actor, out, err), out, err);
}

int sq_env_list(struct registry *r, struct mlc_env_list *out, struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT " ENV_COLUMNS " FROM environments ORDER BY ord, name", err);
	sqlite3_stmt *ap = sq_prep(r, "SELECT user FROM environment_approvers WHERE env_id = ? ORDER BY user", err);
	struct env_row e;
	int rc;

	if (st == NULL || ap == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(ap);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_env *x = MLC_LIST_PUSH(out);
		env_from_row(st, &e);
		size_t cap = 0;
		x->name = arena_strdup(&out->arena, e.name);
		x->order = e.order;
		x->required_approvals = e.required;
		x->self_approval = e.self_approval;
		x->rollback_approval = e.rollback_approval;
		x->require_previous = e.require_previous;
		sqlite3_bind_int64(ap, 1, e.id);
		while (sqlite3_step(ap) == SQLITE_ROW)
			*(const char **)arena_grow(&out->arena, (void **)&x->approvers, &cap, x->n_approvers++,
						   sizeof(char *)) = sq_col_str(&out->arena, ap, 0);
		sqlite3_reset(ap);
		char why[512];
		if (audit_env_check(DB(r), e.id, e.name, why, sizeof why, err) == 1)
			x->edited_outside = arena_strdup(&out->arena, why);
	}
	sqlite3_finalize(ap);
	return sq_step_done(r, st, rc, err);
}

/* ---- reading deployments, requests, audit ------------------------------- */

int sq_deployments(struct registry *r, const char *model, const char *env,
			      struct mlc_live_list *live, struct mlc_event_list *history,
			      struct mlc_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (model && sq_model_id(r, model, err) <= 0)
		return -1;
	st = sq_prep(r, "SELECT m.name, e.name, a.version, d.at, d.by,"
			" coalesce((SELECT CASE WHEN h.ok THEN 'ok' ELSE 'failed' END FROM hook_runs h"
			"  WHERE h.deployment_id = d.id ORDER BY h.at DESC, h.id DESC LIMIT 1), 'none')"
			" FROM model_aliases a JOIN registered_models m ON m.id = a.model_id"
			" JOIN environments e ON e.name = a.alias"
			" LEFT JOIN deployments d ON d.id = (SELECT id FROM deployments WHERE model_id = a.model_id"
			"  AND env_id = e.id ORDER BY at DESC, id DESC LIMIT 1)"
			" WHERE (?1 IS NULL OR m.name = ?1) AND (?2 IS NULL OR e.name = ?2)"
			" ORDER BY m.name, e.ord", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, env, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_live *l = MLC_LIST_PUSH(live);
		l->model = sq_col_str(&live->arena, st, 0);
		l->environment = sq_col_str(&live->arena, st, 1);
		l->version = sq_col_str(&live->arena, st, 2);
		l->since = sqlite3_column_int64(st, 3);
		l->by = sq_col_str(&live->arena, st, 4);
		l->hook_status = sq_col_str(&live->arena, st, 5);
	}
	if (sq_step_done(r, st, rc, err) < 0)
		return -1;
	st = sq_prep(r, "SELECT m.name, e.name, d.version, coalesce(d.previous_version, ''), d.action, d.at, d.by"
			" FROM deployments d JOIN registered_models m ON m.id = d.model_id"
			" JOIN environments e ON e.id = d.env_id"
			" WHERE (?1 IS NULL OR m.name = ?1) AND (?2 IS NULL OR e.name = ?2)"
			" ORDER BY d.at DESC, d.id DESC", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, env, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_deploy_event *d = MLC_LIST_PUSH(history);
		d->model = sq_col_str(&history->arena, st, 0);
		d->environment = sq_col_str(&history->arena, st, 1);
		d->version = sq_col_str(&history->arena, st, 2);
		d->previous_version = sq_col_str(&history->arena, st, 3);
		d->action = sq_col_str(&history->arena, st, 4);
		d->at = sqlite3_column_int64(st, 5);
		d->by = sq_col_str(&history->arena, st, 6);
	}
	return sq_step_done(r, st, rc, err);
}

int sq_requests(struct registry *r, int which, int64_t id, struct mlc_request_list *out,
			   struct mlc_error *err)
{
	sqlite3_stmt *st, *vt;
	int rc;

	st = sq_prep(
	    r,
	    "SELECT * FROM (SELECT q.id AS id, m.name, q.version, e.name, q.kind, q.state AS state,"
	    " q.requested_by, q.comment, coalesce(q.close_reason, ''), q.requested_at AS at,"
	    " coalesce(q.closed_at, 0), ''"
	    " FROM promotion_requests q JOIN registered_models m ON m.id = q.model_id"
	    " JOIN environments e ON e.id = q.env_id"
	    " UNION ALL SELECT p.id, '', '', e.name, 'policy', p.state, p.requested_by, p.comment,"
	    " coalesce(p.close_reason, ''), p.requested_at, coalesce(p.closed_at, 0), p.change"
	    " FROM policy_requests p JOIN environments e ON e.id = p.env_id)"
	    " WHERE (?1 > 0 AND id = ?1) OR (?1 = 0 AND (?2 OR state = 'pending'))"
	    " ORDER BY CASE WHEN ?2 THEN -id ELSE at END, id",
	    err);
	vt =
	    sq_prep(r,
		    "SELECT voter, decision, at, comment FROM votes WHERE request_id = ?1 UNION ALL"
		    " SELECT voter, decision, at, comment FROM policy_votes WHERE request_id = ?1"
		    " ORDER BY at, voter",
		    err);
	if (st == NULL || vt == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(vt);
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, which == REQ_ALL);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_request *q = MLC_LIST_PUSH(out);
		size_t cap = 0;
		q->id = sqlite3_column_int64(st, 0);
		q->model = sq_col_str(&out->arena, st, 1);
		q->version = sq_col_str(&out->arena, st, 2);
		q->environment = sq_col_str(&out->arena, st, 3);
		q->kind = sq_col_str(&out->arena, st, 4);
		q->state = sq_col_str(&out->arena, st, 5);
		q->requested_by = sq_col_str(&out->arena, st, 6);
		q->comment = sq_col_str(&out->arena, st, 7);
		q->close_reason = sq_col_str(&out->arena, st, 8);
		q->requested_at = sqlite3_column_int64(st, 9);
		q->closed_at = sqlite3_column_int64(st, 10);
		q->change = sq_col_str(&out->arena, st, 11);
		sqlite3_bind_int64(vt, 1, q->id);
		while (sqlite3_step(vt) == SQLITE_ROW) {
			struct mlc_vote *v = arena_grow(&out->arena, (void **)&q->votes, &cap, q->n_votes++,
							sizeof *v);
			v->by = sq_col_str(&out->arena, vt, 0);
			v->decision = sq_col_str(&out->arena, vt, 1);
			v->at = sqlite3_column_int64(vt, 2);
			v->comment = sq_col_str(&out->arena, vt, 3);
		}
		sqlite3_reset(vt);
	}
	sqlite3_finalize(vt);
	if (sq_step_done(r, st, rc, err) < 0)
		return -1;
	if (id > 0 && out->n == 0)
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)id);
	return 0;
}

int sq_audit(struct registry *r, int64_t limit, struct mlc_audit_list *out,
			struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT at, actor, action, subject, detail FROM audit_log"
				      " ORDER BY at DESC, id DESC LIMIT ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_audit *a = MLC_LIST_PUSH(out);
		a->at = sqlite3_column_int64(st, 0);
		a->actor = sq_col_str(&out->arena, st, 1);
		a->action = sq_col_str(&out->arena, st, 2);
		a->subject = sq_col_str(&out->arena, st, 3);
		a->detail = sq_col_str(&out->arena, st, 4);
	}
	return sq_step_done(r, st, rc, err);
}


/* ---- hook outcomes ------------------------------------------------------ */

static int do_record_hook(struct registry *r, const char *model, const char *env, const char *version,
			  int ok, int status, const char *detail, const char *actor, struct mlc_error *err)
{
	struct env_row e;
	int64_t mid, dep, v;
	sqlite3_stmt *st;
	char subject[600];

	if ((v = mlc_version_parse(version, err)) < 0 || load_env(r, env, 0, &e, err) < 0 ||
	    (mid = sq_model_id(r, model, err)) <= 0)
		return -1;
	/* the latest deployment of the version the hook ran for (a newer one of
	 * another version keeps its own outcome) */
	dep = query_int(r, "SELECT id FROM deployments WHERE model_id = ? AND env_id = ? AND version = ?"
			   " ORDER BY at DESC, id DESC LIMIT 1", 0, err, "iii", mid, e.id, v);
	if (dep <= 0)
		return dep < 0 ? -1 : mlc_error_set(err, MLC_ERR_FAILED, "%s %lld was never deployed to %s",
						    model, (long long)v, e.name);
	st = sq_prep(r, "INSERT INTO hook_runs (deployment_id, at, ok, status, detail) VALUES (?, ?, ?, ?, ?)", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, dep);
	sqlite3_bind_int64(st, 2, timefmt_now_ms());
	sqlite3_bind_int(st, 3, ok ? 1 : 0);
	sqlite3_bind_int(st, 4, status);
	sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	snprintf(subject, sizeof subject, "%s@%s", model, e.name);
	return audit(r, actor, ok ? "hook ok" : "hook failed", subject, detail, err);
}

int sq_record_hook(struct registry *r, const char *model, const char *env, const char *version, int ok,
		   int status, const char *detail, const char *actor, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish(r, do_record_hook(r, model, env, version, ok, status, detail, actor, err), err);
}
