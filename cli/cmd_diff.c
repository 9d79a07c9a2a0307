/* gth diff and gth conform: the differential runner's commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/quote.h"
#include "cli/cli.h"
#include "harness/diff.h"
#include "harness/progress.h"

#define MAX_ADAPTERS 16

typedef struct runner {
    const char *cmd;
    const char *specs[MAX_ADAPTERS];
    size_t nspecs;
    const char *expect[MAX_ADAPTERS]; /* NAME=FILE */
    size_t nexpect;
    const char *out_dir, *real_dir, *profile, *report_dir;
    int json, verbose, no_real, timeout_s, reduce, no_digest, two_pass, texts; /* texts: -1 by pair (gth_diff_texts_policy) */
    unsigned normalize;
    unsigned repeat;
    long jobs;
    long variants, generated, mutants;
    gth_adapter adapters[MAX_ADAPTERS];
    gth_expected expected[MAX_ADAPTERS];
    gth_pair pairs[MAX_ADAPTERS];
    size_t na, np;
    char gthref[4096];
    const char *gthref_path;
    char gthref_why[512];
} runner;

/* Options both commands take. Returns 1 if argv[*i] was one (consuming its
 * value), 0 if not, -1 on a usage error. */
static int common_option(runner *r, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    const char *val = NULL;
#define TAKE(flag)                                                                       \
    (!strcmp(a, flag) ? (*i + 1 < argc ? (val = argv[++*i], 1) : (fprintf(stderr, "gth %s: %s needs a value\n", r->cmd, flag), -1)) \
     : !strncmp(a, flag "=", sizeof flag) ? (val = a + sizeof flag, 1) : 0)
    int t;
    if ((t = TAKE("--adapter"))) {
        if (t < 0) return -1;
        if (r->nspecs == MAX_ADAPTERS - 4) return fprintf(stderr, "gth %s: too many adapters\n", r->cmd), -1;
        r->specs[r->nspecs++] = val;
        return 1;
    }
    if ((t = TAKE("--expect"))) {
        if (t < 0) return -1;
        if (!strchr(val, '=') || r->nexpect == MAX_ADAPTERS)
            return fprintf(stderr, "gth %s: --expect takes ADAPTER=FILE\n", r->cmd), -1;
        r->expect[r->nexpect++] = val;
        return 1;
    }
    if ((t = TAKE("--out"))) return t < 0 ? -1 : (r->out_dir = val, 1);
    if ((t = TAKE("--report"))) return t < 0 ? -1 : (r->report_dir = val, 1);
    if ((t = TAKE("--repeat"))) return t < 0 ? -1 : (r->repeat = (unsigned)atoi(val), 1);
    if ((t = TAKE("--jobs"))) return t < 0 ? -1 : (r->jobs = atol(val), 1);
    if ((t = TAKE("--normalize"))) {
        int n = t < 0 ? -1 : gth_norm_parse(val);
        if (n < 0) return fprintf(stderr, "gth %s: --normalize takes sync,status-stack,experimental,all\n", r->cmd), -1;
        return r->normalize = (unsigned)n, 1;
    }
    if ((t = TAKE("--texts"))) {
        if (t < 0) return -1;
        if (strcmp(val, "exact") && strcmp(val, "off") && strcmp(val, "auto"))
            return fprintf(stderr, "gth %s: --texts takes exact, off or auto\n", r->cmd), -1;
        r->texts = !strcmp(val, "exact") ? 1 : !strcmp(val, "off") ? 0 : -1;
        return 1;
    }
    if ((t = TAKE("--timeout"))) return t < 0 ? -1 : (r->timeout_s = atoi(val), 1);
    if ((t = TAKE("--variants"))) return t < 0 ? -1 : (r->variants = atol(val), 1);
    if ((t = TAKE("--generated"))) return t < 0 ? -1 : (r->generated = atol(val), 1);
    if ((t = TAKE("--mutants"))) return t < 0 ? -1 : (r->mutants = atol(val), 1);
    if ((t = TAKE("--profile"))) {
        if (t < 0) return -1;
        if (strcmp(val, "parser") && strcmp(val, "validate"))
            return fprintf(stderr, "gth %s: unknown profile %s\n", r->cmd, val), -1;
        r->profile = val;
        return 1;
    }
#undef TAKE
    if (!strcmp(a, "--json")) return r->json = 1, 1;
    if (!strcmp(a, "--reduce")) return r->reduce = 1, 1;
    if (!strcmp(a, "--no-digest")) return r->no_digest = 1, 1;
    if (!strcmp(a, "--two-pass")) return r->two_pass = 1, 1;
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) return r->verbose = 1, 1;
    return 0;
}

