/* The compatibility matrix of Go's trace readers (harness/matrix.h). */
#include "harness/matrix.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/agree.h"
#include "harness/files.h"
#include "harness/predicate.h"
#include "harness/repro.h"

const char *const gth_matrix_releases[GTH_MATRIX_RELEASES] = {"1.22", "1.23", "1.24", "1.25", "1.26", "1.27"};
const char *const gth_matrix_profiles[GTH_MATRIX_PROFILES] = {"parser", "validate"};

enum { NREF = GTH_MATRIX_PROFILES, NAD = NREF + GTH_MATRIX_RELEASES * GTH_MATRIX_PROFILES };

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- Classes --------------------------------------------------------------------- */

/* An error text as a class key: the part that is the same on every run
 * (gth_message_key), with each number (decimal, or 0x and hex digits) as N. */
static void norm_text(const gth_buf *msg, gth_buf *out) {
    const char *s = msg->data ? (const char *)msg->data : "";
    size_t n = gth_message_key(s, msg->len);
    for (size_t i = 0; i < n;) {
        if (s[i] == '0' && i + 2 < n && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2])) {
            for (i += 2; i < n && isxdigit((unsigned char)s[i]); i++) {}
            gth_buf_putc(out, 'N');
        } else if (isdigit((unsigned char)s[i])) {
            while (i < n && isdigit((unsigned char)s[i])) i++;
            gth_buf_putc(out, 'N');
        } else {
            gth_buf_putc(out, s[i++]);
        }
    }
}

/* Appends a file-name-safe form of s[0..n): lower-case letters and digits,
 * every other run as one '-', at most 60 bytes (cut at a '-'). */
static void slug(gth_buf *out, const char *s, size_t n) {
    size_t start = out->len;
    int dash = 0;
    for (size_t i = 0; i < n && out->len - start < 60; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c)) {
            if (dash && out->len > start) gth_buf_putc(out, '-');
            dash = 0;
            gth_buf_putc(out, tolower(c));
        } else {
            dash = 1;
        }
    }
    if (out->len - start >= 60)
        for (size_t k = out->len; k > start + 20; k--)
            if (out->data[k - 1] == '-') {
                out->len = k - 1;
                break;
            }
    if (out->len == start) gth_buf_append(out, "empty", 5);
}

/* The line-th (1-based) line of a stream, or NULL. */
static const char *line_at(const gth_result *r, size_t line, size_t *len) {
    const char *p = (const char *)r->lines.data, *end = p ? p + r->lines.len : NULL;
    for (size_t l = 1; p && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        if (l == line) return *len = (size_t)(nl - p), p;
        p = nl + 1;
    }
    return *len = 0, NULL;
}

/* The next field of a canonical line from *i: spaces inside quotes and
 * brackets do not end it. Returns its length (0 at the end). */
static size_t next_field(const char *s, size_t n, size_t *i, const char **f) {
    while (*i < n && s[*i] == ' ') (*i)++;
    size_t start = *i;
    int depth = 0, quoted = 0;
    for (; *i < n; (*i)++) {
        char c = s[*i];
        if (quoted) {
            if (c == '\\') (*i)++;
            else if (c == '"') quoted = 0;
        } else if (c == '"') {
            quoted = 1;
        } else if (c == '[') {
            depth++;
        } else if (c == ']') {
            depth--;
        } else if (c == ' ' && depth <= 0) {
            break;
        }
    }
    if (*i > n) *i = n;
    *f = s + start;
    return *i - start;
}

/* The name of the k-th field (0-based) f[0..n) of a line: Time, Kind, the key
 * before '=', Transition for A->B, else arg<k>. */
static void field_name(gth_buf *out, size_t k, const char *f, size_t n) {
    if (k == 0) return (void)gth_buf_append(out, "Time", 4);
    if (k == 1) return (void)gth_buf_append(out, "Kind", 4);
    size_t e = 0;
    while (e < n && f[e] != '=' && f[e] != '"' && f[e] != '[') e++;
    if (e < n && f[e] == '=') return (void)gth_buf_append(out, f, e);
    for (size_t i = 0; i + 1 < n; i++)
        if (f[i] == '-' && f[i + 1] == '>') return (void)gth_buf_append(out, "Transition", 10);
    gth_buf_printf(out, "arg%zu", k);
}

