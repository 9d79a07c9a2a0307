/*
 * stream: the canonical event stream of docs/EVENTS.md — one line per event,
 * byte for byte what the Go reference adapter prints from Go's own Event
 * values, so that two parsers' streams compare with diff. Built for GB traces:
 * numbers and fixed text are appended directly, never through printf.
 */
#ifndef GTH_STREAM_H
#define GTH_STREAM_H

#include "base/base.h"
#include "validator/hmap.h"
#include "validator/view.h"

/* A stream printer. It keeps the text of the stacks it printed since the last
 * Sync (stack ids are per generation, and every generation opens with a Sync),
 * so a stack that thousands of events share is rendered once, and likewise the
 * text of state transition lines after the id; the caches are bounded,
 * whatever the trace. */
typedef struct gth_stream {
    const gth_allocator *a;
    gth_idmap idx; /* stack id -> index into spans */
    struct gth_stream_span {
        size_t off, len;
    } *spans;
    size_t nspans, spans_cap;
    gth_buf text;
    /* The names of event kinds the lines use, with their lengths (from view.h). */
    struct gth_stream_name {
        const char *p;
        size_t n;
        char pad[16]; /* the first 16 bytes of p, zero-filled: copied in one piece */
    } kinds[GTH_KIND__COUNT];
    /* " <from>-><to> Reason=" of each goroutine ([0]) and proc ([1]) state
     * transition among the first 8 states, copied in one piece: its length is
     * the last byte. */
    uint8_t transitions[2][8][8][48];
    /* The text of state transition lines after the resource's id (states,
     * reason, stacks), for the ones seen since the last Sync: a hashed table
     * of what decides it in sets of two entries, over text kept in tails (entry
     * key 0: empty). */
    struct gth_stream_tail {
        uint64_t key, reason[2], stack, tstack;
        size_t off, len;
    } tail[256];
    gth_buf tails;
    uint32_t tail_pause; /* transition lines left to print without the table */
    /* The digits of the last event time's part above 10^4, which neighbouring
     * events share (time_hi_len 0: none yet). */
    uint64_t time_hi;
    size_t time_hi_len;
    uint8_t time_hi_text[16];
    /* " M=<thread>" of the last two threads of lines (len 0: none yet): the
     * threads that run in turn are few. */
    struct gth_stream_thread {
        int64_t m;
        size_t len;
        uint8_t text[32];
    } m[2];
    unsigned m_next; /* the entry of m the next new thread replaces */
} gth_stream;

void gth_stream_init(gth_stream *s, const gth_allocator *a);
void gth_stream_free(gth_stream *s);

/* Appends the canonical line of v to b, without the newline. Views must come
 * in stream order (the Sync of a generation before its events). s may be NULL
 * (no cache). Returns 0, or -1 when out of memory (b->failed is set). */
int gth_stream_line(gth_stream *s, gth_buf *b, const gth_view *v);
/* The same, with the newline: the bytes --events prints for the event. */
int gth_stream_line_nl(gth_stream *s, gth_buf *b, const gth_view *v);

/* Appends a stack as the stream prints it: [<q func>@0x<pc> <q file>:<line>, ...]. */
int gth_stream_stack(gth_buf *b, const gth_view *v, gth_stack_ref s);

#endif
