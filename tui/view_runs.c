/* view_runs.c: the runs of an experiment as a table — columns picked from its
 * metrics, params and tags (C), sorted by any column (s, S), filtered with
 * MLflow's syntax (:filter) or by text (/), runs marked (space) for compare
 * (c). Only the chosen columns are loaded.
 *
 * The table holds only a window of the runs around the cursor, a few screens:
 * moving near either end asks for the next window, G and gg for the last and
 * the first, and a sort, a / keystroke or a reload is one new query that keeps
 * the cursor on its run. Where the registry answers windows (REG_CAP_WINDOW:
 * the local registry) they come from it, and the cost follows the screen, not
 * the experiment; other registries load every run once (without formatting
 * them) and the windows are cut from those here, the same way.
 *
 * t shows nested runs (MLflow's tag mlflow.parentRunId) as a tree: the top-
 * level runs (no parent among the runs the filter and / text match) in the
 * sort order, each followed by its family, children sorted alike. A window
 * then holds whole families and counts top-level runs: the registry walks
 * the top level by its indexes and looks each shown run's children up by the
 * parent tag's index (mlc_run_query.tree); runs in memory are put in the
 * tree's order once per sort or / text (tree_order). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "filter.h"
#include "sanitize.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

#define FIXED_COLS 4 /* RUN, NAME, STATUS, STARTED */
#define DEFAULT_METRICS 4
#define DEFAULT_PARAMS 2
#define MAX_MARKS 20
#define KEY_SAMPLE 50 /* default columns come from the newest runs' keys */
#define FIRST_PAGE 200
#define WINDOW_PAGE 150 /* runs a window query asks for */
#define WINDOW_AT 60	/* on either side of the cursor's run, for a new query around it */
#define WINDOW_MAX 600	/* runs a window keeps; beyond, the far end goes */

struct runs_state {
	char *experiment;
	char *name;	/* the experiment's, once loaded */
	char **columns; /* "metrics.K", "params.K", "tags.K" */
	size_t ncolumns;
	int chosen;		  /* the user picked the columns: keep them */
	struct mlc_run_list runs; /* the window: the table's rows, in order */
	/* a registry without windows: every run, loaded once (all), in the sort
	 * order (order), and those the / text lets through (hits); windows are
	 * served from here */
	struct mlc_run_list all;
	size_t *order, *hits;
	size_t nhits;
	int sort_col; /* -1: as loaded (newest first) */
	int sort_desc;
	char *marks[MAX_MARKS];
	size_t nmarks;
	struct mlc_arena titles;
	/* windows (see the top) */
	int windowed;
	int64_t total, matched; /* the filter's runs, and the / text's; -1: counting */
	int more_before, more_after;
	int fetching;  /* a window query is out */
	long owed;     /* rows the cursor still has to move when it arrives (+ down) */
	int requery;   /* a new query (not a page further on) is out */
	uint64_t gen;  /* of the current query; answers to older ones are dropped */
	uint64_t cgen; /* of the current count: a sort or G asks no new one */
	/* one query and one count out at a time: a newer one waits here (the
	 * one out is then stale), so a burst of / keystrokes queues no scans */
	int inflight, counting;
	int pending, count_pending, count_pending_total;
	int pending_kind; /* enum page_kind */
	char *pending_anchor;
	/* keys for rows (moves, Space, Enter, c) typed while a new window is
	 * coming: they act on it, in order, when it arrives, not on the rows
	 * still shown */
	int held[16]; /* enum action */
	int nheld;
	/* on a registry without windows, the runs behind a first page are
	 * still loading (rest), and G or gg was the last move (edge: ACT_TOP,
	 * ACT_BOTTOM, else 0): when they are in, the cursor goes to the end of
	 * the whole list, not stays on the run the partial list had there */
	int rest, edge;
	/* the tree (t): each row's depth (flat: 0), and the positions in hits
	 * of the top-level runs (flat: every one) */
	int tree;
	int *depth;
	size_t *roots, nroots;
};

enum page_kind { PAGE_FIRST, PAGE_LAST, PAGE_AT, PAGE_DOWN, PAGE_UP };

struct page_job {
	struct view_job job; /* first: its view, rc and error */
	uint64_t gen;
	enum page_kind kind;
	int64_t limit; /* runs a query asks for */
	char *experiment, *filter, *text, *order_by, *anchor;
	char **columns;
	size_t ncolumns;
	struct mlc_run_list runs, before; /* PAGE_AT: before holds the runs above */
	int anchor_gone; /* PAGE_DOWN, PAGE_UP: not found was the anchor run */
	int tree;
	char *root; /* PAGE_AT in a tree: the anchor's top-level run */
};

struct count_job {
	struct view_job job; /* first: its view, rc and error */
	uint64_t gen;
	char *experiment, *filter, *text;
	char *name; /* in: the experiment's, if known; out: found */
	char **columns;
	size_t ncolumns;
	int64_t total, matched; /* -1: not asked */
};

struct runs_job {
	struct view_job job; /* first: its view, rc and error */
	int64_t limit; /* the first page, or 0 for all */
	int window;    /* the first window (REG_CAP_WINDOW) */
	char *experiment, *filter;
	char **columns; /* in: the chosen ones (NULL: pick defaults); out: used */
	size_t ncolumns;
	char *name;
	struct mlc_run_list runs;
};

/* ---- columns ------------------------------------------------------------- */

static void free_columns(char **cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cols[i]);
	free(cols);
}

