/* test_registry_sqlite.c: the local registry backend against real SQLite files —
 * opening rules (ours, foreign, MLflow's, corrupt, missing), the schema's
 * guarantees (append-only audit, latest-metric rule) and every read operation. */
#include "config.h"
#include <fcntl.h>
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
#include "registry.h"
#include "schema.h"
#include "testutil.h"

/* A small registry with known content at path. */
static void make_fixture(const char *path)
{
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};
	struct registry *r = registry_open(path, &o, &err);
	sqlite3 *db;

	assert_non_null(r);
	registry_close(r);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	tu_exec(
	    db,
	    "INSERT INTO registered_models VALUES (1,'zeta','last model',1000,2000),"
	    " (2,'alpha','first model',1000,3000), (3,'fraud-detector','fraud',1000,4000);"
	    "INSERT INTO model_tags VALUES (3,'team','risk'),(2,'team','growth');"
	    "INSERT INTO experiments VALUES (1,'1','fraud','',"
	    " 'active',1,1),(2,'2','old','', 'deleted',1,1),(3,'3','1','', 'active',1,1);"
	    "INSERT INTO runs VALUES"
	    " (1,'aaaaaaaa11111111aaaaaaaa11111111',1,'first','alice','FINISHED',100,200,'','"
	    "active'),"
	    " (2,'aaaaaaaa22222222aaaaaaaa22222222',1,'second','bob','FAILED',300,400,'','active'),"
	    " (3,'bbbbbbbb33333333bbbbbbbb33333333',1,'third','alice','RUNNING',200,NULL,'','"
	    "active'),"
	    " (4,'cccccccc44444444cccccccc44444444',1,'gone','bob','FINISHED',500,600,'','deleted')"
	    ","
	    " (5,'dddddddd55555555dddddddd55555555',3,'named-1','bob','FINISHED',50,60,'','active')"
	    ";"
	    "INSERT INTO params VALUES (1,'lr','0.01'),(2,'lr','0.1'),(3,'lr','0.01');"
	    "INSERT INTO run_tags VALUES (1,'mlflow.runName','first');"
	    "INSERT INTO metric_keys VALUES (1,'acc'),(2,'loss');"
	    "INSERT INTO metrics VALUES (1,1,0,10,0.5,0),(1,1,1,11,0.7,0),(1,1,1,11,0.9,0),"
	    " (1,1,2,12,0,1),(2,1,0,10,0.95,0),(3,1,5,10,0.8,0),(3,1,5,9,0.99,0),"
	    " (1,2,0,10,1.5,0),(1,2,1,11,1.0,0);"
	    "INSERT INTO model_versions VALUES"
	    " (1,3,1,'s3://m/"
	    "1','aaaaaaaa11111111aaaaaaaa11111111','READY','Archived','v1','alice',10,10),"
	    " (2,3,2,'s3://m/"
	    "2','aaaaaaaa22222222aaaaaaaa22222222','READY','Production','v2','bob',20,20),"
	    " (3,3,10,'s3://m/10',NULL,'READY','None','','bob',30,30);"
	    "INSERT INTO model_aliases VALUES (3,'champion',2),(3,'production',2);"
	    "INSERT INTO version_tags VALUES (2,'validated','yes');");
	sqlite3_close(db);
}

static int setup_dir(void **state)
{
	assert_int_equal(tu_tmpdir("reg"), 0);
	make_fixture(tu_path("fixture.db"));
	return 0;
}

static int teardown_dir(void **state)
{
	return tu_rmdir();
}

static struct registry *open_fixture(void)
{
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	struct registry *r = registry_open(tu_path("fixture.db"), &o, &err);
	if (r == NULL)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(r);
	return r;
}

/* ---- opening ---- */

static void test_missing_file_is_not_found_on_read(void **state)
{
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};

	assert_null(registry_open(tu_path("nope.db"), &o, &err));
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "nope.db"));
	assert_int_equal(access(tu_path("nope.db"), F_OK), -1);
}

