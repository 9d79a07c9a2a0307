/* Driving adapters: the built-in validator and external batch-mode processes. */
#define _GNU_SOURCE /* pipe2: pipes closed on exec from the start, as workers start processes at once */
#include "harness/adapter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/quote.h"
#include "spec/invariants.h"
#include "spec/spec.h"
#include "validator/digest.h"
#include "validator/validate.h"

const char *gth_verdict_word(int v) { return v == RES_ACCEPT ? "ACCEPT" : v == RES_REJECT ? "REJECT" : "ERROR"; }

const char *gth_result_word(const gth_result *r) {
    if (r->verdict != RES_ERROR) return gth_verdict_word(r->verdict);
    switch (r->failure) {
    case GTH_FAIL_CRASH: return "CRASH";
    case GTH_FAIL_TIMEOUT: return "TIMEOUT";
    case GTH_FAIL_START: return "NO-START";
    default: return "ERROR";
    }
}

int gth_result_panicked(const gth_result *r) {
    return r->verdict == RES_REJECT && r->msg.len >= 7 && !memcmp(r->msg.data, "panic: ", 7);
}

void gth_result_init(gth_result *r) {
    memset(r, 0, sizeof *r);
    gth_buf_init(&r->msg, NULL);
    gth_buf_init(&r->lines, NULL);
}

void gth_result_reset(gth_result *r) {
    r->verdict = RES_ERROR;
    r->msg.len = 0;
    r->msg.failed = 0;
    r->lines.len = 0;
    r->lines.failed = 0;
    r->nlines = 0;
    r->truncated = 0;
    r->inv = 0;
    r->failure = GTH_FAIL_NONE;
    r->has_digest = 0;
    r->digest[0] = 0;
}

void gth_result_free(gth_result *r) {
    gth_buf_free(&r->msg);
    gth_buf_free(&r->lines);
}

static void add_line(gth_adapter *a, gth_result *res, const void *p, size_t n) {
    res->nlines++;
    if (res->truncated || res->lines.len + n + 1 > a->max_stream) {
        res->truncated = 1;
        return;
    }
    gth_buf_append(&res->lines, p, n);
    gth_buf_putc(&res->lines, '\n');
}

/* ---- Specs ------------------------------------------------------------------ */

/* A Go reader's adapter: gthref (or a release's) in profile parser or
 * validate, and the command that answers both at once. 0 or -1 (out of memory). */
static int go_command(gth_adapter *a, const char *exe, const char *profile) {
    size_t n = strlen(exe) + 64;
    a->command = malloc(n);
    a->both_command = malloc(n);
    if (!a->command || !a->both_command) return -1;
    snprintf(a->command, n, "'%s' validate --profile=%s", exe, profile);
    snprintf(a->both_command, n, "'%s' validate --profile=both", exe);
    a->profile = !strcmp(profile, "parser") ? GTH_PROFILE_PARSER : GTH_PROFILE_VALIDATE;
    a->first_party = 1;
    return 0;
}

/* The readers of Go's releases: go@REL[:parser|:validate] runs gthref-goREL,
 * gthref built against that release's reader (adapters/RELEASES.md). It sits
 * beside gthref, or beside gth when gthref was not found. */
static const char *const go_releases[] = {"1.22", "1.23", "1.24", "1.25", "1.26", "1.27"};

