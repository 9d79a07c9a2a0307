/*
 * The scheduler model: threads (M), procs (P) and goroutines (G) with their
 * states, and the runtime actions that move them, each emitting the events the
 * Go runtime emits for it (runtime/traceruntime.go, tracestatus.go, trace.go).
 *
 * The model is its own reading of the format, never the validator's. Its rules:
 *   - every event of an M with a P or a G is preceded, at the first mention of
 *     that P or G in the generation, by its status (the runtime's eventWriter);
 *     a goroutine woken by another M gets GoStatus Waiting (m = NoThread) first;
 *   - sequence numbers per G and per P restart every generation; everything that
 *     crosses Ms is ordered by them (or by the GC sequence), never by time;
 *   - at the end of a generation every live P and G has been mentioned: running
 *     goroutines are preempted, Ps get ProcStatus, syscall Ps are stolen by the
 *     advancing M, the rest get GoStatus/GoStatusStack in a NoThread batch.
 * The walk is deterministic in the seed.
 */
#include <string.h>

#include "generator/internal.h"

#define NO GTH_NO_ID

enum {
    A_STOP, A_BLOCK, A_UNBLOCK, A_CREATE, A_DESTROY, A_SYSCALL, A_TASK, A_REGION, A_LOG, A_HEAP,
    A_GC, A_ASSIST, A_SWEEP, A_STW, A_PROCS, A_CORO, A_ALLOC, A_STEAL, A__N
};

static inline uint32_t rnd(gx *x, uint32_t n) { return gth_rng_below(&x->rng, n); }
static inline int chance(gx *x, uint32_t per1024) { return gth_rng_chance(&x->rng, per1024); }
static inline int feat(gx *x, uint32_t f) { return (x->feat & f) != 0; }
static inline int idx_m(gx *x, gm *m) { return (int)(m - x->ms); }

/* ---- Lists ---------------------------------------------------------------- */

static void list_add(int32_t *v, unsigned *n, int32_t *pos, int32_t id) {
    *pos = (int32_t)*n;
    v[(*n)++] = id;
}

static void runq_add(gx *x, int gi) { list_add(x->runq, &x->nrunq, &x->gs[gi].pos, gi); }
static void waitq_add(gx *x, int gi) { list_add(x->waitq, &x->nwaitq, &x->gs[gi].pos, gi); }
static void idlep_add(gx *x, int pi) { list_add(x->idlep, &x->nidlep, &x->ps[pi].idle_pos, pi); }

static void runq_del(gx *x, int gi) {
    int32_t i = x->gs[gi].pos, last = x->runq[--x->nrunq];
    x->runq[i] = last;
    x->gs[last].pos = i;
    x->gs[gi].pos = -1;
}
static void waitq_del(gx *x, int gi) {
    int32_t i = x->gs[gi].pos, last = x->waitq[--x->nwaitq];
    x->waitq[i] = last;
    x->gs[last].pos = i;
    x->gs[gi].pos = -1;
}
static void idlep_del(gx *x, int pi) {
    int32_t i = x->ps[pi].idle_pos, last = x->idlep[--x->nidlep];
    x->idlep[i] = last;
    x->ps[last].idle_pos = i;
    x->ps[pi].idle_pos = -1;
}

/* ---- Entity state ---------------------------------------------------------- */

/* Binds or unbinds M m's P, keeping the list of Ms that hold one. */
static void m_setp(gx *x, gm *m, int pi) {
    if (m->p < 0 && pi >= 0) {
        list_add(x->pm, &x->npm, &m->pm_pos, idx_m(x, m));
    } else if (m->p >= 0 && pi < 0) {
        int32_t i = m->pm_pos, last = x->pm[--x->npm];
        x->pm[i] = last;
        x->ms[last].pm_pos = i;
        m->pm_pos = -1;
    }
    m->p = pi;
}

static void g_runnable(gx *x, int gi) {
    gg *g = &x->gs[gi];
    g->state = G_RUNNABLE;
    g->m = -1;
    runq_add(x, gi);
}

static void g_waiting(gx *x, int gi, int kind) {
    gg *g = &x->gs[gi];
    g->state = G_WAITING;
    g->wait = (uint8_t)kind;
    g->m = -1;
    g->blocked_gen = x->gen;
    if (kind == W_NORMAL) waitq_add(x, gi);
}

static int g_alloc(gx *x) {
    if (x->nfreeg == 0) return -1;
    int gi = x->freeg[--x->nfreeg];
    gg *g = &x->gs[gi];
    memset(g, 0, sizeof *g);
    g->m = g->pos = g->parent = g->child = -1;
    x->ng_live++;
    return gi;
}

static void g_free(gx *x, int gi) {
    x->gs[gi].state = G_FREE;
    x->freeg[x->nfreeg++] = gi;
    x->ng_live--;
}

static void p_idle(gx *x, int pi) {
    gp *p = &x->ps[pi];
    p->state = P_IDLE;
    p->m = -1;
    if (p->active) idlep_add(x, pi);
}

/* Goroutine ids come from per-P caches of 16, as in the runtime. */
static uint64_t new_goid(gx *x, int pi) {
    if (pi < 0) return ++x->goid_global;
    gp *p = &x->ps[pi];
    if (p->goid_next == p->goid_end) {
        p->goid_next = x->goid_global + 1;
        x->goid_global += 16;
        p->goid_end = x->goid_global + 1;
    }
    return p->goid_next++;
}

/* ---- Status events -------------------------------------------------------- */

static uint64_t gstatus_of(const gg *g) {
    switch (g->state) {
    case G_RUNNABLE: return GTH_GS_RUNNABLE;
    case G_RUNNING: return GTH_GS_RUNNING;
    case G_SYSCALL: return GTH_GS_SYSCALL;
    default: return GTH_GS_WAITING;
    }
}

static uint64_t pstatus_of(const gp *p) {
    switch (p->state) {
    case P_RUNNING: return GTH_PS_RUNNING;
    case P_SYSCALL: return GTH_PS_SYSCALL;
    case P_ABANDONED: return GTH_PS_ABANDONED;
    default: return GTH_PS_IDLE;
    }
}

static uint64_t cur_stack(gx *x, gm *m) { return m->g >= 0 ? gx_stk_ref(x, gx_rand_stack(x)) : 0; }

static void emit_pstatus_as(gx *x, gm *w, int pi, uint64_t status) {
    gp *p = &x->ps[pi];
    uint64_t f[F__N];
    if (!p->seen && x->gen_index > 0) gx_count(x, GTH_TR_PROC_NEW_LATER);
    f[F_P] = p->id;
    f[F_STATUS] = status;
    gx_emit(x, w, GTH_EV_ProcStatus, f);
    p->traced = x->gen;
    p->seen = 1;
    if (p->in_sweep) {
        f[F_P] = p->id;
        gx_emit(x, w, GTH_EV_GCSweepActive, f);
        gx_count(x, GTH_TR_SWEEP_ACTIVE);
    }
}

static void emit_pstatus(gx *x, gm *w, int pi) {
    gp *p = &x->ps[pi];
    static const uint8_t tr[] = {[P_IDLE] = GTH_TR_PS_IDLE, [P_RUNNING] = GTH_TR_PS_RUNNING,
                                 [P_SYSCALL] = GTH_TR_PS_SYSCALL, [P_ABANDONED] = GTH_TR_PS_IDLE};
    gx_count(x, tr[p->state]);
    emit_pstatus_as(x, w, pi, pstatus_of(p));
}

static void emit_gstatus(gx *x, gm *w, int gi, uint64_t mid, int with_stack) {
    gg *g = &x->gs[gi];
    uint64_t f[F__N];
    f[F_G] = g->goid;
    f[F_M] = mid;
    f[F_STATUS] = gstatus_of(g);
    if (with_stack) {
        f[F_STACK] = gx_stk_ref(x, gx_rand_stack(x));
        gx_emit(x, w, GTH_EV_GoStatusStack, f);
    } else {
        gx_emit(x, w, GTH_EV_GoStatus, f);
    }
    g->traced = x->gen;
    if (g->in_assist) {
        f[F_G] = g->goid;
        gx_emit(x, w, GTH_EV_GCMarkAssistActive, f);
        gx_count(x, GTH_TR_ASSIST_ACTIVE);
    }
}

