/* The canonical event-stream line of an event's API view (docs/EVENTS.md).
 *
 * A line is written through a raw pointer into the buffer: room is made once
 * for each run of fixed-size pieces (numbers, literals) and once for each
 * variable-length one (a string, a cached stack), so the pieces themselves are
 * plain stores. Numbers below 1000 come from a table, larger ones are written
 * eight digits at a time; strings that need no escapes are recognised eight
 * (with SSE2 sixteen) bytes at a time; the names of kinds and the text of each
 * transition between two states come with their lengths. With a printer, the
 * parts that neighbouring lines share are kept: the high digits of the time,
 * the threads' " M=" text, the stacks' text, and the text of state transition
 * lines after the id. Any failure to make room ends the line (b->failed is
 * set). */
#include "validator/stream.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/quote.h"

/* Room for the longest number written below. */
#define NUM_MAX 24

typedef struct out {
    gth_buf *b;
    uint8_t *w, *end;
} out;

static inline void out_open(out *o, gth_buf *b) {
    o->b = b;
    o->w = b->data ? b->data + b->len : NULL;
    o->end = b->data ? b->data + b->cap : NULL;
}

/* Opens b for a line: with room already made, so that w is never NULL. */
static inline int out_start(out *o, gth_buf *b) {
    if (!b->data && gth_buf_reserve(b, 256)) return -1;
    out_open(o, b);
    return 0;
}

/* Writes the position back into the buffer. */
static inline void out_sync(out *o) {
    if (o->w) o->b->len = (size_t)(o->w - o->b->data);
}

static int out_grow(out *o, size_t n) {
    out_sync(o);
    if (gth_buf_reserve(o->b, n)) return -1;
    out_open(o, o->b);
    return 0;
}

/* Makes room for n more bytes; -1 when out of memory. */
static inline int need(out *o, size_t n) {
    if (__builtin_expect((size_t)(o->end - o->w) >= n, 1)) return 0;
    return out_grow(o, n);
}

/* The pieces below write without checks: room was made. */
#define W_LIT(o, s) (memcpy((o)->w, (s), sizeof(s) - 1), (o)->w += sizeof(s) - 1)

static inline void w_c(out *o, char c) { *o->w++ = (uint8_t)c; }

static inline void w_mem(out *o, const void *s, size_t n) {
    memcpy(o->w, s, n);
    o->w += n;
}

static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";

static inline unsigned ndigits(uint64_t v) {
    static const uint64_t pow10[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};
    /* log10 from log2, corrected by one comparison. */
    unsigned t = ((unsigned)(64 - __builtin_clzll(v | 1)) * 1233u) >> 12;
    return t + (v >= pow10[t]) + (v == 0);
}

/* The eight decimal digits of n < 10^8, zero-padded, as the bytes of a word in
 * memory order, computed in lanes of the one word: n as two halves of four
 * digits, each half as two pairs, each pair as two digits (the divisions are
 * multiplications, exact for these ranges). */
static inline uint64_t eight_digits(uint32_t n) {
    uint64_t x = (n / 10000) | ((uint64_t)(n % 10000) << 32);
    uint64_t h = ((x * 10486) >> 20) & 0x0000007f0000007full; /* / 100 */
    x = h | ((x - h * 100) << 16);
    uint64_t t = ((x * 103) >> 10) & 0x000f000f000f000full; /* / 10 */
    x = t | ((x - t * 10) << 8);
    x += 0x3030303030303030ull; /* '0' */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* Stores the last k (1..8) bytes of the memory-order word w at p; the 8 - k
 * bytes after them are overwritten with garbage (room was made for 8). */
static inline void store_tail(uint8_t *p, uint64_t w, unsigned k) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w <<= 8 * (8 - k);
#else
    w >>= 8 * (8 - k);
#endif
    memcpy(p, &w, 8);
}

/* The writers below take and return the write position as a plain pointer, so
 * that the compiler keeps it in a register: a store through o->w could alias
 * o->w itself. */

