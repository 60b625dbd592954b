/* test_conformance.c: one table of policy scenarios (every policy rule)
 * run against every backend that can write — the local registry on
 * a real SQLite file, the REST backend against tests/remote/fixture.py — with
 * the same expected outcomes and the same messages (core/policy.c's words).
 * It is the referee of the backends: per backend it prints which scenarios
 * passed, and where two backends said different things, the step and both. */
#include "config.h"
#include <curl/curl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>
#include "fixture_client.h"
#include "testutil.h"
#include "registry.h"
#include "strbuf.h"

#define M "fraud-detector"
#define MAX_STEPS 40
#define SLOTS 8

/* ---- the table -------------------------------------------------------------- *
 * A scenario is a list of steps on a registry that starts like the fixture's
 * seed: model fraud-detector, versions 1 (Archived), 2 (Production), 3
 * (Staging), aliases champion=2 and challenger=3, no environment.
 *
 * want: what the step must say, "#K" standing for the id of the request opened
 * in slot K. For a call: its outcome's summary when it succeeds, "!" and the
 * error message when it is refused. For a check: the state it reads (see each
 * macro). NULL: anything. */

enum op {
	OP_END = 0,
	OP_ENV,	      /* set env's policy (root acting as itself: directly) */
	OP_ENV_AS,    /* who sets env's required approvals (a request into slot when it loosens) */
	OP_DEPLOY,    /* deploy v to env as who */
	OP_ROLLBACK,  /* roll env back (v: --to, NULL: the rule) as who */
	OP_TARGET,    /* where a rollback of env goes: want the version or "!error" */
	OP_REQUEST,   /* open a request (arg: kind) for v (rollback: --to) into slot */
	OP_VOTE,      /* vote arg ("approve"/"reject") on slot's request as who */
	OP_CANCEL,    /* cancel slot's request as who */
	OP_STATE,     /* slot's request state, "STATE" or "STATE: close reason" */
	OP_VOTES,     /* slot's votes, "by decision, ..." sorted by voter */
	OP_LIVE,      /* the version live in env, "none" ("V by WHO": and by whom) */
	OP_HISTORY,   /* env's history, "ACTION V was PREV by WHO | ..." (fnmatch) */
	OP_STAGE,     /* another client sets v's MLflow stage to arg */
	OP_DELETE,    /* another client deletes version v (and its aliases) */
	OP_MOVE,      /* another client points alias env at v */
	OP_VERSIONS,  /* versions 1..v exist (setup) */
	OP_RACE_VOTE, /* who and who2 approve slot's request at once, two handles */
	OP_RACE_DEPLOY, /* who and who2 deploy v to env at once, two handles */
};

struct step {
	enum op op;
	const char *env, *v, *who, *arg, *want;
	int slot;		  /* request slot 1..SLOTS; negative: the literal id -slot */
	const char *who2, *want2; /* races: the second actor; the other message */
	int64_t n[5];		  /* OP_ENV: order, required, self, rollback, previous */
	int glob;		  /* want and want2 are fnmatch patterns */
	/* What a backend whose store deletes a version's tags with the version
	 * (MLflow: the request and its votes are that version's tags) says
	 * instead of want once the version is gone; NULL: the same. */
	const char *gone;
};

struct scenario {
	const char *name;
	struct step steps[MAX_STEPS];
};

/* clang-format off */
#define ENV(e, ord, req, appr, self, rb, prev) \
	{.op = OP_ENV, .env = e, .arg = appr, .n = {ord, req, self, rb, prev}}
#define SET_REQUIRED(k, e, by, req, w) \
	{.op = OP_ENV_AS, .slot = k, .env = e, .who = by, .n = {0, req}, .want = w}
#define DEPLOY(ver, e, by, w) {.op = OP_DEPLOY, .v = ver, .env = e, .who = by, .want = w}
#define ROLLBACK(e, to, by, w) {.op = OP_ROLLBACK, .v = to, .env = e, .who = by, .want = w}
#define TARGET(e, w) {.op = OP_TARGET, .env = e, .want = w}
#define REQUEST(k, ver, e, by, w) \
	{.op = OP_REQUEST, .slot = k, .v = ver, .env = e, .who = by, .arg = "promote", .want = w}
#define REQUEST_ROLLBACK(k, to, e, by, w) \
	{.op = OP_REQUEST, .slot = k, .v = to, .env = e, .who = by, .arg = "rollback", .want = w}
#define APPROVE(k, by, w) {.op = OP_VOTE, .slot = k, .who = by, .arg = "approve", .want = w}
#define REJECT(k, by, w) {.op = OP_VOTE, .slot = k, .who = by, .arg = "reject", .want = w}
/* an approval with a comment over MLC_COMMENT_MAX bytes */
#define APPROVE_LONG(k, by, w) \
	{.op = OP_VOTE, .slot = k, .who = by, .arg = "approve", .v = "long", .want = w}
#define CANCEL(k, by, w) {.op = OP_CANCEL, .slot = k, .who = by, .want = w}
#define STATE(k, w) {.op = OP_STATE, .slot = k, .want = w}
#define VOTES(k, w) {.op = OP_VOTES, .slot = k, .want = w}
#define LIVE(e, w) {.op = OP_LIVE, .env = e, .want = w}
#define HISTORY(e, w) {.op = OP_HISTORY, .env = e, .want = w}
#define ARCHIVE(ver) {.op = OP_STAGE, .v = ver, .arg = "Archived"}
#define RESTORE(ver) {.op = OP_STAGE, .v = ver, .arg = "None"}
#define DELETE_VERSION(ver) {.op = OP_DELETE, .v = ver}
#define MOVE_ALIAS(e, ver) {.op = OP_MOVE, .env = e, .v = ver}
#define VERSIONS(ver) {.op = OP_VERSIONS, .v = ver}
/* The count the other racer reports is what its console saw: 1 where the
 * store serialises the two votes (SQLite), 1 or 2 where both are written
 * before either counts (MLflow has no transactions; the note names the
 * console that claimed the deployment). Either way exactly one deploys. */
#define RACE_APPROVE(k, a, b, w1, w2) \
	{.op = OP_RACE_VOTE, .slot = k, .who = a, .who2 = b, .want = w1, .want2 = w2, .glob = 1}
/* A vote, and a state, that say g instead of w where the request went with
 * its deleted version (MLflow deletes a version's tags with it). */
#define APPROVE_GONE(k, by, w, g) \
	{.op = OP_VOTE, .slot = k, .who = by, .arg = "approve", .want = w, .gone = g}
#define STATE_GONE(k, w, g) {.op = OP_STATE, .slot = k, .want = w, .gone = g}

#define RACE_DEPLOY(ver, e, a, b, w1, w2) \
	{.op = OP_RACE_DEPLOY, .v = ver, .env = e, .who = a, .who2 = b, .want = w1, .want2 = w2}
/* clang-format on */

/* The messages, as core/policy.c writes them. */
#define APPROVALS_REQUIRED(v, e, k)                                                                \
	"!deploy " M " " v " to " e ": refused by the policy of environment '" e "': " k           \
	" required (use 'mlconsole request " M " " v " --env " e "')"
