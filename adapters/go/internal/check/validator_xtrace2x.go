// Setting up Go's validator for the x/exp/trace snapshots before May 2025
// (build tags xtrace_api22, xtrace_api23): the golden tests of Go 1.22 to 1.24
// use it as NewValidator returns it.

//go:build xtrace_api22 || xtrace_api23

package check

import "golang.org/x/exp/trace/internal/testtrace"

func newValidator([]byte) *testtrace.Validator { return testtrace.NewValidator() }
