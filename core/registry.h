/* registry.h: the one door to a model registry. Each backend (local SQLite, MLflow
 * REST, MLflow file store, MLflow SQL store) fills in a table of operations; the
 * CLI and the TUI call only these. The API is synchronous and thread-agnostic:
 * a handle must be used by one thread at a time. */
#ifndef MLC_REGISTRY_H
#define MLC_REGISTRY_H
#include <stdint.h>
#include "deploy.h"
#include "drift_series.h"
#include "error.h"
#include "model.h"

/* What a backend can do (r->caps, set by the backend when it opens).
 * registry_can refuses what is missing, naming the registry; the wrappers
 * below call it before a change (and before drift and audit reads), the CLI
 * before any other work of a command, the TUI before offering a key. */
enum registry_caps {
	REG_CAP_WRITE = 1 << 0,	 /* can store changes at all */
	REG_CAP_DEPLOY = 1 << 1, /* keeps environments, deployments and requests */
	REG_CAP_DRIFT = 1 << 2,	 /* keeps drift series */
	REG_CAP_AUDIT = 1 << 3,	 /* keeps an audit log */
	REG_CAP_WINDOW = 1 << 4, /* answers windows of runs and counts them (below) */
	REG_CAP_LOCAL = 1 << 5, /* an mlconsole registry file on this machine: uri is sqlite:PATH */
	/* lists a deleted experiment's runs as .trash/ID, its id being free for
	 * an active one (MLflow's file store) */
	REG_CAP_TRASH_DIR = 1 << 6,
};

/* Who a registry knows the acting user to be (registry_auth). */
enum registry_auth {
	REG_AUTH_LOCAL, /* no server: the process's own user acts */
	REG_AUTH_NONE,	/* a server that answers without credentials */
	REG_AUTH_USER,	/* a server that requires them, sent as user + password */
	REG_AUTH_OTHER, /* a server that requires them, sent without a user name */
};

struct registry_open_opts {
	int create;		   /* create a missing local registry (commands that write) */
	int read_only;		   /* never write, even if the backend could */
	const char *read_only_why; /* who asked for read_only, for refusals ("--read-only") */
	/* mirror deployments to staging/production as MLflow legacy stages
	 * (README's server section); REST backend only, the others ignore it */
	int stages;
	/* local registry only: the time its changes record (ms), for generated
	 * content that must be the same every time (the demo's); 0: the clock */
	int64_t now_ms;
};

/* One metric history to fetch: metric key of run run_id. */
struct mlc_history_req {
	const char *run_id;
	const char *key;
};

/* The tag that makes a run the child of another (MLflow's nested runs). */
#define MLC_TAG_PARENT "mlflow.parentRunId"

struct mlc_run_query {
	const char *experiment; /* id or name; an existing id wins */
	const char *filter;	/* MLflow search syntax, or NULL */
	const char *order_by;	/* "metrics.acc DESC, params.lr", or NULL */
	int64_t limit;		/* 0: no limit */
	int all;		/* include deleted runs */
	/* metric_keys: each run's metrics are its keys only, values unset (an
	 * import reads the histories itself; a file store then reads no metric
	 * file to list runs). Ignored with a filter or an order. */
	int metric_keys;
	/* lean: load only these values of each run ("metrics.K", "params.K",
	 * "tags.K"), for tables of many runs; otherwise every value. */
	int lean;
	const char *const *columns;
	size_t n_columns;
	/* A window of a table (REG_CAP_WINDOW only; order_by has at most one
	 * key, ties newest first): the limit runs after run id `after` in
	 * order (NULL: from the first), or with backward the limit runs before
	 * it (NULL: the last ones), returned in order either way; inclusive
	 * takes `after` itself too. */
	int window;
	const char *after;
	int backward, inclusive;
	/* A table's "/" text: runs whose full id, name, user, status, start
	 * time or a value of one of columns holds it, ASCII case folded;
	 * "!x": the runs that do not. Windows and counts only. */
	const char *text;
	/* A window of the tree of nested runs (MLflow's tag mlflow.parentRunId;
	 * windows only): the limit top-level runs — those whose parent is no
	 * run the query matches, or themselves — each followed by the runs it
	 * matches below it, depth first, children in the window's order; the
	 * limit counts the top-level runs only. Lean, the parent tags are
	 * loaded too. */
	int tree;
};

/* The keys logged in an experiment's runs (for the column picker). */
struct mlc_keys {
	struct mlc_arena arena;
	const char **metrics, **params, **tags; /* sorted */
	size_t n_metrics, n_params, n_tags;
};

