/* helpdoc: manual pages and completions from help texts (helpdoc.h). */
#include "harness/helpdoc.h"

#include <string.h>

/* The options a help text names: every "--word" and every "-x" that starts a
 * word, each once, in order, space-separated into out. */
void gth_help_options(const char *text, gth_buf *out) {
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

int gth_man_write(FILE *f, const char *version, const char *name, const char *summary, const char *text,
                  const gth_helpdoc_cmd *cmds, size_t n) {
    const char *up = name ? name : "";
    fprintf(f, ".\\\" Made by gth man from the --help text of gth%s%s.\n", name ? " " : "", up);
    fprintf(f, ".TH \"GTH%s", name ? "\\-" : "");
    for (const char *p = up; *p; p++) fputc(*p >= 'a' && *p <= 'z' ? *p - 32 : *p, f);
    fprintf(f, "\" 1 \"\" \"gth %s\" \"gotrace-harness\"\n", version);
    fprintf(f, ".SH NAME\n");
    if (name) {
        fprintf(f, "gth\\-%s \\- ", name);
        roff_text(f, summary, strlen(summary));
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
        size_t k = e ? (size_t)(e - body) : strlen(body);
        const char *l = body;
        if (!strncmp(l, "usage: ", 7)) l += 7, k -= 7;
        while (k && *l == ' ') l++, k--;
        roff_text(f, l, k);
        fputc('\n', f);
        body += (e ? (size_t)(e - body) + 1 : strlen(body));
    }
    while (*body == '\n') body++;
    fprintf(f, ".fi\n.SH DESCRIPTION\n.nf\n");
    roff_text(f, body, strlen(body));
    if (*body && body[strlen(body) - 1] != '\n') fputc('\n', f);
    fprintf(f, ".fi\n.SH SEE ALSO\n");
    if (name) {
        fprintf(f, ".BR gth (1)\n");
    } else {
        for (size_t i = 0; i < n; i++) fprintf(f, ".BR gth\\-%s (1)%s\n", cmds[i].name, i + 1 < n ? "," : "");
    }
    return ferror(f) ? -1 : 0;
}

static void names(FILE *f, const gth_helpdoc_cmd *cmds, size_t n) {
    for (size_t i = 0; i < n; i++) fprintf(f, "%s%s", i ? " " : "", cmds[i].name);
}

int gth_completion_write(FILE *f, int zsh, const gth_helpdoc_cmd *cmds, size_t n) {
    if (zsh) {
        fprintf(f, "#compdef gth\n# zsh completion for gth, made by gth completion zsh.\n_gth() {\n"
                   "  local -a cmds\n  cmds=(\n");
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "    '%s:", cmds[i].name);
            for (const char *p = cmds[i].summary; *p; p++) {
                if (*p == '\'') fputs("'\\''", f);
                else if (*p == ':') fputs("\\:", f);
                else fputc(*p, f);
            }
            fprintf(f, "'\n");
        }
        fprintf(f, "  )\n"
                   "  if (( CURRENT == 2 )); then\n    _describe 'command' cmds\n    return\n  fi\n"
                   "  local -a opts\n  case $words[2] in\n");
    } else {
        fprintf(f, "# bash completion for gth, made by gth completion bash.\n_gth() {\n"
                   "  local cur=${COMP_WORDS[COMP_CWORD]} opts=\n"
                   "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=($(compgen -W \"");
        names(f, cmds, n);
        fprintf(f, "\" -- \"$cur\"))\n    return\n  fi\n  case ${COMP_WORDS[1]} in\n");
    }
    gth_buf opts;
    gth_buf_init(&opts, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!cmds[i].help) continue;
        opts.len = 0;
        gth_buf_append(&opts, "--help", 6);
        gth_help_options(cmds[i].help, &opts);
        if (opts.failed) break;
        if (zsh) fprintf(f, "    %s) opts=(%s) ;;\n", cmds[i].name, (const char *)opts.data);
        else fprintf(f, "    %s) opts=\"%s\" ;;\n", cmds[i].name, (const char *)opts.data);
    }
    int failed = opts.failed;
    gth_buf_free(&opts);
    if (failed) return -1;
    if (zsh) {
        fprintf(f, "    help|man) compadd -- ${cmds%%%%:*}; return ;;\n"
                   "    completion) compadd bash zsh; return ;;\n  esac\n"
                   "  if [[ $PREFIX == -* ]]; then\n    compadd -- $opts\n  else\n    _files\n  fi\n}\n"
                   "_gth \"$@\"\n");
    } else {
        fprintf(f, "    help|man) COMPREPLY=($(compgen -W \"");
        names(f, cmds, n);
        fprintf(f, "\" -- \"$cur\")); return ;;\n"
                   "    completion) COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")); return ;;\n  esac\n"
                   "  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
                   "  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n}\n"
                   "complete -o filenames -o bashdefault -F _gth gth\n");
    }
    return ferror(f) ? -1 : 0;
}
