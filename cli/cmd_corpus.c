/* gth corpus: the golden corpus (corpus/, docs/CORPUS.md). `build` regenerates
 * its generated and mutated parts and the manifest, `check` re-runs Go's reader
 * (the Go adapter) and our validator over the cases and verifies every manifest
 * row, `stats` prints the coverage table, `export` writes the cases as Go fuzz
 * corpus files and OSS-Fuzz seed zips. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/quote.h"
#include "cli/adapter.h"
#include "cli/cli.h"
#include "cli/corpus.h"
#include "cli/io.h"
#include "format/convert.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/header.h"
#include "format/testfile.h"
#include "generator/gen.h"
#include "spec/invariants.h"
#include "spec/spec.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth corpus build  [--dir DIR] [--valid N] [--invalid N]\n"
            "       gth corpus check  [--dir DIR] [--sample N] [--verbose]\n"
            "       gth corpus stats  [--dir DIR]\n"
            "       gth corpus export [--dir DIR] (--fuzz OUTDIR | --zip OUTDIR)\n\n"
            "The golden corpus in Go's layout (docs/CORPUS.md); DIR defaults to ./corpus.\n\n"
            "  build   regenerates DIR/valid (generator, N seeds per version, default 500,\n          and more for event types under 10)\n"
            "          and about N mutated cases (--invalid, default 2300, chosen from 10 N\n"
            "          mutants of `gth mutate --derive`), runs Go (gthref) and our validator on\n"
            "          every case and on DIR/real, and writes DIR/MANIFEST.tsv. Byte-identical\n"
            "          on every run. Generated cases Go and we do not both accept are left\n"
            "          out and listed on stdout.\n"
            "  check   re-runs Go and our validator on every case (or an evenly spread\n"
            "          sample of N), regenerates generated cases from their origin, and\n"
            "          verifies each manifest row, the .test expectations, and that the\n"
            "          manifest and the files list the same cases. Exit 1 on any mismatch.\n"
            "  stats   the coverage table: cases per set and version, every event type of\n"
            "          every version and every invariant of the catalogue with its count.\n"
            "  export  --fuzz: every case as a `go test fuzz v1` file (Go's FuzzReader);\n"
            "          --zip: OSS-Fuzz seed corpora binary_seed_corpus.zip (binary traces),\n"
            "          text_seed_corpus.zip (text traces), test_seed_corpus.zip (.test files).\n\n"
            "Exit codes: 0 ok, 1 check found a mismatch, 2 usage or I/O error, 3 internal error.\n");
}

static int die_oom(void) {
    fprintf(stderr, "gth corpus: out of memory\n");
    return 3;
}

/* ---- Generated valid cases -------------------------------------------------- */

static const unsigned corpus_versions[] = {22, 23, 25, 26};
#define NVERSIONS (sizeof corpus_versions / sizeof corpus_versions[0])

/* The knobs of valid case `seed` of a version: small models and few events so
 * that a case is a few KB, varied across seeds; features and perturbations
 * drawn from the seed. */
static void valid_knobs(gth_gen_config *c, unsigned version, uint64_t seed) {
    gth_gen_config_init(c, version, seed);
    c->format = GTH_GEN_TEST;
    c->procs = 1 + (unsigned)(seed % 4);
    c->threads = c->procs + 3 + (unsigned)(seed / 4 % 3);
    c->goroutines = 4 + (unsigned)(seed * 7 % 13);
    c->generations = 1 + (seed % 5 == 0);
    c->events_per_gen = 5 + seed * 7 % 21;
}

/* Top-up cases (seeds from TOPUP_SEED; at most TOPUP_TRIES, and no more than
 * the base cases): longer runs of two or three generations with a few feature
 * groups only, in turn, kept only when they bring an event type the corpus has
 * fewer than 10 of (cgo callbacks, sweeps
 * and assists across generations, CPU samples are rare in small runs). */
#define TOPUP_SEED 10001
#define TOPUP_TRIES 400
static const char *const focus_features[] = {"syscall,cgo,steal", "gc,sweep,assist,stw", "coro,cpu,tasks,regions,logs",
                                             "syscall,cgo,gc,sweep,procs,heap,allocfree"};

static void topup_knobs(gth_gen_config *c, unsigned version, uint64_t seed) {
    valid_knobs(c, version, seed);
    const char *f = focus_features[seed % 4];
    c->generations = 2 + seed / 4 % 2;
    c->events_per_gen = 40 + seed * 7 % 61;
    c->features = 0;
    c->features_set = 1;
    while (*f) {
        size_t n = strcspn(f, ",");
        uint32_t bit;
        if (gth_gen_feature_parse(f, n, &bit) == 0) c->features |= bit;
        f += n + (f[n] == ',');
    }
}

