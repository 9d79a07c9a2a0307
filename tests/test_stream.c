/*
 * The canonical event stream against Go: for every GOROOT golden trace and for
 * real traces written by the test programs (normal, stress with a generation
 * as often as the runtime can, and the AllocFree experiment), the lines of
 * `gth validate --events` must equal the Go adapter's (`gthref validate
 * --events`, Go's own Event values) line for line, and so must the verdict.
 * Plus the formatting rules of docs/EVENTS.md on hand-made views, and the
 * stack cache. Go is required; nothing is skipped.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quote.h"
#include "harness/agree.h"
#include "spec/invariants.h"
#include "validator/reader.h"
#include "validator/stream.h"
#include "validator/validate.h"

/* ---- One trace through our pipeline -------------------------------------------------- */

typedef struct result {
    char *lines; /* the stream, one "\n"-terminated line per event */
    size_t len;
    int accepted;
    char *msg; /* the finding's full text */
    int inv;
} result;

static int collect(void *ud, const uint8_t *line, size_t len) {
    gth_buf *b = ud;
    gth_buf_append(b, line, len);
    return gth_buf_putc(b, '\n');
}

static void ours(const uint8_t *data, size_t len, int profile, result *res) {
    gth_buf lines, msg;
    gth_buf_init(&lines, NULL);
    gth_buf_init(&msg, NULL);
    gth_validate_opts o = {.emit = collect, .ud = &lines, .message = &msg};
    gth_validate_result vr;
    int rc = gth_validate_mem(data, len, profile, &o, &vr);
    const gth_error err = vr.err;
    if (rc != GTH_OK) {
        assert_int_equal(rc, GTH_EINVALID);
        assert_non_null(gth_invariant_get((unsigned)err.inv));
    }
    res->accepted = rc == GTH_OK;
    res->inv = err.inv;
    gth_buf_putc(&lines, 0);
    gth_buf_putc(&msg, 0);
    res->lines = strdup((char *)lines.data);
    res->len = lines.len - 1;
    res->msg = strdup((char *)msg.data);
    gth_buf_free(&lines);
    gth_buf_free(&msg);
}

/* ---- The same traces through the Go adapter -------------------------------------------- */

typedef struct goresult {
    char *lines;
    size_t len;
    int accepted;
    char *msg;
} goresult;

/* Runs gthref validate --batch --events over paths; fills one goresult each. */
static goresult *go_run(char **paths, size_t n, const char *profile) {
    gth_buf list;
    gth_buf_init(&list, NULL);
    for (size_t i = 0; i < n; i++) gth_buf_printf(&list, "%s\n", paths[i]);
    char prof[64];
    snprintf(prof, sizeof prof, "--profile=%s", profile);
    char *argv[] = {(char *)tu_gthref(), "validate", "--batch", "--events", prof, NULL};
    char *out = NULL, *err = NULL;
    size_t olen = 0;
    tu_run(argv, list.data, list.len, &out, &olen, &err);
    gth_buf_free(&list);
    goresult *g = calloc(n, sizeof *g);
    size_t i = 0;
    char *p = out, *end = out + olen;
    while (p < end && i < n) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        if (strncmp(p, "== ", 3)) fail_msg("Go adapter: unexpected line %.80s", p);
        p = nl + 1;
        char *body = p, *last = NULL;
        for (;;) {
            nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) fail_msg("Go adapter output ends inside a trace: %s", err ? err : "");
            if (!strncmp(p, "== end", 6) && nl - p == 6) break;
            last = p;
            p = nl + 1;
        }
        char *endmark = p;
        p = nl + 1;
        if (!last) fail_msg("Go adapter printed no verdict for %s", paths[i]);
        g[i].lines = strndup(body, (size_t)(last - body));
        g[i].len = (size_t)(last - body);
        size_t vlen = (size_t)(endmark - last) - 1;
        if (vlen >= 6 && !strncmp(last, "ACCEPT", 6)) {
            g[i].accepted = 1;
            g[i].msg = strdup("");
        } else if (vlen > 7 && !strncmp(last, "REJECT ", 7)) {
            gth_buf m;
            gth_buf_init(&m, NULL);
            if (gth_unquote_append(&m, last + 7, vlen - 7) != 0) fail_msg("bad verdict %.*s", (int)vlen, last);
            gth_buf_putc(&m, 0);
            g[i].msg = strdup((char *)m.data);
            gth_buf_free(&m);
        } else {
            fail_msg("Go adapter: bad verdict line %.*s", (int)vlen, last);
        }
        i++;
    }
    if (i != n) fail_msg("Go adapter gave %zu results for %zu traces: %s", i, n, err ? err : "");
    free(out);
    free(err);
    return g;
}

