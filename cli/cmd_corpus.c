/* gth corpus: the golden corpus (corpus/, docs/CORPUS.md). `build` regenerates
 * its generated and mutated parts and the manifest, `check` re-runs Go's reader
 * (the Go adapter) and our validator over the cases and verifies every manifest
 * row, `stats` prints the coverage table, `export` writes the cases as Go fuzz
 * corpus files and OSS-Fuzz seed zips. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "harness/corpus.h"
#include "spec/invariants.h"
#include "spec/spec.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth corpus build  [--dir DIR] [--valid N] [--invalid N]\n"
            "       gth corpus check  [--dir DIR] [--sample N] [--verbose]\n"
            "       gth corpus stats  [--dir DIR] [--markdown]\n"
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
            "          every version and every invariant of the catalogue with its count;\n"
            "          --markdown: the size table of docs/CORPUS.md.\n"
            "  export  --fuzz: every case as a `go test fuzz v1` file (Go's FuzzReader);\n"
            "          --zip: OSS-Fuzz seed corpora binary_seed_corpus.zip (binary traces),\n"
            "          text_seed_corpus.zip (text traces), test_seed_corpus.zip (.test files).\n\n"
            "Exit codes: 0 ok, 1 check found a mismatch, 2 usage or I/O error, 3 internal error.\n");
}

/* When DIR holds no corpus, says where the corpus is: the corpus/ directory
 * of the source tree (the one gth was built from, if it is still there). */
static void corpus_hint(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    if (access(path, F_OK) == 0) return;
    snprintf(path, sizeof path, "%s/corpus/MANIFEST.tsv", GTH_SOURCE_DIR);
    if (access(path, F_OK) == 0)
        fprintf(stderr, "  hint: no corpus at %s (no MANIFEST.tsv); the corpus is in the source tree: --dir %s/corpus\n",
                dir, GTH_SOURCE_DIR);
    else
        fprintf(stderr, "  hint: no corpus at %s (no MANIFEST.tsv); the corpus is the corpus/ directory of the "
                        "gotrace-harness source tree: run from its root or give --dir DIR\n", dir);
}

static int open_runner(gth_corpus_runner *run) {
    char why[1024];
    if (gth_corpus_runner_open(run, why, sizeof why) == 0) return 0;
    fprintf(stderr, "gth corpus: %s\n", why);
    gth_corpus_runner_close(run);
    return -1;
}

static int cmd_build(const char *dir, uint64_t per_version, uint64_t invalid) {
    gth_corpus_runner run;
    if (open_runner(&run)) return 2;
    int rc = gth_corpus_build(&run, dir, per_version, invalid);
    gth_corpus_runner_close(&run);
    return rc;
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
    if (open_runner(&run)) {
        gth_corpus_manifest_free(&man);
        return 2;
    }
    size_t checked, bad = gth_corpus_check(&run, dir, &man, sample, verbose, &checked);
    printf("gth corpus check: %zu of %zu cases checked, %zu mismatches\n", checked, man.n, bad);
    gth_corpus_runner_close(&run);
    gth_corpus_manifest_free(&man);
    return bad ? 1 : 0;
}

/* ---- stats ------------------------------------------------------------------------- */

static const unsigned stat_versions[] = {21, 22, 23, 25, 26};
#define NSTATV (sizeof stat_versions / sizeof stat_versions[0])

/* The size and coverage table of docs/CORPUS.md. */
static void stats_markdown(const gth_corpus_stats *sc) {
    uint64_t all = 0, nover = 0;
    for (size_t s = 0; s < GTH_CORPUS_NSETS; s++) all += sc->bytes[s], nover += sc->cases[s][0];
    printf("At present (`gth corpus stats --markdown`): %zu cases, %.1f MB in all;\n"
           "%llu of them have no readable header (version `-`).\n\n",
           sc->ncases, (double)all / 1e6, (unsigned long long)nover);
    printf("| set |");
    for (size_t v = 0; v < NSTATV; v++) printf(" go1.%u |", stat_versions[v]);
    printf(" cases | bytes |\n|---|");
    for (size_t v = 0; v < NSTATV; v++) printf("---:|");
    printf("---:|---:|\n");
    for (size_t s = 0; s < GTH_CORPUS_NSETS; s++) {
        uint64_t t = 0;
        for (unsigned v = 0; v < GTH_CORPUS_MAX_MINOR; v++) t += sc->cases[s][v];
        printf("| %s |", gth_corpus_sets[s].dir);
        for (size_t v = 0; v < NSTATV; v++) {
            uint64_t k = sc->cases[s][stat_versions[v]];
            if (k) printf(" %llu |", (unsigned long long)k);
            else printf(" |");
        }
        printf(" %llu | %.1f MB |\n", (unsigned long long)t, (double)sc->bytes[s] / 1e6);
    }
}

