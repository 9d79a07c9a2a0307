/*
 * Target diff_go: differential fuzzing against Go's reader. Every input goes
 * through gth (gth_validate_mem) and through Go's reader and validator (a
 * persistent `gthref serve` child fed over a pipe: adapters/go/cmd/gthref/
 * serve.go), in both profiles, parser and validate. The input is a finding
 * (abort, with both sides' results on stderr) when, in either profile:
 *   - the verdicts differ (one accepts, the other rejects);
 *   - both reject and the texts differ under the one agreement rule
 *     (gth_same_message: harness/agree.h);
 *   - both accept and the stream digests differ (adapters/README.md, "Stream
 *     digests": only then must they be equal; when either rejects, one
 *     stream may be a prefix of the other);
 *   - Go panics and gth does not name that panic with one of the catalogue's
 *     validate.panic-* entries (spec/invariants.def): a new API panic;
 *   - the child dies or answers out of protocol.
 * Traces of the old (v1) formats (headers go 1.11, 1.19, 1.21) are outside the
 * project: gth rejects them, Go reads them with a parser of its own; for them
 * only a Go panic is a finding.
 *
 * gthref is found as: $GTH_GTHREF; else the path the build wrote in
 * (GTH_FUZZ_GTHREF, fuzz/CMakeLists.txt); else `gthref` beside this program.
 * The child is started at the first input, in the process that runs it (so
 * AFL++'s fork server and libFuzzer's fork mode give each worker its own),
 * and dies with it (PR_SET_PDEATHSIG). While Go reads the input, gth reads it
 * too: the two sides run in parallel. Each side reads the input once for both
 * profiles where it can: Go always (check.RunBoth), gth unless its validator
 * made the finding (run_gth_both says how that shortcut is itself checked).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "base/quote.h"
#include "format/header.h"
#include "harness/agree.h"
#include "spec/spec.h"
#include "spec/invariants.h"
#include "validator/digest.h"
#include "validator/reader.h"
#include "validator/validate.h"

#ifndef GTH_FUZZ_GTHREF
#define GTH_FUZZ_GTHREF ""
#endif

/* One side's outcome in one profile. */
typedef struct side {
    int reject;
    uint64_t events;
    char digest[GTH_DIGEST_HEX_LEN + 1];
    gth_buf msg;
    unsigned inv; /* gth only: the catalogue entry of the rejection */
} side;

static struct {
    pid_t pid, owner;
    int to, from;
    char path[4096];
} go = {.pid = -1, .to = -1, .from = -1};

static const char *find_gthref(void) {
    const char *env = getenv("GTH_GTHREF");
    if (env && *env) return env;
    if (GTH_FUZZ_GTHREF[0] && access(GTH_FUZZ_GTHREF, X_OK) == 0) return GTH_FUZZ_GTHREF;
    ssize_t n = readlink("/proc/self/exe", go.path, sizeof go.path - 16);
    if (n > 0) {
        go.path[n] = 0;
        char *slash = strrchr(go.path, '/');
        if (slash) {
            strcpy(slash + 1, "gthref");
            if (access(go.path, X_OK) == 0) return go.path;
        }
    }
    return NULL;
}

static void start_go(void) {
    const char *path = find_gthref();
    FUZZ_CHECK(path != NULL, "gthref not found: set GTH_GTHREF, or build it beside this program "
                             "(go -C adapters/go build -o DIR/gthref ./cmd/gthref)");
    if (path != go.path) snprintf(go.path, sizeof go.path, "%s", path);
    int in[2], out[2];
    FUZZ_CHECK(pipe(in) == 0 && pipe(out) == 0, "pipe: %s", strerror(errno));
    /* A dead child is reported by the write or read that meets it. */
    signal(SIGPIPE, SIG_IGN);
    pid_t parent = getpid();
    pid_t pid = fork();
    FUZZ_CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl(go.path, "gthref", "serve", (char *)NULL);
        fprintf(stderr, "diff_go: exec %s: %s\n", go.path, strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    go.pid = pid;
    go.owner = parent;
    go.to = in[1];
    go.from = out[0];
}

static void write_all(const void *p, size_t n) {
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = write(go.to, b, n);
        if (w < 0 && errno == EINTR) continue;
        FUZZ_CHECK(w > 0, "writing to gthref serve (%s): %s", go.path, w < 0 ? strerror(errno) : "closed");
        b += w;
        n -= (size_t)w;
    }
}

static void read_all(void *p, size_t n) {
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = read(go.from, b, n);
        if (r < 0 && errno == EINTR) continue;
        FUZZ_CHECK(r > 0, "gthref serve (%s) stopped answering: %s", go.path,
                   r < 0 ? strerror(errno) : "it exited (see its message above)");
        b += r;
        n -= (size_t)r;
    }
}

