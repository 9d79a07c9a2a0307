/*
 * format/regex against Go's regexp package: a table of cases with known
 * answers, then tens of thousands of patterns built at random from RE2's
 * tokens (groups, flags, classes, escapes, repetitions, malformed pieces),
 * each compiled by us and by Go (the adapter's `gthref regexp`) and matched
 * against random texts: validity, the error message and every match must agree.
 * Also: matching time is linear in the text. (Allocation failures: test_alloc_format.)
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/quote.h"
#include "format/regex.h"

static int compile(gth_regex *re, const char *pat, gth_error *err) {
    gth_error_clear(err);
    return gth_regex_compile(re, NULL, pat, strlen(pat), err);
}

static int matches(const char *pat, const char *text) {
    gth_regex re;
    gth_error err;
    if (compile(&re, pat, &err) != GTH_OK) fail_msg("%s: %s", pat, err.msg);
    int m = gth_regex_search(&re, text, strlen(text));
    gth_regex_free(&re);
    return m;
}

static void known_answers(void **state) {
    (void)state;
    struct {
        const char *re, *s;
        int m;
    } t[] = {
        {"", "", 1},
        {"id \\d+ for", "found invalid string ID 12: id 12 for", 1},
        {"\\d", "none", 0},
        {"a.b", "a\nb", 0},
        {"(?s)a.b", "a\nb", 1},
        {"a.b", "axb", 1},
        {"(?:ab)+c", "xxababc", 1},
        {"(?i)GEN", "gen=3", 1},
        {"(?i)k", "\xe2\x84\xaa", 1}, /* KELVIN SIGN */
        {"a.*?b", "aXXb", 1},
        {"^trace", "broken trace", 0},
        {"(?m)^trace", "broken\ntrace", 1},
        {"trace$", "broken trace", 1},
        {"trace$", "trace\n", 0},
        {"(?m)trace$", "trace\nx", 1},
        {"\\.\\*", "x.*y", 1},
        {"[\\d]x", "5x", 1},
        {"[^a]", "\n", 1},
        {"\\s\\S", " a", 1},
        {"\\w+=\\W", "ab=!", 1},
        {"\\bfoo\\b", "a foo.", 1},
        {"\\bfoo\\b", "afoo", 0},
        {"\\Bo\\B", "fo", 0},
        {"\\Bo\\B", "foo", 1},
        {"\\(stack \\d\\)", "(stack 4)", 1},
        {"gen=[0-9]+\\]", "[gen=2]", 1},
        {"x{2,3}y", "xxy", 1},
        {"^x{2,3}y", "xy", 0},
        {"^(ab|cd){2}$", "abcd", 1},
        {"^(ab|cd){2}$", "abc", 0},
        {"a{,2}", "a{,2}", 1}, /* not a repetition: literal braces */
        {"a{01}", "a{01}", 1},
        {"[]a]+", "]]a", 1},
        {"[a-]", "-", 1},
        {"[[:alpha:]]+[[:^alpha:]]", "abc1", 1},
        {"[[:word:]]", "_", 1},
        {"\\x41\\x{263a}\\101", "A\xe2\x98\xba" "A", 1},
        {"\\Q.*\\E", "a.*b", 1},
        {"\\Q.*\\E", "ab", 0},
        {"(?P<n>a)(?<m>b)", "ab", 1},
        {"(a*)*b", "aaac", 0},
        {"(a|)+$", "aaa", 1},
        {"\\Aab\\z", "ab", 1},
        {"\xc3\xa9.", "\xc3\xa9\xc3\xa9", 1}, /* runes, not bytes */
        {"^.$", "\xc3\xa9", 1},
        {"^.$", "\xff", 1}, /* an invalid byte is one rune */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (matches(t[i].re, t[i].s) != t[i].m)
            fail_msg("%s on \"%s\": want %s", t[i].re, t[i].s, t[i].m ? "a match" : "no match");

    struct {
        const char *re, *msg;
    } bad[] = {
        {"a(b", "error parsing regexp: missing closing ): `a(b`"},
        {"a)", "error parsing regexp: unexpected ): `a)`"},
        {"*a", "error parsing regexp: missing argument to repetition operator: `*`"},
        {"a**", "error parsing regexp: invalid nested repetition operator: `**`"},
        {"a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"},
        {"(a{100}){20}", "error parsing regexp: invalid repeat count: `{20}`"},
        {"[z-a]", "error parsing regexp: invalid character class range: `z-a`"},
        {"[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"},
        {"[a", "error parsing regexp: missing closing ]: `[a`"},
        {"\\1", "error parsing regexp: invalid escape sequence: `\\1`"},
        {"a\\", "error parsing regexp: trailing backslash at end of expression: ``"},
        {"(?z)", "error parsing regexp: invalid or unsupported Perl syntax: `(?z`"},
        {"(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`"},
        {"\xff", "error parsing regexp: invalid UTF-8: `\xff`"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gth_regex re;
        gth_error err;
        assert_int_equal(compile(&re, bad[i].re, &err), GTH_EINVALID);
        assert_string_equal(err.msg, bad[i].msg);
    }
    /* What we do not support is refused, not misread. */
    gth_regex re;
    gth_error err;
    assert_int_equal(compile(&re, "\\pL", &err), GTH_EINVALID);
    assert_int_equal(compile(&re, "[\\p{Greek}]", &err), GTH_EINVALID);
}

