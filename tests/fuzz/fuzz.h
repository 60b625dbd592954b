/* fuzz.h: what the libFuzzer harnesses share — the entry point libFuzzer (or
 * replay.c) calls, a private temporary folder per process, and file helpers. */
#ifndef MLC_FUZZ_H
#define MLC_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/* One input; 0 always (a finding aborts). Each harness defines it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop the process with a message naming the harness's broken expectation. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* This process's own temporary folder (made on first use under $TMPDIR or
 * /tmp, removed at exit). */
const char *fuzz_tmpdir(void);
/* Write n bytes to path (0600); 0 or -1. */
int fuzz_write_file(const char *path, const void *data, size_t n);
/* Remove path and everything under it, never following links. */
void fuzz_rm_tree(const char *path);
/* A NUL-terminated copy of data (caller frees). */
char *fuzz_strndup(const uint8_t *data, size_t size);

struct registry;
/* Every read a console makes of r: experiments, runs, histories, lineage,
 * models, versions, deployments, drift, environments, requests
 * (fuzz_browse.c). */
void fuzz_browse(struct registry *r);

#endif
