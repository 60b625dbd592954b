/* cli_deploy.c: the commands that change what runs where — deploy, rollback,
 * request, approve, reject, cancel, env set — and the ones that show it:
 * deployments, approvals, audit, env list. The policy lives in core/; these
 * only parse, call and print. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit.h"
#include "cli_util.h"
#include "linkset.h"
#include "hooks.h"
#include "settings.h"
#include "sanitize.h"
#include "gate.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

/* ---- JSON of our own concepts (mlconsole.1, COMMANDS) ---- */

static json_t *request_json(const struct mlc_request *q)
{
	json_t *votes = json_array();

	for (size_t i = 0; i < q->n_votes; i++)
		json_array_append_new(votes, json_pack("{s:o,s:o,s:I,s:o}", "by", cli_json_str(q->votes[i].by),
						       "decision", cli_json_str(q->votes[i].decision), "at",
						       (json_int_t)q->votes[i].at, "comment",
						       cli_json_str(q->votes[i].comment)));
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)q->id, "model",
			 cli_json_str(q->model), "version", cli_json_str(q->version), "environment",
			 cli_json_str(q->environment), "kind", cli_json_str(q->kind), "requested_by",
			 cli_json_str(q->requested_by), "state", cli_json_str(q->state), "requested_at",
			 (json_int_t)q->requested_at, "comment", cli_json_str(q->comment), "close_reason",
			 cli_json_str(q->close_reason), "votes", votes, "change",
			 q->change && *q->change ? cli_json_str(q->change) : json_null());
}

static json_t *live_json(const struct mlc_live *l)
{
	return json_pack("{s:o,s:o,s:o,s:I,s:o,s:o}", "model", cli_json_str(l->model), "environment",
			 cli_json_str(l->environment), "version", cli_json_str(l->version), "since",
			 (json_int_t)l->since, "by", cli_json_str(l->by), "hook_status",
			 cli_json_str(l->hook_status));
}

static json_t *event_json(const struct mlc_deploy_event *d)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:o}", "model", cli_json_str(d->model), "environment",
			 cli_json_str(d->environment), "version", cli_json_str(d->version),
			 "previous_version",
			 *d->previous_version ? cli_json_str(d->previous_version) : json_null(), "action",
			 cli_json_str(d->action), "at", (json_int_t)d->at, "by", cli_json_str(d->by));
}

/* ---- changes ------------------------------------------------------------ */

/* After a change: the request it touched, or the model's live deployment. */
static int print_outcome(const struct cli_opts *o, struct registry *r, const struct mlc_outcome *out,
			 const char *model, const char *env)
{
	struct mlc_error err = {0};

	if (!o->json) {
		char *safe = sanitize_dup(out->summary), *note = sanitize_dup(out->note ? out->note : "");
		printf(*note ? "%s (%s)\n" : "%s\n", safe, note);
		free(safe);
		free(note);
		return 0;
	}
	if (out->request_id > 0) {
		struct mlc_request_list l = {0};
		int rc =
		    registry_requests(r, REQ_ALL, out->request_id, &l, &err) < 0
			? cli_fail(o, &err)
			: cli_json_out(json_pack("{s:o,s:o}", "request", request_json(&l.items[0]),
						 "summary", cli_json_str(out->summary)));
		MLC_LIST_FREE(&l);
		return rc;
	}
	struct mlc_live_list live = {0};
	struct mlc_event_list hist = {0};
	int rc = registry_deployments(r, model, env, &live, &hist, &err) < 0 || live.n == 0
		     ? cli_fail(o, &err)
		     : cli_json_out(json_pack("{s:o,s:o}", "deployment", live_json(&live.items[0]),
					      "summary", cli_json_str(out->summary)));
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&hist);
	return rc;
}

int cli_load_hooks(const struct cli_opts *o, struct hooks *hs, struct mlc_error *err)
{
	char *path = hooks_config_path();
	int rc;

	/* The context the registry came from picks its hooks ([hook ENV @ CONTEXT]). */
	if (o->context == NULL && cli_needs_config(o)) {
		struct config cfg;
		if (config_load(&cfg, path, err) == 0) {
			const struct config_context *d = config_default_context(&cfg);
			rc = hooks_load_context(hs, path, d ? d->name : NULL, err);
			config_free(&cfg);
		} else {
			rc = -1;
		}
	} else {
		rc = hooks_load_context(hs, path, o->context, err);
	}
	free(path);
	return rc;
}

int cli_root_direct(const struct cli_opts *o, const char *actor)
{
	char self[256];

	/* not acting as a server's user either */
	return geteuid() == 0 && o->as_user == NULL && cli_identity(o, self, sizeof self) &&
	       strcmp(self, actor) == 0;
}

/* Run the environment's hook (if the operator configured one) after a change
 * has committed; its outcome is stored. Returns 1 when the hook failed. With
 * retry, having no hook is an error. */
