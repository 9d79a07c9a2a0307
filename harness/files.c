/* Whole files, stdin and directories for the harness and the commands. */
#include "harness/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gth_io_mkdir_p(const char *dir) {
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != 0) continue;
        char c = path[i];
        path[i] = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
        path[i] = c;
    }
    return 0;
}

int gth_io_is_std(const char *path) { return !path || !strcmp(path, "-"); }

const char *gth_io_name(const char *path) { return gth_io_is_std(path) ? "<stdin>" : path; }

int gth_io_open_in(const char *path, char *why, size_t whysz) {
    if (gth_io_is_std(path)) return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) snprintf(why, whysz, "cannot open %s: %s", path, strerror(errno));
    return fd;
}

ssize_t gth_io_read_full(int fd, uint8_t *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int gth_io_read_all(const char *path, uint8_t **data, size_t *len, char *why, size_t whysz) {
    int fd = gth_io_open_in(path, why, whysz);
    if (fd < 0) return -1;
    size_t cap = 1 << 16, n = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) cap = (size_t)st.st_size + 1;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            snprintf(why, whysz, "out of memory reading %s", gth_io_name(path));
            break;
        }
        if (n == cap) {
            uint8_t *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                continue;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = gth_io_read_full(fd, buf + n, cap - n);
        if (r < 0) {
            snprintf(why, whysz, "cannot read %s: %s", gth_io_name(path), strerror(errno));
            free(buf);
            buf = NULL;
            break;
        }
        n += (size_t)r;
        if (n < cap) break; /* short read: end of input */
    }
    if (!gth_io_is_std(path)) close(fd);
    if (!buf) return -1;
    *data = buf;
    *len = n;
    return 0;
}

int gth_io_write_all(const char *path, const void *p, size_t n, char *why, size_t whysz) {
    FILE *f = fopen(path, "wb");
    int ok = f && (!n || fwrite(p, 1, n, f) == n);
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) snprintf(why, whysz, "cannot write %s: %s", path, strerror(errno));
    return ok ? 0 : -1;
}
