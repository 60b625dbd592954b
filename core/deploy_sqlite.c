/* deploy_sqlite.c: the local registry's storage for the policy engine
 * (core/policy.c decides). Every change — deploy, rollback, request, vote,
 * cancel, policy — runs in one IMMEDIATE transaction that reads what the
 * policy decides on (struct mlc_place, the request and its votes) and writes
 * the change with its audit records, so concurrent consoles get exactly one
 * outcome and a killed process leaves the registry as before or as after. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "deploy.h"
#include "policy.h"
#include "sqlite_impl.h"
#include "sqlutil.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

/* ---- small queries ------------------------------------------------------ */

/* One integer from sql with up to three bound values (text or int64). */
static int64_t query_int(struct registry *r, const char *sql, int64_t dflt, struct mlc_error *err,
			 const char *types, ...)
{
	int64_t v = dflt;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = sql_vint(DB(r), PATH(r), &v, err, sql, types, ap);
	va_end(ap);
	return rc < 0 ? -1 : v;
}

/* The id of environment name; -1 with a NOT FOUND naming it. */
static int64_t env_id(struct registry *r, const char *name, struct mlc_error *err)
{
	int64_t id = query_int(r, "SELECT id FROM environments WHERE name = ?", 0, err, "s", name);

	if (id == 0)
		return mlc_policy_no_env(name, err);
	return id;
}

/* What version v of model mid is to the policy (MLC_V_*); -1 with err. */
static int version_state(struct registry *r, int64_t mid, int64_t v, struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r, "SELECT stage FROM model_versions WHERE model_id = ? AND version = ?", err);
	int vs = MLC_V_MISSING;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, v);
	if (sqlite3_step(st) == SQLITE_ROW)
		vs = strcmp((const char *)sqlite3_column_text(st, 0), "Archived") == 0
			 ? MLC_V_ARCHIVED
			 : MLC_V_OK;
	sqlite3_finalize(st);
	return vs;
}

/* Append an audit record (inside the caller's transaction). */
static int audit(struct registry *r, const char *actor, const char *action, const char *subject,
		 const char *detail, struct mlc_error *err)
{
	return audit_append(DB(r), sq_now(r), actor, action, subject, detail, err);
}

/* The deployment history of model (NULL: every model) in env (NULL: every
 * environment), newest first, onto out. */
static int read_history(struct registry *r, const char *model, const char *env,
			struct mlc_event_list *out, struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r,
		    "SELECT m.name, e.name, d.version, coalesce(d.previous_version, ''), d.action, "
		    "d.at, d.by"
		    " FROM deployments d JOIN registered_models m ON m.id = d.model_id"
		    " JOIN environments e ON e.id = d.env_id"
		    " WHERE (?1 IS NULL OR m.name = ?1) AND (?2 IS NULL OR e.name = ?2)"
		    " ORDER BY d.at DESC, d.id DESC",
		    err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, env, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_deploy_event *d = MLC_LIST_PUSH(out);
		d->model = sq_col_str(&out->arena, st, 0);
		d->environment = sq_col_str(&out->arena, st, 1);
		d->version = sq_col_str(&out->arena, st, 2);
		d->previous_version = sq_col_str(&out->arena, st, 3);
		d->action = sq_col_str(&out->arena, st, 4);
		d->at = sqlite3_column_int64(st, 5);
		d->by = sq_col_str(&out->arena, st, 6);
	}
	return sq_step_done(r, st, rc, err);
}

/* ---- transactions ------------------------------------------------------- */

/* Start a write: refused on a read-only registry. Under the write lock, the
 * change's own check first (registry_change_check: a deploy's or a vote's
 * gates), so it reads what the change writes over. */
