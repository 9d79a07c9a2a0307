package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A valid Go 1.26 trace in Go's text format (canonical writer output).
const validText = `Trace Go1.26
EventBatch gen=1 m=18446744073709551615 time=9 size=15
Sync
Frequency freq=15625000
ClockSnapshot dt=1 mono=99 sec=1740755049 nsec=123
EventBatch gen=1 m=1 time=15 size=13
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=1 gstatus=2
GoStop dt=1 reason_string=1 stack=1
EventBatch gen=1 m=18446744073709551615 time=11 size=11
Stacks
Stack id=1 nframes=1
	pc=4198400 func=2 file=3 line=10
EventBatch gen=1 m=18446744073709551615 time=12 size=35
Strings
String id=1
	data="preempted"
String id=2
	data="main.main"
String id=3
	data="main.go"
EndOfGeneration
`

const validEvents = `576 Sync M=-1 P=-1 G=-1 N=1 Trace=640 Mono=99 Wall=1740755049.000000123
1024 StateTransition M=1 P=-1 G=-1 ProcID=0 Undetermined->Running Reason=""
1088 StateTransition M=1 P=0 G=-1 GoID=1 Undetermined->Running Reason=""
1152 StateTransition M=1 P=0 G=1 GoID=1 Running->Runnable Reason="preempted" TransitionStack=["main.main"@0x401000 "main.go":10] Stack=["main.main"@0x401000 "main.go":10]
1153 Sync M=-1 P=-1 G=-1 N=2
`

func gthref(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// fixtures writes a valid trace and a header-only Go 1.26 trace (accepted by
// the reader, rejected by the validator) and returns their paths.
func fixtures(t *testing.T) (valid, headerOnly string) {
	t.Helper()
	dir := t.TempDir()
	code, bin, stderr := gthref(t, validText, "raw", "text2bytes")
	if code != 0 {
		t.Fatalf("text2bytes: exit %d: %s", code, stderr)
	}
	valid = filepath.Join(dir, "valid.trace")
	headerOnly = filepath.Join(dir, "header-only.trace")
	if err := os.WriteFile(valid, []byte(bin), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(headerOnly, []byte("go 1.26 trace\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	return valid, headerOnly
}

func TestRawRoundTrip(t *testing.T) {
	_, bin, _ := gthref(t, validText, "raw", "text2bytes")
	code, text, stderr := gthref(t, bin, "raw", "bytes2text")
	if code != 0 || text != validText {
		t.Errorf("bytes2text: exit %d, stderr %q\n%s", code, stderr, text)
	}
	code, _, stderr = gthref(t, "Trace Go1.26\nNoSuchEvent\n", "raw", "text2bytes")
	if code != exitRejected || !strings.Contains(stderr, "unidentified event: NoSuchEvent") {
		t.Errorf("bad text: exit %d, stderr %q", code, stderr)
	}
}

func TestValidate(t *testing.T) {
	valid, headerOnly := fixtures(t)
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"validate", "--events", valid}, 0, validEvents + "ACCEPT\n"},
		{[]string{"validate", valid}, 0, "ACCEPT\n"},
		{[]string{"validate", "--quiet", headerOnly}, 1, ""},
		{[]string{"validate", "--events", headerOnly}, 1,
			"1 Sync M=-1 P=-1 G=-1 N=1\nREJECT \"sync 1 has no clock snapshot\"\n"},
		{[]string{"validate", "--profile=parser", "--events", headerOnly}, 0,
			"1 Sync M=-1 P=-1 G=-1 N=1\nACCEPT\n"},
		{[]string{"validate", valid, headerOnly}, 1,
			"== " + valid + "\nACCEPT\n== end\n== " + headerOnly + "\nREJECT \"sync 1 has no clock snapshot\"\n== end\n"},
		{[]string{"validate"}, 2, ""},
		{[]string{"validate", "--profile=strict", valid}, 2, ""},
		{[]string{"validate", "--batch", valid}, 2, ""},
		{[]string{"validate", "--quiet", "--events", valid}, 2, ""},
	} {
		code, out, _ := gthref(t, "", tc.args...)
		if code != tc.code || out != tc.out {
			t.Errorf("gthref %q: exit %d, want %d\n--- got ---\n%s--- want ---\n%s", tc.args, code, tc.code, out, tc.out)
		}
	}
}

// digestLine is the DIGEST line of a stream, computed from its definition:
// SHA-256 of the lines as --events prints them.
func digestLine(stream string) string {
	return fmt.Sprintf("DIGEST %x %d\n", sha256.Sum256([]byte(stream)), strings.Count(stream, "\n"))
}

func TestDigest(t *testing.T) {
	valid, headerOnly := fixtures(t)
	notTrace := filepath.Join(t.TempDir(), "not.trace")
	if err := os.WriteFile(notTrace, []byte("not a trace"), 0o644); err != nil {
		t.Fatal(err)
	}
	const headerOnlyEvents = "1 Sync M=-1 P=-1 G=-1 N=1\n"
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"validate", "--digest", valid}, 0, digestLine(validEvents) + "ACCEPT\n"},
		{[]string{"validate", "--events", "--digest", valid}, 0, validEvents + digestLine(validEvents) + "ACCEPT\n"},
		// Rejected by the validator: the stream up to and with the rejected event.
		{[]string{"validate", "--digest", headerOnly}, 1,
			digestLine(headerOnlyEvents) + "REJECT \"sync 1 has no clock snapshot\"\n"},
		{[]string{"validate", "--profile=parser", "--digest", headerOnly}, 0, digestLine(headerOnlyEvents) + "ACCEPT\n"},
		// Rejected before any event: the digest of no bytes.
		{[]string{"validate", "--digest", notTrace}, 1,
			"DIGEST e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0\nREJECT \"bad file format: not a Go execution trace?\"\n"},
		{[]string{"validate", "--quiet", "--digest", valid}, 2, ""},
	} {
		code, out, _ := gthref(t, "", tc.args...)
		if code != tc.code || out != tc.out {
			t.Errorf("gthref %q: exit %d, want %d\n--- got ---\n%s--- want ---\n%s", tc.args, code, tc.code, out, tc.out)
		}
	}

	// Batch mode: a trace that cannot be read has no digest.
	missing := filepath.Join(t.TempDir(), "missing.trace")
	code, out, _ := gthref(t, valid+"\n"+missing+"\n"+valid+"\n", "validate", "--batch", "--digest")
	_, err := os.ReadFile(missing)
	want := "== " + valid + "\n" + digestLine(validEvents) + "ACCEPT\n== end\n" +
		"== " + missing + "\nERROR \"" + err.Error() + "\"\n== end\n" +
		"== " + valid + "\n" + digestLine(validEvents) + "ACCEPT\n== end\n"
	if code != exitUsage || out != want {
		t.Errorf("batch: exit %d\n--- got ---\n%s--- want ---\n%s", code, out, want)
	}
}

