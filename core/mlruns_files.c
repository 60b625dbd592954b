/* mlruns_files.c: reading an MLflow file store without leaving it — the
 * warnings kept for damaged files, files and folders (a symbolic link out of
 * the store is never followed), the value folders under metrics/, params/ and
 * tags/, and meta.yaml through libyaml's document API. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "import.h"
#include "xmalloc.h"
#include "mlruns_impl.h"

/* ---- warnings ----------------------------------------------------------- */

void mlr_warn(struct mlruns_impl *m, const char *path, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < m->n_warnings; i++)
		if (strcmp(m->warnings[i].path, path) == 0 &&
		    strcmp(m->warnings[i].reason, reason) == 0)
			return;
	if (m->n_warnings == m->cap_warnings) {
		m->cap_warnings = m->cap_warnings ? m->cap_warnings * 2 : 16;
		m->warnings = xrealloc(m->warnings, m->cap_warnings * sizeof *m->warnings);
	}
	m->warnings[m->n_warnings].path = xstrdup(path);
	m->warnings[m->n_warnings].reason = xstrdup(reason);
	m->n_warnings++;
}

int registry_mlruns_warnings(struct registry *r, const struct mlc_warning **out, size_t *n)
{
	if (r == NULL || strcmp(r->ops->kind, "mlruns") != 0) {
		*out = NULL;
		*n = 0;
		return -1;
	}
	*out = IMPL(r)->warnings;
	*n = IMPL(r)->n_warnings;
	return 0;
}

/* ---- files and folders -------------------------------------------------- */

/* What path is, following symbolic links; a link to nothing is F_DANGLING. */
enum ftype mlr_file_type(const char *path, struct stat *st)
{
	struct stat lst;

	if (stat(path, st) == 0)
		return S_ISDIR(st->st_mode) ? F_DIR : S_ISREG(st->st_mode) ? F_FILE : F_OTHER;
	if (errno != ENOENT)
		return F_ERROR;
	return lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) ? F_DANGLING : F_MISSING;
}

/* The cache signature of a stat result. */
static struct file_sig sig_of(const struct stat *st)
{
	struct file_sig s = {(int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
			     (int64_t)st->st_size, (int64_t)st->st_nlink};
	return s;
}

/* The signature of path now (zeros when it cannot be read). */
struct file_sig mlr_path_sig(const char *path)
{
	struct stat st;
	struct file_sig none = {0, 0, 0};

	return stat(path, &st) == 0 ? sig_of(&st) : none;
}

int mlr_sig_equal(struct file_sig a, struct file_sig b)
{
	return a.mtime_ns == b.mtime_ns && a.size == b.size && a.nlink == b.nlink;
}

/* Mix a value into an FNV-1a hash. */
uint64_t mlr_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

/* One multiply-xorshift round of lane h with word w: a bijection of either. */
static uint64_t hash_round(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

uint64_t mlr_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t lane[4] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
			    0x082efa98ec4e6c89ULL};
	uint64_t w, h = n;
	size_t i = 0;

	/* Four lanes keep the multiplies independent (memory speed). */
	for (; i + 32 <= n; i += 32)
		for (int k = 0; k < 4; k++) {
			memcpy(&w, b + i + 8 * k, 8);
			lane[k] = hash_round(lane[k], w);
		}
	for (; i < n; i += 8) {
		w = 0;
		memcpy(&w, b + i, n - i < 8 ? n - i : 8);
		lane[0] = hash_round(lane[0], w);
	}
	for (int k = 0; k < 4; k++)
		h = hash_round(h, lane[k]);
	return hash_round(h, n);
}

/* ---- staying inside the store ------------------------------------------ */

/* Stores come from git checkouts, which carry symbolic links: nothing is read
 * from outside the store's root, whatever links lead there. These errno
 * values mean what mlr_read_why says. */
#define E_OUTSIDE EXDEV	     /* resolves outside the store */
#define E_NOT_REGULAR ENODEV /* a FIFO, device or socket */

/* Why a file or folder could not be read, for a warning. */
const char *mlr_read_why(int e)
{
	if (e == E_OUTSIDE)
		return "a symbolic link that leads out of the store; not followed";
	if (e == E_NOT_REGULAR)
		return "not a regular file";
	return strerror(e);
}

/* 1 if the absolute, resolved path p is root or inside it. */
static int under_root(const char *root, const char *p)
{
	size_t n = strlen(root);

	return strcmp(root, "/") == 0 ||
	       (strncmp(p, root, n) == 0 && (p[n] == '\0' || p[n] == '/'));
}

