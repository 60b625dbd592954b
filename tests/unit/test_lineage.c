/* test_lineage.c: the datasets runs used (MLflow's run inputs, MLflow 2.17.2's REST API)
 * from every backend — the MLflow 2.17.2 lineage store's mlruns/ and
 * mlflow.db (../shared; skipped with 77 where absent), tests/remote/fixture.py's
 * runs/get and runs/search, the local schema (its migration and the demo) —
 * and through import: each source imported, the datasets read back equal.
 * compare marks a role (context, name) whose digests differ. */
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
#include <curl/curl.h>
#include <sqlite3.h>
#include "compare.h"
#include "demo.h"
#include "fixture_client.h"
#include "import.h"
#include "registry.h"
#include "schema.h"
#include "testutil.h"

#define STORE MLC_SHARED_DIR "/mlruns/generated__mlflow-2.17.2-lineage"

static char url[64];
static pid_t server;

/* Run run_id of r, fetched with get_run, into l (the run is l->items[0]). */
static const struct mlc_run *get_run(struct registry *r, const char *run_id, struct mlc_run_list *l)
{
	struct mlc_error err = {0};

	if (registry_get_run(r, run_id, l, &err) != 0)
		fail_msg("get_run %s: %s", run_id, err.msg);
	assert_true(l->items[0].inputs_read);
	return &l->items[0];
}

/* Assert that in is the dataset name/digest/context with source uri. */
static void assert_input(const struct mlc_dataset_input *in, const char *name, const char *digest,
			 const char *context, const char *uri)
{
	struct mlc_arena a = {0};

	assert_string_equal(in->name, name);
	assert_string_equal(in->digest, digest);
	assert_string_equal(in->context, context);
	assert_string_equal(in->source_type, "s3");
	assert_string_equal(mlc_input_location(&a, in), uri);
	arena_free(&a);
}

/* The run id of version v of model in r, into id[33]. */
static void version_run(struct registry *r, const char *model, const char *v, char id[33])
{
	struct mlc_version_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_list_versions(r, model, &l, &err), 0);
	id[0] = '\0';
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.items[i].version, v) == 0)
			snprintf(id, 33, "%s", l.items[i].run_id);
	MLC_LIST_FREE(&l);
	assert_int_equal(strlen(id), 32);
}

/* Every run of every experiment of src (deleted ones too), each's datasets
 * compared with those of the same run in dst; returns how many datasets. */
static size_t assert_same_datasets(struct registry *src, struct registry *dst)
{
	struct mlc_experiment_list el = {0};
	struct mlc_error err = {0};
	size_t total = 0;

	assert_int_equal(registry_list_experiments(src, 1, &el, &err), 0);
	for (size_t e = 0; e < el.n; e++) {
		struct mlc_run_query q = {.experiment = el.items[e].experiment_id, .all = 1};
		struct mlc_run_list runs = {0};
		assert_int_equal(registry_list_runs(src, &q, &runs, &err), 0);
		for (size_t i = 0; i < runs.n; i++) {
			struct mlc_input_list a = {0}, b = {0};
			const char *id = runs.items[i].run_id;
			if (registry_run_inputs(src, id, &a, &err) != 0 ||
			    registry_run_inputs(dst, id, &b, &err) != 0)
				fail_msg("run_inputs %s: %s", id, err.msg);
			assert_int_equal(a.n, b.n);
			for (size_t k = 0; k < a.n; k++) {
				assert_string_equal(a.items[k].name, b.items[k].name);
				assert_string_equal(a.items[k].digest, b.items[k].digest);
				assert_string_equal(a.items[k].context, b.items[k].context);
				assert_string_equal(a.items[k].source_type, b.items[k].source_type);
				assert_string_equal(a.items[k].source, b.items[k].source);
				assert_string_equal(a.items[k].schema, b.items[k].schema);
				assert_string_equal(a.items[k].profile, b.items[k].profile);
			}
			total += a.n;
			MLC_LIST_FREE(&a);
			MLC_LIST_FREE(&b);
		}
		MLC_LIST_FREE(&runs);
	}
	MLC_LIST_FREE(&el);
	return total;
}

