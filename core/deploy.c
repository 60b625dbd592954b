/* deploy.c: what every backend's changes share: their outcome, environment names. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deploy.h"
#include "gate.h"
#include "strbuf.h"

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

void mlc_outcome_note(struct mlc_outcome *out, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	out->note = arena_strdup(&out->arena, buf);
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

/* ---- who may change a policy (README) --------------------------------- */

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

/* The order in slot i of l (i == l->n: the environment c creates) into *o;
 * after: with c applied. 0 when the slot holds no environment. */
static int slot_order(const struct mlc_env_list *l, const struct mlc_env_change *c, int after,
		      size_t i, int64_t *o)
{
	if (i == l->n) {
		*o = c->order;
		return after && c->have_order && env_named(l, c->name) == NULL;
	}
	*o = after ? order_after(&l->items[i], c) : l->items[i].order;
	return 1;
}

/* The order just below `at` (INT64_MIN when none); after: with c applied. */
static int64_t order_before(const struct mlc_env_list *l, const struct mlc_env_change *c, int after,
			    int64_t at)
{
	int64_t best = INT64_MIN, o;

	for (size_t i = 0; i <= l->n; i++)
		if (slot_order(l, c, after, i, &o) && o < at && o > best)
			best = o;
	return best;
}

/* 1 if slot i is one of the environments at order `best` (just before). */
static int in_tie(const struct mlc_env_list *l, const struct mlc_env_change *c, int after, size_t i,
		  int64_t best)
{
	int64_t o;

	return best != INT64_MIN && slot_order(l, c, after, i, &o) && o == best;
}

/* The names at order best as a comma list onto sb ("none" when none). */
static void tie_names(const struct mlc_env_list *l, const struct mlc_env_change *c, int after,
		      int64_t best, struct strbuf *sb)
{
	size_t start = sb->len;

	for (size_t i = 0; i <= l->n; i++)
		if (in_tie(l, c, after, i, best))
			sb_printf(sb, "%s%s", sb->len > start ? "," : "",
				  i < l->n ? l->items[i].name : c->name);
	if (sb->len == start)
		sb_add(sb, "none");
}

/* Does c change which environments come just before e (which requires
 * that)? Compared as sets of names, whole; when it does and sb is not NULL,
 * "the environment before it goes from A to B" onto sb. */
static int moves_previous(const struct mlc_env_list *l, const struct mlc_env *e,
			  const struct mlc_env_change *c, struct strbuf *sb)
{
	int64_t was = order_before(l, c, 0, e->order),
		now = order_before(l, c, 1, order_after(e, c));
	int moved = 0;

	for (size_t i = 0; i <= l->n && !moved; i++)
		moved = in_tie(l, c, 0, i, was) != in_tie(l, c, 1, i, now);
	if (moved && sb) {
		sb_add(sb, "the environment before it goes from ");
		tie_names(l, c, 0, was, sb);
		sb_add(sb, " to ");
		tie_names(l, c, 1, now, sb);
	}
	return moved;
}

