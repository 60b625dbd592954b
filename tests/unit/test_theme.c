/* test_theme.c: the theme line parser, file loading with warnings, the theme
 * search path, the shipped themes, and mapping colours down to 256/16/8.
 * theme_apply needs a terminal and is left to the TUI tests. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "theme.h"

#define MAX_WARNINGS 8

/* Warnings collected through the theme_warn_fn callback. */
struct warnings {
	int n;
	char msg[MAX_WARNINGS][1024];
};

/* A temporary $XDG_CONFIG_HOME with mlconsole/themes inside. */
struct xdg {
	char root[512];
	char themes[544];
	char *saved;
};

static const char *const shipped[] = {"default", "light", "mono", "prod-alert"};

/* theme_warn_fn that records each message. */
static void collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	if (w->n < MAX_WARNINGS)
		snprintf(w->msg[w->n], sizeof w->msg[w->n], "%s", msg);
	w->n++;
}

/* Parse line into a fresh built-in theme; returns theme_parse_line's result. */
static int parse(struct theme *t, const char *line, struct mlc_error *err)
{
	theme_builtin(t);
	mlc_error_clear(err);
	return theme_parse_line(t, line, err);
}

/* Path of a shipped theme in the source tree. */
static void shipped_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/themes/%s.theme", MLC_SRCDIR, name);
}

/* Setup: point XDG_CONFIG_HOME at a new empty folder (xdg) in the
 * program's temporary folder. */
static int xdg_setup(void **state)
{
	struct xdg *x = calloc(1, sizeof *x);
	const char *old = getenv("XDG_CONFIG_HOME");

	if (x == NULL)
		return -1;
	snprintf(x->root, sizeof x->root, "%s", tu_path("xdg"));
	snprintf(x->themes, sizeof x->themes, "%s/mlconsole/themes", x->root);
	tu_mkparents(tu_path("xdg/mlconsole/themes/"));
	x->saved = old != NULL ? strdup(old) : NULL;
	setenv("XDG_CONFIG_HOME", x->root, 1);
	*state = x;
	return 0;
}

/* Teardown: empty the folder again and restore XDG_CONFIG_HOME. */
static int xdg_teardown(void **state)
{
	struct xdg *x = *state;
	char path[1024];

	snprintf(path, sizeof path, "%s/light.theme", x->themes);
	unlink(path);
	if (x->saved != NULL)
		setenv("XDG_CONFIG_HOME", x->saved, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(x->saved);
	free(x);
	return 0;
}

/* Role names round-trip through theme_role_name. */
static void test_role_names_are_the_file_names(void **state)
{
	assert_string_equal(theme_role_name(THEME_NORMAL), "normal");
	assert_string_equal(theme_role_name(THEME_SELECTED), "selected");
	assert_string_equal(theme_role_name(THEME_FILTER), "filter");
}

static void test_builtin_is_named_default(void **state)
{
	struct theme t;

	theme_builtin(&t);
	assert_string_equal(t.name, "default");
	assert_int_equal(t.roles[THEME_SELECTED].mono_attrs, TATTR_REVERSE);
}

static void test_parse_colour_by_name(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "error = magenta", &err), 0);
	assert_int_equal(t.roles[THEME_ERROR].fg, 5);
	assert_int_equal(t.roles[THEME_ERROR].bg, THEME_COLOUR_DEFAULT);
	assert_int_equal(t.roles[THEME_ERROR].attrs, 0);
}

static void test_parse_bright_and_grey_names(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "ok = brightgreen on bright-blue", &err), 0);
	assert_int_equal(t.roles[THEME_OK].fg, 10);
	assert_int_equal(t.roles[THEME_OK].bg, 12);
	assert_int_equal(parse(&t, "dim = gray on grey", &err), 0);
	assert_int_equal(t.roles[THEME_DIM].fg, 8);
	assert_int_equal(t.roles[THEME_DIM].bg, 8);
}

