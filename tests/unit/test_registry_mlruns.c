/* test_registry_mlruns.c: the MLflow file-store backend — the real stores in
 * ../shared/mlruns checked against their files, then crafted stores for every
 * layout quirk of the store format and for damaged inputs (skipped, with warnings). */
#include "config.h"
#include <errno.h>
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
#include "import.h"
#include "registry.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------- */

/* Append content to the file rel. */
static void append(const char *rel, const char *content)
{
	FILE *f = fopen(tu_path(rel), "a");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

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

/* The shared store folder name (under MLC_SHARED_DIR/mlruns), or skip. */
static struct registry *open_shared(const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof path, "%s/mlruns/%s", MLC_SHARED_DIR, name);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "SKIP: %s is absent\n", path);
		skip();
	}
	return open_ok(path);
}

/* The path of a file of a shared store. */
static const char *shared_file(const char *rel)
{
	static char buf[1024];
	snprintf(buf, sizeof buf, "%s/mlruns/%s", MLC_SHARED_DIR, rel);
	return buf;
}

/* The whole of a file, malloc'd. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The reference an experiment is listed under (.trash/ID for deleted ones). */
static const char *exp_ref(const struct mlc_experiment *e, char *buf, size_t len)
{
	if (strcmp(e->lifecycle_stage, "deleted") == 0)
		snprintf(buf, len, ".trash/%s", e->experiment_id);
	else
		snprintf(buf, len, "%s", e->experiment_id);
	return buf;
}

struct totals {
	int64_t experiments, deleted_experiments, runs, deleted_runs, metric_files, points, params,
	    tags;
};

/* Count everything a store holds through the backend. */
static struct totals count_all(struct registry *r)
{
	struct mlc_experiment_list el = {0};
	struct mlc_error err = {0};
	struct totals t = {0};
	char ref[64];

	assert_int_equal(registry_list_experiments(r, 1, &el, &err), 0);
	for (size_t i = 0; i < el.n; i++) {
		struct mlc_run_query q = {.experiment = exp_ref(&el.items[i], ref, sizeof ref),
					  .all = 1};
		struct mlc_run_list rl = {0};
		t.experiments++;
		t.deleted_experiments += strcmp(el.items[i].lifecycle_stage, "deleted") == 0;
		assert_int_equal(registry_list_runs(r, &q, &rl, &err), 0);
		for (size_t k = 0; k < rl.n; k++) {
			const struct mlc_run *run = &rl.items[k];
			t.runs++;
			t.deleted_runs += strcmp(run->lifecycle_stage, "deleted") == 0;
			t.params += (int64_t)run->n_params;
			t.tags += (int64_t)run->n_tags;
			for (size_t m = 0; m < run->n_metrics; m++) {
				struct mlc_metric_list h = {0};
				assert_int_equal(registry_metric_history(
						     r, run->run_id, run->metrics[m].key, &h, &err),
						 0);
				t.metric_files++;
				t.points += (int64_t)h.n;
				MLC_LIST_FREE(&h);
			}
		}
		MLC_LIST_FREE(&rl);
	}
	MLC_LIST_FREE(&el);
	return t;
}

/* The latest point of a metric file by MLflow's rule, computed here
 * independently of the backend. */
static struct mlc_metric latest_in_file(const char *path)
{
	struct mlc_metric best = {0}, pt = {0};
	long long ts, step;
	double v;
	int have = 0;
	char line[256];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		int n = sscanf(line, "%lld %lf %lld", &ts, &v, &step);
		if (n < 2)
			continue;
		pt.timestamp = ts;
		pt.value = v;
		pt.step = n == 3 ? step : 0;
		if (!have || pt.step > best.step ||
		    (pt.step == best.step &&
		     (pt.timestamp > best.timestamp ||
		      (pt.timestamp == best.timestamp && pt.value > best.value))))
			best = pt;
		have = 1;
	}
	fclose(f);
	return best;
}

/* The run with id in l, or fail. */
static const struct mlc_run *run_in(const struct mlc_run_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].run_id, id) == 0)
			return &l->items[i];
	fail_msg("run %s not listed", id);
	return NULL;
}

/* One run by id, or fail. */
static void get_run(struct registry *r, const char *id, struct mlc_run_list *l)
{
	struct mlc_error err = {0};
	if (registry_get_run(r, id, l, &err) != 0)
		fail_msg("get_run %s: %s", id, err.msg);
	assert_int_equal(l->n, 1);
}

/* 1 if one of r's warnings is about a path ending in suffix and says what. */
static int warned(struct registry *r, const char *suffix, const char *what)
{
	const struct mlc_warning *w;
	size_t n;

	assert_int_equal(registry_mlruns_warnings(r, &w, &n), 0);
	for (size_t i = 0; i < n; i++) {
		size_t lp = strlen(w[i].path), ls = strlen(suffix);
		if (lp >= ls && strcmp(w[i].path + lp - ls, suffix) == 0 &&
		    strstr(w[i].reason, what) != NULL)
			return 1;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  warning: %s: %s\n", w[i].path, w[i].reason);
	return 0;
}

/* ---- the real stores ----------------------------------------------------- */

static void test_palaciosleo_counts_match_the_files(void **state)
{
	struct registry *r = open_shared("palaciosleo__diplodatos-deeplearning");
	struct totals t = count_all(r);

	(void)state;
	assert_int_equal(t.experiments, 13);
	assert_int_equal(t.deleted_experiments, 9);
	assert_int_equal(t.runs, 67);
	assert_int_equal(t.deleted_runs, 16);
	assert_int_equal(t.metric_files, 157);
	assert_int_equal(t.points, 508);
	assert_int_equal(t.params, 490);
	assert_int_equal(t.tags, 278);
	registry_close(r);
}

static void test_trashed_experiments_are_deleted_though_their_meta_says_active(void **state)
{
	struct registry *r = open_shared("palaciosleo__diplodatos-deeplearning");
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};
	char *meta =
	    slurp(shared_file("palaciosleo__diplodatos-deeplearning/mlruns/.trash/4/meta.yaml"));

	(void)state;
	assert_non_null(strstr(meta, "lifecycle_stage: active"));
	assert_int_equal(registry_get_experiment(r, "diplodatos.spanish.New Layer 512", &l, &err),
			 0);
	assert_string_equal(l.items[0].experiment_id, "4");
	assert_string_equal(l.items[0].lifecycle_stage, "deleted");
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_experiments(r, 0, &l, &err), 0);
	assert_int_equal(l.n, 4);
	MLC_LIST_FREE(&l);
	free(meta);
	registry_close(r);
}

