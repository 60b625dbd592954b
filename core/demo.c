/* demo.c: the generator of realistic demo registries, and of benchmark data:
 * experiments with runs and metric histories, models with versions, deployments
 * through approvals, drift series. Built in a temporary file renamed into place.
 * This file holds the sizes, the runs and their metrics, the audit log and the
 * file; demo_models.c the models' deployment story and drift (demo_impl.h is
 * what they share). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "alert.h"
#include "audit.h"
#include "dbfile.h"
#include "demo.h"
#include "registry.h"
#include "schema.h"
#include "sha256.h"
#include "sqlutil.h"
#include "xmalloc.h"
#include "demo_impl.h"

/* ---- data the demo is made of ------------------------------------------ */

/* The environments, in order, and the production policy's approvers. */
const char *const demo_env_names[N_ENV] = {"dev", "staging", "production"};
static const int env_approvals[N_ENV] = {0, 0, 2};
static const int env_require_previous[N_ENV] = {0, 1, 1};

/* clang-format off */
const char *const demo_users[5] = {"alice", "bob", "carol", "dave", "erin"};
const char *const demo_approvers[3] = {"alice", "bob", "carol"};
static const char *const adjectives[] = {
    "able",   "bold",    "brave",  "bright",  "calm",    "capable", "clever", "cool",
    "crisp",  "dapper",  "eager",  "fast",    "gentle",  "glad",    "honest", "jolly",
    "kind",   "lively",  "lucky",  "merry",   "nimble",  "polite",  "proud",  "quiet",
    "rare",   "sassy",   "shy",    "smooth",  "stately", "sunny",   "tasty",  "witty"};
static const char *const animals[] = {
    "ant",  "ape",   "asp",   "auk",  "bass", "bat",  "bear", "bee",  "bird", "boar",
    "calf", "carp",  "cat",   "colt", "crab", "crow", "deer", "doe",  "dove", "eel",
    "elk",  "finch", "fish",  "fly",  "fox",  "frog", "gnu",  "goat", "hare", "hawk",
    "hen",  "lark",  "lynx",  "mole", "moth", "mule", "newt", "owl",  "ox",   "panda",
    "pig",  "ram",   "robin", "seal", "shrew", "slug", "snail", "squid", "stag", "toad",
    "trout", "wasp", "whale", "wolf", "worm", "wren", "yak",  "zebra"};
/* clang-format on */

/* clang-format off */
#define LR(hi) {"learning_rate", SCHEDULE, 0.0, hi}
#define GRAD {"grad_norm", FALL, 0.1, 4.0}
#define EPOCH_TIME {"epoch_time_s", FLAT, 20, 90}
#define THROUGHPUT {"samples_per_sec", FLAT, 800, 2400}

static const struct edef exp_defs[N_EXP] = {
    {"fraud-detection", "risk", "alice", "Card fraud models (XGBoost), retrained weekly.",
     "pipelines/fraud/train.py",
     {{"loss", FALL, 0.05, 0.69}, {"val_loss", FALL, 0.06, 0.69}, {"accuracy", RISE, 0.5, 0.995},
      {"val_accuracy", RISE, 0.5, 0.99}, LR(0.1), GRAD, {"train_auc", RISE, 0.5, 0.995},
      {"val_auc", RISE, 0.5, 0.985}, {"train_f1", RISE, 0.1, 0.95}, {"val_f1", RISE, 0.1, 0.9},
      {"val_precision", RISE, 0.1, 0.95}, {"val_recall", RISE, 0.1, 0.9}},
     4,
     {{"f1", FINAL_HIGH, 0.55, 0.92}, {"auc", FINAL_HIGH, 0.85, 0.99},
      {"precision", FINAL_HIGH, 0.6, 0.95}, {"recall", FINAL_HIGH, 0.5, 0.9},
      {"latency_ms", FINAL_LOW, 2, 25}},
     5,
     {{"max_depth", {"3", "4", "6", "8", "10"}},
      {"n_estimators", {"100", "200", "400", "800"}},
      {"learning_rate", {"0.01", "0.03", "0.05", "0.1", "0.3"}},
      {"subsample", {"0.6", "0.8", "1.0"}},
      {"colsample_bytree", {"0.5", "0.7", "0.9"}},
      {"min_child_weight", {"1", "3", "5"}},
      {"scale_pos_weight", {"1", "10", "50", "100"}},
      {"objective", {"binary:logistic"}},
      {"eval_metric", {"auc", "aucpr", "logloss"}},
      {"tree_method", {"hist", "approx"}}}},
    {"churn", "growth", "bob", "Subscriber churn (LightGBM) on monthly snapshots.",
     "pipelines/churn/train.py",
     {{"loss", FALL, 0.2, 0.69}, {"val_loss", FALL, 0.22, 0.69}, {"train_accuracy", RISE, 0.5, 0.93},
      {"val_accuracy", RISE, 0.5, 0.9}, {"train_auc", RISE, 0.5, 0.95}, {"val_auc", RISE, 0.5, 0.92},
      LR(0.1), GRAD, {"train_f1", RISE, 0.1, 0.85}, {"val_f1", RISE, 0.1, 0.8},
      {"val_precision", RISE, 0.1, 0.85}, {"val_recall", RISE, 0.1, 0.8}},
     2,
     {{"accuracy", FINAL_HIGH, 0.78, 0.9}, {"f1", FINAL_HIGH, 0.5, 0.78},
      {"auc", FINAL_HIGH, 0.75, 0.92}, {"precision", FINAL_HIGH, 0.55, 0.82},
      {"recall", FINAL_HIGH, 0.45, 0.8}},
     5,
     {{"num_leaves", {"15", "31", "63", "127"}},
      {"learning_rate", {"0.01", "0.05", "0.1"}},
      {"n_estimators", {"200", "500", "1000"}},
      {"feature_fraction", {"0.6", "0.8", "1.0"}},
      {"bagging_fraction", {"0.7", "0.8", "1.0"}},
      {"min_data_in_leaf", {"20", "50", "100"}},
      {"lambda_l2", {"0", "0.1", "1.0"}},
      {"max_depth", {"-1", "6", "8"}},
      {"objective", {"binary"}},
      {"boosting", {"gbdt", "dart"}}}},
    {"forecasting", "supply-chain", "carol", "Demand and ETA regressors (PyTorch, LightGBM).",
     "pipelines/forecast/train.py",
     {{"loss", FALL, 0.02, 1.0}, {"val_loss", FALL, 0.03, 1.0}, {"val_rmse", FALL, 8, 40},
      {"train_rmse", FALL, 6, 40}, {"train_mae", FALL, 4, 30}, {"val_mae", FALL, 5, 30},
      {"val_mape", FALL, 0.06, 0.6}, {"train_mape", FALL, 0.05, 0.6}, LR(0.003), GRAD, EPOCH_TIME,
      THROUGHPUT},
     3,
     {{"rmse", FINAL_LOW, 9, 30}, {"mae", FINAL_LOW, 6, 22}, {"mape", FINAL_LOW, 0.08, 0.3},
      {"r2", FINAL_HIGH, 0.6, 0.95}},
     4,
     {{"lr", {"0.0003", "0.001", "0.003", "0.01"}},
      {"batch_size", {"32", "64", "128", "256"}},
      {"epochs", {"20", "50", "100", "200"}},
      {"optimizer", {"adam", "adamw", "sgd"}},
      {"hidden_size", {"64", "128", "256"}},
      {"num_layers", {"1", "2", "3"}},
      {"dropout", {"0.0", "0.1", "0.2", "0.3"}},
      {"seq_len", {"28", "56", "90"}},
      {"horizon", {"7", "14", "28"}},
      {"weight_decay", {"0", "1e-5", "1e-4"}}}},
    {"ranking", "discovery", "dave", "Home-feed retrieval and ranking (two-tower, PyTorch).",
     "pipelines/ranking/train.py",
     {{"loss", FALL, 0.1, 0.7}, {"val_loss", FALL, 0.12, 0.7}, {"val_ndcg_at_10", RISE, 0.1, 0.45},
      {"train_ndcg_at_10", RISE, 0.1, 0.5}, {"val_map_at_10", RISE, 0.05, 0.35},
      {"val_recall_at_50", RISE, 0.2, 0.8}, {"train_auc", RISE, 0.5, 0.95},
      {"val_auc", RISE, 0.5, 0.93}, LR(0.003), GRAD, EPOCH_TIME, THROUGHPUT},
     3,
     {{"ndcg_at_10", FINAL_HIGH, 0.25, 0.45}, {"map_at_10", FINAL_HIGH, 0.15, 0.35},
      {"recall_at_50", FINAL_HIGH, 0.45, 0.8}, {"auc", FINAL_HIGH, 0.8, 0.93},
      {"latency_ms", FINAL_LOW, 4, 40}},
     5,
     {{"lr", {"0.0005", "0.001", "0.003"}},
      {"batch_size", {"512", "1024", "2048", "4096"}},
      {"epochs", {"5", "10", "20", "40"}},
      {"optimizer", {"adam", "adagrad"}},
      {"embedding_dim", {"32", "64", "128", "256"}},
      {"dropout", {"0.0", "0.1", "0.2"}},
      {"num_negatives", {"4", "8", "16"}},
      {"weight_decay", {"0", "1e-5", "1e-4"}},
      {"loss_fn", {"bpr", "softmax", "bce"}},
      {"temperature", {"0.05", "0.1", "0.2"}}}},
};
/* clang-format on */

