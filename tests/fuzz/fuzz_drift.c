/* fuzz_drift.c: `drift compute`'s input reader (tui/cli_drift.c: lines of
 * numbers or labels, a header line, CRLF, NaN and inf) and the statistics of
 * core/drift.c behind it. Input: a flags byte (bits 0-3: method, 9 and above
 * the default; bit 4: --categorical; bit 5: --json; bit 6: deciles), a
 * threshold byte (0: the default, else (b - 1) / 100), then the reference
 * file, a NUL, and the current file (the reference again when there is no NUL).
 * Each line of the input is also read by the number scanner three ways (as a
 * C string, in place from a buffer of exactly its bytes, and by strtod as
 * drift compute read numbers before the scanner): all must agree, bit for bit. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_util.h"
#include "drift.h"
#include "fuzz.h"
#include "linkset.h"

MLC_SET_DECLARE(cli_cmds, const struct cli_cmd);

/* The rest of the CLI, which the drift command only reports through. */
void cli_error(const struct cli_opts *o, const char *msg)
{
	(void)o;
	if (msg == NULL || msg[0] == '\0')
		fuzz_fail("an empty error message");
}

/* Stub: the registry is never opened here (record is not fuzzed). */
struct registry *cli_open_registry(const struct cli_opts *o, struct mlc_error *err)
{
	(void)o;
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

/* Stub: a JSON string (only `drift record` makes one; it is not fuzzed). */
json_t *cli_json_str(const char *s)
{
	return json_string(s ? s : "");
}

/* strtod on the line, the reader the scanner replaced; 0 or -1. */
static int strtod_reader(const char *s, double *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || strpbrk(s, "xX") != NULL)
		return -1;
	*out = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	return *end == '\0' ? 0 : -1;
}

/* 1 if two readings differ: in status, or in bits (any NaN equals any NaN). */
static int readings_differ(int ra, double a, int rb, double b)
{
	return ra != rb || (ra == 0 && !(isnan(a) && isnan(b)) && memcmp(&a, &b, sizeof a) != 0);
}

/* The three readings of the line data[0..len) agree. */
static void check_scanner(const uint8_t *data, size_t len)
{
	char *exact = malloc(len ? len : 1), *str = fuzz_strndup(data, len);
	double in_place = 0, c_string = 0, old = 0;
	int ri, rc, ro;

	if (exact == NULL || str == NULL)
		fuzz_fail("out of memory");
	if (len)
		memcpy(exact, data, len);
	ri = drift_scan_number_n(exact, len, &in_place);
	rc = drift_scan_number(str, &c_string); /* the line up to its first NUL */
	ro = strtod_reader(str, &old);
	if (readings_differ(ri, in_place, rc, c_string))
		fuzz_fail("'%s': in place %d %a, as a C string %d %a", str, ri, in_place, rc,
			  c_string);
	if (readings_differ(rc, c_string, ro, old))
		fuzz_fail("'%s': scanner %d %a, strtod %d %a", str, rc, c_string, ro, old);
	free(exact);
	free(str);
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

/* The entry of `drift compute` (tui/cli_drift.c registers it). */
static const struct cli_cmd *compute_entry(void)
{
	for (const struct cli_cmd *const *p = MLC_SET_BEGIN(cli_cmds); p < MLC_SET_END(cli_cmds); p++)
		if (strcmp((*p)->name, "drift") == 0 && strcmp((*p)->sub, "compute") == 0)
			return *p;
	fuzz_fail("no drift compute in the command set");
	return NULL;
}

/* Give the option name of c with value, as the command line would. */
static void give(struct cli_opts *o, const struct cli_cmd *c, const char *name, const char *value)
{
	const struct cli_optdef *d = cli_optdef_find(c->opts, name);

	if (d == NULL || cli_opt_give(o, d, value) < 0)
		fuzz_fail("drift compute refuses --%s %s", name, value ? value : "");
}

/* One input: `drift compute` on the two files. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cli_opts o;
	char ref[4096], cur[4096], threshold[32];
	char *argv[] = {"drift", "compute", NULL};
	const struct cli_cmd *c = compute_entry();
	const uint8_t *body = data + (size < 2 ? size : 2), *nul;
	size_t n = size < 2 ? 0 : size - 2;
	int rc;

	memset(&o, 0, sizeof o);
	o.argc = 2;
	o.argv = argv;
	o.cmd = c;
	snprintf(ref, sizeof ref, "%s/ref.csv", fuzz_tmpdir());
	snprintf(cur, sizeof cur, "%s/cur.csv", fuzz_tmpdir());
	give(&o, c, "reference", ref);
	give(&o, c, "current", cur);
	if (size > 0) {
		if ((data[0] & 15) <= DRIFT_Z)
			give(&o, c, "method", drift_method_name((enum drift_method)(data[0] & 15)));
		if ((data[0] >> 4) & 1)
			give(&o, c, "categorical", NULL);
		o.json = (data[0] >> 5) & 1;
		if ((data[0] >> 6) & 1)
			give(&o, c, "binning", "deciles");
	}
	if (size > 1 && data[1] != 0) {
		/* %.17g reads back as the same double */
		snprintf(threshold, sizeof threshold, "%.17g", (data[1] - 1) / 100.0);
		give(&o, c, "threshold", threshold);
	}
	nul = n ? memchr(body, '\0', n) : NULL;
	if (fuzz_write_file(ref, body, nul ? (size_t)(nul - body) : n) < 0 ||
	    (nul ? fuzz_write_file(cur, nul + 1, n - (size_t)(nul - body) - 1)
		 : fuzz_write_file(cur, body, n)) < 0)
		fuzz_fail("cannot write the samples");
	for (size_t i = 0, start = 0; i <= n; i++)
		if (i == n || body[i] == '\n') {
			check_scanner(body + start, i - start);
			start = i + 1;
		}
	rc = c->run_self(&o);
	if (rc < 0 || rc > 2)
		fuzz_fail("drift compute exited %d", rc);
	return 0;
}