/* 1 if the open fd (opened as path) lies inside root: where the kernel says
 * the open file is (so a link swapped in after a check cannot lead out), or
 * where realpath() says when /proc is not mounted. A NULL root allows all. */
static int fd_inside(const char *root, int fd, const char *path)
{
	char proc[64], where[PATH_MAX];
	ssize_t n;
	char *abs;
	int in;

	if (root == NULL)
		return 1;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	n = readlink(proc, where, sizeof where);
	if (n >= 0 && (size_t)n < sizeof where) {
		where[n] = '\0';
		return under_root(root, where);
	}
	abs = realpath(path, NULL);
	in = abs && under_root(root, abs);
	free(abs);
	return in;
}

/* Open the file at path for reading without following a symbolic link out of
 * root: a link is resolved first and its target opened only if it is inside
 * (so a link to a device elsewhere is never even opened). -1 with errno. */
static int open_inside(const char *root, const char *path)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
	int fd = open(path, flags);
	char *abs;

	if (fd >= 0 || errno != ELOOP || root == NULL)
		return fd;
	if ((abs = realpath(path, NULL)) == NULL)
		return -1;
	if (!under_root(root, abs)) {
		free(abs);
		errno = E_OUTSIDE;
		return -1;
	}
	fd = open(abs, flags);
	free(abs);
	return fd;
}

/* 0 if the open fd is a regular file inside root (its stat in st), else why
 * not (an errno). */
static int regular_inside(const char *root, int fd, const char *path, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return errno;
	if (S_ISDIR(st->st_mode))
		return EISDIR;
	if (!S_ISREG(st->st_mode))
		return E_NOT_REGULAR;
	return fd_inside(root, fd, path) ? 0 : E_OUTSIDE;
}

/* ---- files and folders (continued) -------------------------------------- */

/* Read the whole regular file at path, inside root, into a malloc'd,
 * NUL-terminated buffer (the caller frees it); NULL with errno set on failure
 * (mlr_read_why says it). */
char *mlr_read_file(const char *root, const char *path, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf;
	int fd = open_inside(root, path), e;

	if (fd < 0)
		return NULL;
	if ((e = regular_inside(root, fd, path, &st)) != 0) {
		close(fd);
		errno = e;
		return NULL;
	}
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		/* A regular file reads short only at its end: no read for the 0. */
		if (n < cap)
			break;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of folder path (inside root; NULL allows all) except . and ..,
 * sorted; -1 with errno on failure (mlr_read_why says it). */
int mlr_list_dir(const char *root, const char *path, struct names *out)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	out->v = NULL;
	out->n = 0;
	if (fd < 0)
		return -1;
	if (!fd_inside(root, fd, path)) {
		close(fd);
		errno = E_OUTSIDE;
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 32;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		out->v[out->n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_str_ptr);
	return 0;
}

void mlr_names_free(struct names *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

/* Warn that path, which should be a folder, cannot be read as one. */
void mlr_warn_not_folder(struct mlruns_impl *m, const char *path, enum ftype t, int e)
{
	if (t == F_DANGLING)
		mlr_warn(m, path, "a symbolic link to nothing, not a folder");
	else if (t == F_FILE || t == F_OTHER)
		mlr_warn(m, path, "not a folder");
	else
		mlr_warn(m, path, "cannot read the folder: %s", mlr_read_why(e));
}

/* ---- values under metrics/, params/, tags/ ------------------------------ */

void mlr_entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].key);
		free(es->v[i].path);
	}
	free(es->v);
	memset(es, 0, sizeof *es);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

/* What the entry at path of a value folder is: like mlr_file_type, but a symbolic
 * link to a folder is F_LINKED_DIR, never walked (nested keys are real
 * folders; `a -> .` would walk for ever). A link to a file is F_FILE: whether
 * it stays inside the store is mlr_read_file's check. */
static enum ftype value_entry_type(const char *path, struct stat *st)
{
	if (lstat(path, st) != 0)
		return errno == ENOENT ? F_MISSING : F_ERROR;
	if (!S_ISLNK(st->st_mode))
		return S_ISDIR(st->st_mode) ? F_DIR : S_ISREG(st->st_mode) ? F_FILE : F_OTHER;
	enum ftype t = mlr_file_type(path, st);
	return t == F_DIR ? F_LINKED_DIR : t;
}

/* Collect the files under dir as keys relative to top (a key with '/' is a
 * nested folder). Hidden names are stray files, not keys. */
static void walk_into(struct mlruns_impl *m, const char *dir, const char *prefix, int depth,
		      struct entries *out)
{
	struct names ns;

