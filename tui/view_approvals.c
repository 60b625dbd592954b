/* view_approvals.c: the pending promotion requests, oldest first, with what
 * would change (live -> requested version) and the votes so far. a approves, x
 * rejects — each asks for an optional comment, then confirms in a dialog;
 * Enter shows the request with its votes. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "changes.h"
#include "compare.h"
#include "alert.h"
#include "gate.h"
#include "policy.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The metric lines a request's evidence keeps for the dialogs. */
#define EVIDENCE_METRICS 3

/* What a reviewer wants before voting: the candidate against the version live
 * in the request's environment (core/compare.c's version diff). */
struct evidence {
	char *metrics;		       /* "auc 0.966 +0.0095": key metrics, deltas vs live */
	char *lines[EVIDENCE_METRICS]; /* "auc  0.956817 -> 0.966316  (+0.0095)" */
	int nlines;
	char *data; /* "same data", "data changed: churn-train (training)", ... */
	char *live; /* the version compared against ("none") */
};

struct approvals_state {
	struct mlc_request_list reqs;
	struct mlc_live_list live;
	struct mlc_env_list envs;
	struct mlc_drift_list drift; /* latest point per feature, for the status */
	struct evidence *evidence;   /* per request (a policy's is empty) */
	char **gates;		     /* per request: the gate it fails now and why (gate.h), or NULL */
	char **gate_expr;	     /* per request: that gate's expression, or NULL */
	struct mlc_alert_firing_list alerts; /* the open alert firings (evidence) */
};

struct approvals_job {
	struct view_job job; /* first: its view, rc and error */
	struct approvals_state got;
	struct mlc_event_list history;
};

/* Names that usually say how good a model is, in the order we prefer them. */
static const char *const key_names[] = {"auc", "accuracy", "f1",	"rmse",
					"mae", "loss",	   "precision", "recall"};

/* 1 if metric key is the usual name k (or its val_ form). */
static int is_key_name(const char *key, const char *k)
{
	return strcmp(key, k) == 0 || (strncmp(key, "val_", 4) == 0 && strcmp(key + 4, k) == 0);
}

/* "auc 0.93 f1 0.71": up to two of the run's metrics, the usual ones first. */
static char *key_metrics(const struct mlc_run *run)
{
	struct strbuf sb = {0};
	int shown = 0;

	for (size_t k = 0; k < sizeof key_names / sizeof key_names[0] && shown < 2; k++)
		for (size_t i = 0; i < run->n_metrics && shown < 2; i++)
			if (is_key_name(run->metrics[i].key, key_names[k])) {
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

/* 1 if row is among pick[0..n). */
static int picked(const struct diff_row *const *pick, int n, const struct diff_row *row)
{
	for (int i = 0; i < n; i++)
		if (pick[i] == row)
			return 1;
	return 0;
}

/* The diff's metric rows to show into pick (up to EVIDENCE_METRICS): the
 * usual names, in key_names' order; with none of them, the first two (the
 * differing ones come first in a diff). */
static int pick_metrics(const struct mlc_version_diff *d, const struct diff_row **pick)
{
	int n = 0;

	for (size_t k = 0; k < sizeof key_names / sizeof key_names[0]; k++)
		for (size_t i = 0; i < d->n && n < EVIDENCE_METRICS; i++)
			if (strcmp(d->rows[i].section, "metric") == 0 &&
			    is_key_name(d->rows[i].key, key_names[k]) &&
			    !picked(pick, n, &d->rows[i])) {
				pick[n++] = &d->rows[i];
				break;
			}
	if (n > 0)
		return n;
	for (size_t i = 0; i < d->n && n < 2; i++)
		if (strcmp(d->rows[i].section, "metric") == 0)
			pick[n++] = &d->rows[i];
	return n;
}

/* The candidate's value of a metric row and its change since live into the
 * evidence: cell words ("auc 0.966 +0.0095") and a dialog line with whether
 * that is better (compare_lower_is_better says which way is). */
static void add_metric(struct evidence *e, struct strbuf *cell, const struct diff_row *row)
{
	const char *was = row->values[0], *now = row->values[1];
	double delta = was && now ? strtod(now, NULL) - strtod(was, NULL) : NAN;
	int better = compare_lower_is_better(row->key) ? delta < 0 : delta > 0;
	char dl[32], dc[32];

	if (!isfinite(delta)) {
		snprintf(dl, sizeof dl, "no change known");
		snprintf(dc, sizeof dc, "?");
	} else {
		snprintf(dl, sizeof dl, "%+.3g%s", delta,
			 delta == 0 ? ""
			 : better   ? ", better"
				    : ", worse");
		snprintf(dc, sizeof dc, "%+.2g", delta);
	}
	sb_printf(cell, "%s%s %.3g %s", cell->len ? " " : "", row->key,
		  now ? strtod(now, NULL) : NAN, dc);
	e->lines[e->nlines++] =
	    xasprintf("%-14s %s -> %s  (%s)", row->key, was ? was : "-", now ? now : "-", dl);
}

/* Whether the training (or any) data changed: the dataset rows of d. */
static char *data_verdict(const struct mlc_version_diff *d)
{
	struct strbuf sb = {0};
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->rows[i].section, "dataset") == 0) {
			n++;
			if (d->rows[i].differs)
				sb_printf(&sb, "%s%s",
					  sb.len ? ", " : "data changed: ", d->rows[i].key);
		}
	if (sb.len)
		return sb_detach(&sb);
	return xstrdup(n ? "same data" : "no datasets recorded");
}

