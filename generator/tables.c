/*
 * Pools and per-generation tables: the strings, functions, stacks and
 * (AllocFree) types the generator draws from, and their generation-local ids.
 *
 * As in the runtime, a string gets its id (from 1, per generation) and is
 * written to the strings batch the first time a generation uses it; stacks get
 * ids on first use and are dumped at the end of the generation, their frames'
 * function and file names registered as strings then. Pools are fixed for a
 * run, so the tables' memory is bounded whatever the trace size.
 */
#include <string.h>

#include "generator/internal.h"

/* Reasons and labels exactly as the runtime registers them at every generation. */
static const char *const block_reasons[] = {
    "unspecified", "forever", "network", "select", "sync.(*Cond).Wait", "sync", "chan send",
    "chan receive", "GC mark assist wait for work", "GC background sweeper wait",
    "system goroutine wait", "preempted", "wait for debug call", "wait until GC ends", "sleep",
    "GC weak to strong wait", "synctest"};
static const char *const stop_reasons[] = {"unspecified", "runtime.Gosched", "preempted"};
static const char *const labels[] = {"Not worker", "GC (dedicated)", "GC (fractional)", "GC (idle)"};
static const char *const stw_kinds[] = {
    "unknown", "GC mark termination", "GC sweep termination", "write heap dump", "goroutine profile",
    "goroutine profile cleanup", "all goroutines stack trace", "read mem stats", "AllThreadsSyscall",
    "GOMAXPROCS", "start trace", "stop trace"};
static const char *const task_names[] = {"http.request", "db.query", "batch.job", "compile", "render",
                                         "rpc.call", ""};
static const char *const region_names[] = {"parse", "validate", "encode", "cache.lookup", "io.wait",
                                           "compute", "fan-out"};
static const char *const categories[] = {"", "info", "debug", "error", "http", "sql"};
static const char *const messages[] = {
    "request started", "cache miss", "retrying after 50ms", "done", "user=42 action=login",
    "rows=1024", "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93", "tab\there \"quoted\" back\\slash",
    "ctl\x01\x7f bytes", "timeout exceeded; giving up"};

typedef struct func_def {
    const char *name, *file;
    uint32_t line;
} func_def;

#define GOSRC "/usr/local/go/src/"
#define APP "/home/gopher/app/"
/* Leaf functions (where goroutines block or call into the runtime) first, then
 * middles, then goroutine entry points. */
