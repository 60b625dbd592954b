/* test_registry_mlflowsql.c: the read-only backend over MLflow's own SQL store —
 * a small MLflow-shaped database built here from MLflow 2.x's SQLAlchemy schema, read through every
 * operation, left byte-identical, in a current and an older schema, and imported. */
#include "config.h"
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "import.h"
#include "registry.h"
#include "testutil.h"

/* ---- the fixture --------------------------------------------------------- */

/* Tables as SQLAlchemy creates them for MLflow 2.x. */
static const char schema_new[] =
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
    " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));"
    "INSERT INTO alembic_version VALUES ('acf3f17fdcc7');"
    "CREATE TABLE experiments (experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL,"
    " artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT,"
    " last_update_time BIGINT, CONSTRAINT experiment_pk PRIMARY KEY (experiment_id),"
    " UNIQUE (name));"
    "CREATE TABLE experiment_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
    " experiment_id INTEGER NOT NULL, PRIMARY KEY (key, experiment_id));"
    "CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250),"
    " source_type VARCHAR(20), source_name VARCHAR(500), entry_point_name VARCHAR(50),"
    " user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT,"
    " deleted_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20),"
    " artifact_uri VARCHAR(200), experiment_id INTEGER, PRIMARY KEY (run_uuid),"
    " CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')));"
    "CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL,"
    " timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0'"
    " NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,"
    " PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan));"
    "CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL,"
    " timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL,"
    " run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));"
    "CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL,"
    " run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));"
    "CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
    " run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));"
    "CREATE TABLE registered_models (name VARCHAR(256) NOT NULL, creation_time BIGINT,"
    " last_updated_time BIGINT, description VARCHAR(5000), PRIMARY KEY (name));"
    "CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL,"
    " creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000),"
    " user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500),"
    " run_id VARCHAR(32), status VARCHAR(20), status_message VARCHAR(500),"
    " run_link VARCHAR(500), storage_location VARCHAR(500), PRIMARY KEY (name, version));"
    "CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
    " name VARCHAR(256) NOT NULL, PRIMARY KEY (key, name));"
    "CREATE TABLE model_version_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
    " name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (key, name, version));"
    "CREATE TABLE registered_model_aliases (alias VARCHAR(256) NOT NULL,"
    " version INTEGER NOT NULL, name VARCHAR(256) NOT NULL, PRIMARY KEY (name, alias));";

/* An MLflow 1.x-era schema: no experiment times, no latest_metrics, no aliases. */
static const char schema_old[] =
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
    "INSERT INTO alembic_version VALUES ('84291f40a231');"
    "CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY,"
    " name VARCHAR(256) NOT NULL UNIQUE, artifact_location VARCHAR(256),"
    " lifecycle_stage VARCHAR(32));"
    "CREATE TABLE experiment_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
    " experiment_id INTEGER NOT NULL, PRIMARY KEY (key, experiment_id));"
    "CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250),"
    " source_type VARCHAR(20), source_name VARCHAR(500), entry_point_name VARCHAR(50),"
    " user_id VARCHAR(256), status VARCHAR(20), start_time BIGINT, end_time BIGINT,"
    " source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200),"
    " experiment_id INTEGER);"
    "CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL,"
    " timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0'"
    " NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,"
    " PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan));"
    "CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(250) NOT NULL,"
    " run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));"
    "CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(250),"
    " run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));"
    "CREATE TABLE registered_models (name VARCHAR(256) NOT NULL PRIMARY KEY,"
    " creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000));"
    "CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL,"
    " creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000),"
    " user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500),"
    " run_id VARCHAR(32) NOT NULL, status VARCHAR(20), status_message VARCHAR(500),"
    " run_link VARCHAR(500), PRIMARY KEY (name, version));"
    "CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
    " name VARCHAR(256) NOT NULL, PRIMARY KEY (key, name));"
    "CREATE TABLE model_version_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
    " name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (key, name, version));";

#define R1 "aaaa0000000000000000000000000001"
#define R2 "aaaa0000000000000000000000000002"
#define R3 "bbbb0000000000000000000000000003"
#define R4 "cccc0000000000000000000000000004"