#define NOT_APPROVER(k, who, e)                                                                    \
	"!request " k ": " who " is not an approver of environment '" e "' (see 'mlconsole env "   \
	"list')"
#define NO_SELF(k, who, e)                                                                         \
	"!request " k ": " who " requested it, and the policy of environment '" e "' does not "    \
	"allow self-approval"
#define NOT_PENDING(k, state) "!request " k " is " state ", not pending"
#define APPROVED(k, v, e) "request " k " approved: " M " " v " is live in " e
#define COUNTED(k, n, need) "request " k ": " n " of " need " approvals"
#define REQUESTED(k, v, e) "request " k ": deploy " M " " v " in " e
#define REQUESTED_ROLLBACK(k, v, e) "request " k ": roll back to " M " " v " in " e
#define DEPLOYED(v, e, was) "deployed " M " " v " to " e " (was " was ")"
#define ROLLED(e, from, to) "rolled " M " in " e " back from " from " to " to
#define NO_TARGET(e)                                                                               \
	"!" M " in " e ": no earlier version to roll back to (none that was not itself rolled "    \
	"back from); choose one with --to VERSION (see 'mlconsole deployments " M "')"
#define ROLLBACK_NEEDS_APPROVAL(e)                                                                 \
	"!rollback of " M " in " e ": refused by the policy of environment '" e "': rollback "     \
	"needs approval (use 'mlconsole request " M " --rollback --env " e "')"
#define PREVIOUS_FIRST(v, e, prev)                                                                 \
	"!" M " " v " to " e ": refused by the policy of environment '" e "': the version must "   \
	"have been live in '" prev "' first"
#define ARCHIVED(v) M " version " v " is archived"
#define MISSING(v) "model '" M "': no version " v
#define LOOSER "required approvals 2 -> 1 (loosens)"
#define CHOOSE_ANOTHER "; choose another with --to VERSION (see 'mlconsole deployments')"

