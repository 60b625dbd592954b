/* theme.c: colour themes — the built-in palette, the NAME.theme parser and
 * search path, mapping colours down to what the terminal has (256 → 16 → 8, as
 * tmux's colour.c does), and turning a theme into curses colour pairs. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include "theme.h"

/* A word of a theme line: not NUL-terminated. */
struct tok {
	const char *s;
	size_t n;
};

/* A role's colour line being parsed; committed only when the whole line is good. */
struct spec {
	int fg, bg, have_fg, have_bg, nattrs;
	unsigned attrs;
};

enum { C_BLACK, C_RED, C_GREEN, C_YELLOW, C_BLUE, C_MAGENTA, C_CYAN, C_WHITE, C_BRIGHT };

#define DFLT THEME_COLOUR_DEFAULT
#define BOLD TATTR_BOLD
#define REV TATTR_REVERSE
#define UNDER TATTR_UNDERLINE

/* The default dark palette; themes/default.theme spells out the same. */
static const struct theme_style builtin_styles[THEME_N] = {
    [THEME_NORMAL] = {DFLT, DFLT, 0, 0},
    [THEME_HEADER] = {C_BRIGHT + C_WHITE, C_BLUE, BOLD, REV | BOLD},
    [THEME_FOOTER] = {C_WHITE, C_BLUE, 0, REV},
    [THEME_TITLE] = {C_BRIGHT + C_CYAN, DFLT, BOLD, BOLD},
    [THEME_COLUMN] = {C_BLACK, C_GREEN, 0, UNDER},
    [THEME_SELECTED] = {C_BLACK, C_CYAN, 0, REV},
    [THEME_MARKED] = {C_BRIGHT + C_YELLOW, DFLT, BOLD, BOLD},
    [THEME_DIM] = {C_BRIGHT + C_BLACK, DFLT, 0, TATTR_DIM},
    [THEME_KEY] = {C_BRIGHT + C_YELLOW, C_BLUE, BOLD, REV | BOLD},
    [THEME_STATUS] = {C_BRIGHT + C_CYAN, C_BLUE, 0, REV},
    [THEME_ERROR] = {C_RED, DFLT, BOLD, BOLD | UNDER},
    [THEME_WARN] = {C_YELLOW, DFLT, 0, BOLD},
    [THEME_OK] = {C_GREEN, DFLT, 0, 0},
    [THEME_DRIFT] = {C_BRIGHT + C_RED, DFLT, BOLD, BOLD | UNDER}, /* reverse is the cursor */
    [THEME_BADGE] = {C_BLACK, C_YELLOW, BOLD, REV | BOLD},
    [THEME_DIALOG] = {C_BLACK, C_WHITE, 0, 0},
    [THEME_DANGER] = {C_BRIGHT + C_WHITE, C_RED, BOLD, BOLD | REV},
    [THEME_FILTER] = {C_BLACK, C_YELLOW, 0, UNDER},
};

static const char *const role_names[THEME_N] = {
#define THEME_NAME(r, s) s,
    THEME_ROLES(THEME_NAME)
#undef THEME_NAME
};

static const char *const colour_names[8] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bits;
} attr_names[] = {
    {"bold", TATTR_BOLD},	    {"dim", TATTR_DIM},
    {"underline", TATTR_UNDERLINE}, {"underscore", TATTR_UNDERLINE},
    {"reverse", TATTR_REVERSE},	    {"italic", TATTR_ITALIC},
    {"standout", TATTR_STANDOUT},   {"normal", 0},
};

/* The standard xterm values of the 16 ANSI colours. */
static const int ansi16[16][3] = {
    {0x00, 0x00, 0x00}, {0xcd, 0x00, 0x00}, {0x00, 0xcd, 0x00}, {0xcd, 0xcd, 0x00},
    {0x00, 0x00, 0xee}, {0xcd, 0x00, 0xcd}, {0x00, 0xcd, 0xcd}, {0xe5, 0xe5, 0xe5},
    {0x7f, 0x7f, 0x7f}, {0xff, 0x00, 0x00}, {0x00, 0xff, 0x00}, {0xff, 0xff, 0x00},
    {0x5c, 0x5c, 0xff}, {0xff, 0x00, 0xff}, {0x00, 0xff, 0xff}, {0xff, 0xff, 0xff},
};

