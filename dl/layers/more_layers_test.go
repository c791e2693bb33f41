package layers_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/regularizers"
)

// TestNewKernelsMatchCall checks the layers of this session like TestKernelMatchesCall: the
// compiled pass and autodiff through Call give the same outputs and gradients.
func TestNewKernelsMatchCall(t *testing.T) {
	tests := []struct {
		desc     string
		l        layer
		input    []int
		training bool
	}{
		{"batchnorm training 4-D", layers.BatchNormalization(), []int{3, 2, 3, 4}, true},
		{"batchnorm training 2-D", layers.BatchNormalization(), []int{5, 3}, true},
		{"batchnorm inference", layers.BatchNormalization(), []int{2, 3, 2, 3}, false},
		{"avgpool 2", layers.AveragePooling2D(2), []int{2, 4, 6, 3}, true},
		{"avgpool 3 stride 2 same", layers.AveragePooling2D(3, layers.Strides(2, 2), layers.Same), []int{1, 5, 5, 2}, true},
		{"global avgpool", layers.GlobalAveragePooling2D(), []int{2, 3, 4, 5}, true},
		{"zero padding 1", layers.ZeroPadding2D(1), []int{2, 3, 4, 2}, true},
		{"zero padding sides", layers.ZeroPadding2DSides(0, 2, 1, 0), []int{1, 2, 3, 2}, true},
		{"reshape", layers.Reshape([]int{3, -1}), []int{2, 2, 3, 2}, true},
		{"activation relu", layers.Activate(layers.ReLU), []int{3, 5}, true},
		{"activation sigmoid", layers.Activate(layers.Sigmoid), []int{3, 5}, true},
		{"activation tanh", layers.Activate(layers.Tanh), []int{2, 2, 3}, true},
		{"activation softmax", layers.Activate(layers.Softmax), []int{3, 4}, true},
		{"activation linear", layers.Activate(layers.Linear), []int{3, 4}, true},
		{"dropout inference", layers.Dropout(0.5), []int{3, 4}, false},
	}
	for _, tc := range tests {
		dl.SetSeed(7)
		tc.l.Build(append([]int{-1}, tc.input[1:]...))
		for _, w := range tc.l.Weights() { // non-trivial gamma and beta
			d := w.Data()
			for i := range d {
				d[i] += 0.1 * float32(i%3)
			}
		}
		x := dl.RandomUniform(-1, 1, tc.input...)
		y := tc.l.Forward(x, tc.training)
		if want := tc.l.OutputShape(append([]int{-1}, tc.input[1:]...)); !sameTail(y.Shape(), want) {
			t.Errorf("%s: Forward shape %v, OutputShape %v", tc.desc, y.Shape(), want)
		}
		r := dl.RandomUniform(-1, 1, y.Shape()...)
		yk := y.Float32s()
		dxk := tc.l.Backward(r, true).Float32s()
		var gk [][]float32
		for _, w := range tc.l.Weights() {
			if w.Grad() != nil {
				gk = append(gk, w.Grad().Float32s())
			} else {
				gk = append(gk, nil)
			}
			w.ZeroGrad()
		}
		xa := x.Clone().RequireGrad()
		ya := tc.l.Call(xa, tc.training)
		ya.Mul(r).Sum().Backward()
		if !close(yk, ya.Float32s()) {
			t.Errorf("%s: Forward and Call outputs differ:\n%v\n%v", tc.desc, yk, ya.Float32s())
			continue
		}
		if !close(dxk, xa.Grad().Float32s()) {
			t.Errorf("%s: Backward dx differs from autodiff:\n%v\n%v", tc.desc, dxk, xa.Grad().Float32s())
		}
		for i, w := range tc.l.Weights() {
			if !w.Trainable() {
				continue
			}
			if w.Grad() == nil || !close(gk[i], w.Grad().Float32s()) {
				t.Errorf("%s: gradient of %s differs:\n%v\n%v", tc.desc, w.Name(), gk[i], w.Grad())
			}
		}
		if tc.l.Backward(r, false) != nil {
			t.Errorf("%s: Backward(needDx=false) returned dx", tc.desc)
		}
	}
}

