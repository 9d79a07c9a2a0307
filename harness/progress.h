/*
 * progress: "where is a long run" lines for people and CI logs. On a terminal
 * one line is redrawn in place at most ten times a second; elsewhere (a CI log,
 * a file) a plain line is printed every interval (10 s by default; the
 * environment variable GTH_PROGRESS_SECONDS sets it, 0 for every step). Each
 * line says how far the run is, the elapsed time and, once it can be
 * estimated, the time left:
 *
 *   gth diff: 1234/2517 traces (49%), 0:42 elapsed, about 0:44 left: golden/go122-gc
 *
 * Nothing is printed for runs that end before the first interval, so quick
 * commands stay quiet.
 */
#ifndef GTH_HARNESS_PROGRESS_H
#define GTH_HARNESS_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct gth_progress {
    FILE *f;           /* NULL: silent */
    int tty;           /* redraw in place */
    const char *what;  /* "gth diff" */
    const char *unit;  /* "traces", "bytes", ... */
    uint64_t total;    /* 0 when unknown: no percentage or estimate */
    double start, last, interval;
    int drawn;         /* a terminal line is showing */
    int printed;       /* any line was printed */
} gth_progress;

/* Starts a progress report on f (NULL for none), for `total` units (0 if
 * unknown). tty says whether f is a terminal; pass -1 to ask isatty. */
void gth_progress_start(gth_progress *p, FILE *f, int tty, const char *what, const char *unit, uint64_t total);
/* Reports `done` units finished; item (may be NULL) names the current one.
 * Prints only when the interval has passed. */
void gth_progress_update(gth_progress *p, uint64_t done, const char *item);
/* Ends the report: clears the terminal line, or, when lines were printed,
 * prints a last one with the total time. */
void gth_progress_finish(gth_progress *p, uint64_t done);

/* Seconds on a monotonic clock. */
double gth_progress_now(void);

#endif
