/* Helpers shared by the cmocka tests. */
#include "util/testutil.h"

#include "base/quote.h"
#include "generator/gen.h"
#include "spec/invariants.h"
#include "validator/reader.h"
#include "validator/validate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

uint8_t *tu_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0) break;
        n += r;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

void tu_write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot create %s: %s", path, strerror(errno));
    if (len && fwrite(data, 1, len, f) != len) fail_msg("cannot write %s", path);
    fclose(f);
}

const char *tu_tmpdir(const char *tag) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/tmp", GTH_BINARY_DIR);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/tmp/%s-XXXXXX", GTH_BINARY_DIR, tag);
    if (!mkdtemp(path)) fail_msg("mkdtemp %s: %s", path, strerror(errno));
    return path;
}

static void slurp_fds(int ofd, int efd, char **out, size_t *out_len, char **err) {
    size_t ocap = 4096, olen = 0, ecap = 4096, elen = 0;
    char *o = malloc(ocap), *e = malloc(ecap);
    struct pollfd pf[2] = {{ofd, POLLIN, 0}, {efd, POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char **buf = i == 0 ? &o : &e;
            size_t *len = i == 0 ? &olen : &elen, *cap = i == 0 ? &ocap : &ecap;
            if (*len + 65536 + 1 > *cap) {
                while (*len + 65536 + 1 > *cap) *cap *= 2;
                *buf = realloc(*buf, *cap);
            }
            ssize_t r = read(pf[i].fd, *buf + *len, 65536);
            if (r <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
            } else {
                *len += (size_t)r;
            }
        }
    }
    o[olen] = 0;
    e[elen] = 0;
    if (out) *out = o; else free(o);
    if (out_len) *out_len = olen;
    if (err) *err = e; else free(e);
}

