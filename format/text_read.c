/* The text format reader: Go's raw.TextReader, line by line, error texts and all. */
#include "format/text.h"

#include <string.h>

#include "base/quote.h"

typedef struct str {
    const uint8_t *p;
    size_t n;
} str;

static const char *const frame_fields[4] = {"pc", "func", "file", "line"};
static const uint8_t empty_data[1];

/* ---- Lexing (unicode.IsSpace runes; '#' starts a comment only before a token) */

static size_t rune_at(const uint8_t *p, size_t n, uint32_t *r) {
    if (p[0] < 0x80) {
        *r = p[0];
        return 1;
    }
    return gth_utf8_decode(p, n, r);
}

static void read_token(str s, str *tok, str *rest) {
    size_t i = 0, start = SIZE_MAX;
    uint32_t r;
    while (i < s.n) {
        size_t w = rune_at(s.p + i, s.n - i, &r);
        if (r == '#') break;
        if (!gth_unicode_is_space(r)) {
            start = i;
            break;
        }
        i += w;
    }
    if (start == SIZE_MAX) {
        *tok = (str){s.p, 0};
        *rest = (str){s.p, 0};
        return;
    }
    for (i = start; i < s.n;) {
        size_t w = rune_at(s.p + i, s.n - i, &r);
        if (r == '#' || gth_unicode_is_space(r)) break;
        i += w;
    }
    *tok = (str){s.p + start, i - start};
    *rest = (str){s.p + i, s.n - i};
}

static int all_space(str s) {
    uint32_t r;
    for (size_t i = 0; i < s.n;) {
        i += rune_at(s.p + i, s.n - i, &r);
        if (!gth_unicode_is_space(r)) return 0;
    }
    return 1;
}

/* strings.TrimSpace. */
static str trim_space(str s) {
    uint32_t r;
    size_t i = 0, w;
    while (i < s.n && (w = rune_at(s.p + i, s.n - i, &r), gth_unicode_is_space(r))) i += w;
    size_t end = i;
    for (size_t j = i; j < s.n;) {
        j += rune_at(s.p + j, s.n - j, &r);
        if (!gth_unicode_is_space(r)) end = j;
    }
    return (str){s.p + i, end - i};
}

static int str_eq(str s, const char *c) { return s.n == strlen(c) && memcmp(s.p, c, s.n) == 0; }

/* strconv.ParseUint(s, 10, 64): 0, or -1 syntax error, -2 out of range (reported
 * at the first digit that overflows, as Go does). */
static int parse_u64(str s, uint64_t *v) {
    if (s.n == 0) return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < s.n; i++) {
        uint8_t c = s.p[i];
        if (c < '0' || c > '9') return -1;
        if (x > UINT64_MAX / 10) return -2;
        uint64_t y = x * 10 + (c - '0');
        if (y < x * 10) return -2;
        x = y;
    }
    *v = x;
    return 0;
}

/* ---- Error messages --------------------------------------------------------- */

static void put_str(gth_buf *m, str s) { gth_buf_append(m, s.p, s.n); }
static void put_q(gth_buf *m, str s) { gth_quote_append(m, s.p, s.n); }
static void put_c(gth_buf *m, const char *c) { gth_buf_append(m, c, strlen(c)); }

/* Go's %v of a []uint64: "[1 2 3]". */
static void put_list(gth_buf *m, const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    gth_buf_putc(m, '[');
    for (size_t i = 0; i < na + nb; i++) {
        if (i) gth_buf_putc(m, ' ');
        gth_buf_put_u64(m, i < na ? a[i] : b[i - na]);
    }
    gth_buf_putc(m, ']');
}

static int fail(gth_error *err, uint64_t line, gth_buf *m) {
    if (m->failed) {
        gth_buf_free(m);
        return gth_error_nomem(err), GTH_READ_ERROR;
    }
    int n = (int)(m->len < GTH_ERROR_MSG_MAX ? m->len : GTH_ERROR_MSG_MAX);
    gth_error_set(err, GTH_EINVALID, "%.*s", n, m->len ? (const char *)m->data : "");
    /* A NUL inside the text would cut the message short; that is acceptable. */
    err->line = line;
    err->offset = GTH_NO_OFFSET;
    gth_buf_free(m);
    return GTH_READ_ERROR;
}

static int fail_c(gth_error *err, uint64_t line, const char *msg) {
    gth_error_set(err, GTH_EINVALID, "%s", msg);
    err->line = line;
    err->offset = GTH_NO_OFFSET;
    return GTH_READ_ERROR;
}

/* ---- Lines -------------------------------------------------------------------- */

