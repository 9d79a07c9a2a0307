/*
 * The strict profile (validator/strict.h, docs/STRICT.md):
 *   - every STRICT invariant of the catalogue has tests/strict/<id>.test, a
 *     trace that Go's reader and test validator accept (Go's adapter says so,
 *     and so do our parser and validate profiles) and that --profile=strict
 *     rejects with exactly that invariant; no file there is without a rule;
 *   - no strict finding on real traces written by the test programs (normal;
 *     stress under the runtime's own stack-ownership check; stress with the
 *     AllocFree experiment; more toolchains with
 *     GTH_STRICT_TOOLCHAINS="go1.22.12 go1.23.12 ...");
 *   - none on Go's golden traces that Go accepts, except the listed hand-written
 *     ones, which must break exactly the listed rule; on the ones Go rejects the
 *     strict profile reports the same finding as the validate profile;
 *   - rules that differ between releases follow the trace's format, or the
 *     release named with --producer;
 *   - none on generated traces (50 seeds for each version);
 *   - the same finding, at the same place, however the input is cut into
 *     reads; findings in later generations are located; bit flips and
 *     truncations of generated traces end in a verdict;
 *   - diagnostics (text and --json) name the rule and the place.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/convert.h"
#include "format/testfile.h"
#include "generator/gen.h"
#include "spec/invariants.h"
#include "validator/reader.h"
#include "validator/strict.h"
#include "validator/validate.h"

/* The producer release the strict profile is told (0: inferred). */
static unsigned producer;

/* Our verdict under a profile: GTH_OK or GTH_EINVALID (anything else fails
 * the test). err and event (may be NULL) receive the finding. */
static int ours(const uint8_t *data, size_t len, int profile, gth_error *err, gth_buf *event) {
    gth_validate_opts o = {.event = event, .producer = producer};
    gth_validate_result res;
    int rc = gth_validate_mem(data, len, profile, &o, &res);
    *err = res.err;
    if (rc != GTH_OK && rc != GTH_EINVALID) fail_msg("status %d: %s", rc, err->msg);
    return rc;
}

static const char *inv_id(int inv) {
    const gth_invariant *i = gth_invariant_get((unsigned)inv);
    return i ? i->id : "(none)";
}

static uint8_t *read_path(const char *path, size_t *len) { return tu_read_file(path, len); }

/* ---- One minimal trace per rule ------------------------------------------------------- */

static void test_rule_traces(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("strict-rules");
    char **bins = calloc(GTH_INV__COUNT, sizeof *bins);
    size_t nrules = 0;
    for (unsigned inv = 1; inv < GTH_INV__COUNT; inv++) {
        const gth_invariant *iv = gth_invariant_get(inv);
        if (iv->profile != GTH_PROFILE_STRICT) continue;
        assert_true(!strncmp(iv->id, "strict.", 7));
        char path[4200];
        snprintf(path, sizeof path, "%s/tests/strict/%s.test", GTH_SOURCE_DIR, iv->id + 7);
        struct stat st;
        if (stat(path, &st) != 0) fail_msg("rule %s has no test: %s is missing", iv->id, path);
        size_t tlen;
        uint8_t *text = read_path(path, &tlen);

        /* Go's expectation in the file is acceptance. */
        gth_testfile tf;
        gth_error err;
        if (gth_testfile_parse(text, tlen, path, &tf, &err) != GTH_OK) fail_msg("%s: %s", path, err.msg);
        gth_expect ex;
        if (gth_expect_parse(&ex, NULL, tf.expect, tf.expect_len, &err) != GTH_OK) fail_msg("%s: %s", path, err.msg);
        if (ex.failure) fail_msg("%s: expects FAILURE; a strict rule's trace is one Go accepts", path);
        gth_expect_free(&ex);

        gth_buf bin;
        gth_buf_init(&bin, NULL);
        if (gth_convert_text_to_binary(text, tlen, path, 0, &bin, &err) != GTH_OK) fail_msg("%s: %s", path, err.msg);
        free(text);

        if (ours(bin.data, bin.len, GTH_PROFILE_PARSER, &err, NULL) != GTH_OK)
            fail_msg("%s: parser profile rejects: [%s] %s", path, inv_id(err.inv), err.msg);
        if (ours(bin.data, bin.len, GTH_PROFILE_VALIDATE, &err, NULL) != GTH_OK)
            fail_msg("%s: validate profile rejects: [%s] %s", path, inv_id(err.inv), err.msg);
        gth_buf ev;
        gth_buf_init(&ev, NULL);
        if (ours(bin.data, bin.len, GTH_PROFILE_STRICT, &err, &ev) != GTH_EINVALID)
            fail_msg("%s: strict profile accepts", path);
        if ((unsigned)err.inv != inv) fail_msg("%s: strict reports [%s] %s, want %s", path, inv_id(err.inv), err.msg, iv->id);
        /* The place and the event are named. */
        assert_int_not_equal(err.offset, GTH_NO_OFFSET);
        assert_int_not_equal(err.gen, UINT64_MAX);
        assert_true(ev.len > 0);
        assert_true(strlen(err.msg) > 20);
        gth_buf_free(&ev);

        char out[4200];
        snprintf(out, sizeof out, "%s/%s.bin", dir, iv->id + 7);
        tu_write_file(out, bin.data, bin.len);
        bins[nrules++] = strdup(out);
        gth_buf_free(&bin);
    }
    assert_true(nrules >= 8);
    char *reject = NULL;
    size_t acc = tu_gthref_accepts(bins, nrules, "validate", &reject);
    if (acc != nrules) fail_msg("Go rejects a strict rule's trace: %s", reject ? reject : "?");
    for (size_t i = 0; i < nrules; i++) free(bins[i]);
    free(bins);

    /* Every file there belongs to a rule. */
    char sdir[4200], **files;
    snprintf(sdir, sizeof sdir, "%s/tests/strict", GTH_SOURCE_DIR);
    size_t nf = tu_list(sdir, ".test", &files);
    for (size_t i = 0; i < nf; i++) {
        const char *base = strrchr(files[i], '/') + 1;
        char id[256];
        snprintf(id, sizeof id, "strict.%.*s", (int)(strlen(base) - 5), base);
        unsigned inv = gth_invariant_find(id);
        if (!inv || gth_invariant_get(inv)->profile != GTH_PROFILE_STRICT)
            fail_msg("%s names no strict rule (%s)", files[i], id);
    }
    assert_int_equal(nf, nrules);
    tu_free_list(files);
    print_message("strict rules: %zu, each with a trace Go accepts and strict rejects\n", nrules);
}