/* The class of a stream difference at line `line`: stream.<Kind>.<field>. */
static void stream_class(const gth_result *a, const gth_result *b, size_t line, gth_buf *name) {
    size_t na, nb;
    const char *la = line_at(a, line, &na), *lb = line_at(b, line, &nb);
    const char *kf, *src = la ? la : lb;
    size_t i = 0, n = la ? na : nb, kl;
    next_field(src ? src : "", src ? n : 0, &i, &kf);
    kl = next_field(src ? src : "", src ? n : 0, &i, &kf);
    gth_buf_append(name, "stream.", 7);
    gth_buf_append(name, kl ? kf : "none", kl ? kl : 4);
    gth_buf_putc(name, '.');
    if (!la || !lb) {
        gth_buf_printf(name, "%s", la ? "missing-event" : "extra-event");
        return;
    }
    size_t ia = 0, ib = 0;
    for (size_t k = 0;; k++) {
        const char *fa, *fb;
        size_t xa = next_field(la, na, &ia, &fa), xb = next_field(lb, nb, &ib, &fb);
        if (!xa && !xb) {
            gth_buf_append(name, "line", 4); /* the same fields, spaced otherwise */
            return;
        }
        if (xa != xb || memcmp(fa, fb, xa)) {
            field_name(name, k, xa ? fa : fb, xa ? xa : xb);
            return;
        }
    }
}

int gth_matrix_classify(const gth_result *a, const gth_result *b, int nondet_a, int nondet_b, gth_buf *name,
                        gth_buf *key) {
    gth_agreement c;
    gth_compare(a, b, &c);
    if (gth_agreement_ok(&c, 1) && !nondet_a && !nondet_b) return 0;
    size_t at = name->len;
    const gth_buf *text = NULL; /* the error text that names the class */
    if (nondet_a || nondet_b) {
        gth_buf_printf(name, "nondeterministic.%s", nondet_b ? "old" : "reference");
    } else if (b->verdict == RES_ERROR && b->failure == GTH_FAIL_CRASH) {
        gth_buf_printf(name, "crash");
    } else if (a->verdict == RES_ERROR && a->failure == GTH_FAIL_CRASH) {
        gth_buf_printf(name, "reference-crash");
    } else if (!c.verdicts_agree && a->verdict == RES_ACCEPT) {
        gth_buf_printf(name, "%s.", gth_result_panicked(b) ? "panic" : "old-rejects");
        text = &b->msg;
    } else if (!c.verdicts_agree) {
        gth_buf_printf(name, "old-accepts.");
        text = &a->msg;
    } else if (c.panic) {
        gth_buf_printf(name, "panic.");
        text = &b->msg;
    } else if (c.streams_compared && !c.streams_agree) {
        stream_class(a, b, c.line, name);
    } else {
        gth_buf_printf(name, "text.");
        text = &a->msg;
    }
    gth_buf_append(key, name->data + at, name->len - at);
    if (text) {
        gth_buf norm;
        gth_buf_init(&norm, NULL);
        norm_text(text, &norm);
        const char *t = norm.data ? (const char *)norm.data : "";
        size_t tl = norm.len;
        if (!strncmp(name->data ? (const char *)name->data + at : "", "panic.", 6) && !strncmp(t, "panic: ", 7))
            t += 7, tl -= 7; /* panic.<what>, not panic.panic-<what> */
        slug(name, t, tl);
        gth_buf_putc(key, '\n');
        gth_buf_append(key, t, tl);
        gth_buf_free(&norm);
    }
    return 1;
}

/* What a disagreement looks like, for people: which reader is
 * nondeterministic, or the texts, or the first differing lines; each cut to
 * 160 bytes. */
