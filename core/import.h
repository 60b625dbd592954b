/* import.h: copying a registry (an MLflow file store, another local registry)
 * into the local SQLite registry — idempotent, in transactions, with a report of
 * what was copied and what was skipped and why. Also the file store's warnings. */
#ifndef MLC_IMPORT_H
#define MLC_IMPORT_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "registry.h"

/* A part of a source that was skipped: where it is, and why. */
struct mlc_warning {
	const char *path;
	const char *reason;
};

/* The damaged files an MLflow file store (registry_mlruns.c) skipped so far,
 * once each, in the order met: a file is read when an operation needs it, so
 * the list is complete only after everything was read (as import does). The
 * array belongs to r and is valid until the next call on r. Returns -1 (and
 * an empty list) when r is not a file store. */
int registry_mlruns_warnings(struct registry *r, const struct mlc_warning **out, size_t *n);
/* In a file store, an experiment reference ".trash/ID" names the deleted
 * experiment ID in .trash even when an active one has the same id (stores
 * merged through git have both); plain "ID" means the active one. */

/* What an import counts, one row of the summary each. */
enum import_item {
	IMP_EXPERIMENTS,
	IMP_EXPERIMENT_TAGS,
	IMP_RUNS,
	IMP_PARAMS,
	IMP_RUN_TAGS,
	IMP_METRIC_POINTS,
	IMP_MODELS,
	IMP_MODEL_TAGS,
	IMP_VERSIONS,
	IMP_VERSION_TAGS,
	IMP_ALIASES,
	IMP_N_ITEMS
};

struct import_opts {
	const char *actor; /* who imports, for the audit log */
	/* Called after each run and model with how many of total are done. */
	void (*progress)(void *arg, int64_t done, int64_t total);
	void *progress_arg;
};

struct import_report {
	char *source, *target; /* URIs, as recorded */
	/* Per item: new rows, rows changed to the source's values, rows that
	 * were already there as the source has them, and rows an earlier import
	 * of this source made that the source no longer has (aliases only). */
	int64_t added[IMP_N_ITEMS], updated[IMP_N_ITEMS], present[IMP_N_ITEMS],
	    removed[IMP_N_ITEMS];
	struct mlc_warning *skipped; /* damaged or refused parts; owned */
	size_t n_skipped;
	char **notes; /* things done differently from the source (renames); owned */
	size_t n_notes;
	int64_t elapsed_ms;
};

/* Copy everything src holds into dst, which must be a writable local SQLite
 * registry (open it with .create = 1). Rows are keyed on natural ids
 * (experiment id + name, run id, model name, model + version), so importing
 * the same source again adds nothing. Runs are written whole or not at all;
 * a damaged part of the source is skipped and listed in rep, never fatal.
 * An experiment whose id or name the target already uses for another one
 * gets a new id ("ID-N") or name ("NAME (N)"), listed in rep->notes. Aliases
 * an earlier import of this source set (table import_aliases) follow the
 * source: moved when it moved them, removed when it removed them, unless they
 * were changed here since; an alias set here that the source points elsewhere
 * is kept and listed as skipped, and one named like an environment of the
 * target is never taken nor touched. Writes
 * one audit_log record (action "import") and an import_sources row.
 * Returns 0, or -1 with err filled when the import could not run at all.
 * Free rep with import_report_free either way. */
int import_registry(struct registry *src, struct registry *dst, const struct import_opts *opts,
		    struct import_report *rep, struct mlc_error *err);
void import_report_free(struct import_report *rep);

/* The name of an item in summaries ("experiments", "metric points", ...). */
const char *import_item_name(enum import_item item);
/* Rows added, updated and removed, over every item: 0 means nothing new. */
int64_t import_report_changes(const struct import_report *rep);

#endif
