/* audit.c: the local audit log as a hash chain (each row hashes the previous
 * row's hash with its own fields, as git and certificate-transparency logs
 * do), its verification, and the chain head each console keeps outside the
 * registry so that a log rewritten with its chain recomputed is still seen. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "audit.h"
#include "sha256.h"
#include "sqlutil.h"
#include "timefmt.h"
#include "xmalloc.h"

/* ---- the hash ------------------------------------------------------------ */

void audit_row_hash(const char *prev, int64_t id, int64_t at, const char *actor, const char *action,
		    const char *subject, const char *detail, char out[SHA256_HEX_LEN])
{
	char sid[24], sat[24];
	const char *f[] = {prev, sid, sat, actor, action, subject, detail};

	snprintf(sid, sizeof sid, "%lld", (long long)id);
	snprintf(sat, sizeof sat, "%lld", (long long)at);
	sha256_fields_hex(f, sizeof f / sizeof f[0], out);
}

/* Column i as text, "" for NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* Hash the row st holds (id, at, actor, action, subject, detail from column 0). */
static void hash_row(sqlite3_stmt *st, const char *prev, char out[SHA256_HEX_LEN])
{
	audit_row_hash(prev, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), col(st, 2),
		       col(st, 3), col(st, 4), col(st, 5), out);
}

