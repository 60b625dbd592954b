/* registry.c: registry_open picks the backend for a URI (README "Which registry");
 * the wrappers check that the backend has the operation, and are the one place
 * that refuses what a registry's capabilities (r->caps) leave out. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "filter.h"
#include "http.h"
#include "registry.h"
#include "gate.h"
#include "xmalloc.h"

/* 1 if s starts with prefix p. */
static int starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The path part of a sqlite URI: sqlite:PATH, sqlite://PATH-less forms and
 * SQLAlchemy's sqlite:///relative and sqlite:////absolute. */
static const char *sqlite_path(const char *uri)
{
	const char *p = uri + strlen("sqlite:");

	if (starts(p, "///"))
		return p + 3;
	if (starts(p, "//"))
		return p + 2;
	return p;
}

/* A registry opened read-only that could write says why (registry_can):
 * the local backend records it itself, the others only the flag. */
static struct registry *explain_read_only(struct registry *r, const struct registry_open_opts *opts)
{
	if (r == NULL || opts == NULL || !opts->read_only || !(r->caps & REG_CAP_WRITE) ||
	    r->read_only_why != NULL)
		return r;
	r->read_only = 1;
	r->read_only_why = xstrdup(opts->read_only_why ? opts->read_only_why : "opened read-only");
	return r;
}

/* The backend for uri, opened. */
static struct registry *open_backend(const char *uri, const struct registry_open_opts *opts,
				     struct mlc_error *err)
{
	struct stat st;

	if (uri == NULL || *uri == '\0') {
		mlc_error_set(err, MLC_ERR_USAGE, "registry: empty URI");
		return NULL;
	}
	if (starts(uri, "http://") || starts(uri, "https://"))
		return registry_mlflow_open(uri, opts, err);
	if (http_url_has_password(uri)) { /* and never echo it */
		char *shown = http_display_url(uri);
		mlc_error_set(err, MLC_ERR_USAGE,
			      "%s: a password in a registry URI is only for http:// and https://",
			      shown);
		free(shown);
		return NULL;
	}
	if (starts(uri, "mlruns:"))
		return registry_mlruns_open(uri + strlen("mlruns:"), opts, err);
	if (stat(uri, &st) == 0 && S_ISDIR(st.st_mode))
		return registry_mlruns_open(uri, opts, err);
	if (starts(uri, "sqlite:"))
		return registry_sqlite_open(sqlite_path(uri), opts, err);
	if (starts(uri, "file:")) {
		mlc_error_set(err, MLC_ERR_USAGE, "%s: use sqlite:PATH or a plain path", uri);
		return NULL;
	}
	return registry_sqlite_open(uri, opts, err);
}

struct registry *registry_open(const char *uri, const struct registry_open_opts *opts,
			       struct mlc_error *err)
{
	return explain_read_only(open_backend(uri, opts, err), opts);
}

void registry_close(struct registry *r)
{
	if (r == NULL)
		return;
	if (r->ops->close)
		r->ops->close(r);
	free(r->uri);
	free(r->display);
	free(r->read_only_why);
	free(r);
}

/* The error for an operation the backend lacks. */
static int unsupported(struct registry *r, const char *what, struct mlc_error *err)
{
	return mlc_error_set(err, MLC_ERR_FAILED, "%s: %s is not supported by the %s backend",
			     r->display, what, r->ops->kind);
}

#define CALL(op, ...) (r->ops->op ? r->ops->op(r, __VA_ARGS__) : unsupported(r, #op, err))

/* Check MLflow filter syntax before any backend sees it, so a bad filter is
 * the same usage error (with its column) locally and against a server. */
static int check_filter(const char *filter, enum filter_target target, struct mlc_error *err)
{
	struct filter *f = filter_parse(filter, target, err);

	if (f == NULL)
		return -1;
	filter_free(f);
	return 0;
}

int registry_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
			 struct mlc_error *err)
{
	if (check_filter(filter, FILTER_MODELS, err) < 0)
		return -1;
	return CALL(list_models, filter, out, err);
}

int registry_list_versions(struct registry *r, const char *model, struct mlc_version_list *out,
			   struct mlc_error *err)
{
	return CALL(list_versions, model, out, err);
}

int registry_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
			      struct mlc_error *err)
{
	return CALL(list_experiments, all, out, err);
}

int registry_list_runs(struct registry *r, const struct mlc_run_query *q, struct mlc_run_list *out,
		       struct mlc_error *err)
{
	if (check_filter(q->filter, FILTER_RUNS, err) < 0)
		return -1;
	if (q->window && !(r->caps & REG_CAP_WINDOW))
		return unsupported(r, "list_runs (window)", err);
	return CALL(list_runs, q, out, err);
}

