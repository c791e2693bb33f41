package data_test

import (
	"io"
	"math"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/data"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

func model() *dl.Sequential {
	dl.SetSeed(3)
	m := dl.NewSequential(
		layers.Flatten(),
		layers.Dense(16, layers.ReLU),
		layers.Dense(3, layers.Softmax),
	)
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	return m
}

// samples returns n uint8 images [n 4 4] whose label (0..2) is the row holding the
// brightest pixels, so that a small model learns them.
func samples(n int) (x, y *dl.Tensor) {
	px := make([]uint8, n*16)
	lab := make([]uint8, n)
	for i := range n {
		lab[i] = uint8(i * 7 % 3)
		for j := range 16 {
			px[i*16+j] = uint8((i*31 + j*17) % 60)
			if j/4 == int(lab[i]) {
				px[i*16+j] += 150
			}
		}
	}
	return dl.FromUint8(px, n, 4, 4), dl.FromUint8(lab, n)
}

// FitDataset over an unshuffled pipeline of batches trains exactly as Fit without
// shuffling does.
func TestFitDatasetMatchesFit(t *testing.T) {
	x, y := samples(100)
	xs := x.DivScalar(255)

	a := model()
	ha := a.Fit(xs, y, dl.Epochs(20), dl.BatchSize(16), dl.Shuffle(false), dl.Verbose(0))
	b := model()
	ds := data.FromTensorSlices(xs, y).Batch(16, false).Prefetch(1)
	hb := b.FitDataset(ds, dl.Epochs(20), dl.Verbose(0))

	for _, k := range []string{"loss", "accuracy"} {
		va, vb := ha.Get(k), hb.Get(k)
		if len(va) != 20 || len(vb) != 20 {
			t.Fatalf("%s: %v and %v", k, va, vb)
		}
		for i := range va {
			if math.Abs(va[i]-vb[i]) > 1e-6 {
				t.Errorf("%s epoch %d: Fit %v, FitDataset %v", k, i+1, va[i], vb[i])
			}
		}
	}
	if hb.Last("accuracy") < 0.9 {
		t.Errorf("accuracy after 20 epochs %v, want the rows learned", hb.Last("accuracy"))
	}

	ea := a.Evaluate(xs, y, dl.Verbose(0))
	eb := b.EvaluateDataset(data.FromTensorSlices(xs, y).Batch(7, false), dl.Verbose(0))
	for i := range ea {
		if math.Abs(ea[i]-eb[i]) > 1e-5 {
			t.Errorf("Evaluate %v, EvaluateDataset %v", ea, eb)
		}
	}
	pa := a.Predict(xs).Float32s()
	pb := b.PredictDataset(data.FromTensorSlices(xs, nil).Batch(9, false).Map(func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
		return x, y
	}, 2))
	if !pb.HasShape(100, 3) {
		t.Fatalf("PredictDataset shape %v", pb.Shape())
	}
	for i, v := range pb.Float32s() {
		if math.Abs(float64(v-pa[i])) > 1e-5 {
			t.Fatalf("prediction %d: Predict %v, PredictDataset %v", i, pa[i], v)
		}
	}
}

func TestFitDatasetRefusesInfinite(t *testing.T) {
	x, y := samples(10)
	m := model()
	err := dl.Maybe(func() {
		m.FitDataset(data.FromTensorSlices(x, y).Batch(4, false).Repeat(-1), dl.LogTo(io.Discard))
	})
	if err == nil {
		t.Fatal("an infinite data set was accepted")
	}
	// Take bounds the epoch; the progress line counts steps.
	h := m.FitDataset(data.FromTensorSlices(x.DivScalar(255), y).Batch(4, false).Repeat(-1).Take(5), dl.Epochs(2), dl.Verbose(0))
	if len(h.Epoch) != 2 {
		t.Errorf("epochs %v", h.Epoch)
	}
}

// FitDataset calls the callbacks as Fit does, and logs steps.
func TestFitDatasetCallbacksAndLog(t *testing.T) {
	x, y := samples(50)
	m := model()
	var batches, epochs int
	cb := &dl.LambdaCallback{
		BatchEnd: func(batch int, logs dl.Logs) { batches++ },
		EpochEnd: func(epoch int, logs dl.Logs) {
			epochs++
			if epoch == 1 {
				m.SetStopTraining(true)
			}
		},
	}
	var out strings.Builder
	ds := data.FromTensorSlices(x.DivScalar(255), y).Batch(8, false)
	h := m.FitDataset(ds, dl.Epochs(5), dl.WithCallback(cb), dl.LogTo(&out), dl.Verbose(2))
	if len(h.Epoch) != 2 || epochs != 2 || batches != 14 {
		t.Errorf("stopped after epoch 2: History %v, %d epochs and %d batches seen, want 2 and 14", h.Epoch, epochs, batches)
	}
	if !strings.HasPrefix(out.String(), "Train for 7 steps\nEpoch 1/5\n") || !strings.Contains(out.String(), "7/7") {
		t.Errorf("log:\n%s", out.String())
	}
	// A pipeline of unknown length: the bar ends at the steps seen.
	out.Reset()
	unknown := unknownLength{data.FromTensorSlices(x.DivScalar(255), y).Batch(8, false).Take(5)}
	m.FitDataset(unknown, dl.LogTo(&out), dl.Verbose(2))
	if !strings.HasPrefix(out.String(), "Train for an unknown number of steps\n") || !strings.Contains(out.String(), "5/5") {
		t.Errorf("log:\n%s", out.String())
	}
}

// unknownLength hides a data set's length, as a pipeline of a filter would.
type unknownLength struct{ *data.Dataset }

func (unknownLength) Cardinality() int { return data.Unknown }
