/* test_demo.c: the demo generator writes a complete, consistent, reproducible
 * registry — checked by opening the result with SQLite directly — meets its size
 * budgets, and never leaves a half-made file at the path. */
#include "config.h"
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "demo.h"
#include "schema.h"
#include "testutil.h"

#define NOW 1767225600000LL /* 2026-01-01T00:00:00Z */
#define DAY_MS 86400000LL

static char shared[128]; /* the default demo, made once for the read-only tests */

/* Make a demo at path with o, asserting success. */
static void make(const char *path, struct demo_opts o)
{
	struct mlc_error err = {0};

	if (o.now_ms == 0)
		o.now_ms = NOW;
	if (demo_create(path, &o, &err) != 0) {
		fprintf(stderr, "demo_create: %s\n", err.msg);
		fail();
	}
}

static sqlite3 *open_db(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return db;
}

/* The first column of the first row of sql, as an integer. */
static int64_t q1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "SQL failed: %s\n%s\n", sqlite3_errmsg(db), sql);
		fail();
	}
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* q1 on the shared demo. */
static int64_t q(const char *sql)
{
	sqlite3 *db = open_db(shared);
	int64_t v = q1(db, sql);

	sqlite3_close(db);
	return v;
}

/* The first column of the first row of sql, as text; the caller frees. */
static char *qtext(const char *path, const char *sql)
{
	sqlite3 *db = open_db(path);
	sqlite3_stmt *st;
	char *s;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return s;
}

/* FNV-1a over every value of every row of sql. */
static uint64_t digest_query(sqlite3 *db, const char *sql, uint64_t h)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *t = sqlite3_column_text(st, c);
			for (t = t ? t : (const unsigned char *)"\1NULL"; *t; t++)
				h = (h ^ *t) * 0x100000001b3ULL;
			h = (h ^ 0xff) * 0x100000001b3ULL;
		}
	sqlite3_finalize(st);
	return h;
}

/* A checksum of the content: runs, params, metrics, versions, deployments, drift. */
static uint64_t digest(const char *path)
{
	static const char *const sql[] = {
	    "SELECT * FROM runs ORDER BY id",
	    "SELECT * FROM params ORDER BY run_id, key",
	    "SELECT * FROM metrics ORDER BY run_id, key_id, step, timestamp",
	    "SELECT * FROM model_versions ORDER BY id",
	    "SELECT * FROM deployments ORDER BY id",
	    "SELECT * FROM drift_points ORDER BY id",
	    "SELECT * FROM audit_log ORDER BY id",
	};
	sqlite3 *db = open_db(path);
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
		h = digest_query(db, sql[i], h);
	sqlite3_close(db);
	return h;
}

/* Whether the temporary folder holds a file whose name contains part. */
static int dir_has(const char *part)
{
	DIR *d = opendir(tu_dir());
	struct dirent *e;
	int found = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		found |= strstr(e->d_name, part) != NULL;
	closedir(d);
	return found;
}

static int setup(void **state)
{
	if (tu_tmpdir("test-demo") != 0)
		return -1;
	snprintf(shared, sizeof shared, "%s", tu_path("demo.db"));
	make(shared, (struct demo_opts){.seed = 42});
	return 0;
}

static int teardown(void **state)
{
	return tu_rmdir();
}

static void test_file_carries_our_application_id_and_schema_version(void **state)
{
	assert_int_equal(q("PRAGMA application_id"), MLC_APPLICATION_ID);
	assert_int_equal(q("PRAGMA user_version"), MLC_SCHEMA_VERSION);
}

static void test_integrity_check_is_ok(void **state)
{
	char *s = qtext(shared, "PRAGMA integrity_check");

	assert_string_equal(s, "ok");
	free(s);
}

static void test_journal_mode_is_wal(void **state)
{
	char *s = qtext(shared, "PRAGMA journal_mode");

	assert_string_equal(s, "wal");
	free(s);
}

