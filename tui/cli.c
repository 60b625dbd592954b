/* cli.c: what the subcommands share — errors, the registry a command opens
 * (with startup.c's choice), aligned text tables, JSON output — and the read
 * subcommands and `demo create`, printing aligned text or one JSON document
 * (--json): the same core calls the TUI makes. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <jansson.h>
#include "cli.h"
#include "linkset.h"
#include "cli_util.h"
#include "compare.h"
#include "settings.h"
#include <langinfo.h>
#include "demo.h"
#include "registry.h"
#include "sanitize.h"
#include "spark.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

static char *json_text(const json_t *doc, size_t flags);

/* ---- errors and identity ------------------------------------------------ */

void cli_error(const struct cli_opts *o, const char *msg)
{
	char *safe = sanitize_dup(msg);

	if (o && o->json) {
		json_t *j = json_pack("{s:{s:o}}", "error", "message", cli_json_str(msg));
		char *s = json_text(j, JSON_COMPACT);
		fprintf(stderr, "%s\n", s ? s : "{\"error\":{\"message\":\"\"}}");
		free(s);
		json_decref(j);
	} else {
		fprintf(stderr, "mlconsole: %s\n", safe);
	}
	free(safe);
}

/* Report err and return its exit status. */
int cli_fail(const struct cli_opts *o, const struct mlc_error *err)
{
	cli_error(o, err->msg);
	return mlc_error_exit_status(err);
}

/* Report a usage problem; exit status 2. */
int cli_usage(const struct cli_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cli_usage(const struct cli_opts *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cli_error(o, msg);
	return 2;
}

/* 1 if the locale is UTF-8 (block sparklines), else ASCII. */
static int cli_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

/* ---- the registry a command opens ---------------------------------------- */

/* Open the selected registry for reading, or for writing when the command
 * creates it; a context's read_only = yes opens it read-only. */
struct registry *cli_open_registry(const struct cli_opts *o, struct mlc_error *err)
{
	int create = o->cmd && o->cmd->reg == CLI_REG_CREATE;
	struct registry_open_opts ro = {.create = create, .read_only = o->read_only && !create};
	const struct config_context *ctx = NULL;
	struct registry *r = NULL;
	struct config cfg = {0};
	unsigned owned = 0;
	char *path = config_path(), *uri;
	int rc = cli_needs_config(o) ? config_load(&cfg, path, err) : 0;

	free(path);
	if (rc < 0)
		return NULL;
	uri = cli_registry_uri(o, &cfg, &ctx, err);
	if (uri && cli_context_secrets(ctx, &owned, err) == 0) {
		ro.read_only |= ctx && ctx->read_only;
		ro.read_only_why = o->read_only ? "--read-only" : "the context's read_only = yes";
		ro.stages = ctx && ctx->stages;
		r = registry_open(uri, &ro, err);
	}
	free(uri);
	config_free(&cfg);
	return r;
}

struct registry *cli_open_acting(const struct cli_opts *o, int writes, char *actor, size_t len,
				 int *rc)
{
	struct mlc_error err = {0};
	struct registry *r;

	if (writes && o->read_only) {
		cli_error(o, "read-only: changes are refused (--read-only)");
		*rc = 1;
		return NULL;
	}
	if (cli_identity(o, actor, len) == NULL) {
		*rc = cli_usage(o, "--as: only root may act as another user");
		return NULL;
	}
	if ((r = cli_open_registry(o, &err)) == NULL)
		*rc = cli_fail(o, &err);
	return r;
}

/* ---- aligned text tables ------------------------------------------------ */

/* Cells wider than this are cut (with an ellipsis) unless --wide. */
#define CELL_MAX 60
static int cells_whole; /* --wide */

void cli_table_wide(int whole)
{
	cells_whole = whole;
}

/* Display width of s in terminal columns (bytes when the locale cannot say). */
static int text_width(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0);
	int w;

	if (n == (size_t)-1)
		return (int)strlen(s);
	wchar_t *ws = xmalloc((n + 1) * sizeof *ws);
	mbstowcs(ws, s, n + 1);
	w = wcswidth(ws, n);
	free(ws);
	return w < 0 ? (int)n : w;
}

void cli_table_init(struct cli_table *t, int ncols)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->width = xcalloc((size_t)ncols, sizeof *t->width);
}

/* c cut to CELL_MAX columns, its last one an ellipsis (… or ... when the
 * locale is not UTF-8); c itself when it fits. Frees c when it cuts. */
static char *cap_cell(char *c)
{
	int utf8 = MB_CUR_MAX > 1, room = CELL_MAX - (utf8 ? 1 : 3), w = 0;
	mbstate_t st = {0};
	size_t at = 0, len = strlen(c);
	char *out;

	if (cells_whole || text_width(c) <= CELL_MAX)
		return c;
	while (at < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, c + at, len - at, &st);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1; /* not a character here: a byte, a column */
			cw = 1;
			memset(&st, 0, sizeof st);
		} else {
			cw = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
		}
		if (w + cw > room)
			break;
		w += cw;
		at += k;
	}
	out = xasprintf("%.*s%s", (int)at, c, utf8 ? "\xe2\x80\xa6" : "...");
	free(c);
	return out;
}

