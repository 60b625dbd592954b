/* curl_dl.c: libcurl loaded on first need (see curl_dl.h): dlopen of the
 * soname configure found, every function of the table by dlsym, then
 * curl_global_init — once per process under pthread_once, since the TUI's
 * worker thread may be the first to need HTTP. The library stays loaded
 * until exit. */
#include "config.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#define MLC_CURL_DL_IMPL 1
#include "curl_dl.h"

#ifndef MLC_CURL_SONAME /* a build without configure's config.h (make fuzz) */
#define MLC_CURL_SONAME "libcurl.so.4"
#endif

struct mlc_curl_api mlc_curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_failed;
static char load_why[256]; /* why loading failed, for every caller */

/* Resolve every function of the table in lib; NULL, or the first missing name. */
static const char *resolve(void *lib)
{
#define MLC_CURL_RESOLVE(name)                                                                     \
	if ((mlc_curl.name = (__typeof__(mlc_curl.name))dlsym(lib, #name)) == NULL)                \
		return #name;
	MLC_CURL_FUNCS(MLC_CURL_RESOLVE)
#undef MLC_CURL_RESOLVE
	return NULL;
}

/* The one attempt to load libcurl (pthread_once's routine): fills the table
 * and initialises libcurl, or notes why it could not. */
static void load(void)
{
	void *lib = dlopen(MLC_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing, *why;

	load_failed = 1;
	if (lib == NULL) {
		why = dlerror();
		snprintf(load_why, sizeof load_why, "%s", why ? why : "dlopen failed");
		return;
	}
	if ((missing = resolve(lib)) != NULL) {
		snprintf(load_why, sizeof load_why, "it has no %s", missing);
		memset(&mlc_curl, 0, sizeof mlc_curl);
		return;
	}
	if (mlc_curl.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_why, sizeof load_why, "curl_global_init failed");
		return;
	}
	load_failed = 0;
}

int mlc_curl_load(const char *who, const char *purpose, struct mlc_error *err)
{
	const char *pkg = strcmp(MLC_CURL_SONAME, "libcurl.so.4") == 0 ? "libcurl4" : "libcurl";

	pthread_once(&load_once, load);
	if (!load_failed)
		return 0;
	return mlc_error_set(err, MLC_ERR_FAILED, "%s%scannot load %s (%s): install %s to use %s",
			     who ? who : "", who ? ": " : "", MLC_CURL_SONAME, load_why, pkg,
			     purpose);
}
