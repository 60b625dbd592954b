/* settings.c: the INI parser of the operator's config file — [general],
 * [context NAME], [hook ENV] and [hook ENV @ CONTEXT] — with every error
 * naming file and line, and literal secrets refused unless the file is private. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "http.h"
#include "settings.h"
#include "strbuf.h"
#include "xmalloc.h"

#define NAME_MAX_LEN 63

enum section { SEC_NONE, SEC_GENERAL, SEC_CONTEXT, SEC_HOOK };

/* Where the parser is: the file, the line, and the section being filled. */
struct parser {
	struct config *c;
	const char *path;
	int line;
	enum section sect;
	struct stat st; /* of the open file, for the privacy rule */
};

char *config_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/mlconsole/config", x);
	return xasprintf("%s/.config/mlconsole/config", home && *home ? home : ".");
}

/* Strip blanks at both ends of s in place. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A context or environment name: letters, digits, '.', '-', '_'. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

/* An environment variable name. */
static int valid_var(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* Report "PATH:LINE: message"; returns -1. */
static int perr(const struct parser *p, struct mlc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int perr(const struct parser *p, struct mlc_error *err, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mlc_error_set(err, MLC_ERR_USAGE, "%s:%d: %s", p->path, p->line, msg);
}

/* Replace *slot with a copy of value. */
static void set_str(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

/* ---- section headers ---------------------------------------------------- */

/* Start [context NAME]. */
static int open_context(struct parser *p, const char *name, struct mlc_error *err)
{
	struct config *c = p->c;
	const struct config_context *old = config_context(c, name);

	if (!valid_name(name))
		return perr(p, err, "bad context name '%s' (letters, digits, '.', '-', '_')", name);
	if (old)
		return perr(p, err, "[context %s] again (first at line %d)", name, old->line);
	c->contexts = xrealloc(c->contexts, (c->n_contexts + 1) * sizeof *c->contexts);
	memset(&c->contexts[c->n_contexts], 0, sizeof *c->contexts);
	c->contexts[c->n_contexts].name = xstrdup(name);
	c->contexts[c->n_contexts].line = p->line;
	c->n_contexts++;
	p->sect = SEC_CONTEXT;
	return 0;
}

/* The hook exactly for (env, context), or NULL. */
static const struct config_hook *hook_exact(const struct config *c, const char *context,
					    const char *env)
{
	for (size_t i = 0; i < c->n_hooks; i++) {
		const struct config_hook *h = &c->hooks[i];
		if (strcmp(h->env, env) == 0 &&
		    (context ? h->context && strcmp(h->context, context) == 0 : h->context == NULL))
			return h;
	}
	return NULL;
}

/* Start [hook ENV] or [hook ENV @ CONTEXT]; spec is what follows "hook". */
static int open_hook(struct parser *p, char *spec, struct mlc_error *err)
{
	struct config *c = p->c;
	char *at = strchr(spec, '@'), *env, *ctx = NULL;
	const struct config_hook *old;

	if (at) {
		*at = '\0';
		ctx = trim(at + 1);
	}
	env = trim(spec);
	if (!valid_name(env))
		return perr(p, err, "bad environment name '%s' in [hook ENV]", env);
	if (ctx && !valid_name(ctx))
		return perr(p, err, "bad context name '%s' in [hook ENV @ CONTEXT]", ctx);
	if ((old = hook_exact(c, ctx, env)) != NULL)
		return perr(p, err, "this hook is defined again (first at line %d)", old->line);
	c->hooks = xrealloc(c->hooks, (c->n_hooks + 1) * sizeof *c->hooks);
	struct config_hook *h = &c->hooks[c->n_hooks++];
	memset(h, 0, sizeof *h);
	h->env = xstrdup(env);
	h->context = ctx ? xstrdup(ctx) : NULL;
	h->timeout = 30;
	h->line = p->line;
	p->sect = SEC_HOOK;
	return 0;
}

/* A "[...]" line. */
static int parse_section(struct parser *p, char *s, struct mlc_error *err)
{
	size_t n = strlen(s);
	char *inner;

	if (s[n - 1] != ']')
		return perr(p, err, "a section header must end with ']'");
	s[n - 1] = '\0';
	inner = trim(s + 1);
	if (strcmp(inner, "general") == 0) {
		p->sect = SEC_GENERAL;
		return 0;
	}
	if (strncmp(inner, "context", 7) == 0 && isspace((unsigned char)inner[7]))
		return open_context(p, trim(inner + 7), err);
	if (strncmp(inner, "hook", 4) == 0 && isspace((unsigned char)inner[4]))
		return open_hook(p, inner + 4, err);
	return perr(p, err,
		    "unknown section [%s] (general, context NAME, hook ENV, hook ENV @ CONTEXT)",
		    inner);
}

/* ---- keys --------------------------------------------------------------- */

/* A literal secret is only read from a file no one else can read or own
 * (ssh's rule for keys); the message names the key, never its value. */
static int check_private(const struct parser *p, const char *key, struct mlc_error *err)
{
	const char *in_uri = strcmp(key, "uri") == 0 ? " (a password in it)" : "";

	if ((p->st.st_mode & 077) == 0 && p->st.st_uid == getuid())
		return 0;
	return perr(p, err,
		    "%s = refused%s: the file is mode %04o%s; a secret in the config file needs "
		    "mode 0600 and your ownership (chmod 600 it), or use token_env = VARIABLE",
		    key, in_uri, (unsigned)(p->st.st_mode & 07777),
		    p->st.st_uid == getuid() ? "" : " and not owned by you");
}

/* "yes" or "no" into *out. */
static int parse_bool(const struct parser *p, const char *key, const char *value, int *out,
		      struct mlc_error *err)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
		*out = value[0] == 'y';
		return 0;
	}
	return perr(p, err, "%s must be yes or no", key);
}

/* A whole number of seconds from min to 3600 into *out. */
static int parse_seconds(const struct parser *p, const char *key, const char *value, long min,
			 int *out, struct mlc_error *err)
{
	char *end;
	long t;

	errno = 0;
	t = strtol(value, &end, 10);
	if (errno || end == value || *end || t < min || t > 3600)
		return perr(p, err, "%s must be %ld to 3600 seconds", key, min);
	*out = (int)t;
	return 0;
}

static int set_general(struct parser *p, const char *key, const char *value, struct mlc_error *err)
{
	if (strcmp(key, "default_context") == 0)
		set_str(&p->c->default_context, value);
	else if (strcmp(key, "theme") == 0)
		set_str(&p->c->theme, value);
	else if (strcmp(key, "clipboard") == 0) {
		if (strcmp(value, "osc52") != 0 && strcmp(value, "off") != 0)
			return perr(p, err, "clipboard must be osc52 or off");
		p->c->clipboard_osc52 = value[0] == 'o' && value[1] == 's';
	} else if (strcmp(key, "start") == 0) {
		if (strcmp(value, "models") != 0 && strcmp(value, "pulse") != 0)
			return perr(p, err, "start must be models or pulse");
		p->c->start_pulse = value[0] == 'p';
	} else if (strcmp(key, "pulse_refresh") == 0)
		return parse_seconds(p, key, value, 0, &p->c->pulse_refresh, err);
	else
		return perr(
		    p, err,
		    "unknown key '%s' in [general] (default_context, theme, clipboard, start, "
		    "pulse_refresh)",
		    key);
	return 0;
}

static int set_context(struct parser *p, const char *key, const char *value, struct mlc_error *err)
{
	struct config_context *x = &p->c->contexts[p->c->n_contexts - 1];

	if (strcmp(key, "uri") == 0) {
		/* a password in the URI is a literal secret like token = */
		if (http_url_has_password(value) && check_private(p, key, err) < 0)
			return -1;
		set_str(&x->uri, value);
	} else if (strcmp(key, "theme") == 0)
		set_str(&x->theme, value);
	else if (strcmp(key, "read_only") == 0)
		return parse_bool(p, key, value, &x->read_only, err);
	else if (strcmp(key, "stages") == 0)
		return parse_bool(p, key, value, &x->stages, err);
	else if (strcmp(key, "username") == 0)
		set_str(&x->username, value);
	else if (strcmp(key, "token_env") == 0) {
		if (!valid_var(value))
			return perr(p, err, "token_env must name an environment variable");
		set_str(&x->token_env, value);
	} else if (strcmp(key, "token") == 0 || strcmp(key, "password") == 0) {
		if (check_private(p, key, err) < 0)
			return -1;
		set_str(key[0] == 't' ? &x->token : &x->password, value);
	} else
		return perr(p, err,
			    "unknown key '%s' in [context %s] (uri, theme, read_only, stages, "
			    "token_env, token, username, password)",
			    key, x->name);
	return 0;
}

static int set_hook(struct parser *p, const char *key, const char *value, struct mlc_error *err)
{
	struct config_hook *h = &p->c->hooks[p->c->n_hooks - 1];

	if (strcmp(key, "command") == 0) {
		set_str(&h->command, value);
	} else if (strcmp(key, "url") == 0) {
		set_str(&h->url, value);
	} else if (strcmp(key, "models") == 0 && strcmp(h->env, "alert") == 0) {
		set_str(&h->models, value);
	} else if (strcmp(key, "timeout") == 0) {
		return parse_seconds(p, key, value, 1, &h->timeout, err);
	} else {
		return perr(p, err, "unknown hook setting '%s' (command, url, timeout%s)", key,
			    strcmp(h->env, "alert") == 0 ? ", models" : "");
	}
	return 0;
}

/* A "key = value" line in the current section. */
static int parse_key(struct parser *p, char *s, struct mlc_error *err)
{
	char *eq = strchr(s, '='), *key, *value;

	if (eq == NULL)
		return perr(p, err, "expected 'key = value'");
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (*key == '\0')
		return perr(p, err, "expected 'key = value'");
	if (*value == '\0')
		return perr(p, err, "%s has no value", key);
	switch (p->sect) {
	case SEC_GENERAL:
		return set_general(p, key, value, err);
	case SEC_CONTEXT:
		return set_context(p, key, value, err);
	case SEC_HOOK:
		return set_hook(p, key, value, err);
	default:
		break;
	}
	return perr(p, err, "'%s' before any section ([general], [context NAME], [hook ENV])", key);
}

/* One line of the file. */
static int parse_line(struct parser *p, char *line, struct mlc_error *err)
{
	char *s = trim(line);

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_section(p, s, err);
	return parse_key(p, s, err);
}

/* ---- the whole file ----------------------------------------------------- */

/* What can only be checked once everything is read. */
static int validate(struct parser *p, struct mlc_error *err)
{
	struct config *c = p->c;

	for (size_t i = 0; i < c->n_contexts; i++) {
		const struct config_context *x = &c->contexts[i];
		p->line = x->line;
		if (x->uri == NULL)
			return perr(p, err, "[context %s] has no uri =", x->name);
		if (x->token && x->token_env)
			return perr(p, err, "[context %s]: token and token_env: give one", x->name);
	}
	for (size_t i = 0; i < c->n_hooks; i++) {
		const struct config_hook *h = &c->hooks[i];
		p->line = h->line;
		if (h->command == NULL && h->url == NULL)
			return perr(p, err, "[hook %s] needs a command = or a url =", h->env);
		if (h->context && config_context(c, h->context) == NULL)
			return perr(p, err, "[hook %s @ %s]: no [context %s] in this file", h->env,
				    h->context, h->context);
	}
	if (c->default_context && config_context(c, c->default_context) == NULL) {
		char *names = config_context_names(c);
		mlc_error_set(err, MLC_ERR_USAGE,
			      "%s: default_context = %s: no such context (known: %s)", p->path,
			      c->default_context, names);
		free(names);
		return -1;
	}
	return 0;
}

/* Read every line of f into p->c. */
static int parse_file(struct parser *p, FILE *f, struct mlc_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		p->line++;
		rc = parse_line(p, line, err);
	}
	free(line);
	if (rc == 0 && ferror(f))
		rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", p->path, strerror(errno));
	return rc < 0 ? -1 : validate(p, err);
}

