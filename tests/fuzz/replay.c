/* replay.c: a plain main() for the fuzz harnesses, built by the normal
 * compiler for `make check`: every file named on the command line (or, with
 * none, every file of tests/fuzz/corpus/NAME and tests/fuzz/crashes/NAME) goes
 * through LLVMFuzzerTestOneInput once; a harness that aborts fails the test. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME names the harness (filter, theme, ...)"
#endif

/* libFuzzer's optional set-up hook, when the harness has one. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Run the file at path through the harness; 0, or -1 if it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (n == cap)
			buf = realloc(buf, cap = cap ? cap * 2 : 4096);
		if (buf == NULL)
			abort();
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	/* a copy of exactly n bytes, so ASan sees any read past the input */
	unsigned char *exact = malloc(n ? n : 1);
	if (exact == NULL)
		abort();
	if (n)
		memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

/* Replay path: a file, or every regular file in a folder (sorted, not
 * recursive, dot files skipped). Returns how many, or -1 on an error. */
static int replay_path(const char *path, int missing_ok)
{
	struct dirent **names;
	struct stat st;
	int n, done = 0;

	if (stat(path, &st) != 0)
		return missing_ok && errno == ENOENT ? 0 : (perror(path), -1);
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	if ((n = scandir(path, &names, NULL, alphasort)) < 0)
		return perror(path), -1;
	for (int i = 0; i < n; i++) {
		char full[PATH_MAX];

		snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(full) < 0)
				done = -1;
			else if (done >= 0)
				done++;
		}
		free(names[i]);
	}
	free(names);
	return done;
}

/* Replay the files named, else the harness's corpus and crashes. */
int main(int argc, char **argv)
{
	char dir[PATH_MAX];
	int total = 0, n;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if ((n = replay_path(argv[i], 0)) < 0)
			return 1;
		total += n;
	}
	if (argc > 1) {
		fprintf(stderr, "replay %s: %d inputs, no finding\n", FUZZ_NAME, total);
		return 0;
	}
	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", MLC_SRCDIR, FUZZ_NAME);
	if ((n = replay_path(dir, 0)) <= 0) {
		fprintf(stderr, "replay %s: no corpus in %s\n", FUZZ_NAME, dir);
		return 1;
	}
	total += n;
	snprintf(dir, sizeof dir, "%s/tests/fuzz/crashes/%s", MLC_SRCDIR, FUZZ_NAME);
	if ((n = replay_path(dir, 1)) < 0)
		return 1;
	total += n;
	fprintf(stderr, "replay %s: %d inputs, no finding\n", FUZZ_NAME, total);
	return 0;
}
