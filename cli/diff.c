/* The differential runner: trace sets, comparisons, the agreement table and
 * reproducers. */
#define _XOPEN_SOURCE 700
#include "cli/diff.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/quote.h"
#include "cli/io.h"
#include "cli/reduce.h"
#include "format/convert.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "mutate/mutator.h"
#include "generator/gen.h"
#include "spec/spec.h"

/* ---- Trace sets ---------------------------------------------------------------- */

int gth_traceset_init(gth_traceset *ts, char *why, size_t whysz) {
    memset(ts, 0, sizeof *ts);
    const char *tmp = getenv("TMPDIR");
    snprintf(ts->tmpdir, sizeof ts->tmpdir, "%s/gth-diff-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(ts->tmpdir)) {
        snprintf(why, whysz, "cannot create a temporary directory %s: %s", ts->tmpdir, strerror(errno));
        ts->tmpdir[0] = 0;
        return -1;
    }
    return 0;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f) {
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

void gth_traceset_free(gth_traceset *ts) {
    for (size_t i = 0; i < ts->n; i++) {
        free(ts->v[i].id);
        free(ts->v[i].set);
        free(ts->v[i].path);
    }
    free(ts->v);
    if (ts->tmpdir[0]) nftw(ts->tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    memset(ts, 0, sizeof *ts);
}

static int add_item(gth_traceset *ts, const char *id, const char *set, const char *path) {
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 64;
        gth_trace_item *v = realloc(ts->v, cap * sizeof *v);
        if (!v) return -1;
        ts->v = v;
        ts->cap = cap;
    }
    gth_trace_item *it = &ts->v[ts->n];
    it->id = strdup(id);
    it->set = strdup(set);
    it->path = strdup(path);
    if (!it->id || !it->set || !it->path) return -1;
    ts->n++;
    return 0;
}

/* A file name for a derived trace in the temporary directory. */
static void temp_path(gth_traceset *ts, char *buf, size_t n) {
    snprintf(buf, n, "%s/%zu.bin", ts->tmpdir, ts->n);
}

static int add_file(gth_traceset *ts, const char *path, const char *id, const char *set, char *why, size_t whysz) {
    uint8_t *data;
    size_t len;
    if (gth_io_read_all(path, &data, &len, why, whysz)) return -1;
    int rc = 0;
    gth_buf out;
    gth_buf_init(&out, NULL);
    gth_error err;
    int is_fuzz = len >= 16 && !memcmp(data, "go test fuzz v1\n", 16);
    int is_binary = len >= 5 && !memcmp(data, "go 1.", 5);
    if (is_binary) {
        rc = add_item(ts, id, set, path);
    } else if (is_fuzz || gth_testfile_detect(data, len) || (len >= 6 && memchr(data, '\n', len) && strstr((const char *)data, "Trace Go1."))) {
        int st = is_fuzz ? gth_convert_fuzz_file(data, len, &out, &err)
                         : gth_convert_text_to_binary(data, len, path, GTH_ENC_VERBATIM, &out, &err);
        if (st != GTH_OK) {
            snprintf(why, whysz, "%s:%llu: %s", path,
                     (unsigned long long)(err.line ? err.line : err.offset == GTH_NO_OFFSET ? 0 : err.offset), err.msg);
            rc = -1;
        } else {
            char tp[4200];
            temp_path(ts, tp, sizeof tp);
            rc = gth_io_write_all(tp, out.data, out.len, why, whysz) ? -1 : add_item(ts, id, set, tp);
        }
    } else {
        rc = add_item(ts, id, set, path); /* not a trace by its looks: a test input all the same */
    }
    gth_buf_free(&out);
    free(data);
    if (rc && !why[0]) snprintf(why, whysz, "out of memory");
    return rc;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int add_dir(gth_traceset *ts, const char *dir, const char *prefix, const char *set, char *why, size_t whysz) {
    DIR *d = opendir(dir);
    if (!d) return snprintf(why, whysz, "cannot open %s: %s", dir, strerror(errno)), -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) break;
            names = nn;
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[4200], id[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(id, sizeof id, "%s%s%s", prefix, *prefix ? "/" : "", names[i]);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) rc = add_dir(ts, path, id, set, why, whysz);
        else if (S_ISREG(st.st_mode)) rc = add_file(ts, path, id, set, why, whysz);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

int gth_traceset_add_path(gth_traceset *ts, const char *path, const char *set, char *why, size_t whysz) {
    struct stat st;
    why[0] = 0;
    if (stat(path, &st) != 0) return snprintf(why, whysz, "%s: %s", path, strerror(errno)), -1;
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s/%s", set, base);
    if (S_ISDIR(st.st_mode)) return add_dir(ts, path, set, set, why, whysz);
    return add_file(ts, path, prefix, set, why, whysz);
}

const char *gth_goroot(char *buf, size_t n) {
    FILE *p = popen("go env GOROOT 2>/dev/null", "r");
    if (!p) return NULL;
    if (!fgets(buf, (int)n, p)) buf[0] = 0;
    pclose(p);
    buf[strcspn(buf, "\r\n")] = 0;
    return buf[0] ? buf : NULL;
}

int gth_traceset_add_goroot(gth_traceset *ts, const char *goroot, char *why, size_t whysz) {
    char dir[4200];
    why[0] = 0;
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/tests", goroot);
    if (add_dir(ts, dir, "golden", "golden", why, whysz)) return -1;
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/fuzz/FuzzReader", goroot);
    return add_dir(ts, dir, "fuzz", "fuzz", why, whysz);
}

static uint64_t xorshift(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int gth_traceset_add_variants(gth_traceset *ts, const char *set, size_t max, char *why, size_t whysz) {
    size_t parents = 0, end = ts->n;
    why[0] = 0;
    for (size_t i = 0; i < end; i++) parents += !strcmp(ts->v[i].set, set);
    if (!parents || !max) return 0;
    size_t per = max / parents ? max / parents : 1;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    static const uint8_t interesting[] = {0, 1, 2, 0x34, 0x7f, 0x80, 0xff};
    size_t made = 0;
    for (size_t i = 0; i < end && made < max; i++) {
        if (strcmp(ts->v[i].set, set)) continue;
        uint8_t *d;
        size_t len;
        if (gth_io_read_all(ts->v[i].path, &d, &len, why, whysz)) return -1;
        const char *base = strrchr(ts->v[i].id, '/');
        base = base ? base + 1 : ts->v[i].id;
        for (size_t k = 0; k < per && made < max && len > 17; k++) {
            char id[4200], tp[4200];
            temp_path(ts, tp, sizeof tp);
            int rc;
            if (k % 2 == 0) { /* a truncation */
                size_t off = 16 + (size_t)(xorshift(&seed) % (len - 16));
                snprintf(id, sizeof id, "variant/%s-t%zu", base, off);
                rc = gth_io_write_all(tp, d, off, why, whysz);
            } else { /* one corrupted byte */
                size_t at = 16 + (size_t)(xorshift(&seed) % (len - 16));
                uint64_t r = xorshift(&seed);
                uint8_t old = d[at];
                d[at] = r % 3 == 0 ? interesting[(r >> 8) % sizeof interesting]
                        : r % 3 == 1 ? (uint8_t)(old ^ (1u << ((r >> 8) % 8)))
                                     : (uint8_t)(r >> 16);
                snprintf(id, sizeof id, "variant/%s-c%zu-%02x", base, at, d[at]);
                rc = gth_io_write_all(tp, d, len, why, whysz);
                d[at] = old;
            }
            if (rc || add_item(ts, id, "variant", tp)) {
                free(d);
                return -1;
            }
            made++;
        }
        free(d);
    }
    return 0;
}

/* Parents larger than this give no mutants: each of theirs costs the adapters
 * as much as the parent, and small traces mutate into the same failures. */
#define MUTANT_PARENT_MAX (128u << 10)

static int small_parent(const gth_trace_item *it, const char *set) {
    struct stat st;
    return !strcmp(it->set, set) && stat(it->path, &st) == 0 && (uint64_t)st.st_size <= MUTANT_PARENT_MAX;
}

int gth_traceset_add_mutants(gth_traceset *ts, const char *set, size_t max, char *why, size_t whysz) {
    size_t parents = 0, end = ts->n;
    why[0] = 0;
    for (size_t i = 0; i < end; i++) parents += (size_t)small_parent(&ts->v[i], set);
    if (!parents || !max) return 0;
    size_t per = max / parents ? max / parents : 1, made = 0;
    for (size_t i = 0; i < end && made < max; i++) {
        if (!small_parent(&ts->v[i], set)) continue;
        uint8_t *d;
        size_t len;
        if (gth_io_read_all(ts->v[i].path, &d, &len, why, whysz)) return -1;
        const char *base = strrchr(ts->v[i].id, '/');
        base = base ? base + 1 : ts->v[i].id;
        for (size_t k = 0; k < per && made < max; k++) {
            /* The seed depends on the parent's name and k only: the same set every run. */
            uint64_t seed = 0xcbf29ce484222325ULL;
            for (const char *c = ts->v[i].id; *c; c++) seed = (seed ^ (uint8_t)*c) * 0x100000001b3ULL;
            seed += k;
            gth_buf out;
            gth_buf_init(&out, NULL);
            gth_error err;
            int op = -1, rc = 0;
            if (gth_mutate_buf(NULL, d, len, seed, -1, &out, &op, &err) == GTH_OK) {
                char id[4200], tp[4200];
                snprintf(id, sizeof id, "mutant/%s-%s-%zu", base, gth_mutator_name(op), k);
                temp_path(ts, tp, sizeof tp);
                rc = gth_io_write_all(tp, out.data, out.len, why, whysz) || add_item(ts, id, "mutant", tp);
                made++;
            } else if (err.status == GTH_ENOMEM) {
                rc = -1;
            }
            gth_buf_free(&out);
            if (rc) {
                free(d);
                if (!why[0]) snprintf(why, whysz, "out of memory");
                return -1;
            }
        }
        free(d);
    }
    return 0;
}

int gth_traceset_add_generated(gth_traceset *ts, size_t per_version, char *why, size_t whysz) {
    const unsigned *versions;
    size_t nv = gth_versions_v2(&versions);
    why[0] = 0;
    for (size_t v = 0; v < nv; v++)
        for (uint64_t seed = 1; seed <= per_version; seed++) {
            gth_gen_config cfg;
            gth_gen_config_init(&cfg, versions[v], seed);
            gth_buf out;
            gth_buf_init(&out, NULL);
            gth_error err;
            char id[64], tp[4200];
            int rc = gth_gen_run_buf(&cfg, &out, NULL, &err);
            if (rc != GTH_OK) {
                snprintf(why, whysz, "generating go1.%u seed %llu: %s", versions[v], (unsigned long long)seed, err.msg);
            } else {
                snprintf(id, sizeof id, "generated/go1.%u-%llu", versions[v], (unsigned long long)seed);
                temp_path(ts, tp, sizeof tp);
                rc = gth_io_write_all(tp, out.data, out.len, why, whysz) || add_item(ts, id, "generated", tp);
            }
            gth_buf_free(&out);
            if (rc) {
                if (!why[0]) snprintf(why, whysz, "out of memory");
                return -1;
            }
        }
    return 0;
}

/* ---- Expected failures ------------------------------------------------------------ */

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

static int expected_find(gth_expected *e, const char *id) {
    for (size_t i = 0; e && i < e->n; i++)
        if (!strcmp(e->ids[i], id)) return (int)i;
    return -1;
}

/* ---- Comparison ---------------------------------------------------------------------- */

typedef struct cmp_out {
    int verdict_ok, message_ok, message_compared, stream_ok, stream_compared;
    size_t line;              /* first differing line (1-based), 0 if none */
} cmp_out;

int gth_diff_same_message(const gth_buf *a, const gth_buf *b) {
    static const char stuck[] = "broken trace: failed to advance";
    size_t k = sizeof stuck - 1;
    /* The state dump after "failed to advance" is in Go's map order. */
    if (a->len >= k && b->len >= k && !memcmp(a->data, stuck, k) && !memcmp(b->data, stuck, k)) return 1;
    return a->len == b->len && (a->len == 0 || !memcmp(a->data, b->data, a->len));
}

static void compare(const gth_result *a, const gth_result *b, cmp_out *c) {
    memset(c, 0, sizeof *c);
    c->verdict_ok = a->verdict == b->verdict;
    if (a->verdict == RES_REJECT && b->verdict == RES_REJECT) {
        c->message_compared = 1;
        c->message_ok = gth_diff_same_message(&a->msg, &b->msg);
    }
    if (a->verdict == RES_ERROR || b->verdict == RES_ERROR) return;
    /* Both accept: the whole streams; otherwise up to where one stopped. */
    c->stream_compared = 1;
    const uint8_t *p = a->lines.data, *q = b->lines.data;
    size_t pn = a->lines.len, qn = b->lines.len;
    size_t line = 1, i = 0;
    size_t common = pn < qn ? pn : qn;
    while (i < common && p[i] == q[i]) {
        if (p[i] == '\n') line++;
        i++;
    }
    int both_accept = a->verdict == RES_ACCEPT && b->verdict == RES_ACCEPT;
    int whole = !a->truncated && !b->truncated;
    if (i == pn && i == qn) c->stream_ok = !both_accept || !whole || a->nlines == b->nlines;
    else if (i == common && !both_accept) c->stream_ok = (i == 0 || (i == pn ? p : q)[i - 1] == '\n');
    else if (i == common && (a->truncated || b->truncated)) c->stream_ok = 1;
    else c->stream_ok = 0;
    if (!c->stream_ok) c->line = line;
}

int gth_results_agree(const gth_result *a, const gth_result *b, int texts) {
    cmp_out c;
    compare(a, b, &c);
    return c.verdict_ok && (!c.stream_compared || c.stream_ok) && (!texts || !c.message_compared || c.message_ok);
}

static const char *nth_line(const gth_buf *b, size_t line, size_t *len) {
    *len = 0;
    if (!b->data) return "(end of stream)";
    const char *p = (const char *)b->data, *end = p + b->len;
    for (size_t l = 1; p && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        if (l == line) {
            *len = (size_t)(nl - p);
            return p;
        }
        p = nl + 1;
    }
    *len = 0;
    return "(end of stream)";
}

static const char *verdict_name(int v) { return v == RES_ACCEPT ? "ACCEPT" : v == RES_REJECT ? "REJECT" : "ERROR"; }

/* ---- Reproducers ------------------------------------------------------------------------ */

static void safe_name(const char *id, char *out, size_t n) {
    size_t k = 0;
    for (; *id && k + 1 < n; id++) out[k++] = (char)((*id == '/' || *id == ' ') ? '_' : *id);
    out[k] = 0;
}

static void write_output(const char *path, const gth_result *r) {
    FILE *f = fopen(path, "w");
    if (!f) return;
    if (r->lines.len) fwrite(r->lines.data, 1, r->lines.len, f);
    if (r->truncated) fprintf(f, "... (%zu lines in all)\n", r->nlines);
    gth_buf q;
    gth_buf_init(&q, NULL);
    gth_quote_append(&q, r->msg.data ? r->msg.data : (const uint8_t *)"", r->msg.len);
    if (r->verdict == RES_ACCEPT) fprintf(f, "ACCEPT\n");
    else fprintf(f, "%s %.*s\n", verdict_name(r->verdict), (int)q.len, (const char *)q.data);
    gth_buf_free(&q);
    fclose(f);
}

void gth_regexp_quote(gth_buf *b, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\.+*?()|[]{}^$", s[i])) gth_buf_putc(b, '\\');
        gth_buf_putc(b, s[i]);
    }
}

int gth_diff_write_test(const char *path, const uint8_t *bin, size_t len, const char *comment, const gth_result *expect,
                        char *why, size_t whysz) {
    gth_buf text, file, pat;
    gth_buf_init(&text, NULL);
    gth_buf_init(&file, NULL);
    gth_buf_init(&pat, NULL);
    gth_error err;
    int rc = -1;
    if (gth_convert_binary_to_text(bin, len, GTH_DEC_FLAT, &text, &err) != GTH_OK) {
        snprintf(why, whysz, "not representable in Go's text format: %s", err.msg);
    } else {
        gth_expect e;
        int failure = expect->verdict == RES_REJECT;
        if (failure) {
            const uint8_t *nl = expect->msg.len ? memchr(expect->msg.data, '\n', expect->msg.len) : NULL;
            size_t first = nl ? (size_t)(nl - expect->msg.data) : expect->msg.len; /* msg is not NUL-terminated */
            gth_regexp_quote(&pat, expect->msg.data, first);
            gth_buf_putc(&pat, 0);
        }
        if (gth_expect_init(&e, NULL, failure ? (const char *)pat.data : NULL, &err) == GTH_OK &&
            gth_testfile_write(&file, comment, &e, text.data, text.len) == GTH_OK)
            rc = gth_io_write_all(path, file.data, file.len, why, whysz);
        else
            snprintf(why, whysz, "%s", err.msg);
        gth_expect_free(&e);
    }
    gth_buf_free(&text);
    gth_buf_free(&file);
    gth_buf_free(&pat);
    return rc;
}

static void write_reproducer(const gth_diff_opts *o, const gth_trace_item *it, const gth_adapter *A,
                             const gth_adapter *B, const gth_result *ra, const gth_result *rb, const cmp_out *c,
                             char *where, size_t wsz) {
    char base[4200], path[8600];
    safe_name(it->id, base, sizeof base);
    mkdir(o->out_dir, 0777);
    uint8_t *bin;
    size_t len;
    char why[512];
    where[0] = 0;
    if (gth_io_read_all(it->path, &bin, &len, why, sizeof why)) return;
    gth_buf comment;
    gth_buf_init(&comment, NULL);
    gth_buf_printf(&comment, "Disagreement on %s: %s says %s, %s says %s", it->id, A->name, verdict_name(ra->verdict),
                   B->name, verdict_name(rb->verdict));
    if (c->line) gth_buf_printf(&comment, "; streams differ at line %zu", c->line);
    gth_buf_printf(&comment, ".\nExpectation: what %s says.\n", A->name);
    gth_buf_putc(&comment, 0);
    snprintf(path, sizeof path, "%s/%s.test", o->out_dir, base);
    if (gth_diff_write_test(path, bin, len, (const char *)comment.data, ra, why, sizeof why) == 0)
        snprintf(where, wsz, "%s", path);
    if (!where[0]) { /* not representable as text: keep the bytes */
        snprintf(path, sizeof path, "%s/%s.bin", o->out_dir, base);
        gth_io_write_all(path, bin, len, why, sizeof why);
        snprintf(where, wsz, "%s", path);
    }
    snprintf(path, sizeof path, "%s/%s.%s.out", o->out_dir, base, A->name);
    write_output(path, ra);
    snprintf(path, sizeof path, "%s/%s.%s.out", o->out_dir, base, B->name);
    write_output(path, rb);
    gth_buf_free(&comment);
    free(bin);
}

/* Minimises the trace of a disagreement under the pair's two adapters, keeping
 * their verdicts. On success (1) path names the reduced trace, in the set's
 * temporary directory, and pp holds both results on it (free it). */
static int reduce_item(gth_traceset *ts, const gth_diff_opts *o, const gth_trace_item *it, gth_adapter *A,
                       gth_adapter *B, const gth_result *ra, const gth_result *rb, char *path, size_t pathsz,
                       gth_pair_pred *pp) {
    uint8_t *bin;
    size_t len;
    char why[4400], cand[4200];
    if (gth_io_read_all(it->path, &bin, &len, why, sizeof why)) return 0;
    snprintf(cand, sizeof cand, "%s/reduce-candidate", ts->tmpdir);
    snprintf(path, pathsz, "%s/reduced-%zu.bin", ts->tmpdir, (size_t)(it - ts->v));
    gth_pair_pred_init(pp, A, B, cand);
    pp->want_a = ra->verdict;
    pp->want_b = rb->verdict;
    gth_reduce_opts ro = {.pred = gth_pair_pred_fn, .ud = pp, .progress = o->verbose ? gth_red_progress : NULL,
                          .progress_ud = o->log};
    gth_reduce_stats st;
    gth_error err;
    gth_buf out;
    gth_buf_init(&out, NULL);
    int ok = gth_reduce(bin, len, &ro, &out, &st, &err) == GTH_OK &&
             gth_io_write_all(path, out.data, out.len, why, sizeof why) == 0 && gth_pair_pred_file(pp, path) > 0;
    if (ok)
        fprintf(o->log, "%sreduced %s: %llu -> %llu events, %llu -> %llu bytes, %llu candidates\n",
                isatty(2) ? "\r\033[K" : "", it->id, (unsigned long long)st.events_in, (unsigned long long)st.events_out,
                (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out, (unsigned long long)st.tests);
    else
        fprintf(o->log, "%scould not reduce %s: %s\n", isatty(2) ? "\r\033[K" : "", it->id,
                err.status ? err.msg : "the reduced trace lost the disagreement");
    unlink(cand);
    gth_buf_free(&out);
    free(bin);
    if (!ok) gth_pair_pred_free(pp);
    return ok;
}

/* ---- The run ------------------------------------------------------------------------------- */

typedef struct stats {
    size_t traces, verdicts, messages_ok, messages, streams_ok, streams, known, fresh;
} stats;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void print_json_str(FILE *f, const char *s) {
    gth_buf q;
    gth_buf_init(&q, NULL);
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
    gth_buf_free(&q);
}

int gth_diff_run(gth_traceset *ts, gth_diff_opts *o) {
    size_t na = o->nadapters, np = o->npairs;
    /* Sets, in order of first appearance. */
    const char *sets[16];
    size_t nsets = 0;
    for (size_t i = 0; i < ts->n; i++) {
        size_t s = 0;
        while (s < nsets && strcmp(sets[s], ts->v[i].set)) s++;
        if (s == nsets && nsets < 16) sets[nsets++] = ts->v[i].set;
    }
    stats *st = calloc((nsets + 1) * (np ? np : 1), sizeof *st); /* per set and pair; last row = all */
    gth_result *res = calloc(na, sizeof *res);
    if (!st || !res) return 2;
    for (size_t a = 0; a < na; a++) gth_result_init(&res[a]);
    int istty = isatty(2);
    double t0 = now_s(), last = t0;
    size_t fresh = 0;
    for (size_t i = 0; i < ts->n; i++) {
        gth_trace_item *it = &ts->v[i];
        for (size_t a = 0; a < na; a++) gth_adapter_run(&o->adapters[a], it->path, &res[a]);
        size_t s = 0;
        while (s < nsets && strcmp(sets[s], it->set)) s++;
        for (size_t p = 0; p < np; p++) {
            const gth_pair *pr = &o->pairs[p];
            cmp_out c;
            compare(&res[pr->a], &res[pr->b], &c);
            stats *rows[2] = {&st[s * np + p], &st[nsets * np + p]};
            int agree = c.verdict_ok && (!c.stream_compared || c.stream_ok);
            int known = 0;
            if (!agree) {
                int ka = expected_find(&o->expected[pr->a], it->id), kb = expected_find(&o->expected[pr->b], it->id);
                if (ka >= 0) o->expected[pr->a].seen[ka] = known = 1;
                if (kb >= 0) o->expected[pr->b].seen[kb] = known = 1;
            }
            for (int r = 0; r < 2; r++) {
                stats *x = rows[r];
                x->traces++;
                x->verdicts += (size_t)c.verdict_ok;
                x->messages += (size_t)c.message_compared;
                x->messages_ok += (size_t)(c.message_compared && c.message_ok);
                x->streams += (size_t)c.stream_compared;
                x->streams_ok += (size_t)(c.stream_compared && c.stream_ok);
                x->known += (size_t)(!agree && known);
                x->fresh += (size_t)(!agree && !known);
            }
            if (agree) {
                if (o->verbose && c.message_compared && !c.message_ok)
                    fprintf(o->log, "%s: %s and %s reject with different texts\n", it->id, o->adapters[pr->a].name,
                            o->adapters[pr->b].name);
                continue;
            }
            if (!known) fresh++;
            char where[8600] = "";
            if (o->out_dir && !known) {
                gth_pair_pred pp;
                char rpath[4300];
                if (o->reduce && reduce_item(ts, o, it, &o->adapters[pr->a], &o->adapters[pr->b], &res[pr->a],
                                             &res[pr->b], rpath, sizeof rpath, &pp)) {
                    gth_trace_item rit = *it;
                    rit.path = rpath;
                    cmp_out rc;
                    compare(&pp.ra, &pp.rb, &rc);
                    write_reproducer(o, &rit, &o->adapters[pr->a], &o->adapters[pr->b], &pp.ra, &pp.rb, &rc, where,
                                     sizeof where);
                    gth_pair_pred_free(&pp);
                } else {
                    write_reproducer(o, it, &o->adapters[pr->a], &o->adapters[pr->b], &res[pr->a], &res[pr->b], &c,
                                     where, sizeof where);
                }
            }
            if (istty) fprintf(o->log, "\r\033[K");
            fprintf(o->log, "%s %s: %s %s, %s %s", known ? "known difference" : "DISAGREEMENT", it->id,
                    o->adapters[pr->a].name, verdict_name(res[pr->a].verdict), o->adapters[pr->b].name,
                    verdict_name(res[pr->b].verdict));
            if (c.line) {
                size_t la, lb;
                const char *xa = nth_line(&res[pr->a].lines, c.line, &la), *xb = nth_line(&res[pr->b].lines, c.line, &lb);
                fprintf(o->log, "; streams differ at line %zu:\n  %s: %.*s\n  %s: %.*s", c.line, o->adapters[pr->a].name,
                        (int)(la > 300 ? 300 : la), xa, o->adapters[pr->b].name, (int)(lb > 300 ? 300 : lb), xb);
            }
            if (!c.verdict_ok)
                for (size_t k = 0; k < 2; k++) {
                    const gth_result *r = &res[k ? pr->b : pr->a];
                    if (r->verdict != RES_ACCEPT)
                        fprintf(o->log, "\n  %s: %.*s", o->adapters[k ? pr->b : pr->a].name,
                                (int)(r->msg.len > 300 ? 300 : r->msg.len), r->msg.data ? (const char *)r->msg.data : "");
                }
            if (where[0]) fprintf(o->log, "\n  reproducer: %s", where);
            fprintf(o->log, "\n");
        }
        double t = now_s();
        if (t - last >= (istty ? 0.2 : 10.0) || i + 1 == ts->n) {
            last = t;
            fprintf(o->log, "%s[%zu/%zu] %.0f%% %s, %zu new disagreement%s%s", istty ? "\r\033[K" : "", i + 1, ts->n,
                    100.0 * (double)(i + 1) / (double)ts->n, it->id, fresh, fresh == 1 ? "" : "s",
                    istty && i + 1 < ts->n ? "" : "\n");
            fflush(o->log);
        }
    }
    /* The agreement table. */
    if (o->json) {
        printf("{\"traces\":%zu,\"seconds\":%.3f,\"new_disagreements\":%zu,\"pairs\":[", ts->n, now_s() - t0, fresh);
        for (size_t p = 0; p < np; p++) {
            printf("%s{\"reference\":", p ? "," : "");
            print_json_str(stdout, o->adapters[o->pairs[p].a].name);
            printf(",\"adapter\":");
            print_json_str(stdout, o->adapters[o->pairs[p].b].name);
            printf(",\"sets\":{");
            for (size_t s = 0; s <= nsets; s++) {
                const stats *x = &st[s * np + p];
                if (s) printf(",");
                print_json_str(stdout, s < nsets ? sets[s] : "all");
                printf(":{\"traces\":%zu,\"verdicts_agree\":%zu,\"streams_compared\":%zu,\"streams_agree\":%zu,"
                       "\"messages_compared\":%zu,\"messages_agree\":%zu,\"known\":%zu,\"new\":%zu}",
                       x->traces, x->verdicts, x->streams, x->streams_ok, x->messages, x->messages_ok, x->known,
                       x->fresh);
            }
            printf("}}");
        }
        printf("]}\n");
    } else {
        for (size_t p = 0; p < np; p++) {
            printf("\n%s  vs  %s (reference)\n", o->adapters[o->pairs[p].b].name, o->adapters[o->pairs[p].a].name);
            printf("  %-10s %8s %17s %17s %17s %7s %5s\n", "set", "traces", "verdicts agree", "streams agree",
                   "error texts agree", "known", "new");
            for (size_t s = 0; s <= nsets; s++) {
                const stats *x = &st[s * np + p];
                char v[32], sm[32], m[32];
                snprintf(v, sizeof v, "%zu/%zu", x->verdicts, x->traces);
                snprintf(sm, sizeof sm, "%zu/%zu", x->streams_ok, x->streams);
                snprintf(m, sizeof m, "%zu/%zu", x->messages_ok, x->messages);
                printf("  %-10s %8zu %17s %17s %17s %7zu %5zu\n", s < nsets ? sets[s] : "all", x->traces, v, sm, m,
                       x->known, x->fresh);
            }
        }
        printf("\n%zu traces, %zu adapters, %.1f s: %s\n", ts->n, na, now_s() - t0,
               fresh ? "NEW DISAGREEMENTS (see above)" : "no new disagreement");
    }
    for (size_t a = 0; a < na; a++) {
        for (size_t k = 0; k < o->expected[a].n; k++)
            if (!o->expected[a].seen[k])
                fprintf(o->log, "note: expected difference %s of %s did not occur (the list entry may be stale)\n",
                        o->expected[a].ids[k], o->adapters[a].name);
        gth_result_free(&res[a]);
    }
    free(res);
    free(st);
    return fresh ? 1 : 0;
}
