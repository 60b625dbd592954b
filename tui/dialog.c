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

void dialog_draw(struct app *a, const struct dialog *d)
{
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

int dialog_key(struct dialog *d, int key, int is_wide)
{
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
	free(d);
}
