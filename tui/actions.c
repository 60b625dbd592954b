/* actions.c: the tables generated from actions.def, and key labels. */
#include "config.h"
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "actions.h"

#define KEY_ESC 27
#define CTRL(c) ((c)&0x1f)

#define X(id, hint, flags, help, ...) static const int keys_##id[] = {__VA_ARGS__, 0};
#include "actions.def"
#undef X

static const struct action_info infos[] = {
    {ACT_NONE, "", 0, "", NULL},
#define X(id, hint, flags, help, ...) {ACT_##id, hint, flags, help, keys_##id},
#include "actions.def"
#undef X
};

enum action action_for_key(int key)
{
	for (int a = 1; a < ACT_N; a++)
		for (const int *k = infos[a].keys; *k; k++)
			if (*k == key)
				return (enum action)a;
	return ACT_NONE;
}

const struct action_info *action_info(enum action a)
{
	return &infos[a > 0 && a < ACT_N ? a : 0];
}

void action_key_label(int key, int utf8, char *buf, size_t len)
{
	switch (key) {
	case '\n':
		snprintf(buf, len, "Enter");
		return;
	case '\r':
	case KEY_ENTER:
		buf[0] = '\0';
		return; /* same as Enter */
	case KEY_ESC:
		snprintf(buf, len, "Esc");
		return;
	case KEY_BACKSPACE:
		snprintf(buf, len, "Bksp");
		return;
	case KEY_DOWN:
		snprintf(buf, len, "%s", utf8 ? "↓" : "Down");
		return;
	case KEY_UP:
		snprintf(buf, len, "%s", utf8 ? "↑" : "Up");
		return;
	case KEY_LEFT:
		snprintf(buf, len, "%s", utf8 ? "←" : "Left");
		return;
	case KEY_SRIGHT:
		snprintf(buf, len, "%s", utf8 ? "S-→" : "S-Right");
		return;
	case KEY_SLEFT:
		snprintf(buf, len, "%s", utf8 ? "S-←" : "S-Left");
		return;
	case KEY_HOME:
		snprintf(buf, len, "Home");
		return;
	case KEY_END:
		snprintf(buf, len, "End");
		return;
	case KEY_NPAGE:
		snprintf(buf, len, "PgDn");
		return;
	case KEY_PPAGE:
		snprintf(buf, len, "PgUp");
		return;
	case ' ':
		snprintf(buf, len, "Space");
		return;
	}
	if (key > 0 && key < 32)
		snprintf(buf, len, "^%c", key + '@');
	else
		snprintf(buf, len, "%c", key);
}

void action_keys_label(enum action a, int utf8, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const int *k = action_info(a)->keys; k && *k && used + 1 < len; k++) {
		char one[16];
		action_key_label(*k, utf8, one, sizeof one);
		if (one[0] == '\0')
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", one);
	}
}