/* ---- Reads of any size; findings in later generations -------------------------------- */

/* A source handing out at most `step` bytes per read, to cut batches anywhere. */
typedef struct slow_source {
    const uint8_t *p;
    size_t n, pos, step;
} slow_source;

static long slow_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    (void)err;
    slow_source *s = ud;
    size_t k = s->n - s->pos;
    if (k > n) k = n;
    if (k > s->step) k = s->step;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (long)k;
}

static int ours_slow(const uint8_t *data, size_t len, size_t step, gth_error *err) {
    slow_source ss = {data, len, 0, step};
    gth_validate_result res;
    int rc = gth_validate((gth_source){.read = slow_read, .ud = &ss}, GTH_PROFILE_STRICT, NULL, &res);
    *err = res.err;
    return rc;
}

static void same_finding(const char *what, const uint8_t *data, size_t len) {
    gth_error want, got;
    int rc = ours(data, len, GTH_PROFILE_STRICT, &want, NULL);
    static const size_t steps[] = {1, 7, 4096, 70000};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int rc2 = ours_slow(data, len, steps[i], &got);
        if (rc2 != rc || (rc != GTH_OK && (got.inv != want.inv || got.offset != want.offset || got.batch != want.batch ||
                                           got.event != want.event)))
            fail_msg("%s read %zu bytes at a time: [%s] at %llu (batch %lld, event %lld), want [%s] at %llu", what,
                     steps[i], inv_id(got.inv), (unsigned long long)got.offset, (long long)got.batch,
                     (long long)got.event, inv_id(want.inv), (unsigned long long)want.offset);
    }
}

