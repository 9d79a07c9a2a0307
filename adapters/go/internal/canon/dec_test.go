package canon

import (
	"math"
	"strconv"
	"testing"
)

// decCases are the values around every length change, the extremes and -1.
func decCases() []int64 {
	cases := []int64{0, -1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for p := int64(1); p <= 1e18; p *= 10 {
		cases = append(cases, p-1, p, p+1, -p, -p-1, 2*p, 99*p)
	}
	return cases
}

func TestAppendDec(t *testing.T) {
	for _, v := range decCases() {
		if got, want := string(appendDecInt([]byte("p"), v)), "p"+strconv.FormatInt(v, 10); got != want {
			t.Errorf("appendDecInt(%d) = %s, want %s", v, got, want)
		}
		u := uint64(v)
		if got, want := string(appendDec([]byte("p"), u)), "p"+strconv.FormatUint(u, 10); got != want {
			t.Errorf("appendDec(%d) = %s, want %s", u, got, want)
		}
	}
}

func FuzzAppendDec(f *testing.F) {
	for _, v := range decCases() {
		f.Add(uint64(v))
	}
	f.Fuzz(func(t *testing.T, u uint64) {
		if got, want := string(appendDec(nil, u)), strconv.FormatUint(u, 10); got != want {
			t.Errorf("appendDec(%d) = %s, want %s", u, got, want)
		}
		if got, want := string(appendDecInt(nil, int64(u))), strconv.FormatInt(int64(u), 10); got != want {
			t.Errorf("appendDecInt(%d) = %s, want %s", int64(u), got, want)
		}
	})
}