/* Rows both schemas share (experiments get their times below when they can). */
static const char rows_common[] =
    "INSERT INTO experiment_tags VALUES ('team', 'vision', 1);"
    "INSERT INTO runs (run_uuid, name, user_id, status, start_time, end_time, lifecycle_stage,"
    " artifact_uri, experiment_id) VALUES"
    " ('" R1 "', 'alpha', 'ana', 'FINISHED', 1000, 2000, 'active', 'file:///a/1', 1),"
    " ('" R2 "', 'beta', 'bo', 'RUNNING', 3000, NULL, 'active', 'file:///a/2', 1),"
    " ('" R3 "', 'gamma', 'ana', 'FAILED', 2000, 2500, 'deleted', 'file:///a/3', 1),"
    " ('" R4 "', '', 'cy', 'FINISHED', 500, 600, 'active', 'file:///a/4', 2);"
    "INSERT INTO params VALUES ('lr', '0.01', '" R1 "'), ('layers', '3', '" R1 "'),"
    " ('lr', '0.1', '" R2 "'), ('lr', '0.5', '" R3 "');"
    "INSERT INTO tags VALUES ('mlflow.runName', 'alpha', '" R1 "'), ('team', 'a', '" R1 "'),"
    " ('team', 'b', '" R2 "'), ('mlflow.runName', 'from-tag', '" R4 "');"
    "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES"
    " ('acc', 0.5, 100, '" R1 "', 0, 0), ('acc', 0.95, 150, '" R1 "', 1, 0),"
    " ('acc', 0.7, 200, '" R1 "', 1, 0),"
    " ('loss', 0, 100, '" R1 "', 0, 1), ('loss', 1.5, 100, '" R1 "', 0, 0),"
    " ('loss', 0.3, 100, '" R2 "', 0, 0), ('loss', 0, 200, '" R2 "', 1, 1),"
    " ('acc', 0.8, 100, '" R2 "', 0, 0), ('big', 1.7976931348623157e308, 100, '" R2 "', 0, 0),"
    " ('acc', 0.1, 100, '" R3 "', 0, 0);"
    "INSERT INTO registered_models VALUES ('clf', 100, 200, 'classifier'),"
    " ('empty', 300, 300, NULL);"
    "INSERT INTO model_versions (name, version, creation_time, last_updated_time, user_id,"
    " current_stage, source, run_id, status) VALUES"
    " ('clf', 1, 110, 110, 'ana', 'Archived', 'runs:/" R1 "/m', '" R1 "', 'READY'),"
    " ('clf', 2, 120, 120, 'ana', 'Production', 'runs:/" R1 "/m', '" R1 "', 'READY'),"
    " ('clf', 3, 130, 130, 'ana', 'Deleted_Internal', 'runs:/" R2 "/m', '" R2 "', 'READY'),"
    " ('clf', 4, 140, 140, 'bo', 'None', 'runs:/" R2 "/m', '" R2 "', 'READY');"
    "INSERT INTO registered_model_tags VALUES ('owner', 'ana', 'clf');"
    "INSERT INTO model_version_tags VALUES ('validated', 'yes', 'clf', 2);";

static const char rows_new[] =
    "INSERT INTO experiments VALUES (0, 'Default', 'file:///a/0', 'active', 10, 10),"
    " (1, 'vision', 'file:///a/1', 'active', 20, 20), (2, 'old', 'file:///a/2', 'deleted', 30, 40);"
    "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES"
    " ('acc', 0.7, 200, 1, 0, '" R1 "'), ('loss', 1.5, 100, 0, 0, '" R1 "'),"
    " ('loss', 0, 200, 1, 1, '" R2 "'), ('acc', 0.8, 100, 0, 0, '" R2 "'),"
    " ('big', 1.7976931348623157e308, 100, 0, 0, '" R2 "'), ('acc', 0.1, 100, 0, 0, '" R3 "');"
    "INSERT INTO registered_model_aliases VALUES ('champion', 2, 'clf'), ('challenger', 4, 'clf');";

static const char rows_old[] =
    "INSERT INTO experiments VALUES (0, 'Default', 'file:///a/0', 'active'),"
    " (1, 'vision', 'file:///a/1', 'active'), (2, 'old', 'file:///a/2', 'deleted');";

