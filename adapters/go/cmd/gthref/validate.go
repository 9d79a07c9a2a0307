package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/exp/trace/gthharness/internal/canon"
	"golang.org/x/exp/trace/gthharness/internal/check"
)

type validateOpts struct {
	profile check.Profile
	both    bool // --profile=both: each trace answered for parser, then validate
	events  bool
	digest  *streamDigest // nil: no --digest
	quiet   bool
	framed  bool // print "== <path>" ... "== end" around each trace
	batch   bool // stdin holds the list of paths, not a trace
}

// cmdValidate implements `gthref validate`: the adapter protocol.
func cmdValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "validate", "parser: Go's reader only; validate: also Go's testtrace validator; both: parser then validate, from one reading")
	events := fs.Bool("events", false, "print the canonical event stream before each verdict")
	digest := fs.Bool("digest", false, "print the stream digest (DIGEST <sha256 hex> <lines>) before each verdict")
	quiet := fs.Bool("quiet", false, "print nothing; the exit code is the answer")
	batch := fs.Bool("batch", false, "read trace paths from stdin, one per line")
	caps := fs.Bool("capabilities", false, "print the trace versions read and the stream's API generation")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *caps {
		return cmdCapabilities(stdout)
	}
	both := *profile == "both"
	prof, err := check.ParseProfile(*profile)
	if err != nil && !both {
		fmt.Fprintf(stderr, "gthref: %v (or both)\n", err)
		return exitUsage
	}
	files := fs.Args()
	switch {
	case both && *quiet:
		fmt.Fprintln(stderr, "gthref: --profile=both cannot be combined with --quiet")
		return exitUsage
	case *batch && len(files) > 0:
		fmt.Fprintln(stderr, "gthref: --batch takes the trace paths on stdin, not as arguments")
		return exitUsage
	case *quiet && (*batch || *events || *digest):
		fmt.Fprintln(stderr, "gthref: --quiet cannot be combined with --batch, --events or --digest")
		return exitUsage
	case !*batch && len(files) == 0:
		fmt.Fprint(stderr, usage)
		return exitUsage
	}

	opts := validateOpts{profile: prof, both: both, events: *events, quiet: *quiet,
		framed: both || *batch || len(files) > 1, batch: *batch}
	if *digest {
		opts.digest = newStreamDigest()
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	code := exitOK
	check1 := validateOne
	if both {
		check1 = validateBoth
	}
	one := func(path string) {
		code = max(code, check1(path, stdin, out, stderr, opts))
		if err := out.Flush(); err != nil {
			fmt.Fprintf(stderr, "gthref: %v\n", err)
			code = exitUsage
		}
	}
	if !*batch {
		for _, path := range files {
			one(path)
		}
		return code
	}

	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		path := strings.TrimSuffix(sc.Text(), "\r")
		if path == "" {
			continue
		}
		one(path)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "gthref: reading trace paths: %v\n", err)
		return exitUsage
	}
	return code
}

// validateOne checks the trace at path ("-" = stdin, outside batch mode) and
// prints its framing, events and verdict. It returns the exit code it implies.
func validateOne(path string, stdin io.Reader, out *bufio.Writer, stderr io.Writer, opts validateOpts) int {
	if opts.framed {
		out.WriteString("== " + path + "\n")
		defer out.WriteString("== end\n")
	}
	data, err := readInput(path, stdin, opts.batch)
	if err != nil {
		fmt.Fprintf(stderr, "gthref: %v\n", err)
		if !opts.quiet {
			out.WriteString("ERROR " + strconv.Quote(err.Error()) + "\n")
		}
		return exitUsage
	}
	tuneGC(len(data))
	var emit func(*canon.Line)
	switch d := opts.digest; {
	case opts.events && d != nil:
		d.reset()
		emit = func(line *canon.Line) {
			writeLine(out, line)
			d.line(line)
		}
	case opts.events:
		emit = func(line *canon.Line) { writeLine(out, line) }
	case d != nil:
		d.reset()
		emit = d.line
	}
	res := check.Run(data, opts.profile, emit)
	var sum string
	if opts.digest != nil {
		sum = opts.digest.sum()
	}
	return writeVerdict(out, res, sum, opts.quiet)
}

