/* error.c: filling and reading struct mlc_error. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "error.h"

int mlc_error_set(struct mlc_error *err, enum mlc_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	err->column = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void mlc_error_clear(struct mlc_error *err)
{
	if (err == NULL)
		return;
	err->code = MLC_OK;
	err->column = 0;
	err->msg[0] = '\0';
}

int mlc_error_exit_status(const struct mlc_error *err)
{
	return err->code == MLC_ERR_USAGE ? 2 : 1;
}