/* Reports the first differing line. */
static void show_diff(const char *path, const char *go, const char *us) {
    size_t line = 1;
    while (*go && *go == *us) {
        if (*go == '\n') line++;
        go++, us++;
    }
    print_message("STREAM MISMATCH %s at line %zu\n  go: %.200s\n  us: %.200s\n", path, line, go, us);
}

/* Compares streams and verdicts on files; returns the number of traces. */
static size_t compare(char **paths, size_t n, const char *profile, size_t *events) {
    goresult *go = go_run(paths, n, profile);
    int prof = !strcmp(profile, "parser") ? GTH_PROFILE_PARSER : GTH_PROFILE_VALIDATE;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *d = tu_read_file(paths[i], &len);
        result us;
        ours(d, len, prof, &us);
        free(d);
        int ok = 1;
        if (us.len != go[i].len || memcmp(us.lines, go[i].lines, us.len)) {
            show_diff(paths[i], go[i].lines, us.lines);
            ok = 0;
        }
        if (us.accepted != go[i].accepted || (!us.accepted && !gth_same_message_str(go[i].msg, us.msg))) {
            print_message("VERDICT MISMATCH %s\n  go: %.300s\n  us: %.300s\n", paths[i],
                          go[i].accepted ? "ACCEPT" : go[i].msg, us.accepted ? "ACCEPT" : us.msg);
            ok = 0;
        }
        if (!ok) bad++;
        for (const char *p = us.lines; *p; p++) *events += *p == '\n';
        free(us.lines);
        free(us.msg);
        free(go[i].lines);
        free(go[i].msg);
    }
    free(go);
    if (bad) fail_msg("%zu of %zu traces differ from Go (profile %s)", bad, n, profile);
    return n;
}

/* ---- Goldens and real traces -------------------------------------------------------------- */

/* GOROOT's golden .test files as binaries in dir; returns their paths. */
static size_t golden_binaries(const char *dir, char ***out) { return tu_golden_binaries(dir, out); }

static void free_paths(char **p, size_t n) {
    for (size_t i = 0; i < n; i++) free(p[i]);
    free(p);
}

static void test_goldens(void **state) {
    (void)state;
    char **bins;
    size_t n = golden_binaries(tu_tmpdir("stream-gold"), &bins), events = 0;
    compare(bins, n, "validate", &events);
    compare(bins, n, "parser", &events);
    print_message("goldens: %zu traces, %zu events agree with Go\n", n, events / 2);
    assert_true(events > 1000);
    free_paths(bins, n);
}

/* Writes real traces with adapters/go/testprogs/run.sh; returns their paths. */
static size_t real_traces(const char *dir, const char *godebug, const char *mode, char ***out) {
    char script[4200];
    snprintf(script, sizeof script, "%s/adapters/go/testprogs/run.sh", GTH_SOURCE_DIR);
    char env[128];
    snprintf(env, sizeof env, "GODEBUG=%s", godebug);
    char *argv[] = {"env", env, "sh", script, (char *)dir, (char *)mode, NULL};
    char *o = NULL, *e = NULL;
    int rc = tu_run(argv, NULL, 0, &o, NULL, &e);
    if (rc != 0) fail_msg("run.sh failed (%d): %s", rc, e ? e : "");
    size_t n = 0, cap = 8;
    char **v = calloc(cap + 1, sizeof *v);
    for (char *l = strtok(o, "\n"); l; l = strtok(NULL, "\n")) {
        if (n + 1 >= cap) v = realloc(v, (cap *= 2) * sizeof *v + sizeof *v);
        v[n++] = strdup(l);
    }
    free(o);
    free(e);
    if (n < 4) fail_msg("run.sh wrote only %zu traces", n);
    *out = v;
    return n;
}

typedef struct blocks {
    gth_buf text;
    uint64_t lines, calls;
} blocks;

