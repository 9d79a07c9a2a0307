/*
 * Target generate: the generator's property — every trace it makes is valid.
 * The input drives the generator: its first bytes choose the knobs (version,
 * model size, generations, events, features, perturbations, batch size, clock
 * frequency, output format, seed) and the rest is the generator's choice
 * source (gth_gen_config.choices: each random draw of the model takes its top
 * byte from the input, in order), so the fuzzer steers the scheduler walk
 * decision by decision.
 *
 * Findings: the generator fails (GTH_EINTERNAL: its model made something the
 * codec refuses), or our validator (validate profile) rejects what it made.
 * Text and .test output are packed to binary first (Go's raw writer), so the
 * same check covers them.
 */
#include <string.h>

#include "format/convert.h"
#include "format/encode.h"
#include "fuzz/fuzz.h"
#include "generator/gen.h"
#include "spec/invariants.h"
#include "validator/reader.h"
#include "validator/validate.h"

#define NKNOBS 18

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void knobs(const uint8_t *k, gth_gen_config *c) {
    static const unsigned versions[] = {22, 23, 25, 26};
    static const uint32_t batch[] = {160, 512, 2048, 8192, 65440, 64, 65536, 1000};
    static const uint64_t freq[] = {15625000, 1000000000, 31250000, 500000000, 100000000, 1000000, 15625000, 15625000};
    static const uint64_t skew[] = {16, 1000, 100000, 10000000};
    gth_gen_config_init(c, versions[k[0] & 3], le64(k + 10));
    c->procs = 1 + (k[1] & 7);
    c->threads = c->procs + 3 + (k[2] & 7);
    c->goroutines = c->procs + 8 + (k[3] & 63);
    c->generations = 1 + k[4] % 3;
    c->events_per_gen = 16 + 2u * k[5];
    c->features = (uint32_t)(k[6] | k[7] << 8) & GTH_GEN_F_ALL;
    c->features_set = 1;
    c->perturb = k[8] & GTH_GEN_P_ALL;
    c->perturb_set = 1;
    c->batch_size = batch[k[8] >> 3 & 7];
    c->freq = freq[k[9] & 7];
    c->skew = skew[k[9] >> 3 & 3];
    c->window = 2 + (k[9] >> 5 & 7) * 4;
    c->format = (k[0] >> 2 & 3) == 3 ? GTH_GEN_BINARY : (int)(k[0] >> 2 & 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t k[NKNOBS] = {0};
    memcpy(k, data, size < NKNOBS ? size : NKNOBS);
    gth_gen_config c;
    knobs(k, &c);
    if (size > NKNOBS) {
        c.choices = data + NKNOBS;
        c.choices_len = size - NKNOBS;
    }
    gth_buf out, bin;
    gth_buf_init(&out, NULL);
    gth_buf_init(&bin, NULL);
    gth_gen_stats st;
    gth_error err;
    int rc = gth_gen_run_buf(&c, &out, &st, &err);
    FUZZ_CHECK(rc == GTH_OK, "generator failed (status %d): %s", rc, err.msg);
    const gth_buf *trace = &out;
    if (c.format != GTH_GEN_BINARY) {
        rc = gth_convert_text_to_binary(out.data, out.len, "<generated>", GTH_ENC_VERBATIM, &bin, &err);
        FUZZ_CHECK(rc == GTH_OK, "generated %s does not pack (line %llu): %s",
                   c.format == GTH_GEN_TEXT ? "text" : ".test", (unsigned long long)err.line, err.msg);
        trace = &bin;
    }
    gth_buf msg;
    gth_buf_init(&msg, NULL);
    gth_validate_opts o = {.message = &msg};
    gth_validate_result res;
    rc = gth_validate_mem(trace->data, trace->len, GTH_PROFILE_VALIDATE, &o, &res);
    FUZZ_CHECK(res.stage == GTH_VALIDATE_EVENTS, "generated trace has a bad header: %s", res.err.msg);
    gth_buf_putc(&msg, 0);
    const gth_invariant *inv = gth_invariant_get((unsigned)res.err.inv);
    FUZZ_CHECK(rc == GTH_OK,
               "validator rejects a generated trace (1.%u, %llu bytes, format %d): [%s] %s", c.version,
               (unsigned long long)st.bytes, c.format, inv ? inv->id : "-", (const char *)msg.data);
    gth_buf_free(&msg);
    gth_buf_free(&out);
    gth_buf_free(&bin);
    return 0;
}
