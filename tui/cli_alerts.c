/* cli_alerts.c: `alerts check [MODEL]` (for cron or a systemd timer: exit 3
 * when an alert fired), `alerts list [MODEL]` and `alerts rule set|rm|list`.
 * The rules, the evaluation and what a firing does are core/alert.c's; these
 * only parse, call and print. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alert.h"
#include "cli_util.h"
#include "linkset.h"
#include "hooks.h"
#include "sanitize.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The exit status of alerts check when something fired (--help, the man page). */
#define EXIT_FIRED 3

/* ---- JSON --------------------------------------------------------------------- */

static json_t *rule_json(const struct mlc_alert_rule *a)
{
	char acts[64];

	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:s,s:I}", "model", cli_json_str(a->model),
			 "environment", cli_json_str(a->env), "name", cli_json_str(a->name),
			 "feature", *a->feature ? cli_json_str(a->feature) : json_null(), "share",
			 *a->feature ? json_null() : json_real(a->share), "windows",
			 (json_int_t)a->windows, "cooldown", (json_int_t)a->cooldown, "actions",
			 alert_actions_str(a->actions, acts, sizeof acts), "checked",
			 (json_int_t)a->checked);
}

static json_t *firing_json(const struct mlc_alert_firing *f)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:f,s:o,s:o,s:o,s:b}", "id",
			 (json_int_t)f->id, "model", cli_json_str(f->model), "environment",
			 cli_json_str(f->env), "rule", cli_json_str(f->rule), "at",
			 (json_int_t)f->at, "window_end", (json_int_t)f->window_end, "until",
			 (json_int_t)f->until, "features", cli_json_str(f->features), "scores",
			 cli_json_str(f->scores), "share", f->share, "request",
			 f->request_id > 0 ? json_integer(f->request_id) : json_null(), "outcome",
			 cli_json_str(f->outcome), "by", cli_json_str(f->by), "open", f->open);
}

/* ---- alerts check -------------------------------------------------------------- */

/* Print one rule's result for people. */
static void print_result(const struct alert_result *res)
{
	const struct mlc_alert_rule *a = res->rule;
	const struct mlc_alert_firing *f = &res->firing;
	char when[32];
	struct strbuf sb = {0};

	timefmt_minutes(f->window_end, when, sizeof when);
	if (res->fired)
		sb_printf(&sb,
			  "alert %lld: %s in %s, rule %s fired at the window of %s: %s (%s); %s",
			  (long long)f->id, a->model, a->env, a->name, when,
			  *f->features ? f->features : "-", f->scores, f->outcome);
	else if (res->quiet)
		sb_printf(&sb,
			  "%s in %s, rule %s: holds at the window of %s, but inside the "
			  "cooldown of its last firing",
			  a->model, a->env, a->name, when);
	if (sb.len) {
		char *safe = sanitize_dup(sb_str(&sb));
		printf("%s\n", safe);
		free(safe);
	}
	sb_free(&sb);
}

/* Print what the check did: each firing, then a line when nothing fired. */
static int print_check(const struct cli_opts *o, const struct alert_result_list *l, int fired,
		       size_t n_rules)
{
	if (o->json) {
		json_t *arr = json_array(), *quiet = json_array();
		for (size_t i = 0; i < l->n; i++) {
			const struct alert_result *res = &l->items[i];
			if (res->fired)
				json_array_append_new(arr, firing_json(&res->firing));
			else if (res->quiet)
				json_array_append_new(quiet, rule_json(res->rule));
		}
		return cli_json_out(json_pack("{s:o,s:o,s:I}", "fired", arr, "cooling_down", quiet,
					      "rules", (json_int_t)n_rules));
	}
	for (size_t i = 0; i < l->n; i++)
		print_result(&l->items[i]);
	if (fired == 0)
		printf("no alert fired (%zu rule%s checked)\n", n_rules, n_rules == 1 ? "" : "s");
	return 0;
}

