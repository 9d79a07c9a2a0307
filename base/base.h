/*
 * base: what every other module of libgth stands on — the caller-supplied
 * allocator, the error record that carries a diagnostic and where it was found,
 * and a growable byte buffer. It knows nothing about traces.
 */
#ifndef GTH_BASE_H
#define GTH_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Allocation ------------------------------------------------------------
 * All allocation in libgth goes through one function of this shape (Lua's
 * lua_Alloc): nsize == 0 frees ptr and returns NULL; otherwise it returns a block
 * of nsize bytes holding the first min(osize, nsize) bytes of ptr (ptr may be
 * NULL, then osize is 0), or NULL on failure, leaving ptr untouched. */
typedef void *(*gth_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

typedef struct gth_allocator {
    gth_alloc_fn fn;
    void *ud;
} gth_allocator;

/* malloc/realloc/free. */
const gth_allocator *gth_default_allocator(void);

static inline void *gth_alloc(const gth_allocator *a, size_t n) { return a->fn(a->ud, NULL, 0, n); }
static inline void *gth_realloc(const gth_allocator *a, void *p, size_t o, size_t n) {
    return a->fn(a->ud, p, o, n);
}
static inline void gth_free(const gth_allocator *a, void *p, size_t n) {
    if (p) a->fn(a->ud, p, n, 0);
}
/* Allocates count*size bytes, zeroed; NULL on overflow or failure. */
void *gth_calloc(const gth_allocator *a, size_t count, size_t size);
/* Grows *p (holding *cap elements of size `size`) to at least `need` elements,
 * doubling. Returns 0 on success, -1 on overflow or allocation failure. */
int gth_grow(const gth_allocator *a, void **p, size_t *cap, size_t need, size_t size);

/* ---- Errors ----------------------------------------------------------------*/
typedef enum gth_status {
    GTH_OK = 0,
    GTH_EINVALID = 1, /* the input is invalid: a finding */
    GTH_EUSAGE = 2,   /* bad arguments or an I/O failure */
    GTH_EIO = 2,
    GTH_EINTERNAL = 3,
    GTH_ENOMEM = 4    /* allocation failed */
} gth_status;

#define GTH_NO_OFFSET UINT64_MAX
#define GTH_ERROR_MSG_MAX 4096

typedef struct gth_error {
    int status;      /* gth_status */
    int inv;         /* invariant id (spec/invariants.def), 0 if none */
    uint64_t offset; /* byte offset in the input, GTH_NO_OFFSET if none */
    uint64_t line;   /* line number in a text input (1-based), 0 if none */
    /* Where in the trace, when known (else UINT64_MAX / -1). */
    uint64_t gen;
    uint64_t m;
    int64_t batch; /* index of the batch within its generation */
    int64_t event; /* index of the event within its batch */
    char msg[GTH_ERROR_MSG_MAX];
    /* The length of msg when it was set with gth_error_setn (msg may then hold
     * NUL bytes, as trace strings may); 0: msg is a C string. */
    size_t msg_len;
} gth_error;

void gth_error_clear(gth_error *e);
/* Sets status and message (printf-style); keeps location fields. Returns status. */
int gth_error_set(gth_error *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int gth_error_vset(gth_error *e, int status, const char *fmt, va_list ap);
/* Sets an invalid-input error with its byte offset. Returns GTH_EINVALID. */
int gth_error_at(gth_error *e, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int gth_error_nomem(gth_error *e);
/* Sets status and the message msg[0..len), which may hold NUL bytes (cut to
 * GTH_ERROR_MSG_MAX - 1 bytes); keeps location fields. Returns status. */
int gth_error_setn(gth_error *e, int status, const void *msg, size_t len);
/* The length of e's message in bytes (NUL bytes included). */
size_t gth_error_len(const gth_error *e);

/* ---- Byte buffer -----------------------------------------------------------*/
typedef struct gth_buf {
    uint8_t *data;
    size_t len, cap;
    const gth_allocator *a;
    int failed; /* an append failed for lack of memory; contents are incomplete */
} gth_buf;

void gth_buf_init(gth_buf *b, const gth_allocator *a);
void gth_buf_free(gth_buf *b);
int gth_buf_reserve(gth_buf *b, size_t extra); /* 0 or -1 (sets failed) */
int gth_buf_append(gth_buf *b, const void *p, size_t n);
int gth_buf_putc(gth_buf *b, int c);
int gth_buf_printf(gth_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gth_buf_put_uvarint(gth_buf *b, uint64_t v);
int gth_buf_put_u64(gth_buf *b, uint64_t v); /* decimal */

#endif
