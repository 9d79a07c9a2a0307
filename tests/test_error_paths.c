/*
 * Error and edge paths the other suites do not reach: spec name lookups,
 * conversion failures, RE2 escapes of .test expectations, reader I/O errors,
 * clock normalisation, a lenient long header, a cut-off 1.26 generation,
 * repeated clock snapshots and task ids, a failing event sink, and the
 * overflow guards of the arena and hash map. Traces are built with
 * tests/util/tracebuild.h; their verdicts are also compared with Go's reader.
 */
#include "util/testutil.h"
#include "util/tracebuild.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/quote.h"
#include "format/convert.h"
#include "format/decode.h"
#include "format/header.h"
#include "format/testfile.h"
#include "spec/invariants.h"
#include "validator/arena.h"
#include "validator/hmap.h"
#include "validator/reader.h"
#include "validator/testtrace.h"
#include "validator/validate.h"
#include "validator/view.h"

static void spec_names(void **state) {
    (void)state;
    for (unsigned k = 0; k < GTH_K__COUNT; k++) {
        const char *n = gth_arg_kind_name(k);
        assert_string_not_equal(n, "?");
        for (unsigned j = 0; j < k; j++) assert_string_not_equal(n, gth_arg_kind_name(j));
    }
    assert_string_equal(gth_arg_kind_name(GTH_K_STRING_ID), "string_id");
    assert_string_equal(gth_arg_kind_name(GTH_K__COUNT), "?");
    assert_string_equal(gth_profile_name(GTH_PROFILE_STRICT), "strict");
    assert_string_equal(gth_profile_name(99), "?");
    assert_int_equal(gth_invariant_find("no.such-invariant"), GTH_INV_NONE);
    assert_int_equal(gth_invariant_find(gth_invariant_get(1)->id), 1);
}

static void conversion_errors(void **state) {
    (void)state;
    gth_buf out;
    gth_buf_init(&out, NULL);
    gth_error err;
    static const char text[] = "Trace Go1.99\nEventBatch gen=1 m=0 time=1 size=0\n";
    assert_int_equal(gth_convert_text_to_binary(text, sizeof text - 1, "t", 0, &out, &err), GTH_EINVALID);
    assert_int_equal(err.line, 1);
    assert_int_equal(gth_convert_binary_to_text("not a trace at all", 18, 0, &out, &err), GTH_EINVALID);
    assert_non_null(strstr(err.msg, "not a Go execution trace"));
    /* A batch that claims 50 bytes and has 3. */
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    gth_header_write(&bin, 26);
    uint64_t eb[] = {1, 0, 1, 50};
    size_t at = raw_batch(&bin, GTH_EV_EventBatch, eb, 4, "\x0d\x01\x00", 3);
    out.len = 0;
    assert_int_equal(gth_convert_binary_to_text(bin.data, bin.len, 0, &out, &err), GTH_EINVALID);
    assert_true(err.offset >= at && err.offset <= bin.len);
    gth_buf_free(&bin);
    gth_buf_free(&out);
}

static int matches(const char *pattern, const char *s) {
    gth_expect e;
    gth_error err;
    if (gth_expect_init(&e, NULL, pattern, &err) != GTH_OK) fail_msg("pattern %s: %s", pattern, err.msg);
    int m = gth_expect_matches(&e, s);
    gth_expect_free(&e);
    return m;
}

static void expectation_escapes(void **state) {
    (void)state;
    assert_true(matches("a\\Db", "xaxby"));
    assert_false(matches("a\\Db", "a1b"));
    assert_true(matches("x\\ty\\nz", "x\ty\nz"));
    assert_true(matches("^\\r\\f\\v\\a$", "\r\f\v\a"));
    assert_true(matches("a\\,b\\ c", "a,b c"));
    assert_true(matches("[\\t]", "\t"));
    assert_true(matches("^[\\.]$", "."));
    assert_false(matches("^[\\.]$", "x"));
    assert_true(matches("^[\\]\\-]+$", "]-]"));
    gth_expect e;
    gth_error err;
    assert_int_equal(gth_expect_init(&e, NULL, "[\\q]", &err), GTH_EINVALID);
    assert_string_equal(err.msg, "malformed pattern: not a valid regexp: [\\q]: error parsing regexp: invalid escape "
                                 "sequence: `\\q`");
    gth_expect_free(&e);
}