int config_load(struct config *c, const char *path, struct mlc_error *err)
{
	struct parser p = {.c = c, .path = path};
	FILE *f;
	int rc;

	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(errno));
		config_free(c);
		return -1;
	}
	if (fstat(fileno(f), &p.st) < 0) {
		memset(&p.st, 0, sizeof p.st);
		p.st.st_mode = 0777; /* unknown: treat as readable by others */
	}
	rc = parse_file(&p, f, err);
	fclose(f);
	if (rc < 0)
		config_free(c);
	return rc;
}

/* Free a secret, wiping it first. */
static void free_secret(char *s)
{
	if (s) {
		volatile char *v = s;
		while (*v)
			*v++ = '\0';
	}
	free(s);
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < c->n_contexts; i++) {
		struct config_context *x = &c->contexts[i];
		free(x->name);
		free(x->uri);
		free(x->theme);
		free(x->token_env);
		free(x->username);
		free_secret(x->token);
		free_secret(x->password);
	}
	for (size_t i = 0; i < c->n_hooks; i++) {
		free(c->hooks[i].env);
		free(c->hooks[i].context);
		free(c->hooks[i].command);
		free(c->hooks[i].url);
		free(c->hooks[i].models);
	}
	free(c->contexts);
	free(c->hooks);
	free(c->path);
	free(c->default_context);
	free(c->theme);
	memset(c, 0, sizeof *c);
}

/* ---- lookups ------------------------------------------------------------ */

const struct config_context *config_context(const struct config *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_contexts; i++)
		if (strcmp(c->contexts[i].name, name) == 0)
			return &c->contexts[i];
	return NULL;
}

const struct config_context *config_default_context(const struct config *c)
{
	return config_context(c, c->default_context);
}

char *config_context_names(const struct config *c)
{
	struct strbuf sb = {0};

	for (size_t i = 0; i < c->n_contexts; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", c->contexts[i].name);
	return sb.len ? sb_detach(&sb) : xstrdup("none");
}

const struct config_hook *config_hook(const struct config *c, const char *context, const char *env)
{
	const struct config_hook *h = context ? hook_exact(c, context, env) : NULL;

	return h ? h : hook_exact(c, NULL, env);
}

int config_context_token(const struct config_context *x, const char **token, struct mlc_error *err)
{
	*token = x->token;
	if (x->token_env == NULL)
		return 0;
	*token = getenv(x->token_env);
	if (*token == NULL || **token == '\0') {
		*token = NULL;
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "context %s: token_env = %s, but %s is not set", x->name,
				     x->token_env, x->token_env);
	}
	return 0;
}
