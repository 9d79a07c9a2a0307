/* gth spec: prints the event-spec table, for people and for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "spec/spec.h"

int gth_cmd_spec(int argc, char **argv) {
    unsigned minor = 26;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: gth spec [--version 1.NN]\n\n"
                   "Prints every event of the version's raw/text table: code, name, first\n"
                   "version, experiment, and its arguments as name:kind.\n");
            return 0;
        } else if (!strcmp(argv[i], "--version") && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strncmp(v, "1.", 2)) v += 2;
            minor = (unsigned)strtoul(v, NULL, 10);
        } else {
            fprintf(stderr, "gth spec: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!gth_version_is_v2(minor)) {
        fprintf(stderr, "gth spec: 1.%u is not a v2 trace version (1.22, 1.23, 1.25, 1.26)\n", minor);
        return 2;
    }
    for (unsigned c = 0; c < GTH_NUM_CODES; c++) {
        const gth_event_spec *e = gth_spec_lookup(minor, c);
        if (!e) continue;
        printf("%3u %-20s 1.%u %-9s", c, e->name, e->first_version, gth_experiment_name(e->experiment));
        for (unsigned i = 0; i < e->nargs; i++)
            printf(" %s:%s", e->args[i].name, gth_arg_kind_name(e->args[i].kind));
        printf("\n");
    }
    return 0;
}
