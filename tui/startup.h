/* startup.h: what the console and the command line both settle before they
 * open a registry: the registry URI the options choose, the default demo
 * path, a context's secrets, and the acting user (startup.c). The names keep
 * their cli_ prefix while other branches still call them by it. */
#ifndef MLC_STARTUP_H
#define MLC_STARTUP_H
#include <stddef.h>

struct cli_opts;
struct config;
struct config_context;
struct mlc_error;
struct registry;

/* The registry URI the options select, in the order README's "Which
 * registry" gives: -r, --context NAME, $MLFLOW_TRACKING_URI, cfg's default
 * context, the default path. *ctx is
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
/* The acting user against r into buf[len] (README "The acting user"): --as (root
 * only); else the user name sent with a password to a server seen to require
 * credentials; else the login name, and a note on stderr (not with --json)
 * when r is a server that answers without credentials. -1 with err when --as
 * is refused or the server cannot be asked. */
int cli_actor(const struct cli_opts *o, struct registry *r, char *buf, size_t len,
	      struct mlc_error *err);
/* The acting user: --as (root only) or the login name (`uid:N` for a uid
 * without a passwd entry; never from the environment); NULL if refused. */
const char *cli_identity(const struct cli_opts *o, char *buf, size_t len);

#endif
