package metrics_test

import (
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/metrics"
)

func TestAccuracies(t *testing.T) {
	p := dl.FromRows([][]float64{
		{0.1, 0.6, 0.2, 0.1}, // label 1: top-1
		{0.4, 0.3, 0.2, 0.1}, // label 2: third
		{0.1, 0.2, 0.3, 0.4}, // label 0: last
	})
	labels := dl.FromInts([]int{1, 2, 0})
	oneHot := dl.FromRows([][]float64{{0, 1, 0, 0}, {0, 0, 1, 0}, {1, 0, 0, 0}})
	for _, tc := range []struct {
		desc  string
		m     dl.Metric
		y     *dl.Tensor
		name  string
		total float64
	}{
		{"accuracy", metrics.Accuracy, labels, "accuracy", 1},
		{"one-hot accuracy", metrics.Accuracy, oneHot, "accuracy", 1},
		{"acc", metrics.Get("acc"), labels, "acc", 1},
		{"top2", metrics.SparseTopKCategoricalAccuracy(2, "top2_acc"), labels, "top2_acc", 1},
		{"top3", metrics.SparseTopKCategoricalAccuracy(3, ""), labels, "sparse_top_k_categorical_accuracy", 2},
		{"top5 of 4", metrics.SparseTopKCategoricalAccuracy(5, "top5_acc"), labels, "top5_acc", 3},
	} {
		total, count := tc.m.Batch(tc.y, p)
		if tc.m.Name() != tc.name || total != tc.total || count != 3 {
			t.Errorf("%s: %s = %v/%v, want %s = %v/3", tc.desc, tc.m.Name(), total, count, tc.name, tc.total)
		}
	}
	// Ties at the boundary count as in the top k, as in TensorFlow's in_top_k.
	tie := dl.FromRows([][]float64{{0.5, 0.25, 0.25}})
	if total, _ := metrics.SparseTopKCategoricalAccuracy(2, "").Batch(dl.FromInts([]int{2}), tie); total != 1 {
		t.Errorf("tied label outside the first k: total %v, want 1", total)
	}
	if err := dl.Maybe(func() { metrics.Get("f1") }); err == nil || !strings.Contains(err.Error(), `unknown metric "f1"`) {
		t.Errorf("Get(f1): %v", err)
	}
}

func TestMean(t *testing.T) {
	m := metrics.Mean("loss")
	if m.Result() != 0 {
		t.Errorf("empty mean = %v", m.Result())
	}
	m.Update(1)
	m.Update(2)
	m.UpdateState(dl.FromFloat64([]float64{3, 6}, 2))
	if got := m.Result(); got != 3 {
		t.Errorf("mean of 1, 2, 3, 6 = %v", got)
	}
	m.UpdateWeighted(13, 4)
	if got := m.Result(); got != 8 {
		t.Errorf("after 13 with weight 4: %v, want (12+52)/8 = 8", got)
	}
	m.ResetStates()
	m.Update(5)
	if got, s := m.Result(), m.String(); got != 5 || s != `<Mean "loss": 5.0000>` {
		t.Errorf("after Reset: %v %s", got, s)
	}
}

func TestSparseCategoricalAccuracyOf(t *testing.T) {
	p := dl.FromRows([][]float64{{0.1, 0.9}, {0.8, 0.2}, {0.3, 0.7}})
	got := metrics.SparseCategoricalAccuracyOf(dl.FromInts([]int{1, 1, 1}), p).Float64s()
	if len(got) != 3 || got[0] != 1 || got[1] != 0 || got[2] != 1 {
		t.Errorf("per-sample accuracy %v, want [1 0 1]", got)
	}
	m := metrics.Mean("acc")
	m.UpdateState(metrics.SparseCategoricalAccuracyOf(dl.FromInts([]int{1, 1, 1}), p))
	if r := m.Result(); r < 0.666 || r > 0.667 {
		t.Errorf("mean accuracy %v, want 2/3", r)
	}
	if err := dl.Maybe(func() { metrics.SparseCategoricalAccuracyOf(dl.FromInts([]int{1}), p) }); err == nil {
		t.Errorf("one label for three rows did not panic")
	}
}