static char *detail_of(const gth_trace_result *r) {
    const gth_result *a = r->ra, *b = r->rb;
    const gth_adapter *A = r->a, *B = r->b;
    gth_agreement c;
    gth_compare(a, b, &c);
    gth_buf d;
    gth_buf_init(&d, NULL);
    if (r->nondet_a || r->nondet_b) {
        gth_buf_printf(&d, "%s gave different results when run again", (r->nondet_b ? B : A)->name);
        gth_buf_putc(&d, 0);
        return (char *)d.data;
    }
    const gth_result *x[2] = {a, b};
    const gth_adapter *ad[2] = {A, B};
    for (int k = 0; k < 2; k++) {
        size_t n;
        const char *s;
        if (c.verdicts_agree && c.streams_compared && !c.streams_agree && c.line) {
            s = line_at(x[k], c.line, &n);
            if (!s) s = "(end of stream)", n = 15;
        } else {
            s = x[k]->verdict == RES_ACCEPT ? "ACCEPT" : x[k]->msg.data ? (const char *)x[k]->msg.data : "";
            n = x[k]->verdict == RES_ACCEPT ? 6 : x[k]->msg.len;
        }
        gth_buf_printf(&d, "%s%s: %.*s%s", k ? "\n" : "", ad[k]->name, (int)(n > 160 ? 160 : n), s,
                       n > 160 ? "..." : "");
    }
    gth_buf_putc(&d, 0);
    return (char *)d.data;
}

/* ---- The run ----------------------------------------------------------------------- */

typedef struct mrun {
    const gth_matrix_opts *o;
    gth_matrix *m;
    gth_buf name, key;
    int oom;
} mrun;

static gth_matrix_class *class_find(gth_matrix_release *rel, const char *key) {
    for (size_t k = 0; k < rel->nclasses; k++)
        if (!strcmp(rel->classes[k].key, key)) return &rel->classes[k];
    return NULL;
}

/* A new class; its name made unique in the release (~2, ~3, ...). */
static gth_matrix_class *class_add(gth_matrix_release *rel, const char *name, const char *key) {
    gth_matrix_class *v = realloc(rel->classes, (rel->nclasses + 1) * sizeof *v);
    if (!v) return NULL;
    rel->classes = v;
    gth_matrix_class *c = &v[rel->nclasses];
    memset(c, 0, sizeof *c);
    size_t n = strlen(name) + 16;
    if (!(c->name = malloc(n)) || !(c->key = strdup(key))) return free(c->name), free(c->key), NULL;
    snprintf(c->name, n, "%s", name);
    for (unsigned k = 2;; k++) {
        size_t j = 0;
        while (j < rel->nclasses && strcmp(rel->classes[j].name, c->name)) j++;
        if (j == rel->nclasses) break;
        snprintf(c->name, n, "%s~%u", name, k);
    }
    rel->nclasses++;
    return c;
}

static void on_result(void *ud, const gth_trace_result *r) {
    mrun *mr = ud;
    size_t rel = r->pair / GTH_MATRIX_PROFILES, prof = r->pair % GTH_MATRIX_PROFILES;
    gth_matrix_release *R = &mr->m->rel[rel];
    gth_matrix_counts *x = &R->counts[prof];
    if (r->outcome == GTH_OUTCOME_SKIPPED) {
        x->skipped++;
        return;
    }
    x->read++;
    x->verdicts_agree += (size_t)r->cmp.verdicts_agree;
    x->streams_compared += (size_t)r->cmp.streams_compared;
    x->streams_agree += (size_t)(r->cmp.streams_compared && r->cmp.streams_agree);
    x->texts_compared += (size_t)r->cmp.messages_compared;
    x->texts_agree += (size_t)(r->cmp.messages_compared && r->cmp.messages_agree);
    if (r->outcome == GTH_OUTCOME_AGREE) {
        x->agree++;
        return;
    }
    if (r->outcome == GTH_OUTCOME_TIMEOUT || r->outcome == GTH_OUTCOME_ERROR) {
        x->timeouts += (size_t)(r->outcome == GTH_OUTCOME_TIMEOUT);
        x->errors += (size_t)(r->outcome == GTH_OUTCOME_ERROR);
        return;
    }
    mr->name.len = mr->key.len = 0;
    if (!gth_matrix_classify(r->ra, r->rb, r->nondet_a, r->nondet_b, &mr->name, &mr->key) ||
        gth_buf_putc(&mr->name, 0) || gth_buf_putc(&mr->key, 0)) {
        mr->oom |= mr->name.failed || mr->key.failed;
        return;
    }
    x->disagree++;
    gth_matrix_class *c = class_find(R, (const char *)mr->key.data);
    if (!c) {
        if (!(c = class_add(R, (const char *)mr->name.data, (const char *)mr->key.data))) return (void)(mr->oom = 1);
        c->example = strdup(r->trace->id);
        c->example_path = strdup(r->trace->path);
        c->example_profile = prof;
        c->detail = detail_of(r);
        if (!c->example || !c->example_path || !c->detail) mr->oom = 1;
    }
    c->count[prof]++;
}

