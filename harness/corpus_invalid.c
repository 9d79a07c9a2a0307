/* corpus_invalid: the mutated part of `gth corpus build`. The mutator's own
 * derivation (`gth mutate --derive`, harness/derive.h) grows labelled mutants of the
 * small valid cases; from them a selection spread over the invariants (at most
 * C per invariant, C the smallest cap that gives the target count) is checked
 * again here and filed by what rejects it: Go's reader (invalid/), only Go's
 * testtrace validator or the validator before the reader (invalid-validate/),
 * or bytes the text format cannot carry (invalid-bin/).
 *
 * Second, the catalogue's minimal negative inputs (tests/invariants, one per
 * invariant, found next to the corpus directory) are cases too, with mutants
 * of each that both Go and we still reject for the same invariant: so that the
 * invariants random mutation of valid traces seldom reaches appear in several
 * contexts. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/convert.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "mutate/mutator.h"
#include "harness/agree.h"
#include "harness/corpus.h"
#include "harness/derive.h"
#include "harness/files.h"
#include "harness/progress.h"
#include "harness/repro.h"

#define PARENTS_PER_VERSION 200
/* Mutants the derivation keeps, per case the corpus takes. */
#define DERIVE_PER_CASE 10

static const char *const sets[] = {"invalid", "invalid-validate", "invalid-bin"};

/* The set of a rejected case: see the top of the file. */
static int set_of_outcome(int test, const gth_corpus_outcome *o) {
    int golden = o->go_raw == RES_REJECT && gth_same_message_str(o->go_msg, o->go_raw_msg) &&
                 strncmp(o->go_msg, "panic: ", 7);
    return !test ? 2 : golden ? 0 : 1;
}

typedef struct cand {
    char file[256];     /* in the derivation's directory */
    char op[64];
    char parent[256];   /* valid/<name>.test */
    unsigned long long seed;
    unsigned inv;
    int take;
} cand;

/* `gth mutate --derive` from the parents in dir parents: count mutants into outdir. */
static int run_derive(FILE *log, const char *outdir, const char *parents, size_t count, char *why, size_t whysz) {
    gth_derive_opts d = {.outdir = outdir, .count = (long)count, .generated = 0, .stack = 1, .seed = 1,
                         .no_golden = 1, .from = {parents}, .nfrom = 1};
    int rc = gth_derive(&d, log);
    /* 1 means findings (listed on the log): they are left out, not an error. */
    if (rc != 0 && rc != 1) {
        snprintf(why, whysz, "gth mutate --derive failed (exit %d)", rc);
        return -1;
    }
    return 0;
}

/* Field k of a tab-separated line into out. */
static void tsv_field(const char *line, int k, char *out, size_t outsz) {
    for (int i = 0; i < k && line; i++) {
        line = strchr(line, '\t');
        if (line) line++;
    }
    if (!line) {
        out[0] = 0;
        return;
    }
    size_t n = strcspn(line, "\t\n");
    snprintf(out, outsz, "%.*s", (int)n, line);
}