/* Append a row of ncols strings (sanitised, and cut to CELL_MAX columns
 * unless --wide, here). */
void cli_table_row(struct cli_table *t, const char *const *cols)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xrealloc(t->cells, t->cap * (size_t)t->ncols * sizeof *t->cells);
	}
	for (int i = 0; i < t->ncols; i++) {
		char *c = cap_cell(sanitize_dup(cols[i] ? cols[i] : ""));
		int w = text_width(c);
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = c;
		if (w > t->width[i])
			t->width[i] = w;
	}
	t->nrows++;
}

/* Print and free the table: columns two spaces apart, no trailing blanks. */
void cli_table_print(struct cli_table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (int i = 0; i < t->ncols; i++) {
			char *c = t->cells[r * (size_t)t->ncols + (size_t)i];
			fputs(c, stdout);
			if (i + 1 < t->ncols)
				printf("%*s", t->width[i] - text_width(c) + 2, "");
			free(c);
		}
		putchar('\n');
	}
	free(t->cells);
	free(t->width);
}

/* ---- JSON helpers ------------------------------------------------------- */

/* JSON text is Unicode, but a string from a store may hold bytes that are not
 * UTF-8 (jansson refuses those). Such a byte 0xNN is written as Python's
 * surrogateescape decodes it: the lone surrogate U+DCNN, "\udcNN" in the
 * text, so s.encode("utf-8", "surrogateescape") gives the bytes back
 * (README.md, "JSON output"). Inside jansson the byte travels as the
 * noncharacter U+FFFF and two hex digits (a real U+FFFF as two of them), and
 * json_text writes both as escapes once jansson has written the document. */
#define JSON_MARK "\xef\xbf\xbf"

/* 1 if s is UTF-8 without U+FFFF: jansson can take it as it is. */
static int json_plain(const char *s, size_t len)
{
	uint32_t cp;

	for (size_t i = 0, n; i < len; i += n)
		if ((n = sanitize_utf8_char(s + i, len - i, &cp)) == 0 || cp == 0xFFFF)
			return 0;
	return 1;
}

/* s as jansson carries it (see JSON_MARK); NULL when s needs no change. */
static char *json_carry(const char *s)
{
	size_t len = strlen(s);
	struct strbuf sb = {0};
	uint32_t cp;

	if (json_plain(s, len))
		return NULL;
	for (size_t i = 0, n; i < len; i += n) {
		if ((n = sanitize_utf8_char(s + i, len - i, &cp)) == 0) {
			sb_printf(&sb, JSON_MARK "%02x", (unsigned char)s[i]);
			n = 1;
		} else {
			sb_addn(&sb, cp == 0xFFFF ? JSON_MARK JSON_MARK : s + i,
				cp == 0xFFFF ? 6 : n);
		}
	}
	return sb_detach(&sb);
}

/* The text jansson writes for doc (json_dumps flags, without
 * JSON_ENSURE_ASCII), with each carried byte as "\udcNN", a carried U+FFFF
 * as "\uffff", and the code points a terminal acts on that JSON leaves raw
 * (DEL, C1 and bidi controls: sanitize.c's list) as "\uXXXX", so that the
 * text is safe on a terminal and holds the same values. NULL on failure. */
static char *json_text(const json_t *doc, size_t flags)
{
	char *raw = doc ? json_dumps(doc, flags) : NULL;
	struct strbuf sb = {0};
	size_t len, from = 0;
	uint32_t cp;

	if (raw == NULL)
		return NULL;
	len = strlen(raw);
	for (size_t i = 0, n; i < len; i += n) {
		char esc[8] = "";
		if ((unsigned char)raw[i] < 0x7F) { /* most of the text */
			n = 1;
			continue;
		}
		n = sanitize_utf8_char(raw + i, len - i, &cp);
		if (n == 0) { /* jansson writes UTF-8 only */
			n = 1;
		} else if (cp == 0xFFFF && strncmp(raw + i + n, JSON_MARK, 3) == 0) {
			snprintf(esc, sizeof esc, "\\uffff"); /* a real U+FFFF */
			n += 3;
		} else if (cp == 0xFFFF && len - i - n >= 2 &&
			   isxdigit((unsigned char)raw[i + n]) &&
			   isxdigit((unsigned char)raw[i + n + 1])) {
			snprintf(esc, sizeof esc, "\\udc%.2s", raw + i + n); /* a carried byte */
			n += 2;
		} else if (cp == 0xFFFF) { /* not from cli_json_str: still JSON */
			snprintf(esc, sizeof esc, "\\uffff");
		} else if (n == 1 ? cp == 0x7F : sanitize_unsafe_char(cp)) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
		}
		if (esc[0] == '\0')
			continue;
		sb_addn(&sb, raw + from, i - from);
		sb_add(&sb, esc);
		from = i + n;
	}
	sb_addn(&sb, raw + from, len - from);
	free(raw);
	return sb_detach(&sb);
}