/* Write an MLflow store at name (old: the older schema) once; its path. */
static const char *store(const char *name, int old)
{
	const char *p = tu_path(name);
	sqlite3 *db;

	if (access(p, F_OK) == 0)
		return p;
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	tu_exec(db, "BEGIN");
	tu_exec(db, old ? schema_old : schema_new);
	tu_exec(db, old ? rows_old : rows_new);
	tu_exec(db, rows_common);
	tu_exec(db, "COMMIT");
	sqlite3_close(db);
	return p;
}

/* Open uri read as any command would; fail the test when it cannot. */
static struct registry *open_ok(const char *uri)
{
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	struct registry *r = registry_open(uri, &o, &err);
	if (r == NULL)
		fprintf(stderr, "open %s: %s\n", uri, err.msg);
	assert_non_null(r);
	return r;
}

static struct registry *open_new(void)
{
	return open_ok(store("mlflow.db", 0));
}

/* Runs of experiment exp with filter and order, as a list. */
static struct mlc_run_list runs_of(struct registry *r, const char *exp, const char *filter,
				   const char *order, int all)
{
	struct mlc_run_query q = {
	    .experiment = exp, .filter = filter, .order_by = order, .all = all};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	if (registry_list_runs(r, &q, &l, &err) != 0)
		fprintf(stderr, "runs: %s\n", err.msg);
	assert_int_equal(err.code, MLC_OK);
	return l;
}

/* The run ids of l joined by spaces (a static buffer). */
static const char *ids(const struct mlc_run_list *l)
{
	static char buf[512];
	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		strcat(buf, i ? " " : "");
		strncat(buf, l->items[i].run_id, 4);
		strcat(buf, l->items[i].run_id + 31);
	}
	return buf;
}

/* The whole of a file, malloc'd, and its length. */
static char *slurp(const char *path, long *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)*n + 1);
	assert_int_equal(fread(buf, 1, (size_t)*n, f), (size_t)*n);
	fclose(f);
	return buf;
}

/* ---- opening --------------------------------------------------------------- */

static void test_mlflow_store_opens_read_only_by_uri_and_path(void **state)
{
	char uri[256];
	struct registry *r;

	(void)state;
	snprintf(uri, sizeof uri, "sqlite:///%s", store("mlflow.db", 0));
	r = open_ok(uri);
	assert_string_equal(r->ops->kind, "mlflow-sql");
	assert_int_equal(r->read_only, 1);
	assert_int_equal(r->caps & REG_CAP_WRITE, 0);
	assert_non_null(strstr(r->display, "mlflow.db"));
	registry_close(r);
	r = open_ok(store("mlflow.db", 0));
	assert_string_equal(r->ops->kind, "mlflow-sql");
	registry_close(r);
}

static void test_other_foreign_sqlite_is_still_refused(void **state)
{
	const char *p = tu_path("other.db");
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	sqlite3 *db;

	(void)state;
	sqlite3_open(p, &db);
	tu_exec(db, "CREATE TABLE experiments (x); CREATE TABLE registered_models (y);");
	sqlite3_close(db);
	assert_null(registry_open(p, &o, &err));
	assert_non_null(strstr(err.msg, "not an mlconsole registry"));
}

static void test_writes_are_refused_and_unsupported_ops_named(void **state)
{
	struct registry *r = open_new();
	struct mlc_outcome out = {0};
	struct mlc_env_list envs = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_deploy(r, "clf", "2", "production", "ana", &out, &err), -1);
	assert_int_equal(err.code, MLC_ERR_READONLY);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_int_equal(registry_env_list(r, &envs, &err), -1);
	assert_non_null(strstr(err.msg, "an MLflow SQL store keeps no environments, deployments or "
					"requests: cannot list environments"));
	registry_close(r);
}

/* ---- experiments ------------------------------------------------------------ */

