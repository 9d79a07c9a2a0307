/*
 * regex: a parser for Go's RE2 syntax into a small tree, a compiler from the
 * tree to a Thompson-NFA program, and a Pike-VM search over it. See regex.h.
 */
#include "format/regex.h"

#include <stdlib.h>
#include <string.h>

#include "base/quote.h"

#define MAX_RUNE 0x10FFFFu
#define MAX_REPEAT 1000
#define MAX_DEPTH 1000
#define MAX_PROG (1u << 20) /* instructions; Go's own limit is about 3.3 M */

/* ---- Tree ---------------------------------------------------------------------- */

enum {
    N_LIT,   /* rune */
    N_CLASS, /* ranges[cls .. cls + 2*ncls) */
    N_ANYNL, /* any rune but \n */
    N_ANY,
    N_BOT, /* ^ (one line), \A */
    N_EOT, /* $ (one line), \z */
    N_BOL, /* ^ (?m) */
    N_EOL, /* $ (?m) */
    N_WB,  /* \b */
    N_NWB, /* \B */
    N_CAT, /* kid, kid->next, ... */
    N_ALT,
    N_REP, /* kid{min,max}, max -1 = unbounded */
};

typedef struct rnode {
    uint8_t op;
    int32_t kid, next, last; /* last: the last kid, for appending */
    int32_t min, max;
    uint32_t rune;
    uint32_t cls, ncls;
} rnode;

enum { F_FOLD = 1, F_DOTNL = 2, F_MULTILINE = 4 };

typedef struct rparser {
    const gth_allocator *a;
    const char *pat;
    size_t n, pos;
    rnode *nodes;
    size_t nnodes, nodes_cap;
    uint32_t *ranges;
    size_t nranges, ranges_cap;
    uint32_t *tmp; /* a class being built: pairs */
    size_t ntmp, tmp_cap;
    int nomem;
    gth_error *err;
} rparser;

static int fail(rparser *p, const char *code, const char *expr, size_t len) {
    if (len > 200) len = 200;
    gth_error_set(p->err, GTH_EINVALID, "error parsing regexp: %s: `%.*s`", code, (int)len, expr);
    return -1;
}

static int nomem(rparser *p) {
    p->nomem = 1;
    gth_error_nomem(p->err);
    return -1;
}

static int32_t new_node(rparser *p, uint8_t op) {
    if (gth_grow(p->a, (void **)&p->nodes, &p->nodes_cap, p->nnodes + 1, sizeof *p->nodes)) return nomem(p);
    rnode *x = &p->nodes[p->nnodes];
    memset(x, 0, sizeof *x);
    x->op = op;
    x->kid = x->next = x->last = -1;
    return (int32_t)p->nnodes++;
}

static void add_kid(rparser *p, int32_t parent, int32_t kid) {
    rnode *x = &p->nodes[parent];
    if (x->last < 0) x->kid = kid;
    else p->nodes[x->last].next = kid;
    x->last = kid;
}

/* The next rune of the pattern at *i, or -1 (error set) if it is not UTF-8. */
static int next_rune(rparser *p, size_t *i, uint32_t *r) {
    size_t w = gth_utf8_decode((const uint8_t *)p->pat + *i, p->n - *i, r);
    if (*r == GTH_RUNE_ERROR && w == 1) return fail(p, "invalid UTF-8", p->pat + *i, p->n - *i);
    *i += w;
    return 0;
}

/* ---- Classes ---- */

static int tmp_range(rparser *p, uint32_t lo, uint32_t hi) {
    if (gth_grow(p->a, (void **)&p->tmp, &p->tmp_cap, p->ntmp + 2, sizeof *p->tmp)) return nomem(p);
    p->tmp[p->ntmp++] = lo;
    p->tmp[p->ntmp++] = hi;
    return 0;
}

/* Other cases of r that Go's (?i) matches, for the runes we fold: ASCII
 * letters, and the two non-ASCII runes that fold to one (K: KELVIN SIGN,
 * S: LONG S). */
static int fold_others(uint32_t r, uint32_t out[2]) {
    int n = 0;
    if (r >= 'a' && r <= 'z') out[n++] = r - 32;
    else if (r >= 'A' && r <= 'Z') out[n++] = r + 32;
    if (r == 'k' || r == 'K') out[n++] = 0x212A;
    else if (r == 's' || r == 'S') out[n++] = 0x17F;
    else if (r == 0x212A) out[0] = 'k', out[1] = 'K', n = 2;
    else if (r == 0x17F) out[0] = 's', out[1] = 'S', n = 2;
    return n;
}