static int cmd_stats(const char *dir, int markdown) {
    char why[1024];
    gth_corpus_stats *sc = gth_corpus_stats_compute(dir, stderr, why, sizeof why);
    if (!sc) {
        fprintf(stderr, "gth corpus: %s\n", why);
        return strcmp(why, "out of memory") ? 2 : 3;
    }
    if (markdown) {
        stats_markdown(sc);
        free(sc);
        return 0;
    }
    printf("Corpus %s: %zu cases\n\n", dir, sc->ncases);
    printf("%-18s %8s %8s %8s %8s %8s %8s %12s\n", "set", "go1.21", "go1.22", "go1.23", "go1.25", "go1.26", "total",
           "bytes");
    uint64_t total_bytes = 0;
    for (size_t s = 0; s < GTH_CORPUS_NSETS; s++) {
        uint64_t t = 0;
        for (unsigned v = 0; v < GTH_CORPUS_MAX_MINOR; v++) t += sc->cases[s][v];
        printf("%-18s %8llu %8llu %8llu %8llu %8llu %8llu %12llu\n", gth_corpus_sets[s].dir,
               (unsigned long long)sc->cases[s][21], (unsigned long long)sc->cases[s][22],
               (unsigned long long)sc->cases[s][23], (unsigned long long)sc->cases[s][25],
               (unsigned long long)sc->cases[s][26], (unsigned long long)t, (unsigned long long)sc->bytes[s]);
        total_bytes += sc->bytes[s];
    }
    printf("%-18s %62llu\n\n", "all", (unsigned long long)total_bytes);

    size_t ev_gaps = 0, inv_gaps = 0, ev_types = 0;
    for (size_t vi = 0; vi < GTH_CORPUS_NVERSIONS; vi++) {
        unsigned v = gth_corpus_versions[vi];
        printf("Event types of go1.%u (count in valid, invalid and real traces; LOW: under 10 in valid+invalid)\n", v);
        for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
            const gth_event_spec *e = gth_spec_lookup(v, code);
            if (!e) continue;
            const uint64_t *k = sc->codes[v][code];
            int low = k[GTH_CORPUS_COL_VALID] + k[GTH_CORPUS_COL_INVALID] < 10;
            ev_types++;
            ev_gaps += low;
            printf("  %3u %-28s %9llu %9llu %9llu%s\n", code, e->name, (unsigned long long)k[GTH_CORPUS_COL_VALID],
                   (unsigned long long)k[GTH_CORPUS_COL_INVALID], (unsigned long long)k[GTH_CORPUS_COL_REAL],
                   low ? "  LOW" : "");
        }
        printf("\n");
    }
    printf("Invariants (cases rejected for each; LOW: under 10)\n");
    for (unsigned inv = 1; inv < GTH_INV__COUNT; inv++) {
        const gth_invariant *i = gth_invariant_get(inv);
        int low = sc->inv[inv] < 10;
        inv_gaps += low;
        printf("  %-40s %-9s %7llu%s\n", i->id, gth_profile_name(i->profile), (unsigned long long)sc->inv[inv],
               low ? "  LOW" : "");
    }
    printf("\nGaps: %zu of %zu event types, %zu of %u invariants under 10\n", ev_gaps, ev_types, inv_gaps,
           (unsigned)GTH_INV__COUNT - 1);
    free(sc);
    return 0;
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
    int verbose = 0, markdown = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        int ok = 1, k = 0;
#define VAL(name) ((k = gth_cli_value("corpus", argc, argv, &i, name, &val)) > 0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (!strcmp(a, "--markdown")) {
            markdown = 1;
        } else if (VAL("--dir")) {
            dir = val;
        } else if (VAL("--valid")) {
            ok = parse_count(val, &per_version) == 0 && per_version > 0 && per_version < 10000;
        } else if (VAL("--invalid")) {
            ok = parse_count(val, &invalid) == 0 && invalid > 0 && invalid < 100000;
        } else if (VAL("--sample")) {
            ok = parse_count(val, &sample) == 0;
        } else if (VAL("--fuzz")) {
            fuzz_dir = val;
        } else if (VAL("--zip")) {
            zip_dir = val;
        } else if (k == 0) {
            fprintf(stderr, "gth corpus: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
#undef VAL
        if (k < 0) return 2;
        if (!ok) {
            fprintf(stderr, "gth corpus: bad value for %.*s: %s\n", (int)strcspn(a, "="), a, val);
            return 2;
        }
    }
    if (!strcmp(sub, "build")) return cmd_build(dir, per_version, invalid);
    int rc = -1;
    if (!strcmp(sub, "check")) rc = cmd_check(dir, sample, verbose);
    if (!strcmp(sub, "stats")) rc = cmd_stats(dir, markdown);
    if (!strcmp(sub, "export")) {
        if (!fuzz_dir == !zip_dir) {
            fprintf(stderr, "gth corpus export: give one of --fuzz DIR and --zip DIR\n");
            return 2;
        }
        rc = gth_corpus_export(dir, fuzz_dir, zip_dir, stderr);
    }
    if (rc == 2) corpus_hint(dir);
    if (rc >= 0) return rc;
    fprintf(stderr, "gth corpus: unknown subcommand %s\n", sub);
    usage(stderr);
    return 2;
}

