// gthref validate --capabilities: what this build of the adapter reads, for
// the harness (adapters/README.md, "Capabilities"). The versions are found by
// asking the reader this build links: a header alone of each version, and
// whether the reader refuses it as an unknown or unsupported version. The same
// file serves every release adapter (adapters/RELEASES.md).

package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/exp/trace"
)

// readsVersion reports whether the reader accepts traces of Go 1.minor as a
// version it knows.
func readsVersion(minor int) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = true // it got past the version check
		}
	}()
	hdr := fmt.Sprintf("go 1.%d trace\x00\x00\x00", minor)
	_, err := trace.NewReader(bytes.NewReader([]byte(hdr)))
	return err == nil || !strings.Contains(err.Error(), "unsupported trace version")
}

// cmdCapabilities prints
//
//	versions 1.N ...   the trace versions the reader reads
//	api 1.N            the API generation of its stream: the newest of them
//	digest             --digest prints stream digests
//	both               --profile=both answers each trace in both profiles
func cmdCapabilities(stdout io.Writer) int {
	var vs []string
	newest := 0
	for minor := 5; minor <= 40; minor++ {
		if readsVersion(minor) {
			vs = append(vs, fmt.Sprintf("1.%d", minor))
			newest = minor
		}
	}
	fmt.Fprintf(stdout, "versions %s\napi 1.%d\ndigest\nboth\n", strings.Join(vs, " "), newest)
	return exitOK
}
