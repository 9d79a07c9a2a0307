/* gth validate as a user runs it on several files: every path is checked, the
 * exit status is the worst result, each diagnostic and JSON object names its
 * file, and options take both the "--opt VALUE" and "--opt=VALUE" forms. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "base/quote.h"
#include "spec/invariants.h"
#include "spec/spec.h"
#include "validator/validate.h"

typedef tu_res res;

static res run(const char *const *args, const void *in, size_t in_len) { return tu_run_gth(args, in, in_len); }

static void done(res *r) { tu_res_free(r); }

#define ARGS TU_ARGS

static char good[4200], bad[4200], missing[4200];
static uint8_t *good_bytes;
static size_t good_len;

/* A valid generated trace, and the same trace cut short: Go's reader rejects
 * the cut one. */
static int setup(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("cli-validate");
    snprintf(good, sizeof good, "%s/good.out", dir);
    snprintf(bad, sizeof bad, "%s/bad.out", dir);
    snprintf(missing, sizeof missing, "%s/missing.out", dir);
    good_bytes = tu_generate(26, 7, 40, 2, &good_len);
    tu_write_file(good, good_bytes, good_len);
    tu_write_file(bad, good_bytes, good_len - 3);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(good_bytes);
    return 0;
}

static void every_path_is_checked(void **state) {
    (void)state;
    res r = run(ARGS("validate", good), NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.err, "");
    done(&r);
    /* The bad file first or last: either way the run fails and names it. */
    const char *const orders[2][3] = {{good, bad, NULL}, {bad, good, NULL}};
    for (int i = 0; i < 2; i++) {
        res o = run(ARGS("validate", orders[i][0], orders[i][1]), NULL, 0);
        assert_int_equal(o.rc, 1);
        assert_non_null(strstr(o.err, bad));
        assert_null(strstr(o.err, good));
        done(&o);
    }
    /* Two bad files: both reported. */
    r = run(ARGS("validate", bad, good, bad), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_int_equal(tu_count(r.err, bad), 2);
    done(&r);
    /* A missing file is a read error (2), worse than an invalid trace, and the
     * files after it are still checked. */
    r = run(ARGS("validate", missing, bad), NULL, 0);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, missing));
    assert_non_null(strstr(r.err, bad));
    done(&r);
    /* Standard input among files. */
    r = run(ARGS("validate", good, "-"), good_bytes, good_len - 3);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "<stdin>"));
    done(&r);
    r = run(ARGS("validate", "-", "-"), good_bytes, good_len);
    assert_int_equal(r.rc, 2);
    done(&r);
    /* --quiet: only the status. */
    r = run(ARGS("validate", "--quiet", good, bad), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "");
    done(&r);
}

static void json_has_one_object_per_file(void **state) {
    (void)state;
    res r = run(ARGS("validate", "--json", good, bad, missing), NULL, 0);
    assert_int_equal(r.rc, 2);
    /* Three lines, each one object naming its file, in argument order. */
    assert_int_equal(tu_count(r.out, "\n"), 3);
    assert_int_equal(tu_count(r.out, "{\"file\":"), 3);
    char *l1 = r.out, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    assert_non_null(strstr(l1, good));
    assert_true(strstr(l1, "\"valid\":true") && strstr(l1, "\"valid\":true") < l2);
    assert_true(strstr(l2, bad) && strstr(l2, bad) < l3);
    assert_true(strstr(l2, "\"valid\":false") && strstr(l2, "\"valid\":false") < l3);
    assert_non_null(strstr(l3, missing));
    assert_non_null(strstr(l3, "\"error\":"));
    done(&r);
}

static void profile_takes_both_forms(void **state) {
    (void)state;
    const char *forms[][2] = {{"--profile", "strict"}, {"--profile=strict", NULL}};
    for (int i = 0; i < 2; i++) {
        res r = forms[i][1] ? run(ARGS("validate", forms[i][0], forms[i][1], good), NULL, 0)
                            : run(ARGS("validate", forms[i][0], good), NULL, 0);
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.err, "");
        done(&r);
    }
    /* The value is not taken for a path. */
    res r = run(ARGS("validate", "--profile", "parser", bad), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_null(strstr(r.err, "parser:"));
    done(&r);
    r = run(ARGS("validate", "--profile", "bogus", good), NULL, 0);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "unknown profile bogus"));
    done(&r);
    r = run(ARGS("validate", good, "--profile"), NULL, 0);
    assert_int_equal(r.rc, 2);
    done(&r);
}

/* Writes data[0..len) gzip-compressed to path, in `members` gzip members
 * (concatenated, as `cat a.gz b.gz` makes). */
static void write_gz(const char *path, const uint8_t *data, size_t len, int members) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    size_t at = 0;
    for (int m = 0; m < members; m++) {
        size_t n = m + 1 == members ? len - at : len / (size_t)members;
        gzFile z = gzopen(path, "ab");
        assert_non_null(z);
        assert_int_equal(gzwrite(z, data + at, (unsigned)n), (int)n);
        assert_int_equal(gzclose(z), Z_OK);
        at += n;
    }
}