/* The `gth gen` arguments that reproduce a case: the origin column. */
static void gen_origin(char *out, size_t n, const gth_gen_config *c) {
    char feat[256] = "";
    if (c->features_set) {
        size_t k = 0;
        for (unsigned bit = 0; bit < 32; bit++) {
            const char *name = (c->features >> bit & 1) ? gth_gen_feature_name(bit) : NULL;
            if (name && k < sizeof feat - 32) k += (size_t)snprintf(feat + k, sizeof feat - k, "%s%s", k ? "," : " --features ", name);
        }
    }
    snprintf(out, n,
             "gen --version 1.%u --seed %llu --procs %u --threads %u --goroutines %u --generations %llu "
             "--events %llu%s --format test",
             c->version, (unsigned long long)c->seed, c->procs, c->threads, c->goroutines,
             (unsigned long long)c->generations, (unsigned long long)c->events_per_gen, feat);
}

/* Parses an origin written by gen_origin back into a configuration. */
static int gen_origin_parse(const char *s, gth_gen_config *c) {
    if (strncmp(s, "gen ", 4)) return -1;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s + 4);
    unsigned long long v[6] = {0};
    static const char *const keys[] = {"--version", "--seed", "--procs", "--threads", "--goroutines", "--generations"};
    unsigned long long events = 0;
    const char *features = NULL, *format = NULL;
    int seen = 0;
    char *save = NULL;
    for (char *k = strtok_r(buf, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
        char *val = strtok_r(NULL, " ", &save);
        if (!val) return -1;
        int known = 0;
        for (int i = 0; i < 6; i++)
            if (!strcmp(k, keys[i])) {
                if (i == 0 && !strncmp(val, "1.", 2)) val += 2;
                v[i] = strtoull(val, NULL, 10);
                seen |= 1 << i;
                known = 1;
            }
        if (!strcmp(k, "--events")) events = strtoull(val, NULL, 10), seen |= 1 << 6, known = 1;
        if (!strcmp(k, "--features")) features = s + 4 + (val - buf), known = 1;
        if (!strcmp(k, "--format")) format = val, known = 1;
        if (!known) return -1;
    }
    if (seen != 0x7f || !format || strcmp(format, "test")) return -1;
    gth_gen_config_init(c, (unsigned)v[0], v[1]);
    c->format = GTH_GEN_TEST;
    c->procs = (unsigned)v[2];
    c->threads = (unsigned)v[3];
    c->goroutines = (unsigned)v[4];
    c->generations = v[5];
    c->events_per_gen = events;
    if (features) {
        c->features_set = 1;
        c->features = 0;
        while (*features && *features != ' ') {
            size_t n = strcspn(features, ", ");
            uint32_t bit;
            if (gth_gen_feature_parse(features, n, &bit)) return -1;
            c->features |= bit;
            features += n + (features[n] == ',');
        }
    }
    return 0;
}

typedef struct build_ctx {
    const char *dir;
    gth_corpus_runner *run;
    gth_corpus_manifest *man;
    size_t excluded;
} build_ctx;

typedef struct code_counts {
    uint64_t n[GTH_NUM_CODES];
} code_counts;

static int count_code(void *ud, const gth_raw_event *ev) {
    ((code_counts *)ud)->n[ev->code]++;
    return 0;
}

/* Event types of the version that occur fewer than 10 times in counts. */
static size_t rare_codes(const code_counts *k, unsigned version) {
    size_t rare = 0;
    for (unsigned code = 0; code < GTH_NUM_CODES; code++)
        if (gth_spec_lookup(version, code) && k->n[code] < 10) rare++;
    return rare;
}

/* Generates one valid case. Returns 0 when kept (or left out as a
 * disagreement: *kept says which), else an exit code. When need is set, the
 * case is kept only if it brings an event type that need has fewer than 10
 * of. counts receives the kept case's event types. */
