/* test_policy.c: the policy engine (core/policy.c) on plain data, one table a
 * decision: each rule, and each refusal and outcome line word for word, as
 * every backend must say it. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *prod_approvers[] = {"alice", "bob"};

/* dev < staging (requires dev first) < prod (2 approvals of alice, bob;
 * rollback needs approval) < edge (anyone approves, self-approval). */
static struct mlc_env envs_arr[] = {
    {.name = "dev", .order = 1},
    {.name = "staging", .order = 2, .require_previous = 1},
    {.name = "prod",
     .order = 3,
     .required_approvals = 2,
     .approvers = prod_approvers,
     .n_approvers = 2,
     .rollback_approval = 1,
     .require_previous = 1},
    {.name = "edge", .order = 4, .required_approvals = 1, .self_approval = 1},
};
static struct mlc_env_list envs = {.items = envs_arr, .n = N(envs_arr)};

/* Model m's history, newest first: dev saw 1, 2, 3; staging 1, 2, then a
 * rollback from 2 to 1, then 4 ... (see each table); other model x in dev. */
static struct mlc_deploy_event hist_dev[] = {
    {"x", "dev", "9", "", "deploy", 500, "zed"},
    {"m", "dev", "3", "2", "deploy", 400, "ann"},
    {"m", "dev", "2", "1", "deploy", 300, "ann"},
    {"m", "dev", "1", "", "deploy", 200, "ann"},
};
static struct mlc_deploy_event hist_staging[] = {
    {"m", "staging", "1", "2", "rollback", 900, "ann"},
    {"m", "staging", "2", "1", "deploy", 800, "ann"},
    {"m", "staging", "1", "", "deploy", 700, "ann"},
    {"m", "dev", "2", "1", "deploy", 300, "ann"},
    {"m", "dev", "1", "", "deploy", 200, "ann"},
};

static const struct mlc_env *env_named(const char *name)
{
	for (size_t i = 0; i < envs.n; i++)
		if (strcmp(envs.items[i].name, name) == 0)
			return &envs.items[i];
	fail_msg("no environment %s", name);
	return NULL;
}

/* A place of model m in env with live version live over history h[0..n). */
static struct mlc_place place(const char *env, int64_t live, const struct mlc_deploy_event *h,
			      size_t n)
{
	return (struct mlc_place){&envs, env_named(env), "m", live, h, n};
}

/* rc and err as expected: msg NULL means success. */
static void expect(int rc, const struct mlc_error *err, const char *msg, int line)
{
	if (msg == NULL) {
		if (rc != 0)
			fail_msg("line %d: refused: %s", line, err->msg);
		return;
	}
	if (rc == 0)
		fail_msg("line %d: allowed, expected '%s'", line, msg);
	if (strcmp(err->msg, msg) != 0)
		fail_msg("line %d:\n got '%s'\nwant '%s'", line, err->msg, msg);
}

static void test_order_and_history(void **state)
{
	struct mlc_place p = place("staging", 1, hist_staging, N(hist_staging));

	(void)state;
	assert_string_equal(mlc_policy_previous_env(&envs, env_named("prod"))->name, "staging");
	assert_null(mlc_policy_previous_env(&envs, env_named("dev")));
	assert_int_equal(mlc_policy_head(&p, "staging"), 1);
	assert_int_equal(mlc_policy_head(&p, "dev"), 2);
	assert_int_equal(mlc_policy_head(&p, "prod"), 0);
	assert_true(mlc_policy_was_live(&p, "staging", 2));
	assert_false(mlc_policy_was_live(&p, "staging", 3));
	assert_false(mlc_policy_was_live(&p, "dev", 9)); /* model x's */
	p.live = 7;					 /* live now counts in p's env only */
	assert_true(mlc_policy_was_live(&p, "staging", 7));
	assert_false(mlc_policy_was_live(&p, "dev", 7));
}

