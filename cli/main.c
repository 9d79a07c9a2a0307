/* gth: the command-line front end. Subcommands are thin layers over libgth. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        gth_cli_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        gth_cli_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("gth %s\n", GTH_VERSION_STRING);
        return 0;
    }
    const gth_cli_cmd *c = gth_cli_find(argv[1]);
    if (c) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "gth: unknown command %s\n", argv[1]);
    gth_cli_usage(stderr);
    return 2;
}