/* Append one part of a description: ", " between parts. */
static void part(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void part(struct strbuf *sb, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (sb->len)
		sb_add(sb, ", ");
	sb_add(sb, buf);
}

int mlc_approver_next(const char **p, const char **name, size_t *n)
{
	while (**p) {
		size_t k = strcspn(*p, ","), b = strspn(*p, " ");
		const char *s = *p + (b < k ? b : k);
		size_t len = k - (size_t)(s - *p);

		while (len > 0 && s[len - 1] == ' ')
			len--;
		*p += k + ((*p)[k] == ',');
		if (len > 0) {
			*name = s;
			*n = len;
			return 1;
		}
	}
	return 0;
}

/* 1 if user is named in the comma list s. */
static int listed(const char *s, const char *user)
{
	const char *name;
	size_t n;

	while (mlc_approver_next(&s, &name, &n))
		if (n == strlen(user) && strncmp(name, user, n) == 0)
			return 1;
	return 0;
}

/* 1 if the comma list s names exactly e's approvers (as sets). */
static int same_approvers(const struct mlc_env *e, const char *s)
{
	const char *name;
	size_t n;

	for (size_t i = 0; i < e->n_approvers; i++)
		if (!listed(s, e->approvers[i]))
			return 0;
	while (mlc_approver_next(&s, &name, &n)) {
		int found = 0;
		for (size_t i = 0; i < e->n_approvers && !found; i++)
			found =
			    strlen(e->approvers[i]) == n && strncmp(e->approvers[i], name, n) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* The comma list s, names trimmed, onto sb ("anyone" when empty). */
static void add_list(struct strbuf *sb, const char *s)
{
	const char *name;
	size_t n, start = sb->len;

	while (mlc_approver_next(&s, &name, &n)) {
		if (sb->len > start)
			sb_addc(sb, ',');
		sb_addn(sb, name, n);
	}
	if (sb->len == start)
		sb_add(sb, "anyone");
}

/* The approvers part of c against cur (which exists) onto sb; what it
 * loosens marked when mark. 1 if it loosens. */
static int describe_approvers(const struct mlc_env *cur, const struct mlc_env_change *c, int mark,
			      struct strbuf *sb)
{
	const char *p = c->approvers, *name;
	size_t n, added = 0;
	int any = 0;

	if (sb->len)
		sb_add(sb, ", ");
	sb_add(sb, "approvers ");
	for (size_t i = 0; i < cur->n_approvers; i++)
		sb_printf(sb, "%s%s", i ? "," : "", cur->approvers[i]);
	if (cur->n_approvers == 0)
		sb_add(sb, "anyone");
	sb_add(sb, " -> ");
	add_list(sb, c->approvers);
	if (cur->n_approvers == 0)
		return 0; /* anyone could approve already */
	while (mlc_approver_next(&p, &name, &n)) {
		any = 1;
		for (size_t i = 0; i < cur->n_approvers; i++)
			if (strlen(cur->approvers[i]) == n &&
			    strncmp(cur->approvers[i], name, n) == 0)
				goto known;
		if (mark)
			sb_printf(sb, "%s%.*s added", added++ ? ", " : " (loosens: approver ",
				  (int)n, name);
		else
			added++;
	known:;
	}
	if (!any && mark)
		sb_add(sb, " (loosens: anyone may approve");
	if (mark && (added || !any))
		sb_addc(sb, ')');
	return added > 0 || !any;
}

int mlc_env_has_gate(const struct mlc_env *e, const char *expr)
{
	for (size_t i = 0; e && i < e->n_gates; i++)
		if (strcmp(e->gates[i], expr) == 0)
			return 1;
	return 0;
}

/* The gates c adds to and removes from cur (NULL: a new environment) onto
 * sb; removals marked as loosening when mark. 1 if any gate is removed. */
static int describe_gates(const struct mlc_env *cur, const struct mlc_env_change *c, int mark,
			  struct strbuf *sb)
{
	int loose = 0;

	for (size_t i = 0; i < c->n_gate_add; i++)
		if (!mlc_env_has_gate(cur, c->gate_add[i]))
			part(sb, "gate '%.400s' added", c->gate_add[i]);
	for (size_t i = 0; i < c->n_gate_rm; i++)
		if (mlc_env_has_gate(cur, c->gate_rm[i])) {
			part(sb, "gate '%.400s' removed%s", c->gate_rm[i],
			     mark ? " (loosens)" : "");
			loose = 1;
		}
	return loose;
}

/* -1 (err) when c's gates cannot apply to cur (NULL: new): a gate added that
 * is not one (gate.h), or removed that cur does not have, or both. */
static int check_gates(const struct mlc_env *cur, const struct mlc_env_change *c,
		       struct mlc_error *err)
{
	struct mlc_error bad = {0};

	if (c->n_gate_add > MLC_GATES_MAX || c->n_gate_rm > MLC_GATES_MAX)
		return mlc_error_set(err, MLC_ERR_USAGE, "at most %d gates added or removed at once",
				     MLC_GATES_MAX);
	for (size_t i = 0; i < c->n_gate_add; i++) {
		if (gate_valid(c->gate_add[i], &bad) < 0)
			return mlc_error_set(err, MLC_ERR_USAGE, "--gate '%.400s': %s",
					     c->gate_add[i], bad.msg);
		for (size_t k = 0; k < c->n_gate_rm; k++)
			if (strcmp(c->gate_add[i], c->gate_rm[k]) == 0)
				return mlc_error_set(err, MLC_ERR_USAGE,
						     "gate '%.400s' both added and removed",
						     c->gate_add[i]);
	}
	for (size_t i = 0; i < c->n_gate_rm; i++)
		if (!mlc_env_has_gate(cur, c->gate_rm[i]))
			return mlc_error_set(err, MLC_ERR_USAGE,
					     "environment '%s' has no gate '%.400s' (see "
					     "'mlconsole env list'; give it as listed)",
					     c->name, c->gate_rm[i]);
	return 0;
}

/* What c changes in cur, every field, onto sb ("no change" when nothing);
 * cur NULL: a new environment. When mark, the parts that loosen cur say so
 * ("(loosens)"), l giving the order. Returns 1 if any part loosens. */
static int describe(const struct mlc_env_list *l, const struct mlc_env *cur,
		    const struct mlc_env_change *c, int mark, struct strbuf *sb)
{
	struct strbuf names = {0};
	int loose = 0, lp;

#define LOOSENS(cond) ((lp = (cond)) && mark ? " (loosens)" : "")
	if (cur == NULL) {
		if (c->have_order)
			part(sb, "order %lld", (long long)c->order);
		if (c->have_required)
			part(sb, "required approvals %lld", (long long)c->required_approvals);
		if (c->have_approvers) {
			part(sb, "approvers ");
			add_list(sb, c->approvers);
		}
		if (c->have_self)
			part(sb, "self-approval %s", c->self_approval ? "on" : "off");
		if (c->have_rollback)
			part(sb, "rollback approval %s", c->rollback_approval ? "on" : "off");
		if (c->have_previous)
			part(sb, "require-previous %s", c->require_previous ? "on" : "off");
		describe_gates(NULL, c, 0, sb);
	} else {
		if (c->have_order && c->order != cur->order) {
			part(sb, "order %lld -> %lld", (long long)cur->order, (long long)c->order);
			if (cur->require_previous && !(c->have_previous && !c->require_previous) &&
			    moves_previous(l, cur, c, &names)) {
				loose = 1;
				if (mark)
					sb_printf(sb, " (loosens: %s)", sb_str(&names));
			}
			sb_free(&names);
		}
		if (c->have_required && c->required_approvals != cur->required_approvals) {
			part(sb, "required approvals %lld -> %lld%s",
			     (long long)cur->required_approvals, (long long)c->required_approvals,
			     LOOSENS(c->required_approvals < cur->required_approvals));
			loose |= lp;
		}
		if (c->have_approvers && !same_approvers(cur, c->approvers))
			loose |= describe_approvers(cur, c, mark, sb);
		if (c->have_self && c->self_approval != cur->self_approval) {
			part(sb, "self-approval %s%s", c->self_approval ? "on" : "off",
			     LOOSENS(c->self_approval));
			loose |= lp;
		}
		if (c->have_rollback && c->rollback_approval != cur->rollback_approval) {
			part(sb, "rollback approval %s%s", c->rollback_approval ? "on" : "off",
			     LOOSENS(!c->rollback_approval));
			loose |= lp;
		}
		if (c->have_previous && c->require_previous != cur->require_previous) {
			part(sb, "require-previous %s%s", c->require_previous ? "on" : "off",
			     LOOSENS(!c->require_previous));
			loose |= lp;
		}
		loose |= describe_gates(cur, c, mark, sb);
	}
#undef LOOSENS
	if (sb->len == 0)
		sb_add(sb, "no change");
	return loose;
}

void mlc_policy_describe(const struct mlc_env_list *l, const struct mlc_env_change *c,
			 struct strbuf *sb)
{
	describe(l, env_named(l, c->name), c, 0, sb);
}

int mlc_policy_reorder_check(const struct mlc_env_list *l, const struct mlc_env_change *c,
			     struct mlc_error *err)
{
	struct strbuf how = {0};

	if (c->root_direct || !c->have_order)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct mlc_env *e = &l->items[i];
		if (strcmp(e->name, c->name) == 0 || !e->require_previous || !has_approvers(e))
			continue;
		if (moves_previous(l, e, c, &how)) {
			mlc_error_set(err, MLC_ERR_FAILED,
				      "environment '%s' --order %lld: refused: it would change "
				      "which environment comes before '%s' (whose policy requires "
				      "the previous one): %s; only root acting as itself may",
				      c->name, (long long)c->order, e->name, sb_str(&how));
			sb_free(&how);
			return -1;
		}
	}
	return 0;
}

int mlc_policy_check(const struct mlc_env_list *l, const struct mlc_env_change *c,
		     const char *actor, struct strbuf *why, struct mlc_error *err)
{
	const struct mlc_env *cur = env_named(l, c->name);
	struct strbuf who = {0};

	sb_reset(why);
	if (mlc_policy_reorder_check(l, c, err) < 0 || check_gates(cur, c, err) < 0)
		return -1;
	if (c->root_direct || cur == NULL || !has_approvers(cur)) {
		describe(l, cur, c, 0, why);
		return MLC_POLICY_DIRECT;
	}
	if (!is_approver(cur, actor)) {
		for (size_t i = 0; i < cur->n_approvers; i++)
			sb_printf(&who, "%s%s", i ? ", " : "", cur->approvers[i]);
		mlc_error_set(err, MLC_ERR_FAILED,
			      "environment '%s': only its approvers (%s) or root acting as "
			      "itself may change its policy; %s is not one (see 'mlconsole env "
			      "list')",
			      c->name, sb_str(&who), actor);
		sb_free(&who);
		return -1;
	}
	if (describe(l, cur, c, 1, why))
		return MLC_POLICY_REQUEST;
	sb_reset(why);
	describe(l, cur, c, 0, why);
	return MLC_POLICY_DIRECT;
}

int mlc_policy_recheck(const struct mlc_env_list *l, const struct mlc_env_change *c, const char *by,
		       const char *voted, struct mlc_error *err)
{
	const struct mlc_env *cur = env_named(l, c->name);
	struct strbuf now = {0};
	int kind, rc = 0;

	if (cur == NULL)
		return mlc_error_set(err, MLC_ERR_FAILED, "environment '%s' no longer exists",
				     c->name);
	describe(l, cur, c, 0, &now);
	if (strcmp(sb_str(&now), "no change") == 0) {
		sb_free(&now);
		return 1;
	}
	kind = mlc_policy_check(l, c, by, &now, err);
	if (kind < 0)
		rc = -1;
	else if (kind != MLC_POLICY_REQUEST || strcmp(sb_str(&now), voted) != 0)
		rc = mlc_error_set(err, MLC_ERR_FAILED,
				   "the change no longer means what was approved: approved as "
				   "'%s', with the policy as it is now it would be '%s'",
				   voted, sb_str(&now));
	sb_free(&now);
	return rc;
}
