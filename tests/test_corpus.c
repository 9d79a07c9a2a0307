/*
 * The golden corpus (corpus/, docs/CORPUS.md): a sample of the committed corpus
 * re-checked against Go (the reference adapter) and our validator, row by row,
 * through the library (harness/corpus.h); Go's own TestReaderGolden, unmodified,
 * on a sample of the .test files (scripts/go-golden.sh); the build
 * byte-identical on re-run and the check failing on a tampered manifest or case
 * (in-process, and the command's exit codes); origins that reproduce their case
 * with `gth gen`; the v1 traces reported as unsupported; the exports; the size
 * table of docs/CORPUS.md as `gth corpus stats --markdown` prints it.
 * The whole corpus: `gth corpus check` and `scripts/go-golden.sh` (docs/CORPUS.md).
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/convert.h"
#include "format/encode.h"
#include "harness/corpus.h"
#include "spec/invariants.h"

#define CORPUS GTH_SOURCE_DIR "/corpus"

static void use_our_gthref(void) { setenv("GTH_GTHREF", tu_gthref(), 1); }

/* Runs gth with args; returns the exit status, stdout in *out (may be NULL). */
static int gth(const char *const *args, char **out, char **err) {
    char *argv[32];
    size_t n = 0;
    argv[n++] = (char *)tu_gth();
    for (; *args && n < 31; args++) argv[n++] = (char *)*args;
    argv[n] = NULL;
    char *o = NULL;
    size_t olen;
    int st = tu_run(argv, NULL, 0, &o, &olen, err);
    if (out) *out = o;
    else free(o);
    return st;
}

/* A corpus runner (Go found through GTH_GTHREF) whose results go to a memory
 * stream, *out. */
static void runner_open(gth_corpus_runner *run, FILE **f, char **out, size_t *len) {
    use_our_gthref();
    char why[1024];
    if (gth_corpus_runner_open(run, why, sizeof why)) fail_msg("%s", why);
    *f = open_memstream(out, len);
    assert_non_null(*f);
    run->out = *f;
}

/* gth_corpus_check over dir: the mismatches; the results in *out. */
static size_t check(const char *dir, uint64_t sample, char **out, size_t *checked) {
    gth_corpus_runner run;
    FILE *f;
    size_t len;
    runner_open(&run, &f, out, &len);
    run.log = f; /* the progress too */
    char path[4200], why[1024];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    gth_corpus_manifest man;
    if (gth_corpus_manifest_load(&man, path, why, sizeof why)) fail_msg("%s", why);
    size_t bad = gth_corpus_check(&run, dir, &man, sample, 0, checked);
    gth_corpus_manifest_free(&man);
    gth_corpus_runner_close(&run);
    fclose(f);
    return bad;
}

static void test_check_sample(void **state) {
    (void)state;
    char *out;
    setenv("GTH_PROGRESS_SECONDS", "0", 1); /* a progress line for every case */
    size_t checked, bad = check(CORPUS, 150, &out, &checked);
    unsetenv("GTH_PROGRESS_SECONDS");
    if (bad) fail_msg("gth_corpus_check: %zu mismatches\n%s", bad, out);
    assert_int_equal(checked, 150);
    assert_non_null(strstr(out, "gth corpus check: 75/150 cases (50%), "));
    assert_non_null(strstr(out, "gth corpus check: 150/150 cases (100%), "));
    free(out);
}

static void test_go_golden_sample(void **state) {
    (void)state;
    setenv("GTH", tu_gth(), 1);
    char *argv[] = {"sh", GTH_SOURCE_DIR "/scripts/go-golden.sh", "--sample", "60", CORPUS, NULL};
    char *out, *err;
    size_t olen;
    int st = tu_run(argv, NULL, 0, &out, &olen, &err);
    if (st != 0) fail_msg("go-golden.sh: exit %d\n%s%s", st, out, err);
    assert_non_null(strstr(out, "TestReaderGolden: 60 of our 60 files passed, 0 failed"));
    free(out);
    free(err);
}

