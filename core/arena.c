/* arena.c: bump allocation in chained blocks. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "xmalloc.h"

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_BLOCK 16384

void *arena_alloc(struct mlc_arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t align = sizeof(max_align_t);
	size_t need = (size + align - 1) / align * align;
	void *p;

	if (need == 0)
		need = align;
	if (b == NULL || b->size - b->used < need) {
		size_t bs = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		b = xmalloc(sizeof *b + bs);
		b->size = bs;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct mlc_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct mlc_arena *a, const char *s)
{
	if (s == NULL)
		s = "";
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct mlc_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *arena_grow(struct mlc_arena *a, void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *na = arena_alloc(a, ncap * sz);
		if (n)
			memcpy(na, *arr, n * sz);
		*arr = na;
		*cap = ncap;
	}
	return (char *)*arr + n * sz;
}

void arena_free(struct mlc_arena *a)
{
	struct arena_block *b = a->head, *next;

	while (b != NULL) {
		next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}