static int collect_block(void *ud, const uint8_t *text, size_t len, uint64_t nlines) {
    blocks *b = ud;
    size_t nl = 0;
    for (size_t i = 0; i < len; i++) nl += text[i] == '\n';
    assert_int_equal(nl, nlines);
    assert_true(len > 0 && text[len - 1] == '\n');
    b->lines += nlines;
    b->calls++;
    return gth_buf_append(&b->text, text, len);
}

/* The stream in blocks is the stream line by line, with the same verdict,
 * finding and event text, in every profile. Returns the most blocks one run
 * took. */
static uint64_t blocks_agree(char **paths, size_t n) {
    int profiles[] = {GTH_PROFILE_PARSER, GTH_PROFILE_VALIDATE, GTH_PROFILE_STRICT};
    uint64_t most = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *d = tu_read_file(paths[i], &len);
        for (size_t p = 0; p < sizeof profiles / sizeof profiles[0]; p++) {
            gth_buf lines, ev1, ev2, m1, m2;
            blocks b = {.lines = 0};
            gth_buf_init(&lines, NULL), gth_buf_init(&b.text, NULL);
            gth_buf_init(&ev1, NULL), gth_buf_init(&ev2, NULL), gth_buf_init(&m1, NULL), gth_buf_init(&m2, NULL);
            gth_validate_opts o1 = {.emit = collect, .ud = &lines, .message = &m1, .event = &ev1};
            gth_validate_opts o2 = {.emit_block = collect_block, .ud = &b, .message = &m2, .event = &ev2};
            gth_validate_result r1, r2;
            assert_int_equal(gth_validate_mem(d, len, profiles[p], &o1, &r1),
                             gth_validate_mem(d, len, profiles[p], &o2, &r2));
            assert_int_equal(r1.err.inv, r2.err.inv);
            assert_int_equal(r1.err.offset, r2.err.offset);
            assert_string_equal(r1.err.msg, r2.err.msg);
            assert_int_equal(r1.nevents, r2.nevents);
            assert_int_equal(lines.len, b.text.len);
            assert_memory_equal(lines.data, b.text.data, lines.len);
            assert_int_equal(ev1.len, ev2.len);
            if (ev1.len) assert_memory_equal(ev1.data, ev2.data, ev1.len);
            assert_int_equal(m1.len, m2.len);
            if (m1.len) assert_memory_equal(m1.data, m2.data, m1.len);
            if (b.calls > most) most = b.calls;
            gth_buf_free(&lines), gth_buf_free(&b.text);
            gth_buf_free(&ev1), gth_buf_free(&ev2), gth_buf_free(&m1), gth_buf_free(&m2);
        }
        free(d);
    }
    return most;
}

static void test_real_traces(void **state) {
    (void)state;
    char **paths;
    size_t events = 0;
    size_t n = real_traces(tu_tmpdir("stream-real"), "", "--stress-only", &paths);
    compare(paths, n, "validate", &events);
    assert_true(blocks_agree(paths, n) > 1); /* streams of many blocks */
    free_paths(paths, n);
    size_t m = real_traces(tu_tmpdir("stream-real"), "", "--normal-only", &paths);
    compare(paths, m, "validate", &events);
    free_paths(paths, m);
    size_t k = real_traces(tu_tmpdir("stream-allocfree"), "traceallocfree=1", "--stress-only", &paths);
    compare(paths, k, "validate", &events);
    free_paths(paths, k);
    print_message("real traces: %zu traces, %zu events agree with Go\n", n + m + k, events);
    assert_true(events > 100000);
}

/* ---- Formatting rules on hand-made views --------------------------------------------------- */

/* A stack table for views: stack 1 = main.f at 0x10, main.go:7 then a frame
 * whose func has a quote and invalid UTF-8; stack 2 = one frame. */
static long fake_len(const void *ud, uint64_t id) {
    (void)ud;
    if (id == 1) return 2;
    if (id >= 2 && id < 1024) return 1;
    return -1;
}