static int parse_go_release(gth_adapter *a, const char *spec, const char *gthref, char *why, size_t whysz) {
    const char *rel = spec + 3, *colon = strchr(rel, ':');
    size_t rn = colon ? (size_t)(colon - rel) : strlen(rel);
    const char *profile = !colon || !strcmp(colon, ":validate") ? "validate" : !strcmp(colon, ":parser") ? "parser" : NULL;
    size_t k = 0, nrel = sizeof go_releases / sizeof go_releases[0];
    while (k < nrel && (strlen(go_releases[k]) != rn || strncmp(go_releases[k], rel, rn))) k++;
    if (k == nrel || !profile) {
        snprintf(why, whysz, "unknown adapter %s (Go releases: go@1.22 ... go@1.27, optionally :parser or :validate)", spec);
        return -1;
    }
    char dir[PATH_MAX];
    const char *slash = gthref ? strrchr(gthref, '/') : NULL;
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - gthref), gthref);
    } else {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        char *s = n > 0 ? (dir[n] = 0, strrchr(dir, '/')) : NULL;
        if (!s) return snprintf(why, whysz, "adapter %s: cannot locate gth's directory", spec), -1;
        *s = 0;
    }
    char exe[PATH_MAX + 32];
    snprintf(exe, sizeof exe, "%s/gthref-go%s", dir, go_releases[k]);
    if (access(exe, X_OK) != 0) {
        snprintf(why, whysz, "adapter %s needs %s, which was not found (built with the project: cmake/GoReleases.cmake)", spec, exe);
        return -1;
    }
    if (go_command(a, exe, profile)) return snprintf(why, whysz, "out of memory"), -1;
    snprintf(a->name, sizeof a->name, "go@%s:%s", go_releases[k], profile);
    return 0;
}

int gth_adapter_parse(gth_adapter *a, const char *spec, const char *gthref, char *why, size_t whysz) {
    memset(a, 0, sizeof *a);
    a->pid = -1;
    a->to_fd = a->from_fd = -1;
    a->timeout_ms = 120000;
    a->max_stream = (size_t)256 << 20;
    gth_buf_init(&a->inbuf, NULL);
    static const struct {
        const char *spec;
        int profile;
    } builtins[] = {{"gth", GTH_PROFILE_VALIDATE}, {"gth:parser", GTH_PROFILE_PARSER}, {"gth:validate", GTH_PROFILE_VALIDATE}};
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (!strcmp(spec, builtins[i].spec)) {
            a->builtin = 1;
            a->profile = builtins[i].profile;
            snprintf(a->name, sizeof a->name, "gth:%s", gth_profile_name(a->profile));
            a->first_party = 1;
            return 0;
        }
    const char *profile = NULL;
    if (!strcmp(spec, "go") || !strcmp(spec, "go:validate")) profile = "validate";
    else if (!strcmp(spec, "go:parser")) profile = "parser";
    else if (!strncmp(spec, "go@", 3)) return parse_go_release(a, spec, gthref, why, whysz);
    if (profile) {
        if (!gthref) {
            snprintf(why, whysz, "adapter %s needs the Go adapter (gthref), which was not found", spec);
            return -1;
        }
        if (go_command(a, gthref, profile)) return snprintf(why, whysz, "out of memory"), -1;
        snprintf(a->name, sizeof a->name, "go:%s", profile);
        return 0;
    }
    const char *eq = strchr(spec, '=');
    const char *cmd = spec;
    if (eq && eq != spec && (size_t)(eq - spec) < sizeof a->name && !memchr(spec, ' ', (size_t)(eq - spec))) {
        snprintf(a->name, sizeof a->name, "%.*s", (int)(eq - spec), spec);
        cmd = eq + 1;
    } else {
        /* Name it after the program. */
        const char *s = cmd, *e = cmd + strcspn(cmd, " ");
        for (const char *q = s; q < e; q++)
            if (*q == '/') s = q + 1;
        snprintf(a->name, sizeof a->name, "%.*s", (int)(e - s), s);
    }
    if (!*cmd) return snprintf(why, whysz, "empty adapter command in %s", spec), -1;
    a->command = strdup(cmd);
    return a->command ? 0 : (snprintf(why, whysz, "out of memory"), -1);
}

const char *gth_find_gthref(char *buf, size_t bufsz, char *why, size_t whysz) {
    const char *env = getenv("GTH_GTHREF");
    if (env && *env) {
        snprintf(buf, bufsz, "%s", env);
        if (access(buf, X_OK) == 0) return buf;
        snprintf(why, whysz, "GTH_GTHREF=%s is not an executable", env);
        return NULL;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            snprintf(buf, bufsz, "%s/gthref", self);
            if (access(buf, X_OK) == 0) return buf;
        }
    }
    snprintf(why, whysz, "the Go adapter gthref was not found next to gth; build it with "
                         "`go -C adapters/go build -o build/release/gthref ./cmd/gthref` or set GTH_GTHREF");
    return NULL;
}