static void test_an_id_both_active_and_trashed_means_the_active_one(void **state)
{
	struct registry *r = open_shared("palaciosleo__diplodatos-deeplearning");
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_get_experiment(r, "1", &l, &err), 0);
	assert_string_equal(l.items[0].name, "diplodatos.spanish.MLP");
	assert_string_equal(l.items[0].lifecycle_stage, "active");
	assert_int_equal(registry_get_experiment(r, ".trash/1", &l, &err), 0);
	assert_string_equal(l.items[1].name, "a_naive_experiment");
	assert_int_equal(registry_get_experiment(r, "diplodatos.spanish.MLP", &l, &err), 0);
	assert_string_equal(l.items[2].experiment_id, "1"); /* the active one of the two */
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_multi_line_param_is_kept_byte_for_byte(void **state)
{
	struct registry *r = open_shared("palaciosleo__diplodatos-deeplearning");
	struct mlc_run_list l = {0};
	char *want = slurp(shared_file("palaciosleo__diplodatos-deeplearning/mlruns/9/"
				       "b72a324140054264ac4f621f9908988c/params/model"));
	const char *got;

	(void)state;
	get_run(r, "b72a324140054264ac4f621f9908988c", &l);
	got = mlc_kv_get(l.items[0].params, l.items[0].n_params, "model");
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_non_null(strchr(got, '\n'));
	assert_memory_equal(got, "CNNClassifier(\r\n  (embeddings)", 30); /* CRLF kept */
	free(want);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_a_folder_holding_mlruns_opens_that_store(void **state)
{
	struct registry *r = open_shared("palaciosleo__diplodatos-deeplearning");

	(void)state;
	assert_string_equal(r->ops->kind, "mlruns");
	assert_int_equal(r->read_only, 1);
	assert_int_equal(r->caps & REG_CAP_WRITE, 0);
	assert_non_null(strstr(r->display, "palaciosleo__diplodatos-deeplearning/mlruns"));
	registry_close(r);
}

static void test_finnk11_counts_match_the_files(void **state)
{
	struct registry *r = open_shared("Finnk11__bilevel-rl");
	struct totals t = count_all(r);

	(void)state;
	assert_int_equal(t.experiments, 2);
	assert_int_equal(t.runs, 5);
	assert_int_equal(t.metric_files, 48);
	assert_int_equal(t.points, 1035);
	assert_int_equal(t.params, 130);
	registry_close(r);
}

static void test_nested_keys_with_spaces_and_duplicate_steps_follow_the_latest_rule(void **state)
{
	static const char *const keys[] = {"rollout/exploration rate", "time/total timesteps",
					   "train/loss", "rollout/ep_rew_mean"};
	struct registry *r = open_shared("Finnk11__bilevel-rl");
	struct mlc_run_list l = {0};
	char path[512];

	(void)state;
	get_run(r, "f60ab17eafd546f28a8135f8ac5b21e7", &l);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct mlc_metric *got = mlc_run_metric(&l.items[0], keys[i]);
		snprintf(path, sizeof path,
			 "Finnk11__bilevel-rl/mlruns/1/f60ab17eafd546f28a8135f8ac5b21e7/metrics/%s",
			 keys[i]);
		struct mlc_metric want = latest_in_file(shared_file(path));
		assert_non_null(got);
		assert_int_equal(got->step, want.step);
		assert_int_equal(got->timestamp, want.timestamp);
		assert_true(got->value == want.value);
	}
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_history_keeps_both_points_of_a_duplicate_step(void **state)
{
	struct registry *r = open_shared("Finnk11__bilevel-rl");
	struct mlc_metric_list h = {0};
	struct mlc_error err = {0};
	int at3600 = 0;

	(void)state;
	assert_int_equal(
	    registry_metric_history(r, "f60ab17e", "rollout/exploration rate", &h, &err), 0);
	for (size_t i = 0; i < h.n; i++) {
		at3600 += h.items[i].step == 3600;
		if (i > 0)
			assert_true(h.items[i - 1].step <= h.items[i].step);
	}
	assert_int_equal(at3600, 2);
	MLC_LIST_FREE(&h);
	registry_close(r);
}

static void test_silver6wings_registry_has_stages_and_two_production_versions(void **state)
{
	struct registry *r = open_shared("silver6wings__MLFlowSample");
	struct mlc_model_list ml = {0};
	struct mlc_version_list vl = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
	assert_int_equal(ml.n, 4);
	assert_string_equal(ml.items[0].name, "ElasticnetWineModel");
	assert_string_equal(ml.items[0].description, "- add xxx funtion");
	assert_int_equal(ml.items[0].n_aliases, 0);
	assert_int_equal(registry_list_versions(r, "sk-learn-random-forest-reg-model", &vl, &err),
			 0);
	assert_int_equal(vl.n, 4);
	assert_string_equal(vl.items[0].version, "4");
	assert_string_equal(vl.items[0].stage, "Production");
	assert_string_equal(vl.items[1].stage, "Production");
	assert_string_equal(vl.items[3].stage, "None");
	MLC_LIST_FREE(&vl);
	assert_int_equal(registry_list_versions(r, "test_r_m", &vl, &err), 0);
	assert_string_equal(vl.items[0].stage, "Archived");
	MLC_LIST_FREE(&vl);
	MLC_LIST_FREE(&ml);
	registry_close(r);
}

static void test_one_run_registered_under_two_models(void **state)
{
	struct registry *r = open_shared("silver6wings__MLFlowSample");
	struct mlc_version_list vl = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_versions_for_run(r, "7e32eb20", &vl, &err), 0);
	assert_int_equal(vl.n, 2);
	assert_string_not_equal(vl.items[0].model, vl.items[1].model);
	MLC_LIST_FREE(&vl);
	registry_close(r);
}

static void test_silver6wings_runs_running_and_failed(void **state)
{
	struct registry *r = open_shared("silver6wings__MLFlowSample");
	struct mlc_run_query q = {.experiment = "0"};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	int running = 0, failed = 0;

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 38);
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.items[i].status, "RUNNING") == 0) {
			running++;
			assert_int_equal(l.items[i].end_time, 0);
		}
		failed += strcmp(l.items[i].status, "FAILED") == 0;
		if (i > 0)
			assert_true(l.items[i - 1].start_time >= l.items[i].start_time);
	}
	assert_int_equal(running, 1);
	assert_int_equal(failed, 8);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_the_second_silver6wings_store_has_a_null_description(void **state)
{
	struct registry *r = open_shared("silver6wings__MLFlowSample/src/mlruns");
	struct mlc_model_list ml = {0};
	struct mlc_error err = {0};
	struct totals t = count_all(r);

	(void)state;
	assert_int_equal(t.runs, 3);
	assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
	assert_int_equal(ml.n, 1);
	assert_string_equal(ml.items[0].description, "");
	assert_int_equal(ml.items[0].n_versions, 1);
	MLC_LIST_FREE(&ml);
	registry_close(r);
}

