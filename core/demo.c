/* demo.c: the generator of realistic demo registries, and of benchmark data:
 * experiments with runs and metric histories, models with versions, deployments
 * through approvals, drift series. Built in a temporary file renamed into place. */
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
#include "audit.h"
#include "dbfile.h"
#include "demo.h"
#include "schema.h"
#include "sqlutil.h"
#include "xmalloc.h"

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define MAX_MODELS 1000
#define MAX_RUNS 1000000LL
#define MAX_POINTS 10000000LL
#define POINTS_PER_RUN 50
#define MAX_STEPS 200 /* the longest metric history */
#define MAX_CURVES 12 /* metrics with a history, per run */
#define MAX_FINALS 6  /* metrics logged once, per run */
#define MAX_PARAMS 10
#define MAX_VERSIONS 25
#define BATCH_ROWS 50000 /* rows per transaction */
#define PROGRESS_POINTS 65536
#define POINT_ROWS 32 /* metric points per INSERT: halves the cost of a point */
#define N_EXP 4
#define N_FEATURES 10
#define DRIFT_DAYS 90
#define DRIFT_RAMP 21 /* days over which the two drifting features climb */
#define THRESHOLD 0.1 /* DRIFT.md: wasserstein, psi and jensenshannon defaults */
#define N_PENDING 3   /* open promotion requests */
#define PI 3.14159265358979323846
#define COUNT(a) ((int64_t)(sizeof(a) / sizeof((a)[0])))
#define PICK(r, a) ((a)[rng_int((r), 0, COUNT(a) - 1)])

/* ---- data the demo is made of ------------------------------------------ */

/* The environments, in order, and the production policy's approvers. */
enum { ENV_DEV, ENV_STAGING, ENV_PROD, N_ENV };
static const char *const env_names[N_ENV] = {"dev", "staging", "production"};
static const int env_approvals[N_ENV] = {0, 0, 2};
static const int env_require_previous[N_ENV] = {0, 1, 1};

/* clang-format off */
static const char *const users[] = {"alice", "bob", "carol", "dave", "erin"};
static const char *const approvers[] = {"alice", "bob", "carol"};
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
static const char *const version_notes[] = {
    "", "", "", "Retrained on the latest 90 days of data.",
    "Hyper-parameters from the last sweep.", "Adds two features; same training window.",
    "Fixes the label leakage found in review.", "Smaller model for the latency budget.",
    "Recalibrated scores (isotonic)."};
static const char *const request_notes[] = {
    "Retrained on the last 90 days; offline metrics up, latency unchanged.",
    "Shadow traffic for 48h looks clean; ready for production.",
    "Same features, better hyper-parameters from the sweep.",
    "Fixes the calibration drift we saw last week."};
static const char *const approve_notes[] = {
    "LGTM.", "Checked the drift report and the canary: ok.", "Metrics look good.",
    "Approved; watch p99 latency after the rollout."};

/* clang-format on */
/* How a metric evolves: curves get one point per step, finals one point. */
enum shape { FALL, RISE, SCHEDULE, FLAT, FINAL_HIGH, FINAL_LOW };

struct mdef {
	const char *key;
	enum shape shape;
	double lo, hi; /* the range the values live in */
};

struct pdef {
	const char *key;
	const char *values[6];
};

struct edef {
	const char *name, *team, *owner, *note, *source;
	struct mdef curves[MAX_CURVES]; /* the first nbase always, more when the budget asks */
	int nbase;
	struct mdef finals[MAX_FINALS];
	int nfinals;
	struct pdef params[MAX_PARAMS];
};

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

struct fdef {
	const char *name;
	int categorical;
};

struct model_def {
	const char *name, *desc, *team, *owner, *framework, *task, *dataset;
	int exp;
	struct fdef features[N_FEATURES];
};

