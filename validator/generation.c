/*
 * Generation stage: reads a generation's batches (batch.c) the way Go's reader
 * does — generation boundaries (the "spill" rule before 1.26, in-band
 * EndOfGeneration from 1.26) — and builds its tables: strings, stacks and their
 * PCs, CPU samples, the sync data, experimental batches.
 *
 * Batches are indexed in one pass; regular batches are only located here. Their
 * events are decoded lazily by the cursors (batchcursor.c), as Go does, so
 * that the first error Go would meet is the one we report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gosort.h"
#include "validator/internal.h"

/* ---- Generation tables -------------------------------------------------------- */

void gth_generation_init(vgen *g, const gth_allocator *a) {
    memset(g, 0, sizeof *g);
    g->a = a;
    gth_hmap_init(&g->mindex, a);
    gth_idmap_init(&g->strings, a);
    gth_idmap_init(&g->stacks, a);
}

void gth_generation_clear(vgen *g) {
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

void gth_generation_free(vgen *g) {
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
        int rc = gth_read_uvarint(buf, end, &pos, &id);
        if (rc == RV_OK) rc = gth_read_uvarint(buf, end, &pos, &len);
        if (rc != RV_OK) return table_err(c, pos, GTH_INV_STRING_READ, "%s", gth_read_uvarint_text(rc));
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
        if (vgen_string(g, id, &old, &oldlen)) {
            /* The strings' bytes as they are, NULs included. */
            gth_buf text;
            gth_buf_init(&text, c->in->a);
            gth_buf_printf(&text, "multiple strings with the same ID: id=%llu, new=", (unsigned long long)id);
            gth_buf_append(&text, buf + pos, (size_t)len);
            gth_buf_append(&text, ", existing=", 11);
            gth_buf_append(&text, old, oldlen);
            if (text.failed) {
                gth_buf_free(&text);
                return nomem(c);
            }
            table_err(c, at, GTH_INV_STRING_DUPLICATE, "%s", "");
            gth_error_setn(c->err, GTH_EINVALID, text.data, text.len);
            gth_buf_free(&text);
            return -1;
        }
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
        int rc = gth_read_uvarint(buf, end, &pos, &id);
        if (rc == RV_OK) rc = gth_read_uvarint(buf, end, &pos, &n);
        if (rc != RV_OK) return table_err(c, pos, GTH_INV_STACK_READ, "%s", gth_read_uvarint_text(rc));
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
                rc = gth_read_uvarint(buf, end, &pos, &f[k]);
                if (rc != RV_OK)
                    return table_err(c, pos, GTH_INV_STACK_FRAME_READ,
                                     "reading frame %llu's %s for stack %llu: %s",
                                     (unsigned long long)(i + 1), what[k], (unsigned long long)id,
                                     gth_read_uvarint_text(rc));
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
            int rc = gth_read_uvarint(buf, end, &pos, &f[k]);
            if (rc != RV_OK) return table_err(c, pos, GTH_INV_CPU_READ, "%s", gth_read_uvarint_text(rc));
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
            rc = gth_read_uvarint(buf, end, &pos, &f);
            if (rc == RV_OK) g->freq = 1.0 / ((double)f / 1e9);
        } else if (t == GTH_EV_ClockSnapshot && c->version >= 25) {
            if (g->has_clock)
                return table_err(c, at, GTH_INV_SYNC_MULTIPLE_CLOCK_SNAPSHOT,
                                 "found multiple clock snapshot events");
            g->has_clock = 1;
            uint64_t dt;
            rc = gth_read_uvarint(buf, end, &pos, &dt);
            if (rc == RV_OK) {
                last += dt;
                g->snap_time = last;
                rc = gth_read_uvarint(buf, end, &pos, &g->snap_mono);
            }
            if (rc == RV_OK) rc = gth_read_uvarint(buf, end, &pos, &g->snap_sec);
            if (rc == RV_OK) rc = gth_read_uvarint(buf, end, &pos, &g->snap_nsec);
        } else {
            return table_err(c, at, GTH_INV_SYNC_KIND, "expected frequency or clock snapshot event, got %u", t);
        }
        if (rc != RV_OK) return table_err(c, pos, GTH_INV_SYNC_READ, "%s", gth_read_uvarint_text(rc));
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

gen_result gth_generation_read(vin *in, gth_arena *ar, vgen *g, unsigned version, gth_reader_stats *st,
                        gth_error *err) {
    gth_vin_compact(in);
    uint64_t gen_start = in->base + in->pos;
    pctx c = {in, ar, g, version, NULL, err};
    rbatch b;
    gen_result ok = GEN_OK;
    for (;;) {
        int rc = gth_batch_read(in, &b, version, err);
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