static const struct scenario scenarios[] = {
    {"deploy without a policy; the live version again is refused",
     {ENV("production", 1, 0, NULL, 0, 0, 0),
      DEPLOY("2", "production", "alice", DEPLOYED("2", "production", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "2")),
      DEPLOY("3", "production", "alice", "!" M " 3 is already live in production"),
      LIVE("production", "3"),
      HISTORY("production", "deploy 3 was 2 by alice | deploy 2 was - by alice")}},

    {"N approvals required: refused directly, the Nth approval deploys",
     {ENV("production", 1, 2, NULL, 0, 0, 0),
      DEPLOY("3", "production", "alice", APPROVALS_REQUIRED("3", "production", "2 approvals")),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "bob", COUNTED("#1", "1", "2")), LIVE("production", "none"),
      APPROVE(1, "carol", APPROVED("#1", "3", "production")), LIVE("production", "3"),
      STATE(1, "approved"), VOTES(1, "bob approve, carol approve"),
      HISTORY("production", "deploy 3 was - by *")}},

    {"one approval required: named in the singular",
     {ENV("production", 1, 1, NULL, 0, 0, 0),
      DEPLOY("2", "production", "alice", APPROVALS_REQUIRED("2", "production", "1 approval"))}},

    {"a request for a version already pending is refused; the live version too",
     {ENV("production", 1, 1, NULL, 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      REQUEST(2, "3", "production", "bob", "!already pending as request #1"),
      APPROVE(1, "bob", APPROVED("#1", "3", "production")),
      REQUEST(2, "3", "production", "alice", "!" M " 3 is already live in production")}},

    {"approver list: a non-approver can neither approve nor reject",
     {ENV("production", 1, 1, "bob,carol", 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "dave", NOT_APPROVER("#1", "dave", "production")),
      REJECT(1, "dave", NOT_APPROVER("#1", "dave", "production")), STATE(1, "pending"),
      APPROVE(1, "bob", APPROVED("#1", "3", "production")), LIVE("production", "3")}},

    {"self-approval off: the requester's vote is refused",
     {ENV("production", 1, 1, "alice,bob", 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "alice", NO_SELF("#1", "alice", "production")), STATE(1, "pending"),
      LIVE("production", "none"), APPROVE(1, "bob", APPROVED("#1", "3", "production"))}},

    {"self-approval on: the requester's vote counts",
     {ENV("production", 1, 1, "alice,bob", 1, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "alice", APPROVED("#1", "3", "production")), LIVE("production", "3")}},

    {"a rejection closes the request",
     {ENV("production", 1, 2, NULL, 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "bob", COUNTED("#1", "1", "2")),
      REJECT(1, "carol", "request #1 rejected by carol"), STATE(1, "rejected"),
      APPROVE(1, "dave", NOT_PENDING("#1", "rejected")), LIVE("production", "none")}},

    {"cancel: by the requester only, and only while pending",
     {ENV("production", 1, 1, NULL, 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      CANCEL(1, "bob", "!request #1: only alice, who requested it, can cancel it"),
      STATE(1, "pending"), CANCEL(1, "alice", "request #1 cancelled"), STATE(1, "cancelled"),
      APPROVE(1, "bob", NOT_PENDING("#1", "cancelled")),
      CANCEL(1, "alice", NOT_PENDING("#1", "cancelled")),
      CANCEL(-99, "alice", "!request 99: not found"),
      APPROVE(-99, "bob", "!request 99: not found")}},

    {"the same user voting twice is refused",
     {ENV("production", 1, 2, NULL, 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "bob", COUNTED("#1", "1", "2")),
      APPROVE(1, "bob", "!request #1: bob has already voted"),
      REJECT(1, "bob", "!request #1: bob has already voted"), STATE(1, "pending"),
      VOTES(1, "bob approve")}},

    {"a comment over the cap is cut, and the outcome says so",
     {ENV("production", 1, 2, NULL, 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE_LONG(1, "bob", COUNTED("#1", "1", "2") "; your comment was cut to 1000 bytes"),
      VOTES(1, "bob approve")}},

    {"rollback rule: walks back, skipping versions rolled back from",
     {ENV("dev", 1, 0, NULL, 0, 0, 0), RESTORE("1"),
      DEPLOY("1", "dev", "alice", DEPLOYED("1", "dev", "none")),
      DEPLOY("2", "dev", "alice", DEPLOYED("2", "dev", "1")),
      DEPLOY("3", "dev", "alice", DEPLOYED("3", "dev", "2")), TARGET("dev", "2"),
      ROLLBACK("dev", NULL, "bob", ROLLED("dev", "3", "2")), TARGET("dev", "1"),
      ROLLBACK("dev", NULL, "bob", ROLLED("dev", "2", "1")), TARGET("dev", NO_TARGET("dev")),
      ROLLBACK("dev", NULL, "bob", NO_TARGET("dev")), LIVE("dev", "1"),
      DEPLOY("3", "dev", "alice", DEPLOYED("3", "dev", "1")),
      ROLLBACK("dev", NULL, "bob", ROLLED("dev", "3", "1")),
      HISTORY("dev", "rollback 1 was 3 by bob | deploy 3 was 1 by alice | rollback 1 was 2 by "
		     "bob | rollback 2 was 3 by bob | deploy 3 was 2 by alice | deploy 2 was 1 "
		     "by alice | deploy 1 was - by alice")}},

    {"rollback with nothing live is refused, directly or as a request",
     {ENV("dev", 1, 0, NULL, 0, 0, 0),
      ROLLBACK("dev", NULL, "bob", "!" M " is not live in dev: nothing to roll back"),
      REQUEST_ROLLBACK(1, NULL, "dev", "bob", "!" M " is not live in dev: nothing to roll back")}},

    {"rollback --to: the live version, a never-live one, not a number, then a good one",
     {ENV("dev", 1, 0, NULL, 0, 0, 0), DEPLOY("2", "dev", "alice", DEPLOYED("2", "dev", "none")),
      DEPLOY("3", "dev", "alice", DEPLOYED("3", "dev", "2")),
      ROLLBACK("dev", "3", "bob", "!" M " 3 is the live version in dev"),
      ROLLBACK("dev", "1", "bob", "!" M " 1 was never live in dev"),
      ROLLBACK("dev", "x", "bob", "!version 'x': not a version number"),
      ROLLBACK("dev", "2", "bob", ROLLED("dev", "3", "2")), LIVE("dev", "2")}},

    {"rollback to a deleted version is refused (--to and the rule)",
     {ENV("dev", 1, 0, NULL, 0, 0, 0), DEPLOY("2", "dev", "alice", DEPLOYED("2", "dev", "none")),
      DEPLOY("3", "dev", "alice", DEPLOYED("3", "dev", "2")), DELETE_VERSION("2"),
      ROLLBACK("dev", "2", "bob", "!rollback of " M " in dev to 2: " MISSING("2")),
      ROLLBACK("dev", NULL, "bob", "!rollback of " M " in dev to 2: " MISSING("2") CHOOSE_ANOTHER),
      LIVE("dev", "3")}},

    {"rollback to an archived version is allowed",
     {ENV("dev", 1, 0, NULL, 0, 0, 0), DEPLOY("2", "dev", "alice", DEPLOYED("2", "dev", "none")),
      DEPLOY("3", "dev", "alice", DEPLOYED("3", "dev", "2")), ARCHIVE("2"),
      ROLLBACK("dev", NULL, "bob", ROLLED("dev", "3", "2")), LIVE("dev", "2")}},

    {"rollback needs approval: refused directly, done by the request's approval",
     {ENV("production", 1, 0, "bob", 0, 1, 0),
      DEPLOY("2", "production", "alice", DEPLOYED("2", "production", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "2")),
      ROLLBACK("production", NULL, "alice", ROLLBACK_NEEDS_APPROVAL("production")),
      ROLLBACK("production", "2", "alice", ROLLBACK_NEEDS_APPROVAL("production")),
      REQUEST_ROLLBACK(1, NULL, "production", "alice", REQUESTED_ROLLBACK("#1", "2", "production")),
      REQUEST_ROLLBACK(2, NULL, "production", "carol", "!already pending as request #1"),
      APPROVE(1, "bob", APPROVED("#1", "2", "production")), LIVE("production", "2"),
      HISTORY("production",
	      "rollback 2 was 3 by * | deploy 3 was 2 by alice | deploy 2 was - by alice")}},

    {"rollback request --to: the live version and a never-live one are refused",
     {ENV("production", 1, 0, "bob", 0, 1, 0),
      DEPLOY("2", "production", "alice", DEPLOYED("2", "production", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "2")),
      REQUEST_ROLLBACK(1, "3", "production", "alice", "!" M " 3 is the live version in production"),
      REQUEST_ROLLBACK(1, "1", "production", "alice", "!" M " 1 was never live in production"),
      REQUEST_ROLLBACK(1, "2", "production", "alice",
		       REQUESTED_ROLLBACK("#1", "2", "production"))}},

    {"require-previous: live one environment before first",
     {ENV("staging", 1, 0, NULL, 0, 0, 0), ENV("production", 2, 0, NULL, 0, 0, 1),
      DEPLOY("3", "production", "alice", PREVIOUS_FIRST("3", "production", "staging")),
      REQUEST(1, "3", "production", "alice", PREVIOUS_FIRST("3", "production", "staging")),
      DEPLOY("3", "staging", "alice", DEPLOYED("3", "staging", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "none"))}},

    {"an archived version: deploy and request refused, restored it goes",
     {ENV("production", 1, 0, NULL, 0, 0, 0), DEPLOY("1", "production", "alice", "!" ARCHIVED("1")),
      REQUEST(1, "1", "production", "alice", "!" ARCHIVED("1")), ARCHIVE("3"),
      DEPLOY("3", "production", "alice", "!" ARCHIVED("3")), RESTORE("3"),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "none"))}},

    {"a deleted version: deploy and request refused",
     {ENV("production", 1, 0, NULL, 0, 0, 0), DELETE_VERSION("2"),
      DEPLOY("2", "production", "alice", "!" MISSING("2")),
      REQUEST(1, "2", "production", "alice", "!" MISSING("2")),
      DEPLOY("7", "production", "alice", "!" MISSING("7"))}},

    {"a version archived before the deciding vote: the request is closed with the reason",
     {ENV("production", 1, 2, NULL, 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "bob", COUNTED("#1", "1", "2")), ARCHIVE("3"),
      APPROVE(1, "carol", "request #1 closed: " ARCHIVED("3")), STATE(1, "closed: " ARCHIVED("3")),
      LIVE("production", "none")}},

    {"a version deleted before the deciding vote: the request is closed with the reason",
     {ENV("production", 1, 2, NULL, 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "bob", COUNTED("#1", "1", "2")), DELETE_VERSION("3"),
      APPROVE_GONE(1, "carol", "request #1 closed: " MISSING("3"), "!request #1: not found"),
      STATE_GONE(1, "closed: " MISSING("3"), "!request #1: not found"),
      LIVE("production", "none")}},

    {"a re-opened request: the old number refused, the new one counted afresh",
     {ENV("production", 1, 2, "bob,carol", 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      APPROVE(1, "bob", COUNTED("#1", "1", "2")), CANCEL(1, "alice", "request #1 cancelled"),
      REQUEST(2, "3", "production", "alice", REQUESTED("#2", "3", "production")),
      APPROVE(1, "carol", NOT_PENDING("#1", "cancelled")),
      APPROVE(2, "bob", COUNTED("#2", "1", "2")), STATE(1, "cancelled"),
      APPROVE(2, "carol", APPROVED("#2", "3", "production")), STATE(2, "approved"),
      VOTES(2, "bob approve, carol approve")}},

    {"a rollback request replaces a pending promote of the same version",
     {ENV("production", 1, 0, NULL, 0, 0, 0),
      DEPLOY("2", "production", "alice", DEPLOYED("2", "production", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "2")),
      ENV("production", 1, 1, "bob,carol", 0, 1, 0),
      REQUEST(1, "2", "production", "alice", REQUESTED("#1", "2", "production")),
      REQUEST_ROLLBACK(2, NULL, "production", "alice", REQUESTED_ROLLBACK("#2", "2", "production")),
      STATE(1, "closed: superseded by request #2"), STATE(2, "pending"),
      APPROVE(1, "bob", NOT_PENDING("#1", "closed")),
      APPROVE(2, "bob", APPROVED("#2", "2", "production")), LIVE("production", "2"),
      HISTORY("production",
	      "rollback 2 was 3 by bob | deploy 3 was 2 by alice | deploy 2 was - by alice")}},

    {"a newer request for another version supersedes the pending one",
     {ENV("production", 1, 1, NULL, 0, 0, 0),
      REQUEST(1, "2", "production", "alice", REQUESTED("#1", "2", "production")),
      REQUEST(2, "3", "production", "bob", REQUESTED("#2", "3", "production")),
      STATE(1, "closed: superseded by request #2"),
      APPROVE(1, "carol", NOT_PENDING("#1", "closed")),
      APPROVE(2, "carol", APPROVED("#2", "3", "production"))}},

    {"a rollback request whose target is deleted before the deciding vote is closed",
     {ENV("production", 1, 0, "bob", 0, 1, 0),
      DEPLOY("2", "production", "alice", DEPLOYED("2", "production", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "2")),
      REQUEST_ROLLBACK(1, NULL, "production", "alice", REQUESTED_ROLLBACK("#1", "2", "production")),
      DELETE_VERSION("2"),
      APPROVE_GONE(1, "bob", "request #1 closed: " MISSING("2"), "!request #1: not found"),
      STATE_GONE(1, "closed: " MISSING("2"), "!request #1: not found"), LIVE("production", "3")}},

    {"a rollback request whose target is archived before the deciding vote still rolls back",
     {ENV("production", 1, 0, "bob", 0, 1, 0),
      DEPLOY("2", "production", "alice", DEPLOYED("2", "production", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "2")),
      REQUEST_ROLLBACK(1, NULL, "production", "alice", REQUESTED_ROLLBACK("#1", "2", "production")),
      ARCHIVE("2"), APPROVE(1, "bob", APPROVED("#1", "2", "production")), LIVE("production", "2")}},

    {"require-previous does not hold a rollback back",
     {ENV("staging", 1, 0, NULL, 0, 0, 0), ENV("production", 2, 0, NULL, 0, 0, 0),
      DEPLOY("2", "production", "alice", DEPLOYED("2", "production", "none")),
      DEPLOY("3", "production", "alice", DEPLOYED("3", "production", "2")),
      ENV("production", 2, 0, NULL, 0, 0, 1),
      ROLLBACK("production", NULL, "bob", ROLLED("production", "3", "2")),
      DEPLOY("3", "production", "alice", PREVIOUS_FIRST("3", "production", "staging"))}},

    {"an unknown environment is named",
     {ENV("production", 1, 0, NULL, 0, 0, 0),
      DEPLOY("3", "qa", "alice", "!environment 'qa': not found (see 'mlconsole env list')"),
      ROLLBACK("qa", NULL, "alice", "!environment 'qa': not found (see 'mlconsole env list')"),
      REQUEST(1, "3", "qa", "alice", "!environment 'qa': not found (see 'mlconsole env list')")}},

    {"an alias moved by another client: recorded as external, skipped by the rule",
     {ENV("dev", 1, 0, NULL, 0, 0, 0), RESTORE("1"),
      DEPLOY("1", "dev", "alice", DEPLOYED("1", "dev", "none")),
      DEPLOY("2", "dev", "alice", DEPLOYED("2", "dev", "1")), MOVE_ALIAS("dev", "3"),
      LIVE("dev", "3 by external"),
      HISTORY("dev", "deploy 2 was 1 by alice | deploy 1 was - by alice"), TARGET("dev", "1"),
      ROLLBACK("dev", NULL, "bob", ROLLED("dev", "3", "1")),
      HISTORY("dev", "rollback 1 was 3 by bob | external 3 was 2 by external | deploy 2 was 1 "
		     "by alice | deploy 1 was - by alice")}},

    {"an alias moved by another client, then a deploy: the move is not the actor's",
     {ENV("dev", 1, 0, NULL, 0, 0, 0), DEPLOY("2", "dev", "alice", DEPLOYED("2", "dev", "none")),
      MOVE_ALIAS("dev", "3"), DEPLOY("2", "dev", "alice", DEPLOYED("2", "dev", "3")),
      HISTORY("dev",
	      "deploy 2 was 3 by alice | external 3 was 2 by external | deploy 2 was - by alice")}},

    {"who may change a policy: an approver; loosening is a request the current policy governs",
     {ENV("production", 1, 2, "bob,carol,dave", 0, 0, 0),
      SET_REQUIRED(1, "production", "erin", 1,
		   "!environment 'production': only its approvers (bob, carol, dave) or root "
		   "acting as itself may change its policy; erin is not one (see 'mlconsole env "
		   "list')"),
      SET_REQUIRED(1, "production", "bob", 1,
		   "request #1: change the policy of production (" LOOSER "): it loosens it, so it "
		   "needs 2 approvals under the current policy"),
      APPROVE(1, "bob", NO_SELF("#1", "bob", "production")),
      APPROVE(1, "carol", COUNTED("#1", "1", "2")),
      APPROVE(1, "dave", "request #1 approved: the policy of production changed (" LOOSER ")"),
      DEPLOY("3", "production", "alice", APPROVALS_REQUIRED("3", "production", "1 approval")),
      SET_REQUIRED(2, "production", "carol", 3,
		   "environment production: policy saved (required approvals 1 -> 3)"),
      DEPLOY("3", "production", "alice", APPROVALS_REQUIRED("3", "production", "3 approvals"))}},

    {"concurrent approvals: both recorded, exactly one deployment",
     {ENV("production", 1, 2, "bob,carol", 0, 0, 0),
      REQUEST(1, "3", "production", "alice", REQUESTED("#1", "3", "production")),
      RACE_APPROVE(1, "bob", "carol", COUNTED("#1", "[12]", "2"),
		   APPROVED("#1", "3", "production")),
      STATE(1, "approved"), VOTES(1, "bob approve, carol approve"), LIVE("production", "3"),
      HISTORY("production", "deploy 3 was - by *")}},

    {"concurrent deploys of one version: exactly one deployment",
     {ENV("dev", 1, 0, NULL, 0, 0, 0),
      RACE_DEPLOY("3", "dev", "alice", "bob", DEPLOYED("3", "dev", "none"),
		  "!" M " 3 is already live in dev"),
      LIVE("dev", "3"), HISTORY("dev", "deploy 3 was - by *")}},
};

#define N_SCENARIOS (sizeof scenarios / sizeof scenarios[0])

/* ---- running a scenario ----------------------------------------------------------- */

struct backend;

/* One scenario on one backend. */
struct run {
	const struct backend *b;
	char uri[256]; /* what registry_open takes */
	char url[64];  /* the fixture's base URL (REST) */
	pid_t server;  /* the fixture (REST) */
	struct registry *r;
	int64_t ids[SLOTS + 1]; /* the request opened in each slot */
	struct strbuf fails;	/* what went wrong, for people */
	char *got[MAX_STEPS];	/* what each step said (ids as #K), for the comparison */
	char bad[MAX_STEPS];	/* 1: the step did not say what it must */
	int unsupported;	/* a setup step this backend cannot do */
};

/* A backend: fresh state for a scenario, and the setup steps another client does. */
struct backend {
	const char *name;
	int (*start)(struct run *x, int scenario);
	void (*stop)(struct run *x);
	int (*stage)(struct run *x, const char *v, const char *stage);
	int (*delete_version)(struct run *x, const char *v);
	int (*move_alias)(struct run *x, const char *env, const char *v);
	int (*versions)(struct run *x, int64_t n);
	int tags_go_with_version; /* deleting a version deletes its requests (step.gone) */
};

/* Append a printf line to x's failures. */
static void failed(struct run *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failed(struct run *x, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	sb_printf(&x->fails, "    %s\n", line);
}

/* s with "request N" of each slot's id N written "request #K"; malloc'd. */
static char *normalise(const struct run *x, const char *s)
{
	struct strbuf sb = {0};
	const char *p = s;

	while (*p) {
		int done = 0;
		if (strncmp(p, "request ", 8) == 0) {
			for (int k = 1; k <= SLOTS && !done; k++) {
				char num[32];
				size_t n =
				    (size_t)snprintf(num, sizeof num, "%lld", (long long)x->ids[k]);
				if (x->ids[k] > 0 && strncmp(p + 8, num, n) == 0 &&
				    (p[8 + n] < '0' || p[8 + n] > '9')) {
					sb_printf(&sb, "request #%d", k);
					p += 8 + n;
					done = 1;
				}
			}
		}
		if (!done)
			sb_addc(&sb, *p++);
	}
	sb_add(&sb, "");
	return sb_detach(&sb);
}

/* The request id a step names. */
static int64_t step_id(const struct run *x, const struct step *s)
{
	return s->slot < 0 ? -s->slot : x->ids[s->slot];
}

/* A short description of step s, for failure lines. */
static void describe(const struct step *s, char *buf, size_t len)
{
	static const char *const names[] = {
	    [OP_ENV] = "env set",
	    [OP_ENV_AS] = "env set required",
	    [OP_DEPLOY] = "deploy",
	    [OP_ROLLBACK] = "rollback",
	    [OP_TARGET] = "target",
	    [OP_REQUEST] = "request",
	    [OP_VOTE] = "vote",
	    [OP_CANCEL] = "cancel",
	    [OP_STATE] = "state",
	    [OP_VOTES] = "votes",
	    [OP_LIVE] = "live",
	    [OP_HISTORY] = "history",
	    [OP_STAGE] = "stage",
	    [OP_DELETE] = "delete",
	    [OP_MOVE] = "move alias",
	    [OP_VERSIONS] = "versions",
	    [OP_RACE_VOTE] = "race approve",
	    [OP_RACE_DEPLOY] = "race deploy",
	};
	char slot[24] = "";

	if (s->slot > 0)
		snprintf(slot, sizeof slot, " #%d", s->slot);
	else if (s->slot < 0)
		snprintf(slot, sizeof slot, " %d", -s->slot);
	snprintf(buf, len, "%s%s%s%s%s%s%s%s%s%s", names[s->op], slot, s->v ? " " : "",
		 s->v ? s->v : "", s->env ? " " : "", s->env ? s->env : "", s->arg ? " " : "",
		 s->arg ? s->arg : "", s->who ? " as " : "", s->who ? s->who : "");
}

/* Record what step k said (got, before normalising) and compare it with want
 * (fnmatch when glob). */
static void said(struct run *x, int k, const struct step *s, const char *got, const char *want,
		 int glob)
{
	char *norm = normalise(x, got), what[512];
	int ok = want == NULL || (glob ? fnmatch(want, norm, 0) == 0 : strcmp(want, norm) == 0);

	if (!ok) {
		x->bad[k] = 1;
		describe(s, what, sizeof what);
		failed(x, "step %d (%s):\n      want: %s\n      got:  %s", k + 1, what, want, norm);
	}
	if (x->got[k] == NULL) {
		x->got[k] = norm;
	} else { /* races: both messages, in order */
		struct strbuf both = {0};
		sb_printf(&both, "%s || %s", x->got[k], norm);
		free(x->got[k]);
		free(norm);
		x->got[k] = sb_detach(&both);
	}
}

/* What a call said: its summary, or "!" and the error. */
static void call_said(struct run *x, int k, const struct step *s, int rc,
		      const struct mlc_outcome *out, const struct mlc_error *err, const char *want)
{
	char buf[2048];

	if (rc == 0)
		snprintf(buf, sizeof buf, "%s", out->summary ? out->summary : "(no summary)");
	else
		snprintf(buf, sizeof buf, "!%s", err->msg);
	said(x, k, s, buf, want, s->glob);
}

/* A comment longer than MLC_COMMENT_MAX, cut mid-character when cut at the cap. */
static const char *long_comment(void)
{
	static char c[1600];

	if (c[0] == '\0') {
		memset(c, 'a', sizeof c - 1);
		memcpy(c + 999, "\xc3\xa9", 2); /* é across the 1000-byte boundary */
	}
	return c;
}

/* Set environment s->env's policy as root acting as itself. */
static void do_env(struct run *x, int k, const struct step *s)
{
	struct mlc_env_change c = {
	    .name = s->env,
	    .have_order = 1,
	    .order = s->n[0],
	    .have_required = 1,
	    .required_approvals = s->n[1],
	    .have_approvers = 1,
	    .approvers = s->arg ? s->arg : "",
	    .have_self = 1,
	    .self_approval = (int)s->n[2],
	    .have_rollback = 1,
	    .rollback_approval = (int)s->n[3],
	    .have_previous = 1,
	    .require_previous = (int)s->n[4],
	    .root_direct = 1,
	};
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	char what[512];

	if (registry_env_set(x->r, &c, "root", &out, &err) < 0 || out.request_id != 0) {
		describe(s, what, sizeof what);
		failed(x, "step %d (%s): set-up failed: %s", k + 1, what,
		       err.msg[0] ? err.msg : "it opened a request");
	}
	x->got[k] = strdup("");
	arena_free(&out.arena);
}

/* who changes env's required approvals (README "Who may change a policy"):
 * directly, refused, or a request into the step's slot. */
static void do_env_as(struct run *x, int k, const struct step *s)
{
	struct mlc_env_change c = {
	    .name = s->env, .have_required = 1, .required_approvals = s->n[1]};
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	int rc = registry_env_set(x->r, &c, s->who, &out, &err);

	if (rc == 0 && s->slot > 0 && out.request_id > 0)
		x->ids[s->slot] = out.request_id;
	call_said(x, k, s, rc, &out, &err, s->want);
	arena_free(&out.arena);
}

/* The one registry call of step s on handle r (a deploy, rollback, request,
 * vote or cancel). */
static int call(struct run *x, struct registry *r, const struct step *s, const char *who,
		struct mlc_outcome *out, struct mlc_error *err)
{
	switch (s->op) {
	case OP_DEPLOY:
	case OP_RACE_DEPLOY:
		return registry_deploy(r, M, s->v, s->env, who, out, err);
	case OP_ROLLBACK:
		return registry_rollback(r, M, s->env, s->v, who, out, err);
	case OP_REQUEST:
		return registry_request(r, M, s->v, s->env, s->arg, "conformance", who, out, err);
	case OP_VOTE:
	case OP_RACE_VOTE:
		return registry_vote(r, step_id(x, s), s->arg ? s->arg : "approve",
				     s->v ? long_comment() : "ok", who, out, err);
	case OP_CANCEL:
		return registry_cancel(r, step_id(x, s), who, out, err);
	default:
		abort();
	}
}

/* Run call step s as s->who and check what it said. */
static void do_call(struct run *x, int k, const struct step *s)
{
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	int rc = call(x, x->r, s, s->who, &out, &err);

	if (rc == 0 && s->op == OP_REQUEST && s->slot > 0)
		x->ids[s->slot] = out.request_id;
	call_said(x, k, s, rc, &out, &err, s->want);
	arena_free(&out.arena);
}

/* Where a rollback of s->env goes: the version, or "!" and the error. */
static void do_target(struct run *x, int k, const struct step *s)
{
	char v[64], buf[2048];
	struct mlc_error err = {0};

	if (registry_rollback_target(x->r, M, s->env, v, sizeof v, &err) < 0)
		snprintf(buf, sizeof buf, "!%s", err.msg);
	else
		snprintf(buf, sizeof buf, "%s", v);
	said(x, k, s, buf, s->want, 0);
}

/* Read the request of step s into l; its item, or NULL (said). */
static const struct mlc_request *read_request(struct run *x, int k, const struct step *s,
					      struct mlc_request_list *l)
{
	struct mlc_error err = {0};
	char buf[1100];

	if (registry_requests(x->r, REQ_ALL, step_id(x, s), l, &err) < 0) {
		snprintf(buf, sizeof buf, "!%s", err.msg);
		said(x, k, s, buf, s->want, 0);
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].id == step_id(x, s))
			return &l->items[i];
	said(x, k, s, "(no such request listed)", s->want, 0);
	return NULL;
}

/* The request's state ("STATE: reason" when want names a reason). */
static void do_state(struct run *x, int k, const struct step *s)
{
	struct mlc_request_list l = {0};
	const struct mlc_request *q = read_request(x, k, s, &l);
	char buf[2048];

	if (q != NULL) {
		if (s->want && strchr(s->want, ':'))
			snprintf(buf, sizeof buf, "%s: %s", q->state,
				 q->close_reason ? q->close_reason : "(none)");
		else
			snprintf(buf, sizeof buf, "%s", q->state);
		said(x, k, s, buf, s->want, 0);
	}
	MLC_LIST_FREE(&l);
}

/* qsort: votes by voter. */
static int by_voter(const void *a, const void *b)
{
	return strcmp(((const struct mlc_vote *)a)->by, ((const struct mlc_vote *)b)->by);
}

/* The request's votes, "by decision, ..." sorted by voter. */
static void do_votes(struct run *x, int k, const struct step *s)
{
	struct mlc_request_list l = {0};
	const struct mlc_request *q = read_request(x, k, s, &l);
	struct strbuf sb = {0};

	if (q != NULL) {
		if (q->n_votes > 1)
			qsort(q->votes, q->n_votes, sizeof *q->votes, by_voter);
		for (size_t i = 0; i < q->n_votes; i++)
			sb_printf(&sb, "%s%s %s", i ? ", " : "", q->votes[i].by,
				  q->votes[i].decision);
		said(x, k, s, sb_str(&sb), s->want, 0);
	}
	sb_free(&sb);
	MLC_LIST_FREE(&l);
}

/* The live version of M in s->env ("none"), or its history (newest first). */
static void do_deployments(struct run *x, int k, const struct step *s)
{
	struct mlc_live_list live = {0};
	struct mlc_event_list h = {0};
	struct mlc_error err = {0};
	struct strbuf sb = {0};

	if (registry_deployments(x->r, M, s->env, &live, &h, &err) < 0) {
		sb_printf(&sb, "!%s", err.msg);
	} else if (s->op == OP_LIVE) {
		const struct mlc_live *l = NULL;
		for (size_t i = 0; i < live.n; i++)
			if (strcmp(live.items[i].environment, s->env) == 0 &&
			    strcmp(live.items[i].model, M) == 0)
				l = &live.items[i];
		sb_add(&sb, l ? l->version : "none");
		if (l && s->want && strstr(s->want, " by "))
			sb_printf(&sb, " by %s", l->by);
	} else {
		for (size_t i = 0; i < h.n; i++) {
			const struct mlc_deploy_event *e = &h.items[i];
			if (strcmp(e->environment, s->env) != 0 || strcmp(e->model, M) != 0)
				continue;
			sb_printf(
			    &sb, "%s%s %s was %s by %s", sb.len ? " | " : "", e->action, e->version,
			    e->previous_version && *e->previous_version ? e->previous_version : "-",
			    e->by);
		}
	}
	said(x, k, s, sb_str(&sb), s->want, s->op == OP_HISTORY);
	sb_free(&sb);
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&h);
}

