/*
 * A program that uses the installed libgth as an outside project would: only
 * <gth/gth.h>, found through pkg-config or find_package(gth). It generates a
 * small trace, reads it back with the reader and runs the whole validation
 * pipeline on it; with a path argument, it validates that file instead.
 * Prints "<events> events, accepted" and exits 0 when all went well.
 */
#include <gth/gth.h>

#include <stdio.h>
#include <stdlib.h>

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *data = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            uint8_t *p = realloc(data, cap = cap ? 2 * cap : 65536);
            if (!p) break;
            data = p;
        }
        size_t n = fread(data + *len, 1, cap - *len, f);
        if (n == 0) break;
        *len += n;
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv) {
    gth_error err;
    gth_error_clear(&err);
    gth_buf trace;
    gth_buf_init(&trace, NULL);
    const uint8_t *data;
    size_t len;
    uint8_t *file = NULL;
    if (argc > 1) {
        file = read_file(argv[1], &len);
        if (!file) {
            fprintf(stderr, "cannot read %s\n", argv[1]);
            return 1;
        }
        data = file;
    } else {
        gth_gen_config c;
        gth_gen_config_init(&c, 23, 42);
        c.events_per_gen = 300;
        c.generations = 2;
        if (gth_gen_run_buf(&c, &trace, NULL, &err) != GTH_OK) {
            fprintf(stderr, "generate: %s\n", err.msg);
            return 1;
        }
        data = trace.data;
        len = trace.len;
    }

    /* The reader alone: every event it delivers. */
    gth_mem_source ms;
    gth_reader *r = gth_reader_new(NULL, gth_source_mem(&ms, data, len), &err);
    if (!r) {
        fprintf(stderr, "reader: %s\n", err.msg);
        return 1;
    }
    uint64_t read = 0;
    gth_event ev;
    int rc;
    while ((rc = gth_reader_next(r, &ev, &err)) > 0) read++;
    gth_reader_free(r);
    if (rc < 0) {
        fprintf(stderr, "read: %s\n", err.msg);
        return 1;
    }

    /* The validation pipeline of `gth validate --profile validate`. */
    gth_validate_result res;
    rc = gth_validate_mem(data, len, GTH_PROFILE_VALIDATE, NULL, &res);
    uint64_t streamed = res.nevents;
    err = res.err;
    gth_buf_free(&trace);
    free(file);
    if (rc != GTH_OK) {
        const gth_invariant *inv = gth_invariant_get((unsigned)err.inv);
        fprintf(stderr, "rejected (%s): %s\n", inv ? inv->id : "-", err.msg);
        return 1;
    }
    if (read == 0 || streamed == 0) {
        fprintf(stderr, "no events\n");
        return 1;
    }
    printf("%llu events, accepted\n", (unsigned long long)read);
    return 0;
}