int registry_count_runs(struct registry *r, const struct mlc_run_query *q, int64_t *n,
			struct mlc_error *err)
{
	if (check_filter(q->filter, FILTER_RUNS, err) < 0)
		return -1;
	return CALL(count_runs, q, n, err);
}

/* A run id too short to be a prefix that was not found: say why. */
static int short_prefix(const char *run_id, int rc, struct mlc_error *err)
{
	if (rc < 0 && err && err->code == MLC_ERR_NOTFOUND && strlen(run_id) < 8 &&
	    strlen(err->msg) + 60 < sizeof err->msg)
		strcat(err->msg, " (a prefix of a run id needs at least 8 characters)");
	return rc;
}

int registry_run_inputs(struct registry *r, const char *run_id, struct mlc_input_list *out,
			struct mlc_error *err)
{
	size_t first = out->n;

	if (r->ops->run_inputs == NULL)
		return 0;
	if (r->ops->run_inputs(r, run_id, out, err) < 0)
		return -1;
	if (out->n > first) /* (none: items may be NULL) */
		mlc_inputs_sort(out->items + first, out->n - first);
	return 0;
}

/* Give each run of l from item first on that its backend read without
 * datasets its datasets (registry_run_inputs), in l's arena. */
static int attach_inputs(struct registry *r, struct mlc_run_list *l, size_t first,
			 struct mlc_error *err)
{
	for (size_t i = first; i < l->n; i++) {
		struct mlc_run *run = &l->items[i];
		struct mlc_input_list in = {0};

		if (run->inputs_read) {
			mlc_inputs_sort(run->inputs, run->n_inputs);
			continue;
		}
		if (registry_run_inputs(r, run->run_id, &in, err) < 0) {
			MLC_LIST_FREE(&in);
			return -1;
		}
		run->inputs = mlc_inputs_copy(&l->arena, in.items, in.n);
		run->n_inputs = in.n;
		run->inputs_read = 1;
		MLC_LIST_FREE(&in);
	}
	return 0;
}

int registry_get_run(struct registry *r, const char *run_id, struct mlc_run_list *out,
		     struct mlc_error *err)
{
	size_t first = out->n;
	int rc = short_prefix(run_id, CALL(get_run, run_id, out, err), err);

	return rc < 0 ? rc : attach_inputs(r, out, first, err);
}

int registry_experiment_keys(struct registry *r, const char *experiment, int64_t newest,
			     struct mlc_keys *out, struct mlc_error *err)
{
	return CALL(experiment_keys, experiment, newest, out, err);
}

int registry_versions_for_run(struct registry *r, const char *run_id, struct mlc_version_list *out,
			      struct mlc_error *err)
{
	return CALL(versions_for_run, run_id, out, err);
}

int registry_get_experiment(struct registry *r, const char *experiment,
			    struct mlc_experiment_list *out, struct mlc_error *err)
{
	return CALL(get_experiment, experiment, out, err);
}

const char *registry_noun(const struct registry *r)
{
	/* names for people, by backend; what each can do is r->caps */
	static const struct {
		const char *kind, *noun;
	} nouns[] = {{"sqlite", "a local registry"},
		     {"mlflow", "an MLflow server"},
		     {"mlruns", "an MLflow file store"},
		     {"mlflow-sql", "an MLflow SQL store"}};

	for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
		if (strcmp(r->ops->kind, nouns[i].kind) == 0)
			return nouns[i].noun;
	return r->ops->kind;
}

/* What a registry without capability cap lacks, for registry_can. */
static const char *cap_lacks(unsigned cap)
{
	switch (cap) {
	case REG_CAP_DEPLOY:
		return "keeps no environments, deployments or requests";
	case REG_CAP_DRIFT:
		return "keeps no drift series";
	case REG_CAP_AUDIT:
		return "keeps no audit log";
	default:
		return "cannot do that";
	}
}

int registry_can(const struct registry *r, unsigned need, const char *what, struct mlc_error *err)
{
	unsigned missing = need & ~r->caps;

	if ((need & REG_CAP_WRITE) && r->read_only && r->read_only_why)
		return mlc_error_set(err, MLC_ERR_READONLY, "%s: read-only: cannot %s (%s)",
				     r->display, what, r->read_only_why);
	if ((need & REG_CAP_WRITE) && (r->read_only || (missing & REG_CAP_WRITE)))
		return mlc_error_set(err, MLC_ERR_READONLY, "%s: %s is read-only here: cannot %s",
				     r->display, registry_noun(r), what);
	for (unsigned bit = 1; bit != 0; bit <<= 1)
		if (missing & bit)
			return mlc_error_set(err, MLC_ERR_FAILED, "%s: %s %s: cannot %s",
					     r->display, registry_noun(r), cap_lacks(bit), what);
	return 0;
}