	if (mlr_list_dir(m->root, dir, &ns) < 0) {
		mlr_warn_not_folder(m, dir, F_ERROR, errno);
		return;
	}
	for (size_t i = 0; i < ns.n; i++) {
		struct stat st;
		char *path, *key;
		enum ftype t;

		if (ns.v[i][0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, ns.v[i]);
		key = prefix ? xasprintf("%s/%s", prefix, ns.v[i]) : xstrdup(ns.v[i]);
		t = value_entry_type(path, &st);
		if (t == F_DIR && depth < 32) {
			walk_into(m, path, key, depth + 1, out);
		} else if (t == F_FILE) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 16;
				out->v = xrealloc(out->v, out->cap * sizeof *out->v);
			}
			out->v[out->n++] = (struct entry){key, path, sig_of(&st)};
			continue;
		} else if (t == F_DANGLING) {
			mlr_warn(m, path, "a symbolic link to nothing");
		} else if (t == F_LINKED_DIR) {
			mlr_warn(m, path, "a symbolic link to a folder; not followed");
		} else {
			mlr_warn(m, path, "not a regular file");
		}
		free(path);
		free(key);
	}
	mlr_names_free(&ns);
}

/* The keys under the value folder dir (missing is fine: git drops empty ones). */
void mlr_walk_keys(struct mlruns_impl *m, const char *dir, struct entries *out)
{
	struct stat st;
	enum ftype t = value_entry_type(dir, &st);

	if (t == F_MISSING)
		return;
	if (t == F_LINKED_DIR) {
		mlr_warn(m, dir, "a symbolic link to a folder; not followed");
		return;
	}
	if (t != F_DIR) {
		mlr_warn_not_folder(m, dir, t, errno);
		return;
	}
	walk_into(m, dir, NULL, 0, out);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_entry);
}

/* ---- YAML (libyaml's document API) -------------------------------------- */

/* Parse the meta.yaml at path into y (a mapping at the top); on failure put
 * the reason in why. */
int mlr_yml_load(struct yml *y, const char *root, const char *path, char *why, size_t whylen)
{
	yaml_parser_t p;
	size_t len;
	char *buf = mlr_read_file(root, path, &len);

	memset(y, 0, sizeof *y);
	if (buf == NULL) {
		snprintf(why, whylen, "cannot read: %s", mlr_read_why(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&p)) {
		free(buf);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &y->doc)) {
		snprintf(why, whylen, "damaged YAML at line %lu: %s",
			 (unsigned long)p.problem_mark.line + 1,
			 p.problem ? p.problem : "syntax error");
		yaml_parser_delete(&p);
		free(buf);
		return -1;
	}
	yaml_parser_delete(&p);
	free(buf);
	y->root = yaml_document_get_root_node(&y->doc);
	if (y->root == NULL || y->root->type != YAML_MAPPING_NODE) {
		snprintf(why, whylen, "%s", y->root ? "not a YAML mapping" : "empty file");
		yaml_document_delete(&y->doc);
		y->root = NULL;
		return -1;
	}
	return 0;
}

void mlr_yml_free(struct yml *y)
{
	if (y->root)
		yaml_document_delete(&y->doc);
	y->root = NULL;
}

/* The value node of key in mapping node map, or NULL. */
yaml_node_t *mlr_yml_node_in(struct yml *y, yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(&y->doc, p->value);
	}
	return NULL;
}

/* 1 if n is YAML's null: a plain empty, ~, null, Null or NULL. */
static int yml_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The string of scalar node n; NULL for null or a non-scalar. */
const char *mlr_yml_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE || yml_is_null(n))
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* The string at key of the top mapping; NULL when absent or null. */
const char *mlr_yml_str(struct yml *y, const char *key)
{
	return mlr_yml_scalar(mlr_yml_node_in(y, y->root, key));
}

/* 1 if the top mapping has key at all (null counts). */
int mlr_yml_has(struct yml *y, const char *key)
{
	return mlr_yml_node_in(y, y->root, key) != NULL;
}

/* Parse s as a whole decimal integer. */
int mlr_parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

/* The integer at key: 0 when absent or null, -1 when it is not an integer. */
int mlr_yml_int(struct yml *y, const char *key, int64_t *out)
{
	yaml_node_t *n = mlr_yml_node_in(y, y->root, key);

	*out = 0;
	if (n == NULL || yml_is_null(n))
		return 0;
	return n->type == YAML_SCALAR_NODE ? mlr_parse_int(mlr_yml_scalar(n), out) : -1;
}

/* Copy the string at key into a ("" when absent or null). */
const char *mlr_yml_dup(struct yml *y, const char *key, struct mlc_arena *a)
{
	return arena_strdup(a, mlr_yml_str(y, key));
}
