/* test_schema.c: the local schema's migrations refuse what is not ours and
 * are safe to run twice. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "schema.h"
#include "testutil.h"

static void test_empty_database_is_migrated_to_current(void **state)
{
	sqlite3 *db;
	struct mlc_error err = {0};

	sqlite3_open(":memory:", &db);
	assert_int_equal(schema_migrate(db, "mem", &err), 0);
	assert_int_equal(tu_user_version(db), MLC_SCHEMA_VERSION);
	sqlite3_close(db);
}

static void test_migrating_twice_is_a_no_op(void **state)
{
	sqlite3 *db;
	struct mlc_error err = {0};

	sqlite3_open(":memory:", &db);
	assert_int_equal(schema_migrate(db, "mem", &err), 0);
	assert_int_equal(schema_migrate(db, "mem", &err), 0);
	assert_int_equal(tu_user_version(db), MLC_SCHEMA_VERSION);
	sqlite3_close(db);
}

static void test_database_with_foreign_tables_is_refused(void **state)
{
	sqlite3 *db;
	struct mlc_error err = {0};

	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE TABLE notes (t TEXT)", NULL, NULL, NULL);
	assert_int_equal(schema_migrate(db, "notes.db", &err), -1);
	assert_non_null(strstr(err.msg, "notes.db"));
	assert_int_equal(tu_user_version(db), 0);
	sqlite3_close(db);
}

/* A version-2 registry (before policy requests) gains their tables, keeping
 * its promotion requests. */
static void test_version_2_gains_the_policy_request_tables(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct mlc_error err = {0};

	sqlite3_open(":memory:", &db);
	assert_int_equal(schema_migrate(db, "mem", &err), 0);
	assert_int_equal(
	    sqlite3_exec(db,
			 "DROP TABLE policy_votes; DROP TABLE policy_requests;"
			 " DROP TABLE import_marks;"
			 " INSERT INTO registered_models VALUES (1, 'm', '', 1, 1);"
			 " INSERT INTO environments (id, name, ord) VALUES (1, 'prod', 1);"
			 " INSERT INTO promotion_requests (id, model_id, version, env_id,"
			 " requested_by, requested_at) VALUES (7, 1, 1, 1, 'a', 1);"
			 " PRAGMA user_version = 2",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(schema_migrate(db, "mem", &err), 0);
	assert_int_equal(tu_user_version(db), MLC_SCHEMA_VERSION);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT (SELECT count(*) FROM policy_requests) +"
					    " (SELECT count(*) FROM policy_votes),"
					    " (SELECT id FROM promotion_requests)",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	assert_int_equal(sqlite3_column_int(st, 1), 7);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A version-4 registry (before import marks) gains the import_marks table,
 * keeping its runs and points, and an import into it may mark what it read. */
static void test_version_4_gains_the_import_marks(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct mlc_error err = {0};

	sqlite3_open(":memory:", &db);
	assert_int_equal(schema_migrate(db, "mem", &err), 0);
	assert_int_equal(
	    sqlite3_exec(db,
			 "DROP TABLE import_marks;"
			 " INSERT INTO experiments VALUES (1, '1', 'e', '', 'active', 1, 1);"
			 " INSERT INTO runs (id, run_uuid, experiment_id, start_time)"
			 " VALUES (1, 'r1', 1, 1);"
			 " INSERT INTO metric_keys VALUES (1, 'acc');"
			 " INSERT INTO metrics VALUES (1, 1, 0, 10, 0.5, 0);"
			 " INSERT INTO import_sources VALUES (1, 'mlruns:/s', 1, 1);"
			 " PRAGMA user_version = 4",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(schema_migrate(db, "mem", &err), 0);
	assert_int_equal(tu_user_version(db), MLC_SCHEMA_VERSION);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO import_marks (run_id, key_id, source_id, size,"
				      " hash, points) VALUES (1, 1, 1, 12, -5, 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT (SELECT count(*) FROM metrics),"
					    " (SELECT value FROM latest_metrics),"
					    " (SELECT hash FROM import_marks)",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	assert_true(sqlite3_column_double(st, 1) == 0.5); /* the trigger is still there */
	assert_int_equal(sqlite3_column_int64(st, 2), -5);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_newer_schema_is_refused(void **state)
{
	sqlite3 *db;
	struct mlc_error err = {0};

	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
	assert_int_equal(schema_migrate(db, "new.db", &err), -1);
	assert_non_null(strstr(err.msg, "newer mlconsole"));
	sqlite3_close(db);
}

static void test_indexes_can_be_dropped_and_recreated(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct mlc_error err = {0};
	int before, after;

	sqlite3_open(":memory:", &db);
	schema_migrate(db, "mem", &err);
	sqlite3_prepare_v2(
	    db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name LIKE 'ix_%'", -1,
	    &st, NULL);
	sqlite3_step(st);
	before = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	assert_int_equal(schema_drop_indexes(db, &err), 0);
	sqlite3_step(st);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_reset(st);
	assert_int_equal(schema_create_indexes(db, &err), 0);
	sqlite3_step(st);
	after = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	assert_true(before > 0);
	assert_int_equal(before, after);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_database_is_migrated_to_current),
	    cmocka_unit_test(test_migrating_twice_is_a_no_op),
	    cmocka_unit_test(test_database_with_foreign_tables_is_refused),
	    cmocka_unit_test(test_newer_schema_is_refused),
	    cmocka_unit_test(test_version_2_gains_the_policy_request_tables),
	    cmocka_unit_test(test_version_4_gains_the_import_marks),
	    cmocka_unit_test(test_indexes_can_be_dropped_and_recreated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
