/* cli_cmd.c: the table of subcommands, as tmux's cmd_entry — each one's name,
 * usage, the options it takes, the registry it needs and its function — and
 * what comes from it: `--help`, `COMMAND --help`, the option and argument
 * checks, and dispatch. A new command is one entry here and its function. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_util.h"
#include "drift.h"

/* Where a command's summary starts in the global --help. */
#define SUMMARY_COL 41
#define HELP_WIDTH 79

static const struct cli_cmd commands[] = {
    /* ---- read ---- */
    {.name = "models",
     .usage = "[--filter EXPR]",
     .summary = "registered models: name, versions, aliases, latest version, updated",
     .help = "EXPR is MLflow's search syntax on models, e.g. \"name LIKE 'fraud%'\".\n",
     .options = "filter",
     .reg = CLI_REG_OPEN,
     .run = cli_models},
    {.name = "versions",
     .usage = "MODEL",
     .summary = "versions of a model, highest first",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run = cli_versions},
    {.name = "experiments",
     .usage = "[--all]",
     .summary = "experiments and their run counts (--all: deleted ones too)",
     .options = "all",
     .reg = CLI_REG_OPEN,
     .run = cli_experiments},
    {.name = "runs",
     .usage = "EXPERIMENT [--filter EXPR] [--order-by 'metrics.K DESC'] [--columns K,...]\n"
	      "[--limit N] [--all]",
     .summary = "runs of an experiment, newest first (--all: deleted runs too)",
     .help = "EXPERIMENT is an experiment's id or name (an existing id wins).\n"
	     "  --filter EXPR       MLflow's search syntax, e.g. \"metrics.acc > 0.9 and\n"
	     "                      params.lr = '0.01'\"\n"
	     "  --order-by SPEC     e.g. 'metrics.acc DESC'; default: newest first\n"
	     "  --columns K,...     the extra columns: metrics.K, params.K, tags.K or a bare\n"
	     "                      key (a metric, else a param, else a tag); a key no run of\n"
	     "                      the experiment has is an error. Default: the first run's\n"
	     "                      first three metrics\n"
	     "  --limit N           at most N runs\n"
	     "  --all               deleted runs too (MLflow's lifecycle stage 'deleted'); by\n"
	     "                      default only active runs are listed, as MLflow does\n",
     .options = "filter order-by columns limit all",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run = cli_runs},
    {.name = "compare",
     .usage = "RUN RUN [RUN...]",
     .summary = "params and final metrics side by side",
     .help = "2 to 20 different runs; RUN is a run id or a unique prefix of at least 8\n"
	     "characters. '*' marks differing params and each metric's best value.\n",
     .min_args = 2,
     .max_args = 20,
     .reg = CLI_REG_OPEN,
     .run = cli_compare},
    {.name = "diff",
     .usage = "MODEL V1 V2",
     .summary = "two versions: params, metrics, data, commit, tags",
     .help = "Side by side, the rows that differ first (marked '*'): params, final metrics,\n"
	     "the datasets their runs used (digests), the source commit, run and version\n"
	     "tags. A version the model lacks fails (exit 1).\n",
     .min_args = 3,
     .max_args = 3,
     .reg = CLI_REG_OPEN,
     .run = cli_diff},
    {.name = "history",
     .usage = "RUN METRIC",
     .summary = "a metric's history and its sparkline",
     .min_args = 2,
     .max_args = 2,
     .reg = CLI_REG_OPEN,
     .run = cli_history},
    {.name = "drift",
     .sub = "compute",
     .usage = "--reference FILE --current FILE [--method M] [--binning evidently|deciles]\n"
	      "[--threshold X] [--categorical]",
     .summary = "drift between two samples (Evidently's tests)",
     .help = "FILE: one value per line (a first line that is not a number is a header).\n"
	     "  --method M          %methods (default auto)\n"
	     "  --binning B         evidently or deciles\n"
	     "  --threshold X       the threshold the score is compared with\n"
	     "  --categorical       every line is a label\n",
     .options = "reference current method binning threshold categorical",
     .reg = CLI_REG_NONE,
     .run_self = cli_drift},
    {.name = "drift",
     .sub = "record",
     .usage = "MODEL --feature F --reference FILE --current FILE [--at ISO8601]\n"
	      "[--method M] [--binning B] [--threshold X] [--categorical]",
     .summary = "compute and store a window of the model's series",
     .help = "As drift compute, then stores the point (at --at, default now) in MODEL's\n"
	     "series for feature F.\n",
     .options = "feature reference current at method binning threshold categorical",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_drift},
    {.name = "drift",
     .sub = "show",
     .usage = "[MODEL] [--feature F]",
     .summary = "drift per feature, worst first, with sparklines",
     .options = "feature",
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_drift_show},
    {.name = "import",
     .usage = "SRC",
     .summary = "copy an MLflow file store (mlruns), MLflow's SQLite database or "
		"another local registry into this one",
     .help = "Importing twice adds nothing new; the registry is made if missing.\n",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_CREATE,
     .run_self = cli_import},
    {.name = "demo",
     .sub = "create",
     .usage = "PATH [--models N] [--runs N] [--points N] [--seed S] [--force]",
     .summary = "write a generated demo registry",
     .help = "--runs and --points are totals (default points: 50 per run); --force\n"
	     "replaces an existing registry at PATH.\n",
     .options = "models runs points seed force",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_NEW,
     .run_self = cli_demo},
    /* ---- deployments ---- */
    {.name = "deploy",
     .group = "Deployments (the environment's policy decides; every change is audited):",
     .usage = "MODEL VERSION --env ENV",
     .summary = "make VERSION live in ENV (if no approval needed)",
     .options = "env",
     .min_args = 2,
     .max_args = 2,
     .reg = CLI_REG_OPEN,
     .run_self = cli_change},
    {.name = "rollback",
     .usage = "MODEL --env ENV [--to VERSION]",
     .summary = "back to the previous live version",
     .options = "env to",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_change},
    {.name = "request",
     .usage = "MODEL VERSION --env ENV [--comment TEXT]\n"
	      "MODEL --rollback --env ENV [--to VERSION] [--comment TEXT]",
     .summary = "ask for approval (of a deployment, or of a rollback)",
     .options = "env comment rollback to",
     .min_args = 1,
     .max_args = 2,
     .reg = CLI_REG_OPEN,
     .run_self = cli_change},
    {.name = "approve",
     .usage = "ID [--comment TEXT]",
     .summary = "vote; the vote that satisfies the policy deploys",
     .options = "comment",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_change},
    {.name = "reject",
     .usage = "ID [--comment TEXT]",
     .summary = "vote no; closes the request",
     .options = "comment",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_change},
    {.name = "cancel",
     .usage = "ID",
     .summary = "the requester withdraws a pending request",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_change},
    {.name = "deployments",
     .usage = "MODEL [--env ENV]",
     .summary = "every environment's live version, and the history (- where nothing is "
		"live; --json: version null)",
     .options = "env",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_show},
    {.name = "approvals",
     .usage = "[--all]",
     .summary = "pending requests (all with --all)",
     .options = "all",
     .reg = CLI_REG_OPEN,
     .run_self = cli_show},
    {.name = "audit",
     .usage = "[--limit N]",
     .summary = "the audit log, newest first",
     .options = "limit",
     .reg = CLI_REG_OPEN,
     .run_self = cli_show},
    {.name = "audit",
     .sub = "verify",
     .summary = "check the log's hash chain and environments: the first broken row, a log "
		"rewritten since this console saw it; exit 1 if any (on a server: the chain "
		"of this machine's journal, the first broken line)",
     .reg = CLI_REG_OPEN,
     .run_self = cli_show},
    {.name = "hook",
     .sub = "retry",
     .usage = "MODEL --env ENV",
     .summary = "run the environment's hook again",
     .options = "env",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_hook},
    {.name = "env",
     .sub = "list",
     .summary = "environments and their policies",
     .reg = CLI_REG_OPEN,
     .run_self = cli_env},
    {.name = "env",
     .sub = "set",
     .usage = "ENV [--order N] [--required-approvals N] [--approvers U,...]\n"
	      "[--self-approval yes|no] [--rollback-approval yes|no] [--require-previous yes|no]\n"
	      "[--gate EXPR]... [--gate-rm EXPR]... [--comment TEXT]",
     .summary = "set an environment's policy (audited); only an approver (or root without "
		"--as) may change a policy with approvers, and a change that loosens it is a "
		"request others approve",
     .help =
	 "Flags left out keep their values; a new environment starts with no approvals\n"
	 "required. The registry is made if missing.\n"
	 "--gate EXPR adds a gate (repeatable): a condition in the filter grammar that a\n"
	 "version's source run must meet before it goes live here, by approval or by a\n"
	 "direct deploy; 'live' is the live version's value of the same key, 'drift'\n"
	 "the model's drift status (ok, warn, drift or none). Nothing live: a 'live'\n"
	 "comparison passes; a key the version lacks: the gate fails. Rollbacks are not\n"
	 "gated. --gate-rm EXPR removes one, written as 'env list' shows it; removing a\n"
	 "gate loosens the policy, so with approvers it is a request.\n"
	 "  mlconsole env set production --gate 'metrics.val_auc >= live' --gate 'drift = ok'\n",
     .options = "order required-approvals approvers self-approval rollback-approval "
		"require-previous gate gate-rm comment",
     .min_args = 1,
     .max_args = 1,
     .reg = CLI_REG_CREATE,
     .run_self = cli_env},
    /* ---- alerts ---- */
    {.name = "alerts",
     .sub = "check",
     .group = "Drift alerts (rules per model and environment; changed as a policy is):",
     .usage = "[MODEL]",
     .summary = "evaluate the drift windows newer than the last check against the rules "
		"(for cron or a systemd timer): record each firing once, audited, and run its "
		"actions; exit 3 when an alert fired, 0 when none did (an error wins: 1 or 2)",
     .help = "A rule that fired stays quiet for its cooldown. Its actions: notify (recorded\n"
	     "and printed), rollback (opens a rollback request as you: the policy governs it,\n"
	     "and an alert never rolls back by itself, even where the policy would allow a\n"
	     "direct rollback), hook (the config's [hook alert], only for the models its\n"
	     "models = lists; the features reach it as MLC_ALERT_FEATURES and _SCORES).\n",
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_alerts},
    {.name = "alerts",
     .sub = "list",
     .usage = "[MODEL]",
     .summary = "alerts that fired, open ones first (open: inside the rule's cooldown, or "
		"its rollback request pending)",
     .max_args = 1,
     .reg = CLI_REG_OPEN,
     .run_self = cli_alerts},
    {.name = "alerts",
     .sub = "rule",
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
     .options = "env feature share windows cooldown actions",
     .min_args = 1,
     .max_args = 3,
     .reg = CLI_REG_OPEN,
     .run_self = cli_alerts},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* Print text word-wrapped to HELP_WIDTH, each line starting at column col;
 * the cursor is at column at (past col - 2: text starts on a new line). */
static void print_wrapped(FILE *f, const char *text, int at, int col)
{
	const char *p = text;

	if (at > 0 && at > col - 2) {
		fputc('\n', f);
		at = 0;
	}
	fprintf(f, "%*s", col - at, "");
	at = col;
	while (*p) {
		size_t w = strcspn(p, " ");
		if (at > col && at + 1 + (int)w > HELP_WIDTH) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fwrite(p, 1, w, f);
		at += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* "name" or "name sub" into buf. */
static const char *full_name(const struct cli_cmd *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
	return buf;
}

/* Print c's usage line(s): the first after prefix (which ends in
 * "mlconsole "), other forms under it, continuations under the arguments. */
static void print_usage(FILE *f, const struct cli_cmd *c, const char *prefix)
{
	const char *u = c->usage ? c->usage : "";
	int indent = (int)strlen(prefix) - 10; /* where "mlconsole " starts */
	char name[64];
	int first = 1;

	full_name(c, name, sizeof name);
	do {
		size_t n = strcspn(u, "\n");
		if (first)
			fprintf(f, "%s%s%s%.*s\n", prefix, name, n ? " " : "", (int)n, u);
		else if (*u != '[') /* another form */
			fprintf(f, "%*smlconsole %s %.*s\n", indent, "", name, (int)n, u);
		else
			fprintf(f, "%*s%.*s\n", indent + 11 + (int)strlen(name), "", (int)n, u);
		first = 0;
		u += n + (u[n] == '\n');
	} while (*u);
}

/* Print help text; a line "  --opt X   %methods TAIL" names every drift
 * method from core/drift.c's table, wrapped under its column. */
static void print_help_text(FILE *f, const char *help)
{
	const char *p = help;

	while (*p) {
		size_t n = strcspn(p, "\n"), col;
		const char *m = memchr(p, '%', n);

		if (m && strncmp(m, "%methods", 8) == 0) {
			char names[256], text[512];

			size_t at;

			col = (size_t)(m - p);
			for (at = col; at > 0 && p[at - 1] == ' ';)
				at--;
			snprintf(text, sizeof text, "%s%.*s",
				 drift_method_names(names, sizeof names, " or "),
				 (int)(n - col - 8), m + 8);
			fprintf(f, "%.*s", (int)at, p);
			print_wrapped(f, text, (int)at, (int)col);
		} else {
			fprintf(f, "%.*s\n", (int)n, p);
		}
		p += n + (p[n] == '\n');
	}
}

void cli_cmd_help(FILE *f, const struct cli_cmd *c)
{
	print_usage(f, c, "Usage: mlconsole ");
	print_wrapped(f, c->summary, 0, 0);
	if (c->help)
		print_help_text(f, c->help);
	fprintf(f,
		"Global options (-r URI, --context NAME, --theme NAME, --read-only, --as USER,\n"
		"--json, --wide) work here too: see mlconsole --help. Exit status: 0 ok, 1 refused\n"
		"or failed, 2 usage error%s.\n",
		c->run_self == cli_alerts && strcmp(c->sub, "check") == 0 ? ", 3 an alert fired"
									  : "");
}

/* The command list of the global --help: usage, then the summary. */
static void print_command_list(FILE *f)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct cli_cmd *c = &commands[i];
		const char *u = c->usage ? c->usage : "";
		char name[64];
		int at;
		if (c->group)
			fprintf(f, "\n%s\n", c->group);
		full_name(c, name, sizeof name);
		/* the first form in full; the others and continuations each on their own line */
		at = fprintf(f, "  %s%s%.*s", name, *u ? " " : "", (int)strcspn(u, "\n"), u);
		for (u += strcspn(u, "\n"); *u == '\n'; u += strcspn(u, "\n")) {
			u++;
			at = fprintf(f, "\n  %s%*s%.*s", *u == '[' ? "" : name,
				     *u == '[' ? (int)strlen(name) + 1 : 1, "",
				     (int)strcspn(u, "\n"), u);
		}
		print_wrapped(f, c->summary, at, SUMMARY_COL);
	}
}

void cli_help(FILE *f, const char *options_text, const char *tail_text)
{
	fputs(options_text, f);
	fputs("\nCommands (COMMAND --help for each one's own):\n", f);
	print_command_list(f);
	fputs(tail_text, f);
}

/* 1 if c is the entry argv names (name, and sub when it has one). */
static int matches(const struct cli_cmd *c, int argc, char **argv)
{
	return strcmp(c->name, argv[0]) == 0 &&
	       (c->sub == NULL || (argc > 1 && strcmp(c->sub, argv[1]) == 0));
}

/* The subcommands of name, "a, b or c", into buf. */
static const char *sub_names(const char *name, char *buf, size_t len)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < N_COMMANDS; i++)
		n += commands[i].sub && strcmp(commands[i].name, name) == 0;
	buf[0] = '\0';
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (!commands[i].sub || strcmp(commands[i].name, name) != 0)
			continue;
		k++;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 k == 1	  ? ""
			 : k == n ? " or "
				  : ", ",
			 commands[i].sub);
	}
	return buf;
}

