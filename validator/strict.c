/* strict: producer rules Go's reader and test validator do not check (strict.h,
 * docs/STRICT.md). */
#include "validator/strict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format/decode.h"
#include "format/text.h"
#include "format/varint.h"
#include "spec/invariants.h"
#include "spec/spec.h"
#include "validator/hmap.h"
#include "validator/internal.h"
#include "validator/stream.h"

/* Clock snapshots closer than this in monotonic time are not compared: the
 * runtime reads the two clocks one after the other, and a thread descheduled
 * between the reads skews a short interval by more than the tolerance. */
#define CLOCK_MIN_INTERVAL_NS 1000000000.0
#define CLOCK_TOLERANCE 0.10

/* What a generation said of a goroutine: a status event, a creation, a status
 * written by the generation's end (in a batch without a thread), and an event
 * naming it as the one to start or wake. */
enum { G_STATUS = 1, G_CREATED = 2, G_END = 4, G_NAMED = 8 };
enum { B_NONE, B_UNKNOWN, B_REGULAR, B_OTHER };

/* What the ordered pass does with an event code: O_EVENTS, a delivered event
 * it looks at; O_DESCRIBED, checked by strict.status-missing (not an
 * experimental one); O_OWN, one that check_described handles itself (a status,
 * a creation, an Active event); O_NOG and O_NOP, one whose goroutine or proc
 * that rule leaves out; O_GC, a GC event; O_STACK * i, its own stack is
 * ev->args[i - 1]. */
enum { O_EVENTS = 1, O_DESCRIBED = 2, O_OWN = 4, O_NOG = 8, O_NOP = 16, O_GC = 32, O_STACK = 64 };

/* What the wire pass does with an event of a regular batch: W_DT, its first
 * argument is a time delta; W_ARG1, it has a second argument (the thread's
 * previous event's, for the next one); W_CASE, on_case has a case for it;
 * W_GOROUTINE, an argument names a goroutine (the first is gfirst), W_GMORE,
 * more than one does; W_TASK, it names a task. */
enum { W_DT = 1, W_ARG1 = 2, W_CASE = 4, W_GOROUTINE = 8, W_GMORE = 16, W_TASK = 32 };
/* wfast: what the wire pass checks inline of an event of a regular batch
 * besides its time delta (regular_rules otherwise): nothing, with no second
 * argument (F_PLAIN0) or one (F_PLAIN1); that its goroutine was named before
 * (F_NAMED: GoStart, GoUnblock); that its reason was checked before (F_BLOCK:
 * GoBlock). */
enum { F_RULES, F_PLAIN0, F_PLAIN1, F_NAMED, F_BLOCK };
/* wnargs: not an event the wire pass walks itself (the decoder does). */
#define WN_DECODER 0xFFu
/* Bytes an event takes at most when the wire pass walks it: a code and
 * GTH_MAX_ARGS varints of at most ten bytes. */
#define WALK_ROOM (1 + 10 * GTH_MAX_ARGS)
/* String ids below this have their srefseen bits in an array. */
#define SREF_SMALL 4096u

/* A thread's last event of a batch, for its next batch in the generation. */
typedef struct mprev {
    uint64_t arg;
    uint8_t code;
} mprev;

/* A wire event kept for a check made at the end of its generation. */
typedef struct wevent {
    uint64_t off, m;
    int32_t batch, index;
    uint8_t code;
    uint64_t args[GTH_MAX_ARGS];
} wevent;

/* Where the events the ordered pass may report stand, to locate its findings
 * (delivered events carry no batch or event index). Per run of such events in
 * one batch: its generation, batch index and the offset of its first event;
 * per event, 16 bits of offset from that one and 16 bits of index in the batch
 * (a batch payload is at most 64 KiB and an event takes two bytes at least; a
 * run is split when either would not fit). */
typedef struct crun {
    uint64_t base, gen;
    int32_t batch;
    uint32_t first; /* its first entry in cevents */
} crun;

/* A finding kept so far: the one at the smallest offset of its pass. */
typedef struct finding {
    int found;
    gth_error err;
    gth_buf text;
} finding;

/* A set of ids: a bitmap for the small ones, a map for the rest. */
#define DENSE_IDS 65536u
typedef struct idset {
    uint64_t bits[DENSE_IDS / 64];
    gth_hmap big;
    int any;
} idset;

struct gth_strict {
    const gth_allocator *a;
    gth_source src;
    int nomem;
    /* The source can be read at any offset: the reader reads it by pread,
     * holding little of it, and the wire pass reads it once more when the
     * events have been delivered (gth_strict_finish). Otherwise the wire pass
     * runs on the bytes as the reader reads them. */
    int seekable;
    uint64_t read_end; /* seekable: the end of the furthest bytes the reader read */
    int read_eof;      /* seekable: it met the end of the input */
    int wire_ran;
    gth_error wire_ioerr;
    int wire_failed;
    int have_peek;
    uint64_t peek_gen; /* seekable: the first batch's generation, for the ordered pass */

    /* Wire pass. */
    gth_decoder dec;
    gth_buf pend; /* read bytes of a batch the decoder could not finish yet */
    int wire_done;
    int have_gen, in_gen;
    uint64_t gen, first_gen;
    int bclass;
    uint64_t bm, btime;
    int32_t nregular, bidx, evidx;
    uint8_t gsmall[DENSE_IDS]; /* goroutine -> G_* seen in this generation, for ids below DENSE_IDS */
    uint64_t gsmall_end;       /* one past the largest id set there */
    gth_hmap gstat;  /* goroutine -> G_* seen in this generation, for the other ids */
    uint16_t gargs[256]; /* per event code: bit i if argument i names a goroutine */
    uint16_t ocls[256];  /* per event code: O_* for the ordered pass */
    uint8_t wcls[256];   /* per event code: W_* for the wire pass */
    uint8_t wnargs[256]; /* per event code: its argument count, or WN_DECODER */
    uint8_t gfirst[256]; /* per event code: its first argument naming a goroutine */
    uint8_t wfast[256];  /* per event code: F_* */
    gth_hmap pstat;  /* proc -> 1 if it had a status */
    gth_hmap frames; /* stack id -> frame count */
    gth_hmap cstack; /* new-goroutine stack id -> 1 once queued in creates */
    gth_buf creates; /* wevent: GoCreate* to check when the stack table is known */
    int have_freq;
    uint64_t freq, freq_gen;
    int have_snap;
    uint64_t snap_ticks, snap_mono;
    uint8_t prev_code; /* the thread's previous event (GoLabel follows GoStart) */
    uint64_t prev_arg; /* and its first argument after the time */
    gth_buf mprev;     /* mprev: each thread's last event in an earlier batch */
    /* The generation's string table and the events whose string arguments
     * are checked once it is complete. */
    gth_buf sdata;  /* the strings' bytes */
    gth_buf srecs;  /* srec, in file order */
    gth_hmap sidx;  /* string id -> index in srecs */
    gth_hmap mlast; /* thread -> its entry in mprev */
    gth_hmap logid; /* string id -> 1: a UserLog message (end of generation) */
    gth_hmap shash; /* content hash -> index in srecs (end of generation) */
    gth_buf srefs;  /* wevent: UserLog, and the first GoBlock, GoStop, STWBegin and GoLabel of each string */
    gth_hmap srefseen; /* string id -> bit per code (sref_bit) already in srefs, for ids from SREF_SMALL */
    uint8_t srefsmall[SREF_SMALL]; /* the same for the smaller ids */
    uint64_t srefsmall_end;        /* one past the largest id set there */
    wevent stk_max; /* the Stack entry with the largest id */
    int have_procs;
    wevent procs; /* the generation's smallest ProcsChange */
    unsigned producer; /* minor version of the named producer release, or 0 */

    /* Ordered pass. */
    int gc_seen;
    uint64_t delivered_gen;
    idset gdesc; /* goroutines described or created in the delivered generation */
    idset pdesc; /* procs described in the delivered generation */
    /* Not seekable: where every event of the wire pass stands, for the
     * findings of the ordered pass (which come later). */
    gth_buf cruns;   /* crun, in file order */
    gth_buf cevents; /* uint32_t: offset from the run's base | index << 16 */
    size_t crun_head;
    int crun_open; /* the current batch has a run */
    gth_buf line;

    /* The findings at the smallest offset so far, of the wire pass and of the
     * ordered pass. Seekable, the ordered pass's finding is located (batch,
     * event index) by the wire pass that follows it. */
    finding wire, ord;
};

