/* The text format writer: byte-identical to Go's raw.TextWriter. Used by `gth
 * dump` on large traces, so it formats numbers by hand instead of printf. */
#include "format/text.h"

#include <string.h>

#include "base/quote.h"

static const char *const frame_fields[4] = {"pc=", "func=", "file=", "line="};

/* Decimal digits of v at the end of tmp[20]; returns the count. */
static size_t fmt_u64(char tmp[20], uint64_t v) {
    size_t n = 0;
    do {
        tmp[19 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return n;
}

int gth_text_write_header(gth_buf *b, unsigned minor) {
    gth_buf_append(b, "Trace Go1.", 10);
    gth_buf_put_u64(b, minor);
    return gth_buf_putc(b, '\n');
}

int gth_text_write_event(gth_buf *b, const gth_raw_event *ev) {
    const gth_event_spec *spec = ev->spec ? ev->spec : gth_spec_event(ev->code);
    if (!spec) return -1;
    /* One line of arguments fits easily in a small buffer: build it there. */
    char line[256];
    size_t n = strlen(spec->name);
    memcpy(line, spec->name, n);
    for (unsigned i = 0; i < spec->nargs; i++) {
        size_t an = strlen(spec->args[i].name);
        char tmp[20];
        size_t dn = fmt_u64(tmp, ev->args[i]);
        line[n++] = ' ';
        memcpy(line + n, spec->args[i].name, an);
        n += an;
        line[n++] = '=';
        memcpy(line + n, tmp + 20 - dn, dn);
        n += dn;
    }
    gth_buf_append(b, line, n);
    if (spec->flags & GTH_F_FRAMES) {
        for (size_t i = 0; i < ev->nframes * 4; i++) {
            char tmp[20];
            size_t dn = fmt_u64(tmp, ev->frames[i]);
            gth_buf_append(b, i % 4 == 0 ? "\n\t" : " ", i % 4 == 0 ? 2 : 1);
            gth_buf_append(b, frame_fields[i % 4], strlen(frame_fields[i % 4]));
            gth_buf_append(b, tmp + 20 - dn, dn);
        }
    }
    if ((spec->flags & GTH_F_DATA) && ev->data) {
        gth_buf_append(b, "\n\tdata=", 7);
        gth_quote_append(b, ev->data, ev->data_len);
    }
    return gth_buf_putc(b, '\n');
}
