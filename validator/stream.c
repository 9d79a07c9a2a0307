/* The canonical event-stream line of an event's API view (docs/EVENTS.md). */
#include "validator/stream.h"

#include <string.h>

#include "base/quote.h"

/* Room for the longest number any append below writes. */
#define NUM_MAX 24

/* Appends with the capacity check inline: this runs a few dozen times a line. */
static inline void lit(gth_buf *b, const void *s, size_t n) {
    if (b->cap - b->len >= n && !b->failed) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
    } else {
        gth_buf_append(b, s, n);
    }
}

static inline void put_c(gth_buf *b, char c) {
    if (b->len < b->cap && !b->failed) b->data[b->len++] = (uint8_t)c;
    else gth_buf_putc(b, c);
}
#define LIT(b, s) lit((b), (s), sizeof(s) - 1)

static inline void put_u64(gth_buf *b, uint64_t v) {
    if (b->cap - b->len < NUM_MAX && gth_buf_reserve(b, NUM_MAX)) return;
    char tmp[NUM_MAX];
    size_t n = 0;
    do {
        tmp[NUM_MAX - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(b->data + b->len, tmp + NUM_MAX - n, n);
    b->len += n;
}

static inline void put_i64(gth_buf *b, int64_t v) {
    if (v < 0) {
        put_c(b, '-');
        put_u64(b, 0 - (uint64_t)v);
    } else {
        put_u64(b, (uint64_t)v);
    }
}

static inline void put_hex(gth_buf *b, uint64_t v) {
    static const char dig[] = "0123456789abcdef";
    if (b->cap - b->len < NUM_MAX && gth_buf_reserve(b, NUM_MAX)) return;
    char tmp[NUM_MAX];
    size_t n = 0;
    do {
        tmp[NUM_MAX - 1 - n++] = dig[v & 15];
        v >>= 4;
    } while (v);
    memcpy(b->data + b->len, tmp + NUM_MAX - n, n);
    b->len += n;
}

static inline void put_quoted(gth_buf *b, const uint8_t *p, size_t n);
static inline void put_q(gth_buf *b, gth_bytes s) { put_quoted(b, s.p, s.n); }
static inline void put_qs(gth_buf *b, const char *s) { put_quoted(b, (const uint8_t *)s, strlen(s)); }

static void put_resource(gth_buf *b, gth_resource r) {
    switch (r.kind) {
    case GTH_RES_GOROUTINE: LIT(b, "Goroutine("); break;
    case GTH_RES_PROC: LIT(b, "Proc("); break;
    case GTH_RES_THREAD: LIT(b, "Thread("); break;
    default: LIT(b, "None"); return;
    }
    put_i64(b, r.id);
    put_c(b, ')');
}

/* Printable ASCII needs no escapes: copy it straight. */
static inline void put_quoted(gth_buf *b, const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') i++;
    if (i < n) {
        gth_quote_append(b, p, n);
        return;
    }
    put_c(b, '"');
    lit(b, p, n);
    put_c(b, '"');
}

int gth_stream_stack(gth_buf *b, const gth_view *v, gth_stack_ref s) {
    put_c(b, '[');
    long n = gth_view_stack_len(v, s);
    for (long i = 0; i < n; i++) {
        gth_frame f;
        if (gth_view_stack_frame(v, s, (size_t)i, &f)) break;
        if (i) LIT(b, ", ");
        put_quoted(b, f.func, f.func_len);
        LIT(b, "@0x");
        put_hex(b, f.pc);
        put_c(b, ' ');
        put_quoted(b, f.file, f.file_len);
        put_c(b, ':');
        put_u64(b, f.line);
    }
    put_c(b, ']');
    return b->failed ? -1 : 0;
}

/* ---- The stack cache ------------------------------------------------------------- */

#define CACHE_STACK_MAX 4096         /* longer stacks are printed every time */
#define CACHE_TOTAL_MAX (16u << 20) /* then the cache stops growing until the next Sync */

void gth_stream_init(gth_stream *s, const gth_allocator *a) {
    memset(s, 0, sizeof *s);
    s->a = a ? a : gth_default_allocator();
    gth_hmap_init(&s->idx, s->a);
    gth_buf_init(&s->text, s->a);
}

void gth_stream_free(gth_stream *s) {
    gth_hmap_free(&s->idx);
    gth_free(s->a, s->spans, s->spans_cap * sizeof *s->spans);
    gth_buf_free(&s->text);
    s->spans = NULL;
    s->nspans = s->spans_cap = 0;
}

static void cache_reset(gth_stream *s) {
    gth_hmap_clear(&s->idx);
    s->nspans = 0;
    s->text.len = 0;
    s->text.failed = 0;
}

/* Appends stack st, from the cache when it is there. */
static void put_stack(gth_stream *s, gth_buf *b, const gth_view *v, gth_stack_ref st) {
    if (!s || st.id == 0) {
        gth_stream_stack(b, v, st);
        return;
    }
    uint32_t *i = gth_hmap_get(&s->idx, st.id);
    if (i) {
        lit(b, s->text.data + s->spans[*i].off, s->spans[*i].len);
        return;
    }
    size_t start = b->len;
    gth_stream_stack(b, v, st);
    size_t n = b->len - start;
    if (b->failed || n > CACHE_STACK_MAX || s->text.len + n > CACHE_TOTAL_MAX) return;
    /* Out of memory for the cache: the line is right, but the failure is
     * reported like any other (b->failed), not hidden. */
    void *p = s->spans;
    if (gth_grow(s->a, &p, &s->spans_cap, s->nspans + 1, sizeof *s->spans)) {
        b->failed = 1;
        return;
    }
    s->spans = p;
    size_t off = s->text.len;
    if (gth_buf_append(&s->text, b->data + start, n)) {
        s->text.len = off;
        s->text.failed = 0;
        b->failed = 1;
        return;
    }
    if (gth_hmap_put(&s->idx, st.id, (uint32_t)s->nspans)) {
        s->text.len = off;
        b->failed = 1;
        return;
    }
    s->spans[s->nspans++] = (struct gth_stream_span){off, n};
}

static void put_sync(gth_buf *b, const gth_sync *s) {
    LIT(b, " N=");
    put_i64(b, (int64_t)s->n);
    if (s->has_clock) {
        LIT(b, " Trace=");
        put_i64(b, s->clock.trace);
        LIT(b, " Mono=");
        put_u64(b, s->clock.mono);
        LIT(b, " Wall=");
        put_i64(b, s->clock.wall_sec);
        put_c(b, '.');
        char digits[9];
        int64_t ns = s->clock.wall_nsec;
        for (int i = 8; i >= 0; i--) {
            digits[i] = (char)('0' + ns % 10);
            ns /= 10;
        }
        lit(b, digits, 9);
    }
    if (s->nbatches == 0) return;
    /* All batches belong to the one known experiment (the view rejects the
     * others), so Go's name-sorted order is their file order. */
    LIT(b, " Batches=[");
    for (size_t i = 0; i < s->nbatches; i++) {
        if (i) put_c(b, ' ');
        LIT(b, "AllocFree:");
        put_i64(b, (int64_t)s->batches[i].m);
        put_c(b, ':');
        put_u64(b, s->batches[i].len);
    }
    put_c(b, ']');
}

static void put_transition(gth_stream *st, gth_buf *b, const gth_view *v) {
    const gth_transition *t = &v->u.transition;
    if (t->resource.kind == GTH_RES_GOROUTINE) {
        LIT(b, " GoID=");
        put_i64(b, t->resource.id);
        put_c(b, ' ');
        lit(b, gth_go_state_name(t->old_state), strlen(gth_go_state_name(t->old_state)));
        LIT(b, "->");
        lit(b, gth_go_state_name(t->new_state), strlen(gth_go_state_name(t->new_state)));
    } else {
        LIT(b, " ProcID=");
        put_i64(b, t->resource.id);
        put_c(b, ' ');
        lit(b, gth_proc_state_name(t->old_state), strlen(gth_proc_state_name(t->old_state)));
        LIT(b, "->");
        lit(b, gth_proc_state_name(t->new_state), strlen(gth_proc_state_name(t->new_state)));
    }
    LIT(b, " Reason=");
    put_q(b, t->reason);
    if (t->stack.present) {
        LIT(b, " TransitionStack=");
        put_stack(st, b, v, t->stack);
    }
}

int gth_stream_line(gth_stream *st, gth_buf *b, const gth_view *v) {
    if (st && v->kind == GTH_KIND_SYNC) cache_reset(st);
    put_i64(b, v->time);
    put_c(b, ' ');
    const char *kn = gth_event_kind_name(v->kind);
    lit(b, kn, strlen(kn));
    LIT(b, " M=");
    put_i64(b, v->m);
    LIT(b, " P=");
    put_i64(b, v->p);
    LIT(b, " G=");
    put_i64(b, v->g);
    switch (v->kind) {
    case GTH_KIND_SYNC: put_sync(b, &v->u.sync); break;
    case GTH_KIND_METRIC:
        LIT(b, " Name=");
        put_qs(b, v->u.metric.name);
        LIT(b, " Value=");
        put_u64(b, v->u.metric.value);
        break;
    case GTH_KIND_LABEL:
        LIT(b, " Label=");
        put_q(b, v->u.label.label);
        LIT(b, " Resource=");
        put_resource(b, v->u.label.resource);
        break;
    case GTH_KIND_RANGE_BEGIN:
    case GTH_KIND_RANGE_ACTIVE:
    case GTH_KIND_RANGE_END:
        LIT(b, " Name=");
        put_q(b, v->u.range.name);
        LIT(b, " Scope=");
        put_resource(b, v->u.range.scope);
        if (v->kind == GTH_KIND_RANGE_END) {
            LIT(b, " Attributes=[");
            for (unsigned i = 0; i < v->u.range.nattrs; i++) {
                if (i) put_c(b, ' ');
                put_qs(b, v->u.range.attrs[i].name);
                put_c(b, '=');
                put_u64(b, v->u.range.attrs[i].value);
            }
            put_c(b, ']');
        }
        break;
    case GTH_KIND_TASK_BEGIN:
    case GTH_KIND_TASK_END:
        LIT(b, " ID=");
        put_u64(b, v->u.task.id);
        LIT(b, " Parent=");
        put_u64(b, v->u.task.parent);
        LIT(b, " Type=");
        put_q(b, v->u.task.type);
        break;
    case GTH_KIND_REGION_BEGIN:
    case GTH_KIND_REGION_END:
        LIT(b, " Task=");
        put_u64(b, v->u.region.task);
        LIT(b, " Type=");
        put_q(b, v->u.region.type);
        break;
    case GTH_KIND_LOG:
        LIT(b, " Task=");
        put_u64(b, v->u.log.task);
        LIT(b, " Category=");
        put_q(b, v->u.log.category);
        LIT(b, " Message=");
        put_q(b, v->u.log.message);
        break;
    case GTH_KIND_STATE_TRANSITION: put_transition(st, b, v); break;
    case GTH_KIND_EXPERIMENTAL: {
        const gth_experimental *x = &v->u.experimental;
        LIT(b, " Name=");
        lit(b, x->name, strlen(x->name));
        LIT(b, " Experiment=");
        lit(b, x->experiment, strlen(x->experiment));
        LIT(b, " Args=[");
        for (unsigned i = 0; i < x->nargs; i++) {
            if (i) put_c(b, ' ');
            lit(b, x->arg_names[i], strlen(x->arg_names[i]));
            put_c(b, '=');
            put_u64(b, x->args[i]);
        }
        put_c(b, ']');
        break;
    }
    default: break;
    }
    if (v->stack.present) {
        LIT(b, " Stack=");
        put_stack(st, b, v, v->stack);
    }
    return b->failed ? -1 : 0;
}