static int begin(struct registry *r, struct mlc_error *err)
{
	if (r->read_only)
		return mlc_error_set(err, MLC_ERR_READONLY, "%s: the registry is open read-only",
				     PATH(r));
	if (sq_exec(r, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (registry_change_check(r, err) < 0) {
		sqlite3_exec(DB(r), "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
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

/* ---- the place a change reads ------------------------------------------- */

/* One model in one environment as a change reads it: the policy's place, the
 * row ids the writes need, the pending requests there (read_pending). */
struct spot {
	struct mlc_place p;
	struct mlc_env_list envs;
	struct mlc_event_list hist;
	int64_t mid, env_id;
	struct mlc_pending *pending;
	size_t n_pending;
};

static void spot_free(struct spot *s)
{
	MLC_LIST_FREE(&s->envs);
	MLC_LIST_FREE(&s->hist);
	free(s->pending);
}

/* Read model's history into s (again, after a write to it). */
static int spot_history(struct registry *r, struct spot *s, struct mlc_error *err)
{
	MLC_LIST_FREE(&s->hist);
	s->hist = (struct mlc_event_list){0};
	if (read_history(r, s->p.model, NULL, &s->hist, err) < 0)
		return -1;
	s->p.history = s->hist.items;
	s->p.n_history = s->hist.n;
	return 0;
}

/* Read model in environment env into s (zeroed by the caller; spot_free). */
static int read_place(struct registry *r, const char *model, const char *env, struct spot *s,
		      struct mlc_error *err)
{
	if ((s->env_id = env_id(r, env, err)) < 0 || sq_env_list(r, &s->envs, err) < 0 ||
	    (s->mid = sq_model_id(r, model, err)) <= 0)
		return -1;
	for (size_t i = 0; i < s->envs.n; i++)
		if (strcmp(s->envs.items[i].name, env) == 0)
			s->p.env = &s->envs.items[i];
	s->p.envs = &s->envs;
	s->p.model = model;
	s->p.live =
	    query_int(r, "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", 0,
		      err, "is", s->mid, env);
	return s->p.env == NULL || s->p.live < 0 ? -1 : spot_history(r, s, err);
}

/* Add a history row: version v of s's model went live in its environment. */
static int insert_deployment(struct registry *r, const struct spot *s, int64_t v, int64_t prev,
			     const char *action, int64_t at, const char *by, int64_t request_id,
			     struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r,
		    "INSERT INTO deployments (model_id, env_id, version, previous_version,"
		    " action, at, by, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->mid);
	sqlite3_bind_int64(st, 2, s->env_id);
	sqlite3_bind_int64(st, 3, v);
	if (prev > 0)
		sqlite3_bind_int64(st, 4, prev);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, at);
	sqlite3_bind_text(st, 7, by, -1, SQLITE_TRANSIENT);
	if (request_id > 0)
		sqlite3_bind_int64(st, 8, request_id);
	return sq_step_done(r, st, sqlite3_step(st), err);
}

/* An alias another client moved (mlc_policy_external): record the move in
 * the history and the audit log as 'external', before any change, so it is
 * never taken for the actor's. */
static int note_external(struct registry *r, struct spot *s, struct mlc_error *err)
{
	struct mlc_deploy_event ev;
	char vb[24], pb[24], subject[600], detail[160];
	int64_t prev;

	if (!mlc_policy_external(&s->p, sq_now(r), &ev, vb, sizeof vb, pb, sizeof pb))
		return 0;
	prev = strtoll(pb, NULL, 10);
	snprintf(subject, sizeof subject, "%s:%s@%s", ev.model, ev.version, ev.environment);
	snprintf(detail, sizeof detail, "%s%s; moved by another client, as observed",
		 prev > 0 ? "from version " : "first deployment", prev > 0 ? pb : "");
	if (insert_deployment(r, s, s->p.live, prev, ev.action, ev.at, ev.by, 0, err) < 0 ||
	    audit(r, ev.by, ev.action, subject, detail, err) < 0)
		return -1;
	return spot_history(r, s, err);
}

/* The pending requests of s's model in its environment into s->pending. */
static int read_pending(struct registry *r, struct spot *s, struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r,
		    "SELECT id, version, kind FROM promotion_requests WHERE model_id = ?"
		    " AND env_id = ? AND state = 'pending' ORDER BY id",
		    err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->mid);
	sqlite3_bind_int64(st, 2, s->env_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_pending *q;
		s->pending = xrealloc(s->pending, (s->n_pending + 1) * sizeof *s->pending);
		q = &s->pending[s->n_pending++];
		q->id = sqlite3_column_int64(st, 0);
		q->version = sqlite3_column_int64(st, 1);
		q->kind = strcmp((const char *)sqlite3_column_text(st, 2), "rollback") == 0
			      ? "rollback"
			      : "promote";
	}
	return sq_step_done(r, st, rc, err);
}

/* Make v live in s's environment: alias, history row, model timestamp, audit;
 * note it in out (the transaction may still roll back: finish_out clears
 * deployed). */
static int make_live(struct registry *r, const struct spot *s, int64_t v, const char *action,
		     const char *actor, int64_t request_id, struct mlc_outcome *out,
		     struct mlc_error *err)
{
	int64_t prev = s->p.live, now = sq_now(r);
	const char *model = s->p.model, *env = s->p.env->name;
	sqlite3_stmt *st;
	char subject[600], detail[128];

	st = sq_prep(r,
		     "INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)"
		     " ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version",
		     err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->mid);
	sqlite3_bind_text(st, 2, env, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, v);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0 ||
	    insert_deployment(r, s, v, prev, action, now, actor, request_id, err) < 0)
		return -1;
	st = sq_prep(r, "UPDATE registered_models SET last_updated_time = ? WHERE id = ?", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, s->mid);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, env);
	if (prev > 0)
		snprintf(detail, sizeof detail, "from version %lld", (long long)prev);
	else
		snprintf(detail, sizeof detail, "first deployment");
	if (audit(r, actor, action, subject, detail, err) < 0)
		return -1;
	mlc_outcome_where(out, model, env, action, v, prev);
	return 0;
}

/* ---- deploy and rollback ------------------------------------------------ */

static int do_deploy(struct registry *r, const char *model, const char *version, const char *env,
		     const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct spot s = {0};
	int64_t v;
	int rc = -1, vs;

	if ((v = mlc_version_parse(version, err)) > 0 && read_place(r, model, env, &s, err) == 0 &&
	    note_external(r, &s, err) == 0 && (vs = version_state(r, s.mid, v, err)) >= 0 &&
	    mlc_policy_deploy(&s.p, v, vs, NULL, err) == 0 &&
	    make_live(r, &s, v, "deploy", actor, 0, out, err) == 0) {
		mlc_said_deployed(out, model, v, s.p.env->name, s.p.live);
		rc = 0;
	}
	spot_free(&s);
	return rc;
}

int sq_deploy(struct registry *r, const char *model, const char *version, const char *env,
	      const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_deploy(r, model, version, env, actor, out, err), out, err);
}

