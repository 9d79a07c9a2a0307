/* The gth command line as a user meets it, for what no single command's test
 * covers: gth help, the manual pages and shell completions made from the
 * --help texts, release names accepted where a trace format is asked for. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/gencheck.h"

typedef tu_res res;

static res run(const char *const *args) { return tu_run_gth(args, NULL, 0); }

static void done(res *r) { tu_res_free(r); }

#define ARGS TU_ARGS

/* Go 1.24 writes the 1.23 format and Go 1.27 the 1.26 format: gth gen takes the
 * release and writes the format that release writes, byte for byte. */
static void gen_takes_release_names(void **state) {
    (void)state;
    const char *pairs[][2] = {{"1.24", "1.23"}, {"go1.24", "1.23"}, {"1.27", "1.26"}, {"go1.27", "1.26"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        res a = run(ARGS("gen", "--version", pairs[i][0], "--seed", "5"));
        res b = run(ARGS("gen", "--version", pairs[i][1], "--seed", "5"));
        assert_int_equal(a.rc, 0);
        assert_int_equal(b.rc, 0);
        assert_int_equal(a.out_len, b.out_len);
        assert_memory_equal(a.out, b.out, a.out_len);
        char magic[32];
        snprintf(magic, sizeof magic, "go %s trace", pairs[i][1]);
        assert_memory_equal(a.out, magic, strlen(magic));
        done(&a);
        done(&b);
    }
    /* A release that writes no v2 format is refused, and the message says which
     * releases write which format. */
    res r = run(ARGS("gen", "--version", "1.21"));
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "unsupported version 1.21"));
    assert_non_null(strstr(r.err, "Go 1.24 writes 1.23"));
    done(&r);
}

/* gth help CMD is gth CMD --help, for every command; gth help alone lists them. */
static void help_names_every_command(void **state) {
    (void)state;
    res top = run(ARGS("help"));
    assert_int_equal(top.rc, 0);
    const char *names[] = {"validate", "diff", "conform", "reduce", "corpus", "mutate", "gen", "info"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n  %s ", names[i]);
        assert_non_null(strstr(top.out, line));
        res a = run(ARGS("help", names[i]));
        res b = run(ARGS(names[i], "--help"));
        assert_int_equal(a.rc, 0);
        assert_int_equal(b.rc, 0);
        assert_string_equal(a.out, b.out);
        assert_non_null(strstr(a.out, "usage: gth "));
        done(&a);
        done(&b);
    }
    done(&top);
    res r = run(ARGS("help", "bogus"));
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "unknown command bogus"));
    done(&r);
}

/* gth man writes a page per command whose synopsis and options are the help
 * text's; man(1) formats it without complaint. */
static void man_pages_from_help(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("man");
    res r = run(ARGS("man", "--out", dir));
    assert_int_equal(r.rc, 0);
    done(&r);
    char path[4200];
    snprintf(path, sizeof path, "%s/gth-validate.1", dir);
    size_t n;
    char *page = (char *)tu_read_file(path, &n);
    page = realloc(page, n + 1);
    page[n] = 0;
    assert_non_null(strstr(page, ".TH \"GTH\\-VALIDATE\" 1"));
    assert_non_null(strstr(page, ".SH SYNOPSIS\n.nf\ngth validate [\\-\\-profile=parser|validate|strict]"));
    assert_non_null(strstr(page, "\\-\\-json"));
    free(page);
    snprintf(path, sizeof path, "%s/gth.1", dir);
    page = (char *)tu_read_file(path, &n);
    page = realloc(page, n + 1);
    page[n] = 0;
    assert_non_null(strstr(page, ".BR gth\\-validate (1)"));
    free(page);
    /* man formats it; warnings (-ww) would go to stderr. */
    snprintf(path, sizeof path, "%s/gth-diff.1", dir);
    char *argv[] = {"man", "--warnings=w", "-l", "-Tutf8", path, NULL};
    char *out = NULL, *err = NULL;
    int rc = tu_run(argv, NULL, 0, &out, NULL, &err);
    if (rc == 127) {
        print_message("man(1) is not installed: page formatting not checked\n");
    } else {
        assert_int_equal(rc, 0);
        assert_string_equal(err, "");
        assert_non_null(strstr(out, "--adapter"));
    }
    free(out);
    free(err);
    r = run(ARGS("man", "bogus"));
    assert_int_equal(r.rc, 2);
    done(&r);
}

