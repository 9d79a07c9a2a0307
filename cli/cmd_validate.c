/* gth validate: runs the reference validator over a binary trace — Go's reader
 * (profile parser), the reader plus Go's test validator (profile validate), or
 * both plus the producer rules Go does not check (profile strict) — and
 * optionally prints the canonical event stream. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/quote.h"
#include "cli/cli.h"
#include "cli/io.h"
#include "spec/invariants.h"
#include "validator/digest.h"
#include "validator/validate.h"

/* --producer: the release whose strict rules apply (0: inferred). */
static unsigned producer_minor;

static void usage(FILE *f) {
    fprintf(f, "usage: gth validate [--profile=parser|validate|strict] [--producer goX.Y] [--events] [--digest]\n"
               "                    [--json] [--quiet] [FILE|-]...\n\n"
               "Reads binary Go execution traces (v2 format) and checks each the way Go does\n"
               "(standard input when no FILE is given, or for -). Prints nothing for a valid\n"
               "trace and a diagnostic naming the file on stderr for an invalid one. Every\n"
               "file is checked; the exit status is the worst result: 0 all valid, 1 some\n"
               "trace invalid, 2 a file could not be read, 3 internal error.\n\n"
               "  --profile=P  validate: Go's reader and then Go's test validator (testtrace)\n"
               "               on every event (default); parser: Go's reader only. Both reject\n"
               "               events on which Go's event API panics (validate.panic-*).\n"
               "               strict: validate, then the producer rules every Go runtime\n"
               "               keeps and Go does not check (strict.*, docs/STRICT.md),\n"
               "               reported once the whole trace passed validate\n"
               "  --producer R with strict: the Go release that wrote the traces (go1.22 to\n"
               "               go1.27), for the rules that differ between releases writing\n"
               "               the same format (default: accept what any of them writes)\n"
               "  --events     print the canonical event stream (docs/EVENTS.md) on stdout,\n"
               "               up to the event that fails; an event the validator rejects is\n"
               "               printed, one the reader or the API rejects is not\n"
               "  --digest     print `DIGEST <sha256 hex> <lines>` on stdout for each file read,\n"
               "               after its events: the stream digest of adapters/README.md over\n"
               "               the lines --events prints\n"
               "  --json       print each file's verdict as one JSON object on stdout (after\n"
               "               its events, if any), one line per file, read errors too\n"
               "  --quiet      no diagnostic, only the exit code\n");
}

/* A JSON string. Messages can hold bytes of the trace (a task type), which
 * need not be UTF-8: an invalid byte becomes U+FFFD, so the output stays JSON. */
static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
            else if (c < 0x20) fprintf(f, "\\u%04x", c);
            else fputc(c, f);
            i++;
            continue;
        }
        uint32_t r;
        size_t w = gth_utf8_decode((const uint8_t *)s + i, n - i, &r);
        if (w == 1 && r == GTH_RUNE_ERROR) fputs("\\ufffd", f);
        else fwrite(s + i, 1, w, f);
        i += w;
    }
    fputc('"', f);
}

static void report(const char *path, const char *name, const gth_error *e, const char *msg, const char *event, int json) {
    const gth_invariant *inv = gth_invariant_get((unsigned)e->inv);
    if (json) {
        printf("{\"file\":");
        json_str(stdout, name);
        printf(",\"valid\":false,\"invariant\":");
        if (inv) json_str(stdout, inv->id); else printf("null");
        if (e->offset != GTH_NO_OFFSET) printf(",\"offset\":%llu", (unsigned long long)e->offset);
        if (e->gen != UINT64_MAX) printf(",\"generation\":%llu", (unsigned long long)e->gen);
        if (e->m != UINT64_MAX) printf(",\"thread\":%lld", (long long)e->m);
        if (e->batch >= 0) printf(",\"batch\":%lld", (long long)e->batch);
        if (e->event >= 0) printf(",\"event_index\":%lld", (long long)e->event);
        printf(",\"message\":");
        json_str(stdout, msg);
        if (event && *event) {
            printf(",\"event\":");
            json_str(stdout, event);
        }
        printf("}\n");
        return;
    }
    fprintf(stderr, "%s", name);
    if (e->offset != GTH_NO_OFFSET) fprintf(stderr, ":%llu", (unsigned long long)e->offset);
    fprintf(stderr, ": %s%s%s", inv ? "[" : "", inv ? inv->id : "", inv ? "] " : "");
    fprintf(stderr, "%s\n", msg);
    if (e->gen != UINT64_MAX || e->m != UINT64_MAX) {
        const char *sep = " ";
        fprintf(stderr, "  at");
        if (e->gen != UINT64_MAX) fprintf(stderr, "%sgeneration %llu", sep, (unsigned long long)e->gen), sep = ", ";
        if (e->m != UINT64_MAX) fprintf(stderr, "%sthread %lld", sep, (long long)e->m), sep = ", ";
        if (e->batch >= 0) fprintf(stderr, "%sbatch %lld", sep, (long long)e->batch), sep = ", ";
        if (e->event >= 0) fprintf(stderr, "%sevent %lld", sep, (long long)e->event);
        fprintf(stderr, "\n");
    }
    if (event && *event) fprintf(stderr, "  event: %s\n", event);
    if (inv && !strncmp(inv->id, "header.", 7)) gth_io_hint(path, GTH_INPUT_BINARY);
}

/* Where the stream goes: stdout (--events), the digest (--digest), or both. */
typedef struct sink {
    FILE *events;
    gth_digest *digest;
} sink;

