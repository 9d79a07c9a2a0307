/*
 * Hostile sizes: inputs built with format/encode whose lengths, counts and ids
 * sit at the edges — sizes and lengths up to 2^64-1, ids at their maximum, a
 * batch that claims gigabytes, a million strings or stacks, a stack of 10^5
 * frames, one generation holding the whole file, a million tiny generations.
 * Every run happens in a forked child under setrlimit(RLIMIT_AS) of its
 * address space at the start plus 4 x the input + 64 MiB (not under ASan, whose
 * shadow memory needs terabytes of address space), so an allocation driven by
 * a length field fails the run instead of passing unnoticed. The child must not
 * crash; an error must name the byte offset (or text line) of the culprit; and
 * CPU time must grow linearly with the input (two sizes compared, generously).
 * Verdicts on the small id-edge traces are compared with Go's reader (gth diff).
 */
#include "util/testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "format/convert.h"
#include "format/format.h"
#include "spec/invariants.h"
#include "util/tracebuild.h"
#include "validator/reader.h"
#include "validator/validate.h"

#if defined(__SANITIZE_ADDRESS__)
#define HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTILE_ASAN 1
#endif
#endif
#ifndef HOSTILE_ASAN
#define HOSTILE_ASAN 0
#endif

/* Under ASan or valgrind (scripts/valgrind.sh sets GTH_UNDER_VALGRIND) sizes
 * are scaled down ten times and the address-space limit is left out: both
 * tools reserve address space of their own. */
static int slow_tool(void) { return HOSTILE_ASAN || getenv("GTH_UNDER_VALGRIND") != NULL; }
#define SCALE(n) (slow_tool() ? (n) / 10 : (n))

#define MIB (1024 * 1024)

/* The bytes of a valid 1.26 generation's tables, to put in front of a hostile item. */
static gth_buf prelude_bytes(void) {
    tb t;
    tb_init(&t, 26, 0);
    t.gen = 1;
    tb_string(&t, 1, "main.main");
    tb_sync(&t);
    size_t n;
    uint8_t *p = tb_finish(&t, &n);
    return (gth_buf){p, n, n, gth_default_allocator(), 0};
}

/* ---- Running under limits ------------------------------------------------------ */

typedef struct outcome {
    int status;
    uint64_t offset, line;
    double cpu; /* seconds */
    char msg[400];
} outcome;

typedef int (*op_fn)(const uint8_t *p, size_t n, gth_error *err);

/* Address space of this process now, in bytes. */
static size_t vm_size(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1) pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs op over p[0..n) in a child limited to its current address space plus
 * 4 x n + 64 MiB (the memory bound README.md promises). Fails the
 * test if the child dies. */
static outcome run_limited(const char *what, op_fn op, const uint8_t *p, size_t n) {
    const size_t factor = 4;
    int fds[2];
    if (pipe(fds) != 0) fail_msg("pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) fail_msg("fork");
    if (pid == 0) {
        close(fds[0]);
        if (!slow_tool()) {
            rlim_t lim = (rlim_t)(vm_size() + factor * n + 64 * MIB);
            struct rlimit rl = {lim, lim};
            if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(90);
        }
        outcome o;
        memset(&o, 0, sizeof o);
        gth_error err;
        gth_error_clear(&err);
        double t0 = cpu_now();
        o.status = op(p, n, &err);
        o.cpu = cpu_now() - t0;
        o.offset = err.offset;
        o.line = err.line;
        snprintf(o.msg, sizeof o.msg, "%.399s", err.msg);
        if (write(fds[1], &o, sizeof o) != (ssize_t)sizeof o) _exit(91);
        _exit(0);
    }
    close(fds[1]);
    outcome o;
    ssize_t got = read(fds[0], &o, sizeof o);
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0) {}
    if (WIFSIGNALED(st)) fail_msg("%s: the run died of signal %d", what, WTERMSIG(st));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || got != (ssize_t)sizeof o)
        fail_msg("%s: the run failed (exit %d)", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    if (o.status == GTH_ENOMEM)
        fail_msg("%s: out of memory within %zu x %zu + 64 MiB: %s", what, factor, n, o.msg);
    return o;
}

