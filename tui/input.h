/* input.h: the one-line editor of the footer prompt (/ filter, : commands),
 * with Tab completion over a list of candidates. */
#ifndef MLC_INPUT_H
#define MLC_INPUT_H
#include <stddef.h>

struct input {
	char buf[512];
	size_t len; /* bytes; the cursor is always at the end */
	char prefix; /* '/' or ':' */
};

enum input_result { INPUT_EDITING, INPUT_ACCEPT, INPUT_CANCEL };

void input_start(struct input *in, char prefix, const char *initial);
/* Feed one key (curses code, or a wide character for text). */
enum input_result input_key(struct input *in, int key, int is_wide);
/* Complete the last word from candidates; returns how many matched. When one
 * matched it is completed with a trailing space; several extend the common
 * prefix. */
int input_complete(struct input *in, const char *const *cands, size_t n);

#endif
