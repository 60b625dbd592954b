/* view_approvals.c: the pending promotion requests, oldest first, with what
 * would change (live -> requested version) and the votes so far. a approves, x
 * rejects — each asks for an optional comment, then confirms in a dialog;
 * Enter shows the request with its votes. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "changes.h"
#include "gate.h"
#include "policy.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

struct approvals_state {
	struct mlc_request_list reqs;
	struct mlc_live_list live;
	struct mlc_env_list envs;
	struct mlc_drift_list drift; /* latest point per feature, for the status */
	char **metrics;		     /* per request: the version's key metrics */
	char **gates;	  /* per request: the gate it fails now and why (gate.h), or NULL */
	char **gate_expr; /* per request: that gate's expression, or NULL */
};

struct approvals_job {
	uint64_t view_id;
	struct approvals_state got;
	struct mlc_event_list history;
	struct mlc_error err;
	int rc;
};

/* Names that usually say how good a model is, in the order we prefer them. */
static const char *const key_names[] = {"auc", "accuracy", "f1",	"rmse",
					"mae", "loss",	   "precision", "recall"};

/* "auc 0.93 f1 0.71": up to two of the run's metrics, the usual ones first. */
static char *key_metrics(const struct mlc_run *run)
{
	struct strbuf sb = {0};
	int shown = 0;

	for (size_t k = 0; k < sizeof key_names / sizeof key_names[0] && shown < 2; k++)
		for (size_t i = 0; i < run->n_metrics && shown < 2; i++)
			if (strcmp(run->metrics[i].key, key_names[k]) == 0 ||
			    (strncmp(run->metrics[i].key, "val_", 4) == 0 &&
			     strcmp(run->metrics[i].key + 4, key_names[k]) == 0)) {
				sb_printf(&sb, "%s%s %.3g", shown ? " " : "", run->metrics[i].key,
					  run->metrics[i].value);
				shown++;
				break;
			}
	for (size_t i = 0; i < run->n_metrics && shown == 0 && i < 2; i++)
		sb_printf(&sb, "%s%s %.3g", i ? " " : "", run->metrics[i].key,
			  run->metrics[i].value);
	return sb_detach(&sb);
}

/* The key metrics of the run behind model's version ("-" when unknown). */
static char *version_metrics(struct registry *r, const char *model, const char *version)
{
	struct mlc_version_list vl = {0};
	struct mlc_run_list rl = {0};
	struct mlc_error ignore = {0};
	char *out = NULL;

	if (registry_list_versions(r, model, &vl, &ignore) == 0)
		for (size_t i = 0; i < vl.n && out == NULL; i++)
			if (strcmp(vl.items[i].version, version) == 0 && *vl.items[i].run_id &&
			    registry_get_run(r, vl.items[i].run_id, &rl, &ignore) == 0)
				out = key_metrics(&rl.items[0]);
	MLC_LIST_FREE(&vl);
	MLC_LIST_FREE(&rl);
	return out ? out : xstrdup("-");
}

/* 1 if q asks to change an environment's policy (no model, no version). */
static int is_policy(const struct mlc_request *q)
{
	return strcmp(q->kind, "policy") == 0;
}

/* Which gate each request of s fails now, and why (gate_request_status). */
static void read_gates(struct registry *r, struct approvals_state *s)
{
	char why[1024];

	s->gates = xcalloc(s->reqs.n + 1, sizeof *s->gates);
	s->gate_expr = xcalloc(s->reqs.n + 1, sizeof *s->gate_expr);
	for (size_t i = 0; i < s->reqs.n; i++) {
		const char *q, *e;
		if (gate_request_status(r, &s->envs, &s->reqs.items[i], why, sizeof why) == 0)
			continue;
		s->gates[i] = xstrdup(why);
		/* "... gate 'EXPR' failed: ...": the expression, for the row */
		if ((q = strstr(why, "gate '")) != NULL && (e = strstr(q, "' failed:")) != NULL)
			s->gate_expr[i] = xstrndup(q + 6, (size_t)(e - q - 6));
		else
			s->gate_expr[i] = xstrdup("?");
	}
}

