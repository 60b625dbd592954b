/* dialog.c: drawing and keys of the confirmation dialog. Tab and the arrows
 * move between Cancel and OK; Enter presses the focused button; Esc cancels. */
#include "config.h"
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "dialog.h"
#include "sanitize.h"
#include "xmalloc.h"

struct dialog *dialog_new(const char *title, const char *ok_label, const char *expect,
			  void (*confirm)(struct app *, void *), void (*discard)(void *), void *ctx)
{
	struct dialog *d = xcalloc(1, sizeof *d);

	d->title = sanitize_dup(title);
	d->ok_label = xstrdup(ok_label);
	/* what is typed is what is shown: the name as drawn (sanitised); a name
	 * that shows as nothing asks for "yes", never for an empty line */
	d->expect = expect ? sanitize_dup(expect) : NULL;
	if (d->expect && !*d->expect) {
		free(d->expect);
		d->expect = xstrdup("yes");
	}
	d->confirm = confirm;
	d->discard = discard;
	d->ctx = ctx;
	input_start(&d->typed, '>', NULL);
	return d;
}

void dialog_line(struct dialog *d, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (d->nlines == DIALOG_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	d->lines[d->nlines++] = sanitize_dup(buf);
}

/* Text columns for a field's value: a 72-wide dialog less margins and label. */
#define FIELD_WIDTH 52

void dialog_field(struct dialog *d, const char *label, const char *text)
{
	size_t n = strlen(text);
	int first = 1;

	do {
		size_t take = n, cut;

		if (take > FIELD_WIDTH) {
			/* break after the last comma or space that fits, else hard */
			cut = FIELD_WIDTH;
			while (cut > 0 && text[cut - 1] != ',' && text[cut - 1] != ' ')
				cut--;
			take = cut ? cut : FIELD_WIDTH;
		}
		dialog_line(d, "%-13s %.*s", first ? label : "", (int)take, text);
		first = 0;
		text += take;
		n -= take;
		while (*text == ' ')
			text++, n--;
	} while (n > 0);
}

/* 1 when OK may be pressed: nothing to type, or typed right. */
static int ok_enabled(const struct dialog *d)
{
	return d->expect == NULL || strcmp(d->typed.buf, d->expect) == 0;
}

/* One drawn line of a fields dialog: the field's title (in the title column,
 * or across the line when it is wider) and/or a piece of its value. */
struct dialog_wrap {
	int field;
	int title;	 /* 0 none, 1 in the title column, 2 alone across the line */
	int value;	 /* the line has a piece of the value */
	size_t off, len; /* of the piece, in the value */
};

struct dialog *dialog_fields_new(const char *title)
{
	return dialog_new(title, "Close", NULL, NULL, NULL, NULL);
}

void dialog_add_field(struct dialog *d, const char *title, const char *value)
{
	d->ftitle = xrealloc(d->ftitle, (size_t)(d->nfields + 1) * sizeof *d->ftitle);
	d->fvalue = xrealloc(d->fvalue, (size_t)(d->nfields + 1) * sizeof *d->fvalue);
	d->ftitle[d->nfields] = sanitize_dup(*title ? title : "-");
	d->fvalue[d->nfields] = sanitize_dup(value);
	d->nfields++;
}

const char *dialog_selected(const struct dialog *d, const char **title)
{
	if (d->nfields == 0)
		return NULL;
	if (title)
		*title = d->ftitle[d->sel];
	return d->fvalue[d->sel];
}

/* Append one wrapped line to d->wrap (cap: its room, grown as needed). */
static void add_wrap(struct dialog *d, int *cap, struct dialog_wrap line)
{
	if (d->nwrap == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->wrap = xrealloc(d->wrap, (size_t)*cap * sizeof *d->wrap);
	}
	d->wrap[d->nwrap++] = line;
}

/* The title column's width: the widest title, at most a third of width. */
static int title_width(const struct draw_ctx *dc, const struct dialog *d, int width)
{
	int tw = 0;

	for (int f = 0; f < d->nfields; f++) {
		int w = draw_width(dc, d->ftitle[f]);
		tw = w > tw ? w : tw;
	}
	return tw < width / 3 ? tw : width / 3;
}

/* Lay the fields out in width columns: each title in the title column (tw)
 * and its value beside it, wrapped onto as many lines as it takes; a title
 * wider than the column gets a line of its own above its value. */
static void wrap_fields(const struct draw_ctx *dc, struct dialog *d, int width, int tw)
{
	int cap = 0;

	free(d->wrap);
	d->wrap = NULL;
	d->nwrap = 0;
	for (int f = 0; f < d->nfields; f++) {
		const char *v = d->fvalue[f];
		size_t off = 0, next;
		int title = 1;
		if (draw_width(dc, d->ftitle[f]) > tw) {
			add_wrap(d, &cap, (struct dialog_wrap){f, 2, 0, 0, 0});
			title = 0;
		}
		do {
			size_t len = draw_wrap_line(dc, v + off, width - tw - 2, &next);
			add_wrap(d, &cap, (struct dialog_wrap){f, title, 1, off, len});
			title = 0;
			off += next;
		} while (v[off]);
	}
}

/* The first (last when last is set) wrapped line of field f. */
static int field_line(const struct dialog *d, int f, int last)
{
	int found = -1;

	for (int i = 0; i < d->nwrap; i++)
		if (d->wrap[i].field == f) {
			found = i;
			if (!last)
				break;
		}
	return found < 0 ? 0 : found;
}

/* The hint at a fields dialog's foot, from the keys of actions.def. */
static void fields_hint(const struct app *a, struct strbuf *sb)
{
	static const enum action acts[] = {ACT_DOWN, ACT_UP, ACT_COPY, ACT_BACK};
	static const char *const words[] = {"", " move", " copy", " close"};

	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		char key[16];
		action_key_label(action_info(acts[i])->keys[0], a->utf8, key, sizeof key);
		sb_printf(sb, "%s%s%s", i == 1 ? " " : i ? "  " : "", key, words[i]);
	}
}