static char **copy_columns(const char *const *cols, size_t n)
{
	char **c = xcalloc(n + 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(cols[i]);
	return c;
}

/* The first few metrics and params of the experiment, as MLflow's UI shows. */
static void default_columns(struct registry *r, struct runs_job *j)
{
	struct mlc_keys k = {0};
	struct mlc_error err = {0};
	size_t nm, np;

	if (registry_experiment_keys(r, j->experiment, KEY_SAMPLE, &k, &err) < 0) {
		mlc_keys_free(&k);
		return;
	}
	nm = k.n_metrics < DEFAULT_METRICS ? k.n_metrics : DEFAULT_METRICS;
	np = k.n_params < DEFAULT_PARAMS ? k.n_params : DEFAULT_PARAMS;
	j->columns = xcalloc(nm + np + 1, sizeof *j->columns);
	for (size_t i = 0; i < nm; i++)
		j->columns[j->ncolumns++] = xasprintf("metrics.%s", k.metrics[i]);
	for (size_t i = 0; i < np; i++)
		j->columns[j->ncolumns++] = xasprintf("params.%s", k.params[i]);
	mlc_keys_free(&k);
}

/* A column's title: the key, with "p." or "t." for params and tags. */
static const char *column_title(struct mlc_arena *a, const char *col)
{
	if (strncmp(col, "metrics.", 8) == 0)
		return arena_strdup(a, col + 8);
	if (strncmp(col, "params.", 7) == 0)
		return arena_printf(a, "p.%s", col + 7);
	if (strncmp(col, "tags.", 5) == 0)
		return arena_printf(a, "t.%s", col + 5);
	return arena_strdup(a, col);
}

/* The text of column col for run (NULL when the run has no value). */
static const char *cell_text(const struct mlc_run *run, const char *col, char *buf, size_t len)
{
	if (strncmp(col, "metrics.", 8) == 0) {
		const struct mlc_metric *m = mlc_run_metric(run, col + 8);
		if (m == NULL)
			return NULL;
		snprintf(buf, len, "%.4g", m->value);
		return isnan(m->value) ? "NaN" : buf;
	}
	if (strncmp(col, "params.", 7) == 0)
		return mlc_kv_get(run->params, run->n_params, col + 7);
	if (strncmp(col, "tags.", 5) == 0)
		return mlc_kv_get(run->tags, run->n_tags, col + 5);
	return NULL;
}

/* ---- sorting ------------------------------------------------------------- */

/* One run's value in the sort column, computed once per sort. */
struct sort_key {
	size_t index; /* in the loaded order */
	int missing;  /* no value: last in either direction */
	int numeric;
	double num;
	const char *str; /* points into the loaded runs */
};

/* Fill k with run's value of sort column col (see FIXED_COLS). */
static void make_key(const struct runs_state *s, const struct mlc_run *run, int col,
		     struct sort_key *k)
{
	k->numeric = 0;
	k->missing = 0;
	k->str = "";
	switch (col) {
	case 0:
		k->str = run->run_id;
		return;
	case 1:
		k->str = run->run_name;
		return;
	case 2:
		k->str = run->status;
		return;
	case 3:
		k->numeric = 1, k->num = (double)run->start_time;
		return;
	}
	const char *spec = s->columns[col - FIXED_COLS];
	if (strncmp(spec, "metrics.", 8) == 0) { /* the value itself, not its rounded text */
		const struct mlc_metric *m = mlc_run_metric(run, spec + 8);
		k->missing = m == NULL || isnan(m->value); /* a NaN has no place: last, as MLflow */
		k->numeric = 1;
		k->num = m ? m->value : 0;
		return;
	}
	/* params and tags are text, ordered as MLflow and the windows order them */
	k->str = cell_text(run, spec, NULL, 0);
	k->missing = k->str == NULL;
}

/* qsort_r: by the keys, ascending or descending; ties keep the loaded order. */
static int cmp_keys(const void *pa, const void *pb, void *ctx)
{
	const struct sort_key *a = pa, *b = pb;
	int desc = *(const int *)ctx, c;

	if (a->missing || b->missing)
		c = a->missing - b->missing;
	else {
		c = a->numeric && b->numeric ? (a->num > b->num) - (a->num < b->num)
					     : strcmp(a->str, b->str);
		if (desc)
			c = -c;
	}
	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* s->order: every run in the sort column's order (or as loaded). */
static void sort_runs(struct runs_state *s)
{
	struct sort_key *keys;
	size_t n = s->all.n;

	free(s->order);
	s->order = xmalloc((n ? n : 1) * sizeof *s->order);
	for (size_t i = 0; i < n; i++)
		s->order[i] = i;
	if (s->sort_col < 0 || n == 0)
		return;
	keys = xmalloc(n * sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		keys[i].index = i;
		make_key(s, &s->all.items[i], s->sort_col, &keys[i]);
	}
	qsort_r(keys, n, sizeof *keys, cmp_keys, &s->sort_desc);
	for (size_t i = 0; i < n; i++)
		s->order[i] = keys[i].index;
	free(keys);
}

/* 1 if run shows text t (see mlc_run_query.text): its whole id, name, user,
 * status, start time or a shown column's cell, ASCII case folded. */
static int run_shows(const struct runs_state *s, const struct mlc_run *run, const char *t)
{
	char buf[48];
	const char *own[] = {run->run_id, run->run_name, run->user_id, run->status, buf};

	timefmt_minutes(run->start_time, buf, sizeof buf);
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (own[i] && strcasestr(own[i], t))
			return 1;
	for (size_t c = 0; c < s->ncolumns; c++) {
		const char *cell = cell_text(run, s->columns[c], buf, sizeof buf);
		if (cell && strcasestr(cell, t))
			return 1;
	}
	return 0;
}

/* ---- the tree ----------------------------------------------------------- */

#define NONE ((size_t)-1)

/* The run id of run's parent (its mlflow.parentRunId tag), or NULL. */
static const char *parent_of(const struct mlc_run *run)
{
	return mlc_kv_get(run->tags, run->n_tags, MLC_TAG_PARENT);
}

/* qsort_r: positions in hits by their runs' ids. */
static int cmp_hit_ids(const void *pa, const void *pb, void *ctx)
{
	const struct runs_state *s = ctx;

	return strcmp(s->all.items[s->hits[*(const size_t *)pa]].run_id,
		      s->all.items[s->hits[*(const size_t *)pb]].run_id);
}

/* The position in hits of run id (byid: the positions by id), or NONE. */
static size_t find_hit(const struct runs_state *s, const size_t *byid, const char *id)
{
	size_t lo = 0, hi = s->nhits;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->all.items[s->hits[byid[mid]]].run_id, id);
		if (c == 0)
			return byid[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

/* The first of the children list from x on (next: the list) not put yet. */
static size_t unput(const size_t *next, const unsigned char *put, size_t x)
{
	while (x != NONE && put[x])
		x = next[x];
	return x;
}

/* Put the family of hit root into order (at *k): root, then each child's
 * family in turn, depth first (children as first/next lists, in hits order). */
static void put_family(size_t root, const size_t *first, const size_t *next, const size_t *parent,
		       unsigned char *put, size_t *order, size_t *k)
{
	size_t x = root, c;

	put[x] = 1, order[(*k)++] = x;
	for (;;) {
		if ((c = unput(next, put, first[x])) == NONE) { /* up to a next sibling */
			for (; x != root && (c = unput(next, put, next[x])) == NONE; x = parent[x])
				;
			if (x == root)
				return;
		}
		put[c] = 1, order[(*k)++] = c;
		x = c;
	}
}

/* In a tree, s->hits in the tree's order: each top-level run (its parent is
 * not among the hits, or is itself) followed by its family, children in the
 * hits' order; then any run in a loop of parents, as a top-level run. Sets
 * s->roots (flat: every position). */
static void tree_order(struct runs_state *s)
{
	size_t n = s->nhits, k = 0, *byid, *first, *next, *last, *parent, *order;
	unsigned char *put;

	free(s->roots);
	s->roots = xmalloc((n ? n : 1) * sizeof *s->roots);
	s->nroots = 0;
	if (!s->tree) {
		for (size_t i = 0; i < n; i++)
			s->roots[s->nroots++] = i;
		return;
	}
	byid = xmalloc((n ? n : 1) * sizeof *byid);
	first = xmalloc((n ? n : 1) * sizeof *first);
	next = xmalloc((n ? n : 1) * sizeof *next);
	last = xmalloc((n ? n : 1) * sizeof *last);
	parent = xmalloc((n ? n : 1) * sizeof *parent);
	order = xmalloc((n ? n : 1) * sizeof *order);
	put = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++)
		byid[i] = i, first[i] = next[i] = last[i] = NONE;
	qsort_r(byid, n, sizeof *byid, cmp_hit_ids, s);
	for (size_t i = 0; i < n; i++) {
		const struct mlc_run *run = &s->all.items[s->hits[i]];
		const char *p = parent_of(run);
		size_t at = p && strcmp(p, run->run_id) ? find_hit(s, byid, p) : NONE;
		parent[i] = at;
		if (at == NONE)
			continue;
		if (first[at] == NONE)
			first[at] = i;
		else
			next[last[at]] = i;
		last[at] = i;
	}
	for (int loops = 0; loops < 2; loops++) /* the top level, then loops */
		for (size_t i = 0; i < n; i++)
			if (!put[i] && (loops || parent[i] == NONE)) {
				s->roots[s->nroots++] = k;
				put_family(i, first, next, parent, put, order, &k);
			}
	for (size_t i = 0; i < n; i++)
		byid[i] = s->hits[order[i]];
	memcpy(s->hits, byid, n * sizeof *byid);
	free(byid);
	free(first);
	free(next);
	free(last);
	free(parent);
	free(order);
	free(put);
}

/* Each row's depth (into depth) in a list in the tree's order: one below its
 * parent when that is on the path to the row above, else 0, the top level.
 * Returns how many rows are top level. */
static size_t tree_depths(const struct mlc_run_list *l, int *depth)
{
	size_t *path = xmalloc((l->n ? l->n : 1) * sizeof *path), np = 0, top = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *p = parent_of(&l->items[i]);
		while (np > 0 && (p == NULL || strcmp(l->items[path[np - 1]].run_id, p) != 0))
			np--;
		depth[i] = (int)np;
		top += np == 0;
		path[np++] = i;
	}
	free(path);
	return top;
}

/* How many runs of l (a window's, in the tree's order) are top level. */
static size_t list_roots(const struct runs_state *s, const struct mlc_run_list *l)
{
	int *depth;
	size_t n;

	if (!s->tree)
		return l->n;
	depth = xmalloc((l->n ? l->n : 1) * sizeof *depth);
	n = tree_depths(l, depth);
	free(depth);
	return n;
}

/* The row after the family of the window's row i (the next top-level row). */
static size_t family_end(const struct runs_state *s, size_t i)
{
	while (++i < s->runs.n && s->depth[i] != 0)
		;
	return i < s->runs.n ? i : s->runs.n;
}

/* The window's last top-level row. */
static size_t last_root(const struct runs_state *s)
{
	size_t i = s->runs.n ? s->runs.n - 1 : 0;

	while (i > 0 && s->depth[i] != 0)
		i--;
	return i;
}

/* s->hits: the runs in order that the / text lets through ("!x": do not). */
static void find_hits(struct runs_state *s, const char *text)
{
	int invert = text && text[0] == '!';
	const char *t = text ? text + invert : "";

	free(s->hits);
	s->hits = xmalloc((s->all.n ? s->all.n : 1) * sizeof *s->hits);
	s->nhits = 0;
	for (size_t i = 0; i < s->all.n; i++)
		if (*t == '\0' || run_shows(s, &s->all.items[s->order[i]], t) != invert)
			s->hits[s->nhits++] = s->order[i];
	tree_order(s);
	s->total = (int64_t)s->all.n;
	s->matched = (int64_t)s->nhits;
}

/* ---- filling the table --------------------------------------------------- */

/* The title: the experiment, whether as a tree, and how many runs are marked
 * for compare. */
static void runs_title(struct view *v, const struct runs_state *s, const char *name)
{
	char marks[48] = "";
	char *t;

	if (s->nmarks)
		snprintf(marks, sizeof marks, ", %zu marked", s->nmarks);
	t = xasprintf("Runs of %s%s%s", name, s->tree ? " as a tree" : "", marks);

	free(v->title);
	v->title = sanitize_dup(t);
	free(t);
}

static int is_marked(const struct runs_state *s, const char *id)
{
	for (size_t i = 0; i < s->nmarks; i++)
		if (strcmp(s->marks[i], id) == 0)
			return 1;
	return 0;
}

/* The row's role when it is not marked: failures stand out. */
static enum theme_role status_role(const struct mlc_run *run)
{
	if (strcmp(run->status, "FAILED") == 0 || strcmp(run->status, "KILLED") == 0)
		return THEME_ERROR;
	if (strcmp(run->status, "RUNNING") == 0)
		return THEME_OK;
	return THEME_NORMAL;
}

/* Set the table's columns: the fixed ones, then the chosen, with the sort arrow. */
static void set_columns(struct app *a, struct view *v, struct runs_state *s)
{
	static const char *const fixed[FIXED_COLS] = {"RUN", "NAME", "STATUS", "STARTED"};
	struct table_col cols[TABLE_MAX_COLS];
	size_t n = 0;

	arena_free(&s->titles);
	for (size_t i = 0; i < FIXED_COLS + s->ncolumns && n < TABLE_MAX_COLS; i++) {
		const char *t = i < FIXED_COLS
				    ? arena_strdup(&s->titles, fixed[i])
				    : column_title(&s->titles, s->columns[i - FIXED_COLS]);
		if ((int)i == s->sort_col)
			t = arena_printf(
			    &s->titles, "%s%s", t,
			    draw_glyph(&a->draw, s->sort_desc ? GLYPH_DOWN : GLYPH_UP));
		cols[n] = (struct table_col){t, i == 1 ? 28 : 24, i >= FIXED_COLS, 0, 0};
		n++;
	}
	table_set_columns(&v->table, cols, (int)n);
}

/* A tree's NAME cells (names[i] for row i, freed by the caller): each run's
 * name after its branch (├─, └─ and │ for the rows above it that have more
 * below), and how many children it has, in parentheses. Sets s->depth. */
static char **tree_names(const struct app *a, struct runs_state *s)
{
	const char *bar = a->draw.utf8 ? "\xe2\x94\x82  " : "|  ";
	const char *tee = a->draw.utf8 ? "\xe2\x94\x9c\xe2\x94\x80 " : "|- ";
	const char *end = a->draw.utf8 ? "\xe2\x94\x94\xe2\x94\x80 " : "`- ";
	size_t n = s->runs.n, *path = xmalloc((n + 1) * sizeof *path);
	unsigned char *more = xcalloc(n + 1, 1), *later = xcalloc(n + 2, 1);
	size_t *kids = xcalloc(n + 1, sizeof *kids);
	char **names = xcalloc(n + 1, sizeof *names);

	tree_depths(&s->runs, s->depth);
	/* more: a sibling follows before a shallower row (walked backward) */
	for (size_t i = n; i-- > 0;) {
		size_t d = (size_t)s->depth[i];
		more[i] = later[d];
		later[d] = 1;
		memset(later + d + 1, 0, n - d);
	}
	for (size_t i = 0; i < n; i++) { /* path: the rows above i, by depth */
		if (s->depth[i] > 0)
			kids[path[s->depth[i] - 1]]++;
		path[s->depth[i]] = i;
	}
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = {0};
		size_t d = (size_t)s->depth[i];
		path[d] = i;
		for (size_t l = 1; l < d; l++)
			sb_add(&sb, more[path[l]] ? bar : "   ");
		if (d > 0)
			sb_add(&sb, more[i] ? tee : end);
		sb_add(&sb, s->runs.items[i].run_name ? s->runs.items[i].run_name : "");
		if (kids[i])
			sb_printf(&sb, " (%zu)", kids[i]);
		names[i] = xstrdup(sb_str(&sb));
		sb_free(&sb);
	}
	free(path);
	free(more);
	free(later);
	free(kids);
	return names;
}

