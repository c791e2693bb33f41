package dl_test

import (
	"bytes"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/datasets"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
	"godl.dev/godl/interrupt"
)

func mlp(opts ...layers.Option) *dl.Sequential {
	return dl.NewSequential(
		layers.Flatten(opts...),
		layers.Dense(128, layers.ReLU),
		layers.Dense(10, layers.Softmax),
	)
}

func lenet5() *dl.Sequential {
	return dl.NewSequential(
		layers.Conv2D(6, 5, layers.Same, layers.ReLU, layers.InputShape(28, 28, 1)),
		layers.MaxPooling2D(2),
		layers.Conv2D(16, 5, layers.ReLU),
		layers.MaxPooling2D(2),
		layers.Flatten(),
		layers.Dense(120, layers.ReLU),
		layers.Dense(84, layers.ReLU),
		layers.Dense(10, layers.Softmax),
	)
}

func compile(m *dl.Sequential) *dl.Sequential {
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	return m
}

func TestSummaryAndParamCounts(t *testing.T) {
	dl.ClearSession()
	m := mlp(layers.InputShape(28, 28))
	if got := m.CountParams(); got != 101770 {
		t.Errorf("MLP params = %d, want 101,770", got)
	}
	want := `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
flatten (Flatten)            (None, 784)               0         
_________________________________________________________________
dense (Dense)                (None, 128)               100480    
_________________________________________________________________
dense_1 (Dense)              (None, 10)                1290      
=================================================================
Total params: 101,770
Trainable params: 101,770
Non-trainable params: 0
_________________________________________________________________
`
	if got := m.SummaryString(); got != want {
		t.Errorf("MLP summary:\n%s\nwant:\n%s", got, want)
	}
	l := lenet5()
	if got := l.CountParams(); got != 61706 {
		t.Errorf("LeNet-5 params = %d, want 61,706", got)
	}
	s := l.SummaryString()
	for _, row := range []string{
		`Model: "sequential_1"`,
		"conv2d (Conv2D)              (None, 28, 28, 6)         156       ",
		"max_pooling2d (MaxPooling2D) (None, 14, 14, 6)         0         ",
		"conv2d_1 (Conv2D)            (None, 10, 10, 16)        2416      ",
		"max_pooling2d_1 (MaxPooling2 (None, 5, 5, 16)          0         ",
		"flatten_1 (Flatten)          (None, 400)               0         ",
		"dense_2 (Dense)              (None, 120)               48120     ",
		"dense_3 (Dense)              (None, 84)                10164     ",
		"dense_4 (Dense)              (None, 10)                850       ",
		"Total params: 61,706",
	} {
		if !strings.Contains(s, row+"\n") {
			t.Errorf("LeNet-5 summary lacks the row %q:\n%s", row, s)
		}
	}
	if err := dl.Maybe(func() { mlp().Summary() }); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("Summary of an unbuilt model: %v", err)
	}
}

var (
	mnistOnce          sync.Once
	mnistTrain, mnistT *datasets.Split
	mnistErr           error
)

// mnist loads real MNIST once (CI fetches it with `go mod download`).
func mnist(t *testing.T) (train, test *datasets.Split) {
	t.Helper()
	mnistOnce.Do(func() { mnistTrain, mnistT, mnistErr = datasets.LoadMNIST("") })
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	return mnistTrain, mnistT
}