static int valid_case(build_ctx *b, const gth_gen_config *cfg, gth_buf *test, code_counts *counts, int need,
                      int *kept) {
    char path[4400], id[256], origin[768], why[1024];
    gth_error err;
    *kept = 0;
    test->len = 0;
    if (gth_gen_run_buf(cfg, test, NULL, &err) != GTH_OK) {
        fprintf(stderr, "gth corpus: generating 1.%u seed %llu: %s\n", cfg->version, (unsigned long long)cfg->seed,
                err.msg);
        return 3;
    }
    snprintf(id, sizeof id, "valid/go1.%u-gen-s%05llu.test", cfg->version, (unsigned long long)cfg->seed);
    gen_origin(origin, sizeof origin, cfg);
    if (gth_corpus_to_bin(b->run, test->data, test->len, id, why, sizeof why)) {
        fprintf(stderr, "gth corpus: %s\n", why);
        return 2;
    }
    code_counts mine;
    memset(&mine, 0, sizeof mine);
    unsigned minor;
    gth_decode_all(b->run->bin.data, b->run->bin.len, GTH_DEC_FLAT, NULL, &minor, count_code, &mine, &err);
    if (need) {
        int useful = 0;
        for (unsigned code = 0; code < GTH_NUM_CODES; code++)
            if (gth_spec_lookup(cfg->version, code) && counts->n[code] < 10 && mine.n[code]) useful = 1;
        if (!useful) return 0;
    }
    gth_corpus_outcome o;
    if (gth_corpus_run(b->run, b->run->binpath, 0, &o, why, sizeof why)) {
        fprintf(stderr, "gth corpus: %s\n", why);
        return 2;
    }
    o.version = cfg->version;
    if (o.go != RES_ACCEPT || o.gth != RES_ACCEPT) {
        /* A disagreement with Go (or a generator bug): not a golden case. */
        printf("excluded %s (%s): go %s %s; gth %s [%s] %s\n", id, origin, gth_corpus_verdict_word(o.go), o.go_msg,
               gth_corpus_verdict_word(o.gth), gth_corpus_inv_id(o.inv), o.gth_msg);
        b->excluded++;
        return 0;
    }
    snprintf(path, sizeof path, "%s/%s", b->dir, id);
    if (gth_corpus_write_file(path, test->data, test->len)) {
        fprintf(stderr, "gth corpus: writing %s: %s\n", path, strerror(errno));
        return 2;
    }
    gth_corpus_row row;
    if (gth_corpus_fill_row(&row, id, origin, test->len, &o) || gth_corpus_manifest_push(b->man, &row)) {
        gth_corpus_row_free(&row);
        return die_oom();
    }
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) counts->n[code] += mine.n[code];
    *kept = 1;
    return 0;
}

static int build_valid(build_ctx *b, uint64_t per_version) {
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/valid", b->dir);
    if (gth_io_mkdir_p(sub) || gth_corpus_remove(sub, ".test")) {
        fprintf(stderr, "gth corpus: %s: %s\n", sub, strerror(errno));
        return 2;
    }
    gth_buf test;
    gth_buf_init(&test, NULL);
    int rc = 0;
    for (size_t vi = 0; vi < NVERSIONS && !rc; vi++) {
        unsigned version = corpus_versions[vi];
        size_t kept = 0, topped = 0;
        code_counts counts;
        memset(&counts, 0, sizeof counts);
        for (uint64_t seed = 1; seed <= per_version && !rc; seed++) {
            gth_gen_config cfg;
            int k;
            valid_knobs(&cfg, version, seed);
            rc = valid_case(b, &cfg, &test, &counts, 0, &k);
            kept += (size_t)k;
        }
        for (uint64_t t = 0; t < TOPUP_TRIES && t < per_version && !rc && rare_codes(&counts, version); t++) {
            gth_gen_config cfg;
            int k;
            topup_knobs(&cfg, version, TOPUP_SEED + t);
            rc = valid_case(b, &cfg, &test, &counts, 1, &k);
            topped += (size_t)k;
        }
        fprintf(stderr, "gth corpus: valid go1.%u: %zu cases and %zu for rare event types; %zu types under 10\n",
                version, kept, topped, rare_codes(&counts, version));
    }
    gth_buf_free(&test);
    return rc;
}

/* ---- Real traces --------------------------------------------------------------
 * corpus/real/<prog>-<goversion>-<mode>.trace (scripts/corpus-real.sh). */

static void real_origin(char *out, size_t n, const char *name) {
    char prog[128], rest[256];
    snprintf(prog, sizeof prog, "%s", name);
    char *g = strstr(prog, "-go1.");
    if (!g) {
        snprintf(out, n, "real file=%s", name);
        return;
    }
    *g = 0;
    snprintf(rest, sizeof rest, "%s", g + 1);
    char *dot = strstr(rest, ".trace");
    if (dot) *dot = 0;
    char *mode = strrchr(rest, '-');
    if (mode) *mode++ = 0;
    snprintf(out, n, "real prog=%s toolchain=%s mode=%s", prog, rest, mode ? mode : "?");
}

