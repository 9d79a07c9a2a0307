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

/* ---- Expectations ------------------------------------------------------------- */

static int compile(gth_expect *e, gth_error *err) {
    gth_error rerr;
    gth_error_clear(&rerr);
    int rc = gth_regex_compile(&e->re, e->a, e->pattern, e->pattern_len, &rerr);
    if (rc == GTH_OK) {
        e->compiled = 1;
        return GTH_OK;
    }
    if (rc != GTH_EINVALID) return gth_error_nomem(err);
    return gth_error_set(err, GTH_EINVALID, "malformed pattern: not a valid regexp: %.*s: %s", (int)e->pattern_len,
                         e->pattern, rerr.msg);
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
    if (e->compiled) gth_regex_free(&e->re);
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
    return gth_regex_search(&e->re, errmsg, strlen(errmsg));
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
