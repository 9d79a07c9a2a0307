/* The documentation holds together: every relative Markdown link in the tree
 * resolves to a file inside the repository (and a #fragment to a heading of
 * that file), every citation of a docs/FORMAT.md section names a section that
 * exists, the generated parts of docs/FORMAT.md are what the code prints today,
 * and every invariant of the catalogue is stated in its hand-written part. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spec/invariants.h"
#include "util/testutil.h"

/* ---- The tree -------------------------------------------------------------- */

typedef struct files {
    char **v; /* paths relative to the source tree */
    size_t n, cap;
} files;

static void files_add(files *f, const char *rel) {
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        f->v = realloc(f->v, f->cap * sizeof *f->v);
        assert_non_null(f->v);
    }
    f->v[f->n++] = strdup(rel);
}

static void files_free(files *f) {
    for (size_t i = 0; i < f->n; i++) free(f->v[i]);
    free(f->v);
}

/* Data and build output, not documentation: the git directory, build trees
 * (any directory holding a CMakeCache.txt), the corpus and fuzz crash inputs. */
static int skipped_dir(const char *rel, const char *abs) {
    static const char *const skip[] = {".git", "build", "corpus", "fuzz/regressions"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (!strcmp(rel, skip[i])) return 1;
    char cache[PATH_MAX + 300];
    snprintf(cache, sizeof cache, "%s/CMakeCache.txt", abs);
    struct stat st;
    return stat(cache, &st) == 0;
}

static void walk(files *f, const char *rel) {
    char abs[PATH_MAX];
    snprintf(abs, sizeof abs, "%s%s%s", GTH_SOURCE_DIR, *rel ? "/" : "", rel);
    DIR *d = opendir(abs);
    if (!d) fail_msg("cannot open %s", abs);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char r[PATH_MAX], a[PATH_MAX + 256];
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        snprintf(a, sizeof a, "%s/%s", GTH_SOURCE_DIR, r);
        struct stat st;
        if (lstat(a, &st)) continue;
        if (S_ISDIR(st.st_mode)) {
            if (!skipped_dir(r, a)) walk(f, r);
        } else if (S_ISREG(st.st_mode)) {
            files_add(f, r);
        }
    }
    closedir(d);
}

static char *read_rel(const char *rel, size_t *len) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", GTH_SOURCE_DIR, rel);
    size_t n;
    uint8_t *d = tu_read_file(path, &n);
    char *s = realloc(d, n + 1);
    assert_non_null(s);
    s[n] = '\0';
    if (len) *len = n;
    return s;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* ---- Markdown -------------------------------------------------------------- */

/* Is the line a code fence (``` or ~~~, indented at most 3 spaces)? */
static int fence_line(const char *line) {
    size_t i = 0;
    while (i < 3 && line[i] == ' ') i++;
    return !strncmp(line + i, "```", 3) || !strncmp(line + i, "~~~", 3);
}

/* The GitHub anchor of a heading's text: lower case, spaces to '-', ASCII
 * punctuation other than '-' and '_' dropped, other bytes kept. */
static void slug(const char *text, size_t n, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 'A' && c <= 'Z') out[o++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80)
            out[o++] = (char)c;
        else if (c == ' ') out[o++] = '-';
    }
    out[o] = '\0';
}

/* The anchors of a Markdown file's headings, one per line, with GitHub's
 * "-1", "-2" suffixes for repeated ones. Caller frees. */
