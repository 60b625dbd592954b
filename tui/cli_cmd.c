/* cli_cmd.c: the machinery of the subcommands. Each command's entry (struct
 * cli_cmd, as tmux's cmd_entry: name, usage, the options it takes, the
 * registry it needs, its function) lives beside its function, in the linker
 * set cli_cmds; this file walks the set in the entries' order and makes what
 * comes from it: `--help`, `COMMAND --help`, the option and argument checks,
 * and dispatch. A new command is one file with its entry; nothing here. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_util.h"
#include "drift.h"
#include "linkset.h"

/* Where a command's summary starts in the global --help. */
#define SUMMARY_COL 41
#define HELP_WIDTH 79

/* The headings of --help's sections (enum cli_group); NULL: none. */
static const char *const group_heading[] = {
    [CLI_GROUP_READ] = NULL,
    [CLI_GROUP_DEPLOY] = "Deployments (the environment's policy decides; every change is audited):",
    [CLI_GROUP_ALERTS] = "Drift alerts (rules per model and environment; changed as a policy is):",
};

MLC_SET_DECLARE(cli_cmds, const struct cli_cmd);

/* The most commands the set may hold. */
#define MAX_COMMANDS 128

/* Order by group, then rank (cli_cmd_table_check keeps them unique). */
static int by_place(const void *a, const void *b)
{
	const struct cli_cmd *x = *(const struct cli_cmd *const *)a;
	const struct cli_cmd *y = *(const struct cli_cmd *const *)b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

const struct cli_cmd *const *cli_cmds(size_t *n)
{
	static const struct cli_cmd *sorted[MAX_COMMANDS];
	static size_t count;

	if (count == 0) {
		if (MLC_SET_COUNT(cli_cmds) > MAX_COMMANDS) {
			fprintf(stderr, "mlconsole: internal error: more than %d commands\n",
				MAX_COMMANDS);
			abort();
		}
		/* the linker's order is no order: sort once by the entries' places */
		for (const struct cli_cmd *const *p = MLC_SET_BEGIN(cli_cmds);
		     p < MLC_SET_END(cli_cmds); p++)
			sorted[count++] = *p;
		qsort(sorted, count, sizeof sorted[0], by_place);
	}
	*n = count;
	return sorted;
}

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
		c->exit_more ? c->exit_more : "");
}

/* The command list of the global --help: usage, then the summary. */
static void print_command_list(FILE *f)
{
	size_t n;
	const struct cli_cmd *const *cmds = cli_cmds(&n);

	for (size_t i = 0; i < n; i++) {
		const struct cli_cmd *c = cmds[i];
		const char *u = c->usage ? c->usage : "";
		char name[64];
		int at;
		if ((i == 0 || cmds[i - 1]->group != c->group) && group_heading[c->group])
			fprintf(f, "\n%s\n", group_heading[c->group]);
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
	size_t n = 0, k = 0, count;
	const struct cli_cmd *const *cmds = cli_cmds(&count);

	for (size_t i = 0; i < count; i++)
		n += cmds[i]->sub && strcmp(cmds[i]->name, name) == 0;
	buf[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		if (!cmds[i]->sub || strcmp(cmds[i]->name, name) != 0)
			continue;
		k++;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 k == 1	  ? ""
			 : k == n ? " or "
				  : ", ",
			 cmds[i]->sub);
	}
	return buf;
}

const struct cli_cmd *cli_cmd_find(int argc, char **argv, int *known_name)
{
	const struct cli_cmd *plain = NULL;
	size_t n;
	const struct cli_cmd *const *cmds = cli_cmds(&n);

	*known_name = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cmds[i]->name, argv[0]) != 0)
			continue;
		*known_name = 1;
		if (cmds[i]->sub == NULL)
			plain = cmds[i]; /* `audit` beside `audit verify` */
		else if (matches(cmds[i], argc, argv))
			return cmds[i];
	}
	return plain;
}

/* Help for every entry named name (`drift --help`: compute, record, show). */
static void help_group(FILE *f, const char *name)
{
	int first = 1;
	size_t n;
	const struct cli_cmd *const *cmds = cli_cmds(&n);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(cmds[i]->name, name) != 0)
			continue;
		print_usage(f, cmds[i], first ? "Usage: mlconsole " : "       mlconsole ");
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

int cli_cmd_check(const struct cli_opts *o, const struct cli_cmd *c)
{
	char name[64];
	int nargs = o->argc - 1 - (c->sub != NULL);

	full_name(c, name, sizeof name);
	for (int i = 0; i < o->n_given; i++)
		if (cli_optdef_find(c->opts, o->given[i].def->name) == NULL)
			return cli_usage(o, "%s: takes no --%s (see mlconsole %s --help)", name,
					 o->given[i].def->name, name);
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