gth_strict *gth_strict_new(const gth_allocator *a) {
    if (!a) a = gth_default_allocator();
    gth_strict *s = gth_calloc(a, 1, sizeof *s);
    if (!s) return NULL;
    s->a = a;
    gth_decoder_init(&s->dec, a, GTH_DEC_FULL_TABLE, 0);
    gth_buf_init(&s->pend, a);
    gth_buf_init(&s->creates, a);
    gth_buf_init(&s->cruns, a);
    gth_buf_init(&s->cevents, a);
    gth_buf_init(&s->line, a);
    gth_buf_init(&s->wire.text, a);
    gth_buf_init(&s->ord.text, a);
    gth_hmap_init(&s->srefseen, a);
    gth_buf_init(&s->sdata, a);
    gth_buf_init(&s->mprev, a);
    gth_buf_init(&s->srecs, a);
    gth_buf_init(&s->srefs, a);
    gth_hmap_init(&s->sidx, a);
    gth_hmap_init(&s->mlast, a);
    gth_hmap_init(&s->logid, a);
    gth_hmap_init(&s->shash, a);
    gth_hmap_init(&s->gdesc.big, a);
    gth_hmap_init(&s->pdesc.big, a);
    gth_hmap_init(&s->gstat, a);
    gth_hmap_init(&s->pstat, a);
    gth_hmap_init(&s->frames, a);
    gth_hmap_init(&s->cstack, a);
    gth_error_clear(&s->wire.err);
    gth_error_clear(&s->ord.err);
    for (unsigned c = 0; c < 256; c++) {
        const gth_event_spec *sp = gth_spec_event((uint8_t)c);
        for (unsigned i = 1; sp && i < sp->nargs; i++)
            if (sp->args[i].kind == GTH_K_GOROUTINE) s->gargs[c] |= (uint16_t)(1u << i);
        /* The decoder's table (GTH_DEC_FULL_TABLE): what it decodes as an
         * event of a batch's payload without frames or data, the wire pass
         * can walk itself. */
        s->wnargs[c] = sp && sp->where != GTH_W_BATCH && !(sp->flags & (GTH_F_FRAMES | GTH_F_DATA))
                           ? (uint8_t)sp->nargs
                           : (uint8_t)WN_DECODER;
        unsigned w = 0;
        if (sp && sp->nargs && sp->args[0].kind == GTH_K_DT) w |= W_DT;
        if (sp && sp->nargs > 1) w |= W_ARG1;
        if (s->gargs[c]) {
            w |= W_GOROUTINE;
            while (!(s->gargs[c] >> s->gfirst[c] & 1u)) s->gfirst[c]++;
            if (s->gargs[c] & ~(1u << s->gfirst[c])) w |= W_GMORE;
        }
        if (c == GTH_EV_UserTaskBegin || c == GTH_EV_UserTaskEnd) w |= W_TASK;
        switch (c) {
        case GTH_EV_GoStatus:
        case GTH_EV_GoStatusStack:
        case GTH_EV_ProcStatus:
        case GTH_EV_GoCreate:
        case GTH_EV_GoCreateBlocked:
        case GTH_EV_GoStart:
        case GTH_EV_GoUnblock:
        case GTH_EV_GoSwitch:
        case GTH_EV_GoSwitchDestroy:
        case GTH_EV_GoLabel:
        case GTH_EV_GoBlock:
        case GTH_EV_GoStop:
        case GTH_EV_STWBegin:
        case GTH_EV_UserLog:
        case GTH_EV_GCSweepActive:
        case GTH_EV_GCMarkAssistActive:
        case GTH_EV_ProcsChange: w |= W_CASE; break;
        default: break;
        }
        s->wcls[c] = (uint8_t)w;
        if (!(w & W_DT)) s->wfast[c] = F_RULES;
        else if (c == GTH_EV_GoStart || c == GTH_EV_GoUnblock) s->wfast[c] = F_NAMED;
        else if (c == GTH_EV_GoBlock) s->wfast[c] = F_BLOCK;
        else if (!(w & (W_CASE | W_GOROUTINE | W_TASK))) s->wfast[c] = (w & W_ARG1) ? F_PLAIN1 : F_PLAIN0;
        if (!sp || sp->where != GTH_W_EVENTS) continue;
        unsigned k = O_EVENTS;
        if (sp->experiment == GTH_EXP_NONE) k |= O_DESCRIBED;
        switch (c) {
        case GTH_EV_GoStatus:
        case GTH_EV_GoStatusStack:
        case GTH_EV_ProcStatus:
        case GTH_EV_GoCreateSyscall:
        case GTH_EV_GoCreate:
        case GTH_EV_GoCreateBlocked:
        case GTH_EV_GCSweepActive:
        case GTH_EV_GCMarkAssistActive: k |= O_OWN; break;
        case GTH_EV_GoSwitchDestroy: k |= O_NOG; break;
        case GTH_EV_GoDestroySyscall:
        case GTH_EV_GoSyscallEndBlocked: k |= O_NOP; break;
        default: break;
        }
        if (c == GTH_EV_GCActive || c == GTH_EV_GCBegin || c == GTH_EV_GCEnd) k |= O_GC;
        for (unsigned i = 1; i < sp->nargs && i <= 4; i++)
            if (sp->stack_mask >> i & 1u) k = (k & (O_STACK - 1)) | O_STACK * i;
        s->ocls[c] = (uint16_t)k;
    }
    return s;
}

void gth_strict_free(gth_strict *s) {
    if (!s) return;
    gth_decoder_free(&s->dec);
    gth_buf_free(&s->pend);
    gth_buf_free(&s->creates);
    gth_buf_free(&s->cruns);
    gth_buf_free(&s->cevents);
    gth_buf_free(&s->line);
    gth_buf_free(&s->wire.text);
    gth_buf_free(&s->ord.text);
    gth_hmap_free(&s->srefseen);
    gth_buf_free(&s->sdata);
    gth_buf_free(&s->mprev);
    gth_buf_free(&s->srecs);
    gth_buf_free(&s->srefs);
    gth_hmap_free(&s->sidx);
    gth_hmap_free(&s->mlast);
    gth_hmap_free(&s->logid);
    gth_hmap_free(&s->shash);
    gth_hmap_free(&s->gdesc.big);
    gth_hmap_free(&s->pdesc.big);
    gth_hmap_free(&s->gstat);
    gth_hmap_free(&s->pstat);
    gth_hmap_free(&s->frames);
    gth_hmap_free(&s->cstack);
    gth_free(s->a, s, sizeof *s);
}

/* ---- Findings ------------------------------------------------------------------------- */

/* Keeps a finding if it stands before the one kept so far. The event text is
 * in s->line. */
static void vfound(gth_strict *s, finding *f, unsigned inv, uint64_t off, uint64_t gen, uint64_t m, int64_t batch,
                   int64_t index, const char *fmt, va_list ap) __attribute__((format(printf, 9, 0)));
static void vfound(gth_strict *s, finding *f, unsigned inv, uint64_t off, uint64_t gen, uint64_t m, int64_t batch,
                   int64_t index, const char *fmt, va_list ap) {
    if (f->found && f->err.offset <= off) return;
    f->found = 1;
    gth_error_clear(&f->err);
    gth_error_vset(&f->err, GTH_EINVALID, fmt, ap);
    f->err.inv = (int)inv;
    f->err.offset = off;
    f->err.gen = gen;
    f->err.m = m;
    f->err.batch = batch;
    f->err.event = index;
    size_t n = s->line.len;
    while (n && (s->line.data[n - 1] == '\n')) n--; /* Go's text format ends lines */
    f->text.len = 0;
    if (gth_buf_append(&f->text, s->line.data, n)) s->nomem = 1;
}