/* Print one JSON document to stdout and release it. */
int cli_json_out(json_t *doc)
{
	char *s = json_text(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (s == NULL) {
		fprintf(stderr, "mlconsole: cannot write the JSON document\n");
		return 1;
	}
	puts(s);
	free(s);
	return 0;
}

/* A number for JSON: non-finite values as MLflow's strings. */
json_t *cli_json_metric(double v)
{
	if (isnan(v))
		return json_string("NaN");
	if (isinf(v))
		return json_string(v > 0 ? "Infinity" : "-Infinity");
	return json_real(v);
}

/* Pairs as one object, keys and values through cli_json_set and cli_json_str. */
json_t *cli_json_kv(const struct mlc_kv *kv, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		cli_json_set(o, kv[i].key, cli_json_str(kv[i].value));
	return o;
}

/* A JSON string of s as it is (NULL is ""), any bytes that are not UTF-8
 * kept (JSON_MARK). */
json_t *cli_json_str(const char *s)
{
	char *carried = json_carry(s ? s : "");
	json_t *j = json_string(carried ? carried : s ? s : "");

	free(carried);
	return j;
}

/* Set obj's member key (as it is, like cli_json_str) to v, which it takes. */
int cli_json_set(json_t *obj, const char *key, json_t *v)
{
	char *carried = json_carry(key ? key : "");
	int rc = json_object_set_new(obj, carried ? carried : key ? key : "", v);

	free(carried);
	return rc;
}

/* The datasets a run used, as an array of objects (source: where it
 * points, the "uri" of MLflow's source text). */
json_t *cli_json_inputs(const struct mlc_dataset_input *in, size_t n)
{
	struct mlc_arena a = {0};
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o,s:o}", "name",
						     cli_json_str(in[i].name), "digest",
						     cli_json_str(in[i].digest), "context",
						     cli_json_str(in[i].context), "source_type",
						     cli_json_str(in[i].source_type), "source",
						     cli_json_str(mlc_input_location(&a, &in[i]))));
	arena_free(&a);
	return arr;
}

/* ---- models and versions ------------------------------------------------ */

static void format_aliases(struct strbuf *sb, const struct mlc_alias *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_printf(sb, "%s%s=%s", i ? "," : "", a[i].alias, a[i].version);
}

static int cli_models(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_model_list l = {0};

	if (registry_list_models(r, cli_opt_str(o, "filter"), &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++) {
			const struct mlc_model *m = &l.items[i];
			json_t *al = json_array();
			for (size_t k = 0; k < m->n_aliases; k++)
				json_array_append_new(al, json_pack("{s:o,s:o}", "alias", cli_json_str(m->aliases[k].alias),
								    "version", cli_json_str(m->aliases[k].version)));
			json_array_append_new(
			    arr, json_pack("{s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:o}", "name", cli_json_str(m->name),
					   "description", cli_json_str(m->description), "creation_timestamp",
					   (json_int_t)m->creation_time, "last_updated_timestamp",
					   (json_int_t)m->last_updated_time, "version_count",
					   (json_int_t)m->n_versions, "latest_version", cli_json_str(m->latest_version),
					   "aliases", al, "tags", cli_json_kv(m->tags, m->n_tags)));
		}
		MLC_LIST_FREE(&l);
		return cli_json_out(json_pack("{s:o}", "models", arr));
	}
	struct cli_table t;
	cli_table_init(&t, 5);
	cli_table_row(&t, (const char *[]){"NAME", "VERSIONS", "ALIASES", "LATEST", "UPDATED"});
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_model *m = &l.items[i];
		struct strbuf al = {0};
		char nv[32], upd[32];
		format_aliases(&al, m->aliases, m->n_aliases);
		snprintf(nv, sizeof nv, "%lld", (long long)m->n_versions);
		timefmt_minutes(m->last_updated_time, upd, sizeof upd);
		cli_table_row(&t, (const char *[]){m->name, nv, al.len ? sb_str(&al) : "-",
					       *m->latest_version ? m->latest_version : "-", upd});
		sb_free(&al);
	}
	cli_table_print(&t);
	MLC_LIST_FREE(&l);
	return 0;
}

static void join_strings(struct strbuf *sb, const char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_printf(sb, "%s%s", i ? "," : "", s[i]);
}

