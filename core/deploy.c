/* deploy.c: what every backend's changes share: their outcome, environment names. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

int64_t mlc_version_parse(const char *s, struct mlc_error *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s ? s : "", &end, 10);
	if (s == NULL || *s == '\0' || *end || v <= 0 || errno == ERANGE)
		return mlc_error_set(err, MLC_ERR_USAGE, "version '%s': not a version number",
				     s ? s : "");
	return v;
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

/* ---- who may change a policy (DESIGN.md) --------------------------------- */

/* 1 if e has approvers: a list of them, or approvals required (with no
 * list, everyone may approve, so everyone is one). */
static int has_approvers(const struct mlc_env *e)
{
	return e->n_approvers > 0 || e->required_approvals > 0;
}

/* 1 if user is an approver of e (which has approvers). */
static int is_approver(const struct mlc_env *e, const char *user)
{
	for (size_t i = 0; i < e->n_approvers; i++)
		if (strcmp(e->approvers[i], user) == 0)
			return 1;
	return e->n_approvers == 0;
}

/* Environment name in l, or NULL. */
static const struct mlc_env *env_named(const struct mlc_env_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return &l->items[i];
	return NULL;
}

/* The order of e once c is applied (c may create or move an environment). */
static int64_t order_after(const struct mlc_env *e, const struct mlc_env_change *c)
{
	return strcmp(e->name, c->name) == 0 && c->have_order ? c->order : e->order;
}

/* The environments just before the one at order `at` (more than one when
 * orders tie), as a comma list into buf[len]; after: with c applied. */
static void before(const struct mlc_env_list *l, const struct mlc_env_change *c, int after,
		   int64_t at, char *buf, size_t len)
{
	int64_t best = INT64_MIN, o;
	int created = env_named(l, c->name) == NULL;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i <= l->n; i++) {
		if (i == l->n && !(after && created && c->have_order))
			break;
		o = i == l->n ? c->order : after ? order_after(&l->items[i], c) : l->items[i].order;
		if (o < at && o > best)
			best = o;
	}
	for (size_t i = 0; i <= l->n && best != INT64_MIN; i++) {
		const char *name = i < l->n ? l->items[i].name : c->name;
		if (i == l->n && !(after && created && c->have_order))
			break;
		o = i == l->n ? c->order : after ? order_after(&l->items[i], c) : l->items[i].order;
		if (o == best)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "",
					      name);
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

/* Does c change which environment comes before e (which requires that)? The
 * names before and after into was[len] and now[len]. */
static int moves_previous(const struct mlc_env_list *l, const struct mlc_env *e,
			  const struct mlc_env_change *c, char *was, char *now, size_t len)
{
	before(l, c, 0, e->order, was, len);
	before(l, c, 1, order_after(e, c), now, len);
	return strcmp(was, now) != 0;
}