// TestTrainOnMNISTSlice trains on 6,000 real images and checks the accuracy on 2,000 test
// images: MLP ≥ 0.78 after 3 epochs, LeNet-5 ≥ 0.72 after 2 (measured with seed 1: 0.8215
// and 0.7820; a broken gradient stays near 0.1).
func TestTrainOnMNISTSlice(t *testing.T) {
	train, test := mnist(t)
	x, y := train.X.Slice(0, 6000).DivScalar(255), train.Y.Slice(0, 6000)
	xt, yt := test.X.Slice(0, 2000).DivScalar(255), test.Y.Slice(0, 2000)
	for _, tc := range []struct {
		name   string
		model  func() *dl.Sequential
		shape  []int
		epochs int
		want   float64
	}{
		{"mlp", func() *dl.Sequential { return mlp() }, []int{-1, 28, 28}, 3, 0.78},
		{"lenet5", lenet5, []int{-1, 28, 28, 1}, 2, 0.72},
	} {
		// Seed before the model exists: LeNet-5 declares its input shape, so its weights
		// are drawn when it is constructed, not at Fit.
		dl.SetSeed(1)
		m := compile(tc.model())
		h := m.Fit(x.Reshape(tc.shape...), y, dl.Epochs(tc.epochs), dl.Verbose(0),
			dl.ValidationData(xt.Reshape(tc.shape...), yt))
		if h.Err() != nil {
			t.Fatal(h.Err())
		}
		if got := strings.Join(h.Keys(), ","); got != "loss,accuracy,val_loss,val_accuracy" {
			t.Errorf("%s: History keys %s", tc.name, got)
		}
		loss := h.Get("loss")
		if len(loss) != tc.epochs || loss[len(loss)-1] >= loss[0] {
			t.Errorf("%s: training loss did not decrease: %v", tc.name, loss)
		}
		acc := h.Last("val_accuracy")
		if acc < tc.want {
			t.Errorf("%s: validation accuracy %.4f, want ≥ %.2f", tc.name, acc, tc.want)
		}
		ev := m.Evaluate(xt.Reshape(tc.shape...), yt, dl.Verbose(0), dl.BatchSize(500))
		if d := ev[1] - acc; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: Evaluate accuracy %.4f differs from the last val_accuracy %.4f", tc.name, ev[1], acc)
		}
		pred := m.PredictClasses(xt.Reshape(tc.shape...))
		correct := 0
		for i, c := range pred.Ints() {
			if c == int(yt.At(i)) {
				correct++
			}
		}
		if got := float64(correct) / 2000; got != acc {
			t.Errorf("%s: PredictClasses accuracy %.4f, val_accuracy %.4f", tc.name, got, acc)
		}
	}
}

func TestSeedMakesFitReproducible(t *testing.T) {
	train, _ := mnist(t)
	x, y := train.X.Slice(0, 500).DivScalar(255), train.Y.Slice(0, 500)
	run := func() ([]float64, []float32) {
		dl.SetSeed(42)
		m := compile(mlp())
		h := m.Fit(x, y, dl.Epochs(2), dl.Verbose(0))
		return h.Get("loss"), m.Weights()[0].Float32s()
	}
	l1, w1 := run()
	l2, w2 := run()
	if l1[0] != l2[0] || l1[1] != l2[1] || !equal(w1, w2) {
		t.Fatalf("two runs with seed 42 differ: losses %v and %v", l1, l2)
	}
}

// stopAfter is a metric that interrupts the cell after n batches.
type stopAfter struct{ n int }

func (s *stopAfter) Name() string { return "stopper" }
func (s *stopAfter) Batch(yTrue, yPred *dl.Tensor) (float64, float64) {
	s.n--
	if s.n == 0 {
		interrupt.Request()
	}
	return 0, 1
}

func TestFitStopsOnInterruptWithWeightsIntact(t *testing.T) {
	defer interrupt.Begin()
	interrupt.Begin()
	dl.SetSeed(5)
	x := dl.RandomUniform(0, 1, 320, 4)
	y := dl.FromInts(make([]int, 320))
	m := dl.NewSequential(layers.Dense(2, layers.Softmax))
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, &stopAfter{n: 3})
	m.Build([]int{-1, 4})
	before := m.Weights()[0].Float32s()
	h := m.Fit(x, y, dl.Epochs(3), dl.Verbose(0))
	if !errors.Is(h.Err(), interrupt.ErrInterrupted) {
		t.Fatalf("Err() = %v, want ErrInterrupted", h.Err())
	}
	if len(h.Epoch) != 0 {
		t.Errorf("History has %d epochs after stopping in the first", len(h.Epoch))
	}
	after := m.Weights()[0].Float32s()
	if equal(before, after) {
		t.Error("the three completed steps were not kept")
	}
	for _, v := range after {
		if v != v {
			t.Fatal("weights hold NaN after the interrupt")
		}
	}
	// Still interrupted: Evaluate and Predict stop before their first batch.
	if m.Evaluate(x, y, dl.Verbose(0)) != nil || m.Predict(x) != nil {
		t.Error("Evaluate or Predict ran while interrupted")
	}
	interrupt.Begin()
	if m.Evaluate(x, y, dl.Verbose(0)) == nil || m.Predict(x) == nil {
		t.Error("Evaluate or Predict did not run after a new cell began")
	}
}

