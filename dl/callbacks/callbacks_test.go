package callbacks_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

// model returns a compiled one-layer model (SGD at lr 0.01) built for 4 inputs.
func model() *dl.Sequential {
	m := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(4)))
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	return m
}

// drive feeds a callback the given values of key as the epochs' logs, as Fit would, and
// returns the number of epochs run before StopTraining was set.
func drive(cb dl.Callback, m *dl.Sequential, key string, values []float64) int {
	m.SetStopTraining(false)
	cb.SetModel(m)
	cb.OnTrainBegin(dl.Logs{})
	n := 0
	for e, v := range values {
		if m.StopTraining() {
			break
		}
		cb.OnEpochBegin(e, dl.Logs{})
		cb.OnEpochEnd(e, dl.Logs{key: v, "loss": 1})
		n++
	}
	cb.OnTrainEnd(dl.Logs{})
	return n
}

func TestEarlyStopping(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		es     func() *callbacks.EarlyStoppingCallback
		key    string
		values []float64
		epochs int
		best   float64
	}{
		{"val_loss patience 2", func() *callbacks.EarlyStoppingCallback { return callbacks.EarlyStopping("val_loss", 2) },
			"val_loss", []float64{1, 0.8, 0.9, 0.85, 0.7, 0.6}, 4, 0.8},
		{"patience 0 stops at the first non-improvement", func() *callbacks.EarlyStoppingCallback { return callbacks.EarlyStopping("val_loss", 0) },
			"val_loss", []float64{1, 0.5, 0.5, 0.1}, 3, 0.5},
		{"acc in the name watches a rise", func() *callbacks.EarlyStoppingCallback { return callbacks.EarlyStopping("val_acc", 1) },
			"val_acc", []float64{0.5, 0.6, 0.55, 0.9}, 3, 0.6},
		{"min_delta", func() *callbacks.EarlyStoppingCallback {
			es := callbacks.EarlyStopping("val_loss", 1)
			es.MinDelta = 0.1
			return es
		}, "val_loss", []float64{1, 0.95, 0.5}, 2, 1},
		{"mode max on a loss-like name", func() *callbacks.EarlyStoppingCallback {
			es := callbacks.EarlyStopping("score", 1)
			es.Mode = callbacks.Max
			return es
		}, "score", []float64{1, 2, 1.5, 3}, 3, 2},
		{"baseline", func() *callbacks.EarlyStoppingCallback {
			es := callbacks.EarlyStopping("val_loss", 2)
			es.Baseline = 0.5
			return es
		}, "val_loss", []float64{1, 0.9, 0.8, 0.1}, 2, 0.5},
		{"never stops while improving", func() *callbacks.EarlyStoppingCallback { return callbacks.EarlyStopping("", 0) },
			"val_loss", []float64{4, 3, 2, 1}, 4, 1},
	} {
		es := tc.es()
		if got := drive(es, model(), tc.key, tc.values); got != tc.epochs || es.Best() != tc.best {
			t.Errorf("%s: ran %d epochs with best %v, want %d with best %v", tc.desc, got, es.Best(), tc.epochs, tc.best)
		}
	}
	var out bytes.Buffer
	es := callbacks.EarlyStopping("val_acc", 1)
	es.Out, es.Verbose = &out, 1
	drive(es, model(), "val_loss", []float64{1})
	drive(es, model(), "val_acc", []float64{0.5, 0.4})
	if want := "Early stopping conditioned on metric `val_acc` which is not available. Available metrics are: loss,val_loss\nEpoch 00002: early stopping\n"; out.String() != want {
		t.Errorf("messages:\n%q\nwant\n%q", out.String(), want)
	}
}