static int run_hook(const struct cli_opts *o, struct registry *r, const char *model, const char *env,
		    const struct mlc_outcome *done, const char *actor, int retry)
{
	struct hooks hs;
	struct mlc_error err = {0};
	char *summary = NULL;
	int rc;

	if (cli_load_hooks(o, &hs, &err) < 0)
		return cli_fail(o, &err);
	if (retry && hooks_find(&hs, env) == NULL) {
		hooks_free(&hs);
		cli_error(o, "hook retry: no hook for this environment in the config file");
		return 1;
	}
	rc = hooks_run(r, &hs, model, env, done, actor, &summary, &err);
	if (rc < 0)
		cli_error(o, err.msg);
	else if (summary && (rc > 0 || !o->json)) {
		char *safe = sanitize_dup(summary);
		fprintf(rc > 0 ? stderr : stdout, "%s%s\n", rc > 0 ? "mlconsole: " : "", safe);
		free(safe);
	}
	free(summary);
	hooks_free(&hs);
	return rc != 0;
}

static int cli_hook(const struct cli_opts *o)
{
	struct mlc_error err = {0};
	struct registry *r;
	char actor[256];
	int rc;

	const char *env = cli_opt_str(o, "env");

	if (env == NULL) /* the command table checked the rest */
		return cli_usage(o, "hook retry: expected 'hook retry MODEL --env ENV'");
	if ((r = cli_open_acting(o, 1, actor, sizeof actor, &rc)) == NULL)
		return rc;
	if (registry_can(r, REG_CAP_WRITE, "run a hook again", &err) < 0 ||
	    cli_actor(o, r, actor, sizeof actor, &err) < 0)
		rc = cli_fail(o, &err);
	else
		rc = run_hook(o, r, o->argv[2], env, NULL, actor, 1);
	registry_close(r);
	return rc;
}

/* Parse a request id argument; -1 when it is not one (none is clamped). */
static int64_t request_id(const char *s)
{
	long long v;
	return cli_parse_int(s, 1, INT64_MAX, &v) < 0 ? -1 : v;
}

/* Run one change command once the registry is open. */
static int change(const struct cli_opts *o, struct registry *r, const char *cmd, const char *actor,
		  struct mlc_outcome *out, struct mlc_error *err)
{
	const char *a1 = o->argc > 1 ? o->argv[1] : NULL, *a2 = o->argc > 2 ? o->argv[2] : NULL;
	const char *env = cli_opt_str(o, "env"), *to = cli_opt_str(o, "to");
	const char *comment = cli_opt_str(o, "comment");
	int rollback = cli_opt_flag(o, "rollback");

	if (strcmp(cmd, "deploy") == 0)
		return registry_deploy(r, a1, a2, env, actor, out, err);
	if (strcmp(cmd, "rollback") == 0)
		return registry_rollback(r, a1, env, to, actor, out, err);
	if (strcmp(cmd, "request") == 0)
		return registry_request(r, a1, rollback ? to : a2, env,
					rollback ? "rollback" : "promote", comment, actor, out, err);
	if (strcmp(cmd, "cancel") == 0)
		return registry_cancel(r, request_id(a1), actor, out, err);
	return registry_vote(r, request_id(a1), strcmp(cmd, "approve") == 0 ? "approve" : "reject",
			     comment, actor, out, err);
}

/* Check what the command table cannot (its entry checked the options and
 * how many arguments); NULL when fine, else the usage. */
static const char *change_usage(const struct cli_opts *o, const char *cmd)
{
	int need_env = strcmp(cmd, "deploy") == 0 || strcmp(cmd, "rollback") == 0 ||
		       strcmp(cmd, "request") == 0;

	if (strcmp(cmd, "request") == 0 && o->argc != (cli_opt_flag(o, "rollback") ? 2 : 3))
		return "request MODEL VERSION --env ENV [--comment TEXT] | request MODEL --rollback --env ENV";
	if (need_env && cli_opt_str(o, "env") == NULL)
		return "--env ENV is required";
	return NULL;
}

/* What change command cmd does, for a refusal ("…: cannot roll back"). */
static const char *change_verb(const char *cmd)
{
	if (strcmp(cmd, "rollback") == 0)
		return "roll back";
	if (strcmp(cmd, "request") == 0)
		return "open a request";
	if (strcmp(cmd, "cancel") == 0)
		return "cancel a request";
	return cmd; /* deploy, approve, reject */
}