static int add_adapter(runner *r, const char *spec) {
    char why[600];
    if (gth_adapter_parse(&r->adapters[r->na], spec, r->gthref_path, why, sizeof why)) {
        fprintf(stderr, "gth %s: %s%s%s\n", r->cmd, why, r->gthref_path ? "" : ": ", r->gthref_path ? "" : r->gthref_why);
        return -1;
    }
    if (r->timeout_s > 0) r->adapters[r->na].timeout_ms = r->timeout_s * 1000;
    r->na++;
    return 0;
}

static void add_pair(runner *r, size_t a, size_t b) {
    int texts = r->texts >= 0 ? r->texts : gth_diff_texts_policy(&r->adapters[a], &r->adapters[b]);
    r->pairs[r->np++] = (gth_pair){a, b, texts};
}

/* Known differences: those kept with the sources for gth's and Go's adapters
 * (adapters/expected/<name>.txt, `:` as `-`), then --expect. */
static int load_expected(runner *r) {
    for (size_t a = 0; a < r->na; a++) {
        char path[4400], name[64];
        snprintf(name, sizeof name, "%s", r->adapters[a].name);
        for (char *p = name; *p; p++)
            if (*p == ':') *p = '-';
        snprintf(path, sizeof path, "%s/adapters/expected/%s.txt", GTH_SOURCE_DIR, name);
        char why[600];
        if (r->adapters[a].first_party && access(path, R_OK) == 0 &&
            gth_expected_load(&r->expected[a], path, why, sizeof why))
            return fprintf(stderr, "gth %s: %s\n", r->cmd, why), -1;
    }
    for (size_t k = 0; k < r->nexpect; k++) {
        const char *eq = strchr(r->expect[k], '=');
        size_t nl = (size_t)(eq - r->expect[k]);
        size_t a = 0;
        while (a < r->na && (strlen(r->adapters[a].name) != nl || strncmp(r->adapters[a].name, r->expect[k], nl))) a++;
        if (a == r->na) {
            fprintf(stderr, "gth %s: --expect names no adapter of this run: %.*s\n", r->cmd, (int)nl, r->expect[k]);
            return -1;
        }
        char why[600];
        gth_expected_free(&r->expected[a]);
        if (gth_expected_load(&r->expected[a], eq + 1, why, sizeof why)) {
            fprintf(stderr, "gth %s: %s\n", r->cmd, why);
            return -1;
        }
    }
    return 0;
}

/* ---- Printing ---------------------------------------------------------------------------- */

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

typedef struct printer {
    FILE *log;
    int verbose, istty;
    gth_progress prog;
} printer;

/* A text on one line, quoted as Go quotes it, cut to 300 bytes. */
static void print_quoted(FILE *f, const gth_buf *b) {
    gth_buf q;
    gth_buf_init(&q, NULL);
    gth_quote_append(&q, b->data ? b->data : (const uint8_t *)"", b->len > 300 ? 300 : b->len);
    fprintf(f, "%.*s%s", (int)q.len, q.data ? (const char *)q.data : "", b->len > 300 ? "..." : "");
    gth_buf_free(&q);
}

