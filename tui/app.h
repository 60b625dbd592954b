/* app.h: the console's one state (struct app): the registry worker, theme,
 * view stack, prompt and status line; the poll() event loop lives in app.c. */
#ifndef MLC_APP_H
#define MLC_APP_H
#include <stdint.h>
#include "cli.h"
#include "settings.h"
#include "dialog.h"
#include "hooks.h"
#include "draw.h"
#include "input.h"
#include "linkset.h"
#include "theme.h"
#include "view.h"
#include "worker.h"

#define APP_MAX_VIEWS 32

enum app_mode { MODE_NORMAL, MODE_FILTER, MODE_COMMAND, MODE_PROMPT };

struct app {
	const struct cli_opts *opts;
	struct worker *worker;
	char *registry_display;
	char *registry_kind;
	struct theme theme;
	struct draw_ctx draw;
	int utf8, no_colour, read_only;
	/* what made it read-only (--read-only, the context, the file), for the
	 * refusal; "" when the registry itself cannot write (registry_can says) */
	char read_only_why[512];
	/* the worker's registry, for registry_can only (what it asks is fixed
	 * when the registry opens); NULL while :ctx changes registries */
	const struct registry *reg;
	char user[128];
	int unauthenticated; /* the server answers without credentials (the header says so) */
	struct view *stack[APP_MAX_VIEWS];
	int depth;
	uint64_t next_view_id;
	enum app_mode mode;
	struct input input;
	char filter_before[sizeof(((struct input *)0)->buf)]; /* the / filter Esc goes back to */
	char status[2048]; /* room for an error (1024) in a sentence: shown whole */
	int status_error;
	char **model_names; /* for :versions completion (from the last models load) */
	size_t n_model_names;
	int rows, cols;
	unsigned spin;
	int quit;
	int64_t pending;      /* pending promotion requests, -1 unknown */
	uint64_t changes;     /* changes made here: views loaded before reload when shown */
	struct hooks hooks;   /* from the operator's config file, for the context */
	struct config config; /* the config file, read once at start */
	const struct config_context *context; /* in config, or NULL (-r, $MLFLOW_TRACKING_URI) */
	char *uri;		/* of the open registry, to reopen it when :ctx fails */
	unsigned secrets_owned; /* MLFLOW_TRACKING_* variables the context set */
	struct dialog *dialog;	/* modal, when open */
	/* MODE_PROMPT: a question in the footer, answered through done */
	char prompt_label[256];
	void (*prompt_done)(struct app *a, const char *text, void *ctx);
	void (*prompt_discard)(void *ctx);
	void *prompt_ctx;
	char **prompt_cands; /* Tab offers these one by one (app_prompt_offer) */
	size_t n_prompt_cands;
};

/* Ask for one line of text in the footer; done gets it (and ctx) on Enter,
 * discard frees ctx either way. */
void app_prompt(struct app *a, const char *label, void (*done)(struct app *, const char *, void *),
		void (*discard)(void *), void *ctx);
/* The answers the open prompt offers: Tab puts the first in the line, each
 * Tab after it the next (a typed start completes among them). Copied. */
void app_prompt_offer(struct app *a, const char *const *cands, size_t n);
/* Open a modal dialog (the app owns it). */
void app_dialog(struct app *a, struct dialog *d);

/* Open the console; returns the process exit status. */
int app_main(const struct cli_opts *o);
/* The view on top of the stack. */
struct view *app_top(struct app *a);
/* Find a live view by id (jobs use this: their view may be gone). */
struct view *app_find_view(struct app *a, uint64_t id);
/* Pop and free the top view (never the last one). */
void app_pop(struct app *a);
/* Push v (the app owns it from now) and load it. */
void app_push(struct app *a, struct view *v);
/* Show msg in the footer; error selects the error role. */
void app_status(struct app *a, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Remember the model names for completion. */
void app_set_model_names(struct app *a, const char *const *names, size_t n);
/* Leave the current registry for context x (:ctx): a new worker, the models
 * view, x's theme; when x cannot be opened, stay with the error in the footer. */
void app_switch_context(struct app *a, const struct config_context *x);
/* Run a ':' command line. */
void app_command(struct app *a, const char *line);
/* 1 if action act is not offered here (a change on a read-only registry,
 * or the registry lacks the capability it needs), with why into msg[len]
 * (msg may be NULL): "DISPLAY: an MLflow file store is read-only here:
 * cannot deploy"; brief leaves out the "DISPLAY: " (the ? screen). */
int app_refusal(const struct app *a, enum action act, int brief, char *msg, size_t len);

/* The : commands, listed by the ? screen and completed by Tab. Each is
 * declared beside its code with APP_COMMAND (a view's in its view_X.c), so a
 * new one is one file; the linker gathers them (linkset.h). */
struct app_command_info {
	const char *name;
	const char *args; /* "" when it takes none */
	const char *help;
	void (*run)(struct app *a, const char *arg);
	unsigned need;	  /* what it needs of the registry (enum registry_caps), or 0 */
	const char *verb; /* for the refusal when the registry lacks it: "show drift" */
	int rank;	  /* where the ? screen lists it, lowest first (then by name) */
};
/* Declare the : command sym: APP_COMMAND(cmd_x_info, .name = "x", ...). */
#define APP_COMMAND(sym, ...)                                                                    \
	static const struct app_command_info sym = {__VA_ARGS__};                                 \
	MLC_SET_ADD(app_commands, sym)
/* Every : command in the ? screen's order, *n of them. */
const struct app_command_info *const *app_commands(size_t *n);
/* The : command called name, or NULL. */
const struct app_command_info *app_command_find(const char *name);
/* Back to the view at the bottom of the stack (the models or the pulse),
 * closing the others; it is returned. */
struct view *app_home(struct app *a);
/* The same for a : command (its need, 0: always offered). */
int app_command_refusal(const struct app *a, const struct app_command_info *c, int brief, char *msg,
			size_t len);

#endif