static int cli_change(const struct cli_opts *o)
{
	const char *cmd = o->argv[0], *usage = change_usage(o, cmd);
	struct mlc_error err = {0};
	struct mlc_outcome out = {0};
	struct registry *r;
	char actor[256];
	int rc;

	if (usage)
		return cli_usage(o, "%s: expected %s", cmd, usage);
	if ((strcmp(cmd, "cancel") == 0 || strcmp(cmd, "approve") == 0 || strcmp(cmd, "reject") == 0) &&
	    request_id(o->argv[1]) < 0)
		return cli_usage(o, "%s %s: a request id is a whole number from 1 to %lld", cmd,
				 o->argv[1], (long long)INT64_MAX);
	if ((r = cli_open_acting(o, 1, actor, sizeof actor, &rc)) == NULL)
		return rc;
	if (registry_can(r, REG_CAP_WRITE, change_verb(cmd), &err) < 0 ||
	    cli_actor(o, r, actor, sizeof actor, &err) < 0 ||
	    change(o, r, cmd, actor, &out, &err) < 0)
		rc = cli_fail(o, &err); /* out.deployed: live all the same (a later step failed) */
	else
		rc = print_outcome(o, r, &out, o->argc > 1 ? o->argv[1] : NULL,
				   cli_opt_str(o, "env"));
	if (out.deployed)
		run_hook(o, r, out.model, out.environment, &out, actor, 0);
	arena_free(&out.arena);
	registry_close(r);
	return rc;
}

/* ---- environments ------------------------------------------------------- */

static int env_set(const struct cli_opts *o, struct registry *r, const char *actor,
		   struct mlc_error *err)
{
	char *notice = NULL;
	long long order = 0, required = 0;
	int self = cli_opt_yesno(o, "self-approval"), back = cli_opt_yesno(o, "rollback-approval");
	int previous = cli_opt_yesno(o, "require-previous");
	struct mlc_env_change c = {
		.name = o->argv[2],
		.have_order = cli_opt_count(o, "order", &order),
		.have_required = cli_opt_count(o, "required-approvals", &required),
		.approvers = cli_opt_str(o, "approvers"),
		.have_self = self >= 0, .self_approval = self == 1,
		.have_rollback = back >= 0, .rollback_approval = back == 1,
		.have_previous = previous >= 0, .require_previous = previous == 1,
		.notice = &notice,
		.comment = cli_opt_str(o, "comment"),
	};
	struct mlc_outcome out = {0};
	int rc;

	c.order = order;
	c.required_approvals = required;
	c.have_approvers = c.approvers != NULL;
	c.gate_add = cli_opt_list(o, "gate", &c.n_gate_add);
	c.gate_rm = cli_opt_list(o, "gate-rm", &c.n_gate_rm);
	c.root_direct = cli_root_direct(o, actor); /* root acting as itself */
	if (registry_env_set(r, &c, actor, &out, err) < 0) {
		free(notice); /* rolled back */
		arena_free(&out.arena);
		return cli_fail(o, err);
	}
	if (out.request_id > 0) { /* it loosens the policy: a request, not a change */
		rc = print_outcome(o, r, &out, NULL, c.name);
		arena_free(&out.arena);
		free(notice);
		return rc;
	}
	if (!o->json) {
		char *safe = sanitize_dup(out.summary);
		printf("%s\n", safe);
		free(safe);
	}
	arena_free(&out.arena);
	if (notice) { /* on stderr with --json, so stdout stays one document */
		char *safe = sanitize_dup(notice);
		fprintf(o->json ? stderr : stdout, "%s%s\n", o->json ? "mlconsole: " : "", safe);
		free(safe);
		free(notice);
	}
	return -1; /* then list it */
}

static json_t *env_json(const struct mlc_env *e)
{
	json_t *ap = json_array(), *gates = json_array();

	for (size_t k = 0; k < e->n_approvers; k++)
		json_array_append_new(ap, cli_json_str(e->approvers[k]));
	for (size_t k = 0; k < e->n_gates; k++)
		json_array_append_new(gates, cli_json_str(e->gates[k]));
	return json_pack("{s:o,s:I,s:I,s:o,s:b,s:b,s:b,s:o,s:o,s:o}", "name", cli_json_str(e->name),
			 "order", (json_int_t)e->order, "required_approvals",
			 (json_int_t)e->required_approvals, "approvers", ap, "self_approval",
			 e->self_approval, "rollback_approval", e->rollback_approval, "require_previous",
			 e->require_previous, "policy_error",
			 e->policy_error ? cli_json_str(e->policy_error) : json_null(), "edited_outside",
			 e->edited_outside ? cli_json_str(e->edited_outside) : json_null(), "gates",
			 gates);
}

/* Each environment's gates (only's, when not NULL), one line each, after
 * the table: "production gate: metrics.val_auc >= live". */
static void print_gates(const struct mlc_env_list *l, const char *only)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct mlc_env *e = &l->items[i];
		if (only && strcmp(only, e->name) != 0)
			continue;
		for (size_t k = 0; k < e->n_gates; k++) {
			char *name = sanitize_dup(e->name), *gate = sanitize_dup(e->gates[k]);
			printf("%s gate: %s\n", name, gate);
			free(name);
			free(gate);
		}
	}
}

