/* corpus_check: `gth corpus check`, every manifest row verified against Go,
 * our validator and the case's origin (harness/corpus.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/convert.h"
#include "format/testfile.h"
#include "generator/gen.h"
#include "harness/agree.h"
#include "harness/corpus.h"
#include "harness/progress.h"
#include "harness/files.h"

/* Reads case id: its file bytes into *data, and its binary trace — the file
 * itself, or a .test file's trace as Go's bytes — into r->bin and r->binpath. */
static int load_case(gth_corpus_runner *r, const char *dir, const char *id, uint8_t **data, size_t *len,
                     char *why, size_t whysz) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, id);
    if (gth_io_read_all(path, data, len, why, whysz)) return -1;
    if (gth_corpus_is_test(id)) {
        if (gth_corpus_to_bin(r, *data, *len, id, why, whysz)) {
            free(*data);
            return -1;
        }
        return 0;
    }
    if (gth_corpus_set_bin(r, *data, *len, why, whysz)) {
        free(*data);
        return -1;
    }
    return 0;
}

/* ---- check ------------------------------------------------------------------------ */

typedef struct check_ctx {
    const char *dir;
    gth_corpus_runner *run;
    size_t bad;
    int verbose;
} check_ctx;

static void mismatch(check_ctx *c, const char *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void mismatch(check_ctx *c, const char *id, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(c->run->out, "MISMATCH %s: ", id);
    vfprintf(c->run->out, fmt, ap);
    fprintf(c->run->out, "\n");
    va_end(ap);
    c->bad++;
}

/* The .test expectation as Go's TestReaderGolden judges it: reader errors are
 * matched against the pattern; any validator finding fails the test. */
static void check_expectation(check_ctx *c, const gth_corpus_row *row, const uint8_t *data, size_t len,
                              const gth_corpus_outcome *o) {
    gth_testfile tf;
    gth_expect e;
    gth_error err;
    if (gth_testfile_parse(data, len, row->id, &tf, &err) != GTH_OK) {
        mismatch(c, row->id, "not a .test file: %s", err.msg);
        return;
    }
    int prc = gth_expect_parse(&e, NULL, tf.expect, tf.expect_len, &err);
    if (prc != GTH_OK) {
        mismatch(c, row->id, "bad expectation: %s", err.msg);
    } else if (!e.failure) {
        if (o->go != RES_ACCEPT) mismatch(c, row->id, "expects SUCCESS but Go says %s", o->go_msg);
    } else if (gth_corpus_set_of(row->id)->golden) {
        if (o->go_raw != RES_REJECT) mismatch(c, row->id, "expects FAILURE but Go's reader accepts");
        else if (!gth_expect_matches(&e, o->go_raw_msg))
            mismatch(c, row->id, "Go's reader error %s does not match the expectation", o->go_raw_msg);
        else if (!gth_same_message_str(o->go_msg, o->go_raw_msg))
            mismatch(c, row->id, "Go's validator finds %s before the reader's error", o->go_msg);
        else if (!strncmp(o->go_raw_msg, "panic: ", 7))
            mismatch(c, row->id, "Go panics (%s): Go's golden test would crash", o->go_raw_msg);
    } else {
        if (o->go != RES_REJECT || !gth_expect_matches(&e, o->go_msg))
            mismatch(c, row->id, "Go's verdict %s %s does not match the expectation",
                     gth_verdict_word(o->go), o->go_msg);
    }
    gth_expect_free(&e);
}

static void check_row(check_ctx *c, const gth_corpus_row *row, gth_buf *regen) {
    char why[1024];
    const gth_corpus_set *set = gth_corpus_set_of(row->id);
    uint8_t *data;
    size_t len;
    if (!set) {
        mismatch(c, row->id, "not in a corpus set");
        return;
    }
    if (load_case(c->run, c->dir, row->id, &data, &len, why, sizeof why)) {
        mismatch(c, row->id, "%s", why);
        return;
    }
    gth_corpus_outcome o;
    int test = gth_corpus_is_test(row->id);
    if (gth_corpus_run(c->run, c->run->binpath, test, &o, why, sizeof why)) {
        mismatch(c, row->id, "%s", why);
        free(data);
        return;
    }
    unsigned version = gth_corpus_version(c->run->bin.data, c->run->bin.len);
    size_t before = c->bad;
    if (len != row->size) mismatch(c, row->id, "size %zu, manifest says %llu", len, (unsigned long long)row->size);
    if (version != row->version) mismatch(c, row->id, "version go1.%u, manifest says go1.%u", version, row->version);
    if (o.go != row->go_verdict || !gth_same_message_str(o.go == RES_ACCEPT ? "" : o.go_msg, row->go_error))
        mismatch(c, row->id, "Go says %s %s; manifest says %s %s", gth_verdict_word(o.go), o.go_msg,
                 gth_verdict_word(row->go_verdict), row->go_error);
    const char *inv = o.gth == RES_REJECT ? gth_corpus_inv_id(o.inv) : "-";
    if (o.gth != row->gth_verdict || strcmp(inv, row->gth_inv))
        mismatch(c, row->id, "gth says %s [%s] %s; manifest says %s [%s]", gth_verdict_word(o.gth), inv,
                 o.gth_msg, gth_verdict_word(row->gth_verdict), row->gth_inv);
    int want = set->want == GTH_CORPUS_WANT_ACCEPT ? RES_ACCEPT : RES_REJECT;
    if (set->want != GTH_CORPUS_WANT_ANY && (o.go != want || o.gth != want))
        mismatch(c, row->id, "a case of %s/ must be %s by Go and gth: Go %s, gth %s", set->dir,
                 want == RES_ACCEPT ? "accepted" : "rejected", gth_verdict_word(o.go),
                 gth_verdict_word(o.gth));
    if (test) check_expectation(c, row, data, len, &o);
    /* The origin must reproduce the bytes. */
    if (!strncmp(row->origin, "gen ", 4)) {
        gth_gen_config cfg;
        gth_error err;
        regen->len = 0;
        if (gth_corpus_gen_origin_parse(row->origin, &cfg)) mismatch(c, row->id, "unreadable origin %s", row->origin);
        else if (gth_gen_run_buf(&cfg, regen, NULL, &err) != GTH_OK)
            mismatch(c, row->id, "origin does not generate: %s", err.msg);
        else if (regen->len != len || memcmp(regen->data, data, len))
            mismatch(c, row->id, "origin %s generates different bytes", row->origin);
    } else if (!strncmp(row->origin, "copy ", 5) || !strncmp(row->origin, "fuzz ", 5)) {
        /* A minimal negative input of the catalogue, as a file of the repository. */
        char src[4400];
        uint8_t *sd;
        size_t sl;
        gth_error err;
        snprintf(src, sizeof src, "%s/%s", c->dir, row->origin + 5);
        regen->len = 0;
        if (gth_io_read_all(src, &sd, &sl, why, sizeof why)) {
            mismatch(c, row->id, "origin: %s", why);
        } else {
            int fuzz = row->origin[0] == 'f';
            if (fuzz && gth_convert_fuzz_file(sd, sl, regen, &err) != GTH_OK)
                mismatch(c, row->id, "origin: %s: %s", src, err.msg);
            else if (fuzz ? regen->len != len || memcmp(regen->data, data, len) : sl != len || memcmp(sd, data, len))
                mismatch(c, row->id, "differs from its origin %s", src);
            free(sd);
        }
    } else if (!strncmp(row->origin, "mutate ", 7)) {
        regen->len = 0;
        if (gth_corpus_rederive(c->dir, row->origin, row->id, regen, why, sizeof why))
            mismatch(c, row->id, "origin does not derive: %s", why);
        else if (regen->len != c->run->bin.len || memcmp(regen->data, c->run->bin.data, regen->len))
            mismatch(c, row->id, "origin %s derives a different trace", row->origin);
    }
    if (c->verbose && c->bad == before) fprintf(c->run->out, "ok %s\n", row->id);
    free(data);
}

/* Files and rows must list the same cases. */
static void check_listing(check_ctx *c, const gth_corpus_manifest *m) {
    char sub[4200], id[4400];
    for (size_t s = 0; s < GTH_CORPUS_NSETS; s++) {
        snprintf(sub, sizeof sub, "%s/%s", c->dir, gth_corpus_sets[s].dir);
        char **names;
        long n = gth_corpus_list(sub, gth_corpus_sets[s].suffix, &names);
        for (long i = 0; i < n; i++) {
            snprintf(id, sizeof id, "%s/%s", gth_corpus_sets[s].dir, names[i]);
            size_t lo = 0, hi = m->n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(m->v[mid].id, id) < 0) lo = mid + 1;
                else hi = mid;
            }
            if (lo == m->n || strcmp(m->v[lo].id, id)) mismatch(c, id, "file has no manifest row");
        }
        gth_corpus_free_list(names, n);
    }
    for (size_t i = 0; i < m->n; i++) {
        struct stat st;
        snprintf(id, sizeof id, "%s/%s", c->dir, m->v[i].id);
        if (stat(id, &st) != 0) mismatch(c, m->v[i].id, "manifest row without a file");
        if (i && strcmp(m->v[i - 1].id, m->v[i].id) >= 0) mismatch(c, m->v[i].id, "manifest not sorted or duplicate");
    }
}

size_t gth_corpus_check(gth_corpus_runner *run, const char *dir, const gth_corpus_manifest *man, uint64_t sample,
                        int verbose, size_t *checked) {
    check_ctx c = {.dir = dir, .run = run, .verbose = verbose};
    check_listing(&c, man);
    gth_buf regen;
    gth_buf_init(&regen, NULL);
    *checked = 0;
    int all = sample == 0 || sample >= man->n;
    size_t total = all ? man->n : (size_t)sample;
    gth_progress prog;
    gth_progress_start(&prog, run->log, -1, "gth corpus check", "cases", total);
    for (size_t k = 0; k < total; k++, ++*checked) {
        /* A sample is spread evenly over the sorted rows: every set is sampled. */
        const gth_corpus_row *row = &man->v[all ? k : (size_t)(k * man->n / sample)];
        gth_progress_update(&prog, k, row->id);
        check_row(&c, row, &regen);
    }
    gth_progress_finish(&prog, total);
    gth_buf_free(&regen);
    return c.bad;
}