/* Import uri into a new local registry named name; src and dst stay open. */
static void import_fresh(const char *uri, const char *name, struct registry **src,
			 struct registry **dst)
{
	struct import_opts io = {.actor = "tester"};
	struct import_report rep = {0};
	struct mlc_error err = {0};

	unlink(tu_path(name));
	*src = tu_open(uri, 0);
	*dst = tu_open(tu_path(name), 1);
	if (import_registry(*src, *dst, &io, &rep, &err) != 0)
		fail_msg("import %s: %s", uri, err.msg);
	assert_int_equal(rep.n_skipped, 0);
	import_report_free(&rep);
}

/* ---- the MLflow 2.17.2 lineage store (../shared) ---------------------------- */

/* The store's model: v1 trained on fraud-train be4e2756, v2 and v3 retrained
 * on 561126d3; all three evaluated on fraud-eval 212c3206. */
static void check_store_versions(const char *uri)
{
	static const char *const train[] = {"be4e2756", "561126d3", "561126d3"};
	static const char *const train_uri[] = {"s3://data/fraud/train-2026-10-01.parquet",
						"s3://data/fraud/train-2026-11-01.parquet",
						"s3://data/fraud/train-2026-11-01.parquet"};
	struct registry *r = tu_open(uri, 0);

	for (int v = 0; v < 3; v++) {
		struct mlc_run_list l = {0};
		char id[33], num[4];
		const struct mlc_run *run;
		snprintf(num, sizeof num, "%d", v + 1);
		version_run(r, "fraud-lineage-model", num, id);
		run = get_run(r, id, &l);
		assert_int_equal(run->n_inputs, 2);
		assert_input(&run->inputs[0], "fraud-train", train[v], "training", train_uri[v]);
		assert_input(&run->inputs[1], "fraud-eval", "212c3206", "evaluation",
			     "s3://data/fraud/eval-2026-11-01.parquet");
		assert_non_null(strstr(run->inputs[0].profile, "num_rows"));
		assert_non_null(strstr(run->inputs[0].schema, "mlflow_colspec"));
		MLC_LIST_FREE(&l);
	}
	registry_close(r);
}

static void test_file_store_datasets_of_each_version(void **state)
{
	(void)state;
	check_store_versions(STORE "/mlruns");
}

static void test_sql_store_datasets_of_each_version(void **state)
{
	(void)state;
	check_store_versions(STORE "/mlflow.db");
}

/* A nested child run logged no input: it has none, and that is not an error. */
static void test_a_run_without_inputs_has_none(void **state)
{
	struct registry *r = tu_open(STORE "/mlruns", 0);
	struct mlc_run_list l = {0};
	const struct mlc_run *run = get_run(r, "ea8c86a418824abebd284a79dc8c5088", &l);

	(void)state;
	assert_int_equal(run->n_inputs, 0);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

/* Each store imported into a new local registry: every run's datasets read
 * back equal, 18 in all (the store's inputs); importing again keeps them so. */
static void test_each_store_round_trips_through_import(void **state)
{
	static const char *const uris[] = {STORE "/mlruns", STORE "/mlflow.db"};
	struct import_opts io = {.actor = "tester"};
	struct registry *src, *dst;

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct import_report rep = {0};
		struct mlc_error err = {0};
		import_fresh(uris[i], "store.db", &src, &dst);
		assert_int_equal(assert_same_datasets(src, dst), 18);
		assert_int_equal(import_registry(src, dst, &io, &rep, &err), 0);
		import_report_free(&rep);
		assert_int_equal(assert_same_datasets(src, dst), 18);
		registry_close(dst);
		registry_close(src);
	}
}

