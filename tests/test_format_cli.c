/* gth pack, dump and info as a user runs them: arguments, files and stdin/stdout,
 * exit codes, and the "gth <cmd>: <file>:<where>: <message>" diagnostics. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char text[] =
    "Trace Go1.25\n"
    "EventBatch gen=1 m=18446744073709551615 time=9 size=16\n"
    "Sync\n"
    "Frequency freq=1000000000\n"
    "ClockSnapshot dt=1 mono=99 sec=1740755049 nsec=123\n"
    "EventBatch gen=1 m=1 time=15 size=4\n"
    "ProcStatus dt=1 p=0 pstatus=1\n"
    "EventBatch gen=1 m=18446744073709551615 time=11 size=11\n"
    "Stacks\n"
    "Stack id=1 nframes=1\n"
    "\tpc=4198400 func=1 file=1 line=10\n"
    "EventBatch gen=2 m=18446744073709551615 time=12 size=13\n"
    "Strings\n"
    "String id=1\n"
    "\tdata=\"main.main\"\n";

typedef tu_res res;

static res run(const char *const *args, const void *in, size_t in_len) { return tu_run_gth(args, in, in_len); }

static void done(res *r) { tu_res_free(r); }

#define ARGS TU_ARGS

static void help_and_usage(void **state) {
    (void)state;
    const char *cmds[] = {"pack", "dump", "info"};
    for (int i = 0; i < 3; i++) {
        res r = run(ARGS(cmds[i], "--help"), NULL, 0);
        assert_int_equal(r.rc, 0);
        assert_non_null(strstr(r.out, "usage: gth "));
        assert_non_null(strstr(r.out, "Exit codes"));
        done(&r);
        r = run(ARGS(cmds[i], "--bogus"), NULL, 0);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "unknown option --bogus"));
        done(&r);
        r = run(ARGS(cmds[i], "/nonexistent/file"), NULL, 0);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "cannot open /nonexistent/file"));
        done(&r);
        r = run(ARGS(cmds[i], "a", "b"), NULL, 0);
        assert_int_equal(r.rc, 2);
        done(&r);
    }
    res r = run(ARGS("--help"), NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "pack"));
    assert_non_null(strstr(r.out, "dump"));
    assert_non_null(strstr(r.out, "info"));
    done(&r);
}

static void pack_dump_round_trip_with_files(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("cli");
    char tpath[4200], bpath[4200], t2path[4200];
    snprintf(tpath, sizeof tpath, "%s/t.txt", dir);
    snprintf(bpath, sizeof bpath, "%s/t.bin", dir);
    snprintf(t2path, sizeof t2path, "%s/t2.txt", dir);
    tu_write_file(tpath, text, sizeof text - 1);
    res r = run(ARGS("pack", tpath, "-o", bpath), NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.out_len, 0);
    assert_string_equal(r.err, "");
    done(&r);
    size_t blen;
    uint8_t *bin = tu_read_file(bpath, &blen);
    assert_memory_equal(bin, "go 1.25 trace\0\0\0\x01\x01\xff", 19);
    r = run(ARGS("dump", bpath, "-o", t2path), NULL, 0);
    assert_int_equal(r.rc, 0);
    done(&r);
    size_t tlen;
    uint8_t *t2 = tu_read_file(t2path, &tlen);
    assert_int_equal(tlen, sizeof text - 1);
    assert_memory_equal(t2, text, tlen);
    /* stdin -> stdout, "-" and nothing alike. */
    r = run(ARGS("dump", "-"), bin, blen);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.out_len, sizeof text - 1);
    assert_memory_equal(r.out, text, r.out_len);
    done(&r);
    r = run(ARGS("pack"), text, sizeof text - 1);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.out_len, blen);
    assert_memory_equal(r.out, bin, blen);
    done(&r);
    free(bin);
    free(t2);
}

/* gth pack on Go's fuzzing corpus files gives the bytes Go decodes from them;
 * a malformed one is refused with its line. */
static void pack_fuzz_corpus(void **state) {
    (void)state;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/fuzz/FuzzReader", tu_goroot());
    char **names;
    size_t n = tu_list(dir, NULL, &names);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        const char *path = names[i];
        res r = run(ARGS("pack", path), NULL, 0);
        if (r.rc != 0) fail_msg("gth pack %s: %s", path, r.err);
        char *argv[] = {(char *)tu_gthref(), "fuzzdecode", (char *)path, NULL};
        char *want = NULL;
        size_t wlen = 0;
        assert_int_equal(tu_run(argv, NULL, 0, &want, &wlen, NULL), 0);
        if (r.out_len != wlen || memcmp(r.out, want, wlen)) fail_msg("gth pack %s: not Go's bytes", path);
        free(want);
        done(&r);
    }
    tu_free_list(names);
    static const char bad[] = "go test fuzz v1\n[]byte(\"abc)\n";
    res r = run(ARGS("pack"), bad, sizeof bad - 1);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "gth pack: "));
    done(&r);
}

