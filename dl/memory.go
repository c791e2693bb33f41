package dl

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// Refusing tensors larger than the machine's memory.
//
// Allocating a slice larger than the memory the system will give is, in Go, a fatal error
// ("runtime: out of memory") that no recover catches: in a notebook, a typo in a shape
// (dl.Zeros(60000, 60000, 3)) would end the kernel and every variable of the session. The
// constructors that make a tensor of a new shape check its size first against the memory
// the system reports available, and panic with a dl error that names the shape instead.

// bigAlloc is the size below which allocations are not checked: reading the system's memory
// costs more than a small allocation, and small ones cannot exhaust it.
const bigAlloc = 256 << 20

// allocFloats returns a new zeroed slice for a float32 tensor of shape, made by op. It
// panics with a dl error when the shape's size overflows or is more than the memory
// available.
func allocFloats(op string, shape []int) []float32 {
	n := numel(op, shape)
	if n > bigAlloc/4 {
		checkMemory(op, shape, 4*float64(n))
	}
	return make([]float32, n)
}

// checkMemory panics unless need bytes, for a float32 tensor of shape, fit in the memory
// available.
func checkMemory(op string, shape []int, need float64) {
	if avail, ok := availableMemory(); ok && need > float64(avail) {
		panicf(op, [][]int{shape}, "a float32 tensor of this shape takes %s, more than the %s of memory available; use a smaller shape (or smaller batches)",
			gigabytes(need), gigabytes(float64(avail)))
	}
}

func gigabytes(b float64) string { return strconv.FormatFloat(b/(1<<30), 'f', 1, 64) + " GiB" }

// The available memory is read from /proc/meminfo at most once a second.
var memInfo struct {
	sync.Mutex
	at    time.Time
	avail int64
	ok    bool
}

// availableMemory returns the system's MemAvailable in bytes, and false where it cannot be
// read (then nothing is refused).
func availableMemory() (int64, bool) {
	memInfo.Lock()
	defer memInfo.Unlock()
	if time.Since(memInfo.at) < time.Second {
		return memInfo.avail, memInfo.ok
	}
	memInfo.at = time.Now()
	memInfo.avail, memInfo.ok = readMemAvailable("/proc/meminfo")
	return memInfo.avail, memInfo.ok
}

// readMemAvailable parses the MemAvailable line ("MemAvailable:   123456 kB") of a meminfo
// file.
func readMemAvailable(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		f := bytes.Fields(line)
		if len(f) >= 2 && string(f[0]) == "MemAvailable:" {
			kb, err := strconv.ParseInt(string(f[1]), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