/* ---- The built-in adapter --------------------------------------------------- */

static int emit_line(void *ud, const uint8_t *line, size_t len) {
    void **p = ud;
    add_line(p[0], p[1], line, len);
    return 0;
}

static int run_builtin(gth_adapter *a, const char *path, gth_result *res) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        res->verdict = RES_ERROR;
        gth_buf_printf(&res->msg, "%s: %s", path, strerror(errno));
        return 0;
    }
    void *ud[2] = {a, res};
    gth_validate_opts o = {.emit = emit_line, .ud = ud, .message = &res->msg};
    gth_digest d;
    if (a->digest) {
        if (gth_digest_init(&d) != 0) {
            close(fd);
            res->verdict = RES_ERROR;
            gth_buf_printf(&res->msg, "out of memory");
            return 0;
        }
        o.emit = gth_digest_emit;
        o.ud = &d;
    }
    gth_validate_result vr;
    int st = gth_validate(gth_source_fd(&fd), a->profile, &o, &vr);
    close(fd);
    if (a->digest) {
        res->nlines = (size_t)vr.nevents;
        res->has_digest = gth_digest_final(&d, res->digest) == 0;
        gth_digest_free(&d);
        if (!res->has_digest && st == GTH_OK) st = gth_error_nomem(&vr.err);
    }
    if (st == GTH_OK) {
        res->verdict = RES_ACCEPT;
        res->msg.len = 0;
    } else if (st == GTH_EINVALID) {
        res->verdict = RES_REJECT;
        res->inv = (unsigned)vr.err.inv;
        if (res->msg.len == 0) gth_buf_append(&res->msg, vr.err.msg, gth_error_len(&vr.err));
    } else {
        res->verdict = RES_ERROR;
        res->msg.len = 0;
        gth_buf_append(&res->msg, vr.err.msg, gth_error_len(&vr.err));
    }
    return 0;
}

/* ---- External adapters -------------------------------------------------------- */

static void stop_process(gth_adapter *a) {
    if (a->to_fd >= 0) close(a->to_fd);
    if (a->from_fd >= 0) close(a->from_fd);
    a->to_fd = a->from_fd = -1;
    if (a->pid > 0) {
        kill(a->pid, SIGKILL);
        while (waitpid(a->pid, NULL, 0) < 0 && errno == EINTR) {}
    }
    a->pid = -1;
    a->inbuf.len = 0;
    a->inpos = 0;
}

static int start_process(gth_adapter *a, char *why, size_t whysz) {
    int in[2], out[2];
    if (!a->id_file[0]) { /* where the adapter finds the id of the trace it is given */
        const char *tmp = getenv("TMPDIR");
        snprintf(a->id_file, sizeof a->id_file, "%.40s/gth-id-XXXXXX", tmp && *tmp && strlen(tmp) <= 40 ? tmp : "/tmp");
        int fd = mkstemp(a->id_file);
        if (fd < 0) {
            snprintf(why, whysz, "cannot create %s: %s", a->id_file, strerror(errno));
            a->id_file[0] = 0;
            return -1;
        }
        close(fd);
    }
    /* The environment with GTH_TRACE_ID_FILE, made before fork: the child only
     * execs. */
    extern char **environ;
    size_t ne = 0;
    while (environ[ne]) ne++;
    char **envp = malloc((ne + 2) * sizeof *envp), idvar[128];
    size_t n = strlen(a->both ? a->both_command : a->command) + 32;
    char *cmd = malloc(n);
    if (!cmd || !envp) return free(cmd), free(envp), snprintf(why, whysz, "out of memory"), -1;
    snprintf(idvar, sizeof idvar, "GTH_TRACE_ID_FILE=%s", a->id_file);
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "GTH_TRACE_ID_FILE=", 18)) envp[k++] = environ[i];
    envp[k++] = idvar;
    envp[k] = NULL;
    snprintf(cmd, n, "%s --batch %s", a->both ? a->both_command : a->command, a->digest ? "--digest" : "--events");
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
        free(cmd);
        free(envp);
        return snprintf(why, whysz, "pipe: %s", strerror(errno)), -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        free(cmd);
        free(envp);
        return snprintf(why, whysz, "fork: %s", strerror(errno)), -1;
    }
    if (pid == 0) { /* dup2 leaves 0 and 1 open across exec; the rest close */
        if (in[0] == 0) fcntl(0, F_SETFD, 0); /* dup2 onto itself keeps close-on-exec */
        else dup2(in[0], 0);
        if (out[1] == 1) fcntl(1, F_SETFD, 0);
        else dup2(out[1], 1);
        char *argv[] = {"sh", "-c", cmd, NULL};
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    free(cmd);
    free(envp);
    close(in[0]);
    close(out[1]);
    a->pid = pid;
    a->to_fd = in[1];
    a->from_fd = out[0];
    a->inbuf.len = 0;
    a->inpos = 0;
    a->started_ok = 0;
    return 0;
}

