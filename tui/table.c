/* table.c: the table widget most views are made of. Only the rows on screen are
 * drawn; column widths are measured once when the rows arrive. */
#include "config.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app.h"
#include "sanitize.h"
#include "view.h"
#include "xmalloc.h"

void table_init(struct table *t, const struct table_col *cols, int ncols)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	memcpy(t->cols, cols, (size_t)ncols * sizeof *cols);
	t->width = xcalloc((size_t)ncols, sizeof *t->width);
	t->filter = xstrdup("");
}

void table_set_columns(struct table *t, const struct table_col *cols, int ncols)
{
	t->ncols = ncols;
	memcpy(t->cols, cols, (size_t)ncols * sizeof *cols);
	free(t->width);
	t->width = xcalloc((size_t)ncols, sizeof *t->width);
}

void table_clear(struct table *t)
{
	const char *key = table_cursor_key(t);

	free(t->restore_key);
	t->restore_key = key ? xstrdup(key) : NULL;
	arena_free(&t->arena);
	t->cells = NULL;
	t->keys = NULL;
	t->roles = NULL;
	t->refs = NULL;
	t->nrows = t->cap = 0;
	for (int i = 0; i < t->ncols; i++)
		t->width[i] = 0;
}

void table_add_ref(struct table *t, const char *key, enum theme_role role, const char *const *cells,
		   struct table_ref ref)
{
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		const char **nc = arena_alloc(&t->arena, ncap * (size_t)t->ncols * sizeof *nc);
		const char **nk = arena_alloc(&t->arena, ncap * sizeof *nk);
		unsigned char *nr = arena_alloc(&t->arena, ncap);
		struct table_ref *nf = arena_alloc(&t->arena, ncap * sizeof *nf);
		if (t->nrows) {
			memcpy(nc, t->cells, t->nrows * (size_t)t->ncols * sizeof *nc);
			memcpy(nk, t->keys, t->nrows * sizeof *nk);
			memcpy(nr, t->roles, t->nrows);
			memcpy(nf, t->refs, t->nrows * sizeof *nf);
		}
		t->cells = nc, t->keys = nk, t->roles = nr, t->refs = nf, t->cap = ncap;
	}
	for (int i = 0; i < t->ncols; i++) {
		const char **cell = &t->cells[t->nrows * (size_t)t->ncols + (size_t)i];
		if (sanitize_is_clean(cells[i])) {
			*cell = arena_strdup(&t->arena, cells[i]);
		} else {
			struct strbuf sb = {0};
			sanitize_append(&sb, cells[i]);
			*cell = arena_strdup(&t->arena, sb_str(&sb));
			sb_free(&sb);
		}
	}
	t->keys[t->nrows] = arena_strdup(&t->arena, key ? key : "");
	t->roles[t->nrows] = (unsigned char)role;
	t->refs[t->nrows] = ref;
	t->nrows++;
}

void table_add(struct table *t, const char *key, enum theme_role role, const char *const *cells)
{
	table_add_ref(t, key, role, cells, (struct table_ref){0});
}

void table_add_layout(struct table *t, enum theme_role role, const char *const *cells)
{
	table_add_ref(t, NULL, role, cells, (struct table_ref){.layout = 1});
}

/* 1 if row r passes the filter: case-insensitive substring of any cell; a
 * leading '!' inverts. */
static int row_matches(const struct table *t, size_t r)
{
	const char *f = t->filter;
	int invert = f[0] == '!';
	int hit = 0;

	if (invert)
		f++;
	if (*f == '\0' || t->filter_outside)
		return 1;
	for (int i = 0; i < t->ncols && !hit; i++)
		hit = strcasestr(t->cells[r * (size_t)t->ncols + (size_t)i], f) != NULL;
	return hit != invert;
}

static size_t settle(const struct table *t, size_t c, int dir, size_t was);