static void test_the_real_stores_read_without_warnings(void **state)
{
	static const char *const stores[] = {"palaciosleo__diplodatos-deeplearning",
					     "Finnk11__bilevel-rl", "silver6wings__MLFlowSample"};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct registry *r = open_shared(stores[i]);
		struct mlc_model_list ml = {0};
		struct mlc_error err = {0};
		const struct mlc_warning *w;
		size_t n;
		count_all(r);
		assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
		MLC_LIST_FREE(&ml);
		assert_int_equal(registry_mlruns_warnings(r, &w, &n), 0);
		if (n)
			fprintf(stderr, "%s: %s\n", w[0].path, w[0].reason);
		assert_int_equal(n, 0);
		registry_close(r);
	}
}

/* ---- a crafted store with every quirk ------------------------------------- */

#define RUN1 "aaaaaaaa000000000000000000000001"
#define RUN2 "aaaaaaaa000000000000000000000002"
#define RUN3 "aaaaaaab000000000000000000000003"
#define RUN4 "bbbbbbbb000000000000000000000004"
#define RUN5 "cccccccc000000000000000000000005"
#define EXP18 "222440962282538811"

/* A 1.x run meta.yaml. */
static void put_old_run(const char *exp, const char *id, int status, const char *stage,
			const char *end_time)
{
	char rel[256], body[1024];
	const char *exp_id = strrchr(exp, '/') ? strrchr(exp, '/') + 1 : exp;

	snprintf(rel, sizeof rel, "q/mlruns/%s/%s/meta.yaml", exp, id);
	snprintf(body, sizeof body,
		 "artifact_uri: file:///home/leo/mlruns/%s/%s/artifacts\nend_time: %s\n"
		 "entry_point_name: ''\nexperiment_id: '%s'\nlifecycle_stage: %s\nname: ''\n"
		 "run_id: %s\nrun_uuid: %s\nsource_name: ''\nsource_type: 4\nsource_version: ''\n"
		 "start_time: 1616249075%03d\nstatus: %d\ntags: []\nuser_id: leo\n",
		 exp, id, end_time, exp_id, stage, id, id, status, status);
	tu_put(rel, body);
}

/* The quirk store under q/mlruns. */
static void make_quirk_store(void)
{
	tu_put("q/mlruns/0/meta.yaml", "artifact_location: file:./mlruns/0\nexperiment_id: '0'\n"
				       "lifecycle_stage: active\nname: Default\n");
	tu_put("q/mlruns/0/tags/owner", "ml team");
	tu_put("q/mlruns/0/datasets/abc/meta.yaml", "name: d\n");
	tu_put("q/mlruns/0/traces/x", "");
	tu_put("q/mlruns/0/models/m-0123/meta.yaml", "model_id: m-0123\n");
	tu_put("q/mlruns/0/notes.txt", "stray file\n");
	/* 1.x: name '' and the run name in a tag; duplicate steps; 2-field lines. */
	put_old_run("0", RUN1, 3, "active", "1616250390633");
	tu_put("q/mlruns/0/" RUN1 "/tags/mlflow.runName", "old-name");
	tu_put("q/mlruns/0/" RUN1 "/tags/team", "risk");
	tu_put("q/mlruns/0/" RUN1 "/params/lr", "0.01");
	tu_put("q/mlruns/0/" RUN1 "/params/empty", "");
	tu_put("q/mlruns/0/" RUN1 "/params/model", "Net(\n  (fc): Linear()\n)");
	tu_put("q/mlruns/0/" RUN1 "/params/opt/beta one", "0.9");
	tu_put("q/mlruns/0/" RUN1 "/metrics/acc", "100 0.5 0\n200 0.7 1\n300 0.9 1\n250 0.95 1\n");
	tu_put("q/mlruns/0/" RUN1 "/metrics/loss", "100 1.5\n90 2.5\n");
	tu_put("q/mlruns/0/" RUN1 "/metrics/same", "1668337770245 0 0\n1668337775654 0 0\n");
	tu_put("q/mlruns/0/" RUN1 "/metrics/dup", "1753616860571 1.0 0\n1753616860571 1.0 0\n");
	tu_put("q/mlruns/0/" RUN1 "/metrics/weird", "5 nan 0\n6 inf 1\n7 -inf 2\n8 1e-05 2\r\n");
	/* RUNNING, never finished, nothing logged: no metrics/ params/ tags/. */
	put_old_run("0", RUN2, 1, "active", "null");
	/* soft-deleted, FAILED, 5-field (dataset) lines */
	put_old_run("0", RUN3, 4, "deleted", "1616250390633");
	tu_put("q/mlruns/0/" RUN3 "/metrics/acc", "100 0.1 3 train 1a2b3c\n");
	/* 3.x: 18-digit experiment id, no run_uuid, run_name, Windows URIs */
	tu_put("q/mlruns/" EXP18 "/meta.yaml",
	       "artifact_location: file:///C:/Users/Dhivya%20Shankar/Desktop/mlruns/" EXP18 "\n"
	       "creation_time: 1753616848730\nexperiment_id: '" EXP18 "'\n"
	       "last_update_time: 1753616848730\nlifecycle_stage: active\nname: iris "
	       "classification\n");
	tu_put("q/mlruns/" EXP18 "/" RUN4 "/meta.yaml",
	       "artifact_uri: file:///C:/Users/Dhivya%20Shankar/Desktop/mlruns/" EXP18 "/" RUN4
	       "/artifacts\nend_time: 1753616865130\nentry_point_name: ''\nexperiment_id: '" EXP18
	       "'\nlifecycle_stage: active\nrun_id: " RUN4 "\nrun_name: luminous-hen-24\n"
	       "source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1753616860306\n"
	       "status: 5\ntags: []\nuser_id: Dhivya Shankar\n");
	tu_put("q/mlruns/" EXP18 "/" RUN4 "/metrics/time/total timesteps",
	       "1753616860571 720 720 " RUN4 "\n1753616860572 1440 1440 " RUN4 "\n");
	tu_put("q/mlruns/" EXP18 "/" RUN4 "/tags/mlflow.source.name", ".\\src\\train.py");
	tu_put("q/mlruns/" EXP18 "/" RUN4 "/outputs/m-99/meta.yaml", "step: 0\n");
	tu_put("q/mlruns/" EXP18 "/models/m-917c/meta.yaml", "model_id: m-917c\n");
	/* deleted by moving to .trash; its meta still says active (before 2.3) */
	tu_put("q/mlruns/.trash/5/meta.yaml", "artifact_location: mlflow-artifacts:/5\n"
					      "creation_time: null\nexperiment_id: '5'\n"
					      "lifecycle_stage: active\nname: gone\ntags: {}\n");
	tu_put("q/mlruns/.trash/5/.ipynb_checkpoints/meta-checkpoint.yaml", "name: x\n");
	put_old_run(".trash/5", RUN5, 2, "active", "null");
	tu_put("q/mlruns/README.md", "not an experiment\n");
	/* the model registry */
	tu_put("q/mlruns/models/map-model/meta.yaml",
	       "aliases:\n  champion: 1\ncreation_timestamp: 10\ndescription: '- leading dash'\n"
	       "last_updated_timestamp: 20\nname: map-model\n");
	tu_put("q/mlruns/models/map-model/version-1/meta.yaml",
	       "aliases: []\ncreation_timestamp: 11\ncurrent_stage: None\ndescription: ''\n"
	       "last_updated_timestamp: 12\nname: map-model\nrun_id: " RUN1 "\nrun_link: ''\n"
	       "source: mlflow-artifacts:/0/" RUN1 "/artifacts/model\nstatus: READY\n"
	       "status_message: null\nuser_id: null\nversion: 1\n");
	tu_put(
	    "q/mlruns/models/map-model/version-2/meta.yaml",
	    "aliases:\n- prod\ncreation_timestamp: 13\ncurrent_stage: Staging\ndescription: null\n"
	    "last_updated_timestamp: 14\nname: map-model\nrun_id: null\nsource: models:/m-1\n"
	    "status: READY\nversion: 2\n");
	tu_put("q/mlruns/models/map-model/version-3/meta.yaml",
	       "current_stage: Deleted_Internal\nname: map-model\nversion: 3\n");
	tu_put("q/mlruns/models/folder-model/meta.yaml",
	       "aliases: {old: 1}\ncreation_timestamp: 10\ndescription: null\n"
	       "last_updated_timestamp: 30\nname: folder-model\n");
	tu_put(
	    "q/mlruns/models/folder-model/version-1/meta.yaml",
	    "aliases: [old]\ncreation_timestamp: 11\ncurrent_stage: Archived\nname: folder-model\n"
	    "run_id: " RUN4 "\nsource: s\nversion: 1\n");
	tu_put(
	    "q/mlruns/models/folder-model/version-2/meta.yaml",
	    "aliases: []\ncreation_timestamp: 12\ncurrent_stage: Production\nname: folder-model\n"
	    "run_id: ''\nsource: s\nversion: 2\n");
	tu_put("q/mlruns/models/folder-model/aliases/live", "2");
	tu_put("q/mlruns/models/folder-model/tags/team", "risk");
	tu_put("q/mlruns/models/folder-model/version-1/tags/validated", "yes");
}

