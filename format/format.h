/*
 * format: the binary codec and Go's text format of execution traces, plus the
 * txtar .test files of Go's golden corpus. One header per concern:
 *   varint.h    LEB128 varints as Go's encoding/binary
 *   event.h     gth_raw_event, the record all codecs speak
 *   header.h    the "go 1.NN trace" file header
 *   decode.h    streaming binary decoder (batch-framed, or Go's flat raw reader)
 *   encode.h    binary encoder (batch sizes recomputed, or verbatim as Go)
 *   text.h      Go's text format reader and writer
 *   txtar.h     txtar archives
 *   testfile.h  .test files and their SUCCESS/FAILURE expectations
 * This header includes them all.
 */
#ifndef GTH_FORMAT_H
#define GTH_FORMAT_H

#include "format/varint.h"
#include "format/event.h"
#include "format/header.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/text.h"
#include "format/txtar.h"
#include "format/testfile.h"

#endif