/* compare: the training data differs between v1 and v3, evaluation does not. */
static void test_compare_marks_changed_training_data(void **state)
{
	struct registry *r = tu_open(STORE "/mlflow.db", 0);
	struct mlc_run_list l[2];
	struct mlc_run runs[2];
	struct mlc_compare c;
	char id[2][33];

	(void)state;
	memset(l, 0, sizeof l);
	version_run(r, "fraud-lineage-model", "1", id[0]);
	version_run(r, "fraud-lineage-model", "3", id[1]);
	runs[0] = *get_run(r, id[0], &l[0]);
	runs[1] = *get_run(r, id[1], &l[1]);
	compare_build(&c, runs, 2, NULL, 0);
	assert_int_equal(c.ndatasets, 2);
	assert_int_equal(c.ndatasets_differ, 1);
	assert_string_equal(c.datasets[0].context, "training");
	assert_string_equal(c.datasets[0].name, "fraud-train");
	assert_true(c.datasets[0].differs);
	assert_string_equal(c.datasets[0].digests[0], "be4e2756");
	assert_string_equal(c.datasets[0].digests[1], "561126d3");
	assert_string_equal(c.datasets[1].context, "evaluation");
	assert_false(c.datasets[1].differs);
	compare_free(&c);
	MLC_LIST_FREE(&l[0]);
	MLC_LIST_FREE(&l[1]);
	registry_close(r);
}

/* diff of v1 and v3: 7 rows differ and come first, in section order; the
 * evaluation dataset is the same. */
static void test_version_diff_puts_differences_first(void **state)
{
	static const char *const first[][2] = {
	    {"param", "depth"},
	    {"param", "lr"},
	    {"metric", "loss"},
	    {"metric", "val_auc"},
	    {"dataset", "fraud-train (training)"},
	    {"source", "git commit"},
	    {"tag", "mlflow.runName"},
	};
	struct registry *r = tu_open(STORE "/mlflow.db", 0);
	struct mlc_version_diff d;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(version_diff_fetch(r, "fraud-lineage-model", "1", "3", &d, &err), 0);
	assert_int_equal(d.ndiffer, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_true(d.rows[i].differs);
		assert_string_equal(d.rows[i].section, first[i][0]);
		assert_string_equal(d.rows[i].key, first[i][1]);
	}
	assert_string_equal(d.rows[4].values[0], "be4e2756");
	assert_string_equal(d.rows[4].values[1], "561126d3");
	assert_false(d.rows[7].differs);
	assert_string_equal(d.rows[7].key, "fraud-eval (evaluation)");
	version_diff_free(&d);
	assert_int_equal(version_diff_fetch(r, "fraud-lineage-model", "1", "9", &d, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	version_diff_free(&d);
	registry_close(r);
}

/* ---- the fixture server's runs/get and runs/search --------------------------- */

static void check_alpha_beta(const struct mlc_run *alpha, const struct mlc_run *beta)
{
	assert_true(alpha->inputs_read);
	assert_int_equal(alpha->n_inputs, 2);
	assert_input(&alpha->inputs[0], "fraud-train", "be4e2756", "training",
		     "s3://data/fraud/train-2026-10-01.parquet");
	assert_input(&alpha->inputs[1], "fraud-eval", "212c3206", "evaluation",
		     "s3://data/fraud/eval-2026-11-01.parquet");
	assert_int_equal(beta->n_inputs, 2);
	assert_string_equal(beta->inputs[0].digest, "561126d3");
}

/* runs/get (get_run, get_runs) and runs/search (list_runs) carry the inputs. */
static void test_rest_runs_carry_their_datasets(void **state)
{
	struct registry *r = tu_open(url, 0);
	struct mlc_run_query q = {.experiment = "1", .all = 1};
	struct mlc_run_list l = {0}, two[2], one = {0};
	struct mlc_error err = {0};
	const struct mlc_run *alpha = NULL, *beta = NULL, *gamma = NULL;
	const char *ids[2];

	(void)state;
	memset(two, 0, sizeof two);
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.items[i].run_name, "alpha") == 0)
			alpha = &l.items[i];
		if (strcmp(l.items[i].run_name, "beta") == 0)
			beta = &l.items[i];
		if (strcmp(l.items[i].run_name, "gamma") == 0)
			gamma = &l.items[i];
	}
	assert_non_null(alpha);
	assert_non_null(beta);
	check_alpha_beta(alpha, beta);
	ids[0] = alpha->run_id, ids[1] = beta->run_id;
	assert_int_equal(registry_get_runs(r, ids, 2, two, &err), 0);
	check_alpha_beta(&two[0].items[0], &two[1].items[0]);
	check_alpha_beta(get_run(r, alpha->run_id, &one), &two[1].items[0]);
	/* a run without inputs ({} from MLflow) has none */
	assert_non_null(gamma);
	assert_true(gamma->inputs_read);
	assert_int_equal(gamma->n_inputs, 0);
	MLC_LIST_FREE(&one);
	MLC_LIST_FREE(&two[0]);
	MLC_LIST_FREE(&two[1]);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

