/* cli_diff.c: `mlconsole diff MODEL V1 V2` — two versions of a model side by
 * side: params, final metrics, the datasets their runs used, the source
 * commit, run tags and version tags, the differing rows first (text, or
 * --json). The rows are core/compare.c's version diff, as in :diff. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "linkset.h"
#include "cli_util.h"
#include "compare.h"
#include "xmalloc.h"

/* A value for JSON: the string, or null where the version has none. */
static json_t *value_json(const char *s)
{
	return s ? cli_json_str(s) : json_null();
}

/* The diff as one JSON document. */
static int diff_json(const struct cli_opts *o, const struct mlc_version_diff *d)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < d->n; i++) {
		const struct diff_row *r = &d->rows[i];
		json_array_append_new(
		    rows, json_pack("{s:s,s:o,s:[o,o],s:b}", "section", r->section, "key",
				    cli_json_str(r->key), "values", value_json(r->values[0]),
				    value_json(r->values[1]), "differs", r->differs));
	}
	return cli_json_out(json_pack("{s:{s:o,s:[o,o],s:I,s:o}}", "diff", "model",
				      cli_json_str(o->argv[1]), "versions",
				      cli_json_str(o->argv[2]), cli_json_str(o->argv[3]),
				      "differing", (json_int_t)d->ndiffer, "rows", rows));
}

/* The diff as a table: '*' marks a differing row, '-' a value a version lacks. */
static void diff_text(const struct cli_opts *o, const struct mlc_version_diff *d)
{
	struct cli_table t;
	char *h1 = xasprintf("v%s", o->argv[2]), *h2 = xasprintf("v%s", o->argv[3]);

	cli_table_init(&t, 5);
	cli_table_row(&t, (const char *[]){"", "WHAT", "KEY", h1, h2});
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_row *r = &d->rows[i];
		cli_table_row(&t, (const char *[]){r->differs ? "*" : "", r->section, r->key,
						   r->values[0] ? r->values[0] : "-",
						   r->values[1] ? r->values[1] : "-"});
	}
	cli_table_print(&t);
	printf("%zu of %zu rows differ\n", d->ndiffer, d->n);
	free(h1);
	free(h2);
}

static int cli_diff(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_version_diff d;
	int rc;

	if (version_diff_fetch(r, o->argv[1], o->argv[2], o->argv[3], &d, err) < 0) {
		rc = cli_fail(o, err);
	} else if (o->json) {
		rc = diff_json(o, &d);
	} else {
		diff_text(o, &d);
		rc = 0;
	}
	version_diff_free(&d);
	return rc;
}

static const struct cli_cmd diff_entry = {
    .name = "diff",
    .group = CLI_GROUP_READ,
    .rank = 60,
    .usage = "MODEL V1 V2",
    .summary = "two versions: params, metrics, data, commit, tags",
    .help = "Side by side, the rows that differ first (marked '*'): params, final metrics,\n"
	    "the datasets their runs used (digests), the source commit, run and version\n"
	    "tags. A version the model lacks fails (exit 1).\n",
    .min_args = 3,
    .max_args = 3,
    .reg = CLI_REG_OPEN,
    .run = cli_diff,
};
MLC_SET_ADD(cli_cmds, diff_entry);
