/* gth info: a summary of a binary trace, streamed (GB traces in bounded memory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "format/decode.h"
#include "spec/spec.h"

/* Per-thread counters, in an open-addressing table keyed by M id (any uint64,
 * NoThread included, hence the separate used flags). */
typedef struct m_stat {
    uint64_t m, batches, events, bytes;
} m_stat;

typedef struct m_table {
    m_stat *v;
    uint8_t *used;
    size_t cap, n;
} m_table;

static size_t hash64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static m_stat *m_get(m_table *t, uint64_t m) {
    if ((t->n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        m_stat *nv = calloc(ncap, sizeof *nv);
        uint8_t *nu = calloc(ncap, 1);
        if (!nv || !nu) {
            free(nv);
            free(nu);
            return NULL;
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->used[i]) continue;
            size_t j = hash64(t->v[i].m) & (ncap - 1);
            while (nu[j]) j = (j + 1) & (ncap - 1);
            nu[j] = 1;
            nv[j] = t->v[i];
        }
        free(t->v);
        free(t->used);
        t->v = nv;
        t->used = nu;
        t->cap = ncap;
    }
    size_t j = hash64(m) & (t->cap - 1);
    while (t->used[j] && t->v[j].m != m) j = (j + 1) & (t->cap - 1);
    if (!t->used[j]) {
        t->used[j] = 1;
        t->v[j].m = m;
        t->n++;
    }
    return &t->v[j];
}

typedef struct info {
    const char *name;
    unsigned minor;
    int have_header, v1;
    uint64_t header_len, bytes;
    uint64_t batches, exp_batches, exp_bytes, eog, largest;
    uint64_t largest_gen; /* bytes of the largest generation (its batches) */
    uint64_t events; /* events inside batch payloads */
    uint64_t strings, string_bytes, stacks, frames;
    uint64_t counts[256];
    /* Distinct generation numbers: a set in an m_table (m = gen). */
    m_table gens;
    uint64_t gen_min, gen_max;
    m_table threads;
    m_stat *cur; /* thread of the open batch */
    int nomem;
} info;

static int on_header(void *ud, unsigned minor, uint64_t header_len) {
    info *s = ud;
    s->minor = minor;
    s->have_header = 1;
    s->header_len = header_len;
    s->bytes = header_len;
    /* A v1 trace's events are not this format's: stop at its header. */
    const gth_version_info *vi = gth_version_get(minor);
    if (vi && vi->format == 1) return s->v1 = 1, 4;
    return 0;
}

/* Counts a batch of `bytes` (header and payload) in generation gen. */
static void saw_gen(info *s, uint64_t gen, uint64_t bytes) {
    m_stat *g = m_get(&s->gens, gen);
    if (!g) {
        s->nomem = 1;
        return;
    }
    g->bytes += bytes;
    if (g->bytes > s->largest_gen) s->largest_gen = g->bytes;
    if (s->gens.n == 1 || gen < s->gen_min) s->gen_min = gen;
    if (s->gens.n == 1 || gen > s->gen_max) s->gen_max = gen;
}

static int on_event(void *ud, const gth_raw_event *ev) {
    info *s = ud;
    s->counts[ev->code]++;
    s->bytes = ev->offset + ev->len;
    switch (ev->code) {
    case GTH_EV_EventBatch:
        s->batches++;
        if (ev->args[3] > s->largest) s->largest = ev->args[3];
        saw_gen(s, ev->args[0], ev->len + ev->args[3]);
        s->cur = m_get(&s->threads, ev->args[1]);
        if (!s->cur) return s->nomem = 1, 2;
        s->cur->batches++;
        s->cur->bytes += ev->len + ev->args[3];
        return 0;
    case GTH_EV_ExperimentalBatch:
        s->exp_batches++;
        s->exp_bytes += ev->data_len;
        saw_gen(s, ev->args[1], ev->len + ev->data_len);
        s->cur = NULL;
        return 0;
    case GTH_EV_EndOfGeneration:
        s->eog++;
        s->cur = NULL;
        return 0;
    case GTH_EV_String:
        s->strings++;
        s->string_bytes += ev->data_len;
        break;
    case GTH_EV_Stack:
        s->stacks++;
        s->frames += ev->nframes;
        break;
    }
    if (ev->batch_offset != GTH_NO_OFFSET) {
        s->events++;
        if (s->cur) s->cur->events++;
    }
    return 0;
}