/* The table's rows: the window's runs, formatted. */
static void runs_fill(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;
	const char **cells;
	char(*bufs)[48];
	char **names = NULL;
	int ncols;

	free(s->depth);
	s->depth = xcalloc(s->runs.n + 1, sizeof *s->depth);
	if (s->tree)
		names = tree_names(a, s);
	set_columns(a, v, s);
	ncols = v->table.ncols;
	cells = xcalloc((size_t)ncols, sizeof *cells);
	bufs = xcalloc((size_t)ncols, sizeof *bufs);
	table_clear(&v->table);
	for (size_t r = 0; r < s->runs.n; r++) {
		const struct mlc_run *run = &s->runs.items[r];
		char id[9];
		snprintf(id, sizeof id, "%s", run->run_id);
		timefmt_minutes(run->start_time, bufs[3], sizeof bufs[3]);
		cells[0] = id, cells[1] = names ? names[r] : run->run_name;
		cells[2] = run->status, cells[3] = bufs[3];
		for (int c = FIXED_COLS; c < ncols; c++) {
			const char *t =
			    cell_text(run, s->columns[c - FIXED_COLS], bufs[c], sizeof bufs[c]);
			cells[c] = t ? t : "-";
		}
		table_add(&v->table, run->run_id,
			  is_marked(s, run->run_id) ? THEME_MARKED : status_role(run), cells);
	}
	table_done(&v->table);
	for (size_t r = 0; names && r < s->runs.n; r++)
		free(names[r]);
	free(names);
	free(cells);
	free(bufs);
}