/* The manifest's rows, as lines (without the header). */
static char **manifest_lines(const char *dir, size_t *n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    size_t len;
    char *data = (char *)tu_read_file(path, &len);
    char **v = calloc(len / 8 + 2, sizeof *v);
    *n = 0;
    for (char *s = data, *e; s < data + len; s = e + 1) {
        e = memchr(s, '\n', (size_t)(data + len - s));
        if (!e) e = data + len;
        if (*s != '#') v[(*n)++] = strndup(s, (size_t)(e - s));
    }
    free(data);
    return v;
}

static void free_lines(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Field k (0-based) of a TSV line, in a static buffer. */
static const char *field(const char *line, int k) {
    static char buf[4096];
    for (int i = 0; i < k; i++) {
        line = strchr(line, '\t');
        assert_non_null(line);
        line++;
    }
    size_t n = strcspn(line, "\t");
    snprintf(buf, sizeof buf, "%.*s", (int)n, line);
    return buf;
}

/* Every file of dir (recursively), concatenated with its name: a fingerprint. */
static void fingerprint(const char *dir, gth_buf *b) {
    const char *subs[] = {"valid", "invalid", "invalid-validate", "invalid-bin", NULL};
    for (const char **s = subs; *s; s++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, *s);
        struct stat st;
        if (stat(sub, &st) != 0) continue;
        char **names;
        size_t n = tu_list(sub, NULL, &names);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            uint8_t *d = tu_read_file(names[i], &len);
            gth_buf_printf(b, "%s %zu\n", names[i] + strlen(dir), len);
            gth_buf_append(b, d, len);
            free(d);
        }
        tu_free_list(names);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    size_t len;
    uint8_t *d = tu_read_file(path, &len);
    gth_buf_append(b, d, len);
    free(d);
}

/* gth_corpus_build of a small corpus into dir. */
static void build(const char *dir) {
    gth_corpus_runner run;
    FILE *f;
    char *out;
    size_t len;
    runner_open(&run, &f, &out, &len);
    run.log = f; /* the progress too */
    setenv("GTH_PROGRESS_SECONDS", "0", 1); /* a progress line for every step */
    int rc = gth_corpus_build(&run, dir, 4, 20);
    unsetenv("GTH_PROGRESS_SECONDS");
    gth_corpus_runner_close(&run);
    fclose(f);
    if (rc) fail_msg("gth_corpus_build: %d\n%s", rc, out);
    /* Each phase reports its progress, ending at its total. */
    assert_non_null(strstr(out, "gth corpus build: valid go1.26: 4/4 seeds (100%), "));
    assert_non_null(strstr(out, "gth corpus build: valid go1.22: 2/4 seeds (50%), "));
    assert_non_null(strstr(out, "gth mutate --derive: 100/200 mutants kept (50%), "));
    assert_non_null(strstr(out, "gth mutate --derive: 200/200 mutants kept (100%), "));
    assert_non_null(strstr(out, " parents checked (100%), "));
    assert_non_null(strstr(out, "gth corpus build: invalid: "));
    assert_non_null(strstr(out, " mutants checked (100%), "));
    free(out);
}