static int do_rollback(struct registry *r, const char *model, const char *env, const char *to,
		       const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct spot s = {0};
	int64_t target;
	int rc = -1, vs;

	if (read_place(r, model, env, &s, err) == 0 && note_external(r, &s, err) == 0 &&
	    mlc_policy_rollback(&s.p, to, 0, &target, err) == 0 &&
	    (vs = version_state(r, s.mid, target, err)) >= 0 &&
	    mlc_policy_rollback_version(&s.p, target, to, vs, err) == 0 &&
	    make_live(r, &s, target, "rollback", actor, 0, out, err) == 0) {
		mlc_said_rolled_back(out, model, s.p.env->name, s.p.live, target);
		rc = 0;
	}
	spot_free(&s);
	return rc;
}

int sq_rollback_target(struct registry *r, const char *model, const char *env, char *version,
		       size_t len, struct mlc_error *err)
{
	struct spot s = {0};
	int64_t target;
	int rc = -1;

	/* where a rollback (or its request) would go: a read, nothing recorded */
	if (read_place(r, model, env, &s, err) == 0 &&
	    mlc_policy_rollback(&s.p, NULL, 1, &target, err) == 0) {
		snprintf(version, len, "%lld", (long long)target);
		rc = 0;
	}
	spot_free(&s);
	return rc;
}

int sq_rollback(struct registry *r, const char *model, const char *env, const char *to,
		const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_rollback(r, model, env, to, actor, out, err), out, err);
}

/* ---- requests and votes ------------------------------------------------- */

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
		sqlite3_bind_int64(st, 2, sq_now(r));
		sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, id);
		if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
			return -1;
	}
	return 0;
}

/* Close the pending requests s read (read_pending): superseded by id. */
static int supersede(struct registry *r, const struct spot *s, int64_t id, const char *actor,
		     struct mlc_error *err)
{
	char reason[64], subject[600], detail[128], ver[24];

	mlc_policy_superseded(id, reason, sizeof reason);
	for (size_t i = 0; i < s->n_pending; i++) {
		snprintf(ver, sizeof ver, "%lld", (long long)s->pending[i].version);
		mlc_audit_subject(subject, sizeof subject, s->p.model, ver, s->p.env->name);
		mlc_audit_request_detail(detail, sizeof detail, s->pending[i].id, reason);
		if (close_request(r, s->pending[i].id, "closed", reason, err) < 0 ||
		    audit(r, actor, "close", subject, detail, err) < 0)
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

/* Store request id (kind, version v of s's model, comment) as actor. */
static int insert_request(struct registry *r, const struct spot *s, int64_t id, const char *kind,
			  int64_t v, const char *comment, const char *actor, struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r,
		    "INSERT INTO promotion_requests (model_id, version, env_id, kind,"
		    " requested_by, requested_at, comment, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->mid);
	sqlite3_bind_int64(st, 2, v);
	sqlite3_bind_int64(st, 3, s->env_id);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, sq_now(r));
	sqlite3_bind_text(st, 7, comment, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, id);
	return sq_step_done(r, st, sqlite3_step(st), err);
}

static int do_request(struct registry *r, const char *model, const char *version, const char *env,
		      const char *kind, const char *comment, const char *actor,
		      struct mlc_outcome *out, struct mlc_error *err)
{
	int rollback = strcmp(kind, "rollback") == 0, rc = -1, vs, cut;
	char note[MLC_COMMENT_MAX + 1], subject[600], detail[MLC_COMMENT_MAX + 32], ver[24];
	struct spot s = {0};
	int64_t v = 0, id = 0;