static void test_eight_models_with_3_to_25_versions(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM registered_models"), 8);
	assert_int_equal(q("SELECT count(*) FROM (SELECT model_id, count(*) n FROM model_versions"
			   " GROUP BY model_id) WHERE n BETWEEN 3 AND 25"),
			 8);
	assert_int_equal(
	    q("SELECT count(*) FROM model_versions v WHERE v.version >"
	      " (SELECT count(*) FROM model_versions w WHERE w.model_id = v.model_id)"),
	    0);
	assert_int_equal(q("SELECT count(*) FROM registered_models WHERE name = 'fraud-detector'"),
			 1);
	assert_int_equal(q("SELECT count(DISTINCT model_id) FROM model_tags WHERE key IN"
			   " ('team', 'owner', 'framework', 'task')"),
			 8);
}

static void test_four_active_experiments_with_50_to_300_runs(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM experiments WHERE lifecycle_stage = 'active'"), 4);
	assert_int_equal(q("SELECT count(*) FROM (SELECT e.id, count(r.id) n FROM experiments e"
			   " LEFT JOIN runs r ON r.experiment_id = e.id"
			   " WHERE e.lifecycle_stage = 'active' GROUP BY e.id)"
			   " WHERE n BETWEEN 50 AND 300"),
			 4);
	assert_int_equal(q("SELECT count(*) FROM experiments WHERE experiment_id IN"
			   " ('1', '2', '3', '4') AND lifecycle_stage = 'active'"),
			 4);
	assert_int_equal(q("SELECT count(*) FROM experiments WHERE lifecycle_stage = 'deleted'"),
			 1);
}

static void test_every_version_points_at_a_finished_run(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM model_versions v WHERE NOT EXISTS"
			   " (SELECT 1 FROM runs r WHERE r.run_uuid = v.run_uuid"
			   "  AND r.status = 'FINISHED')"),
			 0);
	assert_int_equal(q("SELECT count(*) FROM model_versions WHERE status != 'READY'"), 0);
}

/* fraud-detector and credit-risk train in one experiment: a run's "Registered
 * as" lists one model's versions, never another model's (issue 15). */
static void test_no_run_is_registered_as_two_models(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM (SELECT run_uuid FROM model_versions"
			   " GROUP BY run_uuid HAVING count(DISTINCT model_id) > 1)"),
			 0);
}

static void test_runs_have_realistic_ids_names_and_statuses(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM runs WHERE length(run_uuid) != 32"
			   " OR run_uuid GLOB '*[^0-9a-f]*'"),
			 0);
	assert_int_equal(q("SELECT count(*) FROM runs WHERE run_name NOT GLOB"
			   " '[a-z]*-[a-z]*-[0-9][0-9][0-9]'"),
			 0);
	assert_in_range(q("SELECT count(*) FROM runs WHERE status = 'RUNNING'"), 1, 2);
	assert_int_equal(q("SELECT count(*) FROM runs WHERE (status = 'RUNNING')"
			   " != (end_time IS NULL)"),
			 0);
	assert_true(q("SELECT count(*) FROM runs WHERE status = 'FAILED'") > 0);
	assert_true(q("SELECT count(*) FROM runs WHERE status = 'KILLED'") > 0);
	assert_true(q("SELECT count(*) FROM runs WHERE lifecycle_stage = 'deleted'") > 0);
	assert_int_equal(
	    q("SELECT count(*) FROM runs WHERE start_time < 1767225600000 - 60 * 86400000"
	      " OR start_time > 1767225600000 OR end_time > 1767225600000"
	      " OR end_time < start_time"),
	    0);
}

static void test_runs_have_params_tags_and_5_to_12_metrics(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM (SELECT r.id, count(p.key) n FROM runs r"
			   " LEFT JOIN params p ON p.run_id = r.id GROUP BY r.id)"
			   " WHERE n NOT BETWEEN 4 AND 10"),
			 0);
	assert_int_equal(
	    q("SELECT count(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM run_tags t"
	      " WHERE t.run_id = r.id AND t.key = 'mlflow.runName'"
	      " AND t.value = r.run_name) OR NOT EXISTS (SELECT 1 FROM run_tags t"
	      " WHERE t.run_id = r.id AND t.key = 'mlflow.user' AND t.value = r.user_id)"),
	    0);
	assert_int_equal(
	    q("SELECT count(*) FROM (SELECT r.experiment_id, count(DISTINCT m.key_id) n"
	      " FROM metrics m JOIN runs r ON r.id = m.run_id GROUP BY 1)"
	      " WHERE n BETWEEN 5 AND 12"),
	    4);
}

