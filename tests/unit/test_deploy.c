/* test_deploy.c: the policy engine of the local registry — deploys, the
 * rollback rule, requests, votes, supersession, eligibility, cancellation and
 * the audit trail, each rule one test, on a real SQLite file. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "registry.h"
#include "testutil.h"

static char path[64];

/* Set one environment's policy. */
static void env(struct registry *r, const char *name, int order, int required,
		const char *approvers, int previous, int rollback_approval)
{
	struct mlc_env_change c = {.name = name,
				   .have_order = 1,
				   .order = order,
				   .have_required = 1,
				   .required_approvals = required,
				   .have_approvers = approvers != NULL,
				   .approvers = approvers,
				   .have_previous = 1,
				   .require_previous = previous,
				   .have_rollback = 1,
				   .rollback_approval = rollback_approval};
	struct mlc_error err = {0};

	assert_int_equal(registry_env_set(r, &c, "admin", NULL, &err), 0);
}

/* A fresh registry: model m with versions 1-5 (5 archived), dev < staging < prod. */
static int setup(void **state)
{
	struct registry *r;
	int fd;

	snprintf(path, sizeof path, "/tmp/mlc-deploy-XXXXXX");
	fd = mkstemp(path);
	close(fd);
	unlink(path);
	r = tu_open(path, 1);
	registry_close(r);
	tu_exec_at(path, "INSERT INTO registered_models VALUES (1, 'm', '', 1, 1);"
			 "INSERT INTO model_versions (model_id, version, stage, creation_time, "
			 "last_updated_time)"
			 " VALUES "
			 "(1,1,'None',1,1),(1,2,'None',1,1),(1,3,'None',1,1),(1,4,'None',1,1),(1,5,"
			 "'Archived',1,1);");
	r = tu_open(path, 1);
	env(r, "dev", 1, 0, NULL, 0, 0);
	env(r, "staging", 2, 0, NULL, 1, 0);
	env(r, "prod", 3, 2, "a,b,c", 1, 0);
	registry_close(r);
	*state = tu_open(path, 1);
	return 0;
}

static int teardown(void **state)
{
	char p[80];

	registry_close(*state);
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	return 0;
}

/* The version live in env ("" when none). */
static const char *live(struct registry *r, const char *envname)
{
	static char v[32];
	struct mlc_live_list l = {0};
	struct mlc_event_list h = {0};
	struct mlc_error err = {0};

	v[0] = '\0';
	assert_int_equal(registry_deployments(r, "m", envname, &l, &h, &err), 0);
	if (l.n)
		snprintf(v, sizeof v, "%s", l.items[0].version);
	MLC_LIST_FREE(&l);
	MLC_LIST_FREE(&h);
	return v;
}

/* Deploy and expect success. */
static void deploy_ok(struct registry *r, const char *version, const char *envname)
{
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	if (registry_deploy(r, "m", version, envname, "alice", &out, &err) != 0)
		fprintf(stderr, "%s\n", err.msg);
	assert_true(out.deployed);
	arena_free(&out.arena);
}

/* Roll back and return the version now live. */
static const char *rollback(struct registry *r, const char *envname, const char *to)
{
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_rollback(r, "m", envname, to, "bob", &out, &err), 0);
	arena_free(&out.arena);
	return live(r, envname);
}

/* Open a request and return its id. */
static int64_t request(struct registry *r, const char *version, const char *envname, const char *by)
{
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	int64_t id;

	if (registry_request(r, "m", version, envname, "promote", "", by, &out, &err) != 0)
		fprintf(stderr, "%s\n", err.msg);
	id = out.request_id;
	arena_free(&out.arena);
	assert_true(id > 0);
	return id;
}

/* Vote; returns the call's status, err->msg on failure. */
static int vote(struct registry *r, int64_t id, const char *decision, const char *by,
		struct mlc_error *err)
{
	struct mlc_outcome out = {0};
	int rc = registry_vote(r, id, decision, "", by, &out, err);

	arena_free(&out.arena);
	return rc;
}

/* The state of request id. */
static const char *state_of(struct registry *r, int64_t id, char *reason, size_t len)
{
	static char st[32];
	struct mlc_request_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_requests(r, REQ_ALL, id, &l, &err), 0);
	snprintf(st, sizeof st, "%s", l.items[0].state);
	if (reason)
		snprintf(reason, len, "%s", l.items[0].close_reason);
	MLC_LIST_FREE(&l);
	return st;
}

static void test_deploy_sets_the_alias_and_history(void **state)
{
	struct registry *r = *state;

	deploy_ok(r, "1", "dev");
	assert_string_equal(live(r, "dev"), "1");
}