static struct registry *open_quirks(void)
{
	return open_ok(tu_path("q/mlruns"));
}

static void test_experiments_of_every_version_are_listed_by_name(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_experiments(r, 1, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].name, "Default");
	assert_int_equal(l.items[0].run_count, 3);
	assert_string_equal(l.items[0].tags[0].key, "owner");
	assert_string_equal(l.items[0].tags[0].value, "ml team");
	assert_string_equal(l.items[1].name, "gone");
	assert_string_equal(l.items[1].lifecycle_stage, "deleted");
	assert_int_equal(l.items[1].creation_time, 0);
	assert_string_equal(l.items[2].experiment_id, EXP18);
	assert_string_equal(l.items[2].artifact_location,
			    "file:///C:/Users/Dhivya%20Shankar/Desktop/mlruns/" EXP18);
	assert_int_equal(l.items[2].creation_time, 1753616848730LL);
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_experiments(r, 0, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].run_count, 2); /* the deleted run is not counted */
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_reserved_folders_and_stray_entries_are_not_runs(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_query q = {.experiment = "0", .all = 1};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	const struct mlc_warning *w;
	size_t n;

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 3);
	MLC_LIST_FREE(&l);
	q.experiment = EXP18;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 1);
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_mlruns_warnings(r, &w, &n), 0);
	assert_int_equal(n, 0);
	registry_close(r);
}

static void test_old_run_takes_its_name_from_the_run_name_tag(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};

	(void)state;
	get_run(r, RUN1, &l);
	assert_string_equal(l.items[0].run_name, "old-name");
	assert_string_equal(l.items[0].experiment_id, "0");
	assert_string_equal(l.items[0].user_id, "leo");
	assert_string_equal(l.items[0].status, "FINISHED");
	assert_int_equal(l.items[0].end_time, 1616250390633LL);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_mlflow3_run_without_run_uuid_and_with_4_field_lines(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};
	const struct mlc_metric *m;

	(void)state;
	get_run(r, RUN4, &l);
	assert_string_equal(l.items[0].run_name, "luminous-hen-24");
	assert_string_equal(l.items[0].experiment_id, EXP18);
	assert_string_equal(l.items[0].status, "KILLED");
	assert_string_equal(l.items[0].user_id, "Dhivya Shankar");
	assert_string_equal(l.items[0].artifact_uri,
			    "file:///C:/Users/Dhivya%20Shankar/Desktop/mlruns/" EXP18 "/" RUN4
			    "/artifacts");
	assert_string_equal(mlc_kv_get(l.items[0].tags, l.items[0].n_tags, "mlflow.source.name"),
			    ".\\src\\train.py");
	m = mlc_run_metric(&l.items[0], "time/total timesteps");
	assert_non_null(m);
	assert_int_equal(m->step, 1440);
	assert_true(m->value == 1440);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_status_numbers_become_names(void **state)
{
	static const char *const want[][2] = {{RUN1, "FINISHED"},
					      {RUN2, "RUNNING"},
					      {RUN3, "FAILED"},
					      {RUN4, "KILLED"},
					      {RUN5, "SCHEDULED"}};
	struct registry *r = open_quirks();

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		struct mlc_run_list l = {0};
		get_run(r, want[i][0], &l);
		assert_string_equal(l.items[0].status, want[i][1]);
		MLC_LIST_FREE(&l);
	}
	registry_close(r);
}