/* The server imported: the datasets of every run read back equal. */
static void test_the_server_round_trips_through_import(void **state)
{
	struct registry *src, *dst;
	struct mlc_run_list l = {0};
	const struct mlc_run *alpha;

	(void)state;
	import_fresh(url, "server.db", &src, &dst);
	assert_int_equal(assert_same_datasets(src, dst), 4);
	alpha = get_run(dst, "0af9da4a2b23873a5161ea86d8613db6", &l); /* md5("1/alpha") */
	assert_string_equal(alpha->run_name, "alpha");
	assert_int_equal(alpha->n_inputs, 2);
	assert_input(&alpha->inputs[0], "fraud-train", "be4e2756", "training",
		     "s3://data/fraud/train-2026-10-01.parquet");
	MLC_LIST_FREE(&l);
	registry_close(dst);
	registry_close(src);
}

/* ---- the local schema and the demo ------------------------------------------ */

static int has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int found;

	sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1,
			   &st, NULL);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* A registry of schema 5 gets run_inputs; one without runs does not. */
static void test_the_migration_adds_run_inputs_where_runs_are(void **state)
{
	struct registry *r;
	struct mlc_error err = {0};
	sqlite3 *db;

	(void)state;
	unlink(tu_path("v5.db"));
	registry_close(tu_open(tu_path("v5.db"), 1));
	tu_exec_at(tu_path("v5.db"), "DROP TABLE run_inputs; PRAGMA user_version = 5");
	r = tu_open(tu_path("v5.db"), 1);
	registry_close(r);
	assert_int_equal(sqlite3_open(tu_path("v5.db"), &db), SQLITE_OK);
	assert_true(has_table(db, "run_inputs"));
	assert_int_equal(tu_user_version(db), MLC_SCHEMA_VERSION);
	sqlite3_close(db);

	unlink(tu_path("partial.db"));
	assert_int_equal(sqlite3_open(tu_path("partial.db"), &db), SQLITE_OK);
	tu_exec(db, "CREATE TABLE audit_log (id INTEGER PRIMARY KEY); PRAGMA user_version = 5");
	assert_int_equal(schema_migrate(db, "partial.db", &err), 0);
	assert_false(has_table(db, "run_inputs"));
	assert_int_equal(tu_user_version(db), MLC_SCHEMA_VERSION);
	sqlite3_close(db);
}

/* The demo: every run used a training and an evaluation dataset, and some
 * model has versions retrained on changed training data. */