static const char *const stmt_sql[S_COUNT] = {
    [S_INPUT] = "INSERT INTO run_inputs (run_id, name, digest, context, source_type, source,"
		" schema, profile) VALUES (?,?,?,?,?,?,?,?)",
    [S_ENV] = "INSERT INTO environments (id, name, ord, required_approvals, self_approval,"
	      " rollback_approval, require_previous) VALUES (?,?,?,?,?,?,?)",
    [S_APPROVER] = "INSERT INTO environment_approvers (env_id, user) VALUES (?,?)",
    [S_EXP] = "INSERT INTO experiments (id, experiment_id, name, artifact_location,"
	      " lifecycle_stage, creation_time, last_update_time) VALUES (?,?,?,?,?,?,?)",
    [S_EXP_TAG] = "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?,?,?)",
    [S_KEY] = "INSERT INTO metric_keys (id, key) VALUES (?,?)",
    [S_RUN] = "INSERT INTO runs (id, run_uuid, experiment_id, run_name, user_id, status,"
	      " start_time, end_time, artifact_uri, lifecycle_stage) VALUES (?,?,?,?,?,?,?,?,?,?)",
    [S_PARAM] = "INSERT INTO params (run_id, key, value) VALUES (?,?,?)",
    [S_RUN_TAG] = "INSERT INTO run_tags (run_id, key, value) VALUES (?,?,?)",
    [S_METRIC] = "INSERT INTO metrics (run_id, key_id, step, timestamp, value, is_nan)"
		 " VALUES (?,?,?,?,?,?)",
    [S_MODEL] = "INSERT INTO registered_models (id, name, description, creation_time,"
		" last_updated_time) VALUES (?,?,?,?,?)",
    [S_MODEL_TAG] = "INSERT INTO model_tags (model_id, key, value) VALUES (?,?,?)",
    [S_VERSION] = "INSERT INTO model_versions (id, model_id, version, source, run_uuid, status,"
		  " stage, description, user_id, creation_time, last_updated_time)"
		  " VALUES (?,?,?,?,?,'READY',?,?,?,?,?)",
    [S_VERSION_TAG] = "INSERT INTO version_tags (version_id, key, value) VALUES (?,?,?)",
    [S_ALIAS] = "INSERT INTO model_aliases (model_id, alias, version) VALUES (?,?,?)",
    [S_REQUEST] = "INSERT INTO promotion_requests (id, model_id, version, env_id, kind,"
		  " requested_by, requested_at, comment, state, closed_at, close_reason)"
		  " VALUES (?,?,?,?,'promote',?,?,?,?,?,?)",
    [S_VOTE] = "INSERT INTO votes (request_id, voter, decision, at, comment) VALUES (?,?,?,?,?)",
    [S_DEPLOY] = "INSERT INTO deployments (id, model_id, env_id, version, previous_version,"
		 " action, at, by, request_id) VALUES (?,?,?,?,?,?,?,?,?)",
    [S_HOOK] = "INSERT INTO hook_runs (deployment_id, at, ok, status, detail) VALUES (?,?,?,?,?)",
    [S_DRIFT] = "INSERT INTO drift_points (model_id, feature, window_end, method, score,"
		" statistic, p_value, threshold, drift, n_reference, n_current)"
		" VALUES (?,?,?,?,?,?,NULL,?,?,?,?)",
};