static void test_running_run_without_value_folders_has_no_values(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};

	(void)state;
	get_run(r, RUN2, &l);
	assert_int_equal(l.items[0].end_time, 0);
	assert_int_equal(l.items[0].n_metrics, 0);
	assert_int_equal(l.items[0].n_params, 0);
	assert_int_equal(l.items[0].n_tags, 0);
	assert_string_equal(l.items[0].run_name, "");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_params_are_raw_multi_line_empty_and_nested(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};
	const struct mlc_run *run;

	(void)state;
	get_run(r, RUN1, &l);
	run = &l.items[0];
	assert_int_equal(run->n_params, 4);
	assert_string_equal(run->params[0].key, "empty");
	assert_string_equal(run->params[0].value, "");
	assert_string_equal(mlc_kv_get(run->params, run->n_params, "model"),
			    "Net(\n  (fc): Linear()\n)");
	assert_string_equal(mlc_kv_get(run->params, run->n_params, "opt/beta one"), "0.9");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_latest_is_max_by_step_then_timestamp_then_value(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};
	const struct mlc_metric *m;

	(void)state;
	get_run(r, RUN1, &l);
	m = mlc_run_metric(&l.items[0], "acc"); /* step 1 thrice: timestamp 300 wins */
	assert_int_equal(m->step, 1);
	assert_int_equal(m->timestamp, 300);
	assert_true(m->value == 0.9);
	m = mlc_run_metric(&l.items[0], "loss"); /* 2-field lines: step 0, latest timestamp */
	assert_int_equal(m->step, 0);
	assert_int_equal(m->timestamp, 100);
	assert_true(m->value == 1.5);
	m = mlc_run_metric(&l.items[0], "same");
	assert_int_equal(m->timestamp, 1668337775654LL);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_nan_and_infinity_are_read_and_nan_counts_lowest(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};
	struct mlc_metric_list h = {0};
	struct mlc_error err = {0};
	const struct mlc_metric *m;

	(void)state;
	get_run(r, RUN1, &l);
	m = mlc_run_metric(&l.items[0], "weird"); /* step 2: -inf vs 1e-05 by timestamp */
	assert_int_equal(m->step, 2);
	assert_true(m->value == 1e-05);
	assert_int_equal(registry_metric_history(r, RUN1, "weird", &h, &err), 0);
	assert_int_equal(h.n, 4);
	assert_true(isnan(h.items[0].value));
	assert_true(isinf(h.items[1].value) && h.items[1].value > 0);
	assert_true(isinf(h.items[2].value) && h.items[2].value < 0);
	MLC_LIST_FREE(&h);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_five_field_lines_keep_the_logged_step(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};
	const struct mlc_metric *m;

	(void)state;
	get_run(r, RUN3, &l);
	assert_string_equal(l.items[0].lifecycle_stage, "deleted");
	m = mlc_run_metric(&l.items[0], "acc");
	assert_int_equal(m->step, 3);
	assert_true(m->value == 0.1);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_identical_duplicate_lines_are_both_in_the_history(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_metric_list h = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_metric_history(r, RUN1, "dup", &h, &err), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.items[1].key, "dup");
	MLC_LIST_FREE(&h);
	registry_close(r);
}

static void test_deleted_runs_are_hidden_unless_all(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_query q = {.experiment = "Default"};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].run_id, RUN1); /* newest first */
	assert_string_equal(l.items[1].run_id, RUN2);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_runs_filter_by_metric_param_tag_and_attribute(void **state)
{
	static const struct {
		const char *filter;
		size_t n;
	} cases[] = {
	    {"metrics.acc > 0.5", 1},
	    {"metrics.acc < 0.5", 1},
	    {"params.lr = '0.01'", 1},
	    {"params.lr != '0.01'", 0},
	    {"tags.team = 'risk' and metrics.acc >= 0.9", 1},
	    {"attributes.status = 'RUNNING'", 1},
	    {"run_name LIKE 'old%'", 1},
	    {"run_name ILIKE 'OLD-%'", 1},
	    {"attributes.run_id IN ('" RUN2 "', '" RUN3 "')", 2},
	    {"end_time > 0", 2},
	    {"start_time >= 1616249075003", 2},
	};
	struct registry *r = open_quirks();

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mlc_run_query q = {.experiment = "0", .filter = cases[i].filter, .all = 1};
		struct mlc_run_list l = {0};
		struct mlc_error err = {0};
		assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
		if (l.n != cases[i].n)
			fail_msg("%s: %zu runs, wanted %zu", cases[i].filter, l.n, cases[i].n);
		MLC_LIST_FREE(&l);
	}
	registry_close(r);
}

static void test_runs_order_by_metric_puts_missing_last_and_limit_applies(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_query q = {.experiment = "0", .all = 1, .order_by = "metrics.acc DESC"};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].run_id, RUN1);
	assert_string_equal(l.items[1].run_id, RUN3);
	assert_string_equal(l.items[2].run_id, RUN2);
	MLC_LIST_FREE(&l);
	q.order_by = "metrics.acc ASC";
	q.limit = 2;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].run_id, RUN3);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_bad_filter_is_a_usage_error(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_query q = {.experiment = "0", .filter = "metrics.acc >"};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_lean_runs_carry_only_the_named_columns(void **state)
{
	static const char *const cols[] = {"metrics.acc", "params.lr", "tags.team"};
	struct registry *r = open_quirks();
	struct mlc_run_query q = {.experiment = "0", .lean = 1, .columns = cols, .n_columns = 3};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	const struct mlc_run *run;

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	run = run_in(&l, RUN1);
	assert_int_equal(run->n_metrics, 1);
	assert_int_equal(run->n_params, 1);
	assert_int_equal(run->n_tags, 1);
	assert_string_equal(run->run_name, "old-name");
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_run_prefix_needs_8_characters_and_must_be_unique(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_get_run(r, "bbbbbbbb", &l, &err), 0);
	assert_string_equal(l.items[0].run_id, RUN4);
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_run(r, "bbbbbbb", &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "run 'bbbbbbb': not found in"));
	assert_int_equal(registry_get_run(r, "aaaaaaaa", &l, &err), -1);
	assert_non_null(strstr(err.msg, "ambiguous"));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_not_found_messages_name_the_thing(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_query q = {.experiment = "nope"};
	struct mlc_run_list l = {0};
	struct mlc_version_list vl = {0};
	struct mlc_metric_list h = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "experiment 'nope': not found in"));
	assert_int_equal(registry_list_versions(r, "nope", &vl, &err), -1);
	assert_non_null(strstr(err.msg, "model 'nope': not found in"));
	assert_int_equal(registry_metric_history(r, RUN1, "nope", &h, &err), -1);
	assert_non_null(strstr(err.msg, "metric 'nope': not logged by run " RUN1));
	MLC_LIST_FREE(&l);
	MLC_LIST_FREE(&vl);
	MLC_LIST_FREE(&h);
	registry_close(r);
}

static void test_experiment_keys_are_sorted_and_distinct(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_keys k = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_experiment_keys(r, "0", 0, &k, &err), 0);
	assert_int_equal(k.n_metrics, 5);
	assert_string_equal(k.metrics[0], "acc");
	assert_string_equal(k.metrics[4], "weird");
	assert_int_equal(k.n_params, 4);
	assert_int_equal(k.n_tags, 2);
	mlc_keys_free(&k);
	registry_close(r);
}

