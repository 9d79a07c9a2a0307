/*
 * spec: the event-spec tables of the Go execution trace v2 wire format, and
 * lookups over them. The tables themselves live in events.def, versions.def and
 * invariants.def; this header turns them into C data.
 */
#ifndef GTH_SPEC_H
#define GTH_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define GTH_MAX_ARGS 5        /* most arguments any event has */
#define GTH_NUM_CODES 137     /* codes 0..136; not all exist */
#define GTH_MAX_BATCH_SIZE 65536
#define GTH_MAX_FRAMES 128
#define GTH_MAX_STRING_SIZE 1024
#define GTH_HEADER_SIZE 16
#define GTH_NO_ID UINT64_MAX   /* NoThread / NoProc / NoGoroutine / NoTask on the wire */

/* Event codes by name, GTH_EV_<Name> as in events.def. */
enum {
#define GTH_EVENT(code_, name_, ...) GTH_EV_##name_ = code_,
#include "events.def"
#undef GTH_EVENT
};

/* What an argument means. */
typedef enum gth_arg_kind {
    GTH_K_NONE = 0,
    GTH_K_DT,         /* timestamp delta from the previous event of the batch, in ticks */
    GTH_K_TIME,       /* absolute timestamp in ticks */
    GTH_K_GEN,        /* generation number */
    GTH_K_SIZE,       /* batch payload size in bytes */
    GTH_K_EXPERIMENT, /* experiment id */
    GTH_K_THREAD,     /* M (thread) id */
    GTH_K_PROC,       /* P id */
    GTH_K_GOROUTINE,  /* G id */
    GTH_K_GSEQ,       /* goroutine sequence number */
    GTH_K_PSEQ,       /* proc sequence number */
    GTH_K_GCSEQ,      /* GC sequence number */
    GTH_K_GSTATUS,    /* goroutine status enum */
    GTH_K_PSTATUS,    /* proc status enum */
    GTH_K_STACK,      /* stack id: the stack of the event's own context */
    GTH_K_NEW_STACK,  /* stack id: a new goroutine's start stack */
    GTH_K_STRING,     /* string id referenced by a timed event */
    GTH_K_STACK_ID,   /* id a Stack table entry defines */
    GTH_K_STRING_ID,  /* id a String table entry defines */
    GTH_K_COUNT,      /* number of frames that follow */
    GTH_K_TASK,       /* user task id */
    GTH_K_FREQ,       /* ticks per second */
    GTH_K_VALUE,      /* plain number */
    GTH_K__COUNT
} gth_arg_kind;

/* Where an event may stand. */
typedef enum gth_where {
    GTH_W_BATCH = 1, /* batch level: a batch header or the end-of-generation marker */
    GTH_W_STACKS,    /* stacks table batch */
    GTH_W_STRINGS,   /* strings table batch */
    GTH_W_CPU,       /* CPU samples batch */
    GTH_W_SYNC,      /* frequency / sync batch */
    GTH_W_EVENTS     /* regular per-M event batch */
} gth_where;

enum {
    GTH_F_TIMED = 1u << 0,  /* first argument is a timestamp delta */
    GTH_F_DATA = 1u << 1,   /* followed by a length-prefixed byte string */
    GTH_F_FRAMES = 1u << 2, /* followed by nframes x (pc func file line) */
    GTH_F_MARKER = 1u << 3  /* first byte of a table batch, no arguments */
};

typedef enum gth_experiment {
    GTH_EXP_NONE = 0,
    GTH_EXP_ALLOCFREE = 1,
    GTH_EXP__COUNT
} gth_experiment;

typedef struct gth_arg_spec {
    const char *name;
    uint8_t kind; /* gth_arg_kind */
} gth_arg_spec;