static int build_real(build_ctx *b) {
    char sub[4200], path[4400], id[512], origin[600], why[1024];
    snprintf(sub, sizeof sub, "%s/real", b->dir);
    char **names;
    long n = gth_corpus_list(sub, ".trace", &names);
    if (n < 0) {
        fprintf(stderr, "gth corpus: %s: %s\n", sub, strerror(errno));
        return 2;
    }
    int rc = 0;
    for (long i = 0; i < n && !rc; i++) {
        snprintf(path, sizeof path, "%s/%s", sub, names[i]);
        snprintf(id, sizeof id, "real/%s", names[i]);
        uint8_t *data;
        size_t len;
        if (gth_io_read_all(path, &data, &len, why, sizeof why)) {
            fprintf(stderr, "gth corpus: %s\n", why);
            rc = 2;
            break;
        }
        gth_corpus_outcome o;
        if (gth_corpus_run(b->run, path, 0, &o, why, sizeof why)) {
            fprintf(stderr, "gth corpus: %s\n", why);
            free(data);
            rc = 2;
            break;
        }
        o.version = gth_corpus_version(data, len);
        free(data);
        real_origin(origin, sizeof origin, names[i]);
        gth_corpus_row row;
        if (gth_corpus_fill_row(&row, id, origin, len, &o) || gth_corpus_manifest_push(b->man, &row)) {
            gth_corpus_row_free(&row);
            rc = die_oom();
        }
    }
    fprintf(stderr, "gth corpus: real: %ld traces\n", n);
    gth_corpus_free_list(names, n);
    return rc;
}

/* ---- build ------------------------------------------------------------------ */

static int cmd_build(const char *dir, uint64_t per_version, uint64_t invalid) {
    char why[1024], path[4200];
    gth_corpus_runner run;
    if (gth_corpus_runner_open(&run, why, sizeof why)) {
        fprintf(stderr, "gth corpus: %s\n", why);
        gth_corpus_runner_close(&run);
        return 2;
    }
    gth_corpus_manifest man;
    memset(&man, 0, sizeof man);
    build_ctx b = {.dir = dir, .run = &run, .man = &man};
    int rc = build_valid(&b, per_version);
    if (!rc) rc = gth_corpus_build_invalid(dir, &run, &man, (size_t)invalid, &b.excluded);
    if (!rc) rc = build_real(&b);
    if (!rc) {
        snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
        if (gth_corpus_manifest_write(&man, path)) {
            fprintf(stderr, "gth corpus: writing %s: %s\n", path, strerror(errno));
            rc = 2;
        } else {
            fprintf(stderr, "gth corpus: %zu cases in %s (%zu candidates left out)\n", man.n, path, b.excluded);
        }
    }
    gth_corpus_manifest_free(&man);
    gth_corpus_runner_close(&run);
    return rc;
}

/* ---- Reading a case ------------------------------------------------------------ */

/* The sets of the corpus: directory, file suffix, and what a case there is. */
enum { WANT_ANY, WANT_ACCEPT, WANT_REJECT };

typedef struct corpus_set {
    const char *dir;
    const char *suffix;
    int want;     /* WANT_*: what both Go and we must say */
    int golden;   /* .test files that Go's TestReaderGolden runs */
} corpus_set;

static const corpus_set corpus_sets[] = {
    {"valid", ".test", WANT_ACCEPT, 1},
    {"invalid", ".test", WANT_REJECT, 1},
    {"invalid-validate", ".test", WANT_REJECT, 0},
    {"invalid-bin", ".trace", WANT_REJECT, 0},
    {"real", ".trace", WANT_ANY, 0},
};
#define NSETS (sizeof corpus_sets / sizeof corpus_sets[0])

static const corpus_set *set_of(const char *id) {
    for (size_t i = 0; i < NSETS; i++) {
        size_t n = strlen(corpus_sets[i].dir);
        if (!strncmp(id, corpus_sets[i].dir, n) && id[n] == '/') return &corpus_sets[i];
    }
    return NULL;
}

static int is_test(const char *id) {
    size_t n = strlen(id);
    return n > 5 && !strcmp(id + n - 5, ".test");
}

/* Reads case id: its file bytes into *data, and its binary trace — the file
 * itself, or a .test file's trace as Go's bytes — into r->bin and r->binpath. */
static int load_case(gth_corpus_runner *r, const char *dir, const char *id, uint8_t **data, size_t *len,
                     char *why, size_t whysz) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, id);
    if (gth_io_read_all(path, data, len, why, whysz)) return -1;
    if (is_test(id)) {
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
    printf("MISMATCH %s: ", id);
    vprintf(fmt, ap);
    printf("\n");
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
    } else if (set_of(row->id)->golden) {
        if (o->go_raw != RES_REJECT) mismatch(c, row->id, "expects FAILURE but Go's reader accepts");
        else if (!gth_expect_matches(&e, o->go_raw_msg))
            mismatch(c, row->id, "Go's reader error %s does not match the expectation", o->go_raw_msg);
        else if (!gth_corpus_msg_same(o->go_msg, o->go_raw_msg))
            mismatch(c, row->id, "Go's validator finds %s before the reader's error", o->go_msg);
        else if (!strncmp(o->go_raw_msg, "panic: ", 7))
            mismatch(c, row->id, "Go panics (%s): Go's golden test would crash", o->go_raw_msg);
    } else {
        if (o->go != RES_REJECT || !gth_expect_matches(&e, o->go_msg))
            mismatch(c, row->id, "Go's verdict %s %s does not match the expectation",
                     gth_corpus_verdict_word(o->go), o->go_msg);
    }
    gth_expect_free(&e);
}