static void diagnostics(void **state) {
    (void)state;
    /* Text errors: file and line. */
    const char *t1 = "Trace Go1.25\nProcStop dt=1\nProcStop dt=x\n";
    res r = run(ARGS("pack"), t1, strlen(t1));
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "gth pack: <stdin>:3: reading args for ProcStop: failed to parse argument value \"x\" for arg \"dt\"\n");
    assert_int_equal(r.out_len, 0);
    done(&r);
    /* A .test file: its lines count from the top of the file. */
    const char *t = "comment\n-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\nGoSwitch dt=1 g=1 g_seq=1\n";
    r = run(ARGS("pack"), t, strlen(t));
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "gth pack: <stdin>:6: unidentified event: GoSwitch\n");
    done(&r);
    const char *t3 = "-- expect --\nSUCCESS\n";
    r = run(ARGS("pack"), t3, strlen(t3));
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "gth pack: <stdin>: malformed test <stdin>: wrong number of files\n");
    done(&r);
    /* A size that disagrees: a warning, Go's bytes anyway; --fix-sizes fixes. */
    const char *t4 = "Trace Go1.26\nEventBatch gen=1 m=1 time=1 size=9\nProcStop dt=1\n";
    r = run(ARGS("pack"), t4, strlen(t4));
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, "gth pack: <stdin>:2: warning: EventBatch size=9 but its events take 2 bytes"));
    assert_int_equal(r.out_len, 16 + 5 + 2);
    assert_int_equal(r.out[20], 9);
    done(&r);
    r = run(ARGS("pack", "--fix-sizes"), t4, strlen(t4));
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.err, "");
    assert_int_equal(r.out[20], 2);
    done(&r);
    /* Binary errors: file and byte offset; the events before it are written. */
    const uint8_t bad[] = "go 1.26 trace\0\0\0\x01\x01\x01\x01\x02\x0b\x01\x01\x01\x01\x01\x09";
    r = run(ARGS("dump", "--strict"), bad, sizeof bad - 1);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "gth dump: <stdin>:28: EventBatch at offset 23: its payload of 9 bytes runs past the end of the input (0 bytes left)\n");
    assert_string_equal(r.out, "Trace Go1.26\nEventBatch gen=1 m=1 time=1 size=2\nProcStop dt=1\n");
    done(&r);
    /* Go's reader ignores sizes: the same bytes dump fine, with a warning for
     * nothing here since no event is cut. */
    r = run(ARGS("dump"), bad, sizeof bad - 1);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.err, "");
    done(&r);
    const uint8_t cut[] = "go 1.26 trace\0\0\0\x0b\x01\x0c\x01";
    r = run(ARGS("dump"), cut, sizeof cut - 1);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "Trace Go1.26\nProcStop dt=1\n");
    assert_non_null(strstr(r.err, "gth dump: <stdin>:18: warning: the input ends inside this event"));
    done(&r);
    r = run(ARGS("dump"), "go 1.27 trace\0\0\0", 16);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "gth dump: <stdin>:0: unknown or unsupported trace version go 1.27\n");
    done(&r);
    r = run(ARGS("info"), "not a trace", 11);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "gth info: <stdin>:0: bad file format: not a Go execution trace?\n");
    done(&r);
}

static void info(void **state) {
    (void)state;
    res p = run(ARGS("pack"), text, sizeof text - 1);
    assert_int_equal(p.rc, 0);
    res r = run(ARGS("info"), p.out, p.out_len);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "version:      go 1.25\n"));
    assert_non_null(strstr(r.out, "generations:  2 (numbers 1..2), 0 EndOfGeneration\n"));
    assert_non_null(strstr(r.out, "batches:      4 event batches (largest payload 16 bytes)"));
    assert_non_null(strstr(r.out, "strings:      1 (9 bytes)\n"));
    assert_non_null(strstr(r.out, "stacks:       1 (1 frames)\n"));
    assert_non_null(strstr(r.out, "NoThread"));
    assert_non_null(strstr(r.out, "ClockSnapshot"));
    done(&r);
    r = run(ARGS("info", "--json"), p.out, p.out_len);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "{\"file\":\"<stdin>\",\"version\":\"1.25\",\"format\":2,"));
    char want[64];
    snprintf(want, sizeof want, "\"bytes\":%zu,", p.out_len);
    assert_non_null(strstr(r.out, want));
    assert_non_null(strstr(r.out, "\"generations\":2,\"gen_min\":1,\"gen_max\":2,"));
    /* The larger of two generations: some but not all of the batch bytes. */
    const char *lg = strstr(r.out, "\"largest_generation_bytes\":");
    assert_non_null(lg);
    unsigned long long lgb = strtoull(lg + 27, NULL, 10);
    assert_true(lgb > 0 && lgb < p.out_len - 16);
    assert_non_null(strstr(r.out, "\"events\":8,"));
    assert_non_null(strstr(r.out, "{\"m\":1,\"batches\":1,\"events\":1,\"bytes\":9}"));
    assert_non_null(strstr(r.out, "\"event_counts\":{\"EventBatch\":4,\"Stacks\":1,\"Stack\":1,\"Strings\":1,"
                                  "\"String\":1,\"Frequency\":1,\"ProcStatus\":1,\"Sync\":1,\"ClockSnapshot\":1}"));
    assert_null(strstr(r.out, "\"error\""));
    done(&r);
    /* Truncated: what was read, plus the error. */
    r = run(ARGS("info", "--json"), p.out, p.out_len - 3);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.out, "\"error\":\"EventBatch at offset"));
    assert_non_null(strstr(r.err, "gth info: <stdin>:"));
    done(&r);
    done(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_and_usage),
        cmocka_unit_test(pack_dump_round_trip_with_files),
        cmocka_unit_test(pack_fuzz_corpus),
        cmocka_unit_test(diagnostics),
        cmocka_unit_test(info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
