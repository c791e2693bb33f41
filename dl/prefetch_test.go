package dl

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// prefetchRunner returns a runner for rows of 28×28 and byte data of n samples whose bytes
// are their sample index plus their position.
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
		p.take()
		ref.gather(x, y, b)
		if got, want := r.xb.Float32s(), ref.xb.Float32s(); !equalBits(got, want) || !equalShape(r.xb.Shape(), ref.xb.Shape()) {
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
	p.take()
	if r.yb.Int32s()[2] != 3 {
		t.Fatalf("after a failed batch, labels %v, want [1 2 3]", r.yb.Int32s())
	}
	p.stop()
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

func equalBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
