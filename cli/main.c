/* gth: the command-line front end. Subcommands are thin layers over libgth. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct gth_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cmds[] = {
#define GTH_CMD(name, fn, summary) {name, fn, summary},
#include "cli/commands.def"
#undef GTH_CMD
};

static void usage(FILE *f) {
    fprintf(f, "usage: gth <command> [options] [args]\n\n"
               "A conformance and fuzzing harness for Go execution traces (v2 format).\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\nRun 'gth <command> --help' for a command's options.\n"
               "Exit codes: 0 valid/success, 1 invalid input (a finding), 2 usage or I/O error,\n"
               "3 internal error.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("gth %s\n", GTH_VERSION_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name)) return cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "gth: unknown command %s\n", argv[1]);
    usage(stderr);
    return 2;
}