static int env_list(const struct cli_opts *o, struct registry *r, const char *only,
		    struct mlc_error *err)
{
	struct mlc_env_list l = {0};
	struct cli_table t;

	if (registry_env_list(r, &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			if (only == NULL || strcmp(only, l.items[i].name) == 0)
				json_array_append_new(arr, env_json(&l.items[i]));
		MLC_LIST_FREE(&l);
		return cli_json_out(json_pack("{s:o}", "environments", arr));
	}
	cli_table_init(&t, 7);
	cli_table_row(&t, (const char *[]){"ENV", "ORDER", "APPROVALS", "APPROVERS", "SELF", "ROLLBACK",
					   "PREVIOUS"});
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_env *e = &l.items[i];
		char ord[24], req[24];
		struct strbuf ap = {0};
		if (only && strcmp(only, e->name) != 0)
			continue;
		snprintf(ord, sizeof ord, "%lld", (long long)e->order);
		snprintf(req, sizeof req, "%lld", (long long)e->required_approvals);
		for (size_t k = 0; k < e->n_approvers; k++)
			sb_printf(&ap, "%s%s", k ? "," : "", e->approvers[k]);
		cli_table_row(&t, (const char *[]){e->name, ord, req, ap.len ? sb_str(&ap) : "anyone",
						   e->self_approval ? "yes" : "no",
						   e->rollback_approval ? "needs approval" : "free",
						   e->require_previous ? "required" : "-"});
		sb_free(&ap);
	}
	cli_table_print(&t);
	print_gates(&l, only);
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_env *e = &l.items[i];
		char msg[600];
		if (e->policy_error == NULL || (only && strcmp(only, e->name) != 0))
			continue;
		snprintf(msg, sizeof msg,
			 "environment '%s': policy setting %s not understood; changes there are "
			 "refused until 'mlconsole env set %s ...' rewrites it",
			 e->name, e->policy_error, e->name);
		cli_error(o, msg);
	}
	for (size_t i = 0; i < l.n; i++) { /* changed behind the console's back (audit.h) */
		const struct mlc_env *e = &l.items[i];
		if (e->edited_outside == NULL || (only && strcmp(only, e->name) != 0))
			continue;
		char *safe = sanitize_dup(e->name), *why = sanitize_dup(e->edited_outside);
		printf("environment %s: %s\n", safe, why);
		free(safe);
		free(why);
	}
	MLC_LIST_FREE(&l);
	return 0;
}

