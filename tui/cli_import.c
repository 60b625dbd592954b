/* cli_import.c: `mlconsole import SRC` — copy a registry (an MLflow file store,
 * another local registry) into the current local one, with a progress bar on a
 * terminal and a summary of what was copied (text or --json); what was skipped
 * goes to stderr, one line each, and makes the exit status 1. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "linkset.h"
#include "cli_util.h"
#include "import.h"
#include "sanitize.h"
#include "xmalloc.h"

struct bar {
	int last; /* the percentage drawn last, -1 before the first */
};

/* Draw the progress bar on stderr when the percentage changes. */
static void draw_bar(void *arg, int64_t done, int64_t total)
{
	struct bar *b = arg;
	int pct = total > 0 ? (int)(done * 100 / total) : 100;
	char cells[41];

	if (pct == b->last)
		return;
	b->last = pct;
	for (int i = 0; i < 40; i++)
		cells[i] = i < pct * 40 / 100 ? '#' : '-';
	cells[40] = '\0';
	fprintf(stderr, "\rmlconsole: importing [%s] %3d%% %lld/%lld", cells, pct, (long long)done,
		(long long)total);
	fflush(stderr);
}

/* The JSON key of a summary item ("metric points" -> "metric_points"). */
static char *item_key(enum import_item i)
{
	char *k = xstrdup(import_item_name(i));

	for (char *p = k; *p; p++)
		if (*p == ' ')
			*p = '_';
	return k;
}

/* One {"item": n} object of a count array. */
static json_t *counts_json(const int64_t *n)
{
	json_t *o = json_object();

	for (int i = 0; i < IMP_N_ITEMS; i++) {
		char *k = item_key((enum import_item)i);
		json_object_set_new(o, k, json_integer(n[i]));
		free(k);
	}
	return o;
}

/* The summary as one JSON document on stdout. */
static int print_json(const struct import_report *rep)
{
	json_t *skipped = json_array(), *notes = json_array();

	for (size_t i = 0; i < rep->n_skipped; i++)
		json_array_append_new(
		    skipped, json_pack("{s:o,s:o}", "path", cli_json_str(rep->skipped[i].path),
				       "reason", cli_json_str(rep->skipped[i].reason)));
	for (size_t i = 0; i < rep->n_notes; i++)
		json_array_append_new(notes, cli_json_str(rep->notes[i]));
	return cli_json_out(
	    json_pack("{s:{s:o,s:o,s:b,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:I}}", "import", "source",
		      cli_json_str(rep->source), "target", cli_json_str(rep->target), "nothing_new",
		      import_report_changes(rep) == 0, "complete", rep->n_skipped == 0, "added",
		      counts_json(rep->added), "updated", counts_json(rep->updated), "present",
		      counts_json(rep->present), "removed", counts_json(rep->removed), "skipped",
		      skipped, "notes", notes, "elapsed_ms", (json_int_t)rep->elapsed_ms));
}

/* The counts as an aligned table, items with nothing at all left out, and a
 * REMOVED column only when something was removed. */
static void print_counts(const struct import_report *rep)
{
	struct cli_table t;
	char a[32], u[32], p[32], r[32];
	int64_t removed = 0;

	for (int i = 0; i < IMP_N_ITEMS; i++)
		removed += rep->removed[i];
	cli_table_init(&t, removed ? 5 : 4);
	cli_table_row(&t, (const char *[]){"ITEM", "ADDED", "UPDATED", "ALREADY THERE", "REMOVED"});
	for (int i = 0; i < IMP_N_ITEMS; i++) {
		if (rep->added[i] + rep->updated[i] + rep->present[i] + rep->removed[i] == 0)
			continue;
		snprintf(a, sizeof a, "%lld", (long long)rep->added[i]);
		snprintf(u, sizeof u, "%lld", (long long)rep->updated[i]);
		snprintf(p, sizeof p, "%lld", (long long)rep->present[i]);
		snprintf(r, sizeof r, "%lld", (long long)rep->removed[i]);
		cli_table_row(&t,
			      (const char *[]){import_item_name((enum import_item)i), a, u, p, r});
	}
	cli_table_print(&t);
}

/* Print a line of outside text, sanitised, on stdout. */
static void print_safe(const char *prefix, const char *a, const char *b)
{
	char *sa = sanitize_dup(a), *sb = b ? sanitize_dup(b) : NULL;

	printf("%s%s%s%s\n", prefix, sa, sb ? ": " : "", sb ? sb : "");
	free(sa);
	free(sb);
}

/* The summary as text on stdout ("nothing new: everything ..." only when
 * nothing was skipped). */
