package dl_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

// recorder logs every hook call.
type recorder struct {
	dl.CallbackBase
	calls []string
	model dl.Network
	stop  string // the call after which to stop training
}

func (r *recorder) SetModel(m dl.Network) { r.model = m; r.calls = append(r.calls, "model") }
func (r *recorder) add(s string) {
	r.calls = append(r.calls, s)
	if s == r.stop {
		r.model.SetStopTraining(true)
	}
}
func (r *recorder) OnTrainBegin(logs dl.Logs)        { r.add("train") }
func (r *recorder) OnTrainEnd(logs dl.Logs)          { r.add(fmt.Sprintf("end:%d", len(logs))) }
func (r *recorder) OnEpochBegin(e int, logs dl.Logs) { r.add(fmt.Sprintf("e%d", e)) }
func (r *recorder) OnBatchBegin(b int, logs dl.Logs) { r.add(fmt.Sprintf("b%d", b)) }
func (r *recorder) OnBatchEnd(b int, logs dl.Logs)   { r.add(fmt.Sprintf("/b%d", b)) }
func (r *recorder) OnEpochEnd(e int, logs dl.Logs) {
	r.add(fmt.Sprintf("/e%d:%s", e, strings.Join(dl.LogKeys(r.model, logs), ",")))
}

func TestCallbackOrderAndStop(t *testing.T) {
	x := dl.RandomUniform(0, 1, 10, 3)
	y := dl.FromInts([]int{0, 1, 0, 1, 0, 1, 0, 1, 0, 1})
	m := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(3)))
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy, metrics.SparseTopKCategoricalAccuracy(5, "top5_acc"))
	r := &recorder{}
	var second []int
	h := m.Fit(x, y, dl.Epochs(2), dl.BatchSize(4), dl.Verbose(0), dl.ValidationData(x, y),
		dl.WithCallback(r), dl.WithCallback(dl.EpochEndFunc(func(e int, logs dl.Logs) { second = append(second, e) })))
	want := "model train e0 b0 /b0 b1 /b1 b2 /b2 /e0:loss,accuracy,top5_acc,val_loss,val_accuracy,val_top5_acc " +
		"e1 b0 /b0 b1 /b1 b2 /b2 /e1:loss,accuracy,top5_acc,val_loss,val_accuracy,val_top5_acc end:6"
	if got := strings.Join(r.calls, " "); got != want {
		t.Errorf("calls:\n%s\nwant\n%s", got, want)
	}
	if len(second) != 2 || strings.Join(h.Keys(), ",") != "loss,accuracy,top5_acc,val_loss,val_accuracy,val_top5_acc" {
		t.Errorf("second callback saw %v; History keys %v", second, h.Keys())
	}
	// StopTraining after a step ends the epoch at once, skips validation and ends Fit.
	r2 := &recorder{stop: "/b1"}
	h2 := m.Fit(x, y, dl.Epochs(3), dl.BatchSize(4), dl.Verbose(0), dl.ValidationData(x, y),
		dl.Callbacks([]dl.Callback{r2}))
	want2 := "model train e0 b0 /b0 b1 /b1 /e0:loss,accuracy,top5_acc end:3"
	if got := strings.Join(r2.calls, " "); got != want2 {
		t.Errorf("calls with a stop:\n%s\nwant\n%s", got, want2)
	}
	if len(h2.Epoch) != 1 || len(h2.Get("val_loss")) != 0 {
		t.Errorf("History after the stop: %v", h2)
	}
	// A later Fit clears StopTraining.
	if h3 := m.Fit(x, y, dl.Epochs(2), dl.Verbose(0)); len(h3.Epoch) != 2 {
		t.Errorf("Fit after a stopped one ran %d epochs", len(h3.Epoch))
	}
}

// TestLambdaCallbackAndKeysAddedByCallbacks: a key a callback adds to the epoch logs ("lr")
// reaches History after the model's own keys, and not the progress log.
func TestLambdaCallbackAndKeysAddedByCallbacks(t *testing.T) {
	x := dl.RandomUniform(0, 1, 8, 3)
	y := dl.FromInts([]int{0, 1, 0, 1, 0, 1, 0, 1})
	m := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(3)))
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	batches := 0
	var model dl.Network
	cb := &dl.LambdaCallback{
		TrainBegin: func(dl.Logs) { model = nil },
		BatchEnd:   func(int, dl.Logs) { batches++ },
		EpochEnd:   func(e int, logs dl.Logs) { logs["lr"] = 0.01 * float64(e+1) },
	}
	var out strings.Builder
	h := m.Fit(x, y, dl.Epochs(2), dl.Verbose(2), dl.LogTo(&out), dl.WithCallback(cb))
	model = cb.Model
	if batches != 2 || model != dl.Network(m) {
		t.Errorf("batches %d, model %p (want %p)", batches, model, m)
	}
	if got := strings.Join(h.Keys(), ","); got != "loss,accuracy,lr" || h.Get("lr")[1] != 0.02 {
		t.Errorf("History keys %s, lr %v", got, h.Get("lr"))
	}
	if strings.Contains(out.String(), "lr") || !strings.Contains(out.String(), "Epoch 2/2\n8/8 - 0s - loss: ") {
		t.Errorf("log:\n%s", out.String())
	}
}

// TestStepsWithCallbacksDoNotAllocate: batch hooks and the running batch logs add no
// allocation per step (the epoch logs are new maps, once per epoch).
func TestStepsWithCallbacksDoNotAllocate(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer accel.Use(accel.Use(denseViaSgemm{accel.Default()}))
	x := dl.FromUint8(make([]uint8, 3200*8*8), 3200, 8, 8, 1).DivScalar(255)
	y := dl.FromInts(make([]int, 3200))
	m := dl.NewSequential(layers.Flatten(), layers.Dense(16, layers.ReLU), layers.Dense(10, layers.Softmax))
	m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	steps := 0
	cb := &dl.LambdaCallback{BatchEnd: func(int, dl.Logs) { steps++ }}
	fit := func(n int) func() {
		return func() {
			m.Fit(x.Slice(0, n), y.Slice(0, n), dl.Verbose(0), dl.Shuffle(false), dl.WithCallback(cb))
		}
	}
	fit(32)()
	small := testing.AllocsPerRun(3, fit(320))
	large := testing.AllocsPerRun(3, fit(3200))
	if large > small {
		t.Errorf("Fit with a batch callback over 100 batches made %v allocations, over 10 batches %v: steps allocate", large, small)
	}
	if steps == 0 {
		t.Errorf("the batch callback was not called")
	}
}