/* What an earlier read of one metric's history took in (registry_metric_tail):
 * its first size bytes, whole lines, their hash and how many points they hold. */
struct mlc_read_mark {
	int64_t size; /* 0: nothing known, so everything is read */
	uint64_t hash;
	int64_t points;
};

/* What registry_metric_tail found since the mark. */
enum mlc_tail {
	MLC_TAIL_SAME, /* the history is as it was read: no points */
	MLC_TAIL_GREW, /* lines were appended to what was read: their points */
	MLC_TAIL_ALL,  /* new, changed, or no way to tell: every point */
};

struct registry;
struct mlc_audit_check; /* audit.h */
/* alert.h */
struct mlc_alert_rule;
struct mlc_alert_rule_list;
struct mlc_alert_firing;
struct mlc_alert_firing_list;

struct registry_ops {
	const char *kind; /* "sqlite", "mlflow", ... */
	void (*close)(struct registry *r);
	int (*list_models)(struct registry *r, const char *filter, struct mlc_model_list *out,
			   struct mlc_error *err);
	int (*list_versions)(struct registry *r, const char *model, struct mlc_version_list *out,
			     struct mlc_error *err);
	int (*list_experiments)(struct registry *r, int all, struct mlc_experiment_list *out,
				struct mlc_error *err);
	int (*list_runs)(struct registry *r, const struct mlc_run_query *q,
			 struct mlc_run_list *out, struct mlc_error *err);
	/* REG_CAP_WINDOW: how many runs q's experiment, filter and text match. */
	int (*count_runs)(struct registry *r, const struct mlc_run_query *q, int64_t *n,
			  struct mlc_error *err);
	/* One run with all its params, tags and latest metrics; run_id may be a
	 * unique prefix of at least 8 characters. */
	int (*get_run)(struct registry *r, const char *run_id, struct mlc_run_list *out,
		       struct mlc_error *err);
	/* Optional: n runs at once, run ids[i] into out[i]. */
	int (*get_runs)(struct registry *r, const char *const *ids, size_t n,
			struct mlc_run_list *out, struct mlc_error *err);
	int (*metric_history)(struct registry *r, const char *run_id, const char *key,
			      struct mlc_metric_list *out, struct mlc_error *err);
	/* Optional: registry_metric_tail (without it, the whole history). */
	int (*metric_tail)(struct registry *r, const char *run_id, const char *key,
			   struct mlc_read_mark *mark, struct mlc_metric_list *out,
			   struct mlc_error *err);
	/* Optional: n histories at once (a server fetches them together). */
	int (*metric_histories)(struct registry *r, const struct mlc_history_req *req, size_t n,
				struct mlc_metric_list *out, struct mlc_error *err);
	/* newest: look only at that many newest runs (0: all of them). */
	int (*experiment_keys)(struct registry *r, const char *experiment, int64_t newest,
			       struct mlc_keys *out, struct mlc_error *err);
	/* The datasets run run_id (a whole id) used, appended to out in any
	 * order (the wrapper sorts them). registry_get_run and get_runs add
	 * them to runs a backend's get_run left without (inputs_read 0). */
	int (*run_inputs)(struct registry *r, const char *run_id, struct mlc_input_list *out,
			  struct mlc_error *err);
	/* Model versions registered from run run_id (lineage, the other way). */
	int (*versions_for_run)(struct registry *r, const char *run_id,
				struct mlc_version_list *out, struct mlc_error *err);
	/* One experiment by id or name (an existing id wins). */
	int (*get_experiment)(struct registry *r, const char *experiment,
			      struct mlc_experiment_list *out, struct mlc_error *err);

