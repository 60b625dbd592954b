/* audit.h: the local registry's audit log as a hash chain — appending a row,
 * checking the chain, the chain head each console remembers outside the
 * registry, and the environment policy each policy record carries. */
#ifndef MLC_AUDIT_H
#define MLC_AUDIT_H
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "error.h"
#include "sha256.h"
#include "strbuf.h"

/* What the first row chains from. */
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The outcome of audit_verify. */
struct mlc_audit_check {
	int64_t rows;			/* rows in the log */
	int64_t head_id;		/* the last row's id; 0 for an empty log */
	char head_hash[SHA256_HEX_LEN]; /* its hash ("" for an empty log) */
	int64_t seen_id;		/* the head this console remembered; 0 if none */
	char seen_hash[SHA256_HEX_LEN];
	int64_t broken_id; /* the first broken row; 0 when intact */
	const char *kind;  /* NULL when intact; "deleted", "edited", "reordered", "unhashed",
			    * "rewritten" */
	char problem[512]; /* one line saying what is wrong, "" when intact */
	/* A server's journal (journal.h) is checked as lines: rows counts them,
	 * head_id and broken_id are line numbers, nothing is remembered. */
	char journal[1024]; /* the journal's path; "" for a local registry */
	int64_t unchained;  /* its leading lines written before it was chained */
};

/* The hash of one row: SHA-256 over the length-prefixed fields prev (the
 * previous row's hash as 64 hex digits, AUDIT_GENESIS for the first), id, at
 * (both in decimal), actor, action, subject, detail; each field is its length
 * as 8 bytes big-endian followed by its bytes. Into out, as hex. */
void audit_row_hash(const char *prev, int64_t id, int64_t at, const char *actor, const char *action,
		    const char *subject, const char *detail, char out[SHA256_HEX_LEN]);
/* Append a row chained to the last one, inside the caller's transaction. */
int audit_append(sqlite3 *db, int64_t at, const char *actor, const char *action,
		 const char *subject, const char *detail, struct mlc_error *err);
/* Hash every row of an older log in id order (the schema v2 migration; the
 * caller has dropped the update trigger). */
int audit_chain_existing(sqlite3 *db, struct mlc_error *err);
/* Append env_id's whole policy to out in the stable form policy records carry:
 * "order=N required_approvals=N approvers=a,b self_approval=yes|no
 * rollback_approval=yes|no require_previous=yes|no gates=N:HASH" (gates=0
 * for none; HASH: 16 hex digits of the SHA-256 of the expressions). */
int audit_env_policy(sqlite3 *db, int64_t env_id, struct strbuf *out, struct mlc_error *err);
/* Compare env_id's row with the policy its newest policy record carries:
 * 0 when they agree, 1 when not (why says how, starting "edited outside
 * mlconsole"), -1 on error. */
int audit_env_check(sqlite3 *db, int64_t env_id, const char *name, char *why, size_t len,
		    struct mlc_error *err);
/* Walk the whole chain and the head this console remembers for path; fill
 * out (out->kind NULL when intact). When intact, remember the new head. */
int audit_verify(sqlite3 *db, const char *path, struct mlc_audit_check *out, struct mlc_error *err);
/* After this console wrote to path: remember the log's last row as the head,
 * when the chain from the remembered head to it holds (else leave the old
 * head for audit verify to report). Best effort: failures are silent. */
void audit_head_advance(sqlite3 *db, const char *path);
/* Drop the head remembered for path (a registry this console just created). */
void audit_head_forget(const char *path);
/* $XDG_STATE_HOME/mlconsole/NAME (default ~/.local/state/mlconsole/NAME),
 * where a console keeps what is its own; the caller frees. NULL when neither
 * $XDG_STATE_HOME nor $HOME is set. */
char *audit_state_path(const char *name);
/* Create the missing folders leading to file (0700, as XDG asks). */
void audit_make_parents(const char *file);
/* The file holding path's head; the caller frees. NULL when there is no
 * state directory ($XDG_STATE_HOME and $HOME unset). */
char *audit_head_file(const char *path);

#endif