/* A finding of the wire pass. */
static void found(gth_strict *s, unsigned inv, uint64_t off, uint64_t gen, uint64_t m, int64_t batch,
                  int64_t index, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
static void found(gth_strict *s, unsigned inv, uint64_t off, uint64_t gen, uint64_t m, int64_t batch,
                  int64_t index, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfound(s, &s->wire, inv, off, gen, m, batch, index, fmt, ap);
    va_end(ap);
}

/* A finding about the wire event ev of the current batch. */
#define WIRE_FOUND(s, inv, ev, ...)                                                                  \
    do {                                                                                             \
        (s)->line.len = 0;                                                                           \
        if (gth_text_write_event(&(s)->line, (ev))) (s)->nomem = 1;                                  \
        found((s), (inv), (ev)->offset, (s)->gen, (s)->bm, (s)->bclass == B_REGULAR ? (s)->bidx : -1, \
              (s)->bclass == B_REGULAR ? (s)->evidx : -1, __VA_ARGS__);                              \
    } while (0)

static const char *tname(uint64_t m, char buf[32]) {
    if (m == GTH_NO_ID) return "no thread";
    snprintf(buf, 32, "thread %llu", (unsigned long long)m);
    return buf;
}


/* ---- Producer releases ---------------------------------------------------------------- */

/* The releases (minor versions) that may have written the trace: the named
 * one, or those that write its format (1.23's is written by Go 1.23 and 1.24,
 * 1.26's by Go 1.26 and 1.27). */
static void releases(const gth_strict *s, unsigned *lo, unsigned *hi) {
    if (s->producer) {
        *lo = *hi = s->producer;
        return;
    }
    switch (s->dec.minor) {
    case 22: *lo = 22, *hi = 22; break;
    case 23: *lo = 23, *hi = 24; break;
    case 25: *lo = 25, *hi = 25; break;
    case 26: *lo = 26, *hi = 27; break;
    default: *lo = GTH_STRICT_FIRST_RELEASE, *hi = GTH_STRICT_LAST_RELEASE; break;
    }
}

/* Whether some release that may have written the trace is in [from, to]. */
static int may(const gth_strict *s, unsigned from, unsigned to) {
    unsigned lo, hi;
    releases(s, &lo, &hi);
    return lo <= to && hi >= from;
}

int gth_strict_parse_producer(const char *text, unsigned *minor) {
    if (!strncmp(text, "go", 2)) text += 2;
    if (strncmp(text, "1.", 2)) return GTH_EUSAGE;
    text += 2;
    unsigned v = 0;
    int n = 0;
    while (*text >= '0' && *text <= '9' && n < 3) v = v * 10 + (unsigned)(*text++ - '0'), n++;
    if (!n || (*text && *text != '.')) return GTH_EUSAGE;
    if (*text == '.') {
        text++;
        if (!*text) return GTH_EUSAGE;
        while (*text >= '0' && *text <= '9') text++;
        if (*text) return GTH_EUSAGE;
    }
    if (v < GTH_STRICT_FIRST_RELEASE || v > GTH_STRICT_LAST_RELEASE) return GTH_EUSAGE;
    *minor = v;
    return GTH_OK;
}

void gth_strict_set_producer(gth_strict *s, unsigned minor) { s->producer = minor; }

/* ---- The runtime's vocabularies --------------------------------------------------------- */

/* A string the runtime writes for a reason or label, and the first release
 * that has it (every one still has it in 1.27). */
typedef struct word {
    const char *text;
    unsigned from;
} word;

/* traceBlockReasonStrings (GoBlock). */
static const word block_reasons[] = {
    {"unspecified", 22}, {"forever", 22}, {"network", 22}, {"select", 22}, {"sync.(*Cond).Wait", 22},
    {"sync", 22}, {"chan send", 22}, {"chan receive", 22}, {"GC mark assist wait for work", 22},
    {"GC background sweeper wait", 22}, {"system goroutine wait", 22}, {"preempted", 22},
    {"wait for debug call", 22}, {"wait until GC ends", 22}, {"sleep", 22}, {"GC weak to strong wait", 23},
    {"synctest", 24},
};
/* traceGoStopReasonStrings (GoStop). */
static const word stop_reasons[] = {{"unspecified", 22}, {"runtime.Gosched", 22}, {"preempted", 22}};
/* gcMarkWorkerModeStrings less "Not worker" (GoLabel: only for a mark worker). */
static const word mark_labels[] = {{"GC (dedicated)", 22}, {"GC (fractional)", 22}, {"GC (idle)", 22}};
/* stwReasonStrings (STWBegin). */
static const word stw_kinds[] = {
    {"unknown", 22}, {"GC mark termination", 22}, {"GC sweep termination", 22}, {"write heap dump", 22},
    {"goroutine profile", 22}, {"goroutine profile cleanup", 22}, {"all goroutines stack trace", 22},
    {"read mem stats", 22}, {"AllThreadsSyscall", 22}, {"GOMAXPROCS", 22}, {"start trace", 22},
    {"stop trace", 22}, {"CountPagesInUse (test)", 22}, {"ReadMetricsSlow (test)", 22},
    {"ReadMemStatsSlow (test)", 22}, {"PageCachePagesLeaked (test)", 22}, {"ResetDebugLog (test)", 22},
};

static int in_vocabulary(const gth_strict *s, const word *w, size_t n, const uint8_t *p, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (strlen(w[i].text) == len && !memcmp(w[i].text, p, len)) return may(s, w[i].from, GTH_STRICT_LAST_RELEASE);
    return 0;
}

/* ---- Wire pass ------------------------------------------------------------------------ */

static void push(gth_strict *s, gth_buf *b, const void *item, size_t n) {
    if (gth_buf_append(b, item, n)) s->nomem = 1;
}

static void put(gth_strict *s, gth_hmap *m, uint64_t k, uint32_t v) {
    if (gth_hmap_put(m, k, v)) s->nomem = 1;
}

/* A wire event kept for the end of its generation. */
static wevent keep_event(const gth_strict *s, const gth_raw_event *ev) {
    wevent w = {ev->offset, s->bm, s->bclass == B_REGULAR ? s->bidx : -1, s->bclass == B_REGULAR ? s->evidx : -1,
                ev->code, {0}};
    memcpy(w.args, ev->args, sizeof w.args);
    return w;
}

/* A finding about a kept event; its line is made here. */
static void kept_found(gth_strict *s, unsigned inv, const wevent *w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void kept_found(gth_strict *s, unsigned inv, const wevent *w, const char *fmt, ...) {
    if (s->wire.found && s->wire.err.offset <= w->off) return;
    gth_raw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.code = w->code;
    ev.spec = gth_spec_event(w->code);
    memcpy(ev.args, w->args, sizeof ev.args);
    s->line.len = 0;
    if (gth_text_write_event(&s->line, &ev)) s->nomem = 1;
    va_list ap;
    va_start(ap, fmt);
    vfound(s, &s->wire, inv, w->off, s->gen, w->m, w->batch, w->index, fmt, ap);
    va_end(ap);
}

/* A string of the generation's table. */
typedef struct srec {
    uint64_t id, off;
    size_t at, len; /* its bytes in sdata */
} srec;

static const srec *string_rec(const gth_strict *s, uint64_t id) {
    const uint32_t *i = gth_hmap_get(&s->sidx, id);
    return i ? (const srec *)(const void *)s->srecs.data + *i : NULL;
}

/* A finding about a String entry. */
static void string_found(gth_strict *s, unsigned inv, const srec *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void string_found(gth_strict *s, unsigned inv, const srec *r, const char *fmt, ...) {
    if (s->wire.found && s->wire.err.offset <= r->off) return;
    gth_raw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.code = GTH_EV_String;
    ev.spec = gth_spec_event(GTH_EV_String);
    ev.args[0] = r->id;
    ev.data = s->sdata.data ? s->sdata.data + r->at : (const uint8_t *)"";
    ev.data_len = r->len;
    s->line.len = 0;
    if (gth_text_write_event(&s->line, &ev)) s->nomem = 1;
    va_list ap;
    va_start(ap, fmt);
    vfound(s, &s->wire, inv, r->off, s->gen, GTH_NO_ID, -1, -1, fmt, ap);
    va_end(ap);
}

static uint64_t fnv(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* What an event's string argument must be, and the rule and runtime code
 * behind it. */
static const struct vocabulary {
    uint8_t code;
    unsigned inv;
    const word *words;
    size_t n;
    const char *what, *why;
} vocabularies[] = {
    {GTH_EV_GoBlock, GTH_INV_STRICT_BLOCK_REASON, block_reasons, sizeof block_reasons / sizeof *block_reasons,
     "GoBlock reason",
     "is not in the traceBlockReasonStrings of the releases that write this trace; traceLocker.GoPark names only "
     "those"},
    {GTH_EV_GoStop, GTH_INV_STRICT_STOP_REASON, stop_reasons, sizeof stop_reasons / sizeof *stop_reasons,
     "GoStop reason", "is not in traceGoStopReasonStrings; traceLocker.GoStop names only those"},
    {GTH_EV_STWBegin, GTH_INV_STRICT_STW_REASON, stw_kinds, sizeof stw_kinds / sizeof *stw_kinds, "STWBegin kind",
     "is not in stwReasonStrings; traceLocker.STWStart writes stwReason.String()"},
    {GTH_EV_GoLabel, GTH_INV_STRICT_LABEL, mark_labels, sizeof mark_labels / sizeof *mark_labels, "GoLabel",
     "is not a GC mark worker mode of gcMarkWorkerModeStrings; traceLocker.GoStart labels only mark workers"},
};

/* The reasons and labels that events name, against the runtime's tables. */
static void check_vocabulary(gth_strict *s) {
    const wevent *w = (const wevent *)(const void *)s->srefs.data;
    size_t n = s->srefs.len / sizeof *w;
    for (size_t i = 0; i < n; i++) {
        const struct vocabulary *v = NULL;
        for (size_t k = 0; k < sizeof vocabularies / sizeof *vocabularies; k++)
            if (vocabularies[k].code == w[i].code) v = &vocabularies[k];
        const srec *r = v ? string_rec(s, w[i].args[1]) : NULL;
        if (!r) continue; /* a missing string is the reader's finding */
        const uint8_t *p = s->sdata.data + r->at;
        if (!in_vocabulary(s, v->words, v->n, p, r->len))
            kept_found(s, v->inv, &w[i], "%s \"%.*s\" %s", v->what, (int)(r->len > 200 ? 200 : r->len),
                       (const char *)p, v->why);
    }
}

/* The string table as the runtime's traceStringTable builds it. */
static void check_strings(gth_strict *s) {
    const wevent *w = (const wevent *)(const void *)s->srefs.data;
    size_t nw = s->srefs.len / sizeof *w;
    for (size_t i = 0; i < nw; i++) {
        if (w[i].code != GTH_EV_UserLog || w[i].args[3] == 0) continue;
        if (gth_hmap_get(&s->logid, w[i].args[3]))
            kept_found(s, GTH_INV_STRICT_LOG_MESSAGE, &w[i],
                       "UserLog message string %llu is another UserLog's message too; traceStringTable.emit gives "
                       "every message an id of its own (traceMap.stealID)",
                       (unsigned long long)w[i].args[3]);
        put(s, &s->logid, w[i].args[3], 1);
    }
    const srec *r = (const srec *)(const void *)s->srecs.data;
    size_t n = s->srecs.len / sizeof *r;
    unsigned lo, hi;
    releases(s, &lo, &hi);
    uint64_t maxid = 0;
    const srec *maxrec = NULL;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = s->sdata.data ? s->sdata.data + r[i].at : NULL;
        int log = gth_hmap_get(&s->logid, r[i].id) != NULL;
        if (r[i].id > maxid) maxid = r[i].id, maxrec = &r[i];
        if (r[i].len == 0) {
            /* put gives the empty string id 0 without an entry; before Go 1.26,
             * emit (a UserLog message) wrote an entry for it. */
            if (!log || !may(s, 22, 25))
                string_found(s, GTH_INV_STRICT_STRING_EMPTY, &r[i],
                             "string %llu is empty; traceStringTable.put gives the empty string id 0 without an "
                             "entry%s",
                             (unsigned long long)r[i].id,
                             may(s, 22, 25) ? ", and only traceStringTable.emit (a UserLog message) writes one"
                                            : ", and from Go 1.26 so does traceStringTable.emit");
            continue;
        }
        if (log) continue; /* emit takes a fresh id for each message */
        /* Before Go 1.27 a string is truncated only when written, so two long
         * strings that differ past the limit are written the same. */
        if (r[i].len == GTH_STRICT_MAX_STRING && may(s, 22, 26)) continue;
        uint64_t h = fnv(p, r[i].len);
        const uint32_t *first = gth_hmap_get(&s->shash, h);
        if (!first) {
            put(s, &s->shash, h, (uint32_t)i);
            continue;
        }
        const srec *f = &r[*first];
        if (f->len == r[i].len && !memcmp(s->sdata.data + f->at, p, r[i].len))
            string_found(s, GTH_INV_STRICT_STRING_DUP, &r[i],
                         "string %llu repeats string %llu of the same generation; traceStringTable.put gives "
                         "each distinct string one id per generation (traceMap deduplicates)",
                         (unsigned long long)r[i].id, (unsigned long long)f->id);
    }
    /* Go 1.22's traceMap assigns ids under a lock, one per entry, from 1. */
    if (hi <= 22 && maxrec && maxid != n)
        string_found(s, GTH_INV_STRICT_TABLE_IDS, maxrec,
                     "generation %llu has %zu strings but string id %llu; Go 1.22's traceMap.put and stealID "
                     "number a generation's strings 1, 2, 3, ... without gaps",
                     (unsigned long long)s->gen, n, (unsigned long long)maxid);
    (void)lo;
}

/* Every proc below the generation's smallest ProcsChange value has a status. */
static void check_procs(gth_strict *s) {
    if (!s->have_procs) return;
    uint64_t p = 0;
    while (p < s->procs.args[1] && gth_hmap_get(&s->pstat, p)) p++;
    if (p < s->procs.args[1])
        kept_found(s, GTH_INV_STRICT_PROC_STATUS_GEN, &s->procs,
                   "proc %llu has no ProcStatus in generation %llu although GOMAXPROCS is never below %llu in "
                   "it; traceAdvance writes a status for every P (forEachP, writeProcStatusForP) in every "
                   "generation",
                   (unsigned long long)p, (unsigned long long)s->gen, (unsigned long long)s->procs.args[1]);
}

/* The generation's end: its tables are complete, so the start stacks of the
 * goroutines it created can be counted and the strings events name read. */
static void end_gen(gth_strict *s) {
    if (!s->in_gen) return;
    const wevent *w = (const wevent *)(const void *)s->creates.data;
    size_t n = s->creates.len / sizeof *w;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = w[i].args[2];
        const uint32_t *nf = gth_hmap_get(&s->frames, id);
        if (!nf || *nf == 1) continue; /* a missing stack is the reader's finding */
        kept_found(s, GTH_INV_STRICT_CREATE_STACK, &w[i],
                   "%s gives new goroutine %llu start stack %llu of %u frames; traceLocker.startPC records "
                   "exactly one, the start PC",
                   gth_spec_event(w[i].code)->name, (unsigned long long)w[i].args[1], (unsigned long long)id, *nf);
    }
    if (!s->nomem) {
        check_vocabulary(s);
        check_strings(s);
        check_procs(s);
    }
    unsigned lo, hi;
    releases(s, &lo, &hi);
    if (!s->nomem && s->frames.len && s->stk_max.args[0] != s->frames.len && hi <= 22)
        kept_found(s, GTH_INV_STRICT_TABLE_IDS, &s->stk_max,
                   "generation %llu has %zu stacks but stack id %llu; Go 1.22's traceMap.put numbers a "
                   "generation's stacks 1, 2, 3, ... without gaps",
                   (unsigned long long)s->gen, s->frames.len, (unsigned long long)s->stk_max.args[0]);
    s->creates.len = 0;
    s->srefs.len = 0;
    s->sdata.len = 0;
    s->srecs.len = 0;
    s->have_procs = 0;
    s->stk_max.args[0] = 0;
    gth_hmap_clear(&s->sidx);
    gth_hmap_clear(&s->mlast);
    s->mprev.len = 0;
    gth_hmap_clear(&s->logid);
    gth_hmap_clear(&s->shash);
    gth_hmap_clear(&s->gstat);
    memset(s->gsmall, 0, s->gsmall_end);
    s->gsmall_end = 0;
    gth_hmap_clear(&s->pstat);
    gth_hmap_clear(&s->frames);
    gth_hmap_clear(&s->cstack);
    gth_hmap_clear(&s->srefseen);
    memset(s->srefsmall, 0, s->srefsmall_end);
    s->srefsmall_end = 0;
    s->in_gen = 0;
}

static void enter_gen(gth_strict *s, uint64_t gen, const gth_raw_event *ev) {
    if (s->in_gen && gen == s->gen) return;
    end_gen(s);
    uint64_t prev = s->gen;
    int had = s->have_gen;
    if (!had) s->first_gen = gen;
    s->gen = gen;
    s->have_gen = s->in_gen = 1;
    s->nregular = 0;
    if (had && gen != prev && gen != prev + 1) {
        s->bclass = B_NONE;
        WIRE_FOUND(s, GTH_INV_STRICT_GEN_CONTIGUOUS, ev,
                   "generation %llu follows generation %llu; the runtime numbers generations consecutively",
                   (unsigned long long)gen, (unsigned long long)prev);
    }
}

static void on_frequency(gth_strict *s, const gth_raw_event *ev) {
    uint64_t f = ev->args[0];
    if (!s->have_freq) {
        s->have_freq = 1;
        s->freq = f;
        s->freq_gen = s->gen;
        return;
    }
    if (f != s->freq)
        WIRE_FOUND(s, GTH_INV_STRICT_FREQUENCY, ev,
                   "frequency %llu differs from %llu in generation %llu; the runtime measures its clock's "
                   "frequency once per process",
                   (unsigned long long)f, (unsigned long long)s->freq, (unsigned long long)s->freq_gen);
}

static void on_clock(gth_strict *s, const gth_raw_event *ev) {
    uint64_t ticks = s->btime + ev->args[0], mono = ev->args[1];
    if (s->have_snap && s->have_freq && s->freq != 0 && mono > s->snap_mono && ticks > s->snap_ticks) {
        double dmono = (double)(mono - s->snap_mono);
        double dtrace = (double)(ticks - s->snap_ticks) * 1e9 / (double)s->freq;
        double diff = dtrace > dmono ? dtrace - dmono : dmono - dtrace;
        if (dmono >= CLOCK_MIN_INTERVAL_NS && diff > CLOCK_TOLERANCE * dmono)
            WIRE_FOUND(s, GTH_INV_STRICT_CLOCK_RATE, ev,
                       "the previous clock snapshot is %.6fs earlier on the monotonic clock but %.6fs "
                       "earlier on the trace clock at frequency %llu",
                       dmono / 1e9, dtrace / 1e9, (unsigned long long)s->freq);
    }
    s->have_snap = 1;
    s->snap_ticks = ticks;
    s->snap_mono = mono;
}

static void goroutine_seen_slow(gth_strict *s, const gth_raw_event *ev, uint64_t g, uint32_t what) {
    uint32_t old;
    if (g < DENSE_IDS) {
        old = s->gsmall[g];
    } else {
        const uint32_t *v = gth_hmap_get(&s->gstat, g);
        old = v ? *v : 0;
    }
    uint32_t now = old | what;
    if ((what & G_STATUS) && (old & G_STATUS))
        WIRE_FOUND(s, GTH_INV_STRICT_STATUS_ONCE, ev,
                   "second status event for goroutine %llu in generation %llu; the runtime describes a "
                   "goroutine at most once per generation",
                   (unsigned long long)g, (unsigned long long)s->gen);
    else if ((now & (G_STATUS | G_CREATED)) == (G_STATUS | G_CREATED) && (old & (G_STATUS | G_CREATED)) != (G_STATUS | G_CREATED))
        WIRE_FOUND(s, GTH_INV_STRICT_STATUS_ONCE, ev,
                   "goroutine %llu has both a status event and a creation in generation %llu; the runtime "
                   "never describes a goroutine in the generation that created it",
                   (unsigned long long)g, (unsigned long long)s->gen);
    else if ((now & (G_END | G_NAMED)) == (G_END | G_NAMED) && (old & (G_END | G_NAMED)) != (G_END | G_NAMED))
        WIRE_FOUND(s, GTH_INV_STRICT_END_STATUS, ev,
                   "goroutine %llu is described by the end of generation %llu and also started, woken or "
                   "switched to in it; the end describes only goroutines no event of the generation named",
                   (unsigned long long)g, (unsigned long long)s->gen);
    if (now == old) return;
    if (g < DENSE_IDS) {
        s->gsmall[g] = (uint8_t)now;
        if (g >= s->gsmall_end) s->gsmall_end = g + 1;
    } else {
        put(s, &s->gstat, g, now);
    }
}

/* The goroutine-level rules for an event saying `what` of goroutine g. Saying
 * again what a generation said already (but for a status) changes nothing and
 * breaks no rule: the common case, decided here. */
static inline void goroutine_seen(gth_strict *s, const gth_raw_event *ev, uint64_t g, uint32_t what) {
    if (g < DENSE_IDS && !(what & G_STATUS) && (s->gsmall[g] & what) == what) return;
    goroutine_seen_slow(s, ev, g, what);
}

/* The rules for the event codes of on_regular's W_CASE. */
static __attribute__((noinline)) void on_case(gth_strict *s, const gth_raw_event *ev) {
    const gth_event_spec *sp = ev->spec;
    char tb[2][32];
    switch (ev->code) {
    case GTH_EV_GoStatus:
    case GTH_EV_GoStatusStack: {
        uint64_t g = ev->args[1], mid = ev->args[2], st = ev->args[3];
        goroutine_seen(s, ev, g, s->bm == GTH_NO_ID ? G_STATUS | G_END : G_STATUS);
        if (ev->code == GTH_EV_GoStatusStack) {
            if (s->bm != GTH_NO_ID)
                WIRE_FOUND(s, GTH_INV_STRICT_STATUS_STACK_THREAD, ev,
                           "GoStatusStack for goroutine %llu in a batch of %s; only the end of a generation "
                           "records another goroutine's stack, in a batch without a thread",
                           (unsigned long long)g, tname(s->bm, tb[0]));
            if (ev->args[4] == 0)
                WIRE_FOUND(s, GTH_INV_STRICT_STATUS_STACK_ZERO, ev,
                           "GoStatusStack for goroutine %llu has no stack; the runtime writes GoStatus "
                           "when it has none",
                           (unsigned long long)g);
        }
        if (ev->code == GTH_EV_GoStatus && s->bm != GTH_NO_ID && mid != s->bm &&
                   (mid != GTH_NO_ID || st != GTH_GS_WAITING)) {
            WIRE_FOUND(s, GTH_INV_STRICT_STATUS_THREAD, ev,
                       "GoStatus for goroutine %llu with status %s names %s in a batch of %s; a thread "
                       "describes its own goroutine, or a waiting one it is about to wake",
                       (unsigned long long)g, gth_gstatus_name(st), tname(mid, tb[0]), tname(s->bm, tb[1]));
        }
        break;
    }
    case GTH_EV_ProcStatus: {
        uint64_t p = ev->args[1];
        if (gth_hmap_get(&s->pstat, p))
            WIRE_FOUND(s, GTH_INV_STRICT_STATUS_ONCE, ev,
                       "second status event for proc %llu in generation %llu; the runtime describes a proc "
                       "at most once per generation",
                       (unsigned long long)p, (unsigned long long)s->gen);
        else put(s, &s->pstat, p, 1);
        break;
    }
    case GTH_EV_GoCreate:
    case GTH_EV_GoCreateBlocked: {
        goroutine_seen(s, ev, ev->args[1], G_CREATED);
        uint64_t id = ev->args[2];
        if (id == 0) {
            WIRE_FOUND(s, GTH_INV_STRICT_CREATE_STACK, ev,
                       "%s gives new goroutine %llu no start stack; the runtime records exactly one frame, "
                       "the start PC",
                       sp->name, (unsigned long long)ev->args[1]);
        } else if (!gth_hmap_get(&s->cstack, id)) {
            wevent w = {ev->offset, s->bm, s->bidx, s->evidx, ev->code, {0}};
            memcpy(w.args, ev->args, sizeof w.args);
            push(s, &s->creates, &w, sizeof w);
            put(s, &s->cstack, id, 1);
        }
        break;
    }
    case GTH_EV_GoStart:
    case GTH_EV_GoUnblock:
    case GTH_EV_GoSwitch:
    case GTH_EV_GoSwitchDestroy: goroutine_seen(s, ev, ev->args[1], G_NAMED); break;
    case GTH_EV_GoLabel:
        if (s->prev_code != GTH_EV_GoStart)
            WIRE_FOUND(s, GTH_INV_STRICT_LABEL, ev,
                       "GoLabel does not follow a GoStart of its thread; traceLocker.GoStart writes the label of a "
                       "GC mark worker right after its GoStart, and nothing else writes one");
        /* fallthrough */
    case GTH_EV_GoBlock:
    case GTH_EV_GoStop:
    case GTH_EV_STWBegin:
    case GTH_EV_UserLog: {
        /* A reason or label is checked once per string: its first event is
         * the one a finding would name. */
        if (ev->code != GTH_EV_UserLog) {
            uint32_t bit = ev->code == GTH_EV_GoBlock ? 1u : ev->code == GTH_EV_GoStop ? 2u
                         : ev->code == GTH_EV_STWBegin ? 4u : 8u;
            uint64_t id = ev->args[1];
            if (id < SREF_SMALL) {
                if (s->srefsmall[id] & bit) break;
                s->srefsmall[id] |= (uint8_t)bit;
                if (id >= s->srefsmall_end) s->srefsmall_end = id + 1;
            } else {
                uint32_t *seen = gth_hmap_get(&s->srefseen, id);
                if (seen && (*seen & bit)) break;
                put(s, &s->srefseen, id, (seen ? *seen : 0) | bit);
            }
        }
        wevent w = keep_event(s, ev);
        push(s, &s->srefs, &w, sizeof w);
        break;
    }
    case GTH_EV_GCSweepActive:
        if (s->prev_code != GTH_EV_ProcStatus || s->prev_arg != ev->args[1])
            WIRE_FOUND(s, GTH_INV_STRICT_ACTIVE, ev,
                       "GCSweepActive for proc %llu does not follow that proc's ProcStatus on its thread; "
                       "writeProcStatus writes it right after the status of a P in a sweep, and nothing else "
                       "does",
                       (unsigned long long)ev->args[1]);
        break;
    case GTH_EV_GCMarkAssistActive:
        if ((s->prev_code != GTH_EV_GoStatus && s->prev_code != GTH_EV_GoStatusStack) || s->prev_arg != ev->args[1])
            WIRE_FOUND(s, GTH_INV_STRICT_ACTIVE, ev,
                       "GCMarkAssistActive for goroutine %llu does not follow that goroutine's status on its "
                       "thread; writeGoStatus writes it right after the status of a goroutine in a mark assist, "
                       "and nothing else does",
                       (unsigned long long)ev->args[1]);
        break;
    case GTH_EV_ProcsChange:
        if (!s->have_procs || ev->args[1] < s->procs.args[1]) {
            s->procs = keep_event(s, ev);
            s->have_procs = 1;
        }
        break;
    default: break;
    }
}

static __attribute__((noinline)) void batch_time_found(gth_strict *s, const gth_raw_event *ev) {
    WIRE_FOUND(s, GTH_INV_STRICT_BATCH_TIME, ev,
               "%s has timestamp delta 0; the runtime gives every event of a batch a later time than "
               "the one before",
               ev->spec->name);
}

/* Ids the runtime never assigns: goroutine 0 (the ids start at 1 and
 * traceAdvance skips a goroutine whose id is 0) and task 0 (the background
 * task, which is never begun or ended). w: the code's W_* class. */
static __attribute__((noinline)) void ids_found(gth_strict *s, const gth_raw_event *ev, unsigned w) {
    const gth_event_spec *sp = ev->spec;
    for (unsigned i = 1, gm = s->gargs[ev->code]; gm >> i; i++)
        if (gm >> i & 1u && ev->args[i] == 0) {
            WIRE_FOUND(s, GTH_INV_STRICT_ID_ZERO, ev,
                       "%s names goroutine 0; the runtime numbers goroutines from 1 (sched.goidgen), and g0 "
                       "stacks never appear as goroutines",
                       sp->name);
            break;
        }
    if ((w & W_TASK) && ev->args[1] == 0)
        WIRE_FOUND(s, GTH_INV_STRICT_ID_ZERO, ev,
                   "%s names task 0, the background task; runtime/trace's newID numbers tasks from 1 and only "
                   "those are begun and ended",
                   sp->name);
}

/* Not seekable, the ordered pass comes later: every event it may report is
 * located in advance. */
static __attribute__((noinline)) void record_location(gth_strict *s, const gth_raw_event *ev) {
    const crun *r = s->crun_open ? (const crun *)(const void *)(s->cruns.data + s->cruns.len - sizeof *r) : NULL;
    uint64_t base = r ? r->base : 0;
    if (!r || ev->offset - base > 0xFFFF || s->evidx > 0xFFFF) {
        crun fresh = {ev->offset, s->gen, s->bidx, (uint32_t)(s->cevents.len / sizeof(uint32_t))};
        push(s, &s->cruns, &fresh, sizeof fresh);
        s->crun_open = !s->nomem;
        base = ev->offset;
    }
    uint32_t e = (uint32_t)(ev->offset - base) | (uint32_t)s->evidx << 16;
    push(s, &s->cevents, &e, sizeof e);
}

/* The rules for an event of a regular batch (on_regular without the thread's
 * previous event and the event's location). The rules that find something or
 * change something are out of line. */
static inline __attribute__((always_inline)) void regular_rules(gth_strict *s, const gth_raw_event *ev) {
    unsigned w = s->wcls[ev->code];
    if ((w & W_DT) && ev->args[0] == 0) batch_time_found(s, ev);
    /* The common cases, when they change nothing and break no rule: a
     * goroutine started or woken again (its only goroutine argument, not 0)
     * and a reason blocked on again. */
    uint64_t a1 = ev->args[1];
    switch (ev->code) {
    case GTH_EV_GoStart:
    case GTH_EV_GoUnblock:
        if (a1 != 0 && a1 < DENSE_IDS && (s->gsmall[a1] & G_NAMED)) break;
        goto general;
    case GTH_EV_GoBlock:
        if (a1 < SREF_SMALL && (s->srefsmall[a1] & 1u)) break;
        goto general;
    default:
    general:
        if (w & W_CASE) on_case(s, ev);
        if (((w & W_GOROUTINE) && ((w & W_GMORE) || ev->args[s->gfirst[ev->code]] == 0)) ||
            ((w & W_TASK) && ev->args[1] == 0))
            ids_found(s, ev, w);
        break;
    }
}

/* An event of a regular batch, in file order. */
static inline __attribute__((always_inline)) void on_regular(gth_strict *s, const gth_raw_event *ev) {
    regular_rules(s, ev);
    s->prev_code = ev->code;
    s->prev_arg = (s->wcls[ev->code] & W_ARG1) ? ev->args[1] : 0;
    if (s->seekable) {
        /* The ordered pass ran first: its finding is located here. */
        if (s->ord.found && ev->offset == s->ord.err.offset) {
            s->ord.err.batch = s->bidx;
            s->ord.err.event = s->evidx;
        }
        return;
    }
    record_location(s, ev);
}

/* A thread's previous event may stand in its previous batch (the runtime's
 * writer flushes a full buffer between any two events): kept per thread. */
static void leave_batch(gth_strict *s) {
    if (s->bclass == B_REGULAR && s->in_gen && s->prev_code) {
        mprev e = {s->prev_arg, s->prev_code};
        const uint32_t *i = gth_hmap_get(&s->mlast, s->bm);
        if (i && *i < s->mprev.len / sizeof e) {
            ((mprev *)(void *)s->mprev.data)[*i] = e;
        } else {
            /* The index goes in only once its entry is there (out of memory,
             * neither may be). */
            size_t at = s->mprev.len / sizeof e;
            push(s, &s->mprev, &e, sizeof e);
            if (s->mprev.len / sizeof e > at) put(s, &s->mlast, s->bm, (uint32_t)at);
        }
    }
    s->prev_code = 0;
}

static void enter_batch(gth_strict *s) {
    const uint32_t *i = gth_hmap_get(&s->mlast, s->bm);
    const mprev *e = i && *i < s->mprev.len / sizeof *e ? (const mprev *)(const void *)s->mprev.data + *i : NULL;
    s->prev_code = e ? e->code : 0;
    s->prev_arg = e ? e->arg : 0;
}

static void wire_event(gth_strict *s, const gth_raw_event *ev) {
    /* Out of memory, the tables may be incomplete: nothing more is checked
     * (gth_strict_finish reports it). */
    if (s->nomem) return;
    if (ev->batch_offset == GTH_NO_OFFSET) {
        switch (ev->code) {
        case GTH_EV_EventBatch: {
            leave_batch(s);
            s->bm = ev->args[1];
            enter_gen(s, ev->args[0], ev);
            s->btime = ev->args[2];
            s->evidx = 0;
            enter_batch(s);
            s->crun_open = 0;
            s->bclass = ev->args[3] == 0 ? B_REGULAR : B_UNKNOWN;
            if (s->bclass == B_REGULAR) s->bidx = s->nregular++;
            break;
        }
        case GTH_EV_ExperimentalBatch:
            leave_batch(s);
            s->bm = ev->args[2];
            enter_gen(s, ev->args[1], ev);
            s->bclass = B_OTHER;
            break;
        case GTH_EV_EndOfGeneration:
            leave_batch(s);
            end_gen(s);
            s->bclass = B_NONE;
            break;
        default: break;
        }
        return;
    }
    if (s->bclass == B_UNKNOWN) {
        /* Classified by the first byte, as the reader does. */
        unsigned minor = s->dec.minor;
        int table = ev->code == GTH_EV_Strings || ev->code == GTH_EV_Stacks || ev->code == GTH_EV_CPUSamples ||
                    (ev->code == GTH_EV_Frequency && minor < 25) || (ev->code == GTH_EV_Sync && minor >= 25);
        s->bclass = table ? B_OTHER : B_REGULAR;
        if (!table) s->bidx = s->nregular++;
    }
    if (s->bclass == B_REGULAR) {
        on_regular(s, ev);
        s->evidx++;
        return;
    }
    switch (ev->code) {
    case GTH_EV_Stack:
        put(s, &s->frames, ev->args[0], (uint32_t)ev->nframes);
        if (ev->args[0] > s->stk_max.args[0]) s->stk_max = keep_event(s, ev);
        break;
    case GTH_EV_String: {
        if (gth_hmap_get(&s->sidx, ev->args[0])) break; /* a repeated id is the reader's finding */
        srec r = {ev->args[0], ev->offset, s->sdata.len, ev->data_len};
        if (ev->data_len && gth_buf_append(&s->sdata, ev->data, ev->data_len)) s->nomem = 1;
        put(s, &s->sidx, ev->args[0], (uint32_t)(s->srecs.len / sizeof r));
        push(s, &s->srecs, &r, sizeof r);
        break;
    }
    case GTH_EV_Frequency: on_frequency(s, ev); break;
    case GTH_EV_ClockSnapshot: on_clock(s, ev); break;
    default: break;
    }
}

/* The payload of the event batch whose header hdr the decoder just returned,
 * when it is a regular batch: its events are walked here, as the decoder
 * would decode them (the same codes, arguments and offsets, in the same order),
 * up to the first one it cannot walk simply (an unknown code, a batch header,
 * frames or data, a varint the decoder would reject), from which the decoder
 * goes on. */
static void wire_payload(gth_strict *s, const gth_raw_event *hdr) {
    const uint8_t *p;
    size_t n = gth_decoder_payload(&s->dec, &p);
    if (n == 0 || s->nomem) return;
    /* A table batch is the decoder's, and wire_event classifies it. */
    unsigned minor = s->dec.minor;
    uint8_t c0 = p[0];
    if (c0 == GTH_EV_Strings || c0 == GTH_EV_Stacks || c0 == GTH_EV_CPUSamples ||
        (c0 == GTH_EV_Frequency && minor < 25) || (c0 == GTH_EV_Sync && minor >= 25))
        return;
    gth_raw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.batch_offset = hdr->offset;
    uint64_t base = gth_decoder_offset(&s->dec);
    /* Seekable, the ordered pass ran first, and its finding (at a fixed
     * offset) is the only event to locate. */
    uint64_t mark = s->seekable && s->ord.found ? s->ord.err.offset : GTH_NO_OFFSET;
    int seekable = s->seekable, stop = 0;
    /* A regular batch, as wire_event classifies it once its first event is
     * decoded (undone at the end if that one is the decoder's). */
    int32_t bidx = s->bidx;
    s->bclass = B_REGULAR;
    s->bidx = s->nregular++;
    /* The walk keeps the event index and the thread's previous event in
     * locals, and stores them where the rules read them (before the rules
     * run, and at the end). */
    int32_t idx = s->evidx;
    uint8_t pcode = s->prev_code;
    uint64_t parg = s->prev_arg;
    const uint8_t *x = p, *end = p + n;
    size_t room = n >= WALK_ROOM ? n - WALK_ROOM + 1 : 0; /* end - x >= WALK_ROOM below it */
    const uint8_t *markp = mark >= base && mark - base < n ? p + (mark - base) : NULL;
    uint64_t *a = ev.args;
    /* Out of memory, nothing more is checked (as in wire_event): the rest of
     * the batch is the decoder's. */
    while (x < end && !stop) {
        const uint8_t *at = x;
        uint8_t code = *x++;
        unsigned na = s->wnargs[code];
        if (na == WN_DECODER) {
            x = at;
            break;
        }
        if ((size_t)(at - p) < room) {
            /* Every varint fits before the end: the short ones need no bounds
             * checks. */
            int bad = 0;
            switch (na) {
            case 5:
                bad = gth_step_uvarint(&x, end, &a[0]) || gth_step_uvarint(&x, end, &a[1]) ||
                      gth_step_uvarint(&x, end, &a[2]) || gth_step_uvarint(&x, end, &a[3]) ||
                      gth_step_uvarint(&x, end, &a[4]);
                break;
            case 4:
                bad = gth_step_uvarint(&x, end, &a[0]) || gth_step_uvarint(&x, end, &a[1]) ||
                      gth_step_uvarint(&x, end, &a[2]) || gth_step_uvarint(&x, end, &a[3]);
                break;
            case 3:
                bad = gth_step_uvarint(&x, end, &a[0]) || gth_step_uvarint(&x, end, &a[1]) ||
                      gth_step_uvarint(&x, end, &a[2]);
                break;
            case 2: bad = gth_step_uvarint(&x, end, &a[0]) || gth_step_uvarint(&x, end, &a[1]); break;
            case 1: bad = gth_step_uvarint(&x, end, &a[0]); break;
            default: break;
            }
            if (bad) {
                x = at;
                break;
            }
        } else {
            unsigned i = 0;
            for (; i < na; i++) {
                int k = gth_uvarint(x, (size_t)(end - x), &a[i]);
                if (k <= 0) break;
                x += k;
            }
            if (i < na) {
                x = at;
                break;
            }
        }
        /* on_regular, with the common cases of regular_rules first: events
         * that change nothing and break no rule. */
        uint64_t a1 = a[1];
        switch (s->wfast[code]) {
        case F_PLAIN0: a1 = 0; /* fallthrough */
        case F_PLAIN1:
            if (a[0] == 0) goto rules;
            break;
        case F_NAMED: /* GoStart, GoUnblock */
            if (a[0] == 0 || a1 == 0 || a1 >= DENSE_IDS || !(s->gsmall[a1] & G_NAMED)) goto rules;
            break;
        case F_BLOCK: /* GoBlock */
            if (a[0] == 0 || a1 >= SREF_SMALL || !(s->srefsmall[a1] & 1u)) goto rules;
            break;
        default:
        rules:
            s->evidx = idx;
            s->prev_code = pcode;
            s->prev_arg = parg;
            ev.code = code;
            ev.spec = s->dec.table[code];
            ev.offset = base + (uint64_t)(at - p); /* its length, which no rule needs, is left 0 */
            regular_rules(s, &ev);
            if (!(s->wcls[code] & W_ARG1)) a1 = 0;
            stop = s->nomem;
            break;
        }
        pcode = code;
        parg = a1;
        if (at == markp) {
            /* The ordered pass ran first: its finding is located here. */
            s->ord.err.batch = s->bidx;
            s->ord.err.event = idx;
        } else if (!seekable) {
            s->evidx = idx;
            ev.offset = base + (uint64_t)(at - p);
            record_location(s, &ev);
            stop |= s->nomem;
        }
        idx++;
    }
    s->evidx = idx;
    s->prev_code = pcode;
    s->prev_arg = parg;
    if (x == p) {
        s->bclass = B_UNKNOWN;
        s->nregular--;
        s->bidx = bidx;
    }
    gth_decoder_skip(&s->dec, (size_t)(x - p));
}

/* Decodes p[0..n), which starts at the decoder's offset; final: the input ends
 * there. Returns how many bytes the decoder consumed. */
static size_t wire_run(gth_strict *s, const uint8_t *p, size_t n, int final) {
    uint64_t start = gth_decoder_offset(&s->dec);
    gth_decoder_feed(&s->dec, p, n, final);
    for (;;) {
        gth_raw_event ev;
        gth_error e;
        int k = gth_decoder_next(&s->dec, &ev, &e);
        if (k == GTH_READ_OK) {
            if (ev.spec) wire_event(s, &ev);
            if (s->bclass == B_UNKNOWN && ev.code == GTH_EV_EventBatch && ev.batch_offset == GTH_NO_OFFSET)
                wire_payload(s, &ev);
            continue;
        }
        if (k == GTH_READ_MORE) break;
        /* The end, or bytes the decoder cannot frame: the reader reports those.
         * The decoder running out of memory is ours to report. */
        if (k == GTH_READ_END) end_gen(s);
        if (k == GTH_READ_ERROR && e.status == GTH_ENOMEM) s->nomem = 1;
        s->wire_done = 1;
        break;
    }
    uint64_t used = gth_decoder_offset(&s->dec) - start;
    return used > n ? n : (size_t)used;
}

/* The wire pass over the next k bytes the reader read (k == 0: the end). The
 * bytes are decoded where they are; only a batch cut by the end of a read is
 * copied, and completed from the next read in slices, so the copy stays about
 * one batch long whatever the reader's reads. */
static void wire_feed(gth_strict *s, const uint8_t *buf, size_t k) {
    enum { SLICE = 2 * GTH_MAX_BATCH_SIZE };
    size_t pos = 0;
    do {
        if (s->pend.len == 0) {
            pos += wire_run(s, buf + pos, k - pos, k == 0);
            if (s->wire_done || pos == k) return;
            if (gth_buf_append(&s->pend, buf + pos, k - pos)) goto nomem;
            return;
        }
        size_t take = k - pos < SLICE ? k - pos : SLICE;
        if (gth_buf_append(&s->pend, buf + pos, take)) goto nomem;
        pos += take;
        size_t used = wire_run(s, s->pend.data, s->pend.len, k == 0);
        memmove(s->pend.data, s->pend.data + used, s->pend.len - used);
        s->pend.len -= used;
    } while (!s->wire_done && pos < k);
    return;
nomem:
    s->nomem = 1;
    s->wire_done = 1;
}

static long pass_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    gth_strict *s = ud;
    return s->src.read(s->src.ud, buf, n, err);
}

static long seen_pread(void *ud, uint8_t *buf, size_t n, uint64_t off, gth_error *err) {
    gth_strict *s = ud;
    long k = s->src.pread(s->src.ud, buf, n, off, err);
    if (k >= 0 && off + (uint64_t)k > s->read_end) s->read_end = off + (uint64_t)k;
    if (k == 0 && n > 0) s->read_eof = 1;
    return k;
}

static long tee_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    gth_strict *s = ud;
    long k = s->src.read(s->src.ud, buf, n, err);
    if (k >= 0 && !s->wire_done) wire_feed(s, buf, (size_t)k);
    return k;
}

