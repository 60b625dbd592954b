/* dialog.h: the confirmation dialog every change goes through — it names
 * exactly what will change, opens focused on Cancel, and for the last
 * environment in the order asks the user to type the model's name. */
#ifndef MLC_DIALOG_H
#define MLC_DIALOG_H
#include "input.h"

struct app;

#define DIALOG_LINES 12

struct dialog {
	char *title;
	char *lines[DIALOG_LINES];
	int nlines;
	char *ok_label;
	char *expect; /* non-NULL: OK works only once this has been typed */
	struct input typed;
	int focus; /* 0: Cancel, 1: OK */
	void (*confirm)(struct app *a, void *ctx);
	void (*discard)(void *ctx); /* frees ctx (also after confirm) */
	void *ctx;
	/* a row's fields (dialog_fields_new): titles and whole values, one
	 * selected; wrapped at each draw into lines the keys move over */
	char **ftitle, **fvalue;
	int nfields, sel, scroll;
	struct dialog_wrap *wrap;
	int nwrap, page;
};

/* dialog_key's answers. */
enum { DIALOG_OPEN, DIALOG_CANCEL, DIALOG_CONFIRM, DIALOG_COPY };

/* A dialog titled title with an OK button named ok_label; expect may be NULL.
 * Without confirm it only informs: one button, ok_label ("Close"). */
struct dialog *dialog_new(const char *title, const char *ok_label, const char *expect,
			  void (*confirm)(struct app *, void *), void (*discard)(void *),
			  void *ctx);
/* A dialog that shows fields whole: titled title, one Close; keys move the
 * selection and scroll, the copy key answers DIALOG_COPY. */
struct dialog *dialog_fields_new(const char *title);
/* Add the field title = value (both sanitised here). */
void dialog_add_field(struct dialog *d, const char *title, const char *value);
/* The selected field's value (sanitised), NULL when there are no fields. */
const char *dialog_selected(const struct dialog *d, const char **title);
/* Add a line of explanation (printf-style; sanitised when drawn). */
void dialog_line(struct dialog *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add "label  text", text wrapped after a comma or space onto as many lines
 * as it needs (up to the dialog's limit), so a long value is never cut. */
void dialog_field(struct dialog *d, const char *label, const char *text);
void dialog_draw(struct app *a, struct dialog *d);
/* Handle a key: DIALOG_OPEN (still open), DIALOG_CANCEL, DIALOG_CONFIRM, or
 * DIALOG_COPY (a fields dialog: copy the selected value). */
int dialog_key(struct dialog *d, int key, int is_wide);
void dialog_free(struct dialog *d);

#endif