static const func_def func_defs[] = {
    {"runtime.gopark", GOSRC "runtime/proc.go", 435},
    {"runtime.chanrecv", GOSRC "runtime/chan.go", 664},
    {"runtime.chansend", GOSRC "runtime/chan.go", 259},
    {"runtime.selectgo", GOSRC "runtime/select.go", 351},
    {"runtime.semacquire1", GOSRC "runtime/sema.go", 160},
    {"runtime.netpollblock", GOSRC "runtime/netpoll.go", 575},
    {"syscall.Syscall", GOSRC "syscall/syscall_linux.go", 73},
    {"runtime.Gosched", GOSRC "runtime/proc.go", 355},
    {"runtime.mallocgc", GOSRC "runtime/malloc.go", 1069},
    {"runtime.gcAssistAlloc", GOSRC "runtime/mgcmark.go", 467},
    {"runtime.newproc", GOSRC "runtime/proc.go", 5017},
    {"runtime/trace.Log", GOSRC "runtime/trace/annotation.go", 103},
    /* middles */
    {"runtime.chanrecv1", GOSRC "runtime/chan.go", 506},
    {"runtime.chansend1", GOSRC "runtime/chan.go", 161},
    {"sync.runtime_SemacquireMutex", GOSRC "runtime/sema.go", 95},
    {"sync.(*Mutex).lockSlow", GOSRC "sync/mutex.go", 171},
    {"sync.(*Mutex).Lock", GOSRC "sync/mutex.go", 90},
    {"sync.(*WaitGroup).Wait", GOSRC "sync/waitgroup.go", 118},
    {"internal/poll.runtime_pollWait", GOSRC "runtime/netpoll.go", 351},
    {"internal/poll.(*pollDesc).wait", GOSRC "internal/poll/fd_poll_runtime.go", 84},
    {"internal/poll.(*FD).Read", GOSRC "internal/poll/fd_unix.go", 165},
    {"net.(*conn).Read", GOSRC "net/net.go", 194},
    {"bufio.(*Reader).fill", GOSRC "bufio/bufio.go", 113},
    {"syscall.read", GOSRC "syscall/zsyscall_linux_amd64.go", 736},
    {"os.(*File).Read", GOSRC "os/file.go", 124},
    {"runtime.newobject", GOSRC "runtime/malloc.go", 1710},
    {"runtime.makeslice", GOSRC "runtime/slice.go", 116},
    {"runtime.growslice", GOSRC "runtime/slice.go", 177},
    {"runtime.GC", GOSRC "runtime/mgc.go", 494},
    {"runtime.ReadMemStats", GOSRC "runtime/mstats.go", 372},
    {"runtime/trace.NewTask", GOSRC "runtime/trace/annotation.go", 43},
    {"runtime/trace.(*Task).End", GOSRC "runtime/trace/annotation.go", 93},
    {"runtime/trace.StartRegion", GOSRC "runtime/trace/annotation.go", 178},
    {"iter.Pull.func1", GOSRC "iter/iter.go", 72},
    {"iter.Pull.func2", GOSRC "iter/iter.go", 80},
    {"encoding/json.Unmarshal", GOSRC "encoding/json/decode.go", 108},
    {"encoding/json.(*decodeState).object", GOSRC "encoding/json/decode.go", 636},
    {"strings.(*Builder).WriteString", GOSRC "strings/builder.go", 108},
    {"fmt.Fprintf", GOSRC "fmt/print.go", 225},
    {"main.handle", APP "handler.go", 88},
    {"main.fib", APP "main.go", 12},
    {"main.(*Cache).Get", APP "cache.go", 57},
    /* goroutine entry points */
    {"main.main", APP "main.go", 42},
    {"main.worker", APP "worker.go", 17},
    {"main.producer", APP "main.go", 71},
    {"main.consumer", APP "main.go", 95},
    {"main.(*Server).Run", APP "server.go", 131},
    {"net/http.(*conn).serve", GOSRC "net/http/server.go", 2102},
    {"net/http.(*persistConn).readLoop", GOSRC "net/http/transport.go", 2325},
    {"runtime.gcBgMarkWorker", GOSRC "runtime/mgc.go", 1363},
    {"runtime.bgsweep", GOSRC "runtime/mgcsweep.go", 300},
    {"main._Cfunc_callback", APP "_cgo_gotypes.go", 61},
    {"main.main.func1", APP "main.go", 58},
    {"main.main.gowrap2", APP "main.go", 64},
    /* the recursive one of the deepest stack; its file name gets the long path */
    {"main.recurse", NULL, 150},
};
#define NFUNC_DEFS (sizeof func_defs / sizeof func_defs[0])
#define FIRST_MIDDLE 12
#define FIRST_ENTRY 42
#define RECURSE_FUNC (NFUNC_DEFS - 1)
#define NGENERAL_STACKS 160

/* AllocFree types: name, size, pointer bytes. */
static const struct type_def {
    const char *name;
    uint64_t size, ptr;
} type_defs[] = {
    {"main.Node", 48, 16},      {"[]uint8", 24, 8},          {"string", 16, 8},
    {"*http.Request", 8, 8},    {"runtime.hchan", 96, 48},   {"map.bucket[string]int", 208, 136},
    {"main.Point", 16, 0},      {"sync.Mutex", 8, 0},        {"[64]uint8", 64, 0},
    {"json.decodeState", 184, 120},
};
#define NTYPES (sizeof type_defs / sizeof type_defs[0])

unsigned gx_ntypes(void) { return NTYPES; }

static unsigned add_strs(gx *x, const char *const *v, unsigned n, unsigned *start) {
    *start = x->nstrs;
    for (unsigned i = 0; i < n; i++) {
        x->strs[x->nstrs].s = v[i];
        x->strs[x->nstrs].len = (uint32_t)strlen(v[i]);
        x->nstrs++;
    }
    return n;
}

