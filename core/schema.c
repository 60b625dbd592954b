/* schema.c: the local registry's tables, one forward migration per schema
 * version (MLC_SCHEMA_VERSION in schema.h), all in one IMMEDIATE
 * transaction. Times are milliseconds since the epoch; NaN metric values are
 * stored as value 0 with is_nan = 1 (SQLite turns NaN into NULL). */
#include "config.h"
#include <stdio.h>
#include "audit.h"
#include "schema.h"
#include "timefmt.h"

static const char schema_v1[] =
    "CREATE TABLE registered_models ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  creation_time INTEGER NOT NULL,"
    "  last_updated_time INTEGER NOT NULL);"
    "CREATE TABLE model_tags ("
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (model_id, key)) WITHOUT ROWID;"
    "CREATE TABLE model_versions ("
    "  id INTEGER PRIMARY KEY,"
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL,"
    "  source TEXT NOT NULL DEFAULT '',"
    "  run_uuid TEXT,"
    "  status TEXT NOT NULL DEFAULT 'READY',"
    "  stage TEXT NOT NULL DEFAULT 'None',"
    "  description TEXT NOT NULL DEFAULT '',"
    "  user_id TEXT NOT NULL DEFAULT '',"
    "  creation_time INTEGER NOT NULL,"
    "  last_updated_time INTEGER NOT NULL,"
    "  UNIQUE (model_id, version));"
    "CREATE TABLE version_tags ("
    "  version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (version_id, key)) WITHOUT ROWID;"
    "CREATE TABLE model_aliases ("
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  alias TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  PRIMARY KEY (model_id, alias)) WITHOUT ROWID;"
    "CREATE TABLE experiments ("
    "  id INTEGER PRIMARY KEY,"
    "  experiment_id TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL UNIQUE,"
    "  artifact_location TEXT NOT NULL DEFAULT '',"
    "  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')),"
    "  creation_time INTEGER NOT NULL,"
    "  last_update_time INTEGER NOT NULL);"
    "CREATE TABLE experiment_tags ("
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (experiment_id, key)) WITHOUT ROWID;"
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  run_uuid TEXT NOT NULL UNIQUE,"
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  run_name TEXT NOT NULL DEFAULT '',"
    "  user_id TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL DEFAULT 'FINISHED'"
    "    CHECK (status IN ('RUNNING','SCHEDULED','FINISHED','FAILED','KILLED')),"
    "  start_time INTEGER NOT NULL,"
    "  end_time INTEGER,"
    "  artifact_uri TEXT NOT NULL DEFAULT '',"
    "  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')));"
    "CREATE TABLE params ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
    "CREATE TABLE run_tags ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
    /* Metric keys are interned: 10,000,000 points would otherwise repeat them. */
    "CREATE TABLE metric_keys ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE);"
    "CREATE TABLE metrics ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key_id INTEGER NOT NULL REFERENCES metric_keys(id),"
    "  step INTEGER NOT NULL,"
    "  timestamp INTEGER NOT NULL,"
    "  value REAL NOT NULL,"
    "  is_nan INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (run_id, key_id, step, timestamp, value, is_nan)) WITHOUT ROWID;"
    "CREATE TABLE latest_metrics ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key_id INTEGER NOT NULL REFERENCES metric_keys(id),"
    "  step INTEGER NOT NULL,"
    "  timestamp INTEGER NOT NULL,"
    "  value REAL NOT NULL,"
    "  is_nan INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (run_id, key_id)) WITHOUT ROWID;"
    /* MLflow's rule: the latest value is the maximum by (step, timestamp, value),
     * a NaN counting below every number. Kept by trigger so that no write path
     * can forget it. */
    "CREATE TRIGGER metrics_latest AFTER INSERT ON metrics BEGIN"
    "  INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value, is_nan)"
    "  VALUES (NEW.run_id, NEW.key_id, NEW.step, NEW.timestamp, NEW.value, NEW.is_nan)"
    "  ON CONFLICT (run_id, key_id) DO UPDATE SET"
    "    step = excluded.step, timestamp = excluded.timestamp,"
    "    value = excluded.value, is_nan = excluded.is_nan"
    "  WHERE (excluded.step, excluded.timestamp, 1 - excluded.is_nan, excluded.value)"
    "      > (latest_metrics.step, latest_metrics.timestamp, 1 - latest_metrics.is_nan,"
    "         latest_metrics.value);"
    "END;"
    "CREATE TABLE environments ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  ord INTEGER NOT NULL,"
    "  required_approvals INTEGER NOT NULL DEFAULT 0 CHECK (required_approvals >= 0),"
    "  self_approval INTEGER NOT NULL DEFAULT 0 CHECK (self_approval IN (0,1)),"
    "  rollback_approval INTEGER NOT NULL DEFAULT 0 CHECK (rollback_approval IN (0,1)),"
    "  require_previous INTEGER NOT NULL DEFAULT 0 CHECK (require_previous IN (0,1)));"
    /* No rows: anyone may approve. */
    "CREATE TABLE environment_approvers ("
    "  env_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,"
    "  user TEXT NOT NULL,"
    "  PRIMARY KEY (env_id, user)) WITHOUT ROWID;"
    /* The live version of M in E is the alias named E; this is its history. */
    "CREATE TABLE deployments ("
    "  id INTEGER PRIMARY KEY,"
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  env_id INTEGER NOT NULL REFERENCES environments(id),"
    "  version INTEGER NOT NULL,"
    "  previous_version INTEGER,"
    "  action TEXT NOT NULL CHECK (action IN ('deploy','rollback')),"
    "  at INTEGER NOT NULL,"
    "  by TEXT NOT NULL,"
    "  request_id INTEGER REFERENCES promotion_requests(id));"
    "CREATE TABLE hook_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  ok INTEGER NOT NULL CHECK (ok IN (0,1)),"
    "  status INTEGER,"
    "  detail TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE promotion_requests ("
    "  id INTEGER PRIMARY KEY,"
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL,"
    "  env_id INTEGER NOT NULL REFERENCES environments(id),"
    "  kind TEXT NOT NULL DEFAULT 'promote' CHECK (kind IN ('promote','rollback')),"
    "  requested_by TEXT NOT NULL,"
    "  requested_at INTEGER NOT NULL,"
    "  comment TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (state IN ('pending','approved','rejected','cancelled','closed')),"
    "  closed_at INTEGER,"
    "  close_reason TEXT);"
    "CREATE TABLE votes ("
    "  request_id INTEGER NOT NULL REFERENCES promotion_requests(id) ON DELETE CASCADE,"
    "  voter TEXT NOT NULL,"
    "  decision TEXT NOT NULL CHECK (decision IN ('approve','reject')),"
    "  at INTEGER NOT NULL,"
    "  comment TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (request_id, voter)) WITHOUT ROWID;"
    "CREATE TABLE drift_points ("
    "  id INTEGER PRIMARY KEY,"
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  feature TEXT NOT NULL,"
    "  window_end INTEGER NOT NULL,"
    "  method TEXT NOT NULL,"
    "  score REAL,"
    "  statistic REAL,"
    "  p_value REAL,"
    "  threshold REAL NOT NULL,"
    "  drift INTEGER NOT NULL CHECK (drift IN (0,1)),"
    "  n_reference INTEGER NOT NULL DEFAULT 0,"
    "  n_current INTEGER NOT NULL DEFAULT 0,"
    "  reference_shares TEXT," /* JSON arrays of the binned shares, when stored */
    "  current_shares TEXT,"
    "  UNIQUE (model_id, feature, method, window_end));"
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  detail TEXT NOT NULL DEFAULT '');"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN"
    "  SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN"
    "  SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    /* Where imported rows came from, so a second import adds nothing. */
    "CREATE TABLE import_sources ("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL UNIQUE,"
    "  first_at INTEGER NOT NULL,"
    "  last_at INTEGER NOT NULL);";

