/* timefmt.c: formatting of millisecond timestamps. */
#include "config.h"
#include <stdio.h>
#include <time.h>
#include "timefmt.h"

void timefmt_minutes(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

void timefmt_ago(int64_t ms, int64_t now_ms, char *buf, size_t len)
{
	int64_t d = (now_ms - ms) / 1000;

	if (ms <= 0)
		snprintf(buf, len, "-");
	else if (d < 60)
		snprintf(buf, len, "now");
	else if (d < 3600)
		snprintf(buf, len, "%lldm ago", (long long)(d / 60));
	else if (d < 86400)
		snprintf(buf, len, "%lldh ago", (long long)(d / 3600));
	else
		snprintf(buf, len, "%lldd ago", (long long)(d / 86400));
}

int64_t timefmt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