const struct cli_cmd *cli_cmd_find(int argc, char **argv, int *known_name)
{
	const struct cli_cmd *plain = NULL;

	*known_name = 0;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].name, argv[0]) != 0)
			continue;
		*known_name = 1;
		if (commands[i].sub == NULL)
			plain = &commands[i]; /* `audit` beside `audit verify` */
		else if (matches(&commands[i], argc, argv))
			return &commands[i];
	}
	return plain;
}

/* Help for every entry named name (`drift --help`: compute, record, show). */
static void help_group(FILE *f, const char *name)
{
	int first = 1;

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		print_usage(f, &commands[i], first ? "Usage: mlconsole " : "       mlconsole ");
		first = 0;
	}
	fprintf(f, "mlconsole %s SUBCOMMAND --help: each one's own help.\n", name);
}

int cli_cmd_help_for(int argc, char **argv)
{
	int known;
	const struct cli_cmd *c = cli_cmd_find(argc, argv, &known);

	if (c != NULL)
		cli_cmd_help(stdout, c);
	else if (known)
		help_group(stdout, argv[0]);
	else
		return -1;
	return 0;
}

/* 1 if the space-separated list holds the word name. */
static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list ? list : ""; *p; p += strcspn(p, " "), p += *p == ' ') {
		if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

int cli_cmd_check(const struct cli_opts *o, const struct cli_cmd *c)
{
	char name[64];
	int nargs = o->argc - 1 - (c->sub != NULL);

	full_name(c, name, sizeof name);
	for (int i = 0; i < o->n_cmd_opts; i++)
		if (!list_has(c->options, o->cmd_opts[i]))
			return cli_usage(o, "%s: takes no --%s (see mlconsole %s --help)", name,
					 o->cmd_opts[i], name);
	if (nargs < c->min_args || nargs > c->max_args) {
		char usage[160];
		snprintf(usage, sizeof usage, "%.*s", (int)strcspn(c->usage ? c->usage : "", "\n"),
			 c->usage ? c->usage : "");
		return cli_usage(o, "%s: expected 'mlconsole %s%s%s' (see mlconsole %s --help)",
				 name, name, *usage ? " " : "", usage, name);
	}
	return 0;
}

/* Run c's function: with the registry opened for it, or on its own. */
static int run(const struct cli_opts *o, const struct cli_cmd *c)
{
	struct mlc_error err = {0};
	struct registry *r;
	int rc;

	if (c->run_self)
		return c->run_self(o);
	if ((r = cli_open_registry(o, &err)) == NULL)
		return cli_fail(o, &err);
	rc = c->run(o, r, &err);
	registry_close(r);
	return rc;
}

int cli_run(struct cli_opts *o)
{
	int known;
	const struct cli_cmd *c = cli_cmd_find(o->argc, o->argv, &known);
	char subs[128];
	int rc;

	/* cli_usage sanitises the message: the words typed can be anything */
	if (c == NULL && known && o->argc > 1)
		return cli_usage(o, "%.64s %.64s: unknown subcommand (%s)", o->argv[0], o->argv[1],
				 sub_names(o->argv[0], subs, sizeof subs));
	if (c == NULL && known)
		return cli_usage(o, "%s: expected %s", o->argv[0],
				 sub_names(o->argv[0], subs, sizeof subs));
	if (c == NULL)
		return cli_usage(o, "%.200s: unknown command (see mlconsole --help)", o->argv[0]);
	o->cmd = c;
	cli_table_wide(o->wide);
	if ((rc = cli_cmd_check(o, c)) != 0)
		return rc;
	return run(o, c);
}
