/* cli_drift.c: `drift compute` and `drift record` (their entries at the end)
 * — read two one-column files (numbers, or labels with --categorical), run the
 * drift statistic (core/drift.c) and print the verdict as text or one JSON
 * object; record stores it in the model's series (`drift show`: cli_driftshow.c). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include "cli.h"
#include "linkset.h"
#include "cli_util.h"
#include "timefmt.h"
#include <time.h>
#include "drift.h"
#include "error.h"
#include "sanitize.h"
#include "xmalloc.h"

#define SHOWN_VALUE_MAX 40 /* bytes of a bad value quoted in an error */

/* One input file: its bytes (lines cut in place; NULL when the numbers were
 * read from a mapping of the file) and the values in it. */
struct column {
	char *buf;
	const char **labels; /* --categorical: pointers into buf */
	double *values;	     /* otherwise */
	size_t n;
};

static int fail_with(const struct cli_opts *o, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report "mlconsole: what" (parts already made safe) and return status. */
static int fail_with(const struct cli_opts *o, int status, const char *fmt, ...)
{
	char msg[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cli_error(o, msg);
	return status;
}

/* The whole file at path, NUL-terminated, in *out (caller frees); -1 and
 * errno on failure. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf;

	if (f == NULL)
		return -1;
	buf = xmalloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
		if (cap - n - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		free(buf);
		errno = e ? e : EIO;
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* The regular file at path mapped read-only in *out (its size in *len): 0,
 * 1 when it is not a non-empty regular file or cannot be mapped (read it
 * instead), or -1 and errno. */
static int map_file(const char *path, const char **out, size_t *len)
{
	int fd = open(path, O_RDONLY), flags = MAP_PRIVATE;
	struct stat st;
	void *p;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uintmax_t)st.st_size > SIZE_MAX) {
		close(fd);
		return 1;
	}
#ifdef MAP_POPULATE
	flags |= MAP_POPULATE; /* the page cache mapped at once, not page by page */
#endif
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, flags, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 1;
	*out = p;
	*len = (size_t)st.st_size;
	return 0;
}

/* 1 if s[0..len) holds only white space. */
static int is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\v' && s[i] != '\f')
			return 0;
	return 1;
}

/* "FILE:LINE: not a number: 'x'" for the line v[0..len) (up to its first
 * '\r' or NUL), shortened, both parts made safe for a terminal. */
static int bad_value(const struct cli_opts *o, const char *path, size_t line, const char *v,
		     size_t len)
{
	char shown[SHOWN_VALUE_MAX + 1];
	size_t cut = 0;
	char *spath, *sval;
	int rc;

	while (cut < len && v[cut] != '\r' && v[cut] != '\0')
		cut++;
	snprintf(shown, sizeof shown, "%.*s", (int)(cut < SHOWN_VALUE_MAX ? cut : SHOWN_VALUE_MAX),
		 v);
	spath = sanitize_dup(path);
	sval = sanitize_dup(shown);
	rc = fail_with(o, 2, "%s:%zu: not a number: '%s%s'", spath, line, sval,
		       cut > SHOWN_VALUE_MAX ? "…" : "");
	free(sval);
	free(spath);
	return rc;
}

/* Append one value to the column (growing its arrays). */
static void column_push(struct column *c, size_t *cap, int categorical, const char *label, double v)
{
	if (c->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		if (categorical)
			c->labels = xrealloc(c->labels, *cap * sizeof *c->labels);
		else
			c->values = xrealloc(c->values, *cap * sizeof *c->values);
	}
	if (categorical)
		c->labels[c->n++] = label;
	else
		c->values[c->n++] = v;
}

/* Where a line is, and how many non-blank lines came before it. */
struct line_at {
	const char *path;
	size_t lineno, seen;
};

/* Look at one line of numbers, s[0..len) without its newline (read in
 * place: never written); 0 or the exit status after reporting. */
