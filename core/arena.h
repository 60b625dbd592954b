/* arena.h: a bump allocator that owns every string and array of one result set,
 * so a whole result (models, runs, ...) is freed in one call. */
#ifndef MLC_ARENA_H
#define MLC_ARENA_H
#include <stddef.h>

struct arena_block;
struct mlc_arena {
	struct arena_block *head;
};

/* Allocate size zeroed bytes owned by a; aborts on out-of-memory. */
void *arena_alloc(struct mlc_arena *a, size_t size);
/* Copy s (NULL gives "") into a. */
char *arena_strdup(struct mlc_arena *a, const char *s);
/* Copy n bytes of s plus a NUL into a. */
char *arena_strndup(struct mlc_arena *a, const char *s, size_t n);
/* printf into a. */
char *arena_printf(struct mlc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Grow array *arr of n elements of size sz to hold n+1 (amortised); returns the new slot. */
void *arena_grow(struct mlc_arena *a, void **arr, size_t *cap, size_t n, size_t sz);
/* Free every allocation of a; a may be reused afterwards. */
void arena_free(struct mlc_arena *a);

#endif