/* clang-format off */
static const struct model_def model_defs[] = {
    {"fraud-detector", "Scores card transactions for fraud in real time; blocks above 0.92.",
     "risk", "alice", "xgboost", "binary-classification", "transactions", 0,
     {{"amount", 0}, {"merchant_category", 1}, {"hour_of_day", 0}, {"country", 1},
      {"card_age_days", 0}, {"txn_count_24h", 0}, {"device_type", 1},
      {"distance_from_home_km", 0}, {"avg_amount_7d", 0}, {"is_international", 1}}},
    {"churn-predictor", "Monthly probability that a subscriber cancels; feeds retention.",
     "growth", "bob", "lightgbm", "binary-classification", "subscribers", 1,
     {{"tenure_months", 0}, {"monthly_charges", 0}, {"total_charges", 0}, {"contract_type", 1},
      {"payment_method", 1}, {"support_tickets_90d", 0}, {"days_since_login", 0}, {"plan", 1},
      {"region", 1}, {"num_products", 0}}},
    {"demand-forecast", "Daily unit demand per store and SKU, 28 days ahead.", "supply-chain",
     "carol", "pytorch", "forecasting", "sales", 2,
     {{"price", 0}, {"promo", 1}, {"day_of_week", 1}, {"store_id", 1}, {"temperature", 0},
      {"holiday", 1}, {"lag_7", 0}, {"lag_28", 0}, {"rolling_mean_14", 0}, {"category", 1}}},
    {"recsys-ranker", "Ranks candidate items for the home feed.", "discovery", "dave", "pytorch",
     "ranking", "interactions", 3,
     {{"user_age", 0}, {"item_popularity", 0}, {"session_length", 0}, {"device", 1},
      {"item_category", 1}, {"price", 0}, {"dwell_time_s", 0}, {"position", 0},
      {"hour_of_day", 0}, {"country", 1}}},
    {"credit-risk", "Probability of default at 12 months for consumer loan applications.",
     "risk", "erin", "sklearn", "binary-classification", "applications", 0,
     {{"income", 0}, {"debt_to_income", 0}, {"credit_utilization", 0}, {"age", 0},
      {"employment_type", 1}, {"loan_amount", 0}, {"loan_purpose", 1}, {"open_accounts", 0},
      {"delinquencies_2y", 0}, {"home_ownership", 1}}},
    {"image-classifier", "Classifies product photos into 212 catalogue categories.", "vision",
     "carol", "pytorch", "image-classification", "product-images", 3,
     {{"brightness", 0}, {"contrast", 0}, {"width", 0}, {"height", 0}, {"aspect_ratio", 0},
      {"sharpness", 0}, {"mean_red", 0}, {"mean_green", 0}, {"mean_blue", 0}, {"camera", 1}}},
    {"sentiment-bert", "Fine-tuned BERT labelling support messages by sentiment.", "nlp", "erin",
     "transformers", "text-classification", "support-messages", 1,
     {{"text_length", 0}, {"num_tokens", 0}, {"language", 1}, {"oov_rate", 0},
      {"exclamations", 0}, {"emoji_rate", 0}, {"channel", 1}, {"hour_of_day", 0},
      {"uppercase_ratio", 0}, {"url_count", 0}}},
    {"eta-regressor", "Predicts delivery time in minutes from pickup to drop-off.", "logistics",
     "bob", "lightgbm", "regression", "trips", 2,
     {{"distance_km", 0}, {"hour_of_day", 0}, {"day_of_week", 1}, {"weather", 1},
      {"traffic_index", 0}, {"pickup_zone", 1}, {"dropoff_zone", 1}, {"vehicle_type", 1},
      {"courier_rating", 0}, {"num_stops", 0}}},
};
/* clang-format on */

/* ---- the generator's state ----------------------------------------------- */

struct rng {
	uint64_t s;
};

/* A run as planned before any row is written: versions need to pick from them. */
struct run {
	char uuid[33];
	const char *status;
	int64_t start, end; /* end is 0 while RUNNING */
	int64_t budget;	    /* metric points */
	double quality;	    /* 0 (poor) to 1 (best): shapes every metric of the run */
	int exp, user, deleted;
};

/* One metric of one run: a history of n points, or one final point. */
struct series {
	int key; /* metric_keys.id */
	const struct mdef *m;
	int n, final;
};

/* A metric point waiting in the buffer. */
struct point {
	int64_t run, ts;
	double value;
	int key, step, is_nan;
};

/* An audit record waiting to be written in time order. */
struct event {
	int64_t at, seq;
	const char *actor, *action;
	char *subject, *detail;
};