gth_source gth_strict_source(gth_strict *s, gth_source src) {
    s->src = src;
    /* Seekable: the reader keeps reading by offset; the wire pass reads the
     * input itself once the events are delivered (wire_pass), as far as the
     * reader read. */
    if (src.pread) {
        s->seekable = 1;
        return (gth_source){src.read ? pass_read : NULL, s, seen_pread, src.size};
    }
    /* Not seekable: the wire pass sees every byte once, in order, as the
     * reader reads it (the reader then buffers each generation). */
    return (gth_source){tee_read, s, NULL, 0};
}

/* The wire pass over a seekable input, after the ordered pass: to the end of
 * the input if the reader got there (it may have skipped the last batch's
 * payload), else over the bytes it read, as a reader stopped early by a finding
 * would have read from a pipe. */
static void wire_pass(gth_strict *s) {
    enum { CHUNK = 256 << 10 };
    if (s->wire_ran) return;
    s->wire_ran = 1;
    uint8_t *buf = gth_alloc(s->a, CHUNK);
    if (!buf) {
        s->nomem = 1;
        return;
    }
    uint64_t off = 0;
    int to_end = s->read_eof || s->read_end + 2 * (uint64_t)GTH_MAX_BATCH_SIZE >= s->src.size;
    /* buf[0..have) are the bytes from the decoder's offset on that it has not
     * consumed yet (at most a batch: less than CHUNK); the next read goes
     * after them. */
    size_t have = 0;
    while (!s->wire_done && !s->nomem) {
        gth_error e;
        gth_error_clear(&e);
        size_t want = CHUNK - have;
        if (!to_end && s->read_end - off < want) want = (size_t)(s->read_end - off);
        if (want == 0) break; /* the reader stopped before the end: so does the wire pass */
        long k = s->src.pread(s->src.ud, buf + have, want, off, &e);
        if (k < 0) {
            s->wire_failed = 1;
            s->wire_ioerr = e;
            if (s->wire_ioerr.status == GTH_OK) gth_error_set(&s->wire_ioerr, GTH_EIO, "read error");
            break;
        }
        have += (size_t)k;
        size_t used = wire_run(s, buf, have, k == 0);
        if (k == 0) break;
        memmove(buf, buf + used, have - used);
        have -= used;
        off += (uint64_t)k;
    }
    gth_free(s->a, buf, CHUNK);
}