// TestBatchNormGradientFiniteDifferences checks the compiled training-mode backward of
// batch normalization, whose gradient flows through the batch statistics, against central
// differences of Σ r·y.
func TestBatchNormGradientFiniteDifferences(t *testing.T) {
	dl.SetSeed(1)
	l := layers.BatchNormalization()
	l.Build([]int{-1, 2, 2, 3})
	copy(l.Gamma().Data(), []float32{1.5, -0.5, 2})
	copy(l.Beta().Data(), []float32{0.1, 0.2, -0.3})
	x := dl.RandomUniform(-2, 2, 2, 2, 2, 3)
	r := dl.RandomUniform(-1, 1, 2, 2, 2, 3)
	loss := func() float64 {
		var s float64
		for i, v := range l.Forward(x, true).Float32s() {
			s += float64(v) * float64(r.Data()[i])
		}
		return s
	}
	loss()
	dx := l.Backward(r, true).Float32s()
	dg := l.Gamma().Grad().Float32s()
	const h = 1e-2
	check := func(what string, v []float32, i int, analytic float32) {
		old := v[i]
		v[i] = old + h
		up := loss()
		v[i] = old - h
		down := loss()
		v[i] = old
		num := (up - down) / (2 * h)
		if math.Abs(num-float64(analytic)) > 2e-3*math.Max(1, math.Abs(num)) {
			t.Errorf("%s[%d]: analytic %v, numeric %v", what, i, analytic, num)
		}
	}
	for i := range x.Data() {
		check("dx", x.Data(), i, dx[i])
	}
	for i := range l.Gamma().Data() {
		check("dgamma", l.Gamma().Data(), i, dg[i])
	}
}

// TestBatchNormValues checks both modes against a hand computation: two channels, a batch of
// four values per channel.
func TestBatchNormValues(t *testing.T) {
	for _, fourD := range []bool{false, true} {
		l := layers.BatchNormalization()
		shape := []int{4, 2}
		if fourD {
			shape = []int{1, 2, 2, 2}
		}
		l.Build(append([]int{-1}, shape[1:]...))
		// Channel 0: 1, 2, 3, 6 (mean 3, variance 3.5); channel 1: 0, 0, 4, 4 (mean 2, variance 4).
		x := dl.FromFloat32([]float32{1, 0, 2, 0, 3, 4, 6, 4}, shape...)
		for _, run := range []func() *dl.Tensor{
			func() *dl.Tensor { return l.Forward(x, true) },
			func() *dl.Tensor { return l.Call(x, true) },
		} {
			copy(l.MovingMean().Data(), []float32{0, 0})
			copy(l.MovingVariance().Data(), []float32{1, 1})
			y := run().Float32s()
			s0, s1 := math.Sqrt(3.5+1e-3), math.Sqrt(4+1e-3)
			want := []float64{-2 / s0, -2 / s1, -1 / s0, -2 / s1, 0, 2 / s1, 3 / s0, 2 / s1}
			for i := range want {
				if math.Abs(float64(y[i])-want[i]) > 1e-5 {
					t.Fatalf("4-D %v: training output %v, want %v", fourD, y, want)
				}
			}
			// moving = moving·0.99 + batch·0.01, with the unbiased variance (×4/3) for NHWC
			// inputs only.
			corr := 1.0
			if fourD {
				corr = 4.0 / 3
			}
			wantMean := []float64{0.03, 0.02}
			wantVar := []float64{0.99 + 0.01*3.5*corr, 0.99 + 0.01*4*corr}
			for i := 0; i < 2; i++ {
				if math.Abs(l.MovingMean().At(i)-wantMean[i]) > 1e-6 || math.Abs(l.MovingVariance().At(i)-wantVar[i]) > 1e-6 {
					t.Fatalf("4-D %v: moving mean %v variance %v, want %v %v", fourD, l.MovingMean().Float32s(), l.MovingVariance().Float32s(), wantMean, wantVar)
				}
			}
		}
		// Inference uses the moving statistics and leaves them alone.
		copy(l.MovingMean().Data(), []float32{1, -1})
		copy(l.MovingVariance().Data(), []float32{4, 0.25})
		copy(l.Gamma().Data(), []float32{2, 1})
		copy(l.Beta().Data(), []float32{0.5, 0})
		for _, y := range [][]float32{l.Forward(x, false).Float32s(), l.Call(x, false).Float32s()} {
			xv := x.Float32s()
			for i, v := range xv {
				var want float64
				if i%2 == 0 {
					want = 2*(float64(v)-1)/math.Sqrt(4+1e-3) + 0.5
				} else {
					want = (float64(v) + 1) / math.Sqrt(0.25+1e-3)
				}
				if math.Abs(float64(y[i])-want) > 1e-5 {
					t.Fatalf("inference output %v at %d, want %v", y[i], i, want)
				}
			}
		}
		if l.MovingMean().At(0) != 1 || l.MovingVariance().At(1) != 0.25 {
			t.Fatal("inference changed the moving statistics")
		}
		// Frozen, the layer runs in inference mode even in training (TensorFlow 2).
		l.SetTrainable(false)
		a, b := l.Forward(x, true).Float32s(), l.Forward(x, false).Float32s()
		if !reflect.DeepEqual(a, b) {
			t.Fatal("a frozen batch normalization used the batch statistics")
		}
	}
}