/* An operation that needs capabilities need (registry_can refuses first). */
#define NEED(need, what, op, ...)                                                                  \
	(registry_can(r, (need), (what), err) < 0 ? -1 : CALL(op, __VA_ARGS__))
/* A change: it needs REG_CAP_WRITE. */
#define WRITE(what, op, ...) NEED(REG_CAP_WRITE, what, op, __VA_ARGS__)
/* Environments, deployments and requests: they need REG_CAP_DEPLOY. */
#define DEPLOYS(what, op, ...) NEED(REG_CAP_DEPLOY, what, op, __VA_ARGS__)
/* A change to them: REG_CAP_WRITE too. */
#define DEPLOY_CHANGE(what, op, ...) NEED(REG_CAP_WRITE | REG_CAP_DEPLOY, what, op, __VA_ARGS__)

int registry_env_list(struct registry *r, struct mlc_env_list *out, struct mlc_error *err)
{
	return DEPLOYS("list environments", env_list, out, err);
}

int registry_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
		     struct mlc_outcome *out, struct mlc_error *err)
{
	struct mlc_outcome mine = {0};
	int rc = DEPLOY_CHANGE("change an environment's policy", env_set, c, actor,
			       out ? out : &mine, err);

	arena_free(&mine.arena);
	return rc;
}

int registry_deployments(struct registry *r, const char *model, const char *env,
			 struct mlc_live_list *live, struct mlc_event_list *history,
			 struct mlc_error *err)
{
	return DEPLOYS("show deployments", deployments, model, env, live, history, err);
}

int registry_change_check(struct registry *r, struct mlc_error *err)
{
	struct registry_check c = r->check;

	r->check.fn = NULL; /* once: the check's own reads change nothing */
	return c.fn ? c.fn(r, &c, err) : 0;
}

/* Arm check c for the change about to run: the backend runs it under its
 * write lock (checks_under_lock), else it runs here, now; 0 or -1. */
static int arm_check(struct registry *r, struct registry_check c, struct mlc_error *err)
{
	if (!r->ops->checks_under_lock)
		return c.fn(r, &c, err);
	r->check = c;
	return 0;
}

/* The change has run: a check it did not reach is dropped. */
static int disarm(struct registry *r, int rc)
{
	r->check = (struct registry_check){0};
	return rc;
}

static int deploy_gates(struct registry *r, const struct registry_check *c, struct mlc_error *err)
{
	return gate_deploy_check(r, c->model, c->version, c->env, err);
}

static int vote_gates(struct registry *r, const struct registry_check *c, struct mlc_error *err)
{
	return gate_vote_check(r, c->id, c->actor, err);
}

int registry_deploy(struct registry *r, const char *model, const char *version, const char *env,
		    const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct registry_check c = {deploy_gates, model, version, env, actor, 0};

	if (registry_can(r, REG_CAP_WRITE | REG_CAP_DEPLOY, "deploy", err) < 0 ||
	    arm_check(r, c, err) < 0)
		return -1;
	return disarm(r, DEPLOY_CHANGE("deploy", deploy, model, version, env, actor, out, err));
}

int registry_rollback(struct registry *r, const char *model, const char *env, const char *to,
		      const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	return DEPLOY_CHANGE("roll back", rollback, model, env, to, actor, out, err);
}

int registry_rollback_target(struct registry *r, const char *model, const char *env, char *version,
			     size_t len, struct mlc_error *err)
{
	return DEPLOYS("roll back", rollback_target, model, env, version, len, err);
}

int registry_request(struct registry *r, const char *model, const char *version, const char *env,
		     const char *kind, const char *comment, const char *actor,
		     struct mlc_outcome *out, struct mlc_error *err)
{
	return DEPLOY_CHANGE("open a request", request, model, version, env, kind, comment, actor,
			     out, err);
}

int registry_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		  const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct registry_check c = {.fn = vote_gates, .actor = actor, .id = id};

	if (registry_can(r, REG_CAP_WRITE | REG_CAP_DEPLOY, "vote", err) < 0 ||
	    (strcmp(decision, "approve") == 0 && arm_check(r, c, err) < 0))
		return -1;
	return disarm(r, DEPLOY_CHANGE("vote", vote, id, decision, comment, actor, out, err));
}

int registry_cancel(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
		    struct mlc_error *err)
{
	return DEPLOY_CHANGE("cancel a request", cancel, id, actor, out, err);
}

int registry_requests(struct registry *r, int which, int64_t id, struct mlc_request_list *out,
		      struct mlc_error *err)
{
	return DEPLOYS("list requests", requests, which, id, out, err);
}

int registry_audit(struct registry *r, int64_t limit, struct mlc_audit_list *out,
		   struct mlc_error *err)
{
	return NEED(REG_CAP_AUDIT, "show the audit log", audit, limit, out, err);
}