static void test_deploy(void **state)
{
	static const struct {
		const char *env;
		int64_t live, v;
		enum mlc_vstate vs;
		const char *vnote, *msg;
		int line;
	} t[] = {
	    {"dev", 3, 4, MLC_V_OK, NULL, NULL, __LINE__},
	    {"dev", 0, 4, MLC_V_MISSING, NULL, "model 'm': no version 4", __LINE__},
	    {"dev", 0, 4, MLC_V_ARCHIVED, NULL, "m version 4 is archived", __LINE__},
	    {"dev", 0, 4, MLC_V_ARCHIVED, " (why)", "m version 4 is archived (why)", __LINE__},
	    {"dev", 3, 3, MLC_V_OK, NULL, "m 3 is already live in dev", __LINE__},
	    {"staging", 1, 2, MLC_V_OK, NULL, NULL, __LINE__},
	    {"staging", 1, 4, MLC_V_OK, NULL,
	     "m 4 to staging: refused by the policy of environment 'staging': the version must "
	     "have been live in 'dev' first",
	     __LINE__},
	    {"prod", 0, 2, MLC_V_OK, NULL,
	     "deploy m 2 to prod: refused by the policy of environment 'prod': 2 approvals "
	     "required (use 'mlconsole request m 2 --env prod')",
	     __LINE__},
	    {"edge", 0, 2, MLC_V_OK, NULL,
	     "deploy m 2 to edge: refused by the policy of environment 'edge': 1 approval "
	     "required (use 'mlconsole request m 2 --env edge')",
	     __LINE__},
	    /* the version's state is said before the policy */
	    {"prod", 0, 2, MLC_V_MISSING, NULL, "model 'm': no version 2", __LINE__},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct mlc_place p = place(t[i].env, t[i].live, hist_staging, N(hist_staging));
		struct mlc_error err = {0};
		int rc = mlc_policy_deploy(&p, t[i].v, t[i].vs, t[i].vnote, &err);
		expect(rc, &err, t[i].msg, t[i].line);
		if (t[i].msg && strstr(t[i].msg, "no version"))
			assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	}
}

/* History for the rollback rule in dev: 1, 2, 3, 4 deployed, then rolled back
 * from 4 to 3; an external move (from 3 to 5) in some cases. */
static struct mlc_deploy_event hist_rb[] = {
    {"m", "dev", "3", "4", "rollback", 500, "ann"},
    {"m", "dev", "4", "3", "deploy", 400, "ann"},
    {"m", "dev", "3", "2", "deploy", 300, "ann"},
    {"m", "dev", "2", "1", "deploy", 200, "ann"},
    {"m", "dev", "1", "", "deploy", 100, "ann"},
};
static struct mlc_deploy_event hist_rb2[] = {
    {"m", "dev", "2", "3", "rollback", 600, "ann"},
    {"m", "dev", "3", "4", "rollback", 500, "ann"},
    {"m", "dev", "4", "3", "deploy", 400, "ann"},
    {"m", "dev", "3", "2", "deploy", 300, "ann"},
    {"m", "dev", "2", "1", "deploy", 200, "ann"},
    {"m", "dev", "1", "", "deploy", 100, "ann"},
};
static struct mlc_deploy_event hist_ext[] = {
    {"m", "dev", "5", "3", "external", 600, "external"},
    {"m", "dev", "3", "4", "rollback", 500, "ann"},
    {"m", "dev", "4", "3", "deploy", 400, "ann"},
    {"m", "dev", "3", "2", "deploy", 300, "ann"},
    {"m", "dev", "2", "1", "deploy", 200, "ann"},
};
static struct mlc_deploy_event hist_one[] = {
    {"m", "dev", "1", "", "deploy", 100, "ann"},
};

