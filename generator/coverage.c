/*
 * Coverage: what a set of generated traces exercised — every event type of the
 * version, and every transition of the generator's model (transitions.def) —
 * with the gaps listed. The generator's model knows what it emitted; what the
 * validator sees of the traces comes in through a hook.
 */
#include <string.h>

#include "generator/gen.h"

static const struct {
    const char *name, *text;
    uint8_t min_version;
    uint32_t feature;
} transitions[] = {
#define GTH_TR(id, min_version, feature, text) {#id, text, min_version, feature},
#include "generator/transitions.def"
#undef GTH_TR
};

static const char *const feature_names[] = {"syscall", "steal", "cgo",   "coro",   "gc",
                                            "sweep",   "assist", "stw", "heap",   "procs",
                                            "tasks",   "regions", "logs", "cpu",   "allocfree"};

const char *gth_gen_transition_name(unsigned tr) { return tr < GTH_TR__COUNT ? transitions[tr].name : NULL; }
const char *gth_gen_transition_text(unsigned tr) { return tr < GTH_TR__COUNT ? transitions[tr].text : NULL; }

const char *gth_gen_feature_name(unsigned bit) {
    return bit < sizeof feature_names / sizeof feature_names[0] ? feature_names[bit] : NULL;
}

int gth_gen_feature_parse(const char *name, size_t len, uint32_t *bit) {
    for (unsigned i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (strlen(feature_names[i]) == len && !memcmp(feature_names[i], name, len)) {
            *bit = 1u << i;
            return 0;
        }
    return -1;
}

void gth_gen_coverage_init(gth_gen_coverage *c, unsigned version) {
    memset(c, 0, sizeof *c);
    c->version = version;
}

void gth_gen_coverage_add(gth_gen_coverage *c, const gth_gen_stats *s) {
    c->traces++;
    c->bytes += s->bytes;
    for (unsigned i = 0; i < GTH_NUM_CODES; i++) c->codes[i] += s->codes[i];
    for (unsigned i = 0; i < GTH_TR__COUNT; i++) c->trans[i] += s->trans[i];
    c->features |= s->used.features;
}

static int tr_applies(const gth_gen_coverage *c, unsigned i) {
    return transitions[i].min_version <= c->version &&
           (!transitions[i].feature || (c->features & transitions[i].feature));
}

int gth_gen_coverage_gaps(const gth_gen_coverage *c) {
    int gaps = 0;
    for (unsigned code = 0; code < GTH_NUM_CODES; code++)
        if (gth_spec_lookup(c->version, code) && !c->codes[code]) gaps++;
    for (unsigned i = 0; i < GTH_TR__COUNT; i++)
        if (tr_applies(c, i) && !c->trans[i]) gaps++;
    return gaps;
}

int gth_gen_coverage_report(gth_buf *out, const gth_gen_coverage *c, gth_gen_invariant_paths_fn inv_paths,
                            void *inv_ud) {
    unsigned ncodes = 0, seen_codes = 0, ntr = 0, seen_tr = 0;
    for (unsigned code = 0; code < GTH_NUM_CODES; code++)
        if (gth_spec_lookup(c->version, code)) {
            ncodes++;
            seen_codes += c->codes[code] != 0;
        }
    for (unsigned i = 0; i < GTH_TR__COUNT; i++)
        if (tr_applies(c, i)) {
            ntr++;
            seen_tr += c->trans[i] != 0;
        }
    gth_buf_printf(out, "coverage: go 1.%u, %llu traces, %llu bytes\n", c->version,
                   (unsigned long long)c->traces, (unsigned long long)c->bytes);
    gth_buf_printf(out, "features:");
    for (unsigned b = 0; b < sizeof feature_names / sizeof feature_names[0]; b++)
        if (c->features & (1u << b)) gth_buf_printf(out, " %s", feature_names[b]);
    gth_buf_printf(out, "\n\nevent types: %u of %u\n", seen_codes, ncodes);
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
        const gth_event_spec *s = gth_spec_lookup(c->version, code);
        if (!s) continue;
        if (c->codes[code])
            gth_buf_printf(out, "  %3u %-22s %llu\n", code, s->name, (unsigned long long)c->codes[code]);
        else
            gth_buf_printf(out, "  %3u %-22s MISSING\n", code, s->name);
    }
    int extra = 0;
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
        if (gth_spec_lookup(c->version, code) || !c->codes[code]) continue;
        const gth_event_spec *s = gth_spec_event(code);
        if (!extra++) gth_buf_printf(out, "on the wire only (not in the go 1.%u text table):\n", c->version);
        gth_buf_printf(out, "  %3u %-22s %llu\n", code, s ? s->name : "?", (unsigned long long)c->codes[code]);
    }
    gth_buf_printf(out, "\ntransitions: %u of %u\n", seen_tr, ntr);
    for (unsigned i = 0; i < GTH_TR__COUNT; i++) {
        if (!tr_applies(c, i)) continue;
        if (c->trans[i])
            gth_buf_printf(out, "  %-24s %10llu  %s\n", transitions[i].name, (unsigned long long)c->trans[i],
                           transitions[i].text);
        else
            gth_buf_printf(out, "  %-24s %10s  %s\n", transitions[i].name, "MISSING", transitions[i].text);
    }
    int gaps = gth_gen_coverage_gaps(c);
    gth_buf_printf(out, "\ngaps: %d\n", gaps);
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
        const gth_event_spec *s = gth_spec_lookup(c->version, code);
        if (s && !c->codes[code]) gth_buf_printf(out, "  event %s (%u)\n", s->name, code);
    }
    for (unsigned i = 0; i < GTH_TR__COUNT; i++)
        if (tr_applies(c, i) && !c->trans[i])
            gth_buf_printf(out, "  transition %s: %s\n", transitions[i].name, transitions[i].text);
    gth_buf_printf(out, "\nour validator on these traces:\n");
    if (inv_paths) inv_paths(inv_ud, out, c);
    else gth_buf_printf(out, "  (hook not wired: gth_gen_invariant_paths_fn)\n");
    return out->failed ? -1 : gaps;
}