/* A disagreement (and, verbose, a difference of texts) on the log. */
static void print_result(void *ud, const gth_trace_result *r) {
    printer *pr = ud;
    FILE *log = pr->log;
    const char *id = r->trace->id;
    if (r->outcome == GTH_OUTCOME_SKIPPED) {
        if (pr->verbose) fprintf(log, "%s: skipped: %s\n", id, r->reason);
        return;
    }
    if (r->outcome == GTH_OUTCOME_AGREE) {
        if (pr->verbose && r->cmp.messages_compared && !r->cmp.messages_agree)
            fprintf(log, "%s: %s and %s reject with different texts\n", id, r->a->name, r->b->name);
        return;
    }
    if (pr->istty) fprintf(log, "\r\033[K");
    if (r->outcome == GTH_OUTCOME_TIMEOUT || r->outcome == GTH_OUTCOME_ERROR) {
        fprintf(log, "%s %s: %s\n", r->outcome == GTH_OUTCOME_TIMEOUT ? "TIMEOUT" : "ERROR", id, r->reason);
        return;
    }
    if (r->reduced > 0)
        fprintf(log, "%sreduced %s: %llu -> %llu events, %llu -> %llu bytes, %llu candidates\n",
                isatty(2) ? "\r\033[K" : "", id, (unsigned long long)r->reduce_stats.events_in,
                (unsigned long long)r->reduce_stats.events_out, (unsigned long long)r->reduce_stats.bytes_in,
                (unsigned long long)r->reduce_stats.bytes_out, (unsigned long long)r->reduce_stats.tests);
    else if (r->reduced < 0)
        fprintf(log, "%scould not reduce %s: %s\n", isatty(2) ? "\r\033[K" : "", id, r->reduce_why);
    fprintf(log, "%s %s: %s %s, %s %s", r->known ? "known difference" : "DISAGREEMENT", id, r->a->name,
            gth_result_word(r->ra), r->b->name, gth_result_word(r->rb));
    if (r->what && strcmp(r->what, "verdict")) fprintf(log, " (%s)", r->what);
    if (r->nondet_a || r->nondet_b)
        fprintf(log, "; %s gave different results when run again", (r->nondet_b ? r->b : r->a)->name);
    if (r->cmp.line) {
        size_t la, lb;
        const char *xa = nth_line(&r->ra->lines, r->cmp.line, &la), *xb = nth_line(&r->rb->lines, r->cmp.line, &lb);
        fprintf(log, "; streams differ at line %zu:\n  %s: %.*s\n  %s: %.*s", r->cmp.line, r->a->name,
                (int)(la > 300 ? 300 : la), xa, r->b->name, (int)(lb > 300 ? 300 : lb), xb);
    }
    for (size_t k = 0; k < 2; k++) {
        const gth_result *x = k ? r->rb : r->ra;
        if (x->verdict != RES_ACCEPT && (!r->cmp.verdicts_agree || r->cmp.panic || !r->cmp.messages_agree)) {
            fprintf(log, "\n  %s: ", (k ? r->b : r->a)->name);
            print_quoted(log, &x->msg);
        }
    }
    if (r->reproducer) fprintf(log, "\n  reproducer: %s", r->reproducer);
    fprintf(log, "\n");
}

static void print_progress(void *ud, const gth_trace_item *it, size_t done, size_t total, size_t fresh) {
    printer *pr = ud;
    (void)total;
    (void)fresh;
    gth_progress_update(&pr->prog, done, it->id);
}

static void print_json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