/* v3: policy changes that loosen a policy with approvers are requests the
 * current policy governs (README "Who may change a policy"). A column left
 * NULL keeps its value. Their ids share promotion_requests' numbering (the
 * console picks max of both + 1), so 'approve ID' finds either kind. */
static const char schema_v3[] =
    "CREATE TABLE policy_requests ("
    "  id INTEGER PRIMARY KEY,"
    "  env_id INTEGER NOT NULL REFERENCES environments(id),"
    "  ord INTEGER,"
    "  required_approvals INTEGER CHECK (required_approvals >= 0),"
    "  approvers TEXT,"
    "  self_approval INTEGER CHECK (self_approval IN (0,1)),"
    "  rollback_approval INTEGER CHECK (rollback_approval IN (0,1)),"
    "  require_previous INTEGER CHECK (require_previous IN (0,1)),"
    "  change TEXT NOT NULL," /* the whole change, was -> now, for people */
    "  requested_by TEXT NOT NULL,"
    "  requested_at INTEGER NOT NULL,"
    "  comment TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (state IN ('pending','approved','rejected','cancelled','closed')),"
    "  closed_at INTEGER,"
    "  close_reason TEXT);"
    "CREATE TABLE policy_votes ("
    "  request_id INTEGER NOT NULL REFERENCES policy_requests(id) ON DELETE CASCADE,"
    "  voter TEXT NOT NULL,"
    "  decision TEXT NOT NULL CHECK (decision IN ('approve','reject')),"
    "  at INTEGER NOT NULL,"
    "  comment TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (request_id, voter)) WITHOUT ROWID;";

