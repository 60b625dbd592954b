/* journal.c: the local audit journal of the changes this console makes on
 * MLflow servers (which keep no trail of their own): appending a line chained
 * to the last under a lock, listing one server's lines, checking the chain. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "audit.h"
#include "journal.h"
#include "sha256.h"
#include "timefmt.h"
#include "xmalloc.h"

/* How much of the journal's end is read to find the last line's hash. */
#define TAIL 65536

char *journal_path(void)
{
	return audit_state_path("audit.jsonl");
}

void journal_line_hash(const char *prev, int64_t at, const char *registry, const char *actor,
		       const char *action, const char *subject, const char *detail,
		       char out[SHA256_HEX_LEN])
{
	char sat[24];
	const char *f[] = {prev, sat, registry, actor, action, subject, detail};

	snprintf(sat, sizeof sat, "%lld", (long long)at);
	sha256_fields_hex(f, sizeof f / sizeof f[0], out);
}

/* flock(fd, op), again when a signal interrupts it. */
static int lock(int fd, int op)
{
	int rc;

	while ((rc = flock(fd, op)) < 0 && errno == EINTR)
		;
	return rc;
}

/* 1 when s is a digest as 64 hex digits. */
static int is_digest(const char *s)
{
	unsigned char d[SHA256_LEN];

	return s && sha256_from_hex(s, d) == 0;
}

/* The hash the journal's last line carries, into prev (AUDIT_GENESIS when the
 * journal is empty or its last line has none); *torn set when the file does
 * not end with a newline (a write cut short). */
static void last_hash(int fd, char prev[SHA256_HEX_LEN], int *torn)
{
	struct stat st;
	off_t from;
	size_t n, end;
	char *buf, *start;

	memcpy(prev, AUDIT_GENESIS, SHA256_HEX_LEN);
	*torn = 0;
	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return;
	from = st.st_size > TAIL ? st.st_size - TAIL : 0;
	n = (size_t)(st.st_size - from);
	buf = xmalloc(n + 1);
	if (pread(fd, buf, n, from) == (ssize_t)n) {
		*torn = buf[n - 1] != '\n';
		for (end = n; end > 0 && buf[end - 1] == '\n'; end--)
			;
		buf[end] = '\0';
		start = strrchr(buf, '\n');
		start = start ? start + 1 : from == 0 ? buf : NULL;
		json_t *j = start ? json_loads(start, 0, NULL) : NULL;
		const char *h = json_string_value(json_object_get(j, "hash"));
		if (is_digest(h))
			memcpy(prev, h, SHA256_HEX_LEN);
		json_decref(j);
	}
	free(buf);
}

/* Write all of text to fd: 0, or -1. */
static int write_all(int fd, const char *text)
{
	size_t n = strlen(text);
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, text, n)) < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		text += w;
		n -= (size_t)w;
	}
	return 0;
}

void journal_append(const char *registry, const char *actor, const char *action,
		    const char *subject, const char *detail)
{
	char *path = journal_path(), *line = NULL, prev[SHA256_HEX_LEN], hash[SHA256_HEX_LEN];
	int64_t at = timefmt_now_ms();
	json_t *j = NULL;
	int fd = -1, torn;

	if (path) {
		audit_make_parents(path);
		fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	}
	/* The lock spans reading the last hash and writing: one chain, no fork. */
	if (fd >= 0 && lock(fd, LOCK_EX) == 0) {
		last_hash(fd, prev, &torn);
		journal_line_hash(prev, at, registry, actor, action, subject, detail, hash);
		j = json_pack("{s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:s,s:s}", "at", (json_int_t)at,
			      "registry", registry, "actor", actor, "action", action, "subject",
			      subject, "detail", detail, "prev", prev, "hash", hash);
		if (j && (line = json_dumps(j, JSON_COMPACT)) != NULL) {
			char *text = xasprintf("%s%s\n", torn ? "\n" : "", line);
			if (write_all(fd, text) < 0)
				(void)0; /* nothing better to do: see journal.h */
			free(text);
		}
	}
	if (fd >= 0)
		close(fd); /* and with it the lock */
	json_decref(j);
	free(line);
	free(path);
}

/* Open path for reading under a shared lock (no append half read); NULL with
 * errno when it cannot be opened. The lock goes with fclose. */
