/*
 * gen: configuration (knobs resolved from the seed), the run driver, and the
 * public entry points. One run = header, then generations until the count or
 * the target size is reached, streamed through the sink.
 */
#include "generator/gen.h"

#include <stdio.h>
#include <string.h>

#include "format/header.h"
#include "format/testfile.h"
#include "generator/internal.h"

void gth_gen_config_init(gth_gen_config *cfg, unsigned version, uint64_t seed) {
    memset(cfg, 0, sizeof *cfg);
    cfg->version = version;
    cfg->seed = seed;
    cfg->format = GTH_GEN_BINARY;
}

static uint64_t pick(gth_rng *r, const uint64_t *v, const uint16_t *w, unsigned n) {
    uint32_t total = 0;
    for (unsigned i = 0; i < n; i++) total += w[i];
    uint32_t x = gth_rng_below(r, total);
    for (unsigned i = 0; i < n; i++) {
        if (x < w[i]) return v[i];
        x -= w[i];
    }
    return v[n - 1];
}

/* Resolves every AUTO knob from the seed (a stream of its own, so that the
 * model's stream does not depend on which knobs were given). */
static int resolve(const gth_gen_config *in, gth_gen_config *c, gth_error *err) {
    *c = *in;
    if (c->version != 22 && c->version != 23 && c->version != 25 && c->version != 26)
        return gth_error_set(err, GTH_EUSAGE, "unsupported version 1.%u (want 1.22, 1.23, 1.25 or 1.26; Go 1.24 writes 1.23, Go 1.27 writes 1.26)",
                             c->version);
    if (c->format < GTH_GEN_BINARY || c->format > GTH_GEN_TEST)
        return gth_error_set(err, GTH_EUSAGE, "unknown output format %d", c->format);
    gth_rng r;
    gth_rng_seed(&r, c->seed ^ 0x6a09e667f3bcc909ull);
    if (!c->procs) {
        static const uint64_t v[] = {1, 2, 3, 4, 6, 8, 12, 16, 32};
        static const uint16_t w[] = {8, 20, 10, 22, 8, 14, 6, 8, 4};
        c->procs = (unsigned)pick(&r, v, w, 9);
    }
    if (c->procs > 1024) return gth_error_set(err, GTH_EUSAGE, "procs %u: at most 1024", c->procs);
    if (!c->threads) c->threads = c->procs + 3 + gth_rng_below(&r, c->procs + 6);
    if (c->threads < c->procs + 3)
        return gth_error_set(err, GTH_EUSAGE, "threads %u: need at least procs+3 (%u)", c->threads, c->procs + 3);
    if (c->threads > 4096) return gth_error_set(err, GTH_EUSAGE, "threads %u: at most 4096", c->threads);
    if (!c->goroutines) {
        static const uint64_t v[] = {8, 16, 32, 64, 200, 1000, 5000};
        static const uint16_t w[] = {10, 20, 25, 20, 15, 7, 3};
        c->goroutines = (unsigned)pick(&r, v, w, 7);
    }
    if (c->goroutines < c->procs + 8) c->goroutines = c->procs + 8;
    if (c->goroutines > 4000000) return gth_error_set(err, GTH_EUSAGE, "goroutines %u: at most 4000000", c->goroutines);
    if (!c->events_per_gen) {
        if (c->target_bytes) {
            uint64_t e = c->target_bytes < (64u << 10) ? c->target_bytes / 24 : c->target_bytes / 8;
            c->events_per_gen = e < 16 ? 16 : e > 400000 ? 400000 : e;
        } else {
            static const uint64_t v[] = {40, 200, 1000, 3000, 10000, 30000};
            static const uint16_t w[] = {10, 20, 30, 20, 15, 5};
            c->events_per_gen = pick(&r, v, w, 6) * (2 + gth_rng_below(&r, 7)) / 4;
        }
    }
    if (!c->generations && !c->target_bytes) {
        static const uint64_t v[] = {1, 2, 3, 4, 6, 10};
        static const uint16_t w[] = {20, 25, 20, 15, 12, 8};
        c->generations = pick(&r, v, w, 6);
    }
    if (!c->batch_size) {
        static const uint64_t v[] = {65440, 32768, 8192, 2048, 512, 160};
        static const uint16_t w[] = {45, 10, 15, 12, 10, 8};
        c->batch_size = (uint32_t)pick(&r, v, w, 6);
    }
    if (c->batch_size < 64 || c->batch_size > GTH_MAX_BATCH_SIZE)
        return gth_error_set(err, GTH_EUSAGE, "batch size %u: want 64..65536", c->batch_size);
    if (!c->freq) {
        static const uint64_t v[] = {15625000, 1000000000, 31250000, 500000000, 100000000};
        static const uint16_t w[] = {70, 10, 8, 6, 6};
        c->freq = pick(&r, v, w, 5);
    }
    {
        /* Go converts ticks to ns with this double; a whole number keeps the
         * conversion exact, so distinct ticks stay distinct ns (see emit.c). */
        double npt = 1.0 / ((double)c->freq / 1e9);
        if (c->freq > 1000000000ull || npt != (double)(uint64_t)npt)
            return gth_error_set(err, GTH_EUSAGE,
                                 "freq %llu: want a divisor of 1e9 (a whole number of ns per tick)",
                                 (unsigned long long)c->freq);
    }
    if (!c->features_set) {
        c->features_set = 1;
        c->features = GTH_GEN_F_ALL;
        for (unsigned b = 0; b < 15; b++)
            if (gth_rng_chance(&r, 100)) c->features &= ~(1u << b);
    }
    if (c->version < 23) c->features &= ~(uint32_t)(GTH_GEN_F_CORO | GTH_GEN_F_ALLOCFREE);
    if (!c->perturb_set) {
        c->perturb = 0;
        if (gth_rng_chance(&r, 512)) c->perturb |= GTH_GEN_P_SHUFFLE;
        if (gth_rng_chance(&r, 512)) c->perturb |= GTH_GEN_P_SKEW;
        if (gth_rng_chance(&r, 300)) c->perturb |= GTH_GEN_P_LATE_STEAL;
        c->perturb_set = 1;
    }
    if (!c->skew && (c->perturb & GTH_GEN_P_SKEW)) {
        static const uint64_t v[] = {16, 1000, 100000, 10000000};
        static const uint16_t w[] = {20, 30, 30, 20};
        c->skew = pick(&r, v, w, 4);
    }
    if (!(c->perturb & GTH_GEN_P_SKEW)) c->skew = 0;
    if (!c->window && (c->perturb & GTH_GEN_P_SHUFFLE)) c->window = 2 + gth_rng_below(&r, 31);
    if (!(c->perturb & GTH_GEN_P_SHUFFLE)) c->window = 0;
    if (c->window > 4096) return gth_error_set(err, GTH_EUSAGE, "window %u: at most 4096", c->window);
    return GTH_OK;
}

