// Package rawconv converts traces between Go's binary wire format and Go's text
// format (the trace section of .test files) with Go's own codec,
// golang.org/x/exp/trace/internal/raw — the behaviour of Go's gotraceraw tool.
//
// Both directions write each event as soon as it is read, so on an error the
// output holds everything converted before it.
package rawconv

import (
	"io"

	"golang.org/x/exp/trace/internal/raw"
)

// TextToBytes reads a text trace from r and writes its binary form to w.
func TextToBytes(r io.Reader, w io.Writer) error {
	tr, err := raw.NewTextReader(r)
	if err != nil {
		return err
	}
	bw, err := raw.NewWriter(w, tr.Version())
	if err != nil {
		return err
	}
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := bw.WriteEvent(ev); err != nil {
			return err
		}
	}
}

// BytesToText reads a binary trace from r and writes its text form to w, in
// the text dialect of the binary header's version.
func BytesToText(r io.Reader, w io.Writer) error {
	br, err := raw.NewReader(r)
	if err != nil {
		return err
	}
	tw, err := raw.NewTextWriter(w, br.Version())
	if err != nil {
		return err
	}
	for {
		ev, err := br.ReadEvent()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tw.WriteEvent(ev); err != nil {
			return err
		}
	}
}
