/* demo_models.c: the demo's model registry — each model's versions taken
 * from its experiment's runs, the deployment story they go through
 * (promotion requests, votes, rejections, rollbacks, hooks) as the console
 * itself would have written it, and each model's daily drift series. */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xmalloc.h"
#include "demo_impl.h"

/* What versions, requests and approvals say. */
/* clang-format off */
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

/* A feature of a model's drift series. */
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
	return xasprintf("%s:%d@%s", p->name, v, demo_env_names[env]);
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
	demo_event(g, at, by, "deploy", subject(p, v, env), deploy_detail(prev, request));
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
	demo_event(g, at, by, "rollback", subject(p, to, env),
		   xasprintf("rolled back from version %d: error rate up after the rollout", from));
}

/* An approver other than the requester and the votes so far. */
static const char *pick_voter(const struct request *q, struct rng *r)
{
	const char *c[COUNT(demo_approvers)];
	int n = 0;

	for (int i = 0; i < COUNT(demo_approvers); i++) {
		int taken = strcmp(demo_approvers[i], q->by) == 0;

		for (int k = 0; k < q->nvotes; k++)
			taken |= strcmp(demo_approvers[i], q->votes[k].voter) == 0;
		if (!taken)
			c[n++] = demo_approvers[i];
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
	demo_event(g, at, v->voter, decision, subject(p, q->version, ENV_PROD),
		   xasprintf("request %lld: %s", (long long)q->id, comment));
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
	demo_event(g, at, by, "request", subject(p, v, ENV_PROD),
		   xasprintf("request %lld: %s", (long long)q->id, q->comment));
	return q;
}

/* v goes to production the approved way: a request, two votes, the deployment. */
static int64_t promote(struct gen *g, struct model_plan *p, int v, int64_t at, struct rng *r)
{
	struct request *q = request(g, p, v, PICK(r, demo_users), at, r);
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
	struct request *q = request(g, p, v, PICK(r, demo_users), at, r);

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
			   demo_users[g->runs[p->vrun[v]].user], 0);
		if (!(f & F_STG))
			continue;
		t = deploy(g, p, ENV_STAGING, v, t + rng_int(r, 3 * HOUR_MS, 20 * HOUR_MS),
			   PICK(r, demo_users), 0);
		p->staged_at[v] = t;
		if (f & F_REJECT)
			reject(g, p, v, t + rng_int(r, HOUR_MS, DAY_MS), r);
		if (!(f & F_PROD))
			continue;
		t = promote(g, p, v, t + rng_int(r, HOUR_MS, DAY_MS), r);
		if (f & F_ROLLBACK)
			rollback(g, p, ENV_PROD, t + rng_int(r, 30 * MIN_MS, 5 * HOUR_MS),
				 PICK(r, demo_approvers));
	}
	if (k < N_PENDING)
		pending(g, p, k, r);
}

/* ---- models: planning ---------------------------------------------------- */

/* 1 if run i may be the source of a version of model `model` made at t:
 * finished, kept, ended before t, and registered by no model yet (reuse 0), by
 * none or this model (reuse 1), or by any (reuse 2). */
static int may_register(const struct gen *g, int64_t i, int64_t t, int model, int reuse)
{
	const struct run *ru = &g->runs[i];
	int ok = !ru->registered || (reuse == 1 && ru->registered == model + 1) || reuse == 2;

	return ok && !ru->deleted && strcmp(ru->status, "FINISHED") == 0 && ru->end < t;
}

/* A run of experiment e for a version of model `model` made at t: one of the
 * latest that may register, else the earliest. Two models train in one
 * experiment (fraud-detector and credit-risk), so a run is one model's
 * version; only a tiny demo, out of runs, registers one run twice. */
