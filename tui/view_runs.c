/* view_runs.c: the runs of an experiment as a table — columns picked from its
 * metrics, params and tags (C), sorted locally by any column (s, S), filtered
 * with MLflow's syntax (:filter) or by text (/), runs marked (space) for
 * compare (c). Only the chosen columns are loaded, and only the rows on screen
 * are drawn, so 100,000 runs scroll like 100. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "filter.h"
#include "sanitize.h"
#include "timefmt.h"
#include "xmalloc.h"

#define FIXED_COLS 4 /* RUN, NAME, STATUS, STARTED */
#define DEFAULT_METRICS 4
#define DEFAULT_PARAMS 2
#define MAX_MARKS 20
#define KEY_SAMPLE 50 /* default columns come from the newest runs' keys */
#define FIRST_PAGE 200

struct runs_state {
	char *experiment;
	char *name;	/* the experiment's, once loaded */
	char **columns; /* "metrics.K", "params.K", "tags.K" */
	size_t ncolumns;
	int chosen; /* the user picked the columns: keep them */
	struct mlc_run_list runs;
	size_t *order; /* row -> index in runs */
	int sort_col;  /* -1: as loaded (newest first) */
	int sort_desc;
	char *marks[MAX_MARKS];
	size_t nmarks;
	struct mlc_arena titles;
};

struct runs_job {
	uint64_t view_id;
	int64_t limit; /* the first page, or 0 for all */
	char *experiment, *filter;
	char **columns; /* in: the chosen ones (NULL: pick defaults); out: used */
	size_t ncolumns;
	char *name;
	struct mlc_run_list runs;
	struct mlc_error err;
	int rc;
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
	double num;	 /* NaN sorts after every number */
	const char *str; /* points into the loaded runs */
};

/* Fill k with run's value of sort column col (see FIXED_COLS). */
static void make_key(const struct runs_state *s, const struct mlc_run *run, int col,
		     struct sort_key *k)
{
	char *end;

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
		k->missing = m == NULL;
		k->numeric = 1;
		k->num = m ? m->value : 0;
		return;
	}
	k->str = cell_text(run, spec, NULL, 0);
	if ((k->missing = k->str == NULL))
		return;
	k->num = strtod(k->str, &end);
	k->numeric = end != k->str && *end == '\0';
}

/* qsort_r: by the keys, ascending or descending; ties keep the loaded order. */
static int cmp_keys(const void *pa, const void *pb, void *ctx)
{
	const struct sort_key *a = pa, *b = pb;
	int desc = *(const int *)ctx, c;

	if (a->missing || b->missing)
		c = a->missing - b->missing;
	else if (a->numeric && b->numeric && (isnan(a->num) || isnan(b->num)))
		c = isnan(a->num) - isnan(b->num);
	else {
		c = a->numeric && b->numeric ? (a->num > b->num) - (a->num < b->num)
					     : strcmp(a->str, b->str);
		if (desc)
			c = -c;
	}
	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* s->order: the rows in the sort column's order (or as loaded). */
static void sort_runs(struct runs_state *s)
{
	struct sort_key *keys;

	for (size_t i = 0; i < s->runs.n; i++)
		s->order[i] = i;
	if (s->sort_col < 0 || s->runs.n == 0)
		return;
	keys = xmalloc(s->runs.n * sizeof *keys);
	for (size_t i = 0; i < s->runs.n; i++) {
		keys[i].index = i;
		make_key(s, &s->runs.items[i], s->sort_col, &keys[i]);
	}
	qsort_r(keys, s->runs.n, sizeof *keys, cmp_keys, &s->sort_desc);
	for (size_t i = 0; i < s->runs.n; i++)
		s->order[i] = keys[i].index;
	free(keys);
}

/* ---- filling the table --------------------------------------------------- */

/* The title: the experiment, and how many runs are marked for compare. */
static void runs_title(struct view *v, const struct runs_state *s, const char *name)
{
	char *t = s->nmarks ? xasprintf("Runs of %s, %zu marked", name, s->nmarks)
			    : xasprintf("Runs of %s", name);

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
		cols[n] = (struct table_col){t, i == 1 ? 28 : 24, i >= FIXED_COLS, 0};
		n++;
	}
	table_set_columns(&v->table, cols, (int)n);
}

/* Rebuild the rows from the loaded runs in the current order. */
static void runs_fill(struct app *a, struct view *v)
{
	struct runs_state *s = v->data;
	const char **cells;
	char(*bufs)[48];
	int ncols;

	free(s->order);
	s->order = xmalloc((s->runs.n ? s->runs.n : 1) * sizeof *s->order);
	sort_runs(s);
	set_columns(a, v, s);
	ncols = v->table.ncols;
	cells = xcalloc((size_t)ncols, sizeof *cells);
	bufs = xcalloc((size_t)ncols, sizeof *bufs);
	table_clear(&v->table);
	for (size_t r = 0; r < s->runs.n; r++) {
		const struct mlc_run *run = &s->runs.items[s->order[r]];
		char id[9];
		snprintf(id, sizeof id, "%s", run->run_id);
		timefmt_minutes(run->start_time, bufs[3], sizeof bufs[3]);
		cells[0] = id, cells[1] = run->run_name, cells[2] = run->status, cells[3] = bufs[3];
		for (int c = FIXED_COLS; c < ncols; c++) {
			const char *t =
			    cell_text(run, s->columns[c - FIXED_COLS], bufs[c], sizeof bufs[c]);
			cells[c] = t ? t : "-";
		}
		table_add(&v->table, run->run_id,
			  is_marked(s, run->run_id) ? THEME_MARKED : status_role(run), cells);
	}
	table_done(&v->table);
	free(cells);
	free(bufs);
}