static void test_rollback(void **state)
{
	static const struct {
		const char *env;
		int64_t live;
		const struct mlc_deploy_event *h;
		size_t n;
		const char *to;
		int by_request;
		int64_t target;
		const char *msg;
		int line;
	} t[] = {
	    /* the rule: 3 is live, 4 was rolled back from: 2 */
	    {"dev", 3, hist_rb, N(hist_rb), NULL, 0, 2, NULL, __LINE__},
	    /* twice walks two steps back: from 3 to 2, then to 1 */
	    {"dev", 2, hist_rb2, N(hist_rb2), NULL, 0, 1, NULL, __LINE__},
	    /* a move by another client (recorded): 3 was moved off, 4 rolled back from */
	    {"dev", 5, hist_ext, N(hist_ext), NULL, 0, 2, NULL, __LINE__},
	    /* the same move not recorded yet: the alias says 5, the head 3 */
	    {"dev", 5, hist_rb, N(hist_rb), NULL, 0, 2, NULL, __LINE__},
	    {"dev", 3, hist_rb, N(hist_rb), "1", 0, 1, NULL, __LINE__},
	    {"dev", 3, hist_rb, N(hist_rb), "4", 0, 4, NULL, __LINE__},
	    {"dev", 3, hist_rb, N(hist_rb), "3", 0, 0, "m 3 is the live version in dev", __LINE__},
	    {"dev", 3, hist_rb, N(hist_rb), "7", 0, 0, "m 7 was never live in dev", __LINE__},
	    {"dev", 3, hist_rb, N(hist_rb), "x", 0, 0, "version 'x': not a version number",
	     __LINE__},
	    {"dev", 0, hist_rb, N(hist_rb), NULL, 0, 0, "m is not live in dev: nothing to roll back",
	     __LINE__},
	    {"dev", 1, hist_one, N(hist_one), NULL, 0, 0,
	     "m in dev: no earlier version to roll back to (none that was not itself rolled back "
	     "from); choose one with --to VERSION (see 'mlconsole deployments m')",
	     __LINE__},
	    {"prod", 1, hist_rb, N(hist_rb), NULL, 0, 0,
	     "rollback of m in prod: refused by the policy of environment 'prod': rollback needs "
	     "approval (use 'mlconsole request m --rollback --env prod')",
	     __LINE__},
	    /* a request (or its approval) is what the policy asks for */
	    {"prod", 1, hist_rb, N(hist_rb), NULL, 1, 0,
	     "m in prod: no earlier version to roll back to (none that was not itself rolled back "
	     "from); choose one with --to VERSION (see 'mlconsole deployments m')",
	     __LINE__},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct mlc_place p = place(t[i].env, t[i].live, t[i].h, t[i].n);
		struct mlc_error err = {0};
		int64_t target = 0;
		int rc = mlc_policy_rollback(&p, t[i].to, t[i].by_request, &target, &err);
		expect(rc, &err, t[i].msg, t[i].line);
		if (rc == 0 && target != t[i].target)
			fail_msg("line %d: target %lld, want %lld", t[i].line, (long long)target,
				 (long long)t[i].target);
	}
}

static void test_rollback_version(void **state)
{
	struct mlc_place p = place("dev", 3, hist_rb, N(hist_rb));
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(mlc_policy_rollback_version(&p, 2, NULL, MLC_V_OK, &err), 0);
	assert_int_equal(mlc_policy_rollback_version(&p, 2, NULL, MLC_V_ARCHIVED, &err), 0);
	expect(mlc_policy_rollback_version(&p, 2, NULL, MLC_V_MISSING, &err), &err,
	       "rollback of m in dev to 2: model 'm': no version 2; choose another with --to "
	       "VERSION (see 'mlconsole deployments')",
	       __LINE__);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	expect(mlc_policy_rollback_version(&p, 2, "2", MLC_V_MISSING, &err), &err,
	       "rollback of m in dev to 2: model 'm': no version 2", __LINE__);
}

