/*
 * harness/agree: the one rule by which two parsers' results on a trace agree —
 * the same verdict; where both reject, the same error text (up to the parts Go
 * prints in map order); and, where compared, the same canonical event stream
 * (docs/EVENTS.md), one stopping early being a prefix of the other
 * (docs/FORMAT.md §11.1, the exceptions of Go's map order §11.3). gth diff,
 * gth conform, gth reduce, gth corpus and the tests all judge by it.
 */
#ifndef GTH_HARNESS_AGREE_H
#define GTH_HARNESS_AGREE_H

#include <stddef.h>

#include "harness/adapter.h"

/* How much of an error text is the same on every run: all of it, except for
 * Go's texts that name what they found in map order ("broken trace: failed to
 * advance" dumps the frontier; an invalid func or file string ID is the first
 * met among the stacks), of which only the first words are. */
size_t gth_message_key(const char *msg, size_t len);
/* 1 if two error texts agree: their keys are the same. */
int gth_same_message(const char *a, size_t alen, const char *b, size_t blen);
/* The same for NUL-terminated texts. */
int gth_same_message_str(const char *a, const char *b);

/* How two results compare. */
typedef struct gth_agreement {
    int verdicts_agree;
    int messages_compared; /* both rejected */
    int messages_agree;
    int streams_compared;  /* neither is an ERROR, and both delivered events or both accept */
    int streams_agree;
    int panic;             /* b panicked (REJECT "panic: ...") and a did not panic the same way */
    size_t line;           /* the first differing stream line (1-based), 0 if none */
} gth_agreement;

void gth_compare(const gth_result *a, const gth_result *b, gth_agreement *c);
/* 1 if the comparison is an agreement: verdicts and compared streams agree,
 * b did not panic where a did not panic the same way; with texts, rejection
 * texts too. */
int gth_agreement_ok(const gth_agreement *c, int texts);
/* gth_compare, then gth_agreement_ok. */
int gth_results_agree(const gth_result *a, const gth_result *b, int texts);

/* Fields of the canonical stream that depend on the reader's API generation
 * (docs/EVENTS.md, "Fields that depend on the API generation"). */
enum {
    GTH_NORM_SYNC = 1,         /* Sync lines: dropped */
    GTH_NORM_STATUS_STACK = 2, /* TransitionStack= of a goroutine's status line (GoStatusStack): dropped */
    GTH_NORM_EXPERIMENTAL = 4, /* Experimental lines: dropped */
    GTH_NORM_ALL = 7
};

/* The fields in which the stream of a reader of API generation 1.api differs
 * from the newest (api 0: the newest). */
unsigned gth_norm_fields_of_api(unsigned api);
/* Parses a comma-separated list of sync, status-stack, experimental, all,
 * none. -1 if a name is unknown. */
int gth_norm_parse(const char *list);
/* Copies r into out with its stream normalised in the given fields (verdict,
 * text and failure kept). */
void gth_normalize(const gth_result *r, unsigned fields, gth_result *out);

#endif
