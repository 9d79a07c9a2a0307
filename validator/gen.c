/*
 * Generation stage: reads batches the way Go's reader does — framing errors with
 * Go's texts, generation boundaries (the "spill" rule before 1.26, in-band
 * EndOfGeneration from 1.26), and per-generation tables: strings, stacks and
 * their PCs, CPU samples, the sync data, experimental batches.
 *
 * Batches are indexed in one pass; regular batches are only located here. Their
 * events are decoded lazily by the cursors (gth_cursor_next), as Go does, so
 * that the first error Go would meet is the one we report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gosort.h"
#include "format/varint.h"
#include "validator/internal.h"

#define CHUNK ((size_t)4 << 20)
/* Seekable input reads only batch headers and tables through the buffer. */
#define SEEK_CHUNK ((size_t)16 << 10)

/* ---- Input buffering ------------------------------------------------------ */

long gth_vin_fill(vin *in, size_t need) {
    while (in->len - in->pos < need && !in->eof) {
        /* Seekable: nothing refers to bytes before pos, so drop them. */
        if (in->seekable) gth_vin_compact(in);
        size_t want = need - (in->len - in->pos);
        size_t chunk = in->seekable ? SEEK_CHUNK : CHUNK;
        /* Grow (by a chunk at least) only when the free space cannot take
         * what is needed: reading into it first finds the end of the input
         * without doubling the buffer just to see it. */
        if (in->cap - in->len < want) {
            if (want < chunk) want = chunk;
            void *p = in->buf;
            if (in->len > SIZE_MAX - want ||
                gth_grow(in->a, &p, &in->cap, in->len + want, 1) != 0) {
                gth_error_nomem(&in->err);
                in->ioerr = 1;
                return -1;
            }
            in->buf = p;
        }
        long n = in->seekable ? in->src.pread(in->src.ud, in->buf + in->len, in->cap - in->len,
                                              in->base + in->len, &in->err)
                              : in->src.read(in->src.ud, in->buf + in->len, in->cap - in->len, &in->err);
        if (n < 0) {
            in->ioerr = 1;
            if (in->err.status == GTH_OK) gth_error_set(&in->err, GTH_EIO, "read error");
            return -1;
        }
        if (n == 0) in->eof = 1;
        in->len += (size_t)n;
    }
    return (long)(in->len - in->pos);
}

void gth_vin_compact(vin *in) {
    /* Moving the unread bytes costs their length: only do it once as many bytes
     * have been read, so copying stays linear in the input (a compaction per
     * tiny generation would move a whole read chunk each time). */
    if (in->pos == 0 || in->pos < in->len - in->pos) return;
    memmove(in->buf, in->buf + in->pos, in->len - in->pos);
    in->base += in->pos;
    in->len -= in->pos;
    in->pos = 0;
}

void gth_vin_seek(vin *in, uint64_t off) {
    if (off >= in->base && off - in->base <= in->len) {
        in->pos = (size_t)(off - in->base);
        return;
    }
    in->base = off;
    in->len = in->pos = 0;
    in->eof = off >= in->src.size;
}

/* ---- Varints with the error surface of Go's binary.ReadUvarint -------------- */

enum { RV_OK, RV_EOF, RV_UNEXPECTED_EOF, RV_OVERFLOW, RV_IO };

static const char *rv_text(int rc) {
    switch (rc) {
    case RV_EOF: return "EOF";
    case RV_UNEXPECTED_EOF: return "unexpected EOF";
    case RV_OVERFLOW: return "binary: varint overflows a 64-bit integer";
    }
    return "read error";
}

/* Reads a varint from p[*pos..end). */
static int bread_uvarint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v) {
    if (*pos >= end) return RV_EOF;
    int n = gth_uvarint(p + *pos, end - *pos, v);
    if (n > 0) {
        *pos += (size_t)n;
        return RV_OK;
    }
    if (n == GTH_VARINT_OVERFLOW) return RV_OVERFLOW;
    /* Truncated: ReadUvarint consumed what there was; ten continuation bytes
     * would have been an overflow, fewer is an unexpected end. */
    *pos = end;
    return RV_UNEXPECTED_EOF;
}

static int sread_uvarint(vin *in, uint64_t *v) {
    long avail = gth_vin_fill(in, GTH_UVARINT_MAX);
    if (avail < 0) return RV_IO;
    size_t end = in->pos + (size_t)avail;
    return bread_uvarint(in->buf, end, &in->pos, v);
}

/* ---- Batch framing ---------------------------------------------------------- */