static void test_external(void **state)
{
	struct mlc_place p = place("dev", 5, hist_rb, N(hist_rb));
	struct mlc_deploy_event ev;
	char vb[24], pb[24];

	(void)state;
	assert_int_equal(mlc_policy_external(&p, 777, &ev, vb, sizeof vb, pb, sizeof pb), 1);
	assert_string_equal(ev.model, "m");
	assert_string_equal(ev.environment, "dev");
	assert_string_equal(ev.version, "5");
	assert_string_equal(ev.previous_version, "3");
	assert_string_equal(ev.action, "external");
	assert_string_equal(ev.by, "external");
	assert_int_equal(ev.at, 777);
	p.live = 3; /* the history agrees */
	assert_int_equal(mlc_policy_external(&p, 777, &ev, vb, sizeof vb, pb, sizeof pb), 0);
	p.live = 0; /* nothing live: nothing to record */
	assert_int_equal(mlc_policy_external(&p, 777, &ev, vb, sizeof vb, pb, sizeof pb), 0);
	p = place("prod", 2, hist_rb, N(hist_rb)); /* live with no history there */
	assert_int_equal(mlc_policy_external(&p, 1, &ev, vb, sizeof vb, pb, sizeof pb), 1);
	assert_string_equal(ev.version, "2");
	assert_string_equal(ev.previous_version, "");
}

static void test_request(void **state)
{
	static const struct mlc_pending pend[] = {{7, 2, "promote"}, {8, 3, "rollback"}};
	static const struct {
		const char *env, *kind;
		int64_t live, v;
		enum mlc_vstate vs;
		const char *msg;
		int line;
	} t[] = {
	    {"staging", "promote", 1, 4, MLC_V_OK,
	     "m 4 to staging: refused by the policy of environment 'staging': the version must "
	     "have been live in 'dev' first",
	     __LINE__},
	    {"dev", "promote", 1, 4, MLC_V_OK, NULL, __LINE__},
	    {"dev", "promote", 1, 4, MLC_V_ARCHIVED, "m version 4 is archived", __LINE__},
	    {"dev", "promote", 1, 4, MLC_V_MISSING, "model 'm': no version 4", __LINE__},
	    {"dev", "promote", 4, 4, MLC_V_OK, "m 4 is already live in dev", __LINE__},
	    {"dev", "promote", 1, 2, MLC_V_OK, "already pending as request 7", __LINE__},
	    {"dev", "rollback", 1, 3, MLC_V_OK, "already pending as request 8", __LINE__},
	    /* a rollback request replaces a pending promote of the same version */
	    {"dev", "rollback", 3, 2, MLC_V_OK, NULL, __LINE__},
	    {"dev", "promote", 1, 3, MLC_V_OK, NULL, __LINE__},
	};
	char reason[64];

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct mlc_place p = place(t[i].env, t[i].live, hist_dev, N(hist_dev));
		struct mlc_error err = {0};
		int rc = mlc_policy_request(&p, t[i].kind, t[i].v, t[i].vs, NULL, pend, N(pend), &err);
		expect(rc, &err, t[i].msg, t[i].line);
	}
	mlc_policy_superseded(12, reason, sizeof reason);
	assert_string_equal(reason, "superseded by request 12");
}

static struct mlc_vote votes_ab[] = {{"alice", "approve", "", 1}, {"bob", "approve", "", 2}};
static struct mlc_vote votes_a[] = {{"alice", "approve", "", 1}};
static struct mlc_vote votes_rej[] = {{"carol", "reject", "", 1}};

static void test_votes(void **state)
{
	static const struct {
		const char *env, *state, *by, *actor;
		struct mlc_vote *votes;
		size_t n;
		const char *msg;
		int line;
	} t[] = {
	    {"prod", "pending", "ann", "alice", NULL, 0, NULL, __LINE__},
	    {"prod", "pending", "ann", "bob", votes_a, 1, NULL, __LINE__},
	    {"prod", "pending", "ann", "alice", votes_a, 1, "request 5: alice has already voted",
	     __LINE__},
	    {"prod", "pending", "ann", "carol", NULL, 0,
	     "request 5: carol is not an approver of environment 'prod' (see 'mlconsole env list')",
	     __LINE__},
	    {"prod", "pending", "alice", "alice", NULL, 0,
	     "request 5: alice requested it, and the policy of environment 'prod' does not allow "
	     "self-approval",
	     __LINE__},
	    {"edge", "pending", "carol", "carol", NULL, 0, NULL, __LINE__},
	    {"edge", "pending", "ann", "carol", votes_rej, 1, "request 5: carol has already voted",
	     __LINE__},
	    {"prod", "approved", "ann", "alice", NULL, 0, "request 5 is approved, not pending",
	     __LINE__},
	    {"prod", "closed", "ann", "alice", NULL, 0, "request 5 is closed, not pending", __LINE__},
	    {"prod", "", "ann", "alice", NULL, 0, "request 5: not found", __LINE__},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct mlc_request q = {.id = 5, .model = "m", .version = "2", .environment = t[i].env,
					.kind = "promote", .state = t[i].state,
					.requested_by = t[i].by, .votes = t[i].votes,
					.n_votes = t[i].n};
		struct mlc_error err = {0};
		int rc = mlc_policy_may_vote(&q, env_named(t[i].env), t[i].actor, &err);
		expect(rc, &err, t[i].msg, t[i].line);
		if (*t[i].state == '\0')
			assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	}
}