static int count_nothing(void *ud, const gth_raw_event *ev) {
    (void)ud, (void)ev;
    return 0;
}

/* ---- The reader -------------------------------------------------------------- */

static void reader_io_error(void **state) {
    (void)state;
    int fd = -1;
    gth_error err;
    gth_reader *r = gth_reader_new(NULL, gth_source_fd(&fd), &err);
    assert_null(r);
    assert_int_equal(err.status, GTH_EIO);
    assert_non_null(strstr(err.msg, "read error"));
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig, alarms++; }

/* A pipe whose writer pauses, read while a timer interrupts the process (no
 * SA_RESTART): read() fails with EINTR, and the fd source must retry rather
 * than report an error. */
static void reader_interrupted(void **state) {
    (void)state;
    gth_buf t;
    gth_buf_init(&t, NULL);
    gth_buf_printf(&t, "Trace Go1.26\nEventBatch gen=1 m=18446744073709551615 time=1 size=1\nStrings\n"
                       "String id=1\n\tdata=\"work\"\n");
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    gth_error err;
    assert_int_equal(gth_convert_text_to_binary(t.data, t.len, "text", 0, &bin, &err), GTH_OK);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        size_t half = bin.len / 2;
        struct timespec pause = {0, 50 * 1000 * 1000};
        if (write(fds[1], bin.data, half) != (ssize_t)half) _exit(1);
        nanosleep(&pause, NULL);
        if (write(fds[1], bin.data + half, bin.len - half) != (ssize_t)(bin.len - half)) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, &old);
    /* One alarm, 10 ms in: the reader is then blocked on the pipe, which stays
     * empty for 50 ms. (A periodic timer would livelock a run under valgrind,
     * whose signal delivery is slower than the period.) */
    struct itimerval it = {{0, 0}, {0, 10000}}, off = {{0, 0}, {0, 0}};
    alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    gth_reader *r = gth_reader_new(NULL, gth_source_fd(&fds[0]), &err);
    int rc = r ? gth_validate_run(r, &(gth_run_opts){.profile = GTH_PROFILE_PARSER}, NULL, &err) : err.status;
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    gth_reader_free(r);
    close(fds[0]);
    /* The verdict of a read from memory, not an I/O error; and the alarm came. */
    gth_mem_source ms;
    gth_error merr;
    gth_reader *mr = gth_reader_new(NULL, gth_source_mem(&ms, bin.data, bin.len), &merr);
    assert_non_null(mr);
    assert_int_equal(rc, gth_validate_run(mr, &(gth_run_opts){.profile = GTH_PROFILE_PARSER}, NULL, &merr));
    gth_reader_free(mr);
    assert_true(alarms > 0);
    int st;
    while (waitpid(pid, &st, 0) < 0) {}
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    gth_buf_free(&t);
    gth_buf_free(&bin);
}

/* A 1.26 generation: a strings table, a sync batch with the given clock, and
 * (if m_batch) thread 1 running goroutine 1 with a task begun `tasks` times. */
static void gen126(tb *t, uint64_t sec, uint64_t nsec, int m_batch, int tasks, int eog) {
    tb_string(t, 1, "work");
    tb_batch(t, t->gen, NO_ID);
    EV(t, GTH_EV_Sync, 0);
    EV(t, GTH_EV_Frequency, 15625000);
    EV(t, GTH_EV_ClockSnapshot, 0, 1000, sec, nsec);
    if (m_batch) {
        tb_batch(t, t->gen, 1);
        EV(t, GTH_EV_ProcStatus, 1, 0, GTH_PS_RUNNING);
        EV(t, GTH_EV_GoStatus, 1, 1, 1, GTH_GS_RUNNING);
        for (int i = 0; i < tasks; i++) EV(t, GTH_EV_UserTaskBegin, 1, 5, 0, 1, 0);
    }
    if (eog) tb_end_gen(t);
}

