/* The differential engine (harness/diff.h). */
#include "harness/diff.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/quote.h"
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
            int is_text = !strncmp(line, "text:\"", 6);
            gth_buf pat;
            gth_buf_init(&pat, NULL);
            char *sp;
            if (is_text) { /* text:"..." : the quoted pattern ends at the first unescaped quote */
                char *q = line + 6;
                while (*q && *q != '"') q += (*q == '\\' && q[1]) ? 2 : 1;
                if (*q != '"' || gth_unquote_append(&pat, line + 5, (size_t)(q + 1 - (line + 5))) != 0) {
                    snprintf(why, whysz, "%s: bad text pattern (a Go-quoted string): %s", path, line);
                    gth_buf_free(&pat);
                    free(d);
                    gth_expected_free(e);
                    return -1;
                }
                gth_buf_putc(&pat, 0);
                sp = q + 1;
            } else {
                sp = line + strcspn(line, " \t");
            }
            char *reason = *sp ? sp + 1 + strspn(sp + 1, " \t") : sp;
            *sp = 0;
            if (e->n == cap) {
                cap = cap ? cap * 2 : 16;
                e->ids = realloc(e->ids, cap * sizeof *e->ids);
                e->reasons = realloc(e->reasons, cap * sizeof *e->reasons);
                e->seen = realloc(e->seen, cap * sizeof *e->seen);
                e->is_text = realloc(e->is_text, cap * sizeof *e->is_text);
            }
            e->ids[e->n] = strdup(is_text ? (const char *)pat.data : line);
            e->reasons[e->n] = strdup(reason);
            e->seen[e->n] = 0;
            e->is_text[e->n] = is_text;
            e->n++;
            gth_buf_free(&pat);
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
    free(e->is_text);
    memset(e, 0, sizeof *e);
}

int gth_expected_match(const gth_expected *e, const char *id, const char *text, size_t textlen) {
    char *t = NULL;
    for (size_t i = 0; e && i < e->n; i++) {
        if (!e->is_text[i]) {
            if (!strcmp(e->ids[i], id) || fnmatch(e->ids[i], id, 0) == 0) return free(t), (int)i;
            continue;
        }
        if (!text) continue;
        if (!t && !(t = strndup(text, textlen))) return -1;
        if (fnmatch(e->ids[i], t, 0) == 0) return free(t), (int)i;
    }
    free(t);
    return -1;
}

int gth_expected_find(const gth_expected *e, const char *id) { return gth_expected_match(e, id, NULL, 0); }

int gth_diff_texts_policy(const gth_adapter *a, const gth_adapter *b) { return a->first_party && b->first_party; }

/* ---- Reduction --------------------------------------------------------------------------- */

/* Minimises the trace of a disagreement under the pair's two adapters, keeping
 * their verdicts. On success (1) path names the reduced trace, in the set's
 * temporary directory, and pp holds both results on it (free it); on a failure
 * (-1) why says what went wrong; 0 if the trace could not be read. */
static int reduce_item(gth_traceset *ts, const gth_diff_opts *o, const gth_trace_item *it, gth_adapter *A,
                       gth_adapter *B, int texts, const gth_result *ra, const gth_result *rb, char *path, size_t pathsz,
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
    pp->texts = texts;
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
    const char *suffix = o->npairs > 1 ? B->name : NULL;
    if (o->reduce) {
        /* The minimiser compares streams: adapters in digest mode (or answering
         * for two) run as copies in full mode, each with a process of its own. */
        gth_adapter fa, fb;
        int copies = A->digest || B->digest || A->both || B->both;
        int fa_ok = !copies || gth_adapter_clone(A, &fa) == 0, fb_ok = !copies || gth_adapter_clone(B, &fb) == 0;
        if (!fa_ok || !fb_ok) {
            if (copies && fa_ok) gth_adapter_close(&fa);
            if (copies && fb_ok) gth_adapter_close(&fb);
            r->reduced = -1;
            snprintf(why, whysz, "out of memory");
        } else {
            if (copies) fa.digest = fb.digest = fa.both = fb.both = 0;
            r->reduced = reduce_item(ts, o, it, copies ? &fa : A, copies ? &fb : B, pr->texts, &res[pr->a],
                                     &res[pr->b], rpath, sizeof rpath, &pp, &r->reduce_stats, why, whysz);
            if (copies) gth_adapter_close(&fa), gth_adapter_close(&fb);
        }
        if (r->reduced < 0) r->reduce_why = why;
    }
    if (r->reduced > 0) {
        gth_agreement rc;
        gth_compare(&pp.ra, &pp.rb, &rc);
        gth_write_reproducer(o->out_dir, it->id, suffix, rpath, A, B, &pp.ra, &pp.rb, rc.line, where, wsz);
        gth_pair_pred_free(&pp);
    } else {
        gth_write_reproducer(o->out_dir, it->id, suffix, it->path, A, B, &res[pr->a], &res[pr->b], r->cmp.line, where,
                             wsz);
    }
    r->reproducer = where[0] ? where : NULL;
}

