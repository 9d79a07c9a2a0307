/*
 * The reader's inline ordering path (gth_order_fast, validator/internal.h)
 * against its general path (validator/order.c), and the test validator's
 * and the strict ordered pass's common cases (gth_testtrace_fast,
 * gth_strict_fast) against their checks on the view: gth and
 * gth-general (the same command on a library built with GTH_NO_INLINE_ORDER,
 * every event through the general paths) must print the same thing, byte for
 * byte, on every trace of corpus/ (the .test files packed to Go's bytes, as
 * `gth pack` does), on generated traces of every format version and on
 * mutants of them, in the parser, validate and strict profiles: the JSON
 * verdicts (finding, invariant, byte offset, place, the reader's own finding),
 * the stream digests, the event streams (all but corpus/real, whose streams
 * are compared by their digests), stderr and the exit status; and the
 * validate and strict profiles' verdicts without a stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/convert.h"
#include "format/encode.h"
#include "util/testutil.h"

#define CORPUS GTH_SOURCE_DIR "/corpus"
/* Files per validate run: bounds the output held in memory. */
#define CHUNK 200

/* One run's outputs. */
typedef struct outs {
    int rc;
    const char *out, *err;
    size_t out_len, err_len;
} outs;

/* The line of s[0..n) that holds byte i: its start and length. */
static void line_at(const char *s, size_t n, size_t i, size_t *start, size_t *len) {
    size_t a = i, b = i;
    while (a > 0 && s[a - 1] != '\n') a--;
    while (b < n && s[b] != '\n') b++;
    *start = a;
    *len = b - a;
}

/* The first "file" of a JSON verdict line at or after byte i (the file the
 * events before it belong to), or "?" when there is none. */
static void file_after(const char *s, size_t n, size_t i, char *name, size_t cap) {
    static const char key[] = "{\"file\":\"";
    snprintf(name, cap, "?");
    for (size_t k = i; k + sizeof key - 1 <= n; k++) {
        if ((k == 0 || s[k - 1] == '\n') && !memcmp(s + k, key, sizeof key - 1)) {
            size_t a = k + sizeof key - 1, b = a;
            while (b < n && s[b] != '"') b++;
            snprintf(name, cap, "%.*s", (int)(b - a), s + a);
            return;
        }
    }
}

/* 0 if one stream s1 and s2 are the same bytes; else 1, with the first
 * differing line of each (numbered) and the file it belongs to in why. */
static int diff_stream(const char *what, const char *s1, size_t n1, const char *s2, size_t n2, char *why,
                       size_t cap) {
    size_t i = 0, lineno = 1;
    while (i < n1 && i < n2 && s1[i] == s2[i]) {
        if (s1[i] == '\n') lineno++;
        i++;
    }
    if (i == n1 && i == n2) return 0;
    size_t a1, l1, a2, l2;
    line_at(s1, n1, i < n1 ? i : n1, &a1, &l1);
    line_at(s2, n2, i < n2 ? i : n2, &a2, &l2);
    char file[512];
    file_after(s1, n1, i, file, sizeof file);
    snprintf(why, cap, "%s differs at line %zu (file %s):\n  inline:  %.*s%s\n  general: %.*s%s", what, lineno, file,
             l1 > 400 ? 400 : (int)l1, s1 + a1, i >= n1 ? "<end>" : "", l2 > 400 ? 400 : (int)l2, s2 + a2,
             i >= n2 ? "<end>" : "");
    return 1;
}

/* 0 if the two runs agree in stdout, stderr and exit status; else 1 with the
 * first difference in why. */
static int diff_outs(const outs *a, const outs *b, char *why, size_t cap) {
    if (diff_stream("stdout", a->out, a->out_len, b->out, b->out_len, why, cap)) return 1;
    if (diff_stream("stderr", a->err, a->err_len, b->err, b->err_len, why, cap)) return 1;
    if (a->rc != b->rc) {
        snprintf(why, cap, "exit status: inline %d, general %d", a->rc, b->rc);
        return 1;
    }
    return 0;
}