static void test_counting(void **state)
{
	struct mlc_vote twice[] = {{"alice", "approve", "", 1}, {"alice", "approve", "", 2}};
	struct mlc_request q = {.id = 5, .votes = votes_ab, .n_votes = 2};

	(void)state;
	assert_int_equal(mlc_policy_approvals(&q), 2);
	q.votes = votes_rej;
	q.n_votes = 1;
	assert_int_equal(mlc_policy_approvals(&q), 0);
	q.votes = twice; /* one per voter */
	q.n_votes = 2;
	assert_int_equal(mlc_policy_approvals(&q), 1);
	assert_int_equal(mlc_policy_need(env_named("prod")), 2);
	assert_int_equal(mlc_policy_need(env_named("edge")), 1);
	assert_int_equal(mlc_policy_need(env_named("dev")), 1);
}

static void test_cancel(void **state)
{
	static const struct {
		const char *state, *by, *actor, *msg;
		int line;
	} t[] = {
	    {"pending", "ann", "ann", NULL, __LINE__},
	    {"pending", "ann", "bob", "request 5: only ann, who requested it, can cancel it",
	     __LINE__},
	    {"rejected", "ann", "ann", "request 5 is rejected, not pending", __LINE__},
	    {"", "ann", "ann", "request 5: not found", __LINE__},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct mlc_request q = {.id = 5, .state = t[i].state, .requested_by = t[i].by};
		struct mlc_error err = {0};
		expect(mlc_policy_may_cancel(&q, t[i].actor, &err), &err, t[i].msg, t[i].line);
	}
}

static void test_complete(void **state)
{
	static const struct {
		const char *env, *kind;
		int64_t live, v;
		enum mlc_vstate vs;
		const char *why;
		int line;
	} t[] = {
	    {"staging", "promote", 1, 3, MLC_V_OK, NULL, __LINE__},
	    {"staging", "promote", 1, 4, MLC_V_OK,
	     "m 4 to staging: refused by the policy of environment 'staging': the version must "
	     "have been live in 'dev' first",
	     __LINE__},
	    /* a rollback request does not need the version live one environment before */
	    {"staging", "rollback", 1, 4, MLC_V_OK, NULL, __LINE__},
	    {"staging", "promote", 3, 3, MLC_V_OK, "the version is already live", __LINE__},
	    {"staging", "rollback", 2, 2, MLC_V_OK, "the version is already live", __LINE__},
	    {"staging", "promote", 1, 3, MLC_V_MISSING, "model 'm': no version 3", __LINE__},
	    {"staging", "promote", 1, 3, MLC_V_ARCHIVED, "m version 3 is archived", __LINE__},
	    /* a rollback may go to an archived version; a deleted one closes it */
	    {"staging", "rollback", 1, 3, MLC_V_ARCHIVED, NULL, __LINE__},
	    {"staging", "rollback", 1, 3, MLC_V_MISSING, "model 'm': no version 3", __LINE__},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct mlc_place p = place(t[i].env, t[i].live, hist_dev, N(hist_dev));
		struct mlc_request q = {.id = 5, .kind = t[i].kind, .state = "pending"};
		struct mlc_error why = {0};
		int rc = mlc_policy_complete(&p, &q, t[i].v, t[i].vs, NULL, &why);
		if (t[i].why == NULL) {
			if (rc != 0)
				fail_msg("line %d: closed: %s", t[i].line, why.msg);
			continue;
		}
		if (rc != 1 || strcmp(why.msg, t[i].why) != 0)
			fail_msg("line %d: rc %d '%s', want '%s'", t[i].line, rc, why.msg, t[i].why);
	}
}

