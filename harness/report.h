/*
 * report: the files a differential run leaves for people and CI systems to
 * open, written from its per-trace results:
 *
 *   DIR/results.jsonl  one JSON object per trace and adapter pair, written as
 *                      the run goes (a run cut short still leaves its rows)
 *   DIR/junit.xml      one <testcase> per trace and pair, one <testsuite> per
 *                      pair; a disagreement is a <failure> carrying both
 *                      verdicts and texts, an adapter error or timeout an
 *                      <error>, an expected difference <skipped>
 *   DIR/index.html     a static page: the pair x set matrix of outcomes, and
 *                      every disagreement with both verdicts, both texts, the
 *                      first differing stream lines side by side and a link to
 *                      its reproducer (no script, no server needed)
 *
 * Texts come from parsers under test and may hold any bytes: every writer
 * escapes for its format, and bytes that are not UTF-8 become U+FFFD.
 */
#ifndef GTH_HARNESS_REPORT_H
#define GTH_HARNESS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* The outcome of one trace on one adapter pair. */
typedef enum gth_outcome {
    GTH_OUTCOME_AGREE = 0,  /* same verdict (and text and stream, where compared) */
    GTH_OUTCOME_DISAGREE,   /* a finding */
    GTH_OUTCOME_EXPECTED,   /* a difference listed in an expected-failures file */
    GTH_OUTCOME_ERROR,      /* an adapter failed to answer (crash of the adapter, bad output) */
    GTH_OUTCOME_TIMEOUT,    /* an adapter ran out of time */
    GTH_OUTCOME_SKIPPED,    /* not compared (e.g. a trace version an adapter does not read) */
    GTH_OUTCOME_COUNT
} gth_outcome;

/* The word for an outcome: "agree", "disagree", "expected", "error",
 * "timeout", "skipped". */
const char *gth_outcome_name(int outcome);

/* One adapter's side of a comparison. Strings may be NULL. */
typedef struct gth_report_side {
    const char *adapter; /* its name, e.g. "go" or "gth" */
    const char *verdict; /* "ACCEPT", "REJECT", "ERROR", "TIMEOUT", ... */
    const char *text;    /* its rejection or error text */
    uint64_t events;     /* events it delivered */
    const char *line;    /* its first stream line that differs from the other side's */
} gth_report_side;

typedef struct gth_report_row {
    const char *trace;   /* the trace's id, unique in the run */
    const char *set;     /* its set: golden, real, generated, file, ... */
    gth_report_side a, b; /* a is the reference */
    int outcome;         /* gth_outcome */
    const char *what;    /* what differs: "verdict", "text", "stream", ...; NULL when they agree */
    uint64_t line_no;    /* 1-based number of the first differing stream line, 0 if none */
    const char *reason;  /* why: the expected-failure reason, or what failed */
    const char *repro;   /* the reproducer's path, relative to the report's directory */
    double seconds;      /* time both adapters took on the trace */
} gth_report_row;

typedef struct gth_report gth_report;

/* Creates DIR (and its parents) and starts DIR/results.jsonl. title names the
 * run on the page and in junit.xml ("gth diff", "gth conform"). NULL on
 * failure, with the reason in err. a: NULL for the default allocator. */
gth_report *gth_report_open(const gth_allocator *a, const char *dir, const char *title, gth_error *err);

/* Records one row: appends it to results.jsonl now, and keeps what the page
 * and junit.xml need. GTH_OK, or GTH_EIO / GTH_ENOMEM with err set. */
int gth_report_add(gth_report *r, const gth_report_row *row, gth_error *err);

/* Writes junit.xml and index.html, closes results.jsonl and frees r (also on
 * failure). GTH_OK, or GTH_EIO / GTH_ENOMEM with err set. */
int gth_report_close(gth_report *r, gth_error *err);

/* Frees r without writing the page and junit.xml (results.jsonl keeps the
 * rows added so far). */
void gth_report_abort(gth_report *r);

#endif
