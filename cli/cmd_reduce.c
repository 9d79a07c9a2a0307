/* gth reduce: minimises a trace under a predicate and writes it as a .test. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "harness/progress.h"
#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "harness/predicate.h"
#include "harness/repro.h"
#include "spec/invariants.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: gth reduce PREDICATE [options] TRACE\n\n"
            "Minimises TRACE (binary, Go text format or .test) by delta debugging over\n"
            "generations, threads, batches, goroutines, procs, events and table entries,\n"
            "then stack frames and string data, keeping only what the predicate needs, and\n"
            "writes the smallest trace found as a .test file in Go's golden layout: the\n"
            "expectation is Go's verdict on it (SUCCESS, or FAILURE and Go's error text).\n\n"
            "Predicates (exactly one):\n"
            "  --adapter A --adapter B   the two adapters disagree as gth diff judges it\n"
            "                     (verdicts differ, or canonical streams differ), with the\n"
            "                     same verdicts as on TRACE. Specs as in gth diff --help\n"
            "                     (gth, gth:parser, go, go:parser, [NAME=]COMMAND).\n"
            "  --invariant ID     our validator rejects it with invariant ID (gth invariants)\n"
            "  --match REGEX      with --invariant: and the finding's text matches REGEX\n"
            "                     (Go's RE2 syntax), to keep the same finding, not just the id\n"
            "  --cmd 'CMD {}'     a shell command, {} replaced by the candidate's path\n"
            "                     (appended if absent): it exits with the status it has on\n"
            "                     TRACE, or as --exit / --crash say\n\n"
            "Options:\n"
            "  -o, --out FILE     the .test file to write (default: stdout)\n"
            "  --binary FILE      also write the reduced binary trace\n"
            "  --profile P        parser or validate: the profile of --invariant, and of the\n"
            "                     Go adapter that gives the expectation (default validate)\n"
            "  --any              adapters: any disagreement, whatever the verdicts\n"
            "  --texts            adapters: both rejecting with different texts also counts\n"
            "  --exit N           command: holds when it exits with status N\n"
            "  --crash            command: holds when it dies by a signal (or its shell\n"
            "                     reports 128+N)\n"
            "  --timeout SEC      per candidate (adapters and command); a command that\n"
            "                     times out does not hold\n"
            "  --max-tests N      stop after N candidates (the smallest so far is written)\n"
            "  --bytes            remove byte ranges only (for behaviour that depends on\n"
            "                     broken framing; the structured levels fall back to it by\n"
            "                     themselves when re-encoding loses the behaviour)\n"
            "  --no-shrink        skip the last level (stack frames, string data)\n"
            "  -q, --quiet        no progress on stderr\n\n"
            "Exit codes: 0 reduced and written, 1 the predicate does not hold on TRACE,\n"
            "2 usage or I/O error, 3 internal error.\n");
}

/* ---- Progress ------------------------------------------------------------------------------ */

void gth_cli_reduce_progress(void *ud, const gth_reduce_progress *p) {
    FILE *f = ud;
    static const char *last_phase;
    static double start, last;
    static int tty = -1;
    if (tty < 0) tty = isatty(fileno(f));
    double t = gth_progress_now();
    if (start == 0) start = t;
    int phase_change = p->phase != last_phase;
    if (!phase_change && t - last < (tty ? 0.2 : 5.0)) return;
    last = t;
    last_phase = p->phase;
    unsigned long el = (unsigned long)(t - start);
    fprintf(f, "%s%-12s %8llu candidates, %6llu kept; now %llu events, %llu bytes; %lu:%02lu elapsed%s",
            tty ? "\r\033[K" : "", p->phase, (unsigned long long)p->tests, (unsigned long long)p->kept,
            (unsigned long long)p->events, (unsigned long long)p->bytes, el / 60, el % 60, tty ? "" : "\n");
    fflush(f);
}

typedef struct opts {
    const char *specs[2];
    int nspecs;
    const char *invariant, *match, *cmd, *out, *binary, *input, *profile;
    int any, texts, crash, have_exit, exit_code, timeout_s, bytes, no_shrink, quiet;
    unsigned long long max_tests;
} opts;

