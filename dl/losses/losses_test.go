package losses_test

import (
	"math"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/losses"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestCrossentropies(t *testing.T) {
	p := dl.FromRows([][]float64{{0.7, 0.2, 0.1}, {0.25, 0.25, 0.5}})
	labels := dl.FromInts([]int{0, 2})
	oneHot := dl.FromRows([][]float64{{1, 0, 0}, {0, 0, 1}})
	want := -(math.Log(0.7) + math.Log(0.5)) / 2
	for _, tc := range []struct {
		desc     string
		loss     dl.Loss
		yTrue, y *dl.Tensor
	}{
		{"sparse", losses.SparseCategoricalCrossentropy, labels, p},
		{"one-hot", losses.CategoricalCrossentropy, oneHot, p},
		// Rows that do not sum to 1 are normalised first, as Keras does.
		{"one-hot unnormalised", losses.CategoricalCrossentropy, oneHot, p.MulScalar(3)},
		{"one-hot from logits", losses.CategoricalCrossentropyFromLogits, oneHot, p.Log().AddScalar(100)},
		{"sparse from logits", losses.SparseCategoricalCrossentropyFromLogits, labels, p.Log().AddScalar(-50)},
	} {
		if got := tc.loss.Compute(tc.yTrue, tc.y).Item(); !near(got, want, 1e-6) {
			t.Errorf("%s: loss %.7f, want %.7f", tc.desc, got, want)
		}
	}
}

// TestCrossentropyFromLogitsGradient checks d loss/d logits = (softmax(z) - y)/batch.
func TestCrossentropyFromLogitsGradient(t *testing.T) {
	z := dl.FromRows([][]float64{{1, 2, 0.5}, {-1, 0, 3}}).RequireGrad()
	y := dl.FromRows([][]float64{{0, 1, 0}, {1, 0, 0}})
	losses.CategoricalCrossentropyFromLogits.Compute(y, z).Backward()
	s := z.Detach().Softmax().Float64s()
	g := z.Grad().Float64s()
	for i, yi := range y.Float64s() {
		if want := (s[i] - yi) / 2; !near(g[i], want, 1e-6) {
			t.Errorf("grad[%d] = %.6f, want %.6f", i, g[i], want)
		}
	}
}

func TestMeanSquaredError(t *testing.T) {
	pred := dl.FromRows([][]float64{{1}, {2}, {4}})
	got := losses.Get("mse").Compute(dl.FromFloat64([]float64{0, 2, 1}, 3), pred).Item()
	if want := (1.0 + 0 + 9) / 3; !near(got, want, 1e-6) {
		t.Errorf("mse = %v, want %v", got, want)
	}
	if err := dl.Maybe(func() { losses.MSE.Compute(dl.Zeros(2), pred) }); err == nil || !strings.Contains(err.Error(), "one target per output") {
		t.Errorf("mse with 2 targets for 3 outputs: error %v", err)
	}
}

func TestCategoricalNeedsOneHot(t *testing.T) {
	err := dl.Maybe(func() { losses.CategoricalCrossentropy.Compute(dl.FromInts([]int{0, 1}), dl.Ones(2, 3)) })
	if err == nil || !strings.Contains(err.Error(), "integer labels need sparse_categorical_crossentropy") {
		t.Errorf("error = %v", err)
	}
}

func TestGet(t *testing.T) {
	for _, n := range []string{"sparse_categorical_crossentropy", "categorical_crossentropy", "mse", "mean_squared_error"} {
		if got := losses.Get(n).Name(); got != n && !(n == "mse" && got == "mean_squared_error") {
			t.Errorf("Get(%q).Name() = %q", n, got)
		}
	}
	if err := dl.Maybe(func() { losses.Get("hinge") }); err == nil || !strings.Contains(err.Error(), `unknown loss "hinge"; known: categorical_crossentropy`) {
		t.Errorf("Get(hinge): %v", err)
	}
}
