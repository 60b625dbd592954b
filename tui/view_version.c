/* view_version.c: one model version in full — its fields, tags and aliases, and
 * the run that produced it with its params, final metrics and the datasets
 * it used. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "page.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The view's own: the run its Run ID rows open, once loaded. */
struct version_state {
	char *run_id;
};

/* What a row stands for (struct table_ref's kind). */
enum { ROW_FIELD, ROW_RUN };

struct version_job {
	struct view_job job; /* first: its view, rc and error */
	char *model, *version;
	struct mlc_version_list versions;
	const struct mlc_version *ver; /* points into versions */
	struct mlc_run_list run;
	struct mlc_error run_err;
	int run_rc;
};

/* Worker thread: the version (from the model's list) and its run. */
static void version_run(struct registry *r, void *arg)
{
	struct version_job *j = arg;

	j->job.rc = registry_list_versions(r, j->model, &j->versions, &j->job.err);
	if (j->job.rc < 0)
		return;
	for (size_t i = 0; i < j->versions.n; i++)
		if (strcmp(j->versions.items[i].version, j->version) == 0)
			j->ver = &j->versions.items[i];
	if (j->ver == NULL) {
		j->job.rc = mlc_error_set(&j->job.err, MLC_ERR_NOTFOUND, "model '%s': no version %s",
				      j->model, j->version);
		return;
	}
	j->run_rc = -1;
	if (*j->ver->run_id)
		j->run_rc = registry_get_run(r, j->ver->run_id, &j->run, &j->run_err);
}

/* The row of the version's run (Enter opens it): its key says which of the
 * two (the version's field, the lineage's) it is, to keep the cursor there. */
static void run_row(struct view *v, const char *which, const char *run_id)
{
	char *key = xasprintf("%s%s", which, run_id);

	table_add_ref(&v->table, key, THEME_NORMAL, (const char *[]){"Run ID", run_id},
		      (struct table_ref){.kind = ROW_RUN});
	free(key);
}

/* The version's own fields, tags and aliases. */
static void fill_version(struct view *v, const struct mlc_version *ver)
{
	struct strbuf al = {0};

	for (size_t k = 0; k < ver->n_aliases; k++)
		sb_printf(&al, "%s%s", k ? ", " : "", ver->aliases[k]);
	page_field(&v->table, THEME_NORMAL, "Model", ver->model);
	page_field(&v->table, THEME_NORMAL, "Version", ver->version);
	page_field(&v->table, THEME_NORMAL, "Stage", ver->stage);
	page_field(&v->table, THEME_NORMAL, "Aliases", al.len ? sb_str(&al) : "-");
	page_field(&v->table, THEME_NORMAL, "Status", ver->status);
	page_field(&v->table, THEME_NORMAL, "Source", ver->source);
	if (*ver->run_id) { /* Enter opens the run here too */
		run_row(v, "R:", ver->run_id);
	} else {
		page_field(&v->table, THEME_NORMAL, "Run ID", "-");
	}
	page_field(&v->table, THEME_NORMAL, "User", ver->user_id);
	page_time(&v->table, "Created", ver->creation_time);
	page_time(&v->table, "Updated", ver->last_updated_time);
	page_field(&v->table, THEME_NORMAL, "Description",
		   *ver->description ? ver->description : "-");
	sb_free(&al);
	page_kv(&v->table, "Tags", ver->tags, ver->n_tags);
}

/* The run that produced the version: lineage, params, final metrics, datasets. */
static void fill_run(struct view *v, const struct mlc_run *run)
{
	char buf[64];

	page_heading(&v->table, "Lineage: run");
	run_row(v, "r:", run->run_id);
	page_field(&v->table, THEME_NORMAL, "Name", run->run_name);
	page_field(&v->table, THEME_NORMAL, "Experiment", run->experiment_id);
	if (run->lifecycle_stage && strcmp(run->lifecycle_stage, "deleted") == 0) {
		char *st = xasprintf("%s (the run was deleted)", run->status);
		page_field(&v->table, THEME_WARN, "Status", st);
		free(st);
	} else {
		page_field(&v->table, THEME_NORMAL, "Status", run->status);
	}
	page_field(&v->table, THEME_NORMAL, "User", run->user_id);
	page_time(&v->table, "Started", run->start_time);
	page_time(&v->table, "Ended", run->end_time);
	page_heading(&v->table, "Params");
	for (size_t k = 0; k < run->n_params; k++)
		page_field(&v->table, THEME_NORMAL, run->params[k].key, run->params[k].value);
	page_heading(&v->table, "Final metrics");
	for (size_t k = 0; k < run->n_metrics; k++) {
		const struct mlc_metric *m = &run->metrics[k];
		if (isnan(m->value))
			snprintf(buf, sizeof buf, "NaN  (step %lld)", (long long)m->step);
		else
			snprintf(buf, sizeof buf, "%.6g  (step %lld)", m->value,
				 (long long)m->step);
		page_field(&v->table, THEME_NORMAL, m->key, buf);
	}
	page_datasets(&v->table, "Lineage: datasets", run);
}

static void version_done(struct app *a, void *arg)
{
	struct version_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct version_state *s = v->data;
		free(s->run_id);
		s->run_id = xstrdup(j->ver->run_id);
		table_clear(&v->table);
		fill_version(v, j->ver);
		if (j->run_rc == 0) {
			fill_run(v, &j->run.items[0]);
		} else if (*j->ver->run_id) {
			page_heading(&v->table, "Run (lineage)");
			page_field(&v->table, THEME_WARN, "Run ID", j->ver->run_id);
			page_field(&v->table, THEME_WARN, "", j->run_err.msg);
		}
		table_done(&v->table);
	}
	MLC_LIST_FREE(&j->versions);
	MLC_LIST_FREE(&j->run);
	free(j->model);
	free(j->version);
	free(j);
}

static void version_load(struct app *a, struct view *v)
{
	struct version_job *j = xcalloc(1, sizeof *j);

	j->model = xstrdup(v->subject);
	j->version = xstrdup(v->param);
	view_job_start(a, v, version_run, version_done, &j->job);
}

/* 1 when Enter does something on the cursor's row: a Run ID row. */
static int version_enter_here(const struct view *v)
{
	const struct table_ref *r = table_cursor_ref(&v->table);

	return r && !r->layout && r->kind == ROW_RUN;
}

/* Enter on a Run ID row opens the run that produced the version. */
static int version_action(struct app *a, struct view *v, enum action act)
{
	const struct version_state *s = v->data;

	if (act != ACT_ENTER || !version_enter_here(v) || s->run_id == NULL)
		return V_IGNORED;
	app_push(a, view_run_new(a, s->run_id));
	return V_HANDLED;
}

static void version_free(struct view *v)
{
	struct version_state *s = v->data;

	free(s->run_id);
}

static const struct view_ops version_ops = {
    .name = "version",
    .data_size = sizeof(struct version_state),
    .load = version_load,
    .action = version_action,
    .free = version_free,
    .enter_hint = "run",
    .enter_here = version_enter_here,
};

static const struct table_col version_cols[] = {
    {"FIELD", 28, 0, 0, 0},
    {"VALUE", 0, 0, 1, 0},
};

struct view *view_version_new(struct app *a, const char *model, const char *version)
{
	char *title = xasprintf("%s version %s", model, version);
	struct view *v = view_new(a, &version_ops, title);

	free(title);
	v->subject = xstrdup(model);
	v->param = xstrdup(version);
	table_init(&v->table, version_cols, 2);
	return v;
}