	/* Environments, deployments, approvals, audit (deploy.h). Every change
	 * takes the acting user and is audited with it. */
	int (*env_list)(struct registry *r, struct mlc_env_list *out, struct mlc_error *err);
	/* Who may make which change is README "Who may change a policy":
	 * a change that loosens a policy with approvers opens a request instead
	 * (out->request_id); out's summary says which happened. */
	int (*env_set)(struct registry *r, const struct mlc_env_change *c, const char *actor,
		       struct mlc_outcome *out, struct mlc_error *err);
	int (*deployments)(struct registry *r, const char *model, const char *env,
			   struct mlc_live_list *live, struct mlc_event_list *history,
			   struct mlc_error *err);
	int (*deploy)(struct registry *r, const char *model, const char *version, const char *env,
		      const char *actor, struct mlc_outcome *out, struct mlc_error *err);
	/* to: NULL for the rule (the most recent earlier version not rolled back from). */
	int (*rollback)(struct registry *r, const char *model, const char *env, const char *to,
			const char *actor, struct mlc_outcome *out, struct mlc_error *err);
	/* Where a rollback of model in env would go (the rule), without changing
	 * anything: the version's number into version[len]. */
	int (*rollback_target)(struct registry *r, const char *model, const char *env,
			       char *version, size_t len, struct mlc_error *err);
	/* version NULL with kind "rollback": the version the rollback rule picks. */
	int (*request)(struct registry *r, const char *model, const char *version, const char *env,
		       const char *kind, const char *comment, const char *actor,
		       struct mlc_outcome *out, struct mlc_error *err);
	/* decision: "approve" or "reject". The approving vote that satisfies the
	 * policy performs the change in the same transaction. */
	int (*vote)(struct registry *r, int64_t id, const char *decision, const char *comment,
		    const char *actor, struct mlc_outcome *out, struct mlc_error *err);
	int (*cancel)(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
		      struct mlc_error *err);
	/* which: REQ_PENDING (oldest first) or REQ_ALL (newest first); id > 0: just that one. */
	int (*requests)(struct registry *r, int which, int64_t id, struct mlc_request_list *out,
			struct mlc_error *err);
	int (*audit)(struct registry *r, int64_t limit, struct mlc_audit_list *out,
		     struct mlc_error *err);
	/* Optional: check the audit trail's hash chain (audit.h). */
	int (*audit_verify)(struct registry *r, struct mlc_audit_check *out, struct mlc_error *err);
	/* Drift: store one window's point for model's feature (replacing a point
	 * for the same window and method); read series, worst first. model NULL:
	 * every deployed model; feature NULL: every feature; last: at most that
	 * many newest windows per feature (0: all). */
	int (*drift_record)(struct registry *r, const char *model, const char *feature,
			    const char *method, const struct mlc_drift_point *p,
			    struct mlc_error *err);
	int (*drift_series)(struct registry *r, const char *model, const char *feature,
			    int64_t last, struct mlc_drift_list *out, struct mlc_error *err);
	/* Store a hook's outcome for model's latest deployment of version in env
	 * (the hook ran for it; a newer deployment's outcome is not overwritten). */
	int (*record_hook)(struct registry *r, const char *model, const char *env,
			   const char *version, int ok, int status, const char *detail,
			   const char *actor, struct mlc_error *err);

	/* Alert rules and firings (alert.h; REG_CAP_DEPLOY). rules: model's (NULL:
	 * every model's), by model, environment, name. rule_put: set rule (a
	 * new one, or replacing one of the same model, environment and name;
	 * its checked kept), or with remove delete it (not found: an error);
	 * audited. fire: record firing f (f->id set) and set its rule's checked
	 * to checked, audited with the features and scores. checked: set the
	 * rule's checked. firings: model's (NULL: all), newest first. */
	int (*alert_rules)(struct registry *r, const char *model, struct mlc_alert_rule_list *out,
			   struct mlc_error *err);
	int (*alert_rule_put)(struct registry *r, const struct mlc_alert_rule *rule, int remove,
			      const char *actor, struct mlc_error *err);
	int (*alert_fire)(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
			  const char *actor, struct mlc_error *err);
	int (*alert_checked)(struct registry *r, const char *model, const char *env,
			     const char *name, int64_t checked, struct mlc_error *err);
	int (*alert_firings)(struct registry *r, const char *model,
			     struct mlc_alert_firing_list *out, struct mlc_error *err);

	/* Optional (servers): how the server authenticates this handle, asked
	 * once (a request without credentials refused with 401 means it requires
	 * them) and remembered; the user name into user[len] for REG_AUTH_USER. */
	int (*auth)(struct registry *r, char *user, size_t len, struct mlc_error *err);

	/* Cancelling (remote backends). interrupt is the one operation that may be
	 * called from another thread than the handle's: the operation in progress
	 * fails at once with "cancelled", and so does every later one until the
	 * handle's own thread calls resume (the TUI's worker does, between jobs).
	 * NULL: nothing to cancel. */
	void (*interrupt)(struct registry *r);
	void (*resume)(struct registry *r);

	/* 1 when the backend's changes take a write lock (the local registry's
	 * IMMEDIATE transaction) and call registry_change_check right after
	 * taking it: the gates are then checked on what the change will write
	 * over, with no gap in which another process can move the live version
	 * or add a gate. 0: they are checked just before the change. */
	int checks_under_lock;
};