/* The agreement table. */
static void print_table(const runner *r, const gth_traceset *ts, const gth_diff_summary *sum) {
    size_t np = sum->npairs, nsets = sum->nsets;
    if (r->json) {
        printf("{\"traces\":%zu,\"seconds\":%.3f,\"new_disagreements\":%zu,\"pairs\":[", ts->n, sum->seconds,
               sum->fresh);
        for (size_t p = 0; p < np; p++) {
            printf("%s{\"reference\":", p ? "," : "");
            print_json_str(stdout, r->adapters[r->pairs[p].a].name);
            printf(",\"adapter\":");
            print_json_str(stdout, r->adapters[r->pairs[p].b].name);
            printf(",\"texts\":\"%s\",\"sets\":{", r->pairs[p].texts ? "exact" : "off");
            for (size_t s = 0; s <= nsets; s++) {
                const gth_diff_counts *x = gth_diff_counts_at(sum, s, p);
                if (s) printf(",");
                print_json_str(stdout, s < nsets ? sum->sets[s] : "all");
                printf(":{\"traces\":%zu,\"verdicts_agree\":%zu,\"streams_compared\":%zu,\"streams_agree\":%zu,"
                       "\"messages_compared\":%zu,\"messages_agree\":%zu,\"known\":%zu,\"new\":%zu,"
                       "\"errors\":%zu,\"timeouts\":%zu,\"skipped\":%zu,\"nondeterministic\":%zu}",
                       x->traces, x->verdicts, x->streams, x->streams_ok, x->messages, x->messages_ok, x->known,
                       x->fresh, x->errors, x->timeouts, x->skipped, x->nondet);
            }
            printf("}}");
        }
        printf("]}\n");
        return;
    }
    for (size_t p = 0; p < np; p++) {
        printf("\n%s  vs  %s (reference), error texts %s\n", r->adapters[r->pairs[p].b].name,
               r->adapters[r->pairs[p].a].name, r->pairs[p].texts ? "must agree" : "not compared");
        printf("  %-10s %8s %17s %17s %17s %7s %5s %7s %7s %7s\n", "set", "traces", "verdicts agree", "streams agree",
               "error texts agree", "known", "new", "errors", "timeout", "skipped");
        for (size_t s = 0; s <= nsets; s++) {
            const gth_diff_counts *x = gth_diff_counts_at(sum, s, p);
            char v[32], sm[32], m[32];
            snprintf(v, sizeof v, "%zu/%zu", x->verdicts, x->traces);
            snprintf(sm, sizeof sm, "%zu/%zu", x->streams_ok, x->streams);
            snprintf(m, sizeof m, "%zu/%zu", x->messages_ok, x->messages);
            printf("  %-10s %8zu %17s %17s %17s %7zu %5zu %7zu %7zu %7zu\n", s < nsets ? sum->sets[s] : "all", x->traces,
                   v, sm, m, x->known, x->fresh, x->errors, x->timeouts, x->skipped);
        }
    }
    printf("\n%zu traces, %zu adapters, %.1f s: %s", ts->n, r->na, sum->seconds,
           sum->fresh ? "NEW DISAGREEMENTS (see above)" : "no new disagreement");
    if (sum->errors || sum->timeouts) printf("; %zu with an adapter error, %zu timed out", sum->errors, sum->timeouts);
    if (ts->skipped) printf("; %zu files that are not traces skipped", ts->skipped);
    printf("\n");
}

static int run_and_free(runner *r, gth_traceset *ts) {
    if (ts->n == 0) {
        fprintf(stderr, "gth %s: no traces to run\n", r->cmd);
        gth_traceset_free(ts);
        return 2;
    }
    printer pr = {.log = stderr, .verbose = r->verbose, .istty = isatty(2)};
    gth_progress_start(&pr.prog, stderr, -1, r->cmd[0] == 'd' ? "gth diff" : "gth conform", "traces", ts->n);
    gth_report *rep = NULL;
    char rdir[4300];
    if (r->report_dir) {
        gth_error err;
        gth_error_clear(&err);
        if (!(rep = gth_report_open(NULL, r->report_dir, r->cmd[0] == 'd' ? "gth diff" : "gth conform", &err))) {
            fprintf(stderr, "gth %s: --report: %s\n", r->cmd, err.msg);
            gth_traceset_free(ts);
            return 2;
        }
        snprintf(rdir, sizeof rdir, "%s/reproducers", r->report_dir);
    }
    gth_diff_opts o = {.adapters = r->adapters,
                       .nadapters = r->na,
                       .expected = r->expected,
                       .pairs = r->pairs,
                       .npairs = r->np,
                       .out_dir = r->out_dir ? r->out_dir : r->report_dir ? rdir : NULL,
                       .report = rep,
                       .report_dir = r->report_dir,
                       .repeat = r->repeat,
                       .normalize = r->normalize,
                       .jobs = r->jobs > 0 ? (size_t)r->jobs : (size_t)sysconf(_SC_NPROCESSORS_ONLN),
                       .reduce = r->reduce,
                       .no_digest = r->no_digest,
                       .no_join = r->two_pass,
                       .on_result = print_result,
                       .on_progress = print_progress,
                       .ud = &pr,
                       .reduce_progress = r->verbose ? gth_cli_reduce_progress : NULL,
                       .reduce_progress_ud = stderr};
    gth_diff_summary sum;
    int rc = gth_diff_run(ts, &o, &sum) ? 2 : sum.fatal || sum.errors ? 2 : sum.fresh || sum.timeouts ? 1 : 0;
    gth_progress_finish(&pr.prog, ts->n);
    if (sum.fatal) fprintf(stderr, "gth %s: %s\n", r->cmd, sum.fatal_why);
    if (rep) {
        gth_error err;
        gth_error_clear(&err);
        if (sum.fatal) gth_report_abort(rep);
        else if (gth_report_close(rep, &err) != GTH_OK) rc = (fprintf(stderr, "gth %s: --report: %s\n", r->cmd, err.msg), 2);
        else fprintf(stderr, "report: %s/index.html\n", r->report_dir);
    }
    if (!sum.fatal && sum.counts) {
        print_table(r, ts, &sum);
        for (size_t a = 0; a < r->na; a++)
            for (size_t k = 0; k < r->expected[a].n; k++)
                if (!r->expected[a].seen[k])
                    fprintf(stderr, "note: expected difference %s of %s did not occur (the list entry may be stale)\n",
                            r->expected[a].ids[k], r->adapters[a].name);
    }
    gth_diff_summary_free(&sum);
    for (size_t a = 0; a < r->na; a++) {
        gth_adapter_close(&r->adapters[a]);
        gth_expected_free(&r->expected[a]);
    }
    gth_traceset_free(ts);
    return rc;
}