int audit_append(sqlite3 *db, int64_t at, const char *actor, const char *action,
		 const char *subject, const char *detail, struct mlc_error *err)
{
	sqlite3_stmt *st;
	char prev[SHA256_HEX_LEN] = AUDIT_GENESIS, hash[SHA256_HEX_LEN];
	int64_t id = 1;
	int rc;

	if ((st = sql_prep(db, "audit log: reading the chain head",
			   "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0) + 1;
		/* A row without a hash (written outside mlconsole) is reported by
		 * audit verify; the chain goes on from the genesis value. */
		if (strlen(col(st, 1)) == 64)
			memcpy(prev, col(st, 1), sizeof prev);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(db, "audit log: reading the chain head", err);
	audit_row_hash(prev, id, at, actor, action, subject, detail ? detail : "", hash);
	if ((st = sql_prep(db, "audit log: appending",
			   "INSERT INTO audit_log (id, at, actor, action, subject, detail, hash)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?)",
			   err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, detail ? detail : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_error(db, "audit log: appending", err);
}

int audit_chain_existing(sqlite3 *db, struct mlc_error *err)
{
	sqlite3_stmt *st, *up;
	char prev[SHA256_HEX_LEN] = AUDIT_GENESIS;
	int rc = SQLITE_DONE;

	if ((st = sql_prep(db, "audit log: chaining",
			   "SELECT id, at, actor, action, subject, detail FROM audit_log"
			   " ORDER BY id",
			   err)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "UPDATE audit_log SET hash = ? WHERE id = ?", -1, &up, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return sql_error(db, "audit log: chaining", err);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		char hash[SHA256_HEX_LEN];
		hash_row(st, prev, hash);
		sqlite3_bind_text(up, 1, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 0));
		if ((rc = sqlite3_step(up)) != SQLITE_DONE)
			break;
		sqlite3_reset(up);
		memcpy(prev, hash, sizeof prev);
	}
	sqlite3_finalize(up);
	if (sqlite3_finalize(st) != SQLITE_OK || rc != SQLITE_DONE)
		return sql_error(db, "audit log: chaining", err);
	return 0;
}

/* ---- environments -------------------------------------------------------- */

/* " gates=N:HASH" into out: how many gates environment env_id has and the
 * first 16 hex digits of the SHA-256 of their expressions, sorted (each a
 * length-prefixed field), " gates=0" for none; an expression holds spaces,
 * the policy text is space-separated. A registry from before gates (no
 * table) has none. */
static int gates_text(sqlite3 *db, int64_t env_id, struct strbuf *out, struct mlc_error *err)
{
	sqlite3_stmt *st;
	struct sha256 h;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEX_LEN];
	int rc, n = 0;

	if ((st = sql_prep(db, "audit log: reading a policy",
			   "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
			   " AND name = 'environment_gates'",
			   err)) == NULL)
		return -1;
	rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc < 0)
		return sql_error(db, "audit log: reading a policy", err);
	if (rc == 0) {
		sb_add(out, " gates=0");
		return 0;
	}
	if ((st = sql_prep(db, "audit log: reading a policy",
			   "SELECT expr FROM environment_gates WHERE env_id = ? ORDER BY expr", err)) ==
	    NULL)
		return -1;
	sqlite3_bind_int64(st, 1, env_id);
	sha256_init(&h);
	for (; (rc = sqlite3_step(st)) == SQLITE_ROW; n++)
		sha256_field(&h, col(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_error(db, "audit log: reading a policy", err);
	sha256_final(&h, d);
	sha256_to_hex(d, hex);
	if (n == 0)
		sb_add(out, " gates=0");
	else
		sb_printf(out, " gates=%d:%.16s", n, hex);
	return 0;
}

int audit_env_policy(sqlite3 *db, int64_t env_id, struct strbuf *out, struct mlc_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sql_prep(db, "audit log: reading a policy",
			   "SELECT ord, required_approvals, self_approval, rollback_approval,"
			   " require_previous FROM environments WHERE id = ?",
			   err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, env_id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE
			   ? mlc_error_set(err, MLC_ERR_NOTFOUND, "environment %lld: not found",
					   (long long)env_id)
			   : sql_error(db, "audit log: reading a policy", err);
	}
	sb_printf(out, "order=%lld required_approvals=%lld approvers=",
		  (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
	char tail[128];
	snprintf(tail, sizeof tail, " self_approval=%s rollback_approval=%s require_previous=%s",
		 sqlite3_column_int(st, 2) ? "yes" : "no", sqlite3_column_int(st, 3) ? "yes" : "no",
		 sqlite3_column_int(st, 4) ? "yes" : "no");
	sqlite3_finalize(st);
	if ((st = sql_prep(db, "audit log: reading a policy",
			   "SELECT user FROM environment_approvers WHERE env_id = ? ORDER BY user",
			   err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, env_id);
	for (int n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; n++)
		sb_printf(out, "%s%s", n ? "," : "", col(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_error(db, "audit log: reading a policy", err);
	sb_add(out, tail);
	return gates_text(db, env_id, out, err);
}

/* The value of key in a policy text ("k=v k=v"), into v; 0 if absent. */
static int policy_value(const char *text, const char *key, char *v, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " ");
			snprintf(v, len, "%.*s", (int)n, p + kl + 1);
			return 1;
		}
	}
	return 0;
}

/* Say which settings of cur differ from the recorded rec, into why. */
static void describe_drift(const char *cur, const char *rec, char *why, size_t len)
{
	static const char *const keys[] = {
	    "order",	     "required_approvals", "approvers",
	    "self_approval", "rollback_approval",  "require_previous", "gates"};
	struct strbuf sb = {0};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char a[256] = "", b[256] = "";
		policy_value(cur, keys[i], a, sizeof a);
		policy_value(rec, keys[i], b, sizeof b);
		if (strcmp(a, b) == 0)
			continue;
		if (strcmp(keys[i], "gates") == 0) /* N:HASH: say how many */
			sb_printf(&sb, "%sthe gates differ: %d now, the audit log says %d",
				  sb.len ? "; " : "", atoi(a), atoi(b));
		else
			sb_printf(&sb, "%s%s is %s, the audit log says %s", sb.len ? "; " : "",
				  keys[i], *a ? a : "(none)", *b ? b : "(none)");
	}
	snprintf(why, len, "edited outside mlconsole: %s",
		 sb.len ? sb_str(&sb) : "its policy differs from the audit log's");
	sb_free(&sb);
}

/* The policy text of the last "policy: order=…" in detail, or NULL when
 * there is none (SQL's instr() sees past a NUL byte that strstr stops at). */
static const char *last_policy(const char *detail)
{
	const char *p, *last = NULL;

	while ((p = strstr(detail, "policy: order=")) != NULL) {
		last = p;
		detail = p + 1;
	}
	return last ? last + strlen("policy: ") : NULL;
}

int audit_env_check(sqlite3 *db, int64_t env_id, const char *name, char *why, size_t len,
		    struct mlc_error *err)
{
	struct strbuf cur = {0};
	sqlite3_stmt *st;
	const char *rec = NULL;
	int rc, differs;

	if (audit_env_policy(db, env_id, &cur, err) < 0) {
		sb_free(&cur);
		return -1;
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT detail FROM audit_log WHERE subject = ?"
			       " AND action LIKE 'policy%' AND instr(detail, 'policy: order=') > 0"
			       " ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		sb_free(&cur);
		return sql_error(db, "audit log: reading a policy record", err);
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rec = last_policy(col(st, 0));
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		sb_free(&cur);
		return sql_error(db, "audit log: reading a policy record", err);
	}
	/* a record from before the policy text named the gates cannot say
	 * them: compare the rest (the next policy change records them) */
	if (rec != NULL && strstr(rec, " gates=") == NULL) {
		char *g = strstr(cur.buf, " gates=");
		if (g != NULL) {
			*g = '\0';
			cur.len = (size_t)(g - cur.buf);
		}
	}
	if (rec == NULL)
		snprintf(why, len, "edited outside mlconsole: no audit record of its policy");
	else if (strcmp(rec, sb_str(&cur)) != 0)
		describe_drift(sb_str(&cur), rec, why, len);
	differs = rec == NULL || strcmp(rec, sb_str(&cur)) != 0;
	sqlite3_finalize(st);
	sb_free(&cur);
	return differs;
}

/* ---- the remembered head -------------------------------------------------- */

/* path made absolute (symbolic links resolved when it exists); caller frees. */
static char *absolute(const char *path)
{
	char buf[PATH_MAX], cwd[PATH_MAX];

	if (realpath(path, buf) != NULL)
		return xstrdup(buf);
	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

char *audit_state_path(const char *name)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/mlconsole/%s", x, name);
	if (home && *home)
		return xasprintf("%s/.local/state/mlconsole/%s", home, name);
	return NULL;
}

char *audit_head_file(const char *path)
{
	char *abs = absolute(path), hex[SHA256_HEX_LEN], *name, *file;

	sha256_hex(abs, strlen(abs), hex);
	free(abs);
	name = xasprintf("audit-heads/%s", hex);
	file = audit_state_path(name);
	free(name);
	return file;
}

/* Read the head remembered for path: 1 found, 0 none. */
static int head_read(const char *path, int64_t *id, char hash[SHA256_HEX_LEN])
{
	char *file = audit_head_file(path), line[256];
	long long n = 0;
	FILE *f = file ? fopen(file, "re") : NULL;
	int found = 0;

	free(file);
	if (f == NULL)
		return 0;
	/* "mlconsole audit head 1", then "ID HASH", then the registry's path. */
	if (fgets(line, sizeof line, f) && strncmp(line, "mlconsole audit head 1", 22) == 0 &&
	    fgets(line, sizeof line, f) && sscanf(line, "%lld %64s", &n, hash) == 2 && n > 0 &&
	    strlen(hash) == 64) {
		*id = n;
		found = 1;
	}
	fclose(f);
	return found;
}

void audit_make_parents(const char *file)
{
	char *p = xstrdup(file);

	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

/* Remember (id, hash) as path's head: a temporary file (0600) renamed over. */
static int head_write(const char *path, int64_t id, const char *hash)
{
	char *file = audit_head_file(path), *tmp, *abs = absolute(path), *text;
	int fd, rc = -1;

	if (file == NULL) {
		free(abs);
		return -1;
	}
	audit_make_parents(file);
	tmp = xasprintf("%s.tmp-%ld", file, (long)getpid());
	text = xasprintf("mlconsole audit head 1\n%lld %s\n%s\n", (long long)id, hash, abs);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		size_t n = strlen(text);
		rc = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0 ? 0 : -1;
		if (close(fd) < 0)
			rc = -1;
		if (rc == 0 && rename(tmp, file) < 0)
			rc = -1;
		if (rc < 0)
			unlink(tmp);
	}
	free(text);
	free(tmp);
	free(abs);
	free(file);
	return rc;
}

void audit_head_forget(const char *path)
{
	char *file = audit_head_file(path);

	if (file)
		unlink(file);
	free(file);
}

/* The hash stored for row id: 1 and hash filled, 0 when there is no such row. */
static int stored_hash(sqlite3 *db, int64_t id, char hash[SHA256_HEX_LEN])
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT hash FROM audit_log WHERE id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(hash, SHA256_HEX_LEN, "%s", col(st, 0));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

void audit_head_advance(sqlite3 *db, const char *path)
{
	char seen[SHA256_HEX_LEN], prev[SHA256_HEX_LEN], hash[SHA256_HEX_LEN];
	int64_t seen_id = 0, id;
	sqlite3_stmt *st;
	int ok = 1;

	if (head_read(path, &seen_id, seen)) {
		/* Advance only along a chain that still holds the remembered row. */
		if (!stored_hash(db, seen_id, prev) || strcmp(prev, seen) != 0)
			return;
	} else {
		seen_id = 0;
		memcpy(prev, AUDIT_GENESIS, sizeof prev);
	}
	id = seen_id;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, at, actor, action, subject, detail, hash FROM audit_log"
			       " WHERE id > ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, seen_id);
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		/* With no head yet, the walk starts wherever the log starts. */
		if (seen_id != 0 && sqlite3_column_int64(st, 0) != id + 1)
			ok = 0;
		hash_row(st, prev, hash);
		if (strcmp(hash, col(st, 6)) != 0)
			ok = 0;
		id = sqlite3_column_int64(st, 0);
		memcpy(prev, hash, sizeof prev);
	}
	sqlite3_finalize(st);
	if (ok && id > seen_id)
		head_write(path, id, prev);
}

/* ---- verification ---------------------------------------------------------- */

/* Every row's id and stored hash, in id order. */
struct chain {
	int64_t *id;
	char (*hash)[SHA256_HEX_LEN];
	size_t n, cap;
};

/* Load the ids and hashes of the whole log into c. */
static int load_chain(sqlite3 *db, struct chain *c, struct mlc_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sql_prep(db, "audit log: reading", "SELECT id, hash FROM audit_log ORDER BY id",
			   err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 1024;
			c->id = xrealloc(c->id, c->cap * sizeof *c->id);
			c->hash = xrealloc(c->hash, c->cap * sizeof *c->hash);
		}
		c->id[c->n] = sqlite3_column_int64(st, 0);
		snprintf(c->hash[c->n], SHA256_HEX_LEN, "%s", col(st, 1));
		c->n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_error(db, "audit log: reading", err);
}

/* Row i's content (in st) does not match its hash: find where it belongs —
 * another position k whose stored hash it makes, with or without its own
 * hash moving along. Fill out's problem. */
static void explain_mismatch(const struct chain *c, size_t i, sqlite3_stmt *st,
			     struct mlc_audit_check *out)
{
	char h[SHA256_HEX_LEN];

	for (size_t k = 0; k < c->n; k++) {
		if (k == i)
			continue;
		audit_row_hash(k ? c->hash[k - 1] : AUDIT_GENESIS, c->id[k],
			       sqlite3_column_int64(st, 1), col(st, 2), col(st, 3), col(st, 4),
			       col(st, 5), h);
		if (strcmp(h, c->hash[k]) == 0 || strcmp(h, c->hash[i]) == 0) {
			out->kind = "reordered";
			snprintf(out->problem, sizeof out->problem,
				 "row %lld: re-ordered: it holds the entry written as row %lld",
				 (long long)c->id[i], (long long)c->id[k]);
			return;
		}
	}
	out->kind = "edited";
	snprintf(out->problem, sizeof out->problem,
		 "row %lld: edited: its content no longer matches its hash", (long long)c->id[i]);
}

/* Walk the chain row by row; the first break goes into out. */
static int walk(sqlite3 *db, const struct chain *c, struct mlc_audit_check *out,
		struct mlc_error *err)
{
	sqlite3_stmt *st;
	char h[SHA256_HEX_LEN];
	size_t i = 0;
	int rc;

	if ((st = sql_prep(db, "audit log: reading",
			   "SELECT id, at, actor, action, subject, detail FROM audit_log"
			   " ORDER BY id",
			   err)) == NULL)
		return -1;
	for (; (rc = sqlite3_step(st)) == SQLITE_ROW && i < c->n && out->kind == NULL; i++) {
		int64_t id = c->id[i], want = i ? c->id[i - 1] + 1 : 1;
		out->broken_id = id;
		if (id != want) {
			out->kind = "deleted";
			if (id == want + 1)
				snprintf(out->problem, sizeof out->problem,
					 "row %lld: the row before it (%lld) is missing: deleted",
					 (long long)id, (long long)want);
			else
				snprintf(out->problem, sizeof out->problem,
					 "row %lld: the rows before it (%lld to %lld) are missing: "
					 "deleted",
					 (long long)id, (long long)want, (long long)(id - 1));
		} else if (strlen(c->hash[i]) != 64) {
			out->kind = "unhashed";
			snprintf(out->problem, sizeof out->problem,
				 "row %lld: has no hash: written outside mlconsole", (long long)id);
		} else {
			hash_row(st, i ? c->hash[i - 1] : AUDIT_GENESIS, h);
			if (strcmp(h, c->hash[i]) != 0)
				explain_mismatch(c, i, st, out);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(db, "audit log: reading", err);
	if (out->kind == NULL)
		out->broken_id = 0;
	return 0;
}

/* Index of id in c (ids ascending), or -1. */
static long find_id(const struct chain *c, int64_t id)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->id[mid] == id)
			return (long)mid;
		if (c->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Compare the intact chain with the head this console remembers. */
static void check_seen(const struct chain *c, struct mlc_audit_check *out)
{
	long k = find_id(c, out->seen_id);

	if (out->seen_id == 0)
		return;
	if (k >= 0 && strcmp(c->hash[k], out->seen_hash) == 0)
		return;
	out->kind = "rewritten";
	out->broken_id = out->seen_id;
	if (k < 0)
		snprintf(
		    out->problem, sizeof out->problem,
		    "row %lld: missing: the log was cut back or rewritten since this console last "
		    "saw it (it ended at row %lld, hash %.12s)",
		    (long long)out->seen_id, (long long)out->seen_id, out->seen_hash);
	else
		snprintf(
		    out->problem, sizeof out->problem,
		    "row %lld: the log was rewritten since this console last saw it (its hash was "
		    "%.12s, now %.12s)",
		    (long long)out->seen_id, out->seen_hash, c->hash[k]);
}

int audit_verify(sqlite3 *db, const char *path, struct mlc_audit_check *out, struct mlc_error *err)
{
	struct chain c = {0};
	int rc;

	memset(out, 0, sizeof *out);
	if (!head_read(path, &out->seen_id, out->seen_hash))
		out->seen_id = 0;
	rc = load_chain(db, &c, err);
	if (rc == 0)
		rc = walk(db, &c, out, err);
	if (rc == 0) {
		out->rows = (int64_t)c.n;
		if (c.n) {
			out->head_id = c.id[c.n - 1];
			snprintf(out->head_hash, sizeof out->head_hash, "%s", c.hash[c.n - 1]);
		}
		if (out->kind == NULL)
			check_seen(&c, out);
		if (out->kind == NULL && c.n)
			head_write(path, out->head_id, out->head_hash);
	}
	free(c.id);
	free(c.hash);
	return rc;
}