static void approvals_run(struct registry *r, void *arg)
{
	struct approvals_job *j = arg;
	struct mlc_error ignore = {0};

	if ((j->rc = registry_requests(r, REQ_PENDING, 0, &j->got.reqs, &j->err)) == 0 &&
	    (j->rc = registry_env_list(r, &j->got.envs, &j->err)) == 0)
		j->rc = registry_deployments(r, NULL, NULL, &j->got.live, &j->history, &j->err);
	if (j->rc < 0)
		return;
	registry_drift_series(r, NULL, NULL, 1, &j->got.drift, &ignore);
	j->got.metrics = xcalloc(j->got.reqs.n + 1, sizeof *j->got.metrics);
	for (size_t i = 0; i < j->got.reqs.n; i++)
		j->got.metrics[i] = is_policy(&j->got.reqs.items[i])
					? xstrdup("-")
					: version_metrics(r, j->got.reqs.items[i].model,
							  j->got.reqs.items[i].version);
	read_gates(r, &j->got);
}

/* The worst drift status of model's features, -1 when it has none. */
static int drift_of(const struct approvals_state *s, const char *model)
{
	int worst = -1;

	for (size_t i = 0; i < s->drift.n; i++)
		if (strcmp(s->drift.items[i].model, model) == 0 && s->drift.items[i].status > worst)
			worst = s->drift.items[i].status;
	return worst;
}

/* The version of model live in env ("none"). */
static const char *live_of(const struct approvals_state *s, const char *model, const char *env)
{
	for (size_t i = 0; i < s->live.n; i++)
		if (strcmp(s->live.items[i].model, model) == 0 &&
		    strcmp(s->live.items[i].environment, env) == 0)
			return s->live.items[i].version;
	return "none";
}

static void free_state(struct approvals_state *s)
{
	for (size_t i = 0; s->metrics && i < s->reqs.n; i++)
		free(s->metrics[i]);
	free(s->metrics);
	s->metrics = NULL;
	for (size_t i = 0; s->gates && i < s->reqs.n; i++) {
		free(s->gates[i]);
		free(s->gate_expr[i]);
	}
	free(s->gates);
	free(s->gate_expr);
	s->gates = s->gate_expr = NULL;
	MLC_LIST_FREE(&s->drift);
	MLC_LIST_FREE(&s->reqs);
	MLC_LIST_FREE(&s->live);
	MLC_LIST_FREE(&s->envs);
}

static void approvals_fill(struct app *a, struct view *v)
{
	struct approvals_state *s = v->data;
	int64_t now = timefmt_now_ms();

	table_clear(&v->table);
	for (size_t i = 0; i < s->reqs.n; i++) {
		const struct mlc_request *q = &s->reqs.items[i];
		char id[24], change[128], age[32];
		struct strbuf votes = {0};
		snprintf(id, sizeof id, "%lld", (long long)q->id);
		if (is_policy(q))
			snprintf(change, sizeof change, "%s", q->change ? q->change : "");
		else
			snprintf(change, sizeof change, "%s -> %s%s",
				 live_of(s, q->model, q->environment), q->version,
				 strcmp(q->kind, "rollback") == 0 ? " (rollback)" : "");
		timefmt_ago(q->requested_at, now, age, sizeof age);
		for (size_t k = 0; k < q->n_votes; k++)
			sb_printf(&votes, "%s%s %s", k ? ", " : "", q->votes[k].by,
				  q->votes[k].decision);
		int ds = drift_of(s, q->model);
		table_add(&v->table, id, ds > 0 ? view_drift_status_role(ds) : THEME_NORMAL,
			  (const char *[]){id, is_policy(q) ? "(policy)" : q->model, q->environment,
					   change, s->metrics ? s->metrics[i] : "-",
					   ds < 0 ? "-" : view_drift_status_label(a->utf8, ds),
					   s->gate_expr && s->gate_expr[i] ? s->gate_expr[i] : "-",
					   q->requested_by, age, votes.len ? sb_str(&votes) : "-",
					   q->comment});
		sb_free(&votes);
	}
	table_done(&v->table);
}