static int cli_env(const struct cli_opts *o)
{
	struct mlc_error err = {0};
	struct registry *r;
	char actor[256];
	int set = strcmp(o->argv[1], "set") == 0, rc; /* else list (the command table) */

	if ((r = cli_open_acting(o, set, actor, sizeof actor, &rc)) == NULL)
		return rc;
	if (set && (registry_can(r, REG_CAP_WRITE, "change an environment's policy", &err) < 0 ||
		    cli_actor(o, r, actor, sizeof actor, &err) < 0))
		rc = cli_fail(o, &err);
	else
		rc = set ? env_set(o, r, actor, &err) : -1;
	if (rc < 0)
		rc = env_list(o, r, set ? o->argv[2] : NULL, &err);
	registry_close(r);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* One row of `deployments MODEL`: an environment and what is live there. */
struct deployment_row {
	const char *env;
	const struct mlc_live *live; /* NULL: nothing live yet */
};

/* Environments in promotion order, then by name (as the TUI lists them). */
static int env_by_order(const void *x, const void *y)
{
	const struct mlc_env *a = x, *b = y;

	return a->order < b->order ? -1 : a->order > b->order ? 1 : strcmp(a->name, b->name);
}

/* The rows of deployments MODEL, as the TUI shows them: every environment in
 * promotion order with its live deployment or none, then anything live in an
 * environment without a policy; only env's with --env. rows holds
 * envs->n + live->n; returns how many it filled. Sorts envs. */
static size_t deployment_rows(struct mlc_env_list *envs, const struct mlc_live_list *live,
			      const char *only, struct deployment_row *rows)
{
	size_t n = 0;

	qsort(envs->items, envs->n, sizeof *envs->items, env_by_order);
	for (size_t i = 0; i < envs->n; i++) {
		const char *env = envs->items[i].name;
		if (only && strcmp(only, env) != 0)
			continue;
		rows[n].env = env;
		rows[n].live = NULL;
		for (size_t k = 0; k < live->n && rows[n].live == NULL; k++)
			if (strcmp(live->items[k].environment, env) == 0)
				rows[n].live = &live->items[k];
		n++;
	}
	for (size_t k = 0; k < live->n; k++) {
		size_t i = 0;
		while (i < envs->n && strcmp(envs->items[i].name, live->items[k].environment) != 0)
			i++;
		if (i == envs->n &&
		    (only == NULL || strcmp(only, live->items[k].environment) == 0)) {
			rows[n].env = live->items[k].environment;
			rows[n++].live = &live->items[k];
		}
	}
	return n;
}

/* A row as JSON: nothing live has version, since, by and hook_status null. */
static json_t *deployment_row_json(const char *model, const struct deployment_row *d)
{
	if (d->live)
		return live_json(d->live);
	return json_pack("{s:o,s:o,s:n,s:n,s:n,s:n}", "model", cli_json_str(model), "environment",
			 cli_json_str(d->env), "version", "since", "by", "hook_status");
}

/* The rows as the ENV/LIVE table, "-" where nothing is live. */
static void print_deployment_rows(const struct deployment_row *rows, size_t n)
{
	struct cli_table t;

	cli_table_init(&t, 5);
	cli_table_row(&t, (const char *[]){"ENV", "LIVE", "SINCE", "BY", "HOOK"});
	for (size_t i = 0; i < n; i++) {
		const struct mlc_live *l = rows[i].live;
		char since[32];
		if (l == NULL) {
			cli_table_row(&t, (const char *[]){rows[i].env, "-", "-", "-", "-"});
			continue;
		}
		timefmt_minutes(l->since, since, sizeof since);
		cli_table_row(
		    &t, (const char *[]){l->environment, l->version, since, l->by, l->hook_status});
	}
	cli_table_print(&t);
}

/* The history, newest first, as a table. */
static void print_history(const struct mlc_event_list *hist)
{
	struct cli_table t;

	printf("\nHistory, newest first:\n");
	cli_table_init(&t, 6);
	cli_table_row(&t, (const char *[]){"AT", "ENV", "ACTION", "VERSION", "FROM", "BY"});
	for (size_t i = 0; i < hist->n; i++) {
		const struct mlc_deploy_event *d = &hist->items[i];
		char at[32];
		timefmt_minutes(d->at, at, sizeof at);
		cli_table_row(&t, (const char *[]){at, d->environment, d->action, d->version,
						   *d->previous_version ? d->previous_version : "-",
						   d->by});
	}
	cli_table_print(&t);
}

static int show_deployments(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	struct mlc_live_list live = {0};
	struct mlc_event_list hist = {0};
	struct deployment_row *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (registry_can(r, REG_CAP_DEPLOY, "show deployments", err) < 0 ||
	    registry_env_list(r, &envs, err) < 0 ||
	    registry_deployments(r, o->argv[1], cli_opt_str(o, "env"), &live, &hist, err) < 0) {
		rc = cli_fail(o, err);
		goto out;
	}
	rows = xcalloc(envs.n + live.n + 1, sizeof *rows);
	n = deployment_rows(&envs, &live, cli_opt_str(o, "env"), rows);
	if (o->json) {
		json_t *a = json_array(), *h = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, deployment_row_json(o->argv[1], &rows[i]));
		for (size_t i = 0; i < hist.n; i++)
			json_array_append_new(h, event_json(&hist.items[i]));
		rc = cli_json_out(json_pack("{s:o,s:o}", "deployments", a, "history", h));
	} else {
		print_deployment_rows(rows, n);
		print_history(&hist);
	}
out:
	free(rows);
	MLC_LIST_FREE(&envs);
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&hist);
	return rc;
}

/* Per request of l, the gate it fails now (gate_request_status), or NULL:
 * malloc'd, n entries. */
static char **gate_failures(struct registry *r, const struct mlc_request_list *l)
{
	struct mlc_env_list envs = {0};
	struct mlc_error ignore = {0};
	char **out = xcalloc(l->n + 1, sizeof *out), why[1024];

	if (registry_env_list(r, &envs, &ignore) == 0)
		for (size_t i = 0; i < l->n; i++)
			if (gate_request_status(r, &envs, &l->items[i], why, sizeof why) != 0)
				out[i] = xstrdup(why);
	MLC_LIST_FREE(&envs);
	return out;
}

/* Free what gate_failures returned for n requests. */
static void gate_failures_free(char **g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i]);
	free(g);
}

/* After the table: why each request a gate stops cannot be approved now. */
static void print_gate_failures(const struct mlc_request_list *l, char **g)
{
	for (size_t i = 0; i < l->n; i++)
		if (g[i]) {
			char *safe = sanitize_dup(g[i]);
			printf("request %lld: %s\n", (long long)l->items[i].id, safe);
			free(safe);
		}
}