static void test_reads_and_generations(void **state) {
    (void)state;
    /* Three generations; the third wakes goroutine 1 with a stack on a thread
     * that runs no goroutine. */
    gth_buf text;
    gth_buf_init(&text, NULL);
    gth_buf_printf(&text, "Trace Go1.22\n");
    for (int g = 1; g <= 3; g++) {
        gth_buf_printf(&text,
                       "EventBatch gen=%d m=18446744073709551615 time=%d size=5\nFrequency freq=15625000\n"
                       "EventBatch gen=%d m=1 time=%d size=4\nProcStatus dt=1 p=1 pstatus=2\n"
                       "EventBatch gen=%d m=0 time=%d size=%d\nProcStatus dt=1 p=0 pstatus=1\n"
                       "GoStatus dt=1 g=1 m=18446744073709551615 gstatus=4\n%s"
                       "EventBatch gen=%d m=18446744073709551615 time=0 size=10\nStacks\nStack id=1 nframes=1\n"
                       "\tpc=4816080 func=1 file=2 line=45\n"
                       "EventBatch gen=%d m=18446744073709551615 time=0 size=29\nStrings\n"
                       "String id=1\n\tdata=\"main.main\"\nString id=2\n\tdata=\"/src/main.go\"\n",
                       g, g * 100, g, g * 100, g, g * 100, g == 3 ? 23 : 18,
                       g == 3 ? "GoUnblock dt=1 g=1 g_seq=1 stack=1\n" : "", g, g);
    }
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    gth_error err;
    if (gth_convert_text_to_binary(text.data, text.len, "late", 0, &bin, &err) != GTH_OK) fail_msg("%s", err.msg);
    assert_int_equal(ours(bin.data, bin.len, GTH_PROFILE_VALIDATE, &err, NULL), GTH_OK);
    assert_int_equal(ours(bin.data, bin.len, GTH_PROFILE_STRICT, &err, NULL), GTH_EINVALID);
    assert_int_equal(err.inv, GTH_INV_STRICT_STACK_OWNER);
    assert_int_equal(err.gen, 3);
    assert_int_equal(err.m, 0);
    assert_int_equal(err.batch, 1); /* thread 1's batch is the generation's first event batch */
    assert_int_equal(err.event, 2);
    same_finding("late", bin.data, bin.len);
    gth_buf_free(&bin);
    gth_buf_free(&text);

    /* Every rule's trace, whatever the size of the reads. */
    char dir[4200], **files;
    snprintf(dir, sizeof dir, "%s/tests/strict", GTH_SOURCE_DIR);
    size_t nf = tu_list(dir, ".test", &files);
    for (size_t i = 0; i < nf; i++) {
        size_t tlen;
        uint8_t *t = read_path(files[i], &tlen);
        gth_buf_init(&bin, NULL);
        if (gth_convert_text_to_binary(t, tlen, files[i], 0, &bin, &err) != GTH_OK) fail_msg("%s", err.msg);
        same_finding(files[i], bin.data, bin.len);
        gth_buf_free(&bin);
        free(t);
    }
    tu_free_list(files);
}

/* ---- Every finding of the ordered pass is located ------------------------------------- */

/* strict.status-missing on events without a stack: the finding names the
 * batch (the index among the generation's event batches) and the event index
 * in it, from a file (read by offset) and from a pipe alike. */
static void test_locations(void **state) {
    (void)state;
    static const struct {
        const char *name, *gen2;
        int64_t batch, event;
        uint64_t m;
    } cases[] = {
        /* Goroutine 1 runs on thread 0 across the generation boundary; its
         * thread restates the P, not the goroutine. */
        {"first batch", "EventBatch gen=2 m=0 time=200 size=0\nProcStatus dt=1 p=0 pstatus=1\n"
                        "HeapAlloc dt=1 heapalloc_value=200\n", 0, 1, 0},
        /* The same after another thread's batch, three events in. */
        {"second batch", "EventBatch gen=2 m=2 time=200 size=0\nProcStatus dt=1 p=1 pstatus=1\n"
                         "GoStatus dt=1 g=2 m=2 gstatus=2\n"
                         "EventBatch gen=2 m=0 time=201 size=0\nProcStatus dt=1 p=0 pstatus=1\n"
                         "HeapAlloc dt=1 heapalloc_value=200\nHeapAlloc dt=1 heapalloc_value=300\n"
                         "GoSyscallBegin dt=1 p_seq=1 stack=0\n", 1, 1, 0},
        /* The proc: thread 2 starts P 1 in generation 1; in generation 2 it
         * writes for goroutine 2 only. */
        {"proc", "EventBatch gen=2 m=0 time=200 size=0\nProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=0 gstatus=2\n"
                 "EventBatch gen=2 m=2 time=200 size=0\nGoStatus dt=1 g=2 m=2 gstatus=2\n"
                 "HeapAlloc dt=1 heapalloc_value=5\n", 1, 1, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gth_buf text;
        gth_buf_init(&text, NULL);
        gth_buf_printf(&text, "Trace Go1.22\n"
                              "EventBatch gen=1 m=0 time=100 size=0\nProcStatus dt=1 p=0 pstatus=1\n"
                              "GoStatus dt=1 g=1 m=0 gstatus=2\nHeapAlloc dt=1 heapalloc_value=100\n"
                              "EventBatch gen=1 m=2 time=100 size=0\nProcStatus dt=1 p=1 pstatus=1\n"
                              "GoStatus dt=1 g=2 m=2 gstatus=2\n"
                              "EventBatch gen=1 m=18446744073709551615 time=0 size=0\nFrequency freq=15625000\n"
                              "%s"
                              "EventBatch gen=2 m=18446744073709551615 time=0 size=0\nFrequency freq=15625000\n",
                       cases[i].gen2);
        gth_buf bin;
        gth_buf_init(&bin, NULL);
        gth_error err;
        if (gth_convert_text_to_binary(text.data, text.len, cases[i].name, 0, &bin, &err) != GTH_OK)
            fail_msg("%s: %s", cases[i].name, err.msg);
        if (ours(bin.data, bin.len, GTH_PROFILE_VALIDATE, &err, NULL) != GTH_OK)
            fail_msg("%s: validate rejects: %s", cases[i].name, err.msg);
        assert_int_equal(ours(bin.data, bin.len, GTH_PROFILE_STRICT, &err, NULL), GTH_EINVALID);
        if (err.inv != GTH_INV_STRICT_STATUS_MISSING) fail_msg("%s: [%s] %s", cases[i].name, inv_id(err.inv), err.msg);
        assert_int_equal(err.gen, 2);
        assert_int_equal(err.m, cases[i].m);
        if (err.batch != cases[i].batch || err.event != cases[i].event)
            fail_msg("%s: located at batch %lld, event %lld; want batch %lld, event %lld", cases[i].name,
                     (long long)err.batch, (long long)err.event, (long long)cases[i].batch, (long long)cases[i].event);
        same_finding(cases[i].name, bin.data, bin.len);
        gth_buf_free(&bin);
        gth_buf_free(&text);
    }
}

/* ---- Mutants: nothing aborts, and reads of any size agree ------------------------------ */

static void test_mutants(void **state) {
    (void)state;
    static const unsigned versions[] = {22, 23, 25, 26};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    size_t n = 0, strict_findings = 0;
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
        size_t blen;
        uint8_t *base = tu_generate(versions[v], 100 + v, 300, 3, &blen);
        gth_error err;
        uint8_t *m = malloc(blen);
        for (int i = 0; i < 250; i++) {
            memcpy(m, base, blen);
            size_t len = blen;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t at = 16 + (size_t)(x % (blen - 16));
            if (i % 5 == 4) len = at;                /* truncated */
            else m[at] ^= (uint8_t)(1u << (x >> 61)); /* one bit flipped */
            int rc = ours(m, len, GTH_PROFILE_STRICT, &err, NULL);
            const gth_invariant *iv = gth_invariant_get((unsigned)err.inv);
            if (rc == GTH_EINVALID && iv && iv->profile == GTH_PROFILE_STRICT) strict_findings++;
            if (i % 10 == 0) same_finding("mutant", m, len);
            n++;
        }
        free(m);
        free(base);
    }
    print_message("mutants: %zu, %zu with a strict finding\n", n, strict_findings);
    assert_true(strict_findings > 0);
}