static int cli_versions(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_version_list l = {0};

	if (registry_list_versions(r, o->argv[1], &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++) {
			const struct mlc_version *v = &l.items[i];
			json_t *al = json_array();
			for (size_t k = 0; k < v->n_aliases; k++)
				json_array_append_new(al, cli_json_str(v->aliases[k]));
			json_array_append_new(
			    arr, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:o,s:o}", "name",
					   cli_json_str(v->model), "version", cli_json_str(v->version), "current_stage",
					   cli_json_str(v->stage), "status", cli_json_str(v->status), "run_id",
					   cli_json_str(v->run_id), "source", cli_json_str(v->source), "user_id",
					   cli_json_str(v->user_id), "description", cli_json_str(v->description),
					   "creation_timestamp", (json_int_t)v->creation_time,
					   "last_updated_timestamp", (json_int_t)v->last_updated_time,
					   "aliases", al, "tags", cli_json_kv(v->tags, v->n_tags)));
		}
		MLC_LIST_FREE(&l);
		return cli_json_out(json_pack("{s:o}", "versions", arr));
	}
	struct cli_table t;
	cli_table_init(&t, 6);
	cli_table_row(&t, (const char *[]){"VERSION", "STAGE", "ALIASES", "RUN_ID", "STATUS", "CREATED"});
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_version *v = &l.items[i];
		struct strbuf al = {0};
		char created[32];
		join_strings(&al, v->aliases, v->n_aliases);
		timefmt_minutes(v->creation_time, created, sizeof created);
		cli_table_row(&t, (const char *[]){v->version, v->stage, al.len ? sb_str(&al) : "-",
					       *v->run_id ? v->run_id : "-", v->status, created});
		sb_free(&al);
	}
	cli_table_print(&t);
	MLC_LIST_FREE(&l);
	return 0;
}

/* ---- experiments and runs ----------------------------------------------- */

static int cli_experiments(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_experiment_list l = {0};

	if (registry_list_experiments(r, cli_opt_flag(o, "all"), &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++) {
			const struct mlc_experiment *e = &l.items[i];
			json_array_append_new(
			    arr, json_pack("{s:o,s:o,s:o,s:I,s:I,s:I,s:o}", "experiment_id",
					   cli_json_str(e->experiment_id), "name", cli_json_str(e->name),
					   "lifecycle_stage", cli_json_str(e->lifecycle_stage), "run_count",
					   (json_int_t)e->run_count, "creation_time",
					   (json_int_t)e->creation_time, "last_update_time",
					   (json_int_t)e->last_update_time, "tags",
					   cli_json_kv(e->tags, e->n_tags)));
		}
		MLC_LIST_FREE(&l);
		return cli_json_out(json_pack("{s:o}", "experiments", arr));
	}
	struct cli_table t;
	cli_table_init(&t, 4);
	cli_table_row(&t, (const char *[]){"ID", "NAME", "RUNS", "LAST ACTIVITY"});
	for (size_t i = 0; i < l.n; i++) {
		const struct mlc_experiment *e = &l.items[i];
		char n[32], when[32];
		snprintf(n, sizeof n, e->run_count < 0 ? "?" : "%lld", (long long)e->run_count);
		timefmt_minutes(e->last_update_time, when, sizeof when);
		cli_table_row(&t, (const char *[]){e->experiment_id, e->name, n, when});
	}
	cli_table_print(&t);
	MLC_LIST_FREE(&l);
	return 0;
}

/* The JSON object of a run, as --json prints it. */
static json_t *run_json(const struct mlc_run *run)
{
	json_t *metrics = json_object();

	for (size_t k = 0; k < run->n_metrics; k++)
		cli_json_set(metrics, run->metrics[k].key, cli_json_metric(run->metrics[k].value));
	return json_pack("{s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "run_id", cli_json_str(run->run_id),
			 "run_name", cli_json_str(run->run_name), "experiment_id",
			 cli_json_str(run->experiment_id), "status", cli_json_str(run->status), "start_time",
			 (json_int_t)run->start_time, "end_time",
			 run->end_time ? json_integer(run->end_time) : json_null(), "user_id",
			 cli_json_str(run->user_id), "lifecycle_stage", cli_json_str(run->lifecycle_stage),
			 "metrics", metrics, "params", cli_json_kv(run->params, run->n_params), "tags",
			 cli_json_kv(run->tags, run->n_tags));
}

/* run_json with the datasets the run used, where they were read. */
static json_t *run_json_inputs(const struct mlc_run *run)
{
	json_t *j = run_json(run);

	if (run->inputs_read)
		json_object_set_new(j, "datasets", cli_json_inputs(run->inputs, run->n_inputs));
	return j;
}

/* The text of column spec col ("metrics.acc", "params.lr", "tags.x", or a bare
 * key: a metric's, else a param's, else a tag's) for run; NULL when the run
 * has no such value. */