/* Recompute the visible rows, keeping the cursor on key when it survives. */
static void refilter(struct table *t, const char *key)
{
	char *keep = key ? xstrdup(key) : NULL;

	free(t->vis);
	t->vis = xmalloc((t->nrows ? t->nrows : 1) * sizeof *t->vis);
	t->nvis = 0;
	t->cursor = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		if (!row_matches(t, r))
			continue;
		if (keep && *keep && strcmp(t->keys[r], keep) == 0)
			t->cursor = t->nvis;
		t->vis[t->nvis++] = r;
	}
	free(keep);
	if (t->nvis)
		t->cursor = settle(t, t->cursor, 1, t->cursor);
	if (t->top > t->cursor)
		t->top = t->cursor;
}

/* A section heading: a title row whose only text is in its first cell; it is
 * drawn across the whole width. */
static int is_heading(const struct table *t, size_t r)
{
	if (t->roles[r] != THEME_TITLE)
		return 0;
	for (int i = 1; i < t->ncols; i++)
		if (t->cells[r * (size_t)t->ncols + (size_t)i][0] != '\0')
			return 0;
	return 1;
}

void table_done(struct table *t)
{
	struct draw_ctx dc = {.utf8 = 1};

	for (size_t r = 0; r < t->nrows; r++)
		for (int i = 0; i < t->ncols && !is_heading(t, r); i++) {
			int w = draw_width(&dc, t->cells[r * (size_t)t->ncols + (size_t)i]);
			if (w > t->width[i])
				t->width[i] = w;
		}
	refilter(t, t->restore_key);
	free(t->restore_key);
	t->restore_key = NULL;
}

const char *table_cursor_key(const struct table *t)
{
	return t->nvis ? t->keys[t->vis[t->cursor]] : NULL;
}

const struct table_ref *table_cursor_ref(const struct table *t)
{
	return t->nvis ? &t->refs[t->vis[t->cursor]] : NULL;
}

/* 1 if row r only lays the table out (a gap, a heading). */
static int layout_row(const struct table *t, size_t r)
{
	return t->refs[r].layout;
}

size_t table_count(const struct table *t, size_t *shown)
{
	size_t all = 0;

	*shown = 0;
	for (size_t i = 0; i < t->nvis; i++)
		*shown += !layout_row(t, t->vis[i]);
	for (size_t r = 0; r < t->nrows; r++)
		all += !layout_row(t, r);
	return all;
}

void table_cursor_to(struct table *t, const char *key)
{
	t->cursor = 0;
	for (size_t i = 0; key && i < t->nvis; i++)
		if (*key && strcmp(t->keys[t->vis[i]], key) == 0) {
			t->cursor = i;
			break;
		}
	if (t->nvis)
		t->cursor = settle(t, t->cursor, 1, t->cursor);
}

void table_set_filter(struct table *t, const char *filter)
{
	const char *key = table_cursor_key(t);
	char *keep = key ? xstrdup(key) : NULL;

	free(t->filter);
	t->filter = xstrdup(filter ? filter : "");
	refilter(t, keep);
	free(keep);
}

/* 1 if the cursor passes over visible row c: a gap or a section heading. */
static int passed_over(const struct table *t, size_t c)
{
	size_t r = t->vis[c];
	int empty = 1;

	if (!layout_row(t, r))
		return 0;
	for (int i = 0; i < t->ncols && empty; i++)
		empty = t->cells[r * (size_t)t->ncols + (size_t)i][0] == '\0';
	return empty || t->roles[r] == THEME_TITLE;
}

/* Cursor position c moved on in direction dir (+1, -1) past gaps and
 * headings; the other way when there is nothing that way; from where it was
 * (was) when every row is passed over. */
static size_t settle(const struct table *t, size_t c, int dir, size_t was)
{
	for (int pass = 0; pass < 2; pass++, dir = -dir)
		for (size_t k = c; k < t->nvis; k += (size_t)(ptrdiff_t)dir)
			if (!passed_over(t, k))
				return k;
	return was;
}

