/* gth pack: text trace, .test file or Go fuzz corpus file -> binary trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "format/text.h"

typedef struct pack_state {
    const char *name;
    uint64_t batch_line; /* line of the EventBatch currently open */
    int fix;
} pack_state;

static void on_mismatch(void *ud, uint64_t batch, uint64_t declared, uint64_t actual) {
    pack_state *s = ud;
    (void)batch;
    if (s->fix) return;
    fprintf(stderr,
            "gth pack: %s:%llu: warning: EventBatch size=%llu but its events take %llu bytes; "
            "written as given (--fix-sizes writes the real size)\n",
            s->name, (unsigned long long)s->batch_line, (unsigned long long)declared,
            (unsigned long long)actual);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth pack [IN] [-o OUT] [--fix-sizes]\n\n"
            "Converts a trace in Go's text format (IN, or stdin if absent or \"-\") to the\n"
            "binary format, written to OUT or stdout. A .test file (txtar with \"-- expect --\"\n"
            "and \"-- trace --\" sections) is recognised by its content; its trace is packed.\n"
            "So is a file of Go's fuzzing corpus (\"go test fuzz v1\" holding one []byte\n"
            "value, as in GOROOT's internal/trace/testdata/fuzz/FuzzReader): its bytes are\n"
            "written as they are.\n\n"
            "The bytes are exactly those of Go's text-to-binary conversion (Go's raw writer,\n"
            "as used by its golden tests): minimal varints, and EventBatch sizes written as\n"
            "the text states them. A stated size that disagrees with the events that follow\n"
            "draws a warning.\n\n"
            "  --fix-sizes  write each EventBatch's real size instead, and the experiment id\n"
            "               of an ExperimentalBatch as the single byte Go's reader reads\n"
            "  -o OUT       write to OUT instead of stdout (--out OUT too)\n\n"
            "Errors are Go's text-format errors, as \"gth pack: FILE:LINE: message\".\n"
            "Exit codes: 0 ok, 1 invalid input, 2 usage or I/O error.\n");
}

int gth_cmd_pack(int argc, char **argv) {
    const char *in = NULL, *outp = NULL;
    pack_state st = {NULL, 0, 0};
    for (int i = 1; i < argc; i++) {
        int k = 0;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if ((k = gth_cli_value("pack", argc, argv, &i, "--out", &outp)) ||
                   (k = gth_cli_value("pack", argc, argv, &i, "-o", &outp))) {
            if (k < 0) return 2;
        } else if (!strcmp(argv[i], "--fix-sizes")) {
            st.fix = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "gth pack: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "gth pack: more than one input\n");
            return 2;
        }
    }
    st.name = gth_io_name(in);
    char why[512];
    uint8_t *data = NULL;
    size_t len = 0;
    if (gth_io_read_all(in, &data, &len, why, sizeof why)) {
        fprintf(stderr, "gth pack: %s\n", why);
        return 2;
    }
    gth_error err;
    gth_error_clear(&err);
    const uint8_t *text = data;
    size_t text_len = len;
    uint64_t first_line = 1;
    static const char fuzz_magic[] = "go test fuzz v1\n";
    if (len >= sizeof fuzz_magic - 1 && !memcmp(data, fuzz_magic, sizeof fuzz_magic - 1)) {
        gth_buf raw;
        gth_buf_init(&raw, NULL);
        int rc = 0;
        gth_io_out out;
        if (gth_convert_fuzz_file(data, len, &raw, &err) != GTH_OK) {
            rc = gth_io_report("pack", in, &err);
        } else if (gth_io_out_open(&out, outp, why, sizeof why)) {
            fprintf(stderr, "gth pack: %s\n", why);
            rc = 2;
        } else {
            gth_io_out_write(&out, raw.data, raw.len);
            if (gth_io_out_close(&out, 0, why, sizeof why)) {
                fprintf(stderr, "gth pack: %s\n", why);
                rc = 2;
            }
        }
        gth_buf_free(&raw);
        free(data);
        return rc;
    }
    if (gth_testfile_detect(data, len)) {
        gth_testfile tf;
        if (gth_testfile_parse(data, len, st.name, &tf, &err) != GTH_OK) {
            free(data);
            return gth_io_report("pack", in, &err);
        }
        text = tf.trace;
        text_len = tf.trace_len;
        first_line = tf.trace_line;
    }

    int rc = 0;
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    gth_text_reader r;
    gth_encoder enc;
    int enc_open = 0;
    if (gth_text_reader_init(&r, NULL, text, text_len, first_line, &err) != GTH_READ_OK) {
        rc = gth_io_report("pack", in, &err);
        gth_io_hint_bytes(text, text_len, GTH_INPUT_TEXT);
        goto done;
    }
    if (gth_encoder_init(&enc, &bin, r.minor, st.fix ? 0 : GTH_ENC_VERBATIM, NULL) != GTH_OK) {
        fprintf(stderr, "gth pack: out of memory\n");
        rc = 2;
        goto done;
    }
    enc_open = 1;
    enc.on_size_mismatch = on_mismatch;
    enc.ud = &st;
    for (;;) {
        gth_raw_event ev;
        int k = gth_text_reader_next(&r, &ev, &err);
        if (k == GTH_READ_END) break;
        if (k == GTH_READ_ERROR) {
            rc = gth_io_report("pack", in, &err);
            goto done;
        }
        if (gth_encoder_write(&enc, &ev, &err) != GTH_OK) {
            err.line = ev.line;
            rc = gth_io_report("pack", in, &err);
            goto done;
        }
        if (ev.code == 1) st.batch_line = ev.line;
    }
    if (gth_encoder_finish(&enc, &err) != GTH_OK || bin.failed) {
        fprintf(stderr, "gth pack: out of memory\n");
        rc = 2;
        goto done;
    }
    gth_io_out out;
    if (gth_io_out_open(&out, outp, why, sizeof why)) {
        fprintf(stderr, "gth pack: %s\n", why);
        rc = 2;
        goto done;
    }
    gth_io_out_write(&out, bin.data, bin.len);
    if (gth_io_out_close(&out, 0, why, sizeof why)) {
        fprintf(stderr, "gth pack: %s\n", why);
        rc = 2;
    }
done:
    if (enc_open) gth_encoder_free(&enc);
    gth_text_reader_free(&r);
    gth_buf_free(&bin);
    free(data);
    return rc;
}