	if (read_place(r, model, env, &s, err) < 0 || note_external(r, &s, err) < 0 ||
	    (rollback ? mlc_policy_rollback(&s.p, version, 1, &v, err) < 0
		      : (v = mlc_version_parse(version, err)) < 0) ||
	    (vs = version_state(r, s.mid, v, err)) < 0 || read_pending(r, &s, err) < 0 ||
	    mlc_policy_request(&s.p, kind, v, vs, NULL, s.pending, s.n_pending, err) < 0 ||
	    (id = next_request_id(r, err)) < 0)
		goto out;
	cut = mlc_policy_comment(comment, note);
	snprintf(ver, sizeof ver, "%lld", (long long)v);
	mlc_audit_subject(subject, sizeof subject, model, ver, s.p.env->name);
	mlc_audit_request_detail(detail, sizeof detail, id, note);
	if (insert_request(r, &s, id, kind, v, note, actor, err) < 0 ||
	    audit(r, actor, rollback ? "request rollback" : "request", subject, detail, err) < 0 ||
	    supersede(r, &s, id, actor, err) < 0)
		goto out;
	mlc_said_requested(out, id, kind, model, v, s.p.env->name);
	mlc_said_comment_cut(out, cut);
	rc = 0;
out:
	spot_free(&s);
	return rc;
}

int sq_request(struct registry *r, const char *model, const char *version, const char *env,
	       const char *kind, const char *comment, const char *actor, struct mlc_outcome *out,
	       struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish_out(r, do_request(r, model, version, env, kind, comment, actor, out, err),
			  out, err);
}

/* The approval that satisfies the policy of promotion or rollback request q:
 * make its version live, or close it when the policy says it is no longer
 * eligible. */
static int complete(struct registry *r, const struct mlc_request *q, const char *actor,
		    struct mlc_outcome *out, struct mlc_error *err)
{
	int rollback = strcmp(q->kind, "rollback") == 0, rc = -1, vs;
	int64_t v = strtoll(q->version, NULL, 10);
	struct mlc_error why = {0};
	struct spot s = {0};
	char subject[600], detail[sizeof why.msg + 32];

