/* cli: declarations shared by the gth subcommands. */
#ifndef GTH_CLI_H
#define GTH_CLI_H

#define GTH_VERSION_STRING "0.1.0"

#define GTH_CMD(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef GTH_CMD

#endif
