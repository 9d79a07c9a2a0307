/* report: results.jsonl, junit.xml and index.html of a differential run
 * (report.h). */
#include "harness/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/quote.h"

/* Texts kept for the page and junit.xml are cut to this many bytes; the
 * JSONL rows carry up to TEXT_MAX_JSON. */
#define TEXT_MAX 4096
#define TEXT_MAX_JSON 65536
/* The page lists at most this many disagreements (and as many errors). */
#define PAGE_MAX 2000

static const char *const outcome_names[GTH_OUTCOME_COUNT] = {"agree", "disagree", "expected",
                                                             "error", "timeout", "skipped"};

const char *gth_outcome_name(int outcome) {
    return outcome >= 0 && outcome < GTH_OUTCOME_COUNT ? outcome_names[outcome] : "unknown";
}

/* One kept row: its strings live in one allocation after it. */
typedef struct krow {
    char *trace, *set, *what, *reason, *repro;
    char *verdict[2], *text[2], *line[2];
    uint64_t events[2], line_no;
    double seconds;
    int outcome;
    size_t pair, size;
} krow;

typedef struct kpair {
    char *a, *b;
} kpair;

typedef struct kset {
    char *name;
} kset;

struct gth_report {
    const gth_allocator *al;
    char *dir, *title;
    FILE *jsonl;
    krow **rows;
    size_t nrows, caprows;
    kpair *pairs;
    size_t npairs, cappairs;
    kset *sets;
    size_t nsets, capsets;
    /* counts[pair * nsets_cap + set][outcome] is built at close. */
    uint64_t totals[GTH_OUTCOME_COUNT];
    time_t started;
};

static char *dup_n(const gth_allocator *a, const char *s, size_t max) {
    if (!s) s = "";
    size_t n = strlen(s);
    if (n > max) n = max;
    char *d = gth_alloc(a, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static int mkdir_p(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc && errno != EEXIST) return -1;
    }
    if (mkdir(path, 0777) && errno != EEXIST) return -1;
    return 0;
}

static FILE *open_in(const gth_report *r, const char *name, gth_error *err) {
    size_t n = strlen(r->dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path) return gth_error_nomem(err), NULL;
    snprintf(path, n, "%s/%s", r->dir, name);
    FILE *f = fopen(path, "w");
    if (!f) gth_error_set(err, GTH_EIO, "%s: %s", path, strerror(errno));
    free(path);
    return f;
}

gth_report *gth_report_open(const gth_allocator *a, const char *dir, const char *title, gth_error *err) {
    if (!a) a = gth_default_allocator();
    gth_report *r = gth_calloc(a, 1, sizeof *r);
    if (!r) return gth_error_nomem(err), NULL;
    r->al = a;
    r->started = time(NULL);
    if (!(r->dir = dup_n(a, dir, SIZE_MAX)) || !(r->title = dup_n(a, title, 256))) {
        gth_error_nomem(err);
        gth_report_abort(r);
        return NULL;
    }
    if (mkdir_p(r->dir)) {
        gth_error_set(err, GTH_EIO, "%s: %s", dir, strerror(errno));
        gth_report_abort(r);
        return NULL;
    }
    if (!(r->jsonl = open_in(r, "results.jsonl", err))) {
        gth_report_abort(r);
        return NULL;
    }
    return r;
}

/* ---- Escaping ---------------------------------------------------------------- */

/* Walks s as UTF-8, calling put for every rune (invalid bytes as U+FFFD). */
typedef void (*rune_fn)(FILE *f, uint32_t r, const char *bytes, size_t n);

static void each_rune(FILE *f, const char *s, rune_fn put) {
    if (!s) return;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t r;
        size_t w = gth_utf8_decode((const uint8_t *)s + i, n - i, &r);
        if (w == 0) w = 1, r = GTH_RUNE_ERROR;
        if (r == GTH_RUNE_ERROR && w == 1) put(f, r, "\xef\xbf\xbd", 3);
        else put(f, r, s + i, w);
        i += w;
    }
}

