//go:build !linux

package cpu

// machineCPU is not available on this system: spinning is then governed by stalls alone
// (see noteStall).
func machineCPU() (busy, total, self float64, ok bool) { return 0, 0, 0, false }