func TestFitLogFormat(t *testing.T) {
	dl.SetSeed(5)
	x := dl.RandomUniform(0, 1, 64, 3)
	y := dl.FromInts(make([]int, 64))
	for _, tc := range []struct {
		verbose int
		re      string
	}{
		{2, `^Train on 64 samples, validate on 32 samples\nEpoch 1/2\n64/64 - 0s - loss: \d\.\d{4} - accuracy: 1\.0000 - val_loss: \d\.\d{4} - val_accuracy: 1\.0000\nEpoch 2/2\n64/64 - 0s - loss: .*\n$`},
		{1, `^Train on 64 samples, validate on 32 samples\nEpoch 1/2\n(\r?[ \d]\d/64 \[[=>.]{30}\] - ETA: \d+s - loss: \d\.\d{4} - accuracy: 1\.0000 *)*\r?64/64 \[={30}\] - 0s \d+us/sample - loss: \d\.\d{4} - accuracy: 1\.0000 - val_loss: \d\.\d{4} - val_accuracy: 1\.0000\nEpoch 2/2\n`},
		{0, `^$`},
	} {
		m := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.KernelInitializer(layers.Zeros)))
		m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		var out bytes.Buffer
		m.Fit(x, y, dl.Epochs(2), dl.Verbose(tc.verbose), dl.LogTo(&out), dl.ValidationData(x.Slice(0, 32), y.Slice(0, 32)))
		if !regexp.MustCompile(tc.re).MatchString(out.String()) {
			t.Errorf("verbose %d log:\n%q\ndoes not match\n%s", tc.verbose, out.String(), tc.re)
		}
	}
}

// denseViaSgemm isolates dl's allocations from the backend's (accel tests its own): it
// computes Dense with Sgemm and a plain epilogue.
type denseViaSgemm struct{ accel.Backend }

func (b denseViaSgemm) Dense(m, n, k int, x, w, bias []float32, act accel.Activation, y []float32) {
	b.Sgemm(false, false, m, n, k, 1, x, k, w, n, 0, y, n)
	for i := range y {
		if bias != nil {
			y[i] += bias[i%n]
		}
		if act == accel.ReLU && y[i] < 0 {
			y[i] = 0
		}
	}
}

// TestTrainingStepsDoNotAllocate compares the allocations of a Fit over 10 and over 100
// batches: steps after the first must not allocate. It runs on one core: the backend's
// goroutines for two are its own business (accel tests its allocations).
func TestTrainingStepsDoNotAllocate(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer accel.Use(accel.Use(denseViaSgemm{accel.Default()}))
	x := dl.FromUint8(make([]uint8, 3200*8*8), 3200, 8, 8, 1).DivScalar(255)
	y := dl.FromInts(make([]int, 3200))
	for _, tc := range []struct {
		name string
		m    *dl.Sequential
	}{
		{"mlp", dl.NewSequential(layers.Flatten(), layers.Dense(16, layers.ReLU), layers.Dense(10, layers.Softmax))},
		{"cnn", dl.NewSequential(layers.Conv2D(4, 3, layers.Same, layers.ReLU), layers.MaxPooling2D(2),
			layers.Flatten(), layers.Dense(10, layers.Softmax))},
	} {
		m := compile(tc.m)
		fit := func(n int) func() {
			return func() { m.Fit(x.Slice(0, n), y.Slice(0, n), dl.Verbose(0), dl.Shuffle(false)) }
		}
		fit(32)()
		small := testing.AllocsPerRun(3, fit(320))
		large := testing.AllocsPerRun(3, fit(3200))
		if large > small {
			t.Errorf("%s: Fit over 100 batches made %v allocations, over 10 batches %v: steps allocate", tc.name, large, small)
		}
	}
}

// unfused hides a layer's optional kernel interfaces (softmax, SGD and ReLU fusion), leaving
// the plain Kernel.
type unfused struct {
	dl.Layer
	k dl.Kernel
}

func (u unfused) Forward(x *dl.Tensor, training bool) *dl.Tensor { return u.k.Forward(x, training) }
func (u unfused) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	return u.k.Backward(dy, needDx)
}

