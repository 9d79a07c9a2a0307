/*
 * gen: the trace generator. It synthesises valid Go execution traces (v2 wire
 * format, Go 1.22, 1.23, 1.25, 1.26) from a seeded random walk over its own model
 * of the Go scheduler — threads (M), procs (P) and goroutines (G) with their
 * states, driven through the actions a Go runtime performs — and writes them
 * the way the runtime does: per-M batches, per-generation string and stack
 * tables, statuses restated at every generation, sequence numbers restarting.
 *
 * Encoding is spec-driven: event codes, argument order and encoding come from
 * spec/events.def (gth_spec_lookup); events are encoded by format/encode.h. The
 * generator never includes validator code: it is an independent reading of the
 * format, and the validator's (and Go's) acceptance of its output is the test.
 *
 * Same configuration and seed give byte-identical output (own PRNG, no global
 * state). Memory does not grow with the size of the trace: it is bounded by the
 * model (threads, procs, goroutines), the string/stack pools and the batch
 * window. See docs/GENERATOR.md.
 */
#ifndef GTH_GENERATOR_GEN_H
#define GTH_GENERATOR_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "../spec/spec.h"

/* Output formats. */
typedef enum gth_gen_format {
    GTH_GEN_BINARY = 0, /* the wire format */
    GTH_GEN_TEXT,       /* Go's text format (gotraceraw) */
    GTH_GEN_TEST        /* a .test file: txtar with "expect" (SUCCESS) and "trace" (text) */
} gth_gen_format;

/* Feature toggles: which runtime activities the random walk performs. A feature
 * a version lacks (coroutines before 1.23, AllocFree before 1.23) is ignored. */
enum {
    GTH_GEN_F_SYSCALL = 1u << 0,   /* syscalls, with and without blocking (P lost) */
    GTH_GEN_F_STEAL = 1u << 1,     /* ProcSteal: sysmon (bare thread), running G, self-steal */
    GTH_GEN_F_CGO = 1u << 2,       /* cgo callbacks: GoCreateSyscall / GoDestroySyscall */
    GTH_GEN_F_CORO = 1u << 3,      /* iter.Pull: GoCreateBlocked, GoSwitch, GoSwitchDestroy */
    GTH_GEN_F_GC = 1u << 4,        /* GC cycles, GCActive, mark workers with labels */
    GTH_GEN_F_SWEEP = 1u << 5,     /* GCSweepBegin/End (and Active across generations) */
    GTH_GEN_F_ASSIST = 1u << 6,    /* GCMarkAssistBegin/End (and Active) */
    GTH_GEN_F_STW = 1u << 7,       /* stop-the-world ranges, light and full */
    GTH_GEN_F_HEAP = 1u << 8,      /* HeapAlloc / HeapGoal */
    GTH_GEN_F_PROCS = 1u << 9,     /* GOMAXPROCS changes (ProcsChange inside an STW) */
    GTH_GEN_F_TASKS = 1u << 10,    /* UserTaskBegin / UserTaskEnd */
    GTH_GEN_F_REGIONS = 1u << 11,  /* UserRegionBegin / UserRegionEnd */
    GTH_GEN_F_LOGS = 1u << 12,     /* UserLog */
    GTH_GEN_F_CPU = 1u << 13,      /* CPU samples */
    GTH_GEN_F_ALLOCFREE = 1u << 14,/* AllocFree experiment (1.23+; see docs for text output) */
    GTH_GEN_F_ALL = (1u << 15) - 1
};

/* Perturbations that keep the trace valid under the partial-order rules. */
enum {
    GTH_GEN_P_SHUFFLE = 1u << 0,    /* batch order within a generation shuffled (per-M order kept) */
    GTH_GEN_P_SKEW = 1u << 1,       /* per-thread clock offsets: only sequence numbers order Ms */
    GTH_GEN_P_LATE_STEAL = 1u << 2, /* some syscall Ps survive a generation boundary unstolen */
    GTH_GEN_P_ALL = (1u << 3) - 1
};

/* Value of a knob that means "derive it from the seed". */
#define GTH_GEN_AUTO 0

