/* corpus_export: the cases as Go fuzz corpus files and OSS-Fuzz seed zips
 * (harness/corpus.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quote.h"
#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "harness/corpus.h"
#include "harness/files.h"

/* A stored (uncompressed) zip archive with fixed timestamps: the same inputs
 * give the same bytes. */
typedef struct zip_writer {
    gth_buf data, dir;
    uint32_t n;
    uint32_t crc_table[256];
} zip_writer;

static void zip_init(zip_writer *z) {
    gth_buf_init(&z->data, NULL);
    gth_buf_init(&z->dir, NULL);
    z->n = 0;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        z->crc_table[i] = c;
    }
}

static void put16(gth_buf *b, uint32_t v) {
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    gth_buf_append(b, x, 2);
}

static void put32(gth_buf *b, uint32_t v) {
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}

/* The fields local and central headers share: version 1.0 needed, no flags,
 * stored, 1980-01-01 00:00, CRC, sizes, name length, no extra field. */
static void zip_fields(gth_buf *b, uint32_t crc, size_t n, size_t nl) {
    put16(b, 10);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0x21);
    put32(b, crc);
    put32(b, (uint32_t)n);
    put32(b, (uint32_t)n);
    put16(b, (uint32_t)nl);
    put16(b, 0);
}

static void zip_add(zip_writer *z, const char *name, const void *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++) crc = z->crc_table[(crc ^ s[i]) & 0xFF] ^ (crc >> 8);
    crc ^= 0xFFFFFFFFu;
    size_t nl = strlen(name);
    uint32_t off = (uint32_t)z->data.len;
    put32(&z->data, 0x04034b50);
    zip_fields(&z->data, crc, n, nl);
    gth_buf_append(&z->data, name, nl);
    gth_buf_append(&z->data, p, n);
    put32(&z->dir, 0x02014b50);
    put16(&z->dir, 0x031E); /* made by: Unix, 3.0 */
    zip_fields(&z->dir, crc, n, nl);
    put16(&z->dir, 0);
    put16(&z->dir, 0);
    put16(&z->dir, 0);
    put32(&z->dir, 0100644u << 16); /* regular file, rw-r--r-- */
    put32(&z->dir, off);
    gth_buf_append(&z->dir, name, nl);
    z->n++;
}

static int zip_finish(zip_writer *z, const char *path) {
    uint32_t dir_off = (uint32_t)z->data.len;
    gth_buf_append(&z->data, z->dir.data, z->dir.len);
    put32(&z->data, 0x06054b50);
    put16(&z->data, 0);
    put16(&z->data, 0);
    put16(&z->data, z->n);
    put16(&z->data, z->n);
    put32(&z->data, (uint32_t)z->dir.len);
    put32(&z->data, dir_off);
    put16(&z->data, 0);
    int rc = z->data.failed || z->dir.failed || z->data.len > UINT32_MAX ? -1
                                                                         : gth_corpus_write_file(path, z->data.data, z->data.len);
    gth_buf_free(&z->data);
    gth_buf_free(&z->dir);
    return rc;
}

/* A case id as a flat file name: valid/go1.26-gen-s0001.test -> valid-go1.26-gen-s0001 */
static void flat_name(char *out, size_t n, const char *id) {
    snprintf(out, n, "%s", id);
    char *dot = strrchr(out, '.');
    if (dot && (!strcmp(dot, ".test") || !strcmp(dot, ".trace"))) *dot = 0;
    for (char *p = out; *p; p++)
        if (*p == '/') *p = '-';
}

int gth_corpus_export(const char *dir, const char *fuzz_dir, const char *zip_dir, FILE *log) {
    char why[1024], path[4400], name[512];
    gth_corpus_manifest man;
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    if (gth_corpus_manifest_load(&man, path, why, sizeof why)) {
        fprintf(log, "gth corpus: %s\n", why);
        return 2;
    }
    const char *out = fuzz_dir ? fuzz_dir : zip_dir;
    if (gth_io_mkdir_p(out)) {
        fprintf(log, "gth corpus: cannot create %s: %s\n", out, strerror(errno));
        gth_corpus_manifest_free(&man);
        return 2;
    }
    zip_writer zb, zt, zx;
    zip_init(&zb);
    zip_init(&zt);
    zip_init(&zx);
    gth_buf bin, file;
    gth_buf_init(&bin, NULL);
    gth_buf_init(&file, NULL);
    int rc = 0;
    size_t written = 0;
    for (size_t i = 0; i < man.n && !rc; i++) {
        const gth_corpus_row *r = &man.v[i];
        uint8_t *data;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, r->id);
        if (gth_io_read_all(path, &data, &len, why, sizeof why)) {
            fprintf(log, "gth corpus: %s\n", why);
            rc = 2;
            break;
        }
        const uint8_t *p = data;
        size_t n = len;
        gth_error err;
        gth_testfile tf;
        int test = gth_corpus_is_test(r->id);
        bin.len = 0;
        if (test) {
            if (gth_convert_text_to_binary(data, len, r->id, GTH_ENC_VERBATIM, &bin, &err) != GTH_OK ||
                gth_testfile_parse(data, len, r->id, &tf, &err) != GTH_OK) {
                fprintf(log, "gth corpus: %s: %s\n", r->id, err.msg);
                free(data);
                rc = 2;
                break;
            }
            p = bin.data;
            n = bin.len;
        }
        flat_name(name, sizeof name, r->id);
        if (fuzz_dir) {
            file.len = 0;
            gth_buf_printf(&file, "go test fuzz v1\n[]byte(");
            gth_quote_append(&file, p, n);
            gth_buf_printf(&file, ")\n");
            snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
            if (file.failed || gth_corpus_write_file(path, file.data, file.len)) {
                fprintf(log, "gth corpus: writing %s: %s\n", path, strerror(errno));
                rc = 2;
            }
        } else {
            snprintf(path, sizeof path, "%s.trace", name);
            zip_add(&zb, path, p, n);
            if (test) {
                snprintf(path, sizeof path, "%s.txt", name);
                zip_add(&zt, path, tf.trace, tf.trace_len);
                snprintf(path, sizeof path, "%s.test", name);
                zip_add(&zx, path, data, len);
            }
        }
        written++;
        free(data);
    }
    if (zip_dir && !rc) {
        const struct {
            zip_writer *z;
            const char *file;
        } zips[] = {{&zb, "binary_seed_corpus.zip"}, {&zt, "text_seed_corpus.zip"}, {&zx, "test_seed_corpus.zip"}};
        for (size_t k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s", zip_dir, zips[k].file);
            if (zip_finish(zips[k].z, path)) {
                fprintf(log, "gth corpus: writing %s: %s\n", path, strerror(errno));
                rc = 2;
            }
        }
    } else {
        gth_buf_free(&zb.data), gth_buf_free(&zb.dir), gth_buf_free(&zt.data), gth_buf_free(&zt.dir);
        gth_buf_free(&zx.data), gth_buf_free(&zx.dir);
    }
    if (!rc) fprintf(log, "gth corpus: exported %zu cases to %s\n", written, out);
    gth_buf_free(&bin);
    gth_buf_free(&file);
    gth_corpus_manifest_free(&man);
    return rc;
}
