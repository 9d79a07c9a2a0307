// The rendering for the x/exp/trace API of early 2024 (the reader of Go 1.22),
// selected by the build tag xtrace_api22: as xtrace_api23 (api_xtrace2x.go),
// and there are no experimental events.

//go:build xtrace_api22

package canon

import "golang.org/x/exp/trace"

func appendExperimentalEvent(b []byte, _ *trace.Event) []byte { return b }