static void gzip_input_is_inflated(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("cli-validate-gz");
    char gz[4300], gz2[4300], cut[4300], badgz[4300], twice[4300], text[4300], textgz[4300];
    snprintf(gz, sizeof gz, "%s/good.out.gz", dir);
    snprintf(gz2, sizeof gz2, "%s/good2.out.gz", dir);
    snprintf(cut, sizeof cut, "%s/cut.out.gz", dir);
    snprintf(badgz, sizeof badgz, "%s/bad.out.gz", dir);
    snprintf(twice, sizeof twice, "%s/twice.out.gz.gz", dir);
    snprintf(text, sizeof text, "%s/good.txt", dir);
    snprintf(textgz, sizeof textgz, "%s/good.txt.gz", dir);
    write_gz(gz, good_bytes, good_len, 1);
    write_gz(gz2, good_bytes, good_len, 3);
    write_gz(badgz, good_bytes, good_len - 3, 1);
    /* The same verdicts as on the plain files, in every profile. */
    const char *profiles[] = {"--profile=parser", "--profile=validate", "--profile=strict"};
    for (int i = 0; i < 3; i++) {
        res r = run(ARGS("validate", profiles[i], gz, gz2), NULL, 0);
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.err, "");
        done(&r);
        res p = run(ARGS("validate", profiles[i], bad), NULL, 0);
        res q = run(ARGS("validate", profiles[i], badgz), NULL, 0);
        assert_int_equal(q.rc, 1);
        assert_int_equal(p.rc, 1);
        /* The same diagnostic, the file's name aside. */
        assert_string_equal(strstr(p.err, ":"), strstr(q.err, ":"));
        done(&p);
        done(&q);
    }
    /* From stdin too. */
    size_t glen;
    uint8_t *g = tu_read_file(gz, &glen);
    res r = run(ARGS("validate", "--json", "-"), g, glen);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "\"gzip\":true"));
    done(&r);
    /* Cut gzip data is an I/O error that says so (not an invalid trace). */
    tu_write_file(cut, g, glen - 10);
    r = run(ARGS("validate", cut), NULL, 0);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "the gzip data ends early"));
    done(&r);
    r = run(ARGS("validate", "--json", cut), NULL, 0);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.out, "\"error\":\""));
    assert_non_null(strstr(r.out, "gzip data ends early"));
    done(&r);
    /* Compressed twice: the hint says so. */
    write_gz(twice, g, glen, 1);
    r = run(ARGS("validate", twice), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "hint: the input is still gzip-compressed"));
    done(&r);
    /* A gzip'd text trace gets the text trace's hint, and gth pack, info and
     * dump read gzip'd input as well. */
    r = run(ARGS("dump", gz, "-o", text), NULL, 0);
    assert_int_equal(r.rc, 0);
    done(&r);
    size_t tlen;
    uint8_t *t = tu_read_file(text, &tlen);
    write_gz(textgz, t, tlen, 1);
    r = run(ARGS("validate", textgz), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "hint: this is a trace in Go's text format"));
    assert_null(strstr(r.err, "gzip"));
    done(&r);
    char packed[4300];
    snprintf(packed, sizeof packed, "%s/packed.out", dir);
    r = run(ARGS("pack", textgz, "-o", packed), NULL, 0);
    assert_int_equal(r.rc, 0);
    done(&r);
    size_t plen;
    uint8_t *pk = tu_read_file(packed, &plen);
    assert_int_equal(plen, good_len);
    assert_memory_equal(pk, good_bytes, good_len);
    res i1 = run(ARGS("info", gz), NULL, 0), i2 = run(ARGS("info", good), NULL, 0);
    assert_int_equal(i1.rc, 0);
    assert_string_equal(strchr(i1.out, '\n'), strchr(i2.out, '\n')); /* after the file's name */
    done(&i1);
    done(&i2);
    /* gth diff hands the adapters the inflated trace: the built-in adapters
     * read the file themselves. */
    r = run(ARGS("diff", "--json", "--adapter", "gth:parser", "--adapter", "gth:validate", gz), NULL, 0);
    assert_int_equal(r.rc, 0);
    /* Both accepted it: no error texts to compare. */
    assert_non_null(strstr(r.out, "\"all\":{\"traces\":1,\"verdicts_agree\":1,\"streams_compared\":1,"
                                  "\"streams_agree\":1,\"messages_compared\":0,"));
    done(&r);
    free(pk);
    free(t);
    free(g);
}

/* A cut trace fails the validate profile at the validator's first check (a
 * Sync without clock snapshot); the diagnostic adds what the reader alone
 * finds in the same bytes, with its byte offset: where the data ends. */
