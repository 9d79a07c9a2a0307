/* corpus: the manifest, the sets, running a case through Go and our validator,
 * and file helpers (harness/corpus.h). */
#include "harness/corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/convert.h"
#include "format/encode.h"
#include "format/header.h"
#include "harness/agree.h"
#include "harness/files.h"

/* ---- Small helpers -------------------------------------------------------- */

int gth_corpus_write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int bad = n && fwrite(p, 1, n, f) != n;
    if (fclose(f) != 0) bad = 1;
    return bad ? -1 : 0;
}

int gth_corpus_remove(const char *dir, const char *suffix) {
    char **names;
    long n = gth_corpus_list(dir, suffix, &names);
    if (n < 0) return -1;
    char path[4200];
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    gth_corpus_free_list(names, n);
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names of the files in dir ending in suffix. Returns the count or -1. */
long gth_corpus_list(const char *dir, const char *suffix, char ***out) {
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : -1;
    char **v = NULL;
    size_t n = 0, cap = 0;
    size_t sl = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **nv = realloc(v, cap * sizeof *v);
            if (!nv) break;
            v = nv;
        }
        if (!(v[n] = strdup(e->d_name))) break;
        n++;
    }
    closedir(d);
    if (n) qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return (long)n;
}

void gth_corpus_free_list(char **v, long n) {
    for (long i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int verdict_parse(const char *s) {
    return !strcmp(s, "ACCEPT") ? RES_ACCEPT : !strcmp(s, "REJECT") ? RES_REJECT : RES_ERROR;
}

/* ---- The manifest ----------------------------------------------------------
 * One tab-separated row per case, sorted by id; a header line starting with
 * '#'. Fields hold no tab or newline: \\, \t, \n and \r are escaped. */

static const char *const manifest_header =
    "# id\tversion\torigin\tsize\tgo_verdict\tgo_error\tgth_verdict\tgth_invariant\n";

void gth_corpus_tsv_escape(gth_buf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\') gth_buf_append(b, "\\\\", 2);
        else if (c == '\t') gth_buf_append(b, "\\t", 2);
        else if (c == '\n') gth_buf_append(b, "\\n", 2);
        else if (c == '\r') gth_buf_append(b, "\\r", 2);
        else gth_buf_putc(b, c);
    }
}

static char *tsv_unescape(const char *s, size_t n) {
    char *o = malloc(n + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[++i];
            o[k++] = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = 0;
    return o;
}

void gth_corpus_row_free(gth_corpus_row *r) {
    free(r->id);
    free(r->origin);
    free(r->go_error);
    free(r->gth_inv);
    memset(r, 0, sizeof *r);
}

void gth_corpus_manifest_free(gth_corpus_manifest *m) {
    for (size_t i = 0; i < m->n; i++) gth_corpus_row_free(&m->v[i]);
    free(m->v);
    memset(m, 0, sizeof *m);
}

int gth_corpus_manifest_push(gth_corpus_manifest *m, gth_corpus_row *r) {
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        gth_corpus_row *nv = realloc(m->v, cap * sizeof *nv);
        if (!nv) return -1;
        m->v = nv;
        m->cap = cap;
    }
    m->v[m->n++] = *r;
    memset(r, 0, sizeof *r);
    return 0;
}

int gth_corpus_manifest_load(gth_corpus_manifest *m, const char *path, char *why, size_t whysz) {
    memset(m, 0, sizeof *m);
    uint8_t *data;
    size_t len;
    if (gth_io_read_all(path, &data, &len, why, whysz)) return -1;
    size_t pos = 0, lineno = 0;
    while (pos < len) {
        size_t e = pos;
        while (e < len && data[e] != '\n') e++;
        lineno++;
        const char *line = (const char *)data + pos;
        size_t ll = e - pos;
        pos = e + 1;
        if (ll == 0 || line[0] == '#') continue;
        const char *f[8];
        size_t fl[8];
        size_t nf = 0, s = 0;
        for (size_t i = 0; i <= ll && nf < 8; i++) {
            if (i == ll || line[i] == '\t') {
                f[nf] = line + s;
                fl[nf++] = i - s;
                s = i + 1;
            }
        }
        if (nf != 8 || memchr(line + s - 1, '\t', ll - (s - 1)) != NULL) {
            snprintf(why, whysz, "%s:%zu: want 8 tab-separated fields", path, lineno);
            goto bad;
        }
        gth_corpus_row r;
        memset(&r, 0, sizeof r);
        char tmp[32];
        r.id = tsv_unescape(f[0], fl[0]);
        r.origin = tsv_unescape(f[2], fl[2]);
        r.go_error = tsv_unescape(f[5], fl[5]);
        r.gth_inv = tsv_unescape(f[7], fl[7]);
        if (!r.id || !r.origin || !r.go_error || !r.gth_inv) {
            gth_corpus_row_free(&r);
            snprintf(why, whysz, "out of memory");
            goto bad;
        }
        snprintf(tmp, sizeof tmp, "%.*s", (int)(fl[1] < 31 ? fl[1] : 31), f[1]);
        if (sscanf(tmp, "go1.%u", &r.version) != 1) r.version = 0;
        snprintf(tmp, sizeof tmp, "%.*s", (int)(fl[3] < 31 ? fl[3] : 31), f[3]);
        r.size = strtoull(tmp, NULL, 10);
        snprintf(tmp, sizeof tmp, "%.*s", (int)(fl[4] < 31 ? fl[4] : 31), f[4]);
        r.go_verdict = verdict_parse(tmp);
        snprintf(tmp, sizeof tmp, "%.*s", (int)(fl[6] < 31 ? fl[6] : 31), f[6]);
        r.gth_verdict = verdict_parse(tmp);
        if (gth_corpus_manifest_push(m, &r)) {
            gth_corpus_row_free(&r);
            snprintf(why, whysz, "out of memory");
            goto bad;
        }
    }
    free(data);
    return 0;
bad:
    free(data);
    gth_corpus_manifest_free(m);
    return -1;
}

static int cmp_row(const void *a, const void *b) {
    return strcmp(((const gth_corpus_row *)a)->id, ((const gth_corpus_row *)b)->id);
}

int gth_corpus_manifest_write(gth_corpus_manifest *m, const char *path) {
    if (m->n) qsort(m->v, m->n, sizeof *m->v, cmp_row);
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_buf_append(&b, manifest_header, strlen(manifest_header));
    for (size_t i = 0; i < m->n; i++) {
        const gth_corpus_row *r = &m->v[i];
        gth_corpus_tsv_escape(&b, r->id, strlen(r->id));
        if (r->version) gth_buf_printf(&b, "\tgo1.%u\t", r->version);
        else gth_buf_printf(&b, "\t-\t");
        gth_corpus_tsv_escape(&b, r->origin, strlen(r->origin));
        gth_buf_printf(&b, "\t%llu\t%s\t", (unsigned long long)r->size, gth_verdict_word(r->go_verdict));
        gth_corpus_tsv_escape(&b, r->go_error, strlen(r->go_error));
        gth_buf_printf(&b, "\t%s\t", gth_verdict_word(r->gth_verdict));
        gth_corpus_tsv_escape(&b, r->gth_inv, strlen(r->gth_inv));
        gth_buf_putc(&b, '\n');
    }
    int rc = b.failed ? -1 : gth_corpus_write_file(path, b.data, b.len);
    gth_buf_free(&b);
    return rc;
}

/* ---- The sets ---------------------------------------------------------------- */

const gth_corpus_set gth_corpus_sets[GTH_CORPUS_NSETS] = {
    {"valid", ".test", GTH_CORPUS_WANT_ACCEPT, 1},
    {"invalid", ".test", GTH_CORPUS_WANT_REJECT, 1},
    {"invalid-validate", ".test", GTH_CORPUS_WANT_REJECT, 0},
    {"invalid-bin", ".trace", GTH_CORPUS_WANT_REJECT, 0},
    {"real", ".trace", GTH_CORPUS_WANT_ANY, 0},
};

const gth_corpus_set *gth_corpus_set_of(const char *id) {
    for (size_t i = 0; i < GTH_CORPUS_NSETS; i++) {
        size_t n = strlen(gth_corpus_sets[i].dir);
        if (!strncmp(id, gth_corpus_sets[i].dir, n) && id[n] == '/') return &gth_corpus_sets[i];
    }
    return NULL;
}

int gth_corpus_is_test(const char *id) {
    size_t n = strlen(id);
    return n > 5 && !strcmp(id + n - 5, ".test");
}

/* ---- Running a case through Go and us -------------------------------------- */

int gth_corpus_runner_open(gth_corpus_runner *r, char *why, size_t whysz) {
    memset(r, 0, sizeof *r);
    r->out = stdout;
    r->log = stderr;
    char buf[4096];
    const char *gthref = gth_find_gthref(buf, sizeof buf, why, whysz);
    if (!gthref) return -1;
    if (gth_adapter_parse(&r->go, "go:validate", gthref, why, whysz) ||
        gth_adapter_parse(&r->go_raw, "go:parser", gthref, why, whysz) ||
        gth_adapter_parse(&r->gth, "gth:validate", NULL, why, whysz))
        return -1;
    const char *t = getenv("TMPDIR");
    snprintf(r->tmpdir, sizeof r->tmpdir, "%s/gth-corpus-XXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
    if (!mkdtemp(r->tmpdir)) {
        snprintf(why, whysz, "cannot create a temporary directory: %s", strerror(errno));
        return -1;
    }
    snprintf(r->binpath, sizeof r->binpath, "%s/case.bin", r->tmpdir);
    gth_buf_init(&r->bin, NULL);
    gth_result_init(&r->rgo);
    gth_result_init(&r->rraw);
    gth_result_init(&r->rgth);
    r->go.max_stream = r->go_raw.max_stream = r->gth.max_stream = 0;
    return 0;
}

void gth_corpus_runner_close(gth_corpus_runner *r) {
    gth_adapter_close(&r->go);
    gth_adapter_close(&r->go_raw);
    gth_adapter_close(&r->gth);
    if (r->binpath[0]) unlink(r->binpath);
    if (r->tmpdir[0]) rmdir(r->tmpdir);
    gth_buf_free(&r->bin);
    gth_result_free(&r->rgo);
    gth_result_free(&r->rraw);
    gth_result_free(&r->rgth);
}

static const char *msg_of(gth_result *r) {
    gth_buf_putc(&r->msg, 0);
    r->msg.len--;
    return (const char *)r->msg.data;
}

int gth_corpus_run(gth_corpus_runner *r, const char *path, int want_raw, gth_corpus_outcome *o, char *why, size_t whysz) {
    memset(o, 0, sizeof *o);
    o->go_raw = RES_ERROR;
    if (gth_adapter_run(&r->go, path, &r->rgo) || gth_adapter_run(&r->gth, path, &r->rgth)) {
        snprintf(why, whysz, "%s: cannot run the adapters", path);
        return -1;
    }
    if (r->rgo.verdict == RES_ERROR) {
        snprintf(why, whysz, "%s: Go adapter failed: %s", path, msg_of(&r->rgo));
        return -1;
    }
    o->go = r->rgo.verdict;
    o->go_msg = msg_of(&r->rgo);
    o->gth = r->rgth.verdict;
    o->gth_msg = msg_of(&r->rgth);
    o->inv = r->rgth.inv;
    o->go_raw_msg = "";
    if (want_raw) {
        if (gth_adapter_run(&r->go_raw, path, &r->rraw) || r->rraw.verdict == RES_ERROR) {
            snprintf(why, whysz, "%s: Go adapter (parser) failed", path);
            return -1;
        }
        o->go_raw = r->rraw.verdict;
        o->go_raw_msg = msg_of(&r->rraw);
    }
    return 0;
}

/* A .test file's trace as Go's bytes, in r->bin and at r->binpath. */
int gth_corpus_to_bin(gth_corpus_runner *r, const void *p, size_t n, const char *name, char *why, size_t whysz) {
    gth_error err;
    r->bin.len = 0;
    if (gth_convert_text_to_binary(p, n, name, GTH_ENC_VERBATIM, &r->bin, &err) != GTH_OK) {
        snprintf(why, whysz, "%s: %s", name, err.msg);
        return -1;
    }
    if (gth_corpus_write_file(r->binpath, r->bin.data, r->bin.len)) {
        snprintf(why, whysz, "%s: %s", r->binpath, strerror(errno));
        return -1;
    }
    return 0;
}

int gth_corpus_set_bin(gth_corpus_runner *r, const void *p, size_t n, char *why, size_t whysz) {
    r->bin.len = 0;
    if (gth_buf_append(&r->bin, p, n) || gth_corpus_write_file(r->binpath, p, n)) {
        snprintf(why, whysz, "%s: %s", r->binpath, r->bin.failed ? "out of memory" : strerror(errno));
        return -1;
    }
    return 0;
}

const char *gth_corpus_inv_id(unsigned inv) {
    const gth_invariant *i = gth_invariant_get(inv);
    return i ? i->id : "-";
}

int gth_corpus_fill_row(gth_corpus_row *row, const char *id, const char *origin, uint64_t size, const gth_corpus_outcome *o) {
    memset(row, 0, sizeof *row);
    row->id = strdup(id);
    row->origin = strdup(origin);
    row->version = o->version;
    row->size = size;
    row->go_verdict = o->go;
    row->go_error = strndup(o->go == RES_ACCEPT ? "" : o->go_msg, o->go == RES_ACCEPT ? 0 : gth_message_key(o->go_msg, strlen(o->go_msg)));
    row->gth_verdict = o->gth;
    row->gth_inv = strdup(o->gth == RES_REJECT ? gth_corpus_inv_id(o->inv) : "-");
    if (!row->id || !row->origin || !row->go_error || !row->gth_inv) {
        gth_corpus_row_free(row);
        return -1;
    }
    return 0;
}


unsigned gth_corpus_version(const uint8_t *p, size_t n) {
    unsigned minor = 0;
    size_t hl;
    gth_error err;
    if (gth_header_parse(p, n, 1, &minor, &hl, &err) != GTH_READ_OK) return 0;
    return minor;
}
