/* demo_impl.h: what the demo generator's files share inside core/ — its
 * sizes, the experiments' and runs' types, the generator's state, the
 * random streams (inline: the same numbers on every platform), and the few
 * calls demo_models.c makes into demo.c. Not for tui/. */
#ifndef MLC_DEMO_IMPL_H
#define MLC_DEMO_IMPL_H
#include <math.h>
#include <stdint.h>
#include <sqlite3.h>
#include "demo.h"
#include "error.h"

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
#define THRESHOLD 0.1 /* the default threshold of wasserstein, psi and jensenshannon */
#define N_PENDING 3   /* open promotion requests */
#define PI 3.14159265358979323846
#define COUNT(a) ((int64_t)(sizeof(a) / sizeof((a)[0])))
#define PICK(r, a) ((a)[rng_int((r), 0, COUNT(a) - 1)])

/* The environments, in order. */
enum { ENV_DEV, ENV_STAGING, ENV_PROD, N_ENV };

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
	int registered; /* 1 + the model whose version was made from it, or 0 */
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
	S_INPUT,
	S_COUNT
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
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* The random stream for one part of the demo. */
static inline struct rng rng_for(uint64_t seed, enum part part)
{
	struct rng r = {seed ^ ((uint64_t)part * 0xD1B54A32D192ED03ULL)};

	rng_next(&r);
	return r;
}

/* Uniform in [0, 1). */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static inline int64_t rng_int(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Triangular noise in (-1, 1): cheap enough for ten million points. */
static inline double rng_noise(struct rng *r)
{
	return rng_unit(r) + rng_unit(r) - 1.0;
}

/* Standard normal (Box-Muller). */
static inline double rng_gauss(struct rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * PI * v);
}

/* n random lowercase hex digits into buf (n + 1 bytes). */
static inline void rng_hex(struct rng *r, char *buf, int n)
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
static inline int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* The smaller of a and b. */
static inline int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* qsort order of int64_t. */
static inline int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* ---- demo.c ---- */

/* The environments' names, the demo's users, and production's approvers. */
extern const char *const demo_env_names[N_ENV];
extern const char *const demo_users[5];
extern const char *const demo_approvers[3];

/* Insert the one row bound to st; commits every BATCH_ROWS rows. */
int demo_step(struct gen *g, sqlite3_stmt *st);
/* Insert one row through statement s. fmt gives the arguments' types: i int64_t,
 * I int64_t stored as NULL when 0, t text (NULL allowed), d double. */
int demo_put(struct gen *g, enum stmt s, const char *fmt, ...);
/* Remember an audit record; subject and detail become the generator's. */
void demo_event(struct gen *g, int64_t at, const char *actor, const char *action, char *subject,
		char *detail);

/* ---- demo_models.c ---- */

/* Every model, its versions, deployments, requests and drift. */
int demo_write_models(struct gen *g);

#endif