/* ---- SQLite helpers ---------------------------------------------------- */

/* Fill the error with SQLite's last message, naming the registry; returns -1. */
static int db_error(struct gen *g)
{
	return sql_error(g->db, g->path, g->err);
}

/* Run SQL without results. */
static int exec(struct gen *g, const char *sql)
{
	return sql_exec(g->db, g->path, sql, g->err);
}

/* Insert the n rows bound to st; commit and start anew every BATCH_ROWS rows. */
static int step_rows(struct gen *g, sqlite3_stmt *st, int n)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(g);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	g->rows += n;
	if (g->rows < BATCH_ROWS)
		return 0;
	g->rows = 0;
	return exec(g, "COMMIT; BEGIN");
}

/* Insert the one row bound to st. */
int demo_step(struct gen *g, sqlite3_stmt *st)
{
	return step_rows(g, st, 1);
}

/* Insert one row through statement s. fmt gives the arguments' types: i int64_t,
 * I int64_t stored as NULL when 0, t text (NULL allowed), d double. */
int demo_put(struct gen *g, enum stmt s, const char *fmt, ...)
{
	sqlite3_stmt *st = g->st[s];
	const char *text;
	int64_t v;
	va_list ap;
	int col = 1;

	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++, col++) {
		switch (*f) {
		case 'i':
		case 'I':
			v = va_arg(ap, int64_t);
			if (*f == 'I' && v == 0)
				sqlite3_bind_null(st, col);
			else
				sqlite3_bind_int64(st, col, v);
			break;
		case 't':
			text = va_arg(ap, const char *);
			sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_double(st, col, va_arg(ap, double));
			break;
		}
	}
	va_end(ap);
	if (col - 1 != sqlite3_bind_parameter_count(st))
		return mlc_error_set(g->err, MLC_ERR_FAILED, "%s: internal error: %d values for %s",
				     g->path, col - 1, sqlite3_sql(st));
	return demo_step(g, st);
}

/* ---- sizes ------------------------------------------------------------- */

/* Metric points one run of experiment e can hold at most. */
static int64_t run_capacity(int e)
{
	return exp_defs[e].nfinals + (int64_t)MAX_CURVES * MAX_STEPS;
}

/* Runs per experiment: 50-300 each by default, else the total split 50/25/15/10%. */
static void count_runs(struct gen *g, int64_t total, struct rng *r)
{
	static const int share[N_EXP] = {50, 25, 15, 10};
	int64_t n[N_EXP], left = total;

	for (int e = 1; e < N_EXP; e++) {
		n[e] = total ? max64(1, total * share[e] / 100) : rng_int(r, 50, 300);
		left -= n[e];
	}
	n[0] = total ? left : rng_int(r, 50, 300);
	g->first[0] = 0;
	for (int e = 0; e < N_EXP; e++)
		g->first[e + 1] = g->first[e] + n[e];
	g->nruns = g->first[N_EXP];
}

/* Check the options against the limits and work out the sizes. */
static int resolve(struct gen *g, const struct demo_opts *o, struct rng *r)
{
	int64_t cap = 0;

	if (o->models < 0 || o->models > MAX_MODELS)
		return mlc_error_set(g->err, MLC_ERR_USAGE, "%s: --models must be from 1 to %d",
				     g->path, MAX_MODELS);
	if (o->runs < 0 || (o->runs > 0 && o->runs < N_EXP) || o->runs > MAX_RUNS)
		return mlc_error_set(g->err, MLC_ERR_USAGE, "%s: --runs must be from %d to %lld",
				     g->path, N_EXP, (long long)MAX_RUNS);
	if (o->points < 0 || o->points > MAX_POINTS)
		return mlc_error_set(g->err, MLC_ERR_USAGE,
				     "%s: --points must be at most %lld (asked for %lld)", g->path,
				     (long long)MAX_POINTS, (long long)o->points);
	g->nmodels = o->models ? o->models : 8;
	count_runs(g, o->runs, r);
	g->total = o->points ? o->points : min64(g->nruns * POINTS_PER_RUN, MAX_POINTS);
	for (int e = 0; e < N_EXP; e++)
		cap += (g->first[e + 1] - g->first[e]) * run_capacity(e);
	if (g->total > cap)
		return mlc_error_set(
		    g->err, MLC_ERR_USAGE,
		    "%s: %lld points need more runs (%lld runs hold at most %lld; raise --runs)",
		    g->path, (long long)g->total, (long long)g->nruns, (long long)cap);
	return 0;
}

/* ---- runs: planning ------------------------------------------------------ */

/* A finished or failed run of experiment e started at start. */
static void init_run(struct run *ru, int e, int64_t start, struct rng *r)
{
	double u = rng_unit(r);

	rng_hex(r, ru->uuid, 32);
	ru->exp = e;
	ru->start = start;
	ru->status = u < 0.06 ? "FAILED" : u < 0.09 ? "KILLED" : "FINISHED";
	ru->deleted = rng_unit(r) < 0.02;
	ru->quality = rng_unit(r) * (u < 0.09 ? 0.6 : 1.0);
	/* Half the runs are the experiment owner's, the rest the team's. */
	ru->user = rng_unit(r) < 0.5 ? -1 : (int)rng_int(r, 0, COUNT(demo_users) - 1);
}

/* The index in demo_users[] of experiment e's owner. */
static int owner_of(int e)
{
	for (int i = 0; i < COUNT(demo_users); i++)
		if (strcmp(demo_users[i], exp_defs[e].owner) == 0)
			return i;
	return 0;
}