static char *anchors(const char *md) {
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\n';
    out[1] = '\0';
    len = 1;
    int fence = 0;
    for (const char *line = md; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (fence_line(line)) fence = !fence;
        if (!fence && line[0] == '#') {
            size_t h = strspn(line, "#");
            if (h <= 6 && h < n && line[h] == ' ') {
                const char *t = line + h + 1;
                size_t tn = n - h - 1;
                while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '#' || t[tn - 1] == '\r')) tn--;
                char s[512], key[540];
                slug(t, tn, s, sizeof s);
                snprintf(key, sizeof key, "\n%s\n", s);
                char uniq[540];
                snprintf(uniq, sizeof uniq, "%s", s);
                for (int k = 1; strstr(out, key); k++) {
                    snprintf(uniq, sizeof uniq, "%s-%d", s, k);
                    snprintf(key, sizeof key, "\n%s\n", uniq);
                }
                size_t ul = strlen(uniq);
                if (len + ul + 2 > cap) {
                    cap = 2 * (len + ul + 2);
                    out = realloc(out, cap);
                    assert_non_null(out);
                }
                memcpy(out + len, uniq, ul);
                len += ul;
                out[len++] = '\n';
                out[len] = '\0';
            }
        }
        line = end ? end + 1 : line + n;
    }
    return out;
}

static int has_anchor(const char *md, const char *frag) {
    char *a = anchors(md);
    char key[600];
    snprintf(key, sizeof key, "\n%s\n", frag);
    int ok = strstr(a, key) != NULL;
    free(a);
    return ok;
}

/* Checks one link target of file `rel`; returns 1 if it is broken, printing why. */
static int check_target(const char *rel, const char *md, const char *target, size_t tn, int lineno) {
    char t[PATH_MAX];
    if (tn >= sizeof t) tn = sizeof t - 1;
    memcpy(t, target, tn);
    t[tn] = '\0';
    if (t[0] == '<' && tn > 1 && t[tn - 1] == '>') memmove(t, t + 1, tn - 2), t[tn - 2] = '\0';
    /* URLs (a scheme) and network paths are not ours to check. */
    size_t sch = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    if ((sch && t[sch] == ':') || !strncmp(t, "//", 2)) return 0;
    char *frag = strchr(t, '#');
    if (frag) *frag++ = '\0';
    if (!t[0]) {
        if (frag && !has_anchor(md, frag)) {
            print_error("%s:%d: no heading for #%s\n", rel, lineno, frag);
            return 1;
        }
        return 0;
    }
    char path[2 * PATH_MAX], real[PATH_MAX], root[PATH_MAX];
    if (t[0] == '/') {
        snprintf(path, sizeof path, "%s%s", GTH_SOURCE_DIR, t);
    } else {
        const char *slash = strrchr(rel, '/');
        snprintf(path, sizeof path, "%s/%.*s%s%s", GTH_SOURCE_DIR, slash ? (int)(slash - rel) : 0, rel,
                 slash ? "/" : "", t);
    }
    if (!realpath(GTH_SOURCE_DIR, root)) fail_msg("realpath %s", GTH_SOURCE_DIR);
    if (!realpath(path, real)) {
        print_error("%s:%d: link to %s: no such file\n", rel, lineno, t);
        return 1;
    }
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) || (real[rl] != '/' && real[rl] != '\0')) {
        print_error("%s:%d: link to %s leaves the repository\n", rel, lineno, t);
        return 1;
    }
    if (frag && *frag && ends_with(real, ".md")) {
        size_t n;
        uint8_t *d = tu_read_file(real, &n);
        char *s = realloc(d, n + 1);
        s[n] = '\0';
        int ok = has_anchor(s, frag);
        free(s);
        if (!ok) {
            print_error("%s:%d: %s has no heading for #%s\n", rel, lineno, t, frag);
            return 1;
        }
    }
    return 0;
}

static int exists_rel(const char *dir, size_t dirlen, const char *name, size_t n) {
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/%.*s%s%.*s", GTH_SOURCE_DIR, (int)dirlen, dir, dirlen ? "/" : "", (int)n,
             name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* Documents named in prose or code spans without a link ("docs/STRICT.md",
 * `tests/invariants/README.md`, "EVENTS.md") must exist too: relative to the
 * file, to the top of the tree or, for a bare name, in docs/. Returns 1 if
 * the name on this line at [start, start+n) does not. */
static int check_mention(const char *rel, const char *name, size_t n, int lineno) {
    const char *slash = strrchr(rel, '/');
    size_t dl = slash ? (size_t)(slash - rel) : 0;
    if (exists_rel(rel, dl, name, n) || exists_rel("", 0, name, n)) return 0;
    if (!memchr(name, '/', n) && exists_rel("docs", 4, name, n)) return 0;
    print_error("%s:%d: names %.*s, which does not exist\n", rel, lineno, (int)n, name);
    return 1;
}

static int path_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '/' || c == '-';
}