typedef struct rbatch {
    int eog;
    uint8_t exp;
    uint8_t first;     /* first payload byte (0 if empty): what kind of batch */
    int buffered;      /* the payload is in the buffer at off */
    uint64_t gen, m, time, size;
    size_t off;        /* payload offset in the buffer, when buffered */
    uint64_t data_off; /* payload offset in the input */
    uint64_t file_off; /* offset of the batch's first byte */
} rbatch;

/* A batch the generation stage decodes itself (tables, sync, experimental,
 * in-band EndOfGeneration), as opposed to a thread's events. */
static int is_table_batch(const rbatch *b, unsigned version) {
    if (b->exp != 0) return 1;
    if (b->size == 0) return 0;
    switch (b->first) {
    case GTH_EV_Strings:
    case GTH_EV_Stacks:
    case GTH_EV_CPUSamples:
    case GTH_EV_EndOfGeneration: return 1;
    case GTH_EV_Frequency: return version < 25;
    case GTH_EV_Sync: return version >= 25;
    }
    return 0;
}

enum { RB_OK, RB_EOF, RB_ERR };

static void locate(gth_error *err, uint64_t off, int inv) {
    err->offset = off;
    err->inv = inv;
}

static int read_batch(vin *in, rbatch *b, unsigned version, gth_error *err) {
    memset(b, 0, sizeof *b);
    long avail = gth_vin_fill(in, 1);
    if (avail < 0) goto io;
    b->file_off = in->base + in->pos;
    if (avail == 0) return RB_EOF;
    uint8_t kind = in->buf[in->pos++];
    if (kind == GTH_EV_EndOfGeneration) {
        b->eog = 1;
        b->m = GTH_NO_ID;
        return RB_OK;
    }
    if (kind != GTH_EV_EventBatch && kind != GTH_EV_ExperimentalBatch) {
        locate(err, b->file_off, GTH_INV_BATCH_KIND);
        gth_error_set(err, GTH_EINVALID, "expected batch event, got event %u", kind);
        return RB_ERR;
    }
    if (kind == GTH_EV_ExperimentalBatch) {
        avail = gth_vin_fill(in, 1);
        if (avail < 0) goto io;
        if (avail == 0) return RB_EOF; /* Go takes this as the end of the input */
        b->exp = in->buf[in->pos++];
    }
    static const struct {
        const char *what;
        int inv;
    } fields[4] = {{"gen", GTH_INV_BATCH_GEN_READ},
                   {"M ID", GTH_INV_BATCH_M_READ},
                   {"timestamp", GTH_INV_BATCH_TIME_READ},
                   {"size", GTH_INV_BATCH_SIZE_READ}};
    uint64_t *dst[4] = {&b->gen, &b->m, &b->time, &b->size};
    for (int i = 0; i < 4; i++) {
        uint64_t at = in->base + in->pos;
        int rc = sread_uvarint(in, dst[i]);
        if (rc == RV_IO) goto io;
        if (rc != RV_OK) {
            locate(err, at, fields[i].inv);
            gth_error_set(err, GTH_EINVALID, "error reading batch %s: %s", fields[i].what, rv_text(rc));
            return RB_ERR;
        }
    }
    if (b->size > GTH_MAX_BATCH_SIZE) {
        locate(err, b->file_off, GTH_INV_BATCH_SIZE_MAX);
        gth_error_set(err, GTH_EINVALID, "invalid batch size %llu, maximum is %d",
                      (unsigned long long)b->size, GTH_MAX_BATCH_SIZE);
        return RB_ERR;
    }
    b->data_off = in->base + in->pos;
    if (in->seekable) {
        uint64_t have = in->src.size > b->data_off ? in->src.size - b->data_off : 0;
        if (have < b->size) {
            locate(err, in->src.size, GTH_INV_BATCH_TRUNCATED);
            gth_error_set(err, GTH_EINVALID, "failed to read full batch: read %llu but wanted %llu",
                          (unsigned long long)have, (unsigned long long)b->size);
            gth_vin_seek(in, in->src.size);
            return RB_ERR;
        }
        if (b->size > 0) {
            avail = gth_vin_fill(in, 1);
            if (avail < 0) goto io;
            if (avail == 0) { /* the file shrank under us */
                gth_error_set(&in->err, GTH_EIO, "read error: input ended before its size");
                goto io;
            }
            b->first = in->buf[in->pos];
        }
        if (!is_table_batch(b, version)) {
            gth_vin_seek(in, b->data_off + b->size); /* the cursor reads it */
            return RB_OK;
        }
    }
    avail = gth_vin_fill(in, (size_t)b->size);
    if (avail < 0) goto io;
    if ((uint64_t)avail < b->size) {
        locate(err, in->base + in->len, GTH_INV_BATCH_TRUNCATED);
        gth_error_set(err, GTH_EINVALID, "failed to read full batch: read %ld but wanted %llu", avail,
                      (unsigned long long)b->size);
        in->pos = in->len;
        return RB_ERR;
    }
    b->off = in->pos;
    b->buffered = 1;
    b->first = b->size ? in->buf[in->pos] : 0;
    in->pos += (size_t)b->size;
    return RB_OK;
io:
    *err = in->err;
    return RB_ERR;
}

