/*
 * quote: Go string quoting, byte-exact. Go's text trace format writes String and
 * ExperimentalBatch payloads with strconv.Quote and reads them back with
 * strconv.Unquote, and Go's error messages print strings with %q; reproducing the
 * text byte for byte needs Go's rules, including its UTF-8 decoder and its
 * unicode.IsPrint / unicode.IsSpace classes (Unicode 15.0.0, as in Go 1.22-1.26).
 */
#ifndef GTH_QUOTE_H
#define GTH_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

#define GTH_RUNE_ERROR 0xFFFDu

/* Decodes one rune from p[0..n) the way Go's utf8.DecodeRune does: an invalid or
 * truncated sequence (overlong, surrogate, > U+10FFFF) yields GTH_RUNE_ERROR with
 * width 1. Returns the width (0 only when n == 0). */
size_t gth_utf8_decode(const uint8_t *p, size_t n, uint32_t *rune);
/* Appends the UTF-8 encoding of r (invalid runes as U+FFFD). */
int gth_utf8_append(gth_buf *b, uint32_t r);

/* Go's unicode.IsPrint (= strconv.IsPrint): letters, marks, numbers, punctuation,
 * symbols and the ASCII space. */
int gth_unicode_is_print(uint32_t r);
/* Go's unicode.IsSpace. */
int gth_unicode_is_space(uint32_t r);

/* Appends Go's strconv.Quote(s): double-quoted, with Go escapes. */
int gth_quote_append(gth_buf *b, const void *s, size_t n);
/* Same, NUL-terminated into out (truncated to outsz, always terminated); for
 * error messages. Returns out. */
const char *gth_quote_str(char *out, size_t outsz, const void *s, size_t n);

/* Appends s as a JSON string: double-quoted, '"', '\\' and control characters
 * escaped; bytes that are not UTF-8 (a trace's strings need not be) become
 * U+FFFD, so the output is always valid JSON. Returns 0, or -1 when b failed
 * to grow. */
int gth_json_quote_append(gth_buf *b, const void *s, size_t n);

/* Go's strconv.Unquote(s) for "...", `...` and '...': appends the value to b.
 * Returns 0, or -1 when s is not a valid Go quoted string (Go's "invalid syntax";
 * b may then hold a partial value), or -2 when b failed to grow. */
int gth_unquote_append(gth_buf *b, const void *s, size_t n);

#endif
