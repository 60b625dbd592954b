/* changes.c: change jobs on the worker thread, and the footer's count of
 * pending requests. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "changes.h"
#include "hooks.h"
#include "xmalloc.h"

struct change_job {
	struct change *c;
	char user[128];
	int as_user;		   /* user is --as: the server is not asked */
	const struct hooks *hooks; /* the app's, read-only while the app runs */
	struct mlc_outcome out;
	struct mlc_error err;
	int rc;
	char *hook_summary; /* the hook's outcome after a deployment, or NULL */
	int hook_failed;
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct change *change_new(enum change_kind k, const char *model, const char *version,
			  const char *env)
{
	struct change *c = xcalloc(1, sizeof *c);

	c->kind = k;
	c->model = dup_or_null(model);
	c->version = dup_or_null(version);
	c->env = dup_or_null(env);
	return c;
}

void change_free(struct change *c)
{
	if (c == NULL)
		return;
	free(c->model);
	free(c->version);
	free(c->env);
	free(c->to);
	free(c->req_kind);
	free(c->comment);
	free(c->decision);
	free(c);
}

void change_discard(void *c)
{
	change_free(c);
}

/* Worker thread: the one registry call the change is. */
static void change_run(struct registry *r, void *arg)
{
	struct change_job *j = arg;
	struct change *c = j->c;
	char user[128];

	/* The header's name may not have come back yet (README "The acting user"). */
	if (!j->as_user && (j->rc = registry_auth(r, user, sizeof user, &j->err)) < 0)
		return;
	if (!j->as_user && j->rc == REG_AUTH_USER)
		snprintf(j->user, sizeof j->user, "%s", user);
	j->rc = 0;
	switch (c->kind) {
	case CH_DEPLOY:
		j->rc = registry_deploy(r, c->model, c->version, c->env, j->user, &j->out, &j->err);
		break;
	case CH_ROLLBACK:
		j->rc = registry_rollback(r, c->model, c->env, c->to, j->user, &j->out, &j->err);
		break;
	case CH_REQUEST:
		j->rc = registry_request(r, c->model, c->version, c->env, c->req_kind, c->comment, j->user,
					 &j->out, &j->err);
		break;
	case CH_VOTE:
		j->rc = registry_vote(r, c->id, c->decision, c->comment, j->user, &j->out, &j->err);
		break;
	case CH_CANCEL:
		j->rc = registry_cancel(r, c->id, j->user, &j->out, &j->err);
		break;
	case CH_HOOK:
		j->rc = 0;
		j->out.summary = "";
		j->out.deployed = 1;
		j->out.model = c->model;
		j->out.environment = c->env;
		break;
	}
	/* A version went live (even if a later step failed, such as a server's
	 * history tag or stage mirror): now the environment's hook, if any. */
	if (j->out.deployed) {
		struct mlc_error herr = {0};
		int h = hooks_run(r, j->hooks, j->out.model, j->out.environment, &j->out, j->user,
				  &j->hook_summary, &herr);
		if (h < 0)
			j->hook_summary = xasprintf("hook: %s", herr.msg);
		j->hook_failed = h != 0;
		if (c->kind == CH_HOOK && j->hook_summary == NULL)
			j->hook_summary = xstrdup("no hook for this environment in the config file");
	}
}

/* Main thread: say what happened, reload what shows it. */
static void change_done(struct app *a, void *arg)
{
	struct change_job *j = arg;

	if (a != NULL) {
		struct view *v = app_top(a);
		if (j->rc == 0 && j->out.note) /* a backend's remark, as the CLI prints it */
			j->out.summary =
			    arena_printf(&j->out.arena, "%s (%s)", j->out.summary, j->out.note);
		if (j->rc < 0)
			app_status(a, 1, "%s%s%s", j->err.msg, j->hook_summary ? "; " : "",
				   j->hook_summary ? j->hook_summary : "");
		else if (j->hook_summary)
			app_status(a, j->hook_failed, "%s%s%s", j->out.summary, *j->out.summary ? "; " : "",
				   j->hook_summary);
		else
			app_status(a, 0, "%s", j->out.summary);
		a->changes++; /* every view may show older data now (even a failed change
			       * can have done part of its work) */
		if (v != NULL && v->ops->load)
			v->ops->load(a, v);
		app_refresh_pending(a);
	}
	arena_free(&j->out.arena);
	free(j->hook_summary);
	change_free(j->c);
	free(j);
}

void change_submit(struct app *a, struct change *c)
{
	struct change_job *j = xcalloc(1, sizeof *j);

	j->c = c;
	snprintf(j->user, sizeof j->user, "%s", a->user);
	j->as_user = a->opts->as_user != NULL;
	j->hooks = &a->hooks;
	worker_submit(a->worker, change_run, change_done, j);
}

struct pending_job {
	struct mlc_request_list l;
	struct mlc_error err;
	int rc;
};

static void pending_run(struct registry *r, void *arg)
{
	struct pending_job *j = arg;
	j->rc = registry_requests(r, REQ_PENDING, 0, &j->l, &j->err);
}

static void pending_done(struct app *a, void *arg)
{
	struct pending_job *j = arg;

	if (a != NULL)
		a->pending = j->rc < 0 ? -1 : (int64_t)j->l.n;
	MLC_LIST_FREE(&j->l);
	free(j);
}

void app_refresh_pending(struct app *a)
{
	worker_submit(a->worker, pending_run, pending_done, xcalloc(1, sizeof(struct pending_job)));
}
