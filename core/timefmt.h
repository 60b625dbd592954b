/* timefmt.h: times as the console shows them (UTC unless TZ says otherwise). */
#ifndef MLC_TIMEFMT_H
#define MLC_TIMEFMT_H
#include <stddef.h>
#include <stdint.h>

/* "2026-11-27 09:14" in local time (TZ); "-" for 0. */
void timefmt_minutes(int64_t ms, char *buf, size_t len);
/* "3d ago", "5h ago", "12m ago", "now" relative to now_ms; "-" for 0. */
void timefmt_ago(int64_t ms, int64_t now_ms, char *buf, size_t len);
/* Milliseconds since the epoch now. */
int64_t timefmt_now_ms(void);

#endif
