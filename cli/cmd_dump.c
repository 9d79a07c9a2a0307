/* gth dump: binary trace -> Go's text format. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "format/decode.h"
#include "format/text.h"
#include "spec/spec.h"

typedef struct dump_state {
    gth_buf text;
    gth_io_out out;
    int v1;
} dump_state;

/* Text is produced into a buffer and written out in large pieces. */
static int drain(dump_state *s, size_t above) {
    if (s->text.len <= above) return 0;
    if (s->text.failed) return 2;
    int rc = gth_io_out_write(&s->out, s->text.data, s->text.len) ? 2 : 0;
    s->text.len = 0;
    return rc;
}

static int on_header(void *ud, unsigned minor, uint64_t header_len) {
    dump_state *s = ud;
    (void)header_len;
    /* A v1 trace's events are not this format's: stop at its header. */
    const gth_version_info *vi = gth_version_get(minor);
    if (vi && vi->format == 1) return s->v1 = 1, 4;
    gth_text_write_header(&s->text, minor);
    return 0;
}

static int on_event(void *ud, const gth_raw_event *ev) {
    dump_state *s = ud;
    gth_text_write_event(&s->text, ev);
    return drain(s, 1u << 18);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth dump [IN] [-o OUT] [--strict]\n\n"
            "Writes a binary trace (IN, or stdin if absent or \"-\") as Go's text format\n"
            "(the gotraceraw format, also the trace section of .test files) to OUT or stdout.\n\n"
            "By default the bytes are read exactly as Go's internal/trace/raw reader reads\n"
            "them, so the text equals Go's bytes-to-text conversion for every input: one flat\n"
            "sequence of events, batch sizes not used for framing, empty data not written.\n"
            "Where Go stops silently because the input ends inside an event, a warning with\n"
            "the event's offset goes to stderr (the exit code stays 0, as Go's).\n\n"
            "  --strict   read batch by batch instead: sizes frame the events, and an event\n"
            "             running past its batch, a batch over 64 KiB, a string over 1024\n"
            "             bytes or a truncated file is an error at its byte offset\n"
            "  -o OUT     write to OUT instead of stdout (--out OUT too)\n\n"
            "On invalid input the events before the error are written, the error goes to\n"
            "stderr as \"gth dump: FILE:OFFSET: message\", and the exit code is 1.\n"
            "Exit codes: 0 ok, 1 invalid input, 2 usage or I/O error.\n");
}

int gth_cmd_dump(int argc, char **argv) {
    const char *in = NULL, *outp = NULL;
    unsigned flags = GTH_DEC_FLAT;
    for (int i = 1; i < argc; i++) {
        int k = 0;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if ((k = gth_cli_value("dump", argc, argv, &i, "--out", &outp)) ||
                   (k = gth_cli_value("dump", argc, argv, &i, "-o", &outp))) {
            if (k < 0) return 2;
        } else if (!strcmp(argv[i], "--strict")) {
            flags &= ~(unsigned)GTH_DEC_FLAT;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "gth dump: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "gth dump: more than one input\n");
            return 2;
        }
    }
    dump_state s = {0};
    char why[512];
    gth_buf_init(&s.text, NULL);
    if (gth_io_out_open(&s.out, outp, why, sizeof why)) {
        fprintf(stderr, "gth dump: %s\n", why);
        return 2;
    }
    gth_error err;
    gth_error_clear(&err);
    gth_io_decode_cb cb = {on_header, on_event, &s, GTH_NO_OFFSET};
    why[0] = 0;
    int rc = gth_io_decode(in, flags, &cb, &err, why, sizeof why);
    if (s.v1) {
        fprintf(stderr, "gth dump: %s: %s\n", gth_io_name(in), gth_input_hint(GTH_INPUT_BINARY_V1, GTH_INPUT_BINARY));
        rc = 1;
    }
    if (drain(&s, 0) && rc == 0) rc = 2;
    int text_nomem = s.text.failed;
    gth_buf_free(&s.text);
    char cwhy[512];
    int cfail = gth_io_out_close(&s.out, 0, cwhy, sizeof cwhy);
    if (rc == 1 && s.v1) return 1;
    if (rc == 1) {
        rc = gth_io_report("dump", in, &err);
        if (err.offset == 0 || err.offset == GTH_NO_OFFSET) gth_io_hint(in, GTH_INPUT_BINARY);
        return rc;
    }
    if (cfail) {
        fprintf(stderr, "gth dump: %s\n", cwhy);
        return 2;
    }
    if (text_nomem) {
        fprintf(stderr, "gth dump: out of memory\n");
        return 2;
    }
    if (rc != 0) {
        fprintf(stderr, "gth dump: %s\n", why);
        return 2;
    }
    if (cb.partial_end != GTH_NO_OFFSET)
        fprintf(stderr,
                "gth dump: %s:%llu: warning: the input ends inside this event; like Go's raw "
                "reader, the text stops before it\n",
                gth_io_name(in), (unsigned long long)cb.partial_end);
    return 0;
}