/* The bash completion, loaded into bash, completes commands and each
 * command's options. */
static void bash_completion_completes(void **state) {
    (void)state;
    res r = run(ARGS("completion", "bash"));
    assert_int_equal(r.rc, 0);
    const char *dir = tu_tmpdir("completion");
    char path[4200];
    snprintf(path, sizeof path, "%s/gth.bash", dir);
    tu_write_file(path, r.out, r.out_len);
    done(&r);
    char script[8800];
    snprintf(script, sizeof script,
             "source '%s'\n"
             "COMP_WORDS=(gth val); COMP_CWORD=1; _gth; echo \"1:${COMPREPLY[*]}\"\n"
             "COMP_WORDS=(gth validate --prof); COMP_CWORD=2; _gth; echo \"2:${COMPREPLY[*]}\"\n"
             "COMP_WORDS=(gth diff --ad); COMP_CWORD=2; _gth; echo \"3:${COMPREPLY[*]}\"\n"
             "COMP_WORDS=(gth help red); COMP_CWORD=2; _gth; echo \"4:${COMPREPLY[*]}\"\n",
             path);
    char *argv[] = {"bash", "--norc", "--noprofile", "-c", script, NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(tu_run(argv, NULL, 0, &out, NULL, &err), 0);
    assert_non_null(strstr(out, "1:validate\n"));
    assert_non_null(strstr(out, "2:--profile\n"));
    assert_non_null(strstr(out, "3:--adapter\n"));
    assert_non_null(strstr(out, "4:reduce\n"));
    free(out);
    free(err);
    r = run(ARGS("completion", "zsh"));
    assert_int_equal(r.rc, 0);
    assert_memory_equal(r.out, "#compdef gth\n", 13);
    assert_non_null(strstr(r.out, "validate) opts=(--help --profile"));
    done(&r);
    r = run(ARGS("completion", "fish"));
    assert_int_equal(r.rc, 2);
    done(&r);
}

/* Input of the wrong kind gets a hint that names what it is and what to run. */
static void wrong_input_gets_a_hint(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("hints");
    char bin[4200], txt[4200], test[4200], v1[4200];
    snprintf(bin, sizeof bin, "%s/t.out", dir);
    snprintf(txt, sizeof txt, "%s/t.txt", dir);
    snprintf(test, sizeof test, "%s/t.test", dir);
    snprintf(v1, sizeof v1, "%s/v1.out", dir);
    res r = run(ARGS("gen", "--version", "1.25", "--seed", "3", "-o", bin));
    assert_int_equal(r.rc, 0);
    done(&r);
    r = run(ARGS("gen", "--version", "1.25", "--seed", "3", "--format", "text", "-o", txt));
    assert_int_equal(r.rc, 0);
    done(&r);
    r = run(ARGS("gen", "--version", "1.25", "--seed", "3", "--format", "test", "-o", test));
    assert_int_equal(r.rc, 0);
    done(&r);
    /* The v1 header of a Go 1.21 trace and an event of that format. */
    tu_write_file(v1, "go 1.21 trace\0\0\0\x41\x01\x02", 19);

    r = run(ARGS("validate", txt));
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "[header.magic]"));
    assert_non_null(strstr(r.err, "hint: this is a trace in Go's text format: 'gth pack FILE"));
    done(&r);
    r = run(ARGS("validate", test));
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "hint: this is a .test file"));
    done(&r);
    r = run(ARGS("info", test));
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "hint: this is a .test file"));
    done(&r);
    r = run(ARGS("pack", bin));
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "hint: this is already a binary trace"));
    done(&r);
    /* A valid input gets no hint. */
    r = run(ARGS("pack", test, "-o", bin));
    assert_int_equal(r.rc, 0);
    assert_null(strstr(r.err, "hint"));
    done(&r);
    /* Go 1.21: said once, plainly, without the errors of reading on. */
    const char *cmds[] = {"info", "dump", "validate"};
    for (int i = 0; i < 3; i++) {
        r = run(ARGS(cmds[i], v1));
        assert_int_equal(r.rc, 1);
        assert_non_null(strstr(r.err, "Go 1.21 or earlier (the v1 format)"));
        assert_null(strstr(r.err, "event type"));
        done(&r);
    }
}

