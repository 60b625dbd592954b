/* main.c: mlconsole's entry point — parse the command line with a getopt
 * table built at start from the global options and every registered command's
 * option definitions (cli.h; a value is checked by its type in cli_opt.c),
 * then run the subcommand (cli_cmd.c) or open the console (app.c). */
#include "config.h"
#include <getopt.h>
#include <locale.h>
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
    "Options a command does not take, and one given twice with two values, are usage\n"
    "errors.\n"
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
	OPT_CMD, /* OPT_CMD + i: the command option cmd_defs[i] */
};

/* The global options; every command's options follow them in long_opts. */
static const struct option global_opts[] = {
	{"registry", required_argument, NULL, 'r'},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"theme", required_argument, NULL, OPT_THEME},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"as", required_argument, NULL, OPT_AS},
	{"json", no_argument, NULL, OPT_JSON},
	{"wide", no_argument, NULL, OPT_WIDE},
	{"demo", optional_argument, NULL, OPT_DEMO},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
};
#define N_GLOBAL (sizeof global_opts / sizeof global_opts[0])

/* getopt_long's table: the global options, then each option some command
 * declares, once; and those commands' definitions, by OPT_CMD + index. */
static struct option long_opts[N_GLOBAL + CLI_MAX_CMD_OPTS + 1];
static const struct cli_optdef *cmd_defs[CLI_MAX_CMD_OPTS];

/* Build long_opts from the registered commands, checking them as a table
 * (cli_cmd_table_check: one type for one name) and that none takes a global
 * option's name; 0, or -1 after saying what is wrong (a bug in a command). */
static int build_options(void)
{
	size_t n, k = 0;
	const struct cli_cmd *const *cmds = cli_cmds(&n);
	char why[256];

	if (cli_cmd_table_check(cmds, n, why, sizeof why) < 0)
		goto bad;
	memcpy(long_opts, global_opts, sizeof global_opts);
	for (size_t i = 0; i < n; i++)
		for (const struct cli_optdef *d = cmds[i]->opts; d && d->name; d++) {
			size_t j = 0;

			while (j < N_GLOBAL + k && strcmp(long_opts[j].name, d->name) != 0)
				j++;
			if (j < N_GLOBAL) {
				snprintf(why, sizeof why, "--%s: a global option's name", d->name);
				goto bad;
			}
			if (j < N_GLOBAL + k) /* declared alike before (checked above) */
				continue;
			cmd_defs[k] = d;
			long_opts[N_GLOBAL + k] = (struct option){
			    d->name, d->type == CLI_OPT_FLAG ? no_argument : required_argument, NULL,
			    OPT_CMD + (int)k};
			k++;
		}
	return 0;
bad:
	fprintf(stderr, "mlconsole: internal error in the command table: %s\n", why);
	return -1;
}

/* A global option's value into *slot; given before with another value, a
 * usage error: which registry, or who acts, must never be the last word of a
 * long command line by accident. */
static int set_once(const char *name, const char **slot, const char *value)
{
	if (*slot != NULL && strcmp(*slot, value) != 0) {
		fprintf(stderr, "mlconsole: --%s given twice ('%s', then '%s'): give it once\n", name,
			*slot, value);
		return -1;
	}
	*slot = value;
	return 0;
}

/* Fill o from argv; returns -1 (usage error), 0, or 1 (exit 0: version).
 * *help: -h was given (its answer depends on the command). */
static int parse_args(int argc, char **argv, struct cli_opts *o, int *help)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r': if (set_once("registry", &o->registry, optarg) < 0) return -1; break;
		case OPT_CONTEXT: if (set_once("context", &o->context, optarg) < 0) return -1; break;
		case OPT_THEME: if (set_once("theme", &o->theme, optarg) < 0) return -1; break;
		case OPT_READ_ONLY: o->read_only = 1; break;
		case OPT_AS: if (set_once("as", &o->as_user, optarg) < 0) return -1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_WIDE: o->wide = 1; break;
		case OPT_DEMO: o->have_demo = 1; o->demo = optarg ? optarg : ""; break;
		case 'h': *help = 1; break;
		case 'V': printf("mlconsole %s\n", PACKAGE_VERSION); return 1;
		case ':':
			fprintf(stderr, "mlconsole: %s: needs a value (see mlconsole --help)\n", argv[optind - 1]);
			return -1;
		default:
			/* a command's option, its value checked by its type; the
			 * command's entry says later whether it takes it */
			if (c >= OPT_CMD && c < OPT_CMD + CLI_MAX_CMD_OPTS && cmd_defs[c - OPT_CMD]) {
				if (cli_opt_give(o, cmd_defs[c - OPT_CMD], optarg) < 0)
					return -1;
				break;
			}
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
	if (o->n_given > 0)
		return cli_usage(o, "--%s: an option of commands, not of the console (see mlconsole "
				    "--help)",
				 o->given[0].def->name);
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
	if (build_options() < 0)
		return 70; /* EX_SOFTWARE */
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