typedef struct gth_event_spec {
    const char *name;
    uint8_t code;
    uint8_t first_version; /* minor version, e.g. 23 */
    uint8_t experiment;    /* gth_experiment */
    uint8_t start_code;    /* begin event of the range this event ends, or 0 */
    uint8_t where;         /* gth_where */
    uint8_t flags;         /* GTH_F_* */
    uint8_t nargs;
    uint8_t stack_mask;     /* bit i: argument i is the event's own stack id */
    uint8_t new_stack_mask; /* bit i: argument i is a new goroutine's stack id */
    uint8_t string_mask;    /* bit i: argument i is a string id */
    gth_arg_spec args[GTH_MAX_ARGS];
} gth_event_spec;

/* Stack-id argument positions in the order Go's reader checks them: the
 * event's own stack first, then a new goroutine's. Returns how many (<= 2). */
static inline unsigned gth_spec_stack_args(const gth_event_spec *e, uint8_t out[2]) {
    unsigned n = 0;
    for (unsigned i = 0; i < GTH_MAX_ARGS; i++)
        if (e->stack_mask >> i & 1u) out[n++] = (uint8_t)i;
    for (unsigned i = 0; i < GTH_MAX_ARGS; i++)
        if (e->new_stack_mask >> i & 1u) out[n++] = (uint8_t)i;
    return n;
}

/* String-id argument positions in wire order. Returns how many (<= 2). */
static inline unsigned gth_spec_string_args(const gth_event_spec *e, uint8_t out[2]) {
    unsigned n = 0;
    for (unsigned i = 0; i < GTH_MAX_ARGS; i++)
        if (e->string_mask >> i & 1u) out[n++] = (uint8_t)i;
    return n;
}

/* The full table, indexed by code (rows without a name do not exist). */
extern const gth_event_spec gth_spec_table[GTH_NUM_CODES];

/* Every event code of the full table (what Go's reader decodes with, in any
 * version). NULL for codes that do not exist. Inline: decoders call it per event. */
static inline const gth_event_spec *gth_spec_event(unsigned code) {
    if (code >= GTH_NUM_CODES || !gth_spec_table[code].name) return NULL;
    return &gth_spec_table[code];
}

/* The event of that code in the raw/text table of `minor`, or NULL if the version
 * has no such event (or the version is unknown or not v2). */
const gth_event_spec *gth_spec_lookup(unsigned minor, unsigned code);

/* The event called `name` (len bytes) in the raw/text table of `minor`, or NULL. */
const gth_event_spec *gth_spec_lookup_name(unsigned minor, const char *name, size_t len);

/* Name of a wire code as Go's reader prints it for a version: the name if the
 * version's table has it, else "Invalid(<code>)". buf must hold 16 bytes. */
const char *gth_spec_event_name(unsigned minor, unsigned code, char buf[16]);

/* Versions. */
typedef struct gth_version_info {
    uint8_t minor;
    uint8_t format; /* 1 = v1 (not supported by this project), 2 = v2 */
    uint8_t max_code;
    uint8_t experimental;
} gth_version_info;

const gth_version_info *gth_version_get(unsigned minor); /* NULL if unknown */
int gth_version_is_v2(unsigned minor);
/* The v2 versions, in increasing order; returns how many. */
size_t gth_versions_v2(const unsigned **minors);

const char *gth_arg_kind_name(unsigned kind);
const char *gth_experiment_name(unsigned exp); /* "None", "AllocFree", NULL if unknown */

/* Status enums as on the wire. */
enum { GTH_GS_BAD, GTH_GS_RUNNABLE, GTH_GS_RUNNING, GTH_GS_SYSCALL, GTH_GS_WAITING, GTH_GS__COUNT };
enum { GTH_PS_BAD, GTH_PS_RUNNING, GTH_PS_IDLE, GTH_PS_SYSCALL, GTH_PS_ABANDONED, GTH_PS__COUNT };
/* A goroutine status by its name in Go's reader ("Runnable", ...); "Bad" for
 * 0 and for values no status has. */
const char *gth_gstatus_name(uint64_t s);

#endif
