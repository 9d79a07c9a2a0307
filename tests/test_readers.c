/*
 * corpus/readers (docs/CORPUS.md, docs/FINDINGS.md): reproducers of defects of
 * the readers of Go's releases, and corpus/readers/EXPECT.tsv, one row per file,
 * release (1.22 ... 1.27) and profile giving what that release's reader
 * (gthref-go1.XX, adapters/RELEASES.md) says.
 *   - every row holds exactly: each file is run RUNS times through each release
 *     and through the newest reader (go); the verdicts seen, the error text and
 *     how the release's stream compares with the newest's (the agreement rule of
 *     harness/agree.h, after the normalisation of the API generations that gth
 *     diff applies) must be those of the row;
 *   - every file has a row for every release and profile, and every row a file;
 *   - an altered expectation fails: each row with its verdict, its error text or
 *     its stream column changed, a row left out and a row given twice are each
 *     reported, and the whole file with one row changed does not pass;
 *   - each file's expectation (-- expect --) is the newest reader's verdict.
 * When the release readers were not built (GTH_GO_RELEASES off, no Go) the test
 * exits with SKIP_CODE, which tests/CMakeLists.txt declares as ctest's skip code.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "harness/adapter.h"
#include "harness/agree.h"
#include "harness/corpus.h"

#define DIR GTH_SOURCE_DIR "/corpus/readers"
#define SKIP_CODE 77
/* Runs per file, release and profile. The map-order defect takes either order
 * about half the time (docs/FINDINGS.md): both are seen in 32 runs but for a
 * chance of 2^-31. */
#define RUNS 32

static const char *const releases[] = {"1.22", "1.23", "1.24", "1.25", "1.26", "1.27"};
static const char *const profiles[] = {"parser", "validate"};
enum { NREL = sizeof releases / sizeof releases[0], NPROF = 2, MAXFILES = 32 };

static const char *const header = "# file\trelease\tprofile\tverdict\terror\tstream\n";

/* What one release said about one file in one profile, over RUNS runs. */
typedef struct observed {
    int done;
    int accepted, rejected, errored; /* runs of each verdict */
    gth_buf text;                    /* the rejection text, escaped as in the file */
    int texts_differ;                /* rejections with different texts */
    const char *stream;              /* same-as-newest, differs, nondeterministic */
} observed;

static char **files;
static size_t nfiles;
static observed obs[MAXFILES][NREL][NPROF];
static char gthref[4400];

/* The binary trace of a .test file (Go's bytes), written into the build tree. */
static const char *binary_of(const char *name) {
    static char path[4400];
    char src[4400];
    size_t len;
    snprintf(src, sizeof src, "%s/%s", DIR, name);
    uint8_t *data = tu_read_file(src, &len);
    gth_error err;
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    if (gth_convert_text_to_binary(data, len, src, GTH_ENC_VERBATIM, &bin, &err) != GTH_OK)
        fail_msg("%s: %s", src, err.msg);
    snprintf(path, sizeof path, "%s/%s.bin", tu_tmpdir("readers"), name);
    tu_write_file(path, bin.data, bin.len);
    gth_buf_free(&bin);
    free(data);
    return path;
}

static void open_adapter(gth_adapter *a, const char *spec) {
    char why[512];
    if (gth_adapter_parse(a, spec, gthref, why, sizeof why)) fail_msg("%s: %s", spec, why);
    gth_adapter_capabilities(a);
}