static const char *run_cell(const struct mlc_run *run, const char *col, char *buf, size_t len)
{
	const struct mlc_metric *m;
	const char *dot = strchr(col, '.');

	if (strncmp(col, "metrics.", 8) == 0 || strncmp(col, "metric.", 7) == 0)
		m = mlc_run_metric(run, dot + 1);
	else if (strncmp(col, "params.", 7) == 0 || strncmp(col, "param.", 6) == 0)
		return mlc_kv_get(run->params, run->n_params, dot + 1);
	else if (strncmp(col, "tags.", 5) == 0 || strncmp(col, "tag.", 4) == 0)
		return mlc_kv_get(run->tags, run->n_tags, dot + 1);
	else if ((m = mlc_run_metric(run, col)) == NULL) {
		const char *p = mlc_kv_get(run->params, run->n_params, col);
		return p ? p : mlc_kv_get(run->tags, run->n_tags, col);
	}
	if (m == NULL)
		return NULL;
	snprintf(buf, len, "%.6g", m->value);
	return buf;
}

/* Split "a,b,c" into at most max pieces (pointers into copy). */
static int split_columns(char *copy, const char **cols, int max)
{
	int n = 0;

	for (char *tok = strtok(copy, ","); tok && n < max; tok = strtok(NULL, ","))
		if (*tok)
			cols[n++] = tok;
	return n;
}

/* 1 if keys[0..n) holds key. */
static int has_key(const char *const *keys, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

/* 1 if column spec col (as run_cell reads it) names a key in k. */
static int known_column(const struct mlc_keys *k, const char *col)
{
	const char *dot = strchr(col, '.');

	if (strncmp(col, "metrics.", 8) == 0 || strncmp(col, "metric.", 7) == 0)
		return has_key(k->metrics, k->n_metrics, dot + 1);
	if (strncmp(col, "params.", 7) == 0 || strncmp(col, "param.", 6) == 0)
		return has_key(k->params, k->n_params, dot + 1);
	if (strncmp(col, "tags.", 5) == 0 || strncmp(col, "tag.", 4) == 0)
		return has_key(k->tags, k->n_tags, dot + 1);
	return has_key(k->metrics, k->n_metrics, col) || has_key(k->params, k->n_params, col) ||
	       has_key(k->tags, k->n_tags, col);
}

/* --columns: a usage error (2) naming the first column no run of the
 * experiment has a key for (the registry's key listing says), else 0. */
static int check_columns(const struct cli_opts *o, struct registry *r, const char *experiment,
			 struct mlc_error *err)
{
	struct mlc_keys k = {0};
	const char *cols[64];
	char *copy = xstrdup(cli_opt_str(o, "columns"));
	int n = split_columns(copy, cols, 64), rc = 0;

	if (registry_experiment_keys(r, experiment, 0, &k, err) < 0) {
		rc = cli_fail(o, err);
	} else {
		for (int i = 0; i < n && rc == 0; i++)
			if (!known_column(&k, cols[i]))
				rc = cli_usage(o,
					       "runs: --columns %s: no run of experiment %s has this "
					       "key (metrics.K, params.K, tags.K or a bare key)",
					       cols[i], experiment);
	}
	mlc_keys_free(&k);
	free(copy);
	return rc;
}

/* Default extra columns: the first three metric keys of the first run. */
static int default_columns(const struct mlc_run_list *l, const char **cols, int max)
{
	int n = 0;

	for (size_t k = 0; l->n > 0 && k < l->items[0].n_metrics && n < max; k++)
		cols[n++] = l->items[0].metrics[k].key;
	return n;
}

static int print_runs_text(const struct cli_opts *o, const struct mlc_run_list *l)
{
	const char *cols[64], *columns = cli_opt_str(o, "columns");
	char *copy = columns ? xstrdup(columns) : NULL;
	int ncols = copy ? split_columns(copy, cols, 64) : default_columns(l, cols, 3);
	struct cli_table t;
	const char **row = xcalloc((size_t)ncols + 4, sizeof *row);
	char (*bufs)[40] = xcalloc((size_t)ncols + 1, sizeof *bufs);

	cli_table_init(&t, ncols + 4);
	row[0] = "RUN_ID", row[1] = "NAME", row[2] = "STATUS", row[3] = "STARTED";
	for (int c = 0; c < ncols; c++)
		row[4 + c] = cols[c];
	cli_table_row(&t, row);
	for (size_t i = 0; i < l->n; i++) {
		const struct mlc_run *run = &l->items[i];
		char id[9], started[32];
		snprintf(id, sizeof id, "%s", run->run_id);
		timefmt_minutes(run->start_time, started, sizeof started);
		row[0] = id, row[1] = run->run_name, row[2] = run->status, row[3] = started;
		for (int c = 0; c < ncols; c++) {
			const char *v = run_cell(run, cols[c], bufs[c], sizeof bufs[c]);
			row[4 + c] = v ? v : "-";
		}
		cli_table_row(&t, row);
	}
	cli_table_print(&t);
	free(row);
	free(bufs);
	free(copy);
	return 0;
}

static int cli_runs(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_run_list l = {0};
	struct mlc_run_query q = {.filter = cli_opt_str(o, "filter"),
				  .order_by = cli_opt_str(o, "order-by"),
				  .all = cli_opt_flag(o, "all")};
	long long limit = 0;
	int rc;

	if (cli_opt_count(o, "limit", &limit))
		q.limit = limit;
	q.experiment = o->argv[1];
	if (registry_list_runs(r, &q, &l, err) < 0) {
		MLC_LIST_FREE(&l);
		return cli_fail(o, err);
	}
	if (cli_opt_str(o, "columns") && (rc = check_columns(o, r, q.experiment, err)) != 0) {
		MLC_LIST_FREE(&l);
		return rc;
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, run_json(&l.items[i]));
		rc = cli_json_out(json_pack("{s:o}", "runs", arr));
	} else {
		rc = print_runs_text(o, &l);
	}
	MLC_LIST_FREE(&l);
	return rc;
}

