/* fuzz_drift.c: `drift compute`'s input reader (tui/cli_drift.c: lines of
 * numbers or labels, a header line, CRLF, NaN and inf) and the statistics of
 * core/drift.c behind it. Input: a flags byte (bits 0-3: method, 9 and above
 * the default; bit 4: --categorical; bit 5: --json; bit 6: deciles), a
 * threshold byte (0: the default, else (b - 1) / 100), then the reference
 * file, a NUL, and the current file (the reference again when there is no NUL). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_util.h"
#include "drift.h"
#include "fuzz.h"

/* The rest of the CLI, which the drift command only reports through. */
void cli_error(const struct cli_opts *o, const char *msg)
{
	(void)o;
	if (msg == NULL || msg[0] == '\0')
		fuzz_fail("an empty error message");
}

/* Stub: the registry is never opened here (record is not fuzzed). */
struct registry *cli_open_registry(const struct cli_opts *o, int create, struct mlc_error *err)
{
	(void)o;
	(void)create;
	mlc_error_set(err, MLC_ERR_FAILED, "no registry in the fuzzer");
	return NULL;
}

/* Stub: the status of err, as the CLI gives it. */
int cli_fail(const struct cli_opts *o, const struct mlc_error *err)
{
	(void)o;
	return mlc_error_exit_status(err);
}

/* Stub: serialise the document (as the CLI does) and drop it. */
int cli_json_out(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	if (s == NULL)
		fuzz_fail("a drift result that jansson cannot serialise");
	free(s);
	json_decref(doc);
	return 0;
}

/* Stdout (the text result) goes nowhere. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (freopen("/dev/null", "w", stdout) == NULL)
		fuzz_fail("cannot silence stdout");
	return 0;
}

/* One input: `drift compute` on the two files. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ref[4096], cur[4096];
	char *argv[] = {"drift", "compute", NULL};
	struct cli_opts o = {.argc = 2, .argv = argv, .reference = ref, .current = cur};
	const uint8_t *body = data + (size < 2 ? size : 2), *nul;
	size_t n = size < 2 ? 0 : size - 2;
	int rc;

	if (size > 0) {
		if ((data[0] & 15) <= DRIFT_Z)
			o.method = drift_method_name((enum drift_method)(data[0] & 15));
		o.categorical = (data[0] >> 4) & 1;
		o.json = (data[0] >> 5) & 1;
		o.binning = (data[0] >> 6) & 1 ? "deciles" : NULL;
	}
	if (size > 1 && data[1] != 0) {
		o.have_threshold = 1;
		o.threshold = (data[1] - 1) / 100.0;
	}
	snprintf(ref, sizeof ref, "%s/ref.csv", fuzz_tmpdir());
	snprintf(cur, sizeof cur, "%s/cur.csv", fuzz_tmpdir());
	nul = n ? memchr(body, '\0', n) : NULL;
	if (fuzz_write_file(ref, body, nul ? (size_t)(nul - body) : n) < 0 ||
	    (nul ? fuzz_write_file(cur, nul + 1, n - (size_t)(nul - body) - 1)
		 : fuzz_write_file(cur, body, n)) < 0)
		fuzz_fail("cannot write the samples");
	rc = cli_drift(&o);
	if (rc < 0 || rc > 2)
		fuzz_fail("drift compute exited %d", rc);
	return 0;
}
