package check_test

import (
	"bytes"
	"io"
	"os"
	"testing"

	"golang.org/x/exp/trace"
	"golang.org/x/exp/trace/gthharness/internal/check"
)

// BenchmarkRun measures Run on the trace named by $GTHREF_BENCH_TRACE against a
// bare ReadEvent loop over the same bytes (what `gthref readloop` does):
//
//	GTHREF_BENCH_TRACE=big.trace go test ./internal/check -run '^$' -bench Run -cpuprofile cpu.out
func BenchmarkRun(b *testing.B) {
	path := os.Getenv("GTHREF_BENCH_TRACE")
	if path == "" {
		b.Skip("set GTHREF_BENCH_TRACE to a trace file")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("readloop", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r, err := trace.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.ReadEvent(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	for _, prof := range []struct {
		name string
		p    check.Profile
	}{{"parser", check.Parser}, {"validate", check.Validate}} {
		b.Run(prof.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				check.Run(data, prof.p, nil)
			}
		})
	}
}