/* A JSON string of at most max bytes of s (base/quote.h's writer), or null.
 * -1 when out of memory. */
static int json_strn(FILE *f, const char *s, size_t max) {
    if (!s) {
        fputs("null", f);
        return 0;
    }
    size_t n = strlen(s);
    gth_buf b;
    gth_buf_init(&b, NULL);
    int rc = gth_json_quote_append(&b, s, n < max ? n : max);
    if (rc == 0) fwrite(b.data, 1, b.len, f);
    gth_buf_free(&b);
    return rc;
}

static int json_str(FILE *f, const char *s) { return json_strn(f, s, SIZE_MAX); }

/* XML 1.0 has no way to carry most control characters, even escaped: they
 * become U+FFFD. */
static void xml_rune(FILE *f, uint32_t r, const char *b, size_t n) {
    if (r == '<') fputs("&lt;", f);
    else if (r == '>') fputs("&gt;", f);
    else if (r == '&') fputs("&amp;", f);
    else if (r == '"') fputs("&quot;", f);
    else if (r == '\'') fputs("&#39;", f);
    else if ((r < 0x20 && r != '\n' && r != '\t' && r != '\r') || r == 0xFFFE || r == 0xFFFF)
        fputs("\xef\xbf\xbd", f);
    else fwrite(b, 1, n, f);
}

static void xml_str(FILE *f, const char *s) { each_rune(f, s, xml_rune); }

/* ---- Rows -------------------------------------------------------------------- */

static size_t find_pair(gth_report *r, const char *a, const char *b, gth_error *err) {
    for (size_t i = 0; i < r->npairs; i++)
        if (!strcmp(r->pairs[i].a, a) && !strcmp(r->pairs[i].b, b)) return i;
    void *p = r->pairs;
    if (gth_grow(r->al, &p, &r->cappairs, r->npairs + 1, sizeof *r->pairs)) return gth_error_nomem(err), SIZE_MAX;
    r->pairs = p;
    kpair *k = &r->pairs[r->npairs];
    k->a = dup_n(r->al, a, 256);
    k->b = dup_n(r->al, b, 256);
    if (!k->a || !k->b) {
        if (k->a) gth_free(r->al, k->a, strlen(k->a) + 1);
        if (k->b) gth_free(r->al, k->b, strlen(k->b) + 1);
        return gth_error_nomem(err), SIZE_MAX;
    }
    return r->npairs++;
}

static size_t find_set(gth_report *r, const char *name, gth_error *err) {
    for (size_t i = 0; i < r->nsets; i++)
        if (!strcmp(r->sets[i].name, name)) return i;
    void *p = r->sets;
    if (gth_grow(r->al, &p, &r->capsets, r->nsets + 1, sizeof *r->sets)) return gth_error_nomem(err), SIZE_MAX;
    r->sets = p;
    if (!(r->sets[r->nsets].name = dup_n(r->al, name, 256))) return gth_error_nomem(err), SIZE_MAX;
    return r->nsets++;
}

static int write_side(FILE *f, const char *key, const gth_report_side *s) {
    int bad = 0;
    fprintf(f, ",\"%s\":{\"adapter\":", key);
    bad |= json_str(f, s->adapter);
    fputs(",\"verdict\":", f);
    bad |= json_str(f, s->verdict);
    fputs(",\"text\":", f);
    bad |= json_strn(f, s->text, TEXT_MAX_JSON);
    fprintf(f, ",\"events\":%llu", (unsigned long long)s->events);
    if (s->line) {
        fputs(",\"line\":", f);
        bad |= json_str(f, s->line);
    }
    fputc('}', f);
    return bad;
}