/* Checks every inline link, image and reference definition of a Markdown
 * file outside code, and every document it names; returns how many are
 * broken and counts the links and the names. */
static int check_links(const char *rel, size_t *nlinks, size_t *nnames) {
    char *md = read_rel(rel, NULL);
    int bad = 0, fence = 0, lineno = 0;
    for (const char *line = md; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        lineno++;
        if (fence_line(line)) fence = !fence;
        if (!fence) {
            for (const char *m = line; (m = strstr(m, ".md")) && m < line + n; m += 3) {
                if (m + 3 < line + n && (path_char(m[3]) && m[3] != '.' && m[3] != '/')) continue;
                const char *b = m;
                while (b > line && path_char(b[-1])) b--;
                if (b == m || !strncmp(b, "//", 2) || (b > line && b[-1] == ':')) continue;
                (*nnames)++;
                bad += check_mention(rel, b, (size_t)(m + 3 - b), lineno);
            }
            /* A reference definition: [label]: target */
            size_t i = strspn(line, " ");
            if (i < 4 && line[i] == '[') {
                const char *close = memchr(line + i, ']', n - i);
                if (close && close + 1 < line + n && close[1] == ':') {
                    const char *t = close + 2;
                    while (*t == ' ') t++;
                    size_t tn = strcspn(t, " \n");
                    (*nlinks)++;
                    bad += check_target(rel, md, t, tn, lineno);
                }
            }
            for (size_t k = 0; k < n; k++) {
                if (line[k] == '`') { /* a code span: skip to the closing run */
                    size_t run = strspn(line + k, "`"), j = k + run;
                    while (j < n) {
                        if (line[j] == '`') {
                            size_t r = strspn(line + j, "`");
                            if (r == run) break;
                            j += r;
                        } else {
                            j++;
                        }
                    }
                    k = j < n ? j + run - 1 : k + run - 1;
                    continue;
                }
                if (line[k] != ']' || k + 1 >= n || line[k + 1] != '(') continue;
                size_t j = k + 2, depth = 1;
                while (j < n && depth) {
                    if (line[j] == '(') depth++;
                    else if (line[j] == ')') depth--;
                    if (depth) j++;
                }
                if (depth) continue;
                const char *t = line + k + 2;
                size_t tn = strcspn(t, " )");
                if (tn > j - k - 2) tn = j - k - 2;
                (*nlinks)++;
                bad += check_target(rel, md, t, tn, lineno);
                k = j;
            }
        }
        line = end ? end + 1 : line + n;
    }
    free(md);
    return bad;
}

static void test_markdown_links(void **state) {
    (void)state;
    files f = {0};
    walk(&f, "");
    size_t nmd = 0, nlinks = 0, nnames = 0;
    int bad = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (!ends_with(f.v[i], ".md")) continue;
        nmd++;
        bad += check_links(f.v[i], &nlinks, &nnames);
    }
    files_free(&f);
    /* The README and docs/ alone have more than this; fewer means the walk or
     * the parser lost them. */
    assert_true(nmd >= 12);
    assert_true(nlinks >= 50);
    assert_true(nnames >= 30);
    if (bad) fail_msg("%d broken Markdown link(s), listed above", bad);
}

/* ---- docs/FORMAT.md --------------------------------------------------------- */

