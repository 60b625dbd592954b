/* view_models.c: the registered models — the console's first screen. Enter
 * opens a model's versions; ":filter EXPR" applies MLflow's search syntax. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "filter.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

struct models_job {
	struct view_job job; /* first: its view, rc and error */
	char *filter;
	struct mlc_model_list list;
	struct mlc_drift_list drift; /* latest point per feature of deployed models */
};

/* Worker thread: read the models. */
static void models_run(struct registry *r, void *arg)
{
	struct models_job *j = arg;
	struct mlc_error ignore = {0};

	j->job.rc = registry_list_models(r, j->filter, &j->list, &j->job.err);
	if (j->job.rc == 0) /* a backend without drift series just shows none */
		registry_drift_series(r, NULL, NULL, 1, &j->drift, &ignore);
}

/* The worst drift status of model's features, -1 when it has no series. */
static int model_drift(const struct mlc_drift_list *d, const char *model)
{
	int worst = -1;

	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->items[i].model, model) == 0 && d->items[i].status > worst)
			worst = d->items[i].status;
	return worst;
}

/* Fill the table from the result. */
static void models_fill(struct app *a, struct view *v, const struct mlc_model_list *l,
			const struct mlc_drift_list *drift)
{
	const char **names = xcalloc(l->n + 1, sizeof *names);

	table_clear(&v->table);
	for (size_t i = 0; i < l->n; i++) {
		const struct mlc_model *m = &l->items[i];
		struct strbuf al = {0};
		char nv[24], upd[32];
		for (size_t k = 0; k < m->n_aliases; k++)
			sb_printf(&al, "%s%s=%s", k ? " " : "", m->aliases[k].alias, m->aliases[k].version);
		snprintf(nv, sizeof nv, "%lld", (long long)m->n_versions);
		timefmt_minutes(m->last_updated_time, upd, sizeof upd);
		int ds = model_drift(drift, m->name);
		table_add(&v->table, m->name, ds > 0 ? view_drift_status_role(ds) : THEME_NORMAL,
			  (const char *[]){m->name, nv, *m->latest_version ? m->latest_version : "-",
					   ds < 0 ? "-" : view_drift_status_label(a->utf8, ds),
					   al.len ? sb_str(&al) : "-", upd, m->description});
		sb_free(&al);
		names[i] = m->name;
	}
	table_done(&v->table);
	if (v->search == NULL || *v->search == '\0')
		app_set_model_names(a, names, l->n);
	free(names);
}

/* Main thread: install the result if the view is still there. */
static void models_done(struct app *a, void *arg)
{
	struct models_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL)
		models_fill(a, v, &j->list, &j->drift);
	MLC_LIST_FREE(&j->list);
	MLC_LIST_FREE(&j->drift);
	free(j->filter);
	free(j);
}

static void models_load(struct app *a, struct view *v)
{
	struct models_job *j = xcalloc(1, sizeof *j);

	j->filter = v->search ? xstrdup(v->search) : NULL;
	view_job_start(a, v, models_run, models_done, &j->job);
}

static int models_action(struct app *a, struct view *v, enum action act)
{
	const char *key = table_cursor_key(&v->table);

	if (act == ACT_ENTER && key != NULL) {
		app_push(a, view_versions_new(a, key));
		return V_HANDLED;
	}
	if (act == ACT_DRIFT && key != NULL) {
		app_push(a, view_drift_new(a, key));
		return V_HANDLED;
	}
	if (act == ACT_DEPLOYMENTS && key != NULL) {
		app_push(a, view_deployments_new(a, key));
		return V_HANDLED;
	}
	return V_IGNORED;
}

static const struct view_ops models_ops = {
	.name = "models",
	.load = models_load,
	.action = models_action,
	.enter_hint = "versions",
	.counted = 1,
	.hints = {ACT_DRIFT, ACT_DEPLOYMENTS, ACT_NONE},
	.search = FILTER_MODELS,
};

static const struct table_col models_cols[] = {
	{"NAME", 32, 0, 0, 0}, {"VERSIONS", 0, 1, 0, 0}, {"LATEST", 0, 1, 0, 0}, {"DRIFT", 0, 0, 0, 0},
	{"ALIASES", 40, 0, 0, 0}, {"UPDATED", 0, 0, 0, 0}, {"DESCRIPTION", 0, 0, 1, 0},
};

struct view *view_models_new(struct app *a)
{
	struct view *v = view_new(a, &models_ops, "Models");
	table_init(&v->table, models_cols, 7);
	return v;
}

static void cmd_models(struct app *a, const char *arg)
{
	app_home(a);
}

APP_COMMAND(cmd_models_info, .name = "models", .args = "",
	    .help = "Registered models",
	    .run = cmd_models,
	    .rank = 10);
