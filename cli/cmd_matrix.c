/* gth matrix (and gth conform --readers): the compatibility matrix of Go's
 * release readers against the newest (harness/matrix.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "harness/matrix.h"
#include "harness/progress.h"

static void matrix_usage(FILE *f) {
    fprintf(f,
            "usage: gth matrix [options] [PATH...]\n"
            "       gth conform --readers [options] [PATH...]\n\n"
            "The compatibility matrix of Go's trace readers: the reader of every release,\n"
            "go@1.22 ... go@1.27 (adapters/RELEASES.md), against the newest, go, in both\n"
            "profiles (parser, validate), on the built-in sets: those of gth conform (Go's\n"
            "golden tests and FuzzReader corpus, real traces, generated traces, variants and\n"
            "mutants) and every directory of corpus/ (valid, invalid, ..., readers). With\n"
            "PATHs (traces, .test files, directories), on those alone.\n\n"
            "Per release and profile it prints the traces of a version the release reads,\n"
            "those skipped (a version it does not read), the agreements (verdicts, streams,\n"
            "error texts), timeouts and adapter errors, and every class of disagreement:\n"
            "a stable name (old-accepts.TEXT, old-rejects.TEXT, text.TEXT, panic.TEXT,\n"
            "stream.KIND.FIELD, crash, nondeterministic.old; TEXT is the normalised error\n"
            "text: the reference's, or the old reader's where only it rejects), its count,\n"
            "and one reproducer, minimised under \"the two readers still differ in this\n"
            "class\", written as DIR/<release>/<class>.trace (and .test, and each reader's\n"
            "output). Streams are normalised where the API generations differ; error texts\n"
            "are compared, a difference of wording being a class of its own (text.*).\n\n"
            "  --real DIR         the real traces (default: the corpus's, corpus/real)\n"
            "  --no-real          leave real traces out\n"
            "  --generated N      generated traces per version (seeds 1..N, default 50)\n"
            "  --variants N       variants of the golden traces (default 2000)\n"
            "  --mutants N        mutants of the golden and of the generated traces\n"
            "                     (default 150 each)\n"
            "  --no-corpus        leave the directories of corpus/ out\n"
            "  --jobs N           traces run at a time (default: the number of cores)\n"
            "  --timeout SEC      per trace and reader (default 120)\n"
            "  --repeat K         run each trace K times per reader; differing runs are a\n"
            "                     class (nondeterministic.*)\n"
            "  --out DIR          the reproducers (default matrix-out); DIR must be new,\n"
            "                     empty or an earlier --out\n"
            "  --no-reduce        write each class's first trace as it is\n"
            "  --reduce-time SEC  the time all reductions share (default 600)\n"
            "  --release R=CMD    run CMD (taking gthref-goR's arguments) as release R's\n"
            "                     reader, R one of 1.22 ... 1.27\n"
            "  --markdown FILE    also write the result as Markdown (docs/READERS.md)\n"
            "  --fail-on-disagreement  exit 1 when a release disagrees\n\n"
            "Disagreements of the old readers are what the matrix is for, not failures.\n"
            "Exit codes: 0 every release ran, 1 disagreements with --fail-on-disagreement,\n"
            "2 usage or I/O error, or a reader that cannot start or answers nothing.\n");
}

typedef struct mopts {
    gth_matrix_opts o;
    gth_conform_set set;
    int no_corpus, fail;
    const char *markdown;
    const char *paths[256];
    size_t npaths;
    gth_progress prog;
} mopts;

static int parse_count(const char *flag, const char *v, long *out) {
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0) return fprintf(stderr, "gth matrix: %s takes a number, not %s\n", flag, v), -1;
    *out = n;
    return 0;
}

static int parse_args(mopts *m, int argc, char **argv) {
    long n;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        static const char *const valued[] = {"--real",    "--generated", "--variants",    "--mutants",
                                             "--jobs",    "--timeout",   "--repeat",      "--out",
                                             "--release", "--markdown",  "--reduce-time", NULL};
        for (size_t k = 0; valued[k] && !val; k++) {
            size_t fl = strlen(valued[k]);
            if (!strcmp(a, valued[k])) {
                if (i + 1 >= argc) return fprintf(stderr, "gth matrix: %s needs a value\n", a), -1;
                val = argv[++i];
            } else if (!strncmp(a, valued[k], fl) && a[fl] == '=') {
                val = a + fl + 1;
            }
            if (val) a = valued[k];
        }
        if (val) {
            if (!strcmp(a, "--real")) m->set.real_dir = val;
            else if (!strcmp(a, "--out")) m->o.out_dir = val;
            else if (!strcmp(a, "--markdown")) m->markdown = val;
            else if (!strcmp(a, "--release")) {
                const char *eq = strchr(val, '=');
                size_t r = 0, rl = eq ? (size_t)(eq - val) : 0;
                if (rl > 3 && !strncmp(val, "go@", 3)) val += 3, rl -= 3;
                while (r < GTH_MATRIX_RELEASES &&
                       (strlen(gth_matrix_releases[r]) != rl || strncmp(gth_matrix_releases[r], val, rl)))
                    r++;
                if (!eq || !eq[1] || r == GTH_MATRIX_RELEASES)
                    return fprintf(stderr, "gth matrix: --release takes R=COMMAND, R one of 1.22 ... 1.27\n"), -1;
                m->o.release_cmd[r] = eq + 1;
            } else {
                if (parse_count(a, val, &n)) return -1;
                if (!strcmp(a, "--generated")) m->set.generated = n;
                else if (!strcmp(a, "--variants")) m->set.variants = n;
                else if (!strcmp(a, "--mutants")) m->set.mutants = n;
                else if (!strcmp(a, "--jobs")) m->o.jobs = (size_t)n;
                else if (!strcmp(a, "--timeout")) m->o.timeout_s = (int)n;
                else if (!strcmp(a, "--repeat")) m->o.repeat = (unsigned)n;
                else m->o.reduce_seconds = (double)n;
            }
        } else if (!strcmp(a, "--no-real")) {
            m->set.no_real = 1;
        } else if (!strcmp(a, "--no-corpus")) {
            m->no_corpus = 1;
        } else if (!strcmp(a, "--no-reduce")) {
            m->o.reduce = 0;
        } else if (!strcmp(a, "--fail-on-disagreement")) {
            m->fail = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gth matrix: unknown option %s\n", a);
            matrix_usage(stderr);
            return -1;
        } else if (m->npaths == sizeof m->paths / sizeof m->paths[0]) {
            return fprintf(stderr, "gth matrix: too many paths\n"), -1;
        } else {
            m->paths[m->npaths++] = a;
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every directory of corpus/ (in name order) as a set of its name; the real
 * traces (corpus/real) only when they are the run's real set. */
