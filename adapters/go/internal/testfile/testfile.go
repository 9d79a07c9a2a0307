// Package testfile reads Go's golden trace tests (.test files: a txtar archive
// with an "expect" and a "trace" file, the trace in Go's text format).
package testfile

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/exp/trace/internal/testtrace"
	"golang.org/x/tools/txtar"
)

// Binary returns the binary form of the trace section of the .test file at
// path, converted exactly as Go's golden test converts it (minimal varints).
func Binary(path string) ([]byte, error) {
	r, _, _, err := testtrace.ParseFile(path)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Expectation is a parsed "expect" section.
type Expectation struct {
	Failure bool
	Pattern string // the regular expression a FAILURE's error must match (unanchored)
}

// String renders the expectation the way Go's test generator writes it:
// SUCCESS, or FAILURE followed by the Go-quoted pattern.
func (e Expectation) String() string {
	if !e.Failure {
		return "SUCCESS"
	}
	return "FAILURE " + strconv.Quote(e.Pattern)
}

// Expect reads the expectation of the .test file at path. Only the archive
// structure and the expectation are checked, not the trace section, so that
// tests with a deliberately malformed trace still report their expectation.
func Expect(path string) (Expectation, error) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		return Expectation{}, err
	}
	if len(ar.Files) != 2 {
		return Expectation{}, fmt.Errorf("malformed test %s: wrong number of files", path)
	}
	if ar.Files[0].Name != "expect" {
		return Expectation{}, fmt.Errorf("malformed test %s: bad filename %s", path, ar.Files[0].Name)
	}
	data := ar.Files[0].Data
	// Go's own parser decides validity; the pattern text is taken from the
	// same first line, split the same way.
	if _, err := testtrace.ParseExpectation(data); err != nil {
		return Expectation{}, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() {
		return Expectation{}, nil
	}
	kind, quoted, _ := strings.Cut(sc.Text(), " ")
	if kind != "FAILURE" {
		return Expectation{}, nil
	}
	pattern, err := strconv.Unquote(quoted)
	if err != nil {
		return Expectation{}, err
	}
	return Expectation{Failure: true, Pattern: pattern}, nil
}