/* Runs of experiment e: starts over the last 60 days, sorted so ids follow time;
 * the newest run of the first experiment (and maybe the third) still RUNNING. */
static void plan_experiment(struct gen *g, int e, struct rng *r)
{
	struct run *ru = g->runs + g->first[e];
	int64_t n = g->first[e + 1] - g->first[e];
	int64_t *starts = xmalloc((size_t)n * sizeof *starts);

	for (int64_t i = 0; i < n; i++)
		starts[i] = g->now - rng_int(r, 2 * HOUR_MS, 60 * DAY_MS);
	qsort(starts, (size_t)n, sizeof *starts, cmp_i64);
	for (int64_t i = 0; i < n; i++) {
		init_run(ru + i, e, starts[i], r);
		if (ru[i].user < 0)
			ru[i].user = owner_of(e);
	}
	if (e == 0 || (e == 2 && rng_unit(r) < 0.5)) {
		ru[n - 1].status = "RUNNING";
		ru[n - 1].deleted = 0;
		ru[n - 1].start = g->now - rng_int(r, 10 * MIN_MS, 90 * MIN_MS);
	}
	free(starts);
}

/* Split a run's budget into final metrics and curves; returns how many series.
 * Curves share the rest evenly, more of them when it exceeds MAX_STEPS each. */