static int fake_frame(const void *ud, uint64_t id, size_t i, gth_frame *f) {
    const int *gen = ud;
    static const uint8_t odd[] = "a\"b\xff\t";
    memset(f, 0, sizeof *f);
    if (id == 1 && i == 0) {
        *f = (gth_frame){0x10, 7, (const uint8_t *)"main.f", (const uint8_t *)"main.go", 6, 7};
    } else if (id == 1 && i == 1) {
        *f = (gth_frame){0xABCDEF, 12, odd, (const uint8_t *)"x.go", sizeof odd - 1, 4};
    } else if (id == 2) {
        /* Different text per "generation", to test the cache reset at a Sync. */
        *f = (gth_frame){0x20, 1, (const uint8_t *)(*gen ? "gen.two" : "gen.one"), (const uint8_t *)"g.go", 7, 4};
    } else if (id < 1024 && i == 0) { /* stacks 3 to 1023: one frame, "f<id>" */
        static char names[1024][8];
        snprintf(names[id], sizeof names[id], "f%u", (unsigned)id);
        *f = (gth_frame){id, id, (const uint8_t *)names[id], (const uint8_t *)"f.go", strlen(names[id]), 4};
    } else {
        return -1;
    }
    return 0;
}

static void mkview(gth_view *v, gth_event *ev, int kind, const int *gen) {
    memset(v, 0, sizeof *v);
    memset(ev, 0, sizeof *ev);
    ev->offset = GTH_NO_OFFSET;
    v->ev = ev;
    v->kind = (gth_event_kind)kind;
    v->time = 42;
    v->m = 3;
    v->p = -1;
    v->g = 7;
    v->stacks = (gth_stack_source){fake_len, fake_frame, gen};
}

static void expect_line(gth_stream *s, const gth_view *v, const char *want) {
    gth_buf b;
    gth_buf_init(&b, NULL);
    assert_int_equal(gth_stream_line(s, &b, v), 0);
    gth_buf_putc(&b, 0);
    if (strcmp((char *)b.data, want)) fail_msg("line\n  got:  %s\n  want: %s", (char *)b.data, want);
    gth_buf_free(&b);
}