static void test_model_aliases_from_meta_map_and_version_lists(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_model_list ml = {0};
	struct mlc_version_list vl = {0};
	struct mlc_error err = {0};
	const struct mlc_model *m;

	(void)state;
	assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
	assert_int_equal(ml.n, 2);
	m = &ml.items[1];
	assert_string_equal(m->name, "map-model");
	assert_string_equal(m->description, "- leading dash");
	assert_int_equal(m->n_versions, 2); /* version 3 is Deleted_Internal */
	assert_string_equal(m->latest_version, "2");
	assert_int_equal(m->n_aliases, 2);
	assert_string_equal(m->aliases[0].alias, "champion");
	assert_string_equal(m->aliases[0].version, "1");
	assert_string_equal(m->aliases[1].alias, "prod");
	assert_string_equal(m->aliases[1].version, "2");
	assert_int_equal(registry_list_versions(r, "map-model", &vl, &err), 0);
	assert_int_equal(vl.n, 2);
	assert_string_equal(vl.items[0].stage, "Staging");
	assert_string_equal(vl.items[0].run_id, "");
	assert_string_equal(vl.items[0].description, "");
	assert_string_equal(vl.items[0].aliases[0], "prod");
	assert_string_equal(vl.items[1].user_id, "");
	MLC_LIST_FREE(&vl);
	MLC_LIST_FREE(&ml);
	registry_close(r);
}

static void test_aliases_folder_is_authoritative(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_model_list ml = {0};
	struct mlc_version_list vl = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_models(r, "name = 'folder-model'", &ml, &err), 0);
	assert_int_equal(ml.n, 1);
	assert_int_equal(ml.items[0].n_aliases, 1);
	assert_string_equal(ml.items[0].aliases[0].alias, "live");
	assert_string_equal(ml.items[0].aliases[0].version, "2");
	assert_string_equal(ml.items[0].tags[0].value, "risk");
	assert_int_equal(registry_list_versions(r, "folder-model", &vl, &err), 0);
	assert_int_equal(vl.items[0].n_aliases, 1);
	assert_int_equal(vl.items[1].n_aliases, 0);
	assert_string_equal(vl.items[1].tags[0].key, "validated");
	MLC_LIST_FREE(&vl);
	MLC_LIST_FREE(&ml);
	assert_int_equal(registry_list_models(r, "tags.team = 'risk'", &ml, &err), 0);
	assert_int_equal(ml.n, 1);
	MLC_LIST_FREE(&ml);
	registry_close(r);
}

static void test_appended_points_and_new_runs_show_on_the_next_call(void **state)
{
	struct registry *r = open_quirks();
	struct mlc_run_list l = {0};
	struct mlc_run_query q = {.experiment = EXP18};
	struct mlc_error err = {0};

	(void)state;
	get_run(r, RUN4, &l);
	MLC_LIST_FREE(&l);
	append("q/mlruns/" EXP18 "/" RUN4 "/metrics/time/total timesteps",
	       "1753616860573 2160 2160\n");
	tu_put("q/mlruns/" EXP18 "/" RUN4 "/metrics/new", "1 2 3\n");
	get_run(r, RUN4, &l);
	assert_int_equal(mlc_run_metric(&l.items[0], "time/total timesteps")->step, 2160);
	assert_non_null(mlc_run_metric(&l.items[0], "new"));
	MLC_LIST_FREE(&l);
	tu_put("q/mlruns/" EXP18 "/dddddddd000000000000000000000009/meta.yaml",
	       "experiment_id: '" EXP18
	       "'\nlifecycle_stage: active\nrun_id: x\nstart_time: 1\nstatus: 3\n");
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 2);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_not_a_store_and_missing_folder_are_refused(void **state)
{
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};

	(void)state;
	mkdir(tu_path("empty"), 0755);
	assert_null(registry_open(tu_path("empty"), &o, &err));
	assert_non_null(strstr(err.msg, "not an MLflow file store"));
	assert_null(registry_open("mlruns:/nonexistent/mlruns", &o, &err));
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/mlruns: no such directory"));
}

static void test_mlruns_uri_and_holder_folder_open_the_same_store(void **state)
{
	char uri[600];
	struct registry *a, *b;

	(void)state;
	snprintf(uri, sizeof uri, "mlruns:%s", tu_path("q/mlruns"));
	a = open_ok(uri);
	b = open_ok(tu_path("q"));
	assert_string_equal(a->display, b->display);
	assert_string_equal(a->uri, uri);
	registry_close(a);
	registry_close(b);
}

/* ---- damaged inputs ----------------------------------------------------- */

#define B1 "dddddddd000000000000000000000001"
#define B2 "dddddddd000000000000000000000002"
#define B3 "dddddddd000000000000000000000003"
#define B4 "dddddddd000000000000000000000004"
#define B5 "dddddddd000000000000000000000005"
#define B6 "dddddddd000000000000000000000006"
#define B7 "dddddddd000000000000000000000007"

static const char good_meta[] =
    "artifact_uri: file:///x\nend_time: 1616250390633\nentry_point_name: ''\n"
    "experiment_id: '1'\nlifecycle_stage: active\nname: ''\nrun_id: %s\nrun_uuid: %s\n"
    "source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1616249075725\n"
    "status: 3\ntags: []\nuser_id: leo\n";

/* A run meta.yaml for id in the broken store, cut to keep bytes (0: whole). */
static void put_broken_run(const char *id, size_t keep)
{
	char rel[256], body[1024];

	snprintf(rel, sizeof rel, "b/mlruns/1/%s/meta.yaml", id);
	snprintf(body, sizeof body, good_meta, id, id);
	if (keep)
		body[keep] = '\0';
	tu_put(rel, body);
}