static void test_experiments_by_name_hide_deleted_unless_all(void **state)
{
	struct registry *r = open_new();
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_experiments(r, 0, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].name, "Default");
	assert_string_equal(l.items[0].experiment_id, "0");
	assert_string_equal(l.items[1].name, "vision");
	assert_int_equal(l.items[1].run_count, 2);
	assert_int_equal(l.items[1].creation_time, 20);
	assert_int_equal(l.items[1].last_update_time, 3000); /* newest run start */
	assert_int_equal(l.items[1].n_tags, 1);
	assert_string_equal(l.items[1].tags[0].value, "vision");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_experiments(r, 1, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[1].name, "old");
	assert_string_equal(l.items[1].lifecycle_stage, "deleted");
	assert_int_equal(l.items[2].run_count, 3);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_get_experiment_by_id_or_name_and_not_found(void **state)
{
	struct registry *r = open_new();
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_get_experiment(r, "old", &l, &err), 0);
	assert_string_equal(l.items[0].experiment_id, "2");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_experiment(r, "0", &l, &err), 0);
	assert_string_equal(l.items[0].name, "Default");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_experiment(r, "nope", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "experiment 'nope': not found in "));
	assert_non_null(strstr(err.msg, "mlflow.db"));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

/* ---- runs ------------------------------------------------------------------- */

static void test_runs_newest_first_with_values_and_nan(void **state)
{
	struct registry *r = open_new();
	struct mlc_run_list l = runs_of(r, "vision", NULL, NULL, 0);

	(void)state;
	assert_string_equal(ids(&l), "aaaa2 aaaa1");
	const struct mlc_run *b = &l.items[0], *a = &l.items[1];
	assert_string_equal(b->status, "RUNNING");
	assert_int_equal(b->end_time, 0);
	assert_string_equal(b->run_name, "beta");
	assert_string_equal(b->experiment_id, "1");
	assert_true(isnan(mlc_run_metric(b, "loss")->value));
	assert_true(isinf(mlc_run_metric(b, "big")->value));
	assert_string_equal(a->user_id, "ana");
	assert_string_equal(a->artifact_uri, "file:///a/1");
	assert_int_equal(a->n_params, 2);
	assert_string_equal(a->params[0].key, "layers"); /* sorted by key */
	assert_string_equal(a->params[1].value, "0.01");
	assert_int_equal(a->n_tags, 2);
	assert_int_equal(a->n_metrics, 2);
	assert_string_equal(a->metrics[0].key, "acc");
	assert_true(a->metrics[0].value == 0.7);
	assert_int_equal(a->metrics[0].step, 1);
	assert_true(a->metrics[1].value == 1.5);
	MLC_LIST_FREE(&l);
	l = runs_of(r, "1", NULL, NULL, 1);
	assert_string_equal(ids(&l), "aaaa2 bbbb3 aaaa1");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_run_name_falls_back_to_the_tag(void **state)
{
	struct registry *r = open_new();
	struct mlc_run_list l = runs_of(r, "old", NULL, NULL, 0);

	(void)state;
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].run_name, "from-tag");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_runs_filter_order_and_limit(void **state)
{
	struct registry *r = open_new();
	struct mlc_run_query q = {.experiment = "vision", .limit = 1};
	struct mlc_run_list l;
	struct mlc_error err = {0};

	(void)state;
	l = runs_of(r, "vision", "metrics.acc > 0.75", NULL, 0);
	assert_string_equal(ids(&l), "aaaa2");
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", "params.lr = '0.01' and tags.team LIKE 'a%'", NULL, 0);
	assert_string_equal(ids(&l), "aaaa1");
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", "attributes.status = 'RUNNING'", NULL, 0);
	assert_string_equal(ids(&l), "aaaa2");
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", "run_name ILIKE 'ALP%'", NULL, 0);
	assert_string_equal(ids(&l), "aaaa1");
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", "metrics.loss < 100", NULL, 0); /* NaN never matches */
	assert_string_equal(ids(&l), "aaaa1");
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", NULL, "metrics.acc ASC", 1);
	assert_string_equal(ids(&l), "bbbb3 aaaa1 aaaa2");
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", NULL, "metrics.loss DESC", 0); /* NaN sorts last */
	assert_string_equal(ids(&l), "aaaa1 aaaa2");
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", NULL, "params.lr DESC", 1);
	assert_string_equal(ids(&l), "bbbb3 aaaa2 aaaa1");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_string_equal(ids(&l), "aaaa2");
	MLC_LIST_FREE(&l);
	q.filter = "metrics.acc >";
	assert_int_equal(registry_list_runs(r, &q, &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_lean_runs_load_only_the_named_columns(void **state)
{
	static const char *const cols[] = {"metrics.acc", "params.lr"};
	struct registry *r = open_new();
	struct mlc_run_query q = {
	    .experiment = "vision", .lean = 1, .columns = cols, .n_columns = 2};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.items[i].n_metrics, 1);
		assert_string_equal(l.items[i].metrics[0].key, "acc");
		assert_int_equal(l.items[i].n_params, 1);
		assert_int_equal(l.items[i].n_tags, 0);
	}
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_get_run_by_id_or_unique_prefix(void **state)
{
	struct registry *r = open_new();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_get_run(r, R1, &l, &err), 0);
	assert_int_equal(l.items[0].n_params, 2);
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_run(r, "bbbb0000", &l, &err), 0);
	assert_string_equal(l.items[0].run_id, R3);
	assert_string_equal(l.items[0].lifecycle_stage, "deleted");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_run(r, "aaaa0000", &l, &err), -1);
	assert_non_null(strstr(err.msg, "ambiguous"));
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_run(r, "bbbb", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "run 'bbbb': not found in "));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_metric_history_keeps_duplicate_steps_and_nan(void **state)
{
	struct registry *r = open_new();
	struct mlc_metric_list h = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_metric_history(r, R1, "acc", &h, &err), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.items[1].step, 1);
	assert_int_equal(h.items[1].timestamp, 150);
	assert_true(h.items[2].value == 0.7);
	MLC_LIST_FREE(&h);
	assert_int_equal(
	    registry_metric_history(r, "aaaa0000000000000000000000000002", "loss", &h, &err), 0);
	assert_int_equal(h.n, 2);
	assert_true(isnan(h.items[1].value));
	MLC_LIST_FREE(&h);
	assert_int_equal(registry_metric_history(r, R1, "nope", &h, &err), -1);
	assert_non_null(strstr(err.msg, "metric 'nope': not logged by run"));
	MLC_LIST_FREE(&h);
	registry_close(r);
}