/* A set-up step another client does (stage, delete, alias, versions). */
static void do_setup(struct run *x, int k, const struct step *s)
{
	const struct backend *b = x->b;
	char what[512];
	int rc;

	switch (s->op) {
	case OP_STAGE:
		rc = b->stage(x, s->v, s->arg);
		break;
	case OP_DELETE:
		rc = b->delete_version(x, s->v);
		break;
	case OP_MOVE:
		rc = b->move_alias(x, s->env, s->v);
		break;
	default:
		rc = b->versions(x, strtoll(s->v, NULL, 10));
		break;
	}
	x->got[k] = strdup("");
	if (rc == 0)
		return;
	describe(s, what, sizeof what);
	if (rc == 1) {
		x->unsupported = 1;
		failed(x, "step %d (%s): this backend cannot do it", k + 1, what);
	} else {
		failed(x, "step %d (%s): set-up failed", k + 1, what);
	}
}

/* ---- races ------------------------------------------------------------------------ */

struct racer {
	struct run *x;
	const struct step *s;
	const char *who;
	pthread_barrier_t *go;
	int rc, deployed;
	struct mlc_outcome out;
	struct mlc_error err;
};

/* One racer: its own handle, opened before the start, then the one call. */
static void *race(void *arg)
{
	struct racer *t = arg;
	struct registry_open_opts o = {.create = 1};
	struct registry *r = registry_open(t->x->uri, &o, &t->err);

	pthread_barrier_wait(t->go);
	if (r == NULL) {
		t->rc = -1;
		return NULL;
	}
	t->rc = call(t->x, r, t->s, t->who, &t->out, &t->err);
	t->deployed = t->out.deployed;
	registry_close(r);
	return NULL;
}