/* 1 if both results carry the same stream digest. */
static int same_digest(const gth_result *x, const gth_result *y) {
    return x->has_digest && y->has_digest && x->nlines == y->nlines && !strcmp(x->digest, y->digest);
}

/* 1 if two runs of an adapter on one trace gave the same result (texts up to
 * the parts Go prints in map order: gth_same_message). */
static int same_result(const gth_result *x, const gth_result *y) {
    return x->verdict == y->verdict && x->failure == y->failure && x->nlines == y->nlines &&
           x->has_digest == y->has_digest && (!x->has_digest || !strcmp(x->digest, y->digest)) &&
           gth_same_message((const char *)x->msg.data, x->msg.len, (const char *)y->msg.data, y->msg.len) &&
           x->lines.len == y->lines.len && (!x->lines.len || !memcmp(x->lines.data, y->lines.data, x->lines.len));
}

/* Keeps a NUL after the text, so that it can be used as a C string. */
static void terminate(gth_result *r) {
    if (gth_buf_putc(&r->msg, 0) == 0) r->msg.len--;
}

static const char *text_of(const gth_result *r) { return r->msg.data ? (const char *)r->msg.data : ""; }

/* Takes adapter ad's answer on the trace (sent with gth_adapter_send) and runs
 * it again for --repeat; 1 if the runs differed. */
static int take_adapter(const gth_diff_opts *o, gth_adapter *ad, const gth_trace_item *it, gth_result *res,
                        gth_result *again) {
    gth_adapter_receive(ad, it->path, res);
    terminate(res);
    int nondet = 0;
    for (unsigned k = 1; k < o->repeat && !nondet; k++) {
        gth_adapter_run_id(ad, it->path, it->id, again);
        nondet = !same_result(res, again);
    }
    return nondet;
}

/* Takes the answers of adapter ad, in mode both, and of v, whose answer it
 * gives (the trace sent to ad with gth_adapter_send), and runs the trace
 * again for --repeat; sets nondet[0], nondet[1] if the runs of either
 * differed. */
static void take_both(const gth_diff_opts *o, gth_adapter *ad, gth_adapter *v, const gth_trace_item *it,
                      gth_result *res, gth_result *vres, gth_result *again, gth_result *vagain, int *nondet) {
    gth_adapter_receive_both(ad, v, it->path, res, vres);
    terminate(res);
    terminate(vres);
    nondet[0] = nondet[1] = 0;
    for (unsigned k = 1; k < o->repeat && !(nondet[0] && nondet[1]); k++) {
        gth_adapter_send(ad, it->path, it->id, again);
        gth_adapter_receive_both(ad, v, it->path, again, vagain);
        nondet[0] |= !same_result(res, again);
        nondet[1] |= !same_result(vres, vagain);
    }
}

/* What differs between two results that do not agree. */
static const char *what_differs(const gth_agreement *c, int texts) {
    if (!c->verdicts_agree) return "verdict";
    if (c->panic) return "panic";
    if (c->streams_compared && !c->streams_agree) return "stream";
    if (texts && c->messages_compared && !c->messages_agree) return "text";
    return "verdict";
}

