package celltest

import (
	"testing"

	"godl.dev/godl/dl"
)

// bookLayers are the custom layers of the book's chapter 3 (ch3_nb2 cell 11 and ch3_nb4
// cells 13 and 15) written as cells: a convolution built with AddWeight (one initializer
// as an object, one by its Keras name) and its subclass that adds L2 penalties with
// AddLoss from its Build.
var bookLayers = []string{
	`import (
	"fmt"
	"math"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)`,
	`type SimpleConvolutionLayer struct {
	dl.LayerBase
	numKernels    int
	kernelSize    [2]int
	stride        int
	kernels, bias *dl.Tensor
}

func NewSimpleConvolutionLayer(numKernels int, kernelSize [2]int, stride int) *SimpleConvolutionLayer {
	l := &SimpleConvolutionLayer{numKernels: numKernels, kernelSize: kernelSize, stride: stride}
	l.Init(l, "SimpleConvolutionLayer")
	return l
}

func (l *SimpleConvolutionLayer) Build(inputShape []int) {
	channels := inputShape[len(inputShape)-1]
	l.kernels = l.AddWeight("kernels", []int{l.kernelSize[0], l.kernelSize[1], channels, l.numKernels},
		layers.GlorotUniform, true)
	l.bias = l.AddWeight("bias", []int{l.numKernels}, dl.GetInitializer("random_normal"), true)
}

func (l *SimpleConvolutionLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	l.BuildOnce(x.Shape())
	z := dl.Conv2D(x, l.kernels, l.stride, l.stride, dl.Valid)
	return z.Add(l.bias).ReLU()
}

func (l *SimpleConvolutionLayer) Config() map[string]any {
	cfg := l.LayerBase.Config()
	cfg["num_kernels"] = l.numKernels
	cfg["kernel_size"] = l.kernelSize
	cfg["strides"] = l.stride
	return cfg
}

func l2Reg(coef float64) func(x *dl.Tensor) *dl.Tensor {
	return func(x *dl.Tensor) *dl.Tensor { return x.Square().Sum().MulScalar(coef) }
}

type ConvWithRegularizers struct {
	SimpleConvolutionLayer
	kernelRegularizer, biasRegularizer func(x *dl.Tensor) *dl.Tensor
}

func NewConvWithRegularizers(numKernels int, kernelSize [2]int, stride int, kernelReg, biasReg func(x *dl.Tensor) *dl.Tensor) *ConvWithRegularizers {
	l := &ConvWithRegularizers{kernelRegularizer: kernelReg, biasRegularizer: biasReg}
	l.numKernels, l.kernelSize, l.stride = numKernels, kernelSize, stride
	l.Init(l, "ConvWithRegularizers")
	return l
}

func (l *ConvWithRegularizers) Build(inputShape []int) {
	l.SimpleConvolutionLayer.Build(inputShape)
	if l.kernelRegularizer != nil {
		l.AddLoss(func() *dl.Tensor { return l.kernelRegularizer(l.kernels) })
	}
	if l.biasRegularizer != nil {
		l.AddLoss(func() *dl.Tensor { return l.biasRegularizer(l.bias) })
	}
}

// sumSquares is Σw², computed without tensor operations.
func sumSquares(w *dl.Tensor) float64 {
	s := 0.0
	for _, v := range w.Data() {
		s += float64(v) * float64(v)
	}
	return s
}

func lossValues(ls []*dl.Tensor) []float64 {
	out := make([]float64, len(ls))
	for i, l := range ls {
		out[i] = l.Item()
	}
	return out
}`,
}