/* A store with one of each kind of damage under b/mlruns. */
static void make_broken_store(void)
{
	tu_put("b/mlruns/1/meta.yaml", "experiment_id: '1'\nlifecycle_stage: active\nname: ok\n");
	put_broken_run(B1, 0);
	tu_put("b/mlruns/1/" B1 "/metrics/acc", "1 0.5 0\nhello world\n3 0.7 1\n4 x 2\n");
	tu_put("b/mlruns/1/" B1 "/params/p", "1");
	put_broken_run(B2, 60); /* truncated mid-line */
	put_broken_run(B3, 0);
	tu_put("b/mlruns/1/" B3 "/metrics", "a file where a folder should be");
	tu_put("b/mlruns/1/" B3 "/params/p", "kept");
	symlink(tu_path("b/nowhere"), tu_path("b/mlruns/1/" B4));
	tu_put("b/mlruns/1/" B5 "/params/p", "no meta.yaml");
	tu_put("b/mlruns/1/" B6 "/meta.yaml", "experiment_id: '1'\nlifecycle_stage: active\n"
					      "run_id: x\nstart_time: 1\nstatus: 9\n");
	put_broken_run(B7, 281); /* truncated at a line end: keys missing */
	tu_put("b/mlruns/2/meta.yaml",
	       "artifact_location: file:///x\nexperiment_id: '2'\nlifecycle_st");
	tu_put("b/mlruns/3", "a file where an experiment folder should be");
	tu_put("b/mlruns/models/bad/meta.yaml", "name: [unclosed\n");
	tu_put("b/mlruns/models/ok/meta.yaml", "name: ok\n");
	tu_put("b/mlruns/models/ok/version-1/meta.yaml", "name: ok\nversion: 1\ncreation_ti");
	tu_put("b/mlruns/models/ok/version-2/meta.yaml", "name: ok\nversion: 2\n");
}

static struct registry *open_broken(void)
{
	return open_ok(tu_path("b/mlruns"));
}