/* The six levels of each axis of the xterm 6x6x6 colour cube. */
static const int cube_levels[6] = {0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff};

/* Fill t with the built-in default theme. */
void theme_builtin(struct theme *t)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "default");
	memcpy(t->roles, builtin_styles, sizeof t->roles);
}

/* The name of role r in theme files. */
const char *theme_role_name(enum theme_role r)
{
	if ((int)r < 0 || r >= THEME_N)
		return "?";
	return role_names[r];
}

/* Whether token w is the word s, ignoring case. */
static int tok_is(struct tok w, const char *s)
{
	return strlen(s) == w.n && strncasecmp(w.s, s, w.n) == 0;
}

/* The next whitespace-separated word at or after *p; n == 0 at the end. */
static struct tok next_tok(const char **p)
{
	struct tok w;

	while (isspace((unsigned char)**p))
		(*p)++;
	w.s = *p;
	while (**p != '\0' && !isspace((unsigned char)**p))
		(*p)++;
	w.n = (size_t)(*p - w.s);
	return w;
}

/* Copy w into buf for a message: shortened, control bytes shown as '?'. */
static const char *tok_quote(struct tok w, char *buf, size_t size)
{
	size_t i, n = w.n < size - 1 ? w.n : size - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w.s[i];
		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (n < w.n && n >= 3)
		memcpy(buf + n - 3, "...", 3);
	buf[n] = '\0';
	return buf;
}

/* Fail with "WHAT 'TOKEN'TAIL", pointing err->column at the token. */
static int bad_tok(struct mlc_error *err, const char *line, struct tok w, const char *what,
		   const char *tail)
{
	char q[48];

	mlc_error_set(err, MLC_ERR_USAGE, "%s '%s'%s", what, tok_quote(w, q, sizeof q), tail);
	if (err != NULL)
		err->column = (int)(w.s - line) + 1;
	return -1;
}

/* Parse hex digits of w (after the '#') into an RGB colour; -1 if malformed. */
static int parse_hex(struct tok w)
{
	unsigned v = 0;
	size_t i;

	if (w.n != 3 && w.n != 6)
		return -1;
	for (i = 0; i < w.n; i++) {
		int c = tolower((unsigned char)w.s[i]);
		unsigned d;

		if (!isxdigit(c))
			return -1;
		d = isdigit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
		v = w.n == 3 ? v << 8 | d << 4 | d : v << 4 | d;
	}
	return THEME_RGB | (int)v;
}

/* Parse an all-digit index; -1 if not all digits, 256 if above 255. */
static int parse_index(struct tok w)
{
	int v = 0;
	size_t i;

	if (w.n == 0)
		return -1;
	for (i = 0; i < w.n; i++) {
		if (!isdigit((unsigned char)w.s[i]))
			return -1;
		v = v * 10 + (w.s[i] - '0');
		if (v > 255)
			v = 256;
	}
	return v;
}

/* Look w up among the colour names (default, none, grey, red, brightred…). */
static int parse_colour_name(struct tok w, int *c)
{
	int i, bright = 0;

	if (tok_is(w, "default") || tok_is(w, "none")) {
		*c = DFLT;
		return 0;
	}
	if (tok_is(w, "grey") || tok_is(w, "gray")) {
		*c = C_BRIGHT + C_BLACK;
		return 0;
	}
	if (w.n > 6 && strncasecmp(w.s, "bright", 6) == 0) {
		bright = C_BRIGHT;
		w.s += 6, w.n -= 6;
		if (w.s[0] == '-')
			w.s++, w.n--;
	}
	for (i = 0; i < 8; i++) {
		if (tok_is(w, colour_names[i])) {
			*c = bright + i;
			return 0;
		}
	}
	return 1;
}

