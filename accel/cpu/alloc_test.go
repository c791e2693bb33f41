package cpu

import (
	"testing"

	"godl.dev/godl/accel"
	"godl.dev/godl/accel/acceltest"
)

// TestNoAllocs checks that every kernel, once warmed up, allocates nothing per call, on
// one goroutine and split across two.
func TestNoAllocs(t *testing.T) {
	conv1 := acceltest.ConvParams(32, 28, 28, 1, 5, 5, 6, 1, 1, true)
	conv2 := acceltest.ConvParams(32, 14, 14, 6, 5, 5, 16, 1, 1, false)
	conv3 := acceltest.ConvParams(4, 9, 9, 3, 3, 3, 8, 2, 2, true)
	pool := acceltest.PoolParams(32, 28, 28, 6, 2, 2, 2, 2, false)
	big := make([]float32, 1<<20)
	big2 := make([]float32, 1<<20)
	big3 := make([]float32, 1<<20)
	arg := make([]int32, 1<<18)
	labels := make([]int32, 32)
	New().MaxPool2D(pool, big, big2, arg) // valid argmax for the backward pass
	for _, threads := range []int{1, 2} {
		b := New()
		b.SetMaxThreads(threads)
		calls := map[string]func(){
			"Sgemm":     func() { b.Sgemm(true, false, 784, 128, 32, 1, big, 784, big2, 128, 0, big3, 128) },
			"SgemmNT":   func() { b.Sgemm(false, true, 32, 400, 120, 1, big, 120, big2, 120, 0, big3, 400) },
			"Dense":     func() { b.Dense(32, 128, 784, big, big2, big[:128], accel.ReLU, big3) },
			"Conv1":     func() { b.Conv2D(conv1, big, big2, big[:6], accel.ReLU, big3) },
			"Conv1dW":   func() { b.Conv2DBackwardFilter(conv1, big, big2, big3, big3[:6]) },
			"Conv2":     func() { b.Conv2D(conv2, big, big2, big[:16], accel.ReLU, big3) },
			"Conv2dX":   func() { b.Conv2DBackwardData(conv2, big, big2, big3) },
			"Conv2dW":   func() { b.Conv2DBackwardFilter(conv2, big, big2, big3, big3[:16]) },
			"Conv3":     func() { b.Conv2D(conv3, big, big2, nil, accel.Tanh, big3) },
			"Conv3dX":   func() { b.Conv2DBackwardData(conv3, big, big2, big3) },
			"Conv3dW":   func() { b.Conv2DBackwardFilter(conv3, big, big2, big3, nil) },
			"MaxPool":   func() { b.MaxPool2D(pool, big, big2, arg) },
			"MaxPoolBw": func() { b.MaxPool2DBackward(pool, big, arg, big2) },
			"AvgPool":   func() { b.AvgPool2D(pool, big, big2) },
			"AvgPoolBw": func() { b.AvgPool2DBackward(pool, big, big2) },
			"Softmax":   func() { b.SoftmaxCrossEntropy(32, 10, big, labels, big2, big3) },
			"ActBw":     func() { b.ActivationBackward(accel.ReLU, big[:5000], big2[:5000], big3[:5000]) },
		}
		for name, f := range calls {
			f() // warm the scratch pool
			if n := testing.AllocsPerRun(20, f); n != 0 {
				t.Errorf("%s with %d threads: %v allocations per call, want 0", name, threads, n)
			}
		}
	}
}
