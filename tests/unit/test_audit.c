/* test_audit.c: the audit log's hash chain on real SQLite files — the hash is
 * the documented encoding, appends chain, and audit_verify names a row
 * deleted, edited or re-ordered behind the console's back, and a log
 * rewritten with its chain recomputed (through the head remembered in
 * $XDG_STATE_HOME); an older registry is chained by the migration; an
 * environment edited outside is told apart. */
#include "config.h"
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
#include "audit.h"
#include "schema.h"
#include "testutil.h"
#include "xmalloc.h"

struct fx {
	char *path;
	sqlite3 *db;
};

/* A fresh registry file with five chained rows; state in the same folder. */
static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct mlc_error err = {0};
	char *st;

	assert_int_equal(tu_tmpdir("audit"), 0);
	st = xasprintf("%s/state", tu_dir());
	setenv("XDG_STATE_HOME", st, 1);
	free(st);
	f->path = xasprintf("%s/reg.db", tu_dir());
	assert_int_equal(sqlite3_open(f->path, &f->db), SQLITE_OK);
	assert_int_equal(schema_migrate(f->db, f->path, &err), 0);
	for (int i = 1; i <= 5; i++) {
		char subject[32];
		snprintf(subject, sizeof subject, "fraud:%d@prod", i);
		assert_int_equal(
		    audit_append(f->db, 1000 * i, "alice", "deploy", subject, "", &err), 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	sqlite3_close(f->db);
	assert_int_equal(tu_rmdir(), 0);
	free(f->path);
	free(f);
	return 0;
}

/* Verify f's registry; the check's kind ("" when intact). */
static const char *verify(struct fx *f, struct mlc_audit_check *c)
{
	struct mlc_error err = {0};

	assert_int_equal(audit_verify(f->db, f->path, c, &err), 0);
	return c->kind ? c->kind : "";
}

static void test_row_hash_is_the_documented_encoding(void **state)
{
	char h1[SHA256_HEX_LEN], h2[SHA256_HEX_LEN];

	(void)state;
	/* Computed independently with Python's hashlib (see audit.h). */
	audit_row_hash(AUDIT_GENESIS, 1, 1700000000000, "alice", "deploy", "m:1@prod", "first", h1);
	assert_string_equal(h1, "2045386e9eb712d133f354a8f7ae71943d656d25998525a53fe4e77c9b0b9c8c");
	audit_row_hash(h1, 2, 1700000000001, "bob", "rollback", "m:1@prod", "", h2);
	assert_string_equal(h2, "04fb7bcc3a1cb349360081a64f9ebaca1a3d7fac648fe5be7f9627f8af3a3c25");
}

static void test_appended_rows_verify_and_the_head_is_remembered_0600(void **state)
{
	struct fx *f = *state;
	struct mlc_audit_check c;
	struct stat sb;
	char *file = audit_head_file(f->path);

	assert_string_equal(verify(f, &c), "");
	assert_int_equal(c.rows, 5);
	assert_int_equal(c.head_id, 5);
	assert_int_equal(c.seen_id, 0);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_string_equal(verify(f, &c), "");
	assert_int_equal(c.seen_id, 5);
	free(file);
}

static void test_a_deleted_row_is_named(void **state)
{
	struct fx *f = *state;
	struct mlc_audit_check c;

	tu_exec(f->db, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 3");
	assert_string_equal(verify(f, &c), "deleted");
	assert_int_equal(c.broken_id, 4);
	assert_non_null(strstr(c.problem, "(3) is missing"));
}

static void test_an_edited_row_is_named(void **state)
{
	struct fx *f = *state;
	struct mlc_audit_check c;

	tu_exec(f->db,
		"DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE "
		"id = 2");
	assert_string_equal(verify(f, &c), "edited");
	assert_int_equal(c.broken_id, 2);
}

static void test_swapped_rows_are_named_as_reordered(void **state)
{
	struct fx *f = *state;
	struct mlc_audit_check c;

	tu_exec(f->db, "DROP TRIGGER audit_log_no_update;"
		       "UPDATE audit_log SET subject = CASE id WHEN 2 THEN 'fraud:4@prod' ELSE "
		       "'fraud:2@prod' END,"
		       " at = CASE id WHEN 2 THEN 4000 ELSE 2000 END WHERE id IN (2, 4)");
	assert_string_equal(verify(f, &c), "reordered");
	assert_int_equal(c.broken_id, 2);
	assert_non_null(strstr(c.problem, "row 4"));
}

static void test_a_recomputed_chain_is_reported_as_rewritten(void **state)
{
	struct fx *f = *state;
	struct mlc_audit_check c;
	struct mlc_error err = {0};

	assert_string_equal(verify(f, &c), ""); /* this console sees the head: row 5 */
	tu_exec(f->db,
		"DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE "
		"id = 2");
	assert_int_equal(audit_chain_existing(f->db, &err), 0); /* as someone with sqlite3 would */
	assert_string_equal(verify(f, &c), "rewritten");
	assert_int_equal(c.broken_id, 5);
	assert_non_null(strstr(c.problem, "rewritten since this console last saw it"));
	/* The old head stays: appending does not launder the rewrite. */
	audit_head_advance(f->db, f->path);
	assert_string_equal(verify(f, &c), "rewritten");
}

static void test_rows_cut_from_the_end_are_reported(void **state)
{
	struct fx *f = *state;
	struct mlc_audit_check c;

	assert_string_equal(verify(f, &c), "");
	tu_exec(f->db, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id >= 4");
	assert_string_equal(verify(f, &c), "rewritten");
	assert_int_equal(c.broken_id, 5);
	assert_non_null(strstr(c.problem, "missing"));
}

static void test_head_advances_over_new_rows_after_a_write(void **state)
{
	struct fx *f = *state;
	struct mlc_audit_check c;
	struct mlc_error err = {0};

	assert_string_equal(verify(f, &c), "");
	assert_int_equal(audit_append(f->db, 6000, "bob", "deploy", "x", "", &err), 0);
	audit_head_advance(f->db, f->path);
	tu_exec(f->db, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 6");
	assert_string_equal(verify(f, &c), "rewritten"); /* it had seen row 6 */
	assert_int_equal(c.broken_id, 6);
}

static void test_an_older_registry_is_chained_by_the_migration(void **state)
{
	struct mlc_error err = {0};
	struct mlc_audit_check c;
	sqlite3 *db;
	sqlite3_stmt *st;
	char *path = xstrdup(tu_path("old.db"));

	(void)state;
	/* What schema 1 had of the tables v2 touches, with rows but no hashes. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	tu_exec(db,
		"CREATE TABLE environments (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
		" ord INTEGER NOT NULL, required_approvals INTEGER NOT NULL DEFAULT 0,"
		" self_approval INTEGER NOT NULL DEFAULT 0, rollback_approval INTEGER NOT NULL "
		"DEFAULT 0,"
		" require_previous INTEGER NOT NULL DEFAULT 0);"
		"CREATE TABLE environment_approvers (env_id INTEGER NOT NULL, user TEXT NOT NULL,"
		" PRIMARY KEY (env_id, user)) WITHOUT ROWID;"
		"CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT "
		"NOT NULL,"
		" action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
		"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN"
		"  SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
		"INSERT INTO environments VALUES (1, 'prod', 1, 2, 0, 0, 0);"
		"INSERT INTO environment_approvers VALUES (1, 'bob'), (1, 'alice');"
		"INSERT INTO audit_log (at, actor, action, subject, detail) VALUES"
		" (1, 'a', 'deploy', 'm:1@prod', ''), (2, 'b', 'policy', 'prod', "
		"'required_approvals=2');"
		"PRAGMA user_version = 1");
	assert_int_equal(schema_migrate(db, path, &err), 0);
	assert_int_equal(audit_verify(db, path, &c, &err), 0);
	assert_null(c.kind);
	assert_int_equal(c.rows, 3); /* two chained, one policy record */
	sqlite3_prepare_v2(db, "SELECT detail FROM audit_log WHERE id = 3", -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_non_null(
	    strstr((const char *)sqlite3_column_text(st, 0),
		   "policy: order=1 required_approvals=2 approvers=alice,bob self_approval=no"));
	sqlite3_finalize(st);
	/* The update trigger came back. */
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit_log SET actor = 'x'", NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
	free(path);
}

static void test_an_environment_edited_outside_is_told_apart(void **state)
{
	struct fx *f = *state;
	struct mlc_error err = {0};
	struct strbuf d = {0};
	char why[512];

	tu_exec(f->db, "INSERT INTO environments (id, name, ord, required_approvals) VALUES (7, "
		       "'prod', 1, 2)");
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 1);
	assert_non_null(strstr(why, "no audit record"));
	sb_add(&d, "created; policy: ");
	assert_int_equal(audit_env_policy(f->db, 7, &d, &err), 0);
	assert_int_equal(audit_append(f->db, 9000, "root", "policy", "prod", sb_str(&d), &err), 0);
	sb_free(&d);
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 0);
	tu_exec(f->db, "UPDATE environments SET required_approvals = 0 WHERE id = 7");
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 1);
	assert_non_null(
	    strstr(why, "edited outside mlconsole: required_approvals is 0, the audit log says 2"));
	tu_exec(f->db, "UPDATE environments SET required_approvals = 2 WHERE id = 7;"
		       "INSERT INTO environment_approvers VALUES (7, 'mallory')");
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 1);
	assert_non_null(strstr(why, "approvers is mallory"));
}

/* A gate added or removed with SQL is told apart as the other settings are;
 * a record from before the policy text named the gates is compared on the
 * rest. */
static void test_a_gate_edited_outside_is_told_apart(void **state)
{
	struct fx *f = *state;
	struct mlc_error err = {0};
	struct strbuf d = {0};
	char why[512];

	tu_exec(f->db, "INSERT INTO environments (id, name, ord) VALUES (7, 'prod', 1);"
		       "INSERT INTO environment_gates (env_id, expr) VALUES"
		       " (7, 'metrics.auc >= live'), (7, 'drift != drift')");
	sb_add(&d, "created; policy: ");
	assert_int_equal(audit_env_policy(f->db, 7, &d, &err), 0);
	assert_non_null(strstr(sb_str(&d), " gates=2:"));
	assert_int_equal(audit_append(f->db, 9000, "root", "policy", "prod", sb_str(&d), &err), 0);
	sb_free(&d);
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 0);
	tu_exec(f->db, "DELETE FROM environment_gates WHERE expr = 'drift != drift'");
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 1);
	assert_non_null(
	    strstr(why, "edited outside mlconsole: the gates differ: 1 now, the audit log says 2"));
	/* the same count with another expression differs too */
	tu_exec(f->db, "INSERT INTO environment_gates (env_id, expr) VALUES (7, 'drift = none')");
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 1);
	assert_non_null(strstr(why, "the gates differ: 2 now, the audit log says 2"));
	/* a record without gates= (written before they were recorded) */
	assert_int_equal(audit_append(f->db, 9100, "root", "policy", "prod",
				      "policy: order=1 required_approvals=0 approvers="
				      " self_approval=no rollback_approval=no require_previous=no",
				      &err),
			 0);
	assert_int_equal(audit_env_check(f->db, 7, "prod", why, sizeof why, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_row_hash_is_the_documented_encoding),
	    cmocka_unit_test_setup_teardown(
		test_appended_rows_verify_and_the_head_is_remembered_0600, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_deleted_row_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_an_edited_row_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_swapped_rows_are_named_as_reordered, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_a_recomputed_chain_is_reported_as_rewritten, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rows_cut_from_the_end_are_reported, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_head_advances_over_new_rows_after_a_write, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_an_older_registry_is_chained_by_the_migration,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_an_environment_edited_outside_is_told_apart, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_a_gate_edited_outside_is_told_apart, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