	if (read_place(r, q->model, q->environment, &s, err) < 0 || note_external(r, &s, err) < 0 ||
	    (vs = version_state(r, s.mid, v, err)) < 0)
		goto out;
	if (mlc_policy_complete(&s.p, q, v, vs, NULL, &why) != 0) {
		mlc_audit_subject(subject, sizeof subject, q->model, q->version, q->environment);
		mlc_audit_request_detail(detail, sizeof detail, q->id, why.msg);
		if (close_request(r, q->id, "closed", why.msg, err) < 0 ||
		    audit(r, actor, "close", subject, detail, err) < 0)
			goto out;
		mlc_said_closed(out, q->id, why.msg);
	} else {
		if (make_live(r, &s, v, rollback ? "rollback" : "deploy", actor, q->id, out, err) <
			0 ||
		    close_request(r, q->id, "approved", "approved", err) < 0)
			goto out;
		mlc_said_approved(out, q->id, 1, q->model, v, s.p.env->name);
	}
	rc = 0;
out:
	spot_free(&s);
	return rc;
}

static int apply_policy(struct registry *r, const struct mlc_env_change *c, const char *actor,
			const char *how, struct mlc_error *err);
static int read_request_gates(struct registry *r, int64_t id, const char *op,
			      struct mlc_env_list *l, const char *const **v, size_t *n,
			      struct mlc_error *err);

/* The approval that satisfies the policy of a policy request q: apply its
 * change, or close it when it no longer means what was voted on (the whole
 * check again, against the environments as they are now). */
static int complete_policy(struct registry *r, const struct mlc_request *q, const char *actor,
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
		return mlc_policy_no_request(q->id, err);
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
	if (read_request_gates(r, q->id, "add", &l, &c.gate_add, &c.n_gate_add, err) < 0 ||
	    read_request_gates(r, q->id, "rm", &l, &c.gate_rm, &c.n_gate_rm, err) < 0 ||
	    sq_env_list(r, &l, err) < 0)
		goto out;
	if ((now = mlc_policy_recheck(&l, &c, by, change, &why)) < 0) {
		char detail[sizeof why.msg + 32];
		mlc_audit_request_detail(detail, sizeof detail, q->id, why.msg);
		if (close_request(r, q->id, "closed", why.msg, err) == 0 &&
		    audit(r, actor, "close", name, detail, err) == 0) {
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
	mlc_said_policy_changed(out, q->id, name, change);
	rc = 0;
out:
	free(approvers);
	free(change);
	MLC_LIST_FREE(&l);
	return rc;
}

/* Store actor's vote (decision, comment) on request q, audited. */
static int insert_vote(struct registry *r, const struct mlc_request *q, int approve,
		       const char *comment, const char *actor, struct mlc_error *err)
{
	sqlite3_stmt *st =
	    sq_prep(r,
		    strcmp(q->kind, "policy") == 0
			? "INSERT INTO policy_votes (request_id, voter, decision, at, comment)"
			  " VALUES (?, ?, ?, ?, ?)"
			: "INSERT INTO votes (request_id, voter, decision, at, comment)"
			  " VALUES (?, ?, ?, ?, ?)",
		    err);
	char subject[600], detail[MLC_COMMENT_MAX + 32];

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, q->id);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, approve ? "approve" : "reject", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, sq_now(r));
	sqlite3_bind_text(st, 5, comment, -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	mlc_audit_subject(subject, sizeof subject, q->model, q->version, q->environment);
	mlc_audit_request_detail(detail, sizeof detail, q->id, comment);
	return audit(r, actor, approve ? "approve" : "reject", subject, detail, err);
}

/* Request id (either kind, with its votes) into l, and its environment's
 * policy from envs into *e. */
static int read_request(struct registry *r, int64_t id, struct mlc_request_list *l,
			struct mlc_env_list *envs, const struct mlc_env **e, struct mlc_error *err)
{
	if (sq_requests(r, REQ_ALL, id, l, err) < 0 || sq_env_list(r, envs, err) < 0)
		return -1;
	*e = NULL;
	for (size_t i = 0; i < envs->n; i++)
		if (strcmp(envs->items[i].name, l->items[0].environment) == 0)
			*e = &envs->items[i];
	if (*e == NULL)
		return mlc_policy_no_env(l->items[0].environment, err);
	return 0;
}

static int do_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		   const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int approve = strcmp(decision, "approve") == 0, rc = -1, cut;
	struct mlc_request_list l = {0};
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	const struct mlc_request *q;
	char note[MLC_COMMENT_MAX + 1];
	int64_t k;

	if (read_request(r, id, &l, &envs, &e, err) < 0 ||
	    mlc_policy_may_vote(q = &l.items[0], e, actor, err) < 0)
		goto out;
	cut = mlc_policy_comment(comment, note);
	if (insert_vote(r, q, approve, note, actor, err) < 0)
		goto out;
	k = mlc_policy_approvals(q) + approve; /* the votes before, and this one */
	if (!approve) {
		if (close_request(r, id, "rejected", "rejected", err) < 0)
			goto out;
		mlc_said_rejected(out, id, actor);
	} else if (k < mlc_policy_need(e)) {
		mlc_said_counted(out, id, k, mlc_policy_need(e));
	} else if ((strcmp(q->kind, "policy") == 0 ? complete_policy(r, q, actor, out, err)
						   : complete(r, q, actor, out, err)) < 0) {
		goto out;
	}
	mlc_said_comment_cut(out, cut);
	rc = 0;
out:
	MLC_LIST_FREE(&l);
	MLC_LIST_FREE(&envs);
	return rc;
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
	struct mlc_request_list l = {0};
	char subject[600], detail[32];
	int rc = -1;

	mlc_audit_request_detail(detail, sizeof detail, id, NULL);
	if (sq_requests(r, REQ_ALL, id, &l, err) < 0 ||
	    mlc_policy_may_cancel(&l.items[0], actor, err) < 0)
		goto out;
	mlc_audit_subject(subject, sizeof subject, l.items[0].model, l.items[0].version,
			  l.items[0].environment);
	if (close_request(r, id, "cancelled", "cancelled by the requester", err) == 0 &&
	    audit(r, actor, "cancel", subject, detail, err) == 0) {
		mlc_said_cancelled(out, id);
		rc = 0;
	}
out:
	MLC_LIST_FREE(&l);
	return rc;
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
		st = sq_prep(
		    r, "INSERT OR IGNORE INTO environment_approvers (env_id, user) VALUES (?, ?)",
		    err);
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
	sqlite3_stmt *st =
	    sq_prep(r,
		    "SELECT m.name, a.version FROM model_aliases a JOIN registered_models m"
		    " ON m.id = a.model_id WHERE a.alias = ? ORDER BY m.name",
		    err);
	struct strbuf which = {0};
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sb_printf(&which, "%s%s (version %lld)", which.len ? ", " : "",
			  (const char *)sqlite3_column_text(st, 0),
			  (long long)sqlite3_column_int64(st, 1));
	rc = sq_step_done(r, st, rc, err);
	if (rc == 0 && which.len) {
		st = sq_prep(r, "DELETE FROM model_aliases WHERE alias = ?", err);
		if (st == NULL) {
			sb_free(&which);
			return -1;
		}
		sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
		rc = sq_step_done(r, st, sqlite3_step(st), err);
		sb_printf(detail,
			  " removed alias '%s' of %s: a new environment starts with nothing live;",
			  c->name, sb_str(&which));
		if (rc == 0 && c->notice)
			*c->notice = xasprintf(
			    "environment %s: removed the alias '%s' of %s: a new environment "
			    "starts with nothing live",
			    c->name, c->name, sb_str(&which));
	}
	sb_free(&which);
	return rc;
}

/* Add and remove the gates change c names in environment env_id, each
 * noted in detail ("gate+='EXPR'", "gate-='EXPR'"). */
static int set_gates(struct registry *r, int64_t env_id, const struct mlc_env_change *c,
		     struct strbuf *detail, struct mlc_error *err)
{
	sqlite3_stmt *st;