/* 1 if racer t said want ("!" and the error, or the summary). */
static int racer_says(const struct run *x, const struct racer *t, const char *want)
{
	char buf[2048], *norm;
	int same;

	if (t->rc == 0)
		snprintf(buf, sizeof buf, "%s", t->out.summary ? t->out.summary : "");
	else
		snprintf(buf, sizeof buf, "!%s", t->err.msg);
	norm = normalise(x, buf);
	same = t->s->glob ? fnmatch(want, norm, 0) == 0 : strcmp(norm, want) == 0;
	free(norm);
	return same;
}

/* Two actors at once on two handles: what they said must be want and want2
 * in some order, and exactly one of them deployed. */
static void do_race(struct run *x, int k, const struct step *s)
{
	pthread_barrier_t go;
	struct racer t[2] = {{.x = x, .s = s, .who = s->who, .go = &go},
			     {.x = x, .s = s, .who = s->who2, .go = &go}};
	pthread_t th[2];
	int swap, deployed;

	pthread_barrier_init(&go, NULL, 2);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, race, &t[i]) != 0)
			abort();
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	/* compare in the order that matches the first message, if either does */
	swap = !racer_says(x, &t[0], s->want) && racer_says(x, &t[1], s->want);
	call_said(x, k, s, t[swap].rc, &t[swap].out, &t[swap].err, s->want);
	call_said(x, k, s, t[!swap].rc, &t[!swap].out, &t[!swap].err, s->want2);
	deployed = t[0].deployed + t[1].deployed;
	if (deployed != 1)
		failed(x, "step %d (race): %d of the two calls deployed, want exactly 1", k + 1,
		       deployed);
	arena_free(&t[0].out.arena);
	arena_free(&t[1].out.arena);
}

