/* test_import.c: import_registry — a crafted MLflow file store and a real one
 * copied into a fresh local registry and checked row by row; a second import
 * adds nothing; damaged sources are reported and leave the target consistent. */
#include "config.h"
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "import.h"
#include "registry.h"
#include "sqlite_impl.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------- */

/* Import source uri into the registry file target; the report is rep. */
static void import_into(const char *uri, const char *target, struct import_report *rep)
{
	struct registry *src = tu_open(uri, 0), *dst = tu_open(target, 1);
	struct import_opts io = {.actor = "tester"};
	struct mlc_error err = {0};

	if (import_registry(src, dst, &io, rep, &err) != 0)
		fail_msg("import %s: %s", uri, err.msg);
	registry_close(dst);
	registry_close(src);
}

/* The integer the query sql returns on target (first column of the first row). */
static int64_t q_int(const char *target, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(target, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The text the query sql returns on target, copied into a static buffer. */
static const char *q_text(const char *target, const char *sql)
{
	static char buf[1024];
	sqlite3 *db;
	sqlite3_stmt *st;

	buf[0] = '\0';
	assert_int_equal(sqlite3_open_v2(target, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

/* 1 if one skipped part of rep has a path ending in suffix and a reason with what. */
static int skipped(const struct import_report *rep, const char *suffix, const char *what)
{
	for (size_t i = 0; i < rep->n_skipped; i++) {
		size_t lp = strlen(rep->skipped[i].path), ls = strlen(suffix);
		if (lp >= ls && strcmp(rep->skipped[i].path + lp - ls, suffix) == 0 &&
		    strstr(rep->skipped[i].reason, what))
			return 1;
	}
	for (size_t i = 0; i < rep->n_skipped; i++)
		fprintf(stderr, "  skipped: %s: %s\n", rep->skipped[i].path,
			rep->skipped[i].reason);
	return 0;
}

/* The target is a sound database with no dangling references. */
static void assert_consistent(const char *target)
{
	assert_string_equal(q_text(target, "PRAGMA integrity_check"), "ok");
	assert_int_equal(q_int(target, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	/* every metric series has its latest row, and only those */
	assert_int_equal(
	    q_int(target, "SELECT count(*) FROM (SELECT DISTINCT run_id, key_id FROM metrics)"),
	    q_int(target, "SELECT count(*) FROM latest_metrics"));
}

/* The latest values of target are those schema.c's metrics_latest trigger
 * gives: its metric points, inserted one by one in a random order into a
 * fresh registry (where the trigger fires for each), leave the same rows. */
static void assert_latest_as_the_trigger_has_it(const char *target)
{
	char sql[1024];
	const char *ref = tu_path("trigger-ref.db");

	unlink(ref);
	registry_close(tu_open(ref, 1));
	snprintf(
	    sql, sizeof sql,
	    "ATTACH '%s' AS src; INSERT INTO metrics SELECT * FROM src.metrics ORDER BY random();"
	    " CREATE TABLE diff AS SELECT count(*) AS n FROM"
	    " (SELECT * FROM latest_metrics EXCEPT SELECT * FROM src.latest_metrics"
	    "  UNION ALL SELECT * FROM src.latest_metrics EXCEPT SELECT * FROM latest_metrics)",
	    target);
	tu_exec_at(ref, sql);
	assert_true(q_int(ref, "SELECT count(*) FROM latest_metrics") > 0);
	assert_int_equal(q_int(ref, "SELECT n FROM diff"), 0);
	assert_int_equal(q_int(ref, "SELECT count(*) FROM latest_metrics"),
			 q_int(target, "SELECT count(*) FROM latest_metrics"));
}

/* Set the file rel's modification time to t seconds (so that only its
 * content can tell a change). */
static void set_mtime(const char *rel, time_t t)
{
	struct timespec ts[2] = {{t, 0}, {t, 0}};
	assert_int_equal(utimensat(AT_FDCWD, tu_path(rel), ts, 0), 0);
}

/* ---- a crafted store ------------------------------------------------------ */

#define R1 "aaaaaaaa000000000000000000000001"
#define R2 "aaaaaaaa000000000000000000000002"
#define R3 "bbbbbbbb000000000000000000000003"

/* A run meta.yaml of experiment exp (folder path part) in store s. */
static void put_run(const char *s, const char *exp, const char *id, int status, const char *end,
		    const char *stage)
{
	char rel[256], body[1024];
	const char *eid = strrchr(exp, '/') ? strrchr(exp, '/') + 1 : exp;

	snprintf(rel, sizeof rel, "%s/%s/%s/meta.yaml", s, exp, id);
	snprintf(body, sizeof body,
		 "artifact_uri: file:///x/%s\nend_time: %s\nentry_point_name: ''\n"
		 "experiment_id: '%s'\nlifecycle_stage: %s\nrun_id: %s\nrun_name: run-%d\n"
		 "source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 100%d\n"
		 "status: %d\ntags: []\nuser_id: ann\n",
		 id, end, eid, stage, id, status, status, status);
	tu_put(rel, body);
}

/* The crafted store at s: two experiments with the same id (active and
 * trashed), three runs, NaN and duplicate points, a registry with aliases. */
static void make_store(const char *s)
{
	char rel[256];

#define P(path, body)                                                                              \
	do {                                                                                       \
		snprintf(rel, sizeof rel, "%s/%s", s, path);                                       \
		tu_put(rel, body);                                                                 \
	} while (0)
	P("1/meta.yaml", "experiment_id: '1'\nlifecycle_stage: active\nname: fraud\n");
	P("1/tags/owner", "risk team");
	P(".trash/1/meta.yaml", "experiment_id: '1'\nlifecycle_stage: active\nname: old fraud\n");
	P(".trash/2/meta.yaml", "experiment_id: '2'\nlifecycle_stage: active\nname: fraud\n");
	put_run(s, "1", R1, 3, "2000", "active");
	P("1/" R1 "/params/lr", "0.01");
	P("1/" R1 "/params/arch", "Net(\n  fc\n)");
	P("1/" R1 "/tags/mlflow.user", "ann");
	P("1/" R1 "/metrics/acc", "100 0.5 0\n200 0.7 1\n300 0.9 1\n250 0.95 1\n");
	P("1/" R1 "/metrics/dup", "1 1.0 0\n1 1.0 0\n");
	P("1/" R1 "/metrics/weird", "5 nan 0\n6 inf 1\n");
	P("1/" R1 "/metrics/train/loss", "1 2.5 0\n2 1.5 1\n");
	put_run(s, "1", R2, 1, "null", "active");
	put_run(s, ".trash/1", R3, 4, "3000", "deleted");
	P(".trash/1/" R3 "/metrics/acc", "10 0.1 0\n");
	P("models/fraud/meta.yaml", "aliases: {}\ncreation_timestamp: 1\ndescription: '- dash'\n"
				    "last_updated_timestamp: 2\nname: fraud\n");
	P("models/fraud/version-1/meta.yaml",
	  "aliases: [champion]\ncreation_timestamp: 3\ncurrent_stage: Production\n"
	  "description: null\nlast_updated_timestamp: 4\nname: fraud\nrun_id: " R1
	  "\nsource: s1\nstatus: READY\nuser_id: null\nversion: 1\n");
	P("models/fraud/version-2/meta.yaml",
	  "aliases: []\ncreation_timestamp: 5\ncurrent_stage: None\nlast_updated_timestamp: 6\n"
	  "name: fraud\nrun_id: ''\nsource: s2\nversion: 2\n");
	P("models/fraud/tags/team", "risk");
	P("models/fraud/version-2/tags/validated", "no");
#undef P
}

/* ---- tests ----------------------------------------------------------------- */

static void test_import_copies_every_kind_of_row(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t1.db");

	(void)state;
	make_store("s1");
	import_into(tu_path("s1"), db, &rep);
	assert_int_equal(rep.added[IMP_EXPERIMENTS], 3);
	assert_int_equal(rep.added[IMP_EXPERIMENT_TAGS], 1);
	assert_int_equal(rep.added[IMP_RUNS], 3);
	assert_int_equal(rep.added[IMP_PARAMS], 2);
	assert_int_equal(rep.added[IMP_RUN_TAGS], 1);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 10); /* 11 lines, one exact duplicate */
	assert_int_equal(rep.present[IMP_METRIC_POINTS], 1);
	assert_int_equal(rep.added[IMP_MODELS], 1);
	assert_int_equal(rep.added[IMP_MODEL_TAGS], 1);
	assert_int_equal(rep.added[IMP_VERSIONS], 2);
	assert_int_equal(rep.added[IMP_VERSION_TAGS], 1);
	assert_int_equal(rep.added[IMP_ALIASES], 1);
	assert_int_equal(rep.n_skipped, 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics"), 10);
	assert_string_equal(q_text(db, "SELECT value FROM params WHERE key = 'arch'"),
			    "Net(\n  fc\n)");
	assert_consistent(db);
	import_report_free(&rep);
}

static void test_nan_is_stored_as_zero_with_is_nan(void **state)
{
	const char *db = tu_path("t1.db");

	(void)state;
	assert_int_equal(
	    q_int(db, "SELECT count(*) FROM metrics m JOIN metric_keys k ON k.id = m.key_id"
		      " WHERE k.key = 'weird' AND m.is_nan = 1 AND m.value = 0"),
	    1);
	assert_string_equal(q_text(db,
				   "SELECT CAST(m.value AS TEXT) FROM metrics m JOIN metric_keys k"
				   " ON k.id = m.key_id WHERE k.key = 'weird' AND m.step = 1"),
			    "Inf");
}

static void test_latest_values_follow_the_mlflow_rule(void **state)
{
	const char *db = tu_path("t1.db");
	struct registry *r = tu_open(db, 0);
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	const struct mlc_metric *m;

	(void)state;
	assert_int_equal(registry_get_run(r, R1, &l, &err), 0);
	m = mlc_run_metric(&l.items[0], "acc");
	assert_int_equal(m->step, 1);
	assert_int_equal(m->timestamp, 300);
	assert_true(m->value == 0.9);
	assert_true(mlc_run_metric(&l.items[0], "train/loss")->value == 1.5);
	assert_string_equal(l.items[0].run_name, "run-3");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_colliding_ids_and_names_get_new_ones_with_a_note(void **state)
{
	const char *db = tu_path("t1.db");

	(void)state;
	/* active 1 'fraud' keeps its id; trashed 1 'old fraud' gets 1-1; trashed
	 * 2 'fraud' keeps id 2 and becomes 'fraud (2)'. */
	assert_string_equal(q_text(db, "SELECT name FROM experiments WHERE experiment_id = '1'"),
			    "fraud");
	assert_string_equal(q_text(db, "SELECT name FROM experiments WHERE experiment_id = '1-1'"),
			    "old fraud");
	assert_string_equal(
	    q_text(db, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = '1-1'"),
	    "deleted");
	assert_string_equal(q_text(db, "SELECT name FROM experiments WHERE experiment_id = '2'"),
			    "fraud (2)");
	assert_string_equal(q_text(db, "SELECT e.experiment_id FROM runs r JOIN experiments e"
				       " ON e.id = r.experiment_id WHERE r.run_uuid = '" R3 "'"),
			    "1-1");
}

static void test_registry_rows_keep_stage_alias_and_null_run(void **state)
{
	const char *db = tu_path("t1.db");

	(void)state;
	assert_string_equal(
	    q_text(db, "SELECT description FROM registered_models WHERE name = 'fraud'"), "- dash");
	assert_string_equal(q_text(db, "SELECT stage FROM model_versions WHERE version = 1"),
			    "Production");
	assert_int_equal(q_int(db, "SELECT run_uuid IS NULL FROM model_versions WHERE version = 2"),
			 1);
	assert_int_equal(q_int(db, "SELECT version FROM model_aliases WHERE alias = 'champion'"),
			 1);
}

static void test_second_import_adds_nothing(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t1.db");
	int64_t points = q_int(db, "SELECT count(*) FROM metrics");

	(void)state;
	import_into(tu_path("s1"), db, &rep);
	assert_int_equal(import_report_changes(&rep), 0);
	assert_int_equal(rep.present[IMP_RUNS], 3);
	assert_int_equal(rep.present[IMP_EXPERIMENTS], 3);
	assert_int_equal(rep.present[IMP_METRIC_POINTS], 11);
	assert_int_equal(rep.n_notes, 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM experiments"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics"), points);
	import_report_free(&rep);
}

static void test_each_import_is_audited_and_its_source_recorded(void **state)
{
	const char *db = tu_path("t1.db");

	(void)state;
	assert_int_equal(q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'import'"
				   " AND actor = 'tester' AND subject LIKE 'mlruns:%/s1'"),
			 2);
	assert_string_equal(q_text(db, "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1"),
			    "nothing new");
	assert_int_equal(q_int(db, "SELECT count(*) FROM import_sources"), 1);
	assert_int_equal(q_int(db, "SELECT last_at >= first_at FROM import_sources"), 1);
}

static void test_a_finished_run_and_new_points_are_brought_up_to_date(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t1.db");

	(void)state;
	put_run("s1", "1", R2, 3, "5000", "active");
	tu_put("s1/1/" R2 "/metrics/acc", "400 0.3 0\n");
	tu_put("s1/1/" R1 "/tags/mlflow.user", "bob");
	import_into(tu_path("s1"), db, &rep);
	assert_int_equal(rep.updated[IMP_RUNS], 1);
	assert_int_equal(rep.updated[IMP_RUN_TAGS], 1);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 1);
	assert_string_equal(q_text(db, "SELECT status FROM runs WHERE run_uuid = '" R2 "'"),
			    "FINISHED");
	assert_int_equal(q_int(db, "SELECT end_time FROM runs WHERE run_uuid = '" R2 "'"), 5000);
	assert_consistent(db);
	import_report_free(&rep);
}

static void test_an_alias_pointing_elsewhere_here_is_kept_and_reported(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t2.db");
	sqlite3 *h;

	(void)state;
	make_store("s2");
	import_into(tu_path("s2"), db, &rep);
	import_report_free(&rep);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "UPDATE model_aliases SET version = 2", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	import_into(tu_path("s2"), db, &rep);
	assert_true(
	    skipped(&rep, "alias 'champion'", "points at version 2 here and 1 in the source"));
	assert_int_equal(q_int(db, "SELECT version FROM model_aliases"), 2);
	import_report_free(&rep);
}

/* The aliases of model fraud in target, "alias=version ..." by alias. */
static const char *fraud_aliases(const char *target)
{
	return q_text(target,
		      "SELECT group_concat(alias || '=' || version, ' ') FROM"
		      " (SELECT a.alias, a.version FROM model_aliases a JOIN registered_models m"
		      " ON m.id = a.model_id WHERE m.name = 'fraud' ORDER BY a.alias)");
}

static void test_aliases_an_import_set_move_and_go_with_the_source(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t5.db");

	(void)state;
	make_store("s5");
	tu_put("s5/models/fraud/aliases/champion", "1");
	tu_put("s5/models/fraud/aliases/old", "2");
	import_into(tu_path("s5"), db, &rep);
	assert_int_equal(rep.added[IMP_ALIASES], 2);
	import_report_free(&rep);
	assert_string_equal(fraud_aliases(db), "champion=1 old=2");
	/* set here: not this source's, whatever the source does with the name */
	tu_exec_at(db,
		   "INSERT INTO model_aliases (model_id, alias, version) VALUES (1, 'mine', 1)");
	tu_put("s5/models/fraud/aliases/champion", "2");
	tu_put("s5/models/fraud/aliases/mine", "2");
	unlink(tu_path("s5/models/fraud/aliases/old"));
	import_into(tu_path("s5"), db, &rep);
	assert_int_equal(rep.updated[IMP_ALIASES], 1);
	assert_int_equal(rep.removed[IMP_ALIASES], 1);
	assert_true(import_report_changes(&rep) == 2);
	assert_true(skipped(&rep, "alias 'mine'", "set here, not by an import of this source"));
	assert_string_equal(fraud_aliases(db), "champion=2 mine=1");
	assert_string_equal(q_text(db, "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1"),
			    "added aliases 0 (+1 updated) (-1 removed); 1 skipped");
	import_report_free(&rep);
	/* the source removes every alias: only the one it set goes */
	unlink(tu_path("s5/models/fraud/aliases/champion"));
	unlink(tu_path("s5/models/fraud/aliases/mine"));
	import_into(tu_path("s5"), db, &rep);
	assert_int_equal(rep.removed[IMP_ALIASES], 1);
	assert_int_equal(rep.n_skipped, 0);
	assert_string_equal(fraud_aliases(db), "mine=1");
	assert_int_equal(q_int(db, "SELECT count(*) FROM import_aliases"), 0);
	assert_consistent(db);
	import_report_free(&rep);
}

static void test_an_alias_moved_here_stays_and_a_damaged_model_removes_none(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t6.db");

	(void)state;
	make_store("s6");
	tu_put("s6/models/fraud/aliases/champion", "1");
	tu_put("s6/models/fraud/aliases/old", "1");
	import_into(tu_path("s6"), db, &rep);
	import_report_free(&rep);
	tu_exec_at(db, "UPDATE model_aliases SET version = 2 WHERE alias = 'champion'");
	tu_put("s6/models/fraud/aliases/champion", "1"); /* unchanged in the source */
	/* old becomes unreadable: a link out of the store (a damaged model folder) */
	unlink(tu_path("s6/models/fraud/aliases/old"));
	assert_int_equal(symlink("/etc/passwd", tu_path("s6/models/fraud/aliases/old")), 0);
	import_into(tu_path("s6"), db, &rep);
	assert_true(
	    skipped(&rep, "alias 'champion'",
		    "points at version 2 here and 1 in the source; kept as is (moved here"));
	assert_true(skipped(&rep, "model 'fraud' alias 'old'", "model is damaged; kept as is"));
	assert_int_equal(rep.removed[IMP_ALIASES], 0);
	assert_string_equal(fraud_aliases(db), "champion=2 old=1");
	import_report_free(&rep);
}

/* A store whose own path holds /models/fraud/: a damaged file elsewhere in it
 * does not make model fraud look damaged, so its removed alias goes. */
static void test_a_store_path_with_models_in_it_is_not_a_damaged_model(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t7.db");

	(void)state;
	make_store("models/fraud/s7");
	tu_put("models/fraud/s7/models/fraud/aliases/old", "1");
	import_into(tu_path("models/fraud/s7"), db, &rep);
	import_report_free(&rep);
	unlink(tu_path("models/fraud/s7/models/fraud/aliases/old"));
	tu_put("models/fraud/s7/1/" R2 "/meta.yaml", "{{ not yaml");
	import_into(tu_path("models/fraud/s7"), db, &rep);
	assert_true(rep.n_skipped > 0);
	assert_int_equal(rep.removed[IMP_ALIASES], 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM model_aliases WHERE alias = 'old'"), 0);
	import_report_free(&rep);
}

/* A registry from before the import aliases (schema v5) gains their table
 * when opened, and its next import fills it. */
static void test_a_version_5_registry_gains_the_import_aliases(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t7.db");

	(void)state;
	make_store("s7");
	registry_close(tu_open(db, 1));
	tu_exec_at(db, "DROP TABLE import_aliases; PRAGMA user_version = 5");
	import_into(tu_path("s7"), db, &rep);
	assert_int_equal(rep.added[IMP_ALIASES], 1);
	assert_true(q_int(db, "PRAGMA user_version") >= 6);
	assert_int_equal(q_int(db, "SELECT count(*) FROM import_aliases"), 1);
	assert_consistent(db);
	import_report_free(&rep);
}

/* A registry from before the lineage (schema v5: no import_aliases, no
 * run_inputs) is still an import source: opened read-only, it is read as it
 * is (its runs without datasets) and left at version 5. */
static void test_a_version_5_registry_is_read_only_a_source(void **state)
{
	struct import_report rep;
	const char *old = tu_path("t8-old.db"), *db = tu_path("t8.db");

	(void)state;
	make_store("s8");
	import_into(tu_path("s8"), old, &rep);
	import_report_free(&rep);
	tu_exec_at(old,
		   "DROP TABLE import_aliases; DROP TABLE run_inputs; PRAGMA user_version = 5");
	import_into(old, db, &rep);
	assert_int_equal(rep.n_skipped, 0);
	assert_int_equal(rep.added[IMP_RUNS], q_int(old, "SELECT count(*) FROM runs"));
	assert_true(rep.added[IMP_RUNS] > 0);
	assert_int_equal(rep.added[IMP_ALIASES], 1);
	assert_int_equal(q_int(old, "PRAGMA user_version"), 5);
	assert_consistent(db);
	import_report_free(&rep);
}

static void test_another_version_of_the_same_number_is_kept_and_reported(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t2.db");

	(void)state;
	tu_put("s3/models/fraud/meta.yaml", "name: fraud\n");
	tu_put("s3/models/fraud/version-1/meta.yaml", "name: fraud\nversion: 1\nsource: elsewhere\n"
						      "current_stage: Archived\n");
	import_into(tu_path("s3"), db, &rep);
	assert_true(skipped(&rep, "model 'fraud' version 1", "another version 1"));
	assert_string_equal(q_text(db, "SELECT stage FROM model_versions WHERE version = 1"),
			    "Production");
	import_report_free(&rep);
}

static void test_damaged_source_files_are_reported_and_the_rest_imported(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t3.db");

	(void)state;
	make_store("b");
	tu_put("b/1/" R2 "/meta.yaml",
	       "artifact_uri: x\nend_time: null\nexperiment_id: '1'\nlifecy");
	tu_put("b/1/" R1 "/metrics/acc", "100 0.5 0\ngarbage here\n300 0.9 1\n");
	tu_put("b/.trash/1/" R3 "/params", "a file where a folder should be");
	tu_put("b/5/meta.yaml", "experiment_id: '5'\nname: [unclosed\n");
	symlink(tu_path("b/nowhere"), tu_path("b/1/cccccccc000000000000000000000009"));
	import_into(tu_path("b"), db, &rep);
	assert_true(skipped(&rep, "b/1/" R2 "/meta.yaml", "damaged YAML"));
	assert_true(skipped(&rep, "b/1/" R1 "/metrics/acc", "line 2: not a metric line"));
	assert_true(skipped(&rep, "b/.trash/1/" R3 "/params", "not a folder"));
	assert_true(skipped(&rep, "b/5/meta.yaml", "damaged YAML"));
	assert_true(
	    skipped(&rep, "b/1/cccccccc000000000000000000000009", "symbolic link to nothing"));
	assert_int_equal(rep.added[IMP_RUNS], 2);		       /* R1 and R3 */
	assert_int_equal(q_int(db, "SELECT count(*) FROM params"), 2); /* R1's */
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run_id"
				   " JOIN metric_keys k ON k.id = m.key_id WHERE r.run_uuid = '" R1
				   "' AND k.key = 'acc'"),
			 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM experiments"), 3);
	assert_consistent(db);
	import_report_free(&rep);
}

static void test_a_local_registry_imports_into_another_unchanged(void **state)
{
	struct import_report rep;
	const char *a = tu_path("t1.db"), *b = tu_path("t4.db");
	static const char *const tables[] = {
	    "experiments",    "experiment_tags", "runs",	   "params",
	    "run_tags",	      "metrics",	 "latest_metrics", "registered_models",
	    "model_versions", "model_tags",	 "version_tags",   "model_aliases"};
	char sql[128];

	(void)state;
	import_into(a, b, &rep);
	assert_int_equal(rep.n_skipped, 0);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
		if (q_int(a, sql) != q_int(b, sql))
			fail_msg("%s: %lld rows, wanted %lld", tables[i], (long long)q_int(b, sql),
				 (long long)q_int(a, sql));
	}
	assert_string_equal(q_text(b, "SELECT source FROM import_sources"),
			    q_text(b, "SELECT subject FROM audit_log"));
	/* marks are for files: a registry's histories are read whole each time */
	assert_int_equal(q_int(b, "SELECT count(*) FROM import_marks"), 0);
	assert_true(q_int(a, "SELECT count(*) FROM import_marks") > 0);
	import_report_free(&rep);
	import_into(a, b, &rep);
	assert_int_equal(import_report_changes(&rep), 0);
	import_report_free(&rep);
}

static void test_targets_that_are_not_writable_local_registries_are_refused(void **state)
{
	struct registry *src = tu_open(tu_path("s1"), 0), *ro = tu_open(tu_path("t1.db"), 0);
	struct registry *same = tu_open(tu_path("t1.db"), 1);
	struct import_report rep;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(import_registry(ro, src, NULL, &rep, &err), -1);
	assert_non_null(strstr(err.msg, "local SQLite registry"));
	import_report_free(&rep);
	assert_int_equal(import_registry(src, ro, NULL, &rep, &err), -1);
	assert_int_equal(err.code, MLC_ERR_READONLY);
	import_report_free(&rep);
	assert_int_equal(import_registry(ro, same, NULL, &rep, &err), -1);
	assert_non_null(strstr(err.msg, "into itself"));
	import_report_free(&rep);
	registry_close(same);
	registry_close(ro);
	registry_close(src);
}

/* Remember the last progress call. */
static void progress(void *arg, int64_t done, int64_t total)
{
	int64_t *last = arg;
	assert_true(done <= total);
	last[0] = done;
	last[1] = total;
}

/* The integer of the pragma sql on r's own connection. */
static int64_t pragma_of(struct registry *r, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(DB(r), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The import sets foreign keys and temp_store aside for its bulk write and
 * the metrics_latest trigger too: the target's connection and schema get
 * them back. */
static void test_the_target_gets_its_settings_and_trigger_back(void **state)
{
	struct registry *src = tu_open(tu_path("s1"), 0), *dst = tu_open(tu_path("t6.db"), 1);
	struct import_report rep;
	struct mlc_error err = {0};
	int64_t fk = pragma_of(dst, "PRAGMA foreign_keys"),
		ts = pragma_of(dst, "PRAGMA temp_store");

	(void)state;
	assert_int_equal(import_registry(src, dst, NULL, &rep, &err), 0);
	assert_int_equal(pragma_of(dst, "PRAGMA foreign_keys"), fk);
	assert_int_equal(pragma_of(dst, "PRAGMA temp_store"), ts);
	assert_int_equal(pragma_of(dst, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
					" AND name = 'metrics_latest'"),
			 1);
	import_report_free(&rep);
	registry_close(dst);
	registry_close(src);
	assert_consistent(tu_path("t6.db"));
}

static void test_progress_reaches_the_total(void **state)
{
	struct registry *src = tu_open(tu_path("s1"), 0), *dst = tu_open(tu_path("t5.db"), 1);
	int64_t last[2] = {0, 0};
	struct import_opts io = {.actor = "tester", .progress = progress, .progress_arg = last};
	struct import_report rep;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(import_registry(src, dst, &io, &rep, &err), 0);
	assert_int_equal(last[1], 4); /* 3 runs and 1 model */
	assert_int_equal(last[0], last[1]);
	import_report_free(&rep);
	registry_close(dst);
	registry_close(src);
}

static void test_a_real_store_imports_with_its_counts(void **state)
{
	char src[512];
	struct stat st;
	struct import_report rep;
	const char *db = tu_path("real.db");

	(void)state;
	snprintf(src, sizeof src, "%s/mlruns/palaciosleo__diplodatos-deeplearning", MLC_SHARED_DIR);
	if (stat(src, &st) != 0) {
		fprintf(stderr, "SKIP: %s is absent\n", src);
		skip();
	}
	import_into(src, db, &rep);
	assert_int_equal(rep.n_skipped, 0);
	assert_latest_as_the_trigger_has_it(db);
	assert_int_equal(q_int(db, "SELECT count(*) FROM experiments"), 13);
	assert_int_equal(
	    q_int(db, "SELECT count(*) FROM experiments WHERE lifecycle_stage = 'deleted'"), 9);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 67);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs WHERE lifecycle_stage = 'deleted'"),
			 16);
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics"), 508);
	assert_int_equal(q_int(db, "SELECT count(*) FROM latest_metrics"), 157);
	assert_int_equal(q_int(db, "SELECT count(*) FROM params"), 490);
	assert_int_equal(q_int(db, "SELECT count(*) FROM run_tags"), 278);
	assert_int_equal(rep.n_notes, 2);
	assert_consistent(db);
	import_report_free(&rep);
	import_into(src, db, &rep);
	assert_int_equal(import_report_changes(&rep), 0);
	import_report_free(&rep);
}

static void test_a_real_registry_store_imports_its_versions(void **state)
{
	char src[512];
	struct stat st;
	struct import_report rep;
	const char *db = tu_path("real2.db");

	(void)state;
	snprintf(src, sizeof src, "%s/mlruns/silver6wings__MLFlowSample", MLC_SHARED_DIR);
	if (stat(src, &st) != 0) {
		fprintf(stderr, "SKIP: %s is absent\n", src);
		skip();
	}
	import_into(src, db, &rep);
	assert_int_equal(q_int(db, "SELECT count(*) FROM registered_models"), 4);
	assert_int_equal(q_int(db, "SELECT count(*) FROM model_versions"), 8);
	assert_int_equal(
	    q_int(db, "SELECT count(*) FROM model_versions WHERE stage = 'Production'"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs WHERE status = 'RUNNING'"
				   " AND end_time IS NULL"),
			 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics"), 54);
	assert_consistent(db);
	import_report_free(&rep);
}

/* ---- speed without changing what is imported ------------------------------ */

#define RG "cccccccc000000000000000000000001"
#define ACC "g/1/" RG "/metrics/acc"

/* The value of run RG's metric key at step and timestamp in db (-1 if none). */
static double point(const char *db, const char *key, int step, int ts)
{
	char sql[512];
	sqlite3 *h;
	sqlite3_stmt *st;
	double v = -1;

	snprintf(sql, sizeof sql,
		 "SELECT m.value FROM metrics m JOIN metric_keys k ON k.id = m.key_id"
		 " WHERE k.key = '%s' AND m.step = %d AND m.timestamp = %d",
		 key, step, ts);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The latest value of run RG's metric key in db, as "step ts value is_nan". */
static const char *latest(const char *db, const char *key)
{
	char sql[512];

	snprintf(sql, sizeof sql,
		 "SELECT l.step || ' ' || l.timestamp || ' ' || CAST(l.value AS TEXT) || ' ' ||"
		 " l.is_nan FROM latest_metrics l JOIN metric_keys k ON k.id = l.key_id"
		 " WHERE k.key = '%s'",
		 key);
	return q_text(db, sql);
}

/* Equal steps with other timestamps, NaN against numbers and infinities at
 * one (step, timestamp), lines out of order: the latest values are MLflow's
 * (and the trigger's, which wrote them before imports kept them per history). */
static void test_latest_values_are_the_triggers_on_hard_cases(void **state)
{
	struct import_report rep;
	const char *db = tu_path("tl.db");

	(void)state;
	tu_put("l/1/meta.yaml", "experiment_id: '1'\nlifecycle_stage: active\nname: hard\n");
	put_run("l", "1", RG, 3, "2000", "active");
	tu_put("l/1/" RG "/metrics/eqstep", "10 0.5 3\n30 0.1 3\n20 0.9 3\n");
	tu_put("l/1/" RG "/metrics/nan_inf", "5 nan 2\n5 -inf 2\n");
	tu_put("l/1/" RG "/metrics/nan_only", "5 nan 1\n");
	tu_put("l/1/" RG "/metrics/inf_ts", "1 1.0 0\n2 inf 0\n3 -inf 0\n");
	tu_put("l/1/" RG "/metrics/same_ts", "7 0.2 4\n7 0.8 4\n7 nan 4\n7 inf 4\n");
	tu_put("l/1/" RG "/metrics/order", "50 1.0 9\n10 2.0 1\n60 nan 9\n");
	import_into(tu_path("l"), db, &rep);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 16);
	assert_string_equal(latest(db, "eqstep"), "3 30 0.1 0");
	assert_string_equal(latest(db, "nan_inf"), "2 5 -Inf 0");
	assert_string_equal(latest(db, "nan_only"), "1 5 0.0 1");
	assert_string_equal(latest(db, "inf_ts"), "0 3 -Inf 0");
	assert_string_equal(latest(db, "same_ts"), "4 7 Inf 0");
	assert_string_equal(latest(db, "order"), "9 60 0.0 1");
	assert_latest_as_the_trigger_has_it(db);
	assert_latest_as_the_trigger_has_it(tu_path("t1.db"));
	assert_consistent(db);
	import_report_free(&rep);
}

/* The store g: one run whose metric acc has three points. */
static void make_growing_store(void)
{
	tu_put("g/1/meta.yaml", "experiment_id: '1'\nlifecycle_stage: active\nname: grow\n");
	put_run("g", "1", RG, 3, "2000", "active");
	tu_put(ACC, "100 0.5 0\n200 0.7 1\n300 0.9 2\n");
}

/* Importing an unchanged store again parses no metric file: points deleted
 * from the target behind the import's back do not come back, and the points
 * read before are counted as already there. */
static void test_an_unchanged_metric_file_is_not_read_again(void **state)
{
	struct import_report rep;
	const char *db = tu_path("tg.db");

	(void)state;
	make_growing_store();
	import_into(tu_path("g"), db, &rep);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 3);
	import_report_free(&rep);
	tu_exec_at(db, "DELETE FROM metrics WHERE step = 0");
	import_into(tu_path("g"), db, &rep);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 0);
	assert_int_equal(rep.present[IMP_METRIC_POINTS], 3);
	assert_int_equal(import_report_changes(&rep), 0);
	assert_true(point(db, "acc", 0, 100) < 0);
	import_report_free(&rep);
}

/* Points appended to a metric file arrive, and only they are read: the
 * point deleted behind the import's back stays away. */
static void test_points_appended_to_a_metric_file_arrive(void **state)
{
	struct import_report rep;
	const char *db = tu_path("tg.db");
	FILE *f = fopen(tu_path(ACC), "a");

	(void)state;
	assert_non_null(f);
	fputs("400 0.95 3\n450 nan 3\n", f);
	fclose(f);
	import_into(tu_path("g"), db, &rep);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 2);
	assert_int_equal(rep.present[IMP_METRIC_POINTS], 3);
	assert_true(point(db, "acc", 3, 400) == 0.95);
	assert_true(point(db, "acc", 0, 100) < 0);
	assert_string_equal(latest(db, "acc"), "3 450 0.0 1");
	assert_latest_as_the_trigger_has_it(db);
	import_report_free(&rep);
}

/* A metric file changed in place (same size, same modification time, other
 * bytes) is read whole again: its changed point arrives, and so does the
 * point deleted behind the import's back. */
static void test_a_metric_file_changed_in_place_is_read_again(void **state)
{
	struct import_report rep;
	const char *db = tu_path("tg.db");
	struct stat before, after;

	(void)state;
	assert_int_equal(stat(tu_path(ACC), &before), 0);
	tu_put(ACC, "100 0.5 0\n200 0.7 1\n300 0.1 2\n400 0.95 3\n450 nan 3\n");
	set_mtime(ACC, before.st_mtime);
	assert_int_equal(stat(tu_path(ACC), &after), 0);
	assert_int_equal(after.st_size, before.st_size);
	assert_int_equal(after.st_mtime, before.st_mtime);
	import_into(tu_path("g"), db, &rep);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 2); /* 300 0.1 2, and 100 0.5 0 again */
	assert_int_equal(rep.present[IMP_METRIC_POINTS], 3);
	assert_true(point(db, "acc", 0, 100) == 0.5);
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics WHERE step = 2"), 2);
	assert_latest_as_the_trigger_has_it(db);
	import_report_free(&rep);
	import_into(tu_path("g"), db, &rep);
	assert_int_equal(import_report_changes(&rep), 0);
	assert_int_equal(rep.present[IMP_METRIC_POINTS], 5);
	import_report_free(&rep);
}

/* A shorter file, and a last line still being written (no newline yet):
 * read whole again, and the finished line's point arrives. */
static void test_a_shorter_file_and_a_finished_last_line_are_read(void **state)
{
	struct import_report rep;
	const char *db = tu_path("tg.db");
	FILE *f;

	(void)state;
	tu_put(ACC, "100 0.5 0\n600 0.3");
	import_into(tu_path("g"), db, &rep);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 1); /* 600 0.3 at step 0 */
	import_report_free(&rep);
	f = fopen(tu_path(ACC), "a");
	assert_non_null(f);
	fputs(" 7\n", f);
	fclose(f);
	import_into(tu_path("g"), db, &rep);
	assert_int_equal(rep.added[IMP_METRIC_POINTS], 1);
	assert_true(point(db, "acc", 7, 600) == 0.3);
	assert_string_equal(latest(db, "acc"), "7 600 0.3 0");
	assert_latest_as_the_trigger_has_it(db);
	assert_consistent(db);
	import_report_free(&rep);
}

/* A file with lines that are not metric lines is read, and reported, on
 * every import (it gets no mark). */
static void test_a_file_with_bad_lines_is_reported_on_every_import(void **state)
{
	struct import_report rep;
	const char *db = tu_path("t3.db");

	(void)state;
	import_into(tu_path("b"), db, &rep);
	assert_true(skipped(&rep, "b/1/" R1 "/metrics/acc", "line 2: not a metric line"));
	assert_int_equal(import_report_changes(&rep), 0);
	import_report_free(&rep);
}

static int setup_dir(void **state)
{
	(void)state;
	return tu_tmpdir("import");
}

int main(void)
{
	/* In order: the later tests build on t1.db. */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_import_copies_every_kind_of_row),
	    cmocka_unit_test(test_nan_is_stored_as_zero_with_is_nan),
	    cmocka_unit_test(test_latest_values_follow_the_mlflow_rule),
	    cmocka_unit_test(test_colliding_ids_and_names_get_new_ones_with_a_note),
	    cmocka_unit_test(test_registry_rows_keep_stage_alias_and_null_run),
	    cmocka_unit_test(test_second_import_adds_nothing),
	    cmocka_unit_test(test_each_import_is_audited_and_its_source_recorded),
	    cmocka_unit_test(test_a_finished_run_and_new_points_are_brought_up_to_date),
	    cmocka_unit_test(test_an_alias_pointing_elsewhere_here_is_kept_and_reported),
	    cmocka_unit_test(test_another_version_of_the_same_number_is_kept_and_reported),
	    cmocka_unit_test(test_aliases_an_import_set_move_and_go_with_the_source),
	    cmocka_unit_test(test_an_alias_moved_here_stays_and_a_damaged_model_removes_none),
	    cmocka_unit_test(test_a_store_path_with_models_in_it_is_not_a_damaged_model),
	    cmocka_unit_test(test_a_version_5_registry_gains_the_import_aliases),
	    cmocka_unit_test(test_a_version_5_registry_is_read_only_a_source),
	    cmocka_unit_test(test_damaged_source_files_are_reported_and_the_rest_imported),
	    cmocka_unit_test(test_a_local_registry_imports_into_another_unchanged),
	    cmocka_unit_test(test_targets_that_are_not_writable_local_registries_are_refused),
	    cmocka_unit_test(test_progress_reaches_the_total),
	    cmocka_unit_test(test_the_target_gets_its_settings_and_trigger_back),
	    cmocka_unit_test(test_latest_values_are_the_triggers_on_hard_cases),
	    cmocka_unit_test(test_an_unchanged_metric_file_is_not_read_again),
	    cmocka_unit_test(test_points_appended_to_a_metric_file_arrive),
	    cmocka_unit_test(test_a_metric_file_changed_in_place_is_read_again),
	    cmocka_unit_test(test_a_shorter_file_and_a_finished_last_line_are_read),
	    cmocka_unit_test(test_a_file_with_bad_lines_is_reported_on_every_import),
	    cmocka_unit_test(test_a_real_store_imports_with_its_counts),
	    cmocka_unit_test(test_a_real_registry_store_imports_its_versions),
	};
	struct stat st;
	int failed = cmocka_run_group_tests(tests, setup_dir, tu_group_teardown);

	if (stat(MLC_SHARED_DIR "/mlruns", &st) != 0) {
		printf("SKIP: %s/mlruns is absent: the real-store imports were skipped\n",
		       MLC_SHARED_DIR);
		return failed ? 1 : 77;
	}
	return failed ? 1 : 0;
}