static void test_format_rules(void **state) {
    (void)state;
    int gen = 0;
    gth_view v;
    gth_event ev;
    gth_stream s;
    gth_stream_init(&s, NULL);

    /* Sync: wall seconds signed, nanoseconds as 9 digits, batches in order. */
    mkview(&v, &ev, GTH_KIND_SYNC, &gen);
    v.m = v.p = v.g = -1;
    v.u.sync.n = 1;
    v.u.sync.has_clock = 1;
    v.u.sync.clock = (gth_clock){-5, 18446744073709551615ull, -62135596800, 1};
    gth_exp_batch batches[2] = {{1, UINT64_MAX, NULL, 13}, {1, 4, NULL, 0}};
    v.u.sync.batches = batches;
    v.u.sync.nbatches = 2;
    expect_line(&s, &v,
                "42 Sync M=-1 P=-1 G=-1 N=1 Trace=-5 Mono=18446744073709551615 Wall=-62135596800.000000001 "
                "Batches=[AllocFree:-1:13 AllocFree:4:0]");
    v.u.sync.has_clock = 0;
    v.u.sync.nbatches = 0;
    v.u.sync.n = 9;
    expect_line(&s, &v, "42 Sync M=-1 P=-1 G=-1 N=9");

    /* A stack sample always prints its stack, even the empty one. */
    mkview(&v, &ev, GTH_KIND_STACK_SAMPLE, &gen);
    v.stack = (gth_stack_ref){1, 0};
    expect_line(&s, &v, "42 StackSample M=3 P=-1 G=7 Stack=[]");
    v.stack = (gth_stack_ref){1, 1};
    expect_line(&s, &v,
                "42 StackSample M=3 P=-1 G=7 Stack=[\"main.f\"@0x10 \"main.go\":7, \"a\\\"b\\xff\\t\"@0xabcdef \"x.go\":12]");

    /* Goroutine creation: a present empty transition stack prints as []. */
    mkview(&v, &ev, GTH_KIND_STATE_TRANSITION, &gen);
    v.u.transition = (gth_transition){{GTH_RES_GOROUTINE, 8}, GTH_GO_NOTEXIST, GTH_GO_RUNNABLE,
                                      {(const uint8_t *)"", 0}, {1, 0}};
    v.stack = (gth_stack_ref){1, 2};
    expect_line(&s, &v,
                "42 StateTransition M=3 P=-1 G=7 GoID=8 NotExist->Runnable Reason=\"\" TransitionStack=[] "
                "Stack=[\"gen.one\"@0x20 \"g.go\":1]");
    v.u.transition = (gth_transition){{GTH_RES_PROC, 0}, GTH_PROC_UNDETERMINED, GTH_PROC_IDLE,
                                      {(const uint8_t *)"\n\x01", 2}, {0, 0}};
    v.stack = (gth_stack_ref){0, 0};
    expect_line(&s, &v, "42 StateTransition M=3 P=-1 G=7 ProcID=0 Undetermined->Idle Reason=\"\\n\\x01\"");

    /* The cached stack 2 is printed again until the next Sync, then re-read. */
    mkview(&v, &ev, GTH_KIND_LOG, &gen);
    v.u.log = (gth_log){UINT64_MAX, {(const uint8_t *)"c", 1}, {(const uint8_t *)"\xe2\x82\xac\xc2\xa0", 5}};
    v.stack = (gth_stack_ref){1, 2};
    gen = 1; /* the table changed without a Sync: the cache must still answer */
    expect_line(&s, &v,
                "42 Log M=3 P=-1 G=7 Task=18446744073709551615 Category=\"c\" Message=\"€\\u00a0\" "
                "Stack=[\"gen.one\"@0x20 \"g.go\":1]");
    mkview(&v, &ev, GTH_KIND_SYNC, &gen);
    v.u.sync.n = 2;
    expect_line(&s, &v, "42 Sync M=3 P=-1 G=7 N=2");
    mkview(&v, &ev, GTH_KIND_REGION_END, &gen);
    v.u.region = (gth_region){0, {(const uint8_t *)"r", 1}};
    v.stack = (gth_stack_ref){1, 2};
    expect_line(&s, &v, "42 RegionEnd M=3 P=-1 G=7 Task=0 Type=\"r\" Stack=[\"gen.two\"@0x20 \"g.go\":1]");

    /* Ranges, attributes, tasks, labels, metrics, experimental events. */
    mkview(&v, &ev, GTH_KIND_RANGE_END, &gen);
    v.u.range.name = (gth_bytes){(const uint8_t *)"GC incremental sweep", 20};
    v.u.range.scope = (gth_resource){GTH_RES_PROC, 2};
    v.u.range.nattrs = 2;
    v.u.range.attrs[0] = (gth_range_attr){"bytes swept", 5};
    v.u.range.attrs[1] = (gth_range_attr){"bytes reclaimed", 0};
    expect_line(&s, &v,
                "42 RangeEnd M=3 P=-1 G=7 Name=\"GC incremental sweep\" Scope=Proc(2) "
                "Attributes=[\"bytes swept\"=5 \"bytes reclaimed\"=0]");
    v.kind = GTH_KIND_RANGE_ACTIVE;
    v.u.range.scope = (gth_resource){GTH_RES_NONE, 0};
    expect_line(&s, &v, "42 RangeActive M=3 P=-1 G=7 Name=\"GC incremental sweep\" Scope=None");
    v.kind = GTH_KIND_RANGE_END;
    v.u.range.nattrs = 0;
    v.u.range.scope = (gth_resource){GTH_RES_GOROUTINE, -1};
    expect_line(&s, &v, "42 RangeEnd M=3 P=-1 G=7 Name=\"GC incremental sweep\" Scope=Goroutine(-1) Attributes=[]");
    mkview(&v, &ev, GTH_KIND_TASK_BEGIN, &gen);
    v.u.task = (gth_task){1, UINT64_MAX, {(const uint8_t *)"t", 1}};
    expect_line(&s, &v, "42 TaskBegin M=3 P=-1 G=7 ID=1 Parent=18446744073709551615 Type=\"t\"");
    mkview(&v, &ev, GTH_KIND_LABEL, &gen);
    v.u.label = (gth_label){{(const uint8_t *)"GC (idle)", 9}, {GTH_RES_GOROUTINE, 7}};
    expect_line(&s, &v, "42 Label M=3 P=-1 G=7 Label=\"GC (idle)\" Resource=Goroutine(7)");
    mkview(&v, &ev, GTH_KIND_METRIC, &gen);
    v.u.metric = (gth_metric){"/gc/heap/goal:bytes", GTH_VALUE_UINT64, 4194304};
    expect_line(&s, &v, "42 Metric M=3 P=-1 G=7 Name=\"/gc/heap/goal:bytes\" Value=4194304");
    mkview(&v, &ev, GTH_KIND_EXPERIMENTAL, &gen);
    v.u.experimental = (gth_experimental){"SpanAlloc", "AllocFree", 3, {"id", "npages_value", "kindclass"}, {1, 2, 3}};
    expect_line(&s, &v,
                "42 Experimental M=3 P=-1 G=7 Name=SpanAlloc Experiment=AllocFree Args=[id=1 npages_value=2 "
                "kindclass=3]");
    v.time = INT64_MIN;
    v.u.experimental.nargs = 0;
    expect_line(&s, &v, "-9223372036854775808 Experimental M=3 P=-1 G=7 Name=SpanAlloc Experiment=AllocFree Args=[]");
    gth_stream_free(&s);
}

