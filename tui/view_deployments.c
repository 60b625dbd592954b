/* view_deployments.c: what is live where — per model and environment the live
 * version, since when, by whom and its hook's status; for one model every
 * environment (also those with nothing live yet) and the history. d deploys a version to the row's
 * environment (or opens a request where the policy wants approvals), R rolls back; both confirm
 * first. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "changes.h"
#include "timefmt.h"
#include "xmalloc.h"

/* What an environment's row stands for: d, R, H and Enter act on it. */
struct place {
	const char *model, *env;
	const char *version; /* live, or "-": nothing live yet */
};

struct deployments_state {
	char *model; /* NULL: every model */
	struct mlc_env_list envs;
	struct place *places; /* the rows' (struct table_ref's index) */
	size_t nplaces, cap;
	struct mlc_arena arena; /* their strings */
};

struct deployments_job {
	struct view_job job; /* first: its view, rc and error */
	char *model;
	struct mlc_env_list envs;
	struct mlc_live_list live;
	struct mlc_event_list history;
};

static void deployments_run(struct registry *r, void *arg)
{
	struct deployments_job *j = arg;

	if ((j->job.rc = registry_env_list(r, &j->envs, &j->job.err)) == 0)
		j->job.rc = registry_deployments(r, j->model, NULL, &j->live, &j->history, &j->job.err);
}

/* The environment named name in envs, NULL if there is none. */
static const struct mlc_env *find_env_in(const struct mlc_env_list *envs, const char *name)
{
	for (size_t i = 0; i < envs->n; i++)
		if (strcmp(envs->items[i].name, name) == 0)
			return &envs->items[i];
	return NULL;
}

/* The row of model in env: cells, the place it stands for, its key (to keep
 * the cursor on it) "model\x1fenv". */
static void add_place(struct view *v, enum theme_role role, const char *const *cells)
{
	struct deployments_state *s = v->data;
	struct place *p;
	char *key = xasprintf("%s\x1f%s", cells[0], cells[1]);

	if (s->nplaces == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->places = xrealloc(s->places, s->cap * sizeof *s->places);
	}
	p = &s->places[s->nplaces];
	p->model = arena_strdup(&s->arena, cells[0]);
	p->env = arena_strdup(&s->arena, cells[1]);
	p->version = arena_strdup(&s->arena, cells[2]);
	table_add_ref(&v->table, key, role, cells, (struct table_ref){.index = s->nplaces++});
	free(key);
}

/* The row of live deployment l. */
static void add_live(struct view *v, const struct mlc_live *l)
{
	char since[32];

	timefmt_minutes(l->since, since, sizeof since);
	add_place(
	    v, strcmp(l->hook_status, "failed") == 0 ? THEME_ERROR : THEME_NORMAL,
	    (const char *[]){l->model, l->environment, l->version, since, l->by, l->hook_status});
}

/* The live deployment of model in env among j's, or NULL. */
static const struct mlc_live *live_in(const struct deployments_job *j, const char *model,
				      const char *env)
{
	for (size_t i = 0; i < j->live.n; i++)
		if (strcmp(j->live.items[i].model, model) == 0 &&
		    strcmp(j->live.items[i].environment, env) == 0)
			return &j->live.items[i];
	return NULL;
}

static int by_order(const void *x, const void *y)
{
	const struct mlc_env *a = x, *b = y;

	return a->order < b->order ? -1 : a->order > b->order ? 1 : strcmp(a->name, b->name);
}

/* One model: a row per environment in promotion order, "-" where nothing is
 * live yet (so d can make the first deployment); every model: the live ones. */
static void deployments_fill(struct view *v, struct deployments_job *j)
{
	struct deployments_state *s = v->data;

	table_clear(&v->table);
	s->nplaces = 0;
	arena_free(&s->arena);
	if (s->model != NULL) {
		qsort(j->envs.items, j->envs.n, sizeof *j->envs.items, by_order);
		for (size_t i = 0; i < j->envs.n; i++) {
			const char *env = j->envs.items[i].name;
			const struct mlc_live *l = live_in(j, s->model, env);
			if (l != NULL)
				add_live(v, l);
			else
				add_place(v, THEME_DIM,
					  (const char *[]){s->model, env, "-", "", "", ""});
		}
	}
	for (size_t i = 0; i < j->live.n; i++) /* (every live one not in the policies too) */
		if (s->model == NULL || !find_env_in(&j->envs, j->live.items[i].environment))
			add_live(v, &j->live.items[i]);
	if (s->model != NULL) {
		table_add_layout(&v->table, THEME_NORMAL, (const char *[]){"", "", "", "", "", ""});
		table_add_layout(&v->table, THEME_TITLE,
				 (const char *[]){"History, newest first", "", "", "", "", ""});
		for (size_t i = 0; i < j->history.n; i++) {
			const struct mlc_deploy_event *d = &j->history.items[i];
			char at[32], key[32], ver[80];
			timefmt_minutes(d->at, at, sizeof at);
			snprintf(key, sizeof key, "h%zu", i); /* events, not counted */
			snprintf(ver, sizeof ver, "%s %s %s",
				 *d->previous_version ? d->previous_version : "-", "->",
				 d->version);
			table_add_ref(
			    &v->table, key,
			    strcmp(d->action, "rollback") == 0 ? THEME_WARN : THEME_DIM,
			    (const char *[]){d->action, d->environment, ver, at, d->by, ""},
			    (struct table_ref){.layout = 1});
		}
	}
	table_done(&v->table);
	{ /* the policies, for d and R */
		MLC_LIST_FREE(&s->envs);
		s->envs = j->envs;
		memset(&j->envs, 0, sizeof j->envs);
	}
}