static int cmp_m(const void *a, const void *b) {
    uint64_t x = ((const m_stat *)a)->m, y = ((const m_stat *)b)->m;
    return x < y ? -1 : x > y;
}

static void print_info(info *s, int json, const char *error) {
    m_stat *ms = malloc((s->threads.n ? s->threads.n : 1) * sizeof *ms);
    size_t nm = 0;
    for (size_t i = 0; ms && i < s->threads.cap; i++)
        if (s->threads.used[i]) ms[nm++] = s->threads.v[i];
    qsort(ms, nm, sizeof *ms, cmp_m);
    const gth_version_info *vi = gth_version_get(s->minor);
    char nbuf[16];
    if (json) {
        printf("{\"file\":");
        gth_cli_json(stdout, s->name);
        printf(",\"version\":\"1.%u\",\"format\":%u,\"bytes\":%llu,\"header_bytes\":%llu", s->minor,
               vi ? vi->format : 0, (unsigned long long)s->bytes, (unsigned long long)s->header_len);
        printf(",\"generations\":%zu", s->gens.n);
        if (s->gens.n)
            printf(",\"gen_min\":%llu,\"gen_max\":%llu,\"largest_generation_bytes\":%llu",
                   (unsigned long long)s->gen_min, (unsigned long long)s->gen_max,
                   (unsigned long long)s->largest_gen);
        printf(",\"end_of_generation\":%llu,\"batches\":%llu,\"experimental_batches\":%llu,"
               "\"experimental_bytes\":%llu,\"largest_batch\":%llu,\"events\":%llu,\"strings\":%llu,"
               "\"string_bytes\":%llu,\"stacks\":%llu,\"frames\":%llu",
               (unsigned long long)s->eog, (unsigned long long)s->batches,
               (unsigned long long)s->exp_batches, (unsigned long long)s->exp_bytes,
               (unsigned long long)s->largest, (unsigned long long)s->events,
               (unsigned long long)s->strings, (unsigned long long)s->string_bytes,
               (unsigned long long)s->stacks, (unsigned long long)s->frames);
        printf(",\"threads\":[");
        for (size_t i = 0; i < nm; i++)
            printf("%s{\"m\":%llu,\"batches\":%llu,\"events\":%llu,\"bytes\":%llu}", i ? "," : "",
                   (unsigned long long)ms[i].m, (unsigned long long)ms[i].batches,
                   (unsigned long long)ms[i].events, (unsigned long long)ms[i].bytes);
        printf("],\"event_counts\":{");
        int first = 1;
        for (unsigned c = 0; c < 256; c++) {
            if (!s->counts[c]) continue;
            printf("%s\"%s\":%llu", first ? "" : ",", gth_spec_event_name(s->minor, c, nbuf),
                   (unsigned long long)s->counts[c]);
            first = 0;
        }
        printf("}");
        if (error) {
            printf(",\"error\":");
            gth_cli_json(stdout, error);
        }
        printf("}\n");
        free(ms);
        return;
    }
    printf("file:         %s\n", s->name);
    if (!s->have_header) {
        free(ms);
        return;
    }
    printf("version:      go 1.%u%s\n", s->minor,
           vi && vi->format == 1 ? " (v1 format, not supported)" : "");
    if (s->v1) {
        free(ms);
        return;
    }
    printf("bytes:        %llu (header %llu)\n", (unsigned long long)s->bytes,
           (unsigned long long)s->header_len);
    if (s->gens.n)
        printf("generations:  %zu (numbers %llu..%llu), %llu EndOfGeneration\n", s->gens.n,
               (unsigned long long)s->gen_min, (unsigned long long)s->gen_max,
               (unsigned long long)s->eog);
    if (s->gens.n)
        printf("largest gen:  %llu bytes (what a reader buffers at once from a pipe)\n",
               (unsigned long long)s->largest_gen);
    else
        printf("generations:  0\n");
    printf("batches:      %llu event batches (largest payload %llu bytes), "
           "%llu experimental (%llu bytes)\n",
           (unsigned long long)s->batches, (unsigned long long)s->largest,
           (unsigned long long)s->exp_batches, (unsigned long long)s->exp_bytes);
    printf("events:       %llu in event batches\n", (unsigned long long)s->events);
    printf("strings:      %llu (%llu bytes)\n", (unsigned long long)s->strings,
           (unsigned long long)s->string_bytes);
    printf("stacks:       %llu (%llu frames)\n", (unsigned long long)s->stacks,
           (unsigned long long)s->frames);
    printf("batches per M:\n");
    for (size_t i = 0; i < nm; i++) {
        if (ms[i].m == GTH_NO_ID)
            printf("  %-20s", "NoThread");
        else
            printf("  M %-18llu", (unsigned long long)ms[i].m);
        printf(" %8llu batches %10llu events %12llu bytes\n", (unsigned long long)ms[i].batches,
               (unsigned long long)ms[i].events, (unsigned long long)ms[i].bytes);
    }
    printf("events by type:\n");
    for (unsigned c = 0; c < 256; c++)
        if (s->counts[c])
            printf("  %3u %-22s %llu\n", c, gth_spec_event_name(s->minor, c, nbuf),
                   (unsigned long long)s->counts[c]);
    free(ms);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth info [IN] [--json]\n\n"
            "Summarises a binary trace (IN, or stdin if absent or \"-\"): version, size,\n"
            "generations (and the largest one's bytes), batches (per M), event counts by\n"
            "type, strings and stacks. The trace is streamed: memory grows with the number\n"
            "of threads and generations (a record each), not with the events. Decoding is\n"
            "the batch-framed decoder of `gth dump`; nothing beyond the wire format is\n"
            "checked.\n\n"
            "  --json   one JSON object on stdout instead of text\n\n"
            "On invalid input the summary of what was read is still printed, the error goes\n"
            "to stderr as \"gth info: FILE:OFFSET: message\", and the exit code is 1.\n"
            "Exit codes: 0 ok, 1 invalid input, 2 usage or I/O error.\n");
}

