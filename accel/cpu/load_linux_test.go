package cpu

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestNicedWeight(t *testing.T) {
	// The nice value, field 19 of /proc/self/stat (after the command in parentheses).
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	nice, err := strconv.Atoi(f[16])
	if err != nil {
		t.Fatalf("/proc/self/stat: nice %q: %v", f[16], err)
	}
	want := 0.25
	if nice > 0 {
		want = 1
	}
	if got := nicedWeight(); got != want {
		t.Errorf("at nice %d: niced time weighs %v, want %v", nice, got, want)
	}
}
