/*
 * Allocation failure in validator/ (reader, API views, canonical stream, the
 * testtrace validator, the strict checker and the whole pipeline in every
 * profile, arena and hash map): each public
 * entry point that allocates is driven over Go's golden tests as binaries,
 * generated traces of every version and a text trace, while the 1st, 2nd, ...
 * Nth allocation fails in turn (tests/util/failalloc.h). Every injected failure
 * must come back as an out-of-memory error — never a crash, a leak, or a verdict
 * (valid or invalid) presented as if the trace had been read. The default run
 * takes a sample; GTH_ALLOC_FULL=1 (scripts/alloc-fail.sh) takes everything.
 *
 * Not driven (they never allocate): gth_reader_version/allocator/string/
 * stack_len/stack_frame/sync_clock/exp_batches/stats_get, gth_view_kind and the
 * other name lookups, gth_view_stack_len/frame, gth_hmap_get.
 */
#include "util/failalloc.h"
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/convert.h"
#include "generator/gen.h"
#include "spec/invariants.h"
#include "validator/arena.h"
#include "validator/hmap.h"
#include "validator/reader.h"
#include "validator/stream.h"
#include "validator/strict.h"
#include "validator/testtrace.h"
#include "validator/validate.h"
#include "validator/view.h"

typedef struct input {
    char name[256];
    uint8_t *data;
    size_t len;
} input;

static input *ins;
static size_t nins, ngolden;
static uint8_t *text_trace; /* a golden .test file (text) */
static size_t text_len;

#define SAMPLE 5
#define STRIDE 11

static int sampled(size_t i) { return tu_inject_full() || i >= ngolden || i % SAMPLE == 0; }