typedef struct run_result {
    int rc;
    gth_error err;
    int clocks;
    gth_clock clock[4];
    int empty_string_ok;
    gth_reader_stats st;
} run_result;

static run_result run_reader(const uint8_t *p, size_t n, int profile) {
    run_result res;
    memset(&res, 0, sizeof res);
    gth_mem_source ms;
    gth_reader *r = gth_reader_new(NULL, gth_source_mem(&ms, p, n), &res.err);
    if (!r) {
        res.rc = res.err.status;
        return res;
    }
    gth_event ev;
    gth_view v;
    gth_testtrace *t = profile == GTH_PROFILE_VALIDATE ? gth_testtrace_new(NULL, gth_reader_version(r)) : NULL;
    int k;
    res.rc = GTH_OK;
    while ((k = gth_reader_next(r, &ev, &res.err)) > 0) {
        const uint8_t *s;
        size_t len = 1;
        if (gth_reader_string(r, 0, &s, &len) == 1 && len == 0) res.empty_string_ok = 1;
        if (ev.code == GTH_CODE_READER_SYNC && ev.has_table && res.clocks < 4 &&
            gth_reader_sync_clock(r, &res.clock[res.clocks]))
            res.clocks++;
        if ((res.rc = gth_view_make(r, &ev, &v, &res.err)) != GTH_OK) break;
        if (t && (res.rc = gth_testtrace_event(t, &v, &res.err)) != GTH_OK) break;
    }
    if (k < 0) res.rc = res.err.status;
    gth_reader_stats_get(r, &res.st);
    gth_testtrace_free(t);
    gth_reader_free(r);
    return res;
}

/* Keeps a trace in dir (for the comparison with Go) and frees it. */
static void keep(const char *dir, const char *name, uint8_t *p, size_t n) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tu_write_file(path, p, n);
    free(p);
}