func TestDropout(t *testing.T) {
	dl.SetSeed(5)
	l := layers.Dropout(0.25)
	x := dl.Ones(200, 500)
	if y := l.Forward(x, false); y != x {
		t.Fatal("Dropout changed its input in inference")
	}
	if y := l.Call(x, false); y != x {
		t.Fatal("Dropout.Call changed its input in inference")
	}
	y := l.Forward(x, true).Float32s()
	var zeros int
	var sum float64
	for _, v := range y {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("dropout output %v is neither 0 nor 1/(1-rate)", v)
		}
		sum += float64(v)
	}
	n := float64(len(y))
	if f := float64(zeros) / n; math.Abs(f-0.25) > 0.005 {
		t.Errorf("dropped fraction %v, want 0.25", f)
	}
	if m := sum / n; math.Abs(m-1) > 0.01 {
		t.Errorf("mean output %v, want 1", m)
	}
	dy := dl.Full(2, 200, 500)
	dx := l.Backward(dy, true).Float32s()
	for i, v := range dx {
		if v != 2*y[i] {
			t.Fatalf("the gradient is not masked like the output: %v for output %v", v, y[i])
		}
	}
	// Reproducible from the seed.
	dl.SetSeed(5)
	again := layers.Dropout(0.25).Forward(x, true).Float32s()
	if !reflect.DeepEqual(again, y) {
		t.Error("the same seed gave another mask")
	}
}

func TestAveragePoolingSameCountsValidCells(t *testing.T) {
	// A 3×3 image of ones pooled 2×2, stride 2, same: every window averages to 1, though the
	// border windows hold only 2 or 1 cells.
	y := layers.AveragePooling2D(2, layers.Same).Forward(dl.Ones(1, 3, 3, 1), false)
	if !y.HasShape(1, 2, 2, 1) {
		t.Fatalf("shape %v", y.Shape())
	}
	for _, v := range y.Float32s() {
		if v != 1 {
			t.Fatalf("got %v, want all ones", y.Float32s())
		}
	}
}

