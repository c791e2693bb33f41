package data

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"godl.dev/godl/dl"
)

// numbered returns a data set of n elements: x[i] is a [2] uint8 tensor {i, i+100}, y[i]
// is i as int32.
func numbered(n int) *Dataset {
	xs := make([]uint8, 2*n)
	ys := make([]int32, n)
	for i := range n {
		xs[2*i], xs[2*i+1], ys[i] = uint8(i), uint8(i+100), int32(i)
	}
	return FromTensorSlices(dl.FromUint8(xs, n, 2), dl.FromInt32(ys, n))
}

// labels collects the y values of one pass, batched or not, and checks each x against it.
func labels(t *testing.T, d *Dataset) []int {
	t.Helper()
	var out []int
	d.ForEach(func(x, y *dl.Tensor) bool {
		ys := y.Ints()
		xs := x.Ints()
		for i, v := range ys {
			if xs[2*i] != v%256 || xs[2*i+1] != (v+100)%256 {
				t.Fatalf("x %v does not belong to y %v", xs, ys)
			}
		}
		out = append(out, ys...)
		return true
	})
	return out
}

func seq(lo, hi int) []int {
	var s []int
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

func TestStagesOrder(t *testing.T) {
	tests := []struct {
		desc string
		d    *Dataset
		want []int
		card int
	}{
		{"slices", numbered(5), seq(0, 5), 5},
		{"take", numbered(5).Take(3), seq(0, 3), 3},
		{"take more than there is", numbered(2).Take(3), seq(0, 2), 2},
		{"skip", numbered(5).Skip(3), seq(3, 5), 2},
		{"skip all", numbered(5).Skip(9), nil, 0},
		{"repeat", numbered(3).Repeat(2), []int{0, 1, 2, 0, 1, 2}, 6},
		{"repeat forever, take", numbered(2).Repeat(-1).Take(5), []int{0, 1, 0, 1, 0}, 5},
		{"repeat empty forever", numbered(3).Skip(3).Repeat(-1), nil, 0},
		{"batch", numbered(5).Batch(2, false), seq(0, 5), 3},
		{"batch, drop remainder", numbered(5).Batch(2, true), seq(0, 4), 2},
		{"map", numbered(4).Map(addOne, 1), seq(1, 5), 4},
		{"map parallel", numbered(50).Map(addOne, 4), seq(1, 51), 50},
		{"map after batch", numbered(5).Batch(2, false).Map(addOne, 3), seq(1, 6), 3},
		{"prefetch", numbered(7).Batch(3, false).Prefetch(2), seq(0, 7), 3},
	}
	for _, tc := range tests {
		if got := labels(t, tc.d); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.desc, got, tc.want)
		}
		if tc.d.Cardinality() != tc.card {
			t.Errorf("%s: cardinality %d, want %d", tc.desc, tc.d.Cardinality(), tc.card)
		}
	}
}

// addOne adds 1 to every x and y, and sleeps a little longer for early elements so that
// parallel workers finish out of order.
func addOne(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
	v := y.Ints()
	time.Sleep(time.Duration(50-min(v[0], 50)) * 20 * time.Microsecond)
	xs := x.Ints()
	for i := range xs {
		xs[i]++
	}
	for i := range v {
		v[i]++
	}
	return dl.FromInts(xs, x.Shape()...), dl.FromInts(v, y.Shape()...)
}

func TestBatchShapesAndDtypes(t *testing.T) {
	x := dl.FromUint8([]uint8{0, 51, 102, 153, 204, 255}, 3, 2)
	y := dl.FromUint8([]uint8{7, 8, 9}, 3)
	bx, by := FromTensorSlices(x, y).Batch(2, false).First()
	if !bx.HasShape(2, 2) || bx.DType() != dl.Uint8 || !by.HasShape(2) || by.DType() != dl.Uint8 {
		t.Errorf("uint8 batch: %v %v and %v %v", bx.Shape(), bx.DType(), by.Shape(), by.DType())
	}
	// A scaled view becomes a float32 batch of the scaled values.
	bx, _ = FromTensorSlices(x.DivScalar(255), nil).Skip(1).Batch(2, false).First()
	if got := bx.Float32s(); bx.DType() != dl.Float32 || !bx.HasShape(2, 2) || !slices.Equal(got, []float32{0.4, 0.6, 0.8, 1}) {
		t.Errorf("scaled batch: %v %v %v", bx.DType(), bx.Shape(), got)
	}
	// Batches own their storage: changing one leaves the source alone.
	bx, _ = FromTensorSlices(x, y).Batch(3, false).First()
	bx.Uint8s()[0] = 9
	if x.Uint8s()[0] != 0 {
		t.Error("a batch shares storage with the source")
	}
}

