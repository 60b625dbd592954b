/* view_pulse.c: the registry's pulse (k9s's pulses, htop's header) — one row
 * per model, worst first: its drift status, pending requests, failed hooks,
 * the version live in each environment (a column each) and its newest
 * version. Loaded in the background from a few bulk reads (core/pulse.c);
 * with a refresh interval (:pulse SECONDS, or pulse_refresh in the config)
 * it loads again by itself. Enter opens the model's deployments, D its drift. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "pulse.h"
#include "sanitize.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The columns before and after the environments'. */
enum { PULSE_LEAD = 5, PULSE_TAIL = 1 };

struct pulse_state {
	struct pulse_list rows;
	char **envs; /* the environments' column titles (sanitised) */
	size_t n_envs;
	int refresh; /* seconds between loads, 0: only on ^R */
	int reads;   /* registry reads the last load took */
	struct table_col cols[TABLE_MAX_COLS];
};

struct pulse_job {
	struct view_job job; /* first: its view, rc and error */
	struct pulse_list rows;
	int reads;
};

static void pulse_run(struct registry *r, void *arg)
{
	struct pulse_job *j = arg;
	j->job.rc = pulse_load(r, &j->rows, &j->reads, &j->job.err);
}

/* The environments of the first row, as column titles. */
static void set_env_columns(struct view *v)
{
	static const struct table_col lead[PULSE_LEAD] = {{"MODEL", 28, 0, 0, 0},
							  {"DRIFT", 0, 0, 0, 0},
							  {"ALERTS", 0, 1, 0, 0},
							  {"REQ", 0, 1, 0, 0},
							  {"HOOK", 0, 0, 0, 0}};
	struct pulse_state *s = v->data;
	size_t n = s->rows.n ? s->rows.items[0].n_live : 0;

	for (size_t i = 0; i < s->n_envs; i++)
		free(s->envs[i]);
	free(s->envs);
	if (n > TABLE_MAX_COLS - PULSE_LEAD - PULSE_TAIL)
		n = TABLE_MAX_COLS - PULSE_LEAD - PULSE_TAIL;
	s->envs = xcalloc(n + 1, sizeof *s->envs);
	s->n_envs = n;
	memcpy(s->cols, lead, sizeof lead);
	for (size_t i = 0; i < n; i++) {
		s->envs[i] = sanitize_dup(s->rows.items[0].live[i].environment);
		s->cols[PULSE_LEAD + i] = (struct table_col){s->envs[i], 12, 0, 0, 0};
	}
	s->cols[PULSE_LEAD + n] = (struct table_col){"NEWEST", 0, 1, 0, 0};
	table_set_columns(&v->table, s->cols, (int)(PULSE_LEAD + n + PULSE_TAIL));
}

/* "✖ drift 2/9": the worst status and how many features drift; "-" if none. */
static void drift_cell(struct app *a, const struct pulse_row *p, char *buf, size_t len)
{
	if (p->drift < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s %zu/%zu", view_drift_status_label(a->utf8, p->drift),
			 p->drifting, p->features);
}

/* The environments whose hook failed, as a count with its mark ("✖ 1"),
 * "-" if none, so the row fits 80 columns: Enter shows the model's
 * deployments, each with its hook's status. */