/* ---- Rules that differ between releases ------------------------------------------------ */

/* A .test text packed with gth pack --fix-sizes (the sizes need not be right). */
static uint8_t *pack_text(const char *text, size_t n, size_t *len) {
    const char *dir = tu_tmpdir("strict-pack");
    char in[4200], out[4200];
    snprintf(in, sizeof in, "%s/t.test", dir);
    snprintf(out, sizeof out, "%s/t.bin", dir);
    tu_write_file(in, text, n);
    char *argv[] = {(char *)tu_gth(), "pack", "--fix-sizes", in, "-o", out, NULL};
    if (tu_run(argv, NULL, 0, NULL, NULL, NULL) != 0) fail_msg("gth pack %s failed", in);
    return read_path(out, len);
}

/* A one-generation trace of format go1.<minor>: goroutine 1 runs on thread 0
 * and proc 0 and writes `events`; the string table has 1 "main.main",
 * 2 "/src/main.go" and then `strings` (String entries); from 1.26 an
 * EndOfGeneration closes it. Packed with gth pack
 * --fix-sizes. */
static uint8_t *release_trace(unsigned minor, const char *events, const char *strings, size_t *len) {
    gth_buf t;
    gth_buf_init(&t, NULL);
    gth_buf_printf(&t, "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.%u\n", minor);
    gth_buf_printf(&t, "EventBatch gen=1 m=18446744073709551615 time=1 size=0\n%s",
                   minor >= 25 ? "Sync\nFrequency freq=15625000\nClockSnapshot dt=1 mono=99 sec=1 nsec=0\n"
                               : "Frequency freq=15625000\n");
    gth_buf_printf(&t, "EventBatch gen=1 m=0 time=100 size=0\nProcStatus dt=1 p=0 pstatus=1\n"
                       "GoStatus dt=1 g=1 m=0 gstatus=2\n%s",
                   events);
    gth_buf_printf(&t, "EventBatch gen=1 m=18446744073709551615 time=0 size=0\nStacks\nStack id=1 nframes=1\n"
                       "\tpc=4816080 func=1 file=2 line=45\n"
                       "EventBatch gen=1 m=18446744073709551615 time=0 size=0\nStrings\nString id=1\n"
                       "\tdata=\"main.main\"\nString id=2\n\tdata=\"/src/main.go\"\n%s%s",
                   strings, minor >= 26 ? "EndOfGeneration\n" : "");
    uint8_t *bin = pack_text((const char *)t.data, t.len, len);
    gth_buf_free(&t);
    return bin;
}