static int show_approvals(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_request_list l = {0};
	char **gates = NULL;
	int rc = 0;

	if (registry_requests(r, cli_opt_flag(o, "all") ? REQ_ALL : REQ_PENDING, 0, &l, err) < 0) {
		rc = cli_fail(o, err);
	} else if (o->json) {
		json_t *arr = json_array();
		gates = gate_failures(r, &l);
		for (size_t i = 0; i < l.n; i++) {
			json_t *q = request_json(&l.items[i]);
			json_object_set_new(q, "gate_failure",
					    gates[i] ? cli_json_str(gates[i]) : json_null());
			json_array_append_new(arr, q);
		}
		rc = cli_json_out(json_pack("{s:o}", "requests", arr));
	} else {
		struct cli_table t;
		gates = gate_failures(r, &l);
		cli_table_init(&t, 9);
		cli_table_row(&t, (const char *[]){"ID", "MODEL", "VERSION", "ENV", "KIND", "BY", "STATE", "VOTES",
						   "GATES"});
		for (size_t i = 0; i < l.n; i++) {
			const struct mlc_request *q = &l.items[i];
			char id[24];
			struct strbuf v = {0};
			snprintf(id, sizeof id, "%lld", (long long)q->id);
			for (size_t k = 0; k < q->n_votes; k++)
				sb_printf(&v, "%s%s:%s", k ? " " : "", q->votes[k].by, q->votes[k].decision);
			int policy = q->change && *q->change; /* MODEL shows what it changes */
			cli_table_row(&t, (const char *[]){id, policy ? q->change : q->model,
							   policy ? "-" : q->version, q->environment, q->kind,
							   q->requested_by, q->state, v.len ? sb_str(&v) : "-",
							   gates[i] ? "failed" : "-"});
			sb_free(&v);
		}
		cli_table_print(&t);
		print_gate_failures(&l, gates);
	}
	gate_failures_free(gates, l.n);
	MLC_LIST_FREE(&l);
	return rc;
}

static int show_audit(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_audit_list l = {0};
	long long limit = 0;
	int rc = 0;

	cli_opt_count(o, "limit", &limit);
	if (registry_audit(r, limit, &l, err) < 0) {
		rc = cli_fail(o, err);
	} else if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, json_pack("{s:I,s:o,s:o,s:o,s:o}", "at", (json_int_t)l.items[i].at,
							     "actor", cli_json_str(l.items[i].actor), "action",
							     cli_json_str(l.items[i].action), "subject",
							     cli_json_str(l.items[i].subject), "detail",
							     cli_json_str(l.items[i].detail)));
		rc = cli_json_out(json_pack("{s:o}", "audit", arr));
	} else {
		struct cli_table t;
		cli_table_init(&t, 5);
		cli_table_row(&t, (const char *[]){"AT", "ACTOR", "ACTION", "SUBJECT", "DETAIL"});
		for (size_t i = 0; i < l.n; i++) {
			char at[32];
			timefmt_minutes(l.items[i].at, at, sizeof at);
			cli_table_row(&t, (const char *[]){at, l.items[i].actor, l.items[i].action,
							   l.items[i].subject, l.items[i].detail});
		}
		cli_table_print(&t);
	}
	MLC_LIST_FREE(&l);
	return rc;
}

/* The environments whose row differs from their newest policy record, as
 * "environment E: edited outside mlconsole: ..." lines (JSON objects into arr). */
static int edited_envs(const struct cli_opts *o, struct registry *r, json_t *arr,
		       struct mlc_error *err)
{
	struct mlc_env_list l = {0};
	int n = 0;

