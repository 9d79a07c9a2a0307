/* .test files and their expectations, as Go's testtrace package reads them. */
#include "format/testfile.h"

#include <string.h>

#include "base/quote.h"

int gth_testfile_detect(const void *p, size_t n) {
    gth_txtar ar;
    gth_txtar_parse(p, n, &ar);
    return ar.nfiles > 0;
}

static int name_is(const gth_txtar_file *f, const char *s) {
    return f->name_len == strlen(s) && memcmp(f->name, s, f->name_len) == 0;
}

int gth_testfile_parse(const void *p, size_t n, const char *path, gth_testfile *tf, gth_error *err) {
    memset(tf, 0, sizeof *tf);
    gth_txtar_parse(p, n, &tf->ar);
    if (tf->ar.nfiles != 2)
        return gth_error_set(err, GTH_EINVALID, "malformed test %s: wrong number of files", path);
    for (int i = 0; i < 2; i++) {
        const gth_txtar_file *f = &tf->ar.files[i];
        if (!name_is(f, i == 0 ? "expect" : "trace")) {
            gth_error_set(err, GTH_EINVALID, "malformed test %s: bad filename %.*s", path,
                          (int)f->name_len, f->name);
            err->line = f->line - 1;
            return GTH_EINVALID;
        }
    }
    tf->expect = tf->ar.files[0].data;
    tf->expect_len = tf->ar.files[0].len;
    tf->expect_line = tf->ar.files[0].line;
    tf->trace = tf->ar.files[1].data;
    tf->trace_len = tf->ar.files[1].len;
    tf->trace_line = tf->ar.files[1].line;
    return GTH_OK;
}

/* ---- RE2 -> POSIX ERE ------------------------------------------------------- */

static int is_ere_special(int c) { return c && strchr(".[]()*+?{}|^$\\", c) != NULL; }

static const char *class_escape(int c, int in_bracket) {
    switch (c) {
    case 'd': return in_bracket ? "0-9" : "[0-9]";
    case 'D': return in_bracket ? NULL : "[^0-9]";
    case 's': return in_bracket ? "[:space:]" : "[[:space:]]";
    case 'S': return in_bracket ? NULL : "[^[:space:]]";
    case 'w': return in_bracket ? "[:alnum:]_" : "[[:alnum:]_]";
    case 'W': return in_bracket ? NULL : "[^[:alnum:]_]";
    default: return NULL;
    }
}

static int control_escape(int c) {
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'v': return '\v';
    case 'a': return '\a';
    default: return 0;
    }
}

/* Length of a counted repetition {n}, {n,} or {n,m} at s[0..n), 0 if there is
 * none (then Go reads '{' as a literal); its bounds (-1: none) in *lo, *hi. */
static size_t brace_repeat(const char *s, size_t n, long *lo, long *hi) {
    size_t i = 1;
    long v[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        size_t start = i;
        long x = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (x <= 100000) x = x * 10 + (s[i] - '0');
            i++;
        }
        if (i > start) v[k] = x;
        else if (k == 0) return 0;
        if (k == 0) {
            if (i < n && s[i] == '}') {
                *lo = *hi = v[0];
                return i + 1;
            }
            if (i >= n || s[i] != ',') return 0;
            i++;
        }
    }
    if (i >= n || s[i] != '}') return 0;
    *lo = v[0];
    *hi = v[1];
    return i + 1;
}

#define MAX_GROUP_DEPTH 1000

/* Translates an RE2 pattern to ERE. Returns NULL or a reason it cannot. As in
 * Go, a repetition operator may not follow another ("a**", "a+?+"), and counted
 * repetitions may not make more than 1000 copies of anything, nested ones
 * multiplied ("(a{100}){20}"); POSIX would accept these, and regcomp's memory
 * grows with every copy. weight[d]: the most copies a counted repetition makes
 * inside the group open at depth d; atom: that of the last atom. */