static void runner_init(runner *r, const char *cmd) {
    memset(r, 0, sizeof *r);
    r->cmd = cmd;
    r->variants = -1;
    r->generated = -1;
    r->mutants = -1;
    r->texts = -1;
    r->gthref_path = gth_find_gthref(r->gthref, sizeof r->gthref, r->gthref_why, sizeof r->gthref_why);
}

static void diff_usage(FILE *f) {
    fprintf(f,
            "usage: gth diff [options] PATH...\n\n"
            "Runs traces through several parsers (adapters) and compares their verdicts,\n"
            "error texts and canonical event streams (docs/EVENTS.md) against the first\n"
            "adapter, the reference. PATH is a binary trace, a Go text trace, a .test file,\n"
            "a `go test fuzz v1` file, or a directory of them (recursively).\n\n"
            "  --adapter SPEC     a parser under test; repeatable. SPEC is gth, gth:parser,\n"
            "                     gth:validate (our validator), go, go:parser, go:validate\n"
            "                     (Go's reader, golang.org/x/exp/trace), or [NAME=]COMMAND for\n"
            "                     any adapter speaking adapters/README.md (run with --batch\n"
            "                     --events appended). Default: go:validate then gth:validate.\n"
            "  --goroot           add Go's golden tests and FuzzReader corpus from GOROOT\n"
            "  --generated N      add N generated traces of every version (seeds 1..N)\n"
            "  --variants N       add N deterministic truncations and one-byte corruptions\n"
            "  --mutants N        add N deterministic mutants (mutate/ operators) of the\n"
            "                     traces given (of each set; parents of at most 128 KiB)\n"
            "  --expect A=FILE    known differences of adapter A: lines \"PATTERN REASON\", PATTERN a\n"
            "                     trace id, a shell pattern of ids or text:\"GLOB\" (A's text);\n"
            "                     reported but do not fail the run\n"
            "  --texts MODE       exact: rejection texts must agree; off: not compared; auto\n"
            "                     (default): exact when both adapters are gth's or Go's readers\n"
            "  --repeat K         run each trace K times per adapter; differing runs are a\n"
            "                     disagreement (nondeterministic)\n"
            "  --jobs N           traces run at a time, each worker with its own adapter\n"
            "                     processes (default: the number of cores); same output order\n"
            "  --normalize LIST   compare streams without these fields (sync, status-stack,\n"
            "                     experimental, all: docs/EVENTS.md); by default a pair is\n"
            "                     normalised where its adapters' declared API generations differ\n"
            "  --out DIR          write each new disagreement as DIR/<id>.test (expectation: the\n"
            "                     reference's verdict) plus each adapter's output (cut at 1 MiB);\n"
            "                     DIR must be new, empty or an earlier --out (emptied first)\n"
            "  --report DIR       DIR/index.html, junit.xml, results.jsonl: one row per trace and\n"
            "                     pair (reproducers in DIR/reproducers unless --out is given)\n"
            "  --reduce           minimise each reproducer first, as gth reduce does with\n"
            "                     the pair's two adapters (docs/REDUCE.md)\n"
            "  --timeout SEC      per trace and adapter (default 120)\n"
            "  --no-digest        compare whole streams even where both adapters of a pair\n"
            "                     print stream digests (by default digests are compared and\n"
            "                     only a trace whose digests differ is run again with streams)\n"
            "  --two-pass         run the profiles parser and validate of a Go reader as two\n"
            "                     processes, each reading every trace (by default one process\n"
            "                     reads it once for both: --profile=both; the same results)\n"
            "  --json             the summary as JSON on stdout\n"
            "  -v, --verbose      also report traces both reject with different texts\n\n"
            "A panic (REJECT \"panic: ...\") or crash of an adapter is a disagreement unless\n"
            "the reference panics the same way; timeouts and adapter errors are counted apart,\n"
            "and so are traces of a version an adapter does not read (--capabilities).\n"
            "Exit codes: 0 no new disagreement, 1 new disagreements or timeouts, 2 usage or\n"
            "I/O error, an adapter error, or an adapter that cannot start or answers nothing.\n");
}