/* ---- Generation tables -------------------------------------------------------- */

void gth_gen_init(vgen *g, const gth_allocator *a) {
    memset(g, 0, sizeof *g);
    g->a = a;
    gth_hmap_init(&g->mindex, a);
    gth_idmap_init(&g->strings, a);
    gth_idmap_init(&g->stacks, a);
}

void gth_gen_clear(vgen *g) {
    gth_hmap mi = g->mindex;
    gth_idmap s = g->strings, k = g->stacks;
    uint32_t *pcslots = g->pcslots;
    size_t pcslots_cap = g->pcslots_cap, nframes = g->nframes;
    const gth_allocator *a = g->a;
    memset(g, 0, sizeof *g);
    g->a = a;
    g->mindex = mi;
    g->strings = s;
    g->stacks = k;
    /* Clearing costs a table's capacity: one far larger than what the last
     * generation put in it is released instead, so that a million small
     * generations after one big one do not each pay for the big one. */
    if (mi.cap > 1024 && mi.len * 8 < mi.cap) gth_hmap_free(&g->mindex);
    else gth_hmap_clear(&g->mindex);
    gth_idmap_clear(&g->strings);
    gth_idmap_clear(&g->stacks);
    if (pcslots_cap > 1024 && nframes * 8 < pcslots_cap) {
        gth_free(a, pcslots, pcslots_cap * sizeof *pcslots);
    } else {
        if (pcslots_cap) memset(pcslots, 0, pcslots_cap * sizeof *pcslots);
        g->pcslots = pcslots;
        g->pcslots_cap = pcslots_cap;
    }
}

void gth_gen_free(vgen *g) {
    gth_hmap_free(&g->mindex);
    gth_idmap_free(&g->strings);
    gth_idmap_free(&g->stacks);
    gth_free(g->a, g->pcslots, g->pcslots_cap * sizeof *g->pcslots);
    g->pcslots = NULL;
    g->pcslots_cap = 0;
}

/* The frame index of pc, or -1. */
static int64_t pc_find(const vgen *g, uint64_t pc) {
    if (!g->pcslots_cap) return -1;
    size_t mask = g->pcslots_cap - 1;
    for (size_t i = gth_hmap_hash(pc, mask);; i = (i + 1) & mask) {
        uint32_t s = g->pcslots[i];
        if (!s) return -1;
        if (g->frames[s - 1].pc == pc) return (int64_t)s - 1;
    }
}

static void pc_place(uint32_t *slots, size_t cap, const vgen *g, uint32_t fi) {
    size_t mask = cap - 1;
    size_t i = gth_hmap_hash(g->frames[fi].pc, mask);
    while (slots[i]) i = (i + 1) & mask;
    slots[i] = fi + 1;
}

/* Indexes frames[fi] (not yet indexed) by its pc; -1 when out of memory. */
static int pc_add(vgen *g, uint32_t fi) {
    if ((size_t)(fi + 1) * 2 > g->pcslots_cap) {
        size_t ncap = g->pcslots_cap ? g->pcslots_cap * 2 : 256;
        uint32_t *n = gth_calloc(g->a, ncap, sizeof *n);
        if (!n) return -1;
        for (uint32_t k = 0; k < fi; k++) pc_place(n, ncap, g, k);
        gth_free(g->a, g->pcslots, g->pcslots_cap * sizeof *g->pcslots);
        g->pcslots = n;
        g->pcslots_cap = ncap;
    }
    pc_place(g->pcslots, g->pcslots_cap, g, fi);
    return 0;
}

typedef struct pctx {
    vin *in;
    gth_arena *ar;
    vgen *g;
    unsigned version;
    const rbatch *b;
    gth_error *err;
} pctx;

static int nomem(pctx *c) {
    gth_error_nomem(c->err);
    return -1;
}

