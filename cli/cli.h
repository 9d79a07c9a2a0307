/* cli: declarations shared by the gth subcommands. */
#ifndef GTH_CLI_H
#define GTH_CLI_H

#define GTH_VERSION_STRING "0.1.0"

#include "reduce/reduce.h"

/* The minimiser's progress on a stream (ud: FILE*, stderr): a line per phase,
 * and on a terminal a live line of candidates tried and the current size. */
void gth_cli_reduce_progress(void *ud, const gth_reduce_progress *p);

#define GTH_CMD(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef GTH_CMD

#include <stdio.h>

/* A subcommand: its name, entry point and one-line summary (commands.def). */
typedef struct gth_cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} gth_cli_cmd;

/* The command called name, or NULL. */
const gth_cli_cmd *gth_cli_find(const char *name);
/* The top-level usage: every command with its summary. */
void gth_cli_usage(FILE *f);

#endif