func TestMergeLayers(t *testing.T) {
	dl.SetSeed(2)
	a, b, c := dl.RandomUniform(-1, 1, 2, 3, 4), dl.RandomUniform(-1, 1, 2, 3, 4), dl.RandomUniform(-1, 1, 2, 3, 2)
	tests := []struct {
		desc string
		l    interface {
			dl.MergeLayer
			dl.MergeKernel
		}
		xs []*dl.Tensor
	}{
		{"add two", layers.Add(), []*dl.Tensor{a, b}},
		{"add three", layers.Add(), []*dl.Tensor{a, b, a}},
		{"concatenate last", layers.Concatenate(-1), []*dl.Tensor{a, c, b}},
		{"concatenate axis 1", layers.Concatenate(1), []*dl.Tensor{a, b}},
	}
	for _, tc := range tests {
		var shapes [][]int
		for _, x := range tc.xs {
			shapes = append(shapes, append([]int{-1}, x.Shape()[1:]...))
		}
		tc.l.BuildMany(shapes)
		y := tc.l.ForwardMany(tc.xs, true)
		if want := tc.l.OutputShapeMany(shapes); !sameTail(y.Shape(), want) {
			t.Errorf("%s: shape %v, OutputShapeMany %v", tc.desc, y.Shape(), want)
		}
		r := dl.RandomUniform(-1, 1, y.Shape()...)
		yk := y.Float32s()
		need := make([]bool, len(tc.xs))
		for i := range need {
			need[i] = i != 1
		}
		dk := tc.l.BackwardMany(r, need)
		var xa []*dl.Tensor
		for _, x := range tc.xs {
			xa = append(xa, x.Clone().RequireGrad())
		}
		ya := tc.l.CallMany(xa, true)
		ya.Mul(r).Sum().Backward()
		if !close(yk, ya.Float32s()) {
			t.Errorf("%s: outputs differ", tc.desc)
		}
		for i := range xa {
			if !need[i] {
				if dk[i] != nil {
					t.Errorf("%s: gradient %d returned though not needed", tc.desc, i)
				}
				continue
			}
			if !close(dk[i].Float32s(), xa[i].Grad().Float32s()) {
				t.Errorf("%s: gradient %d differs:\n%v\n%v", tc.desc, i, dk[i].Float32s(), xa[i].Grad().Float32s())
			}
		}
	}
	if err := dl.Maybe(func() { layers.Add().OutputShapeMany([][]int{{-1, 3}, {-1, 4}}) }); err == nil {
		t.Error("Add accepted inputs of different shapes")
	}
	if err := dl.Maybe(func() { layers.Add().Call(a, false) }); err == nil {
		t.Error("Add.Call on one input did not fail")
	}
}

// lenet builds ch3_nb4's Sequential LeNet with batch normalization.
func lenet(reg regularizers.Regularizer) *dl.Sequential {
	return dl.NewSequential(
		layers.Conv2D(6, 5, layers.Same, layers.InputShape(28, 28, 1), layers.KernelRegularizer(reg)),
		layers.BatchNormalization(), layers.Activate(layers.ReLU), layers.MaxPooling2D(2),
		layers.Conv2D(16, 5, layers.KernelRegularizer(reg)),
		layers.BatchNormalization(), layers.Activate(layers.ReLU), layers.MaxPooling2D(2),
		layers.Flatten(), layers.Dense(120, layers.KernelRegularizer(reg)),
		layers.BatchNormalization(), layers.Activate(layers.ReLU),
		layers.Dense(84, layers.KernelRegularizer(reg)), layers.Activate(layers.ReLU),
		layers.Dense(10, layers.Softmax),
	)
}

func TestLeNetWithBatchNormParams(t *testing.T) {
	m := lenet(nil)
	total, trainable := dl.CountParams(m.Weights())
	if total != 62274 || trainable != 61990 || total-trainable != 284 {
		t.Errorf("params %d / %d / %d, want 62,274 / 61,990 / 284", total, trainable, total-trainable)
	}
	// Freezing the whole batch normalization layer, then unfreezing it, keeps the moving
	// statistics non-trainable.
	bn := m.Layers()[1].(*layers.BatchNormalizationLayer)
	bn.SetTrainable(false)
	if _, tr := dl.CountParams(m.Weights()); tr != 61990-12 {
		t.Errorf("after freezing bn: %d trainable, want %d", tr, 61990-12)
	}
	bn.SetTrainable(true)
	if _, tr := dl.CountParams(m.Weights()); tr != 61990 || !bn.Trainable() {
		t.Errorf("after unfreezing bn: %d trainable, want 61,990", tr)
	}
	// Freezing before Build applies to the weights Build makes.
	d := layers.Dense(4)
	d.SetTrainable(false)
	d.Build([]int{-1, 3})
	if _, tr := dl.CountParams(d.Weights()); tr != 0 || d.Trainable() {
		t.Errorf("a Dense frozen before Build has %d trainable weights", tr)
	}
}