	if (registry_env_list(r, &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return -1;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_env *e = &l.items[i];
		char msg[700];
		if (e->edited_outside == NULL)
			continue;
		n++;
		if (arr) {
			json_array_append_new(arr, json_pack("{s:o,s:o}", "name", cli_json_str(e->name),
							     "problem", cli_json_str(e->edited_outside)));
			continue;
		}
		snprintf(msg, sizeof msg, "%s: environment %s: %s", r->display, e->name, e->edited_outside);
		cli_error(o, msg);
	}
	MLC_LIST_FREE(&l);
	return n;
}

/* The one-line summary of a server's intact journal: no head is remembered
 * for it, as it is this machine's own file. 0. */
static int journal_intact(const struct mlc_audit_check *c)
{
	printf("journal intact: %lld lines", (long long)c->rows);
	if (c->rows > c->unchained)
		printf(", head line %lld (sha256 %.16s)", (long long)c->head_id, c->head_hash);
	if (c->unchained)
		printf(", the first %lld written before it was hash-chained (not checked)",
		       (long long)c->unchained);
	printf(": %s\n", c->journal);
	return 0;
}

/* audit verify: the first broken row of the hash chain, a log rewritten since
 * this console last saw it, environments edited outside mlconsole; exit 1
 * for any of them, 0 with a one-line summary when all holds. */
static int audit_verify_cmd(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_audit_check c;
	json_t *envs = o->json ? json_array() : NULL;
	char msg[2048];
	int n;

	if (registry_audit_verify(r, &c, err) < 0 || (n = edited_envs(o, r, envs, err)) < 0) {
		json_decref(envs);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *seen = c.seen_id ? json_pack("{s:I,s:o}", "id", (json_int_t)c.seen_id,
						     "hash", cli_json_str(c.seen_hash))
					 : json_null();
		json_t *broken = c.kind ? json_pack("{s:I,s:s,s:o}", "id", (json_int_t)c.broken_id, "kind",
						    c.kind, "problem", cli_json_str(c.problem))
					: json_null();
		json_t *v =
		    json_pack("{s:b,s:I,s:{s:I,s:o},s:o,s:o,s:o}", "intact",
			      c.kind == NULL && n == 0, "rows", (json_int_t)c.rows, "head", "id",
			      (json_int_t)c.head_id, "hash", cli_json_str(c.head_hash), "seen",
			      seen, "broken", broken, "environments", envs);
		if (c.journal[0]) { /* a server's: its lines are rows, ids line numbers */
			json_object_set_new(v, "journal", cli_json_str(c.journal));
			json_object_set_new(v, "unchained", json_integer(c.unchained));
		}
		cli_json_out(json_pack("{s:o}", "audit_verify", v));
		return c.kind || n ? 1 : 0;
	}
	if (c.kind) {
		snprintf(msg, sizeof msg, "%s: %s%s broken at %s", r->display,
			 c.journal[0] ? "journal " : "audit log", c.journal, c.problem);
		cli_error(o, msg);
		return 1;
	}
	if (n)
		return 1;
	if (c.journal[0])
		return journal_intact(&c);
	printf("audit log intact: %lld rows, head row %lld (sha256 %.16s)%s\n", (long long)c.rows,
	       (long long)c.head_id, c.head_hash,
	       c.seen_id ? ", extending the head this console saw before" : ", first seen by this console");
	return 0;
}

static int cli_show(const struct cli_opts *o)
{
	const char *cmd = o->argv[0];
	struct mlc_error err = {0};
	struct registry *r;
	int verify = strcmp(cmd, "audit") == 0 && o->argc == 2; /* the command table */
	int rc;

	if ((r = cli_open_registry(o, &err)) == NULL)
		return cli_fail(o, &err);
	if (verify)
		rc = audit_verify_cmd(o, r, &err);
	else if (strcmp(cmd, "deployments") == 0)
		rc = show_deployments(o, r, &err);
	else if (strcmp(cmd, "approvals") == 0)
		rc = show_approvals(o, r, &err);
	else
		rc = show_audit(o, r, &err);
	registry_close(r);
	return rc;
}

static const struct cli_cmd deploy_entry = {
    .name = "deploy",
    .group = CLI_GROUP_DEPLOY,
    .rank = 10,
    .usage = "MODEL VERSION --env ENV",
    .summary = "make VERSION live in ENV (if no approval needed)",
    .opts = CLI_OPTS(CLI_STRING("env")),
    .min_args = 2,
    .max_args = 2,
    .reg = CLI_REG_OPEN,
    .run_self = cli_change,
};
MLC_SET_ADD(cli_cmds, deploy_entry);

static const struct cli_cmd rollback_entry = {
    .name = "rollback",
    .group = CLI_GROUP_DEPLOY,
    .rank = 20,
    .usage = "MODEL --env ENV [--to VERSION]",
    .summary = "back to the previous live version",
    .opts = CLI_OPTS(CLI_STRING("env"), CLI_STRING("to")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_change,
};
MLC_SET_ADD(cli_cmds, rollback_entry);

static const struct cli_cmd request_entry = {
    .name = "request",
    .group = CLI_GROUP_DEPLOY,
    .rank = 30,
    .usage = "MODEL VERSION --env ENV [--comment TEXT]\n"
	     "MODEL --rollback --env ENV [--to VERSION] [--comment TEXT]",
    .summary = "ask for approval (of a deployment, or of a rollback)",
    .opts = CLI_OPTS(CLI_STRING("env"), CLI_STRING("comment"),
		     CLI_FLAG("rollback"), CLI_STRING("to")),
    .min_args = 1,
    .max_args = 2,
    .reg = CLI_REG_OPEN,
    .run_self = cli_change,
};
MLC_SET_ADD(cli_cmds, request_entry);

static const struct cli_cmd approve_entry = {
    .name = "approve",
    .group = CLI_GROUP_DEPLOY,
    .rank = 40,
    .usage = "ID [--comment TEXT]",
    .summary = "vote; the vote that satisfies the policy deploys",
    .opts = CLI_OPTS(CLI_STRING("comment")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_change,
};
MLC_SET_ADD(cli_cmds, approve_entry);

static const struct cli_cmd reject_entry = {
    .name = "reject",
    .group = CLI_GROUP_DEPLOY,
    .rank = 50,
    .usage = "ID [--comment TEXT]",
    .summary = "vote no; closes the request",
    .opts = CLI_OPTS(CLI_STRING("comment")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_change,
};
MLC_SET_ADD(cli_cmds, reject_entry);

static const struct cli_cmd cancel_entry = {
    .name = "cancel",
    .group = CLI_GROUP_DEPLOY,
    .rank = 60,
    .usage = "ID",
    .summary = "the requester withdraws a pending request",
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_change,
};
MLC_SET_ADD(cli_cmds, cancel_entry);

static const struct cli_cmd deployments_entry = {
    .name = "deployments",
    .group = CLI_GROUP_DEPLOY,
    .rank = 70,
    .usage = "MODEL [--env ENV]",
    .summary = "every environment's live version, and the history (- where nothing is "
	       "live; --json: version null)",
    .opts = CLI_OPTS(CLI_STRING("env")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_show,
};
MLC_SET_ADD(cli_cmds, deployments_entry);

static const struct cli_cmd approvals_entry = {
    .name = "approvals",
    .group = CLI_GROUP_DEPLOY,
    .rank = 80,
    .usage = "[--all]",
    .summary = "pending requests (all with --all)",
    .opts = CLI_OPTS(CLI_FLAG("all")),
    .reg = CLI_REG_OPEN,
    .run_self = cli_show,
};
MLC_SET_ADD(cli_cmds, approvals_entry);

static const struct cli_cmd audit_entry = {
    .name = "audit",
    .group = CLI_GROUP_DEPLOY,
    .rank = 90,
    .usage = "[--limit N]",
    .summary = "the audit log, newest first",
    .opts = CLI_OPTS(CLI_COUNT("limit", 1LL << 40)),
    .reg = CLI_REG_OPEN,
    .run_self = cli_show,
};
MLC_SET_ADD(cli_cmds, audit_entry);

static const struct cli_cmd audit_verify_entry = {
    .name = "audit",
    .sub = "verify",
    .group = CLI_GROUP_DEPLOY,
    .rank = 100,
    .summary = "check the log's hash chain and environments: the first broken row, a log "
	       "rewritten since this console saw it; exit 1 if any (on a server: the chain "
	       "of this machine's journal, the first broken line)",
    .reg = CLI_REG_OPEN,
    .run_self = cli_show,
};
MLC_SET_ADD(cli_cmds, audit_verify_entry);

static const struct cli_cmd hook_retry_entry = {
    .name = "hook",
    .sub = "retry",
    .group = CLI_GROUP_DEPLOY,
    .rank = 110,
    .usage = "MODEL --env ENV",
    .summary = "run the environment's hook again",
    .opts = CLI_OPTS(CLI_STRING("env")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_hook,
};
MLC_SET_ADD(cli_cmds, hook_retry_entry);

static const struct cli_cmd env_list_entry = {
    .name = "env",
    .sub = "list",
    .group = CLI_GROUP_DEPLOY,
    .rank = 120,
    .summary = "environments and their policies",
    .reg = CLI_REG_OPEN,
    .run_self = cli_env,
};
MLC_SET_ADD(cli_cmds, env_list_entry);

static const struct cli_cmd env_set_entry = {
    .name = "env",
    .sub = "set",
    .group = CLI_GROUP_DEPLOY,
    .rank = 130,
    .usage = "ENV [--order N] [--required-approvals N] [--approvers U,...]\n"
	     "[--self-approval yes|no] [--rollback-approval yes|no] [--require-previous yes|no]\n"
	     "[--gate EXPR]... [--gate-rm EXPR]... [--comment TEXT]",
    .summary = "set an environment's policy (audited); only an approver (or root without "
	       "--as) may change a policy with approvers, and a change that loosens it is a "
	       "request others approve",
    .help = "Flags left out keep their values; a new environment starts with no approvals\n"
	    "required. The registry is made if missing.\n"
	    "--gate EXPR adds a gate (repeatable): a condition in the filter grammar that a\n"
	    "version's source run must meet before it goes live here, by approval or by a\n"
	    "direct deploy; 'live' is the live version's value of the same key, 'drift'\n"
	    "the model's drift status (ok, warn, drift or none). Nothing live: a 'live'\n"
	    "comparison passes; a key the version lacks: the gate fails. Rollbacks are not\n"
	    "gated. --gate-rm EXPR removes one, written as 'env list' shows it; removing a\n"
	    "gate loosens the policy, so with approvers it is a request.\n"
	    "  mlconsole env set production --gate 'metrics.val_auc >= live' --gate 'drift = ok'\n",
    .opts = CLI_OPTS(CLI_COUNT("order", 1000000),
		     CLI_COUNT("required-approvals", 100),
		     CLI_STRING("approvers"), CLI_YESNO("self-approval"),
		     CLI_YESNO("rollback-approval"), CLI_YESNO("require-previous"),
		     CLI_LIST("gate", MLC_GATES_MAX),
		     CLI_LIST("gate-rm", MLC_GATES_MAX), CLI_STRING("comment")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_CREATE,
    .run_self = cli_env,
};
MLC_SET_ADD(cli_cmds, env_set_entry);
