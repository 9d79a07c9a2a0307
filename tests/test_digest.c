/*
 * Stream digests (adapters/README.md): `gth validate --digest` and `gthref
 * validate --digest` print the same `DIGEST <hex> <lines>` for every trace of a
 * set — Go's golden traces, corpus/real, corpus/invalid-bin, a generated trace
 * and the same trace cut short — in both profiles, accepted or rejected; a
 * trace whose stream differs by one character gets another digest on both
 * sides; and the digest is SHA-256 over the lines each followed by "\n",
 * however the lines fall across the digest's buffer, given one by one or in
 * blocks.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "validator/digest.h"

/* ---- The digest itself ------------------------------------------------------- */

static void hex_of(const uint8_t *data, size_t len, char hex[GTH_DIGEST_HEX_LEN + 1]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
    assert_int_equal(n, 32);
    for (unsigned i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void digest_of(const char *const *lines, size_t n, char hex[GTH_DIGEST_HEX_LEN + 1]) {
    gth_digest d;
    assert_int_equal(gth_digest_init(&d), 0);
    for (size_t i = 0; i < n; i++) assert_int_equal(gth_digest_line(&d, (const uint8_t *)lines[i], strlen(lines[i])), 0);
    assert_int_equal(d.lines, n);
    assert_int_equal(gth_digest_final(&d, hex), 0);
    gth_digest_free(&d);
}

static void definition(void **state) {
    (void)state;
    char hex[GTH_DIGEST_HEX_LEN + 1];
    digest_of(NULL, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    digest_of((const char *const[]){"abc"}, 1, hex); /* sha256 of "abc\n" */
    assert_string_equal(hex, "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
    /* Where the newlines fall is part of the digest. */
    char one[GTH_DIGEST_HEX_LEN + 1], two[GTH_DIGEST_HEX_LEN + 1];
    digest_of((const char *const[]){"ab"}, 1, one);
    digest_of((const char *const[]){"a", "b"}, 2, two);
    assert_string_not_equal(one, two);

    /* Lines of every length up to past the buffer, in one stream: the digest
     * equals SHA-256 of the concatenation, computed in one call. */
    size_t maxlen = sizeof ((gth_digest *)0)->buf + 700;
    gth_buf all;
    gth_buf_init(&all, NULL);
    char *line = malloc(maxlen);
    gth_digest d;
    assert_int_equal(gth_digest_init(&d), 0);
    for (size_t len = 0; len < maxlen; len += 1 + len / 8) {
        for (size_t i = 0; i < len; i++) line[i] = (char)('a' + (len + i) % 26);
        assert_int_equal(gth_digest_line(&d, (uint8_t *)line, len), 0);
        gth_buf_append(&all, line, len);
        gth_buf_putc(&all, '\n');
    }
    assert_int_equal(gth_digest_final(&d, hex), 0);
    gth_digest_free(&d);
    char want[GTH_DIGEST_HEX_LEN + 1];
    hex_of(all.data, all.len, want);
    assert_string_equal(hex, want);

    /* The same bytes as blocks of whole lines, mixed with single lines: the
     * same digest and line count. */
    assert_int_equal(gth_digest_init(&d), 0);
    uint64_t lines = 0;
    for (size_t at = 0, k = 0; at < all.len; k++) {
        size_t end = at, nl = 0;
        size_t want_nl = k % 3 == 0 ? 1 : 1 + k % 7;
        while (end < all.len && nl < want_nl) nl += all.data[end++] == '\n';
        if (k % 3 == 0) {
            assert_int_equal(gth_digest_line(&d, all.data + at, end - at - 1), 0);
        } else {
            assert_int_equal(gth_digest_block(&d, all.data + at, end - at, nl), 0);
        }
        lines += nl;
        at = end;
    }
    assert_int_equal(d.lines, lines);
    assert_int_equal(gth_digest_final(&d, hex), 0);
    gth_digest_free(&d);
    assert_string_equal(hex, want);
    free(line);
    gth_buf_free(&all);
}

/* ---- gth and gthref on the same traces ---------------------------------------- */

typedef struct paths {
    char **v;
    size_t n, cap;
} paths;

static void add(paths *p, const char *path) {
    if (p->n + 2 > p->cap) p->v = realloc(p->v, (p->cap = p->cap ? 2 * p->cap : 64) * sizeof *p->v);
    p->v[p->n++] = strdup(path);
    p->v[p->n] = NULL;
}

/* Adds the traces of list but those of Go 1.21 and older: gth reads only the
 * v2 format (Go 1.22 on), Go's reader also the older one. */
static void add_list(paths *p, char **list) {
    for (char **q = list; *q; q++)
        if (!strstr(*q, "-go1.21.") && !strstr(*q, "-go1.20.")) add(p, *q);
    tu_free_list(list);
}

static void paths_free(paths *p) {
    for (size_t i = 0; i < p->n; i++) free(p->v[i]);
    free(p->v);
}

/* The DIGEST lines of out, in order, as "<hex> <lines>" (NUL-terminated list). */
static char **digests(const char *out, size_t *n) {
    char **v = calloc(strlen(out) / 8 + 2, sizeof *v);
    *n = 0;
    for (const char *p = out; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l > 7 && !strncmp(p, "DIGEST ", 7)) v[(*n)++] = strndup(p + 7, l - 7);
        p += l + (e != NULL);
    }
    return v;
}

static void digests_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* gth validate --digest over all paths (one process, every file read). */
static char **ours(const paths *p, const char *profile, size_t *n) {
    char **argv = calloc(p->n + 5, sizeof *argv);
    size_t k = 0;
    char prof[64];
    snprintf(prof, sizeof prof, "--profile=%s", profile);
    argv[k++] = (char *)tu_gth();
    argv[k++] = "validate";
    argv[k++] = prof;
    argv[k++] = "--digest";
    for (size_t i = 0; i < p->n; i++) argv[k++] = p->v[i];
    char *out = NULL;
    int rc = tu_run(argv, NULL, 0, &out, NULL, NULL);
    if (rc != 0 && rc != 1) fail_msg("gth validate --digest exited %d", rc);
    char **d = digests(out, n);
    free(out);
    free(argv);
    return d;
}

/* gthref validate --batch --digest over all paths. */
static char **go(const paths *p, const char *profile, size_t *n) {
    gth_buf list;
    gth_buf_init(&list, NULL);
    for (size_t i = 0; i < p->n; i++) {
        gth_buf_append(&list, p->v[i], strlen(p->v[i]));
        gth_buf_putc(&list, '\n');
    }
    char prof[64];
    snprintf(prof, sizeof prof, "--profile=%s", profile);
    char *argv[] = {(char *)tu_gthref(), "validate", "--batch", "--digest", prof, NULL};
    char *out = NULL;
    int rc = tu_run(argv, list.data, list.len, &out, NULL, NULL);
    if (rc != 0 && rc != 1) fail_msg("gthref validate --batch --digest exited %d", rc);
    gth_buf_free(&list);
    char **d = digests(out, n);
    free(out);
    return d;
}

static void same_digests(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("digest");
    paths p = {0};
    char **list;
    tu_golden_binaries(dir, &list);
    add_list(&p, list);
    char src[4200];
    snprintf(src, sizeof src, "%s/corpus/real", GTH_SOURCE_DIR);
    tu_list(src, ".trace", &list);
    add_list(&p, list);
    snprintf(src, sizeof src, "%s/corpus/invalid-bin", GTH_SOURCE_DIR);
    tu_list(src, ".trace", &list);
    add_list(&p, list);
    size_t len;
    uint8_t *gen = tu_generate(26, 3, 200, 3, &len);
    char path[4200];
    snprintf(path, sizeof path, "%s/gen.trace", dir);
    tu_write_file(path, gen, len);
    add(&p, path);
    snprintf(path, sizeof path, "%s/gen-cut.trace", dir);
    tu_write_file(path, gen, len - len / 3);
    add(&p, path);
    free(gen);
    assert_true(p.n > 700);

    const char *profiles[] = {"parser", "validate"};
    for (int pi = 0; pi < 2; pi++) {
        size_t no, ng;
        char **o = ours(&p, profiles[pi], &no);
        char **g = go(&p, profiles[pi], &ng);
        assert_int_equal(no, p.n);
        assert_int_equal(ng, p.n);
        size_t nonempty = 0;
        for (size_t i = 0; i < p.n; i++) {
            if (strcmp(o[i], g[i]))
                fail_msg("%s (profile %s): gth DIGEST %s, gthref DIGEST %s", p.v[i], profiles[pi], o[i], g[i]);
            nonempty += strcmp(strchr(o[i], ' '), " 0") != 0;
        }
        assert_true(nonempty > p.n / 2);
        digests_free(o, no);
        digests_free(g, ng);
    }
    paths_free(&p);
}

/* One character of a function name changed: the trace is as valid as before,
 * its stream differs in the stacks, and both digests change alike. */
static void changed_stream(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("digest-changed");
    char src[4200];
    snprintf(src, sizeof src, "%s/corpus/real/pingpong-go1.26.8-normal.trace", GTH_SOURCE_DIR);
    size_t len;
    uint8_t *data = tu_read_file(src, &len);
    static const char name[] = "main.work";
    uint8_t *at = NULL;
    for (size_t i = 0; i + sizeof name - 1 <= len && !at; i++)
        if (!memcmp(data + i, name, sizeof name - 1)) at = data + i;
    assert_non_null(at);
    at[0] = 'M'; /* "Main.work..." */
    paths p = {0};
    add(&p, src);
    char path[4200];
    snprintf(path, sizeof path, "%s/changed.trace", dir);
    tu_write_file(path, data, len);
    add(&p, path);
    free(data);

    const char *profiles[] = {"parser", "validate"};
    for (int pi = 0; pi < 2; pi++) {
        size_t no, ng;
        char **o = ours(&p, profiles[pi], &no);
        char **g = go(&p, profiles[pi], &ng);
        assert_int_equal(no, 2);
        assert_int_equal(ng, 2);
        assert_string_equal(o[0], g[0]);
        assert_string_equal(o[1], g[1]);
        assert_string_not_equal(o[0], o[1]);
        /* Same number of lines: only their text changed. */
        assert_string_equal(strchr(o[0], ' '), strchr(o[1], ' '));
        digests_free(o, no);
        digests_free(g, ng);
    }
    paths_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(definition),
        cmocka_unit_test(same_digests),
        cmocka_unit_test(changed_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