func TestRegularizers(t *testing.T) {
	w := dl.Variable(dl.FromFloat32([]float32{1, -2, 0.5}), "w")
	for _, tc := range []struct {
		r    regularizers.Regularizer
		want float64
		grad []float32
	}{
		{regularizers.L2(0.01), 0.01 * 5.25, []float32{0.02, -0.04, 0.01}},
		{regularizers.L1(0.1), 0.1 * 3.5, []float32{0.1, -0.1, 0.1}},
		{regularizers.L1L2(0.1, 0.01), 0.35 + 0.0525, []float32{0.12, -0.14, 0.11}},
		{regularizers.Func(func(w *dl.Tensor) *dl.Tensor { return w.Sum() }), -0.5, []float32{1, 1, 1}},
	} {
		w.ZeroGrad()
		p := tc.r.Penalty(w)
		if math.Abs(p.Item()-tc.want) > 1e-6 {
			t.Errorf("%v: penalty %v, want %v", tc.r, p.Item(), tc.want)
		}
		p.Backward()
		if !close(w.Grad().Float32s(), tc.grad) {
			t.Errorf("%v: gradient %v, want %v", tc.r, w.Grad().Float32s(), tc.grad)
		}
	}
	// Layers report their penalties as losses (ch3_nb4: l2 with factor 1 is Σw²).
	dl.SetSeed(4)
	conv := layers.Conv2D(32, 3, layers.KernelRegularizer(regularizers.L2(1)), layers.BiasRegularizer(regularizers.L2(1)),
		layers.BiasInitializer(layers.RandomNormal(0, 0.05)))
	if conv.Losses() != nil {
		t.Error("an unbuilt layer has losses")
	}
	conv.Build([]int{-1, 28, 28, 1})
	losses := conv.Losses()
	if len(losses) != 2 {
		t.Fatalf("%d losses, want 2", len(losses))
	}
	for i, w := range []*dl.Tensor{conv.Kernel(), conv.Bias()} {
		var s float64
		for _, v := range w.Float32s() {
			s += float64(v) * float64(v)
		}
		if math.Abs(losses[i].Item()-s) > 1e-5*s {
			t.Errorf("loss %d = %v, want Σw² = %v", i, losses[i].Item(), s)
		}
	}
	// Σw² of a glorot-uniform 3×3×1×32 kernel is about n·2/(fanIn+fanOut) ≈ 1.94.
	if v := losses[0].Item(); v < 1.5 || v > 2.4 {
		t.Errorf("kernel penalty %v, want about 1.94", v)
	}
	if layers.Dense(3).Losses() != nil {
		t.Error("a Dense without regularizers has losses")
	}
}

func TestInitializerByName(t *testing.T) {
	for _, name := range []string{"he_normal", "glorot_uniform", "random_normal", "zeros", "ones"} {
		init, err := layers.InitializerByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := layers.InitializerConfig(init); got != name && name != "random_normal" {
			t.Errorf("%s: config %v", name, got)
		}
	}
	if _, err := layers.InitializerByName("lecun_normal"); err == nil {
		t.Error("an unknown initializer name was accepted")
	}
	// random_normal is N(0, 0.05²); he_normal is truncated at two standard deviations of
	// √(2/fanIn)/0.8796…, so its samples have standard deviation √(2/fanIn).
	dl.SetSeed(9)
	for _, tc := range []struct {
		name        string
		shape       []int
		std, maxAbs float64
	}{
		{"random_normal", []int{100, 200}, 0.05, math.Inf(1)},
		{"he_normal", []int{3, 3, 64, 64}, math.Sqrt(2.0 / 576), 2 * math.Sqrt(2.0/576) / 0.87962566103423978},
	} {
		init, _ := layers.InitializerByName(tc.name)
		w := dl.Zeros(tc.shape...)
		init.Initialize(w)
		var s2 float64
		for _, v := range w.Float32s() {
			if math.Abs(float64(v)) > tc.maxAbs {
				t.Fatalf("%s: %v beyond the truncation %v", tc.name, v, tc.maxAbs)
			}
			s2 += float64(v) * float64(v)
		}
		if std := math.Sqrt(s2 / float64(w.Size())); math.Abs(std-tc.std) > 0.03*tc.std {
			t.Errorf("%s: standard deviation %v, want %v", tc.name, std, tc.std)
		}
	}
}