/* n < 10^8, without leading zeros. */
static inline uint8_t *at_u27(uint8_t *w, uint32_t n) {
    unsigned k = ndigits(n);
    store_tail(w, eight_digits(n), k);
    return w + k;
}

static inline uint8_t *at_eight(uint8_t *w, uint32_t n) {
    uint64_t x = eight_digits(n);
    memcpy(w, &x, 8);
    return w + 8;
}

/* The decimal text of each n < 1000 as {digits..., length}: the digits are
 * copied as one word of four (room was made for 4), the length byte among
 * them overwritten by what follows. */
#define SMALL_DIGITS(a, b, c)                                                                                      \
    {(a) ? '0' + (a) : (b) ? '0' + (b) : '0' + (c), (a) ? '0' + (b) : (b) ? '0' + (c) : 0, (a) ? '0' + (c) : 0, \
     (a) ? 3 : (b) ? 2 : 1}
#define SMALL_10(a, b)                                                                                            \
    SMALL_DIGITS(a, b, 0), SMALL_DIGITS(a, b, 1), SMALL_DIGITS(a, b, 2), SMALL_DIGITS(a, b, 3), SMALL_DIGITS(a, b, 4), \
        SMALL_DIGITS(a, b, 5), SMALL_DIGITS(a, b, 6), SMALL_DIGITS(a, b, 7), SMALL_DIGITS(a, b, 8), SMALL_DIGITS(a, b, 9)
#define SMALL_100(a)                                                                                              \
    SMALL_10(a, 0), SMALL_10(a, 1), SMALL_10(a, 2), SMALL_10(a, 3), SMALL_10(a, 4), SMALL_10(a, 5), SMALL_10(a, 6), \
        SMALL_10(a, 7), SMALL_10(a, 8), SMALL_10(a, 9)
static const uint8_t small_digits[1000][4] = {SMALL_100(0), SMALL_100(1), SMALL_100(2), SMALL_100(3), SMALL_100(4),
                                              SMALL_100(5), SMALL_100(6), SMALL_100(7), SMALL_100(8), SMALL_100(9)};

static inline uint8_t *at_u10(uint8_t *w, uint32_t n) {
    memcpy(w, small_digits[n], 4);
    return w + small_digits[n][3];
}

static inline uint8_t *at_u64(uint8_t *w, uint64_t v) {
    if (v < 1000) {
        w = at_u10(w, (uint32_t)v);
    } else if (v < 1000000) { /* the part above 1000, then three digits */
        uint32_t hi = (uint32_t)v / 1000, lo = (uint32_t)v - hi * 1000;
        uint32_t h = (lo * 41) >> 12; /* lo / 100 */
        w = at_u10(w, hi);
        *w = (uint8_t)('0' + h);
        memcpy(w + 1, digits2 + 2 * (lo - h * 100), 2);
        w += 3;
    } else if (v < 100000000) {
        w = at_u27(w, (uint32_t)v);
    } else {
        uint64_t hi = v / 100000000;
        uint32_t lo = (uint32_t)(v % 100000000);
        if (hi < 100000000) {
            w = at_u27(w, (uint32_t)hi);
        } else {
            w = at_u27(w, (uint32_t)(hi / 100000000));
            w = at_eight(w, (uint32_t)(hi % 100000000));
        }
        w = at_eight(w, lo);
    }
    return w;
}

static uint8_t *at_i64_any(uint8_t *w, int64_t v) {
    if (v < 0) {
        *w++ = '-';
        return at_u64(w, 0 - (uint64_t)v);
    }
    return at_u64(w, (uint64_t)v);
}

/* The ids of lines (procs, goroutines, threads) are mostly small, or -1. */
static inline uint8_t *at_i64(uint8_t *w, int64_t v) {
    if (__builtin_expect((uint64_t)v < 1000, 1)) return at_u10(w, (uint32_t)v);
    if (v == -1) {
        memcpy(w, "-1", 2);
        return w + 2;
    }
    return at_i64_any(w, v);
}