/* The number of the input's first generation, read ahead of the wire pass:
 * the generation of its first batch. */
static void peek_first_gen(gth_strict *s) {
    enum { PEEK = 4096 };
    uint8_t buf[PEEK];
    size_t n = 0;
    gth_error e;
    while (n < PEEK) {
        gth_error_clear(&e);
        long k = s->src.pread(s->src.ud, buf + n, PEEK - n, n, &e);
        if (k <= 0) break;
        n += (size_t)k;
    }
    gth_decoder d;
    gth_decoder_init(&d, s->a, 0, 0);
    gth_decoder_feed(&d, buf, n, n < PEEK);
    for (;;) {
        gth_raw_event ev;
        int k = gth_decoder_next(&d, &ev, &e);
        if (k == GTH_READ_ERROR && e.status == GTH_ENOMEM) s->nomem = 1;
        if (k != GTH_READ_OK) break;
        if (ev.batch_offset != GTH_NO_OFFSET) continue;
        if (ev.code == GTH_EV_EventBatch) s->peek_gen = ev.args[0];
        else if (ev.code == GTH_EV_ExperimentalBatch) s->peek_gen = ev.args[1];
        else continue;
        s->have_peek = 1;
        break;
    }
    gth_decoder_free(&d);
}

/* ---- Ordered pass --------------------------------------------------------------------- */