static void test_build_deterministic_and_check_catches_tampering(void **state) {
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("corpus"));
    build(dir);
    gth_buf one, two;
    gth_buf_init(&one, NULL);
    gth_buf_init(&two, NULL);
    fingerprint(dir, &one);
    build(dir);
    fingerprint(dir, &two);
    assert_true(one.len > 1000);
    assert_int_equal(one.len, two.len);
    assert_memory_equal(one.data, two.data, one.len);
    gth_buf_free(&one);
    gth_buf_free(&two);

    char *out;
    size_t checked, bad = check(dir, 0, &out, &checked);
    if (bad) fail_msg("check of a fresh build: %zu mismatches\n%s", bad, out);
    free(out);

    /* A manifest row that says Go rejects a valid case. */
    char path[4200];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    size_t len;
    char *man = (char *)tu_read_file(path, &len);
    char *p = strstr(man, "\tACCEPT\t\tACCEPT\t-\n");
    assert_non_null(p);
    char *tampered = malloc(len + 32);
    size_t head = (size_t)(p - man);
    memcpy(tampered, man, head);
    size_t k = head + (size_t)sprintf(tampered + head, "\tREJECT\tsomething\tACCEPT\t-\n");
    size_t rest = len - head - strlen("\tACCEPT\t\tACCEPT\t-\n");
    memcpy(tampered + k, p + strlen("\tACCEPT\t\tACCEPT\t-\n"), rest);
    tu_write_file(path, tampered, k + rest);
    assert_int_equal(check(dir, 0, &out, &checked), 1);
    assert_non_null(strstr(out, "MISMATCH valid/"));
    assert_non_null(strstr(out, "manifest says REJECT something"));
    free(out);
    /* The command: exit 1 and the same line. */
    const char *cmd[] = {"corpus", "check", "--dir", dir, NULL};
    char *err;
    assert_int_equal(gth(cmd, &out, &err), 1);
    assert_non_null(strstr(out, "manifest says REJECT something"));
    assert_non_null(strstr(out, " 1 mismatches"));
    free(out);
    free(err);
    tu_write_file(path, man, len);
    free(tampered);
    free(man);

    /* A case whose bytes no longer come from its origin. */
    snprintf(path, sizeof path, "%s/valid/go1.26-gen-s00002.test", dir);
    uint8_t *t = tu_read_file(path, &len);
    tu_write_file(path, t, len);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs("Frequency freq=15625000\n", f); /* a second frequency: still reads, but not generated */
    fclose(f);
    assert_true(check(dir, 0, &out, &checked) >= 1);
    assert_non_null(strstr(out, "MISMATCH valid/go1.26-gen-s00002.test"));
    free(out);
    tu_write_file(path, t, len);
    free(t);

    /* A file without a row. */
    snprintf(path, sizeof path, "%s/valid/extra.test", dir);
    tu_write_file(path, "-- expect --\nSUCCESS\n", 21);
    assert_int_equal(check(dir, 0, &out, &checked), 1);
    assert_non_null(strstr(out, "file has no manifest row"));
    free(out);
    remove(path);
}

/* docs/CORPUS.md's size table is what `gth corpus stats --markdown` prints for
 * the committed corpus. */
static void test_stats_doc(void **state) {
    (void)state;
    const char *args[] = {"corpus", "stats", "--dir", CORPUS, "--markdown", NULL};
    char *out, *err;
    assert_int_equal(gth(args, &out, &err), 0);
    size_t len;
    char *doc = (char *)tu_read_file(GTH_SOURCE_DIR "/docs/CORPUS.md", &len);
    char *doc0 = malloc(len + 1);
    memcpy(doc0, doc, len);
    doc0[len] = 0;
    if (!strstr(doc0, out))
        fail_msg("docs/CORPUS.md's size table is stale: put the output of `gth corpus stats --markdown` there:\n%s", out);
    free(doc0);
    free(doc);
    free(out);
    free(err);
}

/* The origin column of generated cases is a `gth gen` command line that writes
 * the case byte for byte. */
static void test_origins_reproduce(void **state) {
    (void)state;
    size_t n;
    char **rows = manifest_lines(CORPUS, &n);
    size_t tried = 0, gens = 0;
    for (size_t i = 0; i < n && tried < 6; i++) {
        char origin[4096], id[4096];
        snprintf(id, sizeof id, "%s", field(rows[i], 0));
        snprintf(origin, sizeof origin, "%s", field(rows[i], 2));
        if (strncmp(origin, "gen ", 4) || gens++ % 301 != 7) continue;
        const char *args[32];
        size_t k = 0;
        for (char *s = strtok(origin, " "); s && k < 31; s = strtok(NULL, " ")) args[k++] = s;
        args[k] = NULL;
        char *out, *err;
        assert_int_equal(gth(args, &out, &err), 0);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", CORPUS, id);
        size_t len;
        uint8_t *want = tu_read_file(path, &len);
        if (strlen(out) != len || memcmp(out, want, len)) fail_msg("%s: `gth %s` writes different bytes", id, field(rows[i], 2));
        free(want);
        free(out);
        free(err);
        tried++;
    }
    assert_true(tried >= 3);
    free_lines(rows, n);
}

