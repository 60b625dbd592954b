/* fixture_client.h: the C tests' and benchmarks' side of tests/remote/fixture.py
 * (the loopback MLflow server): start it, and talk to its control endpoint. */
#ifndef MLC_FIXTURE_CLIENT_H
#define MLC_FIXTURE_CLIENT_H
#include <jansson.h>
#include <sys/types.h>

/* Start fixture.py with the NULL-terminated extra arguments args (NULL: none),
 * writing its port to dir/port; 0 once it listens, with *pid and *port. -1 if
 * it did not start within 60 s (or exited). */
int fixture_spawn(const char *dir, const char *const *args, pid_t *pid, int *port);

/* Stop a fixture started by fixture_spawn (pid 0: none). */
void fixture_stop(pid_t pid);

/* GET url (body NULL) or POST body to it; the JSON answer (NULL if none),
 * which the caller json_decref's. */
json_t *fixture_fetch(const char *url, const char *body);

/* POST body (NULL: {}) to base_url/_fixture/what; as fixture_fetch. */
json_t *fixture_control(const char *base_url, const char *what, const char *body);

#endif
