/* main.c: mlconsole's entry point — parse the command line, then run a
 * subcommand (cli.c) or open the console (app.c). */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app.h"
#include "cli.h"
#include "cli_util.h"
#include "theme.h"

/* The global --help around the command list, which comes from the table of
 * commands (cli_cmd.c). */
static const char options_text[] =
    "Usage: mlconsole [OPTION]... [COMMAND [ARG]...]\n"
    "A keyboard console for model registries: models, versions, experiments, runs.\n"
    "RUN is a run id or a unique prefix of at least 8 characters.\n"
    "With no COMMAND, opens the console on the registry (on its pulse with\n"
    "start = pulse in the config file's [general]).\n"
    "\n"
    "Options (before or after the command):\n"
    "  -r, --registry URI     registry to open: sqlite:PATH, a path to a .db file, an\n"
    "                         MLflow file store (mlruns:DIR or a directory) or MLflow's\n"
    "                         own SQLite database (sqlite:///mlflow.db), or an MLflow tracking\n"
    "                         server (http://HOST:PORT, https://...); MLflow's stores are\n"
    "                         read-only\n"
    "      --context NAME     a named registry ([context NAME] in the config file); its\n"
    "                         theme and read_only apply (also :ctx NAME in the console)\n"
    "      --demo[=PATH]      open the console on a demo registry, made on first use\n"
    "                         (default $XDG_DATA_HOME/mlconsole/demo.db)\n"
    "      --theme NAME       colour theme: default, light, mono, prod-alert, or your own\n"
    "                         (an unknown name is an error, with a command too)\n"
    "      --read-only        refuse every change; the console shows a READ-ONLY badge\n"
    "                         (a registry file you may not write opens read-only too)\n"
    "      --as USER          act as USER (root only)\n"
    "      --json             machine-readable output; errors as JSON on stderr\n"
    "      --wide             text tables print every cell whole (by default a cell\n"
    "                         longer than 60 columns is cut, ending in …)\n"
    "  -h, --help             show this help (after a COMMAND: its own) and exit\n"
    "  -V, --version          show the version and exit\n";

static const char tail_text[] =
    "\n"
    "Options a command does not take are usage errors.\n"
    "EXPR is MLflow's search syntax, e.g. \"metrics.acc > 0.9 and params.lr = '0.01'\".\n"
    "Lists show active experiments and runs, as MLflow does; --all includes deleted ones.\n"
    "Registry: -r, else --context, else $MLFLOW_TRACKING_URI, else the config's default_context,\n"
    "else sqlite:$XDG_DATA_HOME/mlconsole/registry.db. Config: $XDG_CONFIG_HOME/mlconsole/config.\n"
    "Exit status: 0 ok, 1 refused or failed, 2 usage error; alerts check: 3 when an alert\n"
    "fired (an error wins).\n";

enum {
	OPT_CONTEXT = 256,
	OPT_THEME,
	OPT_READ_ONLY,
	OPT_AS,
	OPT_JSON,
	OPT_WIDE,
	OPT_DEMO,
	OPT_FILTER,
	OPT_ORDER_BY,
	OPT_COLUMNS,
	OPT_LIMIT,
	OPT_ALL,
	OPT_FORCE,
	OPT_MODELS,
	OPT_RUNS,
	OPT_POINTS,
	OPT_SEED,
	OPT_REFERENCE,
	OPT_CURRENT,
	OPT_METHOD,
	OPT_BINNING,
	OPT_THRESHOLD,
	OPT_CATEGORICAL,
	OPT_FEATURE,
	OPT_AT,
	OPT_ENV,
	OPT_TO,
	OPT_COMMENT,
	OPT_ROLLBACK,
	OPT_ORDER,
	OPT_REQUIRED_APPROVALS,
	OPT_APPROVERS,
	OPT_SELF_APPROVAL,
	OPT_ROLLBACK_APPROVAL,
	OPT_REQUIRE_PREVIOUS,
	OPT_GATE,
	OPT_GATE_RM,
	OPT_SHARE,
	OPT_WINDOWS,
	OPT_COOLDOWN,
	OPT_ACTIONS,
};

