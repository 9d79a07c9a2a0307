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

#include "cli/cli.h"
#include "cli/io.h"
#include "harness/check.h"
#include "spec/invariants.h"
#include "validator/digest.h"
#include "validator/strict.h"
#include "validator/validate.h"

/* --producer: the release whose strict rules apply (0: inferred). */
static unsigned producer_minor;

static void usage(FILE *f) {
    fprintf(f, "usage: gth validate [--profile=parser|validate|strict] [--producer goX.Y] [--events] [--digest]\n"
               "                    [--json] [--quiet] [FILE|-]...\n\n"
               "Reads binary Go execution traces (v2 format; gzip'd ones are inflated) and\n"
               "checks each the way Go does (standard input when no FILE is given, or for -).\n"
               "Prints nothing for a valid trace and a diagnostic naming the file on stderr for\n"
               "an invalid one; when a finding of profile validate or strict comes with a\n"
               "fault Go's reader alone finds in the same file (a cut trace fails the\n"
               "validator's clock check first), one more line gives the reader's finding and\n"
               "its byte offset. Long reads show their progress on stderr. Every file is\n"
               "checked; the exit status is the worst result: 0 all valid, 1 some trace\n"
               "invalid, 2 a file could not be read, 3 internal error.\n\n"
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
               "               its events, if any), one line per file, read errors too; an\n"
               "               accepted trace's has its version, profile, bytes, generations,\n"
               "               batches and events, a rejected one's the finding and its place\n"
               "               (and \"reader\": the reader's own finding, as above)\n"
               "  --quiet      no diagnostic and no progress, only the exit code\n");
}

/* ",\"offset\":N,\"generation\":N,..." for the place fields e knows. */
static void json_place(const gth_error *e) {
    if (e->offset != GTH_NO_OFFSET) printf(",\"offset\":%llu", (unsigned long long)e->offset);
    if (e->gen != UINT64_MAX) printf(",\"generation\":%llu", (unsigned long long)e->gen);
    if (e->m != UINT64_MAX) printf(",\"thread\":%lld", (long long)e->m);
    if (e->batch >= 0) printf(",\"batch\":%lld", (long long)e->batch);
    if (e->event >= 0) printf(",\"event_index\":%lld", (long long)e->event);
}

/* "generation 1, thread 3, batch 2, event 7": the place fields e knows. */
static void text_place(const gth_error *e) {
    const char *sep = "";
    if (e->gen != UINT64_MAX) fprintf(stderr, "%sgeneration %llu", sep, (unsigned long long)e->gen), sep = ", ";
    if (e->m != UINT64_MAX) fprintf(stderr, "%sthread %lld", sep, (long long)e->m), sep = ", ";
    if (e->batch >= 0) fprintf(stderr, "%sbatch %lld", sep, (long long)e->batch), sep = ", ";
    if (e->event >= 0) fprintf(stderr, "%sevent %lld", sep, (long long)e->event);
}

static int has_place(const gth_error *e) {
    return e->gen != UINT64_MAX || e->m != UINT64_MAX || e->batch >= 0 || e->event >= 0;
}

/* A finding's text: the full one in b, else the error's own; NUL bytes of
 * trace strings included. */
static const char *text_of(gth_buf *b, const gth_error *e, size_t *len) {
    const char *t = gth_check_text(b, e->msg);
    *len = t == e->msg ? gth_error_len(e) : b->len;
    return t;
}

static void report(const char *path, const char *name, gth_check_result *c, int json) {
    const gth_error *e = &c->err;
    const gth_invariant *inv = gth_invariant_get((unsigned)e->inv);
    size_t msglen, cmsglen;
    const char *msg = text_of(&c->message, e, &msglen), *event = gth_check_text(&c->event, "");
    const gth_invariant *cinv = c->have_cause ? gth_invariant_get((unsigned)c->cause.inv) : NULL;
    const char *cmsg = text_of(&c->cause_message, &c->cause, &cmsglen);
    if (json) {
        printf("{\"file\":");
        gth_cli_json(stdout, name);
        printf(",\"valid\":false,\"invariant\":");
        if (inv) gth_cli_json(stdout, inv->id); else printf("null");
        json_place(e);
        printf(",\"message\":");
        gth_cli_json_n(stdout, msg, msglen);
        if (*event) {
            printf(",\"event\":");
            gth_cli_json(stdout, event);
        }
        if (c->have_cause) {
            printf(",\"reader\":{\"invariant\":");
            if (cinv) gth_cli_json(stdout, cinv->id); else printf("null");
            json_place(&c->cause);
            printf(",\"message\":");
            gth_cli_json_n(stdout, cmsg, cmsglen);
            printf("}");
        }
        printf("}\n");
        return;
    }
    fprintf(stderr, "%s", name);
    if (e->offset != GTH_NO_OFFSET) fprintf(stderr, ":%llu", (unsigned long long)e->offset);
    fprintf(stderr, ": %s%s%s", inv ? "[" : "", inv ? inv->id : "", inv ? "] " : "");
    fwrite(msg, 1, msglen, stderr);
    fputc('\n', stderr);
    if (has_place(e)) {
        fprintf(stderr, "  at ");
        text_place(e);
        fprintf(stderr, "\n");
    }
    if (*event) fprintf(stderr, "  event: %s\n", event);
    if (c->have_cause) {
        /* One line: what Go's reader alone finds in the same bytes. */
        fprintf(stderr, "  reader (--profile=parser): ");
        if (c->cause.offset != GTH_NO_OFFSET) fprintf(stderr, "byte %llu: ", (unsigned long long)c->cause.offset);
        fprintf(stderr, "%s%s%s", cinv ? "[" : "", cinv ? cinv->id : "", cinv ? "] " : "");
        fwrite(cmsg, 1, cmsglen, stderr);
        if (has_place(&c->cause)) {
            fprintf(stderr, " (at ");
            text_place(&c->cause);
            fprintf(stderr, ")");
        }
        fprintf(stderr, "; the finding above may follow from it\n");
    }
    if (inv && !strncmp(inv->id, "header.", 7)) gth_io_hint(path, GTH_INPUT_BINARY);
}