/* The runtime's eventWriter: statuses of this M's P and G at first mention. */
static void writer(gx *x, gm *m) {
    if (m->p >= 0 && x->ps[m->p].traced != x->gen) emit_pstatus(x, m, m->p);
    if (m->g >= 0 && x->gs[m->g].traced != x->gen) {
        gg *g = &x->gs[m->g];
        static const uint8_t tr[] = {[G_RUNNABLE] = GTH_TR_GS_RUNNABLE, [G_RUNNING] = GTH_TR_GS_RUNNING,
                                     [G_SYSCALL] = GTH_TR_GS_SYSCALL, [G_WAITING] = GTH_TR_GS_RUNNING};
        gx_count(x, tr[g->state]);
        emit_gstatus(x, m, m->g, m->id, 0);
    }
}

/* GoStatus Waiting (m = NoThread) for a goroutine about to be woken by another M. */
static int unblock_status(gx *x, gm *m, int gi) {
    if (x->gs[gi].traced == x->gen) return 0;
    emit_gstatus(x, m, gi, NO, 0);
    return 1;
}

/* ---- Goroutine actions ----------------------------------------------------- */

static void start_g(gx *x, gm *m, int gi) {
    gg *g = &x->gs[gi];
    uint64_t f[F__N];
    m->g = gi;
    g->m = idx_m(x, m);
    writer(x, m); /* GoStatus Runnable if untraced: the status before the event */
    f[F_G] = g->goid;
    f[F_SEQ] = ++g->seq;
    gx_emit(x, m, GTH_EV_GoStart, f);
    g->state = G_RUNNING;
    gx_count(x, GTH_TR_GO_START);
    if ((g->flags & GF_WORKER) && x->gc_running) {
        f[F_STR0] = gx_str_ref(x, x->s_label + 1 + rnd(x, x->n_label - 1));
        gx_emit(x, m, GTH_EV_GoLabel, f);
        gx_count(x, GTH_TR_GC_WORKER_LABEL);
    }
}

static int act_start(gx *x, gm *m) {
    if (x->nrunq == 0) return 0;
    int gi = x->runq[rnd(x, x->nrunq)];
    runq_del(x, gi);
    start_g(x, m, gi);
    return 1;
}

static void go_stop(gx *x, gm *m, int preempt) {
    uint64_t f[F__N];
    writer(x, m);
    f[F_STR0] = gx_str_ref(x, x->s_stop + (preempt ? 2 : 1));
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_GoStop, f);
    int gi = m->g;
    m->g = -1;
    g_runnable(x, gi);
}

static int act_stop(gx *x, gm *m) {
    int preempt = chance(x, 512);
    go_stop(x, m, preempt);
    gx_count(x, preempt ? GTH_TR_GO_STOP_PREEMPT : GTH_TR_GO_STOP_SCHED);
    return 1;
}

static int act_block(gx *x, gm *m) {
    uint64_t f[F__N];
    gg *g = &x->gs[m->g];
    unsigned reason;
    if (g->in_assist && chance(x, 256)) {
        reason = 8; /* GC mark assist wait for work */
        gx_count(x, GTH_TR_ASSIST_BLOCKED);
    } else if (g->flags & GF_WORKER) {
        reason = 10; /* system goroutine wait */
    } else {
        static const uint8_t common[] = {2, 3, 4, 5, 6, 7, 7, 6, 14, 0, 2, 7};
        reason = common[rnd(x, sizeof common)];
    }
    writer(x, m);
    f[F_STR0] = gx_str_ref(x, x->s_block + reason);
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_GoBlock, f);
    int gi = m->g;
    m->g = -1;
    g_waiting(x, gi, W_NORMAL);
    gx_count(x, GTH_TR_GO_BLOCK);
    return 1;
}

/* GoUnblock of a waiting goroutine by whatever runs on m (G, scheduler, bare). */
static void unblock_g(gx *x, gm *m, int wi) {
    uint64_t f[F__N];
    gg *w = &x->gs[wi];
    waitq_del(x, wi);
    if (unblock_status(x, m, wi)) gx_count(x, GTH_TR_GO_UNBLOCK_STATUS);
    writer(x, m);
    f[F_G] = w->goid;
    f[F_SEQ] = ++w->seq;
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_GoUnblock, f);
    if (w->blocked_gen < x->gen) gx_count(x, GTH_TR_GO_WAIT_ACROSS_GEN);
    g_runnable(x, wi);
    gx_count(x, m->g >= 0 ? GTH_TR_GO_UNBLOCK_G : m->p >= 0 ? GTH_TR_GO_UNBLOCK_SCHED : GTH_TR_GO_UNBLOCK_BARE);
}

static int act_unblock(gx *x, gm *m) {
    if (x->nwaitq == 0) return 0;
    unblock_g(x, m, x->waitq[rnd(x, x->nwaitq)]);
    return 1;
}

static void af_stack_alloc(gx *x, gm *m);
static void af_stack_free(gx *x, gm *m);

/* go statement (or, blocked, the coroutine of iter.Pull): returns the new slot or -1. */
static int create_g(gx *x, gm *m, int blocked) {
    if (x->ng_live >= x->ng_target) return -1;
    int gi = g_alloc(x);
    if (gi < 0) return -1;
    uint64_t f[F__N];
    gg *g = &x->gs[gi];
    g->goid = new_goid(x, m->p);
    g->func = (uint16_t)(blocked ? 34 /* iter.Pull.func2 */ : 42 + rnd(x, 7));
    writer(x, m);
    f[F_G] = g->goid;
    f[F_NEWSTACK] = gx_stk_ref(x, gx_start_stack(x, g->func));
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, blocked ? GTH_EV_GoCreateBlocked : GTH_EV_GoCreate, f);
    g->traced = x->gen;
    g->seq = 0;
    if (blocked) {
        g_waiting(x, gi, W_CORO);
    } else {
        g_runnable(x, gi);
        gx_count(x, GTH_TR_GO_CREATE);
    }
    if (x->allocfree_events && chance(x, 512)) af_stack_alloc(x, m);
    return gi;
}

static int act_create(gx *x, gm *m) { return create_g(x, m, 0) >= 0; }

static unsigned min_live(gx *x) { return 2 + x->gomaxprocs; }

static int act_destroy(gx *x, gm *m) {
    gg *g = &x->gs[m->g];
    if ((g->flags & (GF_CGO | GF_MAIN | GF_WORKER)) || g->in_assist || g->parent >= 0 || g->child >= 0 ||
        x->ng_live <= min_live(x))
        return 0;
    uint64_t f[F__N];
    writer(x, m);
    gx_emit(x, m, GTH_EV_GoDestroy, f);
    g_free(x, m->g);
    m->g = -1;
    gx_count(x, GTH_TR_GO_DESTROY);
    if (x->allocfree_events && chance(x, 512)) af_stack_free(x, m);
    return 1;
}

/* ---- Procs ------------------------------------------------------------------ */

static void proc_start(gx *x, gm *m, int pi) {
    uint64_t f[F__N];
    gp *p = &x->ps[pi];
    idlep_del(x, pi);
    m_setp(x, m, pi);
    p->m = idx_m(x, m);
    writer(x, m); /* ProcStatus Idle if untraced */
    f[F_P] = p->id;
    f[F_SEQ] = ++p->seq;
    gx_emit(x, m, GTH_EV_ProcStart, f);
    p->state = P_RUNNING;
    gx_count(x, GTH_TR_PROC_START);
}

static void proc_stop(gx *x, gm *m) {
    uint64_t f[F__N];
    writer(x, m);
    gx_emit(x, m, GTH_EV_ProcStop, f);
    int pi = m->p;
    if (x->ps[pi].state == P_SYSCALL || x->ps[pi].state == P_ABANDONED) x->nsyscallp--;
    else gx_count(x, GTH_TR_PROC_STOP);
    m_setp(x, m, -1);
    p_idle(x, pi);
}

/* ProcSteal of P pi (in Syscall, or SyscallAbandoned) by thief. */
static void steal(gx *x, gm *thief, int pi, unsigned tr) {
    uint64_t f[F__N];
    gp *p = &x->ps[pi];
    if (p->traced != x->gen) {
        /* The runtime states SyscallAbandoned for a P it steals before anyone
         * mentioned it in this generation. */
        if (!p->seen) gx_count(x, GTH_TR_STEAL_UNKNOWN_P);
        else if (p->state == P_SYSCALL) gx_count(x, GTH_TR_STEAL_PROMOTION);
        emit_pstatus_as(x, thief, pi, GTH_PS_ABANDONED);
    }
    writer(x, thief);
    gm *victim = &x->ms[p->m];
    f[F_P] = p->id;
    f[F_SEQ] = ++p->seq;
    f[F_M] = victim->id;
    gx_emit(x, thief, GTH_EV_ProcSteal, f);
    if (p->state == P_SYSCALL) m_setp(x, victim, -1);
    else gx_count(x, GTH_TR_STEAL_ABANDONED);
    x->nsyscallp--;
    p_idle(x, pi);
    gx_count(x, tr);
}