static void test_experiment_keys_all_or_newest(void **state)
{
	struct registry *r = open_new();
	struct mlc_keys k = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_experiment_keys(r, "vision", 0, &k, &err), 0);
	assert_int_equal(k.n_metrics, 3);
	assert_string_equal(k.metrics[0], "acc");
	assert_string_equal(k.metrics[2], "loss");
	assert_int_equal(k.n_params, 2);
	assert_int_equal(k.n_tags, 2);
	mlc_keys_free(&k);
	assert_int_equal(registry_experiment_keys(r, "vision", 1, &k, &err), 0);
	assert_int_equal(k.n_params, 1);
	assert_string_equal(k.params[0], "lr");
	assert_int_equal(k.n_tags, 1);
	assert_string_equal(k.tags[0], "team");
	mlc_keys_free(&k);
	registry_close(r);
}

/* ---- the model registry ------------------------------------------------------ */

static void test_models_by_name_with_aliases_tags_and_counts(void **state)
{
	struct registry *r = open_new();
	struct mlc_model_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_models(r, NULL, &l, &err), 0);
	assert_int_equal(l.n, 2);
	const struct mlc_model *m = &l.items[0];
	assert_string_equal(m->name, "clf");
	assert_string_equal(m->description, "classifier");
	assert_int_equal(m->n_versions, 3); /* not the Deleted_Internal one */
	assert_string_equal(m->latest_version, "4");
	assert_int_equal(m->n_aliases, 2);
	assert_string_equal(m->aliases[0].alias, "challenger");
	assert_string_equal(m->aliases[0].version, "4");
	assert_int_equal(m->n_tags, 1);
	assert_string_equal(l.items[1].name, "empty");
	assert_string_equal(l.items[1].latest_version, "");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_models(r, "tags.owner = 'ana'", &l, &err), 0);
	assert_int_equal(l.n, 1);
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_models(r, "name LIKE 'em%'", &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].name, "empty");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_versions_highest_first_skip_deleted(void **state)
{
	struct registry *r = open_new();
	struct mlc_version_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_versions(r, "clf", &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].version, "4");
	assert_string_equal(l.items[0].stage, "None");
	assert_string_equal(l.items[0].aliases[0], "challenger");
	assert_string_equal(l.items[1].version, "2");
	assert_string_equal(l.items[1].stage, "Production");
	assert_string_equal(l.items[1].run_id, R1);
	assert_string_equal(l.items[1].status, "READY");
	assert_int_equal(l.items[1].n_tags, 1);
	assert_string_equal(l.items[1].tags[0].key, "validated");
	assert_string_equal(l.items[2].stage, "Archived");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_versions(r, "nope", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "model 'nope': not found in "));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_versions_for_run_walks_lineage(void **state)
{
	struct registry *r = open_new();
	struct mlc_version_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_versions_for_run(r, "aaaa00000000000000000000000000", &l, &err),
			 -1);
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_versions_for_run(r, R1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].version, "2");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_versions_for_run(r, R2, &l, &err), 0);
	assert_int_equal(l.n, 1); /* version 3 was deleted */
	MLC_LIST_FREE(&l);
	registry_close(r);
}

