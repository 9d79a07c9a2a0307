/* Trace sets: files, directories, Go's test data, and traces derived from
 * them (harness/traceset.h). */
#define _XOPEN_SOURCE 700
#include "harness/traceset.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "mutate/mutator.h"
#include "generator/gen.h"
#include "harness/files.h"
#include "spec/spec.h"

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
    free(ts->ids);
    if (ts->tmpdir[0]) nftw(ts->tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    memset(ts, 0, sizeof *ts);
}

static size_t hash_id(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

/* The slot of id in the table: where it is, or the empty one where it goes. */
static size_t id_slot(const gth_traceset *ts, const char *id) {
    size_t k = hash_id(id) & (ts->idcap - 1);
    while (ts->ids[k] && strcmp(ts->v[ts->ids[k] - 1].id, id)) k = (k + 1) & (ts->idcap - 1);
    return k;
}

/* Room for one more id (the table at most half full). */
static int id_grow(gth_traceset *ts) {
    if (2 * (ts->n + 1) <= ts->idcap) return 0;
    size_t cap = ts->idcap ? ts->idcap * 2 : 256;
    size_t *old = ts->ids, oldcap = ts->idcap;
    if (!(ts->ids = calloc(cap, sizeof *ts->ids))) return ts->ids = old, -1;
    ts->idcap = cap;
    for (size_t k = 0; k < oldcap; k++)
        if (old[k]) ts->ids[id_slot(ts, ts->v[old[k] - 1].id)] = old[k];
    free(old);
    return 0;
}

static int add_item(gth_traceset *ts, const char *id0, const char *set, const char *path) {
    char id[4300];
    snprintf(id, sizeof id, "%s", id0);
    if (id_grow(ts)) return -1;
    /* An id met before: ~2, ~3, ... before the extension. */
    const char *slash = strrchr(id0, '/'), *dot = strrchr(id0, '.');
    size_t stem = dot && dot > (slash ? slash : id0) ? (size_t)(dot - id0) : strlen(id0);
    for (unsigned k = 2; ts->ids[id_slot(ts, id)]; k++)
        snprintf(id, sizeof id, "%.*s~%u%s", (int)stem, id0, k, id0 + stem);
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
    ts->ids[id_slot(ts, it->id)] = ++ts->n;
    return 0;
}

/* A file name for a derived trace in the temporary directory. */
static void temp_path(gth_traceset *ts, char *buf, size_t n) {
    snprintf(buf, n, "%s/%zu.bin", ts->tmpdir, ts->n);
}

/* 1 if s[0..n) holds the text t. */
static int has_text(const uint8_t *s, size_t n, const char *t) {
    size_t k = strlen(t);
    for (size_t i = 0; i + k <= n; i++)
        if (s[i] == (uint8_t)t[0] && !memcmp(s + i, t, k)) return 1;
    return 0;
}

/* 1 if the bytes are lines of text (a newline, no control bytes but tabs and
 * line ends): not a binary trace, damaged or not. */
static int is_text(const uint8_t *p, size_t n) {
    if (!memchr(p, '\n', n)) return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') return 0;
    return 1;
}

static int add_file(gth_traceset *ts, const char *path, const char *id, const char *set, int in_dir, char *why,
                    size_t whysz) {
    uint8_t *data;
    size_t len;
    int gz = 0;
    if (gth_io_read_all_gz(path, &data, &len, &gz, why, whysz)) return -1;
    int rc = 0;
    gth_buf out;
    gth_buf_init(&out, NULL);
    gth_error err;
    int is_fuzz = len >= 16 && !memcmp(data, "go test fuzz v1\n", 16);
    int is_binary = len >= 5 && !memcmp(data, "go 1.", 5);
    /* A trace in a text form: Go's fuzz file, a .test file, Go's text format.
     * (The data need not end in a NUL: has_text, not strstr.) */
    int text_trace = !is_binary && (is_fuzz || gth_testfile_detect(data, len) ||
                                    (len >= 6 && memchr(data, '\n', len) && has_text(data, len, "Trace Go1.")));
    if (gz && !text_trace) {
        /* Inflated for the adapters, which read the file themselves. */
        char tp[4200];
        temp_path(ts, tp, sizeof tp);
        rc = gth_io_write_all(tp, data, len, why, whysz) ? -1 : add_item(ts, id, set, tp);
    } else if (is_binary) {
        rc = add_item(ts, id, set, path);
    } else if (text_trace) {
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
    } else if (in_dir && is_text(data, len)) {
        ts->skipped++; /* lines of text that are not a trace: a MANIFEST, a README, ... */
    } else {
        rc = add_item(ts, id, set, path); /* named on its own: a test input all the same */
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
        else if (S_ISREG(st.st_mode)) rc = add_file(ts, path, id, set, 1, why, whysz);
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
    return add_file(ts, path, prefix, set, 0, why, whysz);
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

int gth_traceset_derive_per_set(gth_traceset *ts, gth_traceset_derive_fn derive, size_t max, const char *skip,
                                char *why, size_t whysz) {
    size_t base = ts->n;
    for (size_t k = 0; k < base; k++) {
        const char *set = ts->v[k].set;
        int first = !skip || strcmp(set, skip) != 0;
        for (size_t j = 0; j < k; j++) first &= strcmp(ts->v[j].set, set) != 0;
        if (first && derive(ts, set, max, why, whysz)) return -1;
    }
    return 0;
}

/* Writes real traces with the test programs into dir. */
static int real_traces(const char *source_dir, const char *dir, char *why, size_t whysz) {
    char script[4300], cmd[9000];
    snprintf(script, sizeof script, "%s/adapters/go/testprogs/run.sh", source_dir);
    if (access(script, R_OK) != 0) {
        snprintf(why, whysz, "the test programs (%s) are not available; use --real DIR or --no-real", script);
        return -1;
    }
    mkdir(dir, 0777);
    fprintf(stderr, "writing real traces into %s ...\n", dir);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' >/dev/null </dev/null", script, dir);
    if (system(cmd) != 0) {
        snprintf(why, whysz, "the test programs failed (%.4000s)", cmd);
        return -1;
    }
    return 0;
}

int gth_traceset_add_conform(gth_traceset *ts, const gth_conform_set *c, char *why, size_t whysz) {
    char gr[4096];
    int rc = 0;
    if (!gth_goroot(gr, sizeof gr)) {
        snprintf(why, whysz, "no Go toolchain on PATH (go env GOROOT failed)");
        rc = -1;
    }
    if (!rc) rc = gth_traceset_add_goroot(ts, gr, why, whysz);
    if (!rc && !c->no_real) {
        char dir[4300];
        if (c->real_dir) {
            snprintf(dir, sizeof dir, "%s", c->real_dir);
        } else {
            snprintf(dir, sizeof dir, "%s/conform-real", ts->tmpdir);
            rc = real_traces(c->source_dir, dir, why, whysz);
        }
        if (!rc) rc = gth_traceset_add_path(ts, dir, "real", why, whysz);
    }
    if (!rc) rc = gth_traceset_add_generated(ts, c->generated >= 0 ? (size_t)c->generated : 50, why, whysz);
    if (!rc) rc = gth_traceset_add_variants(ts, "golden", c->variants >= 0 ? (size_t)c->variants : 2000, why, whysz);
    size_t mutants = c->mutants >= 0 ? (size_t)c->mutants : 150;
    if (!rc) rc = gth_traceset_add_mutants(ts, "golden", mutants, why, whysz);
    if (!rc) rc = gth_traceset_add_mutants(ts, "generated", mutants, why, whysz);
    return rc;
}