/* v5: what an import read of each metric file, so importing the same source
 * again reads only what was appended since (import.c, registry_metric_tail):
 * the first size bytes of the file, whole lines, their hash and points. (IF
 * NOT EXISTS: like v4, safe on a registry whose user_version was set back.) */
static const char schema_v5[] =
    "CREATE TABLE IF NOT EXISTS import_marks ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key_id INTEGER NOT NULL REFERENCES metric_keys(id),"
    "  source_id INTEGER NOT NULL REFERENCES import_sources(id) ON DELETE CASCADE,"
    "  size INTEGER NOT NULL,"
    "  hash INTEGER NOT NULL,"
    "  points INTEGER NOT NULL,"
    "  PRIMARY KEY (run_id, key_id, source_id)) WITHOUT ROWID;";

/* v6 (import aliases): which aliases an import of a source set, and to which
 * version, so importing that source again moves or removes the aliases it set
 * (as the source did) and leaves the ones set here alone (import.c). */
static const char schema_v6_import_aliases[] =
    "CREATE TABLE IF NOT EXISTS import_aliases ("
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  alias TEXT NOT NULL,"
    "  source_id INTEGER NOT NULL REFERENCES import_sources(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL,"
    "  PRIMARY KEY (model_id, alias, source_id)) WITHOUT ROWID;";

/* v7 (datasets, lineage): the datasets each run used, MLflow's run inputs with
 * their mlflow.data.context tag (MLflow 2.17.2's REST API), one row per input; source,
 * schema and profile are MLflow's JSON text. Created only where the runs
 * table is (a partial registry has none). */
static const char schema_datasets[] =
    "CREATE TABLE IF NOT EXISTS run_inputs ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  digest TEXT NOT NULL,"
    "  context TEXT NOT NULL DEFAULT '',"
    "  source_type TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL DEFAULT '',"
    "  schema TEXT NOT NULL DEFAULT '',"
    "  profile TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (run_id, name, digest, context)) WITHOUT ROWID;";

/* v8 (gates): each environment's gates (gate.h), in the order they were
 * added, and the gates a policy request adds or removes (op 'add' or 'rm').
 * Created only where environments are (a partial registry has none). */
