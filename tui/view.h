/* view.h: what a view is — one screen of the console, kept on a stack — and
 * the ops table each view_*.c fills in (load, keys, drawing, footer hints,
 * :filter target, the size of its own state). A view file also declares its
 * : command (APP_COMMAND in app.h), so a new view is that one file. Most
 * views are a table: rows of sanitised cells with a cursor, scrolling and a
 * live text filter (tui/table.c). */
#ifndef MLC_VIEW_H
#define MLC_VIEW_H
#include <stddef.h>
#include <stdint.h>
#include "actions.h"
#include "arena.h"
#include "error.h"
#include "filter.h"
#include "theme.h"

struct app;
struct view;
struct registry;

/* Returned by view key handlers (htop's HandlerResult): the key was the
 * view's (the screen is drawn again after every key), or not. */
enum { V_IGNORED = 0, V_HANDLED = 1 };

#define TABLE_MAX_COLS 40

struct table_col {
	const char *title;
	int max;   /* widest it may get (0: no limit) */
	int right; /* right-aligned (numbers) */
	int flex;  /* takes the room that is left */
	int whole; /* never narrowed to fit others (a cut sparkline loses its newest end) */
};

/* What a row stands for, beside its cells (tig's line->data): the view's
 * own kind of row (0: the view has one kind) and the index of its object in
 * the view's data. A layout row (a gap, a heading, an event) is not counted;
 * the cursor passes over the empty and heading ones. */
struct table_ref {
	int kind;
	int layout;
	size_t index;
};

struct table {
	int ncols;
	struct table_col cols[TABLE_MAX_COLS];
	struct mlc_arena arena; /* owns cells and keys */
	const char **cells;	/* nrows * ncols, sanitised */
	const char **keys;	/* one stable key per row (to keep the cursor) */
	unsigned char *roles;	/* theme role per row */
	struct table_ref *refs; /* what each row is, for its view */
	size_t nrows, cap;
	size_t *vis; /* indexes of the rows the filter lets through */
	size_t nvis;
	size_t cursor, top; /* positions in vis */
	int *width;	    /* widest cell per column */
	char *filter;	    /* "" or the / text; "!x" excludes */
	char *restore_key;  /* the cursor's row key when the rows were cleared */
	int filter_outside; /* the view asks its registry for the / text's rows: keep all */
	/* columns scrolled off on the left, after the first (which stays) */
	int hscroll;
	/* the last draw left columns off screen on that side */
	int more_left, more_right;
};

struct view_ops {
	const char *name;
	/* The size of the view's own state: view_new gives v->data that many
	 * zeroed bytes and view_free frees them (after free), as tig's
	 * private_size. 0: none. */
	size_t data_size;
	/* Ask the worker for the view's data (also on Ctrl-R). */
	void (*load)(struct app *a, struct view *v);
	/* Handle action act; V_IGNORED lets the app handle it. */
	int (*action)(struct app *a, struct view *v, enum action act);
	/* Free what v->data points to (view_free frees v->data itself). */
	void (*free)(struct view *v);
	/* Extra footer hint, e.g. "Enter versions". */
	const char *enter_hint;
	/* 1 when Enter does something on the cursor's row (NULL: on every row);
	 * the footer offers Enter only there. */
	int (*enter_here)(const struct view *v);
	/* The title shows the row count (lists do, a detail page does not). */
	int counted;
	/* Draw the body itself instead of the table (charts). */
	void (*draw)(struct app *a, struct view *v, int y, int h);
	/* Keys this view adds, shown in the footer after Enter (ACT_NONE ends). */
	enum action hints[8];
	/* What :filter EXPR means here: FILTER_MODELS, FILTER_RUNS, or FILTER_NONE
	 * (left out: nothing). */
	enum filter_target search;
	/* Optional: the rows in all and those the / text lets through, when the
	 * table holds only a window of them; -1 while they are being counted. */
	int (*count)(const struct view *v, int64_t *all, int64_t *shown);
	/* Optional: the / text changed (the table's filter holds it). */
	void (*text_changed)(struct app *a, struct view *v);
	/* Optional: called on each turn of the loop (at least once a second)
	 * while the view is on top, e.g. to load again on an interval. */
	void (*tick)(struct app *a, struct view *v);
};

struct view {
	const struct view_ops *ops;
	uint64_t id; /* jobs find their view by id: it may be gone when they finish */
	char *title;
	char *subject; /* model name, etc. (owned) */
	char *param;   /* second subject (version), owned */
	char *search;  /* MLflow-syntax filter (models and runs views), owned */
	void *data;    /* the view's own state, ops->data_size bytes */
	struct table table;
	int loading;
	int64_t load_started_ms;
	int loaded_once;
	int64_t loaded_at_ms;  /* when the data on screen arrived */
	uint64_t changes_seen; /* app's changes count when the data was asked for */
	char *error;	       /* last load error, shown in the body when there is no data */
	int refreshing;	       /* ^R asked for this load: say when it is in */
};

