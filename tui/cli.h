/* cli.h: the command-line subcommands, their table (cli_cmd.c) and the
 * options they share with the TUI. */
#ifndef MLC_CLI_H
#define MLC_CLI_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "startup.h"

struct cli_cmd;

/* The most command options one command line can give. */
#define CLI_MAX_CMD_OPTS 64
/* The most --gate (or --gate-rm) options one command takes. */
#define CLI_MAX_GATES 32

struct cli_opts {
	const char *registry; /* -r */
	const char *context;  /* --context */
	const char *theme;    /* --theme */
	const char *as_user;  /* --as */
	const char *demo;     /* --demo[=PATH]: "" for the default path */
	const char *filter, *order_by, *columns;
	int64_t limit;
	int read_only, json, all, force, have_demo;
	int wide; /* --wide: text tables print cells whole */
	/* demo create */
	int models;
	int64_t runs, points;
	uint64_t seed;
	/* drift */
	const char *reference, *current, *method, *binning, *feature, *at;
	double threshold;
	int have_threshold, categorical;
	/* deployments and policies */
	const char *env, *to, *comment, *approvers;
	int64_t order, required_approvals;
	int have_order, have_required_approvals, rollback;
	const char *self_approval, *rollback_approval, *require_previous; /* "yes" / "no" */
	const char *gate_add[CLI_MAX_GATES], *gate_rm[CLI_MAX_GATES];	  /* --gate, --gate-rm */
	size_t n_gate_add, n_gate_rm;
	/* alert rules: as typed (alert_rule_parse checks them) */
	const char *share, *windows, *cooldown, *actions;
	int argc; /* positional arguments (subcommand first) */
	char **argv;
	/* the long names of the command options given (not the global ones),
	 * checked against the command's list (cli_cmd_check) */
	const char *cmd_opts[CLI_MAX_CMD_OPTS];
	int n_cmd_opts;
	const struct cli_cmd *cmd; /* the command running, set by cli_run */
};

struct mlc_error;
struct registry;

/* What registry a command needs. */
enum cli_reg {
	CLI_REG_NONE,	/* none (drift compute) */
	CLI_REG_OPEN,	/* the selected one, which must exist */
	CLI_REG_CREATE, /* the selected one, made when a local one is missing */
	CLI_REG_NEW,	/* a new one it writes at its PATH argument (demo create) */
};

/* One subcommand, as tmux's cmd_entry: the table in cli_cmd.c makes --help,
 * COMMAND --help, the option and argument checks and dispatch. */
struct cli_cmd {
	const char *name, *sub; /* "drift", "compute"; sub NULL for one word */
	const char *group;	/* a heading printed above it in --help, or NULL */
	/* what follows the name; '\n' separates lines: one starting with '['
	 * continues the form above, any other is another form */
	const char *usage;
	const char *summary;	/* one sentence, wrapped in --help */
	const char *help;	/* more lines for COMMAND --help, or NULL */
	const char *options;	/* the long options it takes, space-separated */
	int min_args, max_args; /* positional arguments after the name(s) */
	enum cli_reg reg;
	/* run with the registry opened for it (reg OPEN or CREATE) ... */
	int (*run)(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
	/* ... or on its own, opening it (cli_open_registry) once its checks pass */
	int (*run_self)(const struct cli_opts *o);
};

/* The entry argv names; NULL when none (*known_name: argv[0] is a command
 * name, its subcommand is missing or unknown). */
const struct cli_cmd *cli_cmd_find(int argc, char **argv, int *known_name);
/* Check o's command options and argument count against c; 0 or 2 (reported). */
int cli_cmd_check(const struct cli_opts *o, const struct cli_cmd *c);
/* Print c's own help (COMMAND --help). */
void cli_cmd_help(FILE *f, const struct cli_cmd *c);
/* COMMAND --help for argv on stdout (every subcommand's usage when argv names
 * only a group's name); -1 when argv names no command. */
int cli_cmd_help_for(int argc, char **argv);
/* The global --help: options_text, the command list from the table, tail_text. */
void cli_help(FILE *f, const char *options_text, const char *tail_text);

/* The read commands (cli.c), run with the registry open. */
int cli_models(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
int cli_versions(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
int cli_experiments(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
int cli_runs(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
int cli_compare(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
int cli_history(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
/* `demo create PATH` (cli.c). */
int cli_demo(const struct cli_opts *o);

/* `drift compute|record` (cli_drift.c); returns the exit status. */
int cli_drift(const struct cli_opts *o);
/* `drift show` (cli_driftshow.c). */
int cli_drift_show(const struct cli_opts *o);
/* `diff MODEL V1 V2` (cli_diff.c); returns the exit status. */
int cli_diff(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
/* `import SRC` (cli_import.c); returns the exit status. */
int cli_import(const struct cli_opts *o);

/* deploy, rollback, request, approve, reject, cancel (cli_deploy.c). */
int cli_change(const struct cli_opts *o);
/* env list | env set ENV ... (cli_deploy.c). */
int cli_env(const struct cli_opts *o);
/* hook retry MODEL --env ENV (cli_deploy.c). */
int cli_hook(const struct cli_opts *o);
/* deployments, approvals, audit (cli_deploy.c). */
int cli_show(const struct cli_opts *o);
struct hooks;
/* The operator's hooks for the registry o selects: its context's
 * [hook ENV @ CONTEXT] over the global ones (cli_deploy.c). hooks_free them. */
int cli_load_hooks(const struct cli_opts *o, struct hooks *hs, struct mlc_error *err);
/* 1 when actor is root acting as itself (no --as): it may change a policy
 * directly, audited as such (DESIGN.md "who may change a policy"). */
int cli_root_direct(const struct cli_opts *o, const char *actor);
/* alerts check | list | rule set|rm|list (cli_alerts.c); the exit status
 * (alerts check: 3 when an alert fired, CLI.md). */
int cli_alerts(const struct cli_opts *o);

/* Run the subcommand in o->argv (setting o->cmd); returns the process exit
 * status. */
int cli_run(struct cli_opts *o);
/* Print "mlconsole: what: why" (or JSON with --json) to stderr. */
void cli_error(const struct cli_opts *o, const char *msg);
/* The whole number s (decimal, nothing after it) into *out when it is in
 * [min, max]; -1 otherwise (out of range included: never clamped). */
int cli_parse_int(const char *s, long long min, long long max, long long *out);
#endif