/* The section numbers of docs/FORMAT.md ("2", "2.1", ...), one per line. */
static char *format_sections(void) {
    char *md = read_rel("docs/FORMAT.md", NULL);
    size_t cap = 4096, len = 1;
    char *out = malloc(cap);
    assert_non_null(out);
    strcpy(out, "\n");
    int fence = 0;
    for (const char *line = md; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (fence_line(line)) fence = !fence;
        if (!fence && (!strncmp(line, "## ", 3) || !strncmp(line, "### ", 4))) {
            const char *p = line + (line[2] == ' ' ? 3 : 4);
            size_t k = strspn(p, "0123456789.");
            if (k && p[k - 1] == '.') k--;
            if (k) {
                if (len + k + 2 > cap) out = realloc(out, cap *= 2);
                memcpy(out + len, p, k);
                len += k;
                out[len++] = '\n';
                out[len] = '\0';
            }
        }
        line = end ? end + 1 : line + n;
    }
    free(md);
    return out;
}

static int section_exists(const char *sections, const char *num, size_t n) {
    char key[64];
    if (n > 40) return 0;
    snprintf(key, sizeof key, "\n%.*s\n", (int)n, num);
    return strstr(sections, key) != NULL;
}

/* Is the file text (no NUL byte among its first 8 KiB)? */
static int is_text(const char *s, size_t len) {
    return memchr(s, '\0', len < 8192 ? len : 8192) == NULL;
}

/* Every "FORMAT.md §N" anywhere in the tree, and every "§N" inside
 * docs/FORMAT.md, names a section; older spellings ("FORMAT.md 2.1",
 * "FORMAT.md section 4") are not used. */
static void test_format_citations(void **state) {
    (void)state;
    char *sections = format_sections();
    /* The document is numbered throughout. */
    assert_non_null(strstr(sections, "\n1\n"));
    assert_non_null(strstr(sections, "\n13\n"));
    files f = {0};
    walk(&f, "");
    int bad = 0;
    size_t cites = 0;
    for (size_t i = 0; i < f.n; i++) {
        size_t len;
        char *s = read_rel(f.v[i], &len);
        if (!is_text(s, len)) {
            free(s);
            continue;
        }
        /* This file spells the patterns out. */
        if (!strcmp(f.v[i], "tests/test_docs.c")) {
            free(s);
            continue;
        }
        int self = !strcmp(f.v[i], "docs/FORMAT.md");
        for (const char *p = s; (p = strstr(p, self ? "§" : "FORMAT.md"));) {
            const char *q = p + (self ? 0 : strlen("FORMAT.md"));
            p = q + (self ? strlen("§") : 0);
            int line = 1;
            for (const char *c = s; c < q; c++) line += *c == '\n';
            if (!self) {
                const char *r = q;
                while (*r == ' ' || *r == '\t' || *r == '\n' || (*r == '*' && r[1] != '*')) r++;
                if ((*r >= '0' && *r <= '9') || !strncmp(r, "section", 7) || !strncmp(r, "sec.", 4)) {
                    print_error("%s:%d: cite a section as \"FORMAT.md §N\"\n", f.v[i], line);
                    bad++;
                    continue;
                }
                if (*q == ' ') q++;
                if (strncmp(q, "§", strlen("§"))) continue;
                q += strlen("§");
            } else {
                q += strlen("§");
            }
            size_t n = strspn(q, "0123456789.");
            while (n && q[n - 1] == '.') n--;
            cites++;
            if (!n || !section_exists(sections, q, n)) {
                print_error("%s:%d: FORMAT.md has no section §%.*s\n", f.v[i], line,
                            (int)(n ? n : strcspn(q, " \t\n)")), q);
                bad++;
            }
        }
        free(s);
    }
    files_free(&f);
    free(sections);
    /* The code and the documents cite it in many places. */
    assert_true(cites >= 20);
    if (bad) fail_msg("%d bad FORMAT.md citation(s), listed above", bad);
}

/* The text between "<!-- BEGIN GENERATED: <command> -->\n" and the next
 * "<!-- END GENERATED -->" equals what `gth <command>` prints now. */