static void check_row(check_ctx *c, const gth_corpus_row *row, gth_buf *regen) {
    char why[1024];
    const corpus_set *set = set_of(row->id);
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
    int test = is_test(row->id);
    if (gth_corpus_run(c->run, c->run->binpath, test, &o, why, sizeof why)) {
        mismatch(c, row->id, "%s", why);
        free(data);
        return;
    }
    unsigned version = gth_corpus_version(c->run->bin.data, c->run->bin.len);
    size_t before = c->bad;
    if (len != row->size) mismatch(c, row->id, "size %zu, manifest says %llu", len, (unsigned long long)row->size);
    if (version != row->version) mismatch(c, row->id, "version go1.%u, manifest says go1.%u", version, row->version);
    if (o.go != row->go_verdict || !gth_corpus_msg_same(o.go == RES_ACCEPT ? "" : o.go_msg, row->go_error))
        mismatch(c, row->id, "Go says %s %s; manifest says %s %s", gth_corpus_verdict_word(o.go), o.go_msg,
                 gth_corpus_verdict_word(row->go_verdict), row->go_error);
    const char *inv = o.gth == RES_REJECT ? gth_corpus_inv_id(o.inv) : "-";
    if (o.gth != row->gth_verdict || strcmp(inv, row->gth_inv))
        mismatch(c, row->id, "gth says %s [%s] %s; manifest says %s [%s]", gth_corpus_verdict_word(o.gth), inv,
                 o.gth_msg, gth_corpus_verdict_word(row->gth_verdict), row->gth_inv);
    int want = set->want == WANT_ACCEPT ? RES_ACCEPT : RES_REJECT;
    if (set->want != WANT_ANY && (o.go != want || o.gth != want))
        mismatch(c, row->id, "a case of %s/ must be %s by Go and gth: Go %s, gth %s", set->dir,
                 want == RES_ACCEPT ? "accepted" : "rejected", gth_corpus_verdict_word(o.go),
                 gth_corpus_verdict_word(o.gth));
    if (test) check_expectation(c, row, data, len, &o);
    /* The origin must reproduce the bytes. */
    if (!strncmp(row->origin, "gen ", 4)) {
        gth_gen_config cfg;
        gth_error err;
        regen->len = 0;
        if (gen_origin_parse(row->origin, &cfg)) mismatch(c, row->id, "unreadable origin %s", row->origin);
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
    if (c->verbose && c->bad == before) printf("ok %s\n", row->id);
    free(data);
}

/* Files and rows must list the same cases. */
static void check_listing(check_ctx *c, const gth_corpus_manifest *m) {
    char sub[4200], id[4400];
    for (size_t s = 0; s < NSETS; s++) {
        snprintf(sub, sizeof sub, "%s/%s", c->dir, corpus_sets[s].dir);
        char **names;
        long n = gth_corpus_list(sub, corpus_sets[s].suffix, &names);
        for (long i = 0; i < n; i++) {
            snprintf(id, sizeof id, "%s/%s", corpus_sets[s].dir, names[i]);
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

static int cmd_check(const char *dir, uint64_t sample, int verbose) {
    char why[1024], path[4200];
    gth_corpus_manifest man;
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    if (gth_corpus_manifest_load(&man, path, why, sizeof why)) {
        fprintf(stderr, "gth corpus: %s\n", why);
        return 2;
    }
    gth_corpus_runner run;
    if (gth_corpus_runner_open(&run, why, sizeof why)) {
        fprintf(stderr, "gth corpus: %s\n", why);
        gth_corpus_runner_close(&run);
        gth_corpus_manifest_free(&man);
        return 2;
    }
    check_ctx c = {.dir = dir, .run = &run, .verbose = verbose};
    check_listing(&c, &man);
    gth_buf regen;
    gth_buf_init(&regen, NULL);
    size_t checked = 0;
    if (sample == 0 || sample >= man.n) {
        for (size_t i = 0; i < man.n; i++, checked++) check_row(&c, &man.v[i], &regen);
    } else {
        /* Evenly spread over the sorted rows: every set is sampled. */
        for (uint64_t k = 0; k < sample; k++, checked++) check_row(&c, &man.v[k * man.n / sample], &regen);
    }
    gth_buf_free(&regen);
    printf("gth corpus check: %zu of %zu cases checked, %zu mismatches\n", checked, man.n, c.bad);
    gth_corpus_runner_close(&run);
    gth_corpus_manifest_free(&man);
    return c.bad ? 1 : 0;
}

/* ---- stats ------------------------------------------------------------------------- */

enum { ST_VALID, ST_INVALID, ST_REAL, ST__N };

typedef struct stat_counts {
    uint64_t codes[27][GTH_NUM_CODES][ST__N]; /* by minor version */
} stat_counts;

typedef struct count_ud {
    stat_counts *sc;
    unsigned minor;
    int col;
} count_ud;

static int count_event(void *ud, const gth_raw_event *ev) {
    count_ud *u = ud;
    if (u->minor < 27) u->sc->codes[u->minor][ev->code][u->col]++;
    return 0;
}

static int cmd_stats(const char *dir) {
    char why[1024], path[4200];
    gth_corpus_manifest man;
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    if (gth_corpus_manifest_load(&man, path, why, sizeof why)) {
        fprintf(stderr, "gth corpus: %s\n", why);
        return 2;
    }
    stat_counts *sc = calloc(1, sizeof *sc);
    uint64_t *inv_count = calloc(GTH_INV__COUNT, sizeof *inv_count);
    if (!sc || !inv_count) {
        free(sc);
        free(inv_count);
        gth_corpus_manifest_free(&man);
        return die_oom();
    }
    /* Cases and bytes per set and version. */
    uint64_t cases[NSETS][27] = {{0}}, bytes[NSETS] = {0};
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    for (size_t i = 0; i < man.n; i++) {
        const gth_corpus_row *r = &man.v[i];
        const corpus_set *set = set_of(r->id);
        if (!set) continue;
        size_t si = (size_t)(set - corpus_sets);
        if (r->version < 27) cases[si][r->version]++;
        bytes[si] += r->size;
        if (r->gth_verdict == RES_REJECT && set->want == WANT_REJECT) {
            unsigned inv = gth_invariant_find(r->gth_inv);
            if (inv) inv_count[inv]++;
        }
        uint8_t *data;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, r->id);
        if (gth_io_read_all(path, &data, &len, why, sizeof why)) {
            fprintf(stderr, "gth corpus: %s\n", why);
            continue;
        }
        gth_error err;
        bin.len = 0;
        const uint8_t *p = data;
        size_t n = len;
        if (is_test(r->id)) {
            if (gth_convert_text_to_binary(data, len, r->id, GTH_ENC_VERBATIM, &bin, &err) != GTH_OK) {
                free(data);
                continue;
            }
            p = bin.data;
            n = bin.len;
        }
        count_ud u = {.sc = sc,
                      .minor = gth_corpus_version(p, n),
                      .col = set->want == WANT_ACCEPT ? ST_VALID : set->want == WANT_REJECT ? ST_INVALID : ST_REAL};
        unsigned minor;
        if (gth_version_is_v2(u.minor)) gth_decode_all(p, n, GTH_DEC_FLAT, NULL, &minor, count_event, &u, &err);
        free(data);
    }
    gth_buf_free(&bin);

    printf("Corpus %s: %zu cases\n\n", dir, man.n);
    printf("%-18s %8s %8s %8s %8s %8s %8s %12s\n", "set", "go1.21", "go1.22", "go1.23", "go1.25", "go1.26", "total",
           "bytes");
    uint64_t total_bytes = 0;
    for (size_t s = 0; s < NSETS; s++) {
        uint64_t t = 0;
        for (unsigned v = 0; v < 27; v++) t += cases[s][v];
        printf("%-18s %8llu %8llu %8llu %8llu %8llu %8llu %12llu\n", corpus_sets[s].dir,
               (unsigned long long)cases[s][21], (unsigned long long)cases[s][22], (unsigned long long)cases[s][23],
               (unsigned long long)cases[s][25], (unsigned long long)cases[s][26], (unsigned long long)t,
               (unsigned long long)bytes[s]);
        total_bytes += bytes[s];
    }
    printf("%-18s %62llu\n\n", "all", (unsigned long long)total_bytes);

    size_t ev_gaps = 0, inv_gaps = 0, ev_types = 0;
    for (size_t vi = 0; vi < NVERSIONS; vi++) {
        unsigned v = corpus_versions[vi];
        printf("Event types of go1.%u (count in valid, invalid and real traces; LOW: under 10 in valid+invalid)\n", v);
        for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
            const gth_event_spec *e = gth_spec_lookup(v, code);
            if (!e) continue;
            const uint64_t *k = sc->codes[v][code];
            int low = k[ST_VALID] + k[ST_INVALID] < 10;
            ev_types++;
            ev_gaps += low;
            printf("  %3u %-28s %9llu %9llu %9llu%s\n", code, e->name, (unsigned long long)k[ST_VALID],
                   (unsigned long long)k[ST_INVALID], (unsigned long long)k[ST_REAL], low ? "  LOW" : "");
        }
        printf("\n");
    }
    printf("Invariants (cases rejected for each; LOW: under 10)\n");
    for (unsigned inv = 1; inv < GTH_INV__COUNT; inv++) {
        const gth_invariant *i = gth_invariant_get(inv);
        int low = inv_count[inv] < 10;
        inv_gaps += low;
        printf("  %-40s %-9s %7llu%s\n", i->id, gth_profile_name(i->profile), (unsigned long long)inv_count[inv],
               low ? "  LOW" : "");
    }
    printf("\nGaps: %zu of %zu event types, %zu of %u invariants under 10\n", ev_gaps, ev_types, inv_gaps,
           (unsigned)GTH_INV__COUNT - 1);
    free(sc);
    free(inv_count);
    gth_corpus_manifest_free(&man);
    return 0;
}

/* ---- export ------------------------------------------------------------------------ */

/* A stored (uncompressed) zip archive with fixed timestamps: the same inputs
 * give the same bytes. */
typedef struct zip_writer {
    gth_buf data, dir;
    uint32_t n;
    uint32_t crc_table[256];
} zip_writer;

static void zip_init(zip_writer *z) {
    gth_buf_init(&z->data, NULL);
    gth_buf_init(&z->dir, NULL);
    z->n = 0;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        z->crc_table[i] = c;
    }
}

static void put16(gth_buf *b, uint32_t v) {
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    gth_buf_append(b, x, 2);
}

static void put32(gth_buf *b, uint32_t v) {
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}

/* The fields local and central headers share: version 1.0 needed, no flags,
 * stored, 1980-01-01 00:00, CRC, sizes, name length, no extra field. */
static void zip_fields(gth_buf *b, uint32_t crc, size_t n, size_t nl) {
    put16(b, 10);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0x21);
    put32(b, crc);
    put32(b, (uint32_t)n);
    put32(b, (uint32_t)n);
    put16(b, (uint32_t)nl);
    put16(b, 0);
}