/* The rule strict reports for the trace under the given producer (NULL: none);
 * the validate profile must accept it. */
static const char *release_verdict(const uint8_t *bin, size_t len, unsigned as) {
    gth_error err;
    producer = 0;
    if (ours(bin, len, GTH_PROFILE_VALIDATE, &err, NULL) != GTH_OK) fail_msg("validate rejects: %s", err.msg);
    producer = as;
    int rc = ours(bin, len, GTH_PROFILE_STRICT, &err, NULL);
    producer = 0;
    return rc == GTH_OK ? NULL : inv_id(err.inv);
}

static void expect_rule(const char *what, unsigned minor, unsigned as, const char *events, const char *strings,
                        const char *want) {
    size_t len;
    uint8_t *bin = release_trace(minor, events, strings, &len);
    const char *got = release_verdict(bin, len, as);
    int same = want ? got && !strcmp(got, want) : got == NULL;
    if (!same)
        fail_msg("%s, format go1.%u, producer %u: strict reports %s, want %s", what, minor, as, got ? got : "nothing",
                 want ? want : "nothing");
    free(bin);
}

static void test_releases(void **state) {
    (void)state;
    const char *block = "GoBlock dt=1 reason_string=3 stack=1\n";
    /* "GC weak to strong wait" from Go 1.23, "synctest" from Go 1.24. */
    const char *weak = "String id=3\n\tdata=\"GC weak to strong wait\"\n";
    const char *synctest = "String id=3\n\tdata=\"synctest\"\n";
    expect_rule("weak", 22, 0, block, weak, "strict.block-reason");
    expect_rule("weak", 23, 0, block, weak, NULL);
    expect_rule("synctest", 22, 0, block, synctest, "strict.block-reason");
    expect_rule("synctest", 23, 0, block, synctest, NULL); /* Go 1.24 writes the 1.23 format */
    expect_rule("synctest", 23, 23, block, synctest, "strict.block-reason");
    expect_rule("synctest", 23, 24, block, synctest, NULL);
    expect_rule("synctest", 25, 0, block, synctest, NULL);
    expect_rule("synctest", 26, 0, block, synctest, NULL);

    /* An empty UserLog message: an entry of its own before Go 1.26, id 0 from then. */
    const char *log = "UserLog dt=1 task=0 key_string=1 value_string=3 stack=1\n";
    const char *empty = "String id=3\n\tdata=\"\"\n";
    expect_rule("empty message", 22, 0, log, empty, NULL);
    expect_rule("empty message", 25, 0, log, empty, NULL);
    expect_rule("empty message", 26, 0, log, empty, "strict.string-empty");
    expect_rule("empty region name", 25, 0, "UserRegionBegin dt=1 task=0 name_string=3 stack=1\n", empty,
                "strict.string-empty");
    /* UserLog messages take fresh ids, so may repeat any string. */
    expect_rule("repeated message", 26, 0, log, "String id=3\n\tdata=\"main.main\"\n", NULL);

    /* Two strings cut to 1024 bytes: before Go 1.27 the cut is made when the
     * string is written, so two that differ past it are written the same. */
    gth_buf two;
    gth_buf_init(&two, NULL);
    for (int id = 3; id <= 4; id++) {
        gth_buf_printf(&two, "String id=%d\n\tdata=\"", id);
        for (unsigned i = 0; i < GTH_STRICT_MAX_STRING; i++) gth_buf_putc(&two, 'a' + (char)(i % 26));
        gth_buf_printf(&two, "\"\n");
    }
    gth_buf_putc(&two, 0);
    expect_rule("long strings", 26, 0, "", (const char *)two.data, NULL);
    expect_rule("long strings", 26, 26, "", (const char *)two.data, NULL);
    expect_rule("long strings", 26, 27, "", (const char *)two.data, "strict.string-dup");
    expect_rule("long strings", 25, 0, "", (const char *)two.data, NULL);
    gth_buf_free(&two);

    /* Ids without gaps: only Go 1.22 assigns them under a lock. */
    const char *gap = "String id=5\n\tdata=\"main.worker\"\n";
    expect_rule("gap", 22, 0, "", gap, "strict.table-ids");
    expect_rule("gap", 23, 0, "", gap, NULL);
    expect_rule("gap", 26, 0, "", gap, NULL);

    /* Release names. */
    unsigned m = 0;
    assert_int_equal(gth_strict_parse_producer("go1.25", &m), GTH_OK);
    assert_int_equal(m, 25);
    assert_int_equal(gth_strict_parse_producer("go1.27.3", &m), GTH_OK);
    assert_int_equal(m, 27);
    assert_int_equal(gth_strict_parse_producer("1.22", &m), GTH_OK);
    assert_int_equal(m, 22);
    assert_int_not_equal(gth_strict_parse_producer("go1.21", &m), GTH_OK);
    assert_int_not_equal(gth_strict_parse_producer("go1.28", &m), GTH_OK);
    assert_int_not_equal(gth_strict_parse_producer("go1.25x", &m), GTH_OK);
    assert_int_not_equal(gth_strict_parse_producer("go1.25.", &m), GTH_OK);
    assert_int_not_equal(gth_strict_parse_producer("go2.0", &m), GTH_OK);
}

