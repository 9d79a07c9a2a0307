/*
 * The readers of Go's releases (adapters/RELEASES.md): the adapters go@1.22 ...
 * go@1.27 of gth diff run gthref-go1.XX, gthref built beside gth against the
 * golang.org/x/exp/trace snapshot of that release's reader.
 *   - each reports the x/exp version that adapters/releases/go1.XX/go.mod pins;
 *   - each is its release's reader: over every real trace of corpus/real it
 *     accepts the trace versions that release reads and rejects the others
 *     with "unknown or unsupported trace version";
 *   - gth diff runs go@1.27 against each release on a real trace: both accept,
 *     and every release agrees with it event for event on a Go 1.22 trace once
 *     the fields of the older API generations are normalised (docs/EVENTS.md),
 *     and so do 1.26 and the newest reader (go) on a Go 1.27 trace;
 *   - each release declares the versions it reads (--capabilities), and gth
 *     diff skips the traces of other versions instead of counting them as
 *     disagreements;
 *   - an unknown release is a usage error;
 *   - corpus/real holds traces of every release from 1.21 to 1.27.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CORPUS GTH_SOURCE_DIR "/corpus"

/* A release, the newest trace format its reader knows (1.24 writes and reads
 * format 1.23, 1.27 format 1.26) and whether it reads the v1 format of 1.21. */
static const struct {
    const char *rel;
    unsigned newest;
    int v1;
} releases[] = {{"1.22", 22, 0}, {"1.23", 23, 1}, {"1.24", 23, 1}, {"1.25", 25, 1}, {"1.26", 26, 1}, {"1.27", 26, 1}};
enum { NREL = sizeof releases / sizeof releases[0] };

static const char *adapter(const char *rel) {
    static char path[4200];
    snprintf(path, sizeof path, "%s/gthref-go%s", GTH_BINARY_DIR, rel);
    if (access(path, X_OK) != 0) fail_msg("%s is missing: the build makes it (cmake/GoReleases.cmake)", path);
    return path;
}

static void reports_its_snapshot(void **state) {
    (void)state;
    for (size_t i = 0; i < NREL; i++) {
        char mod[4200], want[256];
        snprintf(mod, sizeof mod, "%s/adapters/releases/go%s/go.mod", GTH_SOURCE_DIR, releases[i].rel);
        char *text = (char *)tu_read_file(mod, &(size_t){0});
        const char *rep = strstr(text, "\nreplace golang.org/x/exp => golang.org/x/exp v");
        assert_non_null(rep);
        rep += strlen("\nreplace golang.org/x/exp => ");
        snprintf(want, sizeof want, "=> %.*s\n", (int)strcspn(rep, "\n"), rep);
        char *argv[] = {(char *)adapter(releases[i].rel), "version", NULL};
        char *out = NULL;
        assert_int_equal(tu_run(argv, NULL, 0, &out, NULL, NULL), 0);
        if (!strstr(out, want)) fail_msg("go@%s: version says %s, go.mod pins %s", releases[i].rel, out, want);
        free(out);
        free(text);
    }
}

/* The minor version of the trace format in the header of the trace at path. */
static unsigned header_minor(const char *path) {
    size_t len;
    char *d = (char *)tu_read_file(path, &len);
    unsigned minor = 0;
    if (len < 16 || sscanf(d, "go 1.%u trace", &minor) != 1) fail_msg("%s: no trace header", path);
    free(d);
    return minor;
}

static void reads_its_versions_only(void **state) {
    (void)state;
    char **paths;
    size_t n = tu_list(CORPUS "/real", ".trace", &paths);
    assert_true(n >= 100);
    gth_buf list;
    gth_buf_init(&list, NULL);
    for (size_t k = 0; k < n; k++) {
        gth_buf_append(&list, paths[k], strlen(paths[k]));
        gth_buf_putc(&list, '\n');
    }
    for (size_t i = 0; i < NREL; i++) {
        char *argv[] = {(char *)adapter(releases[i].rel), "validate", "--batch", "--profile=validate", NULL};
        char *out = NULL;
        int rc = tu_run(argv, list.data, list.len, &out, NULL, NULL);
        assert_true(rc == 0 || rc == 1);
        size_t seen = 0, accepted = 0;
        char *save = NULL;
        for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            if (strncmp(l, "== ", 3) || !strcmp(l, "== end")) continue;
            const char *path = l + 3;
            const char *verdict = strtok_r(NULL, "\n", &save);
            assert_non_null(verdict);
            assert_string_equal(path, paths[seen]);
            unsigned minor = header_minor(path);
            int reads = minor == 21 ? releases[i].v1 : minor <= releases[i].newest;
            if (reads) {
                if (strcmp(verdict, "ACCEPT")) fail_msg("go@%s on %s: %s", releases[i].rel, path, verdict);
                accepted++;
            } else {
                char want[128];
                snprintf(want, sizeof want, "REJECT \"unknown or unsupported trace version go 1.%u\"", minor);
                if (strcmp(verdict, want)) fail_msg("go@%s on %s: %s, want %s", releases[i].rel, path, verdict, want);
            }
            seen++;
        }
        assert_int_equal(seen, n);
        assert_true(accepted >= 15);
        free(out);
    }
    gth_buf_free(&list);
    tu_free_list(paths);
}

/* gth diff --adapter A --adapter B TRACE: its exit status; *streams says
 * whether the streams agreed. Both verdicts must be ACCEPT. */
