/* journal.h: the local audit journal of the changes this console makes on
 * MLflow servers ($XDG_STATE_HOME/mlconsole/audit.jsonl), one JSON line per
 * change, hash-chained as the local registry's audit log is (audit.h). */
#ifndef MLC_JOURNAL_H
#define MLC_JOURNAL_H
#include <stdint.h>
#include "audit.h"
#include "deploy.h"
#include "error.h"

/* The journal's path: $XDG_STATE_HOME/mlconsole/audit.jsonl (default
 * ~/.local/state/...); NULL without a home. Caller frees. */
char *journal_path(void);
/* The hash of one line: SHA-256 over the length-prefixed fields (as
 * sha256_field) prev (the previous line's hash, AUDIT_GENESIS for the first
 * chained line), at (decimal), registry, actor, action, subject, detail. */
void journal_line_hash(const char *prev, int64_t at, const char *registry, const char *actor,
		       const char *action, const char *subject, const char *detail,
		       char out[SHA256_HEX_LEN]);
/* Append what this console did on registry (its display name) as one line
 * chained to the last, under an exclusive lock so that two consoles never
 * interleave or fork the chain. A journal that cannot be written loses the
 * line, not the change (which the server already holds): failures are
 * silent. */
void journal_append(const char *registry, const char *actor, const char *action,
		    const char *subject, const char *detail);
/* The journal's lines about registry, newest first (at most limit when
 * limit > 0), then a note that the server keeps no trail of its own. The
 * strings live in out's arena. */
int journal_list(const char *registry, int64_t limit, struct mlc_audit_list *out,
		 struct mlc_error *err);
/* Walk the whole journal's chain; fill out (out->kind NULL when intact,
 * else broken_id the first broken line). Leading lines without a hash
 * (written before the journal was chained) are counted in out->unchained. */
int journal_verify(struct mlc_audit_check *out, struct mlc_error *err);

#endif