static void test_create_sets_application_id_version_and_wal(void **state)
{
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};
	struct registry *r = registry_open(tu_path("sub/dir/new.db"), &o, &err);
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_non_null(r);
	registry_close(r);
	assert_int_equal(sqlite3_open(tu_path("sub/dir/new.db"), &db), SQLITE_OK);
	sqlite3_prepare_v2(db,
			   "SELECT (SELECT application_id FROM pragma_application_id),"
			   " (SELECT user_version FROM pragma_user_version),"
			   " (SELECT journal_mode FROM pragma_journal_mode)",
			   -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), MLC_APPLICATION_ID);
	assert_int_equal(sqlite3_column_int(st, 1), MLC_SCHEMA_VERSION);
	assert_string_equal((const char *)sqlite3_column_text(st, 2), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Size and mtime of path, to prove a file was not written. */
static void stamp(const char *path, struct stat *st)
{
	assert_int_equal(stat(path, st), 0);
}

static void test_foreign_sqlite_file_is_refused_and_untouched(void **state)
{
	const char *p = tu_path("foreign.db");
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};
	struct stat before, after;
	sqlite3 *db;

	sqlite3_open(p, &db);
	tu_exec(db, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine');");
	sqlite3_close(db);
	stamp(p, &before);
	sleep(1);
	assert_null(registry_open(p, &o, &err));
	assert_non_null(strstr(err.msg, "not an mlconsole registry"));
	stamp(p, &after);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(access(tu_path("foreign.db-wal"), F_OK), -1);
}

static void test_mlflow_sql_store_is_recognised_and_never_written(void **state)
{
	const char *p = tu_path("mlflow.db");
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};
	struct stat before, after;
	sqlite3 *db;
	char uri[160];

	sqlite3_open(p, &db);
	tu_exec(db,
		"CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
		"CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name VARCHAR(256));"
		"CREATE TABLE runs (run_uuid VARCHAR(32) PRIMARY KEY);"
		"CREATE TABLE registered_models (name VARCHAR(256) PRIMARY KEY);");
	sqlite3_close(db);
	stamp(p, &before);
	snprintf(uri, sizeof uri, "sqlite:///%s", p);
	assert_null(registry_open(uri, &o, &err));
	assert_non_null(strstr(err.msg, "MLflow's own SQL store"));
	stamp(p, &after);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
}

static void test_garbage_file_is_reported_as_not_sqlite(void **state)
{
	const char *p = tu_path("garbage.db");
	FILE *f = fopen(p, "w");
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};

	for (int i = 0; i < 500; i++)
		fputs("this is not a database ", f);
	fclose(f);
	assert_null(registry_open(p, &o, &err));
	assert_int_equal(err.code, MLC_ERR_CORRUPT);
	assert_non_null(strstr(err.msg, "garbage.db"));
	assert_non_null(strstr(err.msg, "not a SQLite database"));
}

static void test_damaged_registry_is_reported_not_crashed(void **state)
{
	const char *p = tu_path("damaged.db");
	char cmd[256];
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	struct mlc_model_list l = {0};
	struct registry *r;
	int fd;
	char junk[4096];

	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", tu_path("fixture.db"), p);
	assert_int_equal(system(cmd), 0);
	/* Checkpointed fixture: overwrite every page after the header page. */
	memset(junk, 0xA5, sizeof junk);
	fd = open(p, O_WRONLY);
	for (int i = 1; i < 40; i++)
		assert_int_equal(pwrite(fd, junk, sizeof junk, (off_t)i * 4096),
				 (ssize_t)sizeof junk);
	close(fd);
	r = registry_open(p, &o, &err);
	if (r != NULL) {
		assert_int_equal(registry_list_models(r, NULL, &l, &err), -1);
		registry_close(r);
	}
	MLC_LIST_FREE(&l);
	assert_non_null(strstr(err.msg, "damaged.db"));
}

static void test_newer_schema_is_refused(void **state)
{
	const char *p = tu_path("newer.db");
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};
	struct registry *r = registry_open(p, &o, &err);
	sqlite3 *db;

	assert_non_null(r);
	registry_close(r);
	sqlite3_open(p, &db);
	tu_exec(db, "PRAGMA user_version = 99");
	sqlite3_close(db);
	assert_null(registry_open(p, &o, &err));
	assert_non_null(strstr(err.msg, "newer mlconsole"));
}

static void test_read_only_open_does_not_create(void **state)
{
	struct registry_open_opts o = {.read_only = 1};
	struct mlc_error err = {0};
	struct registry *r = open_fixture();

	assert_false(r->read_only);
	registry_close(r);
	r = registry_open(tu_path("fixture.db"), &o, &err);
	assert_non_null(r);
	assert_true(r->read_only);
	assert_false(r->caps & REG_CAP_WRITE);
	registry_close(r);
}

/* ---- schema guarantees ---- */

static void test_audit_log_refuses_update_and_delete(void **state)
{
	sqlite3 *db;

	sqlite3_open(tu_path("fixture.db"), &db);
	tu_exec(db, "INSERT INTO audit_log (at, actor, action, subject) VALUES "
		    "(1,'a','deploy','m:1@prod')");
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit_log SET actor='b'", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit_log", NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
}