static void idset_clear(idset *d) {
    if (!d->any) return;
    memset(d->bits, 0, sizeof d->bits);
    gth_hmap_clear(&d->big);
    d->any = 0;
}

static void idset_add(gth_strict *s, idset *d, uint64_t id) {
    d->any = 1;
    if (id < DENSE_IDS) d->bits[id >> 6] |= 1ull << (id & 63);
    else put(s, &d->big, id, 1);
}

static int idset_has(const idset *d, uint64_t id) {
    if (id < DENSE_IDS) return (int)(d->bits[id >> 6] >> (id & 63) & 1u);
    return gth_hmap_get(&d->big, id) != NULL;
}

/* Generation gen is being delivered, and generations come in order: drops the
 * runs of older ones. */
static void prune(gth_strict *s, uint64_t gen) {
    crun *r = (crun *)(void *)s->cruns.data;
    uint32_t *e = (uint32_t *)(void *)s->cevents.data;
    size_t nr = s->cruns.len / sizeof *r, ne = s->cevents.len / sizeof *e;
    while (s->crun_head < nr && r[s->crun_head].gen < gen) s->crun_head++;
    if (s->crun_head > 1024 && s->crun_head * 2 > nr) {
        size_t keep = nr - s->crun_head;
        uint32_t shift = keep ? r[s->crun_head].first : (uint32_t)ne;
        memmove(e, e + shift, (ne - shift) * sizeof *e);
        s->cevents.len = (ne - shift) * sizeof *e;
        memmove(r, r + s->crun_head, keep * sizeof *r);
        for (size_t i = 0; i < keep; i++) r[i].first -= shift;
        s->cruns.len = keep * sizeof *r;
        s->crun_head = 0;
        s->crun_open = 0;
    }
}