/* ---- windows --------------------------------------------------------------- */

static void page_submit(struct app *a, struct view *v, enum page_kind kind, const char *anchor);
static void count_submit(struct app *a, struct view *v, int total_too);
static void window_step(struct app *a, struct view *v, long n);
static void window_edge(struct app *a, struct view *v);

/* The sort column as an MLflow order ("metrics.`auc` DESC"), NULL as loaded. */
static char *window_order(const struct runs_state *s)
{
	static const char *const fixed[FIXED_COLS] = {"attributes.run_id", "attributes.run_name",
						      "attributes.status", "attributes.start_time"};
	const char *dir = s->sort_desc ? " DESC" : " ASC";
	const char *spec, *dot;

	if (s->sort_col < 0)
		return NULL;
	if (s->sort_col < FIXED_COLS)
		return xasprintf("%s%s", fixed[s->sort_col], dir);
	spec = s->columns[s->sort_col - FIXED_COLS];
	dot = strchr(spec, '.');
	return xasprintf("%.*s.`%s`%s", (int)(dot - spec), spec, dot + 1, dir);
}

static void page_job_free(struct page_job *j)
{
	MLC_LIST_FREE(&j->runs);
	MLC_LIST_FREE(&j->before);
	free_columns(j->columns, j->ncolumns);
	free(j->experiment);
	free(j->filter);
	free(j->text);
	free(j->order_by);
	free(j->anchor);
	free(j->root);
	free(j);
}

/* Worker thread, a tree: the top-level run above run id (itself if it is
 * one): up its parents while the query matches them (a loop of parents
 * stops after 64). */
static char *tree_root(struct registry *r, const struct mlc_run_query *q, const char *id)
{
	char *cur = xstrdup(id);

	for (int up = 0; up < 64; up++) {
		struct mlc_run_list one = {0}, m = {0};
		struct mlc_error err = {0};
		struct mlc_run_query mq = *q;
		const char *p = NULL;
		int matched = 0;

		if (registry_get_run(r, cur, &one, &err) == 0 && one.n == 1)
			p = parent_of(&one.items[0]);
		if (p && strcmp(p, cur) != 0) { /* the query matches the parent? */
			mq.tree = mq.backward = 0;
			mq.after = p;
			mq.inclusive = 1;
			mq.limit = 1;
			matched = registry_list_runs(r, &mq, &m, &err) == 0 && m.n == 1 &&
				  strcmp(m.items[0].run_id, p) == 0;
		}
		if (matched) {
			free(cur);
			cur = xstrdup(p);
		}
		MLC_LIST_FREE(&one);
		MLC_LIST_FREE(&m);
		if (!matched)
			break;
	}
	return cur;
}

/* Worker thread: one window query (two for PAGE_AT: above the run, and from it). */
static void page_run(struct registry *r, void *arg)
{
	struct page_job *j = arg;
	struct mlc_run_query q = {.experiment = j->experiment,
				  .filter = j->filter,
				  .order_by = j->order_by,
				  .limit = j->limit,
				  .lean = 1,
				  .columns = (const char *const *)j->columns,
				  .n_columns = j->ncolumns,
				  .window = 1,
				  .after = j->anchor,
				  .backward = j->kind == PAGE_LAST || j->kind == PAGE_UP,
				  .text = j->text,
				  .tree = j->tree};

	if (j->kind == PAGE_AT) {
		if (j->tree) /* the window around the anchor's family */
			q.after = j->root = tree_root(r, &q, j->anchor);
		q.backward = 1;
		j->job.rc = registry_list_runs(r, &q, &j->before, &j->job.err);
		q.backward = 0;
		q.inclusive = 1;
		if (j->job.rc == 0)
			j->job.rc = registry_list_runs(r, &q, &j->runs, &j->job.err);
		/* the run is gone (from the registry: not found; or deleted), or
		 * the filter or text no longer matches it: from the top */
		if ((j->job.rc < 0 && j->job.err.code == MLC_ERR_NOTFOUND) ||
		    (j->job.rc == 0 && (j->runs.n == 0 || strcmp(j->runs.items[0].run_id, q.after)))) {
			MLC_LIST_FREE(&j->before);
			MLC_LIST_FREE(&j->runs);
			j->kind = PAGE_FIRST;
			q.after = NULL;
			q.inclusive = 0;
			j->job.rc = registry_list_runs(r, &q, &j->runs, &j->job.err);
		}
		return;
	}
	j->job.rc = registry_list_runs(r, &q, &j->runs, &j->job.err);
	if (j->job.rc < 0 && j->job.err.code == MLC_ERR_NOTFOUND && j->anchor != NULL) {
		/* the run, not the experiment? */
		struct mlc_experiment_list e = {0};
		struct mlc_error err = {0};
		j->anchor_gone = registry_get_experiment(r, j->experiment, &e, &err) == 0;
		MLC_LIST_FREE(&e);
	}
}

/* The window made of x's runs [x0, x1) then y's [y0, y1), copied into a
 * fresh list (so runs scrolled past free their memory). */
static void window_rebuild(struct runs_state *s, const struct mlc_run_list *x, size_t x0, size_t x1,
			   const struct mlc_run_list *y, size_t y0, size_t y1)
{
	struct mlc_run_list w = {0};

	for (size_t i = x0; i < x1; i++)
		mlc_run_copy(&w.arena, MLC_LIST_PUSH(&w), &x->items[i]);
	for (size_t i = y0; i < y1; i++)
		mlc_run_copy(&w.arena, MLC_LIST_PUSH(&w), &y->items[i]);
	MLC_LIST_FREE(&s->runs);
	s->runs = w;
}

/* The window's last top-level run (or first) is gone from the registry: drop
 * it and its family, the cursor on the row it was on or the one next to it. */
static void window_drop_end(struct app *a, struct view *v, int last)
{
	struct runs_state *s = v->data;
	struct table *t = &v->table;
	struct mlc_run_list old = s->runs, none = {0};
	size_t cursor = t->cursor, cut = last ? last_root(s) : family_end(s, 0);

	s->runs = (struct mlc_run_list){0};
	window_rebuild(s, &old, last ? 0 : cut, last ? cut : old.n, &none, 0, 0);
	MLC_LIST_FREE(&old);
	runs_fill(a, v);
	if (last && cursor >= t->nvis) /* it was on the runs dropped */
		t->cursor = t->nvis ? t->nvis - 1 : 0;
	if (!last)
		t->top = t->top > cut ? t->top - cut : 0;
}