func TestShuffleDeterministic(t *testing.T) {
	d := numbered(100).Shuffle(100, 42)
	first, second := labels(t, d), labels(t, d)
	if slices.Equal(first, seq(0, 100)) || slices.Equal(first, second) {
		t.Errorf("passes are not shuffled anew:\n%v\n%v", first, second)
	}
	for _, p := range [][]int{first, second} {
		s := slices.Clone(p)
		slices.Sort(s)
		if !slices.Equal(s, seq(0, 100)) {
			t.Errorf("not a permutation: %v", p)
		}
	}
	again := numbered(100).Shuffle(100, 42)
	if a, b := labels(t, again), labels(t, again); !slices.Equal(a, first) || !slices.Equal(b, second) {
		t.Error("the same seed gives different orders")
	}
	if other := labels(t, numbered(100).Shuffle(100, 43)); slices.Equal(other, first) {
		t.Error("seeds 42 and 43 give the same order")
	}
	// A buffer of 1 keeps the order; a small buffer moves an element at most buffer-1
	// places earlier.
	if got := labels(t, numbered(20).Shuffle(1, 7)); !slices.Equal(got, seq(0, 20)) {
		t.Errorf("buffer 1: %v", got)
	}
	for pos, v := range labels(t, numbered(100).Shuffle(4, 7)) {
		if v > pos+3 {
			t.Errorf("buffer 4: element %d came out at %d", v, pos)
		}
	}
	// Shuffle then Repeat: each repetition is a new order; the whole is reproducible.
	r1 := labels(t, numbered(10).Shuffle(10, 1).Repeat(3))
	r2 := labels(t, numbered(10).Shuffle(10, 1).Repeat(3))
	if !slices.Equal(r1, r2) || slices.Equal(r1[:10], r1[10:20]) {
		t.Errorf("shuffle + repeat: %v / %v", r1, r2)
	}
}

func TestMapPanicReachesNext(t *testing.T) {
	for _, workers := range []int{1, 3} {
		before := runtime.NumGoroutine()
		d := numbered(10).Map(func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
			if y.Ints()[0] == 4 {
				panic("bad element")
			}
			return x, y
		}, workers).Prefetch(2)
		var got error
		func() {
			defer func() { got, _ = recover().(error) }()
			labels(t, d)
		}()
		if got == nil || !strings.Contains(got.Error(), "element 4") || !strings.Contains(got.Error(), "bad element") {
			t.Errorf("%d workers: panic %v, want one naming element 4", workers, got)
		}
		waitGoroutines(t, before)
	}
	// A dl error keeps its type through the panic.
	d := numbered(3).Map(func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
		return x.Reshape(5), y
	}, 2)
	err := dl.Maybe(func() { d.First() })
	var de *dl.Error
	if !errors.As(err, &de) {
		t.Errorf("a dl panic in Map gives %T %v, want a *dl.Error inside", err, err)
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	it := numbered(1000).Repeat(-1).Map(addOne, 4).Batch(8, false).Prefetch(3).Iter()
	for range 5 {
		if _, _, ok := it.Next(); !ok {
			t.Fatal("ended early")
		}
	}
	it.Close()
	if _, _, ok := it.Next(); ok {
		t.Error("Next after Close gave an element")
	}
	waitGoroutines(t, before)
}

func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	for range 200 {
		if runtime.NumGoroutine() <= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("%d goroutines still running, want %d", runtime.NumGoroutine(), n)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		desc string
		f    func()
		want string
	}{
		{"mismatched slices", func() { FromTensorSlices(dl.Zeros(3, 2), dl.Zeros(4)) }, "same first dimension"},
		{"batch of different shapes", func() {
			numbered(4).Map(func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
				return dl.Zeros(y.Ints()[0] + 1), y
			}, 1).Batch(2, false).First()
		}, "elements' x differ"},
		{"empty first", func() { numbered(2).Skip(2).First() }, "empty"},
		{"zero batch", func() { numbered(2).Batch(0, false) }, "positive"},
	}
	for _, tc := range tests {
		err := catch(tc.f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.desc, err, tc.want)
		}
	}
}

// catch returns the panic of f as an error, or nil.
func catch(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	f()
	return nil
}

func TestString(t *testing.T) {
	got := numbered(5).Shuffle(5, 1).Batch(2, false).String()
	want := "Dataset: FromTensorSlices(x [5 2] uint8, y [5] int32) → Shuffle(5, seed 1) → Batch(2) (3 elements)"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestMapSeeded(t *testing.T) {
	// Each element's x becomes the seed it received (mod 251), so the output shows them.
	seeds := func(x, y *dl.Tensor, seed int64) (*dl.Tensor, *dl.Tensor) {
		time.Sleep(time.Duration(seed&7) * 50 * time.Microsecond)
		return dl.FromInts([]int{int(uint64(seed) % 251)}, 1), y
	}
	run := func(d *Dataset) []int {
		var out []int
		d.ForEach(func(x, y *dl.Tensor) bool { out = append(out, x.Ints()[0]); return true })
		return out
	}
	one := numbered(40).MapSeeded(seeds, 1, 9)
	four := numbered(40).MapSeeded(seeds, 4, 9)
	a, b := run(one), run(four)
	if !slices.Equal(a, b) {
		t.Errorf("1 and 4 workers give different seeds:\n%v\n%v", a, b)
	}
	if second := run(one); slices.Equal(second, a) {
		t.Error("the second pass repeats the first pass's seeds")
	}
	if other := run(numbered(40).MapSeeded(seeds, 2, 10)); slices.Equal(other, a) {
		t.Error("seeds 9 and 10 give the same element seeds")
	}
	if slices.Equal(a[:20], a[20:]) {
		t.Error("elements share seeds")
	}
}

func TestDroppedIteratorStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		it := numbered(100).Repeat(-1).Map(addOne, 3).Prefetch(2).Iter()
		it.Next()
	}()
	for range 100 {
		runtime.GC()
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("%d goroutines still running, want %d", runtime.NumGoroutine(), before)
}
