/*
 * cli/reduce: the predicates `gth reduce` and `gth diff --reduce` minimise
 * traces under (reduce/reduce.h does the minimising):
 *   - a disagreement between two adapters, as gth diff judges one;
 *   - a finding of our validator with a given invariant id;
 *   - a shell command's exit status or death by a signal.
 * Each is a gth_reduce_pred_fn over a candidate trace; the adapter and command
 * predicates write the candidate to a file first.
 */
#ifndef GTH_CLI_REDUCE_H
#define GTH_CLI_REDUCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/adapter.h"
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

/* Runs our validator over the trace: GTH_OK, GTH_EINVALID (err: the finding,
 * msg: its full text if not NULL), or another status. */
int gth_red_validate(const uint8_t *trace, size_t len, int profile, gth_error *err, gth_buf *msg);
int gth_inv_pred_fn(void *ud, const uint8_t *trace, size_t len);

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

/* Progress on a stream (stderr): a line per phase, and on a terminal a live
 * line of candidates tried and the current size. ud: FILE*. */
void gth_red_progress(void *ud, const gth_reduce_progress *p);

#endif