enum stmt {
	S_ENV,
	S_APPROVER,
	S_EXP,
	S_EXP_TAG,
	S_KEY,
	S_RUN,
	S_PARAM,
	S_RUN_TAG,
	S_METRIC,
	S_MODEL,
	S_MODEL_TAG,
	S_VERSION,
	S_VERSION_TAG,
	S_ALIAS,
	S_REQUEST,
	S_VOTE,
	S_DEPLOY,
	S_HOOK,
	S_DRIFT,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
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

/* Independent random streams, so that one part's size never shifts another's data. */
enum part { P_SIZES = 1, P_RUNS, P_RUN_DATA, P_MODELS, P_DRIFT };

struct gen {
	sqlite3 *db;
	const char *path; /* the registry's path, for messages */
	struct mlc_error *err;
	const struct demo_opts *o;
	uint64_t seed;
	int64_t now;
	int nmodels;
	sqlite3_stmt *st[S_COUNT];
	sqlite3_stmt *points_st; /* inserts POINT_ROWS points */
	struct point pts[POINT_ROWS];
	int npts;
	int64_t rows;	       /* rows in the open transaction */
	int64_t points, total; /* metric points written, and to write */
	struct run *runs;
	int64_t nruns;
	int64_t first[N_EXP + 1]; /* experiment e's runs: [first[e], first[e + 1]) */
	int curve_key[N_EXP][MAX_CURVES], final_key[N_EXP][MAX_FINALS];
	const char *keys[N_EXP * (MAX_CURVES + MAX_FINALS)];
	int nkeys;
	char commits[N_EXP][6][41];
	struct event *events;
	size_t nevents, events_cap;
	int64_t next_version, next_request, next_deploy;
	char *trigger_sql; /* schema.c's metrics trigger, dropped during the load */
};

/* ---- random numbers ---------------------------------------------------- */

/* splitmix64: the next 64 random bits, the same on every platform. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* The random stream for one part of the demo. */
static struct rng rng_for(uint64_t seed, enum part part)
{
	struct rng r = {seed ^ ((uint64_t)part * 0xD1B54A32D192ED03ULL)};

	rng_next(&r);
	return r;
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static int64_t rng_int(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Triangular noise in (-1, 1): cheap enough for ten million points. */
static double rng_noise(struct rng *r)
{
	return rng_unit(r) + rng_unit(r) - 1.0;
}

/* Standard normal (Box-Muller). */
static double rng_gauss(struct rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * PI * v);
}

/* n random lowercase hex digits into buf (n + 1 bytes). */
static void rng_hex(struct rng *r, char *buf, int n)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t bits = 0;

	for (int i = 0; i < n; i++) {
		if (i % 16 == 0)
			bits = rng_next(r);
		buf[i] = hex[bits & 15];
		bits >>= 4;
	}
	buf[n] = '\0';
}

/* The larger of a and b. */
static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* The smaller of a and b. */
static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

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
static int step(struct gen *g, sqlite3_stmt *st)
{
	return step_rows(g, st, 1);
}

/* Insert one row through statement s. fmt gives the arguments' types: i int64_t,
 * I int64_t stored as NULL when 0, t text (NULL allowed), d double. */
static int put(struct gen *g, enum stmt s, const char *fmt, ...)
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
	return step(g, st);
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
		return mlc_error_set(g->err, MLC_ERR_USAGE,
				     "%s: %lld points need more runs (%lld runs hold at most %lld; raise --runs)",
				     g->path, (long long)g->total, (long long)g->nruns,
				     (long long)cap);
	return 0;
}

/* ---- runs: planning ------------------------------------------------------ */

/* qsort order of int64_t. */
static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

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
	ru->user = rng_unit(r) < 0.5 ? -1 : (int)rng_int(r, 0, COUNT(users) - 1);
}

/* The index in users[] of experiment e's owner. */
static int owner_of(int e)
{
	for (int i = 0; i < COUNT(users); i++)
		if (strcmp(users[i], exp_defs[e].owner) == 0)
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
		if (put(g, S_ENV, "itiiiii", (int64_t)e + 1, env_names[e], (int64_t)e + 1,
			(int64_t)env_approvals[e], (int64_t)0, (int64_t)0,
			(int64_t)env_require_previous[e]) < 0)
			return -1;
	for (int i = 0; i < COUNT(approvers); i++)
		if (put(g, S_APPROVER, "it", (int64_t)ENV_PROD + 1, approvers[i]) < 0)
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
	if (put(g, S_EXP, "ittttii", (int64_t)id, eid, name, loc, stage, created, updated) < 0 ||
	    put(g, S_EXP_TAG, "itt", (int64_t)id, "mlflow.note.content", note) < 0 ||
	    put(g, S_EXP_TAG, "itt", (int64_t)id, "team", team) < 0)
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
	if (put(g, S_KEY, "it", (int64_t)g->nkeys, name) < 0)
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
			if (step(g, g->st[S_METRIC]) < 0)
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
		if (put(g, S_PARAM, "itt", i + 1, p->key, p->values[rng_int(r, 0, nv - 1)]) < 0)
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

	if (put(g, S_RUN_TAG, "itt", i + 1, "mlflow.runName", name) < 0 ||
	    put(g, S_RUN_TAG, "itt", i + 1, "mlflow.source.git.commit", commit) < 0 ||
	    put(g, S_RUN_TAG, "itt", i + 1, "mlflow.source.name", exp_defs[ru->exp].source) < 0 ||
	    put(g, S_RUN_TAG, "itt", i + 1, "mlflow.source.type", type) < 0 ||
	    put(g, S_RUN_TAG, "itt", i + 1, "mlflow.user", users[ru->user]) < 0)
		return -1;
	return 0;
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
	if (put(g, S_RUN, "ititttiItt", i + 1, ru->uuid, (int64_t)ru->exp + 1, name,
		users[ru->user], ru->status, ru->start, ru->end, uri,
		ru->deleted ? "deleted" : "active") < 0)
		return -1;
	if (write_params(g, i, r) < 0 || write_run_tags(g, i, name, r) < 0)
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
static void event(struct gen *g, int64_t at, const char *actor, const char *action, char *subject,
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
		event(g, first - 60000, "mlconsole", "policy", xstrdup(env_names[e]), sb_detach(&detail));
	}
	return 0;
}