static int want_goroot(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--goroot")) return 1;
    return 0;
}

int gth_cmd_diff(int argc, char **argv) {
    runner r;
    runner_init(&r, "diff");
    const char *paths[4096];
    size_t npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return diff_usage(stdout), 0;
        int c = common_option(&r, argc, argv, &i);
        if (c < 0) return 2;
        if (c > 0 || !strcmp(argv[i], "--goroot")) continue;
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "gth diff: unknown option %s\n", argv[i]);
            diff_usage(stderr);
            return 2;
        }
        if (npaths < sizeof paths / sizeof paths[0]) paths[npaths++] = argv[i];
    }
    if (!npaths && !want_goroot(argc, argv) && r.generated <= 0) {
        diff_usage(stderr);
        return 2;
    }
    if (r.nspecs == 0) {
        r.specs[r.nspecs++] = "go:validate";
        r.specs[r.nspecs++] = "gth:validate";
    }
    for (size_t k = 0; k < r.nspecs; k++)
        if (add_adapter(&r, r.specs[k])) return 2;
    if (r.na < 2) return fprintf(stderr, "gth diff: compare at least two adapters\n"), 2;
    for (size_t k = 1; k < r.na; k++) add_pair(&r, 0, k);
    if (load_expected(&r)) return 2;
    gth_traceset ts;
    char why[8600];
    if (gth_traceset_init(&ts, why, sizeof why)) return fprintf(stderr, "gth diff: %s\n", why), 2;
    if (want_goroot(argc, argv)) {
        char gr[4096];
        if (!gth_goroot(gr, sizeof gr) || gth_traceset_add_goroot(&ts, gr, why, sizeof why)) {
            fprintf(stderr, "gth diff: --goroot: %s\n", why[0] ? why : "no Go toolchain on PATH");
            gth_traceset_free(&ts);
            return 2;
        }
    }
    if (r.generated > 0 && gth_traceset_add_generated(&ts, (size_t)r.generated, why, sizeof why)) {
        fprintf(stderr, "gth diff: %s\n", why);
        gth_traceset_free(&ts);
        return 2;
    }
    for (size_t k = 0; k < npaths; k++)
        if (gth_traceset_add_path(&ts, paths[k], "file", why, sizeof why)) {
            fprintf(stderr, "gth diff: %s\n", why);
            gth_traceset_free(&ts);
            return 2;
        }
    if ((r.variants > 0 &&
         gth_traceset_derive_per_set(&ts, gth_traceset_add_variants, (size_t)r.variants, NULL, why, sizeof why)) ||
        (r.mutants > 0 &&
         gth_traceset_derive_per_set(&ts, gth_traceset_add_mutants, (size_t)r.mutants, "variant", why, sizeof why))) {
        fprintf(stderr, "gth diff: %s\n", why);
        gth_traceset_free(&ts);
        return 2;
    }
    return run_and_free(&r, &ts);
}