/* The origin of a mutated case is a `gth mutate` command line: the parent and
 * the seed give the case's trace byte for byte. */
static void test_mutant_origins_reproduce(void **state) {
    (void)state;
    size_t n, tried = 0;
    char **rows = manifest_lines(CORPUS, &n);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("mutant"));
    for (size_t i = 0; i < n && tried < 8; i += 97) {
        char id[4096], origin[4096], op[64], parent[4096];
        unsigned long long seed;
        snprintf(id, sizeof id, "%s", field(rows[i], 0));
        snprintf(origin, sizeof origin, "%s", field(rows[i], 2));
        if (sscanf(origin, "mutate op=%63s seed=%llu parent=%4095s", op, &seed, parent) != 3) continue;
        char ppath[8300], cpath[8300], mout[4200], pout[4200], seedstr[32];
        snprintf(ppath, sizeof ppath, "%s/%s", CORPUS, parent);
        snprintf(cpath, sizeof cpath, "%s/%s", CORPUS, id);
        snprintf(mout, sizeof mout, "%s/m.bin", dir);
        snprintf(pout, sizeof pout, "%s/p.bin", dir);
        snprintf(seedstr, sizeof seedstr, "%llu", seed);
        if (strstr(parent, ".fuzz")) continue; /* gth mutate reads traces, not fuzz files */
        const char *m[] = {"mutate", "--seed", seedstr, "-o", mout, ppath, NULL};
        char *out, *err;
        if (gth(m, &out, &err) != 0) fail_msg("%s: gth mutate: %s", id, err);
        assert_non_null(strstr(err, op));
        free(out), free(err);
        size_t ml, cl;
        uint8_t *mb = tu_read_file(mout, &ml), *cb;
        if (strstr(id, ".test")) {
            const char *pk[] = {"pack", cpath, "-o", pout, NULL};
            assert_int_equal(gth(pk, &out, &err), 0);
            free(out), free(err);
            cb = tu_read_file(pout, &cl);
        } else {
            cb = tu_read_file(cpath, &cl);
        }
        if (ml != cl || memcmp(mb, cb, ml)) fail_msg("%s: `gth mutate --seed %s %s` writes another trace", id, seedstr, parent);
        free(mb);
        free(cb);
        tried++;
    }
    assert_true(tried >= 4);
    free_lines(rows, n);
}

static void test_manifest_shape(void **state) {
    (void)state;
    size_t n, valid = 0, invalid = 0, real = 0, v1 = 0;
    char **rows = manifest_lines(CORPUS, &n);
    for (size_t i = 0; i < n; i++) {
        const char *id = field(rows[i], 0);
        if (!strncmp(id, "valid/", 6)) {
            valid++;
            assert_string_equal(field(rows[i], 4), "ACCEPT");
            assert_string_equal(field(rows[i], 6), "ACCEPT");
        } else if (!strncmp(id, "invalid", 7)) {
            invalid++;
            assert_string_equal(field(rows[i], 4), "REJECT");
            assert_string_equal(field(rows[i], 6), "REJECT");
            assert_int_not_equal(gth_invariant_find(field(rows[i], 7)), GTH_INV_NONE);
        } else if (!strncmp(id, "real/", 5)) {
            real++;
            if (strstr(id, "-go1.21.13-")) {
                v1++;
                assert_string_equal(field(rows[i], 1), "go1.21");
                assert_string_equal(field(rows[i], 7), "header.version");
            } else {
                assert_string_equal(field(rows[i], 4), "ACCEPT");
                assert_string_equal(field(rows[i], 6), "ACCEPT");
            }
        } else {
            fail_msg("row %s is in no set", id);
        }
    }
    assert_true(valid >= 2000);
    assert_true(invalid >= 2000);
    assert_true(real >= 40);
    assert_true(v1 >= 2);
    free_lines(rows, n);
}

