package cpu

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// saveSpinState returns a function that restores the spin policy's global state.
func saveSpinState() func() {
	until, l, last, spare, at := banUntil.Load(), banLen.Load(), lastStall.Load(), spareMilli.Load(), sampleAt.Load()
	return func() {
		sampleAt.Store(at)
		banUntil.Store(until)
		banLen.Store(l)
		lastStall.Store(last)
		spareMilli.Store(spare)
	}
}

func TestStallBackoff(t *testing.T) {
	defer saveSpinState()()
	spareMilli.Store(1 << 40)
	now := clock() + int64(time.Hour) // later than any real stall
	noteStall(now)
	if got := banLen.Load(); got != int64(banMin) {
		t.Fatalf("first stall: back-off %v, want %v", time.Duration(got), banMin)
	}
	if spinAllowed(now+int64(banMin)-1, 1) {
		t.Fatalf("spinning allowed during the back-off")
	}
	if !spinAllowed(now+int64(banMin), 1) {
		t.Fatalf("spinning not allowed after the back-off")
	}
	// Stalls in a row double the back-off up to banMax.
	want := banMin
	for i := 0; i < 10; i++ {
		now += int64(banReset) / 2
		noteStall(now)
		want = min(2*want, banMax)
		if got := banLen.Load(); got != int64(want) {
			t.Fatalf("stall %d in a row: back-off %v, want %v", i+2, time.Duration(got), want)
		}
	}
	// A stall long after the last one starts over.
	now += int64(banReset) + int64(banMax)
	noteStall(now)
	if got := banLen.Load(); got != int64(banMin) {
		t.Fatalf("stall after a quiet spell: back-off %v, want %v", time.Duration(got), banMin)
	}
}

func TestSpinNeedsSpareCores(t *testing.T) {
	defer saveSpinState()()
	now := clock()
	banUntil.Store(0)
	for n := 1; n <= 3; n++ {
		need := int64(n+1) * 1000
		spareMilli.Store(need - spareSlackMilli - 1)
		if spinAllowed(now, n) {
			t.Errorf("%d spinning workers allowed with %d/1000 spare cores", n, spareMilli.Load())
		}
		spareMilli.Store(need)
		if !spinAllowed(now, n) {
			t.Errorf("%d spinning workers not allowed with %d/1000 spare cores", n, spareMilli.Load())
		}
	}
}

// lateJob's chunks on worker 0 wait until another worker has joined (or a timeout), and
// those on other workers take slow plus twice the time the worker took to join after
// start: a worker descheduled mid-chunk, seen from the caller.
type lateJob struct {
	joined atomic.Bool
	join   atomic.Int64 // when a worker joined, since start
	seen   atomic.Int64 // when worker 0 saw it join (or gave up), since start
	start  time.Time
	wait   time.Duration // how long worker 0 waits for a worker to join
	slow   time.Duration
}

func (j *lateJob) run(c, chunks, w int) {
	if w != 0 {
		j.join.Store(int64(time.Since(j.start)))
		j.joined.Store(true)
		busy(j.slow + 2*time.Since(j.start))
		return
	}
	// No runtime.Gosched here: a worker just woken waits in this P's run queue, and
	// yielding would run it here instead of on the other P.
	for t0 := time.Now(); !j.joined.Load() && time.Since(t0) < j.wait; {
	}
	j.seen.Store(int64(time.Since(j.start)))
}

func busy(d time.Duration) {
	for t0 := time.Now(); time.Since(t0) < d; {
	}
}