static void test_deploying_the_live_version_again_is_refused(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	deploy_ok(r, "1", "dev");
	assert_int_equal(registry_deploy(r, "m", "1", "dev", "alice", &out, &err), -1);
	assert_non_null(strstr(err.msg, "already live"));
	arena_free(&out.arena);
}

static void test_a_deploy_that_needs_approval_is_refused_naming_the_policy(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_deploy(r, "m", "1", "prod", "alice", &out, &err), -1);
	assert_non_null(strstr(err.msg, "policy of environment 'prod'"));
	assert_non_null(strstr(err.msg, "2 approvals"));
	assert_string_equal(live(r, "prod"), "");
}

static void test_require_previous_wants_the_version_live_one_step_before(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_deploy(r, "m", "2", "staging", "alice", &out, &err), -1);
	assert_non_null(strstr(err.msg, "live in 'dev' first"));
	deploy_ok(r, "2", "dev");
	deploy_ok(r, "2", "staging");
	arena_free(&out.arena);
}

static void test_an_archived_version_is_not_deployed(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_deploy(r, "m", "5", "dev", "alice", &out, &err), -1);
	assert_non_null(strstr(err.msg, "archived"));
}

static void test_no_request_for_a_version_that_could_not_be_deployed(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	struct mlc_request_list l = {0};

	assert_int_equal(registry_request(r, "m", "5", "dev", "promote", "", "a", &out, &err), -1);
	assert_non_null(strstr(err.msg, "archived"));
	assert_int_equal(registry_request(r, "m", "9", "dev", "promote", "", "a", &out, &err), -1);
	assert_non_null(strstr(err.msg, "no version 9"));
	assert_int_equal(registry_request(r, "m", "2", "staging", "promote", "", "a", &out, &err),
			 -1);
	assert_non_null(strstr(err.msg, "live in 'dev' first"));
	assert_int_equal(registry_requests(r, REQ_ALL, 0, &l, &err), 0);
	assert_int_equal(l.n, 0);
	MLC_LIST_FREE(&l);
	arena_free(&out.arena);
}

static void test_rollback_walks_back_and_never_forward(void **state)
{
	struct registry *r = *state;

	deploy_ok(r, "1", "dev");
	deploy_ok(r, "2", "dev");
	deploy_ok(r, "3", "dev");
	assert_string_equal(rollback(r, "dev", NULL), "2");
	assert_string_equal(rollback(r, "dev", NULL), "1");
	deploy_ok(r, "4", "dev");
	/* 3 and 2 were rolled back from: the rule skips them. */
	assert_string_equal(rollback(r, "dev", NULL), "1");
}

static void test_rollback_to_a_named_version_must_have_been_live(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	deploy_ok(r, "1", "dev");
	deploy_ok(r, "3", "dev");
	assert_int_equal(registry_rollback(r, "m", "dev", "2", "bob", &out, &err), -1);
	assert_non_null(strstr(err.msg, "never live in dev"));
	assert_string_equal(rollback(r, "dev", "1"), "1");
}

static void test_rollback_with_nothing_earlier_is_refused(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	deploy_ok(r, "1", "dev");
	assert_int_equal(registry_rollback(r, "m", "dev", NULL, "bob", &out, &err), -1);
	assert_non_null(strstr(err.msg, "no earlier version"));
}

static void test_the_approval_that_satisfies_the_policy_deploys(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	int64_t id;

	deploy_ok(r, "2", "dev");
	deploy_ok(r, "2", "staging");
	id = request(r, "2", "prod", "a");
	assert_int_equal(vote(r, id, "approve", "a", &err), -1);
	assert_non_null(strstr(err.msg, "self-approval"));
	assert_int_equal(vote(r, id, "approve", "dave", &err), -1);
	assert_non_null(strstr(err.msg, "not an approver"));
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	assert_string_equal(live(r, "prod"), "");
	assert_int_equal(vote(r, id, "approve", "b", &err), -1);
	assert_non_null(strstr(err.msg, "already voted"));
	assert_int_equal(vote(r, id, "approve", "c", &err), 0);
	assert_string_equal(live(r, "prod"), "2");
	assert_string_equal(state_of(r, id, NULL, 0), "approved");
}

static void test_a_rejection_closes_the_request(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	int64_t id;

	deploy_ok(r, "2", "dev");
	deploy_ok(r, "2", "staging");
	id = request(r, "2", "prod", "a");
	assert_int_equal(vote(r, id, "reject", "b", &err), 0);
	assert_string_equal(state_of(r, id, NULL, 0), "rejected");
	assert_int_equal(vote(r, id, "approve", "c", &err), -1);
	assert_non_null(strstr(err.msg, "is rejected"));
}

