// Package fuzzfile decodes Go fuzzing corpus files ("go test fuzz v1") that hold
// a single []byte value, such as Go's testdata/fuzz/FuzzReader seed corpus.
package fuzzfile

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

const header = "go test fuzz v1"

// Decode returns the bytes of the one []byte literal in a corpus file.
func Decode(data []byte) ([]byte, error) {
	lines := strings.Split(string(bytes.TrimSpace(data)), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != header {
		return nil, fmt.Errorf("not a fuzz corpus file: first line is not %q", header)
	}
	var values []string
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			values = append(values, l)
		}
	}
	if len(values) != 1 {
		return nil, fmt.Errorf("fuzz corpus file holds %d values, want 1", len(values))
	}
	v := values[0]
	lit, ok := strings.CutPrefix(v, "[]byte(")
	if ok {
		lit, ok = strings.CutSuffix(lit, ")")
	}
	if !ok {
		return nil, errors.New("fuzz corpus value is not a []byte(...) literal")
	}
	s, err := strconv.Unquote(strings.TrimSpace(lit))
	if err != nil {
		return nil, fmt.Errorf("fuzz corpus value: %v", err)
	}
	return []byte(s), nil
}