/* ---- Against Go ---------------------------------------------------------------- */

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Pieces of patterns: valid syntax, and (drawn less often) malformed pieces
 * and pieces that are malformed in some places only. */
static const char *const pieces[] = {
    "a", "b", "c", "k", "K", "x", "_", " ", "1", "\xc3\xa9", "\xe2\x84\xaa", ".", "^", "$", "|", "(", ")", "(?:",
    "(?i)", "(?s)", "(?m)", "(?i:", "(?-i)", "(?U)", "(?i-s:", "(?P<n>", "(?<n2>", "*", "+", "?", "*?", "+?", "??",
    "{2}", "{1,3}", "{0,}", "{,2}", "{01}", "{0}", "[abc]", "[^a]", "[a-c]", "[[:alpha:]]", "[[:^digit:]x]",
    "[\\d]", "[^\\s]", "[]a]", "[a-]", "[-a]", "[\\]]", "[\\-x]", "[k-s]", "[^\\n]", "]", "\\d", "\\D",
    "\\s", "\\S", "\\w", "\\W", "\\b", "\\B", "\\A", "\\z", "\\Qa.\\E", "\\x41", "\\x{6b}", "\\101",
    "\\0", "\\.", "\\*", "\\n", "\\t", "{", "}", "-", ",", "\n",
};
static const char *const bad_pieces[] = {
    "(?P=n)", "(?", "{2,1}", "{1001}", "{1,", "[c-a]", "[[:foo:]]", "[", "\\Q*", "\\x{110000}", "\\x4",
    "\\1", "\\8", "\\C", "\\e", "\\", "\xff", "(", ")", "**", "+*", "(?P<", "(?<", ">", "(?P<x\xff>",
};

/* Runes of the texts: what the pieces can match, and newlines. */
static const char *const text_runes[] = {"a", "b", "c", "k", "K", "x", "_", " ", "1", "A", "\n", ".", "*", "-",
                                         "]", "\xc3\xa9", "\xe2\x84\xaa", "\xc5\xbf", "\xff", "{", "}", ","};

#define NPIECES (sizeof pieces / sizeof pieces[0])
#define NBAD (sizeof bad_pieces / sizeof bad_pieces[0])
#define NRUNES (sizeof text_runes / sizeof text_runes[0])

static void random_pattern(uint64_t *seed, gth_buf *b) {
    b->len = 0;
    size_t n = 1 + rnd(seed) % 8;
    for (size_t i = 0; i < n; i++) {
        const char *p = rnd(seed) % 16 ? pieces[rnd(seed) % NPIECES] : bad_pieces[rnd(seed) % NBAD];
        gth_buf_append(b, p, strlen(p));
    }
}

static void random_text(uint64_t *seed, gth_buf *b) {
    b->len = 0;
    size_t n = rnd(seed) % 16;
    for (size_t i = 0; i < n; i++) {
        const char *r = rnd(seed) % 2 ? text_runes[rnd(seed) % 6] : text_runes[rnd(seed) % NRUNES];
        gth_buf_append(b, r, strlen(r));
    }
}

