/* corpus_stats: what the corpus covers, for `gth corpus stats` (harness/corpus.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/convert.h"
#include "format/decode.h"
#include "format/encode.h"
#include "harness/corpus.h"
#include "harness/files.h"

typedef struct count_ud {
    gth_corpus_stats *sc;
    unsigned minor;
    int col;
} count_ud;

static int count_event(void *ud, const gth_raw_event *ev) {
    count_ud *u = ud;
    if (u->minor < GTH_CORPUS_MAX_MINOR) u->sc->codes[u->minor][ev->code][u->col]++;
    return 0;
}

gth_corpus_stats *gth_corpus_stats_compute(const char *dir, FILE *log, char *why, size_t whysz) {
    char path[4200];
    gth_corpus_manifest man;
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    if (gth_corpus_manifest_load(&man, path, why, whysz)) return NULL;
    gth_corpus_stats *sc = calloc(1, sizeof *sc);
    if (!sc) {
        gth_corpus_manifest_free(&man);
        snprintf(why, whysz, "out of memory");
        return NULL;
    }
    sc->ncases = man.n;
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    for (size_t i = 0; i < man.n; i++) {
        const gth_corpus_row *r = &man.v[i];
        const gth_corpus_set *set = gth_corpus_set_of(r->id);
        if (!set) continue;
        size_t si = (size_t)(set - gth_corpus_sets);
        if (r->version < GTH_CORPUS_MAX_MINOR) sc->cases[si][r->version]++;
        sc->bytes[si] += r->size;
        if (r->gth_verdict == RES_REJECT && set->want == GTH_CORPUS_WANT_REJECT) {
            unsigned inv = gth_invariant_find(r->gth_inv);
            if (inv) sc->inv[inv]++;
        }
        uint8_t *data;
        size_t len;
        char ewhy[4400];
        snprintf(path, sizeof path, "%s/%s", dir, r->id);
        if (gth_io_read_all(path, &data, &len, ewhy, sizeof ewhy)) {
            fprintf(log, "gth corpus: %s\n", ewhy);
            continue;
        }
        gth_error err;
        bin.len = 0;
        const uint8_t *p = data;
        size_t n = len;
        if (gth_corpus_is_test(r->id)) {
            if (gth_convert_text_to_binary(data, len, r->id, GTH_ENC_VERBATIM, &bin, &err) != GTH_OK) {
                free(data);
                continue;
            }
            p = bin.data;
            n = bin.len;
        }
        count_ud u = {.sc = sc,
                      .minor = gth_corpus_version(p, n),
                      .col = set->want == GTH_CORPUS_WANT_ACCEPT   ? GTH_CORPUS_COL_VALID
                             : set->want == GTH_CORPUS_WANT_REJECT ? GTH_CORPUS_COL_INVALID
                                                                   : GTH_CORPUS_COL_REAL};
        unsigned minor;
        if (gth_version_is_v2(u.minor)) gth_decode_all(p, n, GTH_DEC_FLAT, NULL, &minor, count_event, &u, &err);
        free(data);
    }
    gth_buf_free(&bin);
    gth_corpus_manifest_free(&man);
    return sc;
}