// TestConfigRoundTrip rebuilds every layer class from its configuration after a JSON round
// trip and requires the same configuration and the same weight shapes.
func TestConfigRoundTrip(t *testing.T) {
	reg := regularizers.L1L2(0.01, 0.001)
	tests := []struct {
		l     dl.Layer
		input []int
	}{
		{layers.Dense(5, layers.ReLU, layers.Name("d"), layers.InputShape(7), layers.UseBias(false),
			layers.KernelInitializer(layers.HeNormal), layers.KernelRegularizer(reg)), []int{-1, 7}},
		{layers.Conv2D(4, 3, layers.Same, layers.Strides(2, 1), layers.KernelSize(3, 2), layers.Tanh,
			layers.BiasInitializer(layers.RandomNormal(0.1, 0.2)), layers.BiasRegularizer(regularizers.L2(0.5))), []int{-1, 8, 8, 2}},
		{layers.MaxPooling2D(3, layers.Strides(2, 2), layers.Same), []int{-1, 7, 7, 2}},
		{layers.AveragePooling2D(2, layers.KernelSize(2, 3)), []int{-1, 6, 6, 1}},
		{layers.GlobalAveragePooling2D(layers.Name("avg_pool")), []int{-1, 7, 7, 8}},
		{layers.Flatten(), []int{-1, 3, 4}},
		{layers.BatchNormalization(layers.Momentum(0.9), layers.Epsilon(1e-5)), []int{-1, 4, 4, 3}},
		{layers.Dropout(0.25), []int{-1, 10}},
		{layers.Activate(layers.Softmax, layers.Name("probs")), []int{-1, 10}},
		{layers.ZeroPadding2DSides(1, 2, 3, 0, layers.Name("conv1_pad")), []int{-1, 5, 5, 3}},
		{layers.Reshape([]int{-1, 4}), []int{-1, 2, 8}},
		{layers.Add(), nil},
		{layers.Concatenate(2), nil},
	}
	for _, tc := range tests {
		cl, ok := tc.l.(dl.ConfigLayer)
		if !ok {
			t.Errorf("%s does not implement dl.ConfigLayer", tc.l.ClassName())
			continue
		}
		if tl, ok := tc.l.(dl.TrainableLayer); !ok {
			t.Errorf("%s does not implement dl.TrainableLayer", tc.l.ClassName())
		} else if tc.l.ClassName() == "Dropout" {
			tl.SetTrainable(false) // a non-default flag round-trips too
		}
		a, err := json.Marshal(cl.Config())
		if err != nil {
			t.Fatalf("%s: %v", tc.l.ClassName(), err)
		}
		var cfg map[string]any
		if err := json.Unmarshal(a, &cfg); err != nil {
			t.Fatal(err)
		}
		l2, err := dl.LayerFromConfig(tc.l.ClassName(), cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.l.ClassName(), err)
		}
		b, _ := json.Marshal(l2.(dl.ConfigLayer).Config())
		if string(a) != string(b) {
			t.Errorf("%s: configuration changed in the round trip:\n%s\n%s", tc.l.ClassName(), a, b)
		}
		if l2.ClassName() != tc.l.ClassName() || l2.Name() != tc.l.Name() {
			t.Errorf("%s: rebuilt as %s %q", tc.l.ClassName(), l2.ClassName(), l2.Name())
		}
		if tc.input != nil {
			tc.l.Build(tc.input)
			l2.Build(tc.input)
			if !reflect.DeepEqual(weightShapes(tc.l), weightShapes(l2)) {
				t.Errorf("%s: weights %v, rebuilt %v", tc.l.ClassName(), weightShapes(tc.l), weightShapes(l2))
			}
			if !reflect.DeepEqual(tc.l.OutputShape(tc.input), l2.OutputShape(tc.input)) {
				t.Errorf("%s: output shapes differ", tc.l.ClassName())
			}
		}
	}
	if _, err := dl.LayerFromConfig("Dense", map[string]any{"units": "ten"}); err == nil {
		t.Error("a Dense configuration with text units was accepted")
	}
	if _, err := dl.LayerFromConfig("Dense", map[string]any{"units": 3.0, "kernel_regularizer": map[string]any{"class_name": "regularizers.Func"}}); err == nil {
		t.Error("a configuration with a cell-defined regularizer was accepted")
	}
}