int registry_audit_verify(struct registry *r, struct mlc_audit_check *out, struct mlc_error *err)
{
	return NEED(REG_CAP_AUDIT, "verify the audit log", audit_verify, out, err);
}

int registry_drift_record(struct registry *r, const char *model, const char *feature,
			  const char *method, const struct mlc_drift_point *p,
			  struct mlc_error *err)
{
	return NEED(REG_CAP_WRITE | REG_CAP_DRIFT, "record drift", drift_record, model, feature,
		    method, p, err);
}

int registry_drift_series(struct registry *r, const char *model, const char *feature, int64_t last,
			  struct mlc_drift_list *out, struct mlc_error *err)
{
	return NEED(REG_CAP_DRIFT, "show drift", drift_series, model, feature, last, out, err);
}

int registry_record_hook(struct registry *r, const char *model, const char *env,
			 const char *version, int ok, int status, const char *detail,
			 const char *actor, struct mlc_error *err)
{
	return DEPLOY_CHANGE("record a hook's outcome", record_hook, model, env, version, ok,
			     status, detail, actor, err);
}

int registry_alert_rules(struct registry *r, const char *model, struct mlc_alert_rule_list *out,
			 struct mlc_error *err)
{
	return DEPLOYS("read alert rules", alert_rules, model, out, err);
}

int registry_alert_rule_put(struct registry *r, const struct mlc_alert_rule *rule, int remove,
			    const char *actor, struct mlc_error *err)
{
	return DEPLOY_CHANGE("change an alert rule", alert_rule_put, rule, remove, actor, err);
}

int registry_alert_fire(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
			const char *actor, struct mlc_error *err)
{
	return DEPLOY_CHANGE("record an alert", alert_fire, f, checked, actor, err);
}

int registry_alert_checked(struct registry *r, const char *model, const char *env,
			   const char *name, int64_t checked, struct mlc_error *err)
{
	return DEPLOY_CHANGE("check alerts", alert_checked, model, env, name, checked, err);
}

int registry_alert_firings(struct registry *r, const char *model,
			   struct mlc_alert_firing_list *out, struct mlc_error *err)
{
	return DEPLOYS("read alerts", alert_firings, model, out, err);
}

void mlc_keys_free(struct mlc_keys *k)
{
	arena_free(&k->arena);
	memset(k, 0, sizeof *k);
}

int registry_metric_history(struct registry *r, const char *run_id, const char *key,
			    struct mlc_metric_list *out, struct mlc_error *err)
{
	return CALL(metric_history, run_id, key, out, err);
}

int registry_metric_tail(struct registry *r, const char *run_id, const char *key,
			 struct mlc_read_mark *mark, struct mlc_metric_list *out,
			 struct mlc_error *err)
{
	if (r->ops->metric_tail)
		return r->ops->metric_tail(r, run_id, key, mark, out, err);
	memset(mark, 0, sizeof *mark);
	return registry_metric_history(r, run_id, key, out, err) < 0 ? -1 : MLC_TAIL_ALL;
}

int registry_get_runs(struct registry *r, const char *const *ids, size_t n,
		      struct mlc_run_list *out, struct mlc_error *err)
{
	if (r->ops->get_runs) {
		int rc = r->ops->get_runs(r, ids, n, out, err);
		for (size_t i = 0; rc < 0 && err && i < n; i++) { /* the id the message names */
			size_t k = strlen(ids[i]);
			if (strncmp(err->msg, "run '", 5) == 0 &&
			    strncmp(err->msg + 5, ids[i], k) == 0 && err->msg[5 + k] == '\'')
				return short_prefix(ids[i], rc, err);
		}
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = attach_inputs(r, &out[i], 0, err);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		if (registry_get_run(r, ids[i], &out[i], err) < 0)
			return -1;
	return 0;
}

int registry_metric_histories(struct registry *r, const struct mlc_history_req *req, size_t n,
			      struct mlc_metric_list *out, struct mlc_error *err)
{
	if (r->ops->metric_histories)
		return r->ops->metric_histories(r, req, n, out, err);
	for (size_t i = 0; i < n; i++)
		if (registry_metric_history(r, req[i].run_id, req[i].key, &out[i], err) < 0)
			return -1;
	return 0;
}

void registry_interrupt(struct registry *r)
{
	if (r && r->ops->interrupt)
		r->ops->interrupt(r);
}

void registry_resume(struct registry *r)
{
	if (r && r->ops->resume)
		r->ops->resume(r);
}

int registry_auth(struct registry *r, char *user, size_t len, struct mlc_error *err)
{
	if (r->ops->auth == NULL)
		return REG_AUTH_LOCAL;
	return r->ops->auth(r, user, len, err);
}