static unsigned str_find_or_add(gx *x, const char *s) {
    for (unsigned i = 0; i < x->nstrs; i++)
        if (!strcmp(x->strs[i].s, s)) return i;
    x->strs[x->nstrs].s = s;
    x->strs[x->nstrs].len = (uint32_t)strlen(s);
    return x->nstrs++;
}

#define ARRAY_N(a) (unsigned)(sizeof a / sizeof a[0])

int gx_pools_init(gx *x) {
    const gth_allocator *a = x->a;
    unsigned cap = ARRAY_N(block_reasons) + ARRAY_N(stop_reasons) + ARRAY_N(labels) + ARRAY_N(stw_kinds) +
                   ARRAY_N(task_names) + ARRAY_N(region_names) + ARRAY_N(categories) + ARRAY_N(messages) +
                   2 * NFUNC_DEFS + 2;
    x->strs = gth_calloc(a, cap, sizeof *x->strs);
    x->funcs = gth_calloc(a, NFUNC_DEFS, sizeof *x->funcs);
    x->long_str = gth_calloc(a, GTH_MAX_STRING_SIZE + 1, 1);
    if (!x->strs || !x->funcs || !x->long_str) return GTH_ENOMEM;
    x->n_block = add_strs(x, block_reasons, ARRAY_N(block_reasons), &x->s_block);
    x->n_stop = add_strs(x, stop_reasons, ARRAY_N(stop_reasons), &x->s_stop);
    x->n_label = add_strs(x, labels, ARRAY_N(labels), &x->s_label);
    x->n_stw = add_strs(x, stw_kinds, ARRAY_N(stw_kinds), &x->s_stw);
    x->n_task = add_strs(x, task_names, ARRAY_N(task_names), &x->s_task);
    x->n_region = add_strs(x, region_names, ARRAY_N(region_names), &x->s_region);
    x->n_cat = add_strs(x, categories, ARRAY_N(categories), &x->s_cat);
    x->n_msg = add_strs(x, messages, ARRAY_N(messages), &x->s_msg);

    /* A file path of exactly the maximum string length, as a deeply vendored
     * module would give (the runtime keeps the last 1024 bytes). */
    static const char seg[] = "vendor/github.com/example/very-long-module-name/internal/";
    size_t n = 0;
    memcpy(x->long_str, "/home/gopher/go/pkg/mod/", 24);
    n = 24;
    while (n + sizeof seg - 1 + 10 < GTH_MAX_STRING_SIZE) {
        memcpy(x->long_str + n, seg, sizeof seg - 1);
        n += sizeof seg - 1;
    }
    while (n < GTH_MAX_STRING_SIZE - 8) x->long_str[n++] = 'x';
    memcpy(x->long_str + n, "/deep.go", 8);
    x->long_str[GTH_MAX_STRING_SIZE] = 0;
    x->s_long = x->nstrs;
    x->strs[x->nstrs].s = x->long_str;
    x->strs[x->nstrs].len = GTH_MAX_STRING_SIZE;
    x->nstrs++;

    /* Functions: believable PCs, ascending, seeded placement. */
    uint64_t pc = 0x401000 + (gth_rng_next(&x->rng) % 64) * 0x1000;
    for (unsigned i = 0; i < NFUNC_DEFS; i++) {
        x->funcs[i].name = str_find_or_add(x, func_defs[i].name);
        x->funcs[i].file = func_defs[i].file ? str_find_or_add(x, func_defs[i].file) : x->s_long;
        x->funcs[i].line = func_defs[i].line;
        x->funcs[i].pc = pc;
        pc += 0x200 + (gth_rng_next(&x->rng) % 32) * 0x40;
    }
    x->nfuncs = NFUNC_DEFS;
    /* The runtime's string table gives a text one id per generation, even when
     * two pools hold it (block and stop reasons share "unspecified" and
     * "preempted"). */
    for (unsigned i = 0; i < x->nstrs; i++) {
        x->strs[i].canon = i;
        for (unsigned j = 0; j < i; j++)
            if (x->strs[j].len == x->strs[i].len && !memcmp(x->strs[j].s, x->strs[i].s, x->strs[i].len)) {
                x->strs[i].canon = j;
                break;
            }
    }

    /* Stacks: one start stack (one frame) per function, general stacks, and
     * one of the maximum depth. Frames are leaf first. */
    x->nstart_stks = NFUNC_DEFS;
    x->nstks = NFUNC_DEFS + NGENERAL_STACKS + 1;
    x->deep_stk = x->nstks - 1;
    /* Small target sizes: fewer distinct stacks, so the tables do not outweigh
     * the events. */
    x->nstk_general = NGENERAL_STACKS;
    if (x->cfg.target_bytes && x->cfg.target_bytes < (256u << 10))
        x->nstk_general = 4 + (unsigned)(x->cfg.target_bytes / 2048);
    size_t nframes_cap = NFUNC_DEFS + (size_t)NGENERAL_STACKS * 24 + GTH_MAX_FRAMES;
    x->stk_frames = gth_calloc(a, nframes_cap, sizeof *x->stk_frames);
    x->stk_off = gth_calloc(a, x->nstks, sizeof *x->stk_off);
    x->stk_len = gth_calloc(a, x->nstks, sizeof *x->stk_len);
    x->frames_scratch = gth_calloc(a, (size_t)GTH_MAX_FRAMES * 4, sizeof *x->frames_scratch);
    if (!x->stk_frames || !x->stk_off || !x->stk_len || !x->frames_scratch) return GTH_ENOMEM;
    uint32_t nf = 0;
    for (unsigned i = 0; i < NFUNC_DEFS; i++) {
        x->stk_off[i] = nf;
        x->stk_len[i] = 1;
        x->stk_frames[nf++] = i << 8; /* entry: line offset 0 */
    }
    for (unsigned k = 0; k < NGENERAL_STACKS; k++) {
        unsigned s = NFUNC_DEFS + k;
        unsigned depth = 2 + gth_rng_below(&x->rng, 8);
        if (gth_rng_chance(&x->rng, 128)) depth += 8 + gth_rng_below(&x->rng, 12);
        x->stk_off[s] = nf;
        x->stk_len[s] = (uint16_t)depth;
        for (unsigned d = 0; d < depth; d++) {
            unsigned fn;
            if (d == 0) fn = gth_rng_below(&x->rng, FIRST_MIDDLE);
            else if (d == depth - 1) fn = FIRST_ENTRY + gth_rng_below(&x->rng, (unsigned)(RECURSE_FUNC - FIRST_ENTRY));
            else fn = FIRST_MIDDLE + gth_rng_below(&x->rng, FIRST_ENTRY - FIRST_MIDDLE);
            x->stk_frames[nf++] = fn << 8 | (1 + gth_rng_below(&x->rng, 120));
        }
    }
    x->stk_off[x->deep_stk] = nf;
    x->stk_len[x->deep_stk] = GTH_MAX_FRAMES;
    x->stk_frames[nf++] = 0u << 8 | 3; /* runtime.gopark */
    for (unsigned d = 1; d < GTH_MAX_FRAMES - 1; d++) x->stk_frames[nf++] = (uint32_t)RECURSE_FUNC << 8 | 4;
    x->stk_frames[nf++] = (uint32_t)FIRST_ENTRY << 8 | 9; /* main.main */

    /* Per-generation id tables. */
    x->str_gen = gth_calloc(a, x->nstrs, sizeof *x->str_gen);
    x->str_id = gth_calloc(a, x->nstrs, sizeof *x->str_id);
    x->stk_gen = gth_calloc(a, x->nstks, sizeof *x->stk_gen);
    x->stk_id = gth_calloc(a, x->nstks, sizeof *x->stk_id);
    x->stk_used = gth_calloc(a, x->nstks, sizeof *x->stk_used);
    x->typ_gen = gth_calloc(a, NTYPES, sizeof *x->typ_gen);
    x->typ_id = gth_calloc(a, NTYPES, sizeof *x->typ_id);
    x->typ_used = gth_calloc(a, NTYPES, sizeof *x->typ_used);
    if (!x->str_gen || !x->str_id || !x->stk_gen || !x->stk_id || !x->stk_used || !x->typ_gen ||
        !x->typ_id || !x->typ_used)
        return GTH_ENOMEM;
    return GTH_OK;
}

