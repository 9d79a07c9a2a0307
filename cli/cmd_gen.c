/* gth gen: synthesise valid traces with the generator (generator/gen.h): one to
 * stdout or a file, a corpus of N into a directory, and the coverage report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "harness/gencheck.h"
#include "harness/progress.h"
#include "generator/gen.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth gen [options]\n\n"
            "Generates valid Go execution traces from a seeded random walk over a model of\n"
            "the Go scheduler. Same options and seed give byte-identical output.\n\n"
            "  --version V      trace format: 1.22, 1.23, 1.25 or 1.26 (default 1.26), or the\n"
            "                   Go release that writes it: 1.24 writes the 1.23 format,\n"
            "                   1.27 the 1.26 format (the header says the format)\n"
            "  --seed N         seed (default 1); with --count, the first of N seeds\n"
            "  --count N        N traces, seeds seed..seed+N-1 (default 1)\n"
            "  --out PATH, -o   output file (one trace) or directory (--count > 1; files\n"
            "                   go1.NN-SEED.trace / .txt / .test); default stdout\n"
            "  --format F       binary (default), text (Go's text format) or test (.test file)\n"
            "  --threads N      threads (Ms), at least procs+3        } 0 or absent: drawn\n"
            "  --procs N        procs (Ps)                            } from the seed\n"
            "  --goroutines N   most goroutines alive at once         }\n"
            "  --generations N  number of generations                 }\n"
            "  --events N       M events per generation               }\n"
            "  --size SIZE      target size (e.g. 1K, 64M, 1G): generations until reached;\n"
            "                   streamed, memory does not grow with it\n"
            "  --features LIST  comma list of: all, none, syscall, steal, cgo, coro, gc,\n"
            "                   sweep, assist, stw, heap, procs, tasks, regions, logs, cpu,\n"
            "                   allocfree; -NAME removes one (e.g. all,-cgo). Default: all,\n"
            "                   with some left out at random per seed\n"
            "  --perturb LIST   shuffle, skew, late-steal, all or none (default: per seed)\n"
            "  --batch-size N   max payload of an M batch, 64..65536 (default: per seed)\n"
            "  --skew N         max clock offset between threads, in model time units of\n"
            "                   threads+1 ticks (with skew)\n"
            "  --window N       batches held back for shuffling (with shuffle)\n"
            "  --freq N         ticks per second, a divisor of 1e9 (default: per seed, mostly\n"
            "                   15625000)\n"
            "  --coverage       print the coverage report of the traces on stdout (traces\n"
            "                   are only written with --out): event types, model\n"
            "                   transitions, gaps, and what our validator saw of every\n"
            "                   trace in each profile (exit 1 if it rejected one)\n"
            "  --stats          one line of statistics per trace on stderr\n\n"
            "Text and .test output before 1.26 leave out AllocFree events (codes 128-136 are\n"
            "not in those versions' text tables); binary output has them from 1.23 on.\n"
            "Exit codes: 0 ok, 1 --coverage: our validator rejected a generated trace,\n"
            "2 usage or I/O error, 3 internal error.\n");
}

static int parse_u64(const char *s, uint64_t *v) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') return -1;
    *v = x;
    return 0;
}

static int parse_size(const char *s, uint64_t *v) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-') return -1;
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1ull << 10, end++;
    else if (*end == 'M' || *end == 'm') mul = 1ull << 20, end++;
    else if (*end == 'G' || *end == 'g') mul = 1ull << 30, end++;
    if (*end == 'B' || *end == 'b') end++;
    if (*end) return -1;
    *v = x * mul;
    return 0;
}

static int parse_version(const char *s, unsigned *v) {
    if (!strncmp(s, "1.", 2)) s += 2;
    else if (!strncmp(s, "go1.", 4)) s += 4;
    uint64_t x;
    if (parse_u64(s, &x) || x > 99) return -1;
    /* Releases that kept the previous release's format. */
    if (x == 24) x = 23;
    else if (x == 27) x = 26;
    *v = (unsigned)x;
    return 0;
}

static int parse_features(const char *s, uint32_t *out) {
    uint32_t f = 0;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int neg = n && s[0] == '-';
        const char *name = s + neg;
        size_t len = n - (size_t)neg;
        uint32_t bit;
        if (len == 3 && !memcmp(name, "all", 3)) bit = GTH_GEN_F_ALL;
        else if (len == 4 && !memcmp(name, "none", 4)) bit = 0, f = 0;
        else if (gth_gen_feature_parse(name, len, &bit) != 0) return -1;
        if (neg) f &= ~bit;
        else f |= bit;
        s += n;
        if (*s == ',') s++;
    }
    *out = f;
    return 0;
}

