/* curl_dl.h: libcurl loaded with dlopen the first time something needs HTTP
 * (a server registry, a webhook), so that local commands never load it and
 * its TLS, Kerberos and LDAP libraries (issue 13). Include this instead of
 * <curl/curl.h>: after it, the curl_* functions this file lists are calls
 * through a table that mlc_curl_load fills; calling one before a successful
 * mlc_curl_load crashes. Never define a function named curl_* in mlconsole:
 * it would interpose libcurl's own. */
#ifndef MLC_CURL_DL_H
#define MLC_CURL_DL_H
/* Plain prototypes: typecheck-gcc.h's curl_easy_setopt and curl_easy_getinfo
 * macros would hide the names mapped below. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include "error.h"

/* Every libcurl function mlconsole calls (X(name) for each). */
#define MLC_CURL_FUNCS(X)                                                                          \
	X(curl_global_init)                                                                        \
	X(curl_easy_init)                                                                          \
	X(curl_easy_setopt)                                                                        \
	X(curl_easy_getinfo)                                                                       \
	X(curl_easy_perform)                                                                       \
	X(curl_easy_cleanup)                                                                       \
	X(curl_easy_strerror)                                                                      \
	X(curl_easy_escape)                                                                        \
	X(curl_free)                                                                               \
	X(curl_getdate)                                                                            \
	X(curl_slist_append)                                                                       \
	X(curl_slist_free_all)                                                                     \
	X(curl_url)                                                                                \
	X(curl_url_set)                                                                            \
	X(curl_url_get)                                                                            \
	X(curl_url_cleanup)                                                                        \
	X(curl_multi_init)                                                                         \
	X(curl_multi_setopt)                                                                       \
	X(curl_multi_add_handle)                                                                   \
	X(curl_multi_remove_handle)                                                                \
	X(curl_multi_perform)                                                                      \
	X(curl_multi_poll)                                                                         \
	X(curl_multi_info_read)                                                                    \
	X(curl_multi_cleanup)

/* The table: one pointer of each function's own type (variadic ones stay
 * variadic, so curl_easy_setopt is called exactly as libcurl defines it). */
struct mlc_curl_api {
#define MLC_CURL_MEMBER(name) __typeof__(name) *name;
	MLC_CURL_FUNCS(MLC_CURL_MEMBER)
#undef MLC_CURL_MEMBER
};
extern struct mlc_curl_api mlc_curl;

/* Load libcurl (MLC_CURL_SONAME, found at configure time) and run
 * curl_global_init, once per process whichever thread asks first; 0 when it
 * is ready. Else -1 with err "WHO: cannot load libcurl.so.4 (why): install
 * libcurl4 to use PURPOSE", every later call failing the same way. */
int mlc_curl_load(const char *who, const char *purpose, struct mlc_error *err);

#ifndef MLC_CURL_DL_IMPL
/* curl.h's own three-argument checks, whichever it defined */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init (*mlc_curl.curl_global_init)
#define curl_easy_init (*mlc_curl.curl_easy_init)
#define curl_easy_setopt (*mlc_curl.curl_easy_setopt)
#define curl_easy_getinfo (*mlc_curl.curl_easy_getinfo)
#define curl_easy_perform (*mlc_curl.curl_easy_perform)
#define curl_easy_cleanup (*mlc_curl.curl_easy_cleanup)
#define curl_easy_strerror (*mlc_curl.curl_easy_strerror)
#define curl_easy_escape (*mlc_curl.curl_easy_escape)
#define curl_free (*mlc_curl.curl_free)
#define curl_getdate (*mlc_curl.curl_getdate)
#define curl_slist_append (*mlc_curl.curl_slist_append)
#define curl_slist_free_all (*mlc_curl.curl_slist_free_all)
#define curl_url (*mlc_curl.curl_url)
#define curl_url_set (*mlc_curl.curl_url_set)
#define curl_url_get (*mlc_curl.curl_url_get)
#define curl_url_cleanup (*mlc_curl.curl_url_cleanup)
#define curl_multi_init (*mlc_curl.curl_multi_init)
#define curl_multi_setopt (*mlc_curl.curl_multi_setopt)
#define curl_multi_add_handle (*mlc_curl.curl_multi_add_handle)
#define curl_multi_remove_handle (*mlc_curl.curl_multi_remove_handle)
#define curl_multi_perform (*mlc_curl.curl_multi_perform)
#define curl_multi_poll (*mlc_curl.curl_multi_poll)
#define curl_multi_info_read (*mlc_curl.curl_multi_info_read)
#define curl_multi_cleanup (*mlc_curl.curl_multi_cleanup)
#endif

#endif