/* Runs file f through every release and the newest reader, RUNS times each. */
static void observe(size_t f) {
    if (obs[f][0][0].done) return;
    const char *bin = binary_of(files[f]);
    for (size_t p = 0; p < NPROF; p++) {
        char spec[64];
        gth_adapter newest;
        snprintf(spec, sizeof spec, "go:%s", profiles[p]);
        open_adapter(&newest, spec);
        gth_result ref, first, r, na, nb;
        gth_result_init(&ref);
        gth_result_init(&first);
        gth_result_init(&r);
        gth_result_init(&na);
        gth_result_init(&nb);
        for (int k = 0; k < RUNS; k++) {
            gth_adapter_run(&newest, bin, k ? &r : &ref);
            if (k && !gth_results_agree(&ref, &r, 1))
                fail_msg("the newest reader is not deterministic on %s (%s)", files[f], profiles[p]);
        }
        for (size_t i = 0; i < NREL; i++) {
            observed *o = &obs[f][i][p];
            gth_adapter a;
            snprintf(spec, sizeof spec, "go@%s:%s", releases[i], profiles[p]);
            open_adapter(&a, spec);
            gth_buf_init(&o->text, NULL);
            int nondet = 0;
            for (int k = 0; k < RUNS; k++) {
                gth_result *cur = k ? &r : &first;
                gth_adapter_run(&a, bin, cur);
                if (cur->verdict == RES_ACCEPT) o->accepted++;
                else if (cur->verdict == RES_REJECT) o->rejected++;
                else o->errored++;
                if (cur->verdict == RES_REJECT) {
                    gth_buf esc;
                    gth_buf_init(&esc, NULL);
                    gth_corpus_tsv_escape(&esc, (const char *)cur->msg.data, cur->msg.len);
                    if (!o->text.len) gth_buf_append(&o->text, esc.data, esc.len);
                    else if (esc.len != o->text.len || memcmp(esc.data, o->text.data, esc.len)) o->texts_differ = 1;
                    gth_buf_free(&esc);
                }
                if (k && !gth_results_agree(&first, cur, 1)) nondet = 1;
            }
            /* As gth diff compares a pair: without the fields in which the API
             * generations of the two differ (docs/EVENTS.md). */
            unsigned fa = gth_norm_fields_of_api(newest.api), fb = gth_norm_fields_of_api(a.api);
            unsigned fields = fa != fb ? fa | fb : 0;
            gth_normalize(&ref, fields, &na);
            gth_normalize(&first, fields, &nb);
            o->stream = nondet ? "nondeterministic" : gth_results_agree(&na, &nb, 1) ? "same-as-newest" : "differs";
            o->done = 1;
            gth_adapter_close(&a);
        }
        gth_adapter_close(&newest);
        gth_result_free(&ref);
        gth_result_free(&first);
        gth_result_free(&r);
        gth_result_free(&na);
        gth_result_free(&nb);
    }
}

static const char *verdict_of(const observed *o) {
    if (o->errored) return "ERROR";
    return o->accepted && o->rejected ? "ACCEPT|REJECT" : o->accepted ? "ACCEPT" : "REJECT";
}

/* Appends the row that the observations of (f, i, p) make. */
static void observed_row(gth_buf *b, size_t f, size_t i, size_t p) {
    observe(f);
    const observed *o = &obs[f][i][p];
    char line[512];
    snprintf(line, sizeof line, "%s\t%s\t%s\t%s\t", files[f], releases[i], profiles[p], verdict_of(o));
    gth_buf_append(b, line, strlen(line));
    if (o->text.len) gth_buf_append(b, o->text.data, o->text.len);
    else gth_buf_putc(b, '-');
    gth_buf_putc(b, '\t');
    gth_buf_append(b, o->stream, strlen(o->stream));
    gth_buf_putc(b, '\n');
}

static long index_of(const char *const *v, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i]) == len && !memcmp(v[i], s, len)) return (long)i;
    return -1;
}

/* Checks an expectation file's text against the observations; each difference
 * is a line in *report. Returns the number of differences. */
static size_t check(const char *text, gth_buf *report) {
    size_t bad = 0;
    char msg[1024];
    static unsigned char seen[MAXFILES][NREL][NPROF];
    memset(seen, 0, sizeof seen);
#define MISMATCH(...)                                       \
    do {                                                    \
        snprintf(msg, sizeof msg, __VA_ARGS__);             \
        gth_buf_append(report, msg, strlen(msg));           \
        gth_buf_putc(report, '\n');                         \
        bad++;                                              \
    } while (0)
    if (strncmp(text, header, strlen(header))) MISMATCH("EXPECT.tsv: the first line is not the header %s", header);
    const char *line = strchr(text, '\n');
    line = line ? line + 1 : text + strlen(text);
    for (size_t ln = 2; *line; ln++) {
        const char *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        const char *f[6];
        size_t fl[6], nf = 0;
        for (const char *p = line; nf < 6;) {
            const char *tab = memchr(p, '\t', (size_t)(end - p));
            f[nf] = p;
            fl[nf++] = (size_t)((tab ? tab : end) - p);
            if (!tab) break;
            p = tab + 1;
        }
        if (nf != 6 || memchr(f[5], '\t', fl[5])) {
            MISMATCH("EXPECT.tsv:%zu: not 6 fields", ln);
        } else {
            long fi = index_of((const char *const *)files, nfiles, f[0], fl[0]);
            long ri = index_of(releases, NREL, f[1], fl[1]);
            long pi = index_of(profiles, NPROF, f[2], fl[2]);
            if (fi < 0 || ri < 0 || pi < 0) {
                MISMATCH("EXPECT.tsv:%zu: no such file, release or profile: %.*s %.*s %.*s", ln, (int)fl[0], f[0],
                         (int)fl[1], f[1], (int)fl[2], f[2]);
            } else if (seen[fi][ri][pi]++) {
                MISMATCH("EXPECT.tsv:%zu: %s go@%s %s given twice", ln, files[fi], releases[ri], profiles[pi]);
            } else {
                gth_buf want;
                gth_buf_init(&want, NULL);
                observed_row(&want, (size_t)fi, (size_t)ri, (size_t)pi);
                const observed *o = &obs[fi][ri][pi];
                if (o->texts_differ)
                    MISMATCH("%s go@%s %s: the rejections differ in their texts", files[fi], releases[ri], profiles[pi]);
                if ((size_t)(end - line) != want.len - 1 || memcmp(line, want.data, want.len - 1))
                    MISMATCH("EXPECT.tsv:%zu: %.*s\n  observed: %.*s", ln, (int)(end - line), line, (int)want.len - 1,
                             (const char *)want.data);
                gth_buf_free(&want);
            }
        }
        line = *end ? end + 1 : end;
    }
    for (size_t fi = 0; fi < nfiles; fi++)
        for (size_t ri = 0; ri < NREL; ri++)
            for (size_t pi = 0; pi < NPROF; pi++)
                if (!seen[fi][ri][pi]) MISMATCH("EXPECT.tsv: no row for %s go@%s %s", files[fi], releases[ri], profiles[pi]);
#undef MISMATCH
    return bad;
}

