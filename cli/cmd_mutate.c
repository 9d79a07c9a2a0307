/* gth mutate: the structure-aware mutator on one trace, its operator list, and
 * --derive, which grows a labelled corpus of invalid traces from valid ones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/quote.h"
#include "cli/cli.h"
#include "cli/io.h"
#include "format/convert.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "mutate/mutator.h"
#include "harness/derive.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth mutate [--seed N] [--op NAME] [-o OUT] IN\n"
            "       gth mutate --list\n"
            "       gth mutate --derive OUTDIR [--count N] [--seed S] [--generated K] [--no-golden]\n"
            "                  [--stack K] [--from PATH]...\n\n"
            "Applies one operator of the structure-aware mutator (mutate/) to a trace\n"
            "and writes the mutant (binary) to OUT or stdout. IN is a binary trace, a Go text\n"
            "trace or a .test file (packed first), or \"-\" for stdin. The operator is chosen by\n"
            "the seed unless --op names one; the same input, seed and operator always give\n"
            "the same bytes. The operator applied is reported on stderr.\n\n"
            "  --seed N       the seed (default 1)\n"
            "  --op NAME      apply this operator (gth mutate --list); exit 1 if it does not\n"
            "                 apply to the input\n"
            "  -o OUT         write to OUT instead of stdout (--out OUT too)\n"
            "  --list         the operators: name, kind (semantic: re-encoded with correct\n"
            "                 batch sizes; bytes: framing broken on purpose), description\n\n"
            "--derive: the labelled invalid corpus. Takes valid traces (Go's golden tests from\n"
            "GOROOT, K generated traces per version, and --from files or directories),\n"
            "keeps those both our validator and Go's (the gthref adapter, validate profile)\n"
            "accept as parents, mutates them, and keeps the first N distinct mutants that at\n"
            "least one of the two rejects. Each is written as OUTDIR/NNNN-OP-PARENT.test in\n"
            "Go's golden layout (expectation: FAILURE with Go's error text, regexp-quoted),\n"
            "or .bin when the text format cannot carry it (binary-level corruption), and\n"
            "described by one line of OUTDIR/MANIFEST (tab-separated: file, operator, parent,\n"
            "seed, our invariant, our verdict, Go's parser-profile verdict, Go's verdict, Go's\n"
            "text). Mutants on which Go and we disagree are findings: written to\n"
            "OUTDIR/findings/ (with both verdicts) and listed on stderr.\n\n"
            "  --count N      mutants to keep (default 100)\n"
            "  --seed S       first seed (default 1)\n"
            "  --generated K  generated parents per version (default 2)\n"
            "  --no-golden    no golden parents\n"
            "  --stack K      apply K operators in a row to each mutant (default 1, at most 16);\n"
            "                 the manifest names them joined by '+'\n"
            "  --from PATH    more parents (repeatable)\n\n"
            "Exit codes: 0 ok (derive: no finding), 1 the operator does not apply (derive:\n"
            "findings), 2 usage or I/O error.\n");
}

static int list_ops(void) {
    for (int i = 0; i < (int)gth_mutator_count(); i++)
        printf("%-22s %-8s %s\n", gth_mutator_name(i),
               gth_mutator_kind(i) == GTH_MUT_SEMANTIC ? "semantic" : "bytes", gth_mutator_desc(i));
    return 0;
}

/* The input as a binary trace: text, .test and fuzz inputs are packed. */
static int load_binary(const char *path, uint8_t **data, size_t *len) {
    char why[4400];
    gth_buf out;
    gth_buf_init(&out, NULL);
    gth_error err;
    int rc = gth_io_read_trace(path, &out, &err, why, sizeof why);
    if (rc) {
        gth_buf_free(&out);
        return rc < 0 ? (fprintf(stderr, "gth mutate: %s\n", why), 2) : gth_io_report("mutate", path, &err);
    }
    *data = out.data; /* the default allocator is malloc */
    *len = out.len;
    return 0;
}

static int mutate_one(const char *in, const char *outp, uint64_t seed, int op) {
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = load_binary(in, &data, &len);
    if (rc) return rc;
    gth_buf out;
    gth_buf_init(&out, NULL);
    gth_error err;
    int applied = -1;
    int st = gth_mutate_buf(NULL, data, len, seed, op, &out, &applied, &err);
    free(data);
    if (st != GTH_OK) {
        gth_buf_free(&out);
        fprintf(stderr, "gth mutate: %s: %s\n", gth_io_name(in), err.msg);
        return st == GTH_EINVALID ? 1 : 2;
    }
    char why[4400];
    gth_io_out o;
    if (gth_io_out_open(&o, outp, why, sizeof why)) {
        gth_buf_free(&out);
        fprintf(stderr, "gth mutate: %s\n", why);
        return 2;
    }
    gth_io_out_write(&o, out.data, out.len);
    gth_buf_free(&out);
    if (gth_io_out_close(&o, 0, why, sizeof why)) {
        fprintf(stderr, "gth mutate: %s\n", why);
        return 2;
    }
    fprintf(stderr, "gth mutate: %s seed %llu: %s\n", gth_io_name(in), (unsigned long long)seed,
            gth_mutator_name(applied));
    return 0;
}

int gth_cmd_mutate(int argc, char **argv) {
    const char *in = NULL, *outp = NULL, *opname = NULL;
    uint64_t seed = 1;
    int list = 0;
    gth_derive_opts d = {.count = 100, .generated = 2, .seed = 1, .stack = 1};
    static const char *const numeric[] = {"--seed", "--count", "--generated", "--stack"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        int k = 0, num = -1;
#define VAL(name) ((k = gth_cli_value("mutate", argc, argv, &i, name, &val)) != 0)
        for (int j = 0; j < 4 && num < 0; j++)
            if (VAL(numeric[j])) num = j;
        if (k < 0) return 2;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(stdout), 0;
        if (num >= 0) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(val, &end, 0);
            if (errno || *end || !*val || val[0] == '-') {
                fprintf(stderr, "gth mutate: %s takes a non-negative number, not %s\n", numeric[num], val);
                return 2;
            }
            if (num == 0) seed = d.seed = v;
            else if (num == 1) d.count = (long)v;
            else if (num == 3) d.stack = v < 1 ? 1 : v > 16 ? 16 : (long)v;
            else d.generated = (long)v;
        } else if (!strcmp(a, "--list")) list = 1;
        else if (!strcmp(a, "--no-golden")) d.no_golden = 1;
        else if (VAL("--op")) opname = val;
        else if (VAL("-o") || VAL("--out")) outp = val;
        else if (VAL("--derive")) d.outdir = val;
        else if (VAL("--from")) {
            if (d.nfrom == sizeof d.from / sizeof d.from[0]) return fprintf(stderr, "gth mutate: too many --from\n"), 2;
            d.from[d.nfrom++] = val;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gth mutate: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (in) {
            fprintf(stderr, "gth mutate: one input at a time (%s and %s)\n", in, a);
            return 2;
        } else {
            in = a;
        }
        if (k < 0) return 2; /* a value was missing */
#undef VAL
    }
    if (list) return list_ops();
    if (d.outdir) {
        if (in || opname || outp) return fprintf(stderr, "gth mutate: --derive takes no IN, --op or -o\n"), 2;
        return gth_derive(&d, stderr);
    }
    if (!in) {
        usage(stderr);
        return 2;
    }
    int op = -1;
    if (opname) {
        op = gth_mutator_find(opname);
        if (op < 0) {
            fprintf(stderr, "gth mutate: unknown operator %s (gth mutate --list)\n", opname);
            return 2;
        }
    }
    return mutate_one(in, outp, seed, op);
}
