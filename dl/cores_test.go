package dl_test

import (
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

// TestFitSameOnOneAndTwoCores trains the MNIST MLP on byte images (a scaled view, as the
// notebooks load them) with validation, then evaluates and predicts, with GOMAXPROCS 1
// and 2: two cores split products and convert batches ahead, and neither may change a bit
// of the result.
func TestFitSameOnOneAndTwoCores(t *testing.T) {
	const n = 640
	px := make([]uint8, n*28*28)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 10
		for j := 0; j < 28*28; j++ {
			if (j/28+j%28+i)%(3+i%10) == 0 {
				px[i*28*28+j] = uint8(37*i + j)
			}
		}
	}
	x, y := dl.FromUint8(px, n, 28, 28).DivScalar(255), dl.FromInts(labels)
	defer dl.WelcomeHelpers()()
	train := func(procs int) ([]float64, [][]float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		dl.SetSeed(11)
		m := mlp()
		m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		h := m.Fit(x, y, dl.Epochs(3), dl.Verbose(0), dl.ValidationData(x.Slice(0, 200), y.Slice(0, 200)))
		var ws [][]float32
		for _, w := range m.Weights() {
			ws = append(ws, w.Float32s())
		}
		ws = append(ws, m.Predict(x).Float32s())
		losses := append(h.History["loss"], h.History["val_loss"]...)
		return append(losses, m.Evaluate(x, y, dl.Verbose(0))...), ws
	}
	l1, w1 := train(1)
	l2, w2 := train(2)
	if len(l1) != 8 || len(l2) != 8 {
		t.Fatalf("%d and %d losses and metrics, want 3 + 3 + 2", len(l1), len(l2))
	}
	for i := range l1 {
		if math.Float64bits(l1[i]) != math.Float64bits(l2[i]) {
			t.Fatalf("loss or metric %d (3 epochs, 3 validations, Evaluate): %v on one core, %v on two", i, l1[i], l2[i])
		}
	}
	for i := range w1 {
		for j := range w1[i] {
			if math.Float32bits(w1[i][j]) != math.Float32bits(w2[i][j]) {
				t.Fatalf("weight (or, last, prediction) %d[%d]: %v on one core, %v on two", i, j, w1[i][j], w2[i][j])
			}
		}
	}
}

// TestFailedFitStopsItsHelper makes a step fail (a label out of range) on two cores: the
// goroutine converting batches ahead must not outlive the Fit.
func TestFailedFitStopsItsHelper(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer dl.WelcomeHelpers()()
	x := dl.RandomUniform(0, 1, 256, 784)
	labels := make([]int, 256)
	labels[200] = 99 // no such class
	y := dl.FromInts(labels)
	m := mlp()
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	for i := 0; i < 5; i++ {
		if err := dl.Maybe(func() { m.Fit(x, y, dl.Verbose(0)) }); err == nil {
			t.Fatal("a label out of range did not fail Fit")
		}
	}
	time.Sleep(50 * time.Millisecond)
	buf := make([]byte, 1<<20)
	if n := runtime.Stack(buf, true); strings.Contains(string(buf[:n]), "batchPrefetcher") {
		t.Errorf("a prefetching helper outlived its failed Fit:\n%s", buf[:n])
	}
}

// TestTwoCoreStepsDoNotAllocate is TestTrainingStepsDoNotAllocate with batches converted
// ahead on a second core (testing.AllocsPerRun would run on one): Fit over 100 batches
// must make no more allocations than over 10.
func TestTwoCoreStepsDoNotAllocate(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer dl.WelcomeHelpers()()
	defer accel.Use(accel.Use(denseViaSgemm{accel.Default()}))
	x := dl.FromUint8(make([]uint8, 3200*28*28), 3200, 28, 28).DivScalar(255)
	y := dl.FromInts(make([]int, 3200))
	m := mlp()
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	mallocs := func(n int) uint64 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		m.Fit(x.Slice(0, n), y.Slice(0, n), dl.Verbose(0))
		runtime.ReadMemStats(&b)
		return b.Mallocs - a.Mallocs
	}
	mallocs(64)
	small, large := mallocs(320), mallocs(3200)
	for i := 0; i < 2 && large > small; i++ { // another goroutine of the test binary may allocate
		small, large = mallocs(320), mallocs(3200)
	}
	if large > small {
		t.Errorf("Fit over 100 batches made %d allocations, over 10 batches %d: steps allocate", large, small)
	}
}