int table_move(struct table *t, enum action act, int page)
{
	size_t last = t->nvis ? t->nvis - 1 : 0, was = t->cursor;
	size_t step = page > 1 ? (size_t)page - 1 : 1;
	int dir = 1;

	switch (act) {
	case ACT_DOWN:
		t->cursor = t->cursor < last ? t->cursor + 1 : last;
		break;
	case ACT_UP:
		t->cursor = t->cursor > 0 ? t->cursor - 1 : 0;
		dir = -1;
		break;
	case ACT_TOP:
		t->cursor = 0;
		break;
	case ACT_BOTTOM:
		t->cursor = last;
		dir = -1;
		break;
	case ACT_PAGE_DOWN:
		t->cursor = t->cursor + step < last ? t->cursor + step : last;
		break;
	case ACT_PAGE_UP:
		t->cursor = t->cursor > step ? t->cursor - step : 0;
		dir = -1;
		break;
	default:
		return V_IGNORED;
	}
	if (t->nvis)
		t->cursor = settle(t, t->cursor, dir, was);
	return V_HANDLED;
}

#define SHRINK_FLOOR 16 /* a text column narrowed to fit keeps this much */

/* The columns that may be drawn, into idx: the first (it names the row, so it
 * stays), then those from the horizontal scroll position on. Returns how many. */
static int shown_cols(struct table *t, int *idx)
{
	int n = 0;

	if (t->hscroll > t->ncols - 2)
		t->hscroll = t->ncols > 2 ? t->ncols - 2 : 0;
	if (t->hscroll < 0)
		t->hscroll = 0;
	if (t->ncols > 0)
		idx[n++] = 0;
	for (int i = 1 + t->hscroll; i < t->ncols; i++)
		idx[n++] = i;
	return n;
}

/* What each column idx[0..m) wants: its widest cell or title, capped. When
 * they do not fit in w, the widest text columns give up room (down to
 * SHRINK_FLOOR) before any column is dropped: values cut with … rather than
 * columns lost. */
static void wants(const struct table *t, const struct draw_ctx *d, int w, const int *idx, int m,
		  int *want)
{
	int total = -1;

	for (int k = 0; k < m; k++) {
		const struct table_col *c = &t->cols[idx[k]];
		int title = draw_width(d, c->title);
		want[k] = t->width[idx[k]] < title ? title : t->width[idx[k]];
		if (c->max && want[k] > c->max)
			want[k] = c->max;
		total += want[k] + 1;
	}
	while (total > w) {
		int widest = -1;
		for (int k = 1; k < m; k++) { /* the first column names the row */
			const struct table_col *c = &t->cols[idx[k]];
			if (!c->right && !c->whole && want[k] > SHRINK_FLOOR &&
			    (widest < 0 || want[k] > want[widest]))
				widest = k;
		}
		if (widest < 0)
			return;
		int give = want[widest] - SHRINK_FLOOR < total - w ? want[widest] - SHRINK_FLOOR
								   : total - w;
		want[widest] -= give;
		total -= give;
	}
}

/* Widths cw[k] of columns idx[0..m) in total width w: each what it wants (see
 * wants), the flex column the rest; columns that still do not fit are left
 * off on the right. Returns how many are drawn; *cut is set when the last one
 * drawn is narrower than it wants (or some are left off). */
static int layout(const struct table *t, const struct draw_ctx *d, int w, const int *idx, int m,
		  int *cw, int *cut)
{
	int used = 0, n = 0, flex = -1, want_of[TABLE_MAX_COLS];

	*cut = 0;
	wants(t, d, w, idx, m, want_of);
	for (int k = 0; k < m; k++) {
		int want = want_of[k];
		if (used + want + (n ? 1 : 0) > w) {
			want = w - used - (n ? 1 : 0);
			*cut = 1;
			if (want < 3)
				break;
		}
		cw[k] = want;
		used += want + (n ? 1 : 0);
		n++;
		if (t->cols[idx[k]].flex)
			flex = k;
	}
	if (flex >= 0 && used < w)
		cw[flex] += w - used;
	return n;
}

int table_hscroll(struct table *t, enum action act)
{
	if (act == ACT_COL_RIGHT && t->more_right)
		t->hscroll++;
	else if (act == ACT_COL_LEFT && t->hscroll > 0)
		t->hscroll--;
	else
		return V_IGNORED;
	return V_HANDLED;
}

/* The column titles on row y, and the marks that say columns are off screen:
 * ‹ after the first (pinned) column, › at the right edge. */
