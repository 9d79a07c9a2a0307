/*
 * testutil: helpers shared by the cmocka tests — files, temporary directories,
 * running the gth command and the Go reference adapter, listing Go's own test data.
 */
#ifndef GTH_TESTUTIL_H
#define GTH_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/base.h"

/* Reads a whole file; aborts the test on failure. Caller frees with free(). */
uint8_t *tu_read_file(const char *path, size_t *len);
void tu_write_file(const char *path, const void *data, size_t len);
/* A fresh directory under the build tree; returns a static-lifetime string. */
const char *tu_tmpdir(const char *tag);

/* Runs `argv` (argv[0] is the program), feeding `in` (may be NULL) on stdin.
 * Captures stdout into *out (malloc'd, NUL-terminated) and stderr into *err if
 * non-NULL. Returns the exit status, or 128+signal when killed by a signal. */
int tu_run(char *const argv[], const void *in, size_t in_len, char **out, size_t *out_len,
           char **err);

/* GOROOT of the Go toolchain the tests were configured with; fails the test if Go
 * is missing (conformance against Go must never be skipped silently). */
const char *tu_goroot(void);
/* Path of the Go reference adapter (adapters/go), built on first use into the
 * build tree; fails the test if it cannot be built. */
const char *tu_gthref(void);
/* Go's verdicts: runs `gthref validate --batch --profile=PROFILE` over
 * paths[0..n) in one adapter process and returns how many it accepted. Fails
 * the test if the adapter fails or does not answer for every path. reject (if
 * not NULL) receives the first rejected "path: message" (malloc'd) or NULL. */
size_t tu_gthref_accepts(char *const *paths, size_t n, const char *profile, char **reject);
/* Path of our own command. */
const char *tu_gth(void);

/* What a run of gth gave: exit status, stdout (out_len bytes, NUL-terminated)
 * and stderr. */
typedef struct tu_res {
    int rc;
    char *out, *err;
    size_t out_len;
} tu_res;
/* Runs gth with the arguments args (NULL-terminated, at most 30), feeding
 * in[0..in_len) on stdin (in may be NULL). Free with tu_res_free. */
tu_res tu_run_gth(const char *const *args, const void *in, size_t in_len);
void tu_res_free(tu_res *r);
/* A NULL-terminated argument list for tu_run_gth. */
#define TU_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Go's golden tests as binary traces: for every
 * $GOROOT/src/internal/trace/testdata/tests/NAME.test, writes dir/NAME.bin (the
 * Go adapter's test2bytes of it). Returns the count; *paths is a NULL-terminated
 * list in name order (free with tu_free_list). Fails the test if Go is missing. */
size_t tu_golden_binaries(const char *dir, char ***paths);

/* A verdict on one trace: accepted, or the finding's message (malloc'd, "" when
 * accepted) and, for ours, its invariant (GTH_INV_*; 0 when accepted). */
typedef struct tu_verdict {
    int accepted;
    int inv;
    char *msg;
} tu_verdict;

/* A generated trace (the generator's model) of format 1.<version> with the
 * given seed, events per thread and generation, and generations: malloc'd
 * bytes, their count in *len. Fails the test if the generator fails. */
uint8_t *tu_generate(unsigned version, uint64_t seed, uint64_t events, uint64_t generations, size_t *len);

/* Our verdict through the C API (reader, event API and, for profile
 * GTH_PROFILE_VALIDATE, the test validator), with the full message. Fails the
 * test on anything but acceptance or GTH_EINVALID naming a catalogued invariant. */
void tu_ours(const void *data, size_t len, int profile, tu_verdict *v);
/* The Go adapter's verdicts ("parser" or "validate" profile) on binary traces,
 * in one adapter process; a malloc'd array of n (free with tu_verdicts_free). */
tu_verdict *tu_go_verdicts(char *const *paths, size_t n, const char *profile);
void tu_verdicts_free(tu_verdict *v, size_t n);

/* Real traces: runs adapters/go/testprogs/run.sh DIR with the given option
 * ("--normal-only" or "--stress-only"; NULL for both) and returns the count;
 * *paths is a NULL-terminated list (free with tu_free_list). Fails the test if a
 * program fails. */
size_t tu_real_traces(const char *dir, const char *modes, char ***paths);

/* How many times needle occurs in s (without overlaps). */
size_t tu_count(const char *s, const char *needle);

/* Sorted list of files in dir whose names end with suffix (NULL = all regular
 * files). Returns the count; *names is a NULL-terminated malloc'd array of full
 * paths. */
size_t tu_list(const char *dir, const char *suffix, char ***names);
void tu_free_list(char **names);

/* The next number of the xorshift sequence in *state (not 0): random inputs
 * that are the same on every run. */
static inline uint64_t tu_xorshift(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#endif