typedef struct gth_gen_config {
    unsigned version;        /* 22, 23, 25 or 26 */
    uint64_t seed;
    unsigned threads;        /* Ms (one of them a sysmon-like bare thread); 0 = from seed */
    unsigned procs;          /* Ps (GOMAXPROCS may vary below it); 0 = from seed */
    unsigned goroutines;     /* most goroutines alive at once; 0 = from seed */
    uint64_t generations;    /* 0 = from seed, or as many as target_bytes needs */
    uint64_t events_per_gen; /* M events per generation; 0 = from seed (or target) */
    uint64_t target_bytes;   /* 0 = none; else generations until the output reaches it */
    uint32_t features;       /* GTH_GEN_F_*; ignored unless features_set */
    int features_set;        /* 0 = all features, some randomly left out per seed */
    uint32_t perturb;        /* GTH_GEN_P_*; ignored unless perturb_set */
    int perturb_set;         /* 0 = perturbations chosen from the seed */
    uint32_t batch_size;     /* max payload of an M batch, 64..65536; 0 = from seed */
    uint64_t skew;           /* max per-thread clock offset in ticks (with P_SKEW); 0 = from seed */
    unsigned window;         /* batches held back for shuffling (with P_SHUFFLE); 0 = from seed */
    uint64_t freq;           /* ticks per second; 0 = from seed (mostly 15625000) */
    int format;              /* gth_gen_format */
    /* Choice source, for fuzzing (fuzz/targets/generate.c): if set, the model's
     * random draws take their top byte from choices[0..choices_len) in order,
     * then fall back to the seeded PRNG. Knobs are still resolved from the seed.
     * Output stays valid whatever the bytes; not copied, must outlive the run. */
    const uint8_t *choices;
    size_t choices_len;
} gth_gen_config;

/* A configuration with every knob on auto. */
void gth_gen_config_init(gth_gen_config *cfg, unsigned version, uint64_t seed);

/* The model's transitions the coverage report tracks; see transitions.def. */
typedef enum gth_gen_transition {
#define GTH_TR(id, min_version, feature, text) GTH_TR_##id,
#include "transitions.def"
#undef GTH_TR
    GTH_TR__COUNT
} gth_gen_transition;

/* What one run produced. */
typedef struct gth_gen_stats {
    unsigned version;
    uint64_t bytes;                    /* output bytes */
    uint64_t events;                   /* wire events, batch headers and table markers excluded */
    uint64_t batches;                  /* EventBatch + ExperimentalBatch headers */
    uint64_t generations;
    uint64_t steps;                    /* steps of the random walk */
    uint64_t first_gen;                /* number of the first generation */
    uint64_t codes[GTH_NUM_CODES];     /* per wire code, everything written */
    uint64_t trans[GTH_TR__COUNT];     /* model transitions exercised */
    /* The knobs actually used (after AUTO resolution). */
    gth_gen_config used;
} gth_gen_stats;

/* Output sink: receives the trace in order, in chunks. Nonzero return stops the
 * run with GTH_EIO. */
typedef int (*gth_gen_sink_fn)(void *ud, const void *data, size_t len);

/* Generates one trace. a: allocator (NULL = default). stats: may be NULL.
 * Returns GTH_OK, GTH_EUSAGE (bad configuration, message in err), GTH_EIO (the
 * sink failed), GTH_ENOMEM or GTH_EINTERNAL (a generator bug: the model produced
 * something the format codec rejects). */
int gth_gen_run(const gth_gen_config *cfg, const gth_allocator *a, gth_gen_sink_fn sink, void *ud,
                gth_gen_stats *stats, gth_error *err);
/* The same, appending the whole trace to out. */
int gth_gen_run_buf(const gth_gen_config *cfg, gth_buf *out, gth_gen_stats *stats, gth_error *err);

/* ---- Coverage ---------------------------------------------------------------
 * Aggregates the stats of many runs of one version and reports which event types
 * and which model transitions were exercised, listing the gaps. */
typedef struct gth_gen_coverage {
    unsigned version;
    uint64_t traces;
    uint64_t bytes;
    uint64_t codes[GTH_NUM_CODES];
    uint64_t trans[GTH_TR__COUNT];
    uint32_t features; /* union of the features the runs used */
} gth_gen_coverage;

void gth_gen_coverage_init(gth_gen_coverage *c, unsigned version);
void gth_gen_coverage_add(gth_gen_coverage *c, const gth_gen_stats *s);

/* Hook for the last section of the report, "our validator on these traces":
 * what the validator saw of them. The generator cannot know (it never includes
 * validator code); the caller that can passes a function that appends the
 * section (gth gen: harness/gencheck.h, every trace validated in every
 * profile). NULL: the report says the hook is not wired. */
typedef int (*gth_gen_invariant_paths_fn)(void *ud, gth_buf *out, const gth_gen_coverage *c);

/* Appends the report: event types (count, or MISSING), transitions, gaps; then
 * the validator's section. Returns the number of gaps (event types of the
 * version and transitions applicable to it that never occurred), or -1 if out
 * of memory. */
int gth_gen_coverage_report(gth_buf *out, const gth_gen_coverage *c,
                            gth_gen_invariant_paths_fn inv_paths, void *inv_ud);
/* Number of gaps only (as the report counts them). */
int gth_gen_coverage_gaps(const gth_gen_coverage *c);

/* Name and description of a transition; NULL if out of range. */
const char *gth_gen_transition_name(unsigned tr);
const char *gth_gen_transition_text(unsigned tr);

/* Feature names for flags and reports: "syscall", "steal", ...; -1/NULL if unknown. */
const char *gth_gen_feature_name(unsigned bit);
int gth_gen_feature_parse(const char *name, size_t len, uint32_t *bit);

#endif
