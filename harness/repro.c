/* Reproducers: .test files in Go's golden layout and adapters' outputs
 * (harness/repro.h). */
#include "harness/repro.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/quote.h"
#include "format/convert.h"
#include "format/decode.h"
#include "format/testfile.h"
#include "harness/files.h"

static void safe_name(const char *id, const char *suffix, char *out, size_t n) {
    size_t k = 0, len = strlen(id);
    if (len > 5 && !strcmp(id + len - 5, ".test")) len -= 5;
    for (size_t i = 0; i < len && k + 1 < n; i++) out[k++] = (char)((id[i] == '/' || id[i] == ' ') ? '_' : id[i]);
    for (const char *s = suffix; s && *s && k + 2 < n; s++) {
        if (s == suffix) out[k++] = '.';
        out[k++] = (char)(*s == '/' || *s == ' ' ? '_' : *s);
    }
    out[k] = 0;
}

/* The offset of the start of line `line` (1-based) in b, or b->len. */
static size_t line_offset(const gth_buf *b, size_t line) {
    size_t off = 0;
    for (size_t l = 1; l < line && off < b->len; l++) {
        const uint8_t *nl = memchr(b->data + off, '\n', b->len - off);
        off = nl ? (size_t)(nl - b->data) + 1 : b->len;
    }
    return off;
}

static size_t count_lines(const uint8_t *p, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += p[i] == '\n';
    return k;
}

void gth_write_output(const char *path, const gth_result *r, size_t line) {
    FILE *f = fopen(path, "w");
    if (!f) return;
    const gth_buf *b = &r->lines;
    if (b->len <= GTH_OUTPUT_MAX) {
        if (b->len) fwrite(b->data, 1, b->len, f);
    } else {
        /* The head, whole lines up to the cap, and the lines around the one
         * that differs. */
        size_t head = GTH_OUTPUT_MAX;
        while (head > 0 && b->data[head - 1] != '\n') head--;
        size_t from = line > 20 ? line_offset(b, line - 20) : 0, to = line ? line_offset(b, line + 21) : 0;
        if (from < head) from = head;
        fwrite(b->data, 1, head, f);
        if (to > from) {
            fprintf(f, "... %zu lines left out ...\n", count_lines(b->data + head, from - head));
            fwrite(b->data + from, 1, to - from, f);
        }
        fprintf(f, "... (%zu lines in all)\n", r->nlines);
    }
    if (r->truncated && b->len <= GTH_OUTPUT_MAX) fprintf(f, "... (%zu lines in all)\n", r->nlines);
    gth_buf q;
    gth_buf_init(&q, NULL);
    gth_quote_append(&q, r->msg.data ? r->msg.data : (const uint8_t *)"", r->msg.len);
    if (r->verdict == RES_ACCEPT) fprintf(f, "ACCEPT\n");
    else fprintf(f, "%s %.*s\n", gth_result_word(r), (int)q.len, (const char *)q.data);
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

int gth_repro_dir_prepare(const char *dir, char *why, size_t whysz) {
    char path[8600];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return snprintf(why, whysz, "cannot create %s: %s", dir, strerror(errno)), -1;
    DIR *d = opendir(dir);
    if (!d) return snprintf(why, whysz, "cannot open %s: %s", dir, strerror(errno)), -1;
    snprintf(path, sizeof path, "%s/.gth-out", dir);
    int marked = access(path, F_OK) == 0, others = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, ".gth-out")) {
            if (!marked) {
                others = 1;
                break;
            }
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            struct stat st;
            if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) unlink(path);
        }
    closedir(d);
    if (others)
        return snprintf(why, whysz, "%s is not empty and was not written by gth diff or gth conform (no .gth-out in it): "
                                    "give an empty or new directory", dir), -1;
    snprintf(path, sizeof path, "%s/.gth-out", dir);
    const char *note = "reproducers of gth diff or gth conform: emptied by the next run writing here\n";
    return gth_io_write_all(path, note, strlen(note), why, whysz) ? -1 : 0;
}

void gth_write_reproducer(const char *out_dir, const char *id, const char *suffix, const char *trace,
                          const gth_adapter *A, const gth_adapter *B, const gth_result *ra, const gth_result *rb,
                          size_t line, char *where, size_t wsz) {
    char base[4200], path[8600];
    safe_name(id, suffix, base, sizeof base);
    mkdir(out_dir, 0777);
    uint8_t *bin;
    size_t len;
    char why[512];
    where[0] = 0;
    if (gth_io_read_all(trace, &bin, &len, why, sizeof why)) return;
    gth_buf comment;
    gth_buf_init(&comment, NULL);
    gth_buf_printf(&comment, "Disagreement on %s: %s says %s, %s says %s", id, A->name, gth_result_word(ra), B->name,
                   gth_result_word(rb));
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
    gth_write_output(path, ra, line);
    snprintf(path, sizeof path, "%s/%s.%s.out", out_dir, base, B->name);
    gth_write_output(path, rb, line);
    gth_buf_free(&comment);
    free(bin);
}