static FILE *open_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FILE *f;

	if (fd < 0)
		return NULL;
	(void)lock(fd, LOCK_SH);
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

/* The string at key, copied into a ("" when absent or not a string). */
static const char *sdup(struct mlc_arena *a, const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return arena_strdup(a, s ? s : "");
}

int journal_list(const char *registry, int64_t limit, struct mlc_audit_list *out,
		 struct mlc_error *err)
{
	char *path = journal_path(), *line = NULL;
	size_t cap = 0, first = out->n;
	FILE *f = path ? open_read(path) : NULL;
	struct mlc_arena *a = &out->arena;
	struct mlc_audit *n;

	if (f == NULL && path && errno != ENOENT) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (f && getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		const char *reg = json_string_value(json_object_get(j, "registry"));
		if (reg && strcmp(reg, registry) == 0) {
			struct mlc_audit *x = MLC_LIST_PUSH(out);
			x->at = json_integer_value(json_object_get(j, "at"));
			x->actor = sdup(a, j, "actor");
			x->action = sdup(a, j, "action");
			x->subject = sdup(a, j, "subject");
			x->detail = sdup(a, j, "detail");
		}
		json_decref(j);
	}
	if (f)
		fclose(f);
	free(line);
	/* the journal is appended in time order: newest first is the reverse */
	for (size_t i = first, k = out->n; i + 1 < k; i++, k--) {
		struct mlc_audit t = out->items[i];
		out->items[i] = out->items[k - 1];
		out->items[k - 1] = t;
	}
	if (limit > 0 && (uint64_t)limit < out->n - first)
		out->n = first + (size_t)limit;
	n = MLC_LIST_PUSH(out);
	n->at = timefmt_now_ms();
	n->actor = "mlconsole";
	n->action = "note";
	n->subject = arena_strdup(a, registry);
	n->detail =
	    arena_printf(a,
			 "an MLflow server keeps no audit trail: these are the changes made "
			 "from this machine (%s)",
			 path ? path : "no journal: HOME is not set");
	free(path);
	return 0;
}

/* ---- verification ---------------------------------------------------------- */

/* One line of the journal as verification sees it. */
struct jline {
	enum { UNCHAINED, CHAINED, BAD } type;
	int content_ok; /* a chained line's fields make its hash */
	char prev[SHA256_HEX_LEN], hash[SHA256_HEX_LEN];
	char why[96]; /* a bad line: what is wrong with it */
};

/* The fields a chained line may have. */
static int known_key(const char *k)
{
	static const char *const keys[] = {"at",      "registry", "actor", "action",
					   "subject", "detail",	  "prev",  "hash"};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

/* Read one line's text into l. */
static void parse_line(const char *text, struct jline *l)
{
	json_t *j = json_loads(text, 0, NULL), *v;
	const char *k, *prev, *hash;
	char h[SHA256_HEX_LEN];

	memset(l, 0, sizeof *l);
	l->type = BAD;
	if (!json_is_object(j)) {
		snprintf(l->why, sizeof l->why, "not a journal entry");
		goto out;
	}
	prev = json_string_value(json_object_get(j, "prev"));
	hash = json_string_value(json_object_get(j, "hash"));
	if (!json_object_get(j, "prev") && !json_object_get(j, "hash")) {
		l->type = UNCHAINED;
		goto out;
	}
	json_object_foreach(j, k, v)
	{
		if (!known_key(k) ||
		    (strcmp(k, "at") == 0 ? !json_is_integer(v) : !json_is_string(v))) {
			snprintf(l->why, sizeof l->why,
				 "its field '%.40s' is not as mlconsole writes it", k);
			goto out;
		}
	}
	if (!is_digest(prev) || !is_digest(hash)) {
		snprintf(l->why, sizeof l->why, "its prev or hash is not a SHA-256 digest");
		goto out;
	}
	l->type = CHAINED;
	snprintf(l->prev, sizeof l->prev, "%s", prev);
	snprintf(l->hash, sizeof l->hash, "%s", hash);
	journal_line_hash(prev, json_integer_value(json_object_get(j, "at")),
			  json_string_value(json_object_get(j, "registry")),
			  json_string_value(json_object_get(j, "actor")),
			  json_string_value(json_object_get(j, "action")),
			  json_string_value(json_object_get(j, "subject")),
			  json_string_value(json_object_get(j, "detail")), h);
	l->content_ok = strcmp(h, l->hash) == 0;
out:
	json_decref(j);
}

/* Every line of the journal at path into *lines (*n of them): 0, or -1. */
static int load_lines(const char *path, struct jline **lines, size_t *n, struct mlc_error *err)
{
	FILE *f = open_read(path);
	char *text = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	*lines = NULL;
	*n = 0;
	if (f == NULL)
		return errno == ENOENT
			   ? 0
			   : mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(errno));
	while ((len = getline(&text, &cap, f)) > 0) {
		if (text[len - 1] == '\n')
			text[len - 1] = '\0';
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			*lines = xrealloc(*lines, alloc * sizeof **lines);
		}
		parse_line(text, &(*lines)[(*n)++]);
	}
	free(text);
	fclose(f);
	return 0;
}