static void reader_edges(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("error-paths");

    /* Wall clocks out of [0, 1e9) nanoseconds, normalised as time.Unix does. */
    tb t;
    tb_init(&t, 26, 0);
    t.gen = 1;
    gen126(&t, 100, 2500000000ull, 1, 1, 1);
    t.gen = 2;
    gen126(&t, 200, UINT64_MAX, 1, 0, 1); /* nsec = -1 */
    size_t n;
    uint8_t *p = tb_finish(&t, &n);
    run_result r = run_reader(p, n, GTH_PROFILE_PARSER);
    assert_int_equal(r.rc, GTH_OK);
    assert_int_equal(r.clocks, 2);
    assert_int_equal(r.clock[0].wall_sec, 102);
    assert_int_equal(r.clock[0].wall_nsec, 500000000);
    assert_int_equal(r.clock[1].wall_sec, 199);
    assert_int_equal(r.clock[1].wall_nsec, 999999999);
    assert_true(r.empty_string_ok);
    assert_int_equal(r.st.generations, 2);
    keep(dir, "clocks.bin", p, n);

    /* A task begun twice (Go's validator overwrites its type). */
    tb_init(&t, 26, 0);
    t.gen = 1;
    gen126(&t, 100, 0, 1, 2, 1);
    p = tb_finish(&t, &n);
    keep(dir, "task-twice.bin", p, n);

    /* A 1.26 generation cut off before its EndOfGeneration. */
    tb_init(&t, 26, 0);
    t.gen = 1;
    gen126(&t, 100, 0, 1, 1, 0);
    p = tb_finish(&t, &n);
    r = run_reader(p, n, GTH_PROFILE_PARSER);
    assert_int_equal(r.rc, GTH_EINVALID);
    assert_string_equal(r.err.msg, "incomplete generation found; trace likely truncated");
    assert_int_equal(r.err.offset, n);
    keep(dir, "incomplete.bin", p, n);

    /* Two clock snapshots in one generation. */
    tb_init(&t, 26, 0);
    t.gen = 1;
    tb_batch(&t, 1, NO_ID);
    EV(&t, GTH_EV_Sync, 0);
    EV(&t, GTH_EV_Frequency, 15625000);
    EV(&t, GTH_EV_ClockSnapshot, 0, 1000, 5, 0);
    EV(&t, GTH_EV_ClockSnapshot, 0, 1000, 5, 0);
    uint64_t second = t.mark;
    tb_end_gen(&t);
    p = tb_finish(&t, &n);
    r = run_reader(p, n, GTH_PROFILE_PARSER);
    assert_int_equal(r.rc, GTH_EINVALID);
    assert_string_equal(r.err.msg, "found multiple clock snapshot events");
    assert_int_equal(r.err.offset, second);
    keep(dir, "two-clocks.bin", p, n);

    /* A header Go's Fscanf accepts: a long run of spaces after "go". */
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_buf_append(&b, "go", 2);
    for (int i = 0; i < 100; i++) gth_buf_putc(&b, ' ');
    gth_buf_append(&b, "1.26 trace\0\0\0", 13);
    tb_init(&t, 26, GTH_ENC_NO_HEADER);
    t.gen = 1;
    gen126(&t, 100, 0, 0, 0, 1);
    p = tb_finish(&t, &n);
    gth_buf_append(&b, p, n);
    free(p);
    r = run_reader(b.data, b.len, GTH_PROFILE_PARSER);
    assert_int_equal(r.rc, GTH_OK);
    keep(dir, "long-header.bin", b.data, b.len);

    /* Go's reader and validator agree with ours on all of them. */
    tb_agree_with_go(dir);
}

/* A source that delivers `left` bytes of a buffer, then fails. */
typedef struct failing_source {
    const uint8_t *p;
    size_t left;
} failing_source;

static long fail_after(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    failing_source *f = ud;
    if (f->left == 0) {
        gth_error_set(err, GTH_EIO, "read error: device on fire");
        return -1;
    }
    size_t k = n < f->left ? n : f->left;
    memcpy(buf, f->p, k);
    f->p += k;
    f->left -= k;
    return (long)k;
}

static void reader_more_errors(void **state) {
    (void)state;
    /* Two 1.26 generations interleaved: gen 2 starts before gen 1 ends. */
    tb t;
    tb_init(&t, 26, 0);
    t.gen = 1;
    gen126(&t, 100, 0, 1, 0, 0);
    t.gen = 2;
    tb_batch(&t, 2, 1);
    uint64_t second = t.mark;
    EV(&t, GTH_EV_ProcStatus, 1, 0, GTH_PS_RUNNING);
    tb_end_gen(&t);
    size_t n;
    uint8_t *p = tb_finish(&t, &n);
    run_result r = run_reader(p, n, GTH_PROFILE_PARSER);
    assert_int_equal(r.rc, GTH_EINVALID);
    assert_non_null(strstr(r.err.msg, "generations are interleaved"));
    assert_int_equal(r.err.offset, second);

    /* An I/O error after the header, while reading the first generation. */
    failing_source fs = {p, 80}; /* the header is read in 64 bytes or more */
    gth_error err;
    gth_reader *rd = gth_reader_new(NULL, (gth_source){.read = fail_after, .ud = &fs}, &err);
    assert_non_null(rd);
    gth_event ev;
    int k;
    while ((k = gth_reader_next(rd, &ev, &err)) > 0) {}
    assert_int_equal(k, -1);
    assert_int_equal(err.status, GTH_EIO);
    assert_string_equal(err.msg, "read error: device on fire");
    gth_reader_free(rd);
    free(p);

    /* A String whose batch ends before its length: the decoder names it. */
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_header_write(&b, 26);
    uint64_t eb[] = {1, NO_ID, 1, 3};
    size_t at = raw_batch(&b, GTH_EV_EventBatch, eb, 4, "\x04\x05\x01", 3);
    unsigned minor;
    assert_int_equal(gth_decode_all(b.data, b.len, 0, NULL, &minor, count_nothing, NULL, &err), GTH_EINVALID);
    assert_non_null(strstr(err.msg, "data length"));
    assert_true(err.offset > at && err.offset <= b.len);
    gth_buf_free(&b);
}