/* ---- Operations ------------------------------------------------------------------ */

static int pipeline(const uint8_t *p, size_t n, gth_error *err, int profile) {
    gth_validate_result res;
    int rc = gth_validate_mem(p, n, profile, NULL, &res);
    *err = res.err;
    return rc;
}

static int op_validate(const uint8_t *p, size_t n, gth_error *err) { return pipeline(p, n, err, GTH_PROFILE_VALIDATE); }

/* The reader over the same bytes as a pipe (no pread): generations are
 * buffered whole, the other input path. */
static long pipe_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    (void)err;
    gth_mem_source *m = ud;
    size_t k = m->len - m->pos < n ? m->len - m->pos : n;
    memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return (long)k;
}

static int op_parser_pipe(const uint8_t *p, size_t n, gth_error *err) {
    gth_mem_source ms = {p, n, 0};
    gth_validate_result res;
    int rc = gth_validate((gth_source){.read = pipe_read, .ud = &ms}, GTH_PROFILE_PARSER, NULL, &res);
    *err = res.err;
    return rc;
}
static int op_parser(const uint8_t *p, size_t n, gth_error *err) { return pipeline(p, n, err, GTH_PROFILE_PARSER); }

static int nothing(void *ud, const gth_raw_event *ev) {
    (void)ud, (void)ev;
    return 0;
}

static int op_decode(const uint8_t *p, size_t n, gth_error *err) {
    unsigned minor;
    return gth_decode_all(p, n, GTH_DEC_FULL_TABLE, NULL, &minor, nothing, NULL, err);
}

static int op_decode_flat(const uint8_t *p, size_t n, gth_error *err) {
    unsigned minor;
    return gth_decode_all(p, n, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE, NULL, &minor, nothing, NULL, err);
}

static int op_to_text(const uint8_t *p, size_t n, gth_error *err) {
    gth_buf out;
    gth_buf_init(&out, NULL);
    int rc = gth_convert_binary_to_text(p, n, 0, &out, err);
    gth_buf_free(&out);
    return rc;
}

/* Binary to text streamed, as `gth dump` does: each event's text is written
 * out (here: dropped) before the next is decoded, so memory does not grow with
 * the output. */
static int dump_event(void *ud, const gth_raw_event *ev) {
    gth_buf *b = ud;
    b->len = 0;
    return gth_text_write_event(b, ev) != 0 ? GTH_ENOMEM : 0;
}

static int op_dump(const uint8_t *p, size_t n, gth_error *err) {
    gth_buf b;
    gth_buf_init(&b, NULL);
    unsigned minor;
    int rc = gth_decode_all(p, n, 0, NULL, &minor, dump_event, &b, err);
    if (rc == GTH_ENOMEM) gth_error_nomem(err);
    gth_buf_free(&b);
    return rc;
}

static int op_text_to_binary(const uint8_t *p, size_t n, gth_error *err) {
    gth_buf out;
    gth_buf_init(&out, NULL);
    int rc = gth_convert_text_to_binary(p, n, "hostile", GTH_ENC_VERBATIM, &out, err);
    gth_buf_free(&out);
    return rc;
}

/* The validate profile is left out of the offset checks: when reading a
 * 1.25+ generation fails, Go's reader first delivers a Sync without a clock
 * snapshot, which Go's validator reports (without an offset) before the
 * reader's error. */
static const struct {
    const char *name;
    op_fn fn;
} binary_ops[] = {
    {"parser", op_parser}, {"parser-pipe", op_parser_pipe}, {"decode", op_decode}, {"decode-flat", op_decode_flat},
    {"to-text", op_to_text}, {"validate", op_validate},
};
#define NOPS (sizeof binary_ops / sizeof *binary_ops)

/* ---- Size fields that lie --------------------------------------------------------- */

/* Checks that an op's error on a trace whose bad item starts at `at` names a
 * byte of that item's first 24 bytes (the validate profile: only that it is
 * an error, see binary_ops). */