/* After the output ended: how the process ended. Sets res to a crash, or, for
 * a command that could not run at all (the shell's 126 and 127 before any
 * output), to a start failure. */
static void process_ended(gth_adapter *a, gth_result *res) {
    int st = 0;
    pid_t pid = a->pid;
    if (a->to_fd >= 0) close(a->to_fd);
    a->to_fd = -1;
    int waited = 0;
    for (int i = 0; i < 200 && pid > 0; i++) { /* up to 2 s for it to exit after closing its output */
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            waited = 1;
            a->pid = -1;
            break;
        }
        if (w < 0 && errno != EINTR) break;
        usleep(10000);
    }
    int started = a->started_ok;
    stop_process(a);
    res->verdict = RES_ERROR;
    res->msg.len = 0;
    if (waited && !started && WIFEXITED(st) && (WEXITSTATUS(st) == 126 || WEXITSTATUS(st) == 127)) {
        res->failure = GTH_FAIL_START;
        gth_buf_printf(&res->msg, "adapter %s could not be started (the shell's exit status %d): %s", a->name,
                       WEXITSTATUS(st), a->command);
    } else {
        res->failure = GTH_FAIL_CRASH;
        if (waited && WIFSIGNALED(st))
            gth_buf_printf(&res->msg, "adapter %s crashed: killed by signal %d (%s)", a->name, WTERMSIG(st),
                           strsignal(WTERMSIG(st)));
        else if (waited)
            gth_buf_printf(&res->msg, "adapter %s crashed: exited with status %d mid-trace", a->name, WEXITSTATUS(st));
        else
            gth_buf_printf(&res->msg, "adapter %s crashed: closed its output mid-trace", a->name);
    }
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Next line from the adapter (without '\n'): 1, 0 at EOF, -1 on timeout. */
static int read_line(gth_adapter *a, const char **line, size_t *len, long deadline) {
    for (;;) {
        size_t avail = a->inbuf.len - a->inpos;
        uint8_t *start = avail ? a->inbuf.data + a->inpos : NULL;
        uint8_t *nl = avail ? memchr(start, '\n', avail) : NULL;
        if (nl) {
            *line = (const char *)start;
            *len = (size_t)(nl - start);
            a->inpos += *len + 1;
            return 1;
        }
        if (a->inpos > 0 && a->inpos == a->inbuf.len) {
            a->inbuf.len = a->inpos = 0;
        } else if (a->inpos > (1u << 20)) {
            memmove(a->inbuf.data, a->inbuf.data + a->inpos, a->inbuf.len - a->inpos);
            a->inbuf.len -= a->inpos;
            a->inpos = 0;
        }
        long left = deadline ? deadline - now_ms() : -1;
        if (deadline && left <= 0) return -1;
        struct pollfd pf = {a->from_fd, POLLIN, 0};
        int pr = poll(&pf, 1, deadline ? (int)left : -1);
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) return -1;
        if (gth_buf_reserve(&a->inbuf, 1 << 16)) return 0;
        ssize_t r = read(a->from_fd, a->inbuf.data + a->inbuf.len, 1 << 16);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        a->inbuf.len += (size_t)r;
    }
}

static int starts(const char *line, size_t len, const char *prefix) {
    size_t n = strlen(prefix);
    return len >= n && !memcmp(line, prefix, n);
}