static void test_a_newer_request_supersedes_the_older(void **state)
{
	struct registry *r = *state;
	char reason[128];
	int64_t old, new;

	deploy_ok(r, "2", "dev");
	deploy_ok(r, "3", "dev");
	old = request(r, "2", "staging", "a");
	new = request(r, "3", "staging", "a");
	assert_string_equal(state_of(r, old, reason, sizeof reason), "closed");
	assert_non_null(strstr(reason, "superseded"));
	assert_string_equal(state_of(r, new, NULL, 0), "pending");
}

static void test_a_version_archived_while_pending_is_closed_not_deployed(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char reason[256];
	int64_t id;

	deploy_ok(r, "2", "dev");
	deploy_ok(r, "2", "staging");
	id = request(r, "2", "prod", "a");
	tu_exec_at(path, "UPDATE model_versions SET stage = 'Archived' WHERE version = 2");
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	assert_int_equal(vote(r, id, "approve", "c", &err), 0);
	assert_string_equal(state_of(r, id, reason, sizeof reason), "closed");
	assert_non_null(strstr(reason, "archived"));
	assert_string_equal(live(r, "prod"), "");
}

static void test_only_the_requester_cancels(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	int64_t id;

	deploy_ok(r, "2", "dev");
	id = request(r, "2", "staging", "a");
	assert_int_equal(registry_cancel(r, id, "b", &out, &err), -1);
	assert_non_null(strstr(err.msg, "only a"));
	assert_int_equal(registry_cancel(r, id, "a", &out, &err), 0);
	assert_string_equal(state_of(r, id, NULL, 0), "cancelled");
	arena_free(&out.arena);
}

static void test_rollback_needing_approval_goes_through_a_request(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	char target[32];
	int64_t id;

	env(r, "dev", 1, 1, "b", 0, 1);
	id = request(r, "1", "dev", "a");
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	id = request(r, "2", "dev", "a");
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	assert_string_equal(live(r, "dev"), "2");
	assert_int_equal(registry_rollback(r, "m", "dev", NULL, "a", &out, &err), -1);
	assert_non_null(strstr(err.msg, "rollback needs approval"));
	assert_int_equal(registry_rollback_target(r, "m", "dev", target, sizeof target, &err), 0);
	assert_string_equal(target, "1");
	assert_int_equal(registry_request(r, "m", NULL, "dev", "rollback", "", "a", &out, &err), 0);
	id = out.request_id;
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	assert_string_equal(live(r, "dev"), "1");
	arena_free(&out.arena);
}

static void test_every_change_is_audited_with_its_actor(void **state)
{
	struct registry *r = *state;
	struct mlc_audit_list l = {0};
	struct mlc_error err = {0};

	deploy_ok(r, "1", "dev");
	deploy_ok(r, "2", "dev");
	rollback(r, "dev", NULL);
	assert_int_equal(registry_audit(r, 3, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].action, "rollback");
	assert_string_equal(l.items[0].actor, "bob");
	assert_string_equal(l.items[0].subject, "m:1@dev");
	assert_string_equal(l.items[1].action, "deploy");
	assert_string_equal(l.items[1].actor, "alice");
	assert_string_equal(l.items[1].subject, "m:2@dev");
	MLC_LIST_FREE(&l);
}

static void test_a_read_only_registry_refuses_changes(void **state)
{
	struct registry_open_opts o = {.read_only = 1};
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	struct registry *ro = registry_open(path, &o, &err);

	assert_non_null(ro);
	assert_int_equal(registry_deploy(ro, "m", "1", "dev", "alice", &out, &err), -1);
	assert_int_equal(err.code, MLC_ERR_READONLY);
	registry_close(ro);
}

/* ---- who may change a policy (README) -------------------------------- */

/* Change prod's policy as actor (root: root acting as itself); the status,
 * the request opened (0: none) into *req, err->msg on failure. */
static int set_prod(struct registry *r, const char *actor, struct mlc_env_change c, int64_t *req,
		    struct mlc_error *err)
{
	struct mlc_outcome out = {0};
	int rc;

	c.name = c.name ? c.name : "prod";
	c.root_direct = strcmp(actor, "root") == 0;
	rc = registry_env_set(r, &c, actor, &out, err);
	*req = out.request_id;
	arena_free(&out.arena);
	return rc;
}

/* prod's required approvals as they are now. */
static int64_t prod_required(struct registry *r)
{
	struct mlc_env_list l = {0};
	struct mlc_error err = {0};
	int64_t n = -1;

	assert_int_equal(registry_env_list(r, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.items[i].name, "prod") == 0)
			n = l.items[i].required_approvals;
	MLC_LIST_FREE(&l);
	return n;
}