static const char schema_gates[] =
    "CREATE TABLE IF NOT EXISTS environment_gates ("
    "  env_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,"
    "  expr TEXT NOT NULL,"
    "  UNIQUE (env_id, expr));"
    "CREATE TABLE IF NOT EXISTS policy_request_gates ("
    "  request_id INTEGER NOT NULL REFERENCES policy_requests(id) ON DELETE CASCADE,"
    "  op TEXT NOT NULL CHECK (op IN ('add','rm')),"
    "  expr TEXT NOT NULL,"
    "  PRIMARY KEY (request_id, op, expr));";

/* v9 (alerts, issue 16): drift alert rules per model and environment, their
 * settings the JSON alert_rule_json writes (checked there as they are read),
 * checked the newest drift window `alerts check` evaluated; and each firing,
 * with the drifting features and scores at its window, the rollback request
 * it opened, and what its actions did. */
static const char schema_alerts[] =
    "CREATE TABLE IF NOT EXISTS alert_rules ("
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  env_id INTEGER NOT NULL REFERENCES environments(id),"
    "  name TEXT NOT NULL,"
    "  settings TEXT NOT NULL,"
    "  checked INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (model_id, env_id, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS alert_firings ("
    "  id INTEGER PRIMARY KEY,"
    "  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,"
    "  env_id INTEGER NOT NULL REFERENCES environments(id),"
    "  rule TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  window_end INTEGER NOT NULL,"
    "  until_at INTEGER NOT NULL,"
    "  features TEXT NOT NULL,"
    "  scores TEXT NOT NULL,"
    "  share REAL NOT NULL,"
    "  request_id INTEGER,"
    "  outcome TEXT NOT NULL,"
    "  by TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS alert_firings_by_model ON alert_firings (model_id, at DESC);";

/* Indexes for the queries the views make. Named so bulk loads can drop them. */
static const char *const indexes[][2] = {
	{"ix_versions_model", "model_versions (model_id, version DESC)"},
	{"ix_versions_run", "model_versions (run_uuid)"},
	{"ix_runs_experiment", "runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid)"},
	{"ix_latest_key_value", "latest_metrics (key_id, value)"},
	{"ix_params_key", "params (key, value)"},
	/* v5: the console's windows sort runs by these without reading them all */
	{"ix_run_tags_key", "run_tags (key, value)"},
	{"ix_latest_nan", "latest_metrics (key_id) WHERE is_nan = 1"},
	{"ix_runs_name", "runs (experiment_id, lifecycle_stage, run_name, start_time DESC, run_uuid)"},
	{"ix_runs_status", "runs (experiment_id, lifecycle_stage, status, start_time DESC, run_uuid)"},
	{"ix_runs_status_desc",
	 "runs (experiment_id, lifecycle_stage, status DESC, start_time DESC, run_uuid)"},
	{"ix_runs_uuid", "runs (experiment_id, lifecycle_stage, run_uuid)"},
	{"ix_deployments_model_env", "deployments (model_id, env_id, at DESC)"},
	{"ix_requests_state", "promotion_requests (state, requested_at)"},
	{"ix_audit_at", "audit_log (at DESC)"},
	{"ix_audit_subject", "audit_log (subject, id)"},
};

static int exec(sqlite3 *db, const char *sql, const char *path, struct mlc_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* 1 if db has a table named like the first word of on ("runs (...)"). */
static int has_table(sqlite3 *db, const char *on)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
				   " AND name = substr(?1, 1, instr(?1, ' ') - 1)",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, on, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Create the missing indexes (all, or only those whose table is there). */
static int create_indexes(sqlite3 *db, int only_existing, struct mlc_error *err)
{
	char sql[256];

	for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
		if (only_existing && !has_table(db, indexes[i][1]))
			continue;
		snprintf(sql, sizeof sql, "CREATE INDEX IF NOT EXISTS %s ON %s", indexes[i][0],
			 indexes[i][1]);
		if (exec(db, sql, "index", err) < 0)
			return -1;
	}
	return 0;
}