static void approvals_done(struct app *a, void *arg)
{
	struct approvals_job *j = arg;
	struct view *v = view_job_done(a, j->view_id, j->rc, &j->err);

	if (v != NULL) {
		struct approvals_state *s = v->data;
		free_state(s);
		*s = j->got;
		memset(&j->got, 0, sizeof j->got);
		approvals_fill(a, v);
	}
	free_state(&j->got);
	MLC_LIST_FREE(&j->history);
	free(j);
}

static void approvals_load(struct app *a, struct view *v)
{
	struct approvals_job *j = xcalloc(1, sizeof *j);

	j->view_id = v->id;
	view_job_start(a, v, approvals_run, approvals_done, j);
}

/* The request under the cursor, NULL when none. */
static const struct mlc_request *cursor_request(struct view *v)
{
	struct approvals_state *s = v->data;
	const char *key = table_cursor_key(&v->table);

	for (size_t i = 0; key && i < s->reqs.n; i++)
		if (s->reqs.items[i].id == strtoll(key, NULL, 10))
			return &s->reqs.items[i];
	return NULL;
}

/* 1 if env is the last in the order. */
static int is_last(const struct approvals_state *s, const char *env)
{
	int64_t order = 0, max = 0;

	for (size_t i = 0; i < s->envs.n; i++) {
		if (strcmp(s->envs.items[i].name, env) == 0)
			order = s->envs.items[i].order;
		if (s->envs.items[i].order > max)
			max = s->envs.items[i].order;
	}
	return order == max;
}

static void confirm_vote(struct app *a, void *ctx)
{
	change_submit(a, ctx);
}

/* The comment is in: confirm the vote in a dialog naming the change. */
static void comment_typed(struct app *a, const char *text, void *ctx)
{
	struct view *v = app_top(a);
	struct change *c = ctx;
	const struct mlc_request *q = cursor_request(v);
	struct approvals_state *s = v->data;
	int approve = strcmp(c->decision, "approve") == 0;
	struct change *vote;
	struct dialog *d;

	if (q == NULL || q->id != c->id)
		return;
	vote = change_new(CH_VOTE, q->model, q->version, q->environment);
	vote->id = q->id;
	vote->decision = xstrdup(c->decision);
	vote->comment = xstrdup(text);
	d = dialog_new(
	    approve ? "Approve the request" : "Reject the request", approve ? "Approve" : "Reject",
	    approve && is_last(s, q->environment) ? (is_policy(q) ? q->environment : q->model)
						  : NULL,
	    confirm_vote, change_discard, vote);
	dialog_line(d, "Request %lld by %s", (long long)q->id, q->requested_by);
	if (is_policy(q)) {
		dialog_line(d, "Policy of:    %s", q->environment);
		dialog_field(d, "Change:", q->change ? q->change : "");
	} else {
		dialog_line(d, "Model:        %s", q->model);
		dialog_line(d, "Environment:  %s", q->environment);
		dialog_line(d, "Version:      %s -> %s", live_of(s, q->model, q->environment),
			    q->version);
	}
	if (*text)
		dialog_line(d, "Comment:      %s", text);
	if (approve)
		dialog_line(d, "If this vote satisfies the policy, the %s happens now.",
			    is_policy(q) ? "change" : "deployment");
	app_dialog(a, d);
}

/* The gate q fails (as last loaded), or NULL. */
static const char *gate_failure(const struct approvals_state *s, const struct mlc_request *q)
{
	for (size_t i = 0; s->gates && i < s->reqs.n; i++)
		if (&s->reqs.items[i] == q)
			return s->gates[i];
	return NULL;
}

/* 1 when the policy (core/policy.c, as the registry will ask it) refuses
 * the console's user a vote on q, said in the status line: before any comment
 * or confirmation is asked for; so is an approval that would deploy a
 * version a gate stops (gate.h). The registry checks again when the vote
 * goes. */
