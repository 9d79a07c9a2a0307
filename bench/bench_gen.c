/*
 * bench_gen: throughput of the trace generator (generator/gen.h) on one core —
 * generated events per second and MB per second, binary output into a sink that
 * discards it (so only generation and encoding are measured).
 *
 *   bench_gen [--version 1.NN] [--seconds S] [--events N] [--size BYTES]
 *
 * Each configuration runs for at least S seconds (default 2) of repeated
 * generation with successive seeds; the target is >= 20 M events/s. Rates are
 * given per CPU second of this process (one core, unaffected by other load on
 * the machine) and per wall-clock second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "generator/gen.h"

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU time of this process: what one core spent, whatever else the machine runs. */
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static int discard(void *ud, const void *p, size_t n) {
    (void)p;
    *(uint64_t *)ud += n;
    return 0;
}

typedef struct bench_case {
    const char *name;
    unsigned threads, procs, goroutines;
    uint32_t features;
    uint32_t perturb;
} bench_case;

static int run_case(const bench_case *bc, unsigned version, double seconds, uint64_t events_per_gen,
                    uint64_t target) {
    uint64_t events = 0, bytes = 0, sunk = 0, traces = 0, steps = 0;
    double t0 = now_s(), c0 = cpu_s(), t;
    do {
        gth_gen_config cfg;
        gth_gen_config_init(&cfg, version, 1000 + traces);
        cfg.threads = bc->threads;
        cfg.procs = bc->procs;
        cfg.goroutines = bc->goroutines;
        cfg.features = bc->features;
        cfg.features_set = 1;
        cfg.perturb = bc->perturb;
        cfg.perturb_set = 1;
        cfg.freq = 15625000;
        cfg.batch_size = 65440;
        cfg.events_per_gen = events_per_gen;
        if (target) cfg.target_bytes = target;
        else cfg.generations = 4;
        gth_gen_stats st;
        gth_error err;
        if (gth_gen_run(&cfg, NULL, discard, &sunk, &st, &err) != GTH_OK) {
            fprintf(stderr, "bench_gen: %s\n", err.msg);
            return 1;
        }
        events += st.events;
        steps += st.steps;
        bytes += st.bytes;
        traces++;
        t = now_s() - t0;
    } while (t < seconds);
    double c = cpu_s() - c0;
    printf("go1.%u  %-24s %6.2f M events/s %7.1f MB/s (CPU time) | %6.2f M events/s wall | %llu traces, "
           "%.0f M events, %.0f MB, %.2f B/event, %.2f events/step\n",
           version, bc->name, (double)events / c / 1e6, (double)bytes / c / 1e6, (double)events / t / 1e6,
           (unsigned long long)traces, (double)events / 1e6, (double)bytes / 1e6, (double)bytes / (double)events,
           (double)events / (double)steps);
    return 0;
}

int main(int argc, char **argv) {
    unsigned versions[4] = {22, 23, 25, 26}, nv = 4;
    double seconds = 2;
    uint64_t events_per_gen = 250000, target = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--version") && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strncmp(v, "1.", 2)) v += 2;
            versions[0] = (unsigned)atoi(v);
            nv = 1;
        } else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--events") && i + 1 < argc) {
            events_per_gen = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            target = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: bench_gen [--version 1.NN] [--seconds S] [--events N] [--size BYTES]\n");
            return 2;
        }
    }
    static const bench_case cases[] = {
        {"scheduler only", 12, 8, 256, GTH_GEN_F_SYSCALL | GTH_GEN_F_STEAL, 0},
        {"all features", 12, 8, 256, GTH_GEN_F_ALL, 0},
        {"all features, perturbed", 12, 8, 256, GTH_GEN_F_ALL, GTH_GEN_P_ALL},
        {"many threads and Gs", 72, 32, 20000, GTH_GEN_F_ALL, GTH_GEN_P_SKEW},
    };
    for (unsigned v = 0; v < nv; v++)
        for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++)
            if (run_case(&cases[c], versions[v], seconds, events_per_gen, target)) return 1;
    return 0;
}
