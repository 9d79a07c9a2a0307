// Setting up Go's validator for the current x/exp/trace API (snapshots from
// May 2025 on), used unless a build tag selects an older generation.

//go:build !xtrace_api22 && !xtrace_api23

package check

import (
	"bytes"

	"golang.org/x/exp/trace/internal/testtrace"
	"golang.org/x/exp/trace/internal/version"
)

// newValidator returns the validator as Go's golden test sets it up.
func newValidator(data []byte) *testtrace.Validator {
	v := testtrace.NewValidator()
	v.GoVersion = validatorVersion(data)
	return v
}

// validatorVersion is the trace version Go's golden test hands the validator:
// the header version for the v2 format, zero for the older format (the reader
// records no version for those). Only comparisons with 1.22 and 1.25 matter.
func validatorVersion(data []byte) version.Version {
	ver, err := version.ReadHeader(bytes.NewReader(data))
	if err != nil || ver < version.Go122 {
		return 0
	}
	return ver
}