static void zip_add(zip_writer *z, const char *name, const void *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++) crc = z->crc_table[(crc ^ s[i]) & 0xFF] ^ (crc >> 8);
    crc ^= 0xFFFFFFFFu;
    size_t nl = strlen(name);
    uint32_t off = (uint32_t)z->data.len;
    put32(&z->data, 0x04034b50);
    zip_fields(&z->data, crc, n, nl);
    gth_buf_append(&z->data, name, nl);
    gth_buf_append(&z->data, p, n);
    put32(&z->dir, 0x02014b50);
    put16(&z->dir, 0x031E); /* made by: Unix, 3.0 */
    zip_fields(&z->dir, crc, n, nl);
    put16(&z->dir, 0);
    put16(&z->dir, 0);
    put16(&z->dir, 0);
    put32(&z->dir, 0100644u << 16); /* regular file, rw-r--r-- */
    put32(&z->dir, off);
    gth_buf_append(&z->dir, name, nl);
    z->n++;
}

static int zip_finish(zip_writer *z, const char *path) {
    uint32_t dir_off = (uint32_t)z->data.len;
    gth_buf_append(&z->data, z->dir.data, z->dir.len);
    put32(&z->data, 0x06054b50);
    put16(&z->data, 0);
    put16(&z->data, 0);
    put16(&z->data, z->n);
    put16(&z->data, z->n);
    put32(&z->data, (uint32_t)z->dir.len);
    put32(&z->data, dir_off);
    put16(&z->data, 0);
    int rc = z->data.failed || z->dir.failed || z->data.len > UINT32_MAX ? -1
                                                                         : gth_corpus_write_file(path, z->data.data, z->data.len);
    gth_buf_free(&z->data);
    gth_buf_free(&z->dir);
    return rc;
}

