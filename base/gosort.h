/*
 * gosort: Go's unstable sort (slices.SortFunc: pattern-defeating quicksort with
 * insertion sort below 13 elements, heapsort as fallback, and a deterministic
 * pattern breaker), reproduced step for step. Where Go sorts values that can
 * compare equal — the reader's frontier of thread cursors, a generation's CPU
 * samples — the order Go leaves equal elements in decides the event order, so
 * only the same algorithm gives the same stream.
 */
#ifndef GTH_GOSORT_H
#define GTH_GOSORT_H

#include <stddef.h>

/* less(a, b): a sorts strictly before b. Elements are `size` bytes (<= 256). */
void gth_go_sort(void *base, size_t n, size_t size, int (*less)(const void *a, const void *b));

#endif