int schema_create_indexes(sqlite3 *db, struct mlc_error *err)
{
	return create_indexes(db, 0, err);
}

int schema_drop_indexes(sqlite3 *db, struct mlc_error *err)
{
	char sql[128];

	for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
		snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", indexes[i][0]);
		if (exec(db, sql, "index", err) < 0)
			return -1;
	}
	return 0;
}

/* 1 if db has no tables, views or triggers of its own. */
static int is_empty(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n = 1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n == 0;
}

/* v2: the audit log becomes a hash chain (core/audit.c): existing rows are
 * chained in id order, and every environment gets a policy record of what it
 * is now, so a later edit behind the console's back shows. */
static int migrate_v2(sqlite3 *db, const char *path, struct mlc_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (exec(db, "ALTER TABLE audit_log ADD COLUMN hash TEXT;"
		     "DROP TRIGGER audit_log_no_update",
		 path, err) < 0 ||
	    audit_chain_existing(db, err) < 0 ||
	    exec(db, "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN"
		     "  SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
		 path, err) < 0 ||
	    exec(db, "CREATE INDEX IF NOT EXISTS ix_audit_subject ON audit_log (subject, id)", path,
		 err) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT id, name FROM environments ORDER BY ord, name", -1, &st,
			       NULL) != SQLITE_OK)
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, sqlite3_errmsg(db));
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct strbuf detail = {0};
		sb_add(&detail, "recorded when the audit log became a hash chain; policy: ");
		rc = audit_env_policy(db, sqlite3_column_int64(st, 0), &detail, err);
		if (rc == 0)
			rc = audit_append(db, timefmt_now_ms(), "mlconsole", "policy",
					  (const char *)sqlite3_column_text(st, 1), sb_str(&detail), err);
		sb_free(&detail);
	}
	sqlite3_finalize(st);
	return rc;
}

/* One integer from sql with text t bound to ?1 (-1 when none). */
static int int_of(sqlite3 *db, const char *sql, const char *t)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (t)
		sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* v4: the deployment history also records an alias another client moved
 * (action 'external', by 'external'). SQLite cannot alter a CHECK constraint
 * and rebuilding the table would cascade-delete its hook runs, so the check is
 * widened in the stored schema text, as SQLite documents for a constraint that
 * every existing row still meets (writable_schema, schema_version + 1). */
static int migrate_v4(sqlite3 *db, const char *path, struct mlc_error *err)
{
	static const char has[] = "SELECT instr(sql, ?1) > 0 FROM sqlite_master"
				  " WHERE type = 'table' AND name = 'deployments'";
	static const char was[] = "CHECK (action IN ('deploy','rollback'))",
			  now[] = "CHECK (action IN ('deploy','rollback','external'))";
	sqlite3_stmt *st;
	char sql[64];
	int sv = int_of(db, "PRAGMA schema_version", NULL), rc;

	if (int_of(db, has, now) != 0) /* widened already, or no such table to widen */
		return 0;
	if (sv < 0 || int_of(db, has, was) != 1)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s: its deployments table is not as mlconsole made it (no %s); "
				     "refusing to change it",
				     path, was);
	snprintf(sql, sizeof sql, "PRAGMA schema_version = %d", sv + 1);
	rc = exec(db, "PRAGMA writable_schema = ON", path, err);
	if (rc == 0 && sqlite3_prepare_v2(db, "UPDATE sqlite_master SET sql = replace(sql, ?1, ?2)"
					      " WHERE type = 'table' AND name = 'deployments'",
					  -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, was, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
	} else if (rc == 0) {
		rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, sqlite3_errmsg(db));
	}
	if (rc == 0)
		rc = exec(db, sql, path, err);
	sqlite3_exec(db, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
	return rc;
}

/* v6 (import aliases): the table of aliases imports set, only on a registry
 * with the tables it refers to (a partial one, as test_audit migrates, has
 * no model registry to import into). */