static int take_number(const struct cli_opts *o, struct line_at *at, struct column *c, size_t *cap,
		       const char *s, size_t len)
{
	double v;

	if (len && s[len - 1] == '\r')
		len--;
	if (memchr(s, '\0', len) != NULL)
		return bad_value(o, at->path, at->lineno, s, len);
	if (is_blank(s, len))
		return 0;
	if (drift_scan_number_n(s, len, &v) == 0)
		column_push(c, cap, 0, NULL, v);
	else if (at->seen > 0) /* a first line that is not a number is a header */
		return bad_value(o, at->path, at->lineno, s, len);
	at->seen++;
	return 0;
}

/* Keep one line of labels, s[0..len) with a NUL at s[len] (cut in place). */
static void take_label(struct column *c, size_t *cap, char *s, size_t len)
{
	if (len && s[len - 1] == '\r')
		s[--len] = '\0';
	if (!is_blank(s, strlen(s)))
		column_push(c, cap, 1, s, 0);
}

/* Cut the bytes into lines and keep the values (mlconsole.1, drift compute);
 * labels are cut in place in buf (writable then), numbers read in place. 0
 * or the exit status after reporting. */
static int parse_lines(const struct cli_opts *o, const char *path, struct column *c,
		       const char *buf, size_t size)
{
	struct line_at at = {path, 0, 0};
	const char *p = buf, *end = buf + size;
	size_t cap = 0;
	int categorical = cli_opt_flag(o, "categorical");

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		int rc;

		at.lineno++;
		if (categorical) {
			char *line = c->buf + (p - buf);

			line[len] = '\0';
			take_label(c, &cap, line, len);
		} else if ((rc = take_number(o, &at, c, &cap, p, len)) != 0) {
			return rc;
		}
		p += len + 1;
	}
	return 0;
}

/* Report that path cannot be read (errno); the exit status. */
static int unreadable(const struct cli_opts *o, const char *path)
{
	const char *why = strerror(errno);
	char *spath = sanitize_dup(path);
	int rc = fail_with(o, 2, "%s: %s", spath, why);

	free(spath);
	return rc;
}

/* Read one input file into c; 0 or the exit status after reporting. */
static int read_column(const struct cli_opts *o, const char *path, struct column *c)
{
	size_t len;
	int rc;

	const char *map;
	int mapped = cli_opt_flag(o, "categorical") ? 1 : map_file(path, &map, &len);

	memset(c, 0, sizeof *c);
	if (mapped < 0)
		return unreadable(o, path);
	if (mapped == 0) { /* numbers: read where the page cache holds them */
		rc = parse_lines(o, path, c, map, len);
		munmap((void *)map, len);
	} else if (slurp(path, &c->buf, &len) < 0) {
		return unreadable(o, path);
	} else {
		rc = parse_lines(o, path, c, c->buf, len);
	}
	if (rc != 0)
		return rc;
	if (c->n == 0) {
		char *spath = sanitize_dup(path);
		rc = fail_with(o, 2, "%s: no values", spath);
		free(spath);
	}
	return rc;
}

/* Release a column. */
static void column_free(struct column *c)
{
	free(c->buf);
	free(c->labels);
	free(c->values);
	memset(c, 0, sizeof *c);
}

/* A number in its shortest form that reads back exactly. */
static const char *num(char *buf, size_t len, double x)
{
	snprintf(buf, len, "%.15g", x);
	if (strtod(buf, NULL) != x)
		snprintf(buf, len, "%.17g", x);
	return buf;
}

/* A number for JSON: non-finite values as strings, as the other commands do. */
static json_t *json_number(double x)
{
	if (isnan(x))
		return json_string("NaN");
	if (isinf(x))
		return json_string(x > 0 ? "Infinity" : "-Infinity");
	return json_real(x);
}