static int parse_perturb(const char *s, uint32_t *out) {
    uint32_t p = 0;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 7 && !memcmp(s, "shuffle", 7)) p |= GTH_GEN_P_SHUFFLE;
        else if (n == 4 && !memcmp(s, "skew", 4)) p |= GTH_GEN_P_SKEW;
        else if (n == 10 && !memcmp(s, "late-steal", 10)) p |= GTH_GEN_P_LATE_STEAL;
        else if (n == 3 && !memcmp(s, "all", 3)) p |= GTH_GEN_P_ALL;
        else if (n == 4 && !memcmp(s, "none", 4)) p = 0;
        else return -1;
        s += n;
        if (*s == ',') s++;
    }
    *out = p;
    return 0;
}

/* Where a trace goes: a file (or none), and with --coverage a copy of the
 * binary trace for the validator. */
typedef struct sink {
    FILE *f;
    gth_buf *copy;
} sink;

static int tee_sink(void *ud, const void *p, size_t n) {
    sink *s = ud;
    if (s->f && fwrite(p, 1, n, s->f) != n) return -1;
    return s->copy && gth_buf_append(s->copy, p, n) ? -1 : 0;
}

static const char *ext_of(int format) {
    return format == GTH_GEN_TEXT ? "txt" : format == GTH_GEN_TEST ? "test" : "trace";
}

