// Package canon renders trace.Event values as the canonical event-stream lines
// of docs/EVENTS.md, the format that every parser taking part in gotrace-harness
// prints and that streams are diffed on.
//
// The rendering goes only through the public API of golang.org/x/exp/trace, so
// whatever a getter computes (or panics on) is what the line reflects.
package canon

import (
	"strconv"

	"golang.org/x/exp/trace"
)

// AppendEvent appends the canonical line of ev to b, without the newline.
//
// The getters of trace.Event may panic on inputs the reader accepts; AppendEvent
// does not recover, so callers that must survive such inputs recover themselves.
func AppendEvent(b []byte, ev trace.Event) []byte {
	b = strconv.AppendInt(b, int64(ev.Time()), 10)
	b = append(b, ' ')
	b = append(b, ev.Kind().String()...)
	b = appendInt(b, " M=", int64(ev.Thread()))
	b = appendInt(b, " P=", int64(ev.Proc()))
	b = appendInt(b, " G=", int64(ev.Goroutine()))

	switch kind := ev.Kind(); kind {
	case trace.EventSync:
		b = appendSyncEvent(b, ev)
	case trace.EventMetric:
		m := ev.Metric()
		b = appendQuoted(b, " Name=", m.Name)
		b = appendUint(b, " Value=", m.Value.Uint64())
	case trace.EventLabel:
		l := ev.Label()
		b = appendQuoted(b, " Label=", l.Label)
		b = appendResource(b, " Resource=", l.Resource)
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		r := ev.Range()
		b = appendQuoted(b, " Name=", r.Name)
		b = appendResource(b, " Scope=", r.Scope)
		if kind == trace.EventRangeEnd {
			b = append(b, " Attributes=["...)
			for i, a := range ev.RangeAttributes() {
				if i > 0 {
					b = append(b, ' ')
				}
				b = strconv.AppendQuote(b, a.Name)
				b = append(b, '=')
				b = appendValue(b, a.Value)
			}
			b = append(b, ']')
		}
	case trace.EventTaskBegin, trace.EventTaskEnd:
		t := ev.Task()
		b = appendUint(b, " ID=", uint64(t.ID))
		b = appendUint(b, " Parent=", uint64(t.Parent))
		b = appendQuoted(b, " Type=", t.Type)
	case trace.EventRegionBegin, trace.EventRegionEnd:
		r := ev.Region()
		b = appendUint(b, " Task=", uint64(r.Task))
		b = appendQuoted(b, " Type=", r.Type)
	case trace.EventLog:
		l := ev.Log()
		b = appendUint(b, " Task=", uint64(l.Task))
		b = appendQuoted(b, " Category=", l.Category)
		b = appendQuoted(b, " Message=", l.Message)
	case trace.EventStateTransition:
		b = appendTransition(b, ev.StateTransition())
	default:
		// Experimental events: not every API generation has them (api_*.go).
		b = appendExperimentalEvent(b, ev)
	}

	// A StackSample always carries a stack handle (possibly of an empty stack),
	// so comparing with NoStack covers the "always for StackSample" rule too.
	if stk := ev.Stack(); stk != trace.NoStack {
		b = append(b, " Stack="...)
		b = AppendStack(b, stk)
	}
	return b
}

// AppendStack appends stk as `[<q func>@0x<pc> <q file>:<line>, ...]`.
func AppendStack(b []byte, stk trace.Stack) []byte {
	b = append(b, '[')
	first := true
	for f := range stackFrames(stk) {
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = strconv.AppendQuote(b, f.Func)
		b = append(b, "@0x"...)
		b = strconv.AppendUint(b, f.PC, 16)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, f.File)
		b = append(b, ':')
		b = strconv.AppendUint(b, f.Line, 10)
	}
	return append(b, ']')
}

func appendTransition(b []byte, st trace.StateTransition) []byte {
	switch st.Resource.Kind {
	case trace.ResourceGoroutine:
		from, to := st.Goroutine()
		b = appendInt(b, " GoID=", int64(st.Resource.Goroutine()))
		b = append(b, ' ')
		b = append(b, from.String()...)
		b = append(b, "->"...)
		b = append(b, to.String()...)
	case trace.ResourceProc:
		from, to := st.Proc()
		b = appendInt(b, " ProcID=", int64(st.Resource.Proc()))
		b = append(b, ' ')
		b = append(b, from.String()...)
		b = append(b, "->"...)
		b = append(b, to.String()...)
	}
	b = appendQuoted(b, " Reason=", st.Reason)
	// Goroutine creation hands out a stack handle even for stack ID 0, so such
	// a transition prints an empty "TransitionStack=[]"; NoStack prints nothing.
	if st.Stack != trace.NoStack {
		b = append(b, " TransitionStack="...)
		b = AppendStack(b, st.Stack)
	}
	return b
}

func appendResource(b []byte, prefix string, r trace.ResourceID) []byte {
	b = append(b, prefix...)
	switch r.Kind {
	case trace.ResourceGoroutine:
		return append(appendInt(b, "Goroutine(", int64(r.Goroutine())), ')')
	case trace.ResourceProc:
		return append(appendInt(b, "Proc(", int64(r.Proc())), ')')
	case trace.ResourceThread:
		return append(appendInt(b, "Thread(", int64(r.Thread())), ')')
	}
	return append(b, "None"...)
}

func appendInt(b []byte, prefix string, v int64) []byte {
	return strconv.AppendInt(append(b, prefix...), v, 10)
}

func appendUint(b []byte, prefix string, v uint64) []byte {
	return strconv.AppendUint(append(b, prefix...), v, 10)
}

func appendQuoted(b []byte, prefix, s string) []byte {
	return strconv.AppendQuote(append(b, prefix...), s)
}

func appendPadded9(b []byte, n int) []byte {
	var digits [9]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, digits[:]...)
}