static void gx_free(gx *x) {
    gx_model_free(x);
    gx_pools_free(x);
    gth_buf_free(&x->strbuf);
    gth_buf_free(&x->cpubuf);
    gth_buf_free(&x->out);
    gth_buf_free(&x->txt);
    if (x->win) {
        for (unsigned i = 0; i <= x->win_cap; i++) gth_buf_free(&x->win[i].body);
        gth_free(x->a, x->win, (x->win_cap + 1) * sizeof *x->win);
    }
    if (x->dec_init) gth_decoder_free(&x->dec);
}

static int done(gx *x) {
    if (x->status != GTH_OK) return 1;
    if (x->cfg.target_bytes) return x->st->bytes >= x->cfg.target_bytes;
    return x->gen_index >= x->cfg.generations;
}

static int run(gx *x) {
    gth_buf_init(&x->strbuf, x->a);
    gth_buf_init(&x->cpubuf, x->a);
    gth_buf_init(&x->out, x->a);
    gth_buf_init(&x->txt, x->a);
    x->win_cap = x->cfg.window;
    if (x->win_cap) {
        x->win = gth_calloc(x->a, x->win_cap + 1, sizeof *x->win);
        if (!x->win) return GTH_ENOMEM;
        for (unsigned i = 0; i <= x->win_cap; i++) gth_buf_init(&x->win[i].body, x->a);
    }
    x->batch_cap = x->cfg.batch_size;
    int rc;
    if ((rc = gx_specs_init(x)) != GTH_OK) return rc;
    if ((rc = gx_pools_init(x)) != GTH_OK) return rc;
    if ((rc = gx_model_init(x)) != GTH_OK) return rc;

    x->st->first_gen = 1;
    if (gth_rng_chance(&x->rng, 100)) {
        x->st->first_gen = 2 + gth_rng_below(&x->rng, 8);
        gx_count(x, GTH_TR_GEN_FIRST_NOT_1);
    }
    if (x->cfg.format == GTH_GEN_TEST) {
        gth_expect e;
        gth_error ee;
        gth_expect_init(&e, x->a, NULL, &ee);
        char comment[256];
        snprintf(comment, sizeof comment,
                 "Generated by gth gen: version=1.%u seed=%llu threads=%u procs=%u goroutines=%u\n", x->ver,
                 (unsigned long long)x->cfg.seed, x->cfg.threads, x->cfg.procs, x->cfg.goroutines);
        int w = gth_testfile_write(&x->txt, comment, &e, "", 0);
        gth_expect_free(&e);
        if (w != 0) return GTH_ENOMEM;
    }
    if (gth_header_write(&x->out, x->ver) != 0) return GTH_ENOMEM;

    while (!done(x)) {
        gx_gen_begin(x);
        /* A model with nothing left to do (every P lost in a syscall, say, and
         * no thread to steal it) waits for the generation's end, as the
         * runtime's periodic advance would end it: the generation closes after
         * a long run of steps without an event. */
        uint64_t steps = 0, limit = 64 * x->gen_target + 100000, quiet = 0;
        while (x->gen_events < x->gen_target && x->status == GTH_OK && steps++ < limit && quiet < 4096) {
            uint64_t before = x->gen_events;
            gx_step(x);
            quiet = x->gen_events == before ? quiet + 1 : 0;
        }
        x->st->steps += steps;
        if (x->status != GTH_OK) break;
        gx_gen_end(x);
        gx_output(x, 0);
        x->st->generations++;
    }
    gx_output(x, 1);
    return x->status;
}

