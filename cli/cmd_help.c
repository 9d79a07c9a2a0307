/* gth help, gth man and gth completion: a command's help, its manual page and
 * the shell completions, all made from the commands' own --help texts, so
 * they cannot say anything the commands do not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "harness/helpdoc.h"

static const gth_cli_cmd cmds[] = {
#define GTH_CMD(name, fn, summary) {name, fn, summary},
#include "cli/commands.def"
#undef GTH_CMD
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

const gth_cli_cmd *gth_cli_find(const char *name) {
    for (size_t i = 0; i < NCMDS; i++)
        if (!strcmp(cmds[i].name, name)) return &cmds[i];
    return NULL;
}

/* The text `gth CMD --help` prints, captured from stdout (malloc'd), or NULL. */
static char *help_text(const gth_cli_cmd *c) {
    FILE *tmp = tmpfile();
    if (!tmp) return NULL;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
        if (saved >= 0) close(saved);
        fclose(tmp);
        return NULL;
    }
    char *argv[] = {(char *)c->name, "--help", NULL};
    int rc = c->run(2, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    char *text = NULL;
    long n = rc == 0 ? ftell(tmp) : -1;
    if (n > 0 && fseek(tmp, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1))) {
        if (fread(text, 1, (size_t)n, tmp) != (size_t)n) {
            free(text);
            text = NULL;
        } else {
            text[n] = 0;
        }
    }
    fclose(tmp);
    return text;
}

static void help_usage(FILE *f) {
    fprintf(f, "usage: gth help [COMMAND]\n"
               "       gth man [--out DIR] [COMMAND]\n"
               "       gth completion bash|zsh\n\n"
               "help        a command's options (the same as gth COMMAND --help), or the list\n"
               "            of commands\n"
               "man         the manual pages, in roff, made from the --help texts: gth.1 and\n"
               "            gth-COMMAND.1 for each command written into DIR, or one page on\n"
               "            stdout\n"
               "completion  a completion script for bash or zsh on stdout, naming every\n"
               "            command and every option its --help text names; e.g.\n"
               "              gth completion bash > /etc/bash_completion.d/gth\n"
               "              gth completion zsh > \"${fpath[1]}/_gth\"\n\n"
               "Exit codes: 0 success, 2 usage or I/O error, 3 internal error.\n");
}

void gth_cli_usage(FILE *f) {
    fprintf(f, "usage: gth <command> [options] [args]\n\n"
               "A conformance and fuzzing harness for Go execution traces (v2 format).\n\n"
               "Commands:\n");
    for (size_t i = 0; i < NCMDS; i++) fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\nRun 'gth help <command>' or 'gth <command> --help' for a command's options.\n"
               "An option's value follows it as the next argument or after '=' (--opt VALUE,\n"
               "--opt=VALUE).\n"
               "Exit codes: 0 valid/success, 1 invalid input (a finding), 2 usage or I/O error,\n"
               "3 internal error.\n");
}

int gth_cmd_help(int argc, char **argv) {
    if (argc < 2) {
        gth_cli_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help_usage(stdout);
        return 0;
    }
    if (argc > 2) {
        fprintf(stderr, "gth help: one command at a time\n");
        return 2;
    }
    const gth_cli_cmd *c = gth_cli_find(argv[1]);
    if (!c) {
        fprintf(stderr, "gth help: unknown command %s\n", argv[1]);
        gth_cli_usage(stderr);
        return 2;
    }
    char *args[] = {(char *)c->name, "--help", NULL};
    return c->run(2, args);
}

/* ---- Manual pages ---------------------------------------------------------- */

/* Every command with its help text (help: NULL for help, man and
 * completion, whose arguments are command names). Free with free_docs. */
