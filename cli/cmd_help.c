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

/* The options a help text names: every "--word" and every "-x" that starts a
 * word, each once, in order, space-separated into out. */
static void options_of(const char *text, gth_buf *out) {
    for (const char *p = text; *p; p++) {
        if (*p != '-' || (p > text && !strchr(" \t\n[(|,", p[-1]))) continue;
        const char *s = p;
        size_t n;
        if (p[1] == '-') {
            n = 2;
            while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '-') n++;
            if (n == 2) continue;
        } else if (p[1] >= 'a' && p[1] <= 'z' && !((p[2] >= 'a' && p[2] <= 'z') || p[2] == '-')) {
            n = 2;
        } else {
            continue;
        }
        while (n > 2 && s[n - 1] == '-') n--;
        int seen = 0;
        for (size_t i = 0; out->data && i + n <= out->len; i++)
            if ((i == 0 || out->data[i - 1] == ' ') && !memcmp(out->data + i, s, n) &&
                (i + n == out->len || out->data[i + n] == ' '))
                seen = 1;
        if (seen) continue;
        if (out->len) gth_buf_putc(out, ' ');
        gth_buf_append(out, s, n);
        p += n - 1;
    }
    gth_buf_putc(out, 0);
    out->len--;
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

/* Text for roff: backslashes doubled, hyphens as \-, a line's leading dot or
 * quote guarded. */
static void roff_text(FILE *f, const char *s, size_t n) {
    int bol = 1;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (bol && (ch == '.' || ch == '\'')) fputs("\\&", f);
        if (ch == '\\') fputs("\\e", f);
        else if (ch == '-') fputs("\\-", f);
        else fputc(ch, f);
        bol = ch == '\n';
    }
}

static int write_page(FILE *f, const gth_cli_cmd *c) {
    const char *name = c ? c->name : NULL;
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
    const char *up = name ? name : "";
    fprintf(f, ".\\\" Made by gth man from the --help text of gth%s%s.\n", name ? " " : "", up);
    fprintf(f, ".TH \"GTH%s", name ? "\\-" : "");
    for (const char *p = up; *p; p++) fputc(*p >= 'a' && *p <= 'z' ? *p - 32 : *p, f);
    fprintf(f, "\" 1 \"\" \"gth %s\" \"gotrace-harness\"\n", GTH_VERSION_STRING);
    fprintf(f, ".SH NAME\n");
    if (c) {
        fprintf(f, "gth\\-%s \\- ", name);
        roff_text(f, c->summary, strlen(c->summary));
    } else {
        fprintf(f, "gth \\- conformance and fuzzing harness for Go execution traces");
    }
    fprintf(f, "\n");
    /* The usage lines are the synopsis; the rest is the description, kept as
     * the help lays it out. */
    const char *body = text;
    fprintf(f, ".SH SYNOPSIS\n.nf\n");
    while (*body && *body != '\n') {
        const char *e = strchr(body, '\n');
        size_t n = e ? (size_t)(e - body) : strlen(body);
        const char *l = body;
        if (!strncmp(l, "usage: ", 7)) l += 7, n -= 7;
        while (n && *l == ' ') l++, n--;
        roff_text(f, l, n);
        fputc('\n', f);
        body += (e ? (size_t)(e - body) + 1 : strlen(body));
    }
    while (*body == '\n') body++;
    fprintf(f, ".fi\n.SH DESCRIPTION\n.nf\n");
    roff_text(f, body, strlen(body));
    if (*body && body[strlen(body) - 1] != '\n') fputc('\n', f);
    fprintf(f, ".fi\n.SH SEE ALSO\n");
    if (c) {
        fprintf(f, ".BR gth (1)\n");
    } else {
        for (size_t i = 0; i < NCMDS; i++)
            fprintf(f, ".BR gth\\-%s (1)%s\n", cmds[i].name, i + 1 < NCMDS ? "," : "");
    }
    free(text);
    return ferror(f) ? -1 : 0;
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

/* help, man and completion take command names, not files. */
static int is_meta(const gth_cli_cmd *c) {
    return c->run == gth_cmd_help || c->run == gth_cmd_man || c->run == gth_cmd_completion;
}

static int completion(const char *shell) {
    int zsh = !strcmp(shell, "zsh");
    if (!zsh && strcmp(shell, "bash")) {
        fprintf(stderr, "gth completion: unknown shell %s (want bash or zsh)\n", shell);
        return 2;
    }
    gth_buf opts;
    gth_buf_init(&opts, NULL);
    if (zsh) {
        printf("#compdef gth\n# zsh completion for gth, made by gth completion zsh.\n_gth() {\n"
               "  local -a cmds\n  cmds=(\n");
        for (size_t i = 0; i < NCMDS; i++) {
            printf("    '%s:", cmds[i].name);
            for (const char *p = cmds[i].summary; *p; p++) {
                if (*p == '\'') fputs("'\\''", stdout);
                else if (*p == ':') fputs("\\:", stdout);
                else putchar(*p);
            }
            printf("'\n");
        }
        printf("  )\n"
               "  if (( CURRENT == 2 )); then\n    _describe 'command' cmds\n    return\n  fi\n"
               "  local -a opts\n  case $words[2] in\n");
    } else {
        printf("# bash completion for gth, made by gth completion bash.\n_gth() {\n"
               "  local cur=${COMP_WORDS[COMP_CWORD]} opts=\n"
               "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=($(compgen -W \"");
        for (size_t i = 0; i < NCMDS; i++) printf("%s%s", i ? " " : "", cmds[i].name);
        printf("\" -- \"$cur\"))\n    return\n  fi\n  case ${COMP_WORDS[1]} in\n");
    }
    for (size_t i = 0; i < NCMDS; i++) {
        if (is_meta(&cmds[i])) continue;
        char *text = help_text(&cmds[i]);
        if (!text) {
            fprintf(stderr, "gth completion: no help text from gth %s\n", cmds[i].name);
            gth_buf_free(&opts);
            return 3;
        }
        opts.len = 0;
        gth_buf_append(&opts, "--help", 6);
        options_of(text, &opts);
        free(text);
        if (zsh) printf("    %s) opts=(%s) ;;\n", cmds[i].name, opts.data ? (const char *)opts.data : "");
        else printf("    %s) opts=\"%s\" ;;\n", cmds[i].name, opts.data ? (const char *)opts.data : "");
    }
    gth_buf_free(&opts);
    if (zsh) {
        printf("    help|man) compadd -- ${cmds%%%%:*}; return ;;\n"
               "    completion) compadd bash zsh; return ;;\n  esac\n"
               "  if [[ $PREFIX == -* ]]; then\n    compadd -- $opts\n  else\n    _files\n  fi\n}\n"
               "_gth \"$@\"\n");
    } else {
        printf("    help|man) COMPREPLY=($(compgen -W \"");
        for (size_t i = 0; i < NCMDS; i++) printf("%s%s", i ? " " : "", cmds[i].name);
        printf("\" -- \"$cur\")); return ;;\n"
               "    completion) COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")); return ;;\n  esac\n"
               "  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
               "  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n}\n"
               "complete -o filenames -o bashdefault -F _gth gth\n");
    }
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
