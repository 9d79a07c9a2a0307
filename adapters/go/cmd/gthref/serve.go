package main

// gthref serve: Go's reader as a persistent process for a differential fuzz
// target (fuzz/targets/diff_go.c). No paths, no temporary files: each trace
// comes on stdin as a length-prefixed block, and each answer goes to stdout
// as soon as it is ready.
//
// Request:  u32 little-endian length n, then n bytes of binary trace.
// Answer:   two records, profile parser then profile validate, each
//
//	u8      verdict: 0 accepted, 1 rejected
//	u64 LE  events in the stream
//	64 B    stream digest, lower-case hex (adapters/README.md, "Stream digests")
//	u32 LE  length m of the error text, then m bytes (0 when accepted)
//
// The verdicts, texts and digests are those of `gthref validate --digest`
// with each profile (one reading of the trace gives both: runBoth, as for
// `validate --profile=both`). stdin ending at a request boundary ends the
// command (exit 0); a torn request is a usage error (exit 2).

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/exp/trace/gthharness/internal/check"
)

func init() {
	tools["serve"] = func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		if len(args) != 0 {
			fmt.Fprintln(stderr, "usage: gthref serve   (length-prefixed traces on stdin)")
			return exitUsage
		}
		if err := serve(stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "gthref serve: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
}

// serveMaxInput bounds a request, so that a corrupt length cannot make the
// command allocate without limit.
const serveMaxInput = 1 << 30

func serve(stdin io.Reader, stdout io.Writer) error {
	in := bufio.NewReaderSize(stdin, 1<<16)
	out := bufio.NewWriterSize(stdout, 1<<16)
	d := newStreamDigest()
	var (
		hdr  [4]byte
		data []byte
		rec  []byte
	)
	for {
		if _, err := io.ReadFull(in, hdr[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("reading a request: %v", err)
		}
		n := binary.LittleEndian.Uint32(hdr[:])
		if n > serveMaxInput {
			return fmt.Errorf("request of %d bytes (at most %d)", n, serveMaxInput)
		}
		if cap(data) < int(n) {
			data = make([]byte, n)
		}
		data = data[:n]
		if _, err := io.ReadFull(in, data); err != nil {
			return fmt.Errorf("reading a request of %d bytes: %v", n, err)
		}
		tuneGC(len(data))
		// One reading gives both profiles, as `validate --profile=both`.
		parser, validate, psum, vsum := runBoth(data, d, nil, nil)
		rec = appendServeRecord(rec[:0], parser, psum)
		rec = appendServeRecord(rec, validate, vsum)
		out.Write(rec)
		if err := out.Flush(); err != nil {
			return err
		}
	}
}

// appendServeRecord appends one profile's answer to b.
func appendServeRecord(b []byte, res check.Result, digest string) []byte {
	var msg string
	verdict := byte(0)
	if res.Err != nil {
		verdict = 1
		msg = res.Err.Error()
	}
	b = append(b, verdict)
	b = binary.LittleEndian.AppendUint64(b, uint64(res.Events))
	b = append(b, digest...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(msg)))
	return append(b, msg...)
}
