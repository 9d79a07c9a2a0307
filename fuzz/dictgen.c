/*
 * dictgen: writes a fuzzing dictionary (libFuzzer/AFL++ format, name="value")
 * derived from the spec tables, so it follows spec/ as the tables change.
 *   dictgen binary  headers of every known version, event codes, batch-level
 *                   prefixes, varints at encoding boundaries and of the values
 *                   traces often carry (NoID, frequencies, size limits)
 *   dictgen text    Go's text format: header lines, event names, "arg="
 *                   tokens, frame and data lines, .test file markers and
 *                   expectation syntax
 */
#include <stdio.h>
#include <string.h>

#include "format/varint.h"
#include "spec/spec.h"

static void entry(const char *name, const uint8_t *p, size_t n) {
    printf("%s=\"", name);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') printf("\\%c", p[i]);
        else if (p[i] >= 0x20 && p[i] < 0x7f) putchar(p[i]);
        else printf("\\x%02x", p[i]);
    }
    printf("\"\n");
}

static void entry_str(const char *name, const char *s) { entry(name, (const uint8_t *)s, strlen(s)); }

/* name: the code byte followed by the given uvarints. */
static void entry_varints(const char *name, const uint64_t *v, size_t nv, int code) {
    uint8_t b[1 + 10 * 8];
    size_t n = 0;
    if (code >= 0) b[n++] = (uint8_t)code;
    for (size_t i = 0; i < nv; i++) n += gth_put_uvarint(b + n, v[i]);
    entry(name, b, n);
}

static void binary(void) {
    static const unsigned known[] = {11, 19, 21, 22, 23, 25, 26};
    char name[64];
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        uint8_t h[GTH_HEADER_SIZE] = {0};
        snprintf((char *)h, sizeof h, "go 1.%u trace", known[i]);
        snprintf(name, sizeof name, "header_1_%u", known[i]);
        entry(name, h, GTH_HEADER_SIZE);
    }
    for (unsigned c = 0; c < GTH_NUM_CODES; c++) {
        const gth_event_spec *e = gth_spec_event(c);
        if (!e) continue;
        uint8_t b = (uint8_t)c;
        snprintf(name, sizeof name, "ev_%s", e->name);
        entry(name, &b, 1);
        /* Timed events: code and a small time delta. */
        if (e->flags & GTH_F_TIMED) {
            uint64_t dt = 1;
            snprintf(name, sizeof name, "ev_%s_dt1", e->name);
            entry_varints(name, &dt, 1, (int)c);
        }
    }
    /* Batch-level prefixes: EventBatch gen=1/2, a thread, time; the
     * frequency batch of NoThread; Sync and EndOfGeneration. */
    uint64_t v[4];
    v[0] = 1, v[1] = 0;
    entry_varints("batch_gen1_m0", v, 2, GTH_EV_EventBatch);
    v[0] = 2, v[1] = 1;
    entry_varints("batch_gen2_m1", v, 2, GTH_EV_EventBatch);
    v[0] = 1, v[1] = GTH_NO_ID, v[2] = 0;
    entry_varints("batch_gen1_nothread", v, 3, GTH_EV_EventBatch);
    v[0] = 15625000;
    entry_varints("frequency_15625000", v, 1, GTH_EV_Frequency);
    v[0] = 1000000000;
    entry_varints("frequency_1e9", v, 1, GTH_EV_Frequency);
    /* Statuses as they follow an id. */
    for (unsigned s = 0; s < GTH_GS__COUNT; s++) {
        v[0] = 1, v[1] = s;
        snprintf(name, sizeof name, "goroutine1_status%u", s);
        entry_varints(name, v, 2, -1);
    }
    /* Varints at the encoding boundaries and limits. */
    static const uint64_t nums[] = {127,
                                    128,
                                    16383,
                                    16384,
                                    GTH_MAX_STRING_SIZE,
                                    GTH_MAX_STRING_SIZE + 1,
                                    GTH_MAX_BATCH_SIZE,
                                    GTH_MAX_BATCH_SIZE + 1,
                                    GTH_MAX_FRAMES,
                                    GTH_MAX_FRAMES + 1,
                                    UINT64_C(1) << 31,
                                    UINT64_C(1) << 32,
                                    (UINT64_C(1) << 63) - 1,
                                    UINT64_C(1) << 63,
                                    UINT64_MAX};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        snprintf(name, sizeof name, "uvarint_%llu", (unsigned long long)nums[i]);
        entry_varints(name, &nums[i], 1, -1);
    }
    /* An overlong varint (Go rejects more than 10 bytes). */
    static const uint8_t overlong[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    entry("uvarint_overlong", overlong, sizeof overlong);
}

static void text(void) {
    char name[96], val[96];
    const unsigned *minors;
    size_t nv = gth_versions_v2(&minors);
    for (size_t i = 0; i < nv; i++) {
        snprintf(name, sizeof name, "header_1_%u", minors[i]);
        snprintf(val, sizeof val, "Trace Go1.%u\n", minors[i]);
        entry_str(name, val);
    }
    entry_str("header_1_21", "Trace Go1.21\n");
    /* Names and argument tokens, once each across the full table. */
    for (unsigned c = 0; c < GTH_NUM_CODES; c++) {
        const gth_event_spec *e = gth_spec_event(c);
        if (!e) continue;
        snprintf(name, sizeof name, "ev_%s", e->name);
        snprintf(val, sizeof val, "%s ", e->name);
        entry_str(name, val);
        for (unsigned a = 0; a < e->nargs; a++) {
            int seen = 0;
            for (unsigned c2 = 0; c2 < c && !seen; c2++) {
                const gth_event_spec *e2 = gth_spec_event(c2);
                for (unsigned a2 = 0; e2 && a2 < e2->nargs; a2++)
                    if (!strcmp(e2->args[a2].name, e->args[a].name)) seen = 1;
            }
            for (unsigned a2 = 0; a2 < a; a2++)
                if (!strcmp(e->args[a2].name, e->args[a].name)) seen = 1;
            if (seen) continue;
            snprintf(name, sizeof name, "arg_%s", e->args[a].name);
            snprintf(val, sizeof val, " %s=", e->args[a].name);
            entry_str(name, val);
        }
    }
    static const char *const tokens[][2] = {
        {"frame", "\n\tpc="},     {"frame_func", " func="},  {"frame_file", " file="},
        {"frame_line", " line="}, {"data", "\n\tdata=\""}, {"quote_x", "\\x"},
        {"quote_u", "\\u"},       {"quote_U", "\\U"},        {"quote_octal", "\\377"},
        {"max_u64", "18446744073709551615"},                {"max_u64_plus1", "18446744073709551616"},
        {"two_63", "9223372036854775808"},                   {"minus", "-1"},
        {"hex", "0x"},            {"txtar_expect", "-- expect --\n"}, {"txtar_trace", "-- trace --\n"},
        {"success", "SUCCESS\n"}, {"failure", "FAILURE \""}, {"re_case", "(?i)"},
        {"re_group", "(?:"},      {"re_digit", "\\\\d+"},    {"re_lazy", ".*?"},
        {"re_class", "[^a]"},     {"re_any", ".*"}};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) entry_str(tokens[i][0], tokens[i][1]);
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "binary")) binary();
    else if (argc == 2 && !strcmp(argv[1], "text")) text();
    else {
        fprintf(stderr, "usage: %s binary|text\n", argv[0]);
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