#define AT_LIT(w, s) (memcpy((w), (s), sizeof(s) - 1), (w) += sizeof(s) - 1)

/* A name: its first 16 bytes in one copy (room was made for 16 more). */
static inline uint8_t *at_name(uint8_t *w, const struct gth_stream_name *n) {
    if (n->n <= sizeof n->pad) memcpy(w, n->pad, sizeof n->pad);
    else memcpy(w, n->p, n->n);
    return w + n->n;
}

static inline void w_u64(out *o, uint64_t v) { o->w = at_u64(o->w, v); }

static inline void w_i64(out *o, int64_t v) { o->w = at_i64(o->w, v); }

static inline void w_hex(out *o, uint64_t v) {
    static const char dig[] = "0123456789abcdef";
    unsigned n = 1;
    while (n < 16 && (v >> (4 * n))) n++;
    uint8_t *p = o->w + n;
    o->w = p;
    do {
        *--p = (uint8_t)dig[v & 15];
        v >>= 4;
    } while (v);
}

/* A string of n bytes: its room, then its bytes. */
static inline int put_mem(out *o, const void *s, size_t n) {
    if (need(o, n)) return -1;
    w_mem(o, s, n);
    return 0;
}

static inline int put_str(out *o, const char *s) { return put_mem(o, s, strlen(s)); }

/* Whether the word x of 8 bytes holds a byte that needs more than itself in
 * Go's strconv.Quote: below 0x20, from 0x7f on, '"' or '\\'. Exact (no false
 * answers either way), from the usual zero-byte tests. */
static inline int needs_escape8(uint64_t x) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
    uint64_t lt20 = (x - ones * 0x20) & ~x;       /* high bit: byte < 0x20 (bytes below 0x80) */
    uint64_t ge7f = (x + ones * (0x80 - 0x7f)) | x; /* high bit: byte >= 0x7f */
    uint64_t zq = (q - ones) & ~q, zbs = (bs - ones) & ~bs;
    return ((lt20 | ge7f | zq | zbs) & high) != 0;
}

#ifdef __SSE2__
/* needs_escape8 for 16 bytes at once: below 0x20 or from 0x80 on (signed
 * below 0x20), 0x7f, '"' or '\\'. */
static inline int needs_escape16(__m128i x) {
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
                             _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
    return _mm_movemask_epi8(m) != 0;
}
#endif

/* Whether the n > 0 bytes at p need escapes: read a word at a time, the last
 * (or only) word overlapping the one before it, or padded with a byte that
 * needs none. */
static inline int needs_escape(const uint8_t *p, size_t n) {
    uint64_t x;
#ifdef __SSE2__
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            if (needs_escape16(_mm_loadu_si128((const __m128i *)(const void *)(p + i)))) return 1;
        return needs_escape16(_mm_loadu_si128((const __m128i *)(const void *)(p + n - 16)));
    }
    if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
        return needs_escape16(_mm_set_epi64x((long long)b, (long long)a));
    }
#endif
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, p + i, 8);
            if (needs_escape8(x)) return 1;
        }
        memcpy(&x, p + n - 8, 8);
        return needs_escape8(x);
    }
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return needs_escape8((uint64_t)a | (uint64_t)b << 32);
    }
    x = 0x6161616161616161ull; /* 'a' */
    memcpy(&x, p, 1);
    memcpy((uint8_t *)&x + 1, p + n / 2, 1);
    memcpy((uint8_t *)&x + 2, p + n - 1, 1);
    return needs_escape8(x);
}

/* Go's strconv.Quote: printable ASCII needs no escapes and is copied straight. */
static int put_quoted_text(out *o, const uint8_t *p, size_t n) {
    if (needs_escape(p, n)) {
        out_sync(o);
        if (gth_quote_append(o->b, p, n)) return -1;
        out_open(o, o->b);
        return 0;
    }
    if (need(o, n + 2)) return -1;
    w_c(o, '"');
    w_mem(o, p, n);
    w_c(o, '"');
    return 0;
}

