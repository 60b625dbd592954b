/* cli.h: what a subcommand is — its entry (struct cli_cmd, registered in the
 * file that holds its function), the options it declares and how it reads
 * them (cli_opt.c) — and the command line's global options, which the TUI
 * reads too. */
#ifndef MLC_CLI_H
#define MLC_CLI_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "startup.h"

struct cli_cmd;

/* The most distinct command options one command line can give (and the most
 * the commands declare between them: cli_cmd_table_check). */
#define CLI_MAX_CMD_OPTS 64
/* The most values a repeatable option keeps (its .max is at most this). */
#define CLI_MAX_LIST 32

/* What a command option takes, and how main.c checks its value. */
enum cli_opt_type {
	CLI_OPT_FLAG,	/* no value: --all */
	CLI_OPT_STRING, /* any text: --env ENV */
	CLI_OPT_COUNT,	/* a whole number from 0 to .max: --limit N */
	CLI_OPT_REAL,	/* a finite number: --threshold X */
	CLI_OPT_YESNO,	/* yes or no: --self-approval yes */
	CLI_OPT_LIST,	/* any text, repeatable up to .max times: --gate EXPR */
};

/* One option a command takes, as its entry declares it. */
struct cli_optdef {
	const char *name; /* the long name, without "--" */
	enum cli_opt_type type;
	long long max; /* COUNT: the largest value; LIST: how many at most */
};

/* A command's option list: CLI_OPTS(CLI_STRING("filter"), CLI_COUNT("limit", 1LL << 40)). */
#define CLI_OPTS(...) ((const struct cli_optdef[]){__VA_ARGS__, {.name = NULL}})
#define CLI_FLAG(n) {.name = (n), .type = CLI_OPT_FLAG}
#define CLI_STRING(n) {.name = (n), .type = CLI_OPT_STRING}
#define CLI_COUNT(n, most) {.name = (n), .type = CLI_OPT_COUNT, .max = (most)}
#define CLI_REAL(n) {.name = (n), .type = CLI_OPT_REAL}
#define CLI_YESNO(n) {.name = (n), .type = CLI_OPT_YESNO}
#define CLI_LIST(n, most) {.name = (n), .type = CLI_OPT_LIST, .max = (most)}

/* A command option given on the command line, its value checked by its type. */
struct cli_optval {
	const struct cli_optdef *def;
	const char *str;  /* the value as given (the last one); NULL for a flag */
	long long count;  /* COUNT */
	double real;	  /* REAL */
	const char *list[CLI_MAX_LIST]; /* LIST: every value, in order */
	size_t n_list;
};

/* The command line: the global options, which the console reads too, then
 * the positional arguments, the command, and the command options given
 * (read through cli_opt_str and the others below). */
struct cli_opts {
	const char *registry; /* -r */
	const char *context;  /* --context */
	const char *theme;    /* --theme */
	const char *as_user;  /* --as */
	const char *demo;     /* --demo[=PATH]: "" for the default path */
	int read_only, json, have_demo;
	int wide; /* --wide: text tables print cells whole */
	int argc; /* positional arguments (subcommand first) */
	char **argv;
	const struct cli_cmd *cmd; /* the command running, set by cli_run */
	/* the command options given, in the order first given (cli_cmd_check
	 * checks them against the command's entry) */
	struct cli_optval given[CLI_MAX_CMD_OPTS];
	int n_given;
};

/* Check value against d's type and store it in o; -1 after printing the
 * usage error (to stderr, as "mlconsole: --NAME VALUE: expected ..."). */