/* The comparison itself must see a difference in any of the three outputs,
 * and say where. */
static void test_diff_selftest(void **state) {
    (void)state;
    char why[2048];
    const char *o = "E 1 GoStart g=1\n{\"file\":\"a.trace\",\"valid\":true}\n";
    outs same1 = {0, o, "", strlen(o), 0}, same2 = same1;
    assert_int_equal(diff_outs(&same1, &same2, why, sizeof why), 0);

    const char *o2 = "E 1 GoStart g=2\n{\"file\":\"a.trace\",\"valid\":true}\n";
    outs ev = {0, o2, "", strlen(o2), 0};
    assert_int_equal(diff_outs(&same1, &ev, why, sizeof why), 1);
    assert_non_null(strstr(why, "stdout differs at line 1 (file a.trace)"));
    assert_non_null(strstr(why, "g=2"));

    const char *o3 = "E 1 GoStart g=1\n";
    outs cut = {0, o3, "", strlen(o3), 0};
    assert_int_equal(diff_outs(&same1, &cut, why, sizeof why), 1);
    assert_non_null(strstr(why, "line 2"));
    assert_non_null(strstr(why, "<end>"));

    outs err = {0, o, "x: bad\n", strlen(o), 7};
    assert_int_equal(diff_outs(&same1, &err, why, sizeof why), 1);
    assert_non_null(strstr(why, "stderr differs"));

    outs rc = {1, o, "", strlen(o), 0};
    assert_int_equal(diff_outs(&same1, &rc, why, sizeof why), 1);
    assert_non_null(strstr(why, "exit status: inline 0, general 1"));
}

/* A growable list of paths. */
typedef struct paths {
    char **v;
    size_t n, cap;
} paths;

static void paths_add(paths *p, const char *s) {
    if (p->n + 2 > p->cap) p->v = realloc(p->v, (p->cap = p->cap ? 2 * p->cap : 256) * sizeof *p->v);
    p->v[p->n++] = strdup(s);
    p->v[p->n] = NULL;
}

static void paths_free(paths *p) {
    for (size_t i = 0; i < p->n; i++) free(p->v[i]);
    free(p->v);
}

/* Every .trace of corpus/SUB as it is, every .test packed into dir. */
static void add_corpus_dir(paths *p, paths *made, const char *sub, const char *dir) {
    char src[4200];
    snprintf(src, sizeof src, "%s/%s", CORPUS, sub);
    char **names;
    size_t n = tu_list(src, NULL, &names);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (l > 6 && !strcmp(names[i] + l - 6, ".trace")) {
            paths_add(p, names[i]);
        } else if (l > 5 && !strcmp(names[i] + l - 5, ".test")) {
            size_t len;
            uint8_t *data = tu_read_file(names[i], &len);
            gth_buf bin;
            gth_buf_init(&bin, NULL);
            gth_error e;
            if (gth_convert_text_to_binary(data, len, names[i], GTH_ENC_VERBATIM, &bin, &e) != GTH_OK)
                fail_msg("%s: %s", names[i], e.msg);
            char out[8400];
            snprintf(out, sizeof out, "%s/%s-%s.trace", dir, sub, strrchr(names[i], '/') + 1);
            tu_write_file(out, bin.data, bin.len);
            paths_add(p, out);
            paths_add(made, out);
            gth_buf_free(&bin);
            free(data);
        }
    }
    tu_free_list(names);
}

/* Both commands on files[0..n) in one profile, CHUNK files a run; fails at the
 * first difference. digest: print the stream digests; events: the event
 * streams too. Returns how many files were rejected (JSON verdicts
 * "valid":false), for the record. */