/* The audit log in time order, as a hash chain, ending with this demo's own record. */
static int write_audit(struct gen *g)
{
	if (policy_events(g) < 0)
		return -1;
	event(g, g->now, "mlconsole", "demo create", xstrdup("registry"),
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

/* ---- models: the deployment story ---------------------------------------- */

/* What a version goes through. */
enum { F_DEV = 1, F_STG = 2, F_PROD = 4, F_REJECT = 8, F_ROLLBACK = 16 };

struct vote {
	const char *voter, *decision, *comment;
	int64_t at;
};

struct request {
	int64_t id, at, closed;
	int version;
	const char *by, *comment, *state, *reason;
	struct vote votes[2];
	int nvotes;
};

struct deploy {
	int env, version, prev, rollback, hook; /* hook: 0 none, 1 ok, -1 failed */
	int64_t at, request;
	const char *by;
};

struct model_plan {
	int index, deployed, n; /* n versions */
	char name[64];
	const struct model_def *def;
	int64_t vtime[MAX_VERSIONS + 1], vrun[MAX_VERSIONS + 1], touched[MAX_VERSIONS + 1];
	int64_t staged_at[MAX_VERSIONS + 1];
	unsigned char flags[MAX_VERSIONS + 1];
	int ever_prod[MAX_VERSIONS + 1];
	int live[N_ENV][MAX_VERSIONS + 1], depth[N_ENV]; /* live history, for rollbacks */
	int64_t last[N_ENV];
	struct deploy deps[4 * MAX_VERSIONS];
	int ndeps;
	struct request reqs[MAX_VERSIONS + 4];
	int nreqs;
};

/* The version live in env, 0 for none. */
static int live_version(const struct model_plan *p, int env)
{
	return p->depth[env] ? p->live[env][p->depth[env] - 1] : 0;
}

/* "model:version@env", for audit subjects; the caller frees. */
static char *subject(const struct model_plan *p, int v, int env)
{
	return xasprintf("%s:%d@%s", p->name, v, env_names[env]);
}

/* The audit detail of a deployment; the caller frees. */
static char *deploy_detail(int prev, int64_t request)
{
	char from[32] = "first deployment";

	if (prev)
		snprintf(from, sizeof from, "previous version %d", prev);
	if (request)
		return xasprintf("%s; request #%lld", from, (long long)request);
	return xstrdup(from);
}

/* Record a deployment of v to env at (or after) at; returns its time. */
static int64_t deploy(struct gen *g, struct model_plan *p, int env, int v, int64_t at,
		      const char *by, int64_t request)
{
	struct deploy *d = &p->deps[p->ndeps++];
	int prev = live_version(p, env);

	at = max64(at, p->last[env] + 5 * MIN_MS);
	*d = (struct deploy){env, v, prev, 0, env != ENV_DEV, at, request, by};
	p->live[env][p->depth[env]++] = v;
	p->last[env] = at;
	p->touched[v] = at;
	if (env == ENV_PROD)
		p->ever_prod[v] = 1;
	event(g, at, by, "deploy", subject(p, v, env), deploy_detail(prev, request));
	return at;
}

/* Roll env back one step: to the version live before the current one. */
static void rollback(struct gen *g, struct model_plan *p, int env, int64_t at, const char *by)
{
	int from = p->live[env][--p->depth[env]], to = live_version(p, env);

	at = max64(at, p->last[env] + 5 * MIN_MS);
	p->deps[p->ndeps++] = (struct deploy){env, to, from, 1, 1, at, 0, by};
	p->last[env] = at;
	p->touched[to] = p->touched[from] = at;
	event(g, at, by, "rollback", subject(p, to, env),
	      xasprintf("rolled back from version %d: error rate up after the rollout", from));
}

/* An approver other than the requester and the votes so far. */
static const char *pick_voter(const struct request *q, struct rng *r)
{
	const char *c[COUNT(approvers)];
	int n = 0;

	for (int i = 0; i < COUNT(approvers); i++) {
		int taken = strcmp(approvers[i], q->by) == 0;

		for (int k = 0; k < q->nvotes; k++)
			taken |= strcmp(approvers[i], q->votes[k].voter) == 0;
		if (!taken)
			c[n++] = approvers[i];
	}
	return c[rng_int(r, 0, n - 1)];
}

/* Add a vote to request q. */
static void vote(struct gen *g, struct model_plan *p, struct request *q, const char *decision,
		 const char *comment, int64_t at, struct rng *r)
{
	struct vote *v = &q->votes[q->nvotes];

	v->voter = pick_voter(q, r);
	v->decision = decision;
	v->comment = comment;
	v->at = at;
	q->nvotes++;
	event(g, at, v->voter, decision, subject(p, q->version, ENV_PROD), xstrdup(comment));
}

/* Open a request to promote v to production. */
static struct request *request(struct gen *g, struct model_plan *p, int v, const char *by,
			       int64_t at, struct rng *r)
{
	struct request *q = &p->reqs[p->nreqs++];

	*q = (struct request){.id = g->next_request++,
			      .at = at,
			      .version = v,
			      .by = by,
			      .comment = PICK(r, request_notes),
			      .state = "pending"};
	event(g, at, by, "request", subject(p, v, ENV_PROD), xstrdup(q->comment));
	return q;
}

/* v goes to production the approved way: a request, two votes, the deployment. */
static int64_t promote(struct gen *g, struct model_plan *p, int v, int64_t at, struct rng *r)
{
	struct request *q = request(g, p, v, PICK(r, users), at, r);
	int64_t t;

	vote(g, p, q, "approve", PICK(r, approve_notes), at + rng_int(r, 20 * MIN_MS, 6 * HOUR_MS),
	     r);
	vote(g, p, q, "approve", PICK(r, approve_notes),
	     q->votes[0].at + rng_int(r, 10 * MIN_MS, 4 * HOUR_MS), r);
	t = deploy(g, p, ENV_PROD, v, q->votes[1].at, q->votes[1].voter, q->id);
	q->state = "approved";
	q->closed = t;
	q->reason = "approved";
	return t;
}

/* A request for v that an approver turns down. */
static void reject(struct gen *g, struct model_plan *p, int v, int64_t at, struct rng *r)
{
	struct request *q = request(g, p, v, PICK(r, users), at, r);

	vote(g, p, q, "reject", "p99 latency regressed 18% in staging; please profile first.",
	     at + rng_int(r, 30 * MIN_MS, 8 * HOUR_MS), r);
	q->state = "rejected";
	q->closed = q->votes[0].at;
	q->reason = "rejected";
}

/* Which versions go where: production ends at prod, staging at stg (newer when a
 * request is pending), dev at the newest; the first model gets a rollback, every
 * second one a rejected request. */
static void choose_paths(struct model_plan *p, int k, struct rng *r)
{
	int n = p->n, prod = n - 1 - (int)rng_int(r, 0, n - 2 < 2 ? n - 2 : 2);
	int stg = k < N_PENDING ? (int)rng_int(r, prod + 1, n) : prod;

	for (int v = 1; v < prod; v++) {
		double u = rng_unit(r);
		p->flags[v] = u < 0.3	 ? F_DEV | F_STG | F_PROD
			      : u < 0.55 ? F_DEV | F_STG
			      : u < 0.8	 ? F_DEV
					 : 0;
	}
	p->flags[prod] |= F_DEV | F_STG | F_PROD;
	p->flags[stg] |= F_DEV | F_STG;
	p->flags[n] |= F_DEV;
	if (k == 0) {
		int a = (int)rng_int(r, 1, prod - 2), b = (int)rng_int(r, a + 1, prod - 1);
		p->flags[a] |= F_DEV | F_STG | F_PROD;
		p->flags[b] |= F_DEV | F_STG | F_PROD | F_ROLLBACK;
	}
	for (int v = prod - 1; k % 2 == 1 && v >= 1; v--)
		if (!(p->flags[v] & F_PROD)) {
			p->flags[v] |= F_DEV | F_STG | F_REJECT;
			break;
		}
}

/* The pending request of the k-th deployed model: the staging version, newer than
 * production; the second one already has one approval. */
static void pending(struct gen *g, struct model_plan *p, int k, struct rng *r)
{
	int v = live_version(p, ENV_STAGING);
	int64_t at = p->staged_at[v] + rng_int(r, HOUR_MS, 20 * HOUR_MS);
	struct request *q = request(g, p, v, k == 1 ? "dave" : "alice", at, r);

	if (k == 1)
		vote(g, p, q, "approve", "Looks good to me; one more approval needed.",
		     at + rng_int(r, 30 * MIN_MS, 5 * HOUR_MS), r);
}

/* Walk the versions in time order through dev, staging and production. */
static void simulate(struct gen *g, struct model_plan *p, int k, struct rng *r)
{
	choose_paths(p, k, r);
	for (int v = 1; v <= p->n; v++) {
		int f = p->flags[v];
		int64_t t;

		if (!(f & F_DEV))
			continue;
		t = deploy(g, p, ENV_DEV, v, p->vtime[v] + rng_int(r, 15 * MIN_MS, 2 * HOUR_MS),
			   users[g->runs[p->vrun[v]].user], 0);
		if (!(f & F_STG))
			continue;
		t = deploy(g, p, ENV_STAGING, v, t + rng_int(r, 3 * HOUR_MS, 20 * HOUR_MS),
			   PICK(r, users), 0);
		p->staged_at[v] = t;
		if (f & F_REJECT)
			reject(g, p, v, t + rng_int(r, HOUR_MS, DAY_MS), r);
		if (!(f & F_PROD))
			continue;
		t = promote(g, p, v, t + rng_int(r, HOUR_MS, DAY_MS), r);
		if (f & F_ROLLBACK)
			rollback(g, p, ENV_PROD, t + rng_int(r, 30 * MIN_MS, 5 * HOUR_MS),
				 PICK(r, approvers));
	}
	if (k < N_PENDING)
		pending(g, p, k, r);
}

/* ---- models: planning ---------------------------------------------------- */

/* A finished, kept run of experiment e that ended before t, else any run of e. */
static int64_t pick_run(const struct gen *g, int e, int64_t t, struct rng *r)
{
	int64_t lo = g->first[e], hi = g->first[e + 1], a = lo, b = hi, found[8];
	int n = 0;

	while (a < b) {
		int64_t m = a + (b - a) / 2;
		if (g->runs[m].start < t)
			a = m + 1;
		else
			b = m;
	}
	for (int64_t i = a - 1; i >= lo && n < 8 && a - i < 500; i--) {
		const struct run *ru = &g->runs[i];
		if (!ru->deleted && strcmp(ru->status, "FINISHED") == 0 && ru->end < t)
			found[n++] = i;
	}
	if (n)
		return found[rng_int(r, 0, n - 1)];
	for (int64_t i = lo; i < hi; i++)
		if (!g->runs[i].deleted && strcmp(g->runs[i].status, "FINISHED") == 0)
			return i;
	return lo;
}

/* Model i's name, versions (times and runs) and, when deployed, its story. */
static void plan_model(struct gen *g, struct model_plan *p, int i, int *k, struct rng *r)
{
	int base = i % COUNT(model_defs);

	p->index = i;
	p->def = &model_defs[base];
	if (i < COUNT(model_defs))
		snprintf(p->name, sizeof p->name, "%s", p->def->name);
	else
		snprintf(p->name, sizeof p->name, "%s-%d", p->def->name,
			 i / (int)COUNT(model_defs) + 1);
	/* image-classifier and eta-regressor are registered but not deployed. */
	p->deployed = base != 5 && base != 7;
	p->n = (int)rng_int(r, 3, MAX_VERSIONS);
	if (p->deployed && *k == 0 && p->n < 6)
		p->n = 6; /* room for the rollback story */
	for (int v = 1; v <= p->n; v++)
		p->vtime[v] = g->now - rng_int(r, 5 * DAY_MS, 50 * DAY_MS);
	qsort(p->vtime + 1, (size_t)p->n, sizeof p->vtime[0], cmp_i64);
	for (int v = 1; v <= p->n; v++) {
		if (v > 1)
			p->vtime[v] = max64(p->vtime[v], p->vtime[v - 1] + 2 * HOUR_MS);
		p->vrun[v] = pick_run(g, p->def->exp, p->vtime[v], r);
		p->touched[v] = p->vtime[v];
	}
	if (p->deployed)
		simulate(g, p, (*k)++, r);
}

/* ---- models: writing ----------------------------------------------------- */

/* The legacy MLflow stage of v, consistent with the deployments. */
static const char *stage_of(const struct model_plan *p, int v)
{
	if (v == live_version(p, ENV_PROD))
		return "Production";
	if (v == live_version(p, ENV_STAGING))
		return "Staging";
	return p->ever_prod[v] ? "Archived" : "None";
}

/* The model's row and tags. */
static int write_model_row(struct gen *g, const struct model_plan *p, struct rng *r)
{
	const struct model_def *d = p->def;
	int64_t id = p->index + 1, updated = p->vtime[p->n];

	for (int v = 1; v <= p->n; v++)
		updated = max64(updated, p->touched[v]);
	if (put(g, S_MODEL, "ittii", id, p->name, d->desc,
		p->vtime[1] - rng_int(r, HOUR_MS, 2 * DAY_MS), updated) < 0 ||
	    put(g, S_MODEL_TAG, "itt", id, "framework", d->framework) < 0 ||
	    put(g, S_MODEL_TAG, "itt", id, "owner", d->owner) < 0 ||
	    put(g, S_MODEL_TAG, "itt", id, "task", d->task) < 0 ||
	    put(g, S_MODEL_TAG, "itt", id, "team", d->team) < 0)
		return -1;
	return 0;
}

/* Version v's row and tags. */
static int write_version(struct gen *g, const struct model_plan *p, int v, struct rng *r)
{
	const struct run *ru = &g->runs[p->vrun[v]];
	int64_t id = ++g->next_version;
	char source[160], hex[33], dataset[64], day[16];
	time_t secs = (time_t)((p->vtime[v] - DAY_MS) / 1000);
	struct tm tm;

	if (rng_unit(r) < 0.25) {
		rng_hex(r, hex, 32);
		snprintf(source, sizeof source, "models:/m-%s", hex);
	} else {
		snprintf(source, sizeof source, "s3://ml-artifacts/mlflow/%d/%s/artifacts/model",
			 ru->exp + 1, ru->uuid);
	}
	gmtime_r(&secs, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(dataset, sizeof dataset, "%s-%s", p->def->dataset, day);
	if (put(g, S_VERSION, "iiitttttii", id, (int64_t)p->index + 1, (int64_t)v, source, ru->uuid,
		stage_of(p, v), PICK(r, version_notes), users[ru->user], p->vtime[v],
		p->touched[v]) < 0 ||
	    put(g, S_VERSION_TAG, "itt", id, "dataset", dataset) < 0)
		return -1;
	if (p->flags[v] || rng_unit(r) < 0.6)
		return put(g, S_VERSION_TAG, "itt", id, "validated", "yes");
	return 0;
}

/* champion and challenger, and one alias per environment for its live version. */
static int write_aliases(struct gen *g, const struct model_plan *p)
{
	int64_t id = p->index + 1;
	int prod = live_version(p, ENV_PROD), stg = live_version(p, ENV_STAGING);
	int champion = prod ? prod : p->n - 1;
	int challenger = stg && stg != prod ? stg : p->n;

	if (put(g, S_ALIAS, "iti", id, "champion", (int64_t)champion) < 0 ||
	    put(g, S_ALIAS, "iti", id, "challenger", (int64_t)challenger) < 0)
		return -1;
	for (int e = 0; e < N_ENV; e++)
		if (live_version(p, e) &&
		    put(g, S_ALIAS, "iti", id, env_names[e], (int64_t)live_version(p, e)) < 0)
			return -1;
	return 0;
}

/* The model's promotion requests and their votes. */
static int write_requests(struct gen *g, const struct model_plan *p)
{
	for (int i = 0; i < p->nreqs; i++) {
		const struct request *q = &p->reqs[i];

		if (put(g, S_REQUEST, "iiiitittIt", q->id, (int64_t)p->index + 1,
			(int64_t)q->version, (int64_t)ENV_PROD + 1, q->by, q->at, q->comment,
			q->state, q->closed, q->reason) < 0)
			return -1;
		for (int k = 0; k < q->nvotes; k++)
			if (put(g, S_VOTE, "ittit", q->id, q->votes[k].voter, q->votes[k].decision,
				q->votes[k].at, q->votes[k].comment) < 0)
				return -1;
	}
	return 0;
}

/* What a deployment hook reported. */
static int write_hook(struct gen *g, int64_t dep, const struct deploy *d)
{
	if (d->env == ENV_STAGING)
		return put(g, S_HOOK, "iiiit", dep, d->at + 4000, (int64_t)1, (int64_t)0,
			   "./scripts/smoke-test.sh staging: exit 0");
	if (d->hook < 0)
		return put(g, S_HOOK, "iiiit", dep, d->at + 30000, (int64_t)0, (int64_t)502,
			   "POST https://hooks.example.com/deploy: HTTP 502 Bad Gateway");
	return put(g, S_HOOK, "iiiit", dep, d->at + 1500, (int64_t)1, (int64_t)200,
		   "POST https://hooks.example.com/deploy: HTTP 200");
}

/* The model's deployment history and hook outcomes. */
static int write_deployments(struct gen *g, const struct model_plan *p)
{
	for (int i = 0; i < p->ndeps; i++) {
		const struct deploy *d = &p->deps[i];
		int64_t id = ++g->next_deploy;

		if (put(g, S_DEPLOY, "iiiiItitI", id, (int64_t)p->index + 1, (int64_t)d->env + 1,
			(int64_t)d->version, (int64_t)d->prev, d->rollback ? "rollback" : "deploy",
			d->at, d->by, d->request) < 0)
			return -1;
		if (d->hook && write_hook(g, id, d) < 0)
			return -1;
	}
	return 0;
}

/* A day's drift score: noise well under the threshold, or for a drifting feature a
 * climb over the last DRIFT_RAMP days to peak. */
static double drift_score(double base, double peak, int day, struct rng *r)
{
	double s = base + 0.006 * rng_noise(r) + 0.004 * sin(2 * PI * day / 7.0);
	int ramp = day - (DRIFT_DAYS - DRIFT_RAMP) + 1;

	if (peak > 0 && ramp > 0)
		return base + (peak - base) * pow((double)ramp / DRIFT_RAMP, 1.3) +
		       0.004 * rng_noise(r);
	return fmin(0.07, fmax(0.002, s));
}

/* DRIFT_DAYS daily points for each of the model's features; only the first
 * model's first two features drift. */
static int write_drift(struct gen *g, const struct model_plan *p, struct rng *r)
{
	int64_t today = g->now / DAY_MS * DAY_MS;

	for (int f = 0; f < N_FEATURES; f++) {
		const struct fdef *fd = &p->def->features[f];
		const char *method = fd->categorical ? "jensenshannon"
				     : f % 2	     ? "psi"
						     : "wasserstein";
		double base = 0.012 + 0.03 * rng_unit(r);
		double peak = p->index == 0 && f < 2 ? (f == 0 ? 0.24 : 0.19) : 0;
		int64_t nref = rng_int(r, 8000, 50000);

		for (int day = 0; day < DRIFT_DAYS; day++) {
			double s = drift_score(base, peak, day, r);
			int64_t cur = rng_int(r, 3000, 6000) * (day % 7 >= 5 ? 6 : 10) / 10;

			if (put(g, S_DRIFT, "ititdddiii", (int64_t)p->index + 1, fd->name,
				today - (DRIFT_DAYS - 1 - day) * DAY_MS, method, s, s, THRESHOLD,
				(int64_t)(s >= THRESHOLD), nref, cur) < 0)
				return -1;
		}
	}
	return 0;
}

/* Make the hook of the latest production deployment fail (on the second model). */
static void fail_last_hook(struct model_plan *p)
{
	for (int d = p->ndeps - 1; d >= 0; d--)
		if (p->deps[d].env == ENV_PROD) {
			p->deps[d].hook = -1;
			return;
		}
}

/* Everything of model i. */
static int write_model(struct gen *g, int i, int *k, struct rng *r, struct rng *dr)
{
	struct model_plan *p = xcalloc(1, sizeof *p);
	int rc = -1;

	plan_model(g, p, i, k, r);
	if (p->deployed && *k == 2)
		fail_last_hook(p);
	if (write_model_row(g, p, r) < 0)
		goto out;
	for (int v = 1; v <= p->n; v++)
		if (write_version(g, p, v, r) < 0)
			goto out;
	if (write_aliases(g, p) < 0 || write_requests(g, p) < 0 || write_deployments(g, p) < 0)
		goto out;
	if (live_version(p, ENV_PROD) && write_drift(g, p, dr) < 0)
		goto out;
	rc = 0;
out:
	free(p);
	return rc;
}

/* Every model. */
static int write_models(struct gen *g)
{
	struct rng r = rng_for(g->seed, P_MODELS), dr = rng_for(g->seed, P_DRIFT);
	int k = 0;

	g->next_request = 1;
	for (int i = 0; i < g->nmodels; i++)
		if (write_model(g, i, &k, &r, &dr) < 0)
			return -1;
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
	    write_runs(g) < 0 || write_models(g) < 0 || write_audit(g) < 0)
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
	       ((uint32_t)hdr[68] << 24 | (uint32_t)hdr[69] << 16 | (uint32_t)hdr[70] << 8 | hdr[71]) ==
		   MLC_APPLICATION_ID;
}

/* Refuse an existing path (unless force), anything but a file, and any file
 * that is not an mlconsole registry (DESIGN.md: never written). */
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
		rc = install(&t, path, o->force, err);
	dbfile_tmp_discard(&t);
	return rc;
}