static void print_text(const struct import_report *rep)
{
	char *src = sanitize_dup(rep->source), *dst = sanitize_dup(rep->target);

	if (import_report_changes(rep) == 0 && rep->n_skipped == 0)
		printf("nothing new: everything in %s is already in %s (%lld runs, %lld metric "
		       "points checked)\n",
		       src, dst, (long long)rep->present[IMP_RUNS],
		       (long long)rep->present[IMP_METRIC_POINTS]);
	else if (import_report_changes(rep) == 0)
		printf("nothing new from the parts of %s that could be taken; %zu part%s skipped "
		       "(listed on stderr), so %s may differ from it\n",
		       src, rep->n_skipped, rep->n_skipped == 1 ? " was" : "s were", dst);
	else
		printf("imported %s into %s in %.1f s\n", src, dst, (double)rep->elapsed_ms / 1000);
	print_counts(rep);
	if (rep->n_notes)
		printf("notes:\n");
	for (size_t i = 0; i < rep->n_notes; i++)
		print_safe("  ", rep->notes[i], NULL);
	free(src);
	free(dst);
}

/* Each skipped part on stderr, one line each ("mlconsole: import: skipped
 * PATH: REASON", or a JSON error object with --json), then a count; the exit
 * status: 1 if anything was skipped, else 0. */
static int report_skipped(const struct cli_opts *o, const struct import_report *rep)
{
	for (size_t i = 0; i < rep->n_skipped; i++) {
		char *msg = xasprintf("import: skipped %s: %s", rep->skipped[i].path,
				      rep->skipped[i].reason);
		cli_error(o, msg);
		free(msg);
	}
	if (rep->n_skipped && !o->json)
		fprintf(stderr,
			"mlconsole: import: %zu damaged or refused part%s skipped (listed "
			"above); the rest was imported\n",
			rep->n_skipped, rep->n_skipped == 1 ? "" : "s");
	return rep->n_skipped ? 1 : 0;
}

/* Open the source read-only; NULL with err filled. */
static struct registry *open_source(const char *uri, struct mlc_error *err)
{
	struct registry_open_opts ro = {.read_only = 1};

	if (strchr(uri, ':') == NULL && access(uri, F_OK) != 0) {
		mlc_error_set(err, MLC_ERR_FAILED, "import: %s: no such file or folder", uri);
		return NULL;
	}
	return registry_open(uri, &ro, err);
}

/* Import src into the target and print the summary; the exit status. */
static int run_import(const struct cli_opts *o, struct registry *src, struct registry *dst,
		      const char *actor)
{
	struct bar b = {-1};
	struct import_opts io = {.actor = actor};
	struct import_report rep;
	struct mlc_error err = {0};
	int rc;

	if (isatty(2) && !o->json) {
		io.progress = draw_bar;
		io.progress_arg = &b;
	}
	rc = import_registry(src, dst, &io, &rep, &err);
	if (b.last >= 0)
		fputc('\n', stderr);
	if (rc < 0) {
		rc = cli_fail(o, &err);
	} else {
		rc = 0;
		if (o->json)
			rc = print_json(&rep);
		else
			print_text(&rep);
		fflush(stdout);
		if (report_skipped(o, &rep))
			rc = 1;
	}
	import_report_free(&rep);
	return rc;
}

static int cli_import(const struct cli_opts *o)
{
	struct mlc_error err = {0};
	struct registry *src, *dst;
	char who[256];
	int rc;

	if (o->argc != 2)
		return cli_usage(o, "import: expected one source: import SRC (an mlruns folder, MLflow's SQLite database or "
				    "a local registry)");
	if (o->read_only)
		return cli_usage(o, "import: refused in --read-only mode");
	if (cli_identity(o, who, sizeof who) == NULL) {
		cli_error(o, "--as: only root may act as another user");
		return 1;
	}
	if ((src = open_source(o->argv[1], &err)) == NULL) {
		cli_error(o, err.msg);
		return 1;
	}
	if ((dst = cli_open_registry(o, &err)) == NULL) {
		registry_close(src);
		cli_error(o, err.msg);
		return 1;
	}
	rc = run_import(o, src, dst, who);
	registry_close(dst);
	registry_close(src);
	return rc;
}

static const struct cli_cmd import_entry = {
    .name = "import",
    .group = CLI_GROUP_READ,
    .rank = 110,
    .usage = "SRC",
    .summary = "copy an MLflow file store (mlruns), MLflow's SQLite database or "
	       "another local registry into this one",
    .help = "Importing twice adds nothing new; the registry is made if missing.\n",
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_CREATE,
    .run_self = cli_import,
};
MLC_SET_ADD(cli_cmds, import_entry);