static size_t compare_runs(char *const *files, size_t n, const char *profile, int events, int digest) {
    size_t rejected = 0;
    char **argv = malloc((CHUNK + 8) * sizeof *argv);
    for (size_t at = 0; at < n; at += CHUNK) {
        size_t k = 0;
        argv[k++] = NULL; /* the command */
        argv[k++] = "validate";
        argv[k++] = (char *)profile;
        argv[k++] = "--json";
        if (digest) argv[k++] = "--digest";
        if (events) argv[k++] = "--events";
        for (size_t i = at; i < n && i < at + CHUNK; i++) argv[k++] = files[i];
        argv[k] = NULL;
        char *out[2], *err[2];
        size_t out_len[2];
        int rc[2];
        for (int b = 0; b < 2; b++) {
            argv[0] = b == 0 ? (char *)tu_gth() : (char *)GTH_CLI_GENERAL;
            rc[b] = tu_run(argv, NULL, 0, &out[b], &out_len[b], &err[b]);
            if (rc[b] > 1) fail_msg("%s %s: exit status %d: %s", argv[0], profile, rc[b], err[b]);
        }
        outs a = {rc[0], out[0], err[0], out_len[0], strlen(err[0])};
        outs g = {rc[1], out[1], err[1], out_len[1], strlen(err[1])};
        char why[4096];
        if (diff_outs(&a, &g, why, sizeof why))
            fail_msg("gth validate %s --json%s%s, files %zu..%zu of %zu: %s", profile, digest ? " --digest" : "",
                     events ? " --events" : "", at, at + CHUNK < n ? at + CHUNK - 1 : n - 1, n, why);
        rejected += tu_count(out[0], "\"valid\":false");
        /* Every file has its verdict. */
        size_t files_here = (at + CHUNK < n ? CHUNK : n - at);
        assert_int_equal(tu_count(out[0], "{\"file\":"), files_here);
        for (int b = 0; b < 2; b++) free(out[b]), free(err[b]);
    }
    free(argv);
    return rejected;
}

/* The generated traces: gth gen, every format version, a few seeds each. */
static void add_generated(paths *p, paths *made, const char *dir) {
    static const char *const versions[] = {"1.22", "1.23", "1.25", "1.26"};
    for (size_t v = 0; v < sizeof versions / sizeof *versions; v++) {
        char sub[4300];
        snprintf(sub, sizeof sub, "%s/gen-%s", dir, versions[v]);
        if (mkdir(sub, 0777)) fail_msg("mkdir %s: %s", sub, strerror(errno));
        char seed[16];
        snprintf(seed, sizeof seed, "%zu", 100 + 37 * v);
        tu_res r = tu_run_gth(TU_ARGS("gen", "--version", versions[v], "--seed", seed, "--count", "6", "-o", sub), NULL, 0);
        if (r.rc != 0) fail_msg("gth gen --version %s: %s", versions[v], r.err);
        tu_res_free(&r);
        char **names;
        size_t n = tu_list(sub, ".trace", &names);
        assert_int_equal(n, 6);
        for (size_t i = 0; i < n; i++) paths_add(p, names[i]), paths_add(made, names[i]);
        tu_free_list(names);
    }
}

/* The operators whose mutants meet the inline path's checks, and how many
 * seeds of each a parent gets: goroutine and proc statuses and sequence
 * numbers most (a status changed at a generation's start is what makes, say,
 * a GoUnblock of a runnable goroutine with the right sequence number), then
 * ids and events out of their place; NULL: the operator each seed draws. */
static const struct {
    const char *op;
    unsigned seeds;
} mutations[] = {
    {"gstatus-change", 16}, {"pstatus-change", 4}, {"seq-bump", 2}, {"seq-reset", 2}, {"seq-swap", 2},
    {"event-drop", 1}, {"event-dup", 1}, {"event-swap", 1}, {"event-move", 1}, {"event-move-thread", 1},
    {"goroutine-id-existing", 1}, {"proc-id-existing", 1}, {"thread-id-existing", 1}, {NULL, 2}};

/* Mutants (gth mutate) of parents[0..n), as the table above says (an
 * operator that does not apply to a parent gives none). */