static char *expectations(void) {
    size_t len;
    return (char *)tu_read_file(DIR "/EXPECT.tsv", &len);
}

static void every_row_holds(void **state) {
    (void)state;
    char *text = expectations();
    gth_buf report;
    gth_buf_init(&report, NULL);
    if (check(text, &report)) {
        gth_buf rows;
        gth_buf_init(&rows, NULL);
        gth_buf_append(&rows, header, strlen(header));
        for (size_t f = 0; f < nfiles; f++)
            for (size_t i = 0; i < NREL; i++)
                for (size_t p = 0; p < NPROF; p++) observed_row(&rows, f, i, p);
        printf("%.*s\nobserved:\n%.*s", (int)report.len, (const char *)report.data, (int)rows.len,
               (const char *)rows.data);
        fflush(stdout);
        fail_msg("corpus/readers/EXPECT.tsv does not hold (above)");
    }
    gth_buf_free(&report);
    free(text);
}

/* text with field col (0-based) of its row-th row (0-based, after the header)
 * replaced by repl; NULL repl leaves the row out, "" gives it twice. */
static char *altered(const char *text, size_t row, int col, const char *repl) {
    gth_buf b;
    gth_buf_init(&b, NULL);
    const char *line = strchr(text, '\n') + 1;
    gth_buf_append(&b, text, (size_t)(line - text));
    for (size_t r = 0; *line; r++) {
        const char *end = strchr(line, '\n');
        end = end ? end + 1 : line + strlen(line);
        if (r != row) {
            gth_buf_append(&b, line, (size_t)(end - line));
        } else if (repl && !*repl) {
            gth_buf_append(&b, line, (size_t)(end - line));
            gth_buf_append(&b, line, (size_t)(end - line));
        } else if (repl) {
            const char *p = line;
            for (int c = 0; c < 6; c++) {
                size_t n = strcspn(p, "\t\n");
                if (c == col) gth_buf_append(&b, repl, strlen(repl));
                else gth_buf_append(&b, p, n);
                p += n;
                if (*p) gth_buf_putc(&b, *p++);
            }
        }
        line = end;
    }
    gth_buf_putc(&b, 0);
    return (char *)b.data;
}

/* Field col of the row-th row. */
static void field(const char *text, size_t row, int col, char *out, size_t outsz) {
    const char *p = strchr(text, '\n') + 1;
    for (size_t r = 0; r < row; r++) p = strchr(p, '\n') + 1;
    for (int c = 0; c < col; c++) p += strcspn(p, "\t") + 1;
    snprintf(out, outsz, "%.*s", (int)strcspn(p, "\t\n"), p);
}