int cli_opt_give(struct cli_opts *o, const struct cli_optdef *d, const char *value);
/* The command option name: its value (a LIST's last; NULL when not given). */
const char *cli_opt_str(const struct cli_opts *o, const char *name);
/* 1 when the option name was given. */
int cli_opt_flag(const struct cli_opts *o, const char *name);
/* 1 and the value into *v when the COUNT option name was given; else 0. */
int cli_opt_count(const struct cli_opts *o, const char *name, long long *v);
/* 1 and the value into *v when the REAL option name was given; else 0. */
int cli_opt_real(const struct cli_opts *o, const char *name, double *v);
/* The YESNO option name: 1 yes, 0 no, -1 not given. */
int cli_opt_yesno(const struct cli_opts *o, const char *name);
/* The LIST option name's values (*n of them; none when not given). */
const char *const *cli_opt_list(const struct cli_opts *o, const char *name, size_t *n);
/* The definition named name in the list defs (ended by a NULL name); NULL if none. */
const struct cli_optdef *cli_optdef_find(const struct cli_optdef *defs, const char *name);

struct mlc_error;
struct registry;

/* What registry a command needs. */
enum cli_reg {
	CLI_REG_NONE,	/* none (drift compute) */
	CLI_REG_OPEN,	/* the selected one, which must exist */
	CLI_REG_CREATE, /* the selected one, made when a local one is missing */
	CLI_REG_NEW,	/* a new one it writes at its PATH argument (demo create) */
};

/* The sections of the global --help, in order (cli_cmd.c names them). */
enum cli_group {
	CLI_GROUP_READ,
	CLI_GROUP_DEPLOY,
	CLI_GROUP_ALERTS,
};

/* One subcommand, as tmux's cmd_entry, defined beside its function and
 * registered there with MLC_SET_ADD(cli_cmds, entry) (linkset.h): cli_cmd.c
 * makes --help, COMMAND --help, the option and argument checks and dispatch
 * from the set, and main.c the option parser. */
struct cli_cmd {
	const char *name, *sub; /* "drift", "compute"; sub NULL for one word */
	/* where --help lists it: its section, then by rank (unique within it) */
	enum cli_group group;
	int rank;
	/* what follows the name; '\n' separates lines: one starting with '['
	 * continues the form above, any other is another form */
	const char *usage;
	const char *summary;	/* one sentence, wrapped in --help */
	const char *help;	/* more lines for COMMAND --help, or NULL */
	const struct cli_optdef *opts; /* the options it takes (CLI_OPTS), or NULL */
	const char *exit_more;	/* added to COMMAND --help's exit statuses, or NULL */
	int min_args, max_args; /* positional arguments after the name(s) */
	enum cli_reg reg;
	/* run with the registry opened for it (reg OPEN or CREATE) ... */
	int (*run)(const struct cli_opts *o, struct registry *r, struct mlc_error *err);
	/* ... or on its own, opening it (cli_open_registry) once its checks pass */
	int (*run_self)(const struct cli_opts *o);
};

/* The registered commands, in --help's order (*n of them). */
const struct cli_cmd *const *cli_cmds(size_t *n);
/* Check the n commands cmds as a table: no two with the same name (and sub)
 * or the same group and rank, and no option name declared with two types (or
 * two maxima), at most CLI_MAX_CMD_OPTS names between them, a LIST's max at
 * most CLI_MAX_LIST. 0, or -1 with what is wrong in why. */
int cli_cmd_table_check(const struct cli_cmd *const *cmds, size_t n, char *why, size_t len);
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

struct hooks;
/* The operator's hooks for the registry o selects: its context's
 * [hook ENV @ CONTEXT] over the global ones (cli_deploy.c). hooks_free them. */
int cli_load_hooks(const struct cli_opts *o, struct hooks *hs, struct mlc_error *err);
/* 1 when actor is root acting as itself (no --as): it may change a policy
 * directly, audited as such (README, on `env set`). */
int cli_root_direct(const struct cli_opts *o, const char *actor);

/* Run the subcommand in o->argv (setting o->cmd); returns the process exit
 * status. */
int cli_run(struct cli_opts *o);
/* Print "mlconsole: what: why" (or JSON with --json) to stderr. */
void cli_error(const struct cli_opts *o, const char *msg);
/* The whole number s (decimal, nothing after it) into *out when it is in
 * [min, max]; -1 otherwise (out of range included: never clamped). */
int cli_parse_int(const char *s, long long min, long long max, long long *out);
#endif