struct registry {
	const struct registry_ops *ops;
	char *uri;     /* as given, for the header and messages */
	char *display; /* the location shown to users (no secrets) */
	unsigned caps;
	int read_only;
	char *read_only_why; /* why changes are refused, when a backend knows; owned */
	void *impl;	     /* backend state */
	/* the check the change in progress must pass (registry.c sets it
	 * around a deploy or a vote; registry_change_check runs it once) */
	struct registry_check {
		int (*fn)(struct registry *r, const struct registry_check *c,
			  struct mlc_error *err);
		const char *model, *version, *env, *actor; /* the change's own */
		int64_t id;				   /* a vote's request */
	} check;
};

/* Open the registry named by uri (README "Which registry"). Returns NULL and
 * fills err when it cannot. Close with registry_close. */
struct registry *registry_open(const char *uri, const struct registry_open_opts *opts,
			       struct mlc_error *err);
void registry_close(struct registry *r);
/* What kind of registry r is, for messages: "a local registry", "an MLflow
 * server", "an MLflow file store", "an MLflow SQL store". */
const char *registry_noun(const struct registry *r);
/* 0 when r can do what ("deploy", a verb for the message) that needs the
 * capabilities need (enum registry_caps); else -1 with err naming r and why:
 * "DISPLAY: an MLflow file store is read-only here: cannot deploy", or for a
 * registry opened read-only "DISPLAY: read-only: cannot deploy (--read-only)".
 * Looks only at what is fixed when r opens, so any thread may ask. */
int registry_can(const struct registry *r, unsigned need, const char *what, struct mlc_error *err);

/* For a backend with checks_under_lock, right after it takes its write lock:
 * run the check the change in progress must pass (the gates of a deploy or
 * of the vote that would deploy), once; 0 when it passes or there is none,
 * else -1 with err, and the backend gives up the change. */
int registry_change_check(struct registry *r, struct mlc_error *err);

/* Convenience wrappers that check for a missing operation. */
int registry_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
			 struct mlc_error *err);
int registry_list_versions(struct registry *r, const char *model, struct mlc_version_list *out,
			   struct mlc_error *err);
int registry_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
			      struct mlc_error *err);
int registry_list_runs(struct registry *r, const struct mlc_run_query *q, struct mlc_run_list *out,
		       struct mlc_error *err);
int registry_count_runs(struct registry *r, const struct mlc_run_query *q, int64_t *n,
			struct mlc_error *err);
int registry_get_run(struct registry *r, const char *run_id, struct mlc_run_list *out,
		     struct mlc_error *err);
/* Runs ids[0..n) into out[i] each (appended), together where the backend
 * can; -1 with the first failure in ids' order. out[] may be partly filled
 * either way: the caller frees all n lists. */
int registry_get_runs(struct registry *r, const char *const *ids, size_t n,
		      struct mlc_run_list *out, struct mlc_error *err);
int registry_metric_history(struct registry *r, const char *run_id, const char *key,
			    struct mlc_metric_list *out, struct mlc_error *err);
/* A metric's points written since an earlier read that left *mark (zeros:
 * none), for re-imports: an enum mlc_tail saying which points out got (in
 * the source's order, not sorted), and *mark updated to cover them; -1 with
 * err. A source that cannot tell (a server, a database) gives MLC_TAIL_ALL
 * and a zero mark. In a file store a history is its file: it grew when the
 * bytes read before are still its first bytes (same hash), and anything else
 * (shorter, or changed in place) is read whole again; a file with lines that
 * are not metric lines gets a zero mark, so it is read (and reported) again. */
int registry_metric_tail(struct registry *r, const char *run_id, const char *key,
			 struct mlc_read_mark *mark, struct mlc_metric_list *out,
			 struct mlc_error *err);
/* The n histories of req into out[0..n) (lists the caller set up, empty or
 * not; each gets its points appended), together where the backend can.
 * -1 with the first failure in req's order; the caller frees all n lists. */
int registry_metric_histories(struct registry *r, const struct mlc_history_req *req, size_t n,
			      struct mlc_metric_list *out, struct mlc_error *err);

int registry_experiment_keys(struct registry *r, const char *experiment, int64_t newest,
			     struct mlc_keys *out, struct mlc_error *err);
int registry_versions_for_run(struct registry *r, const char *run_id, struct mlc_version_list *out,
			      struct mlc_error *err);
/* The datasets (MLflow run inputs) run run_id used, appended to out in
 * mlc_inputs_sort's order; a backend without them gives none. */
int registry_run_inputs(struct registry *r, const char *run_id, struct mlc_input_list *out,
			struct mlc_error *err);
