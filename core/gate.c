/* gate.c: an environment's gates (gate.h): parsed by filter.c (FILTER_GATES),
 * evaluated here against a candidate version, the live one and the model's
 * drift status; their inputs read through registry.h from any backend. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "drift_series.h"
#include "filter.h"
#include "gate.h"
#include "policy.h"
#include "registry.h"
#include "xmalloc.h"

/* The operator's symbol, and the one saying it failed ("<" for ">="). */
static const char *const op_sym[] = {"=",  "!=",   "<",	    "<=", ">",
				     ">=", "LIKE", "ILIKE", "IN", "NOT IN"};
static const char *const op_neg[] = {
    "!=", "=", ">=", ">", "<=", "<", "NOT LIKE", "NOT ILIKE", "NOT IN", "IN"};

int gate_valid(const char *expr, struct mlc_error *err)
{
	struct filter *f;

	if (expr == NULL || strlen(expr) > GATE_MAX_LEN)
		return mlc_error_set(err, MLC_ERR_USAGE, "a gate is at most %d bytes",
				     GATE_MAX_LEN);
	if ((f = filter_parse(expr, FILTER_GATES, err)) == NULL)
		return -1;
	if (f->n == 0) {
		filter_free(f);
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "an empty gate: write a condition such as "
				     "'metrics.val_auc >= live' or 'drift = ok'");
	}
	filter_free(f);
	return 0;
}

/* The metric key of run as a number into *v: 1 found (and not NaN), else 0. */
static int run_metric(const struct mlc_run *run, const char *key, double *v)
{
	for (size_t i = 0; run && i < run->n_metrics; i++)
		if (strcmp(run->metrics[i].key, key) == 0 && !isnan(run->metrics[i].value)) {
			*v = run->metrics[i].value;
			return 1;
		}
	return 0;
}

