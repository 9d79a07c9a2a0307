package canon

import (
	"strconv"
	"testing"
)

var quoteCases = []string{
	"", "main.main", "/src/main.go", `a"b`, `a\b`, "tab\there", "nl\n", "\x00", "\x1f", "\x7f", " ~",
	"héllo", "\xff", "a\xc3", "\u00a0", "\u200b", "\U0001F600", "\ufffd", "\xef\xbf\xbd",
}

func TestAppendQuote(t *testing.T) {
	cases := quoteCases
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), "x"+string([]byte{byte(c)})+"y")
	}
	for _, s := range cases {
		if got, want := string(appendQuote([]byte("p"), s)), "p"+strconv.Quote(s); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendQuote(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendQuote(nil, s)), strconv.Quote(s); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	})
}
