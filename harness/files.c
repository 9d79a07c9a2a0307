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
#include <limits.h>
#include <zlib.h>

#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"

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

/* ---- Inputs, gzip'd or not ------------------------------------------------------ */

/* The file is read in chunks of this size: compressed input, or the first
 * bytes of plain input (read to recognise gzip, then handed out first). */
#define IN_CHUNK ((size_t)1 << 16)

struct gth_io_in {
    const char *name;
    int fd, is_std;
    int gz, z_live, z_done; /* gzip'd; inflate set up; the current member ended */
    z_stream z;
    uint8_t *buf;           /* bytes read from the file, not yet used */
    size_t len, pos;
    int eof;                /* the file is read to its end */
    uint64_t consumed;      /* bytes read from the file */
    uint64_t size;          /* a regular file's size, else 0 */
    int seekable;           /* a regular plain file read from offset 0 */
    uint64_t furthest;      /* the furthest offset read by pread */
    void (*watch)(void *, uint64_t, uint64_t);
    void *watch_ud;
};

/* Fills the buffer from the file (when it is used up). -1 on a read error. */
static int in_refill(gth_io_in *in, char *why, size_t whysz) {
    if (in->pos < in->len || in->eof) return 0;
    ssize_t r = gth_io_read_full(in->fd, in->buf, IN_CHUNK);
    if (r < 0) {
        snprintf(why, whysz, "cannot read %s: %s", in->name, strerror(errno));
        return -1;
    }
    in->len = (size_t)r;
    in->pos = 0;
    in->eof = (size_t)r < IN_CHUNK;
    in->consumed += (uint64_t)r;
    if (in->watch) in->watch(in->watch_ud, in->consumed, in->size);
    return 0;
}

gth_io_in *gth_io_in_open(const char *path, char *why, size_t whysz) {
    gth_io_in *in = calloc(1, sizeof *in);
    uint8_t *buf = malloc(IN_CHUNK);
    if (!in || !buf) {
        free(in);
        free(buf);
        snprintf(why, whysz, "out of memory reading %s", gth_io_name(path));
        return NULL;
    }
    in->name = gth_io_name(path);
    in->is_std = gth_io_is_std(path);
    in->buf = buf;
    in->fd = gth_io_open_in(path, why, whysz);
    if (in->fd < 0) {
        gth_io_in_close(in);
        return NULL;
    }
    struct stat st;
    if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        in->size = (uint64_t)st.st_size;
        in->seekable = lseek(in->fd, 0, SEEK_CUR) == 0;
    }
    if (in_refill(in, why, whysz)) {
        gth_io_in_close(in);
        return NULL;
    }
    if (in->len >= 2 && in->buf[0] == 0x1f && in->buf[1] == 0x8b) {
        in->gz = 1;
        in->seekable = 0;
        /* 16 + MAX_WBITS: the gzip wrapper, its header and trailer checked. */
        if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK) {
            snprintf(why, whysz, "out of memory reading %s", in->name);
            gth_io_in_close(in);
            return NULL;
        }
        in->z_live = 1;
    }
    return in;
}

int gth_io_in_is_gzip(const gth_io_in *in) { return in->gz; }

void gth_io_in_watch(gth_io_in *in, void (*fn)(void *ud, uint64_t done, uint64_t total), void *ud) {
    in->watch = fn;
    in->watch_ud = ud;
}

/* Inflates into p[0..n) until it is full or the input ends: the count. On a
 * fault why says what it was. */
static size_t in_inflate(gth_io_in *in, uint8_t *p, size_t n, char *why, size_t whysz) {
    size_t got = 0;
    while (got < n) {
        if (in_refill(in, why, whysz)) break;
        if (in->z_done) {
            /* Another gzip member may follow; anything else ends the input. */
            if (in->pos == in->len) break;
            if (in->len - in->pos >= 2 && in->buf[in->pos] == 0x1f && in->buf[in->pos + 1] == 0x8b) {
                inflateReset(&in->z);
                in->z_done = 0;
                continue;
            }
            snprintf(why, whysz, "%s: data after the end of the gzip stream (at compressed byte %llu)", in->name,
                     (unsigned long long)(in->consumed - (in->len - in->pos)));
            break;
        }
        if (in->pos == in->len) {
            snprintf(why, whysz, "%s: the gzip data ends early (the file is cut short)", in->name);
            break;
        }
        in->z.next_in = in->buf + in->pos;
        in->z.avail_in = (uInt)(in->len - in->pos);
        in->z.next_out = p + got;
        size_t room = n - got;
        in->z.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
        uInt before = in->z.avail_out;
        int zr = inflate(&in->z, Z_NO_FLUSH);
        got += before - in->z.avail_out;
        in->pos = in->len - in->z.avail_in;
        if (zr == Z_STREAM_END) {
            in->z_done = 1;
        } else if (zr == Z_MEM_ERROR) {
            snprintf(why, whysz, "out of memory inflating %s", in->name);
            break;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            snprintf(why, whysz, "%s: bad gzip data: %s (near compressed byte %llu)", in->name,
                     in->z.msg ? in->z.msg : "inflate failed",
                     (unsigned long long)(in->consumed - (in->len - in->pos)));
            break;
        }
    }
    return got;
}