static void test_histories_advance_in_time_and_loss_falls(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM metrics a JOIN metrics b ON b.run_id = a.run_id"
			   " AND b.key_id = a.key_id AND b.step = a.step + 1"
			   " WHERE b.timestamp <= a.timestamp"),
			 0);
	assert_true(
	    q("SELECT (SELECT avg(m.value) FROM metrics m JOIN metric_keys k"
	      "  ON k.id = m.key_id WHERE k.key = 'loss' AND m.step = 0)"
	      " > (SELECT avg(l.value) FROM latest_metrics l JOIN metric_keys k"
	      "  ON k.id = l.key_id WHERE k.key = 'loss' AND l.step >= 10 AND l.is_nan = 0)"));
	assert_true(q("SELECT count(*) FROM metrics WHERE is_nan = 1") > 0);
	assert_int_equal(q("SELECT count(*) FROM metrics WHERE is_nan = 1 AND value != 0"), 0);
}

static void test_latest_metrics_follow_mlflow_rule(void **state)
{
	/* The rule, by a window function: highest (step, timestamp, not NaN, value). */
	assert_int_equal(q("SELECT count(*) FROM (SELECT *, row_number() OVER (PARTITION BY run_id,"
			   " key_id ORDER BY step DESC, timestamp DESC, is_nan ASC, value DESC) rn"
			   " FROM metrics) w LEFT JOIN latest_metrics l USING (run_id, key_id)"
			   " WHERE w.rn = 1 AND (l.run_id IS NULL OR l.step IS NOT w.step"
			   " OR l.timestamp IS NOT w.timestamp OR l.value IS NOT w.value"
			   " OR l.is_nan IS NOT w.is_nan)"),
			 0);
	assert_int_equal(q("SELECT (SELECT count(*) FROM latest_metrics) -"
			   " (SELECT count(*) FROM (SELECT DISTINCT run_id, key_id FROM metrics))"),
			 0);
}

static void test_metrics_trigger_is_back_as_schema_wrote_it(void **state)
{
	const char *fresh = tu_path("fresh.db");
	const char *sql = "SELECT sql FROM sqlite_master WHERE name = 'metrics_latest'";
	char *got, *want;
	sqlite3 *fdb;

	assert_int_equal(sqlite3_open(fresh, &fdb), SQLITE_OK);
	assert_int_equal(schema_migrate(fdb, fresh, NULL), 0);
	sqlite3_close(fdb);
	got = qtext(shared, sql);
	want = qtext(fresh, sql);
	assert_string_equal(got, want);
	free(got);
	free(want);
	unlink(fresh);
}

static void test_environments_and_production_policy(void **state)
{
	sqlite3 *db = open_db(shared);

	assert_int_equal(q1(db, "SELECT count(*) FROM environments"), 3);
	assert_int_equal(q1(db, "SELECT count(*) FROM environments WHERE name = 'dev' AND ord = 1"
				" AND required_approvals = 0"),
			 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM environments WHERE name = 'staging'"
				" AND ord = 2 AND required_approvals = 0 AND require_previous = 1"),
			 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM environments WHERE name = 'production'"
				" AND ord = 3 AND required_approvals = 2 AND self_approval = 0"
				" AND rollback_approval = 0 AND require_previous = 1"),
			 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM environment_approvers a JOIN environments e"
				" ON e.id = a.env_id WHERE e.name = 'production'"
				" AND a.user IN ('alice', 'bob', 'carol')"),
			 3);
	assert_int_equal(q1(db, "SELECT count(*) FROM environment_approvers"), 3);
	sqlite3_close(db);
}