/* Draw a fields dialog: as tall as its lines (up to the screen less its
 * header and footer), the selected field highlighted, scrolled to d->scroll. */
static void fields_draw(struct app *a, struct dialog *d)
{
	const struct draw_ctx *dc = &a->draw;
	int w = a->cols - 4 < 100 ? a->cols - 4 : 100;
	int page, h, y, x, tw, room = a->rows - 8;
	struct strbuf hint = {0};

	tw = title_width(dc, d, w - 4);
	wrap_fields(dc, d, w - 4, tw);
	page = d->nwrap < room ? d->nwrap : room;
	d->page = page > 0 ? page : 1;
	if (d->scroll > d->nwrap - d->page)
		d->scroll = d->nwrap - d->page > 0 ? d->nwrap - d->page : 0;
	h = d->page + 4;
	y = (a->rows - h) / 2, x = (a->cols - w) / 2;
	for (int i = 0; i < h; i++)
		draw_fill(dc, y + i, x, w, THEME_DIALOG);
	draw_text(dc, y, x + 2, w - 4, d->title, THEME_TITLE, 0, 0);
	for (int i = 0; i < d->page && d->scroll + i < d->nwrap; i++) {
		const struct dialog_wrap *l = &d->wrap[d->scroll + i];
		int sel = l->field == d->sel, yy = y + 2 + i;
		enum theme_role role = sel ? THEME_SELECTED : THEME_DIALOG;
		draw_fill(dc, yy, x + 1, w - 2, role);
		if (l->title)
			draw_text(dc, yy, x + 2, l->title == 2 ? w - 4 : tw, d->ftitle[l->field],
				  sel ? THEME_SELECTED : THEME_COLUMN, 0, 0);
		if (l->value) {
			char *piece = xstrndup(d->fvalue[l->field] + l->off, l->len);
			draw_text(dc, yy, x + 4 + tw, w - 6 - tw, piece, role, 0, 0);
			free(piece);
		}
	}
	fields_hint(a, &hint);
	if (d->nwrap > d->page)
		sb_printf(&hint, "  (lines %d-%d of %d)", d->scroll + 1, d->scroll + d->page,
			  d->nwrap);
	draw_text(dc, y + h - 1, x + 2, w - 4, sb_str(&hint), THEME_DIM, 0, 0);
	sb_free(&hint);
}

void dialog_draw(struct app *a, struct dialog *d)
{
	if (d->nfields) {
		fields_draw(a, d);
		return;
	}
	const struct draw_ctx *dc = &a->draw;
	int w = a->cols - 8 < 72 ? a->cols - 8 : 72;
	int h = d->nlines + (d->expect ? 7 : 5);
	int y = (a->rows - h) / 2, x = (a->cols - w) / 2, row = y + 1;
	char buf[600];

	for (int i = 0; i < h; i++)
		draw_fill(dc, y + i, x, w, THEME_DIALOG);
	draw_text(dc, y, x + 2, w - 4, d->title, THEME_TITLE, 0, 0);
	for (int i = 0; i < d->nlines; i++)
		draw_text(dc, ++row, x + 2, w - 4, d->lines[i], THEME_DIALOG, 0, 0);
	if (d->expect) {
		char *safe = sanitize_dup(d->expect), *typed = sanitize_dup(d->typed.buf);
		snprintf(buf, sizeof buf, "Type %s to confirm:", safe);
		draw_text(dc, row += 2, x + 2, w - 4, buf, THEME_DANGER, 0, 0);
		snprintf(buf, sizeof buf, "> %s", typed);
		draw_text(dc, ++row, x + 2, w - 4, buf, THEME_FILTER, 0, 1);
		free(safe);
		free(typed);
	}
	row += 2;
	if (d->confirm == NULL) { /* nothing to confirm: one button, ok_label */
		snprintf(buf, sizeof buf, "[ %s ]", d->ok_label);
		draw_text(dc, row, x + 2, w - 4, buf, THEME_SELECTED, 0, 0);
		return;
	}
	snprintf(buf, sizeof buf, "[ Cancel ]");
	draw_text(dc, row, x + 2, 10, buf, d->focus == 0 ? THEME_SELECTED : THEME_DIALOG, 0, 0);
	snprintf(buf, sizeof buf, "[ %s ]", d->ok_label);
	draw_text(dc, row, x + 14, w - 16, buf,
		  !ok_enabled(d)  ? THEME_DIM
		  : d->focus == 1 ? THEME_DANGER
				  : THEME_DIALOG,
		  0, 0);
}