func TestValidateStdin(t *testing.T) {
	_, bin, _ := gthref(t, validText, "raw", "text2bytes")
	code, out, _ := gthref(t, bin, "validate", "-")
	if code != 0 || out != "ACCEPT\n" {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func TestBatch(t *testing.T) {
	valid, headerOnly := fixtures(t)
	missing := filepath.Join(t.TempDir(), "missing.trace")
	stdin := valid + "\n\n" + missing + "\r\n" + headerOnly // no final newline
	code, out, _ := gthref(t, stdin, "validate", "--batch", "--events")
	_, err := os.ReadFile(missing)
	want := "== " + valid + "\n" + validEvents + "ACCEPT\n== end\n" +
		"== " + missing + "\nERROR \"" + err.Error() + "\"\n== end\n" +
		"== " + headerOnly + "\n1 Sync M=-1 P=-1 G=-1 N=1\nREJECT \"sync 1 has no clock snapshot\"\n== end\n"
	if code != exitUsage || out != want {
		t.Errorf("exit %d\n--- got ---\n%s--- want ---\n%s", code, out, want)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := gthref(t, "", "version")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "golang.org/x/exp ") || !strings.HasPrefix(lines[1], "go") {
		t.Errorf("exit %d, output %q", code, out)
	}
}

// TestValidateBoth: --profile=both answers each trace with the frame of
// --profile=parser, then that of --profile=validate, byte for byte — with
// --events, --digest or both, on an accepted trace, one the validator alone
// rejects, a missing file, truncations (rejected by the reader) and the
// project's corpus of reader-rejected traces.
func TestValidateBoth(t *testing.T) {
	valid, headerOnly := fixtures(t)
	dir := t.TempDir()
	paths := []string{valid, headerOnly, filepath.Join(dir, "missing.trace")}
	data, err := os.ReadFile(valid)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10, 40, len(data) - 1} {
		p := filepath.Join(dir, fmt.Sprintf("cut-%d.trace", n))
		if err := os.WriteFile(p, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	corpus, _ := filepath.Glob("../../../../corpus/invalid-bin/*.trace")
	paths = append(paths, corpus[:min(len(corpus), 40)]...)
	for _, mode := range [][]string{{"--events"}, {"--digest"}, {"--events", "--digest"}} {
		args := append([]string{"validate", "--batch"}, mode...)
		var want strings.Builder
		wantCode := 0
		for _, p := range paths {
			for _, prof := range []string{"parser", "validate"} {
				code, out, _ := gthref(t, p+"\n", append(args, "--profile="+prof)...)
				want.WriteString(out)
				wantCode = max(wantCode, code)
			}
		}
		code, out, _ := gthref(t, strings.Join(paths, "\n"), append(args, "--profile=both")...)
		if code != wantCode || out != want.String() {
			t.Errorf("%v: exit %d (want %d)\n--- got ---\n%s--- want ---\n%s", mode, code, wantCode, out, want.String())
		}
	}
	if code, _, _ := gthref(t, "", "validate", "--profile=both", "--quiet", valid); code != exitUsage {
		t.Errorf("--profile=both --quiet: exit %d, want %d", code, exitUsage)
	}
}