/* Parse colour word w into *c: 0 ok, 1 not a colour word (no message), -1 a bad
 * colour (message in err). */
static int parse_colour(const char *line, struct tok w, int *c, struct mlc_error *err)
{
	struct tok digits = w;

	if (w.n > 0 && w.s[0] == '#') {
		struct tok hex = {w.s + 1, w.n - 1};
		if ((*c = parse_hex(hex)) == -1)
			return bad_tok(err, line, w, "bad hex colour", " (want #rgb or #rrggbb)");
		return 0;
	}
	if (w.n > 6 && strncasecmp(w.s, "colour", 6) == 0)
		digits.s += 6, digits.n -= 6;
	else if (w.n > 5 && strncasecmp(w.s, "color", 5) == 0)
		digits.s += 5, digits.n -= 5;
	*c = parse_index(digits);
	if (*c > 255)
		return bad_tok(err, line, w, "colour index", " out of range (0-255)");
	if (*c >= 0)
		return 0;
	return parse_colour_name(w, c);
}

/* Look w up among the attribute names: 0 with the bits ORed into *bits, or 1. */
static int parse_attr(struct tok w, unsigned *bits)
{
	size_t i;

	for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
		if (tok_is(w, attr_names[i].name)) {
			*bits |= attr_names[i].bits;
			return 0;
		}
	}
	return 1;
}

/* Handle "on COLOUR" at *p (the "on" already read as w). */
static int parse_on(const char *line, const char **p, struct tok w, struct spec *sp,
		    struct mlc_error *err)
{
	struct tok c = next_tok(p);
	int rc;

	if (sp->have_bg)
		return bad_tok(err, line, w, "extra", " (background already given)");
	if (c.n == 0)
		return bad_tok(err, line, w, "missing colour after", "");
	rc = parse_colour(line, c, &sp->bg, err);
	if (rc == 1)
		return bad_tok(err, line, c, "unknown colour", "");
	sp->have_bg = 1;
	return rc;
}

/* Handle one word of a colour line that is not "on": an attribute or the fg. */
static int parse_word(const char *line, struct tok w, struct spec *sp, struct mlc_error *err)
{
	int rc, c;

	if (parse_attr(w, &sp->attrs) == 0) {
		sp->nattrs++;
		return 0;
	}
	rc = parse_colour(line, w, &c, err);
	if (rc == -1)
		return -1;
	if (rc == 1 && (sp->have_fg || sp->nattrs > 0))
		return bad_tok(err, line, w, "unknown attribute", "");
	if (rc == 1)
		return bad_tok(err, line, w, "unknown colour or attribute", "");
	if (sp->have_fg)
		return bad_tok(err, line, w, "extra colour", " (foreground already given)");
	sp->fg = c;
	sp->have_fg = 1;
	return 0;
}

/* Parse the value of "role = colour [on colour] [attr…]" (role named by key)
 * into sp. */
static int parse_colour_value(const char *line, struct tok key, const char *p, struct spec *sp,
			      struct mlc_error *err)
{
	struct tok w;
	int n = 0;

	while ((w = next_tok(&p)).n > 0) {
		int rc =
		    tok_is(w, "on") ? parse_on(line, &p, w, sp, err) : parse_word(line, w, sp, err);
		if (rc != 0)
			return -1;
		n++;
	}
	if (n == 0)
		return bad_tok(err, line, key, "missing colour or attributes for", "");
	return 0;
}

/* Parse the value of "mono.role = attr…" (role named by key) into *bits,
 * which is left alone if the value is bad. */
static int parse_mono_value(const char *line, struct tok key, const char *p, unsigned *bits,
			    struct mlc_error *err)
{
	struct tok w;
	unsigned a = 0;
	int n = 0, c;