/* The same view prints the same with and without the cache. */
static void test_no_cache(void **state) {
    (void)state;
    int gen = 0;
    gth_view v;
    gth_event ev;
    mkview(&v, &ev, GTH_KIND_STACK_SAMPLE, &gen);
    v.stack = (gth_stack_ref){1, 1};
    gth_buf a, b;
    gth_buf_init(&a, NULL);
    gth_buf_init(&b, NULL);
    gth_stream s;
    gth_stream_init(&s, NULL);
    for (int i = 0; i < 3; i++) {
        a.len = b.len = 0;
        assert_int_equal(gth_stream_line(NULL, &a, &v), 0);
        assert_int_equal(gth_stream_line(&s, &b, &v), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
    }
    gth_stream_free(&s);
    gth_buf_free(&a);
    gth_buf_free(&b);
}

/* Numbers: every length and the edges of the eight-digit pieces, against printf. */
static void test_numbers(void **state) {
    (void)state;
    int gen = 0;
    gth_view v;
    gth_event ev;
    gth_stream s;
    gth_stream_init(&s, NULL);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 4000; i++) {
        int64_t t;
        if (i < 64) { /* 10^k - 1, 10^k, 10^k + 1, and their negations */
            uint64_t p = 1;
            for (int k = 0; k < i / 3 % 19; k++) p *= 10;
            t = (int64_t)(p - 1 + (uint64_t)(i % 3));
            if (i >= 57) t = -t;
        } else if (i < 96) {
            t = i < 80 ? INT64_MAX - (i - 64) : INT64_MIN + (i - 80);
        } else { /* random values of every magnitude */
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            t = (int64_t)(x >> (x % 64));
            if (x & 1) t = -t;
        }
        mkview(&v, &ev, GTH_KIND_TASK_END, &gen);
        v.time = t;
        v.m = t / 3;
        /* Ids around the small ones: -2 up to 2000, then t itself. */
        v.p = i % 2 ? (int64_t)(i % 2003) - 2 : t;
        v.g = i % 3 ? (int64_t)(i % 1009) - 2 : t / 7;
        v.u.task = (gth_task){(uint64_t)t, x, {(const uint8_t *)"", 0}};
        char want[200];
        snprintf(want, sizeof want, "%lld TaskEnd M=%lld P=%lld G=%lld ID=%llu Parent=%llu Type=\"\"", (long long)t,
                 (long long)(t / 3), (long long)v.p, (long long)v.g, (unsigned long long)t, (unsigned long long)x);
        expect_line(&s, &v, want);
    }
    gth_stream_free(&s);
}

/* Transitions between every two states, of goroutines and procs, the ones
 * beyond the names ("Bad") too, on threads that take turns three and two at a
 * time: as printf prints them, with the printer's tables and without. */