static void test_live_versions_match_the_deployment_history(void **state)
{
	assert_int_equal(q("SELECT count(DISTINCT model_id) FROM model_aliases"
			   " WHERE alias = 'production'"),
			 6);
	assert_int_equal(
	    q("SELECT count(DISTINCT model_id) FROM model_aliases WHERE alias = 'staging'"), 6);
	/* The latest row per model and environment is what the alias says. */
	assert_int_equal(
	    q("SELECT count(*) FROM deployments d JOIN environments e ON e.id = d.env_id"
	      " WHERE d.at = (SELECT max(at) FROM deployments x WHERE x.model_id ="
	      " d.model_id AND x.env_id = d.env_id) AND NOT EXISTS (SELECT 1 FROM"
	      " model_aliases a WHERE a.model_id = d.model_id AND a.alias = e.name"
	      " AND a.version = d.version)"),
	    0);
	/* Each row's previous version is the one live before it. */
	assert_int_equal(q("SELECT count(*) FROM deployments d WHERE d.previous_version IS NOT"
			   " (SELECT p.version FROM deployments p WHERE p.model_id = d.model_id"
			   " AND p.env_id = d.env_id AND p.at < d.at ORDER BY p.at DESC LIMIT 1)"),
			 0);
	assert_true(q("SELECT count(*) FROM deployments WHERE action = 'rollback'") >= 1);
	assert_true(q("SELECT count(*) FROM hook_runs WHERE ok = 1") > 0);
	assert_int_equal(q("SELECT count(*) FROM hook_runs WHERE ok = 0 AND status IS NOT NULL"
			   " AND detail != ''"),
			 1);
}

static void test_stages_agree_with_deployments(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM model_versions v LEFT JOIN model_aliases a"
			   " ON a.model_id = v.model_id AND a.alias = 'production'"
			   " WHERE (v.stage = 'Production') != (v.version IS a.version)"),
			 0);
	assert_int_equal(q("SELECT count(*) FROM model_versions v WHERE v.stage = 'Archived'"
			   " AND NOT EXISTS (SELECT 1 FROM deployments d JOIN environments e"
			   " ON e.id = d.env_id WHERE e.name = 'production'"
			   " AND d.model_id = v.model_id AND d.version = v.version)"),
			 0);
}

static void test_production_deploys_went_through_two_approvals(void **state)
{
	assert_int_equal(
	    q("SELECT count(*) FROM deployments d JOIN environments e ON e.id = d.env_id"
	      " WHERE e.name = 'production' AND d.action = 'deploy' AND"
	      " (SELECT count(*) FROM votes v JOIN promotion_requests r"
	      "  ON r.id = v.request_id WHERE v.request_id = d.request_id"
	      "  AND r.state = 'approved' AND v.decision = 'approve'"
	      "  AND v.voter != r.requested_by AND v.voter IN ('alice', 'bob', 'carol'))"
	      " < 2"),
	    0);
}

static void test_three_pending_requests_for_newer_versions(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM promotion_requests WHERE state = 'pending'"
			   " AND kind = 'promote'"),
			 3);
	assert_int_equal(q("SELECT count(*) FROM promotion_requests r JOIN model_aliases a"
			   " ON a.model_id = r.model_id AND a.alias = 'production'"
			   " WHERE r.state = 'pending' AND r.version > a.version"
			   " AND r.requested_by IN ('alice', 'dave') AND r.comment != ''"),
			 3);
	assert_int_equal(q("SELECT count(*) FROM promotion_requests r WHERE r.state = 'pending'"
			   " AND (SELECT count(*) FROM votes v WHERE v.request_id = r.id"
			   " AND v.decision = 'approve') = 1"),
			 1);
	assert_true(q("SELECT count(*) FROM promotion_requests r WHERE r.state = 'rejected'"
		      " AND EXISTS (SELECT 1 FROM votes v WHERE v.request_id = r.id"
		      " AND v.decision = 'reject')") >= 1);
}

/* Issue 16: alice's rule on fraud-detector's amount in staging fired once, as
 * carol's alerts check, and the rollback request it opened waits there. */