/* Run scenario i on x's fresh registry; 0 when every step said what it must. */
static int run_steps(struct run *x, const struct scenario *sc)
{
	for (int k = 0; k < MAX_STEPS && sc->steps[k].op != OP_END; k++) {
		struct step as = sc->steps[k];
		const struct step *s = &as;
		if (as.gone && x->b->tags_go_with_version)
			as.want = as.gone;
		switch (s->op) {
		case OP_ENV:
			do_env(x, k, s);
			break;
		case OP_ENV_AS:
			do_env_as(x, k, s);
			break;
		case OP_DEPLOY:
		case OP_ROLLBACK:
		case OP_REQUEST:
		case OP_VOTE:
		case OP_CANCEL:
			do_call(x, k, s);
			break;
		case OP_TARGET:
			do_target(x, k, s);
			break;
		case OP_STATE:
			do_state(x, k, s);
			break;
		case OP_VOTES:
			do_votes(x, k, s);
			break;
		case OP_LIVE:
		case OP_HISTORY:
			do_deployments(x, k, s);
			break;
		case OP_RACE_VOTE:
		case OP_RACE_DEPLOY:
			do_race(x, k, s);
			break;
		default:
			do_setup(x, k, s);
			break;
		}
		if (x->unsupported)
			break;
	}
	return x->fails.len == 0 ? 0 : -1;
}