static void expect_error_at(const char *what, op_fn fn, const outcome *o, uint64_t at) {
    if (o->status != GTH_EINVALID) fail_msg("%s: want an error, got status %d (%s)", what, o->status, o->msg);
    if (fn == op_validate) return;
    if (o->offset == GTH_NO_OFFSET || o->offset < at || o->offset >= at + 24)
        fail_msg("%s: error at offset %llu, want the item at %llu: %s", what, (unsigned long long)o->offset,
                 (unsigned long long)at, o->msg);
}

typedef struct lie {
    const char *name;
    uint64_t value;
} lie;

static const lie lies[] = {
    {"2^64-1", MAXU}, {"2^63", 1ull << 63}, {"4 GiB", 4ull << 30}, {"65537", 65537},
};

static void batch_sizes(void **state) {
    (void)state;
    char what[200];
    for (size_t l = 0; l < sizeof lies / sizeof *lies; l++) {
        for (int exp = 0; exp < 2; exp++) {
            /* An EventBatch (or ExperimentalBatch) whose size claims that much,
             * followed by a few real bytes (a ProcStatus). */
            gth_buf b = prelude_bytes();
            uint64_t eb[] = {1, 3, 1000, lies[l].value}, xb[] = {1, 1, 3, 1000, lies[l].value};
            size_t at = exp ? raw_batch(&b, GTH_EV_ExperimentalBatch, xb, 5, "\x0d\x01\x00\x01", 4)
                            : raw_batch(&b, GTH_EV_EventBatch, eb, 4, "\x0d\x01\x00\x01", 4);
            for (size_t i = 0; i < NOPS; i++) {
                snprintf(what, sizeof what, "%s size %s, %s", exp ? "ExperimentalBatch" : "EventBatch",
                         lies[l].name, binary_ops[i].name);
                outcome o = run_limited(what, binary_ops[i].fn, b.data, b.len);
                if (binary_ops[i].fn == op_decode_flat) {
                    /* Go's raw reader ignores batch sizes, reads data lengths
                     * as int (2^63 and above: no data) and takes the end of the
                     * input inside data for a clean end: what it accepts here
                     * is no error; any error must still name the batch. */
                    if (o.status != GTH_OK) expect_error_at(what, binary_ops[i].fn, &o, at);
                    continue;
                }
                expect_error_at(what, binary_ops[i].fn, &o, at);
            }
            gth_buf_free(&b);
        }
    }
}

static void string_and_stack_lengths(void **state) {
    (void)state;
    char what[200];
    for (size_t l = 0; l < sizeof lies / sizeof *lies; l++) {
        for (int stack = 0; stack < 2; stack++) {
            /* A String whose length claims that much and has 3 bytes, or a
             * Stack whose frame count does and has one frame; batch sizes true. */
            gth_buf pay;
            gth_buf_init(&pay, NULL);
            gth_buf_putc(&pay, stack ? GTH_EV_Stacks : GTH_EV_Strings);
            size_t item = pay.len;
            gth_buf_putc(&pay, stack ? GTH_EV_Stack : GTH_EV_String);
            gth_buf_put_uvarint(&pay, 1);
            gth_buf_put_uvarint(&pay, lies[l].value);
            if (stack) gth_buf_append(&pay, "\x80\x20\x01\x01\x07", 5);
            else gth_buf_append(&pay, "abc", 3);
            gth_buf b = prelude_bytes();
            uint64_t eb[] = {1, NO_ID, 1000, pay.len};
            size_t at = raw_batch(&b, GTH_EV_EventBatch, eb, 4, pay.data, pay.len);
            size_t hdr = b.len - at - pay.len;
            for (size_t i = 0; i < NOPS; i++) {
                snprintf(what, sizeof what, "%s %s, %s", stack ? "Stack frame count" : "String length", lies[l].name,
                         binary_ops[i].name);
                outcome o = run_limited(what, binary_ops[i].fn, b.data, b.len);
                if (binary_ops[i].fn == op_decode_flat && o.status == GTH_OK) continue; /* as above */
                expect_error_at(what, binary_ops[i].fn, &o, at + hdr + item);
            }
            gth_buf_free(&b);
            gth_buf_free(&pay);
        }
    }
}