static void on_progress(void *ud, const gth_trace_item *it, size_t done, size_t total, size_t fresh) {
    mrun *mr = ud;
    (void)fresh;
    if (mr->o->on_progress) mr->o->on_progress(mr->o->ud, it, done, total);
}

/* ---- Reproducers ----------------------------------------------------------------- */

/* The predicate "the class still holds between the two readers". */
typedef struct class_pred {
    gth_adapter *A, *B;
    unsigned norm;             /* stream fields left out (the pair's API generations) */
    unsigned repeat;           /* nondeterministic classes: runs per reader */
    const char *key;
    char path[4200];           /* candidate file */
    gth_result ra, rb, na, nb, again;
    gth_buf name, k;
    double deadline;           /* 0: none */
    gth_reduce_opts *ro;       /* its max_tests stops the reducer at the deadline */
    uint64_t calls;
} class_pred;

/* 1 if two runs gave the same result (texts up to the parts Go prints in map
 * order, as gth diff --repeat judges). */
static int same_run(const gth_result *x, const gth_result *y) {
    return x->verdict == y->verdict &&
           gth_same_message((const char *)x->msg.data, x->msg.len, (const char *)y->msg.data, y->msg.len) &&
           x->lines.len == y->lines.len &&
           (!x->lines.len || !memcmp(x->lines.data, y->lines.data, x->lines.len));
}

/* Runs adapter ad on the file (repeat times): 1 if the runs differed. */
static int run_reader(class_pred *p, gth_adapter *ad, gth_result *res) {
    gth_adapter_run(ad, p->path, res);
    int nondet = 0;
    for (unsigned k = 1; k < p->repeat && !nondet; k++) {
        gth_adapter_run(ad, p->path, &p->again);
        nondet = !same_run(res, &p->again);
    }
    return nondet;
}

/* 1 if the class holds on the file p->path. */
static int class_holds(class_pred *p) {
    int da = run_reader(p, p->A, &p->ra), db = run_reader(p, p->B, &p->rb);
    if ((p->ra.verdict == RES_ERROR && p->ra.failure != GTH_FAIL_CRASH) ||
        (p->rb.verdict == RES_ERROR && p->rb.failure != GTH_FAIL_CRASH))
        return 0;
    gth_normalize(&p->ra, p->norm, &p->na);
    gth_normalize(&p->rb, p->norm, &p->nb);
    p->name.len = p->k.len = 0;
    if (!gth_matrix_classify(&p->na, &p->nb, da, db, &p->name, &p->k)) return 0;
    return p->k.len == strlen(p->key) && !memcmp(p->k.data, p->key, p->k.len);
}

static int class_pred_fn(void *ud, const uint8_t *trace, size_t len) {
    class_pred *p = ud;
    p->calls++;
    if (p->deadline > 0 && now_s() > p->deadline) {
        /* Out of time: the reducer stops before the next candidate and keeps
         * the smallest trace found so far. */
        p->ro->max_tests = p->calls;
        return 0;
    }
    char why[512];
    if (gth_io_write_all(p->path, trace, len, why, sizeof why)) return -1;
    return class_holds(p);
}