/* The [hook alert] of the operator's config into hc (hs keeps it). */
static int alert_hook(const struct cli_opts *o, struct hooks *hs, struct alert_hook_conf *hc,
		      struct mlc_error *err)
{
	if (cli_load_hooks(o, hs, err) < 0)
		return -1;
	hc->hook = hooks_find(hs, HOOKS_ALERT);
	hc->models = hc->hook ? hc->hook->models : NULL;
	return 0;
}

/* alerts check [MODEL] with the registry open. */
static int check(const struct cli_opts *o, struct registry *r, const char *actor,
		 struct mlc_error *err)
{
	struct mlc_alert_rule_list rules = {0};
	struct alert_result_list res = {0};
	struct hooks hs = {0};
	struct alert_hook_conf hc = {0};
	int fired, failed = 0, rc;

	if (alert_hook(o, &hs, &hc, err) < 0 ||
	    registry_alert_rules(r, o->argc > 2 ? o->argv[2] : NULL, &rules, err) < 0) {
		hooks_free(&hs);
		MLC_LIST_FREE(&rules);
		return cli_fail(o, err);
	}
	fired = alert_check(r, &rules, &hc, actor, timefmt_now_ms(), &res, err);
	print_check(o, &res, fired, rules.n);
	for (size_t i = 0; i < res.n; i++)
		failed |= res.items[i].failed;
	if (fired < 0)
		rc = cli_fail(o, err);
	else if (failed)
		rc = 1,
		cli_error(o, "alerts check: an alert's hook failed (see its outcome above)");
	else
		rc = fired > 0 ? EXIT_FIRED : 0;
	MLC_LIST_FREE(&res);
	MLC_LIST_FREE(&rules);
	hooks_free(&hs);
	return rc;
}

/* ---- alerts list ---------------------------------------------------------------- */

static int list_firings(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_alert_firing_list l = {0};
	struct cli_table t;
	int rc = 0;

	if (alert_list(r, o->argc > 2 ? o->argv[2] : NULL, timefmt_now_ms(), &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, firing_json(&l.items[i]));
		rc = cli_json_out(json_pack("{s:o}", "alerts", arr));
		MLC_LIST_FREE(&l);
		return rc;
	}
	cli_table_init(&t, 8);
	cli_table_row(&t, (const char *[]){"ID", "STATE", "MODEL", "ENV", "RULE", "FIRED",
					   "FEATURES", "OUTCOME"});
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_alert_firing *f = &l.items[i];
		char id[24], at[32];
		snprintf(id, sizeof id, "%lld", (long long)f->id);
		timefmt_minutes(f->at, at, sizeof at);
		cli_table_row(&t, (const char *[]){id, f->open ? "open" : "closed", f->model,
						   f->env, f->rule, at,
						   *f->features ? f->features : "-", f->outcome});
	}
	cli_table_print(&t);
	MLC_LIST_FREE(&l);
	return 0;
}

/* ---- alerts rule set|rm|list ------------------------------------------------------ */

static int list_rules(const struct cli_opts *o, struct registry *r, const char *model,
		      struct mlc_error *err)
{
	struct mlc_alert_rule_list l = {0};
	struct cli_table t;
	int rc = 0;

	if (registry_alert_rules(r, model, &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, rule_json(&l.items[i]));
		rc = cli_json_out(json_pack("{s:o}", "rules", arr));
		MLC_LIST_FREE(&l);
		return rc;
	}
	cli_table_init(&t, 6);
	cli_table_row(
	    &t, (const char *[]){"MODEL", "ENV", "RULE", "FIRES WHEN", "COOLDOWN", "ACTIONS"});
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_alert_rule *a = &l.items[i];
		char when[160], cool[32], acts[64];
		snprintf(cool, sizeof cool, "%llds", (long long)a->cooldown);
		cli_table_row(&t,
			      (const char *[]){a->model, a->env, a->name,
					       alert_rule_when(a, when, sizeof when), cool,
					       alert_actions_str(a->actions, acts, sizeof acts)});
	}
	cli_table_print(&t);
	MLC_LIST_FREE(&l);
	return 0;
}

