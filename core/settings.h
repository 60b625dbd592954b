/* settings.h: the operator's config file ($XDG_CONFIG_HOME/mlconsole/config),
 * parsed once into a struct: named contexts (registries) and the default, the
 * theme, and deployment hooks per environment, global or per context. */
#ifndef MLC_SETTINGS_H
#define MLC_SETTINGS_H
#include <stddef.h>
#include "error.h"

/* [context NAME]: a registry by name. Secrets (token, password, a password in
 * the uri's userinfo) are never put in messages; a literal one is only read
 * from a file private to its owner. */
struct config_context {
	char *name;
	char *uri;
	char *theme;	 /* NULL: [general] theme */
	int read_only;	 /* read_only = yes */
	int stages;	 /* stages = yes: mirror staging/production as MLflow stages */
	char *token_env; /* the variable holding the token, or NULL */
	char *token;	 /* a literal token, or NULL */
	char *username;	 /* for Basic auth, or NULL */
	char *password;	 /* a literal password, or NULL */
	int line;	 /* of the section header */
};

/* [hook ENV] (context NULL) or [hook ENV @ CONTEXT]. */
struct config_hook {
	char *env;
	char *context;
	char *command; /* run with /bin/sh -c, or NULL */
	char *url;     /* POSTed a JSON body, or NULL */
	int timeout;   /* seconds, default 30 */
	char *models;  /* [hook alert] only: models = a,b — the models whose
			* alert rules may run it (alert.h); NULL: none */
	int line;
};

struct config {
	char *path;
	char *default_context; /* [general] default_context, or NULL */
	char *theme;	       /* [general] theme, or NULL */
	/* [general] clipboard = osc52: the console's copy key may send the value
	 * to the terminal's clipboard (OSC 52); off (the default): it does not */
	int clipboard_osc52;
	/* [general] start = models | pulse: the console's first view */
	int start_pulse;
	/* [general] pulse_refresh = SECONDS (0 to 3600): the pulse screen loads
	 * again on that interval; 0 (the default): only on ^R */
	int pulse_refresh;
	struct config_context *contexts;
	size_t n_contexts;
	struct config_hook *hooks;
	size_t n_hooks;
};

/* The config file's path: $XDG_CONFIG_HOME/mlconsole/config, else
 * ~/.config/mlconsole/config (caller frees). */
char *config_path(void);
/* Parse the file at path into c (a missing file is an empty config). Bad
 * lines, unknown sections or keys, and literal secrets in a file others can
 * read are errors naming file and line (MLC_ERR_USAGE). c is empty on error. */
int config_load(struct config *c, const char *path, struct mlc_error *err);
void config_free(struct config *c);
/* The context called name, or NULL. */
const struct config_context *config_context(const struct config *c, const char *name);
/* The [general] default context, or NULL. */
const struct config_context *config_default_context(const struct config *c);
/* The context names, "a, b", or "none" (caller frees). */
char *config_context_names(const struct config *c);
/* The hook for env in context: the context's own [hook ENV @ CONTEXT], else
 * the global [hook ENV], else NULL. context NULL: global hooks only. */
const struct config_hook *config_hook(const struct config *c, const char *context, const char *env);
/* x's token: the value of its token_env variable, else the literal token, else
 * NULL. -1 when token_env names a variable that is not set. */
int config_context_token(const struct config_context *x, const char **token, struct mlc_error *err);

#endif