static void class_pred_init(class_pred *p, gth_adapter *A, gth_adapter *B, unsigned repeat, const char *key,
                            const char *tmpdir) {
    memset(p, 0, sizeof *p);
    p->A = A;
    p->B = B;
    p->norm = gth_norm_fields_of_api(A->api) != gth_norm_fields_of_api(B->api)
                  ? gth_norm_fields_of_api(A->api) | gth_norm_fields_of_api(B->api)
                  : 0;
    p->repeat = repeat;
    p->key = key;
    snprintf(p->path, sizeof p->path, "%s/matrix-candidate", tmpdir);
    gth_result *rs[] = {&p->ra, &p->rb, &p->na, &p->nb, &p->again};
    for (size_t k = 0; k < sizeof rs / sizeof rs[0]; k++) gth_result_init(rs[k]);
    gth_buf_init(&p->name, NULL);
    gth_buf_init(&p->k, NULL);
}

static void class_pred_free(class_pred *p) {
    gth_result *rs[] = {&p->ra, &p->rb, &p->na, &p->nb, &p->again};
    for (size_t k = 0; k < sizeof rs / sizeof rs[0]; k++) gth_result_free(rs[k]);
    gth_buf_free(&p->name);
    gth_buf_free(&p->k);
    unlink(p->path);
}

/* The reproducer of class c of release rel: minimised first if asked (within
 * the deadline), then written as out_dir/<rel>/<name>.trace, .test (the
 * reference's verdict as its expectation) and each reader's output. */
static void reproduce(const gth_matrix_opts *o, gth_traceset *ts, gth_adapter *A, gth_adapter *B, const char *rel,
                      gth_matrix_class *c, double deadline) {
    uint8_t *bin;
    size_t len;
    char why[4400], dir[4300], path[8800];
    if (gth_io_read_all(c->example_path, &bin, &len, why, sizeof why)) {
        if (o->on_note) o->on_note(o->ud, why);
        return;
    }
    class_pred p;
    class_pred_init(&p, A, B, o->repeat > 1 ? o->repeat : 1, c->key, ts->tmpdir);
    gth_buf out;
    gth_buf_init(&out, NULL);
    const uint8_t *fin = bin;
    size_t flen = len;
    c->bytes_in = c->bytes_out = len;
    if (o->reduce) {
        gth_reduce_opts ro = {.pred = class_pred_fn, .ud = &p};
        p.ro = &ro;
        p.deadline = deadline;
        gth_reduce_stats st;
        memset(&st, 0, sizeof st);
        gth_error err;
        gth_error_clear(&err);
        c->reduced = -1;
        if (gth_reduce(bin, len, &ro, &out, &st, &err) == GTH_OK) {
            p.deadline = 0;
            if (gth_io_write_all(p.path, out.data, out.len, why, sizeof why) == 0 && class_holds(&p)) {
                fin = out.data;
                flen = out.len;
                c->reduced = 1;
                c->events_in = st.events_in;
                c->events_out = st.events_out;
                c->bytes_out = out.len;
            }
        }
        if (o->on_note) {
            char line[4800];
            if (c->reduced > 0)
                snprintf(line, sizeof line, "reduced %s/%s: %llu -> %llu bytes, %llu candidates%s", rel, c->name,
                         c->bytes_in, c->bytes_out, (unsigned long long)st.tests, st.limited ? " (time budget)" : "");
            else
                snprintf(line, sizeof line, "could not reduce %s/%s: %s", rel, c->name,
                         err.status ? err.msg : "the reduced trace lost the class");
            o->on_note(o->ud, line);
        }
    }
    /* The results on the trace kept. */
    p.deadline = 0;
    p.repeat = o->repeat > 1 ? o->repeat : 1;
    int holds = gth_io_write_all(p.path, fin, flen, why, sizeof why) == 0 && class_holds(&p);
    snprintf(dir, sizeof dir, "%s/%s", o->out_dir, rel);
    gth_io_mkdir_p(dir);
    snprintf(path, sizeof path, "%s/%s.trace", dir, c->name);
    if (gth_io_write_all(path, fin, flen, why, sizeof why) == 0) c->reproducer = strdup(path);
    else if (o->on_note) o->on_note(o->ud, why);
    if (holds) {
        char comment[2400];
        snprintf(comment, sizeof comment, "%s against %s: %s (gth matrix)", B->name, A->name, c->name);
        snprintf(path, sizeof path, "%s/%s.test", dir, c->name);
        c->has_test = gth_write_test(path, fin, flen, comment, &p.ra, why, sizeof why) == 0;
        snprintf(path, sizeof path, "%s/%s.reference.out", dir, c->name);
        gth_write_output(path, &p.na, 0);
        snprintf(path, sizeof path, "%s/%s.go%s.out", dir, c->name, rel);
        gth_write_output(path, &p.nb, 0);
    } else if (o->on_note) {
        snprintf(why, sizeof why, "%s/%s: the class did not hold when the reproducer was run again", rel, c->name);
        o->on_note(o->ud, why);
    }
    class_pred_free(&p);
    gth_buf_free(&out);
    free(bin);
}

