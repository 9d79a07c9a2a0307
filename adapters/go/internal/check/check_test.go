package check_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/exp/trace"
	"golang.org/x/exp/trace/gthharness/internal/canon"
	"golang.org/x/exp/trace/gthharness/internal/check"
	"golang.org/x/exp/trace/gthharness/internal/fuzzfile"
	"golang.org/x/exp/trace/gthharness/internal/gentrace"
	"golang.org/x/exp/trace/gthharness/internal/testfile"
	"golang.org/x/exp/trace/internal/testgen"
	"golang.org/x/exp/trace/internal/tracev2"
	"golang.org/x/exp/trace/internal/version"
)

// goTraceTestdata returns $(go env GOROOT)/src/internal/trace/testdata, or
// skips the test when it is not available.
func goTraceTestdata(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "src", "internal", "trace", "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Go trace testdata: %v", err)
	}
	return dir
}

// run returns the stream and the verdict of data under prof.
func run(data []byte, prof check.Profile) (stream []string, res check.Result) {
	res = check.Run(data, prof, func(line *canon.Line) { stream = append(stream, string(line.AppendTo(nil))) })
	return stream, res
}

// TestGolden replays Go's golden reader tests: SUCCESS must be accepted under
// the validate profile, FAILURE must be rejected with a matching error.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(goTraceTestdata(t), "tests", "*.test"))
	if len(files) == 0 {
		t.Skip("no golden tests found")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := testfile.Binary(path)
			if err != nil {
				t.Fatal(err)
			}
			exp, err := testfile.Expect(path)
			if err != nil {
				t.Fatal(err)
			}
			stream, res := run(data, check.Validate)
			if quiet := check.Run(data, check.Validate, nil); quiet.Verdict() != res.Verdict() || quiet.Events != res.Events {
				t.Errorf("result depends on emitting: %s after %d events vs %s after %d",
					quiet.Verdict(), quiet.Events, res.Verdict(), res.Events)
			}
			if res.Events != len(stream) {
				t.Errorf("Events = %d, stream has %d lines", res.Events, len(stream))
			}
			switch {
			case !exp.Failure && res.Err != nil:
				t.Errorf("want ACCEPT, got %s", res.Verdict())
			case exp.Failure && res.Err == nil:
				t.Errorf("want an error matching %q, got ACCEPT", exp.Pattern)
			case exp.Failure && !regexp.MustCompile(exp.Pattern).MatchString(res.Err.Error()):
				t.Errorf("want an error matching %q, got %s", exp.Pattern, res.Verdict())
			}
		})
	}
}

// TestFuzzCorpus pins the verdicts on Go's FuzzReader seed corpus.
func TestFuzzCorpus(t *testing.T) {
	const freq48 = `REJECT "expected frequency or clock snapshot event, got 48"`
	want := map[string]string{
		"4055b17cae1a3443":       `REJECT "unexpected event type 36"`,
		"closing-unknown-region": "ACCEPT",
		"invalid-proc-state":     `REJECT "invalid status for proc 0: 69"`,
		"large-id":               "ACCEPT",
		"malformed-timestamp":    `REJECT "found invalid uvarint for timestamp"`,
	}
	files, _ := filepath.Glob(filepath.Join(goTraceTestdata(t), "fuzz", "FuzzReader", "*"))
	if len(files) == 0 {
		t.Skip("no fuzz corpus found")
	}
	for _, path := range files {
		name := filepath.Base(path)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := fuzzfile.Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, ok := want[name]
		if !ok {
			w = freq48
		}
		for _, prof := range []check.Profile{check.Parser, check.Validate} {
			if got := check.Run(data, prof, nil).Verdict(); got != w {
				t.Errorf("%s (profile %d): got %s, want %s", name, prof, got, w)
			}
		}
	}
}

// TestValidatorVerdict: the event the reader delivered stays in the stream,
// the validator's complaint becomes the verdict.
func TestValidatorVerdict(t *testing.T) {
	headerOnly := []byte("go 1.26 trace\x00\x00\x00")
	const sync1 = "1 Sync M=-1 P=-1 G=-1 N=1"

	stream, res := run(headerOnly, check.Parser)
	if got := strings.Join(stream, "\n"); got != sync1 || res.Verdict() != "ACCEPT" {
		t.Errorf("parser: got %q, %s", got, res.Verdict())
	}
	stream, res = run(headerOnly, check.Validate)
	if got := strings.Join(stream, "\n"); got != sync1 || res.Verdict() != `REJECT "sync 1 has no clock snapshot"` {
		t.Errorf("validate: got %q, %s", got, res.Verdict())
	}
}

// TestPanics: inputs Go's reader accepts but its API panics on are rejected
// in both profiles, and the event that could not be described is not printed.
func TestPanics(t *testing.T) {
	for _, tc := range []struct {
		name    string
		gen     func(*testgen.Trace)
		verdict string
		events  int
	}{
		{
			name: "pstatus-257",
			gen: func(t *testgen.Trace) {
				g := newGen(t)
				g.Batch(1, 20).RawEvent(tracev2.EvProcStatus, nil, 1, 0, 257) // dt p pstatus
			},
			verdict: `REJECT "panic: runtime error: index out of range [257] with length 5"`,
			events:  1, // the Sync
		},
		{
			name: "cpu-sample-unknown-stack",
			gen: func(t *testgen.Trace) {
				g := newGen(t)
				g.Batch(1, 20).Event("ProcStatus", trace.ProcID(0), tracev2.ProcRunning)
				b := g.Batch(trace.NoThread, 30)
				b.RawEvent(tracev2.EvCPUSamples, nil)
				b.RawEvent(tracev2.EvCPUSample, nil, 40, 1, 0, 0, 7)
			},
			verdict: `REJECT "panic: expected id 7 in trace.stack table"`,
			events:  2,
		},
		{
			name: "experiment-2",
			gen: func(t *testgen.Trace) {
				t.RawEvent(tracev2.EvExperimentalBatch, []byte("x"), 2, 1, 1, 1)
				g := newGen(t)
				g.Batch(1, 20).Event("ProcStatus", trace.ProcID(0), tracev2.ProcRunning)
			},
			verdict: `REJECT "panic: runtime error: index out of range [2] with length 2"`,
			events:  0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := gentrace.Binary(version.Go126, tc.gen)
			if err != nil {
				t.Fatal(err)
			}
			for _, prof := range []check.Profile{check.Parser, check.Validate} {
				stream, res := run(data, prof)
				if res.Verdict() != tc.verdict || len(stream) != tc.events {
					t.Errorf("profile %d: got %s after %d events, want %s after %d\n%s",
						prof, res.Verdict(), len(stream), tc.verdict, tc.events, strings.Join(stream, "\n"))
				}
			}
		})
	}
}

// newGen opens generation 1 with a clock snapshot the validator accepts.
func newGen(t *testgen.Trace) *testgen.Generation {
	g := t.Generation(1)
	g.Sync(15625000, 10, 99, time.Date(2025, 2, 28, 15, 4, 9, 123, time.UTC))
	return g
}
