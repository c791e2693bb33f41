package cpu

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used. On a shared machine wall
// time measures the neighbours as much as the kernel; single-goroutine benchmarks lock
// their thread and also report GFLOP/s per CPU second.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuLoop runs f b.N times and, when the backend uses one goroutine, reports flop per
// thread-CPU second as "cpu-GFLOP/s" (wall-clock "GFLOP/s" is reported for every run).
func cpuLoop(b *testing.B, threads int, flops float64, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f()
	c0 := threadCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f()
	}
	b.StopTimer()
	c := threadCPU() - c0
	if flops > 0 {
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	if threads == 1 && c > 0 {
		b.ReportMetric(float64(c.Nanoseconds())/float64(b.N), "cpu-ns/op")
		if flops > 0 {
			b.ReportMetric(flops*float64(b.N)/c.Seconds()/1e9, "cpu-GFLOP/s")
		}
	}
}
