// Package gentrace builds binary traces for tests with Go's trace test
// generator (golang.org/x/exp/trace/internal/testgen).
package gentrace

import (
	"bytes"
	"fmt"

	"golang.org/x/exp/trace/gthharness/internal/rawconv"
	"golang.org/x/exp/trace/internal/testgen"
	"golang.org/x/exp/trace/internal/version"
	"golang.org/x/tools/txtar"
)

// Binary runs gen on a fresh testgen trace of version ver and returns the
// binary form of the result.
func Binary(ver version.Version, gen func(*testgen.Trace)) ([]byte, error) {
	t := testgen.NewTrace(ver)
	gen(t)
	ar := txtar.Parse(t.Generate())
	if len(ar.Files) != 2 || ar.Files[1].Name != "trace" {
		return nil, fmt.Errorf("testgen produced an unexpected archive")
	}
	var out bytes.Buffer
	if err := rawconv.TextToBytes(bytes.NewReader(ar.Files[1].Data), &out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
