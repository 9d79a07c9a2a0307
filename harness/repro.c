/* Reproducers: .test files in Go's golden layout and adapters' outputs
 * (harness/repro.h). */
#include "harness/repro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/quote.h"
#include "format/convert.h"
#include "format/decode.h"
#include "format/testfile.h"
#include "harness/files.h"

static void safe_name(const char *id, char *out, size_t n) {
    size_t k = 0;
    for (; *id && k + 1 < n; id++) out[k++] = (char)((*id == '/' || *id == ' ') ? '_' : *id);
    out[k] = 0;
}

void gth_write_output(const char *path, const gth_result *r) {
    FILE *f = fopen(path, "w");
    if (!f) return;
    if (r->lines.len) fwrite(r->lines.data, 1, r->lines.len, f);
    if (r->truncated) fprintf(f, "... (%zu lines in all)\n", r->nlines);
    gth_buf q;
    gth_buf_init(&q, NULL);
    gth_quote_append(&q, r->msg.data ? r->msg.data : (const uint8_t *)"", r->msg.len);
    if (r->verdict == RES_ACCEPT) fprintf(f, "ACCEPT\n");
    else fprintf(f, "%s %.*s\n", gth_verdict_word(r->verdict), (int)q.len, (const char *)q.data);
    gth_buf_free(&q);
    fclose(f);
}

void gth_regexp_quote(gth_buf *b, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\.+*?()|[]{}^$", s[i])) gth_buf_putc(b, '\\');
        gth_buf_putc(b, s[i]);
    }
}

int gth_write_test(const char *path, const uint8_t *bin, size_t len, const char *comment, const gth_result *expect,
                        char *why, size_t whysz) {
    gth_buf text, file, pat;
    gth_buf_init(&text, NULL);
    gth_buf_init(&file, NULL);
    gth_buf_init(&pat, NULL);
    gth_error err;
    int rc = -1;
    if (gth_convert_binary_to_text(bin, len, GTH_DEC_FLAT, &text, &err) != GTH_OK) {
        snprintf(why, whysz, "not representable in Go's text format: %s", err.msg);
    } else {
        gth_expect e;
        int failure = expect->verdict == RES_REJECT;
        if (failure) {
            const uint8_t *nl = expect->msg.len ? memchr(expect->msg.data, '\n', expect->msg.len) : NULL;
            size_t first = nl ? (size_t)(nl - expect->msg.data) : expect->msg.len; /* msg is not NUL-terminated */
            gth_regexp_quote(&pat, expect->msg.data, first);
            gth_buf_putc(&pat, 0);
        }
        if (gth_expect_init(&e, NULL, failure ? (const char *)pat.data : NULL, &err) == GTH_OK &&
            gth_testfile_write(&file, comment, &e, text.data, text.len) == GTH_OK)
            rc = gth_io_write_all(path, file.data, file.len, why, whysz);
        else
            snprintf(why, whysz, "%s", err.msg);
        gth_expect_free(&e);
    }
    gth_buf_free(&text);
    gth_buf_free(&file);
    gth_buf_free(&pat);
    return rc;
}

void gth_write_reproducer(const char *out_dir, const char *id, const char *trace, const gth_adapter *A,
                          const gth_adapter *B, const gth_result *ra, const gth_result *rb, size_t line, char *where,
                          size_t wsz) {
    char base[4200], path[8600];
    safe_name(id, base, sizeof base);
    mkdir(out_dir, 0777);
    uint8_t *bin;
    size_t len;
    char why[512];
    where[0] = 0;
    if (gth_io_read_all(trace, &bin, &len, why, sizeof why)) return;
    gth_buf comment;
    gth_buf_init(&comment, NULL);
    gth_buf_printf(&comment, "Disagreement on %s: %s says %s, %s says %s", id, A->name, gth_verdict_word(ra->verdict),
                   B->name, gth_verdict_word(rb->verdict));
    if (line) gth_buf_printf(&comment, "; streams differ at line %zu", line);
    gth_buf_printf(&comment, ".\nExpectation: what %s says.\n", A->name);
    gth_buf_putc(&comment, 0);
    snprintf(path, sizeof path, "%s/%s.test", out_dir, base);
    if (gth_write_test(path, bin, len, (const char *)comment.data, ra, why, sizeof why) == 0)
        snprintf(where, wsz, "%s", path);
    if (!where[0]) { /* not representable as text: keep the bytes */
        snprintf(path, sizeof path, "%s/%s.bin", out_dir, base);
        gth_io_write_all(path, bin, len, why, sizeof why);
        snprintf(where, wsz, "%s", path);
    }
    snprintf(path, sizeof path, "%s/%s.%s.out", out_dir, base, A->name);
    gth_write_output(path, ra);
    snprintf(path, sizeof path, "%s/%s.%s.out", out_dir, base, B->name);
    gth_write_output(path, rb);
    gth_buf_free(&comment);
    free(bin);
}
