/* test_pulse.c: the pulse rows built from bulk lists — each model's live
 * version per environment, failed hooks, pending requests (a policy request
 * counts for no model), drift status and drifting features — and the order:
 * a failed hook, then drift before warn (ok and none alike), then pending
 * requests, then by name. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sqlite3.h>
#include "demo.h"
#include "drift.h"
#include "pulse.h"
#include "registry.h"
#include "testutil.h"

/* Models a to f (newest version "3", f has none); staging and production;
 * b's production hook failed, c drifts (one of two features), d warns, e has
 * two pending requests, a has ok drift; a policy request and a deployment of
 * a model not in the list are ignored. */
static void test_rows_and_order(void **state)
{
	struct mlc_model_list models = {0};
	struct mlc_env_list envs = {0};
	struct mlc_live_list live = {0};
	struct mlc_request_list reqs = {0};
	struct mlc_drift_list drift = {0};
	struct pulse_list out = {0};
	const char *names[] = {"f", "e", "d", "c", "b", "a"},
		   *want[] = {"b", "c", "d", "e", "a", "f"};
	struct {
		const char *model, *env, *version, *hook;
	} dep[] = {{"b", "production", "2", "failed"},
		   {"b", "staging", "3", "ok"},
		   {"c", "staging", "1", "none"},
		   {"zz", "staging", "9", "failed"}};
	struct {
		const char *model;
		int status;
	} feat[] = {{"c", DRIFT_STATUS_DRIFT},
		    {"c", DRIFT_STATUS_OK},
		    {"d", DRIFT_STATUS_WARN},
		    {"a", DRIFT_STATUS_OK}};

	(void)state;
	for (size_t i = 0; i < 6; i++)
		*MLC_LIST_PUSH(&models) =
		    (struct mlc_model){.name = names[i], .latest_version = i ? "3" : ""};
	*MLC_LIST_PUSH(&envs) = (struct mlc_env){.name = "staging", .order = 1};
	*MLC_LIST_PUSH(&envs) = (struct mlc_env){.name = "production", .order = 2};
	for (size_t i = 0; i < 4; i++)
		*MLC_LIST_PUSH(&live) = (struct mlc_live){.model = dep[i].model,
							  .environment = dep[i].env,
							  .version = dep[i].version,
							  .hook_status = dep[i].hook};
	for (int i = 0; i < 3; i++)
		*MLC_LIST_PUSH(&reqs) = (struct mlc_request){
		    .model = i < 2 ? "e" : "", .environment = "production", .state = "pending"};
	for (size_t i = 0; i < 4; i++)
		*MLC_LIST_PUSH(&drift) = (struct mlc_drift_feature){
		    .model = feat[i].model, .feature = "x", .status = feat[i].status};

	pulse_build(
	    &out,
	    &(struct pulse_source){
		.models = &models, .envs = &envs, .live = &live, .reqs = &reqs, .drift = &drift});
	assert_int_equal(out.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(out.items[i].model, want[i]);
	/* b: staging 3 (ok), production 2 (failed) */
	assert_int_equal(out.items[0].n_live, 2);
	assert_string_equal(out.items[0].live[0].environment, "staging");
	assert_string_equal(out.items[0].live[0].version, "3");
	assert_int_equal(out.items[0].live[0].hook_failed, 0);
	assert_string_equal(out.items[0].live[1].version, "2");
	assert_int_equal(out.items[0].live[1].hook_failed, 1);
	assert_int_equal(out.items[0].failed_hooks, 1);
	assert_int_equal(out.items[0].drift, -1);
	/* c: one of two features drifts; nothing live in production */
	assert_int_equal(out.items[1].drift, DRIFT_STATUS_DRIFT);
	assert_int_equal(out.items[1].drifting, 1);
	assert_int_equal(out.items[1].features, 2);
	assert_string_equal(out.items[1].live[1].version, "");
	assert_int_equal(out.items[2].drift, DRIFT_STATUS_WARN);
	assert_int_equal(out.items[3].pending, 2);
	assert_int_equal(out.items[4].pending, 0);
	assert_int_equal(out.items[4].drift, DRIFT_STATUS_OK);
	assert_string_equal(out.items[5].newest, "");
	MLC_LIST_FREE(&out);
	MLC_LIST_FREE(&models);
	MLC_LIST_FREE(&envs);
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&reqs);
	MLC_LIST_FREE(&drift);
}

/* A registry without deployments or drift (a file store): every model, no
 * environment columns, nothing pending, no drift. */
static void test_models_only(void **state)
{
	struct mlc_model_list models = {0};
	struct pulse_list out = {0};

	(void)state;
	*MLC_LIST_PUSH(&models) = (struct mlc_model){.name = "m", .latest_version = "7"};
	pulse_build(&out, &(struct pulse_source){.models = &models});
	assert_int_equal(out.n, 1);
	assert_int_equal(out.items[0].n_live, 0);
	assert_int_equal(out.items[0].drift, -1);
	assert_int_equal(out.items[0].pending, 0);
	assert_string_equal(out.items[0].newest, "7");
	MLC_LIST_FREE(&out);
	MLC_LIST_FREE(&models);
}

/* pulse_load on a demo (one open alert) whose drift read fails after the
 * alerts were read: -1, and nothing leaks (LeakSanitizer checks the open
 * alerts list, which the error path used not to free). */
static void test_load_error_frees_alerts(void **state)
{
	struct demo_opts o = {.seed = 42, .now_ms = 1767225600000LL};
	struct mlc_error err = {0};
	struct pulse_list out = {0};
	struct registry *r;
	sqlite3 *db = NULL;

	(void)state;
	assert_int_equal(tu_tmpdir("test-pulse"), 0);
	assert_int_equal(demo_create(tu_path("demo.db"), &o, &err), 0);
	assert_int_equal(sqlite3_open(tu_path("demo.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE drift_points", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	r = registry_open(tu_path("demo.db"), &(struct registry_open_opts){.read_only = 1}, &err);
	assert_non_null(r);
	assert_int_equal(pulse_load(r, &out, NULL, &err), -1);
	MLC_LIST_FREE(&out);
	registry_close(r);
	tu_rmdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_and_order),
	    cmocka_unit_test(test_models_only),
	    cmocka_unit_test(test_load_error_frees_alerts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