	while ((w = next_tok(&p)).n > 0) {
		if (parse_attr(w, &a) == 0) {
			n++;
			continue;
		}
		if (parse_colour(line, w, &c, err) == 1)
			return bad_tok(err, line, w, "unknown attribute", "");
		return bad_tok(err, line, w, "colour", " in a mono line (attributes only)");
	}
	if (n == 0)
		return bad_tok(err, line, key, "missing attributes for", "");
	*bits = a;
	return 0;
}

/* Find the role named by key (with "mono." stripped, noting it in *mono). */
static int parse_key(const char *line, struct tok key, int *mono, struct mlc_error *err)
{
	struct tok name = key;
	int r;

	*mono = key.n > 5 && strncasecmp(key.s, "mono.", 5) == 0;
	if (*mono)
		name.s += 5, name.n -= 5;
	for (r = 0; r < THEME_N; r++) {
		if (tok_is(name, role_names[r]))
			return r;
	}
	return bad_tok(err, line, key, "unknown role", "");
}

/* Parse one theme line into t; a bad line leaves t alone. */
int theme_parse_line(struct theme *t, const char *line, struct mlc_error *err)
{
	const char *p = line, *eq;
	struct tok key;
	struct spec sp = {DFLT, DFLT, 0, 0, 0, 0};
	int r, mono;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if ((eq = strchr(p, '=')) == NULL)
		return bad_tok(err, line, next_tok(&p), "missing '=' after", "");
	key.s = p;
	key.n = (size_t)(eq - p);
	while (key.n > 0 && isspace((unsigned char)key.s[key.n - 1]))
		key.n--;
	if (key.n == 0) {
		struct tok w = {eq, 1};
		return bad_tok(err, line, w, "missing role before", "");
	}
	if ((r = parse_key(line, key, &mono, err)) < 0)
		return -1;
	if (mono)
		return parse_mono_value(line, key, eq + 1, &t->roles[r].mono_attrs, err);
	if (parse_colour_value(line, key, eq + 1, &sp, err) != 0)
		return -1;
	t->roles[r].fg = sp.fg;
	t->roles[r].bg = sp.bg;
	t->roles[r].attrs = sp.attrs;
	return 0;
}

/* Parse one line of path, reporting a bad one through warn as "PATH:LINE: msg". */
static void load_line(struct theme *t, const char *path, unsigned lineno, const char *line,
		      theme_warn_fn warn, void *ctx)
{
	struct mlc_error e;
	char msg[PATH_MAX + sizeof e.msg + 32];

	mlc_error_clear(&e);
	if (theme_parse_line(t, line, &e) == 0 || warn == NULL)
		return;
	snprintf(msg, sizeof msg, "%s:%u: %s", path, lineno, e.msg);
	warn(ctx, msg);
}

/* Apply every good line of path to t, warning about the bad ones. */
int theme_load_file(struct theme *t, const char *path, theme_warn_fn warn, void *ctx,
		    struct mlc_error *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0, saved;

	if (f == NULL)
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) != -1)
		load_line(t, path, ++lineno, line, warn, ctx);
	saved = errno;
	if (ferror(f))
		rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(saved));
	free(line);
	fclose(f);
	return rc;
}

/* Whether name is a usable theme name: [A-Za-z0-9_-]+ and fits in t->name. */
static int valid_name(const char *name)
{
	size_t i, n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n >= sizeof(((struct theme *)0)->name))
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return 0;
	}
	return 1;
}

/* Write base + suffix into dst (PATH_MAX bytes); 1 if it fitted, else 0. */
static int dir_set(char *dst, const char *base, const char *suffix)
{
	int n = snprintf(dst, PATH_MAX, "%s%s", base, suffix);

	return n > 0 && n < PATH_MAX;
}

/* The folders searched for NAME.theme, in order; returns how many. */
static int theme_dirs(char dirs[][PATH_MAX], const char *datadir)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n = 0;

	/* XDG: an unset, empty or relative XDG_CONFIG_HOME means ~/.config. */
	if (xdg != NULL && xdg[0] == '/')
		n += dir_set(dirs[n], xdg, "/mlconsole/themes");
	else if (home != NULL && home[0] != '\0')
		n += dir_set(dirs[n], home, "/.config/mlconsole/themes");
	if (datadir != NULL && datadir[0] != '\0')
		n += dir_set(dirs[n], datadir, "/themes");
