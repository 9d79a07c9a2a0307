/*
 * digest: the stream digest of the adapter protocol (adapters/README.md,
 * docs/EVENTS.md) — SHA-256 over the canonical event lines, each followed by
 * one "\n", exactly the bytes `--events` prints before the verdict; with the
 * number of lines hashed. Two parsers whose digests agree printed the same
 * stream. The hash is OpenSSL's (libcrypto).
 */
#ifndef GTH_DIGEST_H
#define GTH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define GTH_DIGEST_HEX_LEN 64 /* lower-case hex digits of a SHA-256 */

typedef struct gth_digest {
    void *ctx;      /* the hash context (OpenSSL's EVP_MD_CTX) */
    uint64_t lines; /* lines hashed */
    int failed;     /* the hash failed (then final fails too) */
    size_t len;     /* bytes waiting in buf */
    uint8_t buf[16384];
} gth_digest;

/* Starts an empty stream. Returns 0, or -1 when out of memory (d is then
 * safe to free). */
int gth_digest_init(gth_digest *d);

/* Adds one canonical line (without its newline; the digest adds it). Returns
 * 0, or -1 when the hash failed. */
int gth_digest_line(gth_digest *d, const uint8_t *line, size_t len);

/* gth_digest_line in the shape of gth_run_opts.emit (ud: the gth_digest). */
int gth_digest_emit(void *ud, const uint8_t *line, size_t len);

/* Adds nlines whole lines at once: text[0..len) holds them, each with its
 * newline (a block of gth_run_opts.emit_block), and is hashed where it is.
 * Returns 0, or -1 when the hash failed. */
int gth_digest_block(gth_digest *d, const uint8_t *text, size_t len, uint64_t nlines);

/* Finishes the stream: writes the digest as 64 lower-case hex digits and a
 * NUL into hex. Returns 0, or -1 when the hash failed. The digest takes no
 * more lines afterwards; free it (or init it again). */
int gth_digest_final(gth_digest *d, char hex[GTH_DIGEST_HEX_LEN + 1]);

void gth_digest_free(gth_digest *d);

#endif