	for (size_t i = 0; i < c->n_gate_add + c->n_gate_rm; i++) {
		int add = i < c->n_gate_add;
		const char *expr = add ? c->gate_add[i] : c->gate_rm[i - c->n_gate_add];
		st = sq_prep(r,
			     add ? "INSERT OR IGNORE INTO environment_gates (env_id, expr)"
				   " VALUES (?, ?)"
				 : "DELETE FROM environment_gates WHERE env_id = ? AND expr = ?",
			     err);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, env_id);
		sqlite3_bind_text(st, 2, expr, -1, SQLITE_TRANSIENT);
		if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
			return -1;
		sb_printf(detail, " gate%c='%s'", add ? '+' : '-', expr);
	}
	return 0;
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

	if (mlc_policy_env_name(c->name, err) < 0)
		return -1;
	id = query_int(r, "SELECT id FROM environments WHERE name = ?", 0, err, "s", c->name);
	if (id < 0)
		return -1;
	if (id == 0) {
		next =
		    query_int(r, "SELECT coalesce(max(ord), 0) + 1 FROM environments", 1, err, "");
		if (next < 0)
			return -1;
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
	st = sq_prep(r,
		     "UPDATE environments SET"
		     " ord = CASE WHEN ?2 THEN ?3 ELSE ord END,"
		     " required_approvals = CASE WHEN ?4 THEN ?5 ELSE required_approvals END,"
		     " self_approval = CASE WHEN ?6 THEN ?7 ELSE self_approval END,"
		     " rollback_approval = CASE WHEN ?8 THEN ?9 ELSE rollback_approval END,"
		     " require_previous = CASE WHEN ?10 THEN ?11 ELSE require_previous END"
		     " WHERE id = ?1",
		     err);
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
	if (rc == 0)
		rc = set_gates(r, id, c, &detail, err);
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

/* Keep the gates policy change c adds and removes with its request id. */
static int store_request_gates(struct registry *r, int64_t id, const struct mlc_env_change *c,
			       struct mlc_error *err)
{
	for (size_t i = 0; i < c->n_gate_add + c->n_gate_rm; i++) {
		int add = i < c->n_gate_add;
		sqlite3_stmt *st = sq_prep(r,
					   "INSERT OR IGNORE INTO policy_request_gates"
					   " (request_id, op, expr) VALUES (?, ?, ?)",
					   err);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, add ? "add" : "rm", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, add ? c->gate_add[i] : c->gate_rm[i - c->n_gate_add], -1,
				  SQLITE_TRANSIENT);
		if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
			return -1;
	}
	return 0;
}

/* The gates policy request id adds (op "add") or removes ("rm") into l's
 * arena: *v, *n. */
static int read_request_gates(struct registry *r, int64_t id, const char *op,
			      struct mlc_env_list *l, const char *const **v, size_t *n,
			      struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r,
				   "SELECT expr FROM policy_request_gates WHERE request_id = ?"
				   " AND op = ? ORDER BY rowid",
				   err);
	const char **out = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, op, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*(const char **)arena_grow(&l->arena, (void **)&out, &cap, (*n)++, sizeof(char *)) =
		    sq_col_str(&l->arena, st, 0);
	*v = out;
	return sq_step_done(r, st, rc, err);
}