#ifdef MLC_SRCDIR
	n += dir_set(dirs[n], MLC_SRCDIR, "/themes");
#endif
	return n;
}

/* Fail with "unknown theme 'NAME' (looked in A, B, C)". */
static int unknown_theme(struct mlc_error *err, const char *name, char dirs[][PATH_MAX], int n)
{
	size_t len;
	int i;

	mlc_error_set(err, MLC_ERR_USAGE, "unknown theme '%s' (looked in", name);
	if (err == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len, "%s %s", i ? "," : "", dirs[i]);
	}
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, "%s)", n ? "" : " no folder");
	return -1;
}

int theme_find(const char *name, const char *datadir, char *path, size_t len, struct mlc_error *err)
{
	char dirs[3][PATH_MAX], found[PATH_MAX], q[48];
	int i, n;

	if (!valid_name(name)) {
		struct tok w = {name ? name : "", name ? strlen(name) : 0};
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "bad theme name '%s' (letters, digits, '-' and '_' only)",
				     tok_quote(w, q, sizeof q));
	}
	if (path != NULL && len > 0)
		path[0] = '\0';
	n = theme_dirs(dirs, datadir);
	for (i = 0; i < n; i++) {
		int k = snprintf(found, sizeof found, "%s/%s.theme", dirs[i], name);
		if (k < 0 || k >= (int)sizeof found || access(found, F_OK) != 0)
			continue;
		if (path != NULL && len > 0)
			snprintf(path, len, "%s", found);
		return 0;
	}
	if (strcmp(name, "default") != 0)
		return unknown_theme(err, name, dirs, n);
	return 0;
}

/* Load theme name from the first folder that has it, on top of the built-in. */
int theme_load(struct theme *t, const char *name, const char *datadir, theme_warn_fn warn,
	       void *ctx, struct mlc_error *err)
{
	char path[PATH_MAX];

	theme_builtin(t);
	if (theme_find(name, datadir, path, sizeof path, err) < 0)
		return -1;
	if (path[0] == '\0') /* "default": the built-in */
		return 0;
	if (theme_load_file(t, path, warn, ctx, err) != 0) {
		theme_builtin(t);
		return -1;
	}
	snprintf(t->name, sizeof t->name, "%s", name);
	return 0;
}

/* Squared distance between two RGB colours. */
static int rgb_dist(const int a[3], const int b[3])
{
	int dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];

	return dr * dr + dg * dg + db * db;
}

/* The RGB value of colour c: THEME_RGB | 0xRRGGBB, or the value xterm gives
 * index c (0-255). */