static uint64_t le(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* One record of gthref serve's answer. */
static void read_go(side *s) {
    uint8_t h[1 + 8 + GTH_DIGEST_HEX_LEN + 4];
    read_all(h, sizeof h);
    FUZZ_CHECK(h[0] <= 1, "gthref serve: verdict byte %u", h[0]);
    s->reject = h[0];
    s->events = le(h + 1, 8);
    memcpy(s->digest, h + 9, GTH_DIGEST_HEX_LEN);
    s->digest[GTH_DIGEST_HEX_LEN] = 0;
    uint64_t n = le(h + 9 + GTH_DIGEST_HEX_LEN, 4);
    s->msg.len = 0;
    FUZZ_CHECK(gth_buf_reserve(&s->msg, n + 1) == GTH_OK, "out of memory");
    read_all(s->msg.data, n);
    s->msg.len = n;
    s->msg.data[n] = 0;
}

static void print_side(const char *who, const side *s) {
    fprintf(stderr, "  %s %s, %llu events, DIGEST %s\n", who, s->reject ? "REJECT" : "ACCEPT",
            (unsigned long long)s->events, s->digest);
    if (s->reject) {
        gth_buf q;
        gth_buf_init(&q, NULL);
        gth_quote_append(&q, s->msg.data, s->msg.len); /* as strconv.Quote: NULs and newlines shown */
        fprintf(stderr, "       %.*s\n", (int)q.len, q.data ? (const char *)q.data : "");
        gth_buf_free(&q);
    }
}

/* Runs gth in one profile; *validator (if not NULL) is set when the run
 * stopped at a finding of Go's validator (not the reader's or the API's). */
static void run_gth(const uint8_t *data, size_t size, int profile, side *s, int *validator) {
    static gth_buf event;
    static int event_init;
    if (!event_init) gth_buf_init(&event, NULL), event_init = 1;
    gth_digest d;
    FUZZ_CHECK(gth_digest_init(&d) == 0, "out of memory");
    s->msg.len = 0;
    event.len = 0;
    gth_validate_opts o = {.emit = gth_digest_emit, .ud = &d, .message = &s->msg, .event = &event};
    gth_validate_result res;
    int rc = gth_validate_mem(data, size, profile, &o, &res);
    FUZZ_CHECK(rc == GTH_OK || rc == GTH_EINVALID, "status %d: %s", rc, res.err.msg);
    FUZZ_CHECK(gth_digest_final(&d, s->digest) == 0, "the digest failed");
    gth_digest_free(&d);
    s->reject = rc != GTH_OK;
    s->events = res.nevents;
    s->inv = s->reject ? (unsigned)res.err.inv : 0;
    if (!s->reject) s->msg.len = 0;
    else if (s->msg.len == 0) gth_buf_append(&s->msg, res.err.msg, strlen(res.err.msg));
    FUZZ_CHECK(gth_buf_append(&s->msg, "", 1) == GTH_OK, "out of memory");
    s->msg.len--; /* NUL-terminated, the NUL not counted */
    if (validator) *validator = s->reject && event.len > 0;
}

static void copy_side(side *to, const side *from) {
    to->reject = from->reject;
    to->events = from->events;
    to->inv = from->inv;
    memcpy(to->digest, from->digest, sizeof to->digest);
    to->msg.len = 0;
    FUZZ_CHECK(gth_buf_append(&to->msg, from->msg.data, from->msg.len + 1) == GTH_OK, "out of memory");
    to->msg.len--;
}

static int same_side(const side *a, const side *b) {
    return a->reject == b->reject && a->events == b->events && a->inv == b->inv && !strcmp(a->digest, b->digest) &&
           a->msg.len == b->msg.len && !memcmp(a->msg.data, b->msg.data, a->msg.len);
}

/* gth in both profiles. The parser profile's result is the validate
 * profile's unless Go's validator made the finding (validator/validate.h:
 * the validator only looks at the delivered stream), so it is run only then
 * — and, to keep that property itself under test, on one input in 16 (by a
 * hash of the input, so that a finding reproduces), or on every input with
 * GTH_DIFF_GO_FULL=1. */
static void run_gth_both(const uint8_t *data, size_t size, side *parser, side *validate) {
    static side check;
    static int full = -1;
    if (full < 0) {
        const char *e = getenv("GTH_DIFF_GO_FULL");
        full = e && *e && strcmp(e, "0") != 0;
        gth_buf_init(&check.msg, NULL);
    }
    int validator = 0;
    run_gth(data, size, GTH_PROFILE_VALIDATE, validate, &validator);
    if (validator) {
        run_gth(data, size, GTH_PROFILE_PARSER, parser, NULL);
        return;
    }
    copy_side(parser, validate);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
    if (full || (h & 15) == 0) {
        run_gth(data, size, GTH_PROFILE_PARSER, &check, NULL);
        if (!same_side(&check, parser)) {
            fprintf(stderr, "diff_go: gth's parser profile differs from its validate profile, which "
                            "stopped at no finding of Go's validator\n");
            print_side("parser:  ", &check);
            print_side("validate:", validate);
            abort();
        }
    }
}

static int is_panic_entry(unsigned inv) {
    const gth_invariant *v = gth_invariant_get(inv);
    return v && strncmp(v->id, "validate.panic-", 15) == 0;
}

static void report(const char *profile, const char *what, const side *g, const side *o) {
    fprintf(stderr, "diff_go: profile %s: %s\n", profile, what);
    print_side("gth:", g);
    const gth_invariant *v = gth_invariant_get(g->inv);
    if (v) fprintf(stderr, "       (gth's finding: %s)\n", v->id);
    print_side("go: ", o);
    fprintf(stderr, "  the streams of the crash input: gth diff --adapter go:%s --adapter gth:%s FILE\n", profile,
            profile);
    abort();
}

/* A known gth defect, docs/FINDINGS.md ("gth: reader texts are cut beyond
 * 4095 bytes"): the reader's error texts are at most GTH_ERROR_MSG_MAX - 1
 * bytes. While it is open, a text of Go's longer than that is let pass when
 * gth's is its first GTH_ERROR_MSG_MAX - 1 bytes, and only then; with
 * GTH_DIFF_GO_STRICT=1 it is a finding too. */
static int known_cut_text(const side *g, const side *o) {
    static int strict = -1;
    if (strict < 0) {
        const char *e = getenv("GTH_DIFF_GO_STRICT");
        strict = e && *e && strcmp(e, "0") != 0;
    }
    const size_t k = GTH_ERROR_MSG_MAX - 1;
    if (strict || o->msg.len <= k) return 0;
    return g->msg.len == k && !memcmp(g->msg.data, o->msg.data, k);
}

static void compare(const char *profile, const side *g, const side *o) {
    if (g->reject != o->reject) report(profile, "the verdicts differ", g, o);
    if (g->reject) {
        if (!gth_same_message((const char *)g->msg.data, g->msg.len, (const char *)o->msg.data, o->msg.len) &&
            !known_cut_text(g, o))
            report(profile, "the error texts differ", g, o);
        if (o->msg.len >= 7 && memcmp(o->msg.data, "panic: ", 7) == 0 && !is_panic_entry(g->inv))
            report(profile, "Go panics, and the catalogue names no such panic (validate.panic-*)", g, o);
    } else if (strcmp(g->digest, o->digest) != 0 || g->events != o->events) {
        report(profile, "both accept, and the stream digests differ", g, o);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static side gs[2], os[2];
    static const char *const names[2] = {"parser", "validate"};
    if (size > 0xffffffffu) return 0;
    if (go.pid < 0 || go.owner != getpid()) {
        if (go.pid < 0)
            for (int i = 0; i < 2; i++) gth_buf_init(&gs[i].msg, NULL), gth_buf_init(&os[i].msg, NULL);
        start_go();
    }
    /* Go starts on the input while gth reads it. */
    uint8_t hdr[4] = {(uint8_t)size, (uint8_t)(size >> 8), (uint8_t)(size >> 16), (uint8_t)(size >> 24)};
    write_all(hdr, 4);
    write_all(data, size);
    /* The old (v1) formats are outside the project (docs/FORMAT.md §1.1: gth
     * rejects them under header.version, Go reads them with its v1 parser);
     * of Go's side only a panic counts there. */
    unsigned minor;
    size_t hlen;
    gth_error herr;
    int v1 = gth_header_parse(data, size, 1, &minor, &hlen, &herr) == GTH_READ_OK && !gth_version_is_v2(minor);
    if (!v1) run_gth_both(data, size, &gs[0], &gs[1]);
    for (int i = 0; i < 2; i++) read_go(&os[i]);
    for (int i = 0; i < 2; i++) {
        if (!v1) {
            compare(names[i], &gs[i], &os[i]);
        } else if (os[i].reject && os[i].msg.len >= 7 && memcmp(os[i].msg.data, "panic: ", 7) == 0) {
            fprintf(stderr, "diff_go: profile %s: Go panics on an old (v1) trace\n", names[i]);
            print_side("go: ", &os[i]);
            abort();
        }
    }
    return 0;
}
