/*
 * gth matrix (and gth conform --readers): every release's reader against the
 * newest, on a small directory of corpus traces:
 *   - a Go 1.22 and a Go 1.25 real trace: read by the releases that read
 *     their versions, skipped by the others, and agreeing once normalised;
 *   - a cut Go 1.22 trace on which the readers of 1.22 and the newest reject
 *     with different texts (text.no-frequency-event-found, in 1.22 only);
 *   - a Go 1.23 trace with an experimental batch of an unknown experiment,
 *     which the newest reader rejects (its event API panics) and 1.23 and 1.24
 *     accept (old-accepts.panic-...);
 * checks the per-release counts and class names, that each class's reproducer
 * is written, smaller than the trace it came from, and still shows the class
 * when the two readers are run on it; that --release runs another command as
 * a release's reader; the Markdown table's shape; the exit statuses; and the
 * defect the matrix found (corpus/readers/go-status-257.test) in the releases
 * it affects only.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CORPUS GTH_SOURCE_DIR "/corpus"

static const char *const inputs[] = {
    CORPUS "/real/annotations-go1.22.12-normal.trace",
    CORPUS "/real/annotations-go1.25.5-normal.trace",
    CORPUS "/invalid-bin/go1.22-gen-s00012-truncate-m7515.trace",
    CORPUS "/invalid-bin/go1.23-gen-s00327-byte-flip-m13667.trace",
};
enum { NIN = sizeof inputs / sizeof inputs[0] };

#define TEXT_CLASS "text.no-frequency-event-found"
#define ACCEPT_CLASS "old-accepts.panic-runtime-error-index-out-of-range-n-with-length-n"

/* A directory holding copies of the inputs. */
static const char *tiny_dir(void) {
    static const char *dir;
    if (dir) return dir;
    dir = strdup(tu_tmpdir("matrix-in")); /* tu_tmpdir's buffer is reused */
    for (size_t i = 0; i < NIN; i++) {
        size_t len;
        uint8_t *d = tu_read_file(inputs[i], &len);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, strrchr(inputs[i], '/') + 1);
        tu_write_file(path, d, len);
        free(d);
    }
    return dir;
}

/* The block of the output for release rel: from "go@REL  vs" to the next
 * blank line (malloc'd). */