/* Varints longer than 64 bits where each header field and table field stands. */
static void varint_overflow(void **state) {
    (void)state;
    static const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    for (int field = 0; field < 4; field++) {
        gth_buf b = prelude_bytes();
        size_t at = b.len;
        gth_buf_putc(&b, GTH_EV_EventBatch);
        for (int f = 0; f < 4; f++) {
            if (f == field) gth_buf_append(&b, over, sizeof over);
            else gth_buf_put_uvarint(&b, f == 3 ? 0 : 1);
        }
        char what[100];
        for (size_t i = 0; i < NOPS; i++) {
            snprintf(what, sizeof what, "overflowing varint in header field %d, %s", field, binary_ops[i].name);
            outcome o = run_limited(what, binary_ops[i].fn, b.data, b.len);
            expect_error_at(what, binary_ops[i].fn, &o, at);
        }
        gth_buf_free(&b);
    }
}

/* ---- Ids at their maximum, judged by Go ------------------------------------------- */

static uint8_t *ids_trace(int variant, size_t *n) {
    tb t;
    tb_init(&t, variant >= 4 ? 25 : 26, 0);
    uint64_t big = variant % 2 ? MAXU : MAXU - 1;      /* ids: NoID itself, or the largest other */
    uint64_t half = variant % 2 ? 1ull << 63 : INT64_MAX; /* where int64 conversion flips */
    t.gen = variant == 2 || variant >= 4 ? MAXU : variant == 3 ? INT64_MAX : 1;
    tb_string(&t, big, "main.f");
    tb_string(&t, big - 1, "main.go");
    tb_string(&t, 1, "task");
    uint64_t frame[4] = {MAXU, big, big - 1, MAXU};
    tb_stack(&t, big, frame, 1);
    tb_sync(&t);
    tb_batch(&t, t.gen, big - 2);
    EV(&t, GTH_EV_ProcStatus, 1, half, GTH_PS_RUNNING);
    EV(&t, GTH_EV_GoStatus, 1, half, big - 2, GTH_GS_RUNNING);
    EV(&t, GTH_EV_UserTaskBegin, 1, big, 0, 1, big);
    EV(&t, GTH_EV_UserLog, 1, big, big, big - 1, big);
    EV(&t, GTH_EV_UserTaskEnd, 1, big, big);
    EV(&t, GTH_EV_GoCreate, 1, big, big, big);
    EV(&t, GTH_EV_HeapAlloc, MAXU, MAXU);
    EV(&t, GTH_EV_GoStop, 1, big, big);
    tb_end_gen(&t);
    if (variant >= 4) {
        /* 1.25: the next generation number wraps (or not) after the maximum. */
        t.gen++;
        tb_sync(&t);
    }
    return tb_finish(&t, n);
}

static void ids_at_maximum(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("hostile-ids");
    for (int v = 0; v < 6; v++) {
        size_t n;
        uint8_t *p = ids_trace(v, &n);
        char what[64], path[4200];
        for (size_t i = 0; i < NOPS; i++) {
            snprintf(what, sizeof what, "ids variant %d, %s", v, binary_ops[i].name);
            outcome o = run_limited(what, binary_ops[i].fn, p, n);
            if (o.status == GTH_EINVALID && o.offset == GTH_NO_OFFSET && binary_ops[i].fn != op_validate)
                fail_msg("%s: error without an offset: %s", what, o.msg);
        }
        snprintf(path, sizeof path, "%s/ids-%d.bin", dir, v);
        tu_write_file(path, p, n);
        free(p);
    }
    /* Our verdicts and event streams against Go's reader, both profiles. */
    tb_agree_with_go(dir);
}

/* ---- Many, big, deep ------------------------------------------------------------- */

/* A generation with `count` strings (kind 0) or stacks (kind 1). */
static uint8_t *many_trace(int kind, size_t count, size_t *n) {
    tb t;
    tb_init(&t, 26, 0);
    t.gen = 1;
    char s[32];
    if (kind == 0) {
        for (size_t i = 1; i <= count; i++) {
            snprintf(s, sizeof s, "s%zu", i);
            tb_string(&t, i, s);
        }
    } else {
        tb_string(&t, 1, "main.f");
        tb_string(&t, 2, "main.go");
        for (size_t i = 1; i <= count; i++) {
            uint64_t frame[4] = {0x400000 + i, 1, 2, i};
            tb_stack(&t, i, frame, 1);
        }
    }
    tb_sync(&t);
    tb_end_gen(&t);
    return tb_finish(&t, n);
}