static int migrate_v6_import_aliases(sqlite3 *db, const char *path, struct mlc_error *err)
{
	if (!has_table(db, "registered_models (id)") || !has_table(db, "import_sources (id)"))
		return 0;
	return exec(db, schema_v6_import_aliases, path, err);
}

/* v7 (datasets, lineage): the run_inputs table, on a registry with runs. */
static int migrate_datasets(sqlite3 *db, const char *path, struct mlc_error *err)
{
	if (!has_table(db, "runs (id)"))
		return 0;
	return exec(db, schema_datasets, path, err);
}

/* v8 (gates): the gate tables, on a registry with environments and policy
 * requests. */
static int migrate_gates(sqlite3 *db, const char *path, struct mlc_error *err)
{
	if (!has_table(db, "environments (id)") || !has_table(db, "policy_requests (id)"))
		return 0;
	return exec(db, schema_gates, path, err);

}

/* v9 (alerts): the alert tables, on a registry with models and environments. */
static int migrate_alerts(sqlite3 *db, const char *path, struct mlc_error *err)
{
	if (!has_table(db, "registered_models (id)") || !has_table(db, "environments (id)"))
		return 0;
	return exec(db, schema_alerts, path, err);
}

int schema_migrate(sqlite3 *db, const char *path, struct mlc_error *err)
{
	int v = int_of(db, "PRAGMA user_version", NULL);
	char sql[128];

	if (v < 0)
		return mlc_error_set(err, MLC_ERR_CORRUPT, "%s: cannot read the schema version: %s",
				     path, sqlite3_errmsg(db));
	if (v > MLC_SCHEMA_VERSION)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s: made by a newer mlconsole (schema %d, this one knows %d)",
				     path, v, MLC_SCHEMA_VERSION);
	if (v == MLC_SCHEMA_VERSION)
		return 0;
	if (exec(db, "BEGIN IMMEDIATE", path, err) < 0)
		return -1;
	/* Another process may have migrated while we waited for the lock. */
	v = int_of(db, "PRAGMA user_version", NULL);
	if (v == MLC_SCHEMA_VERSION)
		return exec(db, "COMMIT", path, err);
	if (v == 0 && !is_empty(db)) {
		mlc_error_set(err, MLC_ERR_FAILED,
			      "%s: has tables but no mlconsole schema; refusing to change it", path);
		goto fail;
	}
	if (v < 1) {
		if (exec(db, schema_v1, path, err) < 0 || schema_create_indexes(db, err) < 0)
			goto fail;
	}
	/* Future migrations: if (v < N) { ... } — each adds to what the last left. */
	if (v < 2) {
		if (migrate_v2(db, path, err) < 0)
			goto fail;
	}
	if (v < 3) {
		if (exec(db, schema_v3, path, err) < 0)
			goto fail;
	}
	if (v < 4) {
		if (migrate_v4(db, path, err) < 0)
			goto fail;
	}
	if (v < 5) { /* import marks; indexes for windows of runs (core/sqlite_window.c) */
		if (exec(db, schema_v5, path, err) < 0 || create_indexes(db, 1, err) < 0)
			goto fail;
	}
	if (v < 6) { /* import aliases: the aliases imports set, by source */
		if (migrate_v6_import_aliases(db, path, err) < 0)
			goto fail;
	}
	if (v < 7) { /* datasets (lineage): run inputs, where runs are */
		if (migrate_datasets(db, path, err) < 0)
			goto fail;
	}
	if (v < 8) { /* gates: each environment's, and those policy requests change */
		if (migrate_gates(db, path, err) < 0)
			goto fail;
	}
	if (v < 9) { /* alerts: rules and firings, where models and environments are */
		if (migrate_alerts(db, path, err) < 0)
			goto fail;
	}
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		 MLC_APPLICATION_ID, MLC_SCHEMA_VERSION);
	if (exec(db, sql, path, err) < 0)
		goto fail;
	return exec(db, "COMMIT", path, err);
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