/* Select field f, scrolled so that its lines show: coming from below (up
 * set) its end, from above its start, or all of it when it fits. */
static void select_field(struct dialog *d, int f, int up)
{
	int first, last, end_at;

	d->sel = f;
	if (d->nwrap == 0)
		return;
	first = field_line(d, f, 0), last = field_line(d, f, 1);
	end_at = last - d->page + 1; /* the scroll that puts its last line at the foot */
	if (up && first < d->scroll)
		d->scroll = first > end_at ? first : end_at;
	else if (!up && last >= d->scroll + d->page)
		d->scroll = first < end_at ? first : end_at;
}

/* Down (dir 1) or up (-1) in a fields dialog: through a long field's lines
 * first, then to the next field. */
static void fields_step(struct dialog *d, int dir)
{
	if (d->nwrap) {
		int first = field_line(d, d->sel, 0), last = field_line(d, d->sel, 1);
		if (dir > 0 && last >= d->scroll + d->page) {
			d->scroll++;
			return;
		}
		if (dir < 0 && first < d->scroll) {
			d->scroll--;
			return;
		}
	}
	if (d->sel + dir >= 0 && d->sel + dir < d->nfields)
		select_field(d, d->sel + dir, dir < 0);
}

/* A page down (dir 1) or up (-1): the lines scroll by a page; the field at
 * the top becomes the selected one. */
static void fields_page(struct dialog *d, int dir)
{
	int max = d->nwrap - d->page > 0 ? d->nwrap - d->page : 0;

	if (d->nwrap == 0)
		return;
	d->scroll += dir * (d->page > 1 ? d->page - 1 : 1);
	if (d->scroll > max)
		d->scroll = max;
	if (d->scroll < 0)
		d->scroll = 0;
	d->sel = d->wrap[d->scroll].field;
	if (dir > 0 && d->scroll == max)
		d->sel = d->nfields - 1;
}

/* A key in a fields dialog, by its action in actions.def. */
static int fields_key(struct dialog *d, int key)
{
	switch (action_for_key(key)) {
	case ACT_DOWN:
		fields_step(d, 1);
		break;
	case ACT_UP:
		fields_step(d, -1);
		break;
	case ACT_PAGE_DOWN:
		fields_page(d, 1);
		break;
	case ACT_PAGE_UP:
		fields_page(d, -1);
		break;
	case ACT_TOP:
		d->sel = 0, d->scroll = 0;
		break;
	case ACT_BOTTOM:
		d->sel = d->nfields - 1;
		d->scroll = d->nwrap - d->page > 0 ? d->nwrap - d->page : 0;
		break;
	case ACT_COPY:
		return DIALOG_COPY;
	case ACT_BACK:
	case ACT_ENTER:
	case ACT_QUIT:
	case ACT_FIELDS:
		return DIALOG_CANCEL;
	default:
		break;
	}
	return DIALOG_OPEN;
}

int dialog_key(struct dialog *d, int key, int is_wide)
{
	if (d->nfields)
		return fields_key(d, key);
	if (is_wide && key == 27)
		return 1;
	if ((is_wide && key == '\t') ||
	    (!is_wide && (key == KEY_LEFT || key == KEY_RIGHT || key == KEY_BTAB))) {
		d->focus = !d->focus;
		return 0;
	}
	if ((is_wide && (key == '\n' || key == '\r')) || (!is_wide && key == KEY_ENTER)) {
		if (d->focus == 0 || d->confirm == NULL)
			return 1;
		return ok_enabled(d) ? 2 : 0;
	}
	if (d->expect) /* typing goes to the confirmation field */
		input_key(&d->typed, key, is_wide);
	return 0;
}

void dialog_free(struct dialog *d)
{
	if (d == NULL)
		return;
	if (d->discard)
		d->discard(d->ctx);
	free(d->title);
	free(d->ok_label);
	free(d->expect);
	for (int i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	for (int i = 0; i < d->nfields; i++) {
		free(d->ftitle[i]);
		free(d->fvalue[i]);
	}
	free(d->ftitle);
	free(d->fvalue);
	free(d->wrap);
	free(d);
}