/* Two runs gave the same result: exit status, stdout and, if given, the
 * contents of the files they wrote. */
static void same_result(const char *const *a, const char *fa, const char *const *b, const char *fb) {
    res x = run(a), y = run(b);
    assert_int_equal(x.rc, 0);
    assert_int_equal(y.rc, 0);
    assert_int_equal(x.out_len, y.out_len);
    assert_memory_equal(x.out, y.out, x.out_len);
    if (fa) {
        size_t na, nb;
        uint8_t *da = tu_read_file(fa, &na), *db = tu_read_file(fb, &nb);
        assert_true(na > 0);
        assert_int_equal(na, nb);
        assert_memory_equal(da, db, na);
        free(da);
        free(db);
    }
    done(&x);
    done(&y);
}

/* Every option with a value takes it as the next argument or after '='. */
static void options_take_both_forms(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("option-forms");
    char bin[4200], txt[4200], o1[4200], o2[4200], eq[4300], eq2[4300], corpus[4200];
    snprintf(bin, sizeof bin, "%s/t.out", dir);
    snprintf(txt, sizeof txt, "%s/t.txt", dir);
    snprintf(o1, sizeof o1, "%s/o1", dir);
    snprintf(o2, sizeof o2, "%s/o2", dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", GTH_SOURCE_DIR);
    same_result(ARGS("gen", "--version", "1.25", "--seed", "3"), NULL, ARGS("gen", "--version=1.25", "--seed=3"), NULL);
    res r = run(ARGS("gen", "--version", "1.26", "--seed", "3", "-o", bin));
    assert_int_equal(r.rc, 0);
    done(&r);
    r = run(ARGS("dump", bin, "-o", txt));
    assert_int_equal(r.rc, 0);
    done(&r);

    same_result(ARGS("spec", "--version", "1.23"), NULL, ARGS("spec", "--version=1.23"), NULL);
    snprintf(eq, sizeof eq, "--root=%s", GTH_SOURCE_DIR);
    same_result(ARGS("invariants", "--index", "--root", GTH_SOURCE_DIR), NULL, ARGS("invariants", "--index", eq), NULL);
    snprintf(eq, sizeof eq, "--out=%s", o2);
    same_result(ARGS("dump", bin, "--out", o1), o1, ARGS("dump", bin, eq), o2);
    same_result(ARGS("dump", bin, "-o", o1), o1, ARGS("dump", "--strict", bin, eq), o2);
    same_result(ARGS("pack", txt, "--out", o1), o1, ARGS("pack", txt, eq), o2);
    same_result(ARGS("mutate", "--seed", "4", bin, "-o", o1), o1, ARGS("mutate", "--seed=4", bin, eq), o2);
    same_result(ARGS("validate", "--profile", "strict", "--json", bin), NULL,
                ARGS("validate", "--profile=strict", "--json", bin), NULL);
    snprintf(eq, sizeof eq, "--dir=%s", corpus);
    same_result(ARGS("corpus", "stats", "--dir", corpus, "--markdown"), NULL,
                ARGS("corpus", "stats", eq, "--markdown"), NULL);
    /* reduce: the value is read in both forms (an unknown profile says so). */
    const char *const *bad_profile[] = {ARGS("reduce", "--invariant", "order.stuck", "--profile", "bogus", bin),
                                        ARGS("reduce", "--invariant=order.stuck", "--profile=bogus", bin)};
    for (int i = 0; i < 2; i++) {
        r = run(bad_profile[i]);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "unknown profile bogus"));
        done(&r);
    }
    /* A missing value is a usage error that names the option. */
    snprintf(eq2, sizeof eq2, "%s", bin);
    const char *const *missing[] = {
        ARGS("dump", bin, "-o"),           ARGS("pack", txt, "--out"),         ARGS("spec", "--version"),
        ARGS("invariants", "--root"),      ARGS("mutate", eq2, "--seed"),      ARGS("mutate", eq2, "--op"),
        ARGS("corpus", "stats", "--dir"),  ARGS("validate", bin, "--profile"), ARGS("reduce", bin, "--invariant"),
    };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        r = run(missing[i]);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "needs a value"));
        done(&r);
    }
}