/* The evidence for promoting model's candidate where live is ("none"): the
 * version diff live -> candidate; against nothing, the candidate's metrics. */
static void gather_evidence(struct registry *r, const char *model, const char *live,
			    const char *candidate, struct evidence *e)
{
	struct mlc_version_diff d = {0};
	struct mlc_error err = {0};
	const struct diff_row *pick[EVIDENCE_METRICS];
	struct strbuf cell = {0};

	e->live = xstrdup(live);
	if (strcmp(live, "none") == 0 || strcmp(live, candidate) == 0 ||
	    version_diff_fetch(r, model, live, candidate, &d, &err) < 0) {
		e->metrics = version_metrics(r, model, candidate);
		e->data = xstrdup(strcmp(live, "none") == 0 ? "nothing live to compare"
				  : *err.msg		    ? err.msg
							    : "the live version itself");
		return;
	}
	for (int i = 0, n = pick_metrics(&d, pick); i < n; i++)
		add_metric(e, &cell, pick[i]);
	e->metrics = cell.len ? sb_detach(&cell) : (sb_free(&cell), xstrdup("-"));
	e->data = data_verdict(&d);
	version_diff_free(&d);
}

static void evidence_free(struct evidence *e)
{
	free(e->metrics);
	free(e->data);
	free(e->live);
	for (int i = 0; i < e->nlines; i++)
		free(e->lines[i]);
}

/* 1 if q asks to change an environment's policy (no model, no version). */
static int is_policy(const struct mlc_request *q)
{
	return strcmp(q->kind, "policy") == 0;
}

static const char *live_of(const struct approvals_state *s, const char *model, const char *env);

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

	if ((j->job.rc = registry_requests(r, REQ_PENDING, 0, &j->got.reqs, &j->job.err)) == 0 &&
	    (j->job.rc = registry_env_list(r, &j->got.envs, &j->job.err)) == 0)
		j->job.rc =
		    registry_deployments(r, NULL, NULL, &j->got.live, &j->history, &j->job.err);
	if (j->job.rc < 0)
		return;
	registry_drift_series(r, NULL, NULL, 1, &j->got.drift, &ignore);
	j->got.evidence = xcalloc(j->got.reqs.n + 1, sizeof *j->got.evidence);
	for (size_t i = 0; i < j->got.reqs.n; i++) {
		const struct mlc_request *q = &j->got.reqs.items[i];
		if (!is_policy(q))
			gather_evidence(r, q->model, live_of(&j->got, q->model, q->environment),
					q->version, &j->got.evidence[i]);
	}
	read_gates(r, &j->got);
	alert_open(r, NULL, NULL, timefmt_now_ms(), &j->got.alerts, &ignore);
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
	for (size_t i = 0; s->evidence && i < s->reqs.n; i++)
		evidence_free(&s->evidence[i]);
	free(s->evidence);
	s->evidence = NULL;
	for (size_t i = 0; s->gates && i < s->reqs.n; i++) {
		free(s->gates[i]);
		free(s->gate_expr[i]);
	}
	free(s->gates);
	free(s->gate_expr);
	s->gates = s->gate_expr = NULL;
	MLC_LIST_FREE(&s->drift);
	MLC_LIST_FREE(&s->alerts);
	MLC_LIST_FREE(&s->reqs);
	MLC_LIST_FREE(&s->live);
	MLC_LIST_FREE(&s->envs);
}

/* The DATA cell: "changed", "same", or "-" (no datasets, nothing live). */
static const char *data_word(const struct evidence *e)
{
	if (e == NULL || e->data == NULL)
		return "-";
	if (strncmp(e->data, "data changed", 12) == 0)
		return "changed";
	return strcmp(e->data, "same data") == 0 ? "same" : "-";
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
		const struct evidence *e = s->evidence ? &s->evidence[i] : NULL;
		table_add_ref(&v->table, id, ds > 0 ? view_drift_status_role(ds) : THEME_NORMAL,
			      (const char *[]){id, is_policy(q) ? "(policy)" : q->model,
					       q->environment, change,
					       e && e->metrics ? e->metrics : "-", data_word(e),
					       ds < 0 ? "-" : view_drift_status_label(a->utf8, ds),
					       s->gate_expr && s->gate_expr[i] ? s->gate_expr[i] : "-",
					       q->requested_by, age,
					       votes.len ? sb_str(&votes) : "-", q->comment},
			      (struct table_ref){.index = i});
		sb_free(&votes);
	}
	table_done(&v->table);
}