/* The batch and event index of the event at off in generation gen, as the wire
 * pass recorded them (-1 otherwise). */
static void locate(const gth_strict *s, uint64_t gen, uint64_t off, int64_t *batch, int64_t *index) {
    *batch = *index = -1;
    const crun *r = (const crun *)(const void *)s->cruns.data;
    const uint32_t *e = (const uint32_t *)(const void *)s->cevents.data;
    size_t nr = s->cruns.len / sizeof *r, ne = s->cevents.len / sizeof *e;
    /* The last run starting at or before off. */
    size_t lo = s->crun_head, hi = nr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].base <= off) lo = mid + 1;
        else hi = mid;
    }
    if (lo == s->crun_head || r[lo - 1].gen != gen) return;
    const crun *run = &r[lo - 1];
    uint64_t rel = off - run->base;
    size_t a = run->first, b = lo < nr ? r[lo].first : ne;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if ((e[mid] & 0xFFFF) < rel) a = mid + 1;
        else b = mid;
    }
    if (a < (lo < nr ? r[lo].first : ne) && (e[a] & 0xFFFF) == rel) {
        *batch = run->batch;
        *index = e[a] >> 16;
    }
}

/* A finding of the ordered pass about the delivered event v. Seekable, the
 * wire pass that follows locates it. */
