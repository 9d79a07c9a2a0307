/* The differential engine (harness/diff.h). */
#include "harness/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/files.h"
#include "harness/predicate.h"
#include "harness/repro.h"

/* ---- Expected differences -------------------------------------------------------- */

int gth_expected_load(gth_expected *e, const char *path, char *why, size_t whysz) {
    memset(e, 0, sizeof *e);
    uint8_t *d;
    size_t len;
    if (gth_io_read_all(path, &d, &len, why, whysz)) return -1;
    char *s = (char *)d;
    size_t cap = 0;
    for (char *line = s; line < s + len;) {
        char *nl = memchr(line, '\n', (size_t)(s + len - line));
        char *end = nl ? nl : s + len;
        *end = 0;
        while (*line == ' ' || *line == '\t') line++;
        if (*line && *line != '#') {
            char *sp = line + strcspn(line, " \t");
            char *reason = *sp ? sp + 1 + strspn(sp + 1, " \t") : sp;
            *sp = 0;
            if (e->n == cap) {
                cap = cap ? cap * 2 : 16;
                e->ids = realloc(e->ids, cap * sizeof *e->ids);
                e->reasons = realloc(e->reasons, cap * sizeof *e->reasons);
                e->seen = realloc(e->seen, cap * sizeof *e->seen);
            }
            e->ids[e->n] = strdup(line);
            e->reasons[e->n] = strdup(reason);
            e->seen[e->n] = 0;
            e->n++;
        }
        line = end + 1;
    }
    free(d);
    return 0;
}

void gth_expected_free(gth_expected *e) {
    for (size_t i = 0; i < e->n; i++) {
        free(e->ids[i]);
        free(e->reasons[i]);
    }
    free(e->ids);
    free(e->reasons);
    free(e->seen);
    memset(e, 0, sizeof *e);
}

int gth_expected_find(const gth_expected *e, const char *id) {
    for (size_t i = 0; e && i < e->n; i++)
        if (!strcmp(e->ids[i], id)) return (int)i;
    return -1;
}

/* ---- Reduction --------------------------------------------------------------------------- */

/* Minimises the trace of a disagreement under the pair's two adapters, keeping
 * their verdicts. On success (1) path names the reduced trace, in the set's
 * temporary directory, and pp holds both results on it (free it); on a failure
 * (-1) why says what went wrong; 0 if the trace could not be read. */
static int reduce_item(gth_traceset *ts, const gth_diff_opts *o, const gth_trace_item *it, gth_adapter *A,
                       gth_adapter *B, const gth_result *ra, const gth_result *rb, char *path, size_t pathsz,
                       gth_pair_pred *pp, gth_reduce_stats *st, char *why, size_t whysz) {
    uint8_t *bin;
    size_t len;
    char cand[4200];
    if (gth_io_read_all(it->path, &bin, &len, why, whysz)) return 0;
    snprintf(cand, sizeof cand, "%s/reduce-candidate", ts->tmpdir);
    snprintf(path, pathsz, "%s/reduced-%zu.bin", ts->tmpdir, (size_t)(it - ts->v));
    gth_pair_pred_init(pp, A, B, cand);
    pp->want_a = ra->verdict;
    pp->want_b = rb->verdict;
    gth_reduce_opts ro = {.pred = gth_pair_pred_fn, .ud = pp, .progress = o->reduce_progress,
                          .progress_ud = o->reduce_progress_ud};
    gth_error err;
    gth_error_clear(&err);
    gth_buf out;
    gth_buf_init(&out, NULL);
    int ok = gth_reduce(bin, len, &ro, &out, st, &err) == GTH_OK &&
             gth_io_write_all(path, out.data, out.len, why, whysz) == 0 && gth_pair_pred_file(pp, path) > 0;
    if (!ok) snprintf(why, whysz, "%s", err.status ? err.msg : "the reduced trace lost the disagreement");
    unlink(cand);
    gth_buf_free(&out);
    free(bin);
    if (!ok) gth_pair_pred_free(pp);
    return ok ? 1 : -1;
}

/* ---- The run ------------------------------------------------------------------------------- */

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

const gth_diff_counts *gth_diff_counts_at(const gth_diff_summary *sum, size_t s, size_t p) {
    return &sum->counts[s * sum->npairs + p];
}

void gth_diff_summary_free(gth_diff_summary *sum) {
    free(sum->counts);
    sum->counts = NULL;
}