static int runs_action(struct app *a, struct view *v, enum action act);

/* The row keys typed while the new window was coming, on it now, in order
 * (one that asks for another window holds the rest again; Enter and c open
 * another view, after which the rest would act behind it: they go). */
static void replay_held(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;
	int held[sizeof s->held / sizeof s->held[0]], n = s->nheld;

	memcpy(held, s->held, sizeof held);
	s->nheld = 0;
	for (int i = 0; i < n; i++) {
		if (s->requery) { /* held again, after the window now asked for */
			s->held[s->nheld++] = held[i];
			continue;
		}
		runs_action(a, v, (enum action)held[i]);
		if (held[i] == ACT_ENTER || held[i] == ACT_COMPARE)
			break;
	}
}

/* A window arrived: the table shows it, the cursor on the run it was on
 * (or, for a new query, where the query puts it), the screen not jumping. */
static void page_done(struct app *a, void *arg)
{
	struct page_job *j = arg;
	struct view *v = app_find_view(a, j->job.view_id);
	struct runs_state *s = v ? v->data : NULL;
	struct mlc_run_list old;
	struct table *t;
	size_t nb = j->before.n, nr = j->runs.n, drop, top, offset;
	int full;

	if (s != NULL && s->windowed && --s->inflight == 0 && s->pending) {
		char *anchor = s->pending_anchor; /* the query that waited goes out */
		s->pending = 0;
		s->pending_anchor = NULL;
		s->gen--; /* page_submit counts it again */
		page_submit(a, v, (enum page_kind)s->pending_kind, anchor);
		free(anchor);
	}
	if (s == NULL || j->gen != s->gen) { /* gone, or an older query */
		page_job_free(j);
		return;
	}
	s->fetching = 0;
	/* a full window: as many (top-level) runs as asked for */
	full = (int64_t)list_roots(s, &j->runs) == j->limit;
	if (j->kind != PAGE_DOWN && j->kind != PAGE_UP)
		s->requery = 0;
	/* the run at the window's end went from the registry: a page from it
	 * would fail each time the cursor comes near; it leaves the window and
	 * the page is asked from the run next to it (the moves owed wait) */
	if (j->job.rc < 0 && j->anchor_gone && s->runs.n > 0) {
		window_drop_end(a, v, j->kind == PAGE_DOWN);
		page_job_free(j);
		v->loading = 0;
		window_edge(a, v);
		return;
	}
	if (j->job.rc < 0) { /* the moves and keys waited for a window that is not coming */
		s->owed = 0;
		s->nheld = 0;
	}
	if ((v = view_job_done(a, &j->job)) == NULL) {
		page_job_free(j);
		return;
	}
	t = &v->table;
	top = t->top;
	offset = t->cursor > t->top ? t->cursor - t->top : 0;
	old = s->runs;
	s->runs = (struct mlc_run_list){0};
	switch (j->kind) {
	case PAGE_FIRST:
	case PAGE_LAST:
	case PAGE_AT:
		window_rebuild(s, &j->before, 0, nb, &j->runs, 0, nr);
		s->more_before =
		    j->kind == PAGE_LAST
			? full
			: j->kind == PAGE_AT && (int64_t)list_roots(s, &j->before) == j->limit;
		s->more_after = j->kind != PAGE_LAST && full;
		runs_fill(a, v);
		table_cursor_to(t, j->kind == PAGE_AT ? j->anchor
				   : j->kind == PAGE_LAST && s->runs.n
				       ? s->runs.items[s->runs.n - 1].run_id
				       : NULL);
		/* the cursor's run stays where it was on screen, as in a whole list
		 * (G: the last run on the last row, a screen of runs above it; the
		 * draw scrolls from the top to the cursor) */
		if (j->kind == PAGE_LAST || j->kind == PAGE_FIRST)
			t->top = 0;
		else if (s->more_before)
			t->top = t->cursor > offset ? t->cursor - offset : 0;
		else
			t->top = top;
		/* at the end of the runs, no blank rows under them while there are
		 * runs above (the table has a->rows - 4 rows, as table_move pages) */
		if (!s->more_after && a->rows > 4) {
			size_t body = (size_t)(a->rows - 4);
			if (t->top + body > t->nvis)
				t->top = t->nvis > body ? t->nvis - body : 0;
		}
		break;
	case PAGE_DOWN: /* below; the rows scrolled past the top go */
		drop = old.n + nr > WINDOW_MAX ? old.n + nr - WINDOW_MAX : 0;
		if (drop > t->top)
			drop = t->top;
		while (drop > 0 && drop < old.n && s->depth[drop] != 0) /* whole families */
			drop--;
		window_rebuild(s, &old, drop, old.n, &j->runs, 0, nr);
		s->more_after = full;
		s->more_before = s->more_before || drop > 0;
		runs_fill(a, v);
		t->top -= drop;
		break;
	case PAGE_UP: /* above; the rows far below the screen go */
		drop = old.n + nr > WINDOW_MAX ? old.n + nr - WINDOW_MAX : 0;
		if (nr + old.n - drop < nr + t->top + (size_t)a->rows)
			drop = 0;
		while (drop > 0 && s->depth[old.n - drop] != 0) /* whole families */
			drop--;
		window_rebuild(s, &j->runs, 0, nr, &old, 0, old.n - drop);
		s->more_before = full;
		s->more_after = s->more_after || drop > 0;
		runs_fill(a, v);
		t->top += nr;
		break;
	}
	MLC_LIST_FREE(&old);
	if (s->owed) /* the moves made while it was coming; asks for more if it must */
		window_step(a, v, s->owed);
	else
		window_edge(a, v);
	if (j->kind != PAGE_DOWN && j->kind != PAGE_UP)
		replay_held(a, v);
	page_job_free(j);
}

/* Copy the runs of s's top-level runs [from, to) (flat: hits), each with its
 * family, into l. */
static void copy_hits(const struct runs_state *s, size_t from, size_t to, struct mlc_run_list *l)
{
	size_t end = to < s->nroots ? s->roots[to] : s->nhits;

	for (size_t i = from < s->nroots ? s->roots[from] : end; i < end; i++)
		mlc_run_copy(&l->arena, MLC_LIST_PUSH(l), &s->all.items[s->hits[i]]);
}

/* Serve window job j from the runs in memory (a registry without windows),
 * at once, as a registry would have answered it: in top-level runs (flat:
 * every run is one), the anchor's being the one whose family holds it. */
static void local_page(struct app *a, struct view *v, struct page_job *j)
{
	struct runs_state *s = v->data;
	size_t n = s->nroots, p = 0, at = 0, page = (size_t)j->limit;

	while (j->anchor && at < s->nhits &&
	       strcmp(s->all.items[s->hits[at]].run_id, j->anchor) != 0)
		at++;
	while (p < n && (p + 1 < n ? s->roots[p + 1] <= at : at >= s->nhits))
		p++;
	if (j->anchor && at == s->nhits && j->kind != PAGE_FIRST && j->kind != PAGE_LAST)
		j->kind = PAGE_FIRST; /* its run is gone (or hidden): from the top */
	switch (j->kind) {
	case PAGE_FIRST:
		copy_hits(s, 0, n < page ? n : page, &j->runs);
		break;
	case PAGE_LAST:
		copy_hits(s, n > page ? n - page : 0, n, &j->runs);
		break;
	case PAGE_AT:
		copy_hits(s, p > page ? p - page : 0, p, &j->before);
		copy_hits(s, p, p + page < n ? p + page : n, &j->runs);
		break;
	case PAGE_DOWN:
		copy_hits(s, p + 1, p + 1 + page < n ? p + 1 + page : n, &j->runs);
		break;
	case PAGE_UP:
		copy_hits(s, p > page ? p - page : 0, p, &j->runs);
		break;
	}
	j->job.rc = 0;
	page_done(a, j);
}