static int table_err(pctx *c, size_t pos, int inv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int table_err(pctx *c, size_t pos, int inv, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gth_error_vset(c->err, GTH_EINVALID, fmt, ap);
    va_end(ap);
    c->err->inv = inv;
    c->err->offset = c->in->base + pos;
    c->err->m = c->b->m;
    return -1;
}

static int add_strings(pctx *c) {
    const uint8_t *buf = c->in->buf;
    size_t pos = c->b->off + 1, end = c->b->off + c->b->size;
    vgen *g = c->g;
    while (pos < end) {
        size_t at = pos;
        uint8_t t = buf[pos++];
        if (t != GTH_EV_String)
            return table_err(c, at, GTH_INV_STRING_KIND, "expected string event, got %u", t);
        uint64_t id, len;
        int rc = bread_uvarint(buf, end, &pos, &id);
        if (rc == RV_OK) rc = bread_uvarint(buf, end, &pos, &len);
        if (rc != RV_OK) return table_err(c, pos, GTH_INV_STRING_READ, "%s", rv_text(rc));
        if (len > GTH_MAX_STRING_SIZE)
            return table_err(c, at, GTH_INV_STRING_SIZE, "invalid string size %llu, maximum is %d",
                             (unsigned long long)len, GTH_MAX_STRING_SIZE);
        if (len > end - pos) {
            size_t got = end - pos;
            return table_err(c, end, GTH_INV_STRING_TRUNCATED,
                             "failed to read full string: read %zu but wanted %llu", got,
                             (unsigned long long)len);
        }
        const uint8_t *old;
        size_t oldlen;
        if (vgen_string(g, id, &old, &oldlen))
            return table_err(c, at, GTH_INV_STRING_DUPLICATE,
                             "multiple strings with the same ID: id=%llu, new=%.*s, existing=%.*s",
                             (unsigned long long)id, (int)len, (const char *)buf + pos, (int)oldlen,
                             (const char *)old);
        if (gth_arena_grow(c->ar, (void **)&g->strs, &g->strs_cap, g->nstrs + 1, sizeof *g->strs) ||
            gth_idmap_put(&g->strings, id, (uint32_t)g->nstrs))
            return nomem(c);
        uint8_t *copy = gth_arena_alloc(c->ar, len ? (size_t)len : 1);
        if (!copy) return nomem(c);
        if (len) memcpy(copy, buf + pos, (size_t)len);
        g->strs[g->nstrs].p = copy;
        g->strs[g->nstrs].len = (uint32_t)len;
        g->nstrs++;
        pos += (size_t)len;
    }
    return 0;
}

static void print_pcs(gth_buf *out, const vgen *g, const uint32_t *fr, size_t n) {
    for (size_t i = 0; i < n; i++) gth_buf_printf(out, "\t0x%llx\n", (unsigned long long)g->frames[fr[i]].pc);
}

static int add_stacks(pctx *c) {
    static const char *const what[4] = {"PC", "funcID", "fileID", "line"};
    const uint8_t *buf = c->in->buf;
    size_t pos = c->b->off + 1, end = c->b->off + c->b->size;
    vgen *g = c->g;
    while (pos < end) {
        size_t at = pos;
        uint8_t t = buf[pos++];
        if (t != GTH_EV_Stack) return table_err(c, at, GTH_INV_STACK_KIND, "expected stack event, got %u", t);
        uint64_t id, n;
        int rc = bread_uvarint(buf, end, &pos, &id);
        if (rc == RV_OK) rc = bread_uvarint(buf, end, &pos, &n);
        if (rc != RV_OK) return table_err(c, pos, GTH_INV_STACK_READ, "%s", rv_text(rc));
        if (n > GTH_MAX_FRAMES)
            return table_err(c, at, GTH_INV_STACK_SIZE, "invalid stack size %llu, maximum is %d",
                             (unsigned long long)n, GTH_MAX_FRAMES);
        /* The frames go to the end of sframes; a stack that fails is dropped
         * with the error, so nothing needs undoing. */
        if (g->nsframes + n > UINT32_MAX || g->nframes + n > UINT32_MAX / 2 ||
            gth_arena_grow(c->ar, (void **)&g->sframes, &g->sframes_cap, g->nsframes + (size_t)n,
                           sizeof *g->sframes))
            return nomem(c);
        uint32_t *fr = g->sframes ? g->sframes + g->nsframes : NULL; /* NULL: no frames yet, n = 0 */
        for (uint64_t i = 0; i < n; i++) {
            uint64_t f[4];
            for (int k = 0; k < 4; k++) {
                rc = bread_uvarint(buf, end, &pos, &f[k]);
                if (rc != RV_OK)
                    return table_err(c, pos, GTH_INV_STACK_FRAME_READ,
                                     "reading frame %llu's %s for stack %llu: %s",
                                     (unsigned long long)(i + 1), what[k], (unsigned long long)id,
                                     rv_text(rc));
            }
            int64_t fi = pc_find(g, f[0]);
            if (fi < 0) {
                if (gth_arena_grow(c->ar, (void **)&g->frames, &g->frames_cap, g->nframes + 1,
                                   sizeof *g->frames))
                    return nomem(c);
                g->frames[g->nframes] = (vframe){f[0], f[1], f[2], f[3]};
                if (pc_add(g, (uint32_t)g->nframes)) return nomem(c);
                fi = (int64_t)g->nframes++;
            }
            fr[i] = (uint32_t)fi;
        }
        uint32_t old;
        int dup = gth_idmap_get(&g->stacks, id, &old);
        if (id == 0 || dup) {
            gth_buf nb, ob;
            gth_buf_init(&nb, c->in->a);
            gth_buf_init(&ob, c->in->a);
            print_pcs(&nb, g, fr, (size_t)n);
            if (dup) print_pcs(&ob, g, g->stks[old].n ? g->sframes + g->stks[old].first : NULL, g->stks[old].n);
            table_err(c, at, GTH_INV_STACK_DUPLICATE,
                      "multiple trace.stacks with the same ID: id=%llu, new=%.*s, existing=%.*s",
                      (unsigned long long)id, (int)nb.len, nb.data ? (char *)nb.data : "",
                      (int)ob.len, ob.data ? (char *)ob.data : "");
            gth_buf_free(&nb);
            gth_buf_free(&ob);
            return -1;
        }
        if (gth_arena_grow(c->ar, (void **)&g->stks, &g->stks_cap, g->nstks + 1, sizeof *g->stks) ||
            gth_idmap_put(&g->stacks, id, (uint32_t)g->nstks))
            return nomem(c);
        g->stks[g->nstks++] = (vstack){id, (uint32_t)g->nsframes, (uint32_t)n};
        g->nsframes += (size_t)n;
    }
    return 0;
}

static int add_cpu_samples(pctx *c) {
    const uint8_t *buf = c->in->buf;
    size_t pos = c->b->off + 1, end = c->b->off + c->b->size;
    vgen *g = c->g;
    while (pos < end) {
        size_t at = pos;
        uint8_t t = buf[pos++];
        if (t != GTH_EV_CPUSample) return table_err(c, at, GTH_INV_CPU_KIND, "expected CPU sample event, got %u", t);
        uint64_t f[5];
        for (int k = 0; k < 5; k++) {
            int rc = bread_uvarint(buf, end, &pos, &f[k]);
            if (rc != RV_OK) return table_err(c, pos, GTH_INV_CPU_READ, "%s", rv_text(rc));
        }
        if (gth_arena_grow(c->ar, (void **)&g->cpu, &g->cpu_cap, g->ncpu + 1, sizeof *g->cpu))
            return nomem(c);
        g->cpu[g->ncpu++] = (vcpu){.time = (int64_t)f[0],
                                   .m = (int64_t)f[1],
                                   .p = (int64_t)f[2],
                                   .g = f[3] == 0 ? NO_ID : (int64_t)f[3],
                                   .stack = f[4],
                                   .file_off = c->in->base + at};
    }
    return 0;
}

static int set_sync(pctx *c) {
    const uint8_t *buf = c->in->buf;
    size_t pos = c->b->off, end = c->b->off + c->b->size;
    vgen *g = c->g;
    if (c->version >= 25) pos++; /* the Sync marker */
    uint64_t last = c->b->time;
    while (pos < end) {
        size_t at = pos;
        uint8_t t = buf[pos++];
        int rc = RV_OK;
        if (t == GTH_EV_Frequency) {
            if (g->freq != 0)
                return table_err(c, at, GTH_INV_SYNC_MULTIPLE_FREQUENCY, "found multiple frequency events");
            uint64_t f;
            rc = bread_uvarint(buf, end, &pos, &f);
            if (rc == RV_OK) g->freq = 1.0 / ((double)f / 1e9);
        } else if (t == GTH_EV_ClockSnapshot && c->version >= 25) {
            if (g->has_clock)
                return table_err(c, at, GTH_INV_SYNC_MULTIPLE_CLOCK_SNAPSHOT,
                                 "found multiple clock snapshot events");
            g->has_clock = 1;
            uint64_t dt;
            rc = bread_uvarint(buf, end, &pos, &dt);
            if (rc == RV_OK) {
                last += dt;
                g->snap_time = last;
                rc = bread_uvarint(buf, end, &pos, &g->snap_mono);
            }
            if (rc == RV_OK) rc = bread_uvarint(buf, end, &pos, &g->snap_sec);
            if (rc == RV_OK) rc = bread_uvarint(buf, end, &pos, &g->snap_nsec);
        } else {
            return table_err(c, at, GTH_INV_SYNC_KIND, "expected frequency or clock snapshot event, got %u", t);
        }
        if (rc != RV_OK) return table_err(c, pos, GTH_INV_SYNC_READ, "%s", rv_text(rc));
    }
    return 0;
}

static int add_regular(pctx *c, size_t bi) {
    vgen *g = c->g;
    uint64_t m = c->b->m;
    uint32_t *mi = gth_hmap_get(&g->mindex, m);
    g->nregular++;
    if (!mi) {
        if (gth_arena_grow(c->ar, (void **)&g->ms, &g->ms_cap, g->nms + 1, sizeof *g->ms)) return nomem(c);
        size_t cap2 = g->ms_cap; /* keep the parallel arrays the same capacity */
        void *h = g->mhead, *t = g->mtail;
        size_t hc = g->nms, tc = g->nms;
        if (hc < cap2) {
            int32_t *nh = gth_arena_alloc(c->ar, cap2 * sizeof *nh);
            int32_t *nt = gth_arena_alloc(c->ar, cap2 * sizeof *nt);
            if (!nh || !nt) return nomem(c);
            if (hc) memcpy(nh, h, hc * sizeof *nh);
            if (tc) memcpy(nt, t, tc * sizeof *nt);
            g->mhead = nh;
            g->mtail = nt;
        }
        if (gth_hmap_put(&g->mindex, m, (uint32_t)g->nms)) return nomem(c);
        g->ms[g->nms] = m;
        g->mhead[g->nms] = g->mtail[g->nms] = (int32_t)bi;
        g->nms++;
    } else {
        g->batches[g->mtail[*mi]].next = (int32_t)bi;
        g->mtail[*mi] = (int32_t)bi;
    }
    return 0;
}

static int process_batch(pctx *c) {
    const rbatch *b = c->b;
    vgen *g = c->g;
    uint8_t first = b->first;
    if (b->exp == 0 && b->size > 0) {
        if (first == GTH_EV_Strings) return add_strings(c);
        if (first == GTH_EV_Stacks) return add_stacks(c);
        if (first == GTH_EV_CPUSamples) return add_cpu_samples(c);
        if ((first == GTH_EV_Frequency && c->version < 25) || (first == GTH_EV_Sync && c->version >= 25)) return set_sync(c);
    }
    if (b->exp != 0) {
        if (gth_arena_grow(c->ar, (void **)&g->exps, &g->exps_cap, g->nexps + 1, sizeof *g->exps))
            return nomem(c);
        uint8_t *copy = gth_arena_alloc(c->ar, b->size ? (size_t)b->size : 1);
        if (!copy) return nomem(c);
        if (b->size) memcpy(copy, c->in->buf + b->off, (size_t)b->size);
        g->exps[g->nexps++] = (gth_exp_batch){b->exp, b->m, copy, (size_t)b->size};
        return 0;
    }
    if (b->size > 0 && first == GTH_EV_EndOfGeneration)
        return table_err(c, b->off, GTH_INV_BATCH_EOG_PAYLOAD,
                         "internal error: unexpectedly processing EndOfGeneration; broken trace?");
    if (b->size > UINT32_MAX) return nomem(c);
    if (gth_arena_grow(c->ar, (void **)&g->batches, &g->batches_cap, g->nbatches + 1, sizeof *g->batches))
        return nomem(c);
    size_t bi = g->nbatches++;
    g->batches[bi] = (vbatch){b->m, b->time, b->data_off, (uint32_t)b->size, -1, b->file_off};
    return add_regular(c, bi);
}

/* After the generation's batches: Go's end-of-generation checks. */
static int finish(pctx *c) {
    vgen *g = c->g;
    if (g->freq == 0) {
        c->err->inv = GTH_INV_GEN_NO_FREQUENCY;
        gth_error_set(c->err, GTH_EINVALID, "no frequency event found");
        return -1;
    }
    if (c->version >= 25 && !g->has_clock) {
        c->err->inv = GTH_INV_GEN_NO_CLOCK_SNAPSHOT;
        gth_error_set(c->err, GTH_EINVALID, "no clock snapshot event found");
        return -1;
    }
    /* Every frame's function and file must be strings of this generation. Go
     * visits stacks in id order (when its table is dense), so the error reported
     * is that of the failing stack with the smallest id. */
    const vstack *bad = NULL;
    uint64_t bad_id = 0;
    int bad_file = 0;
    for (size_t i = 0; i < g->nstks; i++) {
        const vstack *s = &g->stks[i];
        if (bad && s->id >= bad->id) continue;
        for (uint32_t k = 0; k < s->n; k++) {
            const vframe *f = &g->frames[g->sframes[s->first + k]];
            const uint8_t *p;
            size_t l;
            if (!vgen_string(g, f->func, &p, &l)) {
                bad = s, bad_id = f->func, bad_file = 0;
                break;
            }
            if (!vgen_string(g, f->file, &p, &l)) {
                bad = s, bad_id = f->file, bad_file = 1;
                break;
            }
        }
    }
    if (bad) {
        c->err->inv = bad_file ? GTH_INV_STACK_FILE_STRING : GTH_INV_STACK_FUNC_STRING;
        gth_error_set(c->err, GTH_EINVALID, "found invalid %s string ID %llu for stack %llu",
                      bad_file ? "file" : "func", (unsigned long long)bad_id, (unsigned long long)bad->id);
        return -1;
    }
    return 0;
}

static int cpu_before(const void *a, const void *b) { return ((const vcpu *)a)->time < ((const vcpu *)b)->time; }

/* Go converts sample times and sorts them with its unstable sort; samples with
 * equal times keep the order that sort gives them. */
static void fix_cpu_samples(vgen *g) {
    for (size_t i = 0; i < g->ncpu; i++) g->cpu[i].time = gth_ticks_to_ns(g->freq, (uint64_t)g->cpu[i].time);
    gth_go_sort(g->cpu, g->ncpu, sizeof *g->cpu, cpu_before);
}

gen_result gth_gen_read(vin *in, gth_arena *ar, vgen *g, unsigned version, gth_reader_stats *st,
                        gth_error *err) {
    gth_vin_compact(in);
    uint64_t gen_start = in->base + in->pos;
    pctx c = {in, ar, g, version, NULL, err};
    rbatch b;
    gen_result ok = GEN_OK;
    for (;;) {
        int rc = read_batch(in, &b, version, err);
        if (rc == RB_EOF) {
            if (version >= 26) {
                if (g->nregular != 0) {
                    err->inv = GTH_INV_GEN_INCOMPLETE;
                    err->offset = in->base + in->pos;
                    gth_error_set(err, GTH_EINVALID, "incomplete generation found; trace likely truncated");
                    return GEN_ERROR;
                }
                return GEN_DONE;
            }
            break;
        }
        if (rc == RB_ERR) {
            if (err->status != GTH_EINVALID) return GEN_ERROR;
            if (version < 26 && g->gen != 0) {
                ok = GEN_OK_DEFERRED; /* Go finishes the generation first */
                break;
            }
            return GEN_ERROR;
        }
        st->batches++;
        if (version >= 26) {
            if (g->gen == 0) g->gen = b.gen;
            int eog = b.eog || (b.exp == 0 && b.size > 0 && b.first == GTH_EV_EndOfGeneration);
            if (eog) break;
            if (b.gen == 0) goto gen_zero;
            if (b.gen != g->gen) {
                err->inv = GTH_INV_GEN_INTERLEAVED;
                err->offset = b.file_off;
                gth_error_set(err, GTH_EINVALID,
                              "broken trace: missing end-of-generation event, or generations are interleaved");
                return GEN_ERROR;
            }
        } else {
            if (b.eog || b.gen == 0) goto gen_zero;
            if (g->gen == 0) g->gen = b.gen;
            if (b.gen == g->gen + 1 && b.gen != g->gen) {
                gth_vin_seek(in, b.file_off); /* spill: the batch opens the next generation */
                st->batches--;
                g->spilled = 1;
                break;
            }
            if (b.gen != g->gen) {
                err->inv = GTH_INV_GEN_ORDER;
                err->offset = b.file_off;
                gth_error_set(err, GTH_EINVALID, "generations out of order");
                return GEN_ERROR;
            }
        }
        if (g->min_ts == 0 || b.time < g->min_ts) g->min_ts = b.time;
        c.b = &b;
        err->gen = g->gen;
        if (process_batch(&c) != 0) return GEN_ERROR;
        continue;
    gen_zero:
        err->inv = GTH_INV_GEN_ZERO;
        err->offset = b.file_off;
        gth_error_set(err, GTH_EINVALID, "invalid generation number %llu", (unsigned long long)b.gen);
        return GEN_ERROR;
    }
    gth_error deferred = *err;
    gth_error_clear(err);
    err->gen = g->gen;
    if (finish(&c) != 0) return GEN_ERROR;
    fix_cpu_samples(g);
    gth_idmap_compact(&g->strings);
    gth_idmap_compact(&g->stacks);
    st->generations++;
    st->strings += g->nstrs;
    st->stacks += g->nstks;
    st->cpu_samples += g->ncpu;
    uint64_t gen_bytes = in->base + in->pos - gen_start;
    if (gen_bytes > st->max_gen_bytes) st->max_gen_bytes = (size_t)gen_bytes;
    if (ok == GEN_OK_DEFERRED) *err = deferred;
    return ok;
}

/* ---- Lazy decoding of timed events ------------------------------------------ */

int gth_cursor_load(vcursor *c, const vgen *g, vin *in, int32_t bi, gth_error *err) {
    c->batch = bi;
    c->last_ts = 0;
    c->ev_index = 0;
    if (bi < 0) return 0;
    const vbatch *b = &g->batches[bi];
    c->data_off = b->off;
    c->pos = 0;
    c->end = b->size;
    if (!in->seekable) {
        c->data = in->buf + (size_t)(b->off - in->base);
        return 0;
    }
    /* pread may return less than asked (as read may): read on until full. */
    for (size_t got = 0; got < b->size;) {
        long n = in->src.pread(in->src.ud, c->own + got, b->size - got, b->off + got, err);
        if (n <= 0) {
            if (n == 0) gth_error_set(err, GTH_EIO, "read error: input ended before its size");
            err->offset = b->off;
            return -1;
        }
        got += (size_t)n;
    }
    c->data = c->own;
    return 0;
}

int gth_cursor_next(vcursor *c, const vgen *g, vin *in, gth_error *err) {
    while (c->batch >= 0 && c->pos >= c->end)
        if (gth_cursor_load(c, g, in, g->batches[c->batch].next, err) != 0) return -1;
    if (c->batch < 0) return 0;
    const vbatch *b = &g->batches[c->batch];
    if (c->last_ts == 0) c->last_ts = gth_ticks_to_ns(g->freq, b->time);
    const uint8_t *p = c->data;
    size_t pos = c->pos, end = c->end;
    uint8_t code = p[pos];
    uint64_t at = c->data_off + pos;
    const gth_event_spec *spec = gth_spec_event(code);
    int inv = 0;
    if (code >= GTH_NUM_CODES) {
        inv = GTH_INV_EVENT_TYPE;
        gth_error_set(err, GTH_EINVALID, "found invalid event type: %u", code);
    } else if (!spec || !(spec->flags & GTH_F_TIMED)) {
        inv = GTH_INV_EVENT_UNTIMED;
        gth_error_set(err, GTH_EINVALID, "found event without a timestamp: type=%u", code);
    } else {
        pos++;
        uint64_t dt;
        int n = gth_uvarint(p + pos, end - pos, &dt);
        if (n <= 0) {
            inv = GTH_INV_EVENT_TIMESTAMP_VARINT;
            gth_error_set(err, GTH_EINVALID, "found invalid uvarint for timestamp");
        } else {
            pos += (size_t)n;
            for (unsigned i = 0; i + 1 < spec->nargs; i++) {
                n = gth_uvarint(p + pos, end - pos, &c->ev_args[i]);
                if (n <= 0) {
                    inv = GTH_INV_EVENT_ARG_VARINT;
                    gth_error_set(err, GTH_EINVALID, "found invalid uvarint");
                    break;
                }
                pos += (size_t)n;
            }
            if (!inv) {
                for (unsigned i = spec->nargs ? spec->nargs - 1u : 0; i < 4; i++) c->ev_args[i] = 0;
                c->ev_code = code;
                c->ev_off = at;
                c->ev_time = (int64_t)((uint64_t)gth_ticks_to_ns(g->freq, dt) + (uint64_t)c->last_ts);
                c->last_ts = c->ev_time;
                c->pos = pos;
                c->ev_index++;
                return 1;
            }
        }
    }
    err->inv = inv;
    err->offset = at;
    err->gen = g->gen;
    err->m = c->m;
    err->batch = c->batch;
    err->event = c->ev_index;
    return -1;
}