static void test_one_alert_fired_with_its_rollback_request_pending(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM alert_rules"), 1);
	assert_int_equal(q("SELECT count(*) FROM alert_firings"), 1);
	assert_int_equal(q("SELECT count(*) FROM alert_firings f"
			   " JOIN registered_models m ON m.id = f.model_id"
			   " JOIN environments e ON e.id = f.env_id"
			   " JOIN promotion_requests r ON r.id = f.request_id"
			   " WHERE m.name = 'fraud-detector' AND e.name = 'staging'"
			   " AND f.rule = 'amount-drift' AND f.features = 'amount'"
			   " AND f.window_end = (SELECT max(window_end) FROM drift_points)"
			   " AND r.state = 'pending' AND r.kind = 'rollback' AND r.env_id = e.id"
			   " AND r.model_id = m.id AND r.requested_by = 'carol'"),
			 1);
	assert_int_equal(q("SELECT count(*) FROM promotion_requests WHERE state = 'pending'"
			   " AND kind = 'rollback'"),
			 1);
	assert_int_equal(q("SELECT count(*) FROM audit_log WHERE action = 'alert fired'"
			   " AND actor = 'carol' AND subject LIKE 'fraud-detector:%@staging'"),
			 1);
}

static void test_drift_has_90_daily_points_per_feature(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM (SELECT count(*) n FROM drift_points"
			   " GROUP BY model_id, feature) WHERE n != 90"),
			 0);
	assert_int_equal(q("SELECT count(DISTINCT feature || model_id) FROM drift_points"), 60);
	assert_int_equal(q("SELECT count(*) FROM drift_points WHERE window_end % 86400000 != 0"
			   " OR window_end > 1767225600000"),
			 0);
	assert_int_equal(q("SELECT count(*) FROM drift_points WHERE p_value IS NOT NULL"
			   " OR statistic != score OR threshold != 0.1"
			   " OR drift != (score >= threshold)"
			   " OR method NOT IN ('wasserstein', 'psi', 'jensenshannon')"),
			 0);
}

static void test_exactly_two_features_drift_at_the_end(void **state)
{
	assert_int_equal(q("SELECT count(*) FROM drift_points WHERE drift = 1 AND window_end ="
			   " (SELECT max(window_end) FROM drift_points)"),
			 2);
	assert_int_equal(q("SELECT count(*) FROM drift_points d JOIN registered_models m"
			   " ON m.id = d.model_id WHERE m.name = 'fraud-detector'"
			   " AND d.feature IN ('amount', 'merchant_category') AND d.drift = 1"
			   " AND d.window_end = (SELECT max(window_end) FROM drift_points)"),
			 2);
	assert_int_equal(q("SELECT count(DISTINCT model_id || feature) FROM drift_points"
			   " WHERE drift = 1"),
			 2);
	/* They were fine two months earlier. */
	assert_int_equal(q("SELECT count(*) FROM drift_points WHERE drift = 1 AND window_end <"
			   " (SELECT max(window_end) FROM drift_points) - 30 * 86400000"),
			 0);
}

static void test_audit_log_records_history_and_refuses_changes(void **state)
{
	sqlite3 *db = open_db(shared);
	char *msg = NULL;

	assert_true(q1(db, "SELECT count(DISTINCT action) FROM audit_log WHERE action IN"
			   " ('deploy', 'rollback', 'request', 'approve', 'reject')") == 5);
	assert_int_equal(q1(db, "SELECT count(*) FROM audit_log WHERE action = 'demo create'"), 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM audit_log WHERE action = 'deploy'"
				" AND subject NOT GLOB '*:[0-9]*@*'"),
			 0);
	assert_int_not_equal(
	    sqlite3_exec(db, "UPDATE audit_log SET actor = 'mallory'", NULL, NULL, &msg),
	    SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	sqlite3_free(msg);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit_log", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(q1(db, "SELECT count(*) FROM audit_log WHERE actor = 'mallory'"), 0);
	sqlite3_close(db);
}

