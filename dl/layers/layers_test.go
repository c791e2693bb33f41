package layers_test

import (
	"math"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
)

type layer interface {
	dl.Layer
	dl.Kernel
}

// TestKernelMatchesCall runs every layer both ways, the compiled Kernel and Call through
// autodiff (whose gradients are checked against finite differences in package dl), and
// requires the same outputs and gradients.
func TestKernelMatchesCall(t *testing.T) {
	tests := []struct {
		desc     string
		l        layer
		input    []int
		zeroCols int // columns of a 2-D input set to zero in every row (Dense's sparse path)
	}{
		{"dense linear", layers.Dense(5), []int{3, 4}, 0},
		{"dense relu", layers.Dense(5, layers.ReLU), []int{3, 4}, 0},
		{"dense sigmoid", layers.Dense(5, layers.Sigmoid), []int{3, 4}, 0},
		{"dense tanh", layers.Dense(5, layers.Tanh), []int{3, 4}, 0},
		{"dense softmax", layers.Dense(5, layers.Softmax), []int{3, 4}, 0},
		{"dense no bias", layers.Dense(2, layers.UseBias(false)), []int{1, 3}, 0},
		{"dense rank 3", layers.Dense(2, layers.ReLU), []int{2, 3, 4}, 0},
		{"dense sparse input", layers.Dense(6, layers.ReLU), []int{5, 100}, 60},
		{"dense almost dense input", layers.Dense(6), []int{5, 100}, 5},
		{"dense all-zero input", layers.Dense(3), []int{2, 70}, 70},
		{"dense sparse input, MNIST-sized", layers.Dense(128, layers.ReLU), []int{32, 784}, 400},
		{"conv same relu", layers.Conv2D(3, 3, layers.Same, layers.ReLU), []int{2, 5, 6, 2}, 0},
		{"conv valid stride", layers.Conv2D(2, 2, layers.Strides(2, 2)), []int{1, 7, 7, 3}, 0},
		{"conv 5x5 same (LeNet conv1)", layers.Conv2D(6, 5, layers.Same, layers.Tanh), []int{2, 8, 8, 1}, 0},
		{"conv softmax", layers.Conv2D(3, 1, layers.Softmax), []int{1, 2, 2, 2}, 0},
		{"maxpool 2", layers.MaxPooling2D(2), []int{2, 4, 6, 3}, 0},
		{"maxpool 3 stride 2 same", layers.MaxPooling2D(3, layers.Strides(2, 2), layers.Same), []int{1, 5, 5, 2}, 0},
		{"flatten", layers.Flatten(), []int{2, 3, 2, 2}, 0},
	}
	for _, tc := range tests {
		dl.SetSeed(7)
		tc.l.Build(append([]int{-1}, tc.input[1:]...))
		for _, w := range tc.l.Weights() { // non-zero biases exercise the bias paths
			d := w.Data()
			for i := range d {
				d[i] += 0.05 * float32(i%3)
			}
		}
		x := dl.RandomUniform(-1, 1, tc.input...)
		if tc.zeroCols > 0 {
			d, k := x.Data(), tc.input[1]
			for r := 0; r < tc.input[0]; r++ {
				for j := 0; j < tc.zeroCols; j++ {
					d[r*k+(j*11)%k] = 0 // spread over the row (11 is prime to every k here)
				}
			}
		}
		// Kernel path.
		y := tc.l.Forward(x, true)
		if want := tc.l.OutputShape(append([]int{-1}, tc.input[1:]...)); !sameTail(y.Shape(), want) {
			t.Errorf("%s: Forward shape %v, OutputShape %v", tc.desc, y.Shape(), want)
		}
		r := dl.RandomUniform(-1, 1, y.Shape()...)
		yk := y.Float32s()
		dxk := tc.l.Backward(r, true).Float32s()
		var gk [][]float32
		for _, w := range tc.l.Weights() {
			gk = append(gk, w.Grad().Float32s())
			w.ZeroGrad()
		}
		// Autodiff path.
		xa := x.Clone().RequireGrad()
		ya := tc.l.Call(xa, true)
		ya.Mul(r).Sum().Backward()
		if !close(yk, ya.Float32s()) {
			t.Errorf("%s: Forward and Call outputs differ:\n%v\n%v", tc.desc, yk, ya.Float32s())
			continue
		}
		if !close(dxk, xa.Grad().Float32s()) {
			t.Errorf("%s: Backward dx differs from autodiff:\n%v\n%v", tc.desc, dxk, xa.Grad().Float32s())
		}
		for i, w := range tc.l.Weights() {
			if !close(gk[i], w.Grad().Float32s()) {
				t.Errorf("%s: gradient of %s differs:\n%v\n%v", tc.desc, w.Name(), gk[i], w.Grad().Float32s())
			}
		}
		if tc.l.Backward(r, false) != nil {
			t.Errorf("%s: Backward(needDx=false) returned dx", tc.desc)
		}
	}
}

func sameTail(got, want []int) bool {
	if len(got) != len(want) {
		return false
	}
	for i := 1; i < len(got); i++ {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func close(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-4*math.Max(1, math.Abs(float64(b[i]))) {
			return false
		}
	}
	return true
}

func TestGlorotUniformLimitsAndSeed(t *testing.T) {
	dl.SetSeed(3)
	a := layers.Conv2D(16, 5)
	a.Build([]int{-1, 14, 14, 6})
	dl.SetSeed(3)
	b := layers.Conv2D(16, 5)
	b.Build([]int{-1, 14, 14, 6})
	limit := math.Sqrt(6.0 / (5*5*6 + 5*5*16))
	av, bv := a.Kernel().Float32s(), b.Kernel().Float32s()
	var sumSq float64
	for i, v := range av {
		if math.Abs(float64(v)) > limit {
			t.Fatalf("weight %v beyond the glorot limit %v", v, limit)
		}
		if v != bv[i] {
			t.Fatal("the same seed gave different weights")
		}
		sumSq += float64(v) * float64(v)
	}
	// The variance of U(-l, l) is l²/3.
	if got, want := sumSq/float64(len(av)), limit*limit/3; math.Abs(got-want) > 0.15*want {
		t.Errorf("weight variance %v, want about %v", got, want)
	}
	for _, v := range a.Bias().Float32s() {
		if v != 0 {
			t.Fatal("bias not zero-initialised")
		}
	}
}

func TestShapeErrorNamesLayer(t *testing.T) {
	d := layers.Dense(3, layers.Name("head"))
	d.Build([]int{-1, 4})
	err := dl.Maybe(func() { d.Call(dl.Zeros(2, 5), false) })
	if err == nil || err.Error() != "dl: layer head: Dense: expected inputs of the first shape, got the second (shapes (None, 4) and (2, 5))" {
		t.Fatalf("got %v", err)
	}
	err = dl.Maybe(func() { layers.MaxPooling2D(2).Forward(dl.Zeros(1, 1, 4, 1), false) })
	if err == nil {
		t.Fatal("pooling a 1-pixel-high input with a 2×2 valid window did not fail")
	}
}