/* The newest audit record's detail into buf[len]; its action returned. */
static const char *last_audit(struct registry *r, char *buf, size_t len)
{
	static char action[64];
	struct mlc_audit_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_audit(r, 1, &l, &err), 0);
	snprintf(action, sizeof action, "%s", l.items[0].action);
	snprintf(buf, len, "%s", l.items[0].detail);
	MLC_LIST_FREE(&l);
	return action;
}

static void test_a_non_approver_cannot_loosen_a_policy(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	int64_t req;

	assert_int_equal(
	    set_prod(r, "dave", (struct mlc_env_change){.have_required = 1}, &req, &err), -1);
	assert_non_null(strstr(err.msg, "only its approvers (a, b, c)"));
	assert_non_null(strstr(err.msg, "dave is not one"));
	assert_int_equal(prod_required(r), 2);
	deploy_ok(r, "1", "dev");
	deploy_ok(r, "1", "staging");
	assert_int_equal(registry_deploy(r, "m", "1", "prod", "dave", &out, &err), -1);
	assert_non_null(strstr(err.msg, "2 approvals required"));
	arena_free(&out.arena);
}

static void test_a_non_approver_cannot_tighten_a_policy_either(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	int64_t req;

	assert_int_equal(
	    set_prod(r, "dave",
		     (struct mlc_env_change){.have_required = 1, .required_approvals = 3}, &req,
		     &err),
	    -1);
	assert_non_null(strstr(err.msg, "dave is not one"));
	assert_int_equal(prod_required(r), 2);
}

static void test_an_approver_tightens_directly_audited(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char detail[512];
	int64_t req;

	assert_int_equal(set_prod(r, "a",
				  (struct mlc_env_change){.have_required = 1,
							  .required_approvals = 3,
							  .have_approvers = 1,
							  .approvers = "a,b"},
				  &req, &err),
			 0);
	assert_int_equal(req, 0);
	assert_int_equal(prod_required(r), 3);
	assert_string_equal(last_audit(r, detail, sizeof detail), "policy");
	assert_non_null(strstr(detail, "required_approvals=3"));
}

static void test_root_as_itself_changes_directly_audited_as_such(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char detail[512];
	int64_t req;

	assert_int_equal(
	    set_prod(r, "root", (struct mlc_env_change){.have_required = 1}, &req, &err), 0);
	assert_int_equal(req, 0);
	assert_int_equal(prod_required(r), 0);
	assert_string_equal(last_audit(r, detail, sizeof detail), "policy");
	assert_non_null(strstr(detail, "as root, directly"));
}

static void test_each_kind_of_loosening_by_an_approver_is_a_request(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	const struct mlc_env_change loosen[] = {
	    {.have_required = 1, .required_approvals = 1},
	    {.have_approvers = 1, .approvers = "a,b,c,dave"},
	    {.have_approvers = 1, .approvers = ""},
	    {.have_self = 1, .self_approval = 1},
	    {.have_previous = 1, .require_previous = 0},
	    {.have_order = 1, .order = 0}, /* nothing before prod: require-previous moot */
	};
	int64_t req, last = 0;

	tu_exec_at(path, "UPDATE environments SET rollback_approval = 1 WHERE name = 'prod'");
	assert_int_equal(set_prod(r, "b", (struct mlc_env_change){.have_rollback = 1}, &req, &err),
			 0);
	assert_true(req > 0);
	for (size_t i = 0; i < sizeof loosen / sizeof loosen[0]; i++) {
		assert_int_equal(set_prod(r, "b", loosen[i], &req, &err), 0);
		assert_true(req > last);
		last = req;
	}
	assert_int_equal(prod_required(r), 2);
}

static void test_a_loosening_request_is_approved_under_the_current_policy(void **state)
{
	struct registry *r = *state;
	struct mlc_request_list l = {0};
	struct mlc_error err = {0};
	char detail[512];
	int64_t req;

	assert_int_equal(set_prod(r, "a", (struct mlc_env_change){.have_required = 1}, &req, &err),
			 0);
	assert_true(req > 0);
	assert_int_equal(prod_required(r), 2);
	assert_int_equal(registry_requests(r, REQ_PENDING, req, &l, &err), 0);
	assert_string_equal(l.items[0].kind, "policy");
	assert_string_equal(l.items[0].environment, "prod");
	assert_non_null(strstr(l.items[0].change, "required approvals 2 -> 0"));
	MLC_LIST_FREE(&l);
	assert_int_equal(vote(r, req, "approve", "a", &err), -1);
	assert_non_null(strstr(err.msg, "self-approval"));
	assert_int_equal(vote(r, req, "approve", "dave", &err), -1);
	assert_non_null(strstr(err.msg, "not an approver"));
	assert_int_equal(vote(r, req, "approve", "b", &err), 0);
	assert_int_equal(prod_required(r), 2);
	assert_string_equal(state_of(r, req, NULL, 0), "pending");
	assert_int_equal(vote(r, req, "approve", "c", &err), 0);
	assert_int_equal(prod_required(r), 0);
	assert_string_equal(state_of(r, req, NULL, 0), "approved");
	assert_string_equal(last_audit(r, detail, sizeof detail), "policy");
	assert_non_null(strstr(detail, "approved"));
}