static int diff(const char *a, const char *b, const char *trace, int *streams) {
    char *argv[] = {(char *)tu_gth(), "diff", "--adapter", (char *)a, "--adapter", (char *)b, (char *)trace, NULL};
    char *out = NULL, *err = NULL;
    int rc = tu_run(argv, NULL, 0, &out, NULL, &err);
    char ra[64], rb[64];
    snprintf(ra, sizeof ra, "%s:validate", b);
    snprintf(rb, sizeof rb, "%s:validate (reference)", a);
    if (!strstr(out, ra) || !strstr(out, rb)) fail_msg("gth diff %s %s: adapters not named: %s%s", a, b, out, err);
    /* "  all   <traces>   <verdicts agree>   <streams agree> ..." */
    const char *all = strstr(out, "\n  all ");
    unsigned tr = 0, va = 0, vn = 0, sa = 0, sn = 0;
    if (!all || sscanf(all, "\n  all %u %u/%u %u/%u", &tr, &va, &vn, &sa, &sn) != 5)
        fail_msg("gth diff %s %s: no summary: %s%s", a, b, out, err);
    if (tr != 1 || va != 1 || vn != 1) fail_msg("gth diff %s %s on %s: verdicts differ: %s%s", a, b, trace, out, err);
    *streams = sa == 1;
    free(out);
    free(err);
    return rc;
}

static void diff_runs_each_release(void **state) {
    (void)state;
    const char *t122 = CORPUS "/real/pingpong-go1.22.12-normal.trace";
    const char *t127 = CORPUS "/real/blocking-go1.27.3-normal.trace";
    for (size_t i = 0; i < NREL; i++) {
        char spec[32];
        snprintf(spec, sizeof spec, "go@%s", releases[i].rel);
        adapter(releases[i].rel);
        int streams;
        int rc = diff("go@1.27", spec, t122, &streams);
        /* Every release reads 1.22 traces; the streams agree once the fields
         * of the API generations are normalised. */
        assert_int_equal(rc, 0);
        assert_true(streams);
    }
    int streams;
    assert_int_equal(diff("go", "go@1.27", t127, &streams), 0);
    assert_true(streams);
    assert_int_equal(diff("go@1.26", "go@1.27", t127, &streams), 0);
    assert_true(streams);
}

/* go@1.22 does not read Go 1.27 traces (format 1.26): skipped, not a
 * disagreement. */
static void other_versions_are_skipped(void **state) {
    (void)state;
    adapter("1.22");
    char *argv[] = {(char *)tu_gth(), "diff", "--adapter", "go@1.27", "--adapter", "go@1.22", "--json",
                    CORPUS "/real/blocking-go1.27.3-normal.trace", CORPUS "/real/pingpong-go1.22.12-normal.trace", NULL};
    char *out = NULL, *err = NULL;
    int rc = tu_run(argv, NULL, 0, &out, NULL, &err);
    if (rc != 0) fail_msg("gth diff: %d\n%s%s", rc, out, err);
    assert_non_null(strstr(out, "\"all\":{\"traces\":1,\"verdicts_agree\":1,\"streams_compared\":1,\"streams_agree\":1"));
    assert_non_null(strstr(out, "\"skipped\":1,"));
    free(out);
    free(err);
    char *caps[] = {NULL, "validate", "--capabilities", NULL};
    char exe[4400];
    snprintf(exe, sizeof exe, "%s/gthref-go1.22", GTH_BINARY_DIR);
    caps[0] = exe;
    assert_int_equal(tu_run(caps, NULL, 0, &out, NULL, NULL), 0);
    assert_string_equal(out, "versions 1.22\napi 1.22\ndigest\nboth\n");
    free(out);
}

static void unknown_release_is_a_usage_error(void **state) {
    (void)state;
    const char *bad[] = {"go@1.21", "go@1.2", "go@1.270", "go@1.27:strict", "go@"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {(char *)tu_gth(), "diff", "--adapter", (char *)bad[i], "--adapter", "go",
                        CORPUS "/real/pingpong-go1.22.12-normal.trace", NULL};
        char *out = NULL, *err = NULL;
        assert_int_equal(tu_run(argv, NULL, 0, &out, NULL, &err), 2);
        if (!strstr(err, "unknown adapter")) fail_msg("%s: %s", bad[i], err);
        free(out);
        free(err);
    }
}

static void real_traces_of_every_release(void **state) {
    (void)state;
    const char *toolchains[] = {"go1.21.13", "go1.22.12", "go1.23.12", "go1.24.11", "go1.25.5", "go1.26.8", "go1.27.3"};
    char **paths;
    size_t n = tu_list(CORPUS "/real", ".trace", &paths);
    for (size_t t = 0; t < sizeof toolchains / sizeof toolchains[0]; t++) {
        char pat[64];
        snprintf(pat, sizeof pat, "-%s-", toolchains[t]);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) k += strstr(paths[i], pat) != NULL;
        if (k < 6) fail_msg("corpus/real has %zu traces of %s", k, toolchains[t]);
    }
    tu_free_list(paths);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_its_snapshot),
        cmocka_unit_test(reads_its_versions_only),
        cmocka_unit_test(diff_runs_each_release),
        cmocka_unit_test(other_versions_are_skipped),
        cmocka_unit_test(unknown_release_is_a_usage_error),
        cmocka_unit_test(real_traces_of_every_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