static void deployments_done(struct app *a, void *arg)
{
	struct deployments_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL)
		deployments_fill(v, j);
	MLC_LIST_FREE(&j->envs);
	MLC_LIST_FREE(&j->live);
	MLC_LIST_FREE(&j->history);
	free(j->model);
	free(j);
}

static void deployments_load(struct app *a, struct view *v)
{
	struct deployments_state *s = v->data;
	struct deployments_job *j = xcalloc(1, sizeof *j);

	j->model = s->model ? xstrdup(s->model) : NULL;
	view_job_start(a, v, deployments_run, deployments_done, &j->job);
}

/* The environment named name in the loaded policies, NULL if unknown. */
static const struct mlc_env *find_env(const struct deployments_state *s, const char *name)
{
	return find_env_in(&s->envs, name);
}

/* 1 if env is the last in the order (production): the user types the model. */
static int is_last_env(const struct deployments_state *s, const struct mlc_env *e)
{
	for (size_t i = 0; i < s->envs.n; i++)
		if (s->envs.items[i].order > e->order)
			return 0;
	return 1;
}

/* The place the cursor's row stands for; NULL on a history row or none. */
static const struct place *cursor_place(const struct view *v)
{
	const struct deployments_state *s = v->data;
	const struct table_ref *r = table_cursor_ref(&v->table);

	return r && !r->layout && r->index < s->nplaces ? &s->places[r->index] : NULL;
}

/* 1 if the cursor's row is an environment where nothing is live yet. */
static int nothing_live(const struct place *p)
{
	return strcmp(p->version, "-") == 0;
}

static void confirm_change(struct app *a, void *ctx)
{
	change_submit(a, ctx);
}

/* Confirm deploying (or requesting) version of c's model in c's environment,
 * where live is live ("-": none). */
static void deploy_dialog(struct app *a, struct view *v, const struct change *c, const char *live,
			  const char *version)
{
	struct deployments_state *s = v->data;
	const struct mlc_env *e = find_env(s, c->env);
	struct change *copy;
	struct dialog *d;

	if (e == NULL)
		return;
	copy = change_new(e->required_approvals > 0 ? CH_REQUEST : CH_DEPLOY, c->model, version,
			  c->env);
	if (e->required_approvals > 0)
		copy->req_kind = xstrdup("promote");
	d = dialog_new(e->required_approvals > 0 ? "Request a promotion" : "Deploy",
		       e->required_approvals > 0 ? "Request" : "Deploy",
		       is_last_env(s, e) ? c->model : NULL, confirm_change, change_discard, copy);
	dialog_line(d, "Model:        %s", c->model);
	dialog_line(d, "Environment:  %s", c->env);
	dialog_line(d, "Version:      %s -> %s", *live && strcmp(live, "-") != 0 ? live : "none",
		    version);
	if (e->required_approvals > 0)
		dialog_line(d, "The policy of %s needs %lld approvals: this opens a request.",
			    c->env, (long long)e->required_approvals);
	app_dialog(a, d);
}

/* d on a row: the model's versions are asked for first, then the prompt offers
 * them (Tab) and a typed one is checked against them before the dialog. */
struct deploy_ask {
	struct view_job job; /* first: its view, rc and error */
	struct change *c; /* model and env */
	char *live;	  /* the row's live version, "-" for none */
	struct mlc_version_list versions;
};

static void ask_free(void *arg)
{
	struct deploy_ask *j = arg;

	MLC_LIST_FREE(&j->versions);
	change_free(j->c);
	free(j->live);
	free(j);
}

static void ask_run(struct registry *r, void *arg)
{
	struct deploy_ask *j = arg;
	j->job.rc = registry_list_versions(r, j->c->model, &j->versions, &j->job.err);
}

/* 1 if version v of j's model may be offered: not archived, not the live one. */
static int offerable(const struct deploy_ask *j, const struct mlc_version *v)
{
	return !(v->stage && strcmp(v->stage, "Archived") == 0) && strcmp(v->version, j->live) != 0;
}