static void test_latest_metric_is_max_by_step_timestamp_value(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	const struct mlc_metric *m;

	/* Run 1: step 2 is a NaN and wins by step, as in MLflow. */
	assert_int_equal(registry_get_run(r, "aaaaaaaa11111111aaaaaaaa11111111", &l, &err), 0);
	m = mlc_run_metric(&l.items[0], "acc");
	assert_non_null(m);
	assert_true(isnan(m->value));
	assert_int_equal(m->step, 2);
	MLC_LIST_FREE(&l);
	/* Run 3: same step, the later timestamp wins over the larger value. */
	assert_int_equal(registry_get_run(r, "bbbbbbbb33333333", &l, &err), 0);
	m = mlc_run_metric(&l.items[0], "acc");
	assert_float_equal(m->value, 0.8, 1e-12);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

/* ---- reads ---- */

static void test_models_are_listed_by_name_with_aliases_and_tags(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_model_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_list_models(r, NULL, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].name, "alpha");
	assert_string_equal(l.items[1].name, "fraud-detector");
	assert_string_equal(l.items[2].name, "zeta");
	assert_int_equal(l.items[1].n_versions, 3);
	assert_string_equal(l.items[1].latest_version, "10");
	assert_int_equal(l.items[1].n_aliases, 2);
	assert_string_equal(l.items[1].aliases[0].alias, "champion");
	assert_string_equal(l.items[1].aliases[0].version, "2");
	assert_string_equal(mlc_kv_get(l.items[1].tags, l.items[1].n_tags, "team"), "risk");
	assert_string_equal(l.items[2].latest_version, "");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_models_filter_uses_mlflow_syntax(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_model_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_list_models(r, "tags.team = 'risk'", &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].name, "fraud-detector");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_models(r, "name = 'alpha' or name = 'zeta'", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, "column"));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_versions_are_highest_first_with_aliases(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_version_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_list_versions(r, "fraud-detector", &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].version, "10");
	assert_string_equal(l.items[1].version, "2");
	assert_string_equal(l.items[1].stage, "Production");
	assert_int_equal(l.items[1].n_aliases, 2);
	assert_string_equal(l.items[1].aliases[1], "production");
	assert_string_equal(mlc_kv_get(l.items[1].tags, l.items[1].n_tags, "validated"), "yes");
	assert_string_equal(l.items[0].run_id, "");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_unknown_model_is_not_found(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_version_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_list_versions(r, "no-such-model", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "no-such-model"));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_experiments_hide_deleted_unless_all(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_list_experiments(r, 0, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].name, "1");
	assert_string_equal(l.items[1].name, "fraud");
	assert_int_equal(l.items[1].run_count, 3);
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_experiments(r, 1, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.items[1].run_count, 4);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_runs_are_newest_first_and_hide_deleted(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	struct mlc_run_query q = {.experiment = "fraud"};

	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].run_name, "second");
	assert_string_equal(l.items[1].run_name, "third");
	assert_string_equal(l.items[2].run_name, "first");
	assert_int_equal(l.items[1].end_time, 0);
	assert_string_equal(mlc_kv_get(l.items[2].params, l.items[2].n_params, "lr"), "0.01");
	MLC_LIST_FREE(&l);
	q.all = 1;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 4);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_runs_filter_order_and_limit(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	struct mlc_run_query q = {
	    .experiment = "1", .filter = "params.lr = '0.01'", .order_by = "metrics.acc DESC"};

	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 2);
	/* run 1's latest acc is NaN: it sorts with the missing values, last */
	assert_string_equal(l.items[0].run_name, "third");
	assert_string_equal(l.items[1].run_name, "first");
	MLC_LIST_FREE(&l);
	q.filter = NULL;
	q.order_by = NULL;
	q.limit = 1;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 1);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_experiment_id_wins_over_a_name(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	struct mlc_run_query q = {.experiment = "3"};

	/* "3" is experiment 3's id; experiment "1" (named "1") is not chosen for "1". */
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].run_name, "named-1");
	MLC_LIST_FREE(&l);
	q.experiment = "1";
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 3);
	MLC_LIST_FREE(&l);
	q.experiment = "nope";
	assert_int_equal(registry_list_runs(r, &q, &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_bad_run_filter_names_the_column(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	struct mlc_run_query q = {.experiment = "1", .filter = "metrics.acc > 'high'"};

	assert_int_equal(registry_list_runs(r, &q, &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_int_equal(err.column, 15);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_run_prefix_needs_8_chars_and_must_be_unique(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_get_run(r, "cccccccc", &l, &err), 0);
	assert_string_equal(l.items[0].run_name, "gone");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_run(r, "aaaaaaaa", &l, &err), -1);
	assert_non_null(strstr(err.msg, "ambiguous"));
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_run(r, "ccccccc", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_metric_history_is_by_step_with_nan(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_metric_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_metric_history(r, "aaaaaaaa11111111", "acc", &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.items[0].step, 0);
	assert_float_equal(l.items[1].value, 0.7, 1e-12);
	assert_float_equal(l.items[2].value, 0.9, 1e-12);
	assert_true(isnan(l.items[3].value));
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_metric_history(r, "aaaaaaaa11111111", "nope", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_lean_runs_load_only_the_named_columns(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	const char *cols[] = {"metrics.acc", "params.lr", "tags.mlflow.runName", "metrics.nope"};
	struct mlc_run_query q = {.experiment = "1", .lean = 1, .columns = cols, .n_columns = 4};

	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 3);
	/* newest first: second, third, first */
	assert_int_equal(l.items[0].n_metrics, 1);
	assert_float_equal(l.items[0].metrics[0].value, 0.95, 1e-12);
	assert_null(mlc_run_metric(&l.items[0], "loss"));
	assert_string_equal(mlc_kv_get(l.items[0].params, l.items[0].n_params, "lr"), "0.1");
	assert_int_equal(l.items[0].n_tags, 0);
	assert_string_equal(mlc_kv_get(l.items[2].tags, l.items[2].n_tags, "mlflow.runName"),
			    "first");
	assert_true(isnan(mlc_run_metric(&l.items[2], "acc")->value));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_experiment_keys_lists_metric_param_and_tag_keys(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_keys k = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_experiment_keys(r, "fraud", 0, &k, &err), 0);
	assert_int_equal(k.n_metrics, 2);
	assert_string_equal(k.metrics[0], "acc");
	assert_string_equal(k.metrics[1], "loss");
	assert_int_equal(k.n_params, 1);
	assert_string_equal(k.params[0], "lr");
	assert_int_equal(k.n_tags, 1);
	mlc_keys_free(&k);
	assert_int_equal(registry_experiment_keys(r, "3", 0, &k, &err), 0);
	assert_int_equal(k.n_metrics, 0);
	mlc_keys_free(&k);
	/* The newest run of "fraud" (second) logged acc and lr only. */
	assert_int_equal(registry_experiment_keys(r, "fraud", 1, &k, &err), 0);
	assert_int_equal(k.n_metrics, 1);
	assert_string_equal(k.metrics[0], "acc");
	assert_int_equal(k.n_params, 1);
	assert_int_equal(k.n_tags, 0);
	mlc_keys_free(&k);
	registry_close(r);
}

static void test_versions_for_run_walks_lineage_backwards(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_version_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_versions_for_run(r, "aaaaaaaa22222222", &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].model, "fraud-detector");
	assert_string_equal(l.items[0].version, "2");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_versions_for_run(r, "bbbbbbbb33333333", &l, &err), 0);
	assert_int_equal(l.n, 0);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_get_experiment_finds_deleted_ones_too(void **state)
{
	struct registry *r = open_fixture();
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_get_experiment(r, "old", &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].lifecycle_stage, "deleted");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_http_uri_opens_the_remote_backend_not_sqlite(void **state)
{
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	struct registry *r = registry_open("http://user:secret@127.0.0.1:1", &o, &err);

	if (r == NULL) /* a backend may check the server at open: then it names the host */
		assert_non_null(strstr(err.msg, "127.0.0.1:1"));
	else {
		assert_string_equal(r->ops->kind, "mlflow");
		assert_null(strstr(r->display, "secret"));
		registry_close(r);
	}
	assert_null(strstr(err.msg, "secret"));
}

/* ---- ordering by index walks, against a brute-force sort ---- */

/* One generated run, as the brute-force ordering sees it. */
struct gen_run {
	char uuid[33], status[10], p[4], t[4];
	int64_t start;
	int exp, deleted, has_m, m_nan, has_p, has_t;
	double m;
};

#define GEN_RUNS 400
static struct gen_run gen[GEN_RUNS];

/* A small deterministic pseudo-random number. */
static unsigned gen_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffu;
}

/* A registry of GEN_RUNS runs at path, most in experiment 1, with ties in every
 * value, runs without the metric, NaN metrics, missing params and tags and
 * deleted runs; gen[] records what was written. */
static void make_generated(const char *path)
{
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};
	struct registry *r = registry_open(path, &o, &err);
	sqlite3 *db;
	sqlite3_stmt *run, *met, *par, *tag;
	unsigned s = 7;

	assert_non_null(r);
	registry_close(r);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	tu_exec(
	    db,
	    "BEGIN; INSERT INTO experiments VALUES (1,'1','main','','active',1,1),"
	    " (2,'2','other','','active',1,1); INSERT INTO metric_keys VALUES (1,'m'),(2,'z');");
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO runs VALUES (?1,?2,?3,'n','u',?4,?5,NULL,'',?6)",
			       -1, &run, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO metrics VALUES (?1,?2,0,1,?3,?4)", -1, &met, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO params VALUES (?1,'p',?2)", -1, &par, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO run_tags VALUES (?1,'t',?2)", -1, &tag, NULL),
	    SQLITE_OK);
	for (int i = 0; i < GEN_RUNS; i++) {
		struct gen_run *g = &gen[i];
		unsigned k = gen_rand(&s) % 10;

		snprintf(g->uuid, sizeof g->uuid, "%08x%024d", gen_rand(&s) * 7919u, i);
		g->exp = i % 5 == 4 ? 2 : 1;
		g->start = 1000 + gen_rand(&s) % 40;
		g->deleted = gen_rand(&s) % 10 == 0;
		snprintf(g->status, sizeof g->status, "%s",
			 gen_rand(&s) % 3 ? "FINISHED" : "FAILED");
		g->has_m = k >= 2;
		g->m_nan = k == 2;
		g->m = (double)(gen_rand(&s) % 15) / 10.0 - 0.5;
		g->has_p = gen_rand(&s) % 4 != 0;
		snprintf(g->p, sizeof g->p, "v%u", gen_rand(&s) % 5);
		g->has_t = gen_rand(&s) % 3 != 0;
		snprintf(g->t, sizeof g->t, "t%u", gen_rand(&s) % 4);
		sqlite3_bind_int(run, 1, i + 1);
		sqlite3_bind_text(run, 2, g->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int(run, 3, g->exp);
		sqlite3_bind_text(run, 4, g->status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(run, 5, g->start);
		sqlite3_bind_text(run, 6, g->deleted ? "deleted" : "active", -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(run), SQLITE_DONE);
		sqlite3_reset(run);
		for (int key = 1; key <= 2; key++) { /* z: a second metric on every run */
			if (key == 1 && !g->has_m)
				continue;
			sqlite3_bind_int(met, 1, i + 1);
			sqlite3_bind_int(met, 2, key);
			sqlite3_bind_double(met, 3, key == 1 && g->m_nan ? 0 : g->m);
			sqlite3_bind_int(met, 4, key == 1 && g->m_nan);
			assert_int_equal(sqlite3_step(met), SQLITE_DONE);
			sqlite3_reset(met);
		}
		if (g->has_p) {
			sqlite3_bind_int(par, 1, i + 1);
			sqlite3_bind_text(par, 2, g->p, -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(par), SQLITE_DONE);
			sqlite3_reset(par);
		}
		if (g->has_t) {
			sqlite3_bind_int(tag, 1, i + 1);
			sqlite3_bind_text(tag, 2, g->t, -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(tag), SQLITE_DONE);
			sqlite3_reset(tag);
		}
	}
	sqlite3_finalize(run);
	sqlite3_finalize(met);
	sqlite3_finalize(par);
	sqlite3_finalize(tag);
	tu_exec(db, "COMMIT");
	sqlite3_close(db);
}

/* An order to check: its text and its keys ('m' metric m, 'p' param, 't' tag,
 * 's' start_time), each with a direction. */
struct gen_order {
	const char *text;
	char kind[2];
	int desc[2];
};

static const struct gen_order *gen_cur;

/* Compare one key of two runs: missing (or NaN) values last in either direction. */
static int gen_cmp_key(const struct gen_run *a, const struct gen_run *b, char kind, int desc)
{
	int ha, hb, c = 0;

	if (kind == 's') {
		c = (a->start > b->start) - (a->start < b->start);
		return desc ? -c : c;
	}
	if (kind == 'z') { /* metric z: every run has it (its value is m's) */
		c = (a->m > b->m) - (a->m < b->m);
		return desc ? -c : c;
	}
	if (kind == 'S' || kind == 'u') {
		c = kind == 'S' ? strcmp(a->status, b->status) : strcmp(a->uuid, b->uuid);
		return desc ? -c : c;
	}
	ha = kind == 'm' ? a->has_m && !a->m_nan : kind == 'p' ? a->has_p : a->has_t;
	hb = kind == 'm' ? b->has_m && !b->m_nan : kind == 'p' ? b->has_p : b->has_t;
	if (!ha || !hb)
		return ha - hb ? hb - ha : 0;
	if (kind == 'm')
		c = (a->m > b->m) - (a->m < b->m);
	else
		c = kind == 'p' ? strcmp(a->p, b->p) : strcmp(a->t, b->t);
	return desc ? -c : c;
}

/* qsort: gen_cur's keys, then newest first, then by run id. */
static int gen_cmp(const void *x, const void *y)
{
	const struct gen_run *a = *(const struct gen_run *const *)x,
			     *b = *(const struct gen_run *const *)y;
	int c;

	for (int i = 0; i < 2 && gen_cur->kind[i]; i++)
		if ((c = gen_cmp_key(a, b, gen_cur->kind[i], gen_cur->desc[i])) != 0)
			return c;
	if (a->start != b->start)
		return a->start > b->start ? -1 : 1;
	return strcmp(a->uuid, b->uuid);
}

/* Whether g passes filter number f (see gen_filters) and the deleted rule. */
static int gen_keep(const struct gen_run *g, int f, int all)
{
	if (g->exp != 1 || (g->deleted && !all))
		return 0;
	if (f == 1)
		return g->has_p && strcmp(g->p, "v1") == 0;
	if (f == 2)
		return g->has_m && !g->m_nan && g->m > 0.3;
	if (f == 3)
		return strcmp(g->status, "FINISHED") == 0;
	return 1;
}

static void test_limited_orders_equal_a_brute_force_sort(void **state)
{
	static const struct gen_order orders[] = {
	    {"metrics.m DESC", {'m', 0}, {1, 0}},
	    {"metrics.m ASC", {'m', 0}, {0, 0}},
	    {"metrics.m", {'m', 0}, {0, 0}},
	    {"metrics.m DESC, params.p ASC", {'m', 'p'}, {1, 0}},
	    {"metrics.m ASC, tags.t DESC", {'m', 't'}, {0, 1}},
	    {"metrics.m DESC, start_time ASC", {'m', 's'}, {1, 0}},
	    {"params.p DESC", {'p', 0}, {1, 0}},
	    {"params.p ASC, metrics.m DESC", {'p', 'm'}, {0, 1}},
	    {"start_time ASC", {'s', 0}, {0, 0}},
	    {"attributes.start_time DESC", {'s', 0}, {1, 0}},
	    {"tags.t ASC", {'t', 0}, {0, 0}},
	    {NULL, {0, 0}, {0, 0}},
	};
	static const char *const gen_filters[] = {NULL, "params.p = 'v1'", "metrics.m > 0.3",
						  "attributes.status = 'FINISHED'"};
	static const int64_t limits[] = {0, 1, 7, 50, 113, 1000};
	const char *cols[] = {"metrics.m", "params.p", "tags.t"};
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	struct registry *r;
	const struct gen_run *want[GEN_RUNS];

	make_generated(tu_path("gen.db"));
	r = registry_open(tu_path("gen.db"), &o, &err);
	assert_non_null(r);
	for (size_t oi = 0; oi < sizeof orders / sizeof orders[0]; oi++)
		for (int f = 0; f < 4; f++)
			for (int all = 0; all < 2; all++) {
				size_t n = 0;

				for (int i = 0; i < GEN_RUNS; i++)
					if (gen_keep(&gen[i], f, all))
						want[n++] = &gen[i];
				gen_cur = &orders[oi];
				qsort(want, n, sizeof want[0], gen_cmp);
				for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++)
					for (int lean = 0; lean < 2; lean++) {
						struct mlc_run_list l = {0};
						struct mlc_run_query q = {.experiment = "main",
									  .filter = gen_filters[f],
									  .order_by =
									      orders[oi].text,
									  .limit = limits[li],
									  .all = all,
									  .lean = lean,
									  .columns = cols,
									  .n_columns = 3};
						size_t expect = limits[li] && (size_t)limits[li] < n
								    ? (size_t)limits[li]
								    : n;

						if (registry_list_runs(r, &q, &l, &err) != 0)
							fail_msg("%s: %s", orders[oi].text,
								 err.msg);
						if (l.n != expect)
							fail_msg(
							    "%s / %s / limit %lld: %zu runs, want "
							    "%zu",
							    orders[oi].text,
							    gen_filters[f] ? gen_filters[f] : "-",
							    (long long)limits[li], l.n, expect);
						for (size_t i = 0; i < l.n; i++) {
							const struct gen_run *g = want[i];
							const struct mlc_metric *m =
							    mlc_run_metric(&l.items[i], "m");
							const char *p =
							    mlc_kv_get(l.items[i].params,
								       l.items[i].n_params, "p");
							const char *t =
							    mlc_kv_get(l.items[i].tags,
								       l.items[i].n_tags, "t");

							if (strcmp(l.items[i].run_id, g->uuid) != 0)
								fail_msg(
								    "%s / %s / limit %lld / all "
								    "%d: row %zu is %s, want %s",
								    orders[oi].text,
								    gen_filters[f] ? gen_filters[f]
										   : "-",
								    (long long)limits[li], all, i,
								    l.items[i].run_id, g->uuid);
							assert_int_equal(m != NULL, g->has_m);
							if (m)
								assert_true(g->m_nan
										? isnan(m->value)
										: m->value == g->m);
							assert_int_equal(p != NULL, g->has_p);
							assert_int_equal(t != NULL, g->has_t);
							if (p)
								assert_string_equal(p, g->p);
							if (t)
								assert_string_equal(t, g->t);
							/* lean loads only the named columns */
							if (lean)
								assert_null(mlc_run_metric(
								    &l.items[i], "z"));
						}
						MLC_LIST_FREE(&l);
					}
			}
	registry_close(r);
}

/* ---- windows (the console's tables), against the same brute force ---- */

/* Whether g shows text t (ASCII case folded; "!x" inverts) in its id, name,
 * user, status or columns m (as %.4g), p and t, as a table draws them. */
static int gen_text(const struct gen_run *g, const char *t)
{
	int invert = t[0] == '!';
	char m[32];
	const char *fields[7] = {g->uuid, "n", "u", g->status, NULL, NULL, NULL};
	int hit = 0;

	if (invert)
		t++;
	if (g->has_m) {
		snprintf(m, sizeof m, "%.4g", g->m);
		fields[4] = g->m_nan ? "NaN" : m;
	}
	fields[5] = g->has_p ? g->p : NULL;
	fields[6] = g->has_t ? g->t : NULL;
	for (int i = 0; i < 7 && !hit; i++)
		hit = fields[i] && strcasestr(fields[i], t) != NULL;
	return hit != invert;
}

/* The ids of l's runs appended to ids[*n]. */
static void gen_take(const struct mlc_run_list *l, const char **ids, size_t *n, int front)
{
	if (front) {
		memmove(ids + l->n, ids, *n * sizeof *ids);
		for (size_t i = 0; i < l->n; i++)
			ids[i] = strdup(l->items[i].run_id);
	} else {
		for (size_t i = 0; i < l->n; i++)
			ids[*n + i] = strdup(l->items[i].run_id);
	}
	*n += l->n;
}

static void gen_free_ids(const char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)ids[i]);
}

static void test_windows_equal_a_brute_force_sort(void **state)
{
	static const struct gen_order orders[] = {
	    {NULL, {0, 0}, {0, 0}},
	    {"metrics.m DESC", {'m', 0}, {1, 0}},
	    {"metrics.m ASC", {'m', 0}, {0, 0}},
	    {"params.p DESC", {'p', 0}, {1, 0}},
	    {"params.p", {'p', 0}, {0, 0}},
	    {"tags.t DESC", {'t', 0}, {1, 0}},
	    {"tags.t ASC", {'t', 0}, {0, 0}},
	    {"attributes.start_time ASC", {'s', 0}, {0, 0}},
	    {"attributes.start_time DESC", {'s', 0}, {1, 0}},
	    {"attributes.status DESC", {'S', 0}, {1, 0}},
	    {"attributes.status ASC", {'S', 0}, {0, 0}},
	    {"attributes.run_id DESC", {'u', 0}, {1, 0}},
	    {"metrics.z DESC", {'z', 0}, {1, 0}}, /* no run lacks it: one stage */
	    {"metrics.z ASC", {'z', 0}, {0, 0}},
	};
	static const char *const gen_filters[] = {NULL, "params.p = 'v1'", "metrics.m > 0.3",
						  "attributes.status = 'FINISHED'"};
	static const char *const texts[] = {NULL, "fAiL", "!fail", "v1", "0.5", "nan", "0000012"};
	static const int64_t pages[] = {1, 7, 1000};
	const char *cols[] = {"metrics.m", "params.p", "tags.t"};
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	struct registry *r;
	const struct gen_run *want[GEN_RUNS];
	const char *got[GEN_RUNS];

	(void)state;
	make_generated(tu_path("win.db"));
	r = registry_open(tu_path("win.db"), &o, &err);
	assert_non_null(r);
	assert_true(r->caps & REG_CAP_WINDOW);
	for (size_t oi = 0; oi < sizeof orders / sizeof orders[0]; oi++)
		for (int f = 0; f < 4; f++)
			for (size_t ti = 0; ti < sizeof texts / sizeof texts[0]; ti++) {
				struct mlc_run_query q = {.experiment = "main",
							  .filter = gen_filters[f],
							  .order_by = orders[oi].text,
							  .lean = 1,
							  .columns = cols,
							  .n_columns = 3,
							  .window = 1,
							  .text = texts[ti]};
				const char *what = orders[oi].text ? orders[oi].text : "newest";
				size_t n = 0;
				int64_t count = -1;

				for (int i = 0; i < GEN_RUNS; i++)
					if (gen_keep(&gen[i], f, 0) &&
					    (!texts[ti] || gen_text(&gen[i], texts[ti])))
						want[n++] = &gen[i];
				gen_cur = &orders[oi];
				qsort(want, n, sizeof want[0], gen_cmp);
				if (registry_count_runs(r, &q, &count, &err) != 0)
					fail_msg("count %s: %s", what, err.msg);
				if ((size_t)count != n)
					fail_msg("count %s / %s / %s: %lld, want %zu", what,
						 gen_filters[f] ? gen_filters[f] : "-",
						 texts[ti] ? texts[ti] : "-", (long long)count, n);
				for (size_t pi = 0; pi < sizeof pages / sizeof pages[0]; pi++)
					for (int back = 0; back < 2; back++) {
						size_t m = 0, last;
						struct mlc_run_list l;

						q.limit = pages[pi];
						q.backward = back;
						q.after = NULL;
						do { /* page by page from one end to the other */
							l = (struct mlc_run_list){0};
							if (registry_list_runs(r, &q, &l, &err) !=
							    0)
								fail_msg("%s: %s", what, err.msg);
							assert_true(l.n <= (size_t)q.limit);
							gen_take(&l, got, &m, back);
							q.after = l.n ? (back ? got[0] : got[m - 1])
								      : NULL;
							last = l.n;
							MLC_LIST_FREE(&l);
						} while (q.after && m < n + 1 &&
							 (int64_t)last == q.limit);
						if (m != n)
							fail_msg(
							    "%s / %s / %s / page %lld%s: %zu runs, "
							    "want %zu",
							    what,
							    gen_filters[f] ? gen_filters[f] : "-",
							    texts[ti] ? texts[ti] : "-",
							    (long long)pages[pi],
							    back ? " back" : "", m, n);
						for (size_t i = 0; i < n; i++)
							if (strcmp(got[i], want[i]->uuid) != 0)
								fail_msg(
								    "%s / %s / %s / page %lld%s: "
								    "row "
								    "%zu is %s, want %s",
								    what,
								    gen_filters[f] ? gen_filters[f]
										   : "-",
								    texts[ti] ? texts[ti] : "-",
								    (long long)pages[pi],
								    back ? " back" : "", i, got[i],
								    want[i]->uuid);
						gen_free_ids(got, m);
					}
				/* From a run in the middle, itself included: where a cursor stays.
				 */
				if (n > 2) {
					struct mlc_run_list l = {0};
					q.after = want[n / 2]->uuid;
					q.backward = 0;
					q.inclusive = 1;
					q.limit = 3;
					assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
					assert_true(l.n >= 1);
					for (size_t i = 0; i < l.n; i++)
						assert_string_equal(l.items[i].run_id,
								    want[n / 2 + i]->uuid);
					MLC_LIST_FREE(&l);
					q.inclusive = 0;
				}
			}
	registry_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_file_is_not_found_on_read),
	    cmocka_unit_test(test_create_sets_application_id_version_and_wal),
	    cmocka_unit_test(test_foreign_sqlite_file_is_refused_and_untouched),
	    cmocka_unit_test(test_mlflow_sql_store_is_recognised_and_never_written),
	    cmocka_unit_test(test_garbage_file_is_reported_as_not_sqlite),
	    cmocka_unit_test(test_damaged_registry_is_reported_not_crashed),
	    cmocka_unit_test(test_newer_schema_is_refused),
	    cmocka_unit_test(test_read_only_open_does_not_create),
	    cmocka_unit_test(test_audit_log_refuses_update_and_delete),
	    cmocka_unit_test(test_latest_metric_is_max_by_step_timestamp_value),
	    cmocka_unit_test(test_models_are_listed_by_name_with_aliases_and_tags),
	    cmocka_unit_test(test_models_filter_uses_mlflow_syntax),
	    cmocka_unit_test(test_versions_are_highest_first_with_aliases),
	    cmocka_unit_test(test_unknown_model_is_not_found),
	    cmocka_unit_test(test_experiments_hide_deleted_unless_all),
	    cmocka_unit_test(test_runs_are_newest_first_and_hide_deleted),
	    cmocka_unit_test(test_runs_filter_order_and_limit),
	    cmocka_unit_test(test_windows_equal_a_brute_force_sort),
	    cmocka_unit_test(test_experiment_id_wins_over_a_name),
	    cmocka_unit_test(test_bad_run_filter_names_the_column),
	    cmocka_unit_test(test_run_prefix_needs_8_chars_and_must_be_unique),
	    cmocka_unit_test(test_metric_history_is_by_step_with_nan),
	    cmocka_unit_test(test_lean_runs_load_only_the_named_columns),
	    cmocka_unit_test(test_limited_orders_equal_a_brute_force_sort),
	    cmocka_unit_test(test_experiment_keys_lists_metric_param_and_tag_keys),
	    cmocka_unit_test(test_versions_for_run_walks_lineage_backwards),
	    cmocka_unit_test(test_get_experiment_finds_deleted_ones_too),
	    cmocka_unit_test(test_http_uri_opens_the_remote_backend_not_sqlite),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