static int refuse(void *ud, const uint8_t *line, size_t len) {
    (void)ud, (void)line, (void)len;
    return 1;
}

static void failing_sink(void **state) {
    (void)state;
    tb t;
    tb_init(&t, 26, 0);
    t.gen = 1;
    gen126(&t, 100, 0, 1, 1, 1);
    size_t n;
    uint8_t *p = tb_finish(&t, &n);
    gth_mem_source ms;
    gth_error err;
    gth_reader *r = gth_reader_new(NULL, gth_source_mem(&ms, p, n), &err);
    assert_non_null(r);
    gth_run_opts o = {.profile = GTH_PROFILE_VALIDATE, .emit = refuse};
    assert_int_equal(gth_validate_run(r, &o, NULL, &err), GTH_EIO);
    assert_string_equal(err.msg, "write error");
    gth_reader_free(r);
    free(p);
}

/* ---- Containers ------------------------------------------------------------ */

static void containers(void **state) {
    (void)state;
    gth_arena ar;
    gth_arena_init(&ar, NULL);
    assert_null(gth_arena_alloc(&ar, SIZE_MAX - 8));
    assert_null(gth_arena_alloc(&ar, SIZE_MAX / 2 + 2));
    void *p = NULL;
    size_t cap = 0;
    assert_int_equal(gth_arena_grow(&ar, &p, &cap, SIZE_MAX / 4, 8), -1);
    assert_int_equal(gth_arena_grow(&ar, &p, &cap, 3, SIZE_MAX / 8), -1);
    assert_int_equal(cap, 0);
    gth_arena_free(&ar);

    gth_hmap m;
    gth_hmap_init(&m, gth_default_allocator());
    assert_int_equal(gth_hmap_put(&m, 7, 1), 0);
    assert_int_equal(gth_hmap_put(&m, 7, 2), 0);
    assert_int_equal(m.len, 1);
    assert_int_equal(*gth_hmap_get(&m, 7), 2);
    gth_hmap_free(&m);

    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_resource_append(&b, (gth_resource){GTH_RES_THREAD, 3});
    gth_buf_putc(&b, ' ');
    gth_resource_append(&b, (gth_resource){9, 7});
    gth_buf_putc(&b, 0);
    assert_string_equal((char *)b.data, "Thread(3) Bad(7)");
    gth_buf_free(&b);
}

/* gth_idmap against a gth_hmap model: dense ids, a sparse id that moves the
 * entries into the hash, compaction back to an array, clearing. */
static void idmap_check(const gth_idmap *m, const gth_hmap *model) {
    assert_int_equal(m->len, model->len);
    for (size_t i = 0; i < model->cap; i++) {
        if (!model->used[i]) continue;
        uint32_t v = 0;
        assert_true(gth_idmap_get(m, model->keys[i], &v));
        assert_int_equal(v, model->vals[i]);
    }
}

