/*
 * regex: regular expressions in Go's RE2 syntax (regexp/syntax with Perl
 * flags, as regexp.Compile uses), for the FAILURE patterns of .test files.
 *
 * Matching only answers whether the pattern matches somewhere in the text
 * (regexp.MatchString): no captures, so a lazy quantifier matches as its greedy
 * form does. It runs in time O(text x program) with a Pike VM, never
 * backtracking, and every allocation goes through the caller's allocator.
 *
 * Syntax: literals, '.', [classes] (ranges, negation, [:alpha:] and the other
 * ASCII classes, escapes inside), \d \s \w \D \S \W, \a \f \t \n \r \v, octal
 * and \x escapes, \Q...\E, alternation, groups ( ) (?: ) (?P<name> ) (?<name> ),
 * flags (?imsU-imsU) and (?flags:re), the repetitions * + ? {n} {n,} {n,m} and
 * their lazy forms, and the assertions ^ $ \A \z \b \B. The text and the
 * pattern are read as UTF-8 runes (an invalid byte is U+FFFD), as Go does.
 * Limits as in Go: repeat counts at most 1000, also multiplied through nesting;
 * nesting at most 1000 deep.
 * Differences from Go: Unicode classes (\pL, \p{Greek}) are refused as
 * invalid; (?i) folds ASCII letters (and K, S with KELVIN SIGN and LONG S) but
 * no other Unicode case pairs; the nesting limit counts groups, where Go
 * counts the height of its parse tree.
 */
#ifndef GTH_FORMAT_REGEX_H
#define GTH_FORMAT_REGEX_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

typedef struct gth_regex {
    const gth_allocator *a;
    struct gth_re_inst *prog;
    uint32_t nprog, start;
    uint32_t *ranges; /* class ranges: pairs lo, hi */
    size_t nranges;   /* uint32 values allocated */
    uint32_t *scratch; /* the matcher's thread lists, sized by the program */
} gth_regex;

/* Compiles pattern[0..n). GTH_OK; GTH_EINVALID with Go's kind of message in
 * err ("error parsing regexp: missing closing ): `(a`"); GTH_ENOMEM. The
 * regex is usable (and must be freed) only after GTH_OK. */
int gth_regex_compile(gth_regex *re, const gth_allocator *a, const char *pattern, size_t n, gth_error *err);

/* 1 if the regex matches somewhere in s[0..n), else 0. Uses the regex's own
 * scratch memory: one match at a time per regex. */
int gth_regex_search(const gth_regex *re, const char *s, size_t n);

void gth_regex_free(gth_regex *re);

#endif