static void test_the_demo_makes_datasets_and_retrains_on_new_data(void **state)
{
	struct demo_opts o = {.seed = 7, .now_ms = 1796000000000LL};
	struct mlc_model_list ml = {0};
	struct mlc_error err = {0};
	struct registry *r;
	int changed = 0;

	(void)state;
	unlink(tu_path("demo.db"));
	assert_int_equal(demo_create(tu_path("demo.db"), &o, &err), 0);
	r = tu_open(tu_path("demo.db"), 0);
	assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
	assert_true(ml.n > 0);
	for (size_t m = 0; m < ml.n; m++) {
		struct mlc_version_list vl = {0};
		const char *first = NULL;
		struct mlc_run_list keep = {0};
		assert_int_equal(registry_list_versions(r, ml.items[m].name, &vl, &err), 0);
		for (size_t v = 0; v < vl.n; v++) {
			struct mlc_run_list l = {0};
			const struct mlc_run *run = get_run(r, vl.items[v].run_id, &l);
			assert_int_equal(run->n_inputs, 2);
			assert_string_equal(run->inputs[0].context, "training");
			assert_string_equal(run->inputs[1].context, "evaluation");
			assert_int_equal(strlen(run->inputs[0].digest), 8);
			if (first == NULL) {
				mlc_run_copy(&keep.arena, MLC_LIST_PUSH(&keep), run);
				first = keep.items[0].inputs[0].digest;
			} else if (strcmp(first, run->inputs[0].digest) != 0) {
				changed = 1;
			}
			MLC_LIST_FREE(&l);
		}
		MLC_LIST_FREE(&keep);
		MLC_LIST_FREE(&vl);
	}
	assert_true(changed);
	MLC_LIST_FREE(&ml);
	registry_close(r);
}

int main(void)
{
	const struct CMUnitTest local[] = {
	    cmocka_unit_test(test_the_migration_adds_run_inputs_where_runs_are),
	    cmocka_unit_test(test_the_demo_makes_datasets_and_retrains_on_new_data),
	};
	const struct CMUnitTest remote[] = {
	    cmocka_unit_test(test_rest_runs_carry_their_datasets),
	    cmocka_unit_test(test_the_server_round_trips_through_import),
	};
	const struct CMUnitTest store[] = {
	    cmocka_unit_test(test_file_store_datasets_of_each_version),
	    cmocka_unit_test(test_sql_store_datasets_of_each_version),
	    cmocka_unit_test(test_a_run_without_inputs_has_none),
	    cmocka_unit_test(test_each_store_round_trips_through_import),
	    cmocka_unit_test(test_compare_marks_changed_training_data),
	    cmocka_unit_test(test_version_diff_puts_differences_first),
	};
	const char *args[] = {"--runs", "5", NULL};
	struct stat st;
	int port, failed, skipped = 0;

	if (tu_tmpdir("lineage") != 0)
		return 1;
	setenv("HOME", tu_dir(), 1);
	unsetenv("XDG_STATE_HOME");
	unsetenv("MLFLOW_TRACKING_USERNAME");
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	unsetenv("MLFLOW_TRACKING_TOKEN");
	failed = cmocka_run_group_tests_name("local schema", local, NULL, NULL);
	if (system("python3 -c '' >/dev/null 2>&1") != 0) {
		printf("SKIP: python3 is needed to run the fixture server\n");
		skipped = 1;
	} else if (fixture_spawn(tu_dir(), args, &server, &port) < 0) {
		printf("FAIL: cannot start tests/remote/fixture.py\n");
		failed = 1;
	} else {
		snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
		curl_global_init(CURL_GLOBAL_DEFAULT);
		failed |= cmocka_run_group_tests_name("fixture server", remote, NULL, NULL);
		fixture_stop(server);
		curl_global_cleanup();
	}
	if (stat(STORE, &st) != 0) {
		printf("SKIP: %s is absent: the lineage store tests need ../shared\n", STORE);
		skipped = 1;
	} else {
		failed |=
		    cmocka_run_group_tests_name("MLflow 2.17.2 lineage store", store, NULL, NULL);
	}
	if (tu_rmdir() < 0)
		fprintf(stderr, "cannot remove %s\n", tu_dir());
	return failed ? 1 : skipped ? 77 : 0;
}