static void idmap(void **state) {
    (void)state;
    gth_idmap m;
    gth_hmap model;
    gth_idmap_init(&m, gth_default_allocator());
    gth_hmap_init(&model, gth_default_allocator());
    uint32_t v;
    assert_false(gth_idmap_get(&m, 0, &v));
    assert_false(gth_idmap_get(&m, UINT64_MAX, &v));
    for (uint64_t id = 1; id <= 5000; id++) {
        assert_int_equal(gth_idmap_put(&m, id, (uint32_t)(id * 3)), 0);
        assert_int_equal(gth_hmap_put(&model, id, (uint32_t)(id * 3)), 0);
    }
    assert_int_equal(gth_idmap_put(&m, 17, 99), 0); /* overwrite */
    assert_int_equal(gth_hmap_put(&model, 17, 99), 0);
    assert_false(m.sparse);
    assert_false(gth_idmap_get(&m, 5001, &v));
    idmap_check(&m, &model);
    /* 4 x 5000 + 1024 is the last id that may grow the array (to 32768
     * entries); past what it holds, 4 x 5001 + 1025 would not. */
    assert_int_equal(gth_idmap_put(&m, 21024, 1), 0);
    assert_int_equal(gth_hmap_put(&model, 21024, 1), 0);
    assert_false(m.sparse);
    assert_int_equal(m.dense_cap, 32768);
    assert_int_equal(gth_idmap_put(&m, 32768, 2), 0);
    assert_int_equal(gth_hmap_put(&model, 32768, 2), 0);
    assert_true(m.sparse);
    idmap_check(&m, &model);
    assert_int_equal(gth_idmap_put(&m, UINT64_MAX, 7), 0);
    assert_int_equal(gth_hmap_put(&model, UINT64_MAX, 7), 0);
    idmap_check(&m, &model);
    gth_idmap_compact(&m); /* UINT64_MAX: stays a hash */
    assert_true(m.sparse);
    idmap_check(&m, &model);

    /* Cleared, it is an array again; ids given in descending order start
     * sparse and compact into an array once all are in. */
    gth_idmap_clear(&m);
    gth_hmap_clear(&model);
    assert_false(m.sparse);
    assert_int_equal(m.len, 0);
    assert_false(gth_idmap_get(&m, 17, &v));
    for (uint64_t id = 3000; id >= 1; id--) {
        assert_int_equal(gth_idmap_put(&m, id, (uint32_t)id), 0);
        assert_int_equal(gth_hmap_put(&model, id, (uint32_t)id), 0);
    }
    assert_true(m.sparse);
    gth_idmap_compact(&m);
    assert_false(m.sparse);
    idmap_check(&m, &model);
    assert_false(gth_idmap_get(&m, 3001, &v));
    assert_false(gth_idmap_get(&m, 0, &v));
    /* A big table, then a small one: clearing releases the big array. */
    for (uint64_t id = 1; id <= 200000; id++) assert_int_equal(gth_idmap_put(&m, id, 1), 0);
    gth_idmap_clear(&m);
    assert_int_equal(gth_idmap_put(&m, 1, 1), 0);
    gth_idmap_clear(&m);
    assert_true(m.dense_cap <= 1024);
    gth_idmap_free(&m);
    gth_hmap_free(&model);
}

/* ---- Trace strings with NUL bytes in error texts ------------------------------ */

/* Go's rejection text of the binary trace at path, profile parser. */
static void go_text(const char *path, gth_buf *msg) {
    char *argv[] = {(char *)tu_gthref(), "validate", "--profile=parser", (char *)path, NULL}, *out = NULL;
    size_t n = 0;
    tu_run(argv, NULL, 0, &out, &n, NULL);
    int rejected = out && n >= 8 && memcmp(out, "REJECT ", 7) == 0;
    while (rejected && n > 0 && out[n - 1] == '\n') n--;
    int ok = rejected && gth_unquote_append(msg, out + 7, n - 7) == 0;
    free(out);
    if (!ok) fail_msg("gthref did not reject %s with a Go-quoted text", path);
}

/* Texts that hold a trace string keep its bytes after a NUL, as Go's do: the
 * message of gth_validate, and \u0000 in `gth validate --json`. */