/* ---- the local registry: a real SQLite file, set up with SQL ----------------------- */

/* Run sql on x's file as another client: ?1 the model's name, ?2 text, ?3 a
 * number. 0, or -1 (said on stderr). */
static int local_sql(struct run *x, const char *sql, const char *text, int64_t num)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_open(x->uri, &db) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, M, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text ? text : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, num);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
out:
	if (rc < 0)
		fprintf(stderr, "local set-up: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

#define MODEL_ID "(SELECT id FROM registered_models WHERE name = ?1)"

/* Version n of the model with stage text (another client's write). */
static int local_add_version(struct run *x, int64_t n, const char *stage)
{
	return local_sql(x,
			 "INSERT OR IGNORE INTO model_versions (model_id, version, stage, source,"
			 " description, creation_time, last_updated_time) SELECT id, ?3, ?2,"
			 " '/srv/models/' || ?1, 'version ' || ?3, 1, 1 FROM registered_models"
			 " WHERE name = ?1",
			 stage, n);
}

/* Point alias al at version v (another client's write). */
static int local_alias(struct run *x, const char *al, int64_t v)
{
	return local_sql(x,
			 "INSERT INTO model_aliases (model_id, alias, version) SELECT id, ?2, ?3"
			 " FROM registered_models WHERE name = ?1 AND true"
			 " ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version",
			 al, v);
}

/* Remove x's files (the registry and its WAL). */
static void local_unlink(struct run *x)
{
	static const char *const ends[] = {"", "-wal", "-shm", "-journal"};
	char p[300];

	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		snprintf(p, sizeof p, "%s%s", x->uri, ends[i]);
		unlink(p);
	}
}

