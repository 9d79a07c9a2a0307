/* What our validator sees of generated traces (harness/gencheck.h). */
#include "harness/gencheck.h"

#include <stdio.h>
#include <string.h>

#include "spec/invariants.h"
#include "validator/validate.h"

static const int profiles[3] = {GTH_PROFILE_PARSER, GTH_PROFILE_VALIDATE, GTH_PROFILE_STRICT};

void gth_gen_check_init(gth_gen_check *k) { memset(k, 0, sizeof *k); }

/* The kind of a canonical line: its second word ("StateTransition" split by
 * the resource it names: GoID or ProcID). */
static void count_kind(gth_gen_check *k, const uint8_t *line, size_t len) {
    const uint8_t *sp = memchr(line, ' ', len);
    if (!sp) return;
    const uint8_t *w = sp + 1, *end = line + len;
    const uint8_t *we = memchr(w, ' ', (size_t)(end - w));
    if (!we) we = end;
    char name[40];
    snprintf(name, sizeof name, "%.*s", (int)(we - w), (const char *)w);
    if (!strcmp(name, "StateTransition")) {
        const char *res = NULL;
        for (const uint8_t *p = we; p + 6 < end && !res; p++)
            if (p[0] == ' ' && !memcmp(p + 1, "GoID=", 5)) res = "goroutine";
            else if (p[0] == ' ' && !memcmp(p + 1, "ProcID=", 7)) res = "proc";
        if (res) snprintf(name, sizeof name, "StateTransition(%s)", res);
    }
    size_t i = 0;
    while (i < k->nkinds && strcmp(k->kind[i], name)) i++;
    if (i == k->nkinds) {
        if (k->nkinds == GTH_GEN_CHECK_KINDS) return;
        snprintf(k->kind[k->nkinds++], sizeof k->kind[0], "%s", name);
    }
    k->kind_count[i]++;
}

static int on_line(void *ud, const uint8_t *line, size_t len) {
    count_kind(ud, line, len);
    return 0;
}

int gth_gen_check_add(gth_gen_check *k, const uint8_t *trace, size_t len, uint64_t seed) {
    k->traces++;
    for (int i = 0; i < 3; i++) {
        gth_buf msg;
        gth_buf_init(&msg, NULL);
        gth_validate_opts o = {.message = &msg};
        if (profiles[i] == GTH_PROFILE_VALIDATE) o.emit = on_line, o.ud = k;
        gth_validate_result res;
        int st = gth_validate_mem(trace, len, profiles[i], &o, &res);
        if (profiles[i] == GTH_PROFILE_VALIDATE) k->events += res.nevents;
        if (st == GTH_OK) {
            k->accepted[i]++;
        } else if (st == GTH_EINVALID) {
            if (!k->rejected[i]++) {
                const gth_invariant *inv = gth_invariant_get((unsigned)res.err.inv);
                k->reject_seed[i] = seed;
                snprintf(k->reject_msg[i], sizeof k->reject_msg[i], "[%s] %.*s", inv ? inv->id : "?",
                         (int)(msg.len && !msg.failed ? msg.len : strlen(res.err.msg)),
                         msg.len && !msg.failed ? (const char *)msg.data : res.err.msg);
            }
        } else {
            k->failed = 1;
        }
        gth_buf_free(&msg);
    }
    return k->failed ? -1 : 0;
}

uint64_t gth_gen_check_rejected(const gth_gen_check *k) {
    uint64_t n = 0;
    for (int i = 0; i < 3; i++) n += k->traces - k->accepted[i];
    return n;
}

int gth_gen_check_report(void *ud, gth_buf *out, const gth_gen_coverage *c) {
    const gth_gen_check *k = ud;
    (void)c;
    for (int i = 0; i < 3; i++) {
        gth_buf_printf(out, "  profile %-9s %llu of %llu traces accepted\n", gth_profile_name((unsigned)profiles[i]),
                       (unsigned long long)k->accepted[i], (unsigned long long)k->traces);
        if (k->rejected[i])
            gth_buf_printf(out, "    first rejection: seed %llu: %s\n", (unsigned long long)k->reject_seed[i],
                           k->reject_msg[i]);
    }
    if (k->failed) gth_buf_printf(out, "  (some traces could not be validated: out of memory)\n");
    gth_buf_printf(out, "  event kinds delivered (profile validate): %zu kinds, %llu events\n", k->nkinds,
                   (unsigned long long)k->events);
    for (size_t i = 0; i < k->nkinds; i++)
        gth_buf_printf(out, "    %-28s %10llu\n", k->kind[i], (unsigned long long)k->kind_count[i]);
    return out->failed ? -1 : 0;
}
