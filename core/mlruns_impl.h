/* mlruns_impl.h: what the MLflow file-store backend's files share inside
 * core/ — the store's cached experiments and runs, the warnings kept for
 * damaged files, and the helpers for reading files, folders and YAML without
 * leaving the store. registry_mlruns.c holds experiments, runs and opening;
 * mlruns_files.c the file, folder and YAML reading; mlruns_models.c the model
 * registry under models/. Not for tui/. */
#ifndef MLC_MLRUNS_IMPL_H
#define MLC_MLRUNS_IMPL_H
#include <locale.h>
#include <stdint.h>
#include <sys/stat.h>
#include <yaml.h>
#include "filter.h"
#include "registry.h"

/* A run is read in two steps: its meta.yaml (enough to count it), then its
 * params, tags and latest metrics. */
enum run_state { RUN_NEW, RUN_META, RUN_LOADED, RUN_BROKEN };

/* A file's identity for the cache: a change of any means read it again (the
 * link count of a folder changes with its subfolders, within one clock tick). */
struct file_sig {
	int64_t mtime_ns, size, nlink;
};

struct mrun {
	char *id;  /* the folder name: the run id */
	char *dir; /* full path of the folder */
	struct mexp *exp;
	enum run_state state;
	struct file_sig meta_sig; /* of meta.yaml when it was read */
	uint64_t data_sig;	  /* of every value file when they were read */
	struct mlc_arena arena;	  /* owns run's strings and arrays */
	struct mlc_run run;
};

struct mexp {
	char *dir;
	int trashed;
	struct mlc_arena arena; /* owns e's strings */
	struct mlc_experiment e;
	struct file_sig dir_sig; /* of the folder, when its runs were listed */
	int listed;
	struct mrun **runs;
	size_t n_runs;
};

struct mlruns_impl {
	char *root;
	locale_t c_locale; /* numbers are written by Python, whatever our locale */
	struct file_sig root_sig, trash_sig;
	struct mexp **exps;
	size_t n_exps;
	struct mrun **index; /* every listed run, by id (get_run) */
	size_t n_index;
	int index_stale;
	struct mlc_warning *warnings;
	size_t n_warnings, cap_warnings;
};

#define IMPL(r) ((struct mlruns_impl *)(r)->impl)

enum ftype { F_MISSING, F_DIR, F_FILE, F_DANGLING, F_OTHER, F_ERROR, F_LINKED_DIR };

struct names {
	char **v;
	size_t n;
};

struct entry {
	char *key, *path;
	struct file_sig sig;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

struct yml {
	yaml_document_t doc;
	yaml_node_t *root;
};

/* ---- mlruns_files.c ---- */

/* Remember that path was skipped and why (once per path and reason). */
void mlr_warn(struct mlruns_impl *m, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* What path is, following symbolic links; a link to nothing is F_DANGLING. */
enum ftype mlr_file_type(const char *path, struct stat *st);
/* The cache signature of path now (zeros when it cannot be read). */
struct file_sig mlr_path_sig(const char *path);
int mlr_sig_equal(struct file_sig a, struct file_sig b);
/* Mix a value into an FNV-1a hash. */
uint64_t mlr_mix(uint64_t h, const void *p, size_t n);
/* Why a file or folder could not be read (an errno of the calls below). */
const char *mlr_read_why(int e);
/* The whole regular file at path, inside root, malloc'd and NUL-terminated;
 * NULL with errno set (mlr_read_why says it). */
char *mlr_read_file(const char *root, const char *path, size_t *len);
/* The entries of folder path (inside root; NULL allows all) except . and ..,
 * sorted; -1 with errno on failure. */
int mlr_list_dir(const char *root, const char *path, struct names *out);
void mlr_names_free(struct names *n);
/* Warn that path, which should be a folder, cannot be read as one. */
void mlr_warn_not_folder(struct mlruns_impl *m, const char *path, enum ftype t, int e);
/* The keys under the value folder dir, sorted (missing is fine). */
void mlr_walk_keys(struct mlruns_impl *m, const char *dir, struct entries *out);
void mlr_entries_free(struct entries *es);
/* Parse the meta.yaml at path (inside root) into y, a mapping at the top; on
 * failure -1 with the reason in why. */
int mlr_yml_load(struct yml *y, const char *root, const char *path, char *why, size_t whylen);
void mlr_yml_free(struct yml *y);
/* The value node of key in mapping node map, or NULL. */
yaml_node_t *mlr_yml_node_in(struct yml *y, yaml_node_t *map, const char *key);
/* The string of scalar node n; NULL for null or a non-scalar. */
const char *mlr_yml_scalar(const yaml_node_t *n);
/* The string at key of the top mapping; NULL when absent or null. */
const char *mlr_yml_str(struct yml *y, const char *key);
/* 1 if the top mapping has key at all (null counts). */
int mlr_yml_has(struct yml *y, const char *key);
/* The integer at key: 0 when absent or null, -1 when it is not an integer. */
int mlr_yml_int(struct yml *y, const char *key, int64_t *out);
/* Copy the string at key into a ("" when absent or null). */
const char *mlr_yml_dup(struct yml *y, const char *key, struct mlc_arena *a);
/* Parse s as a whole decimal integer. */
int mlr_parse_int(const char *s, int64_t *out);

/* ---- registry_mlruns.c ---- */

/* The values of the files es lists, read into an arena array of n. */
struct mlc_kv *mlr_load_values(struct mlruns_impl *m, struct mlc_arena *a, const struct entries *es,
			       size_t *n);
/* The run with id run_id or a unique prefix of it (loaded fully when full),
 * or NULL with err filled. */
struct mrun *mlr_find_run(struct registry *r, const char *run_id, int full, struct mlc_error *err);
/* Deep-copy n key/value pairs into a. */
/* Whether string v satisfies filter clause c. */
int mlr_match_str(const char *v, const struct filter_clause *c);

/* ---- mlruns_models.c: the registry_ops of models/ ---- */

int mlruns_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
		       struct mlc_error *err);
int mlruns_list_versions(struct registry *r, const char *model, struct mlc_version_list *out,
			 struct mlc_error *err);
int mlruns_versions_for_run(struct registry *r, const char *run_id, struct mlc_version_list *out,
			    struct mlc_error *err);

#endif