/* The next line that holds a token (blank and comment lines are skipped). 1 with
 * *line set, 0 at the end, -1 on a line too long for Go's scanner. */
static int next_line(gth_text_reader *r, str *line, gth_error *err) {
    for (;;) {
        if (r->pos >= r->n) return 0;
        const uint8_t *s = r->p + r->pos;
        size_t left = r->n - r->pos;
        const uint8_t *nl = memchr(s, '\n', left);
        size_t len = nl ? (size_t)(nl - s) : left;
        if (len >= GTH_TEXT_MAX_LINE) {
            fail_c(err, r->line + 1, "bufio.Scanner: token too long");
            return -1;
        }
        r->line++;
        r->pos += len + (nl != NULL);
        if (len && s[len - 1] == '\r') len--;
        str l = {s, len}, tok, rest;
        read_token(l, &tok, &rest);
        if (tok.n == 0) continue;
        *line = l;
        return 1;
    }
}

/* Go's readArgs: the named arguments in order, then nothing but spaces. On error
 * appends the message to m and returns -1. */
static int read_args(str s, const char *const *names, unsigned count, uint64_t *out, gth_buf *m) {
    for (unsigned i = 0; i < count; i++) {
        const char *name = names[i];
        str tok, rest;
        read_token(s, &tok, &rest);
        if (tok.n == 0) {
            put_c(m, "no argument");
            return -1;
        }
        const uint8_t *eq = memchr(tok.p, '=', tok.n);
        if (!eq) {
            put_c(m, "malformed argument: ");
            put_q(m, tok);
            return -1;
        }
        str arg = {tok.p, (size_t)(eq - tok.p)}, val = {eq + 1, tok.n - arg.n - 1};
        if (parse_u64(val, &out[i]) != 0) {
            put_c(m, "failed to parse argument value ");
            put_q(m, val);
            put_c(m, " for arg ");
            put_q(m, arg);
            return -1;
        }
        if (!str_eq(arg, name)) {
            put_c(m, "expected argument ");
            gth_quote_append(m, name, strlen(name));
            put_c(m, ", but got ");
            put_q(m, arg);
            return -1;
        }
        s = rest;
    }
    if (!all_space(s)) {
        put_c(m, "encountered unexpected non-space at the end of an event: ");
        put_q(m, s);
        return -1;
    }
    return 0;
}

/* ---- Reader ------------------------------------------------------------------- */

int gth_text_reader_init(gth_text_reader *r, const gth_allocator *a, const void *text, size_t n,
                         uint64_t first_line, gth_error *err) {
    memset(r, 0, sizeof *r);
    r->a = a ? a : gth_default_allocator();
    r->p = text;
    r->n = n;
    r->line = first_line ? first_line - 1 : 0;
    gth_buf_init(&r->data, r->a);
    str line, tok, rest, gover, tail;
    int k = next_line(r, &line, err);
    if (k < 0) return GTH_READ_ERROR;
    if (k == 0) return fail_c(err, r->line ? r->line : 1, "EOF");
    read_token(line, &tok, &rest);
    if (!str_eq(tok, "Trace")) return fail_c(err, r->line, "failed to parse header");
    read_token(rest, &gover, &tail);
    if (gover.n < 4 || memcmp(gover.p, "Go1.", 4) != 0)
        return fail_c(err, r->line, "failed to parse header Go version");
    uint64_t v;
    str num = {gover.p + 4, gover.n - 4};
    int pr = parse_u64(num, &v);
    gth_buf m;
    gth_buf_init(&m, r->a);
    if (pr != 0) {
        put_c(&m, "failed to parse header Go version: strconv.ParseUint: parsing ");
        put_q(&m, num);
        put_c(&m, pr == -1 ? ": invalid syntax" : ": value out of range");
        return fail(err, r->line, &m);
    }
    unsigned minor = (unsigned)(uint32_t)v; /* Go stores it in a uint32 */
    if (!gth_version_get(minor)) {
        gth_buf_printf(&m, "unknown or unsupported Go version 1.%u", minor);
        return fail(err, r->line, &m);
    }
    if (!all_space(tail)) {
        put_c(&m, "encountered unexpected non-space at the end of the header: ");
        put_q(&m, tail);
        return fail(err, r->line, &m);
    }
    gth_buf_free(&m);
    r->minor = minor;
    for (unsigned c = 0; c < 256; c++) r->table[c] = gth_spec_lookup(minor, c);
    return GTH_READ_OK;
}

void gth_text_reader_free(gth_text_reader *r) {
    gth_buf_free(&r->data);
    gth_free(r->a, r->frames, r->frames_cap * sizeof *r->frames);
    r->frames = NULL;
    r->frames_cap = 0;
}