/* Ask for a window of kind (anchored at run anchor for PAGE_AT, at the
 * window's ends for PAGE_DOWN and PAGE_UP). A new query (not a page further
 * on) makes the answers to the ones still out stale. */
static void page_submit(struct app *a, struct view *v, enum page_kind kind, const char *anchor)
{
	struct runs_state *s = v->data;
	struct page_job *j;

	if (kind != PAGE_DOWN && kind != PAGE_UP) {
		s->gen++;
		s->requery = 1;
	}
	s->fetching = 1;
	if (s->windowed && s->inflight > 0) { /* after the one out, which is stale now */
		s->pending = 1;
		s->pending_kind = (int)kind;
		free(s->pending_anchor);
		s->pending_anchor = anchor ? xstrdup(anchor) : NULL;
		return;
	}
	s->inflight += s->windowed;
	j = xcalloc(1, sizeof *j);
	j->job.view_id = v->id; /* (local_page has no view_job_start) */
	j->gen = s->gen;
	j->kind = kind;
	j->limit = kind == PAGE_AT ? WINDOW_AT : WINDOW_PAGE;
	j->experiment = xstrdup(s->experiment);
	j->filter = v->search ? xstrdup(v->search) : NULL;
	j->text = *v->table.filter ? xstrdup(v->table.filter) : NULL;
	j->order_by = window_order(s);
	j->anchor = anchor ? xstrdup(anchor) : NULL;
	j->columns = copy_columns((const char *const *)s->columns, s->ncolumns);
	j->ncolumns = s->ncolumns;
	j->tree = s->tree;
	if (s->windowed)
		view_job_start(a, v, page_run, page_done, &j->job);
	else
		local_page(a, v, j);
}

/* Worker thread: the filter's runs (total_too) and the / text's. */
static void count_run(struct registry *r, void *arg)
{
	struct count_job *j = arg;
	struct mlc_run_query q = {.experiment = j->experiment,
				  .filter = j->filter,
				  .columns = (const char *const *)j->columns,
				  .n_columns = j->ncolumns};

	struct mlc_experiment_list e = {0};

	j->job.rc = 0;
	if (j->name == NULL) { /* the experiment's (a window did not need it) */
		j->job.rc = registry_get_experiment(r, j->experiment, &e, &j->job.err);
		if (j->job.rc == 0)
			j->name = xstrdup(e.items[0].name);
		MLC_LIST_FREE(&e);
	}
	if (j->job.rc == 0 && j->total >= 0)
		j->job.rc = registry_count_runs(r, &q, &j->total, &j->job.err);
	q.text = j->text;
	if (j->job.rc == 0)
		j->job.rc = j->text ? registry_count_runs(r, &q, &j->matched, &j->job.err) : 0;
}

static void count_done(struct app *a, void *arg)
{
	struct count_job *j = arg;
	struct view *v = app_find_view(a, j->job.view_id);
	struct runs_state *s = v ? v->data : NULL;

	if (s != NULL && j->job.rc == 0 && s->name == NULL) {
		s->name = xstrdup(j->name);
		runs_title(v, s, s->name);
	}
	if (s != NULL && j->gen == s->cgen) {
		if (j->job.rc < 0)
			app_status(a, 1, "%s", j->job.err.msg);
		else {
			if (j->total >= 0)
				s->total = j->total;
			s->matched = j->text ? j->matched : s->total;
		}
	}
	if (s != NULL) {
		s->counting = 0;
		if (s->count_pending) { /* the count that waited goes out */
			int total_too = s->count_pending_total;
			s->count_pending = s->count_pending_total = 0;
			count_submit(a, v, total_too);
		}
	}
	free_columns(j->columns, j->ncolumns);
	free(j->experiment);
	free(j->filter);
	free(j->text);
	free(j->name);
	free(j);
}

/* Count the runs of the current filter and text. A count has its own
 * generation: a new window query that changes neither (a sort, G, gg) keeps
 * the count that is coming; a newer count drops it, so it counts the total
 * too when the dropped one was to. */
static void count_submit(struct app *a, struct view *v, int total_too)
{
	struct runs_state *s = v->data;
	struct count_job *j;

	if (!s->windowed) /* find_hits counted them */
		return;
	total_too = total_too || s->total < 0;
	if (s->counting) { /* after the one out, which is stale now */
		s->cgen++;
		s->count_pending = 1;
		s->count_pending_total |= total_too;
		if (total_too)
			s->total = -1;
		s->matched = -1;
		return;
	}
	s->counting = 1;
	j = xcalloc(1, sizeof *j);
	j->job.view_id = v->id;
	j->gen = ++s->cgen;
	j->experiment = xstrdup(s->experiment);
	j->filter = v->search ? xstrdup(v->search) : NULL;
	j->text = *v->table.filter ? xstrdup(v->table.filter) : NULL;
	j->columns = copy_columns((const char *const *)s->columns, s->ncolumns);
	j->ncolumns = s->ncolumns;
	j->name = s->name ? xstrdup(s->name) : NULL;
	j->total = total_too ? 0 : -1;
	if (total_too)
		s->total = -1;
	s->matched = -1;
	worker_submit(a->worker, count_run, count_done, j);
}

/* A new query that keeps the cursor on its run (a sort, a reload, columns). */
static void window_requery(struct app *a, struct view *v, int recount)
{
	const char *key = table_cursor_key(&v->table);
	char *anchor = key ? xstrdup(key) : NULL;

	page_submit(a, v, anchor ? PAGE_AT : PAGE_FIRST, anchor);
	free(anchor);
	if (recount)
		count_submit(a, v, 1);
}

/* The / text changed: its runs from the first, counted. */
static void runs_text_changed(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;

	s->edge = 0;
	if (!s->windowed)
		find_hits(s, v->table.filter);
	if (*v->table.filter == '\0') /* every run again: the cursor stays on its run */
		window_requery(a, v, 0);
	else
		page_submit(a, v, PAGE_FIRST, NULL);
	count_submit(a, v, 0);
}

static int runs_count(const struct view *v, int64_t *all, int64_t *shown)
{
	const struct runs_state *s = v->data;

	*all = s->total;
	*shown = s->matched;
	return s->total < 0 || s->matched < 0 ? -1 : 0;
}

/* Ask for the next window when the cursor is near an end with more behind it. */
static void window_edge(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;
	struct table *t = &v->table;
	size_t margin = (size_t)(a->rows > 8 ? a->rows : 8);

	if (s->fetching || s->runs.n == 0)
		return;
	if (s->more_after && t->cursor + margin >= t->nvis)
		page_submit(a, v, PAGE_DOWN, s->runs.items[last_root(s)].run_id);
	else if (s->more_before && t->cursor < margin)
		page_submit(a, v, PAGE_UP, s->runs.items[0].run_id);
}