static void draw_titles(const struct draw_ctx *d, const struct table *t, const int *idx, int n,
			const int *cw, int y, int w)
{
	draw_fill(d, y, 0, w, THEME_COLUMN);
	for (int k = 0, x = 2; k < n; x += cw[k] + 1, k++)
		draw_text(d, y, x, cw[k], t->cols[idx[k]].title, THEME_COLUMN,
			  t->cols[idx[k]].right, 0);
	if (t->more_left && n > 0 && 2 + cw[0] < w)
		draw_text(d, y, 2 + cw[0], 1, draw_glyph(d, GLYPH_MORE_LEFT), THEME_COLUMN, 0, 0);
	if (t->more_right)
		draw_text(d, y, w - 1, 1, draw_glyph(d, GLYPH_MORE_RIGHT), THEME_COLUMN, 0, 0);
}

void table_draw(struct app *a, struct table *t, int y, int h, int w)
{
	const struct draw_ctx *d = &a->draw;
	int cw[TABLE_MAX_COLS] = {0}, idx[TABLE_MAX_COLS], cut;
	int m = shown_cols(t, idx);
	int n = layout(t, d, w - 2, idx, m, cw, &cut);
	int body = h - 1;

	t->more_right = n < m || cut;
	if (t->more_right) /* room for the › at the edge */
		n = layout(t, d, w - 4, idx, m, cw, &cut);
	t->more_left = t->hscroll > 0;
	draw_titles(d, t, idx, n, cw, y, w);
	if (body <= 0)
		return;
	if (t->cursor < t->top)
		t->top = t->cursor;
	if (t->cursor >= t->top + (size_t)body)
		t->top = t->cursor - (size_t)body + 1;
	for (int row = 0; row < body; row++) {
		size_t vi = t->top + (size_t)row;
		int yy = y + 1 + row;
		if (vi >= t->nvis) {
			draw_fill(d, yy, 0, w, THEME_NORMAL);
			continue;
		}
		size_t r = t->vis[vi];
		int sel = vi == t->cursor;
		enum theme_role role = sel ? THEME_SELECTED : (enum theme_role)t->roles[r];
		draw_fill(d, yy, 0, w, role);
		draw_text(d, yy, 0, 1, sel ? draw_glyph(d, GLYPH_CURSOR) : " ", role, 0, 0);
		if (t->roles[r] == THEME_MARKED)
			draw_text(d, yy, 1, 1, draw_glyph(d, GLYPH_MARK), role, 0, 0);
		if (is_heading(t, r)) {
			draw_text(d, yy, 2, w - 3, t->cells[r * (size_t)t->ncols], role, 0, 0);
			continue;
		}
		for (int k = 0, x = 2; k < n; x += cw[k] + 1, k++)
			draw_text(d, yy, x, cw[k], t->cells[r * (size_t)t->ncols + (size_t)idx[k]],
				  role, t->cols[idx[k]].right, 0);
	}
}

/* 1 when key is the whole of what cell shows cut: the cell is its start and
 * the rest is letters and digits (a run id shown by its first 8). */
static int key_extends(const char *key, const char *cell)
{
	size_t n = strlen(cell);

	if (n == 0 || strncmp(key, cell, n) != 0 || key[n] == '\0')
		return 0;
	for (const char *p = key + n; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return 0;
	return 1;
}

int table_row_fields(const struct table *t, void (*add)(void *, const char *, const char *),
		     void *ctx)
{
	size_t r;

	if (t->nvis == 0)
		return -1;
	r = t->vis[t->cursor];
	for (int i = 0; i < t->ncols; i++) {
		const char *cell = t->cells[r * (size_t)t->ncols + (size_t)i];
		if (i == 0 && key_extends(t->keys[r], cell))
			cell = t->keys[r]; /* checked: letters and digits only */
		if (*cell)
			add(ctx, t->cols[i].title, cell);
	}
	return 0;
}

void table_free(struct table *t)
{
	arena_free(&t->arena);
	free(t->vis);
	free(t->width);
	free(t->filter);
	free(t->restore_key);
	memset(t, 0, sizeof *t);
}