static int emit_line(void *ud, const uint8_t *line, size_t len) {
    sink *k = ud;
    if (k->events && (fwrite(line, 1, len, k->events) != len || putc('\n', k->events) == EOF)) return -1;
    if (k->digest && gth_digest_line(k->digest, line, len)) return -1;
    return 0;
}

/* Checks one file; returns its exit status (0, 1, 2 or 3). */
static int validate_one(const char *path, int profile, int events, int digest, int json, int quiet) {
    int is_stdin = !strcmp(path, "-");
    int fd = is_stdin ? 0 : open(path, O_RDONLY);
    const char *name = is_stdin ? "<stdin>" : path;
    if (fd < 0) {
        int e = errno;
        if (json) {
            printf("{\"file\":");
            json_str(stdout, name);
            printf(",\"error\":");
            json_str(stdout, strerror(e));
            printf("}\n");
        }
        if (!quiet) fprintf(stderr, "gth validate: %s: %s\n", path, strerror(e));
        return 2;
    }
    gth_buf msg, event;
    gth_buf_init(&msg, NULL);
    gth_buf_init(&event, NULL);
    static gth_digest dg; /* 16 KiB of buffer: not on the stack */
    sink k = {events ? stdout : NULL, digest ? &dg : NULL};
    if (digest && gth_digest_init(&dg)) {
        gth_digest_free(&dg);
        fprintf(stderr, "gth validate: cannot start the stream digest\n");
        if (!is_stdin) close(fd);
        gth_buf_free(&msg);
        gth_buf_free(&event);
        return 3;
    }
    gth_validate_opts o = {.emit = k.events || k.digest ? emit_line : NULL, .ud = &k, .message = &msg, .event = &event,
                           .producer = producer_minor};
    gth_validate_result res;
    int rc = gth_validate(gth_source_fd(&fd), profile, &o, &res);
    if (!is_stdin) close(fd);
    if (res.stage == GTH_VALIDATE_SETUP) { /* the strict checker: out of memory */
        if (digest) gth_digest_free(&dg);
        fprintf(stderr, "gth validate: %s\n", res.err.msg);
        gth_buf_free(&msg);
        gth_buf_free(&event);
        return 3;
    }
    const gth_error err = res.err;
    if (digest) {
        /* A stream, accepted or cut short by a finding, has a digest; a trace
         * that could not be read (or a failure of gth) has none. */
        char hex[GTH_DIGEST_HEX_LEN + 1];
        int ok = gth_digest_final(&dg, hex) == 0;
        gth_digest_free(&dg);
        if (rc == GTH_OK || rc == GTH_EINVALID) {
            if (!ok) {
                fprintf(stderr, "gth validate: %s: the stream digest failed\n", name);
                gth_buf_free(&msg);
                gth_buf_free(&event);
                return 3;
            }
            printf("DIGEST %s %llu\n", hex, (unsigned long long)dg.lines);
        }
    }
    if (rc == GTH_OK) {
        if (json) {
            printf("{\"file\":");
            json_str(stdout, name);
            printf(",\"valid\":true}\n");
        }
        gth_buf_free(&msg);
        gth_buf_free(&event);
        return fflush(stdout) == 0 ? 0 : 2;
    }
    gth_buf_putc(&msg, 0);
    const char *text = msg.failed || !msg.data ? err.msg : (const char *)msg.data;
    gth_buf_putc(&event, 0);
    if (!quiet) report(path, name, &err, text, event.failed || !event.data ? "" : (const char *)event.data, json);
    gth_buf_free(&msg);
    gth_buf_free(&event);
    fflush(stdout);
    return rc == GTH_EINVALID ? 1 : rc == GTH_ENOMEM ? 3 : rc;
}

int gth_cmd_validate(int argc, char **argv) {
    producer_minor = 0;
    int json = 0, quiet = 0, events = 0, digest = 0;
    int profile = GTH_PROFILE_VALIDATE;
    int npaths = 0, stdin_seen = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--events")) {
            events = 1;
        } else if (!strcmp(a, "--digest")) {
            digest = 1;
        } else if (!strcmp(a, "--profile") || !strncmp(a, "--profile=", 10)) {
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                fprintf(stderr, "gth validate: --profile needs a value (parser, validate or strict)\n");
                return 2;
            }
            if (!strcmp(v, "parser")) {
                profile = GTH_PROFILE_PARSER;
            } else if (!strcmp(v, "validate")) {
                profile = GTH_PROFILE_VALIDATE;
            } else if (!strcmp(v, "strict")) {
                profile = GTH_PROFILE_STRICT;
            } else {
                fprintf(stderr, "gth validate: unknown profile %s (want parser, validate or strict)\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--producer") || !strncmp(a, "--producer=", 11)) {
            const char *v = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || gth_strict_parse_producer(v, &producer_minor) != GTH_OK) {
                fprintf(stderr, "gth validate: --producer needs a Go release from go1.22 to go1.27\n");
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gth validate: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            if (!strcmp(a, "-") && stdin_seen++) {
                fprintf(stderr, "gth validate: standard input (-) named twice\n");
                return 2;
            }
            npaths++;
        }
    }
    if (producer_minor && profile != GTH_PROFILE_STRICT) {
        fprintf(stderr, "gth validate: --producer is for --profile=strict\n");
        return 2;
    }
    static char outbuf[1 << 16];
    if (events) setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (!npaths) return validate_one("-", profile, events, digest, json, quiet);
    int worst = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--profile") || !strcmp(a, "--producer")) {
            i++;
            continue;
        }
        if (a[0] == '-' && a[1]) continue;
        int rc = validate_one(a, profile, events, digest, json, quiet);
        if (rc > worst) worst = rc;
    }
    return worst;
}