/* Move the cursor n rows (down when n > 0) in the window; what the window
 * cannot give yet is owed, and paid when the next window arrives. */
static void window_step(struct app *a, struct view *v, long n)
{
	struct runs_state *s = v->data;
	struct table *t = &v->table;
	size_t was = t->cursor;
	long moved;

	if (n > 0)
		t->cursor = t->cursor + (size_t)n < t->nvis ? t->cursor + (size_t)n
			    : t->nvis			    ? t->nvis - 1
							    : 0;
	else
		t->cursor = (size_t)-n < t->cursor ? t->cursor - (size_t)-n : 0;
	moved = (long)t->cursor - (long)was;
	s->owed = (n > 0 && s->more_after) || (n < 0 && s->more_before) ? n - moved : 0;
	window_edge(a, v);
}

/* A move in a window: the table moves; near an end with more behind it, the
 * next window is asked for; G and gg ask for the last and the first. */
static int window_move(struct app *a, struct view *v, enum action act)
{
	struct runs_state *s = v->data;
	long page = a->rows - 5 > 1 ? a->rows - 5 : 1; /* as table_move pages */

	if (s->rest) /* remembered for when the rest of the runs is in */
		s->edge = act == ACT_TOP || act == ACT_BOTTOM ? (int)act : 0;
	/* G and gg: the last or first window, unless this one holds it and no
	 * other query is coming (its answer would move the cursor after them) */
	if (act == ACT_BOTTOM && (s->more_after || s->requery)) {
		s->owed = 0;
		page_submit(a, v, PAGE_LAST, NULL);
		return V_HANDLED;
	}
	if (act == ACT_TOP && (s->more_before || s->requery)) {
		s->owed = 0;
		page_submit(a, v, PAGE_FIRST, NULL);
		return V_HANDLED;
	}
	switch (act) {
	case ACT_DOWN:
		window_step(a, v, s->owed + 1);
		break;
	case ACT_UP:
		window_step(a, v, s->owed - 1);
		break;
	case ACT_PAGE_DOWN:
		window_step(a, v, s->owed + page);
		break;
	case ACT_PAGE_UP:
		window_step(a, v, s->owed - page);
		break;
	default:
		s->owed = 0; /* G, gg in this window: a page coming pays no moves after them */
		return table_move(&v->table, act, a->rows - 4);
	}
	return V_HANDLED;
}

/* ---- loading ------------------------------------------------------------- */

/* Worker thread: the experiment's name (unless known), default columns,
 * then the runs. */
static void runs_run(struct registry *r, void *arg)
{
	struct runs_job *j = arg;
	struct mlc_experiment_list e = {0};
	struct mlc_run_query q = {.experiment = j->experiment,
				  .filter = j->filter,
				  .lean = 1,
				  .limit = j->limit,
				  .window = j->window};
	const char **cols;

	/* the rest of the runs know it from the first page; windows learn it
	 * with their count (it counts the runs: not before the first rows) */
	if (j->name == NULL && !j->window) {
		j->job.rc = registry_get_experiment(r, j->experiment, &e, &j->job.err);
		if (j->job.rc == 0)
			j->name = xstrdup(e.items[0].name);
		MLC_LIST_FREE(&e);
		if (j->job.rc < 0)
			return;
	}
	if (j->columns == NULL)
		default_columns(r, j);
	/* the runs kept in memory carry their parent tags, for the tree */
	cols = xcalloc(j->ncolumns + 2, sizeof *cols);
	for (size_t c = 0; c < j->ncolumns; c++)
		cols[c] = j->columns[c];
	cols[j->ncolumns] = "tags." MLC_TAG_PARENT;
	q.columns = cols;
	q.n_columns = j->ncolumns + !j->window;
	j->job.rc = registry_list_runs(r, &q, &j->runs, &j->job.err);
	free(cols);
}

static void runs_submit(struct app *a, struct view *v, int64_t limit);

static void runs_done(struct app *a, void *arg)
{
	struct runs_job *j = arg;
	struct view *failed = j->job.rc < 0 && a ? app_find_view(a, j->job.view_id) : NULL;
	struct view *v = view_job_done(a, &j->job);
	/* A full first page means there is more: fetch everything behind it. */
	int more = v != NULL && j->limit > 0 && (int64_t)j->runs.n == j->limit;

	if (failed != NULL && app_find_view(a, j->job.view_id) == failed) {
		struct runs_state *s = failed->data; /* no window is coming: drop the keys */
		s->requery = 0;
		s->nheld = 0;
		s->rest = 0;
		s->edge = 0;
	}

	if (v != NULL) {
		struct runs_state *s = v->data;
		struct mlc_run_list *into = s->windowed ? &s->runs : &s->all;
		MLC_LIST_FREE(into);
		*into = j->runs; /* the view owns the runs from now */
		j->runs = (struct mlc_run_list){0};
		if (!s->chosen) {
			free_columns(s->columns, s->ncolumns);
			s->columns = j->columns;
			s->ncolumns = j->ncolumns;
			j->columns = NULL;
			j->ncolumns = 0;
		}
		if (j->name != NULL) {
			free(s->name);
			s->name = xstrdup(j->name);
		}
		runs_title(v, s, s->name ? s->name : s->experiment);
		if (s->windowed) { /* the columns are known: windows from now */
			runs_fill(a, v);
			s->more_after = more;
			s->more_before = 0;
			count_submit(a, v, 1);
		} else { /* windows of the runs in memory, the cursor kept */
			int edge = j->limit == 0 ? s->edge : 0;

			sort_runs(s);
			find_hits(s, v->table.filter);
			s->rest = more;
			s->edge = 0;
			if (edge != 0) /* G or gg on the partial list: the whole one's end */
				page_submit(a, v, edge == ACT_TOP ? PAGE_FIRST : PAGE_LAST, NULL);
			else
				window_requery(a, v, 0);
			if (more)
				runs_submit(a, v, 0);
		}
	}
	MLC_LIST_FREE(&j->runs);
	free_columns(j->columns, j->ncolumns);
	free(j->experiment);
	free(j->filter);
	free(j->name);
	free(j);
}

/* Queue a load of the runs: the first limit of them, or all (limit 0). */
static void runs_submit(struct app *a, struct view *v, int64_t limit)
{
	struct runs_state *s = v->data;
	struct runs_job *j = xcalloc(1, sizeof *j);

	j->limit = s->windowed ? WINDOW_PAGE : limit;
	j->window = s->windowed;
	j->experiment = xstrdup(s->experiment);
	j->filter = v->search ? xstrdup(v->search) : NULL;
	/* The rest of the runs keep the first page's columns: no second key search. */
	if (s->chosen || (limit == 0 && s->columns != NULL)) {
		j->columns = copy_columns((const char *const *)s->columns, s->ncolumns);
		j->ncolumns = s->ncolumns;
	}
	if (limit == 0 && s->name != NULL) /* nor a second experiment lookup */
		j->name = xstrdup(s->name);
	view_job_start(a, v, runs_run, runs_done, &j->job);
}

/* A window where the registry answers them (the columns first, if none are
 * chosen); else a screenful or two (drawn at once), then the rest in the
 * background. */
static void runs_load(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;

	s->windowed = a->reg != NULL && (a->reg->caps & REG_CAP_WINDOW) != 0;
	if (s->windowed && s->columns != NULL) {
		window_requery(a, v, 1);
		return;
	}
	/* the runs in memory are loaded again (:filter, ^R): keys for rows
	 * wait for the window cut from them, as for a window (runs_done) */
	if (!s->windowed)
		s->requery = 1;
	runs_submit(a, v, FIRST_PAGE);
}