static void test_parse_none_is_default_colour(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "selected = none on default", &err), 0);
	assert_int_equal(t.roles[THEME_SELECTED].fg, THEME_COLOUR_DEFAULT);
	assert_int_equal(t.roles[THEME_SELECTED].bg, THEME_COLOUR_DEFAULT);
}

static void test_parse_colour_by_index(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "warn = 208", &err), 0);
	assert_int_equal(t.roles[THEME_WARN].fg, 208);
	assert_int_equal(parse(&t, "warn = 0 on 255", &err), 0);
	assert_int_equal(t.roles[THEME_WARN].fg, 0);
	assert_int_equal(t.roles[THEME_WARN].bg, 255);
}

static void test_parse_colour_rrggbb(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "title = #1A2b3C", &err), 0);
	assert_int_equal(t.roles[THEME_TITLE].fg, THEME_RGB | 0x1a2b3c);
}

static void test_parse_colour_rgb_short(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "title = #f80", &err), 0);
	assert_int_equal(t.roles[THEME_TITLE].fg, THEME_RGB | 0xff8800);
}

static void test_parse_background_after_on(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "header = white on blue bold", &err), 0);
	assert_int_equal(t.roles[THEME_HEADER].fg, 7);
	assert_int_equal(t.roles[THEME_HEADER].bg, 4);
	assert_int_equal(t.roles[THEME_HEADER].attrs, TATTR_BOLD);
}

static void test_parse_background_only(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "badge = on red", &err), 0);
	assert_int_equal(t.roles[THEME_BADGE].fg, THEME_COLOUR_DEFAULT);
	assert_int_equal(t.roles[THEME_BADGE].bg, 1);
}

static void test_parse_every_attribute(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "key = red bold dim underline reverse italic standout", &err),
			 0);
	assert_int_equal(t.roles[THEME_KEY].attrs, TATTR_BOLD | TATTR_DIM | TATTR_UNDERLINE |
						       TATTR_REVERSE | TATTR_ITALIC |
						       TATTR_STANDOUT);
}

/* A line gives the role's whole look: no colours named means default colours. */
static void test_parse_attributes_only_resets_colours(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "selected = reverse", &err), 0);
	assert_int_equal(t.roles[THEME_SELECTED].fg, THEME_COLOUR_DEFAULT);
	assert_int_equal(t.roles[THEME_SELECTED].bg, THEME_COLOUR_DEFAULT);
	assert_int_equal(t.roles[THEME_SELECTED].attrs, TATTR_REVERSE);
}

static void test_parse_is_case_insensitive(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "HEADER = Yellow ON BrightBlue BOLD", &err), 0);
	assert_int_equal(t.roles[THEME_HEADER].fg, 3);
	assert_int_equal(t.roles[THEME_HEADER].bg, 12);
	assert_int_equal(t.roles[THEME_HEADER].attrs, TATTR_BOLD);
}

static void test_parse_tolerates_whitespace(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "  \tfooter=red\ton   green  underline \r\n", &err), 0);
	assert_int_equal(t.roles[THEME_FOOTER].fg, 1);
	assert_int_equal(t.roles[THEME_FOOTER].bg, 2);
	assert_int_equal(t.roles[THEME_FOOTER].attrs, TATTR_UNDERLINE);
}

static void test_parse_comment_changes_nothing(void **state)
{
	struct theme t, before;
	struct mlc_error err;

	theme_builtin(&before);
	assert_int_equal(parse(&t, "   # header = red", &err), 0);
	assert_memory_equal(t.roles, before.roles, sizeof t.roles);
}

static void test_parse_blank_line_changes_nothing(void **state)
{
	struct theme t, before;
	struct mlc_error err;

	theme_builtin(&before);
	assert_int_equal(parse(&t, " \t \n", &err), 0);
	assert_int_equal(parse(&t, "", &err), 0);
	assert_memory_equal(t.roles, before.roles, sizeof t.roles);
}

static void test_parse_hash_colour_is_not_a_comment(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "dim = #808080 on #000", &err), 0);
	assert_int_equal(t.roles[THEME_DIM].fg, THEME_RGB | 0x808080);
	assert_int_equal(t.roles[THEME_DIM].bg, THEME_RGB | 0x000000);
}