static void free_row(const gth_allocator *a, krow *k) {
    char **strs[] = {&k->trace, &k->set, &k->what, &k->reason, &k->repro, &k->verdict[0], &k->verdict[1],
                     &k->text[0], &k->text[1], &k->line[0], &k->line[1]};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (*strs[i]) gth_free(a, *strs[i], strlen(*strs[i]) + 1);
    gth_free(a, k, sizeof *k);
}

int gth_report_add(gth_report *r, const gth_report_row *row, gth_error *err) {
    FILE *f = r->jsonl;
    int outcome = row->outcome >= 0 && row->outcome < GTH_OUTCOME_COUNT ? row->outcome : GTH_OUTCOME_ERROR;
    int bad = 0;
    fputs("{\"trace\":", f);
    bad |= json_str(f, row->trace);
    fputs(",\"set\":", f);
    bad |= json_str(f, row->set);
    fputs(",\"pair\":[", f);
    bad |= json_str(f, row->a.adapter);
    fputc(',', f);
    bad |= json_str(f, row->b.adapter);
    fputs("],\"outcome\":", f);
    bad |= json_str(f, gth_outcome_name(outcome));
    if (row->what) {
        fputs(",\"what\":", f);
        bad |= json_str(f, row->what);
    }
    if (row->line_no) fprintf(f, ",\"line_no\":%llu", (unsigned long long)row->line_no);
    if (row->reason) {
        fputs(",\"reason\":", f);
        bad |= json_str(f, row->reason);
    }
    if (row->repro) {
        fputs(",\"reproducer\":", f);
        bad |= json_str(f, row->repro);
    }
    bad |= write_side(f, "a", &row->a);
    bad |= write_side(f, "b", &row->b);
    fprintf(f, ",\"seconds\":%.3f}\n", row->seconds);
    if (bad) return gth_error_nomem(err);
    if (ferror(f)) return gth_error_set(err, GTH_EIO, "%s/results.jsonl: write error", r->dir);

    size_t pair = find_pair(r, row->a.adapter ? row->a.adapter : "", row->b.adapter ? row->b.adapter : "", err);
    if (pair == SIZE_MAX || find_set(r, row->set ? row->set : "", err) == SIZE_MAX) return err->status;
    void *p = r->rows;
    if (gth_grow(r->al, &p, &r->caprows, r->nrows + 1, sizeof *r->rows)) return gth_error_nomem(err);
    r->rows = p;
    krow *k = gth_calloc(r->al, 1, sizeof *k);
    if (!k) return gth_error_nomem(err);
    k->outcome = outcome;
    k->pair = pair;
    k->line_no = row->line_no;
    k->seconds = row->seconds;
    k->events[0] = row->a.events;
    k->events[1] = row->b.events;
    int ok = (k->trace = dup_n(r->al, row->trace, 1024)) && (k->set = dup_n(r->al, row->set, 256));
    /* Agreeing rows need only their ids and counts. */
    if (ok && outcome != GTH_OUTCOME_AGREE) {
        ok = (k->what = dup_n(r->al, row->what, 256)) && (k->reason = dup_n(r->al, row->reason, TEXT_MAX)) &&
             (k->verdict[0] = dup_n(r->al, row->a.verdict, 64)) &&
             (k->verdict[1] = dup_n(r->al, row->b.verdict, 64)) &&
             (k->text[0] = dup_n(r->al, row->a.text, TEXT_MAX)) &&
             (k->text[1] = dup_n(r->al, row->b.text, TEXT_MAX)) &&
             (k->line[0] = dup_n(r->al, row->a.line, TEXT_MAX)) &&
             (k->line[1] = dup_n(r->al, row->b.line, TEXT_MAX));
        if (ok && row->repro) ok = (k->repro = dup_n(r->al, row->repro, 4096)) != NULL;
    }
    if (!ok) {
        free_row(r->al, k);
        return gth_error_nomem(err);
    }
    r->rows[r->nrows++] = k;
    r->totals[outcome]++;
    return GTH_OK;
}

/* ---- junit.xml --------------------------------------------------------------- */

