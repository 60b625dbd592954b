/* theme.h: colour themes — semantic roles, the themes/NAME.theme loader, and
 * mapping colours down to what the terminal has (256 → 16 → 8 → mono). */
#ifndef MLC_THEME_H
#define MLC_THEME_H
#include <stddef.h>
#include "error.h"

/* X(role, "name in theme files") */
#define THEME_ROLES(X)                                                                   \
	X(NORMAL, "normal")                                                              \
	X(HEADER, "header")                                                              \
	X(FOOTER, "footer")                                                              \
	X(TITLE, "title")                                                                \
	X(COLUMN, "column")                                                              \
	X(SELECTED, "selected")                                                          \
	X(MARKED, "marked")                                                              \
	X(DIM, "dim")                                                                    \
	X(KEY, "key")                                                                    \
	X(STATUS, "status")                                                              \
	X(ERROR, "error")                                                                \
	X(WARN, "warn")                                                                  \
	X(OK, "ok")                                                                      \
	X(DRIFT, "drift")                                                                \
	X(BADGE, "badge")                                                                \
	X(DIALOG, "dialog")                                                              \
	X(DANGER, "danger")                                                              \
	X(FILTER, "filter")

enum theme_role {
#define THEME_ENUM(r, s) THEME_##r,
	THEME_ROLES(THEME_ENUM)
#undef THEME_ENUM
	THEME_N
};

/* Attribute bits (mapped to curses A_* when applied). */
enum {
	TATTR_BOLD = 1 << 0,
	TATTR_DIM = 1 << 1,
	TATTR_UNDERLINE = 1 << 2,
	TATTR_REVERSE = 1 << 3,
	TATTR_ITALIC = 1 << 4,
	TATTR_STANDOUT = 1 << 5,
};

/* A colour: THEME_COLOUR_DEFAULT, 0-255 (xterm index), or THEME_RGB | 0xRRGGBB. */
#define THEME_COLOUR_DEFAULT (-1)
#define THEME_RGB 0x1000000

struct theme_style {
	int fg, bg;
	unsigned attrs;
	unsigned mono_attrs; /* what the role looks like with no colour at all */
};

struct theme {
	char name[64];
	struct theme_style roles[THEME_N];
	long cattr[THEME_N]; /* curses attributes after theme_apply */
};

typedef void (*theme_warn_fn)(void *ctx, const char *msg);

/* The built-in default theme (the binary works uninstalled). */
void theme_builtin(struct theme *t);
/* Name of role r as written in theme files. */
const char *theme_role_name(enum theme_role r);
/* Parse one line "role = colour [on colour] [attr…]" (comments and blanks ok).
 * Returns 0, or -1 with a message in err (no file/line: the caller adds them). */
int theme_parse_line(struct theme *t, const char *line, struct mlc_error *err);
/* Read path into t on top of what t holds; bad lines are reported through warn
 * as "PATH:LINE: message" and skipped (the role keeps its value). -1 only when
 * the file cannot be read. */
int theme_load_file(struct theme *t, const char *path, theme_warn_fn warn, void *ctx,
		    struct mlc_error *err);
/* Where theme name is, without reading it: the first NAME.theme in the
 * folders theme_load searches into path[len] ("" for the built-in default; path
 * may be NULL). Unknown or bad name: -1 with MLC_ERR_USAGE. */
int theme_find(const char *name, const char *datadir, char *path, size_t len,
	       struct mlc_error *err);
/* Find NAME.theme in $XDG_CONFIG_HOME/mlconsole/themes, then datadir, then the
 * themes/ folder beside the binary's source (uninstalled); "default" always
 * exists (built in). Unknown name: -1 with MLC_ERR_USAGE. */
int theme_load(struct theme *t, const char *name, const char *datadir, theme_warn_fn warn,
	       void *ctx, struct mlc_error *err);
/* Map colour c down to a palette of ncolours (256, 16 or 8); -1 stays -1. */
int theme_colour_down(int c, int ncolours);
/* Set up curses colour pairs for t and fill t->cattr. no_colour: attributes only
 * (NO_COLOR, or a terminal without colours). Call after start_color(). */
void theme_apply(struct theme *t, int no_colour);

#endif