/* ---- never written -------------------------------------------------------------- */

/* Read everything r holds, as a browsing session would. */
static void read_everything(struct registry *r)
{
	struct mlc_model_list ml = {0};
	struct mlc_version_list vl = {0};
	struct mlc_metric_list h = {0};
	struct mlc_error err = {0};
	struct mlc_run_list rl = runs_of(r, "vision", "metrics.acc > 0", "params.lr", 1);

	assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
	assert_int_equal(registry_list_versions(r, "clf", &vl, &err), 0);
	assert_int_equal(registry_metric_history(r, R1, "acc", &h, &err), 0);
	MLC_LIST_FREE(&ml);
	MLC_LIST_FREE(&vl);
	MLC_LIST_FREE(&h);
	MLC_LIST_FREE(&rl);
}

static void test_file_is_byte_identical_after_reading(void **state)
{
	const char *p = store("mlflow.db", 0);
	struct stat before, after;
	long n1, n2;
	char *a, *b, wal[160], shm[160];

	(void)state;
	snprintf(wal, sizeof wal, "%s-wal", p);
	snprintf(shm, sizeof shm, "%s-shm", p);
	assert_int_equal(stat(p, &before), 0);
	a = slurp(p, &n1);
	sleep(1); /* so a write would show in the mtime */
	struct registry *r = open_ok(p);
	read_everything(r);
	registry_close(r);
	assert_int_equal(stat(p, &after), 0);
	b = slurp(p, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, (size_t)n1);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(access(wal, F_OK), -1);
	assert_int_equal(access(shm, F_OK), -1);
	free(a);
	free(b);
}

/* ---- an older schema ------------------------------------------------------------ */

static void test_older_schema_without_aliases_times_or_latest_table(void **state)
{
	struct registry *r = open_ok(store("old.db", 1));
	struct mlc_experiment_list el = {0};
	struct mlc_model_list ml = {0};
	struct mlc_version_list vl = {0};
	struct mlc_error err = {0};
	struct mlc_run_list l;

	(void)state;
	assert_int_equal(registry_list_experiments(r, 1, &el, &err), 0);
	assert_int_equal(el.n, 3);
	assert_int_equal(el.items[2].creation_time, 0);
	assert_int_equal(el.items[2].last_update_time, 3000);
	MLC_LIST_FREE(&el);
	l = runs_of(r, "vision", NULL, NULL, 0);
	assert_string_equal(ids(&l), "aaaa2 aaaa1");
	/* latest computed by MLflow's rule from the points */
	assert_true(mlc_run_metric(&l.items[1], "acc")->value == 0.7);
	assert_true(mlc_run_metric(&l.items[1], "loss")->value == 1.5);
	assert_true(isnan(mlc_run_metric(&l.items[0], "loss")->value));
	MLC_LIST_FREE(&l);
	l = runs_of(r, "vision", "metrics.acc < 0.75", "metrics.acc DESC", 0);
	assert_string_equal(ids(&l), "aaaa1");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
	assert_int_equal(ml.items[0].n_aliases, 0);
	assert_int_equal(ml.items[0].n_versions, 3);
	MLC_LIST_FREE(&ml);
	assert_int_equal(registry_list_versions(r, "clf", &vl, &err), 0);
	assert_int_equal(vl.n, 3);
	assert_int_equal(vl.items[0].n_aliases, 0);
	MLC_LIST_FREE(&vl);
	registry_close(r);
}