static int parse(int argc, char **argv, opts *o) {
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
#define VAL(flag) ((k = gth_cli_value("reduce", argc, argv, &i, flag, &val)) > 0 || (k < 0 && (missing = 1, 0)))
        int missing = 0, k;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if (VAL("--adapter")) {
            if (o->nspecs == 2) return fprintf(stderr, "gth reduce: give exactly two --adapter\n"), -1;
            o->specs[o->nspecs++] = val;
        } else if (VAL("--invariant")) {
            o->invariant = val;
        } else if (VAL("--match")) {
            o->match = val;
        } else if (VAL("--cmd")) {
            o->cmd = val;
        } else if (VAL("--out") || VAL("-o")) {
            o->out = val;
        } else if (VAL("--binary")) {
            o->binary = val;
        } else if (VAL("--profile")) {
            if (strcmp(val, "parser") && strcmp(val, "validate"))
                return fprintf(stderr, "gth reduce: unknown profile %s (want parser or validate)\n", val), -1;
            o->profile = val;
        } else if (VAL("--exit")) {
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || v < 0 || v > 255) return fprintf(stderr, "gth reduce: bad --exit %s\n", val), -1;
            o->have_exit = 1;
            o->exit_code = (int)v;
        } else if (VAL("--timeout")) {
            o->timeout_s = atoi(val);
        } else if (VAL("--max-tests")) {
            o->max_tests = strtoull(val, NULL, 10);
        } else if (!strcmp(a, "--crash")) {
            o->crash = 1;
        } else if (!strcmp(a, "--any")) {
            o->any = 1;
        } else if (!strcmp(a, "--texts")) {
            o->texts = 1;
        } else if (!strcmp(a, "--bytes")) {
            o->bytes = 1;
        } else if (!strcmp(a, "--no-shrink")) {
            o->no_shrink = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (missing) {
            return -1;
        } else if (a[0] == '-' && a[1]) {
            return fprintf(stderr, "gth reduce: unknown option %s\n", a), -1;
        } else if (o->input) {
            return fprintf(stderr, "gth reduce: one trace at a time (%s, %s)\n", o->input, a), -1;
        } else {
            o->input = a;
        }
#undef VAL
    }
    int kinds = (o->nspecs > 0) + (o->invariant != NULL) + (o->cmd != NULL);
    if (kinds != 1) return fprintf(stderr, "gth reduce: give exactly one predicate: --adapter A --adapter B, --invariant ID or --cmd CMD\n"), -1;
    if (o->nspecs == 1) return fprintf(stderr, "gth reduce: a disagreement needs two --adapter\n"), -1;
    if ((o->crash || o->have_exit) && !o->cmd) return fprintf(stderr, "gth reduce: --exit and --crash go with --cmd\n"), -1;
    if (o->crash && o->have_exit) return fprintf(stderr, "gth reduce: --exit or --crash, not both\n"), -1;
    if (o->match && !o->invariant) return fprintf(stderr, "gth reduce: --match goes with --invariant\n"), -1;
    if (!o->input) return fprintf(stderr, "gth reduce: no trace given\n"), -1;
    return 0;
}