/* A random P in Syscall or SyscallAbandoned not held by m, or -1. */
static int find_stealable(gx *x, gm *m) {
    if (x->nsyscallp == 0) return -1;
    unsigned start = rnd(x, x->np);
    for (unsigned k = 0; k < x->np; k++) {
        unsigned pi = (start + k) % x->np;
        gp *p = &x->ps[pi];
        if ((p->state == P_SYSCALL || p->state == P_ABANDONED) && &x->ms[p->m] != m) return (int)pi;
    }
    return -1;
}

/* ---- Syscalls and cgo --------------------------------------------------------- */

static int act_syscall(gx *x, gm *m) {
    uint64_t f[F__N];
    gg *g = &x->gs[m->g];
    gp *p = &x->ps[m->p];
    if (g->in_assist) return 0; /* an assist finishes before a syscall */
    writer(x, m);
    f[F_SEQ] = ++p->seq;
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_GoSyscallBegin, f);
    g->state = G_SYSCALL;
    g->syscall_gen = x->gen;
    p->state = P_SYSCALL;
    p->syscall_gen = x->gen;
    x->nsyscallp++;
    gx_count(x, GTH_TR_SYSCALL_BEGIN);
    return 1;
}

static void cgo_destroy(gx *x, gm *m) {
    uint64_t f[F__N];
    int gi = m->g;
    gg *g = &x->gs[gi];
    if (g->traced != x->gen) {
        gx_count(x, GTH_TR_GS_SYSCALL);
        emit_gstatus(x, m, gi, m->id, 0); /* G status only: the P is not its own */
    }
    gx_emit(x, m, GTH_EV_GoDestroySyscall, f);
    if (m->p >= 0) {
        /* Go's reader abandons the P (synthetic steal); someone steals it later. */
        x->ps[m->p].state = P_ABANDONED;
        m_setp(x, m, -1);
        gx_count(x, GTH_TR_CGO_DESTROY_P);
    } else {
        gx_count(x, GTH_TR_CGO_DESTROY);
    }
    g_free(x, gi);
    m->g = -1;
}

static void syscall_exit(gx *x, gm *m) {
    uint64_t f[F__N];
    int gi = m->g;
    gg *g = &x->gs[gi];
    if (g->syscall_gen < x->gen) gx_count(x, GTH_TR_SYSCALL_ACROSS_GEN);
    int cgo_fresh = (g->flags & (GF_CGO | GF_ENTERED)) == GF_CGO;
    if (m->p >= 0) {
        gp *p = &x->ps[m->p];
        uint32_t r = rnd(x, 100);
        if ((g->flags & GF_CGO) && r < 40) {
            cgo_destroy(x, m);
        } else if (feat(x, GTH_GEN_F_STEAL) && r >= 40 && r < 46) {
            /* Exit with the P kept but counted as lost: steal it from
             * ourselves, start it again, and run. */
            int pi = m->p;
            steal(x, m, pi, GTH_TR_STEAL_SELF);
            proc_start(x, m, pi);
            writer(x, m);
            gx_emit(x, m, GTH_EV_GoSyscallEndBlocked, f);
            g->state = G_RUNNABLE;
            start_g(x, m, gi);
        } else if (r >= 46 && r < 52) {
            proc_stop(x, m); /* G stays in the syscall, without a P */
            gx_count(x, GTH_TR_SYSCALL_PROCSTOP);
        } else {
            writer(x, m);
            gx_emit(x, m, GTH_EV_GoSyscallEnd, f);
            g->state = G_RUNNING;
            p->state = P_RUNNING;
            x->nsyscallp--;
            gx_count(x, GTH_TR_SYSCALL_END);
        }
        return;
    }
    if ((g->flags & GF_CGO) && chance(x, cgo_fresh ? 300 : 600)) {
        cgo_destroy(x, m);
        return;
    }
    if (x->nidlep == 0 || chance(x, 200)) {
        writer(x, m);
        gx_emit(x, m, GTH_EV_GoSyscallEndBlocked, f);
        m->g = -1;
        g_runnable(x, gi);
        gx_count(x, GTH_TR_SYSCALL_BLOCKED_NOP);
        return;
    }
    int pi = x->idlep[rnd(x, x->nidlep)];
    if (chance(x, 512)) {
        proc_start(x, m, pi);
        writer(x, m);
        gx_emit(x, m, GTH_EV_GoSyscallEndBlocked, f);
        g->state = G_RUNNABLE;
        start_g(x, m, gi);
        gx_count(x, GTH_TR_SYSCALL_REACQUIRE);
    } else {
        writer(x, m);
        gx_emit(x, m, GTH_EV_GoSyscallEndBlocked, f);
        m->g = -1;
        g->state = G_RUNNABLE;
        g->m = -1;
        proc_start(x, m, pi);
        start_g(x, m, gi);
        gx_count(x, GTH_TR_SYSCALL_BLOCKED_THEN_P);
    }
    if (cgo_fresh) {
        g->flags |= GF_ENTERED;
        gx_count(x, GTH_TR_CGO_ENTER_GO);
    }
}

static int cgo_create(gx *x, gm *m) {
    if (x->ng_live >= x->ng_target) return 0;
    int gi = g_alloc(x);
    if (gi < 0) return 0;
    uint64_t f[F__N];
    gg *g = &x->gs[gi];
    g->goid = new_goid(x, -1);
    g->flags = GF_CGO;
    g->func = 51; /* main._Cfunc_callback */
    f[F_G] = g->goid;
    gx_emit(x, m, GTH_EV_GoCreateSyscall, f); /* no statuses: any P here is not ours */
    g->state = G_SYSCALL;
    g->m = idx_m(x, m);
    g->traced = x->gen;
    g->seq = 0;
    g->syscall_gen = x->gen;
    m->g = gi;
    gx_count(x, GTH_TR_CGO_CREATE);
    return 1;
}

/* ---- Coroutines ------------------------------------------------------------------ */

/* GoSwitch / GoSwitchDestroy from m's goroutine to waiting goroutine ti. */
static void coro_switch(gx *x, gm *m, int ti, int destroy) {
    uint64_t f[F__N];
    int ci = m->g;
    gg *t = &x->gs[ti];
    if (unblock_status(x, m, ti)) gx_count(x, GTH_TR_CORO_STATUS);
    writer(x, m);
    f[F_G] = t->goid;
    f[F_SEQ] = ++t->seq;
    gx_emit(x, m, destroy ? GTH_EV_GoSwitchDestroy : GTH_EV_GoSwitch, f);
    if (destroy) {
        if (x->gs[ci].parent == ti) t->child = -1;
        g_free(x, ci);
    } else {
        g_waiting(x, ci, W_CORO);
    }
    t->state = G_RUNNING;
    t->m = idx_m(x, m);
    m->g = ti;
}

static int coro_waiting(gx *x, int gi) {
    return gi >= 0 && x->gs[gi].state == G_WAITING && x->gs[gi].wait == W_CORO;
}

static int act_coro(gx *x, gm *m) {
    gg *g = &x->gs[m->g];
    int c = g->child, p = g->parent;
    if (coro_waiting(x, c)) {
        gg *cg = &x->gs[c];
        if (cg->child < 0 && !cg->in_assist && chance(x, 150)) {
            /* stop(): switch in, and the coroutine returns at once. */
            coro_switch(x, m, c, 0);
            coro_switch(x, m, x->gs[c].parent, 1);
            gx_count(x, GTH_TR_CORO_STOP);
            return 1;
        }
        coro_switch(x, m, c, 0);
        gx_count(x, GTH_TR_CORO_NEXT);
        return 1;
    }
    /* A coroutine may pull from an iterator of its own before yielding. */
    if (coro_waiting(x, p) && (c >= 0 || !chance(x, 160))) {
        if (g->child < 0 && !g->in_assist && chance(x, 300)) {
            coro_switch(x, m, p, 1);
            gx_count(x, GTH_TR_CORO_EXIT);
        } else {
            coro_switch(x, m, p, 0);
            gx_count(x, GTH_TR_CORO_YIELD);
        }
        return 1;
    }
    if (c >= 0 || (g->flags & GF_CGO)) return 0;
    /* iter.Pull: a new coroutine, created waiting. */
    int ni = create_g(x, m, 1);
    if (ni < 0) return 0;
    g->child = ni;
    x->gs[ni].parent = m->g;
    gx_count(x, GTH_TR_CORO_CREATE);
    if (g->parent >= 0) gx_count(x, GTH_TR_CORO_NESTED);
    return 1;
}