static void colour_rgb(int c, int rgb[3])
{
	if ((c & ~0xffffff) == THEME_RGB) {
		rgb[0] = (c >> 16) & 0xff;
		rgb[1] = (c >> 8) & 0xff;
		rgb[2] = c & 0xff;
	} else if (c < 16) {
		memcpy(rgb, ansi16[c], sizeof ansi16[c]);
	} else if (c < 232) {
		rgb[0] = cube_levels[(c - 16) / 36];
		rgb[1] = cube_levels[(c - 16) / 6 % 6];
		rgb[2] = cube_levels[(c - 16) % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

/* Which of the six cube levels v is nearest (tmux's colour_to_6cube). */
static int cube_axis(int v)
{
	if (v < 48)
		return 0;
	if (v < 114)
		return 1;
	return (v - 35) / 40;
}

/* Nearest xterm-256 index to rgb: the 6x6x6 cube or the grey ramp, whichever
 * is closer (tmux's colour_find_rgb). */
static int rgb_to_256(const int rgb[3])
{
	int q[3], cube[3], grey[3], i, avg, gi;

	for (i = 0; i < 3; i++) {
		q[i] = cube_axis(rgb[i]);
		cube[i] = cube_levels[q[i]];
	}
	i = 16 + 36 * q[0] + 6 * q[1] + q[2];
	if (cube[0] == rgb[0] && cube[1] == rgb[1] && cube[2] == rgb[2])
		return i;
	avg = (rgb[0] + rgb[1] + rgb[2]) / 3;
	gi = avg > 238 ? 23 : (avg - 3) / 10;
	grey[0] = grey[1] = grey[2] = 8 + 10 * gi;
	return rgb_dist(grey, rgb) < rgb_dist(cube, rgb) ? 232 + gi : i;
}

/* Nearest of the 16 ANSI colours to rgb (first wins a tie). */
static int rgb_to_16(const int rgb[3])
{
	int i, best = 0, d, bestd = rgb_dist(ansi16[0], rgb);

	for (i = 1; i < 16; i++) {
		if ((d = rgb_dist(ansi16[i], rgb)) < bestd)
			best = i, bestd = d;
	}
	return best;
}

/* Map c down to a palette of ncolours: 256, 16 or 8. */
int theme_colour_down(int c, int ncolours)
{
	int rgb[3], is_rgb = (c & ~0xffffff) == THEME_RGB;

	if (c < 0 || (!is_rgb && c > 255))
		return DFLT;
	if (ncolours >= 256 && !is_rgb)
		return c;
	colour_rgb(c, rgb);
	if (ncolours >= 256)
		return rgb_to_256(rgb);
	if (is_rgb || c >= 16)
		c = rgb_to_16(rgb);
	return ncolours >= 16 || c < 8 ? c : c - 8;
}

/* The curses attributes for TATTR_* bits. */
static attr_t curses_attrs(unsigned bits)
{
	attr_t a = A_NORMAL;

	if (bits & TATTR_BOLD)
		a |= A_BOLD;
	if (bits & TATTR_DIM)
		a |= A_DIM;
	if (bits & TATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & TATTR_REVERSE)
		a |= A_REVERSE;
#ifdef A_ITALIC
	if (bits & TATTR_ITALIC)
		a |= A_ITALIC;
#endif
	if (bits & TATTR_STANDOUT)
		a |= A_STANDOUT;
	return a;
}

/* Set up pair for style st on a palette of ncolours; returns its attributes.
 * dflt: the terminal takes -1 for its own colours (use_default_colors). */
static long apply_role(const struct theme_style *st, short pair, int ncolours, int dflt)
{
	int fg = theme_colour_down(st->fg, ncolours), bg = theme_colour_down(st->bg, ncolours);
	attr_t a = curses_attrs(st->attrs);

	/* Eight colours: a bright foreground is drawn bold, which most such
	 * terminals show bright (grey would otherwise be black on black). */
	if (ncolours < 16 && theme_colour_down(st->fg, 16) >= 8)
		a |= A_BOLD;
	if (fg == DFLT && !dflt)
		fg = COLOR_WHITE;
	if (bg == DFLT && !dflt)
		bg = COLOR_BLACK;
	init_pair(pair, (short)fg, (short)bg);
	return (long)(COLOR_PAIR(pair) | a);
}

/* Set up colour pairs (or mono attributes) for every role of t. */
void theme_apply(struct theme *t, int no_colour)
{
	int r, ncolours, dflt;

	if (no_colour || !has_colors() || COLORS < 8) {
		for (r = 0; r < THEME_N; r++)
			t->cattr[r] = (long)curses_attrs(t->roles[r].mono_attrs);
		return;
	}
	dflt = use_default_colors() == OK;
	ncolours = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
	for (r = 0; r < THEME_N; r++) {
		if (r + 1 < COLOR_PAIRS)
			t->cattr[r] = apply_role(&t->roles[r], (short)(r + 1), ncolours, dflt);
		else
			t->cattr[r] = (long)curses_attrs(t->roles[r].mono_attrs);
	}
}
