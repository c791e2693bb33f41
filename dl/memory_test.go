package dl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTooLargeTensorsAreRefusedWithAnError(t *testing.T) {
	avail, ok := availableMemory()
	if !ok {
		t.Skip("no /proc/meminfo here")
	}
	side := 1
	for int64(side)*int64(side)*4 <= 2*avail { // a square float32 tensor twice the memory
		side *= 2
	}
	for name, f := range map[string]func(){
		"Zeros":     func() { Zeros(side, side) },
		"broadcast": func() { Zeros(side, 1).Add(Zeros(1, side)) },
		"overflow":  func() { Zeros(1<<40, 1<<40) },
	} {
		err := Maybe(f)
		if err == nil {
			t.Fatalf("%s: a tensor larger than the memory was made", name)
		}
		if msg := err.Error(); !strings.Contains(msg, "more than") {
			t.Errorf("%s: error %q does not say the tensor is too large", name, msg)
		}
	}
	if x := Zeros(1<<32, 0, 1<<32); x.Size() != 0 {
		t.Errorf("an empty tensor with huge dimensions has %d elements", x.Size())
	}
}

func TestReadMemAvailable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "meminfo")
	os.WriteFile(p, []byte("MemTotal:       24000000 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\n"), 0o644)
	if got, ok := readMemAvailable(p); !ok || got != 20000000<<10 {
		t.Errorf("readMemAvailable = %d, %v; want %d", got, ok, 20000000<<10)
	}
	os.WriteFile(p, []byte("MemTotal: 1 kB\n"), 0o644)
	if _, ok := readMemAvailable(p); ok {
		t.Error("readMemAvailable found MemAvailable in a file without it")
	}
}