/* ---- Shapes real traces have ------------------------------------------------------------ */

/* What the runtime writes that a rule must allow, each as a real trace showed it. */
static void test_runtime_shapes(void **state) {
    (void)state;
    /* A coroutine's goroutine exits in a generation where it had no event
     * before: coroswitch_m destroys it before GoSwitchDestroy is written, so
     * no status of it comes first (a Go 1.24.11 coro stress trace). */
    static const char destroy[] =
        "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.23\n"
        "EventBatch gen=1 m=18446744073709551615 time=1 size=0\nFrequency freq=15625000\n"
        "EventBatch gen=1 m=0 time=100 size=0\nProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=0 gstatus=2\n"
        "GoCreateBlocked dt=1 new_g=2 new_stack=1 stack=1\n"
        "EventBatch gen=1 m=18446744073709551615 time=0 size=0\nStacks\nStack id=1 nframes=1\n"
        "\tpc=4816080 func=1 file=2 line=45\n"
        "EventBatch gen=1 m=18446744073709551615 time=0 size=0\nStrings\nString id=1\n\tdata=\"main.main\"\n"
        "String id=2\n\tdata=\"/src/main.go\"\n"
        "EventBatch gen=2 m=18446744073709551615 time=200 size=0\nFrequency freq=15625000\n"
        "EventBatch gen=2 m=0 time=300 size=0\nGoStatus dt=1 g=2 m=18446744073709551615 gstatus=4\n"
        "ProcStatus dt=1 p=0 pstatus=1\nGoSwitchDestroy dt=1 g=2 g_seq=1\n";
    size_t len;
    uint8_t *bin = pack_text(destroy, sizeof destroy - 1, &len);
    const char *got = release_verdict(bin, len, 0);
    if (got) fail_msg("GoSwitchDestroy of a goroutine without a status: strict reports %s", got);
    free(bin);
}

/* ---- Go's golden traces --------------------------------------------------------------- */

/* Golden tests that Go accepts but that were written by hand, not by a runtime:
 * each breaks exactly this rule. */
static const struct {
    const char *name, *rule, *why;
} golden_exempt[] = {
    {"go122-confuse-seq-across-generations", "strict.stop-reason", "GoStop with the reason \"whatever\""},
    {"go122-create-syscall-reuse-thread-id", "strict.status-thread",
     "a thread describes a runnable goroutine as on no thread; a runtime names itself"},
    {"go122-go-create-without-running-g", "strict.create-stack", "GoCreate with new_stack=0"},
    {"go122-syscall-steal-proc-ambiguous", "strict.batch-time", "first event with dt=0"},
    {"go122-syscall-steal-proc-self", "strict.batch-time", "first event with dt=0"},
    {"go123-sync", "strict.frequency", "the frequency changes to test time conversion per generation"},
    {"go125-sync", "strict.frequency", "the frequency changes to test time conversion per generation"},
};