/* ---- compare and history ------------------------------------------------- */

/* Fetch each run named in ids into lists/runs; -1 on the first failure. */
static int fetch_runs(struct registry *r, char **ids, size_t n, struct mlc_run_list *lists,
		      struct mlc_run *runs, struct mlc_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (registry_get_run(r, ids[i], &lists[i], err) < 0)
			return -1;
		runs[i] = lists[i].items[0];
	}
	return 0;
}

/* compare: a usage error (2) when two arguments name the same run (the
 * same id twice, or two prefixes of it), else 0. */
static int check_distinct(const struct cli_opts *o, const struct mlc_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(runs[i].run_id, runs[k].run_id) == 0)
				return cli_usage(o, "compare: %s and %s are the same run (%s): give "
						    "different runs",
						 o->argv[1 + i], o->argv[1 + k], runs[i].run_id);
	return 0;
}

static int compare_json(const struct mlc_compare *c, const struct mlc_run *runs, size_t n)
{
	json_t *arr = json_array(), *diff = json_array(), *best = json_object(),
	       *ddiff = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, run_json_inputs(&runs[i]));
	for (size_t p = 0; p < c->nparams; p++)
		if (c->params[p].differs)
			json_array_append_new(diff, cli_json_str(c->params[p].key));
	for (size_t d = 0; d < c->ndatasets; d++)
		if (c->datasets[d].differs)
			json_array_append_new(ddiff,
					      json_pack("{s:o,s:o}", "context",
							cli_json_str(c->datasets[d].context),
							"name", cli_json_str(c->datasets[d].name)));
	for (size_t m = 0; m < c->nmetrics; m++)
		cli_json_set(best, c->metrics[m].key,
			     c->metrics[m].best >= 0 ? cli_json_str(runs[c->metrics[m].best].run_id)
						     : json_null());
	return cli_json_out(json_pack("{s:o,s:o,s:o,s:o}", "runs", arr, "differing_params", diff,
				      "differing_datasets", ddiff, "best", best));
}

/* The dataset rows of compare's table: "dataset NAME (CONTEXT)" and each
 * run's digest ("-" when it used none); '*' marks different data. */
static void compare_text_datasets(struct cli_table *t, const struct mlc_compare *c,
				  const char **row, size_t n)
{
	for (size_t d = 0; d < c->ndatasets; d++) {
		const struct compare_dataset *cd = &c->datasets[d];
		struct mlc_arena a = {0};
		struct mlc_dataset_input in = {.name = cd->name, .context = cd->context};
		row[0] = cd->differs ? "*" : "";
		row[1] = arena_printf(&a, "dataset %s", mlc_input_label(&a, &in));
		for (size_t i = 0; i < n; i++)
			row[i + 2] = cd->digests[i] ? cd->digests[i] : "-";
		cli_table_row(t, row);
		arena_free(&a);
	}
}

/* Params then metrics, one column per run; '*' marks differing params and the
 * best value of each metric; then the datasets. */
static void compare_text(const struct mlc_compare *c, const struct mlc_run *runs, size_t n)
{
	struct cli_table t;
	const char **row = xcalloc(n + 2, sizeof *row);
	char (*bufs)[48] = xcalloc(n, sizeof *bufs);
	char (*ids)[9] = xcalloc(n, sizeof *ids);

	cli_table_init(&t, (int)n + 2);
	row[0] = "", row[1] = "KEY";
	for (size_t i = 0; i < n; i++) {
		snprintf(ids[i], sizeof ids[i], "%s", runs[i].run_id);
		row[i + 2] = ids[i];
	}
	cli_table_row(&t, row);
	for (size_t p = 0; p < c->nparams; p++) {
		row[0] = c->params[p].differs ? "*" : "", row[1] = c->params[p].key;
		for (size_t i = 0; i < n; i++)
			row[i + 2] = c->params[p].values[i] ? c->params[p].values[i] : "-";
		cli_table_row(&t, row);
	}
	for (size_t m = 0; m < c->nmetrics; m++) {
		const struct compare_metric *cm = &c->metrics[m];
		row[0] = cm->lower_better ? "min" : "max", row[1] = cm->key;
		for (size_t i = 0; i < n; i++) {
			if (!cm->present[i])
				snprintf(bufs[i], sizeof bufs[i], "-");
			else if (isnan(cm->values[i]))
				snprintf(bufs[i], sizeof bufs[i], "NaN");
			else
				snprintf(bufs[i], sizeof bufs[i], "%s%.6g", (int)i == cm->best ? "*" : "",
					 cm->values[i]);
			row[i + 2] = bufs[i];
		}
		cli_table_row(&t, row);
	}
	compare_text_datasets(&t, c, row, n);
	cli_table_print(&t);
	free(row);
	free(bufs);
	free(ids);
}