/* "DIGEST <64 hex> <n>" into res; other lines of a digest-mode adapter are
 * ignored. */
static void parse_digest(gth_result *res, const char *line, size_t len) {
    if (len < 7 + GTH_DIGEST_HEX_LEN + 2 || !starts(line, len, "DIGEST ") || line[7 + GTH_DIGEST_HEX_LEN] != ' ')
        return;
    size_t n = 0, i = 7 + GTH_DIGEST_HEX_LEN + 1;
    if (i == len) return;
    for (; i < len; i++) {
        if (line[i] < '0' || line[i] > '9') return;
        n = n * 10 + (size_t)(line[i] - '0');
    }
    memcpy(res->digest, line + 7, GTH_DIGEST_HEX_LEN);
    res->digest[GTH_DIGEST_HEX_LEN] = 0;
    res->has_digest = 1;
    res->nlines = n;
}

/* Writes the trace's path to an external adapter: 1, or 0 with the failure in
 * res. */
static int send_trace(gth_adapter *a, const char *path, const char *id, gth_result *res) {
    char why[512];
    if (a->pid < 0 && start_process(a, why, sizeof why)) {
        res->verdict = RES_ERROR;
        res->failure = GTH_FAIL_START;
        gth_buf_printf(&res->msg, "cannot start adapter: %s", why);
        return 0;
    }
    if (id) {
        FILE *f = fopen(a->id_file, "w");
        if (f) {
            fprintf(f, "%s\n", id);
            fclose(f);
        }
    }
    size_t plen = strlen(path);
    signal(SIGPIPE, SIG_IGN);
    for (int attempt = 0;; attempt++) {
        if (write(a->to_fd, path, plen) == (ssize_t)plen && write(a->to_fd, "\n", 1) == 1) break;
        /* It is gone (it may exit between traces): once more with a new process. */
        stop_process(a);
        if (attempt || start_process(a, why, sizeof why)) {
            res->verdict = RES_ERROR;
            res->failure = GTH_FAIL_CRASH;
            gth_buf_printf(&res->msg, "adapter %s exited before reading the trace", a->name);
            return 0;
        }
    }
    return 1;
}

/* Reads one frame of an external adapter's answer on the trace sent last,
 * by the deadline (0: none): 1, or 0 when the process ended or timed out
 * (res says so; the process is stopped). */
static int receive_frame(gth_adapter *a, gth_result *res, long deadline) {
    int framed = 0, have_verdict = 0;
    for (;;) {
        const char *line;
        size_t len;
        int rc = read_line(a, &line, &len, deadline);
        if (rc == 0) {
            process_ended(a, res);
            return 0;
        }
        if (rc < 0) {
            stop_process(a);
            res->verdict = RES_ERROR;
            res->failure = GTH_FAIL_TIMEOUT;
            res->msg.len = 0;
            gth_buf_printf(&res->msg, "adapter %s timed out after %d ms", a->name, a->timeout_ms);
            return 0;
        }
        a->started_ok = 1;
        if (!framed) {
            if (starts(line, len, "== ")) framed = 1;
            continue; /* anything before the frame is noise */
        }
        if (len == 6 && !memcmp(line, "== end", 6)) break;
        if (have_verdict) continue;
        if (len == 6 && !memcmp(line, "ACCEPT", 6)) {
            res->verdict = RES_ACCEPT;
            have_verdict = 1;
        } else if (starts(line, len, "REJECT ") || starts(line, len, "ERROR ")) {
            int rej = line[0] == 'R';
            size_t skip = rej ? 7 : 6;
            res->verdict = rej ? RES_REJECT : RES_ERROR;
            if (gth_unquote_append(&res->msg, line + skip, len - skip) != 0) {
                res->msg.len = 0;
                gth_buf_append(&res->msg, line + skip, len - skip);
            }
            have_verdict = 1;
        } else if (a->digest) {
            parse_digest(res, line, len);
        } else {
            add_line(a, res, line, len);
        }
    }
    if (!have_verdict) {
        res->verdict = RES_ERROR;
        res->failure = GTH_FAIL_PROTOCOL;
        gth_buf_printf(&res->msg, "adapter %s gave no verdict", a->name);
    }
    return 1;
}