static void test_goldens(void **state) {
    (void)state;
    char **bins;
    size_t n = tu_golden_binaries(tu_tmpdir("strict-gold"), &bins), clean = 0, rejected = 0;
    unsigned seen[sizeof golden_exempt / sizeof golden_exempt[0]] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *data = read_path(bins[i], &len);
        gth_error ve, se;
        int v = ours(data, len, GTH_PROFILE_VALIDATE, &ve, NULL);
        int s = ours(data, len, GTH_PROFILE_STRICT, &se, NULL);
        free(data);
        const char *base = strrchr(bins[i], '/') + 1;
        if (v != GTH_OK) {
            /* Findings of the other profiles come first, unchanged. */
            assert_int_equal(s, GTH_EINVALID);
            if (se.inv != ve.inv || se.offset != ve.offset)
                fail_msg("%s: strict reports [%s], validate [%s]", base, inv_id(se.inv), inv_id(ve.inv));
            rejected++;
            continue;
        }
        int ex = -1;
        for (size_t k = 0; k < sizeof golden_exempt / sizeof golden_exempt[0]; k++)
            if (!strncmp(base, golden_exempt[k].name, strlen(golden_exempt[k].name)) &&
                !strcmp(base + strlen(golden_exempt[k].name), ".bin"))
                ex = (int)k;
        if (ex < 0) {
            if (s != GTH_OK) fail_msg("%s: strict finding [%s] %s", base, inv_id(se.inv), se.msg);
            clean++;
            continue;
        }
        seen[ex] = 1;
        if (s != GTH_EINVALID || strcmp(inv_id(se.inv), golden_exempt[ex].rule))
            fail_msg("%s: expected exactly %s (%s), got %s", base, golden_exempt[ex].rule, golden_exempt[ex].why,
                     s == GTH_OK ? "acceptance" : inv_id(se.inv));
    }
    for (size_t k = 0; k < sizeof golden_exempt / sizeof golden_exempt[0]; k++)
        if (!seen[k]) fail_msg("exempted golden test %s not found or not accepted by Go", golden_exempt[k].name);
    print_message("goldens: %zu clean, %zu hand-written exceptions, %zu rejected as by validate\n", clean,
                  sizeof golden_exempt / sizeof golden_exempt[0], rejected);
    assert_true(clean >= 10);
    tu_free_list(bins);
}

/* ---- Real traces ---------------------------------------------------------------------- */

/* defect: a strict rule the runtime is known to break in this mode (its
 * traces are counted with the invalid ones), or NULL. */
static size_t check_real(const char *toolchain, const char *godebug, const char *mode, const char *defect,
                         size_t *invalid) {
    char script[4200], env[128], dir[256];
    snprintf(script, sizeof script, "%s/adapters/go/testprogs/run.sh", GTH_SOURCE_DIR);
    snprintf(env, sizeof env, "GODEBUG=%s", godebug);
    snprintf(dir, sizeof dir, "strict-real-%s", toolchain);
    char *argv[] = {"env", env, "sh", script, (char *)tu_tmpdir(dir), (char *)mode, "--toolchain", (char *)toolchain, NULL};
    char *o = NULL, *e = NULL;
    int rc = tu_run(argv, NULL, 0, &o, NULL, &e);
    if (rc != 0) fail_msg("run.sh %s failed (%d): %s", toolchain, rc, e ? e : "");
    size_t n = 0;
    for (char *l = strtok(o, "\n"); l; l = strtok(NULL, "\n")) {
        size_t len;
        uint8_t *data = read_path(l, &len);
        gth_error err;
        gth_buf ev;
        gth_buf_init(&ev, NULL);
        int s = ours(data, len, GTH_PROFILE_STRICT, &err, &ev);
        free(data);
        gth_buf_putc(&ev, 0);
        const gth_invariant *iv = gth_invariant_get((unsigned)err.inv);
        if (s != GTH_OK && iv && iv->profile != GTH_PROFILE_STRICT) {
            /* A runtime bug Go's own rules catch (Go's reader is checked
             * against ours elsewhere): no strict finding to look for. */
            print_message("note: %s: not valid even without strict rules: [%s]\n", l, iv->id);
            gth_buf_free(&ev);
            (*invalid)++;
            continue;
        }
        if (s != GTH_OK && defect && !strcmp(inv_id(err.inv), defect)) {
            print_message("note: %s: the runtime's known defect in this mode: [%s] %s\n", l, defect, err.msg);
            gth_buf_free(&ev);
            (*invalid)++;
            continue;
        }
        if (s != GTH_OK)
            fail_msg("%s: [%s] %s at offset %llu: %s", l, inv_id(err.inv), err.msg, (unsigned long long)err.offset,
                     (const char *)ev.data);
        gth_buf_free(&ev);
        n++;
    }
    free(o);
    free(e);
    if (n < 4) fail_msg("run.sh %s wrote only %zu traces", toolchain, n);
    return n;
}

static void test_real_traces(void **state) {
    (void)state;
    size_t invalid = 0;
    size_t n = check_real("local", "", "--normal-only", NULL, &invalid);
    /* With the runtime's own check that the tracer owns every stack it walks:
     * what a trace cannot show (docs/STRICT.md), the runtime then throws on. */
    n += check_real("local", "traceCheckStackOwnership=1", "--stress-only", NULL, &invalid);
    /* With the AllocFree experiment the runtime sometimes writes no status at
     * all for a goroutine that runs in a generation (docs/STRICT.md). */
    n += check_real("local", "traceallocfree=1", "--stress-only", "strict.status-missing", &invalid);
    /* More toolchains on request (each is downloaded on first use). */
    const char *more = getenv("GTH_STRICT_TOOLCHAINS");
    for (const char *p = more ? more : ""; *p;) {
        size_t len = strcspn(p, " ");
        if (len) {
            char tc[64];
            snprintf(tc, sizeof tc, "%.*s", (int)len, p);
            n += check_real(tc, "", "--normal-only", NULL, &invalid);
            n += check_real(tc, "", "--stress-only", NULL, &invalid);
        }
        p += len;
        p += strspn(p, " ");
    }
    print_message("real traces: %zu, no strict finding (%zu rejected by the validate profile or showing a known "
                  "runtime defect)\n",
                  n, invalid);
    assert_true(invalid * 4 < n);
}

