// gthref built against the golang.org/x/exp/trace snapshot whose reader is
// that of Go 1.22 (go1.22.12): adapters/RELEASES.md.
module golang.org/x/exp/trace/gthharness/releases/go1.22

go 1.26.0

tool golang.org/x/exp/trace/gthharness/cmd/gthref

require (
	golang.org/x/exp v0.0.0-20261014143641-f0251eb4aa3e // indirect
	golang.org/x/exp/trace/gthharness v0.0.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

replace golang.org/x/exp/trace/gthharness => ../../go

replace golang.org/x/exp => golang.org/x/exp v0.0.0-20240222234643-814bf88cf225
