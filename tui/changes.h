/* changes.h: the registry changes the console makes (deploy, rollback,
 * request, vote, cancel), run on the worker thread as the acting user; the
 * outcome lands in the footer and the views reload. */
#ifndef MLC_CHANGES_H
#define MLC_CHANGES_H
#include <stdint.h>

struct app;

enum change_kind { CH_DEPLOY, CH_ROLLBACK, CH_REQUEST, CH_VOTE, CH_CANCEL, CH_HOOK };

struct change {
	enum change_kind kind;
	char *model, *version, *env, *to, *req_kind, *comment, *decision;
	int64_t id;
};

/* A change of kind k with copies of the strings given (NULL ones stay NULL). */
struct change *change_new(enum change_kind k, const char *model, const char *version,
			  const char *env);
void change_free(struct change *c);
/* dialog discard callback. */
void change_discard(void *c);
/* Queue c (taking it) as the app's user; then reload the top view. */
void change_submit(struct app *a, struct change *c);
/* Ask the worker how many requests are pending (for the footer). */
void app_refresh_pending(struct app *a);

#endif