static int tmp_range_fold(rparser *p, uint32_t lo, uint32_t hi, int fold) {
    if (tmp_range(p, lo, hi)) return -1;
    if (!fold) return 0;
    /* The folded ASCII letters of the range, and the two specials. */
    static const uint32_t alpha[2][2] = {{'A', 'Z'}, {'a', 'z'}};
    for (int k = 0; k < 2; k++) {
        uint32_t l = lo > alpha[k][0] ? lo : alpha[k][0], h = hi < alpha[k][1] ? hi : alpha[k][1];
        if (l <= h && tmp_range(p, k ? l - 32 : l + 32, k ? h - 32 : h + 32)) return -1;
    }
    static const uint32_t special[] = {'k', 'K', 0x212A, 's', 'S', 0x17F};
    for (size_t k = 0; k < sizeof special / sizeof special[0]; k++) {
        if (special[k] < lo || special[k] > hi) continue;
        uint32_t o[2];
        int no = fold_others(special[k], o);
        for (int j = 0; j < no; j++)
            if (tmp_range(p, o[j], o[j])) return -1;
    }
    return 0;
}

static int cmp_pair(const void *x, const void *y) {
    const uint32_t *a = x, *b = y;
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1];
}

/* Sorts and merges tmp, negates it if asked, and moves it to the ranges pool
 * as node x's class. */
static int finish_class(rparser *p, int32_t x, int negate) {
    size_t n = p->ntmp / 2;
    if (n) qsort(p->tmp, n, 2 * sizeof *p->tmp, cmp_pair);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t lo = p->tmp[2 * i], hi = p->tmp[2 * i + 1];
        if (m && lo <= p->tmp[2 * (m - 1) + 1] + 1) {
            if (hi > p->tmp[2 * (m - 1) + 1]) p->tmp[2 * (m - 1) + 1] = hi;
        } else {
            p->tmp[2 * m] = lo;
            p->tmp[2 * m + 1] = hi;
            m++;
        }
    }
    size_t need = p->nranges + 2 * (m + 1);
    if (gth_grow(p->a, (void **)&p->ranges, &p->ranges_cap, need, sizeof *p->ranges)) return nomem(p);
    uint32_t *out = p->ranges + p->nranges;
    size_t k = 0;
    if (!negate) {
        if (m) memcpy(out, p->tmp, 2 * m * sizeof *out);
        k = m;
    } else {
        uint32_t next = 0;
        for (size_t i = 0; i < m; i++) {
            if (p->tmp[2 * i] > next) out[2 * k] = next, out[2 * k + 1] = p->tmp[2 * i] - 1, k++;
            next = p->tmp[2 * i + 1] + 1;
        }
        if (next <= MAX_RUNE) out[2 * k] = next, out[2 * k + 1] = MAX_RUNE, k++;
    }
    p->nodes[x].cls = (uint32_t)p->nranges;
    p->nodes[x].ncls = (uint32_t)k;
    p->nranges += 2 * k;
    p->ntmp = 0;
    return 0;
}

/* The ASCII classes: Perl's \d \s \w and the POSIX [:name:]s. */
typedef struct named_class {
    const char *name;
    const char *ranges; /* pairs of chars: lo hi lo hi ... */
} named_class;

static const named_class perl_classes[] = {
    {"d", "09"}, {"s", "\t\n\f\r  "}, {"w", "09AZ__az"},
};

static const named_class posix_classes[] = {
    {"alnum", "09AZaz"}, {"alpha", "AZaz"},  {"ascii", "\x01\x7f"}, {"blank", "\t\t  "},
    {"cntrl", "\x01\x1f\x7f\x7f"}, {"digit", "09"}, {"graph", "!~"}, {"lower", "az"},
    {"print", " ~"}, {"punct", "!/:@[`{~"}, {"space", "\t\r  "}, {"upper", "AZ"},
    {"word", "09AZ__az"}, {"xdigit", "09AFaf"},
};

/* Adds a named class (or its complement) to tmp. [:ascii:] and [:cntrl:]
 * start at NUL, which the table cannot hold in a C string. */
static int tmp_named(rparser *p, const named_class *c, int negate, int fold) {
    size_t start = p->ntmp;
    size_t len = strlen(c->ranges);
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint32_t lo = (uint8_t)c->ranges[i], hi = (uint8_t)c->ranges[i + 1];
        if (lo == 1 && i == 0) lo = 0;
        if (tmp_range_fold(p, lo, hi, fold)) return -1;
    }
    if (!negate) return 0;
    /* Complement just the ranges added: sort and merge them in place. */
    size_t n = (p->ntmp - start) / 2;
    uint32_t *t = p->tmp + start;
    qsort(t, n, 2 * sizeof *t, cmp_pair);
    uint32_t neg[64];
    size_t k = 0;
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[2 * i] > next) neg[k++] = next, neg[k++] = t[2 * i] - 1;
        if (t[2 * i + 1] + 1 > next) next = t[2 * i + 1] + 1;
    }
    if (next <= MAX_RUNE) neg[k++] = next, neg[k++] = MAX_RUNE;
    p->ntmp = start;
    for (size_t i = 0; i < k; i += 2)
        if (tmp_range(p, neg[i], neg[i + 1])) return -1;
    return 0;
}

