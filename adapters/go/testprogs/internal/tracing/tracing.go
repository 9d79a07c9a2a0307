// Package tracing is the common frame of the test programs: it parses the
// command line, writes a runtime/trace trace of the program's work to the file
// named by -o, and bounds the work by a deadline.
package tracing

import (
	"flag"
	"fmt"
	"os"
	"runtime/trace"
	"time"
)

// Main runs work under the execution tracer. work must return soon after the
// deadline it is given. Main exits the process with status 1 on failure.
func Main(work func(deadline time.Time) error) {
	out := flag.String("o", "", "write the trace to `file` (required)")
	dur := flag.Duration("d", 100*time.Millisecond, "how long the program works")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *dur, work); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[0], err)
		os.Exit(1)
	}
}

func run(path string, dur time.Duration, work func(time.Time) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return err
	}
	werr := work(time.Now().Add(dur))
	trace.Stop()
	if err := f.Close(); err != nil {
		return err
	}
	return werr
}

// Spin burns CPU for about d without blocking and returns a value the
// compiler cannot discard.
func Spin(d time.Duration) uint64 {
	end := time.Now().Add(d)
	x := uint64(88172645463325252)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	return x
}
