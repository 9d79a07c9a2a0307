/*
 * harness/adapter: a parser under test, as the differential runner drives it.
 * External adapters are commands speaking the protocol of adapters/README.md in
 * batch mode (one process for many traces); the built-in adapter is our own
 * validator, run in-process. Either way, each trace gives a gth_result.
 */
#ifndef GTH_HARNESS_ADAPTER_H
#define GTH_HARNESS_ADAPTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"

enum { RES_ACCEPT = 1, RES_REJECT = 0, RES_ERROR = -1 };

/* Why an external adapter gave RES_ERROR without saying ERROR itself. */
enum {
    GTH_FAIL_NONE = 0,
    GTH_FAIL_CRASH,   /* the process died while on the trace (a crash of the parser) */
    GTH_FAIL_TIMEOUT, /* it did not finish the trace in time */
    GTH_FAIL_START,   /* the command could not be started (not found, not executable) */
    GTH_FAIL_PROTOCOL /* it ended the trace without a verdict */
};

typedef struct gth_result {
    int verdict;    /* RES_* */
    gth_buf msg;    /* the error text (unquoted), empty on ACCEPT */
    gth_buf lines;  /* the canonical stream, each line ending in '\n' */
    size_t nlines;
    int truncated;  /* the stream was longer than the runner keeps */
    unsigned inv;   /* built-in adapter: the invariant (GTH_INV_*) of a rejection, else 0 */
    int failure;    /* RES_ERROR: GTH_FAIL_*, or GTH_FAIL_NONE when the adapter said ERROR */
    /* Digest mode (gth_adapter.digest): the stream's digest (adapters/README.md,
     * "Stream digests") instead of its lines; nlines is the digest's count. */
    int has_digest;
    char digest[65];
} gth_result;

/* ACCEPT, REJECT or ERROR. */
const char *gth_verdict_word(int verdict);
/* The verdict word of a result: ACCEPT, REJECT, ERROR, or CRASH, TIMEOUT,
 * NO-START for the failures of an external adapter. */
const char *gth_result_word(const gth_result *r);
/* 1 if the result is a recovered crash of the parser: REJECT "panic: ...". */
int gth_result_panicked(const gth_result *r);

void gth_result_init(gth_result *r);
void gth_result_reset(gth_result *r);
void gth_result_free(gth_result *r);

typedef struct gth_adapter {
    char name[64];
    int builtin;       /* our validator, in-process */
    int profile;       /* built-in, go, go@1.XX: GTH_PROFILE_* */
    char *command;     /* external: shell command; --batch --events are appended */
    char *both_command; /* go, go@1.XX: the command with --profile=both, else NULL */
    pid_t pid;
    int to_fd, from_fd;
    gth_buf inbuf;     /* bytes read from the adapter, not yet consumed */
    size_t inpos;
    int timeout_ms;    /* per trace; 0 = none */
    size_t max_stream; /* bytes of stream kept per trace */
    int first_party;   /* gth, go, go@1.XX: their error texts are Go's, compared exactly */
    size_t answered;   /* traces it answered: a verdict, or output before a crash, or a timeout */
    int started_ok;    /* the current process has written something */
    char id_file[64];  /* GTH_TRACE_ID_FILE of the process: the current trace's id */
    /* Capabilities (gth_adapter_capabilities): */
    int has_versions;   /* it declared the trace versions it reads */
    uint8_t reads[64];  /* reads[minor]: it reads traces of Go 1.minor */
    unsigned api;       /* the API generation of its stream (1.api), 0: the newest */
    int digest_cap;     /* it prints stream digests (--digest; declared by a line "digest") */
    /* Digest mode: each trace gives the stream's digest (gth_result.digest),
     * not its lines. Set before the first trace (needs digest_cap). */
    int digest;
    int both_cap;       /* --profile=both answers in both profiles (declared by a line "both") */
    /* Its process runs both_command: each trace is answered with two frames,
     * profile parser (this adapter's) then validate (gth_adapter_receive_both).
     * Set before the first trace. */
    int both;
    int sent;           /* gth_adapter_send: 1 the trace was given, -1 that failed, 0 none */
} gth_adapter;

/* Asks an external adapter what it reads: `COMMAND --capabilities` with no
 * input, answered by lines `versions 1.N ...` and `api 1.N`
 * (adapters/README.md); an adapter that answers otherwise declares nothing
 * (it is given every trace, its stream taken as the newest API's); a line
 * `digest` says it prints stream digests with --digest, a line `both` that
 * --profile=both answers in both profiles. The built-in adapter
 * reads the v2 versions and makes digests. */
void gth_adapter_capabilities(gth_adapter *a);
/* 1 if one process of parser's both_command can answer for parser and
 * validate (gth_adapter.both): the same Go reader in profiles parser and
 * validate, both declaring `both`, run alike (stream mode, time, limits). */
int gth_adapter_can_join(const gth_adapter *parser, const gth_adapter *validate);
/* 1 if the adapter reads traces of Go 1.minor (minor 0: unknown, read). */
int gth_adapter_reads(const gth_adapter *a, unsigned minor);

/* Parses an adapter spec: "gth", "gth:parser", "gth:validate", "go",
 * "go:parser", "go:validate", a Go release's reader "go@1.22" ... "go@1.27"
 * (optionally ":parser" or ":validate"), or NAME=COMMAND / COMMAND for any other
 * adapter. gthref: the Go adapter's path (for "go..."; the release adapters sit
 * beside it). Returns 0 or -1 (why). */
int gth_adapter_parse(gth_adapter *a, const char *spec, const char *gthref, char *why, size_t whysz);
/* Runs one trace (a binary file). Starts or restarts the process as needed; an
 * adapter that dies or exceeds its time gives RES_ERROR with a message and
 * res->failure set. */
int gth_adapter_run(gth_adapter *a, const char *path, gth_result *res);
/* The same, telling the adapter the trace's id: an external adapter's process
 * has the environment variable GTH_TRACE_ID_FILE naming a file that holds the
 * id of the trace (one line) from before its path is written until the next
 * one (adapters/README.md). */
int gth_adapter_run_id(gth_adapter *a, const char *path, const char *id, gth_result *res);
/* gth_adapter_run_id in two steps, so that the caller can do other work while
 * an external adapter reads the trace: gth_adapter_send gives it the trace
 * (res is reset, and receives a failure to do so), gth_adapter_receive (with
 * the same path and res) takes its answer. The built-in adapter does all its
 * work in gth_adapter_receive. */
void gth_adapter_send(gth_adapter *a, const char *path, const char *id, gth_result *res);
int gth_adapter_receive(gth_adapter *a, const char *path, gth_result *res);
/* For an adapter in mode both (given the trace by gth_adapter_send with res):
 * its answer into res and that of the validate profile, adapter v, into vres.
 * The time limit is a's, once for the two: a timeout or crash before the
 * second frame is that of both results (vres's text naming v). On an adapter
 * in mode both, gth_adapter_receive keeps the first frame only. */
void gth_adapter_receive_both(gth_adapter *a, gth_adapter *v, const char *path, gth_result *res, gth_result *vres);
void gth_adapter_close(gth_adapter *a);
/* A copy of a parsed adapter with a process of its own (not started yet), for
 * running traces at the same time; close it with gth_adapter_close. 0 or -1. */
int gth_adapter_clone(const gth_adapter *src, gth_adapter *dst);

/* Where the Go adapter is: $GTH_GTHREF, else next to this executable. NULL if
 * not found (why says how to build it). */
const char *gth_find_gthref(char *buf, size_t bufsz, char *why, size_t whysz);

#endif