static void test_transitions(void **state) {
    (void)state;
    int gen = 0;
    gth_view v;
    gth_event ev;
    gth_stream s;
    gth_stream_init(&s, NULL);
    static const int64_t threads[] = {5, 123456, -1, 5, 123456, 5, 123456, 1000, 5, 9};
    unsigned k = 0;
    for (int proc = 0; proc < 2; proc++)
        for (unsigned from = 0; from < 12; from++)
            for (unsigned to = 0; to < 12; to++) {
                mkview(&v, &ev, GTH_KIND_STATE_TRANSITION, &gen);
                v.m = threads[k++ % (sizeof threads / sizeof threads[0])];
                v.time = 1000000000000 + 37 * (int64_t)k;
                v.u.transition.resource = (gth_resource){proc ? GTH_RES_PROC : GTH_RES_GOROUTINE, (int64_t)k - 3};
                v.u.transition.old_state = (uint8_t)from;
                v.u.transition.new_state = (uint8_t)to;
                v.u.transition.reason = (gth_bytes){(const uint8_t *)"chan receive", to % 2 ? 12 : 0};
                const char *a = proc ? gth_proc_state_name(from) : gth_go_state_name(from),
                           *b = proc ? gth_proc_state_name(to) : gth_go_state_name(to);
                char want[200];
                snprintf(want, sizeof want, "%lld StateTransition M=%lld P=-1 G=7 %s=%lld %s->%s Reason=\"%s\"",
                         (long long)v.time, (long long)v.m, proc ? "ProcID" : "GoID", (long long)k - 3, a, b,
                         to % 2 ? "chan receive" : "");
                expect_line(&s, &v, want);
                expect_line(NULL, &v, want);
            }
    gth_stream_free(&s);
}

/* The line of v from s is the one the printer without tables prints. */
static void expect_uncached(gth_stream *s, const gth_view *v) {
    gth_buf a;
    gth_buf_init(&a, NULL);
    assert_int_equal(gth_stream_line(NULL, &a, v), 0);
    gth_buf_putc(&a, 0);
    expect_line(s, v, (const char *)a.data);
    gth_buf_free(&a);
}

/* Transition lines printed again and again (the printer keeps their text
 * after the id) are what the printer without tables prints: reasons of every
 * length that differ in their first or last byte only, stacks absent, empty
 * or not, states inside and beyond the table, in two generations whose stack
 * 2 differs (a Sync between them). */
static void test_transition_tails(void **state) {
    (void)state;
    int gen = 0;
    gth_view v;
    gth_event ev;
    gth_stream s;
    gth_stream_init(&s, NULL);
    static const gth_stack_ref stacks[] = {{0, 0}, {1, 0}, {1, 1}, {1, 2}};
    static const uint8_t states[][2] = {{GTH_GO_RUNNING, GTH_GO_WAITING}, {GTH_GO_WAITING, GTH_GO_RUNNABLE}, {9, 2}};
    uint8_t reason[20];
    for (gen = 0; gen < 2; gen++) {
        mkview(&v, &ev, GTH_KIND_SYNC, &gen);
        v.u.sync.n = (uint64_t)gen + 1;
        expect_uncached(&s, &v);
        for (int round = 0; round < 2; round++)
            for (size_t n = 0; n <= sizeof reason; n++)
                for (int change = 0; change < 3; change++)
                    for (unsigned k = 0; k < 16 * 3; k++) {
                        memset(reason, 'r', sizeof reason);
                        if (n && change) reason[change == 1 ? 0 : n - 1] = 'X';
                        mkview(&v, &ev, GTH_KIND_STATE_TRANSITION, &gen);
                        v.u.transition.resource = (gth_resource){(k + k / 4) % 2 ? GTH_RES_PROC : GTH_RES_GOROUTINE, 4};
                        v.u.transition.old_state = states[k / 16][0];
                        v.u.transition.new_state = states[k / 16][1];
                        v.u.transition.reason = (gth_bytes){reason, n};
                        v.u.transition.stack = stacks[k % 4];
                        v.stack = stacks[k / 4 % 4];
                        expect_uncached(&s, &v);
                    }
        /* More lines than the table has entries, which differ in one thing
         * only: the stack, the transition stack, or the first or last eight
         * bytes of a 16-byte reason. */
        for (int round = 0; round < 2; round++)
            for (unsigned what = 0; what < 4; what++)
                for (unsigned i = 3; i < 1024; i++) {
                    char text[17];
                    if (what == 3) snprintf(text, sizeof text, "transitions-%04u", i);
                    else snprintf(text, sizeof text, "%04u-transitions", what == 2 ? i : 0);
                    mkview(&v, &ev, GTH_KIND_STATE_TRANSITION, &gen);
                    v.u.transition.resource = (gth_resource){GTH_RES_GOROUTINE, 4};
                    v.u.transition.old_state = GTH_GO_RUNNING;
                    v.u.transition.new_state = GTH_GO_WAITING;
                    v.u.transition.reason = (gth_bytes){(const uint8_t *)text, strlen(text)};
                    v.u.transition.stack = (gth_stack_ref){1, what == 1 ? i : 3};
                    v.stack = (gth_stack_ref){1, what == 0 ? i : 3};
                    expect_uncached(&s, &v);
                }
    }
    /* Forty tails again and again between ones never seen before: so many
     * of those that the printer's table fills, rests, and starts again. */
    for (unsigned i = 0; i < 150000; i++) {
        char text[17];
        snprintf(text, sizeof text, "%04u-transitions", i % 2 ? i % 1021 : 0);
        mkview(&v, &ev, GTH_KIND_STATE_TRANSITION, &gen);
        v.u.transition.resource = (gth_resource){GTH_RES_GOROUTINE, 4};
        v.u.transition.old_state = GTH_GO_RUNNING;
        v.u.transition.new_state = GTH_GO_WAITING;
        v.u.transition.reason = (gth_bytes){(const uint8_t *)text, strlen(text)};
        v.u.transition.stack = (gth_stack_ref){1, i % 2 ? 43 + i / 1021 : 3 + i / 2 % 40};
        v.stack = (gth_stack_ref){1, 3 + i % 997};
        expect_uncached(&s, &v);
    }
    gth_stream_free(&s);
}