// TestCellCustomLayers builds the book's custom layers from cells: names, weights, losses
// equal to Σw² of kernel and bias (ch3_nb4 cell 17), the default OutputShape in a summary,
// config, freezing, self-building on a direct call, and the layers inside a Sequential
// trained with Fit and with a GradientTape-style loop.
func TestCellCustomLayers(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession() // other tests expect the first layer names
	cells := append(append([]string(nil), bookLayers...),
		`dl.SetSeed(42)
conv := NewConvWithRegularizers(32, [2]int{3, 3}, 1, l2Reg(1), l2Reg(1))
fmt.Println("built before", conv.Built(), len(conv.Weights()), len(conv.Losses()))
conv.Build([]int{-1, 28, 28, 1})
got := lossValues(conv.Losses())
fmt.Println("Regularization losses over kernel and bias parameters:", len(got))
fmt.Println("match", math.Abs(got[0]-sumSquares(conv.kernels)) < 1e-4*got[0], math.Abs(got[1]-sumSquares(conv.bias)) < 1e-4*got[1])
fmt.Println("names", conv.Name(), conv.ClassName(), conv.Weights()[0].Name(), conv.Weights()[1].Name())
fmt.Println("shapes", conv.kernels.Shape(), conv.bias.Shape(), conv.OutputShape([]int{-1, 28, 28, 1}))
fmt.Println("config", conv.Config())`,
		// The bias drawn by random_normal has the spread of N(0, 0.05²): 32 values.
		`fmt.Println("bias spread ok", sumSquares(conv.bias)/32 > 0.0005 && sumSquares(conv.bias)/32 < 0.006)`,
		// A direct call builds the layer for its input (ch3_nb4's LeNet5 calls conv1 in
		// its own call).
		`plain := NewSimpleConvolutionLayer(4, [2]int{5, 5}, 2)
y := plain.Call(dl.Ones(2, 28, 28, 3), false)
fmt.Println("direct", plain.Name(), plain.Built(), y.Shape(), plain.kernels.Shape(), len(plain.Losses()))
y2 := plain.Call(dl.Ones(1, 28, 28, 3), false)
fmt.Println("built once", len(plain.Weights()), y2.Shape())`,
		// Freezing: trainable weights follow the layer.
		`plain.SetTrainable(false)
fmt.Println("frozen", plain.Trainable(), len(plain.TrainableWeights()), len(plain.NonTrainableWeights()), plain.kernels.Trainable())
plain.SetTrainable(true)
fmt.Println("unfrozen", len(plain.TrainableWeights()))`,
		// Three regularized convolutions in a Sequential (ch3_nb4 cell 19), then a head.
		// yaegi v0.16.1 mishandles a cell value passed to compiled code straight from a
		// constructor (m.Add(NewX()): "reflect: Call using *struct") or made in a loop body
		// (every wrapper calls the last one's methods); LayerBase.Layer gives the value
		// Init recorded, which is right in both cases.
		`func countLosses(ls []dl.Layer) (nLayers, nLosses int) {
	for _, l := range ls {
		if ll, ok := l.(dl.LossLayer); ok {
			nLayers++
			nLosses += len(ll.Losses())
		}
	}
	return nLayers, nLosses
}

func modelLosses(m *dl.Sequential) []*dl.Tensor {
	var out []*dl.Tensor
	for _, l := range m.Layers() {
		if ll, ok := l.(dl.LossLayer); ok {
			out = append(out, ll.Losses()...)
		}
	}
	return out
}`,
		`m := dl.NewSequential()
for k := 0; k < 3; k++ {
	m.Add(NewConvWithRegularizers(4, [2]int{3, 3}, 1, l2Reg(0.01), l2Reg(0.01)).Layer())
}
m.Add(layers.Flatten())
m.Add(layers.Dense(10, layers.Softmax))
m.Build([]int{-1, 12, 12, 1})
fmt.Println(m.SummaryString())
_, nLosses := countLosses(m.Layers())
fmt.Println("losses in model", nLosses)`,
		// A GradientTape step on the per-sample loss vector plus the layers' losses lowers
		// both; the gradient reaches the custom layers' weights.
		`func manualSteps(m *dl.Sequential, x, y *dl.Tensor, steps int) (before, after float64, moved bool) {
	opt := optimizers.SGD()
	first := m.Layers()[0].Weights()[0].Clone()
	for step := 0; step < steps; step++ {
		tape := dl.NewGradientTape()
		preds := m.Call(x, true)
		mainLoss := losses.SparseCategoricalCrossentropyOf(y, preds)
		regLoss := dl.AddN(modelLosses(m))
		loss := mainLoss.Add(regLoss)
		vars := m.TrainableWeights()
		grads := tape.Gradient(loss, vars)
		opt.ApplyGradients(grads, vars)
		if step == 0 {
			before = loss.Mean().Item()
		}
		after = loss.Mean().Item()
	}
	moved = m.Layers()[0].Weights()[0].Sub(first).Abs().Sum().Item() > 0
	return before, after, moved
}`,
		`x := dl.RandomUniform(0, 1, 64, 12, 12, 1)
labels := make([]int, 64)
for k := range labels {
	labels[k] = k % 10
}
y := dl.FromInts(labels)
before, after, moved := manualSteps(m, x, y, 5)
fmt.Println("manual loop lowers the loss", after < before, "conv weights moved", moved)`,
		// Fit trains through the custom layers (autodiff through their Call).
		`m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
h := m.Fit(x, y, dl.Epochs(4), dl.Verbose(0))
fmt.Println("fit lowers the loss", h.Last("loss") < h.Get("loss")[0])`,
		// A constructor returning dl.Layer wraps the value itself: its result may be passed
		// straight to Add, in a loop too.
		`func NewRegularizedConv(n int) dl.Layer {
	return NewConvWithRegularizers(n, [2]int{3, 3}, 1, l2Reg(1), l2Reg(1))
}`,
		`m2 := dl.NewSequential()
for k := 0; k < 3; k++ {
	m2.Add(NewRegularizedConv(4))
}
m2.Build([]int{-1, 12, 12, 1})
fmt.Println("constructor returning dl.Layer", m2.CountParams(), len(m2.Losses()))`,
		// In a functional model: Apply builds the cell layer for the symbolic input, and the
		// model collects its losses.
		`inp := dl.Input(12, 12, 1)
fconv := NewConvWithRegularizers(4, [2]int{3, 3}, 1, l2Reg(0.01), l2Reg(0.01))
hidden := dl.Apply(fconv, inp)
flat := dl.Apply(layers.Flatten(), hidden)
fm := dl.NewModel([]*dl.Tensor{inp}, []*dl.Tensor{dl.Apply(layers.Dense(10, layers.Softmax), flat)})
fm.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy)
fh := fm.Fit(x, y, dl.Epochs(3), dl.Verbose(0))
fmt.Println("functional", hidden.Shape(), len(fm.Losses()), fh.Last("loss") < fh.Get("loss")[0], fconv.Weights()[0] == fm.TrainableWeights()[0])`,
		// Evaluate adds the cell layers' losses, seen through the interpreter's wrapper.
		`ev := m.Evaluate(x, y, dl.Verbose(0))
mainLoss := 0.0
dl.NoGrad(func() { mainLoss = losses.SparseCategoricalCrossentropyOf(y, m.Call(x, false)).Mean().Item() })
reg := dl.AddN(m.Losses()).Item()
fmt.Println("evaluate counts the cell layers' losses", reg > 0, math.Abs(ev[0]-(mainLoss+reg)) < 1e-4*ev[0])`,
	)
	WantLines(t, Run(t, cells...),
		"built before false 0 0\n",
		"Regularization losses over kernel and bias parameters: 2\n",
		"match true true\n",
		"names conv_with_regularizers ConvWithRegularizers conv_with_regularizers/kernels conv_with_regularizers/bias\n",
		"shapes [3 3 1 32] [32] [-1 26 26 32]\n",
		"config map[dtype:float32 kernel_size:[3 3] name:conv_with_regularizers num_kernels:32 strides:1 trainable:true]\n",
		"bias spread ok true\n",
		"direct simple_convolution_layer true [2 12 12 4] [5 5 3 4] 0\n",
		"built once 2 [1 12 12 4]\n",
		"frozen false 0 2 false\n",
		"unfrozen 2\n",
		"conv_with_regularizers_1 (Co (None, 10, 10, 4)         40",
		"conv_with_regularizers_3 (Co (None, 6, 6, 4)           148",
		"Total params: 1,786\n",
		"losses in model 6\n",
		"manual loop lowers the loss true conv weights moved true\n",
		"fit lowers the loss true\n",
		"evaluate counts the cell layers' losses true true\n",
		"constructor returning dl.Layer 336 6\n",
		"functional [-1 10 10 4] 2 true true\n",
	)
}