static void test_same_seed_gives_the_same_content(void **state)
{
	const char *again = tu_path("again.db");

	make(again, (struct demo_opts){.seed = 42});
	assert_true(digest(again) == digest(shared));
	unlink(again);
}

static void test_different_seed_gives_different_content(void **state)
{
	const char *other = tu_path("other.db");

	make(other, (struct demo_opts){.seed = 43});
	assert_true(digest(other) != digest(shared));
	unlink(other);
}

static void test_existing_file_is_refused_without_force(void **state)
{
	const char *path = tu_path("taken.db");
	struct demo_opts o = {.runs = 40, .now_ms = NOW};
	struct mlc_error err = {0};
	char want[256];
	FILE *f = fopen(path, "w");
	char buf[32] = "";

	fputs("keep me", f);
	fclose(f);
	assert_int_equal(demo_create(path, &o, &err), -1);
	assert_int_equal(err.code, MLC_ERR_FAILED);
	snprintf(want, sizeof want, "%s: already exists (use --force to overwrite)", path);
	assert_string_equal(err.msg, want);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "keep me");
	unlink(path);
}

static void test_force_overwrites_and_drops_the_old_wal(void **state)
{
	const char *path = tu_path("forced.db"), *wal = tu_path("forced.db-wal");
	FILE *f;

	make(path, (struct demo_opts){.runs = 20});
	f = fopen(wal, "w");
	fputs("old wal", f);
	fclose(f);
	make(path, (struct demo_opts){.runs = 40, .force = 1});
	assert_int_not_equal(access(wal, F_OK), 0);
	{
		sqlite3 *db = open_db(path);
		assert_int_equal(q1(db, "PRAGMA application_id"), MLC_APPLICATION_ID);
		assert_int_equal(q1(db, "SELECT count(*) FROM runs"), 40);
		sqlite3_close(db);
	}
	unlink(path);
}

static void test_force_never_replaces_a_file_that_is_not_ours(void **state)
{
	const char *path = tu_path("notes.txt");
	struct demo_opts o = {.runs = 20, .force = 1};
	struct mlc_error err = {0};
	char buf[64] = "";
	FILE *f = fopen(path, "w");

	fputs("precious notes", f);
	fclose(f);
	assert_int_equal(demo_create(path, &o, &err), -1);
	assert_non_null(strstr(err.msg, "not an mlconsole registry"));
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "precious notes");
	unlink(path);
}

static void test_no_temporary_file_is_left_behind(void **state)
{
	assert_false(dir_has(".tmp-"));
}

static void test_too_many_points_is_a_usage_error(void **state)
{
	const char *path = tu_path("huge.db");
	struct demo_opts o = {.runs = 100000, .points = 10000001};
	struct mlc_error err = {0};

	assert_int_equal(demo_create(path, &o, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, path));
	assert_int_not_equal(access(path, F_OK), 0);
	assert_false(dir_has(".tmp-"));
}

static void test_missing_directory_is_an_error_naming_the_path(void **state)
{
	const char *path = tu_path("no/such/dir/demo.db");
	struct demo_opts o = {.runs = 40};
	struct mlc_error err = {0};

	assert_int_equal(demo_create(path, &o, &err), -1);
	assert_int_equal(err.code, MLC_ERR_FAILED);
	assert_non_null(strstr(err.msg, path));
}

static void test_runs_and_points_totals_meet_the_budget(void **state)
{
	const char *path = tu_path("budget.db");
	sqlite3 *db;
	int64_t n;

	make(path, (struct demo_opts){.runs = 2000, .points = 200000, .seed = 7});
	db = open_db(path);
	assert_int_equal(q1(db, "SELECT count(*) FROM runs"), 2000);
	n = q1(db, "SELECT count(*) FROM metrics");
	assert_in_range(n, 194000, 206000);
	assert_true(q1(db, "SELECT max(n) FROM (SELECT count(*) n FROM metrics"
			   " GROUP BY run_id, key_id)") <= 200);
	/* Spread over all four experiments, the largest with about half. */
	assert_in_range(q1(db, "SELECT max(n) FROM (SELECT count(*) n FROM runs"
			       " GROUP BY experiment_id)"),
			900, 1100);
	sqlite3_close(db);
	unlink(path);
}