static int plan_series(const struct gen *g, const struct run *ru, struct series *s)
{
	const struct edef *e = &exp_defs[ru->exp];
	int nf = (int)min64(e->nfinals, ru->budget), k = e->nbase, n = 0;
	int64_t c = ru->budget - nf;

	if (c > (int64_t)k * MAX_STEPS)
		k = (int)((c + MAX_STEPS - 1) / MAX_STEPS);
	if (c < k)
		k = (int)c;
	for (int i = 0; i < nf; i++)
		s[n++] = (struct series){g->final_key[ru->exp][i], &e->finals[i], 1, 1};
	for (int i = 0; i < k; i++)
		s[n++] = (struct series){g->curve_key[ru->exp][i], &e->curves[i],
					 (int)(c / k + (i < c % k)), 0};
	/* Write in primary-key order: appending is what keeps the load fast. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && s[j].key < s[j - 1].key; j--) {
			struct series t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	return n;
}

/* The longest history among the series. */
static int max_steps(const struct series *s, int n)
{
	int m = 0;

	for (int i = 0; i < n; i++)
		if (!s[i].final && s[i].n > m)
			m = s[i].n;
	return m;
}

/* End time: longer histories train longer; never after now. */
static void plan_end(struct gen *g, struct run *ru, struct rng *r)
{
	struct series s[MAX_CURVES + MAX_FINALS];
	int steps = max_steps(s, plan_series(g, ru, s));
	int64_t dur = rng_int(r, 4 * MIN_MS, 25 * MIN_MS) + steps * rng_int(r, 3000, 40000);

	if (strcmp(ru->status, "RUNNING") == 0) {
		ru->end = 0;
		return;
	}
	ru->end = ru->start + min64(dur, g->now - MIN_MS - ru->start);
}

/* Share the points among the runs: heavy-tailed weights so some runs train long,
 * capped per run, any rest given to runs with room; the total is exact. */
static void allocate_points(struct gen *g, struct rng *r)
{
	double *w = xmalloc((size_t)g->nruns * sizeof *w), wsum = 0;
	int64_t rest = g->total;

	for (int64_t i = 0; i < g->nruns; i++) {
		w[i] = exp(0.8 * rng_gauss(r)) * (g->runs[i].quality < 0.3 ? 0.5 : 1.0);
		wsum += w[i];
	}
	for (int64_t i = 0; i < g->nruns; i++) {
		int64_t b = i == g->nruns - 1 ? rest : llround((double)rest * w[i] / wsum);
		b = min64(min64(b, rest), run_capacity(g->runs[i].exp));
		g->runs[i].budget = b;
		rest -= b;
		wsum -= w[i];
		if (wsum <= 0)
			wsum = 1e-12;
	}
	for (int64_t i = 0; i < g->nruns && rest > 0; i++) {
		int64_t add = min64(rest, run_capacity(g->runs[i].exp) - g->runs[i].budget);
		g->runs[i].budget += add;
		rest -= add;
	}
	free(w);
}

/* Every run's identity, status, times and share of the points. */
static void plan_runs(struct gen *g)
{
	struct rng r = rng_for(g->seed, P_RUNS);

	g->runs = xcalloc((size_t)g->nruns, sizeof *g->runs);
	for (int e = 0; e < N_EXP; e++)
		plan_experiment(g, e, &r);
	allocate_points(g, &r);
	for (int64_t i = 0; i < g->nruns; i++)
		plan_end(g, &g->runs[i], &r);
	for (int e = 0; e < N_EXP; e++)
		for (int c = 0; c < 6; c++)
			rng_hex(&r, g->commits[e][c], 40);
}

/* ---- fixed tables -------------------------------------------------------- */

/* dev, staging, production with their policies, and who may approve production.
 * No self-approval and no approval for rollbacks anywhere. */
static int write_environments(struct gen *g)
{
	for (int e = 0; e < N_ENV; e++)
		if (demo_put(g, S_ENV, "itiiiii", (int64_t)e + 1, demo_env_names[e], (int64_t)e + 1,
			     (int64_t)env_approvals[e], (int64_t)0, (int64_t)0,
			     (int64_t)env_require_previous[e]) < 0)
			return -1;
	for (int i = 0; i < COUNT(demo_approvers); i++)
		if (demo_put(g, S_APPROVER, "it", (int64_t)ENV_PROD + 1, demo_approvers[i]) < 0)
			return -1;
	return 0;
}

/* One experiment row and its tags. */
static int write_experiment(struct gen *g, int id, const char *name, const char *stage,
			    const char *team, const char *note, int64_t created, int64_t updated)
{
	char eid[16], loc[64];

	snprintf(eid, sizeof eid, "%d", id);
	snprintf(loc, sizeof loc, "s3://ml-artifacts/mlflow/%d", id);
	if (demo_put(g, S_EXP, "ittttii", (int64_t)id, eid, name, loc, stage, created, updated) <
		0 ||
	    demo_put(g, S_EXP_TAG, "itt", (int64_t)id, "mlflow.note.content", note) < 0 ||
	    demo_put(g, S_EXP_TAG, "itt", (int64_t)id, "team", team) < 0)
		return -1;
	return 0;
}

/* The four experiments, and one deleted scratch experiment. */
static int write_experiments(struct gen *g)
{
	for (int e = 0; e < N_EXP; e++) {
		int64_t last = g->first[e + 1] - 1;
		int64_t updated = last >= g->first[e] ? g->runs[last].start : g->now;

		if (write_experiment(g, e + 1, exp_defs[e].name, "active", exp_defs[e].team,
				     exp_defs[e].note, g->now - (75 + 3 * e) * DAY_MS, updated) < 0)
			return -1;
	}
	return write_experiment(g, N_EXP + 1, "scratch-tuning", "deleted", "risk",
				"Throwaway sweeps; superseded by fraud-detection.",
				g->now - 88 * DAY_MS, g->now - 70 * DAY_MS);
}

/* The id of metric key name, interning it on first use. */
static int intern_key(struct gen *g, const char *name)
{
	for (int i = 0; i < g->nkeys; i++)
		if (strcmp(g->keys[i], name) == 0)
			return i + 1;
	g->keys[g->nkeys++] = name;
	if (demo_put(g, S_KEY, "it", (int64_t)g->nkeys, name) < 0)
		return -1;
	return g->nkeys;
}

/* Every metric key of every experiment, interned once. */
static int write_metric_keys(struct gen *g)
{
	for (int e = 0; e < N_EXP; e++) {
		for (int i = 0; i < MAX_CURVES; i++)
			if ((g->curve_key[e][i] = intern_key(g, exp_defs[e].curves[i].key)) < 0)
				return -1;
		for (int i = 0; i < exp_defs[e].nfinals; i++)
			if ((g->final_key[e][i] = intern_key(g, exp_defs[e].finals[i].key)) < 0)
				return -1;
	}
	return 0;
}

/* ---- runs: writing ------------------------------------------------------- */

/* The value at step k of n of a curve for a run of quality q (noise included);
 * validation curves overfit a little in poor runs. */
static double curve_value(const struct mdef *m, int k, int n, double q, struct rng *r)
{
	double t = (k + 1.0) / n, span = m->hi - m->lo, fade = exp(-4.0 * t);
	double noise = rng_noise(r) * span * (0.03 - 0.02 * t);
	double over = strncmp(m->key, "val_", 4) == 0 ? span * 0.12 * (1 - q) * t * t : 0;
	double end;

	switch (m->shape) {
	case FALL:
		end = m->lo + span * (0.3 - 0.25 * q);
		return fmax(m->lo * 0.5, end + (m->hi - end) * fade + noise + over);
	case RISE:
		end = m->hi - span * (0.3 - 0.28 * q);
		return fmin(m->hi, end - (end - m->lo) * fade + noise - over);
	case SCHEDULE:
		return m->lo + span * 0.5 * (1.0 + cos(PI * t));
	default:
		return m->lo + span * (0.5 + 0.15 * rng_noise(r));
	}
}

/* The one value of a final metric for a run of quality q. */
static double final_value(const struct mdef *m, double q, struct rng *r)
{
	double x = fmin(1.0, fmax(0.0, 0.3 + 0.6 * q + 0.05 * rng_noise(r)));

	return m->shape == FINAL_LOW ? m->hi - (m->hi - m->lo) * x : m->lo + (m->hi - m->lo) * x;
}

/* Where a loss history holds a NaN: failed runs often diverge at the end, a few
 * others hiccup once; -1 for none. */
static int nan_step(const struct run *ru, const struct series *s, struct rng *r)
{
	double u;

	if (s->final || s->n < 5 || strcmp(s->m->key, "loss") != 0)
		return -1;
	u = rng_unit(r);
	if (strcmp(ru->status, "FAILED") == 0 && u < 0.4)
		return s->n - 1;
	if (u < 0.03)
		return (int)rng_int(r, 1, s->n - 2);
	return -1;
}

/* Bind point p to the six parameters of st from col on. */
static void bind_point(sqlite3_stmt *st, int col, const struct point *p)
{
	sqlite3_bind_int64(st, col, p->run);
	sqlite3_bind_int(st, col + 1, p->key);
	sqlite3_bind_int(st, col + 2, p->step);
	sqlite3_bind_int64(st, col + 3, p->ts);
	sqlite3_bind_double(st, col + 4, p->is_nan ? 0.0 : p->value);
	sqlite3_bind_int(st, col + 5, p->is_nan);
}

/* Insert the buffered points: POINT_ROWS in one statement, a rest one by one;
 * report progress every PROGRESS_POINTS points written. */
static int flush_points(struct gen *g)
{
	int64_t before = g->points;

	if (g->npts == POINT_ROWS) {
		for (int i = 0; i < POINT_ROWS; i++)
			bind_point(g->points_st, 1 + 6 * i, &g->pts[i]);
		if (step_rows(g, g->points_st, POINT_ROWS) < 0)
			return -1;
	} else {
		for (int i = 0; i < g->npts; i++) {
			bind_point(g->st[S_METRIC], 1, &g->pts[i]);
			if (demo_step(g, g->st[S_METRIC]) < 0)
				return -1;
		}
	}
	g->points += g->npts;
	g->npts = 0;
	if (g->o->progress && g->points / PROGRESS_POINTS != before / PROGRESS_POINTS)
		g->o->progress(g->o->progress_ctx, g->points, g->total);
	return 0;
}

/* Add one metric point; it is written with the next POINT_ROWS. */
static int put_point(struct gen *g, int64_t run, int key, int step_no, int64_t ts, double v,
		     int is_nan)
{
	g->pts[g->npts++] = (struct point){run, ts, v, key, step_no, is_nan};
	return g->npts == POINT_ROWS ? flush_points(g) : 0;
}

/* One series of run i: its history at evenly spaced times, or its final point. */
static int write_series(struct gen *g, int64_t i, const struct series *s, int64_t dt, struct rng *r)
{
	const struct run *ru = &g->runs[i];
	int nan_at = nan_step(ru, s, r);

	if (s->final)
		return put_point(g, i + 1, s->key, 0, ru->end ? ru->end : g->now - 1000,
				 final_value(s->m, ru->quality, r), 0);
	for (int k = 0; k < s->n; k++)
		if (put_point(g, i + 1, s->key, k, ru->start + (k + 1) * dt,
			      curve_value(s->m, k, s->n, ru->quality, r), k == nan_at) < 0)
			return -1;
	return 0;
}

/* Run i's metrics, in primary-key order. */
static int write_metrics(struct gen *g, int64_t i, struct rng *r)
{
	const struct run *ru = &g->runs[i];
	struct series s[MAX_CURVES + MAX_FINALS];
	int n = plan_series(g, ru, s);
	int64_t dur = (ru->end ? ru->end : g->now) - ru->start;
	int64_t dt = max64(1, dur / (max_steps(s, n) + 1));

	for (int k = 0; k < n; k++)
		if (write_series(g, i, &s[k], dt, r) < 0)
			return -1;
	return 0;
}

/* Run i's params: 4 to 10 of its experiment's, as strings. */
static int write_params(struct gen *g, int64_t i, struct rng *r)
{
	const struct edef *e = &exp_defs[g->runs[i].exp];
	int n = (int)rng_int(r, 4, MAX_PARAMS);

	for (int k = 0; k < n; k++) {
		const struct pdef *p = &e->params[k];
		int nv = 0;

		while (nv < 6 && p->values[nv])
			nv++;
		if (demo_put(g, S_PARAM, "itt", i + 1, p->key, p->values[rng_int(r, 0, nv - 1)]) <
		    0)
			return -1;
	}
	return 0;
}

/* Run i's system tags, as the MLflow client sets them. */
static int write_run_tags(struct gen *g, int64_t i, const char *name, struct rng *r)
{
	const struct run *ru = &g->runs[i];
	const char *commit = g->commits[ru->exp][rng_int(r, 0, 5)];
	const char *type = rng_unit(r) < 0.7 ? "JOB" : "LOCAL";

	if (demo_put(g, S_RUN_TAG, "itt", i + 1, "mlflow.runName", name) < 0 ||
	    demo_put(g, S_RUN_TAG, "itt", i + 1, "mlflow.source.git.commit", commit) < 0 ||
	    demo_put(g, S_RUN_TAG, "itt", i + 1, "mlflow.source.name", exp_defs[ru->exp].source) <
		0 ||
	    demo_put(g, S_RUN_TAG, "itt", i + 1, "mlflow.source.type", type) < 0 ||
	    demo_put(g, S_RUN_TAG, "itt", i + 1, "mlflow.user", demo_users[ru->user]) < 0)
		return -1;
	return 0;
}

/* The snapshot of a dataset of experiment e in use at time t (a new one
 * every period): its digest (8 hex digits of a hash, as MLflow's), source
 * and profile, written for run i in context (MLflow 2.17.2's REST API). */
static int write_input(struct gen *g, int64_t i, int e, const char *kind, const char *context,
		       int64_t t, int64_t period)
{
	int64_t at = t - t % period;
	time_t sec = (time_t)(at / 1000);
	struct tm tm;
	char name[64], date[16], key[96], hex[SHA256_HEX_LEN], source[160], profile[80];
	int64_t rows;

	gmtime_r(&sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(name, sizeof name, "%s-%s", exp_defs[e].name, kind);
	snprintf(key, sizeof key, "%s@%s", name, date);
	sha256_hex(key, strlen(key), hex);
	hex[8] = '\0';
	snprintf(source, sizeof source, "{\"uri\": \"s3://ml-data/%s/%s-%s.parquet\"}",
		 exp_defs[e].name, kind, date);
	rows = 20000 + (int64_t)(strtoul(hex + 4, NULL, 16) % 50000);
	snprintf(profile, sizeof profile, "{\"num_rows\": %lld, \"num_elements\": %lld}",
		 (long long)rows, (long long)rows * 12);
	return demo_put(g, S_INPUT, "ittttttt", i + 1, name, hex, context, "s3", source, "",
			profile);
}

/* The datasets run i used: its experiment's training data (a snapshot every
 * two weeks, so later versions were retrained on changed data) and its
 * evaluation data (one every quarter). */
static int write_inputs(struct gen *g, int64_t i)
{
	const struct run *ru = &g->runs[i];

	if (write_input(g, i, ru->exp, "train", "training", ru->start, 14 * DAY_MS) < 0)
		return -1;
	return write_input(g, i, ru->exp, "eval", "evaluation", ru->start, 91 * DAY_MS);
}

/* Run i with its params, tags and metrics. */
static int write_run(struct gen *g, int64_t i, struct rng *r)
{
	const struct run *ru = &g->runs[i];
	char name[64], uri[96];

	snprintf(name, sizeof name, "%s-%s-%d", PICK(r, adjectives), PICK(r, animals),
		 (int)rng_int(r, 100, 999));
	snprintf(uri, sizeof uri, "s3://ml-artifacts/mlflow/%d/%s/artifacts", ru->exp + 1,
		 ru->uuid);
	if (demo_put(g, S_RUN, "ititttiItt", i + 1, ru->uuid, (int64_t)ru->exp + 1, name,
		     demo_users[ru->user], ru->status, ru->start, ru->end, uri,
		     ru->deleted ? "deleted" : "active") < 0)
		return -1;
	if (write_params(g, i, r) < 0 || write_run_tags(g, i, name, r) < 0 ||
	    write_inputs(g, i) < 0)
		return -1;
	return write_metrics(g, i, r);
}

/* Every run. */
static int write_runs(struct gen *g)
{
	struct rng r = rng_for(g->seed, P_RUN_DATA);

	for (int64_t i = 0; i < g->nruns; i++)
		if (write_run(g, i, &r) < 0)
			return -1;
	if (flush_points(g) < 0)
		return -1;
	if (g->o->progress)
		g->o->progress(g->o->progress_ctx, g->points, g->total);
	return 0;
}

/* ---- audit events -------------------------------------------------------- */

/* Remember an audit record; subject and detail become the generator's. */
void demo_event(struct gen *g, int64_t at, const char *actor, const char *action, char *subject,
		char *detail)
{
	if (g->nevents == g->events_cap) {
		g->events_cap = g->events_cap ? 2 * g->events_cap : 256;
		g->events = xrealloc(g->events, g->events_cap * sizeof *g->events);
	}
	g->events[g->nevents] =
	    (struct event){at, (int64_t)g->nevents, actor, action, subject, detail};
	g->nevents++;
}

/* qsort order of events: by time, then as recorded. */
static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->at != y->at)
		return (x->at > y->at) - (x->at < y->at);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Each environment's policy record, a minute before the first event, carrying
 * the whole policy as the console's own records do (env list compares). */
static int policy_events(struct gen *g)
{
	int64_t first = g->now;

	for (size_t i = 0; i < g->nevents; i++)
		if (g->events[i].at < first)
			first = g->events[i].at;
	for (int e = 0; e < N_ENV; e++) {
		struct strbuf detail = {0};
		sb_add(&detail, "created; policy: ");
		if (audit_env_policy(g->db, (int64_t)e + 1, &detail, g->err) < 0) {
			sb_free(&detail);
			return -1;
		}
		demo_event(g, first - 60000, "mlconsole", "policy", xstrdup(demo_env_names[e]),
			   sb_detach(&detail));
	}
	return 0;
}

/* The audit log in time order, as a hash chain, ending with this demo's own record. */
static int write_audit(struct gen *g)
{
	if (policy_events(g) < 0)
		return -1;
	demo_event(g, g->now, "mlconsole", "demo create", xstrdup("registry"),
		   xasprintf("seed %llu: %d models, %lld runs, %lld metric points",
			     (unsigned long long)g->seed, g->nmodels, (long long)g->nruns,
			     (long long)g->total));
	qsort(g->events, g->nevents, sizeof *g->events, cmp_event);
	for (size_t i = 0; i < g->nevents; i++) {
		const struct event *ev = &g->events[i];

		if (audit_append(g->db, ev->at, ev->actor, ev->action, ev->subject, ev->detail,
				 g->err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the file ------------------------------------------------------------ */

/* Keep schema.c's metrics trigger aside: latest_metrics is filled in one go. */
static int drop_trigger(struct gen *g)
{
	sqlite3_stmt *st = sql_prep(g->db, g->path,
				    "SELECT sql FROM sqlite_master"
				    " WHERE type = 'trigger' AND name = 'metrics_latest'",
				    g->err);

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		g->trigger_sql = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return g->trigger_sql ? exec(g, "DROP TRIGGER metrics_latest") : 0;
}

/* Give a message from schema.c the registry's path. */
static int schema_error(struct gen *g)
{
	char msg[sizeof g->err->msg];

	if (g->err == NULL)
		return -1;
	snprintf(msg, sizeof msg, "%s", g->err->msg);
	return mlc_error_set(g->err, g->err->code, "%s: %s", g->path, msg);
}

/* The statement inserting POINT_ROWS metric points at once. */
static int prepare_points(struct gen *g)
{
	static const char head[] = "INSERT INTO metrics (run_id, key_id, step, timestamp, value,"
				   " is_nan) VALUES (?,?,?,?,?,?)";
	char sql[sizeof head + POINT_ROWS * 16];
	size_t n = snprintf(sql, sizeof sql, "%s", head);

	for (int i = 1; i < POINT_ROWS; i++)
		n += snprintf(sql + n, sizeof sql - n, ",(?,?,?,?,?,?)");
	g->points_st = sql_prep(g->db, g->path, sql, g->err);
	return g->points_st ? 0 : -1;
}

/* Open the temporary file for a fast bulk load: no journal, no indexes. */
static int open_db(struct gen *g, const char *tmp)
{
	/* No mutex: the connection never leaves this function's thread. */
	if (sqlite3_open_v2(tmp, &g->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		return db_error(g);
	if (exec(g, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
		    " PRAGMA cache_size = -65536") < 0)
		return -1;
	if (schema_migrate(g->db, g->path, g->err) < 0)
		return -1;
	if (schema_drop_indexes(g->db, g->err) < 0)
		return schema_error(g);
	if (drop_trigger(g) < 0)
		return -1;
	for (int s = 0; s < S_COUNT; s++)
		if ((g->st[s] = sql_prep(g->db, g->path, stmt_sql[s], g->err)) == NULL)
			return -1;
	return prepare_points(g);
}

/* latest_metrics by MLflow's rule, the trigger's order: per run and key, the row at
 * the highest step that no other row there beats by (timestamp, not NaN, value).
 * Walks the primary key; a window function would sort all the points. */
static const char latest_sql[] =
    "INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value, is_nan)"
    " SELECT m.run_id, m.key_id, m.step, m.timestamp, m.value, m.is_nan"
    " FROM (SELECT run_id, key_id, max(step) AS step FROM metrics GROUP BY run_id, key_id) AS g"
    " JOIN metrics AS m ON m.run_id = g.run_id AND m.key_id = g.key_id AND m.step = g.step"
    " WHERE NOT EXISTS (SELECT 1 FROM metrics AS n"
    "  WHERE n.run_id = m.run_id AND n.key_id = m.key_id AND n.step = m.step"
    "  AND (n.timestamp, 1 - n.is_nan, n.value) > (m.timestamp, 1 - m.is_nan, m.value))";

/* Close the database; returns -1 if SQLite reports a failure. */
static int close_db(struct gen *g)
{
	int rc;

	for (int s = 0; s < S_COUNT; s++) {
		sqlite3_finalize(g->st[s]);
		g->st[s] = NULL;
	}
	sqlite3_finalize(g->points_st);
	g->points_st = NULL;
	if (g->db == NULL)
		return 0;
	rc = sqlite3_close(g->db);
	if (rc != SQLITE_OK)
		mlc_error_set(g->err, MLC_ERR_FAILED, "%s: %s", g->path, sqlite3_errstr(rc));
	g->db = NULL;
	return rc == SQLITE_OK ? 0 : -1;
}

/* After the load: latest metrics, the trigger back, indexes, WAL, closed (the
 * install syncs it). */
static int finish(struct gen *g)
{
	if (g->trigger_sql && (exec(g, latest_sql) < 0 || exec(g, g->trigger_sql) < 0))
		return -1;
	if (schema_create_indexes(g->db, g->err) < 0)
		return schema_error(g);
	if (exec(g, "COMMIT") < 0 || exec(g, "PRAGMA journal_mode = WAL") < 0)
		return -1;
	return close_db(g);
}

/* Generate the whole registry into tmp. */
static int build(struct gen *g, const char *tmp)
{
	plan_runs(g);
	if (open_db(g, tmp) < 0 || exec(g, "BEGIN") < 0)
		return -1;
	if (write_environments(g) < 0 || write_experiments(g) < 0 || write_metric_keys(g) < 0 ||
	    write_runs(g) < 0 || demo_write_models(g) < 0 || write_audit(g) < 0)
		return -1;
	return finish(g);
}

/* ---- paths --------------------------------------------------------------- */

/* 1 if path is empty or one of our registries (its SQLite header carries our
 * application_id): the only files --force may replace. */
static int replaceable(const char *path)
{
	unsigned char hdr[100];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, hdr, sizeof hdr);
	close(fd);
	if (n == 0)
		return 1;
	return n == (ssize_t)sizeof hdr && memcmp(hdr, "SQLite format 3", 16) == 0 &&
	       ((uint32_t)hdr[68] << 24 | (uint32_t)hdr[69] << 16 | (uint32_t)hdr[70] << 8 |
		hdr[71]) == MLC_APPLICATION_ID;
}

/* Refuse an existing path (unless force), anything but a file, and any file
 * that is not an mlconsole registry (README "Which registry": never written). */
static int check_target(const char *path, int force, struct mlc_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(errno));
	}
	if (!force)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s: already exists (use --force to overwrite)", path);
	if (S_ISDIR(st.st_mode))
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: is a directory", path);
	/* Never open a FIFO or a device to look at it (the open would block). */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: not a regular file", path);
	if (!replaceable(path))
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "%s: not an mlconsole registry; --force only replaces mlconsole registries",
		    path);
	return 0;
}

/* Move the finished file to path in one step (dbfile.c: the same move as a new
 * registry's, never over a file made meanwhile unless --force replaces ours). */
static int install(struct dbfile_tmp *t, const char *path, int force, struct mlc_error *err)
{
	int rc = check_target(path, force, err);

	if (rc == 0)
		rc = dbfile_tmp_install(t, path, force, err);
	if (rc == 1)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s: already exists (use --force to overwrite)", path);
	if (rc < 0)
		return -1;
	audit_head_forget(path); /* a new log: the head seen of the file replaced is moot */
	return 0;
}

/* The options' "now", or the clock's. */
static int64_t now_ms(const struct demo_opts *o)
{
	struct timespec ts;

	if (o->now_ms)
		return o->now_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Free what the generator holds. */
static void gen_free(struct gen *g)
{
	close_db(g);
	for (size_t i = 0; i < g->nevents; i++) {
		free(g->events[i].subject);
		free(g->events[i].detail);
	}
	free(g->events);
	free(g->runs);
	free(g->trigger_sql);
}

/* The model, environment and rule of the demo's alert (issue 16). */
#define ALERT_MODEL "fraud-detector"
#define ALERT_ENV "staging"

/* Check rules (read from r) at now as carol, the operator whose timer runs
 * alerts check; -1 on error. */
static int check_alerts(struct registry *r, int64_t now, struct mlc_error *err)
{
	struct mlc_alert_rule_list rules = {0};
	struct alert_result_list res = {0};
	int rc = registry_alert_rules(r, ALERT_MODEL, &rules, err);

	if (rc == 0 && alert_check(r, &rules, NULL, "carol", now, &res, err) < 0)
		rc = -1;
	MLC_LIST_FREE(&res);
	MLC_LIST_FREE(&rules);
	return rc;
}

/* The demo's alert story, through the registry's own operations as `alerts
 * rule set` and `alerts check` make it: alice's rule on fraud-detector's
 * drifting amount in staging fires at the last windows and opens a rollback
 * request there, pending. A demo without that model has no alert. */
static int write_alert(const char *path, int64_t now, struct mlc_error *err)
{
	struct registry_open_opts oo = {.now_ms = now}; /* the same demo every time */
	struct registry *r = registry_sqlite_open(path, &oo, err);
	struct mlc_alert_rule rule;
	struct mlc_version_list v = {0};
	int rc;

	if (r == NULL)
		return -1;
	if (registry_list_versions(r, ALERT_MODEL, &v, err) < 0) {
		MLC_LIST_FREE(&v);
		registry_close(r);
		mlc_error_clear(err);
		return 0;
	}
	MLC_LIST_FREE(&v);
	rc = alert_rule_parse(&rule, ALERT_MODEL, ALERT_ENV, "amount-drift", "amount", NULL, "3",
			      "1d", "rollback", err);
	if (rc == 0)
		rc = registry_alert_rule_put(r, &rule, 0, "alice", err);
	if (rc == 0)
		rc = check_alerts(r, now, err);
	registry_close(r);
	audit_head_forget(path); /* the head its writes remembered is of the temporary file */
	return rc;
}

int demo_create(const char *path, const struct demo_opts *opts, struct mlc_error *err)
{
	static const struct demo_opts defaults;
	const struct demo_opts *o = opts ? opts : &defaults;
	struct gen g = {.path = path, .err = err, .o = o, .seed = o->seed, .now = now_ms(o)};
	struct rng r = rng_for(o->seed, P_SIZES);
	struct dbfile_tmp t;
	int rc;

	if (resolve(&g, o, &r) < 0 || check_target(path, o->force, err) < 0 ||
	    dbfile_tmp_open(&t, path, err) < 0)
		return -1;
	rc = build(&g, t.name);
	gen_free(&g);
	if (rc == 0)
		rc = write_alert(t.name, g.now, err);
	if (rc == 0)
		rc = install(&t, path, o->force, err);
	dbfile_tmp_discard(&t);
	return rc;
}