void gx_pools_free(gx *x) {
    const gth_allocator *a = x->a;
    unsigned cap = ARRAY_N(block_reasons) + ARRAY_N(stop_reasons) + ARRAY_N(labels) + ARRAY_N(stw_kinds) +
                   ARRAY_N(task_names) + ARRAY_N(region_names) + ARRAY_N(categories) + ARRAY_N(messages) +
                   2 * NFUNC_DEFS + 2;
    size_t nframes_cap = NFUNC_DEFS + (size_t)NGENERAL_STACKS * 24 + GTH_MAX_FRAMES;
    gth_free(a, x->strs, cap * sizeof *x->strs);
    gth_free(a, x->funcs, NFUNC_DEFS * sizeof *x->funcs);
    gth_free(a, x->long_str, GTH_MAX_STRING_SIZE + 1);
    gth_free(a, x->stk_frames, nframes_cap * sizeof *x->stk_frames);
    gth_free(a, x->stk_off, x->nstks * sizeof *x->stk_off);
    gth_free(a, x->stk_len, x->nstks * sizeof *x->stk_len);
    gth_free(a, x->frames_scratch, (size_t)GTH_MAX_FRAMES * 4 * sizeof *x->frames_scratch);
    gth_free(a, x->str_gen, x->nstrs * sizeof *x->str_gen);
    gth_free(a, x->str_id, x->nstrs * sizeof *x->str_id);
    gth_free(a, x->stk_gen, x->nstks * sizeof *x->stk_gen);
    gth_free(a, x->stk_id, x->nstks * sizeof *x->stk_id);
    gth_free(a, x->stk_used, x->nstks * sizeof *x->stk_used);
    gth_free(a, x->typ_gen, NTYPES * sizeof *x->typ_gen);
    gth_free(a, x->typ_id, NTYPES * sizeof *x->typ_id);
    gth_free(a, x->typ_used, NTYPES * sizeof *x->typ_used);
}