/* The derivation's manifest: its kept mutants (findings are printed and left out). */
static long read_candidates(FILE *log, const char *derdir, cand **out, size_t *findings, char *why, size_t whysz) {
    char path[4400];
    snprintf(path, sizeof path, "%s/MANIFEST", derdir);
    uint8_t *data;
    size_t len;
    if (gth_io_read_all(path, &data, &len, why, whysz)) return -1;
    cand *v = calloc(len / 40 + 1, sizeof *v);
    long n = 0;
    if (!v) {
        free(data);
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    for (char *s = (char *)data, *e; s < (char *)data + len; s = e + 1) {
        e = memchr(s, '\n', (size_t)((char *)data + len - s));
        if (!e) e = (char *)data + len;
        *e = 0;
        if (*s == '#' || *s == 0) continue;
        cand *c = &v[n];
        char parent[512], seed[32], inv[128];
        tsv_field(s, 0, c->file, sizeof c->file);
        tsv_field(s, 1, c->op, sizeof c->op);
        tsv_field(s, 2, parent, sizeof parent);
        tsv_field(s, 3, seed, sizeof seed);
        tsv_field(s, 4, inv, sizeof inv);
        if (!strncmp(c->file, "findings/", 9)) {
            fprintf(log, "finding (left out): %s\n", s);
            (*findings)++;
            continue;
        }
        const char *base = strrchr(parent, '/');
        int w = snprintf(c->parent, sizeof c->parent, "valid/%s", base ? base + 1 : parent);
        if (w < 0 || (size_t)w >= sizeof c->parent) continue; /* no valid case has so long a name */
        c->seed = strtoull(seed, NULL, 10);
        c->inv = gth_invariant_find(inv);
        if (c->inv) n++;
    }
    free(data);
    *out = v;
    return n;
}

/* Marks at most C candidates per invariant, C the smallest cap that gives the
 * target (or all of them). Returns the number taken. */
static size_t select_spread(cand *v, long n, size_t target) {
    size_t per[GTH_INV__COUNT] = {0};
    for (long i = 0; i < n; i++) per[v[i].inv]++;
    size_t cap = 1;
    for (;; cap++) {
        size_t total = 0, maxed = 1;
        for (unsigned k = 0; k < GTH_INV__COUNT; k++) {
            total += per[k] < cap ? per[k] : cap;
            if (per[k] > cap) maxed = 0;
        }
        if (total >= target || maxed) break;
    }
    size_t used[GTH_INV__COUNT] = {0}, taken = 0;
    for (long i = 0; i < n; i++)
        if (used[v[i].inv] < cap) {
            used[v[i].inv]++;
            v[i].take = 1;
            taken++;
        }
    return taken;
}

typedef struct sized {
    const char *name;
    long long size;
} sized;

static int cmp_sized(const void *a, const void *b) {
    const sized *x = a, *y = b;
    int vx = strncmp(x->name, y->name, 7); /* go1.NN- first */
    if (vx) return vx;
    if (x->size != y->size) return x->size < y->size ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Parents: the PARENTS_PER_VERSION smallest valid cases of each version
 * (mutants stay a few KB and every version gets its share). */
static int symlink_parents(const char *dir, const char *valid, char *why, size_t whysz) {
    char **names;
    long n = gth_corpus_list(valid, ".test", &names);
    sized *v = n > 0 ? calloc((size_t)n, sizeof *v) : NULL;
    if (n <= 0 || !v || gth_io_mkdir_p(dir)) {
        snprintf(why, whysz, "%s: no valid cases to mutate", valid);
        free(v);
        gth_corpus_free_list(names, n);
        return -1;
    }
    char from[4400], to[4400], abs[PATH_MAX];
    for (long i = 0; i < n; i++) {
        struct stat st;
        snprintf(from, sizeof from, "%s/%s", valid, names[i]);
        v[i].name = names[i];
        v[i].size = stat(from, &st) == 0 ? (long long)st.st_size : 0;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_sized);
    long linked = 0, run = 0;
    for (long i = 0; i < n; i++) {
        run = i && !strncmp(v[i].name, v[i - 1].name, 7) ? run + 1 : 0;
        if (run >= PARENTS_PER_VERSION) continue;
        snprintf(from, sizeof from, "%s/%s", valid, v[i].name);
        snprintf(to, sizeof to, "%s/%s", dir, v[i].name);
        if (realpath(from, abs) && symlink(abs, to) == 0) linked++;
    }
    free(v);
    gth_corpus_free_list(names, n);
    if (!linked) {
        snprintf(why, whysz, "cannot link the parents into %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static void remove_tree(const char *dir) {
    char **names;
    const char *subs[] = {"", "/findings"};
    char sub[4200], path[4400];
    for (int k = 1; k >= 0; k--) {
        snprintf(sub, sizeof sub, "%s%s", dir, subs[k]);
        long n = gth_corpus_list(sub, "", &names);
        for (long i = 0; i < n; i++) {
            snprintf(path, sizeof path, "%s/%s", sub, names[i]);
            unlink(path);
        }
        gth_corpus_free_list(names, n);
        rmdir(sub);
    }
}

static int build_negatives(const char *dir, gth_corpus_runner *run, gth_corpus_manifest *man);

int gth_corpus_build_invalid(const char *dir, gth_corpus_runner *run, gth_corpus_manifest *man, size_t target,
                             size_t *excluded) {
    char why[9000], path[4400], work[4200], parents[4300], der[4300], valid[4200];
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, sets[k]);
        if (gth_io_mkdir_p(path) || gth_corpus_remove(path, k == 2 ? ".trace" : ".test")) {
            fprintf(run->log, "gth corpus: %s: %s\n", path, strerror(errno));
            return 2;
        }
    }
    snprintf(work, sizeof work, "%s/derive", run->tmpdir);
    snprintf(parents, sizeof parents, "%s/parents", work);
    snprintf(der, sizeof der, "%s/mutants", work);
    snprintf(valid, sizeof valid, "%s/valid", dir);
    cand *v = NULL;
    long n = -1;
    size_t findings = 0;
    int rc = 0;
    if (symlink_parents(parents, valid, why, sizeof why) || run_derive(run->log, der, parents, target * DERIVE_PER_CASE, why, sizeof why) ||
        (n = read_candidates(run->out, der, &v, &findings, why, sizeof why)) < 0) {
        fprintf(run->log, "gth corpus: %s\n", why);
        rc = 2;
    }
    size_t counts[3] = {0}, dropped = 0;
    gth_buf regen;
    gth_buf_init(&regen, NULL);
    if (!rc) select_spread(v, n, target);
    uint64_t ntake = 0, done = 0;
    for (long i = 0; i < n; i++) ntake += v[i].take != 0;
    gth_progress prog;
    gth_progress_start(&prog, run->log, -1, "gth corpus build: invalid", "mutants checked", ntake);
    for (long i = 0; !rc && i < n; i++) {
        if (!v[i].take) continue;
        const cand *c = &v[i];
        gth_progress_update(&prog, done++, c->file);
        uint8_t *data;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", der, c->file);
        if (gth_io_read_all(path, &data, &len, why, sizeof why)) {
            fprintf(run->log, "gth corpus: %s\n", why);
            rc = 2;
            break;
        }
        size_t fl = strlen(c->file);
        int test = fl > 5 && !strcmp(c->file + fl - 5, ".test");
        int bad = test ? gth_corpus_to_bin(run, data, len, c->file, why, sizeof why)
                       : gth_corpus_set_bin(run, data, len, why, sizeof why);
        gth_corpus_outcome o;
        if (bad || gth_corpus_run(run, run->binpath, 1, &o, why, sizeof why)) {
            fprintf(run->log, "gth corpus: %s: %s\n", c->file, why);
            free(data);
            rc = 2;
            break;
        }
        /* The set: who rejects it. Go's golden test can only expect a reader
         * error that no finding of Go's validator precedes (invalid/); the
         * validator's findings, and panics of Go's event API (the test would
         * crash), go to invalid-validate/. */
        int set = set_of_outcome(test, &o);
        int keep = o.go == RES_REJECT && o.gth == RES_REJECT && o.inv == c->inv;
        /* The origin must give the same trace again (the mutator is deterministic). */
        char origin[800];
        snprintf(origin, sizeof origin, "mutate op=%s seed=%llu parent=%s", c->op, c->seed, c->parent);
        int reproduces = 0;
        if (keep) {
            regen.len = 0;
            reproduces = gth_corpus_rederive(dir, origin, c->file, &regen, why, sizeof why) == 0 &&
                         regen.len == run->bin.len && !memcmp(regen.data, run->bin.data, regen.len);
        }
        if (!keep || !reproduces) {
            fprintf(run->out, "excluded mutant %s (%s seed %llu of %s): go %s %s; gth %s [%s]%s\n", c->file, c->op, c->seed,
                   c->parent, gth_verdict_word(o.go), o.go_msg, gth_verdict_word(o.gth),
                   gth_corpus_inv_id(o.inv), keep ? "; its origin does not reproduce it" : "");
            dropped++;
            free(data);
            continue;
        }
        /* valid/go1.26-gen-s00012.test + event-drop + seed 40 ->
         * invalid/go1.26-gen-s00012-event-drop-m40.test */
        char base[256], id[600];
        const char *pb = strrchr(c->parent, '/');
        snprintf(base, sizeof base, "%s", pb ? pb + 1 : c->parent);
        char *dot = strrchr(base, '.');
        if (dot) *dot = 0;
        snprintf(id, sizeof id, "%s/%s-%s-m%llu.%s", sets[set], base, c->op, c->seed, test ? "test" : "trace");
        o.version = gth_corpus_version(run->bin.data, run->bin.len); /* a mutant may change it */
        snprintf(path, sizeof path, "%s/%s", dir, id);
        gth_corpus_row row;
        if (gth_corpus_write_file(path, data, len)) {
            fprintf(run->log, "gth corpus: writing %s: %s\n", path, strerror(errno));
            rc = 2;
        } else if (gth_corpus_fill_row(&row, id, origin, len, &o) || gth_corpus_manifest_push(man, &row)) {
            gth_corpus_row_free(&row);
            fprintf(run->log, "gth corpus: out of memory\n");
            rc = 3;
        }
        counts[set]++;
        free(data);
    }
    gth_progress_finish(&prog, done);
    if (!rc)
        fprintf(run->log,
                "gth corpus: invalid: %zu (reader), %zu (validator only), %zu (binary) from %ld labelled mutants; "
                "%zu findings and %zu re-checked mutants left out\n",
                counts[0], counts[1], counts[2], n, findings, dropped);
    *excluded += findings + dropped;
    if (!rc) rc = build_negatives(dir, run, man);
    free(v);
    gth_buf_free(&regen);
    remove_tree(der);
    remove_tree(parents);
    rmdir(work);
    return rc;
}

/* ---- Mutants of the minimal negative inputs ------------------------------------ */

#define NEG_MUTANTS 12   /* kept per input */
#define NEG_TRIES 300    /* seeds tried per input */

typedef struct neg_ctx {
    const char *dir;
    gth_corpus_runner *run;
    gth_corpus_manifest *man;
    size_t counts[3], inputs;
} neg_ctx;

/* Adds case <set>/<name>.<ext> with the given bytes and origin. */
static int add_case(neg_ctx *c, int set, const char *name, const void *p, size_t n, const char *origin,
                    gth_corpus_outcome *o) {
    char id[700], path[4400];
    snprintf(id, sizeof id, "%s/%s.%s", sets[set], name, set == 2 ? "trace" : "test");
    snprintf(path, sizeof path, "%s/%s", c->dir, id);
    o->version = gth_corpus_version(c->run->bin.data, c->run->bin.len);
    gth_corpus_row row;
    if (gth_corpus_write_file(path, p, n)) {
        fprintf(c->run->log, "gth corpus: writing %s: %s\n", path, strerror(errno));
        return 2;
    }
    if (gth_corpus_fill_row(&row, id, origin, n, o) || gth_corpus_manifest_push(c->man, &row)) {
        gth_corpus_row_free(&row);
        fprintf(c->run->log, "gth corpus: out of memory\n");
        return 3;
    }
    c->counts[set]++;
    return 0;
}

/* A negative input's trace as binary (a .test file packed, a fuzz file decoded). */
static int neg_binary(const uint8_t *p, size_t n, const char *name, gth_buf *out, char *why, size_t whysz) {
    gth_error err;
    size_t l = strlen(name);
    int rc = l > 5 && !strcmp(name + l - 5, ".fuzz") ? gth_convert_fuzz_file(p, n, out, &err)
                                                     : gth_convert_text_to_binary(p, n, name, GTH_ENC_VERBATIM, out, &err);
    if (rc != GTH_OK) snprintf(why, whysz, "%s: %s", name, err.msg);
    return rc == GTH_OK ? 0 : -1;
}

/* A mutant as a .test file when the text format carries it byte for byte:
 * FAILURE with Go's text (the first line of its key part) as the pattern. 1 if
 * written to out. */
static int mutant_test(const gth_buf *mut, const char *go_msg, const char *comment, gth_buf *out) {
    gth_buf text, back, pat;
    gth_buf_init(&text, NULL);
    gth_buf_init(&back, NULL);
    gth_buf_init(&pat, NULL);
    gth_error err;
    int ok = 0;
    if (gth_convert_binary_to_text(mut->data, mut->len, GTH_DEC_FLAT, &text, &err) == GTH_OK &&
        gth_convert_text_to_binary(text.data, text.len, "mutant", GTH_ENC_VERBATIM, &back, &err) == GTH_OK &&
        back.len == mut->len && !memcmp(back.data, mut->data, back.len)) {
        size_t key = gth_message_key(go_msg, strlen(go_msg)), line = strcspn(go_msg, "\n");
        gth_regexp_quote(&pat, (const uint8_t *)go_msg, key < line ? key : line);
        gth_buf_putc(&pat, 0);
        gth_expect e;
        if (!pat.failed && gth_expect_init(&e, NULL, (const char *)pat.data, &err) == GTH_OK) {
            ok = gth_expect_matches(&e, go_msg) && gth_testfile_write(out, comment, &e, text.data, text.len) == GTH_OK;
            gth_expect_free(&e);
        }
    }
    gth_buf_free(&text);
    gth_buf_free(&back);
    gth_buf_free(&pat);
    return ok;
}

static int neg_input(neg_ctx *c, const char *negdir, const char *rel, const char *name) {
    char why[9000], path[4400], stem[256], origin[800], cname[600], comment[1200];
    size_t nl = strlen(name);
    snprintf(stem, sizeof stem, "%.*s", (int)(nl - 5), name);
    unsigned inv = gth_invariant_find(stem);
    if (!inv) return 0;
    int fuzz = !strcmp(name + nl - 5, ".fuzz");
    snprintf(path, sizeof path, "%s/%s", negdir, name);
    uint8_t *data;
    size_t len;
    if (gth_io_read_all(path, &data, &len, why, sizeof why)) {
        fprintf(c->run->log, "gth corpus: %s\n", why);
        return 2;
    }
    gth_buf pbin, mut, file;
    gth_buf_init(&pbin, NULL);
    gth_buf_init(&mut, NULL);
    gth_buf_init(&file, NULL);
    int rc = 0;
    gth_corpus_outcome o;
    if (neg_binary(data, len, name, &pbin, why, sizeof why) ||
        gth_corpus_set_bin(c->run, pbin.data, pbin.len, why, sizeof why) ||
        gth_corpus_run(c->run, c->run->binpath, 1, &o, why, sizeof why)) {
        fprintf(c->run->log, "gth corpus: %s\n", why);
        rc = 2;
        goto out;
    }
    /* The input itself, if Go and we reject it for its invariant. */
    if (o.go == RES_REJECT && o.gth == RES_REJECT && o.inv == inv) {
        snprintf(cname, sizeof cname, "neg-%s", stem);
        snprintf(origin, sizeof origin, "%s %s/%s", fuzz ? "fuzz" : "copy", rel, name);
        rc = fuzz ? add_case(c, 2, cname, pbin.data, pbin.len, origin, &o)
                  : add_case(c, set_of_outcome(1, &o), cname, data, len, origin, &o);
        c->inputs++;
    } else {
        fprintf(c->run->out, "excluded negative input %s: go %s %s; gth %s [%s]\n", name, gth_verdict_word(o.go), o.go_msg,
               gth_verdict_word(o.gth), gth_corpus_inv_id(o.inv));
    }
    uint64_t hashes[NEG_MUTANTS];
    size_t kept = 0;
    for (uint64_t seed = 1; !rc && seed <= NEG_TRIES && kept < NEG_MUTANTS; seed++) {
        gth_error err;
        int op = -1;
        mut.len = 0;
        if (gth_mutate_buf(NULL, pbin.data, pbin.len, seed, -1, &mut, &op, &err) != GTH_OK || op < 0) continue;
        uint64_t h = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < mut.len; i++) h = (h ^ mut.data[i]) * 0x100000001b3ull;
        int dup = 0;
        for (size_t k = 0; k < kept; k++) dup |= hashes[k] == h;
        if (dup || gth_corpus_set_bin(c->run, mut.data, mut.len, why, sizeof why) ||
            gth_corpus_run(c->run, c->run->binpath, 1, &o, why, sizeof why))
            continue;
        if (o.go != RES_REJECT || o.gth != RES_REJECT || o.inv != inv) continue;
        snprintf(origin, sizeof origin, "mutate op=%s seed=%llu parent=%s/%s", gth_mutator_name(op),
                 (unsigned long long)seed, rel, name);
        snprintf(comment, sizeof comment, "Mutant of the minimal negative input %s/%s (%s): operator %s, seed %llu.\n",
                 rel, name, stem, gth_mutator_name(op), (unsigned long long)seed);
        snprintf(cname, sizeof cname, "neg-%s-%s-m%llu", stem, gth_mutator_name(op), (unsigned long long)seed);
        file.len = 0;
        int test = mutant_test(&mut, o.go_msg, comment, &file);
        rc = test ? add_case(c, set_of_outcome(1, &o), cname, file.data, file.len, origin, &o)
                  : add_case(c, 2, cname, mut.data, mut.len, origin, &o);
        hashes[kept++] = h;
    }
out:
    free(data);
    gth_buf_free(&pbin);
    gth_buf_free(&mut);
    gth_buf_free(&file);
    return rc;
}

/* The negative inputs: DIR/../tests/invariants when it exists. */
static int build_negatives(const char *dir, gth_corpus_runner *run, gth_corpus_manifest *man) {
    static const char rel[] = "../tests/invariants";
    char negdir[4300];
    snprintf(negdir, sizeof negdir, "%s/%s", dir, rel);
    struct stat st;
    if (stat(negdir, &st) != 0) {
        fprintf(run->log, "gth corpus: no %s: no cases from the minimal negative inputs\n", negdir);
        return 0;
    }
    neg_ctx c = {.dir = dir, .run = run, .man = man};
    int rc = 0;
    for (int k = 0; k < 2 && !rc; k++) {
        char **names;
        long n = gth_corpus_list(negdir, k ? ".fuzz" : ".test", &names);
        gth_progress prog;
        gth_progress_start(&prog, run->log, -1, "gth corpus build: negative inputs", "inputs", n > 0 ? (uint64_t)n : 0);
        for (long i = 0; i < n && !rc; i++) {
            gth_progress_update(&prog, (uint64_t)i, names[i]);
            rc = neg_input(&c, negdir, rel, names[i]);
        }
        gth_progress_finish(&prog, n > 0 ? (uint64_t)n : 0);
        gth_corpus_free_list(names, n);
    }
    if (!rc)
        fprintf(run->log,
                "gth corpus: negative inputs: %zu, with their mutants %zu (reader), %zu (validator only), %zu (binary)\n",
                c.inputs, c.counts[0], c.counts[1], c.counts[2]);
    return rc;
}

int gth_corpus_rederive(const char *dir, const char *origin, const char *id, gth_buf *out, char *why,
                        size_t whysz) {
    (void)id;
    char op[64], parent[512];
    unsigned long long seed;
    if (sscanf(origin, "mutate op=%63s seed=%llu parent=%511s", op, &seed, parent) != 3) {
        snprintf(why, whysz, "unreadable origin %s", origin);
        return -1;
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, parent);
    uint8_t *data;
    size_t len;
    if (gth_io_read_all(path, &data, &len, why, whysz)) return -1;
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    gth_error err;
    int rc = -1;
    int applied = -1;
    if (neg_binary(data, len, parent, &bin, why, whysz))
        ;
    else if (gth_mutate_buf(NULL, bin.data, bin.len, seed, -1, out, &applied, &err) != GTH_OK)
        snprintf(why, whysz, "mutating %s: %s", parent, err.msg);
    else if (applied < 0 || strcmp(gth_mutator_name(applied), op))
        snprintf(why, whysz, "seed %llu applies %s, not %s", seed, applied < 0 ? "nothing" : gth_mutator_name(applied),
                 op);
    else
        rc = 0;
    gth_buf_free(&bin);
    free(data);
    return rc;
}
