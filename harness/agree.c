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

int gth_same_message(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = gth_message_key(a, alen);
    return n == gth_message_key(b, blen) && (n == 0 || !memcmp(a, b, n));
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