// writeVerdict prints a trace's DIGEST line (when digest is not empty) and
// verdict (unless quiet); it returns the exit code the result implies.
func writeVerdict(out *bufio.Writer, res check.Result, digest string, quiet bool) int {
	if digest != "" {
		out.WriteString("DIGEST " + digest + " " + strconv.Itoa(res.Events) + "\n")
	}
	if !quiet {
		out.WriteString(res.Verdict() + "\n")
	}
	if res.Err != nil {
		return exitRejected
	}
	return exitOK
}

// validateBoth answers --profile=both: the trace's frame for profile parser,
// then its frame for profile validate, each exactly as validateOne prints it
// with that profile, from one reading of the trace (runBoth). The parser
// stream's lines are printed as they come; the validate stream, a prefix of
// it, is kept until its frame.
func validateBoth(path string, stdin io.Reader, out *bufio.Writer, stderr io.Writer, opts validateOpts) int {
	out.WriteString("== " + path + "\n")
	data, err := readInput(path, stdin, opts.batch)
	if err != nil {
		fmt.Fprintf(stderr, "gthref: %v\n", err)
		line := "ERROR " + strconv.Quote(err.Error()) + "\n== end\n"
		out.WriteString(line + "== " + path + "\n" + line)
		return exitUsage
	}
	tuneGC(len(data))
	var (
		printed *bufio.Writer
		kept    *[]byte
		prefix  []byte
	)
	if opts.events {
		printed, kept = out, &prefix
	}
	parser, validated, psum, vsum := runBoth(data, opts.digest, printed, kept)
	code := writeVerdict(out, parser, psum, false)
	out.WriteString("== end\n== " + path + "\n")
	out.Write(prefix)
	code = max(code, writeVerdict(out, validated, vsum, false))
	out.WriteString("== end\n")
	return code
}

// runBoth reads the trace once for both profiles (check.RunBoth). Each line
// of the parser profile's stream goes to d (if not nil: psum and vsum are
// then the digests of the two profiles' streams), to out (if not nil) and,
// while it belongs to the validate profile's stream too, to kept (if not
// nil), followed by "\n".
func runBoth(data []byte, d *streamDigest, out *bufio.Writer, kept *[]byte) (parser, validated check.Result, psum, vsum string) {
	inValidate := true
	var emit func(*canon.Line)
	if d != nil || out != nil || kept != nil {
		emit = func(line *canon.Line) {
			if d != nil {
				d.line(line)
			}
			if out != nil {
				writeLine(out, line)
			}
			if kept != nil && inValidate {
				*kept = append(line.AppendTo(*kept), '\n')
			}
		}
	}
	if d != nil {
		d.reset()
	}
	parser, validated = check.RunBoth(data, emit, func() {
		inValidate = false
		if d != nil {
			vsum = d.sum()
		}
	})
	if d != nil {
		psum = d.sum()
	}
	return parser, validated, psum, vsum
}

func readInput(path string, stdin io.Reader, stdinIsList bool) ([]byte, error) {
	if path != "-" {
		return os.ReadFile(path)
	}
	if stdinIsList {
		return nil, fmt.Errorf("%s: stdin holds the list of paths in --batch mode", path)
	}
	return io.ReadAll(stdin)
}

// writeLine writes line and a newline to out, assembled in out's buffer.
func writeLine(out *bufio.Writer, line *canon.Line) {
	if out.Available() <= line.Len() {
		out.Flush() // an error stays in out; the caller's Flush reports it
	}
	out.Write(append(line.AppendTo(out.AvailableBuffer()), '\n'))
}

// streamDigest computes the stream digest of the adapter protocol: SHA-256 over
// the canonical lines, each followed by "\n" (adapters/README.md).
type streamDigest struct {
	h hash.Hash
	w *bufio.Writer // batches the lines into large writes to h
}

func newStreamDigest() *streamDigest {
	h := sha256.New()
	return &streamDigest{h: h, w: bufio.NewWriterSize(h, 64<<10)}
}

func (d *streamDigest) reset() {
	d.h.Reset()
	d.w.Reset(d.h)
}

// line adds one canonical line (and its newline).
func (d *streamDigest) line(l *canon.Line) {
	writeLine(d.w, l)
}

// sum returns the digest of the lines added since reset, in lower-case hex.
func (d *streamDigest) sum() string {
	d.w.Flush() // writes to a hash.Hash never fail
	return hex.EncodeToString(d.h.Sum(nil))
}
