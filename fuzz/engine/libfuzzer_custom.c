/*
 * libfuzzer_custom: the structure-aware mutator as libFuzzer's custom mutator.
 * Link this file into a fuzz target (beside its LLVMFuzzerTestOneInput) to
 * replace libFuzzer's byte-level mutations: three calls in four apply one of
 * the mutator's operators (mutate/mutator.h); the fourth, and any call
 * whose input the operators cannot change, uses libFuzzer's own LLVMFuzzerMutate,
 * so that byte-level exploration is kept. Crossover splices a batch of one
 * input into the other. Deterministic for libFuzzer's seed.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mutate/mutator.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    if (seed % 4 == 3 || size == 0) return LLVMFuzzerMutate(data, size, max_size);
    gth_buf out;
    gth_buf_init(&out, NULL);
    gth_error err;
    int op = -1;
    size_t n;
    if (gth_mutate_buf(NULL, data, size, (uint64_t)seed * 0x9e3779b97f4a7c15ull, -1, &out, &op, &err) == GTH_OK &&
        out.len > 0) {
        n = out.len < max_size ? out.len : max_size;
        memcpy(data, out.data, n);
    } else {
        n = LLVMFuzzerMutate(data, size, max_size);
    }
    gth_buf_free(&out);
    return n;
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed) {
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_error err;
    size_t n = 0;
    if (gth_mutate_crossover(NULL, data1, size1, data2, size2, seed, &b, &err) == GTH_OK) {
        n = b.len < max_out_size ? b.len : max_out_size;
        if (n) memcpy(out, b.data, n);
    }
    gth_buf_free(&b);
    return n;
}