static void nul_in_texts(void **state) {
    (void)state;
    static const struct {
        const char *name, *text, *want;
        size_t want_len;
    } cases[] = {
        {"string-dup",
         "Trace Go1.26\n"
         "EventBatch gen=1 m=18446744073709551615 time=9 size=15\n"
         "Sync\nFrequency freq=15625000\nClockSnapshot dt=1 mono=99 sec=1740755049 nsec=123\n"
         "EventBatch gen=1 m=18446744073709551615 time=12 size=10\n"
         "Strings\nString id=1\n\tdata=\"a\"\nString id=1\n\tdata=\"\\x00b\"\n"
         "EndOfGeneration\n",
         "multiple strings with the same ID: id=1, new=\0b, existing=a", 59},
        {"region-misuse",
         "Trace Go1.22\n"
         "EventBatch gen=1 m=0 time=0 size=19\n"
         "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=0 gstatus=2\n"
         "UserRegionBegin dt=1 task=0 name_string=1 stack=0\nUserRegionEnd dt=1 task=0 name_string=2 stack=0\n"
         "EventBatch gen=1 m=18446744073709551615 time=0 size=5\nFrequency freq=15625000\n"
         "EventBatch gen=1 m=18446744073709551615 time=0 size=13\n"
         "Strings\nString id=1\n\tdata=\"a\\x00x\"\nString id=2\n\tdata=\"a\\x00y\"\n",
         "misuse of region in goroutine 1: region end {0 a\0y} when the inner-most active region start event is "
         "{0 a\0x}",
         108},
    };
    const char *dir = tu_tmpdir("nul-texts");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gth_buf bin, msg, go;
        gth_error err;
        gth_buf_init(&bin, NULL), gth_buf_init(&msg, NULL), gth_buf_init(&go, NULL);
        if (gth_convert_text_to_binary(cases[i].text, strlen(cases[i].text), cases[i].name, GTH_ENC_VERBATIM, &bin,
                                       &err) != GTH_OK)
            fail_msg("%s: %s", cases[i].name, err.msg);
        gth_validate_opts o = {.message = &msg};
        gth_validate_result res;
        assert_int_equal(gth_validate_mem(bin.data, bin.len, GTH_PROFILE_PARSER, &o, &res), GTH_EINVALID);
        if (msg.len != cases[i].want_len || memcmp(msg.data, cases[i].want, msg.len) != 0)
            fail_msg("%s: the message has %zu bytes, want %zu", cases[i].name, msg.len, cases[i].want_len);
        assert_int_equal(gth_error_len(&res.err), cases[i].want_len);
        assert_memory_equal(res.err.msg, cases[i].want, cases[i].want_len);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.bin", dir, cases[i].name);
        tu_write_file(path, bin.data, bin.len);
        go_text(path, &go);
        if (go.len != msg.len || memcmp(go.data, msg.data, msg.len) != 0)
            fail_msg("%s: Go's text differs (%zu bytes, gth's %zu)", cases[i].name, go.len, msg.len);
        tu_res r = tu_run_gth(TU_ARGS("validate", "--profile=parser", "--json", path), NULL, 0);
        const char *want = i == 0 ? "new=\\u0000b, existing=a\"" : "{0 a\\u0000y} when";
        int rc = r.rc, found = r.out && strstr(r.out, want);
        tu_res_free(&r);
        assert_int_equal(rc, 1);
        if (!found) fail_msg("%s: the --json message lacks %s", cases[i].name, want);
        gth_buf_free(&bin), gth_buf_free(&msg), gth_buf_free(&go);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_names),
        cmocka_unit_test(idmap),
        cmocka_unit_test(conversion_errors),
        cmocka_unit_test(expectation_escapes),
        cmocka_unit_test(reader_io_error),
        cmocka_unit_test(reader_interrupted),
        cmocka_unit_test(reader_edges),
        cmocka_unit_test(reader_more_errors),
        cmocka_unit_test(failing_sink),
        cmocka_unit_test(containers),
        cmocka_unit_test(nul_in_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