/* A case id as a flat file name: valid/go1.26-gen-s0001.test -> valid-go1.26-gen-s0001 */
static void flat_name(char *out, size_t n, const char *id) {
    snprintf(out, n, "%s", id);
    char *dot = strrchr(out, '.');
    if (dot && (!strcmp(dot, ".test") || !strcmp(dot, ".trace"))) *dot = 0;
    for (char *p = out; *p; p++)
        if (*p == '/') *p = '-';
}

static int cmd_export(const char *dir, const char *fuzz_dir, const char *zip_dir) {
    char why[1024], path[4400], name[512];
    gth_corpus_manifest man;
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    if (gth_corpus_manifest_load(&man, path, why, sizeof why)) {
        fprintf(stderr, "gth corpus: %s\n", why);
        return 2;
    }
    const char *out = fuzz_dir ? fuzz_dir : zip_dir;
    if (gth_io_mkdir_p(out)) {
        fprintf(stderr, "gth corpus: cannot create %s: %s\n", out, strerror(errno));
        gth_corpus_manifest_free(&man);
        return 2;
    }
    zip_writer zb, zt, zx;
    zip_init(&zb);
    zip_init(&zt);
    zip_init(&zx);
    gth_buf bin, file;
    gth_buf_init(&bin, NULL);
    gth_buf_init(&file, NULL);
    int rc = 0;
    size_t written = 0;
    for (size_t i = 0; i < man.n && !rc; i++) {
        const gth_corpus_row *r = &man.v[i];
        uint8_t *data;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, r->id);
        if (gth_io_read_all(path, &data, &len, why, sizeof why)) {
            fprintf(stderr, "gth corpus: %s\n", why);
            rc = 2;
            break;
        }
        const uint8_t *p = data;
        size_t n = len;
        gth_error err;
        gth_testfile tf;
        int test = is_test(r->id);
        bin.len = 0;
        if (test) {
            if (gth_convert_text_to_binary(data, len, r->id, GTH_ENC_VERBATIM, &bin, &err) != GTH_OK ||
                gth_testfile_parse(data, len, r->id, &tf, &err) != GTH_OK) {
                fprintf(stderr, "gth corpus: %s: %s\n", r->id, err.msg);
                free(data);
                rc = 2;
                break;
            }
            p = bin.data;
            n = bin.len;
        }
        flat_name(name, sizeof name, r->id);
        if (fuzz_dir) {
            file.len = 0;
            gth_buf_printf(&file, "go test fuzz v1\n[]byte(");
            gth_quote_append(&file, p, n);
            gth_buf_printf(&file, ")\n");
            snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
            if (file.failed || gth_corpus_write_file(path, file.data, file.len)) {
                fprintf(stderr, "gth corpus: writing %s: %s\n", path, strerror(errno));
                rc = 2;
            }
        } else {
            snprintf(path, sizeof path, "%s.trace", name);
            zip_add(&zb, path, p, n);
            if (test) {
                snprintf(path, sizeof path, "%s.txt", name);
                zip_add(&zt, path, tf.trace, tf.trace_len);
                snprintf(path, sizeof path, "%s.test", name);
                zip_add(&zx, path, data, len);
            }
        }
        written++;
        free(data);
    }
    if (zip_dir && !rc) {
        const struct {
            zip_writer *z;
            const char *file;
        } zips[] = {{&zb, "binary_seed_corpus.zip"}, {&zt, "text_seed_corpus.zip"}, {&zx, "test_seed_corpus.zip"}};
        for (size_t k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s", zip_dir, zips[k].file);
            if (zip_finish(zips[k].z, path)) {
                fprintf(stderr, "gth corpus: writing %s: %s\n", path, strerror(errno));
                rc = 2;
            }
        }
    } else {
        gth_buf_free(&zb.data), gth_buf_free(&zb.dir), gth_buf_free(&zt.data), gth_buf_free(&zt.dir);
        gth_buf_free(&zx.data), gth_buf_free(&zx.dir);
    }
    if (!rc) fprintf(stderr, "gth corpus: exported %zu cases to %s\n", written, out);
    gth_buf_free(&bin);
    gth_buf_free(&file);
    gth_corpus_manifest_free(&man);
    return rc;
}