int tu_run(char *const argv[], const void *in, size_t in_len, char **out, size_t *out_len,
           char **err) {
    char inpath[4200] = "";
    if (in) {
        snprintf(inpath, sizeof inpath, "%s/stdin-XXXXXX", tu_tmpdir("run"));
        int fd = mkstemp(inpath);
        if (fd < 0) fail_msg("mkstemp: %s", strerror(errno));
        if (in_len && write(fd, in, in_len) != (ssize_t)in_len) fail_msg("write stdin file");
        close(fd);
    }
    int op[2], ep[2];
    if (pipe(op) || pipe(ep)) fail_msg("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(in ? inpath : "/dev/null", O_RDONLY);
        dup2(fd, 0);
        dup2(op[1], 1);
        dup2(ep[1], 2);
        close(op[0]);
        close(ep[0]);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(op[1]);
    close(ep[1]);
    slurp_fds(op[0], ep[0], out, out_len, err);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (in) unlink(inpath);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

const char *tu_goroot(void) {
    static char root[4096];
    if (root[0]) return root;
    char *argv[] = {GTH_GO, "env", "GOROOT", NULL};
    char *out = NULL;
    int rc = tu_run(argv, NULL, 0, &out, NULL, NULL);
    if (rc != 0 || !out || !out[0]) fail_msg("Go toolchain (%s) is required but not usable", GTH_GO);
    size_t n = strcspn(out, "\r\n");
    out[n] = 0;
    snprintf(root, sizeof root, "%s", out);
    free(out);
    return root;
}

const char *tu_gthref(void) {
    static char path[4096];
    static int built;
    if (built) return path;
    snprintf(path, sizeof path, "%s/gthref", GTH_BINARY_DIR);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/adapters/go", GTH_SOURCE_DIR);
    char *argv[] = {GTH_GO, "-C", dir, "build", "-o", path, "./cmd/gthref", NULL};
    char *err = NULL;
    int rc = tu_run(argv, NULL, 0, NULL, NULL, &err);
    if (rc != 0) fail_msg("building the Go reference adapter failed (%d): %s", rc, err ? err : "");
    free(err);
    built = 1;
    return path;
}

size_t tu_gthref_accepts(char *const *paths, size_t n, const char *profile, char **reject) {
    tu_verdict *v = tu_go_verdicts(paths, n, profile);
    size_t accepted = 0;
    if (reject) *reject = NULL;
    for (size_t i = 0; i < n; i++) {
        if (v[i].accepted) {
            accepted++;
        } else if (reject && !*reject) {
            size_t l = strlen(paths[i]) + strlen(v[i].msg) + 4;
            *reject = malloc(l);
            snprintf(*reject, l, "%s: %s", paths[i], v[i].msg);
        }
    }
    tu_verdicts_free(v, n);
    return accepted;
}

const char *tu_gth(void) { return GTH_CLI; }

tu_res tu_run_gth(const char *const *args, const void *in, size_t in_len) {
    char *argv[32];
    size_t n = 0;
    argv[n++] = (char *)tu_gth();
    for (; *args; args++) {
        if (n + 1 >= sizeof argv / sizeof argv[0]) fail_msg("tu_run_gth: too many arguments");
        argv[n++] = (char *)*args;
    }
    argv[n] = NULL;
    tu_res r = {0, NULL, NULL, 0};
    r.rc = tu_run(argv, in, in_len, &r.out, &r.out_len, &r.err);
    return r;
}

void tu_res_free(tu_res *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t tu_list(const char *dir, const char *suffix, char ***names) {
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open directory %s: %s", dir, strerror(errno));
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        size_t l = strlen(de->d_name);
        if (suffix && (l < strlen(suffix) || strcmp(de->d_name + l - strlen(suffix), suffix)))
            continue;
        if (n + 2 > cap) v = realloc(v, (cap *= 2) * sizeof *v);
        size_t pl = strlen(dir) + l + 2;
        v[n] = malloc(pl);
        snprintf(v[n], pl, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    qsort(v, n, sizeof *v, cmp_str);
    v[n] = NULL;
    *names = v;
    return n;
}

void tu_free_list(char **names) {
    for (char **p = names; *p; p++) free(*p);
    free(names);
}

size_t tu_golden_binaries(const char *dir, char ***paths) {
    char src[4200], **tests;
    snprintf(src, sizeof src, "%s/src/internal/trace/testdata/tests", tu_goroot());
    size_t n = tu_list(src, ".test", &tests);
    if (n < 22) fail_msg("expected Go's golden tests in %s, found %zu", src, n);
    char **out = calloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        char *argv[] = {(char *)tu_gthref(), "test2bytes", tests[i], NULL};
        char *bytes = NULL;
        size_t len = 0;
        if (tu_run(argv, NULL, 0, &bytes, &len, NULL) != 0) fail_msg("gthref test2bytes %s failed", tests[i]);
        const char *base = strrchr(tests[i], '/') + 1;
        size_t pl = strlen(dir) + strlen(base) + 8;
        out[i] = malloc(pl);
        snprintf(out[i], pl, "%s/%.*s.bin", dir, (int)(strlen(base) - 5), base);
        tu_write_file(out[i], bytes, len);
        free(bytes);
    }
    tu_free_list(tests);
    *paths = out;
    return n;
}

uint8_t *tu_generate(unsigned version, uint64_t seed, uint64_t events, uint64_t generations, size_t *len) {
    gth_gen_config c;
    gth_gen_config_init(&c, version, seed);
    c.events_per_gen = events;
    c.generations = generations;
    gth_buf b;
    gth_buf_init(&b, NULL); /* the default allocator: free() releases the bytes */
    gth_error err;
    if (gth_gen_run_buf(&c, &b, NULL, &err) != GTH_OK)
        fail_msg("gen 1.%u seed %llu: %s", version, (unsigned long long)seed, err.msg);
    *len = b.len;
    return b.data;
}

/* A memory source that returns fewer bytes than asked, in a cycle of sizes
 * from 1 byte up, from read and pread alike, as a pipe or a signal can. */
typedef struct trickle {
    const uint8_t *data;
    size_t len, pos;
    unsigned k;
} trickle;

static size_t trickle_take(trickle *t, size_t n, uint64_t off) {
    static const size_t sizes[] = {1, 2, 3, 7, 64, 13, 500, 4096, 5};
    size_t s = sizes[t->k++ % (sizeof sizes / sizeof sizes[0])];
    if (off >= t->len) return 0;
    if (s > t->len - off) s = (size_t)(t->len - off);
    return s < n ? s : n;
}

static long trickle_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    (void)err;
    trickle *t = ud;
    size_t k = trickle_take(t, n, t->pos);
    if (k) memcpy(buf, t->data + t->pos, k);
    t->pos += k;
    return (long)k;
}

static long trickle_pread(void *ud, uint8_t *buf, size_t n, uint64_t off, gth_error *err) {
    (void)err;
    trickle *t = ud;
    size_t k = trickle_take(t, n, off);
    if (k) memcpy(buf, t->data + off, k);
    return (long)k;
}

/* One run of the pipeline over a source that gives short reads. seekable = 0
 * hides pread, as for a pipe: the reader then buffers whole generations
 * instead of re-reading batches by offset. */
static int ours_once(const void *data, size_t len, int profile, int seekable, gth_buf *msg, gth_error *err,
                     uint64_t *nevents) {
    trickle t = {data, len, 0, 0};
    gth_source src = {trickle_read, &t, seekable ? trickle_pread : NULL, len};
    gth_validate_opts o = {.message = msg};
    gth_validate_result res;
    int rc = gth_validate(src, profile, &o, &res);
    *err = res.err;
    *nevents = res.nevents;
    gth_buf_putc(msg, 0);
    return rc;
}

void tu_ours(const void *data, size_t len, int profile, tu_verdict *v) {
    gth_buf msg, msg2;
    gth_buf_init(&msg, NULL);
    gth_buf_init(&msg2, NULL);
    gth_error err, err2;
    uint64_t n, n2;
    int rc = ours_once(data, len, profile, 1, &msg, &err, &n);
    if (rc != GTH_OK) {
        if (rc != GTH_EINVALID) fail_msg("status %d: %s", rc, err.msg);
        if (!gth_invariant_get((unsigned)err.inv)) fail_msg("a finding without an invariant: %s", err.msg);
    }
    /* Both ways of reading give the same stream length and the same finding. */
    int rc2 = ours_once(data, len, profile, 0, &msg2, &err2, &n2);
    if (rc != rc2 || n != n2 || strcmp((char *)msg.data, (char *)msg2.data) ||
        (rc != GTH_OK && (err.inv != err2.inv || err.offset != err2.offset)))
        fail_msg("seekable and streamed reads differ: %d/%d, %llu/%llu events, %s / %s", rc, rc2,
                 (unsigned long long)n, (unsigned long long)n2, (char *)msg.data, (char *)msg2.data);
    v->accepted = rc == GTH_OK;
    v->inv = rc == GTH_OK ? 0 : err.inv;
    v->msg = strdup(rc == GTH_OK ? "" : (char *)msg.data);
    gth_buf_free(&msg);
    gth_buf_free(&msg2);
}

tu_verdict *tu_go_verdicts(char *const *paths, size_t n, const char *profile) {
    gth_buf list;
    gth_buf_init(&list, NULL);
    for (size_t i = 0; i < n; i++) gth_buf_printf(&list, "%s\n", paths[i]);
    char flag[64];
    snprintf(flag, sizeof flag, "--profile=%s", profile);
    char *argv[] = {(char *)tu_gthref(), "validate", "--batch", flag, NULL};
    char *out = NULL, *err = NULL;
    size_t olen = 0;
    tu_run(argv, list.data, list.len, &out, &olen, &err);
    gth_buf_free(&list);
    tu_verdict *v = calloc(n + 1, sizeof *v);
    size_t i = 0;
    for (char *p = out, *end = out + olen; p < end && i < n;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        size_t l = (size_t)(nl - p);
        if (l == 6 && !strncmp(p, "ACCEPT", 6)) {
            v[i].accepted = 1;
            v[i++].msg = strdup("");
        } else if (l > 7 && !strncmp(p, "REJECT ", 7)) {
            gth_buf m;
            gth_buf_init(&m, NULL);
            if (gth_unquote_append(&m, p + 7, l - 7) != 0) fail_msg("bad verdict %.*s", (int)l, p);
            gth_buf_putc(&m, 0);
            v[i++].msg = strdup((char *)m.data);
            gth_buf_free(&m);
        } else if (l > 6 && !strncmp(p, "ERROR ", 6)) {
            fail_msg("Go adapter could not read a trace: %.*s", (int)l, p);
        }
        p = nl + 1;
    }
    if (i != n) fail_msg("Go adapter gave %zu verdicts for %zu traces: %s", i, n, err ? err : "");
    free(out);
    free(err);
    return v;
}

void tu_verdicts_free(tu_verdict *v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i].msg);
    free(v);
}

size_t tu_real_traces(const char *dir, const char *modes, char ***paths) {
    char script[4200];
    snprintf(script, sizeof script, "%s/adapters/go/testprogs/run.sh", GTH_SOURCE_DIR);
    char *argv[] = {"sh", script, (char *)dir, (char *)modes, NULL};
    char *o = NULL, *e = NULL;
    if (tu_run(argv, NULL, 0, &o, NULL, &e)) fail_msg("run.sh failed: %s", e ? e : "");
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    for (char *l = strtok(o, "\n"); l; l = strtok(NULL, "\n")) {
        if (n + 2 > cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = strdup(l);
    }
    v[n] = NULL;
    free(o);
    free(e);
    *paths = v;
    return n;
}

size_t tu_count(const char *s, const char *needle) {
    /* One pass: a strstr per match costs the rest of the string each time
     * under ASan's interceptor. */
    size_t n = 0, k = strlen(needle);
    for (const char *p = s; *p; p++)
        if (*p == *needle && !strncmp(p, needle, k)) {
            n++;
            p += k - 1;
        }
    return n;
}