/* The param or tag (kind) key of run, or NULL. */
static const char *run_string(const struct mlc_run *run, enum filter_kind kind, const char *key)
{
	const struct mlc_kv *kv;
	size_t n;

	if (run == NULL)
		return NULL;
	kv = kind == FK_PARAM ? run->params : run->tags;
	n = kind == FK_PARAM ? run->n_params : run->n_tags;
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

/* The prefix of kind for messages. */
static const char *kind_name(enum filter_kind kind)
{
	return kind == FK_METRIC ? "metrics" : kind == FK_PARAM ? "params" : "tags";
}

/* Whether number a OP b holds. */
static int cmp_num(enum filter_op op, double a, double b)
{
	switch (op) {
	case FOP_EQ:
		return a == b;
	case FOP_NE:
		return a != b;
	case FOP_LT:
		return a < b;
	case FOP_LE:
		return a <= b;
	case FOP_GT:
		return a > b;
	case FOP_GE:
		return a >= b;
	default:
		return 0;
	}
}

/* Whether string a OP the values of c (b: the one value, or live's) holds. */
static int cmp_str(const struct filter_clause *c, const char *a, const char *b)
{
	int in = 0;

	switch (c->op) {
	case FOP_EQ:
		return strcmp(a, b) == 0;
	case FOP_NE:
		return strcmp(a, b) != 0;
	case FOP_LIKE:
		return filter_like(a, b, 0);
	case FOP_ILIKE:
		return filter_like(a, b, 1);
	case FOP_IN:
	case FOP_NOT_IN:
		for (size_t i = 0; i < c->n_values; i++)
			in |= strcmp(a, c->values[i].str) == 0;
		return c->op == FOP_IN ? in : !in;
	default:
		return 0;
	}
}

/* The value of c's `live` from the live version: 1 there is one (*num or
 * *str), 0 nothing is live (passes), -1 the live version lacks it (why). */
static int live_value(const struct filter_clause *c, const struct gate_subject *s, double *num,
		      const char **str, char *why, size_t len)
{
	if (s->live <= 0)
		return 0;
	if (c->kind == FK_METRIC ? run_metric(s->live_run, c->key, num)
				 : (*str = run_string(s->live_run, c->kind, c->key)) != NULL)
		return 1;
	snprintf(why, len, "the live version %lld has no %s.%s to compare with", (long long)s->live,
		 kind_name(c->kind), c->key);
	return -1;
}

/* The drift clause c: the model's status against its value. */
static int eval_drift(const struct filter_clause *c, const struct gate_subject *s, char *why,
		      size_t len)
{
	const char *now =
	    s->drift == GATE_DRIFT_NONE ? "none" : drift_status_name((enum drift_status)s->drift);
	int eq = strcmp(now, c->values[0].str) == 0;

	if (c->op == FOP_EQ ? eq : !eq)
		return 1;
	snprintf(why, len, "the model's drift status is %s%s", now,
		 s->drift == GATE_DRIFT_NONE ? " (no drift windows recorded)" : "");
	return 0;
}

/* The metric clause c against s. */
static int eval_metric(const struct filter_clause *c, const struct gate_subject *s, char *why,
		       size_t len)
{
	double a, b = c->values[0].num;
	int lv = 1;

	if (!run_metric(s->run, c->key, &a)) {
		snprintf(why, len, "version %s has no metrics.%s%s", s->version, c->key,
			 s->run ? "" : " (no source run)");
		return 0;
	}
	if (c->values[0].is_live && (lv = live_value(c, s, &b, NULL, why, len)) <= 0)
		return lv == 0;
	if (cmp_num(c->op, a, b))
		return 1;
	if (c->values[0].is_live)
		snprintf(why, len, "%.6g %s %.6g (live version %lld)", a, op_neg[c->op], b,
			 (long long)s->live);
	else
		snprintf(why, len, "metrics.%s is %.6g, not %s %.6g", c->key, a, op_sym[c->op], b);
	return 0;
}

/* The param or tag clause c against s. */
static int eval_string(const struct filter_clause *c, const struct gate_subject *s, char *why,
		       size_t len)
{
	const char *a = run_string(s->run, c->kind, c->key), *b = NULL;
	double unused;
	int lv = 1;

	if (a == NULL) {
		snprintf(why, len, "version %s has no %s.%s%s", s->version, kind_name(c->kind),
			 c->key, s->run ? "" : " (no source run)");
		return 0;
	}
	if (c->values[0].is_live && (lv = live_value(c, s, &unused, &b, why, len)) <= 0)
		return lv == 0;
	if (!c->values[0].is_live && c->op != FOP_IN && c->op != FOP_NOT_IN)
		b = c->values[0].str;
	if (cmp_str(c, a, b))
		return 1;
	snprintf(why, len, "%s.%s is '%.200s'%s%.200s%s", kind_name(c->kind), c->key, a,
		 c->values[0].is_live ? ", the live version's is '" : "",
		 c->values[0].is_live ? b : "", c->values[0].is_live ? "'" : "");
	return 0;
}

int gate_eval(const char *expr, const struct gate_subject *s, char *why, size_t len,
	      struct mlc_error *err)
{
	struct filter *f;
	int ok = 1;

	if (gate_valid(expr, err) < 0 || (f = filter_parse(expr, FILTER_GATES, err)) == NULL)
		return -1;
	for (size_t i = 0; i < f->n && ok; i++) {
		const struct filter_clause *c = &f->clauses[i];
		if (c->kind == FK_ATTR)
			ok = eval_drift(c, s, why, len);
		else if (c->kind == FK_METRIC)
			ok = eval_metric(c, s, why, len);
		else
			ok = eval_string(c, s, why, len);
	}
	filter_free(f);
	return ok;
}

int gate_check_env(const struct mlc_env *e, const char *model, const struct gate_subject *s,
		   struct mlc_error *err)
{
	char why[512];
	struct mlc_error bad = {0};

	for (size_t i = 0; i < e->n_gates; i++) {
		int rc = gate_eval(e->gates[i], s, why, sizeof why, &bad);
		if (rc == 1)
			continue;
		if (rc < 0)
			snprintf(why, sizeof why, "not a gate: %.400s", bad.msg);
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s %s to %s: refused: gate '%s' failed: %s", model,
				     s->version, e->name, e->gates[i], why);
	}
	return 0;
}

/* ---- reading the inputs from a registry --------------------------------- */

/* The source run of version of model into *runs (nothing when it has none). */
static int read_version_run(struct registry *r, const char *model, const char *version,
			    struct mlc_run_list *runs, struct mlc_error *err)
{
	struct mlc_version_list vl = {0};
	int rc = registry_list_versions(r, model, &vl, err);

	for (size_t i = 0; rc == 0 && i < vl.n; i++)
		if (strcmp(vl.items[i].version, version) == 0 && *vl.items[i].run_id) {
			struct mlc_error none = {0};
			/* a run deleted since is no run: the gates say so */
			registry_get_run(r, vl.items[i].run_id, runs, &none);
			break;
		}
	MLC_LIST_FREE(&vl);
	return rc;
}

/* The worst drift status of model's features into *worst (GATE_DRIFT_NONE:
 * none, or a registry that keeps no drift); -1 when reading it failed, so
 * that a gate on drift fails rather than reading "none". */
static int read_drift(struct registry *r, const char *model, int *worst, struct mlc_error *err)
{
	struct mlc_drift_list dl = {0};
	struct mlc_error none = {0};
	int rc = 0;

	*worst = GATE_DRIFT_NONE;
	if (registry_can(r, REG_CAP_DRIFT, "show drift", &none) < 0)
		return 0;
	if ((rc = registry_drift_series(r, model, NULL, 1, &dl, err)) == 0)
		for (size_t i = 0; i < dl.n; i++)
			if (strcmp(dl.items[i].model, model) == 0 && dl.items[i].status > *worst)
				*worst = dl.items[i].status;
	MLC_LIST_FREE(&dl);
	return rc;
}