void view_runs_columns(struct view *v, const char *const **cols, size_t *n)
{
	struct runs_state *s = v->data;

	*cols = (const char *const *)s->columns;
	*n = s->ncolumns;
}

void view_runs_set_columns(struct app *a, struct view *v, const char *const *cols, size_t n)
{
	struct runs_state *s = v->data;
	int by = s->sort_col < FIXED_COLS ? s->sort_col : -1; /* the sort stays on its column */

	for (size_t i = 0; s->sort_col >= FIXED_COLS && i < n; i++)
		if (strcmp(cols[i], s->columns[s->sort_col - FIXED_COLS]) == 0)
			by = FIXED_COLS + (int)i;
	free_columns(s->columns, s->ncolumns);
	s->columns = copy_columns(cols, n);
	s->ncolumns = n;
	s->chosen = 1;
	s->sort_col = by;
	runs_load(a, v);
}

/* ---- keys ---------------------------------------------------------------- */

/* Space: mark or unmark the run under the cursor, then move down. */
static void toggle_mark(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;
	struct table *t = &v->table;
	const char *id = table_cursor_key(t);
	size_t row;

	if (id == NULL)
		return;
	row = t->vis[t->cursor];
	for (size_t i = 0; i < s->nmarks; i++)
		if (strcmp(s->marks[i], id) == 0) {
			free(s->marks[i]);
			s->marks[i] = s->marks[--s->nmarks];
			t->roles[row] = (unsigned char)status_role(&s->runs.items[row]);
			table_move(t, ACT_DOWN, 1);
			runs_title(v, s, s->name ? s->name : s->experiment);
			return;
		}
	if (s->nmarks == MAX_MARKS) {
		app_status(a, 1, "at most %d runs can be compared", MAX_MARKS);
		return;
	}
	s->marks[s->nmarks++] = xstrdup(id);
	t->roles[row] = THEME_MARKED;
	table_move(t, ACT_DOWN, 1);
	runs_title(v, s, s->name ? s->name : s->experiment);
}

/* A new order: sorted here, or a new window around the cursor's run. */
static void resort(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;

	if (!s->windowed) {
		sort_runs(s);
		find_hits(s, v->table.filter);
	}
	set_columns(a, v, s); /* the arrow moves at once */
	window_requery(a, v, 0);
}

/* t: nested runs as a tree, or flat again; the cursor stays on its run. */
static void toggle_tree(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;

	if (s->columns == NULL) /* the first load is out: its answer would be flat */
		return;
	s->tree = !s->tree;
	runs_title(v, s, s->name ? s->name : s->experiment);
	if (!s->windowed)
		find_hits(s, v->table.filter);
	window_requery(a, v, 0);
}

/* 1 for the keys that act on a row or move the cursor. */
static int row_key(enum action act)
{
	switch (act) {
	case ACT_ENTER:
	case ACT_MARK:
	case ACT_COMPARE:
	case ACT_DOWN:
	case ACT_UP:
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP:
	case ACT_TOP:
	case ACT_BOTTOM:
		return 1;
	default:
		return 0;
	}
}

static int runs_action(struct app *a, struct view *v, enum action act)
{
	struct runs_state *s = v->data;
	const char *key = table_cursor_key(&v->table);

	if (s->requery && row_key(act)) {
		if (s->nheld < (int)(sizeof s->held / sizeof s->held[0]))
			s->held[s->nheld++] = (int)act;
		return V_HANDLED;
	}
	if (act != ACT_TOP && act != ACT_BOTTOM)
		s->edge = 0; /* another key after G or gg: the cursor stays on its run */
	switch (act) {
	case ACT_ENTER:
		if (key != NULL)
			app_push(a, view_run_new(a, key));
		return V_HANDLED;
	case ACT_MARK:
		toggle_mark(a, v);
		return V_HANDLED;
	case ACT_COMPARE:
		if (s->nmarks < 2)
			app_status(a, 1, "mark 2 to %d runs with Space first", MAX_MARKS);
		else
			app_push(a, view_compare_new(a, (const char *const *)s->marks, s->nmarks));
		return V_HANDLED;
	case ACT_SORT:
		s->sort_col =
		    s->sort_col + 1 >= FIXED_COLS + (int)s->ncolumns ? -1 : s->sort_col + 1;
		resort(a, v);
		return V_HANDLED;
	case ACT_SORT_REVERSE:
		s->sort_desc = !s->sort_desc;
		if (s->sort_col < 0)
			s->sort_col = 3; /* reversing "newest first" sorts by start time */
		resort(a, v);
		return V_HANDLED;
	case ACT_DOWN:
	case ACT_UP:
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP:
	case ACT_TOP:
	case ACT_BOTTOM:
		return window_move(a, v, act);
	case ACT_COLUMNS:
		app_push(a, view_columns_new(a, v, s->experiment));
		return V_HANDLED;
	case ACT_TREE:
		toggle_tree(a, v);
		return V_HANDLED;
	default:
		return V_IGNORED;
	}
}

static void runs_free(struct view *v)
{
	struct runs_state *s = v->data;

	free(s->experiment);
	free(s->name);
	free_columns(s->columns, s->ncolumns);
	MLC_LIST_FREE(&s->runs);
	MLC_LIST_FREE(&s->all);
	free(s->order);
	free(s->hits);
	free(s->pending_anchor);
	free(s->depth);
	free(s->roots);
	for (size_t i = 0; i < s->nmarks; i++)
		free(s->marks[i]);
	arena_free(&s->titles);
}

static const struct view_ops runs_ops = {
    .name = "runs",
    .data_size = sizeof(struct runs_state),
    .load = runs_load,
    .action = runs_action,
    .free = runs_free,
    .enter_hint = "run",
    .counted = 1,
    .hints = {ACT_MARK, ACT_COMPARE, ACT_SORT, ACT_TREE, ACT_COLUMNS, ACT_NONE},
    .search = FILTER_RUNS,
    .count = runs_count,
    .text_changed = runs_text_changed,
};

static const struct table_col initial_cols[] = {
    {"RUN", 0, 0, 0, 0},
    {"NAME", 28, 0, 0, 0},
    {"STATUS", 0, 0, 0, 0},
    {"STARTED", 0, 0, 0, 0},
};

struct view *view_runs_new(struct app *a, const char *experiment)
{
	char *title = xasprintf("Runs of %s", experiment);
	struct view *v = view_new(a, &runs_ops, title);
	struct runs_state *s = v->data;

	free(title);
	s->experiment = xstrdup(experiment);
	s->sort_col = -1;
	s->total = s->matched = -1;
	table_init(&v->table, initial_cols, FIXED_COLS);
	v->table.filter_outside = 1; /* the view finds the / text's runs itself */
	return v;
}

static void cmd_runs(struct app *a, const char *arg)
{
	if (*arg == '\0') {
		app_status(a, 1, ":runs needs an EXPERIMENT (id or name)");
		return;
	}
	app_push(a, view_runs_new(a, arg));
}

APP_COMMAND(cmd_runs_info, .name = "runs", .args = "EXPERIMENT",
	    .help = "Runs of an experiment (id or name)",
	    .run = cmd_runs,
	    .rank = 40);