int gth_cmd_reduce(int argc, char **argv) {
    opts o;
    int pr = parse(argc, argv, &o);
    if (pr == 1) return 0; /* --help */
    if (pr) {
        fprintf(stderr, "run 'gth reduce --help' for usage\n");
        return 2;
    }
    int profile = o.profile && !strcmp(o.profile, "parser") ? GTH_PROFILE_PARSER : GTH_PROFILE_VALIDATE;
    char why[8800] = "";
    gth_buf input, out;
    gth_buf_init(&input, NULL);
    gth_buf_init(&out, NULL);
    gth_error lerr;
    int lr = gth_io_read_trace(o.input, &input, &lerr, why, sizeof why);
    if (lr) {
        if (lr < 0) fprintf(stderr, "gth reduce: %s\n", why);
        else gth_io_report("reduce", o.input, &lerr);
        gth_buf_free(&input);
        return 2;
    }
    char tmpdir[4200];
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/gth-reduce-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "gth reduce: cannot create a temporary directory: %s\n", strerror(errno));
        gth_buf_free(&input);
        return 2;
    }
    char cand[4200];
    snprintf(cand, sizeof cand, "%.4000s/candidate.trace", tmpdir);

    char gthref_buf[4096], gthref_why[512];
    const char *gthref = gth_find_gthref(gthref_buf, sizeof gthref_buf, gthref_why, sizeof gthref_why);
    gth_adapter ad[2];
    int nad = 0;
    gth_pair_pred pp;
    gth_inv_pred ip = {0, 0, NULL};
    gth_regex re;
    int have_re = 0;
    gth_cmd_pred cp;
    gth_reduce_opts ro;
    memset(&ro, 0, sizeof ro);
    gth_buf desc;
    gth_buf_init(&desc, NULL);
    int rc = 0;
    if (o.nspecs) {
        for (; nad < 2; nad++) {
            if (gth_adapter_parse(&ad[nad], o.specs[nad], gthref, why, sizeof why)) {
                fprintf(stderr, "gth reduce: %s%s%s\n", why, gthref ? "" : ": ", gthref ? "" : gthref_why);
                rc = 2;
                goto out;
            }
            if (o.timeout_s > 0) ad[nad].timeout_ms = o.timeout_s * 1000;
        }
        gth_pair_pred_init(&pp, &ad[0], &ad[1], cand);
        pp.texts = o.texts;
        if (gth_io_write_all(cand, input.data, input.len, why, sizeof why)) {
            fprintf(stderr, "gth reduce: %s\n", why);
            rc = 2;
            goto out;
        }
        if (!gth_pair_pred_file(&pp, cand)) {
            fprintf(stderr, "gth reduce: %s and %s agree on %s (both %s): nothing to reduce\n", ad[0].name, ad[1].name,
                    o.input, gth_verdict_word(pp.ra.verdict));
            rc = 1;
            goto out;
        }
        if (!o.any) {
            pp.want_a = pp.ra.verdict;
            pp.want_b = pp.rb.verdict;
        }
        gth_buf_printf(&desc, "%s says %s, %s says %s", ad[0].name, gth_verdict_word(pp.ra.verdict), ad[1].name,
                       gth_verdict_word(pp.rb.verdict));
        if (pp.ra.verdict == pp.rb.verdict) gth_buf_printf(&desc, "; their event streams differ");
        ro.pred = gth_pair_pred_fn;
        ro.ud = &pp;
    } else if (o.invariant) {
        ip.inv = gth_invariant_find(o.invariant);
        ip.profile = profile;
        if (ip.inv == GTH_INV_NONE) {
            fprintf(stderr, "gth reduce: unknown invariant %s (see gth invariants)\n", o.invariant);
            rc = 2;
            goto out;
        }
        if (o.match) {
            gth_error rerr;
            gth_error_clear(&rerr);
            if (gth_regex_compile(&re, NULL, o.match, strlen(o.match), &rerr) != GTH_OK) {
                fprintf(stderr, "gth reduce: --match %s: %s\n", o.match, rerr.msg);
                rc = 2;
                goto out;
            }
            have_re = 1;
            ip.match = &re;
        }
        if (gth_inv_pred_fn(&ip, input.data, input.len) == 0) {
            /* Said plainly: the trace does not show it, and what it shows. */
            gth_buf_printf(&desc, "gth reduce: %s does not show [%s]%s%s%s: ", o.input, o.invariant,
                           o.match ? " matching /" : "", o.match ? o.match : "", o.match ? "/" : "");
            gth_inv_pred_explain(&ip, input.data, input.len, &desc);
            gth_buf_putc(&desc, 0);
            fprintf(stderr, "%s; nothing to reduce\n", desc.failed ? "gth reduce: out of memory" : (const char *)desc.data);
            rc = 1;
            goto out;
        }
        gth_buf_printf(&desc, "our validator (profile %s) reports [%s]", gth_profile_name((unsigned)profile), o.invariant);
        if (o.match) gth_buf_printf(&desc, " matching /%s/", o.match);
        ro.pred = gth_inv_pred_fn;
        ro.ud = &ip;
    } else {
        memset(&cp, 0, sizeof cp);
        cp.cmd = o.cmd;
        cp.timeout_s = o.timeout_s;
        snprintf(cp.path, sizeof cp.path, "%s", cand);
        if (o.crash) {
            cp.want_signal = 1;
        } else if (o.have_exit) {
            cp.want_exit = o.exit_code;
        } else {
            if (gth_io_write_all(cand, input.data, input.len, why, sizeof why)) {
                fprintf(stderr, "gth reduce: %s\n", why);
                rc = 2;
                goto out;
            }
            int st = gth_cmd_pred_run(&cp, cand);
            if (st < 0) {
                fprintf(stderr, "gth reduce: the command did not finish on %s\n", o.input);
                rc = 1;
                goto out;
            }
            if (st > 128 && st <= 128 + 64) cp.want_signal = 1;
            else cp.want_exit = st;
        }
        if (cp.want_signal) gth_buf_printf(&desc, "`%s` dies by a signal", o.cmd);
        else gth_buf_printf(&desc, "`%s` exits with status %d", o.cmd, cp.want_exit);
        ro.pred = gth_cmd_pred_fn;
        ro.ud = &cp;
    }
    gth_buf_putc(&desc, 0);
    ro.progress = o.quiet ? NULL : gth_cli_reduce_progress;
    ro.progress_ud = stderr;
    ro.max_tests = o.max_tests;
    ro.bytes_only = o.bytes;
    ro.no_shrink = o.no_shrink;

    gth_reduce_stats st;
    gth_error err;
    int r = gth_reduce(input.data, input.len, &ro, &out, &st, &err);
    if (!o.quiet && isatty(2)) fprintf(stderr, "\n");
    if (r == GTH_EINVALID) {
        fprintf(stderr, "gth reduce: %s: %s (%s)\n", o.input, err.msg, (const char *)desc.data);
        rc = 1;
        goto out;
    }
    if (r != GTH_OK) {
        fprintf(stderr, "gth reduce: %s\n", err.msg);
        rc = r == GTH_ENOMEM ? 3 : 2;
        goto out;
    }
    if (!o.quiet)
        fprintf(stderr, "gth reduce: %llu -> %llu events, %llu -> %llu bytes (%s), %llu candidates%s\n",
                (unsigned long long)st.events_in, (unsigned long long)st.events_out, (unsigned long long)st.bytes_in,
                (unsigned long long)st.bytes_out, st.mode == GTH_REDUCE_BYTES ? "byte ranges" : "events",
                (unsigned long long)st.tests, st.limited ? " (stopped by --max-tests)" : "");

    /* The expectation: Go's verdict on the result (our validator's if the Go
     * adapter is missing). */
    gth_result expect;
    gth_result_init(&expect);
    char jwhy[600];
    int wrote = gth_io_write_all(cand, out.data, out.len, why, sizeof why) == 0;
    const char *judge = gth_judge(GTH_ORACLE_GO_OR_OURS, wrote ? gthref : NULL, profile, cand, out.data, out.len,
                                  &expect, jwhy, sizeof jwhy);
    if (strncmp(judge, "go:", 3))
        fprintf(stderr, "gth reduce: warning: the Go adapter is not available (%s); the expectation is our validator's verdict\n",
                gthref ? "it could not judge the trace" : gthref_why);
    gth_buf comment;
    gth_buf_init(&comment, NULL);
    gth_buf_printf(&comment,
                   "Reduced by gth reduce from %s (%llu events, %llu bytes) to %llu events.\n"
                   "It shows: %s.\nExpectation: what %s says.\n",
                   o.input, (unsigned long long)st.events_in, (unsigned long long)st.bytes_in,
                   (unsigned long long)st.events_out, (const char *)desc.data, judge);
    gth_buf_putc(&comment, 0);
    char testpath[4400];
    snprintf(testpath, sizeof testpath, "%s/reduced.test", tmpdir);
    int wrote_test = gth_write_test(testpath, out.data, out.len, (const char *)comment.data, &expect, why, sizeof why) == 0;
    gth_buf_free(&comment);
    gth_result_free(&expect);
    if (!wrote_test) {
        fprintf(stderr, "gth reduce: cannot write a .test: %s%s\n", why,
                o.binary ? "" : "; use --binary FILE to keep the reduced trace");
    } else {
        /* The .test must show it too: Go packs its text verbatim. */
        uint8_t *t;
        size_t tn;
        gth_buf back;
        gth_buf_init(&back, NULL);
        if (gth_io_read_all(testpath, &t, &tn, why, sizeof why) == 0) {
            gth_error e2;
            int holds = gth_convert_text_to_binary(t, tn, testpath, GTH_ENC_VERBATIM, &back, &e2) == GTH_OK &&
                        ro.pred(ro.ud, back.data, back.len) > 0;
            if (!holds)
                fprintf(stderr, "gth reduce: warning: the .test file, packed back, no longer shows it%s\n",
                        o.binary ? "" : "; use --binary FILE to keep the exact bytes");
            gth_io_out os;
            if (gth_io_out_open(&os, o.out, why, sizeof why) || gth_io_out_write(&os, t, tn) ||
                gth_io_out_close(&os, 0, why, sizeof why)) {
                fprintf(stderr, "gth reduce: %s\n", why);
                rc = 2;
            }
            free(t);
        } else {
            fprintf(stderr, "gth reduce: %s\n", why);
            rc = 2;
        }
        gth_buf_free(&back);
    }
    if (o.binary && gth_io_write_all(o.binary, out.data, out.len, why, sizeof why)) {
        fprintf(stderr, "gth reduce: %s\n", why);
        rc = 2;
    }
    if (!wrote_test && !o.binary) rc = 2;
out:
    if (have_re) gth_regex_free(&re);
    for (int k = 0; k < nad; k++) gth_adapter_close(&ad[k]);
    if (o.nspecs && nad == 2) gth_pair_pred_free(&pp);
    unlink(cand);
    char tp[4400];
    snprintf(tp, sizeof tp, "%s/reduced.test", tmpdir);
    unlink(tp);
    rmdir(tmpdir);
    gth_buf_free(&desc);
    gth_buf_free(&input);
    gth_buf_free(&out);
    return rc;
}
