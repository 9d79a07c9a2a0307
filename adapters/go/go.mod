// gthharness holds gthref, the Go reference adapter of gotrace-harness: it runs
// golang.org/x/exp/trace (Go's trace reader) and its internal validator and codec
// on traces and prints the canonical event stream of docs/EVENTS.md.
//
// The module path lies under golang.org/x/exp/trace/ so that the Go toolchain lets
// it import that module's internal packages (raw, testtrace, testgen, version).
module golang.org/x/exp/trace/gthharness

go 1.26.0

require (
	golang.org/x/exp v0.0.0-20261014143641-f0251eb4aa3e
	golang.org/x/tools v0.52.0
)
