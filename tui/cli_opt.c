/* cli_opt.c: the options of commands as data — checking a value by the type
 * its command declares (struct cli_optdef), the store of the options given
 * (struct cli_opts.given) and the accessors commands read them with, and the
 * check that the registered commands make one table. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cli_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1; /* ERANGE too: a number past the range is never clamped */
	*out = v;
	return 0;
}

/* A finite number into *out; -1 if s is not one. */
static int parse_real(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* The slot of the option d in o, a new one when it was not given before;
 * NULL when o holds as many as it can. */
static struct cli_optval *slot(struct cli_opts *o, const struct cli_optdef *d)
{
	for (int i = 0; i < o->n_given; i++)
		if (strcmp(o->given[i].def->name, d->name) == 0)
			return &o->given[i];
	if (o->n_given == CLI_MAX_CMD_OPTS)
		return NULL;
	memset(&o->given[o->n_given], 0, sizeof o->given[0]);
	o->given[o->n_given].def = d;
	return &o->given[o->n_given++];
}

int cli_opt_give(struct cli_opts *o, const struct cli_optdef *d, const char *value)
{
	struct cli_optval v = {.def = d, .str = value};
	struct cli_optval *s;

	switch (d->type) {
	case CLI_OPT_FLAG:
	case CLI_OPT_STRING:
	case CLI_OPT_LIST: break;
	case CLI_OPT_COUNT:
		if (cli_parse_int(value, 0, d->max, &v.count) < 0) {
			fprintf(stderr, "mlconsole: --%s %s: expected a whole number from 0 to %lld\n",
				d->name, value, d->max);
			return -1;
		}
		break;
	case CLI_OPT_REAL:
		if (parse_real(value, &v.real) < 0) {
			fprintf(stderr, "mlconsole: --%s %s: expected a number\n", d->name, value);
			return -1;
		}
		break;
	case CLI_OPT_YESNO:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			fprintf(stderr, "mlconsole: --%s %s: expected yes or no\n", d->name, value);
			return -1;
		}
		break;
	}
	/* cli_cmd_table_check keeps the distinct names within the store's size */
	if ((s = slot(o, d)) == NULL)
		abort();
	/* --env staging ... --env dev: which one was meant? (a list repeats;
	 * a flag or the same value again says nothing new) */
	if (d->type != CLI_OPT_LIST && d->type != CLI_OPT_FLAG && s->str != NULL &&
	    strcmp(s->str, value) != 0) {
		fprintf(stderr, "mlconsole: --%s given twice ('%s', then '%s'): give it once\n",
			d->name, s->str, value);
		return -1;
	}
	if (d->type == CLI_OPT_LIST) {
		if (s->n_list == (size_t)d->max) {
			fprintf(stderr, "mlconsole: --%s: at most %lld in one command\n", d->name,
				d->max);
			return -1;
		}
		s->list[s->n_list++] = value;
		s->str = value;
		return 0;
	}
	*s = v;
	return 0;
}

/* The option name as given, or NULL; a read as another type than its
 * definition's is a bug in the command, caught here. */
static const struct cli_optval *given(const struct cli_opts *o, const char *name,
				      enum cli_opt_type type)
{
	for (int i = 0; i < o->n_given; i++) {
		if (strcmp(o->given[i].def->name, name) != 0)
			continue;
		if (o->given[i].def->type != type && type != CLI_OPT_FLAG) {
			fprintf(stderr, "mlconsole: internal error: --%s read as another type\n",
				name);
			abort();
		}
		return &o->given[i];
	}
	return NULL;
}

const char *cli_opt_str(const struct cli_opts *o, const char *name)
{
	const struct cli_optval *v = given(o, name, CLI_OPT_STRING);

	return v ? v->str : NULL;
}

int cli_opt_flag(const struct cli_opts *o, const char *name)
{
	return given(o, name, CLI_OPT_FLAG) != NULL;
}

int cli_opt_count(const struct cli_opts *o, const char *name, long long *out)
{
	const struct cli_optval *v = given(o, name, CLI_OPT_COUNT);

	if (v)
		*out = v->count;
	return v != NULL;
}

int cli_opt_real(const struct cli_opts *o, const char *name, double *out)
{
	const struct cli_optval *v = given(o, name, CLI_OPT_REAL);

	if (v)
		*out = v->real;
	return v != NULL;
}

int cli_opt_yesno(const struct cli_opts *o, const char *name)
{
	const struct cli_optval *v = given(o, name, CLI_OPT_YESNO);

	return v ? strcmp(v->str, "yes") == 0 : -1;
}

const char *const *cli_opt_list(const struct cli_opts *o, const char *name, size_t *n)
{
	const struct cli_optval *v = given(o, name, CLI_OPT_LIST);

	*n = v ? v->n_list : 0;
	return v ? v->list : NULL;
}

const struct cli_optdef *cli_optdef_find(const struct cli_optdef *defs, const char *name)
{
	for (const struct cli_optdef *d = defs; d && d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* "name" or "name sub" into buf. */
static const char *cmd_name(const struct cli_cmd *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
	return buf;
}

/* The first command before cmds[i] that declares an option named d->name,
 * and its definition (*first); NULL when none does. */
static const struct cli_cmd *declared_before(const struct cli_cmd *const *cmds, size_t i,
					     const struct cli_optdef *d,
					     const struct cli_optdef **first)
{
	for (size_t j = 0; j < i; j++)
		if ((*first = cli_optdef_find(cmds[j]->opts, d->name)) != NULL)
			return cmds[j];
	return NULL;
}

int cli_cmd_table_check(const struct cli_cmd *const *cmds, size_t n, char *why, size_t len)
{
	char a[64], b[64];
	int names = 0;

	for (size_t i = 0; i < n; i++) {
		const struct cli_cmd *c = cmds[i];

		for (size_t j = 0; j < i; j++) {
			if (strcmp(cmd_name(c, a, sizeof a), cmd_name(cmds[j], b, sizeof b)) == 0) {
				snprintf(why, len, "two commands named '%s'", a);
				return -1;
			}
			if (c->group == cmds[j]->group && c->rank == cmds[j]->rank) {
				snprintf(why, len, "'%s' and '%s' have the same group and rank",
					 cmd_name(cmds[j], b, sizeof b), cmd_name(c, a, sizeof a));
				return -1;
			}
		}
		for (const struct cli_optdef *d = c->opts; d && d->name; d++) {
			const struct cli_optdef *f;
			const struct cli_cmd *p = declared_before(cmds, i, d, &f);

			if (d->type == CLI_OPT_LIST && (d->max < 1 || d->max > CLI_MAX_LIST)) {
				snprintf(why, len, "'%s': --%s: a list of 1 to %d", cmd_name(c, a, sizeof a),
					 d->name, CLI_MAX_LIST);
				return -1;
			}
			if (cli_optdef_find(c->opts, d->name) != d) { /* twice in c's own list */
				snprintf(why, len, "--%s: declared twice by '%s'", d->name,
					 cmd_name(c, a, sizeof a));
				return -1;
			}
			if (p == NULL) {
				names++;
				continue;
			}
			if (f->type != d->type || f->max != d->max) {
				snprintf(why, len, "--%s: declared twice%s%s%s by '%s'", d->name,
					 p ? " differently, by '" : "", p ? cmd_name(p, b, sizeof b) : "",
					 p ? "' and" : "", cmd_name(c, a, sizeof a));
				return -1;
			}
		}
	}
	if (names > CLI_MAX_CMD_OPTS) {
		snprintf(why, len, "%d command options; at most %d", names, CLI_MAX_CMD_OPTS);
		return -1;
	}
	return 0;
}
