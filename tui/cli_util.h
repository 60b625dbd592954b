/* cli_util.h: what the command files of tui/ share — opening the registry,
 * reporting errors with the right exit status, aligned tables and JSON. */
#ifndef MLC_CLI_UTIL_H
#define MLC_CLI_UTIL_H
#include <jansson.h>
#include <stddef.h>
#include "cli.h"
#include "registry.h"

/* Open the registry the options select, making a missing local one when the
 * running command's entry says CLI_REG_CREATE. */
struct registry *cli_open_registry(const struct cli_opts *o, struct mlc_error *err);
/* Open the registry for a command run by the acting user (its name into
 * actor): a command that writes is refused under --read-only (1), --as
 * from anyone but root is a usage error (2), and the registry's own error
 * is reported; NULL then, with the exit status in *rc. */
struct registry *cli_open_acting(const struct cli_opts *o, int writes, char *actor, size_t len,
				 int *rc);
/* Report err; returns its exit status (1 or 2). */
int cli_fail(const struct cli_opts *o, const struct mlc_error *err);
/* Report a usage problem; returns 2. */
int cli_usage(const struct cli_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print one JSON document to stdout and release it; 0 or 1. */
int cli_json_out(json_t *doc);
/* A JSON string of s as it is: bytes that are not UTF-8 come out as
 * "\udcNN" (Python's surrogateescape; README.md "JSON output"). Every string
 * from outside goes through this, or cli_json_set for a member name. */
json_t *cli_json_str(const char *s);
/* Set obj's member key (bytes kept as cli_json_str does) to v, which it takes. */
int cli_json_set(json_t *obj, const char *key, json_t *v);
/* A metric value: non-finite ones as MLflow's strings. */
json_t *cli_json_metric(double v);
json_t *cli_json_kv(const struct mlc_kv *kv, size_t n);
json_t *cli_json_inputs(const struct mlc_dataset_input *in, size_t n);

/* An aligned text table: cells are sanitised; columns two spaces apart. */
struct cli_table {
	int ncols;
	char **cells;
	size_t nrows, cap;
	int *width;
};
void cli_table_init(struct cli_table *t, int ncols);
/* whole: cells are never cut (--wide). */
void cli_table_wide(int whole);
void cli_table_row(struct cli_table *t, const char *const *cols);
/* Print and free. */
void cli_table_print(struct cli_table *t);

#endif
