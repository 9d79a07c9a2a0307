/* The gth command line as a user meets it, for what no single command's test
 * covers: gth help, the manual pages and shell completions made from the
 * --help texts, release names accepted where a trace format is asked for. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct res {
    int rc;
    char *out, *err;
    size_t out_len;
} res;

static res run(const char *const *args) {
    char *argv[16];
    size_t n = 0;
    argv[n++] = (char *)tu_gth();
    for (; *args; args++) argv[n++] = (char *)*args;
    argv[n] = NULL;
    res r = {0, NULL, NULL, 0};
    r.rc = tu_run(argv, NULL, 0, &r.out, &r.out_len, &r.err);
    return r;
}

static void done(res *r) {
    free(r->out);
    free(r->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gen_takes_release_names),
        cmocka_unit_test(help_names_every_command),
        cmocka_unit_test(man_pages_from_help),
        cmocka_unit_test(bash_completion_completes),
        cmocka_unit_test(wrong_input_gets_a_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