static void test_parse_mono_line_sets_only_mono_attrs(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "Mono.Selected = bold underline", &err), 0);
	assert_int_equal(t.roles[THEME_SELECTED].mono_attrs, TATTR_BOLD | TATTR_UNDERLINE);
	assert_int_equal(t.roles[THEME_SELECTED].fg, 0);
	assert_int_equal(t.roles[THEME_SELECTED].bg, 6);
}

static void test_parse_mono_normal_clears_attrs(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "mono.header = normal", &err), 0);
	assert_int_equal(t.roles[THEME_HEADER].mono_attrs, 0);
}

static void test_parse_accepts_every_role_name(void **state)
{
	struct theme t;
	struct mlc_error err;
	char line[64];
	int r;

	for (r = 0; r < THEME_N; r++) {
		snprintf(line, sizeof line, "%s = 200", theme_role_name(r));
		assert_int_equal(parse(&t, line, &err), 0);
		assert_int_equal(t.roles[r].fg, 200);
	}
}

/* Parse a bad line: it must fail as a usage error whose message names token. */
static void assert_bad_line(const char *line, const char *token)
{
	struct theme t, before;
	struct mlc_error err;

	theme_builtin(&before);
	assert_int_equal(parse(&t, line, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	if (strstr(err.msg, token) == NULL)
		fail_msg("message \"%s\" does not name \"%s\"", err.msg, token);
	assert_memory_equal(t.roles, before.roles, sizeof t.roles);
}

static void test_bad_unknown_role_names_it(void **state)
{
	assert_bad_line("heder = red", "'heder'");
	assert_bad_line("mono.heder = bold", "'mono.heder'");
}

static void test_bad_unknown_colour_names_it(void **state)
{
	assert_bad_line("header = purple", "'purple'");
	assert_bad_line("header = red on purple", "'purple'");
}

static void test_bad_index_over_255_names_it(void **state)
{
	assert_bad_line("header = 256", "'256'");
	assert_bad_line("header = red on 99999999999999999999", "'99999999999999999999'");
}

static void test_bad_hex_names_it(void **state)
{
	assert_bad_line("header = #12345", "'#12345'");
	assert_bad_line("header = #ggg", "'#ggg'");
	assert_bad_line("header = red on #", "'#'");
}

static void test_bad_missing_equals_names_the_role(void **state)
{
	assert_bad_line("header red on blue", "missing '='");
	assert_bad_line("header red on blue", "'header'");
}

static void test_bad_unknown_attribute_names_it(void **state)
{
	assert_bad_line("header = red blink", "unknown attribute 'blink'");
	assert_bad_line("mono.header = bold blink", "unknown attribute 'blink'");
}

static void test_bad_colour_in_mono_line_names_it(void **state)
{
	assert_bad_line("mono.header = bold red", "'red'");
}

static void test_bad_empty_value_names_the_role(void **state)
{
	assert_bad_line("header =   ", "'header'");
	assert_bad_line(" = red", "'='");
}

static void test_bad_two_colours_or_backgrounds(void **state)
{
	assert_bad_line("header = red green", "'green'");
	assert_bad_line("header = red on blue on green", "'on'");
	assert_bad_line("header = red on", "'on'");
}

static void test_bad_token_column_is_reported(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(parse(&t, "header = red on purple", &err), -1);
	assert_int_equal(err.column, 17);
}

static void test_load_file_reports_path_and_line_of_each_bad_line(void **state)
{
	const char *path = tu_path("file1.theme");
	char want[128];
	struct theme t;
	struct warnings w = {0};
	struct mlc_error err;

	tu_put(path, "# a theme\nheader = purple\n\nok = cyan\nfooter = 300\nbadge red\n");
	theme_builtin(&t);
	assert_int_equal(theme_load_file(&t, path, collect, &w, &err), 0);
	assert_int_equal(w.n, 3);
	snprintf(want, sizeof want, "%s:2: ", path);
	assert_true(strncmp(w.msg[0], want, strlen(want)) == 0);
	assert_non_null(strstr(w.msg[0], "'purple'"));
	snprintf(want, sizeof want, "%s:5: ", path);
	assert_true(strncmp(w.msg[1], want, strlen(want)) == 0);
	assert_non_null(strstr(w.msg[1], "'300'"));
	snprintf(want, sizeof want, "%s:6: ", path);
	assert_true(strncmp(w.msg[2], want, strlen(want)) == 0);
}

static void test_load_file_bad_line_keeps_previous_value(void **state)
{
	const char *path = tu_path("file2.theme");
	struct theme t;
	struct warnings w = {0};
	struct mlc_error err;

	tu_put(path, "header = green\nheader = red on purple\nok = cyan\n");
	theme_builtin(&t);
	assert_int_equal(theme_load_file(&t, path, collect, &w, &err), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(t.roles[THEME_HEADER].fg, 2);
	assert_int_equal(t.roles[THEME_HEADER].bg, THEME_COLOUR_DEFAULT);
	assert_int_equal(t.roles[THEME_OK].fg, 6);
}

static void test_load_file_without_warn_callback(void **state)
{
	const char *path = tu_path("file3.theme");
	struct theme t;
	struct mlc_error err;

	tu_put(path, "header = purple\nok = cyan\n");
	theme_builtin(&t);
	assert_int_equal(theme_load_file(&t, path, NULL, NULL, &err), 0);
	assert_int_equal(t.roles[THEME_OK].fg, 6);
}

static void test_load_file_missing_fails_naming_path(void **state)
{
	struct theme t;
	struct mlc_error err;

	theme_builtin(&t);
	assert_int_equal(theme_load_file(&t, "/nonexistent/x.theme", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/x.theme"));
	assert_non_null(strstr(err.msg, "No such file"));
}

static void test_load_file_of_a_folder_fails(void **state)
{
	struct theme t;
	struct mlc_error err;

	theme_builtin(&t);
	assert_int_equal(theme_load_file(&t, "/tmp", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "/tmp"));
}

static void test_shipped_themes_load_without_warnings(void **state)
{
	char path[4096];
	struct theme t;
	struct warnings w = {0};
	struct mlc_error err;
	size_t i;

	for (i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		shipped_path(path, sizeof path, shipped[i]);
		theme_builtin(&t);
		if (theme_load_file(&t, path, collect, &w, &err) != 0)
			fail_msg("%s", err.msg);
		if (w.n > 0)
			fail_msg("%s", w.msg[0]);
	}
}

static void test_shipped_themes_start_with_a_comment(void **state)
{
	char path[4096], first[256];
	size_t i;

	for (i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		FILE *f;

		shipped_path(path, sizeof path, shipped[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(first, sizeof first, f));
		fclose(f);
		assert_int_equal(first[0], '#');
	}
}

/* Mapped down to 16 or 8 colours, no role of a shipped theme loses its text
 * into its own background. */
static void test_shipped_themes_keep_text_visible_at_16_and_8(void **state)
{
	static const int depths[] = {16, 8};
	char path[4096];
	struct theme t;
	struct mlc_error err;
	size_t i, d;
	int r;

	for (i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		shipped_path(path, sizeof path, shipped[i]);
		theme_builtin(&t);
		assert_int_equal(theme_load_file(&t, path, NULL, NULL, &err), 0);
		for (r = 0; r < THEME_N; r++) {
			for (d = 0; d < 2; d++) {
				int fg = theme_colour_down(t.roles[r].fg, depths[d]);
				int bg = theme_colour_down(t.roles[r].bg, depths[d]);
				if (fg == bg && fg != THEME_COLOUR_DEFAULT)
					fail_msg("%s: %s at %d colours", shipped[i],
						 theme_role_name(r), depths[d]);
			}
		}
	}
}

static void test_mono_theme_has_default_colours_for_every_role(void **state)
{
	char path[4096];
	struct theme t;
	struct mlc_error err;
	int r;

	shipped_path(path, sizeof path, "mono");
	theme_builtin(&t);
	assert_int_equal(theme_load_file(&t, path, NULL, NULL, &err), 0);
	for (r = 0; r < THEME_N; r++) {
		assert_int_equal(t.roles[r].fg, THEME_COLOUR_DEFAULT);
		assert_int_equal(t.roles[r].bg, THEME_COLOUR_DEFAULT);
	}
	assert_int_equal(t.roles[THEME_SELECTED].attrs, TATTR_REVERSE);
}

/* default.theme spells out every role, colour and mono look of the built-in. */
static void test_default_theme_file_matches_builtin(void **state)
{
	char path[4096];
	struct theme t, builtin;
	struct mlc_error err;
	int r;

	theme_builtin(&builtin);
	memset(&t, 0, sizeof t);
	for (r = 0; r < THEME_N; r++) {
		t.roles[r].fg = t.roles[r].bg = 99;
		t.roles[r].attrs = t.roles[r].mono_attrs = TATTR_ITALIC;
	}
	shipped_path(path, sizeof path, "default");
	assert_int_equal(theme_load_file(&t, path, NULL, NULL, &err), 0);
	for (r = 0; r < THEME_N; r++) {
		assert_int_equal(t.roles[r].fg, builtin.roles[r].fg);
		assert_int_equal(t.roles[r].bg, builtin.roles[r].bg);
		assert_int_equal(t.roles[r].attrs, builtin.roles[r].attrs);
		assert_int_equal(t.roles[r].mono_attrs, builtin.roles[r].mono_attrs);
	}
}

static void test_prod_alert_header_and_badge_are_red(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(theme_load(&t, "prod-alert", NULL, NULL, NULL, &err), 0);
	assert_int_equal(t.roles[THEME_HEADER].bg, 1);
	assert_int_equal(t.roles[THEME_FOOTER].bg, 1);
	assert_int_equal(t.roles[THEME_BADGE].bg, 9);
}

static void test_load_finds_shipped_theme_and_names_it(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(theme_load(&t, "light", NULL, NULL, NULL, &err), 0);
	assert_string_equal(t.name, "light");
	assert_int_equal(t.roles[THEME_TITLE].fg, 4);
}

static void test_load_default_is_the_builtin(void **state)
{
	struct theme t, builtin;
	struct mlc_error err;

	theme_builtin(&builtin);
	assert_int_equal(theme_load(&t, "default", "/nonexistent", NULL, NULL, &err), 0);
	assert_string_equal(t.name, "default");
	assert_memory_equal(t.roles, builtin.roles, sizeof t.roles);
}

static void test_load_unknown_name_is_usage_error(void **state)
{
	struct xdg *x = *state;
	struct theme t;
	struct mlc_error err;

	assert_int_equal(theme_load(&t, "no-such-theme", "/opt/mlc", NULL, NULL, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, "unknown theme 'no-such-theme'"));
	assert_non_null(strstr(err.msg, x->themes));
	assert_non_null(strstr(err.msg, "/opt/mlc/themes"));
	assert_string_equal(t.name, "default");
}

static void test_load_refuses_name_with_slash(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(theme_load(&t, "themes/default", NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_int_equal(theme_load(&t, "/etc/passwd", NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
}

static void test_load_refuses_dotdot(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(theme_load(&t, "../themes/default", NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_int_equal(theme_load(&t, "..", NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
}

static void test_load_refuses_empty_name(void **state)
{
	struct theme t;
	struct mlc_error err;

	assert_int_equal(theme_load(&t, "", NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
}

static void test_load_xdg_theme_overrides_shipped(void **state)
{
	struct xdg *x = *state;
	char path[600];
	struct theme t;
	struct warnings w = {0};
	struct mlc_error err;

	snprintf(path, sizeof path, "%s/light.theme", x->themes);
	tu_put(path, "# mine\nheader = green\nfooter = nonsense\n");
	assert_int_equal(theme_load(&t, "light", NULL, collect, &w, &err), 0);
	assert_string_equal(t.name, "light");
	assert_int_equal(t.roles[THEME_HEADER].fg, 2);
	assert_int_equal(t.roles[THEME_HEADER].bg, THEME_COLOUR_DEFAULT);
	/* the shipped light.theme was not read: title is still the built-in's */
	assert_int_equal(t.roles[THEME_TITLE].fg, 14);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msg[0], path));
}

static void test_down_default_stays_default(void **state)
{
	assert_int_equal(theme_colour_down(THEME_COLOUR_DEFAULT, 256), THEME_COLOUR_DEFAULT);
	assert_int_equal(theme_colour_down(THEME_COLOUR_DEFAULT, 16), THEME_COLOUR_DEFAULT);
	assert_int_equal(theme_colour_down(THEME_COLOUR_DEFAULT, 8), THEME_COLOUR_DEFAULT);
}

static void test_down_256_keeps_indices(void **state)
{
	assert_int_equal(theme_colour_down(0, 256), 0);
	assert_int_equal(theme_colour_down(196, 256), 196);
	assert_int_equal(theme_colour_down(255, 256), 255);
}

static void test_down_rgb_red_to_256_is_196(void **state)
{
	assert_int_equal(theme_colour_down(THEME_RGB | 0xff0000, 256), 196);
}

static void test_down_rgb_grey_to_256_is_on_the_ramp(void **state)
{
	assert_int_equal(theme_colour_down(THEME_RGB | 0x808080, 256), 244);
	assert_int_equal(theme_colour_down(THEME_RGB | 0x000000, 256), 16);
	assert_int_equal(theme_colour_down(THEME_RGB | 0xffffff, 256), 231);
}

static void test_down_rgb_to_256_nearest_cube(void **state)
{
	/* #5f87af is exactly cube (1,2,3); #5a8ab0 is nearest to it */
	assert_int_equal(theme_colour_down(THEME_RGB | 0x5f87af, 256), 67);
	assert_int_equal(theme_colour_down(THEME_RGB | 0x5a8ab0, 256), 67);
}

static void test_down_16_keeps_low_indices(void **state)
{
	assert_int_equal(theme_colour_down(4, 16), 4);
	assert_int_equal(theme_colour_down(12, 16), 12);
}

static void test_down_196_to_16_is_bright_red(void **state)
{
	assert_int_equal(theme_colour_down(196, 16), 9);
}

static void test_down_rgb_to_16(void **state)
{
	assert_int_equal(theme_colour_down(THEME_RGB | 0xff0000, 16), 9);
	assert_int_equal(theme_colour_down(THEME_RGB | 0x808080, 16), 8);
	assert_int_equal(theme_colour_down(THEME_RGB | 0x000010, 16), 0);
}

static void test_down_grey_ramp_to_16(void **state)
{
	assert_int_equal(theme_colour_down(232, 16), 0);
	assert_int_equal(theme_colour_down(255, 16), 7);
}

static void test_down_196_to_8_is_red(void **state)
{
	assert_int_equal(theme_colour_down(196, 8), 1);
}

static void test_down_15_to_8_is_white(void **state)
{
	assert_int_equal(theme_colour_down(15, 8), 7);
	assert_int_equal(theme_colour_down(8, 8), 0);
	assert_int_equal(theme_colour_down(3, 8), 3);
}

static int group_setup(void **state)
{
	(void)state;
	return tu_tmpdir("theme");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_role_names_are_the_file_names),
	    cmocka_unit_test(test_builtin_is_named_default),
	    cmocka_unit_test(test_parse_colour_by_name),
	    cmocka_unit_test(test_parse_bright_and_grey_names),
	    cmocka_unit_test(test_parse_none_is_default_colour),
	    cmocka_unit_test(test_parse_colour_by_index),
	    cmocka_unit_test(test_parse_colour_rrggbb),
	    cmocka_unit_test(test_parse_colour_rgb_short),
	    cmocka_unit_test(test_parse_background_after_on),
	    cmocka_unit_test(test_parse_background_only),
	    cmocka_unit_test(test_parse_every_attribute),
	    cmocka_unit_test(test_parse_attributes_only_resets_colours),
	    cmocka_unit_test(test_parse_is_case_insensitive),
	    cmocka_unit_test(test_parse_tolerates_whitespace),
	    cmocka_unit_test(test_parse_comment_changes_nothing),
	    cmocka_unit_test(test_parse_blank_line_changes_nothing),
	    cmocka_unit_test(test_parse_hash_colour_is_not_a_comment),
	    cmocka_unit_test(test_parse_mono_line_sets_only_mono_attrs),
	    cmocka_unit_test(test_parse_mono_normal_clears_attrs),
	    cmocka_unit_test(test_parse_accepts_every_role_name),
	    cmocka_unit_test(test_bad_unknown_role_names_it),
	    cmocka_unit_test(test_bad_unknown_colour_names_it),
	    cmocka_unit_test(test_bad_index_over_255_names_it),
	    cmocka_unit_test(test_bad_hex_names_it),
	    cmocka_unit_test(test_bad_missing_equals_names_the_role),
	    cmocka_unit_test(test_bad_unknown_attribute_names_it),
	    cmocka_unit_test(test_bad_colour_in_mono_line_names_it),
	    cmocka_unit_test(test_bad_empty_value_names_the_role),
	    cmocka_unit_test(test_bad_two_colours_or_backgrounds),
	    cmocka_unit_test(test_bad_token_column_is_reported),
	    cmocka_unit_test(test_load_file_reports_path_and_line_of_each_bad_line),
	    cmocka_unit_test(test_load_file_bad_line_keeps_previous_value),
	    cmocka_unit_test(test_load_file_without_warn_callback),
	    cmocka_unit_test(test_load_file_missing_fails_naming_path),
	    cmocka_unit_test(test_load_file_of_a_folder_fails),
	    cmocka_unit_test(test_shipped_themes_load_without_warnings),
	    cmocka_unit_test(test_shipped_themes_start_with_a_comment),
	    cmocka_unit_test(test_shipped_themes_keep_text_visible_at_16_and_8),
	    cmocka_unit_test(test_mono_theme_has_default_colours_for_every_role),
	    cmocka_unit_test(test_default_theme_file_matches_builtin),
	    cmocka_unit_test_setup_teardown(test_prod_alert_header_and_badge_are_red, xdg_setup,
					    xdg_teardown),
	    cmocka_unit_test_setup_teardown(test_load_finds_shipped_theme_and_names_it, xdg_setup,
					    xdg_teardown),
	    cmocka_unit_test_setup_teardown(test_load_default_is_the_builtin, xdg_setup,
					    xdg_teardown),
	    cmocka_unit_test_setup_teardown(test_load_unknown_name_is_usage_error, xdg_setup,
					    xdg_teardown),
	    cmocka_unit_test(test_load_refuses_name_with_slash),
	    cmocka_unit_test(test_load_refuses_dotdot),
	    cmocka_unit_test(test_load_refuses_empty_name),
	    cmocka_unit_test_setup_teardown(test_load_xdg_theme_overrides_shipped, xdg_setup,
					    xdg_teardown),
	    cmocka_unit_test(test_down_default_stays_default),
	    cmocka_unit_test(test_down_256_keeps_indices),
	    cmocka_unit_test(test_down_rgb_red_to_256_is_196),
	    cmocka_unit_test(test_down_rgb_grey_to_256_is_on_the_ramp),
	    cmocka_unit_test(test_down_rgb_to_256_nearest_cube),
	    cmocka_unit_test(test_down_16_keeps_low_indices),
	    cmocka_unit_test(test_down_196_to_16_is_bright_red),
	    cmocka_unit_test(test_down_rgb_to_16),
	    cmocka_unit_test(test_down_grey_ramp_to_16),
	    cmocka_unit_test(test_down_196_to_8_is_red),
	    cmocka_unit_test(test_down_15_to_8_is_white),
	};

	return cmocka_run_group_tests(tests, group_setup, tu_group_teardown);
}
