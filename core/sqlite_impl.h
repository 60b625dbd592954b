/* sqlite_impl.h: what the local backend's files share inside core/ — the
 * connection, and the small helpers every query uses. Not for tui/. */
#ifndef MLC_SQLITE_IMPL_H
#define MLC_SQLITE_IMPL_H
#include <sqlite3.h>
#include "registry.h"

struct sqlite_impl {
	sqlite3 *db;
	char *path;
	int no_inputs; /* no run_inputs table: a schema v5 or v6 file opened read-only */
	int no_gates;  /* no environment_gates table: a file before schema v8, read-only */
	int64_t now_ms; /* registry_open_opts.now_ms: the pinned clock, 0: the real one */
};

#define DB(r) (((struct sqlite_impl *)(r)->impl)->db)
#define PATH(r) (((struct sqlite_impl *)(r)->impl)->path)

/* Fill err from the connection's last error, naming the registry file; -1. */
int sq_error(struct registry *r, struct mlc_error *err);
/* Prepare sql or fill err (NULL). */
sqlite3_stmt *sq_prep(struct registry *r, const char *sql, struct mlc_error *err);
/* Column i as a string copied into a ("" for NULL). */
const char *sq_col_str(struct mlc_arena *a, sqlite3_stmt *st, int i);
/* Finish a statement loop: SQLITE_DONE is success; finalizes st. */
int sq_step_done(struct registry *r, sqlite3_stmt *st, int rc, struct mlc_error *err);
/* Database id of model name: > 0, 0 when missing (err says so), -1 on error. */
int64_t sq_model_id(struct registry *r, const char *name, struct mlc_error *err);
/* Run sql (no rows) or fill err. */
int sq_exec(struct registry *r, const char *sql, struct mlc_error *err);

/* Runs (registry_sqlite.c). The columns sq_collect_runs reads, runs r and
 * experiments e among a statement's tables. */
#define RUN_COLUMNS                                                                            \
	"r.id, r.run_uuid, r.run_name, e.experiment_id, r.user_id, r.status, r.artifact_uri,"  \
	" r.lifecycle_stage, r.start_time, coalesce(r.end_time, 0)"
/* Database id of experiment ref (an existing id wins, then the active name):
 * > 0, or 0 (err says not found) or -1. */
int64_t sq_experiment_ref(struct registry *r, const char *ref, struct mlc_error *err);
/* Read st's rows (RUN_COLUMNS) into out, after the runs already there, with
 * each run's data; when ids is set (lean), record each run's database id there
 * instead (malloc'd, *idcap entries). Finalizes st. */
int sq_collect_runs(struct registry *r, sqlite3_stmt *st, struct mlc_run_list *out,
		    int64_t **ids, size_t *idcap, struct mlc_error *err);
struct filter;
/* sqlite_window.c: a window of runs (mlc_run_query.window) into out, as
 * sq_collect_runs; and the count of the runs q matches. */
int sq_list_window(struct registry *r, int64_t eid, const struct mlc_run_query *q,
		   const struct filter *f, struct mlc_run_list *out, int64_t **ids, size_t *idcap,
		   struct mlc_error *err);
int sq_count_runs(struct registry *r, const struct mlc_run_query *q, int64_t *n,
		  struct mlc_error *err);

/* deploy_sqlite.c: the policy engine's operations (see registry_ops). */
int sq_env_list(struct registry *r, struct mlc_env_list *out, struct mlc_error *err);
int sq_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
	       struct mlc_outcome *out, struct mlc_error *err);
int sq_deployments(struct registry *r, const char *model, const char *env,
		   struct mlc_live_list *live, struct mlc_event_list *history, struct mlc_error *err);
int sq_deploy(struct registry *r, const char *model, const char *version, const char *env,
	      const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int sq_rollback(struct registry *r, const char *model, const char *env, const char *to,
		const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int sq_request(struct registry *r, const char *model, const char *version, const char *env,
	       const char *kind, const char *comment, const char *actor, struct mlc_outcome *out,
	       struct mlc_error *err);
int sq_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
	    const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int sq_cancel(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
	      struct mlc_error *err);
int sq_rollback_target(struct registry *r, const char *model, const char *env, char *version,
		       size_t len, struct mlc_error *err);
int sq_requests(struct registry *r, int which, int64_t id, struct mlc_request_list *out,
		struct mlc_error *err);
int sq_audit(struct registry *r, int64_t limit, struct mlc_audit_list *out, struct mlc_error *err);
int sq_drift_record(struct registry *r, const char *model, const char *feature, const char *method,
		    const struct mlc_drift_point *p, struct mlc_error *err);
int sq_drift_series(struct registry *r, const char *model, const char *feature, int64_t last,
		    struct mlc_drift_list *out, struct mlc_error *err);
int sq_record_hook(struct registry *r, const char *model, const char *env, const char *version, int ok,
		   int status, const char *detail, const char *actor, struct mlc_error *err);
/* The time a change records (ms): the pinned clock of a generated registry
 * (registry_open_opts.now_ms), else now (registry_sqlite.c). */
int64_t sq_now(struct registry *r);
/* Shared with alert_sqlite.c (deploy_sqlite.c): start a write (refused
 * read-only), commit it when rc is 0 else roll back (returns rc, or -1 when
 * COMMIT failed), an environment's id (-1 with a NOT FOUND naming it), and an
 * audit record inside the caller's transaction. */
int sq_write_begin(struct registry *r, struct mlc_error *err);
int sq_write_finish(struct registry *r, int rc, struct mlc_error *err);
int64_t sq_env_id(struct registry *r, const char *name, struct mlc_error *err);
int sq_audit_add(struct registry *r, const char *actor, const char *action, const char *subject,
		 const char *detail, struct mlc_error *err);

/* alert_sqlite.c: alert rules and firings (see registry_ops). */
struct mlc_alert_rule;
struct mlc_alert_rule_list;
struct mlc_alert_firing;
struct mlc_alert_firing_list;
int sq_alert_rules(struct registry *r, const char *model, struct mlc_alert_rule_list *out,
		   struct mlc_error *err);
int sq_alert_rule_put(struct registry *r, const struct mlc_alert_rule *rule, int remove,
		      const char *actor, struct mlc_error *err);
int sq_alert_fire(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
		  const char *actor, struct mlc_error *err);
int sq_alert_checked(struct registry *r, const char *model, const char *env, const char *name,
		     int64_t checked, struct mlc_error *err);
int sq_alert_firings(struct registry *r, const char *model, struct mlc_alert_firing_list *out,
		     struct mlc_error *err);

#endif