/* ---- Strings ---------------------------------------------------------------- */

void gx_flush_strings(gx *x) {
    if (x->strbuf.len == 0 && !x->strbuf.failed) return;
    gx_put_global(x, &x->strbuf, 0);
    if (++x->strbatches == 2) gx_count(x, GTH_TR_STRINGS_SPLIT);
}

static void write_string(gx *x, uint64_t id, const char *s, size_t len) {
    /* Strings batches fill up like the runtime's: flushed when the next one
     * might not fit. */
    if (x->strbuf.len && x->strbuf.len + len + 24 > x->batch_cap) gx_flush_strings(x);
    uint64_t f[F__N];
    if (x->strbuf.len == 0) gx_emit_raw(x, &x->strbuf, GTH_EV_Strings, f, NULL, 0, NULL, 0);
    f[F_ID] = id;
    gx_emit_raw(x, &x->strbuf, GTH_EV_String, f, s, len, NULL, 0);
    if (len == GTH_MAX_STRING_SIZE) gx_count(x, GTH_TR_LONG_STRING);
}

uint64_t gx_str_ref(gx *x, unsigned k) {
    if (x->strs[k].len == 0) return 0; /* the empty string is id 0, never written */
    k = x->strs[k].canon;
    if (x->str_gen[k] != x->gen) {
        x->str_gen[k] = x->gen;
        x->str_id[k] = (uint32_t)(++x->str_next);
        write_string(x, x->str_id[k], x->strs[k].s, x->strs[k].len);
    }
    return x->str_id[k];
}

uint64_t gx_str_unique(gx *x, const char *s, size_t len) {
    if (len == 0) return 0;
    uint64_t id = ++x->str_next;
    write_string(x, id, s, len);
    return id;
}

/* ---- Stacks ----------------------------------------------------------------- */

uint64_t gx_stk_ref(gx *x, unsigned k) {
    if (x->stk_gen[k] != x->gen) {
        x->stk_gen[k] = x->gen;
        x->stk_id[k] = (uint32_t)(++x->stk_next);
        x->stk_used[x->nstk_used++] = k;
    }
    return x->stk_id[k];
}