/* ---- Generated traces ----------------------------------------------------------------- */

static void test_generated(void **state) {
    (void)state;
    static const unsigned versions[] = {22, 23, 25, 26};
    size_t n = 0;
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
        for (uint64_t seed = 1; seed <= 50; seed++) {
            gth_gen_config c;
            gth_gen_config_init(&c, versions[v], seed);
            gth_buf b;
            gth_buf_init(&b, NULL);
            gth_error err;
            if (gth_gen_run_buf(&c, &b, NULL, &err) != GTH_OK)
                fail_msg("gen go1.%u seed %llu: %s", versions[v], (unsigned long long)seed, err.msg);
            if (ours(b.data, b.len, GTH_PROFILE_STRICT, &err, NULL) != GTH_OK)
                fail_msg("generated go1.%u seed %llu: [%s] %s at offset %llu", versions[v], (unsigned long long)seed,
                         inv_id(err.inv), err.msg, (unsigned long long)err.offset);
            gth_buf_free(&b);
            n++;
        }
    }
    print_message("generated traces: %zu, no strict finding\n", n);
}

/* ---- The command ---------------------------------------------------------------------- */

static void test_cli(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("strict-cli");
    char src[4200], bin[4200];
    snprintf(src, sizeof src, "%s/tests/strict/stack-owner.test", GTH_SOURCE_DIR);
    snprintf(bin, sizeof bin, "%s/stack-owner.bin", dir);
    char *pack[] = {(char *)tu_gth(), "pack", src, "-o", bin, NULL};
    assert_int_equal(tu_run(pack, NULL, 0, NULL, NULL, NULL), 0);

    char *out = NULL, *err = NULL;
    char *text[] = {(char *)tu_gth(), "validate", "--profile=strict", bin, NULL};
    assert_int_equal(tu_run(text, NULL, 0, &out, NULL, &err), 1);
    assert_non_null(strstr(err, ": [strict.stack-owner] GoUnblock carries stack 1"));
    assert_non_null(strstr(err, "  at generation 1, thread 0, batch 0, event 2\n"));
    assert_non_null(strstr(err, "  event: "));
    free(out);
    free(err);

    char *json[] = {(char *)tu_gth(), "validate", "--profile=strict", "--json", bin, NULL};
    assert_int_equal(tu_run(json, NULL, 0, &out, NULL, NULL), 1);
    assert_non_null(strstr(out, "\"valid\":false,\"invariant\":\"strict.stack-owner\",\"offset\":"));
    assert_non_null(strstr(out, "\"generation\":1,\"thread\":0,\"batch\":0,\"event_index\":2,\"message\":"));
    assert_non_null(strstr(out, ",\"event\":\""));
    free(out);

    /* The other profiles accept it. */
    char *val[] = {(char *)tu_gth(), "validate", "--profile=validate", bin, NULL};
    assert_int_equal(tu_run(val, NULL, 0, NULL, NULL, NULL), 0);
    char *bad[] = {(char *)tu_gth(), "validate", "--profile=strictest", bin, NULL};
    assert_int_equal(tu_run(bad, NULL, 0, NULL, NULL, NULL), 2);

    /* --producer names the release; only with the strict profile. */
    char *prod[] = {(char *)tu_gth(), "validate", "--profile=strict", "--producer", "go1.22", bin, NULL};
    assert_int_equal(tu_run(prod, NULL, 0, NULL, NULL, &err), 1);
    assert_non_null(strstr(err, "[strict.stack-owner]"));
    free(err);
    char *prod2[] = {(char *)tu_gth(), "validate", "--profile=strict", "--producer=go1.21", bin, NULL};
    assert_int_equal(tu_run(prod2, NULL, 0, NULL, NULL, NULL), 2);
    char *prod3[] = {(char *)tu_gth(), "validate", "--producer", "go1.22", bin, NULL};
    assert_int_equal(tu_run(prod3, NULL, 0, NULL, NULL, NULL), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_traces), cmocka_unit_test(test_goldens),   cmocka_unit_test(test_generated),
        cmocka_unit_test(test_cli),         cmocka_unit_test(test_reads_and_generations),
        cmocka_unit_test(test_mutants),    cmocka_unit_test(test_releases),
        cmocka_unit_test(test_runtime_shapes),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_real_traces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
