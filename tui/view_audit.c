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
	uint64_t view_id;
	struct mlc_audit_list list;
	struct mlc_error err;
	int rc;
};

static void audit_run(struct registry *r, void *arg)
{
	struct audit_job *j = arg;
	j->rc = registry_audit(r, AUDIT_ROWS, &j->list, &j->err);
}

static void audit_done(struct app *a, void *arg)
{
	struct audit_job *j = arg;
	struct view *v = view_job_done(a, j->view_id, j->rc, &j->err);

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

	j->view_id = v->id;
	view_job_start(a, v, audit_run, audit_done, j);
}

static const struct view_ops audit_ops = {
	.name = "audit",
	.load = audit_load,
	.counted = 1,
};

static const struct table_col cols[] = {
	{"AT", 0, 0, 0, 0}, {"ACTOR", 16, 0, 0, 0}, {"ACTION", 18, 0, 0, 0}, {"SUBJECT", 40, 0, 0, 0}, {"DETAIL", 0, 0, 1, 0},
};

struct view *view_audit_new(struct app *a)
{
	struct view *v = view_new(a, &audit_ops, "Audit log (newest first)");
	table_init(&v->table, cols, 5);
	return v;
}
