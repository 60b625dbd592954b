/* page.h: a detail page — a table of FIELD and VALUE rows (further columns
 * left empty) under section headings, as the run and version views show one
 * object in full. Each row's key is its position, so the cursor keeps its
 * place when the page loads again. */
#ifndef MLC_PAGE_H
#define MLC_PAGE_H
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "view.h"

/* A row: field and value (sanitised by the table), in role. */
void page_field(struct table *t, enum theme_role role, const char *field, const char *value);
/* A row whose value is the time ms (milliseconds since the epoch), to the minute. */
void page_time(struct table *t, const char *field, int64_t ms);
/* A section: a gap and its title, layout rows the cursor passes over. */
void page_heading(struct table *t, const char *title);
/* A section of key/value pairs, "(none)" when n is 0. */
void page_kv(struct table *t, const char *title, const struct mlc_kv *kv, size_t n);
/* A section of the datasets run used (MLflow's run inputs): name, context,
 * digest and where the data is; "(none logged)" when it used none. */
void page_datasets(struct table *t, const char *title, const struct mlc_run *run);

#endif