/* Print the result as one JSON object. */
static int print_json(const struct drift_result *r)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "method", json_string(drift_method_name(r->method)));
	json_object_set_new(doc, "score", json_number(r->score));
	json_object_set_new(doc, "statistic", json_number(r->statistic));
	json_object_set_new(doc, "p_value",
			    isnan(r->p_value) ? json_null() : json_real(r->p_value));
	json_object_set_new(doc, "threshold", json_real(r->threshold));
	json_object_set_new(doc, "drift", json_boolean(r->drift));
	json_object_set_new(doc, "n_reference", json_integer((json_int_t)r->n_reference));
	json_object_set_new(doc, "n_current", json_integer((json_int_t)r->n_current));
	return cli_json_out(doc);
}

/* What the score is, for the text output. */
static const char *score_kind(const struct drift_result *r)
{
	if (r->method == DRIFT_KS)
		return r->ks_exact ? "p-value, exact" : "p-value, asymptotic";
	return drift_method_is_test(r->method) ? "p-value" : "distance";
}

/* Print the result as aligned text. */
static int print_text(const struct drift_result *r)
{
	char a[40], b[40];

	printf("method     %s (%s)\n", drift_method_name(r->method), score_kind(r));
	printf("score      %s\n", num(a, sizeof a, r->score));
	printf("statistic  %s\n", num(a, sizeof a, r->statistic));
	if (!isnan(r->p_value))
		printf("p-value    %s\n", num(a, sizeof a, r->p_value));
	printf("threshold  %s (drift when %s %s threshold)\n", num(b, sizeof b, r->threshold),
	       drift_method_is_test(r->method) ? "p-value" : "score", drift_verdict_op(r->method));
	printf("drifted    %s\n", r->drift ? "yes" : "no");
	printf("values     %zu reference, %zu current", r->n_reference, r->n_current);
	if (r->n_dropped_reference || r->n_dropped_current)
		printf(" (dropped as NaN or infinite: %zu, %zu)", r->n_dropped_reference,
		       r->n_dropped_current);
	putchar('\n');
	return 0;
}

/* The options for the core, or the exit status after reporting. */
static int compute_options(const struct cli_opts *o, struct drift_options *opt)
{
	const char *method = cli_opt_str(o, "method"), *binning = cli_opt_str(o, "binning");

	memset(opt, 0, sizeof *opt);
	if (method && drift_method_parse(method, &opt->method) < 0) {
		char *s = sanitize_dup(method), names[256];
		int rc = fail_with(o, 2, "drift compute: unknown method '%s' (%s)", s,
				   drift_method_names(names, sizeof names, ", "));
		free(s);
		return rc;
	}
	if (binning && drift_binning_parse(binning, &opt->binning) < 0) {
		char *s = sanitize_dup(binning);
		int rc =
		    fail_with(o, 2, "drift compute: unknown binning '%s' (evidently, deciles)", s);
		free(s);
		return rc;
	}
	opt->have_threshold = cli_opt_real(o, "threshold", &opt->threshold);
	return 0;
}

/* Run the statistic on the two columns and print it. */
static int compute_and_print(const struct cli_opts *o, const struct drift_options *opt,
			     const struct column *ref, const struct column *cur)
{
	struct drift_result r;
	struct mlc_error err = {0};
	int rc;

	if (cli_opt_flag(o, "categorical"))
		rc = drift_compute_labels(ref->labels, ref->n, cur->labels, cur->n, opt, &r, &err);
	else
		rc =
		    drift_compute_in_place(ref->values, ref->n, cur->values, cur->n, opt, &r, &err);
	if (rc < 0)
		return fail_with(o, mlc_error_exit_status(&err), "drift compute: %s", err.msg);
	rc = o->json ? print_json(&r) : print_text(&r);
	drift_result_free(&r);
	return rc;
}

/* `drift compute --reference FILE --current FILE [...]`. */
static int drift_compute_cmd(const struct cli_opts *o)
{
	struct drift_options opt;
	struct column ref, cur;
	const char *reference = cli_opt_str(o, "reference"), *current = cli_opt_str(o, "current");
	int rc;

	if (reference == NULL || current == NULL)
		return fail_with(o, 2,
				 "drift compute: --reference FILE and --current FILE are needed");
	if ((rc = compute_options(o, &opt)) != 0)
		return rc;
	if ((rc = read_column(o, reference, &ref)) != 0) {
		column_free(&ref);
		return rc;
	}
	if ((rc = read_column(o, current, &cur)) == 0)
		rc = compute_and_print(o, &opt, &ref, &cur);
	column_free(&cur);
	column_free(&ref);
	return rc;
}