/* Append one part of a description: "; " between parts. */
static void part(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void part(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 3 >= len)
		return;
	if (n)
		n += (size_t)snprintf(buf + n, len - n, ", ");
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* The next name of comma list *p into u[len] (spaces trimmed, empty names
 * skipped); 0 at the end. */
static int next_name(const char **p, char *u, size_t len)
{
	while (**p) {
		size_t k = strcspn(*p, ","), b = strspn(*p, " ");
		const char *s = *p + (b < k ? b : k);
		size_t n = k - (size_t)(s - *p);

		while (n > 0 && s[n - 1] == ' ')
			n--;
		*p += k + ((*p)[k] == ',');
		if (n > 0) {
			snprintf(u, len, "%.*s", (int)n, s);
			return 1;
		}
	}
	return 0;
}

/* What c loosens in cur (which exists), into buf[len] ("" when nothing). */
static void loosened(const struct mlc_env_list *l, const struct mlc_env *cur,
		     const struct mlc_env_change *c, char *buf, size_t len)
{
	char was[256], now[256];
	int listed = 0;

	buf[0] = '\0';
	if (c->have_required && c->required_approvals < cur->required_approvals)
		part(buf, len, "required approvals %lld -> %lld",
		     (long long)cur->required_approvals, (long long)c->required_approvals);
	if (c->have_approvers && cur->n_approvers > 0) {
		const char *p = c->approvers;
		char u[256];
		while (next_name(&p, u, sizeof u)) {
			listed++;
			if (!is_approver(cur, u))
				part(buf, len, "approver %s added", u);
		}
		if (listed == 0)
			part(buf, len, "approvers cleared (anyone may approve)");
	}
	if (c->have_self && c->self_approval && !cur->self_approval)
		part(buf, len, "self-approval on");
	if (c->have_rollback && !c->rollback_approval && cur->rollback_approval)
		part(buf, len, "rollback approval off");
	if (c->have_previous && !c->require_previous && cur->require_previous)
		part(buf, len, "require-previous off");
	else if (cur->require_previous && moves_previous(l, cur, c, was, now, sizeof was))
		part(buf, len, "order %lld -> %lld: the environment before it goes from %s to %s",
		     (long long)cur->order, (long long)c->order, was, now);
}

void mlc_policy_describe(const struct mlc_env *cur, const struct mlc_env_change *c, char *buf,
			 size_t len)
{
	buf[0] = '\0';
	if (c->have_order && (cur == NULL || c->order != cur->order))
		part(buf, len, "order %lld", (long long)c->order);
	if (c->have_required && (cur == NULL || c->required_approvals != cur->required_approvals))
		part(buf, len, "required approvals %lld", (long long)c->required_approvals);
	if (c->have_approvers)
		part(buf, len, "approvers %s", *c->approvers ? c->approvers : "anyone");
	if (c->have_self && (cur == NULL || c->self_approval != cur->self_approval))
		part(buf, len, "self-approval %s", c->self_approval ? "on" : "off");
	if (c->have_rollback && (cur == NULL || c->rollback_approval != cur->rollback_approval))
		part(buf, len, "rollback approval %s", c->rollback_approval ? "on" : "off");
	if (c->have_previous && (cur == NULL || c->require_previous != cur->require_previous))
		part(buf, len, "require-previous %s", c->require_previous ? "on" : "off");
	if (buf[0] == '\0')
		snprintf(buf, len, "no change");
}

int mlc_policy_reorder_check(const struct mlc_env_list *l, const struct mlc_env_change *c,
			     struct mlc_error *err)
{
	char was[256], now[256];

	if (c->root_direct || !c->have_order)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct mlc_env *e = &l->items[i];
		if (strcmp(e->name, c->name) == 0 || !e->require_previous || !has_approvers(e))
			continue;
		if (moves_previous(l, e, c, was, now, sizeof was))
			return mlc_error_set(
			    err, MLC_ERR_FAILED,
			    "environment '%s' --order %lld: refused: it would change "
			    "which environment comes before '%s' (whose policy requires "
			    "the previous one) from %s to %s; only root acting as "
			    "itself may",
			    c->name, (long long)c->order, e->name, was, now);
	}
	return 0;
}

int mlc_policy_check(const struct mlc_env_list *l, const struct mlc_env_change *c,
		     const char *actor, char *why, size_t len, struct mlc_error *err)
{
	const struct mlc_env *cur = env_named(l, c->name);
	char who[512] = "";

	why[0] = '\0';
	if (mlc_policy_reorder_check(l, c, err) < 0)
		return -1;
	if (c->root_direct || cur == NULL || !has_approvers(cur)) {
		mlc_policy_describe(cur, c, why, len);
		return MLC_POLICY_DIRECT;
	}
	if (!is_approver(cur, actor)) {
		for (size_t i = 0; i < cur->n_approvers; i++)
			part(who, sizeof who, "%s", cur->approvers[i]);
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "environment '%s': only its approvers (%s) or root acting as "
		    "itself may change its policy; %s is not one (see 'mlconsole env "
		    "list')",
		    c->name, who, actor);
	}
	loosened(l, cur, c, why, len);
	if (why[0])
		return MLC_POLICY_REQUEST;
	mlc_policy_describe(cur, c, why, len);
	return MLC_POLICY_DIRECT;
}