/* One generation of `nbatches` M batches (thread 1 running goroutine 1),
 * each full of heap metrics: the whole file is one generation. */
static uint8_t *big_gen_trace(size_t nbatches, size_t *n) {
    tb t;
    tb_init(&t, 26, 0);
    t.gen = 1;
    tb_sync(&t);
    for (size_t b = 0; b < nbatches; b++) {
        tb_batch(&t, 1, 1);
        if (b == 0) {
            EV(&t, GTH_EV_ProcStatus, 1, 0, GTH_PS_RUNNING);
            EV(&t, GTH_EV_GoStatus, 1, 1, 1, GTH_GS_RUNNING);
        }
        for (int i = 0; i < 8000; i++) EV(&t, GTH_EV_HeapAlloc, 1, (uint64_t)i * 8);
    }
    tb_end_gen(&t);
    return tb_finish(&t, n);
}

/* `count` generations of a sync batch each. */
static uint8_t *tiny_gens_trace(size_t count, size_t *n) {
    tb t;
    tb_init(&t, 26, 0);
    for (size_t g = 1; g <= count; g++) {
        t.gen = g;
        tb_sync(&t);
        tb_end_gen(&t);
    }
    return tb_finish(&t, n);
}

/* A generation of count/10 strings and stacks, then `count` tiny ones: what
 * the big one left behind must not be paid for again by each tiny one. */
static uint8_t *big_then_tiny_trace(size_t count, size_t *n) {
    tb t;
    tb_init(&t, 26, 0);
    t.gen = 1;
    char s[32];
    for (size_t i = 1; i <= count / 10; i++) {
        snprintf(s, sizeof s, "s%zu", i);
        tb_string(&t, i, s);
        uint64_t frame[4] = {0x400000 + i, 1, 1, i};
        tb_stack(&t, i, frame, 1);
    }
    tb_sync(&t);
    tb_end_gen(&t);
    for (size_t g = 2; g <= count + 1; g++) {
        t.gen = g;
        tb_sync(&t);
        tb_end_gen(&t);
    }
    return tb_finish(&t, n);
}

typedef uint8_t *(*build_fn)(size_t size, size_t *n);
static uint8_t *build_strings(size_t k, size_t *n) { return many_trace(0, k, n); }
static uint8_t *build_stacks(size_t k, size_t *n) { return many_trace(1, k, n); }

/* Runs every op over the trace of size k and of size k/ratio; checks the
 * verdict (want), the memory (by the limit) and that CPU time is linear. */
static void scale(const char *name, build_fn build, size_t k, size_t ratio, int want, const op_fn *ops, size_t nops) {
    size_t nbig, nsmall;
    uint8_t *big = build(k, &nbig), *small = build(k / ratio, &nsmall);
    const char *dump = getenv("GTH_HOSTILE_WRITE"); /* a directory: keep the inputs, for profiling */
    if (dump) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.bin", dump, name);
        for (char *c = path + strlen(dump) + 1; *c; c++)
            if (*c == ' ' || *c == '^') *c = '_';
        tu_write_file(path, big, nbig);
    }
    for (size_t i = 0; i < nops; i++) {
        char what[200];
        snprintf(what, sizeof what, "%s (%zu bytes)", name, nbig);
        outcome ob = run_limited(what, ops[i], big, nbig);
        outcome os = run_limited(what, ops[i], small, nsmall);
        if (ob.status != want || os.status != want)
            fail_msg("%s op %zu: status %d / %d, want %d: %s %s", name, i, ob.status, os.status, want, ob.msg, os.msg);
        double limit = 3.0 * (double)nbig / (double)nsmall * os.cpu + 0.25;
        print_message("%-40s op %zu: %9zu bytes %.3f s, %8zu bytes %.3f s\n", name, i, nbig, ob.cpu, nsmall, os.cpu);
        if (ob.cpu > limit)
            fail_msg("%s op %zu: %.3f s for %zu bytes but %.3f s for %zu: not linear", name, i, ob.cpu, nbig, os.cpu, nsmall);
    }
    free(big);
    free(small);
}