static const gth_event_spec *lookup(const gth_text_reader *r, str name) {
    for (unsigned c = 0; c < 256; c++) {
        const gth_event_spec *e = r->table[c];
        if (e && e->name[0] == name.p[0] && str_eq(name, e->name)) return e;
    }
    return NULL;
}

int gth_text_reader_next(gth_text_reader *r, gth_raw_event *ev, gth_error *err) {
    str line, tok, rest;
    int k = next_line(r, &line, err);
    if (k <= 0) return k < 0 ? GTH_READ_ERROR : GTH_READ_END;
    uint64_t evline = r->line;
    read_token(line, &tok, &rest);
    gth_buf m;
    gth_buf_init(&m, r->a);
    const gth_event_spec *spec = lookup(r, tok);
    if (!spec) {
        put_c(&m, "unidentified event: ");
        put_str(&m, tok);
        return fail(err, evline, &m);
    }
    memset(ev, 0, sizeof *ev);
    ev->code = spec->code;
    ev->spec = spec;
    ev->offset = GTH_NO_OFFSET;
    ev->batch_offset = GTH_NO_OFFSET;
    ev->line = evline;
    const char *names[GTH_MAX_ARGS];
    for (unsigned i = 0; i < spec->nargs; i++) names[i] = spec->args[i].name;
    if (read_args(rest, names, spec->nargs, ev->args, &m) != 0) {
        gth_buf tmp;
        gth_buf_init(&tmp, r->a);
        put_c(&tmp, "reading args for ");
        put_str(&tmp, tok);
        put_c(&tmp, ": ");
        gth_buf_append(&tmp, m.data, m.len);
        gth_buf_free(&m);
        return fail(err, evline, &tmp);
    }
    if (spec->flags & GTH_F_FRAMES) {
        /* Go converts the count to int: 2^63 and above read no frame lines. The
         * frame array grows with the lines actually read, never with the count. */
        uint64_t want = ev->args[1] > INT64_MAX ? 0 : ev->args[1];
        size_t got = 0;
        for (uint64_t i = 0; i < want; i++) {
            k = next_line(r, &line, err);
            if (k < 0) return gth_buf_free(&m), GTH_READ_ERROR;
            if (k == 0) {
                put_c(&m, "unexpected EOF while reading stack: args=");
                put_list(&m, ev->args, spec->nargs, r->frames, got * 4);
                return fail(err, evline, &m);
            }
            void *fp = r->frames;
            if (gth_grow(r->a, &fp, &r->frames_cap, got * 4 + 4, sizeof *r->frames) != 0) {
                gth_buf_free(&m);
                return gth_error_nomem(err), GTH_READ_ERROR;
            }
            r->frames = fp;
            if (read_args(line, frame_fields, 4, r->frames + got * 4, &m))
                return fail(err, r->line, &m);
            got++;
        }
        ev->frames = r->frames;
        ev->nframes = got;
    }
    if (spec->flags & GTH_F_DATA) {
        k = next_line(r, &line, err);
        if (k < 0) return gth_buf_free(&m), GTH_READ_ERROR;
        if (k == 0) {
            put_c(&m, "unexpected EOF while reading data for ");
            put_str(&m, tok);
            put_c(&m, ": args=");
            put_list(&m, ev->args, spec->nargs, NULL, 0);
            return fail(err, evline, &m);
        }
        const uint8_t *eq = memchr(line.p, '=', line.n);
        str key = trim_space((str){line.p, eq ? (size_t)(eq - line.p) : 0});
        if (!eq || !str_eq(key, "data")) {
            put_c(&m, "malformed data: ");
            put_q(&m, line);
            return fail(err, r->line, &m);
        }
        str val = trim_space((str){eq + 1, line.n - (size_t)(eq + 1 - line.p)});
        r->data.len = 0;
        r->data.failed = 0;
        int u = gth_unquote_append(&r->data, val.p, val.n);
        if (u == -2 || r->data.failed) {
            gth_buf_free(&m);
            return gth_error_nomem(err), GTH_READ_ERROR;
        }
        if (u != 0) {
            put_c(&m, "failed to parse data: ");
            put_q(&m, line);
            put_c(&m, ": invalid syntax");
            return fail(err, r->line, &m);
        }
        /* Data read from text is never nil in Go, even when empty. */
        ev->data = r->data.len ? r->data.data : empty_data;
        ev->data_len = r->data.len;
    }
    gth_buf_free(&m);
    return GTH_READ_OK;
}