static int cli_compare(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	size_t n = (size_t)o->argc - 1;
	struct mlc_run_list lists[20];
	struct mlc_run runs[20];
	struct mlc_compare c = {0};
	int rc;

	if (n < 2 || n > 20)
		return cli_usage(o, "compare: expected 2 to 20 RUN ids");
	memset(lists, 0, sizeof lists);
	if (fetch_runs(r, o->argv + 1, n, lists, runs, err) < 0) {
		rc = cli_fail(o, err);
	} else if ((rc = check_distinct(o, runs, n)) != 0) {
		/* reported */
	} else {
		compare_build(&c, runs, n, NULL, 0);
		if (o->json) {
			rc = compare_json(&c, runs, n);
		} else {
			compare_text(&c, runs, n);
			rc = 0;
		}
		compare_free(&c);
	}
	for (size_t i = 0; i < n; i++)
		MLC_LIST_FREE(&lists[i]);
	return rc;
}

static int cli_history(const struct cli_opts *o, struct registry *r, struct mlc_error *err)
{
	struct mlc_metric_list h = {0};
	struct spark_opts so = {.ascii = !cli_utf8(), .width = 60};
	double *vals;
	char *spark;

	if (registry_metric_history(r, o->argv[1], o->argv[2], &h, err) < 0) {
		MLC_LIST_FREE(&h);
		return cli_fail(o, err);
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < h.n; i++)
			json_array_append_new(arr, json_pack("{s:I,s:I,s:o}", "step", (json_int_t)h.items[i].step,
							     "timestamp", (json_int_t)h.items[i].timestamp,
							     "value", cli_json_metric(h.items[i].value)));
		MLC_LIST_FREE(&h);
		return cli_json_out(json_pack("{s:o}", "history", arr));
	}
	vals = xcalloc(h.n + 1, sizeof *vals);
	struct cli_table t;
	cli_table_init(&t, 3);
	cli_table_row(&t, (const char *[]){"STEP", "TIMESTAMP", "VALUE"});
	for (size_t i = 0; i < h.n; i++) {
		char step[24], ts[24], val[32];
		vals[i] = h.items[i].value;
		snprintf(step, sizeof step, "%lld", (long long)h.items[i].step);
		snprintf(ts, sizeof ts, "%lld", (long long)h.items[i].timestamp);
		snprintf(val, sizeof val, isnan(vals[i]) ? "NaN" : "%.10g", vals[i]);
		cli_table_row(&t, (const char *[]){step, ts, val});
	}
	cli_table_print(&t);
	spark = spark_render(vals, h.n, &so);
	printf("%s\n", spark);
	free(spark);
	free(vals);
	MLC_LIST_FREE(&h);
	return 0;
}

/* ---- demo create -------------------------------------------------------- */

/* Progress bar on a terminal (stderr), nothing otherwise. */
static void demo_progress(void *ctx, int64_t done, int64_t total)
{
	int *last = ctx;
	int pct = total > 0 ? (int)(done * 100 / total) : 100;

	if (pct == *last)
		return;
	*last = pct;
	fprintf(stderr, "\rmlconsole: generating demo registry %3d%%", pct);
	if (pct >= 100)
		fputc('\n', stderr);
	fflush(stderr);
}

static int cli_demo(const struct cli_opts *o)
{
	struct mlc_error err_ = {0}, *err = &err_;
	struct demo_opts d = {.force = cli_opt_flag(o, "force")};
	long long v;
	int last = -1;

	if (cli_opt_count(o, "models", &v))
		d.models = (int)v;
	if (cli_opt_count(o, "runs", &v))
		d.runs = v;
	if (cli_opt_count(o, "points", &v))
		d.points = v;
	if (cli_opt_count(o, "seed", &v))
		d.seed = (uint64_t)v;
	if (o->read_only)
		return cli_usage(o, "demo create: refused in --read-only mode");
	if (isatty(2) && !o->json) {
		d.progress = demo_progress;
		d.progress_ctx = &last;
	}
	if (demo_create(o->argv[2], &d, err) < 0)
		return cli_fail(o, err);
	if (o->json)
		return cli_json_out(
		    json_pack("{s:{s:o}}", "demo", "path", cli_json_str(o->argv[2])));
	printf("%s: demo registry written\n", o->argv[2]);
	return 0;
}