static void same_as_go(void **state) {
    (void)state;
    enum { PATTERNS = 6000, TEXTS = 6 };
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    const char *env = getenv("GTH_REGEX_SEED"); /* another seed, to explore */
    if (env && *env) seed ^= strtoull(env, NULL, 0) * 0xff51afd7ed558ccdULL;
    gth_buf in, pat, text;
    gth_buf_init(&in, NULL);
    gth_buf_init(&pat, NULL);
    gth_buf_init(&text, NULL);
    /* Our answers, one line per pattern and text, as gthref writes them. */
    char **ours = calloc((size_t)PATTERNS * TEXTS, sizeof *ours);
    char **pats = calloc((size_t)PATTERNS * TEXTS, sizeof *pats);
    size_t lines = 0, invalid = 0, matched = 0;
    for (int i = 0; i < PATTERNS; i++) {
        random_pattern(&seed, &pat);
        /* Unicode classes are refused by design. */
        int unicode = 0;
        for (size_t k = 0; k + 1 < pat.len; k++) unicode |= pat.data[k] == '\\' && (pat.data[k + 1] | 0x20) == 'p';
        if (unicode) continue;
        gth_regex re;
        gth_error err;
        gth_error_clear(&err);
        int rc = gth_regex_compile(&re, NULL, (const char *)pat.data, pat.len, &err);
        assert_true(rc == GTH_OK || rc == GTH_EINVALID);
        for (int k = 0; k < TEXTS; k++) {
            random_text(&seed, &text);
            gth_quote_append(&in, pat.data, pat.len);
            gth_buf_putc(&in, ' ');
            gth_quote_append(&in, text.data, text.len);
            gth_buf_putc(&in, '\n');
            gth_buf line;
            gth_buf_init(&line, NULL);
            if (rc != GTH_OK) {
                gth_buf_printf(&line, "invalid ");
                gth_quote_append(&line, err.msg, strlen(err.msg));
            } else {
                int m = gth_regex_search(&re, (const char *)text.data, text.len);
                gth_buf_printf(&line, "%s", m ? "match" : "nomatch");
            }
            gth_buf_putc(&line, 0);
            ours[lines] = (char *)line.data;
            gth_buf q;
            gth_buf_init(&q, NULL);
            gth_quote_append(&q, pat.data, pat.len);
            gth_buf_printf(&q, " on ");
            gth_quote_append(&q, text.data, text.len);
            gth_buf_putc(&q, 0);
            pats[lines] = (char *)q.data;
            lines++;
            if (rc != GTH_OK) invalid++;
            else matched += ours[lines - 1][0] == 'm';
        }
        if (rc == GTH_OK) gth_regex_free(&re);
    }
    char *argv[] = {(char *)tu_gthref(), "regexp", NULL};
    char *out = NULL;
    assert_int_equal(tu_run(argv, in.data, in.len, &out, NULL, NULL), 0);
    char *p = out;
    size_t differ = 0;
    for (size_t i = 0; i < lines; i++) {
        char *nl = strchr(p, '\n');
        if (!nl) fail_msg("gthref regexp answered %zu lines of %zu", i, lines);
        *nl = 0;
        if (strcmp(p, ours[i]) != 0 && differ++ < 10) print_error("%s: Go: %s; ours: %s\n", pats[i], p, ours[i]);
        p = nl + 1;
        free(ours[i]);
        free(pats[i]);
    }
    print_message("%zu pattern/text pairs: %zu with an invalid pattern, %zu matches, %zu not\n", lines, invalid,
                  matched, lines - invalid - matched);
    if (differ) fail_msg("%zu answers differ from Go's", differ);
    /* The pieces must reach every answer often. */
    assert_true(invalid > lines / 20 && matched > lines / 20 && lines - invalid - matched > lines / 20);
    free(ours);
    free(pats);
    free(out);
    gth_buf_free(&in);
    gth_buf_free(&pat);
    gth_buf_free(&text);
}

/* ---- Limits -------------------------------------------------------------------- */

static double cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void linear_time(void **state) {
    (void)state;
    /* The pattern that makes backtracking matchers exponential. */
    gth_regex re;
    gth_error err;
    assert_int_equal(compile(&re, "(a*)*(a|b)*c$", &err), GTH_OK);
    size_t n = 1 << 20;
    char *s = malloc(n * 8);
    memset(s, 'a', n * 8);
    double t0 = cpu();
    assert_false(gth_regex_search(&re, s, n));
    double t1 = cpu();
    assert_false(gth_regex_search(&re, s, n * 8));
    double t2 = cpu();
    print_message("1 MiB %.3f s, 8 MiB %.3f s\n", t1 - t0, t2 - t1);
    if (t2 - t1 > 3 * 8 * (t1 - t0) + 0.5) fail_msg("8x the text took %.3f s against %.3f s", t2 - t1, t1 - t0);
    gth_regex_free(&re);
    free(s);
    /* Nested counts are bounded as Go bounds them; the biggest allowed
     * programs still compile. */
    assert_int_equal(compile(&re, "((a{10}){10}){10}", &err), GTH_OK);
    assert_true(gth_regex_search(&re, "aaaa", 4) == 0);
    gth_regex_free(&re);
    assert_int_equal(compile(&re, "((a{10}){10}){11}", &err), GTH_EINVALID);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),
        cmocka_unit_test(same_as_go),
        cmocka_unit_test(linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
