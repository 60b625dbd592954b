/* error.h: the error record every core function fills in when it fails.
 * A function returns -1 (or NULL) and leaves a one-line human message here. */
#ifndef MLC_ERROR_H
#define MLC_ERROR_H

enum mlc_errcode {
	MLC_OK = 0,
	MLC_ERR_FAILED = 1,  /* refused or failed: not found, conflict, I/O */
	MLC_ERR_USAGE = 2,   /* bad input from the user: syntax, bad value */
	MLC_ERR_NOTFOUND = 3,
	MLC_ERR_READONLY = 4,
	MLC_ERR_CORRUPT = 5,
};

struct mlc_error {
	enum mlc_errcode code;
	int column; /* 1-based column for syntax errors, else 0 */
	char msg[1024];
};

/* Set err (may be NULL) to code and a printf-style message; returns -1. */
int mlc_error_set(struct mlc_error *err, enum mlc_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clear err. */
void mlc_error_clear(struct mlc_error *err);
/* The process exit status the CLI uses for this error (1 or 2). */
int mlc_error_exit_status(const struct mlc_error *err);

#endif
