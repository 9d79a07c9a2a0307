/*
 * harness/predicate: the predicates `gth reduce` and `gth diff --reduce`
 * minimise traces under (reduce/reduce.h does the minimising):
 *   - a disagreement between two adapters, as gth diff judges one;
 *   - a finding of our validator with a given invariant id;
 *   - a shell command's exit status or death by a signal.
 * Each is a gth_reduce_pred_fn over a candidate trace; the adapter and command
 * predicates write the candidate to a file first. And the judge whose verdict
 * a reduced trace's .test expects: Go's reader, or our validator, as asked.
 */
#ifndef GTH_HARNESS_PREDICATE_H
#define GTH_HARNESS_PREDICATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/adapter.h"
#include "format/regex.h"
#include "reduce/reduce.h"


/* ---- Two adapters disagree --------------------------------------------------- */
typedef struct gth_pair_pred {
    gth_adapter *a, *b;
    int want_a, want_b; /* the verdicts to keep (RES_*), or -2 for any */
    int texts;          /* both rejecting with different texts counts too */
    char path[4200];    /* candidate file */
    gth_result ra, rb;
} gth_pair_pred;

/* path: where candidates are written. */
void gth_pair_pred_init(gth_pair_pred *p, gth_adapter *a, gth_adapter *b, const char *path);
void gth_pair_pred_free(gth_pair_pred *p);
/* Runs both adapters on a file: 1 they disagree (and, unless want_* is -2, with
 * the verdicts wanted), 0 not. The results stay in p->ra, p->rb. */
int gth_pair_pred_file(gth_pair_pred *p, const char *path);
int gth_pair_pred_fn(void *ud, const uint8_t *trace, size_t len);

/* ---- Our validator reports an invariant -------------------------------------- */
typedef struct gth_inv_pred {
    unsigned inv;        /* GTH_INV_* */
    int profile;         /* GTH_PROFILE_PARSER or GTH_PROFILE_VALIDATE */
    const gth_regex *match; /* if set, the finding's text must match it too */
} gth_inv_pred;

int gth_inv_pred_fn(void *ud, const uint8_t *trace, size_t len);
/* What our validator says of a trace on which p does not hold, for a message:
 * "our validator (profile P) accepts it", "... reports [ID] TEXT" or "...
 * reports [ID] with another text: TEXT". Appended to what. */
void gth_inv_pred_explain(const gth_inv_pred *p, const uint8_t *trace, size_t len, gth_buf *what);

/* ---- A command's outcome ------------------------------------------------------ */
typedef struct gth_cmd_pred {
    const char *cmd;  /* shell command; "{}" is replaced by the candidate path
                       * (appended if absent) */
    char path[4200];
    int want_signal;  /* 1: killed by a signal (or the shell's 128+N) */
    int want_exit;    /* otherwise: this exit status */
    int timeout_s;    /* 0 = none; a command that times out does not hold */
} gth_cmd_pred;

/* Runs the command on a file: its exit status, 128+N when killed by signal N,
 * -1 on a timeout or when it could not run. */
int gth_cmd_pred_run(gth_cmd_pred *p, const char *path);
int gth_cmd_pred_fn(void *ud, const uint8_t *trace, size_t len);

/* ---- The judge ----------------------------------------------------------------- */

/* Whose verdict a reduced trace's expectation is. */
enum {
    GTH_ORACLE_GO = 1,         /* Go's reader (the Go adapter); nothing else will do */
    GTH_ORACLE_OURS = 2,       /* our validator */
    GTH_ORACLE_GO_OR_OURS = 3, /* Go's, or ours when the Go adapter is missing or fails */
};

/* Judges a trace (the file path, whose bytes are bin[0..len)) with profile
 * GTH_PROFILE_PARSER or _VALIDATE: its verdict and text go into expect. gthref:
 * the Go adapter's path (NULL if there is none). Returns the judge's adapter
 * name ("go:validate", "gth:parser", ...), or NULL when the oracle cannot
 * judge; why says why Go did not (also when ours judged instead). */
const char *gth_judge(int oracle, const char *gthref, int profile, const char *path, const uint8_t *bin, size_t len,
                      gth_result *expect, char *why, size_t whysz);

#endif