static void conform_usage(FILE *f) {
    fprintf(f,
            "usage: gth conform [options]\n\n"
            "The conformance run. Gathers the built-in trace set — Go's golden tests and\n"
            "FuzzReader corpus (from GOROOT), real traces freshly written by the test\n"
            "programs of adapters/go/testprogs (normal and stress mode), traces synthesised\n"
            "by the generator for every version, and deterministic truncations and\n"
            "corruptions of the golden traces, and deterministic mutants of the golden and\n"
            "generated traces by the structure-aware mutator (gth mutate) — runs it through our\n"
            "validator and Go's reader in both profiles, and prints the agreement table.\n"
            "With --adapter, tests that parser against Go's reader on the same set.\n\n"
            "  --adapter SPEC     a parser under test (see gth diff --help); compared with Go\n"
            "  --profile P        parser or validate: the Go profile --adapter is compared\n"
            "                     with (default validate)\n"
            "  --real DIR         take the real traces from DIR instead of writing them\n"
            "  --no-real          leave real traces out\n"
            "  --generated N      generated traces per version (seeds 1..N, default 50)\n"
            "  --variants N       how many variants of the golden traces (default 2000)\n"
            "  --mutants N        how many mutants of the golden and of the generated traces\n"
            "                     (default 150 each; parents of at most 128 KiB)\n"
            "  --expect A=FILE    known differences of adapter A (see gth diff --help)\n"
            "  --out DIR          write new disagreements as reproducers into DIR\n"
            "  --report DIR       DIR/index.html, junit.xml, results.jsonl (see gth diff --help)\n"
            "  --texts, --repeat, --normalize, --jobs, --no-digest, --two-pass  as gth diff\n"
            "  --reduce           minimise each reproducer first (docs/REDUCE.md)\n"
            "  --timeout SEC      per trace and adapter (default 120)\n"
            "  --json             the summary as JSON on stdout\n"
            "  --readers          the compatibility matrix of Go's release readers instead\n"
            "                     (the same as gth matrix; see gth matrix --help)\n\n"
            "Exit codes: 0 no new disagreement, 1 new disagreements, 2 usage or I/O error.\n");
}

int gth_cmd_conform(int argc, char **argv) {
    runner r;
    runner_init(&r, "conform");
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--readers")) { /* the compatibility matrix of Go's readers: gth matrix */
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
            return gth_cmd_matrix(argc - 1, argv);
        }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return conform_usage(stdout), 0;
        int c = common_option(&r, argc, argv, &i);
        if (c < 0) return 2;
        if (c > 0) continue;
        if (!strcmp(argv[i], "--no-real")) {
            r.no_real = 1;
        } else if (!strcmp(argv[i], "--real") && i + 1 < argc) {
            r.real_dir = argv[++i];
        } else {
            fprintf(stderr, "gth conform: unknown argument %s\n", argv[i]);
            conform_usage(stderr);
            return 2;
        }
    }
    if (!r.gthref_path) return fprintf(stderr, "gth conform: %s\n", r.gthref_why), 2;
    if (r.nspecs > 1) return fprintf(stderr, "gth conform: one --adapter at a time\n"), 2;
    if (r.nspecs == 1) {
        const char *go = r.profile && !strcmp(r.profile, "parser") ? "go:parser" : "go:validate";
        if (add_adapter(&r, go) || add_adapter(&r, r.specs[0])) return 2;
        add_pair(&r, 0, 1);
    } else {
        if (add_adapter(&r, "go:parser") || add_adapter(&r, "gth:parser") || add_adapter(&r, "go:validate") ||
            add_adapter(&r, "gth:validate"))
            return 2;
        add_pair(&r, 0, 1);
        add_pair(&r, 2, 3);
    }
    if (load_expected(&r)) return 2;
    gth_traceset ts;
    char why[8600];
    if (gth_traceset_init(&ts, why, sizeof why)) return fprintf(stderr, "gth conform: %s\n", why), 2;
    gth_conform_set set = {.source_dir = GTH_SOURCE_DIR, .real_dir = r.real_dir, .no_real = r.no_real,
                           .generated = r.generated, .variants = r.variants, .mutants = r.mutants};
    int rc = gth_traceset_add_conform(&ts, &set, why, sizeof why);
    if (rc) {
        fprintf(stderr, "gth conform: %s\n", why);
        gth_traceset_free(&ts);
        return 2;
    }
    return run_and_free(&r, &ts);
}