/* Runs the pair's reproducer (reduced first if asked) into r. */
static void reproduce(gth_traceset *ts, gth_diff_opts *o, const gth_trace_item *it, const gth_pair *pr,
                      gth_result *res, gth_trace_result *r, char *where, size_t wsz, char *why, size_t whysz) {
    gth_pair_pred pp;
    char rpath[4300];
    gth_adapter *A = &o->adapters[pr->a], *B = &o->adapters[pr->b];
    if (o->reduce) {
        r->reduced = reduce_item(ts, o, it, A, B, &res[pr->a], &res[pr->b], rpath, sizeof rpath, &pp,
                                 &r->reduce_stats, why, whysz);
        if (r->reduced < 0) r->reduce_why = why;
    }
    if (r->reduced > 0) {
        gth_agreement rc;
        gth_compare(&pp.ra, &pp.rb, &rc);
        gth_write_reproducer(o->out_dir, it->id, rpath, A, B, &pp.ra, &pp.rb, rc.line, where, wsz);
        gth_pair_pred_free(&pp);
    } else {
        gth_write_reproducer(o->out_dir, it->id, it->path, A, B, &res[pr->a], &res[pr->b], r->cmp.line, where, wsz);
    }
    r->reproducer = where[0] ? where : NULL;
}

int gth_diff_run(gth_traceset *ts, gth_diff_opts *o, gth_diff_summary *sum) {
    size_t na = o->nadapters, np = o->npairs;
    memset(sum, 0, sizeof *sum);
    double t0 = now_s();
    /* Sets, in order of first appearance. */
    for (size_t i = 0; i < ts->n; i++) {
        size_t s = 0;
        while (s < sum->nsets && strcmp(sum->sets[s], ts->v[i].set)) s++;
        if (s == sum->nsets && sum->nsets < GTH_DIFF_MAX_SETS) sum->sets[sum->nsets++] = ts->v[i].set;
    }
    size_t nsets = sum->nsets;
    sum->npairs = np;
    sum->counts = calloc((nsets + 1) * (np ? np : 1), sizeof *sum->counts);
    gth_result *res = calloc(na ? na : 1, sizeof *res);
    if (!sum->counts || !res) {
        free(res);
        gth_diff_summary_free(sum);
        return -1;
    }
    for (size_t a = 0; a < na; a++) gth_result_init(&res[a]);
    for (size_t i = 0; i < ts->n; i++) {
        gth_trace_item *it = &ts->v[i];
        for (size_t a = 0; a < na; a++) gth_adapter_run(&o->adapters[a], it->path, &res[a]);
        size_t s = 0;
        while (s < nsets && strcmp(sum->sets[s], it->set)) s++;
        for (size_t p = 0; p < np; p++) {
            const gth_pair *pr = &o->pairs[p];
            gth_trace_result r;
            memset(&r, 0, sizeof r);
            r.trace = it;
            r.pair = p;
            r.a = &o->adapters[pr->a];
            r.b = &o->adapters[pr->b];
            r.ra = &res[pr->a];
            r.rb = &res[pr->b];
            gth_compare(r.ra, r.rb, &r.cmp);
            const gth_agreement *c = &r.cmp;
            r.agree = gth_agreement_ok(c, 0);
            if (!r.agree) {
                int ka = gth_expected_find(&o->expected[pr->a], it->id),
                    kb = gth_expected_find(&o->expected[pr->b], it->id);
                if (ka >= 0) o->expected[pr->a].seen[ka] = r.known = 1;
                if (kb >= 0) o->expected[pr->b].seen[kb] = r.known = 1;
            }
            gth_diff_counts *rows[2] = {&sum->counts[s * np + p], &sum->counts[nsets * np + p]};
            for (int k = 0; k < 2; k++) {
                gth_diff_counts *x = rows[k];
                x->traces++;
                x->verdicts += (size_t)c->verdicts_agree;
                x->messages += (size_t)c->messages_compared;
                x->messages_ok += (size_t)(c->messages_compared && c->messages_agree);
                x->streams += (size_t)c->streams_compared;
                x->streams_ok += (size_t)(c->streams_compared && c->streams_agree);
                x->known += (size_t)(!r.agree && r.known);
                x->fresh += (size_t)(!r.agree && !r.known);
            }
            char where[8600] = "", why[4400] = "";
            if (!r.agree && !r.known) {
                sum->fresh++;
                if (o->out_dir) reproduce(ts, o, it, pr, res, &r, where, sizeof where, why, sizeof why);
            }
            if (o->on_result) o->on_result(o->ud, &r);
        }
        if (o->on_progress) o->on_progress(o->ud, it, i + 1, ts->n, sum->fresh);
    }
    for (size_t a = 0; a < na; a++) gth_result_free(&res[a]);
    free(res);
    sum->seconds = now_s() - t0;
    return 0;
}