static inline int put_quoted(out *o, const uint8_t *p, size_t n) {
    if (n) return put_quoted_text(o, p, n);
    if (need(o, 2)) return -1;
    W_LIT(o, "\"\"");
    return 0;
}

static int put_resource(out *o, gth_resource r) {
    if (need(o, 12 + NUM_MAX)) return -1;
    switch (r.kind) {
    case GTH_RES_GOROUTINE: W_LIT(o, "Goroutine("); break;
    case GTH_RES_PROC: W_LIT(o, "Proc("); break;
    case GTH_RES_THREAD: W_LIT(o, "Thread("); break;
    default: W_LIT(o, "None"); return 0;
    }
    w_i64(o, r.id);
    w_c(o, ')');
    return 0;
}

static int put_stack_text(out *o, const gth_view *v, gth_stack_ref s) {
    if (need(o, 1)) return -1;
    w_c(o, '[');
    long n = gth_view_stack_len(v, s);
    for (long i = 0; i < n; i++) {
        gth_frame f;
        if (gth_view_stack_frame(v, s, (size_t)i, &f)) break;
        if (i && put_mem(o, ", ", 2)) return -1;
        if (put_quoted(o, f.func, f.func_len) || need(o, 4 + NUM_MAX)) return -1;
        W_LIT(o, "@0x");
        w_hex(o, f.pc);
        w_c(o, ' ');
        if (put_quoted(o, f.file, f.file_len) || need(o, 1 + NUM_MAX)) return -1;
        w_c(o, ':');
        w_u64(o, f.line);
    }
    if (need(o, 1)) return -1;
    w_c(o, ']');
    return 0;
}

int gth_stream_stack(gth_buf *b, const gth_view *v, gth_stack_ref s) {
    out o;
    if (out_start(&o, b)) return -1;
    int rc = put_stack_text(&o, v, s);
    out_sync(&o);
    return rc || b->failed ? -1 : 0;
}

/* ---- The stack cache ------------------------------------------------------------- */

#define CACHE_STACK_MAX 4096         /* longer stacks are printed every time */
#define CACHE_TOTAL_MAX (16u << 20) /* then the cache stops growing until the next Sync */

static void name_set(struct gth_stream_name *n, const char *p) {
    n->p = p;
    n->n = strlen(p);
    memset(n->pad, 0, sizeof n->pad);
    memcpy(n->pad, p, n->n < sizeof n->pad ? n->n : sizeof n->pad);
}

void gth_stream_init(gth_stream *s, const gth_allocator *a) {
    memset(s, 0, sizeof *s);
    s->a = a ? a : gth_default_allocator();
    gth_idmap_init(&s->idx, s->a);
    gth_buf_init(&s->text, s->a);
    gth_buf_init(&s->tails, s->a);
    for (unsigned i = 0; i < GTH_KIND__COUNT; i++) name_set(&s->kinds[i], gth_event_kind_name(i));
    for (int proc = 0; proc < 2; proc++)
        for (unsigned from = 0; from < 8; from++)
            for (unsigned to = 0; to < 8; to++) {
                uint8_t *t = s->transitions[proc][from][to];
                int n = snprintf((char *)t, sizeof s->transitions[0][0][0], " %s->%s Reason=",
                                 proc ? gth_proc_state_name(from) : gth_go_state_name(from),
                                 proc ? gth_proc_state_name(to) : gth_go_state_name(to));
                t[sizeof s->transitions[0][0][0] - 1] = (uint8_t)n;
            }
}

void gth_stream_free(gth_stream *s) {
    gth_idmap_free(&s->idx);
    gth_free(s->a, s->spans, s->spans_cap * sizeof *s->spans);
    gth_buf_free(&s->text);
    gth_buf_free(&s->tails);
    s->spans = NULL;
    s->nspans = s->spans_cap = 0;
}

static void tails_reset(gth_stream *s) {
    memset(s->tail, 0, sizeof s->tail);
    s->tails.len = 0;
    s->tails.failed = 0;
}