/* ---- table.c ---- */
void table_init(struct table *t, const struct table_col *cols, int ncols);
/* Change the columns (keeps the rows' filter; call before refilling). */
void table_set_columns(struct table *t, const struct table_col *cols, int ncols);
/* Start a new set of rows (remembers the cursor's row to restore it). */
void table_clear(struct table *t);
/* Add a row: ncols strings (sanitised here), a stable key, a theme role. */
void table_add(struct table *t, const char *key, enum theme_role role, const char *const *cells);
/* Add a row that stands for ref (the view's kind and index, or a layout row
 * the cursor may rest on, with a key to keep it there); key may be NULL for
 * a layout row. */
void table_add_ref(struct table *t, const char *key, enum theme_role role, const char *const *cells,
		   struct table_ref ref);
/* Add a layout row (a gap, a heading, an event): not counted, no key. */
void table_add_layout(struct table *t, enum theme_role role, const char *const *cells);
/* What the cursor's row stands for; NULL when there is no row. */
const struct table_ref *table_cursor_ref(const struct table *t);
/* After the rows are in: apply the filter, put the cursor back on its row. */
void table_done(struct table *t);
/* The key of the row under the cursor, NULL when empty. */
const char *table_cursor_key(const struct table *t);
/* Rows that count (not layout rows): those shown into
 * *shown, all of them returned. */
size_t table_count(const struct table *t, size_t *shown);
void table_set_filter(struct table *t, const char *filter);
/* Put the cursor on the row with key (the first row when there is none). */
void table_cursor_to(struct table *t, const char *key);
/* Move for the actions DOWN/UP/TOP/BOTTOM/PAGE_*; V_HANDLED or V_IGNORED. */
int table_move(struct table *t, enum action act, int page);
/* Shift the columns after the first by one for ACT_COL_RIGHT/LEFT:
 * V_HANDLED, or V_IGNORED when there is nothing more that way (or another
 * action). */
int table_hscroll(struct table *t, enum action act);
/* The row's fields for the row view: for each column with a value, its title
 * and whole value (the row's full id for a first column that shows a cut of
 * it), through add(ctx, title, value); 0, or -1 when there is no row. */
int table_row_fields(const struct table *t, void (*add)(void *, const char *, const char *),
		     void *ctx);
/* Draw rows [y, y+h) in width w. */
void table_draw(struct app *a, struct table *t, int y, int h, int w);
void table_free(struct table *t);

/* ---- views ---- */
struct view *view_models_new(struct app *a);
struct view *view_versions_new(struct app *a, const char *model);
struct view *view_version_new(struct app *a, const char *model, const char *version);
struct view *view_help_new(struct app *a);
/* What is live where (every model's, or model's with its history). */
struct view *view_deployments_new(struct app *a, const char *model);
/* Every model at a glance, worst first; refresh: seconds between loads (0:
 * none). */
struct view *view_pulse_new(struct app *a, int refresh);
/* Drift per feature, worst first (every deployed model's, or model's). */
struct view *view_drift_new(struct app *a, const char *model);
/* The label ("✖ drift") and theme role of a drift status, for any view. */
const char *view_drift_status_label(int utf8, int status);
enum theme_role view_drift_status_role(int status);
struct view *view_runs_new(struct app *a, const char *experiment);
struct view *view_run_new(struct app *a, const char *run_id);
/* Compare runs ids[0..n) (2 to 20). */
struct view *view_compare_new(struct app *a, const char *const *ids, size_t n);
/* The history of metric key for runs ids[0..n). */
struct view *view_chart_new(struct app *a, const char *key, const char *const *ids, size_t n);
/* Pick the columns of runs view parent from the experiment's keys. */
struct view *view_columns_new(struct app *a, struct view *parent, const char *experiment);
/* Runs view: its current columns (owned by the view). */
void view_runs_columns(struct view *runs, const char *const **cols, size_t *n);
/* Runs view: the columns chosen (the picker calls this). */
void view_runs_set_columns(struct app *a, struct view *runs, const char *const *cols, size_t n);
/* What every view's load job has, as its first member: the view it is for
 * (by id: the view may be gone when it finishes), the outcome and its error.
 * run and done receive the whole job (a pointer to its first member). */
struct view_job {
	uint64_t view_id;
	int rc;
	struct mlc_error err;
};
/* A job's done callback calls this: the view it was for, if still open, with
 * its loading state cleared; NULL when the view is gone or the load failed
 * (the error is then shown in the body and the footer). */
struct view *view_job_done(struct app *a, const struct view_job *job);
/* Mark v loading and queue run/done with job (the first member of the
 * view's own job) on the worker; the job is for v from now. */
void view_job_start(struct app *a, struct view *v, void (*run)(struct registry *, void *),
		    void (*done)(struct app *, void *), struct view_job *job);
/* Shared constructor/destructor for the views above. */
struct view *view_new(struct app *a, const struct view_ops *ops, const char *title);
void view_free(struct view *v);

#endif
