package check_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/exp/trace/gthharness/internal/canon"
	"golang.org/x/exp/trace/gthharness/internal/check"
	"golang.org/x/exp/trace/gthharness/internal/testfile"
)

// outcome is all that the runs of one trace report: Run in both profiles
// and RunBoth, each verdict's first line and event count, and the streams.
type outcome struct {
	results   [4]string   // Run parser, Run validate, RunBoth parser, RunBoth validate
	streams   [3][]string // Run parser, Run validate, RunBoth
	bothSplit int         // lines of RunBoth's stream when validateDone was called
}

func runAll(data []byte) outcome {
	var o outcome
	for i, prof := range []check.Profile{check.Parser, check.Validate} {
		stream, res := run(data, prof)
		o.streams[i], o.results[i] = stream, summary(res)
	}
	o.bothSplit = -1
	p, v := check.RunBoth(data, func(line *canon.Line) {
		o.streams[2] = append(o.streams[2], string(line.AppendTo(nil)))
	}, func() { o.bothSplit = len(o.streams[2]) })
	o.results[2], o.results[3] = summary(p), summary(v)
	return o
}

func summary(r check.Result) string {
	return fmt.Sprintf("%s after %d events", firstLine(r.Err), r.Events)
}

func (o *outcome) diff(w *outcome) string {
	if o.results != w.results || o.bothSplit != w.bothSplit {
		return fmt.Sprintf("results %q (split %d), want %q (split %d)", o.results, o.bothSplit, w.results, w.bothSplit)
	}
	for i := range o.streams {
		if !slices.Equal(o.streams[i], w.streams[i]) {
			return fmt.Sprintf("stream %d differs", i)
		}
	}
	return ""
}

// feedInputs returns the traces of corpus/real and corpus/invalid-bin, the
// cases of corpus/valid, corpus/invalid-validate and Go's golden tests, and
// truncations and corruptions of the golden tests.
func feedInputs(t *testing.T) (names []string, inputs [][]byte) {
	corpus := filepath.Join("..", "..", "..", "..", "corpus")
	var paths []string
	for _, pat := range []string{"real/*.trace", "invalid-bin/*.trace", "valid/*.test", "invalid-validate/*.test"} {
		m, _ := filepath.Glob(filepath.Join(corpus, pat))
		paths = append(paths, m...)
	}
	golden, _ := filepath.Glob(filepath.Join(goTraceTestdata(t), "tests", "*.test"))
	paths = append(paths, golden...)
	for _, path := range paths {
		var data []byte
		var err error
		if strings.HasSuffix(path, ".test") {
			data, err = testfile.Binary(path)
		} else {
			data, err = os.ReadFile(path)
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		names, inputs = append(names, path), append(inputs, data)
	}
	for _, path := range golden {
		data, _ := testfile.Binary(path)
		for i := 1; i < len(data); i += 1 + len(data)/5 {
			c := slices.Clone(data)
			c[i] ^= 0xa5
			names = append(names, fmt.Sprintf("%s cut at %d", path, i), fmt.Sprintf("%s flipped at %d", path, i))
			inputs = append(inputs, data[:i], c)
		}
	}
	return names, inputs
}

// TestPipelinedFeed: reading and validating ahead on goroutines of their own
// changes nothing that a run reports — verdict, event count, streams, where
// RunBoth's profiles part — on real traces (Go 1.21 to 1.27, TaskEnd events
// among them), on rejected and panicking inputs, with batches of 3 and 4096
// events, and every goroutine started has returned when the run does. Run it
// with -race too: the goroutines share the reader's tables.
func TestPipelinedFeed(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the pipelined feed needs GOMAXPROCS >= 2")
	}
	names, inputs := feedInputs(t)
	if len(inputs) < 100 {
		t.Fatalf("only %d inputs: corpus not found", len(inputs))
	}
	serial := make([]outcome, len(inputs))
	for i, data := range inputs {
		serial[i] = runAll(data)
	}
	base := runtime.NumGoroutine()
	for _, batch := range []int{3, 4096} {
		restore := check.SetPipeline(0, batch)
		for i, data := range inputs {
			if batch < 4096 && len(data) > 256<<10 {
				continue // small batches on the small inputs only: -race is slow
			}
			got := runAll(data)
			if d := got.diff(&serial[i]); d != "" {
				t.Errorf("%s, batches of %d: %s", names[i], batch, d)
			}
		}
		restore()
	}
	// A goroutine left behind would still be there after a while.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > base && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines, %d before the pipelined runs", n, base)
	}
}

// TestPipelineNegative: the comparison above fails when the pipelined feed
// reports something else (here: the serial outcome of a shorter input).
func TestPipelineNegative(t *testing.T) {
	golden, _ := filepath.Glob(filepath.Join(goTraceTestdata(t), "tests", "*.test"))
	if len(golden) == 0 {
		t.Skip("no golden tests")
	}
	data, err := testfile.Binary(golden[0])
	if err != nil {
		t.Fatal(err)
	}
	restore := check.SetPipeline(0, 3)
	defer restore()
	full, cut := runAll(data), runAll(data[:len(data)-1])
	if full.diff(&cut) == "" {
		t.Error("a whole trace and its truncation compare equal")
	}
	if again := runAll(data); again.diff(&full) != "" {
		t.Errorf("two pipelined runs differ: %s", again.diff(&full))
	}
}