// TestEarlyStoppingRestoresBestWeights trains with a learning rate that makes the loss
// worse after the first epoch, and requires the weights of the best epoch back.
func TestEarlyStoppingRestoresBestWeights(t *testing.T) {
	dl.SetSeed(5)
	x := dl.RandomUniform(-1, 1, 64, 4)
	labels := make([]int, 64)
	for i, r := range x.Rows() {
		if r[0] > 0 {
			labels[i] = 1
		}
	}
	y := dl.FromInts(labels)
	m := model()
	var snap []*dl.Tensor
	var losses []float64
	snapshot := dl.EpochEndFunc(func(e int, logs dl.Logs) {
		losses = append(losses, logs["val_loss"])
		if len(losses) == 1 || logs["val_loss"] < minOf(losses[:len(losses)-1]) {
			snap = nil
			for _, w := range m.Weights() {
				snap = append(snap, w.Clone())
			}
		}
	})
	es := callbacks.EarlyStopping("val_loss", 2)
	es.RestoreBestWeights = true
	sched := callbacks.LearningRateScheduler(func(epoch int, lr float64) float64 {
		if epoch == 0 {
			return 0.5
		}
		return 40 // diverges
	})
	h := m.Fit(x, y, dl.Epochs(20), dl.Verbose(0), dl.ValidationData(x, y),
		dl.Callbacks([]dl.Callback{sched, snapshot, es}))
	if len(h.Epoch) >= 20 || es.StoppedEpoch == 0 {
		t.Fatalf("training did not stop early: %v", h)
	}
	for i, w := range m.Weights() {
		a, b := w.Float32s(), snap[i].Float32s()
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("%s[%d] = %v, the best epoch had %v", w.Name(), j, a[j], b[j])
			}
		}
	}
	if got := h.Get("lr"); len(got) != len(h.Epoch) || got[0] != 0.5 || got[1] != 40 {
		t.Errorf("History lr = %v, want 0.5 then 40", got)
	}
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func TestReduceLROnPlateau(t *testing.T) {
	m := model()
	var out bytes.Buffer
	r := callbacks.ReduceLROnPlateau("val_loss", 0.5, 2)
	r.Cooldown, r.MinLR, r.Verbose, r.Out = 1, 0.002, 1, &out
	// As in Keras, the wait of the cooldown's last epoch already counts: epoch 0 is the
	// best; 1, 2 wait → 0.005; 3 ends the cooldown (wait 1); 4 → 0.0025; 5 (wait 1); 6 → 0.002
	// (MinLR); then the rate stays at MinLR.
	values := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1}
	var lrs []float64
	r.SetModel(m)
	r.OnTrainBegin(dl.Logs{})
	for e, v := range values {
		logs := dl.Logs{"val_loss": v}
		r.OnEpochEnd(e, logs)
		lrs = append(lrs, m.Optimizer().(dl.LearningRater).CurrentLearningRate())
		if logs["lr"] == 0 {
			t.Errorf("epoch %d: no lr in the logs", e)
		}
	}
	want := []float64{0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025, 0.002, 0.002, 0.002}
	for i := range want {
		if math.Abs(lrs[i]-want[i]) > 1e-12 {
			t.Fatalf("learning rates %v, want %v", lrs, want)
		}
	}
	if !strings.HasPrefix(out.String(), "\nEpoch 00003: ReduceLROnPlateau reducing learning rate to 0.005.\n") {
		t.Errorf("message %q", out.String())
	}
	// An improvement beyond MinDelta resets the wait.
	m2 := model()
	r2 := callbacks.ReduceLROnPlateau("val_acc", 0.1, 2)
	drive(r2, m2, "val_acc", []float64{0.5, 0.50001, 0.6, 0.6, 0.7})
	if lr := m2.Optimizer().(dl.LearningRater).CurrentLearningRate(); lr != 0.01 {
		t.Errorf("learning rate %v after improving accuracies, want 0.01", lr)
	}
	drive(r2, m2, "val_acc", []float64{0.5, 0.50001, 0.5})
	if lr := m2.Optimizer().(dl.LearningRater).CurrentLearningRate(); math.Abs(lr-0.001) > 1e-12 {
		t.Errorf("learning rate %v after a plateau within MinDelta, want 0.001", lr)
	}
	if err := dl.Maybe(func() { drive(callbacks.ReduceLROnPlateau("val_loss", 2, 1), model(), "val_loss", []float64{1}) }); err == nil {
		t.Errorf("factor 2 did not panic")
	}
}

type noRate struct{}

func (noRate) Name() string                            { return "fixed" }
func (noRate) ApplyGradients(grads, vars []*dl.Tensor) {}

func TestLearningRateScheduler(t *testing.T) {
	m := model()
	var seen []float64
	s := callbacks.LearningRateScheduler(func(epoch int, lr float64) float64 {
		seen = append(seen, lr)
		return lr * 0.5
	})
	drive(s, m, "val_loss", []float64{1, 1, 1})
	if len(seen) != 3 || seen[0] != 0.01 || seen[2] != 0.0025 {
		t.Errorf("schedule saw %v, want 0.01 0.005 0.0025", seen)
	}
	m2 := dl.NewSequential(layers.Dense(2, layers.InputShape(4)))
	m2.Compile(noRate{}, losses.MSE)
	err := dl.Maybe(func() { drive(s, m2, "val_loss", []float64{1}) })
	if err == nil || !strings.Contains(err.Error(), "optimizer fixed has no settable learning rate") {
		t.Errorf("error = %v", err)
	}
	nan := callbacks.LearningRateScheduler(func(int, float64) float64 { return math.NaN() })
	if err := dl.Maybe(func() { drive(nan, model(), "x", []float64{1}) }); err == nil || !strings.Contains(err.Error(), "finite rate") {
		t.Errorf("NaN schedule: %v", err)
	}
}

func TestTerminateOnNaN(t *testing.T) {
	x := dl.Full(1e30, 32, 4)
	y := dl.FromInts(make([]int, 32))
	m := dl.NewSequential(layers.Dense(1, layers.InputShape(4)))
	m.Compile(optimizers.SGDWithRate(1e10), losses.MSE)
	var out bytes.Buffer
	tn := callbacks.TerminateOnNaN()
	tn.Out = &out
	h := m.Fit(x, y, dl.Epochs(5), dl.BatchSize(4), dl.Verbose(0), dl.WithCallback(tn))
	if !m.StopTraining() || len(h.Epoch) != 1 || !strings.Contains(out.String(), ": Invalid loss, terminating training\n") {
		t.Errorf("stop %v, epochs %d, output %q", m.StopTraining(), len(h.Epoch), out.String())
	}
}

func TestCSVLogger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	c := callbacks.CSVLogger(path)
	drive(c, model(), "val_loss", []float64{0.5, 0.25})
	c.Append = true
	drive(c, model(), "val_loss", []float64{0.125})
	if c.Err != nil {
		t.Fatal(c.Err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "epoch,loss,val_loss\n0,1,0.5\n1,1,0.25\n0,1,0.125\n"; string(b) != want {
		t.Errorf("file:\n%s\nwant\n%s", b, want)
	}
	bad := callbacks.CSVLogger(filepath.Join(t.TempDir(), "missing", "log.csv"))
	drive(bad, model(), "val_loss", []float64{1})
	if bad.Err == nil || !strings.Contains(bad.Err.Error(), "callbacks: CSVLogger: open ") {
		t.Errorf("unwritable path: Err = %v", bad.Err)
	}
}