static int refused_vote(struct app *a, struct view *v, const struct mlc_request *q, int approve)
{
	struct approvals_state *s = v->data;
	struct mlc_error err = {0};

	if (!a->user[0])
		return 0; /* who we are is not known yet: the registry will say */
	for (size_t i = 0; i < s->envs.n; i++) {
		const struct mlc_env *e = &s->envs.items[i];
		if (strcmp(e->name, q->environment) != 0)
			continue;
		if (mlc_policy_may_vote(q, e, a->user, &err) < 0) {
			app_status(a, 1, "%s", err.msg);
			return 1;
		}
		if (approve && gate_failure(s, q) &&
		    mlc_policy_approvals(q) + 1 >= mlc_policy_need(e)) {
			app_status(a, 1, "%s", gate_failure(s, q));
			return 1;
		}
	}
	return 0;
}

/* a or x: ask for an optional comment first. */
static void start_vote(struct app *a, struct view *v, const char *decision)
{
	const struct mlc_request *q = cursor_request(v);
	struct change *c;

	if (q == NULL) {
		app_status(a, 1, "no request selected");
		return;
	}
	if (refused_vote(a, v, q, strcmp(decision, "approve") == 0))
		return;
	c = change_new(CH_VOTE, q->model, q->version, q->environment);
	c->id = q->id;
	c->decision = xstrdup(decision);
	app_prompt(a,
		   strcmp(decision, "approve") == 0 ? "approve, comment (optional): "
						    : "reject, comment (optional): ",
		   comment_typed, change_discard, c);
}

/* Enter: the request and every vote, in the footer-sized dialog. */
static void show_request(struct app *a, struct view *v)
{
	const struct mlc_request *q = cursor_request(v);
	struct dialog *d;

	if (q == NULL)
		return;
	d = dialog_new("Request", "Close", NULL, NULL, NULL, NULL);
	if (is_policy(q))
		dialog_line(d, "Request %lld: the policy of %s: %s", (long long)q->id,
			    q->environment, q->change ? q->change : "");
	else
		dialog_line(d, "Request %lld: %s %s to %s (%s)", (long long)q->id, q->model,
			    q->version, q->environment, q->kind);
	dialog_line(d, "By %s: %s", q->requested_by, *q->comment ? q->comment : "(no comment)");
	for (size_t k = 0; k < q->n_votes && k < DIALOG_LINES - 3; k++)
		dialog_line(d, "%s %s: %s", q->votes[k].by, q->votes[k].decision,
			    *q->votes[k].comment ? q->votes[k].comment : "(no comment)");
	if (q->n_votes == 0)
		dialog_line(d, "No votes yet.");
	if (gate_failure(v->data, q))
		dialog_field(d, "Gate:", gate_failure(v->data, q));
	d->focus = 1;
	app_dialog(a, d);
}

static int approvals_action(struct app *a, struct view *v, enum action act)
{
	switch (act) {
	case ACT_APPROVE:
		start_vote(a, v, "approve");
		return V_REDRAW;
	case ACT_REJECT:
		start_vote(a, v, "reject");
		return V_REDRAW;
	case ACT_ENTER:
		show_request(a, v);
		return V_REDRAW;
	default:
		return V_IGNORED;
	}
}

static void approvals_free(struct view *v)
{
	free_state(v->data);
	free(v->data);
}

static const struct view_ops approvals_ops = {
    .name = "approvals",
    .load = approvals_load,
    .action = approvals_action,
    .free = approvals_free,
    .enter_hint = "votes",
    .counted = 1,
    .hints = {ACT_APPROVE, ACT_REJECT, ACT_NONE},
};

static const struct table_col cols[] = {
    {"ID", 0, 1, 0, 0},	     {"MODEL", 24, 0, 0, 0},   {"ENV", 12, 0, 0, 0},
    {"CHANGE", 18, 0, 0, 0}, {"METRICS", 28, 0, 0, 0}, {"DRIFT", 0, 0, 0, 0},
    {"GATE", 24, 0, 0, 0},   {"BY", 10, 0, 0, 0},      {"AGE", 0, 0, 0, 0},
    {"VOTES", 28, 0, 0, 0},  {"COMMENT", 0, 0, 1, 0},
};

struct view *view_approvals_new(struct app *a)
{
	struct view *v = view_new(a, &approvals_ops, "Approvals (pending, oldest first)");

	v->data = xcalloc(1, sizeof(struct approvals_state));
	table_init(&v->table, cols, 11);
	return v;
}
