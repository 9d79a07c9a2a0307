/* corpus_invalid: the mutated part of `gth corpus build`. */
#include <stdio.h>

#include "cli/corpus.h"

int gth_corpus_build_invalid(const char *dir, gth_corpus_runner *run, gth_corpus_manifest *man, size_t target,
                             size_t *excluded) {
    (void)dir, (void)run, (void)man, (void)target, (void)excluded;
    return 0;
}

int gth_corpus_rederive(const char *dir, const char *origin, const char *id, gth_buf *out, char *why,
                        size_t whysz) {
    (void)dir, (void)origin, (void)id, (void)out;
    snprintf(why, whysz, "no mutator");
    return -1;
}