// TestShortProductsStayWholeAfterStall checks that after a stall a product too short to
// repay a parked worker's wake-up runs as one piece on the caller, and that a long one
// is still split.
func TestShortProductsStayWholeAfterStall(t *testing.T) {
	defer saveSpinState()()
	b := New()
	b.SetMaxThreads(2)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const m, n, k = 32, 128, 450 // the MNIST MLP's forward product, 3.7 MFLOP
	if f := 2 * m * n * k; f < gemmSpinMinFlops || f >= gemmParMinFlops {
		t.Fatalf("%d FLOP is not between the spin and wake bounds", f)
	}
	x, w, y := make([]float32, 256*256), make([]float32, 256*256), make([]float32, 256*256)
	parts := func(m, n, k int) int {
		s := b.getScratch()
		s.call.state.Store(0)
		b.putScratch(s)
		b.Sgemm(false, false, m, n, k, 1, x, k, w, n, 0, y, n)
		s = b.getScratch()
		defer b.putScratch(s)
		return int(s.call.state.Load() >> 32) // the call's sequence number: 1 if split
	}
	spareMilli.Store(1 << 40)
	sampleAt.Store(clock() + int64(time.Hour)) // no load sample during the test
	banUntil.Store(clock() + int64(time.Hour)) // as after stalls in a row
	if p := parts(m, n, k); p != 0 {
		t.Errorf("%d×%d×%d product after a stall: split, want one piece on the caller", m, n, k)
	}
	banUntil.Store(0)
	resetSplitChoices() // nothing measured yet: the split mode is tried first
	if p := parts(m, n, k); p != 1 {
		t.Errorf("%d×%d×%d product with spare cores and no stall: not split", m, n, k)
	}
	banUntil.Store(clock() + int64(time.Hour))
	if p := parts(256, 256, 256); p != 1 {
		t.Errorf("256×256×256 product after a stall: not split, want parked workers woken")
	}
}

// TestCallerSeesStall hands a worker a chunk far longer than the caller's own, as when
// the OS deschedules the worker mid-chunk, and checks that the caller records a stall.
func TestCallerSeesStall(t *testing.T) {
	defer saveSpinState()()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var call callState
	for try := 0; try < 50; try++ {
		before := stallCount.Load()
		j := &lateJob{wait: 50 * time.Millisecond, slow: 10 * time.Millisecond, start: time.Now()}
		parallel(j, 2, 2, &call)
		if !j.joined.Load() || j.seen.Load()-j.join.Load() > int64(time.Millisecond) {
			// No worker ran before the caller took both chunks, or the OS held the
			// caller up too: try again.
			continue
		}
		if stallCount.Load() == before {
			t.Fatalf("the caller waited for a worker's chunk 10 ms longer than its own took, and saw no stall")
		}
		if banUntil.Load() < lastStall.Load()+int64(banMin) {
			t.Fatalf("the stall started no back-off")
		}
		return
	}
	t.Skip("no worker joined a call on time in 50 tries (machine too busy)")
}

func TestMachineCPU(t *testing.T) {
	busy0, total0, self0, ok := machineCPU()
	if !ok {
		if runtime.GOOS == "linux" {
			t.Fatalf("machineCPU: /proc/stat unreadable on Linux")
		}
		t.Skip("no /proc/stat")
	}
	// Use 50 ms of CPU; wall time is longer on a busy machine.
	busy1, total1, self1 := busy0, total0, self0
	for t0 := time.Now(); self1-self0 < 0.05 && time.Since(t0) < 10*time.Second; {
		busy1, total1, self1, _ = machineCPU()
	}
	if busy0 <= 0 || busy0 > total0 || busy1 < busy0 || total1 < total0 {
		t.Fatalf("machineCPU: busy %v → %v, total %v → %v: want 0 < busy ≤ total, both growing", busy0, busy1, total0, total1)
	}
	// The machine was busy at least while this process was (to a tick, 10 ms, at each end).
	if d, self := busy1-busy0, self1-self0; self < 0.05 || d < self-0.021 {
		t.Fatalf("machineCPU: the machine was busy %.3f s while this process used %.3f s", d, self)
	}
	if allocs := testing.AllocsPerRun(10, func() { machineCPU() }); allocs != 0 {
		t.Fatalf("machineCPU allocates %v times per call", allocs)
	}
}

func BenchmarkMachineCPU(b *testing.B) {
	for i := 0; i < b.N; i++ {
		machineCPU()
	}
}