static const char *translate(const char *s, size_t n, gth_buf *out, int *icase) {
    size_t i = 0, depth = 0;
    int last_repeat = 0;
    unsigned long weight[MAX_GROUP_DEPTH + 1], atom = 1;
    weight[0] = 1;
    *icase = 0;
    if (n >= 4 && memcmp(s, "(?i)", 4) == 0) {
        *icase = 1;
        i = 4;
    }
    while (i < n) {
        char c = s[i];
        long lo = -1, hi = -1;
        size_t blen = c == '{' ? brace_repeat(s + i, n - i, &lo, &hi) : 0;
        if (c == '*' || c == '+' || c == '?' || blen) {
            if (last_repeat) return "invalid nested repetition operator";
            if (blen) {
                unsigned long m = (unsigned long)(hi >= 0 ? hi : lo);
                if (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo)) return "invalid repeat count";
                if ((lo >= 2 || hi >= 2) && m > 0 && atom > 1000 / m) return "invalid repeat count";
                if (m > 1) atom *= m;
                if (atom > weight[depth]) weight[depth] = atom;
                gth_buf_append(out, s + i, blen);
                i += blen;
            } else {
                gth_buf_putc(out, c);
                i++;
            }
            if (i < n && s[i] == '?') i++; /* lazy: same set of matches */
            last_repeat = 1;
            continue;
        }
        last_repeat = 0;
        atom = 1;
        if (c == '(') {
            if (depth == MAX_GROUP_DEPTH) return "expression nests too deeply";
            weight[++depth] = 1;
        } else if (c == ')' && depth > 0) {
            atom = weight[depth--];
            if (atom > weight[depth]) weight[depth] = atom;
        }
        if (c == '{' || c == '}') { /* literal braces, as Go reads them */
            gth_buf_putc(out, '\\');
            gth_buf_putc(out, c);
            i++;
        } else if (c == '\\') {
            if (i + 1 >= n) return "trailing backslash at end of expression";
            char e = s[i + 1];
            const char *cls = class_escape(e, 0);
            int ctl = control_escape(e);
            if (cls) {
                gth_buf_append(out, cls, strlen(cls));
            } else if (ctl) {
                gth_buf_putc(out, ctl);
            } else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                return "unsupported escape sequence";
            } else if (is_ere_special(e)) {
                gth_buf_putc(out, '\\');
                gth_buf_putc(out, e);
            } else {
                gth_buf_putc(out, e);
            }
            i += 2;
        } else if (c == '.') {
            gth_buf_append(out, "[^\n]", 4); /* Go's '.' stops at newlines */
            i++;
        } else if (c == '[') {
            gth_buf_putc(out, '[');
            i++;
            if (i < n && s[i] == '^') gth_buf_putc(out, s[i++]);
            if (i < n && s[i] == ']') gth_buf_putc(out, s[i++]);
            for (;;) {
                if (i >= n) return "missing closing ]";
                c = s[i];
                if (c == ']') {
                    gth_buf_putc(out, ']');
                    i++;
                    break;
                }
                if (c == '[' && i + 1 < n && s[i + 1] == ':') {
                    const char *end = NULL;
                    for (size_t j = i + 2; j + 1 < n; j++)
                        if (s[j] == ':' && s[j + 1] == ']') {
                            end = s + j + 2;
                            break;
                        }
                    if (!end) return "bad character class";
                    gth_buf_append(out, s + i, (size_t)(end - (s + i)));
                    i = (size_t)(end - s);
                    continue;
                }
                if (c == '\\') {
                    if (i + 1 >= n) return "missing closing ]";
                    char e = s[i + 1];
                    const char *cls = class_escape(e, 1);
                    int ctl = control_escape(e);
                    if (cls) gth_buf_append(out, cls, strlen(cls));
                    else if (ctl) gth_buf_putc(out, ctl);
                    else if (e == ']' || e == '-' || e == '^' || e == '[' ||
                             (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
                        return "unsupported escape in character class";
                    else gth_buf_putc(out, e);
                    i += 2;
                    continue;
                }
                gth_buf_putc(out, c);
                i++;
            }
        } else if (c == '(' && i + 1 < n && s[i + 1] == '?') {
            if (i + 2 < n && s[i + 2] == ':') {
                gth_buf_putc(out, '(');
                i += 3;
            } else {
                return "unsupported group flags";
            }
        } else {
            gth_buf_putc(out, c);
            i++;
        }
    }
    return NULL;
}

/* ---- Expectations ------------------------------------------------------------- */

static int compile(gth_expect *e, gth_error *err) {
    gth_buf ere;
    gth_buf_init(&ere, e->a);
    int icase = 0;
    const char *why = memchr(e->pattern, 0, e->pattern_len)
                          ? "NUL byte in expression"
                          : translate(e->pattern, e->pattern_len, &ere, &icase);
    char rerr[256];
    if (!why) gth_buf_putc(&ere, 0);
    if (ere.failed) { /* whether or not the pattern was good: the run failed */
        gth_buf_free(&ere);
        return gth_error_nomem(err);
    }
    if (!why) {
        int cflags = REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0);
        int rc = regcomp(&e->re, (const char *)ere.data, cflags);
        if (rc == 0) {
            e->compiled = 1;
        } else if (rc == REG_ESPACE) {
            gth_buf_free(&ere);
            return gth_error_nomem(err);
        } else {
            regerror(rc, &e->re, rerr, sizeof rerr);
            why = rerr;
        }
    }
    gth_buf_free(&ere);
    if (why)
        return gth_error_set(err, GTH_EINVALID, "malformed pattern: not a valid regexp: %s: %s",
                             e->pattern, why);
    return GTH_OK;
}

