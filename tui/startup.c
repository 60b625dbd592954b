/* startup.c: what the console and the command line both settle before they
 * open a registry (startup.h): which registry URI the options, the environment
 * and the config file choose, the default demo path, a context's secrets
 * exported for the MLflow backend, and who acts. */
#include "config.h"
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli.h"
#include "registry.h"
#include "settings.h"
#include "startup.h"
#include "xmalloc.h"

/* ---- who acts ----------------------------------------------------------- */

int cli_actor(const struct cli_opts *o, struct registry *r, char *buf, size_t len,
	      struct mlc_error *err)
{
	char user[256];
	int auth;

	if (cli_identity(o, buf, len) == NULL)
		return mlc_error_set(err, MLC_ERR_USAGE, "--as: only root may act as another user");
	if (o->as_user != NULL || (auth = registry_auth(r, user, sizeof user, err)) < 0)
		return o->as_user != NULL ? 0 : -1;
	/* The server authenticates this name (README "The acting user"). */
	if (auth == REG_AUTH_USER)
		snprintf(buf, len, "%s", user);
	else if (auth == REG_AUTH_NONE && !o->json)
		fprintf(stderr,
			"mlconsole: note: %s answers without credentials (an unauthenticated "
			"server): acting as %s\n",
			r->display, buf);
	return 0;
}

const char *cli_identity(const struct cli_opts *o, char *buf, size_t len)
{
	struct passwd *pw;

	if (o->as_user != NULL) {
		if (geteuid() != 0)
			return NULL;
		snprintf(buf, len, "%s", o->as_user);
		return buf;
	}
	/* Never $USER or any other variable: anyone can set those. */
	if ((pw = getpwuid(geteuid())) != NULL)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid:%lu", (unsigned long)geteuid());
	return buf;
}

/* ---- where the registry is ---------------------------------------------- */

/* $XDG_DATA_HOME/mlconsole/NAME (XDG default ~/.local/share); caller frees. */
static char *data_path(const char *name)
{
	const char *x = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/mlconsole/%s", x, name);
	return xasprintf("%s/.local/share/mlconsole/%s", home && *home ? home : ".", name);
}

char *cli_demo_path(void)
{
	return data_path("demo.db");
}

int cli_needs_config(const struct cli_opts *o)
{
	const char *env = getenv("MLFLOW_TRACKING_URI");

	return o->context || (!o->registry && !(env && *env));
}

/* --context NAME: its URI, or a usage error listing the known contexts. */
static char *context_uri(const struct cli_opts *o, const struct config *cfg,
			 const struct config_context **ctx, struct mlc_error *err)
{
	char *names;

	if ((*ctx = config_context(cfg, o->context)) != NULL)
		return xstrdup((*ctx)->uri);
	names = config_context_names(cfg);
	mlc_error_set(err, MLC_ERR_USAGE, "--context %s: no such context in %s (known: %s)",
		      o->context, cfg->path ? cfg->path : "the config file", names);
	free(names);
	return NULL;
}

char *cli_registry_uri(const struct cli_opts *o, const struct config *cfg,
		       const struct config_context **ctx, struct mlc_error *err)
{
	const char *env = getenv("MLFLOW_TRACKING_URI");
	char *p, *uri;

	*ctx = NULL;
	if (o->registry)
		return xstrdup(o->registry);
	if (o->context)
		return context_uri(o, cfg, ctx, err);
	if (env && *env)
		return xstrdup(env);
	if ((*ctx = config_default_context(cfg)) != NULL)
		return xstrdup((*ctx)->uri);
	p = data_path("registry.db");
	uri = xasprintf("sqlite:%s", p);
	free(p);
	return uri;
}

/* Set var to value unless the user has; bit marks it as ours in *owned. */
static void export_secret(const char *var, const char *value, unsigned bit, unsigned *owned)
{
	if (value == NULL || getenv(var) != NULL)
		return;
	setenv(var, value, 1);
	*owned |= bit;
}

int cli_context_secrets(const struct config_context *ctx, unsigned *owned, struct mlc_error *err)
{
	static const char *const vars[] = {"MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME",
					   "MLFLOW_TRACKING_PASSWORD"};
	const char *token = NULL;

	for (unsigned i = 0; i < 3; i++)
		if (*owned & (1u << i))
			unsetenv(vars[i]);
	*owned = 0;
	if (ctx == NULL)
		return 0;
	if (config_context_token(ctx, &token, err) < 0)
		return -1;
	export_secret(vars[0], token, 1u, owned);
	export_secret(vars[1], ctx->username, 2u, owned);
	export_secret(vars[2], ctx->password, 4u, owned);
	return 0;
}
