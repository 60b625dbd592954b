/* cli.h: the command-line subcommands (models, versions, experiments, runs,
 * demo create) and the options they share with the TUI. */
#ifndef MLC_CLI_H
#define MLC_CLI_H
#include <stddef.h>
#include <stdint.h>

struct cli_opts {
	const char *registry; /* -r */
	const char *context;  /* --context */
	const char *theme;    /* --theme */
	const char *as_user;  /* --as */
	const char *demo;     /* --demo[=PATH]: "" for the default path */
	const char *filter, *order_by, *columns;
	int64_t limit;
	int read_only, json, all, force, have_demo;
	int wide; /* --wide: text tables print cells whole */
	/* demo create */
	int models;
	int64_t runs, points;
	uint64_t seed;
	/* drift */
	const char *reference, *current, *method, *binning, *feature, *at;
	double threshold;
	int have_threshold, categorical;
	/* deployments and policies */
	const char *env, *to, *comment, *approvers;
	int64_t order, required_approvals;
	int have_order, have_required_approvals, rollback;
	const char *self_approval, *rollback_approval, *require_previous; /* "yes" / "no" */
	int argc; /* positional arguments (subcommand first) */
	char **argv;
};

/* `drift compute|record|show` (cli_drift.c); returns the exit status. */
int cli_drift(const struct cli_opts *o);
/* `drift show` (cli_driftshow.c). */
int cli_drift_show(const struct cli_opts *o);
struct mlc_drift_feature;
/* The sparkline of a feature's last windows on a fixed scale (caller frees). */
char *cli_drift_spark(const struct mlc_drift_feature *f, size_t windows, int ascii);
/* `diff MODEL V1 V2` (cli_diff.c); returns the exit status. */
int cli_diff(const struct cli_opts *o);
/* `import SRC` (cli_import.c); returns the exit status. */
int cli_import(const struct cli_opts *o);

/* deploy, rollback, request, approve, reject, cancel (cli_deploy.c). */
int cli_change(const struct cli_opts *o);
/* env list | env set ENV ... (cli_deploy.c). */
int cli_env(const struct cli_opts *o);
/* hook retry MODEL --env ENV (cli_deploy.c). */
int cli_hook(const struct cli_opts *o);
/* deployments, approvals, audit (cli_deploy.c). */
int cli_show(const struct cli_opts *o);

/* Run the subcommand in o->argv[0]; returns the process exit status. */
int cli_run(const struct cli_opts *o);
struct config;
struct config_context;
struct mlc_error;
struct registry;
/* The registry URI the options select, in DESIGN.md's order: -r, --context
 * NAME, $MLFLOW_TRACKING_URI, cfg's default context, the default path. *ctx is
 * the context chosen (in cfg) or NULL. NULL with a usage error for an unknown
 * --context. Caller frees. */
char *cli_registry_uri(const struct cli_opts *o, const struct config *cfg,
		       const struct config_context **ctx, struct mlc_error *err);
/* 1 when the choice reads the config file (neither -r nor $MLFLOW_TRACKING_URI,
 * or a --context). */
int cli_needs_config(const struct cli_opts *o);
/* Export ctx's secrets (MLFLOW_TRACKING_TOKEN, _USERNAME, _PASSWORD) for the
 * MLflow backend, each only when the user has not set it; *owned remembers the
 * ones set here, which the next call (for another context, or NULL) replaces. */
int cli_context_secrets(const struct config_context *ctx, unsigned *owned, struct mlc_error *err);
/* The default demo registry path ($XDG_DATA_HOME/mlconsole/demo.db); caller frees. */
char *cli_demo_path(void);
/* Print "mlconsole: what: why" (or JSON with --json) to stderr. */
void cli_error(const struct cli_opts *o, const char *msg);
/* The acting user against r into buf[len] (DESIGN.md "identity"): --as (root
 * only); else the user name sent with a password to a server seen to require
 * credentials; else the login name, and a note on stderr (not with --json)
 * when r is a server that answers without credentials. -1 with err when --as
 * is refused or the server cannot be asked. */
int cli_actor(const struct cli_opts *o, struct registry *r, char *buf, size_t len,
	      struct mlc_error *err);
/* The whole number s (decimal, nothing after it) into *out when it is in
 * [min, max]; -1 otherwise (out of range included: never clamped). */
int cli_parse_int(const char *s, long long min, long long max, long long *out);
/* The acting user: --as (root only) or the login name (`uid:N` for a uid
 * without a passwd entry; never from the environment); NULL if refused. */
const char *cli_identity(const struct cli_opts *o, char *buf, size_t len);

#endif
