/*
 * The minimiser. A disagreement is planted inside a generated trace of more than
 * 1 MB: an adapter that is our validator except that it reads one log message
 * differently. gth reduce must bring it down to a .test of at most 20 events
 * that still shows the disagreement (checked again with gth diff on the packed
 * .test) and whose expectation is Go's verdict; gth diff --reduce must write
 * the same kind of reproducer. A goroutine sequence number bumped inside a
 * large trace must reduce to a few events reporting the same invariant, and a
 * command's exit status works as a predicate too.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PLANT "planted-disagreement"

static char dir[4200], big[4400], planted[4400], fake[4400], fake_spec[4500];

static char *xstrdup(const char *s) {
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static int run(char *const argv[], char **out, char **err) {
    char *so = NULL, *se = NULL;
    int rc = tu_run(argv, NULL, 0, out ? out : &so, NULL, err ? err : &se);
    free(so);
    free(se);
    return rc;
}

/* Go's text form of a binary trace, split into lines (modified in place). */
static char **text_lines(const char *bin, size_t *n, char **keep) {
    char *argv[] = {(char *)tu_gth(), "dump", (char *)bin, NULL};
    char *text;
    assert_int_equal(run(argv, &text, NULL), 0);
    size_t cap = 1 << 16, k = 0;
    char **lines = malloc(cap * sizeof *lines);
    assert_non_null(lines);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        if (k == cap) {
            cap *= 2;
            lines = realloc(lines, cap * sizeof *lines);
            assert_non_null(lines);
        }
        lines[k++] = p;
        if (!nl) break;
        p = nl + 1;
    }
    *n = k;
    *keep = text;
    return lines;
}

static void write_lines(const char *path, char **lines, size_t n) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) fprintf(f, "%s\n", lines[i]);
    assert_int_equal(fclose(f), 0);
}

static void pack(const char *txt, const char *out) {
    char *argv[] = {(char *)tu_gth(), "pack", "--fix-sizes", (char *)txt, "-o", (char *)out, NULL};
    assert_int_equal(run(argv, NULL, NULL), 0);
}

/* Writes the edited lines as dir/name and packs them (real batch sizes) into
 * bin; frees what text_lines and line_gens returned. */
static void pack_lines(const char *name, const char *bin, char **lines, size_t n, uint64_t *gens, char *text) {
    char txt[4400];
    snprintf(txt, sizeof txt, "%s/%s", dir, name);
    write_lines(txt, lines, n);
    pack(txt, bin);
    free(gens);
    free(lines);
    free(text);
}

static uint64_t arg_value(const char *line, const char *name) {
    char key[64];
    snprintf(key, sizeof key, " %s=", name);
    const char *p = strstr(line, key);
    assert_non_null(p);
    return strtoull(p + strlen(key), NULL, 10);
}

/* Generation of each line: the gen= of the last EventBatch. */
static uint64_t *line_gens(char **lines, size_t n, uint64_t *max) {
    uint64_t *g = calloc(n, sizeof *g), cur = 0;
    assert_non_null(g);
    *max = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(lines[i], "EventBatch ", 11)) cur = arg_value(lines[i], "gen");
        g[i] = cur;
        if (cur > *max) *max = cur;
    }
    return g;
}

/* Events in the trace section of a .test file (every line that is not a
 * frame or data line, and not the version line). */
static size_t test_events(const char *test) {
    const char *t = strstr(test, "-- trace --\n");
    assert_non_null(t);
    size_t n = 0;
    for (const char *p = strchr(t, '\n') + 1; *p;) {
        if (*p != '\t' && *p != '\n' && strncmp(p, "Trace Go1.", 10)) n++;
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        p = nl + 1;
    }
    return n;
}

/* A 1 MB trace of many short generations, clocks consistent across threads;
 * the disagreement goes into the log message of the earliest UserLog of a
 * middle generation (its String entry gets the planted text). */
