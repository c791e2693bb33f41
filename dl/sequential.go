package dl

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Sequential is a linear stack of layers, as Keras's Sequential model. Its layers are built
// when the input shape becomes known: at the first Fit, Evaluate, Predict or Call, by Build,
// or at once when the first layer declares it (layers.InputShape). A Sequential is itself a
// Layer.
type Sequential struct {
	modelCore

	layers     []Layer
	inputShape []int // per-sample shape, nil until built
	outShapes  [][]int
	declared   []int // per-sample shape declared by an InputLayer added first
}

var _ Network = (*Sequential)(nil)

// NewSequential returns a model that applies layers in order. Layers defined in notebook
// cells must be added one at a time with Add instead (an interpreter limit).
func NewSequential(layers ...Layer) *Sequential {
	m := &Sequential{modelCore: modelCore{name: UniqueName("sequential")}}
	m.self = m
	for _, l := range layers {
		m.Add(l)
	}
	return m
}

// Add appends a layer. Adding to a built model builds the new layer at once. An
// InputLayer (NewInputLayer) added first declares the input shape instead, as in Keras's
// Sequential([InputLayer(input_shape), ...]): it is not one of the model's layers.
func (m *Sequential) Add(l Layer) {
	if l == nil {
		panicf("Sequential.Add", nil, "layer is nil")
	}
	if il, ok := l.(*InputLayer); ok {
		if len(m.layers) > 0 || m.declared != nil {
			panicf("Sequential.Add", nil, "an InputLayer must come first in model %q", m.name)
		}
		m.declared = il.InputShape()
		return
	}
	m.layers = append(m.layers, l)
	m.run = nil
	if len(m.layers) == 1 {
		if m.declared != nil {
			m.build(m.declared)
			return
		}
		if d, ok := l.(interface{ InputShape() []int }); ok && d.InputShape() != nil {
			m.build(d.InputShape())
			return
		}
	}
	if m.inputShape != nil {
		in := m.inputShape
		m.inputShape = nil
		m.build(in)
	}
}

// Pop removes the model's last layer and returns it, as Keras's model.pop(): the model's
// output is then the previous layer's. The layer keeps its weights, so it can be used
// elsewhere. Popping from a model without layers panics.
func (m *Sequential) Pop() Layer {
	if len(m.layers) == 0 {
		panicf("Sequential.Pop", nil, "model %q has no layers to pop", m.name)
	}
	last := m.layers[len(m.layers)-1]
	m.layers = m.layers[:len(m.layers)-1]
	if len(m.outShapes) > len(m.layers) {
		m.outShapes = m.outShapes[:len(m.layers)]
	}
	if len(m.layers) == 0 {
		m.inputShape, m.outShapes = nil, nil
	}
	m.run = nil
	return last
}

// Layers returns the model's layers in order.
func (m *Sequential) Layers() []Layer { return append([]Layer(nil), m.layers...) }

// GetLayer returns the layer named name, as Keras's model.get_layer, or nil if there is
// none.
func (m *Sequential) GetLayer(name string) Layer {
	for _, l := range m.layers {
		if l.Name() == name {
			return l
		}
	}
	return nil
}

// Built reports whether the layers have been built.
func (m *Sequential) Built() bool { return m.inputShape != nil }

// Build builds every layer for inputs of inputShape, batch axis first (-1 when unknown), as
// model.build((None, 28, 28)) does in Keras: m.Build([]int{-1, 28, 28}). Building again
// with another per-sample shape panics. Build makes Sequential a Layer.
func (m *Sequential) Build(inputShape []int) {
	if len(inputShape) == 0 {
		panicf("Sequential.Build", [][]int{inputShape}, "the input shape needs a batch axis")
	}
	m.build(inputShape[1:])
}

// build builds the layers for samples of shape inputShape (without the batch axis).
func (m *Sequential) build(inputShape []int) {
	if m.inputShape != nil {
		if !sameShape(m.inputShape, inputShape) {
			panicf("Sequential.Build", [][]int{append([]int{-1}, m.inputShape...), append([]int{-1}, inputShape...)},
				"model %q was built for another input shape", m.name)
		}
		return
	}
	if len(m.layers) == 0 {
		panicf("Sequential.Build", nil, "model %q has no layers", m.name)
	}
	shape := append([]int{-1}, inputShape...)
	m.outShapes = m.outShapes[:0]
	for _, l := range m.layers {
		InLayer(l.Name(), func() {
			if l.Weights() == nil {
				l.Build(shape)
			}
			shape = l.OutputShape(shape)
		})
		m.outShapes = append(m.outShapes, cloneShape(shape))
	}
	m.inputShape = cloneShape(inputShape)
}

