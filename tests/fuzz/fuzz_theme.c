/* fuzz_theme.c: the theme file reader (tui/theme.c), on top of the built-in
 * theme; every colour it leaves must map down to 256, 16 and 8 colours. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "fuzz.h"
#include "theme.h"

/* A warning callback that checks the message is one line with the path. */
static void warned(void *ctx, const char *msg)
{
	if (strncmp(msg, (const char *)ctx, strlen(ctx)) != 0 || strchr(msg, '\n') != NULL)
		fuzz_fail("a theme warning without its path, or over lines: %s", msg);
}

/* c is a colour theme.h allows. */
static int colour_ok(int c)
{
	return c == THEME_COLOUR_DEFAULT || (c >= 0 && c <= 255) ||
	       (c >= THEME_RGB && c <= (THEME_RGB | 0xffffff));
}

/* Each role's colours, valid and mapped down to every palette size. */
static void check_colours(const struct theme *t)
{
	static const int sizes[] = {256, 16, 8};

	for (int r = 0; r < THEME_N; r++) {
		const int c[2] = {t->roles[r].fg, t->roles[r].bg};

		for (int i = 0; i < 2; i++) {
			if (!colour_ok(c[i]))
				fuzz_fail("role %s has colour %#x", theme_role_name(r), c[i]);
			for (int j = 0; j < 3; j++) {
				int d = theme_colour_down(c[i], sizes[j]);
				if (d < -1 || d >= sizes[j])
					fuzz_fail("colour %#x maps to %d of %d", c[i], d, sizes[j]);
			}
		}
	}
}

/* One input: the theme file on top of the built-in theme. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	struct theme t;
	struct mlc_error err = {0};

	snprintf(path, sizeof path, "%s/fuzz.theme", fuzz_tmpdir());
	if (fuzz_write_file(path, data, size) < 0)
		fuzz_fail("cannot write %s", path);
	theme_builtin(&t);
	if (theme_load_file(&t, path, warned, path, &err) != 0)
		fuzz_fail("theme_load_file could not read %s: %s", path, err.msg);
	check_colours(&t);
	return 0;
}