static gth_helpdoc_cmd *docs(void) {
    gth_helpdoc_cmd *d = calloc(NCMDS, sizeof *d);
    for (size_t i = 0; d && i < NCMDS; i++) {
        d[i].name = cmds[i].name;
        d[i].summary = cmds[i].summary;
        if (cmds[i].run == gth_cmd_help || cmds[i].run == gth_cmd_man || cmds[i].run == gth_cmd_completion) continue;
        if (!(d[i].help = help_text(&cmds[i]))) {
            fprintf(stderr, "gth: no help text from gth %s\n", cmds[i].name);
            for (size_t j = 0; j < i; j++) free((char *)d[j].help);
            free(d);
            return NULL;
        }
    }
    return d;
}

static void free_docs(gth_helpdoc_cmd *d) {
    for (size_t i = 0; d && i < NCMDS; i++) free((char *)d[i].help);
    free(d);
}

static int write_page(FILE *f, const gth_cli_cmd *c) {
    char *text;
    if (c) {
        text = help_text(c);
    } else {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m) return -1;
        gth_cli_usage(m);
        fclose(m);
        text = buf;
    }
    if (!text) return -1;
    gth_helpdoc_cmd see[NCMDS];
    for (size_t i = 0; i < NCMDS; i++) see[i] = (gth_helpdoc_cmd){cmds[i].name, cmds[i].summary, NULL};
    int rc = gth_man_write(f, GTH_VERSION_STRING, c ? c->name : NULL, c ? c->summary : NULL, text, see, NCMDS);
    free(text);
    return rc;
}

static int man_page(const char *dir, const gth_cli_cmd *c) {
    if (!dir) return write_page(stdout, c) == 0 && fflush(stdout) == 0 ? 0 : 2;
    char path[4096];
    snprintf(path, sizeof path, "%s/gth%s%s.1", dir, c ? "-" : "", c ? c->name : "");
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gth man: %s: %s\n", path, strerror(errno));
        return 2;
    }
    int bad = write_page(f, c);
    if (fclose(f) != 0) bad = -1;
    if (bad) {
        fprintf(stderr, "gth man: could not write %s\n", path);
        return 2;
    }
    return 0;
}

int gth_cmd_man(int argc, char **argv) {
    const char *dir = NULL, *only = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            if (++i >= argc) {
                fprintf(stderr, "gth man: %s needs a directory\n", a);
                return 2;
            }
            dir = argv[i];
        } else if (!strncmp(a, "--out=", 6)) {
            dir = a + 6;
        } else if (a[0] == '-') {
            fprintf(stderr, "gth man: unknown option %s\n", a);
            return 2;
        } else if (only) {
            fprintf(stderr, "gth man: one command at a time\n");
            return 2;
        } else {
            only = a;
        }
    }
    const gth_cli_cmd *c = only && strcmp(only, "gth") ? gth_cli_find(only) : NULL;
    if (only && strcmp(only, "gth") && !c) {
        fprintf(stderr, "gth man: unknown command %s\n", only);
        return 2;
    }
    if (dir && gth_io_mkdir_p(dir)) {
        fprintf(stderr, "gth man: %s: %s\n", dir, strerror(errno));
        return 2;
    }
    if (only || !dir) return man_page(dir, c);
    int rc = man_page(dir, NULL);
    for (size_t i = 0; i < NCMDS && !rc; i++) rc = man_page(dir, &cmds[i]);
    return rc;
}

/* ---- Shell completion ------------------------------------------------------ */

static int completion(const char *shell) {
    int zsh = !strcmp(shell, "zsh");
    if (!zsh && strcmp(shell, "bash")) {
        fprintf(stderr, "gth completion: unknown shell %s (want bash or zsh)\n", shell);
        return 2;
    }
    gth_helpdoc_cmd *d = docs();
    if (!d) return 3;
    int rc = gth_completion_write(stdout, zsh, d, NCMDS);
    free_docs(d);
    if (rc) return 3;
    return fflush(stdout) == 0 ? 0 : 2;
}

int gth_cmd_completion(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        help_usage(stdout);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: gth completion bash|zsh\n");
        return 2;
    }
    return completion(argv[1]);
}
