/* actions.h: the console's actions, generated from actions.def. */
#ifndef MLC_ACTIONS_H
#define MLC_ACTIONS_H
#include <stddef.h>

#define A_HINT 1
#define A_DANGER 2

enum action {
	ACT_NONE,
#define X(id, hint, flags, help, ...) ACT_##id,
#include "actions.def"
#undef X
	ACT_N
};

struct action_info {
	enum action id;
	const char *hint; /* the footer's word for it, "" for none */
	int flags;
	const char *help;
	const int *keys; /* 0-terminated */
};

/* The action bound to curses key code key (ACT_NONE if none). */
enum action action_for_key(int key);
/* Information about action a. */
const struct action_info *action_info(enum action a);
/* "j ↓" — the keys of a as the help and footer show them. */
void action_keys_label(enum action a, int utf8, char *buf, size_t len);
/* The label of one key code ("Enter", "^R", "PgDn", "j"). */
void action_key_label(int key, int utf8, char *buf, size_t len);

#endif