int registry_get_experiment(struct registry *r, const char *experiment,
			    struct mlc_experiment_list *out, struct mlc_error *err);
void mlc_keys_free(struct mlc_keys *k);
/* Cancel the operation in progress (any thread) / allow operations again
 * (the handle's thread); see registry_ops.interrupt. No-ops for local backends. */
void registry_interrupt(struct registry *r);
void registry_resume(struct registry *r);
/* An enum registry_auth (REG_AUTH_LOCAL for a backend without a server), the
 * authenticated user name into user[len] for REG_AUTH_USER; -1 with err when
 * the server cannot be asked. */
int registry_auth(struct registry *r, char *user, size_t len, struct mlc_error *err);

int registry_env_list(struct registry *r, struct mlc_env_list *out, struct mlc_error *err);
/* out may be NULL (then whether a request was opened is not told). */
int registry_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
		     struct mlc_outcome *out, struct mlc_error *err);
int registry_deployments(struct registry *r, const char *model, const char *env,
			 struct mlc_live_list *live, struct mlc_event_list *history,
			 struct mlc_error *err);
int registry_deploy(struct registry *r, const char *model, const char *version, const char *env,
		    const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int registry_rollback(struct registry *r, const char *model, const char *env, const char *to,
		      const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int registry_rollback_target(struct registry *r, const char *model, const char *env, char *version,
			     size_t len, struct mlc_error *err);
int registry_request(struct registry *r, const char *model, const char *version, const char *env,
		     const char *kind, const char *comment, const char *actor,
		     struct mlc_outcome *out, struct mlc_error *err);
int registry_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		  const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int registry_cancel(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
		    struct mlc_error *err);
int registry_requests(struct registry *r, int which, int64_t id, struct mlc_request_list *out,
		      struct mlc_error *err);
int registry_audit(struct registry *r, int64_t limit, struct mlc_audit_list *out,
		   struct mlc_error *err);
/* Check the audit trail's hash chain and the head this console remembers. */
int registry_audit_verify(struct registry *r, struct mlc_audit_check *out, struct mlc_error *err);
int registry_drift_record(struct registry *r, const char *model, const char *feature,
			  const char *method, const struct mlc_drift_point *p,
			  struct mlc_error *err);
int registry_drift_series(struct registry *r, const char *model, const char *feature, int64_t last,
			  struct mlc_drift_list *out, struct mlc_error *err);
int registry_record_hook(struct registry *r, const char *model, const char *env,
			 const char *version, int ok, int status, const char *detail,
			 const char *actor, struct mlc_error *err);

/* Alert rules and firings (registry_ops.alert_*): who may change a rule is
 * alert_rule_change's to check, not these. */
int registry_alert_rules(struct registry *r, const char *model, struct mlc_alert_rule_list *out,
			 struct mlc_error *err);
int registry_alert_rule_put(struct registry *r, const struct mlc_alert_rule *rule, int remove,
			    const char *actor, struct mlc_error *err);
int registry_alert_fire(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
			const char *actor, struct mlc_error *err);
int registry_alert_checked(struct registry *r, const char *model, const char *env,
			   const char *name, int64_t checked, struct mlc_error *err);
int registry_alert_firings(struct registry *r, const char *model,
			   struct mlc_alert_firing_list *out, struct mlc_error *err);

/* The local SQLite backend (registry_sqlite.c). */
struct registry *registry_sqlite_open(const char *path, const struct registry_open_opts *opts,
				      struct mlc_error *err);
/* An MLflow file store, read-only (registry_mlruns.c): dir is the mlruns
 * folder, or a folder holding one. Its skipped files: import.h. */
struct registry *registry_mlruns_open(const char *dir, const struct registry_open_opts *opts,
				      struct mlc_error *err);
/* MLflow's own SQL store (a SQLite file with alembic_version), read-only and
 * never written (registry_mlflowsql.c); registry_sqlite_open hands it over. */
struct registry *registry_mlflowsql_open(const char *path, const struct registry_open_opts *opts,
					 struct mlc_error *err);
/* An MLflow tracking server over its REST API (registry_mlflow.c), with our
 * concepts kept in MLflow's primitives (README's server section): uri is
 * http(s)://host[:port][/prefix];
 * auth, TLS, timeout and retries come from MLflow's environment variables (http.h). Nothing is sent
 * until the first operation. The display string never holds userinfo. */
struct registry *registry_mlflow_open(const char *uri, const struct registry_open_opts *opts,
				      struct mlc_error *err);

#endif