static const struct option long_opts[] = {
	{"registry", required_argument, NULL, 'r'},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"theme", required_argument, NULL, OPT_THEME},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"as", required_argument, NULL, OPT_AS},
	{"json", no_argument, NULL, OPT_JSON},
	{"wide", no_argument, NULL, OPT_WIDE},
	{"demo", optional_argument, NULL, OPT_DEMO},
	{"filter", required_argument, NULL, OPT_FILTER},
	{"order-by", required_argument, NULL, OPT_ORDER_BY},
	{"columns", required_argument, NULL, OPT_COLUMNS},
	{"limit", required_argument, NULL, OPT_LIMIT},
	{"all", no_argument, NULL, OPT_ALL},
	{"force", no_argument, NULL, OPT_FORCE},
	{"models", required_argument, NULL, OPT_MODELS},
	{"runs", required_argument, NULL, OPT_RUNS},
	{"points", required_argument, NULL, OPT_POINTS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"reference", required_argument, NULL, OPT_REFERENCE},
	{"current", required_argument, NULL, OPT_CURRENT},
	{"method", required_argument, NULL, OPT_METHOD},
	{"binning", required_argument, NULL, OPT_BINNING},
	{"threshold", required_argument, NULL, OPT_THRESHOLD},
	{"categorical", no_argument, NULL, OPT_CATEGORICAL},
	{"feature", required_argument, NULL, OPT_FEATURE},
	{"at", required_argument, NULL, OPT_AT},
	{"env", required_argument, NULL, OPT_ENV},
	{"to", required_argument, NULL, OPT_TO},
	{"comment", required_argument, NULL, OPT_COMMENT},
	{"rollback", no_argument, NULL, OPT_ROLLBACK},
	{"order", required_argument, NULL, OPT_ORDER},
	{"required-approvals", required_argument, NULL, OPT_REQUIRED_APPROVALS},
	{"approvers", required_argument, NULL, OPT_APPROVERS},
	{"self-approval", required_argument, NULL, OPT_SELF_APPROVAL},
	{"rollback-approval", required_argument, NULL, OPT_ROLLBACK_APPROVAL},
	{"require-previous", required_argument, NULL, OPT_REQUIRE_PREVIOUS},
	{"gate", required_argument, NULL, OPT_GATE},
	{"gate-rm", required_argument, NULL, OPT_GATE_RM},
	{"share", required_argument, NULL, OPT_SHARE},
	{"windows", required_argument, NULL, OPT_WINDOWS},
	{"cooldown", required_argument, NULL, OPT_COOLDOWN},
	{"actions", required_argument, NULL, OPT_ACTIONS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* Parse a non-negative integer option value or report a usage error. */
static int parse_count(const char *opt, const char *s, long long max, long long *out)
{
	if (cli_parse_int(s, 0, max, out) < 0) {
		fprintf(stderr, "mlconsole: --%s %s: expected a whole number from 0 to %lld\n", opt, s,
			max);
		return -1;
	}
	return 0;
}

/* Parse a finite number option value or report a usage error. */
static int parse_real(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v)) {
		fprintf(stderr, "mlconsole: --%s %s: expected a number\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Remember that the command option name was given, once (cli_cmd_check
 * checks them against the command's entry). */
static void note_cmd_opt(struct cli_opts *o, const char *name)
{
	for (int i = 0; i < o->n_cmd_opts; i++)
		if (strcmp(o->cmd_opts[i], name) == 0)
			return;
	if (o->n_cmd_opts < CLI_MAX_CMD_OPTS)
		o->cmd_opts[o->n_cmd_opts++] = name;
}

/* Fill o from argv; returns -1 (usage error), 0, or 1 (exit 0: version).
 * *help: -h was given (its answer depends on the command). */
static int parse_args(int argc, char **argv, struct cli_opts *o, int *help)
{
	long long v;
	int c, li = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:hV", long_opts, &li)) != -1) {
		if (c >= OPT_FILTER && li >= 0) /* the options of commands are long only */
			note_cmd_opt(o, long_opts[li].name);
		li = -1;
		switch (c) {
		case 'r': o->registry = optarg; break;
		case OPT_CONTEXT: o->context = optarg; break;
		case OPT_THEME: o->theme = optarg; break;
		case OPT_READ_ONLY: o->read_only = 1; break;
		case OPT_AS: o->as_user = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_WIDE: o->wide = 1; break;
		case OPT_DEMO: o->have_demo = 1; o->demo = optarg ? optarg : ""; break;
		case OPT_FILTER: o->filter = optarg; break;
		case OPT_ORDER_BY: o->order_by = optarg; break;
		case OPT_COLUMNS: o->columns = optarg; break;
		case OPT_ALL: o->all = 1; break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_LIMIT:
			if (parse_count("limit", optarg, 1LL << 40, &v) < 0)
				return -1;
			o->limit = v;
			break;
		case OPT_MODELS:
			if (parse_count("models", optarg, 10000, &v) < 0)
				return -1;
			o->models = (int)v;
			break;
		case OPT_RUNS:
			if (parse_count("runs", optarg, 1000000, &v) < 0)
				return -1;
			o->runs = v;
			break;
		case OPT_POINTS:
			if (parse_count("points", optarg, 10000000, &v) < 0)
				return -1;
			o->points = v;
			break;
		case OPT_SEED:
			if (parse_count("seed", optarg, 1LL << 62, &v) < 0)
				return -1;
			o->seed = (uint64_t)v;
			break;
		case OPT_REFERENCE: o->reference = optarg; break;
		case OPT_CURRENT: o->current = optarg; break;
		case OPT_METHOD: o->method = optarg; break;
		case OPT_BINNING: o->binning = optarg; break;
		case OPT_CATEGORICAL: o->categorical = 1; break;
		case OPT_FEATURE: o->feature = optarg; break;
		case OPT_AT: o->at = optarg; break;
		case OPT_THRESHOLD:
			if (parse_real("threshold", optarg, &o->threshold) < 0)
				return -1;
			o->have_threshold = 1;
			break;
		case OPT_ENV: o->env = optarg; break;
		case OPT_TO: o->to = optarg; break;
		case OPT_COMMENT: o->comment = optarg; break;
		case OPT_ROLLBACK: o->rollback = 1; break;
		case OPT_APPROVERS: o->approvers = optarg; break;
		case OPT_GATE:
		case OPT_GATE_RM:
			if ((c == OPT_GATE ? o->n_gate_add : o->n_gate_rm) == CLI_MAX_GATES) {
				fprintf(stderr, "mlconsole: --%s: at most %d in one command\n",
					c == OPT_GATE ? "gate" : "gate-rm", CLI_MAX_GATES);
				return -1;
			}
			if (c == OPT_GATE)
				o->gate_add[o->n_gate_add++] = optarg;
			else
				o->gate_rm[o->n_gate_rm++] = optarg;
			break;
		case OPT_ORDER:
			if (parse_count("order", optarg, 1000000, &v) < 0)
				return -1;
			o->order = v;
			o->have_order = 1;
			break;
		case OPT_REQUIRED_APPROVALS:
			if (parse_count("required-approvals", optarg, 100, &v) < 0)
				return -1;
			o->required_approvals = v;
			o->have_required_approvals = 1;
			break;
		case OPT_SELF_APPROVAL:
		case OPT_ROLLBACK_APPROVAL:
		case OPT_REQUIRE_PREVIOUS:
			if (strcmp(optarg, "yes") != 0 && strcmp(optarg, "no") != 0) {
				fprintf(stderr, "mlconsole: --%s %s: expected yes or no\n",
					c == OPT_SELF_APPROVAL	   ? "self-approval"
					: c == OPT_ROLLBACK_APPROVAL ? "rollback-approval"
								     : "require-previous",
					optarg);
				return -1;
			}
			if (c == OPT_SELF_APPROVAL)
				o->self_approval = optarg;
			else if (c == OPT_ROLLBACK_APPROVAL)
				o->rollback_approval = optarg;
			else
				o->require_previous = optarg;
			break;
		/* alert rules: checked by alert_rule_parse, one parser for every input */
		case OPT_SHARE: o->share = optarg; break;
		case OPT_WINDOWS: o->windows = optarg; break;
		case OPT_COOLDOWN: o->cooldown = optarg; break;
		case OPT_ACTIONS: o->actions = optarg; break;
		case 'h': *help = 1; break;
		case 'V': printf("mlconsole %s\n", PACKAGE_VERSION); return 1;
		case ':':
			fprintf(stderr, "mlconsole: %s: needs a value (see mlconsole --help)\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "mlconsole: %s: unknown option (see mlconsole --help)\n", argv[optind - 1]);
			return -1;
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	return 0;
}

/* -h: the command's own help, or the global one; the exit status. */
static int help(struct cli_opts *o)
{
	if (o->argc == 0) {
		cli_help(stdout, options_text, tail_text);
		return 0;
	}
	if (cli_cmd_help_for(o->argc, o->argv) < 0)
		return cli_usage(o, "%.200s: unknown command (see mlconsole --help)", o->argv[0]);
	return 0;
}

/* The console takes the global options only; 0 or 2 (reported). */
static int check_console_opts(const struct cli_opts *o)
{
	if (o->n_cmd_opts > 0)
		return cli_usage(o, "--%s: an option of commands, not of the console (see mlconsole "
				    "--help)",
				 o->cmd_opts[0]);
	return 0;
}

/* An unknown --theme is an error whatever the mode: commands, which draw
 * nothing, only look it up (theme_find); the console loads it. 0 or 2. */
static int check_theme(const struct cli_opts *o)
{
	struct mlc_error err = {0};

	if (o->theme && theme_find(o->theme, MLC_DATADIR, NULL, 0, &err) < 0) {
		cli_error(o, err.msg);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_opts o = {0};
	char who[256];
	int rc, want_help = 0;

	setlocale(LC_ALL, "");
	rc = parse_args(argc, argv, &o, &want_help);
	if (rc != 0)
		return rc < 0 ? 2 : 0;
	if (want_help)
		return help(&o);
	if (cli_identity(&o, who, sizeof who) == NULL) {
		cli_error(&o, "--as: only root may act as another user");
		return 1;
	}
	if ((rc = check_theme(&o)) != 0)
		return rc;
	if (o.argc > 0) {
		if (o.have_demo) {
			cli_error(&o, "--demo opens the console; it takes no command");
			return 2;
		}
		return cli_run(&o);
	}
	if ((rc = check_console_opts(&o)) != 0)
		return rc;
	return app_main(&o);
}
