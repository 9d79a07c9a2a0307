/*
 * helpdoc: manual pages and shell completions made from help texts. The gth
 * command hands in each command's name, summary and --help text; these write
 * the roff page (the usage lines become the synopsis, the rest the description
 * as laid out) and the bash or zsh completion script (every option a help text
 * names), so neither can say what the commands do not.
 */
#ifndef GTH_HARNESS_HELPDOC_H
#define GTH_HARNESS_HELPDOC_H

#include <stddef.h>
#include <stdio.h>

#include "base/base.h"

typedef struct gth_helpdoc_cmd {
    const char *name;
    const char *summary;
    /* Its --help text; NULL for a command whose arguments are command names
     * (help, man), which the completion completes as such. */
    const char *help;
} gth_helpdoc_cmd;

/* Appends to out the options text names: every "--word" and every "-x" that
 * starts a word, each once, in order, separated by spaces (after what out
 * holds already). */
void gth_help_options(const char *text, gth_buf *out);

/* Writes the manual page of `gth NAME` (name NULL: of gth itself, whose page
 * lists cmds[0..n) under SEE ALSO) from its help text. 0, or -1 on a write
 * error. */
int gth_man_write(FILE *f, const char *version, const char *name, const char *summary, const char *text,
                  const gth_helpdoc_cmd *cmds, size_t n);

/* Writes the completion script of gth for bash (zsh = 0) or zsh over the
 * commands cmds[0..n). 0, or -1 on a write error or lack of memory. */
int gth_completion_write(FILE *f, int zsh, const gth_helpdoc_cmd *cmds, size_t n);

#endif
