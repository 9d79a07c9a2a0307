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
	r, err := newReader(data)
	if err != nil {
		parser.Err = err
		finish(parser)
		return parser, validated
	}
	v := newValidator(data)
	var pr canon.Printer
	for {
		ev, err := readEvent(r)
		if err == io.EOF {
			finish(parser)
			return parser, validated
		}
		if err != nil {
			parser.Err = err
			finish(parser)
			return parser, validated
		}
		line, err := format(&pr, &ev)
		if err != nil {
			parser.Err = err
			finish(parser)
			return parser, validated
		}
		parser.Events++
		if emit != nil {
			emit(line)
		}
		if !done {
			if err := validate(v, ev); err != nil {
				finish(Result{Err: err, Events: parser.Events})
			}
		}
	}
}
