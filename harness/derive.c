/* derive: a labelled corpus of invalid traces grown from valid ones by the
 * structure-aware mutator, each judged by Go and by us (harness/derive.h). */
#include "harness/derive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/quote.h"
#include "format/convert.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "mutate/mutator.h"
#include "base/rng.h"
#include "harness/adapter.h"
#include "harness/agree.h"
#include "harness/files.h"
#include "harness/progress.h"
#include "harness/repro.h"
#include "harness/traceset.h"
#include "spec/invariants.h"
#include "validator/validate.h"

/* Our validator in-process (validate profile): RES_* verdict, the message and
 * the invariant id. */
static int ours(const uint8_t *p, size_t n, gth_buf *msg, int *inv) {
    msg->len = 0;
    *inv = 0;
    gth_validate_opts o = {.message = msg};
    gth_validate_result res;
    int st = gth_validate_mem(p, n, GTH_PROFILE_VALIDATE, &o, &res);
    if (st == GTH_OK) {
        msg->len = 0;
        return RES_ACCEPT;
    }
    if (msg->len == 0) gth_buf_append(msg, res.err.msg, gth_error_len(&res.err));
    *inv = res.err.inv;
    return st == GTH_EINVALID ? RES_REJECT : RES_ERROR;
}

static int write_bytes(FILE *log, const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    int ok = f && (n == 0 || fwrite(p, 1, n, f) == n);
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) fprintf(log, "gth mutate: cannot write %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

static uint64_t fnv(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* The FAILURE regexp for Go's error text: its first line as a literal, except
 * where Go's text depends on its map order (docs/FORMAT.md §11.3): for "failed to
 * advance" only that phrase (the state dump that follows varies), and for a bad
 * string id in a sparse stack table the ids (which bad stack is reported varies). */
static void failure_pattern(gth_buf *pat, const gth_buf *msg) {
    static const char stuck[] = "broken trace: failed to advance";
    static const char bad_func[] = "found invalid func string ID ", bad_file[] = "found invalid file string ID ";
    size_t n = 0;
    while (n < msg->len && msg->data[n] != '\n' && msg->data[n] != 0) n++;
    if (n >= sizeof bad_func - 1 &&
        (!memcmp(msg->data, bad_func, sizeof bad_func - 1) || !memcmp(msg->data, bad_file, sizeof bad_file - 1))) {
        static const char any[] = "found invalid (func|file) string ID [0-9]+ for stack [0-9]+";
        gth_buf_append(pat, any, sizeof any); /* with its NUL */
        return;
    }
    if (n >= sizeof stuck - 1 && !memcmp(msg->data, stuck, sizeof stuck - 1)) n = sizeof stuck - 1;
    gth_regexp_quote(pat, msg->data, n);
    gth_buf_putc(pat, 0);
}

/* 1 if the expectation (pattern NULL: SUCCESS) is met by an error text (NULL:
 * none), as Go's golden runner matches it: unanchored. */
static int expect_met(const char *pattern, const gth_buf *text) {
    gth_expect e;
    gth_error err;
    if (gth_expect_init(&e, NULL, pattern, &err) != GTH_OK) return 0;
    gth_buf t;
    gth_buf_init(&t, NULL);
    if (text) {
        gth_buf_append(&t, text->data, text->len);
        gth_buf_putc(&t, 0);
    }
    int ok = !t.failed && gth_expect_matches(&e, text ? (const char *)t.data : NULL);
    gth_buf_free(&t);
    gth_expect_free(&e);
    return ok;
}

/* Writes the mutant as a .test (expectation: pattern, NULL = SUCCESS) when the
 * text format carries it byte for byte, else as .bin. path receives the file. */
static int save_mutant(FILE *log, const char *dir, const char *name, const uint8_t *bin, size_t len,
                       const char *comment, int allow_test, const char *pattern, char *path, size_t pathsz) {
    gth_buf text, back, file;
    gth_buf_init(&text, NULL);
    gth_buf_init(&back, NULL);
    gth_buf_init(&file, NULL);
    gth_error err;
    gth_expect e;
    int as_test = 0;
    if (allow_test && gth_convert_binary_to_text(bin, len, GTH_DEC_FLAT, &text, &err) == GTH_OK &&
        gth_convert_text_to_binary(text.data, text.len, name, GTH_ENC_VERBATIM, &back, &err) == GTH_OK &&
        back.len == len && !memcmp(back.data, bin, len) && gth_expect_init(&e, NULL, pattern, &err) == GTH_OK) {
        as_test = gth_testfile_write(&file, comment, &e, text.data, text.len) == GTH_OK;
        gth_expect_free(&e);
    }
    snprintf(path, pathsz, "%s/%s.%s", dir, name, as_test ? "test" : "bin");
    int rc = as_test ? write_bytes(log, path, file.data, file.len) : write_bytes(log, path, bin, len);
    gth_buf_free(&text);
    gth_buf_free(&back);
    gth_buf_free(&file);
    return rc;
}

static void tsv_text(FILE *f, const gth_buf *msg) {
    gth_buf q;
    gth_buf_init(&q, NULL);
    gth_quote_append(&q, msg->data ? msg->data : (const uint8_t *)"", msg->len);
    fprintf(f, "%.*s", (int)q.len, q.data ? (const char *)q.data : "");
    gth_buf_free(&q);
}

int gth_derive(const gth_derive_opts *d, FILE *log) {
    char why[8600], gthref[4096], gwhy[600];
    const char *gr = gth_find_gthref(gthref, sizeof gthref, gwhy, sizeof gwhy);
    if (!gr) return fprintf(log, "gth mutate: %s\n", gwhy), 2;
    gth_adapter go, gop;
    if (gth_adapter_parse(&go, "go:validate", gr, why, sizeof why) ||
        gth_adapter_parse(&gop, "go:parser", gr, why, sizeof why))
        return fprintf(log, "gth mutate: %s\n", why), 2;
    gth_traceset ts;
    if (gth_traceset_init(&ts, why, sizeof why)) return fprintf(log, "gth mutate: %s\n", why), 2;
    int rc = 0;
    if (!d->no_golden) {
        char g[4096], dir[4300];
        if (!gth_goroot(g, sizeof g)) {
            snprintf(why, sizeof why, "no Go toolchain on PATH for the golden parents (or use --no-golden)");
            rc = -1;
        } else {
            snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/tests", g);
            rc = gth_traceset_add_path(&ts, dir, "golden", why, sizeof why);
        }
    }
    if (!rc && d->generated > 0) rc = gth_traceset_add_generated(&ts, (size_t)d->generated, why, sizeof why);
    for (size_t k = 0; !rc && k < d->nfrom; k++) rc = gth_traceset_add_path(&ts, d->from[k], "file", why, sizeof why);
    char fdir[4300];
    snprintf(fdir, sizeof fdir, "%s/findings", d->outdir);
    if (!rc && ((mkdir(d->outdir, 0777) && errno != EEXIST) || (mkdir(fdir, 0777) && errno != EEXIST))) {
        snprintf(why, sizeof why, "cannot create %s: %s", fdir, strerror(errno));
        rc = -1;
    }
    if (rc) {
        fprintf(log, "gth mutate: %s\n", why);
        gth_traceset_free(&ts);
        gth_adapter_close(&go);
        gth_adapter_close(&gop);
        return 2;
    }
    gth_result rgo, rgop;
    gth_result_init(&rgo);
    gth_result_init(&rgop);
    gth_buf msg;
    gth_buf_init(&msg, NULL);
    /* Parents: traces both accept. */
    size_t *par = calloc(ts.n + 1, sizeof *par), npar = 0;
    uint8_t **pdata = calloc(ts.n + 1, sizeof *pdata);
    size_t *plen = calloc(ts.n + 1, sizeof *plen);
    gth_progress prog;
    gth_progress_start(&prog, log, -1, "gth mutate --derive", "parents checked", ts.n);
    for (size_t i = 0; par && pdata && plen && i < ts.n; i++) {
        uint8_t *p;
        size_t n;
        gth_progress_update(&prog, i, ts.v[i].id);
        if (gth_io_read_all(ts.v[i].path, &p, &n, why, sizeof why)) continue;
        int inv;
        gth_adapter_run(&go, ts.v[i].path, &rgo);
        if (ours(p, n, &msg, &inv) == RES_ACCEPT && rgo.verdict == RES_ACCEPT) {
            par[npar] = i;
            pdata[npar] = p;
            plen[npar++] = n;
        } else {
            free(p);
        }
    }
    gth_progress_finish(&prog, ts.n);
    fprintf(log, "gth mutate: %zu of %zu traces are valid parents\n", npar, ts.n);
    char mpath[4400];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST", d->outdir);
    FILE *man = npar ? fopen(mpath, "w") : NULL;
    if (man)
        fprintf(man, "# file\toperator\tparent\tseed\tour_invariant\tour_verdict\tgo_parser_verdict\tgo_verdict\tgo_text\n");
    size_t kept = 0, findings = 0, valid = 0, texts_differ = 0, attempts = 0, dups = 0;
    size_t max_attempts = (size_t)d->count * 50 + 100;
    uint64_t *seen = calloc((size_t)d->count * 50 + 101, sizeof *seen);
    size_t nseen = 0;
    size_t per_op[64] = {0};
    gth_buf mut, pat, prev;
    gth_buf_init(&mut, NULL);
    gth_buf_init(&prev, NULL);
    gth_buf_init(&pat, NULL);
    gth_progress_start(&prog, log, -1, "gth mutate --derive", "mutants kept", (uint64_t)d->count);
    for (; man && seen && kept < (size_t)d->count && attempts < max_attempts; attempts++) {
        gth_progress_update(&prog, kept, NULL);
        uint64_t seed = d->seed + attempts;
        uint64_t x = seed;
        size_t pi = (size_t)(gth_splitmix64(&x) % npar);
        /* One operator, or --stack K of them, each on the previous mutant. */
        gth_error err;
        int op = -1, ok = 1, applied[16], napplied = 0;
        char ops[512] = "";
        for (long j = 0; j < d->stack && ok; j++) {
            prev.len = 0;
            if (j) gth_buf_append(&prev, mut.data, mut.len);
            mut.len = 0;
            uint64_t sj = j ? gth_splitmix64(&x) : seed;
            ok = gth_mutate_buf(NULL, j ? prev.data : pdata[pi], j ? prev.len : plen[pi], sj, -1, &mut, &op, &err) ==
                 GTH_OK;
            if (ok && napplied < 16) applied[napplied++] = op;
            if (ok) snprintf(ops + strlen(ops), sizeof ops - strlen(ops), "%s%s", j ? "+" : "", gth_mutator_name(op));
        }
        if (!ok || prev.failed || mut.failed) continue;
        uint64_t h = fnv(mut.data, mut.len);
        int dup = 0;
        for (size_t k = 0; k < nseen && !dup; k++) dup = seen[k] == h;
        if (dup) {
            dups++;
            continue;
        }
        seen[nseen++] = h;
        int inv, our = ours(mut.data, mut.len, &msg, &inv);
        char tmp[4400];
        snprintf(tmp, sizeof tmp, "%s/mutant.bin", ts.tmpdir);
        if (write_bytes(log, tmp, mut.data, mut.len)) break;
        gth_adapter_run(&go, tmp, &rgo);
        if (our == RES_ACCEPT && rgo.verdict == RES_ACCEPT) {
            valid++;
            continue;
        }
        gth_adapter_run(&gop, tmp, &rgop);
        /* Agreement as Go's golden runner would judge our validator on the .test:
         * the same verdict, and our text meets the FAILURE pattern made of Go's. */
        pat.len = 0;
        if (rgo.verdict == RES_REJECT) failure_pattern(&pat, &rgo.msg);
        /* A pattern that does not match Go's own text makes no .test. */
        int pat_ok = rgo.verdict != RES_REJECT || expect_met((const char *)pat.data, &rgo.msg);
        int agree = our == rgo.verdict;
        int text_ok = !agree || our != RES_REJECT || !pat_ok || expect_met((const char *)pat.data, &msg);
        if (!pat_ok && agree && our == RES_REJECT) text_ok = gth_same_message((const char *)msg.data, msg.len, (const char *)rgo.msg.data, rgo.msg.len);
        int finding = !agree || !text_ok;
        const char *pid = ts.v[par[pi]].id;
        const char *pbase = strrchr(pid, '/');
        pbase = pbase ? pbase + 1 : pid;
        char name[600], comment[2000], path[5200], pname[201];
        /* The parent's name without its extension, as a file name. */
        size_t pl = strlen(pbase);
        if (pl > 5 && !strcmp(pbase + pl - 5, ".test")) pl -= 5;
        if (pl > 200) pl = 200;
        for (size_t k = 0; k < pl; k++) {
            char c = pbase[k];
            pname[k] = (char)((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ? c : '_');
        }
        pname[pl] = 0;
        snprintf(name, sizeof name, "%04zu-%.200s-%s", kept, ops, pname);
        const gth_invariant *iv = gth_invariant_get((unsigned)inv);
        snprintf(comment, sizeof comment,
                 "Derived by gth mutate --derive: operator %s on %s, seed %llu.\n"
                 "gth: %s%s%s; Go (validate): %s; Go (parser): %s.\n",
                 ops, pid, (unsigned long long)seed, gth_verdict_word(our), iv ? " " : "", iv ? iv->id : "",
                 gth_verdict_word(rgo.verdict), gth_verdict_word(rgop.verdict));
        if (save_mutant(log, finding ? fdir : d->outdir, name, mut.data, mut.len, comment, pat_ok,
                        rgo.verdict == RES_REJECT ? (const char *)pat.data : NULL, path, sizeof path))
            break;
        if (finding) {
            findings++;
            texts_differ += agree;
            char side[5300];
            snprintf(side, sizeof side, "%s/%s.txt", fdir, name);
            FILE *f = fopen(side, "w");
            if (f) {
                fprintf(f, "%sgth: ", comment);
                tsv_text(f, &msg);
                fprintf(f, "\ngo: ");
                tsv_text(f, &rgo.msg);
                fprintf(f, "\n");
                fclose(f);
            }
            if (prog.drawn) { /* the finding on a line of its own */
                fputs("\r\033[K", log);
                prog.drawn = 0;
            }
            fprintf(log, "FINDING %s: %s: gth %s, Go %s\n  gth: %.*s\n  go:  %.*s\n", path,
                    agree ? "error texts differ" : "verdicts differ", gth_verdict_word(our),
                    gth_verdict_word(rgo.verdict), (int)(msg.len > 300 ? 300 : msg.len),
                    msg.data ? (const char *)msg.data : "", (int)(rgo.msg.len > 300 ? 300 : rgo.msg.len),
                    rgo.msg.data ? (const char *)rgo.msg.data : "");
        }
        const char *fname = strrchr(path, '/') + 1;
        fprintf(man, "%s%s\t%s\t%s\t%llu\t%s\t%s\t%s\t%s\t", finding ? "findings/" : "", fname, ops,
                pid, (unsigned long long)seed, iv ? iv->id : "-", gth_verdict_word(our), gth_verdict_word(rgop.verdict), gth_verdict_word(rgo.verdict));
        tsv_text(man, &rgo.msg);
        fprintf(man, "\n");
        for (int j = 0; j < napplied; j++)
            if (applied[j] >= 0 && applied[j] < 64) per_op[applied[j]]++;
        kept++;
    }
    gth_progress_finish(&prog, kept);
    if (man) fclose(man);
    fprintf(log,
            "gth mutate: %zu mutants kept in %s (%zu attempts: %zu still valid, %zu duplicates); "
            "%zu finding%s (%zu verdicts differ, %zu error texts differ)\n",
            kept, d->outdir, attempts, valid, dups, findings, findings == 1 ? "" : "s", findings - texts_differ,
            texts_differ);
    for (int k = 0; k < (int)gth_mutator_count() && k < 64; k++)
        if (per_op[k]) fprintf(log, "  %-22s %zu\n", gth_mutator_name(k), per_op[k]);
    for (size_t i = 0; i < npar; i++) free(pdata[i]);
    free(pdata);
    free(plen);
    free(par);
    free(seen);
    gth_buf_free(&mut);
    gth_buf_free(&prev);
    gth_buf_free(&pat);
    gth_buf_free(&msg);
    gth_result_free(&rgo);
    gth_result_free(&rgop);
    gth_adapter_close(&go);
    gth_adapter_close(&gop);
    gth_traceset_free(&ts);
    if (!npar) return fprintf(log, "gth mutate: no valid parent traces\n"), 2;
    return findings ? 1 : 0;
}
