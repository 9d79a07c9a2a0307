// The parts of the rendering that depend on the API generation of
// golang.org/x/exp/trace. This file is the current API (snapshots from May 2025
// on: the readers of Go 1.25 and later), used unless a build tag selects an
// older generation (api_xtrace23.go, api_xtrace22.go; adapters/RELEASES.md).

//go:build !xtrace_api22 && !xtrace_api23

package canon

import (
	"iter"
	"slices"
	"strconv"

	"golang.org/x/exp/trace"
)

func stackFrames(stk trace.Stack) iter.Seq[trace.StackFrame] { return stk.Frames() }

func appendSyncEvent(b []byte, ev *trace.Event) []byte { return appendSync(b, ev.Sync()) }

func appendExperimentalEvent(b []byte, ev *trace.Event) []byte {
	if ev.Kind() != trace.EventExperimental {
		return b
	}
	return appendExperimental(b, ev.Experimental())
}

func appendSync(b []byte, s trace.Sync) []byte {
	b = appendInt(b, " N=", int64(s.N))
	if c := s.ClockSnapshot; c != nil {
		b = appendInt(b, " Trace=", int64(c.Trace))
		b = appendUint(b, " Mono=", c.Mono)
		// Unix seconds and nanoseconds: independent of the local time zone.
		b = appendInt(b, " Wall=", c.Wall.Unix())
		b = append(b, '.')
		b = appendPadded9(b, c.Wall.Nanosecond())
	}
	total := 0
	for _, batches := range s.ExperimentalBatches {
		total += len(batches)
	}
	if total == 0 {
		return b
	}
	names := make([]string, 0, len(s.ExperimentalBatches))
	for name := range s.ExperimentalBatches {
		names = append(names, name)
	}
	slices.Sort(names)
	b = append(b, " Batches=["...)
	first := true
	for _, name := range names {
		for _, eb := range s.ExperimentalBatches[name] {
			if !first {
				b = append(b, ' ')
			}
			first = false
			b = append(b, name...)
			b = appendInt(b, ":", int64(eb.Thread))
			b = appendInt(b, ":", int64(len(eb.Data)))
		}
	}
	return append(b, ']')
}

func appendExperimental(b []byte, x trace.ExperimentalEvent) []byte {
	b = append(b, " Name="...)
	b = append(b, x.Name...)
	b = append(b, " Experiment="...)
	b = append(b, x.Experiment...)
	b = append(b, " Args=["...)
	for i, name := range x.Args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, name...)
		b = append(b, '=')
		b = appendValue(b, x.ArgValue(i))
	}
	return append(b, ']')
}

// appendValue prints a uint64 value as a decimal. String values (no event of
// the current spec produces one here) are quoted so that the line stays
// unambiguous.
func appendValue(b []byte, v trace.Value) []byte {
	if v.Kind() == trace.ValueString {
		return appendQuote(b, v.String())
	}
	return strconv.AppendUint(b, v.Uint64(), 10)
}