static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("reduce"));
    snprintf(big, sizeof big, "%s/big.trace", dir);
    snprintf(planted, sizeof planted, "%s/planted.trace", dir);
    snprintf(fake, sizeof fake, "%s/fake.sh", dir);
    snprintf(fake_spec, sizeof fake_spec, "fake=%s", fake);
    char *gen[] = {(char *)tu_gth(), "gen", "--version", "1.26", "--seed", "5", "--size", "1M", "--events", "2000",
                   "--features", "all", "--perturb", "none", "-o", big, NULL};
    assert_int_equal(run(gen, NULL, NULL), 0);
    struct stat st;
    assert_int_equal(stat(big, &st), 0);
    assert_true(st.st_size >= 1 << 20);

    size_t n;
    char *text;
    char **lines = text_lines(big, &n, &text);
    uint64_t maxgen;
    uint64_t *gens = line_gens(lines, n, &maxgen);
    uint64_t want = maxgen / 2, t = 0, best_t = UINT64_MAX;
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(lines[i], "EventBatch ", 11)) t = arg_value(lines[i], "time");
        else if (strstr(lines[i], " dt=")) t += arg_value(lines[i], "dt");
        if (gens[i] == want && !strncmp(lines[i], "UserLog ", 8) && t < best_t) best_t = t, best = i;
    }
    assert_true(best > 0);
    char entry[64];
    snprintf(entry, sizeof entry, "String id=%llu", (unsigned long long)arg_value(lines[best], "value_string"));
    int done = 0;
    for (size_t i = 0; i + 1 < n && !done; i++)
        if (gens[i] == want && !strcmp(lines[i], entry)) {
            lines[i + 1] = "\tdata=\"" PLANT "\"";
            done = 1;
        }
    assert_true(done);
    pack_lines("planted.txt", planted, lines, n, gens, text);

    /* Our validator as an adapter, except that the planted message reads
     * differently in its event stream. */
    char body[9000];
    snprintf(body, sizeof body,
             "#!/bin/sh\n"
             "while IFS= read -r p; do\n"
             "  [ -n \"$p\" ] || continue\n"
             "  echo \"== $p\"\n"
             "  if '%s' validate --events \"$p\" >'%s/fake.out' 2>/dev/null; then v=ACCEPT; else v='REJECT \"invalid\"'; fi\n"
             "  sed 's/" PLANT "/PLANTED/' '%s/fake.out'\n"
             "  echo \"$v\"\n"
             "  echo '== end'\n"
             "done\n",
             tu_gth(), dir, dir);
    tu_write_file(fake, body, strlen(body));
    chmod(fake, 0755);
    return 0;
}

/* The .test still shows the disagreement: packed as Go packs it, gth diff
 * finds it again; and Go's verdict on it is the expectation written. */
static void check_reproducer(const char *test_path) {
    size_t len;
    char *test = (char *)tu_read_file(test_path, &len);
    size_t events = test_events(test);
    print_message("reduced .test: %zu events\n", events);
    assert_true(events <= 20);
    assert_true(events >= 3);
    assert_non_null(strstr(test, PLANT));
    assert_non_null(strstr(test, "-- expect --\nSUCCESS\n"));
    char back[4400];
    snprintf(back, sizeof back, "%s.bin", test_path);
    char *p[] = {(char *)tu_gth(), "pack", (char *)test_path, "-o", back, NULL};
    assert_int_equal(run(p, NULL, NULL), 0);
    char *d[] = {(char *)tu_gth(), "diff", "--adapter", "gth", "--adapter", fake_spec, back, NULL};
    char *se;
    assert_int_equal(run(d, NULL, &se), 1);
    assert_non_null(strstr(se, "DISAGREEMENT"));
    free(se);
    char *g[] = {(char *)tu_gthref(), "validate", back, NULL};
    assert_int_equal(run(g, NULL, NULL), 0); /* Go accepts it: SUCCESS is right */
    free(test);
}