static void test_damaged_experiments_are_skipped_with_a_warning(void **state)
{
	struct registry *r = open_broken();
	struct mlc_experiment_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_experiments(r, 1, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].name, "ok");
	assert_true(warned(r, "b/mlruns/2/meta.yaml", "damaged YAML"));
	assert_true(warned(r, "b/mlruns/3", "not a folder"));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_truncated_run_meta_skips_that_run_only(void **state)
{
	struct registry *r = open_broken();
	struct mlc_run_query q = {.experiment = "1", .all = 1};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_runs(r, &q, &l, &err), 0);
	assert_int_equal(l.n, 2); /* B1 and B3 */
	run_in(&l, B1);
	run_in(&l, B3);
	assert_true(warned(r, B2 "/meta.yaml", "damaged YAML at line"));
	assert_true(warned(r, B7 "/meta.yaml", "no status"));
	assert_true(warned(r, B6 "/meta.yaml", "unknown status '9'"));
	assert_true(warned(r, B5 "/meta.yaml", "no meta.yaml"));
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_get_run(r, B2, &l, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_garbage_metric_lines_are_skipped_and_reported_with_line_number(void **state)
{
	struct registry *r = open_broken();
	struct mlc_run_list l = {0};
	struct mlc_metric_list h = {0};
	struct mlc_error err = {0};
	const struct mlc_metric *m;

	(void)state;
	get_run(r, B1, &l);
	m = mlc_run_metric(&l.items[0], "acc");
	assert_int_equal(m->step, 1);
	assert_true(m->value == 0.7);
	assert_true(warned(r, B1 "/metrics/acc", "line 2: not a metric line"));
	assert_true(warned(r, B1 "/metrics/acc", "2 bad lines skipped"));
	assert_int_equal(registry_metric_history(r, B1, "acc", &h, &err), 0);
	assert_int_equal(h.n, 2);
	MLC_LIST_FREE(&h);
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_unreadable_folders_are_reported_and_the_rest_is_read(void **state)
{
	struct registry *r = open_broken();
	struct mlc_run_list l = {0};

	(void)state;
	get_run(r, B3, &l);
	assert_int_equal(l.items[0].n_metrics, 0);
	assert_string_equal(l.items[0].params[0].value, "kept");
	assert_true(warned(r, B3 "/metrics", "not a folder"));
	MLC_LIST_FREE(&l);
	get_run(r, B1, &l); /* lists every run, the dangling link too */
	assert_true(warned(r, B4, "symbolic link to nothing"));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static void test_damaged_model_files_are_skipped(void **state)
{
	struct registry *r = open_broken();
	struct mlc_model_list ml = {0};
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(registry_list_models(r, NULL, &ml, &err), 0);
	assert_int_equal(ml.n, 1);
	assert_string_equal(ml.items[0].name, "ok");
	assert_int_equal(ml.items[0].n_versions, 1);
	assert_true(warned(r, "models/bad/meta.yaml", "damaged YAML"));
	assert_true(warned(r, "models/ok/version-1/meta.yaml", ""));
	MLC_LIST_FREE(&ml);
	registry_close(r);
}

static void test_each_warning_is_kept_once(void **state)
{
	struct registry *r = open_broken();
	struct mlc_run_list l = {0};
	const struct mlc_warning *w;
	size_t n1, n2;

	(void)state;
	get_run(r, B1, &l);
	MLC_LIST_FREE(&l);
	registry_mlruns_warnings(r, &w, &n1);
	get_run(r, B1, &l);
	MLC_LIST_FREE(&l);
	registry_mlruns_warnings(r, &w, &n2);
	assert_int_equal(n1, n2);
	registry_close(r);
}

/* ---- symbolic links ------------------------------------------------------ */

#define L1 "eeeeeeee000000000000000000000001"
#define SECRET "not-for-the-registry-7f3a"

/* A store under l/mlruns whose run L1 has links: out of the store (a file,
 * the tags folder, an experiment folder), in it (a file), and to folders. */
static void make_link_store(void)
{
	char body[1024];

	tu_put("outside/secret", SECRET);
	tu_put("outside/tags/t", SECRET);
	tu_put("outside/exp/meta.yaml",
	       "experiment_id: '2'\nlifecycle_stage: active\nname: " SECRET "\n");
	tu_put("l/mlruns/1/meta.yaml",
	       "experiment_id: '1'\nlifecycle_stage: active\nname: links\n");
	snprintf(body, sizeof body, good_meta, L1, L1);
	tu_put("l/mlruns/1/" L1 "/meta.yaml", body);
	tu_put("l/mlruns/1/" L1 "/params/lr", "0.1");
	tu_put("l/mlruns/1/" L1 "/metrics/acc", "1 0.5 0\n");
	assert_int_equal(
	    symlink(tu_path("outside/secret"), tu_path("l/mlruns/1/" L1 "/params/leak")), 0);
	assert_int_equal(symlink("lr", tu_path("l/mlruns/1/" L1 "/params/same")), 0);
	assert_int_equal(symlink(".", tu_path("l/mlruns/1/" L1 "/metrics/a")), 0);
	assert_int_equal(symlink(".", tu_path("l/mlruns/1/" L1 "/metrics/b")), 0);
	assert_int_equal(symlink(tu_path("outside/tags"), tu_path("l/mlruns/1/" L1 "/tags")), 0);
	assert_int_equal(symlink(tu_path("outside/exp"), tu_path("l/mlruns/2")), 0);
}

static void test_a_link_out_of_the_store_is_reported_and_never_read(void **state)
{
	struct registry *r = open_ok(tu_path("l/mlruns"));
	struct mlc_experiment_list el = {0};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};

	(void)state;
	alarm(20); /* the store has the folder links too: fail, not hang */
	get_run(r, L1, &l);
	alarm(0);
	assert_int_equal(l.items[0].n_params, 2); /* lr, and same -> lr inside the store */
	assert_string_equal(l.items[0].params[0].key, "lr");
	assert_string_equal(l.items[0].params[1].key, "same");
	assert_string_equal(l.items[0].params[1].value, "0.1");
	assert_int_equal(l.items[0].n_tags, 0);
	assert_true(warned(r, L1 "/params/leak", "leads out of the store"));
	assert_true(warned(r, L1 "/tags", "a symbolic link to a folder; not followed"));
	MLC_LIST_FREE(&l);
	assert_int_equal(registry_list_experiments(r, 1, &el, &err), 0);
	assert_int_equal(el.n, 1);
	assert_string_equal(el.items[0].name, "links");
	assert_true(warned(r, "l/mlruns/2/meta.yaml", "leads out of the store"));
	MLC_LIST_FREE(&el);
	registry_close(r);
}

static void test_links_to_folders_are_not_walked(void **state)
{
	struct registry *r = open_ok(tu_path("l/mlruns"));
	struct mlc_run_list l = {0};

	(void)state;
	alarm(20); /* a walk into a -> . and b -> . (2^32 paths) fails, not hangs */
	get_run(r, L1, &l);
	alarm(0);
	assert_int_equal(l.items[0].n_metrics, 1); /* acc; no a/acc, a/b/acc ... */
	assert_string_equal(l.items[0].metrics[0].key, "acc");
	assert_true(warned(r, L1 "/metrics/a", "a symbolic link to a folder; not followed"));
	assert_true(warned(r, L1 "/metrics/b", "a symbolic link to a folder; not followed"));
	MLC_LIST_FREE(&l);
	registry_close(r);
}

static int setup_dir(void **state)
{
	(void)state;
	if (tu_tmpdir("mlruns") != 0)
		return -1;
	make_quirk_store();
	make_broken_store();
	make_link_store();
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	return tu_rmdir();
}

int main(void)
{
	const struct CMUnitTest shared[] = {
	    cmocka_unit_test(test_palaciosleo_counts_match_the_files),
	    cmocka_unit_test(test_trashed_experiments_are_deleted_though_their_meta_says_active),
	    cmocka_unit_test(test_an_id_both_active_and_trashed_means_the_active_one),
	    cmocka_unit_test(test_multi_line_param_is_kept_byte_for_byte),
	    cmocka_unit_test(test_a_folder_holding_mlruns_opens_that_store),
	    cmocka_unit_test(test_finnk11_counts_match_the_files),
	    cmocka_unit_test(
		test_nested_keys_with_spaces_and_duplicate_steps_follow_the_latest_rule),
	    cmocka_unit_test(test_history_keeps_both_points_of_a_duplicate_step),
	    cmocka_unit_test(test_silver6wings_registry_has_stages_and_two_production_versions),
	    cmocka_unit_test(test_one_run_registered_under_two_models),
	    cmocka_unit_test(test_silver6wings_runs_running_and_failed),
	    cmocka_unit_test(test_the_second_silver6wings_store_has_a_null_description),
	    cmocka_unit_test(test_the_real_stores_read_without_warnings),
	};
	const struct CMUnitTest crafted[] = {
	    cmocka_unit_test(test_experiments_of_every_version_are_listed_by_name),
	    cmocka_unit_test(test_reserved_folders_and_stray_entries_are_not_runs),
	    cmocka_unit_test(test_old_run_takes_its_name_from_the_run_name_tag),
	    cmocka_unit_test(test_mlflow3_run_without_run_uuid_and_with_4_field_lines),
	    cmocka_unit_test(test_status_numbers_become_names),
	    cmocka_unit_test(test_running_run_without_value_folders_has_no_values),
	    cmocka_unit_test(test_params_are_raw_multi_line_empty_and_nested),
	    cmocka_unit_test(test_latest_is_max_by_step_then_timestamp_then_value),
	    cmocka_unit_test(test_nan_and_infinity_are_read_and_nan_counts_lowest),
	    cmocka_unit_test(test_five_field_lines_keep_the_logged_step),
	    cmocka_unit_test(test_identical_duplicate_lines_are_both_in_the_history),
	    cmocka_unit_test(test_deleted_runs_are_hidden_unless_all),
	    cmocka_unit_test(test_runs_filter_by_metric_param_tag_and_attribute),
	    cmocka_unit_test(test_runs_order_by_metric_puts_missing_last_and_limit_applies),
	    cmocka_unit_test(test_bad_filter_is_a_usage_error),
	    cmocka_unit_test(test_lean_runs_carry_only_the_named_columns),
	    cmocka_unit_test(test_run_prefix_needs_8_characters_and_must_be_unique),
	    cmocka_unit_test(test_not_found_messages_name_the_thing),
	    cmocka_unit_test(test_experiment_keys_are_sorted_and_distinct),
	    cmocka_unit_test(test_model_aliases_from_meta_map_and_version_lists),
	    cmocka_unit_test(test_aliases_folder_is_authoritative),
	    cmocka_unit_test(test_not_a_store_and_missing_folder_are_refused),
	    cmocka_unit_test(test_mlruns_uri_and_holder_folder_open_the_same_store),
	    cmocka_unit_test(test_damaged_experiments_are_skipped_with_a_warning),
	    cmocka_unit_test(test_truncated_run_meta_skips_that_run_only),
	    cmocka_unit_test(test_garbage_metric_lines_are_skipped_and_reported_with_line_number),
	    cmocka_unit_test(test_unreadable_folders_are_reported_and_the_rest_is_read),
	    cmocka_unit_test(test_damaged_model_files_are_skipped),
	    cmocka_unit_test(test_each_warning_is_kept_once),
	    cmocka_unit_test(test_a_link_out_of_the_store_is_reported_and_never_read),
	    cmocka_unit_test(test_links_to_folders_are_not_walked),
	    /* last: it changes the quirk store */
	    cmocka_unit_test(test_appended_points_and_new_runs_show_on_the_next_call),
	};
	struct stat st;
	int failed =
	    cmocka_run_group_tests_name("crafted stores", crafted, setup_dir, teardown_dir);

	if (stat(MLC_SHARED_DIR "/mlruns", &st) != 0) {
		printf("SKIP: %s/mlruns is absent: the real-store tests need the shared stores\n",
		       MLC_SHARED_DIR);
		return failed ? 1 : 77;
	}
	return cmocka_run_group_tests_name("real stores", shared, NULL, NULL) || failed ? 1 : 0;
}