/* ---- GC, STW, memory ---------------------------------------------------------- */

static void stw_begin(gx *x, gm *m, unsigned kind) {
    uint64_t f[F__N];
    writer(x, m);
    f[F_STR0] = gx_str_ref(x, x->s_stw + kind);
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_STWBegin, f);
    x->now += 1 + rnd(x, 4);
}

static void stw_end(gx *x, gm *m) {
    uint64_t f[F__N];
    x->now += 1 + rnd(x, 8);
    gx_emit(x, m, GTH_EV_STWEnd, f);
}

static void gc_event(gx *x) {
    x->gc_seen = 1;
    x->gc_last_time = x->now;
    if (x->pert & GTH_GEN_P_SKEW) x->skew_on = 1;
}

static int gc_spaced(gx *x) { return x->now >= x->gc_last_time + 64; }

static int act_gc(gx *x, gm *m) {
    uint64_t f[F__N];
    if (!gc_spaced(x)) return 0;
    int stw = feat(x, GTH_GEN_F_STW) && chance(x, 700);
    if (!x->gc_running) {
        if (stw) stw_begin(x, m, 2); /* GC sweep termination */
        writer(x, m);
        f[F_SEQ] = x->gc_seq++;
        f[F_STACK] = cur_stack(x, m);
        gx_emit(x, m, GTH_EV_GCBegin, f);
        x->gc_running = 1;
        gx_count(x, GTH_TR_GC_BEGIN);
    } else {
        if (stw) stw_begin(x, m, 1); /* GC mark termination */
        writer(x, m);
        f[F_SEQ] = x->gc_seq++;
        gx_emit(x, m, GTH_EV_GCEnd, f);
        x->gc_running = 0;
        gx_count(x, GTH_TR_GC_END);
    }
    gc_event(x);
    if (stw) {
        stw_end(x, m);
        gx_count(x, GTH_TR_STW_GC);
    }
    if (!x->gc_running && feat(x, GTH_GEN_F_HEAP)) {
        x->heap_goal = x->heap_live * 2 + 4096 * (1 + rnd(x, 1024));
        f[F_V0] = x->heap_goal;
        gx_emit(x, m, GTH_EV_HeapGoal, f);
    }
    return 1;
}

static int act_assist(gx *x, gm *m) {
    uint64_t f[F__N];
    gg *g = &x->gs[m->g];
    if (!g->in_assist) {
        if (!x->gc_running) return 0;
        writer(x, m);
        f[F_STACK] = cur_stack(x, m);
        gx_emit(x, m, GTH_EV_GCMarkAssistBegin, f);
        g->in_assist = 1;
    } else {
        writer(x, m);
        gx_emit(x, m, GTH_EV_GCMarkAssistEnd, f);
        g->in_assist = 0;
        gx_count(x, GTH_TR_ASSIST);
    }
    return 1;
}

static int act_sweep(gx *x, gm *m) {
    uint64_t f[F__N];
    gp *p = &x->ps[m->p];
    if (p->in_sweep || x->gc_running) return 0;
    writer(x, m);
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_GCSweepBegin, f);
    p->in_sweep = 1;
    m->busy = BUSY_SWEEP;
    return 1;
}

static void sweep_end(gx *x, gm *m) {
    uint64_t f[F__N];
    writer(x, m);
    uint64_t pages = 1 + rnd(x, 64);
    f[F_V0] = pages * 8192;
    f[F_V1] = pages * 8192 / (1 + rnd(x, 8)) * rnd(x, 2);
    gx_emit(x, m, GTH_EV_GCSweepEnd, f);
    x->ps[m->p].in_sweep = 0;
    m->busy = BUSY_NONE;
    gx_count(x, GTH_TR_SWEEP);
}

static int act_heap(gx *x, gm *m) {
    uint64_t f[F__N];
    writer(x, m);
    if (chance(x, 900)) {
        uint64_t d = 512 * (1 + rnd(x, 256));
        if (chance(x, 400) && x->heap_live > d + 65536) x->heap_live -= d;
        else x->heap_live += d;
        f[F_V0] = x->heap_live;
        gx_emit(x, m, GTH_EV_HeapAlloc, f);
    } else {
        f[F_V0] = x->heap_goal;
        gx_emit(x, m, GTH_EV_HeapGoal, f);
    }
    return 1;
}

static void set_gomaxprocs(gx *x, unsigned k) {
    for (unsigned i = 0; i < x->np; i++) {
        gp *p = &x->ps[i];
        int active = i < k;
        if (active == p->active) continue;
        if (!active) {
            /* Only idle Ps go away (the world is stopped). */
            if (p->idle_pos >= 0) idlep_del(x, (int)i);
            p->active = 0;
        } else {
            p->active = 1;
            if (p->state == P_IDLE) idlep_add(x, (int)i);
        }
    }
    x->gomaxprocs = k;
}

/* Stop-the-world: light (nothing else stops) or full (every other P stops, Ps
 * in syscalls are stolen), optionally changing GOMAXPROCS. */
static int act_stw(gx *x, gm *m, int procs) {
    uint64_t f[F__N];
    int full = procs || chance(x, 400);
    static const uint8_t kinds[] = {3, 4, 5, 6, 7, 8, 0, 7};
    unsigned kind = procs ? 9 : kinds[rnd(x, sizeof kinds)];
    stw_begin(x, m, kind);
    if (full) {
        for (unsigned j = 0; j < x->nm; j++) {
            gm *o = &x->ms[j];
            if (o == m || o->p < 0 || x->ps[o->p].state != P_RUNNING) continue;
            if (o->busy) sweep_end(x, o);
            if (o->g >= 0) go_stop(x, o, 1);
            proc_stop(x, o);
        }
        int pi;
        while ((pi = find_stealable(x, m)) >= 0) steal(x, m, pi, GTH_TR_STEAL_RUNNING);
        gx_count(x, GTH_TR_STW_FULL);
    } else {
        gx_count(x, GTH_TR_STW_LIGHT);
    }
    if (procs) {
        unsigned lo = x->ps[m->p].id + 1;
        unsigned k = lo + rnd(x, x->np - lo + 1);
        set_gomaxprocs(x, k);
        f[F_V0] = k;
        f[F_STACK] = cur_stack(x, m);
        gx_emit(x, m, GTH_EV_ProcsChange, f);
        gx_count(x, GTH_TR_PROCS_CHANGE);
    } else if (feat(x, GTH_GEN_F_HEAP) && chance(x, 300)) {
        f[F_V0] = x->heap_live;
        gx_emit(x, m, GTH_EV_HeapAlloc, f);
    }
    stw_end(x, m);
    return 1;
}

/* ---- Annotations ------------------------------------------------------------ */

static uint64_t some_task(gx *x) {
    return x->ntasks && chance(x, 700) ? x->tasks[rnd(x, x->ntasks)].id : 0;
}

static int act_task(gx *x, gm *m) {
    uint64_t f[F__N];
    gg *g = &x->gs[m->g];
    if (x->ntasks && (x->ntasks == GX_MAX_TASKS || chance(x, 480))) {
        unsigned i = rnd(x, x->ntasks);
        gx_task t = x->tasks[i];
        x->tasks[i] = x->tasks[--x->ntasks];
        writer(x, m);
        f[F_TASK0] = t.id;
        f[F_STACK] = cur_stack(x, m);
        gx_emit(x, m, GTH_EV_UserTaskEnd, f);
        if (t.gen == 0) gx_count(x, GTH_TR_TASK_PRETRACE_END);
        else gx_count(x, GTH_TR_TASK);
        if (t.gen && t.gen < x->gen) gx_count(x, GTH_TR_TASK_ACROSS_GEN);
        if (t.goid != g->goid) gx_count(x, GTH_TR_TASK_END_OTHER_G);
        return 1;
    }
    uint64_t parent = some_task(x);
    writer(x, m);
    gx_task t = {x->task_next++, x->gen, g->goid};
    f[F_TASK0] = t.id;
    f[F_TASK1] = parent;
    f[F_STR0] = gx_str_ref(x, x->s_task + rnd(x, x->n_task));
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_UserTaskBegin, f);
    x->tasks[x->ntasks++] = t;
    if (parent) gx_count(x, GTH_TR_TASK_CHILD);
    return 1;
}