static void test_v1_is_reported_unsupported(void **state) {
    (void)state;
    char **names;
    size_t n = tu_list(CORPUS "/real", ".trace", &names), seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strstr(names[i], "-go1.21.13-")) continue;
        const char *args[] = {"validate", names[i], NULL};
        char *out, *err;
        assert_int_equal(gth(args, &out, &err), 1);
        assert_non_null(strstr(err, "[header.version]"));
        assert_non_null(strstr(err, "old (v1) format, which is not supported"));
        free(out);
        free(err);
        seen++;
    }
    assert_true(seen >= 2);
    tu_free_list(names);
}

static void test_stats_lists_everything(void **state) {
    (void)state;
    const char *args[] = {"corpus", "stats", "--dir", CORPUS, NULL};
    char *out, *err;
    assert_int_equal(gth(args, &out, &err), 0);
    for (unsigned inv = 1; inv < GTH_INV__COUNT; inv++) {
        char line[128];
        snprintf(line, sizeof line, "\n  %s ", gth_invariant_get(inv)->id);
        if (!strstr(out, line)) fail_msg("stats do not list invariant %s", gth_invariant_get(inv)->id);
    }
    assert_non_null(strstr(out, "Event types of go1.22"));
    assert_non_null(strstr(out, "Event types of go1.26"));
    assert_non_null(strstr(out, " GoDestroySyscall "));
    assert_non_null(strstr(out, "\nGaps: "));
    free(out);
    free(err);
}

static void test_exports(void **state) {
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("export"));
    char fz[4200], zp[4200];
    snprintf(fz, sizeof fz, "%s/fuzz", dir);
    snprintf(zp, sizeof zp, "%s/zip", dir);
    const char *a1[] = {"corpus", "export", "--dir", CORPUS, "--fuzz", fz, NULL};
    const char *a2[] = {"corpus", "export", "--dir", CORPUS, "--zip", zp, NULL};
    char *out, *err;
    assert_int_equal(gth(a1, &out, &err), 0);
    free(out), free(err);
    assert_int_equal(gth(a2, &out, &err), 0);
    free(out), free(err);

    /* A fuzz file holds the case's trace as Go's bytes. */
    char path[4400];
    snprintf(path, sizeof path, "%s/valid-go1.23-gen-s00007", fz);
    size_t flen, tlen;
    uint8_t *fdata = tu_read_file(path, &flen);
    uint8_t *tdata = tu_read_file(CORPUS "/valid/go1.23-gen-s00007.test", &tlen);
    gth_buf got, want;
    gth_buf_init(&got, NULL);
    gth_buf_init(&want, NULL);
    gth_error e;
    assert_int_equal(gth_convert_fuzz_file(fdata, flen, &got, &e), GTH_OK);
    assert_int_equal(gth_convert_text_to_binary(tdata, tlen, "t", GTH_ENC_VERBATIM, &want, &e), GTH_OK);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, got.len);
    gth_buf_free(&got);
    gth_buf_free(&want);
    free(fdata);
    free(tdata);

    /* The binary seed zip lists one entry per case (end of central directory). */
    size_t zlen, rows;
    snprintf(path, sizeof path, "%s/binary_seed_corpus.zip", zp);
    uint8_t *z = tu_read_file(path, &zlen);
    assert_true(zlen > 22);
    const uint8_t *eocd = z + zlen - 22;
    assert_memory_equal(eocd, "PK\x05\x06", 4);
    assert_memory_equal(z, "PK\x03\x04", 4);
    unsigned entries = eocd[10] | eocd[11] << 8;
    char **lines = manifest_lines(CORPUS, &rows);
    free_lines(lines, rows);
    assert_int_equal(entries, rows);
    free(z);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_shape),
        cmocka_unit_test(test_check_sample),
        cmocka_unit_test(test_go_golden_sample),
        cmocka_unit_test(test_build_deterministic_and_check_catches_tampering),
        cmocka_unit_test(test_origins_reproduce),
        cmocka_unit_test(test_mutant_origins_reproduce),
        cmocka_unit_test(test_v1_is_reported_unsupported),
        cmocka_unit_test(test_stats_lists_everything),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_stats_doc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