static void cache_reset(gth_stream *s) {
    gth_idmap_clear(&s->idx);
    s->nspans = 0;
    s->text.len = 0;
    s->text.failed = 0;
    tails_reset(s);
    s->tail_pause = 0;
}

static int put_stack_new(gth_stream *s, out *o, const gth_view *v, gth_stack_ref st);

/* Appends the n bytes of pfx, then stack st, from the cache when it is there
 * (room for both made at once). */
static inline __attribute__((always_inline)) int put_stack(gth_stream *s, out *o, const char *pfx, size_t n,
                                                           const gth_view *v, gth_stack_ref st) {
    uint32_t i;
    if (s && st.id != 0 && gth_idmap_get(&s->idx, st.id, &i)) {
        const struct gth_stream_span *sp = &s->spans[i];
        if (need(o, n + sp->len)) return -1;
        w_mem(o, pfx, n);
        w_mem(o, s->text.data + sp->off, sp->len);
        return 0;
    }
    if (put_mem(o, pfx, n)) return -1;
    return put_stack_new(s, o, v, st);
}

/* put_stack for a stack not in the cache: printed, then kept. */
static int put_stack_new(gth_stream *s, out *o, const gth_view *v, gth_stack_ref st) {
    if (!s || st.id == 0) return put_stack_text(o, v, st);
    gth_buf *b = o->b;
    out_sync(o);
    size_t start = b->len;
    if (put_stack_text(o, v, st)) return -1;
    out_sync(o);
    size_t n = b->len - start;
    if (n > CACHE_STACK_MAX || s->text.len + n > CACHE_TOTAL_MAX) return 0;
    /* Out of memory for the cache: the line is right, but the failure is
     * reported like any other (b->failed), not hidden. */
    void *p = s->spans;
    if (gth_grow(s->a, &p, &s->spans_cap, s->nspans + 1, sizeof *s->spans)) {
        b->failed = 1;
        return -1;
    }
    s->spans = p;
    size_t off = s->text.len;
    if (gth_buf_append(&s->text, b->data + start, n)) {
        s->text.len = off;
        s->text.failed = 0;
        b->failed = 1;
        return -1;
    }
    if (gth_idmap_put(&s->idx, st.id, (uint32_t)s->nspans)) {
        s->text.len = off;
        b->failed = 1;
        return -1;
    }
    s->spans[s->nspans++] = (struct gth_stream_span){off, n};
    return 0;
}

static int put_sync(out *o, const gth_sync *s) {
    if (need(o, 32 + 4 * NUM_MAX)) return -1;
    W_LIT(o, " N=");
    w_i64(o, (int64_t)s->n);
    if (s->has_clock) {
        W_LIT(o, " Trace=");
        w_i64(o, s->clock.trace);
        W_LIT(o, " Mono=");
        w_u64(o, s->clock.mono);
        W_LIT(o, " Wall=");
        w_i64(o, s->clock.wall_sec);
        w_c(o, '.');
        int64_t ns = s->clock.wall_nsec;
        for (int i = 8; i >= 0; i--) {
            o->w[i] = (uint8_t)('0' + ns % 10);
            ns /= 10;
        }
        o->w += 9;
    }
    if (s->nbatches == 0) return 0;
    /* All batches belong to the one known experiment (the view rejects the
     * others), so Go's name-sorted order is their file order. */
    W_LIT(o, " Batches=[");
    for (size_t i = 0; i < s->nbatches; i++) {
        if (need(o, 12 + 2 * NUM_MAX)) return -1;
        if (i) w_c(o, ' ');
        W_LIT(o, "AllocFree:");
        w_i64(o, (int64_t)s->batches[i].m);
        w_c(o, ':');
        w_u64(o, s->batches[i].len);
    }
    if (need(o, 1)) return -1;
    w_c(o, ']');
    return 0;
}

/* A state transition's text after the resource's id, with the event's stack:
 * " <from>-><to> Reason=<q>[ TransitionStack=<stack>][ Stack=<stack>]". */