/* The typed version, checked against the model's versions: one that is not
 * there, archived or already live is refused now, naming why; else the
 * dialog. */
static void deploy_version_typed(struct app *a, const char *text, void *ctx)
{
	struct deploy_ask *j = ctx;
	struct view *v = app_top(a);
	const struct mlc_version *found = NULL;
	struct mlc_error err = {0};
	int64_t low = 0, high = 0;

	if (*text == '\0')
		return;
	if (mlc_version_parse(text, &err) < 0) {
		app_status(a, 1, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < j->versions.n; i++) {
		int64_t n = strtoll(j->versions.items[i].version, NULL, 10);
		low = low == 0 || n < low ? n : low;
		high = n > high ? n : high;
		if (strcmp(j->versions.items[i].version, text) == 0)
			found = &j->versions.items[i];
	}
	if (v == NULL || v->id != j->job.view_id)
		; /* the view went away meanwhile */
	else if (found == NULL && j->versions.n == 0)
		app_status(a, 1, "model '%s' has no versions", j->c->model);
	else if (found == NULL)
		app_status(a, 1, "model '%s': no version %s (it has versions %lld to %lld)",
			   j->c->model, text, (long long)low, (long long)high);
	else if (found->stage && strcmp(found->stage, "Archived") == 0)
		app_status(a, 1, "%s version %s is archived: restore it before deploying it",
			   j->c->model, text);
	else if (strcmp(text, j->live) == 0)
		app_status(a, 1, "%s version %s is already live in %s", j->c->model, text,
			   j->c->env);
	else
		deploy_dialog(a, v, j->c, j->live, text);
}

/* The versions are in: ask which one, offering those that may go live
 * (newest first; Tab), and saying which one is live. */
static void ask_done(struct app *a, void *arg)
{
	struct deploy_ask *j = arg;
	struct view *v = a ? app_top(a) : NULL;
	const char **cands;
	size_t n = 0;
	char label[200];

	if (v == NULL || v->id != j->job.view_id || a->mode != MODE_NORMAL || a->dialog != NULL) {
		ask_free(j); /* the view went, or the user is typing something else */
		return;
	}
	if (j->job.rc < 0) {
		app_status(a, 1, "%s", j->job.err.msg);
		ask_free(j);
		return;
	}
	cands = xcalloc(j->versions.n + 1, sizeof *cands);
	for (size_t i = 0; i < j->versions.n; i++)
		if (offerable(j, &j->versions.items[i]))
			cands[n++] = j->versions.items[i].version;
	if (strcmp(j->live, "-") == 0)
		snprintf(label, sizeof label,
			 "deploy which version of %.60s to %.40s (none live; Tab: %s%s)? ",
			 j->c->model, j->c->env, n ? cands[0] : "no version", n > 1 ? ", ..." : "");
	else
		snprintf(label, sizeof label,
			 "deploy which version of %.60s to %.40s (%s live; Tab: %s%s)? ",
			 j->c->model, j->c->env, j->live, n ? cands[0] : "no other",
			 n > 1 ? ", ..." : "");
	app_prompt(a, label, deploy_version_typed, ask_free, j);
	app_prompt_offer(a, cands, n);
	free(cands);
}

/* d on a row: ask for the model's versions, then which one (ask_done). */
static void start_deploy(struct app *a, struct view *v)
{
	const struct place *p = cursor_place(v);
	struct deploy_ask *j;

	if (p == NULL) {
		app_status(a, 1, "d works on an environment's row");
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->job.view_id = v->id;
	j->c = change_new(CH_DEPLOY, p->model, NULL, p->env);
	j->live = xstrdup(*p->version ? p->version : "-");
	worker_submit(a->worker, ask_run, ask_done, j);
}

/* Which version R would go back to, asked of the core before the dialog. */
struct preview_job {
	struct view_job job; /* first: its view, rc and error */
	char *model, *env, *live;
	int request, last; /* the policy wants a request; env is the last */
	char version[32];
};

static void preview_run(struct registry *r, void *arg)
{
	struct preview_job *j = arg;
	j->job.rc =
	    registry_rollback_target(r, j->model, j->env, j->version, sizeof j->version, &j->job.err);
}

/* The target is known: the dialog names model, environment, from -> to. */
static void preview_done(struct app *a, void *arg)
{
	struct preview_job *j = arg;
	struct view *v = a ? app_top(a) : NULL;

	if (v != NULL && v->id == j->job.view_id) {
		if (j->job.rc < 0) {
			app_status(a, 1, "%s", j->job.err.msg);
		} else {
			struct change *c =
			    change_new(j->request ? CH_REQUEST : CH_ROLLBACK, j->model,
				       j->request ? j->version : NULL, j->env);
			struct dialog *d;
			if (j->request)
				c->req_kind = xstrdup("rollback");
			d = dialog_new(j->request ? "Request a rollback" : "Roll back",
				       j->request ? "Request" : "Roll back",
				       j->last ? j->model : NULL, confirm_change, change_discard,
				       c);
			dialog_line(d, "Model:        %s", j->model);
			dialog_line(d, "Environment:  %s", j->env);
			dialog_line(d, "Version:      %s -> %s", j->live, j->version);
			if (j->request)
				dialog_line(d,
					    "The policy of %s wants approval for rollbacks: this "
					    "opens a request.",
					    j->env);
			app_dialog(a, d);
		}
	}
	free(j->model);
	free(j->env);
	free(j->live);
	free(j);
}

/* R on a row: ask the core where the rollback goes, then confirm. */
static void start_rollback(struct app *a, struct view *v)
{
	struct deployments_state *s = v->data;
	const struct place *p = cursor_place(v);
	const struct mlc_env *e;
	struct preview_job *j;

	if (p == NULL || nothing_live(p)) {
		app_status(a, 1, "R works on a live deployment row");
		return;
	}
	e = find_env(s, p->env);
	j = xcalloc(1, sizeof *j);
	j->job.view_id = v->id;
	j->model = xstrdup(p->model);
	j->env = xstrdup(p->env);
	j->request = e && e->rollback_approval;
	j->last = e && is_last_env(s, e);
	j->live = xstrdup(p->version);
	worker_submit(a->worker, preview_run, preview_done, j);
}

/* H on a row: run the environment's hook again, after confirming. */
static void start_hook_retry(struct app *a, struct view *v)
{
	const struct place *p = cursor_place(v);
	struct dialog *d;

	if (p == NULL || nothing_live(p)) {
		app_status(a, 1, "H works on a live deployment row");
		return;
	}
	if (hooks_find(&a->hooks, p->env) == NULL) {
		app_status(a, 1, "no hook for %s in the config file", p->env);
		return;
	}
	d = dialog_new("Run the hook again", "Run", NULL, confirm_change, change_discard,
		       change_new(CH_HOOK, p->model, NULL, p->env));
	dialog_line(d, "Model:        %s", p->model);
	dialog_line(d, "Environment:  %s", p->env);
	dialog_line(d, "The hook runs for the live deployment; its outcome is stored.");
	app_dialog(a, d);
}

static int deployments_action(struct app *a, struct view *v, enum action act)
{
	const struct place *p = cursor_place(v);

	switch (act) {
	case ACT_DEPLOY:
		start_deploy(a, v);
		return V_HANDLED;
	case ACT_ROLLBACK:
		start_rollback(a, v);
		return V_HANDLED;
	case ACT_HOOK_RETRY:
		start_hook_retry(a, v);
		return V_HANDLED;
	case ACT_ENTER:
		if (p != NULL)
			app_push(a, view_versions_new(a, p->model));
		return V_HANDLED;
	default:
		return V_IGNORED;
	}
}

static void deployments_free(struct view *v)
{
	struct deployments_state *s = v->data;

	free(s->model);
	MLC_LIST_FREE(&s->envs);
	free(s->places);
	arena_free(&s->arena);
}

static const struct view_ops deployments_ops = {
    .name = "deployments",
    .data_size = sizeof(struct deployments_state),
    .load = deployments_load,
    .action = deployments_action,
    .free = deployments_free,
    .enter_hint = "versions",
    .counted = 1,
    .hints = {ACT_DEPLOY, ACT_ROLLBACK, ACT_HOOK_RETRY, ACT_NONE},
};

static const struct table_col cols[] = {
    {"MODEL", 32, 0, 0, 0}, {"ENV", 16, 0, 0, 0}, {"VERSION", 0, 0, 0, 0},
    {"SINCE", 0, 0, 0, 0},  {"BY", 16, 0, 0, 0},  {"HOOK", 0, 0, 1, 0},
};

struct view *view_deployments_new(struct app *a, const char *model)
{
	char *title = model ? xasprintf("Deployments of %s", model) : xstrdup("Deployments");
	struct view *v = view_new(a, &deployments_ops, title);
	struct deployments_state *s = v->data;

	free(title);
	s->model = model ? xstrdup(model) : NULL;
	table_init(&v->table, cols, 6);
	return v;
}

static void cmd_deployments(struct app *a, const char *arg)
{
	app_push(a, view_deployments_new(a, *arg ? arg : NULL));
}

APP_COMMAND(cmd_deployments_info, .name = "deployments", .args = "[MODEL]",
	    .help = "What is live where, and the history (d deploy, R rollback)",
	    .run = cmd_deployments,
	    .need = REG_CAP_DEPLOY, .verb = "show deployments",
	    .rank = 70);