static void planted_disagreement_reduces(void **state) {
    (void)state;
    char out[4400];
    snprintf(out, sizeof out, "%s/reduced.test", dir);
    /* The planted trace does show it; the unplanted one does not. */
    char *agree[] = {(char *)tu_gth(), "reduce", "--adapter", "gth", "--adapter", fake_spec, "-q", big, "-o", out, NULL};
    char *se;
    assert_int_equal(run(agree, NULL, &se), 1);
    assert_non_null(strstr(se, "agree"));
    free(se);
    char *argv[] = {(char *)tu_gth(), "reduce", "--adapter", "gth", "--adapter", fake_spec, planted, "-o", out, NULL};
    assert_int_equal(run(argv, NULL, &se), 0);
    assert_non_null(strstr(se, "gth reduce: "));
    assert_non_null(strstr(se, " events, "));
    free(se);
    check_reproducer(out);
}

static void diff_reduces_reproducers(void **state) {
    (void)state;
    char outdir[4400], test[8800];
    snprintf(outdir, sizeof outdir, "%s/diff-out", dir);
    char *argv[] = {(char *)tu_gth(), "diff", "--adapter", "gth", "--adapter", fake_spec, "--reduce", "--out", outdir, planted, NULL};
    char *se;
    assert_int_equal(run(argv, NULL, &se), 1);
    assert_non_null(strstr(se, "reduced file/planted.trace: "));
    free(se);
    snprintf(test, sizeof test, "%s/file_planted.trace.test", outdir);
    check_reproducer(test);
}

/* The invariant our validator reports for a trace (gth validate --json). */
static char *invariant_of(const char *path) {
    char *argv[] = {(char *)tu_gth(), "validate", "--json", (char *)path, NULL};
    char *so;
    assert_int_equal(run(argv, &so, NULL), 1);
    char *p = strstr(so, "\"invariant\":\"");
    assert_non_null(p);
    p += 13;
    *strchr(p, '"') = 0;
    char *id = xstrdup(p);
    free(so);
    return id;
}

static void bumped_sequence_reduces(void **state) {
    (void)state;
    size_t n;
    char *text;
    char **lines = text_lines(big, &n, &text);
    uint64_t maxgen;
    uint64_t *gens = line_gens(lines, n, &maxgen);
    /* The first GoStart with g_seq > 2 in a middle generation: its number + 1. */
    char bumped[256];
    int done = 0;
    for (size_t i = 0; i < n && !done; i++) {
        if (gens[i] != maxgen / 2 + 1 || strncmp(lines[i], "GoStart ", 8) || arg_value(lines[i], "g_seq") <= 2) continue;
        char *s = strstr(lines[i], " g_seq=");
        snprintf(bumped, sizeof bumped, "%.*s g_seq=%llu", (int)(s - lines[i]), lines[i],
                 (unsigned long long)arg_value(lines[i], "g_seq") + 1);
        lines[i] = bumped;
        done = 1;
    }
    assert_true(done);
    char mutated[4400], out[4400];
    snprintf(mutated, sizeof mutated, "%s/bumped.trace", dir);
    snprintf(out, sizeof out, "%s/bumped.test", dir);
    pack_lines("bumped.txt", mutated, lines, n, gens, text);
    char *inv = invariant_of(mutated);
    print_message("bumped sequence number: [%s]\n", inv);
    char *argv[] = {(char *)tu_gth(), "reduce", "--invariant", inv, "-q", mutated, "-o", out, NULL};
    assert_int_equal(run(argv, NULL, NULL), 0);
    size_t len;
    char *test = (char *)tu_read_file(out, &len);
    size_t events = test_events(test);
    print_message("reduced .test: %zu events\n", events);
    assert_true(events <= 20);
    /* Go rejects it too: the expectation is a FAILURE. */
    assert_non_null(strstr(test, "-- expect --\nFAILURE "));
    char back[4500];
    snprintf(back, sizeof back, "%s.bin", out);
    char *p[] = {(char *)tu_gth(), "pack", out, "-o", back, NULL};
    assert_int_equal(run(p, NULL, NULL), 0);
    char *again = invariant_of(back);
    assert_string_equal(again, inv);
    free(again);
    free(inv);
    free(test);
}