static int put_transition_tail(gth_stream *st, out *o, const gth_view *v) {
    const gth_transition *t = &v->u.transition;
    int proc = t->resource.kind != GTH_RES_GOROUTINE;
    unsigned from = t->old_state, to = t->new_state;
    if (st && from < 8 && to < 8) {
        const uint8_t *text = st->transitions[proc][from][to];
        if (need(o, sizeof st->transitions[0][0][0])) return -1;
        memcpy(o->w, text, sizeof st->transitions[0][0][0]);
        o->w += text[sizeof st->transitions[0][0][0] - 1];
    } else { /* a state beyond the table ("Bad"), or no printer */
        const char *a = proc ? gth_proc_state_name(from) : gth_go_state_name(from),
                   *b = proc ? gth_proc_state_name(to) : gth_go_state_name(to);
        if (put_mem(o, " ", 1) || put_str(o, a) || put_mem(o, "->", 2) || put_str(o, b) || put_mem(o, " Reason=", 8))
            return -1;
    }
    if (put_quoted(o, t->reason.p, t->reason.n)) return -1;
    if (t->stack.present && put_stack(st, o, " TransitionStack=", 17, v, t->stack)) return -1;
    if (v->stack.present) return put_stack(st, o, " Stack=", 7, v, v->stack);
    return 0;
}

#define TAIL_MAX 4096                      /* longer tails are printed every time */
#define TAIL_TOTAL_MAX ((size_t)256 << 10) /* then the table starts again, empty, */
#define TAIL_PAUSE 65536                   /* after this many transition lines without it */

/* A transition line from " GoID=" / " ProcID=" on, the part after the id from
 * the printer's table of tails when it is there (filled on the way). The key
 * holds the states, the reason's length and which stacks there are; the
 * reason's bytes (up to 16) are the two words that cover them, overlapping. */
