package check

import (
	"io"

	"golang.org/x/exp/trace/gthharness/internal/canon"
)

// RunBoth gives the results of Run(data, Parser, ...) and Run(data, Validate,
// ...) from one reading of the trace. Go's validator only looks at the events
// the reader delivers; it does not change what the reader delivers, so the
// two profiles share the stream up to the validator's first finding. From
// there the validate profile has its result and the parser profile reads on.
//
// emit, if not nil, receives every line of the parser profile's stream;
// validateDone, if not nil, is called once, right after the last line of the
// validate profile's stream was emitted (with no line at all when that stream
// is empty), so that a caller can close the shorter stream's digest there.
func RunBoth(data []byte, emit func(line *canon.Line), validateDone func()) (parser, validated Result) {
	done := false
	finish := func(res Result) {
		if !done {
			done = true
			validated = res
			if validateDone != nil {
				validateDone()
			}
		}
	}
	// A panic of the reader's or the printer's ends both profiles where it
	// happened (one of the validator's ends only the validate profile: see
	// validate); whatever ended the parser profile ends the validate profile
	// too if it was still going.
	defer func() {
		if p := recover(); p != nil {
			parser.Err = &PanicError{Value: p}
		}
		finish(parser)
	}()
	f, err := newFeed(data, newValidator(data))
	if err != nil {
		parser.Err = err
		return parser, validated
	}
	defer f.close()
	var pr canon.Printer
	for {
		ev, vErr, err := f.next()
		if err == io.EOF {
			return parser, validated
		}
		if err != nil {
			parser.Err = err
			return parser, validated
		}
		f.lock(&ev)
		line := pr.Event(&ev)
		parser.Events++
		if emit != nil {
			emit(line)
		}
		if vErr != nil {
			finish(Result{Err: vErr, Events: parser.Events})
		}
		f.unlock()
	}
}