static void add_mutants(paths *p, paths *made, char *const *parents, size_t n, const char *dir) {
    for (size_t i = 0; i < n; i++) {
        for (size_t o = 0; o < sizeof mutations / sizeof *mutations; o++) {
            const char *op = mutations[o].op;
            for (unsigned s = 1; s <= mutations[o].seeds; s++) {
                char out[4400], seed[16];
                snprintf(out, sizeof out, "%s/mut-%zu-%s-%u.trace", dir, i, op ? op : "any", s);
                snprintf(seed, sizeof seed, "%u", s);
                tu_res r = op ? tu_run_gth(TU_ARGS("mutate", "--seed", seed, "--op", op, "-o", out, parents[i]), NULL, 0)
                              : tu_run_gth(TU_ARGS("mutate", "--seed", seed, "-o", out, parents[i]), NULL, 0);
                /* Exit 1 with --op: the operator does not apply to this parent. */
                int skip = op && r.rc == 1;
                if (r.rc != 0 && !skip) fail_msg("gth mutate --seed %s %s: %s", seed, parents[i], r.err);
                tu_res_free(&r);
                if (skip) continue;
                paths_add(p, out);
                paths_add(made, out);
            }
        }
    }
}

static void test_inline_matches_general(void **state) {
    (void)state;
    /* No progress lines: they come by the clock, not by the trace. */
    setenv("GTH_PROGRESS_SECONDS", "1000000000", 1);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("inline-order"));
    paths small = {0}, real = {0}, made = {0};
    static const char *const subs[] = {"valid", "invalid", "invalid-bin", "invalid-validate", "readers"};
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) add_corpus_dir(&small, &made, subs[i], dir);
    size_t corpus_n = small.n;
    add_corpus_dir(&real, &made, "real", dir);

    paths gen = {0};
    add_generated(&gen, &made, dir);
    /* Parents: three generated traces of each version, and a spread of corpus/valid. */
    paths parents = {0};
    for (size_t i = 0; i < gen.n; i += 2) paths_add(&parents, gen.v[i]);
    for (size_t i = 0; i < corpus_n; i += corpus_n / 8)
        if (strstr(small.v[i], "/valid-")) paths_add(&parents, small.v[i]);
    for (size_t i = 0; i < gen.n; i++) paths_add(&small, gen.v[i]);
    size_t before = small.n;
    add_mutants(&small, &made, parents.v, parents.n, dir);
    size_t mutants = small.n - before;
    assert_true(mutants >= 400);

    static const char *const profiles[] = {"--profile=parser", "--profile=validate", "--profile=strict"};
    for (size_t k = 0; k < 3; k++) {
        size_t rej = compare_runs(small.v, small.n, profiles[k], 1, 1);
        size_t rej_real = compare_runs(real.v, real.n, profiles[k], 0, 1);
        printf("%s: %zu corpus, %zu generated, %zu mutant, %zu real traces: identical output (%zu rejected)\n",
               profiles[k], corpus_n, gen.n, mutants, real.n, rej + rej_real);
        /* Both accepting and rejecting traces were compared. */
        assert_true(rej > 0 && rej < small.n);
    }
    /* Without a stream the validate profile makes no view of an event its
     * common case passes, nor the strict profile of one both its common cases
     * (gth_testtrace_fast, gth_strict_fast) pass: the verdicts alone. */
    for (size_t k = 1; k < 3; k++) {
        size_t rej = compare_runs(small.v, small.n, profiles[k], 0, 0);
        rej += compare_runs(real.v, real.n, profiles[k], 0, 0);
        printf("%s without a stream: identical verdicts (%zu rejected)\n", profiles[k], rej);
        assert_true(rej > 0 && rej < small.n + real.n);
    }

    for (size_t i = 0; i < made.n; i++) unlink(made.v[i]);
    for (size_t v = 0; v < 4; v++) {
        char sub[4300];
        static const char *const versions[] = {"1.22", "1.23", "1.25", "1.26"};
        snprintf(sub, sizeof sub, "%s/gen-%s", dir, versions[v]);
        rmdir(sub);
    }
    rmdir(dir);
    paths_free(&small), paths_free(&real), paths_free(&made), paths_free(&gen), paths_free(&parents);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_selftest),
        cmocka_unit_test(test_inline_matches_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