func weightShapes(l dl.Layer) [][]int {
	var s [][]int
	for _, w := range l.Weights() {
		s = append(s, append(w.Shape(), btoi(w.Trainable())))
	}
	return s
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestSummaryNames(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	for _, tc := range []struct {
		l    dl.Layer
		name string
	}{
		{layers.BatchNormalization(), "batch_normalization"},
		{layers.Dropout(0.1), "dropout"},
		{layers.Activate(layers.ReLU), "activation"},
		{layers.Activate(layers.ReLU), "activation_1"},
		{layers.Add(), "add"},
		{layers.Concatenate(-1), "concatenate"},
		{layers.GlobalAveragePooling2D(), "global_average_pooling2d"},
		{layers.AveragePooling2D(2), "average_pooling2d"},
		{layers.ZeroPadding2D(1), "zero_padding2d"},
		{layers.Reshape([]int{4}), "reshape"},
	} {
		if tc.l.Name() != tc.name {
			t.Errorf("%s named %q, want %q", tc.l.ClassName(), tc.l.Name(), tc.name)
		}
	}
}

// TestInitializersOfDl checks that dl's named initializers (dl.GetInitializer, and those
// registered from cells with dl.RegisterInitializer) work as layer options and are saved by
// name.
func TestInitializersOfDl(t *testing.T) {
	dl.RegisterInitializer("halves_for_layers_test", layers.Constant(0.5))
	for _, name := range []string{"he_normal", "ones", "halves_for_layers_test"} {
		d := layers.Dense(2, layers.KernelInitializer(dl.GetInitializer(name)))
		cfg := d.Config()
		if got := cfg["kernel_initializer"]; got != name && !(name == "halves_for_layers_test" && reflect.DeepEqual(got, layers.InitializerConfig(layers.Constant(0.5)))) {
			t.Errorf("%s: saved as %v", name, got)
		}
		if _, err := dl.LayerFromConfig("Dense", cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	init, err := layers.InitializerByName("HALVES_for_layers_test")
	if err != nil {
		t.Fatal(err)
	}
	w := dl.Zeros(3)
	init.Initialize(w)
	if w.At(2) != 0.5 {
		t.Errorf("the registered initializer gave %v", w.Float32s())
	}
}

// TestKernelsDoNotAllocate checks the compiled passes' contract: after the first step of a
// batch shape, a forward and backward step allocates nothing.
func TestKernelsDoNotAllocate(t *testing.T) {
	single := []struct {
		l     layer
		input []int
	}{
		{layers.BatchNormalization(), []int{4, 5, 5, 3}},
		{layers.BatchNormalization(), []int{4, 6}},
		{layers.Dropout(0.3), []int{4, 6}},
		{layers.AveragePooling2D(2), []int{2, 4, 4, 3}},
		{layers.GlobalAveragePooling2D(), []int{2, 4, 4, 3}},
		{layers.ZeroPadding2D(1), []int{2, 4, 4, 3}},
		{layers.Reshape([]int{-1}), []int{2, 4, 3}},
		{layers.Activate(layers.Softmax), []int{3, 5}},
		{layers.Activate(layers.ReLU), []int{3, 5}},
	}
	for _, tc := range single {
		tc.l.Build(append([]int{-1}, tc.input[1:]...))
		x := dl.RandomUniform(-1, 1, tc.input...)
		dy := dl.RandomUniform(-1, 1, tc.l.OutputShape(tc.input)...)
		step := func() {
			tc.l.Forward(x, true)
			tc.l.Backward(dy, true)
		}
		step()
		if n := testing.AllocsPerRun(5, step); n != 0 {
			t.Errorf("%s: %v allocations per step", tc.l.ClassName(), n)
		}
	}
	a, b := dl.RandomUniform(-1, 1, 2, 3, 4), dl.RandomUniform(-1, 1, 2, 3, 4)
	for _, l := range []interface {
		dl.MergeLayer
		dl.MergeKernel
	}{layers.Add(), layers.Concatenate(-1)} {
		xs := []*dl.Tensor{a, b}
		need := []bool{true, true}
		y := l.ForwardMany(xs, true)
		dy := dl.RandomUniform(-1, 1, y.Shape()...)
		step := func() {
			l.ForwardMany(xs, true)
			l.BackwardMany(dy, need)
		}
		step()
		if n := testing.AllocsPerRun(5, step); n != 0 {
			t.Errorf("%s: %v allocations per step", l.ClassName(), n)
		}
	}
}