/* alerts rule set|rm MODEL NAME --env ENV ... with the registry open. */
static int change_rule(const struct cli_opts *o, struct registry *r, const char *actor, int rm,
		       struct mlc_error *err)
{
	struct mlc_alert_rule rule;
	char when[160], *safe, *line;
	const char *env = cli_opt_str(o, "env");

	if (rm) {
		memset(&rule, 0, sizeof rule);
		rule.model = o->argv[3];
		rule.env = env;
		rule.name = o->argv[4];
		rule.feature = "";
	} else if (alert_rule_parse(&rule, o->argv[3], env, o->argv[4], cli_opt_str(o, "feature"),
				    cli_opt_str(o, "share"), cli_opt_str(o, "windows"),
				    cli_opt_str(o, "cooldown"), cli_opt_str(o, "actions"), err) < 0) {
		return cli_fail(o, err);
	}
	if (alert_rule_change(r, &rule, rm, cli_root_direct(o, actor), actor, err) < 0)
		return cli_fail(o, err);
	if (o->json)
		return cli_json_out(
		    json_pack("{s:o,s:b}", "rule", rule_json(&rule), "removed", rm));
	line = rm ? xasprintf("alert rule %s of %s in %s removed", rule.name, rule.model, rule.env)
		  : xasprintf("alert rule %s of %s in %s: fires when %s", rule.name, rule.model,
			      rule.env, alert_rule_when(&rule, when, sizeof when));
	safe = sanitize_dup(line);
	printf("%s\n", safe);
	free(line);
	free(safe);
	return 0;
}

/* What the alerts rule words need that the command table cannot check. */
static const char *rule_usage(const struct cli_opts *o, const char *verb)
{
	int set = strcmp(verb, "set") == 0, rm = strcmp(verb, "rm") == 0;
	int env = cli_opt_flag(o, "env");
	int rule_opts = cli_opt_flag(o, "feature") || cli_opt_flag(o, "share") ||
			cli_opt_flag(o, "windows") || cli_opt_flag(o, "cooldown") ||
			cli_opt_flag(o, "actions");

	if (!set && !rm && strcmp(verb, "list") != 0)
		return "alerts rule set|rm|list";
	if ((set || rm) && (o->argc != 5 || !env))
		return set ? "alerts rule set MODEL NAME --env ENV (--feature F | --share X) ..."
			   : "alerts rule rm MODEL NAME --env ENV";
	if (!set && rule_opts)
		return "alerts rule rm|list: --feature, --share, --windows, --cooldown and "
		       "--actions are for alerts rule set";
	if (!set && !rm && (o->argc > 4 || env))
		return "alerts rule list [MODEL]";
	return NULL;
}

/* Whether the subcommand writes (needs an actor and a writable registry). */
static int writes(const struct cli_opts *o)
{
	const char *sub = o->argv[1];

	return strcmp(sub, "check") == 0 ||
	       (strcmp(sub, "rule") == 0 && strcmp(o->argv[2], "list") != 0);
}

/* Run the subcommand with the registry open, as actor. */
static int run(const struct cli_opts *o, struct registry *r, const char *actor,
	       struct mlc_error *err)
{
	const char *sub = o->argv[1];

	if (strcmp(sub, "check") == 0)
		return check(o, r, actor, err);
	if (strcmp(sub, "list") == 0)
		return list_firings(o, r, err);
	if (strcmp(o->argv[2], "list") == 0)
		return list_rules(o, r, o->argc > 3 ? o->argv[3] : NULL, err);
	return change_rule(o, r, actor, strcmp(o->argv[2], "rm") == 0, err);
}