/* ---- The command ----------------------------------------------------------------- */

static int parse_count(const char *s, uint64_t *v) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') return -1;
    *v = x;
    return 0;
}

int gth_cmd_corpus(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    const char *dir = "corpus", *fuzz_dir = NULL, *zip_dir = NULL;
    uint64_t per_version = 500, invalid = 2300, sample = 0;
    int verbose = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = 1;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--verbose")) {
            verbose = 1;
            continue;
        } else if (!val) {
            ok = 0;
        } else if (!strcmp(a, "--dir")) {
            dir = val;
        } else if (!strcmp(a, "--valid")) {
            ok = parse_count(val, &per_version) == 0 && per_version > 0 && per_version < 10000;
        } else if (!strcmp(a, "--invalid")) {
            ok = parse_count(val, &invalid) == 0 && invalid > 0 && invalid < 100000;
        } else if (!strcmp(a, "--sample")) {
            ok = parse_count(val, &sample) == 0;
        } else if (!strcmp(a, "--fuzz")) {
            fuzz_dir = val;
        } else if (!strcmp(a, "--zip")) {
            zip_dir = val;
        } else {
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr, "gth corpus: bad or incomplete option %s\n", a);
            usage(stderr);
            return 2;
        }
        i++;
    }
    if (!strcmp(sub, "build")) return cmd_build(dir, per_version, invalid);
    if (!strcmp(sub, "check")) return cmd_check(dir, sample, verbose);
    if (!strcmp(sub, "stats")) return cmd_stats(dir);
    if (!strcmp(sub, "export")) {
        if (!fuzz_dir == !zip_dir) {
            fprintf(stderr, "gth corpus export: give one of --fuzz DIR and --zip DIR\n");
            return 2;
        }
        return cmd_export(dir, fuzz_dir, zip_dir);
    }
    fprintf(stderr, "gth corpus: unknown subcommand %s\n", sub);
    usage(stderr);
    return 2;
}