// TestFusionsMatchPlainTraining trains the same CNN with Sequential's fusions (softmax +
// cross-entropy, SGD inside Dense, ReLU mask moved after max pooling) and without them, and
// requires the same weights.
func TestFusionsMatchPlainTraining(t *testing.T) {
	build := func(wrap bool) *dl.Sequential {
		dl.SetSeed(11)
		ls := []dl.Layer{
			layers.Conv2D(3, 3, layers.Same, layers.ReLU), layers.MaxPooling2D(2),
			layers.Flatten(), layers.Dense(8, layers.ReLU), layers.Dense(4, layers.Softmax),
		}
		m := dl.NewSequential()
		for _, l := range ls {
			if wrap {
				l = unfused{l, l.(dl.Kernel)}
			}
			m.Add(l)
		}
		return compile(m)
	}
	dl.SetSeed(12)
	x := dl.RandomUniform(0, 1, 96, 6, 6, 1)
	labels := dl.Permutation(96)
	for i := range labels {
		labels[i] %= 4
	}
	yl := dl.FromInts(labels)
	fused, plain := build(false), build(true)
	dl.SetSeed(13)
	hf := fused.Fit(x, yl, dl.Epochs(3), dl.Verbose(0))
	dl.SetSeed(13)
	hp := plain.Fit(x, yl, dl.Epochs(3), dl.Verbose(0))
	for i, w := range fused.Weights() {
		a, b := w.Float32s(), plain.Weights()[i].Float32s()
		for j := range a {
			if d := a[j] - b[j]; d > 1e-4 || d < -1e-4 {
				t.Fatalf("%s[%d]: fused %v, plain %v", w.Name(), j, a[j], b[j])
			}
		}
	}
	if d := hf.Last("loss") - hp.Last("loss"); d > 1e-4 || d < -1e-4 {
		t.Errorf("losses differ: fused %v, plain %v", hf.Last("loss"), hp.Last("loss"))
	}
}