static void altered_rows_fail(void **state) {
    (void)state;
    char *text = expectations();
    size_t rows = tu_count(text, "\n") - 1;
    assert_int_equal(rows, nfiles * NREL * NPROF);
    gth_buf report;
    gth_buf_init(&report, NULL);
    for (size_t r = 0; r < rows; r++) {
        char v[4096], alt[4200];
        char *cases[5];
        field(text, r, 3, v, sizeof v);
        cases[0] = altered(text, r, 3, !strcmp(v, "ACCEPT") ? "REJECT" : "ACCEPT");
        field(text, r, 4, v, sizeof v);
        snprintf(alt, sizeof alt, "%sx", strcmp(v, "-") ? v : "");
        cases[1] = altered(text, r, 4, alt);
        field(text, r, 5, v, sizeof v);
        cases[2] = altered(text, r, 5, !strcmp(v, "same-as-newest") ? "differs" : "same-as-newest");
        cases[3] = altered(text, r, 0, NULL);
        cases[4] = altered(text, r, 0, "");
        for (int c = 0; c < 5; c++) {
            report.len = 0;
            if (check(cases[c], &report) != 1)
                fail_msg("row %zu, alteration %d: want one difference, got: %.*s", r + 1, c, (int)report.len,
                         (const char *)report.data);
            free(cases[c]);
        }
    }
    gth_buf_free(&report);
    free(text);
}

/* The file as a whole: gth's check of one altered copy fails, the copy
 * written to disk and read back as every_row_holds reads it. */
static void altered_file_fails(void **state) {
    (void)state;
    char *text = expectations();
    char *bad = altered(text, 0, 3, "ACCEPT|REJECT");
    char path[4400];
    snprintf(path, sizeof path, "%s/EXPECT.tsv", tu_tmpdir("readers-altered"));
    tu_write_file(path, bad, strlen(bad));
    size_t len;
    char *back = (char *)tu_read_file(path, &len);
    gth_buf report;
    gth_buf_init(&report, NULL);
    assert_true(check(back, &report) > 0);
    assert_non_null(strstr((const char *)report.data, "observed:"));
    gth_buf_free(&report);
    free(back);
    free(bad);
    free(text);
}

/* The expectation of each .test file is the newest reader's verdict (validate). */
static void expect_sections_are_the_newest(void **state) {
    (void)state;
    for (size_t f = 0; f < nfiles; f++) {
        char src[4400];
        snprintf(src, sizeof src, "%s/%s", DIR, files[f]);
        size_t len;
        uint8_t *data = tu_read_file(src, &len);
        gth_testfile tf;
        gth_expect e;
        gth_error err;
        assert_int_equal(gth_testfile_parse(data, len, src, &tf, &err), GTH_OK);
        assert_int_equal(gth_expect_parse(&e, NULL, tf.expect, tf.expect_len, &err), GTH_OK);
        gth_adapter a;
        open_adapter(&a, "go:validate");
        gth_result r;
        gth_result_init(&r);
        gth_adapter_run(&a, binary_of(files[f]), &r);
        gth_buf_putc(&r.msg, 0);
        if (e.failure ? r.verdict != RES_REJECT || !gth_expect_matches(&e, (const char *)r.msg.data)
                      : r.verdict != RES_ACCEPT)
            fail_msg("%s: the expectation is not the newest reader's %s %s", files[f], gth_verdict_word(r.verdict),
                     (const char *)r.msg.data);
        gth_result_free(&r);
        gth_adapter_close(&a);
        gth_expect_free(&e);
        free(data);
    }
}

int main(void) {
    const char *need[NREL + 1];
    char paths[NREL + 1][4400];
    for (size_t i = 0; i <= NREL; i++) {
        if (i < NREL) snprintf(paths[i], sizeof paths[i], "%s/gthref-go%s", GTH_BINARY_DIR, releases[i]);
        else snprintf(paths[i], sizeof paths[i], "%s/gthref", GTH_BINARY_DIR);
        need[i] = paths[i];
        if (access(need[i], X_OK) != 0) {
            printf("skipped: %s was not built (cmake/GoReleases.cmake, GTH_GO_RELEASES)\n", need[i]);
            return SKIP_CODE;
        }
    }
    snprintf(gthref, sizeof gthref, "%s", paths[NREL]);
    char **list;
    size_t n = tu_list(DIR, ".test", &list);
    if (n > MAXFILES) {
        printf("corpus/readers holds %zu files, the test at most %d\n", n, MAXFILES);
        return 1;
    }
    files = calloc(n + 1, sizeof *files);
    for (size_t i = 0; i < n; i++) files[i] = strrchr(list[i], '/') + 1;
    nfiles = n;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_holds),
        cmocka_unit_test(altered_rows_fail),
        cmocka_unit_test(altered_file_fails),
        cmocka_unit_test(expect_sections_are_the_newest),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(files);
    tu_free_list(list);
    return rc;
}
