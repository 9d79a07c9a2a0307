/*
 * Negative tests of the invariant catalogue (tests/invariants/README.md): every
 * `parser` and `validate` invariant of the compiled catalogue has a minimal input
 * under tests/invariants/ that our validator rejects with exactly that id, and
 * Go's reader (the Go adapter) rejects with the same text, which the input's
 * FAILURE pattern matches — or the id is one of the README's exemptions, which
 * must be exactly the ids without an input. Go is required; nothing is skipped.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "harness/agree.h"
#include "spec/invariants.h"

#define DIR GTH_SOURCE_DIR "/tests/invariants"

typedef struct icase {
    unsigned inv;
    const gth_invariant *spec;
    char src[4200];  /* the .test or .fuzz file */
    char bin[4400];  /* its bytes, written for the Go adapter */
    gth_expect expect;
    tu_verdict us[2]; /* [0] parser profile, [1] validate profile */
} icase;

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* The ids of the README's "Exempt invariants" table. */
static size_t exemptions(char ***ids) {
    size_t len;
    char *doc = (char *)tu_read_file(DIR "/README.md", &len);
    char *sec = strstr(doc, "\n## Exempt invariants\n");
    if (!sec) fail_msg("tests/invariants/README.md has no \"## Exempt invariants\" section");
    char *end = strstr(sec + 1, "\n## ");
    if (end) *end = 0;
    size_t n = 0;
    char **v = calloc(GTH_INV__COUNT + 1, sizeof *v);
    for (char *l = strstr(sec, "\n| `"); l; l = strstr(l + 1, "\n| `")) {
        char *s = l + 4, *e = strchr(s, '`');
        if (!e || n == GTH_INV__COUNT) fail_msg("malformed exemption row: %.60s", l + 1);
        v[n++] = strndup(s, (size_t)(e - s));
    }
    free(doc);
    *ids = v;
    return n;
}

static int listed(char **ids, const char *id) {
    for (; *ids; ids++)
        if (!strcmp(*ids, id)) return 1;
    return 0;
}

/* The input's bytes (as Go's raw writer and Go's fuzz decoder give them) and its
 * expectation; checks that Go decodes the file to the same bytes. */
static void load(icase *c) {
    size_t len;
    uint8_t *file = tu_read_file(c->src, &len);
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    gth_error err;
    int fuzz = strstr(c->src, ".fuzz") != NULL;
    if (fuzz) {
        if (gth_convert_fuzz_file(file, len, &bin, &err) != GTH_OK) fail_msg("%s: %s", c->src, err.msg);
        char path[4300];
        snprintf(path, sizeof path, DIR "/%s.expect", c->spec->id);
        size_t elen;
        uint8_t *e = tu_read_file(path, &elen);
        if (gth_expect_parse(&c->expect, NULL, e, elen, &err) != GTH_OK) fail_msg("%s: %s", path, err.msg);
        free(e);
    } else {
        gth_testfile tf;
        if (gth_testfile_parse(file, len, c->src, &tf, &err) != GTH_OK) fail_msg("%s", err.msg);
        if (gth_expect_parse(&c->expect, NULL, tf.expect, tf.expect_len, &err) != GTH_OK)
            fail_msg("%s: %s", c->src, err.msg);
        if (gth_convert_text_to_binary(file, len, c->src, GTH_ENC_VERBATIM, &bin, &err) != GTH_OK)
            fail_msg("%s:%llu: %s", c->src, (unsigned long long)err.line, err.msg);
    }
    if (!c->expect.failure) fail_msg("%s: expects SUCCESS; a negative test expects FAILURE", c->src);
    snprintf(c->bin, sizeof c->bin, "%s/%s.bin", tu_tmpdir("invariants"), c->spec->id);
    tu_write_file(c->bin, bin.data, bin.len);

    char *argv[] = {(char *)tu_gthref(), fuzz ? "fuzzdecode" : "test2bytes", c->src, NULL};
    char *gobytes = NULL;
    size_t golen = 0;
    if (tu_run(argv, NULL, 0, &gobytes, &golen, NULL) != 0) fail_msg("gthref %s %s failed", argv[1], c->src);
    if (golen != bin.len || memcmp(gobytes, bin.data, golen))
        fail_msg("%s: Go decodes the file to other bytes (%zu vs our %zu)", c->src, golen, bin.len);
    free(gobytes);
    free(file);
    gth_buf_free(&bin);
}

/* Our verdicts in both profiles: exactly the case's invariant where it must fail. */
static void check_ours(icase *c) {
    size_t len;
    uint8_t *d = tu_read_file(c->bin, &len);
    tu_ours(d, len, GTH_PROFILE_PARSER, &c->us[0]);
    tu_ours(d, len, GTH_PROFILE_VALIDATE, &c->us[1]);
    free(d);
    const char *id = c->spec->id;
    int parser = c->spec->profile == GTH_PROFILE_PARSER || !strncmp(id, "validate.panic-", 15);
    /* The profile that must report the id; a validate id passes the parser profile. */
    tu_verdict *v = &c->us[parser ? 0 : 1];
    if (v->accepted) fail_msg("%s: accepted by the %s profile", id, parser ? "parser" : "validate");
    if (v->inv != (int)c->inv)
        fail_msg("%s: reported as %s: %s", id, gth_invariant_get((unsigned)v->inv)->id, v->msg);
    /* Go joins the validator's failures on one event with newlines: one only. */
    if (!parser && strchr(v->msg, '\n')) fail_msg("%s: several failures: %s", id, v->msg);
    if (!gth_expect_matches(&c->expect, v->msg)) fail_msg("%s: pattern %s does not match our %s", id, c->expect.pattern, v->msg);
    if (!parser && !c->us[0].accepted) fail_msg("%s: the parser profile rejects it: %s", id, c->us[0].msg);
}

