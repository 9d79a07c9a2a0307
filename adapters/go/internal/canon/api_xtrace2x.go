// What the x/exp/trace APIs before May 2025 (build tags xtrace_api22 and
// xtrace_api23: the readers of Go 1.22 to 1.24) have in common.

//go:build xtrace_api22 || xtrace_api23

package canon

import (
	"iter"
	"strconv"

	"golang.org/x/exp/trace"
)

// stackFrames adapts the yield-taking Stack.Frames of these snapshots.
func stackFrames(stk trace.Stack) iter.Seq[trace.StackFrame] {
	return func(yield func(trace.StackFrame) bool) { stk.Frames(yield) }
}

// appendSyncEvent prints nothing: these snapshots have no Event.Sync.
func appendSyncEvent(b []byte, _ *trace.Event) []byte { return b }

// appendValue prints a value: always a uint64 here.
func appendValue(b []byte, v trace.Value) []byte { return strconv.AppendUint(b, v.Uint64(), 10) }
