/* view_audit.c: the audit log, newest first — who did what to which model,
 * when; / filters it. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "app.h"
#include "timefmt.h"
#include "xmalloc.h"

#define AUDIT_ROWS 5000

struct audit_job {
	struct view_job job; /* first: its view, rc and error */
	struct mlc_audit_list list;
};

static void audit_run(struct registry *r, void *arg)
{
	struct audit_job *j = arg;
	j->job.rc = registry_audit(r, AUDIT_ROWS, &j->list, &j->job.err);
}

static void audit_done(struct app *a, void *arg)
{
	struct audit_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		table_clear(&v->table);
		for (size_t i = 0; i < j->list.n; i++) {
			const struct mlc_audit *e = &j->list.items[i];
			char at[32], key[32];
			timefmt_minutes(e->at, at, sizeof at);
			snprintf(key, sizeof key, "%zu", j->list.n - i);
			table_add(&v->table, key, THEME_NORMAL,
				  (const char *[]){at, e->actor, e->action, e->subject, e->detail});
		}
		table_done(&v->table);
	}
	MLC_LIST_FREE(&j->list);
	free(j);
}

static void audit_load(struct app *a, struct view *v)
{
	struct audit_job *j = xcalloc(1, sizeof *j);

	view_job_start(a, v, audit_run, audit_done, &j->job);
}

static const struct view_ops audit_ops = {
	.name = "audit",
	.load = audit_load,
	.counted = 1,
};

static const struct table_col cols[] = {
	{"AT", 0, 0, 0, 0}, {"ACTOR", 16, 0, 0, 0}, {"ACTION", 18, 0, 0, 0}, {"SUBJECT", 40, 0, 0, 0}, {"DETAIL", 0, 0, 1, 0},
};

static void cmd_audit(struct app *a, const char *arg)
{
	struct view *v = view_new(a, &audit_ops, "Audit log (newest first)");

	table_init(&v->table, cols, 5);
	app_push(a, v);
}

APP_COMMAND(cmd_audit_info, .name = "audit", .args = "",
	    .help = "The audit log, newest first",
	    .run = cmd_audit,
	    .need = REG_CAP_AUDIT, .verb = "show the audit log",
	    .rank = 100);