static void test_a_loosening_request_can_be_rejected_or_cancelled(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	int64_t one, two;

	assert_int_equal(set_prod(r, "a",
				  (struct mlc_env_change){.have_self = 1, .self_approval = 1}, &one,
				  &err),
			 0);
	assert_int_equal(vote(r, one, "reject", "b", &err), 0);
	assert_string_equal(state_of(r, one, NULL, 0), "rejected");
	assert_int_equal(set_prod(r, "a",
				  (struct mlc_env_change){.have_self = 1, .self_approval = 1}, &two,
				  &err),
			 0);
	assert_int_equal(registry_cancel(r, two, "b", &out, &err), -1);
	assert_int_equal(registry_cancel(r, two, "a", &out, &err), 0);
	assert_string_equal(state_of(r, two, NULL, 0), "cancelled");
	arena_free(&out.arena);
	assert_int_equal(vote(r, two, "approve", "b", &err), -1);
}

static void test_requests_of_both_kinds_share_one_numbering(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	int64_t promote, policy, again;

	deploy_ok(r, "1", "dev");
	deploy_ok(r, "1", "staging");
	promote = request(r, "1", "prod", "dave");
	assert_int_equal(
	    set_prod(r, "a", (struct mlc_env_change){.have_required = 1, .required_approvals = 1},
		     &policy, &err),
	    0);
	again = request(r, "2", "dev", "dave"); /* dev needs none, but a request may be asked */
	assert_true(promote < policy && policy < again);
	assert_int_equal(vote(r, promote, "approve", "b", &err), 0);
	assert_string_equal(state_of(r, promote, NULL, 0), "pending");
	assert_string_equal(state_of(r, policy, NULL, 0), "pending");
}

static void test_moving_what_comes_before_a_guarded_environment_is_refused(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	int64_t req;

	/* staging has no approvers, but it is what prod requires first */
	assert_int_equal(
	    set_prod(r, "dave",
		     (struct mlc_env_change){.name = "staging", .have_order = 1, .order = 9}, &req,
		     &err),
	    -1);
	assert_non_null(strstr(err.msg, "comes before 'prod'"));
	/* a new environment slipped in just before prod, likewise */
	assert_int_equal(
	    set_prod(r, "dave", (struct mlc_env_change){.name = "qa", .have_order = 1, .order = 2},
		     &req, &err),
	    -1);
	/* a new one at the end is free, and root as itself may reorder */
	assert_int_equal(set_prod(r, "dave", (struct mlc_env_change){.name = "qa"}, &req, &err), 0);
	assert_int_equal(
	    set_prod(r, "root",
		     (struct mlc_env_change){.name = "staging", .have_order = 1, .order = 9}, &req,
		     &err),
	    0);
}

/* The change text of request id into buf[len]. */
static const char *change_of(struct registry *r, int64_t id, char *buf, size_t len)
{
	struct mlc_request_list l = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_requests(r, REQ_ALL, id, &l, &err), 0);
	snprintf(buf, len, "%s", l.items[0].change);
	MLC_LIST_FREE(&l);
	return buf;
}