/* ---- Entry points ------------------------------------------------------------------ */

static int make_reader(gth_adapter *a, const gth_matrix_opts *o, size_t rel, size_t prof, char *why, size_t whysz) {
    char spec[4400];
    if (!o->release_cmd[rel]) {
        snprintf(spec, sizeof spec, "go@%s:%s", gth_matrix_releases[rel], gth_matrix_profiles[prof]);
        return gth_adapter_parse(a, spec, o->gthref, why, whysz);
    }
    snprintf(spec, sizeof spec, "r=%s validate --profile=%s", o->release_cmd[rel], gth_matrix_profiles[prof]);
    if (gth_adapter_parse(a, spec, o->gthref, why, whysz)) return -1;
    snprintf(a->name, sizeof a->name, "go@%s:%s", gth_matrix_releases[rel], gth_matrix_profiles[prof]);
    a->first_party = 1; /* a stand-in for the release's reader: its texts are compared */
    return 0;
}

/* The output directory (gth_repro_dir_prepare), with the reproducers an
 * earlier run wrote into its release directories removed. */
static int prepare_out(const char *out, char *why, size_t whysz) {
    if (gth_repro_dir_prepare(out, why, whysz)) return -1;
    for (size_t r = 0; r < GTH_MATRIX_RELEASES; r++) {
        char dir[4300], path[8800];
        snprintf(dir, sizeof dir, "%s/%s", out, gth_matrix_releases[r]);
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            size_t n = strlen(de->d_name);
            if ((n > 6 && !strcmp(de->d_name + n - 6, ".trace")) || (n > 5 && !strcmp(de->d_name + n - 5, ".test")) ||
                (n > 4 && !strcmp(de->d_name + n - 4, ".out"))) {
                snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
                unlink(path);
            }
        }
        if (d) closedir(d);
    }
    return 0;
}

size_t gth_matrix_disagreements(const gth_matrix *m) {
    size_t n = 0;
    for (size_t r = 0; r < GTH_MATRIX_RELEASES; r++)
        for (size_t p = 0; p < GTH_MATRIX_PROFILES; p++) n += m->rel[r].counts[p].disagree;
    return n;
}

