/* File and stdin/stdout plumbing for the gth subcommands. */
#include "cli/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/quote.h"
#include "format/decode.h"

int gth_io_out_open(gth_io_out *o, const char *path, char *why, size_t whysz) {
    memset(o, 0, sizeof *o);
    o->path = path;
    o->is_std = gth_io_is_std(path);
    if (o->is_std) {
        o->f = stdout;
        return 0;
    }
    o->f = fopen(path, "wb");
    if (!o->f) {
        snprintf(why, whysz, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int gth_io_out_write(gth_io_out *o, const void *p, size_t n) {
    if (o->failed) return -1;
    if (n && fwrite(p, 1, n, o->f) != n) o->failed = errno ? errno : EIO;
    return o->failed ? -1 : 0;
}

int gth_io_out_close(gth_io_out *o, int discard, char *why, size_t whysz) {
    if (!o->f) return 0;
    if (fflush(o->f) != 0 && !o->failed) o->failed = errno ? errno : EIO;
    if (!o->is_std) {
        if (fclose(o->f) != 0 && !o->failed) o->failed = errno ? errno : EIO;
        if (discard || o->failed) remove(o->path);
    }
    o->f = NULL;
    if (o->failed) {
        snprintf(why, whysz, "cannot write %s: %s", o->is_std ? "<stdout>" : o->path,
                 strerror(o->failed));
        return -1;
    }
    return 0;
}

/* Batch mode needs a whole batch (64 KiB + header) in the buffer; start well
 * above that so most reads are large. Flat mode grows as far as an event needs. */
#define CHUNK (1u << 20)

int gth_io_decode(const char *path, unsigned flags, gth_io_decode_cb *cb, gth_error *err,
                  char *why, size_t whysz) {
    cb->partial_end = GTH_NO_OFFSET;
    gth_io_in *in = gth_io_in_open(path, why, whysz);
    if (!in) return 2;
    size_t cap = CHUNK, len = 0;
    uint8_t *buf = malloc(cap);
    int rc = 2, eof = 0, have_header = 0;
    gth_decoder d;
    gth_decoder_init(&d, NULL, flags, 0);
    if (!buf) {
        snprintf(why, whysz, "out of memory");
        goto out;
    }
    for (;;) {
        if (!eof) {
            ssize_t r = gth_io_in_read(in, buf + len, cap - len, why, whysz);
            if (r < 0) goto out;
            len += (size_t)r;
            eof = len < cap;
        }
        gth_decoder_feed(&d, buf, len, eof);
        int r = GTH_READ_OK;
        if (!have_header) {
            r = gth_decoder_header(&d, err);
            if (r == GTH_READ_OK) {
                have_header = 1;
                if (cb->on_header && (rc = cb->on_header(cb->ud, d.minor, d.hdr_len)) != 0) goto out;
            }
        }
        gth_raw_event ev;
        while (r == GTH_READ_OK && (r = gth_decoder_next(&d, &ev, err)) == GTH_READ_OK)
            if (cb->on_event && (rc = cb->on_event(cb->ud, &ev)) != 0) goto out;
        if (r == GTH_READ_END) {
            cb->partial_end = d.partial_end;
            rc = 0;
            goto out;
        }
        if (r == GTH_READ_ERROR) {
            rc = err->status == GTH_EINVALID ? 1 : 2;
            if (rc == 2) snprintf(why, whysz, "%s", err->msg);
            goto out;
        }
        /* GTH_READ_MORE: keep the unconsumed tail, then read on. */
        size_t used = d.pos;
        memmove(buf, buf + used, len - used);
        len -= used;
        if (len == cap) {
            uint8_t *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                snprintf(why, whysz, "out of memory");
                goto out;
            }
            buf = nb;
            cap *= 2;
        }
        if (eof) { /* cannot happen: the decoder never asks for more after the end */
            snprintf(why, whysz, "internal error: decoder wants input after the end");
            goto out;
        }
    }
out:
    gth_decoder_free(&d);
    free(buf);
    gth_io_in_close(in);
    return rc;
}

void gth_cli_json(FILE *f, const char *s) { gth_cli_json_n(f, s, strlen(s)); }

void gth_cli_json_n(FILE *f, const void *s, size_t n) {
    gth_buf b;
    gth_buf_init(&b, NULL);
    if (gth_json_quote_append(&b, s, n) == 0) fwrite(b.data, 1, b.len, f);
    else fputs("\"\"", f);
    gth_buf_free(&b);
}

int gth_cli_value(const char *cmd, int argc, char **argv, int *i, const char *name, const char **val) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) || (a[n] != 0 && a[n] != '=')) return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "gth %s: %s needs a value\n", cmd, name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int gth_io_report(const char *cmd, const char *input, const gth_error *err) {
    const char *name = gth_io_name(input);
    if (err->line)
        fprintf(stderr, "gth %s: %s:%llu: %s\n", cmd, name, (unsigned long long)err->line, err->msg);
    else if (err->offset != GTH_NO_OFFSET)
        fprintf(stderr, "gth %s: %s:%llu: %s\n", cmd, name, (unsigned long long)err->offset, err->msg);
    else
        fprintf(stderr, "gth %s: %s: %s\n", cmd, name, err->msg);
    return err->status == GTH_EINVALID ? 1 : 2;
}

void gth_io_hint_bytes(const uint8_t *p, size_t n, gth_input_kind want) {
    const char *h = gth_input_hint(gth_input_sniff(p, n), want);
    if (h) fprintf(stderr, "  hint: %s\n", h);
}

void gth_io_hint(const char *path, gth_input_kind want) {
    if (gth_io_is_std(path)) return;
    char why[512];
    gth_io_in *in = gth_io_in_open(path, why, sizeof why);
    if (!in) return;
    uint8_t head[4096];
    ssize_t n = gth_io_in_read(in, head, sizeof head, why, sizeof why);
    gth_io_in_close(in);
    if (n >= 0) gth_io_hint_bytes(head, (size_t)n, want);
}
