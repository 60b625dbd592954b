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
};

/* A dialog titled title with an OK button named ok_label; expect may be NULL.
 * Without confirm it only informs: one button, ok_label ("Close"). */
struct dialog *dialog_new(const char *title, const char *ok_label, const char *expect,
			  void (*confirm)(struct app *, void *), void (*discard)(void *),
			  void *ctx);
/* Add a line of explanation (printf-style; sanitised when drawn). */
void dialog_line(struct dialog *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add "label  text", text wrapped after a comma or space onto as many lines
 * as it needs (up to the dialog's limit), so a long value is never cut. */
void dialog_field(struct dialog *d, const char *label, const char *text);
void dialog_draw(struct app *a, const struct dialog *d);
/* Handle a key: 0 still open, 1 cancelled, 2 confirmed. */
int dialog_key(struct dialog *d, int key, int is_wide);
void dialog_free(struct dialog *d);

#endif