static void reader_finding_is_added(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("cli-validate-cause");
    size_t len;
    uint8_t *one = tu_generate(26, 3, 400, 1, &len);
    const size_t cuts[] = {17, len / 2};
    const char *want_inv[] = {"batch.gen-read", "batch.truncated"};
    for (int i = 0; i < 2; i++) {
        char path[4300], want[4600];
        snprintf(path, sizeof path, "%s/cut%d.out", dir, i);
        tu_write_file(path, one, cuts[i]);
        res r = run(ARGS("validate", path), NULL, 0);
        assert_int_equal(r.rc, 1);
        assert_non_null(strstr(r.err, "[validate.sync-no-clock]"));
        snprintf(want, sizeof want, "  reader (--profile=parser): byte %zu: [%s] ", cuts[i], want_inv[i]);
        assert_non_null(strstr(r.err, want));
        /* One extra line. */
        assert_int_equal(tu_count(r.err, "\n"), 3);
        done(&r);
        r = run(ARGS("validate", "--json", path), NULL, 0);
        assert_int_equal(r.rc, 1);
        snprintf(want, sizeof want, "\"reader\":{\"invariant\":\"%s\",\"offset\":%zu,", want_inv[i], cuts[i]);
        assert_non_null(strstr(r.out, want));
        done(&r);
        /* The parser profile says it itself: no second line. */
        r = run(ARGS("validate", "--profile=parser", path), NULL, 0);
        assert_int_equal(r.rc, 1);
        snprintf(want, sizeof want, "%s:%zu: [%s]", path, cuts[i], want_inv[i]);
        assert_non_null(strstr(r.err, want));
        assert_null(strstr(r.err, "reader (--profile=parser)"));
        done(&r);
        /* Standard input cannot be read twice: the finding alone. */
        r = run(ARGS("validate", "-"), one, cuts[i]);
        assert_int_equal(r.rc, 1);
        assert_non_null(strstr(r.err, "[validate.sync-no-clock]"));
        assert_null(strstr(r.err, "reader (--profile=parser)"));
        done(&r);
    }
    free(one);
}

/* --json for an accepted trace: version, profile and what was read, as the
 * library counts them. */
static void json_valid_carries_the_counts(void **state) {
    (void)state;
    gth_reader_stats st;
    gth_validate_opts vo = {.stats = &st};
    gth_validate_result vr;
    assert_int_equal(gth_validate_mem(good_bytes, good_len, GTH_PROFILE_STRICT, &vo, &vr), GTH_OK);
    char want[4800];
    snprintf(want, sizeof want,
             "{\"file\":\"%s\",\"valid\":true,\"version\":\"1.26\",\"profile\":\"strict\",\"bytes\":%zu,"
             "\"generations\":%llu,\"batches\":%llu,\"events\":%llu}\n",
             good, good_len, (unsigned long long)st.generations, (unsigned long long)st.batches,
             (unsigned long long)vr.nevents);
    res r = run(ARGS("validate", "--json", "--profile", "strict", good), NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, want);
    assert_true(st.generations >= 2 && vr.nevents > 40);
    done(&r);
}

/* A long validate reports its progress in bytes of the file on stderr
 * (GTH_PROGRESS_SECONDS=0: a line for every read; none by default for a
 * short run). */
static void progress_in_bytes(void **state) {
    (void)state;
    res r = run(ARGS("validate", good), NULL, 0);
    assert_string_equal(r.err, "");
    done(&r);
    setenv("GTH_PROGRESS_SECONDS", "0", 1);
    char want[200];
    snprintf(want, sizeof want, "gth validate: %zu/%zu bytes (100%%)", good_len, good_len);
    r = run(ARGS("validate", good), NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, want));
    assert_non_null(strstr(r.err, ", done\n"));
    done(&r);
    r = run(ARGS("validate", "--quiet", good), NULL, 0);
    assert_string_equal(r.err, "");
    done(&r);
    unsetenv("GTH_PROGRESS_SECONDS");
}

/* The JSON strings of --json: escapes, and bytes that are not UTF-8 (a task
 * type in a message) become U+FFFD, so every line parses. */
static void json_strings_are_json(void **state) {
    (void)state;
    gth_buf b;
    gth_buf_init(&b, NULL);
    const char in[] = "a\"b\\c\n\t\x01\x7f\xff \xc3\xa9";
    assert_int_equal(gth_json_quote_append(&b, in, sizeof in - 1), 0);
    const char want[] = "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xef\xbf\xbd \xc3\xa9\"";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.data, want, b.len);
    gth_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_path_is_checked),
        cmocka_unit_test(json_has_one_object_per_file),
        cmocka_unit_test(profile_takes_both_forms),
        cmocka_unit_test(gzip_input_is_inflated),
        cmocka_unit_test(reader_finding_is_added),
        cmocka_unit_test(json_valid_carries_the_counts),
        cmocka_unit_test(progress_in_bytes),
        cmocka_unit_test(json_strings_are_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