static inline __attribute__((always_inline)) int put_transition(gth_stream *st, out *o, const gth_view *v) {
    const gth_transition *t = &v->u.transition;
    int proc = t->resource.kind != GTH_RES_GOROUTINE;
    uint8_t *w = o->w; /* room was made for the id (put_line) */
    if (!proc) AT_LIT(w, " GoID=");
    else AT_LIT(w, " ProcID=");
    o->w = at_i64(w, t->resource.id);
    size_t n = t->reason.n;
    if (!st || n > 16 || (t->old_state | t->new_state) >= 8) return put_transition_tail(st, o, v);
    if (st->tail_pause) { /* the table rests (see below) */
        st->tail_pause--;
        return put_transition_tail(st, o, v);
    }
    const uint8_t *p = t->reason.p;
    uint64_t ra = 0, rb = 0;
    if (n >= 8) {
        memcpy(&ra, p, 8);
        memcpy(&rb, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        ra = x;
        rb = y;
    } else if (n) {
        ra = (uint64_t)p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
    }
    uint64_t key = 1ull << 63 | (uint64_t)proc << 40 | (uint64_t)t->old_state << 32 | (uint64_t)t->new_state << 24 |
                   (uint64_t)n << 8 | (uint64_t)t->stack.present << 1 | (uint64_t)v->stack.present;
    uint64_t tstack = t->stack.present ? t->stack.id : 0, stack = v->stack.present ? v->stack.id : 0;
    uint64_t h = (key ^ ra ^ (rb << 1) ^ (tstack << 7) ^ (stack << 17) ^ stack) * 0x9e3779b97f4a7c15ull;
    struct gth_stream_tail *set = &st->tail[(h >> 56) & ~(uint64_t)1]; /* two entries, the newer first */
    for (int i = 0; i < 2; i++) {
        const struct gth_stream_tail *e = &set[i];
        if (!((e->key ^ key) | (e->reason[0] ^ ra) | (e->reason[1] ^ rb) | (e->stack ^ stack) | (e->tstack ^ tstack))) {
            if (need(o, e->len)) return -1;
            w_mem(o, st->tails.data + e->off, e->len);
            return 0;
        }
    }
    gth_buf *b = o->b;
    out_sync(o);
    size_t start = b->len;
    if (put_transition_tail(st, o, v)) return -1;
    out_sync(o);
    size_t len = b->len - start, off = st->tails.len;
    if (len > TAIL_MAX) return 0;
    if (off + len > TAIL_TOTAL_MAX) {
        /* So many different tails (generated traces) that the table costs
         * more than it saves: it starts again empty, after a rest. */
        tails_reset(st);
        st->tail_pause = TAIL_PAUSE;
        return 0;
    }
    /* Out of memory for the table: the line is right, but the failure is
     * reported (b->failed), as for the stack cache. */
    if (gth_buf_append(&st->tails, b->data + start, len)) {
        st->tails.len = off;
        st->tails.failed = 0;
        b->failed = 1;
        return -1;
    }
    set[1] = set[0];
    set[0] = (struct gth_stream_tail){key, {ra, rb}, stack, tstack, off, len};
    return 0;
}

static inline __attribute__((always_inline)) int put_line(gth_stream *st, out *o, const gth_view *v) {
    struct gth_stream_name tmp;
    const struct gth_stream_name *kn = &tmp;
    if (st && v->kind < GTH_KIND__COUNT) kn = &st->kinds[v->kind];
    else name_set(&tmp, gth_event_kind_name(v->kind));
    if (need(o, kn->n + 16 + 16 + 8 + 4 * NUM_MAX + 8 + NUM_MAX)) return -1; /* with a transition's id */
    uint8_t *w = o->w;
    if (st && v->time >= 10000) { /* the digits above 10^4 from the last time, when the same */
        uint64_t hi = (uint64_t)v->time / 10000;
        if (hi != st->time_hi || !st->time_hi_len) {
            st->time_hi = hi;
            st->time_hi_len = (size_t)(at_u64(st->time_hi_text, hi) - st->time_hi_text);
        }
        memcpy(w, st->time_hi_text, sizeof st->time_hi_text);
        w += st->time_hi_len;
        uint32_t lo = (uint32_t)((uint64_t)v->time - hi * 10000);
        uint32_t a = (lo * 5243) >> 19; /* lo / 100 */
        memcpy(w, digits2 + 2 * a, 2);
        memcpy(w + 2, digits2 + 2 * (lo - a * 100), 2);
        w += 4;
    } else {
        w = at_i64(w, v->time);
    }
    *w++ = ' ';
    w = at_name(w, kn);
    if (st) {
        struct gth_stream_thread *m = &st->m[0];
        if (v->m != m->m || !m->len) {
            m = &st->m[1];
            if (v->m != m->m || !m->len) {
                m = &st->m[st->m_next];
                st->m_next ^= 1;
                uint8_t *e = m->text;
                AT_LIT(e, " M=");
                m->len = (size_t)(at_i64(e, v->m) - m->text);
                m->m = v->m;
            }
        }
        memcpy(w, m->text, sizeof m->text);
        w += m->len;
    } else {
        AT_LIT(w, " M=");
        w = at_i64(w, v->m);
    }
    AT_LIT(w, " P=");
    w = at_i64(w, v->p);
    AT_LIT(w, " G=");
    w = at_i64(w, v->g);
    o->w = w;
    if (v->kind == GTH_KIND_STATE_TRANSITION) return put_transition(st, o, v); /* most lines; with the stack */
    switch (v->kind) {
    case GTH_KIND_SYNC:
        if (put_sync(o, &v->u.sync)) return -1;
        break;
    case GTH_KIND_METRIC:
        if (put_mem(o, " Name=", 6) || put_quoted(o, (const uint8_t *)v->u.metric.name, strlen(v->u.metric.name)) ||
            need(o, 8 + NUM_MAX))
            return -1;
        W_LIT(o, " Value=");
        w_u64(o, v->u.metric.value);
        break;
    case GTH_KIND_LABEL:
        if (put_mem(o, " Label=", 7) || put_quoted(o, v->u.label.label.p, v->u.label.label.n) ||
            put_mem(o, " Resource=", 10) || put_resource(o, v->u.label.resource))
            return -1;
        break;
    case GTH_KIND_RANGE_BEGIN:
    case GTH_KIND_RANGE_ACTIVE:
    case GTH_KIND_RANGE_END:
        if (put_mem(o, " Name=", 6) || put_quoted(o, v->u.range.name.p, v->u.range.name.n) ||
            put_mem(o, " Scope=", 7) || put_resource(o, v->u.range.scope))
            return -1;
        if (v->kind == GTH_KIND_RANGE_END) {
            if (put_mem(o, " Attributes=[", 13)) return -1;
            for (unsigned i = 0; i < v->u.range.nattrs; i++) {
                const char *name = v->u.range.attrs[i].name;
                if ((i && put_mem(o, " ", 1)) || put_quoted(o, (const uint8_t *)name, strlen(name)) ||
                    need(o, 1 + NUM_MAX))
                    return -1;
                w_c(o, '=');
                w_u64(o, v->u.range.attrs[i].value);
            }
            if (put_mem(o, "]", 1)) return -1;
        }
        break;
    case GTH_KIND_TASK_BEGIN:
    case GTH_KIND_TASK_END:
        if (need(o, 20 + 2 * NUM_MAX)) return -1;
        W_LIT(o, " ID=");
        w_u64(o, v->u.task.id);
        W_LIT(o, " Parent=");
        w_u64(o, v->u.task.parent);
        W_LIT(o, " Type=");
        if (put_quoted(o, v->u.task.type.p, v->u.task.type.n)) return -1;
        break;
    case GTH_KIND_REGION_BEGIN:
    case GTH_KIND_REGION_END:
        if (need(o, 16 + NUM_MAX)) return -1;
        W_LIT(o, " Task=");
        w_u64(o, v->u.region.task);
        W_LIT(o, " Type=");
        if (put_quoted(o, v->u.region.type.p, v->u.region.type.n)) return -1;
        break;
    case GTH_KIND_LOG:
        if (need(o, 16 + NUM_MAX)) return -1;
        W_LIT(o, " Task=");
        w_u64(o, v->u.log.task);
        W_LIT(o, " Category=");
        if (put_quoted(o, v->u.log.category.p, v->u.log.category.n) || put_mem(o, " Message=", 9) ||
            put_quoted(o, v->u.log.message.p, v->u.log.message.n))
            return -1;
        break;
    case GTH_KIND_EXPERIMENTAL: {
        const gth_experimental *x = &v->u.experimental;
        if (put_mem(o, " Name=", 6) || put_str(o, x->name) || put_mem(o, " Experiment=", 12) ||
            put_str(o, x->experiment) || put_mem(o, " Args=[", 7))
            return -1;
        for (unsigned i = 0; i < x->nargs; i++) {
            if ((i && put_mem(o, " ", 1)) || put_str(o, x->arg_names[i]) || need(o, 1 + NUM_MAX)) return -1;
            w_c(o, '=');
            w_u64(o, x->args[i]);
        }
        if (put_mem(o, "]", 1)) return -1;
        break;
    }
    default: break;
    }
    if (v->stack.present) return put_stack(st, o, " Stack=", 7, v, v->stack);
    return 0;
}

static __attribute__((noinline)) int line(gth_stream *st, gth_buf *b, const gth_view *v, int nl) {
    if (st && v->kind == GTH_KIND_SYNC) cache_reset(st);
    out o;
    if (b->failed || out_start(&o, b)) return -1;
    int rc = put_line(st, &o, v);
    if (!rc && nl) {
        if (need(&o, 1)) rc = -1;
        else w_c(&o, '\n');
    }
    out_sync(&o);
    return rc || b->failed ? -1 : 0;
}

int gth_stream_line(gth_stream *st, gth_buf *b, const gth_view *v) { return line(st, b, v, 0); }

int gth_stream_line_nl(gth_stream *st, gth_buf *b, const gth_view *v) { return line(st, b, v, 1); }