/* Open a request for policy change c of e (it loosens it: why). */
static int open_policy_request(struct registry *r, const struct mlc_env_change *c,
			       const struct mlc_env *e, const char *why, const char *actor,
			       struct mlc_outcome *out, struct mlc_error *err)
{
	int64_t id = next_request_id(r, err), need = mlc_policy_need(e);
	char note[MLC_COMMENT_MAX + 1];
	int cut = mlc_policy_comment(c->comment, note), rc;
	struct strbuf detail = {0};
	sqlite3_stmt *st;

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
	sqlite3_bind_int64(st, 11, sq_now(r));
	sqlite3_bind_text(st, 12, note, -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0 ||
	    store_request_gates(r, id, c, err) < 0)
		return -1;
	sb_printf(&detail, "request %lld: %s%s%s", (long long)id, why, *note ? "; " : "", note);
	rc = audit(r, actor, "request policy", c->name, sb_str(&detail), err);
	sb_free(&detail);
	if (rc < 0)
		return -1;
	mlc_said_policy_requested(out, id, e->name, why, need);
	mlc_said_comment_cut(out, cut);
	return 0;
}

static int do_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
		      struct mlc_outcome *out, struct mlc_error *err)
{
	struct mlc_env_list l = {0};
	struct strbuf why = {0};
	int kind, rc = -1;

	if (mlc_policy_env_name(c->name, err) < 0)
		return -1;
	if (sq_env_list(r, &l, err) < 0 || (kind = mlc_policy_check(&l, c, actor, &why, err)) < 0)
		goto out;
	if (kind == MLC_POLICY_REQUEST) {
		for (size_t i = 0; i < l.n; i++)
			if (strcmp(l.items[i].name, c->name) == 0)
				rc = open_policy_request(r, c, &l.items[i], sb_str(&why), actor,
							 out, err);
		goto out;
	}
	if ((rc = apply_policy(r, c, actor, c->root_direct ? MLC_ROOT_DIRECT : NULL, err)) == 0)
		mlc_said_policy_saved(out, c->name, sb_str(&why), c->root_direct);
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
	sqlite3_stmt *st =
	    sq_prep(r,
		    "SELECT id, ord, required_approvals, self_approval, rollback_approval,"
		    " require_previous, name FROM environments ORDER BY ord, name",
		    err);
	sqlite3_stmt *ap = sq_prep(
	    r, "SELECT user FROM environment_approvers WHERE env_id = ? ORDER BY user", err);
	/* a file before schema v8 opened read-only has no gates (a SELECT of none) */
	sqlite3_stmt *gs = sq_prep(r,
				   ((struct sqlite_impl *)r->impl)->no_gates
				       ? "SELECT NULL WHERE 0 AND ?"
				       : "SELECT expr FROM environment_gates WHERE env_id = ?"
					 " ORDER BY rowid",
				   err);
	char why[512];
	int rc;

