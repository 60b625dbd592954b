/* demo.h: the generator of realistic demo registries (and benchmark data). */
#ifndef MLC_DEMO_H
#define MLC_DEMO_H
#include <stdint.h>
#include "error.h"

struct demo_opts {
	int models;       /* registered models; default 8 */
	int64_t runs;     /* total runs; 0: the default (4 experiments, 50-300 runs each) */
	int64_t points;   /* total metric points; 0: 50 per run; at most 10,000,000 */
	uint64_t seed;    /* same seed, same registry */
	int force;        /* overwrite an existing file */
	int64_t now_ms;   /* "now" for the generated times; 0: the clock */
	/* progress callback (may be NULL): done/total units */
	void (*progress)(void *ctx, int64_t done, int64_t total);
	void *progress_ctx;
};

/* Write a new demo registry at path. Refuses an existing file unless o->force. */
int demo_create(const char *path, const struct demo_opts *o, struct mlc_error *err);

#endif