// buildFor builds the model for a batch x, or checks x against the built input shape.
func (m *Sequential) buildFor(op string, x *Tensor) {
	if len(x.shape) == 0 {
		panicf(op, [][]int{x.shape}, "inputs need a batch axis")
	}
	if m.inputShape == nil {
		m.build(x.shape[1:])
		return
	}
	if !sameShape(m.inputShape, x.shape[1:]) {
		panicf(op, [][]int{append([]int{-1}, m.inputShape...), x.shape},
			"model %q expects inputs of the first shape, got the second", m.name)
	}
}

// String describes the model in one line, such as
// <Sequential "sequential": 3 layers, 101,770 params>; the parameter count appears once the
// model is built.
func (m *Sequential) String() string {
	s := fmt.Sprintf("<Sequential %q: %d layers", m.name, len(m.layers))
	if m.inputShape != nil {
		s += ", " + thousands(m.CountParams()) + " params"
	}
	return s + ">"
}

// ClassName returns "Sequential".
func (m *Sequential) ClassName() string { return "Sequential" }

// OutputShape returns the shape of the model's output for inputs of inputShape (batch axis
// first), building the model if needed.
func (m *Sequential) OutputShape(inputShape []int) []int {
	m.Build(inputShape)
	out := cloneShape(m.outShapes[len(m.outShapes)-1])
	out[0] = inputShape[0]
	return out
}

// Call applies the layers to x with tensor operations, so that gradients flow through the
// model (for custom training loops and for using a model as a layer).
func (m *Sequential) Call(x *Tensor, training bool) *Tensor {
	m.buildFor("Sequential.Call", x)
	for _, l := range m.layers {
		InLayer(l.Name(), func() { x = l.Call(x, training) })
	}
	return x
}

// Weights returns all the layers' variables in layer order.
func (m *Sequential) Weights() []*Tensor {
	var ws []*Tensor
	for _, l := range m.layers {
		ws = append(ws, l.Weights()...)
	}
	return ws
}

// TrainableWeights returns the variables that optimizers update.
func (m *Sequential) TrainableWeights() []*Tensor {
	ws, _ := splitTrainable(m.Weights())
	return ws
}

// NonTrainableWeights returns the variables that optimizers leave alone: frozen weights and
// statistics such as a batch normalization's moving mean.
func (m *Sequential) NonTrainableWeights() []*Tensor {
	_, ws := splitTrainable(m.Weights())
	return ws
}

// Losses returns the extra losses of the layers (LossLayer), nested models included,
// computed now from the current weights, as Keras's model.losses. Fit adds their sum to
// the loss it minimises.
func (m *Sequential) Losses() []*Tensor { return layerLosses(m.layers) }

// CountParams returns the number of weights of the built model.
func (m *Sequential) CountParams() int {
	t, _ := CountParams(m.Weights())
	return t
}

// Summary prints the model's layer table to standard output in the format of tf.keras 2.0's
// model.summary(). The model must be built. In a notebook (a rich display sink is active,
// display.Rich) it shows the same table as HTML through display instead, with that text as
// the text/plain form.
func (m *Sequential) Summary() { m.table().show() }

// WriteSummary writes the summary that Summary prints to w.
func (m *Sequential) WriteSummary(w io.Writer) { io.WriteString(w, m.SummaryString()) }

// SummaryString returns the text that Summary prints.
func (m *Sequential) SummaryString() string { return m.table().text() }

// table returns the summary's rows: each layer with its output shape.
func (m *Sequential) table() *summaryTable {
	if m.inputShape == nil {
		panicf("Summary", nil, "model %q is not built yet: call Build with the input shape, or Fit, first", m.name)
	}
	t := newSummaryTable(m.name, false, m.Weights())
	for i, l := range m.layers {
		t.add(l, shapeString(m.outShapes[i]), nil)
	}
	return t
}

// thousands formats n with comma separators: 101770 → "101,770".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