static int cli_alerts(const struct cli_opts *o)
{
	struct mlc_error err = {0};
	struct registry *r;
	char actor[256];
	const char *usage;
	int w, rc;

	if (strcmp(o->argv[1], "rule") == 0 && (usage = rule_usage(o, o->argv[2])) != NULL)
		return cli_usage(o, "alerts rule: expected '%s'", usage);
	w = writes(o);
	if ((r = cli_open_acting(o, w, actor, sizeof actor, &rc)) == NULL)
		return rc;
	if (registry_can(r, (w ? REG_CAP_WRITE : 0) | REG_CAP_DEPLOY,
			 w ? "check alerts" : "read alerts", &err) < 0 ||
	    (w && cli_actor(o, r, actor, sizeof actor, &err) < 0))
		rc = cli_fail(o, &err);
	else
		rc = run(o, r, actor, &err);
	registry_close(r);
	return rc;
}

static const struct cli_cmd alerts_check_entry = {
    .name = "alerts",
    .sub = "check",
    .group = CLI_GROUP_ALERTS,
    .rank = 10,
    .usage = "[MODEL]",
    .summary = "evaluate the drift windows newer than the last check against the rules "
	       "(for cron or a systemd timer): record each firing once, audited, and run its "
	       "actions; exit 3 when an alert fired, 0 when none did (an error wins: 1 or 2)",
    .help = "A rule that fired stays quiet for its cooldown. Its actions: notify (recorded\n"
	    "and printed), rollback (opens a rollback request as you: the policy governs it,\n"
	    "and an alert never rolls back by itself, even where the policy would allow a\n"
	    "direct rollback), hook (the config's [hook alert], only for the models its\n"
	    "models = lists; the features reach it as MLC_ALERT_FEATURES and _SCORES).\n",
    .exit_more = ", 3 an alert fired",
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_alerts,
};
MLC_SET_ADD(cli_cmds, alerts_check_entry);

static const struct cli_cmd alerts_list_entry = {
    .name = "alerts",
    .sub = "list",
    .group = CLI_GROUP_ALERTS,
    .rank = 20,
    .usage = "[MODEL]",
    .summary = "alerts that fired, open ones first (open: inside the rule's cooldown, or "
	       "its rollback request pending)",
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_alerts,
};
MLC_SET_ADD(cli_cmds, alerts_list_entry);

static const struct cli_cmd alerts_rule_entry = {
    .name = "alerts",
    .sub = "rule",
    .group = CLI_GROUP_ALERTS,
    .rank = 30,
    .usage = "set MODEL NAME --env ENV (--feature F | --share X) [--windows K]\n"
	     "[--cooldown D] [--actions notify,rollback,hook]\n"
	     "rm MODEL NAME --env ENV\n"
	     "list [MODEL]",
    .summary = "set, remove or list alert rules (audited); in an environment with "
	       "approvers only they (or root without --as) may change them",
    .help = "  --feature F         fire when feature F drifts (F: A-Z a-z 0-9 _ . -)\n"
	    "  --share X           fire when this share of the model's features drift\n"
	    "                      (0.5 or 50%)\n"
	    "  --windows K         ... in K consecutive drift windows (default 1)\n"
	    "  --cooldown D        quiet after a firing: 90s, 30m, 6h, 2d (default 1h)\n"
	    "  --actions LIST      notify (always), rollback, hook (default notify)\n",
    /* as typed: alert_rule_parse checks them, one parser for every input */
    .opts = CLI_OPTS(CLI_STRING("env"), CLI_STRING("feature"),
		     CLI_STRING("share"), CLI_STRING("windows"),
		     CLI_STRING("cooldown"), CLI_STRING("actions")),
    .min_args = 1,
    .max_args = 3,
    .reg = CLI_REG_OPEN,
    .run_self = cli_alerts,
};
MLC_SET_ADD(cli_cmds, alerts_rule_entry);
