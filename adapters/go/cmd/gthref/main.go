// Command gthref is the Go reference adapter of gotrace-harness: Go's own trace
// reader, validator and codec (golang.org/x/exp/trace) behind the adapter
// protocol of adapters/README.md.
//
// Usage:
//
//	gthref validate [--profile=parser|validate|both] [--events] [--digest] [--quiet] FILE|- ...
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
// --profile=both answers each trace twice, profile parser then validate, from
// one reading of it (not with --quiet).
//
// Builds against older golang.org/x/exp/trace snapshots (the release adapters of
// adapters/RELEASES.md, build tags xtrace_api22 and xtrace_api23) have only
// validate, readloop and version.
//
// Exit codes: 0 success / all traces accepted, 1 a trace (or input) was
// rejected, 2 usage or I/O error.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"golang.org/x/exp/trace"
)

const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
)

const usage = `usage:
  gthref validate [--profile=parser|validate|both] [--events] [--digest] [--quiet] FILE|- ...
  gthref validate --batch [--profile=parser|validate|both] [--events] [--digest]
` + toolsUsage + `  gthref readloop FILE
  gthref version

environment:
  GTHREF_PIPELINE=0  read every trace in one goroutine (by default a trace of
                     1 MiB or more is read and validated ahead on other cores)
`

// A tool command: the rest of the arguments, the standard streams; the exit code.
type toolFunc func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

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
	default:
		if tool, ok := tools[cmd]; ok {
			return tool(args, stdin, stdout, stderr)
		}
	}
	fmt.Fprint(stderr, usage)
	return exitUsage
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
	if st, err := f.Stat(); err == nil {
		tuneGC(int(st.Size())) // as validate does, so that the two compare
	}
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