static const char *nz(const char *s) { return s && *s ? s : "(none)"; }

static void junit_texts(FILE *f, const gth_report *r, const krow *k) {
    const kpair *p = &r->pairs[k->pair];
    for (int s = 0; s < 2; s++) {
        xml_str(f, s ? p->b : p->a);
        fputs(": ", f);
        xml_str(f, nz(k->verdict[s]));
        if (k->text[s] && *k->text[s]) {
            fputs(" ", f);
            xml_str(f, k->text[s]);
        }
        fprintf(f, " (%llu events)\n", (unsigned long long)k->events[s]);
    }
    if (k->line_no) {
        fprintf(f, "first differing stream line, #%llu:\n", (unsigned long long)k->line_no);
        for (int s = 0; s < 2; s++) {
            xml_str(f, s ? p->b : p->a);
            fputs(": ", f);
            xml_str(f, k->line[s] && *k->line[s] ? k->line[s] : "(end of stream)");
            fputc('\n', f);
        }
    }
    if (k->repro) {
        fputs("reproducer: ", f);
        xml_str(f, k->repro);
        fputc('\n', f);
    }
}

static int write_junit(gth_report *r, gth_error *err) {
    FILE *f = open_in(r, "junit.xml", err);
    if (!f) return err->status;
    uint64_t failures = r->totals[GTH_OUTCOME_DISAGREE];
    uint64_t errors = r->totals[GTH_OUTCOME_ERROR] + r->totals[GTH_OUTCOME_TIMEOUT];
    uint64_t skipped = r->totals[GTH_OUTCOME_EXPECTED] + r->totals[GTH_OUTCOME_SKIPPED];
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
    xml_str(f, r->title);
    fprintf(f, "\" tests=\"%zu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\">\n", r->nrows,
            (unsigned long long)failures, (unsigned long long)errors, (unsigned long long)skipped);
    for (size_t pi = 0; pi < r->npairs; pi++) {
        uint64_t n = 0, c[GTH_OUTCOME_COUNT] = {0};
        double secs = 0;
        for (size_t i = 0; i < r->nrows; i++)
            if (r->rows[i]->pair == pi) n++, c[r->rows[i]->outcome]++, secs += r->rows[i]->seconds;
        fputs("  <testsuite name=\"", f);
        xml_str(f, r->pairs[pi].a);
        fputs(" vs ", f);
        xml_str(f, r->pairs[pi].b);
        fprintf(f, "\" tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\" time=\"%.3f\">\n",
                (unsigned long long)n, (unsigned long long)c[GTH_OUTCOME_DISAGREE],
                (unsigned long long)(c[GTH_OUTCOME_ERROR] + c[GTH_OUTCOME_TIMEOUT]),
                (unsigned long long)(c[GTH_OUTCOME_EXPECTED] + c[GTH_OUTCOME_SKIPPED]), secs);
        for (size_t i = 0; i < r->nrows; i++) {
            const krow *k = r->rows[i];
            if (k->pair != pi) continue;
            fputs("    <testcase classname=\"", f);
            xml_str(f, k->set);
            fputs("\" name=\"", f);
            xml_str(f, k->trace);
            fprintf(f, "\" time=\"%.3f\"", k->seconds);
            if (k->outcome == GTH_OUTCOME_AGREE) {
                fputs("/>\n", f);
                continue;
            }
            fputs(">\n", f);
            if (k->outcome == GTH_OUTCOME_EXPECTED || k->outcome == GTH_OUTCOME_SKIPPED) {
                fprintf(f, "      <skipped message=\"%s: ", k->outcome == GTH_OUTCOME_EXPECTED ? "expected" : "skipped");
                xml_str(f, nz(k->reason));
                fputs("\"/>\n", f);
            } else {
                const char *tag = k->outcome == GTH_OUTCOME_DISAGREE ? "failure" : "error";
                fprintf(f, "      <%s type=\"%s\" message=\"", tag, gth_outcome_name(k->outcome));
                if (k->outcome == GTH_OUTCOME_DISAGREE) {
                    fputs("the adapters disagree on the ", f);
                    xml_str(f, nz(k->what));
                } else {
                    xml_str(f, nz(k->reason));
                }
                fputs("\">", f);
                junit_texts(f, r, k);
                fprintf(f, "</%s>\n", tag);
            }
            fputs("    </testcase>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return gth_error_set(err, GTH_EIO, "%s/junit.xml: write error", r->dir);
    return GTH_OK;
}

/* ---- index.html -------------------------------------------------------------- */

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #c8c8c8;padding:.3em .6em;text-align:left;vertical-align:top}"
    "th{background:#f1f1f1}"
    ".matrix td{text-align:center;min-width:6em}"
    ".ok{background:#e3f4e1}.bad{background:#f9d6d5;font-weight:bold}"
    ".warn{background:#fde9c8}.muted{background:#ececec;color:#555}.empty{color:#999}"
    "pre{margin:0;white-space:pre-wrap;word-break:break-all;font:12px/1.35 ui-monospace,monospace;max-height:18em;overflow:auto}"
    ".finding{margin:1.2em 0}.finding table{width:100%;table-layout:fixed}"
    ".legend span{display:inline-block;padding:0 .5em;margin-right:.5em}"
    "small{color:#555}";

static void html_str(FILE *f, const char *s) { each_rune(f, s, xml_rune); }

static void html_cell(FILE *f, const uint64_t *c) {
    uint64_t total = 0;
    for (int o = 0; o < GTH_OUTCOME_COUNT; o++) total += c[o];
    if (!total) {
        fputs("<td class=\"empty\">&#8211;</td>", f);
        return;
    }
    const char *cls = c[GTH_OUTCOME_DISAGREE]                                    ? "bad"
                      : c[GTH_OUTCOME_ERROR] || c[GTH_OUTCOME_TIMEOUT]           ? "warn"
                      : c[GTH_OUTCOME_AGREE] == 0                                ? "muted"
                                                                                 : "ok";
    fprintf(f, "<td class=\"%s\">%llu / %llu agree", cls, (unsigned long long)c[GTH_OUTCOME_AGREE],
            (unsigned long long)total);
    for (int o = GTH_OUTCOME_DISAGREE; o < GTH_OUTCOME_COUNT; o++)
        if (c[o]) fprintf(f, "<br>%llu %s", (unsigned long long)c[o], gth_outcome_name(o));
    fputs("</td>", f);
}

static void html_finding(FILE *f, const gth_report *r, const krow *k, size_t n) {
    const kpair *p = &r->pairs[k->pair];
    fprintf(f, "<div class=\"finding\" id=\"f%zu\"><h3>", n);
    html_str(f, k->trace);
    fputs(" <small>(", f);
    html_str(f, k->set);
    fputs("; ", f);
    html_str(f, p->a);
    fputs(" vs ", f);
    html_str(f, p->b);
    fputs("; ", f);
    if (k->outcome == GTH_OUTCOME_DISAGREE) {
        fputs("the ", f);
        html_str(f, nz(k->what));
        fputs(" differs", f);
    } else {
        html_str(f, gth_outcome_name(k->outcome));
        if (k->reason && *k->reason) {
            fputs(": ", f);
            html_str(f, k->reason);
        }
    }
    fputs(")</small></h3>\n<table><tr><th style=\"width:9em\"></th><th>", f);
    html_str(f, p->a);
    fputs("</th><th>", f);
    html_str(f, p->b);
    fputs("</th></tr>\n<tr><th>verdict</th>", f);
    for (int s = 0; s < 2; s++) {
        fputs("<td>", f);
        html_str(f, nz(k->verdict[s]));
        fprintf(f, " <small>(%llu events)</small></td>", (unsigned long long)k->events[s]);
    }
    fputs("</tr>\n<tr><th>text</th>", f);
    for (int s = 0; s < 2; s++) {
        fputs("<td><pre>", f);
        html_str(f, k->text[s] && *k->text[s] ? k->text[s] : "");
        fputs("</pre></td>", f);
    }
    fputs("</tr>\n", f);
    if (k->line_no) {
        fprintf(f, "<tr><th>stream line %llu</th>", (unsigned long long)k->line_no);
        for (int s = 0; s < 2; s++) {
            fputs("<td><pre>", f);
            html_str(f, k->line[s] && *k->line[s] ? k->line[s] : "(end of stream)");
            fputs("</pre></td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (k->repro) {
        fputs("<tr><th>reproducer</th><td colspan=\"2\"><a href=\"", f);
        html_str(f, k->repro);
        fputs("\">", f);
        html_str(f, k->repro);
        fputs("</a></td></tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

static int write_html(gth_report *r, gth_error *err) {
    size_t ncells = r->npairs * r->nsets;
    uint64_t(*cells)[GTH_OUTCOME_COUNT] = calloc(ncells ? ncells : 1, sizeof *cells);
    if (!cells) return gth_error_nomem(err);
    for (size_t i = 0; i < r->nrows; i++) {
        const krow *k = r->rows[i];
        size_t s = 0;
        while (s < r->nsets && strcmp(r->sets[s].name, k->set)) s++;
        if (s < r->nsets) cells[k->pair * r->nsets + s][k->outcome]++;
    }
    FILE *f = open_in(r, "index.html", err);
    if (!f) {
        free(cells);
        return err->status;
    }
    char when[64];
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&r->started, &tm));
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
    html_str(f, r->title);
    fprintf(f, " report</title>\n<style>%s</style></head><body>\n<h1>", css);
    html_str(f, r->title);
    fprintf(f, " report</h1>\n<p>Started %s. %zu results over %zu adapter pair%s and %zu set%s: ", when, r->nrows,
            r->npairs, r->npairs == 1 ? "" : "s", r->nsets, r->nsets == 1 ? "" : "s");
    for (int o = 0; o < GTH_OUTCOME_COUNT; o++)
        fprintf(f, "%s<b>%llu</b> %s", o ? ", " : "", (unsigned long long)r->totals[o], gth_outcome_name(o));
    fputs(". Also in this directory: <a href=\"junit.xml\">junit.xml</a>, "
          "<a href=\"results.jsonl\">results.jsonl</a>.</p>\n",
          f);
    fputs("<h2>Agreement by adapter pair and trace set</h2>\n<table class=\"matrix\" id=\"matrix\"><tr><th>pair</th>", f);
    for (size_t s = 0; s < r->nsets; s++) {
        fputs("<th>", f);
        html_str(f, r->sets[s].name);
        fputs("</th>", f);
    }
    fputs("<th>all</th></tr>\n", f);
    for (size_t p = 0; p < r->npairs; p++) {
        fputs("<tr><th>", f);
        html_str(f, r->pairs[p].a);
        fputs(" vs ", f);
        html_str(f, r->pairs[p].b);
        fputs("</th>", f);
        uint64_t all[GTH_OUTCOME_COUNT] = {0};
        for (size_t s = 0; s < r->nsets; s++) {
            html_cell(f, cells[p * r->nsets + s]);
            for (int o = 0; o < GTH_OUTCOME_COUNT; o++) all[o] += cells[p * r->nsets + s][o];
        }
        html_cell(f, all);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p class=\"legend\"><span class=\"ok\">all agree</span><span class=\"bad\">a "
          "disagreement</span><span class=\"warn\">an adapter error or timeout</span><span "
          "class=\"muted\">only expected or skipped</span></p>\n",
          f);
    free(cells);
    const int kinds[2][2] = {{GTH_OUTCOME_DISAGREE, -1}, {GTH_OUTCOME_ERROR, GTH_OUTCOME_TIMEOUT}};
    const char *heads[2] = {"Disagreements", "Adapter errors and timeouts"};
    size_t n = 0;
    for (int h = 0; h < 2; h++) {
        uint64_t total = r->totals[kinds[h][0]] + (kinds[h][1] >= 0 ? r->totals[kinds[h][1]] : 0);
        fprintf(f, "<h2 id=\"%s\">%s (%llu)</h2>\n", h ? "errors" : "disagreements", heads[h],
                (unsigned long long)total);
        if (!total) fputs("<p>None.</p>\n", f);
        size_t shown = 0;
        for (size_t i = 0; i < r->nrows && shown < PAGE_MAX; i++) {
            const krow *k = r->rows[i];
            if (k->outcome != kinds[h][0] && k->outcome != kinds[h][1]) continue;
            html_finding(f, r, k, n++);
            shown++;
        }
        if (total > shown)
            fprintf(f, "<p>%llu more are in results.jsonl and junit.xml.</p>\n", (unsigned long long)(total - shown));
    }
    uint64_t exp = r->totals[GTH_OUTCOME_EXPECTED];
    if (exp) {
        fprintf(f, "<h2 id=\"expected\">Expected differences (%llu)</h2>\n<table><tr><th>trace</th><th>pair</th>"
                   "<th>reason</th></tr>\n",
                (unsigned long long)exp);
        size_t shown = 0;
        for (size_t i = 0; i < r->nrows && shown < PAGE_MAX; i++) {
            const krow *k = r->rows[i];
            if (k->outcome != GTH_OUTCOME_EXPECTED) continue;
            fputs("<tr><td>", f);
            html_str(f, k->trace);
            fputs("</td><td>", f);
            html_str(f, r->pairs[k->pair].a);
            fputs(" vs ", f);
            html_str(f, r->pairs[k->pair].b);
            fputs("</td><td>", f);
            html_str(f, nz(k->reason));
            fputs("</td></tr>\n", f);
            shown++;
        }
        fputs("</table>\n", f);
    }
    fputs("</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return gth_error_set(err, GTH_EIO, "%s/index.html: write error", r->dir);
    return GTH_OK;
}

void gth_report_abort(gth_report *r) {
    if (!r) return;
    const gth_allocator *a = r->al;
    if (r->jsonl) fclose(r->jsonl);
    for (size_t i = 0; i < r->nrows; i++) free_row(a, r->rows[i]);
    if (r->rows) gth_free(a, r->rows, r->caprows * sizeof *r->rows);
    for (size_t i = 0; i < r->npairs; i++) {
        gth_free(a, r->pairs[i].a, strlen(r->pairs[i].a) + 1);
        gth_free(a, r->pairs[i].b, strlen(r->pairs[i].b) + 1);
    }
    if (r->pairs) gth_free(a, r->pairs, r->cappairs * sizeof *r->pairs);
    for (size_t i = 0; i < r->nsets; i++) gth_free(a, r->sets[i].name, strlen(r->sets[i].name) + 1);
    if (r->sets) gth_free(a, r->sets, r->capsets * sizeof *r->sets);
    if (r->dir) gth_free(a, r->dir, strlen(r->dir) + 1);
    if (r->title) gth_free(a, r->title, strlen(r->title) + 1);
    gth_free(a, r, sizeof *r);
}

int gth_report_close(gth_report *r, gth_error *err) {
    int rc = GTH_OK;
    if (fflush(r->jsonl) != 0 || ferror(r->jsonl))
        rc = gth_error_set(err, GTH_EIO, "%s/results.jsonl: write error", r->dir);
    if (rc == GTH_OK) rc = write_junit(r, err);
    if (rc == GTH_OK) rc = write_html(r, err);
    if (fclose(r->jsonl) != 0 && rc == GTH_OK) rc = gth_error_set(err, GTH_EIO, "%s/results.jsonl: write error", r->dir);
    r->jsonl = NULL;
    gth_report_abort(r);
    return rc;
}