/* ---- Escapes ---- */

static int hexval(uint32_t c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

static int is_alnum(uint32_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A Perl class escape at p->pat[i] (\d \D \s \S \w \W): its class and sign. */
static const named_class *perl_class_at(const rparser *p, size_t i, int *negate) {
    if (i + 1 >= p->n || p->pat[i] != '\\') return NULL;
    char c = p->pat[i + 1];
    for (size_t k = 0; k < sizeof perl_classes / sizeof perl_classes[0]; k++) {
        if (c == perl_classes[k].name[0] || c == perl_classes[k].name[0] - 32) {
            *negate = c != perl_classes[k].name[0];
            return &perl_classes[k];
        }
    }
    return NULL;
}

/* A single-rune escape at *i (the backslash): its rune; *i moves past it. */
static int parse_escape(rparser *p, size_t *i, uint32_t *out) {
    size_t start = *i, j = *i + 1;
    if (j >= p->n) return fail(p, "trailing backslash at end of expression", "", 0);
    uint32_t c;
    if (next_rune(p, &j, &c)) return -1;
    switch (c) {
    case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        if (j >= p->n || p->pat[j] < '0' || p->pat[j] > '7') break; /* a backreference */
        /* fall through */
    case '0': {
        uint32_t r = c - '0';
        for (int k = 1; k < 3 && j < p->n && p->pat[j] >= '0' && p->pat[j] <= '7'; k++)
            r = r * 8 + (uint32_t)(p->pat[j++] - '0');
        *out = r;
        *i = j;
        return 0;
    }
    case 'x': {
        if (j >= p->n) break;
        uint32_t d;
        if (next_rune(p, &j, &d)) return -1;
        if (d == '{') {
            uint32_t r = 0;
            int nhex = 0, closed = 0;
            while (j < p->n) {
                if (next_rune(p, &j, &d)) return -1;
                if (d == '}') {
                    closed = 1;
                    break;
                }
                int v = hexval(d);
                if (v < 0) break;
                r = r * 16 + (uint32_t)v;
                if (r > MAX_RUNE) break;
                nhex++;
            }
            if (!closed || nhex == 0) break;
            *out = r;
            *i = j;
            return 0;
        }
        uint32_t e = GTH_RUNE_ERROR;
        if (j < p->n && next_rune(p, &j, &e)) return -1;
        if (hexval(d) < 0 || hexval(e) < 0) break;
        *out = (uint32_t)(hexval(d) * 16 + hexval(e));
        *i = j;
        return 0;
    }
    case 'a': *out = '\a', *i = j; return 0;
    case 'f': *out = '\f', *i = j; return 0;
    case 'n': *out = '\n', *i = j; return 0;
    case 'r': *out = '\r', *i = j; return 0;
    case 't': *out = '\t', *i = j; return 0;
    case 'v': *out = '\v', *i = j; return 0;
    default:
        if (c < 0x80 && !is_alnum(c)) {
            *out = c;
            *i = j;
            return 0;
        }
    }
    return fail(p, "invalid escape sequence", p->pat + start, j - start);
}

static int unicode_class_at(const rparser *p, size_t i) {
    return i + 1 < p->n && p->pat[i] == '\\' && (p->pat[i + 1] == 'p' || p->pat[i + 1] == 'P');
}

static int refuse_unicode_class(rparser *p, size_t i) {
    return fail(p, "Unicode classes are not supported here", p->pat + i, p->n - i < 12 ? p->n - i : 12);
}

/* [class] at *i. */
static int32_t parse_class(rparser *p, size_t *i, int flags) {
    size_t start = *i, j = *i + 1;
    int fold = flags & F_FOLD, negate = 0;
    if (j < p->n && p->pat[j] == '^') negate = 1, j++;
    int32_t x = new_node(p, N_CLASS);
    if (x < 0) return -1;
    p->ntmp = 0;
    int first = 1;
    while (j >= p->n || p->pat[j] != ']' || first) {
        first = 0;
        if (j + 2 < p->n && p->pat[j] == '[' && p->pat[j + 1] == ':') {
            /* [:name:] — Go looks for ":]" anywhere after it. */
            const char *end = NULL;
            for (size_t k = j + 2; k + 1 < p->n; k++)
                if (p->pat[k] == ':' && p->pat[k + 1] == ']') {
                    end = p->pat + k;
                    break;
                }
            if (end) {
                const char *name = p->pat + j + 2;
                size_t len = (size_t)(end - name);
                int neg = len && name[0] == '^';
                const named_class *c = NULL;
                for (size_t k = 0; k < sizeof posix_classes / sizeof posix_classes[0]; k++)
                    if (strlen(posix_classes[k].name) == len - (size_t)neg &&
                        !memcmp(posix_classes[k].name, name + neg, len - (size_t)neg))
                        c = &posix_classes[k];
                if (!c) return fail(p, "invalid character class range", p->pat + j, len + 4);
                if (tmp_named(p, c, neg, fold)) return -1;
                j += len + 4;
                continue;
            }
        }
        if (unicode_class_at(p, j)) return refuse_unicode_class(p, j);
        int neg;
        const named_class *pc = perl_class_at(p, j, &neg);
        if (pc) {
            if (tmp_named(p, pc, neg, fold)) return -1;
            j += 2;
            continue;
        }
        size_t rng = j;
        uint32_t lo, hi;
        if (j >= p->n) return fail(p, "missing closing ]", p->pat + start, p->n - start);
        if (p->pat[j] == '\\') {
            if (parse_escape(p, &j, &lo)) return -1;
        } else if (next_rune(p, &j, &lo)) {
            return -1;
        }
        hi = lo;
        if (j + 1 < p->n && p->pat[j] == '-' && p->pat[j + 1] != ']') {
            j++;
            if (j >= p->n) return fail(p, "missing closing ]", p->pat + start, p->n - start);
            if (p->pat[j] == '\\') {
                if (parse_escape(p, &j, &hi)) return -1;
            } else if (next_rune(p, &j, &hi)) {
                return -1;
            }
            if (hi < lo) return fail(p, "invalid character class range", p->pat + rng, j - rng);
        }
        if (tmp_range_fold(p, lo, hi, fold)) return -1;
    }
    *i = j + 1;
    if (finish_class(p, x, negate)) return -1;
    return x;
}

/* ---- Repetition ---- */

/* A decimal at *i as Go reads it: no leading zeros; -1 for a huge one. */
static int parse_int(const rparser *p, size_t *i, long *v) {
    size_t j = *i;
    if (j >= p->n || p->pat[j] < '0' || p->pat[j] > '9') return 0;
    if (j + 1 < p->n && p->pat[j] == '0' && p->pat[j + 1] >= '0' && p->pat[j + 1] <= '9') return 0;
    long n = 0;
    for (; j < p->n && p->pat[j] >= '0' && p->pat[j] <= '9'; j++) {
        if (n >= 100000000) n = -1;
        if (n >= 0) n = n * 10 + (p->pat[j] - '0');
    }
    *v = n;
    *i = j;
    return 1;
}

/* {n}, {n,}, {n,m} at *i: 1 and the bounds (max -1: none), or 0 when it is
 * not one (then '{' is a literal). */
static int parse_braces(const rparser *p, size_t *i, long *min, long *max) {
    size_t j = *i + 1;
    if (!parse_int(p, &j, min) || j >= p->n) return 0;
    if (p->pat[j] != ',') {
        *max = *min;
    } else {
        j++;
        if (j >= p->n) return 0;
        if (p->pat[j] == '}') *max = -1;
        else if (!parse_int(p, &j, max)) return 0;
        else if (*max < 0) *min = -1;
    }
    if (j >= p->n || p->pat[j] != '}') return 0;
    *i = j + 1;
    return 1;
}

/* Whether repeating node x makes at most n copies of anything, nested
 * repetitions multiplied (Go's rule for counts of 2 and more). */
static int repeat_ok(const rparser *p, int32_t x, long n) {
    const rnode *r = &p->nodes[x];
    if (r->op == N_REP) {
        long m = r->max;
        if (m == 0) return 1;
        if (m < 0) m = r->min;
        if (m > n) return 0;
        if (m > 0) n /= m;
    }
    for (int32_t k = r->kid; k >= 0; k = p->nodes[k].next)
        if (!repeat_ok(p, k, n)) return 0;
    return 1;
}

/* ---- Expressions ---- */

static int32_t parse_alt(rparser *p, int flags, int depth);

/* Appends the literal rune r (folded if asked) to the concatenation cat. */
static int32_t literal(rparser *p, uint32_t r, int flags) {
    uint32_t o[2];
    if ((flags & F_FOLD) && fold_others(r, o)) {
        int32_t x = new_node(p, N_CLASS);
        if (x < 0) return -1;
        p->ntmp = 0;
        if (tmp_range_fold(p, r, r, 1) || finish_class(p, x, 0)) return -1;
        return x;
    }
    int32_t x = new_node(p, N_LIT);
    if (x >= 0) p->nodes[x].rune = r;
    return x;
}

/* (?flags) or (?flags:...) at *i (after "(?"): 1 for a group (flags for it in
 * *inner), 0 for flags that change the rest of the enclosing group (*flags). */
static int perl_flags(rparser *p, size_t start, size_t *i, int *flags, int *inner) {
    int f = *flags, neg = 0, saw = 0;
    size_t j = *i;
    while (j < p->n) {
        uint32_t c;
        if (next_rune(p, &j, &c)) return -1;
        int bit = c == 'i' ? F_FOLD : c == 's' ? F_DOTNL : c == 'm' ? F_MULTILINE : c == 'U' ? -1 : 0;
        if (bit) {
            if (bit > 0) f = neg ? f & ~bit : f | bit;
            saw = 1;
            continue;
        }
        if (c == '-' && !neg) {
            neg = 1;
            saw = 0;
            continue;
        }
        if ((c == ':' || c == ')') && !(neg && !saw)) {
            *i = j;
            if (c == ':') {
                *inner = f;
                return 1;
            }
            *flags = f;
            return 0;
        }
        break;
    }
    return fail(p, "invalid or unsupported Perl syntax", p->pat + start, j - start);
}

static int valid_name(const char *s, size_t n) {
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum((uint8_t)s[i]) && s[i] != '_') return 0;
    return 1;
}

/* A concatenation up to '|', ')' or the end. *flags may change on the way
 * ((?i) applies to the rest of the enclosing group). */
static int32_t parse_cat(rparser *p, int *flags, int depth) {
    int32_t cat = new_node(p, N_CAT);
    if (cat < 0) return -1;
    size_t last_repeat = SIZE_MAX; /* where the previous token, a repetition, began */
    while (p->pos < p->n) {
        size_t at = p->pos;
        char c = p->pat[at];
        if (c == '|' || c == ')') break;
        int32_t atom = -1;
        long min = 0, max = 0;
        size_t after = at;
        int is_rep = 0;
        if (c == '*' || c == '+' || c == '?') {
            is_rep = 1;
            min = c == '+';
            max = c == '?' ? 1 : -1;
            after = at + 1;
        } else if (c == '{') {
            size_t j = at;
            if (parse_braces(p, &j, &min, &max)) {
                if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
                    return fail(p, "invalid repeat count", p->pat + at, j - at);
                is_rep = 1;
                after = j;
            }
        }
        if (is_rep) {
            if (after < p->n && p->pat[after] == '?') after++; /* lazy: the same matches exist */
            if (last_repeat != SIZE_MAX)
                return fail(p, "invalid nested repetition operator", p->pat + last_repeat, after - last_repeat);
            int32_t sub = p->nodes[cat].last;
            if (sub < 0) return fail(p, "missing argument to repetition operator", p->pat + at, after - at);
            int32_t rep = new_node(p, N_REP);
            if (rep < 0) return -1;
            rnode *r = &p->nodes[rep];
            r->min = (int32_t)min;
            r->max = (int32_t)max;
            r->kid = r->last = sub;
            /* Put rep in sub's place, the last of the concatenation. */
            rnode *ct = &p->nodes[cat];
            if (ct->kid == sub) {
                ct->kid = rep;
            } else {
                int32_t k = ct->kid;
                while (p->nodes[k].next != sub) k = p->nodes[k].next;
                p->nodes[k].next = rep;
            }
            ct->last = rep;
            if ((min >= 2 || max >= 2) && !repeat_ok(p, rep, MAX_REPEAT))
                return fail(p, "invalid repeat count", p->pat + at, after - at);
            p->pos = after;
            last_repeat = at;
            continue;
        }
        last_repeat = SIZE_MAX;
        if (c == '(') {
            int inner = *flags;
            p->pos++;
            if (p->pos < p->n && p->pat[p->pos] == '?') {
                size_t t = p->pos + 1;
                int named = (t < p->n && p->pat[t] == '<') ||
                            (t + 1 < p->n && p->pat[t] == 'P' && p->pat[t + 1] == '<');
                /* Go wants at least one byte after "(?P<" / "(?<". */
                if (named && p->pat[t] == 'P' && t + 2 >= p->n) named = 0;
                if (named && p->pat[t] == '<' && t + 1 >= p->n) named = 0;
                if (named) {
                    size_t nb = t + (p->pat[t] == 'P' ? 2 : 1);
                    const char *gt = memchr(p->pat + nb, '>', p->n - nb);
                    if (!gt) {
                        size_t k = at;
                        while (k < p->n) {
                            uint32_t r;
                            if (next_rune(p, &k, &r)) return -1;
                        }
                        return fail(p, "invalid named capture", p->pat + at, p->n - at);
                    }
                    size_t end = (size_t)(gt - p->pat);
                    for (size_t k = nb; k < end;) { /* the name must be UTF-8 before it is checked */
                        uint32_t r;
                        size_t w = gth_utf8_decode((const uint8_t *)p->pat + k, end - k, &r);
                        if (r == GTH_RUNE_ERROR && w == 1) return fail(p, "invalid UTF-8", p->pat + k, end - k);
                        k += w;
                    }
                    if (!valid_name(p->pat + nb, end - nb))
                        return fail(p, "invalid named capture", p->pat + at, end + 1 - at);
                    p->pos = end + 1;
                } else {
                    p->pos = t;
                    int g = perl_flags(p, at, &p->pos, flags, &inner);
                    if (g < 0) return -1;
                    if (g == 0) continue; /* flags for the rest of this group */
                }
            }
            if (depth + 1 > MAX_DEPTH) return fail(p, "expression nests too deeply", p->pat + at, p->n - at);
            atom = parse_alt(p, inner, depth + 1);
            if (atom < 0) return -1;
            if (p->pos >= p->n) return fail(p, "missing closing )", p->pat, p->n);
            p->pos++; /* ')' */
        } else if (c == '^' || c == '$' || c == '.') {
            int op = c == '^' ? (*flags & F_MULTILINE ? N_BOL : N_BOT)
                     : c == '$' ? (*flags & F_MULTILINE ? N_EOL : N_EOT)
                                : (*flags & F_DOTNL ? N_ANY : N_ANYNL);
            atom = new_node(p, (uint8_t)op);
            p->pos++;
        } else if (c == '[') {
            atom = parse_class(p, &p->pos, *flags);
        } else if (c == '\\' && at + 1 < p->n && p->pat[at + 1] && strchr("AbBCQz", p->pat[at + 1])) {
            char e = p->pat[at + 1];
            if (e == 'C') return fail(p, "invalid escape sequence", p->pat + at, 2);
            if (e == 'Q') {
                const char *end = NULL;
                for (size_t k = at + 2; k + 1 < p->n; k++)
                    if (p->pat[k] == '\\' && p->pat[k + 1] == 'E') {
                        end = p->pat + k;
                        break;
                    }
                size_t stop = end ? (size_t)(end - p->pat) : p->n;
                size_t k = at + 2;
                while (k < stop) {
                    uint32_t r;
                    size_t save = p->n;
                    p->n = stop; /* UTF-8 errors name the rest of the literal, as Go's do */
                    int rc = next_rune(p, &k, &r);
                    p->n = save;
                    if (rc) return -1;
                    int32_t l = literal(p, r, *flags);
                    if (l < 0) return -1;
                    add_kid(p, cat, l);
                }
                p->pos = end ? stop + 2 : p->n;
                continue;
            }
            atom = new_node(p, e == 'A' ? N_BOT : e == 'z' ? N_EOT : e == 'b' ? N_WB : N_NWB);
            p->pos += 2;
        } else if (c == '\\') {
            if (unicode_class_at(p, at)) return refuse_unicode_class(p, at);
            int neg;
            const named_class *pc = perl_class_at(p, at, &neg);
            if (pc) {
                atom = new_node(p, N_CLASS);
                if (atom < 0) return -1;
                p->ntmp = 0;
                if (tmp_named(p, pc, neg, *flags & F_FOLD) || finish_class(p, atom, 0)) return -1;
                p->pos += 2;
            } else {
                uint32_t r;
                if (parse_escape(p, &p->pos, &r)) return -1;
                atom = literal(p, r, *flags);
            }
        } else {
            uint32_t r;
            if (next_rune(p, &p->pos, &r)) return -1;
            atom = literal(p, r, *flags);
        }
        if (atom < 0) return -1;
        add_kid(p, cat, atom);
    }
    return cat;
}

static int32_t parse_alt(rparser *p, int flags, int depth) {
    int32_t alt = new_node(p, N_ALT);
    if (alt < 0) return -1;
    for (;;) {
        int32_t cat = parse_cat(p, &flags, depth);
        if (cat < 0) return -1;
        add_kid(p, alt, cat);
        if (p->pos < p->n && p->pat[p->pos] == '|') {
            p->pos++;
            continue;
        }
        return alt;
    }
}

/* ---- Program ------------------------------------------------------------------- */

enum { I_RUNE, I_CLASS, I_ANYNL, I_ANY, I_SPLIT, I_JMP, I_ASSERT, I_MATCH };

typedef struct gth_re_inst {
    uint8_t op;
    uint32_t x, y;
} gth_re_inst;

typedef struct rcomp {
    rparser *p;
    gth_re_inst *prog;
    size_t n, cap;
} rcomp;

/* Instructions node x compiles to, saturating past MAX_PROG. */
static uint64_t prog_size(const rparser *p, int32_t x) {
    const rnode *r = &p->nodes[x];
    uint64_t s = 0;
    switch (r->op) {
    case N_CAT:
        for (int32_t k = r->kid; k >= 0 && s <= MAX_PROG; k = p->nodes[k].next) s += prog_size(p, k);
        return s;
    case N_ALT:
        for (int32_t k = r->kid; k >= 0 && s <= MAX_PROG; k = p->nodes[k].next) s += prog_size(p, k) + 2;
        return s;
    case N_REP: {
        uint64_t sub = prog_size(p, r->kid) + 2;
        uint64_t copies = r->max < 0 ? (uint64_t)r->min + 1 : (uint64_t)r->max;
        return sub > MAX_PROG ? sub : sub * copies + 1;
    }
    default: return 1;
    }
}

static uint32_t emit(rcomp *c, uint8_t op, uint32_t x, uint32_t y) {
    c->prog[c->n] = (gth_re_inst){op, x, y};
    return (uint32_t)c->n++;
}

static void compile_node(rcomp *c, int32_t x) {
    const rnode *r = &c->p->nodes[x];
    switch (r->op) {
    case N_LIT: emit(c, I_RUNE, r->rune, 0); break;
    case N_CLASS: emit(c, I_CLASS, r->cls, r->ncls); break;
    case N_ANYNL: emit(c, I_ANYNL, 0, 0); break;
    case N_ANY: emit(c, I_ANY, 0, 0); break;
    case N_BOT: case N_EOT: case N_BOL: case N_EOL: case N_WB: case N_NWB:
        emit(c, I_ASSERT, r->op, 0);
        break;
    case N_CAT:
        for (int32_t k = r->kid; k >= 0; k = c->p->nodes[k].next) compile_node(c, k);
        break;
    case N_ALT: {
        /* SPLIT a, next; a: kid; JMP end; next: SPLIT b, next2; ... last kid. */
        uint32_t jmps_head = UINT32_MAX;
        for (int32_t k = r->kid; k >= 0; k = c->p->nodes[k].next) {
            if (c->p->nodes[k].next < 0) {
                compile_node(c, k);
                break;
            }
            uint32_t s = emit(c, I_SPLIT, 0, 0);
            c->prog[s].x = (uint32_t)c->n;
            compile_node(c, k);
            uint32_t j = emit(c, I_JMP, jmps_head, 0); /* chain of jumps to patch */
            jmps_head = j;
            c->prog[s].y = (uint32_t)c->n;
        }
        while (jmps_head != UINT32_MAX) {
            uint32_t next = c->prog[jmps_head].x;
            c->prog[jmps_head].x = (uint32_t)c->n;
            jmps_head = next;
        }
        break;
    }
    case N_REP: {
        for (int32_t k = 0; k < r->min; k++) compile_node(c, r->kid);
        if (r->max < 0) {
            uint32_t s = emit(c, I_SPLIT, 0, 0);
            c->prog[s].x = (uint32_t)c->n;
            compile_node(c, r->kid);
            emit(c, I_JMP, s, 0);
            c->prog[s].y = (uint32_t)c->n;
        } else {
            uint32_t head = UINT32_MAX; /* chain of splits whose y is the end */
            for (int32_t k = r->min; k < r->max; k++) {
                uint32_t s = emit(c, I_SPLIT, 0, head);
                head = s;
                c->prog[s].x = (uint32_t)c->n;
                compile_node(c, r->kid);
            }
            while (head != UINT32_MAX) {
                uint32_t next = c->prog[head].y;
                c->prog[head].y = (uint32_t)c->n;
                head = next;
            }
        }
        break;
    }
    }
}

/* The matcher's scratch for a program of m instructions: two sets of 2m and a
 * stack of 2m + 1 (each of the m pcs a closure adds pushes at most two). */
static size_t scratch_len(size_t m) { return 6 * m + 1; }

void gth_regex_free(gth_regex *re) {
    if (!re->a) return;
    gth_free(re->a, re->prog, re->nprog * sizeof *re->prog);
    gth_free(re->a, re->ranges, re->nranges * sizeof *re->ranges);
    gth_free(re->a, re->scratch, scratch_len(re->nprog) * sizeof *re->scratch);
    memset(re, 0, sizeof *re);
}

int gth_regex_compile(gth_regex *re, const gth_allocator *a, const char *pattern, size_t n, gth_error *err) {
    memset(re, 0, sizeof *re);
    a = a ? a : gth_default_allocator();
    rparser p = {0};
    p.a = a;
    p.pat = pattern;
    p.n = n;
    p.err = err;
    int rc = GTH_OK;
    int32_t root = parse_alt(&p, 0, 0);
    if (root >= 0 && p.pos < p.n) { /* stopped at a ')' with no '(' */
        fail(&p, "unexpected )", p.pat, p.n);
        root = -1;
    }
    if (root < 0) {
        rc = p.nomem ? GTH_ENOMEM : GTH_EINVALID;
        goto out;
    }
    uint64_t size = prog_size(&p, root) + 1;
    if (size > MAX_PROG) {
        fail(&p, "expression too large", p.pat, p.n);
        rc = GTH_EINVALID;
        goto out;
    }
    rcomp c = {&p, gth_alloc(a, (size_t)size * sizeof(gth_re_inst)), 0, (size_t)size};
    uint32_t *scratch = gth_calloc(a, scratch_len((size_t)size), sizeof(uint32_t));
    if (!c.prog || !scratch) {
        gth_free(a, c.prog, (size_t)size * sizeof(gth_re_inst));
        gth_free(a, scratch, scratch_len((size_t)size) * sizeof(uint32_t));
        rc = gth_error_nomem(err);
        goto out;
    }
    compile_node(&c, root);
    emit(&c, I_MATCH, 0, 0);
    re->a = a;
    re->prog = c.prog;
    re->nprog = (uint32_t)size;
    re->start = 0;
    re->scratch = scratch;
    /* The class ranges move to the regex. */
    re->ranges = p.ranges;
    re->nranges = p.ranges_cap;
    p.ranges = NULL;
out:
    gth_free(a, p.nodes, p.nodes_cap * sizeof *p.nodes);
    gth_free(a, p.ranges, p.ranges_cap * sizeof *p.ranges);
    gth_free(a, p.tmp, p.tmp_cap * sizeof *p.tmp);
    return rc;
}

/* ---- Search -------------------------------------------------------------------- */

/* A set of program counters, in insertion order, with O(1) membership. */
typedef struct pcset {
    uint32_t *dense, *sparse;
    uint32_t n;
} pcset;

static int pcset_has(const pcset *s, uint32_t pc) { return s->sparse[pc] < s->n && s->dense[s->sparse[pc]] == pc; }

static void pcset_add(pcset *s, uint32_t pc) {
    s->sparse[pc] = s->n;
    s->dense[s->n++] = pc;
}

static int is_word(int64_t r) { return r >= 0 && r < 0x80 && (is_alnum((uint32_t)r) || r == '_'); }

/* prev, next: the runes around the position (-1 at the text's ends). */
static int assertion(uint32_t kind, int64_t prev, int64_t next) {
    switch (kind) {
    case N_BOT: return prev < 0;
    case N_EOT: return next < 0;
    case N_BOL: return prev < 0 || prev == '\n';
    case N_EOL: return next < 0 || next == '\n';
    case N_WB: return is_word(prev) != is_word(next);
    default: return is_word(prev) == is_word(next); /* N_NWB */
    }
}

/* Adds pc and what it reaches without consuming a rune; 1 if that reaches MATCH. */
static int closure(const gth_regex *re, pcset *s, uint32_t *stack, uint32_t pc, int64_t prev, int64_t next) {
    uint32_t top = 0;
    stack[top++] = pc;
    while (top) {
        pc = stack[--top];
        if (pcset_has(s, pc)) continue;
        pcset_add(s, pc);
        const gth_re_inst *in = &re->prog[pc];
        switch (in->op) {
        case I_MATCH: return 1;
        case I_JMP: stack[top++] = in->x; break;
        case I_SPLIT:
            stack[top++] = in->y;
            stack[top++] = in->x;
            break;
        case I_ASSERT:
            if (assertion(in->x, prev, next)) stack[top++] = pc + 1;
            break;
        default: break;
        }
    }
    return 0;
}

static int class_has(const gth_regex *re, const gth_re_inst *in, uint32_t r) {
    const uint32_t *g = re->ranges + in->x;
    size_t lo = 0, hi = in->y;
    while (lo < hi) { /* the first range whose end is >= r */
        size_t mid = (lo + hi) / 2;
        if (g[2 * mid + 1] < r) lo = mid + 1;
        else hi = mid;
    }
    return lo < in->y && g[2 * lo] <= r;
}

int gth_regex_search(const gth_regex *re, const char *s, size_t n) {
    uint32_t m = re->nprog;
    pcset cur = {re->scratch, re->scratch + m, 0}, nxt = {re->scratch + 2 * (size_t)m, re->scratch + 3 * (size_t)m, 0};
    uint32_t *stack = re->scratch + 4 * (size_t)m;
    const uint8_t *t = (const uint8_t *)s;
    int64_t prev = -1;
    size_t pos = 0;
    for (;;) {
        uint32_t r = 0;
        size_t w = pos < n ? gth_utf8_decode(t + pos, n - pos, &r) : 0;
        int64_t next = pos < n ? (int64_t)r : -1;
        cur.n = 0;
        for (uint32_t k = 0; k < nxt.n; k++)
            if (closure(re, &cur, stack, nxt.dense[k], prev, next)) return 1;
        if (closure(re, &cur, stack, re->start, prev, next)) return 1;
        if (pos >= n) return 0;
        nxt.n = 0;
        for (uint32_t k = 0; k < cur.n; k++) {
            uint32_t pc = cur.dense[k];
            const gth_re_inst *in = &re->prog[pc];
            int ok = in->op == I_RUNE    ? in->x == r
                     : in->op == I_CLASS ? class_has(re, in, r)
                     : in->op == I_ANYNL ? r != '\n'
                     : in->op == I_ANY;
            if (ok && !pcset_has(&nxt, pc + 1)) pcset_add(&nxt, pc + 1);
        }
        prev = r;
        pos += w;
    }
}