/* A failure of adapter a's process (res) as that of adapter v (vres, which
 * may be res): the same, its text naming v. */
static void failure_of(const gth_adapter *a, const gth_result *res, const gth_adapter *v, gth_result *vres) {
    gth_buf text;
    gth_buf_init(&text, NULL);
    const char *t = res->msg.data ? (const char *)res->msg.data : "";
    size_t skip = strlen("adapter ") + strlen(a->name);
    if (res->msg.len >= skip && starts(t, res->msg.len, "adapter ") && !memcmp(t + 8, a->name, skip - 8)) {
        gth_buf_printf(&text, "adapter %s", v->name);
        gth_buf_append(&text, t + skip, res->msg.len - skip);
    } else {
        gth_buf_append(&text, t, res->msg.len);
    }
    int verdict = res->verdict, failure = res->failure;
    gth_result_reset(vres);
    vres->verdict = verdict;
    vres->failure = failure;
    gth_buf_append(&vres->msg, text.data ? text.data : (const uint8_t *)"", text.len);
    gth_buf_free(&text);
}

/* Reads an external adapter's answer on the trace sent last: in mode both,
 * the second frame into vres (as v's: NULL, the second frame is read and
 * dropped). */
static void receive_trace(gth_adapter *a, gth_result *res, gth_adapter *v, gth_result *vres) {
    long deadline = a->timeout_ms ? now_ms() + a->timeout_ms : 0;
    if (!a->both) {
        receive_frame(a, res, deadline);
        return;
    }
    gth_result scratch;
    gth_result_init(&scratch);
    gth_result *second = vres ? vres : &scratch;
    gth_result_reset(second);
    if (receive_frame(a, res, deadline)) {
        if (!receive_frame(a, second, deadline) && v) failure_of(a, second, v, second);
    } else if (v) {
        failure_of(a, res, v, second);
    }
    gth_result_free(&scratch);
}

void gth_adapter_send(gth_adapter *a, const char *path, const char *id, gth_result *res) {
    gth_result_reset(res);
    a->sent = a->builtin ? 1 : send_trace(a, path, id, res) ? 1 : -1;
}

/* Counts the answer res of adapter a; started: the process that gave it has
 * written something. */
static void count_answer(gth_adapter *a, const gth_result *res, int started) {
    /* Answered: a verdict, or output before it crashed or a timeout. */
    if (res->verdict != RES_ERROR || res->failure == GTH_FAIL_TIMEOUT || (res->failure == GTH_FAIL_CRASH && started))
        a->answered++;
}

int gth_adapter_receive(gth_adapter *a, const char *path, gth_result *res) {
    if (a->sent > 0) {
        if (a->builtin) run_builtin(a, path, res);
        else receive_trace(a, res, NULL, NULL);
    }
    a->sent = 0;
    count_answer(a, res, a->started_ok);
    return 0;
}

void gth_adapter_receive_both(gth_adapter *a, gth_adapter *v, const char *path, gth_result *res, gth_result *vres) {
    if (a->sent > 0) receive_trace(a, res, v, vres);
    else failure_of(a, res, v, vres); /* it could not be given the trace */
    a->sent = 0;
    count_answer(a, res, a->started_ok);
    count_answer(v, vres, a->started_ok);
}

int gth_adapter_run_id(gth_adapter *a, const char *path, const char *id, gth_result *res) {
    gth_adapter_send(a, path, id, res);
    return gth_adapter_receive(a, path, res);
}

int gth_adapter_run(gth_adapter *a, const char *path, gth_result *res) { return gth_adapter_run_id(a, path, NULL, res); }

void gth_adapter_close(gth_adapter *a) {
    if (!a->builtin && a->pid > 0) {
        close(a->to_fd); /* end of input: the adapter finishes and exits */
        a->to_fd = -1;
        int st;
        for (int i = 0; i < 50; i++) {
            if (waitpid(a->pid, &st, WNOHANG) == a->pid) {
                a->pid = -1;
                break;
            }
            usleep(10000);
        }
    }
    stop_process(a);
    gth_buf_free(&a->inbuf);
    free(a->command);
    free(a->both_command);
    a->command = a->both_command = NULL;
    if (a->id_file[0]) unlink(a->id_file);
    a->id_file[0] = 0;
}

