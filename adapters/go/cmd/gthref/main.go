// Command gthref is the Go reference adapter of gotrace-harness: Go's own trace
// reader, validator and codec (golang.org/x/exp/trace) behind the adapter
// protocol of adapters/README.md.
//
// Usage:
//
//	gthref validate [--profile=parser|validate] [--events] [--digest] [--quiet] FILE|- ...
//	gthref validate --batch [--profile=...] [--events] [--digest]   (trace paths on stdin)
//	gthref raw text2bytes|bytes2text                      (stdin -> stdout)
//	gthref test2bytes FILE.test                           (binary trace -> stdout)
//	gthref expect FILE.test                               (SUCCESS | FAILURE "<re>")
//	gthref fuzzdecode FILE                                (corpus bytes -> stdout)
//	gthref gosort                                         (keys on stdin -> sorted order)
//	gthref regexp                                         (pattern/text pairs on stdin -> verdicts)
//	gthref readloop FILE                                  (ReadEvent loop; prints the count)
//	gthref version
//
// Exit codes: 0 success / all traces accepted, 1 a trace (or input) was
// rejected, 2 usage or I/O error.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"

	"golang.org/x/exp/trace"
	"time"

	"golang.org/x/exp/trace/gthharness/internal/fuzzfile"
	"golang.org/x/exp/trace/gthharness/internal/rawconv"
	"golang.org/x/exp/trace/gthharness/internal/testfile"
)

const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
)

const usage = `usage:
  gthref validate [--profile=parser|validate] [--events] [--digest] [--quiet] FILE|- ...
  gthref validate --batch [--profile=parser|validate] [--events] [--digest]
  gthref raw text2bytes|bytes2text
  gthref test2bytes FILE.test
  gthref expect FILE.test
  gthref fuzzdecode FILE
  gthref gosort
  gthref regexp
  gthref readloop FILE
  gthref version
`

func main() {
	// Error texts of Go's validator print wall-clock times with their location;
	// pin it so that output is the same on every machine.
	time.Local = time.UTC
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "validate":
		return cmdValidate(args, stdin, stdout, stderr)
	case "raw":
		return cmdRaw(args, stdin, stdout, stderr)
	case "test2bytes":
		return withOneFile(cmd, args, stdout, stderr, testfile.Binary)
	case "fuzzdecode":
		return withOneFile(cmd, args, stdout, stderr, decodeFuzzFile)
	case "expect":
		return withOneFile(cmd, args, stdout, stderr, func(path string) ([]byte, error) {
			e, err := testfile.Expect(path)
			return []byte(e.String() + "\n"), err
		})
	case "gosort":
		return cmdGoSort(stdin, stdout, stderr)
	case "regexp":
		return cmdRegexp(stdin, stdout, stderr)
	case "readloop":
		if len(args) != 1 {
			break
		}
		return cmdReadLoop(args[0], stdout, stderr)
	case "version":
		if len(args) != 0 {
			break
		}
		fmt.Fprintf(stdout, "golang.org/x/exp %s\n%s\n", exportVersion(), runtime.Version())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprint(stderr, usage)
	return exitUsage
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

// exportVersion is the version of golang.org/x/exp this binary was built with.
func exportVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	for _, dep := range info.Deps {
		if dep.Path == "golang.org/x/exp" {
			if dep.Replace != nil {
				return dep.Version + " => " + dep.Replace.Path + " " + dep.Replace.Version
			}
			return dep.Version
		}
	}
	return "(unknown)"
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

// cmdReadLoop reads a trace with a bare ReadEvent loop — nothing formatted or
// checked beyond what the reader does — and prints the number of events. It is
// the baseline of the benchmarks (bench/run.sh).
func cmdReadLoop(path string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "gthref readloop: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fmt.Fprintf(stderr, "gthref readloop: %v\n", err)
		return exitRejected
	}
	n := 0
	for {
		_, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(stderr, "gthref readloop: %v\n", err)
			return exitRejected
		}
		n++
	}
	fmt.Fprintf(stdout, "%d\n", n)
	return exitOK
}
