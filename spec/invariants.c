/* The invariant catalogue as a table. */
#include "spec/invariants.h"

#include <string.h>

static const gth_invariant table[GTH_INV__COUNT] = {
    [GTH_INV_NONE] = {NULL, 0, NULL, NULL},
#define GTH_INV(name, id_, profile_, go_, why_) \
    [GTH_INV_##name] = {id_, GTH_PROFILE_##profile_, go_, why_},
#include "spec/invariants.def"
#undef GTH_INV
};

const gth_invariant *gth_invariant_get(unsigned inv) {
    if (inv == GTH_INV_NONE || inv >= GTH_INV__COUNT) return NULL;
    return &table[inv];
}

const char *gth_profile_name(unsigned profile) {
    switch (profile) {
    case GTH_PROFILE_PARSER: return "parser";
    case GTH_PROFILE_VALIDATE: return "validate";
    case GTH_PROFILE_STRICT: return "strict";
    }
    return "?";
}

unsigned gth_invariant_find(const char *id) {
    for (unsigned i = 1; i < GTH_INV__COUNT; i++)
        if (!strcmp(table[i].id, id)) return i;
    return GTH_INV_NONE;
}