/* Where the stream goes: stdout (--events), the digest (--digest), or both. */
typedef struct sink {
    FILE *events;
    gth_digest *digest;
} sink;

/* A block of whole lines: written straight to the file descriptor (after
 * whatever stdio holds), hashed where it is. */
static int emit_block(void *ud, const uint8_t *text, size_t len, uint64_t nlines) {
    sink *k = ud;
    if (k->events) {
        if (fflush(k->events)) return -1;
        int fd = fileno(k->events);
        for (size_t done = 0; done < len;) {
            ssize_t w = write(fd, text + done, len - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return -1;
            done += (size_t)w;
        }
    }
    if (k->digest && gth_digest_block(k->digest, text, len, nlines)) return -1;
    return 0;
}

/* The verdict of an accepted trace as JSON: what was read. */
static void json_valid(const char *name, const gth_check_result *c, int profile) {
    printf("{\"file\":");
    gth_cli_json(stdout, name);
    printf(",\"valid\":true");
    if (c->minor) printf(",\"version\":\"1.%u\"", c->minor);
    printf(",\"profile\":\"%s\"", gth_profile_name((unsigned)profile));
    if (c->have_stats)
        printf(",\"bytes\":%llu,\"generations\":%llu,\"batches\":%llu", (unsigned long long)c->stats.bytes,
               (unsigned long long)c->stats.generations, (unsigned long long)c->stats.batches);
    printf(",\"events\":%llu", (unsigned long long)c->nevents);
    if (c->gzip) printf(",\"gzip\":true");
    printf("}\n");
}

/* Checks one file; returns its exit status (0, 1, 2 or 3). */
static int validate_one(const char *path, int profile, int events, int digest, int json, int quiet) {
    const char *name = gth_io_name(path);
    static gth_digest dg; /* 16 KiB of buffer: not on the stack */
    sink k = {events ? stdout : NULL, digest ? &dg : NULL};
    if (digest && gth_digest_init(&dg)) {
        gth_digest_free(&dg);
        fprintf(stderr, "gth validate: cannot start the stream digest\n");
        return 3;
    }
    /* No progress between the events on a terminal. */
    FILE *prog = quiet || (events && isatty(STDOUT_FILENO)) ? NULL : stderr;
    gth_check_opts o = {.profile = profile, .emit_block = k.events || k.digest ? emit_block : NULL, .ud = &k,
                        .progress = prog, .progress_what = "gth validate", .producer = producer_minor};
    gth_check_result c;
    int rc = gth_check_file(path, &o, &c), out = 0;
    if (c.setup_failed) { /* the strict checker: out of memory */
        fprintf(stderr, "gth validate: %s\n", c.err.msg);
        out = 3;
    } else if (digest) {
        /* A stream, accepted or cut short by a finding, has a digest; a trace
         * that could not be read (or a failure of gth) has none. */
        char hex[GTH_DIGEST_HEX_LEN + 1];
        if (gth_digest_final(&dg, hex) != 0 && (rc == GTH_OK || rc == GTH_EINVALID)) {
            fprintf(stderr, "gth validate: %s: the stream digest failed\n", name);
            out = 3;
        } else if (rc == GTH_OK || rc == GTH_EINVALID) {
            printf("DIGEST %s %llu\n", hex, (unsigned long long)dg.lines);
        }
    }
    if (digest) gth_digest_free(&dg);
    if (out) {
    } else if (rc == GTH_OK) {
        if (json) json_valid(name, &c, profile);
        out = fflush(stdout) == 0 ? 0 : 2;
    } else if (rc == GTH_EIO && c.err.inv == 0) {
        /* The file could not be opened or read (or gzip data is damaged). */
        if (json) {
            printf("{\"file\":");
            gth_cli_json(stdout, name);
            printf(",\"error\":");
            gth_cli_json(stdout, c.err.msg);
            printf("}\n");
        }
        if (!quiet) fprintf(stderr, "gth validate: %s\n", c.err.msg);
        out = 2;
    } else {
        if (!quiet) report(path, name, &c, json);
        fflush(stdout);
        out = rc == GTH_EINVALID ? 1 : rc == GTH_ENOMEM ? 3 : rc;
    }
    gth_check_result_free(&c);
    return out;
}

int gth_cmd_validate(int argc, char **argv) {
    producer_minor = 0;
    int json = 0, quiet = 0, events = 0, digest = 0;
    int profile = GTH_PROFILE_VALIDATE;
    int npaths = 0, stdin_seen = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int k;
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
        } else if ((k = gth_cli_value("validate", argc, argv, &i, "--profile", &v)) != 0) {
            if (k < 0) return 2;
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
        } else if ((k = gth_cli_value("validate", argc, argv, &i, "--producer", &v)) != 0) {
            if (k < 0) return 2;
            if (gth_strict_parse_producer(v, &producer_minor) != GTH_OK) {
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
