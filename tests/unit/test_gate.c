/* test_gate.c: environments' gates (core/gate.c) on plain data: the grammar
 * (the filter grammar with `live` and `drift`), each outcome and its reason
 * word for word, and who may add or remove one (core/deploy.c). */
#include "config.h"
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "demo.h"
#include "drift.h"
#include "filter.h"
#include "gate.h"
#include "registry.h"
#include "strbuf.h"
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct mlc_metric cand_metrics[] = {{.key = "auc", .value = 0.91},
					   {.key = "loss", .value = NAN},
					   {.key = "val_auc", .value = 0.91}};
static struct mlc_kv cand_params[] = {{"framework", "xgboost"}, {"lr", "0.1"}};
static struct mlc_kv cand_tags[] = {{"team", "fraud"}};
static struct mlc_run cand = {.run_id = "c",
			      .metrics = cand_metrics,
			      .n_metrics = N(cand_metrics),
			      .params = cand_params,
			      .n_params = N(cand_params),
			      .tags = cand_tags,
			      .n_tags = N(cand_tags)};
static struct mlc_metric live_metrics[] = {{.key = "val_auc", .value = 0.93}};
static struct mlc_kv live_params[] = {{"framework", "lightgbm"}};
static struct mlc_run live = {.run_id = "l",
			      .metrics = live_metrics,
			      .n_metrics = N(live_metrics),
			      .params = live_params,
			      .n_params = N(live_params)};

/* The candidate version 8 against live version 7, drift status ok. */
static struct gate_subject subject(void)
{
	return (struct gate_subject){
	    .version = "8", .run = &cand, .live = 7, .live_run = &live, .drift = DRIFT_STATUS_OK};
}

/* gate_eval of expr against s: want 1 (holds) with why NULL, or 0 with why. */
static void expect_eval(const char *expr, const struct gate_subject *s, const char *why, int line)
{
	struct mlc_error err = {0};
	char got[512] = "";
	int rc = gate_eval(expr, s, got, sizeof got, &err);

	if (rc < 0)
		fail_msg("line %d: '%s' is not a gate: %s", line, expr, err.msg);
	if (why == NULL && rc != 1)
		fail_msg("line %d: '%s' failed: %s", line, expr, got);
	if (why && rc != 0)
		fail_msg("line %d: '%s' held, expected it to fail: %s", line, expr, why);
	if (why && strcmp(got, why) != 0)
		fail_msg("line %d: '%s':\n got '%s'\nwant '%s'", line, expr, got, why);
}
#define EVAL(expr, s, why) expect_eval(expr, s, why, __LINE__)

static void test_metrics(void **state)
{
	struct gate_subject s = subject(), none = subject(), bare = subject();

	(void)state;
	EVAL("metrics.val_auc >= live", &s, "0.91 < 0.93 (live version 7)");
	EVAL("metrics.val_auc < live", &s, NULL);
	EVAL("metrics.val_auc >= 0.9", &s, NULL);
	EVAL("metrics.val_auc > 0.95", &s, "metrics.val_auc is 0.91, not > 0.95");
	EVAL("metrics.auc >= 0.9 AND metrics.val_auc >= live", &s, "0.91 < 0.93 (live version 7)");
	/* a metric the candidate lacks (or NaN) fails, named */
	EVAL("metrics.f1 >= 0.5", &s, "version 8 has no metrics.f1");
	EVAL("metrics.loss <= 1", &s, "version 8 has no metrics.loss");
	/* the live version lacking it: nothing to compare with, fails */
	EVAL("metrics.auc >= live", &s, "the live version 7 has no metrics.auc to compare with");
	/* nothing live: a comparison with live passes, a plain one still counts */
	none.live = 0;
	none.live_run = NULL;
	EVAL("metrics.val_auc >= live", &none, NULL);
	EVAL("metrics.val_auc >= 0.95", &none, "metrics.val_auc is 0.91, not >= 0.95");
	/* no source run at all */
	bare.run = NULL;
	EVAL("metrics.val_auc >= live", &bare, "version 8 has no metrics.val_auc (no source run)");
}

static void test_params_tags(void **state)
{
	struct gate_subject s = subject();

	(void)state;
	EVAL("params.framework = 'xgboost'", &s, NULL);
	EVAL("params.framework = live", &s,
	     "params.framework is 'xgboost', the live version's is 'lightgbm'");
	EVAL("params.framework != live", &s, NULL);
	EVAL("params.framework LIKE 'xg%'", &s, NULL);
	EVAL("tags.team ILIKE 'FRAUD'", &s, NULL);
	EVAL("tags.team != 'fraud'", &s, "tags.team is 'fraud'");
	EVAL("params.depth = '3'", &s, "version 8 has no params.depth");
	EVAL("params.lr = live", &s, "the live version 7 has no params.lr to compare with");
}