static void command_predicate(void **state) {
    (void)state;
    char out[4400];
    snprintf(out, sizeof out, "%s/grep.test", dir);
    /* The smallest trace whose bytes still hold the planted text. */
    char *argv[] = {(char *)tu_gth(), "reduce", "--cmd", "grep -q " PLANT " {}", "--exit", "0", "-q", planted, "-o", out, NULL};
    assert_int_equal(run(argv, NULL, NULL), 0);
    size_t len;
    char *test = (char *)tu_read_file(out, &len);
    assert_non_null(strstr(test, PLANT));
    assert_true(test_events(test) <= 4);
    free(test);
    /* A crash: a program killed by a signal when the text is there. */
    char crash[4400], body[512];
    snprintf(crash, sizeof crash, "%s/crash.sh", dir);
    snprintf(body, sizeof body, "#!/bin/sh\ngrep -q " PLANT " \"$1\" && kill -SEGV $$\nexit 0\n");
    tu_write_file(crash, body, strlen(body));
    chmod(crash, 0755);
    char *cr[] = {(char *)tu_gth(), "reduce", "--cmd", crash, "--crash", "-q", planted, "-o", out, NULL};
    assert_int_equal(run(cr, NULL, NULL), 0);
    test = (char *)tu_read_file(out, &len);
    assert_non_null(strstr(test, "dies by a signal"));
    assert_true(test_events(test) <= 4);
    free(test);
    /* Without --exit: the status it has on the input (1: grep finds nothing). */
    char *none[] = {(char *)tu_gth(), "reduce", "--cmd", "grep -q no-such-text", "-q", "--max-tests", "50", planted, "-o", out, NULL};
    assert_int_equal(run(none, NULL, NULL), 0);
}

static void usage_errors(void **state) {
    (void)state;
    char *none[] = {(char *)tu_gth(), "reduce", planted, NULL};
    char *se;
    assert_int_equal(run(none, NULL, &se), 2);
    assert_non_null(strstr(se, "exactly one predicate"));
    free(se);
    char *one[] = {(char *)tu_gth(), "reduce", "--adapter", "gth", planted, NULL};
    assert_int_equal(run(one, NULL, NULL), 2);
    char *bad[] = {(char *)tu_gth(), "reduce", "--invariant", "no.such-id", planted, NULL};
    assert_int_equal(run(bad, NULL, &se), 2);
    assert_non_null(strstr(se, "unknown invariant"));
    free(se);
    char *match[] = {(char *)tu_gth(), "reduce", "--cmd", "true", "--match", "x", planted, NULL};
    assert_int_equal(run(match, NULL, NULL), 2);
    char *badre[] = {(char *)tu_gth(), "reduce", "--invariant", "order.stuck", "--match", "(", planted, NULL};
    assert_int_equal(run(badre, NULL, &se), 2);
    assert_non_null(strstr(se, "--match"));
    free(se);
    /* A valid trace has no finding to keep. */
    char *valid[] = {(char *)tu_gth(), "reduce", "--invariant", "gen.zero", "-q", big, NULL};
    assert_int_equal(run(valid, NULL, &se), 1);
    assert_non_null(strstr(se, "does not hold"));
    free(se);
    char *help[] = {(char *)tu_gth(), "reduce", "--help", NULL};
    char *so;
    assert_int_equal(run(help, &so, NULL), 0);
    assert_non_null(strstr(so, "usage: gth reduce"));
    free(so);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(planted_disagreement_reduces),
        cmocka_unit_test(diff_reduces_reproducers),
        cmocka_unit_test(bumped_sequence_reduces),
        cmocka_unit_test(command_predicate),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