/* ---- Capabilities ----------------------------------------------------------------- */

int gth_adapter_reads(const gth_adapter *a, unsigned minor) {
    return !a->has_versions || minor == 0 || (minor < sizeof a->reads && a->reads[minor]);
}

static unsigned parse_minor(const char *s, const char **end) {
    unsigned m = 0;
    if (strncmp(s, "1.", 2)) return *end = s, 0;
    s += 2;
    while (*s >= '0' && *s <= '9') m = m * 10 + (unsigned)(*s++ - '0');
    *end = s;
    return m;
}

void gth_adapter_capabilities(gth_adapter *a) {
    a->has_versions = 0;
    a->api = 0;
    a->digest_cap = 0;
    a->both_cap = 0;
    memset(a->reads, 0, sizeof a->reads);
    if (a->builtin) {
        const unsigned *v;
        size_t n = gth_versions_v2(&v);
        for (size_t i = 0; i < n; i++)
            if (v[i] < sizeof a->reads) a->reads[v[i]] = 1;
        a->has_versions = 1;
        a->digest_cap = 1;
        return;
    }
    size_t n = strlen(a->command) + 32;
    char *cmd = malloc(n);
    int fd[2];
    if (!cmd || pipe2(fd, O_CLOEXEC)) return free(cmd);
    snprintf(cmd, n, "%s --capabilities", a->command);
    pid_t pid = fork();
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);
        dup2(nul, 0);
        dup2(nul, 2);
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    free(cmd);
    close(fd[1]);
    /* At most 10 s and 64 KiB: an adapter that does not know the flag may run on. */
    char out[65536];
    size_t len = 0;
    long deadline = now_ms() + 10000;
    while (pid > 0 && len + 1 < sizeof out) {
        long left = deadline - now_ms();
        struct pollfd pf = {fd[0], POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0) break;
        ssize_t r = read(fd[0], out + len, sizeof out - 1 - len);
        if (r <= 0) break;
        len += (size_t)r;
    }
    out[len] = 0;
    close(fd[0]);
    if (pid > 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    }
    for (char *line = out, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        const char *s = line, *e;
        if (!strncmp(s, "versions ", 9)) {
            for (s += 9; *s == ' ' || *s == '1';) {
                if (*s == ' ') {
                    s++;
                    continue;
                }
                unsigned m = parse_minor(s, &e);
                if (e == s) break;
                if (m < sizeof a->reads) a->reads[m] = 1;
                a->has_versions = 1;
                s = e;
            }
        } else if (!strncmp(s, "api ", 4)) {
            a->api = parse_minor(s + 4, &e);
        } else if (!strcmp(s, "digest")) {
            a->digest_cap = 1;
        } else if (!strcmp(s, "both")) {
            a->both_cap = 1;
        }
    }
}

int gth_adapter_clone(const gth_adapter *src, gth_adapter *dst) {
    *dst = *src;
    dst->pid = -1;
    dst->to_fd = dst->from_fd = -1;
    gth_buf_init(&dst->inbuf, NULL);
    dst->inpos = 0;
    dst->answered = 0;
    dst->started_ok = 0;
    dst->sent = 0;
    dst->id_file[0] = 0;
    dst->command = src->command ? strdup(src->command) : NULL;
    dst->both_command = src->both_command ? strdup(src->both_command) : NULL;
    if ((src->command && !dst->command) || (src->both_command && !dst->both_command)) {
        free(dst->command);
        free(dst->both_command);
        dst->command = dst->both_command = NULL;
        return -1;
    }
    return 0;
}

int gth_adapter_can_join(const gth_adapter *p, const gth_adapter *v) {
    return !p->builtin && !v->builtin && p->both_cap && v->both_cap && p->both_command && v->both_command &&
           !strcmp(p->both_command, v->both_command) && p->profile == GTH_PROFILE_PARSER &&
           v->profile == GTH_PROFILE_VALIDATE && p->digest == v->digest && p->timeout_ms == v->timeout_ms &&
           p->max_stream == v->max_stream;
}