int gth_matrix_run(gth_traceset *ts, const gth_matrix_opts *o, gth_matrix *m, char *why, size_t whysz) {
    memset(m, 0, sizeof *m);
    double t0 = now_s();
    gth_adapter ad[NAD];
    gth_expected ex[NAD];
    gth_pair pairs[GTH_MATRIX_RELEASES * GTH_MATRIX_PROFILES];
    memset(ex, 0, sizeof ex);
    size_t na = 0;
    int rc = 0;
    for (size_t p = 0; p < NREF && !rc; p++) {
        char spec[32];
        snprintf(spec, sizeof spec, "go:%s", gth_matrix_profiles[p]);
        rc = gth_adapter_parse(&ad[na], spec, o->gthref, why, whysz);
        na += !rc;
    }
    for (size_t r = 0; r < GTH_MATRIX_RELEASES && !rc; r++)
        for (size_t p = 0; p < GTH_MATRIX_PROFILES && !rc; p++) {
            rc = make_reader(&ad[na], o, r, p, why, whysz);
            if (rc) break;
            pairs[r * GTH_MATRIX_PROFILES + p] = (gth_pair){p, na, 1};
            m->rel[r].release = gth_matrix_releases[r];
            _Static_assert(sizeof m->rel[r].reader[p] == sizeof ad[na].name, "adapter name size");
            _Static_assert(sizeof m->rel[r].reference[p] == sizeof ad[p].name, "adapter name size");
            memcpy(m->rel[r].reader[p], ad[na].name, sizeof ad[na].name);
            memcpy(m->rel[r].reference[p], ad[p].name, sizeof ad[p].name);
            na++;
        }
    for (size_t a = 0; a < na; a++)
        if (o->timeout_s > 0) ad[a].timeout_ms = o->timeout_s * 1000;
    if (!rc && o->out_dir) rc = prepare_out(o->out_dir, why, whysz);
    if (rc) {
        for (size_t a = 0; a < na; a++) gth_adapter_close(&ad[a]);
        return -1;
    }
    m->traces = ts->n;
    m->repeat = o->repeat;
    for (size_t i = 0; i < ts->n; i++) {
        size_t s = 0;
        while (s < m->nsets && strcmp(m->sets[s], ts->v[i].set)) s++;
        if (s == m->nsets && m->nsets == GTH_DIFF_MAX_SETS) continue;
        if (s == m->nsets) m->sets[m->nsets++] = ts->v[i].set;
        m->set_traces[s]++;
    }
    mrun mr = {.o = o, .m = m};
    gth_buf_init(&mr.name, NULL);
    gth_buf_init(&mr.key, NULL);
    gth_diff_opts d = {.adapters = ad,
                       .nadapters = na,
                       .expected = ex,
                       .pairs = pairs,
                       .npairs = GTH_MATRIX_RELEASES * GTH_MATRIX_PROFILES,
                       .repeat = o->repeat,
                       .jobs = o->jobs,
                       .on_result = on_result,
                       .on_progress = on_progress,
                       .ud = &mr};
    gth_diff_summary sum;
    if (gth_diff_run(ts, &d, &sum)) mr.oom = 1;
    else {
        m->fatal = sum.fatal;
        snprintf(m->fatal_why, sizeof m->fatal_why, "%s", sum.fatal_why);
        gth_diff_summary_free(&sum);
    }
    gth_buf_free(&mr.name);
    gth_buf_free(&mr.key);
    if (mr.oom) {
        for (size_t a = 0; a < na; a++) gth_adapter_close(&ad[a]);
        gth_matrix_free(m);
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    /* One reproducer per class; the reductions share the time budget. */
    double r0 = now_s();
    size_t left = 0;
    for (size_t r = 0; r < GTH_MATRIX_RELEASES; r++) left += m->rel[r].nclasses;
    for (size_t r = 0; r < GTH_MATRIX_RELEASES && o->out_dir && !m->fatal; r++)
        for (size_t k = 0; k < m->rel[r].nclasses; k++, left--) {
            gth_matrix_class *c = &m->rel[r].classes[k];
            double deadline = 0;
            if (o->reduce_seconds > 0) {
                double rest = o->reduce_seconds - (now_s() - r0);
                deadline = now_s() + (rest > 0 ? rest / (double)left : 0.001);
            }
            size_t b = NREF + r * GTH_MATRIX_PROFILES + c->example_profile;
            reproduce(o, ts, &ad[c->example_profile], &ad[b], gth_matrix_releases[r], c, deadline);
        }
    m->reduce_seconds = now_s() - r0;
    for (size_t a = 0; a < na; a++) gth_adapter_close(&ad[a]);
    m->seconds = now_s() - t0;
    return 0;
}

void gth_matrix_free(gth_matrix *m) {
    for (size_t r = 0; r < GTH_MATRIX_RELEASES; r++) {
        for (size_t k = 0; k < m->rel[r].nclasses; k++) {
            gth_matrix_class *c = &m->rel[r].classes[k];
            free(c->name);
            free(c->key);
            free(c->detail);
            free(c->example);
            free(c->example_path);
            free(c->reproducer);
        }
        free(m->rel[r].classes);
        m->rel[r].classes = NULL;
        m->rel[r].nclasses = 0;
    }
}

/* ---- Markdown ----------------------------------------------------------------------- */

/* Text in a table cell as code: | escaped, backquotes and new lines as
 * quotes and "; ". */
static void md_code(FILE *f, const char *s) {
    fputc('`', f);
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '`') fputc('\'', f);
        else if (*s == '\n') fputs("` / `", f);
        else fputc(*s, f);
    }
    fputc('`', f);
}

