// Package check runs Go's trace reader (golang.org/x/exp/trace) over one binary
// trace, optionally feeding every event to Go's test validator (internal/testtrace)
// the way Go's golden reader test does, and reports the canonical event stream
// and a verdict.
//
// Stream and verdict follow one rule: an event is part of the stream when the
// reader delivered it and the public API could describe it (every getter the
// canonical line needs returned). The first failure ends the run:
//
//   - a reader error: the stream stops before it; the verdict is its text;
//   - a panic in the reader or in a getter: the event is not in the stream; the
//     verdict is "panic: <value>";
//   - a validator error or panic (profile Validate only): the event the reader
//     delivered is in the stream, the verdict is the validator's text.
//
// The canonical line of every event is computed even when nobody asks for the
// stream, so the verdict never depends on whether events are printed.
package check

import (
	"fmt"
	"io"
	"strconv"

	"golang.org/x/exp/trace"
	"golang.org/x/exp/trace/gthharness/internal/canon"
	"golang.org/x/exp/trace/internal/testtrace"
)

// Profile selects how much of Go's checking applies.
type Profile int

const (
	// Parser: only what Go's reader (and its event API) rejects.
	Parser Profile = iota
	// Validate: additionally Go's testtrace validator, as TestReaderGolden runs it.
	Validate
)

// ParseProfile maps a flag value to a Profile.
func ParseProfile(s string) (Profile, error) {
	switch s {
	case "parser":
		return Parser, nil
	case "validate":
		return Validate, nil
	}
	return 0, fmt.Errorf("unknown profile %q (want parser or validate)", s)
}

// Result is the outcome of one trace.
type Result struct {
	Err    error // nil: accepted
	Events int   // number of events in the stream
}

// Verdict returns the verdict line: ACCEPT or REJECT <Go-quoted error text>.
func (r Result) Verdict() string {
	if r.Err == nil {
		return "ACCEPT"
	}
	return "REJECT " + strconv.Quote(r.Err.Error())
}

// PanicError is a panic recovered from Go's reader, API or validator.
type PanicError struct {
	Value any
}

func (e *PanicError) Error() string { return "panic: " + fmt.Sprint(e.Value) }

// Run reads the binary trace data. emit, if not nil, receives the canonical line
// of every event in the stream (valid until emit returns).
func Run(data []byte, prof Profile, emit func(line *canon.Line)) (res Result) {
	// One recovery for the whole run: a panic ends it wherever it comes from,
	// and res.Events counts the events in the stream up to there (an event is
	// counted once its line is made; a finding of the validator on it is the
	// verdict only then).
	defer recoverInto(&res.Err)
	var v *testtrace.Validator
	if prof == Validate {
		v = newValidator(data)
	}
	f, err := newFeed(data, v)
	if err != nil {
		res.Err = err
		return res
	}
	defer f.close()
	var pr canon.Printer
	for {
		ev, vErr, err := f.next()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.Err = err
			return res
		}
		f.lock(&ev)
		line := pr.Event(&ev)
		res.Events++
		if emit != nil {
			emit(line)
		}
		if vErr != nil {
			res.Err = vErr
			return res
		}
		f.unlock()
	}
}

func validate(v *testtrace.Validator, ev trace.Event) (err error) {
	defer recoverInto(&err)
	return v.Event(ev)
}

func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = &PanicError{Value: p}
	}
}
