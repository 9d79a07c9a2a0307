/* progress: elapsed time and estimates for long runs (progress.h). */
#include "harness/progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double gth_progress_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void gth_progress_start(gth_progress *p, FILE *f, int tty, const char *what, const char *unit, uint64_t total) {
    memset(p, 0, sizeof *p);
    p->f = f;
    p->tty = tty < 0 ? (f && isatty(fileno(f))) : tty;
    p->what = what;
    p->unit = unit;
    p->total = total;
    p->start = p->last = gth_progress_now();
    p->interval = p->tty ? 0.1 : 10;
    const char *env = getenv("GTH_PROGRESS_SECONDS");
    if (env && *env) {
        char *end;
        double v = strtod(env, &end);
        if (!*end && v >= 0) p->interval = v;
    }
}

/* h:mm:ss, or m:ss under an hour. */
static void clock_text(char *buf, size_t n, double secs) {
    if (secs < 0) secs = 0;
    unsigned long s = (unsigned long)(secs + 0.5);
    if (s >= 3600) snprintf(buf, n, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else snprintf(buf, n, "%lu:%02lu", s / 60, s % 60);
}

static void line(gth_progress *p, uint64_t done, const char *item, double now, int final) {
    char el[32], left[32];
    clock_text(el, sizeof el, now - p->start);
    if (p->tty) fputs("\r\033[K", p->f);
    fprintf(p->f, "%s: %llu", p->what, (unsigned long long)done);
    if (p->total) fprintf(p->f, "/%llu", (unsigned long long)p->total);
    fprintf(p->f, " %s", p->unit);
    if (p->total) fprintf(p->f, " (%llu%%)", (unsigned long long)(done >= p->total ? 100 : done * 100 / p->total));
    fprintf(p->f, ", %s elapsed", el);
    if (!final && p->total && done > 0 && done < p->total) {
        double rate = (double)done / (now - p->start);
        clock_text(left, sizeof left, (double)(p->total - done) / rate);
        fprintf(p->f, ", about %s left", left);
    }
    if (final) fputs(", done", p->f);
    if (item && *item && !final) {
        /* On a terminal the line must fit; keep the item's end, its most
         * telling part. */
        size_t n = strlen(item);
        if (p->tty && n > 40) fprintf(p->f, ": ...%s", item + n - 37);
        else fprintf(p->f, ": %s", item);
    }
    if (!p->tty) fputc('\n', p->f);
    fflush(p->f);
    p->printed = 1;
    p->drawn = p->tty;
}

void gth_progress_update(gth_progress *p, uint64_t done, const char *item) {
    if (!p->f) return;
    double now = gth_progress_now();
    if (now - p->last < p->interval) return;
    p->last = now;
    line(p, done, item, now, 0);
}

void gth_progress_finish(gth_progress *p, uint64_t done) {
    if (!p->f) return;
    if (p->tty) {
        if (p->drawn) fputs("\r\033[K", p->f);
        fflush(p->f);
    } else if (p->printed) {
        line(p, done, NULL, gth_progress_now(), 1);
    }
    p->drawn = 0;
}
