/* Builds the C event and version tables from events.def and versions.def, at
 * compile time: every derived field (argument count, stack and string masks)
 * is computed by the preprocessor from the rows, so each fact is stated once. */
#include "spec.h"

#include <stdio.h>
#include <string.h>

/* Each argument slot expands to a parenthesised (name, KIND) pair, which the
 * helpers below take apart. */
#define GTH_ARG(n, k) (n, k)
#define GTH_NOARG (, NONE)

#define ARG_KIND_(n, k) GTH_K_##k
#define ARG_INIT_(n, k) {GTH_K_##k == GTH_K_NONE ? NULL : #n, GTH_K_##k}
#define ARG_KIND(a) ARG_KIND_ a
#define ARG_INIT(a) ARG_INIT_ a
#define ARG_IS(a, K) (ARG_KIND(a) == GTH_K_##K)
#define MASK(K, a0, a1, a2, a3, a4)                                                     \
    (ARG_IS(a0, K) << 0 | ARG_IS(a1, K) << 1 | ARG_IS(a2, K) << 2 | ARG_IS(a3, K) << 3 | \
     ARG_IS(a4, K) << 4)
#define COUNT(a0, a1, a2, a3, a4)                                               \
    (!ARG_IS(a0, NONE) + !ARG_IS(a1, NONE) + !ARG_IS(a2, NONE) + !ARG_IS(a3, NONE) + \
     !ARG_IS(a4, NONE))

#define GTH_EVENT(code_, name_, ver_, exp_, start_, where_, flags_, a0, a1, a2, a3, a4) \
    [code_] = {.name = #name_,                                                             \
               .code = code_,                                                              \
               .first_version = ver_,                                                      \
               .experiment = GTH_EXP_##exp_,                                               \
               .start_code = start_,                                                       \
               .where = GTH_W_##where_,                                                    \
               .flags = flags_,                                                            \
               .nargs = COUNT(a0, a1, a2, a3, a4),                                         \
               .stack_mask = MASK(STACK, a0, a1, a2, a3, a4),                              \
               .new_stack_mask = MASK(NEW_STACK, a0, a1, a2, a3, a4),                      \
               .string_mask = MASK(STRING, a0, a1, a2, a3, a4),                            \
               .args = {ARG_INIT(a0), ARG_INIT(a1), ARG_INIT(a2), ARG_INIT(a3), ARG_INIT(a4)}},
const gth_event_spec gth_spec_table[GTH_NUM_CODES] = {
#include "events.def"
};
#undef GTH_EVENT

static const gth_version_info versions[] = {
#define GTH_VERSION(minor_, format_, max_, exp_) {minor_, format_, max_, exp_},
#include "versions.def"
#undef GTH_VERSION
};


const gth_version_info *gth_version_get(unsigned minor) {
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (versions[i].minor == minor) return &versions[i];
    return NULL;
}

int gth_version_is_v2(unsigned minor) {
    const gth_version_info *v = gth_version_get(minor);
    return v && v->format == 2;
}

size_t gth_versions_v2(const unsigned **minors) {
    static const unsigned list[] = {
#define GTH_VERSION(minor_, format_, max_, exp_) minor_,
#include "versions.def"
#undef GTH_VERSION
    };
    /* versions.def lists v1 versions first, then v2 ones in increasing order. */
    size_t first = 0, n = sizeof list / sizeof list[0];
    while (first < n && !gth_version_is_v2(list[first])) first++;
    *minors = list + first;
    return n - first;
}

static int in_version(const gth_version_info *v, const gth_event_spec *e) {
    if (e->code <= v->max_code) return 1;
    return e->experiment != GTH_EXP_NONE && v->experimental;
}

const gth_event_spec *gth_spec_lookup(unsigned minor, unsigned code) {
    const gth_version_info *v = gth_version_get(minor);
    const gth_event_spec *e = gth_spec_event(code);
    if (!v || v->format != 2 || !e) return NULL;
    return in_version(v, e) ? e : NULL;
}

const gth_event_spec *gth_spec_lookup_name(unsigned minor, const char *name, size_t len) {
    const gth_version_info *v = gth_version_get(minor);
    if (!v || v->format != 2) return NULL;
    for (unsigned c = 0; c < GTH_NUM_CODES; c++) {
        const gth_event_spec *e = &gth_spec_table[c];
        if (e->name && strlen(e->name) == len && memcmp(e->name, name, len) == 0)
            return in_version(v, e) ? e : NULL;
    }
    return NULL;
}

const char *gth_spec_event_name(unsigned minor, unsigned code, char buf[16]) {
    const gth_event_spec *e = gth_spec_lookup(minor, code);
    if (e) return e->name;
    snprintf(buf, 16, "Invalid(%u)", code & 0xffu);
    return buf;
}

const char *gth_arg_kind_name(unsigned kind) {
    static const char *const names[GTH_K__COUNT] = {
        "none", "dt", "time", "gen", "size", "experiment", "thread", "proc", "goroutine",
        "gseq", "pseq", "gcseq", "gstatus", "pstatus", "stack", "new_stack", "string",
        "stack_id", "string_id", "count", "task", "freq", "value"};
    return kind < GTH_K__COUNT ? names[kind] : "?";
}

const char *gth_gstatus_name(uint64_t s) {
    static const char *const names[GTH_GS__COUNT] = {"Bad", "Runnable", "Running", "Syscall", "Waiting"};
    return s < GTH_GS__COUNT ? names[s] : "Bad";
}

const char *gth_experiment_name(unsigned exp) {
    static const char *const names[GTH_EXP__COUNT] = {"None", "AllocFree"};
    return exp < GTH_EXP__COUNT ? names[exp] : NULL;
}
