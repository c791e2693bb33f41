package dl_test

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
	"godl.dev/godl/dl/regularizers"
)

func ts(t ...*dl.Tensor) []*dl.Tensor { return t }

// TestFunctionalSummary checks the functional layout of tf.keras 2.0 (98 columns, stops 32,
// 53, 65, 98, "Connected to" with a merge's second input on a continuation line) on a
// branching model, and the Sequential layout of a chain, InputLayer row included.
func TestFunctionalSummary(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	x := dl.Input(8)
	a := dl.Apply(layers.Dense(4, layers.ReLU), x)
	b := dl.Apply(layers.Dense(4), x)
	s := dl.Apply(layers.Add(), a, b)
	y := dl.Apply(layers.Dense(2, layers.Softmax), s)
	m := dl.NewModel(ts(x), ts(y))
	want := `Model: "model"
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to                     
==================================================================================================
input_1 (InputLayer)            [(None, 8)]          0                                            
__________________________________________________________________________________________________
dense (Dense)                   (None, 4)            36          input_1[0][0]                    
__________________________________________________________________________________________________
dense_1 (Dense)                 (None, 4)            36          input_1[0][0]                    
__________________________________________________________________________________________________
add (Add)                       (None, 4)            0           dense[0][0]                      
                                                                 dense_1[0][0]                    
__________________________________________________________________________________________________
dense_2 (Dense)                 (None, 2)            10          add[0][0]                        
==================================================================================================
Total params: 82
Trainable params: 82
Non-trainable params: 0
__________________________________________________________________________________________________
`
	if got := m.SummaryString(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	var names []string
	for _, l := range m.Layers() {
		names = append(names, l.Name())
	}
	if got := strings.Join(names, ","); got != "input_1,dense,dense_1,add,dense_2" {
		t.Errorf("layers %s", got)
	}
	if got := dl.ShapeString(m.Output().Shape()); got != "(None, 2)" || !m.Output().Symbolic() {
		t.Errorf("output shape %s", got)
	}

	x2 := dl.Input(28, 28, 1)
	h := dl.Apply(layers.Conv2D(2, 3), x2)
	h = dl.Apply(layers.Flatten(), h)
	chain := dl.NewModel(ts(x2), ts(dl.Apply(layers.Dense(3), h)), "chain")
	want = `Model: "chain"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
input_2 (InputLayer)         [(None, 28, 28, 1)]       0         
_________________________________________________________________
conv2d (Conv2D)              (None, 26, 26, 2)         20        
_________________________________________________________________
flatten (Flatten)            (None, 1352)              0         
_________________________________________________________________
dense_3 (Dense)              (None, 3)                 4059      
=================================================================
Total params: 4,079
Trainable params: 4,079
Non-trainable params: 0
_________________________________________________________________
`
	if got := chain.SummaryString(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

// branching builds a graph with fan-out (x and a feed several layers), a layer with
// weights shared by two calls (autodiff), a shared layer without weights (a copy's kernel
// per call), and both merge layers: every kind of stage of the schedule.
func branching() (*dl.Model, []dl.Layer) {
	x := dl.Input(6)
	dA := layers.Dense(6, layers.Tanh)
	shared := layers.Dense(6, layers.Sigmoid)
	act := layers.Activate(layers.Tanh)
	a := dl.Apply(dA, x)
	b1 := dl.Apply(act, dl.Apply(shared, x))
	b2 := dl.Apply(shared, a)
	c := dl.Apply(act, dl.Apply(layers.Add(), b1, b2, a))
	cat := dl.Apply(layers.Concatenate(-1), c, x)
	out := layers.Dense(3, layers.Softmax)
	y := dl.Apply(out, cat)
	return dl.NewModel(ts(x), ts(y)), []dl.Layer{dA, shared, out}
}

func smallData(n, features, classes int) (*dl.Tensor, *dl.Tensor) {
	x := dl.RandomUniform(-1, 1, n, features)
	lab := make([]int, n)
	for i := range lab {
		lab[i] = i % classes
	}
	return x, dl.FromInts(lab)
}

// TestFunctionalGradients checks the schedule's gradients (compiled kernels, autodiff for
// the shared layer, merge kernels, sums where tensors fan out, fused softmax) against
// autodiff of Call and against finite differences of the loss.
func TestFunctionalGradients(t *testing.T) {
	dl.SetSeed(3)
	m, _ := branching()
	x, y := smallData(8, 6, 3)
	ws := m.Weights()
	before := make([]*dl.Tensor, len(ws))
	for i, w := range ws {
		before[i] = w.Detach().Clone()
	}
	lossOf := func() float64 {
		var l *dl.Tensor
		dl.NoGrad(func() { l = losses.SparseCategoricalCrossentropy.Compute(y, m.Call(x, false)) })
		return l.Item()
	}
	// Reference gradients: autodiff of Call.
	l := losses.SparseCategoricalCrossentropy.Compute(y, m.Call(x, true))
	ref := dl.Gradients(l, ws)
	// Finite differences on a few elements of each weight, in float64 around float32 values.
	const eps = 1e-2
	for i, w := range ws {
		d := w.Data()
		for _, j := range []int{0, len(d) / 2, len(d) - 1} {
			old := d[j]
			d[j] = old + eps
			lp := lossOf()
			d[j] = old - eps
			lm := lossOf()
			d[j] = old
			fd := (lp - lm) / (2 * eps)
			if g := float64(ref[i].Data()[j]); math.Abs(g-fd) > 2e-3+0.02*math.Abs(fd) {
				t.Errorf("weight %s[%d]: autodiff %v, finite difference %v", w.Name(), j, g, fd)
			}
		}
	}
	// One Fit step of plain SGD with lr 1 moves each weight by minus its gradient.
	m.Compile(optimizers.SGDWithRate(1), losses.SparseCategoricalCrossentropy)
	h := m.Fit(x, y, dl.BatchSize(8), dl.Verbose(0), dl.Shuffle(false))
	if got := h.Get("loss")[0]; math.Abs(got-l.Item()) > 1e-5 {
		t.Errorf("Fit loss %v, Call loss %v", got, l.Item())
	}
	for i, w := range ws {
		got, b, r := w.Data(), before[i].Data(), ref[i].Data()
		for j := range got {
			if g := b[j] - got[j]; math.Abs(float64(g-r[j])) > 1e-5 {
				t.Fatalf("weight %s[%d]: Fit's gradient %v, autodiff %v", w.Name(), j, g, r[j])
			}
		}
	}
}

// TestSequentialAndModelTrainAlike trains the same MLP as a Sequential (its compiled fast
// path) and as a functional Model from the same weights and data order: the losses and the
// weights agree.
func TestSequentialAndModelTrainAlike(t *testing.T) {
	x, y := smallData(96, 12, 4)
	for _, opt := range []func() dl.Optimizer{
		func() dl.Optimizer { return optimizers.SGD() },
		func() dl.Optimizer { return optimizers.Adam() },
	} {
		seq := dl.NewSequential(layers.Dense(16, layers.ReLU), layers.Dense(4, layers.Softmax))
		seq.Build([]int{-1, 12})
		in := dl.Input(12)
		mod := dl.NewModel(ts(in), ts(dl.Apply(layers.Dense(4, layers.Softmax), dl.Apply(layers.Dense(16, layers.ReLU), in))))
		for i, w := range mod.Weights() {
			w.CopyFrom(seq.Weights()[i])
		}
		seq.Compile(opt(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		mod.Compile(opt(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		dl.SetSeed(7)
		hs := seq.Fit(x, y, dl.Epochs(3), dl.BatchSize(16), dl.Verbose(0))
		dl.SetSeed(7)
		hm := mod.Fit(x, y, dl.Epochs(3), dl.BatchSize(16), dl.Verbose(0))
		for e := range 3 {
			if a, b := hs.Get("loss")[e], hm.Get("loss")[e]; math.Abs(a-b) > 1e-5 {
				t.Errorf("%s epoch %d: Sequential loss %v, Model %v", seq.Optimizer().Name(), e, a, b)
			}
		}
		for i, w := range mod.Weights() {
			a, b := seq.Weights()[i].Data(), w.Data()
			for j := range a {
				if math.Abs(float64(a[j]-b[j])) > 1e-5 {
					t.Fatalf("%s weight %d[%d]: %v vs %v", seq.Optimizer().Name(), i, j, a[j], b[j])
				}
			}
		}
		ps, pm := seq.Predict(x), mod.Predict(x)
		if d := maxDiff(ps, pm); d > 1e-5 {
			t.Errorf("predictions differ by %v", d)
		}
		if d := maxDiff(mod.PredictOnBatch(x), pm); d > 1e-6 {
			t.Errorf("PredictOnBatch differs from Predict by %v", d)
		}
		es, em := seq.Evaluate(x, y, dl.Verbose(0)), mod.Evaluate(x, y, dl.Verbose(0))
		if math.Abs(es[0]-em[0]) > 1e-5 || es[1] != em[1] {
			t.Errorf("Evaluate: %v vs %v", es, em)
		}
	}
}

func maxDiff(a, b *dl.Tensor) float64 {
	var d float64
	for i, v := range a.Data() {
		d = max(d, math.Abs(float64(v-b.Data()[i])))
	}
	return d
}

// TestNestedAndGraftedModels nests a Sequential in a Model and a Model in a Sequential,
// cuts a feature extractor out of a model and grafts a new head on it: the layer objects
// and weights are shared, and training the grafted model moves the base's weights.
func TestNestedAndGraftedModels(t *testing.T) {
	dl.SetSeed(1)
	x, y := smallData(64, 10, 3)
	in := dl.Input(10)
	inner := dl.NewSequential(layers.Dense(8, layers.ReLU))
	h := dl.Apply(inner, in)
	feat := dl.Apply(layers.Dense(6, layers.ReLU, layers.Name("features")), h)
	out := dl.Apply(layers.Dense(3, layers.Softmax), feat)
	base := dl.NewModel(ts(in), ts(out))
	if got := dl.ShapeString(base.Output().Shape()); got != "(None, 3)" {
		t.Fatalf("output %s", got)
	}
	extractor := dl.NewModel(base.Inputs(), ts(dl.LayerOutput(base.GetLayer("features"))))
	if len(extractor.Layers()) != 3 || extractor.GetLayer("features") != base.GetLayer("features") {
		t.Fatalf("extractor layers %v", extractor.Layers())
	}
	head := dl.Apply(layers.Dense(5, layers.Softmax), extractor.Output())
	grafted := dl.NewModel(extractor.Inputs(), ts(head))
	if grafted.CountParams() != extractor.CountParams()+6*5+5 {
		t.Errorf("grafted params %d, extractor %d", grafted.CountParams(), extractor.CountParams())
	}
	w0 := inner.Weights()[0].Detach().Clone()
	grafted.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy)
	grafted.Fit(x, y, dl.Epochs(1), dl.Verbose(0))
	if maxDiff(w0, inner.Weights()[0]) == 0 {
		t.Error("training the grafted model left the shared base's weights unchanged")
	}
	// The whole model inside a Sequential, then trained there.
	outer := dl.NewSequential(base, layers.Dense(2, layers.Softmax))
	outer.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy)
	h1 := outer.Fit(x, dl.FromInts(make([]int, 64)), dl.Epochs(3), dl.Verbose(0))
	if l := h1.Get("loss"); !(l[2] < l[0]) {
		t.Errorf("nested model does not learn: %v", l)
	}
	row := fmt.Sprintf("%-29s%-26s%-10s\n", base.Name()+" (Model)", "(None, 3)", "163")
	if s := outer.SummaryString(); !strings.Contains(s, row) {
		t.Errorf("summary:\n%s", s)
	}
}

// TestExtraLossesAndFreezing: layer losses (regularizers) are added to Fit's loss and its
// gradients, Losses collects them through nested models, and a frozen layer's weights stay
// put while the trainable counts follow.
func TestExtraLossesAndFreezing(t *testing.T) {
	dl.SetSeed(2)
	x, y := smallData(32, 5, 2)
	reg := layers.Dense(4, layers.KernelRegularizer(regularizers.L2(0.5)))
	in := dl.Input(5)
	out := layers.Dense(2, layers.Softmax)
	m := dl.NewModel(ts(in), ts(dl.Apply(out, dl.Apply(reg, in))))
	var sq float64
	for _, v := range reg.Kernel().Data() {
		sq += float64(v) * float64(v)
	}
	ls := m.Losses()
	if len(ls) != 1 || math.Abs(ls[0].Item()-0.5*sq) > 1e-4 {
		t.Fatalf("losses %v, want [%v]", ls, 0.5*sq)
	}
	nested := dl.NewSequential(m)
	if len(nested.Losses()) != 1 {
		t.Errorf("nested losses %v", nested.Losses())
	}
	m.Compile(optimizers.SGDWithRate(0), losses.SparseCategoricalCrossentropy)
	h := m.Fit(x, y, dl.BatchSize(32), dl.Verbose(0))
	var ce *dl.Tensor
	dl.NoGrad(func() { ce = losses.SparseCategoricalCrossentropy.Compute(y, m.Predict(x)) })
	if got, want := h.Get("loss")[0], ce.Item()+0.5*sq; math.Abs(got-want) > 1e-4 {
		t.Errorf("Fit loss %v, want cross-entropy + penalty %v", got, want)
	}
	if ev := m.Evaluate(x, y, dl.Verbose(0)); math.Abs(ev[0]-h.Get("loss")[0]) > 1e-4 {
		t.Errorf("Evaluate loss %v, Fit %v", ev[0], h.Get("loss")[0])
	}
	// Freezing.
	reg.SetTrainable(false)
	k0 := reg.Kernel().Detach().Clone()
	o0 := out.Kernel().Detach().Clone()
	if len(m.TrainableWeights()) != 2 || len(m.NonTrainableWeights()) != 2 {
		t.Fatalf("trainable %d, non-trainable %d", len(m.TrainableWeights()), len(m.NonTrainableWeights()))
	}
	m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy)
	m.Fit(x, y, dl.Verbose(0))
	if maxDiff(k0, reg.Kernel()) != 0 || maxDiff(o0, out.Kernel()) == 0 {
		t.Error("the frozen layer moved, or the trainable one did not")
	}
	if s := m.SummaryString(); !strings.Contains(s, "Trainable params: 10\nNon-trainable params: 24\n") {
		t.Errorf("summary:\n%s", s)
	}
	reg.SetTrainable(true)
	m.Fit(x, y, dl.Verbose(0))
	if maxDiff(k0, reg.Kernel()) == 0 {
		t.Error("unfreezing did not rebuild the runner: the layer stays frozen")
	}
}

// TestFunctionalErrors: misuse names the layer or the model and says what to do.
func TestFunctionalErrors(t *testing.T) {
	x := dl.Input(4)
	other := dl.Input(4)
	y := dl.Apply(layers.Add(), x, other)
	for name, f := range map[string]func(){
		"disconnected": func() { dl.NewModel(ts(x), ts(y)) },
		"two inputs":   func() { dl.Apply(layers.Dense(2), x, other) },
		"mixed":        func() { dl.Apply(layers.Add(), x, dl.Zeros(1, 4)) },
		"not input":    func() { dl.NewModel(ts(y), ts(y)) },
		"wrong shape": func() {
			m := dl.NewModel(ts(x), ts(dl.Apply(layers.Dense(2), x)))
			m.Predict(dl.Zeros(3, 5))
		},
	} {
		err := dl.Maybe(f)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		t.Logf("%s: %v", name, err)
	}
	// Apply on tensors with data computes at once.
	d := layers.Dense(3)
	if got := dl.Apply(d, dl.Ones(2, 4)).Shape(); got[0] != 2 || got[1] != 3 || d.Kernel() == nil {
		t.Errorf("eager Apply: %v", got)
	}
}

// lenetBody is a subclassed LeNet-5 as in ch3_nb2: one pooling layer used twice, fields
// unexported.
type lenetBody struct {
	conv1, conv2    dl.Layer
	pool            dl.Layer
	flatten         dl.Layer
	d1, d2, d3      dl.Layer
	callsInTraining int
}

func (m *lenetBody) Call(x *dl.Tensor, training bool) *dl.Tensor {
	if training {
		m.callsInTraining++
	}
	x = m.pool.Call(m.conv1.Call(x, training), training)
	x = m.pool.Call(m.conv2.Call(x, training), training)
	x = m.flatten.Call(x, training)
	return m.d3.Call(m.d2.Call(m.d1.Call(x, training), training), training)
}

// TestSubclassedModel: the book's LeNet5 subclass summary (shared pooling listed once,
// "multiple" shapes, the parameter counts of §1.3) and training through Call.
func TestSubclassedModel(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	body := &lenetBody{
		conv1:   layers.Conv2D(6, 5, layers.Same, layers.ReLU),
		conv2:   layers.Conv2D(16, 5, layers.ReLU),
		pool:    layers.MaxPooling2D(2),
		flatten: layers.Flatten(),
		d1:      layers.Dense(120, layers.ReLU),
		d2:      layers.Dense(84, layers.ReLU),
		d3:      layers.Dense(10, layers.Softmax),
	}
	m := dl.Subclass("LeNet5", body)
	m.CompileNames("sgd", "sparse_categorical_crossentropy", "accuracy")
	m.Build([]int{-1, 28, 28, 1})
	want := `Model: "le_net5"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d (Conv2D)              multiple                  156       
_________________________________________________________________
conv2d_1 (Conv2D)            multiple                  2416      
_________________________________________________________________
max_pooling2d (MaxPooling2D) multiple                  0         
_________________________________________________________________
flatten (Flatten)            multiple                  0         
_________________________________________________________________
dense (Dense)                multiple                  48120     
_________________________________________________________________
dense_1 (Dense)              multiple                  10164     
_________________________________________________________________
dense_2 (Dense)              multiple                  850       
=================================================================
Total params: 61,706
Trainable params: 61,706
Non-trainable params: 0
_________________________________________________________________
`
	if got := m.SummaryString(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	dl.SetSeed(4)
	x := dl.RandomUniform(0, 1, 64, 28, 28, 1)
	lab := make([]int, 64)
	for i := range lab {
		lab[i] = i % 2
	}
	m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	h := m.Fit(x, dl.FromInts(lab), dl.Epochs(3), dl.Verbose(0))
	// The first step traces Call; the next five run the traced graph's kernels.
	if l := h.Get("loss"); !(l[2] < l[0]) || body.callsInTraining != 1 {
		t.Errorf("losses %v, training calls %d", l, body.callsInTraining)
	}
	if p := m.Predict(x.Slice(0, 3)); !p.HasShape(3, 10) {
		t.Errorf("predict shape %v", p.Shape())
	}
	// A subclassed model is a layer of a functional model too.
	in := dl.Input(28, 28, 1)
	outer := dl.NewModel(ts(in), ts(dl.Apply(m, in)))
	if outer.CountParams() != 61706 || dl.ShapeString(outer.Output().Shape()) != "(None, 10)" {
		t.Errorf("outer params %d, output %v", outer.CountParams(), outer.Output().Shape())
	}
}

// TestDroppedModelsAreCollected: the record of layer calls does not keep a model's layers
// (and their weights and buffers) alive once the notebook drops the model.
func TestDroppedModelsAreCollected(t *testing.T) {
	collected := make(chan bool, 1)
	func() {
		d := layers.Dense(4)
		runtime.AddCleanup(d, func(int) { collected <- true }, 0)
		x := dl.Input(3)
		m := dl.NewModel(ts(x), ts(dl.Apply(d, x)))
		if len(m.Layers()) != 2 {
			t.Fatal(m.Layers())
		}
	}()
	for range 20 {
		runtime.GC()
		select {
		case <-collected:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Error("a dropped model's layer was never collected")
}

// TestPlainSGDStaysFused: Dense layers without regularizers are LossLayers with no losses;
// Sequential keeps folding plain SGD into their backward pass (their Grad stays nil), and
// turns the fusion off once a layer has a penalty whose gradient must be added.
func TestPlainSGDStaysFused(t *testing.T) {
	x, y := smallData(32, 6, 2)
	for _, reg := range []bool{false, true} {
		var opts []layers.Option
		if reg {
			opts = append(opts, layers.KernelRegularizer(regularizers.L2(0.1)))
		}
		m := dl.NewSequential(layers.Dense(4, append(opts, layers.ReLU)...), layers.Dense(2, layers.Softmax))
		m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy)
		m.Fit(x, y, dl.Verbose(0))
		if fused := m.Weights()[0].Grad() == nil; fused == reg {
			t.Errorf("regularized %v: fused SGD %v", reg, fused)
		}
		in := dl.Input(6)
		fm := dl.NewModel(ts(in), ts(dl.Apply(layers.Dense(2, layers.Softmax), dl.Apply(layers.Dense(4, append(opts, layers.ReLU)...), in))))
		fm.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy)
		fm.Fit(x, y, dl.Verbose(0))
		if fused := fm.Weights()[0].Grad() == nil; fused == reg {
			t.Errorf("functional, regularized %v: fused SGD %v", reg, fused)
		}
	}
}

// chainBody calls its layers in order; with scale set it also multiplies between two
// layers, a tensor operation that a trace cannot follow.
type chainBody struct {
	ls    []dl.Layer
	scale bool
	calls int
}

func (c *chainBody) Call(x *dl.Tensor, training bool) *dl.Tensor {
	c.calls++
	for i, l := range c.ls {
		x = l.Call(x, training)
		if c.scale && i == 0 {
			x = x.MulScalar(1)
		}
	}
	return x
}

// TestTracedSubclassTrainsLikeSequential: a subclassed model trained through its traced
// graph (kernels) and one that cannot be traced (autodiff of Call) both follow the
// Sequential of the same layers and weights epoch for epoch.
func TestTracedSubclassTrainsLikeSequential(t *testing.T) {
	x, y := smallData(64, 8, 3)
	mk := func() []dl.Layer {
		return []dl.Layer{layers.Dense(16, layers.ReLU), layers.Dense(8, layers.Tanh), layers.Dense(3, layers.Softmax)}
	}
	seq := dl.NewSequential(mk()...)
	seq.Build([]int{-1, 8})
	var w0 []*dl.Tensor
	for _, w := range seq.Weights() {
		w0 = append(w0, w.Detach().Clone())
	}
	seq.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	dl.SetSeed(5)
	hs := seq.Fit(x, y, dl.Epochs(3), dl.BatchSize(16), dl.Verbose(0))
	ps := seq.Predict(x)
	for _, scale := range []bool{false, true} {
		body := &chainBody{ls: mk(), scale: scale}
		m := dl.Subclass("Chain", body)
		m.Build([]int{-1, 8})
		for i, w := range m.Weights() {
			w.CopyFrom(w0[i])
		}
		m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		dl.SetSeed(5)
		body.calls = 0
		hm := m.Fit(x, y, dl.Epochs(3), dl.BatchSize(16), dl.Verbose(0))
		for e := range 3 {
			if a, b := hs.Get("loss")[e], hm.Get("loss")[e]; math.Abs(a-b) > 1e-5 {
				t.Errorf("scale %v epoch %d: Sequential loss %v, subclassed %v", scale, e, a, b)
			}
		}
		if traced := body.calls == 1; traced == scale {
			t.Errorf("scale %v: Call ran %d times in 12 steps", scale, body.calls)
		}
		if d := maxDiff(ps, m.Predict(x)); d > 1e-5 {
			t.Errorf("scale %v: predictions differ by %v", scale, d)
		}
	}
}

// TestFunctionalCNNMatchesSequential: a small CNN as a Sequential and as a functional model
// from the same weights trains alike with plain SGD, where both fold the update into the
// kernels and move the convolution's ReLU mask to the pooling.
func TestFunctionalCNNMatchesSequential(t *testing.T) {
	dl.SetSeed(8)
	x := dl.RandomUniform(0, 1, 32, 8, 8, 1)
	_, y := smallData(32, 1, 3)
	mk := func() []dl.Layer {
		return []dl.Layer{layers.Conv2D(3, 3, layers.ReLU), layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(3, layers.Softmax)}
	}
	seq := dl.NewSequential(mk()...)
	seq.Build([]int{-1, 8, 8, 1})
	in := dl.Input(8, 8, 1)
	h := in
	for _, l := range mk() {
		h = dl.Apply(l, h)
	}
	fm := dl.NewModel(ts(in), ts(h))
	for i, w := range fm.Weights() {
		w.CopyFrom(seq.Weights()[i])
	}
	var hist [2]*dl.History
	for i, m := range []interface {
		Compile(dl.Optimizer, dl.Loss, ...dl.Metric)
		Fit(x, y *dl.Tensor, opts ...dl.Option) *dl.History
	}{seq, fm} {
		m.Compile(optimizers.SGDWithRate(0.1), losses.SparseCategoricalCrossentropy)
		dl.SetSeed(9)
		hist[i] = m.Fit(x, y, dl.Epochs(3), dl.BatchSize(8), dl.Verbose(0))
	}
	for e := range 3 {
		if a, b := hist[0].Get("loss")[e], hist[1].Get("loss")[e]; math.Abs(a-b) > 1e-5 {
			t.Errorf("epoch %d: Sequential loss %v, functional %v", e, a, b)
		}
	}
	if d := maxDiff(seq.Weights()[0], fm.Weights()[0]); d > 1e-5 {
		t.Errorf("conv kernels differ by %v", d)
	}
}

// TestSequentialWithInputLayer: an InputLayer first in a Sequential declares the input
// shape (the model is built at once) and is not listed, as in Keras.
func TestSequentialWithInputLayer(t *testing.T) {
	m := dl.NewSequential(dl.NewInputLayer(28, 28, 1), layers.Flatten(), layers.Dense(10, layers.Softmax))
	if !m.Built() || len(m.Layers()) != 2 || m.CountParams() != 7850 {
		t.Errorf("built %v, layers %d, params %d", m.Built(), len(m.Layers()), m.CountParams())
	}
	if err := dl.Maybe(func() { dl.NewSequential(layers.Flatten(), dl.NewInputLayer(4)) }); err == nil {
		t.Error("an InputLayer after another layer was accepted")
	}
}