static int add_corpus(gth_traceset *ts, char *why, size_t whysz) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/corpus", GTH_SOURCE_DIR);
    DIR *d = opendir(dir);
    if (!d) return 0;
    char *names[64];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 64) {
        char p[4500];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (de->d_name[0] != '.' && strcmp(de->d_name, "real") && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        char p[4500];
        snprintf(p, sizeof p, "%s/%s", dir, names[k]);
        if (!rc && names[k]) rc = gth_traceset_add_path(ts, p, names[k], why, whysz);
    }
    for (size_t k = 0; k < n; k++) free(names[k]);
    return rc;
}

static void progress(void *ud, const gth_trace_item *it, size_t done, size_t total) {
    mopts *m = ud;
    (void)total;
    gth_progress_update(&m->prog, done, it->id);
}

static void note(void *ud, const char *line) {
    (void)ud;
    fprintf(stderr, "%s%s\n", isatty(2) ? "\r\033[K" : "", line);
}

static void print_frac(size_t a, size_t b) {
    char s[48];
    if (b) snprintf(s, sizeof s, "%zu/%zu", a, b);
    else snprintf(s, sizeof s, "-");
    printf(" %15s", s);
}

/* The matrix on stdout. */
static void print_matrix(const gth_matrix *m) {
    for (size_t r = 0; r < GTH_MATRIX_RELEASES; r++) {
        const gth_matrix_release *R = &m->rel[r];
        printf("\ngo@%s  vs  go (reference)\n", R->release);
        printf("  %-9s %7s %8s %7s %15s %15s %15s %8s %8s %7s\n", "profile", "read", "skipped", "agree",
               "verdicts agree", "streams agree", "texts agree", "disagree", "timeouts", "errors");
        for (size_t p = 0; p < GTH_MATRIX_PROFILES; p++) {
            const gth_matrix_counts *x = &R->counts[p];
            printf("  %-9s %7zu %8zu %7zu", gth_matrix_profiles[p], x->read, x->skipped, x->agree);
            print_frac(x->verdicts_agree, x->read);
            print_frac(x->streams_agree, x->streams_compared);
            print_frac(x->texts_agree, x->texts_compared);
            printf(" %8zu %8zu %7zu\n", x->disagree, x->timeouts, x->errors);
        }
        if (R->nclasses) printf("  %-60s %7s %8s\n", "class", "parser", "validate");
        for (size_t k = 0; k < R->nclasses; k++) {
            const gth_matrix_class *c = &R->classes[k];
            printf("  %-60s %7zu %8zu\n", c->name, c->count[0], c->count[1]);
            printf("      first: %s\n", c->example);
            if (c->reproducer)
                printf("      reproducer: %s (%s)\n", c->reproducer,
                       c->reduced > 0 ? "reduced" : c->reduced < 0 ? "could not be reduced" : "not reduced");
        }
    }
    printf("\n%zu traces, %.1f s (reductions %.1f s): %zu disagreements of the old readers\n", m->traces, m->seconds,
           m->reduce_seconds, gth_matrix_disagreements(m));
}

