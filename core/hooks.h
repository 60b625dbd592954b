/* hooks.h: deployment hooks from the operator's own config file (never from
 * the registry: whoever can write the registry must not be able to run
 * commands on every operator's machine). A hook is a command and/or an HTTP
 * POST of a JSON body; it runs after the registry change has committed, and
 * its outcome is stored in the registry. */
#ifndef MLC_HOOKS_H
#define MLC_HOOKS_H
#include "registry.h"

#define HOOKS_MAX 32

struct hook {
	char env[64];     /* the environment it is for */
	char *command;    /* run with /bin/sh -c, or NULL */
	char *url;        /* POSTed a JSON body, or NULL */
	int timeout;      /* seconds, default 30 */
	char *models;     /* [hook alert] only: the models an alert may run it for
			   * (comma list), or NULL: none */
};

struct hooks {
	struct hook h[HOOKS_MAX];
	int n;
};

struct config;

/* The hooks of the config file at path (a missing file is no hooks): the
 * global [hook ENV] sections. Bad lines are errors naming file and line. */
int hooks_load(struct hooks *hs, const char *path, struct mlc_error *err);
/* The same for context (NULL: global only): its [hook ENV @ CONTEXT]
 * sections replace the global [hook ENV] of the same ENV. */
int hooks_load_context(struct hooks *hs, const char *path, const char *context,
		       struct mlc_error *err);
/* The hooks of context from an already parsed config (see hooks_load_context). */
int hooks_from_config(struct hooks *hs, const struct config *c, const char *context,
		      struct mlc_error *err);
/* The config file: $XDG_CONFIG_HOME/mlconsole/config (caller frees). */
char *hooks_config_path(void);
void hooks_free(struct hooks *hs);
/* The hook for env, or NULL. */
const struct hook *hooks_find(const struct hooks *hs, const char *env);

/* Run env's hook for model's live deployment there (if a hook is configured)
 * and record its outcome in the registry. done: the change that made it live,
 * as the hook is told it; NULL (a retry) or one with no action: the registry's
 * live version and the head of its history. Returns 0 when there was no hook
 * or it succeeded, 1 when it failed (detail in *summary, malloc'd), -1 on
 * error. */
int hooks_run(struct registry *r, const struct hooks *hs, const char *model, const char *env,
	      const struct mlc_outcome *done, const char *actor, char **summary,
	      struct mlc_error *err);

/* The environment name of the alert hook's section, [hook alert]: not an
 * environment's hook (alert.h). */
#define HOOKS_ALERT "alert"

/* Run the alert hook h (the caller checked the model is allowed): its command
 * gets the MLC_* variables of a deployment hook (action "alert"; version the
 * live one or "") and vars[0..2n) as NAME, value pairs; its URL gets them in
 * the JSON body. *summary (malloc'd): "alert hook: ok" or "alert hook: FAILED
 * — why". Returns 0 when it succeeded, 1 when it failed. */
int hooks_run_alert(const struct hook *h, const char *model, const char *env,
		    const char *version, const char *actor, const char *const *vars, size_t n,
		    char **summary);

#endif