static void hook_cell(struct app *a, const struct pulse_row *p, char *buf, size_t len)
{
	if (p->failed_hooks == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s %zu", a->utf8 ? "✖" : "X", p->failed_hooks);
}

/* The open alerts ("-" if none), as a count for the same reason: the
 * firings are in 'alerts list', their rollback requests in :approvals. */
static void alerts_cell(const struct pulse_row *p, char *buf, size_t len)
{
	if (p->alerts == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%zu", p->alerts);
}

/* The row's theme: a failed hook or an open alert is an error, then its
 * drift status. */
static enum theme_role row_role(const struct pulse_row *p)
{
	if (p->failed_hooks || p->alerts)
		return THEME_ERROR;
	return p->drift > 0 ? view_drift_status_role(p->drift) : THEME_NORMAL;
}

/* The title: the counts that matter and the refresh interval. */
static void set_title(struct view *v)
{
	struct pulse_state *s = v->data;
	size_t drifting = 0, hooks = 0, alerts = 0;
	int64_t pending = 0;

	for (size_t i = 0; i < s->rows.n; i++) {
		alerts += s->rows.items[i].alerts;
		drifting += s->rows.items[i].drift == 2;
		hooks += s->rows.items[i].failed_hooks > 0;
		pending += s->rows.items[i].pending;
	}
	free(v->title);
	v->title = s->refresh ? xasprintf("Pulse: %zu alerts, %zu drifting, %lld pending, %zu "
					  "failing hooks, every %ds",
					  alerts, drifting, (long long)pending, hooks, s->refresh)
			      : xasprintf("Pulse: %zu alerts, %zu drifting, %lld pending, %zu "
					  "failing hooks",
					  alerts, drifting, (long long)pending, hooks);
}

static void pulse_fill(struct app *a, struct view *v)
{
	struct pulse_state *s = v->data;
	const char *cells[TABLE_MAX_COLS];

	set_env_columns(v);
	table_clear(&v->table);
	for (size_t i = 0; i < s->rows.n; i++) {
		const struct pulse_row *p = &s->rows.items[i];
		char drift[48], alerts[32], req[24], hook[32];
		drift_cell(a, p, drift, sizeof drift);
		hook_cell(a, p, hook, sizeof hook);
		alerts_cell(p, alerts, sizeof alerts);
		snprintf(req, sizeof req, "%lld", (long long)p->pending);
		cells[0] = p->model;
		cells[1] = drift;
		cells[2] = alerts;
		cells[3] = req;
		cells[4] = hook;
		for (size_t e = 0; e < s->n_envs; e++)
			cells[PULSE_LEAD + e] =
			    e < p->n_live && *p->live[e].version ? p->live[e].version : "-";
		cells[PULSE_LEAD + s->n_envs] = *p->newest ? p->newest : "-";
		table_add_ref(&v->table, p->model, row_role(p), cells,
			      (struct table_ref){.index = i});
	}
	table_done(&v->table);
	set_title(v);
}

static void pulse_done(struct app *a, void *arg)
{
	struct pulse_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct pulse_state *s = v->data;
		MLC_LIST_FREE(&s->rows);
		s->rows = j->rows;
		s->reads = j->reads;
		memset(&j->rows, 0, sizeof j->rows);
		pulse_fill(a, v);
	}
	MLC_LIST_FREE(&j->rows);
	free(j);
}

static void pulse_load_view(struct app *a, struct view *v)
{
	struct pulse_job *j = xcalloc(1, sizeof *j);

	view_job_start(a, v, pulse_run, pulse_done, &j->job);
}

/* On the loop's turn: load again when the interval has passed since the
 * last load began (a failed one too: not again at once). */
static void pulse_tick(struct app *a, struct view *v)
{
	struct pulse_state *s = v->data;

	if (s->refresh > 0 && !v->loading &&
	    timefmt_now_ms() - v->load_started_ms >= (int64_t)s->refresh * 1000)
		pulse_load_view(a, v);
}

static int pulse_action(struct app *a, struct view *v, enum action act)
{
	struct pulse_state *s = v->data;
	const struct table_ref *r = table_cursor_ref(&v->table);
	const char *key = r && r->index < s->rows.n ? s->rows.items[r->index].model : NULL;

	if (key == NULL)
		return V_IGNORED;
	if (act == ACT_ENTER || act == ACT_DEPLOYMENTS) {
		/* a registry without deployments (a file store): the versions */
		if (act == ACT_ENTER && app_refusal(a, ACT_DEPLOYMENTS, 1, NULL, 0))
			app_push(a, view_versions_new(a, key));
		else
			app_push(a, view_deployments_new(a, key));
		return V_HANDLED;
	}
	if (act == ACT_DRIFT) {
		app_push(a, view_drift_new(a, key));
		return V_HANDLED;
	}
	return V_IGNORED;
}

static void pulse_free(struct view *v)
{
	struct pulse_state *s = v->data;

	MLC_LIST_FREE(&s->rows);
	for (size_t i = 0; i < s->n_envs; i++)
		free(s->envs[i]);
	free(s->envs);
}

static const struct view_ops pulse_ops = {
    .name = "pulse",
    .data_size = sizeof(struct pulse_state),
    .load = pulse_load_view,
    .action = pulse_action,
    .free = pulse_free,
    .enter_hint = "deployments",
    .counted = 1,
    .hints = {ACT_DRIFT, ACT_NONE},
    .tick = pulse_tick,
};

struct view *view_pulse_new(struct app *a, int refresh)
{
	struct view *v = view_new(a, &pulse_ops, "Pulse");
	struct pulse_state *s = v->data;

	s->refresh = refresh;
	table_init(&v->table, s->cols, 1); /* the columns follow */
	set_env_columns(v);
	set_title(v);
	return v;
}

/* :pulse [SECONDS]: every model at a glance, loading again every SECONDS
 * (the config's pulse_refresh unless given; 0: only on ^R). */
static void cmd_pulse(struct app *a, const char *arg)
{
	char *end;
	long s = strtol(arg, &end, 10);

	if (*arg && (*end || s < 0 || s > 3600)) {
		app_status(a, 1, ":pulse SECONDS: a refresh interval of 0 to 3600 seconds");
		return;
	}
	app_push(a, view_pulse_new(a, *arg ? (int)s : a->config.pulse_refresh));
}

APP_COMMAND(cmd_pulse_info, .name = "pulse", .args = "[SECONDS]",
	    .help = "Every model at a glance, worst first; reloads every SECONDS (start = pulse)",
	    .run = cmd_pulse,
	    .rank = 110);
