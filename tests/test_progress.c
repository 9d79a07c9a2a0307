/* Progress lines (harness/progress.h): plain lines off a terminal, one line
 * redrawn on a terminal, quiet for quick runs, an estimate of the time left. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/progress.h"

static char *contents(FILE *f) {
    fflush(f);
    long n = ftell(f);
    char *s = calloc(1, (size_t)n + 1);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

static size_t count(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static void plain_lines_off_a_terminal(void **state) {
    (void)state;
    setenv("GTH_PROGRESS_SECONDS", "0", 1);
    FILE *f = tmpfile();
    gth_progress p;
    gth_progress_start(&p, f, 0, "gth diff", "traces", 10);
    gth_progress_update(&p, 0, "golden/a");
    gth_progress_update(&p, 5, "golden/b");
    gth_progress_finish(&p, 10);
    char *s = contents(f);
    assert_int_equal(count(s, "\n"), 3);
    assert_int_equal(count(s, "\r"), 0);
    assert_non_null(strstr(s, "gth diff: 0/10 traces (0%), 0:00 elapsed: golden/a\n"));
    assert_non_null(strstr(s, "gth diff: 5/10 traces (50%), 0:00 elapsed, about 0:00 left: golden/b\n"));
    assert_non_null(strstr(s, "gth diff: 10/10 traces (100%), 0:00 elapsed, done\n"));
    free(s);
    fclose(f);
}

static void one_line_redrawn_on_a_terminal(void **state) {
    (void)state;
    setenv("GTH_PROGRESS_SECONDS", "0", 1);
    FILE *f = tmpfile();
    gth_progress p;
    gth_progress_start(&p, f, 1, "gth corpus check", "cases", 0);
    gth_progress_update(&p, 1, "a-very-long-name-that-does-not-fit-on-a-terminal-line/x.test");
    gth_progress_update(&p, 2, NULL);
    gth_progress_finish(&p, 2);
    char *s = contents(f);
    assert_int_equal(count(s, "\n"), 0);
    assert_int_equal(count(s, "\r\033[K"), 3); /* two draws and the final clear */
    assert_non_null(strstr(s, "gth corpus check: 1 cases, 0:00 elapsed: ...oes-not-fit-on-a-terminal-line/x.test"));
    assert_null(strstr(s, "left")); /* no total, no estimate */
    free(s);
    fclose(f);
}

/* With the default interval a quick run prints nothing at all. */
static void quick_runs_stay_quiet(void **state) {
    (void)state;
    unsetenv("GTH_PROGRESS_SECONDS");
    FILE *f = tmpfile();
    gth_progress p;
    gth_progress_start(&p, f, 0, "gth diff", "traces", 3);
    for (uint64_t i = 0; i < 3; i++) gth_progress_update(&p, i, "x");
    gth_progress_finish(&p, 3);
    assert_int_equal(ftell(f), 0);
    fclose(f);
    gth_progress_start(&p, NULL, 0, "gth diff", "traces", 3); /* no stream: silent */
    gth_progress_update(&p, 1, "x");
    gth_progress_finish(&p, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_lines_off_a_terminal),
        cmocka_unit_test(one_line_redrawn_on_a_terminal),
        cmocka_unit_test(quick_runs_stay_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