/* Line i (0-based) does not chain from the line before it (started: a
 * chained line came before it): say why, into out. */
static void explain_gap(const struct jline *l, size_t n, size_t i, int started,
			struct mlc_audit_check *out)
{
	long long no = (long long)i + 1;

	for (size_t k = 0; k < n; k++) {
		if (k == i || l[k].type != CHAINED || strcmp(l[k].hash, l[i].prev) != 0)
			continue;
		out->kind = "reordered";
		snprintf(out->problem, sizeof out->problem,
			 "line %lld: re-ordered: it was written right after line %lld", no,
			 (long long)k + 1);
		return;
	}
	if (started && strcmp(l[i].prev, AUDIT_GENESIS) == 0) {
		out->kind = "reordered";
		snprintf(out->problem, sizeof out->problem,
			 "line %lld: re-ordered: it was written as the first chained line", no);
		return;
	}
	out->kind = "deleted";
	if (started)
		snprintf(out->problem, sizeof out->problem,
			 "line %lld: the line before it is missing: deleted (or line %lld was "
			 "rewritten)",
			 no, no - 1);
	else
		snprintf(out->problem, sizeof out->problem,
			 "line %lld: the lines chained before it are missing: deleted", no);
}

/* Walk lines in order; the first break goes into out. */
static void walk(const struct jline *l, size_t n, struct mlc_audit_check *out)
{
	char expect[SHA256_HEX_LEN] = AUDIT_GENESIS;
	int started = 0;

	for (size_t i = 0; i < n && out->kind == NULL; i++) {
		long long no = (long long)i + 1;
		out->broken_id = (int64_t)no;
		if (l[i].type == UNCHAINED && !started) {
			out->unchained++;
			continue;
		}
		if (l[i].type == UNCHAINED) {
			out->kind = "unhashed";
			snprintf(out->problem, sizeof out->problem,
				 "line %lld: has no hash: written outside mlconsole", no);
		} else if (l[i].type == BAD) {
			out->kind = "edited";
			snprintf(out->problem, sizeof out->problem, "line %lld: edited: %s", no,
				 l[i].why);
		} else if (!l[i].content_ok) {
			out->kind = "edited";
			snprintf(out->problem, sizeof out->problem,
				 "line %lld: edited: its content no longer matches its hash", no);
		} else if (strcmp(l[i].prev, expect) != 0) {
			explain_gap(l, n, i, started, out);
		}
		started = 1;
		memcpy(expect, l[i].hash, sizeof expect);
	}
	if (out->kind == NULL) {
		out->broken_id = 0;
		if (started)
			memcpy(out->head_hash, expect, sizeof out->head_hash);
	}
}

int journal_verify(struct mlc_audit_check *out, struct mlc_error *err)
{
	char *path = journal_path();
	struct jline *lines;
	size_t n;

	memset(out, 0, sizeof *out);
	if (path == NULL)
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "no journal to verify: neither XDG_STATE_HOME nor HOME is set");
	snprintf(out->journal, sizeof out->journal, "%s", path);
	free(path);
	if (load_lines(out->journal, &lines, &n, err) < 0)
		return -1;
	walk(lines, n, out);
	out->rows = (int64_t)n;
	out->head_id = (int64_t)n;
	free(lines);
	return 0;
}
