/* The agreement rule (harness/agree.h). */
#include "harness/agree.h"

#include <string.h>

size_t gth_message_key(const char *msg, size_t len) {
    static const char *const cut[] = {"broken trace: failed to advance", "found invalid func string ID",
                                      "found invalid file string ID"};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        size_t n = strlen(cut[i]);
        if (len >= n && !memcmp(msg, cut[i], n)) return n;
    }
    return len;
}

/* 1 if msg[0..key) is the key of a bad func or file string id in a stack. */
static int stack_string_key(const char *msg, size_t key) {
    return (key == 28 && !memcmp(msg, "found invalid func string ID", 28)) ||
           (key == 28 && !memcmp(msg, "found invalid file string ID", 28));
}

int gth_same_message(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = gth_message_key(a, alen), m = gth_message_key(b, blen);
    if (n == m && (n == 0 || !memcmp(a, b, n))) return 1;
    /* Which stack Go meets first in a sparse table is map order, and with it
     * whether a bad func or a bad file string is named (docs/FORMAT.md §11.3). */
    return stack_string_key(a, n) && stack_string_key(b, m);
}

int gth_same_message_str(const char *a, const char *b) { return gth_same_message(a, strlen(a), b, strlen(b)); }

void gth_compare(const gth_result *a, const gth_result *b, gth_agreement *c) {
    memset(c, 0, sizeof *c);
    c->verdicts_agree = a->verdict == b->verdict;
    if (a->verdict == RES_REJECT && b->verdict == RES_REJECT) {
        c->messages_compared = 1;
        c->messages_agree = gth_same_message((const char *)a->msg.data, a->msg.len, (const char *)b->msg.data,
                                             b->msg.len);
    }
    c->panic = gth_result_panicked(b) &&
               !(gth_result_panicked(a) && gth_same_message((const char *)a->msg.data, a->msg.len,
                                                            (const char *)b->msg.data, b->msg.len));
    if (a->verdict == RES_ERROR || b->verdict == RES_ERROR) return;
    int both_accept = a->verdict == RES_ACCEPT && b->verdict == RES_ACCEPT;
    /* A side that stopped before its first event has no stream to compare. */
    if (!both_accept && (a->nlines == 0 || b->nlines == 0)) return;
    /* Both accept: the whole streams; otherwise up to where one stopped. */
    c->streams_compared = 1;
    const uint8_t *p = a->lines.data, *q = b->lines.data;
    size_t pn = a->lines.len, qn = b->lines.len;
    size_t line = 1, i = 0;
    size_t common = pn < qn ? pn : qn;
    while (i < common && p[i] == q[i]) {
        if (p[i] == '\n') line++;
        i++;
    }
    int whole = !a->truncated && !b->truncated;
    if (i == pn && i == qn) c->streams_agree = !both_accept || !whole || a->nlines == b->nlines;
    else if (i == common && !both_accept) c->streams_agree = (i == 0 || (i == pn ? p : q)[i - 1] == '\n');
    else if (i == common && (a->truncated || b->truncated)) c->streams_agree = 1;
    else c->streams_agree = 0;
    if (!c->streams_agree) c->line = line;
}

int gth_agreement_ok(const gth_agreement *c, int texts) {
    return c->verdicts_agree && !c->panic && (!c->streams_compared || c->streams_agree) &&
           (!texts || !c->messages_compared || c->messages_agree);
}

int gth_results_agree(const gth_result *a, const gth_result *b, int texts) {
    gth_agreement c;
    gth_compare(a, b, &c);
    return gth_agreement_ok(&c, texts);
}

/* ---- Normalisation across API generations ----------------------------------------------- */

unsigned gth_norm_fields_of_api(unsigned api) {
    if (api == 0 || api >= 26) return 0;
    if (api >= 25) return GTH_NORM_STATUS_STACK;
    return GTH_NORM_ALL;
}

int gth_norm_parse(const char *list) {
    static const struct {
        const char *name;
        unsigned bits;
    } names[] = {{"sync", GTH_NORM_SYNC}, {"status-stack", GTH_NORM_STATUS_STACK},
                 {"experimental", GTH_NORM_EXPERIMENTAL}, {"all", GTH_NORM_ALL}, {"none", 0}};
    unsigned bits = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        size_t k = 0;
        while (k < sizeof names / sizeof names[0] && (strlen(names[k].name) != n || strncmp(names[k].name, p, n))) k++;
        if (k == sizeof names / sizeof names[0]) return -1;
        bits |= names[k].bits;
        p += n + (p[n] == ',');
    }
    return (int)bits;
}

/* The second word of a line: its kind. */
static int kind_is(const char *l, size_t n, const char *kind) {
    const char *sp = memchr(l, ' ', n);
    size_t k = strlen(kind);
    return sp && (size_t)(l + n - sp) > k && !memcmp(sp + 1, kind, k) && (sp + 1 + k == l + n || sp[1 + k] == ' ');
}

/* The end of a bracketed stack starting at p ('['), skipping quoted strings. */
static const char *stack_end(const char *p, const char *end) {
    for (p++; p < end && *p != ']'; p++)
        if (*p == '"')
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\') p++;
    return p < end ? p + 1 : end;
}

/* Appends a goroutine status line without its TransitionStack= when the
 * transition is a status report (from Undetermined, or to the same state). */
static void put_status_line(gth_buf *b, const char *l, size_t n) {
    const char *end = l + n, *g = NULL, *ts = NULL;
    for (const char *p = l; p + 5 < end && !g; p++)
        if (!memcmp(p, " GoID=", 6)) g = p + 6;
    for (const char *p = l; p + 17 < end && !ts; p++)
        if (!memcmp(p, " TransitionStack=[", 18)) ts = p;
    if (g && ts) {
        const char *st = memchr(g, ' ', (size_t)(end - g));
        const char *arrow = st ? strstr(st, "->") : NULL;
        if (st && arrow && arrow < end) {
            const char *old = st + 1, *nw = arrow + 2;
            size_t ol = (size_t)(arrow - old), nl = strcspn(nw, " ");
            if ((ol == 12 && !memcmp(old, "Undetermined", 12)) || (ol == nl && !memcmp(old, nw, ol))) {
                const char *after = stack_end(ts + 17, end);
                gth_buf_append(b, l, (size_t)(ts - l));
                gth_buf_append(b, after, (size_t)(end - after));
                return;
            }
        }
    }
    gth_buf_append(b, l, n);
}

void gth_normalize(const gth_result *r, unsigned fields, gth_result *out) {
    gth_result_reset(out);
    out->verdict = r->verdict;
    out->failure = r->failure;
    out->truncated = r->truncated;
    out->inv = r->inv;
    gth_buf_append(&out->msg, r->msg.data ? r->msg.data : (const uint8_t *)"", r->msg.len);
    if (gth_buf_putc(&out->msg, 0) == 0) out->msg.len--;
    const char *p = (const char *)r->lines.data, *end = p ? p + r->lines.len : NULL;
    size_t dropped = 0;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (((fields & GTH_NORM_SYNC) && kind_is(p, n, "Sync")) ||
            ((fields & GTH_NORM_EXPERIMENTAL) && kind_is(p, n, "Experimental"))) {
            dropped++;
        } else {
            if ((fields & GTH_NORM_STATUS_STACK) && kind_is(p, n, "StateTransition")) put_status_line(&out->lines, p, n);
            else gth_buf_append(&out->lines, p, n);
            gth_buf_putc(&out->lines, '\n');
        }
        p += n + 1;
    }
    out->nlines = r->nlines - (dropped < r->nlines ? dropped : r->nlines);
}
