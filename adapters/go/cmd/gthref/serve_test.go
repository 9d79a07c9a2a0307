package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// serveRequests frames traces as `gthref serve` reads them.
func serveRequests(traces ...string) string {
	var b []byte
	for _, t := range traces {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t)))
		b = append(b, t...)
	}
	return string(b)
}

// decodeServe turns serve's answers back into the lines `gthref validate
// --digest` prints (DIGEST, then ACCEPT or REJECT), one string per record.
func decodeServe(t *testing.T, out string) []string {
	t.Helper()
	var recs []string
	b := []byte(out)
	for len(b) > 0 {
		if len(b) < 1+8+64+4 {
			t.Fatalf("torn record: %q", b)
		}
		verdict, events := b[0], binary.LittleEndian.Uint64(b[1:9])
		digest := string(b[9:73])
		n := binary.LittleEndian.Uint32(b[73:77])
		b = b[77:]
		if uint32(len(b)) < n {
			t.Fatalf("torn text: %d bytes, want %d", len(b), n)
		}
		msg := string(b[:n])
		b = b[n:]
		rec := fmt.Sprintf("DIGEST %s %d\n", digest, events)
		switch {
		case verdict == 0 && n == 0:
			rec += "ACCEPT\n"
		case verdict == 1:
			rec += "REJECT " + strconv.Quote(msg) + "\n"
		default:
			t.Fatalf("bad record: verdict %d, text %q", verdict, msg)
		}
		recs = append(recs, rec)
	}
	return recs
}

func TestServe(t *testing.T) {
	valid, headerOnly := fixtures(t)
	var traces []string
	var want []string
	for _, path := range []string{valid, headerOnly} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		traces = append(traces, string(data))
	}
	traces = append(traces, "not a trace", "")
	// The same answers as validate --digest, parser then validate per trace.
	for _, tr := range traces {
		for _, prof := range []string{"parser", "validate"} {
			_, out, _ := gthref(t, tr, "validate", "--digest", "--profile="+prof, "-")
			want = append(want, out)
		}
	}
	code, out, stderr := gthref(t, serveRequests(traces...), "serve")
	if code != 0 {
		t.Fatalf("serve: exit %d: %s", code, stderr)
	}
	got := decodeServe(t, out)
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("--- got ---\n%s--- want ---\n%s", strings.Join(got, ""), strings.Join(want, ""))
	}
	// Spot checks independent of validate: the header-only trace is accepted
	// by the reader and rejected by the validator.
	if len(got) != 8 || got[2] != digestLine("1 Sync M=-1 P=-1 G=-1 N=1\n")+"ACCEPT\n" ||
		!strings.HasSuffix(got[3], "REJECT \"sync 1 has no clock snapshot\"\n") {
		t.Errorf("header-only trace: %q", got)
	}

	// A torn request and arguments are usage errors.
	if code, _, _ := gthref(t, serveRequests("abc")[:5], "serve"); code != exitUsage {
		t.Errorf("torn request: exit %d", code)
	}
	if code, _, _ := gthref(t, "", "serve", "x"); code != exitUsage {
		t.Errorf("argument: exit %d", code)
	}
}
