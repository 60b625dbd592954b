/* view_versions.c: the versions of one registered model, highest first, with
 * stage, aliases and the run that produced each. Enter opens a version. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "app.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

struct versions_job {
	struct view_job job; /* first: its view, rc and error */
	char *model;
	struct mlc_version_list list;
};

static void versions_run(struct registry *r, void *arg)
{
	struct versions_job *j = arg;
	j->job.rc = registry_list_versions(r, j->model, &j->list, &j->job.err);
}

/* Fill the table from the result. */
static void versions_fill(struct view *v, const struct mlc_version_list *l)
{
	table_clear(&v->table);
	for (size_t i = 0; i < l->n; i++) {
		const struct mlc_version *ver = &l->items[i];
		struct strbuf al = {0};
		char created[32], run[9];
		for (size_t k = 0; k < ver->n_aliases; k++)
			sb_printf(&al, "%s%s", k ? " " : "", ver->aliases[k]);
		timefmt_minutes(ver->creation_time, created, sizeof created);
		snprintf(run, sizeof run, "%s", *ver->run_id ? ver->run_id : "-");
		table_add(&v->table, ver->version,
			  ver->n_aliases ? THEME_TITLE : THEME_NORMAL,
			  (const char *[]){ver->version, ver->stage, al.len ? sb_str(&al) : "-",
					   ver->status, run, created, ver->user_id, ver->description});
		sb_free(&al);
	}
	table_done(&v->table);
}

static void versions_done(struct app *a, void *arg)
{
	struct versions_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL)
		versions_fill(v, &j->list);
	MLC_LIST_FREE(&j->list);
	free(j->model);
	free(j);
}

static void versions_load(struct app *a, struct view *v)
{
	struct versions_job *j = xcalloc(1, sizeof *j);

	j->model = xstrdup(v->subject);
	view_job_start(a, v, versions_run, versions_done, &j->job);
}

static int versions_action(struct app *a, struct view *v, enum action act)
{
	const char *key = table_cursor_key(&v->table);

	if (act == ACT_ENTER && key != NULL) {
		app_push(a, view_version_new(a, v->subject, key));
		return V_HANDLED;
	}
	return V_IGNORED;
}

static const struct view_ops versions_ops = {
	.name = "versions",
	.load = versions_load,
	.action = versions_action,
	.enter_hint = "detail",
	.counted = 1,
};

static const struct table_col versions_cols[] = {
	{"VERSION", 0, 1, 0, 0}, {"STAGE", 0, 0, 0, 0},   {"ALIASES", 40, 0, 0, 0}, {"STATUS", 0, 0, 0, 0},
	{"RUN", 0, 0, 0, 0},     {"CREATED", 0, 0, 0, 0}, {"USER", 16, 0, 0, 0},    {"DESCRIPTION", 0, 0, 1, 0},
};

struct view *view_versions_new(struct app *a, const char *model)
{
	char *title = xasprintf("Versions of %s", model);
	struct view *v = view_new(a, &versions_ops, title);

	free(title);
	v->subject = xstrdup(model);
	table_init(&v->table, versions_cols, 8);
	return v;
}

static void cmd_versions(struct app *a, const char *arg)
{
	if (*arg == '\0') {
		app_status(a, 1, ":versions needs a MODEL (Tab completes)");
		return;
	}
	app_home(a);
	app_push(a, view_versions_new(a, arg));
}

APP_COMMAND(cmd_versions_info, .name = "versions", .args = "MODEL",
	    .help = "Versions of MODEL",
	    .run = cmd_versions,
	    .rank = 20);