int gth_cmd_info(int argc, char **argv) {
    const char *in = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "gth info: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "gth info: more than one input\n");
            return 2;
        }
    }
    info s;
    memset(&s, 0, sizeof s);
    s.name = gth_io_name(in);
    gth_error err;
    gth_error_clear(&err);
    char why[512] = "";
    gth_io_decode_cb cb = {on_header, on_event, &s, GTH_NO_OFFSET};
    int rc = gth_io_decode(in, 0, &cb, &err, why, sizeof why);
    if (s.nomem) {
        fprintf(stderr, "gth info: out of memory\n");
        rc = 2;
    } else if (s.v1) {
        print_info(&s, json, gth_input_hint(GTH_INPUT_BINARY_V1, GTH_INPUT_BINARY));
        fprintf(stderr, "gth info: %s: %s\n", s.name, gth_input_hint(GTH_INPUT_BINARY_V1, GTH_INPUT_BINARY));
        rc = 1;
    } else if (rc == 2) {
        fprintf(stderr, "gth info: %s\n", why);
    } else {
        if (s.have_header) print_info(&s, json, rc == 1 ? err.msg : NULL);
        if (rc == 1) {
            rc = gth_io_report("info", in, &err);
            if (err.offset == 0 || err.offset == GTH_NO_OFFSET) gth_io_hint(in, GTH_INPUT_BINARY);
        }
    }
    free(s.threads.v);
    free(s.threads.used);
    free(s.gens.v);
    free(s.gens.used);
    return rc;
}
