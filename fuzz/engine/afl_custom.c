/*
 * afl_custom: the structure-aware mutator as an AFL++ custom mutator library.
 * Build target gth-afl-mutator (libgth-afl-mutator.so); use it with
 *   AFL_CUSTOM_MUTATOR_LIBRARY=build/release/libgth-afl-mutator.so afl-fuzz ...
 * Each call applies one operator chosen from AFL's seed and a call counter;
 * afl_custom_describe names it, so queue entries say which operator made them.
 * With add_buf (another queue entry) every eighth call is a crossover.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutate/mutator.h"

#define EXPORT __attribute__((visibility("default")))

typedef struct afl_gth {
    uint64_t seed, calls;
    gth_buf out;
    int last_op;
    char desc[64];
} afl_gth;

EXPORT void *afl_custom_init(void *afl, unsigned int seed);
EXPORT size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                              size_t add_buf_size, size_t max_size);
EXPORT const char *afl_custom_describe(void *data, size_t max_description_len);
EXPORT void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed) {
    (void)afl;
    afl_gth *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->seed = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;
    m->last_op = -1;
    gth_buf_init(&m->out, NULL);
    return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size) {
    afl_gth *m = data;
    uint64_t seed = m->seed + m->calls++ * 0x2545f4914f6cdd1dull;
    gth_error err;
    m->out.len = 0;
    m->out.failed = 0;
    int op = -1, rc;
    if (add_buf && add_buf_size && m->calls % 8 == 0) {
        rc = gth_mutate_crossover(NULL, buf, buf_size, add_buf, add_buf_size, seed, &m->out, &err);
        op = -2;
    } else {
        rc = gth_mutate_buf(NULL, buf, buf_size, seed, -1, &m->out, &op, &err);
    }
    m->last_op = rc == GTH_OK ? op : -1;
    if (rc != GTH_OK || m->out.failed) {
        *out_buf = buf; /* unchanged */
        return buf_size < max_size ? buf_size : max_size;
    }
    *out_buf = m->out.data;
    return m->out.len < max_size ? m->out.len : max_size;
}

const char *afl_custom_describe(void *data, size_t max_description_len) {
    afl_gth *m = data;
    const char *name = m->last_op == -2 ? "crossover" : m->last_op >= 0 ? gth_mutator_name(m->last_op) : "none";
    size_t n = max_description_len < sizeof m->desc ? max_description_len : sizeof m->desc;
    if (n == 0) return NULL;
    snprintf(m->desc, n, "gth-%s", name);
    return m->desc;
}

void afl_custom_deinit(void *data) {
    afl_gth *m = data;
    if (!m) return;
    gth_buf_free(&m->out);
    free(m);
}