int gth_cmd_gen(int argc, char **argv) {
    gth_gen_config cfg;
    gth_gen_config_init(&cfg, 26, 1);
    uint64_t count = 1;
    const char *out = NULL;
    int coverage = 0, stats = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--coverage")) {
            coverage = 1;
            continue;
        }
        if (!strcmp(a, "--stats")) {
            stats = 1;
            continue;
        }
        /* --opt=value or --opt value */
        const char *eq = strchr(a, '=');
        char name[32];
        const char *val;
        if (!strcmp(a, "-o")) a = "--out"; /* short alias */
        if (a[0] != '-' || a[1] != '-') goto bad;
        if (eq) {
            size_t n = (size_t)(eq - a);
            if (n >= sizeof name) goto bad;
            memcpy(name, a, n);
            name[n] = 0;
            val = eq + 1;
        } else {
            if (strlen(a) >= sizeof name || i + 1 >= argc) goto bad;
            strcpy(name, a);
            val = argv[++i];
        }
        uint64_t v = 0;
        int ok = 0;
        if (!strcmp(name, "--version")) ok = parse_version(val, &cfg.version) == 0;
        else if (!strcmp(name, "--seed")) ok = parse_u64(val, &cfg.seed) == 0;
        else if (!strcmp(name, "--count")) ok = parse_u64(val, &count) == 0 && count > 0;
        else if (!strcmp(name, "--out")) out = val, ok = 1;
        else if (!strcmp(name, "--format")) {
            ok = 1;
            if (!strcmp(val, "binary")) cfg.format = GTH_GEN_BINARY;
            else if (!strcmp(val, "text")) cfg.format = GTH_GEN_TEXT;
            else if (!strcmp(val, "test")) cfg.format = GTH_GEN_TEST;
            else ok = 0;
        } else if (!strcmp(name, "--threads")) ok = parse_u64(val, &v) == 0 && v < 1u << 20, cfg.threads = (unsigned)v;
        else if (!strcmp(name, "--procs")) ok = parse_u64(val, &v) == 0 && v < 1u << 20, cfg.procs = (unsigned)v;
        else if (!strcmp(name, "--goroutines"))
            ok = parse_u64(val, &v) == 0 && v < 1u << 30, cfg.goroutines = (unsigned)v;
        else if (!strcmp(name, "--generations")) ok = parse_u64(val, &cfg.generations) == 0;
        else if (!strcmp(name, "--events")) ok = parse_u64(val, &cfg.events_per_gen) == 0;
        else if (!strcmp(name, "--size")) ok = parse_size(val, &cfg.target_bytes) == 0;
        else if (!strcmp(name, "--features")) {
            ok = parse_features(val, &cfg.features) == 0;
            cfg.features_set = 1;
        } else if (!strcmp(name, "--perturb")) {
            ok = parse_perturb(val, &cfg.perturb) == 0;
            cfg.perturb_set = 1;
        } else if (!strcmp(name, "--batch-size"))
            ok = parse_u64(val, &v) == 0 && v <= 65536, cfg.batch_size = (uint32_t)v;
        else if (!strcmp(name, "--skew")) ok = parse_u64(val, &cfg.skew) == 0;
        else if (!strcmp(name, "--window")) ok = parse_u64(val, &v) == 0 && v <= 4096, cfg.window = (unsigned)v;
        else if (!strcmp(name, "--freq")) ok = parse_u64(val, &cfg.freq) == 0;
        else goto bad;
        if (!ok) {
            fprintf(stderr, "gth gen: bad value for %s: %s\n", name, val);
            return 2;
        }
        continue;
    bad:
        fprintf(stderr, "gth gen: unknown or incomplete option %s\n", a);
        usage(stderr);
        return 2;
    }
    if (count > 1 && out) {
        if (gth_io_mkdir_p(out) != 0) {
            fprintf(stderr, "gth gen: cannot create directory %s: %s\n", out, strerror(errno));
            return 2;
        }
    }
    int write_traces = !coverage || out;
    if (count > 1 && write_traces && !out) {
        fprintf(stderr, "gth gen: --count > 1 needs --out DIR (or --coverage)\n");
        return 2;
    }
    gth_gen_coverage cov;
    gth_gen_coverage_init(&cov, cfg.version);
    gth_gen_check chk; /* --coverage: our validator on every trace */
    gth_gen_check_init(&chk);
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    uint64_t seed0 = cfg.seed;
    gth_progress prog; /* --count: traces made; not with --stats, which prints per trace */
    gth_progress_start(&prog, count > 1 && !stats ? stderr : NULL, -1, "gth gen", "traces", count);
    for (uint64_t k = 0; k < count; k++) {
        gth_progress_update(&prog, k, NULL);
        gth_gen_config c = cfg;
        c.seed = seed0 + k;
        FILE *f = NULL;
        char path[4096];
        if (write_traces) {
            if (count > 1) {
                snprintf(path, sizeof path, "%s/go1.%u-%llu.%s", out, c.version, (unsigned long long)c.seed,
                         ext_of(c.format));
                f = fopen(path, "wb");
            } else if (out && strcmp(out, "-")) {
                snprintf(path, sizeof path, "%s", out);
                f = fopen(path, "wb");
            } else {
                snprintf(path, sizeof path, "<stdout>");
                f = stdout;
            }
            if (!f) {
                fprintf(stderr, "gth gen: cannot create %s: %s\n", path, strerror(errno));
                return 2;
            }
        }
        gth_gen_stats st;
        gth_error err;
        bin.len = 0;
        sink sk = {f, coverage && c.format == GTH_GEN_BINARY ? &bin : NULL};
        int rc = gth_gen_run(&c, NULL, tee_sink, &sk, &st, &err);
        if (rc == GTH_OK && coverage && !sk.copy) { /* text or .test written: the binary trace again */
            gth_gen_config b = c;
            b.format = GTH_GEN_BINARY;
            rc = gth_gen_run_buf(&b, &bin, NULL, &err);
        }
        if (rc == GTH_OK && coverage && (bin.failed || gth_gen_check_add(&chk, bin.data, bin.len, c.seed)))
            rc = gth_error_set(&err, GTH_ENOMEM, "out of memory validating the trace");
        int closed = !f || f == stdout || fclose(f) == 0;
        if (rc != GTH_OK || !closed) gth_buf_free(&bin);
        if (rc == GTH_OK && !closed) {
            fprintf(stderr, "gth gen: writing %s: %s\n", path, strerror(errno));
            return 2;
        }
        if (rc != GTH_OK) {
            fprintf(stderr, "gth gen: seed %llu: %s\n", (unsigned long long)c.seed, err.msg);
            return rc == GTH_EUSAGE ? 2 : rc == GTH_EIO ? 2 : 3;
        }
        if (stats)
            fprintf(stderr,
                    "seed=%llu version=1.%u bytes=%llu events=%llu batches=%llu generations=%llu threads=%u "
                    "procs=%u goroutines=%u events/gen=%llu batch=%u perturb=%#x features=%#x\n",
                    (unsigned long long)c.seed, st.version, (unsigned long long)st.bytes,
                    (unsigned long long)st.events, (unsigned long long)st.batches,
                    (unsigned long long)st.generations, st.used.threads, st.used.procs, st.used.goroutines,
                    (unsigned long long)st.used.events_per_gen, st.used.batch_size, st.used.perturb,
                    st.used.features);
        gth_gen_coverage_add(&cov, &st);
    }
    gth_progress_finish(&prog, count);
    gth_buf_free(&bin);
    if (fflush(stdout) != 0) return 2;
    if (coverage) {
        gth_buf rep;
        gth_buf_init(&rep, NULL);
        gth_gen_coverage_report(&rep, &cov, gth_gen_check_report, &chk);
        fwrite(rep.data, 1, rep.len, stdout);
        gth_buf_free(&rep);
        if (fflush(stdout) != 0) return 2;
    }
    /* Every generated trace must be valid: a rejection is a bug to report. */
    return gth_gen_check_rejected(&chk) ? 1 : 0;
}
