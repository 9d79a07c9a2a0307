// The tool commands of gthref (codec, golden files, fuzz corpus files, Go's sort
// and regexp): built against the current x/exp/trace API only.

//go:build !xtrace_api22 && !xtrace_api23

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"

	"golang.org/x/exp/trace/gthharness/internal/fuzzfile"
	"golang.org/x/exp/trace/gthharness/internal/rawconv"
	"golang.org/x/exp/trace/gthharness/internal/testfile"
)

const toolsUsage = `  gthref raw text2bytes|bytes2text
  gthref test2bytes FILE.test
  gthref expect FILE.test
  gthref fuzzdecode FILE
  gthref gosort
  gthref regexp
`

var tools = map[string]toolFunc{
	"raw": cmdRaw,
	"test2bytes": func(args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return withOneFile("test2bytes", args, stdout, stderr, testfile.Binary)
	},
	"fuzzdecode": func(args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return withOneFile("fuzzdecode", args, stdout, stderr, decodeFuzzFile)
	},
	"expect": func(args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return withOneFile("expect", args, stdout, stderr, func(path string) ([]byte, error) {
			e, err := testfile.Expect(path)
			return []byte(e.String() + "\n"), err
		})
	},
	"gosort": func(_ []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return cmdGoSort(stdin, stdout, stderr)
	},
	"regexp": func(_ []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return cmdRegexp(stdin, stdout, stderr)
	},
}

// cmdRaw converts between the binary and the text format, stdin to stdout.
func cmdRaw(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var conv func(io.Reader, io.Writer) error
	switch args[0] {
	case "text2bytes":
		conv = rawconv.TextToBytes
	case "bytes2text":
		conv = rawconv.BytesToText
	default:
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	w := bufio.NewWriter(stdout)
	err := guarded(func() error { return conv(bufio.NewReader(stdin), w) })
	if ferr := w.Flush(); err == nil && ferr != nil {
		fmt.Fprintf(stderr, "gthref: %v\n", ferr)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "gthref: %v\n", err)
		return exitRejected
	}
	return exitOK
}

// withOneFile runs produce on the single path argument and copies its output to
// stdout; a failure of produce means the input is rejected.
func withOneFile(cmd string, args []string, stdout, stderr io.Writer, produce func(string) ([]byte, error)) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "usage: gthref %s FILE\n", cmd)
		return exitUsage
	}
	if _, err := os.Stat(args[0]); err != nil {
		fmt.Fprintf(stderr, "gthref: %v\n", err)
		return exitUsage
	}
	var out []byte
	err := guarded(func() (err error) {
		out, err = produce(args[0])
		return err
	})
	if err != nil {
		fmt.Fprintf(stderr, "gthref: %v\n", err)
		return exitRejected
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "gthref: %v\n", err)
		return exitUsage
	}
	return exitOK
}

func decodeFuzzFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return fuzzfile.Decode(data)
}

// guarded turns a panic of Go's code into an error.
func guarded(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}

// cmdGoSort sorts the integers on stdin (one per line) by value with
// slices.SortFunc, the sort Go's trace reader uses for its frontier and CPU
// samples, and prints the input index of each element in sorted order. Equal
// keys are where unstable sorts differ; our C reader must order them alike.
func cmdGoSort(stdin io.Reader, stdout, stderr io.Writer) int {
	type item struct{ key, index int64 }
	var items []item
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		var k int64
		if _, err := fmt.Sscan(sc.Text(), &k); err != nil {
			fmt.Fprintf(stderr, "gthref gosort: line %d: %v\n", len(items)+1, err)
			return exitUsage
		}
		items = append(items, item{k, int64(len(items))})
	}
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	w := bufio.NewWriter(stdout)
	for _, it := range items {
		fmt.Fprintln(w, it.index)
	}
	if err := w.Flush(); err != nil {
		return exitUsage
	}
	return exitOK
}

// cmdRegexp answers, for each line `QUOTED_PATTERN QUOTED_TEXT` of stdin (both
// Go-quoted strings), what regexp.Compile and MatchString make of it: "match",
// "nomatch" or "invalid " + the compile error (Go-quoted), one line each.
func cmdRegexp(stdin io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	w := bufio.NewWriter(stdout)
	for line := 1; sc.Scan(); line++ {
		pat, rest, err := unquotePrefix(sc.Text())
		var text string
		if err == nil && len(rest) > 0 && rest[0] == ' ' {
			text, err = strconv.Unquote(rest[1:])
		} else if err == nil {
			err = fmt.Errorf("no text")
		}
		if err != nil {
			fmt.Fprintf(stderr, "gthref regexp: line %d: %v\n", line, err)
			return exitUsage
		}
		re, err := regexp.Compile(pat)
		switch {
		case err != nil:
			fmt.Fprintf(w, "invalid %s\n", strconv.Quote(err.Error()))
		case re.MatchString(text):
			fmt.Fprintln(w, "match")
		default:
			fmt.Fprintln(w, "nomatch")
		}
	}
	if sc.Err() != nil || w.Flush() != nil {
		return exitUsage
	}
	return exitOK
}

// unquotePrefix unquotes the Go string literal at the start of s.
func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", err
	}
	u, err := strconv.Unquote(q)
	return u, s[len(q):], err
}
