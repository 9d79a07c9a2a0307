/* The stream digest: SHA-256 of the canonical lines, newline-terminated. */
#include "validator/digest.h"

#include <string.h>

#include <openssl/evp.h>

int gth_digest_init(gth_digest *d) {
    d->lines = 0;
    d->len = 0;
    d->failed = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    d->ctx = ctx;
    if (!ctx) return -1;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        d->failed = 1;
        return -1;
    }
    return 0;
}

/* Hashes what buf holds. */
static int flush(gth_digest *d) {
    if (d->len && !d->failed && EVP_DigestUpdate(d->ctx, d->buf, d->len) != 1) d->failed = 1;
    d->len = 0;
    return d->failed ? -1 : 0;
}

int gth_digest_line(gth_digest *d, const uint8_t *line, size_t len) {
    if (d->failed || !d->ctx) return -1;
    d->lines++;
    /* Lines are copied into buf, so the hash sees large blocks, not a call
     * per line; a line longer than buf goes straight to the hash. */
    if (len >= sizeof d->buf - d->len) {
        if (flush(d)) return -1;
        if (len >= sizeof d->buf) {
            if (EVP_DigestUpdate(d->ctx, line, len) != 1) d->failed = 1;
            len = 0;
        }
    }
    memcpy(d->buf + d->len, line, len);
    d->len += len;
    d->buf[d->len++] = '\n';
    return d->failed ? -1 : 0;
}

int gth_digest_emit(void *ud, const uint8_t *line, size_t len) { return gth_digest_line(ud, line, len); }

int gth_digest_block(gth_digest *d, const uint8_t *text, size_t len, uint64_t nlines) {
    if (d->failed || !d->ctx || flush(d)) return -1;
    d->lines += nlines;
    if (len && EVP_DigestUpdate(d->ctx, text, len) != 1) d->failed = 1;
    return d->failed ? -1 : 0;
}

int gth_digest_final(gth_digest *d, char hex[GTH_DIGEST_HEX_LEN + 1]) {
    static const char dig[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    hex[0] = 0;
    if (!d->ctx || flush(d) || EVP_DigestFinal_ex(d->ctx, md, &n) != 1 || n * 2 != GTH_DIGEST_HEX_LEN) {
        d->failed = 1;
        return -1;
    }
    d->failed = 1; /* no more lines */
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = dig[md[i] >> 4];
        hex[2 * i + 1] = dig[md[i] & 15];
    }
    hex[GTH_DIGEST_HEX_LEN] = 0;
    return 0;
}

void gth_digest_free(gth_digest *d) {
    EVP_MD_CTX_free(d->ctx);
    d->ctx = NULL;
}