int gate_subject_read(struct registry *r, const char *model, const char *version, const char *env,
		      struct gate_inputs *in, struct mlc_error *err)
{
	struct mlc_live_list live = {0};
	struct mlc_event_list hist = {0};
	int rc;

	memset(in, 0, sizeof *in);
	in->version = xstrdup(version);
	if ((rc = registry_deployments(r, model, env, &live, &hist, err)) == 0)
		for (size_t i = 0; i < live.n; i++)
			if (strcmp(live.items[i].model, model) == 0 &&
			    strcmp(live.items[i].environment, env) == 0)
				snprintf(in->live_version, sizeof in->live_version, "%s",
					 live.items[i].version);
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&hist);
	if (rc < 0 || read_version_run(r, model, version, &in->run, err) < 0 ||
	    (*in->live_version &&
	     read_version_run(r, model, in->live_version, &in->live_run, err) < 0))
		return -1;
	in->s.version = in->version;
	in->s.run = in->run.n ? &in->run.items[0] : NULL;
	in->s.live = strtoll(in->live_version, NULL, 10);
	in->s.live_run = in->live_run.n ? &in->live_run.items[0] : NULL;
	return read_drift(r, model, &in->s.drift, err);
}

void gate_inputs_free(struct gate_inputs *in)
{
	MLC_LIST_FREE(&in->run);
	MLC_LIST_FREE(&in->live_run);
	free(in->version);
	in->version = NULL;
}

int gate_check(struct registry *r, const struct mlc_env_list *envs, const char *model,
	       const char *version, const char *env, struct mlc_error *err)
{
	struct gate_inputs in;
	int rc;

	for (size_t i = 0; i < envs->n; i++) {
		const struct mlc_env *e = &envs->items[i];
		if (strcmp(e->name, env) != 0 || e->n_gates == 0)
			continue;
		if (gate_subject_read(r, model, version, env, &in, err) < 0) {
			gate_inputs_free(&in);
			return -1;
		}
		rc = gate_check_env(e, model, &in.s, err);
		gate_inputs_free(&in);
		return rc;
	}
	return 0;
}

/* The environment named env in envs, or NULL. */
static const struct mlc_env *env_in(const struct mlc_env_list *envs, const char *env)
{
	for (size_t i = 0; i < envs->n; i++)
		if (strcmp(envs->items[i].name, env) == 0)
			return &envs->items[i];
	return NULL;
}

int gate_deploy_check(struct registry *r, const char *model, const char *version, const char *env,
		      struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	int rc = registry_env_list(r, &envs, err);

	if (rc == 0 && (e = env_in(&envs, env)) != NULL && e->n_gates > 0 &&
	    e->required_approvals == 0)
		rc = gate_check(r, &envs, model, version, env, err);
	MLC_LIST_FREE(&envs);
	return rc;
}

int gate_vote_check(struct registry *r, int64_t id, const char *actor, struct mlc_error *err)
{
	struct mlc_request_list l = {0};
	struct mlc_env_list envs = {0};
	struct mlc_error none = {0};
	const struct mlc_request *q;
	const struct mlc_env *e;
	int rc = 0;

	/* what the backend refuses anyway (no such request, no vote) it says
	 * itself; a request or policies that cannot be read refuse the vote (the
	 * backend's own read may then succeed and deploy past a gate) */
	if (registry_requests(r, REQ_ALL, id, &l, err) < 0) {
		rc = err->code == MLC_ERR_NOTFOUND ? 0 : -1;
		if (rc == 0)
			*err = (struct mlc_error){0};
		goto out;
	}
	if (l.n == 0)
		goto out;
	if (registry_env_list(r, &envs, err) < 0) {
		rc = -1;
		goto out;
	}
	q = &l.items[0];
	e = env_in(&envs, q->environment);
	if (e && e->n_gates > 0 && strcmp(q->kind, "promote") == 0 &&
	    mlc_policy_may_vote(q, e, actor, &none) == 0 &&
	    mlc_policy_approvals(q) + 1 >= mlc_policy_need(e))
		rc = gate_check(r, &envs, q->model, q->version, q->environment, err);
out:
	MLC_LIST_FREE(&l);
	MLC_LIST_FREE(&envs);
	return rc;
}

int gate_request_status(struct registry *r, const struct mlc_env_list *envs,
			const struct mlc_request *q, char *why, size_t len)
{
	struct mlc_error err = {0};
	int rc;

	*why = '\0';
	if (strcmp(q->kind, "promote") != 0 || strcmp(q->state, "pending") != 0)
		return 0;
	rc = gate_check(r, envs, q->model, q->version, q->environment, &err);
	if (rc == 0)
		return 0;
	snprintf(why, len, "%s", err.msg);
	return err.code == MLC_ERR_FAILED ? 1 : -1;
}