// TestSequentialAsLayer nests a model in another: the inner one runs through Call and
// autodiff, the outer one's Dense through its kernel.
func TestSequentialAsLayer(t *testing.T) {
	dl.SetSeed(4)
	inner := dl.NewSequential(layers.Flatten(), layers.Dense(8, layers.ReLU))
	inner.SetName("features")
	outer := dl.NewSequential(inner, layers.Dense(2, layers.Softmax))
	outer.Compile(optimizers.SGDWithRate(0.3), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	x := dl.RandomUniform(-1, 1, 64, 2, 3)
	labels := make([]int, 64)
	for i := range labels {
		if x.At(i, 0, 0) > 0 {
			labels[i] = 1
		}
	}
	h := outer.Fit(x, dl.FromInts(labels), dl.Epochs(20), dl.Verbose(0))
	if l := h.Get("loss"); l[len(l)-1] >= l[0] {
		t.Errorf("loss did not decrease: %v", l)
	}
	if h.Last("accuracy") < 0.8 {
		t.Errorf("accuracy %v on a linearly separable problem", h.Last("accuracy"))
	}
	if s := outer.SummaryString(); !strings.Contains(s, "features (Sequential)        (None, 8)                 56        \n") {
		t.Errorf("summary:\n%s", s)
	}
}

func TestHistoryAndModelRender(t *testing.T) {
	dl.SetSeed(2)
	m := compile(dl.NewSequential(layers.Dense(2, layers.Softmax)))
	m.SetName("tiny")
	if got := m.String(); got != `<Sequential "tiny": 1 layers>` {
		t.Errorf("unbuilt String() = %s", got)
	}
	h := m.Fit(dl.RandomUniform(0, 1, 8, 3), dl.FromInts(make([]int, 8)), dl.Epochs(2), dl.Verbose(0))
	if got := m.String(); got != `<Sequential "tiny": 1 layers, 8 params>` {
		t.Errorf("String() = %s", got)
	}
	if s := h.HTML(); !strings.Contains(s, "<th>loss</th><th>accuracy</th>") || strings.Count(s, "<tr><td>") != 2 {
		t.Errorf("History.HTML():\n%s", s)
	}
	if s := h.String(); !strings.HasPrefix(s, "History: 2 epochs\nepoch     loss  accuracy\n    1  ") {
		t.Errorf("History.String():\n%s", s)
	}
}

// TestFrozenWeightsStayFixed freezes the first Dense of a model after it trained once:
// Fit must leave its weights alone (the fused SGD path included) and train the rest.
func TestFrozenWeightsStayFixed(t *testing.T) {
	dl.SetSeed(6)
	m := compile(dl.NewSequential(layers.Dense(4, layers.ReLU), layers.Dense(2, layers.Softmax)))
	x, y := dl.RandomUniform(0, 1, 64, 3), dl.FromInts(make([]int, 64))
	m.Fit(x, y, dl.Verbose(0))
	frozen := m.GetLayer(m.Layers()[0].Name()).Weights()
	if m.GetLayer("no such layer") != nil {
		t.Error("GetLayer found a layer that does not exist")
	}
	for _, w := range frozen {
		w.SetTrainable(false)
	}
	before := frozen[0].Float32s()
	head := m.Layers()[1].Weights()[0].Float32s()
	m.Fit(x, y, dl.Verbose(0))
	if !equal(before, frozen[0].Float32s()) {
		t.Error("a frozen kernel changed")
	}
	if equal(head, m.Layers()[1].Weights()[0].Float32s()) {
		t.Error("the trainable head did not change")
	}
	if got := m.SummaryString(); !strings.Contains(got, "Trainable params: 10\nNon-trainable params: 16\n") {
		t.Errorf("summary:\n%s", got)
	}
}

func TestValidationSplitHoldsOutTheLastSamples(t *testing.T) {
	m := compile(dl.NewSequential(layers.Dense(2, layers.Softmax)))
	x, y := dl.RandomUniform(0, 1, 100, 3), dl.FromInts(make([]int, 100))
	var out bytes.Buffer
	h := m.Fit(x, y, dl.ValidationSplit(0.2), dl.Verbose(2), dl.LogTo(&out))
	if !strings.HasPrefix(out.String(), "Train on 80 samples, validate on 20 samples\n80/80 - ") {
		t.Errorf("log:\n%s", out.String())
	}
	if len(h.Get("val_loss")) != 1 {
		t.Errorf("History keys %v", h.Keys())
	}
}

// softmaxLayer is a Layer without a Kernel, as a cell would write one.
type softmaxLayer struct{}

func (softmaxLayer) Name() string                                { return "my_softmax" }
func (softmaxLayer) ClassName() string                           { return "MySoftmax" }
func (softmaxLayer) Build(inputShape []int)                      {}
func (softmaxLayer) Call(x *dl.Tensor, training bool) *dl.Tensor { return x.Softmax() }
func (softmaxLayer) OutputShape(inputShape []int) []int          { return inputShape }
func (softmaxLayer) Weights() []*dl.Tensor                       { return nil }

// TestLastLayerWithoutKernel trains a model whose output layer runs through autodiff, so
// that the loss is differentiated on probabilities, and compares it with the same model
// ending in Dense(…, Softmax) and the fused loss.
func TestLastLayerWithoutKernel(t *testing.T) {
	x, labels := dl.RandomUniform(-1, 1, 64, 5), make([]int, 64)
	for i := range labels {
		labels[i] = i % 3
	}
	y := dl.FromInts(labels)
	dl.SetSeed(8)
	a := compile(dl.NewSequential(layers.Dense(3)))
	a.Add(softmaxLayer{})
	dl.SetSeed(8)
	b := compile(dl.NewSequential(layers.Dense(3, layers.Softmax)))
	dl.SetSeed(9)
	ha := a.Fit(x, y, dl.Epochs(3), dl.Verbose(0))
	dl.SetSeed(9)
	hb := b.Fit(x, y, dl.Epochs(3), dl.Verbose(0))
	if !closeTo(a.Weights()[0].Float32s(), b.Weights()[0].Float32s(), 1e-5) {
		t.Errorf("weights differ:\n%v\n%v", a.Weights()[0], b.Weights()[0])
	}
	if d := ha.Last("loss") - hb.Last("loss"); d > 1e-5 || d < -1e-5 {
		t.Errorf("loss %v vs fused %v", ha.Last("loss"), hb.Last("loss"))
	}
}

func closeTo(a, b []float32, tol float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// TestSparseInputSGDMatchesPlain trains an MLP on inputs with many all-zero features, where
// Dense multiplies only the non-zero columns and updates only their weight rows, and
// compares it with plain training.
func TestSparseInputSGDMatchesPlain(t *testing.T) {
	dl.SetSeed(21)
	const k = 800
	x := dl.RandomUniform(0, 1, 96, k)
	d := x.Data()
	for r := 0; r < 96; r++ {
		for j := 0; j < k; j++ {
			if j%3 != 0 || r%5 == 0 && j%9 == 0 { // two thirds of the columns are zero in each batch
				d[r*k+j] = 0
			}
		}
	}
	labels := make([]int, 96)
	for i := range labels {
		labels[i] = i % 3
	}
	y := dl.FromInts(labels)
	build := func(wrap bool) *dl.Sequential {
		dl.SetSeed(22)
		m := dl.NewSequential()
		for _, l := range []dl.Layer{layers.Dense(128, layers.ReLU), layers.Dense(3, layers.Softmax)} {
			if wrap {
				l = unfused{l, l.(dl.Kernel)}
			}
			m.Add(l)
		}
		return compile(m)
	}
	fused, plain := build(false), build(true)
	dl.SetSeed(23)
	fused.Fit(x, y, dl.Epochs(3), dl.Verbose(0))
	dl.SetSeed(23)
	plain.Fit(x, y, dl.Epochs(3), dl.Verbose(0))
	for i, w := range fused.Weights() {
		if !closeTo(w.Float32s(), plain.Weights()[i].Float32s(), 1e-5) {
			t.Fatalf("%s differs between sparse fused and plain training", w.Name())
		}
	}
}