int gth_expect_init(gth_expect *e, const gth_allocator *a, const char *pattern, gth_error *err) {
    memset(e, 0, sizeof *e);
    e->a = a ? a : gth_default_allocator();
    if (!pattern) return GTH_OK;
    e->failure = 1;
    e->pattern_len = strlen(pattern);
    e->pattern = gth_alloc(e->a, e->pattern_len + 1);
    if (!e->pattern) return gth_error_nomem(err);
    memcpy(e->pattern, pattern, e->pattern_len + 1);
    return compile(e, err);
}

void gth_expect_free(gth_expect *e) {
    if (e->compiled) regfree(&e->re);
    e->compiled = 0;
    gth_free(e->a, e->pattern, e->pattern_len + 1);
    e->pattern = NULL;
}

int gth_expect_parse(gth_expect *e, const gth_allocator *a, const void *data, size_t n, gth_error *err) {
    memset(e, 0, sizeof *e);
    e->a = a ? a : gth_default_allocator();
    const char *p = data;
    if (n == 0) return GTH_OK;
    /* First line, as bufio.Scanner gives it. */
    const char *nl = memchr(p, '\n', n);
    size_t len = nl ? (size_t)(nl - p) : n;
    if (len >= 65536) return gth_error_set(err, GTH_EINVALID, "bufio.Scanner: token too long");
    if (len && p[len - 1] == '\r') len--;
    const char *sp = memchr(p, ' ', len);
    size_t w0 = sp ? (size_t)(sp - p) : len;
    gth_buf m;
    gth_buf_init(&m, e->a);
    if (w0 == 7 && memcmp(p, "SUCCESS", 7) == 0) return GTH_OK;
    if (w0 == 7 && memcmp(p, "FAILURE", 7) == 0) {
        e->failure = 1;
        if (!sp) {
            gth_buf_append(&m, "bad header line for FAILURE: ", 29);
            gth_quote_append(&m, p, len);
        } else {
            const char *q = sp + 1;
            size_t qn = len - w0 - 1;
            int u = gth_unquote_append(&m, q, qn);
            if (u == -2 || m.failed) {
                gth_buf_free(&m);
                return gth_error_nomem(err);
            }
            if (u != 0) {
                m.len = 0;
                gth_buf_printf(&m, "malformed pattern: not correctly quoted: %.*s: invalid syntax",
                               (int)qn, q);
            } else {
                e->pattern = gth_alloc(e->a, m.len + 1);
                if (!e->pattern) {
                    gth_buf_free(&m);
                    return gth_error_nomem(err);
                }
                if (m.len) memcpy(e->pattern, m.data, m.len);
                e->pattern[m.len] = 0;
                e->pattern_len = m.len;
                gth_buf_free(&m);
                return compile(e, err);
            }
        }
    } else {
        gth_buf_append(&m, "bad header line: ", 17);
        gth_quote_append(&m, p, len);
    }
    if (m.failed) gth_error_nomem(err);
    else gth_error_set(err, GTH_EINVALID, "%.*s", (int)m.len, m.len ? (const char *)m.data : "");
    gth_buf_free(&m);
    return err->status;
}

int gth_expect_matches(const gth_expect *e, const char *errmsg) {
    if (!e->failure) return errmsg == NULL;
    if (!errmsg || !e->compiled) return 0;
    return regexec(&e->re, errmsg, 0, NULL, 0) == 0;
}

int gth_expect_check(const gth_expect *e, const char *errmsg, gth_buf *why) {
    if (gth_expect_matches(e, errmsg)) return 0;
    if (!e->failure) {
        gth_buf_printf(why, "unexpected error while reading the trace: %s", errmsg);
        return 1;
    }
    const char *pre = errmsg ? "unexpected error while reading the trace: want something matching "
                             : "expected error while reading the trace: want something matching ";
    gth_buf_append(why, pre, strlen(pre));
    gth_quote_append(why, e->pattern, e->pattern_len);
    if (errmsg) {
        gth_buf_append(why, ", got ", 6);
        gth_buf_append(why, errmsg, strlen(errmsg));
    } else {
        gth_buf_append(why, ", got none", 10);
    }
    return 1;
}

int gth_expect_write(gth_buf *b, const gth_expect *e) {
    if (!e->failure) return gth_buf_append(b, "SUCCESS\n", 8);
    gth_buf_append(b, "FAILURE ", 8);
    gth_quote_append(b, e->pattern, e->pattern_len);
    return gth_buf_putc(b, '\n');
}

int gth_testfile_write(gth_buf *b, const char *comment, const gth_expect *e, const void *trace,
                       size_t trace_len) {
    gth_buf ex;
    gth_buf_init(&ex, b->a);
    gth_expect_write(&ex, e);
    gth_txtar_file files[2] = {
        {"expect", 6, ex.data, ex.len, 0},
        {"trace", 5, trace, trace_len, 0},
    };
    int rc = ex.failed ? -1 : gth_txtar_write(b, comment, comment ? strlen(comment) : 0, files, 2);
    gth_buf_free(&ex);
    return rc;
}
