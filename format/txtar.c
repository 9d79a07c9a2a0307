/* txtar parsing and formatting, as Go's internal/txtar. */
#include "format/txtar.h"

#include <string.h>

#include "base/quote.h"

/* strings.TrimSpace over p[0..n): *start and *len of the trimmed part. */
static void trim(const uint8_t *p, size_t n, size_t *start, size_t *len) {
    uint32_t r;
    size_t i = 0, w;
    while (i < n && (w = gth_utf8_decode(p + i, n - i, &r), gth_unicode_is_space(r))) i += w;
    size_t end = i;
    for (size_t j = i; j < n;) {
        j += gth_utf8_decode(p + j, n - j, &r);
        if (!gth_unicode_is_space(r)) end = j;
    }
    *start = i;
    *len = end - i;
}

/* If p[0..n) starts with a marker line "-- NAME --", returns 1 with the name
 * and the offset just past the line. */
static int is_marker(const uint8_t *p, size_t n, size_t *name_off, size_t *name_len, size_t *after) {
    if (n < 3 || memcmp(p, "-- ", 3) != 0) return 0;
    const uint8_t *nl = memchr(p, '\n', n);
    size_t ll = nl ? (size_t)(nl - p) : n;
    if (ll < 6 || memcmp(p + ll - 3, " --", 3) != 0) return 0;
    size_t s, l;
    trim(p + 3, ll - 6, &s, &l);
    if (l == 0) return 0;
    *name_off = 3 + s;
    *name_len = l;
    *after = nl ? ll + 1 : n;
    return 1;
}

/* Finds the next marker at or after `from` (only at line starts). Returns its
 * offset, or n if none. */
static size_t find_marker(const uint8_t *p, size_t n, size_t from, size_t *name_off,
                          size_t *name_len, size_t *after) {
    size_t i = from;
    for (;;) {
        if (is_marker(p + i, n - i, name_off, name_len, after)) {
            *name_off += i;
            *after += i;
            return i;
        }
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        while (nl && (size_t)(nl - p) + 4 <= n && memcmp(nl, "\n-- ", 4) != 0)
            nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - p));
        if (!nl || (size_t)(nl - p) + 4 > n) return n;
        i = (size_t)(nl - p) + 1;
    }
}

static uint64_t count_lines(const uint8_t *p, size_t n) {
    uint64_t c = 0;
    for (const uint8_t *q = p; (q = memchr(q, '\n', n - (size_t)(q - p))) != NULL; q++) c++;
    return c;
}

void gth_txtar_parse(const void *data, size_t n, gth_txtar *ar) {
    const uint8_t *p = data;
    memset(ar, 0, sizeof *ar);
    size_t name_off = 0, name_len = 0, after = 0;
    size_t m = find_marker(p, n, 0, &name_off, &name_len, &after);
    ar->comment = p;
    ar->comment_len = m;
    if (m == n) return;
    uint64_t line = 1 + count_lines(p, m) + 1; /* the marker line itself */
    for (;;) {
        size_t no = name_off, nl = name_len, start = after;
        uint64_t start_line = line;
        size_t next = start < n ? find_marker(p, n, start, &name_off, &name_len, &after) : n;
        if (ar->nfiles < GTH_TXTAR_MAX_FILES) {
            gth_txtar_file *f = &ar->files[ar->nfiles];
            f->name = (const char *)p + no;
            f->name_len = nl;
            f->data = p + start;
            f->len = next - start;
            f->line = start_line;
        }
        ar->nfiles++;
        if (next >= n) break;
        line = start_line + count_lines(p + start, next - start) + 1;
    }
}

static void put_nl(gth_buf *b, const void *p, size_t n) {
    gth_buf_append(b, p, n);
    if (n && ((const uint8_t *)p)[n - 1] != '\n') gth_buf_putc(b, '\n');
}

int gth_txtar_write(gth_buf *b, const void *comment, size_t comment_len,
                    const gth_txtar_file *files, size_t nfiles) {
    put_nl(b, comment, comment_len);
    for (size_t i = 0; i < nfiles; i++) {
        gth_buf_append(b, "-- ", 3);
        gth_buf_append(b, files[i].name, files[i].name_len);
        gth_buf_append(b, " --\n", 4);
        put_nl(b, files[i].data, files[i].len);
    }
    return b->failed ? -1 : 0;
}