static char *release_block(const char *out, const char *rel) {
    char head[64];
    snprintf(head, sizeof head, "\ngo@%s  vs  go (reference)\n", rel);
    const char *p = strstr(out, head);
    if (!p) fail_msg("no block for go@%s in:\n%s", rel, out);
    p++;
    const char *e = strstr(p, "\n\n");
    return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

/* The numbers of the row of a profile in a release's block: read, skipped,
 * agree. */
static void row(const char *block, const char *profile, size_t *read, size_t *skipped, size_t *agree) {
    char head[32];
    snprintf(head, sizeof head, "\n  %s ", profile);
    const char *p = strstr(block, head);
    if (!p) fail_msg("no %s row in:\n%s", profile, block);
    if (sscanf(p + strlen(head), "%zu %zu %zu", read, skipped, agree) != 3) fail_msg("bad row in:\n%s", block);
}

/* The parser and validate counts of a class in a release's block, or 0/0. */
static void class_counts(const char *block, const char *name, size_t *parser, size_t *validate) {
    char head[256];
    snprintf(head, sizeof head, "\n  %s ", name);
    const char *p = strstr(block, head);
    *parser = *validate = 0;
    if (p && sscanf(p + strlen(head), "%zu %zu", parser, validate) != 2) fail_msg("bad class line in:\n%s", block);
}

static char *reader(const char *rel) {
    static char path[4200];
    snprintf(path, sizeof path, "%s/gthref-go%s", GTH_BINARY_DIR, rel);
    return path;
}

/* A reader's verdict line on a file. */
static char *verdict(char *exe, const char *path) {
    char *argv[] = {exe, "validate", "--profile=parser", (char *)path, NULL};
    char *out = NULL;
    tu_run(argv, NULL, 0, &out, NULL, NULL);
    out[strcspn(out, "\n")] = 0;
    return out;
}


static void counts_classes_and_reproducers(void **state) {
    (void)state;
    const char *out = strdup(tu_tmpdir("matrix-out")), *md = GTH_BINARY_DIR "/matrix-test.md";
    tu_res r = tu_run_gth(
        TU_ARGS("matrix", "--out", out, "--markdown", md, "--reduce-time", "120", "--jobs", "2", tiny_dir()), NULL, 0);
    if (r.rc != 0) fail_msg("gth matrix: %d\n%s\n%s", r.rc, r.out, r.err);
    /* Traces of each release's versions: 1.22 reads the 1.22 traces (2), 1.23
     * and 1.24 also the 1.23 one (3), 1.25 and later all 4. */
    static const struct {
        const char *rel;
        size_t read, agree;
        const char *cls;
    } want[] = {{"1.22", 2, 1, TEXT_CLASS}, {"1.23", 3, 2, ACCEPT_CLASS}, {"1.24", 3, 2, ACCEPT_CLASS},
                {"1.25", 4, 4, NULL},       {"1.26", 4, 4, NULL},         {"1.27", 4, 4, NULL}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *b = release_block(r.out, want[i].rel);
        for (int p = 0; p < 2; p++) {
            size_t read, skipped, agree;
            row(b, p ? "validate" : "parser", &read, &skipped, &agree);
            if (read != want[i].read || skipped != NIN - want[i].read || agree != want[i].agree)
                fail_msg("go@%s %s: read %zu skipped %zu agree %zu, want %zu %zu %zu\n%s", want[i].rel,
                         p ? "validate" : "parser", read, skipped, agree, want[i].read, NIN - want[i].read,
                         want[i].agree, b);
        }
        size_t cp, cv;
        if (want[i].cls) {
            class_counts(b, want[i].cls, &cp, &cv);
            if (cp != 1 || cv != 1) fail_msg("go@%s: class %s counted %zu/%zu, want 1/1:\n%s", want[i].rel,
                                             want[i].cls, cp, cv, b);
            assert_int_equal(tu_count(b, "      first: "), 1); /* the only class */
        } else {
            assert_null(strstr(b, "class"));
        }
        free(b);
    }
    /* The reproducers: smaller than their traces, and the class still holds. */
    char path[4400];
    struct stat st;
    snprintf(path, sizeof path, "%s/1.22/%s.trace", out, TEXT_CLASS);
    assert_int_equal(stat(path, &st), 0);
    struct stat orig;
    assert_int_equal(stat(inputs[2], &orig), 0);
    assert_true(st.st_size < orig.st_size);
    char *ref = verdict((char *)tu_gthref(), path), *old = verdict(reader("1.22"), path);
    assert_string_equal(ref, "REJECT \"no frequency event found\"");
    assert_true(!strncmp(old, "REJECT ", 7) && strcmp(old, ref));
    free(ref);
    free(old);
    for (int k = 0; k < 2; k++) {
        const char *rel = k ? "1.24" : "1.23";
        snprintf(path, sizeof path, "%s/%s/%s.trace", out, rel, ACCEPT_CLASS);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(stat(inputs[3], &orig), 0);
        assert_true(st.st_size < orig.st_size);
        ref = verdict((char *)tu_gthref(), path);
        old = verdict(reader(rel), path);
        if (strncmp(ref, "REJECT \"panic: runtime error: index out of range", 48) || strcmp(old, "ACCEPT"))
            fail_msg("%s: go says %s, go@%s says %s", path, ref, rel, old);
        free(ref);
        free(old);
    }
    snprintf(path, sizeof path, "%s/1.22/%s.go1.22.out", out, TEXT_CLASS);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/1.25", out);
    assert_int_not_equal(stat(path, &st), 0); /* no class, no reproducer */

    /* Markdown: the summary table, a row per release and profile with as many
     * cells as the header, then a section per release. */
    char *m = (char *)tu_read_file(md, &(size_t){0});
    const char *h = strstr(m, "| reader | profile |");
    assert_non_null(h);
    size_t cells = 0;
    for (const char *q = h; *q != '\n'; q++) cells += *q == '|';
    assert_int_equal(cells, 13);
    const char *line = strchr(h, '\n') + 1;
    assert_true(!strncmp(line, "|---|---|---:|", 14));
    line = strchr(line, '\n') + 1;
    for (int k = 0; k < 12; k++, line = strchr(line, '\n') + 1) {
        size_t n = 0;
        for (const char *q = line; *q != '\n'; q++) n += *q == '|' && q[-1] != '\\';
        if (n != cells || strncmp(line, "| `go@1.2", 9)) fail_msg("row %d: %.*s", k, (int)strcspn(line, "\n"), line);
    }
    assert_true(*line == '\n');
    assert_non_null(strstr(m, "| `go@1.22` | parser | 2 | 2 | 1 |"));
    assert_non_null(strstr(m, "### `go@1.22`\n\n| class | parser | validate |"));
    assert_non_null(strstr(m, "| `" TEXT_CLASS "` | 1 | 1 |"));
    assert_non_null(strstr(m, "`1.22/" TEXT_CLASS ".trace` ("));
    assert_non_null(strstr(m, "### `go@1.27`\n\nNo disagreement.\n"));
    free(m);

    /* gth conform --readers is the same run. */
    tu_res c = tu_run_gth(TU_ARGS("conform", "--readers", "--out", out, "--no-reduce", "--jobs", "2", tiny_dir()),
                          NULL, 0);
    assert_int_equal(c.rc, 0);
    char *b1 = release_block(r.out, "1.23"), *b2 = release_block(c.out, "1.23");
    char *cut1 = strstr(b1, "      reproducer:"), *cut2 = strstr(b2, "      reproducer:");
    assert_non_null(cut1);
    assert_non_null(cut2);
    *cut1 = *cut2 = 0; /* reduced in one run, not in the other */
    assert_string_equal(b1, b2);
    free(b1);
    free(b2);
    /* --no-reduce: the trace as it is. */
    snprintf(path, sizeof path, "%s/1.22/%s.trace", out, TEXT_CLASS);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(stat(inputs[2], &orig), 0);
    assert_int_equal(st.st_size, orig.st_size);
    tu_res_free(&c);
    tu_res_free(&r);
    free((char *)out);
}

/* --release: another command as a release's reader (here 1.22's reader as
 * 1.26's); --fail-on-disagreement makes disagreements fail the run. */
static void release_override_and_fail(void **state) {
    (void)state;
    const char *out = strdup(tu_tmpdir("matrix-override"));
    char spec[4300];
    snprintf(spec, sizeof spec, "1.26=%s", reader("1.22"));
    tu_res r = tu_run_gth(TU_ARGS("matrix", "--release", spec, "--no-reduce", "--out", out, "--fail-on-disagreement",
                                  tiny_dir()),
                          NULL, 0);
    if (r.rc != 1) fail_msg("gth matrix --fail-on-disagreement: %d\n%s", r.rc, r.err);
    char *b = release_block(r.out, "1.26");
    size_t read, skipped, agree, cp, cv;
    row(b, "parser", &read, &skipped, &agree);
    assert_int_equal(read, 2);
    assert_int_equal(skipped, 2);
    class_counts(b, TEXT_CLASS, &cp, &cv);
    assert_int_equal(cp, 1);
    free(b);
    tu_res_free(&r);
    free((char *)out);
}

static void usage_errors(void **state) {
    (void)state;
    const char *out = strdup(tu_tmpdir("matrix-usage"));
    const char *const *bad[] = {
        TU_ARGS("matrix", "--bogus"),
        TU_ARGS("matrix", "--release", "1.99=/bin/true", tiny_dir()),
        TU_ARGS("matrix", "--release", "1.22", tiny_dir()),
        TU_ARGS("matrix", "--jobs", "many", tiny_dir()),
        TU_ARGS("matrix", "--out"),
        TU_ARGS("matrix", "--out", out, GTH_BINARY_DIR "/no-such-trace"),
        TU_ARGS("matrix", "--out", out, "--release", "1.25=/no/such/reader", tiny_dir()),
        TU_ARGS("matrix", "--out", GTH_SOURCE_DIR "/corpus", tiny_dir()), /* not an output directory */
        TU_ARGS("conform", "--readers", "--bogus"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tu_res r = tu_run_gth(bad[i], NULL, 0);
        if (r.rc != 2 || !r.err[0]) fail_msg("case %zu: exit %d, stderr %s", i, r.rc, r.err);
        tu_res_free(&r);
    }
    tu_res h = tu_run_gth(TU_ARGS("help", "matrix"), NULL, 0);
    assert_int_equal(h.rc, 0);
    assert_non_null(strstr(h.out, "--fail-on-disagreement"));
    tu_res_free(&h);
    free((char *)out);
}

/* --repeat: runs of a reader whose texts differ only in the part Go prints in
 * map order (the frontier of "broken trace: failed to advance") are the same
 * result, not a nondeterministic reader. */
static void map_order_texts_are_deterministic(void **state) {
    (void)state;
    const char *dir = strdup(tu_tmpdir("matrix-maporder"));
    char script[4300], spec[4400];
    snprintf(script, sizeof script, "%s/reader.sh", dir);
    static const char sh[] =
        "#!/bin/sh\n"
        "# Rejects every trace with a frontier dump that changes from run to run.\n"
        "case \"$*\" in *--capabilities*) exit 0 ;; esac\n"
        "n=0\n"
        "while IFS= read -r p; do\n"
        "  n=$((n + 1))\n"
        "  printf '== %s\\nREJECT \"broken trace: failed to advance: frontier:\\\\n[%d]\"\\n== end\\n' \"$p\" \"$n\"\n"
        "done\n";
    tu_write_file(script, sh, sizeof sh - 1);
    assert_int_equal(chmod(script, 0755), 0);
    snprintf(spec, sizeof spec, "1.26=%s", script);
    const char *out = strdup(tu_tmpdir("matrix-maporder-out"));
    tu_res r = tu_run_gth(TU_ARGS("matrix", "--release", spec, "--repeat", "3", "--out", out, "--no-reduce",
                                  CORPUS "/invalid/go1.22-gen-s00022-event-dup-m1214.test"),
                          NULL, 0);
    if (r.rc != 0) fail_msg("gth matrix: %d\n%s", r.rc, r.err);
    char *b = release_block(r.out, "1.26");
    for (int p = 0; p < 2; p++) {
        size_t read, skipped, agree;
        row(b, p ? "validate" : "parser", &read, &skipped, &agree);
        if (read != 1 || agree != 1) fail_msg("go@1.26 (the script): %s", b);
    }
    assert_null(strstr(b, "nondeterministic"));
    free(b);
    tu_res_free(&r);
    free((char *)out);
    free((char *)dir);
}

/* The defect the matrix found (docs/FINDINGS.md, "Found by the matrix"): a
 * GoStatus of status 257 panics the event API of Go 1.22 and 1.23 (and of
 * go@1.24, whose snapshot predates the released 1.24); 1.25 and later accept
 * it as the newest reader does. */
static void go_status_panic(void **state) {
    (void)state;
    const char *out = strdup(tu_tmpdir("matrix-finding"));
    tu_res r = tu_run_gth(TU_ARGS("matrix", "--out", out, GTH_SOURCE_DIR "/corpus/readers/go-status-257.test"), NULL, 0);
    assert_int_equal(r.rc, 0);
    for (size_t i = 0; i < 6; i++) {
        const char *rel = (const char *[]){"1.22", "1.23", "1.24", "1.25", "1.26", "1.27"}[i];
        char *b = release_block(r.out, rel);
        size_t cp, cv;
        class_counts(b, "panic.runtime-error-index-out-of-range-n-with-length-n", &cp, &cv);
        size_t want = i < 3;
        if (cp != want || cv != want) fail_msg("go@%s: %zu/%zu, want %zu:\n%s", rel, cp, cv, want, b);
        free(b);
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/1.23/panic.runtime-error-index-out-of-range-n-with-length-n.trace", out);
    char *old = verdict(reader("1.23"), path), *ref = verdict((char *)tu_gthref(), path);
    assert_string_equal(old, "REJECT \"panic: runtime error: index out of range [257] with length 5\"");
    assert_string_equal(ref, "ACCEPT");
    free(old);
    free(ref);
    tu_res_free(&r);
    free((char *)out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_classes_and_reproducers),
        cmocka_unit_test(release_override_and_fail),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(go_status_panic),
        cmocka_unit_test(map_order_texts_are_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
