/* input.c: line editing for the footer prompt. */
#include "config.h"
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "input.h"

void input_start(struct input *in, char prefix, const char *initial)
{
	in->prefix = prefix;
	in->len = 0;
	in->buf[0] = '\0';
	if (initial) {
		size_t n = strlen(initial);
		if (n >= sizeof in->buf)
			n = sizeof in->buf - 1;
		memcpy(in->buf, initial, n);
		in->len = n;
		in->buf[n] = '\0';
	}
}

/* Remove the last UTF-8 character. */
static void backspace(struct input *in)
{
	while (in->len > 0) {
		unsigned char c = (unsigned char)in->buf[--in->len];
		if ((c & 0xC0) != 0x80)
			break;
	}
	in->buf[in->len] = '\0';
}

/* Append wide character c as UTF-8 (controls are ignored). */
static void append(struct input *in, wint_t c)
{
	char mb[8];
	size_t n;

	if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
		return;
	if (c < 0x80) {
		mb[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		mb[0] = (char)(0xC0 | (c >> 6));
		mb[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		mb[0] = (char)(0xE0 | (c >> 12));
		mb[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		mb[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		mb[0] = (char)(0xF0 | (c >> 18));
		mb[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		mb[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		mb[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	if (in->len + n >= sizeof in->buf)
		return;
	memcpy(in->buf + in->len, mb, n);
	in->len += n;
	in->buf[in->len] = '\0';
}

enum input_result input_key(struct input *in, int key, int is_wide)
{
	if (is_wide) {
		if (key == '\n' || key == '\r')
			return INPUT_ACCEPT;
		if (key == 27)
			return INPUT_CANCEL;
		if (key == 127 || key == 8) {
			if (in->len == 0)
				return INPUT_CANCEL;
			backspace(in);
			return INPUT_EDITING;
		}
		if (key == 21) { /* ^U */
			in->len = 0;
			in->buf[0] = '\0';
			return INPUT_EDITING;
		}
		append(in, (wint_t)key);
		return INPUT_EDITING;
	}
	switch (key) {
	case KEY_ENTER:
		return INPUT_ACCEPT;
	case KEY_BACKSPACE:
	case KEY_DC:
		if (in->len == 0)
			return INPUT_CANCEL;
		backspace(in);
		return INPUT_EDITING;
	}
	return INPUT_EDITING;
}

int input_complete(struct input *in, const char *const *cands, size_t n)
{
	char *word = strrchr(in->buf, ' ');
	size_t wlen, common = 0;
	const char *first = NULL;
	int matches = 0;

	word = word ? word + 1 : in->buf;
	wlen = strlen(word);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(cands[i], word, wlen) != 0)
			continue;
		if (matches++ == 0) {
			first = cands[i];
			common = strlen(first);
		} else {
			size_t k = 0;
			while (k < common && cands[i][k] == first[k])
				k++;
			common = k;
		}
	}
	if (matches == 0)
		return 0;
	size_t off = (size_t)(word - in->buf);
	if (off + common + 1 >= sizeof in->buf)
		return matches;
	memcpy(word, first, common);
	in->len = off + common;
	if (matches == 1)
		in->buf[in->len++] = ' ';
	in->buf[in->len] = '\0';
	return matches;
}