/* ---- import --------------------------------------------------------------------- */

static void test_import_copies_everything_then_nothing(void **state)
{
	struct registry_open_opts w = {.create = 1};
	struct import_opts io = {.actor = "tester"};
	struct import_report rep;
	struct mlc_error err = {0};
	struct registry *src = open_new();
	struct registry *dst = registry_open(tu_path("local.db"), &w, &err);

	(void)state;
	assert_non_null(dst);
	assert_int_equal(import_registry(src, dst, &io, &rep, &err), 0);
	assert_int_equal(rep.n_skipped, 0);
	assert_int_equal(rep.added[IMP_EXPERIMENTS], 3);
	assert_int_equal(rep.added[IMP_EXPERIMENT_TAGS], 1);
	assert_int_equal(rep.added[IMP_RUNS], 4);
	assert_int_equal(rep.added[IMP_PARAMS], 4);
	assert_int_equal(rep.added[IMP_RUN_TAGS], 4);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 10);
	assert_int_equal(rep.added[IMP_MODELS], 2);
	assert_int_equal(rep.added[IMP_MODEL_TAGS], 1);
	assert_int_equal(rep.added[IMP_VERSIONS], 3);
	assert_int_equal(rep.added[IMP_VERSION_TAGS], 1);
	assert_int_equal(rep.added[IMP_ALIASES], 2);
	import_report_free(&rep);
	assert_int_equal(import_registry(src, dst, &io, &rep, &err), 0);
	assert_int_equal(import_report_changes(&rep), 0);
	import_report_free(&rep);
	/* the copy answers as the source does */
	struct mlc_run_list l = runs_of(dst, "vision", NULL, NULL, 0);
	assert_string_equal(ids(&l), "aaaa2 aaaa1");
	assert_true(isnan(mlc_run_metric(&l.items[0], "loss")->value));
	assert_true(mlc_run_metric(&l.items[1], "acc")->value == 0.7);
	MLC_LIST_FREE(&l);
	registry_close(dst);
	registry_close(src);
}

/* ---- setup --------------------------------------------------------------------- */

static int setup_dir(void **state)
{
	(void)state;
	return tu_tmpdir("msql");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mlflow_store_opens_read_only_by_uri_and_path),
	    cmocka_unit_test(test_other_foreign_sqlite_is_still_refused),
	    cmocka_unit_test(test_writes_are_refused_and_unsupported_ops_named),
	    cmocka_unit_test(test_experiments_by_name_hide_deleted_unless_all),
	    cmocka_unit_test(test_get_experiment_by_id_or_name_and_not_found),
	    cmocka_unit_test(test_runs_newest_first_with_values_and_nan),
	    cmocka_unit_test(test_run_name_falls_back_to_the_tag),
	    cmocka_unit_test(test_runs_filter_order_and_limit),
	    cmocka_unit_test(test_lean_runs_load_only_the_named_columns),
	    cmocka_unit_test(test_get_run_by_id_or_unique_prefix),
	    cmocka_unit_test(test_metric_history_keeps_duplicate_steps_and_nan),
	    cmocka_unit_test(test_experiment_keys_all_or_newest),
	    cmocka_unit_test(test_models_by_name_with_aliases_tags_and_counts),
	    cmocka_unit_test(test_versions_highest_first_skip_deleted),
	    cmocka_unit_test(test_versions_for_run_walks_lineage),
	    cmocka_unit_test(test_file_is_byte_identical_after_reading),
	    cmocka_unit_test(test_older_schema_without_aliases_times_or_latest_table),
	    cmocka_unit_test(test_import_copies_everything_then_nothing),
	};
	return cmocka_run_group_tests(tests, setup_dir, tu_group_teardown);
}
