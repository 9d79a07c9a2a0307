/*
 * rng: the project's own pseudo-random numbers (generator, mutator) —
 * xoshiro256** seeded through splitmix64. Deterministic on every platform (no
 * rand(), no global state), and cheap enough for the generator's hot path.
 */
#ifndef GTH_BASE_RNG_H
#define GTH_BASE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct gth_rng {
    uint64_t s[4];
    /* Choice source (fuzzing): while bytes remain, each draw takes one byte of
     * src as its top 8 bits (the rest from the PRNG), so an input's bytes steer
     * the generator's decisions. NULL/0: the PRNG alone. */
    const uint8_t *src;
    size_t src_len;
} gth_rng;

static inline uint64_t gth_splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline void gth_rng_seed(gth_rng *r, uint64_t seed) {
    uint64_t x = seed;
    r->src = NULL;
    r->src_len = 0;
    for (int i = 0; i < 4; i++) r->s[i] = gth_splitmix64(&x);
}

static inline uint64_t gth_rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t gth_rng_next(gth_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = gth_rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gth_rotl64(s[3], 45);
    if (r->src_len) {
        r->src_len--;
        return (uint64_t)*r->src++ << 56 | result >> 8;
    }
    return result;
}

/* Uniform-enough integer in [0, n) (multiply-shift; n > 0). */
static inline uint32_t gth_rng_below(gth_rng *r, uint32_t n) {
    return (uint32_t)(((gth_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Integer in [lo, hi]. */
static inline uint64_t gth_rng_range(gth_rng *r, uint64_t lo, uint64_t hi) {
    uint64_t span = hi - lo + 1;
    return span == 0 ? gth_rng_next(r) : lo + gth_rng_next(r) % span;
}

/* True with probability num/1024. */
static inline int gth_rng_chance(gth_rng *r, uint32_t num) {
    return (uint32_t)(gth_rng_next(r) >> 54) < num;
}

#endif