/* A new registry file seeded as the fixture is, opened into x->r. */
static int local_start(struct run *x, int scenario)
{
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};

	snprintf(x->uri, sizeof x->uri, "%s/local-%d.db", tu_dir(), scenario);
	local_unlink(x);
	if ((x->r = registry_open(x->uri, &o, &err)) == NULL) {
		fprintf(stderr, "local: %s\n", err.msg);
		return -1;
	}
	registry_close(x->r);
	x->r = NULL;
	if (local_sql(x,
		      "INSERT INTO registered_models (name, description, creation_time,"
		      " last_updated_time) VALUES (?1, 'Flags fraud', 1, 1)",
		      NULL, 0) < 0 ||
	    local_add_version(x, 1, "Archived") < 0 || local_add_version(x, 2, "Production") < 0 ||
	    local_add_version(x, 3, "Staging") < 0 || local_alias(x, "champion", 2) < 0 ||
	    local_alias(x, "challenger", 3) < 0)
		return -1;
	if ((x->r = registry_open(x->uri, &o, &err)) == NULL) {
		fprintf(stderr, "local: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void local_stop(struct run *x)
{
	if (x->r)
		registry_close(x->r);
	x->r = NULL;
	local_unlink(x);
}

static int local_stage(struct run *x, const char *v, const char *stage)
{
	return local_sql(
	    x, "UPDATE model_versions SET stage = ?2 WHERE version = ?3 AND model_id = " MODEL_ID,
	    stage, strtoll(v, NULL, 10));
}

/* As MLflow's store does: the version goes, and the aliases that point at it. */
static int local_delete(struct run *x, const char *v)
{
	int64_t n = strtoll(v, NULL, 10);

	if (local_sql(x, "DELETE FROM model_versions WHERE version = ?3 AND model_id = " MODEL_ID,
		      NULL, n) < 0)
		return -1;
	return local_sql(x, "DELETE FROM model_aliases WHERE version = ?3 AND model_id = " MODEL_ID,
			 NULL, n);
}

static int local_move(struct run *x, const char *env, const char *v)
{
	return local_alias(x, env, strtoll(v, NULL, 10));
}

static int local_versions(struct run *x, int64_t n)
{
	for (int64_t v = 1; v <= n; v++)
		if (local_add_version(x, v, "None") < 0)
			return -1;
	return 0;
}

/* ---- the REST backend against tests/remote/fixture.py ------------------------------ */

/* curl: the answer's body is not needed. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* Send MLflow API call path (method POST or DELETE) with JSON body j (taken)
 * to x's fixture as another client; 0 on HTTP 200. */
static int rest_api(struct run *x, const char *method, const char *path, json_t *j)
{
	char url[256], *body = json_dumps(j, 0);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	long status = 0;

	snprintf(url, sizeof url, "%s/api/2.0/mlflow/%s", x->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(body);
	json_decref(j);
	return status == 200 ? 0 : -1;
}

/* A fixture of its own for the scenario (its seed is the starting state). */
static int rest_start(struct run *x, int scenario)
{
	const char *args[] = {"--runs", "0", NULL};
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	char port[128];
	int n;

	(void)scenario;
	snprintf(port, sizeof port, "%s", tu_path("port"));
	unlink(port);
	if (fixture_spawn(tu_dir(), args, &x->server, &n) < 0) {
		fprintf(stderr, "rest: cannot start tests/remote/fixture.py\n");
		return -1;
	}
	snprintf(x->url, sizeof x->url, "http://127.0.0.1:%d", n);
	snprintf(x->uri, sizeof x->uri, "%s", x->url);
	if ((x->r = registry_open(x->uri, &o, &err)) == NULL) {
		fprintf(stderr, "rest: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void rest_stop(struct run *x)
{
	if (x->r)
		registry_close(x->r);
	x->r = NULL;
	fixture_stop(x->server);
	x->server = 0;
}

static int rest_stage(struct run *x, const char *v, const char *stage)
{
	return rest_api(x, "POST", "model-versions/transition-stage",
			json_pack("{s:s, s:s, s:s}", "name", M, "version", v, "stage", stage));
}

static int rest_delete(struct run *x, const char *v)
{
	return rest_api(x, "DELETE", "model-versions/delete",
			json_pack("{s:s, s:s}", "name", M, "version", v));
}

static int rest_move(struct run *x, const char *env, const char *v)
{
	return rest_api(x, "POST", "registered-models/alias",
			json_pack("{s:s, s:s, s:s}", "name", M, "alias", env, "version", v));
}

/* The fixture seeds versions 1-3 and has no model-versions/create. */
static int rest_versions(struct run *x, int64_t n)
{
	(void)x;
	return n <= 3 ? 0 : 1;
}

/* ---- main -------------------------------------------------------------------------- */

static const struct backend backends[] = {
    {"local", local_start, local_stop, local_stage, local_delete, local_move, local_versions, 0},
    {"rest", rest_start, rest_stop, rest_stage, rest_delete, rest_move, rest_versions, 1},
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

/* What each backend did with each scenario. */
static struct run runs[N_BACKENDS][N_SCENARIOS];
static int ran[N_BACKENDS]; /* 0: skipped */

/* Run every scenario on backend b, printing which passed (and, with
 * CONFORMANCE_VERBOSE set, what each step said); the number failed. */
static int run_backend(size_t b)
{
	int nfail = 0, verbose = getenv("CONFORMANCE_VERBOSE") != NULL;

	printf("== %s ==\n", backends[b].name);
	for (size_t i = 0; i < N_SCENARIOS; i++) {
		struct run *x = &runs[b][i];
		int ok;

		x->b = &backends[b];
		if (x->b->start(x, (int)i) < 0) {
			failed(x, "the backend did not start");
			ok = -1;
		} else {
			ok = run_steps(x, &scenarios[i]);
		}
		x->b->stop(x);
		printf("%s  %s\n%s", ok == 0 ? "PASS" : "FAIL", scenarios[i].name,
		       sb_str(&x->fails));
		for (int k = 0; verbose && k < MAX_STEPS && x->got[k]; k++)
			if (*x->got[k])
				printf("      %d: %s\n", k + 1, x->got[k]);
		fflush(stdout);
		nfail += ok != 0;
	}
	return nfail;
}

/* 1 if step k of scenario i said what it must on backends 0 and b, though in other words (a
 * pattern's "*", the order of a race): not a disagreement. */
static int agreed(size_t i, size_t b, int k)
{
	return scenarios[i].steps[k].want != NULL && !runs[0][i].bad[k] && !runs[b][i].bad[k] &&
	       !(scenarios[i].steps[k].gone && backends[b].tags_go_with_version);
}

/* Where two backends said different things: the scenario, the step, both. */
static void print_disagreements(void)
{
	int n = 0;

	printf("== where the backends disagree ==\n");
	for (size_t i = 0; i < N_SCENARIOS; i++)
		for (int k = 0; k < MAX_STEPS; k++)
			for (size_t b = 1; b < N_BACKENDS; b++) {
				const char *a = runs[0][i].got[k], *o = runs[b][i].got[k];
				char what[512];
				if (!ran[0] || !ran[b] || a == NULL || o == NULL ||
				    strcmp(a, o) == 0 || agreed(i, b, k))
					continue;
				describe(&scenarios[i].steps[k], what, sizeof what);
				printf("%s\n  step %d (%s)%s\n    %-6s %s\n    %-6s %s\n",
				       scenarios[i].name, k + 1, what,
				       scenarios[i].steps[k].gone
					   ? " — as the table expects: the request was the "
					     "deleted version's tag"
					   : "",
				       backends[0].name, a, backends[b].name, o);
				n++;
			}
	if (n == 0)
		printf("(nowhere)\n");
}

/* The pass/fail matrix: a row per scenario, a column per backend. */
static void print_matrix(void)
{
	printf("== matrix ==\n");
	for (size_t b = 0; b < N_BACKENDS; b++)
		printf("%-6s ", backends[b].name);
	printf("scenario\n");
	for (size_t i = 0; i < N_SCENARIOS; i++) {
		for (size_t b = 0; b < N_BACKENDS; b++)
			printf("%-6s ", !ran[b] ? "skip" : runs[b][i].fails.len ? "FAIL" : "pass");
		printf("%s\n", scenarios[i].name);
	}
}

/* Free what the runs kept. */
static void free_runs(void)
{
	for (size_t b = 0; b < N_BACKENDS; b++)
		for (size_t i = 0; i < N_SCENARIOS; i++) {
			sb_free(&runs[b][i].fails);
			for (int k = 0; k < MAX_STEPS; k++)
				free(runs[b][i].got[k]);
		}
}

/* CONFORMANCE_BACKEND=NAME runs that backend only; CONFORMANCE_VERBOSE=1
 * prints what every step said. */
int main(void)
{
	const char *only = getenv("CONFORMANCE_BACKEND");
	int passed = 0, nfailed = 0;
	alarm(900); /* a hung backend fails the test instead of the run */
	if (tu_tmpdir("conformance") != 0) {
		perror("mkdtemp");
		return 1;
	}
	tu_client_env();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t b = 0; b < N_BACKENDS; b++) {
		int nf;
		if (strcmp(backends[b].name, "rest") == 0 &&
		    system("python3 -c '' >/dev/null 2>&1") != 0) {
			printf("== %s ==\nSKIP: python3 is needed to run the fixture server\n",
			       backends[b].name);
			continue;
		}
		if (only && strcmp(only, backends[b].name) != 0)
			continue;
		ran[b] = 1;
		nf = run_backend(b);
		nfailed += nf;
		passed += (int)N_SCENARIOS - nf;
	}
	print_disagreements();
	print_matrix();
	free_runs();
	curl_global_cleanup();
	if (tu_rmdir() != 0)
		fprintf(stderr, "cannot remove %s\n", tu_dir());
	printf("%d passed, %d failed\n", passed, nfailed);
	return nfailed ? 1 : 0;
}