/* ---- drift record ------------------------------------------------------- */

/* An ISO 8601 date or date-time in UTC ("2026-11-27", "2026-11-27T10:00Z",
 * "2026-11-27T10:00:00Z") as ms since the epoch; -1 when it is not one. */
static int parse_at(const char *s, int64_t *ms)
{
	static const char *const forms[] = {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S",
					    "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M", "%Y-%m-%d"};
	struct tm tm;

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		const char *end;
		memset(&tm, 0, sizeof tm);
		end = strptime(s, forms[i], &tm);
		if (end != NULL && *end == '\0') {
			*ms = (int64_t)timegm(&tm) * 1000;
			return 0;
		}
	}
	return -1;
}

/* Store r as model's point for feature at window_end in reg, and say so. */
static int store_point(const struct cli_opts *o, struct registry *reg, const char *model,
		       int64_t window_end, const struct drift_result *r)
{
	struct mlc_drift_point p = {.window_end = window_end,
				    .score = r->score,
				    .statistic = r->statistic,
				    .p_value = r->p_value,
				    .threshold = r->threshold,
				    .drift = r->drift,
				    .n_reference = (int64_t)r->n_reference,
				    .n_current = (int64_t)r->n_current,
				    .ref_shares = r->ref_shares,
				    .cur_shares = r->cur_shares,
				    .n_shares = r->n_bins};
	struct mlc_error err = {0};
	const char *feature = cli_opt_str(o, "feature");
	int rc;

	if (registry_drift_record(reg, model, feature, drift_method_name(r->method), &p, &err) <
	    0) {
		rc = cli_fail(o, &err);
	} else if (o->json) {
		rc = cli_json_out(json_pack(
		    "{s:{s:o,s:o,s:s,s:I,s:f,s:f,s:o,s:f,s:b,s:s}}", "point", "model",
		    cli_json_str(model), "feature", cli_json_str(feature), "method",
		    drift_method_name(r->method), "window_end", (json_int_t)window_end, "score",
		    r->score, "statistic", r->statistic, "p_value",
		    isnan(r->p_value) ? json_null() : json_real(r->p_value), "threshold",
		    r->threshold, "drift", r->drift, "status", drift_status_name(r->status)));
	} else {
		char *sm = sanitize_dup(model), *sf = sanitize_dup(feature);
		printf("recorded %s %s: %s %.6g (threshold %.6g): %s\n", sm, sf,
		       drift_method_name(r->method), r->score, r->threshold,
		       drift_status_name(r->status));
		free(sm);
		free(sf);
		rc = 0;
	}
	return rc;
}

