package dl

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// prefetchRunner returns a runner for rows of 28×28 and byte data of n samples whose bytes
// are their sample index plus their position.
//
// Tests that use it set helperWelcome to always welcome the helper, as an idle machine
// does after the first load sample.
func prefetchRunner(n int) (*runner, *Tensor, *Tensor) {
	const row = 28 * 28
	data := make([]uint8, n*row)
	for i := range data {
		data[i] = uint8(i/row + i%row)
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 10
	}
	r := &runner{row: row, sparseLoss: true,
		xb: &Tensor{dtype: Float32, shape: []int{0, 28, 28}}, yLab: &Tensor{dtype: Int32, shape: []int{0}},
		yDense: &Tensor{dtype: Float32, shape: []int{0}}}
	return r, FromUint8(data, n, 28, 28).DivScalar(255), FromInts(labels)
}

func TestPrefetchedBatchesEqualGathered(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer WelcomeHelpers()()
	r, x, y := prefetchRunner(100)
	ref, _, _ := prefetchRunner(100)
	p := newBatchPrefetcher(r, 32)
	if p == nil {
		t.Fatal("no prefetcher on two cores for batches of 32 images")
	}
	defer p.stop()
	order := []int{5, 99, 0, 17, 42, 8, 63, 1, 2, 3, 77, 12, 50, 31, 30, 29, 90, 91, 92, 93, 94, 95, 60, 61, 62, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 4, 6, 7}
	for _, b := range [][]int{order[:32], order[32:], order[5:6]} {
		p.post(x, y, b)
		if b[0] == 5 { // give the helper time to take part
			time.Sleep(time.Millisecond)
		}
		if !p.take() {
			r.gather(x, y, b) // the helper was slow (a loaded machine): the caller's way
		}
		ref.gather(x, y, b)
		if got, want := r.xb.Float32s(), ref.xb.Float32s(); !slices.Equal(got, want) || !slices.Equal(r.xb.Shape(), ref.xb.Shape()) {
			t.Fatalf("batch %v: prefetched inputs differ from gathered ones", b)
		}
		if got, want := r.yb.Int32s(), ref.yb.Int32s(); len(got) != len(want) || len(got) != len(b) {
			t.Fatalf("batch %v: %d prefetched labels, %d gathered", b, len(got), len(want))
		} else {
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("batch %v: label %d is %d, want %d", b, i, got[i], want[i])
				}
			}
		}
	}
}

func TestPrefetchPanicReachesTheCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer WelcomeHelpers()()
	r, x, y := prefetchRunner(40)
	p := newBatchPrefetcher(r, 32)
	if p == nil {
		t.Fatal("no prefetcher on two cores")
	}
	bad := make([]int, 32)
	bad[20] = 1000 // no such sample
	p.post(x, y, bad)
	time.Sleep(time.Millisecond) // let the helper meet it, if it runs
	func() {
		defer func() {
			e := recover()
			if e == nil || !strings.Contains(errString(e), "out of range") {
				t.Fatalf("take recovered %v, want the out-of-range error", e)
			}
		}()
		p.take()
		t.Fatal("take returned for a batch that cannot be converted")
	}()
	// The prefetcher still works after the failed batch.
	p.post(x, y, []int{1, 2, 3})
	if !p.take() {
		t.Fatal("a batch of one chunk, converted by the caller, was not taken")
	}
	if r.yb.Int32s()[2] != 3 {
		t.Fatalf("after a failed batch, labels %v, want [1 2 3]", r.yb.Int32s())
	}
	p.stop()
}

// TestPrefetchGivesUpOnAStalledHelper plays a helper whose thread the OS took away in the
// middle of a chunk: the caller must not wait for it, and must not reuse the buffers it
// writes until it lets go.
func TestPrefetchGivesUpOnAStalledHelper(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer WelcomeHelpers()()
	r, x, y := prefetchRunner(64)
	p := &batchPrefetcher{r: r, wake: make(chan struct{}, 1)} // no helper goroutine
	defer p.stop()
	p.post(x, y, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	w := p.job.Load()
	if !p.job.CompareAndSwap(w, w+1) { // the "helper" claims chunk 0 and stalls
		t.Fatal("could not claim the first chunk")
	}
	start := time.Now()
	if p.take() {
		t.Fatal("take used a batch whose first chunk was never converted")
	}
	if d := time.Since(start); d > 20*helperWait {
		t.Errorf("take waited %v for the stalled helper, want about %v", d, helperWait)
	}
	p.post(x, y, []int{20, 21})
	if p.pending {
		t.Fatal("a job was posted into buffers the stalled helper still writes")
	}
	p.done.Add(1) // the helper finishes its chunk
	p.post(x, y, []int{20, 21})
	if !p.pending || !p.take() {
		t.Fatal("prefetching did not resume once the helper let go")
	}
	if got := r.yb.Int32s(); len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Fatalf("labels %v, want [0 1]", got)
	}
}

func errString(e any) string {
	if err, ok := e.(error); ok {
		return err.Error()
	}
	if s, ok := e.(string); ok {
		return s
	}
	return ""
}

func TestNoPrefetcherOnOneCore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	r, _, _ := prefetchRunner(1)
	if p := newBatchPrefetcher(r, 32); p != nil {
		p.stop()
		t.Fatal("a prefetcher on one core")
	}
}
