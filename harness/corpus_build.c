/* corpus_build: the generated valid part of `gth corpus build`, the real
 * traces, and the build as a whole (harness/corpus.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/decode.h"
#include "generator/gen.h"
#include "harness/corpus.h"
#include "harness/files.h"
#include "harness/progress.h"
#include "spec/spec.h"

static int die_oom(gth_corpus_runner *r) {
    fprintf(r->log, "gth corpus: out of memory\n");
    return 3;
}

/* ---- Generated valid cases -------------------------------------------------- */

const unsigned gth_corpus_versions[GTH_CORPUS_NVERSIONS] = {22, 23, 25, 26};

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

/* Top-up cases (seeds from TOPUP_SEED on, at most TOPUP_TRIES of them while an
 * event type is short): longer runs of two to four generations with a few
 * feature groups only, in turn, kept only when they bring an event type the
 * corpus has fewer than 10 of (cgo callbacks, sweeps and assists across
 * generations, CPU samples are rare in small runs). */
#define TOPUP_SEED 10001
#define TOPUP_TRIES 2000
static const char *const focus_features[] = {"syscall,cgo,steal", "gc,sweep,assist,stw", "coro,cpu,tasks,regions,logs",
                                             "syscall,cgo,gc,sweep,procs,heap,allocfree", "cgo",
                                             "gc,sweep"};
#define NFOCUS (sizeof focus_features / sizeof focus_features[0])

static void topup_knobs(gth_gen_config *c, unsigned version, uint64_t seed) {
    valid_knobs(c, version, seed);
    const char *f = focus_features[seed % NFOCUS];
    c->generations = 2 + seed / NFOCUS % 3;
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

int gth_corpus_gen_origin_parse(const char *s, gth_gen_config *c) {
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
        fprintf(b->run->log, "gth corpus: generating 1.%u seed %llu: %s\n", cfg->version, (unsigned long long)cfg->seed,
                err.msg);
        return 3;
    }
    snprintf(id, sizeof id, "valid/go1.%u-gen-s%05llu.test", cfg->version, (unsigned long long)cfg->seed);
    gen_origin(origin, sizeof origin, cfg);
    if (gth_corpus_to_bin(b->run, test->data, test->len, id, why, sizeof why)) {
        fprintf(b->run->log, "gth corpus: %s\n", why);
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
        fprintf(b->run->log, "gth corpus: %s\n", why);
        return 2;
    }
    o.version = cfg->version;
    if (o.go != RES_ACCEPT || o.gth != RES_ACCEPT) {
        /* A disagreement with Go (or a generator bug): not a golden case. */
        fprintf(b->run->out, "excluded %s (%s): go %s %s; gth %s [%s] %s\n", id, origin, gth_verdict_word(o.go), o.go_msg,
               gth_verdict_word(o.gth), gth_corpus_inv_id(o.inv), o.gth_msg);
        b->excluded++;
        return 0;
    }
    snprintf(path, sizeof path, "%s/%s", b->dir, id);
    if (gth_corpus_write_file(path, test->data, test->len)) {
        fprintf(b->run->log, "gth corpus: writing %s: %s\n", path, strerror(errno));
        return 2;
    }
    gth_corpus_row row;
    if (gth_corpus_fill_row(&row, id, origin, test->len, &o) || gth_corpus_manifest_push(b->man, &row)) {
        gth_corpus_row_free(&row);
        return die_oom(b->run);
    }
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) counts->n[code] += mine.n[code];
    *kept = 1;
    return 0;
}

static int build_valid(build_ctx *b, uint64_t per_version) {
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/valid", b->dir);
    if (gth_io_mkdir_p(sub) || gth_corpus_remove(sub, ".test")) {
        fprintf(b->run->log, "gth corpus: %s: %s\n", sub, strerror(errno));
        return 2;
    }
    gth_buf test;
    gth_buf_init(&test, NULL);
    int rc = 0;
    for (size_t vi = 0; vi < GTH_CORPUS_NVERSIONS && !rc; vi++) {
        unsigned version = gth_corpus_versions[vi];
        size_t kept = 0, topped = 0;
        code_counts counts;
        memset(&counts, 0, sizeof counts);
        char what[64];
        snprintf(what, sizeof what, "gth corpus build: valid go1.%u", version);
        gth_progress prog;
        gth_progress_start(&prog, b->run->log, -1, what, "seeds", per_version);
        for (uint64_t seed = 1; seed <= per_version && !rc; seed++) {
            gth_gen_config cfg;
            int k;
            gth_progress_update(&prog, seed - 1, NULL);
            valid_knobs(&cfg, version, seed);
            rc = valid_case(b, &cfg, &test, &counts, 0, &k);
            kept += (size_t)k;
        }
        gth_progress_finish(&prog, per_version);
        for (uint64_t t = 0; t < TOPUP_TRIES && !rc && rare_codes(&counts, version); t++) {
            gth_gen_config cfg;
            int k;
            topup_knobs(&cfg, version, TOPUP_SEED + t);
            rc = valid_case(b, &cfg, &test, &counts, 1, &k);
            topped += (size_t)k;
        }
        fprintf(b->run->log, "gth corpus: valid go1.%u: %zu cases and %zu for rare event types; %zu types under 10\n",
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
        fprintf(b->run->log, "gth corpus: %s: %s\n", sub, strerror(errno));
        return 2;
    }
    int rc = 0;
    gth_progress prog;
    gth_progress_start(&prog, b->run->log, -1, "gth corpus build: real", "traces", (uint64_t)n);
    for (long i = 0; i < n && !rc; i++) {
        gth_progress_update(&prog, (uint64_t)i, names[i]);
        snprintf(path, sizeof path, "%s/%s", sub, names[i]);
        snprintf(id, sizeof id, "real/%s", names[i]);
        uint8_t *data;
        size_t len;
        if (gth_io_read_all(path, &data, &len, why, sizeof why)) {
            fprintf(b->run->log, "gth corpus: %s\n", why);
            rc = 2;
            break;
        }
        gth_corpus_outcome o;
        if (gth_corpus_run(b->run, path, 0, &o, why, sizeof why)) {
            fprintf(b->run->log, "gth corpus: %s\n", why);
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
            rc = die_oom(b->run);
        }
    }
    gth_progress_finish(&prog, (uint64_t)n);
    fprintf(b->run->log, "gth corpus: real: %ld traces\n", n);
    gth_corpus_free_list(names, n);
    return rc;
}

/* ---- build ------------------------------------------------------------------ */

int gth_corpus_build(gth_corpus_runner *run, const char *dir, uint64_t per_version, uint64_t invalid) {
    char path[4200];
    gth_corpus_manifest man;
    memset(&man, 0, sizeof man);
    build_ctx b = {.dir = dir, .run = run, .man = &man};
    int rc = build_valid(&b, per_version);
    if (!rc) rc = gth_corpus_build_invalid(dir, run, &man, (size_t)invalid, &b.excluded);
    if (!rc) rc = build_real(&b);
    if (!rc) {
        snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
        if (gth_corpus_manifest_write(&man, path)) {
            fprintf(run->log, "gth corpus: writing %s: %s\n", path, strerror(errno));
            rc = 2;
        } else {
            fprintf(run->log, "gth corpus: %zu cases in %s (%zu candidates left out)\n", man.n, path, b.excluded);
        }
    }
    gth_corpus_manifest_free(&man);
    return rc;
}