static int ordered_found(gth_strict *s, unsigned inv, const gth_view *v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int ordered_found(gth_strict *s, unsigned inv, const gth_view *v, const char *fmt, ...) {
    const gth_event *ev = v->ev;
    if (s->ord.found && s->ord.err.offset <= ev->offset) return GTH_OK;
    int64_t batch = -1, index = -1;
    if (!s->seekable) locate(s, ev->gen, ev->offset, &batch, &index);
    s->line.len = 0;
    if (gth_stream_line(NULL, &s->line, v)) return GTH_ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    vfound(s, &s->ord, inv, ev->offset, ev->gen, (uint64_t)ev->m, batch, index, fmt, ap);
    va_end(ap);
    return GTH_OK;
}

/* strict.status-missing for the goroutine (g) or the proc of the delivered
 * event v. */
static __attribute__((noinline)) int status_missing(gth_strict *s, const gth_view *v, int g) {
    const gth_event *ev = v->ev;
    const gth_event_spec *sp = gth_spec_event(ev->code);
    if (g)
        return ordered_found(s, GTH_INV_STRICT_STATUS_MISSING, v,
                             "%s is written in the context of goroutine %lld, which has no status in generation "
                             "%llu before it; traceLocker.eventWriter writes the status of the thread's goroutine "
                             "before its first event of a generation",
                             sp->name, (long long)ev->g, (unsigned long long)ev->gen);
    return ordered_found(s, GTH_INV_STRICT_STATUS_MISSING, v,
                         "%s is written in the context of proc %lld, which has no status in generation %llu "
                         "before it; traceLocker.eventWriter writes the status of the thread's P before its "
                         "first event of a generation",
                         sp->name, (long long)ev->p, (unsigned long long)ev->gen);
}

/* Statuses before events: the goroutine and proc in whose context an event
 * is written were described (or created) earlier in its generation. k: the
 * event code's O_* class. */
static inline int check_described(gth_strict *s, const gth_view *v, unsigned k) {
    const gth_event *ev = v->ev;
    if (k & O_OWN) {
        switch (ev->code) {
        case GTH_EV_GoStatus:
        case GTH_EV_GoStatusStack: idset_add(s, &s->gdesc, ev->args[0]); return GTH_OK;
        case GTH_EV_ProcStatus: idset_add(s, &s->pdesc, ev->args[0]); return GTH_OK;
        case GTH_EV_GoCreateSyscall: idset_add(s, &s->gdesc, ev->args[0]); return GTH_OK; /* no status: a raw write */
        case GTH_EV_GoCreate:
        case GTH_EV_GoCreateBlocked: idset_add(s, &s->gdesc, ev->args[0]); break;
        /* Written with a status, by whichever thread writes that status
         * (writeProcStatus, writeGoStatus), not through eventWriter. */
        case GTH_EV_GCSweepActive:
        case GTH_EV_GCMarkAssistActive: return GTH_OK;
        default: break;
        }
    }
    /* GoSwitchDestroy (O_NOG) is written after coroswitch_m destroyed the
     * goroutine (gdestroy drops it from the thread), so without its status. */
    if (ev->g >= 0 && !(k & O_NOG) && !idset_has(&s->gdesc, (uint64_t)ev->g)) return status_missing(s, v, 1);
    /* GoDestroySyscall (O_NOP) is written without the P's status (a P left on
     * the thread by a cgo callback is not its own), and GoSyscallEndBlocked by
     * a thread that lost its P. */
    if (ev->p >= 0 && !(k & O_NOP) && !idset_has(&s->pdesc, (uint64_t)ev->p)) return status_missing(s, v, 0);
    return GTH_OK;
}

/* The first GC event delivered: the reader takes its number as the start.
 * Only a trace from generation 1 on is sure to hold the trace's first GC
 * event; a window of later generations (a flight recording, a cut trace)
 * starts anywhere. */
static __attribute__((noinline)) int first_gc(gth_strict *s, const gth_view *v) {
    const gth_event *ev = v->ev;
    s->gc_seen = 1;
    uint64_t first = s->first_gen;
    if (s->seekable) {
        peek_first_gen(s);
        first = s->have_peek ? s->peek_gen : 0;
    }
    if (first == 1 && ev->args[0] != 1)
        return ordered_found(s, GTH_INV_STRICT_GC_SEQ, v,
                             "the trace's first GC event, %s, has sequence number %llu; the runtime numbers GC "
                             "events from 1 in each trace",
                             gth_spec_event(ev->code)->name, (unsigned long long)ev->args[0]);
    return GTH_OK;
}

/* strict.stack-owner: v carries stack ev->args[si - 1], and no goroutine runs. */
static __attribute__((noinline)) int stack_owner(gth_strict *s, const gth_view *v, unsigned si) {
    const gth_event *ev = v->ev;
    char tb[32];
    return ordered_found(s, GTH_INV_STRICT_STACK_OWNER, v,
                         "%s carries stack %llu of the current goroutine, but no goroutine runs on %s; the runtime "
                         "records stack 0 when no goroutine runs",
                         gth_spec_event(ev->code)->name, (unsigned long long)ev->args[si - 1],
                         tname((uint64_t)ev->m, tb));
}

/* Generation gen is being delivered. */
static __attribute__((noinline)) void delivered(gth_strict *s, uint64_t gen) {
    s->delivered_gen = gen;
    if (!s->seekable) prune(s, gen);
    idset_clear(&s->gdesc);
    idset_clear(&s->pdesc);
}

int gth_strict_event(gth_strict *s, const gth_view *v) {
    if (s->nomem) return GTH_ENOMEM;
    const gth_event *ev = v->ev;
    if (!ev || ev->synthetic || ev->offset == GTH_NO_OFFSET) return GTH_OK;
    unsigned k = s->ocls[ev->code];
    if (!(k & O_EVENTS)) return GTH_OK;
    if (ev->gen > s->delivered_gen) delivered(s, ev->gen);
    /* Experimental events (AllocFree) are not checked (docs/STRICT.md). */
    if ((k & O_DESCRIBED) && check_described(s, v, k) != GTH_OK) return GTH_ENOMEM;
    if (ev->code == GTH_EV_GoStatusStack) return s->nomem ? GTH_ENOMEM : GTH_OK;
    if ((k & O_GC) && !s->gc_seen && first_gc(s, v) != GTH_OK) return GTH_ENOMEM;
    unsigned si = k / O_STACK;
    if (si && ev->g < 0 && ev->args[si - 1] != 0 && stack_owner(s, v, si) != GTH_OK) return GTH_ENOMEM;
    return s->nomem ? GTH_ENOMEM : GTH_OK;
}

/* The test build's switch (tests/test_inline_order.c): with GTH_NO_INLINE_ORDER
 * gth_strict_fast declines every event. */
#ifdef GTH_NO_INLINE_ORDER
#define STRICT_FAST_ON 0
#else
#define STRICT_FAST_ON 1
#endif

/* The common case, where no rule has anything to do or to record: an event of
 * the generation being delivered whose goroutine and proc (if any) have their
 * status, without a stack of its own when no goroutine runs. (Events
 * gth_strict_event leaves alone, synthetic ones, ones without offset or not
 * O_EVENTS, may be taken or not; an experimental one has only the stack's
 * rule.) */
static inline __attribute__((always_inline)) int common(const gth_strict *s, const gth_event *ev) {
    unsigned k = s->ocls[ev->code];
    if (s->nomem || (k & (O_OWN | O_GC)) || ev->gen != s->delivered_gen) return 0;
    if (ev->g >= 0 ? !(k & O_NOG) && !idset_has(&s->gdesc, (uint64_t)ev->g)
                   : k >= O_STACK && ev->args[k / O_STACK - 1] != 0)
        return 0;
    return ev->p < 0 || (k & O_NOP) || idset_has(&s->pdesc, (uint64_t)ev->p);
}

int gth_strict_fast(const gth_strict *s, const gth_event *ev) { return STRICT_FAST_ON && common(s, ev); }

int gth_strict_next(const gth_strict *s, gth_testtrace *t, gth_reader *r, gth_event *ev, gth_error *err,
                    uint64_t *n) {
    int k;
    uint64_t passed = 0;
    while ((k = gth_reader_next(r, ev, err)) > 0 && STRICT_FAST_ON && common(s, ev) && gth_testtrace_fast(t, ev))
        passed++;
    *n += passed;
    return k;
}

int gth_strict_finish(gth_strict *s, gth_error *err, gth_buf *event) {
    if (s->seekable) wire_pass(s);
    if (s->nomem) return gth_error_nomem(err);
    if (s->wire_failed) {
        *err = s->wire_ioerr;
        return err->status;
    }
    /* The first by offset; at the same event, the wire pass's (which ran
     * first when the input was read once). */
    const finding *f = NULL;
    if (s->wire.found && (!s->ord.found || s->wire.err.offset <= s->ord.err.offset)) f = &s->wire;
    else if (s->ord.found) f = &s->ord;
    if (!f) return GTH_OK;
    *err = f->err;
    if (event) {
        event->len = 0;
        if (gth_buf_append(event, f->text.data, f->text.len)) return gth_error_nomem(err);
    }
    return GTH_EINVALID;
}