/* gth reduce on a trace that does not show the invariant says so, and what
 * the trace shows instead, and exits 1 without reducing anything. */
static void reduce_says_what_the_trace_shows(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("reduce-msg");
    char good[4200], cut[4200];
    snprintf(good, sizeof good, "%s/good.out", dir);
    snprintf(cut, sizeof cut, "%s/cut.out", dir);
    size_t len;
    uint8_t *t = tu_generate(26, 3, 200, 1, &len);
    tu_write_file(good, t, len);
    tu_write_file(cut, t, 17);
    free(t);
    res r = run(ARGS("reduce", "--invariant", "order.stuck", good));
    assert_int_equal(r.rc, 1);
    char want[4400];
    snprintf(want, sizeof want,
             "gth reduce: %s does not show [order.stuck]: our validator (profile validate) accepts it; nothing to reduce\n",
             good);
    assert_string_equal(r.err, want);
    done(&r);
    r = run(ARGS("reduce", "--invariant", "order.stuck", cut));
    assert_int_equal(r.rc, 1);
    snprintf(want, sizeof want,
             "gth reduce: %s does not show [order.stuck]: our validator (profile validate) reports "
             "[validate.sync-no-clock] sync 1 has no clock snapshot; nothing to reduce\n", cut);
    assert_string_equal(r.err, want);
    done(&r);
    r = run(ARGS("reduce", "--invariant", "validate.sync-no-clock", "--match", "zzz", cut));
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "does not show [validate.sync-no-clock] matching /zzz/: our validator (profile "
                                  "validate) reports [validate.sync-no-clock] with another text: sync 1 has no clock"));
    done(&r);
}

/* gth corpus away from the repository says where the corpus is. */
static void corpus_outside_the_tree_gets_a_hint(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("corpus-hint");
    char want[4400];
    snprintf(want, sizeof want, "hint: no corpus at %s (no MANIFEST.tsv); the corpus is in the source tree: --dir %s/corpus\n",
             dir, GTH_SOURCE_DIR);
    const char *const *cmds[] = {ARGS("corpus", "stats", "--dir", dir), ARGS("corpus", "check", "--dir", dir)};
    for (int i = 0; i < 2; i++) {
        res r = run(cmds[i]);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, want));
        done(&r);
    }
    /* Not for a corpus that is there. */
    char corpus[4200];
    snprintf(corpus, sizeof corpus, "%s/corpus", GTH_SOURCE_DIR);
    res r = run(ARGS("corpus", "stats", "--dir", corpus, "--markdown"));
    assert_int_equal(r.rc, 0);
    assert_null(strstr(r.err, "hint"));
    done(&r);
}

/* gth gen --count reports its progress in traces (GTH_PROGRESS_SECONDS=0: a
 * line per trace; by default none for a short run). */