int gth_gen_run(const gth_gen_config *cfg, const gth_allocator *a, gth_gen_sink_fn sink, void *ud,
                gth_gen_stats *stats, gth_error *err) {
    gth_error local_err;
    gth_gen_stats local_st;
    if (!err) err = &local_err;
    if (!stats) stats = &local_st;
    gth_error_clear(err);
    memset(stats, 0, sizeof *stats);
    if (!a) a = gth_default_allocator();
    gth_gen_config c;
    int rc = resolve(cfg, &c, err);
    if (rc != GTH_OK) return rc;
    stats->version = c.version;
    stats->used = c;
    gx *x = gth_calloc(a, 1, sizeof *x);
    if (!x) return gth_error_nomem(err);
    x->a = a;
    x->cfg = c;
    x->ver = c.version;
    x->feat = c.features;
    x->pert = c.perturb;
    x->err = err;
    x->sink = sink;
    x->ud = ud;
    x->st = stats;
    x->gen_target = c.events_per_gen;
    x->text = c.format != GTH_GEN_BINARY;
    /* Text can only carry what the version's text table has: AllocFree events
     * (codes 128..136) exist there from 1.26 on. Before, text output keeps the
     * experiment's batches but not its events. */
    x->allocfree_events = (c.features & GTH_GEN_F_ALLOCFREE) && c.version >= 23 &&
                          (c.format == GTH_GEN_BINARY || c.version >= 26);
    gth_rng_seed(&x->rng, c.seed);
    x->rng.src = c.choices;
    x->rng.src_len = c.choices ? c.choices_len : 0;
    rc = run(x);
    if (rc == GTH_ENOMEM && err->status == GTH_OK) gth_error_nomem(err);
    else if (rc != GTH_OK && err->status == GTH_OK) gth_error_set(err, rc, "generator failed");
    gx_free(x);
    gth_free(a, x, sizeof *x);
    return rc;
}

static int buf_sink(void *ud, const void *p, size_t n) { return gth_buf_append(ud, p, n); }

int gth_gen_run_buf(const gth_gen_config *cfg, gth_buf *out, gth_gen_stats *stats, gth_error *err) {
    gth_error local_err;
    if (!err) err = &local_err;
    int rc = gth_gen_run(cfg, out->a, buf_sink, out, stats, err);
    /* The sink failing here is the buffer running out of memory. */
    if (rc == GTH_EIO && out->failed) rc = gth_error_nomem(err);
    return rc;
}