static void test_drift(void **state)
{
	struct gate_subject s = subject();

	(void)state;
	EVAL("drift = ok", &s, NULL);
	EVAL("drift != drift", &s, NULL);
	s.drift = DRIFT_STATUS_DRIFT;
	EVAL("drift = ok", &s, "the model's drift status is drift");
	EVAL("drift = 'DRIFT'", &s, NULL);
	EVAL("drift = drifting", &s, NULL);
	s.drift = DRIFT_STATUS_WARN;
	EVAL("drift != drift", &s, NULL);
	EVAL("drift = ok", &s, "the model's drift status is warn");
	s.drift = GATE_DRIFT_NONE;
	EVAL("drift = ok", &s, "the model's drift status is none (no drift windows recorded)");
	EVAL("drift = none", &s, NULL);
}

/* gate_valid refuses expr with a message containing want. */
static void expect_invalid(const char *expr, const char *want, int line)
{
	struct mlc_error err = {0};

	if (gate_valid(expr, &err) == 0)
		fail_msg("line %d: '%s' accepted", line, expr);
	if (strstr(err.msg, want) == NULL)
		fail_msg("line %d: '%s':\n got '%s'\nwant '%s'", line, expr, err.msg, want);
}
#define INVALID(expr, want) expect_invalid(expr, want, __LINE__)

static void test_grammar(void **state)
{
	struct mlc_error err = {0};
	struct filter *f;
	struct strbuf sb = {0};
	struct sql_args args = {0};

	(void)state;
	assert_int_equal(gate_valid("metrics.val_auc >= live AND drift = ok", &err), 0);
	INVALID("", "an empty gate");
	INVALID("drift = bad", "expected ok, warn, drift or none after 'drift ='");
	INVALID("drift LIKE 'ok'", "drift takes = or != only");
	INVALID("metrics.auc >= 'x'", "expected a number");
	INVALID("params.framework LIKE live", "live cannot follow LIKE");
	INVALID("run_name = 'x'", "unknown attribute 'run_name' (expected drift, metrics.<key>");
	INVALID("metrics.auc >= live OR drift = ok", "no OR");
	/* live and drift belong to gates: a runs filter knows neither */
	assert_null(filter_parse("metrics.auc >= live", FILTER_RUNS, &err));
	assert_null(filter_parse("drift = ok", FILTER_RUNS, &err));
	/* and a gate is never compiled to SQL */
	f = filter_parse("drift = ok", FILTER_GATES, &err);
	assert_non_null(f);
	assert_int_equal(filter_to_sql(f, FILTER_GATES, &sb, &args, &err), -1);
	filter_free(f);
	sb_free(&sb);
	sql_args_free(&args);
}

static const char *appr[] = {"alice", "bob"};
static const char *prod_gates[] = {"metrics.val_auc >= live", "drift = ok"};
static struct mlc_env envs_arr[] = {
    {.name = "dev", .order = 1},
    {.name = "prod",
     .order = 2,
     .required_approvals = 1,
     .approvers = appr,
     .n_approvers = 2,
     .gates = prod_gates,
     .n_gates = 2},
};
static struct mlc_env_list envs = {.items = envs_arr, .n = N(envs_arr)};

static void test_check_env(void **state)
{
	struct gate_subject s = subject();
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(gate_check_env(&envs_arr[0], "m", &s, &err), 0);
	assert_int_equal(gate_check_env(&envs_arr[1], "m", &s, &err), -1);
	assert_int_equal(err.code, MLC_ERR_FAILED);
	assert_string_equal(err.msg, "m 8 to prod: refused: gate 'metrics.val_auc >= live' failed: "
				     "0.91 < 0.93 (live version 7)");
	live_metrics[0].value = 0.9;
	s.drift = DRIFT_STATUS_DRIFT;
	assert_int_equal(gate_check_env(&envs_arr[1], "m", &s, &err), -1);
	assert_string_equal(err.msg, "m 8 to prod: refused: gate 'drift = ok' failed: the model's "
				     "drift status is drift");
	s.drift = DRIFT_STATUS_OK;
	assert_int_equal(gate_check_env(&envs_arr[1], "m", &s, &err), 0);
	live_metrics[0].value = 0.93;
}