static void gen_count_shows_progress(void **state) {
    (void)state;
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/out", tu_tmpdir("gen-progress"));
    res r = run(ARGS("gen", "--count", "4", "--out", dir));
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.err, "");
    done(&r);
    setenv("GTH_PROGRESS_SECONDS", "0", 1);
    r = run(ARGS("gen", "--count", "4", "--out", dir));
    unsetenv("GTH_PROGRESS_SECONDS");
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, "gth gen: 2/4 traces (50%), "));
    assert_non_null(strstr(r.err, "gth gen: 4/4 traces (100%), "));
    assert_non_null(strstr(r.err, ", done\n"));
    done(&r);
}

/* gth gen --coverage ends with what our validator saw of every trace: the
 * counts agree with gth validate --events run on each trace by itself. */
static void gen_coverage_reports_the_validator(void **state) {
    (void)state;
    const char *formats[] = {"binary", "text"};
    for (int f = 0; f < 2; f++) {
        res r = run(ARGS("gen", "--coverage", "--count", "3", "--seed", "4", "--version", "1.25", "--format", formats[f]));
        assert_int_equal(r.rc, 0);
        assert_null(strstr(r.out, "not wired"));
        assert_non_null(strstr(r.out, "\nour validator on these traces:\n"
                                      "  profile parser    3 of 3 traces accepted\n"
                                      "  profile validate  3 of 3 traces accepted\n"
                                      "  profile strict    3 of 3 traces accepted\n"));
        size_t events = 0, syncs = 0;
        for (int seed = 4; seed < 7; seed++) {
            char s[16];
            snprintf(s, sizeof s, "%d", seed);
            res g = run(ARGS("gen", "--seed", s, "--version", "1.25"));
            assert_int_equal(g.rc, 0);
            char *argv[] = {(char *)tu_gth(), "validate", "--events", NULL};
            char *out = NULL;
            assert_int_equal(tu_run(argv, g.out, g.out_len, &out, NULL, NULL), 0);
            events += tu_count(out, "\n");
            syncs += tu_count(out, " Sync M=");
            free(out);
            done(&g);
        }
        char want[128];
        snprintf(want, sizeof want, "kinds, %zu events\n", events);
        assert_non_null(strstr(r.out, want));
        snprintf(want, sizeof want, "    %-28s %10zu\n", "Sync", syncs);
        assert_non_null(strstr(r.out, want));
        done(&r);
    }
    /* A rejected trace is counted and named; the first one is kept. */
    gth_gen_check k;
    gth_gen_check_init(&k);
    size_t len;
    uint8_t *t = tu_generate(26, 3, 200, 1, &len);
    assert_int_equal(gth_gen_check_add(&k, t, len, 3), 0);
    assert_int_equal(gth_gen_check_add(&k, t, 17, 9), 0);
    free(t);
    assert_int_equal(gth_gen_check_rejected(&k), 3);
    gth_buf b;
    gth_buf_init(&b, NULL);
    assert_int_equal(gth_gen_check_report(&k, &b, NULL), 0);
    gth_buf_putc(&b, 0);
    assert_non_null(strstr((const char *)b.data, "  profile parser    1 of 2 traces accepted\n"
                                                 "    first rejection: seed 9: [batch.gen-read] error reading batch gen: EOF\n"));
    assert_non_null(strstr((const char *)b.data, "  profile validate  1 of 2 traces accepted\n"
                                                 "    first rejection: seed 9: [validate.sync-no-clock] "));
    gth_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gen_takes_release_names),
        cmocka_unit_test(help_names_every_command),
        cmocka_unit_test(man_pages_from_help),
        cmocka_unit_test(bash_completion_completes),
        cmocka_unit_test(wrong_input_gets_a_hint),
        cmocka_unit_test(options_take_both_forms),
        cmocka_unit_test(reduce_says_what_the_trace_shows),
        cmocka_unit_test(corpus_outside_the_tree_gets_a_hint),
        cmocka_unit_test(gen_count_shows_progress),
        cmocka_unit_test(gen_coverage_reports_the_validator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
