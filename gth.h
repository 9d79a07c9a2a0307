/*
 * gth.h: the public API of libgth in one include. Installed as <gth/gth.h>,
 * with the headers below beside it under gth/<module>/; nothing else is
 * installed (CMakeLists.txt installs exactly the headers this file reaches).
 *
 * Every header reachable from here includes the others by paths relative to
 * itself ("../base/base.h", "event.h"), so the same text resolves in the
 * source tree and under <prefix>/include/gth with only -I<prefix>/include.
 * The ctest `layering` checks both rules (cmake/layers.txt). To publish a
 * header, add it here.
 */
#ifndef GTH_H
#define GTH_H

/* base: caller-supplied allocator, error record, growable byte buffer. */
#include "base/base.h"

/* spec: the event-spec tables of the v2 wire format, versions, and the
 * catalogue of invariants (stable ids, profiles, Go's error texts). */
#include "spec/spec.h"
#include "spec/invariants.h"

/* format: raw events, the file header, the binary decoder and encoder, Go's
 * text format, .test files (txtar, RE2 patterns) and whole-input conversions. */
#include "format/event.h"
#include "format/header.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/text.h"
#include "format/testfile.h"
#include "format/convert.h"

/* validator: the reference reader, Go's API view of its events, the
 * testtrace validator with the whole validation pipeline, the strict profile. */
#include "validator/reader.h"
#include "validator/view.h"
#include "validator/strict.h"
#include "validator/testtrace.h"
#include "validator/validate.h"

/* generator: valid traces from a seeded model of the Go scheduler. */
#include "generator/gen.h"

/* reduce: the delta-debugging trace minimiser. */
#include "reduce/reduce.h"

#endif