/* `drift record MODEL --feature F --reference FILE --current FILE [--at T] [...]`. */
static int drift_record_cmd(const struct cli_opts *o)
{
	struct drift_options opt;
	struct drift_result r;
	struct column ref, cur;
	struct mlc_error err = {0};
	struct registry *reg;
	const char *reference = cli_opt_str(o, "reference"), *current = cli_opt_str(o, "current");
	const char *when = cli_opt_str(o, "at");
	int64_t at;
	int rc;

	if (cli_opt_str(o, "feature") == NULL || reference == NULL || current == NULL)
		return fail_with(
		    o, 2,
		    "drift record: expected MODEL --feature F --reference FILE --current FILE");
	if (o->read_only)
		return fail_with(o, 1, "read-only: changes are refused (--read-only)");
	if (when == NULL)
		at = timefmt_now_ms();
	else if (parse_at(when, &at) < 0)
		return fail_with(
		    o, 2, "drift record: --at %s: expected an ISO 8601 date or time (UTC)", when);
	if ((rc = compute_options(o, &opt)) != 0)
		return rc;
	/* a registry that cannot keep the point refuses before the files are read */
	if ((reg = cli_open_registry(o, &err)) == NULL ||
	    registry_can(reg, REG_CAP_WRITE | REG_CAP_DRIFT, "record drift", &err) < 0) {
		registry_close(reg);
		return cli_fail(o, &err);
	}
	if ((rc = read_column(o, reference, &ref)) != 0) {
		column_free(&ref);
		registry_close(reg);
		return rc;
	}
	if ((rc = read_column(o, current, &cur)) == 0) {
		rc =
		    cli_opt_flag(o, "categorical")
			? drift_compute_labels(ref.labels, ref.n, cur.labels, cur.n, &opt, &r, &err)
			: drift_compute(ref.values, ref.n, cur.values, cur.n, &opt, &r, &err);
		if (rc < 0) {
			rc = fail_with(o, mlc_error_exit_status(&err), "drift record: %s", err.msg);
		} else {
			rc = store_point(o, reg, o->argv[2], at, &r);
			drift_result_free(&r);
		}
	}
	column_free(&cur);
	column_free(&ref);
	registry_close(reg);
	return rc;
}

/* `drift compute|record` (show: cli_driftshow.c): the exit status. */
static int cli_drift(const struct cli_opts *o)
{
	locale_t base, c_numeric;
	const char *sub = o->argv[1]; /* compute or record (the command table) */
	int rc;

	/* Numbers in the files and on the output use '.', whatever the locale. */
	base = duplocale(LC_GLOBAL_LOCALE);
	c_numeric = base ? newlocale(LC_NUMERIC_MASK, "C", base) : (locale_t)0;
	if (c_numeric == (locale_t)0 && base)
		freelocale(base);
	if (c_numeric)
		uselocale(c_numeric);
	rc = strcmp(sub, "record") == 0 ? drift_record_cmd(o) : drift_compute_cmd(o);
	if (c_numeric) {
		uselocale(LC_GLOBAL_LOCALE);
		freelocale(c_numeric);
	}
	return rc;
}

/* The options drift compute and record share: how the score is computed. */
#define DRIFT_OPTS                                                                               \
	CLI_STRING("reference"), CLI_STRING("current"), CLI_STRING("method"),  \
	    CLI_STRING("binning"), CLI_REAL("threshold"), CLI_FLAG("categorical")

static const struct cli_cmd drift_compute_entry = {
    .name = "drift",
    .sub = "compute",
    .group = CLI_GROUP_READ,
    .rank = 80,
    .usage = "--reference FILE --current FILE [--method M] [--binning evidently|deciles]\n"
	     "[--threshold X] [--categorical]",
    .summary = "drift between two samples (Evidently's tests)",
    .help = "FILE: one value per line (a first line that is not a number is a header).\n"
	    "  --method M          %methods (default auto)\n"
	    "  --binning B         evidently or deciles\n"
	    "  --threshold X       the threshold the score is compared with\n"
	    "  --categorical       every line is a label\n",
    .opts = CLI_OPTS(DRIFT_OPTS),
    .reg = CLI_REG_NONE,
    .run_self = cli_drift,
};
MLC_SET_ADD(cli_cmds, drift_compute_entry);

static const struct cli_cmd drift_record_entry = {
    .name = "drift",
    .sub = "record",
    .group = CLI_GROUP_READ,
    .rank = 90,
    .usage = "MODEL --feature F --reference FILE --current FILE [--at ISO8601]\n"
	     "[--method M] [--binning B] [--threshold X] [--categorical]",
    .summary = "compute and store a window of the model's series",
    .help = "As drift compute, then stores the point (at --at, default now) in MODEL's\n"
	    "series for feature F.\n",
    .opts = CLI_OPTS(CLI_STRING("feature"), CLI_STRING("at"), DRIFT_OPTS),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_drift,
};
MLC_SET_ADD(cli_cmds, drift_record_entry);