static void test_comment(void **state)
{
	char in[MLC_COMMENT_MAX + 10], buf[MLC_COMMENT_MAX + 1];

	(void)state;
	assert_int_equal(mlc_policy_comment("looks fine", buf), 0);
	assert_string_equal(buf, "looks fine");
	assert_int_equal(mlc_policy_comment(NULL, buf), 0);
	assert_string_equal(buf, "");
	memset(in, 'a', MLC_COMMENT_MAX);
	in[MLC_COMMENT_MAX] = '\0';
	assert_int_equal(mlc_policy_comment(in, buf), 0); /* exactly the most */
	assert_int_equal(strlen(buf), MLC_COMMENT_MAX);
	/* a two-byte character across the limit is left out whole */
	memset(in, 'a', MLC_COMMENT_MAX - 1);
	strcpy(in + MLC_COMMENT_MAX - 1, "\xc3\xa9zz");
	assert_int_equal(mlc_policy_comment(in, buf), 1);
	assert_int_equal(strlen(buf), MLC_COMMENT_MAX - 1);
}

static void test_said(void **state)
{
	struct mlc_outcome out = {0};

	(void)state;
	mlc_said_deployed(&out, "m", 3, "dev", 0);
	assert_string_equal(out.summary, "deployed m 3 to dev (was none)");
	assert_true(out.deployed);
	mlc_said_deployed(&out, "m", 3, "dev", 2);
	assert_string_equal(out.summary, "deployed m 3 to dev (was 2)");
	mlc_said_rolled_back(&out, "m", "dev", 3, 2);
	assert_string_equal(out.summary, "rolled m in dev back from 3 to 2");
	assert_true(out.deployed);
	mlc_said_requested(&out, 4, "promote", "m", 3, "prod");
	assert_string_equal(out.summary, "request 4: deploy m 3 in prod");
	assert_int_equal(out.request_id, 4);
	assert_false(out.deployed);
	mlc_said_requested(&out, 4, "rollback", "m", 2, "prod");
	assert_string_equal(out.summary, "request 4: roll back to m 2 in prod");
	mlc_said_comment_cut(&out, 0);
	assert_string_equal(out.summary, "request 4: roll back to m 2 in prod");
	mlc_said_comment_cut(&out, 1);
	assert_string_equal(out.summary,
			    "request 4: roll back to m 2 in prod; your comment was cut to 1000 bytes");
	mlc_said_counted(&out, 4, 1, 2);
	assert_string_equal(out.summary, "request 4: 1 of 2 approvals");
	mlc_said_rejected(&out, 4, "bob");
	assert_string_equal(out.summary, "request 4 rejected by bob");
	mlc_said_approved(&out, 4, 1, "m", 3, "prod");
	assert_string_equal(out.summary, "request 4 approved: m 3 is live in prod");
	assert_true(out.deployed);
	mlc_said_approved(&out, 4, 0, "m", 3, "prod");
	assert_false(out.deployed);
	mlc_said_closed(&out, 4, "the version is already live");
	assert_string_equal(out.summary, "request 4 closed: the version is already live");
	mlc_said_cancelled(&out, 4);
	assert_string_equal(out.summary, "request 4 cancelled");
	assert_null(out.note);
	mlc_outcome_note(&out, "%s", "m:3:prod");
	assert_string_equal(out.note, "m:3:prod");
	arena_free(&out.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_history),
	    cmocka_unit_test(test_deploy),
	    cmocka_unit_test(test_rollback),
	    cmocka_unit_test(test_rollback_version),
	    cmocka_unit_test(test_external),
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_votes),
	    cmocka_unit_test(test_counting),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_complete),
	    cmocka_unit_test(test_comment),
	    cmocka_unit_test(test_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