static int act_region(gx *x, gm *m) {
    uint64_t f[F__N];
    gg *g = &x->gs[m->g];
    if (g->nregions && (g->nregions == GX_MAX_REGIONS || chance(x, 640))) {
        unsigned i = --g->nregions;
        writer(x, m);
        f[F_TASK0] = g->region_task[i];
        f[F_STR0] = gx_str_ref(x, g->region_name[i]);
        f[F_STACK] = cur_stack(x, m);
        gx_emit(x, m, GTH_EV_UserRegionEnd, f);
        if (i < g->npretrace) {
            g->npretrace = (uint8_t)i;
            gx_count(x, GTH_TR_REGION_PRETRACE_END);
        } else {
            gx_count(x, GTH_TR_REGION);
        }
        return 1;
    }
    unsigned i = g->nregions++;
    g->region_task[i] = some_task(x);
    g->region_name[i] = (uint16_t)(x->s_region + rnd(x, x->n_region));
    writer(x, m);
    f[F_TASK0] = g->region_task[i];
    f[F_STR0] = gx_str_ref(x, g->region_name[i]);
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_UserRegionBegin, f);
    if (i > g->npretrace) gx_count(x, GTH_TR_REGION_NESTED);
    return 1;
}

static int act_log(gx *x, gm *m) {
    uint64_t f[F__N];
    unsigned cat = rnd(x, x->n_cat);
    writer(x, m);
    f[F_TASK0] = some_task(x);
    f[F_STR0] = gx_str_ref(x, x->s_cat + cat);
    if (chance(x, 2)) {
        f[F_STR1] = gx_str_unique(x, x->long_str, GTH_MAX_STRING_SIZE);
    } else {
        const gx_str *s = &x->strs[x->s_msg + rnd(x, x->n_msg)];
        f[F_STR1] = gx_str_unique(x, s->s, s->len);
    }
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_UserLog, f);
    gx_count(x, cat == 0 ? GTH_TR_LOG_NO_CATEGORY : GTH_TR_LOG);
    return 1;
}

/* ---- AllocFree ------------------------------------------------------------------ */

static uint64_t ring_take(gx *x, uint64_t *ring, unsigned *n) {
    unsigned i = rnd(x, *n);
    uint64_t v = ring[i];
    ring[i] = ring[--*n];
    return v;
}

static void af_stack_alloc(gx *x, gm *m) {
    uint64_t f[F__N];
    if (x->naf_stacks == GX_AF_RING) return;
    writer(x, m);
    x->af_next_stack += 1 + rnd(x, 3);
    f[F_V0] = x->af_next_stack;
    f[F_V1] = 14 + rnd(x, 3); /* bit length of 8 KiB .. 32 KiB */
    gx_emit(x, m, GTH_EV_GoroutineStackAlloc, f);
    x->af_stacks[x->naf_stacks++] = x->af_next_stack;
}

static void af_stack_free(gx *x, gm *m) {
    uint64_t f[F__N];
    if (x->naf_stacks == 0) return;
    writer(x, m);
    f[F_V0] = ring_take(x, x->af_stacks, &x->naf_stacks);
    gx_emit(x, m, GTH_EV_GoroutineStackFree, f);
}

static int act_alloc(gx *x, gm *m) {
    uint64_t f[F__N];
    writer(x, m);
    switch (rnd(x, 6)) {
    case 0:
        if (x->naf_spans == GX_AF_RING) goto span_free;
        x->af_next_span += 1 + rnd(x, 8);
        f[F_V0] = x->af_next_span;
        f[F_V1] = 1 + rnd(x, 8);
        f[F_V2] = chance(x, 900) ? (uint64_t)(1 + rnd(x, 135)) << 1 : 1;
        gx_emit(x, m, GTH_EV_SpanAlloc, f);
        x->af_spans[x->naf_spans++] = x->af_next_span;
        break;
    case 1:
    span_free:
        if (x->naf_spans == 0) return 1;
        f[F_V0] = ring_take(x, x->af_spans, &x->naf_spans);
        gx_emit(x, m, GTH_EV_SpanFree, f);
        break;
    case 2:
    case 3:
        if (x->naf_objs == GX_AF_RING) goto obj_free;
        x->af_next_obj += 1 + rnd(x, 16);
        f[F_V0] = x->af_next_obj;
        f[F_V1] = chance(x, 900) ? gx_typ_ref(x, rnd(x, gx_ntypes())) : 0;
        gx_emit(x, m, GTH_EV_HeapObjectAlloc, f);
        x->af_objs[x->naf_objs++] = x->af_next_obj;
        break;
    case 4:
    obj_free:
        if (x->naf_objs == 0) return 1;
        f[F_V0] = ring_take(x, x->af_objs, &x->naf_objs);
        gx_emit(x, m, GTH_EV_HeapObjectFree, f);
        break;
    default:
        if (x->naf_stacks && chance(x, 512)) af_stack_free(x, m);
        else af_stack_alloc(x, m);
        break;
    }
    gx_count(x, GTH_TR_ALLOCFREE_EVENTS);
    return 1;
}

/* The experiment's info batch and the "exists" snapshot, at trace start. */
static void allocfree_snapshot(gx *x, gm *m) {
    gth_buf b;
    gth_buf_init(&b, x->a);
    gth_buf_putc(&b, 1); /* traceAllocFreeInfoBatch */
    gth_buf_put_uvarint(&b, 0xc000000000ull);
    gth_buf_put_uvarint(&b, 8192);
    gth_buf_put_uvarint(&b, 8);
    gth_buf_put_uvarint(&b, 8192);
    if (b.failed) gx_fail(x, GTH_ENOMEM, "out of memory");
    else gx_put_experimental(x, b.data, b.len);
    gth_buf_free(&b);
    gx_count(x, GTH_TR_ALLOCFREE_SNAPSHOT);
    if (!x->allocfree_events) return;
    uint64_t f[F__N];
    unsigned n = 4 + rnd(x, 24);
    for (unsigned i = 0; i < n; i++) {
        x->af_next_span += 1 + rnd(x, 8);
        f[F_V0] = x->af_next_span;
        f[F_V1] = 1 + rnd(x, 8);
        f[F_V2] = chance(x, 900) ? (uint64_t)(1 + rnd(x, 135)) << 1 : 1;
        gx_emit(x, m, GTH_EV_Span, f);
        if (x->naf_spans < GX_AF_RING) x->af_spans[x->naf_spans++] = x->af_next_span;
        x->af_next_obj += 1 + rnd(x, 16);
        f[F_V0] = x->af_next_obj;
        f[F_V1] = chance(x, 900) ? gx_typ_ref(x, rnd(x, gx_ntypes())) : 0;
        gx_emit(x, m, GTH_EV_HeapObject, f);
        if (x->naf_objs < GX_AF_RING) x->af_objs[x->naf_objs++] = x->af_next_obj;
    }
    for (unsigned gi = 0; gi < x->ng_cap && x->naf_stacks < GX_AF_RING; gi++) {
        if (x->gs[gi].state == G_FREE) continue;
        x->af_next_stack += 1 + rnd(x, 3);
        f[F_V0] = x->af_next_stack;
        f[F_V1] = 14;
        gx_emit(x, m, GTH_EV_GoroutineStack, f);
        x->af_stacks[x->naf_stacks++] = x->af_next_stack;
    }
}

/* ---- CPU samples -------------------------------------------------------------- */

static void cpu_sample(gx *x) {
    gm *m = &x->ms[rnd(x, x->nm)];
    if (m->sysmon || (m->p < 0 && m->g < 0)) return;
    uint64_t f[F__N];
    if (x->cpubuf.len && x->cpubuf.len + GX_MAX_EVENT > x->batch_cap) gx_put_global(x, &x->cpubuf, 0);
    if (x->cpubuf.len == 0) gx_emit_raw(x, &x->cpubuf, GTH_EV_CPUSamples, f, NULL, 0, NULL, 0);
    f[F_TIME] = (x->now + (x->skew_on ? m->skew : 0)) * x->tick_k + m->res;
    f[F_M] = m->id;
    f[F_P] = m->p >= 0 ? x->ps[m->p].id : NO;
    f[F_G] = m->g >= 0 ? x->gs[m->g].goid : 0;
    f[F_STACK] = gx_stk_ref(x, gx_rand_stack(x));
    gx_emit_raw(x, &x->cpubuf, GTH_EV_CPUSample, f, NULL, 0, NULL, 0);
    gx_count(x, m->g >= 0 ? GTH_TR_CPU_SAMPLE : GTH_TR_CPU_SAMPLE_NO_G);
}

/* ---- The walk --------------------------------------------------------------------- */