static void test_negative_inputs(void **state) {
    (void)state;
    char **exempt;
    size_t nexempt = exemptions(&exempt);
    icase *cases = calloc(GTH_INV__COUNT, sizeof *cases);
    size_t n = 0, nparser = 0, nvalidate = 0;
    for (unsigned i = 1; i < GTH_INV__COUNT; i++) {
        const gth_invariant *inv = gth_invariant_get(i);
        if (inv->profile != GTH_PROFILE_PARSER && inv->profile != GTH_PROFILE_VALIDATE) {
            if (listed(exempt, inv->id)) fail_msg("exempt %s is not a parser or validate invariant", inv->id);
            continue;
        }
        icase *c = &cases[n];
        c->inv = i;
        c->spec = inv;
        snprintf(c->src, sizeof c->src, DIR "/%s.test", inv->id);
        if (!exists(c->src)) snprintf(c->src, sizeof c->src, DIR "/%s.fuzz", inv->id);
        int has = exists(c->src);
        if (listed(exempt, inv->id)) {
            if (has) fail_msg("%s is exempt but has an input (%s): drop the exemption", inv->id, c->src);
            continue;
        }
        if (!has) fail_msg("no negative input for %s: add tests/invariants/%s.test (or .fuzz), or exempt it", inv->id, inv->id);
        load(c);
        check_ours(c);
        n++;
        nparser += inv->profile == GTH_PROFILE_PARSER;
        nvalidate += inv->profile == GTH_PROFILE_VALIDATE;
    }
    for (size_t k = 0; k < nexempt; k++)
        if (!gth_invariant_find(exempt[k])) fail_msg("exempt %s is not in the catalogue", exempt[k]);

    /* Go's verdicts, in both profiles, on the same bytes. */
    char **paths = calloc(n + 1, sizeof *paths);
    for (size_t k = 0; k < n; k++) paths[k] = cases[k].bin;
    static const char *const profiles[2] = {"parser", "validate"};
    for (int p = 0; p < 2; p++) {
        tu_verdict *go = tu_go_verdicts(paths, n, profiles[p]);
        for (size_t k = 0; k < n; k++) {
            icase *c = &cases[k];
            tu_verdict *us = &c->us[p];
            if (go[k].accepted != us->accepted || !gth_same_message_str(go[k].msg, us->msg))
                fail_msg("%s, profile %s:\n  go: %s\n  us: %s", c->spec->id, profiles[p],
                         go[k].accepted ? "ACCEPT" : go[k].msg, us->accepted ? "ACCEPT" : us->msg);
            if (!us->accepted && us->inv == (int)c->inv && !gth_expect_matches(&c->expect, go[k].msg))
                fail_msg("%s: pattern %s does not match Go's %s", c->spec->id, c->expect.pattern, go[k].msg);
        }
        tu_verdicts_free(go, n);
    }
    free(paths);

    /* No stray inputs: every file here belongs to a catalogued id, and each
     * binary input is described in the README's table. */
    size_t rlen;
    char *readme = (char *)tu_read_file(DIR "/README.md", &rlen);
    *strstr(readme, "\n## Exempt invariants\n") = 0;
    char **files;
    size_t nf = tu_list(DIR, NULL, &files);
    for (size_t k = 0; k < nf; k++) {
        const char *base = strrchr(files[k], '/') + 1;
        if (!strcmp(base, "README.md")) continue;
        const char *dot = strrchr(base, '.');
        char id[256];
        snprintf(id, sizeof id, "%.*s", (int)(dot - base), base);
        if (strcmp(dot, ".test") && strcmp(dot, ".fuzz") && strcmp(dot, ".expect"))
            fail_msg("unexpected file %s", files[k]);
        if (!gth_invariant_find(id)) fail_msg("%s names no invariant", files[k]);
        char row[300];
        snprintf(row, sizeof row, "\n| `%s` | ", id);
        if (!strcmp(dot, ".fuzz") && !strstr(readme, row)) fail_msg("%s is not described in the README", files[k]);
    }
    tu_free_list(files);
    free(readme);

    print_message("%zu negative inputs (%zu parser, %zu validate): exactly their invariant, Go agrees; %zu exempt\n", n,
                  nparser, nvalidate, nexempt);
    for (size_t k = 0; k < n; k++) {
        gth_expect_free(&cases[k].expect);
        free(cases[k].us[0].msg);
        free(cases[k].us[1].msg);
    }
    free(cases);
    tu_free_list(exempt);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negative_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
