// The rendering for the x/exp/trace API of mid-2024 to April 2025 (the
// readers of Go 1.23 and 1.24), selected by the build tag xtrace_api23:
//
//   - Stack.Frames takes the yield function itself (no iter.Seq);
//   - Event has no Sync method: a Sync line carries no fields;
//   - ExperimentalEvent has argument names and uint64 values but no experiment
//     name: the line has no Experiment field; the experimental data it points
//     to is not printed;
//   - a Value is always a uint64.

//go:build xtrace_api23 && !xtrace_api22

package canon

import (
	"strconv"

	"golang.org/x/exp/trace"
)

func appendExperimentalEvent(b []byte, ev *trace.Event) []byte {
	if ev.Kind() != trace.EventExperimental {
		return b
	}
	x := ev.Experimental()
	b = append(b, " Name="...)
	b = append(b, x.Name...)
	b = append(b, " Args=["...)
	for i, name := range x.ArgNames {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, name...)
		b = append(b, '=')
		b = strconv.AppendUint(b, x.Args[i], 10)
	}
	return append(b, ']')
}