static void run_step(gx *x, gm *m) {
    gg *g = &x->gs[m->g];
    int done = 0;
    if (g->flags & GF_WORKER) {
        uint32_t r = rnd(x, 10);
        done = r < 6 ? act_block(x, m) : r < 8 ? act_stop(x, m) : act_unblock(x, m);
    } else {
        /* Until the first GC event, the GC is undetermined to a reader: bring
         * it early, so clock skew (switched on after it) can start. */
        switch (x->act_lut[gth_rng_next(&x->rng) >> 54]) {
        case A_STOP: done = act_stop(x, m); break;
        case A_BLOCK: done = act_block(x, m); break;
        case A_UNBLOCK: done = act_unblock(x, m); break;
        case A_CREATE: done = act_create(x, m); break;
        case A_DESTROY: done = act_destroy(x, m); break;
        case A_SYSCALL: done = act_syscall(x, m); break;
        case A_TASK: done = act_task(x, m); break;
        case A_REGION: done = act_region(x, m); break;
        case A_LOG: done = act_log(x, m); break;
        case A_HEAP: done = act_heap(x, m); break;
        case A_GC: done = act_gc(x, m); break;
        case A_ASSIST: done = act_assist(x, m); break;
        case A_SWEEP: done = act_sweep(x, m); break;
        case A_STW: done = act_stw(x, m, 0); break;
        case A_PROCS: done = act_stw(x, m, 1); break;
        case A_CORO: done = act_coro(x, m); break;
        case A_ALLOC: done = act_alloc(x, m); break;
        case A_STEAL: {
            int pi = find_stealable(x, m);
            if (pi >= 0) {
                steal(x, m, pi, GTH_TR_STEAL_RUNNING);
                done = 1;
            }
            break;
        }
        }
    }
    if (!done) {
        if (chance(x, 512)) act_stop(x, m);
        else act_block(x, m);
    }
}

static int find_waiting_worker(gx *x) {
    if (x->nwaitq == 0) return -1;
    unsigned start = rnd(x, x->nwaitq), n = x->nwaitq < 16 ? x->nwaitq : 16;
    for (unsigned k = 0; k < n; k++) {
        int gi = x->waitq[(start + k) % x->nwaitq];
        if (x->gs[gi].flags & GF_WORKER) return gi;
    }
    return -1;
}

static void sched_step(gx *x, gm *m) {
    if (x->gc_running && chance(x, 160)) {
        int wi = find_waiting_worker(x);
        if (wi >= 0) {
            unblock_g(x, m, wi);
            runq_del(x, wi);
            start_g(x, m, wi);
            return;
        }
    }
    if (x->nrunq && !chance(x, 40)) {
        act_start(x, m);
    } else if (x->nwaitq && chance(x, 200)) {
        act_unblock(x, m);
    } else if (x->ps[m->p].in_sweep == 0) {
        proc_stop(x, m);
    }
}

static int idle_step(gx *x, gm *m) {
    if (x->nidlep) {
        if (x->nrunq && chance(x, 700)) {
            proc_start(x, m, x->idlep[rnd(x, x->nidlep)]);
            act_start(x, m);
            return 1;
        }
        if (!x->nrunq && (x->npm == 0 || chance(x, 40))) {
            /* A timer or the network poller wakes a goroutine for an idle thread. */
            proc_start(x, m, x->idlep[rnd(x, x->nidlep)]);
            if (x->nwaitq) act_unblock(x, m);
            act_start(x, m);
            return 1;
        }
    }
    if (feat(x, GTH_GEN_F_CGO) && chance(x, 24)) return cgo_create(x, m);
    return 0;
}

static int sysmon_step(gx *x, gm *m) {
    if (feat(x, GTH_GEN_F_STEAL) && x->nsyscallp && chance(x, 200)) {
        int pi = find_stealable(x, m);
        if (pi >= 0) {
            steal(x, m, pi, GTH_TR_STEAL_BARE);
            return 1;
        }
    } else if (x->nwaitq && chance(x, 16)) {
        return act_unblock(x, m); /* netpoll */
    }
    return 0;
}

/* One action of M m; 0 if it had nothing to do. */
static int step_m(gx *x, gm *m) {
    if (m->sysmon) return sysmon_step(x, m);
    if (m->busy) {
        /* A sweep takes a few steps of its thread, so that some are still
         * going when a generation ends (GCSweepActive). */
        if (!chance(x, 340)) return 0;
        sweep_end(x, m);
        return 1;
    }
    if (m->g >= 0) {
        if (x->gs[m->g].state == G_SYSCALL) {
            /* Most syscalls are short and keep their P; blocked ones (P lost)
             * take longer. */
            if (!(m->p >= 0 ? chance(x, 800) : chance(x, 300))) return 0;
            syscall_exit(x, m);
            return 1;
        }
        if (feat(x, GTH_GEN_F_GC) && !x->gc_seen && chance(x, 16) && act_gc(x, m)) return 1;
        run_step(x, m);
        return 1;
    }
    if (m->p >= 0) {
        sched_step(x, m);
        return 1;
    }
    return idle_step(x, m);
}

void gx_step(gx *x) {
    /* One random word drives the step: time advance, quiet spells, CPU
     * samples, which kind of M, which M. */
    uint64_t r = gth_rng_next(&x->rng);
    x->now += 1 + (r & 7);
    if (((r >> 3) & 0x3ff) == 0) x->now += 100 + ((r >> 13) & 0xff) * 16; /* now and then a quiet spell */
    if (((r >> 21) & 0x3ff) < 6 && feat(x, GTH_GEN_F_CPU)) cpu_sample(x);
    uint32_t pick = (uint32_t)(r >> 32);
    /* Most steps go to Ms that hold a P, where nearly everything happens; the
     * rest to any M (idle threads, threads in syscalls, sysmon). A thread with
     * nothing to do hands the step to one with a P. */
    gm *m = x->npm && ((r >> 31) & 7)
                ? &x->ms[x->pm[((uint64_t)pick * x->npm) >> 32]]
                : &x->ms[((uint64_t)pick * x->nm) >> 32];
    if (!step_m(x, m) && x->npm) step_m(x, &x->ms[x->pm[rnd(x, x->npm)]]);
}

/* ---- Generations -------------------------------------------------------------------- */

static uint64_t ticks_to_ns(uint64_t t, uint64_t freq) {
    return t / freq * 1000000000ull + (t % freq) * 1000000000ull / freq;
}

static void sync_batch(gx *x) {
    gth_buf b;
    gth_buf_init(&b, x->a);
    uint64_t f[F__N];
    uint64_t t = gx_global_time(x);
    if (x->ver >= 25) gx_emit_raw(x, &b, GTH_EV_Sync, f, NULL, 0, NULL, 0);
    f[F_V0] = x->cfg.freq;
    gx_emit_raw(x, &b, GTH_EV_Frequency, f, NULL, 0, NULL, 0);
    if (x->ver >= 25) {
        uint64_t dt = 1 + rnd(x, 3);
        uint64_t ns = ticks_to_ns(t + dt, x->cfg.freq);
        uint64_t wall = x->wall0 + ns;
        f[F_DT] = dt;
        f[F_V0] = x->mono0 + ns;
        f[F_V1] = wall / 1000000000ull;
        f[F_V2] = wall % 1000000000ull;
        gx_emit_raw(x, &b, GTH_EV_ClockSnapshot, f, NULL, 0, NULL, 0);
        x->gclock = t + dt;
    }
    gx_put_global(x, &b, t);
    gth_buf_free(&b);
}

static int find_runner(gx *x) {
    unsigned start = rnd(x, x->nm);
    for (unsigned k = 0; k < x->nm; k++) {
        unsigned mi = (start + k) % x->nm;
        gm *m = &x->ms[mi];
        if (m->g >= 0 && x->gs[m->g].state == G_RUNNING && !m->busy) return (int)mi;
    }
    return -1;
}

/* Gets some goroutine running (the trace advancer is one). */
static int make_runner(gx *x) {
    int mi = find_runner(x);
    if (mi >= 0) return mi;
    gm *m = NULL;
    for (unsigned k = 0; k < x->nm && !m; k++)
        if (!x->ms[k].sysmon && x->ms[k].p >= 0 && x->ms[k].g < 0 && !x->ms[k].busy) m = &x->ms[k];
    for (unsigned k = 0; k < x->nm && !m && x->nidlep; k++)
        if (!x->ms[k].sysmon && x->ms[k].p < 0 && x->ms[k].g < 0) {
            m = &x->ms[k];
            proc_start(x, m, x->idlep[rnd(x, x->nidlep)]);
        }
    if (!m) return -1;
    if (!x->nrunq && x->nwaitq) act_unblock(x, m);
    if (!act_start(x, m)) return -1;
    return idx_m(x, m);
}