static const op_fn all_ops[] = {op_validate, op_parser, op_decode, op_dump, op_parser_pipe};

static void million_strings(void **state) {
    (void)state;
    scale("10^6 strings", build_strings, SCALE(1000000), 10, GTH_OK, all_ops, 5);
}

static void million_stacks(void **state) {
    (void)state;
    /* A stack of one frame with a PC of its own is ~14 input bytes; the reader
     * keeps about 70 bytes for it (stack record, frame record, frame index, and
     * the id and PC indexes), within 4x the input + 64 MiB. */
    scale("10^6 stacks", build_stacks, SCALE(1000000), 10, GTH_OK, all_ops, 5);
}

static void one_generation(void **state) {
    (void)state;
    scale("one generation holding the whole file", big_gen_trace, SCALE(1000), 10, GTH_OK, all_ops, 5);
}

static void tiny_generations(void **state) {
    (void)state;
    scale("10^6 tiny generations", tiny_gens_trace, SCALE(1000000), 10, GTH_OK, all_ops, 5);
}

static void big_then_tiny_generations(void **state) {
    (void)state;
    scale("a big generation, then 10^6 tiny ones", big_then_tiny_trace, SCALE(1000000), 10, GTH_OK, all_ops, 5);
}

/* A stack of 10^5 frames: in text (no batch limit there), converted to binary
 * (Go's text-to-bytes conversion writes it whole) and read back. */
static void deep_stack(void **state) {
    (void)state;
    size_t frames = SCALE(100000);
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_buf_printf(&b, "Trace Go1.26\nEventBatch gen=1 m=18446744073709551615 time=1 size=%zu\nStacks\n", (size_t)1);
    gth_buf_printf(&b, "Stack id=1 nframes=%zu\n", frames);
    for (size_t i = 0; i < frames; i++) gth_buf_printf(&b, "\tpc=%zu func=1 file=2 line=%zu\n", 0x400000 + i, i);
    outcome o = run_limited("text stack of 10^5 frames", op_text_to_binary, b.data, b.len);
    assert_int_equal(o.status, GTH_OK);
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    gth_error err;
    assert_int_equal(gth_convert_text_to_binary(b.data, b.len, "deep", GTH_ENC_VERBATIM, &bin, &err), GTH_OK);
    for (size_t i = 0; i < NOPS; i++) {
        char what[100];
        snprintf(what, sizeof what, "binary stack of 10^5 frames, %s", binary_ops[i].name);
        outcome ob = run_limited(what, binary_ops[i].fn, bin.data, bin.len);
        if (binary_ops[i].fn == op_decode_flat) continue; /* Go's raw reader reads it */
        /* The batch claims 1 byte: the Stack runs past it (or, read flat, the
         * count exceeds 128); either way an error at the stack's batch. */
        expect_error_at(what, binary_ops[i].fn, &ob, 16);
    }
    /* A text Stack that claims 2^64-1 frames and has three. */
    b.len = 0;
    gth_buf_printf(&b, "Trace Go1.26\nEventBatch gen=1 m=18446744073709551615 time=1 size=1\nStacks\n"
                       "Stack id=1 nframes=18446744073709551615\n\tpc=1 func=1 file=2 line=3\n"
                       "Stack id=2 nframes=9223372036854775807\n\tpc=1 func=1 file=2 line=3\n");
    o = run_limited("text stack claiming 2^64-1 frames", op_text_to_binary, b.data, b.len);
    if (o.status != GTH_EINVALID || o.line == 0) fail_msg("text stack claiming 2^64-1 frames: status %d line %llu: %s",
                                                          o.status, (unsigned long long)o.line, o.msg);
    gth_buf_free(&bin);
    gth_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_sizes),
        cmocka_unit_test(string_and_stack_lengths),
        cmocka_unit_test(varint_overflow),
        cmocka_unit_test(ids_at_maximum),
        cmocka_unit_test(million_strings),
        cmocka_unit_test(million_stacks),
        cmocka_unit_test(one_generation),
        cmocka_unit_test(tiny_generations),
        cmocka_unit_test(big_then_tiny_generations),
        cmocka_unit_test(deep_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
