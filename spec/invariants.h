/*
 * invariants: the catalogue of checks (invariants.def) as C data — a stable id,
 * the profile it belongs to, Go's error text and a rationale for each.
 */
#ifndef GTH_INVARIANTS_H
#define GTH_INVARIANTS_H

typedef enum gth_profile {
    GTH_PROFILE_PARSER = 1,   /* Go's reader rejects it */
    GTH_PROFILE_VALIDATE = 2, /* Go's testtrace validator rejects it */
    GTH_PROFILE_STRICT = 3    /* producer rule Go does not check */
} gth_profile;

typedef enum gth_inv {
    GTH_INV_NONE = 0,
#define GTH_INV(name, id, profile, go, why) GTH_INV_##name,
#include "invariants.def"
#undef GTH_INV
    GTH_INV__COUNT
} gth_inv;

typedef struct gth_invariant {
    const char *id;
    gth_profile profile;
    const char *go_text;
    const char *rationale;
} gth_invariant;

const gth_invariant *gth_invariant_get(unsigned inv); /* NULL for NONE or out of range */
const char *gth_profile_name(unsigned profile);        /* "parser", "validate", "strict" */
/* Looks an invariant up by its stable id; GTH_INV_NONE if unknown. */
unsigned gth_invariant_find(const char *id);

#endif