static void test_format_generated(void **state) {
    (void)state;
    char *md = read_rel("docs/FORMAT.md", NULL);
    static const char *const blocks[] = {"gth spec --markdown", "gth invariants --index"};
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        char begin[128];
        snprintf(begin, sizeof begin, "<!-- BEGIN GENERATED: %s -->\n", blocks[b]);
        const char *start = strstr(md, begin);
        if (!start) fail_msg("docs/FORMAT.md lacks the block %s", begin);
        start += strlen(begin);
        const char *stop = strstr(start, "<!-- END GENERATED -->");
        assert_non_null(stop);
        char *argv[] = {(char *)tu_gth(), NULL, NULL, NULL, NULL, NULL};
        if (b == 0) {
            argv[1] = "spec", argv[2] = "--markdown";
        } else {
            argv[1] = "invariants", argv[2] = "--index", argv[3] = "--root", argv[4] = GTH_SOURCE_DIR;
        }
        char *out = NULL;
        size_t olen = 0;
        assert_int_equal(tu_run(argv, NULL, 0, &out, &olen, NULL), 0);
        if ((size_t)(stop - start) != olen || memcmp(start, out, olen))
            fail_msg("docs/FORMAT.md's block `%s` is stale: run scripts/update-docs.sh", blocks[b]);
        /* Every invariant is stated in the hand-written text. */
        if (b == 1) {
            for (unsigned i = 1; i < GTH_INV__COUNT; i++) {
                char row[160];
                snprintf(row, sizeof row, "| `%s` | %s | — |", gth_invariant_get(i)->id,
                         gth_profile_name(gth_invariant_get(i)->profile));
                if (strstr(out, row)) fail_msg("docs/FORMAT.md never states `%s`", gth_invariant_get(i)->id);
            }
        }
        free(out);
    }
    free(md);
}

/* Every `word.word` in docs/FORMAT.md that has the form of an invariant id
 * (its prefix is one of the catalogue's) is one. */
static void test_format_ids_exist(void **state) {
    (void)state;
    char *md = read_rel("docs/FORMAT.md", NULL);
    int bad = 0, fence = 0;
    size_t seen = 0;
    for (char *line = md; *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        if (fence_line(line)) fence = !fence;
        for (const char *p = line; !fence && (p = strchr(p, '`'));) {
            const char *q = strchr(p + 1, '`');
            if (!q) break;
            size_t n = (size_t)(q - p - 1);
            char tok[128];
            if (n && n < sizeof tok && strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n) {
                memcpy(tok, p + 1, n);
                tok[n] = '\0';
                char *dot = strchr(tok, '.');
                int prefix = 0;
                for (unsigned i = 1; dot && dot > tok && dot[1] && i < GTH_INV__COUNT && !prefix; i++)
                    prefix = !strncmp(gth_invariant_get(i)->id, tok, (size_t)(dot - tok) + 1);
                static const char *const files_ext[] = {".c", ".h", ".md", ".test", ".fuzz", ".expect"};
                for (size_t k = 0; prefix && k < sizeof files_ext / sizeof files_ext[0]; k++)
                    if (ends_with(tok, files_ext[k])) prefix = 0; /* a file name, not an id */
                if (prefix) {
                    seen++;
                    if (gth_invariant_find(tok) == GTH_INV_NONE) {
                        print_error("docs/FORMAT.md names `%s`, which is not in the catalogue\n", tok);
                        bad++;
                    }
                }
            }
            p = q + 1;
        }
        line = end ? end + 1 : line + strlen(line);
    }
    free(md);
    assert_true(seen >= GTH_INV__COUNT - 1);
    if (bad) fail_msg("%d unknown invariant id(s), listed above", bad);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown_links),
        cmocka_unit_test(test_format_citations),
        cmocka_unit_test(test_format_generated),
        cmocka_unit_test(test_format_ids_exist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