static int setup(void **state) {
    (void)state;
    char **paths;
    ngolden = tu_golden_binaries(tu_tmpdir("alloc-validator"), &paths);
    static const unsigned versions[] = {22, 23, 25, 26};
    ins = calloc(ngolden + 4, sizeof *ins);
    for (size_t i = 0; i < ngolden; i++) {
        snprintf(ins[i].name, sizeof ins[i].name, "%s", strrchr(paths[i], '/') + 1);
        ins[i].data = tu_read_file(paths[i], &ins[i].len);
    }
    nins = ngolden;
    tu_free_list(paths);
    for (size_t v = 0; v < 4; v++) {
        snprintf(ins[nins].name, sizeof ins[nins].name, "generated-1.%u", versions[v]);
        ins[nins].data = tu_generate(versions[v], 100 + v, 300, 3, &ins[nins].len);
        nins++;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/src/internal/trace/testdata/tests/go122-gc-stress.test", tu_goroot());
    text_trace = tu_read_file(path, &text_len);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    for (size_t i = 0; i < nins; i++) free(ins[i].data);
    free(ins);
    free(text_trace);
    return 0;
}

/* ---- The reader ---------------------------------------------------------------- */

static int op_reader(void *ud, const gth_allocator *a, gth_error *err) {
    const input *in = ud;
    gth_mem_source ms;
    gth_reader *r = gth_reader_new(a, gth_source_mem(&ms, in->data, in->len), err);
    if (!r) return err->status;
    gth_event ev;
    int k;
    while ((k = gth_reader_next(r, &ev, err)) > 0) {}
    gth_reader_free(r);
    return k == 0 ? GTH_OK : err->status;
}

static void reader(void **state) {
    (void)state;
    long runs = 0;
    for (size_t i = 0; i < nins; i++) {
        if (!sampled(i)) continue;
        char what[300];
        snprintf(what, sizeof what, "reader %s", ins[i].name);
        runs += tu_inject(what, op_reader, &ins[i], STRIDE);
    }
    print_message("reader: %ld injected failures\n", runs);
    assert_true(runs > (long)nins);
}

/* ---- Views, the canonical stream, Go's Event.String ------------------------------ */

static int op_stream(void *ud, const gth_allocator *a, gth_error *err) {
    const input *in = ud;
    gth_mem_source ms;
    gth_reader *r = gth_reader_new(a, gth_source_mem(&ms, in->data, in->len), err);
    if (!r) return err->status;
    gth_stream st;
    gth_stream_init(&st, a);
    gth_buf line;
    gth_buf_init(&line, a);
    gth_event ev;
    gth_view v;
    int k, rc = GTH_OK;
    while ((k = gth_reader_next(r, &ev, err)) > 0) {
        if ((rc = gth_view_make(r, &ev, &v, err)) != GTH_OK) break;
        line.len = 0;
        int w = gth_stream_line(&st, &line, &v);
        w |= gth_stream_stack(&line, &v, v.stack);
        w |= gth_view_go_string(&line, &v);
        gth_resource r2 = {GTH_RES_GOROUTINE, v.g};
        w |= gth_resource_append(&line, r2);
        w |= gth_go_time_append(&line, v.time / 1000000000, v.time % 1000000000 < 0 ? 0 : v.time % 1000000000, (int)(ev.code & 1));
        if (w != 0 || line.failed) {
            rc = gth_error_nomem(err);
            break;
        }
    }
    if (k < 0) rc = err->status;
    gth_buf_free(&line);
    gth_stream_free(&st);
    gth_reader_free(r);
    return rc;
}

static void stream(void **state) {
    (void)state;
    long runs = 0;
    for (size_t i = 0; i < nins; i++) {
        if (!sampled(i)) continue;
        char what[300];
        snprintf(what, sizeof what, "view/stream %s", ins[i].name);
        runs += tu_inject(what, op_stream, &ins[i], STRIDE);
    }
    print_message("views and stream: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

/* ---- The testtrace validator, by hand --------------------------------------------- */

static int op_testtrace(void *ud, const gth_allocator *a, gth_error *err) {
    const input *in = ud;
    gth_mem_source ms;
    gth_reader *r = gth_reader_new(a, gth_source_mem(&ms, in->data, in->len), err);
    if (!r) return err->status;
    gth_testtrace *t = gth_testtrace_new(a, gth_reader_version(r));
    int k = 0, rc = GTH_OK;
    if (!t) {
        rc = gth_error_nomem(err);
    } else {
        gth_event ev;
        gth_view v;
        while ((k = gth_reader_next(r, &ev, err)) > 0) {
            if ((rc = gth_view_make(r, &ev, &v, err)) != GTH_OK) break;
            if ((rc = gth_testtrace_event(t, &v, err)) != GTH_OK) break;
        }
        if (k < 0) rc = err->status;
        if (rc == GTH_EINVALID) {
            size_t len;
            const char *m = gth_testtrace_message(t, &len);
            if (len && !strstr(m, err->msg) && strncmp(m, err->msg, strlen(err->msg)) != 0)
                fail_msg("full message \"%s\" does not hold the error \"%s\"", m, err->msg);
        }
    }
    gth_testtrace_free(t);
    gth_reader_free(r);
    return rc;
}

static void testtrace(void **state) {
    (void)state;
    long runs = 0;
    for (size_t i = 0; i < nins; i++) {
        if (!sampled(i)) continue;
        char what[300];
        snprintf(what, sizeof what, "testtrace %s", ins[i].name);
        runs += tu_inject(what, op_testtrace, &ins[i], STRIDE);
    }
    print_message("testtrace: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

/* ---- The whole pipeline ---------------------------------------------------------- */

typedef struct pipe_case {
    const input *in;
    int profile, emit;
} pipe_case;

static int count_line(void *ud, const uint8_t *line, size_t len) {
    (void)line;
    *(uint64_t *)ud += len;
    return 0;
}

static int op_pipeline(void *ud, const gth_allocator *a, gth_error *err) {
    const pipe_case *c = ud;
    gth_mem_source ms;
    gth_source src = gth_source_mem(&ms, c->in->data, c->in->len);
    gth_strict *strict = NULL;
    if (c->profile == GTH_PROFILE_STRICT) {
        if (!(strict = gth_strict_new(a))) return gth_error_nomem(err);
        src = gth_strict_source(strict, src);
    }
    gth_reader *r = gth_reader_new(a, src, err);
    if (!r) {
        gth_strict_free(strict);
        return err->status;
    }
    gth_buf msg, event;
    gth_buf_init(&msg, a);
    gth_buf_init(&event, a);
    uint64_t bytes = 0, n = 0;
    gth_run_opts o = {.profile = c->profile, .emit = c->emit ? count_line : NULL, .ud = &bytes, .message = &msg,
                      .strict = strict};
    int rc = gth_validate_run_at(r, &o, &event, &n, err);
    /* A finding comes with its full text, never a cut one. */
    if (rc == GTH_EINVALID && (msg.failed || event.failed || msg.len == 0))
        fail_msg("%s: finding with an incomplete message (%s)", c->in->name, err->msg);
    gth_buf_free(&msg);
    gth_buf_free(&event);
    gth_reader_free(r);
    gth_strict_free(strict);
    return rc;
}

/* A text trace, converted and read, every allocation through a. */
static int op_text_pipeline(void *ud, const gth_allocator *a, gth_error *err) {
    (void)ud;
    gth_buf bin;
    gth_buf_init(&bin, a);
    int rc = gth_convert_text_to_binary(text_trace, text_len, "go122-gc-stress.test", 0, &bin, err);
    if (rc == GTH_OK) {
        input in = {"text", bin.data, bin.len};
        pipe_case c = {&in, GTH_PROFILE_VALIDATE, 1};
        rc = op_pipeline(&c, a, err);
    }
    gth_buf_free(&bin);
    return rc;
}

static void pipeline(void **state) {
    (void)state;
    long runs = 0;
    for (size_t i = 0; i < nins; i++) {
        if (!sampled(i)) continue;
        /* The validate profile with its stream and without (where the
         * common event is checked without a view). */
        static const struct {
            int profile, emit;
        } runs_of[] = {{GTH_PROFILE_PARSER, 0}, {GTH_PROFILE_VALIDATE, 1}, {GTH_PROFILE_VALIDATE, 0},
                       {GTH_PROFILE_STRICT, 0}};
        for (size_t p = 0; p < sizeof runs_of / sizeof *runs_of; p++) {
            char what[300];
            pipe_case c = {&ins[i], runs_of[p].profile, runs_of[p].emit};
            snprintf(what, sizeof what, "pipeline %s profile %d%s", ins[i].name, c.profile, c.emit ? " emit" : "");
            runs += tu_inject(what, op_pipeline, &c, STRIDE);
        }
    }
    runs += tu_inject("text pipeline", op_text_pipeline, NULL, STRIDE);
    print_message("pipeline: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

/* ---- Arena and hash map ----------------------------------------------------------- */

static int op_arena_hmap(void *ud, const gth_allocator *a, gth_error *err) {
    (void)ud;
    gth_arena ar;
    gth_arena_init(&ar, a);
    gth_hmap m;
    gth_hmap_init(&m, a);
    gth_idmap im;
    gth_idmap_init(&im, a);
    int rc = GTH_OK;
    for (int round = 0; round < 3 && rc == GTH_OK; round++) {
        /* Dense ids, then sparse ones (the move into the hash), then compaction. */
        for (uint64_t i = 1; i <= 3000 && rc == GTH_OK; i++) {
            uint64_t id = i <= 2000 ? i : i * 1000003;
            uint32_t got = 0;
            if (gth_idmap_put(&im, id, (uint32_t)i) != 0) rc = gth_error_nomem(err);
            else if (!gth_idmap_get(&im, id, &got) || got != (uint32_t)i)
                rc = gth_error_set(err, GTH_EINVALID, "idmap lost id %llu", (unsigned long long)id);
        }
        gth_idmap_compact(&im);
        gth_idmap_clear(&im);
        uint64_t *v = NULL;
        size_t cap = 0;
        for (size_t i = 0; i < 12000; i++) { /* past 64 KiB: the arena's big blocks */
            if (gth_arena_grow(&ar, (void **)&v, &cap, i + 1, sizeof *v) != 0 ||
                !gth_arena_alloc(&ar, 1 + i % 300) || gth_hmap_put(&m, i * 7919, (uint32_t)i) != 0) {
                rc = gth_error_nomem(err);
                break;
            }
            v[i] = i;
            if (i % 3 == 0) gth_hmap_del(&m, (i / 2) * 7919);
        }
        if (!gth_arena_alloc(&ar, 1 << 20)) rc = gth_error_nomem(err); /* bigger than a chunk */
        gth_arena_reset(&ar);
        gth_hmap_clear(&m);
    }
    gth_idmap_free(&im);
    gth_hmap_free(&m);
    gth_arena_free(&ar);
    return rc;
}

static void arena_and_hmap(void **state) {
    (void)state;
    long runs = tu_inject("arena and hmap", op_arena_hmap, NULL, 1);
    print_message("arena and hmap: %ld injected failures\n", runs);
    assert_true(runs > 10);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader),
        cmocka_unit_test(stream),
        cmocka_unit_test(testtrace),
        cmocka_unit_test(pipeline),
        cmocka_unit_test(arena_and_hmap),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
