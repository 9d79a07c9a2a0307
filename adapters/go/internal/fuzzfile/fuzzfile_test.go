package fuzzfile

import (
	"bytes"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
	}{
		{"go test fuzz v1\n[]byte(\"go 1.22 trace\\x00\\x01ߕ\")\n", []byte("go 1.22 trace\x00\x01ߕ")},
		{"go test fuzz v1\n[]byte(`raw`)", []byte("raw")},
		{"go test fuzz v1\r\n\r\n[]byte(\"\")\r\n", []byte{}},
	} {
		got, err := Decode([]byte(tc.in))
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("Decode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{
		"",
		"go test fuzz v2\n[]byte(\"\")",
		"go test fuzz v1\n",
		"go test fuzz v1\n[]byte(\"a\")\n[]byte(\"b\")",
		"go test fuzz v1\nstring(\"a\")",
		"go test fuzz v1\n[]byte(\"a)",
	} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) succeeded", bad)
		}
	}
}
