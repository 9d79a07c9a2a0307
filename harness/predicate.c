/* Predicates for the minimiser: adapters disagreeing, an invariant, a command;
 * and the judge of a reduced trace (harness/predicate.h). */
#include "harness/predicate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/agree.h"
#include "harness/files.h"
#include "spec/invariants.h"
#include "validator/validate.h"

/* ---- Two adapters disagree ----------------------------------------------------- */

void gth_pair_pred_init(gth_pair_pred *p, gth_adapter *a, gth_adapter *b, const char *path) {
    memset(p, 0, sizeof *p);
    p->a = a;
    p->b = b;
    p->want_a = p->want_b = -2;
    snprintf(p->path, sizeof p->path, "%s", path);
    gth_result_init(&p->ra);
    gth_result_init(&p->rb);
}

void gth_pair_pred_free(gth_pair_pred *p) {
    gth_result_free(&p->ra);
    gth_result_free(&p->rb);
}

int gth_pair_pred_file(gth_pair_pred *p, const char *path) {
    gth_adapter_run(p->a, path, &p->ra);
    gth_adapter_run(p->b, path, &p->rb);
    if (gth_results_agree(&p->ra, &p->rb, p->texts)) return 0;
    if (p->want_a != -2 && p->ra.verdict != p->want_a) return 0;
    if (p->want_b != -2 && p->rb.verdict != p->want_b) return 0;
    return 1;
}

/* A candidate into its file; -1 (the predicate cannot run) if that fails. */
static int write_candidate(const char *path, const uint8_t *trace, size_t len) {
    char why[4400];
    if (gth_io_write_all(path, trace, len, why, sizeof why) == 0) return 0;
    fprintf(stderr, "gth reduce: %s\n", why);
    return -1;
}

int gth_pair_pred_fn(void *ud, const uint8_t *trace, size_t len) {
    gth_pair_pred *p = ud;
    return write_candidate(p->path, trace, len) ? -1 : gth_pair_pred_file(p, p->path);
}

/* ---- Our validator -------------------------------------------------------------------- */

int gth_inv_pred_fn(void *ud, const uint8_t *trace, size_t len) {
    gth_inv_pred *p = ud;
    gth_buf msg;
    gth_buf_init(&msg, NULL);
    gth_validate_opts o = {.message = p->match ? &msg : NULL};
    gth_validate_result res;
    int st = gth_validate_mem(trace, len, p->profile, &o, &res);
    int holds = st == GTH_EINVALID && (unsigned)res.err.inv == p->inv;
    if (holds && p->match) holds = !msg.failed && gth_regex_search(p->match, msg.len ? (const char *)msg.data : "", msg.len);
    gth_buf_free(&msg);
    return st == GTH_ENOMEM ? -1 : holds;
}

void gth_inv_pred_explain(const gth_inv_pred *p, const uint8_t *trace, size_t len, gth_buf *what) {
    gth_buf msg;
    gth_buf_init(&msg, NULL);
    gth_validate_opts o = {.message = &msg};
    gth_validate_result res;
    int st = gth_validate_mem(trace, len, p->profile, &o, &res);
    gth_buf_printf(what, "our validator (profile %s) ", gth_profile_name((unsigned)p->profile));
    const gth_invariant *inv = gth_invariant_get((unsigned)res.err.inv);
    if (st == GTH_OK) {
        gth_buf_printf(what, "accepts it");
    } else if (st != GTH_EINVALID) {
        gth_buf_printf(what, "could not read it: %s", res.err.msg);
    } else {
        gth_buf_printf(what, "reports [%s]%s ", inv ? inv->id : "?",
                       (unsigned)res.err.inv == p->inv ? " with another text:" : "");
        if (msg.len && !msg.failed) gth_buf_append(what, msg.data, msg.len);
        else gth_buf_printf(what, "%s", res.err.msg);
    }
    gth_buf_free(&msg);
}

/* ---- A command ----------------------------------------------------------------------------- */

/* cmd with every "{}" replaced by the single-quoted path, or the path appended. */
static char *command_line(const char *cmd, const char *path) {
    gth_buf q, b;
    gth_buf_init(&q, NULL);
    gth_buf_init(&b, NULL);
    gth_buf_putc(&q, '\'');
    for (const char *s = path; *s; s++) {
        if (*s == '\'') gth_buf_append(&q, "'\\''", 4);
        else gth_buf_putc(&q, *s);
    }
    gth_buf_putc(&q, '\'');
    int subst = 0;
    for (const char *s = cmd; *s;) {
        if (s[0] == '{' && s[1] == '}') {
            gth_buf_append(&b, q.data, q.len);
            s += 2;
            subst = 1;
        } else {
            gth_buf_putc(&b, *s++);
        }
    }
    if (!subst) {
        gth_buf_putc(&b, ' ');
        gth_buf_append(&b, q.data, q.len);
    }
    gth_buf_putc(&b, 0);
    gth_buf_free(&q);
    if (b.failed) {
        gth_buf_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

int gth_cmd_pred_run(gth_cmd_pred *p, const char *path) {
    char *line = command_line(p->cmd, path);
    if (!line) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        free(line);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0); /* its own group, so that a timeout ends its children too */
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execl("/bin/sh", "sh", "-c", line, (char *)NULL);
        _exit(127);
    }
    free(line);
    setpgid(pid, pid);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int st = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, p->timeout_s > 0 ? WNOHANG : 0);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return -1;
        if (w == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            if (t.tv_sec - t0.tv_sec >= p->timeout_s) {
                kill(-pid, SIGKILL);
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
                return -1;
            }
            usleep(2000);
        }
    }
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int gth_cmd_pred_fn(void *ud, const uint8_t *trace, size_t len) {
    gth_cmd_pred *p = ud;
    if (write_candidate(p->path, trace, len)) return -1;
    int rc = gth_cmd_pred_run(p, p->path);
    if (rc < 0) return 0;
    if (p->want_signal) return rc > 128 && rc <= 128 + 64;
    return rc == p->want_exit;
}

/* ---- The judge ------------------------------------------------------------------------------ */

const char *gth_judge(int oracle, const char *gthref, int profile, const char *path, const uint8_t *bin, size_t len,
                      gth_result *expect, char *why, size_t whysz) {
    const char *go = profile == GTH_PROFILE_PARSER ? "go:parser" : "go:validate";
    why[0] = 0;
    gth_result_reset(expect);
    if (oracle != GTH_ORACLE_OURS) {
        gth_adapter a;
        if (!gthref) {
            snprintf(why, whysz, "the Go adapter (gthref) was not found");
        } else if (gth_adapter_parse(&a, go, gthref, why, whysz) == 0) {
            gth_adapter_run(&a, path, expect);
            gth_adapter_close(&a);
            if (expect->verdict != RES_ERROR) return go;
            snprintf(why, whysz, "it could not judge the trace");
        }
        if (oracle == GTH_ORACLE_GO) return NULL;
    }
    gth_result_reset(expect);
    gth_validate_opts o = {.message = &expect->msg};
    gth_validate_result res;
    int v = gth_validate_mem(bin, len, profile, &o, &res);
    expect->verdict = v == GTH_OK ? RES_ACCEPT : v == GTH_EINVALID ? RES_REJECT : RES_ERROR;
    expect->inv = v == GTH_EINVALID ? (unsigned)res.err.inv : 0;
    if (v == GTH_OK) expect->msg.len = 0;
    return profile == GTH_PROFILE_PARSER ? "gth:parser" : "gth:validate";
}
