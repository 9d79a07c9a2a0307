package check_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/exp/trace/gthharness/internal/canon"
	"golang.org/x/exp/trace/gthharness/internal/check"
	"golang.org/x/exp/trace/gthharness/internal/testfile"
)

// TestRunBoth: one reading gives what Run gives in each profile — verdict,
// text, event count and stream (the validate stream being the prefix the
// parser stream had when validateDone was called) — on Go's golden tests and
// on truncations and byte corruptions of them.
func TestRunBoth(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(goTraceTestdata(t), "tests", "*.test"))
	if len(files) == 0 {
		t.Skip("no golden tests found")
	}
	var inputs [][]byte
	for _, path := range files {
		data, err := testfile.Binary(path)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
		for i := 1; i < len(data); i += 1 + len(data)/7 {
			inputs = append(inputs, data[:i])
			c := slices.Clone(data)
			c[i] ^= 0x5a
			inputs = append(inputs, c)
		}
	}
	// The last is accepted by the reader and rejected by the validator.
	inputs = append(inputs, nil, []byte("not a trace"), []byte("go 1.26 trace\x00\x00\x00"))
	seenValidatorOnly := false
	for i, data := range inputs {
		var both []string
		vlen := -1
		p, v := check.RunBoth(data, func(line *canon.Line) { both = append(both, string(line.AppendTo(nil))) }, func() {
			if vlen >= 0 {
				t.Errorf("input %d: validateDone called twice", i)
			}
			vlen = len(both)
		})
		for _, c := range []struct {
			prof   check.Profile
			res    check.Result
			stream []string
		}{{check.Parser, p, both}, {check.Validate, v, both[:max(vlen, 0)]}} {
			stream, want := run(data, c.prof)
			if firstLine(c.res.Err) != firstLine(want.Err) || c.res.Events != want.Events || !slices.Equal(c.stream, stream) {
				t.Errorf("input %d, profile %d: RunBoth %v (%d events), Run %v (%d events)", i, c.prof, c.res.Err, c.res.Events, want.Err, want.Events)
			}
		}
		if vlen < 0 {
			t.Errorf("input %d: validateDone not called", i)
		}
		if v.Err != nil && p.Err == nil {
			seenValidatorOnly = true
		}
	}
	if !seenValidatorOnly {
		t.Error("no input rejected by the validator alone: the split is not exercised")
	}
}

// firstLine is the first line of an error's text: "failed to advance" dumps
// the reader's state in map order after it.
func firstLine(err error) string {
	s, _, _ := strings.Cut(fmt.Sprint(err), "\n")
	return s
}