unsigned gx_rand_stack(gx *x) {
    if (x->nstk_general == NGENERAL_STACKS && gth_rng_chance(&x->rng, 1) && gth_rng_chance(&x->rng, 64))
        return x->deep_stk;
    return x->nstart_stks + gth_rng_below(&x->rng, x->nstk_general);
}

unsigned gx_start_stack(gx *x, unsigned func) { return func < x->nstart_stks ? func : 0; }

uint64_t gx_typ_ref(gx *x, unsigned k) {
    if (x->typ_gen[k] != x->gen) {
        x->typ_gen[k] = x->gen;
        x->typ_id[k] = (uint32_t)(++x->typ_next);
        x->typ_used[x->ntyp_used++] = k;
    }
    return x->typ_id[k];
}

static void dump_stacks(gx *x) {
    gth_buf sb;
    gth_buf_init(&sb, x->a);
    uint64_t f[F__N];
    for (unsigned u = 0; u < x->nstk_used; u++) {
        unsigned k = x->stk_used[u];
        unsigned n = x->stk_len[k];
        const uint32_t *fr = x->stk_frames + x->stk_off[k];
        uint64_t *v = x->frames_scratch;
        for (unsigned i = 0; i < n; i++) {
            const gx_func *fn = &x->funcs[fr[i] >> 8];
            uint32_t off = fr[i] & 0xff;
            v[4 * i + 0] = fn->pc + 4 * off + (off ? 0x10 : 0);
            v[4 * i + 1] = gx_str_ref(x, fn->name);
            v[4 * i + 2] = gx_str_ref(x, fn->file);
            v[4 * i + 3] = fn->line + off;
        }
        if (sb.len && sb.len + 2 * 10 + (size_t)n * 40 > x->batch_cap) gx_put_global(x, &sb, 0);
        if (sb.len == 0) gx_emit_raw(x, &sb, GTH_EV_Stacks, f, NULL, 0, NULL, 0);
        f[F_ID] = x->stk_id[k];
        f[F_COUNT] = n;
        gx_emit_raw(x, &sb, GTH_EV_Stack, f, NULL, 0, v, n);
        if (n == GTH_MAX_FRAMES) gx_count(x, GTH_TR_DEEP_STACK);
    }
    gx_put_global(x, &sb, 0);
    gth_buf_free(&sb);
}

static void dump_types(gx *x) {
    if (x->ntyp_used == 0) return;
    gth_buf tb;
    gth_buf_init(&tb, x->a);
    gth_buf_putc(&tb, 0); /* traceAllocFreeTypesBatch */
    for (unsigned u = 0; u < x->ntyp_used; u++) {
        const struct type_def *t = &type_defs[x->typ_used[u]];
        if (tb.len > 1 && tb.len + 64 + strlen(t->name) > x->batch_cap) {
            gx_put_experimental(x, tb.data, tb.len);
            tb.len = 0;
            gth_buf_putc(&tb, 0);
        }
        gth_buf_put_uvarint(&tb, x->typ_id[x->typ_used[u]]);
        gth_buf_put_uvarint(&tb, 0x4a1000 + (uint64_t)x->typ_used[u] * 0x60);
        gth_buf_put_uvarint(&tb, t->size);
        gth_buf_put_uvarint(&tb, t->ptr);
        gth_buf_put_uvarint(&tb, strlen(t->name));
        gth_buf_append(&tb, t->name, strlen(t->name));
    }
    if (tb.failed) gx_fail(x, GTH_ENOMEM, "out of memory");
    else gx_put_experimental(x, tb.data, tb.len);
    gx_count(x, GTH_TR_ALLOCFREE_TYPES);
    gth_buf_free(&tb);
}

void gx_tables_dump(gx *x) {
    dump_stacks(x);
    dump_types(x);
    gx_flush_strings(x);
    x->nstk_used = 0;
    x->ntyp_used = 0;
    x->str_next = x->stk_next = x->typ_next = 0;
    x->strbatches = 0;
}