static int64_t pick_run(const struct gen *g, int e, int model, int64_t t, struct rng *r)
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
	for (int reuse = 0; reuse < 3 && n == 0; reuse++) {
		for (int64_t i = a - 1; i >= lo && n < 8 && a - i < 500; i--)
			if (may_register(g, i, t, model, reuse))
				found[n++] = i;
		for (int64_t i = lo; i < hi && n == 0; i++)
			if (may_register(g, i, INT64_MAX, model, reuse))
				return i;
	}
	return n ? found[rng_int(r, 0, n - 1)] : lo;
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
		p->vrun[v] = pick_run(g, p->def->exp, i, p->vtime[v], r);
		g->runs[p->vrun[v]].registered = i + 1;
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
	if (demo_put(g, S_MODEL, "ittii", id, p->name, d->desc,
		     p->vtime[1] - rng_int(r, HOUR_MS, 2 * DAY_MS), updated) < 0 ||
	    demo_put(g, S_MODEL_TAG, "itt", id, "framework", d->framework) < 0 ||
	    demo_put(g, S_MODEL_TAG, "itt", id, "owner", d->owner) < 0 ||
	    demo_put(g, S_MODEL_TAG, "itt", id, "task", d->task) < 0 ||
	    demo_put(g, S_MODEL_TAG, "itt", id, "team", d->team) < 0)
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
	if (demo_put(g, S_VERSION, "iiitttttii", id, (int64_t)p->index + 1, (int64_t)v, source,
		     ru->uuid, stage_of(p, v), PICK(r, version_notes), demo_users[ru->user],
		     p->vtime[v], p->touched[v]) < 0 ||
	    demo_put(g, S_VERSION_TAG, "itt", id, "dataset", dataset) < 0)
		return -1;
	if (p->flags[v] || rng_unit(r) < 0.6)
		return demo_put(g, S_VERSION_TAG, "itt", id, "validated", "yes");
	return 0;
}

/* champion and challenger, and one alias per environment for its live version. */
static int write_aliases(struct gen *g, const struct model_plan *p)
{
	int64_t id = p->index + 1;
	int prod = live_version(p, ENV_PROD), stg = live_version(p, ENV_STAGING);
	int champion = prod ? prod : p->n - 1;
	int challenger = stg && stg != prod ? stg : p->n;

	if (demo_put(g, S_ALIAS, "iti", id, "champion", (int64_t)champion) < 0 ||
	    demo_put(g, S_ALIAS, "iti", id, "challenger", (int64_t)challenger) < 0)
		return -1;
	for (int e = 0; e < N_ENV; e++)
		if (live_version(p, e) && demo_put(g, S_ALIAS, "iti", id, demo_env_names[e],
						   (int64_t)live_version(p, e)) < 0)
			return -1;
	return 0;
}

/* The model's promotion requests and their votes. */
static int write_requests(struct gen *g, const struct model_plan *p)
{
	for (int i = 0; i < p->nreqs; i++) {
		const struct request *q = &p->reqs[i];

		if (demo_put(g, S_REQUEST, "iiiitittIt", q->id, (int64_t)p->index + 1,
			     (int64_t)q->version, (int64_t)ENV_PROD + 1, q->by, q->at, q->comment,
			     q->state, q->closed, q->reason) < 0)
			return -1;
		for (int k = 0; k < q->nvotes; k++)
			if (demo_put(g, S_VOTE, "ittit", q->id, q->votes[k].voter,
				     q->votes[k].decision, q->votes[k].at, q->votes[k].comment) < 0)
				return -1;
	}
	return 0;
}

/* What a deployment hook reported. */
static int write_hook(struct gen *g, int64_t dep, const struct deploy *d)
{
	if (d->env == ENV_STAGING)
		return demo_put(g, S_HOOK, "iiiit", dep, d->at + 4000, (int64_t)1, (int64_t)0,
				"./scripts/smoke-test.sh staging: exit 0");
	if (d->hook < 0)
		return demo_put(g, S_HOOK, "iiiit", dep, d->at + 30000, (int64_t)0, (int64_t)502,
				"POST https://hooks.example.com/deploy: HTTP 502 Bad Gateway");
	return demo_put(g, S_HOOK, "iiiit", dep, d->at + 1500, (int64_t)1, (int64_t)200,
			"POST https://hooks.example.com/deploy: HTTP 200");
}

/* The model's deployment history and hook outcomes. */
static int write_deployments(struct gen *g, const struct model_plan *p)
{
	for (int i = 0; i < p->ndeps; i++) {
		const struct deploy *d = &p->deps[i];
		int64_t id = ++g->next_deploy;

		if (demo_put(g, S_DEPLOY, "iiiiItitI", id, (int64_t)p->index + 1,
			     (int64_t)d->env + 1, (int64_t)d->version, (int64_t)d->prev,
			     d->rollback ? "rollback" : "deploy", d->at, d->by, d->request) < 0)
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

			if (demo_put(g, S_DRIFT, "ititdddiii", (int64_t)p->index + 1, fd->name,
				     today - (DRIFT_DAYS - 1 - day) * DAY_MS, method, s, s,
				     THRESHOLD, (int64_t)(s >= THRESHOLD), nref, cur) < 0)
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
int demo_write_models(struct gen *g)
{
	struct rng r = rng_for(g->seed, P_MODELS), dr = rng_for(g->seed, P_DRIFT);
	int k = 0;

	g->next_request = 1;
	for (int i = 0; i < g->nmodels; i++)
		if (write_model(g, i, &k, &r, &dr) < 0)
			return -1;
	return 0;
}