static int timed_out(const gth_result *r) { return r->verdict == RES_ERROR && r->failure == GTH_FAIL_TIMEOUT; }
/* An adapter error (not a crash of the parser, not a timeout). */
static int errored(const gth_result *r) {
    return r->verdict == RES_ERROR && r->failure != GTH_FAIL_CRASH && r->failure != GTH_FAIL_TIMEOUT;
}

/* The outcome of one trace on one pair, into r. */
static void judge(gth_diff_opts *o, const gth_pair *pr, const int *nondet, gth_trace_result *r) {
    if (same_digest(r->ra, r->rb)) { /* the same stream: compared without its lines */
        gth_result x = *r->ra, y = *r->rb;
        x.lines.len = y.lines.len = 0;
        x.truncated = y.truncated = 0;
        gth_compare(&x, &y, &r->cmp);
    } else {
        gth_compare(r->ra, r->rb, &r->cmp);
    }
    r->nondet_a = nondet[pr->a];
    r->nondet_b = nondet[pr->b];
    r->agree = gth_agreement_ok(&r->cmp, pr->texts) && !r->nondet_a && !r->nondet_b;
    if (timed_out(r->ra) || timed_out(r->rb)) {
        r->outcome = GTH_OUTCOME_TIMEOUT;
        r->what = "timeout";
        r->reason = text_of(timed_out(r->rb) ? r->rb : r->ra);
        r->agree = 0;
        return;
    }
    if (errored(r->ra) || errored(r->rb)) {
        r->outcome = GTH_OUTCOME_ERROR;
        r->what = "error";
        r->reason = text_of(errored(r->rb) ? r->rb : r->ra);
        r->agree = 0;
        return;
    }
    if (r->agree) {
        r->outcome = GTH_OUTCOME_AGREE;
        return;
    }
    r->what = r->nondet_a || r->nondet_b ? "nondeterministic" : what_differs(&r->cmp, pr->texts);
    const gth_result *sides[2] = {r->ra, r->rb};
    size_t idx[2] = {pr->a, pr->b};
    for (int k = 0; k < 2; k++) {
        gth_expected *e = &o->expected[idx[k]];
        int m = gth_expected_match(e, r->trace->id, (const char *)sides[k]->msg.data, sides[k]->msg.len);
        if (m >= 0) {
            e->seen[m] = r->known = 1;
            if (!r->reason) r->reason = e->reasons[m];
        }
    }
    r->outcome = r->known ? GTH_OUTCOME_EXPECTED : GTH_OUTCOME_DISAGREE;
}

static void count(gth_diff_counts *x, const gth_trace_result *r) {
    const gth_agreement *c = &r->cmp;
    if (r->outcome == GTH_OUTCOME_SKIPPED) { /* counted apart, not among the traces compared */
        x->skipped++;
        return;
    }
    x->traces++;
    x->verdicts += (size_t)c->verdicts_agree;
    x->messages += (size_t)c->messages_compared;
    x->messages_ok += (size_t)(c->messages_compared && c->messages_agree);
    x->streams += (size_t)c->streams_compared;
    x->streams_ok += (size_t)(c->streams_compared && c->streams_agree);
    x->known += (size_t)(r->outcome == GTH_OUTCOME_EXPECTED);
    x->fresh += (size_t)(r->outcome == GTH_OUTCOME_DISAGREE);
    x->errors += (size_t)(r->outcome == GTH_OUTCOME_ERROR);
    x->timeouts += (size_t)(r->outcome == GTH_OUTCOME_TIMEOUT);
    x->skipped += (size_t)(r->outcome == GTH_OUTCOME_SKIPPED);
    x->nondet += (size_t)(r->outcome == GTH_OUTCOME_DISAGREE && (r->nondet_a || r->nondet_b));
}

