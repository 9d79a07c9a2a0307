/* gth validate: runs the reference validator over a binary trace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "spec/invariants.h"
#include "validator/reader.h"

static void usage(FILE *f) {
    fprintf(f, "usage: gth validate [--profile=parser|validate] [--json] [--quiet] [FILE|-]\n\n"
               "Reads a binary Go execution trace (v2 format) and checks it the way Go's\n"
               "trace reader does. Prints nothing and exits 0 for a valid trace; for an\n"
               "invalid one prints a diagnostic on stderr and exits 1.\n\n"
               "  --profile=P  parser: accept exactly what Go's reader accepts (default)\n"
               "  --json       print the verdict as one JSON object on stdout\n"
               "  --quiet      no diagnostic, only the exit code\n");
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void report(const char *name, const gth_error *e, int json) {
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
        if (e->event >= 0) printf(",\"event\":%lld", (long long)e->event);
        printf(",\"message\":");
        json_str(stdout, e->msg);
        printf("}\n");
        return;
    }
    fprintf(stderr, "%s", name);
    if (e->offset != GTH_NO_OFFSET) fprintf(stderr, ":%llu", (unsigned long long)e->offset);
    fprintf(stderr, ": %s%s%s", inv ? "[" : "", inv ? inv->id : "", inv ? "] " : "");
    fprintf(stderr, "%s\n", e->msg);
    if (e->gen != UINT64_MAX || e->m != UINT64_MAX) {
        fprintf(stderr, "  at");
        if (e->gen != UINT64_MAX) fprintf(stderr, " generation %llu", (unsigned long long)e->gen);
        if (e->m != UINT64_MAX) fprintf(stderr, ", thread %lld", (long long)e->m);
        if (e->batch >= 0) fprintf(stderr, ", batch %lld", (long long)e->batch);
        if (e->event >= 0) fprintf(stderr, ", event %lld", (long long)e->event);
        fprintf(stderr, "\n");
    }
}

int gth_cmd_validate(int argc, char **argv) {
    const char *path = "-";
    int json = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strncmp(a, "--profile=", 10)) {
            if (strcmp(a + 10, "parser")) {
                fprintf(stderr, "gth validate: unknown profile %s\n", a + 10);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gth validate: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            path = a;
        }
    }
    int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
    if (fd < 0) {
        fprintf(stderr, "gth validate: %s: %s\n", path, strerror(errno));
        return 2;
    }
    const char *name = strcmp(path, "-") ? path : "<stdin>";
    gth_error err;
    gth_reader *r = gth_reader_new(NULL, gth_source_fd(&fd), &err);
    int rc = 0;
    if (r) {
        gth_event ev;
        while ((rc = gth_reader_next(r, &ev, &err)) > 0) {}
        gth_reader_free(r);
    } else {
        rc = -1;
    }
    if (fd > 0) close(fd);
    if (rc == 0) {
        if (json) {
            printf("{\"file\":");
            json_str(stdout, name);
            printf(",\"valid\":true}\n");
        }
        return 0;
    }
    if (!quiet) report(name, &err, json);
    return err.status == GTH_EINVALID ? 1 : err.status == GTH_ENOMEM ? 3 : err.status;
}