	if (st == NULL || ap == NULL || gs == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(ap);
		sqlite3_finalize(gs);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_env *x = MLC_LIST_PUSH(out);
		int64_t id = sqlite3_column_int64(st, 0);
		size_t cap = 0;
		x->order = sqlite3_column_int64(st, 1);
		x->required_approvals = sqlite3_column_int64(st, 2);
		x->self_approval = sqlite3_column_int(st, 3);
		x->rollback_approval = sqlite3_column_int(st, 4);
		x->require_previous = sqlite3_column_int(st, 5);
		x->name = sq_col_str(&out->arena, st, 6);
		sqlite3_bind_int64(ap, 1, id);
		while (sqlite3_step(ap) == SQLITE_ROW)
			*(const char **)arena_grow(&out->arena, (void **)&x->approvers, &cap,
						   x->n_approvers++, sizeof(char *)) =
			    sq_col_str(&out->arena, ap, 0);
		sqlite3_reset(ap);
		cap = 0;
		sqlite3_bind_int64(gs, 1, id);
		while (sqlite3_step(gs) == SQLITE_ROW)
			*(const char **)arena_grow(&out->arena, (void **)&x->gates, &cap,
						   x->n_gates++, sizeof(char *)) =
			    sq_col_str(&out->arena, gs, 0);
		sqlite3_reset(gs);
		if (audit_env_check(DB(r), id, x->name, why, sizeof why, err) == 1)
			x->edited_outside = arena_strdup(&out->arena, why);
	}
	sqlite3_finalize(ap);
	sqlite3_finalize(gs);
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
	/* a live version the history's newest row there does not name was moved
	 * by another client (recorded as 'external' by the next change there) */
	st = sq_prep(r,
		     "SELECT m.name, e.name, a.version, CASE WHEN d.version = a.version THEN d.at "
		     "ELSE 0 END,"
		     " CASE WHEN d.version = a.version THEN d.by ELSE 'external' END,"
		     " coalesce((SELECT CASE WHEN h.ok THEN 'ok' ELSE 'failed' END FROM hook_runs h"
		     "  WHERE h.deployment_id = d.id AND d.version = a.version"
		     "  ORDER BY h.at DESC, h.id DESC LIMIT 1), 'none')"
		     " FROM model_aliases a JOIN registered_models m ON m.id = a.model_id"
		     " JOIN environments e ON e.name = a.alias"
		     " LEFT JOIN deployments d ON d.id = (SELECT id FROM deployments WHERE "
		     "model_id = a.model_id"
		     "  AND env_id = e.id ORDER BY at DESC, id DESC LIMIT 1)"
		     " WHERE (?1 IS NULL OR m.name = ?1) AND (?2 IS NULL OR e.name = ?2)"
		     " ORDER BY m.name, e.ord",
		     err);
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
	return read_history(r, model, env, history, err);
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
			struct mlc_vote *v = arena_grow(&out->arena, (void **)&q->votes, &cap,
							q->n_votes++, sizeof *v);
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
		return mlc_policy_no_request(id, err);
	return 0;
}

int sq_audit(struct registry *r, int64_t limit, struct mlc_audit_list *out, struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r,
				   "SELECT at, actor, action, subject, detail FROM audit_log"
				   " ORDER BY at DESC, id DESC LIMIT ?",
				   err);
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

static int do_record_hook(struct registry *r, const char *model, const char *env,
			  const char *version, int ok, int status, const char *detail,
			  const char *actor, struct mlc_error *err)
{
	int64_t mid, dep, v, eid;
	sqlite3_stmt *st;
	char subject[600];

	if ((v = mlc_version_parse(version, err)) < 0 || (eid = env_id(r, env, err)) < 0 ||
	    (mid = sq_model_id(r, model, err)) <= 0)
		return -1;
	/* the latest deployment of the version the hook ran for (a newer one of
	 * another version keeps its own outcome) */
	dep =
	    query_int(r,
		      "SELECT id FROM deployments WHERE model_id = ? AND env_id = ? AND version = ?"
		      " ORDER BY at DESC, id DESC LIMIT 1",
		      0, err, "iii", mid, eid, v);
	if (dep <= 0)
		return dep < 0
			   ? -1
			   : mlc_error_set(err, MLC_ERR_FAILED, "%s %lld was never deployed to %s",
					   model, (long long)v, env);
	st = sq_prep(
	    r,
	    "INSERT INTO hook_runs (deployment_id, at, ok, status, detail) VALUES (?, ?, ?, ?, ?)",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, dep);
	sqlite3_bind_int64(st, 2, sq_now(r));
	sqlite3_bind_int(st, 3, ok ? 1 : 0);
	sqlite3_bind_int(st, 4, status);
	sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_TRANSIENT);
	if (sq_step_done(r, st, sqlite3_step(st), err) < 0)
		return -1;
	mlc_audit_subject(subject, sizeof subject, model, version, env);
	return audit(r, actor, ok ? "hook ok" : "hook failed", subject, detail, err);
}

int sq_record_hook(struct registry *r, const char *model, const char *env, const char *version,
		   int ok, int status, const char *detail, const char *actor, struct mlc_error *err)
{
	if (begin(r, err) < 0)
		return -1;
	return finish(r, do_record_hook(r, model, env, version, ok, status, detail, actor, err),
		      err);
}

/* ---- for the other local tables of the policy (alert_sqlite.c) ----------- */

int sq_write_begin(struct registry *r, struct mlc_error *err)
{
	return begin(r, err);
}

int sq_write_finish(struct registry *r, int rc, struct mlc_error *err)
{
	return finish(r, rc, err);
}

int64_t sq_env_id(struct registry *r, const char *name, struct mlc_error *err)
{
	return env_id(r, name, err);
}

int sq_audit_add(struct registry *r, const char *actor, const char *action, const char *subject,
		 const char *detail, struct mlc_error *err)
{
	return audit(r, actor, action, subject, detail, err);
}