/* Strings: each byte value at each place of strings up to 19 bytes long is
 * quoted as Go's strconv.Quote (base/quote.h) quotes it. */
static void test_quoting(void **state) {
    (void)state;
    int gen = 0;
    gth_view v;
    gth_event ev;
    gth_stream s;
    gth_stream_init(&s, NULL);
    gth_buf want;
    gth_buf_init(&want, NULL);
    uint8_t str[19];
    for (size_t len = 1; len <= sizeof str; len++) {
        for (size_t at = 0; at < len; at++) {
            for (unsigned c = 0; c < 256; c++) {
                memset(str, 'a' + (int)(len % 26), sizeof str);
                str[at] = (uint8_t)c;
                mkview(&v, &ev, GTH_KIND_LABEL, &gen);
                v.u.label = (gth_label){{str, len}, {GTH_RES_NONE, 0}};
                want.len = 0;
                gth_buf_printf(&want, "42 Label M=3 P=-1 G=7 Label=");
                gth_quote_append(&want, str, len);
                gth_buf_printf(&want, " Resource=None");
                gth_buf_putc(&want, 0);
                expect_line(&s, &v, (const char *)want.data);
            }
        }
    }
    gth_buf_free(&want);
    gth_stream_free(&s);
}

static void test_blocks(void **state) {
    (void)state;
    char **bins;
    size_t n = golden_binaries(tu_tmpdir("stream-blocks"), &bins);
    assert_true(blocks_agree(bins, n) >= 1);
    free_paths(bins, n);
}

/* The CLI prints the library's stream, then the verdict on stderr / in JSON. */
static void test_cli_events(void **state) {
    (void)state;
    char **bins;
    size_t n = golden_binaries(tu_tmpdir("stream-cli"), &bins);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *d = tu_read_file(bins[i], &len);
        result us;
        ours(d, len, GTH_PROFILE_VALIDATE, &us);
        free(d);
        char *argv[] = {(char *)tu_gth(), "validate", "--events", bins[i], NULL};
        char *out = NULL, *err = NULL;
        size_t olen = 0;
        int rc = tu_run(argv, NULL, 0, &out, &olen, &err);
        assert_int_equal(rc, us.accepted ? 0 : 1);
        assert_int_equal(olen, us.len);
        assert_memory_equal(out, us.lines, olen);
        if (!us.accepted) assert_non_null(strstr(err, us.msg));
        free(out);
        free(err);
        char *jargv[] = {(char *)tu_gth(), "validate", "--json", "--events", bins[i], NULL};
        rc = tu_run(jargv, NULL, 0, &out, &olen, NULL);
        assert_int_equal(rc, us.accepted ? 0 : 1);
        assert_true(olen > us.len);
        assert_memory_equal(out, us.lines, us.len);
        assert_non_null(strstr(out + us.len, us.accepted ? "\"valid\":true" : "\"valid\":false"));
        free(out);
        free(us.lines);
        free(us.msg);
    }
    free_paths(bins, n);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_rules),
        cmocka_unit_test(test_no_cache),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_transition_tails),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_goldens),
        cmocka_unit_test(test_cli_events),
        cmocka_unit_test(test_real_traces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