/* prod's approvers as a comma list into buf[len]. */
static const char *prod_approvers(struct registry *r, char *buf, size_t len)
{
	struct mlc_env_list l = {0};
	struct mlc_error err = {0};

	buf[0] = '\0';
	assert_int_equal(registry_env_list(r, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		for (size_t k = 0;
		     strcmp(l.items[i].name, "prod") == 0 && k < l.items[i].n_approvers; k++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", k ? "," : "",
				 l.items[i].approvers[k]);
	MLC_LIST_FREE(&l);
	return buf;
}

static void test_a_policy_request_shows_every_field_it_changes(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char change[512];
	int64_t req;

	assert_int_equal(set_prod(r, "a",
				  (struct mlc_env_change){.have_required = 1,
							  .required_approvals = 1,
							  .have_approvers = 1,
							  .approvers = "a"},
				  &req, &err),
			 0);
	assert_true(req > 0);
	change_of(r, req, change, sizeof change);
	assert_non_null(strstr(change, "required approvals 2 -> 1 (loosens)"));
	assert_non_null(strstr(change, "approvers a,b,c -> a"));
}

static void test_a_request_whose_order_now_moves_what_comes_before_is_closed(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char reason[1024];
	int64_t req, none;

	assert_int_equal(
	    set_prod(r, "a",
		     (struct mlc_env_change){
			 .have_required = 1, .required_approvals = 1, .have_order = 1, .order = 5},
		     &req, &err),
	    0);
	/* qa after prod: free now, but once prod moves to 5 it is what comes before */
	assert_int_equal(
	    set_prod(r, "dave", (struct mlc_env_change){.name = "qa", .have_order = 1, .order = 4},
		     &none, &err),
	    0);
	assert_int_equal(vote(r, req, "approve", "b", &err), 0);
	assert_int_equal(vote(r, req, "approve", "c", &err), 0);
	assert_string_equal(state_of(r, req, reason, sizeof reason), "closed");
	assert_non_null(strstr(reason, "no longer"));
	assert_int_equal(prod_required(r), 2);
}

static void test_a_request_against_a_policy_changed_since_is_closed(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char reason[1024], who[256];
	int64_t req, none;

	assert_int_equal(set_prod(r, "a",
				  (struct mlc_env_change){.have_required = 1,
							  .required_approvals = 1,
							  .have_approvers = 1,
							  .approvers = "a,b,c"},
				  &req, &err),
			 0);
	assert_int_equal(
	    set_prod(r, "root",
		     (struct mlc_env_change){.have_approvers = 1, .approvers = "a,b,c,d"}, &none,
		     &err),
	    0);
	assert_int_equal(vote(r, req, "approve", "b", &err), 0);
	assert_int_equal(vote(r, req, "approve", "c", &err), 0);
	assert_string_equal(state_of(r, req, reason, sizeof reason), "closed");
	assert_int_equal(prod_required(r), 2);
	assert_string_equal(prod_approvers(r, who, sizeof who), "a,b,c,d");
}

static void test_approver_names_are_trimmed_on_both_sides(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char who[256];
	int64_t req;

	assert_int_equal(
	    set_prod(r, "a", (struct mlc_env_change){.have_approvers = 1, .approvers = " a, b ,c "},
		     &req, &err),
	    0);
	assert_int_equal(req, 0);
	assert_string_equal(prod_approvers(r, who, sizeof who), "a,b,c");
}

static void test_ties_of_long_names_are_compared_whole(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	char name[6][64];
	int64_t req;

	/* five environments of 60 characters tied just before prod */
	for (int i = 0; i < 6; i++)
		snprintf(name[i], sizeof name[i], "%058d-%d", 0, i + 1);
	assert_int_equal(
	    set_prod(r, "root",
		     (struct mlc_env_change){.name = "prod", .have_order = 1, .order = 9}, &req,
		     &err),
	    0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(
		    set_prod(r, "root",
			     (struct mlc_env_change){.name = name[i], .have_order = 1, .order = 8},
			     &req, &err),
		    0);
	/* a sixth one joining the tie changes what comes before prod */
	assert_int_equal(
	    set_prod(r, "dave",
		     (struct mlc_env_change){.name = name[5], .have_order = 1, .order = 8}, &req,
		     &err),
	    -1);
	assert_non_null(strstr(err.msg, "comes before 'prod'"));
}

/* m's history in envname, newest first: "ACTION V<-P BY; ..." (static). */
static const char *history(struct registry *r, const char *envname)
{
	static char s[1024];
	struct mlc_live_list l = {0};
	struct mlc_event_list h = {0};
	struct mlc_error err = {0};
	size_t n = 0;

	s[0] = '\0';
	assert_int_equal(registry_deployments(r, "m", envname, &l, &h, &err), 0);
	for (size_t i = 0; i < h.n; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "%s%s %s<-%s %s", i ? "; " : "",
				      h.items[i].action, h.items[i].version,
				      h.items[i].previous_version, h.items[i].by);
	MLC_LIST_FREE(&l);
	MLC_LIST_FREE(&h);
	return s;
}

/* Who the deployments view says made m's live version in envname live. */
static const char *live_by(struct registry *r, const char *envname)
{
	static char by[64];
	struct mlc_live_list l = {0};
	struct mlc_event_list h = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_deployments(r, "m", envname, &l, &h, &err), 0);
	assert_int_equal(l.n, 1);
	snprintf(by, sizeof by, "%s", l.items[0].by);
	MLC_LIST_FREE(&l);
	MLC_LIST_FREE(&h);
	return by;
}

static void test_an_alias_moved_by_another_client_is_recorded_as_external(void **state)
{
	struct registry *r = *state;
	struct mlc_audit_list l = {0};
	struct mlc_error err = {0};

	deploy_ok(r, "1", "dev");
	deploy_ok(r, "2", "dev");
	deploy_ok(r, "3", "dev");
	tu_exec_at(path, "UPDATE model_aliases SET version = 1 WHERE alias = 'dev'");
	/* a read says so, and writes nothing */
	assert_string_equal(live_by(r, "dev"), "external");
	assert_string_equal(history(r, "dev"),
			    "deploy 3<-2 alice; deploy 2<-1 alice; deploy 1<- alice");
	/* the rollback records the move first, and does not go back onto the
	 * version it moved off (3): it walks back to 2 */
	assert_string_equal(rollback(r, "dev", NULL), "2");
	assert_string_equal(history(r, "dev"),
			    "rollback 2<-1 bob; external 1<-3 external; "
			    "deploy 3<-2 alice; deploy 2<-1 alice; deploy 1<- alice");
	assert_int_equal(registry_audit(r, 2, &l, &err), 0);
	assert_string_equal(l.items[0].actor, "bob");
	assert_string_equal(l.items[0].detail, "from version 1");
	assert_string_equal(l.items[1].actor, "external");
	assert_string_equal(l.items[1].action, "external");
	assert_string_equal(l.items[1].subject, "m:1@dev");
	assert_non_null(strstr(l.items[1].detail, "from version 3"));
	MLC_LIST_FREE(&l);
	assert_string_equal(live_by(r, "dev"), "bob");
}

static void test_requests_and_the_deciding_vote_record_external_moves(void **state)
{
	struct registry *r = *state;
	struct mlc_error err = {0};
	int64_t id;

	env(r, "dev", 1, 1, "b", 0, 0);
	id = request(r, "1", "dev", "a");
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	tu_exec_at(path, "UPDATE model_aliases SET version = 2 WHERE alias = 'dev'");
	id = request(r, "3", "dev", "a");
	assert_string_equal(history(r, "dev"), "external 2<-1 external; deploy 1<- b");
	tu_exec_at(path, "UPDATE model_aliases SET version = 4 WHERE alias = 'dev'");
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	assert_string_equal(history(r, "dev"), "deploy 3<-4 b; external 4<-2 external; "
					       "external 2<-1 external; deploy 1<- b");
	/* a refused change writes nothing, not even the move it saw */
	tu_exec_at(path, "UPDATE model_aliases SET version = 1 WHERE alias = 'dev'");
	assert_int_equal(request(r, "2", "dev", "a") > 0, 1);
	assert_int_equal(registry_request(r, "m", "2", "dev", "promote", "", "a",
					  &(struct mlc_outcome){0}, &err),
			 -1);
	assert_non_null(strstr(err.msg, "already pending"));
	assert_string_equal(history(r, "dev"), "external 1<-3 external; deploy 3<-4 b; "
					       "external 4<-2 external; external 2<-1 external; "
					       "deploy 1<- b");
}

static void test_a_rollback_request_replaces_a_pending_promote_of_that_version(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	char reason[128], want[64];
	int64_t id, promote;

	env(r, "dev", 1, 1, "b", 0, 0);
	id = request(r, "1", "dev", "a");
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	id = request(r, "2", "dev", "a");
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	promote = request(r, "1", "dev", "a");
	assert_int_equal(registry_request(r, "m", NULL, "dev", "rollback", "", "c", &out, &err), 0);
	id = out.request_id;
	snprintf(want, sizeof want, "request %lld: roll back to m 1 in dev", (long long)id);
	assert_string_equal(out.summary, want);
	assert_string_equal(state_of(r, promote, reason, sizeof reason), "closed");
	snprintf(want, sizeof want, "superseded by request %lld", (long long)id);
	assert_string_equal(reason, want);
	assert_int_equal(vote(r, id, "approve", "b", &err), 0);
	assert_string_equal(live(r, "dev"), "1");
	arena_free(&out.arena);
}

static void test_a_long_comment_is_cut_and_the_outcome_says_so(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_request_list l = {0};
	struct mlc_error err = {0};
	char comment[1500], want[128];
	int64_t id;

	memset(comment, 'x', sizeof comment - 1);
	comment[sizeof comment - 1] = '\0';
	deploy_ok(r, "2", "dev");
	assert_int_equal(
	    registry_request(r, "m", "2", "staging", "promote", comment, "a", &out, &err), 0);
	id = out.request_id;
	assert_non_null(strstr(out.summary, "; your comment was cut to 1000 bytes"));
	arena_free(&out.arena);
	out = (struct mlc_outcome){0};
	env(r, "staging", 2, 2, NULL, 1, 0);
	assert_int_equal(registry_vote(r, id, "approve", comment, "b", &out, &err), 0);
	snprintf(want, sizeof want,
		 "request %lld: 1 of 2 approvals; your comment was cut to 1000 bytes",
		 (long long)id);
	assert_string_equal(out.summary, want);
	arena_free(&out.arena);
	assert_int_equal(registry_requests(r, REQ_ALL, id, &l, &err), 0);
	assert_int_equal(strlen(l.items[0].comment), 1000);
	assert_int_equal(strlen(l.items[0].votes[0].comment), 1000);
	MLC_LIST_FREE(&l);
}

static void test_a_deploy_says_what_was_live(void **state)
{
	struct registry *r = *state;
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_deploy(r, "m", "1", "dev", "alice", &out, &err), 0);
	assert_string_equal(out.summary, "deployed m 1 to dev (was none)");
	assert_int_equal(registry_deploy(r, "m", "2", "dev", "alice", &out, &err), 0);
	assert_string_equal(out.summary, "deployed m 2 to dev (was 1)");
	assert_int_equal(registry_rollback(r, "m", "dev", NULL, "bob", &out, &err), 0);
	assert_int_equal(registry_rollback(r, "m", "dev", NULL, "bob", &out, &err), -1);
	assert_string_equal(err.msg, "m in dev: no earlier version to roll back to (none that was "
				     "not itself rolled back from); choose one with --to VERSION "
				     "(see 'mlconsole deployments m')");
	arena_free(&out.arena);
}

/* A registry made before external moves were recorded (schema 3: the
 * deployments table's check allowed only deploy and rollback) is upgraded
 * on open and records them. */
static void test_an_older_registry_upgrades_and_records_external_moves(void **state)
{
	struct registry *r = *state;

	deploy_ok(r, "1", "dev");
	registry_close(r);
	tu_exec_at(path, "PRAGMA writable_schema = ON;"
			 "UPDATE sqlite_master SET sql = replace(sql, ',''external''', '')"
			 " WHERE name = 'deployments';"
			 "PRAGMA writable_schema = OFF; PRAGMA user_version = 3");
	*state = r = tu_open(path, 1);
	tu_exec_at(path, "UPDATE model_aliases SET version = 2 WHERE alias = 'dev'");
	deploy_ok(r, "3", "dev");
	assert_string_equal(history(r, "dev"),
			    "deploy 3<-2 alice; external 2<-1 external; deploy 1<- alice");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_deploy_sets_the_alias_and_history),
	    T(test_deploying_the_live_version_again_is_refused),
	    T(test_a_deploy_that_needs_approval_is_refused_naming_the_policy),
	    T(test_require_previous_wants_the_version_live_one_step_before),
	    T(test_an_archived_version_is_not_deployed),
	    T(test_no_request_for_a_version_that_could_not_be_deployed),
	    T(test_rollback_walks_back_and_never_forward),
	    T(test_rollback_to_a_named_version_must_have_been_live),
	    T(test_rollback_with_nothing_earlier_is_refused),
	    T(test_the_approval_that_satisfies_the_policy_deploys),
	    T(test_a_rejection_closes_the_request),
	    T(test_a_newer_request_supersedes_the_older),
	    T(test_a_version_archived_while_pending_is_closed_not_deployed),
	    T(test_only_the_requester_cancels),
	    T(test_rollback_needing_approval_goes_through_a_request),
	    T(test_every_change_is_audited_with_its_actor),
	    T(test_a_read_only_registry_refuses_changes),
	    T(test_a_non_approver_cannot_loosen_a_policy),
	    T(test_a_non_approver_cannot_tighten_a_policy_either),
	    T(test_an_approver_tightens_directly_audited),
	    T(test_root_as_itself_changes_directly_audited_as_such),
	    T(test_each_kind_of_loosening_by_an_approver_is_a_request),
	    T(test_a_loosening_request_is_approved_under_the_current_policy),
	    T(test_a_loosening_request_can_be_rejected_or_cancelled),
	    T(test_a_policy_request_shows_every_field_it_changes),
	    T(test_a_request_whose_order_now_moves_what_comes_before_is_closed),
	    T(test_a_request_against_a_policy_changed_since_is_closed),
	    T(test_approver_names_are_trimmed_on_both_sides),
	    T(test_ties_of_long_names_are_compared_whole),
	    T(test_requests_of_both_kinds_share_one_numbering),
	    T(test_moving_what_comes_before_a_guarded_environment_is_refused),
	    T(test_an_alias_moved_by_another_client_is_recorded_as_external),
	    T(test_requests_and_the_deciding_vote_record_external_moves),
	    T(test_a_rollback_request_replaces_a_pending_promote_of_that_version),
	    T(test_a_long_comment_is_cut_and_the_outcome_says_so),
	    T(test_a_deploy_says_what_was_live),
	    T(test_an_older_registry_upgrades_and_records_external_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