int gth_cmd_matrix(int argc, char **argv) {
    mopts m;
    memset(&m, 0, sizeof m);
    m.o.out_dir = "matrix-out";
    m.o.reduce = 1;
    m.o.reduce_seconds = 600;
    m.set = (gth_conform_set){.source_dir = GTH_SOURCE_DIR, .generated = -1, .variants = -1, .mutants = -1};
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return matrix_usage(stdout), 0;
    if (parse_args(&m, argc, argv)) return 2;
    char gthref[4096], gwhy[512];
    if (!(m.o.gthref = gth_find_gthref(gthref, sizeof gthref, gwhy, sizeof gwhy)))
        return fprintf(stderr, "gth matrix: %s\n", gwhy), 2;
    char real[4200];
    if (!m.set.real_dir) {
        snprintf(real, sizeof real, "%s/corpus/real", GTH_SOURCE_DIR);
        m.set.real_dir = real;
    }
    if (!m.o.jobs) m.o.jobs = (size_t)sysconf(_SC_NPROCESSORS_ONLN);
    gth_traceset ts;
    char why[8600];
    if (gth_traceset_init(&ts, why, sizeof why)) return fprintf(stderr, "gth matrix: %s\n", why), 2;
    int rc = 0;
    for (size_t k = 0; k < m.npaths && !rc; k++) rc = gth_traceset_add_path(&ts, m.paths[k], "file", why, sizeof why);
    if (!m.npaths && !rc) rc = gth_traceset_add_conform(&ts, &m.set, why, sizeof why);
    if (!m.npaths && !rc && !m.no_corpus) rc = add_corpus(&ts, why, sizeof why);
    if (!rc && !ts.n) snprintf(why, sizeof why, "no traces to run"), rc = -1;
    if (rc) {
        fprintf(stderr, "gth matrix: %s\n", why);
        gth_traceset_free(&ts);
        return 2;
    }
    m.o.on_progress = progress;
    m.o.on_note = note;
    m.o.ud = &m;
    gth_progress_start(&m.prog, stderr, -1, "gth matrix", "traces", ts.n);
    gth_matrix mx;
    rc = gth_matrix_run(&ts, &m.o, &mx, why, sizeof why);
    gth_progress_finish(&m.prog, ts.n);
    if (rc) {
        fprintf(stderr, "gth matrix: %s\n", why);
        gth_traceset_free(&ts);
        return 2;
    }
    if (mx.fatal) {
        fprintf(stderr, "gth matrix: %s\n", mx.fatal_why);
        rc = 2;
    } else {
        print_matrix(&mx);
        if (m.markdown) {
            FILE *f = fopen(m.markdown, "w");
            int bad = !f || gth_matrix_write_markdown(f, &mx);
            if ((f && fclose(f)) || bad) {
                fprintf(stderr, "gth matrix: cannot write %s\n", m.markdown);
                rc = 2;
            }
        }
        if (!rc && m.fail && gth_matrix_disagreements(&mx)) rc = 1;
    }
    gth_matrix_free(&mx);
    gth_traceset_free(&ts);
    return rc;
}
