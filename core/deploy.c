/* deploy.c: what every backend's changes share: their outcome, environment names. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "deploy.h"

void mlc_outcome(struct mlc_outcome *out, int64_t request_id, int deployed, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	out->request_id = request_id;
	out->deployed = deployed;
	out->summary = arena_strdup(&out->arena, buf);
}

void mlc_outcome_where(struct mlc_outcome *out, const char *model, const char *env,
		       const char *action, int64_t version, int64_t previous)
{
	out->model = arena_strdup(&out->arena, model);
	out->environment = arena_strdup(&out->arena, env);
	out->action = arena_strdup(&out->arena, action);
	out->version = version;
	out->previous = previous;
}

int mlc_env_name_valid(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}