static void trace_start(gx *x) {
    uint64_t f[F__N];
    gm *m = &x->ms[0];
    writer(x, m);
    f[F_V0] = x->gomaxprocs;
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_ProcsChange, f);
    stw_begin(x, m, 10); /* start trace */
    if (x->gc_running) {
        f[F_SEQ] = x->gc_seq++;
        gx_emit(x, m, GTH_EV_GCActive, f);
        gx_count(x, GTH_TR_GC_ACTIVE_START);
        gc_event(x);
    }
    if (feat(x, GTH_GEN_F_ALLOCFREE)) allocfree_snapshot(x, m);
    f[F_V0] = x->heap_goal;
    gx_emit(x, m, GTH_EV_HeapGoal, f);
    stw_end(x, m);
}

void gx_gen_begin(gx *x) {
    x->gen = x->st->first_gen + x->gen_index;
    x->gen_events = 0;
    for (unsigned i = 0; i < x->np; i++) x->ps[i].seq = 0;
    for (unsigned i = 0; i < x->ng_cap; i++) x->gs[i].seq = 0;
    /* The runtime registers its labels and reasons at every generation start. */
    for (unsigned i = 0; i < x->n_label; i++) gx_str_ref(x, x->s_label + i);
    for (unsigned i = 0; i < x->n_block; i++) gx_str_ref(x, x->s_block + i);
    for (unsigned i = 0; i < x->n_stop; i++) gx_str_ref(x, x->s_stop + i);
    sync_batch(x);
    if (x->gen_index == 0) {
        trace_start(x);
        return;
    }
    int mi = make_runner(x);
    if (mi < 0) return;
    gm *m = &x->ms[mi];
    uint64_t f[F__N];
    writer(x, m);
    f[F_V0] = x->gomaxprocs;
    f[F_STACK] = cur_stack(x, m);
    gx_emit(x, m, GTH_EV_ProcsChange, f);
    gx_count(x, GTH_TR_PROCS_CHANGE_GEN);
    if (x->gc_running) {
        f[F_SEQ] = x->gc_seq++;
        gx_emit(x, m, GTH_EV_GCActive, f);
        gx_count(x, GTH_TR_GC_ACTIVE_GEN);
        gc_event(x);
    }
}

void gx_gen_end(gx *x) {
    /* forEachP: running goroutines not yet mentioned are preempted; Ps not yet
     * mentioned get a status from their own M. */
    for (unsigned j = 0; j < x->nm; j++) {
        gm *m = &x->ms[j];
        if (m->g >= 0 && x->gs[m->g].state == G_RUNNING && x->gs[m->g].traced != x->gen) {
            go_stop(x, m, 1);
            gx_count(x, GTH_TR_GO_PREEMPT_GEN_END);
        }
        if (m->p >= 0 && x->ps[m->p].state == P_RUNNING && x->ps[m->p].traced != x->gen) {
            emit_pstatus(x, m, m->p);
            gx_count(x, GTH_TR_PS_END_RUNNING);
        }
    }
    /* The advancing M steals Ps sitting in syscalls and states the idle ones. */
    gm *adv = NULL;
    unsigned start = rnd(x, x->nm);
    for (unsigned k = 0; k < x->nm && !adv; k++) {
        gm *m = &x->ms[(start + k) % x->nm];
        if (m->g < 0 || x->gs[m->g].state != G_SYSCALL) adv = m;
    }
    for (unsigned pi = 0; pi < x->np && adv; pi++) {
        gp *p = &x->ps[pi];
        if (p->state != P_SYSCALL && p->state != P_ABANDONED) continue;
        if (p->state == P_SYSCALL && (x->pert & GTH_GEN_P_LATE_STEAL) && p->traced == x->gen &&
            feat(x, GTH_GEN_F_STEAL) && chance(x, 700))
            continue; /* the race where the steal lands in the next generation */
        steal(x, adv, (int)pi, GTH_TR_STEAL_GEN_END);
    }
    for (unsigned pi = 0; pi < x->np && adv; pi++) {
        gp *p = &x->ps[pi];
        if (p->active && p->state == P_IDLE && p->traced != x->gen) {
            emit_pstatus(x, adv, (int)pi);
            gx_count(x, GTH_TR_PS_END_IDLE);
        }
    }
    for (unsigned j = 0; j < x->nm; j++) gx_flush_m(x, &x->ms[j]);
    /* Goroutines nobody mentioned: the NoThread status batch. */
    for (unsigned gi = 0; gi < x->ng_cap; gi++) {
        gg *g = &x->gs[gi];
        if (g->state == G_FREE || g->traced == x->gen) continue;
        if (g->state == G_RUNNING) {
            gx_fail(x, GTH_EINTERNAL, "generator: running goroutine %llu unmentioned at generation end",
                    (unsigned long long)g->goid);
            return;
        }
        int stack = x->ver >= 23 && chance(x, 820);
        static const uint8_t tr[2][5] = {
            {0, GTH_TR_GS_END_RUNNABLE, 0, GTH_TR_GS_END_SYSCALL, GTH_TR_GS_END_WAITING},
            {0, GTH_TR_GSS_END_RUNNABLE, 0, GTH_TR_GSS_END_SYSCALL, GTH_TR_GSS_END_WAITING}};
        gx_count(x, tr[stack][g->state]);
        emit_gstatus(x, &x->nothread, (int)gi, g->state == G_SYSCALL ? x->ms[g->m].id : NO, stack);
    }
    gx_flush_m(x, &x->nothread);
    gx_put_global(x, &x->cpubuf, 0);
    gx_tables_dump(x);
    gx_drain_window(x);
    if (x->ver >= 26) gx_put_marker(x, GTH_EV_EndOfGeneration);
    x->gen_index++;
}

/* ---- Set-up ---------------------------------------------------------------------- */

static const struct {
    uint8_t id;
    uint16_t weight;
    uint32_t feature;
    uint8_t min_version;
} act_table[] = {
    {A_STOP, 80, 0, 22},
    {A_BLOCK, 100, 0, 22},
    {A_UNBLOCK, 100, 0, 22},
    {A_CREATE, 45, 0, 22},
    {A_DESTROY, 35, 0, 22},
    {A_SYSCALL, 70, GTH_GEN_F_SYSCALL, 22},
    {A_TASK, 20, GTH_GEN_F_TASKS, 22},
    {A_REGION, 40, GTH_GEN_F_REGIONS, 22},
    {A_LOG, 25, GTH_GEN_F_LOGS, 22},
    {A_HEAP, 35, GTH_GEN_F_HEAP, 22},
    {A_GC, 5, GTH_GEN_F_GC, 22},
    {A_ASSIST, 20, GTH_GEN_F_ASSIST, 22},
    {A_SWEEP, 15, GTH_GEN_F_SWEEP, 22},
    {A_STW, 3, GTH_GEN_F_STW, 22},
    {A_PROCS, 1, GTH_GEN_F_PROCS, 22},
    {A_CORO, 35, GTH_GEN_F_CORO, 23},
    {A_ALLOC, 50, GTH_GEN_F_ALLOCFREE, 23},
    {A_STEAL, 6, GTH_GEN_F_STEAL, 22},
};

static int action_enabled(gx *x, unsigned i) {
    if (act_table[i].feature && !feat(x, act_table[i].feature)) return 0;
    if (x->ver < act_table[i].min_version) return 0;
    if (act_table[i].id == A_ALLOC && !x->allocfree_events) return 0;
    return 1;
}

static void init_actions(gx *x) {
    uint32_t total = 0, cum = 0;
    for (unsigned i = 0; i < sizeof act_table / sizeof act_table[0]; i++)
        if (action_enabled(x, i)) total += act_table[i].weight;
    unsigned k = 0;
    for (unsigned i = 0; i < sizeof act_table / sizeof act_table[0]; i++) {
        if (!action_enabled(x, i)) continue;
        cum += act_table[i].weight;
        unsigned end = (unsigned)((uint64_t)cum * 1024 / total);
        while (k < end) x->act_lut[k++] = act_table[i].id;
    }
    while (k < 1024) x->act_lut[k++] = A_STOP;
}