static const struct cli_cmd models_entry = {
    .name = "models",
    .group = CLI_GROUP_READ,
    .rank = 10,
    .usage = "[--filter EXPR]",
    .summary = "registered models: name, versions, aliases, latest version, updated",
    .help = "EXPR is MLflow's search syntax on models, e.g. \"name LIKE 'fraud%'\".\n",
    .opts = CLI_OPTS(CLI_STRING("filter")),
    .reg = CLI_REG_OPEN,
    .run = cli_models,
};
MLC_SET_ADD(cli_cmds, models_entry);

static const struct cli_cmd versions_entry = {
    .name = "versions",
    .group = CLI_GROUP_READ,
    .rank = 20,
    .usage = "MODEL",
    .summary = "versions of a model, highest first",
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run = cli_versions,
};
MLC_SET_ADD(cli_cmds, versions_entry);

static const struct cli_cmd experiments_entry = {
    .name = "experiments",
    .group = CLI_GROUP_READ,
    .rank = 30,
    .usage = "[--all]",
    .summary = "experiments and their run counts (--all: deleted ones too)",
    .opts = CLI_OPTS(CLI_FLAG("all")),
    .reg = CLI_REG_OPEN,
    .run = cli_experiments,
};
MLC_SET_ADD(cli_cmds, experiments_entry);

static const struct cli_cmd runs_entry = {
    .name = "runs",
    .group = CLI_GROUP_READ,
    .rank = 40,
    .usage = "EXPERIMENT [--filter EXPR] [--order-by 'metrics.K DESC'] [--columns K,...]\n"
	     "[--limit N] [--all]",
    .summary = "runs of an experiment, newest first (--all: deleted runs too)",
    .help = "EXPERIMENT is an experiment's id or name (an existing id wins).\n"
	    "  --filter EXPR       MLflow's search syntax, e.g. \"metrics.acc > 0.9 and\n"
	    "                      params.lr = '0.01'\"\n"
	    "  --order-by SPEC     e.g. 'metrics.acc DESC'; default: newest first\n"
	    "  --columns K,...     the extra columns: metrics.K, params.K, tags.K or a bare\n"
	    "                      key (a metric, else a param, else a tag); a key no run of\n"
	    "                      the experiment has is an error. Default: the first run's\n"
	    "                      first three metrics\n"
	    "  --limit N           at most N runs\n"
	    "  --all               deleted runs too (MLflow's lifecycle stage 'deleted'); by\n"
	    "                      default only active runs are listed, as MLflow does\n",
    .opts = CLI_OPTS(CLI_STRING("filter"), CLI_STRING("order-by"),
		     CLI_STRING("columns"), CLI_COUNT("limit", 1LL << 40),
		     CLI_FLAG("all")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run = cli_runs,
};
MLC_SET_ADD(cli_cmds, runs_entry);

static const struct cli_cmd compare_entry = {
    .name = "compare",
    .group = CLI_GROUP_READ,
    .rank = 50,
    .usage = "RUN RUN [RUN...]",
    .summary = "params and final metrics side by side",
    .help = "2 to 20 different runs; RUN is a run id or a unique prefix of at least 8\n"
	    "characters. '*' marks differing params and each metric's best value.\n",
    .min_args = 2,
    .max_args = 20,
    .reg = CLI_REG_OPEN,
    .run = cli_compare,
};
MLC_SET_ADD(cli_cmds, compare_entry);

static const struct cli_cmd history_entry = {
    .name = "history",
    .group = CLI_GROUP_READ,
    .rank = 70,
    .usage = "RUN METRIC",
    .summary = "a metric's history and its sparkline",
    .min_args = 2,
    .max_args = 2,
    .reg = CLI_REG_OPEN,
    .run = cli_history,
};
MLC_SET_ADD(cli_cmds, history_entry);

static const struct cli_cmd demo_entry = {
    .name = "demo",
    .sub = "create",
    .group = CLI_GROUP_READ,
    .rank = 120,
    .usage = "PATH [--models N] [--runs N] [--points N] [--seed S] [--force]",
    .summary = "write a generated demo registry",
    .help = "--runs and --points are totals (default points: 50 per run); --force\n"
	    "replaces an existing registry at PATH.\n",
    .opts = CLI_OPTS(CLI_COUNT("models", 10000),
		     CLI_COUNT("runs", 1000000),
		     CLI_COUNT("points", 10000000),
		     CLI_COUNT("seed", 1LL << 62), CLI_FLAG("force")),
    .min_args = 1,
    .max_args = 1,
    .reg = CLI_REG_NEW,
    .run_self = cli_demo,
};
MLC_SET_ADD(cli_cmds, demo_entry);