static void md_frac(FILE *f, size_t a, size_t b) {
    if (b) fprintf(f, " %zu/%zu |", a, b);
    else fprintf(f, " — |");
}

int gth_matrix_write_markdown(FILE *f, const gth_matrix *m) {
    fprintf(f, "%zu traces:", m->traces);
    for (size_t s = 0; s < m->nsets; s++) fprintf(f, "%s %s %zu", s ? "," : "", m->sets[s], m->set_traces[s]);
    fprintf(f, ". Each trace run %u time%s per reader.\n\n", m->repeat > 1 ? m->repeat : 1, m->repeat > 1 ? "s" : "");
    fprintf(f, "| reader | profile | traces read | skipped | agree | verdicts agree | streams agree | texts agree "
               "| disagree | classes | timeouts | errors |\n");
    fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t r = 0; r < GTH_MATRIX_RELEASES; r++)
        for (size_t p = 0; p < GTH_MATRIX_PROFILES; p++) {
            const gth_matrix_release *R = &m->rel[r];
            const gth_matrix_counts *x = &R->counts[p];
            size_t ncl = 0;
            for (size_t k = 0; k < R->nclasses; k++) ncl += R->classes[k].count[p] > 0;
            fprintf(f, "| `go@%s` | %s | %zu | %zu | %zu |", R->release, gth_matrix_profiles[p], x->read, x->skipped,
                    x->agree);
            md_frac(f, x->verdicts_agree, x->read);
            md_frac(f, x->streams_agree, x->streams_compared);
            md_frac(f, x->texts_agree, x->texts_compared);
            fprintf(f, " %zu | %zu | %zu | %zu |\n", x->disagree, ncl, x->timeouts, x->errors);
        }
    for (size_t r = 0; r < GTH_MATRIX_RELEASES; r++) {
        const gth_matrix_release *R = &m->rel[r];
        fprintf(f, "\n### `go@%s`\n\n", R->release);
        if (!R->nclasses) {
            fprintf(f, "No disagreement.\n");
            continue;
        }
        fprintf(f, "| class | parser | validate | first trace | reproducer | what differs |\n");
        fprintf(f, "|---|---:|---:|---|---|---|\n");
        for (size_t k = 0; k < R->nclasses; k++) {
            const gth_matrix_class *c = &R->classes[k];
            fprintf(f, "| `%s` | %zu | %zu | ", c->name, c->count[0], c->count[1]);
            md_code(f, c->example);
            fprintf(f, " | ");
            if (c->reproducer) {
                fprintf(f, "`%s/%s.%s`", R->release, c->name, c->has_test ? "test" : "trace");
                if (c->reduced > 0) fprintf(f, " (%llu → %llu bytes)", c->bytes_in, c->bytes_out);
                else fprintf(f, " (%llu bytes, not reduced)", c->bytes_in);
            } else {
                fprintf(f, "—");
            }
            fprintf(f, " | ");
            md_code(f, c->detail ? c->detail : "");
            fprintf(f, " |\n");
        }
    }
    return ferror(f) ? -1 : 0;
}