/* The first line of a stream that differs, for the report. */
static void stream_line(const gth_result *x, size_t line, gth_buf *out) {
    out->len = 0;
    const char *p = (const char *)x->lines.data, *end = p ? p + x->lines.len : NULL;
    for (size_t l = 1; p && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        if (l == line) {
            gth_buf_append(out, p, (size_t)(nl - p));
            break;
        }
        p = nl + 1;
    }
    if (out->len == 0) gth_buf_append(out, "(end of stream)", 15);
    gth_buf_putc(out, 0);
}

/* The minor version of the trace's header ("go 1.N trace"), 0 if none. */
static unsigned trace_minor(const char *path) {
    char h[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(h, 1, sizeof h - 1, f);
    fclose(f);
    unsigned m = 0;
    if (n < 8 || memcmp(h, "go 1.", 5)) return 0;
    for (const char *p = h + 5; *p >= '0' && *p <= '9' && m < 1000; p++) m = m * 10 + (unsigned)(*p - '0');
    return m;
}

/* One row of the report. */
static int report_row(gth_diff_opts *o, const gth_trace_result *r, double seconds, char *why, size_t whysz) {
    gth_buf text[2], line[2];
    const gth_result *x[2] = {r->ra, r->rb};
    gth_report_side side[2];
    for (int k = 0; k < 2; k++) {
        gth_buf_init(&text[k], NULL);
        gth_buf_init(&line[k], NULL);
        gth_buf_append(&text[k], x[k]->msg.data ? x[k]->msg.data : (const uint8_t *)"", x[k]->msg.len);
        gth_buf_putc(&text[k], 0);
        if (r->cmp.line) stream_line(x[k], r->cmp.line, &line[k]);
        side[k] = (gth_report_side){.adapter = (k ? r->b : r->a)->name,
                                    .verdict = gth_result_word(x[k]),
                                    .text = x[k]->verdict == RES_ACCEPT ? NULL : (const char *)text[k].data,
                                    .events = x[k]->nlines,
                                    .line = r->cmp.line ? (const char *)line[k].data : NULL};
    }
    const char *repro = r->reproducer;
    size_t dl = o->report_dir ? strlen(o->report_dir) : 0;
    if (repro && dl && !strncmp(repro, o->report_dir, dl) && repro[dl] == '/') repro += dl + 1;
    gth_report_row row = {.trace = r->trace->id, .set = r->trace->set, .a = side[0], .b = side[1],
                          .outcome = r->outcome, .what = r->what, .line_no = r->cmp.line, .reason = r->reason,
                          .repro = repro, .seconds = seconds};
    gth_error err;
    gth_error_clear(&err);
    int rc = gth_report_add(o->report, &row, &err);
    if (rc != GTH_OK) snprintf(why, whysz, "%s", err.msg);
    for (int k = 0; k < 2; k++) {
        gth_buf_free(&text[k]);
        gth_buf_free(&line[k]);
    }
    return rc == GTH_OK ? 0 : -1;
}

/* One trace's results, from the adapters to the comparison. */
typedef struct slot {
    gth_result *res; /* [2 * na]: each adapter's result, then a scratch one for --repeat */
    int *nondet, *unread, *given, *again;
    unsigned minor;
    double seconds;
    int done;
} slot;

static int slot_init(slot *sl, size_t na) {
    memset(sl, 0, sizeof *sl);
    sl->res = calloc(2 * na + 1, sizeof *sl->res);
    sl->nondet = calloc(na + 1, sizeof *sl->nondet);
    sl->unread = calloc(na + 1, sizeof *sl->unread);
    sl->given = calloc(na + 1, sizeof *sl->given);
    sl->again = calloc(na + 1, sizeof *sl->again);
    for (size_t a = 0; sl->res && a < 2 * na; a++) gth_result_init(&sl->res[a]);
    return sl->res && sl->nondet && sl->unread && sl->given && sl->again ? 0 : -1;
}

static void slot_free(slot *sl, size_t na) {
    for (size_t a = 0; sl->res && a < 2 * na; a++) gth_result_free(&sl->res[a]);
    free(sl->res);
    free(sl->nondet);
    free(sl->unread);
    free(sl->given);
    free(sl->again);
}

/* Digest mode: the adapters of every pair whose digests do not show the same
 * stream run the trace again with full streams (full: their copies in full
 * mode), for the first differing line; each result keeps its digest. */
static void run_again(const gth_diff_opts *o, gth_adapter *ad, gth_adapter *full, const gth_trace_item *it,
                      slot *sl) {
    size_t na = o->nadapters;
    memset(sl->again, 0, na * sizeof *sl->again);
    for (size_t p = 0; p < o->npairs; p++) {
        size_t a = o->pairs[p].a, b = o->pairs[p].b;
        if (ad[a].digest && ad[b].digest && !sl->unread[a] && !sl->unread[b] && !same_digest(&sl->res[a], &sl->res[b]))
            sl->again[a] = sl->again[b] = 1;
    }
    for (size_t a = 0; a < na; a++) {
        if (!sl->again[a]) continue;
        gth_result *res = &sl->res[a];
        int had = res->has_digest;
        char digest[sizeof res->digest];
        memcpy(digest, res->digest, sizeof digest);
        gth_adapter_run_id(&full[a], it->path, it->id, res);
        terminate(res);
        res->has_digest = had;
        memcpy(res->digest, digest, sizeof digest);
    }
}

/* Runs the trace through the adapters ad[0..na) into sl. join[a] > 0: a's
 * process also answers for adapter join[a] - 1 (gth_adapter.both); < 0: a's
 * answer comes from adapter -join[a] - 1's process. */
static void run_trace(const gth_diff_opts *o, gth_adapter *ad, gth_adapter *full, const int *join,
                      const gth_trace_item *it, slot *sl) {
    size_t na = o->nadapters;
    double t = now_s();
    sl->minor = trace_minor(it->path);
    /* The external adapters read the trace while the built-in ones run. */
    for (size_t a = 0; a < na; a++) {
        sl->nondet[a] = 0;
        sl->unread[a] = !gth_adapter_reads(&ad[a], sl->minor);
        if (sl->unread[a]) {
            gth_result_reset(&sl->res[a]);
            gth_buf_printf(&sl->res[a].msg, "not given: it does not read go 1.%u", sl->minor);
            terminate(&sl->res[a]);
            continue;
        }
        sl->given[a] = 1;
        if (join[a] >= 0) gth_adapter_send(&ad[a], it->path, it->id, &sl->res[a]);
    }
    for (int external = 0; external < 2; external++)
        for (size_t a = 0; a < na; a++) {
            if (sl->unread[a] || ad[a].builtin == external || join[a] < 0) continue;
            if (join[a] > 0) {
                size_t v = (size_t)join[a] - 1;
                int nd[2];
                take_both(o, &ad[a], &ad[v], it, &sl->res[a], &sl->res[v], &sl->res[na + a], &sl->res[na + v], nd);
                sl->nondet[a] = nd[0];
                sl->nondet[v] = nd[1];
            } else {
                sl->nondet[a] = take_adapter(o, &ad[a], it, &sl->res[a], &sl->res[na + a]);
            }
        }
    int start_failed = 0;
    for (size_t a = 0; a < na; a++)
        start_failed |= sl->res[a].verdict == RES_ERROR && sl->res[a].failure == GTH_FAIL_START;
    if (full && !start_failed) run_again(o, ad, full, it, sl);
    sl->seconds = now_s() - t;
}

/* The run's state shared with the workers of --jobs. */
typedef struct run {
    gth_traceset *ts;
    gth_diff_opts *o;
    gth_diff_summary *sum;
    size_t nsets;
    unsigned *norm;
    int *join;       /* [na]: the adapters answered by one process (run_trace) */
    gth_result normed[2];
    /* Workers: */
    gth_adapter *ad; /* [jobs * na]: each worker's own adapter processes */
    gth_adapter *full; /* [jobs * na]: their copies in full-stream mode (digest mode), or NULL */
    slot *slots;     /* trace i in slots[i % window] */
    size_t window, next, emitted;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} run;

/* Compares, counts and reports one trace's results. */
static void take_trace(run *ru, size_t i, slot *sl) {
    gth_diff_opts *o = ru->o;
    gth_diff_summary *sum = ru->sum;
    gth_trace_item *it = &ru->ts->v[i];
    size_t na = o->nadapters, np = o->npairs, nsets = ru->nsets;
    for (size_t a = 0; a < na; a++)
        if (sl->res[a].verdict == RES_ERROR && sl->res[a].failure == GTH_FAIL_START) {
            sum->fatal = 1;
            snprintf(sum->fatal_why, sizeof sum->fatal_why, "%s", text_of(&sl->res[a]));
            return;
        }
    size_t s = 0;
    while (s < nsets && strcmp(sum->sets[s], it->set)) s++;
    int any_error = 0, any_timeout = 0;
    for (size_t p = 0; p < np; p++) {
        const gth_pair *pr = &o->pairs[p];
        gth_trace_result r;
        memset(&r, 0, sizeof r);
        r.trace = it;
        r.pair = p;
        r.a = &o->adapters[pr->a];
        r.b = &o->adapters[pr->b];
        r.ra = &sl->res[pr->a];
        r.rb = &sl->res[pr->b];
        char where[8600] = "", why[4400] = "";
        if (sl->unread[pr->a] || sl->unread[pr->b]) {
            r.outcome = GTH_OUTCOME_SKIPPED;
            snprintf(why, sizeof why, "%s does not read traces of version go 1.%u",
                     (sl->unread[pr->a] ? r.a : r.b)->name, sl->minor);
            r.reason = why;
        } else {
            if (ru->norm[p]) {
                gth_normalize(r.ra, ru->norm[p], &ru->normed[0]);
                gth_normalize(r.rb, ru->norm[p], &ru->normed[1]);
                r.ra = &ru->normed[0];
                r.rb = &ru->normed[1];
            }
            judge(o, pr, sl->nondet, &r);
        }
        count(&sum->counts[s * np + p], &r);
        count(&sum->counts[nsets * np + p], &r);
        any_error |= r.outcome == GTH_OUTCOME_ERROR;
        any_timeout |= r.outcome == GTH_OUTCOME_TIMEOUT;
        if (r.outcome == GTH_OUTCOME_DISAGREE) {
            sum->fresh++;
            if (o->out_dir) reproduce(ru->ts, o, it, pr, sl->res, &r, where, sizeof where, why, sizeof why);
        }
        if (o->report && report_row(o, &r, sl->seconds, why, sizeof why)) {
            sum->fatal = 1;
            snprintf(sum->fatal_why, sizeof sum->fatal_why, "report: %s", why);
        }
        if (o->on_result) o->on_result(o->ud, &r);
    }
    sum->errors += (size_t)any_error;
    sum->timeouts += (size_t)any_timeout;
    if (o->on_progress) o->on_progress(o->ud, it, i + 1, ru->ts->n, sum->fresh);
}

typedef struct worker {
    run *ru;
    size_t w;
    pthread_t th;
} worker;

static void *work(void *arg) {
    worker *wk = arg;
    run *ru = wk->ru;
    gth_adapter *ad = &ru->ad[wk->w * ru->o->nadapters];
    gth_adapter *full = ru->full ? &ru->full[wk->w * ru->o->nadapters] : NULL;
    for (;;) {
        pthread_mutex_lock(&ru->mu);
        while (!ru->stop && ru->next < ru->ts->n && ru->next >= ru->emitted + ru->window)
            pthread_cond_wait(&ru->cv, &ru->mu);
        if (ru->stop || ru->next >= ru->ts->n) {
            pthread_mutex_unlock(&ru->mu);
            return NULL;
        }
        size_t i = ru->next++;
        pthread_mutex_unlock(&ru->mu);
        slot *sl = &ru->slots[i % ru->window];
        run_trace(ru->o, ad, full, ru->join, &ru->ts->v[i], sl);
        pthread_mutex_lock(&ru->mu);
        sl->done = 1;
        pthread_cond_broadcast(&ru->cv);
        pthread_mutex_unlock(&ru->mu);
    }
}

/* Copies in full-stream mode of the adapters, n times over, when any adapter
 * is in digest mode: NULL otherwise, *ok = 0 when out of memory. */
static gth_adapter *full_copies(const gth_diff_opts *o, size_t n, int *ok) {
    size_t na = o->nadapters, k = 0;
    int any = 0;
    for (size_t a = 0; a < na; a++) any |= o->adapters[a].digest;
    if (!any || !n) return NULL;
    gth_adapter *v = calloc(n * na, sizeof *v);
    for (; v && k < n * na; k++) {
        if (gth_adapter_clone(&o->adapters[k % na], &v[k])) break;
        v[k].digest = v[k].both = 0;
    }
    if (v && k == n * na) return v;
    while (v && k > 0) gth_adapter_close(&v[--k]);
    free(v);
    *ok = 0;
    return NULL;
}

static void full_close(const gth_diff_opts *o, gth_adapter *v, size_t n) {
    for (size_t k = 0; v && k < n * o->nadapters; k++) gth_adapter_close(&v[k]);
    free(v);
}

/* The traces through jobs workers, taken in order. */
static void run_parallel(run *ru, size_t jobs) {
    gth_diff_opts *o = ru->o;
    size_t na = o->nadapters, n = ru->ts->n, started = 0;
    ru->window = 2 * jobs;
    ru->slots = calloc(ru->window, sizeof *ru->slots);
    ru->ad = calloc(jobs * na + 1, sizeof *ru->ad);
    worker *wk = calloc(jobs, sizeof *wk);
    int ok = ru->slots && ru->ad && wk;
    size_t ready = 0;
    for (; ok && ready < ru->window; ready++) ok = slot_init(&ru->slots[ready], na) == 0;
    size_t cloned = 0;
    for (; ok && cloned < jobs * na; cloned++) ok = gth_adapter_clone(&o->adapters[cloned % na], &ru->ad[cloned]) == 0;
    if (ok) ru->full = full_copies(o, jobs, &ok);
    pthread_mutex_init(&ru->mu, NULL);
    pthread_cond_init(&ru->cv, NULL);
    for (; ok && started < jobs; started++) {
        wk[started] = (worker){.ru = ru, .w = started};
        if (pthread_create(&wk[started].th, NULL, work, &wk[started])) break;
    }
    if (!ok || !started) {
        ru->sum->fatal = 1;
        snprintf(ru->sum->fatal_why, sizeof ru->sum->fatal_why, "out of memory or threads");
    }
    for (size_t i = 0; i < n && started && !ru->sum->fatal; i++) {
        slot *sl = &ru->slots[i % ru->window];
        pthread_mutex_lock(&ru->mu);
        while (!sl->done) pthread_cond_wait(&ru->cv, &ru->mu);
        pthread_mutex_unlock(&ru->mu);
        take_trace(ru, i, sl);
        pthread_mutex_lock(&ru->mu);
        sl->done = 0;
        ru->emitted = i + 1;
        pthread_cond_broadcast(&ru->cv);
        pthread_mutex_unlock(&ru->mu);
    }
    pthread_mutex_lock(&ru->mu);
    ru->stop = 1;
    pthread_cond_broadcast(&ru->cv);
    pthread_mutex_unlock(&ru->mu);
    for (size_t w = 0; w < started; w++) pthread_join(wk[w].th, NULL);
    /* What the clones did counts for the adapter. */
    for (size_t k = 0; k < cloned; k++) {
        o->adapters[k % na].answered += ru->ad[k].answered;
        gth_adapter_close(&ru->ad[k]);
    }
    for (size_t k = 0; k < ready; k++) {
        for (size_t a = 0; a < na; a++) ru->slots[0].given[a] |= ru->slots[k].given[a];
        if (k) slot_free(&ru->slots[k], na);
    }
    full_close(o, ru->full, jobs);
    ru->full = NULL;
    pthread_mutex_destroy(&ru->mu);
    pthread_cond_destroy(&ru->cv);
    free(ru->ad);
    free(wk);
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
    run ru;
    memset(&ru, 0, sizeof ru);
    ru.ts = ts;
    ru.o = o;
    ru.sum = sum;
    ru.nsets = sum->nsets;
    sum->npairs = np;
    sum->counts = calloc((ru.nsets + 1) * (np ? np : 1), sizeof *sum->counts);
    ru.norm = calloc(np ? np : 1, sizeof *ru.norm);
    ru.join = calloc(na + 1, sizeof *ru.join);
    slot one;
    int slot_ok = slot_init(&one, na) == 0;
    if (!sum->counts || !ru.norm || !ru.join || !slot_ok) {
        slot_free(&one, na);
        free(ru.norm);
        free(ru.join);
        gth_diff_summary_free(sum);
        return -1;
    }
    gth_result_init(&ru.normed[0]);
    gth_result_init(&ru.normed[1]);
    if (o->out_dir && gth_repro_dir_prepare(o->out_dir, sum->fatal_why, sizeof sum->fatal_why)) sum->fatal = 1;
    for (size_t a = 0; a < na; a++) gth_adapter_capabilities(&o->adapters[a]);
    for (size_t p = 0; p < np; p++) {
        unsigned fa = gth_norm_fields_of_api(o->adapters[o->pairs[p].a].api),
                 fb = gth_norm_fields_of_api(o->adapters[o->pairs[p].b].api);
        ru.norm[p] = o->normalize | (fa != fb ? fa | fb : 0);
    }
    /* Digest mode for the adapters whose every pair can compare digests: a pair
     * that cannot takes both of its adapters out, which may leave another pair of
     * one of them with a single side in digest mode, so repeat until stable. */
    for (size_t a = 0; a < na; a++) o->adapters[a].digest = !o->no_digest && o->adapters[a].digest_cap;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t p = 0; p < np; p++) {
            gth_adapter *A = &o->adapters[o->pairs[p].a], *B = &o->adapters[o->pairs[p].b];
            if ((A->digest || B->digest) && (!A->digest || !B->digest || ru.norm[p])) {
                A->digest = B->digest = 0;
                changed = 1;
            }
        }
    }
    /* The two profiles of one Go reader: one process (--profile=both). */
    for (size_t a = 0; a < na; a++) o->adapters[a].both = 0;
    for (size_t a = 0; a < na && !o->no_join; a++)
        for (size_t v = 0; v < na && !ru.join[a]; v++)
            if (!ru.join[v] && gth_adapter_can_join(&o->adapters[a], &o->adapters[v])) {
                o->adapters[a].both = 1;
                ru.join[a] = (int)v + 1;
                ru.join[v] = -(int)a - 1;
            }
    size_t jobs = o->jobs > ts->n ? ts->n : o->jobs;
    slot *given = &one;
    if (jobs > 1 && !sum->fatal) {
        run_parallel(&ru, jobs);
        given = &ru.slots[0];
    } else {
        int ok = 1;
        ru.full = full_copies(o, 1, &ok);
        if (!ok) {
            sum->fatal = 1;
            snprintf(sum->fatal_why, sizeof sum->fatal_why, "out of memory");
        }
        for (size_t i = 0; i < ts->n && !sum->fatal; i++) {
            run_trace(o, o->adapters, ru.full, ru.join, &ts->v[i], &one);
            take_trace(&ru, i, &one);
        }
        full_close(o, ru.full, 1);
    }
    /* An adapter that answered no trace at all is not running. */
    for (size_t a = 0; a < na && !sum->fatal; a++)
        if (given->given[a] && !o->adapters[a].answered) {
            sum->fatal = 1;
            snprintf(sum->fatal_why, sizeof sum->fatal_why, "adapter %s gave no verdict on any trace",
                     o->adapters[a].name);
        }
    if (ru.slots) {
        slot_free(&ru.slots[0], na);
        free(ru.slots);
    }
    slot_free(&one, na);
    gth_result_free(&ru.normed[0]);
    gth_result_free(&ru.normed[1]);
    free(ru.norm);
    free(ru.join);
    sum->seconds = now_s() - t0;
    return 0;
}