ssize_t gth_io_in_read(gth_io_in *in, uint8_t *p, size_t n, char *why, size_t whysz) {
    if (in->gz) {
        /* A fault is reported as it is met: corrupt or cut gzip data is the
         * real trouble, not the trace cut short there. */
        char fault[300] = "";
        size_t got = in_inflate(in, p, n, fault, sizeof fault);
        if (fault[0]) {
            snprintf(why, whysz, "%s", fault);
            return -1;
        }
        return (ssize_t)got;
    }
    size_t got = 0;
    if (in->pos < in->len) {
        got = in->len - in->pos < n ? in->len - in->pos : n;
        memcpy(p, in->buf + in->pos, got);
        in->pos += got;
    }
    if (got < n && !in->eof) {
        ssize_t r = gth_io_read_full(in->fd, p + got, n - got);
        if (r < 0) {
            snprintf(why, whysz, "cannot read %s: %s", in->name, strerror(errno));
            return -1;
        }
        if ((size_t)r < n - got) in->eof = 1;
        got += (size_t)r;
        in->consumed += (uint64_t)r;
        if (in->watch) in->watch(in->watch_ud, in->consumed, in->size);
    }
    return (ssize_t)got;
}

static long src_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    char why[sizeof err->msg];
    ssize_t r = gth_io_in_read(ud, buf, n, why, sizeof why);
    if (r < 0) gth_error_set(err, GTH_EIO, "%s", why);
    return (long)r;
}

static long src_pread(void *ud, uint8_t *buf, size_t n, uint64_t off, gth_error *err) {
    gth_io_in *in = ud;
    if (off > (uint64_t)INT64_MAX) return 0;
    for (;;) {
        ssize_t k = pread(in->fd, buf, n, (off_t)off);
        if (k >= 0) {
            if (off + (uint64_t)k > in->furthest) {
                in->furthest = off + (uint64_t)k;
                if (in->watch) in->watch(in->watch_ud, in->furthest, in->size);
            }
            return (long)k;
        }
        if (errno == EINTR) continue;
        gth_error_set(err, GTH_EIO, "cannot read %s: %s", in->name, strerror(errno));
        return -1;
    }
}

gth_source gth_io_in_source(gth_io_in *in) {
    gth_source s = {src_read, in, NULL, 0};
    if (in->seekable) {
        s.pread = src_pread;
        s.size = in->size;
    }
    return s;
}

void gth_io_in_close(gth_io_in *in) {
    if (!in) return;
    if (in->z_live) inflateEnd(&in->z);
    if (in->fd > 0 || (in->fd == 0 && !in->is_std)) close(in->fd);
    free(in->buf);
    free(in);
}

int gth_io_read_all_gz(const char *path, uint8_t **data, size_t *len, int *gz, char *why, size_t whysz) {
    gth_io_in *in = gth_io_in_open(path, why, whysz);
    if (!in) return -1;
    if (gz) *gz = in->gz;
    size_t cap = in->size && !in->gz ? (size_t)in->size + 1 : (size_t)1 << 16, n = 0;
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
        ssize_t r = gth_io_in_read(in, buf + n, cap - n, why, whysz);
        if (r < 0) {
            free(buf);
            buf = NULL;
            break;
        }
        n += (size_t)r;
        if (n < cap) break; /* short read: end of input */
    }
    gth_io_in_close(in);
    if (!buf) return -1;
    *data = buf;
    *len = n;
    return 0;
}

int gth_io_read_all(const char *path, uint8_t **data, size_t *len, char *why, size_t whysz) {
    return gth_io_read_all_gz(path, data, len, NULL, why, whysz);
}

int gth_io_read_trace(const char *path, gth_buf *out, gth_error *err, char *why, size_t whysz) {
    uint8_t *data;
    size_t len;
    if (gth_io_read_all(path, &data, &len, why, whysz)) return -1;
    int rc = 0, st = GTH_OK;
    gth_error_clear(err);
    if (len >= 16 && !memcmp(data, "go test fuzz v1\n", 16))
        st = gth_convert_fuzz_file(data, len, out, err);
    else if ((len < 5 || memcmp(data, "go 1.", 5)) &&
             (gth_testfile_detect(data, len) || (len >= 10 && !memcmp(data, "Trace Go1.", 10))))
        st = gth_convert_text_to_binary(data, len, gth_io_name(path), GTH_ENC_VERBATIM, out, err);
    else if (gth_buf_append(out, data, len))
        st = gth_error_nomem(err);
    free(data);
    if (st == GTH_ENOMEM) {
        snprintf(why, whysz, "out of memory reading %s", gth_io_name(path));
        rc = -1;
    } else if (st != GTH_OK) {
        rc = 1;
    }
    return rc;
}

int gth_io_write_all(const char *path, const void *p, size_t n, char *why, size_t whysz) {
    FILE *f = fopen(path, "wb");
    int ok = f && (!n || fwrite(p, 1, n, f) == n);
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) snprintf(why, whysz, "cannot write %s: %s", path, strerror(errno));
    return ok ? 0 : -1;
}
