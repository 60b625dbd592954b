/* view_diff.c: two versions of a model side by side (:diff V1 V2 on a
 * model's versions) — params, final metrics, the datasets their runs used,
 * the source commit, run tags and version tags, the differing rows first and
 * highlighted. The rows are core/compare.c's version diff, as `mlconsole diff`. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "compare.h"
#include "xmalloc.h"

struct diff_job {
	struct view_job job; /* first: its view, rc and error */
	char *model, *v1, *v2;
	struct mlc_version_diff d;
};

/* Worker thread: both versions, their runs, and the diff. */
static void diff_run(struct registry *r, void *arg)
{
	struct diff_job *j = arg;

	j->job.rc = version_diff_fetch(r, j->model, j->v1, j->v2, &j->d, &j->job.err);
}

/* One row per diff row: '*' and the warning colour where the values differ. */
static void diff_done(struct app *a, void *arg)
{
	struct diff_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		table_clear(&v->table);
		for (size_t i = 0; i < j->d.n; i++) {
			const struct diff_row *r = &j->d.rows[i];
			char *key = xasprintf("%s\x1f%s", r->section, r->key);
			table_add(&v->table, key, r->differs ? THEME_WARN : THEME_NORMAL,
				  (const char *[]){r->differs ? "*" : "", r->section, r->key,
						   r->values[0] ? r->values[0] : "-",
						   r->values[1] ? r->values[1] : "-"});
			free(key);
		}
		table_done(&v->table);
	}
	version_diff_free(&j->d);
	free(j->model);
	free(j->v1);
	free(j->v2);
	free(j);
}

static void diff_load(struct app *a, struct view *v)
{
	struct diff_job *j = xcalloc(1, sizeof *j);
	const char *sp = strchr(v->param, ' ');

	j->model = xstrdup(v->subject);
	j->v1 = xstrndup(v->param, (size_t)(sp - v->param));
	j->v2 = xstrdup(sp + 1);
	view_job_start(a, v, diff_run, diff_done, &j->job);
}

/* The view's own data: its columns' titles ("vN"), which the table points to. */
struct diff_state {
	char *titles[2];
};

static void diff_free(struct view *v)
{
	struct diff_state *s = v->data;

	free(s->titles[0]);
	free(s->titles[1]);
}

static const struct view_ops diff_ops = {
    .name = "diff",
    .data_size = sizeof(struct diff_state),
    .load = diff_load,
    .free = diff_free,
};

/* Versions v1 and v2 of model side by side. */
static struct view *view_diff_new(struct app *a, const char *model, const char *v1, const char *v2)
{
	char *title = xasprintf("%s: version %s vs %s (differences first)", model, v1, v2);
	struct view *v = view_new(a, &diff_ops, title);
	struct table_col cols[5] = {
	    {"", 1, 0, 0, 0}, {"WHAT", 11, 0, 0, 0}, {"KEY", 28, 0, 0, 0},
	    {"", 0, 0, 1, 0}, {"", 0, 0, 1, 0},
	};
	struct diff_state *s = v->data;

	free(title);
	s->titles[0] = xasprintf("v%s", v1);
	s->titles[1] = xasprintf("v%s", v2);
	v->subject = xstrdup(model);
	v->param = xasprintf("%s %s", v1, v2);
	cols[3].title = s->titles[0];
	cols[4].title = s->titles[1];
	table_init(&v->table, cols, 5);
	return v;
}

/* :diff V1 V2 on a model's versions (or :diff MODEL V1 V2): the two
 * versions side by side, differences first. */
static void cmd_diff(struct app *a, const char *arg)
{
	struct view *v = app_top(a);
	char *copy = xstrdup(arg), *w[4];
	const char *model = NULL;
	size_t n = 0;

	for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
		if (n < 4)
			w[n++] = tok;
	if (n == 3)
		model = w[0];
	else if (n == 2 && v->subject != NULL &&
		 (strcmp(v->ops->name, "versions") == 0 || strcmp(v->ops->name, "version") == 0 ||
		  strcmp(v->ops->name, "diff") == 0))
		model = v->subject;
	if (model == NULL || (n != 2 && n != 3))
		app_status(a, 1, ":diff V1 V2 on a model's versions (or :diff MODEL V1 V2)");
	else
		app_push(a, view_diff_new(a, model, w[n - 2], w[n - 1]));
	free(copy);
}

APP_COMMAND(cmd_diff_info, .name = "diff", .args = "V1 V2",
	    .help = "Two versions of the model side by side, differences first",
	    .run = cmd_diff,
	    .rank = 60);