int gx_model_init(gx *x) {
    const gth_allocator *a = x->a;
    x->nm = x->cfg.threads;
    x->np = x->cfg.procs;
    x->ng_target = x->cfg.goroutines;
    x->ng_cap = x->ng_target + x->np + 4;
    x->ms = gth_calloc(a, x->nm, sizeof *x->ms);
    x->ps = gth_calloc(a, x->np, sizeof *x->ps);
    x->gs = gth_calloc(a, x->ng_cap, sizeof *x->gs);
    x->runq = gth_calloc(a, x->ng_cap, sizeof *x->runq);
    x->waitq = gth_calloc(a, x->ng_cap, sizeof *x->waitq);
    x->freeg = gth_calloc(a, x->ng_cap, sizeof *x->freeg);
    x->idlep = gth_calloc(a, x->np, sizeof *x->idlep);
    x->pm = gth_calloc(a, x->nm, sizeof *x->pm);
    if (!x->ms || !x->ps || !x->gs || !x->runq || !x->waitq || !x->freeg || !x->idlep || !x->pm)
        return GTH_ENOMEM;
    init_actions(x);

    /* Threads: believable thread ids, one bare sysmon thread. */
    uint64_t tid = 1000 + rnd(x, 200000);
    for (unsigned i = 0; i < x->nm; i++) {
        gm *m = &x->ms[i];
        m->id = tid;
        tid += 1 + rnd(x, chance(x, 100) ? 5000 : 8);
        m->p = m->g = -1;
        m->pm_pos = -1;
        m->skew = x->cfg.skew ? gth_rng_next(&x->rng) % (x->cfg.skew + 1) : 0;
        m->res = i;
        gth_buf_init(&m->buf, a);
        if (gth_buf_reserve(&m->buf, x->batch_cap + GX_MAX_EVENT) != 0) return GTH_ENOMEM;
    }
    x->ms[0].skew = 0;
    x->sysmon = -1;
    if (feat(x, GTH_GEN_F_STEAL)) {
        x->sysmon = (int)x->nm - 1;
        x->ms[x->sysmon].sysmon = 1;
    }
    x->nothread.id = NO;
    x->nothread.res = x->nm;
    x->tick_k = x->nm + 1;
    x->nothread.p = x->nothread.g = -1;
    gth_buf_init(&x->nothread.buf, a);

    /* Procs: GOMAXPROCS may start below the number of Ps. */
    x->gomaxprocs = x->np;
    if (feat(x, GTH_GEN_F_PROCS) && x->np > 1 && chance(x, 300)) x->gomaxprocs = 1 + rnd(x, x->np - 1);
    for (unsigned i = 0; i < x->np; i++) {
        gp *p = &x->ps[i];
        p->id = i;
        p->m = -1;
        p->idle_pos = -1;
        p->active = i < x->gomaxprocs;
        p->state = P_IDLE;
    }
    for (unsigned i = 0; i < x->ng_cap; i++) x->freeg[x->nfreeg++] = (int32_t)(x->ng_cap - 1 - i);

    /* Goroutines: main on M0/P0; other running ones, runnable, waiting, in
     * syscalls; GC mark workers parked. Ids start at 1 with the runtime's gaps. */
    x->goid_global = 0;
    unsigned next_m = 1;
    unsigned last_m = x->sysmon >= 0 ? (unsigned)x->sysmon : x->nm;
    for (unsigned pi = 0; pi < x->gomaxprocs; pi++) {
        gp *p = &x->ps[pi];
        int bind = pi == 0 || (next_m < last_m - 1 && chance(x, 620));
        if (!bind) {
            idlep_add(x, (int)pi);
            continue;
        }
        gm *m = pi == 0 ? &x->ms[0] : &x->ms[next_m++];
        m_setp(x, m, (int)pi);
        p->m = idx_m(x, m);
        p->state = P_RUNNING;
        int with_g = pi == 0 || chance(x, 720);
        int in_sys = pi != 0 && feat(x, GTH_GEN_F_SYSCALL) && chance(x, 160);
        if (!with_g && !in_sys) continue;
        int gi = g_alloc(x);
        gg *g = &x->gs[gi];
        g->goid = pi == 0 ? 1 : new_goid(x, (int)pi);
        if (pi == 0) x->goid_global = 16;
        g->flags = pi == 0 ? GF_MAIN : 0;
        g->func = (uint16_t)(42 + rnd(x, 8));
        g->m = idx_m(x, m);
        m->g = gi;
        if (in_sys) {
            g->state = G_SYSCALL;
            p->state = P_SYSCALL;
            x->nsyscallp++;
        } else {
            g->state = G_RUNNING;
        }
    }
    /* Threads sitting in syscalls without a P. */
    if (feat(x, GTH_GEN_F_SYSCALL))
        while (next_m < last_m - 1 && chance(x, 200)) {
            gm *m = &x->ms[next_m++];
            int gi = g_alloc(x);
            gg *g = &x->gs[gi];
            g->goid = new_goid(x, -1);
            g->func = (uint16_t)(42 + rnd(x, 8));
            g->state = G_SYSCALL;
            g->m = idx_m(x, m);
            m->g = gi;
        }
    unsigned nworkers = feat(x, GTH_GEN_F_GC) ? (x->gomaxprocs < 4 ? x->gomaxprocs : 4) : 0;
    for (unsigned i = 0; i < nworkers; i++) {
        int gi = g_alloc(x);
        gg *g = &x->gs[gi];
        g->goid = new_goid(x, -1);
        g->flags = GF_WORKER;
        g->func = 49; /* runtime.gcBgMarkWorker */
        g_waiting(x, gi, W_NORMAL);
        g->blocked_gen = 0;
    }
    unsigned want = x->ng_live + rnd(x, (x->ng_target > x->ng_live ? x->ng_target - x->ng_live : 0) / 2 + 2);
    while (x->ng_live < want && x->ng_live < x->ng_target) {
        int gi = g_alloc(x);
        gg *g = &x->gs[gi];
        g->goid = new_goid(x, (int)rnd(x, x->gomaxprocs));
        g->func = (uint16_t)(42 + rnd(x, 8));
        if (chance(x, 300)) g_runnable(x, gi);
        else g_waiting(x, gi, W_NORMAL);
        g->blocked_gen = 0;
    }
    if (feat(x, GTH_GEN_F_REGIONS))
        for (unsigned gi = 0; gi < x->ng_cap; gi++) {
            gg *g = &x->gs[gi];
            if (g->state == G_FREE || (g->flags & GF_WORKER) || !chance(x, 200)) continue;
            g->npretrace = g->nregions = (uint8_t)(1 + rnd(x, 2));
            for (unsigned i = 0; i < g->nregions; i++) {
                g->region_task[i] = 0;
                g->region_name[i] = (uint16_t)(x->s_region + rnd(x, x->n_region));
            }
        }
    x->task_next = 1;
    if (feat(x, GTH_GEN_F_TASKS))
        for (unsigned n = rnd(x, 4); n; n--) x->tasks[x->ntasks++] = (gx_task){x->task_next++, 0, 0};
    x->gc_seq = 1;
    x->gc_running = feat(x, GTH_GEN_F_GC) && chance(x, 512);
    x->heap_live = 4u << 20;
    x->heap_goal = 8u << 20;
    x->af_next_span = rnd(x, 4096);
    x->af_next_obj = rnd(x, 1 << 20);
    x->af_next_stack = rnd(x, 4096);
    x->now = (1ull << 16) + (gth_rng_next(&x->rng) % (1ull << 28));
    x->mono0 = 1000000000ull + gth_rng_next(&x->rng) % 1000000000000000ull;
    x->wall0 = (1700000000ull + gth_rng_next(&x->rng) % 100000000ull) * 1000000000ull;
    x->skew_on = (x->pert & GTH_GEN_P_SKEW) && !feat(x, GTH_GEN_F_GC);
    if (x->skew_on || (x->pert & GTH_GEN_P_SKEW)) gx_count(x, GTH_TR_CLOCK_SKEW);
    return GTH_OK;
}

void gx_model_free(gx *x) {
    const gth_allocator *a = x->a;
    if (x->ms)
        for (unsigned i = 0; i < x->nm; i++) gth_buf_free(&x->ms[i].buf);
    gth_buf_free(&x->nothread.buf);
    gth_free(a, x->ms, x->nm * sizeof *x->ms);
    gth_free(a, x->ps, x->np * sizeof *x->ps);
    gth_free(a, x->gs, x->ng_cap * sizeof *x->gs);
    gth_free(a, x->runq, x->ng_cap * sizeof *x->runq);
    gth_free(a, x->waitq, x->ng_cap * sizeof *x->waitq);
    gth_free(a, x->freeg, x->ng_cap * sizeof *x->freeg);
    gth_free(a, x->idlep, x->np * sizeof *x->idlep);
    gth_free(a, x->pm, x->nm * sizeof *x->pm);
}