/* mlc_policy_check of change c by actor: want kind, and why (or err). */
static void policy_expect(const struct mlc_env_change *c, const char *actor, int kind,
			  const char *text, int line)
{
	struct strbuf why = {0};
	struct mlc_error err = {0};
	int rc = mlc_policy_check(&envs, c, actor, &why, &err);

	if (rc != kind)
		fail_msg("line %d: kind %d, want %d (%s%s)", line, rc, kind, sb_str(&why), err.msg);
	if (strcmp(rc < 0 ? err.msg : sb_str(&why), text) != 0)
		fail_msg("line %d:\n got '%s'\nwant '%s'", line, rc < 0 ? err.msg : sb_str(&why),
			 text);
	sb_free(&why);
}
#define CHECK(c, actor, kind, text) policy_expect(c, actor, kind, text, __LINE__)

static void test_who_may_change(void **state)
{
	const char *add[] = {"params.framework = live"}, *rm[] = {"drift = ok"},
		   *bad[] = {"drift = maybe"}, *gone[] = {"drift = warn"};
	struct mlc_env_change c = {.name = "prod", .gate_add = add, .n_gate_add = 1};

	(void)state;
	/* adding a gate tightens: an approver's change is direct */
	CHECK(&c, "alice", MLC_POLICY_DIRECT, "gate 'params.framework = live' added");
	CHECK(&c, "mallory", -1,
	      "environment 'prod': only its approvers (alice, bob) or root acting as itself may "
	      "change its policy; mallory is not one (see 'mlconsole env list')");
	/* removing one loosens: a request the current policy governs */
	c = (struct mlc_env_change){.name = "prod", .gate_rm = rm, .n_gate_rm = 1};
	CHECK(&c, "alice", MLC_POLICY_REQUEST, "gate 'drift = ok' removed (loosens)");
	c.root_direct = 1;
	CHECK(&c, "root", MLC_POLICY_DIRECT, "gate 'drift = ok' removed");
	/* the refusals */
	c = (struct mlc_env_change){.name = "prod", .gate_add = bad, .n_gate_add = 1};
	CHECK(&c, "alice", -1,
	      "--gate 'drift = maybe': filter syntax error at column 9: expected ok, warn, drift "
	      "or none after 'drift ='");
	c = (struct mlc_env_change){.name = "prod", .gate_rm = gone, .n_gate_rm = 1};
	CHECK(&c, "alice", -1,
	      "environment 'prod' has no gate 'drift = warn' (see 'mlconsole env list'; give it "
	      "as listed)");
	/* a gate already there is no change */
	c = (struct mlc_env_change){.name = "prod", .gate_add = rm, .n_gate_add = 1};
	CHECK(&c, "alice", MLC_POLICY_DIRECT, "no change");
	/* in an environment without approvers anyone may, directly */
	c = (struct mlc_env_change){.name = "dev", .gate_add = add, .n_gate_add = 1};
	CHECK(&c, "mallory", MLC_POLICY_DIRECT, "gate 'params.framework = live' added");
}

/* A gate on drift whose drift read fails refuses the deploy: the demo's
 * fraud-detector drifts, so 'drift != drift' fails; with its drift windows
 * unreadable (the table dropped) the gate used to read "none" and pass. */
static void test_drift_read_error_fails_closed(void **state)
{
	static const char *const add[] = {"drift != drift"};
	struct demo_opts o = {.seed = 42, .now_ms = 1767225600000LL};
	struct mlc_env_change c = {.name = "staging", .gate_add = add, .n_gate_add = 1};
	struct mlc_error err = {0};
	struct registry *r;
	sqlite3 *db = NULL;

	(void)state;
	assert_int_equal(tu_tmpdir("test-gate"), 0);
	assert_int_equal(demo_create(tu_path("demo.db"), &o, &err), 0);
	r = registry_open(tu_path("demo.db"), &(struct registry_open_opts){0}, &err);
	assert_non_null(r);
	assert_int_equal(registry_env_set(r, &c, "dave", NULL, &err), 0);
	assert_int_equal(gate_deploy_check(r, "fraud-detector", "14", "staging", &err), -1);
	registry_close(r);
	assert_int_equal(sqlite3_open(tu_path("demo.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE drift_points", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	r = registry_open(tu_path("demo.db"), &(struct registry_open_opts){0}, &err);
	assert_non_null(r);
	memset(&err, 0, sizeof err);
	assert_int_equal(gate_deploy_check(r, "fraud-detector", "14", "staging", &err), -1);
	registry_close(r);
	tu_rmdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics),
	    cmocka_unit_test(test_params_tags),
	    cmocka_unit_test(test_drift),
	    cmocka_unit_test(test_grammar),
	    cmocka_unit_test(test_check_env),
	    cmocka_unit_test(test_who_may_change),
	    cmocka_unit_test(test_drift_read_error_fails_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