static void approvals_done(struct app *a, void *arg)
{
	struct approvals_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

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

	view_job_start(a, v, approvals_run, approvals_done, &j->job);
}

/* The request under the cursor, NULL when none. */
static const struct mlc_request *cursor_request(struct view *v)
{
	struct approvals_state *s = v->data;
	const struct table_ref *r = table_cursor_ref(&v->table);

	return r && r->index < s->reqs.n ? &s->reqs.items[r->index] : NULL;
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

/* The open alerts of q's model in q's environment into dialog d, each with
 * its rule, features and the request it opened ("none open" when none). */
static void dialog_evidence_alerts(struct dialog *d, const struct approvals_state *s,
				   const struct mlc_request *q)
{
	int n = 0;

	for (size_t i = 0; i < s->alerts.n; i++) {
		const struct mlc_alert_firing *f = &s->alerts.items[i];
		if (strcmp(f->model, q->model) != 0 || strcmp(f->env, q->environment) != 0)
			continue;
		if (f->request_id == q->id)
			dialog_line(d, "  Alert:  %s fired on %s (it opened this request)", f->rule,
				    f->features);
		else if (f->request_id > 0)
			dialog_line(d, "  Alert:  %s fired on %s (request %lld)", f->rule,
				    f->features, (long long)f->request_id);
		else
			dialog_line(d, "  Alert:  %s fired on %s", f->rule, f->features);
		n++;
	}
	if (n == 0)
		dialog_line(d, "  Alerts: none open in %s", q->environment);
}

/* The evidence for q into dialog d: key metrics live -> candidate with their
 * change, whether the data changed, the live version's drift status. */
static void dialog_evidence(struct app *a, struct dialog *d, const struct approvals_state *s,
			    const struct mlc_request *q)
{
	const struct evidence *e = s->evidence ? &s->evidence[q - s->reqs.items] : NULL;
	int ds = drift_of(s, q->model);

	if (e == NULL || e->live == NULL)
		return;
	dialog_line(d, "Against live %s:", e->live);
	for (int i = 0; i < e->nlines; i++)
		dialog_line(d, "  %s", e->lines[i]);
	dialog_field(d, "  Data:", e->data);
	dialog_line(d, "  Drift:  %s (the model's, live %s)",
		    ds < 0 ? "none recorded" : view_drift_status_label(a->utf8, ds), e->live);
	dialog_evidence_alerts(d, s, q);
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
		dialog_evidence(a, d, s, q);
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
	if (!is_policy(q))
		dialog_evidence(a, d, v->data, q);
	for (size_t k = 0; k < q->n_votes && d->nlines < DIALOG_LINES; k++)
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
		return V_HANDLED;
	case ACT_REJECT:
		start_vote(a, v, "reject");
		return V_HANDLED;
	case ACT_ENTER:
		show_request(a, v);
		return V_HANDLED;
	default:
		return V_IGNORED;
	}
}

static void approvals_free(struct view *v)
{
	free_state(v->data);
}

static const struct view_ops approvals_ops = {
    .name = "approvals",
    .data_size = sizeof(struct approvals_state),
    .load = approvals_load,
    .action = approvals_action,
    .free = approvals_free,
    .enter_hint = "votes",
    .counted = 1,
    .hints = {ACT_APPROVE, ACT_REJECT, ACT_NONE},
};

static const struct table_col cols[] = {
    {"ID", 0, 1, 0, 0},	     {"MODEL", 24, 0, 0, 0},   {"ENV", 12, 0, 0, 0},
    {"CHANGE", 18, 0, 0, 1}, {"METRICS", 28, 0, 0, 0}, {"DATA", 0, 0, 0, 0},
    {"DRIFT", 0, 0, 0, 0},   {"GATE", 24, 0, 0, 0},    {"BY", 10, 0, 0, 0},
    {"AGE", 0, 0, 0, 0},
    {"VOTES", 28, 0, 0, 0},  {"COMMENT", 0, 0, 1, 0},
};

static void cmd_approvals(struct app *a, const char *arg)
{
	struct view *v = view_new(a, &approvals_ops, "Approvals (pending, oldest first)");

	table_init(&v->table, cols, (int)(sizeof cols / sizeof cols[0]));
	app_push(a, v);
}

APP_COMMAND(cmd_approvals_info, .name = "approvals", .args = "",
	    .help = "Pending promotion requests (a approve, x reject)",
	    .run = cmd_approvals,
	    .need = REG_CAP_DEPLOY, .verb = "show requests",
	    .rank = 90);