/* ---- loading ------------------------------------------------------------- */

/* Worker thread: the experiment's name (unless known), default columns,
 * then the runs. */
static void runs_run(struct registry *r, void *arg)
{
	struct runs_job *j = arg;
	struct mlc_experiment_list e = {0};
	struct mlc_run_query q = {
	    .experiment = j->experiment, .filter = j->filter, .lean = 1, .limit = j->limit};

	if (j->name == NULL) { /* the rest of the runs know it from the first page */
		j->rc = registry_get_experiment(r, j->experiment, &e, &j->err);
		if (j->rc == 0)
			j->name = xstrdup(e.items[0].name);
		MLC_LIST_FREE(&e);
		if (j->rc < 0)
			return;
	}
	if (j->columns == NULL)
		default_columns(r, j);
	q.columns = (const char *const *)j->columns;
	q.n_columns = j->ncolumns;
	j->rc = registry_list_runs(r, &q, &j->runs, &j->err);
}

static void runs_submit(struct app *a, struct view *v, int64_t limit);

static void runs_done(struct app *a, void *arg)
{
	struct runs_job *j = arg;
	struct view *v = view_job_done(a, j->view_id, j->rc, &j->err);
	/* A full first page means there is more: fetch everything behind it. */
	int more = v != NULL && j->limit > 0 && (int64_t)j->runs.n == j->limit;

	if (v != NULL) {
		struct runs_state *s = v->data;
		MLC_LIST_FREE(&s->runs);
		s->runs = j->runs; /* the view owns the runs from now */
		j->runs = (struct mlc_run_list){0};
		if (!s->chosen) {
			free_columns(s->columns, s->ncolumns);
			s->columns = j->columns;
			s->ncolumns = j->ncolumns;
			j->columns = NULL;
			j->ncolumns = 0;
		}
		free(s->name);
		s->name = xstrdup(j->name);
		runs_title(v, s, j->name);
		runs_fill(a, v);
		if (more)
			runs_submit(a, v, 0);
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

	j->view_id = v->id;
	j->limit = limit;
	j->experiment = xstrdup(s->experiment);
	j->filter = v->search ? xstrdup(v->search) : NULL;
	/* The rest of the runs keep the first page's columns: no second key search. */
	if (s->chosen || (limit == 0 && s->columns != NULL)) {
		j->columns = copy_columns((const char *const *)s->columns, s->ncolumns);
		j->ncolumns = s->ncolumns;
	}
	if (limit == 0 && s->name != NULL) /* nor a second experiment lookup */
		j->name = xstrdup(s->name);
	view_job_start(a, v, runs_run, runs_done, j);
}

/* First a screenful or two (drawn at once), then the rest in the background. */
static void runs_load(struct app *a, struct view *v)
{
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
			t->roles[row] = (unsigned char)status_role(&s->runs.items[s->order[row]]);
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

static int runs_action(struct app *a, struct view *v, enum action act)
{
	struct runs_state *s = v->data;
	const char *key = table_cursor_key(&v->table);

	switch (act) {
	case ACT_ENTER:
		if (key != NULL)
			app_push(a, view_run_new(a, key));
		return V_REDRAW;
	case ACT_MARK:
		toggle_mark(a, v);
		return V_REDRAW;
	case ACT_COMPARE:
		if (s->nmarks < 2)
			app_status(a, 1, "mark 2 to %d runs with Space first", MAX_MARKS);
		else
			app_push(a, view_compare_new(a, (const char *const *)s->marks, s->nmarks));
		return V_REDRAW;
	case ACT_SORT:
		s->sort_col =
		    s->sort_col + 1 >= FIXED_COLS + (int)s->ncolumns ? -1 : s->sort_col + 1;
		runs_fill(a, v);
		return V_REDRAW;
	case ACT_SORT_REVERSE:
		s->sort_desc = !s->sort_desc;
		if (s->sort_col < 0)
			s->sort_col = 3; /* reversing "newest first" sorts by start time */
		runs_fill(a, v);
		return V_REDRAW;
	case ACT_COLUMNS:
		app_push(a, view_columns_new(a, v, s->experiment));
		return V_REDRAW;
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
	free(s->order);
	for (size_t i = 0; i < s->nmarks; i++)
		free(s->marks[i]);
	arena_free(&s->titles);
	free(s);
}

static const struct view_ops runs_ops = {
    .name = "runs",
    .load = runs_load,
    .action = runs_action,
    .free = runs_free,
    .enter_hint = "run",
    .counted = 1,
    .hints = {ACT_MARK, ACT_COMPARE, ACT_SORT, ACT_COLUMNS, ACT_NONE},
    .search = FILTER_RUNS,
};

static const struct table_col initial_cols[] = {
    {"RUN", 0, 0, 0},
    {"NAME", 28, 0, 0},
    {"STATUS", 0, 0, 0},
    {"STARTED", 0, 0, 0},
};

struct view *view_runs_new(struct app *a, const char *experiment)
{
	char *title = xasprintf("Runs of %s", experiment);
	struct view *v = view_new(a, &runs_ops, title);
	struct runs_state *s = xcalloc(1, sizeof *s);

	free(title);
	s->experiment = xstrdup(experiment);
	s->sort_col = -1;
	v->data = s;
	table_init(&v->table, initial_cols, FIXED_COLS);
	v->table.match_keys = 1; /* / finds a run by more of its id than is shown */
	return v;
}