static void test_big_budgets_add_curve_metrics_up_to_12(void **state)
{
	const char *path = tu_path("curves.db");
	sqlite3 *db;

	make(path, (struct demo_opts){.runs = 40, .points = 80000, .seed = 3});
	db = open_db(path);
	assert_in_range(q1(db, "SELECT count(*) FROM metrics"), 77600, 82400);
	assert_true(q1(db, "SELECT max(n) FROM (SELECT count(*) n FROM metrics"
			   " GROUP BY run_id, key_id)") <= 200);
	assert_int_equal(
	    q1(db, "SELECT max(n) FROM (SELECT run_id, count(*) n FROM"
		   " (SELECT run_id, key_id FROM metrics GROUP BY 1, 2 HAVING count(*) > 1)"
		   " GROUP BY run_id)"),
	    12);
	sqlite3_close(db);
	unlink(path);
}

static int64_t seen_done, seen_total, seen_calls;

static void record_progress(void *ctx, int64_t done, int64_t total)
{
	seen_done = done;
	seen_total = total;
	seen_calls++;
}

static void test_progress_counts_points_up_to_the_total(void **state)
{
	const char *path = tu_path("progress.db");

	make(path, (struct demo_opts){.runs = 40, .points = 70000, .progress = record_progress});
	assert_true(seen_calls >= 2);
	assert_int_equal(seen_done, 70000);
	assert_int_equal(seen_total, 70000);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_carries_our_application_id_and_schema_version),
	    cmocka_unit_test(test_integrity_check_is_ok),
	    cmocka_unit_test(test_journal_mode_is_wal),
	    cmocka_unit_test(test_eight_models_with_3_to_25_versions),
	    cmocka_unit_test(test_four_active_experiments_with_50_to_300_runs),
	    cmocka_unit_test(test_every_version_points_at_a_finished_run),
	    cmocka_unit_test(test_no_run_is_registered_as_two_models),
	    cmocka_unit_test(test_runs_have_realistic_ids_names_and_statuses),
	    cmocka_unit_test(test_runs_have_params_tags_and_5_to_12_metrics),
	    cmocka_unit_test(test_histories_advance_in_time_and_loss_falls),
	    cmocka_unit_test(test_latest_metrics_follow_mlflow_rule),
	    cmocka_unit_test(test_metrics_trigger_is_back_as_schema_wrote_it),
	    cmocka_unit_test(test_environments_and_production_policy),
	    cmocka_unit_test(test_live_versions_match_the_deployment_history),
	    cmocka_unit_test(test_stages_agree_with_deployments),
	    cmocka_unit_test(test_production_deploys_went_through_two_approvals),
	    cmocka_unit_test(test_three_pending_requests_for_newer_versions),
	    cmocka_unit_test(test_one_alert_fired_with_its_rollback_request_pending),
	    cmocka_unit_test(test_drift_has_90_daily_points_per_feature),
	    cmocka_unit_test(test_exactly_two_features_drift_at_the_end),
	    cmocka_unit_test(test_audit_log_records_history_and_refuses_changes),
	    cmocka_unit_test(test_same_seed_gives_the_same_content),
	    cmocka_unit_test(test_different_seed_gives_different_content),
	    cmocka_unit_test(test_existing_file_is_refused_without_force),
	    cmocka_unit_test(test_force_overwrites_and_drops_the_old_wal),
	    cmocka_unit_test(test_force_never_replaces_a_file_that_is_not_ours),
	    cmocka_unit_test(test_too_many_points_is_a_usage_error),
	    cmocka_unit_test(test_missing_directory_is_an_error_naming_the_path),
	    cmocka_unit_test(test_runs_and_points_totals_meet_the_budget),
	    cmocka_unit_test(test_big_budgets_add_curve_metrics_up_to_12),
	    cmocka_unit_test(test_progress_counts_points_up_to_the_total),
	    cmocka_unit_test(test_no_temporary_file_is_left_behind),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
